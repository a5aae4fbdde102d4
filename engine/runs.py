"""Runs kept to compare: the loss curve and the descent path of a run, with the settings
that made it, so that several can be drawn together (learning rates, optimizers, batch
sizes or seeds side by side on one loss plot and one landscape)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.training import Trainer, even_rows

MAX_RUNS = 4  # more curves on one plot than a class can tell apart
MAX_RUN_ROWS = 2000  # rows kept per run: a plot a few thousand pixels wide shows no more


@dataclass(frozen=True)
class KeptRun:
    name: str
    param_names: tuple[str, ...]
    steps: np.ndarray
    loss: np.ndarray
    params: np.ndarray  # rows × parameters: the path

    def column(self, name: str) -> np.ndarray | None:
        """One parameter's values along the run (None: not a parameter of this run)."""
        if name not in self.param_names:
            return None
        return self.params[:, self.param_names.index(name)]


def settings_text(trainer: Trainer) -> str:
    """The settings that tell runs of one lesson apart, in a few words."""
    parts = [f"lr {trainer.learning_rate:g}"]
    if not trainer.optimizer.is_plain:
        parts.append(trainer.optimizer.name)
    if not trainer.schedule.is_constant:
        parts.append(f"{trainer.schedule.name} schedule")
    if not trainer.batching.is_full(len(trainer.inputs)):
        parts.append(f"batch {trainer.batching.size}, seed {trainer.batching.seed}")
    return ", ".join(parts)


def keep(trainer: Trainer, name: str | None = None) -> KeptRun:
    """The trainer's run so far (an even sample of its rows, always with the newest)."""
    hist = trainer.history
    rows = even_rows(len(hist), MAX_RUN_ROWS)
    return KeptRun(name or settings_text(trainer), tuple(trainer.network.param_names),
                   hist.steps[rows].copy(), hist.loss[rows].copy(), hist.params[rows].copy())
