"""Locked lessons (issue 16): a teacher chooses the panels shown, the parameters and the
settings students may change, and whether quiz mode starts on; the lock travels in the
lesson file (format version 3), and the window shows a student only that. Engine tier
(parse, refuse, round trip), then the Session, one panel at a time, and the window."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QPushButton

import engine
import engine.lesson
from engine import PRESETS, LessonError, load_lesson, load_preset
from engine.lesson import lesson_from_dict, lesson_from_json
from engine.lock import EDITABLE_SETTINGS, PANELS, Lock
from engine.presets import preset_text

# The ids as the issue and the README name them, written out here, not read from the code.
PANEL_IDS = ["parameters", "notes", "breakdown", "quiz", "loss", "tangent", "landscape",
             "accuracy", "data", "history", "gradcheck", "training", "editor"]
SETTING_IDS = ["learning_rate", "optimizer", "schedule", "batching", "validation",
               "trainable", "start_values", "runs", "data", "network", "notes"]


def locked(name="statquest-all", **lock) -> dict:
    """A preset's file with a lock (version 3), as the app writes one."""
    data = json.loads(preset_text(name))
    data["version"] = 3
    data["lock"] = {"panels": ["parameters", "loss"], "parameters": ["b3"],
                    "settings": ["learning_rate"], "quiz_on_open": False, **lock}
    return data


# --- engine: the format --------------------------------------------------------------
def test_the_engine_knows_the_panels_and_settings_the_issue_names():
    assert list(PANELS) == PANEL_IDS
    assert list(EDITABLE_SETTINGS) == SETTING_IDS


def test_a_lock_is_read_in_its_lists_own_order():
    lesson = lesson_from_dict(locked(panels=["loss", "parameters", "loss"],
                                     parameters=["b3", "w1"],
                                     settings=["data", "learning_rate"], quiz_on_open=True))
    assert lesson.lock == Lock(("parameters", "loss"), ("w1", "b3"),
                               ("learning_rate", "data"), True)
    assert lesson.lock.shows("loss") and not lesson.lock.shows("breakdown")
    assert lesson.lock.may_edit("w1") and not lesson.lock.may_edit("w2")
    assert lesson.lock.may_change("data") and not lesson.lock.may_change("optimizer")


@pytest.mark.parametrize("name", PRESETS)
def test_files_without_a_lock_still_open_and_are_written_as_before(name):
    lesson = load_preset(name)
    assert lesson.lock is None
    assert "lock" not in lesson.to_dict() and lesson.to_dict()["version"] == 1


def test_a_locked_lesson_is_version_3_and_an_older_app_refuses_it_as_newer(monkeypatch):
    lesson = lesson_from_dict(locked())
    data = lesson.to_dict()
    assert data["version"] == 3 and data["lock"]["parameters"] == ["b3"]
    monkeypatch.setattr(engine.lesson, "VERSION", 2)  # the app before locks
    with pytest.raises(LessonError, match=r"^version: .*newer Backprop Lab"):
        lesson_from_dict(data)


def test_a_lock_in_a_version_2_file_is_refused():
    with pytest.raises(LessonError, match=r"^lock: needs format version 3 \(the file says "
                                          r"version 2\)$"):
        lesson_from_dict({**locked(), "version": 2})


@pytest.mark.parametrize("change, field", [
    (lambda d: d.update(lock=[]), "lock"),
    (lambda d: d.update(lock="all"), "lock"),
    (lambda d: d["lock"].update(password="x"), "lock.password"),
    (lambda d: d["lock"].pop("panels"), "lock.panels"),
    (lambda d: d["lock"].pop("quiz_on_open"), "lock.quiz_on_open"),
    (lambda d: d["lock"].update(panels="loss"), "lock.panels"),
    (lambda d: d["lock"].update(panels=["loss", "scoreboard"]), "lock.panels[1]"),
    (lambda d: d["lock"].update(panels=[3]), "lock.panels[0]"),
    (lambda d: d["lock"].update(settings=["momentum"]), "lock.settings[0]"),
    (lambda d: d["lock"].update(settings=None), "lock.settings"),
    (lambda d: d["lock"].update(parameters=["w1", "w9"]), "lock.parameters"),
    (lambda d: d["lock"].update(parameters=[["w1"]]), "lock.parameters"),
    (lambda d: d["lock"].update(quiz_on_open=1), "lock.quiz_on_open"),
    (lambda d: d["lock"].update(quiz_on_open="yes"), "lock.quiz_on_open"),
])
def test_a_bad_lock_is_one_line_naming_the_field(change, field):
    data = locked()
    change(data)
    with pytest.raises(LessonError) as caught:
        lesson_from_json(json.dumps(data))
    message = str(caught.value)
    assert message.startswith(f"{field}: ") and "\n" not in message and len(message) < 300


