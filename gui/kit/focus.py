"""Enter in a field of the window hands the keyboard back to the window, so that its
one-key shortcuts (Space steps, R runs, P steps a phase) work next: type a value, press
Enter, press Space is the tool's basic loop. Each field did it on its own before, and
those that did not kept the focus: R after Enter in the Training panel typed "r" into
the validation field instead of running.

A field that wants the keys after Enter (the quiz's answers: Enter checks, the student
goes on typing) says so with the property KEEPS_FOCUS. A table cell's editor is left to
its view, which commits it on Enter and takes the keys back itself: clearing its focus
as well committed it twice, and Qt warned "commitData called with an editor that does not
belong to this view"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QWidget

KEEPS_FOCUS = "keepsFocusOnEnter"


class ReturnLeavesField(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        # Hooked as a field first takes the focus (fields are made as panels rebuild):
        # its returnPressed then hands the keys back, after the field's own handlers
        # (connected before) and at once, before the next key is read.
        if (event.type() == QEvent.FocusIn and isinstance(watched, QLineEdit)
                and not watched.property(_HOOKED) and not watched.property(KEEPS_FOCUS)
                and watched.window() is self.window and not _cell_editor(watched)):
            watched.setProperty(_HOOKED, True)
            watched.returnPressed.connect(watched.clearFocus)
        return False


_HOOKED = "returnLeavesField"


def _cell_editor(field: QLineEdit) -> bool:
    """Whether the field edits a cell of an item view (it sits on the view's viewport)."""
    viewport = field.parentWidget()
    return viewport is not None and isinstance(viewport.parentWidget(), QAbstractItemView)
