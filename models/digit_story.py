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

import math
import time
from typing import Callable

import numpy as np
import torch

from models.digit_net import DigitNet, DigitNetConfig
from models.mnist import DigitDataset

__all__ = ["chapter1", "chapter2", "chapter3", "chapter4", "chapter_digit", "param_names", "plane_costs", "spread_window",
           "weight_vmax", "SHOWN_LABEL", "INPUT_SHOWN", "N_THREES"]

SHOWN_LABEL = 3  # the chapter follows a "3", like the course
N_THREES = 6  # how many different handwritten 3s open the chapter
INPUT_SHOWN = 16  # consecutive pixels of one row stand for the input column


NEURON_AIM = 0.75  # the hidden neuron Chapter 1 takes apart is lit, but not saturated
NEURON_BAND = (0.55, 0.9)
MATRIX_COLS = 5  # consecutive columns of W(1) the matrix form shows, among the input column's pixels


def spread_window(pixels: np.ndarray, length: int = INPUT_SHOWN) -> np.ndarray:
    """Rule: the ``length`` consecutive pixels of one image row whose brightnesses are most spread
    out (largest standard deviation; first on ties), so the run crosses ink and blank paper and
    the input neurons drawn show 0s as well as 1s."""
    image = pixels.reshape(28, 28).astype(np.float64)
    spread = np.stack([[image[r, c : c + length].std() for c in range(29 - length)] for r in range(28)])
    row, col = np.unravel_index(int(np.argmax(spread)), spread.shape)
    return np.arange(row * 28 + col, row * 28 + col + length)


def chapter_digit(activations: np.ndarray, sums: np.ndarray, biases: np.ndarray, predictions: np.ndarray,
                  labels: np.ndarray) -> tuple[int, int]:
    """Rule: the first held-out ``SHOWN_LABEL`` the network reads right whose ink turns a first-layer
    neuron on part way, past a threshold: a positive weighted sum, a negative bias, an activation
    within ``NEURON_BAND``. That neuron is the one nearest ``NEURON_AIM``. (``sums``: the weighted
    sums, without the biases.) Returns (digit index, neuron)."""
    right = np.flatnonzero((labels == SHOWN_LABEL) & (predictions == SHOWN_LABEL))
    if len(right) == 0:
        raise RuntimeError(f"the trained network recognises no held-out {SHOWN_LABEL}; training failed")
    for index in right:
        a = activations[index]
        inside = np.flatnonzero((a > NEURON_BAND[0]) & (a < NEURON_BAND[1]) & (sums[index] > 0) & (biases < 0))
        if len(inside):
            return int(index), int(inside[np.argmin(np.abs(a[inside] - NEURON_AIM))])
    index = int(right[0])  # no such neuron for any digit: the one nearest the aim
    return index, int(np.argmin(np.abs(activations[index] - NEURON_AIM)))


def weight_vmax(net: DigitNet) -> float:
    """The one colour scale of the digit network's weights, in every chapter: the 99th percentile
    of the first layer's weight sizes, the weights drawn as maps (the rarer, larger weights of the
    later layers saturate rather than darken all the maps)."""
    return float(np.percentile(np.abs(net.weights[0].detach().numpy()), 99))


def chapter1(net: DigitNet, data: DigitDataset) -> dict[str, np.ndarray]:
    """Arrays for Chapter 1 ("But what is a neural network?")."""
    x_test = torch.from_numpy(data.x_test)
    every = net.trace(x_test)
    L = len(net.config.sizes) - 1  # layers of weights: the output is layer L
    predictions = every["a"][L].argmax(dim=1).numpy()
    b_all = net.biases[0].detach().numpy()
    sums = every["z"][1].numpy() - b_all
    index, neuron = chapter_digit(every["a"][1].numpy(), sums, b_all, predictions, data.y_test)
    x = x_test[index : index + 1]
    trace = net.trace(x)
    a = [t[0].numpy() for t in trace["a"]]
    z = [None] + [t[0].numpy() for t in trace["z"][1:]]
    w = net.weights[0][neuron].detach().numpy()
    b = float(net.biases[0][neuron].detach())

    accuracy = float((predictions == data.y_test).mean())
    # The opening's 3s: the chapter's digit and the held-out 3s that follow it.
    held_threes = np.flatnonzero(data.y_test == SHOWN_LABEL)
    at = int(np.flatnonzero(held_threes == index)[0])
    threes = held_threes[max(0, min(at, len(held_threes) - N_THREES)):][:N_THREES]
    window = spread_window(data.x_test[index])
    spread = [data.x_test[index][window[k : k + MATRIX_COLS]].std() for k in range(len(window) - MATRIX_COLS + 1)]
    k0 = int(np.argmax(spread))
    cols = window[k0 : k0 + MATRIX_COLS]
    rows = np.asarray(sorted({0, 1, neuron, len(a[1]) - 1}))  # W(1)'s rows shown: the first two, this neuron's, the last
    sizes = np.asarray(net.config.sizes)
    w0 = net.weights[0].detach().numpy()
    b0 = net.biases[0].detach().numpy()
    return {
        "threes": data.x_test[threes],  # (N_THREES, 784)
        "threes_index": threes,
        "digit": data.x_test[index],  # (784,)
        "digit_index": np.asarray(index),
        "digit_label": np.asarray(int(data.y_test[index])),
        **{f"a{l}": a[l] for l in range(L + 1)},
        **{f"z{l}": z[l] for l in range(1, L + 1)},
        "prediction": np.asarray(int(np.argmax(a[L]))),
        "confidence": np.asarray(float(np.max(a[L]))),
        "input_window": window,  # pixel indices shown as the input column
        "neuron": np.asarray(neuron),
        "neuron_weights": w,  # (784,)
        "neuron_bias": np.asarray(b),
        "neuron_weighted_sum": np.asarray(float(w @ a[0])),
        "neuron_z": np.asarray(float(z[1][neuron])),
        "neuron_activation": np.asarray(float(a[1][neuron])),
        "test_accuracy": np.asarray(accuracy),
        "n_test": np.asarray(len(data.y_test)),
        "n_train": np.asarray(len(data.y_train)),
        # Real weights on the diagram's edges: into layer 1 from the shown input window, then all.
        "w0_window": w0[:, window],  # (16, 16)
        **{f"w{l}": net.weights[l].detach().numpy() for l in range(1, L)},  # (16, 16), (10, 16)
        "weight_vmax": np.asarray(weight_vmax(net)),
        "sizes": sizes,
        "n_weights": np.asarray(int(sum(sizes[:-1] * sizes[1:]))),
        "n_biases": np.asarray(int(sizes[1:].sum())),
        "n_params": np.asarray(net.n_params()),
        # Matrix form: some rows of W(1) and b(1), the columns of the input column's most spread-out
        # run of MATRIX_COLS pixels, those pixels, and the layer's activations.
        "matrix_rows": rows,
        "matrix_cols": cols,
        "w_matrix": w0[np.ix_(rows, cols)],  # (4, MATRIX_COLS)
        "b_matrix": b0[rows],
        "a0_matrix": a[0][cols],
        "a1_matrix": a[1][rows],
        "w_shape": np.asarray(w0.shape),
    }


