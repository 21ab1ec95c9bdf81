"""Where the language model keeps its facts, and superposition: the analyses of Chapter 8.

The ablations are re-done with a forward pass written out in numpy (a second opinion on the
model and on the hook that silences the MLP); the logit split is checked against the real
logit; the superposition counts against what linear algebra allows.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from models.corpus import ATHLETES
from models.fact_story import FACT_ANSWER, FACT_PROMPT, fact_story, logit_parts
from models.superposition import superposition
from models.tiny_gpt import load_lm
from tests.golden import check_golden
from tests.numpy_gpt import gelu, numpy_trace


@pytest.fixture(scope="module")
def lm():
    from models.pipeline import ensure

    art = ensure("lm")
    model, vocab = load_lm(art.arrays("weights.npz"))
    return art.arrays("weights.npz"), model, vocab


def test_numpy_forward_matches_the_model(lm):
    weights, model, vocab = lm
    ids = vocab.encode(FACT_PROMPT)
    want = torch.softmax(model(torch.tensor([ids]))[0][0, -1], -1).detach().numpy()
    np.testing.assert_allclose(numpy_trace(weights, ids)["probs"], want, atol=1e-5)


def test_the_fact_site_by_a_second_computation(lm, facts):
    """The site's drops, re-done by the numpy forward pass with the MLP silenced there."""
    weights, _, vocab = lm
    layer, pos = (int(x) for x in facts["site"])
    drops = []
    for first, last, sport in ATHLETES:
        ids, t = vocab.encode(f"{first} {last} plays"), vocab.stoi[sport]
        drops.append(numpy_trace(weights, ids)["probs"][t] - numpy_trace(weights, ids, silence_mlp=(layer, pos))["probs"][t])
    assert facts["site_drops"][layer, pos] == pytest.approx(np.mean(drops), abs=1e-4)
    assert facts["site_drops"][layer, pos] == facts["site_drops"].max()
    ids = vocab.encode(FACT_PROMPT)
    np.testing.assert_allclose(facts["ablation_probs"][:2], [numpy_trace(weights, ids)["probs"][vocab.stoi[FACT_ANSWER]],
                                                              numpy_trace(weights, ids, silence_mlp=(layer, pos))["probs"][vocab.stoi[FACT_ANSWER]]],
                               atol=1e-4)


def test_target_the_site_holds_the_facts(facts):
    """Silencing one MLP at one position must cost the facts most of their probability."""
    layer, pos = (int(x) for x in facts["site"])
    assert facts["site_drops"][layer, pos] > 0.5
    assert facts["ablation_probs"][0] - facts["ablation_probs"][1] > 0.3  # for "michael jordan plays"


@torch.no_grad()
def test_logit_parts_add_up_to_the_logit(lm, facts):
    _, model, vocab = lm
    logit = float(model(torch.tensor([vocab.encode(FACT_PROMPT)]))[0][0, -1, vocab.stoi[FACT_ANSWER]])
    assert facts["logit_parts"].sum() == pytest.approx(logit, abs=1e-4)
    names, parts, _ = logit_parts(model, vocab, "roger federer plays", "tennis")
    want = float(model(torch.tensor([vocab.encode("roger federer plays")]))[0][0, -1, vocab.stoi["tennis"]])
    assert parts.sum() == pytest.approx(want, abs=1e-4) and len(names) == len(parts)


