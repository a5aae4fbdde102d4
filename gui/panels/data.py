"""The data and the network's fit: for one input, the points and the network's curve
across the input range (the StatQuest picture; a classifier draws each class's
probability); for two, a map of the prediction over the input plane with the samples on
it, coloured by their targets (a classifier's map shows the class it picks and how sure
it is: the decision boundary is where the colours meet); for more (or on request),
predictions against targets. Beside it the samples, editable: a cell that is not a
finite number is refused."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from gui.kit.colour_scale import ColourScale, steady_levels
from gui.kit.locking import show_locked
from gui.kit.plot_style import (
    CLASS_COLOURS,
    HOLLOW_WIDTH,
    MarkerSet,
    inked,
    keep_in_view,
    marker_room,
    readable_axes,
    scale_items,
    set_curve,
    set_labels,
    shown,
    steady_scatter,
    style_plot,
)
from gui.kit.tables import SAMPLED_ROWS, make_copyable, text_width, title_width
from gui.kit.throttle import LiveRefresh
from gui.session import Session

SAMPLE_PX = 16  # a sample's dot on a map or over the class curves
# The least a map keeps across beside its colour bar; narrower, the bar is left out (the
# plot's tooltip says what the colours mean): iris' class map at 1280x800 was 45 px wide
# beside an 85 px bar, as wide as the map itself.
MAP_BESIDE_BAR_PX = 100
# Over this many samples the dots (and their halos) are drawn this share of their size.
DENSE_SAMPLES, DENSE_SAMPLE_SHARE = 30, 0.65
HALO_PX = 4  # the band around it, in the tone opposite to its rim (3 px read as a hairline on
# a diagonal, where antialiasing blends its outer pixel into the ground)


def halo_symbol() -> QPainterPath:
    """A ring from under a sample's rim to HALO_PX past it (pyqtgraph's symbols span
    -0.5..0.5): open in the middle, so a held-out sample's ring stays hollow."""
    outer = SAMPLE_PX + 2 * HALO_PX
    path = QPainterPath()  # odd-even fill: the inner circle is a hole
    path.addEllipse(-0.5, -0.5, 1.0, 1.0)
    inner = (SAMPLE_PX / 2 - 1) / outer
    path.addEllipse(-inner, -inner, 2 * inner, 2 * inner)
    return path


# pyqtgraph's symbol atlas knows a symbol's look by the identity of its pen and brush,
# not by their colour: a new pen or brush of a colour seen before was drawn into the
# atlas again, and the atlas, copied whole as it grows, grew at each re-make of the
# samples (~5 ms a re-make in presenter mode at every change of narrow-valley's colour
# scale, and the memory never given back). One pen and one brush a colour, kept.
@lru_cache(maxsize=4096)
def _brush_of(rgba: int) -> QBrush:
    return pg.mkBrush(QColor.fromRgba(rgba))


@lru_cache(maxsize=4096)
def _pen_of(rgba: int, width: float) -> QPen:
    return pg.mkPen(QColor.fromRgba(rgba), width=width)


def kept_brush(colour) -> QBrush:
    """The one brush of this colour (None: no fill)."""
    return _no_fill() if colour is None else _brush_of(QColor(colour).rgba())


@lru_cache(maxsize=1)
def _no_fill() -> QBrush:
    return pg.mkBrush(None)


def kept_pen(colour, width: float) -> QPen:
    """The one pen of this colour and width."""
    return _pen_of(QColor(colour).rgba(), width)


def halo_colour(rim: QColor) -> QColor:
    """Dark around a light rim, light around a dark one: on any ground under a sample
    (a map's dark or light colour, the theme's background) one of the two stands out."""
    return QColor("#111111" if rim.lightnessF() > 0.5 else "#f2f2f2")


