"""`backprop-lab export-code LESSON --to numpy -o FILE.py`: a short standalone numpy
script of a lesson (its network, data, loss, learning rate and starting values) that
trains the same steps with its own forward and backward pass and checks that its numbers
match the app's to 1e-9: the bridge from the app to code a student can read and change.

The app's numbers are written into the script (computed here, once, by the engine);
the script computes its own from the formulas and compares."""

from __future__ import annotations

import json

import numpy as np

from engine.batching import Batching
from engine.lesson import Lesson, LessonError
from engine.losses import LOSSES
from engine.training import StopReason

TOLERANCE = 1e-9
MAX_STEPS = 10_000

# Each activation as the script writes it: f(z), and f'(z) given z and a = f(z).
_ACTIVATION_CODE = {
    "identity": ("z", "np.ones_like(z)"),
    "sigmoid": ("sigmoid(z)", "a * (1.0 - a)"),
    "softplus": ("np.logaddexp(0.0, z)", "sigmoid(z)"),
    "relu": ("np.maximum(z, 0.0)", "(z > 0).astype(float)"),
    "tanh": ("np.tanh(z)", "1.0 - a * a"),
    "softmax": ("softmax(z)", None),  # a Jacobian: see backward()
}

_HELPERS = '''
def sigmoid(z):
    e = np.exp(-np.abs(z))  # never overflows; keeps the small side's digits
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log(p):
    return np.log(np.maximum(p, np.exp(-100.0)))  # PyTorch keeps its logs at -100 or above
'''


def _literal(array) -> str:
    return f"np.array({json.dumps(np.asarray(array).tolist())})"


def numpy_script(lesson: Lesson, steps: int) -> str:
    """The script's text; raises LessonError for what it cannot write yet."""
    if not lesson.optimizer.is_plain:
        raise LessonError(f"optimizer: export-code writes plain gradient descent only, not "
                          f"{lesson.optimizer.name}")
    if lesson.batching != Batching():
        raise LessonError("batching: export-code writes full-batch steps only (every "
                          "sample in each step)")
    if not lesson.schedule.is_constant:
        raise LessonError(f"schedule: export-code writes a constant learning rate only, not "
                          f"a {lesson.schedule.name} schedule")
    if not lesson.validation.is_none:
        raise LessonError("validation: export-code trains on every sample only (no "
                          "samples held out for validation)")
    if not 0 <= steps <= MAX_STEPS:
        raise LessonError(f"steps: from 0 to {MAX_STEPS}, not {steps}")
    trainer = lesson.trainer()
    if trainer.run(steps, respect_stop_rule=False) is StopReason.DIVERGED:
        raise LessonError(f"steps: training diverges at step {trainer.steps_done + 1}; "
                          "export fewer steps or lower the learning rate")
    net, start = lesson.network, lesson.network.copy()
    loss = LOSSES[lesson.loss]
    masks = net.layer_blocks(trainer.mask.copy())
    acts = [ly.activation for ly in net.layers]
    used = sorted(set(acts))
    lines = [
        f'"""{_docstring(lesson.title)}: {steps} steps of gradient descent, as Backprop Lab '
        'trains them.',
        "",
        "Written by `backprop-lab export-code`. Needs only numpy: python this_file.py",
        'It trains the steps itself and checks its numbers against the app\'s to 1e-9."""',
        "",
        "import numpy as np",
        "",
        _HELPERS,
        "",
        "# --- the lesson -------------------------------------------------------------",
        f"X = {_literal(lesson.inputs)}  # inputs: one row per sample",
        f"Y = {_literal(lesson.targets)}  # observed: one row per sample",
        f"ACTIVATIONS = {json.dumps(acts)}  # one per layer",
        "# Each layer's weights (neurons × inputs) and biases (None: no bias), at the start",
        f"W = [{', '.join(_literal(w) for w in start.weights)}]",
        f"B = [{', '.join('None' if b is None else _literal(b) for b in start.biases)}]",
        "# 1 where a value trains, 0 where it stays as it is",
        f"TRAIN_W = [{', '.join(_literal(m[:, :w.shape[1]]) for m, w in zip(masks, start.weights, strict=True))}]",  # noqa: E501
        f"TRAIN_B = [{', '.join('None' if b is None else _literal(m[:, -1]) for m, b in zip(masks, start.biases, strict=True))}]",  # noqa: E501
        f"LEARNING_RATE = {lesson.learning_rate!r}",
        f"STEPS = {steps}",
        "",
        "",
        "def activate(name, z):",
        *[f"    if name == {n!r}:\n        return {_ACTIVATION_CODE[n][0]}" for n in used],
        "",
        "",
        "def slope_of_activation(name, z, a):",
        *[f"    if name == {n!r}:\n        return {_ACTIVATION_CODE[n][1]}" for n in used
          if _ACTIVATION_CODE[n][1] is not None],
        "",
        "",
        *_loss_code(loss.kind, loss.factor, loss.mean),
        "",
        "",
        "def loss_and_slopes(W, B):",
        '    """The loss, and its slope for every weight and bias (backpropagation)."""',
        "    a, zs, outs = X, [], [X]",
        "    for w, b, name in zip(W, B, ACTIVATIONS):",
        "        z = a @ w.T + (0.0 if b is None else b)",
        "        a = activate(name, z)",
        "        zs.append(z)",
        "        outs.append(a)",
        "    value, delta = loss_and_output_delta(a, zs[-1])",
        "    grads_w, grads_b = [None] * len(W), [None] * len(W)",
        "    for k in reversed(range(len(W))):",
        "        grads_w[k] = delta.T @ outs[k]",
        "        grads_b[k] = None if B[k] is None else delta.sum(axis=0)",
        "        if k:",
        "            upstream = delta @ W[k]",
        "            delta = upstream * slope_of_activation(ACTIVATIONS[k - 1], zs[k - 1], "
        "outs[k])",
        "    return value, grads_w, grads_b",
        "",
        "",
        "# --- train -------------------------------------------------------------------",
        "losses = []",
        "for step in range(STEPS + 1):",
        "    value, grads_w, grads_b = loss_and_slopes(W, B)",
        "    losses.append(value)",
        "    if step == STEPS:",
        "        break",
        "    for k in range(len(W)):",
        "        W[k] = W[k] - LEARNING_RATE * grads_w[k] * TRAIN_W[k]",
        "        if B[k] is not None:",
        "            B[k] = B[k] - LEARNING_RATE * grads_b[k] * TRAIN_B[k]",
        "",
        "print(f\"loss at the start {losses[0]:.10g}, after {STEPS} steps "
        "{losses[-1]:.10g}\")",
        "",
        "# --- Backprop Lab's numbers for the same steps -------------------------------",
        f"APP_LOSSES = {_literal(trainer.history.loss)}",
        f"APP_W = [{', '.join(_literal(w) for w in trainer.network.weights)}]",
        f"APP_B = [{', '.join('None' if b is None else _literal(b) for b in trainer.network.biases)}]",  # noqa: E501
        f"TOLERANCE = {TOLERANCE!r}",
        "np.testing.assert_allclose(losses, APP_LOSSES, rtol=TOLERANCE, atol=TOLERANCE)",
        "for k in range(len(W)):",
        "    np.testing.assert_allclose(W[k], APP_W[k], rtol=TOLERANCE, atol=TOLERANCE)",
        "    if B[k] is not None:",
        "        np.testing.assert_allclose(B[k], APP_B[k], rtol=TOLERANCE, atol=TOLERANCE)",
        "print(\"Every loss and final value matches Backprop Lab's to 1e-9.\")",
        "",
    ]
    return "\n".join(lines)


