"""Lessons: a network, its values, data, loss, learning rate, trainable set and stop rule,
saved as JSON. Loading checks everything and names the faulty field in one error type."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.activations import ACTIVATIONS
from engine.batching import MAX_SEED, Batching
from engine.files import write_text_atomically
from engine.initialise import MAX_SEED as INIT_MAX_SEED
from engine.initialise import SCHEMES as INIT_SCHEMES
from engine.lock import EDITABLE_SETTINGS, PANELS, Lock, in_order
from engine.losses import LOSSES
from engine.naming import NAMINGS
from engine.network import Layer, Network
from engine.optimizers import OPTIMIZERS, SETTINGS, STATE_NAMES, Optimizer
from engine.runs import MAX_RUN_ROWS, MAX_RUNS, KeptRun, checked_name
from engine.schedules import SCHEDULE_SETTINGS, SCHEDULES, Schedule
from engine.text import one_line, shown, unshowable
from engine.training import (
    History,
    HistoryRows,
    StopRule,
    Trainer,
    TrainingSettings,
    even_rows,
)
from engine.validation import MAX_SEED as VALIDATION_MAX_SEED
from engine.validation import Validation

FORMAT = "backprop-lab.lesson"
# Version 2 adds "progress" (the values and steps reached), version 3 "lock" (what students
# may see and change). A file is written with the lowest version its keys need, so an
# older app opens every file that does not need a newer key, and refuses a locked lesson
# (which it would open unlocked) saying it is from a newer app.
VERSION = 3
# Limits that keep a lesson something a window can draw and a student can follow.
MAX_INPUTS, MAX_LAYERS, MAX_NEURONS = 64, 9, 256
# What the app handles, measured (bench/big_lessons.py writes the lessons at the limits):
# 64 inputs, 8x256 tanh and 100,000 samples (477,000 parameters) took 10 s to load,
# 77 s for `trace --steps 3` and 5 minutes at 8.9 GB to open. A step costs about
# parameters x samples, so that product is capped too: 1-256-256-1 (66,561 parameters)
# on 1,500 samples, or 1-64-64-1 on 10,000, step in a few tens of milliseconds.
MAX_SAMPLES = 10_000
MAX_PARAMETERS = 70_000
MAX_WORK = 100_000_000  # parameters x samples
MAX_FILE_BYTES = 50 * 1024 * 1024
# Numbers a saved run keeps at most: about 25 MB of JSON, inside MAX_FILE_BYTES, so every
# file Save with progress writes opens again.
MAX_PROGRESS_NUMBERS = 1_200_000
# Numbers each run kept to compare keeps in a file (four: about 12 MB more).
MAX_RUN_NUMBERS = 150_000


class LessonError(ValueError):
    """A lesson that cannot be used; the message names the field and what is wrong."""


@dataclass
class Lesson:
    title: str
    network: Network
    inputs: np.ndarray  # samples × inputs
    targets: np.ndarray  # samples × outputs
    loss: str = "ssr"
    learning_rate: float = 0.1
    trainable: tuple[str, ...] | None = None  # None: every parameter
    stop: StopRule = field(default_factory=StopRule)
    description: str = ""
    optimizer: Optimizer = field(default_factory=Optimizer)
    batching: Batching = field(default_factory=Batching)
    schedule: Schedule = field(default_factory=Schedule)
    # Where a saved run had got to ("Save with progress"): its step history, whose last row
    # holds the current values and the optimizer's memory. `network` stays the start.
    progress: HistoryRows | None = None
    # A locked lesson: the panels, parameters and settings students get (None: all).
    lock: Lock | None = None
    validation: Validation = field(default_factory=Validation)
    runs: tuple[KeptRun, ...] = ()  # kept to compare (their names, and which are shown)
    # How the starting values were drawn, where the lesson says: (scheme, seed)
    initialised: tuple[str, int] | None = None

    def trainer(self) -> Trainer:
        """A fresh trainer on a copy of this lesson's starting values (Reset)."""
        return Trainer(self.network.copy(), self.inputs, self.targets, self.loss,
                       self.learning_rate, self.trainable, self.stop,
                       None if self.optimizer.is_plain else self.optimizer, self.batching,
                       self.schedule, self.validation)

    def trainer_with_progress(self) -> Trainer:
        """A trainer where the saved run left off (its steps, values and the optimizer's
        memory), or at the start when the lesson holds no progress."""
        trainer = self.trainer()
        if self.progress is not None:
            p = self.progress
            trainer.adopt_history(History.from_rows(p, optimizer_from=p.optimizer_from or 0),
                                  p.settings_log)
        return trainer

    def to_dict(self, runs: bool = True) -> dict:
        """The file's dict; without `runs`, the kept runs are left out (a lesson made
        again from it for its settings needs none, and a wide network's are large)."""
        return joined(*self.to_parts(runs))

    def to_parts(self, runs: bool = True) -> tuple[dict, dict[str, np.ndarray]]:
        """`to_dict` in two halves: the file's dict without its arrays of numbers (each
        layer's weights and biases, the data, the kept runs' rows) and those arrays by
        name, which `joined` puts back in their places. An autosave writes the arrays
        as binary: 66,561 parameters as lists of Python floats took ~200 ms to make."""
        net = self.network
        out: dict[str, Any] = {
            "format": FORMAT, "version": 1,
            "title": self.title,
            "description": self.description, "inputs": net.inputs,
            "layers": [{"neurons": ly.neurons, "activation": ly.activation, "bias": ly.bias}
                       for ly in net.layers],
            "weights": None, "biases": None,  # (arrays) here, in the file's order
            "naming": net.naming, "loss": self.loss,
            **({"input_names": list(net.input_names)} if net.input_names else {}),
            **({"output_names": list(net.output_names)} if net.output_names else {}),
            "data": None,
            "learning_rate": self.learning_rate,
            "stop": {"min_step_size": self.stop.min_step_size, "max_steps": self.stop.max_steps},
        }
        arrays: dict[str, np.ndarray] = {}
        for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            arrays[f"weights.{k}"] = w
            arrays[f"biases.{k}"] = np.empty(0) if b is None else b
        arrays["data.inputs"], arrays["data.targets"] = self.inputs, self.targets
        if self.trainable is not None:
            out["trainable"] = list(self.trainable)
        if not self.optimizer.is_plain:
            out["optimizer"] = _optimizer_json(self.optimizer)
        if self.batching != Batching():
            out["batching"] = _batching_json(self.batching)
        if not self.schedule.is_constant:
            out["schedule"] = _schedule_json(self.schedule)
        if not self.validation.is_none:
            out["validation"] = _validation_json(self.validation)
        if self.initialised is not None:
            out["initialised"] = {"scheme": self.initialised[0], "seed": self.initialised[1]}
        if self.progress is not None:
            out["progress"] = _progress_json(self.progress)
        if self.lock is not None:
            out["lock"] = self.lock.to_json()
        if runs and self.runs:
            out["runs"] = [{"name": run.name, "visible": run.visible} for run in self.runs]
            for k, run in enumerate(self.runs):
                for key, column in _run_rows(run).items():
                    arrays[f"runs.{k}.{key}"] = column
        return _versioned(out), arrays

    def as_trained_by(self, trainer: Trainer) -> Lesson:
        """This lesson with the trainer's current values, data, learning rate and
        trainable set: the lesson as it stands now (checked like a loaded file)."""
        return self.with_state(trained_state(trainer))

    def with_state(self, state: dict) -> Lesson:
        """This lesson with a `trained_state` put in, checked like a loaded file. Reads
        nothing that training changes, so it may run on another thread."""
        data = self.to_dict(runs=False)
        data.pop("progress", None)  # the state is the run's now: no saved run in it
        data.update(state["values"])
        data["data"] = {"inputs": state["inputs"].tolist(), "targets": state["targets"].tolist()}
        _put_settings(data, state)
        return dataclasses.replace(lesson_from_dict(_versioned(data), "current lesson"),
                                   runs=self.runs)

    def parts_with(self, settings: dict) -> tuple[dict, dict[str, np.ndarray]]:
        """This lesson's starting values (what Reset returns to) and kept runs with a
        trainer's data and settings (`trained_settings`), as `to_parts` gives them and
        not checked: the app's own lesson, for its autosave (checking a 66,561-parameter
        lesson held Python's lock ~200 ms every 2 s of a Run). `lesson_from_parts`
        checks it when it is read back."""
        data, arrays = self.to_parts()
        data.pop("progress", None)  # the trainer's history is saved beside it
        arrays["data.inputs"], arrays["data.targets"] = settings["inputs"], settings["targets"]
        _put_settings(data, settings)
        return _versioned(data), arrays

    def as_set_by(self, trainer: Trainer, progress: bool = False) -> Lesson:
        """What Save writes: this lesson's starting values (what Reset returns to) with the
        trainer's data and settings; with `progress`, also the trainer's steps so far
        (thinned evenly to at most MAX_PROGRESS_NUMBERS numbers, the newest row kept)."""
        data = self._settings_of(trainer)
        if progress:
            hist = trainer.history
            width = 3 * len(trainer.network.params) + hist.state.shape[1] + 2
            rows = hist.rows(even_rows(len(hist), max(2, MAX_PROGRESS_NUMBERS // width)))
            data["progress"] = _progress_json(
                dataclasses.replace(rows, optimizer_from=trainer.optimizer_from,
                                    settings_log=trainer.settings_log))
        return lesson_from_dict(_versioned(data), "current lesson")

    def _settings_of(self, trainer: Trainer) -> dict:
        """This lesson as a file's dict, with the trainer's data and settings and no
        progress."""
        data = self.to_dict(runs=False)
        data.pop("progress", None)
        data["data"] = {"inputs": trainer.inputs.tolist(), "targets": trainer.targets.tolist()}
        _put_settings(data, trained_settings(trainer))
        return data

    def save(self, path: str | Path) -> None:
        write_text_atomically(path, json.dumps(self.to_dict(), indent=2) + "\n")


def _versioned(data: dict) -> dict:
    """`data` marked with the lowest format version that has every key it holds."""
    data["version"] = 3 if "lock" in data else 2 if "progress" in data else 1
    return data


def _put_settings(data: dict, settings: dict) -> None:
    """Put a trainer's learning rate and settings (`trained_settings`) in a file's dict."""
    data["learning_rate"] = settings["learning_rate"]
    for key in ("optimizer", "batching", "schedule", "trainable", "validation"):
        data.pop(key, None)
        if settings.get(key) is not None:
            data[key] = settings[key]


def joined(data: dict, arrays: dict[str, np.ndarray]) -> dict:
    """A file's dict from the halves `Lesson.to_parts` gives: each array back in its
    place as lists. An array missing is None there, and one of another shape or kind
    lists that a file could hold, for `lesson_from_dict` to refuse naming the field."""
    out = dict(data)
    layers = out.get("layers")
    count = len(layers) if isinstance(layers, list) else 0
    out["weights"] = [_listed(arrays, f"weights.{k}") for k in range(count)]
    out["biases"] = [_listed(arrays, f"biases.{k}") for k in range(count)]
    out["data"] = {key: _listed(arrays, f"data.{key}") for key in ("inputs", "targets")}
    runs = out.get("runs")
    if isinstance(runs, list):
        out["runs"] = [{**run, **_run_columns(arrays, k)} if isinstance(run, dict) else run
                       for k, run in enumerate(runs)]
    return out


def _run_columns(arrays: dict[str, np.ndarray], k: int) -> dict:
    """Run k's columns from an autosave's arrays, as its file would hold them: a missing
    one None, validation losses (when kept) null where NaN."""
    columns = {key: _listed(arrays, f"runs.{k}.{key}") for key in RUN_COLUMNS}
    val_loss = arrays.get(f"runs.{k}.val_loss")
    if val_loss is not None:
        columns["val_loss"] = _saved_losses(val_loss)
    return columns


def _listed(arrays: dict[str, np.ndarray], key: str) -> Any:
    """An array as a file's lists (None when missing)."""
    return arrays[key].tolist() if key in arrays else None


def _saved_losses(array: np.ndarray) -> Any:
    """A saved column of losses as a file writes it, NaN as null. Anything but a column
    of real numbers (another dimension, text, complex...) as its lists, for `_runs` to
    refuse naming the field as it refuses one in a file, not taken for numbers here."""
    if array.ndim == 1 and array.dtype.kind in "fiu":
        return _losses_json(array)
    return array.tolist()


def lesson_from_parts(data, arrays: dict[str, np.ndarray], source: str = "lesson") -> Lesson:
    """A lesson from the halves `Lesson.to_parts` gives (as an autosave reads them back),
    checked like a loaded file: raises LessonError naming the field."""
    if not isinstance(data, dict):
        _fail(source, "expected a JSON object at the top level")
    return lesson_from_dict(joined(data, arrays), source)


def trained_settings(trainer: Trainer) -> dict:
    """What a lesson takes from its trainer but its values, copied now: the data (arrays
    never changed in place) and the settings. For `Lesson.parts_with`."""
    trainable = trainer.trainable
    return {
        "inputs": trainer.inputs, "targets": trainer.targets,
        "learning_rate": trainer.learning_rate,
        "optimizer": None if trainer.optimizer.is_plain else _optimizer_json(trainer.optimizer),
        "batching": None if trainer.batching == Batching() else _batching_json(trainer.batching),
        "schedule": None if trainer.schedule.is_constant else _schedule_json(trainer.schedule),
        "trainable": list(trainable) if len(trainable) != len(trainer.network.param_names)
        else None,
        "validation": None if trainer.validation.is_none
        else _validation_json(trainer.validation),
    }


def trained_state(trainer: Trainer) -> dict:
    """What a lesson takes from its trainer, copied now (a few ms): the values as lists,
    the data and the settings. For `Lesson.with_state`."""
    return {"values": trainer.network.values_json(), **trained_settings(trainer)}


# --- loading -----------------------------------------------------------------------
def load_lesson(path: str | Path) -> Lesson:
    path = Path(path)
    return lesson_from_json(read_user_file(path, MAX_FILE_BYTES), source=one_line(path.name, 60))


def read_user_file(path: Path, limit: int, encoding: str = "utf-8") -> str:
    """The text of a file someone chose (a lesson, a CSV), refused with a LessonError
    naming the file: not a regular file (by its type, before opening), over `limit`
    bytes (by its size, before reading), unreadable or not text."""
    name = one_line(path.name, 60)
    try:
        _check_regular(os.stat(path), name, limit)
        # Non-blocking: should a FIFO take the file's place after the check, opening it
        # must not wait for a writer. fstat then checks what was really opened.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            _check_regular(os.fstat(f.fileno()), name, limit)
            # At most one byte past the cap: a file that grew after the check is still
            # refused without reading it all.
            raw = f.read(limit + 1)
        if len(raw) > limit:
            _too_big(name, len(raw), limit)
        return raw.decode(encoding)
    except LessonError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, bad UTF-8
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise LessonError(f"{name}: cannot read the file ({one_line(str(reason), 80)})") \
            from None


def _too_big(name: str, size: int, limit: int):
    raise LessonError(f"{name}: the file is {size / 2**20:.0f} MB; at most "
                      f"{limit // 2**20} MB can be read")


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe, a FIFO"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"))


def _check_regular(status: os.stat_result, name: str, limit: int) -> None:
    """Refuse what is not a plain file by its type, and a file over the cap by its size,
    before reading: a FIFO would wait for a writer forever, /dev/zero never ends, a
    folder cannot be read."""
    mode = status.st_mode
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _KINDS if test(mode)), "a special file")
        raise LessonError(f"{name}: not a regular file ({kind})")
    if status.st_size > limit:
        _too_big(name, status.st_size, limit)


