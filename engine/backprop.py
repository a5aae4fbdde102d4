"""Training's hot loop: the loss and the gradient of every parameter over a whole data set.

This is the same backpropagation as `breakdown.py` spells out factor by factor, written
for speed instead of for reading:

- values are stored neuron-major, one row per neuron and one column per sample (the
  transpose of `Forward`), so that f(z) and f'(z) run over contiguous memory, and a
  layer's inputs as [a ; 1] with the bias's constant 1 as the last row, so that one
  matrix product gives W·a + b and another gives the weights' and biases' gradients;
- every buffer is made once per data set and reused each step;
- big data sets go through in chunks of samples that stay in the CPU's cache, and on two
  or more cores in one thread or two ("lanes"), two while the second finds a core (a
  `LaneChoice` watches its share of the work); two lanes share the chunks a task (a run
  of chunks) at a time, each task taken by whichever lane gets to it first.

A `Backprop` is made for one network and one data set (the Trainer owns it and makes a
new one when the data change); it reads the network's parameters afresh at every call.

Asked to (`keep=True`), a call also keeps, per sample, every neuron's weighted sum,
output and dLoss/d(weighted sum), copied out of the chunks as they go (~2 ms for 6,000
samples of a 1-64-64-1 network, where computing them again sample-major took ~20). The
breakdown spells out the chain rule from these, the very numbers the gradient came
from, instead of passes of its own; the Trainer asks for them on the call whose state
the window shows (a Step's, a Run frame's last).

Why lanes take tasks as they come, and only when they pay: the second lane needs an idle
core. On a busy machine (other programs on both cores) a process gets about a core's
time whether it runs one thread or two. With fixed halves each call waited for the half
whose thread got no core: two lanes took 1.05-1.13x the time of one (1-64-64-1 tanh on
4,000 and 10,000 samples, load 1.4-2.2 on 2 cores). Taking tasks as they come, a lane
without a core takes none and the call waits for one task at most: 1.01-1.07x there;
with a core mostly idle, 0.67x (10,000 samples: 6.7 ms against 10.1). With fewer chunks
the second thread's start weighs more: 1,000 samples in two chunks took 1.2x one lane's
time on the busy machine and 0.79x with a core idle. So each Backprop watches what
share of its calls' tasks the second lane takes, and keeps to one lane while that share
is small. Each task sums its gradient into its own row
and the rows are added in order at the end, so the numbers do not depend on which lane
ran which task, nor on how many lanes there are.

BLAS is kept to one thread while a call runs, when its products are big enough for BLAS
to split them: the lanes are the parallelism, and BLAS's own threads wait for each
other spinning; on a busy machine 1,000 samples' products took 1 ms on one thread and
1.5-93 ms on two (medians of three runs of bench/engine.py --blas-threads-too). numpy
releases the GIL inside each of these operations.
"""

from __future__ import annotations

import os
import queue
import statistics
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.losses import Loss
from engine.network import Forward, Network

CACHE_VALUES = 32_768  # values per buffer (256 KB) that chunks are sized to
MOST_TASKS = 16  # gradient rows of a call: the lanes take a task (run of chunks) at a time
RETRY_EVERY = 32  # calls: how often two lanes are tried again once one was chosen
FAIR_SHARE = 0.25  # of a call's tasks, taken by the second lane: two lanes pay


@dataclass(frozen=True)
class KeptPass:
    """What a keeping call computed, per sample (rows) and neuron (columns): the forward
    pass, and each layer's deltas, dLoss/d(weighted sum) (the backward pass)."""

    forward: Forward
    deltas: list[np.ndarray]


