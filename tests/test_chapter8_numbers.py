"""Chapter 8's on-screen numbers: checked against second computations, held to the claims the
narration makes about them, and pinned.

The second opinions: a numpy forward pass written from the weight arrays (with one MLP's
neurons silenced, or its output replaced by the athletes' mean, where the chapter does so; its
stream also splits the answer's logit and the top neuron's pre-activation into the parts drawn,
and gives the attention table), the unembedding read from the ``lm`` weights, every
superposition count's vectors checked angle by angle, for the random directions of the
superposition beat the exact distribution of the angle between two random directions in d
dimensions, and 1/√d measured on random pairs. The claims tests hold each caption's comparison:
silencing against the same silencing on sentences that are not facts and against
mean-ablation, the neuron's cosine against random directions.
``tests/test_facts.py`` already checks the site's ablation, that the logit split adds up to the
model's logit, the neuron pushes and the up-projection; nothing here repeats those.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.corpus import ATHLETES
from scenes.chapter8 import cosine_baseline, polysemantic, site_of, sport_order
from tests.golden import check_golden
from tests.numpy_gpt import _layer_norm, gelu, numpy_trace


@pytest.fixture(scope="module")
def weights():
    from models.pipeline import ensure

    return ensure("lm").arrays("weights.npz")


def _ids(weights, text: str) -> list[int]:
    vocab = [str(v) for v in weights["vocab"]]
    return [vocab.index(t) for t in text.split()]


# ----------------------------------------------------------------------------- second computations


def test_prediction_by_numpy_forward(facts, weights):
    """The five next words and their probabilities, from the numpy forward pass."""
    probs = numpy_trace(weights, _ids(weights, " ".join(facts["prompt"])))["probs"]
    vocab = [str(v) for v in weights["vocab"]]
    best = np.argsort(-probs)[:5]
    assert [vocab[i] for i in best] == [str(w) for w in facts["top_words"]]
    np.testing.assert_allclose(probs[best], facts["top_probs"], atol=1e-5)
    assert str(facts["top_words"][0]) == str(facts["answer"])
    assert len(facts["athletes"]) == len(ATHLETES)


def test_athlete_activations_by_numpy_forward(facts, weights):
    """Every bar of the neuron chart: the site's activations of the shown neurons, per athlete."""
    layer, pos, _ = site_of(facts)
    top = [int(i) for i in facts["top_neurons"]]
    for row, (first, last, _) in enumerate(ATHLETES):
        t = numpy_trace(weights, _ids(weights, f"{first} {last} plays"))
        np.testing.assert_allclose(t["layers"][layer]["mlp_post"][pos, top], facts["athlete_activations"][row], atol=1e-4)
        assert str(facts["athletes"][row]) == f"{first} {last}"


def test_ablation_curve_by_numpy_forward(facts, weights):
    """The answer's probability with the strongest-pushing k neurons silenced, for each k shown."""
    layer, pos, _ = site_of(facts)
    order = [int(i) for i in np.argsort(-facts["neuron_push"])]
    ids = _ids(weights, " ".join(facts["prompt"]))
    answer = [str(v) for v in weights["vocab"]].index(str(facts["answer"]))
    for k, shown, score in zip(facts["ablation_counts"], facts["ablation_curve"], facts["ablation_logits"][1:]):
        t = numpy_trace(weights, ids, silence_neurons=(layer, pos, order[: int(k)]))
        assert t["probs"][answer] == pytest.approx(shown, abs=1e-4)
        assert t["logits"][-1][answer] == pytest.approx(score, abs=1e-3)  # the score column beside the bars
    assert numpy_trace(weights, ids)["logits"][-1][answer] == pytest.approx(facts["ablation_logits"][0], abs=1e-3)
    assert facts["ablation_logits"][0] == pytest.approx(float(np.sum(facts["logit_parts"])), abs=1e-3)
    top = [int(i) for i in facts["top_neurons"]]
    assert order[: len(top)] == top and int(facts["ablation_counts"][0]) == len(top)
    assert facts["ablation_curve"][0] == pytest.approx(facts["ablation_probs"][2], abs=1e-6)


