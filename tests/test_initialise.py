"""Starting values (issue 15): each scheme as torch.nn.init defines it, from a seed;
new ones from the window are undoable and Reset returns to them."""

import numpy as np
import pytest

from engine.initialise import SCHEMES, initialise
from engine.network import Layer, Network


def wide():
    return Network(200, [Layer(300, "relu"), Layer(100, "tanh"), Layer(1, "identity")])


def test_zeros_makes_every_weight_and_bias_zero():
    net = wide()
    net.randomize(1)
    initialise(net, "zeros", 0)
    assert not net.params.any()


@pytest.mark.parametrize("scheme, bound", [
    ("uniform", lambda fan_in, fan_out: 1 / np.sqrt(fan_in)),
    ("xavier", lambda fan_in, fan_out: np.sqrt(6 / (fan_in + fan_out)))])
def test_uniform_schemes_fill_their_range(scheme, bound):
    net = wide()
    initialise(net, scheme, 3)
    for w in net.weights:
        fan_out, fan_in = w.shape
        b = bound(fan_in, fan_out)
        assert np.abs(w).max() <= b
        if w.size > 1000:  # U(-b, b): spread over the range, variance b² / 3
            assert np.abs(w).max() > 0.95 * b
            assert w.var() == pytest.approx(b * b / 3, rel=0.1)


def test_he_weights_have_variance_two_over_fan_in_and_zero_biases():
    net = wide()
    initialise(net, "he", 5)
    w = net.weights[0]  # 300 x 200: 60,000 draws
    assert w.mean() == pytest.approx(0, abs=0.01)
    assert w.var() == pytest.approx(2 / 200, rel=0.05)
    assert not net.biases[0].any()


def test_the_same_seed_gives_the_same_values_and_another_seed_others():
    a, b, c = wide(), wide(), wide()
    for net, seed in ((a, 7), (b, 7), (c, 8)):
        initialise(net, "he", seed)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    with pytest.raises(ValueError, match="unknown scheme"):
        initialise(a, "orthogonal", 0)
    assert set(SCHEMES) == {"zeros", "uniform", "xavier", "he"}


def test_new_start_values_are_undoable_and_reset_returns_to_them(session, qtbot):
    s = session("statquest-all")
    s.step()
    before = s.network.params.copy()
    with qtbot.assertNotEmitted(s.stateChanged):
        assert not s.reinitialise("he", "-1")
        assert not s.reinitialise("he", "x")
        assert not s.reinitialise("orthogonal", "1")
    assert s.reinitialise("he", "11")
    expected = s.network.copy()
    initialise(expected, "he", 11)
    np.testing.assert_array_equal(s.network.params, expected.params)
    assert s.steps_done == 0
    s.step()
    s.reset()
    np.testing.assert_array_equal(s.network.params, expected.params)
    s.undo_stack.undo()  # the reset
    s.undo_stack.undo()  # the step
    s.undo_stack.undo()  # the new start values
    np.testing.assert_array_equal(s.network.params, before)
    assert s.steps_done == 1


@pytest.mark.parametrize("name", ["xor", "moons-softmax"])
def test_a_presets_notes_say_how_its_start_was_drawn_and_the_lesson_knows_it(name):
    """The notes say "Xavier-uniform from seed 7": the lesson records it, and drawing
    that way again gives its starting weights (the file keeps four decimals)."""
    from engine import load_preset
    from engine.initialise import initialise

    lesson = load_preset(name)
    assert "seed 7" in lesson.description and lesson.initialised == ("xavier", 7)
    net = lesson.network.copy()
    initialise(net, "xavier", 7)
    np.testing.assert_allclose(net.params, lesson.network.params, atol=5e-5 + 1e-12)


def test_how_the_start_was_drawn_is_saved_and_checked():
    import json

    from engine import LessonError, load_preset
    from engine.lesson import lesson_from_json

    data = load_preset("statquest-all").to_dict()
    assert "initialised" not in data
    data["initialised"] = {"scheme": "he", "seed": 12}
    assert lesson_from_json(json.dumps(data)).initialised == ("he", 12)
    for bad, field in (({"scheme": "magic"}, "initialised.scheme"),
                       ({"scheme": "he", "seed": -1}, "initialised.seed"),
                       ({"scheme": "he", "colour": 1}, "initialised.colour"), ([], "initialised")):
        data["initialised"] = bad
        with pytest.raises(LessonError, match=f"^{field}: "):
            lesson_from_json(json.dumps(data))


def test_the_training_panel_offers_the_lessons_own_scheme_and_seed(session, qtbot):
    from gui.panels.training import TrainingPanel

    s = session("xor")
    panel = TrainingPanel(s)
    qtbot.addWidget(panel)
    assert panel.scheme.currentData() == "xavier" and panel.init_seed.text() == "7"
    assert s.reinitialise("he", "3")
    assert panel.scheme.currentData() == "he" and panel.init_seed.text() == "3"
    assert s.saved_lesson().to_dict()["initialised"] == {"scheme": "he", "seed": 3}
    s.undo_stack.undo()
    assert panel.init_seed.text() == "7"
