"""A kept run keeps its validation loss curve (issue 15): the losses against gradient
descent written out here with numpy, through the Session (Undo, lock), the loss plot on a
bare Session, the lesson file (round trip, an older file without them, hostile values) and
the autosave's halves. Also what the live run's loss curve is called when a split is set
mid-run: the loss before it was over every sample, not over the training samples."""

import dataclasses
import json
import math

import numpy as np
import pytest

from engine import LessonError, load_preset
from engine.batching import Batching
from engine.lesson import lesson_from_json, lesson_from_parts
from engine.runs import keep
from engine.validation import (
    Validation,
    kept_loss_name,
    steps_without_validation,
    training_loss_name,
)

FRACTION, SEED = 0.25, 3


def numpy_split(n: int, fraction: float, seed: int):
    """train_test_split's recipe: shuffle 0..n-1 with the seed, hold out the first
    round(fraction·n), both parts ascending."""
    held = max(1, int(np.floor(fraction * n + 0.5)))
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def descent_by_hand(x, y, w, b, rate, splits):
    """Rows of plain gradient descent on y ≈ w·x + b with MSE, written out: row k is
    (training loss, validation loss) before update k, whose slopes are over row k's
    training samples; `splits` gives each row's (training, held out or None)."""
    rows = []
    for train, held in splits:
        residual = y[train] - (w * x[train] + b)
        val = math.nan if held is None else float(np.mean((y[held] - (w * x[held] + b)) ** 2))
        rows.append((float(np.mean(residual ** 2)), val))
        w, b = w - rate * np.mean(-2 * x[train] * residual), b - rate * np.mean(-2 * residual)
    return np.array(rows)


def sgd_line():
    """sgd-line (8 samples, y = w·x + b, MSE, lr 0.1) with every sample in each step."""
    lesson = load_preset("sgd-line")
    lesson.batching = Batching()
    return lesson


def by_hand(lesson, splits):
    w, b = lesson.network.params  # weight then bias (test_validation checks the order)
    return descent_by_hand(lesson.inputs[:, 0], lesson.targets[:, 0], float(w), float(b),
                           lesson.learning_rate, splits)


# --- engine ----------------------------------------------------------------------
def test_a_kept_run_keeps_the_validation_losses_numpy_computes():
    lesson = sgd_line()
    lesson.validation = Validation(FRACTION, SEED)
    trainer = lesson.trainer()
    trainer.run(30, respect_stop_rule=False)
    run = keep(trainer)
    train, held = numpy_split(len(lesson.inputs), FRACTION, SEED)
    expected = by_hand(lesson, [(train, held)] * 31)
    np.testing.assert_array_equal(run.steps, np.arange(31))
    np.testing.assert_allclose(run.loss, expected[:, 0], rtol=1e-12)
    assert run.val_loss is not None
    np.testing.assert_allclose(run.val_loss, expected[:, 1], rtol=1e-12)
    # the held-out loss is not the training loss: the test can tell them apart
    assert not np.allclose(run.val_loss, run.loss)


def test_a_run_without_a_split_keeps_no_validation_losses():
    trainer = sgd_line().trainer()
    trainer.run(5, respect_stop_rule=False)
    assert keep(trainer).val_loss is None


def split_set_mid_run():
    """sgd-line: 5 steps on every sample, then the split set and 5 more steps."""
    lesson = sgd_line()
    trainer = lesson.trainer()
    trainer.run(5, respect_stop_rule=False)
    trainer.set_validation(Validation(FRACTION, SEED))
    trainer.run(5, respect_stop_rule=False)
    return lesson, trainer


def test_a_split_set_mid_run_has_validation_losses_from_that_step_on():
    lesson, trainer = split_set_mid_run()
    run = keep(trainer)
    every = np.arange(len(lesson.inputs))
    train, held = numpy_split(len(every), FRACTION, SEED)
    # rows 0-4 trained on (and measured over) every sample; row 5, where the split was
    # set, is measured again over the training samples
    expected = by_hand(lesson, [(every, None)] * 5 + [(train, held)] * 6)
    np.testing.assert_allclose(run.loss, expected[:, 0], rtol=1e-12)
    assert run.val_loss is not None
    assert np.isnan(run.val_loss[:5]).all()
    np.testing.assert_allclose(run.val_loss[5:], expected[5:, 1], rtol=1e-12)
    assert training_loss_name(run.steps, run.val_loss) == \
        "training (all samples at steps 0–4)"


