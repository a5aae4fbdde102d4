"""The Session tier: its commands and the signals it emits, without any window.

Every change goes through Session: a refused change emits `refused` and nothing else and
leaves the state as it was; a change that works emits `stateChanged`; undo emits too."""

import numpy as np
import pytest

from engine import StopReason


def test_a_refused_edit_emits_nothing_but_the_refusal(session, qtbot):
    s = session("statquest-all")
    before = s.network.params.copy()
    with qtbot.assertNotEmitted(s.stateChanged), qtbot.assertNotEmitted(s.dirtyChanged), \
            qtbot.waitSignal(s.refused) as refusal:
        assert not s.set_param("w1", "abc")
    assert "w1" in refusal.args[0] and "'abc'" in refusal.args[0]
    np.testing.assert_array_equal(s.network.params, before)
    assert not s.dirty and s.undo_stack.count() == 0


@pytest.mark.parametrize("text", ["nan", "inf", "1e400", "", "0x10"])
def test_non_numbers_are_refused_for_the_learning_rate(session, qtbot, text):
    s = session()
    with qtbot.assertNotEmitted(s.stateChanged), qtbot.waitSignal(s.refused):
        assert not s.set_learning_rate(text)
    assert s.learning_rate == 0.1


def test_a_long_paste_is_quoted_short(session, qtbot):
    s = session()
    with qtbot.waitSignal(s.refused) as refusal:
        s.set_param("b3", "x" * 10_000)
    assert len(refusal.args[0]) < 200 and "is not a number" in refusal.args[0]


def test_an_edit_emits_state_and_dirty_and_undo_emits_again(session, qtbot):
    s = session()
    with qtbot.waitSignals([s.stateChanged, s.dirtyChanged]):
        assert s.set_param("b3", "1")
    assert s.value("b3") == 1.0
    with qtbot.waitSignal(s.stateChanged):
        s.undo_stack.undo()
    assert s.value("b3") == 0.0
    with qtbot.waitSignal(s.stateChanged):
        s.undo_stack.redo()
    assert s.value("b3") == 1.0


def test_update_is_the_step_that_is_then_taken(session):
    # The article: slope -15.7, step size -1.57, new b3 1.57 (lr 0.1, from b3 = 0).
    s = session()
    u = s.update("b3")
    assert (u.slope, u.step_size, u.new_value) == pytest.approx((-15.6551, -1.56551, 1.56551),
                                                                abs=5e-5)
    frozen = s.update("w1")
    assert not frozen.trainable and frozen.step_size == 0 and frozen.new_value == 3.34
    s.step()
    assert s.value("b3") == u.new_value  # the very number shown before the step
    assert s.value("w1") == 3.34


def test_quiz_mode_is_a_session_state_with_one_signal(session, qtbot):
    s = session()
    with qtbot.waitSignal(s.quizChanged) as on:
        s.set_quiz(True)
    assert on.args == [True] and s.quiz_active
    with qtbot.assertNotEmitted(s.quizChanged):
        s.set_quiz(True)
    with qtbot.assertNotEmitted(s.flowRequested), qtbot.waitSignal(s.refused):
        s.request_flow()  # the flow would show the answers
    s.set_quiz(False)
    with qtbot.waitSignal(s.flowRequested):
        s.request_flow()


def test_reset_keeps_the_selection_and_a_rebuild_falls_back_once(session, qtbot):
    from engine import Layer

    s = session("statquest-all")
    s.select("w3")
    s.step()
    with qtbot.assertNotEmitted(s.selectionChanged), qtbot.waitSignal(s.stateChanged):
        s.reset()
    assert s.steps_done == 0 and s.selected == "w3"
    with qtbot.waitSignal(s.lessonChanged):
        assert s.build_network([Layer(1, "sigmoid")], Layer(1, "identity"), "ssr",
                               "layered", 3)
    assert s.selected == s.network.param_names[0]  # w3 is gone
    with qtbot.waitSignal(s.selectionChanged) as back:
        s.undo_stack.undo()
    # Back on the 1-2-1 network the built network's first weight does not exist: the
    # selection falls back as at opening, to the first trainable parameter.
    assert back.args == ["w1"] and s.selected == "w1"
    assert s.network.sizes == [2, 1]


