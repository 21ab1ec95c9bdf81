"""Chapter 1's on-screen numbers: checked against independent computations, then pinned."""

from __future__ import annotations

import numpy as np

from tests.golden import check_golden


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def test_numbers_agree_with_a_second_computation(story, digits_artifact, dataset):
    w = digits_artifact.arrays("weights.npz")
    x = dataset.x_test[int(story["digit_index"])].astype(np.float64)
    np.testing.assert_array_equal(story["digit"], dataset.x_test[int(story["digit_index"])])
    a = [x]
    for i in range(3):
        a.append(sigmoid(a[-1] @ w[f"w{i}"].T + w[f"b{i}"]))
    for i in range(4):
        np.testing.assert_allclose(story[f"a{i}"], a[i], atol=2e-6)
    assert int(story["prediction"]) == int(np.argmax(a[3])) == int(story["digit_label"]) == 3
    assert abs(float(story["confidence"]) - a[3].max()) < 2e-6

    # The chosen neuron: the most active in layer 1; its sum, bias and activation add up.
    j = int(story["neuron"])
    assert j == int(np.argmax(a[1]))
    np.testing.assert_array_equal(story["neuron_weights"], w["w0"][j])
    assert abs(float(story["neuron_weighted_sum"]) - w["w0"][j] @ x) < 1e-4
    assert abs(float(story["neuron_z"]) - (float(story["neuron_weighted_sum"]) + float(story["neuron_bias"]))) < 1e-4
    assert abs(float(story["neuron_activation"]) - sigmoid(story["neuron_z"])) < 1e-6

    # Counting the knobs
    sizes = [784, 16, 16, 10]
    assert story["sizes"].tolist() == sizes
    assert int(story["n_weights"]) == 784 * 16 + 16 * 16 + 16 * 10 == 12960
    assert int(story["n_params"]) == 13002 == int(story["n_weights"]) + int(story["n_biases"])

    # The matrix corner is the real W(1) and b(1)
    np.testing.assert_array_equal(story["w_corner"], w["w0"][:3, :3])
    np.testing.assert_array_equal(story["w_last_col"], w["w0"][:3, -1])
    np.testing.assert_array_equal(story["b_head"], w["b0"][:3])

    # The input window: consecutive pixels of one row, the most inked such run
    win = story["input_window"]
    assert len(win) == 16 and np.all(np.diff(win) == 1) and win[0] // 28 == win[-1] // 28
    image = x.reshape(28, 28)
    best = max(image[r, c : c + 16].sum() for r in range(28) for c in range(13))
    assert abs(x[win].sum() - best) < 1e-6

    # Accuracy shown in the recap
    acts = sigmoid(sigmoid(sigmoid(dataset.x_test @ w["w0"].T + w["b0"]) @ w["w1"].T + w["b1"]) @ w["w2"].T + w["b2"])
    assert abs(float(story["test_accuracy"]) - (acts.argmax(1) == dataset.y_test).mean()) < 1e-9


def test_chapter1_golden(story, update_goldens):
    """Every number Chapter 1 puts on screen, pinned."""
    keys = [
        "threes_index", "digit_index", "digit_label", "prediction", "confidence", "a3", "a2", "a1",
        "input_window", "neuron", "neuron_bias", "neuron_weighted_sum", "neuron_z", "neuron_activation",
        "n_weights", "n_biases", "n_params", "w_corner", "w_last_col", "w_last_row", "w_last", "b_head",
        "b_last", "w_shape", "test_accuracy", "n_test",
    ]
    check_golden("chapter1", {k: story[k] for k in keys}, update_goldens)
