"""Window speed, off screen: start-up to the first painted frame, Step latency per
preset, and Run on statquest-all (steps/s, frames/s, longest event-loop stall).

With --big, the same for a big network too: 1-64-64-1 tanh on 6,000 samples (4,353
parameters, written by bench/big_lessons.py): start-up, Step latency and Run; with
--only-big also the Step with each panel whose work grows with the network raised.

Run: python bench/window.py [--run-seconds 10] [--big] [--only-big]
     python bench/window.py --real --presenter --rounds 5   (in a real window: Step
     latency in five fresh processes, the median of their figures with the range)
(prints figures; asserts nothing)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # big_lessons; after ROOT: bench/engine.py is no engine

BARE = """
import time, sys
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication([])
w = pg.PlotWidget(); w.plot([0, 1, 2], [2, 1, 0]); w.resize(1280, 800); w.show()
app.processEvents()
w.repaint()
print(time.perf_counter() - t0)
"""

APP = """
import time, sys
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from gui.app import make_application
app = make_application()
from gui import create_window
w = create_window({lesson!r}); w.resize(1280, 800); w.show()
app.processEvents()
w.repaint()
print(time.perf_counter() - t0)
"""


def startup(code: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


class StallMeter:
    """The longest single pass of the event loop: while one pass runs (a Run frame's
    maths, refreshes and painting), a click or key press waits for the next.

    (A 5 ms QTimer's longest gap was used first; but Qt runs due timers in either order
    around the Run timer's frame, so that gap often spanned two frames and a paint.)"""

    def __init__(self):
        self.longest = 0.0
        self.longest_cpu = 0.0  # the window's own CPU time in that longest pass
        self.most_cpu = 0.0  # the pass with the most CPU time of the window's thread

    def process(self, app) -> None:
        # The CPU time beside the wall clock: on a busy machine a pass also waits for a
        # core, and a pass that waits for Python's lock (held by another thread) shows
        # a long wall time but little CPU.
        start, start_cpu = time.perf_counter(), time.thread_time()
        app.processEvents()
        wall, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        if wall > self.longest:
            self.longest, self.longest_cpu = wall, cpu
        self.most_cpu = max(self.most_cpu, cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-seconds", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=40, help="Step clicks per preset")
    parser.add_argument("--only-run", action="store_true",
                        help="skip start-up and Step latency: the Run figures alone")
    parser.add_argument("--real", action="store_true",
                        help="in a real window (run under ../shared/tools/real-window): "
                             "maximised as a first launch is, no start-up figure")
    parser.add_argument("--presenter", action="store_true", help="in presenter mode (F5)")
    parser.add_argument("--presets", nargs="+", metavar="NAME",
                        help="Step latency on these presets alone, no Run (default: every "
                             "preset, then Run)")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="Step latency alone, in N fresh processes one after another: "
                             "per preset the median of their medians and p95s with their "
                             "range (a process's figures vary more than its steps do)")
    parser.add_argument("--figures-as-json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--big", action="store_true",
                        help="also a 4,353-parameter network on 6,000 samples")
    parser.add_argument("--only-big", action="store_true",
                        help="the big network's start-up, Step and Run alone")
    args = parser.parse_args()
    if args.rounds > 1:
        rounds(args)
        return
    args.big = args.big or args.only_big
    args.extra = []
    if args.big:
        import tempfile

        from big_lessons import write_all
        args.extra = [str(write_all(Path(tempfile.mkdtemp()))["mid-4353"])]


    from gui import create_window
    from gui.app import freeze_startup_objects, make_application

    print(f"cores: {os.cpu_count()}  platform: {os.environ['QT_QPA_PLATFORM']}"
          + ("  presenter mode" if args.presenter else ""))
    global SHOW
    SHOW = _shower(args)
    if args.only_run or args.real:
        app = make_application()
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.real and not args.only_run:
            figures = step_latency(app, args, create_window, freeze_startup_objects)
            if args.figures_as_json:
                print("FIGURES " + json.dumps(figures))
        if not args.presets:
            run_part(app, args, rss0, create_window, freeze_startup_objects)
        return
    if args.only_big:
        big = startup(APP.format(root=str(ROOT), lesson=args.extra[0]))
        print(f"start-up to first paint with {Path(args.extra[0]).name}: {big * 1e3:.0f} ms")
        app = make_application()
        step_latency(app, args, create_window, freeze_startup_objects, args.extra)
        raised_panels(app, create_window, args.extra[0])
        run_big(app, args, create_window)
        return
    bare, ours = startup(BARE), startup(APP.format(root=str(ROOT), lesson=None))
    print(f"start-up to first paint: bare PySide6+pyqtgraph {bare * 1e3:.0f} ms, "
          f"Backprop Lab {ours * 1e3:.0f} ms ({ours / bare:.2f}x)")
    for path in args.extra:
        big = startup(APP.format(root=str(ROOT), lesson=path))
        print(f"start-up to first paint with {Path(path).name}: {big * 1e3:.0f} ms")

    app = make_application()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = step_latency(app, args, create_window, freeze_startup_objects)
    if args.figures_as_json:
        print("FIGURES " + json.dumps(figures))
        return
    run_part(app, args, rss0, create_window, freeze_startup_objects)
    if args.big:
        run_big(app, args, create_window)


def raised_panels(app, create_window, lesson: str, steps: int = 8) -> None:
    """Step latency on the big lesson with each panel whose work grows with the network
    raised in turn (a whole pass of the network per point: seconds a Step once)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    w = create_window(lesson)
    SHOW(w)
    print(f"\nStep with a panel raised, {Path(lesson).stem} (ms, median of {steps}): wall, CPU")
    # each in turn, with its tab group's first panel raised again after it
    for key, first in (("gradcheck", "data"), ("history", "data"), ("tangent", "loss"),
                       ("landscape", "loss"), ("quiz", "breakdown")):
        w.docks[key].raise_()
        app.processEvents()
        button = w.controls.button("stepButton")
        lat, cpu = [], []
        for _ in range(steps):
            time.sleep(0.12)
            app.processEvents()
            t0, c0 = time.perf_counter(), time.process_time()
            QTest.mouseClick(button, Qt.LeftButton)
            app.processEvents()
            lat.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        print(f"{key:16s} {statistics.median(lat):8.1f} {statistics.median(cpu):8.1f}")
        w.docks[first].raise_()
    close(w)


def run_big(app, args, create_window) -> None:
    for path in args.extra:
        w = create_window(path)
        SHOW(w)
        app.processEvents()
        run_figures(app, w, args.run_seconds / 2, "(the default panels)", Path(path).name)
        close(w)


SHOW = None  # how a bench window is shown: set from the arguments in main()


def _shower(args):
    """A window shown at 1280x800 off screen, or maximised in a real one; in presenter
    mode if asked."""
    def show(w):
        if args.real:
            w.showMaximized()
        else:
            w.resize(1280, 800)
            w.show()
        from PySide6.QtWidgets import QApplication
        for _ in range(20 if args.real else 1):  # the window manager's sizing settles
            QApplication.processEvents()
            time.sleep(0.05 if args.real else 0)
        if args.presenter:
            w.set_presenter(True)
            QApplication.processEvents()
    return show


def step_latency(app, args, create_window, freeze_startup_objects, lessons=None) -> dict:
    """Per preset, the Step's median and p95 wall-clock latency (ms), printed and
    returned."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from engine import PRESETS

    print("\nStep latency, click to every panel repainted (ms): wall clock, which is what a "
          "person sees,\nand the process's CPU time, the app's own work (a shared VM that "
          "takes the CPU away\ninflates the first, not the second):")
    print(f"{'preset':16s} {'median':>8s} {'p95':>8s} {'CPU median':>11s} {'CPU p95':>8s}")
    figures = {}
    for name in lessons or [*(args.presets or PRESETS), *args.extra]:
        w = create_window(name)
        SHOW(w)
        freeze_startup_objects()  # as the app does once its window is up
        button = w.controls.button("stepButton")
        lat, cpu = [], []
        for _ in range(args.steps):
            time.sleep(0.12)  # a person clicks at most a few times a second
            app.processEvents()
            t0, c0 = time.perf_counter(), time.process_time()
            QTest.mouseClick(button, Qt.LeftButton)
            app.processEvents()  # every panel that changed repaints here
            lat.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        print(f"{Path(name).stem:16s} {statistics.median(lat):8.1f} {p95(lat):8.1f} "
              f"{statistics.median(cpu):11.1f} {p95(cpu):8.1f}")
        figures[Path(name).stem] = (statistics.median(lat), p95(lat))
        close(w)
    return figures


def run_part(app, args, rss0, create_window, freeze_startup_objects) -> None:
    w = create_window("statquest-all")
    SHOW(w)
    freeze_startup_objects()
    w.docks["landscape"].raise_()
    app.processEvents()
    draws = []
    for _ in range(10):
        t0 = time.perf_counter()
        w.landscape.extent = None  # force a new grid, not just the path
        w.landscape.refresh()
        w.landscape.plot.repaint()
        app.processEvents()
        draws.append((time.perf_counter() - t0) * 1e3)
    print(f"\nlandscape 100x100 on statquest-all, computed and drawn: median "
          f"{statistics.median(draws):.1f} ms, worst {max(draws):.1f} ms")
    run_figures(app, w, args.run_seconds / 2, "with the landscape open")
    w.docks["loss"].raise_()
    app.processEvents()
    run_figures(app, w, args.run_seconds, "with the loss plot open")
    close(w)
    # A classifier: the class map under the diagram and the accuracy beside the loss.
    w = create_window("iris-softmax")
    SHOW(w)
    w.docks["data"].raise_()
    w.docks["accuracy"].raise_()
    app.processEvents()
    run_figures(app, w, args.run_seconds / 2, "with the class map and accuracy open",
                "iris-softmax")
    close(w)
    # Issue 15's case: Adam, two runs kept to compare, the landscape open.
    w = create_window("narrow-valley")
    SHOW(w)
    for _ in range(2):
        w.session.advance(300)
        w.session.finish_training(None)
        w.session.keep_run()
        w.session.reset()
    w.session.set_optimizer("adam")
    w.docks["landscape"].raise_()
    app.processEvents()
    run_figures(app, w, args.run_seconds / 2, "with Adam, two kept runs and the landscape open",
                "narrow-valley")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory {rss / 1024:.0f} MB (growth during the benchmark "
          f"{(rss - rss0) / 1024:.0f} MB)")


def close(w) -> None:
    """Close a bench window without the Save / Discard / Cancel question (Quit asks when
    there is unsaved work; a benchmark's steps are not work to keep), out of presenter
    mode: the appearance is the application's, and the next window found presenter mode
    on already, so set_presenter(True) laid nothing out (only the first preset was
    measured in presenter mode's layout, the others at its fonts in the normal one)."""
    w.set_presenter(False)
    w.session.discard_unsaved()
    w.close()


def rounds(args) -> None:
    """Step latency over `args.rounds` rounds, each preset in a fresh process of its own
    (the app's one window a process; a preset measured after others in the same
    process was slower: narrow-valley first 16.1 ms, ninth 22.4, its CPU time with it),
    the presets interleaved round by round: per preset the median of the processes'
    medians and of their p95s, with the lowest and highest."""
    from engine import PRESETS

    argv, dropping = [], False
    for a in sys.argv[1:]:  # the same arguments, less --rounds, --presets and their values
        if a.startswith("--"):
            dropping = a in ("--rounds", "--presets")
            if not (dropping or a.startswith(("--rounds=", "--presets="))):
                argv.append(a)
        elif not dropping:
            argv.append(a)
    per_preset: dict[str, list[tuple[float, float]]] = {}
    for k in range(args.rounds):
        for preset in args.presets or PRESETS:
            out = subprocess.run([sys.executable, __file__, *argv, "--presets", preset,
                                  "--figures-as-json"],
                                 capture_output=True, text=True, check=True).stdout
            line = next(x for x in out.splitlines() if x.startswith("FIGURES "))
            for name, pair in json.loads(line[len("FIGURES "):]).items():
                per_preset.setdefault(name, []).append(tuple(pair))
        print(f"round {k + 1} of {args.rounds} done ({os.getloadavg()[0]:.1f} load)",
              flush=True)
    print(f"\nStep latency (ms, wall clock) over {args.rounds} processes: the median of "
          "their medians [lowest-highest], and of their p95s")
    for name, pairs in per_preset.items():
        medians, p95s = [m for m, _ in pairs], [p for _, p in pairs]
        print(f"{name:16s} median {statistics.median(medians):5.1f} "
              f"[{min(medians):.1f}-{max(medians):.1f}]   p95 "
              f"{statistics.median(p95s):5.1f} [{min(p95s):.1f}-{max(p95s):.1f}]")


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * len(values)) - 1]


def run_figures(app, w, seconds: float, label: str, lesson: str = "statquest-all") -> None:
    w.session.trainer.stop = type(w.session.trainer.stop)(0.0, 10**9)  # never converge
    w.controls.speed.setValue(w.controls.speed.maximum())
    frames = [0]
    w.session.stateChanged.connect(lambda: frames.__setitem__(0, frames[0] + 1))
    meter = StallMeter()
    w.controls.run_action.trigger()
    start = time.perf_counter()
    steps0 = w.session.trainer.steps_done
    while time.perf_counter() - start < seconds:
        meter.process(app)
    elapsed = time.perf_counter() - start
    w.controls.run_action.trigger()
    steps = w.session.trainer.steps_done - steps0
    print(f"Run on {lesson} {label}, {elapsed:.1f} s: {steps / elapsed:,.0f} steps/s, "
          f"{frames[0] / elapsed:.0f} frames/s, longest stall {meter.longest * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
