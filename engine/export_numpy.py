"""`export-code --to numpy`: the lesson as a standalone numpy script with its own forward
and backward pass, update rule (torch.optim's documented algorithms, written as the
textbooks do), batches and learning-rate schedule. Only the lesson's own choices are
written: a script of plain gradient descent has no Adam in it."""

from __future__ import annotations

import json
import textwrap

from engine.export_run import TOLERANCE, AppRun, docstring, literal, script_text
from engine.losses import LOSSES, Loss

# Each activation as the script writes it: f(z), and f'(z) given z and a = f(z).
_ACTIVATION_CODE = {
    "identity": ("z", "np.ones_like(z)"),
    "sigmoid": ("sigmoid(z)", "a * (1.0 - a)"),
    "softplus": ("np.logaddexp(0.0, z)", "sigmoid(z)"),
    "relu": ("np.maximum(z, 0.0)", "(z > 0).astype(float)"),
    "tanh": ("np.tanh(z)", "1.0 - a * a"),
    "softmax": ("softmax(z)", None),  # a Jacobian: see loss_and_output_delta()
}

# The helpers the activations and losses above use, each written only where needed.
_HELPERS = {
    "sigmoid": ["def sigmoid(z):",
                "    e = np.exp(-np.abs(z))  # never overflows; keeps the small side's digits",
                "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"],
    "softmax": ["def softmax(z):",
                "    e = np.exp(z - z.max(axis=1, keepdims=True))",
                "    return e / e.sum(axis=1, keepdims=True)"],
    "log": ["def log(p):",
            "    return np.log(np.maximum(p, np.exp(-100.0)))  # PyTorch keeps its logs at -100 "
            "or above"],
}

# Each update rule: a comment, its settings' names (PyTorch's, in capitals), the memory it
# keeps per array, and its body for one array: the slope g of array p (i-th) becomes the
# step size. torch.optim's documented algorithms, in the textbooks' notation.
_RULES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "sgd": (["# Gradient descent (torch.optim.SGD): step size = learning rate × slope."],
            [], [], ["sizes.append(lr * g)"]),
    "momentum": (
        ["# Momentum (torch.optim.SGD with momentum): v remembers the slopes,",
         "# v = momentum · v + slope, and the step size is lr · v. At the first update",
         "# v is the slope itself, as torch.optim.SGD starts it."],
        ["momentum"], ["v = [None] * len(params)"],
        ["v[i] = g if t == 1 else MOMENTUM * v[i] + g",
         "sizes.append(lr * v[i])"]),
    "nesterov": (
        ["# Nesterov momentum (torch.optim.SGD, nesterov=True): v remembers the slopes,",
         "# v = momentum · v + slope (the slope itself at the first update), and the step",
         "# looks ahead along v: lr · (slope + momentum · v)."],
        ["momentum"], ["v = [None] * len(params)"],
        ["v[i] = g if t == 1 else MOMENTUM * v[i] + g",
         "sizes.append(lr * (g + MOMENTUM * v[i]))"]),
    "rmsprop": (
        ["# RMSProp (torch.optim.RMSprop): s is a running mean of the squared slopes, and",
         "# each value's step is its slope divided by their typical size √s."],
        ["alpha", "eps"], ["s = [np.zeros_like(p) for p in params]"],
        ["s[i] = ALPHA * s[i] + (1 - ALPHA) * g * g",
         "sizes.append(lr * g / (np.sqrt(s[i]) + EPS))"]),
    "adam": (
        ["# Adam (torch.optim.Adam): running means of the slopes (m) and of their squares",
         "# (s), each corrected for starting at 0; the step is lr · m̂ / (√ŝ + eps)."],
        ["beta1", "beta2", "eps"],
        ["m = [np.zeros_like(p) for p in params]", "s = [np.zeros_like(p) for p in params]"],
        ["m[i] = BETA1 * m[i] + (1 - BETA1) * g",
         "s[i] = BETA2 * s[i] + (1 - BETA2) * g * g",
         "m_hat = m[i] / (1 - BETA1 ** t)",
         "s_hat = s[i] / (1 - BETA2 ** t)",
         "sizes.append(lr * m_hat / (np.sqrt(s_hat) + EPS))"]),
}

# Each schedule: the learning rate of update `update` (from 0), as
# torch.optim.lr_scheduler defines it stepped once per update.
_SCHEDULE_CODE = {
    "step": ("StepLR: × gamma every step_size updates",
             "LEARNING_RATE * GAMMA ** (update // STEP_SIZE)"),
    "exponential": ("ExponentialLR: × gamma every update", "LEARNING_RATE * GAMMA ** update"),
    "cosine": ("CosineAnnealingLR: from the learning rate down to eta_min over T_max "
               "updates (past T_max it rises again)",
               "ETA_MIN + (LEARNING_RATE - ETA_MIN) * (1 + math.cos(math.pi * update / "
               "T_MAX)) / 2"),
}


