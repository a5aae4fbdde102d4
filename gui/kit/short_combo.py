"""A combo box whose list shows each choice's whole description and whose closed box
shows a short name: a description long enough to teach ("Xavier/Glorot uniform (tanh,
sigmoid)") was cut to "Xavier/Glorot unifo" in a panel 500 px wide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter

SHORT_ROLE = Qt.UserRole + 1


class ShortComboBox(QComboBox):
    def add_choice(self, short: str, description: str, data: object) -> None:
        self.addItem(description, data)
        self.setItemData(self.count() - 1, short, SHORT_ROLE)
        self.setItemData(self.count() - 1, description, Qt.ToolTipRole)

    def short_text(self) -> str:
        short = self.currentData(SHORT_ROLE)
        return short if isinstance(short, str) else self.currentText()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        # Qt's own drawing of a closed combo box, with the short name as its text.
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.currentText = self.short_text()
        painter.drawComplexControl(QStyle.CC_ComboBox, option)
        painter.drawControl(QStyle.CE_ComboBoxLabel, option)
