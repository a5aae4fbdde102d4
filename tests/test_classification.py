"""Classification maths: softmax and its Jacobian, cross-entropies, the p - y shortcut,
MSE's mean over every element, and the iris lesson's numbers (StatQuest's cross-entropy
backprop lesson), each against an independent computation written here."""

import json
import re

import numpy as np
import pytest

from engine import LessonError, Network, chain_rule_breakdown, load_preset
from engine.activations import ACTIVATIONS
from engine.backprop import loss_and_gradient
from engine.gradcheck import finite_difference_gradient
from engine.lesson import lesson_from_dict
from engine.losses import LOSSES
from engine.network import Layer
from engine.presets import preset_text

# The lesson as the series states it, computed here from scratch.
IRIS_X = np.array([[0.04, 0.42], [1.00, 0.54], [0.50, 0.37]])
IRIS_Y = np.array([[1.0, 0, 0], [0, 0, 1], [0, 1, 0]])  # Setosa, Virginica, Versicolor
W1, B1 = np.array([[-2.5, 0.6], [-1.5, 0.4]]), np.array([1.6, 0.7])
W2, B2 = np.array([[-0.1, 1.5], [2.4, -5.2], [-2.2, 3.7]]), np.array([-2.0, 0.0, 1.0])


def iris_by_hand(b3: float) -> tuple[float, np.ndarray]:
    """Total cross-entropy and each sample's p_Setosa, sample by sample in plain Python."""
    total, p_setosa = 0.0, []
    for x, y in zip(IRIS_X.tolist(), IRIS_Y.tolist(), strict=True):
        hidden = [max(0.0, sum(w * xi for w, xi in zip(row, x, strict=True)) + b)
                  for row, b in zip(W1.tolist(), B1.tolist(), strict=True)]
        biases = [b3, *B2.tolist()[1:]]
        raw = [sum(w * h for w, h in zip(row, hidden, strict=True)) + b
               for row, b in zip(W2.tolist(), biases, strict=True)]
        e = [np.exp(r) for r in raw]
        p = [v / sum(e) for v in e]
        total += -sum(t * np.log(q) for t, q in zip(y, p, strict=True))
        p_setosa.append(p[0])
    return total, np.array(p_setosa)


def test_iris_first_step_matches_the_series_exactly():
    lesson = load_preset("iris-softmax")
    trainer = lesson.trainer()
    ce, p_setosa = iris_by_hand(-2.0)
    # dCE/db3 by the shortcut Σ (p_Setosa - Observed_Setosa), and by finite differences.
    slope = float(np.sum(p_setosa - IRIS_Y[:, 0]))
    h = 1e-6
    fd = (iris_by_hand(-2.0 + h)[0] - iris_by_hand(-2.0 - h)[0]) / (2 * h)
    assert slope == pytest.approx(fd, rel=1e-7)
    assert trainer.loss == pytest.approx(ce, rel=1e-12)
    assert trainer.update("b3").slope == pytest.approx(slope, rel=1e-12)
    # The published figures are these, rounded to two decimals.
    assert round(ce, 2) == 2.67 and round(slope, 2) == -0.77
    trainer.step()
    new_b3 = trainer.network.params[trainer.network.index["b3"]]
    assert new_b3 == pytest.approx(-2.0 - 1.0 * slope, rel=1e-12)
    assert round(new_b3, 2) == -1.23
    assert trainer.loss == pytest.approx(iris_by_hand(new_b3)[0], rel=1e-12)


