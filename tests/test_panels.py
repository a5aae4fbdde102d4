"""The panel tier: one panel on a bare Session, driven as a user drives it. A panel shows
the Session's numbers and changes things only through the Session's commands."""

import itertools
import re

import pytest
from PySide6.QtCore import Qt

from engine.explain import fmt


def show(qtbot, widget, size=(700, 500)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_parameters_panel_refuses_and_restores_a_bad_value(session, qtbot):
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-all")
    panel = show(qtbot, ParametersPanel(s))
    field = panel.fields["w2"]
    for text, expected in (("abc", -1.13), ("2.5", 2.5)):
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key_Return)
        assert s.value("w2") == expected
        assert float(field.text()) == expected


def test_parameters_panel_ticks_follow_the_session(session, qtbot):
    from gui.panels.parameters import ParametersPanel

    s = session()
    panel = show(qtbot, ParametersPanel(s))
    assert panel.checks["b3"].isChecked() and not panel.checks["w1"].isChecked()
    panel.checks["w1"].click()
    assert s.is_trainable("w1")
    s.undo_stack.undo()
    assert not panel.checks["w1"].isChecked()


def test_breakdown_panel_shows_the_update_and_hides_it_in_quiz_mode(session, qtbot):
    from gui.panels.breakdown import BreakdownPanel

    s = session()
    panel = show(qtbot, BreakdownPanel(s))
    text = panel.toPlainText()
    # The article's first step on b3 (exact: slope −15.6551, step −1.56551, b3 1.56551).
    assert "step size = slope × learning rate = −15.6551 × 0.1 = −1.56551" in text
    assert "new b3 = old − step size = 0 − (−1.56551) = 1.56551" in text
    s.set_quiz(True)
    hidden = panel.toPlainText()
    assert "15.6551" not in hidden and "1.56551" not in hidden
    s.set_quiz(False)
    assert "new b3 = old − step size = 0 − (−1.56551) = 1.56551" in panel.toPlainText()


def test_controls_refuse_a_bad_rate_and_count_steps(session, qtbot):
    from gui.panels.controls import Controls
    from gui.runner import Runner

    s = session()
    bar = show(qtbot, Controls(s, Runner(s)), (900, 60))
    bar.rate.setFocus()
    bar.rate.selectAll()
    qtbot.keyClicks(bar.rate, "-3")
    qtbot.keyClick(bar.rate, Qt.Key_Return)
    assert s.learning_rate == 0.1 and bar.rate.text() == "0.1"
    qtbot.mouseClick(bar.button("stepButton"), Qt.LeftButton)
    assert bar.counter.text().strip() == "step 1"
    assert bar.loss_label.text().strip() == f"SSR = {fmt(s.loss, 6)}"


def test_history_table_has_a_row_per_step(session, qtbot):
    from gui.panels.history import HistoryTable

    s = session("single-weight")
    table = show(qtbot, HistoryTable(s))
    for _ in range(3):
        s.step()
    model = table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=1000)
    # The article's w before steps 1..4: 0.8, 0.59, 0.4745, 0.410975.
    assert [float(model.data(model.index(r, 2))) for r in range(4)] == \
        pytest.approx([0.8, 0.59, 0.4745, 0.410975])


def flow_texts(session_, qtbot, lesson):
    """Every text the flow puts on the diagram, frame by frame, for one step."""
    from gui.panels.flow import FlowAnimation
    from gui.panels.network_view import NetworkView

    s = session_(lesson)
    view = show(qtbot, NetworkView(s), (900, 600))
    flow = FlowAnimation(view, s, interval_ms=20)
    frames = []
    flow.timer.timeout.connect(lambda: frames.append([o.text.text() for o in view.overlays]))
    with qtbot.waitSignal(flow.finished, timeout=5000):
        s.request_flow()
    return s, frames


def test_flow_shows_the_trained_bias_and_says_what_it_sums(session, qtbot):
    s, frames = flow_texts(session, qtbot, "statquest-b3")
    flat = [t for frame in frames for t in frame]
    # b3 is the one trained parameter: its slope and its update appear.
    assert "∂SSR/∂b3 = −15.66" in flat  # the minus sign, as the breakdown writes it
    assert "b3: 0 → 1.566" in flat
    # nothing claims to change a frozen weight
    assert not any(re.match(r"w\d: .* → ", t) for t in flat)
    # node values are one sample's, slopes are sums, and the captions say so
    assert any("sample 1 of 3" in t for t in flat)
    assert any("Σ over 3 samples" in t for t in flat)
    assert s.steps_done == 1 and s.value("b3") == pytest.approx(1.56551, abs=5e-5)


def _iris_classes_by_hand(b3=-2.0):
    """Each iris sample's most probable class, from the lesson's numbers (test tier: an
    independent forward pass)."""
    import numpy as np

    x = np.array([[0.04, 0.42], [1.00, 0.54], [0.50, 0.37]])
    h = np.maximum(x @ np.array([[-2.5, 0.6], [-1.5, 0.4]]).T + [1.6, 0.7], 0)
    z = h @ np.array([[-0.1, 1.5], [2.4, -5.2], [-2.2, 3.7]]).T + [b3, 0.0, 1.0]
    return np.argmax(z, axis=1)  # softmax keeps the order of the raw outputs


def test_accuracy_panel_counts_the_classes_live(session, qtbot):
    from gui.panels.accuracy import AccuracyPanel

    s = session("iris-softmax")
    panel = show(qtbot, AccuracyPanel(s))
    observed = [0, 2, 1]  # Setosa, Virginica, Versicolor
    picked = _iris_classes_by_hand()
    right = sum(int(p == o) for p, o in zip(picked, observed, strict=True))
    assert f"Accuracy: {right} of 3" in panel.headline.text()
    for o, p in zip(observed, picked, strict=True):
        assert panel.matrix.item(o, p).text() != "0"
    assert panel.matrix.verticalHeaderItem(0).text() == "observed Setosa"
    for _ in range(30):  # b3 grows until Setosa's sample is put right
        s.step()
    qtbot.waitUntil(lambda: "Accuracy: 3 of 3" in panel.headline.text(), timeout=2000)
    assert panel.matrix.item(0, 0).text() == "1"


def test_accuracy_panel_says_what_it_is_for_on_a_regression(session, qtbot):
    from gui.panels.accuracy import AccuracyPanel

    panel = show(qtbot, AccuracyPanel(session("statquest-b3")))
    assert "classification lessons" in panel.headline.text()
    assert panel.matrix.isHidden()


