"""The chain rule, written out: every derivative as the product of its factors.

For w1 of the StatQuest network the breakdown is the articles' formula

    dSSR/dw1 = dSSR/dPredicted · dPredicted/dy1 · dy1/dx1       · dx1/dw1
             = -2 (Observed - Predicted) · w3 · e^x1 / (1 + e^x1) · Input

with each factor's value per sample, the product per sample, and the sum over samples.
Where a parameter reaches the loss through several neurons (deeper networks, several
outputs), each path is one product and the derivative is their sum.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from engine.losses import Loss
from engine.network import Forward, Network, ParamRef

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
        # Factor by factor in place, in np.prod's order (the same numbers): stacking the
        # factors first copied them all, and a wide network's Step forms 64 such paths.
        with np.errstate(all="ignore"):
            out = np.array(self.factors[0].values, dtype=float)
            for f in self.factors[1:]:
                out *= f.values
            return out

    @cached_property
    def total(self) -> float:
        """The path's sum over samples."""
        with np.errstate(all="ignore"):
            return float(self.products.sum())


class Paths(Sequence[ChainPath]):
    """A breakdown's paths, each formed when first read: a panel that spells out the
    first few of a wide network's 256 reads those few, and the rest's sum comes from
    the backward pass (`Breakdown.sum_of_paths_after`) without forming them."""

    def __init__(self, count: int, form: Callable[[int], ChainPath]):
        self._count, self._form = count, form
        self._formed: dict[int, ChainPath] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, k: int) -> ChainPath: ...

    @overload
    def __getitem__(self, k: slice) -> tuple[ChainPath, ...]: ...

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self[i] for i in range(*k.indices(self._count)))
        if k < 0:
            k += self._count
        if not 0 <= k < self._count:
            raise IndexError(f"path {k} of {self._count}")
        path = self._formed.get(k)
        if path is None:
            path = self._formed[k] = self._form(k)
        return path


