"""Lesson files for the big-network benchmarks, written to a folder (default /tmp):

- `wide-66561.json`: 1-256-256-1 tanh on 1,000 samples (66,561 parameters), the network
  whose Run grew to 2.7 GB in issue 17;
- `mid-4353.json`: 1-64-64-1 tanh on 6,000 samples (4,353 parameters), issue 18's Step;
- `largest.json`: the largest lesson the limits used to allow (64 inputs, 8x256 tanh,
  100,000 samples: 477,441 parameters), now refused in one line;
- `most-parameters.json` and `most-samples.json`: the largest lessons today's limits
  (engine/lesson.py: MAX_PARAMETERS, MAX_SAMPLES, MAX_WORK) allow, to measure that
  the app handles them: 64-256-192-1 (66,177 parameters) on as many samples as the
  work limit allows, and 64-128-1 on MAX_SAMPLES samples.

Run: python bench/big_lessons.py [FOLDER]     (prints the paths it wrote)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def lesson(title: str, inputs: int, hidden: list[int], samples: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    sizes = [inputs, *hidden, 1]
    weights, biases, layers = [], [], []
    for k in range(1, len(sizes)):
        bound = np.sqrt(6.0 / (sizes[k - 1] + sizes[k]))  # Xavier-uniform, as the builder
        weights.append(np.round(rng.uniform(-bound, bound, (sizes[k], sizes[k - 1])), 4).tolist())
        biases.append([0.0] * sizes[k])
        layers.append({"neurons": sizes[k], "activation": "tanh" if k < len(sizes) - 1
                       else "identity", "bias": True})
    x = np.round(rng.uniform(-1, 1, (samples, inputs)), 2)  # 2 places: under the 50 MB file limit
    y = np.round(np.sin(3 * x.sum(axis=1, keepdims=True) / np.sqrt(inputs)), 4)
    return {"format": "backprop-lab.lesson", "version": 1, "title": title,
            "description": "A big network for the benchmarks (bench/big_lessons.py).",
            "inputs": inputs, "layers": layers, "weights": weights, "biases": biases,
            "naming": "layered", "loss": "mse",
            "data": {"inputs": x.tolist(), "targets": y.tolist()},
            "learning_rate": 0.01, "stop": {"min_step_size": 0.0, "max_steps": 10**9}}


def write_all(folder: Path) -> dict[str, Path]:
    from engine.lesson import MAX_INPUTS, MAX_SAMPLES, MAX_WORK

    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "wide-66561": lesson("1-256-256-1 tanh, 66,561 parameters", 1, [256, 256], 1000),
        "mid-4353": lesson("1-64-64-1 tanh, 4,353 parameters", 1, [64, 64], 6000),
        "largest": lesson("The largest lesson the old limits allowed", 64, [256] * 8,
                          100_000),
        "most-parameters": lesson("64-256-192-1 tanh, 66,177 parameters", MAX_INPUTS,
                                  [256, 192], MAX_WORK // 66_177),
        "most-samples": lesson(f"64-128-1 tanh on {MAX_SAMPLES:,} samples", MAX_INPUTS,
                               [128], min(MAX_SAMPLES, MAX_WORK // 8_449)),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps(data))
    return paths


if __name__ == "__main__":
    for name, path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")).items():
        print(f"{name}: {path} ({path.stat().st_size / 2**20:.1f} MB)")
