"""Chapter 2's on-screen numbers: the landscape, the gradient and the tests, checked and pinned."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.digit_net import DigitNet
from models.digit_story import param_names
from tests.golden import check_golden
from tests.test_digit_net import numpy_forward
from tests.threads import one_blas_thread


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
    """Rebuild the slice's directions independently (the plane through the untrained and the
    trained network, tilted along the path) and re-evaluate grid points by a forward pass."""
    final = DigitNet.from_arrays(digits_artifact.arrays("weights.npz")).get_flat().double().numpy()
    ck = digits_artifact.arrays("checkpoints.npz")["params"].astype(np.float64) - final
    d1 = ck[0] / np.linalg.norm(ck[0])
    across = ck - np.outer(ck @ d1, d1)
    d2 = np.linalg.svd(across, full_matrices=False)[2][0]
    d2 -= (d2 @ d1) * d1
    d2 /= np.linalg.norm(d2)
    vt = np.stack([d1, d2])
    path = ck @ vt.T
    signs = np.array([1.0, np.sign(np.sum(path[:, 1] * ch2["path"][:, 1]))])  # d2 is defined up to sign
    np.testing.assert_allclose(path * signs, ch2["path"], rtol=1e-6, atol=1e-5)
    # the path starts at the untrained network, as far from the trained one (the map's origin) as
    # their parameter vectors are apart, and every drawn point is no farther from the origin than
    # its checkpoint is from the trained network (a projection cannot lengthen)
    untrained = DigitNet()
    untrained.set_flat(torch.from_numpy(digits_artifact.arrays("checkpoints.npz")["params"][0]))
    apart = math.sqrt(sum((float(a) - float(b)) ** 2 for a, b in zip(untrained.get_flat().tolist(), final.tolist())))
    assert np.linalg.norm(ch2["path"][0]) == pytest.approx(apart, rel=1e-6)
    assert np.all(np.linalg.norm(ch2["path"], axis=1) <= np.linalg.norm(ck, axis=1) * (1 + 1e-9) + 1e-9)
    # the share of the path's spread the plane holds, as the chapter states it
    assert float(ch2["landscape_explained"][0]) == pytest.approx(float((path**2).sum() / (ck**2).sum()), rel=1e-6)
    net = DigitNet()
    for bi, ai in ((0, 0), (len(ch2["landscape_betas"]) - 1, 7)):
        theta = final + ch2["landscape_alphas"][ai] * signs[0] * vt[0] + ch2["landscape_betas"][bi] * signs[1] * vt[1]
        net.set_flat(torch.from_numpy(theta.astype(np.float32)))
        acts = numpy_forward(net.to_arrays(), dataset.x_train)
        direct = float(((acts[3] - np.eye(10)[dataset.y_train]) ** 2).sum(axis=1).mean())
        assert ch2["landscape_cost"][bi, ai] == pytest.approx(direct, rel=1e-4)
    # The start as the slice shows it: the untrained network projected onto the plane
    theta = final + ch2["path"][0][0] * signs[0] * vt[0] + ch2["path"][0][1] * signs[1] * vt[1]
    net.set_flat(torch.from_numpy(theta.astype(np.float32)))
    acts = numpy_forward(net.to_arrays(), dataset.x_train)
    on_plane = float(((acts[3] - np.eye(10)[dataset.y_train]) ** 2).sum(axis=1).mean())
    assert ch2["path_cost_on_plane"][0] == pytest.approx(on_plane, rel=1e-4)
    # the untrained network lies on the plane: the map's start is its real cost
    assert ch2["path_cost_on_plane"][0] == pytest.approx(float(ch2["untrained_avg_cost"]), rel=1e-4)
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


def _cost(arrays: dict, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-example quadratic cost, in plain numpy."""
    return ((numpy_forward(arrays, x)[3] - np.eye(10)[labels]) ** 2).sum(axis=1)


