"""Save keeps what a teacher means (issue 16): the starting values (what Reset returns to)
and the settings; Save with progress also the steps so far, so reopening shows exactly
what was saved and Reset still goes to the start. Every lesson the app writes loads back
identically; a file from a newer format is refused in one line."""

import json

import numpy as np
import pytest

from engine import PRESETS, Layer, LessonError, load_lesson, load_preset
from engine.builder import build_lesson
from engine.initialise import SCHEMES, initialise
from engine.lesson import VERSION, lesson_from_dict
from engine.presets import preset_text


def history_columns(trainer):
    h = trainer.history
    return {"steps": h.steps, "loss": h.loss, "params": h.params, "grads": h.grads,
            "step_sizes": h.step_sizes, "state": h.state}


def test_save_writes_the_starting_values_so_reset_still_goes_to_the_start(session,
                                                                          tmp_path):
    s = session("statquest-all")
    assert s.set_learning_rate("0.05")
    for _ in range(3):
        s.step()
    path = tmp_path / "lesson.json"
    s.save(path)
    start = load_preset("statquest-all").network.params  # the preset's own numbers
    again = session(str(path))
    np.testing.assert_array_equal(again.network.params, start)
    assert again.steps_done == 0 and again.learning_rate == 0.05  # settings are kept
    again.step()
    again.reset()
    np.testing.assert_array_equal(again.network.params, start)
    assert "version" in json.loads(path.read_text()) and not s.dirty


def test_save_with_progress_reopens_exactly_where_it_was(session, tmp_path):
    s = session("statquest-all")
    s.step()
    assert s.set_optimizer("adam", {"beta1": "0.8"})
    assert s.set_batching("1", "3")
    for _ in range(4):
        s.step()
    expected = s.update("w1")
    path = tmp_path / "run.json"
    s.save(path, progress=True)
    again = session(str(path))
    assert again.steps_done == 5
    for key, column in history_columns(s.trainer).items():
        np.testing.assert_array_equal(history_columns(again.trainer)[key], column, key)
    assert again.trainer.optimizer_from == s.trainer.optimizer_from == 1
    np.testing.assert_array_equal(again.network.params, s.network.params)
    got = again.update("w1")
    assert (got.t, got.step_size, dict(got.before)) == \
           (expected.t, expected.step_size, dict(expected.before))
    s.step()
    again.step()  # the same next step, bit for bit
    np.testing.assert_array_equal(again.network.params, s.network.params)
    again.reset()  # Reset still goes to the start, not to where the file was saved
    np.testing.assert_array_equal(again.network.params,
                                  load_preset("statquest-all").network.params)
    # Ctrl+S on a file that holds a run keeps writing the run
    again.save(path)
    assert "progress" in json.loads(path.read_text())


def test_a_file_from_a_newer_app_is_refused_in_one_line():
    d = json.loads(preset_text("statquest-b3"))
    d["version"] = VERSION + 1
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(d)
    text = str(caught.value)
    assert text.startswith("version:") and "newer" in text and "\n" not in text


@pytest.mark.parametrize("fault, field", [
    (lambda p: p.update(version=1), "progress"),
    (lambda p: p["progress"].update(steps=[0, 0]), "progress.steps"),
    (lambda p: p["progress"]["params"][0].append(1.0), "progress.params[0]"),
    (lambda p: p["progress"].update(loss=[1.0, "x"]), "progress.loss[0][1]"),
    (lambda p: p["progress"].update(state=[[1.0, 2.0, 3.0]] * 2), "progress.state"),
])
def test_damaged_progress_is_refused_naming_the_field(session, tmp_path, fault, field):
    s = session("single-weight")
    assert s.set_optimizer("momentum", {"momentum": "0.5"})
    s.step()
    s.save(tmp_path / "run.json", progress=True)
    d = json.loads((tmp_path / "run.json").read_text())
    fault(d)
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(d)
    assert str(caught.value).startswith(f"{field}:")


def saved_and_loaded(lesson, path):
    lesson.save(path)
    return load_lesson(path)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_round_trips_through_the_app_with_and_without_progress(name, session,
                                                                            tmp_path):
    s = session(name)
    for _ in range(3):
        s.step()
    for progress in (False, True):
        written = s.lesson.as_set_by(s.trainer, progress)
        again = saved_and_loaded(written, tmp_path / "a.json")
        assert again.to_dict() == written.to_dict()
        twice = saved_and_loaded(again, tmp_path / "b.json")
        assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
        np.testing.assert_array_equal(twice.network.params, load_preset(name).network.params)
        assert (twice.progress is not None) is progress