class _Lane:
    """One thread's buffers, sized for a chunk, and every chunk's views of them (a lane
    may run any chunk: they are handed out as the lanes get to them)."""

    def __init__(self, net: Network, x_t: np.ndarray, y_t: np.ndarray,
                 chunks: list[tuple[int, int]]):
        cols = max(stop - start for start, stop in chunks)
        self.inputs = [np.ones((m + ly.bias, cols))
                       for m, ly in zip(net.sizes[:-1], net.layers[1:], strict=True)]
        self.pre = [np.empty((size, cols)) for size in net.sizes]
        self.local = [np.empty((size, cols)) for size in net.sizes]
        self.back = [np.empty((m, cols)) for m in [net.inputs, *net.sizes[:-1]]]
        self.partial = np.empty_like(net.params)  # one chunk's gradient, added to a task's
        self.partial_blocks = net.layer_blocks(self.partial)

        def views(start: int, stop: int) -> tuple:
            """(first column, then the buffers cut to this chunk's samples), made once:
            the tiny presets take ~30,000 steps a second, and every call per step shows."""
            def cut(buffers):
                return buffers if stop - start == cols else [b[:, :stop - start]
                                                              for b in buffers]
            return (start, [x_t[:, start:stop], *cut(self.inputs)], cut(self.pre),
                    cut(self.local), cut(self.back), y_t[:, start:stop])
        self.chunks = [views(start, stop) for start, stop in chunks]

    def run(self, net: Network, loss: Loss, samples: int, chunks: range,
            grads: list[np.ndarray], kept: tuple[list[np.ndarray], ...],
            keep: bool = False) -> float:
        """The loss of `chunks` (a task: a run of chunks), and their gradient summed in
        order into `grads` (a task's gradient, cut into layer blocks). With `keep`, also
        copy every layer's weighted sums, outputs and deltas to the `kept` arrays."""
        last, value = len(net.layers) - 1, 0.0
        # A cross-entropy hands back dLoss/dz of the output itself (p - y, the shortcut
        # through its softmax or sigmoid), so the output's activation is not applied again.
        fused = loss.output_activation is not None
        if fused and net.activations[last].name != loss.output_activation:
            raise ValueError(f"{loss.symbol} needs a {loss.output_activation} output layer")
        kept_pre, kept_post, kept_delta = kept
        for k in chunks:
            first, inputs, pre, local, back, observed = self.chunks[k]
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
                # Kept, z goes straight into its own columns of the kept array (BLAS
                # writes a block of a wider matrix as well as a whole one): no copy after.
                z_out = kept_pre[layer][:, first:stop] if keep else \
                    (target if in_place else pre[layer])
                z = np.matmul(blk, inputs[layer], out=z_out)
                if act.elementwise:
                    a = act.function(z, out=target)
                else:  # softmax runs along the neurons: the last axis of the transpose
                    a = act.function(z.T, out=None if target is None else target.T).T
                if not (act.is_identity or (fused and layer == last)):
                    # f'(z) now, while z and f(z) are in the cache
                    act.derivative(z, a, out=local[layer])
                if keep:
                    kept_post[layer][:, first:stop] = a
                post.append(a)
            part, upstream = loss.value_and_derivative(post[last], observed, samples,
                                                       net.sizes[last])
            value += part
            into = grads if k == chunks.start else self.partial_blocks
            for layer in range(last, -1, -1):
                act = net.activations[layer]
                if act.is_identity or (fused and layer == last):  # dLoss/dz already
                    delta = upstream
                elif not act.elementwise:  # the softmax Jacobian, without the shortcut
                    a = post[layer]
                    delta = a * (upstream - np.sum(upstream * a, axis=0, keepdims=True))
                else:  # delta = upstream · f'(z), in place of f'(z) (kept: in its columns)
                    delta = np.multiply(local[layer], upstream, out=kept_delta[layer][
                        :, first:stop] if keep else local[layer])
                if keep and delta.base is not kept_delta[layer]:
                    kept_delta[layer][:, first:stop] = delta
                np.matmul(delta, inputs[layer].T, out=into[layer])
                if layer:
                    w = net.weights[layer]
                    if w.shape[0] == 1:  # one neuron: an outer product, by broadcasting
                        upstream = np.multiply(w.T, delta, out=back[layer])
                    else:
                        upstream = np.matmul(w.T, delta, out=back[layer])
            if k != chunks.start:
                for total, part_grad in zip(grads, self.partial_blocks, strict=True):
                    total += part_grad
        return value