def lesson_from_json(text: str, source: str = "lesson") -> Lesson:
    if not text.strip():
        raise LessonError(f"{source}: the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LessonError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): "
                          f"{exc.msg}") from None
    except RecursionError:
        raise LessonError(f"{source}: not valid JSON: nested too deeply") from None
    except ValueError:  # Python reads whole numbers of at most 4,300 digits
        raise LessonError(f"{source}: a number in the file is too long to read (thousands "
                          "of digits)") from None
    try:
        return lesson_from_dict(data, source)
    except LessonError as exc:
        # A field's message names the file too, as a broken file's does ("week3.json:
        # weights[0]: …"): a tester read "weights[0]: expected a list of 2 rows" alone.
        if source == "lesson" or str(exc).startswith(f"{source}:"):
            raise
        raise LessonError(f"{source}: {exc}") from None


def check_size(parameters: int, samples: int = 1, source: str | None = None) -> None:
    """Refuse a network or data set past what the app handles (MAX_PARAMETERS, MAX_WORK),
    naming the field; one rule for lesson files, the editor and CSV data."""
    if parameters > MAX_PARAMETERS:
        where = source or "layers"
        _fail(where, f"{parameters:,} parameters; at most {MAX_PARAMETERS:,} (fewer or "
                     "smaller layers)")
    if parameters * samples > MAX_WORK:
        where = source or "data"
        _fail(where, f"{samples:,} samples for {parameters:,} parameters; at most "
                     f"{MAX_WORK // parameters:,} samples for this network (a step's work "
                     f"grows with both)")


