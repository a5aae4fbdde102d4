"""The headless commands, run as a user runs them."""

import json
import subprocess
import sys

import numpy as np
import pytest

from engine import load_preset


def cli(*args):
    return subprocess.run([sys.executable, "-m", "gui.launcher", *args], capture_output=True,
                          text=True, timeout=60)


def test_trace_json_records_match_the_article_002_sequence():
    r = cli("trace", "single-weight", "--steps", "5", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["stopped"] == "steps_done"
    ws = [s["params"]["w"] for s in out["steps"]]
    assert ws == pytest.approx([0.8, 0.59, 0.4745, 0.410975, 0.37603625, 0.3568199375],
                               abs=1e-12)
    first = out["steps"][0]
    assert first["weights"] == [[[0.8]]] and first["biases"] == [[]]
    assert first["grads"]["w"] == pytest.approx(4.5 * 0.8 - 1.5)
    assert first["step_sizes"]["w"] == pytest.approx(0.1 * (4.5 * 0.8 - 1.5))


def test_trace_runs_to_the_stop_rule_and_summary_shows_the_end():
    r = cli("trace", "statquest-b3", "--format", "summary")
    assert r.returncode == 0
    last = json.loads(r.stdout)
    assert last["params"]["b3"] == pytest.approx(2.61, abs=0.005)
    assert set(last["step_sizes"]) == {"b3"}  # only trainable parameters step


def test_trace_table_has_the_article_columns():
    r = cli("trace", "statquest-b3", "--steps", "1")
    assert r.returncode == 0
    header, row = r.stdout.splitlines()[:2]
    assert header.split()[:2] == ["step", "parameter"]
    cells = row.split()
    assert cells[1] == "b3" and cells[2] == "0"
    assert float(cells[3]) == pytest.approx(-15.655, abs=0.001)


def test_explain_prints_the_chain_rule():
    r = cli("explain", "statquest-all", "--param", "w1")
    assert r.returncode == 0
    assert "dSSR/dPredicted × dPredicted/dy1 × dy1/dx1 × dx1/dw1" in r.stdout
    assert "(e^x1 / (1 + e^x1))" in r.stdout
    # the forward pass first: x1 = Input·w1 + b1 = 0.5 × 2.74 + 0 for the second sample
    assert "x1 = 0, 1.37, 2.74" in r.stdout


@pytest.mark.parametrize("args", [("trace", "nosuch"), ("trace", "statquest-b3", "--lr", "x"),
                                  ("trace", "statquest-b3", "--steps", "-1"),
                                  ("explain", "statquest-b3", "--param", "w9")])
def test_bad_arguments_exit_2_with_one_line(args):
    r = cli(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [("", "--smoke"), ("trace", ""), ("explain", "  ")])
def test_an_empty_lesson_name_is_said_to_be_empty_with_the_presets(args):
    # `backprop-lab ""` printed ": not a regular file (a folder)": Path("") is the
    # current folder, and the message named nothing.
    from engine import PRESETS

    r = cli(*args)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("backprop-lab: lesson: the name is empty"), line
    assert "folder" not in line
    assert all(name in line for name in PRESETS), line


def test_divergence_exits_3_after_printing(tmp_path):
    r = cli("trace", "statquest-all", "--lr", "50", "--steps", "500", "--format", "json")
    assert r.returncode == 3
    out = json.loads(r.stdout)
    assert out["stopped"] == "diverged" and len(out["steps"]) > 1
    assert "diverged" in r.stderr


def test_headless_commands_never_import_qt():
    code = ("import sys; from gui.launcher import main; main(['trace', 'xor', '--steps', '3',"
            " '--format', 'summary']); main(['explain', 'house-price']);"
            " bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))];"
            " assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_trace_lr_option_changes_the_step():
    r = cli("trace", "single-weight", "--steps", "1", "--lr", "0.2", "--format", "json")
    w = [s["params"]["w"] for s in json.loads(r.stdout)["steps"]]
    assert w[1] == pytest.approx(0.8 - 0.2 * (4.5 * 0.8 - 1.5))
    assert load_preset("single-weight").learning_rate == 0.1


def test_trace_json_gives_each_samples_outputs_and_worksheet_names_them(tmp_path):
    r = cli("trace", "iris-softmax", "--steps", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["output_names"] == ["p_Setosa", "p_Versicolor", "p_Virginica"]
    outputs = np.array(data["outputs"])
    assert outputs.shape == (3, 3)
    np.testing.assert_allclose(outputs.sum(axis=1), 1.0, rtol=1e-12)  # probabilities
    # After one step b3 = -1.2268: p_Setosa of sample 1 from the raw outputs by hand.
    raw = np.array([-0.1 * 1.752 + 1.5 * 0.808 - 1.2267989967487036,
                    2.4 * 1.752 - 5.2 * 0.808, -2.2 * 1.752 + 3.7 * 0.808 + 1.0])
    np.testing.assert_allclose(outputs[0], np.exp(raw) / np.exp(raw).sum(), rtol=1e-9)
    sheet = tmp_path / "iris.md"
    assert cli("worksheet", "iris-softmax", "-o", str(sheet)).returncode == 0
    assert "| Petal width | Sepal width | Observed_Setosa | Observed_Versicolor |" in \
        sheet.read_text()


@pytest.mark.parametrize("args, option, help_command", [
    (("trace", "statquest-b3", "--bogus"), "--bogus", "backprop-lab trace"),
    (("trace", "--bogus", "statquest-b3"), "--bogus", "backprop-lab trace"),
    (("explain", "statquest-b3", "-x"), "-x", "backprop-lab explain"),
    (("worksheet", "statquest-b3", "-o", "w.md", "--zzz"), "--zzz", "backprop-lab worksheet"),
    (("--bogus",), "--bogus", "backprop-lab"),
])
def test_an_unknown_option_points_to_the_help_of_its_command(args, option, help_command):
    """The program's name once, and the --help that explains the command typed."""
    r = cli(*args)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"backprop-lab: unrecognized arguments: {option} (see {help_command} --help)"]


@pytest.mark.parametrize("args", [
    ("trace", "statquest-b3", "--lr", "9" * 10_000 + "x"),
    ("trace", "statquest-b3", "--format", "x" * 10_000),
    ("trace", "statquest-b3", "--steps", "1" * 10_000 + "x"),
    ("explain", "statquest-b3", "--param", "w" * 10_000),
    ("trace", "x" * 10_000),
    ("--size", "9" * 10_000),
    ("--" + "x" * 10_000,),
])
def test_a_long_paste_on_the_command_line_is_quoted_short(args):
    """The reason stays in sight: at most 30 characters of what was typed, then …"""
    r = cli(*args)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert len(line) < 300, line[:400]
    assert "…" in line
    assert any(reason in line for reason in (
        "not a number", "invalid choice", "not a whole number", "no parameter",
        "cannot read the file", "not WIDTHxHEIGHT", "unrecognized arguments")), line