def test_iris_breakdown_shows_the_jacobian_and_the_shortcut():
    lesson = load_preset("iris-softmax")
    net = lesson.network
    b = chain_rule_breakdown(net, lesson.inputs, lesson.targets, LOSSES["ce"], "b3")
    assert len(b.paths) == 3  # b3 reaches CE through each of the three probabilities
    p = np.array([iris_by_hand(-2.0)[1]])  # p_Setosa per sample
    jacobians = [path.factors[1] for path in b.paths]
    assert [j.symbol for j in jacobians] == ["dp_Setosa/dx3", "dp_Versicolor/dx3",
                                             "dp_Virginica/dx3"]
    np.testing.assert_allclose(jacobians[0].values, (p * (1 - p))[0], rtol=1e-12)
    assert jacobians[1].formula == "-p_Versicolor p_Setosa"
    # The shortcut is what the three paths add up to, sample by sample.
    (shortcut,) = b.shortcuts
    assert shortcut.symbol == "dCE/dx3" and shortcut.formula == "p_Setosa - Observed_Setosa"
    np.testing.assert_allclose(shortcut.values, p[0] - IRIS_Y[:, 0], rtol=1e-12)
    np.testing.assert_allclose(b.per_sample, shortcut.values, rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_against_finite_differences():
    act = ACTIVATIONS["softmax"]
    z = np.array([[0.3, -1.2, 2.0, 0.1]])
    p = act.function(z.copy())
    upstream = np.array([[0.7, -0.4, 1.3, 0.2]])
    h = 1e-6
    numeric = np.empty(4)
    for j in range(4):
        plus, minus = z.copy(), z.copy()
        plus[0, j] += h
        minus[0, j] -= h
        numeric[j] = (upstream @ (act.function(plus) - act.function(minus)).T / (2 * h))[0, 0]
    np.testing.assert_allclose(act.backward(z, p, upstream)[0], numeric, rtol=1e-7)
    assert p.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["ce", "ce_mean", "bce", "bce_mean"])
def test_cross_entropies_are_safe_at_certain_predictions(name):
    loss = LOSSES[name]
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[0.0, 1.0], [0.0, 1.0]])  # one sure and wrong, one sure and right
    with np.errstate(all="raise"):
        value = loss.value(p, y)
        slope = loss.derivative(p, y)
    assert np.isfinite(value) and np.all(np.isfinite(slope))
    assert value >= 100 / (2 if loss.mean else 1)  # the wrong one costs -log(0) → 100


def test_cross_entropies_as_pytorch_defines_them():
    p = np.array([[0.2, 0.5, 0.3], [0.7, 0.1, 0.2]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    by_sample = [-np.log(0.5), -np.log(0.7)]
    assert LOSSES["ce"].value(p, y) == pytest.approx(sum(by_sample), rel=1e-12)
    assert LOSSES["ce_mean"].value(p, y) == pytest.approx(np.mean(by_sample), rel=1e-12)
    q, t = np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [1.0]])
    terms = [-np.log(0.9), -np.log(0.8), -np.log(0.6)]
    assert LOSSES["bce"].value(q, t) == pytest.approx(sum(terms), rel=1e-12)
    assert LOSSES["bce_mean"].value(q, t) == pytest.approx(np.mean(terms), rel=1e-12)


def test_mse_averages_over_samples_and_outputs():
    # PyTorch's MSELoss, Keras and scikit-learn: the mean over all 3 × 2 elements.
    p = np.array([[1.0, 2.0], [0.0, -1.0], [0.5, 0.5]])
    y = np.array([[0.0, 2.0], [1.0, 1.0], [0.5, 0.0]])
    assert LOSSES["mse"].value(p, y) == pytest.approx((1 + 0 + 1 + 4 + 0 + 0.25) / 6)
    net = Network(1, [Layer(2, "tanh"), Layer(2, "identity")])
    net.randomize(4)
    x = np.array([[0.1], [0.5], [-0.3]])
    _, grad = loss_and_gradient(net, x, y, LOSSES["mse"])
    np.testing.assert_allclose(grad, finite_difference_gradient(net, x, y, LOSSES["mse"]),
                               rtol=1e-6, atol=1e-9)


def test_sigmoid_with_bce_trains_by_the_shortcut():
    net = Network(2, [Layer(3, "tanh"), Layer(1, "sigmoid")])
    net.randomize(2)
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[1.0], [1.0], [0.0]])
    b = chain_rule_breakdown(net, x, y, LOSSES["bce"], "b4")
    (shortcut,) = b.shortcuts
    p = net.predict(x)[:, 0]
    np.testing.assert_allclose(shortcut.values, p - y[:, 0], rtol=1e-12)
    np.testing.assert_allclose(b.per_sample, shortcut.values, rtol=1e-10)


def _iris_data() -> dict:
    return json.loads(preset_text("iris-softmax"))


