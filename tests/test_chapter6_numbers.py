"""Chapter 6's on-screen numbers: tokens, embeddings, the analogy, dot products, the flow, the
unembedding, temperature and the parameter count, each checked by a second computation (numpy on
the ``lm`` artifact's weight arrays; the forward pass is the shared one of ``tests/numpy_gpt.py``)
and pinned in ``tests/golden/chapter6.json``."""

from __future__ import annotations

import numpy as np
import pytest

from tests.golden import check_golden
from tests.numpy_gpt import numpy_trace


@pytest.fixture(scope="module")
def w():
    from models.pipeline import ensure

    arrays = ensure("lm").arrays("weights.npz")
    return {k: (v if k in ("vocab", "config") else np.asarray(v, dtype=np.float64)) for k, v in arrays.items()}


def _vocab(w) -> list[str]:
    return [str(x) for x in w["vocab"]]


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _cosine_nearest(E, v, exclude, k=3):
    sims = E @ v / (np.linalg.norm(E, axis=1) * np.linalg.norm(v))
    sims[list(exclude)] = -np.inf
    top = np.argsort(-sims)[:k]
    return top, sims[top]


# ----------------------------------------------------------------------------- tokens and vectors


def test_tokens_are_lowercased_words_numbered_alphabetically(lang, w):
    vocab = _vocab(w)
    prompt = str(lang["unembed_prompt"])
    assert vocab == sorted(vocab) and len(vocab) == 225  # "225 words, in alphabetical order"
    written = prompt[0].upper() + prompt[1:]  # the text the scene shows
    assert [vocab.index(t) for t in written.lower().split()] == [int(i) for i in lang["unembed_ids"]]


def test_embedding_rows_are_the_token_vectors(lang, w):
    E = w["transformer.wte.weight"]
    assert tuple(lang["embedding_shape"]) == E.shape == (225, 64)
    np.testing.assert_allclose(lang["king_vector"], E[_vocab(w).index("king")], rtol=1e-6)


# ----------------------------------------------------------------------------- the embedding space


def test_projection_and_analogy_point_by_a_second_computation(lang, w):
    vocab, E = _vocab(w), w["transformer.wte.weight"]
    words = [str(x) for x in lang["embedding_words"]]
    X = E[[vocab.index(x) for x in words]]
    pairs = [("king", "queen"), ("man", "woman"), ("uncle", "aunt"), ("boy", "girl"), ("prince", "princess")]
    gender = sum(E[vocab.index(f)] - E[vocab.index(m)] for m, f in pairs)
    gender /= np.linalg.norm(gender)
    axes = lang["space_axes"]
    np.testing.assert_allclose(axes @ axes.T, np.eye(2), atol=1e-9)  # orthonormal: a true projection
    np.testing.assert_allclose(axes[0], gender, atol=1e-9)
    centred = X - X.mean(axis=0)
    # y is the direction of largest spread once x is removed: no unit vector orthogonal to x beats it
    rest = centred - np.outer(centred @ gender, gender)
    assert np.linalg.norm(rest @ axes[1]) == pytest.approx(np.linalg.svd(rest, compute_uv=False)[0], rel=1e-9)
    assert (centred[words.index("king")] @ axes[1]) > 0  # signed so that king is up
    np.testing.assert_allclose(lang["space_2d"], centred @ axes.T, atol=1e-9)
    # The arrow the scene draws: king plus the man -> woman step, in the plane, lands on the stored point
    p = dict(zip(words, lang["space_2d"]))
    np.testing.assert_allclose(lang["space_analogy_2d"], p["king"] - p["man"] + p["woman"], atol=1e-9)


def test_analogies_land_on_the_expected_words(lang, w):
    vocab, E = _vocab(w), w["transformer.wte.weight"]
    for (a, b, c, expected), shown, sims in zip(lang["analogies"], lang["analogy_neighbours"], lang["analogy_similarity"]):
        ia, ib, ic = (vocab.index(str(x)) for x in (a, b, c))
        top, s = _cosine_nearest(E, E[ia] - E[ib] + E[ic], (ia, ib, ic))
        assert [vocab[i] for i in top] == [str(x) for x in shown]
        np.testing.assert_allclose(sims, s, rtol=1e-6)
        assert vocab[top[0]] == str(expected)  # "each lands nearest the expected word"


