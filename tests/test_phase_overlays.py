"""Step phase's pictures on the network diagram (one panel, the diagram, on a bare Session
with the flow that draws on it): they go when the state moves on, and every label sits
whole, apart from the others, and by what it is about."""

import re

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine.presets import PRESETS


def phase_view(session_, qtbot, lesson, size=(900, 600), presenter=False):
    from gui.panels.flow import FlowAnimation
    from gui.panels.network_view import NetworkView

    s = session_(lesson)
    view = NetworkView(s)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    if presenter:  # the drawing fitted to the view's shape: larger nodes and words
        view.set_look("light", True)
    return s, view, FlowAnimation(view, s)


def press_until_update(s, view):
    """Step phase until the update's picture shows (the step is then taken)."""
    for _ in range(20):
        s.request_phase()
        if any(" → " in o.text.text() for o in view.overlays):
            return
    raise AssertionError("no update picture after 20 presses")


def value_labels_show_now(s, view):
    from engine.explain import signed

    assert view.overlays == []
    for name, label in view.labels.items():
        assert label.isVisible(), name
        # four figures, or fewer where its room holds no more (−0.0032)
        assert label.text.text() in [f"{name} = {signed(s.value(name), d)}"
                                     for d in (4, 3, 2)]


@pytest.mark.parametrize("move_on", ["step", "edit", "undo", "reset", "quiz", "lesson"])
def test_the_update_picture_goes_when_the_state_moves_on(session, qtbot, move_on):
    s, view, flow = phase_view(session, qtbot, "statquest-all")
    press_until_update(s, view)
    assert s.steps_done == 1
    assert not any(label.isVisible() for label in view.labels.values())
    w1_after_one = s.value("w1")
    if move_on == "step":
        s.step()
    elif move_on == "edit":
        assert s.set_param("w1", "1.5")
    elif move_on == "undo":
        s.undo_stack.undo()
    elif move_on == "reset":
        s.reset()
    elif move_on == "quiz":
        s.set_quiz(True)
    else:
        s.open("house-price")
    view.refresh()  # the diagram's own redraw is throttled: take it now
    value_labels_show_now(s, view)
    if move_on == "step":
        assert s.value("w1") != w1_after_one
    # and the next press starts a new walk at its first phase
    if move_on != "quiz":
        s.request_phase()
        assert any(o.text.text().startswith("1. Forward") for o in view.overlays)


# --- where the numbers sit -----------------------------------------------------------------
PARAMETER = re.compile(r"^(?:∂\w+/∂(\w+)\s+=|(\w+): )")
SIZES = [(900, 600), (515, 420), (1000, 380), (420, 640)]  # 1280x800's, presenter's, tall


def walk(s, view, flow):
    """Each frame of one step's walk by Step phase, while it shows: (caption, labels)."""
    for _ in range(40):
        s.request_phase()
        caption = [o for o in view.overlays if re.match(r"\d\. ", o.text.text())]
        assert len(caption) == 1
        yield caption[0], [o for o in view.overlays if o is not caption[0]]
        if not flow.frames:
            return
    raise AssertionError("the walk did not end")


def segment_distance(p, a, b):
    """From p to the nearest point of the segment a-b (numpy, written here)."""
    p, a, b = (np.array(v, float) for v in (p, a, b))
    t = np.clip(np.dot(p - a, b - a) / max(np.dot(b - a, b - a), 1e-12), 0, 1)
    return float(np.linalg.norm(p - (a + t * (b - a))))


def crosses(rect, a, b):
    """Whether the segment a-b has a point inside the rect (sampled every half unit)."""
    inner = rect.adjusted(0.5, 0.5, -0.5, -0.5)
    n = int(max(abs(b[0] - a[0]), abs(b[1] - a[1])) * 2) + 2
    return any(inner.contains(QPointF(a[0] + (b[0] - a[0]) * k / n,
                                      a[1] + (b[1] - a[1]) * k / n)) for k in range(n + 1))


def covers_circle(rect, centre, radius):
    nearest_x = min(max(centre[0], rect.left()), rect.right())
    nearest_y = min(max(centre[1], rect.top()), rect.bottom())
    return (nearest_x - centre[0]) ** 2 + (nearest_y - centre[1]) ** 2 < (radius - 0.5) ** 2


def overlap(a, b):
    r = a.intersected(b)
    return r.width() > 0.5 and r.height() > 0.5


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lesson", PRESETS)
def test_every_phase_label_sits_whole_apart_and_by_its_own_connection(session, qtbot, lesson,
                                                                     size, presenter):
    s, view, flow = phase_view(session, qtbot, lesson, size, presenter)
    radius = view.node_items[0].rect().width() / 2  # as drawn (presenter's may be larger)
    lines = {name: ((e.line().x1(), e.line().y1()), (e.line().x2(), e.line().y2()))
             for name, e in view.edges.items()}
    circles = [(n.rect().center().x(), n.rect().center().y()) for n in view.node_items
               if n.type() == 4]  # QGraphicsEllipseItem
    names_beside = [n.sceneBoundingRect() for n in view.node_items if n.type() != 4]
    shown_view = view.mapToScene(view.viewport().rect()).boundingRect()
    for caption, labels in walk(s, view, flow):
        rects = [o.sceneBoundingRect() for o in [caption, *labels]]
        texts = [o.text.text() for o in [caption, *labels]]
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        for text, rect in zip(texts, rects, strict=True):
            assert visible.contains(rect), f"{text!r} leaves the view"
            assert not any(covers_circle(rect, c, radius) for c in circles), text
            assert not any(overlap(rect, n) for n in names_beside), text
        for k, (a, ra) in enumerate(zip(texts, rects, strict=True)):
            for b, rb in zip(texts[k + 1:], rects[k + 1:], strict=True):
                assert not overlap(ra, rb), f"{a!r} and {b!r} overlap"
        for label in labels:
            text, rect = label.text.text(), label.sceneBoundingRect()
            match = PARAMETER.match(text)
            own = (match.group(1) or match.group(2)) if match else None
            own = own if own in lines else None  # a neuron's or a bias's label
            for name, (a, b) in lines.items():
                if name != own:
                    assert not crosses(rect, a, b), f"{text!r} lies over {name}'s line"
            if own:
                centre = (rect.center().x(), rect.center().y())
                near = segment_distance(centre, *lines[own])
                for name, (a, b) in lines.items():
                    if name != own:
                        assert near < segment_distance(centre, a, b), \
                            f"{text!r} is nearer {name}'s line than its own"
    # the walk's fit is the drawing's again once the picture goes
    s.step()
    assert view.mapToScene(view.viewport().rect()).boundingRect() == shown_view


