"""The window as a class sees it, at the screen sizes teachers and students have: every
plot tall enough to read, the breakdown never scrolling sideways, the diagram never
needing a scroll bar, its labels apart from each other and from the nodes, never under
9 px. Off screen, the window is given the size a maximised window gets under a window
manager (the screen less a title bar and a panel); tests/test_real_window.py checks the
real maximised size under one."""

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QGraphicsEllipseItem, QGraphicsSimpleTextItem, QWidget

from engine import PRESETS, load_preset

# (screen, the window's size when maximised on it: less ~60 px of title bar and panel)
SCREENS = {"1280x800": (1280, 740), "1366x768": (1366, 708), "1920x1080": (1920, 1020)}
MIN_PLOT_PX = 150
# presenter mode's data plot: where a small network's words need the height, and where not
# (at 1280x800 moons' map was 99 px high between its big markers' ~40 px margins)
MIN_TUCKED_PLOT_PX, ROOMY_TUCKED_PLOT_PX = 115, 170
MIN_LABEL_PX = 9
MIN_SLIDER_PX = 120  # a slider shorter than this is hard to set where one means


def laid_out(window, qtbot, lesson, size):
    w = window(lesson)
    w.resize(*size)
    w.reset_layout()
    qtbot.wait(50)  # docks settle, deferred refreshes run
    settled(w, qtbot)
    return w


def settled(w, qtbot):
    """Wait until the docks stop moving (the plots' room is given a few event-loop
    passes after a layout, later on a busy machine): unchanged over two waits in a row.
    Over one, a layout made later was measured before Qt applied it: a resize lays the
    docks out in a deferred step whose resizeDocks takes effect at Qt's next layout pass,
    and painting the resized window can hold the event loop past a wait's 20 ms, its end
    then falling between the two (moons-softmax 1280x740 -> 907x533: the fit ran at
    43 ms, the wait ended 3 ms later with the docks as before it). A step that moves no
    dock posts the one that does, which the next wait runs first."""
    last, quiet = None, 0
    for _ in range(50):
        now = {key: dock.geometry().getRect() for key, dock in w.docks.items()}
        quiet = quiet + 1 if now == last else 0
        if quiet == 2:
            return
        last = now
        qtbot.wait(20)
    raise AssertionError("the docks never settled")


def on_screen_plots(w):
    return [p for p in (w.loss_plot, w.data_panel.plot) if p.isVisible()]


def assert_plots_tall_enough(w):
    """The loss and data plots at least MIN_PLOT_PX high where they draw, inside their
    axes (presenter mode's big axes left the loss plot 91 px of a 150 px widget); in
    presenter mode the data, tucked under the diagram, at least MIN_TUCKED_PLOT_PX."""
    assert len(on_screen_plots(w)) == 2
    for plot in on_screen_plots(w):
        drawn = plot.getPlotItem().getViewBox().height()
        least = (MIN_TUCKED_PLOT_PX if w.appearance.presenter and plot is not w.loss_plot
                 else MIN_PLOT_PX)
        assert drawn >= least, f"{plot.objectName()} draws in {drawn:.0f} px"


def label_rects(view):
    return {name: label.sceneBoundingRect() for name, label in view.labels.items()
            if label.isVisible()}


def assert_diagram_readable(w):
    view = w.network_view
    assert not view.horizontalScrollBar().isVisible()
    assert not view.verticalScrollBar().isVisible()
    rects = label_rects(view)
    for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2):
        assert not ra.intersects(rb), f"labels {a} and {b} overlap"
    nodes = [item.sceneBoundingRect() for item in view.node_items]
    for name, rect in rects.items():
        for node in nodes:
            assert not rect.intersects(node.adjusted(6, 6, -6, -6)), f"{name} covers a node"
    circles = [item.sceneBoundingRect() for item in view.node_items
               if isinstance(item, QGraphicsEllipseItem)]
    for a, b in itertools.combinations(circles, 2):  # nodes keep apart
        assert not a.intersects(b), "two nodes touch"
    shown = view.mapFromScene(view.sceneRect()).boundingRect()
    assert view.viewport().rect().contains(shown)  # nothing outside the visible area
    for name, rect in rects.items():  # a label below the last node was cut in half
        on_screen = view.mapFromScene(rect).boundingRect()
        assert view.viewport().rect().contains(on_screen), f"{name} is cut by the edge"
    for text, px in diagram_texts(view):
        assert px >= MIN_LABEL_PX, f"{text!r} is {px:.1f} px on screen"


def diagram_texts(view):
    """Every text of the drawing (value labels, the names inside and beside the nodes)
    with its height on screen in pixels."""
    scale = view.transform().m11()
    return [(item.text(), item.font().pointSizeF() * view.logicalDpiY() / 72 * scale)
            for item in view.scene().items()
            if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text()]


def node_words_px(view):
    """The words in and beside the diagram's nodes ("tanh", "x1", "p_Upper"), each with
    its height on screen in pixels: its font's size, as the view's zoom writes it."""
    scale = view.transform().m11()
    return [(item.text(), item.font().pointSizeF() * view.logicalDpiY() / 72 * scale)
            for item in view.node_items
            if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text()]


# The least a node's word may be on screen: issue 13's 9 px maximised at 1280x800; in a
# small window (907x533, the size a restored window came back at) as large as the view
# allows, and 7 px at least (moons' eight stacked neurons were 5 px, under every other
# preset's: xor's 6.4, iris' 7.6, the others 9 and more).
LEAST_NODE_WORD_PX = {(907, 533): 7.0, SCREENS["1280x800"]: MIN_LABEL_PX}


@pytest.mark.parametrize("size", LEAST_NODE_WORD_PX)
@pytest.mark.parametrize("lesson", PRESETS)
def test_the_diagrams_node_words_are_readable_in_a_small_window(window, qtbot, lesson,
                                                                 size):
    w = laid_out(window, qtbot, lesson, size)
    view = w.network_view
    qtbot.wait(20)  # the drawing for the view's size is chosen once the docks settle
    words = node_words_px(view)
    assert words
    text, px = min(words, key=lambda word: word[1])
    assert px >= LEAST_NODE_WORD_PX[size], f"{text!r} is {px:.1f} px on screen"
    rects = [item.sceneBoundingRect() for item in view.node_items]
    for a, b in itertools.combinations(rects, 2):  # words and nodes apart (or one inside)
        assert not a.intersects(b) or a.contains(b) or b.contains(a)
    for rect in (*rects, *label_rects(view).values()):
        assert view.viewport().rect().contains(view.mapFromScene(rect).boundingRect())


