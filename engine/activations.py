"""Activation functions, each with its derivative beside it and the words a lesson uses.

Every function here is written so that no input, however large, overflows or warns:
softplus(800) = 800, softplus(-800) = 0, sigmoid(+-800) = 1 and 0, softmax of ±800.

All but softmax act on each neuron alone, so f'(x) is one number per neuron. Softmax acts
on a whole layer, p_k = e^{z_k} / Σ_j e^{z_j}, along the last axis (the neurons of a
sample-major array); its derivative is a Jacobian, ∂p_k/∂z_j = p_k (δ_kj - p_j), and the
backward pass uses it through `backward` (the Jacobian times the upstream gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _sigmoid(x: Array, out: Array | None = None) -> Array:
    # With e = e^-|x| (which never overflows): 1 / (1 + e) for x >= 0, e / (1 + e) for
    # x < 0, each to full precision. 0.5 (1 + tanh(x/2)) lost the small side to
    # cancellation: sigmoid(-29.4) was 0.45 % off and sigmoid(-40) exactly 0, so a
    # cross-entropy read 100 (its log floor) where it is 40, and slopes disagreed with
    # finite differences.
    negative = x < 0  # before `out`, which may be x itself, is written
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.add(e, 1.0, out=out)
    np.reciprocal(out, out=out)
    np.multiply(out, e, out=out, where=negative)
    return out


def _sigmoid_derivative(x: Array, y: Array, out: Array | None = None) -> Array:
    # σ'(x) = y (1 - y), computed in place: big data sets pay for every temporary array.
    out = np.subtract(1.0, y, out=out)
    out *= y
    return out


def _softplus(x: Array, out: Array | None = None) -> Array:
    # log(1 + e^x) computed as logaddexp(0, x): exact for large |x|, never overflows.
    return np.logaddexp(0.0, x, out=out)


def _softplus_derivative(x: Array, y: Array, out: Array | None = None) -> Array:
    # d/dx log(1 + e^x) = e^x / (1 + e^x) = e^(x - softplus(x)): reuses y, cannot overflow.
    out = np.subtract(x, y, out=out)
    return np.exp(out, out=out)


def _identity(x: Array, out: Array | None = None) -> Array:
    if out is None:
        return x
    out[...] = x
    return out


def _ones(x: Array, y: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.ones_like(x)
    out.fill(1.0)
    return out


def _relu_derivative(x: Array, y: Array, out: Array | None = None) -> Array:
    if out is None:
        return (x > 0).astype(float)
    out[...] = x > 0
    return out


def _tanh_derivative(x: Array, y: Array, out: Array | None = None) -> Array:
    out = np.multiply(y, y, out=out)  # 1 - y², in place
    np.subtract(1.0, out, out=out)
    return out


def _softmax(x: Array, out: Array | None = None) -> Array:
    # e^(z - max z) / Σ e^(z - max z): the same p, and no exponent above 0 can overflow.
    out = np.subtract(x, x.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _softmax_diagonal(x: Array, y: Array, out: Array | None = None) -> Array:
    # ∂p_k/∂z_k = p_k (1 - p_k): the Jacobian's diagonal only; `backward` uses all of it.
    return _sigmoid_derivative(x, y, out)


def softmax_jacobian(p: Array) -> Array:
    """∂p_k/∂z_j = p_k (δ_kj - p_j) per sample: shape samples × k × j."""
    return p[:, :, None] * (np.eye(p.shape[-1]) - p[:, None, :])


@dataclass(frozen=True)
class Activation:
    """f(x) and f'(x). `function(x, out=None)` and `derivative(x, y, out=None)` may
    write into `out` (training reuses buffers); the derivative receives both the input x
    and the output y = f(x), because some read best in terms of y (sigmoid: y (1 - y))."""

    name: str
    function: Callable[..., Array]
    derivative: Callable[..., Array]
    formula: str  # f as a lesson writes it, with {x} for the input
    derivative_formula: str  # f' as a lesson writes it, with {x} input and {y} output
    elementwise: bool = True  # False: f mixes a layer's neurons (softmax)

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"

    @property
    def derivative_needs_input(self) -> bool:
        """Whether f' needs x, or is written in y alone (then training may overwrite x
        with y = f(x) in place)."""
        return "{x}" in self.derivative_formula

    def backward(self, x: Array, y: Array, upstream: Array) -> Array:
        """dLoss/dx from dLoss/dy (sample-major, neurons along the last axis): f'(x) ·
        upstream for one-neuron functions; for softmax the Jacobian's product,
        Σ_k upstream_k p_k (δ_kj - p_j) = p_j (upstream_j - Σ_k upstream_k p_k)."""
        if self.elementwise:
            return upstream * self.derivative(x, y)
        return y * (upstream - np.sum(upstream * y, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", _identity, _ones, "{x}", "1"),
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, "1 / (1 + e^-{x})",
                   "{y} (1 - {y})"),
        Activation(
            "softplus", _softplus, _softplus_derivative,
            "log(1 + e^{x})", "e^{x} / (1 + e^{x})",
        ),
        Activation(
            "relu", lambda x, out=None: np.maximum(x, 0.0, out=out), _relu_derivative,
            "max(0, {x})", "1 if {x} > 0 else 0",
        ),
        Activation(
            "tanh", lambda x, out=None: np.tanh(x, out=out), _tanh_derivative,
            "tanh({x})", "1 - {y}²",
        ),
        # Formulas for one entry of the Jacobian: {y} = p_k, {x} = z_j, {other} = p_j.
        Activation(
            "softmax", _softmax, _softmax_diagonal,
            "e^{x} / Σ e^z", "{y} (δ - {other})", elementwise=False,
        ),
    )
}
