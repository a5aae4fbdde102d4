"""Runs kept to compare (issue 15): kept through the Session (undoable, at most four),
drawn on the loss plot with a legend and on the landscape."""

import numpy as np
import pytest

from engine.runs import MAX_RUNS


def test_keep_runs_undoably_up_to_four(session, qtbot):
    s = session("narrow-valley")
    s.advance(300)
    s.finish_training(None)
    loss = s.history.loss.copy()
    with qtbot.waitSignal(s.runsChanged):
        assert s.keep_run()
    (run,) = s.kept_runs
    assert run.name == "Momentum lr 0.02"
    np.testing.assert_array_equal(run.loss, loss)
    s.set_optimizer("sgd")
    s.reset()  # the same start, today's settings
    s.advance(300)
    s.finish_training(None)
    assert s.keep_run() and [r.name for r in s.kept_runs] == ["Momentum lr 0.02", "SGD lr 0.02"]
    # the comparison the preset is about: momentum's loss ends far below plain descent's
    assert s.kept_runs[0].loss[-1] < s.kept_runs[1].loss[-1] / 5
    for _ in range(MAX_RUNS - 2):
        assert s.keep_run()
    with qtbot.assertNotEmitted(s.runsChanged), qtbot.waitSignal(s.refused):
        assert not s.keep_run()
    s.forget_runs()
    assert s.kept_runs == []
    s.undo_stack.undo()
    assert len(s.kept_runs) == MAX_RUNS
    s.open("statquest-b3")  # another lesson: its own comparison
    assert s.kept_runs == []


def test_the_loss_plot_and_the_landscape_draw_the_kept_runs(window, qtbot):
    w = window("narrow-valley")
    s = w.session
    s.advance(40)
    s.finish_training(None)
    s.keep_run()
    kept = s.kept_runs[0]
    s.reset()
    qtbot.wait(50)
    curve = w.loss_plot.kept_curves[0]
    np.testing.assert_array_equal(curve.yData, kept.loss)
    # narrow-valley's momentum at lr 0.02, kept and run again: said as the kept one is
    assert [label.text for _, label in w.loss_plot.legend.items] == [
        "current run (Momentum lr 0.02)", "kept: Momentum lr 0.02"]
    view = w.landscape
    view.refresh()
    path = view.kept_paths[0]
    a, b = view.choice_a.currentText(), view.choice_b.currentText()
    np.testing.assert_array_equal(path.xData, kept.column(a))
    np.testing.assert_array_equal(path.yData, kept.column(b))


def test_default_names_say_the_rule_the_rate_and_what_differs(session):
    s = session("narrow-valley")  # momentum, lr 0.02, every sample

    def run_again():  # from the start with today's settings: a run of those alone
        s.reset()
        s.advance(20)
        s.finish_training(None)

    run_again()
    assert s.keep_run()
    s.set_batching("2")
    run_again()
    assert s.keep_run()
    s.set_batching("0")
    s.set_optimizer("adam")
    run_again()
    assert s.keep_run()
    assert s.keep_run()  # the same settings again: numbered
    assert [r.name for r in s.kept_runs] == [
        "Momentum lr 0.02", "Momentum lr 0.02, batch 2",
        "Adam lr 0.02, full batch",  # beside a run of batches, "full batch" tells it apart
        "Adam lr 0.02, full batch (2)"]


def test_default_names_leave_out_what_the_runs_share_and_say_which_seed(session):
    """The reviewer's two-moons comparison: batches and a validation split in both runs,
    only the learning rate differs; then each seed on its own, named for what it draws."""
    s = session("moons-softmax")
    assert s.set_batching("10", "0") and s.set_validation("0.2", "0")

    def run_again():  # from the start with today's settings: a run of those alone
        s.reset()
        s.advance(5)
        s.finish_training(None)

    assert s.set_learning_rate("0.3")
    run_again()
    assert s.keep_run()
    assert s.set_learning_rate("1")
    run_again()
    assert s.keep_run()
    assert s.set_batching("10", "1")
    run_again()
    assert s.keep_run()
    assert s.set_batching("10", "0") and s.set_validation("0.2", "3")
    run_again()
    assert s.keep_run()
    assert [r.name for r in s.kept_runs] == [
        "SGD lr 0.3", "SGD lr 1", "SGD lr 1, shuffle seed 1",
        # its shuffle seed sets it apart from the third, its split seed from them all
        "SGD lr 1, shuffle seed 0, split seed 3"]


def kept_two(s):
    """Two runs of narrow-valley kept: momentum (the preset's), then plain descent."""
    s.advance(60)
    s.finish_training(None)
    s.keep_run()
    s.set_optimizer("sgd")
    s.reset()
    s.advance(60)
    s.finish_training(None)
    s.keep_run()
    return s.kept_runs