def numpy_script(run: AppRun) -> str:
    lesson = run.lesson
    net = lesson.network
    loss = LOSSES[lesson.loss]
    acts = [ly.activation for ly in net.layers]
    used = sorted(set(acts))
    frozen = any(not m.all() for m in run.trains)
    helpers = _helpers_used(acts, loss.kind)
    lines = [
        *docstring(run, "in numpy",
                   "Written by `backprop-lab export-code`. Needs only numpy: python "
                   "this_file.py",
                   "It trains the steps itself and checks its numbers against the app's to "
                   "1e-9."),
        "",
        *(["import math", ""] if lesson.schedule.name == "cosine" or run.batched else []),
        "import numpy as np",
        "",
        "",
        *[line for name in helpers for line in [*_HELPERS[name], "", ""]],
        "# --- the lesson -------------------------------------------------------------",
        f"X = np.array({literal(lesson.inputs)})  # inputs: one row per sample",
        f"Y = np.array({literal(lesson.targets)})  # observed: one row per sample",
        f"ACTIVATIONS = {json.dumps(acts)}  # one per layer",
        "# Each layer's weights (neurons × inputs) and biases (None: no bias), at the start",
        f"W = [{', '.join(f'np.array({literal(w)})' for w in net.weights)}]",
        "B = [" + ", ".join("None" if b is None else f"np.array({literal(b)})"
                            for b in net.biases) + "]",
        "# The arrays training changes, layer by layer: weights, then bias (the order of",
        "# PyTorch's model.parameters()). The same arrays as in W and B, changed in place.",
        "params = [p for w, b in zip(W, B) for p in (w, b) if p is not None]",
        *(["# 1 where a value trains, 0 where it stays as it is (one array per array in params)",
           f"TRAIN = [{', '.join(f'np.array({literal(m)})' for m in run.trains)}]"]
          if frozen else []),
        f"STEPS = {run.steps}",
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
        *_loss_code(loss, acts[-1]),
        "",
        "",
        "def loss_and_slopes(W, B, X, Y):",
        '    """The loss over the samples X, Y, and its slope for every array in params',
        '    (backpropagation)."""',
        "    a, zs, outs = X, [], [X]",
        "    for w, b, name in zip(W, B, ACTIVATIONS):",
        "        z = a @ w.T + (0.0 if b is None else b)",
        "        a = activate(name, z)",
        "        zs.append(z)",
        "        outs.append(a)",
        "    value, delta = loss_and_output_delta(a, zs[-1], Y)",
        "    grads_w, grads_b = [None] * len(W), [None] * len(W)",
        "    for k in reversed(range(len(W))):",
        "        grads_w[k] = delta.T @ outs[k]",
        "        grads_b[k] = None if B[k] is None else delta.sum(axis=0)",
        "        if k:",
        "            upstream = delta @ W[k]",
        "            delta = upstream * slope_of_activation(ACTIVATIONS[k - 1], zs[k - 1], "
        "outs[k])",
        "    return value, [g for gw, gb in zip(grads_w, grads_b) for g in (gw, gb) "
        "if g is not None]",
        "",
        "",
        *_batches_code(run),
        *_rate_code(run),
        *_rule_code(run),
        "# --- train -------------------------------------------------------------------",
        "losses = []",
        "for update in range(STEPS + 1):",
        *(["    value, _ = loss_and_slopes(W, B, X, Y)  # over every sample: the app's plot",
           "    losses.append(value)",
           "    if update == STEPS:",
           "        break",
           "    batch = samples_of(update)",
           "    _, slopes = loss_and_slopes(W, B, X[batch], Y[batch])  # over the batch"]
          if run.batched else
          ["    value, slopes = loss_and_slopes(W, B, X, Y)",
           "    losses.append(value)",
           "    if update == STEPS:",
           "        break"]),
        "    lr = " + ("LEARNING_RATE" if lesson.schedule.is_constant
                      else "learning_rate(update)"),
        *(["    for p, size, train in zip(params, step_sizes(update + 1, lr, slopes), TRAIN):",
           "        p -= size * train  # in place: W and B change too; a 0 in TRAIN stays"]
          if frozen else
          ["    for p, size in zip(params, step_sizes(update + 1, lr, slopes)):",
           "        p -= size  # in place: W and B change too"]),
        "",
        "print(f\"loss at the start {losses[0]:.10g}, after {STEPS} steps "
        "{losses[-1]:.10g}\")",
        "",
        "# --- Backprop Lab's numbers for the same steps -------------------------------",
        f"APP_LOSSES = np.array({literal(run.losses)})",
        f"APP_PARAMS = [{', '.join(f'np.array({literal(p)})' for p in run.final)}]",
        f"TOLERANCE = {TOLERANCE!r}",
        "np.testing.assert_allclose(losses, APP_LOSSES, rtol=TOLERANCE, atol=TOLERANCE)",
        "for p, app in zip(params, APP_PARAMS):",
        "    np.testing.assert_allclose(p, app, rtol=TOLERANCE, atol=TOLERANCE)",
        "print(\"Every loss and final value matches Backprop Lab's to 1e-9.\")",
        "",
    ]
    return script_text(lines)


def _helpers_used(activations: list[str], loss_kind: str) -> list[str]:
    used = set(activations) | ({"log"} if loss_kind != "squared" else set())
    if "softplus" in used:
        used.add("sigmoid")  # its slope
    return [name for name in _HELPERS if name in used]


