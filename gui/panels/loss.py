"""Loss against step: one curve updated with setData, the current point marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.training import even_rows
from gui.kit.plot_style import (
    RUN_COLOURS,
    Marker,
    inked,
    keep_in_view,
    set_curve,
    set_labels,
    style_plot,
)
from gui.kit.throttle import LiveRefresh
from gui.session import Session

MAX_POINTS = 4000


class LossPlot(pg.PlotWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("lossPlot")
        self.session = session
        self.setToolTip("The loss after each step. Right-click for options; "
                        "the Log scale box shows small losses better.")
        style_plot(self)
        self.curve = inked(self.plot(pen=pg.mkPen(width=2), antialias=True), "line")
        # Long runs: draw only what is in view, and at most a few points per pixel.
        self.curve.setClipToView(True)
        self.curve.setDownsampling(auto=True, method="peak")
        self.disableAutoRange()
        self.current = Marker(self, 13, "mark")
        # Runs kept to compare: dashed, each in its colour, named in the legend.
        self.legend = None
        self.kept_curves = [self.plot(pen=pg.mkPen(colour, width=2, style=Qt.DashLine),
                                      antialias=True) for colour in RUN_COLOURS]
        session.runsChanged.connect(self._show_kept)
        session.lessonChanged.connect(self._show_kept)
        self.plotItem.ctrl.logYCheck.toggled.connect(self.refresh)  # also from its menu
        self.live = LiveRefresh(self, self.refresh)
        # The markers' margin is in pixels: a resized plot needs it again in data units.
        self.getViewBox().sigResized.connect(self.live.request)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.now()

    def _show_kept(self) -> None:
        runs = self.session.kept_runs
        if self.legend is not None:
            self.legend.scene().removeItem(self.legend)
            self.legend = None
        if runs:
            self.legend = self.addLegend(offset=(-10, 10))
            self.legend.addItem(self.curve, "this run")
        for k, item in enumerate(self.kept_curves):
            if k < len(runs):
                set_curve(item, runs[k].steps, runs[k].loss)
                self.legend.addItem(item, runs[k].name)
            else:
                item.setData([], [])
        self.live.request()

    def set_log(self, on: bool) -> None:
        self.setLogMode(y=on)
        self.refresh()

    def refresh(self) -> None:
        set_labels(self, "step", self.session.loss_symbol)
        history = self.session.history
        steps, loss = history.loss_trail  # a wide network keeps more losses than rows
        if len(loss) > MAX_POINTS:
            # A long run: an even sample (always with the newest step) is all a plot a
            # few thousand pixels wide can show, and costs a frame nothing.
            pick = even_rows(len(loss), MAX_POINTS)
            set_curve(self.curve, steps[pick], loss[pick])
        else:
            set_curve(self.curve, steps, loss)
        self.current.place(float(steps[-1]), float(loss[-1]))
        runs = self.session.kept_runs
        if runs:  # the kept runs' curves stay in view too
            loss = np.concatenate([loss, *(r.loss for r in runs)])
            loss = loss[np.isfinite(loss)]
        last = max([int(steps[-1]), *(int(r.steps[-1]) for r in runs)])
        self._fit_range(loss, last + 1)

    def _fit_range(self, loss: np.ndarray, n: int) -> None:
        """Ranges set here, not by auto-range (which repaints twice), and changed only in
        jumps: the x axis doubles as the steps grow."""
        view_hi = self.getViewBox().viewRange()[0][1]
        if n <= 10 or n - 1 > view_hi or view_hi > 4 * max(n, 10):
            self.setXRange(0, max(10, 2 ** int(np.ceil(np.log2(max(n, 2))))), padding=0.02)
        if self.plotItem.ctrl.logYCheck.isChecked():
            positive = loss[loss > 0]
            if len(positive):
                keep_in_view(self, "y", np.log10(positive.min()), np.log10(positive.max()))
        elif n:
            keep_in_view(self, "y", min(float(loss.min()), 0.0), float(loss.max()))

    def point_count(self) -> int:
        return len(self.curve.xData) if self.curve.xData is not None else 0
