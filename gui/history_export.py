"""The step history as CSV text (what File → Export history writes)."""

from __future__ import annotations

import csv
import io

from engine.training import History


def history_csv(names: list[str], hist: History) -> str:
    """One row per recorded step: its number, the loss, then every parameter's value,
    slope and step size (`names` in the network's order)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["step", "loss", *names, *(f"slope_{n}" for n in names),
                     *(f"step_size_{n}" for n in names)])
    for k in range(len(hist)):
        writer.writerow([int(hist.steps[k]), repr(float(hist.loss[k])),
                         *map(repr, hist.params[k].tolist()), *map(repr, hist.grads[k].tolist()),
                         *map(repr, hist.step_sizes[k].tolist())])
    return out.getvalue()
