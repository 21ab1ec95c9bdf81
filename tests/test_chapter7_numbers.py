"""Chapter 7's on-screen numbers: one attention head, step by step, and the route the adjectives
take, checked and pinned.

The second opinion is a plain numpy forward pass written from the ``lm`` artifact's weights
(layer norm, every head's attention, the MLP), independent of the torch model's trace that
built ``lm-story``; for the cut links, the same numpy pass with those scores set to minus
infinity. The chosen head must still meet its target, and it must be the head the rule picks
from the patterns, whatever training made of it. Every claim the narration makes is tested
with its comparison: the noun's share beside even attention's, each cut beside the uncut
prediction and beside the cut of links that are not on the route.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.golden import check_golden
from tests.numpy_gpt import _layer_norm, gelu, numpy_trace


@pytest.fixture(scope="module")
def weights():
    from models.pipeline import ensure

    return ensure("lm").arrays("weights.npz")


@pytest.fixture(scope="module")
def forward(lang, weights):
    vocab = [str(v) for v in weights["vocab"]]
    return numpy_trace(weights, [vocab.index(str(x)) for x in lang["sentence"]])


def test_the_head_steps_match_a_numpy_forward_pass(lang, forward):
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t = forward["layers"][layer]
    close = dict(atol=2e-5, rtol=1e-4)
    np.testing.assert_allclose(lang["head_resid"], t["resid"], **close)
    np.testing.assert_allclose(lang["head_input"], t["input"], **close)
    for key in ("q", "k", "v", "scores", "pattern", "mixed", "change"):
        np.testing.assert_allclose(lang[f"head_{key}"], t[key][head], err_msg=key, **close)
    T = len(lang["sentence"])
    future = np.triu(np.ones((T, T), dtype=bool), 1)
    assert np.all(np.isneginf(lang["head_masked"][future]))
    np.testing.assert_allclose(lang["head_masked"][~future], lang["head_scores"][~future])
    for lay in range(forward["n_layer"]):
        for h in range(forward["n_head"]):
            np.testing.assert_allclose(lang["all_patterns"][lay, h], forward["layers"][lay]["pattern"][h], **close)
    np.testing.assert_allclose(lang["shown_next_probs"], forward["probs"], atol=1e-5)


def test_the_shown_embeddings_are_the_first_residual(lang, weights, forward):
    """Scene 1 draws word + position embeddings; they are what layer 1 reads."""
    words = [str(x) for x in lang["sentence"]]
    np.testing.assert_allclose(_embedded(weights, words), forward["layers"][0]["resid"], atol=1e-6)


def _embedded(weights: dict, words: list[str]) -> np.ndarray:
    ids = [list(weights["vocab"]).index(x) for x in words]
    return weights["transformer.wte.weight"][ids] + weights["transformer.wpe.weight"][: len(words)]


def _adjective_positions(lang) -> list[int]:
    words = [str(x) for x in lang["sentence"]]
    return [words.index(str(a)) for a in lang["shown_adjectives"]]


def test_target_the_shown_head_reads_the_adjectives(lang):
    """From the sentence's last word, the shown head puts more than half its weight on "fluffy" and "blue"."""
    assert [str(a) for a in lang["shown_adjectives"]] == ["fluffy", "blue"]
    weight = float(lang["head_pattern"][-1, _adjective_positions(lang)].sum())
    assert weight > 0.5, f"the shown head puts only {weight:.2f} of its weight on the adjectives"
    assert weight == pytest.approx(float(lang["attention_weight"]), abs=1e-6)


def test_the_shown_head_is_the_one_the_rule_picks(lang):
    """No hand-picked head: the best head over all layers and heads, recomputed from the patterns."""
    on_adjectives = lang["all_patterns"][:, :, -1][..., _adjective_positions(lang)].sum(axis=-1)  # (L, H)
    best = np.unravel_index(int(np.argmax(on_adjectives)), on_adjectives.shape)
    assert [int(best[0]), int(best[1])] == [int(x) for x in lang["attention_layer_head"]]


def test_parameter_counts_from_the_matrices(lang, weights, forward):
    C, L = forward["C"], forward["n_layer"]
    per_layer = [sum(weights[f"transformer.h.{lay}.attn.{part}"].size
                     for part in ("c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias")) for lay in range(L)]
    assert per_layer == [4 * C * C + 4 * C] * L
    names = [str(n) for n in lang["param_names"]]
    counted = sum(int(c) for n, c in zip(names, lang["param_counts"]) if ".attn." in n)
    assert counted == sum(per_layer)
    assert int(lang["n_params"]) == sum(int(weights[n].size) for n in names)


