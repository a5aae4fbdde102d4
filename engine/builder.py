"""Building your own network: a lesson from layers, loss, naming, a seed and data, and
data read from a CSV file. Everything goes through the lesson checks, so a built lesson
saves and re-opens like any other."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.lesson import (
    MAX_NAME,
    MAX_NEURONS,
    MAX_SAMPLES,
    Lesson,
    LessonError,
    lesson_from_dict,
    read_user_file,
)
from engine.losses import LOSSES
from engine.network import Layer, Network
from engine.text import one_line, quoted

MAX_CSV_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class DataSet:
    """Samples read from a file, with the names its header gives them."""

    inputs: np.ndarray  # samples × inputs
    targets: np.ndarray  # samples × outputs (one-hot for class labels)
    input_names: tuple[str, ...] | None = None
    output_names: tuple[str, ...] | None = None  # the classes, for class labels
    classes: bool = False  # the targets came from a column of class labels


def build_lesson(base: Lesson, hidden: list[Layer], output: Layer, loss: str, naming: str,
                 seed: int, data: DataSet | None = None) -> Lesson:
    """A new lesson like `base` with another network, random weights from `seed`, on
    `data` if given. Class labels make the output a softmax over the classes with
    cross-entropy, unless a cross-entropy is chosen already."""
    net0 = base.network
    x = base.inputs if data is None else data.inputs
    y = base.targets if data is None else data.targets
    input_names = net0.input_names if data is None else data.input_names
    output_names = net0.output_names if data is None else data.output_names
    if data is not None and data.classes and LOSSES[loss].output_activation is None:
        output, loss = Layer(y.shape[1], "softmax", output.bias), "ce"
    layers = [*hidden, Layer(y.shape[1], output.activation, output.bias)]
    net = Network(x.shape[1], layers, naming, input_names, output_names)
    net.randomize(seed)
    title, notes = built_text(base, net, seed)
    draft = Lesson(title, net, x, y, loss, base.learning_rate, None, base.stop, notes,
                   lock=None if base.lock is None else base.lock.keeping(net.param_names))
    return lesson_from_dict(draft.to_dict(), "built network")


BUILT_TITLE = "Built network "  # then its shape: "Built network 2-3-1"
BUILT_NOTE = "Network built in the editor"


def built_text(base: Lesson, net: Network, seed: int) -> tuple[str, str]:
    """The title and notes of a network built from `base`. A preset's title and notes
    describe a network that is gone, so a first build names itself by its shape; a
    rebuild keeps the teacher's own title and notes, and the one line saying how it was
    built is replaced, never repeated."""
    shape = f"{net.inputs}-{'-'.join(map(str, net.sizes))}"
    line = f"{BUILT_NOTE} ({shape}); weights from seed {seed}."
    paragraphs = [p for p in base.description.split("\n\n") if p.strip()]
    was_built = any(p.startswith(BUILT_NOTE) for p in paragraphs)
    if not was_built:
        return f"{BUILT_TITLE}{shape}", f"Started from “{base.title}”.\n\n{line}"
    kept = [p for p in paragraphs if not p.startswith(BUILT_NOTE)]
    title = f"{BUILT_TITLE}{shape}" if base.title.startswith(BUILT_TITLE) else base.title
    return title, "\n\n".join([*kept, line])


def load_csv(path: str | Path, targets: int = 1) -> DataSet:
    """Samples from a CSV file (see `parse_csv`)."""
    path = Path(path)
    text = read_user_file(path, MAX_CSV_BYTES, encoding="utf-8-sig")
    return parse_csv(text, targets, one_line(path.name, 60))


def parse_csv(text: str, targets: int = 1, source: str = "CSV") -> DataSet:
    """One row per sample. A first row that is not all numbers names the columns. If the
    last column holds names, it is each sample's class: the targets become one-hot classes
    named by their labels (in the order they first appear); otherwise the last `targets`
    columns are the targets and the others the inputs."""
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise LessonError(f"{source}: not a CSV file ({exc})") from None
    header = None
    # A header has a name where the samples have inputs (the last column may hold class
    # labels, so text there alone does not make a header).
    if rows and (not all(_numeric(c) for c in rows[0][:-1])
                 or not any(_numeric(c) for c in rows[0])):
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    if not rows:
        raise LessonError(f"{source}: no samples (the file is empty or only has a header)")
    if len(rows) > MAX_SAMPLES:
        raise LessonError(f"{source}: {len(rows)} samples; at most {MAX_SAMPLES}")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise LessonError(f"{source}: sample {i + 1} has {len(row)} columns, the first "
                              f"has {width}")
    if header is not None and len(header) != width:
        raise LessonError(f"{source}: the header names {len(header)} columns, the samples "
                          f"have {width}")
    labels = [row[-1].strip() for row in rows]
    # Class labels are names, every one: a lone word among numbers is a typo, said below.
    classes = all(_is_name(c) for c in labels)
    n_targets = 1 if classes else targets
    if width <= n_targets:
        raise LessonError(f"{source}: each row needs at least one input and {n_targets} "
                          f"target column(s); line 1 has {width} column(s)")
    numeric_columns = width - 1 if classes else width
    values = np.empty((len(rows), numeric_columns))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row[:numeric_columns]):
            if not _numeric(cell):
                raise LessonError(f"{source}: sample {i + 1}, column {_column(header, j)}: "
                                  f"{cell.strip()[:20]!r} is not a finite number")
            values[i, j] = float(cell)
    names = _header_names(header, source)
    if classes:
        return _with_classes(values, labels, names, source, header)
    n_in = width - n_targets
    return DataSet(values[:, :n_in].copy(), values[:, n_in:].copy(),
                   None if names is None else names[:n_in],
                   None if names is None else names[n_in:])


def _with_classes(values, labels, names, source, header) -> DataSet:
    kinds = list(dict.fromkeys(labels))  # each label once, in the order they appear
    column = _column(header, values.shape[1])
    if len(kinds) < 2:
        raise LessonError(f"{source}: column {column}: every sample is {quoted(kinds[0])}; "
                          "a classifier needs two or more classes")
    if len(kinds) > MAX_NEURONS:
        raise LessonError(f"{source}: column {column}: {len(kinds)} classes; at most "
                          f"{MAX_NEURONS}")
    for k, kind in enumerate(kinds):
        if not kind or len(kind) > MAX_NAME or not kind.isprintable():
            raise LessonError(f"{source}: column {column}: class {k + 1} must be a name of "
                              f"1 to {MAX_NAME} characters on one line")
    one_hot = np.eye(len(kinds))[[kinds.index(label) for label in labels]]
    return DataSet(values, one_hot, None if names is None else names[:-1], tuple(kinds),
                   classes=True)


def _header_names(header, source) -> tuple[str, ...] | None:
    """The header's names where they can name a diagram's nodes; None without a header."""
    if header is None:
        return None
    for j, name in enumerate(header):
        if not name or len(name) > MAX_NAME or not name.isprintable():
            raise LessonError(f"{source}: header, column {j + 1}: a name of 1 to {MAX_NAME} "
                              "characters on one line")
    if len(set(header)) != len(header):
        raise LessonError(f"{source}: header: each column needs its own name")
    return tuple(header)


def _column(header, j: int) -> str:
    return f"{j + 1} ({quoted(header[j])})" if header is not None else str(j + 1)


def _is_name(cell: str) -> bool:
    """A class label: text that is not a number (nor nan or inf, which are bad numbers)."""
    try:
        float(cell)
    except ValueError:
        return True
    return False


def _numeric(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False