@dataclass(frozen=True)
class Breakdown:
    parameter: str
    loss_symbol: str
    paths: Sequence[ChainPath]
    # dLoss/dparameter per sample by the backward pass: what every path adds up to,
    # sample by sample, found without forming a path.
    through_all: np.ndarray
    # dLoss/dz of the output's weighted sums by the cross-entropy shortcut (p - Observed),
    # which the paths through them sum to; empty for squared errors.
    shortcuts: tuple[Factor, ...] = ()

    def sum_of_paths_after(self, k: int) -> float:
        """The sum over samples of paths k+1, k+2, … (a panel spells out the first k and
        gives the rest as one number): all of them (the backward pass's) less the first
        k, so that the others are never formed."""
        if k >= len(self.paths):
            return 0.0
        with np.errstate(all="ignore"):
            rest = self.through_all.copy()
            for path in self.paths[:k]:
                rest -= path.products
            return float(rest.sum())

    @cached_property
    def per_sample(self) -> np.ndarray:
        """The sum of the paths, per sample (every path formed and added up)."""
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
                         parameter: str, forward: Forward | None = None,
                         deltas: list[np.ndarray] | None = None) -> Breakdown:
    """The chain rule of dLoss/d`parameter` over the samples `x`, `y`. From `forward`
    (the network's forward pass over them) and `deltas` (each layer's dLoss/d(weighted
    sum), per sample) where these were computed already: the trainer's, which its
    gradient came from. Paths are formed as they are read (`Paths`)."""
    ref = net.ref(parameter)
    fwd = net.forward(x) if forward is None else forward
    names = net.names
    n = x.shape[0]
    ones = np.ones(n)
    last = len(net.layers) - 1
    # Without the trainer's: the backward pass down to the layer after the parameter's
    # (the parameter's own neuron is one column of its layer, worked out below).
    own_layer_known = deltas is not None or ref.layer == last
    if deltas is None:
        deltas = node_gradients(net, fwd, y, loss, down_to=min(ref.layer + 1, last))
    # A softmax output mixes its neurons: a path reaches the loss through output z_j and
    # then any p_k (the Jacobian's entry ∂p_k/∂z_j), so each route branches once more.
    mixed = not net.activations[last].elementwise
    # A path may be formed after the network has changed (a breakdown held over a step):
    # it reads the weights of now. The forward pass's arrays are not written again.
    weights = [w.copy() for w in net.weights]
    known: dict[tuple[int, int], list[Factor]] = {}  # many paths share a neuron's factor

    def node_factor(layer: int, k: int) -> list[Factor]:
        """dpost/dpre for neuron k of `layer`; none where the two are one node."""
        if (layer, k) in known:
            return known[layer, k]
        pre, post = names.pre[layer][k], names.post[layer][k]
        if pre == post:
            known[layer, k] = []
            return []
        act = net.activations[layer]  # elementwise here: a softmax's is the Jacobian
        values = act.derivative(fwd.pre[layer][:, k], fwd.post[layer][:, k])
        known[layer, k] = [Factor(post, pre, act.derivative_formula.format(x=pre, y=post),
                                  values)]
        return known[layer, k]

    def jacobian_factor(k: int, j: int) -> Factor:
        """∂p_k/∂z_j = p_k (δ_kj - p_j) of the softmax output."""
        pk, pj, zj = names.post[last][k], names.post[last][j], names.pre[last][j]
        p = fwd.predicted
        if k == j:
            return Factor(pk, zj, f"{pk} (1 - {pk})", p[:, k] * (1.0 - p[:, k]))
        return Factor(pk, zj, f"-{pk} {pj}", -p[:, k] * p[:, j])

    # The last factor: how the neuron's weighted sum depends on the parameter itself.
    pre_name = names.pre[ref.layer][ref.neuron]
    if ref.is_bias:
        own = Factor(pre_name, parameter, "1", ones)
    else:
        assert ref.input is not None
        source = (names.inputs if ref.layer == 0 else names.post[ref.layer - 1])[ref.input]
        own = Factor(pre_name, parameter, source,
                     np.array(fwd.layer_input(ref.layer)[:, ref.input], dtype=float))
    # Every path at once, per sample: the backward pass's delta of the neuron times its
    # input. (The paths are this delta taken apart, neuron by neuron of the later layers.)
    if ref.layer < last:  # dLoss/dpost of the neuron: through the next layer's weights
        upstream = deltas[ref.layer + 1] @ weights[ref.layer + 1][:, ref.neuron]
    if own_layer_known:
        delta = deltas[ref.layer][:, ref.neuron]
    else:  # a hidden layer: elementwise, f'(pre) of the neuron times its dLoss/dpost
        act = net.activations[ref.layer]
        delta = upstream * act.derivative(fwd.pre[ref.layer][:, ref.neuron],
                                          fwd.post[ref.layer][:, ref.neuron])
    through_all = delta * own.values

    later = [range(s) for s in net.sizes[ref.layer + 1:]]
    outs = range(net.sizes[last]) if mixed else range(1)
    radices = [len(r) for r in later] + [len(outs)]
    dloss_dp = loss.derivative(fwd.predicted, y)

    def form(index: int) -> ChainPath:
        """Path `index`, in the order of itertools.product(*later, outs)."""
        digits = []
        for radix in reversed(radices):
            index, digit = divmod(index, radix)
            digits.append(digit)
        *route, out = reversed(digits)
        chain = [ref.neuron, *route]  # neuron index in layers ref.layer .. last
        j = chain[-1]  # the output neuron whose weighted sum the path passes
        k = out if mixed else j  # the output the loss reads
        p_name = names.post[last][k]
        formula = loss.derivative_formula.format(p=p_name).replace(
            "Observed", observed_name(net, k))
        factors = [Factor(loss.symbol, p_name, formula, dloss_dp[:, k])]
        if mixed:
            factors.append(jacobian_factor(k, j))
        for layer in range(last, ref.layer, -1):
            k, k_prev = chain[layer - ref.layer], chain[layer - 1 - ref.layer]
            if layer < last or not mixed:
                factors += node_factor(layer, k)
            w_name = names.weights[layer][k][k_prev]
            factors.append(Factor(names.pre[layer][k], names.post[layer - 1][k_prev],
                                  w_name, np.full(n, weights[layer][k, k_prev])))
        if ref.layer < last or not mixed:
            factors += node_factor(ref.layer, ref.neuron)
        factors.append(own)
        return ChainPath(tuple(factors))

    count = math.prod(radices)
    listed = count <= MAX_CHAIN_PATHS
    if listed:
        paths = Paths(count, form)
    else:  # (the output layer has at most MAX_CHAIN_PATHS neurons: a later layer is)
        paths = Paths(1, lambda _: _summed_path(net, ref, upstream, node_factor, own,
                                                 loss.symbol))
    return Breakdown(parameter, loss.symbol, paths, through_all,
                     _shortcuts(net, fwd, y, loss, ref, mixed) if listed else ())


