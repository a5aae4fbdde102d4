"""The loss plot's legend names the current run by its settings even alone (a tester: with
no run kept to compare, nothing said what the curve was), small, and in a corner the
curves leave free (a rising loss ran under it at the top right). One panel on a bare
Session, at the size the Loss dock has in a 1280x800 window."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.panels.loss import LossPlot

DOCK_SIZE = (490, 200)  # the Loss plot's size at 1280x800 (seen in a real window)


def shown_plot(qtbot, s, size=DOCK_SIZE) -> LossPlot:
    plot = LossPlot(s)
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def legend_texts(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def trained(s, rate: str, steps: int):
    assert s.set_learning_rate(rate)
    for _ in range(steps):
        s.step()


def test_a_run_alone_is_named_in_the_legend_by_its_settings(session, qtbot):
    s = session("statquest-b3")  # the preset: SGD, learning rate 0.1
    plot = shown_plot(qtbot, s)
    trained(s, "0.1", 3)
    plot.refresh()
    assert plot.legend is not None and plot.legend.isVisible()
    assert legend_texts(plot) == ["current run (SGD lr 0.1)"]
    trained(s, "0.3", 2)  # a rate changed along the run: both said
    plot.refresh()
    assert legend_texts(plot) == ["current run (SGD lr 0.1 → 0.3)"]
    # small: one line, inside the plot, well under half of it
    view = plot.getViewBox().sceneBoundingRect()
    card = plot.legend.sceneBoundingRect()
    assert view.contains(card)
    assert card.width() * card.height() < 0.25 * view.width() * view.height()


def curve_in_scene(plot, item, per_segment: int = 60) -> list[QPointF]:
    """The drawn line of a curve as scene points, each segment sampled densely (a steep
    segment between two points outside a rectangle may cross it)."""
    x, y = item.xData, item.yData
    fine = np.concatenate([np.linspace(a, b, per_segment) for a, b in zip(x[:-1], x[1:],
                                                                           strict=True)])
    view = plot.getViewBox()
    return [view.mapViewToScene(QPointF(float(u), float(v)))
            for u, v in zip(fine, np.interp(fine, x, y), strict=True)]


@pytest.mark.parametrize("rate, corner", [
    ("0.1", "top right"),  # falls: the top right is free
    ("0.36", "bottom right"),  # rises (step sizes grow each step): the bottom right is
])
def test_the_legend_sits_where_the_curve_is_not(session, qtbot, rate, corner):
    s = session("statquest-b3")
    plot = shown_plot(qtbot, s)
    trained(s, rate, 10)
    plot.refresh()
    loss = s.history.loss
    assert (np.diff(loss) < 0).all() if corner == "top right" else (np.diff(loss) > 0).all()
    assert plot.legend.isVisible()
    card = plot.legend.sceneBoundingRect()
    covered = [p for p in curve_in_scene(plot, plot.curve) if card.contains(p)]
    assert not covered, f"{len(covered)} points of the curve under the legend"
    marker = plot.getViewBox().mapViewToScene(QPointF(10, float(loss[-1])))
    assert not card.contains(marker)  # the newest step, most of all
    view = plot.getViewBox().sceneBoundingRect()
    middle = view.center()
    assert card.left() > middle.x()  # on the right: the older steps are on the left
    assert (card.bottom() < middle.y()) == (corner == "top right"), corner


def test_a_legend_dragged_by_hand_stays_where_it_was_put(session, qtbot):
    s = session("statquest-b3")
    plot = shown_plot(qtbot, s)
    trained(s, "0.1", 3)
    plot.refresh()

    class Drag:  # what pyqtgraph's drag hands the legend, 40 px left
        def button(self):
            return Qt.MouseButton.LeftButton

        def pos(self):
            return QPointF(0, 0)

        def lastPos(self):  # noqa: N802 (pyqtgraph's name)
            return QPointF(40, 0)

        def accept(self):
            pass

    def top_right():  # the corner pyqtgraph keeps where it was dropped, near the top right
        return plot.legend.mapRectToParent(plot.legend.boundingRect()).topRight()

    before = top_right()
    plot.legend.mouseDragEvent(Drag())
    put = top_right()
    assert put.x() == pytest.approx(before.x() - 40) and put.y() == pytest.approx(before.y())
    trained(s, "0.36", 10)  # the loss now rises into the top right: not moved all the same
    plot.refresh()
    assert legend_texts(plot) == ["current run (SGD lr 0.1 → 0.36)"]  # wider: grown leftwards
    assert top_right().x() == pytest.approx(put.x()) and top_right().y() == pytest.approx(put.y())
