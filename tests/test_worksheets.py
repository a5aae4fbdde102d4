"""Worksheets: every number matches the trace of the same lesson, in every format."""

import json
import re
import subprocess
import sys

import pytest

from engine import load_preset
from engine.worksheet import BLANK, worksheet_html, worksheet_markdown


def trace(lesson: str, steps: int) -> dict:
    r = subprocess.run([sys.executable, "-m", "gui.launcher", "trace", lesson, "--steps",
                        str(steps), "--format", "json"], capture_output=True, text=True,
                       check=True)
    return json.loads(r.stdout)


def new_values(text: str) -> list[tuple[str, float]]:
    """("w111", 0.205611) for every 'new w111 = … = 0.205611' in a worksheet."""
    found = re.findall(r"new (\w+) = \S+ - \(step size\) = (-?[0-9.e+-]*[0-9])",
                       text.replace("−", "-"))
    return [(name, float(v)) for name, v in found]


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("lesson,steps", [("statquest-b3", 3), ("house-price", 2)])
@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_worksheet_numbers_match_the_trace(lesson, steps, fmt, tmp_path):
    out = tmp_path / f"sheet.{fmt}"
    r = subprocess.run([sys.executable, "-m", "gui.launcher", "worksheet", lesson, "--steps",
                        str(steps), "--format", fmt, "--answers", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = pdf_text(out) if fmt == "pdf" else out.read_text()
    records = trace(lesson, steps)["steps"]
    trainable = list(records[0]["step_sizes"])
    values = new_values(" ".join(text.split()) if fmt == "pdf" else text)
    assert len(values) == steps * len(trainable)
    for k in range(steps):
        for j, name in enumerate(trainable):
            got_name, got = values[k * len(trainable) + j]
            assert got_name == name
            assert got == pytest.approx(records[k + 1]["params"][name], rel=1e-5, abs=1e-9)
    for k in range(steps):  # the loss before each step, too
        assert f"{records[k]['loss']:.6g}" in text.replace("−", "-")


def test_student_version_has_blanks_where_the_answers_go():
    lesson = load_preset("house-price")
    blank = worksheet_markdown(lesson, 1, answers=False)
    key = worksheet_markdown(lesson, 1, answers=True)
    assert BLANK in blank and BLANK not in key
    assert "0.205611" in key and "0.205611" not in blank
    assert "-0.32" in blank  # the data stays given
    html = worksheet_html(lesson, 1, answers=False)
    assert "<table>" in html and BLANK in html