def test_data_panel_maps_the_classes_on_two_inputs(session, qtbot):
    import numpy as np
    import pyqtgraph as pg

    from gui.kit.plot_style import CLASS_COLOURS
    from gui.panels.data import DataPanel

    s = session("iris-softmax")
    panel = show(qtbot, DataPanel(s), (900, 400))
    plot = panel.plot
    assert plot.class_map.isVisible() and not plot.map.isVisible()
    brushes = [b.color().name() for b in plot.samples.opts["symbolBrush"]]
    assert brushes == [pg.mkColor(CLASS_COLOURS[c]).name() for c in (0, 2, 1)]
    # The map's pixel under each sample has the hue of the class the network picks there.
    image = plot.class_map.image
    xs, ys, _ = s.prediction_map()
    for (x, y), picked in zip(s.inputs, _iris_classes_by_hand(), strict=True):
        i, j = np.argmin(abs(xs - x)), np.argmin(abs(ys - y))
        pixel = image[j, i].astype(float)
        nearest = min(range(3), key=lambda c: np.linalg.norm(
            _hue(pixel) - _hue(np.array(pg.mkColor(CLASS_COLOURS[c]).getRgb()[:3], float))))
        assert nearest == picked
    assert plot.width() > panel.table.width() * 0.8  # the plot is not squeezed by the table


def _hue(rgb):
    """Direction of a colour away from white: the same for a class's pale and deep shade."""
    import numpy as np

    away = 255.0 - rgb
    return away / max(np.linalg.norm(away), 1e-9)


def test_breakdown_panel_shows_the_cross_entropy_shortcut(session, qtbot):
    from gui.panels.breakdown import BreakdownPanel

    s = session("iris-softmax")
    panel = show(qtbot, BreakdownPanel(s), (600, 900))
    text = panel.toPlainText()
    assert "the shortcut" in text and "p_Setosa − Observed_Setosa" in text
    assert "∂p_Versicolor/∂x" in text
    s2 = session("statquest-b3")
    other = show(qtbot, BreakdownPanel(s2), (600, 900))
    assert "shortcut" not in other.toPlainText()


def test_class_map_samples_stand_out_where_the_network_is_sure(session, qtbot):
    """Seen in a real window: after a Run the ground under each sample was its own class's
    full colour, and the dots vanished into it."""
    import numpy as np
    import pyqtgraph as pg

    from gui.panels.data import DataPanel

    s = session("moons-softmax")
    s.advance(3000)  # the moons are all put right by then, most of the plane surely
    s.finish_training(None)
    panel = show(qtbot, DataPanel(s), (900, 400))
    panel.plot.refresh()
    image = panel.plot.class_map.image.astype(float)
    xs, ys, _ = s.prediction_map()
    brushes = panel.plot.samples.opts["symbolBrush"]
    for (x, y), brush in zip(s.inputs, brushes, strict=True):
        under = image[np.argmin(abs(ys - y)), np.argmin(abs(xs - x))]
        fill = np.array(pg.mkColor(brush.color()).getRgb()[:3], float)
        assert np.linalg.norm(under - fill) > 90


def test_data_panel_maps_each_output_of_a_two_output_lesson(session, qtbot):
    import numpy as np

    from gui.panels.data import DataPanel

    s = session("mazur-2-2-2")
    panel = show(qtbot, DataPanel(s), (900, 400))
    views = [panel.view_choice.itemText(i) for i in range(panel.view_choice.count())]
    assert views == ["Prediction map: o1", "Prediction map: o2", "Targets vs predictions"]
    xs, ys, outputs = s.prediction_map()
    for k in (0, 1):
        panel.view_choice.setCurrentIndex(k)
        panel.plot.refresh()
        shown = panel.plot.map.image
        np.testing.assert_allclose(shown, outputs[:, :, k])
        assert f"network's {('o1', 'o2')[k]} for every" in panel.plot.toolTip()
    panel.view_choice.setCurrentIndex(2)
    panel.plot.refresh()
    assert not panel.plot.map.isVisible()
    assert len(panel.plot.few_points.markers) >= 2  # a point per sample and output



@pytest.mark.parametrize("lesson", ["xor", "moons-softmax"])
def test_a_step_recolours_the_map_and_leaves_the_view_alone(lesson, session, qtbot):
    """Over two inputs the map spans the data, which a Step does not move: the colours
    change, the view and the image's place do not. Set again every Step, pyqtgraph
    announced a changed view each time (and measured its items again)."""
    import numpy as np

    from gui.panels.data import DataPanel

    s = session(lesson)
    panel = show(qtbot, DataPanel(s), (900, 400))
    plot = panel.plot
    image = plot.class_map if s.is_classifier else plot.map
    box = plot.getViewBox()
    colours, view, place = image.image.copy(), box.viewRange(), image.transform()
    with qtbot.assertNotEmitted(box.sigStateChanged):
        s.step()
        plot.refresh()
    assert not np.array_equal(image.image, colours)
    assert box.viewRange() == view and image.transform() == place


def test_recoloured_samples_do_not_grow_the_symbol_atlas(session, qtbot):
    """narrow-valley's samples are re-made in new colours whenever the map's colour scale
    moves. pyqtgraph's symbol atlas knows a look by its pen's and brush's identity: with a
    new pen and brush each time, every re-make drew all of them into the atlas again (it
    grew by 20 entries a re-make, ~5 ms each). Two values of b, in turns: after the first
    round, nothing new is drawn; and each dot's colour is the scale's colour of its target
    (the ground's 256, as a hand computation from the scale's ends gives)."""

    from gui.panels.data import DataPanel

    s = session("narrow-valley")
    panel = show(qtbot, DataPanel(s), (900, 400))
    plot = panel.plot
    name = s.network.param_names[-1]
    sizes, levels = [], set()
    for value in ("0", "40", "0", "40", "0", "40"):
        assert s.set_param(name, value)
        plot.refresh()
        levels.add(plot.map_levels)
        sizes.append(len(plot.samples.scatter.fragmentAtlas))
    assert len(levels) >= 2  # the scale did move between the two values
    assert sizes[2:] == [sizes[1]] * 4, sizes
    lo, hi = plot.map_levels
    lut = plot.colours.getLookupTable(nPts=256)
    brushes = plot.samples.scatter.data["brush"]
    for target, brush in zip(s.targets[:, 0], brushes, strict=True):
        k = int(round(255 * (target - lo) / (hi - lo)))
        assert brush.color().getRgb()[:3] == tuple(int(c) for c in lut[k][:3])


# --- the network editor: a rebuild only on a committed change, asking first -----------
def _editor(session, qtbot, lesson="statquest-all"):
    from gui.panels.editor import NetworkEditor

    s = session(lesson)
    return s, show(qtbot, NetworkEditor(s))


def _type_in(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)


def _answer(monkeypatch, answer):
    """Qt's standard question, answered as a user would; returns the questions asked."""
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args: asked.append(args) or answer)
    return asked


