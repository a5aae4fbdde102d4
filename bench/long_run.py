"""A long Run in the window, off screen: 1,000,000 steps of statquest-all. Prints the
peak memory growth (target < 100 MB) and the longest event-loop stall (target < 100 ms).

Run: python bench/long_run.py [--steps 1000000]     (prints figures; asserts nothing)
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from window import StallMeter  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args()
    from engine.training import StopRule
    from gui import create_window
    from gui.app import freeze_startup_objects, make_application

    app = make_application()
    w = create_window("statquest-all")
    w.resize(1280, 800)
    w.show()
    app.processEvents()
    freeze_startup_objects()  # as the app does once its window is up
    t = w.session.trainer
    t.stop = StopRule(0.0, args.steps)  # run to the step limit, never "converge"
    w.controls.speed.setValue(w.controls.speed.maximum())
    start_rss, peak = rss_mb(), 0.0
    meter = StallMeter()
    w.controls.run_action.trigger()
    start, last_print = time.perf_counter(), 0.0
    while w.session.running:
        meter.process(app)
        now = time.perf_counter()
        if now - last_print > 0.5:
            peak = max(peak, rss_mb())
            last_print = now
    elapsed = time.perf_counter() - start
    peak = max(peak, rss_mb())
    print(f"cores: {os.cpu_count()}")
    print(f"{t.steps_done:,} steps in {elapsed:.0f} s ({t.steps_done / elapsed:,.0f} steps/s); "
          f"history rows kept: {len(t.history):,}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: {start_rss:.0f} MB at start, peak {peak:.0f} MB, growth "
          f"{peak - start_rss:.0f} MB (ru_maxrss {maxrss:.0f} MB)")
    print(f"longest event-loop stall: {meter.longest * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
