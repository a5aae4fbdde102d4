"""Loss functions over all samples and outputs, with dLoss/dPredicted beside each.

`ssr`      SSR = Σ (Observed - Predicted)²       (StatQuest articles; article 002's (ŷ - y)²)
`half_sse` L   = ½ Σ (Observed - Predicted)²     (house-price article)
`mse`      MSE = Σ (Observed - Predicted)² / n   (n = number of samples)

Each is c · Σ r² with the residual r = Observed - Predicted, so dLoss/dPredicted = -2c · r.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Loss:
    name: str
    symbol: str  # what the lesson calls the loss: SSR, L, MSE
    factor: float  # c in c · Σ r²
    mean_over_samples: bool  # divide c by the number of samples
    derivative_formula: str  # dLoss/dPredicted as a lesson writes it, {p} = predicted's name

    def scale(self, samples: int) -> float:
        """c in c · Σ r² for a data set of `samples` samples."""
        return self.factor / samples if self.mean_over_samples else self.factor

    def value(self, predicted: Array, observed: Array) -> float:
        r = observed - predicted
        return self.scale(len(predicted)) * float(np.vdot(r, r))

    def derivative(self, predicted: Array, observed: Array) -> Array:
        return -2.0 * self.scale(len(predicted)) * (observed - predicted)

    def value_and_derivative(self, predicted: Array, observed: Array,
                             samples: int | None = None) -> tuple[float, Array]:
        """Both from one residual: the training loop's call. `samples` is the size of the
        whole data set when these arrays are one chunk of it (or are stored transposed)."""
        c = self.scale(len(predicted) if samples is None else samples)
        r = observed - predicted
        value = c * float(np.vdot(r, r))
        r *= -2.0 * c
        return value, r


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("ssr", "SSR", 1.0, False, "-2 (Observed - {p})"),
        Loss("half_sse", "L", 0.5, False, "-(Observed - {p})"),
        Loss("mse", "MSE", 1.0, True, "-2 (Observed - {p}) / n"),
    )
}
