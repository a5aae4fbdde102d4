"""A run's settings log (what names it "SGD lr 0.1 → 0.3" when its rate changed along
it) goes with the run into the files the app writes: a lesson saved with progress and
the autosave. Read back, the run keeps its name; a broken log in a lesson file is
refused naming the field (as every field of a lesson file is), and in an autosave it is
left out, naming the field, with the rest of the work restored (the autosave is the
only copy of that work)."""

import json

import pytest

from engine import LessonError
from engine.lesson import lesson_from_dict

# The run below: lr 0.1 for three updates, then 0.3 for three, on sgd-line (SGD, full
# batch, no split): the name a kept run of it gets, as test_runs.py derives it.
CHANGED_NAME = "SGD lr 0.1 → 0.3"


def rate_changed_run(s):
    assert s.set_batching("0")  # every sample each step: nothing else in the name
    for _ in range(3):
        s.step()
    assert s.set_learning_rate("0.3")
    for _ in range(3):
        s.step()
    assert s.current_run_description() == CHANGED_NAME
    return s


def test_a_run_saved_with_progress_reopens_named_by_both_rates(session, tmp_path):
    s = rate_changed_run(session("sgd-line"))
    path = tmp_path / "run.json"
    s.save(path, progress=True)
    saved = json.loads(path.read_text())["progress"]["settings_log"]
    # from step 0 at 0.1, from step 3 (the first update at 0.3) at 0.3
    assert [(e["from_step"], e["learning_rate"]) for e in saved] == [(0, 0.1), (3, 0.3)]
    again = session(str(path))
    assert again.steps_done == 6 and again.learning_rate == 0.3
    assert again.current_run_description() == CHANGED_NAME  # was "SGD lr 0.3"
    assert again.trainer.settings_log == s.trainer.settings_log
    again.step()  # the run goes on at 0.3, still one of two rates
    assert again.current_run_description() == CHANGED_NAME
    again.reset()  # a fresh run: one rate
    assert again.current_run_description() == "SGD lr 0.3"


def test_a_file_from_before_the_settings_log_opens_named_by_todays_settings(session,
                                                                           tmp_path):
    s = rate_changed_run(session("sgd-line"))
    path = tmp_path / "run.json"
    s.save(path, progress=True)
    data = json.loads(path.read_text())
    del data["progress"]["settings_log"]
    again = lesson_from_dict(data).trainer_with_progress()
    assert again.steps_done == 6
    assert [step for step, _ in again.settings_log] == [0]  # what it knows: today's


def saved_run(s, tmp_path) -> dict:
    path = tmp_path / "run.json"
    s.save(path, progress=True)
    return json.loads(path.read_text())


@pytest.mark.parametrize("fault, field", [
    (lambda log: log.__setitem__(1, "x"), "progress.settings_log[1]"),
    (lambda log: log[1].update(learning_rate=-0.3), "progress.settings_log[1].learning_rate"),
    (lambda log: log[1].update(learning_rate="0.3"), "progress.settings_log[1].learning_rate"),
    (lambda log: log[1].update(from_step=0), "progress.settings_log[1].from_step"),
    (lambda log: log[1].update(from_step=7), "progress.settings_log[1].from_step"),  # past 6
    (lambda log: log[0]["optimizer"].update(name="sgdd"),
     "progress.settings_log[0].optimizer.name"),
    (lambda log: log[0]["batching"].update(batch_size=-1),
     "progress.settings_log[0].batching.batch_size"),
    (lambda log: log[0]["validation"].update(fraction=1.5),
     "progress.settings_log[0].validation.fraction"),
    (lambda log: log[0]["schedule"].update(name="step", step_size=0),
     "progress.settings_log[0].schedule.step_size"),
    (lambda log: log[0].pop("training_samples"), "progress.settings_log[0].training_samples"),
    (lambda log: log[0].update(extra=1), "progress.settings_log[0].extra"),
    (lambda log: log.clear(), "progress.settings_log"),
])
def test_a_broken_settings_log_in_a_lesson_file_is_refused_naming_the_field(
        session, tmp_path, fault, field):
    data = saved_run(rate_changed_run(session("sgd-line")), tmp_path)
    fault(data["progress"]["settings_log"])
    with pytest.raises(LessonError) as caught:
        lesson_from_dict(data)
    message = str(caught.value)
    assert message.startswith(f"{field}: "), message
    assert "\n" not in message and len(message) < 300


def test_the_window_keeps_its_run_when_a_file_with_a_broken_log_is_opened(session,
                                                                          tmp_path):
    s = rate_changed_run(session("sgd-line"))
    data = saved_run(s, tmp_path)
    data["progress"]["settings_log"][1]["learning_rate"] = None
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    with pytest.raises(LessonError):
        s.open(str(broken))
    assert s.steps_done == 6 and s.current_run_description() == CHANGED_NAME


# --- the autosave -------------------------------------------------------------------
def autosaved(s, folder):
    """Autosave `s` into `folder` as a window that then went away would leave it."""
    from gui.autosave import Autosave

    autosave = Autosave(s, folder)
    assert autosave.save()
    autosave.lock.unlock()  # its window is gone: its work is on offer
    return autosave.state_path


def restored(session, folder):
    from gui.autosave import find_recoveries, restore

    (found,), damaged = find_recoveries(folder)
    assert damaged == []
    other = session("single-weight")
    text, whole = restore(other, found)
    return other, text, whole


def test_autosaved_work_is_restored_named_by_both_rates(session, tmp_path):
    s = rate_changed_run(session("sgd-line"))
    autosaved(s, tmp_path)
    other, text, whole = restored(session, tmp_path)
    assert whole, text
    assert other.steps_done == 6 and other.learning_rate == 0.3
    assert other.current_run_description() == CHANGED_NAME  # was "SGD lr 0.3"
    assert other.trainer.settings_log == s.trainer.settings_log
    assert other.keep_run() and other.kept_runs[0].name == CHANGED_NAME


@pytest.mark.parametrize("fault, field", [
    (lambda log: log[1].update(learning_rate="fast"), "history.settings_log[1].learning_rate"),
    (lambda log: log[0]["optimizer"].update(name=["sgd"]),
     "history.settings_log[0].optimizer.name"),
    (lambda log: log.append(log[0]), "history.settings_log[2].from_step"),
    (lambda log: log.__setitem__(0, None), "history.settings_log[0]"),
])
def test_a_broken_settings_log_in_an_autosave_is_left_out_and_the_work_restored(
        session, tmp_path, fault, field):
    s = rate_changed_run(session("sgd-line"))
    params = s.network.params.copy()
    path = autosaved(s, tmp_path)
    state = json.loads(path.read_text())
    fault(state["history"]["settings_log"])
    path.write_text(json.dumps(state))
    other, text, whole = restored(session, tmp_path)
    # the work: every step and value, and today's settings
    assert other.steps_done == 6 and other.learning_rate == 0.3
    assert (other.network.params == params).all()
    # the name: by today's settings, and said so, naming the field
    assert other.current_run_description() == "SGD lr 0.3"
    assert not whole and f"({field}: " in text, text
    assert "\n" not in text


def test_an_autosave_from_before_the_settings_log_restores_whole(session, tmp_path):
    s = rate_changed_run(session("sgd-line"))
    path = autosaved(s, tmp_path)
    state = json.loads(path.read_text())
    del state["history"]["settings_log"]
    path.write_text(json.dumps(state))
    other, text, whole = restored(session, tmp_path)
    assert whole and other.steps_done == 6, text
    assert other.current_run_description() == "SGD lr 0.3"  # all it can know
