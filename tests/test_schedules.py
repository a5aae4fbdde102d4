"""Learning-rate schedules (issue 15), each against its formula written here, through
the Trainer, the lesson file, the Session and the breakdown."""

import math

import numpy as np
import pytest

from engine import load_preset
from engine.schedules import Schedule


@pytest.mark.parametrize("t", [0, 1, 7, 99, 100, 250, 1000, 1500])
def test_each_schedule_is_its_formula(t):
    lr = 0.3
    assert Schedule().rate(lr, t) == lr
    assert Schedule("step", step_size=100, gamma=0.1).rate(lr, t) == pytest.approx(
        lr * 0.1 ** (t // 100), rel=1e-15)
    assert Schedule("exponential", gamma=0.99).rate(lr, t) == pytest.approx(
        lr * 0.99 ** t, rel=1e-13)
    expected = 0.01 + (lr - 0.01) * (1 + math.cos(math.pi * t / 1000)) / 2
    assert Schedule("cosine", T_max=1000, eta_min=0.01).rate(lr, t) == pytest.approx(
        expected, rel=1e-15)


def test_cosine_reaches_eta_min_at_t_max_and_halfway_is_the_mean():
    s = Schedule("cosine", T_max=50, eta_min=0.02)
    assert s.rate(0.1, 0) == pytest.approx(0.1)
    assert s.rate(0.1, 25) == pytest.approx(0.06)
    assert s.rate(0.1, 50) == pytest.approx(0.02)


@pytest.mark.parametrize("optimizer", [None, "momentum"])
def test_the_trainer_steps_with_each_updates_rate_and_rewinds_exactly(optimizer):
    from engine.optimizers import DEFAULTS

    lesson = load_preset("statquest-b3")
    lesson.schedule = Schedule("exponential", gamma=0.8)
    if optimizer:
        lesson.optimizer = DEFAULTS[optimizer]
    t = lesson.trainer()
    for k in range(6):
        u = t.update("b3")
        assert u.learning_rate == pytest.approx(0.1 * 0.8 ** k, rel=1e-14)
        if optimizer is None:  # plain descent: step size = slope × this update's rate
            assert u.step_size == pytest.approx(u.slope * 0.1 * 0.8 ** k, rel=1e-14)
        t.step()
    path = t.history.params.copy()
    t.rewind(2)
    t.run(4, respect_stop_rule=False)
    np.testing.assert_array_equal(t.history.params, path)


def test_a_lesson_keeps_its_schedule_and_refuses_bad_ones():
    from engine.lesson import LessonError, lesson_from_dict

    data = load_preset("statquest-all").to_dict()
    data["schedule"] = {"name": "step", "step_size": 20, "gamma": 0.5}
    lesson = lesson_from_dict(data)
    assert lesson.schedule == Schedule("step", step_size=20, gamma=0.5)
    assert lesson_from_dict(lesson.to_dict()).trainer().schedule == lesson.schedule
    for bad, field in (({"name": "step", "gamma": 2}, "schedule.gamma"),
                       ({"name": "step", "step_size": 0}, "schedule.step_size"),
                       ({"name": "cosine", "gamma": 0.5}, "schedule.gamma"),
                       ({"name": "warmup"}, "schedule.name"), (3, "schedule")):
        data["schedule"] = bad
        with pytest.raises(LessonError, match=field.replace(".", r"\.")):
            lesson_from_dict(data)


def test_session_sets_a_schedule_undoably_and_refuses_bad_text(session, qtbot):
    s = session("statquest-b3")
    with qtbot.assertNotEmitted(s.stateChanged):
        assert not s.set_schedule("step", {"gamma": "1.5"})
        assert not s.set_schedule("step", {"step_size": "0.5"})
        assert not s.set_schedule("exponential", {"T_max": "10"})
        assert not s.set_schedule("warmup")
    assert s.set_schedule("exponential", {"gamma": "0.9"})
    s.step()
    s.step()
    assert s.update("b3").learning_rate == pytest.approx(0.1 * 0.9 ** 2)
    for _ in range(3):
        s.undo_stack.undo()
    assert s.schedule == Schedule() and s.update("b3").learning_rate == 0.1


def test_the_breakdown_writes_this_updates_learning_rate(window):
    w = window("statquest-b3")
    w.session.set_schedule("exponential", {"gamma": "0.9"})
    w.session.step()
    w.session.step()
    w.breakdown.refresh()
    text = w.breakdown.toPlainText()
    assert "learning rate = lr × gamma" in text and "(t = 2)" in text and "0.081" in text
