"""The loss along the selected parameter, with its tangent and where the next step lands."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.explain import fmt
from engine.landscape import window_around
from gui.kit.plot_style import (
    inked,
    keep_in_view,
    readable_axes,
    set_curve,
    set_labels,
    set_points,
    set_title,
    shown,
    style_plot,
)
from gui.kit.throttle import LiveRefresh
from gui.session import Session


class TangentPlot(pg.PlotWidget):
    """The loss as the selected parameter varies, the others held: the current point,
    the tangent whose slope is the gradient, and an arrow to where the step lands."""

    def __init__(self, session: Session):
        super().__init__(axisItems=readable_axes())
        self.setObjectName("tangentPlot")
        self.session = session
        style_plot(self)
        self.disableAutoRange()
        self.setToolTip("The loss as the selected parameter changes and every other "
                        "parameter stays. The red line is the tangent: its slope is the "
                        "derivative. The arrow is the next gradient-descent step.")
        self.curve = inked(self.plot(pen=pg.mkPen(width=3), antialias=True), "line")
        self.tangent = inked(self.plot(pen=pg.mkPen(width=2, style=Qt.DashLine)), "mark")
        self.step_line = inked(self.plot(pen=pg.mkPen(width=2)), "fit")
        self.point = inked(self.plot([], [], pen=None, symbol="o", symbolSize=13,
                                     symbolPen=None), brush="mark")
        self.landing = inked(self.plot([], [], pen=None, symbol="o", symbolSize=11,
                                       symbolPen=None), brush="fit")
        self.arrow = pg.ArrowItem(angle=0, headLen=16, brush="#2ca02c", pen=None)
        self.addItem(self.arrow)
        self.live = LiveRefresh(self, self.refresh)
        # The markers' margin is in pixels: a resized plot needs it again in data units.
        self.getViewBox().sigResized.connect(self.live.request)
        for signal in (session.stateChanged, session.selectionChanged, session.lessonChanged,
                       session.quizChanged):
            signal.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        s = self.session
        name = s.selected
        u = s.update(name)
        value, slope, new = u.value, u.slope, u.new_value
        # 161 points, fewer on a big network (each is a pass of its later layers)
        xs = window_around(value, u.step_size, s.sweep_points([name], 161, 41))
        ys = s.loss_along(name, xs)
        now = s.loss
        landed = s.loss_along(name, np.array([new]))[0]
        set_curve(self.curve, xs, ys)
        half = 0.35 * (xs[-1] - xs[0])
        set_curve(self.tangent, [value - half, value + half],
                  [now - slope * half, now + slope * half])
        set_points(self.point, [value], [now])
        set_points(self.landing, [new], [landed])
        set_curve(self.step_line, [value, new], [now, landed])
        arrow_at = shown([new, landed])
        self.arrow.setVisible(bool(np.isfinite(arrow_at).all()))
        if self.arrow.isVisible():
            self.arrow.setPos(*arrow_at)
        self.arrow.setStyle(angle=0 if new < value else 180)
        set_labels(self, name, s.loss_symbol)
        quiz = s.quiz_active  # the tangent's slope and the landing are the quiz's answers
        for item in (self.tangent, self.landing, self.step_line):
            item.setVisible(not quiz)
        if quiz:
            self.arrow.setVisible(False)
            set_title(self, f"{s.loss_symbol} against {name} (its slope is hidden in the quiz)",
                      f"{s.loss_symbol} against {name} (slope hidden in the quiz)")
        else:
            slope_text, new_text = fmt(slope, 4), fmt(new, 4)
            set_title(self, f"{s.loss_symbol} against {name}: slope {slope_text}, next step "
                            f"lands at {name} = {new_text}",
                      f"slope {slope_text}, next step lands at {name} = {new_text}",
                      f"slope {slope_text} · next {name} = {new_text}")
        finite = shown(ys)[np.isfinite(ys)]
        keep_in_view(self, "x", float(xs[0]), float(xs[-1]))
        if len(finite):
            keep_in_view(self, "y", float(finite.min()), float(finite.max()))


