"""The update rules, each as PyTorch's torch.optim writes it (same names, same defaults),
with its state as plain arrays so that every step can be shown, undone and rewound.

Plain gradient descent is the articles' rule:

    step size = slope × learning rate;   new value = old value − step size

The others change how the slope becomes a step size, with a memory of earlier slopes:

    momentum   v = momentum · v + slope                 step size = lr · v
    nesterov   v = momentum · v + slope                 step size = lr · (slope + momentum · v)
    rmsprop    s = alpha · s + (1 − alpha) · slope²     step size = lr · slope / (√s + eps)
    adam       m = beta1 · m + (1 − beta1) · slope
               s = beta2 · s + (1 − beta2) · slope²
               m̂ = m / (1 − beta1ᵗ),  ŝ = s / (1 − beta2ᵗ)   step size = lr · m̂ / (√ŝ + eps)

(t counts the updates, 1 for the first.) A weight decay, where set, adds
weight_decay · value to the slope first, as torch.optim does. A frozen parameter takes
no step and its state stays as it was (torch.optim skips it).

The training loop runs the same arithmetic in place (engine/fast_rules.py).
The arithmetic follows torch.optim's order where it differs from the textbook's (Adam
divides √s by √(1 − beta2ᵗ) and multiplies by lr / (1 − beta1ᵗ)), so the numbers agree
with PyTorch's to the last digits, not only to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Step:
    """One update's numbers for every parameter: the step sizes (new = old − step), the
    state after it, and the named intermediate arrays the breakdown writes out."""

    sizes: np.ndarray
    state: np.ndarray  # shape (len(state_names), parameters)
    parts: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Optimizer:
    """An update rule and its settings (PyTorch's names). `state_names` are the arrays
    it remembers between steps (none for plain gradient descent)."""

    name: str = "sgd"
    momentum: float = 0.0  # momentum, nesterov: torch.optim.SGD's
    alpha: float = 0.99  # rmsprop: torch.optim.RMSprop's
    beta1: float = 0.9  # adam: torch.optim.Adam's betas
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.name!r}: one of "
                             + ", ".join(OPTIMIZERS))
        for setting in SETTINGS[self.name]:
            value = getattr(self, setting)
            low, high = RANGES[setting]
            if not (isinstance(value, (int, float)) and math.isfinite(value)
                    and low <= value < high):
                raise ValueError(f"{setting} must be a number from {low:g} up to "
                                 f"{'but not including ' if high <= 1 else ''}{high:g}")

    @property
    def state_names(self) -> tuple[str, ...]:
        return STATE_NAMES[self.name]

    @property
    def is_plain(self) -> bool:
        """The articles' rule: no state, no decay (the trainer's fastest loop)."""
        return self.name == "sgd" and self.weight_decay == 0.0

    def settings(self) -> dict[str, float]:
        """The settings this rule uses, by PyTorch's names."""
        return {name: getattr(self, name) for name in SETTINGS[self.name]}

    def initial_state(self, parameters: int) -> np.ndarray:
        return np.zeros((len(self.state_names), parameters))

    def step(self, grad: np.ndarray, params: np.ndarray, state: np.ndarray, t: int,
             lr: float, mask: np.ndarray | None = None) -> Step:
        """Update number `t` (1 for the first) from the slopes `grad` at `params`, with
        `state` as it was before it. Nothing passed in is changed."""
        g = grad + self.weight_decay * params if self.weight_decay else grad
        parts: dict[str, np.ndarray] = {"g": g}  # the slope the rule uses
        if self.name == "sgd":
            sizes, new = lr * g, state.copy()
        elif self.name in ("momentum", "nesterov"):
            # torch.optim.SGD: the first step's buffer is the slope itself.
            v = g.copy() if t == 1 else state[0] * self.momentum + g
            parts["v"] = v
            direction = g + self.momentum * v if self.name == "nesterov" else v
            sizes, new = lr * direction, v[None, :]
        elif self.name == "rmsprop":
            s = state[0] * self.alpha + (1 - self.alpha) * g * g
            denominator = np.sqrt(s) + self.eps
            parts.update(s=s, denominator=denominator)
            sizes, new = lr * (g / denominator), s[None, :]
        else:  # adam
            m = state[0] + (1 - self.beta1) * (g - state[0])  # torch's lerp
            s = state[1] * self.beta2 + (1 - self.beta2) * g * g
            correction1 = 1 - self.beta1 ** t
            correction2 = 1 - self.beta2 ** t
            denominator = np.sqrt(s) / math.sqrt(correction2) + self.eps
            parts.update(m=m, s=s, m_hat=m / correction1, s_hat=s / correction2,
                         denominator=denominator)
            sizes, new = (lr / correction1) * (m / denominator), np.stack([m, s])
        if mask is not None:  # frozen: no step, the state as it was
            sizes = sizes * mask
            new = np.where(mask.astype(bool), new, state)
        return Step(sizes, new, parts)


OPTIMIZERS = {
    "sgd": "gradient descent (the articles' rule; torch.optim.SGD)",
    "momentum": "gradient descent with momentum (torch.optim.SGD, momentum)",
    "nesterov": "Nesterov momentum (torch.optim.SGD, nesterov=True)",
    "rmsprop": "RMSProp (torch.optim.RMSprop)",
    "adam": "Adam (torch.optim.Adam)",
}
STATE_NAMES = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",),
               "adam": ("m", "s")}
SETTINGS = {"sgd": ("weight_decay",), "momentum": ("momentum", "weight_decay"),
            "nesterov": ("momentum", "weight_decay"),
            "rmsprop": ("alpha", "eps", "weight_decay"),
            "adam": ("beta1", "beta2", "eps", "weight_decay")}
# What each setting may be: [low, high). A momentum or beta of 1 never forgets.
RANGES = {"momentum": (0.0, 1.0), "alpha": (0.0, 1.0), "beta1": (0.0, 1.0),
          "beta2": (0.0, 1.0), "eps": (0.0, 1.0), "weight_decay": (0.0, 1e6)}
# The defaults a new choice starts from: PyTorch's, and 0.9 for momentum (its usual value;
# torch.optim.SGD's own default of 0 is plain descent).
DEFAULTS = {"momentum": Optimizer("momentum", momentum=0.9),
            "nesterov": Optimizer("nesterov", momentum=0.9),
            "sgd": Optimizer("sgd"), "rmsprop": Optimizer("rmsprop"),
            "adam": Optimizer("adam")}
