"""`backprop-lab export-code LESSON --to numpy|pytorch -o FILE.py`: a short standalone
script of a lesson (its network, data, loss, optimizer, batches, learning-rate schedule
and starting values) that trains the same steps and checks that its numbers match the
app's to 1e-9: the bridge from the app to code a student can read and change.

`--to numpy` writes its own forward and backward pass and update rule (export_numpy.py);
`--to pytorch` writes the same lesson with torch.nn, torch.optim and
torch.optim.lr_scheduler (export_torch.py). The app's numbers are written into the
script (computed here, once, by the engine's Trainer); the script computes its own and
compares."""

from __future__ import annotations

from engine.export_numpy import numpy_script
from engine.export_run import app_run
from engine.export_torch import torch_script
from engine.lesson import Lesson, LessonError

TARGETS = {"numpy": "its own forward and backward pass, needs numpy only",
           "pytorch": "torch.nn, torch.optim and torch.optim.lr_scheduler, needs PyTorch "
                      "only"}


def code_script(lesson: Lesson, steps: int, to: str = "numpy") -> str:
    """The script's text in `to`'s library; raises LessonError naming what it cannot
    write."""
    if to not in TARGETS:
        raise LessonError(f"to: one of {', '.join(TARGETS)}, not {to!r}")
    run = app_run(lesson, steps)
    return numpy_script(run) if to == "numpy" else torch_script(run)
