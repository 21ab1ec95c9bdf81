"""The digit network against independent computations, and its training reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.digit_net import DigitNet, TrainConfig, quadratic_cost, train
from models.mnist import DigitDataset


def numpy_forward(arrays: dict, x: np.ndarray) -> list[np.ndarray]:
    """A plain numpy forward pass in float64: the second opinion on the traced activations."""
    acts = [x.astype(np.float64)]
    for i in range(3):
        z = acts[-1] @ arrays[f"w{i}"].astype(np.float64).T + arrays[f"b{i}"].astype(np.float64)
        acts.append(1.0 / (1.0 + np.exp(-z)))
    return acts


def test_trace_matches_numpy_forward(digits_artifact, dataset):
    arrays = digits_artifact.arrays("weights.npz")
    net = DigitNet.from_arrays(arrays)
    x = dataset.x_test[:64]
    trace = net.trace(torch.from_numpy(x))
    expected = numpy_forward(arrays, x)
    assert len(trace["a"]) == 4 and trace["z"][0] is None
    for got, want in zip(trace["a"], expected):
        np.testing.assert_allclose(got.numpy(), want, atol=2e-6)
    # z really is the pre-activation of a
    for z, a in zip(trace["z"][1:], trace["a"][1:]):
        np.testing.assert_allclose(torch.sigmoid(z).numpy(), a.numpy(), atol=1e-7)
    # forward() agrees with trace()
    np.testing.assert_array_equal(net(torch.from_numpy(x))[0].detach().numpy(), trace["a"][3].numpy())


def test_quadratic_cost_is_sum_of_squares():
    a = torch.tensor([[0.2, 0.9, 0.1], [0.5, 0.5, 0.0]])
    y = torch.tensor([1, 2])
    by_hand = ((0.2**2 + 0.1**2 + 0.1**2) + (0.5**2 + 0.5**2 + 1.0**2)) / 2
    assert float(quadratic_cost(a, y)) == pytest.approx(by_hand)


def test_trained_network_meets_the_accuracy_aim(digits_artifact, dataset):
    arrays = digits_artifact.arrays("weights.npz")
    acts = numpy_forward(arrays, dataset.x_test)
    accuracy = float((acts[3].argmax(axis=1) == dataset.y_test).mean())
    assert accuracy >= 0.88
    assert digits_artifact.metrics["test_accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert digits_artifact.metrics["n_params"] == 784 * 16 + 16 * 16 + 16 * 10 + 16 + 16 + 10


def test_checkpoints_run_from_init_to_final(digits_artifact):
    ck = digits_artifact.arrays("checkpoints.npz")
    final = DigitNet.from_arrays(digits_artifact.arrays("weights.npz")).get_flat().numpy()
    assert ck["params"].shape == (len(ck["steps"]), 13002)
    assert ck["steps"][0] == 0 and np.all(np.diff(ck["steps"]) > 0)
    np.testing.assert_array_equal(ck["params"][-1], final)
    assert not np.allclose(ck["params"][0], final)
    cost = digits_artifact.arrays("metrics.npz")["train_cost"]
    assert cost[-1] < cost[0] / 4  # training really lowered the cost


def _tiny_data() -> DigitDataset:
    rng = np.random.default_rng(0)
    x = rng.random((60, 784), dtype=np.float32)
    y = np.arange(60) % 10
    return DigitDataset(x[:50], y[:50], x[50:], y[50:], source="synthetic")


def test_same_seed_gives_identical_training():
    cfg = TrainConfig(epochs=2, checkpoint_every=3)
    one, two = train(_tiny_data(), cfg), train(_tiny_data(), cfg)
    np.testing.assert_array_equal(one.checkpoints, two.checkpoints)
    for key in one.epoch_metrics:
        np.testing.assert_array_equal(one.epoch_metrics[key], two.epoch_metrics[key])
    other = train(_tiny_data(), TrainConfig(epochs=2, checkpoint_every=3, seed=1))
    assert not np.array_equal(one.checkpoints[-1], other.checkpoints[-1])


def test_sgd_step_matches_hand_written_update():
    """One SGD step of train() equals w - lr * dC/dw with the gradient derived by hand."""
    data = _tiny_data()
    cfg = TrainConfig(epochs=1, batch_size=50, checkpoint_every=1)
    result = train(data, cfg)
    before = DigitNet()
    before.set_flat(torch.from_numpy(result.checkpoints[0]))
    arrays = before.to_arrays()
    x = data.x_train.astype(np.float64)
    y = np.eye(10)[data.y_train]
    acts = numpy_forward(arrays, x)
    # backprop by hand for C = mean_x sum_j (a_j - y_j)^2
    delta = 2 * (acts[3] - y) * acts[3] * (1 - acts[3]) / len(x)
    grads_w, grads_b = [None] * 3, [None] * 3
    for layer in (2, 1, 0):
        grads_w[layer] = delta.T @ acts[layer]
        grads_b[layer] = delta.sum(axis=0)
        delta = (delta @ arrays[f"w{layer}"].astype(np.float64)) * acts[layer] * (1 - acts[layer])
    after = DigitNet()
    after.set_flat(torch.from_numpy(result.checkpoints[1]))
    got = after.to_arrays()
    for i in range(3):
        np.testing.assert_allclose(got[f"w{i}"], arrays[f"w{i}"] - cfg.lr * grads_w[i], atol=1e-5)
        np.testing.assert_allclose(got[f"b{i}"], arrays[f"b{i}"] - cfg.lr * grads_b[i], atol=1e-5)


_TRAIN_AND_HASH = """
import hashlib, sys
import models
from models.digit_net import TrainConfig, train
from models.mnist import load_embedded
r = train(load_embedded(), TrainConfig(epochs=2))
print(hashlib.sha256(r.checkpoints.tobytes()).hexdigest())
"""


def _train_in_subprocess(env_extra: dict) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("MKL_CBWR", "ATEN_CPU_CAPABILITY")}
    out = subprocess.run([sys.executable, "-c", _TRAIN_AND_HASH], env={**env, **env_extra}, capture_output=True,
                         text=True, check=True, cwd=str(__import__("models").__path__[0] + "/.."))
    return out.stdout.strip()


def test_training_does_not_depend_on_the_cpu_instruction_set():
    """Training on a CPU without AVX-512 (MKL told to use AVX2 at most) gives the very same bits:
    the numerics chosen in models/__init__.py make the weights, and so the goldens, the same on
    every x86 machine. (On a machine without AVX-512 both runs already take the AVX2 path.)"""
    assert _train_in_subprocess({}) == _train_in_subprocess({"MKL_ENABLE_INSTRUCTIONS": "AVX2"})


def test_training_refuses_machine_dependent_numerics():
    import subprocess
    import sys

    code = "import torch; torch.ones(2) @ torch.ones(2)\n" + _TRAIN_AND_HASH.replace("import models\n", "")
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("MKL_CBWR", "ATEN_CPU_CAPABILITY")}
    env["ATEN_CPU_CAPABILITY"] = "avx2"  # what torch would pick by itself on most machines
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=str(__import__("models").__path__[0] + "/.."))
    assert out.returncode != 0 and "NumericsError" in out.stderr and "import `models` before torch" in out.stderr