@pytest.mark.parametrize("val_loss, stretches, name", [
    ([1.0, 1.0, 1.0], [], "training"),
    ([math.nan] * 3, [(0, 20)], "all samples"),
    ([math.nan, 1.0, 1.0], [(0, 0)], "training (all samples at step 0)"),
    ([1.0, math.nan, math.nan], [(10, 20)], "training (all samples at steps 10–20)"),
    ([math.nan, 1.0, math.nan], [(0, 0), (20, 20)],
     "training (all samples at steps 0, 20)"),
])
def test_the_loss_curve_is_named_for_the_samples_each_row_is_over(val_loss, stretches, name):
    steps = np.array([0, 10, 20])
    assert steps_without_validation(steps, np.array(val_loss)) == stretches
    assert training_loss_name(steps, np.array(val_loss)) == name


def test_more_stretches_than_a_legend_line_holds_are_cut_short():
    steps = np.arange(7)
    val = np.array([math.nan, 1, math.nan, 1, math.nan, 1, 1])
    assert steps_without_validation(steps, val) == [(0, 0), (2, 2), (4, 4)]
    assert training_loss_name(steps, val) == "training (all samples at steps 0, 2, …)"


@pytest.mark.parametrize("val_loss, name", [
    (None, "SGD lr 0.3"),  # never a split
    ([1.0, 1.0, 1.0], "SGD lr 0.3"),  # a split throughout: no note, as short as before
    ([math.nan] * 3, "SGD lr 0.3"),
    ([math.nan, math.nan, 1.0], "SGD lr 0.3 (all samples at steps 0–10)"),  # set at 20
    ([1.0, math.nan, math.nan], "SGD lr 0.3 (all samples at steps 10–20)"),  # cleared
    ([math.nan, 1.0, math.nan], "SGD lr 0.3 (all samples at steps 0, 20)"),
])
def test_a_kept_runs_loss_is_named_as_this_runs_is(val_loss, name):
    steps = np.array([0, 10, 20])
    val = None if val_loss is None else np.array(val_loss)
    assert kept_loss_name("SGD lr 0.3", steps, val) == name


# --- the lesson file ---------------------------------------------------------------
def lesson_with_runs():
    """sgd-line with two runs kept: one with a split set mid-run, one without a split."""
    lesson, trainer = split_set_mid_run()
    mixed = keep(trainer)
    plain = sgd_line().trainer()
    plain.run(4, respect_stop_rule=False)
    lesson.runs = (mixed, keep(plain, [mixed]))
    return lesson


def test_kept_validation_losses_are_saved_and_reopened():
    lesson = lesson_with_runs()
    text = json.dumps(lesson.to_dict(), allow_nan=False)  # NaN written as null
    saved = json.loads(text)["runs"]
    assert saved[0]["val_loss"][:5] == [None] * 5 and "val_loss" not in saved[1]
    again = lesson_from_json(text)
    # NaN where there was none, None without a split (a file keeps no settings)
    assert again.runs == as_read(lesson.runs)
    assert again.runs[1].val_loss is None
    # and the autosave's halves (arrays written as binary)
    data, arrays = lesson.to_parts()
    assert lesson_from_parts(data, arrays).runs == as_read(lesson.runs)


def as_read(runs):
    """Runs as a file gives them back: without the settings that made them."""
    return tuple(dataclasses.replace(run, settings=()) for run in runs)


def test_a_file_from_before_kept_validation_losses_opens():
    lesson = lesson_with_runs()
    data = lesson.to_dict()
    for run in data["runs"]:
        run.pop("val_loss", None)
    again = lesson_from_json(json.dumps(data))
    assert [r.val_loss for r in again.runs] == [None, None]
    np.testing.assert_array_equal(again.runs[0].loss, lesson.runs[0].loss)


@pytest.mark.parametrize("val_loss, field", [
    ("yes", "runs[0].val_loss"),
    ({"0": 1.0}, "runs[0].val_loss"),
    ([1.0], "runs[0].val_loss"),  # a run of two rows
    ([1.0, 2.0, 3.0], "runs[0].val_loss"),
    ([1.0, "x"], "runs[0].val_loss[1]"),
    ([1.0, True], "runs[0].val_loss[1]"),
    ([1.0, float("nan")], "runs[0].val_loss[1]"),
    ([1.0, float("inf")], "runs[0].val_loss[1]"),
    ([[1.0], 2.0], "runs[0].val_loss[0]"),
    ([1.0, "9" * 400], "runs[0].val_loss[1]"),
])
def test_hostile_kept_validation_losses_are_refused_naming_the_field(val_loss, field):
    data = load_preset("narrow-valley").to_dict()
    data["runs"] = [{"name": "a", "visible": True, "steps": [0, 5], "loss": [1.0, 0.5],
                     "params": [[0.0, 0.0, 0.0], [0.1, 0.2, 0.3]], "val_loss": val_loss}]
    text = json.dumps(data).replace('"' + "9" * 400 + '"', "9" * 400)
    with pytest.raises(LessonError) as caught:
        lesson_from_json(text)
    message = str(caught.value)
    assert message.startswith(f"{field}:") and "\n" not in message, message


