"""Undo returns exactly the earlier state, whatever came before: seeded random Step, Run,
history-slider moves, edits, Step back, Reset, Undo and Redo on a bare Session.

The model: every position of the undo stack has one state, recorded when the stack was
last there (the slider only previews, and is not a position of its own). Undo and Redo
must land on the recorded state of the position they reach, and leave any preview."""

import random

import numpy as np
import pytest


def snapshot(s):
    """Everything a panel shows or the next step uses, as exact bytes."""
    t, h = s.trainer, s.history
    return (t.network.params.tobytes(), t.learning_rate, t.mask.tobytes(),
            t.inputs.tobytes(), t.targets.tobytes(), h.steps.tobytes(), h.loss.tobytes(),
            h.params.tobytes(), h.grads.tobytes(), h.step_sizes.tobytes(), s.steps_done,
            t.optimizer, t.optimizer_from, t.batching, t.schedule,
            # the optimizer's memory: the columns of its state (the room may be wider)
            h.state[:, :len(t.optimizer.state_names) * len(t.network.params)].tobytes(),
            # the samples held out and the losses over them and over each batch
            t.validation, t.held_out.tobytes(), h.val_loss.tobytes(), h.batch_loss.tobytes(),
            tuple((r.name, r.visible, r.loss.tobytes()) for r in s.kept_runs))


def run_a_few(s, rng):
    """As the Runner does: Run on, a few batches, once told, Run off."""
    s.set_running(True)
    if s.running:
        s.finish_training(s.advance(rng.randint(1, 4)))
    s.set_running(False)


def play(seed: int, actions: int, lesson: str = "statquest-all"):
    from gui.session import session_for

    rng = random.Random(seed)
    s = session_for(lesson)
    names = s.network.param_names
    states = {0: snapshot(s)}  # undo-stack index -> the state recorded there
    log = []
    for _ in range(actions):
        index, previewing = s.undo_stack.index(), s.previewing
        shown = snapshot(s)
        kind = rng.choice(["step", "step", "run", "slider", "slider", "param", "rate",
                           "train", "data", "back", "reset", "optimizer", "batch",
                           "schedule", "validation", "keep", "run name", "run shown",
                           "run removed", "undo", "undo", "undo", "redo", "redo"])
        log.append(kind)
        if kind == "step":
            s.step()
        elif kind == "run":
            run_a_few(s, rng)
        elif kind == "slider":
            s.preview(rng.randint(0, s.last_step()))
        elif kind == "param":
            s.set_param(rng.choice(names), f"{rng.uniform(-3, 3):.3f}")
        elif kind == "rate":
            s.set_learning_rate(rng.choice(["0.05", "0.1", "0.2"]))
        elif kind == "train":
            s.set_trainable(rng.choice(names), rng.random() < 0.5)
        elif kind == "data":
            s.set_sample_value(rng.randrange(len(s.inputs)), rng.randrange(2),
                               f"{rng.uniform(-1, 1):.2f}")
        elif kind == "schedule":
            s.set_schedule(rng.choice(["constant", "exponential", "step"]))
        elif kind == "batch":
            s.set_batching(rng.choice(["0", "1", "2"]), str(rng.randint(0, 3)))
        elif kind == "validation":
            s.set_validation(rng.choice(["0", "0.34", "0.5", "0.9"]), str(rng.randint(0, 2)))
        elif kind == "keep":
            s.keep_run()
        elif kind == "run name":
            s.rename_run(rng.randrange(4), rng.choice(["fast", "slow", "", "a\nb"]))
        elif kind == "run shown":
            s.set_run_visible(rng.randrange(4), rng.random() < 0.5)
        elif kind == "run removed":
            s.remove_run(rng.randrange(4))
        elif kind == "optimizer":
            s.set_optimizer(rng.choice(["sgd", "momentum", "adam"]))
        elif kind == "back":
            s.step_back()
        elif kind == "reset":
            s.reset()
        elif kind in ("undo", "redo"):
            can = s.undo_stack.canUndo() if kind == "undo" else s.undo_stack.canRedo()
            (s.undo_stack.undo if kind == "undo" else s.undo_stack.redo)()
            now = s.undo_stack.index()
            assert now == index + (0 if not can else -1 if kind == "undo" else 1)
            if can:
                assert not s.previewing, (seed, log[-12:])
                assert snapshot(s) == states[now], (seed, len(log), log[-12:])
            continue
        now = s.undo_stack.index()
        if now > index:  # pushed: what was above the old position is gone
            states = {k: v for k, v in states.items() if k <= index}
            if now == index + 2 and previewing:  # "continue from step k", then the change
                states[index + 1] = shown
        if not s.previewing:
            states[now] = snapshot(s)
    return s, log


@pytest.mark.parametrize("seed", range(6))
def test_undo_and_redo_return_exactly_the_recorded_states(seed, qtbot):
    _, log = play(seed, 600)
    assert log.count("undo") > 50 and log.count("slider") > 30  # the test did something


def test_undo_while_the_slider_is_dragged_back(qtbot):
    """The issue's sequence: Step ×3, slider to step 1, Ctrl+Z, Step, Ctrl+Z, Ctrl+Z."""
    from gui.session import session_for

    s = session_for("statquest-all")
    at = [snapshot(s)]
    for _ in range(3):
        s.step()
        at.append(snapshot(s))
    s.preview(1)
    s.undo_stack.undo()  # undoes step 3: steps 0-2, no preview
    assert not s.previewing and snapshot(s) == at[2]
    s.step()  # step 3 again, the same numbers
    assert snapshot(s) == at[3]
    s.undo_stack.undo()
    assert snapshot(s) == at[2]
    s.undo_stack.undo()
    assert snapshot(s) == at[1]
    np.testing.assert_array_equal(s.history.steps, [0, 1])


@pytest.mark.parametrize("back", ["step back", "slider"])
def test_going_back_past_an_edit_shows_and_steps_with_todays_settings(back, qtbot):
    """Step ×2, learning rate 0.2, then back to step 1: the step sizes shown (and the
    next Step) use 0.2, the rate in the field, not the 0.1 step 1 was recorded with."""
    from gui.session import session_for

    s = session_for("statquest-all")
    s.step()
    s.step()
    assert s.set_learning_rate("0.2")
    if back == "step back":
        s.step_back()
    else:
        s.preview(1)
    assert s.steps_done == 1
    for name in s.network.param_names:
        update = s.update(name)
        assert update.learning_rate == 0.2
        assert update.step_size == pytest.approx(update.slope * 0.2, rel=1e-12)
    before = s.network.params.copy()
    slopes = np.array([s.grad(n) for n in s.network.param_names])
    s.step()
    np.testing.assert_allclose(s.network.params, before - 0.2 * slopes, rtol=1e-12)
