"""Engine speed: gradient-descent steps per second (forward, backward, update), and the
1-64-64-1 tanh step against numpy's matrix products alone (the floor).

Every figure is the median, with its range (lowest-highest) or its middle half (25th-75th
percentile) in brackets, of repeats taken in turns (interleaved), so that a shared
machine's slow spells hit everything compared alike. The machine's load is printed too:
on 2 cores, a load of 2 or more means no core is idle.

Run: python bench/engine.py            (everything; prints figures, asserts nothing)
     python bench/engine.py --floor    (the step against the floor only, ~1 minute)
     add --blas-threads-too for the floor with BLAS's own threads as well
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Layer, Network, Trainer, load_preset  # noqa: E402
from engine.batching import Batching  # noqa: E402
from engine.breakdown import chain_rule_breakdown  # noqa: E402
from engine.landscape import loss_grid  # noqa: E402
from engine.optimizers import DEFAULTS as DEFAULT_OPTIMIZERS  # noqa: E402
from engine.presets import PRESETS as NAMES  # noqa: E402
from engine.validation import Validation  # noqa: E402

BLAS = ThreadpoolController()


def steps_per_second(trainer: Trainer, seconds: float) -> float:
    """Steps a second over `seconds`, in Runs of 1, 2, 4, ... up to 500 steps (a big
    network's 500 steps would take far longer than `seconds`)."""
    trainer.step()  # warm up
    done, steps, start = 0, 1, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(steps, respect_stop_rule=False)
        done, steps = done + steps, min(2 * steps, 500)
        if trainer.steps_done > 2_000:
            trainer.rewind(0)  # keep the history short and the values from diverging
    return done / (time.perf_counter() - start)


def interleaved(works: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each work's figure, `rounds` times, the works taking turns in every round."""
    figures: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            figures[name].append(work())
    return figures


def spread(values: list[float], form: str = "{:,.0f}", scale: float = 1.0,
           middle_half: bool = False) -> str:
    """'median [lowest-highest]', or with `middle_half` '[25th-75th percentile]'."""
    low, high = np.percentile(values, [25, 75]) if middle_half else (min(values),
                                                                      max(values))
    return (f"{form.format(statistics.median(values) * scale)} "
            f"[{form.format(low * scale)}-{form.format(high * scale)}]")


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def matmul_products(net: Network, x: np.ndarray):
    """The matrix products alone of one forward and backward pass, sample-major as numpy
    is usually asked for them, each into an array made once (as the step's buffers
    are): the floor that the 1-64-64-1 step is compared with. A new array for each
    product cost page faults (~200 a call at 1,000 samples) as the allocator happened to
    have memory at hand or not: the same floor took 0.75 ms in one run, 2.1 in another."""
    acts = [x]
    for w in net.weights:
        acts.append(np.tanh(acts[-1] @ w.T))
    outputs = [np.empty_like(a) for a in acts[1:]]
    grads = [np.empty_like(w) for w in net.weights]
    backs = [np.empty_like(a) for a in acts[1:-1]]
    delta = np.ones_like(acts[-1])

    def products():
        for k, w in enumerate(net.weights):
            np.matmul(acts[k], w.T, out=outputs[k])
        d = delta
        for k in range(len(net.weights) - 1, -1, -1):
            np.matmul(d.T, acts[k], out=grads[k])
            if k:
                d = np.matmul(d, net.weights[k], out=backs[k - 1])
    return products


def step_vs_floor(samples: int, rounds: int, blas_threads_too: bool, block: int = 5) -> None:
    """Training steps of 1-64-64-1 tanh on `samples` samples against the floor, in
    rounds of: a Run of 2 `block` steps (only a Run's last step keeps its passes), a block
    of Steps (each keeps its passes for the breakdown, as the window's Step does), a
    block of the floor's products with BLAS on one thread (as the step runs its
    products: in one lane or two, each BLAS on one thread). Each figure is the mean
    time of a block (a preemption counts as it does in a Run); the ratios are of each
    round's figures. What share of the chunks the second lane ran tells whether it found
    a core to run on. With `blas_threads_too`, then the floor with BLAS on one thread
    against BLAS's own threads (numpy's default: not what the step does), in rounds of
    their own: BLAS's threads spin for a while after, and would slow a step timed next."""
    net = Network(1, [Layer(64, "tanh"), Layer(64, "tanh"), Layer(1, "identity")])
    net.randomize(0)
    x = np.linspace(-2, 2, samples)[:, None]
    trainer = Trainer(net, x, np.sin(2 * x), "mse", 0.01)
    floor, threads = matmul_products(net, x), BLAS.select(user_api="blas").info()
    default_threads = max(lib["num_threads"] for lib in threads) if threads else 1

    def timed_block(work: Callable[[], object], blas_threads: int = default_threads
                    ) -> float:
        """The mean time of `block` calls (so a preemption counts as it does in a Run)."""
        with BLAS.limit(limits=blas_threads, user_api="blas"):
            work()  # after the other's turn: the first call pays for the switch
            mean = _timed(lambda: [work() for _ in range(block)]) / block
        trainer.rewind(0)  # keep the history short and the values from diverging
        return mean

    def run_block() -> float:
        steps = 2 * block
        trainer.step()  # after the other's turn: the first call pays for the switch
        mean = _timed(lambda: trainer.run(steps, respect_stop_rule=False)) / steps
        trainer.rewind(0)
        return mean
    backprop = trainer._backprop
    helped, tasks = backprop.tasks_helped, backprop.tasks_run
    before = load()
    times = interleaved({"run": run_block, "step": lambda: timed_block(trainer.step),
                         "floor": lambda: timed_block(floor, 1)}, rounds)
    share = (backprop.tasks_helped - helped) / max(1, backprop.tasks_run - tasks)
    ratios = [s / f for s, f in zip(times["run"], times["floor"], strict=True)]
    step_ratios = [s / f for s, f in zip(times["step"], times["floor"], strict=True)]
    print(f"1-64-64-1 tanh, {samples:,} samples: a Run's step "
          f"{spread(times['run'], '{:.2f}', 1e3, True)} ms, "
          f"floor {spread(times['floor'], '{:.2f}', 1e3, True)} ms: "
          f"ratio {spread(ratios, '{:.2f}', middle_half=True)}x\n"
          f"    a Step (keeping its passes) {spread(times['step'], '{:.2f}', 1e3, True)} ms: "
          f"ratio {spread(step_ratios, '{:.2f}', middle_half=True)}x\n"
          f"    {len(backprop.lanes)} lane(s), the second ran {share:.0%} of the chunks; "
          f"{rounds} rounds of {block}; {before}, then {load()}")
    if blas_threads_too:
        floors = interleaved({"one": lambda: timed_block(floor, 1),
                              "own": lambda: timed_block(floor)}, rounds)
        print(f"    the floor on one BLAS thread {spread(floors['one'], '{:.2f}', 1e3, True)} "
              f"ms, on {default_threads} {spread(floors['own'], '{:.2f}', 1e3, True)} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--floor", action="store_true",
                        help="only the 1-64-64-1 step against the floor")
    parser.add_argument("--blas-threads-too", action="store_true",
                        help="time the floor with BLAS's own threads too (numpy's default)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  numpy {np.__version__}  {load()}")
    print("\nmedians [middle half] of interleaved rounds; floor: numpy's matrix products "
          "alone, into arrays made once and with BLAS on one thread, as the step's")
    for samples, rounds in ((1_000, 60), (10_000, 30)):
        step_vs_floor(samples, rounds, args.blas_threads_too)
    if args.floor:
        return
    print("\npreset            steps/s, median [range] of 5 interleaved rounds")
    trainers = {}
    for name in NAMES:
        lesson = load_preset(name)
        lesson.trainable = None
        trainers[name] = lesson.trainer()
    speeds = interleaved({name: lambda t=t: steps_per_second(t, 0.3)
                          for name, t in trainers.items()}, 5)
    for name, values in speeds.items():
        print(f"{name:16s} {spread(values)}")
    classification_vs_squared()
    optimizers_vs_plain()
    validation_and_batches()
    lesson = load_preset("statquest-all")
    t = lesson.trainer()
    start, n = time.perf_counter(), 200
    for _ in range(n):
        for name in t.network.param_names:
            chain_rule_breakdown(t.network, t.inputs, t.targets, t.loss_function, name)
    print(f"\nfull breakdown of all 7 statquest-all parameters: "
          f"{(time.perf_counter() - start) / n * 1e3:.3f} ms")
    grid = np.linspace(-3, 3, 100)
    times = [_timed(lambda: loss_grid(t.network, t.inputs, t.targets, t.loss_function,
                                      "w1", "b1", grid, grid)) for _ in range(10)]
    print(f"landscape, 100x100 grid over (w1, b1) of statquest-all: "
          f"{spread(times, '{:.1f}', 1e3)} ms")
    with BLAS.limit(limits=1, user_api="blas"):  # as the app keeps it (gui/app.py)
        big_breakdown()


def big_breakdown(rounds: int = 15) -> None:
    """A wide network's breakdown as a Step draws it: a first-layer weight of 1-64-64-1
    tanh on 6,000 samples (64 paths; the first 8 formed, the rest's sum from the backward
    pass), from scratch and from the passes the trainer kept; and what keeping costs.
    CPU times (the machine's other work shows less in them than in wall-clock ones),
    with BLAS on one thread as in the app: on two, the breakdown from scratch took
    twice the CPU (30 ms against 16), its threads spinning while they wait."""
    from engine.builder import build_lesson
    from engine.losses import LOSSES

    rng = np.random.default_rng(0)
    base = load_preset("single-weight")
    lesson = build_lesson(base, [Layer(64, "tanh"), Layer(64, "tanh")],
                          Layer(1, "identity"), "mse", "layered", 1)
    net, x = lesson.network, rng.uniform(-1, 1, (6000, 1))
    y, name, loss = np.sin(3 * x), net.param_names[0], LOSSES[lesson.loss]
    t = Trainer(net, x, y, lesson.loss, 0.01)
    # in one lane: with two, the CPU time would count the helper's waiting too, as
    # much or as little as the lanes were chosen
    t._backprop.lanes = t._backprop.lanes[:1]

    def from_kept():
        kept = t.kept_pass()
        return chain_rule_breakdown(net, x, y, loss, name, kept.forward, kept.deltas)

    def drawn(make) -> Callable[[], float]:
        def cpu() -> float:
            start = time.process_time()
            b = make()
            for path in b.paths[:8]:
                path.products  # noqa: B018 (formed as the panel reads them)
            b.sum_of_paths_after(8)
            return time.process_time() - start
        return cpu

    def passes(keep: bool) -> Callable[[], float]:
        def cpu() -> float:
            start = time.process_time()
            for _ in range(10):
                t._backprop(t.loss_function, keep=keep)
            return (time.process_time() - start) / 10
        return cpu
    cpu = interleaved({"from scratch": drawn(lambda: chain_rule_breakdown(net, x, y, loss,
                                                                          name)),
                       "from the trainer's kept passes (the window's)": drawn(from_kept)},
                      rounds)
    # apart: after the breakdown from scratch (tens of MB made and let go) the next
    # block's passes took longer, whichever it was
    cpu.update(interleaved({"pass": passes(False), "keeping": passes(True)}, rounds))
    print(f"\nCPU times, median [range] of {rounds} interleaved rounds:")
    for label in ("from scratch", "from the trainer's kept passes (the window's)"):
        print(f"breakdown of {name} of 1-64-64-1 on 6,000 samples (64 paths), {label}: "
              f"{spread(cpu[label], '{:.1f}', 1e3)} ms")
    print(f"its forward and backward pass {spread(cpu['pass'], '{:.1f}', 1e3)} ms, keeping "
          f"them for the breakdown {spread(cpu['keeping'], '{:.1f}', 1e3)} ms")


def speed_ratios(label: str, trainers: dict[str, Trainer], rounds: int,
                 seconds: float) -> None:
    """The first trainer's steps/s, and each other's time a step as a multiple of the
    first's: the ratio of each round's figures, median [range] over the rounds."""
    speeds = interleaved({name: lambda t=t: steps_per_second(t, seconds)
                          for name, t in trainers.items()}, rounds)
    first, *others = trainers
    row = [f"{first} {spread(speeds[first])} steps/s"]
    for name in others:
        ratios = [p / q for p, q in zip(speeds[first], speeds[name], strict=True)]
        row.append(f"{name} {spread(ratios, '{:.2f}')}x")
    print(f"{label:26s} " + "   ".join(row))


def classification_vs_squared(rounds: int = 5) -> None:
    """Softmax + cross-entropy against the same network with an identity output and a
    squared error (target: within 1.5x its time)."""
    print("\nclassification vs the same network with a squared error: identity+MSE's "
          f"steps/s and softmax+CE's time a step as a multiple of it, median [range] of "
          f"{rounds} interleaved rounds")
    iris = load_preset("iris-softmax")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1_000, 2))
    y = np.eye(3)[rng.integers(0, 3, 1_000)]
    cases = (("iris 2-2-3", iris.inputs, iris.targets, [Layer(2, "relu")], 3),
             ("2-16-16-3, 1,000 samples", x, y, [Layer(16, "tanh"), Layer(16, "tanh")], 3))
    for label, xs, ys, hidden, outputs in cases:
        trainers = {}
        for name, act, loss in (("identity+MSE", "identity", "mse"),
                                ("softmax+CE", "softmax", "ce")):
            net = Network(xs.shape[1], [*hidden, Layer(outputs, act)])
            net.randomize(1)
            trainers[name] = Trainer(net, xs, ys, loss, 0.01)
        speed_ratios(label, trainers, rounds, 0.3)


