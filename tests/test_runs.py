"""Runs kept to compare (issue 15): kept through the Session (undoable, at most four),
drawn on the loss plot with a legend and on the landscape."""

import numpy as np

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
    assert [label.text for _, label in w.loss_plot.legend.items] == ["this run", kept.name]
    view = w.landscape
    view.refresh()
    path = view.kept_paths[0]
    a, b = view.choice_a.currentText(), view.choice_b.currentText()
    np.testing.assert_array_equal(path.xData, kept.column(a))
    np.testing.assert_array_equal(path.yData, kept.column(b))
