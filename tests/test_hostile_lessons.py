"""Hostile lesson files: whatever a file holds, the loader answers with its own error in
one short line naming the field, quickly, and the command line exits 2 with that line.
Engine tier (a seeded mutator over every preset), then the command run as a user runs it."""

import contextlib
import copy
import dataclasses
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from engine import PRESETS, LessonError, load_lesson, load_preset
from engine.lesson import lesson_from_json
from engine.presets import preset_text

HUGE = "9" * 400  # a whole number no float can hold
DEEP = "@@deep@@"  # replaced in the text by nesting too deep for any parser's stack
HOSTILE = [
    None, True, False, 0, -1, 1.5, 2**63, "", "text", "a\nb", "\ud800", "tab\there",
    "\x00", "x" * 10_000, [], {}, [[]], {"a": 1}, [1, 2, 3], float("nan"), float("inf"),
    float("-inf"), 1e308, -1e308, 5e-324, f"@@huge@@{HUGE}", DEEP, "\u202e", "é",
]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _swap_type(value):
    """The same content in another JSON type: a number as text, a list as an object…"""
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    return value


def mutated_lesson(rng: random.Random, bases: list[str] | None = None) -> str:
    """A preset's lesson JSON (or one of `bases`) with 1 to 4 changes: keys deleted, types
    swapped, hostile values (huge, NaN, control characters, lone surrogates, deep
    nesting), or the text truncated."""
    data = json.loads(rng.choice(bases) if bases else preset_text(rng.choice(PRESETS)))
    for _ in range(rng.randint(1, 4)):
        path = rng.choice([p for p in _paths(data) if p])
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        how = rng.random()
        if how < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]
        elif how < 0.4:
            parent[path[-1]] = _swap_type(parent[path[-1]])
        elif how < 0.45 and isinstance(parent, dict):
            parent[rng.choice(["\ud800", "a\nb", "extra"])] = 1  # keys of its own
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(HOSTILE))  # never shared: no cycles
    text = json.dumps(data)  # NaN and Infinity as Python's json writes them
    text = text.replace('"@@huge@@', "").replace(f'{HUGE}"', HUGE)
    text = text.replace(f'"{DEEP}"', "[" * 100_000 + "]" * 100_000)
    if rng.random() < 0.1:
        text = text[: rng.randint(0, len(text))]
    return text


def one_line_naming_a_field(message: str) -> bool:
    field, sep, _ = message.partition(": ")
    return (bool(sep) and bool(field) and len(message) <= 300 and message.isprintable()
            and len(message.splitlines()) == 1)


def test_the_mutator_makes_every_kind_of_trouble():
    """The fuzz below can fail: its files hold what the issue found breaking the loader."""
    texts = [mutated_lesson(random.Random(seed)) for seed in range(300)]
    assert any(HUGE in t for t in texts)
    assert any("\\ud800" in t for t in texts)
    assert any("\\n" in t for t in texts)
    assert any("NaN" in t for t in texts)
    assert any("[[[[[[[[" in t for t in texts)


@pytest.mark.parametrize("chunk", range(5))
def test_mutated_lessons_load_or_raise_one_line_naming_the_field(chunk):
    """2,500 seeded mutations over every preset (500 a chunk, for a quick failing seed)."""
    for seed in range(chunk * 500, (chunk + 1) * 500):
        text = mutated_lesson(random.Random(seed))
        start = time.perf_counter()
        try:
            lesson = lesson_from_json(text)
        except LessonError as exc:
            assert one_line_naming_a_field(str(exc)), (seed, str(exc)[:400])
        except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
            pytest.fail(f"seed {seed}: {type(exc).__name__}: {str(exc)[:300]}")
        else:
            # A lesson that loads can be printed, saved and trained.
            for text_field in (lesson.title, lesson.description):
                text_field.encode("utf-8")
            lesson.trainer().run(3, respect_stop_rule=False)
        assert time.perf_counter() - start < 1.0, seed


def loaded_mutations(bases: list[str], count: int = 1000):
    """(seed, lesson) for each of `count` seeded mutations of `bases` that loads; one
    that does not must raise a LessonError of one line naming the field, nothing else."""
    for seed in range(count):
        try:
            lesson = lesson_from_json(mutated_lesson(random.Random(seed), bases))
        except LessonError as exc:
            assert one_line_naming_a_field(str(exc)), (seed, str(exc)[:400])
        except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
            pytest.fail(f"seed {seed}: {type(exc).__name__}: {str(exc)[:300]}")
        else:
            yield seed, lesson