def _fail(where: str, what: str):
    raise LessonError(f"{where}: {what}")


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(where, f"expected a number, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:  # a whole number of 400 digits
        _fail(where, f"{shown(value)} is not a finite number (floats stop near 1.8e308)")
    if not math.isfinite(number):
        _fail(where, f"must be a finite number, not {shown(value)}")
    return number


def _integer(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, f"expected a whole number, got {shown(value)}")
    if not low <= value <= high:
        _fail(where, f"must be from {low} to {high}, not {shown(value)}")
    return value


def _matrix(value, where: str, rows: int, cols: int) -> np.ndarray:
    if not isinstance(value, list) or len(value) != rows:
        _fail(where, f"expected a list of {rows} rows")
    out = np.empty((rows, cols))
    for r, row in enumerate(value):
        if not isinstance(row, list) or len(row) != cols:
            _fail(f"{where}[{r}]", f"expected a list of {cols} numbers")
        for c, v in enumerate(row):
            out[r, c] = _number(v, f"{where}[{r}][{c}]")
    return out


def _choice(value, options, where: str, what: str) -> str:
    if not isinstance(value, str) or value not in options:
        _fail(where, f"unknown {what} {shown(value)} (choose from {', '.join(options)})")
    return value


def _get(data: dict, key: str, where: str = ""):
    if key not in data:
        _fail(f"{where}{key}", "missing")
    return data[key]


MAX_TITLE = 200  # characters: a title is one line in the window's title bar and a heading


def _text(value, where: str, limit: int | None = None, allowed: str = "") -> str:
    """Text that prints, saves and exports anywhere: on one line unless `allowed` lets
    in line breaks, with no control characters or lone surrogates (they break a
    terminal's line or cannot be encoded in a worksheet at all)."""
    if not isinstance(value, str):
        _fail(where, f"expected text, got {shown(value)}")
    bad = unshowable(value, allowed)
    if bad is not None:
        _fail(where, f"must be printable text{' on one line' if not allowed else ''} "
                     f"(character {bad + 1} is {ascii(value[bad])[1:-1]})")
    if limit is not None and len(value) > limit:
        _fail(where, f"at most {limit} characters, not {len(value)}")
    return value


def check_lesson_text(title: str, description: str) -> tuple[str, str]:
    """A title and notes as a teacher typed them, checked as a file's are: the title on
    one line (spaces around it dropped, not empty), the notes printable Markdown. Raises
    LessonError naming the field."""
    title = _text(title, "title", MAX_TITLE).strip()
    if not title:
        _fail("title", "must not be empty (it names the lesson in the title bar)")
    return title, _text(description, "description", allowed="\n\r\t")


MAX_NAME = 24  # characters of an input's or output's name: it labels a diagram node


def _names(value, where: str, count: int) -> tuple[str, ...] | None:
    """Optional names for the inputs or outputs: distinct one-line texts, one each."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != count:
        _fail(where, f"expected a list of {count} names")
    for k, name in enumerate(value):
        if not isinstance(name, str) or not name.strip() or not name.isprintable():
            _fail(f"{where}[{k}]", "expected a name on one line")
        if len(name) > MAX_NAME:
            _fail(f"{where}[{k}]", f"at most {MAX_NAME} characters")
    if len(set(value)) != len(value):
        _fail(where, "each name must differ from the others")
    return tuple(value)


def check_targets(loss: str, y: np.ndarray) -> None:
    """Targets a loss can use: a cross-entropy's are probabilities, and a softmax's one
    distribution per sample. Raises LessonError naming the first bad sample."""
    needs = LOSSES[loss].output_activation
    if needs is not None:
        _check_probabilities(y, needs == "softmax")


def _check_probabilities(y: np.ndarray, one_class_each: bool) -> None:
    bad = np.flatnonzero(((y < 0) | (y > 1)).any(axis=1))
    if bad.size:
        _fail(f"data.targets[{bad[0]}]", "cross-entropy targets are probabilities, "
                                         "from 0 to 1")
    if one_class_each:
        off = np.flatnonzero(np.abs(y.sum(axis=1) - 1.0) > 1e-6)
        if off.size:
            _fail(f"data.targets[{off[0]}]", "a softmax's targets are class probabilities "
                                             "that sum to 1 (one-hot: a 1 for the class)")


def lesson_from_dict(data, source: str = "lesson") -> Lesson:
    if not isinstance(data, dict):
        _fail(source, "expected a JSON object at the top level")
    if data.get("format") != FORMAT:
        _fail("format", f'must be "{FORMAT}"')
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        _fail("version", f"the file is format version {shown(version)}, from a newer Backprop Lab; "
                         f"this app reads versions 1 to {VERSION} (update the app to open it)")
    if version not in range(1, VERSION + 1) or isinstance(version, bool):
        _fail("version", f"this app reads versions 1 to {VERSION}, not {shown(version)}")
    title = _text(_get(data, "title"), "title", MAX_TITLE)
    description = _text(data.get("description", ""), "description", allowed="\n\r\t")
    n_in = _integer(_get(data, "inputs"), "inputs", 1, MAX_INPUTS)

    raw_layers = _get(data, "layers")
    if not isinstance(raw_layers, list) or not 1 <= len(raw_layers) <= MAX_LAYERS:
        _fail("layers", f"expected a list of 1 to {MAX_LAYERS} layers")
    layers = []
    for k, ly in enumerate(raw_layers):
        where = f"layers[{k}]"
        if not isinstance(ly, dict):
            _fail(where, "expected an object")
        neurons = _integer(_get(ly, "neurons", f"{where}."), f"{where}.neurons", 1, MAX_NEURONS)
        act = _choice(ly.get("activation", "identity"), ACTIVATIONS, f"{where}.activation",
                      "activation")
        bias = ly.get("bias", True)
        if not isinstance(bias, bool):
            _fail(f"{where}.bias", "expected true or false")
        layers.append(Layer(neurons, act, bias))

    for k, ly in enumerate(layers):
        if ly.activation == "softmax" and k < len(layers) - 1:
            _fail(f"layers[{k}].activation", "softmax is for the output layer only")
    if layers[-1].activation == "softmax" and layers[-1].neurons < 2:
        _fail(f"layers[{len(layers) - 1}].neurons", "a softmax needs 2 or more outputs "
              "(one per class); for one output use a sigmoid")
    naming = _choice(data.get("naming", "sequential"), NAMINGS, "naming", "naming")
    input_names = _names(data.get("input_names"), "input_names", n_in)
    output_names = _names(data.get("output_names"), "output_names", layers[-1].neurons)
    net = Network(n_in, layers, naming, input_names, output_names)
    check_size(len(net.params))

    weights, biases = _get(data, "weights"), _get(data, "biases")
    for key, value in (("weights", weights), ("biases", biases)):
        if not isinstance(value, list) or len(value) != len(layers):
            _fail(key, f"expected one entry per layer ({len(layers)})")
    for k, (ly, fan_in) in enumerate(zip(layers, [n_in, *net.sizes[:-1]], strict=True)):
        net.weights[k][...] = _matrix(weights[k], f"weights[{k}]", ly.neurons, fan_in)
        bias_values = net.biases[k]
        if bias_values is not None:
            bias_values[...] = _matrix([biases[k]], f"biases[{k}]", 1, ly.neurons)[0]
        elif biases[k] != []:
            _fail(f"biases[{k}]", "must be an empty list, the layer has no bias")

    loss = _choice(_get(data, "loss"), LOSSES, "loss", "loss")
    needs = LOSSES[loss].output_activation
    if needs is not None and layers[-1].activation != needs:
        _fail("loss", f"{loss} needs a {needs} output layer, not "
                      f"{layers[-1].activation}")

    d = _get(data, "data")
    if not isinstance(d, dict):
        _fail("data", "expected an object with inputs and targets")
    raw_x, raw_y = _get(d, "inputs", "data."), _get(d, "targets", "data.")
    if not isinstance(raw_x, list) or not isinstance(raw_y, list):
        _fail("data", "inputs and targets must be lists of samples")
    if not raw_x:
        _fail("data.inputs", "the data set is empty: add at least one sample")
    if len(raw_x) != len(raw_y):
        _fail("data", f"{len(raw_x)} inputs but {len(raw_y)} targets: they must match")
    if len(raw_x) > MAX_SAMPLES:
        _fail("data", f"{len(raw_x)} samples; at most {MAX_SAMPLES}")
    check_size(len(net.params), len(raw_x))
    x = _matrix(raw_x, "data.inputs", len(raw_x), n_in)
    y = _matrix(raw_y, "data.targets", len(raw_y), net.sizes[-1])
    check_targets(loss, y)
    x.flags.writeable = y.flags.writeable = False  # training caches buffers made from them

    rate = _number(_get(data, "learning_rate"), "learning_rate")
    if rate <= 0:
        _fail("learning_rate", f"must be greater than 0, not {rate}")

    trainable = data.get("trainable")
    if trainable is not None:
        trainable = _parameter_names(trainable, "trainable", net)

    stop = data.get("stop", {})
    if not isinstance(stop, dict):
        _fail("stop", "expected an object")
    min_step = _number(stop.get("min_step_size", 0.001), "stop.min_step_size")
    if min_step < 0:
        _fail("stop.min_step_size", "must not be negative")
    max_steps = _integer(stop.get("max_steps", 10_000), "stop.max_steps", 1, 10**9)

    optimizer = _optimizer(data.get("optimizer"))
    progress = _progress(data.get("progress"), len(net.params))
    if progress is not None and version < 2:
        _fail("progress", "needs format version 2 (the file says version 1)")
    lock = lock_from_json(data.get("lock"), net)
    if lock is not None and version < 3:
        _fail("lock", f"needs format version 3 (the file says version {version})")
    return Lesson(title, net, x, y, loss, rate, trainable, StopRule(min_step, max_steps),
                  description, optimizer, _batching(data.get("batching")),
                  _schedule(data.get("schedule")), progress, lock,
                  validation=_validation(data.get("validation"), len(x)),
                  runs=_runs(data.get("runs"), tuple(net.param_names)),
                  initialised=_initialised(data.get("initialised")))


def _parameter_names(value, where: str, net: Network) -> tuple[str, ...]:
    """A list of names of the network's parameters (trainable, a lock's editable ones)."""
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        _fail(where, "expected a list of parameter names")
    unknown = [t for t in value if t not in net.index]
    if unknown:
        _fail(where, f"no parameter called {', '.join(map(one_line, unknown[:3]))}"
                     f"{' …' if len(unknown) > 3 else ''} (this network has "
                     f"{', '.join(net.param_names[:12])}…)")
    return tuple(value)


LOCK_KEYS = ("panels", "parameters", "settings", "quiz_on_open")


def lock_from_json(value, net: Network) -> Lock | None:
    """A lesson's optional "lock": {"panels": [...], "parameters": [...], "settings": [...],
    "quiz_on_open": false}, every name one the app (or the network) knows; each list in
    its own order (PANELS, the network's, EDITABLE_SETTINGS)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail("lock", "expected an object with " + ", ".join(LOCK_KEYS))
    unknown = sorted(map(str, set(value) - set(LOCK_KEYS)))
    if unknown:
        _fail(f"lock.{one_line(unknown[0])}", f"unknown key (there are {', '.join(LOCK_KEYS)})")
    panels = _known_names(_get(value, "panels", "lock."), "lock.panels", PANELS, "panel")
    settings = _known_names(_get(value, "settings", "lock."), "lock.settings",
                            EDITABLE_SETTINGS, "setting")
    parameters = _parameter_names(_get(value, "parameters", "lock."), "lock.parameters", net)
    quiz = _get(value, "quiz_on_open", "lock.")
    if not isinstance(quiz, bool):
        _fail("lock.quiz_on_open", f"expected true or false, got {shown(quiz)}")
    return Lock(in_order(panels, PANELS), in_order(parameters, net.param_names),
                in_order(settings, EDITABLE_SETTINGS), quiz)


def _known_names(value, where: str, options, what: str) -> list[str]:
    if not isinstance(value, list):
        _fail(where, f"expected a list of {what} names (from {', '.join(options)})")
    return [_choice(name, options, f"{where}[{k}]", what) for k, name in enumerate(value)]


def _progress_json(rows: HistoryRows) -> dict:
    out = {"steps": rows.step_numbers.tolist(), "loss": rows.loss.tolist(),
           "params": rows.params.tolist(), "grads": rows.grads.tolist(),
           "step_sizes": rows.step_sizes.tolist()}
    if rows.state is not None and rows.state.shape[1]:
        out["state"] = rows.state.tolist()
        out["optimizer_from"] = int(rows.optimizer_from or 0)
    for key, losses in (("val_loss", rows.val_loss), ("batch_loss", rows.batch_loss)):
        if losses is not None and np.isfinite(losses).any():
            out[key] = _losses_json(losses)
    if rows.settings_log is not None:
        out["settings_log"] = settings_log_json(rows.settings_log)
    return out


def _losses_json(losses: np.ndarray) -> list[float | None]:
    """A column of losses as a file keeps it: null where there was none that step (NaN,
    which JSON cannot write)."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(losses, dtype=float)]


MAX_PROGRESS_ROWS = 100_000  # a History keeps at most this many rows


def _progress(value, width: int) -> HistoryRows | None:
    """A saved run: one row per recorded step, each as wide as the network's parameters;
    step numbers increasing; an optimizer's state rows a whole number of arrays wide."""
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail("progress", "expected an object with steps, loss, params, grads, step_sizes")
    steps = _get(value, "steps", "progress.")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_PROGRESS_ROWS:
        _fail("progress.steps", f"expected a list of 1 to {MAX_PROGRESS_ROWS} step numbers")
    n = len(steps)
    numbers = np.array([_integer(s, f"progress.steps[{k}]", 0, 10**12)
                        for k, s in enumerate(steps)], dtype=np.int64)
    if np.any(np.diff(numbers) <= 0):
        _fail("progress.steps", "step numbers must increase")
    loss = _matrix([_get(value, "loss", "progress.")], "progress.loss", 1, n)[0]
    columns = [_matrix(_get(value, key, "progress."), f"progress.{key}", n, width)
               for key in ("params", "grads", "step_sizes")]
    state, start = None, 0
    if "state" in value:
        raw = value["state"]
        cols = len(raw[0]) if isinstance(raw, list) and raw and isinstance(raw[0], list) else -1
        # as wide as the widest optimizer chosen during the run (not only today's)
        widest = max(map(len, STATE_NAMES.values()))
        if cols < 0 or cols % width or cols > width * widest:
            _fail("progress.state", f"expected {n} rows of the optimizer's memory, "
                                    f"{width} numbers per array")
        state = _matrix(raw, "progress.state", n, cols)
        start = _integer(value.get("optimizer_from", 0), "progress.optimizer_from", 0,
                         int(numbers[-1]))
    params, grads, step_sizes = columns
    val_loss, batch_loss = (_losses_or_none(value.get(key), f"progress.{key}", n)
                            for key in ("val_loss", "batch_loss"))
    log = value.get("settings_log")  # files before it have none: named by today's settings
    return HistoryRows(numbers, loss, params, grads, step_sizes, state, start,
                       val_loss=val_loss, batch_loss=batch_loss,
                       settings_log=None if log is None else settings_log_from_json(
                           log, "progress.settings_log", int(numbers[-1])))


def _losses_or_none(value, where: str, n: int) -> np.ndarray | None:
    """An optional column of n losses, null where there was none (NaN)."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != n:
        _fail(where, f"expected a list of {n} losses (null where there is none)")
    return np.array([math.nan if v is None else _number(v, f"{where}[{k}]")
                     for k, v in enumerate(value)])


def _validation_json(validation: Validation) -> dict:
    return {"fraction": validation.fraction, "seed": validation.seed}


def _optimizer_json(optimizer: Optimizer) -> dict:
    return {"name": optimizer.name, **optimizer.settings()}


def _batching_json(batching: Batching) -> dict:
    return {"batch_size": batching.size, "seed": batching.seed}


def _schedule_json(schedule: Schedule) -> dict:
    return {"name": schedule.name, **schedule.settings()}


# Entries a file keeps of a trainer's settings log: each is a change of a setting a
# person made between steps, so a run has a few; a file's list is capped all the same.
MAX_SETTINGS_LOG = 1000
SETTINGS_LOG_KEYS = ("from_step", "learning_rate", "optimizer", "schedule", "batching",
                     "validation", "training_samples")


def settings_log_json(log: tuple[tuple[int, TrainingSettings], ...]) -> list[dict]:
    """A trainer's settings log (Trainer.settings_log) as a file keeps it: for each
    stretch of the run, the step it began at and its settings, in the lesson file's own
    words. Past MAX_SETTINGS_LOG entries, the first and the newest."""
    if len(log) > MAX_SETTINGS_LOG:
        log = (log[0], *log[len(log) - MAX_SETTINGS_LOG + 1:])
    return [{"from_step": step, "learning_rate": s.learning_rate,
             "optimizer": _optimizer_json(s.optimizer), "schedule": _schedule_json(s.schedule),
             "batching": _batching_json(s.batching),
             "validation": _validation_json(s.validation), "training_samples": s.n_training}
            for step, s in log]


def settings_log_from_json(value, where: str,
                           last_step: int) -> tuple[tuple[int, TrainingSettings], ...]:
    """A settings log as `settings_log_json` writes it, for a run whose newest step is
    `last_step`: each entry's settings checked as the lesson's own are, its step after
    the one before and at most `last_step`. Raises LessonError naming the field inside
    `where` ("progress.settings_log[1].learning_rate: ...")."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SETTINGS_LOG:
        _fail(where, f"expected a list of 1 to {MAX_SETTINGS_LOG} entries, each the step "
                     "its settings hold from and those settings")
    log: list[tuple[int, TrainingSettings]] = []
    for k, raw in enumerate(value):
        at = f"{where}[{k}]"
        _known_settings(raw, at, SETTINGS_LOG_KEYS,
                        '{"from_step": 0, "learning_rate": 0.1, "optimizer": {"name": "sgd"}, …}')
        step = _integer(_get(raw, "from_step", f"{at}."), f"{at}.from_step", 0, last_step)
        if log and step <= log[-1][0]:
            _fail(f"{at}.from_step", f"must be after the entry before's ({log[-1][0]}), "
                                     f"not {step}")
        rate = _number(_get(raw, "learning_rate", f"{at}."), f"{at}.learning_rate")
        if rate <= 0:
            _fail(f"{at}.learning_rate", f"must be greater than 0, not {rate}")
        try:
            settings = TrainingSettings(
                _optimizer(_get(raw, "optimizer", f"{at}.")), rate,
                _schedule(_get(raw, "schedule", f"{at}.")),
                _batching(_get(raw, "batching", f"{at}.")),
                _validation(_get(raw, "validation", f"{at}."), None),
                _integer(_get(raw, "training_samples", f"{at}."), f"{at}.training_samples",
                         1, MAX_SAMPLES))
        except LessonError as exc:  # "optimizer.beta1: ..." is this entry's
            message = str(exc)
            raise LessonError(message if message.startswith(at) else f"{at}.{message}") \
                from None
        log.append((step, settings))
    return tuple(log)


def _validation(value, samples: int | None) -> Validation:
    """Optional: {"fraction": 0.2, "seed": 0}, a share of the samples held out of
    training (at least one left to train on, of `samples`; not checked for None: a
    settings log's, whose samples may have been others); 0 or none is no validation."""
    if value is None:
        return Validation()
    _known_settings(value, "validation", ("fraction", "seed"),
                    '{"fraction": 0.2, "seed": 0}')
    fraction = _number(value.get("fraction", 0.0), "validation.fraction")
    if not 0 <= fraction < 1:
        _fail("validation.fraction", f"must be from 0 (none) up to, not including, 1, not "
                                     f"{shown(fraction)}")
    seed = _integer(value.get("seed", 0), "validation.seed", 0, VALIDATION_MAX_SEED)
    chosen = Validation(fraction, seed)
    why = None if samples is None else chosen.problem(samples)
    if why is not None:
        _fail("validation.fraction", why)
    return chosen


RUN_COLUMNS = ("steps", "loss", "params")  # and "val_loss" for a run with a split


def _run_rows(run: KeptRun) -> dict[str, np.ndarray]:
    """The steps, losses, values and (with a split) validation losses a file keeps of a
    kept run: at most MAX_RUN_NUMBERS numbers (rows thinned evenly, the newest kept)."""
    per_row = 2 + run.params.shape[1] + (run.val_loss is not None)
    rows = even_rows(len(run.steps), max(2, MAX_RUN_NUMBERS // per_row))
    columns = dict(zip(RUN_COLUMNS, (run.steps[rows], run.loss[rows], run.params[rows]),
                       strict=True))
    if run.val_loss is not None:
        columns["val_loss"] = run.val_loss[rows]
    return columns


def _run_json(run: KeptRun) -> dict:
    """A kept run as a file keeps it."""
    return {"name": run.name, "visible": run.visible,
            **{key: _losses_json(column) if key == "val_loss" else column.tolist()
               for key, column in _run_rows(run).items()}}


def _runs(value, param_names: tuple[str, ...]) -> tuple[KeptRun, ...]:
    """Optional runs kept to compare: up to MAX_RUNS, each a name, whether it is shown,
    and its steps, losses and parameter values (as many as the network's), and for a run
    with a validation split its validation losses (null where it had none)."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_RUNS:
        _fail("runs", f"expected a list of at most {MAX_RUNS} runs")
    runs = []
    for k, raw in enumerate(value):
        where = f"runs[{k}]"
        if not isinstance(raw, dict):
            _fail(where, "expected an object with name, visible, steps, loss, params")
        name = _get(raw, "name", f"{where}.")
        if not isinstance(name, str):
            _fail(f"{where}.name", f"expected text, got {shown(name)}")
        try:
            name = checked_name(name)
        except ValueError as exc:
            _fail(f"{where}.name", str(exc))
        visible = raw.get("visible", True)
        if not isinstance(visible, bool):
            _fail(f"{where}.visible", "expected true or false")
        steps = _get(raw, "steps", f"{where}.")
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_RUN_ROWS:
            _fail(f"{where}.steps", f"expected a list of 1 to {MAX_RUN_ROWS} step numbers")
        n = len(steps)
        numbers = np.array([_integer(s, f"{where}.steps[{j}]", 0, 10**12)
                            for j, s in enumerate(steps)], dtype=np.int64)
        if np.any(np.diff(numbers) <= 0):
            _fail(f"{where}.steps", "step numbers must increase")
        loss = _matrix([_get(raw, "loss", f"{where}.")], f"{where}.loss", 1, n)[0]
        params = _matrix(_get(raw, "params", f"{where}."), f"{where}.params", n,
                         len(param_names))
        # Optional (files before it have none): null at rows without a split.
        val_loss = _losses_or_none(raw.get("val_loss"), f"{where}.val_loss", n)
        if val_loss is not None and not np.isfinite(val_loss).any():
            val_loss = None  # as a run without a split is kept
        runs.append(KeptRun(name, param_names, numbers, loss, params, visible,
                            val_loss=val_loss))
    return tuple(runs)


def _schedule(value) -> Schedule:
    """Optional: {"name": "step", "step_size": 100, "gamma": 0.5}, PyTorch's names."""
    if value is None:
        return Schedule()
    if not isinstance(value, dict):
        _fail("schedule", 'expected an object such as {"name": "exponential", "gamma": 0.99}')
    name = _choice(value.get("name", "constant"), SCHEDULES, "schedule.name", "schedule")
    settings: dict = {}
    for key, v in value.items():
        if key == "name":
            continue
        if key not in SCHEDULE_SETTINGS[name]:
            known = ", ".join(SCHEDULE_SETTINGS[name]) or "none"
            _fail(f"schedule.{one_line(str(key))}", f"{name} has no such setting ({known})")
        whole = key in ("step_size", "T_max")
        settings[key] = (_integer(v, f"schedule.{key}", 1, 10**9) if whole
                         else _number(v, f"schedule.{key}"))
    try:
        return Schedule(name, **settings)
    except ValueError as exc:
        setting, _, why = str(exc).partition(" ")
        raise LessonError(f"schedule.{setting}: {why}") from None


def _initialised(value) -> tuple[str, int] | None:
    """Optional: how the starting values were drawn, {"scheme": "xavier", "seed": 7}
    (the Training panel offers the same to draw them again)."""
    if value is None:
        return None
    _known_settings(value, "initialised", ("scheme", "seed"),
                    '{"scheme": "xavier", "seed": 7}')
    scheme = _choice(_get(value, "scheme", "initialised."), INIT_SCHEMES,
                     "initialised.scheme", "scheme")
    return scheme, _integer(value.get("seed", 0), "initialised.seed", 0, INIT_MAX_SEED)


def _known_settings(value, field: str, keys: tuple[str, ...], example: str) -> None:
    """`value` an object of `field`'s settings, none but `keys` (`example` shows one)."""
    if not isinstance(value, dict):
        _fail(field, f"expected an object such as {example}")
    unknown = set(value) - set(keys)
    if unknown:
        _fail(f"{field}.{one_line(sorted(map(str, unknown))[0])}",
              f"unknown setting (there are {', '.join(keys[:-1])} and {keys[-1]})")


def _batching(value) -> Batching:
    """Optional batches: {"batch_size": 1, "seed": 7}; 0 (or none) is every sample."""
    if value is None:
        return Batching()
    _known_settings(value, "batching", ("batch_size", "seed"),
                    '{"batch_size": 1, "seed": 0}')
    size = _integer(value.get("batch_size", 0), "batching.batch_size", 0, MAX_SAMPLES)
    seed = _integer(value.get("seed", 0), "batching.seed", 0, MAX_SEED)
    return Batching(size, seed)


def _optimizer(value) -> Optimizer:
    """The optional update rule: {"name": "adam", "beta1": 0.9, …}, PyTorch's names."""
    if value is None:
        return Optimizer()
    if not isinstance(value, dict):
        _fail("optimizer", 'expected an object such as {"name": "adam"}')
    name = _choice(value.get("name", "sgd"), OPTIMIZERS, "optimizer.name", "optimizer")
    settings = {}
    for key, v in value.items():
        if key == "name":
            continue
        if key not in SETTINGS[name]:
            _fail(f"optimizer.{one_line(key)}", f"{name} has no such setting (it has "
                                      f"{', '.join(SETTINGS[name])})")
        settings[key] = _number(v, f"optimizer.{key}")
    try:
        return Optimizer(name, **settings)
    except ValueError as exc:
        setting = str(exc).split(" ", 1)[0]
        raise LessonError(f"optimizer.{setting}: {str(exc).split(' ', 1)[1]}") from None
