"""Engine speed: gradient-descent steps per second (forward, backward, update).

Run: python bench/engine.py        (prints figures; asserts nothing)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import Layer, Network, Trainer, load_preset  # noqa: E402
from engine.batching import Batching  # noqa: E402
from engine.breakdown import chain_rule_breakdown  # noqa: E402
from engine.landscape import loss_grid  # noqa: E402
from engine.optimizers import DEFAULTS as DEFAULT_OPTIMIZERS  # noqa: E402
from engine.presets import PRESETS as NAMES  # noqa: E402
from engine.validation import Validation  # noqa: E402


def steps_per_second(trainer: Trainer, seconds: float = 0.6, repeats: int = 3) -> float:
    """The best of `repeats` timings: a shared VM's noise only ever slows a run down."""
    trainer.run(200, respect_stop_rule=False)  # warm up
    best = 0.0
    for _ in range(repeats):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            trainer.run(500, respect_stop_rule=False)
            done += 500
            trainer.rewind(0)  # keep the history short and the values from diverging
        best = max(best, done / (time.perf_counter() - start))
    return best


def matmul_products(net: Network, x: np.ndarray):
    """The matrix products alone of one forward and backward pass: the floor that the
    1-64-64-1 figure is compared with."""
    acts = [x]
    for w in net.weights:
        acts.append(np.tanh(acts[-1] @ w.T))
    delta = np.ones_like(acts[-1])

    def products():
        for k, w in enumerate(net.weights):
            acts[k] @ w.T
        d = delta
        for k in range(len(net.weights) - 1, -1, -1):
            d.T @ acts[k]
            if k:
                d = (d @ net.weights[k])
    return products


def step_vs_floor(trainer: Trainer, rounds: int, block: int = 5) -> tuple[float, float]:
    """Median time of one training step and of the floor's products. They are timed in
    alternating blocks, so that the shared machine's slow spells hit both alike, with a
    pause between blocks: after the floor's products OpenBLAS's worker threads spin on
    the other core for a while, which would slow down whatever runs next (in the app
    nothing runs big products between training steps)."""
    floor = matmul_products(trainer.network, trainer.inputs)
    steps, floors = [], []
    for _ in range(max(1, rounds // block)):
        for work, times in ((trainer.step, steps), (floor, floors)):
            time.sleep(0.2)
            work()  # wake up: the first call after a pause pays for it
            times.extend(_timed(work) for _ in range(block))
    return float(np.median(steps)), float(np.median(floors))


def main() -> None:
    print(f"cores: {os.cpu_count()}  numpy {np.__version__}")
    print("\npreset            steps/s")
    for name in NAMES:
        lesson = load_preset(name)
        lesson.trainable = None
        print(f"{name:16s} {steps_per_second(lesson.trainer()):10,.0f}")
    for samples, rounds in ((1_000, 400), (10_000, 60)):
        net = Network(1, [Layer(64, "tanh"), Layer(64, "tanh"), Layer(1, "identity")])
        net.randomize(0)
        x = np.linspace(-2, 2, samples)[:, None]
        y = np.sin(2 * x)
        step, floor = step_vs_floor(Trainer(net, x, y, "mse", 0.01), rounds)
        print(f"1-64-64-1 tanh, {samples:>6} samples: {1 / step:8,.0f} steps/s = "
              f"{step * 1e3:.3f} ms/step; matmul floor {floor * 1e3:.3f} ms "
              f"(ratio {step / floor:.2f}x, medians of {rounds} turns)")
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
    best = min(_timed(lambda: loss_grid(t.network, t.inputs, t.targets, t.loss_function,
                                        "w1", "b1", grid, grid)) for _ in range(10))
    print(f"landscape, 100x100 grid over (w1, b1) of statquest-all: {best * 1e3:.1f} ms")
    big_breakdown()


def big_breakdown() -> None:
    """A wide network's breakdown as a Step draws it: a first-layer weight of 1-64-64-1
    tanh on 6,000 samples (64 paths; the first 8 formed, the rest's sum from the backward
    pass), from scratch and from the passes the trainer kept; and what keeping costs."""
    import statistics

    from engine.builder import build_lesson
    from engine.losses import LOSSES
    from engine.network import Layer

    rng = np.random.default_rng(0)
    base = load_preset("single-weight")
    lesson = build_lesson(base, [Layer(64, "tanh"), Layer(64, "tanh")],
                          Layer(1, "identity"), "mse", "layered", 1)
    net, x = lesson.network, rng.uniform(-1, 1, (6000, 1))
    y, name, loss = np.sin(3 * x), net.param_names[0], LOSSES[lesson.loss]
    t = Trainer(net, x, y, lesson.loss, 0.01)

    def from_kept():
        kept = t.kept_pass()
        return chain_rule_breakdown(net, x, y, loss, name, kept.forward, kept.deltas)
    for label, make in (("from scratch", lambda: chain_rule_breakdown(net, x, y, loss, name)),
                        ("from the trainer's kept passes (the window's)", from_kept)):
        times = []
        for _ in range(15):
            start = time.process_time()
            b = make()
            for path in b.paths[:8]:
                path.products  # noqa: B018 (formed as the panel reads them)
            b.sum_of_paths_after(8)
            times.append(time.process_time() - start)
        print(f"breakdown of {name} of 1-64-64-1 on 6,000 samples (64 paths), {label}, "
              f"CPU: median {statistics.median(times) * 1e3:.1f} ms, best "
              f"{min(times) * 1e3:.1f} ms")
    costs = {}
    for keep in (False, True, False, True):
        start = time.process_time()
        for _ in range(10):
            t._backprop(t.loss_function, keep=keep)
        costs.setdefault(keep, []).append((time.process_time() - start) / 10)
    print(f"its forward and backward pass, CPU: {min(costs[False]) * 1e3:.1f} ms, keeping "
          f"them for the breakdown {min(costs[True]) * 1e3:.1f} ms")


def classification_vs_squared() -> None:
    """Softmax + cross-entropy against the same network with an identity output and a
    squared error (target: within 1.5x its time)."""
    print("\nclassification vs the same network with a squared error (steps/s)")
    iris = load_preset("iris-softmax")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1_000, 2))
    y = np.eye(3)[rng.integers(0, 3, 1_000)]
    cases = (("iris 2-2-3", iris.inputs, iris.targets, [Layer(2, "relu")], 3),
             ("2-16-16-3, 1,000 samples", x, y, [Layer(16, "tanh"), Layer(16, "tanh")], 3))
    for label, xs, ys, hidden, outputs in cases:
        speeds = []
        for act, loss in (("softmax", "ce"), ("identity", "mse")):
            net = Network(xs.shape[1], [*hidden, Layer(outputs, act)])
            net.randomize(1)
            speeds.append(steps_per_second(Trainer(net, xs, ys, loss, 0.01)))
        print(f"{label:26s} softmax+CE {speeds[0]:9,.0f}   identity+MSE {speeds[1]:9,.0f}   "
              f"time ratio {speeds[1] / speeds[0]:.2f}x")


