"""Gradient descent as the articles write it:

    step size = slope × learning rate
    new value = old value − step size        (trainable parameters only)

repeated until every step size is below a threshold or a maximum number of steps.
The history keeps, for every step k, the loss, every parameter and slope, and the step
sizes, in numpy arrays that grow by doubling (no Python object per step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.backprop import Backprop
from engine.losses import LOSSES
from engine.network import Network


class StopReason(StrEnum):
    CONVERGED = "converged"  # every step size fell below the threshold
    MAX_STEPS = "max_steps"  # the lesson's maximum number of steps was reached
    STEPS_DONE = "steps_done"  # the number of steps asked for was taken
    DIVERGED = "diverged"  # the next update would make a value non-finite


@dataclass(frozen=True)
class StopRule:
    min_step_size: float = 0.001
    max_steps: int = 10_000


def even_rows(total: int, count: int) -> np.ndarray:
    """`count` row indices spread evenly over `total` rows, always ending with the newest
    (what a plot, an autosave or a check keeps of a long history). All rows if fewer."""
    if total <= count:
        return np.arange(total)
    return np.linspace(0, total - 1, count).astype(int)


@dataclass(frozen=True)
class HistoryRows:
    """Rows taken out of a History (by `cut`), to be put back by `extend`."""

    step_numbers: np.ndarray
    loss: np.ndarray
    params: np.ndarray
    grads: np.ndarray
    step_sizes: np.ndarray

    def __len__(self) -> int:
        return len(self.step_numbers)

    @property
    def last_step(self) -> int | None:
        return int(self.step_numbers[-1]) if len(self) else None


class History:
    """Row k holds the state before one update: its step number, the loss, every
    parameter, slope and step size. Rows live in numpy arrays that grow by doubling.

    Memory stays bounded on long runs: when `max_rows` rows are full, every other row is
    dropped (the newest is always kept), so a million steps keep an even sample of the
    whole run with the recent steps dense. `steps` says which step each row is."""

    COLUMNS = ("_step_numbers", "_loss", "_params", "_grads", "_step_sizes")

    def __init__(self, n_params: int, capacity: int = 256, max_rows: int = 100_000):
        self._n = 0
        self._last_step = -1  # a Python int: reading it back from numpy costs the hot loop
        self.max_rows = max_rows
        self._step_numbers = np.empty(capacity, dtype=np.int64)
        self._loss = np.empty(capacity)
        self._params = np.empty((capacity, n_params))
        self._grads = np.empty((capacity, n_params))
        self._step_sizes = np.empty((capacity, n_params))

    def __len__(self) -> int:
        return self._n

    @property
    def last_step(self) -> int:
        """The step number of the newest row (-1 while empty)."""
        return self._last_step

    def append(self, loss: float, params, grads, step_sizes, step: int | None = None) -> None:
        if self._n == len(self._loss):
            self._grow()
        k = self._n
        self._last_step = step = self._last_step + 1 if step is None else step
        self._step_numbers[k] = step
        self._loss[k] = loss
        self._params[k] = params
        self._grads[k] = grads
        self._step_sizes[k] = step_sizes
        self._n = k + 1

    def replace_last(self, loss: float, params, grads, step_sizes) -> None:
        self._n -= 1
        self.append(loss, params, grads, step_sizes, step=int(self._step_numbers[self._n]))

    def last_step_sizes(self) -> np.ndarray:
        """The newest row's step sizes, as a view (the training loop's read)."""
        return self._step_sizes[self._n - 1]

    def last_params(self) -> np.ndarray:
        return self._params[self._n - 1]

    def truncate(self, length: int) -> None:
        self._n = max(0, min(length, self._n))
        self._last_step = int(self._step_numbers[self._n - 1]) if self._n else -1

    def row_of_step(self, step: int) -> int:
        """The row holding `step`, or the last row before it if that step was thinned."""
        return max(0, int(np.searchsorted(self.steps, step, side="right")) - 1)

    def _grow(self) -> None:
        if self._n >= self.max_rows:
            # Keep rows 0, 2, 4, … and the newest. A strided slice, not an index array:
            # this runs mid-Run, and the slice copies several times faster.
            n = self._n
            half = len(range(0, n - 1, 2))
            for attr in self.COLUMNS:
                array = getattr(self, attr)
                last = array[n - 1].copy()
                array[:half] = array[0:n - 1:2].copy()
                array[half] = last
            self._n = half + 1
            return
        for attr in self.COLUMNS:
            old = getattr(self, attr)
            new = np.empty((2 * len(old), *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, attr, new)

    def rows(self, which=slice(None)) -> HistoryRows:
        """Copies of the rows `which` (an index array or slice of the filled rows)."""
        return HistoryRows(self.steps[which].copy(), self.loss[which].copy(),
                           self.params[which].copy(), self.grads[which].copy(),
                           self.step_sizes[which].copy())

    def cut(self, length: int) -> HistoryRows:
        """Drop the rows from `length` on and return them, for `extend`."""
        length = max(1, min(length, self._n))
        tail = self.rows(slice(length, self._n))
        self.truncate(length)
        return tail

    def extend(self, tail: HistoryRows) -> None:
        """Put back rows returned by `cut` (undo of a rewind, redo of a run)."""
        for k in range(len(tail)):
            self.append(tail.loss[k], tail.params[k], tail.grads[k], tail.step_sizes[k],
                        step=int(tail.step_numbers[k]))

    @classmethod
    def from_rows(cls, rows: HistoryRows, max_rows: int = 100_000) -> History:
        """A history rebuilt from saved rows (autosave); checks they fit together."""
        n, width = np.shape(rows.params)
        if n == 0 or any(len(a) != n for a in (rows.step_numbers, rows.loss, rows.grads,
                                                rows.step_sizes)):
            raise ValueError("history columns of unequal length")
        if np.shape(rows.grads) != (n, width) or np.shape(rows.step_sizes) != (n, width):
            raise ValueError("history columns of unequal width")
        if np.any(np.diff(rows.step_numbers) <= 0) or rows.step_numbers[0] < 0:
            raise ValueError("history step numbers must increase from 0 or more")
        hist = cls(width, capacity=max(n, 16), max_rows=max(max_rows, n))
        hist._step_numbers[:n], hist._loss[:n] = rows.step_numbers, rows.loss
        hist._params[:n], hist._grads[:n] = rows.params, rows.grads
        hist._step_sizes[:n] = rows.step_sizes
        hist._n, hist._last_step = n, int(rows.step_numbers[-1])
        return hist

    # Read-only views of the rows filled so far.
    @property
    def steps(self) -> np.ndarray:
        """The step number of each row (rows of a long run are thinned)."""
        return self._step_numbers[: self._n]

    @property
    def loss(self) -> np.ndarray:
        return self._loss[: self._n]

    @property
    def params(self) -> np.ndarray:
        return self._params[: self._n]

    @property
    def grads(self) -> np.ndarray:
        return self._grads[: self._n]

    @property
    def step_sizes(self) -> np.ndarray:
        return self._step_sizes[: self._n]


@dataclass(frozen=True)
class Update:
    """One parameter's gradient-descent update, as the articles write it:
    step size = slope × learning rate; new value = old value − step size.
    The numbers are the ones the trainer itself uses for its next step."""

    parameter: str
    value: float
    slope: float
    learning_rate: float
    step_size: float  # 0 for a frozen parameter
    trainable: bool

    @property
    def new_value(self) -> float:
        return self.value - self.step_size


def stop_sentence(reason: StopReason, steps_done: int, stop: StopRule) -> str:
    """Why training stopped, naming the rule that stopped it."""
    if reason is StopReason.CONVERGED:
        return (f"Stopped after {steps_done} steps by the lesson's stop rule: every step "
                f"size is below {stop.min_step_size:g}.")
    if reason is StopReason.MAX_STEPS:
        return f"Stopped at the lesson's limit of {stop.max_steps} steps."
    if reason is StopReason.DIVERGED:
        return (f"Training diverged: step {steps_done + 1} would make the loss or a slope "
                "infinite. The last finite state is kept; lower the learning rate.")
    return f"Took the steps asked for: {steps_done} steps done."


class Trainer:
    """Runs gradient descent on a copy of a lesson's network and records every step."""

    def __init__(self, network: Network, inputs: np.ndarray, targets: np.ndarray,
                 loss: str, learning_rate: float, trainable=None, stop: StopRule | None = None):
        self.network = network
        self.inputs = inputs
        self.targets = targets
        self._backprop = Backprop(network, inputs, targets)  # buffers for this data set
        self.loss_function = LOSSES[loss]
        self.learning_rate = learning_rate
        self.stop = stop or StopRule()
        self.mask = np.ones_like(network.params)
        self.set_trainable(trainable)
        self.history = History(len(network.params))
        self.history.append(*self._evaluate())

    # --- state -------------------------------------------------------------------
    @property
    def steps_done(self) -> int:
        return self.history.last_step

    @property
    def loss(self) -> float:
        return float(self.history.loss[-1])

    @property
    def grads(self) -> np.ndarray:
        return self.history.grads[-1]

    @property
    def step_sizes(self) -> np.ndarray:
        return self.history.step_sizes[-1]

    @property
    def trainable(self) -> list[str]:
        return [n for n, m in zip(self.network.param_names, self.mask, strict=True) if m]

    def update(self, name: str) -> Update:
        """The next update of parameter `name`, with the numbers the next step uses."""
        i = self.network.index[name]
        return Update(name, float(self.network.params[i]), float(self.grads[i]),
                      self.learning_rate, float(self.step_sizes[i]), bool(self.mask[i]))

    def converged(self) -> bool:
        return float(np.max(np.abs(self.step_sizes), initial=0.0)) < self.stop.min_step_size

    # --- changes that keep the step count but change the current state -------------
    def set_trainable(self, names) -> None:
        known = set(self.network.param_names)
        chosen = known if names is None else set(names)
        if not chosen <= known:
            raise KeyError(f"unknown parameter(s): {', '.join(sorted(chosen - known))}")
        self.mask[:] = [name in chosen for name in self.network.param_names]
        self._refresh()

    def set_learning_rate(self, rate: float) -> None:
        self.learning_rate = rate
        self._refresh()

    def set_param(self, name: str, value: float) -> None:
        self.network.params[self.network.index[name]] = value
        self._refresh()

    def set_params(self, values) -> None:
        self.network.set_params(values)
        self._refresh()

    def set_data(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        if inputs is not self.inputs or targets is not self.targets:
            self._backprop = Backprop(self.network, inputs, targets)
        self.inputs, self.targets = inputs, targets
        self._refresh()

    def _refresh(self) -> None:
        if hasattr(self, "history"):
            self.history.replace_last(*self._evaluate())

    def _evaluate(self):
        with np.errstate(all="ignore"):
            value, grad = self._backprop(self.loss_function)
            return value, self.network.params, grad, grad * (self.learning_rate * self.mask)

    # --- gradient descent --------------------------------------------------------
    def step(self) -> StopReason:
        """One update: STEPS_DONE, or DIVERGED (changing nothing) if it would go
        non-finite."""
        return self.run(1, respect_stop_rule=False)

    def adopt_history(self, history: History) -> None:
        """Continue from a saved history: its last row becomes the current state."""
        if history.params.shape[1] != len(self.network.params):
            raise ValueError("the saved history belongs to a different network")
        self.history = history
        self.network.set_params(history.params[-1])
        self._refresh()

    def rewind(self, step: int) -> HistoryRows:
        """Go back to the state before update `step`; returns the rows from it on,
        which `restore` puts back exactly.

        The row of `step` is evaluated again under today's learning rate, trainable set
        and data: it was recorded under those of its time, and an edit since (a new
        learning rate at step 9, then back to step 8) would otherwise leave a loss and
        slopes that disagree with the data shown, and a next Step taken with yesterday's
        step sizes. Its original goes first in the returned rows."""
        hist = self.history
        keep = hist.row_of_step(step) + 1
        tail = hist.rows(slice(keep - 1, len(hist)))
        hist.truncate(keep)
        self.network.set_params(hist.params[-1])
        self._refresh()
        return tail

    def restore(self, tail: HistoryRows) -> None:
        """Undo `rewind`: its re-evaluated row gives way to the rows it returned."""
        self.history.truncate(len(self.history) - 1)
        self.history.extend(tail)
        self.network.set_params(self.history.params[-1])

    def run(self, max_steps: int | None = None, respect_stop_rule: bool = True) -> StopReason:
        """Take updates until the stop rule holds, `max_steps` are done, or training
        diverges. Without `max_steps` the lesson's maximum applies."""
        hist, backprop, loss = self.history, self._backprop, self.loss_function
        params, rate_mask = self.network.params, self.learning_rate * self.mask
        limit = self.stop.max_steps - self.steps_done if max_steps is None else max_steps
        threshold = self.stop.min_step_size if respect_stop_rule else -1.0
        with np.errstate(all="ignore"):  # non-finite values are caught below, not warned
            for _ in range(max(limit, 0)):
                steps = hist.last_step_sizes()
                if respect_stop_rule and abs(steps).max() < threshold:
                    return StopReason.CONVERGED
                params -= steps
                value, grad = backprop(loss)
                # One sum tells: a NaN or infinity anywhere makes it non-finite.
                if not math.isfinite(value + grad.sum()):
                    params[:] = hist.last_params()  # keep the last finite state
                    backprop(loss)
                    return StopReason.DIVERGED
                hist.append(value, params, grad, grad * rate_mask)
        if respect_stop_rule and self.converged():
            return StopReason.CONVERGED
        return StopReason.STEPS_DONE if max_steps is not None else StopReason.MAX_STEPS
