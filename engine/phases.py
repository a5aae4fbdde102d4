"""One gradient-descent step in the four phases a course teaches it:

    forward   every neuron's value, for one sample
    loss      the loss over the whole data set
    backward  every neuron's dLoss/d(weighted sum), for that sample, right to left
    update    every parameter's slope (summed over all samples), step size and new value

The node values are for one sample (a diagram has room for one number per neuron); the
slopes and the update are over the step's samples, as the step itself is: every sample,
or with batches the batch's. Nothing here is computed anew: the forward pass and the
deltas are those training computed for these values (`Trainer.kept_pass`), the updates
the trainer's own next step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.training import Trainer, Update


@dataclass(frozen=True)
class StepPhases:
    sample: int  # which sample the node values are for (0-based, in the data set)
    samples: int  # how many samples training uses (the loss is over all of them)
    batch: tuple[int, ...]  # the samples the slopes sum over (every one: the full batch)
    inputs: np.ndarray  # the sample's inputs
    post: list[np.ndarray]  # per layer: each neuron's output for the sample
    loss_symbol: str
    loss: float  # over every sample
    deltas: list[np.ndarray]  # per layer: dLoss/dpre of each neuron for the sample
    updates: dict[str, Update]  # every parameter, in the network's order


def step_phases(trainer: Trainer, sample: int = 0) -> StepPhases:
    """The next step's phases; the node values for the `sample`-th sample of its batch
    (of the data set, with the full batch)."""
    net, batch = trainer.network, trainer.batch()
    x = trainer.inputs[batch]
    if not 0 <= sample < len(x):
        raise IndexError(f"sample {sample + 1}: the step uses {len(x)} samples")
    kept = trainer.kept_pass()  # the passes training computed for these values
    fwd, deltas = kept.forward, kept.deltas
    return StepPhases(int(batch[sample]), trainer.n_training,
                      tuple(int(k) for k in batch), x[sample].copy(),
                      [p[sample].copy() for p in fwd.post], trainer.loss_function.symbol,
                      trainer.loss, [d[sample].copy() for d in deltas],
                      {name: trainer.update(name) for name in net.param_names})