# ----------------------------------------------------------------------------- chapter 2

N_MONTAGE = 40  # held-out digits in the testing montage, evenly spaced through the (class-sorted) set
N_MISTAKES = 6  # real mistakes shown, evenly spaced through all mistakes
N_NOISE = 100  # noise images tried; the most confident answer is shown, with how many were confident
GRID = 41  # landscape grid points per axis
N_GRADIENT_SHOWN = 12  # largest gradient entries shown
FULL_STEPS = 6  # full-batch steps shown after the first
N_HARDEST = 3  # the costliest training digits after training


def _flat_layout(sizes) -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes in DigitNet.get_flat() order: w0, w1, w2, b0, b1, b2."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return [(f"w{i}", (o, n)) for i, (n, o) in enumerate(pairs)] + [(f"b{i}", (o,)) for i, (_, o) in enumerate(pairs)]


def param_names(sizes) -> list[str]:
    """A readable name for every entry of the flat parameter vector. Layers count from 1 (the
    first hidden layer), neurons from 0 like the output digits: ``w(1)[3,205]`` is the weight
    from input pixel 205 to neuron 3 of layer 1; ``b(3)[7]`` is the bias of the "7" output."""
    names = []
    for key, shape in _flat_layout(sizes):
        layer = int(key[1]) + 1
        if key[0] == "w":
            names += [f"w({layer})[{j},{k}]" for j in range(shape[0]) for k in range(shape[1])]
        else:
            names += [f"b({layer})[{j}]" for j in range(shape[0])]
    return names


def _unflatten(flat: torch.Tensor, sizes) -> dict[str, torch.Tensor]:
    out, i = {}, 0
    for key, shape in _flat_layout(sizes):
        n = int(np.prod(shape))
        out[key] = flat[..., i : i + n].reshape(*flat.shape[:-1], *shape)
        i += n
    return out


Progress = Callable[[str, int, int], None]  # (what, done, of): a long part's progress


def _tenths(progress: Progress | None, what: str, total: int, every_s: float = 3.0) -> Callable[[int], None]:
    """A reporter for ``total`` items of ``what``: says how many are done when it passes a tenth at
    least ``every_s`` seconds after it last spoke (a part of a few seconds says little, one of
    minutes, on all of MNIST, says every tenth), and always at the end."""
    said, last = [0], [time.perf_counter()]

    def tick(done: int) -> None:
        if progress is None:
            return
        tenth = done * 10 // max(total, 1)
        if done == total or (tenth > said[0] and time.perf_counter() - last[0] >= every_s):
            last[0] = time.perf_counter()
            progress(what, done, total)
        said[0] = max(said[0], tenth)  # a tenth passed in a hurry is not said late, near the next
    return tick


def main_directions(rows: torch.Tensor, k: int) -> torch.Tensor:
    """The ``k`` main directions (top right singular vectors) of ``rows`` (n, P), n much smaller than
    P, up to sign: ``rows`` = Rᵀ Qᵀ (the QR of its transpose), so they are Q times those of the small
    (n, n) factor Rᵀ. The same vectors as an SVD of all of ``rows``, several times faster."""
    q, r = torch.linalg.qr(rows.T)  # (P, n), (n, n)
    _, _, vh = torch.linalg.svd(r.T)
    return vh[:k] @ q.T


