"""Docks that keep their share of a window that grows or shrinks.

Qt gives all of a window's new room to its central widget: a window first laid out at
907x533 and then maximised kept its docks at their small pixel sizes, the diagram huge
and the panels narrow (a tester, issue 13). Here each layout is remembered as either the
window's own layout (the default one, presenter mode's), made again at the new size, or
the user's proportions (a splitter dragged, a dock moved), each dock's width and height as
a share of the room between the tool bar and the status bar, put back with
QMainWindow.resizeDocks.

Only a resize past RESIZE_SHARE of the size a layout was made at lays the docks out
again: a window edge dragged a few pixels leaves them alone, and a splitter drag never
resizes the window, so it is never undone."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

RESIZE_SHARE = 0.05  # of the window's width or height: a resize that lays the docks out


@dataclass(frozen=True)
class Proportions:
    """How a layout is kept: `relayout` makes it again at the window's size (the
    window's own layouts), else `shares` holds each dock's (width, height) share of the
    room (the user's own). `made_at`: the window's size it was made or last fitted at."""

    relayout: Callable[[], None] | None
    shares: dict[str, tuple[float, float]]
    made_at: QSize | None


def group_height(window: QMainWindow, dock: QDockWidget) -> int:
    """The height resizeDocks means for a dock: with its group's tab bar, if any."""
    box = dock.geometry()
    bars = [bar.geometry() for bar in window.findChildren(QTabBar)
            if bar.parent() is window and bar.isVisible()]
    under = [bar.height() for bar in bars if abs(bar.top() - box.bottom() - 1) <= 3
             and bar.left() < box.right() and box.left() < bar.right()]
    return dock.height() + max(under, default=0)


def docked(window: QMainWindow, dock: QDockWidget) -> bool:
    return (not dock.isHidden() and not dock.isFloating()
            and window.dockWidgetArea(dock) != Qt.NoDockWidgetArea)


class DockProportions(QObject):
    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget],
                 default_layout: Callable[[], None]):
        """`default_layout` lays the window's default layout out at its size: a layout
        kept between runs is either that one or the user's shares."""
        super().__init__(window)
        self.window, self.docks, self.default_layout = window, docks, default_layout
        self.kept = Proportions(None, {}, None)  # nothing to keep until a layout is made
        self._ours = 0  # >0 while the window's own code moves docks (not the user)
        self._fit_pending = False
        self._pressed: dict[str, tuple] | None = None  # dock geometries at a mouse press
        for dock in docks.values():
            dock.dockLocationChanged.connect(self._moved)
            dock.topLevelChanged.connect(self._moved)
        window.installEventFilter(self)

    # --- what is kept -----------------------------------------------------------------
    def made_by(self, relayout: Callable[[], None]) -> None:
        """The window just made one of its own layouts at its size: `relayout` makes it
        again at another."""
        self.kept = Proportions(relayout, {}, self.window.size())

    def keep_shares(self) -> None:
        """The layout on screen is the user's own: keep each dock's share of it."""
        self.kept = Proportions(None, self.shares(), self.window.size())

    def saved(self) -> str:
        """What is kept, as text for the settings: the default layout or the user's
        shares, and the window's size they were made at (never presenter mode's)."""
        kept = self.kept
        if kept.relayout not in (None, self.default_layout):
            kept = Proportions(None, self.shares(), self.window.size())
        made_at = kept.made_at or self.window.size()
        return json.dumps({"default": kept.relayout is not None, "shares": kept.shares,
                           "made_at": [made_at.width(), made_at.height()]})

    def load(self, text) -> bool:
        """What saved() wrote, for the layout restored with it; False if unreadable."""
        try:
            data = json.loads(text)
            shares = {key: (float(sw), float(sh)) for key, (sw, sh) in data["shares"].items()
                      if key in self.docks}
            made_at = QSize(int(data["made_at"][0]), int(data["made_at"][1]))
            default = bool(data["default"])
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return False
        self.kept = Proportions(self.default_layout if default else None, shares, made_at)
        return True

    def keep_shares_after(self, seconds: float) -> None:
        """The user's own layout, restored: its shares measured after `seconds` (once a
        window manager has given the window its size: a maximised one is shown smaller
        first), unless a layout is made before."""
        self.kept = Proportions(None, {}, None)
        QTimer.singleShot(int(seconds * 1000), self,
                          lambda: self.kept.made_at is None and self.keep_shares())

    def record(self) -> Proportions:
        return self.kept

    def restore(self, kept: Proportions) -> None:
        """Back to a layout kept earlier (restored with QMainWindow.restoreState): sized
        again if the window's size has changed much since (presenter mode was left in a
        window maximised meanwhile), else left exactly as restored."""
        self.kept = kept
        if self._far_from(kept.made_at):
            self._fit()

    def shares(self) -> dict[str, tuple[float, float]]:
        """Each docked panel in front of its group: its width and its group's height
        (tab bar included, as resizeDocks counts it) as shares of the room the docks and
        the diagram have (the window less its menu, tool and status bars, which keep
        their heights: shares of the whole window grew two docks stacked in a column
        past it, and Qt took the excess from one of them)."""
        room = self._room()
        return {key: (dock.width() / room.width(),
                      group_height(self.window, dock) / room.height())
                for key, dock in self._in_front().items()}

    def _in_front(self) -> dict[str, QDockWidget]:
        rect = self.window.rect()
        return {key: dock for key, dock in self.docks.items()
                if docked(self.window, dock) and dock.isVisible()
                and dock.geometry().intersects(rect)}

    def _room(self) -> QSize:
        """The size of what the docks and the central widget fill together."""
        room = self.window.centralWidget().geometry()
        for dock in self._in_front().values():
            box = dock.geometry()
            box.setHeight(group_height(self.window, dock))
            room = room.united(box)
        return room.size()

    @contextlib.contextmanager
    def arranging(self):
        """The window's own code moves docks: not the user's doing."""
        self._ours += 1
        try:
            yield
        finally:
            self._ours -= 1

    # --- when the window is resized ---------------------------------------------------
    def resized(self) -> None:
        if self._far_from(self.kept.made_at) and not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self._fit)

    def _far_from(self, size: QSize | None) -> bool:
        if size is None or not self.window.isVisible():
            return False
        now = self.window.size()
        return (abs(now.width() - size.width()) > RESIZE_SHARE * size.width()
                or abs(now.height() - size.height()) > RESIZE_SHARE * size.height())

    def _fit(self) -> None:
        self._fit_pending = False
        kept = self.kept
        if not self._far_from(kept.made_at):
            return
        if kept.relayout is not None:
            kept.relayout()  # (which calls made_by at the new size)
            return
        room = self._room()
        w, h = room.width(), room.height()
        shown = [(self.docks[key], share) for key, share in kept.shares.items()
                 if docked(self.window, self.docks[key])]
        if shown:
            docks = [dock for dock, _ in shown]
            self.window.resizeDocks(docks, [round(sw * w) for _, (sw, _) in shown],
                                    Qt.Horizontal)
            self.window.resizeDocks(docks, [round(sh * h) for _, (_, sh) in shown],
                                    Qt.Vertical)
        self.kept = Proportions(None, kept.shares, self.window.size())

    # --- the user's own layout --------------------------------------------------------
    def _moved(self, *_) -> None:
        """A dock moved to another place, floated or docked again by the user."""
        if not self._ours:
            QTimer.singleShot(0, self, self._users_layout)

    def _users_layout(self) -> None:
        if self.window.isVisible():
            self.keep_shares()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # A splitter between docks is dragged on the main window itself: a press and a
        # release there with the docks' geometry changed in between is the user's drag.
        kind = event.type()
        if kind == QEvent.MouseButtonPress and watched is self.window:
            self._pressed = self._geometries()
        elif kind == QEvent.MouseButtonRelease and watched is self.window \
                and self._pressed is not None:
            pressed, self._pressed = self._pressed, None
            QTimer.singleShot(0, self, lambda: self._geometries() != pressed
                              and self._users_layout())
        return False

    def _geometries(self) -> dict[str, tuple]:
        return {key: dock.geometry().getRect() for key, dock in self.docks.items()}
