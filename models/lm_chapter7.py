"""Arrays for Chapter 7's one-film beats, computed from the trained language model (part of the
``lm-story`` artifact: :func:`models.lm_story.language_story` merges them into ``language.npz``).

Every key starts with ``c7_``. The sentence is Chapter 7's ("a fluffy blue creature roamed the
verdant forest . the creature was", ``SHOWN_SENTENCE``) and the head is the adjective head
that :func:`models.lm_story.adjective_head` finds. Besides that head's query in pieces (W_Q x
and the bias), its dot product entry by entry and a 2-D view of its queries and keys, this
module follows the route the two adjectives take to the prediction: which heads carry them, found
by rules from the patterns, and what the prediction becomes when one link of the route is cut
(its score set to minus infinity before the softmax, the way the mask hides later words).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from models.lm_story import SHOWN_ADJECTIVES, SHOWN_SENTENCE, adjective_head
from models.tiny_gpt import TinyGPT, Vocab

READ_SHARE = 0.5  # a layer-2 head "reads the noun" when the last word puts more than this on it
CUTS = ("none", "direct", "gather", "read", "noun row")  # the links cut, one set per row of c7_cut_probs


@torch.no_grad()
def forward_with_cuts(model: TinyGPT, ids: list[int], cuts: list[tuple[int, int, int, int]]) -> torch.Tensor:
    """The next-word distribution after ``ids`` with attention links cut: each ``(layer, head,
    query, key)`` gets the score minus infinity before the softmax (like the causal mask), so that
    query takes nothing from that key and its other weights grow to fill the gap."""
    T = len(ids)
    C, nh = model.config.n_embd, model.config.n_head
    hd = C // nh
    allowed = torch.tril(torch.ones(model.config.n_layer, nh, T, T, dtype=torch.bool))  # (L, nh, T, T)
    for layer, head, q, k in cuts:
        allowed[layer, head, q, k] = False
    x = model.transformer.wte(torch.tensor(ids)) + model.transformer.wpe(torch.arange(T))  # (T, C)
    for layer, block in enumerate(model.transformer.h):
        q, k, v = block.attn.c_attn(block.ln_1(x)).split(C, dim=-1)
        q, k, v = (m.view(T, nh, hd).transpose(0, 1) for m in (q, k, v))  # (nh, T, hd)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # (nh, T, T)
        pattern = F.softmax(scores.masked_fill(~allowed[layer], float("-inf")), dim=-1)
        y = (pattern @ v).transpose(0, 1).reshape(T, C)
        x = x + block.attn.c_proj(y)
        x = x + block.mlp(block.ln_2(x))
    logits = model.lm_head(model.transformer.ln_f(x[-1]))
    return torch.softmax(logits.double(), -1)


@torch.no_grad()
def chapter7_beats(model: TinyGPT, vocab: Vocab, untrained: TinyGPT, stepped: TinyGPT) -> dict[str, np.ndarray]:
    """``c7_query_wx``/``c7_query_bias`` (hd,): the last word's query in the adjective head as its
    two parts, W_Q x and the bias b (their sum is ``head_q[-1]``); ``c7_dot_terms`` (hd,): that
    query times the key it attends to most, entry by entry (they add up to the raw score).

    ``c7_plane`` (T + 1, 2): the last word's query (row 0) and every word's key in one plane of
    the head's hd-dimensional space: the plane that holds the query (x axis along it) and, across
    it, the direction along which the keys spread most (y axis); ``c7_plane_axes`` (2, hd). The
    query lies in the plane, so each key's x, times the query's length, is exactly its dot
    product with the query.

    The route: ``c7_positions`` (noun, first adjective, second adjective, last word);
    ``c7_direct_head`` the adjective head (layer, head); ``c7_gather_head`` the layer-1 head whose
    noun puts the most weight on the adjectives; ``c7_read_heads`` the layer-2 heads whose last
    word puts more than ``READ_SHARE`` on the noun. ``c7_cut_probs`` (len(CUTS), vocab): the
    next-word distribution with no link cut, then with the direct head's last word -> the key it
    attends to most cut, the gather head's noun -> adjectives cut, the read heads' last word ->
    noun cut, and (to compare) the adjective head's own noun -> adjectives cut."""
    del untrained, stepped
    words = SHOWN_SENTENCE.split()
    ids = vocab.encode(SHOWN_SENTENCE)
    T = len(ids)
    C, nh = model.config.n_embd, model.config.n_head
    hd = C // nh
    layer, head, _ = adjective_head(model, vocab)
    trace = model.trace(torch.tensor([ids]))
    t = trace["layers"][layer]
    block = model.transformer.h[layer]
    x = block.ln_1(t["resid_pre"])[0, -1]  # (C,): what W_Q multiplies for the last word
    w_q = block.attn.c_attn.weight[head * hd : (head + 1) * hd]  # (hd, C): the head's rows of W_Q
    b_q = block.attn.c_attn.bias[head * hd : (head + 1) * hd]
    q, k = t["q"][0, head].double(), t["k"][0, head].double()  # (T, hd)
    top = int(torch.argmax(t["pattern"][0, head, -1]))
    out: dict[str, np.ndarray] = {
        "c7_query_wx": (w_q @ x).numpy(),
        "c7_query_bias": b_q.numpy(),
        "c7_dot_terms": (q[-1] * k[top]).numpy(),
    }

    # The plane of the last word's query and the keys' widest spread across it
    x_axis = q[-1] / q[-1].norm()
    across = k - torch.outer(k @ x_axis, x_axis)  # the keys with their part along the query removed
    across = across - across.mean(dim=0)
    y_axis = torch.linalg.svd(across, full_matrices=False)[2][0]
    y_axis = y_axis * torch.sign(k[top] @ y_axis)  # the attended key above the axis
    axes = torch.stack([x_axis, y_axis])  # (2, hd)
    out["c7_plane_axes"] = axes.numpy()
    out["c7_plane"] = torch.cat([q[-1:], k]).matmul(axes.T).numpy()  # (T + 1, 2)

    # The route: found from the patterns, then tested by cutting links
    adjectives = [words.index(a) for a in SHOWN_ADJECTIVES]
    noun = max(adjectives) + 1
    last = T - 1
    patterns = torch.stack([tl["pattern"][0] for tl in trace["layers"]])  # (L, nh, T, T)
    gather = int(torch.argmax(patterns[0, :, noun, adjectives].sum(dim=-1)))
    read = [h for h in range(nh) if float(patterns[1, h, last, noun]) > READ_SHARE]
    out["c7_positions"] = np.asarray([noun, *adjectives, last])
    out["c7_direct_head"] = np.asarray([layer, head])
    out["c7_gather_head"] = np.asarray([0, gather])
    out["c7_read_heads"] = np.asarray([[1, h] for h in read])
    cuts = {
        "none": [],
        "direct": [(layer, head, last, top)],
        "gather": [(0, gather, noun, a) for a in adjectives],
        "read": [(1, h, last, noun) for h in read],
        "noun row": [(layer, head, noun, a) for a in adjectives],
    }
    out["c7_cut_names"] = np.asarray(CUTS)
    out["c7_cut_probs"] = torch.stack([forward_with_cuts(model, ids, cuts[name]) for name in CUTS]).numpy()
    return out
