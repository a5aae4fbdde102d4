"""Run: gradient descent in batches of steps, once a frame, from a QTimer, so the window
never freezes. The Runner owns the timer, the speed and the time budget; the steps
themselves are the Session's (`advance`, then `finish_training` once a frame)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer

from gui.session import Session

FRAME_MS = 16
# Speed positions: steps per frame; None = as many as fit in the frame's budget. The
# slowest, a step every 30, 8 or 3 frames (~1-2, ~8 and ~20 steps a second), let a class
# watch a lesson of a few steps: at one step a frame statquest-b3's 9 steps were over in
# 0.15 s, and at ~8 a second in about one (a tester: too fast to follow a run step by step).
SPEEDS = (1 / 30, 1 / 8, 1 / 3, 1, 2, 5, 10, 50, 200, 1000, None)
DEFAULT_SPEED = SPEEDS.index(10)
FRAME_BUDGET_S = 0.010  # maths per frame to start with; drawing takes ~20 ms more
MIN_BUDGET_S, MAX_BUDGET_S = 0.003, 0.016
BATCH_S = 0.002  # longest stretch of maths between looks at the clock
MAX_BATCH = 4096


class Runner(QObject):
    def __init__(self, session: Session):
        super().__init__(session)
        self.session = session
        self.speed = DEFAULT_SPEED
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)
        self.budget, self.last_tick = FRAME_BUDGET_S, None
        self._owed = 0.0  # the slow speeds' share of a step, frame by frame
        # Seconds one step took in the last frame, and for which (parameters, samples).
        self._step_s: tuple[tuple[int, int], float] = ((0, 0), 0.0)
        session.runningChanged.connect(self._running_changed)

    def set_speed(self, position: int) -> None:
        """A position in SPEEDS: from one step a frame to as many as fit."""
        self.speed = max(0, min(len(SPEEDS) - 1, position))

    def _running_changed(self, running: bool) -> None:
        self.last_tick = None
        self._owed = 1.0  # a slow Run takes its first step at once
        if running:
            self.session.notify("Running… (R or Space pauses)")
            self.timer.start()
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if not self.session.running:
            self.timer.stop()
            return
        now = time.perf_counter()
        if self.last_tick is not None:
            # Frames that ran long (drawing was slow) leave less time for maths next time;
            # quick frames give it back: the window keeps ~30 frames/s whatever it draws.
            frame = now - self.last_tick
            factor = 0.7 if frame > 0.040 else 1.1 if frame < 0.030 else 1.0
            self.budget = min(MAX_BUDGET_S, max(MIN_BUDGET_S, self.budget * factor))
        self.last_tick = now
        speed = SPEEDS[self.speed]
        if speed is not None and speed < 1:  # a step every few frames: they add up
            self._owed += speed
            if self._owed < 1 - 1e-9:
                return
            self._owed, speed = 0.0, 1
        self.run_for(self.budget, None if speed is None else int(speed))

    def run_for(self, seconds: float, max_steps: int | None = None) -> None:
        """Steps for about `seconds` (or `max_steps`), then one redraw."""
        s = self.session
        start = time.perf_counter()
        # The first batch is sized by the speed of the last frame: a fixed first batch of
        # 16 steps took 200 ms on a network that needs 13 ms a step.
        key = s.workload  # another network or data set starts again from one step
        known = self._step_s[1] if self._step_s[0] == key else 0.0
        batch = max(1, min(MAX_BATCH, int(BATCH_S / known))) if known else 1
        done, reason = 0, None
        while True:
            if max_steps is not None:
                batch = min(batch, max_steps - done)
            before = s.steps_done
            reason = s.advance(batch)
            done += s.steps_done - before
            elapsed = time.perf_counter() - start
            if reason is not None or elapsed >= seconds or s.steps_done == before or \
                    (max_steps is not None and done >= max_steps):
                break
            # Size the next batch to what is left of the budget at the speed seen so far,
            # and to at most BATCH_S: if the machine slows down mid-frame (another thread
            # holding the GIL, a busy VM) the frame overshoots by one short batch only.
            per_step = elapsed / done
            batch = max(1, min(MAX_BATCH, int(min(seconds - elapsed, BATCH_S) / per_step)))
        if done:
            self._step_s = (key, (time.perf_counter() - start) / done)
        s.finish_training(reason)
