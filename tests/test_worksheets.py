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


# --- the picture of the network ----------------------------------------------------------
SVG = "{http://www.w3.org/2000/svg}"


def svg_labels(svg: str) -> dict[str, float]:
    import xml.etree.ElementTree as ET

    texts = (t.text for t in ET.fromstring(svg).iter(f"{SVG}text"))
    # the drawing writes the minus sign − (U+2212), read as Python's -
    return {m[1]: float(m[2].replace("−", "-"))
            for m in (re.fullmatch(r"(\w+) = (\S+)", t) for t in texts) if m}


def test_the_html_worksheet_shows_the_network_before_step_1():
    html = worksheet_html(load_preset("statquest-b3"), 2, answers=False)
    assert html.count("<svg") == 1
    svg = html[html.index("<svg"):html.index("</svg>") + len("</svg>")]
    assert html.index("<h2>The network</h2>") < html.index("<svg") < html.index("Step 1")
    # the starting values of statquest-b3's file, also in the students' version
    assert svg_labels(svg) == {"w1": 3.34, "w2": -3.53, "w3": -1.22, "w4": -2.3,
                               "b1": -1.43, "b2": 0.57, "b3": 0}


def test_the_markdown_worksheet_links_its_picture_written_beside_it(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gui.launcher", "worksheet", "house-price",
                        "-o", str(tmp_path / "week 3.md")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    picture = tmp_path / "week 3-network.svg"
    assert str(picture) in r.stdout
    text = (tmp_path / "week 3.md").read_text()
    link = re.search(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert link and link[1] == "week%203-network.svg"  # relative, a space escaped
    assert text.index(link[0]) < text.index("## Step 1")
    labels = svg_labels(picture.read_text())
    assert labels["w111"] == 0.2 and labels["w212"] == 0.2 and labels["b21"] == 0.4


def test_the_window_writes_the_markdown_worksheet_with_its_picture(window, tmp_path):
    w = window("statquest-b3")
    assert w.files.export_worksheet_to(str(tmp_path / "sheet.md"), 1, answers=False)
    assert "](sheet-network.svg)" in (tmp_path / "sheet.md").read_text()
    assert svg_labels((tmp_path / "sheet-network.svg").read_text())["w1"] == 3.34


def drawn_paths(path) -> list[list[tuple[str, list[tuple[float, float]]]]]:
    """For each page, every path segment drawn (m, l, c, re) with its points in PDF
    points, read by following the content stream's transformations."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(path)
    pages = []
    for page in reader.pages:
        ctm, saved, segments = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []

        def on_page(x, y, m):
            a, b, c, d, e, f = m
            return (a * x + c * y + e, b * x + d * y + f)

        for args, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"q":
                saved.append(ctm)
            elif op == b"Q":
                ctm = saved.pop()
            elif op == b"cm":
                a, b, c, d, e, f = (float(v) for v in args)
                A, B, C, D, E, F = ctm
                ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
                       e * A + f * C + E, e * B + f * D + F)
            elif op in (b"m", b"l", b"c"):
                v = [float(x) for x in args]
                segments.append((op.decode(),
                                 [on_page(*v[k:k + 2], ctm) for k in range(0, len(v), 2)]))
            elif op == b"re":
                x, y, w, h = (float(v) for v in args)
                segments.append(("re", [on_page(x, y, ctm), on_page(x + w, y + h, ctm)]))
        pages.append(segments)
    return pages


@pytest.mark.parametrize("lesson", ["statquest-all", "iris-softmax", "moons-softmax"])
def test_the_pdf_draws_the_network_on_page_1_within_the_margins(qapp, tmp_path, lesson):
    from dataclasses import replace

    from gui.worksheet_pdf import write_pdf

    chosen = load_preset(lesson)
    # moons on 2 of its 60 samples: 7 pages to read back, not 210 (the same picture)
    chosen = replace(chosen, inputs=chosen.inputs[:2], targets=chosen.targets[:2])
    out = tmp_path / "sheet.pdf"
    write_pdf(worksheet_html(chosen, 1, True), str(out))
    paths, texts = drawn_paths(out), drawn_text(out)
    network = chosen.network
    neurons = network.inputs + sum(network.sizes)
    curves = [points for op, points in paths[0] if op == "c"]
    # Only the picture draws curves: the circles, at least four arcs each, on page 1 only
    assert len(curves) >= 4 * neurons
    assert all(op != "c" for page in paths[1:] for op, _ in page)
    xs = [x for points in curves for x, _ in points]
    ys = [y for points in curves for _, y in points]
    a4_height = 842.0
    assert min(xs) >= MARGIN_PT - 1 and max(xs) <= A4_WIDTH_PT - MARGIN_PT + 1
    assert min(ys) >= MARGIN_PT - 1 and max(ys) <= a4_height - MARGIN_PT + 1
    # under its heading, above the first step (y grows up the page)
    heading = next(p for p in texts[0] if p[0] == "The network")
    assert max(ys) < heading[2]
    step = [p for p in texts[0] if p[0] == "Step 1"]
    assert not step or step[0][2] < min(ys)
    # its words (labels, names beside nodes) within the margins, the labels with the
    # lesson's starting values
    body = 10.5
    words = [p for p in texts[0] if min(ys) - 40 < p[2] < max(ys) + 40 and p[3] < body]
    for piece in words:
        assert piece[1] >= MARGIN_PT - 1 and right_edge(piece) <= A4_WIDTH_PT - MARGIN_PT + 1
    names = dict(zip(network.param_names, network.params, strict=True))
    written = {m[1]: float(m[2].replace("−", "-")) for p in words  # the minus sign
               if (m := re.fullmatch(r"(\w+) = ([−-]?[0-9.e+−-]+)", p[0])) and m[1] in names}
    assert set(written) == (set(names) if sum(w.size for w in network.weights) <= 24
                            else set())
    for name, value in written.items():
        assert value == pytest.approx(names[name], rel=5e-4, abs=1e-12)


def test_the_worksheet_dialog_says_it_starts_from_the_values_shown_now(qtbot):
    """After 565 steps the PDF's "Starting values" were the trained ones and the dialog
    did not say so (reviewer's walk)."""
    from gui.worksheet_pdf import WorksheetDialog

    fresh = WorksheetDialog(None, 0)
    qtbot.addWidget(fresh)
    assert not hasattr(fresh, "start_note")
    trained = WorksheetDialog(None, 565)
    qtbot.addWidget(trained)
    assert "after step 565" in trained.start_note.text()
    assert "Reset" in trained.start_note.text()
