"""The main window driven as a user drives it (pytest-qt, off screen)."""

import math
import re
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTextBrowser

from engine import PRESETS, load_lesson, load_preset


def field(w, name) -> QLineEdit:
    return w.findChild(QLineEdit, f"param_{name}")


def breakdown_text(w) -> str:
    return w.findChild(QTextBrowser, "breakdownPanel").toPlainText()


def type_into(qtbot, edit: QLineEdit, text: str):
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def test_step_on_statquest_b3(window, qtbot):
    w = window()
    assert "−15.6551" in breakdown_text(w)  # slope before the step, by the article
    qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    assert float(field(w, "b3").text()) == pytest.approx(1.5655, abs=5e-5)
    assert w.loss_plot.point_count() == 2
    assert w.session.trainer.steps_done == 1


def test_breakdown_shows_slope_and_step_size_for_the_first_step(window):
    w = window()
    text = breakdown_text(w)
    assert "slope" in text and "−15.6551" in text
    assert re.search(r"step size = slope × learning rate = −15\.6551 × 0\.1 = −1\.56551", text)
    assert "new b3 = old − step size = 0 − (−1.56551) = 1.56551" in text


@pytest.mark.parametrize("name", ["statquest-all", "xor"])
def test_breakdown_after_steps_reads_the_new_numbers(window, qtbot, name):
    # After a Step only the numbers of the breakdown are swapped in place; the result
    # must read exactly as the breakdown drawn afresh, and say the engine's values.
    w = window(name)
    for _ in range(3):
        qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    swapped = breakdown_text(w)
    w.breakdown.refresh(full=True)  # draw everything again
    assert breakdown_text(w) == swapped
    s = w.session
    value = s.value(s.selected)
    step = s.grad(s.selected) * s.trainer.learning_rate
    shown = re.search(r"new \S+ = old − step size = (\S+) − \((\S+)\) = (\S+)", swapped)
    numbers = [float(g.replace("−", "-")) for g in shown.groups()]
    assert numbers == pytest.approx([value, step, value - step], rel=1e-5, abs=1e-9)


def test_run_stops_by_itself_at_b3_2_61(window, qtbot):
    w = window()
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    assert w.session.running
    qtbot.waitUntil(lambda: not w.session.running, timeout=10000)
    assert w.session.value("b3") == pytest.approx(2.61, abs=0.005)
    # It says which rule stopped it: the lesson's rule on step sizes, not convergence.
    message = w.statusBar().currentMessage()
    assert "stop rule" in message and "every step size is below 0.001" in message
    assert "Converged" not in message
    assert not w.controls.run_action.isChecked()


def test_pause_stops_run_within_100_ms(window, qtbot):
    w = window("xor")
    w.controls.speed.setValue(w.controls.speed.maximum())  # as fast as it goes
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    qtbot.wait(200)
    assert w.session.running
    t0 = time.perf_counter()
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    assert not w.session.running
    steps = w.session.trainer.steps_done
    qtbot.wait(100)
    assert w.session.trainer.steps_done == steps  # nothing ran after Pause
    assert time.perf_counter() - t0 < 1.0


def test_typing_a_value_changes_loss_and_breakdown(window, qtbot):
    w = window()
    before_loss, before = w.session.trainer.loss, breakdown_text(w)
    type_into(qtbot, field(w, "b3"), "1")
    assert w.session.value("b3") == 1.0
    assert w.session.trainer.loss != before_loss
    assert breakdown_text(w) != before
    assert w.isWindowModified()


@pytest.mark.parametrize("bad", ["abc", "nan", "1e400", "inf", ""])
def test_bad_values_are_refused(window, qtbot, bad):
    w = window()
    loss = w.session.trainer.loss
    type_into(qtbot, field(w, "w1"), bad)
    assert w.session.value("w1") == 3.34
    assert w.session.trainer.loss == loss
    assert field(w, "w1").text() == "3.34"
    if bad:
        assert "Refused" in w.statusBar().currentMessage()


def test_bad_learning_rate_is_refused(window, qtbot):
    w = window()
    rate = w.controls.rate
    for bad in ("abc", "-1", "0", "nan"):
        type_into(qtbot, rate, bad)
        assert w.session.trainer.learning_rate == 0.1
    type_into(qtbot, rate, "0.2")
    assert w.session.trainer.learning_rate == 0.2


