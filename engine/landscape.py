"""The loss as a function of one or two parameters, the others held: the pictures of
gradient descent walking down a curve (one parameter) or a surface (two).

Every point of a sweep or grid is a whole set of parameters; all of them go through the
network at once as one batch of matrix products, so a 100×100 grid costs a few ms.
"""

from __future__ import annotations

import numpy as np

from engine.losses import Loss
from engine.network import Network


def batched_losses(net: Network, param_sets: np.ndarray, x: np.ndarray, y: np.ndarray,
                   loss: Loss) -> np.ndarray:
    """The loss for each row of `param_sets` (G × parameters), all in one pass."""
    g, s = len(param_sets), len(x)
    a = np.broadcast_to(x, (g, *x.shape))
    at = 0
    with np.errstate(all="ignore"):
        for layer, act in zip(net.layers, net.activations, strict=True):
            fan_in = a.shape[2]
            width = fan_in + layer.bias
            block = param_sets[:, at:at + layer.neurons * width].reshape(g, layer.neurons, width)
            at += layer.neurons * width
            z = a @ block[:, :, :fan_in].transpose(0, 2, 1)
            if layer.bias:
                z = z + block[:, None, :, fan_in]
            a = act.function(z)
        return loss.scale(s, a.shape[2]) * loss.elements(a, y).sum(axis=(1, 2))


def loss_along(net: Network, x, y, loss: Loss, name: str, values) -> np.ndarray:
    """Loss as `name` takes each of `values`, every other parameter as it is now."""
    sets = np.repeat(net.params[None, :], len(values), axis=0)
    sets[:, net.index[name]] = values
    return batched_losses(net, sets, x, y, loss)


def loss_grid(net: Network, x, y, loss: Loss, name_a: str, name_b: str, a_values,
              b_values) -> np.ndarray:
    """Loss over a grid: row j, column i is (name_a = a_values[i], name_b = b_values[j])."""
    aa, bb = np.meshgrid(a_values, b_values)
    sets = np.repeat(net.params[None, :], aa.size, axis=0)
    sets[:, net.index[name_a]] = aa.ravel()
    sets[:, net.index[name_b]] = bb.ravel()
    return batched_losses(net, sets, x, y, loss).reshape(aa.shape)


def window_around(value: float, step: float, points: int, at_least: float = 1.0) -> np.ndarray:
    """Values centred on `value`, wide enough to show the next step and some more."""
    half = max(at_least, 3.0 * abs(step), 0.5 * abs(value))
    return np.linspace(value - half, value + half, points)
