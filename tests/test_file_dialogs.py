"""Where the file dialogs start and what they suggest: the user's Documents until the
user chooses a folder (never the working directory: launched from the source tree, the
first Save landed among the code), and every export named after the lesson."""

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox


@pytest.fixture
def asked(monkeypatch):
    """The starting paths the save dialogs were given (each one cancelled)."""
    starts = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, filters: (starts.append(start), ("", ""))[1])
    return starts


@pytest.fixture
def documents(tmp_path, monkeypatch):
    folder = tmp_path / "Documents"
    folder.mkdir()
    real = QStandardPaths.writableLocation
    monkeypatch.setattr(QStandardPaths, "writableLocation",
                        lambda kind: str(folder) if kind == QStandardPaths.DocumentsLocation
                        else real(kind))
    QSettings().remove("files/last_folder")  # no folder chosen yet
    yield folder
    QSettings().remove("files/last_folder")


def test_the_first_save_starts_in_documents_not_the_working_directory(
        window, qtbot, documents, asked, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # as if launched from a source tree
    w = window("statquest-all")
    w.files.save_as()
    assert Path(asked[0]).parent == documents


def test_a_chosen_folder_is_kept_while_it_is_there(window, qtbot, documents, asked, tmp_path):
    w = window("statquest-all")
    mine = tmp_path / "mine"
    mine.mkdir()
    w.files.chose(str(mine / "x.json"))
    w.files.save_as()
    assert Path(asked[-1]).parent == mine
    mine.rmdir()  # gone (a USB stick taken out): Documents again
    w.files.save_as()
    assert Path(asked[-1]).parent == documents


def test_without_documents_the_dialog_starts_at_home(window, qtbot, asked, tmp_path,
                                                     monkeypatch):
    QSettings().remove("files/last_folder")
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda kind: "")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    w = window("statquest-all")
    w.files.save_as()
    assert Path(asked[0]).parent == tmp_path


def test_the_code_export_is_named_after_the_lesson_as_the_worksheet_is(
        window, qtbot, documents, asked, monkeypatch):
    from gui.file_actions import FileActions

    w = window("statquest-all")
    monkeypatch.setattr(FileActions, "ask_code_steps", lambda self, to: 10)
    title_name = "statquest-optimising-all-seven-parameters"  # the title's first six words
    w.files.export_code("numpy")
    w.files.export_code("pytorch")
    w.files.export_history()
    assert [Path(a).name for a in asked] == [f"{title_name}.py", f"{title_name}-pytorch.py",
                                             f"{title_name}-history.csv"]


@pytest.mark.parametrize("title, name", [
    # seven short words: whole (six at most dropped "net", seen by a tester)
    ("Week 3: a two-layer tanh net", "week-3-a-two-layer-tanh-net"),
    # a long title: its first words, whole, up to 48 characters
    ("Passing an exam: one sigmoid neuron and binary cross-entropy",
     "passing-an-exam-one-sigmoid-neuron-and-binary"),
    (": —", "lesson")])
def test_an_export_is_named_after_the_lessons_title_by_whole_words(
        window, qtbot, documents, asked, monkeypatch, title, name):
    from gui.file_actions import FileActions

    w = window("statquest-all")
    monkeypatch.setattr(FileActions, "ask_code_steps", lambda self, to: 10)
    assert w.session.set_lesson_text(title, "")
    w.files.export_code("numpy")
    assert Path(asked[0]).name == f"{name}.py"


def test_the_unsaved_changes_question_has_a_key_for_each_answer(window, qtbot):
    """A tester found no key for Discard (Alt+D did nothing): each answer has its
    mnemonic, Save is the default, Escape cancels."""
    w = window("statquest-b3")
    box = w.files.unsaved_box()
    qtbot.addWidget(box)
    texts = {QMessageBox.Save: "&Save", QMessageBox.Discard: "&Discard"}
    for button, text in texts.items():
        assert box.button(button).text() == text
    assert box.defaultButton() is box.button(QMessageBox.Save)
    assert box.escapeButton() is box.button(QMessageBox.Cancel)