def test_reset_restores_the_lesson(window, qtbot):
    w = window()
    w.network_view.setFocus()
    for _ in range(3):
        qtbot.keyClick(w.network_view, Qt.Key_Space)
    assert w.session.trainer.steps_done == 3
    qtbot.mouseClick(w.controls.button("resetButton"), Qt.LeftButton)
    assert w.session.trainer.steps_done == 0
    assert field(w, "b3").text() == "0"


def test_save_then_open_gives_back_the_same_state(window, qtbot, tmp_path):
    w = window("statquest-all")
    qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    type_into(qtbot, field(w, "w4"), "0.7")
    params = w.session.network.params.copy()
    path = tmp_path / "mine.json"
    assert w.files.save_to(path, progress=True)  # Save with progress: the state as it is
    assert not w.isWindowModified()
    other = window("single-weight")
    assert other.files.open(str(path))
    assert other.session.network.params.tolist() == params.tolist()
    assert other.session.steps_done == 1
    # the lesson itself still starts where the preset does: Reset goes there
    start = load_preset("statquest-all").network.params.tolist()
    assert load_lesson(path).network.params.tolist() == start


def test_opening_a_broken_file_keeps_the_lesson(window, tmp_path):
    w = window()
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert not w.files.open(str(bad))
    assert w.session.lesson.title.startswith("StatQuest")
    assert "not valid JSON" in w.statusBar().currentMessage()


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_opens_and_steps(window, qtbot, name):
    w = window(name)
    before = w.session.network.params.copy()
    steps = w.session.trainer.step_sizes.copy()
    qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    assert w.session.trainer.steps_done == 1
    assert w.session.network.params.tolist() == pytest.approx((before - steps).tolist())
    assert w.loss_plot.point_count() == 2
    assert w.history.model().rowCount() == 2
    # the breakdown's slope is the engine's gradient for the selected parameter
    s = w.session
    shown = re.search(r"Σ = (\S+)", breakdown_text(w)).group(1).replace("−", "-")
    assert float(shown) == pytest.approx(s.grad(s.selected), rel=1e-5, abs=1e-9)


def test_divergence_pauses_run_and_keeps_last_finite_state(window, qtbot):
    w = window("statquest-all")
    type_into(qtbot, w.controls.rate, "50")
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: not w.session.running, timeout=5000)
    assert "diverged" in w.statusBar().currentMessage()
    assert all(math.isfinite(v) for v in w.session.network.params)


def test_clicking_trainable_changes_what_steps(window, qtbot):
    w = window()
    w.parameters.checks["w3"].setChecked(True)
    w.network_view.setFocus()
    qtbot.keyClick(w.network_view, Qt.Key_Space)
    assert w.session.value("w3") != -1.22


def test_data_edit_is_validated(window):
    w = window()
    table = w.data_panel.table
    assert not table.edit_cell(1, 1, "abc")
    assert w.session.trainer.targets[1, 0] == 1.0
    assert table.model().index(1, 1).data() == "1"  # the cell keeps the old number
    assert "Refused" in w.statusBar().currentMessage()
    assert table.edit_cell(1, 1, "2")
    assert w.session.trainer.targets[1, 0] == 2.0


def test_clicking_a_connection_selects_it_everywhere(window, qtbot):
    w = window("statquest-all")
    view = w.network_view
    assert "∂SSR/∂w3" not in breakdown_text(w)  # w1 is shown first
    line = view.edges["w3"].line()
    mid = view.mapFromScene((line.p1() + line.p2()) / 2)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=mid)
    assert w.session.selected == "w3"
    assert "∂SSR/∂w3" in breakdown_text(w) and "new w3 = old − step size" in breakdown_text(w)
    assert "▶" in w.parameters.labels["w3"].text()
    tip = view.tooltip_text("w1")
    assert "dSSR/dw1" in tip and "w3" in tip and "Input" in tip