def test_neuron_pushes_add_up_to_the_mlps_part(lm, facts):
    """Each neuron's push is its activation times its down-projection column read out by the
    final norm and the unembedding of the answer; with the bias they make the MLP's part of the
    logit (the site is the last word, so the MLP's output reaches the logit directly)."""
    _, model, vocab = lm
    layer, pos = (int(x) for x in facts["site"])
    assert pos == len(facts["prompt"]) - 1
    final = model.trace(torch.tensor([vocab.encode(FACT_PROMPT)]))["layers"][-1]["resid_post"][0, -1].double().numpy()
    sigma = math.sqrt(final.var() + model.transformer.ln_f.eps)
    u = (model.transformer.ln_f.weight.detach() * model.lm_head.weight.detach()[vocab.stoi[FACT_ANSWER]]).double().numpy()
    down, b = facts["down_weight"].astype(np.float64), facts["down_bias"].astype(np.float64)
    np.testing.assert_allclose(facts["neuron_alignment"], u @ (down - down.mean(0)) / sigma, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(facts["neuron_push"], facts["mlp_post"] * facts["neuron_alignment"], rtol=1e-6)
    mlp_part = facts["logit_parts"][list(facts["logit_part_names"]).index(f"MLP {layer}")]
    assert mlp_part == pytest.approx(facts["neuron_push"].sum() + u @ (b - b.mean()) / sigma, abs=1e-3)
    top = facts["top_neurons"]
    assert list(top) == list(np.argsort(-facts["neuron_push"])[: len(top)])
    assert facts["top_share"] == pytest.approx(facts["neuron_push"][top].sum() / facts["neuron_push"].sum())


def test_target_the_top_neuron_fires_for_this_athlete(facts):
    """The neuron pushing "basketball" most fires for Michael Jordan more than for any athlete of
    another sport (the other Michaels included), and so do most of the five shown."""
    acts, sports, names = facts["athlete_activations"], list(facts["sports"]), list(facts["athletes"])
    me = names.index(" ".join(facts["prompt"][:2]))
    others = [i for i, s in enumerate(sports) if s != str(facts["answer"])]
    assert all(acts[me, 0] > acts[i, 0] for i in others)
    assert sum(all(acts[me, n] > acts[i, n] for i in others) for n in range(acts.shape[1])) > acts.shape[1] / 2


def test_fact_story_against_the_trace(lm, facts):
    _, model, vocab = lm
    story = fact_story(model, vocab)  # same rule, recomputed: the artifact is current
    for key in ("site", "top_neurons"):
        np.testing.assert_array_equal(story[key], facts[key])
    np.testing.assert_allclose(facts["resid_out"], facts["resid_in"] + facts["mlp_out"], atol=1e-5)
    pre = facts["up_weight"].astype(np.float64) @ facts["mlp_in"] + facts["up_bias"]
    np.testing.assert_allclose(facts["mlp_pre"], pre, atol=1e-4)
    np.testing.assert_allclose(facts["mlp_post"], gelu(facts["mlp_pre"].astype(np.float64)), atol=1e-5)


def test_facts_golden(facts, update_goldens):
    values = {
        "site": facts["site"],
        "site_drops": facts["site_drops"],
        "top_neurons": facts["top_neurons"],
        "top_share": facts["top_share"],
        "ablation_probs": facts["ablation_probs"],
        "logit_parts": facts["logit_parts"],
        "athlete_activations": facts["athlete_activations"],
        "top_words": [str(w) for w in facts["top_words"]],
        "answer_prob": facts["answer_prob"],
        "mean_drops": facts["mean_drops"],
        "athlete_probs": facts["athlete_probs"],
        "control_probs": facts["control_probs"],
        "site_attention": facts["site_attention"],
        "neuron_parts": facts["neuron_parts"],
        "ablation_logits": facts["ablation_logits"],
    }
    check_golden("lm_facts", values, update_goldens, rel=1e-3, abs_tol=1e-4)


# ----------------------------------------------------------------------------- superposition


def test_superposition_vectors_are_nearly_perpendicular(sup):
    v = sup["vectors"].astype(np.float64)
    assert len(v) == sup["counts"][-1] and v.shape[1] == sup["dimensions"][-1]
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    angles = np.degrees(np.arccos(np.clip(v @ v.T, -1, 1)[np.triu_indices(len(v), 1)]))
    tol = float(sup["tolerance_deg"])
    assert np.all(np.abs(angles - 90.0) <= tol + 1e-3)
    np.testing.assert_array_equal(np.histogram(angles, sup["angle_edges"])[0], sup["angles_after"])
    assert sup["angles_before"].sum() == sup["angles_after"].sum() == len(v) * (len(v) - 1) // 2


def test_superposition_counts_obey_linear_algebra(sup):
    """n unit vectors whose |cos| are all at most c, with (n - 1) c < 1, have a positive definite
    Gram matrix (Gershgorin), so n <= d: small dimensions hold exactly d such vectors. Beyond
    that, the count must grow faster than the dimension."""
    c = math.cos(math.radians(90 - float(sup["tolerance_deg"])))
    dims, counts = sup["dimensions"], sup["counts"]
    for d, n in zip(dims, counts):
        if d * c < 1:
            assert n == d
        assert n >= d
    assert counts[-1] > 4 * dims[-1] and np.all(np.diff(counts) > 0)


def test_superposition_is_reproducible(sup):
    again = superposition((2, 6, 8))
    index = {int(d): i for i, d in enumerate(sup["dimensions"])}
    assert [int(sup["counts"][index[d]]) for d in (2, 6, 8)] == [int(c) for c in again["counts"]]


def test_superposition_golden(sup, update_goldens):
    check_golden("superposition", {"dimensions": sup["dimensions"], "counts": sup["counts"],
                                   "tolerance_deg": sup["tolerance_deg"]}, update_goldens)