def saved_runs() -> list[str]:
    """Lessons saved with progress (format 2): steps, values, an optimizer's memory and
    the settings log (a rate changed along the run: two entries)."""
    from engine.optimizers import Optimizer

    texts = []
    for name, optimizer in (("single-weight", "momentum"), ("statquest-all", "adam"),
                            ("house-price", "sgd")):
        lesson = load_preset(name)
        lesson.optimizer = Optimizer(optimizer)
        trainer = lesson.trainer()
        trainer.run(2, respect_stop_rule=False)
        trainer.set_learning_rate(trainer.learning_rate / 2)
        trainer.run(2, respect_stop_rule=False)
        texts.append(json.dumps(lesson.as_set_by(trainer, progress=True).to_dict()))
    return texts


def test_mutated_saved_runs_load_or_raise_one_line_naming_the_field():
    """1,000 seeded mutations of lessons saved with progress: a run that loads continues."""
    from engine.runs import current_run_description

    bases = saved_runs()
    assert all(len(json.loads(t)["progress"]["settings_log"]) == 2 for t in bases)
    for seed, lesson in loaded_mutations(bases):
        try:
            trainer = lesson.trainer_with_progress()
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"seed {seed}: the run does not continue: "
                        f"{type(exc).__name__}: {str(exc)[:300]}")
        trainer.run(3, respect_stop_rule=False)
        assert current_run_description(trainer, [])  # named, by whatever log it read


def locked_lessons() -> list[str]:
    """Lessons locked for students (format 3): panels, parameters, settings, quiz flag."""
    from engine.lock import PANELS, Lock

    texts = []
    for name, shown, quiz in (("statquest-all", ("parameters", "loss", "quiz"), True),
                              ("xor", tuple(PANELS), False)):
        lesson = load_preset(name)
        names = lesson.network.param_names
        lesson.lock = Lock(shown, tuple(names[::2]), ("learning_rate", "data"), quiz)
        texts.append(json.dumps(lesson.to_dict()))
    return texts


def test_mutated_locked_lessons_load_or_raise_one_line_naming_the_field():
    """1,000 seeded mutations of locked lessons: a lock that loads names what exists."""
    from engine.lock import EDITABLE_SETTINGS, PANELS

    bases = locked_lessons()
    for seed, lesson in loaded_mutations(bases):
        lock = lesson.lock
        if lock is not None:
            assert set(lock.panels) <= set(PANELS), seed
            assert set(lock.settings) <= set(EDITABLE_SETTINGS), seed
            assert set(lock.parameters) <= set(lesson.network.param_names), seed
            assert isinstance(lock.quiz_on_open, bool), seed
        lesson.trainer().run(3, respect_stop_rule=False)


def saved_comparisons() -> list[str]:
    """Lessons saved with a validation split, batches, progress (with its validation and
    batch losses) and two named runs kept to compare, one hidden."""
    from engine.batching import Batching
    from engine.runs import keep
    from engine.validation import Validation

    texts = []
    for name in ("narrow-valley", "statquest-all"):
        lesson = load_preset(name)
        lesson.validation = Validation(0.3, seed=2)
        lesson.batching = Batching(1, seed=1)
        trainer = lesson.trainer()
        trainer.run(3, respect_stop_rule=False)
        first = keep(trainer)
        trainer.run(3, respect_stop_rule=False)
        runs = (first, dataclasses.replace(keep(trainer, [first]), visible=False))
        saved = dataclasses.replace(lesson.as_set_by(trainer, progress=True), runs=runs)
        texts.append(json.dumps(saved.to_dict()))
    return texts


def test_mutated_comparisons_load_or_raise_one_line_naming_the_field():
    """1,000 seeded mutations of lessons with a split and kept runs: whatever loads
    trains, and its runs fit its network."""
    bases = saved_comparisons()
    assert all('"validation"' in t and '"runs"' in t and '"val_loss"' in t for t in bases)
    # the runs keep their validation losses too (the fuzz mutates those as well)
    assert all(all("val_loss" in run for run in json.loads(t)["runs"]) for t in bases)
    for _seed, lesson in loaded_mutations(bases):
        trainer = lesson.trainer_with_progress()
        trainer.run(3, respect_stop_rule=False)
        for run in lesson.runs:
            assert run.params.shape == (len(run.steps), len(lesson.network.params))
            assert run.val_loss is None or run.val_loss.shape == run.steps.shape


