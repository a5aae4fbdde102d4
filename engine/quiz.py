"""Quiz: the numbers a student works out for one parameter's next step, and checking
what they typed. An answer is right when it is within `tolerance` (relative) of the
exact value, or within half a unit of the third decimal (so 0.25 for 0.24975 counts)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.breakdown import Breakdown
from engine.training import Update

ABSOLUTE_FLOOR = 0.0005
MAX_SAMPLES = 8  # a quiz past this many samples is arithmetic, not understanding


@dataclass(frozen=True)
class Question:
    key: str  # stable id: "f0.1" = factor 0 of path 0... see questions()
    label: str  # what the student is asked for, in the lesson's words
    answer: float


def questions(b: Breakdown, update: Update) -> list[Question]:
    """Every factor per sample (first path only when there are several; the first
    MAX_SAMPLES samples of a big data set), then the slope, the step size and the new
    value."""
    out = []
    path = b.paths[0]
    for s in range(min(len(path.products), MAX_SAMPLES)):
        for k, f in enumerate(path.factors):
            out.append(Question(f"f{k}.{s}", f"{f.symbol} for sample {s + 1}",
                                float(f.values[s])))
    out += [Question("slope", f"slope {b.symbol}", update.slope),
            Question("step", "step size = slope × learning rate", update.step_size),
            Question("new", f"new {b.parameter} = old − step size", update.new_value)]
    return out


def is_right(typed: str, answer: float, tolerance: float) -> bool:
    try:
        number = float(typed.strip().replace("−", "-"))
    except ValueError:
        return False
    if not math.isfinite(number):
        return False
    return abs(number - answer) <= max(tolerance * abs(answer), ABSOLUTE_FLOOR)


def check(qs: list[Question], typed: dict[str, str], tolerance: float) -> dict[str, bool]:
    return {q.key: is_right(typed.get(q.key, ""), q.answer, tolerance) for q in qs}