def test_node_words_too_small_to_read_are_left_out_and_named_in_tooltips(window, qtbot):
    """Smaller than a fitted drawing can keep them 7 px high (moons' eight stacked
    neurons in an 800x450 window: 5 px), the nodes' words are not written at all; each
    node's tooltip names it and says what it computes. Larger again, they come back."""
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    w = laid_out(window, qtbot, "moons-softmax", (800, 450))
    view = w.network_view
    qtbot.wait(20)
    words = [item for item in view.node_items if isinstance(item, QGraphicsSimpleTextItem)]
    assert words and not any(item.isVisible() for item in words)
    assert view.word_px_on_screen() < 7
    nodes = {item.data(1): item for item in view.node_items
             if isinstance(item, QGraphicsEllipseItem)}
    # named from the network's own names, written out here for moons' 2-8-2
    assert set(nodes) == {"x1 (input)", "x2 (input)",
                          *(f"h1{j} = tanh(z1{j})" for j in range(1, 9)),
                          "p_Upper = softmax(z21)", "p_Lower = softmax(z22)"}
    centre = view.mapFromScene(nodes["h13 = tanh(z13)"].sceneBoundingRect().center())
    view.viewportEvent(QHelpEvent(QEvent.ToolTip, centre,
                                  view.viewport().mapToGlobal(QPoint(centre))))
    assert QToolTip.text() == "h13 = tanh(z13)"
    QToolTip.hideText()
    w.resize(1280, 740)
    settled(w, qtbot)
    qtbot.wait(20)
    assert all(item.isVisible() for item in view.node_items  # (drawn anew: new items)
               if isinstance(item, QGraphicsSimpleTextItem))
    assert min(px for _, px in node_words_px(view)) >= MIN_LABEL_PX


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("lesson", PRESETS)
def test_every_preset_is_readable_at_every_screen_size(window, qtbot, lesson, screen):
    w = laid_out(window, qtbot, lesson, SCREENS[screen])
    assert_plots_tall_enough(w)
    assert_diagram_readable(w)
    bar = w.breakdown.horizontalScrollBar()
    for name in w.session.network.param_names:
        w.session.select(name)
        qtbot.wait(1)
        assert bar.maximum() == 0, f"the breakdown of {name} scrolls sideways"


def test_first_layout_gives_the_breakdown_and_the_diagram_room(window, qtbot):
    w = laid_out(window, qtbot, "statquest-all", SCREENS["1280x800"])
    assert w.breakdown.width() >= 0.3 * w.width()
    assert w.network_view.width() >= 0.3 * w.width()
    assert w.parameters.width() <= 0.22 * w.width() + 10


def test_reset_layout_brings_back_a_closed_panel(window, qtbot):
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1280x800"])
    w.docks["loss"].close()
    w.docks["data"].setFloating(True)
    w.reset_layout()
    qtbot.wait(20)
    assert w.docks["loss"].isVisible() and not w.docks["data"].isFloating()
    assert w.loss_plot.height() >= MIN_PLOT_PX


def test_no_two_actions_share_a_shortcut(window):
    from PySide6.QtGui import QAction

    w = window()
    seen = {}
    for action in w.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} is both {seen[text]!r} and {action.text()!r}"
            seen[text] = action.text()
    assert "Ctrl+Shift+Z" in seen and "Ctrl+Z" in seen


@pytest.mark.parametrize("presenter", [False, True])
def test_the_toolbar_stays_put_when_run_becomes_pause(window, qtbot, presenter):
    """"Pause" is wider than "Run": every control right of the button moved ~13 px at
    each Run and pause (a tester in a real window)."""
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1280x800"])
    w.set_presenter(presenter)
    qtbot.wait(50)
    run, after = w.controls.button("runButton"), w.controls.button("flowButton")

    def places():  # (the wordings further right may shorten for a longer loss)
        return run.geometry().getRect(), after.x()
    before = places()
    w.controls.speed.setValue(0)  # a step every 30 frames: still running when measured
    w.session.set_running(True)
    qtbot.waitUntil(lambda: w.controls.run_action.text() == "Pause")
    qtbot.wait(20)
    assert w.session.running
    running = places()
    w.session.set_running(False)
    qtbot.waitUntil(lambda: w.controls.run_action.text() == "Run")
    qtbot.wait(20)
    assert running == before == places()


def test_an_axis_title_stays_centred_when_another_lesson_renames_it(window, qtbot):
    """narrow-valley's data plot is titled "age" up its side; File → New from preset →
    statquest-b3 renamed it "Observed / Predicted", which kept the short title's centre
    and ran off the plot's top ("Observed / Predict" seen by a tester)."""
    w = laid_out(window, qtbot, "narrow-valley", SCREENS["1366x768"])
    assert w.files.open_preset("statquest-b3")
    qtbot.wait(50)
    plot = w.data_panel.plot.getPlotItem()
    axis, box = plot.getAxis("left"), plot.getViewBox()
    title = axis.label.mapRectToScene(axis.label.boundingRect())
    drawn = box.mapRectToScene(box.boundingRect())
    assert "Predicted" in axis.label.toPlainText()
    assert drawn.top() - 2 <= title.top() and title.bottom() <= drawn.bottom() + 2, \
        (title.top(), title.bottom(), drawn.top(), drawn.bottom())
    assert abs(title.center().y() - drawn.center().y()) <= 2


@pytest.mark.parametrize("lesson, size", [("statquest-b3", (1366, 748)),
                                          ("statquest-b3", SCREENS["1280x800"]),
                                          ("sgd-line", (1366, 748)),
                                          ("xor", SCREENS["1920x1080"])])
def test_presenter_mode_shows_the_whole_breakdown_where_the_diagram_has_room(
        window, qtbot, lesson, size):
    """At 1366x768 statquest-b3's "step size" and "new b3" were under the fold, its three
    samples' table in two rows, the diagram beside it with room to spare (a tester). The
    breakdown takes the width the diagram's words do not need: the whole text in view,
    the words still half as large again as normal."""
    w = laid_out(window, qtbot, lesson, size)
    normal = min(px for _, px in diagram_texts(w.network_view))
    w.set_presenter(True)
    qtbot.wait(50)
    settled(w, qtbot)
    for _ in range(3):
        w.session.step()
        qtbot.wait(10)
    assert w.breakdown.verticalScrollBar().maximum() == 0
    assert "new " in w.breakdown.toPlainText()
    assert min(px for _, px in diagram_texts(w.network_view)) >= 1.5 * normal
    assert_diagram_readable(w)


def test_enter_in_a_field_then_space_steps(window, qtbot):
    w = window("statquest-b3")
    field = w.parameters.fields["w3"]
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "-1")
    qtbot.keyClick(field, Qt.Key_Return)
    assert w.session.value("w3") == -1.0
    qtbot.keyClick(w.focusWidget() or w, Qt.Key_Space)
    assert w.session.steps_done == 1
    assert field.text() == "-1"  # the space did not go into the field


def test_a_refused_value_keeps_the_keys_to_be_put_right(window, qtbot):
    """Seen in a real window: "abc", Enter in the learning rate was refused and the
    field gave the keys back, so the correction typed next went nowhere."""
    w = window("statquest-b3")
    field = w.controls.rate
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    field.selectAll()
    qtbot.keyClicks(field, "abc")
    qtbot.keyClick(field, Qt.Key_Return)
    assert field.hasFocus()
    qtbot.keyClicks(field, "0.05")  # over the selected text
    qtbot.keyClick(field, Qt.Key_Return)
    assert w.session.learning_rate == 0.05
    assert not field.hasFocus()  # accepted: the keys go back (Space steps)


def test_escape_leaves_a_field_as_it_was_then_space_steps(window, qtbot):
    """F1 says Escape leaves a text field; it did nothing (a tester's Space went into the
    learning rate). Escape puts back the text the field had and commits nothing, also
    after a refused value, and Space steps next."""
    w = window("statquest-b3")
    field = w.controls.rate
    before = field.text()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    field.selectAll()
    qtbot.keyClicks(field, "abc")
    qtbot.keyClick(field, Qt.Key_Return)  # refused: the keys stay in the field
    qtbot.keyClicks(field, "0.7")
    qtbot.keyClick(field, Qt.Key_Escape)
    assert not field.hasFocus() and field.text() == before
    assert w.session.learning_rate == float(before)
    qtbot.keyClick(w.focusWidget() or w, Qt.Key_Space)
    assert w.session.steps_done == 1 and field.text() == before


