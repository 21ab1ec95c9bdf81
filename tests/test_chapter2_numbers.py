"""Chapter 2's on-screen numbers: the landscape, the gradient and the tests, checked and pinned."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.digit_net import DigitNet
from models.digit_story import param_names
from tests.golden import check_golden
from tests.test_digit_net import numpy_forward


@pytest.fixture(scope="module")
def ch2():
    from models.pipeline import ensure

    return ensure("digits-story").arrays("chapter2.npz")


def test_landscape_centre_is_the_trained_network(ch2, digits_artifact, dataset):
    """The grid holds the trained point exactly, and its cost there is the directly computed one."""
    al, be = ch2["landscape_alphas"], ch2["landscape_betas"]
    i, j = int(np.flatnonzero(be == 0.0)[0]), int(np.flatnonzero(al == 0.0)[0])
    acts = numpy_forward(digits_artifact.arrays("weights.npz"), dataset.x_train)
    direct = float(((acts[3] - np.eye(10)[dataset.y_train]) ** 2).sum(axis=1).mean())
    assert ch2["landscape_cost"][i, j] == pytest.approx(direct, rel=1e-6)
    assert ch2["trained_avg_cost"] == pytest.approx(direct, rel=1e-5)


def test_landscape_points_match_a_direct_forward_pass(ch2, digits_artifact, dataset):
    """Rebuild the slice's directions independently and re-evaluate two grid points."""
    final = DigitNet.from_arrays(digits_artifact.arrays("weights.npz")).get_flat().double().numpy()
    ck = digits_artifact.arrays("checkpoints.npz")["params"].astype(np.float64) - final
    _, _, vt = np.linalg.svd(ck, full_matrices=False)
    path = ck @ vt[:2].T
    # singular vectors are defined up to sign
    signs = np.sign(np.sum(path * ch2["path"], axis=0))
    np.testing.assert_allclose(path * signs, ch2["path"], rtol=1e-6, atol=1e-6)
    assert np.allclose(ch2["path"][-1], 0.0)  # the path ends at the trained point
    net = DigitNet()
    for bi, ai in ((0, 0), (len(ch2["landscape_betas"]) - 1, 7)):
        theta = final + ch2["landscape_alphas"][ai] * signs[0] * vt[0] + ch2["landscape_betas"][bi] * signs[1] * vt[1]
        net.set_flat(torch.from_numpy(theta.astype(np.float32)))
        acts = numpy_forward(net.to_arrays(), dataset.x_train)
        direct = float(((acts[3] - np.eye(10)[dataset.y_train]) ** 2).sum(axis=1).mean())
        assert ch2["landscape_cost"][bi, ai] == pytest.approx(direct, rel=1e-4)
    assert ch2["landscape_cost"].min() <= ch2["landscape_cost"][0].max()
    assert ch2["path_cost_on_plane"][-1] == pytest.approx(ch2["trained_avg_cost"], rel=1e-5)


def test_gradient_matches_hand_backprop(ch2, digits_artifact, dataset):
    """The autograd gradient shown on screen against backprop written out in numpy."""
    init = DigitNet()
    init.set_flat(torch.from_numpy(digits_artifact.arrays("checkpoints.npz")["params"][0]))
    w = init.to_arrays()
    x, y = dataset.x_train.astype(np.float64), np.eye(10)[dataset.y_train]
    acts = numpy_forward(w, x)
    delta = 2 * (acts[3] - y) * acts[3] * (1 - acts[3]) / len(x)
    gw, gb = [None] * 3, [None] * 3
    for layer in (2, 1, 0):
        gw[layer], gb[layer] = delta.T @ acts[layer], delta.sum(axis=0)
        delta = (delta @ w[f"w{layer}"].astype(np.float64)) * acts[layer] * (1 - acts[layer])
    flat = np.concatenate([g.reshape(-1) for g in gw + gb])
    np.testing.assert_allclose(ch2["gradient"], flat, atol=2e-6)
    shown = ch2["gradient_shown"]
    assert set(shown) == set(np.argsort(-np.abs(flat))[: len(shown)])
    assert [param_names((784, 16, 16, 10))[i] for i in shown] == [str(n) for n in ch2["gradient_shown_names"]]


def test_param_names_follow_the_flat_order():
    names = param_names((784, 16, 16, 10))
    assert len(names) == 13002
    assert names[0] == "w(1)[0,0]" and names[784] == "w(1)[1,0]" and names[12544] == "w(2)[0,0]"
    assert names[12960] == "b(1)[0]" and names[-1] == "b(3)[9]"


def test_testing_and_noise_numbers(ch2, digits_artifact, dataset):
    acts = numpy_forward(digits_artifact.arrays("weights.npz"), dataset.x_test)
    np.testing.assert_array_equal(ch2["test_predictions"], acts[3].argmax(axis=1))
    wrong = ch2["test_predictions"] != dataset.y_test
    assert all(wrong[i] for i in ch2["mistakes"])
    np.testing.assert_array_equal(ch2["montage_images"], dataset.x_test[ch2["montage"]])
    noise = numpy_forward(digits_artifact.arrays("weights.npz"), ch2["noise_image"][None])[3][0]
    np.testing.assert_allclose(ch2["noise_output"], noise, atol=2e-6)


def test_chapter2_golden(ch2, update_goldens):
    """Every number Chapter 2 puts on screen, pinned."""
    keys = [
        "n_train", "n_test", "digit_label", "untrained_output", "trained_output", "untrained_digit_cost",
        "trained_digit_cost", "untrained_avg_cost", "trained_avg_cost", "landscape_explained",
        "path_cost_on_plane", "gradient_shown", "gradient_cost", "epoch_train_cost", "epoch_test_accuracy",
        "montage", "mistakes", "noise_output", "noise_confident",
    ]
    values = {k: ch2[k] for k in keys}
    values["gradient_shown_values"] = ch2["gradient"][ch2["gradient_shown"]]
    values["gradient_shown_names"] = [str(n) for n in ch2["gradient_shown_names"]]
    values["landscape_min"] = float(ch2["landscape_cost"].min())
    values["landscape_max"] = float(ch2["landscape_cost"].max())
    values["path_start"] = ch2["path"][0]
    values["path_end"] = ch2["path"][-1]
    values["montage_predictions"] = ch2["test_predictions"][ch2["montage"]]
    values["test_correct"] = int((ch2["test_predictions"] == ch2["test_labels"]).sum())
    check_golden("chapter2", values, update_goldens)