def test_typing_16_neurons_builds_once_on_enter(session, qtbot, monkeypatch):
    s, ed = _editor(session, qtbot)
    asked = _answer(monkeypatch, None)
    spin = ed.rows[0][0]
    _type_in(qtbot, spin, "16")
    assert s.network.sizes == [2, 1] and s.undo_stack.count() == 0  # not after "1"
    qtbot.keyClick(spin, Qt.Key_Return)
    assert s.network.sizes == [16, 1] and s.undo_stack.count() == 1
    assert not asked  # nothing trained yet: nothing to ask about


@pytest.mark.parametrize("typed", ["", "2", "abc", "1e400", "0x10", "300", "-1"])
def test_an_entry_that_changes_nothing_keeps_the_trained_weights(session, qtbot, monkeypatch,
                                                                 typed):
    """A bare Enter or the same count changes nothing; letters, 1e400, 0x10 and counts
    out of range are refused whole, saying so (the box once took 1e400 as 140)."""
    s, ed = _editor(session, qtbot)
    s.step()
    s.step()
    before = s.network.params.copy()
    asked = _answer(monkeypatch, None)
    spin = ed.rows[0][0]
    with qtbot.waitSignal(s.refused, timeout=200, raising=False) as refusal:
        _type_in(qtbot, spin, typed)
        qtbot.keyClick(spin, Qt.Key_Return)
        spin.clearFocus()
    assert (s.network.params == before).all() and s.steps_done == 2
    assert s.undo_stack.count() == 2 and not asked
    assert spin.value() == 2 and spin.text() == "2"
    if typed in ("", "2"):
        assert not refusal.signal_triggered
    else:
        assert refusal.signal_triggered
        assert refusal.args[0].startswith(f"Refused — Neurons in hidden layer 1: '{typed}' "
                                          "is not a whole number from 1 to 256")


