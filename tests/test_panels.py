"""The panel tier: one panel on a bare Session, driven as a user drives it. A panel shows
the Session's numbers and changes things only through the Session's commands."""

import re

import pytest
from PySide6.QtCore import Qt

from engine.explain import fmt


def show(qtbot, widget, size=(700, 500)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_parameters_panel_refuses_and_restores_a_bad_value(session, qtbot):
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-all")
    panel = show(qtbot, ParametersPanel(s))
    field = panel.fields["w2"]
    for text, expected in (("abc", -1.13), ("2.5", 2.5)):
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key_Return)
        assert s.value("w2") == expected
        assert float(field.text()) == expected


def test_parameters_panel_ticks_follow_the_session(session, qtbot):
    from gui.panels.parameters import ParametersPanel

    s = session()
    panel = show(qtbot, ParametersPanel(s))
    assert panel.checks["b3"].isChecked() and not panel.checks["w1"].isChecked()
    panel.checks["w1"].click()
    assert s.is_trainable("w1")
    s.undo_stack.undo()
    assert not panel.checks["w1"].isChecked()


def test_breakdown_panel_shows_the_update_and_hides_it_in_quiz_mode(session, qtbot):
    from gui.panels.breakdown import BreakdownPanel

    s = session()
    panel = show(qtbot, BreakdownPanel(s))
    text = panel.toPlainText()
    # The article's first step on b3 (exact: slope −15.6551, step −1.56551, b3 1.56551).
    assert "step size = slope × learning rate = −15.6551 × 0.1 = −1.56551" in text
    assert "new b3 = old − step size = 0 − (−1.56551) = 1.56551" in text
    s.set_quiz(True)
    hidden = panel.toPlainText()
    assert "15.6551" not in hidden and "1.56551" not in hidden
    s.set_quiz(False)
    assert "new b3 = old − step size = 0 − (−1.56551) = 1.56551" in panel.toPlainText()


def test_controls_refuse_a_bad_rate_and_count_steps(session, qtbot):
    from gui.panels.controls import Controls
    from gui.runner import Runner

    s = session()
    bar = show(qtbot, Controls(s, Runner(s)), (900, 60))
    bar.rate.setFocus()
    bar.rate.selectAll()
    qtbot.keyClicks(bar.rate, "-3")
    qtbot.keyClick(bar.rate, Qt.Key_Return)
    assert s.learning_rate == 0.1 and bar.rate.text() == "0.1"
    qtbot.mouseClick(bar.button("stepButton"), Qt.LeftButton)
    assert bar.counter.text().strip() == "step 1"
    assert bar.loss_label.text().strip() == f"SSR = {fmt(s.loss, 6)}"


def test_history_table_has_a_row_per_step(session, qtbot):
    from gui.panels.history import HistoryTable

    s = session("single-weight")
    table = show(qtbot, HistoryTable(s))
    for _ in range(3):
        s.step()
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=1000)
    # The article's w before steps 1..4: 0.8, 0.59, 0.4745, 0.410975.
    assert [float(model.data(model.index(r, 2))) for r in range(4)] == \
        pytest.approx([0.8, 0.59, 0.4745, 0.410975])


def flow_texts(session_, qtbot, lesson):
    """Every text the flow puts on the diagram, frame by frame, for one step."""
    from gui.panels.flow import FlowAnimation
    from gui.panels.network_view import NetworkView

    s = session_(lesson)
    view = show(qtbot, NetworkView(s), (900, 600))
    flow = FlowAnimation(view, s, interval_ms=20)
    frames = []
    flow.timer.timeout.connect(lambda: frames.append([o.text.text() for o in view.overlays]))
    with qtbot.waitSignal(flow.finished, timeout=5000):
        s.request_flow()
    return s, frames


def test_flow_shows_the_trained_bias_and_says_what_it_sums(session, qtbot):
    s, frames = flow_texts(session, qtbot, "statquest-b3")
    flat = [t for frame in frames for t in frame]
    # b3 is the one trained parameter: its slope and its update appear.
    assert "∂SSR/∂b3 = -15.66" in flat
    assert "b3: 0 → 1.566" in flat
    # nothing claims to change a frozen weight
    assert not any(re.match(r"w\d: .* → ", t) for t in flat)
    # node values are one sample's, slopes are sums, and the captions say so
    assert any("sample 1 of 3" in t for t in flat)
    assert any("Σ over 3 samples" in t for t in flat)
    assert s.steps_done == 1 and s.value("b3") == pytest.approx(1.56551, abs=5e-5)
