"""Plain-text renderings of what the engine computes, for the terminal and worksheets."""

from __future__ import annotations

import numpy as np

from engine.breakdown import Breakdown
from engine.training import Update


def fmt(value: float, digits: int = 6) -> str:
    """A number as a lesson prints it: up to `digits` significant figures, no '-0'."""
    text = f"{float(value):.{digits}g}"
    if "e" in text:  # 1e-08 -> 1e-8: the exponent's padding read as a digit more
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    return "0" if text in ("-0", "0") else text


MINUS = "\u2212"  # −, the minus sign of typeset maths: as wide as +, unlike the hyphen


def signed(value: float, digits: int = 6) -> str:
    """fmt's number with the minus sign − in place of the hyphen, as everything a student
    reads writes it (the breakdown, the diagram, the notes); what is typed or pasted back
    may use either (the fields read − as -)."""
    return fmt(value, digits).replace("-", MINUS)


def breakdown_text(b: Breakdown, update: Update) -> str:
    """The chain rule for one parameter with every number, then its gradient-descent step
    (or that it is frozen)."""
    lines = []
    if update.batch:  # batches: the rows are the batch's samples, named by their numbers
        epoch, batch, per_epoch = update.batch
        lines.append(f"(batch {batch} of {per_epoch}, epoch {epoch}: the slope sums over "
                     f"sample(s) {', '.join(str(k + 1) for k in update.samples)} only)")
    names = [k + 1 for k in update.samples] if update.samples else None
    for k, path in enumerate(b.paths):
        head = f"path {k + 1}: " if len(b.paths) > 1 else ""
        lines.append(f"{head}{b.symbol} = " + " × ".join(f.symbol for f in path.factors))
        lines.append(" " * len(head + b.symbol) + " = "
                     + " × ".join(f"({f.formula})" if " " in f.formula else f.formula
                                  for f in path.factors))
        products = path.products
        for s in range(len(products)):
            nums = " × ".join(f"({fmt(f.values[s])})" for f in path.factors)
            lines.append(f"    sample {names[s] if names else s + 1}: {nums} = "
                         f"{fmt(products[s])}")
    if len(b.paths) > 1:
        lines.append(f"  sum of the {len(b.paths)} paths, per sample: "
                     + ", ".join(fmt(v) for v in b.per_sample))
    for short in b.shortcuts:  # cross-entropy with its softmax or sigmoid
        lines.append(f"  the shortcut: {short.symbol} = {short.formula}, per sample: "
                     + ", ".join(fmt(v) for v in short.values))
    over = "the batch's samples" if update.batch else "samples"
    lines.append(f"  slope {b.symbol} = Σ over {over} = {fmt(update.slope)}")
    lines += ["  " + line for line in update_lines(update)]
    return "\n".join(lines)


