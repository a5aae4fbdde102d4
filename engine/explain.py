"""Plain-text renderings of what the engine computes, for the terminal and worksheets."""

from __future__ import annotations

import numpy as np

from engine.breakdown import Breakdown
from engine.training import Update


def fmt(value: float, digits: int = 6) -> str:
    """A number as a lesson prints it: up to `digits` significant figures, no '-0'."""
    text = f"{float(value):.{digits}g}"
    return "0" if text in ("-0", "0") else text


def breakdown_text(b: Breakdown, update: Update) -> str:
    """The chain rule for one parameter with every number, then its gradient-descent step
    (or that it is frozen)."""
    lines = []
    for k, path in enumerate(b.paths):
        head = f"path {k + 1}: " if len(b.paths) > 1 else ""
        lines.append(f"{head}{b.symbol} = " + " × ".join(f.symbol for f in path.factors))
        lines.append(" " * len(head + b.symbol) + " = "
                     + " × ".join(f"({f.formula})" if " " in f.formula else f.formula
                                  for f in path.factors))
        products = path.products
        for s in range(len(products)):
            nums = " × ".join(f"({fmt(f.values[s])})" for f in path.factors)
            lines.append(f"    sample {s + 1}: {nums} = {fmt(products[s])}")
    if len(b.paths) > 1:
        lines.append(f"  sum of the {len(b.paths)} paths, per sample: "
                     + ", ".join(fmt(v) for v in b.per_sample))
    for short in b.shortcuts:  # cross-entropy with its softmax or sigmoid
        lines.append(f"  the shortcut: {short.symbol} = {short.formula}, per sample: "
                     + ", ".join(fmt(v) for v in short.values))
    lines.append(f"  slope {b.symbol} = Σ over samples = {fmt(update.slope)}")
    lines += ["  " + line for line in update_lines(update)]
    return "\n".join(lines)


def update_lines(u: Update) -> list[str]:
    """'step size = slope × learning rate = …' and 'new w = old − step size = …' with the
    numbers, or that the parameter is frozen."""
    if not u.trainable:
        return [f"{u.parameter} is frozen in this lesson: it keeps {fmt(u.value)}"]
    return [f"step size = slope × learning rate = {fmt(u.slope)} × {fmt(u.learning_rate)}"
            f" = {fmt(u.step_size)}",
            f"new {u.parameter} = old − step size = {fmt(u.value)} − ({fmt(u.step_size)})"
            f" = {fmt(u.new_value)}"]


def sample_values_text(values: dict[str, np.ndarray]) -> str:
    return "\n".join(f"  {name} = " + ", ".join(fmt(v) for v in vals)
                     for name, vals in values.items())
