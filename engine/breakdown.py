"""The chain rule, written out: every derivative as the product of its factors.

For w1 of the StatQuest network the breakdown is the articles' formula

    dSSR/dw1 = dSSR/dPredicted · dPredicted/dy1 · dy1/dx1       · dx1/dw1
             = -2 (Observed - Predicted) · w3 · e^x1 / (1 + e^x1) · Input

with each factor's value per sample, the product per sample, and the sum over samples.
Where a parameter reaches the loss through several neurons (deeper networks, several
outputs), each path is one product and the derivative is their sum.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.losses import Loss
from engine.network import Forward, Network

# Past this many paths from a parameter to the output, the later layers are summed into
# one factor (dLoss/dpost of the parameter's neuron) instead of listed path by path.
MAX_CHAIN_PATHS = 256


@dataclass(frozen=True)
class Factor:
    numerator: str  # "SSR", "Predicted", "y1"
    denominator: str  # "Predicted", "y1", "w1"
    formula: str  # in the lesson's words: "-2 (Observed - Predicted)", "w3", "Input"
    values: np.ndarray  # one per sample

    @property
    def symbol(self) -> str:
        return f"d{self.numerator}/d{self.denominator}"


@dataclass(frozen=True)
class ChainPath:
    factors: tuple[Factor, ...]

    @cached_property  # read for the sum, the slope and each row shown
    def products(self) -> np.ndarray:
        """The product of the factors, per sample (inf where it overflows, quietly: a
        diverging lesson is reported by the trainer, not by a warning)."""
        with np.errstate(all="ignore"):
            return np.prod(np.stack([f.values for f in self.factors]), axis=0)


@dataclass(frozen=True)
class Breakdown:
    parameter: str
    loss_symbol: str
    paths: tuple[ChainPath, ...]
    forward: Forward

    @cached_property
    def per_sample(self) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.sum([p.products for p in self.paths], axis=0)

    @property
    def slope(self) -> float:
        """dLoss/dparameter: the sum over paths and samples."""
        with np.errstate(all="ignore"):
            return float(np.sum(self.per_sample))

    @property
    def symbol(self) -> str:
        return f"d{self.loss_symbol}/d{self.parameter}"


def chain_rule_breakdown(net: Network, x: np.ndarray, y: np.ndarray, loss: Loss,
                         parameter: str) -> Breakdown:
    ref = net.ref(parameter)
    fwd = net.forward(x)
    names = net.names
    n = x.shape[0]
    ones = np.ones(n)
    last = len(net.layers) - 1

    def node_factor(layer: int, k: int) -> list[Factor]:
        """dpost/dpre for neuron k of `layer`; none where the two are one node."""
        pre, post = names.pre[layer][k], names.post[layer][k]
        if pre == post:
            return []
        act = net.activations[layer]
        values = act.derivative(fwd.pre[layer][:, k], fwd.post[layer][:, k])
        return [Factor(post, pre, act.derivative_formula.format(x=pre, y=post), values)]

    # The last factor: how the neuron's weighted sum depends on the parameter itself.
    pre_name = names.pre[ref.layer][ref.neuron]
    if ref.is_bias:
        own = Factor(pre_name, parameter, "1", ones)
    else:
        assert ref.input is not None
        source = (names.inputs if ref.layer == 0 else names.post[ref.layer - 1])[ref.input]
        own = Factor(pre_name, parameter, source, fwd.layer_input(ref.layer)[:, ref.input].copy())

    later = [range(s) for s in net.sizes[ref.layer + 1:]]
    paths: list[ChainPath] = []
    if math.prod(len(r) for r in later) > MAX_CHAIN_PATHS:
        paths.append(_summed_path(net, fwd, y, loss, ref, node_factor, own))
    else:
        for route in itertools.product(*later):
            chain = [ref.neuron, *route]  # neuron index in layers ref.layer .. last
            out = chain[-1]
            p_name = names.post[last][out]
            factors = [Factor(loss.symbol, p_name, loss.derivative_formula.format(p=p_name),
                              loss.derivative(fwd.predicted, y)[:, out])]
            for layer in range(last, ref.layer, -1):
                k, k_prev = chain[layer - ref.layer], chain[layer - 1 - ref.layer]
                factors += node_factor(layer, k)
                w_name = names.weights[layer][k][k_prev]
                factors.append(Factor(names.pre[layer][k], names.post[layer - 1][k_prev],
                                      w_name, np.full(n, net.weights[layer][k, k_prev])))
            factors += node_factor(ref.layer, ref.neuron)
            factors.append(own)
            paths.append(ChainPath(tuple(factors)))
    return Breakdown(parameter, loss.symbol, tuple(paths), fwd)


def _summed_path(net, fwd, y, loss, ref, node_factor, own) -> ChainPath:
    """One path whose first factor is dLoss/dpost of the parameter's neuron, computed by
    backpropagating through the later layers (too many paths to list one by one)."""
    upstream = dloss_dpost(net, fwd, y, loss)[ref.layer]
    post = net.names.post[ref.layer][ref.neuron]
    first = Factor(loss.symbol, post, f"Σ over every path from {post} to the output",
                   upstream[:, ref.neuron])
    return ChainPath((first, *node_factor(ref.layer, ref.neuron), own))


def dloss_dpost(net: Network, fwd: Forward, y: np.ndarray, loss: Loss) -> list[np.ndarray]:
    """The reference backward pass: dLoss/d(each neuron's output), per sample and layer,
    right to left. For the output layer it is dLoss/dPredicted; for an earlier layer,
    (dLoss/dpost · f'(pre)) of the next layer through that layer's weights."""
    out: list[np.ndarray] = [np.empty(0)] * len(net.layers)
    upstream = loss.derivative(fwd.predicted, y)
    for layer in range(len(net.layers) - 1, -1, -1):
        out[layer] = upstream
        act = net.activations[layer]
        upstream = upstream * act.derivative(fwd.pre[layer], fwd.post[layer]) @ net.weights[layer]
    return out


def node_gradients(net: Network, fwd: Forward, y: np.ndarray, loss: Loss) -> list[np.ndarray]:
    """dLoss/dpre for every neuron of every layer, per sample: what flows backwards
    through the network in the backward pass (the 'delta' of each neuron)."""
    return [post * act.derivative(fwd.pre[layer], fwd.post[layer])
            for layer, (post, act) in enumerate(zip(dloss_dpost(net, fwd, y, loss),
                                                    net.activations, strict=True))]
