"""Gradient check: backprop's slope beside a central finite difference, per parameter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QTableWidget,
    QTableWidgetItem,
)

from engine.explain import fmt
from engine.training import even_rows
from gui.kit.tables import fit_columns, make_copyable, widest_number
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
        self.setEditTriggers(QTableWidget.NoEditTriggers)
        make_copyable(self)
        self.rows = []
        self.live = LiveRefresh(self, self.refresh, 0.2, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        session.quizChanged.connect(self.live.request)
        self.live.request()  # only when on screen: big networks have thousands of rows

    def refresh(self) -> None:
        if self.session.quiz_active:  # every slope here answers a quiz question
            self.rows = []
            self.setRowCount(1)
            for c in range(1, self.columnCount()):
                self.setItem(0, c, QTableWidgetItem(""))
            self.setItem(0, 0, QTableWidgetItem("Hidden during the quiz"))
            self.setSpan(0, 0, 1, self.columnCount())
            self._fit([])  # whole titles: a quiz at the table's first showing cut them
            return
        all_names = self.session.network.param_names
        names = all_names
        if len(names) > MAX_CHECK_ROWS:  # a big network: an even sample and the selected one
            picked = {names[i] for i in even_rows(len(names), MAX_CHECK_ROWS - 1)}
            names = [n for n in names if n in picked or n == self.session.selected]
        self.rows = self.session.gradient_check(names)
        shown = self.rows
        total = len(all_names)
        self.clearSpans()
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
            self.setSpan(len(shown), 0, 1, self.columnCount())
        self._fit([r.name for r in shown])

    def _fit(self, names: list[str]) -> None:
        # Numbers are measured on a template (a Run refreshes this), names as they are.
        fit_columns(self, {0: names, 1: [widest_number(10)], 2: [widest_number(10)],
                           3: ["-8.8e-10"]}, rows=0)