@pytest.mark.parametrize("change, field", [
    (lambda d: d["layers"][0].update(activation="softmax"), "layers[0].activation"),
    (lambda d: d.update(loss="ce", layers=[d["layers"][0], {"neurons": 3,
                                                             "activation": "sigmoid"}]),
     "loss"),
    (lambda d: d["data"]["targets"].__setitem__(0, [1, 1, 0]), "data.targets[0]"),
    (lambda d: d["data"]["targets"].__setitem__(2, [0, 1.5, -0.5]), "data.targets[2]"),
    (lambda d: d.update(output_names=["Setosa", "Setosa", "Virginica"]), "output_names"),
    (lambda d: d.update(input_names=["Petal\nwidth", "Sepal width"]), "input_names[0]"),
])
def test_bad_classification_lessons_are_refused_naming_the_field(change, field):
    data = _iris_data()
    change(data)
    with pytest.raises(LessonError, match="^" + re.escape(field) + ":"):
        lesson_from_dict(data)


def test_one_neuron_softmax_and_bce_targets_are_refused():
    data = _iris_data()
    data.update(layers=[data["layers"][0], {"neurons": 1, "activation": "softmax"}],
                weights=[data["weights"][0], [[0.1, 0.2]]], biases=[data["biases"][0], [0.0]],
                output_names=None, data={"inputs": [[0, 0]], "targets": [[1]]})
    del data["output_names"]
    with pytest.raises(LessonError, match=r"^layers\[1\]\.neurons: a softmax needs 2"):
        lesson_from_dict(data)
    data["layers"][1]["activation"] = "sigmoid"
    data.update(loss="bce", data={"inputs": [[0, 0]], "targets": [[2]]})
    with pytest.raises(LessonError, match=r"^data\.targets\[0\]: .*from 0 to 1"):
        lesson_from_dict(data)
    data["data"]["targets"] = [[1]]
    assert lesson_from_dict(data).loss == "bce"


def test_names_from_the_lesson_reach_the_diagram_and_survive_a_save():
    lesson = load_preset("iris-softmax")
    names = lesson.network.names
    assert names.inputs == ("Petal width", "Sepal width")
    assert names.post[-1] == ("p_Setosa", "p_Versicolor", "p_Virginica")
    again = lesson_from_dict(json.loads(json.dumps(lesson.to_dict())))
    assert again.network.names == names
    assert again.trainer().network.names == names


def test_exam_lesson_finds_the_maximum_likelihood_fit():
    # Wikipedia's logistic regression of passing on hours studied: 1.5046, -4.0777 (MLE);
    # gradient descent on the mean BCE must arrive there (its gradient is zero there).
    lesson = load_preset("exam-pass-bce")
    trainer = lesson.trainer()
    trainer.run(100_000)
    w, b = trainer.network.params
    assert w == pytest.approx(1.5046, abs=5e-4) and b == pytest.approx(-4.0777, abs=2e-3)
    p = 1 / (1 + np.exp(-(w * np.array([2.0, 4.0]) + b)))
    assert p.round(2).tolist() == [0.26, 0.87]  # the lesson's words


def test_mazur_two_outputs_match_the_published_step():
    lesson = load_preset("mazur-2-2-2")
    trainer = lesson.trainer()
    # E_total from the example's own arithmetic: out_h = σ(net_h), out_o = σ(net_o).
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h1, h2 = sig(0.15 * 0.05 + 0.2 * 0.1 + 0.35), sig(0.25 * 0.05 + 0.3 * 0.1 + 0.35)
    o1, o2 = sig(0.4 * h1 + 0.45 * h2 + 0.6), sig(0.5 * h1 + 0.55 * h2 + 0.6)
    assert trainer.loss == pytest.approx(0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2,
                                         rel=1e-12)
    assert trainer.loss == pytest.approx(0.298371109, abs=5e-10)
    assert trainer.update("w5").slope == pytest.approx(0.082167041, abs=5e-10)
    assert trainer.update("w5").new_value == pytest.approx(0.358916480, abs=5e-10)
    assert trainer.update("w1").new_value == pytest.approx(0.149780716, abs=5e-10)
    b = chain_rule_breakdown(lesson.network, lesson.inputs, lesson.targets,
                             LOSSES["half_sse"], "w1")
    assert len(b.paths) == 2  # through o1 and through o2


def test_moons_boundary_separates_every_sample():
    from engine.classify import scores

    lesson = load_preset("moons-softmax")
    trainer = lesson.trainer()
    before = scores(trainer.network, trainer.network.predict(lesson.inputs), lesson.targets)
    trainer.run(4000, respect_stop_rule=False)
    after = scores(trainer.network, trainer.network.predict(lesson.inputs), lesson.targets)
    assert before.accuracy < 0.9 and after.right == after.total == 60