def test_dot_products_and_the_words_chosen_by_rule(lang, w):
    vocab, E = _vocab(w), w["transformer.wte.weight"]
    king = E[vocab.index("king")]
    dots = E @ king
    others = [i for i in np.argsort(-dots) if vocab[i] != "king"]
    want = [others[0], others[1], vocab.index("man"), int(np.argmin(np.abs(dots))), others[-1]]
    assert [str(x) for x in lang["dot_words"]] == [vocab[i] for i in want]
    np.testing.assert_allclose(lang["dot_products"], [float(np.sum(king * E[i])) for i in want], rtol=1e-6, atol=1e-9)
    assert lang["dot_products"][0] > lang["dot_products"][2] > 0 > lang["dot_products"][-1]


# ----------------------------------------------------------------------------- the flow and the unembedding


def test_stream_unembedding_and_softmax_by_a_numpy_forward_pass(lang, w):
    ids = [int(i) for i in lang["unembed_ids"]]
    t = numpy_trace(w, ids)
    np.testing.assert_allclose(lang["unembed_stream"], np.stack(t["stages"]), atol=2e-5)
    final = t["final"][-1]  # the last word's vector after the final layer norm
    np.testing.assert_allclose(lang["unembed_final"], final, atol=2e-5)
    logits = w["lm_head.weight"] @ final  # one dot product per row: per word
    np.testing.assert_allclose(logits, t["logits"][-1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lang["unembed_logits"], logits, atol=1e-4)
    np.testing.assert_allclose(lang["unembed_probs"], _softmax(logits), atol=1e-6)
    np.testing.assert_allclose(lang["unembed_probs"], t["probs"], atol=1e-6)
    assert _vocab(w)[int(np.argmax(logits))] == "throne"

def test_the_softmax_written_out_checks_out(lang, w):
    """The unembedding beat writes e to each of the top five logits and e summed over every word,
    rounded; those written numbers, divided, give the percentages the bars show. The numbers are
    the numpy forward pass's."""
    from scenes.chapter6 import _big, softmax_digits
    from scenes.lm_pieces import percent

    t = numpy_trace(w, [int(i) for i in lang["unembed_ids"]])
    logits = t["logits"][-1]
    top = np.argsort(-logits)[:5]
    exps, total = np.exp(logits[top]), float(np.exp(logits).sum())
    # three significant digits are not enough here: divided by the sum as 1,950,000, one 0.043% would come out 0.044%
    sig = softmax_digits(exps, total, t["probs"][top])
    assert sig == 4
    assert [_big(e, sig) for e in exps[:2]] == ["1,944,000", "1,532"] and _big(total, sig) == "1,955,000"
    written = [float(_big(e, sig).replace(",", "")) for e in exps]
    written_total = float(_big(total, sig).replace(",", ""))
    for shown, p in zip(written, t["probs"][top]):
        assert percent(shown / written_total) == percent(float(p))


def test_temperature_numbers_shown(lang, w):
    z = lang["temperature_logits"].astype(np.float64)
    for t, probs in zip(lang["temperatures"], lang["temperature_probs"]):
        np.testing.assert_allclose(probs, _softmax(z / t), atol=1e-6)
    # the same logits from the numpy forward pass
    ids = [_vocab(w).index(x) for x in str(lang["temperature_prompt"]).split()]
    np.testing.assert_allclose(z, numpy_trace(w, ids)["logits"][-1], atol=1e-4)


# ----------------------------------------------------------------------------- where the parameters live


def test_parameter_groups_add_up_from_the_weight_arrays(lang, w):
    sizes = {k: v.size for k, v in w.items() if k not in ("vocab", "config")}
    marks = {"embedding": "wte", "positions": "wpe", "attention": ".attn.", "MLP": ".mlp.", "layer norms": "ln_",
             "unembedding": "lm_head"}
    groups = [str(g) for g in lang["param_groups"]]
    assert groups == list(marks)
    want = [sum(n for k, n in sizes.items() if marks[g] in k) for g in groups]
    assert [int(c) for c in lang["param_group_counts"]] == want
    assert sum(want) == sum(sizes.values()) == int(lang["n_params"]) == 130_432


def test_weight_formula_matches_the_real_matrices(lang, w):
    V, _, L, _, d = (int(x) for x in w["config"])
    assert (V, L, d) == (225, 2, 64)
    matrices = {k: v.size for k, v in w.items() if k.endswith("weight") and v.ndim == 2}
    attn = sum(n for k, n in matrices.items() if ".attn." in k)
    mlp = sum(n for k, n in matrices.items() if ".mlp." in k)
    real = [matrices["transformer.wte.weight"], attn, mlp, matrices["lm_head.weight"]]
    formula = [V * d, L * 4 * d * d, L * 8 * d * d, V * d]
    assert [int(x) for x in lang["weight_formula_tiny"]] == formula == real
    # the rest, shown as one number: biases, layer norms and position embeddings
    rest = sum(v.size for k, v in w.items() if k not in ("vocab", "config") and k not in matrices) \
        + matrices["transformer.wpe.weight"]
    assert sum(formula) + rest == int(lang["n_params"])
    assert sum(formula) == 127_104 and rest == 3_328


def test_weight_formula_for_gpt3s_published_sizes(lang):
    d, L, V = (int(x) for x in lang["gpt3_dims"])
    assert (d, L, V) == (12288, 96, 50257)
    terms = [int(x) for x in lang["weight_formula_gpt3"]]
    assert terms == [V * d, 4 * L * d * d, 8 * L * d * d, V * d]
    assert sum(terms) == 2 * V * d + 12 * L * d * d == 175_181_291_520
    assert round(sum(terms) / 1e9) == 175


# ----------------------------------------------------------------------------- the one-film beats (ch6_* arrays)


def test_kings_neighbours_and_what_the_analogy_step_changes(lang, w):
    vocab, E = _vocab(w), w["transformer.wte.weight"]
    king = E[vocab.index("king")]
    top, sims = _cosine_nearest(E, king, [vocab.index("king")], k=4)
    assert [str(x) for x in lang["ch6_neighbours"]] == [vocab[i] for i in top]
    np.testing.assert_allclose(lang["ch6_near_king"], sims, rtol=1e-9)
    v = king - E[vocab.index("man")] + E[vocab.index("woman")]
    moved = np.array([float(E[i] @ v / (np.linalg.norm(E[i]) * np.linalg.norm(v))) for i in top])
    np.testing.assert_allclose(lang["ch6_near_analogy"], moved, rtol=1e-9)
    near = [str(x) for x in lang["ch6_neighbours"]]
    before, after = dict(zip(near, lang["ch6_near_king"])), dict(zip(near, lang["ch6_near_analogy"]))
    # what the narration says: queen is already nearest; the step lowers prince and raises princess
    assert near[0] == "queen" and round(before["queen"], 2) == 0.83
    assert after["prince"] < before["prince"] and after["princess"] > before["princess"]


def test_token_plus_position_is_what_the_first_block_reads(lang, w):
    ids = [int(i) for i in lang["unembed_ids"]]
    np.testing.assert_allclose(lang["ch6_token_vectors"], w["transformer.wte.weight"][ids], rtol=1e-6)
    np.testing.assert_allclose(lang["ch6_position_vectors"], w["transformer.wpe.weight"][: len(ids)], rtol=1e-6)
    t = numpy_trace(w, ids)
    np.testing.assert_allclose(lang["ch6_token_vectors"] + lang["ch6_position_vectors"], t["stages"][0], atol=1e-6)


def test_attention_weights_and_the_heads_shown(lang, w):
    ids = [int(i) for i in lang["unembed_ids"]]
    words = str(lang["unembed_prompt"]).split()
    t = numpy_trace(w, ids)
    want = np.stack([np.stack(layer["pattern"]) for layer in t["layers"]])  # (L, nh, T, T)
    np.testing.assert_allclose(lang["ch6_patterns"], want, atol=1e-5)
    np.testing.assert_allclose(want.sum(axis=-1), 1.0, atol=1e-9)  # "the weights add up to 1"
    on_noun, on_previous = want[:, :, -1, words.index("king")], want[:, :, -1, -2]
    heads = [[int(v) for v in pair] for pair in lang["ch6_heads"]]
    assert heads[0] == list(np.unravel_index(np.argmax(on_noun), on_noun.shape))
    assert heads[1] == list(np.unravel_index(np.argmax(on_previous), on_previous.shape))
    assert on_noun[tuple(heads[0])] > 0.9  # "almost all of its attention"
    assert int(np.argmax(want[tuple(heads[1])][-1])) == len(words) - 2  # "mostly the word just before"


def test_each_block_adds_its_change_to_the_stream(lang, w):
    ids = [int(i) for i in lang["unembed_ids"]]
    stages = np.stack(numpy_trace(w, ids)["stages"])
    np.testing.assert_allclose(lang["ch6_changes"], np.diff(stages, axis=0), atol=2e-5)
    np.testing.assert_allclose(stages[0] + lang["ch6_changes"].sum(axis=0), lang["unembed_stream"][-1], atol=5e-5)
    # "the changes have outgrown the start" (for the last word)
    last = np.linalg.norm(lang["ch6_changes"][:, -1], axis=1)
    assert last.max() > 2 * np.linalg.norm(stages[0, -1])


def test_the_lengths_written_beside_the_stream_are_the_vectors_lengths(lang, w):
    """The residual stream's strips have their lengths written beside them: the start, each
    block's change and the running sum, for the last word. Those texts are the lengths of the
    numpy forward pass's vectors, rounded as shown; and the sum's length after both layers is more
    than the start's, as "the changes have outgrown the start" says."""
    from manim import tempconfig

    from scenes.chapter6 import LENGTH_X, _stream_length
    from scenes.pieces import fmt

    stages = np.stack(numpy_trace(w, [int(i) for i in lang["unembed_ids"]])["stages"])[:, -1]  # (1 + 2L, C)
    with tempconfig({"dry_run": True}):
        start = _stream_length(lang["unembed_stream"][0][-1], 0.0)
        changes = [_stream_length(c[-1], 0.0).text for c in lang["ch6_changes"]]
        sums = [_stream_length(v[-1], 0.0).text for v in lang["unembed_stream"]]
    assert start.get_x() == pytest.approx(LENGTH_X)
    assert start.text == fmt(np.linalg.norm(stages[0]), 2)
    assert changes == [fmt(np.linalg.norm(c), 2) for c in np.diff(stages, axis=0)]
    assert sums == [fmt(np.linalg.norm(v), 2) for v in stages]
    assert np.linalg.norm(stages[-1]) > 2 * np.linalg.norm(stages[0])


def test_one_layers_matrix_shapes_and_the_count(lang, w):
    V, _, L, _, d = (int(x) for x in w["config"])
    h0 = "transformer.h.0."
    qkv = w[h0 + "attn.c_attn.weight"]
    real = [qkv[:d].shape, qkv[d: 2 * d].shape, qkv[2 * d:].shape, w[h0 + "attn.c_proj.weight"].shape,
            w[h0 + "mlp.c_fc.weight"].shape, w[h0 + "mlp.c_proj.weight"].shape]
    assert [tuple(int(v) for v in s) for s in lang["ch6_matrix_shapes"]] == real
    hidden = real[4][0]
    assert hidden == 4 * d  # "a hidden layer four times wider"
    assert sum(int(np.prod(s)) for s in real[:4]) == 4 * d * d == 16_384
    assert sum(int(np.prod(s)) for s in real[4:]) == 8 * d * d == 32_768
    matrices = L * (4 * d * d + 8 * d * d) + 2 * V * d
    assert matrices == 127_104
    every = sum(v.size for k, v in w.items() if k not in ("vocab", "config"))
    assert every == int(lang["n_params"]) == matrices + 3_328


def test_the_matrix_vector_product_shown(lang, w):
    ids = [int(i) for i in lang["unembed_ids"]]
    t = numpy_trace(w, ids)
    d = int(w["config"][4])
    x = t["layers"][0]["input"][-1]
    np.testing.assert_allclose(lang["ch6_mv_input"], x, atol=1e-5)
    q = np.concatenate([head[-1] for head in t["layers"][0]["q"]])
    np.testing.assert_allclose(lang["ch6_mv_query"], q, atol=1e-5)
    W, b = w["transformer.h.0.attn.c_attn.weight"][:d], w["transformer.h.0.attn.c_attn.bias"][:d]
    # q_0 as the weighted sum the scene writes out
    assert float(lang["ch6_mv_query"][0]) == pytest.approx(sum(W[0, j] * x[j] for j in range(d)) + b[0], abs=1e-5)


# ----------------------------------------------------------------------------- every number on screen


def test_chapter6_golden(lang, w, update_goldens):
    vocab = _vocab(w)
    E, U = w["transformer.wte.weight"], w["lm_head.weight"]
    ids = [int(i) for i in lang["unembed_ids"]]
    names = [str(x) for x in lang["dot_words"]]
    king, first = E[vocab.index("king")], E[vocab.index(names[0])]
    probs, logits = lang["unembed_probs"], lang["unembed_logits"]
    top = [int(i) for i in np.argsort(-probs)[:5]]
    P, z = lang["temperature_probs"], lang["temperature_logits"]
    t_top = [int(i) for i in np.argsort(-P[1])[:5]]
    gpt3 = [int(x) for x in lang["weight_formula_gpt3"]]
    counts = [int(c) for c in lang["param_group_counts"]]
    values = {
        # tokens and vectors
        "prompt": str(lang["unembed_prompt"]),
        "token_ids": ids,
        "vocabulary_ends": [vocab[0], vocab[1], vocab[2], vocab[-1]],
        "embedding_shape": lang["embedding_shape"],
        "king_row": vocab.index("king"),
        "king_vector_shown": lang["king_vector"][:8],
        "token_vectors": E[sorted(set(ids))],
        "matrix_brightness_scales": [float(np.percentile(np.abs(E), 99)), float(np.percentile(np.abs(U), 99))],
        # the embedding space
        "space_words": [str(x) for x in lang["embedding_words"]],
        "space_2d": lang["space_2d"],
        "space_analogy_2d": lang["space_analogy_2d"],
        "analogy_neighbours": [[str(x) for x in row] for row in lang["analogy_neighbours"]],
        "analogy_similarity": lang["analogy_similarity"],
        # dot products
        "dot_words": names,
        "dot_products": lang["dot_products"],
        "king_queen_vectors": [king, first],
        "king_queen_positive_products": int((king * first > 0).sum()),
        # the flow and the unembedding
        "stream": lang["unembed_stream"],
        "final_vector_shown": lang["unembed_final"][:8],
        "top_words": [vocab[i] for i in top],
        "top_logits": logits[top],
        "top_probs": probs[top],
        # temperature
        "temperature_words": [vocab[i] for i in t_top],
        "temperature_logits": z[t_top],
        "temperature_probs": P[:, t_top],
        "temperature_rest": 1 - P[:, t_top].sum(axis=1),
        # parameters
        "param_groups": [str(g) for g in lang["param_groups"]],
        "param_group_counts": counts,
        "param_counts": lang["param_counts"],
        "n_params": int(lang["n_params"]),
        "weight_formula_tiny": lang["weight_formula_tiny"],
        "gpt3_dims": lang["gpt3_dims"],
        "weight_formula_gpt3": gpt3,
        "shares_percent": [round(100 * counts[3] / sum(counts)), round(100 * counts[2] / sum(counts)),
                           round(100 * counts[0] / sum(counts)), round(100 * gpt3[2] / sum(gpt3))],
        "gpt3_over_tiny": sum(gpt3) / int(lang["n_params"]),
        # the one-film beats
        "king_neighbours": [str(x) for x in lang["ch6_neighbours"]],
        "king_neighbour_cosines": lang["ch6_near_king"],
        "analogy_cosines": lang["ch6_near_analogy"],
        "position_vectors": lang["ch6_position_vectors"],
        "attention_heads_shown": [[int(v) for v in pair] for pair in lang["ch6_heads"]],
        "attention_last_word": [lang["ch6_patterns"][tuple(int(v) for v in pair)][-1] for pair in lang["ch6_heads"]],
        "stream_changes_last_word": lang["ch6_changes"][:, -1],
        "matrix_shapes": lang["ch6_matrix_shapes"],
        "first_query_entry": float(lang["ch6_mv_query"][0]),
    }
    check_golden("chapter6", values, update_goldens, rel=1e-4, abs_tol=1e-6)
