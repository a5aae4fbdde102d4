"""Locked lessons (issue 16): a teacher chooses the panels shown, the parameters and the
settings students may change, and whether quiz mode starts on; the lock travels in the
lesson file (format version 3), and the window shows a student only that. Engine tier
(parse, refuse, round trip), then the Session, one panel at a time, and the window."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.lesson
from engine import PRESETS, LessonError, load_lesson, load_preset
from engine.lesson import lesson_from_dict, lesson_from_json
from engine.lock import EDITABLE_SETTINGS, PANELS, Lock
from engine.presets import preset_text

# The ids as the issue and the README name them, written out here, not read from the code.
PANEL_IDS = ["parameters", "notes", "breakdown", "quiz", "loss", "tangent", "landscape",
             "accuracy", "data", "history", "gradcheck", "training", "editor"]
SETTING_IDS = ["learning_rate", "optimizer", "schedule", "batching", "trainable",
               "start_values", "data", "network", "notes"]


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
