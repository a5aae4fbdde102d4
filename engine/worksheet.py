"""Worksheets: a lesson and its next K steps written out the way the articles write them
(network with its picture, data, formulas, then every number of every step), as Markdown
or HTML, in two versions: blanks for students, or the answer key."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from engine.breakdown import chain_rule_breakdown, observed_name
from engine.diagram import network_svg
from engine.explain import fmt, update_equations
from engine.files import write_text_atomically
from engine.lesson import Lesson
from engine.optimizers import OPTIMIZERS
from engine.training import StopReason

BLANK = "________"


@dataclass
class Cell:
    """A number a student works out (answer=True) or is given (answer=False)."""

    value: float
    answer: bool = True


Row = list[str | Cell]


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "p", "table", "eq", "picture"
    content: Any  # text, rows of cells for a table, the parts of an equation, or SVG


def _blocks(lesson: Lesson, steps: int) -> list[Block]:
    t = lesson.trainer()
    net, loss = t.network, t.loss_function
    out = [Block("h1", lesson.title)]
    if lesson.description:
        out.append(Block("p", lesson.description))
    layers = [["layer", "neurons", "activation", "bias"]]
    layers += [[str(k + 1), str(ly.neurons), ly.activation, "yes" if ly.bias else "no"]
               for k, ly in enumerate(net.layers)]
    out += [Block("h2", "The network"),
            Block("picture", network_svg(net)),  # the starting values: no step taken yet
            Block("p", f"{net.inputs} input(s); loss {loss.symbol} ({loss.name}); "
                       f"learning rate {fmt(t.learning_rate)}; trainable: "
                       f"{', '.join(t.trainable)}. "
                       + ("Step size = slope × learning rate; new value = old value − "
                          "step size." if t.optimizer.is_plain else
                          f"Optimizer: {OPTIMIZERS[t.optimizer.name]}, "
                          + ", ".join(f"{k} = {fmt(v)}"
                                      for k, v in t.optimizer.settings().items())
                          + "; new value = old value − step size.")),
            Block("table", layers)]
    data = [[*net.names.inputs, *(observed_name(net, k) for k in range(t.targets.shape[1]))]]
    data += [[fmt(v) for v in (*x, *y)] for x, y in zip(t.inputs, t.targets, strict=True)]
    out += [Block("h2", "Data"), Block("table", data)]
    start = [["parameter", "value"]] + [[n, Cell(v, False)] for n, v in
                                        zip(net.param_names, net.params, strict=True)]
    out += [Block("h2", "Starting values"), Block("table", start)]
    for k in range(steps):
        out.append(Block("h2", f"Step {k + 1}"))
        out.append(Block("eq", ["loss before the step: ", loss.symbol, " = ", Cell(t.loss)]))
        batch = t.batch()  # every training sample, or with batches this step's
        if len(batch) < len(t.inputs):  # a batch, or samples held out for validation
            out.append(Block("p", f"This step's slopes sum over sample(s) "
                                  f"{', '.join(str(i + 1) for i in batch)} only."))
        for name in t.trainable:
            b = chain_rule_breakdown(net, t.inputs[batch], t.targets[batch], loss, name)
            out.append(Block("h3", f"{b.symbol}"))
            for path in b.paths:
                out.append(Block("eq", [f"{b.symbol} = Σ " +
                                        " · ".join(f.symbol for f in path.factors)]))
                out.append(Block("eq", ["= Σ " + " · ".join(f"({f.formula})"
                                                          for f in path.factors)]))
                rows: list[Row] = [["sample", *[f.symbol for f in path.factors], "product"]]
                for s, sample in enumerate(batch):
                    rows.append([str(sample + 1), *[Cell(f.values[s]) for f in path.factors],
                                 Cell(path.products[s])])
                out.append(Block("table", rows))
            u = t.update(name)
            if t.optimizer.is_plain:
                out.append(Block("eq", ["slope = ", Cell(u.slope), "; step size = slope × ",
                                        fmt(u.learning_rate), " = ", Cell(u.step_size),
                                        f"; new {name} = ", Cell(u.value, k > 0),
                                        " − (step size) = ", Cell(u.new_value)]))
            else:  # the optimizer's own equations; its settings are given, not asked
                given = {u.learning_rate, *dict(u.settings).values()}
                out.append(Block("eq", ["slope = ", Cell(u.slope)]))
                for equation in update_equations(u):
                    out.append(Block("eq", [p if isinstance(p, str)
                                            else fmt(p) if p in given else Cell(p)
                                            for p in equation]))
        if t.step() is StopReason.DIVERGED:
            out.append(Block("p", "Training diverged here: the next values are not finite."))
            break
    return out


def _text(part, answers: bool, escape) -> str:
    if isinstance(part, Cell):
        return fmt(part.value) if (answers or not part.answer) else BLANK
    return escape(str(part))


PICTURE_ALT = "The network with its starting values"


def picture_path(path: str | Path) -> Path:
    """Where a Markdown worksheet's picture goes: beside it, named after it."""
    path = Path(path)
    return path.with_name(f"{path.stem}-network.svg")


