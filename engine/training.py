"""Gradient descent as the articles write it:

    step size = slope × learning rate
    new value = old value − step size        (trainable parameters only)

repeated until every step size is below a threshold or a maximum number of steps.
The history keeps, for every step k, the loss, every parameter and slope, and the step
sizes, in numpy arrays that grow by doubling (no Python object per step).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.backprop import Backprop, KeptPass
from engine.batching import Batching
from engine.fast_rules import advance
from engine.losses import LOSSES
from engine.network import Network
from engine.optimizers import Optimizer, Step
from engine.schedules import Schedule
from engine.validation import Validation


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
    if count <= 1:  # the newest alone (or none)
        return np.arange(total - max(count, 0), total)
    return np.linspace(0, total - 1, count).astype(int)


@dataclass(frozen=True)
class TrainingSettings:
    """The settings that make a run what it is (update rule, learning rate, schedule,
    batches, validation split), as they stood from one step on: what a kept run's name
    and the loss plot's legend tell runs apart by."""

    optimizer: Optimizer
    learning_rate: float
    schedule: Schedule
    batching: Batching
    validation: Validation
    n_training: int  # how many samples the batches are drawn from (is it the full batch?)


@dataclass(frozen=True)
class HistoryRows:
    """Rows taken out of a History (by `cut`), to be put back by `extend`."""

    step_numbers: np.ndarray
    loss: np.ndarray
    params: np.ndarray
    grads: np.ndarray
    step_sizes: np.ndarray
    state: np.ndarray | None = None  # an optimizer's memory before each row's update
    optimizer_from: int | None = None  # a rewind's: the optimizer's start to put back
    # (steps, losses: rows × (loss, validation loss, batch loss)) of the loss trail
    trail: tuple[np.ndarray, np.ndarray] | None = None
    val_loss: np.ndarray | None = None  # None: not recorded (NaN rows, as no validation)
    batch_loss: np.ndarray | None = None
    # a rewind's: the trainer's settings log to put back (see Trainer.settings_log)
    settings_log: tuple[tuple[int, TrainingSettings], ...] | None = None

    def __len__(self) -> int:
        return len(self.step_numbers)

    @property
    def last_step(self) -> int | None:
        return int(self.step_numbers[-1]) if len(self) else None