def test_restored_history_shows_its_own_step_everywhere(session, qtbot):
    # Restored work: the step count, the values and the history's last row agree.
    from engine.training import History

    done = session("statquest-all")
    for _ in range(81):
        done.step()
    saved = done.history.rows()
    fresh = session("statquest-all")
    with qtbot.waitSignal(fresh.stateChanged):
        fresh.continue_with_history(History.from_rows(saved))
    assert fresh.steps_done == 81 and fresh.last_step() == 81
    np.testing.assert_array_equal(fresh.network.params, done.network.params)
    assert fresh.loss == done.loss


def test_a_damaged_history_is_refused_whole(session):
    from engine.training import History, HistoryRows

    good = session().history.rows()
    backwards = HistoryRows(np.array([3]), good.loss, good.params, good.grads,
                            good.step_sizes[:, :2])
    with pytest.raises(ValueError):
        History.from_rows(backwards)


def test_pause_shows_the_stopped_state_at_once(session, qtbot):
    s = session("xor")
    s.set_running(True)
    s.advance(7)
    with qtbot.waitSignals([s.runningChanged, s.stateChanged]):
        s.set_running(False)
    assert s.steps_done == 7


def test_run_does_not_start_when_the_stop_rule_holds(session, qtbot):
    s = session("single-weight")
    s.set_running(True)
    while s.advance(1000) is None:
        pass
    s.finish_training(StopReason.CONVERGED)
    assert not s.running
    with qtbot.waitSignal(s.runningChanged) as changed, qtbot.waitSignal(s.message):
        s.set_running(True)
    assert changed.args == [False] and not s.running


def test_stepping_from_an_earlier_step_says_the_later_ones_were_set_aside(session, qtbot):
    s = session()
    for _ in range(5):
        s.step()
    s.preview(2)
    with qtbot.waitSignal(s.message) as said:
        s.step()
    assert "3 later steps were set aside" in said.args[0] and "Ctrl+Z" in said.args[0]
    s.undo_stack.undo()
    s.undo_stack.undo()
    assert s.steps_done == 5


def test_bad_data_is_refused_and_kept(session, qtbot):
    s = session()
    x, y = s.inputs, s.targets
    for inputs, targets in ((np.empty((0, 1)), np.empty((0, 1))),
                            (np.array([[np.nan]]), np.array([[1.0]])),
                            (np.ones((2, 2)), np.ones((2, 1)))):
        with qtbot.assertNotEmitted(s.stateChanged), qtbot.waitSignal(s.refused):
            assert not s.set_data(inputs, targets)
        assert s.inputs is x and s.targets is y
    with qtbot.waitSignal(s.refused) as refusal:
        assert not s.set_sample_value(1, 1, "oops")
    assert "Observed" in refusal.args[0]


def test_a_csv_of_class_labels_builds_a_classifier(session, qtbot, tmp_path):
    from engine import Layer

    s = session("house-price")
    path = tmp_path / "pets.csv"
    path.write_text("weight,height,kind\n4,25,cat\n30,60,dog\n5,23,cat\n25,55,dog\n")
    with qtbot.waitSignal(s.message) as said:
        assert s.build_network([Layer(3, "tanh")], Layer(1, "identity"), "ssr", "sequential",
                               2, str(path))
    assert "2 classes" in said.args[0] and "softmax" in said.args[0]
    assert s.loss_name == "ce" and s.is_classifier
    assert s.class_labels() == ("cat", "dog")
    assert s.data_column_names() == ["weight", "height", "cat", "dog"]
    assert s.scores().total == 4


@pytest.mark.parametrize("lesson, column, text, words", [
    ("exam-pass-bce", 1, "1.5", "Sample 1: cross-entropy targets are probabilities"),
    ("iris-softmax", 3, "1", "Sample 1: a softmax's targets are class probabilities"),
])
def test_classification_targets_that_are_not_probabilities_are_refused(
        session, qtbot, lesson, column, text, words):
    s = session(lesson)
    before = s.targets.copy()
    with qtbot.waitSignal(s.refused) as said, qtbot.assertNotEmitted(s.stateChanged):
        assert not s.set_sample_value(0, column, text)
    assert said.args[0].startswith(f"Refused — {words}")
    assert (s.targets == before).all()