def test_an_unknown_name_is_named_with_the_known_ones():
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(locked(panels=["scoreboard"]))
    assert '"scoreboard"' in str(caught.value) and "landscape" in str(caught.value)
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(locked(parameters=["w9"]))
    assert "no parameter called w9" in str(caught.value) and "b3" in str(caught.value)


@st.composite
def preset_and_lock(draw):
    name = draw(st.sampled_from(PRESETS))
    lesson = load_preset(name)
    params = lesson.network.param_names
    panels = draw(st.lists(st.sampled_from(PANEL_IDS), unique=True))
    chosen = draw(st.lists(st.sampled_from(params), unique=True, max_size=len(params)))
    setting_ids = draw(st.lists(st.sampled_from(SETTING_IDS), unique=True))
    quiz = draw(st.booleans())
    return lesson, panels, chosen, setting_ids, quiz


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset_and_lock())
def test_any_lock_on_any_preset_saves_and_reads_back(tmp_path_factory, drawn):
    lesson, panels, params, setting_ids, quiz = drawn
    lesson.lock = Lock(tuple(panels), tuple(params), tuple(setting_ids), quiz)
    path = tmp_path_factory.mktemp("lock") / "locked.json"
    lesson.save(path)
    again = load_lesson(path)
    names = lesson.network.param_names
    assert again.lock == Lock(tuple(sorted(panels, key=PANEL_IDS.index)),
                              tuple(sorted(params, key=names.index)),
                              tuple(sorted(setting_ids, key=SETTING_IDS.index)), quiz)
    assert json.loads(path.read_text())["version"] == 3
    assert again.to_dict() == load_lesson(path).to_dict()
    # What Save writes from a trainer keeps the lock too (and the steps with progress).
    trainer = again.trainer()
    trainer.run(2, respect_stop_rule=False)
    assert again.as_set_by(trainer, progress=True).lock == again.lock
    assert again.as_trained_by(trainer).lock == again.lock


# --- the Session: the one door ---------------------------------------------------------
STUDENT_VIEW = Lock(("parameters", "notes", "loss"), ("b3",), ("learning_rate",), False)


def test_locking_is_a_command_with_a_signal_that_undo_takes_back(session, qtbot):
    s = session("statquest-all")
    assert s.lock is None and s.may_edit_param("w1") and s.shows_panel("landscape")
    with qtbot.waitSignals([s.lockChanged, s.dirtyChanged]):
        assert s.set_lock(STUDENT_VIEW)
    assert s.lock == STUDENT_VIEW and s.dirty
    assert not s.may_edit_param("w1") and s.may_edit_param("b3")
    assert not s.shows_panel("landscape") and s.shows_panel("loss")
    assert not s.may_change("optimizer") and s.may_change("learning_rate")
    with qtbot.waitSignal(s.lockChanged):
        s.undo_stack.undo()
    assert s.lock is None and s.may_change("optimizer")
    with qtbot.waitSignal(s.lockChanged):
        s.undo_stack.redo()
    assert s.lock == STUDENT_VIEW
    with qtbot.waitSignal(s.lockChanged):
        assert s.set_lock(None)  # Unlock
    assert s.lock is None and s.undo_stack.undoText() == "unlock lesson"


def test_the_same_lock_again_pushes_nothing(session, qtbot):
    s = session()
    s.set_lock(STUDENT_VIEW)
    count = s.undo_stack.count()
    with qtbot.assertNotEmitted(s.lockChanged):
        assert s.set_lock(Lock(*[tuple(reversed(x)) if isinstance(x, tuple) else x
                                 for x in (STUDENT_VIEW.panels, STUDENT_VIEW.parameters,
                                           STUDENT_VIEW.settings, False)]))
    assert s.undo_stack.count() == count