def hang_below(direction: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
    """``direction`` signed so that, of the points whose coordinates along it are ``coords``, the
    one farthest along it lies on its negative side: a picture's vertical axis, so the path hangs
    below its horizontal one whatever sign the linear algebra library chose."""
    return -direction if float(coords[coords.abs().argmax()]) > 0 else direction


@torch.no_grad()
def plane_costs(x: torch.Tensor, y: torch.Tensor, center: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor,
                points: np.ndarray, sizes, chunk: int = 48, progress: Progress | None = None,
                what: str = "points on the plane") -> np.ndarray:
    """Average quadratic cost at ``center + a d1 + b d2`` for each row (a, b) of ``points``: (M,).

    The first layer is linear in the parameters, so X W^T is computed for the three parameter
    vectors once and mixed per point; the small later layers run batched over points. The big
    (points, digits, neurons) arrays are worked on in place, in two buffers made once: a new array
    of that size per step cost more in fresh memory pages than the sums themselves. (Each value is
    the same sum in the same order as ``xc + a xu + b xv + b0`` written out.)"""
    c, u, v = (_unflatten(t.to(torch.float64), sizes) for t in (center, d1, d2))
    x = x.to(torch.float64)
    target = torch.nn.functional.one_hot(y, sizes[-1]).to(torch.float64)
    xc, xu, xv = x @ c["w0"].T, x @ u["w0"].T, x @ v["w0"].T  # (N, 16) each
    room = torch.empty((2, min(chunk, len(points)), *xc.shape), dtype=torch.float64)  # (2, M, N, 16)
    out, tick = [], _tenths(progress, what, len(points))
    for start in range(0, len(points), chunk):
        ab = torch.as_tensor(points[start : start + chunk], dtype=torch.float64)
        al, be = ab[:, 0], ab[:, 1]  # (M,)

        def mix(key):  # (M, ...) the parameters at each point
            shape = (-1,) + (1,) * c[key].dim()
            return c[key] + al.reshape(shape) * u[key] + be.reshape(shape) * v[key]

        z, part = room[0, : len(ab)], room[1, : len(ab)]  # (M, N, 16)
        torch.add(xc, torch.mul(al[:, None, None], xu, out=z), out=z)
        z.add_(torch.mul(be[:, None, None], xv, out=part)).add_(mix("b0")[:, None, :])
        a = z.sigmoid_()
        for layer in range(1, len(sizes) - 1):
            a = (a @ mix(f"w{layer}").transpose(1, 2)).add_(mix(f"b{layer}")[:, None, :]).sigmoid_()
        a = a - target
        out.append((a * a).sum(dim=2).mean(dim=1).numpy())
        tick(min(start + chunk, len(points)))
    return np.concatenate(out)


def chapter2(net: DigitNet, data: DigitDataset, checkpoints: np.ndarray, steps: np.ndarray,
             metrics: dict[str, np.ndarray], ch1: dict[str, np.ndarray], lr: float,
             progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Arrays for Chapter 2 ("Gradient descent, how neural networks learn")."""
    sizes = tuple(int(s) for s in net.config.sizes)
    x_tr, y_tr = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    x_te = torch.from_numpy(data.x_test)
    # The path's end: the last checkpoint of the training run (the network itself when it was trained
    # here; a network of the same sizes trained here when it was imported, which has no history).
    final = torch.from_numpy(np.asarray(checkpoints[-1]))

    # Untrained (checkpoint 0) against trained, on chapter 1's digit
    untrained = DigitNet(net.config)
    untrained.set_flat(torch.from_numpy(checkpoints[0]))
    digit = torch.from_numpy(ch1["digit"][None])
    label = int(ch1["digit_label"])
    out0 = untrained(digit)[0][0].detach().numpy()
    trace0 = untrained.trace(digit)
    window = ch1["input_window"]
    out1 = net(digit)[0][0].detach().numpy()
    onehot = np.eye(10)[label]

    # The landscape: the plane through the untrained and the trained network (so both lie on it),
    # tilted to hold as much of the rest of the path as it can: d1 points from the trained network
    # to the start, d2 is the path's main direction across d1. The path is projected onto it.
    offsets = torch.from_numpy(checkpoints).to(torch.float64) - final.to(torch.float64)  # (n_ck, P)
    d1 = offsets[0] / offsets[0].norm()
    across = offsets - (offsets @ d1)[:, None] * d1[None]  # the path with its d1 part removed
    d2 = main_directions(across, 1)[0]
    d2 = d2 - (d2 @ d1) * d1
    d2 = hang_below(d2 / d2.norm(), offsets @ d2)  # the path from the start (right) bends below the axis
    path = (offsets @ torch.stack([d1, d2]).T).numpy()  # (n_ck, 2): the start is (|start - final|, 0)
    explained = np.array([float((path**2).sum() / (offsets**2).sum())])  # share of the path's spread in the plane

    def axis(values: np.ndarray) -> np.ndarray:
        lo, hi = float(values.min()), float(values.max())
        pad = 0.15 * (hi - lo)
        lo, hi = min(lo - pad, 0.0), max(hi + pad, 0.0)
        step = (hi - lo) / (GRID - 1)
        start = -np.round(-lo / step) * step  # puts 0 exactly on the grid
        return start + step * np.arange(GRID)

    alphas, betas = axis(path[:, 0]), axis(path[:, 1])
    grid = np.stack(np.meshgrid(alphas, betas), axis=-1).reshape(-1, 2)  # rows: beta, columns: alpha
    landscape = plane_costs(x_tr, y_tr, final, d1, d2, grid, sizes, progress=progress,
                            what="chapter 2: the loss landscape's points").reshape(len(betas), len(alphas))
    path_cost_on_plane = plane_costs(x_tr, y_tr, final, d1, d2, path, sizes)
    checkpoint_cost = []
    probe = DigitNet(net.config)
    with torch.no_grad():
        for flat in checkpoints:
            probe.set_flat(torch.from_numpy(flat))
            checkpoint_cost.append(float(probe(x_tr, y_tr)[1]))

    # The negative gradient of the average cost at the untrained point (autograd)
    untrained.zero_grad()
    cost0 = untrained(x_tr, y_tr)[1]
    grads = torch.autograd.grad(cost0, untrained.ordered_params())
    gradient = torch.cat([g.reshape(-1) for g in grads]).numpy()
    biggest = np.sort(np.argsort(-np.abs(gradient), kind="stable")[:N_GRADIENT_SHOWN])
    # Real steps of gradient descent on the full cost from the untrained network, at the run's
    # learning rate: the cost after each of the first FULL_STEPS
    stepped = DigitNet(net.config)
    stepped.set_flat(torch.from_numpy(checkpoints[0]))
    full_costs = [cost0.item()]
    for _ in range(FULL_STEPS):
        c = stepped(x_tr, y_tr)[1]
        g = torch.autograd.grad(c, stepped.ordered_params())
        with torch.no_grad():
            for p, gp in zip(stepped.ordered_params(), g):
                p.sub_(lr * gp)
            full_costs.append(float(stepped(x_tr, y_tr)[1]))
        plateau_output = stepped(x_tr)[0].mean(dim=0).detach().numpy()  # the average answer after the last step
    step_cost_after = full_costs[1]
    # The output's bias for the digit's label: on this one digit, and averaged over all of them
    bias_index = len(gradient) - sizes[-1] + label  # b(3)[label]: the flat vector ends with b(3)
    one = torch.autograd.grad(untrained(digit, torch.tensor([label]))[1], untrained.ordered_params())
    digit_gradient = torch.cat([g.reshape(-1) for g in one]).numpy()
    # The samples drawn: training digits spread across the classes, with their costs before and
    # after training; held-out digits spread likewise, with Chapter 1's digit in place of the first
    # sample of its class.
    train_idx = np.arange(0, len(data.x_train), len(data.x_train) // 24)[:24]
    test_idx = np.linspace(0, len(data.x_test) - 1, 12).round().astype(np.int64)
    same = np.flatnonzero(data.y_test[test_idx] == label)
    test_idx[same[0] if len(same) else len(test_idx) // 2] = int(ch1["digit_index"])
    with torch.no_grad():
        target_tr = torch.nn.functional.one_hot(y_tr[train_idx], 10).double()
        sample_cost = [((m(x_tr[train_idx])[0].double() - target_tr) ** 2).sum(dim=1).numpy() for m in (untrained, net)]
        every_cost = ((net(x_tr)[0].double() - torch.nn.functional.one_hot(y_tr, 10).double()) ** 2).sum(dim=1).numpy()
    hardest = np.argsort(-every_cost, kind="stable")[:N_HARDEST]  # the training digits the trained net does worst on

    # Testing: the network's answers on the held-out digits
    with torch.no_grad():
        test_out = net(x_te)[0].numpy()
    predictions = test_out.argmax(axis=1)
    correct = predictions == data.y_test
    montage = np.linspace(0, len(data.y_test) - 1, N_MONTAGE).round().astype(np.int64)
    wrong = np.flatnonzero(~correct)
    mistakes = wrong[np.linspace(0, len(wrong) - 1, min(N_MISTAKES, len(wrong))).round().astype(np.int64)]

    # Noise: uniform random images (seeded); the most confident answer, and how many are confident
    from models.artifacts import derive_seed

    rng = np.random.default_rng(derive_seed("chapter2", "noise"))
    noise = rng.random((N_NOISE, 784)).astype(np.float32)
    with torch.no_grad():
        noise_out = net(torch.from_numpy(noise))[0].numpy()
    noise_best = int(np.argmax(noise_out.max(axis=1)))

    return {
        "n_train": np.asarray(len(data.y_train)),
        "n_test": np.asarray(len(data.y_test)),
        "train_samples": data.x_train[train_idx],  # 24 spread across classes
        "train_samples_index": train_idx,
        "train_samples_label": data.y_train[train_idx],
        "train_sample_cost_untrained": sample_cost[0],
        "train_sample_cost_trained": sample_cost[1],
        "test_samples": data.x_test[test_idx],
        "test_samples_index": test_idx,
        "digit_index": np.asarray(int(ch1["digit_index"])),
        "digit": ch1["digit"],
        "digit_label": np.asarray(label),
        "untrained_output": out0,
        # The untrained network as the diagram draws it (the shown input window, then all)
        "input_window": window,
        "a0_window": ch1["digit"][window],
        "untrained_w0_window": untrained.weights[0].detach().numpy()[:, window],
        **{f"untrained_w{l}": untrained.weights[l].detach().numpy() for l in range(1, len(sizes) - 1)},
        **{f"untrained_a{l}": trace0["a"][l][0].numpy() for l in range(1, len(sizes) - 1)},
        "trained_output": out1,
        "target": onehot,
        "untrained_digit_cost": np.asarray(float(((out0 - onehot) ** 2).sum())),
        "trained_digit_cost": np.asarray(float(((out1 - onehot) ** 2).sum())),
        "untrained_avg_cost": np.asarray(metrics["train_cost"][0]),
        "trained_avg_cost": np.asarray(metrics["train_cost"][-1]),
        "landscape_alphas": alphas,
        "landscape_betas": betas,
        "landscape_cost": landscape,  # (len(betas), len(alphas)): rows are beta
        "landscape_explained": explained,
        "path": path,
        "path_steps": steps,
        "path_cost_on_plane": path_cost_on_plane,
        "checkpoint_cost": np.asarray(checkpoint_cost),
        "gradient": gradient,  # (13002,) dC/dtheta at the untrained point, flat order w0 w1 w2 b0 b1 b2
        "gradient_shown": biggest,
        "gradient_shown_names": np.asarray([param_names(sizes)[i] for i in biggest]),  # fixed-width strings
        "gradient_cost": np.asarray(cost0.item()),
        "lr": np.asarray(lr),
        "step_cost_after": np.asarray(step_cost_after),  # the full cost after one step from the untrained point
        "full_batch_costs": np.asarray(full_costs),  # before, and after each of FULL_STEPS full steps
        "full_batch_mean_output": plateau_output,  # (10,) each output's average over the training digits, then
        "hardest_train_index": hardest,
        "hardest_train_cost": every_cost[hardest],
        "hardest_train_images": data.x_train[hardest],
        "hardest_train_label": data.y_train[hardest],
        "trained_cost_share_of_hardest": np.asarray(float(np.sort(every_cost)[::-1][: len(every_cost) // 100].sum()
                                                         / every_cost.sum())),  # share of the cost from the worst 1%
        "bias_index": np.asarray(bias_index),
        "bias_gradient_digit": np.asarray(float(digit_gradient[bias_index])),  # on Chapter 1's digit alone
        "label_share": np.asarray(float((data.y_train == label).mean())),  # of training digits with that label
        "weight_vmax": ch1["weight_vmax"],
        "epoch_train_cost": metrics["train_cost"],
        "epoch_test_accuracy": metrics["test_accuracy"],
        "test_predictions": predictions,
        "test_labels": data.y_test,
        "montage": montage,  # indices into the held-out set
        "montage_images": data.x_test[montage],
        "mistakes": mistakes,
        "mistake_images": data.x_test[mistakes],
        "first_layer_weights": net.weights[0].detach().numpy(),  # (16, 784)
        "noise_image": noise[noise_best],
        "noise_output": noise_out[noise_best],
        "noise_confident": np.asarray(int((noise_out.max(axis=1) > 0.5).sum())),
        "n_noise": np.asarray(N_NOISE),
    }


# ----------------------------------------------------------------------------- chapters 3 and 4

PARTLY_TRAINED_STEP = 200  # Chapter 3's "partly trained" checkpoint: half way through the first epoch
BACKPROP_LABEL = 2  # Chapter 3 follows a "2", like the course
TABLE_ROWS = 6  # parameters in the per-example table (the largest average nudges)
PATH_STEPS = 400  # full-batch steps from the same start as the mini-batch walk, which reads the training
# set once (in mini-batches of 10: 400 steps for the 4,000 embedded digits, as many as one full step)
PATH_EVERY = 1  # steps between recorded points of the full-batch path (every step: the stagger shows)
PATH_POINTS = 400  # the mini-batch walk's recorded points: every step up to this many steps (a larger
UP_CLOSE = 30  # training set's walk, every k-th step), and always its first UP_CLOSE steps


def _arrays_at(flat: np.ndarray, sizes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    parts = _unflatten(torch.from_numpy(np.asarray(flat)), sizes)
    n = len(sizes) - 1
    return [parts[f"w{i}"].numpy() for i in range(n)], [parts[f"b{i}"].numpy() for i in range(n)]


def _descend(start: np.ndarray, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int, batch: int | None,
             seed: int, sizes, every: int = PATH_EVERY, first: int = 0, progress: Progress | None = None,
             what: str = "steps") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient descent from ``start``: mini-batches of ``batch`` in a seeded shuffled order, or the
    full batch when ``batch`` is None. Returns the parameters at step 0, at every step up to
    ``first``, every ``every`` steps and at the last step; those steps; and, for the full batch,
    the cost at each of those points (each step's own forward pass is the cost where it starts;
    NaN for mini-batches, whose steps see only their batch)."""
    net = DigitNet(DigitNetConfig(tuple(sizes)))
    net.set_flat(torch.from_numpy(start))
    order = torch.Generator().manual_seed(seed)
    perm, pos, points, taken = torch.randperm(len(x), generator=order), 0, [start.copy()], [0]
    costs, tick = [], _tenths(progress, what, steps)  # the full-batch cost where each step starts
    for step in range(1, steps + 1):
        if batch is None:
            idx = slice(None)
        else:
            if pos + batch > len(perm):
                perm, pos = torch.randperm(len(x), generator=order), 0
            idx = perm[pos : pos + batch]
            pos += batch
        _, cost = net(x[idx], y[idx])
        costs.append(float(cost.detach()) if batch is None else math.nan)
        grads = torch.autograd.grad(cost, net.ordered_params())
        with torch.no_grad():
            for p, g in zip(net.ordered_params(), grads):
                p.sub_(lr * g)
        if step <= first or step % every == 0 or step == steps:
            points.append(net.get_flat().numpy().copy())
            taken.append(step)
        tick(step)
    with torch.no_grad():  # where the last step ended
        costs.append(float(net(x, y)[1]) if batch is None else math.nan)
    return np.stack(points), np.asarray(taken), np.asarray(costs)[np.asarray(taken)]


def chapter3(data: DigitDataset, checkpoints: np.ndarray, steps: np.ndarray, lr: float, sizes,
             progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Arrays for Chapter 3 ("Backpropagation, intuitively"), all from the hand-written backprop."""
    from models.artifacts import derive_seed
    from models.backprop import backward, forward

    sizes = tuple(int(s) for s in sizes)
    ck = int(np.flatnonzero(steps == PARTLY_TRAINED_STEP)[0])
    weights, biases = _arrays_at(checkpoints[ck], sizes)

    # One real "2" (the first in the training set) through the partly trained network
    index = int(np.flatnonzero(data.y_train == BACKPROP_LABEL)[0])
    x, label = data.x_train[index : index + 1], np.array([BACKPROP_LABEL])
    fwd = forward(weights, biases, x)
    bwd = backward(weights, biases, fwd, label)
    target = np.eye(10)[BACKPROP_LABEL]
    L = len(sizes) - 1  # the output layer; the chapter follows layer L-1 (2 in a 784-16-16-10 network)
    w_out = weights[L - 1].astype(np.float64)
    delta_out = bwd["delta"][L][0]
    # What each output neuron's wish asks of layer L-1: -W(L)[i, k] delta(L)[i]; their sum is -dC/da(L-1).
    wishes = -(w_out * delta_out[:, None])  # (10, 16)
    # The diagram the chapter keeps on screen: this network's weights on its own colour scale, the
    # input column a row of this digit's pixels (the same rule as Chapter 1)
    window = spread_window(data.x_train[index])
    vmax = float(np.percentile(np.abs(weights[0]), 99))

    # The table: one example of each digit (the first in the training set), the parameters whose
    # average nudge is largest, each cell one example's nudge -dC_x/dtheta.
    table_idx = np.array([int(np.flatnonzero(data.y_train == d)[0]) for d in range(10)])
    tf = forward(weights, biases, data.x_train[table_idx])
    tb = backward(weights, biases, tf, data.y_train[table_idx])
    per_example = np.concatenate([g.reshape(len(table_idx), -1) for g in tb["grad_w"] + tb["grad_b"]], axis=1)
    nudges = -per_example  # (10 examples, 13002)
    rows = np.sort(np.argsort(-np.abs(nudges.mean(axis=0)), kind="stable")[:TABLE_ROWS])

    # Stochastic against full-batch descent from this same partly trained network, on their own slice
    xt, yt = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    start = checkpoints[ck].astype(np.float32)
    walk = len(xt) // 10  # mini-batches of training's batch size: the training set read once
    sgd, sgd_steps, _ = _descend(start, xt, yt, lr, walk, 10, derive_seed("chapter3", "minibatches"), sizes,
                                 every=max(1, walk // PATH_POINTS), first=UP_CLOSE, progress=progress,
                                 what="chapter 3: the mini-batch walk's steps")
    full, _, full_costs = _descend(start, xt, yt, lr, PATH_STEPS, None, 0, sizes, progress=progress,
                                   what="chapter 3: the full-batch path's steps")
    offsets = torch.from_numpy(np.concatenate([sgd, full]) - start).to(torch.float64)
    d1, d2 = main_directions(offsets, 2)
    d1 = -hang_below(d1, offsets @ d1)  # the walks head right
    d2 = hang_below(d2, offsets @ d2)
    sgd_path = ((torch.from_numpy(sgd - start).double()) @ torch.stack([d1, d2]).T).numpy()
    full_path = ((torch.from_numpy(full - start).double()) @ torch.stack([d1, d2]).T).numpy()
    both = np.concatenate([sgd_path, full_path])
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = 0.15 * (hi - lo)
    alphas = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID)
    betas = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID)
    grid = np.stack(np.meshgrid(alphas, betas), axis=-1).reshape(-1, 2)
    center = torch.from_numpy(start)
    landscape = plane_costs(xt, yt, center, d1, d2, grid, sizes, progress=progress,
                            what="chapter 3: the cost slice's points").reshape(GRID, GRID)
    probe = DigitNet(DigitNetConfig(sizes))

    def true_costs(points):
        out, tick = [], _tenths(progress, "chapter 3: the walk's costs on every training digit", len(points))
        with torch.no_grad():
            for flat in points:
                probe.set_flat(torch.from_numpy(flat))
                out.append(float(probe(xt, yt)[1]))
                tick(len(out))
        return np.asarray(out)

    return {
        "checkpoint_step": np.asarray(int(steps[ck])),
        "digit_index": np.asarray(index),
        "digit": data.x_train[index],
        "label": np.asarray(BACKPROP_LABEL),
        **{f"a{l}": fwd["a"][l][0] for l in range(1, L + 1)},
        f"z{L}": fwd["z"][L][0],
        "target": target,
        "wanted_change": target - fwd["a"][L][0],  # the direction each output should move
        "cost": np.asarray(float(((fwd["a"][L][0] - target) ** 2).sum())),
        f"delta{L}": delta_out,
        **{f"delta{l}": bwd["delta"][l][0] for l in range(L - 1, 0, -1)},
        "input_window": window,  # pixel indices shown as the input column
        "a0_window": data.x_train[index][window],
        "w1_window": weights[0][:, window],  # (16, 16) into layer 1 from the shown pixels
        **{f"w{l}": weights[l - 1] for l in range(2, L + 1)},  # (16, 16), (10, 16)
        "weight_vmax": np.asarray(vmax),  # this checkpoint's colour scale (99th percentile of |W(1)|)
        # this digit's wishes for every drawn weight: -dC/dW, layer by layer
        "wish_w1_window": -bwd["grad_w"][0][0][:, window],
        **{f"wish_w{l}": -bwd["grad_w"][l - 1][0] for l in range(2, L + 1)},
        f"w{L}_row": w_out[BACKPROP_LABEL],  # weights into the "2" neuron
        f"b{L}": np.asarray(float(biases[L - 1][BACKPROP_LABEL])),
        f"grad_w{L}_row": bwd["grad_w"][L - 1][0][BACKPROP_LABEL],
        f"grad_b{L}": np.asarray(float(bwd["grad_b"][L - 1][0][BACKPROP_LABEL])),
        "wishes": wishes,  # (10, 16)
        **{f"wanted_a{l}": -bwd["grad_a"][l][0] for l in range(L - 1, 0, -1)},  # wanted_a(L-1) = wishes.sum(axis=0)
        "table_examples": table_idx,
        "table_images": data.x_train[table_idx],
        "table_rows": rows,
        "table_row_names": np.asarray([param_names(sizes)[i] for i in rows]),
        "table": nudges[:, rows].T,  # (rows, examples)
        "table_average": nudges.mean(axis=0)[rows],
        "batch_gradient": per_example.mean(axis=0),  # (13002,) of these 10 examples
        "sgd_path": sgd_path,
        "full_path": full_path,
        "sgd_cost": true_costs(sgd),
        "full_cost": full_costs,  # the same forward pass true_costs makes, made by each step
        "path_every": np.asarray(PATH_EVERY),  # of the full-batch path
        "sgd_path_steps": sgd_steps,  # the step of each recorded point of the mini-batch walk
        "path_start_step": np.asarray(int(steps[ck])),  # both paths start at the partly trained network
        "n_train": np.asarray(len(data.y_train)),
        "batch_size": np.asarray(10),
        "lr": np.asarray(lr),
        "slice_alphas": alphas,
        "slice_betas": betas,
        "slice_cost": landscape,
    }


CHAIN_NUDGE = 0.5  # the nudge to w(L) followed through z, a and C: big enough to see on one scale
CHAIN_AVERAGE_SHOWN = 6  # per-example derivatives written out before their average


def _chain_shown(acts: list[np.ndarray], w: np.ndarray, b: np.ndarray, y: np.ndarray, e: int) -> list[float]:
    """What Chapter 4 writes about example ``e`` of the chain: its input, activations, z, cost and
    every derivative; they must read apart at 3 significant digits (no look-alikes on screen)."""
    a_prev, a_out = acts[-2][e], acts[-1][e]
    s, dca = a_out * (1 - a_out), 2 * (a_out - y[e])
    return [acts[0][e], *[t[e] for t in acts[1:]], w[-1] * a_prev + b[-1], (a_out - y[e]) ** 2, s, dca,
            a_prev * s * dca, s * dca, w[-1] * s * dca]


def _reads_apart(values: list[float]) -> bool:
    shown = [f"{abs(v):.{max(2 - int(np.floor(np.log10(abs(v)))), 0)}f}" for v in values]
    return len(set(shown)) == len(shown)


def chapter4(data: DigitDataset, chain, ch3: dict[str, np.ndarray], checkpoints: np.ndarray, steps: np.ndarray,
             sizes) -> dict[str, np.ndarray]:
    """Arrays for Chapter 4 ("Backpropagation calculus"): the 1-1-1-1 chain, then the last two layers
    of the digit network on Chapter 3's "2" (one weight, the sum over output paths, one weight a
    layer further down). Every derivative is also computed by torch autograd, for the on-screen check."""
    from models.backprop import backward, chain_rule_paths, forward
    from models.chain import CURVE_EVERY

    w, b = chain.weights, chain.biases
    a = chain.x
    acts = [a]
    for i in range(len(w)):
        acts.append(1 / (1 + np.exp(-(w[i] * acts[-1] + b[i]))))
    # Rule: the first training example (zeros and ones only) that the chain gets wrong and whose
    # shown numbers all read apart at 3 significant digits (so no two quantities look alike).
    wrong = np.flatnonzero((acts[-1] > 0.5) != (chain.y > 0.5))
    e = int(next(i for i in wrong if _reads_apart(_chain_shown(acts, w, b, chain.y, int(i)))))
    # the example's own digit (the chain's inputs are the training set's zeros and ones, in order)
    chain_digit = data.x_train[np.flatnonzero((data.y_train == 0) | (data.y_train == 1))[e]]
    a_prev, a_out, y = float(acts[-2][e]), float(acts[-1][e]), float(chain.y[e])
    z_out = float(w[-1] * a_prev + b[-1])
    dz_dw, da_dz, dc_da = a_prev, a_out * (1 - a_out), 2 * (a_out - y)
    # The same derivatives by autograd, for the on-screen checks
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    at = torch.tensor(chain.x[e], dtype=torch.float64)
    for i in range(len(w)):
        if i == len(w) - 1:
            at_prev = at
        at = torch.sigmoid(wt[i] * at + bt[i])
    cost = (at - y) ** 2
    gw, gb, gprev = torch.autograd.grad(cost, (wt, bt, at_prev))
    # A nudge to w(L), followed exactly through z, a and C; each step's ratio of changes
    nudge = CHAIN_NUDGE
    z_new = (w[-1] + nudge) * a_prev + b[-1]
    a_new = 1 / (1 + np.exp(-z_new))
    c_new = (a_new - y) ** 2
    dz, da, dc = z_new - z_out, a_new - a_out, c_new - (a_out - y) ** 2
    # Averaged over every training example of the chain (and by autograd over all of them)
    all_prev, all_out = acts[-2], acts[-1]
    per_example = all_prev * all_out * (1 - all_out) * 2 * (all_out - chain.y)
    wt_all = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    at_all = torch.from_numpy(chain.x)
    for i in range(len(w)):
        at_all = torch.sigmoid(wt_all[i] * at_all + torch.from_numpy(b)[i])
    g_avg = torch.autograd.grad(((at_all - torch.from_numpy(chain.y)) ** 2).mean(), wt_all)[0][-1].item()

    # Many neurons: the last two layers of the digit network at Chapter 3's checkpoint, on its "2".
    # Indices as the chapter writes them: j a neuron of layer L (an output), k one of layer L-1.
    ck = int(np.flatnonzero(steps == PARTLY_TRAINED_STEP)[0])
    weights, biases = _arrays_at(checkpoints[ck], sizes)
    x = data.x_train[int(ch3["digit_index"]) : int(ch3["digit_index"]) + 1]
    label = int(ch3["label"])
    fwd = forward(weights, biases, x)
    bwd = backward(weights, biases, fwd, np.array([label]))
    L = len(weights)  # the output layer
    grad_a2 = bwd["grad_a"][L - 1][0]
    # Rule: j is the output that should light up (the label); k the neuron of layer L-1 the cost is
    # most sensitive to, among those numbered differently from j (so j and k never read alike).
    j = label
    k = int(max((i for i in range(len(grad_a2)) if i != j), key=lambda i: abs(grad_a2[i])))
    out, hid = fwd["a"][L][0], fwd["a"][L - 1][0]
    target = np.eye(len(out))[label]
    sp_out, dc_out = out * (1 - out), 2 * (out - target)
    w_k = np.asarray(weights[L - 1], dtype=np.float64)[:, k]  # w(L)[j, k] over j: neuron k's edges to every output
    terms = w_k * sp_out * dc_out  # one per output j: the path k -> j -> C
    # One layer further down: the weight into neuron k of layer L-1 whose derivative is largest
    grad_w2_k = bwd["grad_w"][L - 2][0][k]
    m = int(np.argmax(np.abs(grad_w2_k)))
    paths = chain_rule_paths(weights, fwd, np.array([label]), L - 1, k, m)
    # autograd, float64, through a forward pass written again in torch
    W = [torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in weights]
    B = [torch.tensor(np.asarray(v, dtype=np.float64)) for v in biases]
    net_a = [torch.from_numpy(x[0].astype(np.float64))]
    for w_l, b_l in zip(W, B):
        net_a.append(torch.sigmoid(w_l @ net_a[-1] + b_l))
    c_net = ((net_a[L] - torch.from_numpy(target)) ** 2).sum()
    g_w2, g_w3, g_a2 = torch.autograd.grad(c_net, (W[L - 2], W[L - 1], net_a[L - 1]))

    return {
        "chain_w": w, "chain_b": b,
        "chain_example": np.asarray(e),
        "chain_x": np.asarray(float(chain.x[e])),
        "chain_activations": np.array([float(t[e]) for t in acts]),  # a(0) .. a(3)
        "a_prev": np.asarray(a_prev), "z": np.asarray(z_out), "a": np.asarray(a_out), "y": np.asarray(y),
        "cost": np.asarray((a_out - y) ** 2),
        "dz_dw": np.asarray(dz_dw), "da_dz": np.asarray(da_dz), "dc_da": np.asarray(dc_da),
        "dc_dw": np.asarray(dz_dw * da_dz * dc_da),
        "dc_db": np.asarray(da_dz * dc_da),
        "dc_daprev": np.asarray(float(w[-1]) * da_dz * dc_da),
        "autograd_dc_dw": np.asarray(gw[-1].item()),
        "autograd_dc_db": np.asarray(gb[-1].item()),
        "autograd_dc_daprev": np.asarray(gprev.item()),
        # one link further back: w(L-1), whose last factor is dC/da(L-1)
        "sigma_prime_prev": np.asarray(a_prev * (1 - a_prev)),
        "dc_dw_prev": np.asarray(float(acts[-3][e]) * a_prev * (1 - a_prev) * float(w[-1]) * da_dz * dc_da),
        "autograd_dc_dw_prev": np.asarray(gw[-2].item()),
        "nudge": np.asarray(nudge),
        "nudged_z": np.asarray(z_new), "nudged_a": np.asarray(a_new), "nudged_cost": np.asarray(c_new),
        "nudge_dz": np.asarray(dz), "nudge_da": np.asarray(da), "nudge_dc": np.asarray(dc),
        # each step's ratio of changes (the derivatives' big-nudge estimates) and their product
        "ratio_z_w": np.asarray(dz / nudge), "ratio_a_z": np.asarray(da / dz), "ratio_c_a": np.asarray(dc / da),
        "ratio_c_w": np.asarray(dc / nudge),
        "chain_cost_curve": chain.cost_curve,  # the mean cost over the chain's examples, every CURVE_EVERY steps
        "chain_curve_every": np.asarray(CURVE_EVERY),
        "chain_digit": chain_digit,  # (784,) the example's pixels
        "n_chain_examples": np.asarray(len(chain.x)),
        "first_dc_dw": per_example[:CHAIN_AVERAGE_SHOWN],  # the first training examples' dC_x/dw(L)
        "average_dc_dw": np.asarray(per_example.mean()),
        "autograd_average_dc_dw": np.asarray(g_avg),
        # the digit network's last two layers
        "fan_label": np.asarray(label), "fan_j": np.asarray(j), "fan_k": np.asarray(k),
        "fan_a_prev": hid,  # a(L-1), all 16
        "fan_a_prev2": fwd["a"][L - 2][0],  # a(L-2): a hidden layer's activations, or the 784 pixels when L == 2
        "fan_a_out": out,  # a(L), all 10
        "fan_sigma_prime": sp_out,  # sigma'(z_j(L)) = a_j (1 - a_j)
        "fan_dc_da": dc_out,  # 2 (a_j(L) - y_j)
        "fan_w_k": w_k,  # w(L)[j, k] over j
        "fan_terms": terms,  # w_jk sigma'(z_j) 2 (a_j - y_j) over j
        "fan_dc_dak": np.asarray(terms.sum()),  # dC/da_k(L-1): the sum over the paths
        "fan_dc_dw_jk": np.asarray(hid[k] * sp_out[j] * dc_out[j]),
        "autograd_fan_dc_dak": np.asarray(g_a2[k].item()),
        "autograd_fan_dc_dw_jk": np.asarray(g_w3[j, k].item()),
        # one layer further down: w(L-1)[k, m], from neuron m of layer L-2 into neuron k
        "deep_m": np.asarray(m),
        "deep_a_prev": np.asarray(paths["a_prev"]),  # a_m(L-2)
        "deep_sigma_prime": np.asarray(paths["sigma_prime"]),  # sigma'(z_k(L-1))
        "deep_grad": np.asarray(paths["grad"]),
        "deep_autograd": np.asarray(g_w2[k, m].item()),
    }
