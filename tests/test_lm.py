"""The tiny language model: hand-written attention, trace, reproducibility, and its four targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from models.corpus import ATHLETES, CorpusConfig, generate_corpus
from models.lm_story import ANALOGIES, SHOWN_SENTENCE, adjective_head, analogy, fact_answers
from models.tiny_gpt import (
    CausalSelfAttention,
    LMConfig,
    TrainLMConfig,
    UnknownWords,
    Vocab,
    bigram_loss,
    load_lm,
    lm_arrays,
    train_lm,
)
from tests.golden import check_golden
from tests.numpy_gpt import numpy_trace


@pytest.fixture(scope="module")
def lm():
    from models.pipeline import ensure

    art = ensure("lm")
    model, vocab = load_lm(art.arrays("weights.npz"))
    return art, model, vocab


@pytest.mark.parametrize("seed", [0, 1])
def test_hand_attention_matches_fused_attention(seed):
    torch.manual_seed(seed)
    config = LMConfig(vocab_size=10, block_size=12, n_layer=1, n_head=4, n_embd=32)
    attn = CausalSelfAttention(config)
    x = torch.randn(3, 12, 32)
    trace: dict = {}
    out = attn(x, trace)
    q, k, v = attn.c_attn(x).split(32, dim=2)
    q, k, v = (t.view(3, 12, 4, 8).transpose(1, 2) for t in (q, k, v))
    fused = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(trace["heads"].detach().numpy(), fused.detach().numpy(), atol=1e-6)
    y = attn.c_proj(fused.transpose(1, 2).reshape(3, 12, 32))
    np.testing.assert_allclose(out.detach().numpy(), y.detach().numpy(), atol=1e-6)
    # the pattern is causal and each row sums to 1
    pattern = trace["pattern"].detach().numpy()
    assert np.allclose(np.triu(pattern, k=1), 0) and np.allclose(pattern.sum(-1), 1, atol=1e-6)


def test_trace_logits_equal_forward(lm):
    _, model, vocab = lm
    ids = torch.tensor([vocab.encode(SHOWN_SENTENCE)])
    trace = model.trace(ids)
    logits, _ = model(ids)
    np.testing.assert_array_equal(trace["logits"].numpy(), logits.detach().numpy())
    layer = trace["layers"][0]
    T = ids.shape[1]
    assert layer["pattern"].shape == (1, 4, T, T) and layer["mlp_pre"].shape == (1, T, 256)
    np.testing.assert_allclose(layer["resid_post"].numpy(), trace["layers"][1]["resid_pre"].numpy())


def test_same_seed_same_model():
    corpus = generate_corpus(CorpusConfig(n_everyday=200, n_adjectives=200, fact_repeats=2, pair_repeats=2))
    cfg = TrainLMConfig(steps=20, batch_size=8, checkpoint_every=10)
    one, two = train_lm(corpus, LMConfig(), cfg), train_lm(corpus, LMConfig(), cfg)
    for (k, a), b in zip(one.model.state_dict().items(), two.model.state_dict().values()):
        assert torch.equal(a, b), k
    assert one.held_out_loss == two.held_out_loss
    assert generate_corpus(CorpusConfig()).sentences == generate_corpus(CorpusConfig()).sentences


# torch sends these to MKL's vector maths, whose last bit depends on the CPU's vendor (models/__init__.py)
VENDOR_DEPENDENT = ("sqrt", "exp", "log", "tanh", "erf", "rsqrt")


def test_training_avoids_vendor_dependent_maths(monkeypatch):
    """Trained weights must be the same on an Intel and an AMD machine: no step of training may
    pass a tensor through MKL's vector maths (an unfused Adam's ``exp_avg_sq.sqrt()`` did)."""
    from models.superposition import _near_perpendicular

    def refuse(name):
        def call(*args, **kwargs):
            raise AssertionError(f"training called torch's {name}, whose result depends on the CPU's vendor")
        return call

    for name in VENDOR_DEPENDENT:
        monkeypatch.setattr(torch.Tensor, name, refuse(f"Tensor.{name}"))
        monkeypatch.setattr(torch.Tensor, f"{name}_", refuse(f"Tensor.{name}_"))
        monkeypatch.setattr(torch, name, refuse(f"torch.{name}"))
        for foreach in (f"_foreach_{name}", f"_foreach_{name}_"):
            if hasattr(torch, foreach):
                monkeypatch.setattr(torch, foreach, refuse(f"torch.{foreach}"))
    corpus = generate_corpus(CorpusConfig(n_everyday=200, n_adjectives=200, fact_repeats=2, pair_repeats=2))
    result = train_lm(corpus, LMConfig(), TrainLMConfig(steps=5, batch_size=8, checkpoint_every=5))
    assert np.isfinite(result.held_out_loss)
    _, _, unit = _near_perpendicular(6, 3, 0.5, steps=20)
    assert unit.shape == (6, 3)


def test_empty_or_tiny_corpus_is_refused():
    empty = generate_corpus(CorpusConfig(n_everyday=0, n_adjectives=0, fact_repeats=0, pair_repeats=0))
    with pytest.raises(ValueError, match="corpus is empty"):
        train_lm(empty)
    tiny = generate_corpus(CorpusConfig(n_everyday=3, n_adjectives=0, fact_repeats=0, pair_repeats=0))
    with pytest.raises(ValueError, match="too small"):
        train_lm(tiny)


def test_unknown_words_are_named(lm):
    _, model, vocab = lm
    with pytest.raises(UnknownWords, match="zebra, quux"):
        model.next_words(vocab, "the zebra quux zebra")


def test_wrong_shaped_weights_are_refused(lm):
    _, model, vocab = lm
    arrays = lm_arrays(model, vocab)
    arrays["lm_head.weight"] = arrays["lm_head.weight"][:, :10]
    with pytest.raises(ValueError, match="lm_head.weight"):
        load_lm(arrays)


def test_bigram_baseline_by_hand():
    vocab = Vocab(["a", "b", "."])
    # train: a b . a b . ; test: a b  -> P(b|a) = (2 + 0.1) / (2 + 0.3)
    loss = bigram_loss(["a b .", "a b ."], ["a b"], vocab)
    assert loss == pytest.approx(-np.log(2.1 / 2.3))


def test_target_every_fact_is_answered(lm):
    _, model, vocab = lm
    answers = fact_answers(model, vocab)
    assert len(answers) == len(ATHLETES)
    wrong = {name: a for name, a in answers.items() if a[0] != a[2]}
    assert not wrong
    assert len({first for first, _, _ in ATHLETES}) < len(ATHLETES)  # shared first names: the last name decides


def test_target_a_head_links_the_noun_to_its_adjectives(lm):
    _, model, vocab = lm
    layer, head, weight = adjective_head(model, vocab)
    assert weight > 0.5, f"best head puts only {weight:.2f} on the adjectives"
    # the same head does it in another sentence of the same family
    other = "a tiny red dragon crossed the dark river . the dragon was"
    pattern = model.trace(torch.tensor([vocab.encode(other)]))["layers"][layer]["pattern"][0, head, -1]
    assert float(pattern[1] + pattern[2]) > 0.5


def test_target_analogies(lm):
    _, model, vocab = lm
    held = [d for a, b, c, d in ANALOGIES if analogy(model, vocab, a, b, c, k=1)[0][0] == d]
    assert "queen" in held and len(held) >= 3, held


def test_target_beats_the_bigram_baseline(lm):
    art, _, _ = lm
    m = art.metrics
    assert m["held_out_loss"] < 0.8 * m["bigram_loss"], (m["held_out_loss"], m["bigram_loss"])


def test_lm_golden(lm, update_goldens):
    art, model, vocab = lm
    answers = fact_answers(model, vocab)
    layer, head, weight = adjective_head(model, vocab)
    values = {
        "held_out_loss": art.metrics["held_out_loss"],
        "bigram_loss": art.metrics["bigram_loss"],
        "n_params": model.n_params(),
        "vocabulary": len(vocab),
        "fact_probabilities": [answers[f"{f} {l}"][1] for f, l, _ in ATHLETES],
        "adjective_head": [layer, head, weight],
        "analogies": [analogy(model, vocab, a, b, c, k=1)[0][0] for a, b, c, _ in ANALOGIES],
        "jordan_top5": [w for w, _ in model.next_words(vocab, "michael jordan plays", k=5)],
    }
    check_golden("lm", values, update_goldens, rel=1e-3)


@pytest.fixture(scope="module")
def story(lm):
    from models.pipeline import ensure

    return ensure("lm-story").arrays("language.npz")


def test_language_story_against_second_computations(lm, story):
    art, model, vocab = lm
    assert [str(w) for w in story["vocab"]] == vocab.itos
    # next-word distributions and temperatures are softmaxes of the real logits
    logits = story["temperature_logits"].astype(np.float64)
    for t, probs in zip(story["temperatures"], story["temperature_probs"]):
        want = np.exp(logits / t - (logits / t).max())
        np.testing.assert_allclose(probs, want / want.sum(), atol=1e-6)
    assert story["temperature_probs"][0].max() > story["temperature_probs"][1].max() > story["temperature_probs"][2].max()
    # each step's distribution shown is the model's on the text written so far (the numpy forward
    # pass on the artifact's weights), a distribution, and gives the word it drew its real chance
    ids = [int(i) for i in story["generation"]]
    n_prompt = len(ids) - len(story["generation_probs"])
    weights = art.arrays("weights.npz")
    for i, probs in enumerate(story["generation_probs"]):
        want = numpy_trace(weights, ids[: n_prompt + i])["probs"]
        assert probs.sum() == pytest.approx(1.0, abs=1e-6)
        np.testing.assert_allclose(probs, want, atol=2e-6)
        assert probs[ids[n_prompt + i]] == pytest.approx(want[ids[n_prompt + i]], rel=1e-4, abs=1e-9)
    # one step of training raised the true word's probability
    before, after = story["one_step_probs"]
    assert after > before
    # parameter counts per matrix add up
    assert story["param_counts"].sum() == model.n_params() == int(story["n_params"])
    # the head's change: its pattern times its values, through its slice of the output matrix
    layer, head = (int(x) for x in story["attention_layer_head"])
    hd = model.config.n_embd // model.config.n_head
    w_o = model.transformer.h[layer].attn.c_proj.weight.detach().numpy()[:, head * hd : (head + 1) * hd]
    np.testing.assert_allclose(story["head_change"], (story["head_pattern"] @ story["head_v"]) @ w_o.T, atol=1e-5)
    scores = story["head_q"] @ story["head_k"].T / np.sqrt(hd)
    np.testing.assert_allclose(story["head_scores"], scores, atol=1e-5)
    assert np.all(np.isneginf(story["head_masked"][np.triu_indices(len(scores), 1)]))
    np.testing.assert_allclose(story["all_patterns"][layer, head], story["head_pattern"])
    np.testing.assert_allclose(story["king_vector"], model.transformer.wte.weight.detach().numpy()[vocab.stoi["king"]])


def test_language_story_golden(story, update_goldens):
    vocab = story["vocab"]
    values = {
        "prompt_top3": [[str(vocab[i]) for i in np.argsort(-p)[:3]] for p in story["prompt_probs"]],
        "prompt_top3_probs": [np.sort(p)[::-1][:3] for p in story["prompt_probs"]],
        "generation": [str(vocab[i]) for i in story["generation"]],
        "untrained_generation": [str(vocab[i]) for i in story["untrained_generation"]],
        "one_step_probs": story["one_step_probs"],
        "embedding_shape": story["embedding_shape"],
        "analogy_neighbours": [[str(w) for w in row] for row in story["analogy_neighbours"]],
        "temperature_top": story["temperature_probs"].max(axis=1),
        "attention_layer_head": story["attention_layer_head"],
        "last_row_of_pattern": story["head_pattern"][-1],
        "param_counts": story["param_counts"],
    }
    check_golden("lm_story", values, update_goldens, rel=1e-3, abs_tol=1e-4)
