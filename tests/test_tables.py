"""The window's tables: no title or number cut to "…", and Ctrl+C copies the selection
as tab-separated cells (issue 13, item 14)."""

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QTableView

MARGIN = 8  # Qt draws a cell's text inside a margin either side


def cut_texts(view: QTableView) -> list[str]:
    """Titles and cell texts wider than their column (Qt elides them with "…")."""
    model, header = view.model(), view.horizontalHeader()
    cut = []
    for column in range(model.columnCount()):
        width = header.sectionSize(column)
        title = str(model.headerData(column, Qt.Horizontal, Qt.DisplayRole))
        if max(header.fontMetrics().horizontalAdvance(line) for line in title.split("\n")) \
                + MARGIN > width:
            cut.append(title)
        for row in range(min(model.rowCount(), 50)):
            if view.columnSpan(row, column) > 1:
                continue
            text = model.data(model.index(row, column), Qt.DisplayRole)
            if text and view.fontMetrics().horizontalAdvance(str(text)) + MARGIN > width:
                cut.append(str(text))
    return cut


@pytest.mark.parametrize("lesson", ["house-price", "statquest-all", "iris-softmax"])
def test_no_table_cuts_a_title_or_a_number(window, qtbot, lesson):
    w = window(lesson)
    for _ in range(3):
        w.session.step()
    tables = [w.findChild(QTableView, name) for name in
              ("historyTable", "gradientCheck", "dataTable", "confusionMatrix")]
    for dock in w.docks.values():
        dock.show()
    w.gradient_check.refresh()
    for table in tables:
        if table is not None and table.isVisibleTo(w):
            assert cut_texts(table) == [], table.objectName()


def test_the_gradient_check_shows_whole_titles_when_first_shown_in_a_quiz(window):
    # The tester's walk: F6 first, then the Gradient check tab: "elative differenc".
    w = window("statquest-b3")
    w.session.set_quiz(True)
    w.docks["gradcheck"].show()
    w.docks["gradcheck"].raise_()
    w.gradient_check.refresh()
    assert cut_texts(w.gradient_check) == []


def select(view, top, left, bottom, right):
    model = view.model()
    view.selectionModel().select(
        QItemSelection(model.index(top, left), model.index(bottom, right)),
        QItemSelectionModel.ClearAndSelect)


def test_ctrl_c_copies_the_selected_cells_with_their_titles(window, qtbot):
    w = window("statquest-b3")
    table = w.findChild(QTableView, "dataTable")
    table.setFocus()
    select(table, 0, 0, 2, 1)
    qtbot.keyClick(table, Qt.Key_C, Qt.ControlModifier)
    # The article's data: dosages 0, 0.5, 1 with efficacies 0, 1, 0.
    assert QApplication.clipboard().text() == "Input\tObserved\n0\t0\n0.5\t1\n1\t0\n"

    select(table, 1, 1, 1, 1)  # one cell: just its text, no titles
    qtbot.keyClick(table, Qt.Key_C, Qt.ControlModifier)
    assert QApplication.clipboard().text() == "1\n"


def test_ctrl_c_on_the_confusion_matrix_keeps_the_row_titles(window, qtbot):
    w = window("iris-softmax")
    matrix = w.findChild(QTableView, "confusionMatrix")
    matrix.selectAll()
    qtbot.keyClick(matrix, Qt.Key_C, Qt.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == ["", "predicted Setosa", "predicted Versicolor",
                                    "predicted Virginica"]
    assert [line.split("\t")[0] for line in lines[1:]] == [
        "observed Setosa", "observed Versicolor", "observed Virginica"]
    # Three samples, one per class: the counts add up to three.
    assert sum(int(x) for line in lines[1:] for x in line.split("\t")[1:]) == 3


def test_history_copy_is_what_the_rows_show(window, qtbot):
    w = window("statquest-b3")
    w.session.step()
    history = w.findChild(QTableView, "historyTable")
    select(history, 0, 0, 1, 1)
    qtbot.keyClick(history, Qt.Key_C, Qt.ControlModifier)
    lines = [line.split("\t") for line in QApplication.clipboard().text().splitlines()]
    assert lines[0] == ["step", "loss"]
    # StatQuest's b3 lesson: SSR 20.4 before the first step (the article's figure).
    assert lines[1][0] == "0" and float(lines[1][1]) == pytest.approx(20.4, abs=0.05)
    assert lines[2][0] == "1"
