"""`backprop-lab export-code` (issue 16): a standalone numpy script of the lesson that
trains the same steps with its own forward and backward pass and asserts that its numbers
match the app's to 1e-9. Each script is run here, in a fresh Python, with subprocess."""

import runpy
import subprocess
import sys

import numpy as np
import pytest

from engine import PRESETS, Layer, load_preset
from engine.builder import build_lesson
from engine.initialise import initialise
from gui.launcher import main as launcher_main


def export(lesson: str, path, steps: int = 12) -> int:
    return launcher_main(["export-code", lesson, "--to", "numpy", "--steps", str(steps),
                          "-o", str(path)])


def run(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=path.parent)


# Presets that train with what export-code does not write yet (momentum, batches).
NOT_YET = {"narrow-valley": "optimizer", "sgd-line": "batching"}


@pytest.mark.parametrize("name", [p for p in PRESETS if p not in NOT_YET])
def test_every_preset_exports_a_script_that_trains_the_same_steps(name, tmp_path):
    script = tmp_path / "lesson.py"
    assert export(name, script) == 0
    done = run(script)
    assert done.returncode == 0, done.stderr
    assert "matches Backprop Lab's to 1e-9" in done.stdout
    assert "import engine" not in script.read_text() and "gui" not in script.read_text()


def test_the_script_gives_the_articles_numbers(tmp_path):
    # single-weight: y = x·w with w = 0.8, 0.59, 0.4745 (the lesson's article, README)
    script = tmp_path / "single.py"
    assert export("single-weight", script, steps=2) == 0
    ran = runpy.run_path(str(script), run_name="not_main")
    assert ran["W"][0].item() == pytest.approx(0.4745, abs=1e-12)
    # Mazur's 2-2-2 example: E = 0.298371109 at the start, w5 0.358916480 after one step
    script = tmp_path / "mazur.py"
    assert export("mazur-2-2-2", script, steps=1) == 0
    ran = runpy.run_path(str(script), run_name="not_main")
    assert ran["losses"][0] == pytest.approx(0.298371109, abs=1e-9)
    assert ran["W"][1][0, 0] == pytest.approx(0.358916480, abs=1e-9)


def test_a_changed_script_fails_its_own_check(tmp_path):
    script = tmp_path / "lesson.py"
    assert export("statquest-all", script) == 0
    text = script.read_text()
    assert "LEARNING_RATE = 0.1\n" in text
    script.write_text(text.replace("LEARNING_RATE = 0.1\n", "LEARNING_RATE = 0.1000001\n"))
    done = run(script)
    assert done.returncode != 0 and "AssertionError" in done.stderr


@pytest.mark.parametrize("seed", range(3))
def test_random_built_networks_export_and_match(seed, tmp_path):
    rng = np.random.default_rng(seed)
    base = load_preset(["house-price", "moons-softmax", "mazur-2-2-2"][seed])
    hidden = [Layer(int(rng.integers(1, 5)), act, bool(rng.integers(0, 2)))
              for act in rng.choice(["relu", "sigmoid", "tanh", "softplus"], size=2)]
    output = base.network.layers[-1]
    lesson = build_lesson(base, hidden, output, base.loss, "sequential", seed)
    initialise(lesson.network, "xavier", seed)
    lesson.learning_rate = 0.05
    path = tmp_path / "built.json"
    lesson.save(path)
    script = tmp_path / "built.py"
    assert export(str(path), script, steps=20) == 0
    done = run(script)
    assert done.returncode == 0, done.stderr


def test_what_it_cannot_write_is_refused_in_one_line(tmp_path, capsys):
    lesson = load_preset("statquest-all")
    from engine.optimizers import Optimizer

    lesson.optimizer = Optimizer("adam")
    path = tmp_path / "adam.json"
    lesson.save(path)
    assert export(str(path), tmp_path / "out.py") == 2
    err = capsys.readouterr().err
    assert err.startswith("backprop-lab: optimizer:") and err.count("\n") == 1
    assert not (tmp_path / "out.py").exists()


def test_export_as_code_in_the_window_trains_the_steps_taken(window, tmp_path):
    w = window("house-price")
    texts = [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    assert "Export as code…" in texts
    for _ in range(3):
        w.controls.step()
    script = tmp_path / "house.py"
    assert w.files.export_code_to(str(script))
    done = run(script)
    assert done.returncode == 0, done.stderr
    ran = runpy.run_path(str(script), run_name="not_main")
    assert ran["STEPS"] == 3
    # its last loss is the loss the window shows now
    assert ran["losses"][-1] == pytest.approx(w.session.loss, rel=1e-12)
    assert w.session.set_optimizer("adam")
    assert not w.files.export_code_to(str(tmp_path / "adam.py"))
    assert w.statusBar().currentMessage().startswith("optimizer:")


@pytest.mark.parametrize("name", sorted(NOT_YET))
def test_what_export_code_cannot_write_yet_is_refused_naming_it(name, tmp_path, capsys):
    script = tmp_path / "lesson.py"
    assert export(name, script) == 2
    assert not script.exists()
    err = capsys.readouterr().err
    assert NOT_YET[name] in err and "\n" not in err.strip()
