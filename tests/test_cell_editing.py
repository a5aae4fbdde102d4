"""Editing a cell of the data table in the window: the edit goes in once, Qt has nothing
to warn about, and the keys come back to the window for Space."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit


def type_in_cell(w, qtbot, row: int, text: str) -> QLineEdit:
    """Open the data table's Observed cell of `row` in the window, as a double-click
    does, and type `text` into its editor (not committed yet)."""
    w.docks["data"].raise_()
    qtbot.wait(50)
    table = w.data_panel.table
    index = table.model().index(row, 1)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.viewport().findChild(QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    return editor


@pytest.mark.parametrize("key", [Qt.Key_Return, Qt.Key_Tab], ids=["enter", "tab"])
def test_a_cell_edit_commits_once_and_warns_nothing(window, qtbot, qtlog, key):
    """The walk's log showed "commitData called with an editor that does not belong to
    this view" after every cell edit: on Enter the window's hook cleared the editor's
    focus (one commit) before the view's own queued commit; on Tab the model was reset
    under the committing editor."""
    w = window("statquest-b3")
    editor = type_in_cell(w, qtbot, 1, "0.7")  # sample 2's Observed
    qtbot.keyClick(editor, key)
    qtbot.wait(50)
    w.network_view.setFocus()  # the editor, if still open, loses the focus too
    qtbot.wait(50)
    assert w.session.targets[1, 0] == 0.7
    assert [r.message for r in qtlog.records if "commitData" in r.message] == []
    assert w.session.undo_stack.count() == 1  # one edit, one undo


def test_after_enter_in_a_cell_space_steps(window, qtbot):
    w = window("statquest-b3")
    editor = type_in_cell(w, qtbot, 0, "0.25")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.wait(50)
    assert w.session.targets[0, 0] == 0.25
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key_Space)
    assert w.session.steps_done == 1


def test_a_cell_opened_and_left_as_it_was_changes_nothing(session, qtbot):
    """Its editor commits its text on losing the focus: the number in full (not the
    8 digits shown), and an unchanged number is no edit — the steps taken are kept and
    Undo has nothing new."""
    from PySide6.QtCore import Qt as QtNs

    from gui.panels.data import DataModel

    s = session("moons-softmax")
    assert s.set_sample_value(0, 0, "0.123456789123")  # more digits than a cell shows
    model = DataModel(s)
    model.show(__import__("numpy").hstack([s.inputs, s.targets]), s.data_column_names(),
               s.held_out())
    for _ in range(3):
        s.step()
    undo = s.undo_stack.count()
    for row, column in ((0, 0), (7, 1)):
        index = model.index(row, column)
        assert model.setData(index, model.data(index, QtNs.EditRole))
    assert s.steps_done == 3
    assert s.undo_stack.count() == undo