def test_rename_hide_and_remove_a_run_undoably(session, qtbot):
    s = session("narrow-valley")
    first, second = kept_two(s)
    with qtbot.waitSignal(s.runsChanged):
        assert s.rename_run(0, "  momentum, the fast one ")
    assert s.kept_runs[0].name == "momentum, the fast one"
    np.testing.assert_array_equal(s.kept_runs[0].loss, first.loss)
    with qtbot.assertNotEmitted(s.runsChanged):
        for bad in ("", "   ", "two\nlines", "x" * 61, "bell\x07"):
            with qtbot.waitSignal(s.refused):
                assert not s.rename_run(0, bad)
        with qtbot.waitSignal(s.refused):
            assert not s.set_run_visible(5, False)
        assert not s.remove_run(-1)
    assert s.set_run_visible(1, False)
    assert [r.visible for r in s.kept_runs] == [True, False]
    assert s.remove_run(0)
    assert [r.name for r in s.kept_runs] == [second.name]
    s.undo_stack.undo()  # the removal
    assert [r.name for r in s.kept_runs] == ["momentum, the fast one", second.name]
    s.undo_stack.undo()  # the hiding
    assert s.kept_runs[1].visible
    s.undo_stack.undo()  # the name
    assert s.kept_runs[0] == first
    s.undo_stack.redo()
    assert s.kept_runs[0].name == "momentum, the fast one"


def test_kept_runs_are_saved_with_the_lesson_and_reopen(session, tmp_path):
    from gui.session import session_for

    s = session("narrow-valley")
    kept_two(s)
    s.rename_run(1, "plain descent")
    s.set_run_visible(0, False)
    path = tmp_path / "compare.json"
    s.save(path)
    assert not s.dirty
    again = session_for(path)
    assert [(r.name, r.visible) for r in again.kept_runs] == [
        ("Momentum lr 0.02", False), ("plain descent", True)]
    for saved, reopened in zip(s.kept_runs, again.kept_runs, strict=True):
        np.testing.assert_array_equal(reopened.steps, saved.steps)
        np.testing.assert_array_equal(reopened.loss, saved.loss)
        np.testing.assert_array_equal(reopened.params, saved.params)
    again.remove_run(0)
    assert again.dirty  # a change to the runs is a change to the lesson


def test_a_wide_networks_runs_are_thinned_to_fit_the_file():
    from engine.lesson import MAX_RUN_NUMBERS, _run_json
    from engine.runs import KeptRun

    width = 5000
    run = KeptRun("wide", tuple(f"p{k}" for k in range(width)), np.arange(2000),
                  np.linspace(5, 1, 2000), np.zeros((2000, width)))
    saved = _run_json(run)
    rows = len(saved["steps"])
    assert rows * (2 + width) <= MAX_RUN_NUMBERS and saved["steps"][-1] == 1999
    assert len(saved["params"]) == rows == len(saved["loss"])


def _with_runs(runs) -> str:
    import json

    from engine import load_preset

    data = load_preset("narrow-valley").to_dict()
    data["runs"] = runs
    return json.dumps(data)


GOOD_RUN = {"name": "a", "visible": True, "steps": [0, 5], "loss": [1.0, 0.5],
            "params": [[0.0, 0.0, 0.0], [0.1, 0.2, 0.3]]}


@pytest.mark.parametrize("runs, field", [
    ({"name": "a"}, "runs"),
    ([GOOD_RUN] * (MAX_RUNS + 1), "runs"),
    (["a"], "runs[0]"),
    ([{**GOOD_RUN, "name": ""}], "runs[0].name"),
    ([{**GOOD_RUN, "name": 3}], "runs[0].name"),
    ([{**GOOD_RUN, "name": "a\nb"}], "runs[0].name"),
    ([{**GOOD_RUN, "name": "x" * 61}], "runs[0].name"),
    ([{**GOOD_RUN, "visible": "yes"}], "runs[0].visible"),
    ([{**GOOD_RUN, "steps": [5, 0]}], "runs[0].steps"),
    ([{**GOOD_RUN, "steps": []}], "runs[0].steps"),
    ([{**GOOD_RUN, "steps": [0, -1]}], "runs[0].steps[1]"),
    ([{**GOOD_RUN, "loss": [1.0]}], "runs[0].loss"),
    ([{**GOOD_RUN, "params": [[0.0, 0.0], [0.1, 0.2]]}], "runs[0].params[0]"),
    ([GOOD_RUN, {k: v for k, v in GOOD_RUN.items() if k != "loss"}], "runs[1].loss"),
])
def test_bad_kept_runs_in_a_file_are_refused_naming_the_field(runs, field):
    from engine import LessonError
    from engine.lesson import lesson_from_json

    with pytest.raises(LessonError) as caught:
        lesson_from_json(_with_runs(runs))
    message = str(caught.value)
    assert message.startswith(f"{field}") and "\n" not in message, message


