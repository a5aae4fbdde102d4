"""Backprop Lab's engine: the network and all backpropagation maths, numpy only.

Read in this order: activations, losses, network (forward pass and backprop),
breakdown (the chain rule written out), training (gradient descent), lesson.
"""

from engine.breakdown import Breakdown, ChainPath, Factor, chain_rule_breakdown
from engine.lesson import Lesson, LessonError, load_lesson
from engine.network import Layer, Network
from engine.presets import PRESETS, load_preset, open_lesson
from engine.training import History, StopReason, StopRule, Trainer

__all__ = [
    "PRESETS", "Breakdown", "ChainPath", "Factor", "History", "Layer", "Lesson",
    "LessonError", "Network", "StopReason", "StopRule", "Trainer", "chain_rule_breakdown",
    "load_lesson", "load_preset", "open_lesson",
]
