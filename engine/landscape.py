"""The loss as a function of one or two parameters, the others held: the pictures of
gradient descent walking down a curve (one parameter) or a surface (two).

A sweep, a grid or a gradient check changes one or two parameters at a time: the network
goes forward once as it is, and each change is carried on from the neuron it touches (a
weight or bias moves one neuron's weighted sum; the layers before it do not change, and
the next one changes by that neuron's change times its weights). On a 1-64-64-1 network
over 6,000 samples a whole forward pass per point made the gradient check's 400 points
take ~4.6 s and the tangent's 161 ~1.4 s, and a 100×100 grid asked for 28 GiB at once.
The points go through in batches of at most CHUNK_VALUES values an array.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.losses import Loss
from engine.network import Forward, Network

# Values a sweep or grid computes at most (~0.1 s of np.tanh and products), above which
# it takes fewer points: a 1-64-64-1 network's first layer on 6,000 samples costs ~390,000
# values a point (a 100x100 grid: ~4 s at every Step). A small lesson keeps every point.
SWEEP_VALUES = 40_000_000
CHUNK_VALUES = 2 ** 19  # values (4 MB) an array of a batch of points holds at most:
# ~1.8x as fast as 16 MB on the 1-64-64-1 lesson's tangent (fewer pages to map afresh)


class NearbyLosses:
    """The loss of `net` over `x`, `y` with a few parameters of one layer changed, for
    many such changes, from one forward pass of the network as it is."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray, loss: Loss):
        self.net, self.y, self.loss = net, y, loss
        with np.errstate(all="ignore"):
            self.forward: Forward = net.forward(x)

    def __call__(self, names: Sequence[str], values) -> np.ndarray:
        """The loss for each row of `values` (points × names): the named parameters, all
        of one layer, at that row's values, every other parameter as it is."""
        net, fwd = self.net, self.forward
        refs = [net.ref(name) for name in names]
        layer = refs[0].layer
        if any(ref.layer != layer for ref in refs):
            raise ValueError("NearbyLosses changes parameters of one layer at a time")
        values = np.asarray(values, dtype=float).reshape(-1, len(refs))
        changes = values - net.params[[ref.index for ref in refs]]
        neurons = sorted({ref.neuron for ref in refs})
        n = len(fwd.inputs)
        widest = max([len(neurons), *net.sizes[layer:]])
        per_batch = max(1, CHUNK_VALUES // (n * widest))
        out = np.empty(len(values))
        with np.errstate(all="ignore"):
            for start in range(0, len(values), per_batch):
                part = slice(start, start + per_batch)
                out[part] = self._losses(refs, neurons, changes[part])
        return out

    def _losses(self, refs, neurons: list[int], changes: np.ndarray) -> np.ndarray:
        net, fwd = self.net, self.forward
        layer, last = refs[0].layer, len(net.layers) - 1
        source = fwd.layer_input(layer)
        # Each touched neuron's weighted sum moves by its parameters' changes times
        # their inputs (a bias's input is 1): points × samples × touched neurons.
        dz = np.zeros((len(changes), len(fwd.inputs), len(neurons)))
        for k, ref in enumerate(refs):
            through = 1.0 if ref.is_bias else source[:, ref.input]
            dz[:, :, neurons.index(ref.neuron)] += changes[:, k, None] * through
        act = net.activations[layer]
        if not act.elementwise:  # a softmax mixes the layer's neurons: all of it again
            z = np.repeat(fwd.pre[layer][None], len(changes), axis=0)
            z[:, :, neurons] += dz
            return self._onwards(act.function(z), layer)
        touched = act.function(fwd.pre[layer][:, neurons] + dz)
        if layer == last:
            a = np.repeat(fwd.post[layer][None], len(changes), axis=0)
            a[:, :, neurons] = touched
            return self._onwards(a, layer)
        # The next layer's weighted sums move by the touched outputs' change times the
        # weights from them (one neuron: a product by broadcasting, no matrix product).
        # In place from here: each array a batch makes is big, and made once.
        touched -= fwd.post[layer][:, neurons]
        weights = net.weights[layer + 1][:, neurons]
        z = touched * weights[:, 0] if len(neurons) == 1 else touched @ weights.T
        z += fwd.pre[layer + 1]
        return self._onwards(net.activations[layer + 1].function(z, out=z), layer + 1)

    def _onwards(self, a: np.ndarray, layer: int) -> np.ndarray:
        """From `layer`'s outputs (points × samples × neurons), the layers after it as
        they are, and each point's loss."""
        net = self.net
        for w, b, act in zip(net.weights[layer + 1:], net.biases[layer + 1:],
                             net.activations[layer + 1:], strict=True):
            z = a @ w.T
            if b is not None:
                z += b
            a = act.function(z, out=z)
        return self.loss.scale(a.shape[1], a.shape[2]) * \
            self.loss.elements(a, self.y).sum(axis=(1, 2))


def nearby_losses(net: Network, x, y, loss: Loss, names: Sequence[str],
                  values) -> np.ndarray:
    """The loss for each row of `values` (points × names): the named parameters at that
    row's values, every other as it is now. Parameters of several layers: for each set
    of values of those before the last of their layers, a pass of the network with them,
    and the last layer's changed from there."""
    refs = [net.ref(name) for name in names]
    values = np.asarray(values, dtype=float).reshape(-1, len(refs))
    last = max(ref.layer for ref in refs)
    late = [k for k, ref in enumerate(refs) if ref.layer == last]
    if len(late) == len(refs):
        return NearbyLosses(net, x, y, loss)(names, values)
    if little_work(net, len(x), len(values), min(ref.layer for ref in refs)):
        # whole passes of every point at once beat a pass a row in Python (a 100x100
        # grid over w1 and w3 of statquest-all: 2 ms against 10)
        sets = np.repeat(net.params[None, :], len(values), axis=0)
        sets[:, [ref.index for ref in refs]] = values
        return whole_pass_losses(net, x, y, loss, sets)
    early = [k for k, ref in enumerate(refs) if ref.layer != last]
    firsts, which = np.unique(values[:, early], axis=0, return_inverse=True)
    probe, out = net.copy(), np.empty(len(values))
    for g, first in enumerate(firsts):
        probe.params[[refs[k].index for k in early]] = first
        rows = np.flatnonzero(which.ravel() == g)
        out[rows] = NearbyLosses(probe, x, y, loss)([names[k] for k in late],
                                                    values[rows][:, late])
    return out


def whole_pass_losses(net: Network, x: np.ndarray, y: np.ndarray, loss: Loss,
                      sets: np.ndarray) -> np.ndarray:
    """The loss for each row of `sets` (points × parameters): a whole pass of the network
    per point, the points in batches of at most CHUNK_VALUES values an array. Quicker
    than NearbyLosses where the work is little in all (a small network: numpy's calls,
    not its arithmetic, take the time)."""
    per_batch = max(1, CHUNK_VALUES // (len(x) * max(net.inputs, *net.sizes)))
    out = np.empty(len(sets))
    with np.errstate(all="ignore"):
        for start in range(0, len(sets), per_batch):
            part = sets[start:start + per_batch]
            g, at, a = len(part), 0, np.broadcast_to(x, (len(part), *x.shape))
            for layer, act in zip(net.layers, net.activations, strict=True):
                fan_in = a.shape[2]
                width = fan_in + layer.bias
                block = part[:, at:at + layer.neurons * width].reshape(g, layer.neurons,
                                                                       width)
                at += layer.neurons * width
                z = a @ block[:, :, :fan_in].transpose(0, 2, 1)
                if layer.bias:
                    z = z + block[:, None, :, fan_in]
                a = act.function(z)
            out[start:start + g] = loss.scale(len(x), a.shape[2]) * \
                loss.elements(a, y).sum(axis=(1, 2))
    return out


def little_work(net: Network, samples: int, points: int, layer: int = 0) -> bool:
    """Whether `points` whole passes from `layer` on are little work in all (within
    SWEEP_VALUES): then one batch of whole passes beats a Python call a point."""
    return points * samples * sum(net.sizes[layer:]) <= SWEEP_VALUES


def affordable_points(net: Network, samples: int, names: Sequence[str], most: int,
                      least: int) -> int:
    """Points per axis for a sweep (one name) or a grid (two) of `names` over `samples`
    samples: `most`, or as many as SWEEP_VALUES allows (at least `least`). A point costs
    the values of every layer from the parameters' own neuron on."""
    layer = max(net.ref(name).layer for name in names)
    per_point = samples * (1 + sum(net.sizes[layer + 1:]))
    fit = (SWEEP_VALUES / per_point) ** (1 / len(names))
    return max(least, min(most, int(fit)))


def loss_along(net: Network, x, y, loss: Loss, name: str, values) -> np.ndarray:
    """Loss as `name` takes each of `values`, every other parameter as it is now."""
    return nearby_losses(net, x, y, loss, [name], np.asarray(values, dtype=float)[:, None])


def loss_grid(net: Network, x, y, loss: Loss, name_a: str, name_b: str, a_values,
              b_values) -> np.ndarray:
    """Loss over a grid: row j, column i is (name_a = a_values[i], name_b = b_values[j])."""
    aa, bb = np.meshgrid(a_values, b_values)
    if name_a == name_b:  # one parameter on both axes: its value is the b one's
        return loss_along(net, x, y, loss, name_b, bb.ravel()).reshape(aa.shape)
    points = np.column_stack([aa.ravel(), bb.ravel()])
    return nearby_losses(net, x, y, loss, [name_a, name_b], points).reshape(aa.shape)


def window_around(value: float, step: float, points: int, at_least: float = 1.0) -> np.ndarray:
    """Values centred on `value`, wide enough to show the next step and some more."""
    half = max(at_least, 3.0 * abs(step), 0.5 * abs(value))
    return np.linspace(value - half, value + half, points)
