"""A validation split: a seeded share of the samples held out of training, whose loss is
recorded beside the training loss at every step, to see a network fit the samples it
learns from better than the ones it never saw (overfitting).

As scikit-learn's train_test_split(test_size=fraction, random_state=seed) does it, with
numpy's generator: the samples are shuffled once from the seed and the first
round(fraction × samples) of that order are held out (at least one). The split is the
same for a given seed and number of samples, so Undo, Reset and a reopened lesson
train on the same samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Validation:
    fraction: float = 0.0  # the share of samples held out; 0 is none
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.fraction, bool) or not isinstance(self.fraction, int | float) \
                or not 0.0 <= self.fraction < 1.0:
            raise ValueError("fraction must be a number from 0 (no validation) up to, "
                             "not including, 1")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}")

    @property
    def is_none(self) -> bool:
        return self.fraction == 0

    def held_out(self, samples: int) -> int:
        """How many of `samples` are held out: fraction × samples to the nearest whole
        number, at least one (none without validation)."""
        if self.is_none:
            return 0
        return max(1, math.floor(self.fraction * samples + 0.5))

    def problem(self, samples: int) -> str | None:
        """Why this split cannot be used on `samples` samples (None: it can)."""
        held = self.held_out(samples)
        if held and samples - held < 1:
            return (f"a fraction of {self.fraction:g} of {samples} sample"
                    f"{'s' if samples != 1 else ''} leaves none to train on (at least one "
                    "training and one validation sample are needed)")
        return None

    def split(self, samples: int) -> tuple[np.ndarray, np.ndarray]:
        """(training, validation) sample indices (from 0), each ascending. Raises
        ValueError when the split leaves no training sample."""
        why = self.problem(samples)
        if why is not None:
            raise ValueError(f"fraction: {why}")
        held = self.held_out(samples)
        if not held:
            return np.arange(samples), np.arange(0)
        order = np.random.default_rng(self.seed).permutation(samples)
        return np.sort(order[held:]), np.sort(order[:held])

    def describe(self, samples: int) -> str:
        if self.is_none:
            return "every sample trains (no validation split)"
        held = self.held_out(samples)
        return (f"{samples - held} sample{'s' if samples - held != 1 else ''} train, "
                f"{held} held out for validation (seed {self.seed})")


def steps_without_validation(steps: np.ndarray, val_loss: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) step of each stretch of rows that have no validation loss (rows
    recorded while no split was set: their loss is over every sample), in order."""
    missing = ~np.isfinite(val_loss)
    if not missing.any():
        return []
    # where a stretch with and a stretch without meet: the last row of the first
    ends = np.flatnonzero(missing[1:] != missing[:-1])
    starts, lasts = np.r_[0, ends + 1], np.r_[ends, len(missing) - 1]
    return [(int(steps[a]), int(steps[b])) for a, b in zip(starts, lasts, strict=True)
            if missing[a]]


MAX_STRETCHES_NAMED = 2  # a legend entry is one short line


def all_samples_note(steps: np.ndarray, val_loss: np.ndarray) -> str | None:
    """For a split set (or cleared) mid-run, the rows whose loss is over every sample, as
    a legend tells them: "all samples at steps 0–48". None where every row's loss is over
    the same samples (a split throughout, or none)."""
    stretches = steps_without_validation(steps, val_loss)
    if not stretches or stretches == [(int(steps[0]), int(steps[-1]))]:
        return None
    named = [f"{a}" if a == b else f"{a}–{b}" for a, b in stretches[:MAX_STRETCHES_NAMED]]
    more = ", …" if len(stretches) > MAX_STRETCHES_NAMED else ""
    plural = "s" if len(stretches) > 1 or stretches[0][0] != stretches[0][1] else ""
    return f"all samples at step{plural} {', '.join(named)}{more}"


def training_loss_name(steps: np.ndarray, val_loss: np.ndarray) -> str:
    """What this run's loss curve is over, as its legend names it: "all samples" without a
    split, "training" with one at every row, and for a split set (or cleared) mid-run,
    "training (all samples at steps 0–48)": the loss before the split was over every
    sample, and calling it training loss would be false."""
    note = all_samples_note(steps, val_loss)
    if note is not None:
        return f"training ({note})"
    return "training" if np.isfinite(val_loss).any() else "all samples"


def kept_loss_name(name: str, steps: np.ndarray, val_loss: np.ndarray | None) -> str:
    """A kept run's loss curve as its legend names it: the run's name, and where its split
    was set (or cleared) partway through, the same note as this run's ("SGD lr 0.3 (all
    samples at steps 0–739)"); the name alone where every row is over the same samples."""
    note = None if val_loss is None else all_samples_note(steps, val_loss)
    return name if note is None else f"{name} ({note})"
