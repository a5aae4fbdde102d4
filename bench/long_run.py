"""A long Run in the window, off screen: 1,000,000 steps of statquest-all. Prints the
peak memory growth (target < 100 MB), the longest event-loop stall (target < 100 ms) and
the largest autosave the run wrote (its history file).

A big network: `python bench/big_lessons.py /tmp` writes the lessons, then
`python bench/long_run.py --lesson /tmp/wide-66561.json --seconds 30` runs the
66,561-parameter one for 30 s (the history's budget is 200 MB, the autosave's 16 MB).

Run: python bench/long_run.py [--steps 1000000] [--lesson NAME_OR_PATH] [--seconds S]
(prints figures; asserts nothing; the autosaves go to a temporary folder)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="long-run-")  # not the user's autosaves
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from window import StallMeter  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--lesson", default="statquest-all", help="a preset or lesson file")
    parser.add_argument("--seconds", type=float, default=None, help="stop Run after this")
    args = parser.parse_args()
    from engine.training import StopRule
    from gui import create_window
    from gui.app import freeze_startup_objects, make_application

    app = make_application()
    w = create_window(args.lesson)
    w.resize(1280, 800)
    w.show()
    app.processEvents()
    freeze_startup_objects()  # as the app does once its window is up
    t = w.session.trainer
    t.stop = StopRule(0.0, args.steps)  # run to the step limit, never "converge"
    w.controls.speed.setValue(w.controls.speed.maximum())
    start_rss, peak, saved = rss_mb(), 0.0, 0
    meter = StallMeter()
    w.controls.run_action.trigger()
    start, last_print = time.perf_counter(), 0.0
    while w.session.running:
        meter.process(app)
        now = time.perf_counter()
        if now - last_print > 0.5:
            peak = max(peak, rss_mb())
            last_print = now
            history_file = w.autosave.history_path
            if history_file.exists():
                saved = max(saved, history_file.stat().st_size)
        if args.seconds is not None and now - start > args.seconds:
            w.controls.run_action.trigger()  # pause
    elapsed = time.perf_counter() - start
    peak = max(peak, rss_mb())
    print(f"cores: {os.cpu_count()}  lesson: {args.lesson} "
          f"({len(t.network.params):,} parameters, {len(t.inputs):,} samples)")
    print(f"{t.steps_done:,} steps in {elapsed:.0f} s ({t.steps_done / elapsed:,.0f} steps/s); "
          f"history rows kept: {len(t.history):,}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: {start_rss:.0f} MB at start, peak {peak:.0f} MB, growth "
          f"{peak - start_rss:.0f} MB (ru_maxrss {maxrss:.0f} MB)")
    print(f"longest event-loop stall: {meter.longest * 1e3:.0f} ms")
    print(f"largest autosave history file: {saved / 2**20:.1f} MB "
          f"(history keeps at most {getattr(t.history, 'max_rows', 0):,} rows)")
    trail = getattr(t.history, "loss_trail", None)
    if trail is not None:
        print(f"loss plot: {len(trail[0]):,} steps' losses kept, {len(t.history):,} full rows")


if __name__ == "__main__":
    main()
