"""Classes from a classifier's outputs: which class each sample is given, how many are
right (accuracy) and which classes are taken for which (the confusion matrix).

A softmax output gives one probability per class: the class is the most probable one.
One sigmoid output gives p(class): the sample is that class when p ≥ 0.5, else not.
Several sigmoid outputs are several yes/no questions: each output is scored on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.losses import Loss
from engine.network import Network


@dataclass(frozen=True)
class Scores:
    labels: tuple[str, ...]  # the classes, in the confusion matrix's order
    confusion: np.ndarray  # [observed class, predicted class]: how many samples

    @property
    def right(self) -> int:
        return int(np.trace(self.confusion))

    @property
    def total(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else float("nan")


def is_classifier(loss: Loss) -> bool:
    return loss.output_activation is not None


def class_labels(net: Network) -> tuple[str, ...]:
    """The classes' names: the outputs' own, or Class 1, 2, …; one sigmoid output's two
    classes are "not X" and "X"."""
    outputs = net.sizes[-1]
    names = net.output_names or tuple(f"Class {k + 1}" for k in range(outputs))
    if net.layers[-1].activation == "sigmoid" and outputs == 1:
        return (f"not {names[0]}", names[0])
    return names


def classes(values: np.ndarray, net: Network) -> np.ndarray:
    """Each sample's class index from outputs or one-hot targets (samples × outputs); for
    several sigmoid outputs, each output's yes (1) or no (0)."""
    if net.layers[-1].activation == "softmax":
        return np.argmax(values, axis=1)
    return (values >= 0.5).astype(int)[:, 0] if values.shape[1] == 1 else \
        (values >= 0.5).astype(int)


def scores(net: Network, predicted: np.ndarray, observed: np.ndarray) -> Scores:
    """Accuracy and the confusion matrix of predictions against the targets."""
    labels = class_labels(net)
    p, y = classes(np.nan_to_num(predicted, nan=0.0), net), classes(observed, net)
    if p.ndim == 2:  # yes/no per output: a 2 × 2 matrix over every sample and output
        labels = ("no", "yes")
        p, y = p.ravel(), y.ravel()
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    np.add.at(confusion, (y, p), 1)
    return Scores(labels, confusion)
