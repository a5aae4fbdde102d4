"""The run an exported script reproduces (export_code.py): the lesson, its steps and the
numbers the engine's Trainer reached, computed once here and written into the script,
which computes its own and compares."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

import numpy as np

from engine.lesson import Lesson, LessonError
from engine.optimizers import OPTIMIZERS
from engine.training import StopReason, Trainer

TOLERANCE = 1e-9
MAX_STEPS = 10_000
# Another program's numbers differ from the app's in their last digits, and some runs
# (momentum on one sample at a time, RMSProp on a flat slope) magnify such differences
# step by step. A second run with every start value and the learning rate changed by
# this much finds them: where it moves by more than the tolerance, so would the script
# (the real differences are ~1e-16, a hundredfold margin).
NUDGE = 1e-13


@dataclass(frozen=True)
class AppRun:
    """What a script needs from the app: the lesson, its steps, and the numbers the
    engine's Trainer reached. Arrays come layer by layer, weights then bias (the order of
    torch's model.parameters()); a layer without a bias has none."""

    lesson: Lesson
    steps: int
    start: list[np.ndarray]  # the values at the start
    trains: list[np.ndarray]  # 1.0 where a value trains, 0.0 where it stays
    # the loss over every sample before each update, and after the last (every step's:
    # the trainer's loss trail, which a wide network's thinned rows do not thin)
    losses: np.ndarray
    final: list[np.ndarray]  # the values after the last update
    # every parameter before the updates of `rows` (the network's flat layout; a wide
    # network's history keeps every step of a short run, an even sample of a long one),
    # for the checks of what a library computes differently
    rows: np.ndarray
    params_by_row: np.ndarray

    @property
    def batched(self) -> bool:
        return not self.lesson.batching.is_full(len(self.lesson.inputs))

    def orders(self) -> list[np.ndarray]:
        """The shuffled order of the samples in every epoch the steps reach (from 1)."""
        n, batching = len(self.lesson.inputs), self.lesson.batching
        epochs = -(-self.steps // batching.per_epoch(n))
        return [batching.order(epoch, n) for epoch in range(1, epochs + 1)]

    def summary(self) -> str:
        """What the script trains, in a line: "12 steps of Adam, mini-batches of 4…"."""
        lesson = self.lesson
        opt = lesson.optimizer
        words = [f"{self.steps} steps of {OPTIMIZERS[opt.name].split(' (')[0]}"]
        if opt.weight_decay:
            words.append(f"weight decay {opt.weight_decay!r}")
        if self.batched:
            words.append(lesson.batching.describe(len(lesson.inputs)))
        if not lesson.schedule.is_constant:
            words.append(f"a {lesson.schedule.name} learning-rate schedule")
        return ", ".join(words)


def app_run(lesson: Lesson, steps: int) -> AppRun:
    """The lesson trained `steps` steps by the engine, from its start."""
    if not 0 <= steps <= MAX_STEPS:
        raise LessonError(f"steps: from 0 to {MAX_STEPS}, not {steps}")
    if not lesson.validation.is_none:
        raise LessonError("validation: the script trains on every sample, and this lesson "
                          "holds some out for validation; set the validation fraction to 0 "
                          "to export it")
    trainer = lesson.trainer()
    if trainer.run(steps, respect_stop_rule=False) is StopReason.DIVERGED:
        raise LessonError(f"steps: training diverges at step {trainer.steps_done + 1}; "
                          "export fewer steps or lower the learning rate")
    sensitive = first_sensitive_step(lesson, trainer)
    if sensitive is not None:
        tolerance, nudge = _short(TOLERANCE), _short(NUDGE)
        raise LessonError(
            f"steps: from step {sensitive} on this run hangs on its last digits (started "
            f"{nudge} away it ends more than {tolerance} away), so no other code can "
            f"match it to {tolerance}; export at most {sensitive - 1} steps, or lower "
            "the learning rate")
    start, net = lesson.network, trainer.network
    mask = net.layer_blocks(trainer.mask.copy())
    return AppRun(lesson, steps, by_layer(start.weights, start.biases),
                  by_layer([m[:, :w.shape[1]] for m, w in zip(mask, start.weights, strict=True)],
                           [None if b is None else m[:, -1]
                            for m, b in zip(mask, start.biases, strict=True)]),
                  trainer.history.loss_trail[1].copy(), by_layer(net.weights, net.biases),
                  trainer.history.steps, trainer.history.params)


def first_sensitive_step(lesson: Lesson, trainer: Trainer) -> int | None:
    """The first step whose loss or values move by more than TOLERANCE when the start
    values and the learning rate are NUDGEd (scaled, so equal values stay equal, as
    they do in any program); None if none does."""
    nudged = lesson.trainer()
    nudged.set_params(nudged.network.params * (1 + NUDGE))
    nudged.set_learning_rate(lesson.learning_rate * (1 + NUDGE))
    nudged.run(trainer.steps_done, respect_stop_rule=False)
    ours, theirs = trainer.history, nudged.history
    # every step's loss (the trail: a wide network's rows are thinned), and the values of
    # the rows kept (the same steps in both)
    first = [theirs.last_step + 1] if theirs.last_step < ours.last_step else []  # diverged
    for steps, a, b in ((ours.loss_trail[0], ours.loss_trail[1][:, None],
                         theirs.loss_trail[1][:, None]),
                        (ours.steps, ours.params, theirs.params)):
        n = min(len(a), len(b))
        apart = np.flatnonzero((np.abs(a[:n] - b[:n]) > TOLERANCE * (1 + np.abs(a[:n])))
                               .any(axis=1))
        first += [int(steps[apart[0]])] if apart.size else []
    return min(first, default=None)


def _short(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")  # 1e-9, not 1e-09


def by_layer(weights, biases) -> list[np.ndarray]:
    """Layer by layer, the weights then the bias (where the layer has one), as copies."""
    return [np.array(p) for w, b in zip(weights, biases, strict=True)
            for p in (w, b) if p is not None]


def literal(array) -> str:
    """A nested list with every float written to its last digit (repr round-trips)."""
    return json.dumps(np.asarray(array).tolist())


def docstring(run: AppRun, how: str, *more: str) -> list[str]:
    """The script's opening docstring: the lesson's title, what it trains (`how`: "in
    numpy", "in PyTorch"), then the lines `more`."""
    title = run.lesson.title.replace("\\", "\\\\").replace('"""', "'''")
    what = textwrap.wrap(f"{run.summary()}, as Backprop Lab trains them, {how}.", 88)
    return [f'"""{title}', "", *what, "", *more[:-1], f'{more[-1]}"""']


def script_text(lines: list[str]) -> str:
    """The lines as a file, with at most two blank lines in a row (PEP 8's most)."""
    text = "\n".join(lines)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text
