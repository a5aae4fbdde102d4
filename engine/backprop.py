"""Training's hot loop: the loss and the gradient of every parameter over a whole data set.

This is the same backpropagation as `breakdown.py` spells out factor by factor, written
for speed instead of for reading:

- values are stored neuron-major, one row per neuron and one column per sample (the
  transpose of `Forward`), so that f(z) and f'(z) run over contiguous memory, and a
  layer's inputs as [a ; 1] with the bias's constant 1 as the last row, so that one
  matrix product gives W·a + b and another gives the weights' and biases' gradients;
- every buffer is made once per data set and reused each step;
- big data sets go through in chunks of samples that stay in the CPU's cache, and on two
  or more cores two threads ("lanes") take half of the chunks each.

A `Backprop` is made for one network and one data set (the Trainer owns it and makes a
new one when the data change); it reads the network's parameters afresh at every call.

Measured on 10,000 samples of a 1-64-64-1 tanh network (bench/engine.py): ~30 ms a step
sample-major in one piece, ~19 ms neuron-major in chunks, ~13 ms in two lanes. The chunks'
matrix products are too small for BLAS to split over the cores itself, so the lanes do,
each with BLAS kept to one thread (two lanes each running BLAS on two threads fight over
the cores: slower than one lane). numpy releases the GIL inside each of these operations.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from engine.losses import Loss
from engine.network import Network

CACHE_VALUES = 32_768  # values per buffer (256 KB) that chunks are sized to
TWO_LANES_FROM = 4  # chunks; fewer are not worth a second thread


class _Lane:
    """One thread's share of the samples: its buffers, chunk views and running gradient."""

    def __init__(self, net: Network, x_t: np.ndarray, y_t: np.ndarray, chunk: int,
                 grad: np.ndarray):
        n = x_t.shape[1]
        self.chunk = cols = min(chunk, n)
        self.x_t, self.y_t = x_t, y_t
        self.inputs = [np.ones((m + ly.bias, cols))
                       for m, ly in zip(net.sizes[:-1], net.layers[1:], strict=True)]
        self.pre = [np.empty((size, cols)) for size in net.sizes]
        self.local = [np.empty((size, cols)) for size in net.sizes]
        self.back = [np.empty((m, cols)) for m in [net.inputs, *net.sizes[:-1]]]
        self.grad, self.grad_blocks = grad, net.layer_blocks(grad)
        self.partial = np.empty_like(grad)  # one chunk's gradient, added to the total
        self.partial_blocks = net.layer_blocks(self.partial)
        self.chunks = [self._views(s, min(s + cols, n)) for s in range(0, n, cols)]

    def _views(self, start: int, stop: int) -> tuple:
        """(first column, then the buffers cut to this chunk's samples), made once: the
        tiny presets take ~30,000 steps a second, and every call per step shows."""
        k = stop - start

        def cut(buffers):
            return buffers if k == self.chunk else [b[:, :k] for b in buffers]
        return (start, [self.x_t[:, start:stop], *cut(self.inputs)], cut(self.pre),
                cut(self.local), cut(self.back), self.y_t[:, start:stop])

    def run(self, net: Network, loss: Loss, samples: int,
            errors: dict[str, Any] | None = None) -> float:
        """Fill `self.grad` with this share's gradient; return its share of the loss."""
        if errors is not None:  # numpy's error state belongs to the thread
            with np.errstate(**errors):
                return self.run(net, loss, samples)
        last, value = len(net.layers) - 1, 0.0
        # A cross-entropy hands back dLoss/dz of the output itself (p - y, the shortcut
        # through its softmax or sigmoid), so the output's activation is not applied again.
        fused = loss.output_activation is not None
        if fused and net.activations[last].name != loss.output_activation:
            raise ValueError(f"{loss.symbol} needs a {loss.output_activation} output layer")
        for first, inputs, pre, local, back, observed in self.chunks:
            post = []
            for layer, (blk, act) in enumerate(zip(net.blocks, net.activations,
                                                   strict=True)):
                # f(z) goes straight into the next layer's [a ; 1] buffer; when f' needs
                # only f(z), so does z (W·a + b·1), and f is applied in place.
                in_place = not act.derivative_needs_input
                if layer < last:
                    target = inputs[layer + 1][:blk.shape[0]]
                else:  # the output: its own array, unless f is applied in place
                    target = pre[layer] if in_place else None
                z = np.matmul(blk, inputs[layer], out=target if in_place else pre[layer])
                if act.elementwise:
                    a = act.function(z, out=target)
                else:  # softmax runs along the neurons: the last axis of the transpose
                    a = act.function(z.T, out=None if target is None else target.T).T
                if not (act.is_identity or (fused and layer == last)):
                    # f'(z) now, while z and f(z) are in the cache
                    act.derivative(z, a, out=local[layer])
                post.append(a)
            part, upstream = loss.value_and_derivative(post[last], observed, samples,
                                                       net.sizes[last])
            value += part
            grads = self.grad_blocks if first == 0 else self.partial_blocks
            for layer in range(last, -1, -1):
                act = net.activations[layer]
                if act.is_identity or (fused and layer == last):  # dLoss/dz already
                    delta = upstream
                elif not act.elementwise:  # the softmax Jacobian, without the shortcut
                    a = post[layer]
                    delta = a * (upstream - np.sum(upstream * a, axis=0, keepdims=True))
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
                self.grad += self.partial
        return value


