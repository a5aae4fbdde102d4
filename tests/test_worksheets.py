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


# --- the PDF's layout, read back out of the PDF ---------------------------------------
A4_WIDTH_PT, MARGIN_PT = 595.0, 15 / 25.4 * 72


def drawn_text(path) -> list[list[tuple[str, float, float, float, str]]]:
    """For each page, every piece of text drawn: (text, left x, baseline y, size in
    points, font name without its subset tag). The page number at the foot is left out."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        pieces = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            text = " ".join(text.split())
            if text:
                scale = tm[0] * cm[0]
                name = str((font or {}).get("/BaseFont", "")).split("+")[-1].lstrip("/")
                pieces.append((text, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5],
                               size * scale, name))

        page.extract_text(visitor_text=visit)
        foot = min(p[2] for p in pieces)
        pages.append([p for p in pieces
                      if not (p[2] == foot and re.fullmatch(r"\d+( / \d+)?", p[0]))])
    return pages


def right_edge(piece) -> float:
    """Where a piece of text ends, at least: 0.55 em a character (digits in a sans-serif
    face are wider, ~0.64 em)."""
    text, x, _, size, _ = piece
    return x + 0.55 * size * len(text)


def products(lesson_name: str) -> list[str]:
    """Every number of every 'product' column of the worksheet's first step, from the
    engine's chain rule."""
    from engine.breakdown import chain_rule_breakdown
    from engine.explain import fmt

    t = load_preset(lesson_name).trainer()
    return [fmt(v) for name in t.trainable
            for path in chain_rule_breakdown(t.network, t.inputs, t.targets,
                                             t.loss_function, name).paths
            for v in path.products]


@pytest.fixture
def pdf(qapp, tmp_path):
    from gui.worksheet_pdf import write_pdf

    def make(lesson: str, steps: int) -> list:
        out = tmp_path / f"{lesson}-{steps}.pdf"
        write_pdf(worksheet_html(load_preset(lesson), steps, True), str(out))
        return drawn_text(out)

    return make


@pytest.mark.parametrize("lesson", ["house-price", "statquest-all"])
def test_pdf_tables_keep_every_column_on_the_page(pdf, lesson):
    pages = pdf(lesson, 1)
    pieces = [p for page in pages for p in page]
    right = A4_WIDTH_PT - MARGIN_PT + 1
    for value in products(lesson):
        drawn = [p for p in pieces if p[0] == value]
        assert drawn, f"product {value} is not in the PDF"
        assert all(right_edge(p) <= right for p in drawn), f"{value} runs off the page"
    cells = [p for p in pieces if " " not in p[0]]  # a table's cells, every column's
    assert max(right_edge(p) for p in cells) <= right


@pytest.mark.parametrize("lesson,steps", [("house-price", 1), ("house-price", 2),
                                          ("statquest-all", 1), ("statquest-all", 2)])
def test_no_pdf_page_ends_with_a_heading_and_every_page_has_one_face(pdf, lesson, steps):
    pages = pdf(lesson, steps)
    body = 10.5
    for k, page in enumerate(pages):
        last = min(page, key=lambda p: p[2])
        is_heading = "Bold" in last[4] and last[3] > body * 1.15
        assert not is_heading, f"page {k + 1} ends with the heading {last[0]!r}"
    families = [{p[4].split("-")[0] for p in page} for page in pages]
    assert len(families[0]) == 1 and all(f == families[0] for f in families), families
    assert "Serif" not in next(iter(families[0]))


def test_a_table_wider_than_the_page_is_set_smaller_until_it_fits(qapp, tmp_path):
    from engine.worksheet import STYLE
    from gui.worksheet_pdf import write_pdf

    # 10 columns of 11 characters: ~850 pt at the body size, 510 pt between the margins
    numbers = [[f"-0.0{r}{c:02d}4567" for c in range(10)] for r in range(3)]
    rows = "".join("<tr>" + "".join(f"<td>{n}</td>" for n in row) + "</tr>"
                   for row in numbers)
    out = tmp_path / "wide.pdf"
    write_pdf(f"<html><head>{STYLE}</head><body><h2>Wide</h2><table>{rows}</table>"
              "</body></html>", str(out))
    pieces = {p[0]: p for page in drawn_text(out) for p in page}
    for n in (n for row in numbers for n in row):
        assert n in pieces and right_edge(pieces[n]) <= A4_WIDTH_PT - MARGIN_PT + 1, n