def worksheet_markdown(lesson: Lesson, steps: int, answers: bool,
                       picture: str | None = None) -> str:
    """The worksheet as Markdown; `picture`: the file name (relative to the worksheet) of
    the network's picture it shows, or None for none (write_worksheet_markdown writes
    both)."""
    return _markdown(_blocks(lesson, steps), answers, picture)


def write_worksheet_markdown(path: str | Path, lesson: Lesson, steps: int,
                             answers: bool) -> Path:
    """The Markdown worksheet at `path` and its picture beside it, which it links to by a
    relative name: an SVG file is shown by GitHub, GitLab, VS Code and pandoc alike, where
    an image inlined as a data: URI is dropped by GitHub's sanitiser. The picture is
    written first, so the worksheet never names a picture that is not there. Returns the
    picture's path."""
    blocks = _blocks(lesson, steps)
    svg_path = picture_path(path)
    write_text_atomically(svg_path, next(b.content for b in blocks if b.kind == "picture"))
    write_text_atomically(path, _markdown(blocks, answers, svg_path.name))
    return svg_path


def _markdown(blocks: list[Block], answers: bool, picture: str | None) -> str:
    lines = []
    for block in blocks:
        if block.kind == "picture":
            if picture is not None:
                lines += [f"![{PICTURE_ALT}]({quote(picture)})", ""]
        elif block.kind in ("h1", "h2", "h3"):
            lines += ["#" * int(block.kind[1]) + " " + str(block.content), ""]
        elif block.kind == "p":
            lines += [str(block.content), ""]
        elif block.kind == "eq":
            lines += ["".join(_text(p, answers, str) for p in block.content), ""]
        else:
            rows = block.content
            lines.append("| " + " | ".join(_text(c, answers, str) for c in rows[0]) + " |")
            lines.append("|" + "---|" * len(rows[0]))
            lines += ["| " + " | ".join(_text(c, answers, str) for c in r) + " |"
                      for r in rows[1:]]
            lines.append("")
    version = "Answer key" if answers else "Student version: fill in the blanks"
    return f"*{version}*\n\n" + "\n".join(lines)


STYLE = """<style>
body { font-family: sans-serif; }
table { border-collapse: collapse; margin: 6px 0 12px 0; }
td, th { border: 1px solid #999; padding: 3px 6px; text-align: right; white-space: nowrap; }
svg { max-width: 100%; height: auto; }
th { background: #eee; }
.eq { font-size: 105%; }  /* the body's face too: one face on every page */
</style>"""


def worksheet_html(lesson: Lesson, steps: int, answers: bool) -> str:
    esc = html_lib.escape
    parts = [f"<html><head><meta charset='utf-8'><title>{esc(lesson.title)}</title>{STYLE}"
             "</head><body>",
             f"<p><i>{'Answer key' if answers else 'Student version: fill in the blanks'}"
             "</i></p>"]
    for block in _blocks(lesson, steps):
        if block.kind == "picture":
            parts.append(f"<div class='picture'>{block.content}</div>")
        elif block.kind in ("h1", "h2", "h3"):
            parts.append(f"<{block.kind}>{esc(str(block.content))}</{block.kind}>")
        elif block.kind == "p":
            text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", esc(str(block.content)))
            parts.append("<p>" + text.replace("\n\n", "</p><p>") + "</p>")
        elif block.kind == "eq":
            parts.append("<p class='eq'>" + "".join(_text(p, answers, esc)
                                                     for p in block.content) + "</p>")
        else:
            rows = block.content
            head = "".join(f"<th>{_text(c, answers, esc)}</th>" for c in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{_text(c, answers, esc)}</td>" for c in r)
                           + "</tr>" for r in rows[1:])
            # thead: a printed table that runs onto the next page repeats its header
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                         "</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
