"""Quiz: the numbers a student works out for one parameter's next step, and checking
what they typed. An answer is right when it is within `tolerance` (relative) of the
exact value, or within half a unit of the third decimal (so 0.25 for 0.24975 counts)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.breakdown import Breakdown, Factor
from engine.training import Update

ABSOLUTE_FLOOR = 0.0005
MAX_SAMPLES = 8  # a quiz past this many samples is arithmetic, not understanding


@dataclass(frozen=True)
class Question:
    key: str  # stable id: "f0.1" = factor 0 of path 0... see questions()
    label: str  # what the student is asked for, in the lesson's words
    answer: float


def quiz_chain(b: Breakdown) -> tuple[list[Factor], int]:
    """The factors a student works out, and how many such routes the slope sums: the
    first path's; where a cross-entropy meets its softmax or sigmoid, the shortcut
    p - Observed takes the place of dLoss/dp · dp/dz (a softmax's k paths through one
    output sum to it), so a route is the shortcut times the factors below z."""
    first = b.paths[0]
    if not b.shortcuts:
        return list(first.factors), len(b.paths)
    routes: dict[tuple[str, ...], list[Factor]] = {}
    for path in b.paths:
        at = next(i for i, f in enumerate(path.factors)
                  if any(f.denominator == s.denominator for s in b.shortcuts))
        short = next(s for s in b.shortcuts if s.denominator == path.factors[at].denominator)
        routes.setdefault((short.symbol, *(f.symbol for f in path.factors[at + 1:])),
                          [short, *path.factors[at + 1:]])
    chains = list(routes.values())
    return chains[0], len(chains)


def questions(b: Breakdown, update: Update) -> list[Question]:
    """Every factor of the quiz chain per sample (the first route when there are several;
    the first MAX_SAMPLES samples of a big data set), then the slope, the step size and
    the new value."""
    out = []
    chain, _ = quiz_chain(b)
    # With batches the rows are the batch's samples: named by their numbers in the data.
    names = [k + 1 for k in update.samples] if update.samples else None
    for s in range(min(len(chain[0].values), MAX_SAMPLES)):
        for k, f in enumerate(chain):
            out.append(Question(f"f{k}.{s}",
                                f"{f.symbol} for sample {names[s] if names else s + 1}",
                                float(f.values[s])))
    out += [Question("slope", f"slope {b.symbol}", update.slope),
            Question("step", _step_label(update), update.step_size),
            Question("new", f"new {b.parameter} = old − step size", update.new_value)]
    return out


def _g(value: float) -> str:
    return f"{value:.6g}"


def _step_label(u: Update) -> str:
    """What the step size is, with what a student needs that the hidden panels would
    show: this update's learning rate when a schedule changes it, an optimizer's memory."""
    if not u.trainable:  # "= slope × learning rate = 0" read as impossible arithmetic
        return f"step size ({u.parameter} is frozen: its train box is unticked)"
    rate = f"learning rate ({_g(u.learning_rate)} for this update)" \
        if u.schedule != "constant" else "learning rate"
    settings = dict(u.settings)
    if u.optimizer == "sgd" and not settings.get("weight_decay"):
        return f"step size = slope × {rate}"
    given = ", ".join(f"{k} = {_g(v)}" for k, v in (*u.settings, *u.before))
    return (f"step size by {u.optimizer}'s rule, update {u.t} ({given}; {rate} "
            f"{_g(u.learning_rate)})")


def typed_number(typed: str) -> float | None:
    """What the student typed as a number (a typographic minus too), or None: empty,
    not a number, or not finite."""
    try:
        number = float(typed.strip().replace("−", "-"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def is_right(typed: str, answer: float, tolerance: float) -> bool:
    number = typed_number(typed)
    if number is None:
        return False
    return abs(number - answer) <= max(tolerance * abs(answer), ABSOLUTE_FLOOR)


def check(qs: list[Question], typed: dict[str, str], tolerance: float) -> dict[str, bool]:
    return {q.key: is_right(typed.get(q.key, ""), q.answer, tolerance) for q in qs}
