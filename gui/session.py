"""The GUI's model, and its one door: one open lesson, its trainer, and the signals the
panels listen to.

Panels read what `Session` exposes (which asks the engine) and change things only by
calling its commands; only `Session` emits its signals. Every change that could be
refused is checked here: a refused change emits `refused` with the reason and nothing
else, and leaves the state exactly as it was.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine import PRESETS, Lesson, LessonError, StopReason, chain_rule_breakdown, open_lesson
from engine.batching import MAX_SEED, Batching
from engine.breakdown import Breakdown, observed_name
from engine.builder import build_lesson, load_csv
from engine.classify import Scores, class_labels, classes, is_classifier, scores
from engine.explain import fmt
from engine.gradcheck import GradientCheckRow, gradient_check
from engine.initialise import MAX_SEED as INIT_MAX_SEED
from engine.initialise import SCHEMES as INIT_SCHEMES
from engine.initialise import initialise
from engine.landscape import affordable_points, loss_along, loss_grid
from engine.lesson import (
    check_lesson_text,
    check_size,
    check_targets,
    lock_from_json,
    trained_settings,
)
from engine.lock import Lock
from engine.network import Layer, Network
from engine.optimizers import DEFAULTS as DEFAULT_OPTIMIZERS
from engine.optimizers import SETTINGS as OPTIMIZER_SETTINGS
from engine.optimizers import Optimizer
from engine.phases import StepPhases, step_phases
from engine.runs import MAX_RUNS, KeptRun, checked_name, current_run_description
from engine.runs import keep as keep_run
from engine.schedules import SCHEDULE_SETTINGS, Schedule
from engine.text import quoted
from engine.training import (
    RISES_BEFORE_WARNING,
    History,
    HistoryRows,
    StopRule,
    Trainer,
    Update,
    growth_sentence,
    rises_at_end,
    stop_sentence,
)
from engine.validation import MAX_SEED as VALIDATION_MAX_SEED
from engine.validation import Validation
from gui.undo import (
    EditCommand,
    KeptRunsCommand,
    LessonCopyCommand,
    RewindCommand,
    SettingsState,
    SwapTrainerCommand,
    TrainingCommand,
)

MAX_ABS_VALUE = 1e6  # larger parameters or data only ever mean a typo in class


class InputError(ValueError):
    """A value typed by the user that cannot be used; the message says why."""


def _whole(text: str, what: str, high: int) -> int:
    """A whole number from 0 to `high`, as typed."""
    cleaned = text.strip()
    if not cleaned.isdigit():
        raise InputError(f"{what}: {quoted(text)} is not a whole number from 0")
    value = int(cleaned)
    if value > high:
        raise InputError(f"{what}: at most {high}")
    return value


def parse_number(text: str, what: str, positive: bool = False) -> float:
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        raise InputError(f"{what}: {quoted(text)} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{what}: {quoted(text)} is not a finite number")
    if abs(value) > MAX_ABS_VALUE:
        raise InputError(f"{what}: {quoted(text)} is too large (limit ±{MAX_ABS_VALUE:g})")
    if positive and value <= 0:
        raise InputError(f"{what}: must be greater than 0")
    return value + 0.0  # turns -0.0 into 0.0


class Session(QObject):
    lessonChanged = Signal()  # a different network or lesson: rebuild structure
    lessonOpened = Signal()  # another lesson opened (a preset, a file, a restore)
    textChanged = Signal()  # the lesson's title or notes (nothing else) changed
    stateChanged = Signal()  # values, loss or history changed: redraw
    selectionChanged = Signal(str)
    runningChanged = Signal(bool)
    dirtyChanged = Signal(bool)
    quizChanged = Signal(bool)  # quiz mode on or off: hide or show the answers
    lockChanged = Signal()  # the lesson locked, unlocked or locked otherwise: show, enable
    flowRequested = Signal()  # "Show the flow": the diagram animates the next step
    phaseRequested = Signal()  # "Step phase": the diagram shows the next phase of a step
    runsChanged = Signal()  # a run kept to compare, or the kept runs forgotten
    message = Signal(str)  # news for the status bar
    refused = Signal(str)  # a change that was not made, and why
    refusalWithdrawn = Signal()  # the cause of the last refusal is gone: its words go
    warning = Signal(str)  # something going wrong that the user should act on
    problem = Signal(str, str)  # (title, text): a file that cannot be used, for a dialog

    def __init__(self, lesson: Lesson, path: Path | None = None):
        super().__init__()
        self.running = False
        self.quiz_active = False
        self.undo_stack = QUndoStack(self)
        self._run_start: int | None = None
        self._preview_tail: HistoryRows | None = None  # steps set aside by the slider
        self._growth_warned = False  # the growing-loss warning of this streak was given
        self._refusal_stands = False  # a refusal was said and its cause is not gone yet
        self._load(lesson, path)
        # Before any panel listens: each reads quiz_active when it is made.
        self.quiz_active = lesson.lock is not None and lesson.lock.quiz_on_open

    # --- lesson ------------------------------------------------------------------
    def _load(self, lesson: Lesson, path: Path | None) -> None:
        self.lesson = lesson
        self.path = path
        self.trainer = lesson.trainer_with_progress()
        # Save (Ctrl+S) keeps writing the run when the file had one or was saved with it.
        self.saves_progress = lesson.progress is not None
        self.dirty = False
        self.selected = self._default_selection()
        # Another lesson's runs are not this one's; a file's come with it.
        self._kept_runs: list[KeptRun] = list(lesson.runs)

    def _default_selection(self) -> str:
        """The first trainable parameter (what a lesson is about), else the first one."""
        trainable = self.trainer.trainable
        return trainable[0] if trainable else self.network.param_names[0]

    def open(self, name_or_path) -> None:
        """Replace the lesson; raises LessonError and keeps the current one on a fault."""
        self.replace_lesson(open_lesson(name_or_path), lesson_file(name_or_path))

    def replace_lesson(self, lesson: Lesson, path: Path | None) -> None:
        self.set_running(False)
        self.undo_stack.clear()
        self._preview_tail = None
        self._load(lesson, path)
        self.lessonOpened.emit()
        self.lessonChanged.emit()
        self.stateChanged.emit()
        self.selectionChanged.emit(self.selected)
        self.dirtyChanged.emit(False)
        self.lockChanged.emit()
        if lesson.lock is not None and lesson.lock.quiz_on_open:
            self.set_quiz(True)

    def current_lesson(self) -> Lesson:
        """The lesson as it stands now: current values, data and settings."""
        return self.lesson.as_trained_by(self.trainer)

    def lesson_snapshot(self) -> tuple[Lesson, dict]:
        """saved_lesson() in two halves, for the autosave: the lesson with the runs kept
        and the trainer's data and settings (`trained_settings`), copied now (cheap: no
        values); `Lesson.parts_with` makes the file's parts from them later, on the
        autosave's writer thread."""
        return (dataclasses.replace(self.lesson, runs=tuple(self.kept_runs)),
                trained_settings(self.trainer))

    def saved_lesson(self, progress: bool = False) -> Lesson:
        """The lesson as Save writes it: the starting values with today's data and
        settings and the runs kept to compare (and with `progress`, the steps so far)."""
        return dataclasses.replace(self.lesson.as_set_by(self.trainer, progress),
                                   runs=tuple(self.kept_runs))

    def save(self, path: str | Path, progress: bool | None = None) -> None:
        """Write the lesson as a teacher means it: its starting values (what Reset returns
        to) and today's data and settings; with `progress` (default: as last saved or
        opened) also the steps so far, their values and the optimizer's memory, so that
        reopening shows exactly this. Raises OSError with the reason; nothing changes then."""
        progress = self.saves_progress if progress is None else progress
        self.saved_lesson(progress).save(path)
        self.path = Path(path)
        self.saves_progress = progress
        self._set_dirty(False)
        name = Path(path).name
        if progress:
            self.message.emit(f"Saved {name} with its {self.steps_done} steps: it reopens "
                              "here, and Reset still goes to the start.")
        elif self.has_trained_values():
            self.message.emit(f"Saved {name}: the starting values and settings (Reset's "
                              "start). File → Save with progress… keeps the steps too.")
        else:
            self.message.emit(f"Saved {name}")

    def continue_with_history(self, history: History, settings_log=None) -> None:
        """Carry on from a saved history (restored work): its last row becomes the state
        shown everywhere, with its step number, and with its `settings_log` the run is
        named as it was ("SGD lr 0.1 → 0.3"). Raises ValueError if it does not fit."""
        self.trainer.adopt_history(history, settings_log)
        self.changed()

    def continue_with_values(self, values: np.ndarray) -> None:
        """Carry on from saved values without their history (a restore whose history
        was lost): at step 0 with these values; Reset still goes to the lesson's start."""
        self.trainer.set_params(values)
        self.changed()

    def mark_dirty(self) -> None:
        self._set_dirty(True)

    def set_lesson_text(self, title: str, description: str) -> bool:
        """The lesson's title and notes (Markdown), as typed; undoable. False (and
        `refused`, naming the field) if not usable: nothing changes."""
        if self._locked("notes", "The title and notes"):
            return False
        try:
            title, description = check_lesson_text(title, description)
        except LessonError as exc:
            return self._refuse(f"{exc}. The title and notes stay as they were.")
        if (title, description) != (self.lesson.title, self.lesson.description):
            new = dataclasses.replace(self.lesson, title=title, description=description)
            self.undo_stack.push(LessonCopyCommand(self, self.lesson, new,
                                                   "edit title and notes",
                                                   self.show_lesson_text))
        return True

    def show_lesson_text(self, lesson: Lesson) -> None:
        """Make `lesson` (this one with other text) current: its undo command's door."""
        self.lesson = lesson
        self.textChanged.emit()
        self.changed()

    # --- locked lessons ----------------------------------------------------------
    @property
    def lock(self) -> Lock | None:
        """What a teacher lets students see and change; None: everything."""
        return self.lesson.lock

    def shows_panel(self, panel: str) -> bool:
        """Whether the panel `panel` (an id of engine.lock.PANELS) is shown."""
        lock = self.lesson.lock
        return lock is None or lock.shows(panel)

    def may_edit_param(self, name: str) -> bool:
        lock = self.lesson.lock
        return lock is None or lock.may_edit(name)

    def may_change(self, setting: str) -> bool:
        """Whether `setting` (an id of engine.lock.EDITABLE_SETTINGS) may be changed."""
        lock = self.lesson.lock
        return lock is None or lock.may_change(setting)

    def set_lock(self, lock: Lock | None) -> bool:
        """Lock the lesson for students, change its lock, or unlock it (None): undoable,
        saved with the lesson. False (and `refused`, naming the field) if the lock names
        a panel, setting or parameter this lesson does not have: nothing changes."""
        if lock is not None:
            try:
                lock = lock_from_json(lock.to_json(), self.network)
            except LessonError as exc:
                return self._refuse(f"{exc}. The lesson's lock stays as it was.")
        old = self.lesson.lock
        if lock == old:
            return True
        text = ("unlock lesson" if lock is None else "lock lesson" if old is None
                else "change the lesson's lock")
        new = dataclasses.replace(self.lesson, lock=lock)
        self.undo_stack.push(LessonCopyCommand(self, self.lesson, new, text, self.show_lock))
        self.message.emit("Unlocked: every panel, parameter and setting is back (Ctrl+Z "
                          "locks it again)." if lock is None else
                          "Locked for students: Save keeps the lock in the lesson file; "
                          "Edit → Unlock lesson… lifts it.")
        return True

    def show_lock(self, lesson: Lesson) -> None:
        """Make `lesson` (this one with another lock) current: its undo command's door."""
        self.lesson = lesson
        self.lockChanged.emit()
        self.changed()

    def _locked(self, setting: str, what: str) -> bool:
        """True (and `refused`) when a lock keeps `setting` from students."""
        if self.may_change(setting):
            return False
        self._refuse(f"{what} is locked by the teacher (Edit → Unlock lesson… lifts the "
                     "lock).")
        return True

    def discard_unsaved(self) -> None:
        """The user chose to drop the unsaved changes (Discard at Quit): they are no longer
        work to keep, so the autosave leaves nothing on offer."""
        self._set_dirty(False)

    def rebuild(self, lesson: Lesson, text: str = "rebuild network") -> None:
        """Use a new network (the editor): undoable, and Reset then returns to it."""
        self.set_running(False)
        self._continue_from_preview()
        old = (self.lesson, self.trainer)
        self.undo_stack.push(SwapTrainerCommand(self, old, (lesson, lesson.trainer()), text))

    @property
    def start_values_drawn(self) -> tuple[str, int] | None:
        """How the lesson's starting values were drawn (scheme, seed), where it says."""
        return self.lesson.initialised

    def reinitialise(self, scheme: str, seed_text: str) -> bool:
        """New starting values from a scheme and a seed (the lesson's: Reset returns to
        them), at step 0 with today's settings; undoable. False (and `refused`) if the
        seed is not a whole number or the scheme unknown: nothing changes."""
        if self._locked("start_values", "New start values"):
            return False
        if scheme not in INIT_SCHEMES:
            return self._refuse(f"start values: {quoted(scheme)} is not one of "
                                f"{', '.join(INIT_SCHEMES)}.")
        try:
            seed = _whole(seed_text, "seed", INIT_MAX_SEED)
        except InputError as exc:
            return self._refuse(f"{exc}. The values stay as they are.")
        lesson = self.current_lesson()
        initialise(lesson.network, scheme, seed)
        lesson.initialised = (scheme, seed)  # saved with the lesson, shown by the panel
        self.rebuild(lesson, f"start values: {scheme}, seed {seed}")
        self.message.emit(f"New starting values ({INIT_SCHEMES[scheme]}, seed {seed}); "
                          "Reset returns here, Ctrl+Z goes back.")
        return True

    def build_network(self, hidden: list[Layer], output: Layer, loss: str, naming: str,
                      seed: int, data_file: str | Path | None = None) -> bool:
        """A new network from the editor (random weights from `seed`), on the data of a
        CSV file if one is given. Undoable; False (and `refused`) if it cannot be built."""
        if self._locked("network", "Building a network"):
            return False
        try:
            data = None
            if data_file is not None:
                data = load_csv(data_file, targets=self.network.sizes[-1])
            lesson = build_lesson(self.lesson, hidden, output, loss, naming, seed, data)
        except LessonError as exc:
            if data_file is not None:  # a file chosen in a dialog: answer in a dialog too
                self.problem.emit("Cannot use the data file",
                                  f"{exc}. The network and data stay as they were.")
            return self._refuse(f"{exc}. The network and data stay as they were.")
        shown_before = len(self.kept_runs)
        self.rebuild(lesson)
        # Kept runs are of their network's parameters: another network hides them (its
        # Undo brings them back), which the user must be told, not find out later.
        dropped = shown_before - len(self.kept_runs)
        undo = ("Ctrl+Z undoes it." if not dropped else
                f"The {'kept run was' if dropped == 1 else f'{dropped} kept runs were'} of "
                "the old network: Ctrl+Z brings "
                f"{'it' if dropped == 1 else 'them'} back.")
        classes = ""
        if data is not None and data.classes:
            classes = (f" {len(data.output_names or ())} classes from the file's last column"
                       + (": a softmax output with cross-entropy." if lesson.loss != loss
                          else "."))
        self.message.emit(f"Network rebuilt: {lesson.network.inputs}-"
                          f"{'-'.join(map(str, lesson.network.sizes))}, weights from seed "
                          f"{seed}.{classes} {undo}")
        return True

    def swap_in(self, lesson: Lesson, trainer: Trainer) -> None:
        """Make (lesson, trainer) the current pair: Reset, a rebuilt network and their
        Undo and Redo all come through here."""
        structure = lesson is not self.lesson
        relocked = lesson.lock != self.lesson.lock  # the undo of a rebuild's kept lock
        self.lesson, self.trainer = lesson, trainer
        if relocked:
            self.lockChanged.emit()
        self.changed(structure=structure)
        if self.selected not in self.network.index:
            self.selected = self._default_selection()
            self.selectionChanged.emit(self.selected)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirtyChanged.emit(dirty)

    # --- reading -----------------------------------------------------------------
    @property
    def network(self) -> Network:
        return self.trainer.network

    @property
    def history(self) -> History:
        """Every step so far (read only)."""
        return self.trainer.history

    @property
    def inputs(self) -> np.ndarray:
        return self.trainer.inputs

    @property
    def targets(self) -> np.ndarray:
        return self.trainer.targets

    @property
    def learning_rate(self) -> float:
        return self.trainer.learning_rate

    @property
    def loss(self) -> float:
        return self.trainer.loss

    @property
    def val_loss(self) -> float:
        """The loss over the samples held out for validation (NaN: none held out)."""
        return self.trainer.val_loss

    @property
    def batch_loss(self) -> float:
        """The loss over the next update's batch (NaN: every training sample)."""
        return self.trainer.batch_loss

    @property
    def validation(self) -> Validation:
        return self.trainer.validation

    @property
    def n_training(self) -> int:
        """How many samples training uses (all but those held out for validation)."""
        return self.trainer.n_training

    def held_out(self) -> np.ndarray:
        """The samples (from 0) held out for validation."""
        return self.trainer.held_out

    @property
    def loss_symbol(self) -> str:
        return self.trainer.loss_function.symbol

    @property
    def loss_name(self) -> str:
        return self.trainer.loss_function.name

    @property
    def steps_done(self) -> int:
        return self.trainer.steps_done

    @property
    def stop_rule(self) -> StopRule:
        return self.trainer.stop

    @property
    def trainable(self) -> list[str]:
        return self.trainer.trainable

    def first_trainable(self, count: int) -> list[str]:
        """The first `count` names of `trainable`, for a panel that shows a few."""
        return self.trainer.first_trainable(count)

    @property
    def workload(self) -> tuple[int, int]:
        """(parameters, samples): what the cost of one step depends on."""
        return len(self.network.params), len(self.trainer.inputs)

    def value(self, name: str) -> float:
        return float(self.network.params[self.network.index[name]])

    def grad(self, name: str) -> float:
        return float(self.trainer.grads[self.network.index[name]])

    def update(self, name: str | None = None) -> Update:
        """The next step of a parameter (default: the selected one) with its numbers."""
        return self.trainer.update(name or self.selected)

    def has_trained_values(self) -> bool:
        """Whether the network holds values of the user's making (steps taken or values
        typed) that a rebuild from random weights would replace."""
        return self.steps_done > 0 or not np.array_equal(self.network.params,
                                                         self.lesson.network.params)

    def is_trainable(self, name: str) -> bool:
        return bool(self.trainer.mask[self.network.index[name]])

    def converged(self) -> bool:
        return self.trainer.converged()

    def breakdown(self, name: str | None = None) -> Breakdown:
        """The chain rule of the next update's slope: over its batch's samples (every
        sample with the full batch); `batch_samples` says which. From the passes training
        computed for these values, not passes of its own."""
        t = self.trainer
        with np.errstate(all="ignore"):
            kept = t.kept_pass()
            return chain_rule_breakdown(t.network, kept.forward.inputs,
                                        t.targets[t.batch()], t.loss_function,
                                        name or self.selected, kept.forward, kept.deltas)

    def batch_samples(self) -> np.ndarray:
        """The samples (from 0) the next update's slope sums over, in the breakdown's order."""
        return self.trainer.batch()

    @property
    def batching(self) -> Batching:
        return self.trainer.batching

    def set_batching(self, size_text: str, seed_text: str | None = None) -> bool:
        """Samples per update (0 or empty: every sample; 1: one at a time) and the
        shuffle's seed, as typed. False (and `refused`) if not usable: nothing changes."""
        if self._locked("batching", "The batch size and shuffle seed"):
            return False
        now = self.trainer.batching
        try:
            size = _whole(size_text or "0", "batch size", 1_000_000)  # ≥ n: every sample
            seed = now.seed if seed_text is None else _whole(seed_text, "seed", MAX_SEED)
        except InputError as exc:
            return self._refuse(f"{exc}. Batches stay as they were.")
        chosen = Batching(0 if size >= self.n_training else size, seed)
        if chosen == now:
            return self.keep_as_is()
        text = ("every sample" if chosen.size == 0 else f"batches of {chosen.size}")
        self._edit(f"train on {text}", lambda t: t.set_batching(chosen))
        return True

    def set_validation(self, fraction_text: str, seed_text: str | None = None) -> bool:
        """Hold out a share of the samples for validation (0 or empty: none), with the
        seed that picks them, as typed; undoable. False (and `refused`) if not usable:
        it must leave at least one sample to train on and hold out at least one."""
        if self._locked("validation", "The validation split"):
            return False
        now = self.trainer.validation
        try:
            cleaned = (fraction_text or "0").strip().rstrip("%")
            fraction = parse_number(cleaned, "validation fraction")
            if (fraction_text or "").strip().endswith("%"):
                fraction /= 100
            if not 0 <= fraction < 1:
                raise InputError(f"validation fraction: {quoted(fraction_text)} must be from "
                                 "0 (none) up to, not including, 1")
            seed = now.seed if seed_text is None else _whole(seed_text, "validation seed",
                                                               VALIDATION_MAX_SEED)
        except InputError as exc:
            return self._refuse(f"{exc}. The validation split stays as it was.")
        chosen = Validation(fraction, seed)
        why = chosen.problem(len(self.inputs))
        if why is not None:
            return self._refuse(f"validation fraction: {why}. The split stays as it was.")
        if chosen == now:
            return self.keep_as_is()
        text = ("no validation" if chosen.is_none else
                f"hold out {chosen.held_out(len(self.inputs))} for validation")
        self._edit(text, lambda t: t.set_validation(chosen))
        return True

    def phases(self, sample: int = 0) -> StepPhases:
        """The next step in its four phases (forward, loss, backward, update)."""
        return step_phases(self.trainer, sample)

    @property
    def is_classifier(self) -> bool:
        """Whether the outputs are class probabilities (a cross-entropy lesson)."""
        return is_classifier(self.trainer.loss_function)

    def class_labels(self) -> tuple[str, ...]:
        return class_labels(self.network)

    def classes(self, values: np.ndarray) -> np.ndarray:
        """Each sample's class from outputs or targets (see engine.classify)."""
        return classes(values, self.network)

    def scores(self) -> Scores | None:
        """Accuracy and confusion matrix now; None unless the lesson classifies."""
        if not self.is_classifier:
            return None
        return scores(self.network, self.predictions(), self.trainer.targets)

    def curve(self, points: int = 200):
        """The network's outputs across the data's input range (one-input lessons): the
        inputs, and outputs × points."""
        x = self.trainer.inputs[:, 0]
        lo, hi = float(x.min()), float(x.max())
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        grid = np.linspace(lo - pad, hi + pad, points)[:, None]
        with np.errstate(all="ignore"):
            return grid[:, 0], self.network.predict(grid)

    def prediction_map(self, points: int = 60):
        """Two-input lessons: the network's outputs over the plane of the two inputs
        around the data. Returns (first input's values, second's, grid) with grid[j, i]
        the outputs at (xs[i], ys[j])."""
        x = self.trainer.inputs
        axes = []
        for k in range(2):
            lo, hi = float(x[:, k].min()), float(x[:, k].max())
            pad = max(0.15 * (hi - lo), 0.5 if hi == lo else 0.0)
            axes.append(np.linspace(lo - pad, hi + pad, points))
        aa, bb = np.meshgrid(*axes)
        with np.errstate(all="ignore"):
            out = self.network.predict(np.column_stack([aa.ravel(), bb.ravel()]))
        return axes[0], axes[1], out.reshape(*aa.shape, out.shape[1])

    def predictions(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.network.predict(self.trainer.inputs)

    def loss_along(self, name: str, values) -> np.ndarray:
        """The training loss as `name` takes each of `values`, every other parameter as
        it is."""
        t = self.trainer
        return loss_along(t.network, t.training_inputs, t.training_targets, t.loss_function,
                          name, values)

    def sweep_points(self, names: list[str], most: int, least: int) -> int:
        """Points per axis a sweep (one name) or grid (two) of the training loss can
        have and stay quick: `most` but on a big network (engine.landscape)."""
        t = self.trainer
        return affordable_points(t.network, len(t.training_inputs), names, most, least)

    def loss_grid(self, name_a: str, name_b: str, a_values, b_values) -> np.ndarray:
        """The training loss over a grid of two parameters (engine.landscape)."""
        t = self.trainer
        return loss_grid(t.network, t.training_inputs, t.training_targets, t.loss_function,
                         name_a, name_b, a_values, b_values)

    def gradient_check(self, names: list[str]) -> list[GradientCheckRow]:
        """Backprop beside finite differences, on the samples of the next update."""
        t = self.trainer
        samples = t.batch()
        with np.errstate(all="ignore"):
            return gradient_check(t.network, t.inputs[samples], t.targets[samples],
                                  t.loss_function, names=names)

    # --- edits -------------------------------------------------------------------
    def select(self, name: str) -> None:
        if name != self.selected and name in self.network.index:
            self.selected = name
            self.selectionChanged.emit(name)

    def set_param(self, name: str, text: str) -> bool:
        """Type a value into a parameter. False (and `refused`) if it is not usable."""
        if not self.may_edit_param(name):
            return self._refuse(f"{name} is locked by the teacher: it keeps its value "
                                f"{fmt(self.value(name))} (Edit → Unlock lesson… lifts the "
                                "lock).")
        try:
            value = parse_number(text, name)
        except InputError as exc:
            return self._refuse(f"{exc}. {name} keeps its value {fmt(self.value(name))}.")
        if value == self.value(name):
            return self.keep_as_is()
        self._edit(f"{name} = {value:g}", lambda t: t.set_param(name, value))
        return True

    def set_learning_rate(self, text: str) -> bool:
        if self._locked("learning_rate", "The learning rate"):
            return False
        try:
            rate = parse_number(text, "learning rate", positive=True)
        except InputError as exc:
            return self._refuse(f"{exc}. The learning rate stays {fmt(self.learning_rate)}.")
        if rate == self.learning_rate:
            return self.keep_as_is()
        self._edit(f"learning rate = {rate:g}", lambda t: t.set_learning_rate(rate))
        return True

    @property
    def optimizer(self) -> Optimizer:
        return self.trainer.optimizer

    def set_optimizer(self, name: str, settings: dict[str, str] | None = None) -> bool:
        """Choose the update rule, with settings typed as text (PyTorch's names; the
        others keep their values, or a new rule's defaults). False (and `refused`) if a
        setting is not usable: nothing changes."""
        if self._locked("optimizer", "The optimizer"):
            return False
        return self._choose_rule(
            "optimizer", self.trainer.optimizer, name, settings, OPTIMIZER_SETTINGS,
            lambda: DEFAULT_OPTIMIZERS[name], lambda key, text: parse_number(text, key),
            lambda t, chosen: t.set_optimizer(chosen))

    def _choose_rule(self, what: str, now, name: str, settings: dict[str, str] | None,
                     known: dict, fresh, parse, apply) -> bool:
        """set_optimizer and set_schedule: `name` (one of `known`, a fresh `fresh()` when
        it is not the rule `now`) with typed `settings` parsed by `parse(key, text)`;
        an undoable edit through `apply(trainer, chosen)` if it changes anything, else
        refused naming the setting, nothing changed."""
        if name not in known:
            return self._refuse(f"{what}: {quoted(name)} is not one of {', '.join(known)}.")
        unknown = set(settings or {}) - set(known[name])
        if unknown:
            return self._refuse(f"{name} has no setting {', '.join(sorted(unknown))}.")
        base = now if name == now.name else fresh()
        try:
            values = {key: parse(key, text) for key, text in (settings or {}).items()}
            chosen = dataclasses.replace(base, **values)
        except (InputError, ValueError, TypeError) as exc:
            return self._refuse(f"{exc}. The {what} stays {now.name}.")
        if chosen == now:
            return self.keep_as_is()
        self._edit(f"{what} {chosen.name}", lambda t: apply(t, chosen))
        return True

    # --- runs kept to compare ------------------------------------------------------
    @property
    def kept_runs(self) -> list[KeptRun]:
        """Runs kept to compare, of this network (a rebuilt one's are not shown)."""
        names = tuple(self.network.param_names)
        return [r for r in self._kept_runs if r.param_names == names]

    def current_run_description(self) -> str:
        """The run being trained in a kept run's words ("SGD lr 0.3"), telling it from
        the runs kept."""
        return current_run_description(self.trainer, self.kept_runs)

    def keep_run(self) -> bool:
        """Keep the run so far (its loss curve, its validation loss curve if it had a
        split, and its path) to compare with the next ones; undoable. False (and
        `refused`) when MAX_RUNS are kept already."""
        if self._locked("runs", "Keeping runs to compare"):
            return False
        if len(self.kept_runs) >= MAX_RUNS:
            return self._refuse(f"At most {MAX_RUNS} runs are kept to compare: forget them "
                                "first (Training panel).")
        self._leave_preview_shown()  # the whole run, not up to the step the slider shows
        run = keep_run(self.trainer, self.kept_runs)
        self.undo_stack.push(KeptRunsCommand(self, list(self._kept_runs),
                                             [*self._kept_runs, run], f"keep run: {run.name}"))
        with_validation = "" if run.val_loss is None else " (with its validation loss)"
        self.message.emit(f"Kept to compare: {run.name}{with_validation}. Change a setting, "
                          "Reset and Run again: both runs show on the loss plot and the "
                          "landscape.")
        return True

    def forget_runs(self) -> None:
        if self._kept_runs and not self._locked("runs", "Forgetting the kept runs"):
            self.undo_stack.push(KeptRunsCommand(self, list(self._kept_runs), [],
                                                 "forget kept runs"))

    def rename_run(self, index: int, text: str) -> bool:
        """Name kept run `index` (of `kept_runs`) as typed; undoable. False (and
        `refused`) for a name that cannot be used: the run keeps its name."""
        run = self._kept_run(index, "Renaming a kept run")
        if run is None:
            return False
        try:
            name = checked_name(text)
        except ValueError as exc:
            return self._refuse(f"run name: {exc}. The run stays {quoted(run.name)}.")
        if name != run.name:
            self._change_run(run, dataclasses.replace(run, name=name),
                             f"rename run {quoted(run.name)} to {quoted(name)}")
        return True

    def set_run_visible(self, index: int, visible: bool) -> bool:
        """Show or hide kept run `index` on the loss plot and the landscape; undoable."""
        run = self._kept_run(index, f"{'Showing' if visible else 'Hiding'} a kept run")
        if run is None:
            return False
        if visible != run.visible:
            self._change_run(run, dataclasses.replace(run, visible=visible),
                             f"{'show' if visible else 'hide'} run {quoted(run.name)}")
        return True

    def remove_run(self, index: int) -> bool:
        """Forget kept run `index` alone; undoable."""
        run = self._kept_run(index, "Removing a kept run")
        if run is None:
            return False
        self._change_run(run, None, f"remove run {quoted(run.name)}")
        return True

    def _kept_run(self, index: int, what: str) -> KeptRun | None:
        """Kept run `index` for `what` to change; None (and `refused`) when there is no
        such run or a lock keeps the runs from students."""
        if self._locked("runs", what):
            return None
        runs = self.kept_runs
        if not 0 <= index < len(runs):
            self._refuse(f"There is no kept run {index + 1} (there are {len(runs)}).")
            return None
        return runs[index]

    def _change_run(self, old: KeptRun, new: KeptRun | None, text: str) -> None:
        """Replace kept run `old` by `new` (None: remove it), undoably."""
        after = [new if r is old else r for r in self._kept_runs]
        self.undo_stack.push(KeptRunsCommand(self, list(self._kept_runs),
                                             [r for r in after if r is not None], text))

    def show_kept_runs(self, runs: list[KeptRun]) -> None:
        """The undo commands' way in: these runs are the kept ones now. As every undo
        command, it leaves a preview of the history slider first."""
        self._leave_preview_shown()
        self._kept_runs = list(runs)
        self._set_dirty(True)
        self.runsChanged.emit()

    @property
    def schedule(self) -> Schedule:
        return self.trainer.schedule

    def set_schedule(self, name: str, settings: dict[str, str] | None = None) -> bool:
        """Choose the learning rate's schedule (torch.optim.lr_scheduler's names), settings
        typed as text. False (and `refused`) if unusable: nothing changes."""
        if self._locked("schedule", "The learning-rate schedule"):
            return False
        return self._choose_rule(
            "schedule", self.trainer.schedule, name, settings, SCHEDULE_SETTINGS,
            lambda: Schedule(name),
            lambda key, text: (_whole(text, key, 10**9) if key in ("step_size", "T_max")
                               else parse_number(text, key)),
            lambda t, chosen: t.set_schedule(chosen))

    def set_trainable(self, name: str, on: bool) -> bool:
        """Train `name` or leave it alone; False (and `refused`) under a lock."""
        if self._locked("trainable", "Which parameters train"):
            return False
        names = set(self.trainer.trainable)
        names = names | {name} if on else names - {name}
        self._edit(f"{'train' if on else 'freeze'} {name}", lambda t: t.set_trainable(names))
        return True

    def set_data(self, inputs: np.ndarray, targets: np.ndarray) -> bool:
        """New samples (inputs and targets, one row each). False (and `refused`) if they
        cannot be used; the data stay as they were."""
        if self._locked("data", "The data"):
            return False
        inputs, targets = np.array(inputs, float), np.array(targets, float)
        if len(inputs) == 0:
            return self._refuse("The data set needs at least one sample; it stays as it was.")
        if inputs.shape != (len(inputs), self.network.inputs) \
                or targets.shape != (len(inputs), self.network.sizes[-1]):
            return self._refuse("Each sample needs one value per input and per output; the "
                                "data stay as they were.")
        if not (np.isfinite(inputs).all() and np.isfinite(targets).all()):
            return self._refuse("Every input and target must be a finite number; the data "
                                "stay as they were.")
        try:
            check_size(len(self.network.params), len(inputs), "The data")
        except LessonError as exc:
            return self._refuse(f"{exc}; the data stay as they were.")
        why = self.validation.problem(len(inputs))
        if why is not None:
            return self._refuse(f"The validation split: {why}; set its fraction to 0 "
                                "first. The data stay as they were.")
        try:
            check_targets(self.loss_name, targets)
        except LessonError as exc:
            sample = re.search(r"targets\[(\d+)\]", str(exc))
            where = f"Sample {int(sample.group(1)) + 1}" if sample else "The targets"
            return self._refuse(f"{where}: {str(exc).split(': ', 1)[-1]}; the data stay as "
                                "they were.")
        inputs.flags.writeable = targets.flags.writeable = False
        self._edit("edit data", lambda t: t.set_data(inputs, targets))
        return True

    def set_sample_value(self, row: int, column: int, text: str) -> bool:
        """Type one cell of the data: columns are the inputs, then the targets."""
        table = np.hstack([self.trainer.inputs, self.trainer.targets])
        try:
            value = parse_number(text, self.data_column_names()[column])
        except InputError as exc:
            return self._refuse(f"{exc}. The data stay as they were.")
        if table[row, column] == value and self.may_change("data"):
            # A cell opened and left as it was (its editor commits on losing the focus):
            # no edit, so no undo step and the steps taken are kept. (Locked data goes on
            # to the refusal, which says why the cell does not open.)
            return self.keep_as_is()
        table[row, column] = value
        return self._set_table(table)

    def add_sample(self) -> bool:
        """A copy of the last sample, to edit."""
        table = np.hstack([self.trainer.inputs, self.trainer.targets])
        return self._set_table(np.vstack([table, table[-1:]]))

    def remove_samples(self, rows: list[int]) -> bool:
        table = np.hstack([self.trainer.inputs, self.trainer.targets])
        return self._set_table(np.delete(table, rows, axis=0))

    def data_column_names(self) -> list[str]:
        net = self.network
        outputs = net.output_names or [observed_name(net, k) for k in range(net.sizes[-1])]
        return [*net.names.inputs, *outputs]

    def _set_table(self, table: np.ndarray) -> bool:
        n_in = self.network.inputs
        return self.set_data(table[:, :n_in], table[:, n_in:])

    def _edit(self, text: str, change) -> None:
        self._continue_from_preview()
        before = SettingsState(self.trainer)
        change(self.trainer)
        self.undo_stack.push(EditCommand(self, before, SettingsState(self.trainer), text))
        self.changed()

    def _refuse(self, reason: str) -> bool:
        self._refusal_stands = True
        self.refused.emit(f"Refused — {reason}")
        return False

    def keep_as_is(self) -> bool:
        """A value confirmed as it stands (Enter on a field that shows it, or typed again):
        nothing changes, so no undo step and nothing unsaved; but the input was good, so a
        refusal of an earlier typing goes. True, as a command that worked."""
        self._withdraw_refusal()
        return True

    def _withdraw_refusal(self) -> None:
        """A refusal's words stand until its cause is gone: a change that works, or the
        mode it named (quiz, Run) left. Then `refusalWithdrawn`."""
        if self._refusal_stands:
            self._refusal_stands = False
            self.refusalWithdrawn.emit()

    def notify(self, text: str) -> None:
        """A sentence for the status bar (a panel's news that changes nothing)."""
        self.message.emit(text)

    def refuse(self, reason: str) -> None:
        """Say that something asked for was not done, and why."""
        self._refuse(reason)

    def changed(self, structure: bool = False) -> None:
        """Every change ends here: mark unsaved and tell the panels."""
        self._set_dirty(True)
        self._withdraw_refusal()
        if structure:
            self.lessonChanged.emit()
        self.stateChanged.emit()

    # --- modes -------------------------------------------------------------------
    def set_quiz(self, on: bool) -> None:
        """Quiz mode: every panel hides the numbers that answer the next step."""
        if on != self.quiz_active:
            self.quiz_active = on
            self._withdraw_refusal()  # "leave quiz mode first" is answered
            self.quizChanged.emit(on)

    def request_flow(self) -> None:
        """Ask the diagram to animate the next step (not during Run or a quiz)."""
        if self.running:
            self.refuse("Pause Run first: the flow shows one step at a time.")
        elif self.quiz_active:
            self.refuse("The flow shows the answers: leave quiz mode first (F6).")
        else:
            self.flowRequested.emit()

    def request_phase(self) -> None:
        """Ask the diagram for the next phase of the next step (forward, loss, backward,
        update: the fourth takes the step)."""
        if self.running:
            self.refuse("Pause Run first: a step's phases are shown one step at a time.")
        elif self.quiz_active:
            self.refuse("The phases show the answers: leave quiz mode first (F6).")
        else:
            self.phaseRequested.emit()

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

    def say_undone(self, redone: bool = False) -> None:
        """Word for the status bar after Undo (or Redo) moved the stack: what it undid.
        Without it the last message stayed, e.g. "Network rebuilt … Ctrl+Z undoes it"
        after the rebuild was undone."""
        stack = self.undo_stack
        k = stack.index() - 1 if redone else stack.index()
        if 0 <= k < stack.count():
            what = stack.command(k).actionText()
            self.message.emit(f"Redone: {what}." if redone else
                              f"Undone: {what}. Ctrl+Shift+Z redoes it.")

    def leave_preview(self) -> None:
        """Put back the steps the history slider set aside, without a command: Undo and
        Redo start from the state at their position on the stack, not from the step
        the slider shows (undoing "step 3" from a preview of step 1 must not rewind the
        preview). Every undo command calls this first."""
        if self._preview_tail is not None:
            self.trainer.restore(self._preview_tail)
            self._preview_tail = None

    def _leave_preview_shown(self) -> None:
        """leave_preview, and tell the panels if there was one."""
        if self.previewing:
            self.leave_preview()
            self.stateChanged.emit()

    def last_step(self) -> int:
        """The newest step, counting steps set aside by the history slider."""
        if self._preview_tail is not None and self._preview_tail.last_step is not None:
            return self._preview_tail.last_step
        return self.trainer.steps_done

    def _continue_from_preview(self) -> None:
        if self._preview_tail is None:
            return
        tail, self._preview_tail = self._preview_tail, None
        at, dropped = self.trainer.steps_done, len(tail) - 1  # the first is step `at`
        self.undo_stack.push(RewindCommand(self, at, f"continue from step {at}", tail))
        self.message.emit(f"Continuing from step {at}: the {dropped} later step"
                          f"{'s' if dropped != 1 else ''} were set aside (Ctrl+Z brings "
                          "them back).")

    # --- training ----------------------------------------------------------------
    def step(self) -> StopReason | None:
        """One gradient-descent step (pauses Run first)."""
        self.set_running(False)
        self._continue_from_preview()
        start = self.trainer.steps_done
        reason = self.trainer.step()
        if self.trainer.steps_done > start:
            self.undo_stack.push(TrainingCommand(self, start, f"step {start + 1}"))
        self.finish_training(reason)
        return reason

    def advance(self, steps: int) -> StopReason | None:
        """Up to `steps` steps of Run with the lesson's stop rule, telling no one yet (the
        Runner calls this several times a frame, then `finish_training` once). Returns
        why it stopped early, or None."""
        t = self.trainer
        remaining = t.stop.max_steps - t.steps_done
        if remaining <= 0:
            return StopReason.MAX_STEPS
        reason = t.run(min(steps, remaining))
        if reason is StopReason.STEPS_DONE:
            return StopReason.MAX_STEPS if t.steps_done >= t.stop.max_steps else None
        return reason

    def finish_training(self, reason: StopReason | None) -> None:
        """After steps were taken: tell the panels, stop Run with the reason if training
        stopped by itself, and warn (once a streak) when the loss keeps growing."""
        self.changed()
        if reason in (StopReason.DIVERGED, StopReason.CONVERGED, StopReason.MAX_STEPS):
            self.set_running(False)
            self.message.emit(stop_sentence(reason, self.trainer.steps_done, self.trainer.stop))
        t = self.trainer
        every = 1 if t.batching.is_full(t.n_training) else t.batching.per_epoch(t.n_training)
        rises = rises_at_end(t.history.loss, every=every)
        if rises < RISES_BEFORE_WARNING:
            self._growth_warned = False
        elif not self._growth_warned and reason is not StopReason.DIVERGED:
            self._growth_warned = True
            self.warning.emit(growth_sentence(rises, t.learning_rate,
                                              "steps" if every == 1 else "epochs"))

    def set_running(self, running: bool) -> None:
        if running == self.running:
            return
        if running:
            if self.trainer.converged():
                self.message.emit(
                    "The stop rule already holds: every step size is below "
                    f"{self.trainer.stop.min_step_size:g}. Step still takes single steps.")
                self.runningChanged.emit(False)  # a Run button that was pressed pops out
                return
            self._continue_from_preview()
            self._run_start = self.trainer.steps_done
        elif self._run_start is not None:
            start, self._run_start = self._run_start, None
            if self.trainer.steps_done > start:
                self.undo_stack.push(TrainingCommand(
                    self, start, f"run steps {start + 1}–{self.trainer.steps_done}"))
        self.running = running
        self._withdraw_refusal()  # "Pause Run first" is answered
        self.runningChanged.emit(running)
        if not running:
            self.stateChanged.emit()  # panels that redraw less often in Run catch up now

    def reset(self) -> None:
        """Back to the lesson's starting values at step 0, with today's settings (learning
        rate, optimizer, batches, schedule, trainable set, data): change one, Reset and
        Run again to compare from the same start."""
        self.set_running(False)
        self._continue_from_preview()
        today = self.current_lesson()
        today.network.set_params(self.lesson.network.params)
        self.undo_stack.push(SwapTrainerCommand(self, (self.lesson, self.trainer),
                                                (self.lesson, today.trainer()), "reset"))
        self.message.emit("Reset to the lesson's starting values, with today's settings "
                          "(Ctrl+Z undoes it).")


def lesson_file(name_or_path) -> Path | None:
    """The file a lesson came from (Save writes back to it); None for a preset, which
    `open_lesson` tells apart the same way."""
    if name_or_path is None or str(name_or_path) in PRESETS:
        return None
    return Path(name_or_path)


def session_for(lesson_name_or_path) -> Session:
    return Session(open_lesson(lesson_name_or_path), lesson_file(lesson_name_or_path))


__all__ = ["InputError", "LessonError", "Session", "parse_number", "session_for"]