def _row_norms(m: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(m, dtype=np.float64), axis=1)


def test_shaded_matrices_are_the_heads_maps_and_their_row_norms(lang, weights, forward):
    """The blocks Chapter 7 shades as W_Q, W_K, W_V and W_O (their row norms pinned in the golden
    file) are this head's real maps: the shown bands times the normalised vectors, plus the biases,
    give the numpy forward pass's queries, keys and values, and W_O's slice takes the weighted
    values to the head's change. Their row norms, summed square by square from the raw weight
    arrays at the rows the head owns, equal those of the blocks drawn."""
    from scenes.chapter7 import Story

    s = Story()
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t, C, hd = forward["layers"][layer], forward["C"], forward["hd"]
    c_attn = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.weight"], dtype=np.float64)
    bias = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.bias"], dtype=np.float64)
    proj = np.asarray(weights[f"transformer.h.{layer}.attn.c_proj.weight"], dtype=np.float64)
    r = s.head_rows
    close = dict(rtol=1e-6, atol=1e-6)
    for part, (name, shown) in enumerate((("q", s.W_Q), ("k", s.W_K), ("v", s.W_V))):
        band = np.asarray(shown, dtype=np.float64)[r]
        b = bias[part * C + head * hd : part * C + (head + 1) * hd]
        np.testing.assert_allclose(t["input"] @ band.T + b, t[name][head], err_msg=name, **close)
    np.testing.assert_allclose(t["mixed"][head] @ np.asarray(s.W_O, dtype=np.float64)[:, r].T, t["change"][head], **close)

    def norms(rows, cols=slice(None), of=c_attn):
        return np.array([math.sqrt(sum(float(x) ** 2 for x in of[i, cols])) for i in rows])

    whole = range(C)
    np.testing.assert_allclose(_row_norms(s.W_Q), norms(whole), rtol=1e-6)
    np.testing.assert_allclose(_row_norms(s.W_K), norms([C + i for i in whole]), rtol=1e-6)
    own = range(head * hd, (head + 1) * hd)
    np.testing.assert_allclose(_row_norms(s.W_V[r]), norms([2 * C + i for i in own]), rtol=1e-6)
    np.testing.assert_allclose(_row_norms(s.W_O[:, r]), norms(whole, slice(head * hd, (head + 1) * hd), proj), rtol=1e-6)


def test_chapter7_golden(lang, weights, update_goldens):
    """Every number Chapter 7 shows, pinned (shaded matrices by their row norms and colour scale)."""
    from scenes.chapter7 import GPT3_LAYERS_HEADS_WIDTH, Story

    s = Story()
    words = s.words
    last, key, noun = s.last, s.top_key, s.noun
    hd, r = s.hd, s.head_rows
    probs = lang["shown_next_probs"]
    top = np.argsort(-probs)[:3]
    patterns = lang["all_patterns"]
    embedded = _embedded(weights, words)
    values = {
        # the sentence and its shaded embeddings; the next word's top three
        "sentence": words,
        "embedding_row_norms": _row_norms(embedded),
        "embedding_vmax": float(np.abs(embedded).max()),
        "next_words": [str(lang["vocab"][i]) for i in top],
        "next_probs": probs[top],
        # the head, its matrices (shaded) and its query and key
        "layer_head": [s.layer, s.head],
        "n_layer_head_embd": [s.n_layer, s.n_head, s.n_embd],
        "W_Q_row_norms": _row_norms(s.W_Q),
        "W_K_row_norms": _row_norms(s.W_K),
        "W_V_band_row_norms": _row_norms(s.W_V[r]),
        "W_O_slice_row_norms": _row_norms(s.W_O[:, r]),
        "input_vmax": float(np.abs(lang["head_input"]).max()),
        "input_row_norms_shown": _row_norms(lang["head_input"][[last, key]]),
        "query_of_last": lang["head_q"][last],
        "key_of_top": lang["head_k"][key],
        "top_key": key,
        "dot_product": float(lang["head_scores"][last, key]) * math.sqrt(hd),
        # the grid: raw and scaled scores, the pattern
        "scores": lang["head_scores"],
        "pattern": lang["head_pattern"],
        "last_on_adjectives": float(lang["head_pattern"][last, s.adj_pos].sum()),
        "noun_on_adjectives": float(lang["head_pattern"][noun, s.adj_pos].sum()),
        # values, their weighted sum, the change and the vectors before and after
        "value_of_top": lang["head_v"][key],
        "mixed_of_last": lang["head_mixed"][last],
        "change_of_last": lang["head_change"][last],
        "before_shown": lang["head_resid"][[noun, last], :8],
        "change_shown": lang["head_change"][[noun, last], :8],
        "after_shown": (lang["head_resid"] + lang["head_change"])[[noun, last], :8],
        # every head's pattern; the parameter table
        "all_patterns": patterns,
        "param_counts": [int(c) for n, c in zip(lang["param_names"], lang["param_counts"]) if ".attn." in str(n)],
        "n_params": int(lang["n_params"]),
        # the query in pieces, the dot product entry by entry, the plane of queries and keys
        "query_wx": lang["c7_query_wx"],
        "query_bias": lang["c7_query_bias"],
        "key_bias": s.b_K,
        "key_wx": s.W_K[r] @ lang["head_input"][key],
        "dot_terms": lang["c7_dot_terms"],
        "plane": lang["c7_plane"],
        # the noun's share and even attention's; the context's squares
        "noun_even_share": len(s.adj_pos) / (noun + 1),
        "squares": [len(words) ** 2, s.context ** 2],
        # the route and its cuts (the two adjectives' probabilities, the attended one first)
        "route_heads": [list(s.gather), [list(h) for h in s.read]],
        "cut_names": s.cut_names,
        "cut_two": [s.two(name) for name in s.cut_names],
        "gpt3_layers_heads_width": list(GPT3_LAYERS_HEADS_WIDTH),
    }
    check_golden("chapter7", values, update_goldens, rel=1e-3, abs_tol=1e-5)


