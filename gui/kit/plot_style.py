"""One look for every pyqtgraph plot: light background (readable on a projector) and
axis fonts that follow the application's font size."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QApplication, QGraphicsEllipseItem, QGraphicsItem

pg.setConfigOptions(background="w", foreground="#222", antialias=False)

# The plots' inks by role, per theme. tab10's blue is 3.6:1 against black, too faint for
# a high-contrast screen or a dim projector: dark themes get lighter inks of the same hues.
INKS = {
    "light": {"line": "#1f77b4", "fit": "#2ca02c", "point": "#1f77b4", "mark": "#d62728",
              "outline": "#222222"},
    "dark": {"line": "#5aa9e6", "fit": "#5cd65c", "point": "#5aa9e6", "mark": "#ff6b6b",
             "outline": "#e8e8e8"},
    "high contrast": {"line": "#00e5ff", "fit": "#66ff66", "point": "#00e5ff",
                      "mark": "#ff5050", "outline": "#ffffff"},
}
HOLLOW_WIDTH = 3  # pixels: the ring of a hollow point (a sample held out for validation)
_ink_theme = ["light"]  # set by the appearance (gui/appearance.py) before plots restyle


def set_ink_theme(theme: str) -> None:
    _ink_theme[0] = theme if theme in INKS else "light"


def ink(colour: str) -> str:
    """A role's colour in the current theme ("line", "fit", "point", "mark", "outline");
    any other colour as it is."""
    return INKS[_ink_theme[0]].get(colour, colour)


def inked(item, pen: str | None = None, brush: str | None = None,
          symbol_pen: str | None = None):
    """Give a plot item colours by role, now and again at every theme change (style_plot
    calls recolour). Returns the item."""
    item.inks = (pen, brush, symbol_pen)
    _apply_inks(item)
    return item


def _apply_inks(item) -> None:
    pen, brush, symbol_pen = item.inks
    if isinstance(item, Marker):
        if item.hollow:  # a ring in the dot's colour: a sample held out for validation
            item.setBrush(QBrush(Qt.NoBrush))
            item.setPen(pg.mkPen(ink(brush), width=HOLLOW_WIDTH))
            return
        item.setBrush(pg.mkBrush(ink(brush)))
        item.setPen(pg.mkPen(ink(symbol_pen)) if symbol_pen else QPen(Qt.NoPen))
        return
    if pen is not None:
        line = pg.mkPen(item.opts["pen"])
        line.setColor(QColor(ink(pen)))
        item.setPen(line)
    if brush is not None:
        item.setSymbolBrush(ink(brush))
    if symbol_pen is not None:
        outline = pg.mkPen(item.opts["symbolPen"])  # its width kept (a hollow point's)
        outline.setColor(QColor(ink(symbol_pen)))
        item.setSymbolPen(outline)


def recolour(plot: pg.PlotWidget) -> None:
    for item in plot.getPlotItem().items:
        if getattr(item, "inks", None) is not None:
            _apply_inks(item)


def style_plot(plot: pg.PlotWidget) -> None:
    """Fonts and colours from the application (called again when they change)."""
    font = QApplication.font()
    size = font.pointSizeF()
    plot.setBackground(pg.getConfigOption("background"))
    for name in ("left", "bottom"):
        style_axis(plot.getAxis(name))
    plot.getPlotItem().titleLabel.opts["size"] = f"{size:.0f}pt"
    # A tick at the very top of the range has its label centred on it: half the label
    # stands above the axis, and was cut off by the plot's edge without this room.
    # Likewise the last tick of the x axis, at the plot's right edge: presenter mode's
    # bigger "10" was dropped there (pyqtgraph hides a label past its axis' end); the
    # axis may now write into this margin.
    metrics = QFontMetricsF(font)
    layout = plot.getPlotItem().layout
    left, _, _, bottom = layout.getContentsMargins()
    layout.setContentsMargins(left, math.ceil(metrics.height() / 2) + 1,
                              math.ceil(metrics.horizontalAdvance("00")), bottom)
    plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
    recolour(plot)
    if getattr(plot, "colour_scale", None) is not None:  # a map's colour bar (colour_scale.py)
        plot.colour_scale.restyle()
    if getattr(plot, "axis_choices", None) is not None:
        _fit_titles(plot)  # a bigger font may no longer fit the longer wording
    if getattr(plot, "title_choices", None) is not None:
        _fit_plot_title(plot)
    # No grid: the axes' translucent grid cost ~15 ms a repaint in software rendering
    # (bench/window.py), more than everything else in the window; the ticks suffice.


def style_axis(axis: pg.AxisItem) -> None:
    """An axis in the application's font and the plots' ink, its numbers as they are."""
    foreground = pg.getConfigOption("foreground")
    font = QApplication.font()
    axis.setStyle(tickFont=font)
    axis.setTextPen(foreground)
    axis.setPen(foreground)
    axis.label.setFont(font)
    # "(x0.001)" on an axis only confuses a class. pyqtgraph 0.14's switch-off itself
    # computes a prefix scale once (its update ignores the flag), so clear it too.
    axis.enableAutoSIPrefix(False)
    axis.autoSIPrefixScale, axis.labelUnitPrefix = 1.0, ""
    axis.picture = None


class ReadableAxis(pg.AxisItem):
    """An axis whose numbers never run together. pyqtgraph spaces ticks by the axis's
    length alone and always writes the top level's numbers, so a narrow class map wrote
    "00.51.0": here the numbers' spacing grows (1, 2, 5 × 10^k) until each has its
    own room, however wide or narrow the plot is."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self._tickSpacing is not None or self.logMode or size <= 0:
            return levels
        span = abs(maxVal - minVal)
        major = levels[0][0]
        for _ in range(12):  # a factor 10 every three: ample for any length
            if major * size / span >= self._room_for(minVal, maxVal, major):
                break
            major = next_nice(major)
        return [(major, 0.0)] + [level for level in levels[1:] if level[0] < major]

    def _room_for(self, lo: float, hi: float, spacing: float) -> float:
        """Pixels a tick needs: its widest number and a gap across, a line of text up."""
        metrics = QFontMetricsF(self.style.get("tickFont") or QApplication.font())
        if self.orientation in ("left", "right"):
            return 1.5 * metrics.height()
        first, last = math.ceil(lo / spacing) * spacing, math.floor(hi / spacing) * spacing
        texts = self.tickStrings([first, last, -spacing], 1.0, spacing)
        return max(metrics.horizontalAdvance(t) for t in texts) + 2 * metrics.averageCharWidth()