def test_rebuilding_a_trained_network_asks_first(session, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    s, ed = _editor(session, qtbot)
    s.step()
    trained = s.network.params.copy()
    asked = _answer(monkeypatch, QMessageBox.No)
    spin = ed.rows[0][0]
    _type_in(qtbot, spin, "3")
    qtbot.keyClick(spin, Qt.Key_Return)
    assert len(asked) == 1 and "1 trained step" in asked[0][2]
    assert (s.network.params == trained).all() and s.network.sizes == [2, 1]
    assert ed.rows[0][0].value() == 2  # the field shows the network as it is
    asked = _answer(monkeypatch, QMessageBox.Yes)
    ed.rows[0][1].setCurrentText("tanh")  # any change asks the same
    assert len(asked) == 1 and s.network.layers[0].activation == "tanh"
    s.undo_stack.undo()
    assert (s.network.params == trained).all() and s.steps_done == 1


def test_the_loss_tooltip_explains_every_loss_the_engine_has(session, qtbot):
    from engine.losses import LOSSES

    _, ed = _editor(session, qtbot)
    lines = ed.loss.toolTip().splitlines()
    assert [line.split(":")[0] for line in lines] == [ed.loss.itemText(k)
                                                      for k in range(ed.loss.count())]
    for line, loss in zip(lines, LOSSES.values(), strict=True):
        assert f" {loss.symbol} = " in line
    assert "½ Σ (Observed - Predicted)²" in lines[1]  # half_sse, by hand
    assert "/ n" in lines[list(LOSSES).index("ce_mean")]


def test_the_editor_shows_human_names_and_keeps_the_engines_in_the_lesson(session, qtbot):
    """A new user saw 'ssr' and 'sequential' in the editor: its choices are named as the
    rest of the app names them (the loss by its symbol, SSR), while a saved lesson keeps
    the names files have always had."""
    from engine.lesson import NAMINGS
    from engine.losses import LOSSES

    s, ed = _editor(session, qtbot, "statquest-b3")
    loss_texts = [ed.loss.itemText(k) for k in range(ed.loss.count())]
    naming_texts = [ed.naming.itemText(k) for k in range(ed.naming.count())]
    assert ed.loss.currentText() == "SSR, sum of squared residuals (StatQuest)"
    assert ed.naming.currentText().startswith("w1, w2, …")
    assert not set(loss_texts) & set(LOSSES) and not set(naming_texts) & set(NAMINGS)
    # the two cross-entropies (both CE) are told apart
    assert len(set(loss_texts)) == len(loss_texts) and len(set(naming_texts)) == 2
    ed.loss.setCurrentIndex(loss_texts.index("MSE, mean squared error (PyTorch's MSELoss)"))
    ed.naming.setCurrentIndex(naming_texts.index("w211 = layer 2, neuron 1, input 1"))
    saved = s.current_lesson().to_dict()  # what File → Save writes
    assert (saved["loss"], saved["naming"]) == ("mse", "layered")
    assert s.loss_name == "mse" and s.network.naming == "layered"
    s.undo_stack.undo()  # the fields follow the lesson back
    assert ed.naming.currentText().startswith("w1, w2, …")
    assert ed.loss.currentText().startswith("MSE")


def test_a_wide_breakdown_opens_the_first_paths_numbers_and_the_others_on_request(
        session, qtbot):
    """Sixteen paths from a first-layer weight: the first shows its table, paths 2–8 their
    formula and sum (each the path's factors multiplied and added up, here by hand) with
    a link that opens their numbers; another parameter starts closed again."""
    import re

    import numpy as np
    from PySide6.QtCore import QUrl

    from engine import Layer, load_preset
    from engine.builder import build_lesson
    from gui.panels.breakdown import BreakdownPanel

    s = session("statquest-all")
    s.replace_lesson(build_lesson(load_preset("statquest-all"),
                                  [Layer(2, "tanh"), Layer(16, "tanh")],
                                  Layer(1, "identity"), "ssr", "layered", 3), None)
    s.select(s.network.param_names[0])
    panel = show(qtbot, BreakdownPanel(s), (700, 900))
    b = s.breakdown()

    def tables(text):  # a table's last line: its products, per sample (turned over or not)
        return text.count("product")

    text = panel.toPlainText()
    assert tables(text) >= 1 and "sample 1" in text
    for k in range(8):
        sums = re.search(rf"path {k + 1} of 16: Σsamples = (\S+)", text)
        by_hand = np.sum(np.prod([f.values for f in b.paths[k].factors], axis=0))
        assert float(sums.group(1).replace("−", "-")) == pytest.approx(by_hand, rel=1e-5)
    assert text.count("show its numbers") == 7 and "hide its numbers" not in text
    closed = tables(text)
    panel.anchorClicked.emit(QUrl("path:2"))  # path 3's link
    opened = panel.toPlainText()
    assert opened.count("show its numbers") == 6 and "hide its numbers" in opened
    assert tables(opened) > closed
    s.select(s.network.param_names[1])
    assert panel.toPlainText().count("show its numbers") == 7


def test_formulas_set_every_name_as_indexed_even_before_a_square():
    """Seen in a real window: tanh's derivative 1 - h2_7² showed h2_7 raw, as ² kept the
    name from ending at a word boundary."""
    from gui.kit.maths_text import formula_html

    assert formula_html("1 - h2_7²") == "1 − h<sub>2,7</sub>²"
    assert formula_html("-2 (Observed - h3_1) / n") == "−2 (Observed − h<sub>3,1</sub>) / n"
    assert formula_html("e^x1 / (1 + e^x1)") == \
        "e<sup>x<sub>1</sub></sup> / (1 + e<sup>x<sub>1</sub></sup>)"


def test_parameters_panel_rewrites_the_fields_in_view_and_the_others_when_scrolled_to(
        session, qtbot):
    """A big network lists 150 fields and about a dozen show: after a step those are
    rewritten at once, the rest as they come into view (150 setTexts took a Step ~2 ms,
    as long as the rest of the panel's work)."""
    from engine import Layer, load_preset
    from engine.builder import build_lesson
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-all")
    s.replace_lesson(build_lesson(load_preset("statquest-all"),
                                  [Layer(16, "tanh"), Layer(16, "tanh")],
                                  Layer(1, "identity"), "ssr", "layered", 3), None)
    panel = show(qtbot, ParametersPanel(s), (300, 400))
    fields = panel.fields
    assert len(fields) == 150

    def reads_its_value(name):
        return float(fields[name].text()) == pytest.approx(s.value(name), rel=1e-7, abs=1e-12)

    last = list(fields)[-1]
    panel.scroll.ensureWidgetVisible(fields[last])
    before = fields[last].text()
    assert reads_its_value(last)
    panel.scroll.verticalScrollBar().setValue(0)
    s.step()
    panel.refresh()  # as the Step's stateChanged asks (throttled by LiveRefresh)
    in_view = [n for n in fields if not fields[n].visibleRegion().isEmpty()]
    assert 5 <= len(in_view) < 40
    assert all(reads_its_value(n) for n in in_view)
    assert s.value(last) != float(before) and fields[last].text() == before  # not yet
    panel.scroll.ensureWidgetVisible(fields[last])
    assert reads_its_value(last)
    assert all(reads_its_value(n) for n in fields
               if not fields[n].visibleRegion().isEmpty())


def test_a_long_breakdown_opens_at_its_top_and_keeps_the_readers_place(session, qtbot):
    """Seen in a real window: a wide network's breakdown opened scrolled to its end (the
    panel's own cursor had moved along with the text put in, and the view followed)."""
    from engine import Layer, load_preset
    from engine.builder import build_lesson
    from gui.panels.breakdown import BreakdownPanel

    s = session("statquest-all")
    s.replace_lesson(build_lesson(load_preset("statquest-all"),
                                  [Layer(2, "tanh"), Layer(16, "tanh")],
                                  Layer(1, "identity"), "ssr", "layered", 3), None)
    s.select(s.network.param_names[0])
    panel = show(qtbot, BreakdownPanel(s), (500, 300))
    bar = panel.verticalScrollBar()
    qtbot.wait(50)
    assert bar.maximum() > 0 and bar.value() == 0
    place = bar.maximum() // 2
    bar.setValue(place)
    s.step()
    panel.refresh()
    assert bar.value() == place
    panel.refresh(full=True)
    assert bar.value() == place


def test_a_step_draws_the_breakdown_once_and_the_scroll_bar_stays(session, qtbot, monkeypatch):
    """With an optimizer the update's text changes every Step ("update 5"). When the
    breakdown was drawn anew for it, emptying the document first hid its scroll bar and
    showed it again, and each of those resizes drew the whole text again (three drawings a
    Step)."""
    from PySide6.QtCore import QEvent, QObject

    from gui.panels.breakdown import BreakdownPanel

    s = session("narrow-valley")
    assert s.set_optimizer("momentum")
    panel = show(qtbot, BreakdownPanel(s), (520, 260))  # too short: a scroll bar
    qtbot.wait(50)  # the first resizes' drawings
    bar = panel.verticalScrollBar()
    assert bar.isVisible()

    class Hides(QObject):
        count = 0

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Hide:
                self.count += 1
            return False
    hides = Hides()
    bar.installEventFilter(hides)
    drawings = []
    real_draw = panel._draw
    monkeypatch.setattr(panel, "_draw", lambda full: (drawings.append(full), real_draw(full)))
    for _ in range(3):
        s.step()
        qtbot.wait(20)
    assert len(drawings) == 3
    assert hides.count == 0 and bar.isVisible()


def tick_label_rects(plot):
    """Where each axis draws its tick labels, in the plot widget's pixels."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(8, 8, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            specs = axis.generateDrawSpecs(painter)
            for rect, _, text in specs[2]:
                yield name, text, plot.mapFromScene(axis.mapRectToScene(rect)).boundingRect()
    finally:
        painter.end()


@pytest.mark.parametrize("font_scale", [1.0, 1.6])  # normal and presenter mode's fonts
def test_loss_plot_tick_labels_are_whole_with_a_tick_at_the_top(session, qtbot, font_scale):
    """A tick at the very top of the range (a loss of 18.6 shown up to 20) has its label
    centred on it: half of it above the axis, where the plot must keep room for it."""
    from PySide6.QtWidgets import QApplication

    from gui.kit.plot_style import style_plot
    from gui.panels.loss import LossPlot

    app = QApplication.instance()
    normal = app.font()
    big = app.font()
    big.setPointSizeF(normal.pointSizeF() * font_scale)
    app.setFont(big)
    try:
        plot = show(qtbot, LossPlot(session("statquest-b3")), (500, 260))
        style_plot(plot)
        for top in (20.0, 1.0, 0.25, 1500.0):
            plot.setYRange(0, top, padding=0)
            qtbot.waitUntil(lambda top=top: plot.getAxis("left").range[1] == top)
            rects = list(tick_label_rects(plot))
            assert any(float(text) == top for _, text, _ in rects), (top, rects)
            for name, text, rect in rects:
                assert plot.rect().contains(rect), f"{name} tick {text!r} at {rect} is cut"
    finally:
        app.setFont(normal)


def luminance(colour) -> float:
    return (0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF())


@pytest.mark.parametrize("background", ["w", "#1e1e1e", "k"])  # light, dark, high contrast
@pytest.mark.parametrize("lesson", ["xor", "house-price", "moons-softmax", "iris-softmax"])
def test_every_sample_on_a_map_has_a_rim_that_stands_out_from_the_ground(
        session, qtbot, lesson, background):
    """Around every sample dot, in every direction, something (its rim or the band
    around it) differs clearly in lightness from the ground just outside: a white rim
    on the map's yellow, or a dark one on its dark blue, was hard to see."""
    import math

    import pyqtgraph as pg
    from PySide6.QtCore import QPointF

    from gui.panels.data import DataPlot

    s = session(lesson)
    for _ in range(60):  # a trained map: its dark and its light ends
        s.step()
    old = pg.getConfigOption("background")
    pg.setConfigOptions(background=background)
    try:
        plot = show(qtbot, DataPlot(s), (420, 420))
        qtbot.wait(20)
        image = plot.grab().toImage()
    finally:
        pg.setConfigOptions(background=old)
    box = plot.getViewBox()
    # the dot's radius and its band's, as drawn (many samples' are smaller)
    dot, outer = plot.samples.opts["symbolSize"] / 2, plot.halos.opts["symbolSize"] / 2
    centres = [plot.mapFromScene(box.mapViewToScene(QPointF(float(x), float(y))))
               for x, y in s.inputs]
    for (x, y), centre in zip(s.inputs, centres, strict=True):
        if sum((c - centre).manhattanLength() < 40 for c in centres) > 1:
            continue  # another dot is the ground beside this one
        for k in range(8):
            dx, dy = math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)

            def at(r, dx=dx, dy=dy, centre=centre):
                return luminance(image.pixelColor(round(centre.x() + r * dx),
                                                  round(centre.y() + r * dy)))
            ground = at(outer + 5)  # past the dot, its rim and any band around it
            best = max(abs(at(r) - ground) for r in range(round(dot) - 2, round(outer) + 1))
            assert best >= 0.4, f"sample ({x:g}, {y:g}) towards {45 * k}°: {best:.2f}"


