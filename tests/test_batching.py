"""One sample at a time and mini-batches (issue 15): against a loop written here from
the definition (PyTorch's DataLoader with shuffle=True: a new order every epoch, cut
into batches), through the Trainer, the Session and the window."""

import numpy as np
import pytest

from engine import load_preset
from engine.backprop import loss_and_gradient
from engine.batching import Batching
from engine.losses import LOSSES


def test_one_sample_at_a_time_matches_the_textbook_loop():
    lesson = load_preset("statquest-b3")  # only b3 trains; SSR
    lesson.batching = Batching(1, seed=7)
    trainer = lesson.trainer()
    net = lesson.network.copy()
    i = net.index["b3"]
    n = len(lesson.inputs)
    for update in range(9):
        epoch, place = update // n + 1, update % n
        sample = np.random.default_rng([7, epoch]).permutation(n)[place]
        predicted = net.forward(lesson.inputs[[sample]]).predicted[0, 0]
        slope = -2 * (lesson.targets[sample, 0] - predicted)  # dSSR/db3 for one sample
        assert trainer.update("b3").samples == (sample,)
        assert trainer.update("b3").slope == pytest.approx(slope, rel=1e-12)
        net.params[i] -= lesson.learning_rate * slope
        trainer.step()
        assert trainer.network.params[i] == pytest.approx(net.params[i], rel=1e-12)


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_every_epoch_uses_every_sample_once(size):
    b = Batching(size, seed=3)
    n = 7
    per = b.per_epoch(n)
    assert per == -(-n // size)
    for epoch in range(3):
        seen = np.concatenate([b.samples(epoch * per + k, n) for k in range(per)])
        assert sorted(seen) == list(range(n))


def test_a_mini_batch_slope_is_the_batchs_and_the_loss_plot_the_whole_data_sets():
    lesson = load_preset("house-price")
    rng = np.random.default_rng(0)
    lesson.inputs = rng.normal(size=(10, 2))
    lesson.targets = rng.normal(size=(10, 1))
    lesson.loss = "mse"
    lesson.batching = Batching(4, seed=1)
    trainer = lesson.trainer()
    samples = trainer.batch()
    assert len(samples) == 4
    loss = LOSSES["mse"]
    _, expected = loss_and_gradient(trainer.network, lesson.inputs[samples],
                                    lesson.targets[samples], loss)  # mean over the 4
    np.testing.assert_allclose(trainer.grads, expected, rtol=1e-12)
    whole, _ = loss_and_gradient(trainer.network, lesson.inputs, lesson.targets, loss)
    assert trainer.loss == pytest.approx(whole, rel=1e-12)


@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_rewinding_takes_the_same_batches_again(optimizer):
    from engine.optimizers import DEFAULTS

    lesson = load_preset("statquest-all")
    lesson.batching = Batching(2, seed=5)
    if optimizer:
        lesson.optimizer = DEFAULTS[optimizer]
    trainer = lesson.trainer()
    trainer.run(12, respect_stop_rule=False)
    path = trainer.history.params.copy()
    trainer.rewind(5)
    trainer.run(7, respect_stop_rule=False)
    np.testing.assert_array_equal(trainer.history.params, path)


def test_a_lesson_keeps_its_batches_and_refuses_bad_ones():
    from engine.lesson import LessonError, lesson_from_dict

    data = load_preset("statquest-all").to_dict()
    data["batching"] = {"batch_size": 1, "seed": 42}
    lesson = lesson_from_dict(data)
    assert lesson.batching == Batching(1, 42)
    assert lesson_from_dict(lesson.to_dict()).trainer().batching == Batching(1, 42)
    for bad, field in (({"batch_size": -1}, "batching.batch_size"),
                       ({"batch_size": 1.5}, "batching.batch_size"),
                       ({"seed": 2**40}, "batching.seed"), ({"shuffle": True}, "shuffle"),
                       ("one", "batching")):
        data["batching"] = bad
        with pytest.raises(LessonError, match=field):
            lesson_from_dict(data)


def test_session_sets_batches_undoably_and_refuses_bad_text(session, qtbot):
    s = session("statquest-all")
    full = s.update("w1").slope
    with qtbot.assertNotEmitted(s.stateChanged):
        for bad in ("abc", "-1", "1.5", "1e3"):
            assert not s.set_batching(bad)
        assert not s.set_batching("1", "-4")
    with qtbot.waitSignal(s.stateChanged):
        assert s.set_batching("1", "3")
    assert s.batching == Batching(1, 3) and len(s.batch_samples()) == 1
    assert s.breakdown("w1").paths[0].products.shape == (1,)  # the chain rule of 1 sample
    s.step()
    s.undo_stack.undo()
    s.undo_stack.undo()
    assert s.batching == Batching() and s.update("w1").slope == full
    assert s.set_batching("99")  # more than the data set: every sample
    assert s.batching.is_full(len(s.inputs))


def test_the_breakdown_names_the_batch_and_its_samples(window, qtbot):
    w = window("statquest-all")
    w.session.set_batching("1", "0")
    w.breakdown.refresh()
    (sample,) = w.session.batch_samples()
    text = w.breakdown.toPlainText()
    assert "Batch 1 of 3, epoch 1" in text
    assert f"sums over sample {sample + 1} only" in text
    assert f"sample {sample + 1}" in text.split("only")[1]  # the table's row


def test_show_the_flow_uses_the_steps_own_sample_and_batch(session):
    # With one sample a step, the flow's forward values and output gradient are that
    # sample's: dSSR/dPredicted = -2 (Observed - Predicted), by hand.
    s = session("statquest-b3")
    s.set_batching("1", "4")
    (k,) = s.batch_samples()
    p = s.phases()
    assert p.sample == k and p.batch == (k,) and p.samples == 3
    predicted = s.network.forward(s.inputs[[k]]).predicted[0, 0]
    assert p.post[-1][0] == pytest.approx(predicted, rel=1e-12)
    assert p.deltas[-1][0] == pytest.approx(-2 * (s.targets[k, 0] - predicted), rel=1e-12)
    assert p.updates["b3"].slope == pytest.approx(p.deltas[-1][0], rel=1e-12)


def test_explain_and_worksheet_name_the_batchs_samples(capsys, tmp_path):
    from engine.trace import main

    lesson = load_preset("statquest-b3")
    lesson.batching = Batching(1, seed=2)
    (k,) = lesson.trainer().batch()
    assert main(["explain", "statquest-b3", "--batch-size", "1", "--seed", "2",
                 "--param", "b3"]) == 0
    out = capsys.readouterr().out
    assert f"the slope sums over sample(s) {k + 1} only" in out
    assert f"    sample {k + 1}: " in out and out.count("    sample ") == 1
    sheet = tmp_path / "w.md"
    assert main(["worksheet", "statquest-b3", "--batch-size", "1", "--seed", "2",
                 "-o", str(sheet)]) == 0
    assert f"sum over sample(s) {k + 1} only" in sheet.read_text()
    assert main(["trace", "statquest-b3", "--seed", "99999999999", "--steps", "1"]) == 2
    assert "seed" in capsys.readouterr().err


# --- the presets of issue 15 -------------------------------------------------------------
def test_sgd_line_wobbles_where_the_full_batch_falls_smoothly_to_least_squares():
    lesson = load_preset("sgd-line")
    assert lesson.batching == Batching(1, 0)
    slope, intercept = np.polyfit(lesson.inputs[:, 0], lesson.targets[:, 0], 1)
    sgd = lesson.trainer()
    sgd.run(400, respect_stop_rule=False)
    lesson.batching = Batching()
    full = lesson.trainer()
    full.run(400, respect_stop_rule=False)
    assert (np.diff(full.history.loss) < 1e-15).all()  # no full-batch step raises the loss
    assert (np.diff(sgd.history.loss) > 0).sum() > 20  # one-sample steps often raise it
    np.testing.assert_allclose(full.network.params, [slope, intercept], atol=1e-3)
    np.testing.assert_allclose(sgd.network.params, [slope, intercept], atol=0.1)


def test_narrow_valley_momentum_crosses_what_plain_descent_crawls_along():
    from engine.optimizers import Optimizer

    lesson = load_preset("narrow-valley")
    assert lesson.optimizer.name == "momentum"
    design = np.hstack([lesson.inputs, np.ones((len(lesson.inputs), 1))])
    best = np.linalg.lstsq(design, lesson.targets[:, 0], rcond=None)[0]  # w1, w2, b1
    momentum = lesson.trainer()
    momentum.run(300, respect_stop_rule=False)
    lesson.optimizer = Optimizer()
    plain = lesson.trainer()
    plain.run(300, respect_stop_rule=False)
    assert momentum.loss < plain.loss / 20
    assert abs(momentum.network.params[0] - best[0]) < 0.1
    assert abs(plain.network.params[0] - best[0]) > 0.5  # still crawling along w1


def test_with_batches_the_stop_rule_waits_for_a_whole_epoch_of_small_steps():
    # One sample a step: a single small slope (a sample the line already fits) used to
    # stop a Run at step 340; every step of a whole epoch must now be small. At a constant
    # learning rate one-sample steps never all get small (each sample pulls its own way),
    # so the Run goes to the lesson's limit; with a decaying rate it stops at an epoch's end.
    from engine.schedules import Schedule

    lesson = load_preset("sgd-line")
    trainer = lesson.trainer()
    assert trainer.run() == "max_steps" and trainer.steps_done == lesson.stop.max_steps
    lesson.schedule = Schedule("exponential", gamma=0.99)
    trainer = lesson.trainer()
    assert trainer.run() == "converged"
    per_epoch = trainer.batching.per_epoch(len(trainer.inputs))
    assert (trainer.steps_done + 1) % per_epoch == 0
    sizes = np.abs(trainer.history.step_sizes)
    assert sizes[-per_epoch:].max() < lesson.stop.min_step_size
    assert sizes[-2 * per_epoch:-per_epoch].max() >= lesson.stop.min_step_size


@pytest.mark.parametrize("size", ["0", "7"])
def test_the_sessions_breakdown_reads_trainings_own_passes(session, size):
    """The breakdown is built from the forward pass and deltas training kept for the
    values shown (not passes of its own): over the next update's batch, the same as a
    breakdown computed from scratch here, after steps, a step back, Undo and Redo."""
    from engine import chain_rule_breakdown

    s = session("moons-softmax")  # 2-8-2 softmax, cross-entropy, 60 samples
    assert s.set_batching(size, "4")

    def same_as_from_scratch():
        t = s.trainer
        samples = s.batch_samples()
        x, y = t.inputs[samples], t.targets[samples]
        for name in (s.network.param_names[0], s.network.param_names[-1]):
            kept, fresh = s.breakdown(name), chain_rule_breakdown(
                t.network, x, y, t.loss_function, name)
            assert len(kept.paths) == len(fresh.paths) > 0
            for a, b in zip(kept.paths, fresh.paths, strict=True):
                assert [f.symbol for f in a.factors] == [f.symbol for f in b.factors]
                np.testing.assert_allclose(a.products, b.products, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(kept.through_all, fresh.through_all, rtol=1e-10,
                                       atol=1e-14)
            assert kept.sum_of_paths_after(1) == pytest.approx(
                fresh.sum_of_paths_after(1), rel=1e-9, abs=1e-14)
            assert kept.slope == pytest.approx(s.update(name).slope, rel=1e-9, abs=1e-14)

    same_as_from_scratch()
    for _ in range(3):
        s.step()
    same_as_from_scratch()
    s.step_back()
    same_as_from_scratch()
    s.undo_stack.undo()
    same_as_from_scratch()
    s.undo_stack.redo()
    same_as_from_scratch()
