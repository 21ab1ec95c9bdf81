"""Chapter 5's on-screen numbers: checked against a plain numpy forward pass, and pinned.

The second opinion is a transformer forward pass written out in numpy from the ``lm``
artifact's weights (no torch, no model code): it recomputes the next-word distributions,
every step of the sampled text, the vectors after each block, and the untrained model's
and the once-stepped model's distributions; the training-loss curve at the stored checkpoints,
on the very batches training drew; the held-out loss; and the bigram baseline, counted again
here from the stored corpus. Update the golden file on purpose with
``python -m pytest tests/test_chapter5_numbers.py --update-goldens``.
"""

from __future__ import annotations

import inspect
import math
from collections import Counter

import numpy as np
import pytest
import torch

from models.artifacts import derive_seed
from models.lm_story import GENERATION_PROMPT, ONE_STEP_LR
from models.tiny_gpt import TinyGPT, bigram_loss, load_lm
from tests.golden import check_golden
from tests.numpy_gpt import numpy_loss, numpy_trace

STEP0 = "step0__"


@pytest.fixture(scope="module")
def lm():
    from models.pipeline import ensure

    return ensure("lm")


@pytest.fixture(scope="module")
def weights(lm):
    return {k: np.asarray(v, dtype=np.float64) for k, v in lm.arrays("weights.npz").items() if k not in ("vocab", "config")}


@pytest.fixture(scope="module")
def step0(lm):
    ck = lm.arrays("checkpoints.npz")
    return {k[len(STEP0):]: np.asarray(v, dtype=np.float64) for k, v in ck.items() if k.startswith(STEP0)}


@pytest.fixture(scope="module")
def vocab(lang):
    return [str(w) for w in lang["vocab"]]


def _ids(vocab: list[str], text: str) -> list[int]:
    return [vocab.index(w) for w in text.split()]


# ----------------------------------------------------------------------------- second opinions


def test_next_word_distributions(lang, weights, vocab):
    for prompt, probs in zip(lang["prompts"], lang["prompt_probs"]):
        want = numpy_trace(weights, _ids(vocab, str(prompt)))["probs"]
        np.testing.assert_allclose(probs, want, atol=2e-6)


def test_generation_is_sampled_from_the_shown_distributions(lang, weights, step0, vocab):
    """Each step's distribution is the model's on the text so far, and replaying the seeded
    draws on the numpy distributions writes the same words, for the trained and untrained model."""
    ids, dists = [int(i) for i in lang["generation"]], lang["generation_probs"]
    n_prompt = len(ids) - len(dists)
    assert " ".join(vocab[i] for i in ids[:n_prompt]) == GENERATION_PROMPT == str(lang["generation_prompt"])
    for model, shown in ((weights, ids), (step0, [int(i) for i in lang["untrained_generation"]])):
        g = torch.Generator().manual_seed(derive_seed("chapter5", "generation"))
        text = shown[:n_prompt]
        for s in range(len(dists)):
            p = numpy_trace(model, text)["probs"]
            if model is weights:
                np.testing.assert_allclose(dists[s], p, atol=2e-6)
            text.append(int(torch.multinomial(torch.from_numpy(p), 1, generator=g)))
        assert text == shown


def test_one_training_step(lang, lm, step0, vocab):
    """The untrained model's distribution, and after one plain SGD step (torch's optimiser, not
    the analysis code) on the true next word, recomputed in numpy."""
    words = str(lang["one_step_sentence"]).split()
    prefix, target = _ids(vocab, " ".join(words[:-1])), vocab.index(words[-1])
    before = numpy_trace(step0, prefix)["probs"]
    model, _ = load_lm(lm.arrays("weights.npz"))
    untrained = TinyGPT(model.config)
    untrained.load_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in step0.items()})
    opt = torch.optim.SGD(untrained.parameters(), lr=ONE_STEP_LR)
    logits, _ = untrained(torch.tensor([prefix]))
    torch.nn.functional.cross_entropy(logits[0, -1:], torch.tensor([target])).backward()
    opt.step()
    stepped = {k: v.detach().numpy().astype(np.float64) for k, v in untrained.state_dict().items()}
    after = numpy_trace(stepped, prefix)["probs"]
    np.testing.assert_allclose(lang["one_step_dists"], [before, after], atol=2e-6)
    np.testing.assert_allclose(lang["one_step_probs"], [before[target], after[target]], atol=2e-6)
    # what the narration says: the untrained model is guessing; one step makes the true word its top guess
    assert before.max() < 2 / len(vocab) and int((before > before[target]).sum()) + 1 > 100
    assert int(np.argmax(after)) == target


