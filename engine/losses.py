"""Loss functions over all samples and outputs, with dLoss/dPredicted beside each.

Squared errors, each c · Σ r² with the residual r = Observed - Predicted, so
dLoss/dPredicted = -2c · r:
`ssr`      SSR = Σ (Observed - Predicted)²       (StatQuest articles; article 002's (ŷ - y)²)
`half_sse` L   = ½ Σ (Observed - Predicted)²     (house-price article)
`mse`      MSE = Σ (Observed - Predicted)² / n   (n = samples × outputs, as PyTorch's
           MSELoss, Keras and scikit-learn average over every element)

Cross-entropies, for outputs that are probabilities (y = Observed, p = Predicted):
`ce`, `ce_mean`    CE  = -Σ y log p                      (softmax output; StatQuest sums
                   over samples, PyTorch's CrossEntropyLoss takes the mean over samples)
`bce`, `bce_mean`  BCE = -Σ [y log p + (1 - y) log(1 - p)]   (one sigmoid output per class)

As PyTorch's BCELoss does, each log is kept at -100 or above, so p = 0 or 1 gives a large
finite loss, never inf or NaN. Both pair with their output activation into the famous
shortcut dLoss/dz = p - y (`output_delta`), which training uses: it is exact where
-y/p · ∂p/∂z would lose everything to p rounding to 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

Array = np.ndarray
LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps its logs here
_P_FLOOR = float(np.exp(LOG_FLOOR))  # log(max(p, this)) = max(log p, -100), with no log(0)


def _log(p: Array) -> Array:
    return np.log(np.maximum(p, _P_FLOOR))


@dataclass(frozen=True)
class Loss:
    name: str
    symbol: str  # what the lesson calls the loss: SSR, L, MSE, CE, BCE
    factor: float  # c in c · Σ (per-element loss)
    mean: bool  # divide c by the samples (cross-entropy) or the elements (MSE)
    derivative_formula: str  # dLoss/dPredicted as a lesson writes it, {p} = predicted's name
    kind: str = "squared"  # "squared", "cross_entropy" or "binary_cross_entropy"
    about: str = ""  # what it is, in words, for the choice of loss

    @property
    def title(self) -> str:
        """The loss as a choice names it: the symbol the rest of the app writes, then what
        it is ("SSR, sum of squared residuals (StatQuest)"); `name` is what files keep."""
        return f"{self.symbol}, {self.about}"

    @cached_property  # read at every training step
    def output_activation(self) -> str | None:
        """The output activation a cross-entropy needs (None: any)."""
        return {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(self.kind)

    @property
    def formula(self) -> str:
        """The loss as a lesson writes it, from its kind, factor and mean (the editor's
        explanation of each choice), e.g. "MSE = Σ (Observed - Predicted)² / n"."""
        if self.kind == "squared":
            scale = {1.0: "", 0.5: "½ "}.get(self.factor, f"{self.factor:g} ")
            total = f"{scale}Σ (Observed - Predicted)²"
            per = " / n, n = samples × outputs"
        elif self.kind == "cross_entropy":
            total, per = "-Σ Observed · log Predicted", " / n, n = samples"
        else:
            total = "-Σ [Observed · log Predicted + (1 - Observed) · log(1 - Predicted)]"
            per = " / n, n = samples"
        needs = f" ({self.output_activation} output)" if self.output_activation else ""
        return f"{self.symbol} = {total}{per if self.mean else ''}{needs}"

    @property
    def shortcut_formula(self) -> str | None:
        """dLoss/dz of the output's weighted sum with its activation, where it is short."""
        if self.kind == "squared":
            return None
        # (bracketed with "/ n": "p - Observed / n" read as p - (Observed / n))
        return "({p} - Observed) / n" if self.mean else "{p} - Observed"

    def scale(self, samples: int, outputs: int = 1) -> float:
        """c for a data set of `samples` samples of `outputs` outputs each."""
        if not self.mean:
            return self.factor
        return self.factor / (samples * outputs if self.kind == "squared" else samples)

    def elements(self, predicted: Array, observed: Array) -> Array:
        """Each sample's and output's share of the loss, before the scale c."""
        if self.kind == "squared":
            r = observed - predicted
            return r * r
        if self.kind == "cross_entropy":
            return -observed * _log(predicted)
        return -(observed * _log(predicted) + (1.0 - observed) * _log(1.0 - predicted))

    def value(self, predicted: Array, observed: Array) -> float:
        samples, outputs = predicted.shape if predicted.ndim == 2 else (len(predicted), 1)
        return self.scale(samples, outputs) * float(np.sum(self.elements(predicted, observed)))

    def derivative(self, predicted: Array, observed: Array) -> Array:
        """dLoss/dPredicted per sample and output."""
        samples, outputs = predicted.shape if predicted.ndim == 2 else (len(predicted), 1)
        c = self.scale(samples, outputs)
        if self.kind == "squared":
            return -2.0 * c * (observed - predicted)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "cross_entropy":
                d = -observed / predicted
            else:
                d = (predicted - observed) / (predicted * (1.0 - predicted))
        # Where y = 0 the term is absent (0/0 here); p at exactly 0 or 1 gets a big slope.
        # + 0.0 turns -0.0 (from -0 / p) into 0, which reads as it should in a table.
        return c * np.nan_to_num(d, nan=0.0, posinf=1e300, neginf=-1e300) + 0.0

    def output_delta(self, predicted: Array, observed: Array, scale: float) -> Array:
        """dLoss/dz for the output's weighted sum z through its paired activation:
        c (p - y), for softmax + CE (rows of y summing to 1) and sigmoid + BCE alike."""
        return scale * (predicted - observed)

    def value_and_derivative(self, predicted: Array, observed: Array, samples: int,
                             outputs: int) -> tuple[float, Array]:
        """The training loop's call on one chunk, stored outputs × samples: the loss and
        dLoss/dPredicted (squared errors) or dLoss/dz (cross-entropies, the shortcut).
        `samples` is the whole data set's size, for the mean."""
        c = self.scale(samples, outputs)
        if self.kind == "cross_entropy":  # -Σ y log p in one product: the hot loop's way
            value = -c * float(np.vdot(observed, _log(predicted)))
            return value, self.output_delta(predicted, observed, c)
        if self.kind == "binary_cross_entropy":
            value = c * float(np.sum(self.elements(predicted, observed)))
            return value, self.output_delta(predicted, observed, c)
        r = observed - predicted
        value = c * float(np.vdot(r, r))
        r *= -2.0 * c
        return value, r


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("ssr", "SSR", 1.0, False, "-2 (Observed - {p})",
             about="sum of squared residuals (StatQuest)"),
        Loss("half_sse", "L", 0.5, False, "-(Observed - {p})",
             about="half the sum of squared errors"),
        Loss("mse", "MSE", 1.0, True, "-2 (Observed - {p}) / n",
             about="mean squared error (PyTorch's MSELoss)"),
        Loss("ce", "CE", 1.0, False, "-Observed / {p}", "cross_entropy",
             about="cross-entropy summed over the samples (StatQuest)"),
        Loss("ce_mean", "CE", 1.0, True, "-Observed / {p} / n", "cross_entropy",
             about="cross-entropy averaged over the samples (PyTorch's CrossEntropyLoss)"),
        Loss("bce", "BCE", 1.0, False, "({p} - Observed) / ({p} (1 - {p}))",
             "binary_cross_entropy", about="binary cross-entropy summed over the samples"),
        Loss("bce_mean", "BCE", 1.0, True, "({p} - Observed) / ({p} (1 - {p})) / n",
             "binary_cross_entropy",
             about="binary cross-entropy averaged over the samples (PyTorch's BCELoss)"),
    )
}
