"""Nothing a user does loses work or crashes the app."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton

from engine import PRESETS, LessonError, load_preset
from engine.lesson import lesson_from_json
from engine.presets import preset_text
from gui import create_window
from gui.autosave import pending_recovery, restore

ROOT = Path(__file__).resolve().parents[1]




def test_autosave_then_restore_gives_back_values_and_history(window, qtbot, tmp_path):
    w = window("statquest-all")
    w.autosave.folder = tmp_path
    w.autosave.state_path = tmp_path / "autosave.json"
    w.autosave.history_path = tmp_path / "autosave-history.npz"
    for _ in range(3):
        w.controls.step()
    assert w.autosave.save()
    state = pending_recovery(tmp_path)
    assert state is not None and state["steps_done"] == 3
    other = window("single-weight")
    restore(other.session, state, tmp_path)
    assert other.session.trainer.steps_done == 3
    # every panel shows the restored step, not step 0
    assert other.controls.counter.text().strip() == "step 3"
    assert other.history_slider.label.text() == "3 / 3"
    assert other.history.model().rowCount() == 4
    np.testing.assert_array_equal(other.session.network.params, w.session.network.params)
    np.testing.assert_array_equal(other.session.trainer.history.loss,
                                  w.session.trainer.history.loss)
    assert w.files.save_to(tmp_path / "saved.json")
    w.autosave.save_on_exit()
    assert pending_recovery(tmp_path) is None  # a clean exit with everything saved


def test_sigkill_then_restore_from_autosave(window, tmp_path):
    lesson = load_preset("statquest-all")
    lesson.title = "Killed mid-lesson"
    lesson.network.params[:] = np.arange(1, 8) / 10
    path = tmp_path / "mine.json"
    lesson.save(path)
    data_home = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(data_home),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, "-m", "gui.launcher", str(path), "--autosave-now"],
                            cwd=ROOT, env=env)
    try:
        deadline = time.time() + 30
        saved = data_home / "Backprop Lab" / "Backprop Lab" / "autosave.json"
        while not saved.exists() and time.time() < deadline:
            time.sleep(0.1)
        assert saved.exists(), "the app never autosaved"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    state = pending_recovery(saved.parent)
    assert state is not None and state["lesson"]["title"] == "Killed mid-lesson"
    w = window("single-weight")
    restore(w.session, state, saved.parent)
    assert w.session.lesson.title == "Killed mid-lesson"
    np.testing.assert_allclose(w.session.network.params, np.arange(1, 8) / 10)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_caught_and_the_window_still_works(window, qtbot):
    from gui import errors

    w = window()
    old = sys.excepthook
    errors.install()
    try:
        boom = QPushButton("boom", w)

        def fail():
            raise RuntimeError("a bug in a slot")

        boom.clicked.connect(fail)
        qtbot.mouseClick(boom, Qt.LeftButton)
        from PySide6.QtWidgets import QApplication, QMessageBox
        box = next(b for b in QApplication.topLevelWidgets()
                   if isinstance(b, QMessageBox) and b.objectName() == "errorDialog"
                   and b.isVisible())
        assert "a bug in a slot" in box.text()
        assert "RuntimeError" in box.detailedText()
        assert "a bug in a slot" in errors.log_path().read_text()
        box.close()
        w.controls.step()
        assert w.session.trainer.steps_done == 1
    finally:
        sys.excepthook = old


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-0", "1e400", ""])
def test_every_field_survives_bad_text(window, qtbot, text):
    w = window("house-price")
    before = w.session.network.params.copy()
    rate = w.session.trainer.learning_rate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fields = [e for e in w.findChildren(QLineEdit)
                  if e.objectName().startswith("param_") or e.objectName() == "learningRate"]
        assert len(fields) == 10
        for edit in fields:
            edit.setFocus()
            edit.selectAll()
            qtbot.keyClicks(edit, text)
            qtbot.keyClick(edit, Qt.Key_Return)
        for r in range(w.data_panel.table.rowCount()):
            w.data_panel.table.item(r, 0).setText(text)
    if text == "-0":  # a real number: accepted as 0 everywhere but the learning rate
        assert np.all(w.session.network.params == 0)
        assert w.session.trainer.learning_rate == rate
    else:
        np.testing.assert_array_equal(w.session.network.params, before)
        assert w.session.trainer.learning_rate == rate
    w.controls.step()  # and it still steps


def test_extremes_never_warn_and_divergence_is_explained(window, qtbot):
    w = window("statquest-all")
    s = w.session
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in s.network.param_names:
            s.set_param(name, "1e6")
        s.set_data(np.array([[1e6], [-1e6], [0.0]]), np.array([[1e6], [0.0], [-1e6]]))
        for rate in ("1e-9", "1e3"):
            s.set_learning_rate(rate)
            w.controls.run_action.trigger()
            qtbot.waitUntil(lambda: not s.running, timeout=5000)
            for dock in ("tangent", "landscape", "gradcheck", "loss"):
                w.docks[dock].raise_()
                qtbot.wait(20)
    assert np.all(np.isfinite(s.network.params))
    assert "diverged" in w.statusBar().currentMessage() or s.trainer.steps_done > 0


# --- the loader never fails with anything but its own error --------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated_lessons(draw):
    data = json.loads(preset_text(draw(st.sampled_from(PRESETS))))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    text = json.dumps(data)
    if draw(st.integers(0, 9)) == 0:  # now and then, a truncated file
        text = text[: draw(st.integers(0, len(text)))]
    return text


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_lessons())
def test_fuzzed_lessons_load_or_raise_lesson_error(text):
    try:
        lesson = lesson_from_json(text)
    except LessonError as exc:
        assert str(exc)
        return
    lesson.trainer().run(3, respect_stop_rule=False)  # a lesson that loads also runs


def test_huge_and_wide_files_are_refused_quickly(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(1024**3)  # a sparse 1 GB file
    start = time.perf_counter()
    with pytest.raises(LessonError, match="MB"):
        from engine import load_lesson
        load_lesson(big)
    assert time.perf_counter() - start < 5
    wide = json.loads(preset_text("statquest-b3"))
    wide["layers"][0]["neurons"] = 10_000
    with pytest.raises(LessonError, match="neurons"):
        lesson_from_json(json.dumps(wide))


def test_a_lesson_with_huge_values_opens_without_warnings(qtbot, tmp_path):
    data = json.loads(preset_text("statquest-all"))
    data["weights"] = [[[1e300], [-1e300]], [[1e300, 1e300]]]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = create_window(str(path))
        qtbot.addWidget(w)
        w.show()
        for dock in ("tangent", "landscape", "gradcheck", "history", "quiz", "loss", "data"):
            w.docks[dock].raise_()
            qtbot.wait(20)
        w.controls.step()
        qtbot.wait(50)
    assert "diverged" in w.statusBar().currentMessage()


def test_closing_with_unsaved_changes_offers_them_at_the_next_start(window, tmp_path):
    w = window("statquest-b3")
    w.autosave.state_path = tmp_path / "autosave.json"
    w.autosave.history_path = tmp_path / "autosave-history.npz"
    w.controls.step()
    w.close()
    state = pending_recovery(tmp_path)
    assert state is not None and state["steps_done"] == 1
    clean = window("statquest-b3")
    clean.autosave.state_path = tmp_path / "autosave.json"
    clean.autosave.history_path = tmp_path / "autosave-history.npz"
    clean.close()
    assert pending_recovery(tmp_path) is None


def test_replacing_unsaved_work_asks_first(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    w = window("statquest-b3")
    w.controls.step()
    monkeypatch.setattr(w.files, "ask_unsaved", lambda: QMessageBox.Cancel)
    assert not w.files.confirm_discard()
    monkeypatch.setattr(w.files, "ask_unsaved", lambda: QMessageBox.Discard)
    assert w.files.confirm_discard()
    w.session.path = tmp_path / "kept.json"
    monkeypatch.setattr(w.files, "ask_unsaved", lambda: QMessageBox.Save)
    assert w.files.confirm_discard() and (tmp_path / "kept.json").exists()


def test_the_start_offers_recovery_and_restores(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import offer_recovery

    w = window("statquest-all")
    w.autosave.state_path = tmp_path / "autosave.json"
    w.autosave.history_path = tmp_path / "autosave-history.npz"
    for _ in range(2):
        w.controls.step()
    w.autosave.save()
    fresh = window("statquest-b3")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    offer_recovery(fresh, pending_recovery(tmp_path),
                   lambda session, state: restore(session, state, tmp_path))
    assert fresh.session.trainer.steps_done == 2
    assert fresh.session.lesson.title == w.session.lesson.title
