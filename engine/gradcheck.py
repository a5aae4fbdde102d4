"""Gradient check: central finite differences beside the backprop value, so a student
can see that backprop is right."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.backprop import loss_and_gradient
from engine.landscape import batched_losses
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


def finite_difference_gradient(net: Network, x, y, loss: Loss, h: float = 1e-6,
                               chunk: int = 256, which=None) -> np.ndarray:
    """(L(p + h) − L(p − h)) / 2h for every parameter p. The nudged parameter sets go
    through the network in batches (engine.landscape), so a network of thousands of
    parameters is checked in about a second, not a minute."""
    which = np.arange(len(net.params)) if which is None else np.asarray(which)
    out = np.empty(len(which))
    for start in range(0, len(which), chunk):
        idx = which[start:start + chunk]
        sets = np.repeat(net.params[None, :], 2 * len(idx), axis=0)
        rows = np.arange(len(idx))
        sets[rows, idx] += h
        sets[len(idx) + rows, idx] -= h
        losses = batched_losses(net, sets, x, y, loss)
        out[start:start + len(idx)] = (losses[:len(idx)] - losses[len(idx):]) / (2 * h)
    return out


def gradient_check(net: Network, x, y, loss: Loss, h: float = 1e-6,
                   names: list[str] | None = None) -> list[GradientCheckRow]:
    """Backprop beside finite differences for `names` (default: every parameter)."""
    names = net.param_names if names is None else names
    which = [net.index[n] for n in names]
    _, grad = loss_and_gradient(net, x, y, loss)
    grad = grad[which]
    fd = finite_difference_gradient(net, x, y, loss, h, which=which)
    return [GradientCheckRow(n, float(g), float(f))
            for n, g, f in zip(names, grad, fd, strict=True)]
