"""Gradient check: central finite differences beside the backprop value, so a student
can see that backprop is right."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.backprop import loss_and_gradient
from engine.landscape import NearbyLosses, little_work, whole_pass_losses
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
                               which=None) -> np.ndarray:
    """(L(p + h) − L(p − h)) / 2h for every parameter p (or those at the indices
    `which`). From one forward pass, each nudge carried on from its own neuron
    (engine.landscape.NearbyLosses): a network of thousands of parameters is checked
    in well under a second, not a minute."""
    which = np.arange(len(net.params)) if which is None else np.asarray(which)
    if little_work(net, len(x), 2 * len(which)):  # a small network: all in one batch
        sets = np.repeat(net.params[None, :], 2 * len(which), axis=0)
        nudged = np.arange(len(which))
        sets[nudged, which] += h
        sets[len(which) + nudged, which] -= h
        losses = whole_pass_losses(net, x, y, loss, sets)
        return (losses[:len(which)] - losses[len(which):]) / (2 * h)
    nearby = NearbyLosses(net, x, y, loss)
    out = np.empty(len(which))
    for k, i in enumerate(which):
        p = net.params[i]
        up, down = nearby([net.refs[i].name], [[p + h], [p - h]])
        out[k] = (up - down) / (2 * h)
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
