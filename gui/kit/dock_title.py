"""A dock's title bar as ordinary widgets, so it follows the application's font.

QDockWidget paints its own title in a font it copied when it was made whenever its
font equals the application's (qdockwidget.cpp, paintEvent), and under a style sheet
(the dark and high-contrast themes) it kept that small font even when told otherwise:
presenter mode on a projector left every panel title small. A label has no such copy."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)


class DockTitle(QWidget):
    """The title, then the float and close buttons, as Qt's own title bar has them.
    Presses on the label fall through to the dock, which drags and double-click
    floats as usual."""

    def __init__(self, dock: QDockWidget):
        super().__init__(dock)
        self.setObjectName("dockTitle")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 1, 2, 1)
        lay.setSpacing(2)
        self.title = dock.windowTitle()
        self.label = QLabel(self.title)
        self.label.setAttribute(Qt.WA_TransparentForMouseEvents)
        # A long title must not widen the dock (and so the window past the screen): it
        # is cut with "…" when the dock is narrow, as Qt's own title is.
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        lay.addWidget(self.label, 1)
        for name, icon, slot in (
                ("dockFloat", QStyle.SP_TitleBarNormalButton,
                 lambda: dock.setFloating(not dock.isFloating())),
                ("dockClose", QStyle.SP_TitleBarCloseButton, dock.close)):
            button = QToolButton()
            button.setObjectName(name)
            button.setAutoRaise(True)
            button.setIcon(self.style().standardIcon(icon))
            button.setToolTip("Float this panel in its own window (double-click the title "
                              "to put it back)" if name == "dockFloat" else "Close this panel "
                              "(View menu brings it back)")
            button.setFocusPolicy(Qt.NoFocus)
            button.clicked.connect(slot)
            lay.addWidget(button)
        self.buttons = self.findChildren(QToolButton)
        dock.windowTitleChanged.connect(self._retitle)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """Buttons as tall as the title's text: no taller bar than Qt's own, and as big
        as the text in presenter mode."""
        side = self.fontMetrics().height()
        for button in self.buttons:
            button.setIconSize(QSize(side - 4, side - 4))
            button.setFixedSize(side + 2, side + 2)

    def _retitle(self, title: str) -> None:
        self.title = title
        self._elide()

    def _elide(self) -> None:
        self.label.setText(self.label.fontMetrics().elidedText(
            self.title, Qt.ElideRight, max(0, self.label.width())))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fit_buttons()
            self._elide()
