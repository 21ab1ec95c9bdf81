"""The digit network of Chapters 1 to 4: 784-16-16-10, sigmoid everywhere, quadratic cost, SGD.

This is the course's network: each layer computes ``a(l) = sigmoid(W(l) a(l-1) + b(l))``,
the cost of one example is the sum of squares ``sum_j (a_j - y_j)^2`` against the one-hot
label, and training is plain mini-batch stochastic gradient descent. Parameters are kept
in the classic ``network.py`` layout: ``weights[l]`` has shape (n_out, n_in).

Run training from the command line with ``python render.py train digits``; in code::

    data = load_dataset()
    result = train(data, TrainConfig())
    trace = result.net.trace(torch.from_numpy(data.x_test[:1]))
    trace["a"][3]  # the 10 output activations
"""

from __future__ import annotations

import pickle
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from models.artifacts import derive_seed, reproducible
from models.mnist import DigitDataset

__all__ = [
    "DigitNet",
    "DigitNetConfig",
    "TrainConfig",
    "TrainResult",
    "WeightImportError",
    "import_network_py",
    "network_py_sizes",
    "train",
]


@dataclass(frozen=True)
class DigitNetConfig:
    sizes: tuple[int, ...] = (784, 16, 16, 10)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30
    batch_size: int = 10
    lr: float = 1.5  # for the sum-of-squares cost; network.py's eta=3.0 with its 1/2 factor
    seed: int = 0
    checkpoint_every: int = 200  # SGD steps between saved checkpoints (plus step 0 and the end)
    net: DigitNetConfig = field(default_factory=DigitNetConfig)


class DigitNet(nn.Module):
    def __init__(self, config: DigitNetConfig = DigitNetConfig(), generator: torch.Generator | None = None):
        super().__init__()
        self.config = config
        sizes = config.sizes
        g = generator if generator is not None else torch.Generator().manual_seed(0)
        # N(0, 1/n_in) keeps the first layer out of sigmoid saturation (inputs are in [0, 1]).
        self.weights = nn.ParameterList(
            nn.Parameter(torch.randn(n_out, n_in, generator=g) / n_in**0.5)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )
        self.biases = nn.ParameterList(nn.Parameter(torch.randn(n_out, generator=g)) for n_out in sizes[1:])

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        """Output activations (B, 10), and the mean quadratic cost when labels ``y`` are given."""
        a = x
        for w, b in zip(self.weights, self.biases):
            a = torch.sigmoid(a @ w.T + b)  # (B, n_out)
        if y is None:
            return a, None
        return a, quadratic_cost(a, y)

    @torch.no_grad()
    def trace(self, x: torch.Tensor) -> dict[str, list[torch.Tensor]]:
        """Every layer's activations ``a`` (index 0 is the input) and pre-activations ``z``
        (``z[0]`` is None: the input layer has no weighted sum)."""
        a, zs, acts = x, [None], [x]
        for w, b in zip(self.weights, self.biases):
            z = a @ w.T + b  # (B, n_out)
            a = torch.sigmoid(z)
            zs.append(z)
            acts.append(a)
        return {"a": acts, "z": zs}

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def get_flat(self) -> torch.Tensor:
        """All parameters as one vector, ordered w0, w1, w2, b0, b1, b2 (13,002 numbers)."""
        return torch.cat([p.detach().reshape(-1) for p in self.ordered_params()])

    def set_flat(self, flat: torch.Tensor) -> None:
        i = 0
        with torch.no_grad():
            for p in self.ordered_params():
                p.copy_(flat[i : i + p.numel()].reshape(p.shape))
                i += p.numel()

    def ordered_params(self) -> list[nn.Parameter]:
        return [*self.weights, *self.biases]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """``w0, w1, w2`` of shape (n_out, n_in) and ``b0, b1, b2`` of shape (n_out,)."""
        out = {f"w{i}": w.detach().numpy().copy() for i, w in enumerate(self.weights)}
        out.update({f"b{i}": b.detach().numpy().copy() for i, b in enumerate(self.biases)})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], config: DigitNetConfig | None = None) -> "DigitNet":
        """The network :meth:`to_arrays` wrote; its sizes are read from the shapes unless given."""
        if config is None:
            n = sum(1 for k in arrays if k.startswith("w"))
            config = DigitNetConfig((int(arrays["w0"].shape[1]),) + tuple(int(arrays[f"w{i}"].shape[0]) for i in range(n)))
        net = cls(config)
        weights, biases = _check_layout(
            [arrays[f"w{i}"] for i in range(len(net.weights))],
            [arrays[f"b{i}"] for i in range(len(net.biases))],
            config.sizes,
        )
        with torch.no_grad():
            for p, w in zip(net.weights, weights):
                p.copy_(torch.from_numpy(w))
            for p, b in zip(net.biases, biases):
                p.copy_(torch.from_numpy(b))
        return net


