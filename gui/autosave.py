"""Autosave and recovery: the open lesson, its values, data and step history are written
to the user's data folder a couple of seconds after each change and on exit, so that at
most ~2 s of work is lost to a crash.

Each running window has its own autosave, `autosave-<id>.json` and the files beside it
named `autosave-<id>-…`, and holds `autosave-<id>.lock` (a QLockFile) while it runs: two
copies of the app never write over each other's work, and a start offers only work whose
window is gone (a crash, a kill, or a close with unsaved changes). QLockFile sees a lock
whose process has died as stale.

A save is cheap for the window, and small: during a Run only the step history grows,
so a save writes the rows new since the last one (`-history-<n>.npz`, append-only
chunks), today's values (`-values-<n>.npy`) and the small JSON; the lesson's arrays
(`-lesson-<n>.npz`: its starting values, data and kept runs) only when they changed.
Arrays go as binary, never as lists of Python floats, and the writer thread does not
check again what the app made (for 66,561 parameters that held Python's lock ~200 ms
every 2 s and stalled the window). A file, once named in the JSON, never changes: each
save writes its new files first, then replaces the JSON (atomically, engine.files, like
every file the app writes), then removes the files no longer named. So a kill at any
moment leaves the last complete save; when the chunks outgrow the budget the history is
written afresh as an even sample.

Reading back checks everything (sizes, CRC-32s, every number, as a lesson file is
checked). An autosave whose lesson cannot be read is set aside (renamed
`autosave-damaged-<time>…`, never deleted) and the start goes on; a damaged history
chunk is set aside and the work restored as the chunks before it left it."""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import time
import weakref
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal

from engine.files import write_atomically
from engine.lesson import (
    Lesson,
    LessonError,
    lesson_from_dict,
    lesson_from_parts,
    settings_log_from_json,
    settings_log_json,
)
from engine.training import History, HistoryRows, TrainingSettings, even_rows
from gui.session import Session

FORMAT = "backprop-lab.autosave"
VERSION = 2  # 2: the arrays in binary files beside the JSON, the history in chunks
DELAY_MS = 2000  # after the first change of a burst: at most ~2 s of work is ever lost
MAX_SAVED_ROWS = 2000
# The history's share of an autosave: a wide network's row is megabytes (1.6 MB at 66,561
# parameters), and 2,000 of them made a 660 MB file rewritten every 2 s.
MAX_SAVED_BYTES = 16 * 2**20
DAMAGED = "autosave-damaged-"
ROW_COLUMNS = ("steps", "loss", "params", "grads", "step_sizes", "val_loss", "batch_loss")


