"""Gradient check: central finite differences beside the backprop value, so a student
can see that backprop is right."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.losses import Loss
from engine.network import Network


@dataclass(frozen=True)
class GradientCheckRow:
    name: str
    backprop: float
    finite_difference: float

    @property
    def relative_difference(self) -> float:
        scale = max(abs(self.backprop), abs(self.finite_difference), 1e-12)
        return abs(self.backprop - self.finite_difference) / scale


def finite_difference_gradient(net: Network, x, y, loss: Loss, h: float = 1e-6) -> np.ndarray:
    """(L(p + h) − L(p − h)) / 2h for every parameter p, on a copy of the network."""
    probe = net.copy()
    out = np.empty_like(probe.params)
    for i in range(len(out)):
        keep = probe.params[i]
        probe.params[i] = keep + h
        up = probe.loss(x, y, loss)
        probe.params[i] = keep - h
        down = probe.loss(x, y, loss)
        probe.params[i] = keep
        out[i] = (up - down) / (2 * h)
    return out


def gradient_check(net: Network, x, y, loss: Loss, h: float = 1e-6) -> list[GradientCheckRow]:
    _, grad = net.loss_and_gradient(x, y, loss)
    grad = grad.copy()
    fd = finite_difference_gradient(net, x, y, loss, h)
    return [GradientCheckRow(n, float(g), float(f))
            for n, g, f in zip(net.param_names, grad, fd, strict=True)]
