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
from conftest import leave_with_unsaved_work
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from engine import PRESETS, LessonError, load_preset
from engine.lesson import lesson_from_json
from engine.presets import preset_text
from gui import create_window
from gui.autosave import files_of, find_recoveries, restore

ROOT = Path(__file__).resolve().parents[1]




@pytest.fixture
def data_home(qtbot, monkeypatch, tmp_path):
    """The app's data folder (where autosaves go) inside this test's own folder."""
    from gui.autosave import data_folder

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return data_folder()


def test_autosave_then_restore_gives_back_values_and_history(window, data_home):
    w = window("statquest-all")
    for _ in range(3):
        w.controls.step()
    params, loss = w.session.network.params.copy(), w.session.trainer.history.loss.copy()
    leave_with_unsaved_work(w)  # with unsaved changes: they stay on offer
    found, damaged = find_recoveries(data_home)
    assert damaged == [] and len(found) == 1 and found[0].steps_done == 3
    other = window("single-weight")
    text, whole = restore(other.session, found[0], other.autosave)
    assert whole and "step 3" in text
    assert other.session.trainer.steps_done == 3
    # every panel shows the restored step, not step 0
    assert other.controls.counter.text().strip() == "step 3"
    assert other.history_slider.label.text() == "3 / 3"
    assert other.history.model().rowCount() == 4
    np.testing.assert_array_equal(other.session.network.params, params)
    np.testing.assert_array_equal(other.session.trainer.history.loss, loss)
    # the work now lives in the restoring window's autosave, offered to no other start
    assert find_recoveries(data_home) == ([], [])
    assert other.files.save_to(data_home / "saved.json")
    other.close()
    assert find_recoveries(data_home) == ([], [])  # a clean exit leaves nothing on offer
    assert sorted(p.name for p in data_home.iterdir()) == ["saved.json"]


def test_sigkill_then_restore_from_autosave_and_never_while_it_runs(window, tmp_path):
    lesson = load_preset("statquest-all")
    lesson.title = "Killed mid-lesson"
    lesson.network.params[:] = np.arange(1, 8) / 10
    path = tmp_path / "mine.json"
    lesson.save(path)
    data_home = tmp_path / "data"
    folder = data_home / "Backprop Lab" / "Backprop Lab"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(data_home),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, "-m", "gui.launcher", str(path), "--autosave-now"],
                            cwd=ROOT, env=env)
    try:
        deadline = time.time() + 30
        while not list(folder.glob("autosave-*.json")) and time.time() < deadline:
            time.sleep(0.1)
        assert list(folder.glob("autosave-*.json")), "the app never autosaved"
        # a second copy starting now is not offered the first copy's live work
        assert find_recoveries(folder) == ([], [])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    found, damaged = find_recoveries(folder)  # its lock is stale now: its process is gone
    assert damaged == [] and [r.lesson.title for r in found] == ["Killed mid-lesson"]
    w = window("single-weight")
    restore(w.session, found[0], w.autosave)
    assert w.session.lesson.title == "Killed mid-lesson"
    np.testing.assert_allclose(w.session.network.params, np.arange(1, 8) / 10)


def test_two_copies_keep_their_own_autosaves(window, data_home):
    a = window("statquest-all")
    a.controls.step()
    assert a.autosave.save()
    saved_a = a.autosave.state_path.read_bytes()
    b = window("statquest-b3")
    assert find_recoveries(data_home) == ([], [])  # a is running: not b's to offer
    b.controls.step()
    b.controls.step()
    assert b.autosave.save()
    b.files.save_to(data_home / "b.json")
    b.close()  # clean: b's own autosave goes, a's stays as it was
    assert a.autosave.state_path.read_bytes() == saved_a
    assert find_recoveries(data_home) == ([], [])
    leave_with_unsaved_work(a)  # a goes with unsaved work: now it is on offer, with a's step
    found, _ = find_recoveries(data_home)
    assert [(r.lesson.title, r.steps_done) for r in found] == [(a.session.lesson.title, 1)]
    found[0].leave()


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
            w.data_panel.table.edit_cell(r, 0, text)
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


def test_a_wide_networks_autosave_keeps_few_rows_and_stays_small():
    """2,000 rows of a 66,561-parameter network made a 660 MB autosave every 2 s."""
    from engine.training import History
    from gui.autosave import MAX_SAVED_BYTES, MAX_SAVED_ROWS, saved_rows

    wide = History(66_561)
    assert saved_rows(wide) >= 2 and saved_rows(wide) * wide.bytes_per_row <= MAX_SAVED_BYTES
    assert saved_rows(History(7)) == MAX_SAVED_ROWS  # a small lesson keeps its sample


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