def test_a_step_swaps_an_optimizers_words_in_place(session, qtbot, monkeypatch):
    """An optimizer's equations change their words every Step ("update 5", Adam's
    "beta1^5"): they are swapped in place as the numbers are, not the whole text drawn
    anew (~4 ms of every Step on narrow-valley), and the text with its formatting (sizes,
    weights, sub- and superscripts) is a new panel's."""
    from gui.panels.breakdown import BreakdownPanel

    s = session("narrow-valley")
    assert s.set_optimizer("adam")
    panel = show(qtbot, BreakdownPanel(s), (900, 700))
    s.step()  # past the first update's own wording ("the first: no memory yet")
    qtbot.wait(50)  # the first resizes' drawings
    drawn_anew = []
    real_paragraph = panel._paragraph
    monkeypatch.setattr(panel, "_paragraph",
                        lambda *args: (drawn_anew.append(args), real_paragraph(*args)))
    for _ in range(4):
        s.step()
        qtbot.wait(20)
    assert drawn_anew == []
    text = panel.toPlainText()
    assert "(update 6)" in text and "(1 − beta16)" in text  # beta1 to the power 6
    fresh = show(qtbot, BreakdownPanel(s), (900, 700))
    qtbot.wait(50)  # its first resize's drawing (900 px of room: the text grows)
    assert panel.document().toHtml() == fresh.document().toHtml()


def test_a_batch_of_one_swaps_its_sample_name_in_place(session, qtbot, monkeypatch):
    """sgd-line's SGD takes one sample a Step, a different one each time: the tables'
    sample names are swapped in place as the numbers are, not the whole text drawn anew
    at every Step (~3 ms of each in a real window's presenter mode), in the wide table
    and turned over in a narrow panel; and the text is what a new panel shows."""
    from gui.panels.breakdown import BreakdownPanel

    s = session("sgd-line")
    for size in ((900, 700), (330, 700)):
        panel = show(qtbot, BreakdownPanel(s), size)
        for _ in range(3):  # the first numbers' widths
            s.step()
            qtbot.wait(10)
        drawn, names = [], set()
        real_rows = panel._rows
        monkeypatch.setattr(panel, "_rows", lambda *args, drawn=drawn, real=real_rows: (
            drawn.append(1), real(*args)))
        for _ in range(10):
            s.step()
            qtbot.wait(10)
            names.add(re.search(r"sample \d+", panel.toPlainText()).group())
        assert len(names) >= 5  # a different sample most Steps
        assert len(drawn) <= 2, size  # only for a number wider than any before
        fresh = show(qtbot, BreakdownPanel(s), size)
        qtbot.wait(20)
        assert panel.toPlainText() == fresh.toPlainText()
        monkeypatch.undo()


def test_loss_plot_steps_axis_follows_the_data_after_a_reset(session, qtbot):
    """After a long run, Reset and a shorter one (a kept run of 290 steps to compare),
    the steps axis is what a fresh plot of the same curves shows, the next power of two
    (real-window walk: it stayed at 0-1000 with every curve in its left third)."""
    from gui.panels.loss import LossPlot

    s = session("sgd-line")
    plot = show(qtbot, LossPlot(s), (500, 260))
    s.advance(290)
    s.finish_training(None)
    assert s.keep_run()
    s.reset()
    s.advance(600)
    plot.refresh()
    assert plot.getViewBox().viewRange()[0][1] >= 600
    s.reset()
    s.advance(175)
    plot.refresh()
    assert s.last_step() == 175
    fresh = show(qtbot, LossPlot(s), (500, 260))
    fresh.refresh()
    low, high = plot.getViewBox().viewRange()[0]
    assert (low, high) == pytest.approx(fresh.getViewBox().viewRange()[0])
    assert 290 <= high <= 512 * 1.05  # 2 ** 9: the kept run's 290 steps fit


@pytest.mark.parametrize("background", ["w", "k"])  # light; dark and high contrast
def test_loss_plot_legend_shows_the_batch_loss_line_plainly(session, qtbot, background):
    """The batch loss is faint on the plot (a noisy band behind the training curve), but
    its sample in the legend must read: it was a hairline of 35% grey, almost nothing
    on the legend's card (real-window walk)."""
    import pyqtgraph as pg

    from gui.panels.loss import LossPlot

    before = pg.getConfigOption("background")
    pg.setConfigOptions(background=background)
    try:
        s = session("sgd-line")
        assert s.set_batching("1")
        plot = show(qtbot, LossPlot(s), (500, 300))
        s.advance(20)
        plot.refresh()
        qtbot.wait(20)
        image = plot.grab().toImage()
        card = pg.mkColor(background)
        for sample, label in plot.legend.items:
            rect = plot.mapFromScene(sample.sceneBoundingRect()).boundingRect()
            contrast = max(abs(luminance(image.pixelColor(x, y)) - luminance(card))
                           for x in range(rect.left(), rect.right())
                           for y in range(rect.top(), rect.bottom()))
            assert contrast >= 0.3, f"{label.text!r}'s line: contrast {contrast:.2f}"
        assert "batch" in [label.text for _, label in plot.legend.items]
    finally:
        pg.setConfigOptions(background=before)