def test_a_value_wider_than_its_field_shows_its_start(window, qtbot):
    """In a small window a tester read "87697132" for w111 = -0.087697132: the field
    showed the end of the text, sign and leading digits out of view."""
    w = window("moons-softmax")
    w.resize(907, 533)
    qtbot.wait(50)
    name = w.session.network.param_names[0]
    assert w.session.set_param(name, "-0.0876971321234")
    w.parameters.refresh()
    field = w.parameters.fields[name]
    assert field.fontMetrics().horizontalAdvance(field.text()) > field.width() - 8
    assert field.cursorPosition() == 0


def test_the_wheel_scrolls_the_training_panel_not_its_choices(window, qtbot):
    """A tester scrolling the Training panel with the wheel changed its start values and
    optimizer as the pointer passed over them. An unfocused drop-down passes the wheel
    on; clicked into, it takes it."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QComboBox

    w = window("statquest-all")
    w.docks["training"].raise_()
    qtbot.wait(50)
    combo = w.training.findChild(QComboBox, "optimizerChoice")
    before = combo.currentIndex()

    def wheel():
        at = QPointF(combo.rect().center())
        event = QWheelEvent(at, QPointF(combo.mapToGlobal(at.toPoint())), QPoint(0, 0),
                            QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                            Qt.NoScrollPhase, False)
        QApplication.sendEvent(combo, event)
    wheel()
    assert combo.currentIndex() == before
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    wheel()
    assert combo.currentIndex() != before


def test_a_run_is_kept_from_the_edit_menu_and_ctrl_k(window, qtbot):
    """A tester found "Keep this run" only at the bottom of the Training tab."""
    w = window("statquest-all")
    action = next(a for a in w.menuBar().actions() if a.text() == "&Edit")
    keep = next(a for a in action.menu().actions() if a.text() == "Keep this run to compare")
    assert keep.shortcut().toString() == "Ctrl+K"
    for _ in range(3):
        w.session.step()
    keep.trigger()
    assert len(w.session.kept_runs) == 1
    w.session.reset()
    w.session.step()
    qtbot.keyClick(w, Qt.Key_K, Qt.ControlModifier)
    assert len(w.session.kept_runs) == 2


def test_the_breakdown_swaps_its_numbers_step_after_step_in_presenter_mode(window, qtbot):
    """narrow-valley in presenter mode at 1280x800: its turned-over tables held two
    samples a block, then one, then two, as the numbers' widths changed, and each change
    (and each wider number) drew the whole text again: 23 Steps of 40 took ~8 ms more
    (a real window's Step median 39 ms). Laid out for the widest numbers seen, the text
    is drawn again only when a number wider than any before comes (6 Steps of 14 on
    the old code, 2 now)."""
    w = laid_out(window, qtbot, "narrow-valley", SCREENS["1280x800"])
    w.set_presenter(True)
    qtbot.wait(50)
    panel, calls = w.breakdown, {"draw": 0, "swap": 0}
    draw, swap = panel._draw, panel._swap

    def counted(name, real):
        def call(*args):
            calls[name] += 1
            return real(*args)
        return call
    for _ in range(6):
        w.session.step()
        QApplication.processEvents()
    panel._draw, panel._swap = counted("draw", draw), counted("swap", swap)
    for _ in range(14):
        w.session.step()
        QApplication.processEvents()
    # (a number wider than any before still lays the text out again: as a value nears 0
    # its six figures take more room, "0.00135" to "0.000135")
    assert calls["draw"] >= 14 and calls["draw"] - calls["swap"] <= 3, calls


def dock_geometries(w):
    """Where each dock on screen is (a dock tabbed behind another is parked outside the
    window at a size Qt chooses: it is not part of what a user sees)."""
    return {key: dock.geometry().getRect() for key, dock in w.docks.items()
            if dock.isVisible() and dock.geometry().intersects(w.rect())}


def test_presenter_mode_is_a_layout_and_leaving_it_restores_the_old_one(window, qtbot):
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1920x1080"])
    normal_font = w.breakdown.font().pointSizeF()
    w.docks["history"].raise_()  # the user's own arrangement, to come back to
    qtbot.wait(20)
    before = dock_geometries(w)
    qtbot.keyClick(w.network_view, Qt.Key_F5)
    qtbot.wait(50)
    assert w.appearance.presenter
    assert w.breakdown.font().pointSizeF() >= 1.5 * normal_font
    # big: the diagram, the breakdown, the loss plot; the breakdown whole, no scrolling
    assert w.breakdown.width() >= 0.4 * w.width()
    assert w.network_view.width() >= 0.4 * w.width()
    assert w.loss_plot.height() >= 200
    assert w.breakdown.verticalScrollBar().maximum() == 0
    assert w.breakdown.horizontalScrollBar().maximum() == 0
    text = w.breakdown.toPlainText()
    assert "step size" in text and "new b3" in text
    assert_diagram_readable(w)
    qtbot.keyClick(w.network_view, Qt.Key_F5)
    qtbot.wait(50)
    assert not w.appearance.presenter
    assert dock_geometries(w) == before
    assert set(before) == {"parameters", "notes", "history", "breakdown", "loss"}
    assert not w.network_view.horizontalScrollBar().isVisible()


def a_new_run(monkeypatch):
    """The application-wide appearance as a new start makes it: from the settings alone."""
    from PySide6.QtWidgets import QApplication

    from gui.appearance import Appearance

    app = QApplication.instance()
    font = app.font()  # a new process starts from the platform's font, not this run's
    font.setPointSizeF(app.backprop_appearance.base_point_size)
    app.setFont(font)
    monkeypatch.setattr(app, "backprop_appearance", Appearance(app))


def tab_groups(w):
    """Which docks share a tab group (hidden or not): the arrangement a layout holds."""
    return sorted(sorted(key for key, dock in w.docks.items()
                         if dock is first or dock in w.tabifiedDockWidgets(first))
                  for first in w.docks.values() if w.tabifiedDockWidgets(first))


def test_a_quit_in_presenter_mode_starts_again_at_normal_size_in_the_normal_layout(
        window, qtbot, monkeypatch):
    """Presenter mode lasts the run (the next start may be a laptop at home), and the
    layout kept at Quit is the one it started from. It had been half remembered: the big
    fonts came back, the layout did not, and tabs were cut ("Gradient chec…")."""
    # Inside the screen with its frame: restoreGeometry keeps a window on its screen, and
    # the offscreen one is 800 px wide (a bigger window came back narrower, its docks too).
    w = laid_out(window, qtbot, "statquest-b3", (796, 700))
    assert w.width() == 796  # not held wider by the panels' least widths
    normal_font = w.breakdown.font().pointSizeF()
    w.docks["history"].raise_()  # the user's own arrangement, to come back to
    qtbot.wait(20)
    size, before, groups = w.size(), dock_geometries(w), tab_groups(w)
    w.set_presenter(True)
    qtbot.wait(50)
    assert tab_groups(w) != groups  # presenter mode's own layout
    w.close()
    a_new_run(monkeypatch)
    again = window("statquest-b3")
    assert again.restore_layout()
    qtbot.wait(50)
    assert not again.appearance.presenter
    assert not again.presenter_action.isChecked()
    assert again.breakdown.font().pointSizeF() == pytest.approx(normal_font)
    assert tab_groups(again) == groups
    assert again.size() == size
    assert dock_geometries(again) == before
    assert [dock.windowTitle() for dock in again.docks.values()] == [
        dock.toggleViewAction().text() for dock in again.docks.values()]  # whole names


def test_a_layout_an_older_version_saved_in_presenter_mode_is_not_restored(
        window, qtbot, monkeypatch):
    """Older versions kept presenter mode and its layout at Quit: that layout at normal
    size is not the user's normal one, so the default layout comes instead."""
    from PySide6.QtCore import QSettings

    w = window("statquest-b3")
    w.docks["history"].close()
    w.close()  # a layout without the history
    QSettings().setValue("appearance/presenter", True)
    a_new_run(monkeypatch)
    again = window("statquest-b3")
    assert again.restore_layout()  # the window's size is still the user's
    assert not again.appearance.presenter
    assert again.docks["history"].isVisible()  # the default layout, not the saved one
    assert QSettings().value("appearance/presenter") is None  # asked once
    again.docks["history"].close()
    again.close()
    newest = window("statquest-b3")
    newest.restore_layout()
    assert not newest.docks["history"].isVisible()  # a normal quit's layout is kept again


@pytest.mark.parametrize("lesson, screen", [
    *((lesson, "1280x800") for lesson in PRESETS),
    *((lesson, "1366x768") for lesson in ("statquest-b3", "iris-softmax", "mazur-2-2-2"))])
def test_presenter_mode_keeps_labels_readable_and_plots_tall_enough(window, qtbot, lesson,
                                                                    screen):
    w = laid_out(window, qtbot, lesson, SCREENS[screen])
    w.set_presenter(True)
    qtbot.wait(50)
    assert_diagram_readable(w)
    assert_plots_tall_enough(w)
    assert w.breakdown.horizontalScrollBar().maximum() == 0


def node_count(lesson):
    net = load_preset(lesson).network
    return net.inputs + sum(net.sizes)


# (lesson, screen) where the diagram's words are not yet 1.5x in presenter mode (iris'
# fifteen labels on 2-2-3 filled the 1029x612 px diagram at 1.34x normal's 18.7 px at
# 1920x1080, until the breakdown gave the diagram the width its words need)
SHORT_OF_HALF_AGAIN: set[tuple[str, str]] = set()


@pytest.mark.parametrize("lesson, screen", [
    pytest.param(lesson, screen, marks=pytest.mark.xfail(strict=True, reason="see the set")
                 if (lesson, screen) in SHORT_OF_HALF_AGAIN else ())
    for lesson in PRESETS for screen in ("1280x800", "1366x768", "1920x1080")])
def test_presenter_mode_draws_the_diagrams_words_half_as_large_again(window, qtbot, lesson,
                                                                      screen):
    """A small network's every word at least 1.5x its normal size on screen in presenter
    mode; a big one's as large as the room allows, never smaller than normal."""
    w = laid_out(window, qtbot, lesson, SCREENS[screen])
    normal = min(px for _, px in diagram_texts(w.network_view))
    w.set_presenter(True)
    qtbot.wait(50)
    assert_diagram_readable(w)
    presenter = min(px for _, px in diagram_texts(w.network_view))
    least = 1.5 * normal if node_count(lesson) <= 10 else max(normal, MIN_LABEL_PX)
    assert presenter >= least, f"{presenter:.1f} px, normal {normal:.1f} px"
    w.set_presenter(False)
    qtbot.wait(50)
    assert min(px for _, px in diagram_texts(w.network_view)) == pytest.approx(normal)


@pytest.mark.parametrize("lesson, screen, presenter", [
    ("sgd-line", "1920x1080", True), ("xor", "1280x800", True),
    ("narrow-valley", "1280x800", False), ("statquest-b3", "1920x1080", False)])
def test_labels_stay_whole_when_the_values_grow(window, qtbot, lesson, screen, presenter):
    """The view was fitted to the labels' first values: in presenter mode at 1920x1080
    sgd-line's "b1 = 1.2" became "b1 = 0.5664" a Step later, cut by the view's edge (seen
    in a real window). Every label must stay whole and apart at a value of four figures
    and a sign, at a small one (xor's biases after a Step: -0.003182), a large one, and
    one no room kept holds."""
    w = laid_out(window, qtbot, lesson, SCREENS[screen])
    if presenter:
        w.set_presenter(True)
        qtbot.wait(50)
    for value in ("-0.5664", "-0.003182", "-12345.6", "-999999", "-1.5e+123"):
        if value == "-1.5e+123":  # past what may be typed: as a diverging Run leaves it
            w.session.continue_with_values(np.full(w.session.network.params.size, -1.5e123))
        else:
            for name in w.session.network.param_names:
                assert w.session.set_param(name, value)
        qtbot.wait(50)
        assert len(label_rects(w.network_view)) == len(w.network_view.labels)
        assert_diagram_readable(w)


@pytest.mark.parametrize("lesson, screen", [
    ("statquest-b3", "1920x1080"), ("statquest-b3", "1280x800"),
    ("moons-softmax", "1280x800"), ("iris-softmax", "1920x1080")])
def test_presenter_mode_writes_every_nodes_word_clear_of_its_circle(window, qtbot, lesson,
                                                                    screen):
    """Seen in a real window: "Input", "soft+", "smax" and "tanh" touched their circles'
    outlines in presenter mode. The corners of each word's letters (its width, the
    middle 60 % of its line) at least 3 px inside the circle on screen."""
    import math

    w = laid_out(window, qtbot, lesson, SCREENS[screen])
    w.set_presenter(True)
    qtbot.wait(50)
    view = w.network_view
    scale = view.transform().m11()
    circles = [item.sceneBoundingRect() for item in view.node_items
               if isinstance(item, QGraphicsEllipseItem)]
    words = [item for item in view.node_items if isinstance(item, QGraphicsSimpleTextItem)]
    checked = 0
    for word in words:
        box = word.sceneBoundingRect()
        inside = [c for c in circles if c.contains(box.center())]
        if not inside:
            continue  # a name beside its node
        circle = inside[0]
        corner = math.hypot(box.width() / 2, 0.3 * box.height())
        room = (circle.width() / 2 - corner) * scale
        assert room >= 3, f"{word.text()!r} is {room:.1f} px from its circle's outline"
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("lesson", ["statquest-b3", "house-price"])
def test_leaving_presenter_mode_gives_the_plots_their_ranges_back(window, qtbot, lesson):
    """Seen in a real window: after F5 and F5 again the data plot's y axis read -4..2
    where it had read -3..1 (the range kept for presenter mode's big markers stayed)."""
    w = laid_out(window, qtbot, lesson, SCREENS["1280x800"])

    def ranges():
        return [v for p in on_screen_plots(w)
                for axis in p.getPlotItem().getViewBox().viewRange() for v in axis]

    before = ranges()
    w.set_presenter(True)
    settled(w, qtbot)
    assert ranges() != before  # bigger markers, more room round the data
    w.set_presenter(False)
    settled(w, qtbot)
    qtbot.wait(50)
    # (to within what moves no tick: the margin is fitted to a plot's size, which
    # settles over a few event-loop passes)
    assert ranges() == pytest.approx(before, rel=0.02, abs=0.01)


def test_a_step_in_presenter_mode_lays_nothing_out_again(window, qtbot):
    """The drawing is chosen for the view's shape when it changes, never at a Step: a
    Step only rewrites the values of the items already there."""
    w = laid_out(window, qtbot, "xor", SCREENS["1280x800"])
    w.set_presenter(True)
    qtbot.wait(50)
    view = w.network_view
    layout, labels, nodes = view.layout, dict(view.labels), list(view.node_items)
    before = view.labels["w111"].text.text()
    w.session.step()
    qtbot.wait(50)
    assert view.labels["w111"].text.text() != before
    assert view.layout is layout and view.node_items == nodes
    assert all(view.labels[name] is label for name, label in labels.items())


def assert_markers_and_titles_whole(plot):
    """Every marker of the plot wholly inside its view box, every axis title whole."""
    from gui.kit.plot_style import Marker

    box = plot.getViewBox().sceneBoundingRect()
    for item in plot.getPlotItem().items:
        if isinstance(item, Marker) and item.isVisible():  # sized in pixels
            r = item.diameter() / 2
            at = plot.getViewBox().mapViewToScene(item.pos())
            assert box.adjusted(r, r, -r, -r).contains(at), (
                f"{plot.objectName()}: the marker at ({item.pos().x():g}, "
                f"{item.pos().y():g}) is cut by the edge")
    for item in plot.getPlotItem().listDataItems():
        if item.isVisible() and item.opts.get("symbol") is not None and item.xData is not None:
            r = item.opts["symbolSize"] / 2
            for x, y in zip(item.xData, item.yData, strict=True):
                at = plot.getViewBox().mapViewToScene(pg.Point(float(x), float(y)))
                assert box.adjusted(r, r, -r, -r).contains(at), (
                    f"{plot.objectName()}: the point ({x:g}, {y:g}) is cut by the edge")
    for side, room in (("left", box.height()), ("bottom", box.width())):
        label = plot.getAxis(side).label
        assert label.boundingRect().width() <= room, (
            f"{plot.objectName()}'s {side} title {label.toPlainText()!r} is cut")


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("lesson", PRESETS)
def test_data_and_loss_markers_stay_whole_at_1280x800(window, qtbot, lesson, presenter):
    w = laid_out(window, qtbot, lesson, SCREENS["1280x800"])
    w.set_presenter(presenter)
    qtbot.wait(50)
    for _ in range(3):
        w.session.step()
    qtbot.wait(50)
    for plot in on_screen_plots(w):
        assert_markers_and_titles_whole(plot)


def toolbar_hides_something(bar) -> bool:
    from PySide6.QtWidgets import QToolButton

    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    return extension is not None and extension.isVisible()


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("size", ["1280x800", "1366x768"])
def test_the_toolbar_shows_the_loss_whatever_its_length(window, qtbot, size, presenter):
    w = laid_out(window, qtbot, "statquest-b3", SCREENS[size])
    w.set_presenter(presenter)
    qtbot.wait(50)
    assert w.size().toTuple() == SCREENS[size], "the window changed size"
    bar = w.controls
    assert not toolbar_hides_something(bar)
    w.session.set_param("b3", "-123456.7")  # SSR = 4.57e+10: the widest loss label
    qtbot.wait(50)
    assert "e+" in bar.loss_label.text()
    assert not toolbar_hides_something(bar)
    assert bar.loss_label.isVisible() and bar.counter.isVisible()
    right = bar.loss_label.geometry().right()
    assert right <= bar.width(), f"the loss label ends at {right} of {bar.width()} px"
    # and the speed slider keeps a usable width (presenter mode at 1280 px left it 70 px)
    assert bar.speed.isVisible() and bar.speed.width() >= MIN_SLIDER_PX, bar.speed.width()



@pytest.mark.parametrize("size", ["1280x800", "1366x768"])
def test_the_toolbar_shows_every_loss_of_a_split_with_batches_in_presenter_mode(
        window, qtbot, size):
    """Training, validation and batch losses in presenter mode: the long wording pushed
    the loss itself behind the overflow button at 1280 px."""
    w = laid_out(window, qtbot, "moons-softmax", SCREENS[size])
    assert w.session.set_validation("0.2") and w.session.set_batching("10")
    w.set_presenter(True)
    qtbot.wait(100)
    w.session.step()
    qtbot.wait(100)
    bar = w.controls
    assert not toolbar_hides_something(bar)
    text = bar.loss_label.text()
    assert "val" in text and "batch" in text, text
    assert bar.loss_label.isVisible()
    assert bar.loss_label.geometry().right() <= bar.width()
    assert bar.speed.isVisible() and bar.speed.width() >= MIN_SLIDER_PX, bar.speed.width()


@pytest.mark.parametrize("lesson", ["xor", "moons-softmax", "narrow-valley"])
def test_the_training_panel_never_scrolls_sideways_at_1280x800(window, qtbot, lesson):
    """Sized to its longest scheme title, the start values' list gave the whole panel a
    sideways scroll bar, its fields running off the right edge."""
    from PySide6.QtWidgets import QScrollArea

    w = laid_out(window, qtbot, lesson, SCREENS["1280x800"])
    w.docks["training"].raise_()
    qtbot.wait(50)
    areas = [a for a in w.docks["training"].findChildren(QScrollArea) if a.isVisible()]
    assert areas
    for area in areas:
        assert not area.horizontalScrollBar().isVisible()
    # and the closed start-values box shows its choice whole (it read "Xavier/Glorot
    # unifo"): a short name there, the whole description in the list and the tooltip
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox, QWidget

    box = w.findChild(QWidget, "initScheme")
    shown = getattr(box, "short_text", box.currentText)
    for k in range(box.count()):
        box.setCurrentIndex(k)
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        field = box.style().subControlRect(QStyle.CC_ComboBox, option,
                                           QStyle.SC_ComboBoxEditField, box)
        assert box.fontMetrics().horizontalAdvance(shown()) <= field.width(), shown()
        assert len(box.itemText(k)) > len(shown())  # the list keeps the description


@pytest.mark.parametrize("screen", ["1280x800", "1366x768", "1920x1080"])
def test_iris_tables_show_every_class_whole_without_a_sideways_scroll(window, qtbot, screen):
    """The tester's walk at 1280x800: the confusion matrix cut "predicted V…" behind a
    sideways scroll bar, and the data table cut "Versicolor" and hid Virginica."""
    from test_tables import cut_texts

    w = laid_out(window, qtbot, "iris-softmax", SCREENS[screen])
    w.docks["accuracy"].raise_()
    qtbot.wait(50)
    for table in (w.accuracy.matrix, w.data_panel.table):
        assert table.isVisible()
        assert cut_texts(table) == [], table.objectName()
        header = table.horizontalHeader()
        assert header.length() <= table.viewport().width(), table.objectName()
    # a title on two lines is still one cell when copied
    matrix = w.accuracy.matrix
    assert [matrix.model().headerData(c, Qt.Horizontal).replace("\n", " ")
            for c in range(3)] == ["predicted Setosa", "predicted Versicolor",
                                   "predicted Virginica"]
    # and the class map beside the table a map, its axis named whole: at 1280x800 it was
    # 45 px across beside an 85 px colour bar, "Petal w…" under it (a tester's walk)
    plot = w.data_panel.plot.getPlotItem()
    assert plot.getViewBox().width() >= 100, plot.getViewBox().width()
    assert "…" not in plot.getAxis("bottom").label.toPlainText()


def broken_words(notes) -> list[str]:
    """Places where the notes' lines break inside a word."""
    broken = []
    block = notes.document().begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for i in range(1, layout.lineCount()):
            start = layout.lineAt(i).textStart()
            if text[start - 1] not in " \u00a0-/":
                broken.append(text[max(0, start - 6):start] + "|" + text[start:start + 6])
        block = block.next()
    return broken


@pytest.mark.parametrize("size", [(1000, 650), (960, 533)])
@pytest.mark.parametrize("reset", [False, True])
def test_a_small_window_keeps_the_parameters_whole_and_the_notes_in_words(window, qtbot,
                                                                          size, reset):
    """The tester's restored window (960x533, then 1000x650, then View → Reset layout):
    the Parameters dock was squeezed to 70 px ("Pa…", values cut, train boxes hidden)
    and the lesson notes broke words ("measur/ed")."""
    w = laid_out(window, qtbot, "iris-softmax", SCREENS["1280x800"])
    w.resize(*size)
    qtbot.wait(50)
    if reset:
        w.reset_layout()
        qtbot.wait(50)
    panel = w.parameters
    view = panel.scroll.viewport()
    for name in ("w1", "b3"):
        field, check = panel.fields[name], panel.checks[name]
        assert field.width() >= field.fontMetrics().horizontalAdvance("-0.00000"), name
        assert check.mapTo(view, check.rect().topRight()).x() <= view.width(), name
    assert not panel.scroll.horizontalScrollBar().isVisible()
    assert w.docks["notes"].isVisible() and broken_words(w.notes) == []


def test_a_big_networks_parameter_list_fits_a_narrow_dock_with_its_filter_readable(
        session, qtbot):
    """The reviewer's 1-64-64-1 (4,353 parameters) at 1920x1080: the Parameters dock
    about 240 pixels wide had a side scroll bar (the "… more" line was wider) and a cut
    filter hint."""
    import engine
    from gui.panels.parameters import ParametersPanel

    s = session("statquest-b3")
    assert s.build_network([engine.Layer(64, "tanh"), engine.Layer(64, "tanh")],
                           engine.Layer(1), "ssr", "sequential", 0)
    assert len(s.network.params) == 4353
    panel = ParametersPanel(s)
    qtbot.addWidget(panel)
    panel.resize(240, 600)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.filter.isVisible()
    assert not panel.scroll.horizontalScrollBar().isVisible()
    hint = panel.filter.placeholderText()
    room = panel.filter.width() - 2 * panel.filter.style().pixelMetric(
        panel.filter.style().PixelMetric.PM_DefaultFrameWidth) - 4  # the frame, Qt's margins
    assert panel.filter.fontMetrics().horizontalAdvance(hint) <= room, hint


def dock_tab_bars(w):
    """The tab bars of the window's dock groups that a user sees."""
    from PySide6.QtWidgets import QTabBar

    return [bar for bar in w.findChildren(QTabBar) if bar.parent() is w and bar.isVisible()]


@pytest.mark.parametrize("size", ["1280x800", "1920x1080"])
def test_presenter_mode_shows_every_tucked_panels_whole_tab(window, qtbot, size):
    """Presenter mode tucks panels away as tabs: each of them a whole, readable tab, not
    behind a tab bar's scroll arrows (at 1920 px, nine tabs under the diagram cut off
    "Accuracy" and hid Training, Build network and Lesson notes)."""
    w = laid_out(window, qtbot, "statquest-b3", SCREENS[size])
    w.set_presenter(True)
    qtbot.wait(100)
    tabs = set()
    for bar in dock_tab_bars(w):
        needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
        titles = [bar.tabText(i) for i in range(bar.count())]
        assert needed <= bar.width(), f"{titles} need {needed} of {bar.width()} px"
        tabs.update(titles)
    tucked = {dock.windowTitle() for dock in w.docks.values()
              if not dock.isVisible() or dock.visibleRegion().isEmpty()}
    assert len(tucked) >= 9 and tucked <= tabs, f"not reachable as a tab: {tucked - tabs}"
    shown = {dock.windowTitle() for dock in w.docks.values()
             if dock.isVisible() and not dock.visibleRegion().isEmpty()}
    assert {"Breakdown", "Loss"} <= shown  # the big panels stay in front
    w.set_presenter(False)
    assert [dock.windowTitle() for dock in w.docks.values()] == [
        dock.toggleViewAction().text() for dock in w.docks.values()]  # whole names again


def table_text_points(panel) -> float:
    """The smallest point size of any text in the breakdown's tables (the blocks set on
    tab stops): titles, row names and numbers."""
    sizes = []
    block = panel.document().begin()
    while block.isValid():
        if block.blockFormat().tabPositions():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.text().strip():
                    size = fragment.charFormat().fontPointSize()
                    sizes.append(size or panel.document().defaultFont().pointSizeF())
                it += 1
        block = block.next()
    assert sizes, "no table drawn"
    return min(sizes)


def test_the_breakdowns_tables_grow_with_its_room_at_1920x1080(window, qtbot):
    """At 1920x1080 the breakdown's tables stayed at 9 pt (about 10 px high digits) beside
    the diagram's 20-pixel words; with the room there, they are set larger, while at
    1280x800 (and in presenter mode, already 1.6 times larger) they keep the app's size
    and never scroll sideways."""
    from PySide6.QtWidgets import QApplication

    normal = QApplication.font().pointSizeF()
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1280x800"])
    assert table_text_points(w.breakdown) == pytest.approx(normal)
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1920x1080"])
    big = table_text_points(w.breakdown)
    assert big >= 1.2 * normal, (big, normal)
    assert w.breakdown.horizontalScrollBar().maximum() == 0
    w.set_presenter(True)
    qtbot.wait(50)
    assert table_text_points(w.breakdown) == pytest.approx(QApplication.font().pointSizeF())
    w.set_presenter(False)
    qtbot.wait(50)
    assert table_text_points(w.breakdown) == pytest.approx(big)


def training_area(w, qtbot):
    from PySide6.QtWidgets import QScrollArea

    w.docks["training"].raise_()
    qtbot.wait(50)
    (area,) = [a for a in w.docks["training"].findChildren(QScrollArea) if a.isVisible()]
    return area


def test_the_training_panel_fits_its_dock_at_1366x768_and_its_fields_stay_put(window, qtbot):
    """Maximised at 1366x768 the Training panel needed a vertical scroll bar, and a
    batching description that wrapped to another line moved the Validation field down
    (a field moving under the pointer as one reaches for it)."""
    from PySide6.QtCore import QPoint

    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1366x768"])
    area, panel = training_area(w, qtbot), w.training
    assert not area.verticalScrollBar().isVisible()
    assert not area.horizontalScrollBar().isVisible()
    for name in ("optimizerChoice", "scheduleChoice", "batchSize", "validationFraction",
                 "initScheme", "reinitialise", "keepRun"):
        field = panel.findChild(QWidget, name)
        corner = field.mapTo(area.viewport(), QPoint(field.width(), field.height()))
        assert field.isVisible() and area.viewport().rect().contains(corner), name
    at = panel.validation.mapTo(panel, QPoint(0, 0))
    lines = panel.batches.height()
    text = panel.batches.text()
    assert w.session.set_batching("1")  # "one sample at a time (stochastic), shuffled …"
    qtbot.wait(50)
    assert panel.batches.text() != text
    assert panel.batches.fontMetrics().horizontalAdvance(panel.batches.text()) \
        > panel.batches.width()  # it wraps
    assert panel.batches.height() >= lines
    assert panel.validation.mapTo(panel, QPoint(0, 0)) == at
    assert not area.verticalScrollBar().isVisible()


def dock_shares(w):
    """Each dock on screen's width and height as shares of the room between the tool
    bar and the status bar (whose heights stay as they are in any window)."""
    top, bottom = w.network_view.geometry().top(), w.statusBar().geometry().top()
    return {key: (width / w.width(), height / (bottom - top))
            for key, (_, _, width, height) in dock_geometries(w).items()}


def assert_shares_alike(seen, wanted, within=0.02):
    assert set(seen) == set(wanted)
    for key in wanted:
        assert seen[key] == pytest.approx(wanted[key], abs=within), key


@pytest.fixture
def settled_soon(monkeypatch):
    """A window past its first-launch settling at once (there, any resize lays the
    default layout out again): the resizes that follow are a user's."""
    import gui.main_window

    monkeypatch.setattr(gui.main_window, "SETTLE_S", 0.0)


def drag_separator(w, qtbot, at, by):
    """The user drags the splitter between docks at `at` (window coordinates) by `by`."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    def send(kind, point, buttons):
        qtbot.wait(5)  # (Qt moves a splitter on a timer after each move)
        QApplication.sendEvent(w, QMouseEvent(kind, QPointF(point), QPointF(
            w.mapToGlobal(point)), Qt.LeftButton, buttons, Qt.NoModifier))
    send(QEvent.MouseButtonPress, at, Qt.LeftButton)
    for k in range(1, 6):
        send(QEvent.MouseMove, at + by * k / 5, Qt.LeftButton)
    send(QEvent.MouseButtonRelease, at + by, Qt.NoButton)
    settled(w, qtbot)


@pytest.mark.parametrize("small, big", [((907, 533), SCREENS["1280x800"]),
                                        ((1000, 650), SCREENS["1920x1080"])])
def test_a_window_that_grows_or_shrinks_keeps_the_docks_shares(window, qtbot, settled_soon,
                                                               small, big):
    """A tester's window laid out at 907x533, then maximised: the docks kept their small
    pixel sizes, the diagram huge and the breakdown narrow, until View → Reset layout.
    Grown or shrunk much, the window lays its docks out as Reset layout would there."""
    w = window("moons-softmax")
    for start, end in ((small, big), (big, small)):
        w.resize(*start)
        settled(w, qtbot)
        w.resize(*end)
        settled(w, qtbot)
        seen = dock_shares(w)
        w.reset_layout()
        settled(w, qtbot)
        assert_shares_alike(seen, dock_shares(w))


def test_the_users_own_shares_are_kept_and_presenter_mode_is_laid_out_again(
        window, qtbot, settled_soon):
    """A splitter the user dragged keeps its share of a window that grows or shrinks
    (not Reset layout's); presenter mode made in a small window and then maximised is
    laid out as if made there, and leaving it gives the user's shares back at the new
    size, or the very layout it started from at the same size."""
    from PySide6.QtCore import QPoint

    big, small = (1920, 1020), SCREENS["1280x800"]
    w = window("moons-softmax")
    w.resize(*small)
    settled(w, qtbot)
    w.reset_layout()
    settled(w, qtbot)
    default = dock_shares(w)
    diagram = w.network_view.geometry()  # (the central widget's: in window coordinates)
    between = QPoint((diagram.right() + w.docks["breakdown"].geometry().left()) // 2,
                     w.docks["breakdown"].geometry().center().y())
    drag_separator(w, qtbot, between, QPoint(-150, 0))
    own = dock_shares(w)
    assert own["breakdown"][0] >= default["breakdown"][0] + 0.1  # the drag took
    for size in (big, small, big):
        w.resize(*size)
        settled(w, qtbot)
        assert_shares_alike(dock_shares(w), own)
    w.resize(*small)
    settled(w, qtbot)
    w.set_presenter(True)
    settled(w, qtbot)
    w.resize(*big)
    settled(w, qtbot)
    grown = dock_shares(w)
    w.set_presenter(False)
    settled(w, qtbot)
    assert_shares_alike(dock_shares(w), own)
    before = dock_geometries(w)
    w.set_presenter(True)  # made at this size
    settled(w, qtbot)
    assert_shares_alike(grown, dock_shares(w))
    w.set_presenter(False)
    settled(w, qtbot)
    assert dock_geometries(w) == before


@pytest.mark.parametrize("dragged", [False, True], ids=["default", "dragged"])


def test_a_layout_kept_between_runs_keeps_its_shares_in_a_bigger_window(
        window, qtbot, monkeypatch, settled_soon, dragged):
    """The tester's `backprop-lab moons-softmax` with a small window saved, then
    maximised: the default layout saved small is laid out as Reset layout would in the
    bigger window; a layout the user dragged keeps its shares. (statquest-b3: moons'
    window is wider than the 800 px offscreen screen that a restored window keeps to.)"""
    from PySide6.QtCore import QPoint

    small = (796, 560)
    w = window("statquest-b3")
    w.resize(*small)
    settled(w, qtbot)
    if dragged:  # the data taller (the docks beside the diagram are as narrow as can be)
        data, height = w.docks["data"].geometry(), w.docks["data"].height()
        drag_separator(w, qtbot, QPoint(data.center().x(), (
            w.network_view.geometry().bottom() + data.top()) // 2), QPoint(0, -50))
        assert w.docks["data"].height() >= height + 40
    shares = dock_shares(w)
    w.close()
    a_new_run(monkeypatch)
    again = window("statquest-b3")
    assert again.restore_layout()
    # (Qt keeps a restored layout that did not fit the window for 150 ms, for a window
    # manager's maximising: a resize sooner is laid out as restored)
    qtbot.wait(200)
    settled(again, qtbot)
    assert again.size().toTuple() == small
    again.resize(*SCREENS["1280x800"])
    settled(again, qtbot)
    seen = dock_shares(again)
    if not dragged:
        again.reset_layout()
        settled(again, qtbot)
        shares = dock_shares(again)
    assert_shares_alike(seen, shares)


def whole_rows(table) -> int:
    port = table.viewport().height()
    return sum(1 for row in range(table.rowCount())
               if table.rowViewportPosition(row) >= 0
               and table.rowViewportPosition(row) + table.rowHeight(row) <= port)


# Presenter mode's tucked data tab: (least plot height, least whole rows) by screen. The
# 1366x768 screen's window here is 708 px high (a taskbar's 60 px off): there moons' and
# iris' words take the height they need (moons' at their normal size) and leave the data
# less: two rows whole, the third in part, the table scrolls. Maximised under a
# window manager it is 748 px high, and iris' words left its table two rows and a half
# and its map 141 px (a tester's real window): the breakdown now gives the diagram width
# first, so its words need less height.
DATA_TAB_ROOM = {"1280x800": (ROOMY_TUCKED_PLOT_PX, 4), "1366x768": (MIN_TUCKED_PLOT_PX, 2),
                 "1366x748": (ROOMY_TUCKED_PLOT_PX, 4), "1920x1080": (ROOMY_TUCKED_PLOT_PX, 4)}


@pytest.mark.parametrize("screen", DATA_TAB_ROOM)
@pytest.mark.parametrize("lesson", ["moons-softmax", "iris-softmax"])
def test_presenter_mode_leaves_the_data_tab_readable(window, qtbot, lesson, screen):
    """A tester in presenter mode at 1280x800: moons' class map squeezed to ~100 px
    between its big markers' margins (141 px where the plot draws), iris' table showing
    two of its three samples and its map 76 px wide. The tucked data plot draws at least
    DATA_TAB_ROOM's height and not much narrower than ROOMY_TUCKED_PLOT_PX, its table
    shows DATA_TAB_ROOM's rows whole (all of iris' three), every tab stays whole."""
    size = SCREENS.get(screen) or tuple(int(n) for n in screen.split("x"))
    w = laid_out(window, qtbot, lesson, size)
    w.set_presenter(True)
    qtbot.wait(50)
    settled(w, qtbot)
    least_px, least_rows = DATA_TAB_ROOM[screen]
    box = w.data_panel.plot.getPlotItem().getViewBox()
    assert box.height() >= least_px, box.height()
    assert box.width() >= 0.75 * ROOMY_TUCKED_PLOT_PX, box.width()
    table = w.data_panel.table
    assert whole_rows(table) >= min(least_rows, table.rowCount())
    for bar in dock_tab_bars(w):
        needed = sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
        assert needed <= bar.width(), [bar.tabText(i) for i in range(bar.count())]
    assert_diagram_readable(w)


def test_the_breakdown_forgets_presenter_modes_heights_when_it_ends(window, qtbot):
    """A paragraph keeps its height from Step to Step; after presenter mode (larger
    words, "step size = …" on two lines) statquest-b3's one-line "step size" kept the
    two lines' height at 1920x1080, a blank line under it (seen in a real window)."""
    w = laid_out(window, qtbot, "statquest-b3", SCREENS["1920x1080"])
    w.set_presenter(True)
    qtbot.wait(50)
    for _ in range(2):
        w.session.step()
        qtbot.wait(10)
    w.set_presenter(False)
    qtbot.wait(50)
    settled(w, qtbot)
    w.session.step()
    qtbot.wait(50)
    found = w.breakdown.document().find("step size = slope")
    assert not found.isNull()
    block = found.block()
    assert block.layout().lineCount() == 1  # one line at normal size in this width
    assert block.blockFormat().bottomMargin() < 0.5, block.blockFormat().bottomMargin()


def test_the_breakdown_keeps_its_width_where_the_diagram_cannot_use_it(window, qtbot):
    """moons' words are held by its tall column's height: a wider diagram frees none of
    the height its data tab lacks at 1366x768, and the breakdown was narrowed to its
    least for nothing (a review). It keeps presenter mode's share."""
    w = laid_out(window, qtbot, "moons-softmax", SCREENS["1366x768"])
    w.set_presenter(True)
    qtbot.wait(50)
    settled(w, qtbot)
    assert w.docks["breakdown"].width() >= int(0.42 * w.width()) - 2, \
        (w.docks["breakdown"].width(), w.width())


def test_the_breakdowns_text_keeps_its_height_from_step_to_step(window, qtbot):
    """xor in presenter mode at 1920x1080 (here 1280x800, where its text is still taller
    than the panel: at 1920 it now fits): "new w = old − step size = …" took three lines
    or four as its numbers' widths changed, so the text under it jumped and the scroll
    bar's range changed (the bar repainted, ~2 ms) every other Step. A paragraph keeps the
    height it has had, a line it no longer needs left blank."""
    w = laid_out(window, qtbot, "xor", SCREENS["1280x800"])
    w.set_presenter(True)
    qtbot.wait(50)
    bar = w.breakdown.verticalScrollBar()
    ranges = []
    for _ in range(30):
        w.session.step()
        QApplication.processEvents()
        ranges.append(bar.maximum())
    assert max(ranges) > 0  # the text is taller than the panel: the case at hand
    assert all(a <= b for a, b in zip(ranges, ranges[1:], strict=False)), ranges


def test_the_new_value_line_stays_put_when_the_step_size_line_rewraps(window, qtbot):
    """xor in presenter mode at 1920x1080: "step size = …" took one line or two as its
    numbers' widths changed, and "new w = …" under it, in the same paragraph, moved up
    and down a line (a tester scrolled to the bottom saw the last line jump). Each
    equation is a paragraph of its own, which keeps its height: the line under it never
    moves up."""
    w = laid_out(window, qtbot, "xor", SCREENS["1920x1080"])
    w.set_presenter(True)
    qtbot.wait(50)
    document = w.breakdown.document()

    def new_value_line_top() -> float:
        found = document.find("new w")
        assert not found.isNull(), document.toPlainText()[-300:]
        block = found.block()
        line = block.layout().lineForTextPosition(found.position() - block.position())
        return document.documentLayout().blockBoundingRect(block).top() + line.y()
    tops = []
    for _ in range(30):
        w.session.step()
        QApplication.processEvents()
        tops.append(new_value_line_top())
    assert all(a <= b + 0.5 for a, b in zip(tops, tops[1:], strict=False)), tops


@pytest.mark.parametrize("lesson", ["sgd-line", "narrow-valley"])
def test_presenter_modes_largest_words_are_drawn(window, qtbot, lesson):
    """A small network's words in presenter mode at 1920x1080 were 65-70 px high, past
    the 64 px Qt draws from its glyph cache (outlines past it: ~20x slower, ~1 ms of
    every Step). Raising Qt's limit (QT_MAX_CACHED_GLYPH_SIZE) left the diagram with its
    label cards and no words at all (a tester, in a real window). The words are kept
    under 64 px, and every one is drawn: ink inside each text's place."""
    from PySide6.QtGui import QColor

    w = laid_out(window, qtbot, lesson, SCREENS["1920x1080"])
    w.set_presenter(True)
    qtbot.wait(50)
    view = w.network_view
    picture = view.viewport().grab().toImage()
    texts = [item for item in view.scene().items()
             if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text()]
    assert 55 < max(px for _, px in diagram_texts(view)) < 64
    def far(a: QColor, b: QColor) -> bool:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) > 150

    for item in texts:
        box = view.mapFromScene(item.sceneBoundingRect()).boundingRect() & picture.rect()
        ground = QColor(picture.pixel(box.topLeft()))  # a word's box starts with its card
        inked = sum(far(QColor(picture.pixel(x, y)), ground)
                    for x in range(box.left(), box.right(), 2)
                    for y in range(box.top(), box.bottom(), 2))
        assert inked > 10, item.text()


@pytest.mark.parametrize("screen", ["1280x800", "1920x1080"])
def test_presenter_modes_own_legend_covers_little_of_the_loss_plot(window, qtbot, screen):
    """The current run's own names (no kept run: sgd-line's "current run (SGD lr 0.1):
    all samples" and "batch") in presenter mode's large words were 394x80 px in a
    470x151 px loss plot at 1280x800, over the newest step in every corner (a tester,
    in a real window): shown only where they cover at most a quarter of it."""
    w = laid_out(window, qtbot, "sgd-line", SCREENS[screen])
    w.set_presenter(True)
    qtbot.wait(50)
    for _ in range(3):
        w.session.step()
    QApplication.processEvents()
    plot, legend = w.loss_plot, w.loss_plot.legend
    view = plot.getViewBox()
    if legend is not None and legend.isVisible():
        assert legend.width() * legend.height() <= 0.25 * view.width() * view.height()
    if screen == "1920x1080":  # room enough: named
        assert legend is not None and legend.isVisible()