def test_export_history_csv_and_plot(window, qtbot, tmp_path):
    from gui.history_export import history_csv

    w = window("single-weight")
    for _ in range(2):
        qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    rows = history_csv(w.session.network.param_names, w.session.history).splitlines()
    assert rows[0].split(",")[:3] == ["step", "loss", "w"]
    assert [float(r.split(",")[2]) for r in rows[1:]] == pytest.approx([0.8, 0.59, 0.4745])
    for suffix in ("png", "svg"):
        path = tmp_path / f"loss.{suffix}"
        w.files.export_picture_to("loss", str(path))
        assert path.stat().st_size > 500


def test_history_table_rows_follow_the_steps(window, qtbot):
    w = window("single-weight")
    model = w.history.model()
    for _ in range(3):
        qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=1000)  # refreshed ≤ 10 times/s
    assert model.headerData(2, Qt.Horizontal) == "w"
    assert float(model.data(model.index(1, 2))) == pytest.approx(0.59)  # w before step 2


def test_window_layout_is_remembered(window, qtbot):
    w = window()
    w.docks["history"].close()
    w.close()
    again = window()
    assert again.docks["history"].isVisible()
    again.restore_layout()
    assert not again.docks["history"].isVisible()


def test_plot_axes_show_the_values_themselves(window, qtbot):
    """A loss of 0.49 is drawn against ticks reading 0.49, not 490 (an SI prefix bug)."""
    w = window("single-weight")
    for plot in (w.loss_plot, w.data_panel.plot):
        for name in ("left", "bottom"):
            assert plot.getAxis(name).autoSIPrefixScale == 1.0
    lo, hi = w.loss_plot.getViewBox().viewRange()[1]
    assert lo <= 0.49 <= hi < 10


def test_a_big_network_opens_and_steps_without_freezing(window, tmp_path):
    """8-64-64-64-64-1 (13,121 parameters): a filtered parameter list, bundled
    connections, a sampled gradient check. (How fast: measured by hand, ~0.4 s a Step,
    not asserted here.)"""
    import numpy as np

    from engine import Layer, load_preset
    from engine.builder import DataSet, build_lesson

    rng = np.random.default_rng(0)
    lesson = build_lesson(load_preset("house-price"), [Layer(64, "tanh")] * 4,
                          Layer(1, "identity"), "mse", "layered", 1,
                          DataSet(rng.uniform(-1, 1, (20, 8)), rng.uniform(-1, 1, (20, 1))))
    path = tmp_path / "big.json"
    lesson.save(path)
    w = window(str(path))
    assert len(w.parameters.fields) <= 150
    w.parameters.filter.setText("w3_5_")
    assert set(w.parameters.fields) >= {"w3_5_1", "w3_5_64"}
    assert not w.network_view.edges  # drawn as bundles
    w.controls.step()
    assert w.session.trainer.steps_done == 1
    w.docks["gradcheck"].raise_()
    w.gradient_check.refresh()
    assert len(w.gradient_check.rows) <= 200
    assert all(r.relative_difference < 1e-4 for r in w.gradient_check.rows)


@pytest.mark.parametrize("samples", [4, 40])
def test_data_plot_puts_every_sample_where_the_network_predicts(window, qtbot, samples):
    # Few points are drawn as markers, many as one scatter: either way each sample sits
    # at (its target, the network's prediction) after a Step.
    import numpy as np

    from gui.panels.data import DataPlot

    w = window("xor")
    w.data_panel.view_choice.setCurrentText("Targets vs predictions")
    rng = np.random.default_rng(1)
    w.session.set_data(rng.uniform(0, 1, (samples, 2)), rng.uniform(0, 1, (samples, 1)))
    qtbot.mouseClick(w.controls.button("stepButton"), Qt.LeftButton)
    plot = w.findChild(DataPlot)
    net, t = w.session.network, w.session.trainer
    expected = sorted(zip(t.targets[:, 0], net.predict(t.inputs)[:, 0], strict=True))
    shown = [m.pos() for m in plot.few_points.markers if m.isVisible()]
    if samples <= plot.few_points.CAPACITY:
        drawn = sorted((p.x(), p.y()) for p in shown)
    else:
        assert not shown
        x, y = plot.points.getData()
        drawn = sorted(zip(x, y, strict=True))
    assert len(drawn) == samples
    np.testing.assert_allclose(np.array(drawn), np.array(expected), rtol=1e-9, atol=1e-12)