def test_down_projection_and_unembedding(facts, weights):
    """What the down-projection scene draws: W_down a + b = out, column n added a_n times; the
    answer's unembedding is its row of the model's lm_head; the cosine between the two."""
    down, post = facts["down_weight"].astype(np.float64), facts["mlp_post"].astype(np.float64)
    np.testing.assert_allclose(down @ post + facts["down_bias"], facts["mlp_out"], atol=1e-4)
    vocab = [str(v) for v in weights["vocab"]]
    row = weights["lm_head.weight"][vocab.index(str(facts["answer"]))]
    np.testing.assert_array_equal(facts["answer_unembedding"], row)
    n = int(facts["top_neurons"][0])
    col = down[:, n]
    cosine = col @ row / (np.linalg.norm(col) * np.linalg.norm(row))
    assert facts["neuron_cosine"][n] == pytest.approx(cosine, abs=1e-5)
    layer, _, _ = site_of(facts)
    np.testing.assert_array_equal(facts["down_weight"], weights[f"transformer.h.{layer}.mlp.c_proj.weight"])
    assert float(facts["up_weight"][n] @ facts["mlp_in"].astype(np.float64)) == pytest.approx(
        float(facts["mlp_pre"][n] - facts["up_bias"][n]), abs=1e-4)


def test_logit_parts_by_numpy_forward(facts, weights):
    """The bars of the score split: the answer's logit is the unembedding of the final layer norm
    of the last word's vector, and that vector is the sum of what the embedding and each block
    added (read off the numpy forward pass's stream). The norm's scale is the whole vector's, so
    each piece's share is its own centred part through gain and unembedding; the norm's bias adds
    the rest. The parts shown are those shares, and they add to the numpy logit."""
    ids = _ids(weights, " ".join(facts["prompt"]))
    t = numpy_trace(weights, ids)
    vocab = [str(v) for v in weights["vocab"]]
    answer = vocab.index(str(facts["answer"]))
    stages = [np.asarray(x[-1]) for x in t["stages"]]  # the last word's vector after each block
    pieces = [stages[0]] + [b - a for a, b in zip(stages[:-1], stages[1:])]
    x = stages[-1]
    sigma = math.sqrt(((x - x.mean()) ** 2).mean() + 1e-5)
    gain, shift = (np.asarray(weights[f"transformer.ln_f.{k}"], dtype=np.float64) for k in ("weight", "bias"))
    row = np.asarray(weights["lm_head.weight"], dtype=np.float64)[answer]
    want = [float(np.sum(row * gain * (v - v.mean()))) / sigma for v in pieces] + [float(row @ shift)]
    names = ["embedding"] + [f"{kind} {layer}" for layer in range(t["n_layer"]) for kind in ("attention", "MLP")]
    assert [str(n) for n in facts["logit_part_names"]] == names + ["final norm bias"]
    np.testing.assert_allclose(facts["logit_parts"], want, rtol=1e-4, atol=2e-4)
    assert sum(want) == pytest.approx(float(t["logits"][-1][answer]), rel=1e-9)
    assert float(np.sum(facts["logit_parts"])) == pytest.approx(float(t["logits"][-1][answer]), rel=1e-4)


def test_superposition_counts_are_real(sup):
    """Each count on the chart is a number of unit vectors that really fit within 90 deg +- the
    tolerance of each other in that many dimensions: for the largest dimension the stored vectors,
    for every other the optimiser's vectors for exactly that count, found again (one torch thread:
    several times faster here, and any set that fits will do); every angle is checked here in
    numpy. (That no more fit is the search's claim; linear algebra bounds it only where
    d cos < 1, in test_facts.py.)"""
    from models.artifacts import reproducible
    from models.superposition import _near_perpendicular

    tol = float(sup["tolerance_deg"])

    def assert_fit(vectors: np.ndarray, n: int, d: int) -> None:
        v = np.asarray(vectors, dtype=np.float64)
        assert v.shape == (n, d)
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        angles = np.degrees(np.arccos(np.clip(unit @ unit.T, -1, 1)[np.triu_indices(n, 1)]))
        assert np.all(np.abs(angles - 90.0) <= tol + 1e-3), (d, n, float(np.abs(angles - 90).max()))

    dims, counts = [int(d) for d in sup["dimensions"]], [int(c) for c in sup["counts"]]
    assert_fit(sup["vectors"], counts[-1], dims[-1])
    max_cos = math.cos(math.radians(90.0 - tol))
    with reproducible(threads=1):
        for d, n in zip(dims[:-1], counts[:-1]):
            _, _, vectors = _near_perpendicular(n, d, max_cos)
            assert_fit(vectors, n, d)


