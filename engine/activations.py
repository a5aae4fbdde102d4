"""Activation functions, each with its derivative beside it and the words a lesson uses.

Every function here is written so that no input, however large, overflows or warns:
softplus(800) = 800, softplus(-800) = 0, sigmoid(+-800) = 1 and 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _sigmoid(x: Array, out: Array | None = None) -> Array:
    # 0.5 (1 + tanh(x/2)) is the logistic function without exp(-x) overflowing for x << 0.
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _softplus(x: Array, out: Array | None = None) -> Array:
    # log(1 + e^x) computed as logaddexp(0, x): exact for large |x|, never overflows.
    return np.logaddexp(0.0, x, out=out)


def _identity(x: Array, out: Array | None = None) -> Array:
    if out is None:
        return x
    out[...] = x
    return out


def _softplus_derivative(x: Array, y: Array) -> Array:
    # d/dx log(1 + e^x) = e^x / (1 + e^x) = e^(x - softplus(x)): reuses y, cannot overflow.
    return np.exp(x - y)


@dataclass(frozen=True)
class Activation:
    """f(x) and f'(x). `function(x, out=None)` may write into `out` (training reuses
    buffers); `derivative(x, y)` receives both the input x and the output y = f(x),
    because some derivatives read best in terms of y (sigmoid: y (1 - y))."""

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    formula: str  # f as a lesson writes it, with {x} for the input
    derivative_formula: str  # f' as a lesson writes it, with {x} input and {y} output

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", _identity, lambda x, y: np.ones_like(x), "{x}", "1"),
        Activation(
            "sigmoid", _sigmoid, lambda x, y: y * (1.0 - y),
            "1 / (1 + e^-{x})", "{y} (1 - {y})",
        ),
        Activation(
            "softplus", _softplus, _softplus_derivative,
            "log(1 + e^{x})", "e^{x} / (1 + e^{x})",
        ),
        Activation(
            "relu", lambda x, out=None: np.maximum(x, 0.0, out=out),
            lambda x, y: (x > 0).astype(float),
            "max(0, {x})", "1 if {x} > 0 else 0",
        ),
        Activation(
            "tanh", lambda x, out=None: np.tanh(x, out=out), lambda x, y: 1.0 - y * y,
            "tanh({x})", "1 - {y}²",
        ),
    )
}
