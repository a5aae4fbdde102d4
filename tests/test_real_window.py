"""The window as a user launches it, under a real X server with a window manager (Xvfb
and openbox): what offscreen tests cannot see. Offscreen there is no window manager, so
no first-launch maximising, no frame and no real maximised size; windows measured there
passed while the real one opened at half the screen.

Each test starts its own X server of one screen size, runs the app in a subprocess with a
clean home (a first launch), waits for the window manager to settle it, measures, turns
presenter mode on, measures again. Skipped where Xvfb or openbox is missing (.ci/run
installs both)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIN_PLOT_PX = 150

pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("openbox")),
    reason="needs Xvfb and openbox (apt-get install xvfb openbox; .ci/run does)")

# Run in the app's own process: launched as `backprop-lab LESSON` is (gui.app.run), then
# measured once the window manager has maximised it, and again in presenter mode.
MEASURE = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QToolButton
from gui.app import make_application
app = make_application()
from gui.main_window import create_window
w = create_window(sys.argv[1])
first = not w.restore_layout()
w.showMaximized()
out = {"first_launch": first}

def measure(tag):
    screen = w.screen().availableGeometry()
    frame = w.frameGeometry()
    ext = w.controls.findChild(QToolButton, "qt_toolbar_ext_button")
    view = w.network_view
    out[tag] = {
        "screen": [screen.width(), screen.height()],
        "frame": [frame.width(), frame.height()],
        "loss_px": w.loss_plot.getPlotItem().getViewBox().height(),
        "data_px": w.data_panel.plot.getPlotItem().getViewBox().height(),
        "data_rows_short": w.data_panel.rows_short(4),
        "toolbar_overflows": bool(ext is not None and ext.isVisible()),
        "diagram_scrolls": view.horizontalScrollBar().isVisible()
                           or view.verticalScrollBar().isVisible(),
        "diagram_cut": not view.viewport().rect().contains(
            view.mapFromScene(view.sceneRect()).boundingRect()),
        "breakdown_sideways": w.breakdown.horizontalScrollBar().maximum(),
        "breakdown_pt": w.breakdown.font().pointSizeF(),
        "ranges": [v for p in (w.loss_plot, w.data_panel.plot)
                   for axis in p.getPlotItem().getViewBox().viewRange() for v in axis],
    }

def presenter():
    measure("normal")
    w.set_presenter(True)
    QTimer.singleShot(1500, done)

def done():
    measure("presenter")
    w.set_presenter(False)
    QTimer.singleShot(1500, restored)

def restored():
    measure("restored")
    print(json.dumps(out))
    w.session.discard_unsaved()
    app.quit()

QTimer.singleShot(2500, presenter)  # the window manager maximises a new window late
app.exec()
"""


def free_display() -> int:
    n = 90
    while Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
        n += 1
    return n


@pytest.fixture
def desktop():
    """start(size) -> the environment of a fresh X server of that size with openbox
    running and a clean home; everything stopped afterwards."""
    started: list[subprocess.Popen] = []
    homes: list[tempfile.TemporaryDirectory] = []

    def start(size: str) -> dict[str, str]:
        n = free_display()
        server = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", f"{size}x24",
                                   "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        started.append(server)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        home = tempfile.TemporaryDirectory()
        homes.append(home)
        env = {**os.environ, "DISPLAY": f":{n}", "HOME": home.name,
               "XDG_CONFIG_HOME": f"{home.name}/config", "XDG_DATA_HOME": f"{home.name}/data",
               "XDG_RUNTIME_DIR": home.name, "QT_QPA_PLATFORM": "xcb",
               "PYTHONPATH": str(ROOT)}
        started.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
        time.sleep(0.5)
        probe = subprocess.run([sys.executable, "-c", "from PySide6.QtWidgets import "
                                "QApplication; QApplication([])"], env=env,
                               capture_output=True, text=True, timeout=30)
        if probe.returncode != 0:  # Qt's xcb libraries missing (libxcb-cursor0, ...)
            pytest.skip(f"Qt cannot open a window on Xvfb here: {probe.stderr[-300:]}")
        return env

    yield start
    for process in reversed(started):
        process.terminate()
        process.wait(timeout=10)
    for home in homes:
        home.cleanup()


def launched(env: dict[str, str], lesson: str) -> dict:
    result = subprocess.run([sys.executable, "-c", MEASURE, lesson], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("size, lesson", [("1280x800", "statquest-all"),
                                          ("1366x768", "iris-softmax"),
                                          ("1920x1080", "statquest-b3")])
def test_a_first_launch_fills_the_screen_and_presenter_mode_stays_whole(desktop, size,
                                                                         lesson):
    seen = launched(desktop(size), lesson)
    assert seen["first_launch"]
    normal, presenter = seen["normal"], seen["presenter"]
    screen = normal["screen"]
    # maximised by the window manager: the whole available screen, frame and all
    assert normal["frame"][0] >= 0.95 * screen[0] and normal["frame"][1] >= 0.85 * screen[1]
    for mode in (normal, presenter):
        assert mode["frame"][0] <= screen[0]  # never pushed past the screen's edge
        assert not mode["toolbar_overflows"], mode
        assert not mode["diagram_scrolls"] and not mode["diagram_cut"], mode
        assert mode["breakdown_sideways"] == 0, mode
        assert mode["loss_px"] >= MIN_PLOT_PX, mode
    assert normal["data_px"] >= MIN_PLOT_PX, normal
    # presenter mode's tucked data tab: its plot and its table's first rows whole (at
    # 1366x768 iris' words took the height: two rows and a half, the map 141 px)
    assert presenter["data_px"] >= MIN_PLOT_PX, presenter
    assert presenter["data_rows_short"] == 0, presenter
    assert presenter["breakdown_pt"] >= 1.5 * normal["breakdown_pt"]
    # F5 and F5 again: the plots as they were (a tester saw other ticks and ranges)
    restored = seen["restored"]
    assert restored["frame"] == normal["frame"]
    assert restored["ranges"] == pytest.approx(normal["ranges"], rel=0.01, abs=0.01)
