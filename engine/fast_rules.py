"""The update rules as the training loop runs them: in place, no new arrays.

`Optimizer.step` (engine/optimizers.py) is the rule to read: it returns every named
number the breakdown writes out. The loop cannot afford it: on a network of a handful
of parameters (the articles' seven) a numpy call costs far more than its arithmetic, and
`step` makes a dozen new arrays. So `advance` does the same arithmetic in the same order,
to the last bit (tests/test_optimizers.py checks it against `step` for every rule):

- a few parameters, for the rules of many operations (RMSProp, Adam): in Python floats (a
  float operation costs ~20 ns, a numpy call on a small array ~500 ns: Adam's twelve calls
  were a third of statquest-all's step);
- more: numpy ufuncs writing into the arrays given, no temporaries.

Python's and numpy's float64 arithmetic are the same IEEE operations (+, −, ×, ÷ and
√ correctly rounded), so the two ways give the same bits.
"""

from __future__ import annotations

import math

import numpy as np

from engine.optimizers import Optimizer

# Up to how many parameters floats beat numpy calls, per rule (measured: Adam's twelve
# calls ~7 µs against ~3.4 µs of floats at 7 parameters, even at ~20; RMSProp's eight at
# ~12). Gradient descent and momentum make three or four calls: numpy is as fast.
FLOATS_UP_TO = {"rmsprop": 12, "adam": 20}


def advance(opt: Optimizer, grad: np.ndarray, params: np.ndarray, state: np.ndarray,
            t: int, lr: float, sizes: np.ndarray) -> float:
    """Update number `t` with every parameter trainable: `state` becomes the memory after
    it and `sizes` its step sizes, in place. Returns the sum of the step sizes (the loop's
    one check that nothing overflowed: a NaN or infinity anywhere makes it non-finite)."""
    if len(grad) <= FLOATS_UP_TO.get(opt.name, 0):
        try:
            return _in_floats(opt, grad, params, state, t, lr, sizes)
        except (ZeroDivisionError, ValueError):
            pass  # eps = 0 with s = 0, or a negative s: numpy's inf and NaN, as `step`
    _in_numpy(opt, grad, params, state, t, lr, sizes)
    return float(sizes.sum())


def _in_floats(opt: Optimizer, grad: np.ndarray, params: np.ndarray, state: np.ndarray,
               t: int, lr: float, sizes: np.ndarray) -> float:
    # Raises before changing anything where Python refuses what numpy returns as inf/NaN.
    slopes = grad.tolist()
    if opt.weight_decay:
        decay = opt.weight_decay
        slopes = [g + decay * p for g, p in zip(slopes, params.tolist(), strict=True)]
    out: list[float] = []
    if opt.name == "rmsprop":
        alpha, keep, eps, sqrt = opt.alpha, 1 - opt.alpha, opt.eps, math.sqrt
        s = [a * alpha + (keep * g) * g for a, g in zip(state[0].tolist(), slopes, strict=True)]
        out = [(g / (sqrt(a) + eps)) * lr for a, g in zip(s, slopes, strict=True)]
        state[0] = s
    else:  # adam
        beta2, eps, sqrt = opt.beta2, opt.eps, math.sqrt
        w1, w2 = 1 - opt.beta1, 1 - beta2
        root2 = sqrt(1 - beta2 ** t)
        rate = lr / (1 - opt.beta1 ** t)
        m, s = state.tolist()
        for i, g in enumerate(slopes):
            mi = m[i] = m[i] + w1 * (g - m[i])  # torch's lerp
            si = s[i] = s[i] * beta2 + (w2 * g) * g
            out.append((mi / (sqrt(si) / root2 + eps)) * rate)
        state[:] = m, s
    sizes[:] = out
    return sum(out)


def _in_numpy(opt: Optimizer, grad: np.ndarray, params: np.ndarray, state: np.ndarray,
              t: int, lr: float, sizes: np.ndarray) -> None:
    g = grad + opt.weight_decay * params if opt.weight_decay else grad
    if opt.name == "sgd":
        np.multiply(g, lr, out=sizes)
    elif opt.name in ("momentum", "nesterov"):
        v = state[0]
        if t == 1:
            v[:] = g
        else:
            v *= opt.momentum
            v += g
        if opt.name == "nesterov":
            np.multiply(v, opt.momentum, out=sizes)
            sizes += g
            sizes *= lr
        else:
            np.multiply(v, lr, out=sizes)
    elif opt.name == "rmsprop":
        s = state[0]
        s *= opt.alpha
        np.multiply(g, 1 - opt.alpha, out=sizes)  # torch's addcmul: (value·g)·g
        sizes *= g
        s += sizes
        np.sqrt(s, out=sizes)
        sizes += opt.eps
        np.divide(g, sizes, out=sizes)
        sizes *= lr
    else:  # adam
        m, s = state
        np.subtract(g, m, out=sizes)
        sizes *= 1 - opt.beta1
        m += sizes
        s *= opt.beta2
        np.multiply(g, 1 - opt.beta2, out=sizes)
        sizes *= g
        s += sizes
        np.sqrt(s, out=sizes)
        sizes /= math.sqrt(1 - opt.beta2 ** t)
        sizes += opt.eps
        np.divide(m, sizes, out=sizes)
        sizes *= lr / (1 - opt.beta1 ** t)
