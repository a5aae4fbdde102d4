"""Step history as a table model over the session's history arrays (no copy, no Python
object per row), so 100,000 rows scroll as fast as ten."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QSlider, QTableView, QWidget

from engine.explain import fmt
from gui.kit.steady_label import SteadyLabel
from gui.kit.tables import fit_columns, make_copyable, widest_number
from gui.kit.throttle import on_screen
from gui.session import Session

ROOT = QModelIndex()


MAX_PARAM_COLUMNS = 30


class HistoryModel(QAbstractTableModel):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self._rows = 0
        self._columns: list[tuple[str, str, int]] = []  # (header, array attr, param index)
        self._rebuild_columns()
        session.lessonChanged.connect(self._reset)
        session.selectionChanged.connect(self._update)
        session.stateChanged.connect(self._update)
        session.quizChanged.connect(self._update)

    def _shown_params(self) -> list[str]:
        """Every trainable parameter of a small network; of a big one the selected one
        and the first few (a column each for value, slope and step size)."""
        s = self.session
        # (not every trainable name: asked every Run frame, 66,561 took ~4 ms a frame)
        trainable = s.first_trainable(MAX_PARAM_COLUMNS + 1)
        if len(trainable) <= MAX_PARAM_COLUMNS:
            return trainable
        selected = s.selected
        first = [n for n in trainable[:MAX_PARAM_COLUMNS] if n != selected]
        return ([selected] if s.is_trainable(selected) else []) + first[:MAX_PARAM_COLUMNS - 1]

    def _column_titles(self, names) -> list[str]:
        return ["step", "loss", *[h for n in names for h in (n, f"slope {n}", f"step {n}")]]

    def _rebuild_columns(self) -> None:
        net = self.session.network
        cols = [("step", "", -1), ("loss", "loss", -1)]
        for name in self._shown_params():
            i = net.index[name]
            cols += [(name, "params", i), (f"slope {name}", "grads", i),
                     (f"step {name}", "step_sizes", i)]
        self._columns = cols
        self._rows = len(self.session.history)

    def _reset(self) -> None:
        self.beginResetModel()
        self._rebuild_columns()
        self.endResetModel()

    def _update(self) -> None:
        wanted = [c[0] for c in self._columns]
        now = self._column_titles(self._shown_params())
        rows = len(self.session.history)
        if wanted != now or rows < self._rows:
            self._reset()
            return
        if rows > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            self._rows = rows
            self.endInsertRows()
        # The current row changes in place when a value is edited.
        last = self._rows - 1
        self.dataChanged.emit(self.index(last, 0), self.index(last, len(self._columns) - 1))

    def rowCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def value(self, row: int, column: int) -> float:
        _, attr, i = self._columns[column]
        if not attr:
            return float(self.session.history.steps[row])
        array = getattr(self.session.history, attr)
        return float(array[row] if i < 0 else array[row, i])

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and index.isValid():
            if index.column() == 0:
                return str(self.session.history.steps[index.row()])
            if self.session.quiz_active and index.row() == self._rows - 1 and \
                    self._columns[index.column()][1] in ("grads", "step_sizes"):
                return "?"  # the next step's slope and step size are the quiz's answers
            return fmt(self.value(index.row(), index.column()), 8)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        return self._columns[section][0] if orientation == Qt.Horizontal else None


class _ColumnHeader(QHeaderView):
    """A horizontal header that measures its titles once per set of columns. Qt asks
    for the header's size hint after every inserted row, and by default measures every
    title again: 30 columns cost ~6 ms a Step."""

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self._hint = None

    def setModel(self, model) -> None:
        super().setModel(model)
        for signal in (model.modelReset, model.headerDataChanged, model.columnsInserted,
                       model.columnsRemoved):
            signal.connect(self._forget)

    def _forget(self, *_) -> None:
        self._hint = None

    def changeEvent(self, event) -> None:  # presenter mode and zoom change the font
        self._hint = None
        super().changeEvent(event)

    def sizeHint(self):
        if self._hint is None:
            self._hint = super().sizeHint()
        return self._hint


class HistoryTable(QTableView):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("historyTable")
        self.setHorizontalHeader(_ColumnHeader(self))
        self.setModel(HistoryModel(session, self))
        self.setToolTip("Row k: the state before update k — loss, and for each trainable "
                        "parameter its value, slope and step size.")
        self.verticalHeader().hide()  # the step is column 0; a header per row costs time
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.setAlternatingRowColors(True)
        self.model().rowsAboutToBeInserted.connect(self._remember_if_at_bottom)
        self.model().rowsInserted.connect(self._follow)
        self.model().modelReset.connect(self._fit)
        self._at_bottom = True
        make_copyable(self)
        self._fit()

    def _fit(self) -> None:
        """Every column as wide as its title and the widest number a step can write
        (measured on a template, not on 100,000 rows)."""
        model = self.model()
        examples = {c: [widest_number(8)] for c in range(1, model.columnCount())}
        examples[0] = ["1000000"]
        fit_columns(self, examples, rows=0)

    def changeEvent(self, event) -> None:  # presenter mode and zoom change the font
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fit()

    def _remember_if_at_bottom(self, *_) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = bar.value() >= bar.maximum() - 2

    def _follow(self, *_) -> None:
        """Keep the newest step in view, unless the user scrolled up to read."""
        if self._at_bottom and on_screen(self):
            self.scrollToBottom()


class HistorySlider(QWidget):
    """Scrub through the steps: every panel shows step k; Step or an edit from there
    continues from step k (undoably)."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("historySlider")
        self.slider.setToolTip("Drag to look back at any step; every panel follows. "
                               "Stepping from an earlier step continues from there.")
        self.label = SteadyLabel()
        lay.addWidget(QLabel("step"))
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        self.slider.valueChanged.connect(self._moved)
        session.stateChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        self.slider.blockSignals(True)
        self.slider.setRange(0, s.last_step())
        self.slider.setValue(s.steps_done)
        self.slider.blockSignals(False)
        self.label.setText(f"{s.steps_done} / {s.last_step()}")

    def _moved(self, value: int) -> None:
        self.session.preview(value)
