"""Classroom: presenter mode, quiz mode, worksheets from the window, lesson notes."""

import re

import pytest
from PySide6.QtCore import Qt

from engine.explain import fmt


def test_presenter_mode_doubles_the_breakdown_font_and_ctrl_0_restores(window, qtbot):
    w = window()
    normal = w.breakdown.font().pointSizeF()
    def size():
        return w.breakdown.font().pointSizeF()

    qtbot.keyClick(w.network_view, Qt.Key_F5)
    assert w.appearance.presenter
    qtbot.waitUntil(lambda: size() >= 1.6 * normal - 0.01, timeout=1000)  # fonts propagate
    assert w.presenter_action.isChecked()
    qtbot.keyClick(w.network_view, Qt.Key_Equal, Qt.ControlModifier)
    qtbot.waitUntil(lambda: size() > 1.6 * normal + 0.01, timeout=1000)
    qtbot.keyClick(w.network_view, Qt.Key_0, Qt.ControlModifier)
    qtbot.waitUntil(lambda: size() == pytest.approx(normal), timeout=1000)
    assert not w.appearance.presenter


def test_plot_lines_and_markers_scale_with_presenter_mode(window):
    w = window()
    curve = w.loss_plot.curve
    width = curve.opts["pen"].widthF()
    w.set_presenter(True)
    assert curve.opts["pen"].widthF() == pytest.approx(1.6 * width)
    assert w.loss_plot.current.diameter() == pytest.approx(1.6 * 13)


@pytest.mark.parametrize("theme", ["dark", "high contrast", "light"])
def test_themes_change_the_palette_and_are_remembered(window, qtbot, theme):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QPalette

    w = window()
    w.appearance.set_theme(theme)
    qtbot.wait(50)  # palettes propagate through the event loop
    base = w.breakdown.palette().color(QPalette.Base)
    assert (base.lightness() < 60) == (theme != "light")
    assert QSettings().value("appearance/theme") == theme


def test_quiz_accepts_right_answers_and_marks_a_wrong_factor(window, qtbot):
    w = window("statquest-all")
    w.session.set_quiz(True)
    assert "Quiz" in w.breakdown.toPlainText() and "15.6" not in w.breakdown.toPlainText()
    quiz = w.quiz
    s = w.session
    assert s.selected == "w1"
    # a wrong factor: dy1/dx1 of sample 2 typed as 0.5 (it is 0.797)
    for q in quiz.qs:
        quiz.fields[q.key].setText(fmt(q.answer, 4))
    wrong_key = next(q.key for q in quiz.qs if q.label == "dy1/dx1 for sample 2")
    quiz.fields[wrong_key].setText("0.5")
    assert not quiz.check()
    assert "dy1/dx1 for sample 2" in quiz.feedback.text()
    assert "ffc9c9" in quiz.fields[wrong_key].styleSheet()
    assert s.trainer.steps_done == 0
    # corrected (rounded to 3 decimals is within tolerance): accepted, and the step is taken
    right = next(q for q in quiz.qs if q.key == wrong_key).answer
    quiz.fields[wrong_key].setText(f"{right:.3f}")
    before = s.value("w1")
    assert quiz.check()
    assert s.trainer.steps_done == 1
    assert s.value("w1") != before
    # the score counts answers, each once: 14 of the 15 were right at the first try
    assert len(quiz.qs) == 15
    assert "14 of 15 answers right first time" in quiz.score.text()
    assert "Correct" in quiz.feedback.text() and quiz.feedback.isVisible()
    w.session.set_quiz(False)
    qtbot.waitUntil(lambda: re.search(r"Σ = ", w.breakdown.toPlainText()) is not None)


def test_worksheet_from_the_window_matches_its_state(window, tmp_path):
    w = window("statquest-b3")
    w.controls.step()
    path = tmp_path / "sheet.md"
    assert w.files.export_worksheet_to(str(path), 1, answers=True)
    text = path.read_text()
    b3 = w.session.value("b3") - w.session.grad("b3") * 0.1
    assert f"new b3 = {fmt(w.session.value('b3'))} − (step size) = {fmt(b3)}" in text
    pdf = tmp_path / "sheet.pdf"
    assert w.files.export_worksheet_to(str(pdf), 2, answers=False)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_lesson_notes_show_the_description(window):
    w = window("house-price")
    assert "slips in the article" in w.notes.toPlainText().lower()
    w.files.open("statquest-b3")
    assert "b3" in w.notes.toPlainText()


def test_quiz_mode_hides_the_answers_in_every_panel(window, qtbot):
    # The answers of the quiz on b3: slope −15.6551, step size −1.56551, new b3 1.56551.
    w = window("statquest-b3")
    w.docks["gradcheck"].raise_()
    w.docks["tangent"].raise_()
    qtbot.wait(20)
    w.session.set_quiz(True)
    # the panels refresh on the next pass of the event loop: on a busy machine that is
    # later than 20 ms (this test failed now and then under load)
    qtbot.waitUntil(lambda: "15.6" not in w.tangent.plotItem.titleLabel.text, timeout=2000)
    model = w.history.model()
    last = model.rowCount() - 1
    row = [model.data(model.index(last, c)) for c in range(model.columnCount())]
    assert "?" in row and not any(str(v).startswith(("-15.6", "-1.56")) for v in row)
    cells = [w.gradient_check.item(r, c).text() for r in range(w.gradient_check.rowCount())
             for c in range(w.gradient_check.columnCount()) if w.gradient_check.item(r, c)]
    assert not any("15.6" in text for text in cells)
    assert "15.6" not in w.tangent.plotItem.titleLabel.text
    assert not w.tangent.tangent.isVisible()
    assert "15.6" not in w.network_view.tooltip_text("b3")
    # a breakdown dock closed and opened again still hides them
    w.docks["breakdown"].close()
    w.docks["breakdown"].show()
    qtbot.wait(20)
    assert "15.6" not in w.breakdown.toPlainText()
    # leaving quiz mode brings every number back
    w.session.set_quiz(False)
    qtbot.wait(20)
    assert "−15.6551" in w.breakdown.toPlainText()
    assert "?" not in [model.data(model.index(last, c)) for c in range(model.columnCount())]
    assert w.tangent.tangent.isVisible()
