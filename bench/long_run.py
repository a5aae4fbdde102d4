"""A long Run in the window, off screen: 1,000,000 steps of statquest-all. Prints the
peak memory growth (target < 100 MB), the longest event-loop stall (target < 100 ms, with
the window's CPU time in it), the CPU times, and the autosave: the largest it was on disk
(all its files), the bytes written, and each save's work on the window's thread and on
the autosave's writer thread.

A big network: `python bench/big_lessons.py /tmp` writes the lessons, then
`python bench/long_run.py --lesson /tmp/wide-66561.json --seconds 30` runs the
66,561-parameter one for 30 s (the history's budget is 200 MB, the autosave's 16 MB).

Run: python bench/long_run.py [--steps 1000000] [--lesson NAME_OR_PATH] [--seconds S]
(prints figures; asserts nothing; the autosaves go to a temporary folder)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import threading
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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bytes_written() -> int:
    """Bytes this process has handed to write() so far (the autosave's, here)."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


def thread_cpu_seconds(prefix: str) -> float:
    """CPU time of this process's threads named `prefix`… (the autosave's writer)."""
    ticks = 0
    for thread in threading.enumerate():
        if thread.name.startswith(prefix) and thread.native_id is not None:
            with open(f"/proc/self/task/{thread.native_id}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class SaveMeter:
    """Wraps the window's autosave: how often it saved and what each save cost the
    window's thread (the snapshot taken there; the writing is on the writer thread)."""

    def __init__(self, autosave):
        self.saves, self.longest, self.longest_cpu = 0, 0.0, 0.0
        save = autosave.save

        def measured(*args, **kwargs):
            start, start_cpu = time.perf_counter(), time.thread_time()
            try:
                return save(*args, **kwargs)
            finally:
                self.saves += 1
                self.longest = max(self.longest, time.perf_counter() - start)
                self.longest_cpu = max(self.longest_cpu, time.thread_time() - start_cpu)

        autosave.save = measured


def autosave_bytes(autosave) -> int:
    """The window's autosave on disk: every one of its files."""
    total = 0
    for path in autosave.folder.glob(f"{autosave.state_path.stem}*"):
        if path.suffix != ".lock":
            with contextlib.suppress(OSError):  # replaced meanwhile
                total += path.stat().st_size
    return total


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
    saves = SaveMeter(w.autosave)
    written, cpu = bytes_written(), cpu_seconds()
    w.controls.run_action.trigger()
    start, last_print = time.perf_counter(), 0.0
    while w.session.running:
        meter.process(app)
        now = time.perf_counter()
        if now - last_print > 0.5:
            peak = max(peak, rss_mb())
            last_print = now
            saved = max(saved, autosave_bytes(w.autosave))
        if args.seconds is not None and now - start > args.seconds:
            w.controls.run_action.trigger()  # pause
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    w.autosave.writer.submit(lambda: None).result()  # the last save written
    written = bytes_written() - written
    writer_cpu = thread_cpu_seconds("autosave")
    peak = max(peak, rss_mb())
    print(f"cores: {os.cpu_count()}  lesson: {args.lesson} "
          f"({len(t.network.params):,} parameters, {len(t.inputs):,} samples)")
    print(f"{t.steps_done:,} steps in {elapsed:.0f} s ({t.steps_done / elapsed:,.0f} steps/s); "
          f"history rows kept: {len(t.history):,}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: {start_rss:.0f} MB at start, peak {peak:.0f} MB, growth "
          f"{peak - start_rss:.0f} MB (ru_maxrss {maxrss:.0f} MB)")
    print(f"CPU: {cpu:.1f} s in {elapsed:.0f} s (both cores: {cpu / elapsed:.0%} of one)")
    print(f"longest event-loop stall: {meter.longest * 1e3:.0f} ms "
          f"({meter.longest_cpu * 1e3:.0f} ms of it the window's CPU); "
          f"the most CPU in one pass: {meter.most_cpu * 1e3:.0f} ms")
    per_save = max(saves.saves, 1)
    print(f"autosave: {saves.saves} saves, largest on disk {saved / 2**20:.1f} MB, "
          f"{written / 2**20:.1f} MB written ({written / per_save / 2**20:.2f} MB a save); "
          f"a save's snapshot on the window's thread at most {saves.longest * 1e3:.0f} ms "
          f"({saves.longest_cpu * 1e3:.0f} ms CPU); writer thread "
          f"{writer_cpu * 1e3 / per_save:.0f} ms CPU a save")
    print(f"history keeps at most {getattr(t.history, 'max_rows', 0):,} rows")
    trail = getattr(t.history, "loss_trail", None)
    if trail is not None:
        print(f"loss plot: {len(trail[0]):,} steps' losses kept, {len(t.history):,} full rows")


if __name__ == "__main__":
    main()