# What an autosave's arrays file may hold in place of a column or table of numbers: any
# shape, any kind numpy saves without pickling.
WRONG_ARRAYS = {
    "a single number": lambda a: np.array(1.5),
    "one more dimension": lambda a: a[..., None],
    "one dimension less": lambda a: a.reshape(-1)[0] if a.ndim == 1 else a.reshape(-1),
    "three dimensions": lambda a: a.reshape(1, 1, -1),
    "empty": lambda a: a[:0],
    "text": lambda a: a.astype(str),
    "bytes": lambda a: a.astype("S5"),
    "true/false": lambda a: a.astype(bool),
    "complex": lambda a: a.astype(complex) + 1j,
    "whole numbers": lambda a: np.nan_to_num(a).astype(np.int64),
    "half floats": lambda a: a.astype(np.float16),
    "huge unsigned": lambda a: np.full(a.shape, 2**64 - 1, dtype=np.uint64),
    "records": lambda a: np.zeros(a.shape, dtype=[("x", float), ("y", int)]),
    "dates": lambda a: np.zeros(a.shape, dtype="datetime64[s]"),
}


def test_autosave_arrays_of_every_wrong_shape_and_kind_load_or_raise_naming_the_field():
    """Every array of an autosave's halves (weights, data, kept runs with validation
    losses) swapped for each of WRONG_ARRAYS: the lesson loads and trains, or the error is
    one line naming that array's field (a validation column of two dimensions raised a
    TypeError, and the autosave was called damaged)."""
    from engine.lesson import lesson_from_parts

    tried = set()
    for text in saved_comparisons():
        data, arrays = lesson_from_json(text).to_parts()
        assert "runs.0.val_loss" in arrays  # the halves hold validation losses too
        for key in arrays:
            field = re.sub(r"\.(\d+)", r"[\1]", key)  # runs.0.val_loss: runs[0].val_loss
            for kind, wrong in WRONG_ARRAYS.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # NaN cast to int
                    bad = {**arrays, key: np.asarray(wrong(arrays[key]))}
                try:
                    lesson = lesson_from_parts(data, bad)
                except LessonError as exc:
                    message = str(exc)
                    named = message.partition(": ")[0]
                    assert one_line_naming_a_field(message), (key, kind, message)
                    assert named.startswith(field) or field.startswith(named), \
                        (key, kind, message)
                    tried.add(kind)
                except Exception as exc:  # noqa: BLE001 (the point: nothing else may escape)
                    pytest.fail(f"{key} as {kind}: {type(exc).__name__}: {str(exc)[:300]}")
                else:
                    lesson.trainer().run(3, respect_stop_rule=False)
    assert tried >= set(WRONG_ARRAYS) - {"whole numbers", "half floats"}


def _lesson_with(**changes) -> str:
    data = json.loads(preset_text("statquest-all"))
    for key, value in changes.items():
        data[key] = value
    return json.dumps(data)


@pytest.mark.parametrize("text, field", [
    (_lesson_with().replace('"learning_rate": 0.1', f'"learning_rate": {HUGE}'),
     "learning_rate"),
    (_lesson_with().replace('[[[2.74], [-1.13]]', f'[[[{HUGE}], [-1.13]]'), "weights[0][0][0]"),
    (_lesson_with(trainable=["w1", "no\nsuch"]), "trainable"),
    (_lesson_with(title="lone \ud800 surrogate"), "title"),
    (_lesson_with(title="two\nlines"), "title"),
    (_lesson_with(description="bell \x07"), "description"),
    (_lesson_with(version=int(HUGE)), "version"),
    (_lesson_with(input_names=["in\ud800"]), "input_names[0]"),
])
def test_hostile_values_are_refused_naming_the_field(text, field):
    with pytest.raises(LessonError) as caught:
        lesson_from_json(text)
    message = str(caught.value)
    assert message.startswith(f"{field}: "), message
    assert one_line_naming_a_field(message), message