def _shortcuts(net: Network, fwd: Forward, y: np.ndarray, loss: Loss, ref: ParamRef,
               mixed: bool) -> tuple[Factor, ...]:
    """dLoss/dz_j = p_j - Observed_j for each output weighted sum z_j the paths pass,
    where a cross-entropy meets its softmax or sigmoid: the short way to the same sum.
    A parameter of the output layer's paths pass its own neuron's z; an earlier one's,
    every output's (through its activation's factor dp/dz, or a softmax's Jacobian)."""
    formula = loss.shortcut_formula
    if formula is None:
        return ()
    last = len(net.layers) - 1
    names = net.names
    scale = loss.scale(*fwd.predicted.shape)
    delta = loss.output_delta(fwd.predicted, y, scale)
    passed = [ref.neuron] if ref.layer == last else range(net.sizes[last])
    return tuple(Factor(loss.symbol, names.pre[last][j], formula.format(
                     p=names.post[last][j]).replace("Observed", observed_name(net, j)),
                        delta[:, j])
                 for j in passed if mixed or names.pre[last][j] != names.post[last][j])


def observed_name(net: Network, output: int) -> str:
    """The observed value of one output: Observed with one output, else Observed_Setosa
    (the output's name) or Observed2 (its number)."""
    if net.sizes[-1] == 1:
        return "Observed"
    if net.output_names:
        return f"Observed_{net.output_names[output]}"
    return f"Observed{output + 1}"


def _summed_path(net: Network, ref: ParamRef, upstream: np.ndarray, node_factor,
                 own: Factor, loss_symbol: str) -> ChainPath:
    """One path whose first factor is dLoss/dpost of the parameter's neuron (`upstream`),
    computed by backpropagating through the later layers (too many paths to list one by
    one)."""
    post = net.names.post[ref.layer][ref.neuron]
    first = Factor(loss_symbol, post, f"Σ over every path from {post} to the output",
                   upstream)
    return ChainPath((first, *node_factor(ref.layer, ref.neuron), own))


def dloss_dpost(net: Network, fwd: Forward, y: np.ndarray, loss: Loss,
                down_to: int = 0) -> list[np.ndarray]:
    """The reference backward pass: dLoss/d(each neuron's output), per sample and layer,
    right to left, down to layer `down_to` (the layers before it are left empty). For
    the output layer it is dLoss/dPredicted; for an earlier layer, dLoss/dpre of the
    next layer through that layer's weights."""
    last = len(net.layers) - 1
    out: list[np.ndarray] = [np.empty(0)] * len(net.layers)
    out[last] = loss.derivative(fwd.predicted, y)
    delta = _output_delta(net, fwd, y, loss)
    for layer in range(last - 1, down_to - 1, -1):
        out[layer] = upstream = delta @ net.weights[layer + 1]
        delta = net.activations[layer].backward(fwd.pre[layer], fwd.post[layer], upstream)
    return out


def _output_delta(net: Network, fwd: Forward, y: np.ndarray, loss: Loss) -> np.ndarray:
    """dLoss/dpre of the output layer: p - y (scaled) where a cross-entropy meets its
    activation (exact even where p rounds to 0), else the chain rule through f."""
    act = net.activations[-1]
    if loss.output_activation == act.name:
        return loss.output_delta(fwd.predicted, y, loss.scale(*fwd.predicted.shape))
    return act.backward(fwd.pre[-1], fwd.post[-1], loss.derivative(fwd.predicted, y))


def node_gradients(net: Network, fwd: Forward, y: np.ndarray, loss: Loss,
                   down_to: int = 0) -> list[np.ndarray]:
    """dLoss/dpre for every neuron of every layer, per sample: what flows backwards
    through the network in the backward pass (the 'delta' of each neuron); down to
    layer `down_to` (the layers before it are left empty)."""
    upstream = dloss_dpost(net, fwd, y, loss, down_to)
    deltas = [act.backward(fwd.pre[layer], fwd.post[layer], upstream[layer])
              if layer >= down_to else np.empty(0)
              for layer, act in enumerate(net.activations[:-1])]
    return [*deltas, _output_delta(net, fwd, y, loss)]