def update_equations(u: Update) -> list[tuple[str | float, ...]]:
    """The update written out, one equation a tuple of text and numbers in reading
    order, its result the last number: the articles' two lines for plain gradient
    descent, the optimizer's own formula before them otherwise. Only the Update's
    numbers appear (the trainer's own); nothing is worked out here."""
    name = u.parameter
    if not u.trainable:
        return [(f"{name} is frozen in this lesson: it keeps ", u.value)]
    settings, before, parts = dict(u.settings), dict(u.before), dict(u.parts)
    new_value = (f"new {name} = old − step size = ", u.value, " − (", u.step_size, ") = ",
                 u.new_value)
    out: list[tuple[str | float, ...]] = _schedule_equations(u)
    if u.optimizer == "sgd" and not settings.get("weight_decay"):
        return [*out, ("step size = slope × learning rate = ", u.slope, " × ",
                       u.learning_rate, " = ", u.step_size), new_value]
    if settings.get("weight_decay"):  # "slope" below is this one
        out.append(("slope with weight decay = slope + weight_decay × value = ", u.slope,
                    " + ", settings["weight_decay"], " × ", u.value, " = ", parts["g"]))
    first = f"(update {u.t}, the first: no memory yet) " if u.t == 1 else f"(update {u.t}) "
    if u.optimizer == "sgd":
        out.append(("step size = slope × learning rate = ", parts["g"], " × ",
                    u.learning_rate, " = ", u.step_size))
    elif u.optimizer in ("momentum", "nesterov"):
        if u.t == 1:
            out.append((f"v = slope {first}= ", parts["v"]))
        else:
            out.append((f"v = momentum × v + slope {first}= ", settings["momentum"], " × ",
                        before["v"], " + ", parts["g"], " = ", parts["v"]))
        if u.optimizer == "momentum":
            out.append(("step size = learning rate × v = ", u.learning_rate, " × ",
                        parts["v"], " = ", u.step_size))
        else:
            out.append(("step size = learning rate × (slope + momentum × v) = ",
                        u.learning_rate, " × (", parts["g"], " + ", settings["momentum"],
                        " × ", parts["v"], ") = ", u.step_size))
    elif u.optimizer == "rmsprop":
        out.append((f"s = alpha × s + (1 − alpha) × slope² {first}= ", settings["alpha"],
                    " × ", before["s"], " + (1 − ", settings["alpha"], ") × (", parts["g"],
                    ")² = ", parts["s"]))
        out.append(("step size = learning rate × slope / (√s + eps) = ", u.learning_rate,
                    " × ", parts["g"], " / ", parts["denominator"], " = ", u.step_size))
    else:  # adam
        out.append((f"m = beta1 × m + (1 − beta1) × slope {first}= ", settings["beta1"],
                    " × ", before["m"], " + (1 − ", settings["beta1"], ") × ", parts["g"],
                    " = ", parts["m"]))
        out.append(("s = beta2 × s + (1 − beta2) × slope² = ", settings["beta2"], " × ",
                    before["s"], " + (1 − ", settings["beta2"], ") × (", parts["g"], ")² = ",
                    parts["s"]))
        out.append((f"m̂ = m / (1 − beta1^{u.t}) = ", parts["m_hat"]))  # one a line: each
        out.append((f"ŝ = s / (1 − beta2^{u.t}) = ", parts["s_hat"]))  # result in bold
        out.append(("step size = learning rate × m̂ / (√ŝ + eps) = ", u.learning_rate,
                    " × ", parts["m_hat"], " / (√", parts["s_hat"], " + ", settings["eps"],
                    ") = ", u.step_size))
    return [*out, new_value]


def _schedule_equations(u: Update) -> list[tuple[str | float, ...]]:
    """This update's learning rate from the lesson's, by the schedule (none if constant)."""
    if u.schedule == "constant":
        return []
    s, t = dict(u.schedule_settings), u.update_number
    if u.schedule == "step":
        return [(f"learning rate = lr × gamma^⌊t / step_size⌋ (t = {t}) = ", u.base_rate,
                 " × ", s["gamma"], f"^{t // int(s['step_size'])} = ", u.learning_rate)]
    if u.schedule == "exponential":
        return [(f"learning rate = lr × gamma^t (t = {t}) = ", u.base_rate, " × ",
                 s["gamma"], f"^{t} = ", u.learning_rate)]
    return [(f"learning rate = eta_min + (lr − eta_min) × (1 + cos(π t / T_max)) / 2 "
             f"(t = {t}, T_max = {int(s['T_max'])}) = ", u.learning_rate)]


def update_lines(u: Update) -> list[str]:
    """The update's equations as text (see update_equations)."""
    return ["".join(p if isinstance(p, str) else fmt(p) for p in eq)
            for eq in update_equations(u)]


def sample_values_text(values: dict[str, np.ndarray]) -> str:
    return "\n".join(f"  {name} = " + ", ".join(fmt(v) for v in vals)
                     for name, vals in values.items())