def next_nice(spacing: float) -> float:
    """The next of 1, 2, 5 × 10^k above `spacing` (one of them)."""
    power = 10.0 ** math.floor(math.log10(spacing) + 1e-9)
    mantissa = round(spacing / power)
    return (2 if mantissa < 2 else 5 if mantissa < 5 else 10) * power


def readable_axes() -> dict[str, ReadableAxis]:
    """The axisItems of a plot whose tick numbers stay apart (ReadableAxis)."""
    return {"bottom": ReadableAxis("bottom"), "left": ReadableAxis("left")}


def keep_in_view(plot: pg.PlotWidget, axis: str, lo: float, hi: float) -> None:
    """Change an axis range only when the data leaves it or fills under a quarter of it.
    A range that moves every frame makes pyqtgraph rebuild the axis every frame (the
    largest cost of a Run frame in bench/window.py). The margin keeps the plot's largest
    marker whole at the edge: its radius is in pixels (`plot.margin_px`, set by
    scale_items), so presenter mode's bigger markers need more of the data range."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    index = 0 if axis == "x" else 1
    box = plot.getViewBox()
    view_lo, view_hi = box.viewRange()[index]
    span = hi - lo
    pad = max(0.08 * span, marker_room(plot, axis, span))
    # Points on the edge of the view are cut in half: keep a margin (the marker's radius
    # in data units of today's view).
    length = box.width() if axis == "x" else box.height()
    radius = getattr(plot, "margin_px", 0.0) * (view_hi - view_lo) / max(length, 1.0)
    edge = max(pad / 2, radius)
    if fitted_anew(plot, axis) or lo - edge < view_lo or hi + edge > view_hi \
            or span < 0.25 * (view_hi - view_lo):
        if axis == "x":
            plot.setXRange(lo - pad, hi + pad, padding=0)
        else:
            plot.setYRange(lo - pad, hi + pad, padding=0)


def fitted_anew(plot: pg.PlotWidget, axis: str) -> bool:
    """Whether an axis is to be fitted anew because the plot or its markers changed size
    since it was last fitted (and note that it is fitted now): the markers' margin is in
    pixels, so a range kept from presenter mode's big markers, or from a first smaller
    layout, stayed while the data fitted in it (F5 twice left other ranges and ticks)."""
    box = plot.getViewBox()
    now = (box.width() if axis == "x" else box.height(), getattr(plot, "margin_px", 0.0))
    fitted = plot.__dict__.setdefault("fitted_for", {})
    anew, fitted[axis] = fitted.get(axis) != now, now
    return anew


def marker_room(plot: pg.PlotWidget, axis: str, span: float) -> float:
    """How far, in data units, a range of `span` must reach past a point at its end to
    draw the plot's largest marker whole there (its radius, `plot.margin_px`, is in
    pixels): the pad p with p / (span + 2 p) of the axis's length = the radius."""
    margin = getattr(plot, "margin_px", 0.0)
    box = plot.getViewBox()
    length = box.width() if axis == "x" else box.height()
    if not margin or length <= 4 * margin:
        return 0.0
    return margin * max(span, 0.0) / (length - 2 * margin)