def cut_fields(panel):
    """The parameter fields partly in the list's view: cut at its top or bottom edge."""
    view = panel.scroll.viewport()
    cut = []
    for name, field in panel.fields.items():
        top = field.mapTo(view, field.rect().topLeft()).y()
        bottom = top + field.height()
        if top < 0 < bottom or top < view.height() < bottom:
            cut.append(name)
    return cut


@pytest.mark.parametrize("height", range(236, 312, 7))
def test_the_parameter_list_never_cuts_a_row_at_its_edges(session, qtbot, height):
    """Seen in a real window at 1366x768: after building 1-3-1 the Parameters dock showed
    w6 half cut at its bottom edge, and w1 half cut at its top once scrolled to the end.
    At every scroll position (dragged anywhere, an arrow, the end) a field is wholly in
    the view or wholly out of it, also after the font grows (zoom)."""
    from PySide6.QtGui import QFont

    from engine import Layer, load_preset
    from engine.builder import build_lesson
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-all")
    s.replace_lesson(build_lesson(load_preset("statquest-all"), [Layer(3, "softplus")],
                                  Layer(1, "identity"), "ssr", "sequential", 0), None)
    panel = show(qtbot, ParametersPanel(s), (240, height))
    bar = panel.scroll.verticalScrollBar()
    last = panel.fields["b4"]
    for grow in (1.0, 1.4):
        font = QFont(panel.font())
        font.setPointSizeF(panel.font().pointSizeF() * grow)
        panel.setFont(font)
        qtbot.wait(1)  # the new row heights are laid out
        assert bar.maximum() > 0  # the list does not fit: it scrolls
        for dragged_to in (0, 1, 13, bar.maximum() // 2 + 3, bar.maximum() - 1):
            bar.setValue(dragged_to)
            assert cut_fields(panel) == [], (grow, dragged_to)
        bar.setValue(0)
        bar.triggerAction(bar.SliderAction.SliderSingleStepAdd)
        assert bar.value() > 0 and cut_fields(panel) == []
        bar.setValue(bar.maximum())
        assert cut_fields(panel) == []
        assert not last.visibleRegion().isEmpty()  # the end shows the last row, whole


def test_a_big_lists_note_of_what_is_left_out_sits_under_it(session, qtbot):
    """Past 150 parameters the note "N more: type in the filter above" stays in sight
    under the list (as its last row it scrolled, and the list ended on a cut row)."""
    from engine import Layer, load_preset
    from engine.builder import build_lesson
    from gui.panels.parameters import MAX_FIELDS, ParametersPanel

    s = session("statquest-all")
    s.replace_lesson(build_lesson(load_preset("statquest-all"),
                                  [Layer(20, "tanh"), Layer(20, "tanh")],
                                  Layer(1, "identity"), "ssr", "layered", 3), None)
    panel = show(qtbot, ParametersPanel(s), (300, 400))
    hidden = len(s.network.param_names) - MAX_FIELDS
    assert hidden > 0 and panel.more.isVisible() and f"{hidden} more" in panel.more.text()
    bar = panel.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert cut_fields(panel) == []
    assert not list(panel.fields.values())[-1].visibleRegion().isEmpty()
    s.replace_lesson(build_lesson(load_preset("statquest-all"), [Layer(2, "softplus")],
                                  Layer(1, "identity"), "ssr", "sequential", 0), None)
    assert not panel.more.isVisible()


def test_a_long_descent_path_draws_what_a_plot_can_tell_apart(qtbot):
    """A long Run's path on the landscape (40,000 rows) took 20 ms to draw every frame;
    its zigzag must keep every visible point and its end, its slow crawl far fewer."""
    import numpy as np
    import pyqtgraph as pg

    from gui.kit.plot_style import PATH_RESOLUTION, set_path

    item = pg.PlotDataItem()
    zigzag = np.column_stack([np.linspace(0, 0.5, 100), np.tile([0.0, 0.3], 50)])
    crawl = np.column_stack([0.5 + np.linspace(0, 1e-3, 40_000), np.full(40_000, 0.3)])
    path = np.vstack([zigzag, crawl])
    set_path(item, path[:, 0], path[:, 1], 1.0, 1.0)
    xs, ys = item.getData()
    assert len(xs) < 200  # the crawl: 1e-3 of travel in steps of PATH_RESOLUTION
    np.testing.assert_array_equal(np.column_stack([xs, ys])[:100], zigzag)  # every turn
    assert (xs[-1], ys[-1]) == tuple(path[-1])  # the newest, where the marker sits
    # nothing dropped is farther from the last point kept than the resolution
    kept = {tuple(p) for p in np.column_stack([xs, ys])}
    last = None
    for p in map(tuple, path):
        if p in kept:
            last = p
        assert max(abs(p[0] - last[0]), abs(p[1] - last[1])) <= PATH_RESOLUTION + 1e-12


@pytest.mark.parametrize("width", [499, 360])
def test_the_tangent_plots_title_fits_and_keeps_the_plot_in_its_panel(session, qtbot, width):
    # The tester's walk at 1280x800: "…next step lands at b3 = 2.1" and the last tick
    # "3" cut, the long title having made the plot wider than its dock.
    from gui.panels.tangent import TangentPlot

    s = session()
    s.step()
    plot = show(qtbot, TangentPlot(s), (width, 280))
    plot.live.now()
    qtbot.wait(50)
    box = plot.getViewBox()
    right = plot.mapFromScene(box.sceneBoundingRect().topRight()).x()
    assert right <= plot.width()
    bottom = plot.getAxis("bottom")
    assert plot.mapFromScene(bottom.sceneBoundingRect().topRight()).x() <= plot.width() + 1
    label = plot.getPlotItem().titleLabel
    shown_width = label.item.boundingRect().width()
    assert shown_width <= box.width() + 1
    u = s.update("b3")  # the title still says the slope and where the step lands
    assert f"{u.slope:.4g}" in label.text and f"{u.new_value:.4g}" in label.text


def drawn_tick_texts(axis) -> list:
    """The tick numbers an axis draws, as (rectangle, text)."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [] if specs is None else [(rect, text) for rect, _, text in specs[2]]


@pytest.mark.parametrize("width", [190, 200, 230, 400])
def test_a_plots_tick_numbers_stay_apart_however_narrow(session, qtbot, width):
    # The tester's restored window: the class map's ticks ran together, "00.51.0".
    from PySide6.QtGui import QFontMetricsF

    from gui.kit.plot_style import scale_items
    from gui.panels.data import DataPlot

    plot = DataPlot(session("iris-softmax"))
    scale_items(plot, 1.0)  # as the window does: room for the markers, a wider range
    show(qtbot, plot, (width, 150))
    plot.live.now()
    qtbot.wait(20)
    for side in ("bottom", "left"):
        axis = plot.getAxis(side)
        gap = QFontMetricsF(axis.style["tickFont"]).averageCharWidth()  # a space, at least
        texts = drawn_tick_texts(axis)
        assert len(texts) >= 2, (side, texts)
        rects = sorted((r for r, _ in texts), key=lambda r: (r.left(), r.top()))
        for a, b in itertools.pairwise(rects):
            apart = b.left() - a.right() if side == "bottom" else b.top() - a.bottom()
            assert apart >= (gap if side == "bottom" else 0), (side, [t for _, t in texts])


def laid_out_lines(panel) -> list[tuple[bool, list[str]]]:
    """Each block of the panel's text as Qt's layout set it: whether it is a table's row
    (on tab stops) and its lines, as read (no word joiners, no-break spaces as spaces)."""
    out = []
    block = panel.document().begin()
    while block.isValid():
        text, layout = block.text(), block.layout()
        lines = [text[line.textStart():line.textStart() + line.textLength()]
                 for line in map(layout.lineAt, range(layout.lineCount()))]
        out.append((bool(block.blockFormat().tabPositions()),
                    [line.replace("\u2060", "").replace("\u00a0", " ") for line in lines]))
        block = block.next()
    return out


@pytest.mark.parametrize("lesson", ["statquest-all", "moons-softmax"])
def test_the_breakdown_breaks_its_lines_only_between_factors(session, qtbot, lesson):
    """Seen in a real window at 1280x800: "∂x₁/" ended a line and "∂w₁" began the next.
    A factor, ∂x₁/∂w₁ or (1 − h₁), stays on one line: no line of the equations ends in
    a slash or inside a bracket. (At these widths every factor fits on a line.)"""
    from gui.panels.breakdown import BreakdownPanel

    s = session(lesson)
    panel = show(qtbot, BreakdownPanel(s), (700, 600))
    wrapped = 0
    for width in range(280, 640, 18):
        panel.resize(width, 600)
        qtbot.wait(5)
        for name in s.network.param_names[:6]:
            s.select(name)
            for table, lines in laid_out_lines(panel):
                if table or not any("·" in line for line in lines):
                    continue  # not a product of factors
                wrapped += len(lines) > 2  # its two lines (symbols, formulas) wrapped
                depth = 0
                for line in lines[:-1]:
                    depth += line.count("(") - line.count(")")
                    assert not line.rstrip().endswith("/"), (width, name, lines)
                    assert depth == 0, (width, name, lines)
    assert wrapped  # the widths tried did wrap the equations


def product_lines(panel) -> list[tuple]:
    """Each product of factors in the panel's text (not a table's row): its block and
    its lines as read."""
    out = []
    block = panel.document().begin()
    for table, lines in laid_out_lines(panel):
        if not table and any("·" in line for line in lines):
            out.append((block, lines))
        block = block.next()
    return out


def test_a_factor_wider_than_the_panel_is_written_smaller_then_broken_at_operators(
        session, qtbot):
    """moons-softmax's (−Observed_Upper / p_Upper / n) is wider than the breakdown dock
    of a 907x533 window (~225 px): it broke inside a name ("(−Observed_Upper / p_Uppe",
    "r / n)"). Narrower than the factor, it is written smaller, never below the tables'
    size; narrower still, its lines break only after one of its operators."""
    from gui.panels.breakdown import BreakdownPanel

    s = session("moons-softmax")
    panel = show(qtbot, BreakdownPanel(s), (400, 600))
    smallest = panel.text_font().pointSizeF()
    smaller = broken = 0
    for width in range(300, 150, -8):
        panel.resize(width, 600)
        qtbot.wait(5)
        panel.refresh()
        assert panel.horizontalScrollBar().maximum() == 0, width
        for block, lines in product_lines(panel):
            depth = 0
            for line, after in itertools.pairwise(lines):
                depth += line.count("(") - line.count(")")
                if depth:  # inside a factor: only at an operator (after it, or before
                    # it where even its first operand is wider than the panel)
                    assert line.rstrip()[-1] in "/×+−" or after[0] in "/×+−", (width,
                                                                              lines)
                    broken += 1
            sizes = set()
            fragments = block.begin()
            while not fragments.atEnd():
                sizes.add(fragments.fragment().charFormat().fontPointSize())
                fragments += 1
            assert min(sizes) >= smallest - 0.01, (width, sizes)
            smaller += len(sizes - {smallest * 1.18}) > 0 and depth == 0
    assert smaller and broken  # both ways were needed at the widths tried


@pytest.mark.parametrize("lesson", ["statquest-all", "house-price", "moons-softmax"])
def test_a_narrow_breakdown_never_scrolls_sideways(session, qtbot, lesson):
    """In a small window (907x533) or a narrow dock (~216 px) the per-sample tables were
    wider than the panel and it scrolled sideways: they stack into fewer samples a block,
    down to one, and then set each factor's name beside or above its number."""
    from gui.panels.breakdown import BreakdownPanel

    s = session(lesson)
    panel = show(qtbot, BreakdownPanel(s), (600, 700))
    names = s.network.param_names
    for width in (520, 300, 216, 160, 120, 400):  # narrower, then wider again
        panel.resize(width, 700)
        qtbot.wait(10)  # the tables regroup after the resize
        for name in (*names[:3], *names[-3:]):
            s.select(name)
            assert panel.horizontalScrollBar().maximum() == 0, (width, name)
            room = panel.viewport().width()
            block = panel.document().begin()
            while block.isValid():
                layout = block.layout()
                for k in range(layout.lineCount()):
                    assert layout.lineAt(k).naturalTextWidth() <= room, (width, name)
                block = block.next()
            text = panel.toPlainText()
            listed = min(5, len(s.batch_samples()))
            for k in range(listed):  # every listed sample keeps its numbers, named
                assert f"sample {s.batch_samples()[k] + 1}" in text, (width, name, k)


