import atexit
import os
import shutil
import tempfile

# Headless Qt, and settings that never touch the user's own (removed at the end: each
# run left two folders in /tmp, hundreds a day).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _variable, _prefix in (("XDG_CONFIG_HOME", "bpl-config-"), ("XDG_DATA_HOME", "bpl-data-")):
    os.environ[_variable] = tempfile.mkdtemp(prefix=_prefix)
    atexit.register(shutil.rmtree, os.environ[_variable], ignore_errors=True)


import pytest  # noqa: E402  (after the environment above, which Qt reads on import)
from hypothesis import settings  # noqa: E402

# CI tries the same examples at every run, so that a submission passes or fails on its
# code, not on the draw; at a desk every run explores new ones (and keeps what fails).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def window(qtbot):
    """make(lesson) -> a shown, active main window; appearance back to normal afterwards."""

    def make(lesson="statquest-b3"):
        from gui import create_window

        w = create_window(lesson)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow, timeout=2000)
        return w

    yield make
    from PySide6.QtWidgets import QApplication

    appearance = getattr(QApplication.instance(), "backprop_appearance", None)
    if appearance is not None:
        appearance.set_theme("system")
        appearance.zoom_reset()  # leave the next test at normal size


@pytest.fixture
def session(qtbot):
    """make(lesson) -> a bare Session (no window): the model tier's tests and one panel's."""

    def make(lesson="statquest-b3"):
        from gui.session import session_for

        return session_for(lesson)

    return make


@pytest.fixture(autouse=True)
def unsaved_answer(monkeypatch):
    """Quit, New and Open ask Save / Discard / Cancel about unsaved work with a modal box,
    which would wait for ever in a test: every test answers Discard unless it says
    otherwise (`unsaved_answer.answer = ...`); `asked` counts the questions."""
    from PySide6.QtWidgets import QMessageBox

    from gui.file_actions import FileActions

    class Answer:
        answer = QMessageBox.Discard
        asked = 0

    def ask(_self):
        Answer.asked += 1
        return Answer.answer

    monkeypatch.setattr(FileActions, "ask_unsaved", ask)
    return Answer


def leave_with_unsaved_work(w) -> None:
    """A window that goes away without being asked (killed, the session ending): its
    unsaved work stays in its autosave, on offer at the next start."""
    w.autosave.save_on_exit()
    w.close()


# The suite's status, to leave with once pytest has said everything (see below).
_session_status: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _session_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave at once when pytest is done, with its status, the temporary settings
    folders removed: three clean runs of the whole suite on 2026-11-30 passed every test
    and then died in the interpreter's teardown (a segmentation fault as Python and Qt
    destroyed the session's thousands of leftover wrappers, exit 139), which failed CI
    with every result in. Nothing of the tests runs there; the app's own exit is not
    this path (one window, closed, then QApplication's end)."""
    if not _session_status:
        return
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        shutil.rmtree(os.environ[variable], ignore_errors=True)
    os._exit(_session_status[-1])