class LaneChoice:
    """Two lanes or one for a Backprop's next call, from whether the second lane does its
    share of the tasks: with a core to run on it takes about half of them, without one
    few or none, and the call waits for what it took (1,000 samples of 1-64-64-1 in two
    chunks: 1.2x one lane's time). Two lanes until the second lane's share falls under
    FAIR_SHARE (the median of its last three calls); then one lane, and two again for
    three calls in every RETRY_EVERY, kept if it does its share again, since the
    machine's load comes and goes.

    Why the share and not the time: told apart by their times, each way had to be tried
    in turn, the slower too, three calls in every RETRY_EVERY (a Step on a 4,353-parameter
    network 12 ms slower each time: its p95), and a ~1 ms call's times, often late by
    half of it, could not tell them apart (1,000 samples ran in one lane for a fifth of
    their calls, at 1.4x two lanes' time)."""

    def __init__(self) -> None:
        self.shares: deque[float] = deque(maxlen=3)  # the second lane's, last calls
        self.one_lane = False
        self.calls = 0  # since one lane was chosen

    def lanes(self) -> int:
        if not self.one_lane:
            return 2
        self.calls += 1
        return 2 if self.calls % RETRY_EVERY >= RETRY_EVERY - 3 else 1

    def took(self, lanes: int, share: float) -> None:
        """What the second lane's share of a call's tasks was, in two lanes."""
        if lanes != 2:
            return
        self.shares.append(share)
        if len(self.shares) < 3:
            return
        fair = statistics.median(self.shares) >= FAIR_SHARE
        if fair == self.one_lane:  # a change: judged on fresh calls from here
            self.one_lane, self.calls = not fair, 0
            self.shares.clear()