def test_moving_the_data_plots_view_up_or_down_leaves_its_points_as_they_are(
        session, qtbot, monkeypatch):
    """A big lesson's points were made again at every change of the plot's y range
    (pyqtgraph's dynamic range limit, for lines): 6,000 samples took ~22 ms, about every
    other Step while the fit moved. The view moves; the points stay, all of them."""
    import numpy as np

    from gui.panels.data import DataPlot

    s = session("statquest-b3")
    x = np.linspace(0.0, 1.0, 500)[:, None]
    assert s.set_data(x, np.sin(3 * x))
    plot = show(qtbot, DataPlot(s))
    scatter = plot.points.scatter
    assert len(scatter.data) == 500
    made = []
    monkeypatch.setattr(scatter, "setData", lambda *a, **k: made.append(a))
    for low, high in ((-5.0, 5.0), (-0.5, 2.0)):  # as keep_in_view follows the fit
        plot.setYRange(low, high, padding=0)
        assert plot.getViewBox().viewRange()[1] == [low, high]
    assert made == []
    assert len(scatter.data) == 500


def test_a_step_redraws_the_fit_without_drawing_every_sample_again(session, qtbot,
                                                                   monkeypatch):
    """Only the fit moves at a Step: the samples under it come from a picture of them,
    not drawn point by point again (6,000 took ~2 ms of every Step); a change of the
    view draws them afresh."""
    import numpy as np

    from gui.panels.data import DataPlot

    s = session("statquest-b3")
    x = np.linspace(0.0, 1.0, 500)[:, None]
    assert s.set_data(x, np.sin(3 * x))
    assert s.set_learning_rate("0.001")  # a small step: the fit stays in view
    plot = show(qtbot, DataPlot(s))
    scatter, drawn = plot.points.scatter, []
    # Drawing the points starts by picking those in view (pyqtgraph's paint), a Python
    # call to count (Qt's calls to paint itself do not see an override made this late).
    cull = scatter._maskAt
    monkeypatch.setattr(scatter, "_maskAt", lambda *a: (drawn.append(1), cull(*a))[1])

    def painted():
        qtbot.wait(30)  # the scene's changes, then the view's paint
        return plot.grab().toImage()

    scatter.update()
    before = painted()
    assert len(drawn) == 1
    view = plot.getViewBox().viewRange()
    s.step()
    assert painted() != before  # the fit did move
    assert plot.getViewBox().viewRange() == view
    assert len(drawn) == 1
    plot.setXRange(-1.0, 2.0, padding=0)
    painted()
    assert len(drawn) == 2


