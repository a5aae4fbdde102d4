"""A fully connected network whose parameters live in one flat vector.

Each layer computes, for every sample at once,
    pre  = inputs · Wᵀ + b        (the articles' x1 = Input·w1 + b1, or z11)
    post = f(pre)                 (y1 = softplus(x1), or h11 = sigmoid(z11))

The flat vector holds each neuron's weights followed by its bias (w1, b1, w2, b2, w3, w4,
b3 for the StatQuest network). `weights[l]` and `biases[l]` are views into it, so one
vector operation updates every parameter, and the gradient has the same layout. Keeping
each bias beside its weights lets backprop treat the bias as a weight on a constant
input 1, which halves the numpy calls of the training loop (`backprop.py`).

This module is the forward pass only: the backward pass is spelt out factor by factor in
`breakdown.py`, and written for speed in `backprop.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.losses import Loss
from engine.naming import Names, layered_names, sequential_names, with_data_names


@dataclass(frozen=True)
class Layer:
    neurons: int
    activation: str = "sigmoid"
    bias: bool = True


@dataclass(frozen=True)
class ParamRef:
    """Where a named parameter sits: layer, neuron and input (input is None for a bias)."""

    name: str
    index: int  # position in the flat vector
    layer: int
    neuron: int
    input: int | None

    @property
    def is_bias(self) -> bool:
        return self.input is None


@dataclass
class Forward:
    """Every intermediate of one forward pass, per sample (rows) and neuron (columns)."""

    inputs: np.ndarray
    pre: list[np.ndarray]
    post: list[np.ndarray]

    @property
    def predicted(self) -> np.ndarray:
        return self.post[-1]

    def layer_input(self, layer: int) -> np.ndarray:
        return self.inputs if layer == 0 else self.post[layer - 1]

    def named(self, names: Names) -> dict[str, np.ndarray]:
        """Every intermediate under the articles' names, per sample: Input, x1, y1, …,
        Predicted (or x1, z11, h11, …, h21)."""
        out = {name: self.inputs[:, i] for i, name in enumerate(names.inputs)}
        for layer, (pre, post) in enumerate(zip(self.pre, self.post, strict=True)):
            for j in range(pre.shape[1]):
                out[names.pre[layer][j]] = pre[:, j]
                out[names.post[layer][j]] = post[:, j]
        return out


class Network:
    def __init__(self, inputs: int, layers: list[Layer], naming: str = "sequential",
                 input_names: tuple[str, ...] | None = None,
                 output_names: tuple[str, ...] | None = None):
        self.inputs = inputs
        self.layers = tuple(layers)
        self.naming = naming
        # The data's own names (a CSV header, a lesson's classes); None: Input1, Predicted…
        self.input_names = None if input_names is None else tuple(input_names)
        self.output_names = None if output_names is None else tuple(output_names)
        self.activations: list[Activation] = [ACTIVATIONS[ly.activation] for ly in layers]
        sizes = self.sizes
        biases = [ly.bias for ly in layers]
        if naming == "layered":
            self.names: Names = layered_names(inputs, sizes, biases)
        else:
            self.names = sequential_names(inputs, sizes, biases, self.activations[-1].is_identity)
        self.names = with_data_names(self.names, self.input_names, self.output_names,
                                     layers[-1].activation)
        fan_in = [inputs, *sizes[:-1]]
        self.params = np.zeros(sum(n * (m + b) for n, m, b in zip(sizes, fan_in, biases,
                                                                     strict=True)))
        self.blocks = self.layer_blocks(self.params)  # [W | b] per layer, views of params
        self.weights = [blk[:, :m] for blk, m in zip(self.blocks, fan_in, strict=True)]
        self.biases: list[np.ndarray | None] = [
            blk[:, m] if ly.bias else None
            for blk, m, ly in zip(self.blocks, fan_in, self.layers, strict=True)]
        self.refs: list[ParamRef] = []
        at = 0
        for layer, (n, m) in enumerate(zip(sizes, fan_in, strict=True)):
            for j in range(n):
                for i in range(m):
                    self.refs.append(ParamRef(self.names.weights[layer][j][i], at, layer, j, i))
                    at += 1
                if biases[layer]:
                    self.refs.append(ParamRef(self.names.biases[layer][j], at, layer, j, None))
                    at += 1
        self.index = {ref.name: ref.index for ref in self.refs}
        self._param_names = [ref.name for ref in self.refs]  # panels read them every Step

    def layer_blocks(self, flat: np.ndarray) -> list[np.ndarray]:
        """`flat` (laid out as `params`) cut into one [W | b] matrix view per layer."""
        blocks, at = [], 0
        for n, m, ly in zip(self.sizes, [self.inputs, *self.sizes[:-1]], self.layers,
                            strict=True):
            width = m + ly.bias
            blocks.append(flat[at:at + n * width].reshape(n, width))
            at += n * width
        return blocks

    @property
    def sizes(self) -> list[int]:
        return [ly.neurons for ly in self.layers]

    @property
    def param_names(self) -> list[str]:
        return list(self._param_names)  # a copy at C speed: 66,561 names took ~6 ms

    def ref(self, name: str) -> ParamRef:
        return self.refs[self.index[name]]

    def copy(self) -> Network:
        other = Network(self.inputs, list(self.layers), self.naming, self.input_names,
                        self.output_names)
        other.params[:] = self.params
        return other

    def set_params(self, values) -> None:
        self.params[:] = values  # in place: weights and biases are views of this vector

    def forward(self, x: np.ndarray) -> Forward:
        pre, post, a = [], [], x
        for w, b, act in zip(self.weights, self.biases, self.activations, strict=True):
            z = a @ w.T
            if b is not None:
                z += b
            a = act.function(z)
            pre.append(z)
            post.append(a)
        return Forward(x, pre, post)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x).predicted

    def loss(self, x: np.ndarray, y: np.ndarray, loss: Loss) -> float:
        return loss.value(self.predict(x), y)

    def values_json(self) -> dict[str, list]:
        """The weights and biases as a lesson file stores them (one list per layer)."""
        return {"weights": [w.tolist() for w in self.weights],
                "biases": [[] if b is None else b.tolist() for b in self.biases]}

    def randomize(self, seed: int) -> None:
        """Xavier-style uniform weights and zero biases, reproducible from `seed`."""
        rng = np.random.default_rng(seed)
        for w, b in zip(self.weights, self.biases, strict=True):
            limit = np.sqrt(6.0 / (w.shape[0] + w.shape[1]))
            w[...] = rng.uniform(-limit, limit, size=w.shape)
            if b is not None:
                b[...] = 0.0
