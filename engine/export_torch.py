"""`export-code --to pytorch`: the lesson as a standalone PyTorch script, the way one is
written with torch.nn (the network), its losses, torch.optim (the update rule) and
torch.optim.lr_scheduler, in float64, with the app's batches. It needs `pip install torch`
and nothing else (not even numpy, which PyTorch does not install)."""

from __future__ import annotations

import math

import numpy as np

from engine.export_run import TOLERANCE, AppRun, docstring, literal, script_text
from engine.lesson import LessonError
from engine.losses import LOSSES

MAX_ORDER_ENTRIES = 100_000  # sample indices the script may list for its batches
_BCE_CLAMP = 2e-12  # torch's 1e-12, with a margin for the last digits of p
_CE_FLOOR = 2 * math.exp(-100.0)  # the app's log floor, with a margin

# nn's module for each activation (None: nothing between the layers).
_MODULES = {
    "identity": None,
    "sigmoid": "nn.Sigmoid()",
    "softplus": "nn.Softplus(threshold=40)",
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim=1)",
}
_MODULE_NOTES = {
    "softplus": "  # torch's default threshold 20 suits float32: above it softplus(z) is "
                "taken as z, 2e-9 off in float64",
}

# The engine's losses as torch defines them (the engine's own definitions follow torch's).
_LOSS_CODE = {
    "squared": 'nn.MSELoss(reduction="{reduction}")',
    "cross_entropy": 'nn.CrossEntropyLoss(reduction="{reduction}")',
    "binary_cross_entropy": 'nn.BCELoss(reduction="{reduction}")',
}

_OPTIMIZER_CODE = {
    "sgd": ("torch.optim.SGD", ()),
    "momentum": ("torch.optim.SGD", ("momentum",)),
    "nesterov": ("torch.optim.SGD", ("momentum", "nesterov=True")),
    "rmsprop": ("torch.optim.RMSprop", ("alpha", "eps")),
    "adam": ("torch.optim.Adam", ("betas", "eps")),
}

_SCHEDULER_CODE = {"step": "StepLR", "exponential": "ExponentialLR",
                   "cosine": "CosineAnnealingLR"}