def test_random_angles_match_the_exact_distribution(sup):
    """For two random directions in d dimensions, t = cos(angle) has density proportional to
    (1 - t^2)^((d - 3) / 2). The share of the random pairs on screen within the band matches it."""
    d, tol = int(sup["vectors"].shape[1]), float(sup["tolerance_deg"])
    s = math.sin(math.radians(tol))
    t = np.linspace(-1, 1, 400001)
    density = (1 - t**2) ** ((d - 3) / 2)
    exact = density[np.abs(t) <= s].sum() / density.sum()
    edges, before = sup["angle_edges"], sup["angles_before"]
    inside = (edges[:-1] >= 90 - tol) & (edges[1:] <= 90 + tol)
    assert before[inside].sum() / before.sum() == pytest.approx(exact, abs=0.01)


def _probs_replacing(weights, ids: list[int], layer: int, pos: int, value: np.ndarray) -> np.ndarray:
    """The next-word distribution with layer ``layer``'s MLP output at ``pos`` replaced by ``value``:
    numpy_trace's forward pass up to that MLP, then the rest of the model written out here."""
    g = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items() if k not in ("vocab", "config")}
    t = numpy_trace(weights, ids)
    x = np.array(t["stages"][2 * layer + 1])  # the stream after that layer's attention
    out = t["layers"][layer]["mlp_post"] @ g[f"transformer.h.{layer}.mlp.c_proj.weight"].T
    out = out + g[f"transformer.h.{layer}.mlp.c_proj.bias"]
    out[pos] = value
    x = x + out
    for later in range(layer + 1, t["n_layer"]):
        p = f"transformer.h.{later}."
        h = _layer_norm(x, g[p + "ln_1.weight"], g[p + "ln_1.bias"])
        qkv = h @ g[p + "attn.c_attn.weight"].T + g[p + "attn.c_attn.bias"]
        C, hd, T = t["C"], t["hd"], len(ids)
        attn = np.zeros_like(x)
        for head in range(t["n_head"]):
            q, k, v = (qkv[:, part * C + head * hd: part * C + (head + 1) * hd] for part in range(3))
            scores = np.where(np.triu(np.ones((T, T), dtype=bool), 1), -np.inf, q @ k.T / math.sqrt(hd))
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            attn += (e / e.sum(axis=1, keepdims=True)) @ v @ g[p + "attn.c_proj.weight"][:, head * hd:(head + 1) * hd].T
        x = x + attn + g[p + "attn.c_proj.bias"]
        pre = _layer_norm(x, g[p + "ln_2.weight"], g[p + "ln_2.bias"]) @ g[p + "mlp.c_fc.weight"].T + g[p + "mlp.c_fc.bias"]
        x = x + gelu(pre) @ g[p + "mlp.c_proj.weight"].T + g[p + "mlp.c_proj.bias"]
    logits = _layer_norm(x, g["transformer.ln_f.weight"], g["transformer.ln_f.bias"])[-1] @ g["lm_head.weight"].T
    e = np.exp(logits - logits.max())
    return e / e.sum()


def test_replacing_by_the_same_output_changes_nothing(weights, facts):
    """The forward pass above, given the MLP's own output, gives the plain distribution back."""
    layer, pos, _ = site_of(facts)
    ids = _ids(weights, " ".join(facts["prompt"]))
    own = numpy_trace(weights, ids)
    value = own["stages"][2 * layer + 2][pos] - own["stages"][2 * layer + 1][pos]
    np.testing.assert_allclose(_probs_replacing(weights, ids, layer, pos, value), own["probs"], atol=1e-9)


