"""Worksheets as PDF through Qt's own printing (QTextDocument onto a QPdfWriter), and the
dialog that asks how many steps and which version."""

from __future__ import annotations

import os
import re
import sys
from xml.sax.saxutils import quoteattr

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPyTextObject,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
)

from engine.diagram import LABEL_POINTS
from engine.files import write_atomically

BODY_PT = 10.5
SMALLEST_TABLE_PT = 6.0  # still readable on paper; a wider table than this allows is rare
FOOTER_LINES = 2  # the page number's room at the foot of each page
PICTURE_LABEL_PT = 9.0  # the words in the network's picture, at most (smaller to fit)
PICTURE_SHARE = 0.45  # of the page's height, at most: the first step still starts on page 1
SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.S)
PICTURE_MARK = "network-picture-{}"  # stands where a picture goes until it is put there
PICTURE_OBJECT = QTextFormat.UserObject + 1
PICTURE_INDEX = QTextFormat.UserProperty + 1


def write_pdf(html: str, path: str) -> None:
    """The worksheet as an A4 PDF, laid out and paginated here (not by QTextDocument.print_,
    which adds 2 cm margins of its own, lets a wide table run off the page and a heading
    end a page), then written all or nothing."""
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
    # Laid out on the writer itself: every width measured below is the printed width.
    doc.documentLayout().setPaintDevice(writer)
    doc.setDocumentMargin(0)  # the page layout's 15 mm are the margins
    font = sans_serif_font(BODY_PT)
    doc.setDefaultFont(font)
    # The HTML names generic families (right for a browser); here every one is the face
    # found above, so no part of any page falls back to another (a serif page 2 did).
    # QTextDocument reads no SVG: each picture is taken out here and drawn in its place
    # by QSvgRenderer, as vectors (sharp at any zoom, its words still text).
    html, pictures = take_pictures(html)
    doc.setHtml(re.sub(r"font-family:[^;}]*", f"font-family: '{font.family()}'", html))
    footer = QFontMetricsF(font, writer).lineSpacing() * FOOTER_LINES
    page = QSizeF(writer.width(), writer.height() - footer)
    doc.setPageSize(page)
    drawer = SvgPictures(pictures, font.family(), page, writer.resolution())
    drawer.put_in(doc)
    fit_tables(doc, page.width())
    keep_headings_with_next(doc, page.height())
    if any(b.text() and not b.layout().lineCount() for b in _blocks(doc)):
        relayout(doc)  # not seen on the presets after the steps above; text must never be lost
    painter = QPainter(writer)
    painter.setFont(font)
    pages = doc.pageCount()
    for n in range(pages):
        if n:
            writer.newPage()
        painter.save()
        painter.translate(0, -n * page.height())
        doc.drawContents(painter, QRectF(0, n * page.height(), page.width(), page.height()))
        painter.restore()
        painter.drawText(QRectF(0, page.height(), page.width(), footer),
                         Qt.AlignRight | Qt.AlignBottom, f"{n + 1} / {pages}")
    painter.end()  # ends the PDF: its trailer is written
    del doc, writer, drawer  # the layout refers to the writer: both go, the layout first
    data = bytes(buffer.data())
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        raise OSError("the PDF writer produced no complete document")
    write_atomically(path, data)


def take_pictures(html: str) -> tuple[str, list[str]]:
    """The HTML with a mark where each SVG picture was, and the pictures."""
    pictures: list[str] = []

    def mark(match: re.Match) -> str:
        pictures.append(match.group(0))
        return f"<p>{PICTURE_MARK.format(len(pictures) - 1)}</p>"

    return SVG_ELEMENT.sub(mark, html), pictures


class SvgPictures(QPyTextObject):
    """The worksheet's pictures (SVG text) as objects in the document's text: each one's
    size on the page, and drawn there by QSvgRenderer in the body's face (so that no page
    has a second face)."""

    def __init__(self, pictures: list[str], family: str, page: QSizeF, dpi: int):
        super().__init__()
        self.renderers, self.sizes = [], []
        face = f"font-family={quoteattr(family)}"
        for svg in pictures:
            svg = re.sub(r'font-family="[^"]*"', lambda _: face, svg, count=1)
            renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
            self.renderers.append(renderer)
            box = renderer.viewBoxF()
            if not renderer.isValid() or box.isEmpty():  # never seen: the engine wrote it
                self.sizes.append(QSizeF(0, 0))
                continue
            units = dpi / 72  # the document's units (the writer's dots) per point
            scale = min(PICTURE_LABEL_PT / LABEL_POINTS * units, page.width() / box.width(),
                        PICTURE_SHARE * page.height() / box.height())
            self.sizes.append(QSizeF(box.width() * scale, box.height() * scale))

    def put_in(self, doc: QTextDocument) -> None:
        doc.documentLayout().registerHandler(PICTURE_OBJECT, self)
        for k in range(len(self.renderers)):
            cursor = doc.find(PICTURE_MARK.format(k))
            if cursor.isNull():
                continue
            centred = QTextBlockFormat(cursor.blockFormat())
            centred.setAlignment(Qt.AlignHCenter)
            cursor.setBlockFormat(centred)
            picture = QTextCharFormat()
            picture.setObjectType(PICTURE_OBJECT)
            picture.setProperty(PICTURE_INDEX, k)
            cursor.insertText("\ufffc", picture)  # over the mark: the object's one character

    def intrinsicSize(self, doc, position, fmt) -> QSizeF:
        return self.sizes[fmt.property(PICTURE_INDEX)]

    def drawObject(self, painter, rect, doc, position, fmt) -> None:
        self.renderers[fmt.property(PICTURE_INDEX)].render(painter, rect)


