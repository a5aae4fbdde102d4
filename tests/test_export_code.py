"""`backprop-lab export-code` (issue 16): a standalone script of the lesson, numpy or
PyTorch, that trains the same steps and asserts that its numbers match the app's to 1e-9.

The scripts run in a fresh Python (one subprocess for many scripts, each in its own
namespace: a subprocess costs ~0.2 s), and what they compute is compared here with a
Trainer run made by the test, not only with the numbers written into them. PyTorch's
scripts run where torch is installed, in this Python or in the one named by
BACKPROP_LAB_TORCH_PYTHON (e.g. a separate venv), with numpy blocked: `pip install torch`
does not bring it."""

import json
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

import engine.export_run as export_run
import engine.export_torch as export_torch
from engine import PRESETS, Layer, load_preset
from engine.batching import Batching
from engine.builder import build_lesson
from engine.export_code import code_script
from engine.initialise import initialise
from engine.lesson import LessonError
from engine.optimizers import Optimizer
from engine.schedules import Schedule
from engine.training import History
from gui.launcher import main as launcher_main

TOLERANCE = 1e-9

# Runs each script named on the command line in its own namespace and prints, as JSON,
# what it computed (or the error it stopped with). "no-numpy" first blocks numpy.
DRIVER = '''
import contextlib, io, json, runpy, sys
if sys.argv[1] == "no-numpy":
    sys.modules["numpy"] = None  # import numpy now fails, as where it is not installed
results = []
for path in sys.argv[2:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            ns = runpy.run_path(path, run_name="__main__")
    except Exception as exc:
        results.append({"error": type(exc).__name__ + ": " + str(exc)[:300]})
        continue
    params = ([p.detach().tolist() for p in ns["model"].parameters()] if "model" in ns
              else [p.tolist() for p in ns["params"]])
    results.append({"stdout": out.getvalue(), "losses": [float(v) for v in ns["losses"]],
                    "params": params})
print(json.dumps(results))
'''


