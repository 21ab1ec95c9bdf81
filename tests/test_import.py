"""Importing weights in network.py's layout: .npz, pickles, and what is refused."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from models.digit_net import DigitNet, DigitNetConfig, WeightImportError, import_network_py, network_py_sizes

SIZES = (784, 16, 16, 10)


def classic_layout(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((o, i)) for i, o in zip(SIZES[:-1], SIZES[1:])]
    biases = [rng.standard_normal((o, 1)) for o in SIZES[1:]]
    return weights, biases


def check_net(net: DigitNet, weights, biases):
    x = np.random.default_rng(5).random((3, 784))
    a = x
    for w, b in zip(weights, biases):
        a = 1 / (1 + np.exp(-(a @ w.T + b[:, 0])))
    np.testing.assert_allclose(net(torch.from_numpy(x.astype(np.float32)))[0].detach().numpy(), a, atol=1e-5)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_pickled_tuple_imports(tmp_path, protocol):
    weights, biases = classic_layout()
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights, biases), protocol=protocol))
    check_net(import_network_py(path), weights, biases)


def test_npz_imports(tmp_path):
    weights, biases = classic_layout(1)
    path = tmp_path / "net.npz"
    np.savez(path, **{f"w{i}": w for i, w in enumerate(weights)}, **{f"b{i}": b for i, b in enumerate(biases)})
    check_net(import_network_py(path), weights, biases)


class Evil:
    def __reduce__(self):
        import os

        return (os.system, ("touch pwned-by-pickle",))


def test_malicious_pickle_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    weights, biases = classic_layout()
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps((weights, [Evil(), *biases[1:]])))
    with pytest.raises(WeightImportError, match=r"refusing to unpickle (posix|os)\.system"):
        import_network_py(path)
    assert not (tmp_path / "pwned-by-pickle").exists()


def test_wrong_shape_names_the_expected_one(tmp_path):
    weights, biases = classic_layout()
    weights[1] = np.zeros((16, 15))
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights, biases)))
    with pytest.raises(WeightImportError, match=r"weights\[1\] has shape \(16, 15\), expected \(16, 16\)"):
        import_network_py(path)


def test_wrong_layer_count_and_garbage(tmp_path):
    weights, biases = classic_layout()
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights[:2], biases)))
    with pytest.raises(WeightImportError, match="expected 3 weight matrices"):
        import_network_py(path)
    path.write_bytes(b"this is not a weight file")
    with pytest.raises(WeightImportError, match="neither an .npz nor a readable pickle"):
        import_network_py(path)
    np.savez(tmp_path / "other.npz", something=np.zeros(3))
    with pytest.raises(WeightImportError, match="expected arrays w0, w1, ... and b0, b1, ..."):
        import_network_py(tmp_path / "other.npz")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_weights_are_refused(tmp_path, bad):
    weights, biases = classic_layout()
    weights[2][4, 7] = bad
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights, biases)))
    with pytest.raises(WeightImportError, match=r"weights\[2\] holds NaN or infinite values"):
        import_network_py(path)


def test_other_sizes_import_and_report_their_shape(tmp_path):
    sizes = (784, 32, 24, 10)
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal((o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal((o, 1)) for o in sizes[1:]]
    path = tmp_path / "net.npz"
    np.savez(path, **{f"w{i}": w for i, w in enumerate(weights)}, **{f"b{i}": b for i, b in enumerate(biases)})
    assert network_py_sizes(path) == sizes
    net = import_network_py(path, DigitNetConfig(sizes))
    check_net(net, weights, biases)
    assert net.n_params() == sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    assert DigitNet.from_arrays(net.to_arrays()).config.sizes == sizes  # sizes read back from the shapes


def test_matrices_that_do_not_chain_are_named(tmp_path):
    weights, biases = classic_layout()
    weights[1] = np.zeros((16, 20))
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights, biases)))
    with pytest.raises(WeightImportError, match=r"weights\[1\] has shape \(16, 20\), but the layer before has 16"):
        network_py_sizes(path)