def test_quiz_on_a_softmax_asks_for_the_shortcut_and_sums_to_the_slope():
    from engine.quiz import questions, quiz_chain

    lesson = load_preset("iris-softmax")
    trainer = lesson.trainer()
    b = chain_rule_breakdown(trainer.network, lesson.inputs, lesson.targets, LOSSES["ce"],
                             "b3")
    chain, routes = quiz_chain(b)
    assert routes == 1 and [f.symbol for f in chain] == ["dCE/dx3", "dx3/db3"]
    qs = {q.key: q.answer for q in questions(b, trainer.update("b3"))}
    by_hand = iris_by_hand(-2.0)[1] - IRIS_Y[:, 0]  # p_Setosa - Observed_Setosa
    assert [qs[f"f0.{s}"] for s in range(3)] == pytest.approx(by_hand.tolist(), rel=1e-12)
    assert qs["slope"] == pytest.approx(sum(by_hand), rel=1e-12)
    # A hidden weight reaches CE through all three outputs: three routes like it.
    b = chain_rule_breakdown(trainer.network, lesson.inputs, lesson.targets, LOSSES["ce"],
                             "w1")
    chain, routes = quiz_chain(b)
    assert routes == 3 and chain[0].symbol == "dCE/dx3" and chain[-1].symbol == "dx1/dw1"


def test_a_nearly_certain_sigmoid_keeps_its_digits_for_the_cross_entropy():
    # Found by the property test: with p = 7e-10 the old 0.5 (1 + tanh(x/2)) kept only a
    # few digits of p, and log p (the BCE) disagreed with its own finite difference.
    from engine.activations import ACTIVATIONS
    from engine.backprop import loss_and_gradient
    from engine.gradcheck import finite_difference_gradient
    from engine.network import Layer, Network

    x = np.array([-40.0, -21.0, -3.0, 0.0, 3.0, 21.0])
    exact = np.exp(x) / (1 + np.exp(x))  # no overflow for these x
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].function(x.copy()), exact, rtol=1e-15)
    net = Network(2, [Layer(3, "identity", False), Layer(3, "sigmoid", True)])
    net.set_params([0.5478, -0.9209, -1.8361, -1.9339, 1.2531, 1.6510, 0.4265, 0.9180,
                    0.1745, 1.7403, 1.2634, -1.9890, 1.4296, -1.8657, 0.9186, -1.2974,
                    1.4527, 0.1658])
    xs = np.array([[-0.80115244, -0.30925112], [-1.88672132, -1.50286689]])
    ys = np.array([[0.67062441, 0.64718951, 0.61538511], [0.38367755, 0.99720994, 0.98083534]])
    _, grad = loss_and_gradient(net, xs, ys, LOSSES["bce"])
    fd = finite_difference_gradient(net, xs, ys, LOSSES["bce"], h=1e-5)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("lesson_name, loss_name", [("exam-pass-bce", "bce_mean"),
                                                    ("moons-softmax", "ce_mean"),
                                                    ("iris-softmax", "ce")])
def test_a_shortcuts_formula_read_as_written_gives_its_numbers(lesson_name, loss_name):
    """The shortcut's formula, read with the usual precedence, gives the numbers shown
    beside it: a tester read "Pass - Observed / n" as Pass - (Observed / n), the numbers
    being (Pass - Observed) / n. Evaluated here from the formula's own text with each
    output's probability and target, n the number of samples."""
    lesson = load_preset(lesson_name)
    net, y = lesson.network, lesson.targets
    p = net.forward(lesson.inputs).predicted
    checked = 0
    for name in net.param_names:
        b = chain_rule_breakdown(net, lesson.inputs, y, LOSSES[loss_name], name)
        for shortcut in b.shortcuts:
            j = net.names.pre[-1].index(shortcut.symbol.split("/d")[-1])
            observed = next(w for w in re.findall(r"Observed\w*", shortcut.formula))
            text = (shortcut.formula.replace(observed, "y[:, j]")
                    .replace(net.names.post[-1][j], "p[:, j]"))
            assert set(re.findall(r"[A-Za-z_]\w*", text)) <= {"y", "p", "j", "n"}, text
            np.testing.assert_allclose(eval(text, {"y": y, "p": p, "j": j, "n": len(y)}),
                                       shortcut.values, rtol=1e-12, atol=1e-15)
            checked += 1
    assert checked