def run_scripts(paths, python=sys.executable, block_numpy=False) -> list[dict]:
    driver = paths[0].parent / "driver.py"
    driver.write_text(DRIVER)
    done = subprocess.run([python, "-I", str(driver), "no-numpy" if block_numpy else "-",
                           *map(str, paths)], capture_output=True, text=True, timeout=600,
                          cwd=paths[0].parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def export(lesson: str, path, steps: int = 12, to: str = "numpy") -> int:
    return launcher_main(["export-code", lesson, "--to", to, "--steps", str(steps),
                          "-o", str(path)])


def trained(lesson, steps):
    """The test's own run of the engine: every loss, and the final weights and biases
    layer by layer (the order of the scripts' params and torch's model.parameters())."""
    trainer = lesson.trainer()
    trainer.run(steps, respect_stop_rule=False)
    net = trainer.network
    return trainer.history.loss.copy(), [
        a.copy() for w, b in zip(net.weights, net.biases, strict=True)
        for a in (w, b) if a is not None]


def assert_matches_trainer(result: dict, lesson, steps: int) -> None:
    assert "error" not in result, result.get("error")
    assert "matches Backprop Lab's to 1e-9" in result["stdout"]
    losses, params = trained(lesson, steps)
    assert len(result["losses"]) == steps + 1
    np.testing.assert_allclose(result["losses"], losses, rtol=TOLERANCE, atol=TOLERANCE)
    assert len(result["params"]) == len(params)
    for mine, app in zip(result["params"], params, strict=True):
        np.testing.assert_allclose(mine, app, rtol=TOLERANCE, atol=TOLERANCE)


def lesson_with(name, optimizer=None, batching=None, schedule=None, lr=None):
    lesson = load_preset(name)
    lesson.optimizer = optimizer or lesson.optimizer
    lesson.batching = batching or lesson.batching
    lesson.schedule = schedule or lesson.schedule
    lesson.learning_rate = lr or lesson.learning_rate
    return lesson


# Every optimizer (settings other than PyTorch's defaults, so that a setting left out
# shows), weight decay, one sample at a time and mini-batches with a smaller last one,
# every schedule, frozen values (statquest-b3, iris-softmax: part of a layer's biases),
# and each kind of loss.
COMBINATIONS = {
    "momentum-step": lambda: lesson_with(
        "xor", Optimizer("momentum", momentum=0.9), schedule=Schedule("step", step_size=3)),
    "nesterov-decay-batches-of-7": lambda: lesson_with(
        "moons-softmax", Optimizer("nesterov", momentum=0.8, weight_decay=0.01),
        Batching(7, 11)),
    "rmsprop-one-sample-exponential": lambda: lesson_with(
        "exam-pass-bce", Optimizer("rmsprop", alpha=0.9, eps=1e-6), Batching(1, 3),
        Schedule("exponential", gamma=0.9), lr=0.01),
    "adam-decay-batches-of-2-cosine": lambda: lesson_with(
        "iris-softmax", Optimizer("adam", beta1=0.8, beta2=0.99, weight_decay=0.01),
        Batching(2, 5),
        Schedule("cosine", T_max=7, eta_min=0.01), lr=0.05),
    "sgd-decay-one-sample": lambda: lesson_with(
        "house-price", Optimizer("sgd", weight_decay=0.1), Batching(1, 0)),
    "adam-frozen": lambda: lesson_with("statquest-b3", Optimizer("adam"), lr=0.5),
}
COMBINATION_STEPS = 25


def lessons():
    yield from ((name, load_preset(name), 12) for name in PRESETS)
    yield from ((name, make(), COMBINATION_STEPS) for name, make in COMBINATIONS.items())


def export_all(folder, to: str) -> dict:
    """Every preset's and combination's script: name -> (lesson, steps, path)."""
    folder.mkdir()
    written = {}
    for name, lesson, steps in lessons():
        path = folder / f"{name}.py"
        path.write_text(code_script(lesson, steps, to))
        written[name] = (lesson, steps, path)
    return written


@pytest.fixture(scope="module")
def numpy_results(tmp_path_factory):
    written = export_all(tmp_path_factory.mktemp("numpy") / "scripts", "numpy")
    results = run_scripts([path for _, _, path in written.values()])
    return {name: (lesson, steps, path, result)
            for (name, (lesson, steps, path)), result in zip(written.items(), results, strict=True)}


@pytest.mark.parametrize("name", [*PRESETS, *COMBINATIONS])
def test_the_numpy_script_trains_the_same_steps_as_the_app(name, numpy_results):
    lesson, steps, path, result = numpy_results[name]
    assert_matches_trainer(result, lesson, steps)
    text = path.read_text()
    assert "import engine" not in text and "from engine" not in text and "gui" not in text
    # only the lesson's own rule is written: no Adam in a script of plain descent
    assert ("BETA1" in text) == (lesson.optimizer.name == "adam")


def test_the_export_code_command_writes_both_kinds(tmp_path, capsys):
    for to in ("numpy", "pytorch"):
        assert export("sgd-line", tmp_path / f"{to}.py", steps=3, to=to) == 0
    assert "import numpy" in (tmp_path / "numpy.py").read_text()
    torch_text = (tmp_path / "pytorch.py").read_text()
    assert "import torch" in torch_text and "import numpy" not in torch_text


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


def test_the_scripts_batches_are_the_apps_and_each_epoch_uses_every_sample_once(tmp_path):
    for batching in (Batching(1, 3), Batching(7, 11)):
        lesson = lesson_with("moons-softmax", batching=batching)
        script = tmp_path / "batches.py"
        script.write_text(code_script(lesson, 0))
        samples_of = runpy.run_path(str(script), run_name="not_main")["samples_of"]
        n, size = len(lesson.inputs), batching.size
        per_epoch = -(-n // size)
        trainer = lesson.trainer()
        epochs = []
        for epoch in range(3):
            batches = [samples_of(epoch * per_epoch + k) for k in range(per_epoch)]
            assert [len(b) for b in batches] == [size] * (n // size) + (
                [n % size] if n % size else [])
            assert sorted(np.concatenate(batches).tolist()) == list(range(n))
            for k, batch in enumerate(batches):
                assert batch.tolist() == trainer.batch(epoch * per_epoch + k).tolist()
            epochs.append(np.concatenate(batches).tolist())
        assert epochs[0] != epochs[1] != epochs[2]  # each epoch shuffles anew


# Changes that must make a script fail its own check: a setting, the shuffle, the
# schedule, the update rule.
WRONG = {
    "adam-decay-batches-of-2-cosine": [("BETA1, BETA2, EPS, WEIGHT_DECAY = 0.8,",
                                        "BETA1, BETA2, EPS, WEIGHT_DECAY = 0.81,"),
                                       ("[SEED, epoch + 1]", "[SEED, epoch]"),
                                       ("math.cos(math.pi * update / T_MAX)",
                                        "math.cos(math.pi * (update + 1) / T_MAX)")],
    "momentum-step": [("GAMMA ** (update // STEP_SIZE)", "GAMMA ** (update // 4)"),
                      ("v[i] = g if t == 1 else", "v[i] = 0 * g if t == 1 else")],
    "statquest-all": [("LEARNING_RATE = 0.1\n", "LEARNING_RATE = 0.1000001\n")],
}


def test_a_changed_numpy_script_fails_its_own_check(numpy_results, tmp_path):
    paths = []
    for name, changes in WRONG.items():
        text = numpy_results[name][2].read_text()
        for k, (old, new) in enumerate(changes):
            assert old in text, (name, old)
            paths.append(tmp_path / f"{name}-{k}.py")
            paths[-1].write_text(text.replace(old, new))
    for path, result in zip(paths, run_scripts(paths), strict=True):
        assert result.get("error", "").startswith("AssertionError"), path.name


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
    lesson.optimizer = [Optimizer("adam"), Optimizer("rmsprop"), Optimizer("nesterov",
                                                                            momentum=0.5)][seed]
    path = tmp_path / "built.json"
    lesson.save(path)
    script = tmp_path / "built.py"
    assert export(str(path), script, steps=20) == 0
    ran = runpy.run_path(str(script), run_name="not_main")  # its own check passes
    losses, params = trained(lesson, 20)
    np.testing.assert_allclose(ran["losses"], losses, rtol=TOLERANCE, atol=TOLERANCE)


# RMSProp on moons: where a slope is nearly 0 its step is lr·g/√s, rounding noise over
# noise, and two programs part ways by step 90.
def magnifying_run():
    return lesson_with("moons-softmax", Optimizer("rmsprop"), lr=0.01)


# Nesterov on one sample at a time saturates exam-pass's sigmoid by step 2: nn.BCELoss
# clamps its slope there, the app does not.
def saturating_run():
    return lesson_with("exam-pass-bce", Optimizer("nesterov", momentum=0.9), Batching(1, 3))


def test_a_run_that_magnifies_its_last_digits_is_refused_and_would_fail(tmp_path, capsys,
                                                                        monkeypatch):
    lesson = magnifying_run()
    path = tmp_path / "rms.json"
    lesson.save(path)
    assert export(str(path), tmp_path / "out.py", steps=150) == 2
    err = capsys.readouterr().err
    assert err.startswith("backprop-lab: steps: from step ") and err.count("\n") == 1
    assert not (tmp_path / "out.py").exists()
    at_most = int(err.split("export at most ")[1].split()[0])
    # the steps it offers export and match ...
    script = tmp_path / "fewer.py"
    script.write_text(code_script(lesson, at_most))
    # ... and the refusal is real: without it the script fails its own check
    monkeypatch.setattr(export_run, "first_sensitive_step", lambda *_: None)
    refused = tmp_path / "refused.py"
    refused.write_text(code_script(lesson, 150))
    fewer, whole = run_scripts([script, refused])
    assert_matches_trainer(fewer, lesson, at_most)
    assert whole["error"].startswith("AssertionError")


def test_what_cannot_be_written_is_refused_in_one_line_naming_it(tmp_path, capsys):
    nothing = load_preset("single-weight")
    nothing.trainable = ()
    saturated = saturating_run()
    for lesson, to, steps, field in ((nothing, "pytorch", 3, "trainable"),
                                     (saturated, "pytorch", 25, "loss"),
                                     (load_preset("xor"), "numpy", 10_001, "steps")):
        path = tmp_path / "lesson.json"
        lesson.save(path)
        assert export(str(path), tmp_path / "out.py", steps=steps, to=to) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"backprop-lab: {field}:") and err.count("\n") == 1
        assert not (tmp_path / "out.py").exists()
    # numpy writes the saturated run (its slope is the app's exact p - y) and matches
    script = tmp_path / "saturated.py"
    script.write_text(code_script(saturated, 25))
    ran = runpy.run_path(str(script), run_name="not_main")  # its own check passes
    np.testing.assert_allclose(ran["losses"], trained(saturated, 25)[0], rtol=TOLERANCE,
                               atol=TOLERANCE)
    with pytest.raises(LessonError, match="^to: "):
        code_script(load_preset("xor"), 1, "jax")


def test_a_wide_networks_thinned_history_still_exports_every_steps_loss(monkeypatch,
                                                                         tmp_path):
    # A wide network's history keeps an even sample of the rows (its memory budget); the
    # script checks every step's loss all the same. Here a budget of ~40 rows of
    # statquest-all does what a 4,000-parameter network's 200 MB does.
    expected, values = trained(load_preset("statquest-all"), 100)
    monkeypatch.setattr(History, "BUDGET_BYTES", 40 * History.row_bytes(7))
    script = tmp_path / "thinned.py"
    script.write_text(code_script(load_preset("statquest-all"), 100))
    ran = runpy.run_path(str(script), run_name="not_main")  # its own check passes
    np.testing.assert_allclose(ran["losses"], expected, rtol=TOLERANCE, atol=TOLERANCE)
    for mine, app in zip(ran["params"], values, strict=True):
        np.testing.assert_allclose(mine, app, rtol=TOLERANCE, atol=TOLERANCE)


def test_a_pytorch_script_lists_at_most_so_many_sample_numbers(monkeypatch):
    # sgd-line: 8 samples one at a time; 8 steps are one epoch's order, 9 need two
    monkeypatch.setattr(export_torch, "MAX_ORDER_ENTRIES", 10)
    assert "ORDERS = [[" in code_script(load_preset("sgd-line"), 8, "pytorch")
    with pytest.raises(LessonError, match="^steps: .* 16 sample numbers for 9 steps"):
        code_script(load_preset("sgd-line"), 9, "pytorch")
    assert "default_rng" in code_script(load_preset("sgd-line"), 9, "numpy")


def test_export_as_code_in_the_window_trains_the_steps_taken(window, tmp_path):
    w = window("house-price")
    file_menu = w.menuBar().actions()[0].menu()
    code_menu = next(a.menu() for a in file_menu.actions() if a.text() == "Export as code")
    assert [a.text() for a in code_menu.actions()] == ["NumPy script…", "PyTorch script…"]
    assert all(a.toolTip() for a in code_menu.actions())
    assert w.session.set_optimizer("adam")
    for _ in range(3):
        w.controls.step()
    script = tmp_path / "house.py"
    assert w.files.export_code_to(str(script))
    result, = run_scripts([script])
    assert result["losses"][-1] == pytest.approx(w.session.loss, rel=1e-12)
    assert len(result["losses"]) == 4 and "Adam" in script.read_text()
    torch_script = tmp_path / "house_torch.py"
    assert w.files.export_code_to(str(torch_script), "pytorch")
    assert "torch.optim.Adam(" in torch_script.read_text()
    assert "PyTorch" in w.statusBar().currentMessage()


def test_export_as_code_asks_how_many_steps_first(window, tmp_path, monkeypatch):
    """At step 0 the user chooses the steps (10 offered; the steps taken so far once
    there are some), within the engine's limit, before the file name is asked for."""
    from PySide6.QtWidgets import QFileDialog

    from engine.export_run import MAX_STEPS
    from gui.file_actions import CodeStepsDialog, FileActions

    w = window("statquest-all")
    offered = CodeStepsDialog("NumPy", w.files.code_steps(), w)
    assert (offered.steps.value(), offered.steps.minimum(), offered.steps.maximum()) == \
        (10, 1, MAX_STEPS)
    assert "10,000" in offered.steps.toolTip() and "long file" in offered.steps.toolTip()
    asked = []
    monkeypatch.setattr(FileActions, "ask_code_steps",
                        lambda self, to: asked.append(self.code_steps()) or 25)
    script = tmp_path / "chosen.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a: (str(script), "Python (*.py)"))
    w.files.export_code("numpy")
    assert asked == [10]
    result, = run_scripts([script])
    assert len(result["losses"]) == 26  # the loss before the first step and after each
    for _ in range(25):  # the app's own 25 steps reach the script's last loss
        w.controls.step()
    assert result["losses"][-1] == pytest.approx(w.session.loss, rel=1e-12)
    w.files.export_code("numpy")
    assert asked == [10, 25]  # the steps taken so far, offered next time
    monkeypatch.setattr(FileActions, "ask_code_steps", lambda self, to: None)
    script.unlink()
    w.files.export_code("numpy")  # cancelled: no file name asked, nothing written
    assert not script.exists()


# --- PyTorch ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_python():
    python = os.environ.get("BACKPROP_LAB_TORCH_PYTHON")
    if python:
        return python
    pytest.importorskip("torch")
    return sys.executable


@pytest.fixture(scope="module")
def torch_results(tmp_path_factory, torch_python):
    written = export_all(tmp_path_factory.mktemp("pytorch") / "scripts", "pytorch")
    # and changes that must make it fail: a setting, the batches' order, the schedule
    folder = next(iter(written.values()))[2].parent
    wrong = []
    for name, old, new in (("nesterov-decay-batches-of-7", "momentum=0.8", "momentum=0.81"),
                           ("sgd-line", "ORDERS[epoch]", "ORDERS[epoch][::-1]"),
                           ("momentum-step", "    scheduler.step()", "    pass")):
        text = written[name][2].read_text()
        assert old in text, (name, old)
        wrong.append(folder / f"wrong-{name}.py")
        wrong[-1].write_text(text.replace(old, new))
    # and what export-code refuses, written all the same: the refusals are real
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export_run, "first_sensitive_step", lambda *_: None)
        patch.setattr(export_torch, "_check_outputs", lambda _: None)
        for name, lesson, steps in (("magnifies", magnifying_run(), 150),
                                    ("saturates", saturating_run(), 25)):
            wrong.append(folder / f"refused-{name}.py")
            wrong[-1].write_text(code_script(lesson, steps, "pytorch"))
    results = run_scripts([path for _, _, path in written.values()] + wrong, torch_python,
                          block_numpy=True)
    return ({name: (lesson, steps, result) for (name, (lesson, steps, _)), result
             in zip(written.items(), results[:len(written)], strict=True)},
            results[len(written):])


@pytest.mark.parametrize("name", [*PRESETS, *COMBINATIONS])
def test_the_pytorch_script_trains_the_same_steps_as_the_app(name, torch_results):
    lesson, steps, result = torch_results[0][name]
    assert_matches_trainer(result, lesson, steps)


def test_a_changed_or_refused_pytorch_script_fails_its_own_check(torch_results):
    for result in torch_results[1]:
        assert result.get("error", "").startswith("AssertionError"), result