def torch_script(run: AppRun) -> str:
    _check_outputs(run)
    lesson = run.lesson
    net = lesson.network
    loss = LOSSES[lesson.loss]
    # nn.CrossEntropyLoss takes the scores z and does the softmax itself
    fused_softmax = loss.kind == "cross_entropy"
    trains, keeps = _frozen_code(run)
    batched = run.batched
    lines = [
        *docstring(run, "in PyTorch",
                   "Written by `backprop-lab export-code --to pytorch`; needs only PyTorch "
                   "(pip install torch).",
                   "Run it with python this_file.py: it trains the steps with torch.nn and "
                   "torch.optim and",
                   "checks its numbers against the app's to 1e-9."),
        "",
        "import torch",
        "from torch import nn",
        "",
        "torch.set_default_dtype(torch.float64)  # Backprop Lab computes in float64",
        "",
        "# --- the lesson -------------------------------------------------------------",
        f"X = torch.tensor({literal(lesson.inputs)})  # inputs: one row per sample",
        f"Y = torch.tensor({literal(lesson.targets)})  # observed: one row per sample",
        f"STEPS = {run.steps}",
        "",
        "# --- the network, its loss and its update rule -------------------------------",
        "# One nn.Linear per layer: its weights (neurons × inputs) and biases",
        "linear = [" + ", ".join(
            f"nn.Linear({m}, {ly.neurons}{'' if ly.bias else ', bias=False'})"
            for m, ly in zip([net.inputs, *net.sizes[:-1]], net.layers, strict=True)) + "]",
        "model = nn.Sequential(",
    ]
    last = len(net.layers) - 1
    for k, ly in enumerate(net.layers):
        module = _MODULES[ly.activation]
        if k == last and fused_softmax:
            lines.append(f"    linear[{k}],  # its softmax: in nn.CrossEntropyLoss below")
        elif module is None:
            lines.append(f"    linear[{k}],")
        else:
            lines.append(f"    linear[{k}], {module},{_MODULE_NOTES.get(ly.activation, '')}")
    lines += [
        ")",
        "with torch.no_grad():  # the lesson's starting values",
    ]
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        lines.append(f"    linear[{k}].weight.copy_(torch.tensor({literal(w)}))")
        if b is not None:
            lines.append(f"    linear[{k}].bias.copy_(torch.tensor({literal(b)}))")
    scale = "" if loss.factor == 1.0 else f"{loss.factor!r} * "
    reduction = "mean" if loss.mean else "sum"
    torch_loss = _LOSS_CODE[loss.kind].format(reduction=reduction)
    lines += ["", f"# {loss.formula}"]
    if fused_softmax:
        lines.append("# nn.CrossEntropyLoss takes the scores z and does the softmax itself")
    if scale:
        lines += [f"unscaled_loss = {torch_loss}", "", "",
                  "def loss_function(P, Y):", f"    return {scale}unscaled_loss(P, Y)", "", ""]
    else:
        lines.append(f"loss_function = {torch_loss}")
    lines += [*trains, *_optimizer_code(run), *_batches_code(run)]
    lines += [
        "",
        "# --- train -------------------------------------------------------------------",
        "losses = []",
        "for update in range(STEPS + 1):",
        *(["    with torch.no_grad():  # the loss over every sample: the app's plot",
           "        losses.append(loss_function(model(X), Y).item())",
           "    if update == STEPS:",
           "        break",
           "    batch = samples_of(update)",
           "    optimizer.zero_grad()",
           "    loss_function(model(X[batch]), Y[batch]).backward()  # slopes over the batch"]
          if batched else
          ["    optimizer.zero_grad()",
           "    loss = loss_function(model(X), Y)",
           "    losses.append(loss.item())",
           "    if update == STEPS:",
           "        break",
           "    loss.backward()  # every slope, into each parameter's .grad"]),
        "    optimizer.step()",
        *(["    scheduler.step()  # the next update's learning rate"]
          if not lesson.schedule.is_constant else []),
        *keeps,
        "",
        "print(f\"loss at the start {losses[0]:.10g}, after {STEPS} steps "
        "{losses[-1]:.10g}\")",
        "",
        "# --- Backprop Lab's numbers for the same steps -------------------------------",
        f"APP_LOSSES = torch.tensor({literal(run.losses)})",
        "# layer by layer, weights then bias: the order of model.parameters()",
        f"APP_PARAMS = [{', '.join(f'torch.tensor({literal(p)})' for p in run.final)}]",
        f"TOLERANCE = {TOLERANCE!r}",
        "torch.testing.assert_close(torch.tensor(losses), APP_LOSSES, rtol=TOLERANCE, "
        "atol=TOLERANCE)",
        "for p, app in zip(model.parameters(), APP_PARAMS):",
        "    torch.testing.assert_close(p.detach(), app, rtol=TOLERANCE, atol=TOLERANCE)",
        "print(\"Every loss and final value matches Backprop Lab's to 1e-9.\")",
        "",
    ]
    return script_text(lines)


def _check_outputs(run: AppRun) -> None:
    """Refuse where torch's loss would give other numbers than the app's: nn.BCELoss
    clamps its slope where p (1 - p) < 1e-12 (a saturated sigmoid, |z| > 27.6), where
    the app uses the exact p - y; nn.CrossEntropyLoss's log-softmax is exact where the
    app (as BCELoss) keeps each log at -100 or above."""
    lesson = run.lesson
    kind = LOSSES[lesson.loss].kind
    if kind == "squared":
        return
    net, y = lesson.network.copy(), lesson.targets
    for step, params in zip(run.rows, run.params_by_row, strict=True):
        net.set_params(params)
        p = net.predict(lesson.inputs)
        if kind == "binary_cross_entropy" and np.any(p * (1.0 - p) < _BCE_CLAMP):
            raise LessonError(
                f"loss: at step {step} a sigmoid output saturates (p·(1 - p) below 1e-12), "
                "where nn.BCELoss clamps its slope and the app uses the exact p - y; "
                "export fewer steps, lower the learning rate, or export the NumPy script")
        if kind == "cross_entropy" and np.any((y > 0) & (p < _CE_FLOOR)):
            raise LessonError(
                f"loss: at step {step} an observed class's probability is below e^-100, "
                "where the app keeps its log at -100 and nn.CrossEntropyLoss does not; "
                "export fewer steps, lower the learning rate, or export the NumPy script")


