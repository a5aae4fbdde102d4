"""The Qt side of the model: one open lesson, its trainer, and signals the panels listen to.

Panels never compute maths: they read what `Session` exposes (which asks the engine) and
call its methods to change it. Every change that could be refused is checked here, so a
refused edit leaves the state exactly as it was.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine import PRESETS, Lesson, LessonError, StopReason, chain_rule_breakdown, open_lesson
from engine.breakdown import Breakdown
from engine.lesson import lesson_from_dict
from gui.undo import EditCommand, RewindCommand, SettingsState, SwapTrainerCommand, TrainingCommand

MAX_ABS_VALUE = 1e6  # larger parameters or data only ever mean a typo in class
BATCH_S = 0.002  # longest stretch of maths between looks at the clock during Run


class InputError(ValueError):
    """A value typed by the user that cannot be used; the message says why."""


def parse_number(text: str, what: str, positive: bool = False) -> float:
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        raise InputError(f"{what}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{what}: {text.strip()} is not a finite number")
    if abs(value) > MAX_ABS_VALUE:
        raise InputError(f"{what}: {text.strip()} is too large (limit ±{MAX_ABS_VALUE:g})")
    if positive and value <= 0:
        raise InputError(f"{what}: must be greater than 0")
    return value + 0.0  # turns -0.0 into 0.0


class Session(QObject):
    lessonChanged = Signal()  # a different network or lesson: rebuild structure
    stateChanged = Signal()  # values, loss or history changed: redraw
    selectionChanged = Signal(str)
    runningChanged = Signal(bool)
    dirtyChanged = Signal(bool)
    message = Signal(str)  # for the status bar

    def __init__(self, lesson: Lesson, path: Path | None = None):
        super().__init__()
        self.running = False
        self.quiz_active = False  # the breakdown hides its numbers while a quiz is on
        self.undo_stack = QUndoStack(self)
        self._run_start: int | None = None
        self._preview_tail = None  # steps set aside while the history slider looks back
        # (trainer and data it was for, seconds a step took) in the last Run frame
        self._step_s: tuple[tuple, float] = ((), 0.0)
        self._load(lesson, path)

    # --- lesson ------------------------------------------------------------------
    def _load(self, lesson: Lesson, path: Path | None) -> None:
        self.lesson = lesson
        self.path = path
        self.trainer = lesson.trainer()
        self.dirty = False
        trainable = self.trainer.trainable
        self.selected = trainable[0] if trainable else self.network.param_names[0]

    def open(self, name_or_path) -> None:
        """Replace the lesson; raises LessonError and keeps the current one on a fault."""
        self.replace_lesson(open_lesson(name_or_path), lesson_file(name_or_path))

    def replace_lesson(self, lesson: Lesson, path: Path | None) -> None:
        self.set_running(False)
        self.undo_stack.clear()
        self._preview_tail = None
        self._load(lesson, path)
        self.lessonChanged.emit()
        self.stateChanged.emit()
        self.selectionChanged.emit(self.selected)
        self.dirtyChanged.emit(False)

    def current_lesson(self) -> Lesson:
        """The lesson as it stands now: current values, data and settings."""
        t = self.trainer
        data = self.lesson.to_dict()
        data["weights"] = [w.tolist() for w in t.network.weights]
        data["biases"] = [[] if b is None else b.tolist() for b in t.network.biases]
        data["data"] = {"inputs": t.inputs.tolist(), "targets": t.targets.tolist()}
        data["learning_rate"] = t.learning_rate
        trainable = t.trainable
        data.pop("trainable", None)
        if len(trainable) != len(t.network.param_names):
            data["trainable"] = trainable
        return lesson_from_dict(data)

    def save(self, path: str | Path) -> None:
        lesson = self.current_lesson()
        lesson.save(path)  # raises OSError with the reason; nothing changes then
        self.path = Path(path)
        self._set_dirty(False)
        self.message.emit(f"Saved {Path(path).name}")

    def mark_dirty(self) -> None:
        self._set_dirty(True)

    def rebuild(self, lesson: Lesson, text: str = "rebuild network") -> None:
        """Use a new network (the editor): undoable, and Reset then returns to it."""
        self.set_running(False)
        self._continue_from_preview()
        old = (self.lesson, self.trainer)
        self.lesson, self.trainer = lesson, lesson.trainer()
        if self.selected not in self.network.index:
            trainable = self.trainer.trainable
            self.selected = trainable[0] if trainable else self.network.param_names[0]
        self.undo_stack.push(SwapTrainerCommand(self, old, (self.lesson, self.trainer), text))
        self.changed(structure=True)
        self.selectionChanged.emit(self.selected)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirtyChanged.emit(dirty)

    # --- reading -----------------------------------------------------------------
    @property
    def network(self):
        return self.trainer.network

    def value(self, name: str) -> float:
        return float(self.network.params[self.network.index[name]])

    def grad(self, name: str) -> float:
        return float(self.trainer.grads[self.network.index[name]])

    def is_trainable(self, name: str) -> bool:
        return bool(self.trainer.mask[self.network.index[name]])

    def breakdown(self, name: str | None = None) -> Breakdown:
        t = self.trainer
        with np.errstate(all="ignore"):
            return chain_rule_breakdown(t.network, t.inputs, t.targets, t.loss_function,
                                        name or self.selected)

    def curve(self, points: int = 200):
        """The network's output across the data's input range (one-input lessons)."""
        x = self.trainer.inputs[:, 0]
        lo, hi = float(x.min()), float(x.max())
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        grid = np.linspace(lo - pad, hi + pad, points)[:, None]
        with np.errstate(all="ignore"):
            return grid[:, 0], self.network.predict(grid)[:, 0]

    def predictions(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.network.predict(self.trainer.inputs)

    # --- edits -------------------------------------------------------------------
    def select(self, name: str) -> None:
        if name != self.selected and name in self.network.index:
            self.selected = name
            self.selectionChanged.emit(name)

    def set_param(self, name: str, text: str) -> None:
        value = parse_number(text, name)
        self._edit(f"{name} = {value:g}", lambda t: t.set_param(name, value))

    def set_learning_rate(self, text: str) -> None:
        rate = parse_number(text, "learning rate", positive=True)
        self._edit(f"learning rate = {rate:g}", lambda t: t.set_learning_rate(rate))

    def set_trainable(self, name: str, on: bool) -> None:
        names = set(self.trainer.trainable)
        names = names | {name} if on else names - {name}
        self._edit(f"{'train' if on else 'freeze'} {name}", lambda t: t.set_trainable(names))

    def set_data(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        if len(inputs) == 0:
            raise InputError("the data set needs at least one sample")
        if not (np.isfinite(inputs).all() and np.isfinite(targets).all()):
            raise InputError("every input and target must be a finite number")
        inputs, targets = np.array(inputs, float), np.array(targets, float)
        inputs.flags.writeable = targets.flags.writeable = False
        self._edit("edit data", lambda t: t.set_data(inputs, targets))

    def _edit(self, text: str, change) -> None:
        self._continue_from_preview()
        before = SettingsState(self.trainer)
        change(self.trainer)
        self.undo_stack.push(EditCommand(self, before, SettingsState(self.trainer), text))
        self.changed()

    def changed(self, structure: bool = False) -> None:
        """Every change ends here: mark unsaved and tell the panels."""
        self._set_dirty(True)
        if structure:
            self.lessonChanged.emit()
        self.stateChanged.emit()

    # --- rewind ------------------------------------------------------------------
    def step_back(self) -> None:
        self._continue_from_preview()
        t = self.trainer
        if t.steps_done == 0:
            self.message.emit("Already at step 0.")
            return
        self.set_running(False)
        self.undo_stack.push(RewindCommand(self, t.steps_done - 1, "step back"))

    def preview(self, step: int) -> None:
        """Show step `step` in every panel without losing the later steps (the history
        slider). Stepping or editing from there continues from that step, undoably."""
        t = self.trainer
        if self._preview_tail is not None:
            t.restore(self._preview_tail)
            self._preview_tail = None
        if step < t.steps_done:
            self._preview_tail = t.rewind(step)
        self.stateChanged.emit()

    @property
    def previewing(self) -> bool:
        return self._preview_tail is not None

    def last_step(self) -> int:
        """The newest step, counting steps set aside by the history slider."""
        if self._preview_tail is not None and len(self._preview_tail["_step"]):
            return int(self._preview_tail["_step"][-1])
        return self.trainer.steps_done

    def _continue_from_preview(self) -> None:
        if self._preview_tail is None:
            return
        tail, self._preview_tail = self._preview_tail, None
        self.undo_stack.push(RewindCommand(self, self.trainer.steps_done,
                                           f"continue from step {self.trainer.steps_done}",
                                           tail))

    # --- training ----------------------------------------------------------------
    def step(self) -> StopReason | None:
        self._continue_from_preview()
        start = self.trainer.steps_done
        reason = self.trainer.step()
        if self.trainer.steps_done > start:
            self.undo_stack.push(TrainingCommand(self, start, f"step {start + 1}"))
        self._after_training(reason)
        return reason

    def run_for(self, seconds: float, max_steps: int | None = None) -> StopReason | None:
        """Run steps for about `seconds` (or `max_steps`); the Run timer calls this once a
        frame. Returns the stop reason if training stopped by itself, else None."""
        t = self.trainer
        start = time.perf_counter()
        # The first batch is sized by the speed of the last frame: a fixed first batch of
        # 16 steps took 200 ms on a network that needs 13 ms a step.
        key = (id(t), id(t.inputs))  # another network or data set starts again from 1
        known = self._step_s[1] if self._step_s[0] == key else 0.0
        batch = max(1, min(4096, int(BATCH_S / known))) if known else 1
        done, reason = 0, None
        while True:
            remaining = t.stop.max_steps - t.steps_done
            if max_steps is not None:
                remaining = min(remaining, max_steps - done)
            if remaining <= 0:
                reason = StopReason.STEPS_DONE
                break
            reason = t.run(min(batch, remaining))
            done += min(batch, remaining)
            elapsed = time.perf_counter() - start
            if reason is not StopReason.STEPS_DONE or elapsed >= seconds or \
                    (max_steps is not None and done >= max_steps):
                break
            # Size the next batch to what is left of the budget at the speed seen so far,
            # and to at most BATCH_S: if the machine slows down mid-frame (another thread
            # holding the GIL, a busy VM) the frame overshoots by one short batch only.
            per_step = elapsed / done
            batch = max(1, min(4096, int(min(seconds - elapsed, BATCH_S) / per_step)))
        if done:
            self._step_s = (key, (time.perf_counter() - start) / done)
        if reason is StopReason.STEPS_DONE:
            reason = StopReason.MAX_STEPS if t.steps_done >= t.stop.max_steps else None
        self._after_training(reason)
        return reason

    def _after_training(self, reason: StopReason | None) -> None:
        self.changed()
        if reason is StopReason.DIVERGED:
            self.set_running(False)
            self.message.emit(
                f"Training diverged: step {self.trainer.steps_done + 1} would make the loss "
                "or a slope infinite. The last finite state is kept; lower the learning rate.")
        elif reason is StopReason.CONVERGED:
            self.set_running(False)
            self.message.emit(f"Converged after {self.trainer.steps_done} steps: every step "
                              f"size is below {self.trainer.stop.min_step_size:g}.")
        elif reason is StopReason.MAX_STEPS:
            self.set_running(False)
            self.message.emit(f"Stopped at the lesson's limit of {self.trainer.stop.max_steps}"
                              " steps.")

    def set_running(self, running: bool) -> None:
        if running == self.running:
            return
        if running:
            self._continue_from_preview()
            self._run_start = self.trainer.steps_done
        elif self._run_start is not None:
            start, self._run_start = self._run_start, None
            if self.trainer.steps_done > start:
                self.undo_stack.push(TrainingCommand(
                    self, start, f"run steps {start + 1}–{self.trainer.steps_done}"))
        self.running = running
        self.runningChanged.emit(running)

    def reset(self) -> None:
        self.set_running(False)
        self._continue_from_preview()
        old, self.trainer = self.trainer, self.lesson.trainer()
        self.undo_stack.push(SwapTrainerCommand(self, (self.lesson, old),
                                                (self.lesson, self.trainer), "reset"))
        self.changed()
        self.message.emit("Reset to the lesson's starting values (Ctrl+Z undoes it).")


def lesson_file(name_or_path) -> Path | None:
    """The file a lesson came from (Save writes back to it); None for a preset, which
    `open_lesson` tells apart the same way."""
    if name_or_path is None or str(name_or_path) in PRESETS:
        return None
    return Path(name_or_path)


def session_for(lesson_name_or_path) -> Session:
    return Session(open_lesson(lesson_name_or_path), lesson_file(lesson_name_or_path))


__all__ = ["InputError", "LessonError", "Session", "parse_number", "session_for"]
