"""Showing what someone typed or a file held, inside a one-line message.

A message that quotes its input whole can be 10,000 characters long, run over several
lines, or hold a lone surrogate that no terminal or PDF can encode: then the reason it
gives is lost, or printing it crashes. Everything quoted goes through here."""

from __future__ import annotations

import unicodedata

QUOTE_CHARS = 30  # a quoted entry keeps this many characters, then "…"
# Control characters, lone surrogates and line or paragraph separators: they break a
# message over lines, or cannot be encoded (a surrogate alone is not a character).
_UNSHOWABLE = frozenset(("Cc", "Cs", "Zl", "Zp"))


def unshowable(text: str, allowed: str = "") -> int | None:
    """The index of the first character that cannot go into one line of text (control
    characters, lone surrogates, line separators), ignoring those in `allowed`; None if
    there is none."""
    for k, char in enumerate(text):
        if char not in allowed and unicodedata.category(char) in _UNSHOWABLE:
            return k
    return None


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` shortened to `limit` characters (then "…"), each character that is not
    printable written as its escape (\\n, \\ud800, \\u202e), so the result is one
    printable line that reads in the order it is written."""
    short = text if len(text) <= limit else text[:limit]
    if not short.isprintable():
        short = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in short)
    return short + ("…" if len(text) > limit else "")


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """What the user typed, for a message: in quotes, short, on one line (runs of
    spaces and line breaks become one space)."""
    return f"'{one_line(' '.join(text.split()), limit)}'"


def shown(value) -> str:
    """A value from a JSON file, for a message: short and on one line whatever it is (a
    whole number of 400 digits, a list of a million entries, text with control
    characters)."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        return f'"{one_line(value)}"'
    if isinstance(value, int):
        if abs(value) < 10**QUOTE_CHARS:
            return str(value)
        try:
            return f"a whole number of {len(str(abs(value)))} digits"
        except ValueError:  # Python writes out at most 4,300 digits
            return "a whole number of thousands of digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
