"""A teacher's own title and notes (issue 16): editable in the window, saved in the lesson,
undoable; a refused text names its field and changes nothing; a network built in the
editor names itself and says once how it was built."""

import numpy as np
from PySide6.QtWidgets import QDialogButtonBox

from engine import Layer, load_lesson, load_preset
from engine.builder import build_lesson

NOTES = "# Week 3\n\nThe slope is *dSSR/db3*:\n\n- step size = slope × learning rate\n"


def test_title_and_notes_are_set_saved_and_undone_through_the_session(session, tmp_path):
    s = session("statquest-b3")
    s.step()
    params = s.network.params.copy()
    old_title, old_notes = s.lesson.title, s.lesson.description
    assert s.set_lesson_text("  Week 3: one bias  ", NOTES)
    assert (s.lesson.title, s.lesson.description) == ("Week 3: one bias", NOTES)
    assert s.dirty and s.steps_done == 1
    np.testing.assert_array_equal(s.network.params, params)  # only the text changed
    s.save(tmp_path / "week3.json")
    saved = load_lesson(tmp_path / "week3.json")
    assert (saved.title, saved.description) == ("Week 3: one bias", NOTES)
    s.undo_stack.undo()
    assert (s.lesson.title, s.lesson.description) == (old_title, old_notes)
    assert s.steps_done == 1  # the undo took back the text, not the step
    s.undo_stack.redo()
    assert s.lesson.title == "Week 3: one bias"
    s.reset()  # Reset keeps the new text: it is the lesson's
    assert s.lesson.title == "Week 3: one bias" and s.steps_done == 0


def test_a_bad_title_is_refused_naming_the_field(session):
    s = session("statquest-b3")
    said = []
    s.refused.connect(said.append)
    before = (s.lesson.title, s.lesson.description, s.undo_stack.count())
    assert not s.set_lesson_text("   ", "notes")
    assert not s.set_lesson_text("two\nlines", "notes")
    assert not s.set_lesson_text("bell\x07", "notes")
    assert not s.set_lesson_text("ok", "bad \x00 notes")
    assert [t.split(":")[0] for t in said] == ["Refused — title"] * 3 + ["Refused — description"]
    assert all("\n" not in t for t in said)
    assert (s.lesson.title, s.lesson.description, s.undo_stack.count()) == before
    assert not s.dirty


def test_the_window_edits_title_and_notes_from_the_edit_menu(window, qtbot):
    w = window("statquest-b3")
    edit_menu = w.menuBar().actions()[1].menu()
    action = next(a for a in edit_menu.actions() if a.text() == "Lesson title and notes…")
    action.trigger()
    dialog = w.lesson_text_dialog
    assert dialog.title.text() == w.session.lesson.title
    dialog.title.setText("")
    dialog.notes.setPlainText(NOTES)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    # refused: the dialog stays open with what was typed, and says why
    assert dialog.isVisible() and dialog.notes.toPlainText() == NOTES
    assert dialog.problem.text().startswith("Refused — title:")
    assert "Week 3" in dialog.preview.toPlainText()  # the Markdown preview
    dialog.title.setText("Week 3")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert w.windowTitle().startswith("Week 3")
    assert "step size = slope × learning rate" in w.notes.toPlainText()
    w.session.undo_stack.undo()
    assert w.windowTitle().startswith(load_preset("statquest-b3").title)
    assert "step size = slope" not in w.notes.toPlainText()


def test_a_built_network_names_itself_and_says_once_how_it_was_built():
    base = load_preset("house-price")
    built = build_lesson(base, [Layer(3, "tanh")], Layer(1, "identity"), "mse",
                         "sequential", 7)
    assert built.title == "Built network 2-3-1"
    assert base.description not in built.description  # the preset's notes are not its
    again = build_lesson(built, [Layer(4, "tanh")], Layer(1, "identity"), "mse",
                         "sequential", 8)
    again = build_lesson(again, [Layer(4, "tanh")], Layer(1, "identity"), "mse",
                         "sequential", 9)
    assert again.title == "Built network 2-4-1"
    assert again.description.count("Network built in the editor") == 1
    assert "seed 9" in again.description and "seed 7" not in again.description
    # a teacher's own title and notes survive a rebuild
    mine = build_lesson(base, [Layer(3, "tanh")], Layer(1, "identity"), "mse",
                        "sequential", 7)
    mine.title, mine.description = "Week 4", f"My plan.\n\n{mine.description}"
    rebuilt = build_lesson(mine, [Layer(5, "relu")], Layer(1, "identity"), "mse",
                           "sequential", 3)
    assert rebuilt.title == "Week 4" and rebuilt.description.startswith("My plan.")
    assert rebuilt.description.count("Network built in the editor") == 1
