"""Arrays for Chapter 6's one-film beats, computed from the trained language model (part of the
``lm-story`` artifact: :func:`models.lm_story.language_story` merges them into ``language.npz``).

Every key starts with ``ch6_``. The sentence is the one Chapter 6 follows from its tokens to the
next word (``unembed_prompt``, stored by :func:`models.lm_story.chapter6_parts`)."""

from __future__ import annotations

import numpy as np
import torch

from models.lm_story import UNEMBED_PROMPT
from models.tiny_gpt import TinyGPT, Vocab

KING_NEIGHBOURS = 4  # king's nearest words shown (by cosine similarity, king itself left out)
ANALOGY = ("king", "man", "woman")  # the point king - man + woman
NOUN = "king"  # the word the first attention head shown looks back at


def _cosines(E: np.ndarray, v: np.ndarray) -> np.ndarray:
    return E @ v / (np.linalg.norm(E, axis=1) * np.linalg.norm(v))


@torch.no_grad()
def chapter6_beats(model: TinyGPT, vocab: Vocab, untrained: TinyGPT, stepped: TinyGPT) -> dict[str, np.ndarray]:
    """``ch6_neighbours``/``ch6_near_king``/``ch6_near_analogy``: king's nearest words by cosine
    and the cosine of each with king and with king - man + woman. ``ch6_token_vectors``,
    ``ch6_position_vectors`` (T, C): the sentence's rows of the token and position embeddings
    (their sum is what the first block reads). ``ch6_patterns`` (L, nh, T, T): every head's
    attention; ``ch6_heads`` (2, 2): (layer, head) of the head whose last word attends most to
    the noun, then of the head whose last word attends most to the word just before it.
    ``ch6_changes`` (2L, T, C): what each attention and MLP block adds to each word's vector.
    ``ch6_matrix_shapes`` (6, 2): one layer's W_Q, W_K, W_V, W_O, MLP up and down shapes, read off
    the weights. ``ch6_mv_input``/``ch6_mv_query``: the last word's vector as the first block's
    W_Q multiplies it (after ``ln_1``), and the query it gives (W_Q x + b, all heads)."""
    del untrained, stepped
    E = model.transformer.wte.weight.detach().numpy().astype(np.float64)
    king = E[vocab.stoi["king"]]
    a, b, c = (E[vocab.stoi[w]] for w in ANALOGY)
    near = _cosines(E, king)
    order = [int(i) for i in np.argsort(-near) if i != vocab.stoi["king"]][:KING_NEIGHBOURS]
    moved = _cosines(E, a - b + c)
    out: dict[str, np.ndarray] = {
        "ch6_neighbours": np.asarray([vocab.itos[i] for i in order]),
        "ch6_near_king": near[order],
        "ch6_near_analogy": moved[order],
    }

    words = UNEMBED_PROMPT.split()
    ids = vocab.encode(UNEMBED_PROMPT)
    T = len(ids)
    out["ch6_token_vectors"] = model.transformer.wte.weight[ids].numpy()  # (T, C)
    out["ch6_position_vectors"] = model.transformer.wpe.weight[:T].numpy()  # (T, C)
    trace = model.trace(torch.tensor([ids]))
    patterns = torch.stack([t["pattern"][0] for t in trace["layers"]]).numpy()  # (L, nh, T, T)
    out["ch6_patterns"] = patterns
    on_noun = patterns[:, :, -1, words.index(NOUN)]  # (L, nh)
    on_previous = patterns[:, :, -1, -2]
    out["ch6_heads"] = np.asarray([np.unravel_index(int(np.argmax(on_noun)), on_noun.shape),
                                   np.unravel_index(int(np.argmax(on_previous)), on_previous.shape)])
    changes = []
    for t in trace["layers"]:
        changes += [t["resid_mid"][0] - t["resid_pre"][0], t["resid_post"][0] - t["resid_mid"][0]]
    out["ch6_changes"] = torch.stack(changes).numpy()  # (2L, T, C)

    block = model.transformer.h[0]
    C = model.config.n_embd
    w_q, w_k, w_v = block.attn.c_attn.weight.split(C, dim=0)  # each (C, C)
    out["ch6_matrix_shapes"] = np.asarray([tuple(m.shape) for m in (w_q, w_k, w_v, block.attn.c_proj.weight,
                                                                   block.mlp.c_fc.weight, block.mlp.c_proj.weight)])
    x = block.ln_1(trace["layers"][0]["resid_pre"][0, -1])  # (C,)
    out["ch6_mv_input"] = x.numpy()
    out["ch6_mv_query"] = (w_q @ x + block.attn.c_attn.bias[:C]).numpy()
    return out