def test_breakdown_of_many_samples_lists_twenty_and_sums_all(window):
    # A row per sample would bury the equation (and took seconds for thousands of
    # samples); the sum and the step still take every sample.
    import numpy as np

    w = window("statquest-all")
    rng = np.random.default_rng(2)
    w.session.set_data(rng.uniform(0, 1, (50, 1)), rng.uniform(0, 1, (50, 1)))
    text = breakdown_text(w)
    assert "sample 20" in text and "sample 21" not in text
    assert "and 30 more samples" in text
    s = w.session
    shown = re.search(r"Σ = (\S+)", text).group(1).replace("−", "-")
    assert float(shown) == pytest.approx(s.grad(s.selected), rel=1e-5, abs=1e-9)


def test_breakdown_spells_out_eight_paths_and_sums_the_rest(window):
    from engine import Layer, load_preset
    from engine.builder import build_lesson

    w = window("statquest-all")
    lesson = build_lesson(load_preset("statquest-all"), [Layer(2, "tanh"), Layer(16, "tanh")],
                          Layer(1, "identity"), "ssr", "layered", 3)
    w.session.replace_lesson(lesson, None)
    s = w.session
    s.select(s.network.param_names[0])  # a first-layer weight: 16 paths to the output
    text = breakdown_text(w)
    assert "path 8 of 16" in text and "path 9 of 16" not in text
    rest = re.search(r"paths 9–16, through the other neurons, add up to (\S+)\.", text)
    b = s.breakdown(s.selected)
    expected = sum(float(p.products.sum()) for p in b.paths[8:])
    assert float(rest.group(1).replace("−", "-")) == pytest.approx(expected, rel=1e-5, abs=1e-9)
    shown = re.search(r"Σ = (\S+)", text).group(1).replace("−", "-")
    assert float(shown) == pytest.approx(s.grad(s.selected), rel=1e-5, abs=1e-9)


def test_status_bar_news_goes_when_its_cause_does(window, qtbot):
    w = window("statquest-b3")
    type_into(qtbot, field(w, "w1"), "abc")
    assert w.statusBar().currentMessage().startswith("Refused")
    w.controls.step()  # the next change that works
    assert not w.statusBar().currentMessage().startswith("Refused")
    w.session.set_running(True)
    assert w.statusBar().currentMessage().startswith("Running")
    w.session.set_running(False)
    assert not w.statusBar().currentMessage().startswith("Running")


def test_news_of_what_was_done_goes_with_the_next_thing_done(window, qtbot):
    """A tester: "Reset to the lesson's starting values (Ctrl+Z undoes it)" stayed after
    six more Steps, when Ctrl+Z would undo a Step. The news stays while nothing else is
    done, and goes with the next Step."""
    w = window("statquest-b3")
    w.controls.step()
    w.session.reset()
    qtbot.wait(20)
    news = w.statusBar().currentMessage()
    assert news.startswith("Reset")
    qtbot.wait(50)
    assert w.statusBar().currentMessage() == news
    w.controls.step()
    qtbot.wait(20)
    assert w.statusBar().currentMessage() != news


def test_a_refusal_goes_when_quiz_mode_is_left_or_the_rate_is_confirmed(window, qtbot):
    # The tester's walk: the quiz's refusal stayed after F6 turned quiz mode off, and a
    # rate's refusal after Enter on the good value the field showed again.
    w = window("statquest-b3")
    w.quiz_action.trigger()
    w.controls.phase_action.trigger()  # Step phase (P)
    assert "leave quiz mode first" in w.statusBar().currentMessage()
    w.quiz_action.trigger()
    assert w.statusBar().currentMessage() == ""
    type_into(qtbot, w.controls.rate, "abc")
    assert w.statusBar().currentMessage().startswith("Refused")
    assert w.controls.rate.text() == "0.1"
    w.controls.rate.setFocus()
    qtbot.keyClick(w.controls.rate, Qt.Key_Return)  # the shown value, confirmed
    assert w.statusBar().currentMessage() == ""
    assert not w.session.dirty and w.session.undo_stack.count() == 0