def test_mean_ablation_by_numpy_forward(facts, weights):
    """Every cell of the mean-ablation grid and every athlete's probability under it: each MLP's
    output at each word replaced by its mean over the athletes, in numpy."""
    vocab = [str(v) for v in weights["vocab"]]
    prompts = [(_ids(weights, f"{a} {b} plays"), vocab.index(s)) for a, b, s in ATHLETES]
    traces = [numpy_trace(weights, ids) for ids, _ in prompts]
    base = np.array([t["probs"][s] for t, (_, s) in zip(traces, prompts)])
    layer, pos, _ = site_of(facts)
    for l in range(facts["mean_drops"].shape[0]):
        for p in range(facts["mean_drops"].shape[1]):
            mean = np.mean([t["stages"][2 * l + 2][p] - t["stages"][2 * l + 1][p] for t in traces], axis=0)
            probs = np.array([_probs_replacing(weights, ids, l, p, mean)[s] for ids, s in prompts])
            assert facts["mean_drops"][l, p] == pytest.approx(float(np.mean(base - probs)), abs=1e-4)
            if (l, p) == (layer, pos):
                np.testing.assert_allclose(facts["athlete_probs"][2], probs, atol=1e-4)
    np.testing.assert_allclose(facts["athlete_probs"][0], base, atol=1e-5)
    np.testing.assert_allclose(facts["site_mean_probs"], facts["athlete_probs"].mean(axis=1), atol=1e-9)
    silenced = [numpy_trace(weights, ids, silence_mlp=(layer, pos))["probs"][s] for ids, s in prompts]
    np.testing.assert_allclose(facts["athlete_probs"][1], silenced, atol=1e-4)


def test_control_sentences_by_numpy_forward(facts, weights):
    """The sentences that are not facts: the model's top next word and its probability, before and
    after the site's MLP is silenced at the last word."""
    layer, _, _ = site_of(facts)
    vocab = [str(v) for v in weights["vocab"]]
    for i, prompt in enumerate(facts["control_prompts"]):
        ids = _ids(weights, str(prompt))
        probs = numpy_trace(weights, ids)["probs"]
        best = int(np.argmax(probs))
        assert vocab[best] == str(facts["control_words"][i])
        assert probs[best] == pytest.approx(facts["control_probs"][0, i], abs=1e-5)
        silenced = numpy_trace(weights, ids, silence_mlp=(layer, len(ids) - 1))["probs"][best]
        assert silenced == pytest.approx(facts["control_probs"][1, i], abs=1e-4)
        assert "plays" not in str(prompt).split()  # no fact among them


def test_attention_from_the_site_by_numpy_forward(facts, weights):
    """The attention table: every head of the site's layer, from the site's word to each word."""
    layer, pos, _ = site_of(facts)
    t = numpy_trace(weights, _ids(weights, " ".join(facts["prompt"])))
    for h, row in enumerate(facts["site_attention"]):
        np.testing.assert_allclose(t["layers"][layer]["pattern"][h][pos, : pos + 1], row, atol=1e-5)


def test_neuron_parts_by_numpy_forward(facts, weights):
    """The top neuron's z split by word: what the attention brought from each word (the site's word
    with its own vector), through the MLP's norm at the whole vector's scale, plus the norm's and
    the neuron's biases; the parts add up to z, for the prompt and for the namesake."""
    layer, pos, _ = site_of(facts)
    n = int(facts["top_neurons"][0])
    g = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items() if k not in ("vocab", "config")}
    p = f"transformer.h.{layer}."
    w_o = g[p + "attn.c_proj.weight"]
    for prompt, shown in zip((facts["prompt"], facts["namesake_prompt"]), facts["neuron_parts"]):
        t = numpy_trace(weights, _ids(weights, " ".join(str(w) for w in prompt)))
        L, hd = t["layers"][layer], t["hd"]
        sources = [sum(L["pattern"][h][pos, s] * L["v"][h][s] @ w_o[:, h * hd:(h + 1) * hd].T
                       for h in range(t["n_head"])) for s in range(pos + 1)]
        sources[pos] = sources[pos] + L["resid"][pos] + g[p + "attn.c_proj.bias"]
        x = t["stages"][2 * layer + 1][pos]
        sigma = math.sqrt(((x - x.mean()) ** 2).mean() + 1e-5)
        w = g[p + "mlp.c_fc.weight"][n]
        want = [float(w @ (g[p + "ln_2.weight"] * (c - c.mean()))) / sigma for c in sources]
        want += [float(w @ g[p + "ln_2.bias"]), float(g[p + "mlp.c_fc.bias"][n])]
        np.testing.assert_allclose(shown, want, atol=1e-4)
        assert sum(want) == pytest.approx(float(L["mlp_pre"][pos, n]), abs=1e-6)
    assert [str(w) for w in facts["namesake_prompt"]][0] == str(facts["prompt"][0])


