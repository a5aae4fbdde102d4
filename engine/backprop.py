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

Asked to (`keep=True`), a call also keeps, per sample, every neuron's weighted sum,
output and dLoss/d(weighted sum), copied out of the chunks as they go (~2 ms for 6,000
samples of a 1-64-64-1 network, where computing them again sample-major took ~20). The
breakdown spells out the chain rule from these, the very numbers the gradient came
from, instead of passes of its own; the Trainer asks for them on the call whose state
the window shows (a Step's, a Run frame's last).

Measured on 10,000 samples of a 1-64-64-1 tanh network (bench/engine.py): ~30 ms a step
sample-major in one piece, ~19 ms neuron-major in chunks, ~13 ms in two lanes. The chunks'
matrix products are too small for BLAS to split over the cores itself, so the lanes do,
each with BLAS kept to one thread (two lanes each running BLAS on two threads fight over
the cores: slower than one lane). numpy releases the GIL inside each of these operations.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.losses import Loss
from engine.network import Forward, Network

CACHE_VALUES = 32_768  # values per buffer (256 KB) that chunks are sized to
TWO_LANES_FROM = 4  # chunks; fewer are not worth a second thread


@dataclass(frozen=True)
class KeptPass:
    """What a keeping call computed, per sample (rows) and neuron (columns): the forward
    pass, and each layer's deltas, dLoss/d(weighted sum) (the backward pass)."""

    forward: Forward
    deltas: list[np.ndarray]


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
        # Where a keeping call copies each layer's weighted sums, outputs and deltas: this
        # lane's columns of the Backprop's arrays (neuron-major), set by _keep_room.
        self.kept: tuple[list[np.ndarray], ...] = ([], [], [])

    def _views(self, start: int, stop: int) -> tuple:
        """(first column, then the buffers cut to this chunk's samples), made once: the
        tiny presets take ~30,000 steps a second, and every call per step shows."""
        k = stop - start

        def cut(buffers):
            return buffers if k == self.chunk else [b[:, :k] for b in buffers]
        return (start, [self.x_t[:, start:stop], *cut(self.inputs)], cut(self.pre),
                cut(self.local), cut(self.back), self.y_t[:, start:stop])

    def run(self, net: Network, loss: Loss, samples: int,
            errors: dict[str, Any] | None = None, keep: bool = False) -> float:
        """Fill `self.grad` with this share's gradient; return its share of the loss.
        With `keep`, also copy every layer's weighted sums, outputs and deltas to the
        kept arrays."""
        if errors is not None:  # numpy's error state belongs to the thread
            with np.errstate(**errors):
                return self.run(net, loss, samples, keep=keep)
        last, value = len(net.layers) - 1, 0.0
        # A cross-entropy hands back dLoss/dz of the output itself (p - y, the shortcut
        # through its softmax or sigmoid), so the output's activation is not applied again.
        fused = loss.output_activation is not None
        if fused and net.activations[last].name != loss.output_activation:
            raise ValueError(f"{loss.symbol} needs a {loss.output_activation} output layer")
        kept_pre, kept_post, kept_delta = self.kept
        for first, inputs, pre, local, back, observed in self.chunks:
            post = []
            stop = first + observed.shape[1]
            for layer, (blk, act) in enumerate(zip(net.blocks, net.activations,
                                                   strict=True)):
                # f(z) goes straight into the next layer's [a ; 1] buffer; when f' needs
                # only f(z), so does z (W·a + b·1), and f is applied in place (unless z
                # is kept: then it stays in its own buffer).
                in_place = not (act.derivative_needs_input or keep)
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
                if keep:
                    kept_pre[layer][:, first:stop] = z
                    kept_post[layer][:, first:stop] = a
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
                if keep:
                    kept_delta[layer][:, first:stop] = delta
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
        self.inputs = x
        self._kept: list[np.ndarray] = []  # weighted sums, outputs, deltas: a layer each
        self._kept_refs = 0  # how many references each kept array has from this object
        self.kept_params: np.ndarray | None = None  # the values the kept pass is of

    def __call__(self, loss: Loss, keep: bool = False) -> tuple[float, np.ndarray]:
        """The loss, and the gradient in the reused buffer `grad` (copy it to keep it).
        With `keep`, the forward and backward passes per sample too, for `kept`."""
        net, samples = self.net, self.samples
        if keep:
            self._keep_room()
            self.kept_params = None  # until the pass is complete
        if len(self.lanes) == 1:
            value = self.lanes[0].run(net, loss, samples, keep=keep)
        else:
            mine, theirs = self.lanes
            blas = _blas()
            assert blas is not None  # two lanes are made only where threadpoolctl is
            with blas.limit(limits=1, user_api="blas"):
                errors: dict[str, Any] = dict(np.geterr())
                job = _helper().submit(theirs.run, net, loss, samples, errors, keep)
                value = mine.run(net, loss, samples, keep=keep)
                value += job.result()
            self.grad += theirs.grad
        if keep:
            self.kept_params = net.params.copy()
        return value, self.grad

    def _keep_room(self) -> None:
        """The kept arrays, neuron-major (a row per neuron, a column per sample); each
        lane writes its own columns. Made at the first keeping call and reused, unless
        a pass handed out still has readers (a breakdown held on to): then they keep
        theirs, and new arrays are made (a reference count tells, as numpy's resize
        checks)."""
        if self._kept and all(sys.getrefcount(a) <= self._kept_refs for a in self._kept):
            return
        sizes, n = self.net.sizes, self.samples
        self._kept = [np.empty((size, n)) for _ in range(3) for size in sizes]
        layers = len(sizes)
        start = 0
        for lane in self.lanes:
            stop = start + lane.x_t.shape[1]
            views = [a[:, start:stop] for a in self._kept]
            lane.kept = tuple(views[k * layers:(k + 1) * layers] for k in range(3))
            start = stop
        # counted as the test above counts (a loop's variable is one more reference)
        self._kept_refs = max(sys.getrefcount(a) for a in self._kept)

    def forget_kept(self) -> None:
        """Let go of the kept arrays (readers keep theirs)."""
        self._kept, self.kept_params = [], None
        for lane in self.lanes:
            lane.kept = ([], [], [])

    def kept(self) -> KeptPass | None:
        """What the last keeping call computed, if the network's values are still the
        ones it was computed with (else None): sample-major read-only views, valid
        for as long as they are held (the next keeping call writes elsewhere then)."""
        if not self._kept or self.kept_params is None \
                or not np.array_equal(self.kept_params, self.net.params):
            return None
        views = [_read_only(a.T) for a in self._kept]
        layers = len(self.net.sizes)
        pre, post, deltas = (views[k * layers:(k + 1) * layers] for k in range(3))
        return KeptPass(Forward(self.inputs, pre, post), deltas)


def _read_only(view: np.ndarray) -> np.ndarray:
    view.flags.writeable = False
    return view


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


def blas_on_one_thread() -> None:
    """Keep numpy's BLAS to one thread for the rest of the process: an app's choice at
    its start. Training splits big data sets over its own lanes; what is left to BLAS
    is small products (a 200-point curve, a data set of under four chunks), and two BLAS
    threads on them cost far more CPU than they saved on a busy two-core machine (each
    waits for the other, spinning): a Step of 1-64-64-1 on 1,500 samples took 164 ms
    of CPU with two and 3.7 ms with one, the curve of 1-64-64-1 8 ms and 0.25 ms."""
    global _one_thread
    blas = _blas()
    if blas is not None and _one_thread is None:
        _one_thread = blas.limit(limits=1, user_api="blas")  # kept: it holds the limit


_one_thread: Any = None


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