def test_the_training_panel_lists_runs_to_show_rename_and_remove(session, qtbot):
    from PySide6.QtCore import Qt

    from gui.panels.training import TrainingPanel

    s = session("narrow-valley")
    panel = TrainingPanel(s)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.kept.isVisible() and panel.no_runs.isVisible()
    assert not panel.forget.isEnabled()  # nothing to forget yet (it offered to)
    first, second = kept_two(s)
    assert panel.forget.isEnabled()
    assert [panel.kept.item(k).text() for k in range(panel.kept.count())] == [
        first.name, second.name]
    panel.kept.item(0).setCheckState(Qt.Unchecked)
    assert not s.kept_runs[0].visible
    panel.kept.item(1).setText("plain descent")
    assert s.kept_runs[1].name == "plain descent"
    panel.kept.item(1).setText("   ")  # refused: the kept name goes back
    assert s.kept_runs[1].name == "plain descent"
    assert panel.kept.item(1).text() == "plain descent"
    assert not panel.remove.isEnabled()
    panel.kept.setCurrentRow(0)
    qtbot.mouseClick(panel.remove, Qt.LeftButton)
    assert [r.name for r in s.kept_runs] == ["plain descent"]
    assert panel.kept.count() == 1
    s.undo_stack.undo()
    assert panel.kept.count() == 2 and panel.kept.item(0).checkState() == Qt.Unchecked


def test_hidden_runs_leave_the_plot_and_the_landscape_and_the_legend_names_them(
        window, qtbot):
    w = window("narrow-valley")
    s = w.session
    first, second = kept_two(s)
    s.rename_run(0, "momentum")
    s.set_run_visible(1, False)
    qtbot.wait(50)
    w.loss_plot.refresh()
    assert [label.text for _, label in w.loss_plot.legend.items] == [
        "current run (SGD lr 0.02)", "kept: momentum"]  # the second, plain descent, hidden
    np.testing.assert_array_equal(w.loss_plot.kept_curves[0].yData, first.loss)
    assert drawn(w.loss_plot.kept_curves[1]) == 0
    w.landscape.refresh()
    assert drawn(w.landscape.kept_paths[0]) == len(first.steps)
    assert drawn(w.landscape.kept_paths[1]) == 0


def drawn(curve) -> int:
    """How many points a pyqtgraph curve holds (None after setData([], []))."""
    return 0 if curve.xData is None else len(curve.xData)


def test_a_reopened_lessons_runs_are_drawn_from_the_start(session, qtbot, tmp_path):
    from gui.panels.loss import LossPlot
    from gui.session import session_for

    s = session("narrow-valley")
    first, _ = kept_two(s)
    s.save(tmp_path / "runs.json")
    plot = LossPlot(session_for(tmp_path / "runs.json"))
    qtbot.addWidget(plot)
    np.testing.assert_array_equal(plot.kept_curves[0].yData, first.loss)


def test_keeping_while_the_slider_looks_back_keeps_the_whole_run(session, qtbot):
    s = session("narrow-valley")
    s.advance(30)
    s.finish_training(None)
    loss = s.history.loss.copy()
    s.preview(10)
    with qtbot.waitSignal(s.stateChanged):  # the slider goes back to the newest step
        assert s.keep_run()
    assert not s.previewing and s.steps_done == 30
    np.testing.assert_array_equal(s.kept_runs[0].loss, loss)
    s.preview(5)
    s.undo_stack.undo()  # as every undo: the preview is left first
    assert not s.previewing and s.kept_runs == [] and s.steps_done == 30


