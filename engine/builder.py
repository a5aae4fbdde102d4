"""Building your own network: a lesson from layers, loss, naming, a seed and data, and
data read from a CSV file. Everything goes through the lesson checks, so a built lesson
saves and re-opens like any other."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from engine.lesson import MAX_SAMPLES, Lesson, LessonError, lesson_from_dict
from engine.network import Layer, Network

MAX_CSV_BYTES = 20 * 1024 * 1024


def build_lesson(base: Lesson, hidden: list[Layer], output: Layer, loss: str, naming: str,
                 seed: int, inputs: np.ndarray | None = None,
                 targets: np.ndarray | None = None) -> Lesson:
    """A new lesson like `base` with another network, random weights from `seed`."""
    x = base.inputs if inputs is None else inputs
    y = base.targets if targets is None else targets
    layers = [*hidden, Layer(y.shape[1], output.activation, output.bias)]
    net = Network(x.shape[1], layers, naming)
    net.randomize(seed)
    draft = Lesson(base.title, net, x, y, loss, base.learning_rate, None, base.stop,
                   base.description)
    data = draft.to_dict()
    data["description"] = (f"{base.description}\n\nNetwork built in the editor; "
                           f"weights from seed {seed}.").strip()
    return lesson_from_dict(data, "built network")


def load_csv(path: str | Path, targets: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Samples from a CSV file: one row per sample, the last `targets` columns are the
    targets, the others the inputs. A first row of names is skipped."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise LessonError(f"{path.name}: larger than {MAX_CSV_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path.name}: cannot read the file ({exc})") from None
    return parse_csv(text, targets, path.name)


def parse_csv(text: str, targets: int = 1, source: str = "CSV") -> tuple[np.ndarray, np.ndarray]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise LessonError(f"{source}: not a CSV file ({exc})") from None
    if rows and not _numeric(rows[0][0]):
        rows = rows[1:]  # a header row
    if not rows:
        raise LessonError(f"{source}: no samples (the file is empty or only has a header)")
    if len(rows) > MAX_SAMPLES:
        raise LessonError(f"{source}: {len(rows)} samples; at most {MAX_SAMPLES}")
    width = len(rows[0])
    if width <= targets:
        raise LessonError(f"{source}: each row needs at least one input and {targets} "
                          f"target column(s); line 1 has {width} column(s)")
    values = np.empty((len(rows), width))
    for i, row in enumerate(rows):
        if len(row) != width:
            raise LessonError(f"{source}: sample {i + 1} has {len(row)} columns, the first "
                              f"has {width}")
        for j, cell in enumerate(row):
            if not _numeric(cell):
                raise LessonError(f"{source}: sample {i + 1}, column {j + 1}: "
                                  f"{cell.strip()[:20]!r} is not a finite number")
            values[i, j] = float(cell)
    return values[:, :-targets].copy(), values[:, -targets:].copy()


def _numeric(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False
