"""Enter in a field of the window hands the keyboard back to the window, so that its
one-key shortcuts (Space steps, R runs, P steps a phase) work next: type a value, press
Enter, press Space is the tool's basic loop. Each field did it on its own before, and
those that did not kept the focus: R after Enter in the Training panel typed "r" into
the validation field instead of running. Escape leaves a field too, with the text it had
when it took the keys (F1's list promised it; Escape did nothing, and the Space that
followed went into the field).

A field that wants the keys after Enter (the quiz's answers: Enter checks, the student
goes on typing) says so with the property KEEPS_FOCUS. A table cell's editor is left to
its view, which commits it on Enter and takes the keys back itself: clearing its focus
as well committed it twice, and Qt warned "commitData called with an editor that does not
belong to this view"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, SignalInstance
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QWidget

KEEPS_FOCUS = "keepsFocusOnEnter"


class ReturnLeavesField(QObject):
    """`refused`, if given, is a signal a refused change emits: a field whose Enter was
    refused keeps the keys, its text selected, to be put right (it gave them back, and
    the correction typed next went nowhere)."""

    def __init__(self, window: QWidget, refused: SignalInstance | None = None):
        super().__init__(window)
        self.window = window
        self.refusals = self.refusals_at_enter = 0
        self.entered: QLineEdit | None = None  # the field whose Enter is being handled
        if refused is not None:
            refused.connect(self._count_refusal)
        QApplication.instance().installEventFilter(self)

    def _count_refusal(self, *_) -> None:
        self.refusals += 1

    def _entered(self, field: QLineEdit) -> None:
        self.entered = field

    def _after_enter(self, field: QLineEdit) -> None:
        if self.entered is field:
            self.entered = None
            self._leave(field)

    def _leave(self, field: QLineEdit) -> None:
        if self.refusals != self.refusals_at_enter:
            field.selectAll()
        else:
            field.clearFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        # (sees every event of the application: ~3,500 a Step; the type asked once)
        kind = event.type()
        if kind not in _WATCHED or not isinstance(watched, QLineEdit):
            return False
        if kind == QEvent.KeyPress:
            key = event.key()
            if key in (Qt.Key_Return, Qt.Key_Enter):
                self.refusals_at_enter = self.refusals  # before the field's own handlers
            elif key == Qt.Key_Escape and watched.property(_HOOKED):
                # the text it had when it took the keys: leaving commits nothing new
                watched.setText(watched.property(_TEXT_AT_FOCUS) or "")
                watched.setModified(False)
                watched.clearFocus()
                return True
            return False
        if watched.property(_HOOKED):  # focused again
            watched.setProperty(_TEXT_AT_FOCUS, watched.text())
        # Hooked as a field first takes the focus (fields are made as panels rebuild):
        # its returnPressed then hands the keys back, after the field's own handlers
        # (connected before) and at once, before the next key is read.
        elif (not watched.property(KEEPS_FOCUS) and watched.window() is self.window
                and not _cell_editor(watched)):
            watched.setProperty(_HOOKED, True)
            watched.setProperty(_TEXT_AT_FOCUS, watched.text())
            # Decided once the field's own handlers of both signals have run (Qt sends
            # editingFinished after returnPressed; the learning rate acts on the second).
            watched.returnPressed.connect(lambda field=watched: self._entered(field))
            watched.editingFinished.connect(lambda field=watched: self._after_enter(field))
        return False


_WATCHED = (QEvent.KeyPress, QEvent.FocusIn)
_HOOKED = "returnLeavesField"
_TEXT_AT_FOCUS = "textWhenFocused"


def _cell_editor(field: QLineEdit) -> bool:
    """Whether the field edits a cell of an item view (it sits on the view's viewport)."""
    viewport = field.parentWidget()
    return viewport is not None and isinstance(viewport.parentWidget(), QAbstractItemView)