# ----------------------------------------------------------------------------- the query, the dot product, the plane


def test_the_query_is_w_q_x_plus_the_bias(lang, weights, forward):
    """The two parts Chapter 7 draws (W_Q x and b) are the head's band of W_Q times the normalised
    vector and the bias of c_attn at the head's rows; they add up to the query."""
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t, hd = forward["layers"][layer], forward["hd"]
    W = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.weight"], dtype=np.float64)[head * hd : (head + 1) * hd]
    b = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.bias"], dtype=np.float64)[head * hd : (head + 1) * hd]
    np.testing.assert_allclose(lang["c7_query_wx"], W @ t["input"][-1], atol=2e-5, rtol=1e-4)
    np.testing.assert_allclose(lang["c7_query_bias"], b, atol=1e-7)
    np.testing.assert_allclose(lang["c7_query_wx"] + lang["c7_query_bias"], t["q"][head][-1], atol=2e-5, rtol=1e-4)


def test_the_key_is_w_k_x_plus_a_nearly_zero_bias(lang, weights, forward):
    """The key Chapter 7 builds (W_K x, computed in the scene from the head's rows of W_K and the
    normalised vector, plus b_K) adds up to the head's key of the attended word, and the bias the
    caption calls nearly zero is: no entry above half a percent of the key's largest, which is over 1."""
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t, hd, C = forward["layers"][layer], forward["hd"], forward["C"]
    top = int(np.argmax(t["pattern"][head][-1]))
    rows = slice(C + head * hd, C + (head + 1) * hd)
    W = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.weight"], dtype=np.float64)[rows]
    b = np.asarray(weights[f"transformer.h.{layer}.attn.c_attn.bias"], dtype=np.float64)[rows]
    wx = W @ np.asarray(lang["head_input"][top], dtype=np.float64)
    np.testing.assert_allclose(wx + b, t["k"][head][top], atol=2e-5, rtol=1e-4)
    key = np.abs(t["k"][head][top]).max()
    assert np.abs(b).max() < 0.005 * key and key > 1


def test_the_dot_product_entry_by_entry(lang, forward):
    """The products drawn add up to the raw score (the stored score × √hd), and the three largest
    carry most of it, as the caption says."""
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t, hd = forward["layers"][layer], forward["hd"]
    top = int(np.argmax(t["pattern"][head][-1]))
    terms = t["q"][head][-1] * t["k"][head][top]
    np.testing.assert_allclose(lang["c7_dot_terms"], terms, atol=2e-5, rtol=1e-4)
    assert terms.sum() == pytest.approx(t["scores"][head][-1, top] * math.sqrt(hd), rel=1e-9)
    three = np.sort(terms)[-3:].sum()
    assert three > 0.9 * terms.sum(), "three entries no longer carry most of the dot product"