def _batches_code(run: AppRun) -> list[str]:
    if not run.batched:
        return []
    batching = run.lesson.batching
    return [
        "# --- the batches -------------------------------------------------------------",
        f"BATCH_SIZE = {batching.size}",
        f"SEED = {batching.seed}",
        "",
        "",
        "def samples_of(update):",
        '    """The samples whose slopes update `update` (from 0) sums over. As Backprop',
        "    Lab (and PyTorch's DataLoader with shuffle=True) does it, every epoch shuffles",
        "    the samples and cuts them into batches of BATCH_SIZE, the last one smaller when",
        "    BATCH_SIZE does not divide them. The shuffle is numpy's default_rng seeded with",
        "    [SEED, epoch], epochs counted from 1: the app's own, so that these are its",
        '    samples, and the same update always gets the same ones."""',
        "    per_epoch = math.ceil(len(X) / BATCH_SIZE)",
        "    epoch, batch = divmod(update, per_epoch)",
        "    order = np.random.default_rng([SEED, epoch + 1]).permutation(len(X))",
        "    # ascending, as the app adds up the samples' slopes (the same sum, the same digits)",
        "    return np.sort(order[batch * BATCH_SIZE:(batch + 1) * BATCH_SIZE])",
        "",
        "",
    ]


def _rate_code(run: AppRun) -> list[str]:
    """The learning rate's section, for a schedule (a constant rate goes with the rule)."""
    lesson = run.lesson
    schedule = lesson.schedule
    if schedule.is_constant:
        return []
    words, formula = _SCHEDULE_CODE[schedule.name]
    names = list(schedule.settings())
    return [
        "# --- the learning rate -------------------------------------------------------",
        f"LEARNING_RATE = {lesson.learning_rate!r}",
        f"{', '.join(n.upper() for n in names)} = "
        f"{', '.join(repr(v) for v in schedule.settings().values())}",
        "",
        "",
        "def learning_rate(update):",
        *textwrap.wrap(f'"""The learning rate of update `update` (from 0), as '
                       f"torch.optim.lr_scheduler.{words}, stepped once per update."
                       '"""', 84, initial_indent="    ", subsequent_indent="    "),
        f"    return {formula}",
        "",
        "",
    ]


def _rule_code(run: AppRun) -> list[str]:
    opt = run.lesson.optimizer
    comment, settings, memory, body = _RULES[opt.name]
    decay = opt.weight_decay != 0.0
    if decay:
        settings = [*settings, "weight_decay"]
        body = ["g = g + WEIGHT_DECAY * p  # weight decay: a pull towards 0, in the slope",
                *body]
    values = opt.settings()
    lines = ["# --- the update rule ---------------------------------------------------------",
             *comment]
    if run.lesson.schedule.is_constant:
        lines.append(f"LEARNING_RATE = {run.lesson.learning_rate!r}")
    if settings:
        lines.append(f"{', '.join(s.upper() for s in settings)} = "
                     f"{', '.join(repr(values[s]) for s in settings)}")
    lines += [*memory, "", "", "def step_sizes(t, lr, slopes):",
              '    """Update number t (1 for the first) at learning rate lr: how far each',
              '    array\'s values move (new value = old value - step size)."""']
    if opt.name == "sgd" and not decay:
        lines.append("    return [lr * g for g in slopes]")
    else:
        lines += ["    sizes = []",
                  "    for i, (p, g) in enumerate(zip(params, slopes)):",
                  *[f"        {line}" for line in body],
                  "    return sizes"]
    return [*lines, "", ""]


def _loss_code(loss: Loss, output: str) -> list[str]:
    """loss_and_output_delta(P, z, Y): the loss and dLoss/dz of the output layer."""
    lines = ["def loss_and_output_delta(P, z, Y):",
             *textwrap.wrap(f'"""{loss.formula}; and dLoss/dz, the slope of the output '
                            'layer\'s weighted sums."""', 84, initial_indent="    ",
                            subsequent_indent="    ")]
    if loss.kind == "squared":
        scale = f"{loss.factor!r} / Y.size" if loss.mean else f"{loss.factor!r}"
        return [
            *lines,
            f"    c = {scale}",
            "    value = c * float(np.sum((Y - P) ** 2))",
            "    upstream = -2.0 * c * (Y - P)  # dLoss/dPredicted",
            *(["    # through the softmax: its Jacobian times upstream",
               "    return value, P * (upstream - np.sum(upstream * P, axis=1, keepdims=True))"]
              if output == "softmax" else
              ["    return value, upstream * slope_of_activation(ACTIVATIONS[-1], z, P)"]),
        ]
    scale = "1.0 / len(Y)" if loss.mean else "1.0"
    term = ("Y * log(P)" if loss.kind == "cross_entropy"
            else "Y * log(P) + (1.0 - Y) * log(1.0 - P)")
    return [
        *lines,
        f"    c = {scale}",
        f"    value = -c * float(np.sum({term}))",
        f"    return value, c * (P - Y)  # through the {output}: the famous shortcut",
    ]
