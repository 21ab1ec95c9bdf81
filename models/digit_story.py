"""What the digit chapters draw, computed from the trained network and written as artifacts.

Scenes never run the model: every number, pixel and activation they show comes from the
arrays built here, and ``tests/golden/`` pins them. Each "interesting" choice (which
digit, which neuron) is made by a stated rule, not by hand, so a retrained network
changes the picture only through the data.

Example::

    story = chapter1(net, load_dataset())
    story["prediction"], story["confidence"]
"""

from __future__ import annotations

import numpy as np
import torch

from models.digit_net import DigitNet
from models.mnist import DigitDataset

__all__ = ["chapter1", "SHOWN_LABEL", "INPUT_SHOWN", "N_THREES"]

SHOWN_LABEL = 3  # the chapter follows a "3", like the course
N_THREES = 6  # how many different handwritten 3s open the chapter
INPUT_SHOWN = 16  # consecutive pixels of one row stand for the input column


def ink_window(pixels: np.ndarray, length: int = INPUT_SHOWN) -> np.ndarray:
    """Rule: the ``length`` consecutive pixels of one image row holding the most ink (first on ties),
    so the input neurons drawn are ones this digit actually lights."""
    image = pixels.reshape(28, 28)
    sums = np.stack([np.convolve(r, np.ones(length), mode="valid") for r in image])  # (28, 29 - length)
    row, col = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return np.arange(row * 28 + col, row * 28 + col + length)


def chapter1(net: DigitNet, data: DigitDataset) -> dict[str, np.ndarray]:
    """Arrays for Chapter 1 ("But what is a neural network?")."""
    # Rule: the first held-out digit of SHOWN_LABEL that the trained network gets right.
    x_test = torch.from_numpy(data.x_test)
    predictions = net(x_test)[0].argmax(dim=1).numpy()
    candidates = np.flatnonzero((data.y_test == SHOWN_LABEL) & (predictions == SHOWN_LABEL))
    if len(candidates) == 0:
        raise RuntimeError(f"the trained network recognises no held-out {SHOWN_LABEL}; training failed")
    index = int(candidates[0])
    x = x_test[index : index + 1]
    trace = net.trace(x)
    a = [t[0].numpy() for t in trace["a"]]
    z = [None] + [t[0].numpy() for t in trace["z"][1:]]

    # Rule: the hidden neuron (first layer) that this digit lights up most.
    neuron = int(np.argmax(a[1]))
    w = net.weights[0][neuron].detach().numpy()
    b = float(net.biases[0][neuron].detach())

    accuracy = float((predictions == data.y_test).mean())
    threes = np.flatnonzero(data.y_train == SHOWN_LABEL)[:N_THREES]
    window = ink_window(data.x_test[index])
    sizes = np.asarray(net.config.sizes)
    w0 = net.weights[0].detach().numpy()
    b0 = net.biases[0].detach().numpy()
    return {
        "threes": data.x_train[threes],  # (N_THREES, 784)
        "threes_index": threes,
        "digit": data.x_test[index],  # (784,)
        "digit_index": np.asarray(index),
        "digit_label": np.asarray(int(data.y_test[index])),
        "a0": a[0],
        "a1": a[1],
        "a2": a[2],
        "a3": a[3],
        "z1": z[1],
        "z2": z[2],
        "z3": z[3],
        "prediction": np.asarray(int(np.argmax(a[3]))),
        "confidence": np.asarray(float(np.max(a[3]))),
        "input_window": window,  # pixel indices shown as the input column
        "neuron": np.asarray(neuron),
        "neuron_weights": w,  # (784,)
        "neuron_bias": np.asarray(b),
        "neuron_weighted_sum": np.asarray(float(w @ a[0])),
        "neuron_z": np.asarray(float(z[1][neuron])),
        "neuron_activation": np.asarray(float(a[1][neuron])),
        "test_accuracy": np.asarray(accuracy),
        "n_test": np.asarray(len(data.y_test)),
        # Real weights on the diagram's edges: into layer 1 from the shown input window, then all.
        "w0_window": w0[:, window],  # (16, 16)
        "w1": net.weights[1].detach().numpy(),  # (16, 16)
        "w2": net.weights[2].detach().numpy(),  # (10, 16)
        "sizes": sizes,
        "n_weights": np.asarray(int(sum(sizes[:-1] * sizes[1:]))),
        "n_biases": np.asarray(int(sizes[1:].sum())),
        "n_params": np.asarray(net.n_params()),
        # Matrix form: the top-left corner of W(1) and the first biases, as the course shows.
        "w_corner": w0[:3, :3],
        "w_last_col": w0[:3, -1],
        "w_last_row": w0[-1, :3],
        "w_last": np.asarray(w0[-1, -1]),
        "b_head": b0[:3],
        "b_last": np.asarray(b0[-1]),
        "w_shape": np.asarray(w0.shape),
    }
