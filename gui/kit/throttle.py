"""When and how often a panel redraws.

A panel hidden behind a tab or a closed dock does no work; it catches up when shown.
A text panel redrawn 60 times a second during Run costs frames and cannot be read
anyway, so it may ask for a minimum interval; after the last change it always catches up.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

# During Run, panels of numbers (fields, diagram labels) redraw at most this often: the
# plots carry the motion, and digits changing 30 times a second cannot be read anyway.
RUN_REFRESH_S = 1 / 15
# Event filters see every event of their widget, paints included: look the types up once.
_SHOWN = (QEvent.Show, QEvent.Move, QEvent.Resize)


def on_screen(widget: QWidget) -> bool:
    """Shown and inside its window. A dock tabbed behind another still counts as visible
    to Qt; it is parked outside the window, which is what tells it apart."""
    if not widget.isVisible():
        return False
    window = widget.window()
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).intersects(window.rect())


class LiveRefresh(QObject):
    def __init__(self, widget: QWidget, action: Callable[[], None], interval_s: float = 0.0,
                 busy: Callable[[], bool] | None = None):
        """`interval_s` applies only while `busy()` (e.g. during Run), if given: a single
        Step or edit always shows at once."""
        super().__init__(widget)
        self.widget, self.action, self.interval = widget, action, interval_s
        self.busy = busy
        self.last = -1e9
        self.stale = False
        self.watched: list[QWidget] = []  # containers watched while stale
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._fire)
        widget.installEventFilter(self)

    def request(self, *_) -> None:
        """Refresh now if visible and the interval has passed; else as soon as it may."""
        if not on_screen(self.widget):
            if not self.stale:
                self.stale = True
                self._watch_ancestors()
            return
        throttled = self.busy is None or self.busy()
        wait = self.last + self.interval - time.perf_counter() if throttled else 0.0
        if wait <= 0:
            self.timer.stop()
            self._fire()
        elif not self.timer.isActive():
            self.timer.start(int(wait * 1000) + 1)

    def _watch_ancestors(self) -> None:
        """Raising a tabbed dock moves the dock, not a plot inside a box inside it (the
        loss plot stayed stale when its tab was raised): watch every container too.
        Installing a filter again is a no-op in Qt."""
        parent = self.widget.parentWidget()
        while parent is not None:
            parent.installEventFilter(self)
            self.watched.append(parent)
            parent = parent.parentWidget()

    def _unwatch_ancestors(self) -> None:
        """Once fresh, stop: every event of the window and its docks went through each
        panel's filter, a Python call each, long after the panel was shown."""
        for parent in self.watched:
            # a container deleted since (the panel moved on) has no filters left
            with contextlib.suppress(RuntimeError):
                parent.removeEventFilter(self)
        self.watched = []

    def eventFilter(self, obj, event) -> bool:
        # Raising a tabbed dock moves and resizes it into view (no Show event comes).
        # (`stale` read with a default: a panel dropped with its LiveRefresh in a cycle
        # is cleared by the garbage collector before Qt deletes the widget, whose
        # destructor still sends this filter its Hide events: AttributeError, seen in
        # the tests as "Exceptions caught in Qt event loop".)
        if getattr(self, "stale", False) and event.type() in _SHOWN:
            # `self` as the context: a panel deleted meanwhile cancels the call.
            QTimer.singleShot(0, self, self.request)
        return False

    def now(self) -> None:
        """Refresh at once, visible or not (a panel's first drawing)."""
        self.timer.stop()
        self._fire()

    def _fire(self) -> None:
        self.stale = False
        if self.watched:
            self._unwatch_ancestors()
        self.last = time.perf_counter()
        # Drawing extreme values may overflow in between (a tangent of slope 1e300): the
        # panel shows what it can, and divergence itself is reported by the session.
        with np.errstate(all="ignore"):
            self.action()


class LazyPanel(QWidget):
    """A dock's content made only when first on screen: panels tabbed out of sight at
    start-up cost nothing until someone looks (a pyqtgraph plot takes ~40 ms to make)."""

    def __init__(self, factory: Callable[[], QWidget], on_create: Callable[[QWidget], None]):
        super().__init__()
        self.factory, self.on_create = factory, on_create
        self.panel: QWidget | None = None
        self.setLayout(QVBoxLayout())
        self.layout().setContentsMargins(0, 0, 0, 0)

    def get(self) -> QWidget:
        if self.panel is None:
            self.panel = self.factory()
            self.layout().addWidget(self.panel)
            self.on_create(self.panel)
        return self.panel

    def event(self, event) -> bool:
        if self.panel is None and event.type() in (QEvent.Show, QEvent.Move, QEvent.Resize) \
                and on_screen(self):
            QTimer.singleShot(0, self, self.get)
        return super().event(event)
