"""The worked examples of shared/seeds, reproduced. Expected numbers are the articles'
(at their printed precision) or hand derivations written here; slips are named."""

import math

import numpy as np
import pytest

from engine import StopReason, chain_rule_breakdown, load_preset
from engine.losses import LOSSES


def softplus(x):
    return math.log1p(math.exp(x))


# --- article 000: gradient descent on b3 only ----------------------------------------
def test_statquest_b3_first_steps_match_article_000():
    t = load_preset("statquest-b3").trainer()
    b3 = t.network.index["b3"]
    assert t.grads[b3] == pytest.approx(-15.7, abs=0.05)  # article: slope = -15.7
    assert t.step_sizes[b3] == pytest.approx(-1.57, abs=0.005)  # step = -15.7 × 0.1
    t.step()
    # Article slip: "new b3 = old b3 + step size = -1.57". Gradient descent subtracts the
    # step size, so b3 = 0 - (-1.57) = +1.57.
    assert t.network.params[b3] == pytest.approx(1.57, abs=0.005)
    assert t.grads[b3] == pytest.approx(-6.26, abs=0.005)  # article: slope = -6.26
    assert t.step_sizes[b3] == pytest.approx(-0.626, abs=0.0005)


def test_statquest_b3_first_slope_by_hand():
    # dSSR/db3 = Σ -2 (Observed - Predicted), Predicted = y1 w3 + y2 w4 + b3 (b3 = 0).
    slope = 0.0
    for x, observed in ((0.0, 0.0), (0.5, 1.0), (1.0, 0.0)):
        y1, y2 = softplus(3.34 * x - 1.43), softplus(-3.53 * x + 0.57)
        slope += -2 * (observed - (-1.22 * y1 - 2.30 * y2))
    t = load_preset("statquest-b3").trainer()
    assert t.grads[t.network.index["b3"]] == pytest.approx(slope, rel=1e-12)
    assert slope == pytest.approx(-15.655, abs=0.001)


def test_statquest_b3_converges_to_2_61_not_article_2_21():
    # Article slip: its final b3 = 2.21; the 0.001 step-size rule stops at b3 = 2.61.
    t = load_preset("statquest-b3").trainer()
    assert t.run() is StopReason.CONVERGED
    assert t.network.params[t.network.index["b3"]] == pytest.approx(2.61, abs=0.005)
    assert abs(t.step_sizes).max() < 0.001
    others = [n for n in t.network.param_names if n != "b3"]
    start = load_preset("statquest-b3").network
    for n in others:  # frozen parameters never move
        assert t.network.params[t.network.index[n]] == start.params[start.index[n]]


# --- article 002: one weight, no bias ------------------------------------------------
def test_single_weight_sequence_of_article_002():
    t = load_preset("single-weight").trainer()
    assert t.network.param_names == ["w"]
    expected = [0.8, 0.59, 0.4745, 0.410975, 0.37603625, 0.3568199375]
    for k, w in enumerate(expected):
        assert t.network.params[0] == pytest.approx(w, abs=1e-12), f"step {k}"
        # the article's dj/dw = 4.5 w - 1.5
        assert t.grads[0] == pytest.approx(4.5 * w - 1.5, abs=1e-12)
        t.step()
    # Article: the next row jumps to 0.333333; it is the limit w = 1/3 (1.5 w = 0.5).
    assert t.run() is StopReason.CONVERGED
    assert t.network.params[0] == pytest.approx(1 / 3, abs=1e-5)


# --- article 004: house price, one full update ---------------------------------------
def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_house_price_forward_pass_predicts_0_63():
    lesson = load_preset("house-price")
    assert lesson.network.predict(lesson.inputs)[0, 0] == pytest.approx(0.63, abs=0.005)


# name: (article's gradient, article's updated value, printed decimals)
ARTICLE_004 = {
    "w211": (0.5663, 0.1867, 3), "w212": (0.4961, 0.1008, 3), "b21": (1.17, 0.166, 3),
    "w111": (-0.028, 0.2056, 3), "w112": (-0.058, 0.1616, 3), "b11": (0.088, 0.0824, 3),
    "w121": (-0.018, 0.5036, 3), "w122": (-0.038, 0.6076, 3),
    # Article slip: dL/db12 printed as -0.057 (and -0.57 in the update); the product
    # 1.17 × 0.20 × 0.424 × (1 − 0.424) × 1 is +0.057, and its own 0.2386 needs +0.057.
    "b12": (0.057, 0.2386, 3),
}


def test_house_price_every_gradient_and_update_of_article_004():
    lesson = load_preset("house-price")
    t = lesson.trainer()
    net = t.network
    grads = dict(zip(net.param_names, t.grads.copy(), strict=True))
    t.step()
    new = dict(zip(net.param_names, net.params, strict=True))
    for name, (grad, updated, decimals) in ARTICLE_004.items():
        tol = 0.5 * 10 ** -decimals + 0.001  # the article rounds 1.17, 0.484 before multiplying
        assert grads[name] == pytest.approx(grad, abs=tol), name
        assert new[name] == pytest.approx(updated, abs=0.0006), name


