"""Backpropagation written out by hand, in numpy, the way Chapters 3 and 4 derive it.

For a network with ``a(l) = sigmoid(z(l))``, ``z(l) = W(l) a(l-1) + b(l)`` and the cost of
one example ``C = sum_j (a_j(L) - y_j)^2``, the chain rule gives, layer by layer backwards::

    dC/da(L)   = 2 (a(L) - y)
    delta(l)   = dC/dz(l)   = dC/da(l) * sigmoid'(z(l)) = dC/da(l) * a(l) (1 - a(l))
    dC/dW(l)   = delta(l) a(l-1)^T          dC/db(l) = delta(l)
    dC/da(l-1) = W(l)^T delta(l)

Everything is per example (no averaging) so the chapters can show each example's nudges;
the average over examples is the gradient. ``tests/test_backprop.py`` checks all of it
against torch autograd.

Example::

    fwd = forward(weights, biases, x)            # x: (B, 784)
    bwd = backward(weights, biases, fwd, y)      # y: (B,) integer labels
    bwd["grad_w"][2].mean(axis=0)                # dC/dW(3), averaged over the batch
"""

from __future__ import annotations

import numpy as np

__all__ = ["backward", "chain_rule_paths", "forward"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def forward(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray) -> dict[str, list]:
    """Activations ``a[0..L]`` (``a[0]`` is the input) and pre-activations ``z[1..L]`` in float64."""
    a, z = [np.asarray(x, dtype=np.float64)], [None]
    for w, b in zip(weights, biases):
        z.append(a[-1] @ np.asarray(w, dtype=np.float64).T + np.asarray(b, dtype=np.float64))  # (B, n_out)
        a.append(_sigmoid(z[-1]))
    return {"a": a, "z": z}


def backward(weights: list[np.ndarray], biases: list[np.ndarray], fwd: dict, y: np.ndarray) -> dict[str, list]:
    """Per-example derivatives of ``C = sum_j (a_j - y_j)^2``.

    Returns lists indexed by layer (index 0 unused where a layer has no such quantity):
    ``grad_a[l]`` = dC/da(l) (B, n_l); ``delta[l]`` = dC/dz(l); ``grad_w[l-1]`` = dC/dW(l)
    (B, n_out, n_in); ``grad_b[l-1]`` = dC/db(l) (B, n_out)."""
    a = fwd["a"]
    n_layers = len(weights)
    target = np.eye(a[-1].shape[1])[np.asarray(y)]  # one-hot (B, n_L)
    grad_a: list = [None] * (n_layers + 1)
    delta: list = [None] * (n_layers + 1)
    grad_w: list = [None] * n_layers
    grad_b: list = [None] * n_layers
    grad_a[n_layers] = 2.0 * (a[n_layers] - target)
    for l in range(n_layers, 0, -1):
        delta[l] = grad_a[l] * a[l] * (1.0 - a[l])  # sigmoid'(z) = a (1 - a)
        grad_w[l - 1] = delta[l][:, :, None] * a[l - 1][:, None, :]  # (B, n_out, n_in)
        grad_b[l - 1] = delta[l]
        grad_a[l - 1] = delta[l] @ np.asarray(weights[l - 1], dtype=np.float64)  # (B, n_in)
    return {"grad_a": grad_a, "delta": delta, "grad_w": grad_w, "grad_b": grad_b}


def chain_rule_paths(weights: list[np.ndarray], fwd: dict, y: np.ndarray, layer: int, j: int, k: int) -> dict:
    """dC/dW(layer)[j, k] for one example as the course writes it for the second-to-last layer:
    ``a_k(l-1) * sigmoid'(z_j(l)) * sum_i W(l+1)[i, j] * sigmoid'(z_i(l+1)) * 2 (a_i(l+1) - y_i)``.

    Only for ``layer == L - 1`` (one layer below the output), where each path is one output
    neuron. Returns the factors and each path's term, for one example (batch of 1)."""
    a = fwd["a"]
    n_layers = len(weights)
    if layer != n_layers - 1:
        raise ValueError(f"chain_rule_paths covers the layer below the output ({n_layers - 1}), not {layer}")
    target = np.eye(a[-1].shape[1])[np.asarray(y)][0]
    out, hid, prev = a[n_layers][0], a[layer][0], a[layer - 1][0]
    w_next = np.asarray(weights[layer], dtype=np.float64)[:, j]  # W(l+1)[i, j] over i
    dout = out * (1 - out)
    terms = w_next * dout * 2.0 * (out - target)  # one per output neuron i: a path j -> i -> C
    return {
        "a_prev": prev[k],
        "sigma_prime": hid[j] * (1 - hid[j]),
        "w_next": w_next,
        "sigma_prime_next": dout,
        "dC_da_next": 2.0 * (out - target),
        "terms": terms,
        "grad_a": terms.sum(),
        "grad": prev[k] * hid[j] * (1 - hid[j]) * terms.sum(),
    }
