"""Autosave and recovery: the open lesson, its values, data and step history are written
atomically (engine.files, like every file the app writes) to the user's data folder a
couple of seconds after each change and on exit.

Each running window has its own pair of files, `autosave-<id>.json` and
`autosave-<id>-history.npz`, and holds `autosave-<id>.lock` (a QLockFile) while it runs:
two copies of the app never write over each other's work, and a start offers only work
whose window is gone (a crash, a kill, or a close with unsaved changes). QLockFile sees
a lock whose process has died as stale. An autosave that cannot be read is set aside
(renamed `autosave-damaged-<time>…`, never deleted), and the start goes on."""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal

from engine.files import write_atomically
from engine.lesson import Lesson, LessonError, lesson_from_dict
from engine.training import History, HistoryRows, even_rows
from gui.session import Session

FORMAT = "backprop-lab.autosave"
DELAY_MS = 2000  # after the first change of a burst: at most ~2 s of work is ever lost
MAX_SAVED_ROWS = 2000
# The history's share of an autosave: a wide network's row is megabytes (1.6 MB at 66,561
# parameters), and 2,000 of them made a 660 MB file rewritten every 2 s.
MAX_SAVED_BYTES = 16 * 2**20
DAMAGED = "autosave-damaged-"


def saved_rows(history: History) -> int:
    """How many history rows an autosave keeps: MAX_SAVED_ROWS, fewer for a wide network
    so the file stays under MAX_SAVED_BYTES; always the first and the newest."""
    return max(2, min(MAX_SAVED_ROWS, MAX_SAVED_BYTES // history.bytes_per_row))


def data_folder() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def history_path_of(state_path: Path) -> Path:
    # autosave.json (one file for every window, before 0.x) pairs with
    # autosave-history.npz, as autosave-<id>.json does with autosave-<id>-history.npz.
    return state_path.with_name(f"{state_path.stem}-history.npz")


def _lock(state_path: Path) -> QLockFile | None:
    """The lock of one window's autosave, taken; None while that window still runs."""
    lock = QLockFile(str(state_path.with_suffix(".lock")))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however long it ran
    return lock if lock.tryLock(0) else None


class Autosave(QObject):
    failed = Signal(str)

    def __init__(self, session: Session, folder: Path | None = None):
        super().__init__(session)
        self.session = session
        self.folder = folder or data_folder()
        self.lock: QLockFile | None = None
        for _ in range(20):  # a name no other window, running or gone, has used
            self.state_path = self.folder / f"autosave-{os.getpid()}-{secrets.token_hex(3)}.json"
            if not self.state_path.exists():
                self.lock = _lock(self.state_path)
                if self.lock is not None:
                    break
        # No lock (a folder that cannot be written): the window still opens, and its
        # first autosave says why it failed.
        self.history_path = history_path_of(self.state_path)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(lambda: self.save(wait=False))
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autosave")
        self.failed.connect(session.notify)
        for signal in (session.stateChanged, session.lessonChanged):
            signal.connect(self.changed)
        self.last_error: str | None = None
        self.closed = False

    def changed(self, *_) -> None:
        # not restarted: a long Run still saves every 2 s; nothing after the window closed
        # (its files are then on offer to the next start, or gone)
        if not self.timer.isActive() and not self.closed:
            self.timer.start()

    def save(self, clean: bool = False, wait: bool = True) -> bool:
        """Snapshot now; write now (`wait`) or on the writer thread, so that a Run never
        stalls on the disk (the write waits for it to reach the disk: ~35 ms here)."""
        s = self.session
        hist = s.history
        # An even sample of at most saved_rows(hist) rows, always with the newest: the file
        # stays a few MB however long the run and however wide the network.
        rows = hist.rows(even_rows(len(hist), saved_rows(hist)))
        columns = {"steps": rows.step_numbers, "loss": rows.loss, "params": rows.params,
                   "grads": rows.grads, "step_sizes": rows.step_sizes,
                   "val_loss": rows.val_loss, "batch_loss": rows.batch_loss}
        if rows.state is not None:  # an optimizer's memory: momentum's v, Adam's m and s
            columns.update(state=rows.state, optimizer_from=np.array(hist.optimizer_from))
        state = {"format": FORMAT, "clean": clean, "saved_at": time.time(),
                 "source": str(s.path) if s.path else None, "dirty": s.dirty,
                 "steps_done": s.steps_done}
        # The lesson is copied here and made and checked on the writer thread (for a
        # 66,561-parameter network that took ~400 ms of the window's time every 2 s).
        job = self.writer.submit(self._write, columns, state, s.lesson_snapshot())
        if not wait:
            return True
        return job.result()

    def _write(self, columns: dict, state: dict, snapshot: tuple[Lesson, dict]) -> bool:
        """On the writer thread (or waited for): serialise and write both files."""
        lesson, trained = snapshot
        try:
            # The lesson keeps its starting values (what Reset returns to after a restore);
            # today's values go beside it, for when the history cannot be read.
            start = {**trained, "values": lesson.network.values_json()}
            state["lesson"] = lesson.with_state(start).to_dict()
            state["values"] = trained["values"]
        except LessonError as exc:  # on this thread nobody else would hear of it
            self.last_error = str(exc)
            self.failed.emit(f"Autosave failed: {exc}")
            return False
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

    def _remove(self) -> None:
        for path in (self.state_path, self.history_path):
            path.unlink(missing_ok=True)

    def save_on_exit(self) -> None:
        """Closing with unsaved changes keeps them on offer at the next start (nothing is
        lost, and closing never blocks on a question); closing with everything saved
        leaves nothing behind. Either way the lock goes: this window no longer runs."""
        self.timer.stop()
        if self.closed:
            return
        if self.session.dirty:
            self.save()  # queued after any background write
        else:
            self.writer.submit(self._remove).result()
        self.closed = True
        if self.lock is not None:
            self.lock.unlock()


@dataclass
class Recovery:
    """One window's work left behind by a copy of the app that no longer runs. Its lock is
    held while this start decides, so a second copy starting now leaves it alone."""

    state_path: Path
    lesson: Lesson
    source: Path | None
    steps_done: int
    saved_at: float | None
    history: History | None
    history_problem: str | None  # why the step history could not be read
    lock: QLockFile
    values: np.ndarray | None = None  # the values reached, when the history is lost

    def question(self) -> str:
        try:
            when = time.strftime("at %H:%M on %d %b", time.localtime(self.saved_at))
        except (TypeError, OverflowError, OSError, ValueError):  # None, or past year 9999
            when = "at an unknown time"
        return (f"Backprop Lab last closed with work that was not saved.\n\nRestore "
                f"“{self.lesson.title}” at step {self.steps_done}, autosaved {when}?")

    def discard(self) -> None:
        """Declined: its files go (the user said no), then its lock."""
        for path in (self.state_path, history_path_of(self.state_path)):
            path.unlink(missing_ok=True)
        self.lock.unlock()

    def leave(self) -> None:
        """Not decided now: on offer again at the next start."""
        self.lock.unlock()


def set_aside(path: Path) -> Path | None:
    """Rename a damaged file out of the way (kept for whoever wants to look at it)."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    suffix = "-history.npz" if path.name.endswith("-history.npz") else path.suffix
    for n in range(1000):
        target = path.with_name(f"{DAMAGED}{stamp}{f'-{n}' if n else ''}{suffix}")
        if not target.exists():
            path.rename(target)
            return target
    return None


def find_recoveries(folder: Path | None = None) -> tuple[list[Recovery], list[str]]:
    """The work of windows that are gone, newest first, and one sentence for each
    autosave that could not be read at all (set aside, so it is not met again)."""
    folder = folder or data_folder()
    found: list[Recovery] = []
    reports: list[str] = []
    states = [p for p in folder.glob("autosave*.json") if not p.name.startswith(DAMAGED)]
    for path in sorted(states, key=_mtime, reverse=True):
        lock = _lock(path)
        if lock is None:
            continue  # that window is still running: its work is its own
        if not path.exists():  # went with its window after the listing
            lock.unlock()
            continue
        try:
            recovery = _read(path, lock)
        except _Damaged as exc:
            kept = set_aside(path)
            set_aside(history_path_of(path))
            lock.unlock()
            reports.append(f"An autosave could not be read ({exc}), so nothing could be "
                           f"recovered from it; it is kept as "
                           f"{kept.name if kept else path.name} in {folder}.")
            continue
        if recovery is None:  # closed cleanly (an autosave.json of an older version)
            path.unlink(missing_ok=True)
            history_path_of(path).unlink(missing_ok=True)
            lock.unlock()
            continue
        found.append(recovery)
    for lock_path in folder.glob("autosave-*.lock"):
        # the lock of a window that was killed before it first saved: nothing to offer,
        # and taking a stale lock then letting go removes it
        if not lock_path.with_suffix(".json").exists() and (lock := _lock(lock_path)):
            lock.unlock()
    return found, reports


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class _Damaged(Exception):
    """An autosave whose lesson cannot be read: nothing in it can be used."""


def _read(path: Path, lock: QLockFile) -> Recovery | None:
    try:
        state = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise _Damaged(f"{path.name}: {exc.strerror or exc}") from None
    except ValueError:  # includes an empty file and bytes that are not UTF-8
        raise _Damaged(f"{path.name} is not complete JSON") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise _Damaged(f"{path.name} is not a Backprop Lab autosave")
    if state.get("clean") is True:
        return None
    try:
        lesson = lesson_from_dict(state.get("lesson"), "lesson")
    except ValueError as exc:  # LessonError, naming the field
        raise _Damaged(f"{path.name}: {exc}") from None
    source = state.get("source")
    saved_at = state.get("saved_at")
    if not isinstance(saved_at, (int, float)) or not math.isfinite(saved_at):
        saved_at = None  # the work is still good; only the time is not known
    history, problem = _read_history(history_path_of(path), len(lesson.network.params))
    values = _read_values(state, lesson) if history is None else None
    steps_done = state.get("steps_done")
    if history is not None:
        steps_done = int(history.steps[-1])
    elif not isinstance(steps_done, int) or isinstance(steps_done, bool) or steps_done < 0:
        steps_done = 0
    return Recovery(path, lesson, Path(source) if isinstance(source, str) else None,
                    steps_done, saved_at, history, problem, lock, values)


def _read_values(state: dict, lesson: Lesson) -> np.ndarray | None:
    """The values the work had reached, saved beside the lesson's starting values; None
    when missing or not usable (the lesson then opens at its start)."""
    values = state.get("values")
    if not isinstance(values, dict):
        return None
    try:
        data = {**lesson.to_dict(), **{k: values[k] for k in ("weights", "biases")}}
        return lesson_from_dict(data, "values").network.params.copy()
    except (KeyError, ValueError):
        return None


def _read_history(path: Path, width: int) -> tuple[History | None, str | None]:
    """The saved step history, or None and why not."""
    if not path.exists():
        return None, f"{path.name} is missing"
    try:
        data = path.read_bytes()  # np.load on a damaged file leaves it open
        with np.load(io.BytesIO(data), allow_pickle=False) as saved:
            has_state = "state" in saved.files
            rows = HistoryRows(saved["steps"], saved["loss"], saved["params"],
                               saved["grads"], saved["step_sizes"],
                               saved["state"] if has_state else None,
                               val_loss=saved["val_loss"] if "val_loss" in saved.files
                               else None,
                               batch_loss=saved["batch_loss"] if "batch_loss" in saved.files
                               else None)
            start = int(saved["optimizer_from"]) if has_state else 0
        history = History.from_rows(rows, optimizer_from=start)
        if history.params.shape[1] != width:
            return None, f"{path.name} belongs to a different network"
        if not np.all(np.isfinite(history.params)):
            return None, f"{path.name} holds values that are not numbers"
    # A damaged file fails in many ways inside numpy and zipfile (BadZipFile, EOFError,
    # ValueError, KeyError, OSError...): any of them means the history cannot be used.
    except Exception:  # noqa: BLE001
        return None, f"{path.name} is damaged"
    return history, None


def restore(session: Session, recovery: Recovery,
            autosave: Autosave | None = None) -> tuple[str, bool]:
    """Open the recovered work in `session`; one sentence saying what came back, and
    whether everything did. The
    work then lives in this window's autosave (written at once); only after that are the
    old files removed (a damaged history set aside) and their lock released."""
    session.replace_lesson(recovery.lesson, recovery.source)
    history_problem = recovery.history_problem
    if recovery.history is not None:
        try:
            session.continue_with_history(recovery.history)
        except ValueError as exc:
            history_problem = str(exc)
    elif recovery.values is not None:
        session.continue_with_values(recovery.values)
    session.mark_dirty()
    if autosave is None or autosave.save():
        if history_problem is not None:
            kept = set_aside(history_path_of(recovery.state_path))
            if kept is not None:
                history_problem += f"; it is kept as {kept.name}"
        recovery.discard()
    else:  # this window's autosave failed: the old files stay on offer
        recovery.leave()
    title = recovery.lesson.title
    if history_problem is None:
        return f"Restored “{title}” at step {session.steps_done}.", True
    return (f"Restored “{title}” with its values and data, but not its step history "
            f"({history_problem})."), False