def test_the_plane_of_the_query_keeps_its_dot_products(lang, forward):
    """The plane holds the last word's query: x along it, y the keys' widest spread across it. So
    each key's x times the query's length is its exact dot product with the query. Only the
    attended key points the query's way; every other key but the last word's own points away, and
    that one lies across it (a dot product under 1% of the attended key's)."""
    layer, head = (int(x) for x in lang["attention_layer_head"])
    t = forward["layers"][layer]
    q, k = t["q"][head][-1], t["k"][head]
    axes = np.asarray(lang["c7_plane_axes"], dtype=np.float64)
    np.testing.assert_allclose(axes @ axes.T, np.eye(2), atol=1e-6)
    np.testing.assert_allclose(axes[0], q / np.linalg.norm(q), atol=1e-5)
    across = k - np.outer(k @ axes[0], axes[0])
    across -= across.mean(axis=0)
    widest = np.linalg.svd(across, full_matrices=False)[2][0]
    assert abs(float(widest @ axes[1])) == pytest.approx(1.0, abs=1e-5)
    plane = np.asarray(lang["c7_plane"], dtype=np.float64)
    assert plane[0] == pytest.approx([np.linalg.norm(q), 0.0], abs=1e-4)
    dots = k @ q
    np.testing.assert_allclose(plane[1:, 0] * np.linalg.norm(q), dots, atol=1e-3, rtol=1e-4)
    top = int(np.argmax(dots))
    assert top == int(np.argmax(t["pattern"][head][-1]))
    others = [i for i in range(len(dots)) if i not in (top, len(dots) - 1)]
    assert (dots[others] < 0).all()
    assert abs(dots[-1]) < 0.01 * dots[top]


# ----------------------------------------------------------------------------- what the head does, with its baseline


def test_the_head_picks_one_adjective_and_the_noun_barely_beats_even_attention(lang):
    """From the last word: 99% on one adjective, almost nothing on the other. From the noun: more
    on its two adjectives than even attention over the words it sees would give (2 of 4 = 50%),
    but by less than 15 points."""
    from scenes.chapter7 import Story

    s = Story()
    P = lang["head_pattern"]
    assert P[s.last, s.top_key] > 0.99
    assert P[s.last, s.other_adj] < 1e-3
    share, even = float(P[s.noun, s.adj_pos].sum()), len(s.adj_pos) / (s.noun + 1)
    assert even == 0.5
    assert even < share < even + 0.15


# ----------------------------------------------------------------------------- the route, and cutting it


def _forward_with_cuts(weights: dict, ids: list[int], cuts, n_head: int) -> np.ndarray:
    """The numpy forward pass (float64) with the scores of ``cuts`` ((layer, head, query, key))
    set to minus infinity before the softmax; returns the last position's next-word distribution."""
    g = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items() if k not in ("vocab", "config")}
    T = len(ids)
    x = g["transformer.wte.weight"][ids] + g["transformer.wpe.weight"][:T]
    C = x.shape[1]
    hd = C // n_head
    n_layer = len({k.split(".")[2] for k in g if k.startswith("transformer.h.")})
    for layer in range(n_layer):
        p = f"transformer.h.{layer}."
        qkv = _layer_norm(x, g[p + "ln_1.weight"], g[p + "ln_1.bias"]) @ g[p + "attn.c_attn.weight"].T + g[p + "attn.c_attn.bias"]
        heads = []
        for head in range(n_head):
            q, k, v = (qkv[:, part * C + head * hd : part * C + (head + 1) * hd] for part in range(3))
            scores = q @ k.T / math.sqrt(hd)
            scores[np.triu(np.ones((T, T), dtype=bool), 1)] = -np.inf
            for cl, ch, cq, ck in cuts:
                if (cl, ch) == (layer, head):
                    scores[cq, ck] = -np.inf
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            heads.append((e / e.sum(axis=1, keepdims=True)) @ v)
        x = x + np.concatenate(heads, axis=1) @ g[p + "attn.c_proj.weight"].T + g[p + "attn.c_proj.bias"]
        pre = _layer_norm(x, g[p + "ln_2.weight"], g[p + "ln_2.bias"]) @ g[p + "mlp.c_fc.weight"].T + g[p + "mlp.c_fc.bias"]
        x = x + gelu(pre) @ g[p + "mlp.c_proj.weight"].T + g[p + "mlp.c_proj.bias"]
    logits = _layer_norm(x[-1], g["transformer.ln_f.weight"], g["transformer.ln_f.bias"]) @ g["lm_head.weight"].T
    e = np.exp(logits - logits.max())
    return e / e.sum()


