"""What every table of the window does the same way: columns wide enough for their
titles and numbers (a cut "relative differenc" or "0.1234…" hides the very digits a
student compares), and Ctrl+C copies the selection as tab-separated text that pastes
into a spreadsheet as cells (Qt's own copy takes one cell)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView

CELL_PADDING = 14  # Qt's cell margins and a little air either side of the text
SAMPLED_ROWS = 200  # a long table's widths come from its first rows (rows repeat a shape)


def selection_as_tsv(view: QTableView) -> str:
    """The selected cells as they are shown, a line per row and a tab between columns,
    with the columns' titles first when more than one cell is copied. Cells inside the
    selection's bounds that are not selected stay empty, as spreadsheets do."""
    model = view.model()
    indexes = view.selectionModel().selectedIndexes()
    if not indexes:
        current = view.currentIndex()
        indexes = [current] if current.isValid() else []
    if not indexes:
        return ""
    rows = sorted({i.row() for i in indexes})
    columns = sorted({i.column() for i in indexes if not view.isColumnHidden(i.column())})
    picked = {(i.row(), i.column()) for i in indexes}

    def text(row: int, column: int) -> str:
        if (row, column) not in picked:
            return ""
        value = model.data(model.index(row, column), Qt.DisplayRole)
        return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")

    def title(section: int, orientation) -> str:  # a title on two lines is one cell
        return str(model.headerData(section, orientation, Qt.DisplayRole) or "").replace(
            "\n", " ")

    # Row titles (the confusion matrix's "observed Setosa") lead their rows.
    named_rows = not view.verticalHeader().isHidden() and all(
        not title(r, Qt.Vertical).isdigit() for r in rows)
    lines = [([title(r, Qt.Vertical)] if named_rows else []) + [text(r, c) for c in columns]
             for r in rows]
    if len(indexes) > 1:
        lines.insert(0, ([""] if named_rows else []) + [title(c, Qt.Horizontal)
                                                        for c in columns])
    return "".join("\t".join(line) + "\n" for line in lines)


class _CopyKeys(QObject):
    """Ctrl+C (the platform's Copy keys) on the table copies the whole selection."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.KeyPress and event.matches(QKeySequence.Copy):
            copy_selection(watched)
            return True
        return False


def copy_selection(view: QTableView) -> None:
    QGuiApplication.clipboard().setText(selection_as_tsv(view))


def make_copyable(view: QTableView) -> None:
    """Ctrl+C and a right-click Copy / Select all on `view`."""
    view.setSelectionMode(QAbstractItemView.ExtendedSelection)
    keys = _CopyKeys(view)
    view.installEventFilter(keys)
    view.copy_keys = keys  # kept alive with the view
    view.setContextMenuPolicy(Qt.ActionsContextMenu)
    for text, standard, slot in (("Copy", QKeySequence.Copy, lambda: copy_selection(view)),
                                 ("Select all", QKeySequence.SelectAll, view.selectAll)):
        # The keys are named in the menu but not bound to the action: the filter above
        # and the view itself handle them, and a binding per table would make Qt call
        # every Ctrl+C ambiguous.
        name = QKeySequence(standard).toString(QKeySequence.NativeText)
        action = QAction(f"{text}\t{name}", view)
        action.triggered.connect(slot)
        view.addAction(action)


def widest_number(digits: int) -> str:
    """A text as wide as any number fmt(value, digits) writes: "-0.000" and `digits`
    digits is as long as its longest fixed form and its scientific one (-1.23e-07)."""
    return "-0.000" + "8" * digits


def title_width(metrics, title: str) -> int:
    """A header title's width: its longest line (a title may be on two)."""
    return max(metrics.horizontalAdvance(line) for line in title.split("\n"))


def text_width(view: QTableView, text: str) -> int:
    return view.fontMetrics().horizontalAdvance(text) + CELL_PADDING


def fit_columns(view: QTableView, examples: dict[int, list[str]] | None = None,
                rows: int = SAMPLED_ROWS) -> list[int]:
    """Widen every column to its title and its widest cell among the first `rows` rows
    (and any `examples` of texts it may show later, e.g. the widest number a Run can
    write), never narrowing one the user widened. Returns the widths."""
    model = view.model()
    header = view.horizontalHeader()
    title_metrics = header.fontMetrics()
    widths = []
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Horizontal, Qt.DisplayRole) or "")
        need = title_width(title_metrics, title) + CELL_PADDING + 8  # sort marker room
        texts = list((examples or {}).get(column, ()))
        for row in range(min(rows, model.rowCount())):
            value = model.data(model.index(row, column), Qt.DisplayRole)
            if value is not None:
                texts.append(str(value))
        if texts:
            need = max(need, max(text_width(view, t) for t in texts))
        if header.sectionSize(column) < need:
            header.resizeSection(column, need)
        widths.append(max(need, header.sectionSize(column)))
    return widths