def test_a_lock_naming_what_the_lesson_lacks_is_refused(session, qtbot):
    s = session("statquest-b3")
    with qtbot.assertNotEmitted(s.lockChanged), qtbot.waitSignal(s.refused) as refusal:
        assert not s.set_lock(Lock(("loss",), ("w11",), (), False))
    assert "lock.parameters" in refusal.args[0] and "w11" in refusal.args[0]
    assert s.lock is None and s.undo_stack.count() == 0 and not s.dirty


def test_what_a_lock_keeps_is_refused_by_the_session_and_nothing_changes(session, qtbot):
    s = session("statquest-all")
    s.set_lock(Lock(tuple(PANELS), ("b3",), (), False))
    before = s.network.params.copy(), s.learning_rate, s.optimizer, s.batching, \
        s.trainer.validation
    data, count = s.inputs, s.undo_stack.count()
    for name, attempt in [
        ("w1", lambda: s.set_param("w1", "0.5")),
        ("learning rate", lambda: s.set_learning_rate("0.5")),
        ("optimizer", lambda: s.set_optimizer("adam")),
        ("schedule", lambda: s.set_schedule("exponential", {"gamma": "0.9"})),
        ("batch size", lambda: s.set_batching("1")),
        ("validation", lambda: s.set_validation("0.3")),
        ("train", lambda: s.set_trainable("w1", True)),
        ("data", lambda: s.add_sample()),
        ("data", lambda: s.set_sample_value(0, 0, "0.25")),
        ("start values", lambda: s.reinitialise("xavier", "3")),
        ("network", lambda: s.build_network([], engine.Layer(1), "ssr", "sequential", 0)),
        ("title", lambda: s.set_lesson_text("Mine now", "")),
    ]:
        with qtbot.assertNotEmitted(s.stateChanged), qtbot.waitSignal(s.refused) as refusal:
            assert not attempt(), name
        assert "locked by the teacher" in refusal.args[0], name
        assert "Unlock lesson" in refusal.args[0], name
    assert (s.network.params.tolist(), s.learning_rate, s.optimizer, s.batching,
            s.trainer.validation) == (before[0].tolist(), *before[1:])
    assert s.inputs is data and s.undo_stack.count() == count
    assert s.set_param("b3", "1.5") and s.value("b3") == 1.5  # the one left editable


def test_opening_a_locked_lesson_turns_quiz_on_and_says_so(session, qtbot, tmp_path):
    s = session("statquest-b3")
    s.set_lock(Lock(("quiz", "breakdown"), (), (), True))
    assert not s.quiz_active  # a mode of the window, turned on when a student opens it
    s.save(tmp_path / "quiz.json")
    other = session("xor")
    with qtbot.waitSignals([other.lockChanged, other.quizChanged]):
        other.open(tmp_path / "quiz.json")
    assert other.quiz_active and other.lock.quiz_on_open
    assert session(tmp_path / "quiz.json").quiz_active  # opened from the start too
    with qtbot.waitSignal(other.lockChanged):
        other.open("xor")  # a preset: unlocked
    assert other.lock is None


def test_a_rebuilt_network_keeps_the_lock_of_its_parameters(session, qtbot):
    s = session("statquest-all")  # w1 b1 w2 b2 w3 w4 b3
    s.set_lock(Lock(tuple(PANELS), ("w1", "w4", "b3"), ("network",), False))
    assert s.build_network([engine.Layer(1, "softplus")], engine.Layer(1), "ssr",
                           "sequential", 0)
    assert s.network.param_names == ["w1", "b1", "w2", "b2"]  # 1-1-1: no w4, b3
    assert s.lock.parameters == ("w1",) and s.lock.settings == ("network",)
    with qtbot.waitSignal(s.lockChanged):
        s.undo_stack.undo()
    assert s.lock.parameters == ("w1", "w4", "b3")


def test_reset_and_save_keep_the_lock(session, tmp_path):
    s = session("statquest-all")
    s.set_lock(STUDENT_VIEW)
    s.step()
    s.reset()
    assert s.lock == STUDENT_VIEW
    s.save(tmp_path / "locked.json", progress=True)
    assert load_lesson(tmp_path / "locked.json").lock == STUDENT_VIEW