class Backprop:
    """The chunks, tasks and lanes for one network and data set; `grad` is the reused
    output buffer."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray):
        self.net, self.samples = net, x.shape[0]
        n = x.shape[0]
        # as many chunks as fit the cache, all of a size (a ragged last one wastes a lane)
        most = max(64, CACHE_VALUES // max(net.inputs, *net.sizes))
        self.chunk = -(-n // -(-n // most))
        chunks = [(s, min(s + self.chunk, n)) for s in range(0, n, self.chunk)]
        # Tasks: runs of chunks, each summing its gradient into its own row, added up in
        # order at the end: the same numbers whichever lane ran which task.
        tasks = min(len(chunks), MOST_TASKS)
        self.tasks = [range(len(chunks) * t // tasks, len(chunks) * (t + 1) // tasks)
                      for t in range(tasks)]
        self.task_grads = np.zeros((tasks, len(net.params)))
        self.task_blocks = [net.layer_blocks(row) for row in self.task_grads]
        self.grad = self.task_grads[0] if tasks == 1 else np.zeros_like(net.params)
        x_t = np.ones((net.inputs + net.layers[0].bias, n))
        x_t[:net.inputs] = x.T
        y_t = np.ascontiguousarray(y.T)
        lanes = 2 if len(chunks) >= 2 and (os.cpu_count() or 1) >= 2 \
            and _blas() is not None else 1
        self.lanes = [_Lane(net, x_t, y_t, chunks) for _ in range(lanes)]
        # How many of them a call uses; keeping calls, which also copy values out and
        # take longer, are timed and chosen for apart from the others.
        self.lane_choices = {False: LaneChoice(), True: LaneChoice()}
        # OpenBLAS splits a product over its threads from 2^18 multiply-adds (its
        # interface/gemm.c): from there BLAS is kept to one thread while a call runs.
        widest = max(blk.size for blk in net.blocks)
        self.one_blas_thread = widest * self.chunk >= 2 ** 18 and _blas() is not None
        self.inputs = x
        self.tasks_run = self.tasks_helped = 0  # ever, and by the second lane (bench)
        self._kept: list[np.ndarray] = []  # weighted sums, outputs, deltas: a layer each
        self._kept_layers: tuple[list[np.ndarray], ...] = ([], [], [])  # the same, by kind
        self._kept_refs = 0  # how many references each kept array has from this object
        self.kept_params: np.ndarray | None = None  # the values the kept pass is of

    def __call__(self, loss: Loss, keep: bool = False) -> tuple[float, np.ndarray]:
        """The loss, and the gradient in the reused buffer `grad` (copy it to keep it).
        With `keep`, the forward and backward passes per sample too, for `kept`."""
        if keep:
            self._keep_room()
            self.kept_params = None  # until the pass is complete
        choice = self.lane_choices[keep]
        lanes = 1 if len(self.lanes) == 1 else choice.lanes()
        helped = self.tasks_helped
        if not self.one_blas_thread:
            value = self._work(loss, keep, lanes)
        else:
            with _one_blas_thread():
                value = self._work(loss, keep, lanes)
        if len(self.lanes) > 1:
            choice.took(lanes, (self.tasks_helped - helped) / len(self.tasks))
        self.tasks_run += len(self.tasks)
        if len(self.tasks) > 1:
            np.sum(self.task_grads, axis=0, out=self.grad)
        if keep:
            self.kept_params = self.net.params.copy()
        return value, self.grad

    def _work(self, loss: Loss, keep: bool, lanes: int) -> float:
        """Run every task; the sum of their losses, in order. In two lanes, the tasks
        go to whichever lane gets to them first: with an idle core the helper takes
        about half of them; on a busy machine, where it waits to be scheduled, fewer or
        none, and this thread the rest."""
        net, samples, kept, lane = self.net, self.samples, self._kept_layers, self.lanes[0]
        if lanes == 1:
            return sum([lane.run(net, loss, samples, chunks, blocks, kept, keep)
                        for chunks, blocks in zip(self.tasks, self.task_blocks, strict=True)])
        values = [0.0] * len(self.tasks)

        def take(lane: _Lane, todo: _Queue) -> int:
            done = 0
            for t in todo:
                values[t] = lane.run(net, loss, samples, self.tasks[t], self.task_blocks[t],
                                     kept, keep)
                done += 1
            return done
        todo = _Queue(len(self.tasks))
        errors: dict[str, Any] = dict(np.geterr())  # numpy's error state is per thread
        helper = _helper().submit(_with_errors, errors, take, self.lanes[1], todo)
        try:
            take(lane, todo)
        finally:  # even after an error: the next call must not meet it still at work
            # started: wait for its last task; not started yet: it never will (cancelled)
            if not helper.cancel():
                self.tasks_helped += helper.result()
        return sum(values)

    def _keep_room(self) -> None:
        """The kept arrays, neuron-major (a row per neuron, a column per sample); each
        chunk writes its own columns. Made at the first keeping call and reused, unless
        a pass handed out still has readers (a breakdown held on to): then they keep
        theirs, and new arrays are made (a reference count tells, as numpy's resize
        checks)."""
        if self._kept and all(sys.getrefcount(a) <= self._kept_refs for a in self._kept):
            return
        sizes, n = self.net.sizes, self.samples
        self._kept = [np.empty((size, n)) for _ in range(3) for size in sizes]
        layers = len(sizes)
        self._kept_layers = tuple(self._kept[k * layers:(k + 1) * layers] for k in range(3))
        # counted as the test above counts (a loop's variable is one more reference)
        self._kept_refs = max(sys.getrefcount(a) for a in self._kept)

    def forget_kept(self) -> None:
        """Let go of the kept arrays (readers keep theirs)."""
        self._kept, self.kept_params = [], None
        self._kept_layers = ([], [], [])

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


class _Queue:
    """Task numbers 0, 1, … handed out once each to whichever thread asks first."""

    def __init__(self, tasks: int):
        self._todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for t in range(tasks):
            self._todo.put(t)

    def __iter__(self) -> Iterator[int]:
        while True:
            try:
                yield self._todo.get_nowait()
            except queue.Empty:
                return


def _with_errors(errors: dict[str, Any], work, *args):
    with np.errstate(**errors):
        return work(*args)


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
    its start. A `Backprop` call keeps BLAS to one thread itself; what is left to BLAS
    is the window's other products (a 200-point curve, a forward pass for a plot), and
    two BLAS threads on them cost far more CPU than they saved on a busy two-core
    machine (each waits for the other, spinning): a Step of 1-64-64-1 on 1,500 samples
    took 164 ms of CPU with two and 3.7 ms with one, the curve of 1-64-64-1 8 ms and
    0.25 ms."""
    global _one_thread
    blas = _blas()
    if blas is not None and _one_thread is None:
        _one_thread = blas.limit(limits=1, user_api="blas")  # kept: it holds the limit


_one_thread: Any = None
_blas_libraries: list[Any] | None = None


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread while inside, then as it was (set directly: threadpoolctl's
    `limit` took ~13 µs a call, this ~2)."""
    global _blas_libraries
    if _blas_libraries is None:
        _blas_libraries = _blas().select(user_api="blas").lib_controllers
    libraries = _blas_libraries
    before = [lib.get_num_threads() for lib in libraries]
    for lib in libraries:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, threads in zip(libraries, before, strict=True):
            lib.set_num_threads(threads)


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