def quadratic_cost(a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean over examples of sum_j (a_j - y_j)^2, with ``y`` integer labels (B,)."""
    target = torch.nn.functional.one_hot(y, a.shape[1]).to(a.dtype)  # (B, 10)
    return ((a - target) ** 2).sum(dim=1).mean()


@dataclass
class TrainResult:
    net: DigitNet
    checkpoints: np.ndarray  # (n_checkpoints, n_params) flat parameter vectors
    checkpoint_steps: np.ndarray  # (n_checkpoints,) SGD step of each checkpoint
    epoch_metrics: dict[str, np.ndarray]  # per epoch, index 0 = before training
    seconds: float


@torch.no_grad()
def evaluate(net: DigitNet, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean quadratic cost, accuracy) on a set of digits."""
    a, cost = net(x, y)
    return float(cost), float((a.argmax(dim=1) == y).float().mean())


def train(
    data: DigitDataset,
    config: TrainConfig = TrainConfig(),
    progress: Callable[[int, int, str], None] | None = None,
) -> TrainResult:
    """Plain mini-batch SGD from a seeded initialisation; identical numbers for identical inputs."""
    with reproducible(threads=1):  # tiny matrices: one thread is faster; the same numbers on any machine
        return _train(data, config, progress)


def _train(data: DigitDataset, config: TrainConfig, progress) -> TrainResult:
    init_gen = torch.Generator().manual_seed(derive_seed(config.seed, "digit_net", "init"))
    order_gen = torch.Generator().manual_seed(derive_seed(config.seed, "digit_net", "order"))
    net = DigitNet(config.net, init_gen)
    x_tr, y_tr = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    x_te, y_te = torch.from_numpy(data.x_test), torch.from_numpy(data.y_test)

    metrics: dict[str, list[float]] = {"train_cost": [], "train_accuracy": [], "test_cost": [], "test_accuracy": []}

    def record() -> None:
        for split, (x, y) in {"train": (x_tr, y_tr), "test": (x_te, y_te)}.items():
            cost, acc = evaluate(net, x, y)
            metrics[f"{split}_cost"].append(cost)
            metrics[f"{split}_accuracy"].append(acc)

    checkpoints, steps = [net.get_flat().numpy().copy()], [0]
    record()
    start, step = time.perf_counter(), 0
    for epoch in range(config.epochs):
        perm = torch.randperm(len(x_tr), generator=order_gen)
        for k in range(0, len(perm), config.batch_size):
            batch = perm[k : k + config.batch_size]
            _, cost = net(x_tr[batch], y_tr[batch])
            grads = torch.autograd.grad(cost, net.ordered_params())
            with torch.no_grad():
                for p, g in zip(net.ordered_params(), grads):
                    p.sub_(config.lr * g)
            step += 1
            if step % config.checkpoint_every == 0:
                checkpoints.append(net.get_flat().numpy().copy())
                steps.append(step)
        record()
        if progress:
            progress(epoch + 1, config.epochs, f"test accuracy {metrics['test_accuracy'][-1]:.1%}")
    if steps[-1] != step:
        checkpoints.append(net.get_flat().numpy().copy())
        steps.append(step)
    return TrainResult(
        net=net,
        checkpoints=np.stack(checkpoints).astype(np.float32),
        checkpoint_steps=np.asarray(steps, dtype=np.int64),
        epoch_metrics={k: np.asarray(v, dtype=np.float64) for k, v in metrics.items()},
        seconds=time.perf_counter() - start,
    )


def config_dict(config: TrainConfig) -> dict:
    """The config as plain JSON data (for manifests)."""
    d = asdict(config)
    d["net"]["sizes"] = list(d["net"]["sizes"])
    return d


def config_from_dict(d: dict) -> TrainConfig:
    """The inverse of :func:`config_dict`."""
    fields = {k: v for k, v in d.items() if k != "net"}
    return TrainConfig(**fields, net=DigitNetConfig(sizes=tuple(d["net"]["sizes"])))


# ----------------------------------------------------------------------------- import


class WeightImportError(ValueError):
    """A weight file that cannot be imported; the message names the problem."""


# What a pickled list of numpy arrays needs to rebuild itself, and nothing more.
_NUMPY_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
}