def test_the_quiz_asks_about_a_new_parameter_when_it_is_shown_not_while_away(session,
                                                                             qtbot):
    """Tabbed away, the quiz panel built a new question (a field per factor) at every
    choice of parameter: ~40 ms of each click in a big lesson's diagram. It asks about
    the parameter chosen once it is on screen; and about a new network at once."""
    import engine
    from gui.panels.quiz import QuizPanel

    s = session("statquest-all")
    quiz = QuizPanel(s)
    qtbot.addWidget(quiz)
    asked = quiz.question_label.text()
    assert f"parameter {s.selected}<" in asked
    other = next(n for n in s.network.param_names if n != s.selected)
    s.select(other)
    assert quiz.question_label.text() == asked  # not on screen: nothing built
    show(qtbot, quiz)
    qtbot.waitUntil(lambda: f"parameter {other}<" in quiz.question_label.text())
    assert set(quiz.fields) == {q.key for q in quiz.qs}
    asked = quiz.question_label.text()
    assert s.build_network([engine.Layer(3, "tanh")], engine.Layer(1), "ssr",
                           "sequential", 0)
    qtbot.waitUntil(lambda: quiz.question_label.text() != asked)
    assert f"parameter {s.selected}<" in quiz.question_label.text()


def test_a_big_networks_bundles_are_a_picture_that_looks_as_the_lines_drawn_afresh(
        session, qtbot):
    """4,096 translucent lines between two layers of 64 took ~38 ms at every repaint of
    the diagram (a selection, a hover, a flow phase): they are kept as a picture at the
    view's pixels, which looks as the lines drawn again (within antialiasing's rounding)."""
    import numpy as np
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

    import engine
    from gui.panels.network_view import NetworkView

    s = session("statquest-b3")
    assert s.build_network([engine.Layer(64, "tanh"), engine.Layer(64, "tanh")],
                           engine.Layer(1), "ssr", "sequential", 0)
    view = show(qtbot, NetworkView(s), (500, 430))
    bundles = [i for i in view.scene().items() if isinstance(i, QGraphicsPathItem)]
    assert len(bundles) == 3  # one a layer

    def pixels():
        image = view.grab().toImage().convertToFormat(QImage.Format_RGB32)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
        return rows[:, :image.width() * 4].astype(int)

    assert all(b.cacheMode() == QGraphicsItem.DeviceCoordinateCache for b in bundles)
    kept = pixels()
    for b in bundles:
        b.setCacheMode(QGraphicsItem.NoCache)
    afresh = pixels()
    assert (afresh < 200).sum() > 10_000  # the grey of the bundles, drawn
    assert np.abs(kept - afresh).max() <= 32


@pytest.mark.parametrize("presenter", [False, True])
def test_many_samples_are_drawn_smaller_on_a_map(window, qtbot, presenter):
    """moons' sixty dots with their halos covered most of its class map at 1280x800, the
    boundary the lesson is about hard to see (a tester): over DENSE_SAMPLES samples the
    dots are smaller, in presenter mode too (its scale on top); three stay full size."""
    from gui.panels.data import DENSE_SAMPLE_SHARE, DENSE_SAMPLES, HALO_PX, SAMPLE_PX

    sizes = {}
    for lesson in ("moons-softmax", "iris-softmax"):
        w = window(lesson)
        w.set_presenter(presenter)
        qtbot.wait(50)
        plot = w.data_panel.plot
        scale = 1.6 if presenter else 1.0
        count = len(w.session.inputs)
        share = DENSE_SAMPLE_SHARE if count > DENSE_SAMPLES else 1.0
        assert plot.samples.opts["symbolSize"] == pytest.approx(SAMPLE_PX * share * scale)
        assert plot.halos.opts["symbolSize"] == pytest.approx(
            (SAMPLE_PX + 2 * HALO_PX) * share * scale)
        sizes[lesson] = plot.samples.opts["symbolSize"]
        w.set_presenter(False)
    assert sizes["moons-softmax"] < sizes["iris-softmax"]


@pytest.mark.parametrize("width", [420, 560])
def test_a_long_quiz_question_wraps_and_leaves_its_answer_box_in_view(session, qtbot, width):
    """narrow-valley's momentum: "step size by momentum's rule, update 1 (momentum = 0.9,
    weight_decay = 0, v = 0; learning rate 0.02)" on one line pushed every answer box
    past the panel's right edge at 1366x768, a sideways scroll bar, the boxes squeezed to
    25 px when scrolled to (a tester). The questions wrap; every box is in view and wide
    enough for a number."""
    from gui.panels.quiz import QuizPanel

    s = session("narrow-valley")
    panel = show(qtbot, QuizPanel(s), (width, 600))
    s.set_quiz(True)
    qtbot.wait(50)
    assert any("momentum" in q.label for q in panel.qs)
    assert panel.scroll.horizontalScrollBar().maximum() == 0
    port = panel.scroll.viewport()
    for field in panel.fields.values():
        box = field.geometry().translated(field.parentWidget().mapTo(port, field.pos()) -
                                          field.pos())
        assert port.rect().left() <= box.left() and box.right() <= port.rect().right(), box
        assert field.width() >= field.fontMetrics().horizontalAdvance("−0.0000") + 8