def optimizers_vs_plain(rounds: int = 7) -> None:
    """Each optimizer against plain gradient descent on the same lesson (target for
    Adam: at most 1.3x the time). Timed in interleaved rounds (plain, momentum, rmsprop,
    adam, plain, ...) so that a shared machine's slow spells hit every rule alike; the
    ratio of each round's times, as median and range over the rounds."""
    print("\noptimizers vs plain gradient descent: time ratio, median [range] over "
          f"{rounds} interleaved rounds")
    net = Network(1, [Layer(64, "tanh"), Layer(64, "tanh"), Layer(1, "identity")])
    net.randomize(0)
    x = np.linspace(-2, 2, 10_000)[:, None]
    cases = (("statquest-all", lambda: load_preset("statquest-all").trainer(), 0.3),
             ("1-64-64-1, 10,000 samples",
              lambda: Trainer(net.copy(), x, np.sin(2 * x), "mse", 0.001), 1.0))
    names = ("sgd", "momentum", "rmsprop", "adam")
    for label, make, seconds in cases:
        trainers = {}
        for name in names:
            trainers[name] = make()
            if name != "sgd":
                trainers[name].set_optimizer(DEFAULT_OPTIMIZERS[name])
        speeds: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(rounds):
            for name in names:
                speeds[name].append(steps_per_second(trainers[name], seconds, repeats=1))
        plain = speeds["sgd"]
        row = [f"plain {statistics.median(plain):8,.0f} steps/s"]
        for name in names[1:]:
            ratios = sorted(p / q for p, q in zip(plain, speeds[name], strict=True))
            row.append(f"{name} {statistics.median(ratios):.2f}x "
                       f"[{ratios[0]:.2f}-{ratios[-1]:.2f}]")
        print(f"{label:26s} " + "   ".join(row))


def validation_and_batches() -> None:
    """What recording the validation loss (a forward pass over the samples held out)
    and the batch loss costs a step (target: Run stays above 10,000 steps/s)."""
    print("\nvalidation split and batches, narrow-valley (steps/s)")
    for fraction, size in ((0.0, 0), (0.3, 0), (0.0, 2), (0.3, 2)):
        lesson = load_preset("narrow-valley")
        lesson.validation, lesson.batching = Validation(fraction), Batching(size)
        speed = steps_per_second(lesson.trainer())
        print(f"validation {fraction:<4g} batch size {size or 'all':>3}   {speed:9,.0f}")


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