def autosave_halves():
    """The halves an autosave writes of sgd-line with a run kept (a split set mid-run)."""
    lesson, trainer = split_set_mid_run()
    lesson.runs = (keep(trainer),)
    return lesson.to_parts()


@pytest.mark.parametrize("wrong", [
    lambda column: np.array(1.5),  # a single number
    lambda column: column[:, None],  # a table, not a column
    lambda column: column.reshape(1, 1, -1),
    lambda column: column.astype(str),  # text: not taken for numbers
    lambda column: column > 0,  # true/false
    lambda column: column + 1j,
], ids=["number", "table", "3-d", "text", "true-false", "complex"])
def test_an_autosaves_validation_column_of_another_shape_or_kind_is_refused_naming_it(wrong):
    # A column of two dimensions raised a TypeError (and one of text loaded as numbers):
    # the autosave was said to be damaged, not what was wrong in it.
    data, arrays = autosave_halves()
    arrays["runs.0.val_loss"] = wrong(arrays["runs.0.val_loss"])
    with pytest.raises(LessonError) as caught:
        lesson_from_parts(data, arrays)
    message = str(caught.value)
    assert message.startswith("runs[0].val_loss") and "\n" not in message, message


def test_the_start_says_which_field_of_an_autosaves_arrays_is_wrong(session, tmp_path):
    import zlib

    from gui.autosave import Autosave, find_recoveries

    s = sgd_line_session(session)
    trained(s, "0.3")
    assert s.keep_run()
    autosave = Autosave(s, tmp_path)
    autosave.save_on_exit()  # gone with its work unsaved
    state = json.loads(autosave.state_path.read_text())
    ref = state["lesson_arrays"]
    with np.load(tmp_path / ref["file"]) as saved:
        arrays = dict(saved)
    arrays["runs.0.val_loss"] = arrays["runs.0.val_loss"][:, None]
    np.savez(tmp_path / ref["file"], **arrays)  # whole, by its size and CRC: only wrong
    data = (tmp_path / ref["file"]).read_bytes()
    ref.update(bytes=len(data), crc32=zlib.crc32(data))
    autosave.state_path.write_text(json.dumps(state))
    found, (said,) = find_recoveries(tmp_path)
    assert found == []
    assert f"({autosave.state_path.name}: runs[0].val_loss" in said, said


def test_a_run_whose_validation_losses_are_all_null_has_none():
    data = load_preset("narrow-valley").to_dict()
    data["runs"] = [{"name": "a", "steps": [0, 5], "loss": [1.0, 0.5],
                     "params": [[0.0, 0.0, 0.0], [0.1, 0.2, 0.3]], "val_loss": [None, None]}]
    (run,) = lesson_from_json(json.dumps(data)).runs
    assert run.val_loss is None


# --- the Session ---------------------------------------------------------------------
def trained(s, rate: str, steps: int = 20):
    """Reset to the start at learning rate `rate` and take `steps` steps."""
    assert s.set_learning_rate(rate)
    s.reset()
    s.advance(steps)
    s.finish_training(None)


def sgd_line_session(session):
    s = session("sgd-line")
    assert s.set_batching("0") and s.set_validation(str(FRACTION), str(SEED))
    return s


def test_the_session_keeps_each_runs_validation_losses_undoably(session, qtbot):
    s = sgd_line_session(session)
    trained(s, "0.1")
    val_loss = s.history.val_loss.copy()
    with qtbot.waitSignal(s.runsChanged), qtbot.waitSignal(
            s.message, check_params_cb=lambda text: "with its validation loss" in text):
        assert s.keep_run()
    trained(s, "0.3")
    with qtbot.waitSignal(s.runsChanged):
        assert s.keep_run()
    first, second = s.kept_runs
    np.testing.assert_array_equal(first.val_loss, val_loss)
    np.testing.assert_array_equal(second.val_loss, s.history.val_loss)
    assert not np.allclose(first.val_loss, second.val_loss)  # each its own
    with qtbot.waitSignal(s.runsChanged):
        assert s.remove_run(0)
    assert s.kept_runs == [second]
    s.undo_stack.undo()
    assert s.kept_runs == [first, second]


