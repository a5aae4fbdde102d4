"""Runs kept to compare: the loss curve and the descent path of a run, with the settings
that made it, so that several can be drawn together (learning rates, optimizers, batch
sizes or seeds side by side on one loss plot and one landscape). A run trained with a
validation split keeps its validation loss curve too. Each has a name (by default from
the settings that tell it apart) and can be hidden."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.text import unshowable
from engine.training import Trainer, TrainingSettings, even_rows

MAX_RUNS = 4  # more curves on one plot than a class can tell apart
MAX_RUN_ROWS = 2000  # rows kept per run: a plot a few thousand pixels wide shows no more
MAX_RUN_NAME = 60  # characters: a name is one line of a legend

# The update rules as a legend names them (PyTorch's class names where there is one).
SHORT_OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
                         "rmsprop": "RMSprop", "adam": "Adam"}


@dataclass(frozen=True, eq=False)  # its own __eq__: arrays compare by value
class KeptRun:
    name: str
    param_names: tuple[str, ...]
    steps: np.ndarray
    loss: np.ndarray
    params: np.ndarray  # rows × parameters: the path
    visible: bool = True
    # (setting, how a name writes it) of the settings that made it, for the next runs'
    # default names; empty for a run read from a file.
    settings: tuple[tuple[str, str], ...] = ()
    # The loss over the samples held out at each row (NaN at rows trained without a
    # split); None for a run that never had one.
    val_loss: np.ndarray | None = None

    def column(self, name: str) -> np.ndarray | None:
        """One parameter's values along the run (None: not a parameter of this run)."""
        if name not in self.param_names:
            return None
        return self.params[:, self.param_names.index(name)]

    def last_validation(self) -> tuple[int, float] | None:
        """(step, loss) of the newest row with a validation loss: not the last row's when
        the split was cleared before the run was kept. None without any."""
        if self.val_loss is None:
            return None
        rows = np.flatnonzero(~np.isnan(self.val_loss))
        return (int(self.steps[rows[-1]]), float(self.val_loss[rows[-1]])) if len(rows) \
            else None

    def __eq__(self, other) -> bool:
        if not isinstance(other, KeptRun):
            return NotImplemented
        if (self.val_loss is None) != (other.val_loss is None):
            return False
        return (self.name, self.param_names, self.visible, self.settings) == \
            (other.name, other.param_names, other.visible, other.settings) and all(
                np.array_equal(a, b, equal_nan=True) for a, b in (
                    (self.steps, other.steps), (self.loss, other.loss),
                    (self.params, other.params),
                    *(() if self.val_loss is None else ((self.val_loss, other.val_loss),))))


def checked_name(text: str) -> str:
    """A run's name as typed or read: printable, on one line, the spaces around it
    dropped, not empty, at most MAX_RUN_NAME characters. Raises ValueError saying why."""
    bad = unshowable(text)
    if bad is not None:
        raise ValueError(f"must be printable text on one line (character {bad + 1} is "
                         f"{ascii(text[bad])[1:-1]})")
    name = text.strip()
    if not name:
        raise ValueError("must not be empty (it names the run in the legend)")
    if len(name) > MAX_RUN_NAME:
        raise ValueError(f"at most {MAX_RUN_NAME} characters, not {len(name)}")
    return name


def settings_words(settings: TrainingSettings) -> tuple[tuple[str, str], ...]:
    """The settings that tell runs of one lesson apart, each as a name writes it; the
    first two (update rule and learning rate) always go in a default name. A seed is a
    setting of its own, named for what it draws ("shuffle seed 0", "split seed 0"), and
    only there when it is used (batches, a validation split)."""
    batching, validation = settings.batching, settings.validation
    full = batching.is_full(settings.n_training)
    return (
        ("optimizer", SHORT_OPTIMIZER_NAMES.get(settings.optimizer.name,
                                                settings.optimizer.name)),
        ("learning_rate", f"lr {settings.learning_rate:g}"),
        ("schedule", "constant lr" if settings.schedule.is_constant
         else f"{settings.schedule.name} schedule"),
        ("batching", "full batch" if full else f"batch {batching.size}"),
        *(() if full else (("shuffle_seed", f"shuffle seed {batching.seed}"),)),
        ("validation", "no validation" if validation.is_none
         else f"validation {validation.fraction:g}"),
        *(() if validation.is_none else (("split_seed", f"split seed {validation.seed}"),)),
    )