def _hand_gradient(w: dict, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean cost's gradient by backpropagation written out in numpy, in the flat order."""
    acts = numpy_forward(w, x)
    delta = 2 * (acts[3] - np.eye(10)[labels]) * acts[3] * (1 - acts[3]) / len(x)
    gw, gb = [None] * 3, [None] * 3
    for layer in (2, 1, 0):
        gw[layer], gb[layer] = delta.T @ acts[layer], delta.sum(axis=0)
        delta = (delta @ w[f"w{layer}"].astype(np.float64)) * acts[layer] * (1 - acts[layer])
    return np.concatenate([g.reshape(-1) for g in gw + gb])


def test_costs_on_screen_match_a_numpy_forward_pass(ch2, story, digits_artifact, dataset):
    """The untrained and trained costs (one digit, the drawn training digits, the average, the
    learning curve) and the untrained network's activations, recomputed in numpy."""
    ck = digits_artifact.arrays("checkpoints.npz")
    start = DigitNet()
    start.set_flat(torch.from_numpy(ck["params"][0]))
    w0, w1 = start.to_arrays(), digits_artifact.arrays("weights.npz")
    digit, label = story["digit"][None], np.array([int(story["digit_label"])])
    acts = numpy_forward(w0, digit)
    np.testing.assert_allclose(ch2["untrained_output"], acts[3][0], atol=2e-6)
    np.testing.assert_allclose(ch2["untrained_a1"], acts[1][0], atol=2e-6)
    np.testing.assert_allclose(ch2["untrained_a2"], acts[2][0], atol=2e-6)
    win = story["input_window"]  # found again from the image in test_chapter1_numbers.py
    np.testing.assert_array_equal(ch2["input_window"], win)
    np.testing.assert_array_equal(ch2["a0_window"], dataset.x_test[int(story["digit_index"])][win])
    np.testing.assert_array_equal(ch2["untrained_w0_window"], w0["w0"][:, win])
    np.testing.assert_array_equal(ch2["untrained_w1"], w0["w1"])
    np.testing.assert_array_equal(ch2["untrained_w2"], w0["w2"])
    assert ch2["untrained_digit_cost"] == pytest.approx(_cost(w0, digit, label)[0], rel=1e-5)
    assert ch2["trained_digit_cost"] == pytest.approx(_cost(w1, digit, label)[0], rel=1e-3, abs=1e-7)
    idx = ch2["train_samples_index"]
    np.testing.assert_array_equal(ch2["train_samples"], dataset.x_train[idx])
    np.testing.assert_allclose(ch2["train_sample_cost_untrained"], _cost(w0, dataset.x_train[idx], dataset.y_train[idx]),
                               rtol=1e-5)
    np.testing.assert_allclose(ch2["train_sample_cost_trained"], _cost(w1, dataset.x_train[idx], dataset.y_train[idx]),
                               rtol=1e-3, atol=1e-7)
    assert ch2["untrained_avg_cost"] == pytest.approx(_cost(w0, dataset.x_train, dataset.y_train).mean(), rel=1e-5)
    assert ch2["gradient_cost"] == pytest.approx(float(ch2["untrained_avg_cost"]), rel=1e-6)
    for k in (0, 5, len(ck["params"]) - 1):  # the learning curve's points
        net = DigitNet()
        net.set_flat(torch.from_numpy(ck["params"][k]))
        assert ch2["checkpoint_cost"][k] == pytest.approx(_cost(net.to_arrays(), dataset.x_train, dataset.y_train).mean(),
                                                          rel=1e-4)
    metrics = digits_artifact.arrays("metrics.npz")
    np.testing.assert_array_equal(ch2["epoch_train_cost"], metrics["train_cost"])
    assert metrics["train_cost"][-1] == pytest.approx(_cost(w1, dataset.x_train, dataset.y_train).mean(), rel=1e-4)
    acc = (numpy_forward(w1, dataset.x_test)[3].argmax(1) == dataset.y_test).mean()
    assert ch2["epoch_test_accuracy"][-1] == pytest.approx(acc, abs=1e-6)  # stored as float32
    # The held-out samples drawn include Chapter 1's digit
    assert int(story["digit_index"]) in ch2["test_samples_index"].tolist()
    np.testing.assert_array_equal(ch2["test_samples"], dataset.x_test[ch2["test_samples_index"]])


def test_learning_curves_from_the_stored_checkpoints(ch2, digits_artifact, dataset):
    """The two curves: the full training cost at every stored checkpoint (every 200 steps) and, per
    epoch, the training cost and held-out accuracy. The checkpoints hold the weights at each step,
    and every epoch ends on one of them, so each point is recomputed from them by the numpy forward
    pass (epoch 0: before any training)."""
    ck = digits_artifact.arrays("checkpoints.npz")
    train = digits_artifact.config["train"]
    np.testing.assert_array_equal(ch2["path_steps"], ck["steps"])
    per_epoch = math.ceil(len(dataset.y_train) / int(train["batch_size"]))
    net = DigitNet()
    costs, right = [], {}
    with one_blas_thread():
        for flat in ck["params"]:
            net.set_flat(torch.from_numpy(flat))
            costs.append(_cost(net.to_arrays(), dataset.x_train, dataset.y_train).mean())
        for epoch in range(int(train["epochs"]) + 1):
            net.set_flat(torch.from_numpy(ck["params"][int(np.flatnonzero(ck["steps"] == epoch * per_epoch)[0])]))
            right[epoch] = int((numpy_forward(net.to_arrays(), dataset.x_test)[3].argmax(axis=1) == dataset.y_test).sum())
    np.testing.assert_allclose(ch2["checkpoint_cost"], costs, rtol=1e-4)
    assert len(ch2["epoch_train_cost"]) == len(ch2["epoch_test_accuracy"]) == len(right)
    for epoch, (cost, accuracy) in enumerate(zip(ch2["epoch_train_cost"], ch2["epoch_test_accuracy"])):
        at = int(np.flatnonzero(ck["steps"] == epoch * per_epoch)[0])
        assert cost == pytest.approx(costs[at], rel=1e-4), epoch
        assert accuracy == pytest.approx(right[epoch] / len(dataset.y_test), abs=1e-6), epoch  # stored as float32


def test_one_step_and_the_output_bias(ch2, story, digits_artifact, dataset):
    """One full step at the run's learning rate lowers the cost to what the chapter says; the 3's
    output bias is pushed down on average and up on the 3 alone: both by numpy backprop."""
    ck = digits_artifact.arrays("checkpoints.npz")
    start = DigitNet()
    start.set_flat(torch.from_numpy(ck["params"][0]))
    w0 = start.to_arrays()
    lr = float(digits_artifact.config["train"]["lr"])
    assert float(ch2["lr"]) == lr == 1.5
    grad = _hand_gradient(w0, dataset.x_train, dataset.y_train)
    stepped = DigitNet()
    stepped.set_flat(torch.from_numpy((start.get_flat().double().numpy() - lr * grad).astype(np.float32)))
    after = _cost(stepped.to_arrays(), dataset.x_train, dataset.y_train).mean()
    assert ch2["step_cost_after"] == pytest.approx(after, rel=1e-4) == float(ch2["full_batch_costs"][1])
    costs = ch2["full_batch_costs"]
    assert costs[0] == pytest.approx(_cost(w0, dataset.x_train, dataset.y_train).mean(), rel=1e-5)
    assert np.all(np.diff(costs) < 0)  # each step lowers it
    label = int(story["digit_label"])
    index = int(ch2["bias_index"])
    assert param_names((784, 16, 16, 10))[index] == f"b(3)[{label}]"
    assert grad[index] > 0  # the average pushes the 3's bias down (minus the gradient is negative)
    one = _hand_gradient(w0, story["digit"][None], np.array([label]))
    assert ch2["bias_gradient_digit"] == pytest.approx(one[index], rel=1e-4)
    assert one[index] < 0  # on the 3 alone it would go up
    assert ch2["label_share"] == pytest.approx((dataset.y_train == label).mean())


def test_the_plateau_and_the_hardest_digits(ch2, digits_artifact, dataset):
    """After the full steps shown, the network answers about 0.1 on every output whatever the digit
    (so the cost is about 9 x 0.1^2 + 0.9^2 = 0.90); after training, the worst 1% of the training
    digits make most of the cost: both recomputed in numpy."""
    ck = digits_artifact.arrays("checkpoints.npz")
    start = DigitNet()
    start.set_flat(torch.from_numpy(ck["params"][0]))
    lr = float(ch2["lr"])
    theta = start.get_flat().double().numpy()
    for k in range(1, len(ch2["full_batch_costs"])):
        net = DigitNet()
        net.set_flat(torch.from_numpy(theta.astype(np.float32)))
        theta = theta - lr * _hand_gradient(net.to_arrays(), dataset.x_train, dataset.y_train)
        net.set_flat(torch.from_numpy(theta.astype(np.float32)))
        # the cost after each step drawn, by the numpy forward pass
        assert ch2["full_batch_costs"][k] == pytest.approx(_cost(net.to_arrays(), dataset.x_train, dataset.y_train).mean(),
                                                           rel=1e-4), k
    net = DigitNet()
    net.set_flat(torch.from_numpy(theta.astype(np.float32)))
    mean = numpy_forward(net.to_arrays(), dataset.x_train)[3].mean(axis=0)
    np.testing.assert_allclose(ch2["full_batch_mean_output"], mean, atol=1e-3)
    assert np.all(np.abs(mean - 0.1) < 0.03)  # "about 0.1 on every output"
    cost = _cost(digits_artifact.arrays("weights.npz"), dataset.x_train, dataset.y_train)
    worst = np.argsort(-cost, kind="stable")[:3]
    np.testing.assert_array_equal(ch2["hardest_train_index"], worst)
    np.testing.assert_allclose(ch2["hardest_train_cost"], cost[worst], rtol=1e-4)
    share = np.sort(cost)[::-1][: len(cost) // 100].sum() / cost.sum()
    assert ch2["trained_cost_share_of_hardest"] == pytest.approx(share, rel=1e-3)


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
    # "n of the N noise images get a confident answer": the seeded uniform images, through numpy
    from models.artifacts import derive_seed

    n = int(ch2["n_noise"])
    images = np.random.default_rng(derive_seed("chapter2", "noise")).random((n, 784)).astype(np.float32)
    out = numpy_forward(digits_artifact.arrays("weights.npz"), images)[3]
    assert int(ch2["noise_confident"]) == int((out.max(axis=1) > 0.5).sum())
    np.testing.assert_array_equal(ch2["noise_image"], images[int(np.argmax(out.max(axis=1)))])


def test_chapter2_golden(ch2, update_goldens):
    """Every number Chapter 2 puts on screen, pinned."""
    keys = [
        "n_train", "n_test", "digit_label", "untrained_output", "trained_output", "untrained_digit_cost",
        "trained_digit_cost", "untrained_avg_cost", "trained_avg_cost", "landscape_explained",
        "path_cost_on_plane", "gradient_shown", "gradient_cost", "epoch_train_cost", "epoch_test_accuracy",
        "montage", "mistakes", "noise_output", "noise_confident", "untrained_a1", "untrained_a2",
        "train_samples_index", "train_sample_cost_untrained", "train_sample_cost_trained", "test_samples_index",
        "lr", "step_cost_after", "full_batch_costs", "full_batch_mean_output", "hardest_train_index",
        "hardest_train_cost", "trained_cost_share_of_hardest", "bias_index", "bias_gradient_digit", "label_share", "weight_vmax", "checkpoint_cost",
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


def test_the_cost_table_on_screen_adds_up(ch2):
    """Chapter 2 writes each (a - y)^2 with three decimals and their sum with two: the shown terms
    make the shown sum, and that is the real cost of the digit at that precision."""
    a, y = ch2["untrained_output"].astype(np.float64), ch2["target"]
    shown_terms = np.round((a - y) ** 2, 3)
    assert round(float(shown_terms.sum()), 2) == round(float(ch2["untrained_digit_cost"]), 2)
    for aj, yj, term in zip(a, y, shown_terms):  # each term from its shown a, to the shown precision
        assert abs((round(aj, 3) - yj) ** 2 - term) < 0.0015


def test_the_lines_of_equal_cost_drawn_on_the_map_lie_where_the_cost_is_their_level(ch2):
    """Chapter 2's map draws lines of equal cost (``LandscapeMap(contours=True)``). Read back from
    the drawing, every line's ends sit where the cost grid, interpolated between its samples, equals
    one of the levels; and each level crosses as many grid edges as its lines have distinct ends."""
    from scenes.chapter2 import landscape_stage
    from scenes.pieces import contour_levels

    land = landscape_stage(ch2).land
    al, be, cost = ch2["landscape_alphas"], ch2["landscape_betas"], ch2["landscape_cost"]
    levels = np.log(contour_levels(float(cost.min()), float(cost.max())))
    assert len(levels) >= 6  # 0.02 ... 5 on this map
    # scene coordinates -> fractional grid places (pixel centres sit at the grid values), inverted by hand:
    # the map is drawn turned, alpha (the grid's columns) up the page, beta (its rows) from right to left
    assert land.turned
    left, bottom = land.image.get_corner(np.array([-1.0, -1.0, 0.0]))[:2]
    points = land.contours.points  # one straight cubic per segment: its two ends are points 0 and 3 of each four
    ends = np.concatenate([points[0::4], points[3::4]])
    col = ((ends[:, 1] - bottom) / land.image.height * len(al) - 0.5)
    row = ((1 - (ends[:, 0] - left) / land.image.width) * len(be) - 0.5)
    log_cost = np.log(cost)
    r0 = np.clip(np.floor(row).astype(int), 0, len(be) - 2)
    c0 = np.clip(np.floor(col).astype(int), 0, len(al) - 2)
    fr, fc = row - r0, col - c0
    value = (log_cost[r0, c0] * (1 - fr) * (1 - fc) + log_cost[r0, c0 + 1] * (1 - fr) * fc
             + log_cost[r0 + 1, c0] * fr * (1 - fc) + log_cost[r0 + 1, c0 + 1] * fr * fc)
    nearest = np.abs(value[:, None] - levels[None, :])
    assert nearest.min(axis=1).max() < 1e-6, "a line's end where the cost is not a level"
    which = nearest.argmin(axis=1)
    for k, level in enumerate(levels):
        above = log_cost >= level
        crossings = int((above[:, 1:] != above[:, :-1]).sum() + (above[1:, :] != above[:-1, :]).sum())
        distinct = len({(round(float(x), 6), round(float(y), 6)) for x, y in ends[which == k][:, :2]})
        assert distinct == crossings, f"level {np.exp(level):.3g}: {distinct} line ends for {crossings} edge crossings"


def test_the_turned_map_shades_each_point_with_its_own_cost(ch2):
    """Chapter 2's map is drawn a quarter turn round (the untrained network on top, the trained one
    below it): at the scene place ``point`` gives each grid value, the image's pixel is that grid
    cell's cost colour; the start and end of training lie one above the other, the start higher."""
    from scenes.chapter2 import landscape_stage
    from scenes.palette import cost_to_rgb

    land = landscape_stage(ch2).land
    al, be, cost = ch2["landscape_alphas"], ch2["landscape_betas"], ch2["landscape_cost"]
    pixels = land.image.pixel_array  # rows top-down
    rows, cols = pixels.shape[:2]
    assert (rows, cols) == (len(al), len(be))
    left, bottom = land.image.get_corner(np.array([-1.0, -1.0, 0.0]))[:2]
    colours = cost_to_rgb(cost, float(cost.min()), float(cost.max()))
    rng = np.random.default_rng(0)
    for i, j in zip(rng.integers(0, len(be), 40), rng.integers(0, len(al), 40)):
        x, y, _ = land.point(float(al[j]), float(be[i]))
        r = int((1 - (y - bottom) / land.image.height) * rows)
        c = int((x - left) / land.image.width * cols)
        np.testing.assert_array_equal(pixels[r, c, :3], colours[i, j])
    start, end = land.point(*ch2["path"][0]), land.point(*ch2["path"][-1])
    assert start[1] > end[1] + 0.5 * land.image.height and abs(start[0] - end[0]) < 0.1 * land.image.width


def test_a_cell_whose_corners_alternate_is_split_the_way_its_mean_falls():
    """The saddle case of the map's lines of equal cost (``contour_segments``): two segments, each
    cutting off the two corners on the other side of the level from the cell's middle."""
    from scenes.pieces import contour_segments

    grid = np.array([[0.0, 1.0], [1.0, 0.2]])  # corners alternate about 0.5; their mean 0.55 is above
    def drawn(level):
        return {tuple(sorted((round(float(r), 9), round(float(c), 9)) for r, c in seg))
                for seg in contour_segments(grid, level)}

    assert drawn(0.5) == {((0.0, 0.5), (0.5, 0.0)), ((0.625, 1.0), (1.0, 0.625))}  # around (0, 0) and (1, 1)
    # at 0.7 the mean is below: the high corners (0, 1) and (1, 0) are cut off
    assert drawn(0.7) == {((0.0, 0.7), (0.375, 1.0)), ((0.7, 0.0), (1.0, 0.375))}