def test_vectors_after_each_block(lang, weights, vocab):
    t = numpy_trace(weights, _ids(vocab, str(lang["flow_prompt"])))
    stages, probs = t["stages"], t["probs"]
    np.testing.assert_allclose(lang["flow_stream"], np.stack(stages), atol=2e-5)
    np.testing.assert_allclose(lang["flow_probs"], probs, atol=2e-6)
    assert [str(s) for s in lang["flow_stages"]] == ["embedding", "attention 1", "MLP 1", "attention 2", "MLP 2"]
    i = [str(p) for p in lang["prompts"]].index(str(lang["flow_prompt"]))  # the same prompt as the first scene's
    np.testing.assert_allclose(lang["flow_probs"], lang["prompt_probs"][i], atol=1e-6)


def test_dials_and_counts(lm, lang, weights):
    from scenes.chapter5 import DIAL_COLS, DIAL_MATRIX, DIAL_ROWS, dial_values, model_config

    steps, values = dial_values()
    assert steps == list(range(0, 3001, 500))
    # the last checkpoint is the trained model; the first is GPT-2's small random start
    np.testing.assert_array_equal(values[-1], weights[DIAL_MATRIX][:DIAL_ROWS, :DIAL_COLS].astype(np.float32))
    assert np.abs(values[0]).max() < 0.1 < np.abs(values[-1]).max()
    assert int(lang["n_params"]) == int(lang["param_counts"].sum()) == sum(v.size for v in weights.values())
    assert model_config() == {"vocab": 225, "block": 24, "n_layer": 2, "n_head": 4, "n_embd": 64}


def _split_streams(lm, vocab: list[str]) -> tuple[list[str], list[str], list[int], list[int]]:
    """The stored corpus split as training split it (the first share of the sentences trains, the
    rest is held out), and each part as one stream of word ids."""
    sentences = [str(x) for x in lm.arrays("corpus.npz")["sentences"]]
    n = int(len(sentences) * (1 - float(lm.config["train"]["held_out"])))
    index = {w: i for i, w in enumerate(vocab)}
    streams = [[index[w] for s in part for w in s.split()] for part in (sentences[:n], sentences[n:])]
    return sentences[:n], sentences[n:], streams[0], streams[1]


def test_bigram_loss_counted_again(lm, vocab):
    """The dashed line: an add-alpha bigram model (the stage's alpha), its counts taken here from the
    stored training sentences, scored on the held-out stream by cross-entropy (natural log)."""
    alpha = inspect.signature(bigram_loss).parameters["alpha"].default
    _, _, train, test = _split_streams(lm, vocab)
    pairs = Counter(zip(train[:-1], train[1:]))
    firsts = Counter(train[:-1])
    V = len(vocab)
    nll = [-math.log((pairs[(a, b)] + alpha) / (firsts[a] + alpha * V)) for a, b in zip(test[:-1], test[1:])]
    assert float(lm.metrics["bigram_loss"]) == pytest.approx(sum(nll) / len(nll), rel=1e-9)


def test_held_out_loss_by_numpy_forward(lm, weights, vocab):
    """The curve's end point: the trained weights' mean cross-entropy on the held-out text, cut into
    consecutive windows of the context length, by the numpy forward pass."""
    _, _, _, test = _split_streams(lm, vocab)
    T = int(lm.arrays("weights.npz")["config"][1])
    starts = range(0, len(test) - T - 1, T)
    xs = [test[i : i + T] for i in starts]
    ys = [test[i + 1 : i + T + 1] for i in starts]
    assert float(lm.metrics["held_out_loss"]) == pytest.approx(numpy_loss(weights, xs, ys), rel=1e-4)