def test_closing_with_unsaved_changes_offers_them_at_the_next_start(window, data_home):
    w = window("statquest-b3")
    w.controls.step()
    leave_with_unsaved_work(w)
    found, _ = find_recoveries(data_home)
    assert [r.steps_done for r in found] == [1]
    found[0].leave()  # not decided: still on offer
    clean = window("statquest-b3")
    clean.close()
    found, _ = find_recoveries(data_home)
    assert [r.steps_done for r in found] == [1]  # a clean close took nothing else away
    found[0].discard()  # declined
    assert find_recoveries(data_home) == ([], [])


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


def test_the_start_offers_recovery_and_restores(window, monkeypatch, data_home):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import offer_recovery

    w = window("statquest-all")
    for _ in range(2):
        w.controls.step()
    leave_with_unsaved_work(w)
    fresh = window("statquest-b3")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    offer_recovery(fresh, data_home)
    assert fresh.session.trainer.steps_done == 2
    assert fresh.session.lesson.title == w.session.lesson.title


def _edit_state(**changes):
    def damage(state_path, history_path):
        state = json.loads(state_path.read_text())
        state.update(changes)
        state_path.write_text(json.dumps(state))
    return damage


def _cut_half(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


# what is done to a gone window's autosave -> what can still be restored
DAMAGE = {
    "history truncated": (lambda s, h: _cut_half(h), "values"),
    "history empty": (lambda s, h: h.write_bytes(b""), "values"),
    "history random": (lambda s, h: h.write_bytes(os.urandom(3000)), "values"),
    "history missing": (lambda s, h: h.unlink(), "values"),
    "saved_at is text": (_edit_state(saved_at="yesterday"), "all"),
    "saved_at is out of range": (_edit_state(saved_at=1e300), "all"),
    "lesson is a list": (_edit_state(lesson=[]), "nothing"),
    "lesson has a bad field": (_edit_state(lesson={"format": "backprop-lab.lesson"}),
                               "nothing"),
    "state truncated": (lambda s, h: _cut_half(s), "nothing"),
    "state empty": (lambda s, h: s.write_bytes(b""), "nothing"),
    "state random": (lambda s, h: s.write_bytes(os.urandom(3000)), "nothing"),
    "state not an object": (lambda s, h: s.write_text("[1, 2]"), "nothing"),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_autosave_is_set_aside_said_and_the_app_starts(kind, window, data_home,
                                                                 monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import offer_recovery

    damage, recoverable = DAMAGE[kind]
    gone = window("statquest-all")
    for _ in range(2):
        gone.controls.step()
    params = gone.session.network.params.copy()
    leave_with_unsaved_work(gone)
    # the JSON, and the step history it names (one chunk: the whole history)
    state_path, history_path = gone.autosave.state_path, gone.autosave.history_path
    every_file = files_of(state_path)  # with the lesson's arrays and the values beside
    damage(state_path, history_path)
    damaged = {"all": [], "values": [history_path], "nothing": every_file}
    damaged_bytes = sorted(p.read_bytes() for p in damaged[recoverable] if p.exists())
    said = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(text))
    fresh = window("single-weight")
    offer_recovery(fresh, data_home)  # the start: it must not raise

    if recoverable == "nothing":
        assert fresh.session.lesson.title == load_preset("single-weight").title
        assert not fresh.session.dirty
        assert len(said) == 1 and "nothing could be recovered" in said[0]
    else:
        assert fresh.session.lesson.title == gone.session.lesson.title
        np.testing.assert_array_equal(fresh.session.network.params, params)
        assert fresh.session.dirty
        if recoverable == "all":
            assert said == [] and fresh.session.trainer.steps_done == 2
        else:
            assert len(said) == 1 and "but not its step history" in said[0]
    # one sentence, naming the file
    assert all(t.count(". ") == 0 and t.endswith(".") for t in said)
    assert all(state_path.name in t or history_path.name in t for t in said)
    # the damaged files are kept, renamed, with their bytes as they were
    kept = sorted(p.read_bytes() for p in data_home.glob("autosave-damaged-*"))
    assert kept == damaged_bytes
    assert not state_path.exists() and not list(data_home.glob(f"{state_path.stem}-*"))
    # and the next start neither asks again nor fails
    assert find_recoveries(data_home) == ([], [])


def test_an_autosave_folder_that_cannot_be_written_never_hangs_the_start(session, tmp_path):
    from gui.autosave import Autosave

    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    s = session("statquest-b3")
    said = []
    s.message.connect(said.append)
    autosave = Autosave(s, not_a_folder)  # returns: no endless hunt for a lock
    assert autosave.save() is False and autosave.last_error
    QApplication.processEvents()
    assert said and said[-1].startswith("Autosave failed")


def test_work_of_two_gone_windows_is_offered_newest_first_one_at_a_time(window, data_home,
                                                                       monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import offer_recovery

    older = window("statquest-all")
    older.controls.step()
    leave_with_unsaved_work(older)
    time.sleep(0.05)  # the newer one's file is the newer
    newer = window("house-price")
    for _ in range(2):
        newer.controls.step()
    leave_with_unsaved_work(newer)
    asked = []
    answers = iter([QMessageBox.No, QMessageBox.Yes])

    def question(parent, title, text):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", question)
    fresh = window("single-weight")
    offer_recovery(fresh, data_home)
    assert newer.session.lesson.title in asked[0] and older.session.lesson.title in asked[1]
    assert fresh.session.lesson.title == older.session.lesson.title
    assert fresh.session.trainer.steps_done == 1
    assert find_recoveries(data_home) == ([], [])  # declined: gone; restored: this window's


@pytest.mark.parametrize("answer, stays_open, saved", [
    ("Cancel", True, False), ("Save", False, True), ("Discard", False, False)])
def test_quit_with_unsaved_work_asks_save_discard_or_cancel(window, data_home, tmp_path,
                                                            unsaved_answer, answer,
                                                            stays_open, saved):
    from PySide6.QtWidgets import QMessageBox

    w = window("statquest-b3")
    w.controls.step()
    w.session.path = tmp_path / "mine.json"
    unsaved_answer.answer = getattr(QMessageBox, answer)
    before = unsaved_answer.asked
    quit_action = next(a for a in w.menuBar().actions()[0].menu().actions()
                       if a.text() == "Quit")
    quit_action.trigger()
    assert unsaved_answer.asked == before + 1  # Ctrl+Q asked, as New and Open do
    assert w.isVisible() is stays_open
    assert (tmp_path / "mine.json").exists() is saved
    if stays_open:  # Cancel: the work is all still there, nothing was closed
        assert w.session.dirty and w.session.steps_done == 1
        assert not w.autosave.closed
    else:  # saved or discarded: no question at the next start
        assert find_recoveries(data_home) == ([], [])


def test_quit_with_everything_saved_does_not_ask(window, unsaved_answer):
    w = window("statquest-b3")
    before = unsaved_answer.asked
    w.close()
    assert unsaved_answer.asked == before and not w.isVisible()


@pytest.mark.parametrize("history_lost", [False, True])
def test_restored_work_resets_to_the_lessons_start_not_to_the_values_reached(
        window, data_home, history_lost):
    # The autosave stored the values reached as the lesson's start, so after a restore
    # Reset went to them. It keeps the start now, and the values reached beside it.
    from conftest import leave_with_unsaved_work

    w = window("statquest-all")
    start = w.session.network.params.copy()
    for _ in range(4):
        w.session.step()
    reached = w.session.network.params.copy()
    leave_with_unsaved_work(w)
    if history_lost:  # the step history file is gone: the values come from beside the lesson
        (history_file,) = data_home.glob("*-history-*.npz")
        history_file.unlink()
    (found,), _ = find_recoveries(data_home)
    assert (found.history is None) == history_lost
    other = window("single-weight")
    restore(other.session, found, other.autosave)
    np.testing.assert_array_equal(other.session.network.params, reached)
    other.session.reset()
    np.testing.assert_array_equal(other.session.network.params, start)
    other.close()


def test_the_autosave_keeps_the_split_the_losses_and_the_kept_runs(window, data_home):
    w = window("narrow-valley")
    s = w.session
    assert s.set_validation("0.2", "3") and s.set_batching("2")
    s.advance(30)
    s.finish_training(None)
    s.keep_run()
    s.rename_run(0, "first try")
    s.set_run_visible(0, False)
    val, batch = s.history.val_loss.copy(), s.history.batch_loss.copy()
    kept = s.kept_runs[0]
    leave_with_unsaved_work(w)
    found, _ = find_recoveries(data_home)
    other = window("single-weight")
    restore(other.session, found[0], other.autosave)
    t = other.session
    assert t.validation.fraction == 0.2 and t.validation.seed == 3
    np.testing.assert_array_equal(t.history.val_loss, val)
    np.testing.assert_array_equal(t.history.batch_loss, batch)
    (back,) = t.kept_runs
    assert (back.name, back.visible) == ("first try", False)
    for column in ("steps", "loss", "params", "val_loss"):
        np.testing.assert_array_equal(getattr(back, column), getattr(kept, column))
    np.testing.assert_array_equal(back.val_loss, val)  # the run's own validation curve



def test_a_kept_run_with_a_split_set_mid_run_is_not_written_again_every_autosave(
        session, tmp_path):
    """Its validation losses hold NaN (steps before the split), and NaN is not equal to
    itself: the lesson's arrays looked changed at every save and were written again."""
    from gui.autosave import Autosave

    s = session("narrow-valley")
    s.advance(5)
    s.finish_training(None)
    assert s.set_validation("0.2", "3")
    s.advance(5)
    s.finish_training(None)
    assert s.keep_run()
    assert np.isnan(s.kept_runs[0].val_loss).any()
    autosave = Autosave(s, tmp_path)
    assert autosave.save() and "lesson" in autosave.written
    s.step()
    assert autosave.save()
    assert "lesson" not in autosave.written  # as saved
    autosave.lock.unlock()

# --- the incremental autosave --------------------------------------------------------
HISTORY_COLUMNS = ("steps", "loss", "val_loss", "batch_loss", "params", "grads",
                   "step_sizes", "state")


def _history_bytes(hist) -> dict[str, bytes]:
    """Every column of a history, as bytes: equal only if equal bit for bit."""
    return {name: getattr(hist, name).tobytes() for name in HISTORY_COLUMNS}


def _chunk_rows(autosave) -> list[int]:
    """How many rows each history chunk the autosave's JSON names holds."""
    manifest = json.loads(autosave.state_path.read_text())
    rows = []
    for chunk in manifest["history"]["chunks"]:
        with np.load(autosave.folder / chunk["file"]) as saved:
            rows.append(len(saved["steps"]))
    return rows


def _saving_only_when_told(w):
    w.autosave.timer.setInterval(3_600_000)  # no save of its own mid-test
    w.autosave.timer.stop()


def test_an_incremental_autosave_restores_the_history_bit_for_bit(window, data_home):
    """Each save adds a chunk of the rows new since the one before; an edit rewrites the
    newest row and a rewind the rows from there, in the next chunk. Restored after five
    saves, the history is the one left, bit for bit: every row's step, losses, values,
    slopes, step sizes and Adam's memory."""
    w = window("narrow-valley")
    _saving_only_when_told(w)
    s = w.session
    assert s.set_validation("0.2", "3") and s.set_optimizer("adam")
    s.advance(20)
    s.finish_training(None)
    assert w.autosave.save()  # the first: the whole history (21 rows)
    s.advance(15)
    s.finish_training(None)
    assert w.autosave.save()  # the 15 new rows
    assert s.set_learning_rate("0.05")
    assert w.autosave.save()  # the newest row, rewritten by the edit
    for _ in range(3):
        s.step()
    s.undo_stack.undo()
    s.undo_stack.undo()  # back to step 36: steps 37 and 38 went
    assert s.set_learning_rate("0.02")
    s.step()  # a new step 37
    assert w.autosave.save()
    s.advance(10)
    s.finish_training(None)
    assert w.autosave.save()
    rows = _chunk_rows(w.autosave)
    assert rows[:3] == [21, 15, 1] and rows[3] <= 3 and rows[4] == 10
    assert s.steps_done == 47
    expected = _history_bytes(s.history)
    optimizer_from, params = s.trainer.optimizer_from, s.network.params.copy()
    leave_with_unsaved_work(w)
    (found,), damaged = find_recoveries(data_home)
    assert damaged == [] and found.steps_done == 47
    other = window("single-weight")
    text, whole = restore(other.session, found, other.autosave)
    assert whole and "step 47" in text
    assert _history_bytes(other.session.history) == expected
    assert other.session.trainer.optimizer_from == optimizer_from
    assert other.session.network.params.tobytes() == params.tobytes()


def test_a_torn_last_chunk_is_set_aside_and_the_work_before_it_restored(window, data_home,
                                                                        monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import offer_recovery

    w = window("statquest-all")
    _saving_only_when_told(w)
    s = w.session
    for steps in (30, 20):
        s.advance(steps)
        s.finish_training(None)
        assert w.autosave.save()
    earlier = _history_bytes(s.history)
    s.advance(25)
    s.finish_training(None)
    leave_with_unsaved_work(w)  # a third chunk: steps 51 to 75
    chunks = json.loads(w.autosave.state_path.read_text())["history"]["chunks"]
    assert len(chunks) == 3
    last = data_home / chunks[-1]["file"]
    torn = last.read_bytes()[: last.stat().st_size // 2]
    last.write_bytes(torn)
    said = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(text))
    fresh = window("single-weight")
    offer_recovery(fresh, data_home)
    assert fresh.session.steps_done == 50
    assert _history_bytes(fresh.session.history) == earlier
    assert fresh.session.dirty
    # one sentence: what came back, naming the chunk that did not and where it is kept
    (text,) = said
    assert text.count(". ") == 0 and text.endswith(".")
    assert "at step 50 of the 75 autosaved" in text and last.name in text
    (kept,) = data_home.glob("autosave-damaged-*")
    assert kept.read_bytes() == torn and kept.name in text
    assert find_recoveries(data_home) == ([], [])


def test_a_save_cut_short_leaves_the_save_before_it_whole(window, data_home, monkeypatch):
    """A kill between a save's new files and its JSON: the JSON on disk still names the
    files of the save before, which no save changes, so that save comes back whole."""
    import gui.autosave

    w = window("statquest-all")
    _saving_only_when_told(w)
    s = w.session
    s.advance(30)
    s.finish_training(None)
    assert w.autosave.save()
    before = _history_bytes(s.history)
    s.advance(20)
    s.finish_training(None)
    write = gui.autosave.write_atomically

    def dies_before_the_json(path, data):
        if Path(path).suffix == ".json":
            raise OSError("killed")
        write(path, data)

    monkeypatch.setattr(gui.autosave, "write_atomically", dies_before_the_json)
    assert not w.autosave.save()
    monkeypatch.setattr(gui.autosave, "write_atomically", write)
    w.autosave.closed = True  # the window is "gone": it writes nothing more
    w.autosave.lock.unlock()
    (found,), damaged = find_recoveries(data_home)
    assert damaged == [] and found.steps_done == 30
    other = window("single-weight")
    text, whole = restore(other.session, found, other.autosave)
    assert whole and _history_bytes(other.session.history) == before
    # the new files the JSON never named went with the rest
    assert not list(data_home.glob(f"{w.autosave.state_path.stem}*"))


def _wide_lesson(folder: Path) -> Path:
    """1-256-256-1 tanh: 66,561 parameters."""
    data = json.loads(preset_text("statquest-all"))
    rng = np.random.default_rng(0)
    data["layers"] = [{"neurons": 256, "activation": "tanh"},
                      {"neurons": 256, "activation": "tanh"},
                      {"neurons": 1, "activation": "identity"}]
    shapes = [(256, 1), (256, 256), (1, 256)]
    data["weights"] = [rng.uniform(-0.1, 0.1, shape).tolist() for shape in shapes]
    data["biases"] = [[0.0] * rows for rows, _ in shapes]
    path = folder / "wide.json"
    path.write_text(json.dumps(data))
    return path


def test_a_wide_networks_save_writes_its_new_rows_not_the_lesson_again(session, tmp_path,
                                                                       monkeypatch):
    """For 66,561 parameters the writer thread made and checked the whole lesson as
    Python lists every 2 s (~200 ms holding Python's lock: the window stalled). Now a
    save during a Run writes the newest row, the values and a small JSON, as binary,
    and makes no lesson and no list of the values; counted, not timed."""
    from engine import lesson as lesson_module
    from engine.network import Network
    from gui.autosave import Autosave

    s = session(str(_wide_lesson(tmp_path)))
    n = len(s.network.params)
    assert n == 66_561
    folder = tmp_path / "data"
    folder.mkdir()
    autosave = Autosave(s, folder)
    s.step()
    assert autosave.save()  # the first: the lesson's arrays too
    assert set(autosave.written) == {"lesson", "history", "values", "json"}

    def refused(*args, **kwargs):
        raise AssertionError("the writer made the lesson again")

    monkeypatch.setattr(lesson_module, "lesson_from_dict", refused)
    monkeypatch.setattr(Network, "values_json", refused)
    for _ in range(3):
        s.step()
    assert autosave.save()
    row_bytes = 8 * (4 + 3 * n)
    assert set(autosave.written) == {"history", "values", "json"}  # the lesson: as saved
    assert row_bytes < autosave.written["history"] < 2 * row_bytes  # the newest row
    assert autosave.written["values"] < 8 * n + 1024
    assert autosave.written["json"] < 16_384  # no numbers of the network in it
    autosave.lock.unlock()
