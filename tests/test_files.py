"""Files the app writes: every export and save is all or nothing. A disk that fills up
midway is reported (a dialog in the window, one line and exit 2 on the command line) and
the file that was there before survives whole."""

import errno
import os

import pytest

from engine.files import write_atomically
from gui.launcher import main as launcher_main

OLD = b"the previous export, which must survive\n"


@pytest.fixture
def full_disk(monkeypatch):
    """Every write's data reaches a temporary file, then flushing it to the disk fails
    with 'No space left on device' (what a full disk does to a buffered write)."""

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)


def leftovers(folder, keep):
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path,
                                                                          full_disk):
    target = tmp_path / "kept.txt"
    target.write_bytes(OLD)
    with pytest.raises(OSError) as caught:
        write_atomically(target, b"new" * 1000)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path, "kept.txt") == []


def test_a_write_that_works_replaces_the_file_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "kept.txt"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "fresh.txt"
    write_atomically(fresh, b"x")
    assert fresh.stat().st_mode & 0o777 != 0o600  # not mkstemp's private mode


EXPORTS = {
    "worksheet.pdf": lambda w, p: w.files.export_worksheet_to(p, 1, True),
    "worksheet.html": lambda w, p: w.files.export_worksheet_to(p, 1, True),
    "worksheet.md": lambda w, p: w.files.export_worksheet_to(p, 1, False),
    "history.csv": lambda w, p: w.files.export_history_to(p),
    "loss.png": lambda w, p: w.files.export_picture_to("loss", p),
    "loss.svg": lambda w, p: w.files.export_picture_to("loss", p),
    "lesson.json": lambda w, p: w.files.save_to(p),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_on_a_full_disk_says_so_and_keeps_the_old_file(name, window, tmp_path,
                                                                   monkeypatch):
    w = window("house-price")
    w.controls.step()
    errors = []
    monkeypatch.setattr(w.files, "error", lambda title, text: errors.append(text))
    target = tmp_path / name
    target.write_bytes(OLD)
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
        assert EXPORTS[name](w, str(target)) is False
    assert target.read_bytes() == OLD
    assert len(errors) == 1 and name in errors[0] and "No space left" in errors[0]
    assert leftovers(tmp_path, name) == []
    assert w.session.dirty  # a failed save leaves the work marked unsaved
    # and with room on the disk the same export works
    assert EXPORTS[name](w, str(target)) is not False and target.read_bytes() != OLD


@pytest.mark.parametrize("fmt", ["pdf", "html", "md"])
def test_the_worksheet_command_on_a_full_disk_exits_2_with_one_line(fmt, tmp_path,
                                                                    full_disk, capsys):
    target = tmp_path / f"sheet.{fmt}"
    target.write_bytes(OLD)
    code = launcher_main(["worksheet", "house-price", "--format", fmt, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "No space left" in err and str(target) in err
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path, target.name) == []
