"""The data and the network's fit: for one input, the points and the network's curve
across the input range (the StatQuest picture); for more, predictions against targets.
Below it the samples, editable: a cell that is not a finite number is refused."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from gui.kit.plot_style import MarkerSet, keep_in_view, set_curve, set_labels, shown, style_plot
from gui.kit.throttle import LiveRefresh
from gui.session import Session


class DataPlot(pg.PlotWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("dataPlot")
        self.session = session
        style_plot(self)
        self.disableAutoRange()
        self.fit = self.plot(pen=pg.mkPen("#2ca02c", width=3), antialias=True)
        self.points = self.plot([], [], pen=None, symbol="o", symbolSize=14,
                                symbolBrush="#1f77b4", symbolPen="#222", antialias=True)
        self.few_points = MarkerSet(self, self.points, 14, "#1f77b4", "#222")
        self.points_show = None  # the arrays the points show now
        self.live = LiveRefresh(self, self.refresh)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        s = self.session
        inputs, targets = s.inputs, s.targets
        if inputs.shape[1] == 1 and targets.shape[1] == 1:
            self.setToolTip("Blue: the data. Green: what the network predicts for every input.")
            set_labels(self, s.network.names.inputs[0], "Observed / Predicted")
            x, y = s.curve()
            set_curve(self.fit, x, y)
            shows = self.points_show
            if shows is None or shows[0] is not inputs or shows[1] is not targets:
                self.points_show = (inputs, targets)  # training never moves the data
                self.few_points.set(inputs[:, 0], targets[:, 0])
            keep_in_view(self, "x", float(x.min()), float(x.max()))
            both = shown(np.concatenate([y[np.isfinite(y)], targets[:, 0]]))
            keep_in_view(self, "y", float(np.nanmin(both)), float(np.nanmax(both)))
        else:
            self.setToolTip("Each point is one sample and output: its target (across) against "
                            "the prediction (up). A perfect fit lies on the diagonal.")
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
            self.few_points.set(y, p)
            keep_in_view(self, "x", lo, hi)
            keep_in_view(self, "y", lo, hi)
            # The diagonal spans the view, so it moves only when the view does.
            (x0, x1), _ = self.getViewBox().viewRange()
            if self.fit.xData is None or list(self.fit.xData) != [x0, x1]:
                set_curve(self.fit, [x0, x1], [x0, x1])


class DataTable(QTableWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("dataTable")
        self.session = session
        self.setToolTip("The training samples. Edit a cell and press Enter; "
                        "use the buttons to add or remove samples.")
        # Every column shares the width: the table never hides a column to the right.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.horizontalHeader().setMinimumSectionSize(48)
        self.shown = None  # which data arrays the cells show now
        self.cellChanged.connect(self._edited)
        self.live = LiveRefresh(self, self.refresh, 0.1, lambda: session.running)
        session.lessonChanged.connect(self.live.request)
        session.stateChanged.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        inputs, targets = self.session.inputs, self.session.targets
        if self.shown is not None and self.shown[0] is inputs and self.shown[1] is targets \
                and self.rowCount() == len(inputs):
            return  # training never changes the data: nothing to redraw during a Run
        self.shown = (inputs, targets)  # the arrays themselves: an edit makes new ones
        table = np.hstack([inputs, targets])
        self.blockSignals(True)
        self.setColumnCount(table.shape[1])
        self.setHorizontalHeaderLabels(self.session.data_column_names())
        self.setRowCount(table.shape[0])
        for r, row in enumerate(table):
            for c, v in enumerate(row):
                item = self.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                    self.setItem(r, c, item)
                item.setText(fmt(v, 8))
        self.blockSignals(False)

    def _edited(self, row: int, col: int) -> None:
        if not self.session.set_sample_value(row, col, self.item(row, col).text()):
            self.shown = None  # put the old number back in the cell
            self.refresh()

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
        lay.addWidget(self.table)
        buttons = QHBoxLayout()
        for text, slot, tip in (("Add sample", self.table.add_sample, "Copy the last sample "
                                 "into a new row"),
                                ("Remove", self.table.remove_sample, "Remove the selected "
                                 "samples (the last one if none is selected)")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.addWidget(self.plot)
        self.addWidget(side)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