def test_data_past_the_work_limit_is_refused_naming_the_data(session, monkeypatch):
    """A step costs parameters x samples: more samples than MAX_WORK allows for this
    network are refused in one message and the data stay."""
    import engine.lesson

    session = session("statquest-all")
    before = session.inputs
    params = len(session.network.params)
    monkeypatch.setattr(engine.lesson, "MAX_WORK", params * len(before))
    refusals = []
    session.refused.connect(refusals.append)
    assert not session.add_sample()
    assert session.inputs is before
    assert len(refusals) == 1 and refusals[0].startswith("Refused — The data: 4 samples")
    assert "samples for this network" in refusals[0]


def test_a_lesson_snapshot_is_the_lesson_of_its_moment(session):
    """The autosave copies the lesson's state on the window's thread and makes the file's
    parts on its writer thread: steps and edits meanwhile must not leak into them, and
    they are the lesson Save writes (its start, today's data and settings, kept runs)."""
    from engine.lesson import joined

    s = session("statquest-all")
    s.step()
    s.keep_run()
    lesson, settings = s.lesson_snapshot()
    now = s.saved_lesson().to_dict()
    s.step()
    s.set_learning_rate("0.5")
    s.set_data(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))
    assert joined(*lesson.parts_with(settings)) == now != s.saved_lesson().to_dict()


def test_the_slowest_run_takes_a_step_every_thirty_frames_for_a_class_to_watch(session):
    """At one step a frame statquest-b3's nine steps were over in 0.15 s, at a step every
    8 frames in about one (a tester: too fast to follow): the slowest speeds take a step
    every 30 frames (and every 8, every 3), the first at once."""
    from gui.runner import SPEEDS, Runner

    s = session("statquest-b3")
    runner = Runner(s)
    runner.set_speed(0)
    assert SPEEDS[:3] == (1 / 30, 1 / 8, 1 / 3)
    s.set_running(True)
    taken = []
    for _ in range(61):
        runner._tick()
        taken.append(s.steps_done)
    s.set_running(False)
    assert taken[0] == 1 and taken[29] == 1 and taken[30] == 2 and taken[60] == 3, taken
    runner.set_speed(1)
    s.set_running(True)
    before = s.steps_done
    for _ in range(17):
        runner._tick()
    s.set_running(False)
    assert s.steps_done - before == 3  # frames 1, 9 and 17
    runner.set_speed(2)
    s.set_running(True)
    before = s.steps_done
    for _ in range(9):
        runner._tick()
    s.set_running(False)
    assert s.steps_done - before == 3  # frames 1, 4 and 7


def test_a_refusal_is_withdrawn_when_its_cause_is_gone(session, qtbot):
    s = session()
    # "leave quiz mode first": leaving quiz mode answers it
    s.set_quiz(True)
    with qtbot.waitSignal(s.refused):
        s.request_phase()
    with qtbot.waitSignal(s.refusalWithdrawn):
        s.set_quiz(False)
    # "Pause Run first": pausing answers it
    s.set_running(True)
    with qtbot.waitSignal(s.refused):
        s.request_flow()
    with qtbot.waitSignal(s.refusalWithdrawn):
        s.set_running(False)
    # a field's bad typing: a good value answers it, a change that works too
    with qtbot.waitSignal(s.refused):
        s.set_learning_rate("abc")
    with qtbot.waitSignal(s.refusalWithdrawn):
        assert s.set_learning_rate("0.2")
    with qtbot.assertNotEmitted(s.refusalWithdrawn):  # nothing stood to withdraw
        s.step()


def test_a_value_typed_again_is_accepted_without_an_edit(session, qtbot):
    s = session()
    for refuse, again in ((lambda: s.set_learning_rate("abc"), lambda: s.set_learning_rate("0.1")),
                          (lambda: s.set_param("b3", "x"), lambda: s.set_param("b3", "0")),
                          (lambda: s.set_batching("-1"), lambda: s.set_batching("")),
                          (lambda: s.set_validation("2"), lambda: s.set_validation("0"))):
        with qtbot.waitSignal(s.refused):
            assert not refuse()
        with qtbot.waitSignal(s.refusalWithdrawn), qtbot.assertNotEmitted(s.stateChanged):
            assert again()
    assert s.learning_rate == 0.1 and s.value("b3") == 0.0
    # the same value is no edit: nothing to undo, nothing unsaved
    assert not s.dirty and s.undo_stack.count() == 0
