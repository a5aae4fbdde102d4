"""When and how often a panel redraws.

A panel hidden behind a tab or a closed dock does no work; it catches up when shown.
A text panel redrawn 60 times a second during Run costs frames and cannot be read
anyway, so it may ask for a minimum interval; after the last change it always catches up.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class LiveRefresh(QObject):
    def __init__(self, widget: QWidget, action: Callable[[], None], interval_s: float = 0.0):
        super().__init__(widget)
        self.widget, self.action, self.interval = widget, action, interval_s
        self.last = -1e9
        self.stale = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._fire)
        widget.installEventFilter(self)

    def request(self, *_) -> None:
        """Refresh now if visible and the interval has passed; else as soon as it may."""
        if not self.widget.isVisible():
            self.stale = True
            return
        wait = self.last + self.interval - time.perf_counter()
        if wait <= 0:
            self.timer.stop()
            self._fire()
        elif not self.timer.isActive():
            self.timer.start(int(wait * 1000) + 1)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Show and self.stale:
            QTimer.singleShot(0, self.request)
        return False

    def _fire(self) -> None:
        self.stale = False
        self.last = time.perf_counter()
        # Drawing extreme values may overflow in between (a tangent of slope 1e300): the
        # panel shows what it can, and divergence itself is reported by the session.
        with np.errstate(all="ignore"):
            self.action()