def test_a_locked_lessons_runs_keep_their_validation_losses(session, qtbot, panel_on, tmp_path):
    from engine.lock import PANELS, Lock
    from gui.session import session_for

    s = sgd_line_session(session)
    trained(s, "0.1")
    s.keep_run()
    s.set_lock(Lock(tuple(PANELS), (), ("learning_rate",), False))
    s.save(tmp_path / "locked.json")
    again = session_for(tmp_path / "locked.json")
    (run,) = again.kept_runs
    np.testing.assert_array_equal(run.val_loss, s.kept_runs[0].val_loss)
    with qtbot.assertNotEmitted(again.runsChanged), qtbot.waitSignal(again.refused):
        assert not again.set_run_visible(0, False)


# --- the loss plot on a bare Session --------------------------------------------------
@pytest.fixture
def panel_on(qtbot):
    """make(panel class, session) -> that panel over the bare Session, closed with the test."""

    def make(panel_class, s):
        panel = panel_class(s)
        qtbot.addWidget(panel)
        return panel

    return make


def legend_texts(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def test_the_loss_plot_draws_each_kept_runs_validation_curve_dotted(session, panel_on):
    from PySide6.QtCore import Qt

    from gui.panels.loss import LossPlot

    s = sgd_line_session(session)
    plot = panel_on(LossPlot, s)
    trained(s, "0.3")
    s.keep_run()
    trained(s, "0.1")
    s.keep_run()
    trained(s, "0.05")
    plot.refresh()
    first, second = s.kept_runs
    for k, run in enumerate((first, second)):
        curve = plot.kept_val_curves[k]
        np.testing.assert_array_equal(curve.xData, run.steps)
        np.testing.assert_array_equal(curve.yData, run.val_loss)
        pen = curve.opts["pen"]
        assert pen.style() == Qt.DotLine
        # the run's colour: the same as its training curve's (which is dashed)
        assert pen.color() == plot.kept_curves[k].opts["pen"].color()
        assert plot.kept_curves[k].opts["pen"].style() == Qt.DashLine
    assert first.name == "SGD lr 0.3"
    assert legend_texts(plot) == [
        "current run (SGD lr 0.05): training", "validation", "kept: SGD lr 0.3",
        "kept: SGD lr 0.3 (validation)", "kept: SGD lr 0.1", "kept: SGD lr 0.1 (validation)"]
    # The names on a card of the plot's background (they sat over the curves: a curve
    # crossed out "SGD lr 1 (validation)", seen at 1280x800).
    import pyqtgraph as pg

    card = plot.legend.opts["brush"].color()
    assert card.rgb() == pg.mkColor(pg.getConfigOption("background")).rgb()
    assert card.alpha() >= 200
    s.set_run_visible(0, False)  # hidden together
    plot.refresh()
    assert plot.kept_val_curves[0].xData is None or len(plot.kept_val_curves[0].xData) == 0
    assert legend_texts(plot) == ["current run (SGD lr 0.05): training", "validation",
                                  "kept: SGD lr 0.1", "kept: SGD lr 0.1 (validation)"]
    s.remove_run(1)  # removed together
    plot.refresh()
    # alone, still named by its settings (a student did not know what the curve was)
    assert legend_texts(plot) == ["current run (SGD lr 0.05): training", "validation"]
    assert all(c.xData is None or len(c.xData) == 0 for c in plot.kept_val_curves)


def test_a_run_without_a_split_adds_no_validation_entry(session, panel_on):
    from gui.panels.loss import LossPlot

    s = session("sgd-line")
    assert s.set_batching("0")
    plot = panel_on(LossPlot, s)
    trained(s, "0.1")
    s.keep_run()
    plot.refresh()
    # the current run named as a kept run is (a student read "this run" as nothing), and
    # the kept run said to be kept (a tester did not know which curve was which)
    assert legend_texts(plot) == ["current run (SGD lr 0.1)", "kept: SGD lr 0.1"]
    assert plot.kept_val_curves[0].xData is None or len(plot.kept_val_curves[0].xData) == 0


def test_a_split_set_mid_run_names_the_earlier_loss_as_over_all_samples(session, panel_on):
    from gui.panels.loss import LossPlot

    s = session("sgd-line")
    assert s.set_batching("0")
    plot = panel_on(LossPlot, s)
    s.advance(5)
    s.finish_training(None)
    assert s.set_validation(str(FRACTION), str(SEED))
    s.advance(5)
    s.finish_training(None)
    plot.refresh()
    assert legend_texts(plot) == [
        "current run (SGD lr 0.1): training (all samples at steps 0–4)", "validation"]
    # the validation curve starts where the split was set
    np.testing.assert_array_equal(plot.val_curve.xData[np.isfinite(plot.val_curve.yData)],
                                  np.arange(5, 11))


def test_a_kept_runs_legend_tells_where_its_split_was_set_or_cleared_partway(
        session, panel_on):
    # As the live run's does: its loss before the split was over every sample (seen at
    # 1280x800: a kept run set mid-run was named by its name alone).
    from gui.panels.loss import LossPlot

    s = session("sgd-line")
    assert s.set_batching("0")
    plot = panel_on(LossPlot, s)
    s.advance(5)  # rows 0-4 over every sample
    s.finish_training(None)
    assert s.set_validation(str(FRACTION), str(SEED))
    s.advance(5)
    s.finish_training(None)
    assert s.keep_run()
    trained(s, "0.3", 10)  # rows 0-9 with the split
    assert s.set_validation("0")  # rows 10-12 over every sample again
    s.advance(2)
    s.finish_training(None)
    assert s.keep_run()
    trained(s, "0.05", 4)  # no split throughout: the run's name alone
    assert s.keep_run()
    set_mid, cleared, plain = (run.name for run in s.kept_runs)
    plot.refresh()
    assert legend_texts(plot) == [
        # lr 0.05 with no split, beside a run kept with one: that difference is said
        "current run (SGD lr 0.05, no validation)",
        f"kept: {set_mid} (all samples at steps 0–4)", f"kept: {set_mid} (validation)",
        f"kept: {cleared} (all samples at steps 10–12)", f"kept: {cleared} (validation)",
        f"kept: {plain}"]


def test_a_reopened_lessons_kept_validation_curves_are_drawn_from_the_start(
        session, panel_on, tmp_path):
    from gui.panels.loss import LossPlot
    from gui.session import session_for

    s = sgd_line_session(session)
    trained(s, "0.3")
    s.keep_run()
    s.save(tmp_path / "runs.json")
    plot = panel_on(LossPlot, session_for(tmp_path / "runs.json"))
    (run,) = s.kept_runs
    np.testing.assert_array_equal(plot.kept_val_curves[0].yData, run.val_loss)
    assert "kept: SGD lr 0.3 (validation)" in legend_texts(plot)


def test_the_training_panels_list_tells_a_runs_last_validation_loss(session, panel_on):
    from engine.explain import fmt
    from gui.panels.training import TrainingPanel

    s = sgd_line_session(session)
    panel = panel_on(TrainingPanel, s)
    trained(s, "0.3")
    s.keep_run()
    assert s.set_validation("0")
    trained(s, "0.1")
    s.keep_run()
    with_split, without = (panel.kept.item(k).toolTip() for k in range(2))
    last = s.kept_runs[0].val_loss[-1]
    assert f"validation loss {fmt(float(last), 6)} (dotted) at the end" in with_split
    assert s.kept_runs[1].name == "SGD lr 0.1, no validation"
    assert "validation loss" not in without


def test_a_runs_validation_loss_is_told_where_its_split_was_cleared_before_the_end(
        session, panel_on):
    # Its last row has no validation loss, but the plot draws the dotted curve up to the
    # step the split was cleared: the tooltip tells its last value and that step.
    from engine.explain import fmt
    from gui.panels.training import TrainingPanel

    s = sgd_line_session(session)
    panel = panel_on(TrainingPanel, s)
    s.advance(10)
    s.finish_training(None)
    assert s.set_validation("0")  # row 10 is measured again, over every sample
    s.advance(5)
    s.finish_training(None)
    s.keep_run()
    (run,) = s.kept_runs
    train, held = numpy_split(len(s.trainer.inputs), FRACTION, SEED)
    expected = by_hand(sgd_line(), [(train, held)] * 10)[-1, 1]  # row 9's, before update 9
    assert run.last_validation() == (9, pytest.approx(expected, rel=1e-12))
    tip = panel.kept.item(0).toolTip()
    assert f"validation loss {fmt(run.last_validation()[1], 6)} (dotted) at step 9" in tip
    assert "to step 15" in tip
