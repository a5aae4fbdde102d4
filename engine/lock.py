"""Locked lessons: what a teacher lets students see and change in a lesson. The one list
of the window's panels and of the settings a lock can leave editable lives here, so the
lesson format, the window and the teacher's dialog all name them the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

# Every panel the window docks, by the id a lesson file names it with, and its title.
# The diagram in the middle and the toolbar's Step, Run and Reset are always there.
PANELS = {
    "parameters": "Parameters",
    "notes": "Lesson notes",
    "breakdown": "Derivative breakdown",
    "quiz": "Quiz",
    "loss": "Loss",
    "tangent": "Loss vs parameter",
    "landscape": "Landscape",
    "accuracy": "Accuracy",
    "data": "Data and fit",
    "history": "Step history",
    "gradcheck": "Gradient check",
    "training": "Training",
    "editor": "Build network",
}

# What students may change besides the parameters' values, by the id a file names it with.
EDITABLE_SETTINGS = {
    "learning_rate": "Learning rate",
    "optimizer": "Optimizer and its settings",
    "schedule": "Learning-rate schedule",
    "batching": "Batch size and shuffle seed",
    "validation": "Validation split (share held out and its seed)",
    "trainable": "Which parameters train (the train boxes)",
    "start_values": "New start values",
    "runs": "Keep, rename, hide and remove compared runs",
    "data": "Data: edit, add and remove samples",
    "network": "Build a new network (and load data from a CSV file)",
    "notes": "The lesson's title and notes",
}


@dataclass(frozen=True)
class Lock:
    """A locked lesson's view: the panels shown, the parameters whose values may be typed
    and the settings that may be changed (each in its list's own order), and whether the
    lesson opens in quiz mode. Everything not listed is the teacher's."""

    panels: tuple[str, ...] = tuple(PANELS)
    parameters: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    quiz_on_open: bool = False
    # For may_edit: a lock of a big network lists tens of thousands of names.
    _editable: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_editable", frozenset(self.parameters))

    def shows(self, panel: str) -> bool:
        return panel in self.panels

    def may_edit(self, parameter: str) -> bool:
        return parameter in self._editable

    def may_change(self, setting: str) -> bool:
        return setting in self.settings

    def keeping(self, parameter_names) -> Lock:
        """This lock for another network (one rebuilt): its editable parameters that the
        new network has, the rest as they are."""
        names = set(parameter_names)
        return Lock(self.panels, tuple(p for p in self.parameters if p in names),
                    self.settings, self.quiz_on_open)

    def to_json(self) -> dict:
        return {"panels": list(self.panels), "parameters": list(self.parameters),
                "settings": list(self.settings), "quiz_on_open": self.quiz_on_open}


def in_order(names, order) -> tuple[str, ...]:
    """`names` in the order of `order` (each once): a lock reads the same however it was
    ticked or written."""
    chosen = set(names)
    return tuple(n for n in order if n in chosen)