class Backprop:
    """The lanes for one network and data set; `grad` is the reused output buffer."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray):
        self.net, self.samples = net, x.shape[0]
        self.grad = np.zeros_like(net.params)
        n = x.shape[0]
        chunk = max(64, CACHE_VALUES // max(net.inputs, *net.sizes))
        if n < 2 * chunk:
            chunk = n
        x_t = np.ones((net.inputs + net.layers[0].bias, n))
        x_t[:net.inputs] = x.T
        y_t = np.ascontiguousarray(y.T)
        chunks = -(-n // chunk)
        if chunks >= TWO_LANES_FROM and (os.cpu_count() or 1) >= 2 and _blas() is not None:
            half = chunks // 2 * chunk
            self.lanes = [_Lane(net, x_t[:, :half], y_t[:, :half], chunk, self.grad),
                          _Lane(net, x_t[:, half:], y_t[:, half:], chunk,
                                np.empty_like(self.grad))]
        else:
            self.lanes = [_Lane(net, x_t, y_t, chunk, self.grad)]
        self.chunk = chunk

    def __call__(self, loss: Loss) -> tuple[float, np.ndarray]:
        """The loss, and the gradient in the reused buffer `grad` (copy it to keep it)."""
        net, samples = self.net, self.samples
        if len(self.lanes) == 1:
            return self.lanes[0].run(net, loss, samples), self.grad
        mine, theirs = self.lanes
        blas = _blas()
        assert blas is not None  # two lanes are made only where threadpoolctl is
        with blas.limit(limits=1, user_api="blas"):
            errors: dict[str, Any] = dict(np.geterr())
            job = _helper().submit(theirs.run, net, loss, samples, errors)
            value = mine.run(net, loss, samples)
            value += job.result()
        self.grad += theirs.grad
        return value, self.grad


def loss_and_gradient(net: Network, x: np.ndarray, y: np.ndarray,
                      loss: Loss) -> tuple[float, np.ndarray]:
    """The loss and dLoss/dparameter (a new array, laid out as `net.params`) once, for a
    check or a test; training keeps one `Backprop` and its buffers instead."""
    value, grad = Backprop(net, x, y)(loss)
    return value, grad.copy()


_pool: ThreadPoolExecutor | None = None
_controller: Any = None


def _helper() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(1, thread_name_prefix="backprop-lane")
    return _pool


def _blas():
    """threadpoolctl's handle on numpy's BLAS, made when first needed (it inspects the
    loaded libraries: ~10 ms); None where threadpoolctl is missing: then one lane."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
        except ImportError:
            _controller = False
        else:
            _controller = ThreadpoolController()
    return _controller or None
