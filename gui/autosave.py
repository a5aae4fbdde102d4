"""Autosave and recovery: the open lesson, its values, data and step history are written
atomically (engine.files, like every file the app writes) to the user's data folder a
couple of seconds after each change and on exit. A start after a crash or a kill finds
`clean: false` and offers them back."""

from __future__ import annotations

import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from engine.files import write_atomically
from engine.lesson import lesson_from_dict
from engine.training import History, HistoryRows, even_rows
from gui.session import Session

FORMAT = "backprop-lab.autosave"
DELAY_MS = 2000  # after the first change of a burst: at most ~2 s of work is ever lost
MAX_SAVED_ROWS = 2000


def data_folder() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Autosave(QObject):
    failed = Signal(str)

    def __init__(self, session: Session, folder: Path | None = None):
        super().__init__(session)
        self.session = session
        self.folder = folder or data_folder()
        self.state_path = self.folder / "autosave.json"
        self.history_path = self.folder / "autosave-history.npz"
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(lambda: self.save(wait=False))
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autosave")
        self.failed.connect(session.notify)
        for signal in (session.stateChanged, session.lessonChanged):
            signal.connect(self.changed)
        self.last_error: str | None = None

    def changed(self, *_) -> None:
        if not self.timer.isActive():  # not restarted: a long Run still saves every 2 s
            self.timer.start()

    def save(self, clean: bool = False, wait: bool = True) -> bool:
        """Snapshot now; write now (`wait`) or on the writer thread, so that a Run never
        stalls on the disk (the write waits for it to reach the disk: ~35 ms here)."""
        s = self.session
        hist = s.history
        # An even sample of at most MAX_SAVED_ROWS rows, always with the newest: the file
        # stays a few MB however long the run.
        rows = hist.rows(even_rows(len(hist), MAX_SAVED_ROWS))
        columns = {"steps": rows.step_numbers, "loss": rows.loss, "params": rows.params,
                   "grads": rows.grads, "step_sizes": rows.step_sizes}
        state = {"format": FORMAT, "clean": clean, "saved_at": time.time(),
                 "source": str(s.path) if s.path else None, "dirty": s.dirty,
                 "steps_done": s.steps_done, "lesson": s.current_lesson().to_dict()}
        job = self.writer.submit(self._write, columns, state)
        if not wait:
            return True
        return job.result()

    def _write(self, columns: dict, state: dict) -> bool:
        """On the writer thread (or waited for): serialise and write both files."""
        buffer = io.BytesIO()
        np.savez(buffer, **columns)
        try:
            write_atomically(self.history_path, buffer.getvalue())
            write_atomically(self.state_path, json.dumps(state).encode())
        except OSError as exc:  # a full disk must not stop the lesson
            self.last_error = str(exc)
            self.failed.emit(f"Autosave failed: {exc}")  # delivered on the GUI thread
            return False
        return True

    def save_on_exit(self) -> None:
        """Closing with unsaved changes keeps them on offer at the next start (nothing is
        lost, and closing never blocks on a question)."""
        self.timer.stop()
        self.save(clean=not self.session.dirty)  # queued after any background write


def pending_recovery(folder: Path | None = None) -> dict | None:
    """The autosave of a session that did not close cleanly, or None."""
    path = (folder or data_folder()) / "autosave.json"
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("format") != FORMAT or state.get("clean"):
        return None
    return state


def restore(session: Session, state: dict, folder: Path | None = None) -> None:
    """Open the autosaved lesson with its history; raises LessonError or ValueError."""
    lesson = lesson_from_dict(state["lesson"], "autosave")
    source = Path(state["source"]) if state.get("source") else None
    session.replace_lesson(lesson, source)
    try:
        with np.load((folder or data_folder()) / "autosave-history.npz") as saved:
            history = History.from_rows(HistoryRows(
                saved["steps"], saved["loss"], saved["params"], saved["grads"],
                saved["step_sizes"]))
        session.continue_with_history(history)
    except (OSError, ValueError, KeyError) as exc:
        session.notify(f"Restored the lesson; its step history could not be read ({exc}).")
    session.mark_dirty()
