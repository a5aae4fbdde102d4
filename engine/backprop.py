"""Training's hot loop: the loss and the gradient of every parameter over a whole data set.

This is the same backpropagation as `breakdown.py` spells out factor by factor, written
for speed instead of for reading:

- values are stored neuron-major, one row per neuron and one column per sample (the
  transpose of `Forward`), so that f(z) and f'(z) run over contiguous memory, and a
  layer's inputs as [a ; 1] with the bias's constant 1 as the last row, so that one
  matrix product gives W·a + b and another gives the weights' and biases' gradients;
- every buffer is made once per data set and reused each step;
- big data sets go through in chunks of samples that stay in the CPU's cache.

Measured on 10,000 samples of a 1-64-64-1 tanh network (bench/engine.py): ~30 ms a step
sample-major in one piece, ~19 ms neuron-major in chunks. Two threads taking half of
the chunks each were tried and were no faster: the GIL passes between them at every
numpy call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.losses import Loss

if TYPE_CHECKING:
    from engine.network import Network

CACHE_VALUES = 32_768  # values per buffer (256 KB) that chunks are sized to


class Backprop:
    """The buffers for one network and data set, and the hot loop that uses them."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y  # held so that `is` identifies the data set
        n = x.shape[0]
        chunk = max(64, CACHE_VALUES // max(net.inputs, *net.sizes))
        self.chunk = cols = n if n < 2 * chunk else chunk
        self.x_t = np.ones((net.inputs + net.layers[0].bias, n))
        self.x_t[:net.inputs] = x.T
        self.y_t = np.ascontiguousarray(y.T)
        self.inputs = [np.ones((m + ly.bias, cols))
                       for m, ly in zip(net.sizes[:-1], net.layers[1:], strict=True)]
        self.pre = [np.empty((size, cols)) for size in net.sizes]
        self.local = [np.empty((size, cols)) for size in net.sizes]
        self.back = [np.empty((m, cols)) for m in [net.inputs, *net.sizes[:-1]]]
        self.partial = np.empty_like(net.grad)  # one chunk's gradient, added to the total
        self.partial_blocks = net._layer_blocks(self.partial)
        self.chunks = [self._views(s, min(s + cols, n)) for s in range(0, n, cols)]

    def _views(self, start: int, stop: int) -> tuple:
        """(first column, then the buffers cut to this chunk's samples), made once: the
        tiny presets take ~30,000 steps a second, and every call per step shows."""
        k = stop - start

        def cut(buffers):
            return buffers if k == self.chunk else [b[:, :k] for b in buffers]
        return (start, [self.x_t[:, start:stop], *cut(self.inputs)], cut(self.pre),
                cut(self.local), cut(self.back), self.y_t[:, start:stop])

    def __call__(self, net: Network, loss: Loss) -> float:
        """Fill `net.grad` with the gradient; return the loss."""
        last, samples, value = len(net.layers) - 1, self.x.shape[0], 0.0
        for first, inputs, pre, local, back, observed in self.chunks:
            post = []
            for layer, (blk, act) in enumerate(zip(net._blocks, net.activations,
                                                   strict=True)):
                # f(z) goes straight into the next layer's [a ; 1] buffer; when f' needs
                # only f(z), so does z (W·a + b·1), and f is applied in place.
                in_place = not act.derivative_needs_input
                if layer < last:
                    target = inputs[layer + 1][:blk.shape[0]]
                else:  # the output: its own array, unless f is applied in place
                    target = pre[layer] if in_place else None
                z = np.matmul(blk, inputs[layer], out=target if in_place else pre[layer])
                a = act.function(z, out=target)
                if not act.is_identity:  # f'(z) now, while z and f(z) are in the cache
                    act.derivative(z, a, out=local[layer])
                post.append(a)
            part, upstream = loss.value_and_derivative(post[last], observed, samples)
            value += part
            grads = net._grad_blocks if first == 0 else self.partial_blocks
            for layer in range(last, -1, -1):
                act = net.activations[layer]
                if act.is_identity:  # skip the factor 1
                    delta = upstream
                else:  # delta = upstream · f'(z), in place of f'(z)
                    delta = np.multiply(local[layer], upstream, out=local[layer])
                np.matmul(delta, inputs[layer].T, out=grads[layer])
                if layer:
                    w = net.weights[layer]
                    if w.shape[0] == 1:  # one neuron: an outer product, by broadcasting
                        upstream = np.multiply(w.T, delta, out=back[layer])
                    else:
                        upstream = np.matmul(w.T, delta, out=back[layer])
            if first:
                net.grad += self.partial
        return value
