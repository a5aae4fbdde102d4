"""The mouse wheel scrolls a panel, never a choice the pointer happens to pass over."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget


class WheelScrollsPanels(QObject):
    """A drop-down or number box takes the wheel only once clicked into (it has the
    keys); otherwise the wheel goes on to what holds it, a scrolling panel. Scrolling the
    Training panel at 1280x800 changed its start values to He/Kaiming and its optimizer
    to momentum as the pointer passed over them (seen by a tester in a real window)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        if event.type() != QEvent.Wheel or not isinstance(watched, (QComboBox,
                                                                     QAbstractSpinBox)):
            return False
        if watched.hasFocus() or watched.window() is not self.window:
            return False
        watched.setFocusPolicy(Qt.StrongFocus)  # a click, not the wheel, gives it the keys
        holder = watched.parentWidget()
        if holder is not None:
            QCoreApplication.sendEvent(holder, event)
        return True
