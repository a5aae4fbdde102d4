"""Gradient check: backprop's slope beside a central finite difference, per parameter."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QTableWidget,
    QTableWidgetItem,
)

from engine.explain import fmt
from engine.gradcheck import gradient_check
from gui.kit.throttle import LiveRefresh
from gui.session import Session

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
