"""Edit → Lock lesson for students…: a teacher ticks the panels students see, the
parameters whose values they may type and the settings they may change, and whether
the lesson opens in quiz mode. OK locks the lesson through the Session (undoable; Save
keeps the lock in the file); a refused lock keeps the dialog open, saying why."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
)

from engine.lock import EDITABLE_SETTINGS, PANELS, Lock
from gui.lesson_text import refusal_of
from gui.session import Session


class LockDialog(QDialog):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Lock lesson for students")
        self.setObjectName("lockDialog")
        names = session.network.param_names
        # A lesson not locked yet starts from everything allowed: untick what to keep.
        now = session.lock or Lock(tuple(PANELS), tuple(names), tuple(EDITABLE_SETTINGS))
        intro = QLabel("Untick what students may not see or change. Save the lesson to keep "
                       "the lock in its file: a student who opens it gets this view. Step, "
                       "Run, Reset and Undo always work. Edit → Unlock lesson… lifts the "
                       "lock (no password).")
        intro.setWordWrap(True)
        self.panels = self._boxes("lockPanel", PANELS, now.panels)
        self.settings = self._boxes("lockSetting", EDITABLE_SETTINGS, now.settings)
        self.parameters = QListView()
        self.parameters.setObjectName("lockParameters")
        self.parameters.setToolTip("The parameters whose values students may type; the "
                                   "others are read-only for them")
        self.parameters.setUniformItemSizes(True)  # 66,561 names list at once
        self.ticks = Ticks(names, now.parameters, self.parameters)
        self.parameters.setModel(self.ticks)
        columns = QHBoxLayout()
        columns.addWidget(self._group("Panels shown", self.panels.values()))
        columns.addWidget(self._group("Students may change", self.settings.values()))
        every, none = QPushButton("All"), QPushButton("None")
        every.clicked.connect(lambda: self.ticks.tick_all(True))
        none.clicked.connect(lambda: self.ticks.tick_all(False))
        row = QHBoxLayout()
        row.addWidget(every)
        row.addWidget(none)
        row.addStretch(1)
        columns.addWidget(self._group("Parameters students may type", [self.parameters], row),
                          1)
        self.quiz = QCheckBox("Open in quiz mode (F6 still leaves it)")
        self.quiz.setObjectName("lockQuiz")
        self.quiz.setChecked(now.quiz_on_open)
        self.problem = QLabel()
        self.problem.setObjectName("lockProblem")
        self.problem.setStyleSheet("color: #c62828; font-weight: bold;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Lock")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.quiz)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _boxes(self, prefix: str, titles: dict[str, str], ticked) -> dict[str, QCheckBox]:
        boxes = {}
        for key, title in titles.items():
            box = QCheckBox(title)
            box.setObjectName(f"{prefix}_{key}")
            box.setChecked(key in ticked)
            boxes[key] = box
        return boxes

    def _group(self, title: str, widgets, extra=None) -> QGroupBox:
        group = QGroupBox(title)
        lay = QVBoxLayout(group)
        for widget in widgets:
            lay.addWidget(widget)
        if extra is not None:
            lay.addLayout(extra)
        lay.addStretch(1)
        return group

    def chosen(self) -> Lock:
        """The lock as ticked."""
        return Lock(tuple(k for k, box in self.panels.items() if box.isChecked()),
                    self.ticks.ticked(),
                    tuple(k for k, box in self.settings.items() if box.isChecked()),
                    self.quiz.isChecked())

    def accept(self) -> None:
        refusal = refusal_of(self.session, lambda: self.session.set_lock(self.chosen()))
        if refusal is None:
            super().accept()
        else:
            self.problem.setText(refusal)
            self.problem.show()


class Ticks(QAbstractListModel):
    """Names with a tick box each: a model, so a big network's names list at once."""

    def __init__(self, names, ticked, parent=None):
        super().__init__(parent)
        self.names = list(names)
        chosen = set(ticked)
        self.on = [name in chosen for name in self.names]

    def rowCount(self, parent=None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self.names)

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            return self.names[index.row()]
        if role == Qt.CheckStateRole:
            return Qt.Checked if self.on[index.row()] else Qt.Unchecked
        return None

    def flags(self, index):
        return Qt.ItemIsEnabled | Qt.ItemIsUserCheckable

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 (Qt's name)
        if role != Qt.CheckStateRole:
            return False
        self.on[index.row()] = Qt.CheckState(value) == Qt.Checked
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True

    def tick(self, name: str, on: bool) -> None:
        row = self.names.index(name)
        self.setData(self.index(row), Qt.Checked if on else Qt.Unchecked, Qt.CheckStateRole)

    def tick_all(self, on: bool) -> None:
        self.beginResetModel()
        self.on = [on] * len(self.names)
        self.endResetModel()

    def ticked(self) -> tuple[str, ...]:
        return tuple(name for name, on in zip(self.names, self.on, strict=True) if on)