# --- one panel on a bare Session -----------------------------------------------------
def show(qtbot, widget, size=(700, 500)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_into(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)


def test_a_locked_parameter_field_is_read_only_and_says_the_teacher_locked_it(session,
                                                                               qtbot):
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-all")
    panel = show(qtbot, ParametersPanel(s))
    s.set_lock(STUDENT_VIEW)  # b3 editable, w1 not; the train boxes not
    w1, b3 = panel.fields["w1"], panel.fields["b3"]
    assert w1.isReadOnly() and not b3.isReadOnly()
    assert "locked by the teacher" in w1.toolTip() and "Unlock lesson" in w1.toolTip()
    assert "locked" not in b3.toolTip()
    assert not panel.checks["w1"].isEnabled()
    with qtbot.waitSignal(s.refused) as refusal:
        type_into(qtbot, w1, "0.5")  # a student tries anyway: told why nothing happens
    assert "w1 is locked by the teacher" in refusal.args[0]
    assert s.value("w1") == 2.74 and w1.text() == "2.74"
    assert s.selected == "w1"  # a read-only field still chooses its parameter
    type_into(qtbot, b3, "1.5")
    assert s.value("b3") == 1.5
    s.set_lock(None)
    assert not w1.isReadOnly() and panel.checks["w1"].isEnabled()
    assert "locked" not in w1.toolTip() and w1.toolTip().startswith("w1: type a number")
    type_into(qtbot, w1, "0.5")
    assert s.value("w1") == 0.5


def test_locked_settings_are_disabled_in_their_panels(session, qtbot):
    from gui.panels.controls import Controls
    from gui.panels.data import DataPanel
    from gui.panels.editor import NetworkEditor
    from gui.panels.training import TrainingPanel
    from gui.runner import Runner

    s = session("statquest-all")
    training, data = show(qtbot, TrainingPanel(s)), show(qtbot, DataPanel(s))
    editor = show(qtbot, NetworkEditor(s))
    controls = Controls(s, Runner(s))
    qtbot.addWidget(controls)
    s.set_lock(Lock(tuple(PANELS), (), ("batching",), False))
    assert not training.rule.isEnabled() and not training.schedule.isEnabled()
    assert training.batch_size.isEnabled()  # the one setting left to students
    assert not controls.rate.isEnabled() and "Locked by the teacher" in controls.rate.toolTip()
    assert "Type" not in controls.rate.toolTip()  # it said "Type a number…" when locked
    cell = data.table.cells.index(0, 0)
    assert not data.table.cells.flags(cell) & Qt.ItemIsEditable
    assert not any(b.isEnabled() for b in data.edit_buttons)
    assert editor.locked_note.isVisibleTo(editor)
    assert not editor.layers_box.isEnabled()
    s.undo_stack.undo()  # the lock undone: everything back
    assert training.rule.isEnabled() and controls.rate.isEnabled()
    assert data.table.cells.flags(cell) & Qt.ItemIsEditable
    assert all(b.isEnabled() for b in data.edit_buttons)
    assert not editor.locked_note.isVisibleTo(editor) and editor.layers_box.isEnabled()
    assert "Locked" not in controls.rate.toolTip() and "Type a number" in controls.rate.toolTip()


def test_locked_kept_runs_are_the_teachers_to_keep_rename_hide_and_remove(session, qtbot):
    s = session("narrow-valley")
    s.advance(20)
    s.finish_training(None)
    assert s.keep_run() and s.keep_run()
    runs, count = s.kept_runs, s.undo_stack.count()
    s.set_lock(Lock(tuple(PANELS), (), ("learning_rate",), False))
    count = s.undo_stack.count()
    for name, attempt in [("keep", s.keep_run), ("rename", lambda: s.rename_run(0, "mine")),
                          ("hide", lambda: s.set_run_visible(0, False)),
                          ("remove", lambda: s.remove_run(1)),
                          ("forget", lambda: s.forget_runs() or False)]:
        with qtbot.assertNotEmitted(s.runsChanged), qtbot.waitSignal(s.refused) as refusal:
            assert not attempt(), name
        assert "locked by the teacher" in refusal.args[0], name
    assert s.kept_runs == runs and s.undo_stack.count() == count
    s.set_lock(Lock(tuple(PANELS), (), ("runs",), False))  # the teacher leaves them to students
    assert s.rename_run(0, "mine") and s.remove_run(1) and s.keep_run()
    assert [r.name for r in s.kept_runs][0] == "mine" and len(s.kept_runs) == 2


def test_the_training_panel_shows_locked_runs_without_a_way_to_change_them(session, qtbot):
    from gui.panels.training import TrainingPanel

    s = session("narrow-valley")
    s.advance(20)
    s.finish_training(None)
    s.keep_run()
    panel = show(qtbot, TrainingPanel(s))
    item = panel.kept.item(0)
    assert item.flags() & Qt.ItemIsEditable and panel.keep.isEnabled()
    s.set_lock(Lock(tuple(PANELS), (), (), False))
    item = panel.kept.item(0)
    assert not item.flags() & (Qt.ItemIsEditable | Qt.ItemIsUserCheckable)
    assert item.checkState() == Qt.Checked  # still says it is shown
    panel.kept.setCurrentRow(0)
    assert not any(b.isEnabled() for b in (panel.keep, panel.remove, panel.forget))
    assert "Locked by the teacher" in panel.remove.toolTip()
    assert "Locked by the teacher" in item.toolTip()
    s.set_lock(None)
    assert panel.kept.item(0).flags() & Qt.ItemIsUserCheckable
    assert panel.keep.isEnabled() and panel.remove.isEnabled() and panel.forget.isEnabled()


def test_a_double_click_on_a_locked_data_cell_says_why_nothing_opens(session, qtbot):
    from gui.panels.data import DataPanel

    s = session("statquest-all")
    data = show(qtbot, DataPanel(s))
    s.set_lock(Lock(tuple(PANELS), (), (), False))
    table = data.table
    rect = table.visualRect(table.cells.index(1, 0))
    inputs = s.inputs

    def double_click():  # as a mouse sends it: a press, then the double click
        qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=rect.center())

    with qtbot.waitSignal(s.refused) as refusal:
        double_click()
    assert "data is locked by the teacher" in refusal.args[0]
    with qtbot.waitSignal(s.refused):
        qtbot.keyClick(table, "5")  # typing into it: the same
    assert s.inputs is inputs
    s.set_lock(None)
    with qtbot.assertNotEmitted(s.refused):
        double_click()
    assert table.state() == table.State.EditingState  # unlocked: the cell opens


