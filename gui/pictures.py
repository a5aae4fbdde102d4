"""Pictures for slides: the diagram, a plot, the breakdown or the whole window as PNG at a
chosen scale (2× for a projector: every line and letter drawn at twice the pixels, not
an enlarged bitmap) or as SVG. Made in memory; the caller writes the bytes all or
nothing (engine.files.write_atomically)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGraphicsView,
    QTextEdit,
    QWidget,
)

SCALES = (1, 2, 3, 4)
MAX_PIXELS = 12_000  # a side: beyond this a PNG is tens of MB and nothing shows it
MARGIN = 12.0  # around the diagram, in scene units


@dataclass(frozen=True)
class Picture:
    """Something to draw: its size in logical pixels, its background, and how to paint
    it on a painter whose coordinates are those pixels."""

    size: QSize
    background: QColor
    paint: Callable[[QPainter], None]


class PictureError(ValueError):
    """A picture that cannot be made; the message says why."""


def of_widget(widget: QWidget) -> Picture:
    """A plot or the whole window as it is on the screen (children included)."""
    background = widget.palette().color(widget.backgroundRole())
    # QWidget's own render (children included), also for a plot: QGraphicsView's
    # overload would draw the scene alone
    return Picture(widget.size(), background, lambda p: QWidget.render(widget, p, QPoint()))


def of_scene(view: QGraphicsView) -> Picture:
    """The whole diagram, not only the part scrolled into view."""
    scene = view.scene()
    source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    size = source.size().toSize()
    brush = view.backgroundBrush()
    background = (brush.color() if brush.style() != Qt.NoBrush
                  else view.palette().color(view.backgroundRole()))
    return Picture(size, background,
                   lambda p: scene.render(p, QRectF(0, 0, size.width(), size.height()),
                                          source))


def of_text(browser: QTextEdit) -> Picture:
    """A text panel's whole document (the breakdown), at the panel's width, however much
    of it is scrolled out of view."""
    document: QTextDocument = browser.document().clone(browser)
    document.setTextWidth(browser.viewport().width())
    size = QSizeF(document.size()).toSize()
    background = browser.palette().color(browser.viewport().backgroundRole())
    return Picture(size, background, document.drawContents)


def png(picture: Picture, scale: int) -> bytes:
    """PNG bytes, `scale` device pixels per logical pixel."""
    w, h = picture.size.width() * scale, picture.size.height() * scale
    if w < 1 or h < 1:
        raise PictureError("there is nothing to draw: show the panel first")
    if max(w, h) > MAX_PIXELS:
        raise PictureError(f"{w}×{h} pixels is too large (at most {MAX_PIXELS} a side); "
                           "choose a smaller scale")
    image = QImage(w, h, QImage.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(picture.background)
    _paint(image, picture)
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise PictureError("Qt could not encode the PNG")
    return bytes(buffer.data())


def svg(picture: Picture, title: str) -> bytes:
    """An SVG drawing by Qt's own generator (pyqtgraph 0.14's SVGExporter fails on the
    paths Qt 6.11 writes)."""
    if picture.size.isEmpty():
        raise PictureError("there is nothing to draw: show the panel first")
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(picture.size)
    generator.setViewBox(QRectF(0, 0, picture.size.width(), picture.size.height()))
    generator.setTitle(title)
    _paint(generator, picture, fill=True)
    return bytes(buffer.data())


def _paint(device, picture: Picture, fill: bool = False) -> None:
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        if fill:  # an SVG has no background of its own: a slide's may be any colour
            painter.fillRect(QRectF(0, 0, picture.size.width(), picture.size.height()),
                             picture.background)
        picture.paint(painter)
    finally:
        painter.end()


class PictureDialog(QDialog):
    """File → Export picture…: what to draw and at what scale (the format comes from the
    file name chosen next)."""

    def __init__(self, labels: dict[str, str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export picture")
        self.what = QComboBox()
        self.what.setObjectName("pictureWhat")
        for key, label in labels.items():
            self.what.addItem(label, key)
        self.scale = QComboBox()
        self.scale.setObjectName("pictureScale")
        for s in SCALES:
            self.scale.addItem(f"{s}×" + ("  (for a projector)" if s == 2 else ""), s)
        self.scale.setToolTip("PNG pixels per screen pixel: lines and text are drawn at "
                              "that size, not enlarged. An SVG scales to any size.")
        form = QFormLayout(self)
        form.addRow("Picture of:", self.what)
        form.addRow("PNG scale:", self.scale)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def chosen(self) -> tuple[str, int]:
        return self.what.currentData(), self.scale.currentData()
