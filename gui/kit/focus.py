"""Enter in a field of the window hands the keyboard back to the window, so that its
one-key shortcuts (Space steps, R runs, P steps a phase) work next: type a value, press
Enter, press Space is the tool's basic loop. Each field did it on its own before, and
those that did not kept the focus: R after Enter in the Training panel typed "r" into
the validation field instead of running.

A field that wants the keys after Enter (the quiz's answers: Enter checks, the student
goes on typing) says so with the property KEEPS_FOCUS."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

KEEPS_FOCUS = "keepsFocusOnEnter"


class ReturnLeavesField(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        if (event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter)
                and isinstance(watched, QLineEdit) and watched.window() is self.window
                and not watched.property(KEEPS_FOCUS)):
            # after the field's own Enter (its value committed or refused)
            QTimer.singleShot(0, lambda field=watched: _leave(field))
        return False


def _leave(field: QLineEdit) -> None:
    try:
        if field.hasFocus():
            field.clearFocus()
    except RuntimeError:  # the field went (a panel rebuilt its rows on Enter)
        pass