@pytest.mark.parametrize("seed", range(6))
def test_random_lessons_round_trip(seed, tmp_path):
    rng = np.random.default_rng(seed)
    base = load_preset(str(rng.choice(["statquest-all", "house-price", "mazur-2-2-2"])))
    hidden = [Layer(int(rng.integers(1, 5)), str(rng.choice(["relu", "sigmoid", "tanh"])),
                    bool(rng.integers(0, 2))) for _ in range(int(rng.integers(0, 3)))]
    lesson = build_lesson(base, hidden, Layer(1, "identity"), "mse", "sequential",
                          int(rng.integers(0, 1000)))
    initialise(lesson.network, str(rng.choice(list(SCHEMES))), int(rng.integers(0, 99)))
    from engine.optimizers import Optimizer

    lesson.optimizer = Optimizer(str(rng.choice(["sgd", "momentum", "adam"])))
    trainer = lesson.trainer()
    trainer.run(int(rng.integers(0, 20)))
    for progress in (False, True):
        written = lesson.as_set_by(trainer, progress)
        again = saved_and_loaded(written, tmp_path / f"{progress}.json")
        assert json.dumps(again.to_dict()) == json.dumps(written.to_dict())
        if progress:
            np.testing.assert_array_equal(again.trainer_with_progress().network.params,
                                          trainer.network.params)


def test_save_with_progress_is_in_the_file_menu(window, tmp_path):
    w = window("statquest-b3")
    w.controls.step()
    texts = [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    assert "Save with progress…" in texts
    assert w.files.save_to(tmp_path / "run.json", progress=True)
    assert json.loads((tmp_path / "run.json").read_text())["progress"]["steps"] == [0, 1]


def test_a_long_run_is_saved_thinned_evenly_and_reopens_at_its_last_step(session,
                                                                         tmp_path,
                                                                         monkeypatch):
    import engine.lesson

    s = session("statquest-all")
    s.trainer.run(500, respect_stop_rule=False)
    width = 3 * len(s.network.params) + 2
    monkeypatch.setattr(engine.lesson, "MAX_PROGRESS_NUMBERS", 40 * width)
    s.save(tmp_path / "long.json", progress=True)
    saved = json.loads((tmp_path / "long.json").read_text())["progress"]
    assert len(saved["steps"]) == 40 and saved["steps"][0] == 0 and saved["steps"][-1] == 500
    again = session(str(tmp_path / "long.json"))
    assert again.steps_done == 500
    np.testing.assert_array_equal(again.network.params, s.network.params)
    assert again.loss == s.loss


def test_a_lesson_the_format_cannot_hold_is_refused_not_a_crash(window, tmp_path,
                                                                monkeypatch):
    w = window("statquest-b3")
    w.controls.step()
    w.session.trainer.history.loss[-1] = float("nan")  # as if a step had gone wrong
    assert not w.files.save_to(tmp_path / "bad.json", progress=True)
    assert not (tmp_path / "bad.json").exists()
    assert "Nothing was written" in w.statusBar().currentMessage()
    assert w.session.dirty


def test_save_as_after_opening_a_file_with_progress_writes_a_fresh_copy(window, tmp_path,
                                                                       monkeypatch):
    """A teacher opens a run saved with its steps and hands out the lesson at its start:
    Save as… writes the start (Reset's values), Save with progress… the steps, and
    Ctrl+S into the opened file keeps writing what it held."""
    from PySide6.QtWidgets import QFileDialog

    w = window("statquest-all")
    for _ in range(3):
        w.controls.step()
    run = tmp_path / "run.json"
    assert w.files.save_to(run, progress=True)
    assert w.files.open(str(run)) and w.session.steps_done == 3
    chosen = iter([tmp_path / "fresh.json", tmp_path / "again.json"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a: (str(next(chosen)), "Lessons (*.json)"))
    assert w.files.save_as()
    fresh = json.loads((tmp_path / "fresh.json").read_text())
    assert "progress" not in fresh
    start = load_preset("statquest-all").network.params  # the preset's own numbers
    assert w.session.steps_done == 3  # the window still shows where it was
    np.testing.assert_array_equal(load_lesson(tmp_path / "fresh.json").network.params, start)
    assert w.files.save()  # Ctrl+S into the fresh copy keeps it fresh
    assert "progress" not in json.loads((tmp_path / "fresh.json").read_text())
    assert w.files.save_with_progress()
    assert json.loads((tmp_path / "again.json").read_text())["progress"]["steps"] == \
        [0, 1, 2, 3]
    assert json.loads(run.read_text())["progress"]["steps"] == [0, 1, 2, 3]  # untouched
