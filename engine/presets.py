"""The lessons shipped with the app, as lesson files under resources/presets/."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from engine.lesson import Lesson, LessonError, lesson_from_json, load_lesson
from engine.text import one_line, quoted

# In the order the File menu lists them.
PRESETS = ("statquest-b3", "statquest-all", "single-weight", "house-price", "xor",
           "iris-softmax", "moons-softmax", "exam-pass-bce", "mazur-2-2-2", "sgd-line",
           "narrow-valley")
DEFAULT_PRESET = "statquest-b3"


def preset_text(name: str) -> str:
    if name not in PRESETS:
        raise LessonError(f"no preset called {quoted(name)} (presets: {', '.join(PRESETS)})")
    return (resources.files("resources") / "presets" / f"{name}.json").read_text("utf-8")


def load_preset(name: str) -> Lesson:
    return lesson_from_json(preset_text(name), source=f"preset {name}")


def open_lesson(name_or_path: str | Path | None) -> Lesson:
    """A preset by name, or a lesson file by path; the default preset for None."""
    if name_or_path is None:
        return load_preset(DEFAULT_PRESET)
    if isinstance(name_or_path, str) and not name_or_path.strip():
        # `backprop-lab ""`: Path("") is the current folder, and the message was
        # ": not a regular file (a folder)", naming nothing.
        raise LessonError(f"lesson: the name is empty; give a preset's name ("
                          f"{', '.join(PRESETS)}) or a lesson file's path")
    if str(name_or_path) in PRESETS:
        return load_preset(str(name_or_path))
    path = Path(name_or_path)
    try:
        exists = path.exists()
    except OSError:  # a name too long for the file system: load_lesson says so
        exists = True
    if not exists:
        raise LessonError(f"{one_line(str(name_or_path), 60)}: no such lesson file, and no "
                          f"preset of that name (presets: {', '.join(PRESETS)})")
    return load_lesson(path)
