"""Display names for parameters and for the values a forward pass computes.

`sequential` (StatQuest): weights w1, w2, … and biases b1, b2, … counted layer by layer,
neuron by neuron, input by input; hidden neurons compute x1 = Input·w1 + b1, y1 = f(x1);
the output is `Predicted`. A network with one weight and no bias calls it `w`.

`layered` (house-price article): w211 = layer 2, neuron 1, input 1; b21; z21 and h21.
Past 9 of anything, indices are separated (w1_10_1) so names stay unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

NAMINGS = ("sequential", "layered")
# What a choice of naming shows (the names above are what lesson files keep).
NAMING_TITLES = {"sequential": "w1, w2, … in order (StatQuest)",
                 "layered": "w211 = layer 2, neuron 1, input 1"}


@dataclass(frozen=True)
class Names:
    inputs: tuple[str, ...]
    weights: tuple[tuple[tuple[str, ...], ...], ...]  # [layer][neuron][input]
    biases: tuple[tuple[str, ...], ...]  # [layer][neuron]; empty when the layer has no bias
    pre: tuple[tuple[str, ...], ...]  # [layer][neuron]: the weighted sum (x1, z11)
    post: tuple[tuple[str, ...], ...]  # [layer][neuron]: after the activation (y1, h11)


def _numbered(prefix: str, count: int) -> list[str]:
    return [prefix] if count == 1 else [f"{prefix}{k}" for k in range(1, count + 1)]


def sequential_names(inputs: int, sizes: list[int], biases: list[bool],
                     identity_out: bool) -> Names:
    weight_count = sum(n * m for n, m in zip(sizes, [inputs, *sizes[:-1]], strict=True))
    lone_weight = weight_count == 1 and not any(biases)
    w = b = hidden = 0
    weights, bias_names, pre, post = [], [], [], []
    for layer, (n, m) in enumerate(zip(sizes, [inputs, *sizes[:-1]], strict=True)):
        rows = []
        for _ in range(n):
            rows.append(tuple("w" if lone_weight else f"w{w + i + 1}" for i in range(m)))
            w += m
        weights.append(tuple(rows))
        bias_names.append(tuple(f"b{b + j + 1}" for j in range(n)) if biases[layer] else ())
        b += n if biases[layer] else 0
        if layer < len(sizes) - 1:
            pre.append(tuple(f"x{hidden + j + 1}" for j in range(n)))
            post.append(tuple(f"y{hidden + j + 1}" for j in range(n)))
            hidden += n
        else:
            out = tuple(_numbered("Predicted", n))
            # An identity output is written straight as Predicted = y1·w3 + y2·w4 + b3.
            pre.append(out if identity_out else tuple(f"x{hidden + j + 1}" for j in range(n)))
            post.append(out)
    return Names(tuple(_numbered("Input", inputs)), tuple(weights), tuple(bias_names),
                 tuple(pre), tuple(post))


def layered_names(inputs: int, sizes: list[int], biases: list[bool]) -> Names:
    sep = "_" if max([inputs, len(sizes), *sizes]) > 9 else ""

    def name(letter: str, *idx: int) -> str:
        return letter + sep.join(str(i) for i in idx)

    weights, bias_names, pre, post = [], [], [], []
    for layer, (n, m) in enumerate(zip(sizes, [inputs, *sizes[:-1]], strict=True), start=1):
        weights.append(tuple(tuple(name("w", layer, j, i) for i in range(1, m + 1))
                             for j in range(1, n + 1)))
        bias_names.append(tuple(name("b", layer, j) for j in range(1, n + 1))
                          if biases[layer - 1] else ())
        pre.append(tuple(name("z", layer, j) for j in range(1, n + 1)))
        post.append(tuple(name("h", layer, j) for j in range(1, n + 1)))
    return Names(tuple(f"x{i}" for i in range(1, inputs + 1)), tuple(weights),
                 tuple(bias_names), tuple(pre), tuple(post))


def with_data_names(names: Names, inputs: tuple[str, ...] | None,
                    outputs: tuple[str, ...] | None, output_activation: str) -> Names:
    """`names` with the data's own names for the inputs and outputs (a CSV header, a
    lesson's classes). An identity output is its name; a softmax output is the
    probability p_name of its class; any other output's value is its name."""
    if inputs is not None:
        names = replace(names, inputs=tuple(inputs))
    if outputs is not None:
        pre, post = list(names.pre), list(names.post)
        if output_activation == "identity":
            pre[-1] = post[-1] = tuple(outputs)
        elif output_activation == "softmax":
            post[-1] = tuple(f"p_{name}" for name in outputs)
        else:
            post[-1] = tuple(outputs)
        names = replace(names, pre=tuple(pre), post=tuple(post))
    return names