DISPLAY_LIMIT = 1e12  # beyond this a plot shows nothing useful, and Qt's painter may crash


# Classes' colours (matplotlib's tab10: distinct, and readable on white and on black).
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


# Runs kept to compare (the current run keeps the theme's line colour): tab10's orange,
# purple, brown and pink, apart from the blue line, the green fit and the red marker.
RUN_COLOURS = ("#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def shown(values) -> np.ndarray:
    """Values safe to hand to a plot: non-finite become gaps, the rest are clamped."""
    a = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.clip(np.where(np.isfinite(a), a, np.nan), -DISPLAY_LIMIT, DISPLAY_LIMIT)


def drawable_points(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """The points that can be drawn, clamped; the others left out, not passed as NaN
    (pyqtgraph's scatter bounds then warn on the console)."""
    x, y = shown(xs), shown(ys)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def set_points(item, xs, ys) -> None:
    """setData for markers, with only the points that can be drawn."""
    item.setData(*drawable_points(xs, ys))


def steady_scatter(item):
    """A scatter that pyqtgraph does not make again when the view's y range moves, and
    that is not drawn again while only other items change. Its dynamic range limit
    (meant for lines) re-made every point at each change of the range: 6,000 samples'
    scatter took ~22 ms, about every other Step of a big lesson as its fit moved. And a
    Step's new fit repainted the points under it: 6,000 took ~2 ms a Step; kept as a
    picture at the view's pixels (Qt's device-coordinate cache), which Qt makes again
    when the points or the view change, they take ~0.1 ms. A scatter draws only the
    points in view, and values reach it clamped by `shown`. Returns the item."""
    item.setDynamicRangeLimit(None)
    item.scatter.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    return item


def set_curve(item, xs, ys) -> None:
    item.setData(shown(xs), shown(ys), connect="finite")


PATH_RESOLUTION = 1 / 1500  # of the view's width or height: under a pixel at 1,500 px


def set_path(item, xs, ys, width: float, height: float) -> None:
    """A path over two parameters (a descent on the landscape), without the points a
    plot cannot tell apart: those within PATH_RESOLUTION of the view, in travel along
    the path, of the last one kept. A long Run's path of 40,000 rows took 20 ms to
    draw every frame (Run with two kept runs and the landscape open fell to 27 frames/s);
    its early zigzag keeps every point, its slow crawl a point a fraction of a pixel."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if len(xs) > 2 and width > 0 and height > 0:
        travel = np.maximum(np.abs(np.diff(xs)) / width, np.abs(np.diff(ys)) / height)
        # a NaN step (an overflowed value) is kept, as the points around it
        along = np.concatenate([[0.0], np.cumsum(np.nan_to_num(travel, nan=1.0))])
        bucket = np.floor(along / PATH_RESOLUTION)
        keep = np.flatnonzero(np.diff(bucket, prepend=-1.0) != 0)
        if keep[-1] != len(xs) - 1:
            keep = np.append(keep, len(xs) - 1)  # the newest, where the marker is
        xs, ys = xs[keep], ys[keep]
    set_curve(item, xs, ys)


class Marker(QGraphicsEllipseItem):
    """A dot on one data point that follows it with setPos. Moving a one-point pyqtgraph
    scatter re-makes the scatter (~0.5 ms, every Step); moving this costs nothing."""

    def __init__(self, plot: pg.PlotWidget, size: float, color: str, outline: str = ""):
        super().__init__()
        self.plot, self.size = plot, size
        self.hollow = False
        self.inks = (None, color, outline)  # roles ("mark", "outline") follow the theme
        _apply_inks(self)
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)  # size in pixels
        self.setZValue(10)
        self.set_scale(1.0)
        plot.addItem(self, ignoreBounds=True)

    def set_scale(self, scale: float) -> None:
        r = self.size * scale / 2
        self.setRect(-r, -r, 2 * r, 2 * r)

    def diameter(self) -> float:
        return self.rect().width()

    def set_hollow(self, hollow: bool) -> None:
        """A ring in the dot's colour instead of the dot (a sample held out)."""
        if hollow != self.hollow:
            self.hollow = hollow
            _apply_inks(self)

    def place(self, x: float, y: float) -> None:
        """Put the dot on (x, y) in data coordinates (log10 of y on a log axis)."""
        if self.plot.getPlotItem().ctrl.logYCheck.isChecked():
            y = float(np.log10(y)) if y > 0 else np.nan
        ok = np.isfinite(x) and np.isfinite(y) and max(abs(x), abs(y)) < DISPLAY_LIMIT
        if ok:
            self.setPos(x, y)
        self.setVisible(bool(ok))


class MarkerSet:
    """The points of a small data set as Markers; a bigger one goes to `scatter` (a
    pyqtgraph scatter takes ~1 ms to re-make, even for four points, at every Step), its
    hollow points (samples held out) to `hollow_scatter`."""

    CAPACITY = 32

    def __init__(self, plot: pg.PlotWidget, scatter, hollow_scatter, size: float,
                 color: str, outline: str):
        self.scatter, self.hollow_scatter = steady_scatter(scatter), steady_scatter(hollow_scatter)
        self.markers = [Marker(plot, size, color, outline) for _ in range(self.CAPACITY)]
        for marker in self.markers:
            marker.setVisible(False)
        self.empty = True  # nothing shown: set([], []) has nothing to do (every Step of a map)

    def set(self, xs, ys, hollow=None) -> None:
        """The points (xs, ys); those where `hollow` (booleans, one a point) is true
        drawn as rings."""
        if self.empty and not len(xs):
            return
        self.empty = not len(xs)
        x, y = shown(xs), shown(ys)
        keep = np.isfinite(x) & np.isfinite(y)  # as drawable_points
        ring = np.zeros(len(x), bool) if hollow is None else np.asarray(hollow, bool)
        x, y, ring = x[keep], y[keep], ring[keep]
        few = len(x) <= self.CAPACITY
        for i, marker in enumerate(self.markers):
            if few and i < len(x):
                marker.set_hollow(bool(ring[i]))
                marker.place(float(x[i]), float(y[i]))
            else:
                marker.setVisible(False)
        for scatter, chosen in ((self.scatter, ~ring), (self.hollow_scatter, ring)):
            if not few:
                scatter.setData(x[chosen], y[chosen])
            elif scatter.xData is not None and len(scatter.xData):
                scatter.setData([], [])


def scale_items(plot: pg.PlotWidget, scale: float) -> None:
    """Line widths and marker sizes at `scale` times what each item was made with."""
    radii = [0.0]
    for item in plot.getPlotItem().items:
        if isinstance(item, Marker):
            item.set_scale(scale)
            radii.append(item.diameter() / 2)
    for item in plot.getPlotItem().listDataItems():
        if not hasattr(item, "base_style"):
            pen = item.opts.get("pen")
            width = pg.mkPen(pen).widthF() if pen is not None else 0.0
            item.base_style = (width, item.opts.get("symbolSize", 10))
        width, size = item.base_style
        if item.opts.get("pen") is not None:
            pen = pg.mkPen(item.opts["pen"])
            pen.setWidthF(width * scale)
            item.setPen(pen)
        if item.opts.get("symbol") is not None:
            item.setSymbolSize(size * scale)
            radii.append(size * scale / 2)
    plot.margin_px = max(radii) + 2  # + the outline; keep_in_view keeps markers whole


def set_labels(plot: pg.PlotWidget, bottom: str | tuple[str, ...],
               left: str | tuple[str, ...]) -> None:
    """Axis titles, set only when they change: setLabel throws away the axis's drawing,
    and remaking it every frame was half the cost of a Run frame (bench/window.py).
    A title may be a tuple of wordings, longest first: the axis shows the first that fits
    its length (a short plot cut "Observed / Predicted" to "Observed / Predic")."""
    choices = tuple((t,) if isinstance(t, str) else t for t in (bottom, left))
    if getattr(plot, "axis_choices", None) != choices:
        if getattr(plot, "axis_choices", None) is None:
            plot.getViewBox().sigResized.connect(lambda *_: _fit_titles(plot))
        plot.axis_choices = choices
        _fit_titles(plot)


def _fit_titles(plot: pg.PlotWidget) -> None:
    box = plot.getViewBox().boundingRect()
    titles = []
    for side, choices, room in (("bottom", plot.axis_choices[0], box.width()),
                                ("left", plot.axis_choices[1], box.height())):
        label = plot.getAxis(side).label
        metrics = QFontMetricsF(label.font())
        # pyqtgraph writes the title with a space after it, inside the text's margins.
        room -= 2 * label.document().documentMargin() + metrics.horizontalAdvance(" ") + 2
        fits = [t for t in choices if metrics.horizontalAdvance(t) <= room]
        # Past the shortest wording, "Sepal wid…" says it was shortened; a cut does not.
        titles.append(fits[0] if fits else
                      metrics.elidedText(choices[-1], Qt.ElideRight, max(room, 0)))
    if getattr(plot, "axis_titles", None) != tuple(titles):
        plot.axis_titles = tuple(titles)
        plot.setLabel("bottom", titles[0])
        plot.setLabel("left", titles[1])
        # pyqtgraph centres a title on its axis only when the axis is resized: a longer
        # one of the same axis width (narrow-valley's "age", then statquest's "Observed /
        # Predicted") kept the old centre and ran off the plot's top (a tester's walk).
        for side in ("bottom", "left"):
            plot.getAxis(side).resizeEvent()


def set_title(plot: pg.PlotWidget, *wordings: str) -> None:
    """The plot's title: the first of `wordings` (longest first) that fits above the plot,
    else the last shortened with "…". A pyqtgraph title sets the plot's minimum width: a
    long one made the plot wider than its dock, which cut the title's end and the last
    tick of the axis ("…lands at b3 = 2.1" at 1280x800)."""
    if getattr(plot, "title_choices", None) == wordings:
        return
    if getattr(plot, "title_choices", None) is None:
        plot.installEventFilter(_RefitTitleOnResize(plot))
    plot.title_choices = wordings
    _fit_plot_title(plot)


class _RefitTitleOnResize(QObject):
    """On the widget, not the view box: a title too wide keeps the view box from
    shrinking with the widget, so the view box would not say it was resized."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Resize:
            _fit_plot_title(watched)
        return False


def _fit_plot_title(plot: pg.PlotWidget) -> None:
    item = plot.getPlotItem()
    label = item.titleLabel
    font = QFont(QApplication.font())
    size = str(label.opts.get("size", "")).removesuffix("pt")
    if size:
        font.setPointSizeF(float(size))
    metrics = QFontMetricsF(font)
    # The title's column is the view box's: the widget less the left axis and margins.
    left, _, right, _ = item.layout.getContentsMargins()
    axis = plot.getAxis("left")
    room = (plot.width() - left - right - (axis.width() if axis.isVisible() else 0)
            - 2 * label.item.document().documentMargin() - 4)
    choices = plot.title_choices
    fits = [t for t in choices if metrics.horizontalAdvance(t) <= room]
    text = fits[0] if fits else metrics.elidedText(choices[-1], Qt.ElideRight, max(room, 0))
    if getattr(plot, "title_shown", None) != text:
        plot.title_shown = text
        plot.setTitle(text)