def test_loss_curve_at_the_checkpoints_by_numpy_forward(lm, vocab):
    """Each point of the curve is the loss on that step's batch before the step: where a checkpoint
    was stored (every ``checkpoint_every`` steps) the point is recomputed from the checkpoint's
    weights by the numpy forward pass, on the batch drawn again from training's seeded generator."""
    cfg = lm.config["train"]
    losses = lm.arrays("training.npz")["loss_every_50_steps"]
    every = cfg["steps"] // len(losses)
    T = int(lm.arrays("weights.npz")["config"][1])
    _, _, train, _ = _split_streams(lm, vocab)
    data = np.asarray(train)
    ck = lm.arrays("checkpoints.npz")
    order = torch.Generator().manual_seed(derive_seed(cfg["seed"], "lm", "batches"))
    checked = []
    for step in range(cfg["steps"]):
        ix = torch.randint(len(data) - T - 1, (cfg["batch_size"],), generator=order).numpy()
        if step % cfg["checkpoint_every"] or step % every:
            continue
        prefix = f"step{step}__"
        w = {k[len(prefix):]: v for k, v in ck.items() if k.startswith(prefix)}
        xs, ys = [data[i : i + T] for i in ix], [data[i + 1 : i + T + 1] for i in ix]
        assert float(losses[step // every]) == pytest.approx(numpy_loss(w, xs, ys), rel=1e-4), step
        checked.append(step)
    assert checked == list(range(0, cfg["steps"], cfg["checkpoint_every"]))


def test_loss_curve_claims(lm):
    losses = lm.arrays("training.npz")["loss_every_50_steps"]
    assert len(losses) * 50 == lm.config["train"]["steps"]
    assert abs(losses[0] - np.log(225)) < 0.05  # "the loss of guessing evenly among all 225 words"
    assert lm.metrics["held_out_loss"] < 0.6 * lm.metrics["bigram_loss"]  # "far below"


# ----------------------------------------------------------------------------- the one-film beats' arrays


def _softmax_rows(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_three_seeds_are_sampled_from_the_numpy_distributions(lang, weights, vocab):
    """The two more texts: each seed's draws, replayed on the numpy distributions, write the shown
    words; the seeds are the first ones (counting from "seed 2") whose texts differ early."""
    from models.lm_chapter5 import DIFFER_WITHIN, SEED_WORDS

    names = [str(n) for n in lang["c5_seed_names"]]
    texts = [[int(i) for i in lang["generation"]][: 2 + SEED_WORDS]]
    for name, shown in zip(names, lang["c5_seed_generations"]):
        g = torch.Generator().manual_seed(derive_seed("chapter5", name))
        text = _ids(vocab, GENERATION_PROMPT)
        for _ in range(SEED_WORDS):
            p = numpy_trace(weights, text)["probs"]
            text.append(int(torch.multinomial(torch.from_numpy(p), 1, generator=g)))
        assert text == [int(i) for i in shown]
        assert all(text[:DIFFER_WITHIN] != t[:DIFFER_WITHIN] for t in texts)
        texts.append(text)
    assert names[-1] == f"seed {int(lang['c5_seed_tried']) + 1}"
    first = {t[2] for t in texts}
    assert len(first) == 3, "the three texts differ from their first drawn word (what the scene marks)"


def test_tickets_explain_both_texts(lang, weights, step0, vocab):
    """The tickets are the exponential numbers the seeded generator hands out, one per word and
    draw; the word with the largest probability / ticket is the one drawn, for both models (numpy
    distributions). The words both texts share are those with the luckiest (smallest) ticket."""
    tickets = lang["c5_tickets"]
    g = torch.Generator().manual_seed(derive_seed("chapter5", "generation"))
    want = np.stack([torch.empty(len(vocab), dtype=torch.float64).exponential_(1, generator=g).numpy()
                     for _ in range(len(tickets))])
    np.testing.assert_array_equal(tickets, want)
    n_prompt = len(lang["generation"]) - len(lang["generation_probs"])
    trained, untrained = [int(i) for i in lang["generation"]], [int(i) for i in lang["untrained_generation"]]
    for model, shown in ((weights, trained), (step0, untrained)):
        for s in range(len(tickets)):
            p = numpy_trace(model, shown[: n_prompt + s])["probs"]
            assert int(np.argmax(p / tickets[s])) == shown[n_prompt + s]
    shared = [j for j in range(n_prompt, len(trained)) if trained[j] == untrained[j]]
    assert shared, "the scene explains shared words"
    for j in shared:
        assert int(np.argmin(tickets[j - n_prompt])) == trained[j]


def test_the_yellow_words_are_those_the_smallest_ticket_drew(lang, vocab):
    """Where it is drawn: the words Chapter 5 turns yellow in each text, read from the scene's screen
    transcript, are the draws (counted from 1) whose word holds that draw's smallest ticket."""
    import re

    from scenes.chapter5 import ParametersAsDials
    from tests.scene_runs import run_scene

    text = run_scene(ParametersAsDials).scene.transcript.text()
    drawn = re.findall(r"its yellow words, drawn by the smallest ticket: given by the scene \(([^)]*)\)", text)
    tickets = lang["c5_tickets"]
    n_prompt = len(lang["generation"]) - len(lang["generation_probs"])
    want = []
    for ids in (lang["untrained_generation"], lang["generation"]):
        smallest = tickets.argmin(axis=1)
        want.append(", ".join(f"{s + 1}:{vocab[int(smallest[s])]}" for s in range(len(tickets))
                              if int(ids[n_prompt + s]) == int(smallest[s])))
    assert drawn == want


def test_every_position_of_the_sentence(lang, weights, step0, vocab):
    """One pass over the training sentence: the true next word's probability at every position,
    from the numpy logits at every position; the loss is their mean surprise."""
    from models.lm_chapter5 import POSITION_SENTENCE

    sentences = [str(x) for x in ensure_lm().arrays("corpus.npz")["sentences"]]
    assert POSITION_SENTENCE in sentences and str(lang["c5_position_sentence"]) == POSITION_SENTENCE
    ids = _ids(vocab, POSITION_SENTENCE)
    losses = []
    for name, w in (("trained", weights), ("untrained", step0)):
        probs = _softmax_rows(numpy_trace(w, ids)["logits"])
        true = probs[np.arange(len(ids) - 1), ids[1:]]
        np.testing.assert_allclose(lang[f"c5_position_{name}"], true, atol=2e-6)
        np.testing.assert_array_equal(lang[f"c5_position_{name}_top"], probs[:-1].argmax(axis=1))
        losses.append(-np.log(true).mean())
    np.testing.assert_allclose(lang["c5_position_loss"], losses, rtol=1e-5)
    # what the narration says: only "she" surprises the trained model (it is as likely as "he")
    p = lang["c5_position_trained"]
    she = POSITION_SENTENCE.split().index("she") - 1
    assert int(np.argmin(p)) == she and p[she] < 0.5 and np.delete(p, she).min() > 0.9
    assert {"he wore", "she wore"} <= {" ".join(s.split()[6:8]) for s in sentences if s.startswith("it was a cold day")}


def ensure_lm():
    from models.pipeline import ensure

    return ensure("lm")


# ----------------------------------------------------------------------------- golden


def _top(probs, vocab, k):
    ids = np.argsort(-probs, kind="stable")[:k]
    return [vocab[i] for i in ids], probs[ids]


def test_chapter5_golden(lm, lang, vocab, update_goldens):
    """Every model number Chapter 5 puts on screen, pinned."""
    from scenes.chapter5 import FLOW_SHOWN, dial_values

    values: dict = {}
    for i, probs in enumerate(lang["prompt_probs"]):
        values[f"prompt{i}_top5"], values[f"prompt{i}_top5_probs"] = _top(probs, vocab, 5)
    ids, dists = lang["generation"], lang["generation_probs"]
    n_prompt = len(ids) - len(dists)
    values["generation"] = [vocab[i] for i in ids]
    values["untrained_generation"] = [vocab[i] for i in lang["untrained_generation"]]
    values["generation_top4"] = [_top(p, vocab, 4)[0] for p in dists]
    values["generation_top4_probs"] = [_top(p, vocab, 4)[1] for p in dists]
    values["generation_drawn_probs"] = [float(p[ids[n_prompt + s]]) for s, p in enumerate(dists)]
    steps, dials = dial_values()
    values["dial_steps"], values["dials"] = steps, dials
    values["n_params"] = int(lang["n_params"])
    before, after = lang["one_step_dists"]
    target = vocab.index(str(lang["one_step_sentence"]).split()[-1])
    shown_words, _ = _top(before, vocab, 4)
    shown = [vocab.index(w) for w in shown_words] + [target]
    values["one_step_words"] = [vocab[i] for i in shown]
    values["one_step_before"], values["one_step_after"] = before[shown], after[shown]
    values["one_step_ranks"] = [int((before > before[target]).sum()) + 1, int((after > after[target]).sum()) + 1]
    values["loss_every_50_steps"] = lm.arrays("training.npz")["loss_every_50_steps"]
    values["held_out_loss"], values["bigram_loss"] = lm.metrics["held_out_loss"], lm.metrics["bigram_loss"]
    values["train"] = [lm.config["train"]["batch_size"], lm.config["train"]["steps"]]
    values["flow_stream"] = lang["flow_stream"]
    values["flow_last_word_shown"] = lang["flow_stream"][:, -1, :FLOW_SHOWN]
    values["flow_top3"], values["flow_top3_probs"] = _top(lang["flow_probs"], vocab, 3)
    values["seed_generations"] = [[vocab[i] for i in g] for g in lang["c5_seed_generations"]]
    values["seed_names"] = [str(n) for n in lang["c5_seed_names"]]
    values["seed_first_probs"] = [float(lang["generation_probs"][0][int(g[2])]) for g in lang["c5_seed_generations"]]
    values["tickets_drawn"] = [float(t[w]) for t, w in zip(lang["c5_tickets"], ids[n_prompt:])]
    values["tickets_min"] = lang["c5_tickets"].min(axis=1)
    values["position_sentence"] = str(lang["c5_position_sentence"])
    values["position_trained"], values["position_untrained"] = lang["c5_position_trained"], lang["c5_position_untrained"]
    values["position_loss"] = lang["c5_position_loss"]
    check_golden("chapter5", values, update_goldens, rel=1e-3, abs_tol=1e-5)


@pytest.mark.parametrize("p,text", [(0.9986, "99.9%"), (0.99973, "99.97%"), (0.99996, ">99.99%"), (1.0, "100%"),
                                    (0.9936, "99%")])
def test_near_certain_is_not_shown_as_certain(p, text):
    """The generation's steps are often 99.9% sure: on screen that must not read "100%"."""
    from scenes.lm_pieces import percent

    assert percent(p) == text
