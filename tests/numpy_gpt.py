"""The tiny transformer written out again in plain numpy (float64), from its weight arrays: the
second opinion the language tests hold the model, its trace and the analyses against.

It shares no code with ``models/tiny_gpt.py``: layer norm, causal attention head by head, GELU
(exact, through ``erf``) and the unembedding are spelled out here.

Example::

    t = numpy_trace(weights, ids)          # weights: the `lm` artifact's weights.npz arrays
    t["probs"], t["layers"][0]["pattern"][head], t["stages"][-1]
    t["logits"][p]                         # the next-word logits after position p (every position)
    numpy_loss(weights, xs, ys)            # mean next-word cross-entropy over windows of ids
"""

from __future__ import annotations

import math

import numpy as np

try:  # exact erf, vectorised (SciPy comes with Manim); math.erf element by element otherwise
    from scipy.special import erf as _erf
except ImportError:  # pragma: no cover
    _erf = np.vectorize(math.erf)

__all__ = ["gelu", "numpy_loss", "numpy_trace"]


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def numpy_trace(w: dict, ids: list[int], n_head: int = 4, silence_mlp: tuple[int, int] | None = None,
                silence_neurons: tuple[int, int, list[int]] | None = None) -> dict:
    """Run one sequence of token ids through the weights ``w`` (as saved by ``lm_arrays``; a
    checkpoint's arrays without ``config`` work too, with ``n_head`` given).

    ``silence_mlp=(layer, position)`` drops that MLP's whole output at that position;
    ``silence_neurons=(layer, position, neurons)`` zeroes those neurons' activations there.

    Returns ``stages`` (the vectors after the embedding and after every attention and MLP
    block), ``layers`` (per layer: ``resid``, ``input``, per head ``q k v scores pattern mixed
    change``, and the MLP's ``mlp_pre``/``mlp_post`` before any silencing), ``final`` (T, C) the
    vectors after the final layer norm, ``logits`` (T, vocab) the unembedding's output at every
    position, and ``probs`` (the last position's next-word distribution)."""
    if "config" in w:
        n_head = int(np.asarray(w["config"])[3])
    g = {k: np.asarray(v, dtype=np.float64) for k, v in w.items() if k not in ("vocab", "config")}
    n_layer = len({k.split(".")[2] for k in g if k.startswith("transformer.h.")})
    T = len(ids)
    x = g["transformer.wte.weight"][ids] + g["transformer.wpe.weight"][:T]
    C = x.shape[1]
    hd = C // n_head
    future = np.triu(np.ones((T, T), dtype=bool), 1)  # a key after its query: masked
    stages, layers = [x], []
    for layer in range(n_layer):
        p = f"transformer.h.{layer}."
        h = _layer_norm(x, g[p + "ln_1.weight"], g[p + "ln_1.bias"])
        qkv = h @ g[p + "attn.c_attn.weight"].T + g[p + "attn.c_attn.bias"]
        t: dict = {"resid": x, "input": h, **{key: [] for key in ("q", "k", "v", "scores", "pattern", "mixed", "change")}}
        attn = np.zeros_like(x)
        for head in range(n_head):
            q, k, v = (qkv[:, part * C + head * hd: part * C + (head + 1) * hd] for part in range(3))
            scores = q @ k.T / math.sqrt(hd)
            e = np.exp(np.where(future, -np.inf, scores) - scores.max(axis=1, keepdims=True))
            pattern = e / e.sum(axis=1, keepdims=True)
            mixed = pattern @ v
            change = mixed @ g[p + "attn.c_proj.weight"][:, head * hd: (head + 1) * hd].T  # this head's share of W_O
            attn += change
            for key, value in zip(("q", "k", "v", "scores", "pattern", "mixed", "change"),
                                  (q, k, v, scores, pattern, mixed, change)):
                t[key].append(value)
        x = x + attn + g[p + "attn.c_proj.bias"]
        stages.append(x)
        pre = _layer_norm(x, g[p + "ln_2.weight"], g[p + "ln_2.bias"]) @ g[p + "mlp.c_fc.weight"].T + g[p + "mlp.c_fc.bias"]
        post = gelu(pre)
        t["mlp_pre"], t["mlp_post"] = pre, post.copy()
        if silence_neurons is not None and silence_neurons[0] == layer:
            post[silence_neurons[1], list(silence_neurons[2])] = 0.0
        out = post @ g[p + "mlp.c_proj.weight"].T + g[p + "mlp.c_proj.bias"]
        if silence_mlp is not None and silence_mlp[0] == layer:
            out[silence_mlp[1]] = 0.0
        x = x + out
        stages.append(x)
        layers.append(t)
    final = _layer_norm(x, g["transformer.ln_f.weight"], g["transformer.ln_f.bias"])
    logits = final @ g["lm_head.weight"].T  # (T, vocab)
    e = np.exp(logits[-1] - logits[-1].max())
    return {"stages": stages, "layers": layers, "final": final, "logits": logits, "probs": e / e.sum(),
            "n_layer": n_layer, "n_head": n_head, "C": C, "hd": hd}


def numpy_loss(w: dict, xs, ys, n_head: int = 4) -> float:
    """Mean next-word cross-entropy (natural log) of the weights ``w`` over windows: ``xs[b]`` a
    window of token ids, ``ys[b]`` the true next id after each of its positions."""
    total, count = 0.0, 0
    for x, y in zip(xs, ys):
        logits = numpy_trace(w, [int(i) for i in x], n_head)["logits"]
        top = logits.max(axis=1, keepdims=True)
        log_probs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
        total -= float(log_probs[np.arange(len(y)), np.asarray(y, dtype=np.int64)].sum())
        count += len(y)
    return total / count