def _docstring(title: str) -> str:
    return title.replace("\\", "\\\\").replace('"""', "'''")


def _loss_code(kind: str, factor: float, mean: bool) -> list[str]:
    """loss_and_output_delta(P, z): the loss and dLoss/dz of the output layer."""
    if kind == "squared":
        scale = f"{factor!r} / Y.size" if mean else f"{factor!r}"
        return [
            "def loss_and_output_delta(P, z):",
            f'    """{factor:g} × the sum of squared errors{" / (samples × outputs)" if mean else ""}; '  # noqa: E501
            'dLoss/dz through the output activation."""',
            f"    c = {scale}",
            "    value = c * float(np.sum((Y - P) ** 2))",
            "    upstream = -2.0 * c * (Y - P)  # dLoss/dPredicted",
            "    if ACTIVATIONS[-1] == 'softmax':  # its Jacobian times upstream",
            "        return value, P * (upstream - np.sum(upstream * P, axis=1, keepdims=True))",
            "    return value, upstream * slope_of_activation(ACTIVATIONS[-1], z, P)",
        ]
    scale = "1.0 / len(Y)" if mean else "1.0"
    term = ("Y * log(P)" if kind == "cross_entropy"
            else "Y * log(P) + (1.0 - Y) * log(1.0 - P)")
    return [
        "def loss_and_output_delta(P, z):",
        f'    """Cross-entropy{" / samples" if mean else ""}; with its '
        f'{"softmax" if kind == "cross_entropy" else "sigmoid"} output dLoss/dz is '
        'P - Y (times the scale)."""',
        f"    c = {scale}",
        f"    value = -c * float(np.sum({term}))",
        "    return value, c * (P - Y)",
    ]