def test_pause_shows_the_stopped_state_at_once(window, qtbot):
    w = window("xor")
    w.controls.speed.setValue(w.controls.speed.maximum())
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    qtbot.wait(300)
    qtbot.mouseClick(w.controls.button("runButton"), Qt.LeftButton)
    s = w.session
    # no event loop pass in between: every field already shows the paused state
    assert w.controls.counter.text().strip() == f"step {s.steps_done}"
    for name, edit in w.parameters.fields.items():
        assert float(edit.text()) == pytest.approx(s.value(name), rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("lesson", ["xor", "house-price"])
def test_two_input_lessons_map_the_prediction_over_the_inputs(window, qtbot, lesson):
    import numpy as np

    w = window(lesson)
    w.docks["data"].raise_()
    qtbot.wait(20)
    plot = w.data_panel.plot
    s = w.session
    assert plot.map.isVisible() and w.data_panel.view_choice.isVisible()
    # every sample where it is, at its own inputs: XOR's four corners stay four points
    x, y = plot.samples.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), s.inputs)
    assert len({(a, b) for a, b in zip(x, y, strict=True)}) == len(s.inputs)
    # the map is the network's output: compare one cell with a forward pass by hand
    image = plot.map.image
    rect = plot.map.mapRectToParent(plot.map.boundingRect())
    i, j = 7, 11
    at = np.array([[rect.left() + (i + 0.5) * rect.width() / image.shape[1],
                    rect.top() + (j + 0.5) * rect.height() / image.shape[0]]])
    cell_width = rect.width() / (image.shape[1] - 1)
    near = s.network.predict(at)[0, 0]
    assert abs(image[j, i] - near) < 0.05 * (abs(near) + 1) + cell_width
    # every sample inside the view, not cut at its edge
    (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
    assert (x0 < s.inputs[:, 0]).all() and (s.inputs[:, 0] < x1).all()
    assert (y0 < s.inputs[:, 1]).all() and (s.inputs[:, 1] < y1).all()
    assert plot.getAxis("bottom").labelText == s.network.names.inputs[0]
    assert plot.getAxis("left").labelText == s.network.names.inputs[1]


def test_a_big_network_opens_saying_what_is_summarised(window, tmp_path):
    """1-64-64-1 (4,353 parameters): fields, columns, edges and history rows are summarised,
    and the window says so in one sentence as the lesson opens; a preset says nothing."""
    import json

    from engine import Layer, load_preset
    from engine.builder import build_lesson

    base = load_preset("single-weight")
    big = build_lesson(base, [Layer(64, "tanh"), Layer(64, "tanh")], Layer(1, "identity"),
                       "mse", "layered", 1)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big.to_dict()))
    w = window()
    assert "A big network" not in w.statusBar().currentMessage()
    w.session.open(path)
    text = w.statusBar().currentMessage()
    assert text.startswith("A big network (4,353 parameters): the diagram draws")
    assert "lists 150 of them" in text and "30 parameter columns" in text
    assert text.count(".") == 1 and text.endswith("budget).")


def test_the_loss_plot_catches_up_when_its_tab_is_raised(window, qtbot):
    """Steps taken while the Loss tab was behind the Landscape: raising it redraws
    (the plot sits in a box in the dock, and only the dock moves into view)."""
    w = window("narrow-valley")
    s = w.session
    w.docks["landscape"].raise_()
    qtbot.wait(100)
    for _ in range(5):
        s.step()
    qtbot.wait(50)
    assert w.loss_plot.point_count() == 1  # out of sight: no work
    w.docks["loss"].raise_()
    qtbot.waitUntil(lambda: w.loss_plot.point_count() == 6, timeout=1000)