def changes(texts: list[str]) -> str:
    """One setting's successive texts along a run, as one: "lr 0.1" alone, "lr 0.1 →
    0.3" (the words they share written once), "full batch → batch 4"; more than three
    keep the first and the last ("lr 0.1 → … → 0.05")."""
    if len(texts) == 1:
        return texts[0]
    words = [t.split(" ") for t in texts]
    shared = 0
    while all(len(w) > shared + 1 and w[shared] == words[0][shared] for w in words):
        shared += 1
    rests = [" ".join(w[shared:]) for w in words]
    if len(rests) > 3:
        rests = [rests[0], "…", rests[-1]]
    return " ".join([*words[0][:shared], " → ".join(rests)])


# Told by the loss curve's own name where they changed ("all samples at steps 0–4").
TOLD_BY_THE_CURVE = ("validation", "split_seed")


def run_settings(trainer: Trainer) -> tuple[tuple[str, str], ...]:
    """`settings_words` of the run so far: a setting changed along it is told as its
    changes ("lr 0.1 → 0.3"), from the settings its updates were taken with (a rate
    changed at the newest step has made none of the curve yet); a validation split as
    it is now (its curve's name tells where it was set or cleared)."""
    texts: dict[str, list[str]] = {}
    for settings in trainer.settings_used():
        for key, text in settings_words(settings):
            seen = texts.setdefault(key, [])
            if key not in TOLD_BY_THE_CURVE and (not seen or seen[-1] != text):
                seen.append(text)
    now = dict(settings_words(trainer.settings()))
    for key in TOLD_BY_THE_CURVE:
        if key in now:
            texts[key] = [now[key]]
        else:  # a split since cleared: its seed is no setting of the run now
            texts.pop(key, None)
    return tuple((key, changes(seen)) for key, seen in texts.items())


def described(settings: tuple[tuple[str, str], ...], others: list[KeptRun]) -> str:
    """The update rule and learning rate, then each other setting that differs from a
    kept run's ("Adam lr 0.01", "SGD lr 0.1, full batch" beside a run of batches, "SGD
    lr 0.1, shuffle seed 1" beside the same run shuffled from seed 0): what the runs
    share is not said."""
    (_, rule), (_, rate), *rest = settings
    theirs = [dict(run.settings) for run in others if run.settings]
    extra = [text for key, text in rest
             if any(t.get(key, text) != text for t in theirs)]
    # "SGD → Adam lr 0.1" would read as one rule's rate changing
    first = f"{rule}, {rate}" if "→" in rule else f"{rule} {rate}"
    return ", ".join([first, *extra])


def current_run_description(trainer: Trainer, others: list[KeptRun]) -> str:
    """The run being trained, in the words a kept run is named by ("SGD lr 0.3", "SGD
    lr 0.1 → 0.3" after a change of rate along it), for the legend to tell it from
    `others` (the runs kept)."""
    return described(run_settings(trainer), others)


def default_name(settings: tuple[tuple[str, str], ...], others: list[KeptRun]) -> str:
    """`described`, numbered when the name is taken."""
    name = described(settings, others)
    taken = {run.name for run in others}
    number, unique = 2, name
    while unique in taken:
        unique, number = f"{name} ({number})", number + 1
    return unique[:MAX_RUN_NAME]


def keep(trainer: Trainer, others: list[KeptRun] | None = None) -> KeptRun:
    """The trainer's run so far (an even sample of its rows, always with the newest),
    with its validation losses if it had a split at any of them, named from its settings
    and how they differ from `others`' (the runs kept)."""
    hist = trainer.history
    rows = even_rows(len(hist), MAX_RUN_ROWS)
    settings = run_settings(trainer)
    val_loss = hist.val_loss[rows]  # a copy: indexed by an array
    return KeptRun(default_name(settings, others or []), tuple(trainer.network.param_names),
                   hist.steps[rows].copy(), hist.loss[rows].copy(), hist.params[rows].copy(),
                   settings=settings,
                   val_loss=val_loss if np.isfinite(val_loss).any() else None)
