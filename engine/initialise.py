"""Starting values for a network's weights and biases, each scheme as PyTorch's
torch.nn.init (and nn.Linear's own default) defines it, reproducible from a seed.

    zeros     every weight and bias 0: every neuron of a layer then learns the same
              thing (the symmetry that random starts break)
    uniform   weights and biases ~ U(−1/√fan_in, 1/√fan_in): nn.Linear's default
    xavier    weights ~ U(−√(6 / (fan_in + fan_out)), +√…), biases 0: xavier_uniform_,
              for tanh and sigmoid layers
    he        weights ~ N(0, 2 / fan_in), biases 0: kaiming_normal_ (fan_in, ReLU), for
              ReLU layers

fan_in is the number of inputs of a neuron, fan_out the number of neurons of its layer.
"""

from __future__ import annotations

import numpy as np

from engine.network import Network

SCHEMES = {
    "zeros": "zeros (every neuron alike: watch them stay alike)",
    "uniform": "uniform ±1/√fan_in (PyTorch nn.Linear's default)",
    "xavier": "Xavier/Glorot uniform (tanh, sigmoid)",
    "he": "He/Kaiming normal (ReLU)",
}
# What a closed choice box shows (the descriptions above in its list).
SHORT_NAMES = {"zeros": "zeros", "uniform": "uniform ±1/√fan_in", "xavier": "Xavier/Glorot",
               "he": "He/Kaiming"}
MAX_SEED = 2**32 - 1


def initialise(net: Network, scheme: str, seed: int) -> None:
    """Give `net` new starting values in place."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: one of {', '.join(SCHEMES)}")
    rng = np.random.default_rng(seed)
    for w, b in zip(net.weights, net.biases, strict=True):
        fan_out, fan_in = w.shape
        if scheme == "zeros":
            w[...] = 0.0
        elif scheme == "uniform":
            bound = 1 / np.sqrt(fan_in)
            w[...] = rng.uniform(-bound, bound, size=w.shape)
        elif scheme == "xavier":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            w[...] = rng.uniform(-bound, bound, size=w.shape)
        else:  # he
            w[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=w.shape)
        if b is not None:
            b[...] = rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), size=b.shape) \
                if scheme == "uniform" else 0.0
