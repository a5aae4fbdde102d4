"""A labelled colour bar beside a map (the loss landscape, the data plot's prediction or
class map): what a colour means, its lowest and highest values written at its ends and
the quantity's name beside it. Without it a student could not read a map's colours.

The scale is steady: kept while the map's values stay inside it and fill at least half
of it, so that a Step recolours the map only, and the bar (its ticks, its axis) changes
only when the map's range does."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage, QPixmap, QTransform

from engine.explain import fmt
from gui.kit.plot_style import style_axis

BAR_PX = 14  # the gradient's width
GAP_PX = 5  # between the plot's right edge and the bar


def colour_ticks(lo: float, hi: float, log: bool = False) -> list[list[tuple[float, str]]]:
    """The bar's ticks as pyqtgraph's setTicks takes them: its two ends with their values
    (the map's lowest and highest colours), then round values between them at a second
    level, which the axis leaves unlabelled where they would crowd. On a log scale the
    positions are log10 of the values and the round values are whole powers of ten."""
    def label(v: float) -> str:
        return fmt(10.0 ** v if log else v, 3)

    span = hi - lo
    if log:  # powers of ten; over less than two decades, 2 and 5 times them too
        decades = range(math.floor(lo), math.floor(hi) + 1)
        marks = (1, 2, 5) if span < 2 else (1,)
        inner = [k + math.log10(m) for k in decades for m in marks]
        inner = [v for v in inner if lo < v < hi]
    else:
        raw = span / 4
        unit = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
        step = next(m * unit for m in (1, 2, 5, 10) if m * unit >= raw)
        inner = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
    # Not so near an end that the labels would touch.
    inner = [v for v in inner if min(v - lo, hi - v) > 0.15 * span]
    return [[(lo, label(lo)), (hi, label(hi))], [(v, label(v)) for v in inner]]


def steady_levels(kept: tuple[float, float] | None, lo: float,
                  hi: float) -> tuple[float, float]:
    """The scale's ends for values from lo to hi: `kept` while the values stay inside it
    and fill at least half of it, otherwise new ends a little past the values."""
    hi = hi if hi > lo else lo + 1.0
    if kept is not None and kept[0] <= lo and hi <= kept[1] and \
            hi - lo >= 0.5 * (kept[1] - kept[0]):
        return kept
    pad = 0.05 * (hi - lo)
    return (lo - pad, hi + pad)


class ColourScale:
    """A colour bar at the right of a pyqtgraph plot, in the plot's own layout (and look:
    style_plot restyles it with the plot's axes)."""

    def __init__(self, plot: pg.PlotWidget, colours: pg.ColorMap):
        self.plot = plot
        self.bar = pg.ColorBarItem(width=BAR_PX, colorMap=colours, interactive=False,
                                   colorMapMenu=False)
        self.bar.axis.setWidth(None)  # as wide as its tick labels, not a fixed 45 px
        self.levels: tuple[float, float] | None = None  # the ends shown now
        self.log = False
        self.name = ""
        self.shown = False
        self.width_seen = 0.0  # the bar's width with its ticks and name, once shown
        plot.colour_scale = self
        self.restyle()

    def set_visible(self, visible: bool) -> None:
        """In the plot's layout or out of it: hidden, it leaves no empty column."""
        if visible == self.shown:
            return
        self.shown = visible
        layout = self.plot.getPlotItem().layout
        if visible:
            layout.addItem(self.bar, 2, 5)
            layout.setColumnFixedWidth(4, GAP_PX)
        else:
            layout.removeItem(self.bar)
            layout.setColumnFixedWidth(4, 0)
        self.bar.setVisible(visible)

    def width_taken(self) -> float:
        """The width the bar takes beside its plot, its gap with it: as drawn now, or
        as last drawn while hidden (0 if never)."""
        if self.shown:
            self.width_seen = self.bar.width() + GAP_PX
        return self.width_seen

    def show(self, name: str, lo: float, hi: float, log: bool = False) -> None:
        """Label the bar `name` with ends lo and hi (log10 of the values when `log`).
        Nothing is redrawn when they are as shown."""
        if name != self.name:
            self.name = name
            self.bar.axis.setLabel(name)
        if (lo, hi) == self.levels and log == self.log:
            return
        self.levels, self.log = (lo, hi), log
        self.bar.setLevels((lo, hi), update_items=False)
        self.bar.axis.setTicks(colour_ticks(lo, hi, log))

    def set_colours(self, colours: pg.ColorMap) -> None:
        self.bar.bar.setTransform(QTransform())
        self.bar.setColorMap(colours)

    def set_picture(self, rgb: np.ndarray) -> None:
        """The bar drawn from an image instead of a colour map: rgb[row, column] with the
        lowest value in row 0 (a class map's bar has a column per class)."""
        rows = np.ascontiguousarray(rgb.astype(np.uint8))
        image = QImage(rows.data, rows.shape[1], rows.shape[0], 3 * rows.shape[1],
                       QImage.Format_RGB888).copy()
        self.bar.bar.setPixmap(QPixmap.fromImage(image))
        # The bar's view spans 0..1 across and 0..256 up (a colour map's 256 colours).
        self.bar.bar.setTransform(QTransform.fromScale(1 / rows.shape[1], 256 / rows.shape[0]))

    def restyle(self) -> None:
        """The application's font and the plots' ink (called by style_plot)."""
        for side in ("left", "right", "top", "bottom"):
            style_axis(self.bar.getAxis(side))
        self.bar.axis.setLabel(self.name)