class History:
    """Row k holds the state before one update: its step number, the loss, every
    parameter, slope and step size. Rows live in numpy arrays that grow by doubling.

    The loss is over every training sample. Beside it, the validation loss (over the
    samples held out, NaN without a validation split) and the batch loss (over the
    samples the update's slopes sum over, NaN when that is every training sample).

    Memory stays bounded on long runs: when `max_rows` rows are full, every other row is
    dropped (the newest is always kept), so a million steps keep an even sample of the
    whole run with the recent steps dense. `steps` says which step each row is.

    `max_rows` comes from a memory budget, not a fixed count: a row holds three numbers
    per parameter (and an optimizer's state), so 100,000 rows of a 66,561-parameter
    network would be 160 GB. Without a `max_rows` the rows fit in BUDGET_BYTES (at most
    MAX_ROWS, at least MIN_ROWS), and choosing an optimizer with a memory shrinks it."""

    COLUMNS = ("_step_numbers", "_loss", "_params", "_grads", "_step_sizes", "_state",
               "_val_loss", "_batch_loss")
    BUDGET_BYTES = 200 * 2**20  # the history's share of memory, whatever the network
    MAX_ROWS = 100_000  # a small network's cap: a million-step run keeps an even sample
    MIN_ROWS = 32  # however wide: Undo, Step back and the slider still have recent steps
    # The loss plot needs only (step, losses): where full rows are few (a wide network),
    # a trail of up to TRAIL_ROWS steps' three losses (3.2 MB) keeps the curves as dense
    # as a small network's, thinned the same way. None where the full rows hold as many.
    TRAIL_ROWS = 100_000

    def __init__(self, n_params: int, capacity: int = 256, max_rows: int | None = None):
        self._n = 0
        self._last_step = -1  # a Python int: reading it back from numpy costs the hot loop
        self._budgeted = max_rows is None  # follows the row width as state columns come
        self.max_rows = self.rows_in_budget(n_params) if max_rows is None else max_rows
        capacity = max(1, min(capacity, self.max_rows))  # a wide row is megabytes
        self._step_numbers = np.empty(capacity, dtype=np.int64)
        self._loss = np.empty(capacity)
        self._val_loss = np.empty(capacity)
        self._batch_loss = np.empty(capacity)
        self._params = np.empty((capacity, n_params))
        self._grads = np.empty((capacity, n_params))
        self._step_sizes = np.empty((capacity, n_params))
        # An optimizer's state before each row's update (momentum's v, Adam's m and s),
        # flattened; no columns until an optimizer with a memory is chosen. Rows from
        # before step `optimizer_from` belong to no optimizer (its t counts from there).
        self._state = np.zeros((capacity, 0))
        self.optimizer_from = 0
        self._trail: list | None = None  # [steps, losses (rows × 3), count]
        self._start_trail()
        # Edits (a row rewritten, rows dropped other than by thinning), counted, and the
        # lowest step each changed, for `edited_from`; an edit at step s hides the ones
        # before it at steps from s on, so only rising steps are kept.
        self.edits = 0
        self._edit_floor: list[tuple[int, int]] = []  # (edit count, step), steps rising

    def _edited(self, step: int) -> None:
        """The rows from `step` on changed or went (new rows will take their steps)."""
        self.edits += 1
        floor = self._edit_floor
        while floor and floor[-1][1] >= step:
            floor.pop()
        floor.append((self.edits, step))

    def edited_from(self, since: int) -> int | None:
        """The lowest step whose row was rewritten or dropped (thinning aside) by the
        edits after edit count `since`; None if none was. What a copy of the rows taken
        at `since` (an autosave's) must take again: rows before it are as they were."""
        for count, step in self._edit_floor:
            if count > since:
                return step
        return None

    def _start_trail(self) -> None:
        if self._trail is None and self.max_rows < self.TRAIL_ROWS:
            size = max(256, self._n)
            steps, losses = np.empty(size, dtype=np.int64), np.empty((size, 3))
            steps[:self._n] = self.steps
            losses[:self._n] = np.column_stack([self.loss, self.val_loss, self.batch_loss])
            self._trail = [steps, losses, self._n]

    def _trail_add(self, step: int, loss: float, val_loss: float = math.nan,
                   batch_loss: float = math.nan) -> None:
        trail = self._trail
        assert trail is not None
        steps, losses, k = trail
        if k == len(steps):
            if k >= self.TRAIL_ROWS:  # every other one and the newest, as the rows
                half = len(range(0, k - 1, 2))
                for array in (steps, losses):
                    last = array[k - 1].copy()  # a row of losses: a view otherwise
                    array[:half] = array[0:k - 1:2].copy()
                    array[half] = last
                k = half + 1
            else:
                trail[0] = steps = np.concatenate([steps, np.empty_like(steps)])
                trail[1] = losses = np.concatenate([losses, np.empty_like(losses)])
        steps[k] = step
        row = losses[k]
        row[0], row[1], row[2] = loss, val_loss, batch_loss
        trail[2] = k + 1

    def _trail_cut(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Drop the trail's entries after the newest row's step; return them."""
        if self._trail is None:
            return None
        steps, losses, k = self._trail
        keep = int(np.searchsorted(steps[:k], self._last_step, side="right"))
        self._trail[2] = keep
        return steps[keep:k].copy(), losses[keep:k].copy()

    @property
    def loss_trail(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, loss) for the loss plot: every step's loss kept longer than the full
        rows where those are few; else the rows' own."""
        steps, losses, _, _ = self.loss_trails
        return steps, losses

    @property
    def loss_trails(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(steps, loss, validation loss, batch loss), as `loss_trail`."""
        if self._trail is None:
            return self.steps, self.loss, self.val_loss, self.batch_loss
        steps, losses, k = self._trail
        return steps[:k], losses[:k, 0], losses[:k, 1], losses[:k, 2]

    def __len__(self) -> int:
        return self._n

    @property
    def last_step(self) -> int:
        """The step number of the newest row (-1 while empty)."""
        return self._last_step

    def append(self, loss: float, params, grads, step_sizes, step: int | None = None,
               state=None, trail: bool = True, val_loss: float = math.nan,
               batch_loss: float = math.nan) -> None:
        if self._n == len(self._loss):
            self._grow()
        k = self._n
        self._last_step = step = self._last_step + 1 if step is None else step
        self._step_numbers[k] = step
        self._loss[k] = loss
        self._val_loss[k] = val_loss
        self._batch_loss[k] = batch_loss
        self._params[k] = params
        self._grads[k] = grads
        self._step_sizes[k] = step_sizes
        width = self._state.shape[1]  # room for the widest optimizer chosen so far
        if width:
            flat = () if state is None else state.reshape(-1)
            if len(flat) == width:
                self._state[k] = flat
            else:
                row = self._state[k]
                row[len(flat):] = 0.0
                row[:len(flat)] = flat
        self._n = k + 1
        if trail and self._trail is not None:
            self._trail_add(step, loss, val_loss, batch_loss)

    def replace_last(self, loss: float, params, grads, step_sizes, state=None,
                     val_loss: float = math.nan, batch_loss: float = math.nan) -> None:
        self._edited(self._last_step)
        self._n -= 1
        trail = self._trail
        if trail is not None and trail[2] and trail[0][trail[2] - 1] == self._last_step:
            trail[2] -= 1  # the same step's loss, replaced too
        self.append(loss, params, grads, step_sizes, step=int(self._step_numbers[self._n]),
                    state=state, val_loss=val_loss, batch_loss=batch_loss)

    @classmethod
    def rows_in_budget(cls, n_params: int, state_width: int = 0) -> int:
        """How many rows of this width fit in BUDGET_BYTES (between MIN_ROWS and MAX_ROWS)."""
        return max(cls.MIN_ROWS, min(cls.MAX_ROWS, cls.BUDGET_BYTES // cls.row_bytes(
            n_params, state_width)))

    @staticmethod
    def row_bytes(n_params: int, state_width: int = 0) -> int:
        # step number and three losses (training, validation, batch), then parameter,
        # slope and step size per parameter, then the optimizer's state
        return 8 * (4 + 3 * n_params + state_width)

    @property
    def bytes_per_row(self) -> int:
        return self.row_bytes(self._params.shape[1], self._state.shape[1])

    def make_state_room(self, width: int) -> None:
        """At least `width` state columns (earlier rows get zeros: no memory yet)."""
        if self._state.shape[1] < width:
            if self._budgeted:  # wider rows: fewer of them in the same budget
                self.max_rows = self.rows_in_budget(self._params.shape[1], width)
                self._start_trail()
                while self._n > max(self.max_rows, 3):
                    self._thin()
            wider = np.zeros((len(self._loss), width))
            wider[:, :self._state.shape[1]] = self._state
            self._state = wider

    @property
    def state(self) -> np.ndarray:
        return self._state[: self._n]

    def last_step_sizes(self) -> np.ndarray:
        """The newest row's step sizes, as a view (the training loop's read)."""
        return self._step_sizes[self._n - 1]

    def last_params(self) -> np.ndarray:
        return self._params[self._n - 1]

    def truncate(self, length: int) -> None:
        if length < self._n:
            self._n = max(0, length)
            self._last_step = int(self._step_numbers[self._n - 1]) if self._n else -1
            self._edited(self._last_step + 1)
        self._trail_cut()

    def row_of_step(self, step: int) -> int:
        """The row holding `step`, or the last row before it if that step was thinned."""
        return max(0, int(np.searchsorted(self.steps, step, side="right")) - 1)

    def _grow(self) -> None:
        if self._n >= self.max_rows:
            while self._n >= max(self.max_rows, 3):  # max_rows may have been lowered
                self._thin()
            return
        # Doubling, but never past max_rows: the arrays of a wide network stay within
        # the budget instead of up to twice it.
        self._resize(max(self._n + 1, min(2 * len(self._loss), self.max_rows)))

    def _resize(self, size: int) -> None:
        for attr in self.COLUMNS:
            old = getattr(self, attr)
            new = np.empty((size, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, attr, new)

    def _thin(self) -> None:
        # Keep rows 0, 2, 4, … and the newest. Strided slices, not an index array: this
        # runs mid-Run, and a slice copies several times faster. Row 2i goes to row i in
        # blocks [lo, 2·lo) that read only rows past the ones they write, so numpy needs
        # no temporary copy (of a wide network's 200 MB history, 100 MB: the Run's
        # longest stall, 110 ms of CPU and more of waiting for memory).
        n = self._n
        half = len(range(0, n - 1, 2))
        for attr in self.COLUMNS:
            array = getattr(self, attr)
            lo = 1
            while lo < half:
                hi = min(2 * lo, half)
                array[lo:hi] = array[2 * lo:2 * hi:2]
                lo = hi
            array[half] = array[n - 1]  # the newest: past every row read or written
        self._n = half + 1
        self._last_step = int(self._step_numbers[self._n - 1])

    def rows(self, which=slice(None)) -> HistoryRows:
        """Copies of the rows `which` (an index array or slice of the filled rows)."""
        return HistoryRows(self.steps[which].copy(), self.loss[which].copy(),
                           self.params[which].copy(), self.grads[which].copy(),
                           self.step_sizes[which].copy(),
                           self.state[which].copy() if self._state.shape[1] else None,
                           val_loss=self.val_loss[which].copy(),
                           batch_loss=self.batch_loss[which].copy())

    def cut(self, length: int) -> HistoryRows:
        """Drop the rows from `length` on and return them, for `extend`."""
        length = max(1, min(length, self._n))
        tail = self.rows(slice(length, self._n))
        self._n = length
        self._last_step = int(self._step_numbers[length - 1])
        if len(tail):
            self._edited(self._last_step + 1)
        return dataclasses.replace(tail, trail=self._trail_cut())

    def extend(self, tail: HistoryRows) -> None:
        """Put back rows returned by `cut` (undo of a rewind, redo of a run)."""
        if tail.state is not None:
            self.make_state_room(tail.state.shape[1])
        nan = np.full(len(tail), math.nan)
        val_loss = nan if tail.val_loss is None else tail.val_loss
        batch_loss = nan if tail.batch_loss is None else tail.batch_loss
        for k in range(len(tail)):
            self.append(tail.loss[k], tail.params[k], tail.grads[k], tail.step_sizes[k],
                        step=int(tail.step_numbers[k]),
                        state=None if tail.state is None else tail.state[k],
                        trail=tail.trail is None, val_loss=val_loss[k],
                        batch_loss=batch_loss[k])
        if self._trail is not None and tail.trail is not None:
            for step, losses in zip(*tail.trail, strict=True):
                self._trail_add(int(step), *map(float, losses))

    @classmethod
    def from_rows(cls, rows: HistoryRows, max_rows: int | None = None,
                  optimizer_from: int = 0) -> History:
        """A history rebuilt from saved rows (autosave); checks they fit together."""
        n, width = np.shape(rows.params)
        if n == 0 or any(len(a) != n for a in (rows.step_numbers, rows.loss, rows.grads,
                                                rows.step_sizes)):
            raise ValueError("history columns of unequal length")
        if np.shape(rows.grads) != (n, width) or np.shape(rows.step_sizes) != (n, width):
            raise ValueError("history columns of unequal width")
        if np.any(np.diff(rows.step_numbers) <= 0) or rows.step_numbers[0] < 0:
            raise ValueError("history step numbers must increase from 0 or more")
        hist = cls(width, capacity=16, max_rows=max_rows)
        hist.max_rows = max(hist.max_rows, n)  # every saved row fits
        if len(hist._loss) < n:
            hist._resize(n)
        hist._step_numbers[:n], hist._loss[:n] = rows.step_numbers, rows.loss
        for column, saved in ((hist._val_loss, rows.val_loss),
                              (hist._batch_loss, rows.batch_loss)):
            column[:n] = math.nan if saved is None or np.shape(saved) != (n,) else saved
        hist._params[:n], hist._grads[:n] = rows.params, rows.grads
        hist._step_sizes[:n] = rows.step_sizes
        if rows.state is not None and np.ndim(rows.state) == 2 and len(rows.state) == n:
            hist.make_state_room(rows.state.shape[1])
            hist._state[:n] = rows.state
        hist._n, hist._last_step = n, int(rows.step_numbers[-1])
        hist._trail = None
        hist._start_trail()  # from the saved rows: the finer trail is not saved
        hist.optimizer_from = max(0, int(optimizer_from))
        return hist

    # Read-only views of the rows filled so far.
    @property
    def steps(self) -> np.ndarray:
        """The step number of each row (rows of a long run are thinned)."""
        return self._step_numbers[: self._n]

    @property
    def loss(self) -> np.ndarray:
        """Over every training sample."""
        return self._loss[: self._n]

    @property
    def val_loss(self) -> np.ndarray:
        """Over the samples held out for validation (NaN: no validation split)."""
        return self._val_loss[: self._n]

    @property
    def batch_loss(self) -> np.ndarray:
        """Over the samples of the row's update (NaN: every training sample)."""
        return self._batch_loss[: self._n]

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
    # With an optimizer other than plain descent: its name, which update this is (t, 1
    # for the first), its settings, and this parameter's state before and numbers of it.
    optimizer: str = "sgd"
    t: int = 0
    settings: tuple[tuple[str, float], ...] = ()
    before: tuple[tuple[str, float], ...] = ()
    parts: tuple[tuple[str, float], ...] = ()
    # With batches: the samples (from 0) the slope sums over, and (epoch, batch, batches
    # per epoch); empty for the full batch.
    samples: tuple[int, ...] = ()
    batch: tuple[int, ...] = ()
    # With a learning-rate schedule: its name and settings, the lesson's rate and the
    # update's number t (from 0); learning_rate above is then this update's rate.
    schedule: str = "constant"
    schedule_settings: tuple[tuple[str, float], ...] = ()
    base_rate: float = 0.0
    update_number: int = 0

    @property
    def new_value(self) -> float:
        return self.value - self.step_size


RISES_BEFORE_WARNING = 5  # steps in a row with a growing loss before the window warns
GROWTH_WORTH_A_WARNING = 1.5  # and by how much over those steps


def rises_at_end(loss: np.ndarray, look_back: int = 1000, every: int = 1) -> int:
    """How many times in a row, up to the newest, the loss grew, if by half or more over
    them: a learning rate too large shows this long before the values overflow. With
    batches (`every` updates an epoch) the loss over every sample may rise for a few
    updates from the batches' noise alone: it is compared epoch to epoch, and the count
    is in epochs."""
    tail = loss[::-1][:look_back * every:every][::-1]
    grew = np.diff(tail) > 0
    if not grew.size or not grew[-1]:
        return 0
    falls = np.flatnonzero(~grew)
    rises = int(grew.size - (falls[-1] + 1 if falls.size else 0))
    # A streak that has not added half to the loss is noise about a minimum (one-sample
    # steps at a constant rate), not a rate too large: that grows the loss fast.
    return rises if tail[-1] >= GROWTH_WORTH_A_WARNING * tail[-1 - rises] else 0


def growth_sentence(rises: int, learning_rate: float, unit: str = "steps") -> str:
    return (f"The loss grew for {rises} {unit} in a row: the learning rate "
            f"({learning_rate:g}) may be too large. Lower it, or Undo the last steps.")


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
                 loss: str, learning_rate: float, trainable=None, stop: StopRule | None = None,
                 optimizer: Optimizer | None = None, batching: Batching | None = None,
                 schedule: Schedule | None = None, validation: Validation | None = None):
        self.network = network
        self.inputs = inputs  # every sample: the training ones and those held out
        self.targets = targets
        self.validation = validation or Validation()
        self._split()
        self.batching = batching or Batching()
        self.schedule = schedule or Schedule()  # each update's learning rate
        self._orders: dict[int, np.ndarray] = {}  # epoch -> its shuffled order (a few)
        self._batch_backprops: dict[bytes, Backprop] = {}  # buffers per batch (a few)
        self._keeper: Backprop | None = None  # the batch's that keeps its passes, if any
        self.loss_function = LOSSES[loss]
        self.learning_rate = learning_rate
        self.stop = stop or StopRule()
        self.mask = np.ones_like(network.params)
        self.set_trainable(trainable)
        self.history = History(len(network.params))
        self.optimizer = Optimizer()
        self.history.append(**self._evaluate())
        # (step, settings) where the settings changed: the updates from that step on were
        # taken with them. A learning rate changed mid-run is a run of two rates, and the
        # legend must not name it by the last one alone.
        self._settings_log: list[tuple[int, TrainingSettings]] = [(0, self.settings())]
        if optimizer is not None:
            self.set_optimizer(optimizer)

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
    def val_loss(self) -> float:
        """The loss over the samples held out (NaN without a validation split)."""
        return float(self.history.val_loss[-1])

    @property
    def batch_loss(self) -> float:
        """The loss over the next update's batch (NaN when it is every training sample)."""
        return float(self.history.batch_loss[-1])

    @property
    def n_training(self) -> int:
        """How many samples training uses (every sample but those held out)."""
        return len(self.training)

    def _split(self) -> None:
        """The training and validation samples of today's data and split, and the
        buffers made from them. Raises ValueError if the split leaves none to train on."""
        self.training, self.held_out = self.validation.split(len(self.inputs))
        self._val_x: np.ndarray | None = None
        self._val_y: np.ndarray | None = None
        if len(self.held_out):
            x, y = self.inputs[self.training], self.targets[self.training]
            self._val_x, self._val_y = self.inputs[self.held_out], self.targets[self.held_out]
        else:
            x, y = self.inputs, self.targets
        self.training_inputs, self.training_targets = x, y  # what the loss is over
        self._backprop = Backprop(self.network, x, y)  # buffers for the training samples

    def _validation_loss(self) -> float:
        if self._val_x is None or self._val_y is None:
            return math.nan
        return self.network.loss(self._val_x, self._val_y, self.loss_function)

    @property
    def trainable(self) -> list[str]:
        # itertools.compress: the comprehension took ~18 ms a Step at 66,561 parameters
        return list(itertools.compress(self.network.param_names, self.mask))

    def first_trainable(self, count: int) -> list[str]:
        """The first `count` trainable parameters' names (a panel's few columns), without
        listing all of them: `trainable` of 66,561 names took ~4 ms every Run frame."""
        refs = self.network.refs
        return [refs[i].name for i in np.flatnonzero(self.mask)[:count]]

    def update(self, name: str) -> Update:
        """The next update of parameter `name`, with the numbers the next step uses."""
        i = self.network.index[name]
        opt = self.optimizer
        n = self.n_training
        samples: tuple[int, ...] = ()
        batch: tuple[int, ...] = ()
        if not self.batching.is_full(n):
            samples = tuple(int(k) for k in self.batch())
            batch = (*self.batching.where(self.steps_done, n), self.batching.per_epoch(n))
        rate = self.rate()
        if opt.is_plain:
            return self._scheduled(Update(
                name, float(self.network.params[i]), float(self.grads[i]), rate,
                float(self.step_sizes[i]), bool(self.mask[i]), samples=samples, batch=batch))
        state = self.state_before()
        pending = self._pending()
        return self._scheduled(Update(name, float(self.network.params[i]), float(self.grads[i]),
                      rate, float(self.step_sizes[i]), bool(self.mask[i]),
                      optimizer=opt.name, t=self._t(self.steps_done),
                      settings=tuple(opt.settings().items()),
                      before=tuple((state_name, float(state[k, i]))
                                   for k, state_name in enumerate(opt.state_names)),
                      parts=tuple((k, float(a[i])) for k, a in pending.parts.items()),
                      samples=samples, batch=batch))

    def _scheduled(self, u: Update) -> Update:
        """`u` with the schedule that gave its learning rate (none if constant)."""
        if self.schedule.is_constant:
            return u
        return dataclasses.replace(
            u, schedule=self.schedule.name,
            schedule_settings=tuple(self.schedule.settings().items()),
            base_rate=self.learning_rate, update_number=max(self.steps_done, 0))

    # --- the learning rate's schedule ------------------------------------------------
    def rate(self, step: int | None = None) -> float:
        """The learning rate of the update after row `step` (the newest by default)."""
        k = self.steps_done if step is None else step
        return self.schedule.rate(self.learning_rate, max(k, 0))

    def set_schedule(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self._refresh()

    # --- batches ---------------------------------------------------------------------
    def batch(self, step: int | None = None) -> np.ndarray:
        """The samples (indices from 0 in the whole data set) whose slopes the update
        after row `step` (the newest by default) sums over: every training sample with
        the full batch. Batches are drawn from the training samples only."""
        k = self.steps_done if step is None else step
        n = self.n_training
        if self.batching.is_full(n):
            return self.training.copy()
        epoch, _ = self.batching.where(k, n)
        order = self._orders.get(epoch)
        if order is None:
            if len(self._orders) > 4:
                self._orders.clear()
            order = self._orders[epoch] = self.batching.order(epoch, n)
        return self.training[self.batching.samples(k, n, order)]

    def _slope(self, step: int, keep: bool = False) -> tuple[float, np.ndarray, float]:
        """The loss over every training sample (what the loss plot shows), the slopes
        the update after row `step` uses, over its batch (a reused buffer: copy to
        keep), and that batch's own loss (NaN when the batch is every training sample).
        With `keep`, the passes over the batch are kept (`kept_pass`)."""
        full = self.batching.is_full(self.n_training)
        value, grad = self._backprop(self.loss_function, keep=keep and full)
        if full:
            return value, grad, math.nan
        backprop = self._batch_backprop(self.batch(step))
        if keep:
            self._keeps(backprop)
        batch_value, batch_grad = backprop(self.loss_function, keep=keep)
        return value, batch_grad, batch_value

    def _keeps(self, backprop: Backprop) -> None:
        """`backprop` (a batch's) is to keep its passes: the batch that kept them before
        lets go of its arrays (hundreds of batches each keeping theirs would add up)."""
        if self._keeper is not None and self._keeper is not backprop:
            self._keeper.forget_kept()
        self._keeper = backprop

    def _batch_backprop(self, samples: np.ndarray) -> Backprop:
        """The buffers for one batch, made the first time it comes (a few are kept)."""
        key = samples.tobytes()
        backprop = self._batch_backprops.get(key)
        if backprop is None:
            if len(self._batch_backprops) > 256:
                self._batch_backprops.clear()
            backprop = self._batch_backprops[key] = Backprop(
                self.network, self.inputs[samples], self.targets[samples])
        return backprop

    def kept_pass(self) -> KeptPass:
        """The forward pass and the deltas (dLoss/d(weighted sum)) of the current values,
        per sample of the next update's batch (every training sample with the full
        batch), as training computed them on reaching these values (a Step, a Run's last
        step, an edit); computed now if these values were reached without (a rewind's
        restore)."""
        backprop = self._backprop if self.batching.is_full(self.n_training) \
            else self._batch_backprop(self.batch())
        kept = backprop.kept()
        if kept is None:
            if backprop is not self._backprop:
                self._keeps(backprop)
            with np.errstate(all="ignore"):
                backprop(self.loss_function, keep=True)
            kept = backprop.kept()
            assert kept is not None
        return kept

    def set_batching(self, batching: Batching) -> None:
        """Full batch, one sample or mini-batches; the next update uses its batch."""
        self.batching = batching
        self._orders.clear()
        self._batch_backprops.clear()
        self._keeper = None
        self._refresh()

    # --- the optimizer -------------------------------------------------------------
    @property
    def optimizer_from(self) -> int:
        """The step the optimizer was chosen at (kept with the history's state rows)."""
        return self.history.optimizer_from

    @optimizer_from.setter
    def optimizer_from(self, step: int) -> None:
        self.history.optimizer_from = step

    def _t(self, step: int) -> int:
        """Which update of the optimizer the one after row `step` is (1 for its first)."""
        return max(1, step - self.optimizer_from + 1)

    def state_before(self, row: int = -1) -> np.ndarray:
        """The optimizer's memory before row `row`'s update, (state arrays, parameters);
        zeros for a row from before the optimizer was chosen."""
        opt, n = self.optimizer, len(self.network.params)
        width = len(opt.state_names) * n
        hist = self.history
        if not width or int(hist.steps[row]) < self.optimizer_from:
            return opt.initial_state(n)
        # A copy: the row is rewritten from it (replace_last), and a view would be zeroed
        # first (found by the undo property test).
        return hist.state[row, :width].reshape(len(opt.state_names), n).copy()

    def _pending(self) -> Step:
        """The next update, worked out from the newest row."""
        return self.optimizer.step(self.grads, self.network.params, self.state_before(),
                                   self._t(self.steps_done), self.rate(), self.mask)

    def set_optimizer(self, optimizer: Optimizer) -> None:
        """Choose the update rule; its memory starts empty at the current step."""
        self.optimizer = optimizer
        self.optimizer_from = self.steps_done
        self.history.make_state_room(len(optimizer.state_names) * len(self.network.params))
        self._refresh()

    def converged(self) -> bool:
        """The stop rule: every step size below the threshold; with batches, every step
        size of a whole epoch (one batch's small slope says little about the others: a
        Run of one sample a step stopped at a lucky sample)."""
        per_epoch = self.batching.per_epoch(self.n_training)
        if per_epoch == 1:
            return float(np.max(np.abs(self.step_sizes), initial=0.0)) < self.stop.min_step_size
        hist = self.history
        if len(hist) < per_epoch or (self.steps_done + 1) % per_epoch:
            return False  # judged when an epoch is complete
        last_epoch = hist.step_sizes[-per_epoch:]
        return float(np.max(np.abs(last_epoch), initial=0.0)) < self.stop.min_step_size

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

    def set_data(self, inputs: np.ndarray, targets: np.ndarray,
                 validation: Validation | None = None) -> None:
        """New samples and (optionally) a new validation split, drawn for their number.
        Raises ValueError, changing nothing, if the split leaves none to train on."""
        validation = self.validation if validation is None else validation
        if inputs is not self.inputs or targets is not self.targets \
                or validation != self.validation:
            why = validation.problem(len(inputs))
            if why is not None:
                raise ValueError(f"validation: {why}")
            self.inputs, self.targets, self.validation = inputs, targets, validation
            self._split()
            self._orders.clear()
            self._batch_backprops.clear()
            self._keeper = None
        self._refresh()

    def set_validation(self, validation: Validation) -> None:
        """Hold out another share of the samples. Raises ValueError, changing nothing, if
        it leaves none to train on."""
        self.set_data(self.inputs, self.targets, validation)

    def _refresh(self) -> None:
        if hasattr(self, "history"):
            self.history.replace_last(**self._evaluate())
        if hasattr(self, "_settings_log"):
            self._log_settings()

    # --- the settings along the run ---------------------------------------------------
    def settings(self) -> TrainingSettings:
        """The settings the next update is taken with."""
        return TrainingSettings(self.optimizer, self.learning_rate, self.schedule,
                                self.batching, self.validation, self.n_training)

    @property
    def settings_log(self) -> tuple[tuple[int, TrainingSettings], ...]:
        """(step, settings) for each stretch of the run with the same settings, the
        first from step 0 (or where a restored run's log began), the last today's."""
        return tuple(self._settings_log)

    def settings_used(self) -> list[TrainingSettings]:
        """The settings the updates taken so far were taken with, in turn, each once
        (today's while none was taken): what the loss curve was made with. A change made
        at the newest step has made no update yet."""
        used = [s for step, s in self._settings_log if step < self.steps_done]
        return used or [self._settings_log[-1][1]]

    def _log_settings(self) -> None:
        """Today's settings hold from the current step on: entries from later steps
        (rewound) go, a change at this very step replaces the one made here before, and a
        change back to the settings before it (an undo) leaves no trace."""
        log, step, now = self._settings_log, max(self.steps_done, 0), self.settings()
        while log and log[-1][0] >= step:
            log.pop()
        if not log or log[-1][1] != now:
            log.append((step, now))

    def _evaluate(self) -> dict:
        """The current row: a History.append's arguments."""
        with np.errstate(all="ignore"):
            value, grad, batch_value = self._slope(max(self.steps_done, 0), keep=True)
            row = {"loss": value, "params": self.network.params, "grads": grad,
                   "val_loss": self._validation_loss(), "batch_loss": batch_value}
            rate = self.rate()
            if self.optimizer.is_plain:
                return {**row, "step_sizes": grad * (rate * self.mask)}
            state = self.state_before()
            pending = self.optimizer.step(grad, self.network.params, state,
                                          self._t(self.steps_done), rate, self.mask)
            return {**row, "step_sizes": pending.sizes, "state": state}

    # --- gradient descent --------------------------------------------------------
    def step(self) -> StopReason:
        """One update: STEPS_DONE, or DIVERGED (changing nothing) if it would go
        non-finite."""
        return self.run(1, respect_stop_rule=False)

    def adopt_history(self, history: History,
                      settings_log: tuple[tuple[int, TrainingSettings], ...] | None = None
                      ) -> None:
        """Continue from a saved history: its last row becomes the current state. With
        the saved run's `settings_log` (as `settings_log` gave it), the run keeps the
        names of its stretches ("SGD lr 0.1 → 0.3"); today's settings hold from the
        current step on, as after any change."""
        if history.params.shape[1] != len(self.network.params):
            raise ValueError("the saved history belongs to a different network")
        self.history = history
        history.make_state_room(len(self.optimizer.state_names) * len(self.network.params))
        self.network.set_params(history.params[-1])
        if settings_log is not None:
            self._settings_log = list(settings_log)
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
        tail = dataclasses.replace(hist.rows(slice(keep - 1, len(hist))),
                                   optimizer_from=self.optimizer_from,
                                   settings_log=self.settings_log)
        hist.truncate(keep)
        self.network.set_params(hist.params[-1])
        if self.steps_done < self.optimizer_from:
            # Back before the optimizer was chosen: going on from here, its memory
            # starts here.
            self.optimizer_from = self.steps_done
            hist.state[-1] = 0.0
        self._refresh()
        return tail

    def restore(self, tail: HistoryRows) -> None:
        """Undo `rewind`: its re-evaluated row gives way to the rows it returned."""
        self.history.truncate(len(self.history) - 1)
        self.history.extend(tail)
        if tail.optimizer_from is not None:
            self.optimizer_from = tail.optimizer_from
        if tail.settings_log is not None:
            self._settings_log = list(tail.settings_log)
        self.network.set_params(self.history.params[-1])

    def run(self, max_steps: int | None = None, respect_stop_rule: bool = True) -> StopReason:
        """Take updates until the stop rule holds, `max_steps` are done, or training
        diverges. Without `max_steps` the lesson's maximum applies."""
        limit = self.stop.max_steps - self.steps_done if max_steps is None else max_steps
        if not (self.optimizer.is_plain and self.batching.is_full(self.n_training)
                and self.schedule.is_constant):
            return self._run_general(limit, respect_stop_rule, max_steps is not None)
        hist, backprop, loss = self.history, self._backprop, self.loss_function
        params, rate_mask = self.network.params, self.learning_rate * self.mask
        threshold = self.stop.min_step_size if respect_stop_rule else -1.0
        with np.errstate(all="ignore"):  # non-finite values are caught below, not warned
            for k in range(max(limit, 0)):
                steps = hist.last_step_sizes()
                if respect_stop_rule and abs(steps).max() < threshold:
                    return StopReason.CONVERGED
                params -= steps
                # The last update's forward pass is kept: its state is the one shown.
                value, grad = backprop(loss, keep=k == limit - 1)
                # One sum tells: a NaN or infinity anywhere makes it non-finite.
                if not math.isfinite(value + grad.sum()):
                    params[:] = hist.last_params()  # keep the last finite state
                    backprop(loss, keep=True)
                    return StopReason.DIVERGED
                hist.append(value, params, grad, grad * rate_mask,
                            val_loss=self._validation_loss())
        if respect_stop_rule and self.converged():
            return StopReason.CONVERGED
        return StopReason.STEPS_DONE if max_steps is not None else StopReason.MAX_STEPS

    def _run_general(self, limit: int, respect_stop_rule: bool, counted: bool) -> StopReason:
        """`run` for an optimizer with a memory or for batches: each row keeps the state
        its update starts from, and its slopes are its batch's, so that rewinding to any
        row takes the same step again."""
        hist, backprop, loss, opt = self.history, self._backprop, self.loss_function, \
            self.optimizer
        params, mask = self.network.params, self.mask
        threshold = self.stop.min_step_size if respect_stop_rule else -1.0
        # In place where it can be: the working state is the memory after the update
        # just taken; each new row stores it as its "before", then it advances.
        in_place = bool(mask.all())
        with np.errstate(all="ignore"):
            pending = self._pending()
            memory = pending.state.copy()
            whole_batch = self.batching.is_full(self.n_training)
            optimizer_from = self.optimizer_from - 1
            constant_rate = self.schedule.is_constant
            validating = self._val_x is not None
            for k in range(max(limit, 0)):
                steps = hist.last_step_sizes()
                if respect_stop_rule and (abs(steps).max() < threshold if whole_batch
                                          else self.converged()):
                    return StopReason.CONVERGED
                params -= steps
                step, keep = hist.last_step + 1, k == limit - 1  # the window shows the last
                if whole_batch:
                    (value, grad), batch_value = backprop(loss, keep=keep), math.nan
                else:
                    value, grad, batch_value = self._slope(step, keep=keep)
                # In place, the sum of the step sizes below tells for the slopes too (a
                # NaN or infinity in a slope makes its step's NaN or infinite, in every
                # rule): one numpy reduction fewer (~1 µs of statquest-all's ~20).
                if not math.isfinite(value if in_place else value + grad.sum()):
                    params[:] = hist.last_params()
                    backprop(loss, keep=True)
                    return StopReason.DIVERGED
                t = max(1, step - optimizer_from)  # as _t, without the call
                rate = self.learning_rate if constant_rate else self.rate(step)
                val_value = self._validation_loss() if validating else math.nan
                if in_place:
                    hist.append(value, params, grad, 0.0, state=memory, val_loss=val_value,
                                batch_loss=batch_value)
                    total = advance(opt, grad, params, memory, t, rate,
                                    hist.last_step_sizes())
                else:
                    pending = opt.step(grad, params, memory, t, rate, mask)
                    hist.append(value, params, grad, pending.sizes, state=memory,
                                val_loss=val_value, batch_loss=batch_value)
                    memory, total = pending.state, pending.sizes.sum()
                # One sum tells (a NaN or infinity anywhere makes it non-finite; sizes
                # near 1e308 that overflow it have diverged all the same).
                if not math.isfinite(total):
                    hist.truncate(len(hist) - 1)
                    params[:] = hist.last_params()
                    backprop(loss, keep=True)
                    return StopReason.DIVERGED
        if respect_stop_rule and self.converged():
            return StopReason.CONVERGED
        return StopReason.STEPS_DONE if counted else StopReason.MAX_STEPS