@pytest.mark.parametrize("lesson", PRESETS)
def test_every_number_of_a_phase_is_on_the_diagram_or_in_its_caption(session, qtbot, lesson):
    s, view, flow = phase_view(session, qtbot, lesson)
    net = s.network
    layers = len(net.layers)
    frames = [caption.text.text() + "\n" + "\n".join(o.text.text() for o in labels)
              for caption, labels in walk(s, view, flow)]
    backward = frames[layers + 2:2 * layers + 2]
    for k, said in enumerate(backward):
        layer = layers - 1 - k
        wanted = [w for row in net.names.weights[layer] for w in row] + list(
            net.names.biases[layer]) + list(net.names.pre[layer])
        named = [w for w in wanted if re.search(rf"∂{w}\s*\n?=", said)]
        counted = re.search(r"(\d+) more have no room", said)
        assert len(named) + (int(counted.group(1)) if counted else 0) == len(wanted), said
    said = frames[-1]
    trainable = [name for name in net.param_names if s.is_trainable(name)]
    named = [w for w in trainable if re.search(rf"(^|\s){w}: \S+\s*\n?→", said, re.M)]
    counted = re.search(r"(\d+) more have no room", said)
    assert len(named) + (int(counted.group(1)) if counted else 0) == len(trainable), said


@pytest.mark.parametrize("size", [(1000, 380), (515, 420), (420, 640)])
@pytest.mark.parametrize("lesson", ["statquest-all", "house-price", "iris-softmax"])
def test_the_caption_is_whole_in_the_view_with_presenter_fonts(session, qtbot, qapp, lesson,
                                                                size):
    from gui.appearance import PRESENTER_ZOOM

    normal = qapp.font()
    big = qapp.font()
    big.setPointSizeF(normal.pointSizeF() * PRESENTER_ZOOM)
    qapp.setFont(big)
    try:
        s, view, flow = phase_view(session, qtbot, lesson, size)
        for caption, _ in walk(s, view, flow):
            visible = view.mapToScene(view.viewport().rect()).boundingRect()
            assert visible.contains(caption.sceneBoundingRect()), caption.text.text()
    finally:
        qapp.setFont(normal)


def test_a_phase_picture_is_placed_again_when_presenter_mode_draws_anew(session, qtbot):
    """Presenter mode draws the network again for a view of another shape; the Step
    phase's picture went with the old drawing (the usual labels back under a walk still
    under way): it is placed on the new one, off its nodes, its caption in view."""
    s, view, flow = phase_view(session, qtbot, "statquest-all", (900, 600), presenter=True)
    s.request_phase()
    s.request_phase()  # the hidden layer's values
    texts = sorted(o.text.text() for o in view.overlays)
    wide = view.layout
    view.resize(420, 640)
    qtbot.waitUntil(lambda: view.layout is not wide)
    assert sorted(o.text.text() for o in view.overlays) == texts
    assert not any(label.isVisible() for label in view.labels.values())
    circles = [n.sceneBoundingRect() for n in view.node_items if n.type() == 4]
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for o in view.overlays:
        rect = o.sceneBoundingRect()
        assert visible.contains(rect), o.text.text()
        for c in circles:
            assert not covers_circle(rect, (c.center().x(), c.center().y()),
                                     c.width() / 2), o.text.text()
    s.request_phase()  # and the walk goes on from there: the output's value
    assert sorted(o.text.text() for o in view.overlays) != texts
    assert view.overlays[0].text.text().startswith("1. Forward")


def test_the_diagram_writes_negative_numbers_with_the_minus_sign(session, qtbot):
    """As the breakdown and the notes do (U+2212): the value labels, every Step phase's
    numbers and the tooltip; the diagram wrote "w2 = -3.53"."""
    s, view, flow = phase_view(session, qtbot, "statquest-b3")
    assert view.labels["w2"].text.text() == "w2 = −3.53"  # the lesson's -3.53
    assert view.labels["b1"].text.text() == "b1 = −1.43"
    assert not any("-" in label.text.text() for label in view.labels.values())
    seen = []
    for _ in range(8):  # forward, loss, backward and update pictures
        s.request_phase()
        seen += [o.text.text() for o in view.overlays]
    assert any("−" in text for text in seen)  # the slope −15.66 among them
    assert not any(re.search(r"-\d", text) for text in seen), seen
    assert "b1 = −1.43" in view.tooltip_text("b1")