def test_a_huge_whole_number_is_not_a_finite_number():
    text = _lesson_with().replace('"learning_rate": 0.1', f'"learning_rate": {HUGE}')
    with pytest.raises(LessonError, match="learning_rate: .*not a finite number"):
        lesson_from_json(text)


def test_a_description_keeps_its_paragraphs():
    lesson = lesson_from_json(_lesson_with(description="One.\n\nTwo,\tand three."))
    assert lesson.description == "One.\n\nTwo,\tand three."


# --- files that are not files --------------------------------------------------------
@contextlib.contextmanager
def deadline(seconds: float):
    """Fail instead of hanging: opening a FIFO waits for a writer forever."""
    def expire(*_):
        raise TimeoutError(f"still waiting after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "lesson.fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    return {"fifo": fifo, "device": Path("/dev/zero"), "directory": folder}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_special_files_are_refused_by_type_before_opening(tmp_path):
    for kind, path in _special_files(tmp_path).items():
        start = time.perf_counter()
        with deadline(5), pytest.raises(LessonError, match="not a regular file"):
            load_lesson(path)
        assert time.perf_counter() - start < 0.5, kind


# --- the command line ----------------------------------------------------------------
def cli(*args):
    return subprocess.run([sys.executable, "-m", "gui.launcher", *args], capture_output=True,
                          text=True, timeout=20)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_hostile_files_on_the_command_line_exit_2_with_one_line(tmp_path):
    files = _special_files(tmp_path)
    for name, text in (
        ("huge-rate", _lesson_with().replace('"learning_rate": 0.1',
                                             f'"learning_rate": {HUGE}')),
        ("newline-name", _lesson_with(trainable=["w1", "no\nsuch"])),
        ("surrogate-title", _lesson_with(title="lone \ud800 surrogate")),
        ("deep", "[" * 100_000 + "]" * 100_000),
        ("longer-than-python-prints", _lesson_with().replace(
            '"learning_rate": 0.1', f'"learning_rate": {"9" * 5000}')),
    ):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(text)
    commands = [("trace", "--format", "markdown"), ("explain",), ("worksheet", "-o",
                                                                   str(tmp_path / "w.md"))]
    for k, (name, path) in enumerate(files.items()):
        command = commands[k % len(commands)]
        start = time.perf_counter()
        r = cli(command[0], str(path), *command[1:])
        took = time.perf_counter() - start
        assert r.returncode == 2, (name, r.returncode, r.stderr[-300:])
        assert len(r.stderr.strip().splitlines()) == 1, (name, r.stderr[-300:])
        assert "Traceback" not in r.stderr, name
        assert took < 2, (name, took)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_the_window_keeps_its_lesson_when_a_hostile_file_is_opened(tmp_path, qtbot):
    """Session.open (File → Open, a lesson on the command line): refused in one line,
    quickly, and the open lesson, its steps and its undo history stay."""
    from gui.session import session_for

    s = session_for("statquest-all")
    s.step()
    before = (s.network.params.copy(), s.steps_done, s.undo_stack.count(), s.lesson)
    huge = tmp_path / "huge.json"
    huge.write_text(_lesson_with().replace('"learning_rate": 0.1', f'"learning_rate": {HUGE}'))
    title = tmp_path / "title.json"
    title.write_text(_lesson_with(title="lone \ud800 surrogate"))
    for path in [*_special_files(tmp_path).values(), huge, title]:
        start = time.perf_counter()
        with deadline(5), pytest.raises(LessonError) as caught:
            s.open(str(path))
        assert time.perf_counter() - start < 0.5 and one_line_naming_a_field(str(caught.value))
        assert (s.network.params == before[0]).all()
        assert (s.steps_done, s.undo_stack.count(), s.lesson) == before[1:]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_a_data_file_that_is_not_a_file_or_too_wordy_is_refused_in_one_line(tmp_path):
    """Load data from CSV reads files the same careful way as lessons."""
    from engine.builder import load_csv

    wordy = tmp_path / "wordy.csv"
    wordy.write_text(f"x,{'y' * 10_000}\n0,0\n1,1\n")
    for path in [*_special_files(tmp_path).values(), wordy]:
        start = time.perf_counter()
        with deadline(5), pytest.raises(LessonError) as caught:
            load_csv(path)
        assert time.perf_counter() - start < 0.5
        assert one_line_naming_a_field(str(caught.value)), str(caught.value)[:300]
