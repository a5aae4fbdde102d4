"""Exploration panels: the loss along one parameter with its tangent and next step, the
loss landscape over two parameters with the descent path, and the gradient check."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.explain import fmt
from engine.gradcheck import gradient_check
from engine.landscape import loss_along, loss_grid, window_around
from gui.plot_style import keep_in_view, set_curve, set_labels, set_points, shown, style_plot
from gui.session import Session
from gui.throttle import LiveRefresh


class TangentPlot(pg.PlotWidget):
    """The loss as the selected parameter varies, the others held: the current point,
    the tangent whose slope is the gradient, and an arrow to where the step lands."""

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("tangentPlot")
        self.session = session
        style_plot(self)
        self.disableAutoRange()
        self.setToolTip("The loss as the selected parameter changes and every other "
                        "parameter stays. The red line is the tangent: its slope is the "
                        "derivative. The arrow is the next gradient-descent step.")
        self.curve = self.plot(pen=pg.mkPen("#1f77b4", width=3), antialias=True)
        self.tangent = self.plot(pen=pg.mkPen("#d62728", width=2, style=Qt.DashLine))
        self.step_line = self.plot(pen=pg.mkPen("#2ca02c", width=2))
        self.point = self.plot([], [], pen=None, symbol="o", symbolSize=13,
                               symbolBrush="#d62728", symbolPen=None)
        self.landing = self.plot([], [], pen=None, symbol="o", symbolSize=11,
                                 symbolBrush="#2ca02c", symbolPen=None)
        self.arrow = pg.ArrowItem(angle=0, headLen=16, brush="#2ca02c", pen=None)
        self.addItem(self.arrow)
        self.tangent_slope = float("nan")
        self.live = LiveRefresh(self, self.refresh)
        for signal in (session.stateChanged, session.selectionChanged, session.lessonChanged):
            signal.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        s, t = self.session, self.session.trainer
        name = s.selected
        value, slope = s.value(name), s.grad(name)
        step = slope * t.learning_rate
        xs = window_around(value, step, 161)
        ys = loss_along(t.network, t.inputs, t.targets, t.loss_function, name, xs)
        now = t.loss
        new = value - step
        landed = loss_along(t.network, t.inputs, t.targets, t.loss_function, name,
                            np.array([new]))[0]
        set_curve(self.curve, xs, ys)
        half = 0.35 * (xs[-1] - xs[0])
        set_curve(self.tangent, [value - half, value + half],
                  [now - slope * half, now + slope * half])
        self.tangent_slope = slope
        set_points(self.point, [value], [now])
        set_points(self.landing, [new], [landed])
        set_curve(self.step_line, [value, new], [now, landed])
        arrow_at = shown([new, landed])
        self.arrow.setVisible(bool(np.isfinite(arrow_at).all()))
        if self.arrow.isVisible():
            self.arrow.setPos(*arrow_at)
        self.arrow.setStyle(angle=0 if new < value else 180)
        set_labels(self, name, t.loss_function.symbol)
        self.setTitle(f"{t.loss_function.symbol} against {name}: slope {fmt(slope, 4)}, "
                      f"next step lands at {name} = {fmt(new, 4)}")
        finite = shown(ys)[np.isfinite(ys)]
        keep_in_view(self, "x", float(xs[0]), float(xs[-1]))
        if len(finite):
            keep_in_view(self, "y", float(finite.min()), float(finite.max()))


class LandscapeView(QWidget):
    """The loss over two chosen parameters around the current point, with the path
    gradient descent has taken drawn on it."""

    POINTS = 100

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
        self.plot = pg.PlotWidget()
        style_plot(self.plot)
        self.plot.setToolTip("Darker is lower loss. White: the path of gradient descent; "
                             "red: where it is now.")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.path = self.plot.plot(pen=pg.mkPen("w", width=2), antialias=True)
        self.point = self.plot.plot([], [], pen=None, symbol="o", symbolSize=12,
                                    symbolBrush="#d62728", symbolPen="w")
        lay.addWidget(self.plot)
        self.extent = None  # (a0, a1, b0, b1) of the grid now drawn
        self.grid = None
        self.live = LiveRefresh(self, self.refresh, 0.05, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self._fill_choices)
        self._fill_choices()

    def _fill_choices(self) -> None:
        names = self.session.network.param_names
        preferred = [n for n in self.session.trainer.trainable] + names
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
        self.live.request()

    def refresh(self) -> None:
        s, t = self.session, self.session.trainer
        a, b = self.choice_a.currentText(), self.choice_b.currentText()
        if not a or not b:
            return
        ia, ib = t.network.index[a], t.network.index[b]
        path = t.history.params[:, [ia, ib]]
        va, vb = path[-1]
        if self.extent is None or not (self.extent[0] <= va <= self.extent[1]
                                       and self.extent[2] <= vb <= self.extent[3]):
            self.extent = self._extent_for(path)
            self.grid = None
        a0, a1, b0, b1 = self.extent
        if self.grid is None or s.running is False:
            av = np.linspace(a0, a1, self.POINTS)
            bv = np.linspace(b0, b1, self.POINTS)
            self.grid = loss_grid(t.network, t.inputs, t.targets, t.loss_function, a, b, av, bv)
            shown = np.log10(np.maximum(np.nan_to_num(self.grid, nan=np.inf, posinf=1e300),
                                        1e-12))
            self.image.setImage(shown, autoLevels=True)
            self.image.setRect(a0, b0, a1 - a0, b1 - b0)
        set_curve(self.path, path[:, 0], path[:, 1])
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


MAX_CHECK_ROWS = 200


class GradientCheckTable(QTableWidget):
    """Backprop's gradient beside a central finite difference, parameter by parameter."""

    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("gradientCheck")
        self.session = session
        self.setColumnCount(4)
        self.setHorizontalHeaderLabels(["parameter", "backprop", "finite difference",
                                        "relative difference"])
        self.verticalHeader().hide()
        self.setToolTip("(L(p + h) − L(p − h)) / 2h with h = 1e-6, beside the chain rule's "
                        "answer. They agree to about 1e-8: backprop is right.")
        self.rows = []
        self.live = LiveRefresh(self, self.refresh, 0.2, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.request()  # only when on screen: big networks have thousands of rows

    def refresh(self) -> None:
        t = self.session.trainer
        names = t.network.param_names
        if len(names) > MAX_CHECK_ROWS:  # a big network: an even sample and the selected one
            picked = {names[i] for i in np.linspace(0, len(names) - 1, MAX_CHECK_ROWS - 1)
                      .astype(int)} | {self.session.selected}
            names = [n for n in names if n in picked]
        with np.errstate(all="ignore"):
            self.rows = gradient_check(t.network, t.inputs, t.targets, t.loss_function,
                                       names=names)
        shown = self.rows
        total = len(t.network.param_names)
        self.setRowCount(len(shown) + (len(shown) < total))
        for r, row in enumerate(shown):
            cells = (row.name, fmt(row.backprop, 10), fmt(row.finite_difference, 10),
                     f"{row.relative_difference:.1e}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.setItem(r, c, item)
        if len(shown) < total:
            self.setItem(len(shown), 0, QTableWidgetItem(
                f"{len(shown)} of {total} parameters checked, evenly spread"))
