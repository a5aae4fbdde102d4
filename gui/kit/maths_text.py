"""Names and numbers set as readable maths in Qt rich text (sub-scripts, ∂, minus signs)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from engine.explain import MINUS, signed

_INDEXED = re.compile(r"^([A-Za-z]+?)([0-9][0-9_]*)$")


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