def optimizers_vs_plain(rounds: int = 7) -> None:
    """Each optimizer against plain gradient descent on the same lesson (target for
    Adam: at most 1.3x the time)."""
    print("\noptimizers vs plain gradient descent: time a step as a multiple of plain's, "
          f"median [range] of {rounds} interleaved rounds")
    net = Network(1, [Layer(64, "tanh"), Layer(64, "tanh"), Layer(1, "identity")])
    net.randomize(0)
    x = np.linspace(-2, 2, 10_000)[:, None]
    cases = (("statquest-all", lambda: load_preset("statquest-all").trainer(), 0.3),
             ("1-64-64-1, 10,000 samples",
              lambda: Trainer(net.copy(), x, np.sin(2 * x), "mse", 0.001), 1.0))
    for label, make, seconds in cases:
        trainers = {}
        for name in ("sgd", "momentum", "rmsprop", "adam"):
            trainers[name] = make()
            if name != "sgd":
                trainers[name].set_optimizer(DEFAULT_OPTIMIZERS[name])
        speed_ratios(label, trainers, rounds, seconds)


def validation_and_batches(rounds: int = 5) -> None:
    """What recording the validation loss (a forward pass over the samples held out)
    and the batch loss costs a step (target: Run stays above 10,000 steps/s)."""
    print(f"\nvalidation split and batches, narrow-valley: steps/s, median [range] of "
          f"{rounds} interleaved rounds")
    trainers = {}
    for fraction, size in ((0.0, 0), (0.3, 0), (0.0, 2), (0.3, 2)):
        lesson = load_preset("narrow-valley")
        lesson.validation, lesson.batching = Validation(fraction), Batching(size)
        trainers[f"validation {fraction:<4g} batch size {size or 'all':>3}"] = \
            lesson.trainer()
    speeds = interleaved({name: lambda t=t: steps_per_second(t, 0.3)
                          for name, t in trainers.items()}, rounds)
    for name, values in speeds.items():
        print(f"{name}   {spread(values)}")


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
