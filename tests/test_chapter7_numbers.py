"""Chapter 7's on-screen numbers: one attention head, step by step, checked and pinned.

The second opinion is a plain numpy forward pass written from the ``lm`` artifact's weights
(layer norm, every head's attention, the MLP), independent of the torch model's trace that
built ``lm-story``. The chosen head must still meet its target, and it must be the head the
rule picks from the patterns, whatever training made of it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.golden import check_golden
from tests.numpy_gpt import numpy_trace


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
    from scenes.chapter7 import Story

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
    }
    check_golden("chapter7", values, update_goldens, rel=1e-3, abs_tol=1e-5)


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