def saved_rows(history: History) -> int:
    """How many history rows an autosave keeps: MAX_SAVED_ROWS, fewer for a wide network
    so the file stays under MAX_SAVED_BYTES; always the first and the newest."""
    return max(2, min(MAX_SAVED_ROWS, MAX_SAVED_BYTES // history.bytes_per_row))


def data_folder() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def history_path_of(state_path: Path) -> Path:
    # A version 1 autosave's history: autosave.json (one file for every window, before
    # 0.x) pairs with autosave-history.npz, as autosave-<id>.json with -history.npz.
    return state_path.with_name(f"{state_path.stem}-history.npz")


def files_of(state_path: Path) -> list[Path]:
    """Every file of one window's autosave: its JSON first, then the files beside it
    (not its lock)."""
    stem = state_path.stem
    if stem == "autosave":  # the one autosave before 0.x: its history only
        beside = [history_path_of(state_path)]
    else:
        beside = sorted(p for p in state_path.parent.glob(f"{stem}-*") if p.suffix != ".lock")
    return [state_path, *(p for p in beside if p.exists())]


def _lock(state_path: Path) -> QLockFile | None:
    """The lock of one window's autosave, taken; None while that window still runs."""
    lock = QLockFile(str(state_path.with_suffix(".lock")))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however long it ran
    return lock if lock.tryLock(0) else None


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@dataclass
class _Saved:
    """What the autosave's history chunks hold, as the window's thread counts it: which
    history they come from (as of which edit), their rows' steps, how far apart new rows
    are taken, and their bytes on disk (rows since written afresh included)."""

    history: weakref.ref
    edits: int
    state_width: int
    steps: np.ndarray
    stride: int
    bytes: int


@dataclass
class _Job:
    """One save, as copied on the window's thread for the writer."""

    state: dict
    lesson: Lesson
    settings: dict
    values: np.ndarray
    rows: HistoryRows | None  # the history rows to write (None: none new)
    from_step: int  # the saved rows from this step on give way to `rows`
    afresh: bool  # `rows` are the whole saved history: earlier chunks go
    optimizer_from: int
    settings_log: tuple[tuple[int, TrainingSettings], ...]  # the trainer's (immutable)


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
        self._saved: _Saved | None = None  # the window's thread's count of the chunks
        # On the writer thread only: what the JSON on disk names, and what each file of
        # the last save held (its name and numbers; for the tests and the benchmark).
        self._manifest: dict | None = None
        self._lesson_arrays: dict[str, np.ndarray] | None = None  # copies, as written
        self._count = 0
        self._broken = False  # a write failed: the next save writes everything afresh
        self.written: dict[str, int] = {}

    @property
    def history_path(self) -> Path | None:
        """The first history chunk the autosave on disk names (None before a save)."""
        manifest = self._manifest
        if manifest is None or not manifest["history"]["chunks"]:
            return None
        return self.folder / manifest["history"]["chunks"][0]["file"]

    def changed(self, *_) -> None:
        # not restarted: a long Run still saves every 2 s; nothing after the window closed
        # (its files are then on offer to the next start, or gone)
        if not self.timer.isActive() and not self.closed:
            self.timer.start()

    def save(self, clean: bool = False, wait: bool = True) -> bool:
        """Snapshot now; write now (`wait`) or on the writer thread, so that a Run never
        stalls on the disk (the write waits for it to reach the disk: ~35 ms here). The
        snapshot copies the values and the history rows new since the last save (for
        66,561 parameters, ~1.6 MB a row); the lesson's arrays are never changed in
        place, so they go by reference."""
        s = self.session
        lesson, settings = s.lesson_snapshot()
        state = {"format": FORMAT, "version": VERSION, "clean": clean,
                 "saved_at": time.time(), "source": str(s.path) if s.path else None,
                 "dirty": s.dirty, "steps_done": s.steps_done}
        rows, from_step, afresh = self._new_rows(s.history)
        job = _Job(state, lesson, settings, s.network.params.copy(), rows, from_step,
                   afresh, s.trainer.optimizer_from, s.trainer.settings_log)
        future = self.writer.submit(self._write, job)
        if not wait:
            return True
        return future.result()

    def _new_rows(self, hist: History) -> tuple[HistoryRows | None, int, bool]:
        """The rows this save writes, from which step they replace the saved ones, and
        whether they are the whole saved history: the rows new since the last save (one
        every `stride` steps and the newest), or an even sample of the whole history when
        there is no earlier save to add to, the history was replaced or widened, a write
        failed, or the chunks would outgrow MAX_SAVED_ROWS or MAX_SAVED_BYTES."""
        saved, cap, width = self._saved, saved_rows(hist), hist.state.shape[1]
        steps = hist.steps
        if saved is not None and not self._broken and saved.history() is hist \
                and saved.state_width == width:
            edited = hist.edited_from(saved.edits)
            start = int(saved.steps[-1]) + 1
            if edited is not None:
                start = min(start, edited)
            kept = saved.steps[saved.steps < start]
            first = int(np.searchsorted(steps, start))
            if first == len(steps) and start <= saved.steps[-1]:
                # rows went and none came: the newest again, to end the saved ones there
                first = len(steps) - 1
                start = int(steps[first])
                kept = saved.steps[saved.steps < start]
            new = steps[first:]
            if len(kept) and len(new):
                # one row in each `stride` steps after the newest kept, and the newest
                buckets = (new - kept[-1]) // saved.stride
                take = np.flatnonzero(np.diff(buckets, append=-1) != 0) + first
                # and a few a save: a wide network's row is megabytes (its newest alone,
                # then), and the next save has rows in between to take
                take = take[even_rows(len(take), max(1, cap // 8))]
                rows_bytes = len(take) * hist.bytes_per_row
                if len(kept) + len(take) <= cap \
                        and saved.bytes + rows_bytes <= MAX_SAVED_BYTES:
                    saved.steps = np.concatenate([kept, steps[take]])
                    saved.bytes += rows_bytes
                    saved.edits = hist.edits
                    return hist.rows(take), start, False
            elif len(kept) and not len(new):  # nothing new (nor edited)
                saved.edits = hist.edits
                return None, start, False
        # Afresh: half the rows allowed, so that the next saves add to them.
        take = even_rows(len(steps), max(2, cap // 2))
        chosen = steps[take]
        stride = 1 if len(take) == len(steps) else \
            max(1, int(chosen[-1] - chosen[0]) // max(1, len(take) - 1))
        self._saved = _Saved(weakref.ref(hist), hist.edits, width, chosen, stride,
                             len(take) * hist.bytes_per_row)
        return hist.rows(take), 0, True

    def _write(self, job: _Job) -> bool:
        """On the writer thread (or waited for): the new files, then the JSON naming
        them, then the files it no longer names go."""
        try:
            return self._write_files(job)
        except OSError as exc:  # a full disk must not stop the lesson
            self._broken = True
            self.last_error = str(exc)
            self.failed.emit(f"Autosave failed: {exc}")  # delivered on the GUI thread
            return False

    def _write_file(self, role: str, suffix: str, data: bytes) -> dict:
        self._count += 1
        name = f"{self.state_path.stem}-{role}-{self._count}{suffix}"
        write_atomically(self.folder / name, data)
        self.written[role] = len(data)
        return {"file": name, "bytes": len(data), "crc32": zlib.crc32(data)}

    def _write_files(self, job: _Job) -> bool:
        self.written = {}
        manifest = self._manifest
        if not job.afresh and (manifest is None or self._broken):
            return False  # a write before this one failed: the next save starts afresh
        data, arrays = job.lesson.parts_with(job.settings)
        before = self._lesson_arrays
        if manifest is not None and before is not None and data == manifest["lesson"] \
                and arrays.keys() == before.keys() \
                and all(np.array_equal(a, before[k], equal_nan=True)  # a kept run's
                        for k, a in arrays.items()):  # validation losses hold NaN
            lesson_file = manifest["lesson_arrays"]  # as saved: not written again
        else:
            lesson_file = self._write_file("lesson", ".npz", _npz(arrays))
            self._lesson_arrays = {k: np.array(a) for k, a in arrays.items()}
        chunks = [] if job.afresh or manifest is None else list(manifest["history"]["chunks"])
        if job.rows is not None:
            r = job.rows
            columns = dict(zip(ROW_COLUMNS, (r.step_numbers, r.loss, r.params, r.grads,
                                             r.step_sizes, r.val_loss, r.batch_loss),
                               strict=True))
            if r.state is not None:
                columns["state"] = r.state
            chunk = self._write_file("history", ".npz", _npz(columns))
            chunks.append({**chunk, "from_step": job.from_step})
        state = {**job.state, "lesson": data, "lesson_arrays": lesson_file,
                 "values": self._write_file("values", ".npy", _npy(job.values)),
                 "history": {"optimizer_from": job.optimizer_from, "chunks": chunks,
                             # what names the run ("SGD lr 0.1 → 0.3"): a few entries
                             "settings_log": settings_log_json(job.settings_log)}}
        text = json.dumps(state).encode()
        write_atomically(self.state_path, text)
        self.written["json"] = len(text)
        self._manifest = state
        if job.afresh:
            self._broken = False
        named = {self.state_path.name, lesson_file["file"], state["values"]["file"],
                 *(c["file"] for c in chunks)}
        for path in files_of(self.state_path):
            if path.name not in named:
                path.unlink(missing_ok=True)
        return True

    def _remove(self) -> None:
        for path in files_of(self.state_path):
            path.unlink(missing_ok=True)
        self._manifest = None

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
    history_problem: str | None  # why the step history, or its newest steps, could not be read
    lock: QLockFile
    values: np.ndarray | None = None  # the values reached, when the history is lost
    damaged: tuple[Path, ...] = ()  # history files that cannot be read: set aside on restore
    autosaved_step: int | None = None  # the step the work was at when autosaved
    # The trainer's settings log (what names the run), None when there is none or it
    # cannot be read, and then why not (the rest is restored all the same).
    settings_log: tuple[tuple[int, TrainingSettings], ...] | None = None
    settings_log_problem: str | None = None

    def question(self) -> str:
        try:
            when = time.strftime("at %H:%M on %d %b", time.localtime(self.saved_at))
        except (TypeError, OverflowError, OSError, ValueError):  # None, or past year 9999
            when = "at an unknown time"
        return (f"Backprop Lab last closed with work that was not saved.\n\nRestore "
                f"“{self.lesson.title}” at step {self.steps_done}, autosaved {when}?")

    def discard(self) -> None:
        """Declined: its files go (the user said no), then its lock."""
        for path in files_of(self.state_path):
            path.unlink(missing_ok=True)
        self.lock.unlock()

    def leave(self) -> None:
        """Not decided now: on offer again at the next start."""
        self.lock.unlock()


def set_aside(path: Path) -> Path | None:
    """Rename a damaged file out of the way (kept for whoever wants to look at it), its
    role kept in its name (`-history-3.npz`, `.json`)."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # autosave-<pid>-<id>-history-3.npz: what follows the window's name
    parts = path.name.split("-", 3)
    suffix = f"-{parts[3]}" if len(parts) == 4 else \
        "-history.npz" if path.name.endswith("-history.npz") else path.suffix
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
            files = files_of(path)
            kept = set_aside(path)
            for other in files[1:]:
                set_aside(other)
            lock.unlock()
            reports.append(f"An autosave could not be read ({exc}), so nothing could be "
                           f"recovered from it; it is kept as "
                           f"{kept.name if kept else path.name} in {folder}.")
            continue
        if recovery is None:  # closed cleanly (an autosave.json of an older version)
            for other in files_of(path):
                other.unlink(missing_ok=True)
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
    source = state.get("source")
    saved_at = state.get("saved_at")
    if not isinstance(saved_at, (int, float)) or not math.isfinite(saved_at):
        saved_at = None  # the work is still good; only the time is not known
    steps_done = state.get("steps_done")
    if not isinstance(steps_done, int) or isinstance(steps_done, bool) or steps_done < 0:
        steps_done = None
    log, log_problem = None, None
    if state.get("version") == VERSION:
        lesson, history, problem, damaged, values = _read_parts(path, state)
        if history is not None:
            log, log_problem = _read_settings_log(state, history, steps_done)
    else:  # version 1: the lesson and the values in the JSON, the history beside it
        damaged = ()
        try:
            lesson = lesson_from_dict(state.get("lesson"), "lesson")
        except ValueError as exc:  # LessonError, naming the field
            raise _Damaged(f"{path.name}: {exc}") from None
        history, problem = _read_history(history_path_of(path), len(lesson.network.params))
        if problem is not None:
            damaged = (history_path_of(path),)
        values = _read_values(state, lesson) if history is None else None
    reached = int(history.steps[-1]) if history is not None else 0
    return Recovery(path, lesson, Path(source) if isinstance(source, str) else None,
                    reached, saved_at, history, problem, lock, values, tuple(damaged),
                    steps_done, log, log_problem)


def _read_settings_log(state: dict, history: History, steps_done: int | None):
    """(the settings log, None) from a version 2 autosave's JSON, or (None, why not)
    naming the field; (None, None) for an autosave from before it kept one. Its entries
    may reach past the history restored (a damaged chunk's steps): the trainer leaves
    those out."""
    saved = state["history"].get("settings_log")
    if saved is None:
        return None, None
    last = max(int(history.steps[-1]), steps_done or 0)
    try:
        return settings_log_from_json(saved, "history.settings_log", last), None
    except LessonError as exc:
        return None, str(exc)


def _read_values(state: dict, lesson: Lesson) -> np.ndarray | None:
    """A version 1 autosave's values reached, saved beside the lesson's starting values;
    None when missing or not usable (the lesson then opens at its start)."""
    values = state.get("values")
    if not isinstance(values, dict):
        return None
    try:
        data = {**lesson.to_dict(), **{k: values[k] for k in ("weights", "biases")}}
        return lesson_from_dict(data, "values").network.params.copy()
    except (KeyError, ValueError):
        return None


class _PartDamaged(Exception):
    """One file of an autosave that cannot be used; says why, naming it."""


def _part(folder: Path, ref, stem: str) -> bytes:
    """The bytes of a file the JSON names, checked against its size and CRC-32."""
    name = ref.get("file") if isinstance(ref, dict) else None
    if not isinstance(name, str) or Path(name).name != name or not name.startswith(stem):
        raise _PartDamaged("the autosave names a file that is not its own")
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError:
        raise _PartDamaged(f"{name} is missing") from None
    if len(data) != ref.get("bytes") or zlib.crc32(data) != ref.get("crc32"):
        raise _PartDamaged(f"{name} is damaged")
    return data


def _arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as saved:
        return {key: saved[key] for key in saved.files}


def _read_parts(path: Path, state: dict):
    """A version 2 autosave: its lesson (checked as a lesson file is), its history from
    the chunks up to the first one that cannot be read, and the values reached (read
    only when no history can be). Raises _Damaged when the lesson cannot be read."""
    folder, stem = path.parent, f"{path.stem}-"
    try:
        arrays = _arrays(_part(folder, state.get("lesson_arrays"), stem))
        lesson = lesson_from_parts(state.get("lesson"), arrays, "lesson")
    except _PartDamaged as exc:
        raise _Damaged(str(exc)) from None
    except ValueError as exc:  # LessonError, naming the field; or arrays numpy refused
        raise _Damaged(f"{path.name}: {exc}") from None
    # A damaged file fails in many ways inside numpy and zipfile (BadZipFile, EOFError,
    # ValueError, KeyError, OSError...): any of them means it cannot be used.
    except Exception:  # noqa: BLE001
        raise _Damaged(f"{state['lesson_arrays'].get('file')} is damaged") from None
    width = len(lesson.network.params)
    history_state = state.get("history")
    chunks = history_state.get("chunks") if isinstance(history_state, dict) else None
    if not isinstance(chunks, list):
        chunks = []
    rows: list[dict[str, np.ndarray]] = []
    problem, damaged = None if chunks else "the autosave names no step history", []
    for k, ref in enumerate(chunks):
        try:
            rows = _with_chunk(rows, _part(folder, ref, stem), ref, width)
        except _PartDamaged as exc:
            problem = str(exc)
        except Exception:  # noqa: BLE001  (as above: numpy and zipfile's many errors)
            problem = f"{ref['file']} is damaged"
        if problem is not None:  # this chunk and those after it are set aside
            damaged = [folder / c["file"] for c in chunks[k:]
                       if isinstance(c, dict) and isinstance(c.get("file"), str)
                       and Path(c["file"]).name == c["file"] and c["file"].startswith(stem)]
            break
    history = None
    if rows:
        start = history_state.get("optimizer_from", 0) if isinstance(history_state, dict) else 0
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            start = 0
        try:
            history = History.from_rows(_joined_rows(rows), optimizer_from=start)
        except ValueError as exc:
            history, problem = None, f"the step history does not fit together ({exc})"
    values = None
    if history is None:
        try:
            values = np.load(io.BytesIO(_part(folder, state.get("values"), stem)),
                             allow_pickle=False)
        except Exception:  # noqa: BLE001  (as above)
            values = None
        if values is None or values.shape != (width,) or values.dtype != float \
                or not np.all(np.isfinite(values)):
            values = None
    return lesson, history, problem, damaged, values


def _with_chunk(rows: list[dict[str, np.ndarray]], data: bytes, ref: dict,
                width: int) -> list[dict[str, np.ndarray]]:
    """The saved rows with one more chunk's: the rows from its `from_step` on give way
    to it. Raises _PartDamaged when its columns do not fit together or this network."""
    name = ref["file"]
    chunk = _arrays(data)
    steps = chunk.get("steps")
    if steps is None or steps.ndim != 1 or not len(steps) or steps.dtype.kind not in "iu":
        raise _PartDamaged(f"{name} is damaged")
    n = len(steps)
    shapes = {"loss": (n,), "val_loss": (n,), "batch_loss": (n,), "params": (n, width),
              "grads": (n, width), "step_sizes": (n, width)}
    for key, shape in shapes.items():
        column = chunk.get(key)
        if column is None or column.shape != shape or column.dtype != float:
            raise _PartDamaged(f"{name} is damaged" if key != "params" or column is None
                               or column.ndim != 2 or column.shape[1] == width
                               else f"{name} belongs to a different network")
    state = chunk.get("state")
    if state is not None and (state.ndim != 2 or len(state) != n or state.dtype != float):
        raise _PartDamaged(f"{name} is damaged")
    if not np.all(np.isfinite(chunk["params"])):
        raise _PartDamaged(f"{name} holds values that are not numbers")
    from_step = ref.get("from_step")
    if not isinstance(from_step, int) or isinstance(from_step, bool) or from_step < 0 \
            or from_step > int(steps[0]):
        raise _PartDamaged(f"{name} does not follow the chunks before it")
    kept = []
    for earlier in rows:  # the rows before `from_step` of the chunks before
        keep = int(np.searchsorted(earlier["steps"], from_step))
        if keep:
            kept.append({key: column[:keep] for key, column in earlier.items()})
    return [*kept, chunk]


def _joined_rows(rows: list[dict[str, np.ndarray]]) -> HistoryRows:
    """The chunks' rows as one HistoryRows; an optimizer's state as wide as the widest
    (zeros where a row had less: the memory it did not have yet)."""
    width = max((r["state"].shape[1] for r in rows if "state" in r), default=0)

    def state(r: dict[str, np.ndarray]) -> np.ndarray:
        out = np.zeros((len(r["steps"]), width))
        if "state" in r:
            out[:, :r["state"].shape[1]] = r["state"]
        return out

    column = {key: np.concatenate([r[key] for r in rows]) for key in ROW_COLUMNS}
    return HistoryRows(column["steps"].astype(np.int64), column["loss"], column["params"],
                       column["grads"], column["step_sizes"],
                       np.concatenate([state(r) for r in rows]) if width else None,
                       val_loss=column["val_loss"], batch_loss=column["batch_loss"])


def _read_history(path: Path, width: int) -> tuple[History | None, str | None]:
    """A version 1 autosave's step history, or None and why not."""
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
    whether everything did. The work then lives in this window's autosave (written at
    once); only after that are the old files removed (damaged ones set aside) and their
    lock released."""
    session.replace_lesson(recovery.lesson, recovery.source)
    history_problem = recovery.history_problem
    history = recovery.history
    if history is not None:
        try:
            session.continue_with_history(history, recovery.settings_log)
        except ValueError as exc:
            history, history_problem = None, str(exc)
    if history is None and recovery.values is not None:
        session.continue_with_values(recovery.values)
    session.mark_dirty()
    if autosave is None or autosave.save():
        kept = [k for k in map(set_aside, recovery.damaged) if k is not None]
        if history_problem is not None and kept:
            history_problem += f"; it is kept as {kept[0].name}"
        recovery.discard()
    else:  # this window's autosave failed: the old files stay on offer
        recovery.leave()
    title = recovery.lesson.title
    log_problem = recovery.settings_log_problem
    if history_problem is None and log_problem is not None:
        return (f"Restored “{title}” at step {session.steps_done}; the settings its run "
                f"was trained with could not be read ({log_problem}), so the loss plot "
                "names it by today's."), False
    if history_problem is None:
        return f"Restored “{title}” at step {session.steps_done}.", True
    if history is not None:  # the chunks before a damaged one
        autosaved = recovery.autosaved_step
        of = f" of the {autosaved} autosaved" if autosaved is not None \
            and autosaved > session.steps_done else ""
        return (f"Restored “{title}” at step {session.steps_done}{of}, as far as its step "
                f"history could be read ({history_problem})."), False
    return (f"Restored “{title}” with its values and data, but not its step history "
            f"({history_problem})."), False
