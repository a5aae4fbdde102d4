"""The loss landscape over two chosen parameters, with the path gradient descent took."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.kit.colour_scale import ColourScale, steady_levels
from gui.kit.plot_style import (
    RUN_COLOURS,
    readable_axes,
    set_labels,
    set_path,
    set_points,
    style_plot,
)
from gui.kit.throttle import LiveRefresh
from gui.session import Session


class LandscapeView(QWidget):
    """The loss over two chosen parameters around the current point, with the path
    gradient descent has taken drawn on it."""

    POINTS = 100
    FEWEST_POINTS = 16
    TIP = ("Darker is lower training loss (the bar at the right: its colours on a log "
           "scale). White: the path of gradient descent; red: where it is now; dashed: "
           "the runs kept to compare that are shown.")

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("landscapeView")
        self.session = session
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        self.choice_a, self.choice_b = QComboBox(), QComboBox()
        self.choice_a.setObjectName("landscapeX")
        self.choice_b.setObjectName("landscapeY")
        for label, box in (("across", self.choice_a), ("up", self.choice_b)):
            box.setToolTip("The parameter along this axis; the others stay as they are")
            pick.addWidget(QLabel(label))
            pick.addWidget(box, 1)
            box.currentTextChanged.connect(self._axes_changed)
        lay.addLayout(pick)
        self.plot = pg.PlotWidget(axisItems=readable_axes())
        style_plot(self.plot)
        self.plot.setToolTip(self.TIP)
        colours = pg.colormap.get("viridis")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(colours)
        self.plot.addItem(self.image)
        self.scale = ColourScale(self.plot, colours)
        self.scale.set_visible(True)
        # Runs kept to compare, dashed in their colours, under this run's path.
        self.kept_paths = [self.plot.plot(pen=pg.mkPen(colour, width=2, style=Qt.DashLine),
                                          antialias=True) for colour in RUN_COLOURS]
        self.path = self.plot.plot(pen=pg.mkPen("w", width=2), antialias=True)
        self.point = self.plot.plot([], [], pen=None, symbol="o", symbolSize=12,
                                    symbolBrush="#d62728", symbolPen="w")
        lay.addWidget(self.plot)
        self.extent = None  # (a0, a1, b0, b1) of the grid now drawn
        self.grid = None
        self.levels: tuple[float, float] | None = None  # log10 of the colour bar's ends
        self.live = LiveRefresh(self, self.refresh, 0.05, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self._fill_choices)
        session.runsChanged.connect(self._axes_changed)
        self._fill_choices()

    def _fill_choices(self) -> None:
        names = self.session.network.param_names
        preferred = self.session.trainable + names
        first = preferred[0]
        second = next((n for n in preferred if n != first), first)
        for box, default in ((self.choice_a, first), (self.choice_b, second)):
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentText(default)
            box.blockSignals(False)
        self._axes_changed()

    def _axes_changed(self, *_) -> None:
        self.extent = None
        self.levels = None  # a new map, a new colour scale
        self.live.request()

    def refresh(self) -> None:
        s = self.session
        a, b = self.choice_a.currentText(), self.choice_b.currentText()
        if not a or not b:
            return
        ia, ib = s.network.index[a], s.network.index[b]
        path = s.history.params[:, [ia, ib]]
        va, vb = path[-1]
        # Hidden runs draw nothing but keep their place (and colour) in the list.
        kept = [np.column_stack([r.column(a), r.column(b)]) if r.visible else None
                for r in s.kept_runs]
        if self.extent is None or not (self.extent[0] <= va <= self.extent[1]
                                       and self.extent[2] <= vb <= self.extent[3]):
            self.extent = self._extent_for(np.vstack([path, *(p for p in kept
                                                              if p is not None)]))
            self.grid, self.levels = None, None
        a0, a1, b0, b1 = self.extent
        for item, k in zip(self.kept_paths, range(len(self.kept_paths)), strict=True):
            run_path = kept[k] if k < len(kept) else None
            if run_path is not None:
                set_path(item, run_path[:, 0], run_path[:, 1], a1 - a0, b1 - b0)
            else:
                item.setData([], [])
        a0, a1, b0, b1 = self.extent
        if self.grid is None or s.running is False:
            # POINTS a side, fewer on a big network (each is a pass of its later layers)
            points = s.sweep_points([a, b], self.POINTS, self.FEWEST_POINTS)
            av = np.linspace(a0, a1, points)
            bv = np.linspace(b0, b1, points)
            self.plot.setToolTip(self.TIP + ("" if points == self.POINTS else
                                             f"\nOn this big network the grid is {points}×"
                                             f"{points} points, so that a Step stays quick."))
            self.grid = s.loss_grid(a, b, av, bv)
            shown = np.log10(np.maximum(np.nan_to_num(self.grid, nan=np.inf, posinf=1e300),
                                        1e-12))
            # The scale from the losses that are numbers: an overflow past them is drawn
            # in the top colour, not allowed to stretch the scale to 1e300.
            finite = shown[np.isfinite(self.grid)]
            if len(finite):
                self.levels = steady_levels(self.levels, float(finite.min()),
                                            float(finite.max()))
            levels = self.levels or (0.0, 1.0)
            self.image.setImage(shown, levels=levels)
            self.image.setRect(a0, b0, a1 - a0, b1 - b0)
            self.scale.show(s.loss_symbol, *levels, log=True)
        set_path(self.path, path[:, 0], path[:, 1], a1 - a0, b1 - b0)
        set_points(self.point, [va], [vb])
        set_labels(self.plot, a, b)
        self.plot.setXRange(a0, a1, padding=0)
        self.plot.setYRange(b0, b1, padding=0)

    @staticmethod
    def _extent_for(path: np.ndarray):
        lo, hi = path.min(axis=0), path.max(axis=0)
        centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2 * 1.3, 1.0)
        return (centre[0] - half[0], centre[0] + half[0], centre[1] - half[1],
                centre[1] + half[1])


