"""Loss against step: one curve updated with setData, the current point marked."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plot_style import style_plot
from gui.session import Session


class LossPlot(pg.PlotWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("lossPlot")
        self.session = session
        self.setToolTip("The loss after each step. Right-click for options; "
                        "the Log scale box shows small losses better.")
        self.setLabel("bottom", "step")
        self.setLabel("left", "loss")
        style_plot(self)
        self.curve = self.plot(pen=pg.mkPen("#1f77b4", width=2))
        # Long runs: draw only what is in view, and at most a few points per pixel.
        self.curve.setClipToView(True)
        self.curve.setDownsampling(auto=True, method="peak")
        self.current = self.plot([], [], pen=None, symbol="o", symbolSize=13,
                                 symbolBrush="#d62728", symbolPen=None)
        session.stateChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        self.refresh()

    def set_log(self, on: bool) -> None:
        self.setLogMode(y=on)
        self.refresh()

    def refresh(self) -> None:
        self.setLabel("left", self.session.trainer.loss_function.symbol)
        loss = self.session.trainer.history.loss
        steps = np.arange(len(loss))
        self.curve.setData(steps, loss)
        self.current.setData(steps[-1:], loss[-1:])
        # A handful of steps reads best on a fixed axis from 0; after that, follow the data.
        if len(loss) <= 10:
            self.setXRange(0, 10, padding=0.02)
        else:
            self.enableAutoRange(axis="x")

    def point_count(self) -> int:
        return len(self.curve.xData) if self.curve.xData is not None else 0