def test_house_price_gradients_by_hand():
    x1, x2, y = -0.32, -0.66, -0.54
    h11 = sigmoid(0.1 + 0.2 * x1 + 0.15 * x2)
    h12 = sigmoid(0.25 + 0.5 * x1 + 0.6 * x2)
    h21 = 0.4 + 0.3 * h11 + 0.2 * h12
    dl = -(y - h21)  # dL/dh21 for L = ½ (y − h21)²
    by_hand = {
        "w211": dl * h11, "w212": dl * h12, "b21": dl,
        "w111": dl * 0.3 * h11 * (1 - h11) * x1, "w112": dl * 0.3 * h11 * (1 - h11) * x2,
        "b11": dl * 0.3 * h11 * (1 - h11),
        "w121": dl * 0.2 * h12 * (1 - h12) * x1, "w122": dl * 0.2 * h12 * (1 - h12) * x2,
        "b12": dl * 0.2 * h12 * (1 - h12),
    }
    t = load_preset("house-price").trainer()
    for name, value in by_hand.items():
        assert t.grads[t.network.index[name]] == pytest.approx(value, rel=1e-12), name
        b = chain_rule_breakdown(t.network, t.inputs, t.targets, t.loss_function, name)
        assert b.slope == pytest.approx(value, rel=1e-12), name
    # The article's factors for w111: 1.17, w211 = 0.30, h11 (1 − h11), x1 = −0.32.
    b = chain_rule_breakdown(t.network, t.inputs, t.targets, t.loss_function, "w111")
    symbols = [f.symbol for f in b.paths[0].factors]
    assert symbols == ["dL/dh21", "dh21/dz21", "dz21/dh11", "dh11/dz11", "dz11/dw111"]
    values = [f.values[0] for f in b.paths[0].factors]
    assert values == pytest.approx([1.17, 1, 0.30, 0.484 * (1 - 0.484), -0.32], abs=0.005)


# --- articles 001 and 003: all seven parameters --------------------------------------
def test_article_001_formulas_for_hidden_parameters():
    lesson = load_preset("statquest-all")
    t = lesson.trainer()
    p = dict(zip(t.network.param_names, t.network.params, strict=True))
    assert p == {"w1": 2.74, "b1": 0.0, "w2": -1.13, "b2": 0.0, "w3": 0.36, "w4": 0.63,
                 "b3": 0.0}
    total = dict.fromkeys(("w1", "b1", "w2", "b2"), 0.0)
    for x, observed in ((0.0, 0.0), (0.5, 1.0), (1.0, 0.0)):
        x1, x2 = x * p["w1"] + p["b1"], x * p["w2"] + p["b2"]
        predicted = softplus(x1) * p["w3"] + softplus(x2) * p["w4"] + p["b3"]
        d = -2 * (observed - predicted)
        total["w1"] += d * p["w3"] * (math.exp(x1) / (1 + math.exp(x1))) * x
        total["b1"] += d * p["w3"] * (math.exp(x1) / (1 + math.exp(x1))) * 1
        total["w2"] += d * p["w4"] * (math.exp(x2) / (1 + math.exp(x2))) * x
        total["b2"] += d * p["w4"] * (math.exp(x2) / (1 + math.exp(x2))) * 1
    for name, value in total.items():
        assert t.grads[t.network.index[name]] == pytest.approx(value, rel=1e-12), name
    b = chain_rule_breakdown(t.network, t.inputs, t.targets, t.loss_function, "w1")
    f = b.paths[0].factors
    assert [x.symbol for x in f] == ["dSSR/dPredicted", "dPredicted/dy1", "dy1/dx1", "dx1/dw1"]
    assert [x.formula for x in f] == ["-2 (Observed - Predicted)", "w3", "e^x1 / (1 + e^x1)",
                                      "Input"]


def test_statquest_all_trains_ssr_below_0_001():
    t = load_preset("statquest-all").trainer()
    start = t.loss
    t.run()
    assert t.loss < 0.001 < start
    assert np.all(np.isfinite(t.history.loss))


def test_losses_match_their_definitions():
    p, y = np.array([[1.0], [2.0]]), np.array([[0.5], [3.0]])
    assert LOSSES["ssr"].value(p, y) == pytest.approx(0.25 + 1.0)
    assert LOSSES["half_sse"].value(p, y) == pytest.approx(0.625)
    assert LOSSES["mse"].value(p, y) == pytest.approx(0.625)


def test_xor_preset_learns_xor():
    t = load_preset("xor").trainer()
    t.run()
    pred = t.network.predict(t.inputs).ravel()
    assert list(np.round(pred)) == [0, 1, 1, 0]


def test_forward_pass_keeps_every_intermediate_under_the_articles_names():
    lesson = load_preset("statquest-b3")
    net = lesson.network
    values = net.forward(lesson.inputs).named(net.names)
    assert list(values) == ["Input", "x1", "y1", "x2", "y2", "Predicted"]
    # x1 = Input·w1 + b1 and y1 = log(1 + e^x1) for Input = 0.5, by hand
    assert values["x1"][1] == pytest.approx(0.5 * 3.34 - 1.43)
    assert values["y1"][1] == pytest.approx(softplus(0.5 * 3.34 - 1.43))
    predicted = -1.22 * values["y1"] - 2.30 * values["y2"]
    np.testing.assert_allclose(values["Predicted"], predicted)
    house = load_preset("house-price")
    named = house.network.forward(house.inputs).named(house.network.names)
    assert named["h21"][0] == pytest.approx(0.63, abs=0.005)
    assert named["z11"][0] == pytest.approx(0.1 + 0.2 * -0.32 + 0.15 * -0.66)
