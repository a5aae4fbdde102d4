"""The data and the network's fit: for one input, the points and the network's curve
across the input range (the StatQuest picture); for two, a map of the prediction over
the input plane with the samples on it, coloured by their targets; for more (or on
request), predictions against targets. Beside it the samples, editable: a cell that is
not a finite number is refused."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
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
        self.colours = pg.colormap.get("viridis")
        self.map = pg.ImageItem(axisOrder="row-major")
        self.map.setColorMap(self.colours)
        self.map.setZValue(-10)
        self.addItem(self.map)
        self.samples = self.plot([], [], pen=None, symbol="o", symbolSize=16,
                                 symbolPen=pg.mkPen("w", width=2), antialias=True)
        self.samples.setZValue(5)
        self.show_map = True  # two inputs: the prediction map (else targets vs predictions)
        self.live = LiveRefresh(self, self.refresh)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        s = self.session
        inputs, targets = s.inputs, s.targets
        if inputs.shape[1] == 1 and targets.shape[1] == 1:
            self.map.setVisible(False)
            self.samples.setVisible(False)
            self.fit.setVisible(True)
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
        elif inputs.shape[1] == 2 and self.show_map:
            self._draw_map()
            return
        else:
            self.map.setVisible(False)
            self.samples.setVisible(False)
            self.fit.setVisible(True)
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


    def _draw_map(self) -> None:
        """The prediction over the two inputs' plane as colour, the samples on it as dots
        in the colour of their target: where a dot's colour matches the ground beneath,
        the network predicts that sample well."""
        s = self.session
        inputs, targets = s.inputs, s.targets
        names = s.network.names.inputs
        xs, ys, grid = s.prediction_map()
        finite = grid[np.isfinite(grid)]
        if not len(finite):
            return
        lo = float(min(finite.min(), targets[:, 0].min()))
        hi = float(max(finite.max(), targets[:, 0].max()))
        hi = hi if hi > lo else lo + 1.0
        self.fit.setVisible(False)
        self.few_points.set([], [])
        self.points_show = None
        self.map.setVisible(True)
        self.map.setImage(np.nan_to_num(shown(grid), nan=lo), levels=(lo, hi))
        self.map.setRect(float(xs[0]), float(ys[0]), float(xs[-1] - xs[0]),
                         float(ys[-1] - ys[0]))
        self.samples.setVisible(True)
        brushes = [pg.mkBrush(self.colours.map((t - lo) / (hi - lo), mode="qcolor"))
                   for t in targets[:, 0]]
        self.samples.setData(inputs[:, 0], inputs[:, 1], symbolBrush=brushes)
        output = s.network.names.post[-1][0]
        set_labels(self, names[0], names[1])
        self.setToolTip(f"Colour: the network's {output} for every ({names[0]}, {names[1]}); "
                        f"dark is low ({fmt(lo, 3)}), yellow high ({fmt(hi, 3)}). Dots: the "
                        "samples, in the colour of their target.")
        self.setXRange(float(xs[0]), float(xs[-1]), padding=0)
        self.setYRange(float(ys[0]), float(ys[-1]), padding=0)

    def set_show_map(self, on: bool) -> None:
        self.show_map = on
        self.live.request()


class DataTable(QTableWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("dataTable")
        self.session = session
        self.setToolTip("The training samples. Edit a cell and press Enter; "
                        "use the buttons to add or remove samples.")
        self.horizontalHeader().setStretchLastSection(False)
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
        self._fit_columns()
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

    def _fit_columns(self) -> None:
        """Each column at least as wide as its title (none cut), the rest of the width
        shared out, so that no column is pushed out of sight. Titles, not cells, are
        measured: a data set may have 100,000 rows."""
        names = self.session.data_column_names()
        metrics = self.horizontalHeader().fontMetrics()
        needs = [max(metrics.horizontalAdvance(n), metrics.horizontalAdvance("-00.000")) + 16
                 for n in names]
        self.setMinimumWidth(sum(needs) + self.verticalHeader().width() + 2 * self.frameWidth()
                             + self.verticalScrollBar().sizeHint().width())
        spare = max(0, self.viewport().width() - sum(needs)) // max(len(needs), 1)
        for column, need in enumerate(needs):
            self.setColumnWidth(column, need + spare)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

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
        self.view_choice = QComboBox()
        self.view_choice.setObjectName("dataView")
        self.view_choice.addItems(["Prediction map", "Targets vs predictions"])
        self.view_choice.setToolTip("Two inputs: the prediction as a map over both inputs, "
                                    "or each sample's target against its prediction")
        self.view_choice.currentIndexChanged.connect(
            lambda index: self.plot.set_show_map(index == 0))
        lay.addWidget(self.view_choice)
        lay.addWidget(self.table)
        session.lessonChanged.connect(self._lesson_changed)
        self._lesson_changed()
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

    def _lesson_changed(self) -> None:
        self.view_choice.setVisible(self.plot.session.network.inputs == 2)
