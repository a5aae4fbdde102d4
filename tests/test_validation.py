"""A validation split and the batch's own loss (issue 15): the split against one written
here with numpy, the losses against the loss functions written out here on the samples
they are over, through the Trainer, the lesson file, the command line, the Session (with
Undo), one panel and the window."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import LessonError, load_preset
from engine.batching import Batching
from engine.lesson import lesson_from_json
from engine.optimizers import Optimizer
from engine.training import History
from engine.validation import Validation


def numpy_split(n: int, fraction: float, seed: int):
    """train_test_split's recipe, written out: shuffle 0..n-1 with the seed, hold out the
    first round(fraction·n) (at least one), both parts in ascending order."""
    held = max(1, int(np.floor(fraction * n + 0.5)))
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def linear_mse(x, y, weights, bias):
    """MSE of a linear model (narrow-valley, sgd-line): mean over samples and outputs."""
    predicted = x @ np.asarray(weights).reshape(-1, 1) + bias
    return float(np.mean((y - predicted) ** 2))


# --- engine ----------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 500), fraction=st.floats(0.001, 0.999), seed=st.integers(0, 2**32 - 1))
def test_the_split_is_the_seeded_permutation_written_with_numpy(n, fraction, seed):
    v = Validation(fraction, seed)
    expected_train, expected_val = numpy_split(n, fraction, seed)
    if len(expected_train) == 0:
        assert v.problem(n) is not None
        with pytest.raises(ValueError, match="fraction"):
            v.split(n)
        return
    train, val = v.split(n)
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(val, expected_val)
    assert len(val) >= 1 and len(train) >= 1


def test_no_validation_trains_on_every_sample_and_records_no_validation_loss():
    train, val = Validation().split(7)
    np.testing.assert_array_equal(train, np.arange(7))
    assert len(val) == 0
    lesson = load_preset("sgd-line")
    lesson.batching = Batching()  # the preset's are one sample at a time
    trainer = lesson.trainer()
    trainer.run(5, respect_stop_rule=False)
    assert np.isnan(trainer.history.val_loss).all()
    assert np.isnan(trainer.history.batch_loss).all()  # every sample is the batch


@pytest.mark.parametrize("fraction, seed", [(0.3, 0), (0.25, 11), (0.5, 7)])
def test_training_uses_only_the_training_samples_and_records_the_validation_loss(
        fraction, seed):
    lesson = load_preset("sgd-line")  # 8 samples, y = w x + b, MSE
    lesson.validation = Validation(fraction, seed)
    trainer = lesson.trainer()
    train, val = numpy_split(len(lesson.inputs), fraction, seed)
    # The same steps as a lesson holding the training samples alone.
    alone = load_preset("sgd-line")
    alone.inputs, alone.targets = lesson.inputs[train], lesson.targets[train]
    by_hand = alone.trainer()
    trainer.run(20, respect_stop_rule=False)
    by_hand.run(20, respect_stop_rule=False)
    np.testing.assert_allclose(trainer.history.params, by_hand.history.params, rtol=1e-12)
    x, y = lesson.inputs, lesson.targets
    for k in (0, 7, 20):
        trainer_k = trainer.history.params[k]
        w, b = trainer_k[0], trainer_k[1]
        assert trainer.history.val_loss[k] == pytest.approx(
            linear_mse(x[val], y[val], [w], b), rel=1e-12)
        assert trainer.history.loss[k] == pytest.approx(
            linear_mse(x[train], y[train], [w], b), rel=1e-12)


def test_sgd_line_names_weight_then_bias():
    """The helper above reads params[0] as the weight: make sure it is."""
    net = load_preset("sgd-line").network
    assert not net.ref(net.param_names[0]).is_bias and net.ref(net.param_names[1]).is_bias


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_batchs_own_loss_is_recorded_beside_the_whole_training_sets(optimizer):
    lesson = load_preset("narrow-valley")  # 10 samples, 2 inputs, MSE
    lesson.optimizer = Optimizer(optimizer)
    lesson.batching = Batching(3, seed=5)
    lesson.validation = Validation(0.2, seed=1)
    trainer = lesson.trainer()
    trainer.run(12, respect_stop_rule=False)
    train, val = numpy_split(10, 0.2, 1)
    hist = trainer.history
    x, y = lesson.inputs, lesson.targets
    for k in range(len(hist)):
        w = hist.params[k]
        weights, bias = [w[0], w[1]], w[2]
        batch = trainer.batch(int(hist.steps[k]))
        assert set(batch) <= set(train)  # batches come from the training samples
        assert hist.batch_loss[k] == pytest.approx(
            linear_mse(x[batch], y[batch], weights, bias), rel=1e-12)
        assert hist.loss[k] == pytest.approx(
            linear_mse(x[train], y[train], weights, bias), rel=1e-12)
        assert hist.val_loss[k] == pytest.approx(
            linear_mse(x[val], y[val], weights, bias), rel=1e-12)


def test_narrow_valley_lays_out_weights_then_bias():
    net = load_preset("narrow-valley").network
    assert [net.ref(n).is_bias for n in net.param_names] == [False, False, True]


def test_a_wide_networks_loss_trail_keeps_the_three_losses_together(monkeypatch):
    """The trail (for networks with few full rows) thins all three columns alike."""
    monkeypatch.setattr(History, "TRAIL_ROWS", 64)
    hist = History(1, max_rows=8)
    for k in range(1000):
        hist.append(float(k), [0.0], [0.0], [0.0], val_loss=2.0 * k, batch_loss=3.0 * k)
    steps, loss, val, batch = hist.loss_trails
    assert len(steps) <= 256 and steps[-1] == 999  # thinned (the trail starts at 256)
    np.testing.assert_array_equal(loss, steps)
    np.testing.assert_array_equal(val, 2.0 * steps)
    np.testing.assert_array_equal(batch, 3.0 * steps)
    tail = hist.cut(3)  # a rewind, then its undo
    hist.extend(tail)
    np.testing.assert_array_equal(hist.loss_trails[2], 2.0 * hist.loss_trails[0])


def test_rewind_and_restore_keep_the_validation_and_batch_losses():
    lesson = load_preset("narrow-valley")
    lesson.batching = Batching(2, seed=0)
    lesson.validation = Validation(0.3, seed=2)
    trainer = lesson.trainer()
    trainer.run(30, respect_stop_rule=False)
    val, batch = trainer.history.val_loss.copy(), trainer.history.batch_loss.copy()
    tail = trainer.rewind(10)
    trainer.restore(tail)
    np.testing.assert_array_equal(trainer.history.val_loss, val)
    np.testing.assert_array_equal(trainer.history.batch_loss, batch)


def test_a_lesson_keeps_its_split_and_its_run_keeps_the_losses(tmp_path):
    lesson = load_preset("narrow-valley")
    lesson.validation = Validation(0.2, seed=9)
    lesson.batching = Batching(4, seed=1)
    trainer = lesson.trainer()
    trainer.run(15, respect_stop_rule=False)
    saved = lesson.as_set_by(trainer, progress=True)
    path = tmp_path / "split.json"
    saved.save(path)
    data = json.loads(path.read_text())
    assert data["validation"] == {"fraction": 0.2, "seed": 9}
    reopened = lesson_from_json(path.read_text())
    assert reopened.validation == Validation(0.2, 9)
    again = reopened.trainer_with_progress()
    np.testing.assert_array_equal(again.held_out, numpy_split(10, 0.2, 9)[1])
    np.testing.assert_array_equal(again.history.val_loss, trainer.history.val_loss)
    np.testing.assert_array_equal(again.history.batch_loss, trainer.history.batch_loss)


def _narrow_valley_with(**changes) -> str:
    data = load_preset("narrow-valley").to_dict()
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize("value, field", [
    ({"fraction": 1}, "validation.fraction"),
    ({"fraction": -0.1}, "validation.fraction"),
    ({"fraction": "0.2"}, "validation.fraction"),
    ({"fraction": 0.97}, "validation.fraction"),  # 10 samples: none left to train on
    ({"fraction": 0.2, "seed": -1}, "validation.seed"),
    ({"fraction": 0.2, "seed": 2**40}, "validation.seed"),
    ({"fraction": 0.2, "shuffle": True}, "validation.shuffle"),
    ([0.2], "validation"),
    ({"fraction": float("nan")}, "validation.fraction"),
])
def test_a_bad_split_is_refused_naming_the_field(value, field):
    with pytest.raises(LessonError) as caught:
        lesson_from_json(_narrow_valley_with(validation=value))
    message = str(caught.value)
    assert message.startswith(f"{field}: ") and "\n" not in message, message


@pytest.mark.parametrize("to", ["numpy", "pytorch"])
def test_export_code_refuses_a_split_it_cannot_write(to):
    from engine.export_code import code_script

    lesson = load_preset("sgd-line")
    lesson.batching = Batching()
    code_script(lesson, 3, to)  # writes this one
    lesson.validation = Validation(0.25)
    with pytest.raises(LessonError, match="^validation: "):
        code_script(lesson, 3, to)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "gui.launcher", *args], capture_output=True,
                          text=True, timeout=60)


def test_trace_prints_the_validation_loss_when_there_is_a_split():
    r = cli("trace", "sgd-line", "--steps", "2", "--validation", "0.25", "--validation-seed",
            "4")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split("  ")[-1].strip() == "validation loss before"
    lesson = load_preset("sgd-line")
    train, val = numpy_split(8, 0.25, 4)
    w, b = lesson.network.params
    first = lines[1].split()
    assert float(first[-1]) == pytest.approx(
        linear_mse(lesson.inputs[val], lesson.targets[val], [w], b), rel=1e-9)
    assert float(first[-2]) == pytest.approx(
        linear_mse(lesson.inputs[train], lesson.targets[train], [w], b), rel=1e-9)
    assert "on the 6 training samples" in r.stdout and "2 held out" in r.stdout
    r = cli("trace", "sgd-line", "--steps", "1", "--validation", "0.25", "--format", "json")
    record = json.loads(r.stdout)["steps"][0]  # the preset's batches: one sample each
    train, val = numpy_split(8, 0.25, 0)
    sample = train[np.random.default_rng([0, 1]).permutation(6)[0]]  # epoch 1's first
    x, y = lesson.inputs, lesson.targets
    assert record["val_loss"] == pytest.approx(linear_mse(x[val], y[val], [w], b))
    assert record["batch_loss"] == pytest.approx(linear_mse(x[[sample]], y[[sample]], [w], b))
    r = cli("trace", "sgd-line", "--steps", "1", "--batch-size", "0", "--format", "json")
    assert "batch_loss" not in json.loads(r.stdout)["steps"][0]
    plain = cli("trace", "sgd-line", "--steps", "1")
    assert "validation" not in plain.stdout
    bad = cli("trace", "statquest-b3", "--validation", "0.9")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("backprop-lab: --validation: ")


# --- Session -----------------------------------------------------------------------
def test_session_sets_the_split_undoably_and_refuses_what_leaves_no_sample(session, qtbot):
    s = session("sgd-line")
    loss = s.loss
    with qtbot.assertNotEmitted(s.stateChanged):
        for fraction in ("abc", "1", "-0.2", "0.999", "nan", "1.5"):
            with qtbot.waitSignal(s.refused):
                assert not s.set_validation(fraction, "0")
        assert not s.set_validation("0.25", "-1")
    assert s.validation == Validation() and s.loss == loss
    with qtbot.waitSignal(s.stateChanged):
        assert s.set_validation("0.25", "4")
    train, val = numpy_split(8, 0.25, 4)
    np.testing.assert_array_equal(s.held_out(), val)
    w, b = s.network.params
    assert s.val_loss == pytest.approx(linear_mse(s.inputs[val], s.targets[val], [w], b))
    assert s.loss == pytest.approx(linear_mse(s.inputs[train], s.targets[train], [w], b))
    s.step()
    s.undo_stack.undo()
    s.undo_stack.undo()  # the split itself
    assert s.validation == Validation() and s.loss == loss and math.isnan(s.val_loss)
    s.undo_stack.redo()
    assert s.validation == Validation(0.25, 4)
    np.testing.assert_array_equal(s.held_out(), val)
    assert s.set_validation("", "4")  # empty: none
    assert s.validation.is_none


def test_data_that_would_leave_no_training_sample_is_refused(session, qtbot):
    s = session("statquest-b3")  # 3 samples
    assert s.set_validation("0.75")  # 2 of 3 held out; of 2, both
    with qtbot.assertNotEmitted(s.stateChanged), qtbot.waitSignal(s.refused) as refused:
        assert not s.remove_samples([0])  # 2 samples: both held out
    assert "validation" in refused.args[0] and len(s.inputs) == 3


def test_batches_count_the_training_samples(session):
    s = session("sgd-line")
    assert s.set_validation("0.25")
    assert s.set_batching("6")  # every training sample: the full batch
    assert s.batching == Batching() and math.isnan(s.batch_loss)
    assert s.set_batching("2")
    assert math.isfinite(s.batch_loss)


# --- panels and window ---------------------------------------------------------------
def test_training_panel_sets_the_split_and_puts_back_a_refused_one(session, qtbot):
    from gui.panels.training import TrainingPanel

    s = session("sgd-line")
    panel = TrainingPanel(s)
    qtbot.addWidget(panel)
    panel.show()
    panel.validation.setText("0.25")
    panel.validation_seed.setText("3")
    panel.validation.editingFinished.emit()
    assert s.validation == Validation(0.25, 3)
    assert panel.split_now.text() == ("Of 8 samples: 6 samples train, 2 held out for "
                                      "validation (seed 3).")
    panel.validation.setText("2")
    panel.validation.editingFinished.emit()
    assert s.validation == Validation(0.25, 3) and panel.validation.text() == "0.25"
    # Typed as a user types, Enter in the field that keeps the focus: the refused "1"
    # stayed in it while the status bar said the split stays as it was.
    from PySide6.QtCore import Qt

    panel.activateWindow()
    for field, typed, kept in ((panel.validation, "1", "0.25"),
                               (panel.batch_size, "abc", str(s.batching.size))):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        field.selectAll()
        qtbot.keyClicks(field, typed)
        qtbot.keyClick(field, Qt.Key_Return)
        assert field.text() == kept, field.objectName()
    assert s.validation == Validation(0.25, 3)


def test_the_loss_label_says_which_samples_each_loss_is_over(session, qtbot):
    from engine.explain import fmt
    from gui.panels.controls import Controls
    from gui.runner import Runner

    s = session("sgd-line")
    bar = Controls(s, Runner(s))
    qtbot.addWidget(bar)
    s.set_batching("0")  # the preset's are one sample at a time
    assert bar.loss_label.text().strip() == f"MSE = {fmt(s.loss, 6)}"
    s.set_batching("2")
    assert bar.loss_label.text().strip() == (f"MSE all samples = {fmt(s.loss, 6)} · "
                                             f"batch = {fmt(s.batch_loss, 6)}")
    s.set_validation("0.25")
    assert bar.loss_label.text().strip() == (
        f"MSE training = {fmt(s.loss, 6)} · validation = {fmt(s.val_loss, 6)} · "
        f"batch = {fmt(s.batch_loss, 6)}")


def test_the_loss_plot_draws_validation_and_batch_losses_with_a_legend(session, qtbot):
    from gui.panels.loss import LossPlot

    s = session("narrow-valley")
    plot = LossPlot(s)
    qtbot.addWidget(plot)
    plot.refresh()
    # one curve, named all the same: what made it (the preset: momentum, lr 0.02)
    assert plot.legend.isVisible()
    assert [label.text for _, label in plot.legend.items] == ["current run (Momentum lr 0.02)"]
    assert plot.val_curve.xData is None
    s.set_validation("0.2", "1")
    s.set_batching("3")
    s.advance(25)
    s.finish_training(None)
    plot.refresh()
    hist = s.history
    np.testing.assert_array_equal(plot.val_curve.yData, hist.val_loss)
    np.testing.assert_array_equal(plot.batch_curve.yData[1:], hist.batch_loss[1:])
    assert [label.text for _, label in plot.legend.items] == [
        "current run (Momentum lr 0.02): training", "validation", "batch"]
    batch = plot.batch_curve.opts["pen"].color()
    assert batch.alpha() < 255  # faint
    # and not in the training curve's hue: a noisy band of it swallowed that curve
    training = plot.curve.opts["pen"].color()
    assert batch.saturation() < 60 <= training.saturation() or \
        abs(batch.hue() - training.hue()) > 60


def test_the_data_table_marks_the_samples_held_out(session, qtbot):
    from PySide6.QtCore import Qt

    from gui.panels.data import DataTable

    s = session("sgd-line")
    table = DataTable(s)
    qtbot.addWidget(table)
    model = table.cells
    assert model.data(model.index(0, 0), Qt.FontRole) is None
    s.set_validation("0.25", "4")
    table.refresh()
    _, val = numpy_split(8, 0.25, 4)
    marked = [row for row in range(8) if model.data(model.index(row, 1), Qt.FontRole)]
    assert marked == list(val)
    assert all(model.data(model.index(row, 0), Qt.FontRole).italic() for row in val)
    assert "validation" in model.headerData(int(val[0]), Qt.Vertical, Qt.ToolTipRole)
    s.undo_stack.undo()
    table.refresh()
    assert not any(model.data(model.index(row, 0), Qt.FontRole) for row in range(8))


def hollow_rows(scatter) -> list[int]:
    """The points a samples scatter draws as rings: no fill, an outline."""
    from PySide6.QtCore import Qt

    brushes = scatter.opts["symbolBrush"]
    return [k for k, brush in enumerate(brushes) if brush.style() == Qt.NoBrush]


@pytest.mark.parametrize("preset, fraction, seed", [
    ("moons-softmax", "0.2", "3"),  # two inputs, a classifier: the class map
    ("narrow-valley", "0.3", "1"),  # two inputs: the prediction map
    ("exam-pass-bce", "0.25", "2"),  # one input, a classifier: each class's curve
])
def test_the_data_plot_draws_held_out_samples_as_rings(session, qtbot, preset, fraction, seed):
    from gui.panels.data import DataPlot

    s = session(preset)
    plot = DataPlot(s)
    qtbot.addWidget(plot)
    assert hollow_rows(plot.samples) == [] and "held out" not in plot.toolTip()
    assert s.set_validation(fraction, seed)
    plot.refresh()
    _, val = numpy_split(len(s.inputs), float(fraction), int(seed))
    assert hollow_rows(plot.samples) == sorted(val)
    pens = plot.samples.opts["symbolPen"]
    assert all(pens[k].widthF() == 3 for k in val)  # a ring in the sample's own colour
    assert "held out for validation" in plot.toolTip()
    s.undo_stack.undo()
    plot.refresh()
    assert hollow_rows(plot.samples) == []


def test_the_one_input_fit_draws_held_out_samples_as_rings(session, qtbot):
    from PySide6.QtCore import Qt

    from gui.panels.data import DataPlot

    s = session("sgd-line")  # eight samples: one dot each
    plot = DataPlot(s)
    qtbot.addWidget(plot)
    assert s.set_validation("0.25", "4")
    plot.refresh()
    _, val = numpy_split(8, 0.25, 4)
    markers = plot.few_points.markers[:8]
    assert [k for k, m in enumerate(markers) if m.hollow] == sorted(val)
    assert all(markers[k].brush().style() == Qt.NoBrush for k in val)
    assert all(markers[k].pen().color() == markers[0].brush().color() for k in val)
    assert "held out for validation" in plot.toolTip()
    # More samples than dots: the rings go to a scatter of their own.
    x = np.linspace(0, 1, 40)[:, None]
    assert s.set_data(x, 2 * x)
    plot.refresh()
    _, val = numpy_split(40, 0.25, 4)
    assert not any(m.isVisible() for m in plot.few_points.markers)
    np.testing.assert_array_equal(plot.held_points.xData, x[val, 0])
    assert len(plot.points.xData) == 40 - len(val)