def _frozen_code(run: AppRun) -> tuple[list[str], list[str]]:
    """The lines that freeze what does not train, and the training loop's lines that put
    back frozen values inside tensors that train (torch.optim moves whole tensors)."""
    names = [f"linear[{k}].{kind}" for k, (w, b) in enumerate(
        zip(run.lesson.network.weights, run.lesson.network.biases, strict=True))
        for kind in ("weight", "bias") if kind == "weight" or b is not None]
    whole = [name for name, m in zip(names, run.trains, strict=True) if not m.any()]
    partly = [(name, m) for name, m in zip(names, run.trains, strict=True)
              if m.any() and not m.all()]
    if len(whole) == len(names):
        raise LessonError("trainable: nothing trains in this lesson; a PyTorch optimizer "
                          "needs at least one value to train")
    lines = []
    if whole:
        lines += ["# These stay as they are (the lesson trains only some of its values)",
                  *[f"{name}.requires_grad_(False)" for name in whole]]
    if partly:
        lines += ["# Inside these tensors some values stay as they are (False). torch.optim",
                  "# moves whole tensors, so training puts them back after every step.",
                  "keep = [" + ", ".join(f"({name}, torch.tensor({(m == 0).tolist()!r}))"
                                         for name, m in partly) + "]",
                  "keep = [(p, stays, p.detach().clone()) for p, stays in keep]"]
    keeps = ["    with torch.no_grad():",
             "        for p, stays, start in keep:",
             "            p[stays] = start[stays]"] if partly else []
    return lines, keeps


def _optimizer_code(run: AppRun) -> list[str]:
    lesson = run.lesson
    opt = lesson.optimizer
    name, settings = _OPTIMIZER_CODE[opt.name]
    words = [f"lr={lesson.learning_rate!r}"]
    for setting in settings:
        if setting == "betas":
            words.append(f"betas=({opt.beta1!r}, {opt.beta2!r})")
        elif "=" in setting:
            words.append(setting)
        else:
            words.append(f"{setting}={getattr(opt, setting)!r}")
    if opt.weight_decay:
        words.append(f"weight_decay={opt.weight_decay!r}")
    lines = [""]
    params = "model.parameters()"
    if any(not m.any() for m in run.trains):  # whole tensors frozen by requires_grad
        lines.append("trained = [p for p in model.parameters() if p.requires_grad]")
        params = "trained"
    lines += _call(f"optimizer = {name}(", [params, *words])
    schedule = lesson.schedule
    if not schedule.is_constant:
        lines += ["# the learning rate of each update, the scheduler stepped once per update",
                  *_call(f"scheduler = torch.optim.lr_scheduler."
                         f"{_SCHEDULER_CODE[schedule.name]}(",
                         ["optimizer", *(f"{k}={v!r}" for k, v in schedule.settings().items())])]
    return lines


def _call(opening: str, arguments: list[str], width: int = 88) -> list[str]:
    """`opening` (ending with its "(") and the arguments, wrapped under the "("."""
    lines, line = [], opening
    for k, argument in enumerate(arguments):
        text = argument + (", " if k < len(arguments) - 1 else ")")
        if len(line) + len(text.rstrip()) > width and line != opening:
            lines.append(line.rstrip())
            line = " " * len(opening)
        line += text
    return [*lines, line]


def _batches_code(run: AppRun) -> list[str]:
    if not run.batched:
        return []
    orders = run.orders()
    entries = sum(len(order) for order in orders)
    if entries > MAX_ORDER_ENTRIES:
        raise LessonError(
            f"steps: a PyTorch script lists the shuffled order of every epoch it trains, "
            f"{entries:,} sample numbers for {run.steps} steps (at most "
            f"{MAX_ORDER_ENTRIES:,}); export fewer steps, or the NumPy script")
    return [
        "",
        "# --- the batches -------------------------------------------------------------",
        f"BATCH_SIZE = {run.lesson.batching.size}",
        "# Every epoch's order of the samples, as Backprop Lab shuffled them (numpy's",
        f"# default_rng([{run.lesson.batching.seed}, epoch]).permutation, epochs from 1). "
        "Written out: a",
        "# DataLoader(shuffle=True) would draw its own order from torch's generator.",
        "ORDERS = [" + ",\n          ".join(literal(order) for order in orders) + "]",
        "",
        "",
        "def samples_of(update):",
        '    """The samples whose slopes update `update` (from 0) sums over: each epoch\'s',
        "    order cut into batches of BATCH_SIZE, the last one smaller when BATCH_SIZE does",
        '    not divide the samples."""',
        "    per_epoch = -(-len(X) // BATCH_SIZE)  # batches per epoch, rounded up",
        "    epoch, batch = divmod(update, per_epoch)",
        "    # ascending, as the app adds up the samples' slopes",
        "    return sorted(ORDERS[epoch][batch * BATCH_SIZE:(batch + 1) * BATCH_SIZE])",
        "",
    ]
