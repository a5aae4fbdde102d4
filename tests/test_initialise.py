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
