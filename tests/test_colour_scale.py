"""The colour bars beside the maps (loss landscape, the data plot's prediction and class
maps): a student reads what a colour means from the bar's name and the values at its
ends; the bar changes only when the map's range does, never at every Step."""

import math

import numpy as np
import pyqtgraph as pg
import pytest

from gui.kit.colour_scale import colour_ticks


def show(qtbot, widget, size=(600, 400)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def in_layout(plot, scale) -> bool:
    layout = plot.getPlotItem().layout
    return any(layout.itemAt(k) is scale.bar for k in range(layout.count()))


def test_the_ticks_label_the_ends_with_their_values_and_round_values_between():
    ends, inner = colour_ticks(-0.601, 0.731)
    assert ends == [(-0.601, "-0.601"), (0.731, "0.731")]
    assert [v for v, _ in inner] == pytest.approx([0.0, 0.5])  # steps of 0.5 (span/4 = 0.33)
    # a log scale: positions are log10, labels the values; powers of ten between
    ends, inner = colour_ticks(math.log10(3e-6), math.log10(20.0), log=True)
    assert [label for _, label in ends] == ["3e-6", "20"]
    assert [label for _, label in inner] == ["0.0001", "0.001", "0.01", "0.1", "1"]
    # under two decades, 2 and 5 times them too
    _, inner = colour_ticks(math.log10(2.08), math.log10(8.98), log=True)
    assert [label for _, label in inner] == ["5"]


def test_the_landscape_has_a_bar_named_by_the_loss_whose_ends_hold_the_maps_losses(
        session, qtbot):
    from gui.panels.landscape import LandscapeView

    s = session("statquest-all")
    view = show(qtbot, LandscapeView(s))
    view.live.now()
    scale = view.scale
    assert in_layout(view.plot, scale) and scale.bar.isVisible()
    assert scale.bar.axis.labelText == "SSR"
    lo, hi = scale.levels
    assert tuple(view.image.getLevels()) == pytest.approx((lo, hi))  # what the colours mean
    # the map's losses, computed again over the same grid, between the bar's ends
    a0, a1, b0, b1 = view.extent
    grid = s.loss_grid("w1", "b1", np.linspace(a0, a1, view.POINTS),
                       np.linspace(b0, b1, view.POINTS))
    assert 10 ** lo <= grid.min() and grid.max() <= 10 ** hi
    labels = [label for _, label in scale.bar.axis._tickLevels[0]]
    assert labels == [f"{10 ** lo:.3g}", f"{10 ** hi:.3g}"]


def test_a_small_step_leaves_the_landscapes_bar_as_it_is(session, qtbot, monkeypatch):
    from gui.panels.landscape import LandscapeView

    s = session("statquest-all")
    assert s.set_learning_rate("0.001")  # steps that stay inside the map
    view = show(qtbot, LandscapeView(s))
    view.live.now()
    ticked = []
    monkeypatch.setattr(view.scale.bar.axis, "setTicks", lambda t: ticked.append(t))
    for _ in range(3):
        s.step()
        view.live.now()
    assert ticked == []


def map_with_bar(qtbot, s):
    """The data plot of a two-input lesson, drawn, and its colour bar, in its layout."""
    from gui.panels.data import DataPlot

    plot = show(qtbot, DataPlot(s), (500, 400))
    plot.live.now()
    assert in_layout(plot, plot.scale)
    return plot, plot.scale


def test_the_prediction_maps_bar_is_named_by_the_output_and_spans_its_colours(
        session, qtbot):
    s = session("house-price")
    plot, scale = map_with_bar(qtbot, s)
    assert scale.bar.axis.labelText == "h21"
    lo, hi = scale.levels
    assert tuple(plot.map.getLevels()) == pytest.approx((lo, hi))
    # the one sample's target and the network's prediction for it are on the scale
    w = {n: s.value(n) for n in s.network.param_names}
    x1, x2 = s.inputs[0]

    def sigmoid(z):
        return 1 / (1 + math.exp(-z))
    h11 = sigmoid(w["w111"] * x1 + w["w112"] * x2 + w["b11"])
    h12 = sigmoid(w["w121"] * x1 + w["w122"] * x2 + w["b12"])
    predicted = w["w211"] * h11 + w["w212"] * h12 + w["b21"]
    assert lo <= min(predicted, -0.54) and max(predicted, -0.54) <= hi


def test_a_one_input_plot_has_no_bar_and_no_room_kept_for_one(session, qtbot):
    from gui.panels.data import DataPlot

    plot = show(qtbot, DataPlot(session("statquest-b3")))
    plot.live.now()
    assert not in_layout(plot, plot.scale)


def tint(hex_colour: str, sure: float) -> np.ndarray:
    """A class colour as the class map paints it where the network is `sure`, written
    out again: from 12 % of the colour (unsure) to 55 % (certain) over white."""
    rgb = np.array(pg.mkColor(hex_colour).getRgb()[:3], float)
    return 255 - (255 - rgb) * (0.12 + 0.43 * sure)


def test_the_class_maps_bar_runs_from_one_class_to_the_other_through_pale(session, qtbot):
    from gui.kit.plot_style import CLASS_COLOURS

    s = session("moons-softmax")
    plot, scale = map_with_bar(qtbot, s)
    assert scale.bar.axis.labelText == "p_Upper"
    assert scale.levels == (0.0, 1.0)
    image = scale.bar.bar.pixmap().toImage()
    assert image.height() == 256

    def row(k):  # the bar's k-th colour from the bottom (p_Upper = (k + 0.5) / 256)
        c = image.pixelColor(0, k)
        return np.array([c.red(), c.green(), c.blue()], float)
    # p_Upper near 1: Upper (class 0) sure; near 0: Lower (class 1) sure; 0.5: pale
    assert np.abs(row(255) - tint(CLASS_COLOURS[0], 2 * 255.5 / 256 - 1)).max() <= 1
    assert np.abs(row(0) - tint(CLASS_COLOURS[1], 1 - 2 * 0.5 / 256)).max() <= 1
    assert np.abs(row(128) - tint(CLASS_COLOURS[0], 2 * 128.5 / 256 - 1)).max() <= 1


def test_three_classes_get_a_column_each_from_one_third_to_certain(session, qtbot):
    from gui.panels.data import DataPlot

    s = session("iris-softmax")
    plot = show(qtbot, DataPlot(s), (500, 400))
    plot.live.now()
    assert plot.scale.levels == pytest.approx((1 / 3, 1.0))
    assert plot.scale.bar.bar.pixmap().width() == 3


def test_the_bar_takes_the_themes_ink_and_the_zoomed_font(session, qtbot):
    from PySide6.QtWidgets import QApplication

    from gui.kit.plot_style import style_plot
    from gui.panels.data import DataPlot

    plot = show(qtbot, DataPlot(session("xor")))
    old_fg, old_font = pg.getConfigOption("foreground"), QApplication.font()
    big = QApplication.font()
    big.setPointSizeF(2 * big.pointSizeF())
    try:
        pg.setConfigOptions(foreground="#f0f0f0")
        QApplication.setFont(big)
        style_plot(plot)
        axis = plot.scale.bar.axis
        assert axis.textPen().color().name() == "#f0f0f0"
        assert axis.style["tickFont"].pointSizeF() == big.pointSizeF()
        assert axis.label.font().pointSizeF() == big.pointSizeF()
    finally:
        pg.setConfigOptions(foreground=old_fg)
        QApplication.setFont(old_font)


def test_a_big_networks_landscape_and_tangent_take_fewer_points_and_say_so(session, qtbot):
    """On a 1-64-64-1 network over 6,000 samples a 100x100 grid of the first layer's
    weights asked for 28 GiB at once (and a point at a time, ~25 s a Step): the map takes fewer
    points a side, says how many in its tooltip, and each is the loss of the whole
    network there; the tangent's curve takes fewer too. A small lesson keeps them all."""
    import engine
    from gui.panels.landscape import LandscapeView
    from gui.panels.tangent import TangentPlot

    small = session("statquest-all")
    view = show(qtbot, LandscapeView(small))
    view.live.now()
    assert view.grid.shape == (view.POINTS, view.POINTS)
    assert "grid is" not in view.plot.toolTip()
    assert len(show(qtbot, TangentPlot(small)).curve.xData) == 161

    s = session("statquest-b3")
    x = np.linspace(-1.0, 1.0, 6000)[:, None]
    assert s.build_network([engine.Layer(64, "tanh"), engine.Layer(64, "tanh")],
                           engine.Layer(1), "ssr", "sequential", 0)
    assert s.set_data(x, np.sin(3 * x))
    view = show(qtbot, LandscapeView(s))
    view.live.now()
    a, b = view.choice_a.currentText(), view.choice_b.currentText()
    assert s.network.ref(a).layer == s.network.ref(b).layer == 0  # the dearest: every layer
    side = view.grid.shape[0]
    assert view.FEWEST_POINTS <= side < view.POINTS and view.grid.shape == (side, side)
    assert f"grid is {side}×{side} points" in view.plot.toolTip()
    a0, a1, b0, b1 = view.extent
    for i, j in ((0, 0), (side - 1, 3), (5, side - 2)):  # whole passes of a copy
        probe = s.network.copy()
        probe.params[s.network.index[a]] = np.linspace(a0, a1, side)[i]
        probe.params[s.network.index[b]] = np.linspace(b0, b1, side)[j]
        expected = probe.loss(x, np.sin(3 * x), s.trainer.loss_function)
        assert view.grid[j, i] == pytest.approx(expected, rel=1e-9)
    tangent = show(qtbot, TangentPlot(s))
    assert s.network.ref(s.selected).layer == 0
    assert 41 <= len(tangent.curve.xData) < 161
