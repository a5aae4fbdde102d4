"""Starting the application: QApplication, fonts, and the --smoke and --screenshot modes."""

from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QBuffer, QIODevice, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProxyStyle, QStyle

from engine import LessonError
from engine.backprop import blas_on_one_thread
from engine.files import write_atomically


class _IconCachingStyle(QProxyStyle):
    """The platform's style, remembering its standard icons (Qt's Fusion style loads
    a dock's title-bar icons from files at every repaint of the dock: ~3 % of a Step),
    with check boxes scaled as the fonts are (gui/appearance.py sets the scale)."""

    _SCALED = (QStyle.PM_IndicatorWidth, QStyle.PM_IndicatorHeight,
               QStyle.PM_ExclusiveIndicatorWidth, QStyle.PM_ExclusiveIndicatorHeight)

    def __init__(self, base: str):
        super().__init__(base)
        self._icons = {}
        self.indicator_scale = 1.0

    def pixelMetric(self, metric, option=None, widget=None):  # noqa: N802 (Qt's name)
        size = super().pixelMetric(metric, option, widget)
        if self.indicator_scale != 1.0 and metric in self._SCALED:
            return round(size * self.indicator_scale)
        return size

    def standardIcon(self, icon, option=None, widget=None):  # noqa: N802 (Qt's name)
        if icon not in self._icons:
            self._icons[icon] = super().standardIcon(icon, option, widget)
        return self._icons[icon]


def make_application(font_scale: float = 1.0) -> QApplication:
    blas_on_one_thread()  # the window's small products: see there
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not isinstance(app.style(), _IconCachingStyle):
        app.setStyle(_IconCachingStyle(app.style().name()))
    app.setOrganizationName("Backprop Lab")
    app.setApplicationName("Backprop Lab")
    if font_scale != 1.0:
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * font_scale)
        app.setFont(font)
    return app


def freeze_startup_objects() -> None:
    """Move everything made at start-up (~70,000 Qt wrappers, pyqtgraph items, modules)
    out of the garbage collector's sight. They live as long as the window, and a full
    collection that walks them takes ~40 ms: a stutter in Run, a slow click."""
    gc.collect()
    gc.freeze()


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM"))


def offer_recovery(window, folder=None) -> None:
    """At start: say which autosaves were damaged (set aside), then offer the work of
    windows that are gone, newest first, until one is restored; the others stay on offer
    for the next start. A declined one is discarded."""
    from gui.autosave import find_recoveries, restore

    found, damaged = find_recoveries(folder)
    for text in damaged:
        QMessageBox.warning(None, "Autosave damaged", text)
    for k, recovery in enumerate(found):
        answer = QMessageBox.question(None, "Restore unsaved work?", recovery.question())
        if answer != QMessageBox.Yes:
            recovery.discard()
            continue
        text, whole = restore(window.session, recovery, window.autosave)
        for other in found[k + 1:]:
            other.leave()
        if whole:
            window.session.notify(text)
        else:  # something could not be recovered: said where it cannot be missed
            QMessageBox.warning(None, "Restored in part", text)
        return


def run(args) -> int:
    if args.screenshot or args.smoke:
        # Install checks and screenshots work on machines with no screen.
        if not _has_display():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not _has_display():
        print("backprop-lab: no display found. Run it on a desktop, or headless with "
              "QT_QPA_PLATFORM=offscreen (see the README).", file=sys.stderr)
        return 1
    app = make_application(args.font_scale)
    from gui.main_window import create_window

    try:
        window = create_window(args.lesson)
    except LessonError as exc:
        print(f"backprop-lab: {exc}", file=sys.stderr)
        if not (args.smoke or args.screenshot):
            QMessageBox.critical(None, "Cannot open the lesson", str(exc))
        return 2
    if args.screenshot:
        window.resize(*args.size)
        window.show()
        app.processEvents()
        window.network_view.rebuild()
        app.processEvents()
        buffer = QBuffer()  # in memory, then all or nothing, as every file the app writes
        buffer.open(QIODevice.WriteOnly)
        fmt = os.path.splitext(args.screenshot)[1].lstrip(".").upper() or "PNG"
        try:
            if not window.grab().save(buffer, fmt):
                raise OSError(f"cannot make a {fmt} picture")
            write_atomically(args.screenshot, bytes(buffer.data()))
        except OSError as exc:
            print(f"backprop-lab: could not write {args.screenshot}: {exc.strerror or exc}",
                  file=sys.stderr)
            return 1
        print(f"saved {args.screenshot} ({args.size[0]}x{args.size[1]})")
        return 0
    from gui import errors
    errors.install()
    remembered = window.restore_layout()
    if not args.smoke:  # an install check must never wait for an answer
        try:
            offer_recovery(window)
        except Exception:  # noqa: BLE001 (a start must never fail on old work: shown, logged)
            errors.report_exception(*sys.exc_info())
    if remembered:
        window.show()
    else:  # a first launch takes the whole screen: a class reads it from the back row
        window.showMaximized()
    freeze_startup_objects()
    if args.autosave_now:  # for the crash-recovery test: an autosave soon after start
        QTimer.singleShot(200, window.autosave.save)
    if args.smoke:
        QTimer.singleShot(0, app.quit)  # after the first paint
    return app.exec()
