"""Worksheets as PDF through Qt's own printing (QTextDocument onto a QPdfWriter), and the
dialog that asks how many steps and which version."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox

from engine.files import write_atomically


def write_pdf(html: str, path: str) -> None:
    if QGuiApplication.instance() is None:
        if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        write_pdf.app = QGuiApplication(sys.argv[:1])  # fonts need an application
    # Into memory first, then all or nothing onto the disk: QPdfWriter on a file would
    # leave a truncated PDF over the old one when the disk fills, and say nothing.
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Millimeter))
    writer.setResolution(300)
    writer.setTitle("Backprop Lab worksheet")
    doc = QTextDocument()
    font = doc.defaultFont()
    font.setPointSizeF(10.5)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    doc.print_(writer)  # with no page size set, print_ lays out in points for the page
    del writer  # ends the PDF: its trailer is written when the writer goes
    data = bytes(buffer.data())
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        raise OSError("the PDF writer produced no complete document")
    write_atomically(path, data)


class WorksheetDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export worksheet")
        form = QFormLayout(self)
        self.steps = QSpinBox()
        self.steps.setRange(1, 50)
        self.steps.setValue(1)
        self.steps.setToolTip("How many gradient-descent steps the worksheet covers")
        self.answers = QCheckBox("Answer key (all numbers filled in)")
        self.answers.setToolTip("Unticked: the student version, with blanks to fill in")
        form.addRow("Steps", self.steps)
        form.addRow(self.answers)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