def _latin1_bytes(text: str, encoding: str = "latin1") -> bytes:
    """Protocol-2 pickles store bytes as ``_codecs.encode(text, "latin1")``; allow only that."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise WeightImportError("refusing _codecs.encode with anything but a latin-1 string")
    return text.encode("latin1")


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) == ("_codecs", "encode"):
            return _latin1_bytes
        if (module, name) not in _NUMPY_GLOBALS:
            raise WeightImportError(
                f"refusing to unpickle {module}.{name}: a weight pickle may only rebuild numpy "
                "arrays (this file would run other code)"
            )
        return super().find_class(module, name)


def _check_layout(weights: list, biases: list, sizes: tuple[int, ...]) -> tuple[list, list]:
    """Validate network.py's layout; return float32 weights (n_out, n_in) and biases (n_out,)."""
    expected_w = [(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    expected_b = [(n_out, 1) for n_out in sizes[1:]]
    if len(weights) != len(expected_w) or len(biases) != len(expected_b):
        raise WeightImportError(
            f"expected {len(expected_w)} weight matrices and {len(expected_b)} bias columns "
            f"for sizes {list(sizes)}, got {len(weights)} and {len(biases)}"
        )
    out_w, out_b = [], []
    for i, (w, shape) in enumerate(zip(weights, expected_w)):
        w = np.asarray(w)
        if w.shape != shape:
            raise WeightImportError(f"weights[{i}] has shape {w.shape}, expected {shape} (n_out, n_in)")
        out_w.append(_as_float(w, f"weights[{i}]"))
    for i, (b, shape) in enumerate(zip(biases, expected_b)):
        b = np.asarray(b)
        if b.shape not in (shape, shape[:1]):
            raise WeightImportError(f"biases[{i}] has shape {b.shape}, expected {shape} or {shape[:1]}")
        out_b.append(_as_float(b.reshape(-1), f"biases[{i}]"))
    return out_w, out_b


def _as_float(a: np.ndarray, what: str) -> np.ndarray:
    if not np.issubdtype(a.dtype, np.floating) and not np.issubdtype(a.dtype, np.integer):
        raise WeightImportError(f"{what} has dtype {a.dtype}; weights must be numbers")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise WeightImportError(f"{what} holds NaN or infinite values")
    return a


def _read_network_py(path: Path) -> tuple[list, list]:
    """The raw (weights, biases) lists of a network.py-layout file: an ``.npz`` with ``w0.. b0..``
    (or ``weights_0.. biases_0..``), or a pickled ``(weights, biases)`` tuple of array lists."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WeightImportError(f"{path}: cannot read ({exc})") from exc
    if raw[:2] == b"PK":  # a zip: .npz
        try:
            with np.load(path, allow_pickle=False) as data:
                files = set(data.files)
                for wk, bk in (("w{}", "b{}"), ("weights_{}", "biases_{}")):
                    n = 0
                    while wk.format(n) in files and bk.format(n) in files:
                        n += 1
                    if n:
                        return [data[wk.format(i)] for i in range(n)], [data[bk.format(i)] for i in range(n)]
                raise WeightImportError(f"{path}: expected arrays w0, w1, ... and b0, b1, ..., found {sorted(files)}")
        except (ValueError, OSError) as exc:
            if isinstance(exc, WeightImportError):
                raise
            raise WeightImportError(f"{path}: not a readable .npz ({exc})") from exc
    import io

    try:
        obj = _NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except WeightImportError as exc:
        raise WeightImportError(f"{path}: {exc}") from None
    except Exception as exc:  # a broken pickle raises many kinds of error
        raise WeightImportError(f"{path}: neither an .npz nor a readable pickle ({exc})") from exc
    if not (isinstance(obj, (tuple, list)) and len(obj) == 2):
        raise WeightImportError(f"{path}: the pickle holds {type(obj).__name__}, expected a (weights, biases) tuple")
    weights, biases = obj
    if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
        raise WeightImportError(f"{path}: expected (weights, biases) as two lists of arrays")
    return list(weights), list(biases)


def network_py_sizes(path: str | Path) -> tuple[int, ...]:
    """The layer sizes a network.py-layout file's weight matrices make (n_in of the first, then
    each n_out); raises :class:`WeightImportError` when they do not chain or are not matrices."""
    path = Path(path)
    weights, _ = _read_network_py(path)
    shapes = [np.shape(w) for w in weights]
    if not shapes or any(len(s) != 2 for s in shapes):
        raise WeightImportError(f"{path}: expected weight matrices (n_out, n_in), got shapes {shapes}")
    sizes = (int(shapes[0][1]),) + tuple(int(s[0]) for s in shapes)
    for i, (shape, n_in) in enumerate(zip(shapes, sizes[:-1])):
        if shape[1] != n_in:
            raise WeightImportError(f"{path}: weights[{i}] has shape {shape}, but the layer before has {n_in} "
                                    "neurons (network.py's layout: (n_out, n_in))")
    return sizes


def import_network_py(path: str | Path, config: DigitNetConfig = DigitNetConfig()) -> DigitNet:
    """A DigitNet of ``config.sizes`` from weights in network.py's layout: an ``.npz`` with
    ``w0.. b0..`` (or ``weights_0.. biases_0..``) or a pickled ``(weights, biases)`` tuple of
    array lists. Shapes, dtypes and finiteness are checked; the message names what is wrong."""
    path = Path(path)
    weights, biases = _read_network_py(path)
    w, b = _check_layout(weights, biases, config.sizes)
    return DigitNet.from_arrays({**{f"w{i}": a for i, a in enumerate(w)}, **{f"b{i}": a for i, a in enumerate(b)}}, config)