def test_the_route_heads_are_found_by_their_rules(lang, forward):
    """The gathering head: the layer-1 head whose noun puts the most on its adjectives (nearly all
    of it on the other adjective); the reading heads: the layer-2 heads whose last word puts more
    than half on the noun."""
    from models.lm_chapter7 import READ_SHARE
    from scenes.chapter7 import Story

    s = Story()
    P = np.stack([np.stack(lay["pattern"]) for lay in forward["layers"]])  # (L, nh, T, T)
    gather = int(np.argmax(P[0][:, s.noun][:, s.adj_pos].sum(axis=-1)))  # (nh,) weights on the adjectives
    assert s.gather == (0, gather)
    assert P[0, gather, s.noun, s.other_adj] > 0.9
    assert s.read == [(1, h) for h in range(forward["n_head"]) if P[1, h, s.last, s.noun] > READ_SHARE]
    assert len(s.read) == 2 and all(P[1, h, s.last, s.noun] > 0.9 for _, h in s.read)
    assert s.gather != (s.layer, s.head)


def test_cutting_the_route_against_a_numpy_pass(lang, weights, forward):
    """Each cut, recomputed in numpy; and the claims with their comparisons: cutting the direct link
    takes the attended adjective below 10% while the other stays above 30%; cutting either step of
    the other adjective's route takes it below 10%; cutting the head's own noun -> adjectives links
    (not on the route) moves neither by as much as 5 points. The other adjective only dips when
    the direct link is cut; the attended one rises when the other's route is cut."""
    from scenes.chapter7 import Story

    s = Story()
    vocab = [str(v) for v in weights["vocab"]]
    ids = [vocab.index(w) for w in s.words]
    cuts = {
        "none": [],
        "direct": [(s.layer, s.head, s.last, s.top_key)],
        "gather": [(*s.gather, s.noun, a) for a in s.adj_pos],
        "read": [(*h, s.last, s.noun) for h in s.read],
        "noun row": [(s.layer, s.head, s.noun, a) for a in s.adj_pos],
    }
    assert s.cut_names == list(cuts)
    for name, links in cuts.items():
        np.testing.assert_allclose(s.cut(name), _forward_with_cuts(weights, ids, links, forward["n_head"]),
                                   atol=2e-5, err_msg=name)
    np.testing.assert_allclose(s.cut("none"), forward["probs"], atol=1e-5)
    base, direct, gather, read, noun_row = (s.two(n) for n in cuts)
    assert base[0] > 0.4 and base[1] > 0.4
    assert direct[0] < 0.1 and direct[1] > 0.3
    assert gather[1] < 0.1 and read[1] < 0.1
    assert np.abs(noun_row - base).max() < 0.05
    # the captions' other clauses: the other adjective "dips" when the direct link is cut (it loses
    # some, not most), and the attended one "rises" when either step of the other's route is cut
    assert 0.01 < base[1] - direct[1] < 0.5 * base[1]
    assert gather[0] > base[0] + 0.2 and read[0] > base[0] + 0.2


# ----------------------------------------------------------------------------- the pieces Chapter 7 adds


def test_pattern_thumb_shows_the_pattern(lang):
    """One pixel per (key, query): the weight's brightness, the masked half grey."""
    from scenes.lm_pieces import MASKED_FILL, PatternThumb
    from scenes.pieces import value_to_rgb

    pattern = lang["all_patterns"][0, 0]
    pixels = PatternThumb(pattern).image.get_pixel_array()[..., :3]
    n = len(pattern)
    visible = ~np.tril(np.ones((n, n), dtype=bool), -1)
    np.testing.assert_array_equal(pixels[visible], value_to_rgb(pattern.T, 1.0)[visible])
    grey = [int(MASKED_FILL.to_hex()[i : i + 2], 16) for i in (1, 3, 5)]
    assert (pixels[~visible] == grey).all()


def test_attention_grid_keeps_its_dots_on_top(lang):
    """After shading, masking and the softmax animation, the grid is whole again in the scene and no
    stray copy of its squares is drawn over the dots (they once hid every dot)."""
    from manim import Scene, tempconfig

    from scenes.lm_pieces import AttentionGrid

    words = [str(x) for x in lang["sentence"]]
    grid = AttentionGrid(words)

    class Play(Scene):
        def construct(self):
            self.add(grid)
            self.play(grid.shade(lang["head_scores"], 5.0), run_time=0.2)
            grid.settle(self)
            self.play(grid.mask(), run_time=0.2)
            animation, frame = grid.softmax(lang["head_pattern"], run_time=0.4)
            self.play(animation)
            grid.keep_dots(self)
            self.scene_mobjects = list(self.mobjects)

    with tempconfig({"dry_run": True, "frame_rate": 5}):
        scene = Play()
        scene.render()
    assert grid in scene.scene_mobjects
    squares = {id(m) for row in grid.cells for m in row}
    others = [m for m in scene.scene_mobjects if m is not grid]
    assert not any(id(f) in squares for m in others for f in m.get_family())
    assert all(dot in grid.get_family() for dot in grid.dots.family_members_with_points())