def test_random_directions_cosine_spread():
    """1/√d is the spread of the cosine between two random directions in d dimensions (the
    baseline beside the neuron's cosine): measured on 20,000 random pairs."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 20000, 64))
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert float(np.std(cos)) == pytest.approx(cosine_baseline(64), rel=0.03)


# ----------------------------------------------------------------------------- what the narration claims


def test_target_zero_ablation_is_not_specific_mean_ablation_is(facts):
    """Silencing the site costs the facts 90.7 points, but it also wrecks every sentence that is no
    fact (each top word above 95% falls below 50%): silencing alone is no evidence. Mean-ablation
    (the control) costs the facts over half their probability at the site and under one point
    anywhere else."""
    layer, pos, _ = site_of(facts)
    before, after = facts["control_probs"]
    assert before.min() > 0.95 and after.max() < 0.5
    drops = facts["mean_drops"]
    assert drops[layer, pos] > 0.5
    assert np.abs(np.delete(drops.ravel(), layer * drops.shape[1] + pos)).max() < 0.01
    as_is, silenced, replaced = facts["site_mean_probs"]
    assert as_is > 0.95 and silenced < 0.1 and replaced < 0.5
    assert facts["site_drops"][layer, pos] == pytest.approx(as_is - silenced, abs=1e-6)
    # shown with one decimal ("from 99.4% to 8.7%, 90.7 points"), the falls subtract as they read
    for after, drop in ((silenced, facts["site_drops"][layer, pos]), (replaced, drops[layer, pos])):
        assert round(float(f"{100 * as_is:.1f}") - float(f"{100 * after:.1f}"), 1) == float(f"{100 * drop:.1f}")


def test_target_plays_looks_at_both_names(facts):
    """Two heads put over 90% on the last name ("Heads 1 and 3 ... on jordan"); the head that looks
    most at the first name puts over half its attention there."""
    att = facts["site_attention"]
    assert [h for h in range(len(att)) if att[h, 1] > 0.9] == [0, 2]
    assert int(np.argmax(att[:, 0])) == 1 and att[1, 0] > 0.5


def test_target_the_top_neuron_is_no_and(facts):
    """The split of the top neuron's z: the last name's part is the largest; the bias is tiny (no
    threshold: the parts simply add); z without the last name's part ("a base") is near the
    namesake's z (within 0.1), where the neuron stays low (its activation under a third of the
    prompt's); the first name sends the least of the words (no AND of the two names); the base
    and the last name's part, at the 3 significant digits shown, add to the z shown."""
    parts = facts["neuron_parts"]
    n = int(facts["top_neurons"][0])
    assert int(np.argmax(parts[0])) == 1
    assert abs(parts[0, -1]) < 0.02 and abs(parts[0, -1]) < 0.02 * abs(parts[0, :3]).sum()
    base = float(facts["mlp_pre"][n]) - parts[0, 1]
    assert abs(base - parts[1].sum()) < 0.1
    names = [str(a) for a in facts["athletes"]]
    me, other = (names.index(" ".join(str(w) for w in p[:2])) for p in (facts["prompt"], facts["namesake_prompt"]))
    acts = facts["athlete_activations"][:, 0]
    assert acts[other] < acts[me] / 3
    assert parts[0, 0] == min(parts[0, :3])
    assert parts[1, 1] < 0 and parts[1].sum() < 0.5 * parts[0].sum()
    shown = float(f"{base:.3g}") + float(f"{parts[0, 1]:.3g}")
    assert f"{shown:.3g}" == f"{float(facts['mlp_pre'][n]):.3g}"