def sans_serif_font(points: float) -> QFont:
    """The system's sans-serif face, by its real family name (the CSS generic name is
    not understood everywhere, and a fallback to a serif face changed the font midway)."""
    font = QFont()
    font.setStyleHint(QFont.SansSerif)
    font.setFamilies(["DejaVu Sans", "Helvetica", "Arial", "Liberation Sans", "Noto Sans"])
    font.setPointSizeF(points)
    font.setFamily(QFontInfo(font).family())
    return font


def relayout(doc: QTextDocument) -> None:
    """Lay the whole document out again. After a format change QTextDocument lays out
    only part of it again, and in Qt 6.11 blocks after a changed table were left with
    no lines: measured wrongly, and missing from the printed page."""
    doc.setPageSize(doc.pageSize())
    doc.pageCount()


def _blocks(doc: QTextDocument):
    block = doc.begin()
    while block.isValid():
        yield block
        block = block.next()


def _tables(frame: QTextFrame):
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def fit_tables(doc: QTextDocument, width: float) -> None:
    """A table wider than the page is set in a smaller size, step by step, until it fits
    (down to SMALLEST_TABLE_PT): every column stays on the page. Each round changes
    every table still too wide, then lays the document out once (a worksheet can have
    hundreds of tables)."""
    layout = doc.documentLayout()
    tables = list(_tables(doc.rootFrame()))
    relayout(doc)
    size = BODY_PT
    while size > SMALLEST_TABLE_PT:
        wide = [t for t in tables if layout.frameBoundingRect(t).width() > width]
        if not wide:
            return
        # straight to about the size that fits the widest (type sets most of the width)
        widest = max(layout.frameBoundingRect(t).width() for t in wide)
        size = max(SMALLEST_TABLE_PT, min(size - 0.5, int(size * width / widest * 2) / 2))
        char = QTextCharFormat()
        char.setFontPointSize(size)
        edit = QTextCursor(doc)
        edit.beginEditBlock()  # one change for the layout, not one per cell
        for table in wide:
            for r in range(table.rows()):
                for c in range(table.columns()):
                    cell = table.cellAt(r, c)
                    cursor = cell.firstCursorPosition()
                    cursor.setPosition(cell.lastPosition(), QTextCursor.KeepAnchor)
                    cursor.mergeCharFormat(char)
            if size <= 8:  # narrower padding as well as smaller type
                fmt = table.format()
                fmt.setCellPadding(min(fmt.cellPadding(), 2))
                table.setFormat(fmt)
        edit.endEditBlock()
        relayout(doc)


def _group_end(doc: QTextDocument, heading: QTextBlock) -> float:
    """Where what a heading introduces ends: through the first table after it (a
    derivative's equations and its table of numbers), deeper headings included; or at
    the next heading of its level or above."""
    layout = doc.documentLayout()
    level = heading.blockFormat().headingLevel()
    end = layout.blockBoundingRect(heading).bottom()
    block = heading.next()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is not None:
            return max(end, layout.frameBoundingRect(table).bottom())
        other = block.blockFormat().headingLevel()
        if other and other <= level:
            break
        end = layout.blockBoundingRect(block).bottom()
        block = block.next()
    return end


def keep_headings_with_next(doc: QTextDocument, page_height: float) -> None:
    """A heading starts a new page when what it introduces would not fit below it on its
    own page (QTextDocument has no keep-with-next, and CSS page-break-after is not
    read). A group taller than a page keeps at least its heading's next line. A break
    only moves what follows it, and the layout after a block's format changes is exact
    (checked against a fresh layout on three presets), so one pass in order finds them
    all: a worksheet of hundreds of pages is laid out once, not once per break."""
    _break_before_stranded_headings(doc, page_height)


def _break_before_stranded_headings(doc: QTextDocument, page_height: float) -> bool:
    layout = doc.documentLayout()
    changed = False
    block = doc.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() and following.isValid():
            top = layout.blockBoundingRect(block).top()
            end = _group_end(doc, block)
            if end - top > page_height:  # cannot be kept whole: its next line, then
                first = following.layout().lineAt(0)
                end = layout.blockBoundingRect(following).top() + (
                    first.rect().bottom() if first.isValid() else 0)
            if int(top // page_height) != int((end - 0.5) // page_height):
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
                changed = True
        block = following
    return changed


class WorksheetDialog(QDialog):
    def __init__(self, parent=None, steps_done: int = 0):
        super().__init__(parent)
        self.setWindowTitle("Export worksheet")
        form = QFormLayout(self)
        if steps_done:  # the worksheet's "Starting values" are today's, not the lesson's
            self.start_note = QLabel(
                f"It starts from the values shown now, after step {steps_done}. For the "
                "lesson's own start, Cancel, Reset (Ctrl+R) and export again.")
            self.start_note.setObjectName("worksheetStartNote")
            self.start_note.setWordWrap(True)
            form.addRow(self.start_note)
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
