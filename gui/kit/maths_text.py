"""Names and numbers set as readable maths in Qt rich text (sub-scripts, ∂, minus signs)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from engine.explain import MINUS, signed

_INDEXED = re.compile(r"^([A-Za-z]+?)([0-9][0-9_]*)$")
# Invisible, and no line may break at it: Qt's rich text honours no "white-space: nowrap"
# on a span, and broke ∂x₁/∂w₁ after its slash (seen in a real window at 1280x800).
WORD_JOINER = "\u2060"
_TAG_SPACE_OR_SLASH = re.compile(r"(<[^>]*>)|( )|(/)")


@lru_cache(maxsize=4096)  # the same few names are set at every Step
def name_html(name: str) -> str:
    """w211 → w<sub>211</sub>; Predicted stays Predicted."""
    m = _INDEXED.match(name)
    if not m:
        return html.escape(name)
    return f"{html.escape(m.group(1))}<sub>{m.group(2).replace('_', ',')}</sub>"


@lru_cache(maxsize=4096)  # the same few names are set at every Step
def formula_html(formula: str) -> str:
    """A lesson formula with its names sub-scripted: e^x1 / (1 + e^x1) → e<sup>x₁</sup>…"""
    text = html.escape(formula)
    text = re.sub(r"\be\^([A-Za-z]+[0-9_]*)",
                  lambda m: f"e<sup>{name_html(m.group(1))}</sup>", text)
    # A name ends where no letter, digit or _ follows: not at \b, which a ² after it
    # (tanh's 1 - h2_7²) is not, as ² counts as a digit there.
    text = re.sub(r"(?<![A-Za-z>])([A-Za-z]+?)([0-9][0-9_]*)(?![A-Za-z0-9_])",
                  lambda m: name_html(m.group(0)), text)
    return text.replace("-", MINUS)


def number_html(value: float, digits: int = 6) -> str:
    return signed(value, digits)  # no markup: the minus sign is the whole difference


@lru_cache(maxsize=4096)  # the same few names are set at every Step
def partial_html(numerator: str, denominator: str) -> str:
    return f"∂{name_html(numerator)}/∂{name_html(denominator)}"


_PLAIN_PARTIAL = re.compile(r"\bd([A-Za-z]\w*)/d([A-Za-z]\w*)")


def partials_html(text: str) -> str:
    """Plain text naming derivatives as the engine writes them ("dSSR/db3 for sample
    1") set as the breakdown sets them (∂SSR/∂b₃): a quiz wrote "dSSR/db3" beside the
    breakdown's ∂SSR/∂b₃, a tester asked whether they were the same."""
    parts, at = [], 0
    for m in _PLAIN_PARTIAL.finditer(text):
        parts += [html.escape(text[at:m.start()], quote=False),
                  partial_html(m.group(1), m.group(2))]
        at = m.end()
    # (quote=False: "momentum's rule" kept its apostrophe as "&#x27;" in a label Qt did
    # not take for rich text, having no tag in it)
    return "".join(parts) + html.escape(text[at:], quote=False)


def unbroken(rich: str) -> str:
    """Rich text that a line never breaks inside (a factor, ∂x₁/∂w₁ or (1 − h₁)): its
    spaces no-break spaces, a word joiner after each slash; the tags left as they are.
    A factor wider than the whole line still breaks, anywhere: never a sideways scroll."""
    def join(m: re.Match) -> str:
        return m.group(1) or ("&nbsp;" if m.group(2) else "/" + WORD_JOINER)
    return _TAG_SPACE_OR_SLASH.sub(join, rich)


# A binary operator between spaces: "a / b", "1 − p", "x × y" (not a leading minus).
_OPERATOR = re.compile(r" ([/×+−]) ")
_BREAK_HERE = "\x00"  # a space a line may break at, through `unbroken`


def broken_at_operators(rich: str) -> str:
    """`unbroken`, but a line may break after each binary operator ("(−Observed_Upper /"
    then "p_Upper / n)"): for a factor wider than a whole line, which else broke
    anywhere ("p_Uppe" and "r"). The operator ends the line: it reads as going on."""
    marked = _OPERATOR.sub(lambda m: f"&nbsp;{m.group(1)}{_BREAK_HERE}", rich)
    return unbroken(marked).replace(_BREAK_HERE, " ")


def factors_html(factors, set_factor=unbroken) -> str:
    """Factors set as a product: a line may break only between them, after a "·";
    within one only as `set_factor` lets it (not at all by default)."""
    return "&nbsp;· ".join(set_factor(f) for f in factors)


def plain(text: str) -> str:
    """Text taken out of rich text set with `unbroken`, without its word joiners (the
    no-break spaces Qt's toPlainText already gives back as spaces)."""
    return text.replace(WORD_JOINER, "")
