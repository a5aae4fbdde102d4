"""Rewind: every Step, Run segment, edit, data change and Reset is a command on a
QUndoStack, so Undo returns the exact earlier numbers and Redo the later ones."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand


class SettingsState:
    """Everything an edit can change: values, learning rate, optimizer, trainable set,
    data and its validation split."""

    def __init__(self, trainer):
        self.params = trainer.network.params.copy()
        self.rate = trainer.learning_rate
        self.optimizer, self.optimizer_from = trainer.optimizer, trainer.optimizer_from
        self.batching, self.schedule = trainer.batching, trainer.schedule
        self.state = trainer.history.state[-1].copy()  # its memory before the next step
        self.mask = trainer.mask.copy()
        self.inputs, self.targets = trainer.inputs, trainer.targets  # read-only arrays
        self.validation = trainer.validation

    def apply(self, trainer) -> None:
        trainer.network.set_params(self.params)
        trainer.learning_rate = self.rate
        trainer.optimizer, trainer.optimizer_from = self.optimizer, self.optimizer_from
        trainer.history.make_state_room(len(self.state))
        trainer.history.state[-1, :len(self.state)] = self.state
        trainer.mask[:] = self.mask
        if trainer.batching != self.batching:
            trainer.set_batching(self.batching)
        trainer.schedule = self.schedule
        # re-evaluates the current row
        trainer.set_data(self.inputs, self.targets, self.validation)


class EditCommand(QUndoCommand):
    def __init__(self, session, before: SettingsState, after: SettingsState, text: str):
        super().__init__(text)
        self.session, self.before, self.after = session, before, after
        self.done = True  # the edit is already applied when pushed

    def redo(self) -> None:
        self.session.leave_preview()
        if self.done:
            self.done = False
            return
        self.after.apply(self.session.trainer)
        self.session.changed()

    def undo(self) -> None:
        self.session.leave_preview()
        self.before.apply(self.session.trainer)
        self.session.changed()


class TrainingCommand(QUndoCommand):
    """Steps taken from `start` (a Step or a Run segment); undo rewinds to `start`."""

    def __init__(self, session, start: int, text: str):
        super().__init__(text)
        self.session, self.start, self.tail = session, start, None

    def redo(self) -> None:
        self.session.leave_preview()
        if self.tail is None:
            return  # pushed right after the steps were taken
        self.session.trainer.restore(self.tail)
        self.tail = None
        self.session.changed()

    def undo(self) -> None:
        self.session.leave_preview()
        self.tail = self.session.trainer.rewind(self.start)
        self.session.changed()


class RewindCommand(QUndoCommand):
    """Step back (or continue from a scrubbed step): the steps after `to` are set aside."""

    def __init__(self, session, to: int, text: str, tail=None):
        super().__init__(text)
        self.session, self.to, self.tail = session, to, tail

    def redo(self) -> None:
        self.session.leave_preview()
        if self.tail is not None and self.session.trainer.steps_done == self.to:
            return  # already rewound when pushed
        self.tail = self.session.trainer.rewind(self.to)
        self.session.changed()

    def undo(self) -> None:
        self.session.leave_preview()
        self.session.trainer.restore(self.tail)
        self.session.changed()


class SwapTrainerCommand(QUndoCommand):
    """Reset or a rebuilt network: the whole trainer (and for a rebuild, the lesson) is
    swapped in when pushed, so undo swaps back."""

    def __init__(self, session, old, new, text: str):
        super().__init__(text)
        self.session, self.old, self.new = session, old, new  # (lesson, trainer) pairs

    def redo(self) -> None:
        self.session.leave_preview()
        self.session.swap_in(*self.new)

    def undo(self) -> None:
        self.session.leave_preview()
        self.session.swap_in(*self.old)


class KeptRunsCommand(QUndoCommand):
    """Keep a run to compare, forget them, or rename, hide, show or remove one: the list
    of kept runs before and after."""

    def __init__(self, session, before: list, after: list, text: str):
        super().__init__(text)
        self.session, self.before, self.after = session, before, after

    def redo(self) -> None:
        self.session.show_kept_runs(self.after)

    def undo(self) -> None:
        self.session.show_kept_runs(self.before)


class LessonCopyCommand(QUndoCommand):
    """The lesson swapped for its copy with another title and notes, or another lock:
    `show(lesson)` makes one of the two current (the values, steps and settings are not
    touched)."""

    def __init__(self, session, old, new, text: str, show):
        super().__init__(text)
        self.session, self.old, self.new, self.show = session, old, new, show  # lessons

    def redo(self) -> None:
        self.show(self.new)

    def undo(self) -> None:
        self.show(self.old)


__all__ = ["EditCommand", "KeptRunsCommand", "LessonCopyCommand", "RewindCommand",
           "SettingsState", "SwapTrainerCommand", "TrainingCommand"]
