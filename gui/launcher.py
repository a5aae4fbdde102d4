"""The `backprop-lab` command. Headless subcommands run without ever importing Qt."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version

HEADLESS = ("trace", "explain", "worksheet", "export-code")


def app_version() -> str:
    try:
        return version("backprop-lab")
    except PackageNotFoundError:
        return "0+source"


def _size(text: str) -> tuple[int, int]:
    from engine.text import quoted
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not WIDTHxHEIGHT, e.g. "
                                         "1280x800") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"{quoted(text)}: width and height must be 200 to "
                                         "8000")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    from engine.trace import OneLineParser  # errors in one line, as the headless commands'

    parser = OneLineParser(
        prog="backprop-lab",
        description="See backpropagation: edit a small network, step gradient descent and "
                    "read every derivative as its chain-rule factors.",
        epilog="Headless commands: 'backprop-lab trace LESSON' prints every step, "
               "'backprop-lab explain LESSON' prints the chain rule with its numbers, "
               "'backprop-lab worksheet LESSON -o FILE' writes a worksheet, "
               "'backprop-lab export-code LESSON --to numpy|pytorch -o FILE.py' a script "
               "that trains the same steps (each has --help).")
    parser.add_argument("lesson", nargs="?", help="a preset name or a lesson file (.json)")
    parser.add_argument("--smoke", action="store_true",
                        help="open the window, paint it once and exit (install check)")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="render the window off screen into FILE.png and exit")
    parser.add_argument("--size", type=_size, default=(1280, 800), metavar="WxH",
                        help="window size for --screenshot (default 1280x800)")
    parser.add_argument("--font-scale", type=float, default=1.0, metavar="X",
                        help="scale every font by X (e.g. 1.5 for a projector)")
    parser.add_argument("--autosave-now", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"backprop-lab {app_version()}")
    return parser


def _write_pdf(html: str, path: str) -> None:
    from gui.worksheet_pdf import write_pdf  # Qt only when a PDF is asked for

    write_pdf(html, path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in HEADLESS:
        from engine.trace import main as headless_main

        return headless_main(argv, pdf_writer=_write_pdf)
    args = build_parser().parse_args(argv)
    from gui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