def test_target_the_cosine_beats_random_directions(facts):
    """The top neuron's cosine with the answer is over 2.5 times the random spread 1/√64; under
    ten of the 256 columns lean further; the columns spread wider than random directions."""
    cos = facts["neuron_cosine"]
    n = int(facts["top_neurons"][0])
    base = cosine_baseline(len(facts["answer_unembedding"]))
    assert cos[n] > 2.5 * base
    assert int(np.sum(cos > cos[n])) < 10
    assert base < float(np.std(cos)) < 2 * base


def test_target_a_neuron_fires_for_several_sports(facts):
    """The neuron the last beat shows fires for every basketball player and, at least as strongly
    as for the prompt's athlete, for a tennis player and a baseball player."""
    k = polysemantic(facts)[0]
    acts, sports = facts["athlete_activations"], [str(s) for s in facts["sports"]]
    names = [str(a) for a in facts["athletes"]]
    me = names.index(" ".join(facts["prompt"][:2]))
    assert all(acts[i, k] > 0.5 * acts[me, k] for i, s in enumerate(sports) if s == str(facts["answer"]))
    for sport in ("tennis", "baseball"):
        assert max(acts[i, k] for i, s in enumerate(sports) if s == sport) >= acts[me, k]
    np.testing.assert_array_equal(facts["top_neuron_numbers"], facts["top_neurons"] + 1)



def test_target_one_site_stands_out(facts):
    """"One spot stands out": the site's fall is over five times the next largest."""
    drops = np.sort(facts["site_drops"].ravel())
    assert drops[-1] > 5 * drops[-2]


def test_target_the_top_neuron_fires_far_more_for_this_sport(facts):
    """The top neuron fires for every player of the answer's sport more than twice as strongly as
    for any other athlete ("stays low for the other 20, even the other Michaels"); the next ones
    are less tidy: a tennis player and a baseball player fire one of them as strongly as the
    prompt's athlete does."""
    acts, sports = facts["athlete_activations"], [str(s) for s in facts["sports"]]
    names = [str(a) for a in facts["athletes"]]
    me = names.index(" ".join(facts["prompt"][:2]))
    same = [i for i, s in enumerate(sports) if s == str(facts["answer"])]
    others = [i for i in range(len(sports)) if i not in same]
    assert me in same and len(same) >= 2
    assert acts[same, 0].min() > 2 * acts[others, 0].max()
    namesakes = [i for i, n in enumerate(names) if n.split()[0] == names[me].split()[0] and i != me]
    assert namesakes and all(i in others for i in namesakes)
    for sport in ("tennis", "baseball"):
        rows = [i for i, s in enumerate(sports) if s == sport]
        assert any(acts[i, k] >= acts[me, k] for i in rows for k in range(1, acts.shape[1]))


def test_target_the_fact_is_spread_over_many_neurons(facts):
    """Silencing the top five barely moves the answer (its probability by under 5 points, its
    score by under 10%, though it stays far ahead: over 12); fifty are not enough to halve it; the
    largest count shown brings it below 10%. The whole MLP's silence matters (the site)."""
    p0, curve = float(facts["answer_prob"]), facts["ablation_curve"]
    assert p0 - curve[0] < 0.05
    scores = facts["ablation_logits"]
    assert scores[0] - scores[1] < 0.1 * scores[0] and scores[1] > 12 and np.all(np.diff(scores) < 0)
    assert curve[-2] > 0.5 and curve[-1] < 0.1
    assert p0 - facts["ablation_probs"][1] > 0.3


def test_target_what_the_mlp_scene_says(facts):
    """The bias is small next to the values it is added to; the output outweighs the vector it is
    added to; the top neuron's column leans toward the answer; the top five push alike."""
    assert np.abs(facts["up_bias"]).max() < 0.1 * np.abs(facts["mlp_pre"]).max()
    assert np.linalg.norm(facts["mlp_out"]) > 2 * np.linalg.norm(facts["resid_in"])
    n = int(facts["top_neurons"][0])
    assert facts["neuron_cosine"][n] > 0 and facts["neuron_alignment"][n] > 0
    push = facts["neuron_push"][facts["top_neurons"]]
    assert np.all(push > 0) and push.min() > 0.5 * push.max()


