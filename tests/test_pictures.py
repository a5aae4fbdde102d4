"""Pictures for slides (issue 16): File → Export picture… draws the diagram, a plot, the
breakdown or the whole window as PNG at a chosen scale or as SVG, written all or nothing;
a failure is reported and the old file stays."""

import errno
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

KEYS = ("diagram", "loss", "data", "breakdown", "window")


def image(path) -> np.ndarray:
    img = QImage(str(path)).convertToFormat(QImage.Format_RGB32)
    assert not img.isNull()
    pixels = np.frombuffer(img.constBits(), np.uint32, img.width() * img.height())
    return pixels.reshape(img.height(), img.width()).copy()  # before img is freed


@pytest.mark.parametrize("key", KEYS)
def test_each_picture_as_png_at_1x_and_2x_and_as_svg(window, tmp_path, key):
    w = window("statquest-all")
    w.controls.step()
    assert key in w.files.picture_sources()
    assert w.files.export_picture_to(key, str(tmp_path / "one.png"), 1)
    assert w.files.export_picture_to(key, str(tmp_path / "two.png"), 2)
    one, two = image(tmp_path / "one.png"), image(tmp_path / "two.png")
    assert two.shape == (2 * one.shape[0], 2 * one.shape[1])
    assert len(np.unique(one)) > 2  # something drawn, not one flat colour
    if key == "window":
        assert one.shape == (w.height(), w.width())
    if key == "breakdown":  # the whole breakdown, not only the part in view
        assert one.shape[0] >= w.breakdown.document().size().height() - 1
    assert w.files.export_picture_to(key, str(tmp_path / "it.svg"))
    root = ET.parse(tmp_path / "it.svg").getroot()
    assert root.tag.endswith("svg")
    assert w.statusBar().currentMessage().endswith("it.svg")


def test_the_2x_diagram_is_drawn_sharp_not_enlarged(window, tmp_path):
    w = window("statquest-b3")
    w.files.export_picture_to("diagram", str(tmp_path / "one.png"), 1)
    w.files.export_picture_to("diagram", str(tmp_path / "two.png"), 2)
    one, two = image(tmp_path / "one.png"), image(tmp_path / "two.png")
    enlarged = np.repeat(np.repeat(one, 2, axis=0), 2, axis=1)
    assert not np.array_equal(two, enlarged)


def test_a_picture_that_cannot_be_written_is_reported_and_the_old_file_stays(
        window, tmp_path, monkeypatch):
    w = window("statquest-b3")
    old = tmp_path / "diagram.png"
    old.write_bytes(b"old picture")
    with monkeypatch.context() as m:  # a full disk: flushing the new file fails
        m.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
        assert not w.files.export_picture_to("diagram", str(old), 2)
    assert old.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diagram.png"]
    message = w.statusBar().currentMessage()
    assert "No space left" in message and "Any file there before is unchanged" in message
    assert not w.files.export_picture_to("window", str(tmp_path / "huge.png"), 40)
    assert "too large" in w.statusBar().currentMessage()
    assert not (tmp_path / "huge.png").exists()


def test_export_picture_is_in_the_file_menu(window):
    w = window("statquest-b3")
    texts = [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    assert "Export picture…" in texts