class DataPlot(pg.PlotWidget):
    def __init__(self, session: Session):
        super().__init__(axisItems=readable_axes())
        self.setObjectName("dataPlot")
        self.session = session
        style_plot(self)
        self.disableAutoRange()
        self.fit = inked(self.plot(pen=pg.mkPen(width=3), antialias=True), "fit")
        self.points = inked(self.plot([], [], pen=None, symbol="o", symbolSize=14,
                                      antialias=True), brush="point", symbol_pen="outline")
        # Samples held out for validation: rings in the points' colour.
        self.held_points = inked(self.plot([], [], pen=None, symbol="o", symbolSize=14,
                                           symbolBrush=(0, 0, 0, 0),
                                           symbolPen=pg.mkPen(width=HOLLOW_WIDTH),
                                           antialias=True), symbol_pen="point")
        self.few_points = MarkerSet(self, self.points, self.held_points, 14, "point",
                                    "outline")
        self.points_show = None  # the arrays the points show now
        self.colours = pg.colormap.get("viridis")
        self.map = pg.ImageItem(axisOrder="row-major")
        self.map.setColorMap(self.colours)
        self.map.setZValue(-10)
        self.addItem(self.map)
        self.samples = steady_scatter(self.plot([], [], pen=None, symbol="o",
                                                symbolSize=SAMPLE_PX,
                                                symbolPen=pg.mkPen("w", width=2),
                                                antialias=True))
        self.samples.setZValue(5)
        # Under the samples, made with them (never at a Step): a band in the tone
        # opposite to each one's rim. A white rim vanished on a map's yellow, a dark one
        # on its dark blue or on a dark theme's background past the map's edge.
        self.halos = steady_scatter(self.plot([], [], pen=None, symbol=halo_symbol(),
                                              symbolSize=SAMPLE_PX + 2 * HALO_PX,
                                              symbolPen=None, antialias=True))
        self.halos.setZValue(4.5)
        self.samples.visibleChanged.connect(
            lambda: self.halos.setVisible(self.samples.isVisible()))
        self.class_map = pg.ImageItem(axisOrder="row-major")  # RGB: no colour map
        self.class_map.setZValue(-10)
        self.addItem(self.class_map)
        self.scale = ColourScale(self, self.colours)  # shown with either map
        self.scale_picture = None  # the classes whose colours the bar shows, or None
        self.more_curves: list = []  # outputs after the first, one curve each
        self.samples_show = None  # what the samples scatter shows: (view, inputs, targets)
        self.map_levels: tuple[float, float] | None = None  # the map's colour scale
        self.levels_for = None  # the (targets, output) that scale was made for
        # Two inputs: which output the map shows (a classifier's map shows them all), or
        # None for targets vs predictions.
        self.map_output: int | None = 0
        self.live = LiveRefresh(self, self.refresh)
        # The markers' margin is in pixels: a resized plot needs it again in data units.
        self.getViewBox().sigResized.connect(self.live.request)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        s = self.session
        inputs, targets = s.inputs, s.targets
        if inputs.shape[1] == 1 and (targets.shape[1] == 1 or s.is_classifier):
            self.map.setVisible(False)
            self.class_map.setVisible(False)
            self.scale.set_visible(False)
            self.fit.setVisible(True)
            x, y = s.curve()
            if s.is_classifier:
                self._draw_class_curves(x, y)
            else:
                self.samples.setVisible(False)
                self._show_curves(0)
                self.setToolTip("Blue: the data. Green: what the network predicts for every "
                                "input." + self._held_tip())
                set_labels(self, s.network.names.inputs[0],
                           ("Observed / Predicted", "Obs. / Pred."))
                set_curve(self.fit, x, y[:, 0])
                drawn = (inputs, targets, s.held_out())
                if not _same(self.points_show, drawn):  # training never moves the data
                    self.points_show = drawn
                    self.few_points.set(inputs[:, 0], targets[:, 0], self._held())
            keep_in_view(self, "x", float(x.min()), float(x.max()))
            both = shown(np.concatenate([y[np.isfinite(y)], targets.ravel()]))
            keep_in_view(self, "y", float(np.nanmin(both)), float(np.nanmax(both)))
        elif inputs.shape[1] == 2 and self.map_output is not None:
            self._draw_map()
            return
        else:
            self.map.setVisible(False)
            self.class_map.setVisible(False)
            self.scale.set_visible(False)
            self.samples.setVisible(False)
            self._show_curves(0)
            self.fit.setVisible(True)
            self.setToolTip("Each point is one sample and output: its target (across) against "
                            "the prediction (up). A perfect fit lies on the diagonal."
                            + self._held_tip())
            set_labels(self, "Observed (target)", "Predicted")
            y, p = targets.ravel(), s.predictions().ravel()
            both = shown(np.concatenate([y, p]))
            if not np.isfinite(both).any():
                return
            lo, hi = float(np.nanmin(both)), float(np.nanmax(both))
            # As predictions reach their targets the points close in; a view that kept
            # zooming in after them would jump (and redraw its axes) every few steps.
            middle, half = (lo + hi) / 2, (hi - lo) / 2
            half = max(half, 0.1 * max(abs(lo), abs(hi)), 1e-3)
            lo, hi = middle - half, middle + half
            self.points_show = None
            self.few_points.set(y, p, np.repeat(self._held(), targets.shape[1]))
            keep_in_view(self, "x", lo, hi)
            keep_in_view(self, "y", lo, hi)
            # The diagonal spans the view, so it moves only when the view does.
            (x0, x1), _ = self.getViewBox().viewRange()
            if self.fit.xData is None or list(self.fit.xData) != [x0, x1]:
                set_curve(self.fit, [x0, x1], [x0, x1])


    def setToolTip(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Set only when it changes: every Step words the tip again, and each new one is an
        event for the plot."""
        if text != self.toolTip():
            super().setToolTip(text)

    def _show_curves(self, extra: int) -> None:
        """As many curves after the first as asked, the rest hidden."""
        while len(self.more_curves) < extra:
            self.more_curves.append(self.plot(antialias=True))
        for k, curve in enumerate(self.more_curves):
            curve.setVisible(k < extra)

    def _draw_class_curves(self, x, p) -> None:
        """One input, a classifier: each class's probability across the input, in the
        class's colour; the samples at their observed probability, in their class's."""
        s = self.session
        inputs, targets = s.inputs, s.targets
        labels = s.class_labels()
        self.few_points.set([], [])
        self.points_show = None
        curves = [self.fit, *self.more_curves]
        self._show_curves(p.shape[1] - 1)
        curves = [self.fit, *self.more_curves]
        names = s.network.names.post[-1]
        for k in range(p.shape[1]):
            # One sigmoid output is p of its class ("X"), the second of the two labels.
            colour = CLASS_COLOURS[(k + (len(labels) == 2 and p.shape[1] == 1))
                                   % len(CLASS_COLOURS)]
            curves[k].setPen(pg.mkPen(colour, width=3))
            set_curve(curves[k], x, p[:, k])
        self.samples.setVisible(True)
        drawn = ("curves", inputs, targets, s.held_out())
        if not _same(self.samples_show, drawn):  # training never moves the samples
            self.samples_show = drawn
            cls = s.classes(targets)
            cls = cls if cls.ndim == 1 else cls[:, 0]
            ys = targets[np.arange(len(targets)), cls] if targets.shape[1] > 1 else \
                targets[:, 0]
            self._set_samples(inputs[:, 0], ys, [CLASS_COLOURS[c % len(CLASS_COLOURS)]
                                                 for c in cls], kept_pen("w", 2))
        set_labels(self, s.network.names.inputs[0], "probability")
        self.setToolTip("Each curve: the probability the network gives one class ("
                        + ", ".join(names) + ") at every input. Dots: the samples, in their "
                        "class's colour." + self._held_tip())

    def _draw_class_map(self, xs, ys, grid) -> None:
        """A classifier over two inputs: each point of the plane in the colour of the class
        the network picks there, pale where it is unsure; the samples in their class's
        colour. The decision boundary is where the colours meet."""
        s = self.session
        labels = s.class_labels()
        one_sigmoid = grid.shape[2] == 1
        if one_sigmoid:  # p(X) and p(not X)
            grid = np.concatenate([1.0 - grid, grid], axis=2)
        k = grid.shape[2]
        if np.isfinite(grid).all():  # as below, without the NaN-proof passes (most Steps)
            picked = np.argmax(grid, axis=2)
            sure = np.clip((np.max(grid, axis=2) - 1 / k) / (1 - 1 / k), 0, 1)
        else:
            with np.errstate(invalid="ignore"):
                picked = np.argmax(np.nan_to_num(grid, nan=0.0), axis=2)
                sure = np.clip((np.nanmax(grid, axis=2) - 1 / k) / (1 - 1 / k), 0, 1)
        rgb = class_tint(picked, np.nan_to_num(sure))
        self.map.setVisible(False)
        self.class_map.setVisible(True)
        self.class_map.setImage(rgb.astype(np.uint8), levels=(0, 255))
        _place(self.class_map, xs, ys)
        self._show_class_scale(k, one_sigmoid)
        self.samples.setVisible(True)
        drawn = ("classes", s.inputs, s.targets, s.held_out())
        if not _same(self.samples_show, drawn):  # training never moves the samples
            self.samples_show = drawn
            cls = s.classes(s.targets)
            cls = cls if cls.ndim == 1 else cls[:, 0]
            self._set_samples(s.inputs[:, 0], s.inputs[:, 1],
                              [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in cls],
                              kept_pen("#222", 1.5))
        self.setToolTip("Colour: the class the network picks at every point ("
                        + ", ".join(f"{name}" for name in labels) + "), deeper where it is "
                        "surer. Dots: the samples, in their class's colour. The decision "
                        "boundary is where the colours meet." + self._held_tip())

    def _room_for_scale(self) -> bool:
        """Whether the map keeps MAP_BESIDE_BAR_PX across beside its colour bar (the
        same answer with the bar shown or not: no flicker as it comes and goes)."""
        taken = self.scale.width_taken()
        across = self.getViewBox().width() - (0.0 if self.scale.shown else taken)
        return across >= MAP_BESIDE_BAR_PX

    def _show_class_scale(self, k: int, one_sigmoid: bool) -> None:
        """The class map's colour bar. Two classes: the probability of the first output's
        class from 0 to 1, the other class's deepest colour at one end, the first's at
        the other, pale in the middle where the network is unsure. More: a column per
        class, from pale where its probability is 1/k to deep where it is 1."""
        self.scale.set_visible(self._room_for_scale())
        outputs = self.session.network.names.post[-1]
        drawn = (k, one_sigmoid, outputs)
        if self.scale_picture == drawn:
            return
        self.scale_picture = drawn
        p = (np.arange(256) + 0.5) / 256  # the bar's rows, lowest first
        if k == 2:
            # the first output is the probability of class 0 (softmax) or 1 (a sigmoid)
            named = 1 if one_sigmoid else 0
            picked = np.where(p > 0.5, named, 1 - named)
            self.scale.set_picture(class_tint(picked, np.abs(2 * p - 1))[:, None, :])
            self.scale.show(outputs[0], 0.0, 1.0)
        else:
            sure = np.repeat(p[:, None], k, axis=1)
            self.scale.set_picture(class_tint(np.arange(k)[None, :], sure))
            self.scale.show("p (picked class)", 1 / k, 1.0)

    def _draw_map(self) -> None:
        """The prediction over the two inputs' plane as colour, the samples on it as dots
        in the colour of their target: where a dot's colour matches the ground beneath,
        the network predicts that sample well."""
        s = self.session
        inputs, targets = s.inputs, s.targets
        names = s.network.names.inputs
        xs, ys, outputs = s.prediction_map()
        self.fit.setVisible(False)
        self._show_curves(0)
        self.few_points.set([], [])
        self.points_show = None
        set_labels(self, names[0], names[1])
        # The map to the edges, and room past them for a whole sample dot at its rim.
        x_pad = marker_room(self, "x", float(xs[-1] - xs[0]))
        y_pad = marker_room(self, "y", float(ys[-1] - ys[0]))
        _show_range(self, float(xs[0]) - x_pad, float(xs[-1]) + x_pad,
                    float(ys[0]) - y_pad, float(ys[-1]) + y_pad)
        if s.is_classifier:
            self._draw_class_map(xs, ys, outputs)
            return
        self.class_map.setVisible(False)
        shown_output = min(self.map_output or 0, outputs.shape[2] - 1)
        grid = outputs[:, :, shown_output]
        finite = grid[np.isfinite(grid)]
        if not len(finite):
            return
        observed = targets[:, shown_output]
        if not _same(self.levels_for, (targets, shown_output)):
            self.levels_for, self.map_levels = (targets, shown_output), None  # a new scale
        self.map_levels = steady_levels(self.map_levels,
                                        float(min(finite.min(), observed.min())),
                                        float(max(finite.max(), observed.max())))
        lo, hi = self.map_levels
        self.map.setVisible(True)
        self.scale.set_visible(self._room_for_scale())
        if self.scale_picture is not None:  # it showed the classes' colours
            self.scale_picture = None
            self.scale.set_colours(self.colours)
        output = s.network.names.post[-1][shown_output]
        self.scale.show(output, lo, hi)
        self.map.setImage(np.nan_to_num(shown(grid), nan=lo), levels=(lo, hi))
        _place(self.map, xs, ys)
        self.samples.setVisible(True)
        drawn = ("levels", inputs, targets, s.held_out(), shown_output, lo, hi)
        if not _same(self.samples_show, drawn):
            # Re-made only when the colours' meaning moves: the scatter with its symbols
            # took a fifth of every Step when re-made each time (py-spy, narrow-valley).
            self.samples_show = drawn
            # in the 256 colours of the scale (as the map's ground is): a colour, its pen
            # and brush, seen again at the next change of scale
            at = np.clip(np.round(255 * (observed - lo) / (hi - lo)) / 255, 0.0, 1.0)
            colours = [self.colours.map(float(a), mode="qcolor") for a in at]
            self._set_samples(inputs[:, 0], inputs[:, 1], colours, kept_pen("w", 2))
        self.setToolTip(f"Colour: the network's {output} for every ({names[0]}, {names[1]}); "
                        f"dark is low ({fmt(lo, 3)}), yellow high ({fmt(hi, 3)}). Dots: the "
                        "samples, in the colour of their target."
                        + (" Choose another output above the table."
                           if outputs.shape[2] > 1 else "") + self._held_tip())

    def _held(self) -> np.ndarray:
        """One boolean a sample: held out for validation."""
        held = np.zeros(len(self.session.inputs), bool)
        held[self.session.held_out()] = True
        return held

    def _held_tip(self) -> str:
        return (" Rings (no fill): the samples held out for validation, which training "
                "never uses." if len(self.session.held_out()) else "")

    def _set_samples(self, xs, ys, colours: list, outline) -> None:
        self._size_samples(len(xs))
        style = self._sample_style(colours, outline)
        self.samples.setData(xs, ys, **style)
        self.halos.setData(xs, ys, symbolBrush=[kept_brush(halo_colour(pen.color()))
                                                for pen in style["symbolPen"]])

    def _size_samples(self, count: int) -> None:
        """Smaller dots where there are many: moons' sixty at full size with their halos
        covered most of its class map, the boundary the lesson is about hard to see (a
        tester). The presenter scale (scale_items) applies to the size chosen here."""
        share = DENSE_SAMPLE_SHARE if count > DENSE_SAMPLES else 1.0
        _, base = getattr(self.samples, "base_style", (0.0, SAMPLE_PX))
        if base == SAMPLE_PX * share:
            return
        scale = self.samples.opts["symbolSize"] / base  # presenter mode's, or 1
        for item, made in ((self.samples, SAMPLE_PX), (self.halos, SAMPLE_PX + 2 * HALO_PX)):
            item.base_style = (0.0, made * share)  # (drawn without a line: no pen width)
        scale_items(self, scale)  # the sizes, and the plot's margin for its largest

    def _sample_style(self, colours: list, outline) -> dict:
        """The samples scatter's brush and outline, one a sample: a dot in its colour
        with `outline`, or, held out for validation, a ring in its colour."""
        pairs = list(zip(colours, self._held(), strict=True))
        none = kept_brush(None)
        return {"symbolBrush": [none if h else kept_brush(c) for c, h in pairs],
                "symbolPen": [kept_pen(c, HOLLOW_WIDTH) if h else outline
                              for c, h in pairs]}

    def set_map_output(self, output: int | None) -> None:
        self.map_output = output
        self.live.request()


# The classes' colours as RGB rows, to index with the class picked at each point.
_CLASS_RGB = np.array([pg.mkColor(c).getRgb()[:3] for c in CLASS_COLOURS], float)


def class_tint(picked: np.ndarray, sure: np.ndarray) -> np.ndarray:
    """RGB of a class map where the network picks class `picked` with `sure` from 0
    (probability 1/k) to 1 (certain): pastel at most, so that a sample in its class's full
    colour stands out even where the network is sure (deep ground under deep dots hid
    them)."""
    colour = _CLASS_RGB[picked % len(_CLASS_RGB)]
    return 255 - (255 - colour) * (0.12 + 0.43 * sure)[..., None]


def _place(image: pg.ImageItem, xs, ys) -> None:
    """An image (set first) over the grid's extent; placed again only when the grid or
    the image's size changes (not at a Step)."""
    rect = (float(xs[0]), float(ys[0]), float(xs[-1] - xs[0]), float(ys[-1] - ys[0]))
    if getattr(image, "placed", None) != (rect, image.width(), image.height()):
        image.placed = (rect, image.width(), image.height())
        image.setRect(*rect)


def _show_range(plot: pg.PlotWidget, x0: float, x1: float, y0: float, y1: float) -> None:
    """The view to exactly these ranges, unless it is there: pyqtgraph's setRange says
    the view changed, and drops its cached pixel size, even when it did not move."""
    (tx, ty) = plot.getViewBox().targetRange()
    if tx != [x0, x1]:
        plot.setXRange(x0, x1, padding=0)
    if ty != [y0, y1]:
        plot.setYRange(y0, y1, padding=0)


def _same(shown, drawn) -> bool:
    """Whether a plot item shows these very arrays (identity: edits make new arrays) and
    equal other values."""
    return shown is not None and len(shown) == len(drawn) and all(
        a is b or (not isinstance(a, np.ndarray) and a == b)
        for a, b in zip(shown, drawn, strict=True))


WHOLE_COLUMNS = 5  # columns the data table keeps in view beside the plot
NUMBER_ROOM = "-0.00"  # the narrowest a column of numbers is: room to read and click one


def two_lines(title: str) -> str:
    """A title of several words on two lines, broken at the space nearest its middle."""
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    if not spaces:
        return title
    cut = min(spaces, key=lambda i: abs(2 * i - len(title)))
    return f"{title[:cut]}\n{title[cut + 1:]}"


HELD_OUT_TIP = ("Held out for validation: training never uses this sample; the loss plot "
                "draws its loss as the validation curve (Training panel)")


class DataModel(QAbstractTableModel):
    """The samples as cells, formatted only when a cell is drawn: a QTableWidget made an
    item per cell up front, 13 s for 10,000 samples of 64 inputs at every open."""

    ALIGN = Qt.AlignRight | Qt.AlignVCenter

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.table = np.empty((0, 0))
        self.names: list[str] = []
        self.titles: list[str] = []  # the names as the header shows them (maybe on two lines)
        self.held = np.zeros(0, bool)  # rows held out for validation

    def show(self, table: np.ndarray, names: list[str], held: np.ndarray) -> None:
        """The cells, their column names, and which rows are held out (in italics).
        The same shape is changed in place: a reset closes the cell editor that is at
        that moment committing the edit that led here, and Qt then warned
        "commitData called with an editor that does not belong to this view"."""
        rows = np.zeros(len(table), bool)
        rows[held] = True
        if table.shape == self.table.shape and names == self.names:
            self.table, self.held = table, rows
            if table.size:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(table.shape[0] - 1, table.shape[1] - 1))
                self.headerDataChanged.emit(Qt.Vertical, 0, table.shape[0] - 1)
            return
        self.beginResetModel()
        self.table, self.names, self.titles, self.held = table, names, list(names), rows
        self.endResetModel()

    def set_titles(self, titles: list[str]) -> None:
        if titles != self.titles and len(titles) == len(self.names):
            self.titles = list(titles)
            self.headerDataChanged.emit(Qt.Horizontal, 0, len(titles) - 1)

    def rowCount(self, parent=None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else self.table.shape[0]

    def columnCount(self, parent=None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else self.table.shape[1]

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            return fmt(self.table[index.row(), index.column()], 8)
        if role == Qt.EditRole:  # every digit: a cell opened and left is not changed
            return repr(float(self.table[index.row(), index.column()]))
        if role == Qt.TextAlignmentRole:
            return self.ALIGN
        if self.held[index.row()]:
            if role == Qt.FontRole:
                return self._italic()
            if role == Qt.ForegroundRole:  # greyed, in the theme's own grey
                return QApplication.palette().color(QPalette.PlaceholderText)
            if role == Qt.ToolTipRole:
                return HELD_OUT_TIP
        return None

    @staticmethod
    def _italic() -> QFont:
        font = QFont()
        font.setItalic(True)
        return font

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal \
                and section < len(self.titles):
            return self.titles[section]
        # The row number stays as it is: the header is as wide as the numbers (a
        # "5 val" was cut to "5 v").
        if role == Qt.ToolTipRole and orientation == Qt.Vertical \
                and 0 <= section < len(self.held) and self.held[section]:
            return HELD_OUT_TIP
        return super().headerData(section, orientation, role)

    def flags(self, index):
        editable = Qt.ItemIsEditable if self.session.may_change("data") else Qt.NoItemFlags
        return Qt.ItemIsSelectable | Qt.ItemIsEnabled | editable

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 (Qt's name)
        """A typed cell goes to the Session; refused, the cell shows the old number."""
        if role != Qt.EditRole:
            return False
        if self.session.set_sample_value(index.row(), index.column(), str(value)):
            return True
        self.dataChanged.emit(index, index)
        return False


class DataTable(QTableView):
    EDIT_TIP = ("The samples (in italics: held out for validation). Edit a cell and press "
                "Enter; use the buttons to add "
                "or remove samples.")

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("dataTable")
        self.session = session
        self.setToolTip(self.EDIT_TIP)
        self.horizontalHeader().setStretchLastSection(False)
        self.cells = DataModel(session)
        self.setModel(self.cells)
        self.shown = None  # which data arrays the cells show now
        make_copyable(self)
        self.live = LiveRefresh(self, self.refresh, 0.1, lambda: session.running)
        session.lessonChanged.connect(self.live.request)
        session.stateChanged.connect(self.live.request)
        self.live.now()
        self.doubleClicked.connect(self._tried_to_edit)

    def _tried_to_edit(self, index) -> None:
        """A double click on a cell a lock keeps read-only: the Session's refusal says
        why nothing opens (as typing into a locked parameter does)."""
        if index.isValid() and not self.session.may_change("data"):
            self.session.set_sample_value(index.row(), index.column(), str(index.data()))

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        text = event.text()
        if (event.key() == Qt.Key_F2 or (text and text.isprintable())) \
                and not self.session.may_change("data"):
            self._tried_to_edit(self.currentIndex())
        super().keyPressEvent(event)

    def rowCount(self) -> int:  # noqa: N802 (as QTableWidget's, which this was)
        return self.cells.rowCount()

    def edit_cell(self, row: int, column: int, text: str) -> bool:
        """Type `text` into one cell, as Enter after editing it does."""
        return self.cells.setData(self.cells.index(row, column), text)

    def refresh(self) -> None:
        inputs, targets = self.session.inputs, self.session.targets
        held = self.session.held_out()
        if self.shown is not None and self.shown[0] is inputs and self.shown[1] is targets \
                and self.shown[2] is held and self.rowCount() == len(inputs):
            return  # training never changes the data: nothing to redraw during a Run
        # The arrays themselves: an edit, or a new split, makes new ones.
        self.shown = (inputs, targets, held)
        self.cells.show(np.hstack([inputs, targets]), self.session.data_column_names(), held)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column at least as wide as its title (none cut), the rest of the width
        shared out, so that no column is pushed out of sight. A title of two words goes
        on two lines when that lets every column fit (iris at 1280x800 cut "Versicolor"
        and hid Virginica behind a scroll bar). The titles and the first rows' numbers are
        measured, not every cell: a data set may have 100,000 rows."""
        names = self.session.data_column_names()
        metrics = self.horizontalHeader().fontMetrics()
        table = np.hstack([self.session.inputs, self.session.targets])[:SAMPLED_ROWS]
        numbers = [max([text_width(self, NUMBER_ROOM)]
                       + [text_width(self, fmt(v, 8)) for v in table[:, c]])
                   for c in range(len(names))]

        def needs_with(titles: list[str]) -> list[int]:
            return [max(title_width(metrics, t) + 8, n) for t, n in zip(titles, numbers,
                                                                         strict=True)]

        titles, needs = names, needs_with(names)
        wrapped = [two_lines(n) for n in names]
        narrowest = needs_with(wrapped)
        if sum(needs) > self.viewport().width() and wrapped != names:
            titles, needs = wrapped, narrowest
        self.cells.set_titles(titles)
        # Up to five columns (iris: two inputs, three classes) stay whole beside the plot,
        # at their narrowest; more scroll sideways (the plot needs the room more than a
        # wide table of one-hot classes).
        self.setMinimumWidth(sum(sorted(narrowest)[:WHOLE_COLUMNS])
                             + self.verticalHeader().width() + 2 * self.frameWidth()
                             + self.verticalScrollBar().sizeHint().width())
        spare = max(0, self.viewport().width() - sum(needs)) // max(len(needs), 1)
        for column, need in enumerate(needs):
            self.setColumnWidth(column, need + spare)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def add_sample(self) -> None:
        self.session.add_sample()

    def remove_sample(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()}) or [self.rowCount() - 1]
        self.session.remove_samples(rows)


class DataPanel(QSplitter):
    def __init__(self, session: Session):
        super().__init__(Qt.Horizontal)
        self.plot = DataPlot(session)
        self.table = DataTable(session)
        side = QWidget()
        lay = QVBoxLayout(side)
        lay.setContentsMargins(0, 0, 0, 0)
        self.view_choice = QComboBox()
        self.view_choice.setObjectName("dataView")
        self.view_choice.setToolTip("Two inputs: the prediction as a map over both inputs "
                                    "(one output at a time, or the classes), or each "
                                    "sample's target against its prediction")
        self.view_choice.currentIndexChanged.connect(self._view_chosen)
        lay.addWidget(self.view_choice)
        lay.addWidget(self.table)
        session.lessonChanged.connect(self._lesson_changed)
        self._lesson_changed()
        buttons = QHBoxLayout()
        self.edit_buttons = []
        for text, slot, tip in (("Add sample", self.table.add_sample, "Copy the last sample "
                                 "into a new row"),
                                ("Remove", self.table.remove_sample, "Remove the selected "
                                 "samples (the last one if none is selected)")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
            self.edit_buttons.append(b)
        lay.addLayout(buttons)
        session.lockChanged.connect(self._show_lock)
        self._show_lock()
        self.addWidget(self.plot)
        self.addWidget(side)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.plot.setMinimumWidth(200)
        self.setSizes([3000, 2000])  # shares, scaled to the room there is: plot first

    def rows_short(self, rows: int) -> int:
        """How many pixels the table lacks to show its first `rows` rows whole (all of
        them, if it has fewer)."""
        table = self.table
        need = sum(table.rowHeight(r) for r in range(min(rows, table.rowCount())))
        return max(0, need - table.viewport().height())

    def _show_lock(self) -> None:
        """A locked lesson's data can be read and copied, not edited."""
        locked = not self.plot.session.may_change("data")
        for button in self.edit_buttons:
            show_locked(button, locked)
        self.table.setToolTip("The training samples (locked by the teacher: they can be "
                              "read and copied, not edited; Edit → Unlock lesson… lifts "
                              "the lock)" if locked else self.table.EDIT_TIP)

    def _lesson_changed(self) -> None:
        s = self.plot.session
        net = s.network
        self.view_choice.setVisible(net.inputs == 2)
        if s.is_classifier:
            maps = ["Class map"]
        elif net.sizes[-1] == 1:
            maps = ["Prediction map"]
        else:
            maps = [f"Prediction map: {name}" for name in net.names.post[-1]]
        views = [*maps, "Targets vs predictions"]
        if [self.view_choice.itemText(i) for i in range(self.view_choice.count())] != views:
            self.view_choice.blockSignals(True)
            self.view_choice.clear()
            self.view_choice.addItems(views)
            self.view_choice.blockSignals(False)
            self.plot.set_map_output(0)

    def _view_chosen(self, index: int) -> None:
        last = self.view_choice.count() - 1
        self.plot.set_map_output(None if index == last else index)
