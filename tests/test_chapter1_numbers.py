"""Chapter 1's on-screen numbers: checked against independent computations, then pinned."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.golden import check_golden
from tests.test_digit_net import numpy_forward


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def test_the_digit_and_neuron_follow_their_rules(story, digits_artifact, dataset):
    """The chapter follows the first held-out 3 read right that lights a first-layer neuron part
    way (0.6..0.9), and takes apart the neuron nearest 0.75: recomputed here in plain numpy."""
    w = digits_artifact.arrays("weights.npz")
    acts = numpy_forward(w, dataset.x_test)
    sums = dataset.x_test.astype(np.float64) @ w["w0"].T.astype(np.float64)
    chosen = None
    for i in np.flatnonzero((dataset.y_test == 3) & (acts[3].argmax(axis=1) == 3)):
        inside = [k for k in range(16) if 0.55 < acts[1][i, k] < 0.9 and sums[i, k] > 0 and w["b0"][k] < 0]
        if inside:
            chosen = (i, min(inside, key=lambda k: abs(acts[1][i, k] - 0.75)))
            break
    assert chosen == (int(story["digit_index"]), int(story["neuron"]))
    assert 0.55 < float(story["neuron_activation"]) < 0.9  # lit, not saturated: the sigmoid's slope shows
    assert float(story["neuron_weighted_sum"]) > -float(story["neuron_bias"]) > 0  # the ink passes the threshold
    threes = np.flatnonzero(dataset.y_test == 3)
    start = int(np.flatnonzero(threes == chosen[0])[0])
    np.testing.assert_array_equal(story["threes_index"], threes[start : start + 6])
    np.testing.assert_array_equal(story["threes"], dataset.x_test[threes[start : start + 6]])


def test_numbers_agree_with_a_second_computation(story, digits_artifact, dataset):
    w = digits_artifact.arrays("weights.npz")
    x = dataset.x_test[int(story["digit_index"])].astype(np.float64)
    np.testing.assert_array_equal(story["digit"], dataset.x_test[int(story["digit_index"])])
    a = numpy_forward(w, x[None])
    for i in range(4):
        np.testing.assert_allclose(story[f"a{i}"], a[i][0], atol=2e-6)
    assert int(story["prediction"]) == int(np.argmax(a[3])) == int(story["digit_label"]) == 3
    assert abs(float(story["confidence"]) - a[3].max()) < 2e-6

    # The neuron taken apart: its weights, sum, bias and activation add up
    j = int(story["neuron"])
    np.testing.assert_array_equal(story["neuron_weights"], w["w0"][j])
    assert abs(float(story["neuron_weighted_sum"]) - w["w0"][j] @ x) < 1e-4
    assert abs(float(story["neuron_bias"]) - w["b0"][j]) < 1e-7
    assert abs(float(story["neuron_z"]) - (float(story["neuron_weighted_sum"]) + float(story["neuron_bias"]))) < 1e-4
    assert abs(float(story["neuron_activation"]) - sigmoid(story["neuron_z"])) < 1e-6

    # The diagram's edges carry the real weights, on one colour scale
    win = story["input_window"]
    np.testing.assert_array_equal(story["w0_window"], w["w0"][:, win])
    np.testing.assert_array_equal(story["w1"], w["w1"])
    np.testing.assert_array_equal(story["w2"], w["w2"])
    assert float(story["weight_vmax"]) == np.float32(np.percentile(np.abs(w["w0"]), 99))

    # Counting the knobs
    sizes = [784, 16, 16, 10]
    assert story["sizes"].tolist() == sizes
    assert int(story["n_weights"]) == 784 * 16 + 16 * 16 + 16 * 10 == 12960
    assert int(story["n_params"]) == 13002 == int(story["n_weights"]) + int(story["n_biases"])

    # The input window: consecutive pixels of one row, the most spread-out such run (ink and paper)
    assert len(win) == 16 and np.all(np.diff(win) == 1) and win[0] // 28 == win[-1] // 28
    image = x.reshape(28, 28)
    best = max(image[r, c : c + 16].std() for r in range(28) for c in range(13))
    assert abs(x[win].std() - best) < 1e-9
    assert x[win].min() < 0.05 and x[win].max() > 0.9  # it shows blank paper and ink

    # The matrix form: rows 0, 1, 2, 15 of W(1) and b(1); five spread-out columns of the window
    rows, cols = story["matrix_rows"], story["matrix_cols"]
    assert rows.tolist() == sorted({0, 1, int(story["neuron"]), 15}) and set(cols) <= set(win) and np.all(np.diff(cols) == 1)
    assert abs(x[cols].std() - max(x[win[k : k + 5]].std() for k in range(12))) < 1e-9
    np.testing.assert_array_equal(story["w_matrix"], w["w0"][np.ix_(rows, cols)])
    np.testing.assert_array_equal(story["b_matrix"], w["b0"][rows])
    np.testing.assert_allclose(story["a0_matrix"], x[cols], atol=1e-7)
    np.testing.assert_allclose(story["a1_matrix"], a[1][0][rows], atol=2e-6)

    # Accuracy shown in the recap
    acts = numpy_forward(w, dataset.x_test)[3]
    assert abs(float(story["test_accuracy"]) - (acts.argmax(1) == dataset.y_test).mean()) < 1e-9


def _most_spread_run(values: np.ndarray, length: int) -> int:
    """Start of the first run of ``length`` consecutive entries whose brightnesses spread most
    (population standard deviation), by running sums rather than per-window calls."""
    x = np.asarray(values, dtype=np.float64)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    best, start = -1.0, -1
    for c in range(len(x) - length + 1):
        mean = (s1[c + length] - s1[c]) / length
        var = (s2[c + length] - s2[c]) / length - mean * mean
        if var > best + 1e-12:  # the first on (numerical) ties
            best, start = var, c
    return start


def test_diagram_edges_and_matrix_are_the_trained_weights_at_the_chapters_indices(story, digits_artifact, dataset):
    """The network diagram colours its edges by W(1) restricted to the pixels the input column
    shows, then W(2) and W(3); the matrix form prints some rows and columns of W(1), b(1), a(0)
    and a(1). Here the shown pixels, the printed columns and rows are found again from the image
    and the chapter's stated rules, and every number drawn is read from the trained network's own
    arrays at those indices (a(1) by a numpy sigmoid)."""
    w = digits_artifact.arrays("weights.npz")
    x = dataset.x_test[int(story["digit_index"])].astype(np.float64)
    image = x.reshape(28, 28)
    length = len(story["input_window"])
    runs = [(image[r, c : c + length].std(), r, c) for r in range(28) for c in [_most_spread_run(image[r], length)]]
    top = max(v for v, _, _ in runs)
    _, row, col = next(t for t in runs if t[0] > top - 1e-12)  # first row holding the largest spread
    window = np.arange(row * 28 + col, row * 28 + col + length)
    np.testing.assert_array_equal(story["input_window"], window)
    # the diagram's edges: W(1) at those pixels (16 x 16), W(2) (16 x 16), W(3) (10 x 16)
    W0, W1, W2 = (np.asarray(w[k]) for k in ("w0", "w1", "w2"))
    for j in range(W0.shape[0]):
        for k, pixel in enumerate(window):
            assert story["w0_window"][j, k] == W0[j, pixel]
    np.testing.assert_array_equal(story["w1"], W1)
    np.testing.assert_array_equal(story["w2"], W2)
    assert story["w0_window"].shape == (W0.shape[0], length) and story["w2"].shape == (10, W1.shape[0])
    # the matrix form: the most spread-out run of 5 pixels within the window; rows 0, 1, the neuron, the last
    n_cols = len(story["matrix_cols"])
    k0 = _most_spread_run(x[window], n_cols)
    cols = window[k0 : k0 + n_cols]
    rows = sorted({0, 1, int(story["neuron"]), W0.shape[0] - 1})
    np.testing.assert_array_equal(story["matrix_cols"], cols)
    np.testing.assert_array_equal(story["matrix_rows"], rows)
    for a, r in enumerate(rows):
        assert story["b_matrix"][a] == w["b0"][r]
        for b, c in enumerate(cols):
            assert story["w_matrix"][a, b] == W0[r, c]
        z = sum(float(W0[r, p]) * x[p] for p in range(784)) + float(w["b0"][r])
        assert story["a1_matrix"][a] == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-5)
    np.testing.assert_allclose(story["a0_matrix"], x[cols], rtol=1e-6)


def test_chapter1_golden(story, update_goldens):
    """Every number Chapter 1 puts on screen, pinned."""
    keys = [
        "threes_index", "digit_index", "digit_label", "prediction", "confidence", "a3", "a2", "a1",
        "input_window", "neuron", "neuron_bias", "neuron_weighted_sum", "neuron_z", "neuron_activation",
        "n_weights", "n_biases", "n_params", "weight_vmax", "matrix_rows", "matrix_cols", "w_matrix", "b_matrix",
        "a0_matrix", "a1_matrix", "w_shape", "test_accuracy", "n_test", "n_train",
    ]
    values = {k: story[k] for k in keys}
    values["shown_weights_into_neuron"] = story["w0_window"][int(story["neuron"])]  # the zoomed-in wires
    values["edge_weights_checksum"] = [float(np.abs(story[k]).sum()) for k in ("w0_window", "w1", "w2")]
    check_golden("chapter1", values, update_goldens)


def test_the_neuron_arithmetic_on_screen_adds_up(story):
    """The chapter writes sum, bias and z with three decimals: the shown terms make the shown result,
    and sigma of the shown z gives the shown activation."""
    s, b, z, a = (round(float(story[k]), 3) for k in ("neuron_weighted_sum", "neuron_bias", "neuron_z", "neuron_activation"))
    assert abs(round(s + b, 3) - z) <= 0.001
    assert abs(round(float(sigmoid(z)), 3) - a) <= 0.001
