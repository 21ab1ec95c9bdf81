"""The simplest network of Chapter 4: a chain of single sigmoid neurons, 1-1-1-1.

It is trained for real, briefly, on a question small enough for one number in and one out:
"is this digit a 1?", answered from how much ink the digit has (ones have little). The
input is the share of a digit's pixels brighter than 0.5, times 4 (so it spans about 0..1);
the target is 1 for a "1" and 0 for a "0"; only zeros and ones are used. Same cost and
training as the digit network: sum of squares, plain mini-batch SGD, one seed.

Example::

    chain = train_chain(load_dataset())
    chain.weights, chain.biases     # three of each
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from models.artifacts import derive_seed
from models.mnist import DigitDataset

__all__ = ["ChainConfig", "TrainedChain", "chain_card", "chain_cost", "chain_inputs", "train_chain"]


CURVE_EVERY = 100  # training steps between the points of the recorded cost curve


@dataclass(frozen=True)
class ChainConfig:
    layers: int = 3  # weights: input -> 1 -> 1 -> 1
    steps: int = 3000
    batch_size: int = 10
    lr: float = 2.0
    seed: int = 0


@dataclass
class TrainedChain:
    weights: np.ndarray  # (layers,) w(1), w(2), w(3)
    biases: np.ndarray  # (layers,)
    x: np.ndarray  # (N,) training inputs
    y: np.ndarray  # (N,) targets 0/1
    cost_curve: np.ndarray  # average cost every CURVE_EVERY steps, from the start to the trained chain
    config: dict
    seconds: float = 0.0  # the training loop's wall time


def chain_inputs(data: DigitDataset, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Inputs (ink share x 4) and targets (1 for a "1") for the zeros and ones of a split."""
    x, y = (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)
    keep = (y == 0) | (y == 1)
    ink = (x[keep] > 0.5).mean(axis=1) * 4.0
    return ink.astype(np.float64), (y[keep] == 1).astype(np.float64)


def _forward(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    a = x
    for i in range(len(w)):
        a = torch.sigmoid(w[i] * a + b[i])
    return a


def train_chain(data: DigitDataset, config: ChainConfig = ChainConfig()) -> TrainedChain:
    x, y = chain_inputs(data)
    g = torch.Generator().manual_seed(derive_seed(config.seed, "chain", "init"))
    order = torch.Generator().manual_seed(derive_seed(config.seed, "chain", "order"))
    w = torch.randn(config.layers, generator=g, dtype=torch.float64).requires_grad_()
    b = torch.randn(config.layers, generator=g, dtype=torch.float64).requires_grad_()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    curve = []
    start = time.perf_counter()
    for step in range(config.steps + 1):
        if step % CURVE_EVERY == 0:  # the curve ends where training ends (steps is a multiple of CURVE_EVERY)
            with torch.no_grad():
                curve.append(float(((_forward(w, b, xt) - yt) ** 2).mean()))
        if step == config.steps:
            break
        batch = torch.randint(len(x), (config.batch_size,), generator=order)
        cost = ((_forward(w, b, xt[batch]) - yt[batch]) ** 2).mean()
        gw, gb = torch.autograd.grad(cost, (w, b))
        with torch.no_grad():
            w -= config.lr * gw
            b -= config.lr * gb
    return TrainedChain(w.detach().numpy().copy(), b.detach().numpy().copy(), x, y, np.asarray(curve), asdict(config),
                        time.perf_counter() - start)


def chain_cost(weights: np.ndarray, biases: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """The chain's average cost (sum of squares, one output) on inputs ``x`` with targets ``y``."""
    a = np.asarray(x, dtype=np.float64)
    for w, b in zip(weights, biases):
        a = 1.0 / (1.0 + np.exp(-(w * a + b)))
    return float(np.mean((a - np.asarray(y, dtype=np.float64)) ** 2))


def chain_card(chain: TrainedChain, data: DigitDataset) -> dict:
    """The chain's model card, shaped like an artifact manifest (``config`` and ``metrics``) so that
    ``models.model_card.model_facts`` reads it as it reads any model's: the artifact that trains the
    chain (``digits-story``) records it under ``metrics["models"]["chain"]``, with the chapters that
    draw it."""
    x_test, y_test = chain_inputs(data, "test")
    layers = len(chain.weights)
    train = {k: v for k, v in chain.config.items() if k != "layers"}
    return {
        "description": "the 1-1-1-1 chain, on zeros and ones: is a digit a 1? (read from its ink)",
        "chapters": [4],
        "config": {"data": {"source": data.source}, "train": {**train, "net": {"sizes": [1] * (layers + 1)}}},
        "metrics": {"n_params": 2 * layers, "n_train": len(chain.x), "n_test": len(x_test),
                    "train_cost": chain_cost(chain.weights, chain.biases, chain.x, chain.y),
                    "test_cost": chain_cost(chain.weights, chain.biases, x_test, y_test),
                    "train_seconds": chain.seconds},
    }
