"""The derivative breakdown: the chain rule for the selected parameter, factor by factor,
per sample and summed, then the gradient-descent step with its numbers."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent
from PySide6.QtGui import (
    QFont,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QTextBrowser

from gui.maths_text import formula_html, name_html, number_html, partial_html
from gui.session import Session
from gui.throttle import LiveRefresh

_TAGS = re.compile(r"<[^>]+>")


class BreakdownPanel(QTextBrowser):
    """Rich text for the formulas; the per-sample numbers as rows of tab-aligned text.

    Qt lays out a rich-text table cell by cell, several times over: a 5-factor table
    for four samples took ~6 ms of every Step. Rows aligned on tab stops take ~1 ms."""

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("breakdownPanel")
        self.setOpenLinks(False)
        self.setToolTip("The chain rule for the selected parameter, with every number.\n"
                        "Click a weight or bias in the diagram or the parameter list to "
                        "choose another.")
        self.session = session
        # During Run the numbers change every frame; four times a second can be read.
        self.live = LiveRefresh(self, self.refresh, 0.25, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        self.live.now()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # tab stops are measured in this font
            self.refresh()

    def refresh(self) -> None:
        bar = self.verticalScrollBar()
        at = bar.value()  # keep the reader's place while the numbers change
        doc = self.document()
        doc.clear()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        self._write(cursor)
        cursor.endEditBlock()
        bar.setValue(at)

    def _write(self, cursor: QTextCursor) -> None:
        s = self.session
        if s.quiz_active:
            self._paragraph(cursor, "Quiz: work out the numbers of the next step in the "
                                    "Quiz panel. They appear here once it is taken.")
            return
        name = s.selected
        b = s.breakdown(name)
        loss = b.loss_symbol
        for k, path in enumerate(b.paths):
            if len(b.paths) > 1:
                self._paragraph(cursor, f"<i>path {k + 1} of {len(b.paths)}</i>", big=False)
            symbols = " · ".join(partial_html(f.numerator, f.denominator) for f in path.factors)
            formulas = " · ".join(f"({formula_html(f.formula)})" for f in path.factors)
            self._paragraph(cursor, f"<b>{partial_html(loss, name)}</b> = "
                                    f"Σ<sub>samples</sub> {symbols}<br>"
                                    f"= Σ<sub>samples</sub> {formulas}")
            heads = [partial_html(f.numerator, f.denominator) for f in path.factors]
            rows = [[f"sample {i + 1}", *(number_html(f.values[i]) for f in path.factors),
                     number_html(product)] for i, product in enumerate(path.products)]
            self._rows(cursor, ["", *heads, "product"], rows)
        slope = b.slope
        self._paragraph(cursor, f"slope = {partial_html(loss, name)} = Σ = "
                                f"<b>{number_html(slope)}</b>")
        value = s.value(name)
        if s.is_trainable(name):
            rate = s.trainer.learning_rate
            step = slope * rate
            self._paragraph(
                cursor, f"step size = slope × learning rate = {number_html(slope)} × "
                f"{number_html(rate)} = <b>{number_html(step)}</b><br>"
                f"new {name_html(name)} = old − step size = {number_html(value)} − "
                f"({number_html(step)}) = <b>{number_html(value - step)}</b>")
        else:
            self._paragraph(cursor, f"{name_html(name)} is frozen (not trainable): it stays "
                                    f"{number_html(value)}.", big=False)

    def _paragraph(self, cursor: QTextCursor, html: str, big: bool = True) -> None:
        """A paragraph of rich text; equations a size larger than the numbers."""
        if not cursor.atStart():
            block = QTextBlockFormat()
            block.setTopMargin(8)
            cursor.insertBlock(block, QTextCharFormat())
        if big:
            html = f"<span style='font-size:{self.font().pointSizeF() * 1.18:.1f}pt'>{html}</span>"
        cursor.insertHtml(html)

    def _rows(self, cursor: QTextCursor, heads: list[str], rows: list[list[str]]) -> None:
        """A header of rich-text titles and rows of numbers, right-aligned in columns."""
        metrics = self.fontMetrics()
        gap = metrics.horizontalAdvance("  00")
        widths = [max([metrics.horizontalAdvance(_TAGS.sub("", h))]
                      + [metrics.horizontalAdvance(r[c]) for r in rows])
                  for c, h in enumerate(heads)]
        stops, at = [], 0
        for width in widths:
            at += width + gap
            stops.append(QTextOption.Tab(at, QTextOption.RightTab))
        block = QTextBlockFormat()
        block.setTabPositions(stops)
        block.setNonBreakableLines(True)  # scroll sideways rather than wrap a row
        plain, bold, head = QTextCharFormat(), QTextCharFormat(), QTextCharFormat()
        bold.setFontWeight(QFont.Bold)
        head.setForeground(self.palette().color(QPalette.PlaceholderText))
        header = QTextBlockFormat(block)
        header.setTopMargin(6)
        cursor.insertBlock(header, plain)
        for h in heads:
            cursor.insertText("\t", head)
            cursor.insertHtml(f"<span style='color:{head.foreground().color().name()}'>"
                              f"{h}</span>")
        for row in rows:
            cursor.insertBlock(block, plain)
            for c, text in enumerate(row):
                cursor.insertText("\t" + text, bold if c == len(row) - 1 else plain)