# --- the window ----------------------------------------------------------------------
def test_the_window_has_a_dock_for_every_panel_a_lock_names(window):
    w = window()
    assert set(w.docks) == set(PANEL_IDS)
    assert {k: d.windowTitle() for k, d in w.docks.items()}["gradcheck"] == "Gradient check"


def test_a_student_opens_a_locked_lesson_and_the_teacher_unlocks_it(window, qtbot, tmp_path,
                                                                    monkeypatch):
    path = tmp_path / "week3.json"
    lesson = load_preset("statquest-all")
    lesson.lock = Lock(("parameters", "notes", "quiz", "loss"), ("b3",), ("learning_rate",),
                       True)
    lesson.save(path)
    w = window(str(path))
    s = w.session
    hidden = set(PANEL_IDS) - {"parameters", "notes", "quiz", "loss"}
    qtbot.waitUntil(lambda: all(w.docks[k].isHidden() for k in hidden), timeout=2000)
    assert not any(w.docks[k].isHidden() for k in ("parameters", "notes", "quiz", "loss"))
    assert not any(w.docks[k].toggleViewAction().isEnabled() for k in hidden)
    assert s.quiz_active and w.quiz_action.isChecked()
    assert w.lock_status.isVisible() and "Unlock lesson" in w.lock_status.text()
    assert not w.lesson_text_action.isEnabled() and w.unlock_action.isEnabled()
    w1 = w.findChild(QLineEdit, "param_w1")
    assert w1.isReadOnly() and "locked by the teacher" in w1.toolTip()
    type_into(qtbot, w1, "9")
    assert s.value("w1") == 2.74 and not s.dirty
    w.reset_layout()  # View → Reset layout keeps the lesson's view
    assert all(w.docks[k].isHidden() for k in hidden)

    asked = []
    monkeypatch.setattr(type(w), "confirm_unlock", lambda _w: asked.append(1) or True)
    w.unlock_action.trigger()
    assert asked and s.lock is None
    assert not any(d.isHidden() for d in w.docks.values())
    assert all(d.toggleViewAction().isEnabled() for d in w.docks.values())
    assert not w.lock_status.isVisible() and not w1.isReadOnly()
    type_into(qtbot, w1, "0.5")
    assert s.value("w1") == 0.5
    s.undo_stack.undo()
    s.undo_stack.undo()  # the unlock too: locked again
    assert s.lock is not None and w.docks["landscape"].isHidden() and w1.isReadOnly()


