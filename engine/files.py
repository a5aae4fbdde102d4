"""Writing files all or nothing: every file the app writes (lessons, exports, worksheets,
autosave) goes through `write_atomically`, so a full disk or a read-only folder is an
OSError to report and the file that was there before stays whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# The process's umask, read once: mkstemp makes its file private (0600), and an export
# should get the permissions any new file of the user's gets.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to the disk, then rename
    it over `path` (a rename within one folder is atomic). Raises OSError with the reason;
    the old file, if any, is then untouched and no temporary file is left behind."""
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777  # an overwritten file keeps its permissions
    except OSError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # a full disk shows here, before the old file is replaced
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomically(path: str | Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))
