"""Accuracy and the confusion matrix of a classification lesson, live: how many samples
the network puts in their own class, and which classes it takes for which."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from gui.kit.tables import make_copyable
from gui.kit.throttle import RUN_REFRESH_S, LiveRefresh
from gui.session import Session


class AccuracyPanel(QWidget):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("accuracyPanel")
        self.session = session
        lay = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("accuracyHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.RichText)
        lay.addWidget(self.headline)
        self.matrix = QTableWidget()
        self.matrix.setObjectName("confusionMatrix")
        self.matrix.setEditTriggers(QTableWidget.NoEditTriggers)
        self.matrix.setToolTip("Confusion matrix: a row per observed class, a column per "
                               "predicted class; the diagonal is the samples put right.")
        make_copyable(self.matrix)
        lay.addWidget(self.matrix, 1)
        self.live = LiveRefresh(self, self.refresh, RUN_REFRESH_S, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.lessonChanged.connect(self.live.request)
        self.live.now()

    def refresh(self) -> None:
        scores = self.session.scores()
        self.matrix.setVisible(scores is not None)
        if scores is None:
            self.headline.setText("Accuracy and the confusion matrix are for classification "
                                  "lessons: a cross-entropy loss on a softmax or sigmoid "
                                  "output (see iris-softmax).")
            return
        self.headline.setText(
            f"<b>Accuracy: {scores.right} of {scores.total}</b> "
            f"({100 * scores.accuracy:.1f} %) put in their observed class")
        labels = scores.labels
        if self.matrix.rowCount() != len(labels) or \
                self.matrix.verticalHeaderItem(0) is None or \
                self.matrix.verticalHeaderItem(0).text() != f"observed {labels[0]}":
            self.matrix.setRowCount(len(labels))
            self.matrix.setColumnCount(len(labels))
            self.matrix.setVerticalHeaderLabels([f"observed {n}" for n in labels])
            # Two lines: "predicted Versicolor" on one made three classes wider than the
            # panel at 1280x800 ("predicted V…" and a sideways scroll bar).
            self.matrix.setHorizontalHeaderLabels([f"predicted\n{n}" for n in labels])
            self.matrix.resizeColumnsToContents()
        top = max(1, int(scores.confusion.max()))
        for r, row in enumerate(scores.confusion):
            for c, count in enumerate(row):
                item = self.matrix.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignCenter)
                    self.matrix.setItem(r, c, item)
                item.setText(str(int(count)))
                # Right answers green, wrong ones red, deeper the more samples.
                strength = int(40 + 140 * count / top) if count else 0
                hue = QColor(44, 160, 44, strength) if r == c else QColor(214, 39, 40, strength)
                item.setBackground(QBrush(hue))