def test_the_training_panel_names_the_schedule_and_counts_updates_in_words(session, qtbot):
    """Two controls were called "learning rate" (the toolbar's value and the schedule's
    choice); "1 update(s) per epoch"."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    from gui.panels.training import TrainingPanel

    s = session("narrow-valley")
    panel = TrainingPanel(s)
    qtbot.addWidget(panel)
    form = panel.findChild(QFormLayout)
    labels = [form.itemAt(k, QFormLayout.LabelRole).widget().text()
              for k in range(form.rowCount())
              if form.itemAt(k, QFormLayout.LabelRole) is not None
              and isinstance(form.itemAt(k, QFormLayout.LabelRole).widget(), QLabel)]
    assert "Rate schedule" in labels and "Learning rate" not in labels, labels
    assert s.set_batching("0")
    assert " 1 update per epoch" in panel.batches.text()
    assert s.set_batching("1")
    n = s.n_training
    assert f" {n} updates per epoch" in panel.batches.text()


def descent_by_hand(x, y, w, b, rates):
    """Plain gradient descent on y ≈ w·x + b with MSE, written out, update k taken at
    rates[k]: the loss before each update and after the last."""
    losses = []
    for rate in rates:
        residual = y - (w * x + b)
        losses.append(float(np.mean(residual ** 2)))
        w, b = w - rate * np.mean(-2 * x * residual), b - rate * np.mean(-2 * residual)
    return np.array([*losses, float(np.mean((y - (w * x + b)) ** 2))])


def test_a_rate_changed_mid_run_is_named_by_both_rates_live_kept_and_undone(session, qtbot):
    # Seen on the loss plot: lr 0.1 for 5 steps, then 0.3 for 5, and the legend said
    # "current run (SGD lr 0.3)" for a curve mostly made at 0.1.
    from gui.panels.loss import LossPlot

    s = session("sgd-line")  # y = w·x + b, MSE, lr 0.1
    assert s.set_batching("0")  # every sample each step, as written out above
    plot = LossPlot(s)
    qtbot.addWidget(plot)
    x, y = s.trainer.inputs[:, 0], s.trainer.targets[:, 0]
    w, b = (float(v) for v in s.trainer.network.params)
    s.advance(4)  # a run to compare with, so that the legend names the current one
    s.finish_training(None)
    assert s.keep_run()
    s.reset()
    for _ in range(5):
        s.step()
    assert s.set_learning_rate("0.3")
    # no update at 0.3 yet: the curve is all 0.1's
    assert s.current_run_description() == "SGD lr 0.1"
    for _ in range(5):
        s.step()
    plot.refresh()
    # the curve drawn is the one gradient descent makes at 0.1 five times, then 0.3
    np.testing.assert_allclose(plot.curve.yData,
                               descent_by_hand(x, y, w, b, [0.1] * 5 + [0.3] * 5), rtol=1e-12)
    assert s.current_run_description() == "SGD lr 0.1 → 0.3"
    legend = [label.text for _, label in plot.legend.items]
    assert legend == ["current run (SGD lr 0.1 → 0.3)", "kept: SGD lr 0.1"]
    # the history slider looking back at step 3 shows a curve of 0.1 alone
    s.preview(3)
    assert s.current_run_description() == "SGD lr 0.1"
    s.preview(10)
    assert s.current_run_description() == "SGD lr 0.1 → 0.3"
    # kept now, it keeps that name (a comparison later must not call it a run of 0.3)
    assert s.keep_run()
    assert s.kept_runs[1].name == "SGD lr 0.1 → 0.3"
    s.undo_stack.undo()  # the keep
    for _ in range(5):  # the steps at 0.3
        s.undo_stack.undo()
    assert s.current_run_description() == "SGD lr 0.1"
    s.undo_stack.undo()  # the change of rate
    assert s.learning_rate == 0.1 and s.current_run_description() == "SGD lr 0.1"
    for _ in range(6):
        s.undo_stack.redo()
    assert s.current_run_description() == "SGD lr 0.1 → 0.3"
    s.step_back()  # back to step 9: still a run of both rates
    assert s.current_run_description() == "SGD lr 0.1 → 0.3"
    for _ in range(7):  # the step back, the steps at 0.3 and the change of rate
        s.undo_stack.undo()
    s.step()
    assert s.current_run_description() == "SGD lr 0.1"  # no trace of the undone 0.3


def test_a_setting_changed_along_a_run_is_told_as_its_changes(session):
    from engine.runs import changes

    assert changes(["lr 0.1"]) == "lr 0.1"
    assert changes(["lr 0.1", "lr 0.3", "lr 0.1"]) == "lr 0.1 → 0.3 → 0.1"
    assert changes(["lr 0.1", "lr 0.3", "lr 1", "lr 0.05"]) == "lr 0.1 → … → 0.05"
    assert changes(["full batch", "batch 4"]) == "full batch → batch 4"
    assert changes(["shuffle seed 0", "shuffle seed 1"]) == "shuffle seed 0 → 1"
    s = session("narrow-valley")  # momentum, lr 0.02
    s.advance(3)
    s.finish_training(None)
    assert s.set_optimizer("adam") and s.set_batching("2")
    s.advance(3)
    s.finish_training(None)
    # "Momentum → Adam lr 0.02" would read as Adam's rate alone
    assert s.current_run_description() == "Momentum → Adam, lr 0.02"
    assert s.keep_run() and s.kept_runs[0].name == "Momentum → Adam, lr 0.02"
    s.reset()  # today's settings from the start: a run of them alone
    s.advance(3)
    s.finish_training(None)
    assert s.current_run_description() == "Adam lr 0.02, batch 2"
