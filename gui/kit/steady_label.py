"""A label for numbers that change every frame (step counter, loss, history position)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel


class SteadyLabel(QLabel):
    """A plain-text label of fixed size that only ever grows to fit its text.

    Qt passes a label's every change of text up to the window as a request to lay
    everything out again, unless the label's size is fixed: then the change stays a
    repaint of the label. Changing numbers need that (it took ~3 ms from every Step)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._fit(text, shrink=False)

    def shrink_to_text(self) -> None:
        """Give back the room a longer text took (a shorter wording from now on)."""
        self._fit(self.text(), shrink=True)

    def _fit(self, text: str, shrink: bool) -> None:
        margins = self.contentsMargins()
        width = (self.fontMetrics().horizontalAdvance(text) + margins.left()
                 + margins.right() + 2 * self.margin() + 2)
        height = self.fontMetrics().height() + margins.top() + margins.bottom()
        if shrink or width > self.width() or height != self.height():
            self.setFixedSize(width, height)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # presenter mode, zoom
            self._fit(self.text(), shrink=True)