def test_file_dialogs_start_in_the_last_folder_with_the_lessons_name(window, qtbot, tmp_path,
                                                                    monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = window("moons-softmax")
    asked = []

    def save_dialog(parent, title, start, filters):
        asked.append(start)
        return str(tmp_path / "mine" / "saved.json"), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    (tmp_path / "mine").mkdir()
    assert w.files.save_as()
    assert w.files.save_as()
    # The first: the lesson's title as a name; the next: in the folder chosen last.
    assert asked[0].endswith("two-moons-a-curved-decision-boundary.json"), asked[0]
    assert asked[1] == str(tmp_path / "mine" / "two-moons-a-curved-decision-boundary.json")


def test_export_as_code_says_what_it_cannot_write_before_asking_for_a_file(
        window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from gui.file_actions import FileActions

    w = window("sgd-line")
    asked = []
    monkeypatch.setattr(FileActions, "ask_code_steps", lambda self, to: 10)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a: (asked.append(a), ("", ""))[1])
    assert w.session.set_validation("0.25")
    w.files.export_code("numpy")
    assert asked == []  # no file name asked for a script that cannot be written
    assert "validation fraction to 0" in w.statusBar().currentMessage()
    assert w.session.set_validation("0")
    w.files.export_code("numpy")
    assert len(asked) == 1


def test_enter_in_any_field_gives_the_keys_back_to_the_window(window, qtbot):
    """Type, Enter, then a one-key shortcut: the tool's basic loop. After Enter in the
    Training panel's validation field, R typed "0.33r" into it instead of running (seen
    in a real window); the quiz's answers keep the keys (Enter checks, typing goes on)."""
    from PySide6.QtWidgets import QApplication

    w = window("statquest-all")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.docks["training"].raise_()
    qtbot.wait(20)
    for edit, typed in ((w.training.validation, "0.34"), (field(w, "w1"), "2.5"),
                        (w.controls.rate, "0.05")):
        edit.setFocus()
        qtbot.waitUntil(edit.hasFocus)
        edit.selectAll()
        qtbot.keyClicks(edit, typed)
        qtbot.keyClick(edit, Qt.Key_Return)
        qtbot.waitUntil(lambda e=edit: not e.hasFocus())
        steps = w.session.trainer.steps_done
        qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key_Space)
        qtbot.waitUntil(lambda s=steps: w.session.trainer.steps_done == s + 1)
        assert " " not in edit.text(), edit.objectName()  # the key went to the window
    assert w.session.validation.fraction == pytest.approx(0.34)
    assert w.session.learning_rate == 0.05 and 2.5 in w.session.trainer.history.params
    w.quiz_action.trigger()
    assert w.session.quiz_active
    answer = next(iter(w.quiz.fields.values()))
    answer.setFocus()
    qtbot.waitUntil(answer.hasFocus)
    qtbot.keyClicks(answer, "1")
    qtbot.keyClick(answer, Qt.Key_Return)
    qtbot.wait(20)
    assert answer.hasFocus()


def test_undo_and_redo_say_what_they_did_in_the_status_bar(window, qtbot):
    """After undoing a rebuild the status bar still said "Network rebuilt … Ctrl+Z undoes
    it"; undoing and redoing a data edit said nothing."""
    from PySide6.QtGui import QAction

    w = window("statquest-b3")
    assert w.session.set_learning_rate("0.05")
    undo = next(a for a in w.findChildren(QAction) if a.text().startswith("Undo"))
    redo = next(a for a in w.findChildren(QAction) if a.text().startswith("Redo"))
    what = w.session.undo_stack.undoText()
    assert what
    undo.trigger()
    assert w.session.learning_rate == 0.1
    assert w.statusBar().currentMessage().startswith(f"Undone: {what}.")
    redo.trigger()
    assert w.session.learning_rate == 0.05
    assert w.statusBar().currentMessage() == f"Redone: {what}."


def test_a_lesson_with_more_parameters_shows_them_all(window, qtbot):
    """From narrow-valley's three parameters to statquest-b3's seven (File → New from
    preset), the list kept its height: w1–b2 showed and b3, the one parameter trained,
    was hidden behind a scroll bar (a tester). The list grows into the notes under it."""
    w = window("narrow-valley")
    w.resize(1366, 708)
    w.reset_layout()
    qtbot.wait(100)
    assert w.files.open_preset("statquest-b3")
    qtbot.wait(100)
    field = w.parameters.fields["b3"]
    port = w.parameters.scroll.viewport()
    top = field.mapTo(port, field.rect().topLeft()).y()
    assert top >= 0 and top + field.height() <= port.height(), (top, port.height())