def test_target_superposition_claims(sup, facts):
    """The space has as many dimensions as the model's vectors; the few smallest dimensions fit no
    more directions than the dimension; the largest fits over seven times its dimension."""
    dims, counts = sup["dimensions"], sup["counts"]
    assert dims[-1] == len(facts["mlp_in"]) and sup["vectors"].shape == (counts[-1], dims[-1])
    small = [i for i, (d, c) in enumerate(zip(dims, counts)) if c == d]
    assert small[:3] == [0, 1, 2] and len(small) >= 3
    assert counts[-1] > 7 * dims[-1]
    tol, edges = float(sup["tolerance_deg"]), sup["angle_edges"]
    inside = (edges[:-1] >= 90 - tol) & (edges[1:] <= 90 + tol)
    assert sup["angles_after"].sum() == sup["angles_after"][inside].sum()  # every pair in the band
    window = (edges[:-1] >= 55) & (edges[1:] <= 125)  # the histogram's window on screen holds every pair
    assert sup["angles_before"][window].sum() == sup["angles_before"].sum()


# ----------------------------------------------------------------------------- pinned


def _vector(v) -> list[float]:
    return [float(x) for x in np.asarray(v, dtype=np.float64)]


def _matrix(m) -> list[float]:
    """A weight matrix drawn as a shaded block: its shape, norm, extremes and first row pinned."""
    m = np.asarray(m, dtype=np.float64)
    return [*m.shape, float(np.linalg.norm(m)), float(m.min()), float(m.max()), *m[0, :8]]


def test_chapter8_golden(facts, sup, update_goldens):
    """Every number Chapter 8 puts on screen, and every vector it draws as colours."""
    layer, pos, word = site_of(facts)
    top = [int(i) for i in facts["top_neurons"]]
    n = top[0]
    order = sport_order(facts)
    edges, before, after = sup["angle_edges"], sup["angles_before"], sup["angles_after"]
    window = (edges[:-1] >= 55) & (edges[1:] <= 125)
    tol = float(sup["tolerance_deg"])
    inside = (edges[:-1] >= 90 - tol) & (edges[1:] <= 90 + tol)
    values = {
        # the prompt and the prediction
        "prompt": [str(w) for w in facts["prompt"]], "answer": str(facts["answer"]),
        "top_words": [str(w) for w in facts["top_words"]], "top_probs": facts["top_probs"],
        "n_athletes": len(facts["athletes"]),
        # the site
        "site": [layer, pos], "site_word": word, "site_drops": facts["site_drops"],
        "ablation_probs": facts["ablation_probs"][:2],
        # the MLP step by step (strips and blocks)
        "mlp_in": _vector(facts["mlp_in"]), "up_weight": _matrix(facts["up_weight"]),
        "up_bias": _vector(facts["up_bias"]), "mlp_pre": _vector(facts["mlp_pre"]),
        "mlp_post": _vector(facts["mlp_post"]), "down_weight": _matrix(facts["down_weight"]),
        "down_bias": _vector(facts["down_bias"]), "mlp_out": _vector(facts["mlp_out"]),
        "resid_in": _vector(facts["resid_in"]), "resid_out": _vector(facts["resid_out"]),
        "neuron": n, "row_dot": float(facts["mlp_pre"][n] - facts["up_bias"][n]),
        "neuron_bias": float(facts["up_bias"][n]), "neuron_pre": float(facts["mlp_pre"][n]),
        "neuron_post": float(facts["mlp_post"][n]), "above_half": int(np.sum(facts["mlp_post"] > 0.5)),
        "out_to_in_length": float(np.linalg.norm(facts["mlp_out"]) / np.linalg.norm(facts["resid_in"])),
        # the neurons
        "top_neurons": top, "athletes_shown": [str(facts["athletes"][i]) for i in order],
        "sports_shown": [str(facts["sports"][i]) for i in order],
        "activations_shown": facts["athlete_activations"][order],
        "down_column": _vector(facts["down_weight"][:, n]),
        "answer_unembedding": _vector(facts["answer_unembedding"]),
        "cosine": float(facts["neuron_cosine"][n]), "alignment": float(facts["neuron_alignment"][n]),
        "pushes": facts["neuron_push"][top], "top_share": float(facts["top_share"]),
        "n_neurons": len(facts["mlp_post"]),
        # the spread
        "logit_part_names": [str(s) for s in facts["logit_part_names"]], "logit_parts": facts["logit_parts"],
        "logit": float(np.sum(facts["logit_parts"])),
        "ablation_counts": facts["ablation_counts"], "ablation_curve": facts["ablation_curve"],
        "ablation_logits": facts["ablation_logits"],
        # superposition
        "vectors_shape": list(sup["vectors"].shape), "tolerance_deg": float(sup["tolerance_deg"]),
        "angles_before_shown": before[window], "angles_after_shown": after[window],
        "share_before": float(before[inside].sum() / before.sum()),
        "share_after": float(after[inside].sum() / after.sum()),
        "dimensions": sup["dimensions"], "counts": sup["counts"],
        # the controls, the attention, the neuron's input, the cosine's baseline
        "site_mean_probs": facts["site_mean_probs"], "control_words": [str(w) for w in facts["control_words"]],
        "control_probs": facts["control_probs"], "mean_drops": facts["mean_drops"],
        "site_attention": facts["site_attention"], "neuron_parts": facts["neuron_parts"],
        "namesake_prompt": [str(w) for w in facts["namesake_prompt"]],
        "top_neuron_numbers": [int(i) for i in facts["top_neuron_numbers"]],
        "cosine_std": float(np.std(facts["neuron_cosine"])),
        "columns_further": int(np.sum(facts["neuron_cosine"] > facts["neuron_cosine"][n])),
        "polysemantic": polysemantic(facts),
    }
    check_golden("chapter8", values, update_goldens, rel=1e-3, abs_tol=1e-4)


