"""The hand-written backprop of Chapters 3 and 4 against torch autograd, and their pinned numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.backprop import backward, chain_rule_paths, forward
from models.digit_net import DigitNet
from models.digit_story import param_names, spread_window
from tests.golden import check_golden
from tests.threads import one_blas_thread


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
    # the diagram's weights and this digit's wish for each of them (-dC/dW), layer by layer
    window = spread_window(dataset.x_train[i])
    np.testing.assert_array_equal(ch3["input_window"], window)
    np.testing.assert_array_equal(ch3["a0_window"], dataset.x_train[i][window])
    weights = [w.detach().numpy() for w in net.weights]
    np.testing.assert_array_equal(ch3["w1_window"], weights[0][:, window])
    np.testing.assert_array_equal(ch3["w2"], weights[1])
    np.testing.assert_array_equal(ch3["w3"], weights[2])
    assert float(ch3["weight_vmax"]) == pytest.approx(float(np.percentile(np.abs(weights[0]), 99)), rel=1e-6)
    np.testing.assert_allclose(ch3["wish_w1_window"], -auto[: 784 * 16].reshape(16, 784)[:, window], atol=1e-6)
    np.testing.assert_allclose(ch3["wish_w2"], -auto[784 * 16 : 784 * 16 + 256].reshape(16, 16), atol=1e-6)
    np.testing.assert_allclose(ch3["wish_w3"], -auto[12800:12960].reshape(10, 16), atol=1e-6)
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
    # each cell: one example's nudge -dC_x/dtheta, by autograd on that example alone; the rows are
    # the parameters whose average nudge is largest
    assert [int(dataset.y_train[e]) for e in idx] == list(range(10))
    assert all(int(np.flatnonzero(dataset.y_train == d)[0]) == e for d, e in enumerate(idx))
    each = -autograd_per_example(net, dataset.x_train[idx], dataset.y_train[idx])  # (examples, 13002)
    rows = np.sort(np.argsort(-np.abs(each.mean(axis=0)), kind="stable")[: len(ch3["table_rows"])])
    np.testing.assert_array_equal(ch3["table_rows"], rows)
    assert [str(n) for n in ch3["table_row_names"]] == [param_names((784, 16, 16, 10))[r] for r in rows]
    np.testing.assert_allclose(ch3["table"], each[:, rows].T, rtol=1e-4, atol=1e-7)


def test_chapter3_forward_and_wishes_by_numpy_and_autograd(story34, digits_artifact, dataset):
    """The partly trained network on the first training "2": its activations and cost by a numpy
    forward pass, the wanted change of each output, the weights and bias into the "2" neuron read
    from the checkpoint, and each output's wish for layer 2 as the derivative of that output's own
    cost term (autograd); -dC/da(1) by autograd through the whole network."""
    ch3, _ = story34
    ck = digits_artifact.arrays("checkpoints.npz")
    at = list(ck["steps"]).index(int(ch3["checkpoint_step"]))
    net = DigitNet()
    net.set_flat(torch.from_numpy(ck["params"][at]))
    p = {k: v.astype(np.float64) for k, v in net.to_arrays().items()}
    label = int(ch3["label"])
    i = int(np.flatnonzero(dataset.y_train == label)[0])
    assert int(ch3["digit_index"]) == i
    np.testing.assert_array_equal(ch3["digit"], dataset.x_train[i])
    a = [dataset.x_train[i].astype(np.float64)]
    z = [None]
    for layer in range(3):
        z.append(p[f"w{layer}"] @ a[-1] + p[f"b{layer}"])
        a.append(1 / (1 + np.exp(-z[-1])))
    target = np.zeros(10)
    target[label] = 1.0
    close = dict(rtol=1e-6, atol=1e-9)
    for layer in (1, 2, 3):
        np.testing.assert_allclose(ch3[f"a{layer}"], a[layer], **close)
    np.testing.assert_allclose(ch3["z3"], z[3], **close)
    np.testing.assert_array_equal(ch3["target"], target)
    np.testing.assert_allclose(ch3["wanted_change"], target - a[3], **close)
    assert float(ch3["cost"]) == pytest.approx(float(((a[3] - target) ** 2).sum()), rel=1e-6)
    np.testing.assert_array_equal(ch3["w3_row"], p["w2"][label])
    assert float(ch3["b3"]) == p["b2"][label]
    # output o's wish for layer 2: minus how its own term (a_o - y_o)^2 changes with a(2)
    a2 = torch.tensor(a[2], requires_grad=True)
    out = torch.sigmoid(torch.from_numpy(p["w2"]) @ a2 + torch.from_numpy(p["b2"]))
    wishes = [-torch.autograd.grad((out[o] - target[o]) ** 2, a2, retain_graph=True)[0].numpy() for o in range(10)]
    np.testing.assert_allclose(ch3["wishes"], wishes, rtol=1e-6, atol=1e-12)
    a1 = torch.tensor(a[1], requires_grad=True)
    h = torch.sigmoid(torch.from_numpy(p["w1"]) @ a1 + torch.from_numpy(p["b1"]))
    cost = ((torch.sigmoid(torch.from_numpy(p["w2"]) @ h + torch.from_numpy(p["b2"])) - torch.from_numpy(target)) ** 2).sum()
    np.testing.assert_allclose(ch3["wanted_a1"], -torch.autograd.grad(cost, a1)[0].numpy(), rtol=1e-6, atol=1e-12)


def _flat_to_arrays(flat: np.ndarray, sizes=(784, 16, 16, 10)) -> tuple[list, list]:
    """The flat parameter vector (all weight matrices row by row, then all biases) as arrays."""
    ws, bs, at = [], [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        ws.append(flat[at : at + n_in * n_out].reshape(n_out, n_in))
        at += n_in * n_out
    for n_out in sizes[1:]:
        bs.append(flat[at : at + n_out])
        at += n_out
    return ws, bs


def _numpy_cost_and_gradient(flat: np.ndarray, x, onehot: np.ndarray, grad: bool = True):
    """Mean quadratic cost and its gradient (flat order) by backpropagation written out in numpy
    (``x`` dense, or a SciPy sparse matrix: the digits are mostly blank paper)."""
    ws, bs = _flat_to_arrays(flat)
    acts = [x]
    for w, b in zip(ws, bs):
        acts.append(1 / (1 + np.exp(-(np.asarray(acts[-1] @ w.T) + b))))
    cost = float(((acts[-1] - onehot) ** 2).sum(axis=1).mean())
    if not grad:
        return cost, None
    delta = 2 * (acts[-1] - onehot) * acts[-1] * (1 - acts[-1]) / x.shape[0]
    gw, gb = [None] * 3, [None] * 3
    for layer in (2, 1, 0):
        gw[layer] = np.asarray(acts[layer].T @ delta).T
        gb[layer] = delta.sum(axis=0)
        if layer:  # (no gradient for the input pixels)
            delta = (delta @ ws[layer]) * acts[layer] * (1 - acts[layer])
    return cost, np.concatenate([g.reshape(-1) for g in gw + gb])


def test_chapter3_paths_by_numpy_descent(story34, digits_artifact, dataset):
    """The two paths across the slice and their costs: mini-batch and full-batch gradient descent
    from the partly trained network at ``path_start_step``, done again with numpy backprop (the mini-batches in the order the
    stage's seeded generator shuffles them), the cost every ``path_every`` steps measured in numpy,
    the two paths projected on the plane of their own two main directions, and the slice's cost at
    two grid corners."""
    from scipy.sparse import csr_matrix

    from models.artifacts import derive_seed

    ch3, _ = story34
    ck = digits_artifact.arrays("checkpoints.npz")
    assert int(ch3["path_start_step"]) == int(ch3["checkpoint_step"])  # the network the chapter followed
    start = ck["params"][list(ck["steps"]).index(int(ch3["path_start_step"]))].astype(np.float64)
    x = dataset.x_train.astype(np.float64)
    sparse = csr_matrix(x)  # the same numbers, stored without the blank pixels: the full batch is 5x cheaper
    onehot = np.eye(10)[dataset.y_train]
    lr, batch, every = float(ch3["lr"]), int(ch3["batch_size"]), int(ch3["path_every"])
    steps = (len(ch3["sgd_cost"]) - 1) * every
    assert lr == float(digits_artifact.config["train"]["lr"]) and batch == digits_artifact.config["train"]["batch_size"]

    def descend(batches):
        theta, points = start.copy(), [start.copy()]
        for step in range(1, steps + 1):
            idx = next(batches)
            inputs = sparse if isinstance(idx, slice) else x[idx]
            theta = theta - lr * _numpy_cost_and_gradient(theta, inputs, onehot[idx])[1]
            if step % every == 0:
                points.append(theta)
        return np.stack(points)

    def shuffled():
        order = torch.Generator().manual_seed(derive_seed("chapter3", "minibatches"))
        perm, pos = torch.randperm(len(x), generator=order).numpy(), 0
        while True:
            if pos + batch > len(perm):
                perm, pos = torch.randperm(len(x), generator=order).numpy(), 0
            yield perm[pos : pos + batch]
            pos += batch

    def everything():
        while True:
            yield slice(None)

    with one_blas_thread():  # small matrices: threads only wait for each other
        sgd, full = descend(shuffled()), descend(everything())
        costs = {name: [_numpy_cost_and_gradient(t, sparse, onehot, grad=False)[0] for t in points]
                 for name, points in (("sgd", sgd), ("full", full))}
    for name in ("sgd", "full"):
        np.testing.assert_allclose(ch3[f"{name}_cost"], costs[name], rtol=1e-4, err_msg=name)
    # the paths on screen: the offsets from the start on their two main directions (signs free)
    offsets = np.concatenate([sgd, full]) - start
    d = np.linalg.svd(offsets, full_matrices=False)[2][:2]
    shown = np.concatenate([ch3["sgd_path"], ch3["full_path"]])
    projected = offsets @ d.T
    projected *= np.sign((projected * shown).sum(axis=0))
    scale = np.abs(shown).max()
    np.testing.assert_allclose(shown, projected, rtol=0, atol=1e-4 * scale)
    # the slice: the cost at two corners of the grid, straight from the parameters there
    d *= np.sign((offsets @ d.T * shown).sum(axis=0))[:, None]
    al, be = ch3["slice_alphas"], ch3["slice_betas"]
    for bi, ai in ((0, 0), (len(be) - 1, len(al) - 1)):
        theta = start + al[ai] * d[0] + be[bi] * d[1]
        cost = _numpy_cost_and_gradient(theta, sparse, onehot, grad=False)[0]
        assert ch3["slice_cost"][bi, ai] == pytest.approx(cost, rel=1e-4)


def test_chapter3_paths(story34):
    ch3, _ = story34
    assert ch3["sgd_cost"][-1] < ch3["sgd_cost"][0] / 2 and ch3["full_cost"][-1] < ch3["full_cost"][0] / 2
    # the full-batch path only goes downhill; the mini-batch path does not
    assert np.all(np.diff(ch3["full_cost"]) < 0)
    assert np.any(np.diff(ch3["sgd_cost"]) > 0)


def test_chapter4_chain_rule_against_autograd(story34):
    _, ch4 = story34
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
    assert float(ch4["autograd_dc_db"]) == pytest.approx(gb[-1].item(), rel=1e-9)
    assert (float(ch4["a"]) > 0.5) != (float(ch4["y"]) > 0.5)  # the shown example is one it gets wrong
    # dC/da(L-1): autograd through the last neuron alone, a(L-1) a leaf
    a_prev = torch.tensor(float(ch4["a_prev"]), dtype=torch.float64, requires_grad=True)
    last = torch.sigmoid(float(ch4["chain_w"][-1]) * a_prev + float(ch4["chain_b"][-1]))
    g_prev = torch.autograd.grad((last - float(ch4["y"])) ** 2, a_prev)[0].item()
    assert float(ch4["dc_daprev"]) == pytest.approx(g_prev, rel=1e-9)
    assert float(ch4["autograd_dc_daprev"]) == pytest.approx(g_prev, rel=1e-9)
    assert float(ch4["dc_dw_prev"]) == pytest.approx(gw[-2].item(), rel=1e-9)
    assert float(ch4["autograd_dc_dw_prev"]) == pytest.approx(gw[-2].item(), rel=1e-9)
    # the digit network: each hand-written sum against the artifact's own autograd values
    assert float(ch4["fan_dc_dak"]) == pytest.approx(float(ch4["autograd_fan_dc_dak"]), rel=1e-9)
    assert float(ch4["fan_dc_dw_jk"]) == pytest.approx(float(ch4["autograd_fan_dc_dw_jk"]), rel=1e-9)
    assert float(ch4["deep_grad"]) == pytest.approx(float(ch4["deep_autograd"]), rel=1e-9)
    assert float(ch4["average_dc_dw"]) == pytest.approx(float(ch4["autograd_average_dc_dw"]), rel=1e-9)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _chain_run(w, b, x: float) -> list[float]:
    """The 1-1-1-1 chain's activations a(0) .. a(L), one plain float at a time."""
    acts = [float(x)]
    for wi, bi in zip(w, b):
        acts.append(_sigmoid(float(wi) * acts[-1] + float(bi)))
    return acts


def _slope(f, x: float, h: float = 1e-6) -> float:
    """Central finite difference: the second opinion on every derivative of Chapter 4."""
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.fixture(scope="module")
def trained_chain(dataset):
    """The 1-1-1-1 chain trained again by its own seeded trainer (a fraction of a second)."""
    from models.chain import train_chain

    return train_chain(dataset)


def test_chapter4_chain_numbers_by_plain_arithmetic(story34, trained_chain, dataset):
    """Every number of the chain beats, again: the chain retrained (its own seeded trainer, cheap),
    its inputs counted from the digits, the example picked by its rule, a forward pass in plain
    floats, the nudge followed through z, a and C, and each derivative by finite differences."""
    _, ch4 = story34
    chain = trained_chain
    np.testing.assert_array_equal(ch4["chain_w"], chain.weights)
    np.testing.assert_array_equal(ch4["chain_b"], chain.biases)
    w, b = [float(v) for v in ch4["chain_w"]], [float(v) for v in ch4["chain_b"]]
    # inputs: the share of bright pixels (x4) of each training 0 and 1; target 1 for a "1"
    keep = [i for i, y in enumerate(dataset.y_train) if y in (0, 1)]
    xs = [4.0 * float(np.count_nonzero(dataset.x_train[i] > 0.5)) / 784 for i in keep]
    ys = [1.0 if dataset.y_train[i] == 1 else 0.0 for i in keep]
    assert int(ch4["n_chain_examples"]) == len(xs)
    def shown(x, y):  # what the chapter writes about an example, as it writes it (3 significant digits)
        acts = _chain_run(w, b, x)
        s, dca = acts[-1] * (1 - acts[-1]), 2 * (acts[-1] - y)
        values = [*acts, w[-1] * acts[-2] + b[-1], (acts[-1] - y) ** 2, s, dca, acts[-2] * s * dca, s * dca,
                  w[-1] * s * dca]
        return ["%.3g" % abs(v) for v in values]

    # the first example it gets wrong whose shown numbers all read apart (no look-alikes on screen)
    e = next(i for i, (x, y) in enumerate(zip(xs, ys))
             if (_chain_run(w, b, x)[-1] > 0.5) != (y > 0.5) and len(set(shown(x, y))) == len(shown(x, y)))
    assert int(ch4["chain_example"]) == e
    np.testing.assert_array_equal(ch4["chain_digit"], dataset.x_train[keep[e]])
    assert int(dataset.y_train[keep[e]]) == int(ch4["y"])  # a "1" has y = 1, a "0" y = 0
    assert float(ch4["cost"]) != pytest.approx(float(ch4["a_prev"]), abs=5e-3)  # the old look-alike is gone
    x, y = xs[e], ys[e]
    acts = _chain_run(w, b, x)
    close = dict(rel=1e-9, abs=1e-12)
    assert float(ch4["chain_x"]) == pytest.approx(x, **close) and float(ch4["y"]) == y
    np.testing.assert_allclose(ch4["chain_activations"], acts, rtol=1e-9)
    a_prev, z = acts[-2], w[-1] * acts[-2] + b[-1]
    assert float(ch4["a_prev"]) == pytest.approx(a_prev, **close)
    assert float(ch4["z"]) == pytest.approx(z, **close)
    assert float(ch4["a"]) == pytest.approx(acts[-1], **close)
    assert float(ch4["cost"]) == pytest.approx((acts[-1] - y) ** 2, **close)
    # the nudge: w(L) moved by the shown amount, the chain run forward again
    nudge = float(ch4["nudge"])
    moved = _chain_run(w[:-1] + [w[-1] + nudge], b, x)
    assert float(ch4["nudged_z"]) == pytest.approx((w[-1] + nudge) * moved[-2] + b[-1], **close)
    assert float(ch4["nudged_a"]) == pytest.approx(moved[-1], **close)
    assert float(ch4["nudged_cost"]) == pytest.approx((moved[-1] - y) ** 2, **close)
    # each step's change and ratio of changes, from the plain-float runs
    dz, da, dc = nudge * acts[-2], moved[-1] - acts[-1], (moved[-1] - y) ** 2 - (acts[-1] - y) ** 2
    assert float(ch4["nudge_dz"]) == pytest.approx(dz, **close)
    assert float(ch4["nudge_da"]) == pytest.approx(da, **close)
    assert float(ch4["nudge_dc"]) == pytest.approx(dc, **close)
    assert float(ch4["ratio_z_w"]) == pytest.approx(dz / nudge, **close)
    assert float(ch4["ratio_a_z"]) == pytest.approx(da / dz, **close)
    assert float(ch4["ratio_c_a"]) == pytest.approx(dc / da, **close)
    assert float(ch4["ratio_c_w"]) == pytest.approx(dc / nudge, **close)

    # the derivatives, each by finite differences of the function it stands for
    def cost_with(i_w=None, i_b=None, a_in=None):
        def f(v):
            ww, bb = list(w), list(b)
            if i_w is not None:
                ww[i_w] = v
            if i_b is not None:
                bb[i_b] = v
            if a_in is not None:  # a(L-1) set by hand: only the last neuron runs
                return (_sigmoid(w[-1] * v + b[-1]) - y) ** 2
            return (_chain_run(ww, bb, x)[-1] - y) ** 2
        return f

    fd = dict(rel=1e-6, abs=1e-9)
    assert float(ch4["dz_dw"]) == pytest.approx(_slope(lambda v: v * a_prev + b[-1], w[-1]), **fd)
    assert float(ch4["da_dz"]) == pytest.approx(_slope(_sigmoid, z), **fd)
    assert float(ch4["dc_da"]) == pytest.approx(_slope(lambda v: (v - y) ** 2, acts[-1]), **fd)
    assert float(ch4["dc_dw"]) == pytest.approx(_slope(cost_with(i_w=len(w) - 1), w[-1]), **fd)
    assert float(ch4["dc_db"]) == pytest.approx(_slope(cost_with(i_b=len(b) - 1), b[-1]), **fd)
    assert float(ch4["dc_daprev"]) == pytest.approx(_slope(cost_with(a_in=True), a_prev), **fd)
    assert float(ch4["dc_dw_prev"]) == pytest.approx(_slope(cost_with(i_w=len(w) - 2), w[-2]), **fd)
    assert float(ch4["sigma_prime_prev"]) == pytest.approx(_slope(_sigmoid, w[-2] * acts[-3] + b[-2]), **fd)

    # averaged over every training example: the slope of the mean cost
    def mean_cost(v):
        ww = w[:-1] + [v]
        return sum((_chain_run(ww, b, xi)[-1] - yi) ** 2 for xi, yi in zip(xs, ys)) / len(xs)

    assert float(ch4["average_dc_dw"]) == pytest.approx(_slope(mean_cost, w[-1], 1e-5), rel=1e-6, abs=1e-9)
    first = ch4["first_dc_dw"]
    for (xi, yi), shown_value in zip(zip(xs, ys), first):
        assert float(shown_value) == pytest.approx(_slope(lambda v: (_chain_run(w[:-1] + [v], b, xi)[-1] - yi) ** 2,
                                                          w[-1]), **fd)


def test_chapter4_digit_network_by_finite_differences(story34, digits_artifact, dataset):
    """The last two layers of the digit network on Chapter 3's "2": j the label, k the layer-(L-1)
    neuron with the largest dC/da_k other than j (found again from autograd), every factor from a
    numpy forward pass, each path's term as the derivative of one output's cost term (autograd),
    and the totals as slopes of the cost (finite differences in float64)."""
    ch3, ch4 = story34
    ck = digits_artifact.arrays("checkpoints.npz")
    net = DigitNet()
    net.set_flat(torch.from_numpy(ck["params"][list(ck["steps"]).index(int(ch3["checkpoint_step"]))]))
    p = {k: v.astype(np.float64) for k, v in net.to_arrays().items()}
    i = int(ch3["digit_index"])
    x, label = dataset.x_train[i].astype(np.float64), int(ch4["fan_label"])
    assert label == int(ch3["label"]) == int(dataset.y_train[i]) == int(ch4["fan_j"])
    target = np.eye(10)[label]

    def forward(w1=None, w2=None, a2=None):
        a1 = 1 / (1 + np.exp(-(p["w0"] @ x + p["b0"])))
        if a2 is None:
            a2 = 1 / (1 + np.exp(-((p["w1"] if w1 is None else w1) @ a1 + p["b1"])))
        return a1, a2, 1 / (1 + np.exp(-((p["w2"] if w2 is None else w2) @ a2 + p["b2"])))

    a1, a2, a3 = forward()
    # k by its rule, from autograd's dC/da(L-1)
    a2_leaf = torch.tensor(a2, requires_grad=True)
    out = torch.sigmoid(torch.from_numpy(p["w2"]) @ a2_leaf + torch.from_numpy(p["b2"]))
    g_a2 = torch.autograd.grad(((out - torch.from_numpy(target)) ** 2).sum(), a2_leaf, retain_graph=True)[0].numpy()
    k = max((n for n in range(16) if n != label), key=lambda n: abs(g_a2[n]))
    j = label
    assert int(ch4["fan_k"]) == k
    np.testing.assert_allclose(ch4["fan_a_prev"], a2, rtol=1e-9)
    np.testing.assert_allclose(ch4["fan_a_prev2"], a1, rtol=1e-9)  # layer L-2, lit in the fan
    np.testing.assert_allclose(ch4["fan_a_out"], a3, rtol=1e-9)
    np.testing.assert_allclose(ch4["fan_sigma_prime"], [_slope(_sigmoid, float(z)) for z in p["w2"] @ a2 + p["b2"]],
                               rtol=1e-6)
    np.testing.assert_allclose(ch4["fan_dc_da"], [_slope(lambda v: (v - t) ** 2, float(a)) for a, t in zip(a3, target)],
                               rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(ch4["fan_w_k"], p["w2"][:, k])
    # path j: how output j's own term (a_j - y_j)^2 changes with a_k(L-1)
    terms = [torch.autograd.grad((out[o] - float(target[o])) ** 2, a2_leaf, retain_graph=True)[0][k].item()
             for o in range(10)]
    np.testing.assert_allclose(ch4["fan_terms"], terms, rtol=1e-9, atol=1e-15)
    assert float(ch4["fan_dc_dak"]) == pytest.approx(float(g_a2[k]), rel=1e-9)

    def cost_of(**kw):
        return float(((forward(**kw)[2] - target) ** 2).sum())

    def with_a2(v):
        moved = a2.copy()
        moved[k] = v
        return cost_of(a2=moved)

    def with_w2(v):
        w2 = p["w2"].copy()
        w2[j, k] = v
        return cost_of(w2=w2)

    assert float(ch4["fan_dc_dak"]) == pytest.approx(_slope(with_a2, float(a2[k])), rel=1e-6)
    assert float(ch4["fan_dc_dw_jk"]) == pytest.approx(_slope(with_w2, float(p["w2"][j, k])), rel=1e-6)
    assert float(ch4["autograd_fan_dc_dw_jk"]) == pytest.approx(_slope(with_w2, float(p["w2"][j, k])), rel=1e-6)

    # one layer further down: w(L-1)[k, m], m the largest such derivative (autograd's whole gradient)
    auto = autograd_per_example(net, dataset.x_train[i : i + 1], dataset.y_train[i : i + 1])[0]
    grad_w1 = auto[784 * 16 : 784 * 16 + 256].reshape(16, 16)
    m = int(np.argmax(np.abs(grad_w1[k])))
    assert int(ch4["deep_m"]) == m
    assert float(ch4["deep_a_prev"]) == pytest.approx(a1[m], rel=1e-9)
    assert float(ch4["deep_sigma_prime"]) == pytest.approx(_slope(_sigmoid, float(p["w1"][k] @ a1 + p["b1"][k])), rel=1e-6)

    def with_w1(v):
        w1 = p["w1"].copy()
        w1[k, m] = v
        return cost_of(w1=w1)

    assert float(ch4["deep_grad"]) == pytest.approx(_slope(with_w1, float(p["w1"][k, m])), rel=1e-6, abs=1e-12)
    assert float(ch4["deep_autograd"]) == pytest.approx(float(grad_w1[k, m]), rel=1e-4)  # float32 autograd


def test_chain_is_trained_and_reproducible(dataset, trained_chain):
    from models.chain import ChainConfig, train_chain

    one = train_chain(dataset, ChainConfig(steps=300))
    two = train_chain(dataset, ChainConfig(steps=300))
    np.testing.assert_array_equal(one.weights, two.weights)
    full = trained_chain
    assert full.cost_curve[-1] < full.cost_curve[0] / 2


def test_chapter3_golden(story34, update_goldens):
    ch3, _ = story34
    keys = ["checkpoint_step", "digit_index", "label", "a3", "wanted_change", "cost", "b3", "grad_b3", "grad_w3_row",
            "wanted_a2", "wanted_a1", "table_examples", "table_rows", "table", "table_average", "sgd_cost",
            "full_cost", "n_train", "batch_size", "path_start_step", "input_window", "weight_vmax", "wish_w3"]
    values = {k: ch3[k] for k in keys}
    values["table_row_names"] = [str(n) for n in ch3["table_row_names"]]
    values["sgd_end"] = ch3["sgd_path"][-1]
    values["full_end"] = ch3["full_path"][-1]
    check_golden("chapter3", values, update_goldens)


def test_chapter4_golden(story34, update_goldens):
    _, ch4 = story34
    keys = ["chain_w", "chain_b", "chain_example", "chain_x", "chain_activations", "a_prev", "z", "a", "y", "cost",
            "dz_dw", "da_dz", "dc_da", "dc_dw", "dc_db", "dc_daprev", "autograd_dc_dw", "autograd_dc_db", "nudge",
            "nudged_z", "nudged_a", "nudged_cost", "n_chain_examples", "average_dc_dw", "autograd_dc_daprev",
            "sigma_prime_prev", "dc_dw_prev", "autograd_dc_dw_prev",
            "nudge_dz", "nudge_da", "nudge_dc", "ratio_z_w", "ratio_a_z", "ratio_c_a", "ratio_c_w", "first_dc_dw",
            "autograd_average_dc_dw", "fan_label", "fan_j", "fan_k", "fan_a_prev", "fan_a_prev2", "fan_a_out", "fan_sigma_prime",
            "fan_dc_da", "fan_w_k", "fan_terms", "fan_dc_dak", "fan_dc_dw_jk", "autograd_fan_dc_dak",
            "autograd_fan_dc_dw_jk", "deep_m", "deep_a_prev", "deep_sigma_prime", "deep_grad", "deep_autograd",
            "chain_cost_curve", "chain_curve_every"]
    check_golden("chapter4", {k: ch4[k] for k in keys}, update_goldens)


def test_the_pictures_of_paths_keep_one_orientation(story34):
    """The planes' directions are defined up to sign, and which sign an SVD returns depends on the
    linear algebra library. The story signs them by a rule, so every machine draws the same picture:
    the walks head right (their farthest point along d1 is positive) and hang below the horizontal
    (their farthest point off it is negative), in Chapter 3's slice as in Chapter 2's landscape."""
    from models.digit_story import hang_below, main_directions

    ch3, _ = story34
    both = np.concatenate([ch3["sgd_path"], ch3["full_path"]])
    farthest = both[np.abs(both).argmax(axis=0), [0, 1]]
    assert farthest[0] > 0 and farthest[1] < 0, farthest
    from models.pipeline import ensure

    path = ensure("digits-story").arrays("chapter2.npz")["path"]
    assert path[np.abs(path[:, 1]).argmax(), 1] < 0
    # and the rule's pieces: the main directions are an SVD's, up to sign; the sign is the rule's
    rows = torch.from_numpy(np.random.default_rng(0).normal(size=(12, 300)))
    ours, theirs = main_directions(rows, 2), torch.linalg.svd(rows, full_matrices=False)[2][:2]
    assert torch.allclose((ours * theirs).sum(dim=1).abs(), torch.ones(2, dtype=torch.float64), atol=1e-12)
    for d in (theirs[0], -theirs[0]):
        coords = rows @ hang_below(d, rows @ d)
        assert float(coords[coords.abs().argmax()]) < 0


@pytest.mark.parametrize("z", [0.0309, -0.28, 0.32, -0.8, 1.6, -2.4, 3.5, -6.0])
def test_the_chain_rules_slope_caption_is_true_of_the_chains_z(z):
    """Chapter 4 says what the sigmoid's slope at the chain's z(L) is: "steepest" only where the
    slope (autograd's, here) is near its largest, 1/4; otherwise the side of the sigmoid z is on
    and that the slope is under the steepest or close to 0. Another network's chain (z far from 0)
    must not be told its slope is as big as it gets."""
    from scenes.base import CAPTION_CHARS, _wrap
    from scenes.chapter4 import slope_sentence
    from scenes.pieces import fmt

    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(t).backward()
    slope = float(t.grad)
    said = slope_sentence(z, slope)
    assert f"slope {fmt(slope)}" in said
    assert len(_wrap(said, CAPTION_CHARS)) <= 2  # it fits the caption band
    assert ("as big as it gets" in said) == (abs(z) < 0.3)  # σ'(0.3) = 0.2445
    assert ("where the sigmoid is steep" in said) == (abs(z) < 1.0)  # σ'(1) = 0.197
    if abs(z) >= 1.0:
        assert ("right" if z > 0 else "left") in said
        assert ("close to 0" in said) == (abs(z) > 3.0)  # σ'(3) = 0.045
