"""Step phase's pictures on the network diagram (one panel, the diagram, on a bare Session
with the flow that draws on it): they go when the state moves on, and every label sits
whole, apart from the others, and by what it is about."""

import pytest


def phase_view(session_, qtbot, lesson, size=(900, 600)):
    from gui.panels.flow import FlowAnimation
    from gui.panels.network_view import NetworkView

    s = session_(lesson)
    view = NetworkView(s)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return s, view, FlowAnimation(view, s)


def press_until_update(s, view):
    """Step phase until the update's picture shows (the step is then taken)."""
    for _ in range(20):
        s.request_phase()
        if any(" → " in o.text.text() for o in view.overlays):
            return
    raise AssertionError("no update picture after 20 presses")


def value_labels_show_now(s, view):
    from engine.diagram import label_text

    assert view.overlays == []
    for name, label in view.labels.items():
        assert label.isVisible(), name
        assert label.text.text() == label_text(name, s.value(name))


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
        assert view.overlays and view.overlays[0].text.text().startswith("1. Forward")
