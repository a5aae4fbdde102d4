"""Which samples each update's slope sums over: all of them (the articles' full batch),
one at a time (stochastic gradient descent), or mini-batches of B.

As PyTorch's DataLoader(shuffle=True) does it: every epoch the samples are shuffled (here
from the seed and the epoch's number, so that the same step always uses the same
samples: Undo, the history slider and a restored run take the same steps again) and cut
into batches of B, the last one smaller when B does not divide the data set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Batching:
    size: int = 0  # samples per update; 0 is every sample (full batch)
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError("batch_size must be a whole number, 0 for every sample")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}")

    def is_full(self, samples: int) -> bool:
        return self.size == 0 or self.size >= samples

    def per_epoch(self, samples: int) -> int:
        """Updates in one pass over the data."""
        return 1 if self.is_full(samples) else -(-samples // self.size)

    def where(self, update: int, samples: int) -> tuple[int, int]:
        """(epoch, batch), both from 1, of update number `update` (from 0)."""
        per = self.per_epoch(samples)
        return update // per + 1, update % per + 1

    def order(self, epoch: int, samples: int) -> np.ndarray:
        """The shuffled order of the samples in epoch `epoch` (from 1)."""
        return np.random.default_rng([self.seed, epoch]).permutation(samples)

    def samples(self, update: int, samples: int, order: np.ndarray | None = None
                ) -> np.ndarray:
        """The sample indices of update `update` (from 0), ascending; `order` is the
        epoch's, when the caller keeps it."""
        if self.is_full(samples):
            return np.arange(samples)
        epoch, batch = self.where(update, samples)
        if order is None:
            order = self.order(epoch, samples)
        return np.sort(order[(batch - 1) * self.size: batch * self.size])

    def describe(self, samples: int) -> str:
        if self.is_full(samples):
            return "every sample (full batch)"
        if self.size == 1:
            return f"one sample at a time (stochastic), shuffled with seed {self.seed}"
        return f"mini-batches of {self.size}, shuffled with seed {self.seed}"
