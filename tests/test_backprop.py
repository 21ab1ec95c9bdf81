"""The hand-written backprop of Chapters 3 and 4 against torch autograd, and their pinned numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.backprop import backward, chain_rule_paths, forward
from models.digit_net import DigitNet
from tests.golden import check_golden


def random_net(seed):
    g = torch.Generator().manual_seed(seed)
    net = DigitNet(generator=g)
    return net, net.to_arrays()


def autograd_per_example(net, x, y):
    """Per-example parameter gradients of sum_j (a_j - y_j)^2, one autograd call per example."""
    out = []
    for i in range(len(x)):
        _, cost = net(torch.from_numpy(x[i : i + 1]), torch.from_numpy(y[i : i + 1]))
        grads = torch.autograd.grad(cost, net.ordered_params())
        out.append(torch.cat([g.reshape(-1) for g in grads]).numpy())
    return np.stack(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hand_backprop_matches_autograd_on_random_inputs(seed):
    net, p = random_net(seed)
    rng = np.random.default_rng(seed)
    x = rng.random((5, 784), dtype=np.float32)
    y = rng.integers(0, 10, 5)
    fwd = forward([p["w0"], p["w1"], p["w2"]], [p["b0"], p["b1"], p["b2"]], x)
    bwd = backward([p["w0"], p["w1"], p["w2"]], [p["b0"], p["b1"], p["b2"]], fwd, y)
    hand = np.concatenate([g.reshape(5, -1) for g in bwd["grad_w"] + bwd["grad_b"]], axis=1)
    np.testing.assert_allclose(hand, autograd_per_example(net, x, y), atol=2e-6, rtol=1e-4)
    # dC/da(0): the input gradient too
    xt = torch.from_numpy(x[:1]).requires_grad_()
    _, cost = net(xt, torch.from_numpy(y[:1]))
    np.testing.assert_allclose(bwd["grad_a"][0][0], torch.autograd.grad(cost, xt)[0][0].numpy(), atol=1e-6)


def test_chain_rule_paths_sum_to_the_gradient():
    net, p = random_net(3)
    x = np.random.default_rng(3).random((1, 784), dtype=np.float32)
    y = np.array([4])
    w, b = [p["w0"], p["w1"], p["w2"]], [p["b0"], p["b1"], p["b2"]]
    fwd = forward(w, b, x)
    grad = backward(w, b, fwd, y)["grad_w"][1][0]
    for j, k in ((0, 0), (5, 11), (15, 3)):
        paths = chain_rule_paths(w, fwd, y, 2, j, k)
        assert paths["grad"] == pytest.approx(grad[j, k], rel=1e-9, abs=1e-12)
        assert len(paths["terms"]) == 10
    with pytest.raises(ValueError):
        chain_rule_paths(w, fwd, y, 1, 0, 0)


@pytest.fixture(scope="module")
def story34():
    from models.pipeline import ensure

    art = ensure("digits-story")
    return art.arrays("chapter3.npz"), art.arrays("chapter4.npz")


def test_chapter3_numbers_against_autograd(story34, digits_artifact, dataset):
    ch3, _ = story34
    ck = digits_artifact.arrays("checkpoints.npz")
    net = DigitNet()
    net.set_flat(torch.from_numpy(ck["params"][list(ck["steps"]).index(int(ch3["checkpoint_step"]))]))
    i = int(ch3["digit_index"])
    assert dataset.y_train[i] == int(ch3["label"]) == 2
    auto = autograd_per_example(net, dataset.x_train[i : i + 1], dataset.y_train[i : i + 1])[0]
    # the "2" row of dC/dW(3) and dC/db(3)
    np.testing.assert_allclose(ch3["grad_w3_row"], auto[12800 + 2 * 16 : 12800 + 3 * 16], atol=1e-6)
    assert float(ch3["grad_b3"]) == pytest.approx(auto[12992 + 2], abs=1e-6)
    # the wishes add up to -dC/da(2), and -dC/da(1) follows from it
    np.testing.assert_allclose(ch3["wishes"].sum(axis=0), ch3["wanted_a2"], atol=1e-12)
    xt = torch.from_numpy(dataset.x_train[i : i + 1])
    trace = net.trace(xt)
    a2 = trace["a"][2].clone().requires_grad_()
    out = torch.sigmoid(a2 @ net.weights[2].T + net.biases[2])
    cost = ((out - torch.nn.functional.one_hot(torch.tensor([2]), 10)) ** 2).sum()
    np.testing.assert_allclose(-torch.autograd.grad(cost, a2)[0][0].numpy(), ch3["wanted_a2"], atol=1e-6)
    # the table's averages equal the mini-batch gradient autograd gives for those ten digits
    idx = ch3["table_examples"]
    _, batch_cost = net(torch.from_numpy(dataset.x_train[idx]), torch.from_numpy(dataset.y_train[idx]))
    batch = torch.cat([g.reshape(-1) for g in torch.autograd.grad(batch_cost, net.ordered_params())]).numpy()
    np.testing.assert_allclose(ch3["batch_gradient"], batch, atol=1e-6)
    np.testing.assert_allclose(ch3["table_average"], -batch[ch3["table_rows"]], atol=1e-6)
    np.testing.assert_allclose(ch3["table"].mean(axis=1), ch3["table_average"], atol=1e-12)


def test_chapter3_paths(story34):
    ch3, _ = story34
    assert np.allclose(ch3["sgd_path"][0], 0) and np.allclose(ch3["full_path"][0], 0)  # the same start
    assert ch3["sgd_cost"][0] == ch3["full_cost"][0]
    assert ch3["sgd_cost"][-1] < ch3["sgd_cost"][0] / 2 and ch3["full_cost"][-1] < ch3["full_cost"][0] / 2
    # the full-batch path only goes downhill; the mini-batch path does not
    assert np.all(np.diff(ch3["full_cost"]) < 0)
    assert np.any(np.diff(ch3["sgd_cost"]) > 0)


def test_chapter4_chain_rule_against_autograd(story34):
    _, ch4 = story34
    assert float(ch4["dc_dw"]) == pytest.approx(float(ch4["dz_dw"] * ch4["da_dz"] * ch4["dc_da"]))
    # an independent autograd pass over the chain
    w = torch.tensor(ch4["chain_w"], requires_grad=True)
    b = torch.tensor(ch4["chain_b"], requires_grad=True)
    a = torch.tensor(float(ch4["chain_x"]), dtype=torch.float64)
    for i in range(3):
        a = torch.sigmoid(w[i] * a + b[i])
    gw, gb = torch.autograd.grad((a - float(ch4["y"])) ** 2, (w, b))
    assert float(ch4["dc_dw"]) == pytest.approx(gw[-1].item(), rel=1e-9)
    assert float(ch4["dc_db"]) == pytest.approx(gb[-1].item(), rel=1e-9)
    assert float(ch4["autograd_dc_dw"]) == pytest.approx(gw[-1].item(), rel=1e-9)
    assert (float(ch4["a"]) > 0.5) != (float(ch4["y"]) > 0.5)  # the shown example is one it gets wrong
    # the deep weight: the sum over paths against float32 autograd
    assert float(ch4["deep_grad"]) == pytest.approx(float(ch4["deep_autograd"]), rel=1e-4)
    assert float(ch4["deep_grad"]) == pytest.approx(
        float(ch4["deep_a_prev"] * ch4["deep_sigma_prime"] * ch4["deep_terms"].sum()), rel=1e-9)


def test_chain_is_trained_and_reproducible(dataset):
    from models.chain import ChainConfig, train_chain

    one = train_chain(dataset, ChainConfig(steps=300))
    two = train_chain(dataset, ChainConfig(steps=300))
    np.testing.assert_array_equal(one.weights, two.weights)
    full = train_chain(dataset)
    assert full.cost_curve[-1] < full.cost_curve[0] / 2


def test_chapter3_golden(story34, update_goldens):
    ch3, _ = story34
    keys = ["checkpoint_step", "digit_index", "label", "a3", "wanted_change", "cost", "b3", "grad_b3", "grad_w3_row",
            "wanted_a2", "wanted_a1", "table_examples", "table_rows", "table", "table_average", "sgd_cost",
            "full_cost", "n_train", "batch_size"]
    values = {k: ch3[k] for k in keys}
    values["table_row_names"] = [str(n) for n in ch3["table_row_names"]]
    values["sgd_end"] = ch3["sgd_path"][-1]
    values["full_end"] = ch3["full_path"][-1]
    check_golden("chapter3", values, update_goldens)


def test_chapter4_golden(story34, update_goldens):
    _, ch4 = story34
    keys = ["chain_w", "chain_b", "chain_example", "chain_x", "chain_activations", "a_prev", "z", "a", "y", "cost",
            "dz_dw", "da_dz", "dc_da", "dc_dw", "dc_db", "dc_daprev", "autograd_dc_dw", "autograd_dc_db", "nudge",
            "nudged_z", "nudged_a", "nudged_cost", "n_chain_examples", "average_dc_dw", "deep_j", "deep_k",
            "deep_label", "deep_a_prev", "deep_sigma_prime", "deep_terms", "deep_grad", "deep_autograd"]
    check_golden("chapter4", {k: ch4[k] for k in keys}, update_goldens)
