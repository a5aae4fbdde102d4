"""Backprop Lab's Qt front end: it shows and edits what the engine computes.

Importing this package does not import Qt (the launcher also serves the headless
commands); `create_window` imports it when called.
"""

from __future__ import annotations


def create_window(lesson=None):
    """The main window for a preset name or lesson path (default preset if None),
    without entering the event loop. A QApplication must exist."""
    from gui.main_window import create_window as _create

    return _create(lesson)