def test_a_shown_product_agrees_with_its_shown_factors():
    """The neuron's push is written as activation × per-unit push = push: the per-unit factor gets as
    many digits as make the shown product read as the shown push (1.22 × 0.70 would read 0.85, not 0.86)."""
    from scenes.pieces import agreeing_sig, as_shown, fmt

    def per_unit_sig(activation: float, per_unit: float, push: float) -> int:  # as Chapter 8 asks it
        return agreeing_sig([per_unit], push, lambda v: as_shown(activation) * v[0], least=2, result_sig=2)

    assert per_unit_sig(1.2198, 0.7012, 1.2198 * 0.7012) == 3  # 1.22 × 0.701 = 0.855: "0.86"
    assert fmt(1.22 * 0.70, 2) != fmt(1.2198 * 0.7012, 2)  # two digits would not do
    assert per_unit_sig(2.0, 0.25, 0.5) == 2


def test_the_push_chart_draws_the_pushes_and_writes_their_share(facts):
    """Chapter 8's chart of every neuron's push: one bar per neuron, largest first, as tall as its
    push; the top neurons' bars (and only theirs) yellow; the written sums, divided, give the share."""
    from manim import tempconfig

    from scenes.chapter8 import _push_chart
    from scenes.lm_pieces import percent
    from scenes.pieces import ACCENT

    push = np.asarray(facts["neuron_push"], dtype=np.float64)
    with tempconfig({"dry_run": True}):
        head, bars, zero, note = _push_chart(facts)
    ranked = np.sort(push)[::-1]
    heights = np.array([b.height if b.get_y() >= zero.get_y() else -b.height for b in bars])
    big = np.abs(ranked) * (bars[0].height / ranked[0]) > 0.005  # thinner bars are drawn at the least height
    np.testing.assert_allclose(heights[big], ranked[big] * bars[0].height / ranked[0], rtol=1e-6)
    yellow = [k for k, b in enumerate(bars) if b.get_fill_color().to_hex().upper() == ACCENT.to_hex().upper()]
    top = np.argsort(-push)[:len(facts["top_neurons"])]
    assert yellow == list(range(len(top))) and set(top) == {int(i) for i in facts["top_neurons"]}
    top_sum, all_sum = round(float(push[top].sum()), 2), round(float(push.sum()), 2)
    assert note[0].text.endswith(f"+{top_sum:.2f}") and note[1].text.endswith(f"+{all_sum:.2f}")
    shown = percent(float(facts["top_share"]))
    assert percent(top_sum / all_sum) == shown and note[2].text.endswith(shown)
