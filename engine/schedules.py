"""Learning-rate schedules: the learning rate of update t (t = 0 for the first), from the
lesson's learning rate lr, each as torch.optim.lr_scheduler defines it when stepped once
per update (same names and settings):

    constant     lr
    step         lr · gamma^⌊t / step_size⌋                       (StepLR)
    exponential  lr · gamma^t                                      (ExponentialLR)
    cosine       eta_min + (lr − eta_min) · (1 + cos(π t / T_max)) / 2   (CosineAnnealingLR;
                 past T_max it rises again, as PyTorch's closed form does)

Every update's rate is worked out from t alone, so a rewound or restored run takes the
same steps again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SCHEDULES = {
    "constant": "constant (the articles')",
    "step": "step decay: × gamma every step_size updates (StepLR)",
    "exponential": "exponential: × gamma every update (ExponentialLR)",
    "cosine": "cosine: down to eta_min over T_max updates (CosineAnnealingLR)",
}
SCHEDULE_SETTINGS = {"constant": (), "step": ("step_size", "gamma"),
                     "exponential": ("gamma",), "cosine": ("T_max", "eta_min")}


@dataclass(frozen=True)
class Schedule:
    name: str = "constant"
    step_size: int = 100
    gamma: float = 0.5
    T_max: int = 1000  # noqa: N815 (PyTorch's name)
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in SCHEDULES:
            raise ValueError(f"schedule: unknown {self.name!r}: one of {', '.join(SCHEDULES)}")
        for key in ("step_size", "T_max"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{key} must be a whole number of updates, 1 or more")
        if not (isinstance(self.gamma, (int, float)) and math.isfinite(self.gamma)
                and 0 < self.gamma <= 1):
            raise ValueError("gamma must be a number above 0, at most 1")
        if not (isinstance(self.eta_min, (int, float)) and math.isfinite(self.eta_min)
                and self.eta_min >= 0):
            raise ValueError("eta_min must be a number, 0 or more")

    @property
    def is_constant(self) -> bool:
        return self.name == "constant"

    def settings(self) -> dict[str, float]:
        return {key: getattr(self, key) for key in SCHEDULE_SETTINGS[self.name]}

    def rate(self, lr: float, t: int) -> float:
        """The learning rate of update `t` (from 0)."""
        if self.name == "step":
            return lr * self.gamma ** (t // self.step_size)
        if self.name == "exponential":
            return lr * self.gamma ** t
        if self.name == "cosine":
            return self.eta_min + (lr - self.eta_min) * (
                1 + math.cos(math.pi * t / self.T_max)) / 2
        return lr

    def formula(self) -> str:
        """The rule in words, for the breakdown."""
        return {"constant": "",
                "step": "learning rate = lr · gamma^⌊t / step_size⌋",
                "exponential": "learning rate = lr · gamma^t",
                "cosine": "learning rate = eta_min + (lr − eta_min) · (1 + cos(π t / T_max)) / 2",
                }[self.name]