def test_the_teacher_locks_from_the_edit_menu_and_save_keeps_it(window, qtbot, tmp_path):
    w = window("statquest-all")
    w.lock_action.trigger()
    dialog = w.lock_dialog
    assert all(box.isChecked() for box in dialog.panels.values())  # nothing kept yet
    dialog.panels["landscape"].setChecked(False)
    dialog.settings["optimizer"].setChecked(False)
    button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "None")
    qtbot.mouseClick(button, Qt.LeftButton)  # no parameter typed by students...
    dialog.ticks.tick("b3", True)  # ...but b3
    dialog.quiz.setChecked(True)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    s = w.session
    assert s.lock == Lock(tuple(k for k in PANEL_IDS if k != "landscape"), ("b3",),
                          tuple(k for k in SETTING_IDS if k != "optimizer"), True)
    assert w.docks["landscape"].isHidden() and not w.training.rule.isEnabled()
    assert s.undo_stack.undoText() == "lock lesson"
    w.files.save_to(tmp_path / "locked.json")
    assert load_lesson(tmp_path / "locked.json").lock == s.lock


def test_a_locked_lesson_does_not_hide_panels_of_the_next_start(window, tmp_path):
    """The layout kept at Quit is the user's: panels a lesson's lock hid are not hidden
    when the app next starts with another lesson."""
    path = tmp_path / "locked.json"
    lesson = load_preset("statquest-b3")
    lesson.lock = Lock(("parameters",), (), (), False)
    lesson.save(path)
    w = window(str(path))
    assert w.docks["loss"].isHidden()
    w.close()
    again = window("statquest-b3")
    assert again.restore_layout()
    assert not any(d.isHidden() for d in again.docks.values())


@pytest.mark.parametrize("answer, unlocked", [("Unlock", True), ("Cancel", False)])
def test_unlock_asks_first_and_cancel_keeps_the_lock(window, qtbot, answer, unlocked):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    w = window("statquest-b3")
    w.session.set_lock(STUDENT_VIEW)
    seen = []

    def answer_the_box():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_the_box)
            return
        seen.append(box.defaultButton().text())
        next(b for b in box.buttons() if b.text().replace("&", "") == answer).click()

    QTimer.singleShot(0, answer_the_box)
    w.unlock_action.trigger()
    assert [t.replace("&", "") for t in seen] == ["Cancel"]  # Enter does not unlock
    assert (w.session.lock is None) == unlocked


def test_a_lesson_that_opens_in_quiz_mode_shows_the_quiz_over_a_restored_layout(
        window, qtbot, tmp_path):
    """A tester's student opened a locked lesson in quiz mode: the breakdown's tab was in
    front (the user's layout, restored), saying "Quiz: work out the numbers…", and the
    quiz had to be found. The quiz comes in front after any layout."""
    from PySide6.QtCore import QSettings

    before = window("statquest-b3")
    before.docks["breakdown"].raise_()  # the layout a user last left
    qtbot.wait(20)
    QSettings().setValue("window/geometry", before.saveGeometry())
    QSettings().setValue("window/state", before.saveState())
    path = tmp_path / "week3.json"
    lesson = load_preset("statquest-b3")
    lesson.lock = Lock(("breakdown", "quiz", "loss", "notes"), (), (), True)
    lesson.save(path)
    w = window(str(path))
    assert w.restore_layout()
    qtbot.wait(50)

    def in_front(key: str) -> bool:
        dock = w.docks[key]
        return dock.isVisible() and not dock.visibleRegion().isEmpty()
    assert w.session.quiz_active
    qtbot.waitUntil(lambda: in_front("quiz"), timeout=2000)
    assert not in_front("breakdown")
