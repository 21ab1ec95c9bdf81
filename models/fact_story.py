"""Where the tiny language model keeps its facts: the numbers of Chapter 8's MLP beats.

Every element Chapter 8 shows is found by a rule, not picked by hand:

- the *fact site* is the (layer, position) of "FIRST LAST plays" whose MLP matters most for
  the facts: zeroing that MLP's output there lowers the true sport's probability the most,
  averaged over every athlete of the corpus;
- the *fact neurons* are the site's neurons that push the "basketball" logit up the most for
  "michael jordan plays": activation times the alignment of the neuron's down-projection
  column with the unembedding of "basketball" (through the final layer norm, the exact
  direct-path share of the logit);
- the *spread* is how the answer's probability falls as more of those neurons are silenced,
  strongest pushes first (one neuron is not where the fact lives);
- the *controls*: the same silencing at the end of sentences that are not facts (it breaks them
  too, so silencing alone does not show where a fact is kept), and mean-ablation, which replaces
  an MLP's output by its average over the athletes (what all facts share stays; only what tells
  one athlete from another goes);
- how "plays" learns who it is about: the site layer's attention from "plays" to each word, and
  the top neuron's pre-activation split by the word each part of it came from.

Example::

    story = fact_story(model, vocab)          # arrays for the MLP beat
    story["site"]                             # [layer, position], e.g. [0, 2]
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch

from models.corpus import CorpusConfig, athletes
from models.lm_story import DEFAULT_FACT
from models.tiny_gpt import TinyGPT, Vocab

__all__ = ["CONTROL_PROMPTS", "FACT_ANSWER", "FACT_PROMPT", "control", "fact_site", "fact_story", "logit_parts",
           "mean_ablation", "pre_activation_parts"]

FACT_PROMPT, FACT_ANSWER = DEFAULT_FACT  # the fact followed on the corpus alone
TOP_NEURONS = 5
# Sentences of the corpus that are not facts, cut before a word the model predicts: the control
# for silencing the site's MLP (the target is the model's own top next word).
CONTROL_PROMPTS = (
    "the sun rises in the",
    "she made eggs for",
    "it was a cold day so he wore a warm",
    "the king wore a golden crown in the",
    "the man read the newspaper on the",
    "the boy climbed a tree in the",
    "the father tucked his children into",
    "the queen sat on the throne and she gave",
)


def _athlete_prompts(corpus: CorpusConfig = CorpusConfig()) -> list[tuple[str, str]]:
    return [(f"{first} {last} plays", sport) for first, last, sport in athletes(corpus)]


@contextmanager
def _zeroed(model: TinyGPT, layer: int, position: int, neurons: list[int] | None = None) -> Iterator[None]:
    """Inside the block, the MLP of ``layer`` adds nothing at ``position`` (or, given ``neurons``,
    those neurons are silenced there)."""
    mlp = model.transformer.h[layer].mlp
    if neurons is None:
        def hook(_module, _inputs, out):
            out = out.clone()
            out[:, position] = 0.0
            return out
        handle = mlp.register_forward_hook(hook)
    else:
        def pre_hook(_module, inputs):
            post = inputs[0].clone()  # (B, T, 4C): the activations the down-projection reads
            post[:, position, neurons] = 0.0
            return (post,)
        handle = mlp.c_proj.register_forward_pre_hook(pre_hook)
    try:
        yield
    finally:
        handle.remove()


@contextmanager
def _replaced(model: TinyGPT, layer: int, position: int, value: torch.Tensor) -> Iterator[None]:
    """Inside the block, the MLP of ``layer`` adds ``value`` at ``position`` (mean-ablation)."""
    def hook(_module, _inputs, out):
        out = out.clone()
        out[:, position] = value
        return out
    handle = model.transformer.h[layer].mlp.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@torch.no_grad()
def _prob(model: TinyGPT, vocab: Vocab, prompt: str, word: str) -> float:
    logits, _ = model(torch.tensor([vocab.encode(prompt)]))
    return float(torch.softmax(logits[0, -1], -1)[vocab.stoi[word]])


@torch.no_grad()
def _logit(model: TinyGPT, vocab: Vocab, prompt: str, word: str) -> float:
    """The score (logit) of ``word`` after ``prompt``, before the softmax."""
    logits, _ = model(torch.tensor([vocab.encode(prompt)]))
    return float(logits[0, -1, vocab.stoi[word]])


@torch.no_grad()
def fact_site(model: TinyGPT, vocab: Vocab, corpus: CorpusConfig = CorpusConfig()) -> tuple[np.ndarray, int, int]:
    """(drops, layer, position): ``drops[l, p]`` is the mean fall of the true sport's probability,
    over all athletes, when layer ``l``'s MLP adds nothing at position ``p`` of "FIRST LAST plays";
    the site is the largest."""
    prompts = _athlete_prompts(corpus)
    base = np.array([_prob(model, vocab, p, s) for p, s in prompts])
    drops = np.zeros((model.config.n_layer, 3))
    for layer in range(model.config.n_layer):
        for pos in range(3):
            with _zeroed(model, layer, pos):
                drops[layer, pos] = np.mean(base - [_prob(model, vocab, p, s) for p, s in prompts])
    layer, pos = np.unravel_index(int(np.argmax(drops)), drops.shape)
    return drops, int(layer), int(pos)


@torch.no_grad()
def mean_ablation(model: TinyGPT, vocab: Vocab, corpus: CorpusConfig = CorpusConfig()) -> tuple[np.ndarray, np.ndarray]:
    """(drops, probs): ``drops[l, p]`` is the mean fall of the true sport's probability when layer
    ``l``'s MLP output at position ``p`` is replaced by its mean over all athletes' prompts;
    ``probs[l, p, i]`` athlete ``i``'s true-sport probability then."""
    prompts = _athlete_prompts(corpus)
    traces = [model.trace(torch.tensor([vocab.encode(p)]))["layers"] for p, _ in prompts]
    base = np.array([_prob(model, vocab, p, s) for p, s in prompts])
    drops = np.zeros((model.config.n_layer, 3))
    probs = np.zeros((model.config.n_layer, 3, len(prompts)))
    for layer in range(model.config.n_layer):
        for pos in range(3):
            mean = torch.stack([t[layer]["mlp_out"][0, pos] for t in traces]).mean(0)  # (C,)
            with _replaced(model, layer, pos, mean):
                probs[layer, pos] = [_prob(model, vocab, p, s) for p, s in prompts]
            drops[layer, pos] = np.mean(base - probs[layer, pos])
    return drops, probs


@torch.no_grad()
def control(model: TinyGPT, vocab: Vocab, layer: int) -> dict[str, np.ndarray]:
    """The same silencing on sentences that are not facts: for each of ``CONTROL_PROMPTS``, the
    model's top next word and its probability before and after layer ``layer``'s MLP adds
    nothing at the last word."""
    words, before, after = [], [], []
    for prompt in CONTROL_PROMPTS:
        word, p = model.next_words(vocab, prompt, k=1)[0]
        with _zeroed(model, layer, len(prompt.split()) - 1):
            q = _prob(model, vocab, prompt, word)
        words.append(word)
        before.append(p)
        after.append(q)
    return {"control_prompts": np.asarray(CONTROL_PROMPTS), "control_words": np.asarray(words),
            "control_probs": np.asarray([before, after])}  # (2, prompts): before, after


@torch.no_grad()
def pre_activation_parts(model: TinyGPT, vocab: Vocab, prompt: str, layer: int, pos: int,
                         neuron: int) -> np.ndarray:
    """``neuron``'s pre-activation z at ``pos`` split by where its input came from: what the
    layer's attention brought from each word (one part per word, the word at ``pos`` taking its
    own vector with it), the MLP norm's bias, and the neuron's bias. The norm's scale is that of
    the whole vector, so the parts add up to z exactly."""
    block = model.transformer.h[layer]
    t = model.trace(torch.tensor([vocab.encode(prompt)]))["layers"][layer]
    C = model.config.n_embd
    hd = C // model.config.n_head
    pattern = t["pattern"][0].double().numpy()  # (nh, T, T)
    v = t["v"][0].double().numpy()  # (nh, T, hd)
    w_o = block.attn.c_proj.weight.detach().double().numpy()  # (C, C)
    sources = []
    for s in range(pos + 1):
        sources.append(sum(pattern[h, pos, s] * v[h, s] @ w_o[:, h * hd:(h + 1) * hd].T
                           for h in range(model.config.n_head)))
    sources[pos] = sources[pos] + t["resid_pre"][0, pos].double().numpy() + block.attn.c_proj.bias.detach().double().numpy()
    x = t["resid_mid"][0, pos].double().numpy()
    sigma = math.sqrt(float(np.var(x)) + block.ln_2.eps)
    gamma, beta = (block.ln_2.weight.detach().double().numpy(), block.ln_2.bias.detach().double().numpy())
    w = block.mlp.c_fc.weight.detach().double().numpy()[neuron]
    parts = [float(w @ (gamma * _centre(c))) / sigma for c in sources]
    return np.asarray(parts + [float(w @ beta), float(block.mlp.c_fc.bias[neuron])])


def _answer_direction(model: TinyGPT, vocab: Vocab, word: str) -> tuple[np.ndarray, float]:
    """(u, offset): the final layer norm and unembedding as one linear read-out of ``word``'s
    logit, ``logit = u · centre(x) / sigma + offset``."""
    gamma = model.transformer.ln_f.weight.detach().double().numpy()
    beta = model.transformer.ln_f.bias.detach().double().numpy()
    w_u = model.lm_head.weight.detach().double().numpy()[vocab.stoi[word]]
    return gamma * w_u, float(beta @ w_u)


def _centre(v: np.ndarray) -> np.ndarray:
    return v - v.mean(axis=0, keepdims=True)


@torch.no_grad()
def logit_parts(model: TinyGPT, vocab: Vocab, prompt: str, word: str) -> tuple[list[str], np.ndarray, float]:
    """The logit of ``word`` after ``prompt`` split over what the residual stream is the sum of:
    the embedding, each attention and each MLP output (at the last position), and the final
    norm's bias. Returns (names, parts, sigma); the parts add up to the logit."""
    trace = model.trace(torch.tensor([vocab.encode(prompt)]))
    x = trace["layers"][-1]["resid_post"][0, -1].double().numpy()
    sigma = math.sqrt(float(np.var(x)) + model.transformer.ln_f.eps)
    u, offset = _answer_direction(model, vocab, word)
    names, vectors = ["embedding"], [trace["embedding"][0, -1]]
    for l, t in enumerate(trace["layers"]):
        attn = t["resid_mid"][0, -1] - t["resid_pre"][0, -1]
        names += [f"attention {l}", f"MLP {l}"]
        vectors += [attn, t["mlp_out"][0, -1]]
    parts = [float(u @ _centre(v.double().numpy())) / sigma for v in vectors]
    return names + ["final norm bias"], np.asarray(parts + [offset]), sigma


@torch.no_grad()
def fact_story(model: TinyGPT, vocab: Vocab, corpus: CorpusConfig = CorpusConfig()) -> dict[str, np.ndarray]:
    """Arrays for Chapter 8's fact beats: the site, its MLP step by step on the featured fact's
    prompt (:func:`models.lm_story.featured_fact`), the neurons that push its answer most, their
    activations for every athlete, and ablations."""
    from models.lm_story import featured_fact

    prompt, answer, note = featured_fact(model, vocab, corpus)
    drops, layer, pos = fact_site(model, vocab, corpus)
    words = prompt.split()
    trace = model.trace(torch.tensor([vocab.encode(prompt)]))
    t = trace["layers"][layer]
    mlp = model.transformer.h[layer].mlp
    w_down = mlp.c_proj.weight.detach().double().numpy()  # (C, 4C): column i is neuron i's output
    out: dict[str, np.ndarray] = {
        "prompt": np.asarray(words),
        "answer": np.asarray(answer),
        "note": np.asarray(note),  # why the chapter follows this fact, when not the facts file's
        "answer_prob": np.asarray(_prob(model, vocab, prompt, answer)),
        "top_words": np.asarray([w for w, _ in model.next_words(vocab, prompt, k=5)]),
        "top_probs": np.asarray([p for _, p in model.next_words(vocab, prompt, k=5)]),
        "site_drops": drops,
        "site": np.asarray([layer, pos]),
        # The MLP at the site, step by step
        "resid_in": t["resid_mid"][0, pos].numpy(),  # the vector before the MLP
        "mlp_in": t["mlp_in"][0, pos].numpy(),  # after the layer norm
        "up_weight": mlp.c_fc.weight.detach().numpy(),  # (4C, C)
        "up_bias": mlp.c_fc.bias.detach().numpy(),
        "mlp_pre": t["mlp_pre"][0, pos].numpy(),  # up-projection plus bias
        "mlp_post": t["mlp_post"][0, pos].numpy(),  # after the GELU
        "down_weight": w_down.astype(np.float32),
        "down_bias": mlp.c_proj.bias.detach().numpy(),
        "mlp_out": t["mlp_out"][0, pos].numpy(),  # what the MLP adds to the vector
        "resid_out": t["resid_post"][0, pos].numpy(),
    }
    # How each neuron pushes the answer's logit (direct path through the final norm)
    names, parts, sigma = logit_parts(model, vocab, prompt, answer)
    u, _ = _answer_direction(model, vocab, answer)
    alignment = (u @ _centre(w_down)) / sigma  # (4C,): logit change per unit of activation
    push = out["mlp_post"].astype(np.float64) * alignment
    top = np.argsort(-push)[:TOP_NEURONS]
    w_u = model.lm_head.weight.detach().double().numpy()[vocab.stoi[answer]]
    cosine = (w_down.T @ w_u) / (np.linalg.norm(w_down, axis=0) * np.linalg.norm(w_u))
    out.update({
        "logit_part_names": np.asarray(names),
        "logit_parts": parts,
        "neuron_alignment": alignment,
        "neuron_push": push,
        "neuron_cosine": cosine,
        "top_neurons": top,
        "top_share": np.asarray(push[top].sum() / push.sum()),
    })
    # The top neurons for every athlete, at the same site
    everyone = athletes(corpus)
    acts = []
    for p, _ in _athlete_prompts(corpus):
        tt = model.trace(torch.tensor([vocab.encode(p)]))["layers"][layer]
        acts.append(tt["mlp_post"][0, pos, top].numpy())
    out.update({"athletes": np.asarray([f"{first} {last}" for first, last, _ in everyone]),
                "sports": np.asarray([s for _, _, s in everyone]),
                "athlete_activations": np.stack(acts)})  # (athletes, TOP_NEURONS)
    # Ablations: the answer's probability without the whole MLP, and without the top neurons only
    with _zeroed(model, layer, pos):
        without_mlp = _prob(model, vocab, prompt, answer)
    with _zeroed(model, layer, pos, [int(i) for i in top]):
        without_top = _prob(model, vocab, prompt, answer)
    out["ablation_probs"] = np.asarray([float(out["answer_prob"]), without_mlp, without_top])
    out.update(_spread(model, vocab, prompt, answer, layer, pos, push))
    # The controls: the same silencing on sentences that are not facts; mean-ablation
    out.update(control(model, vocab, layer))
    mean_drops, mean_probs = mean_ablation(model, vocab, corpus)
    base = [_prob(model, vocab, p, sport) for p, sport in _athlete_prompts(corpus)]
    zeroed = []
    for p, sport in _athlete_prompts(corpus):
        with _zeroed(model, layer, pos):
            zeroed.append(_prob(model, vocab, p, sport))
    athlete_probs = np.asarray([base, zeroed, mean_probs[layer, pos]])  # (3, athletes): as is, silenced, mean-ablated
    out.update({"mean_drops": mean_drops, "athlete_probs": athlete_probs,
                "site_mean_probs": athlete_probs.mean(axis=1)})  # the athletes' mean of each
    # How "plays" learns who it is about: the site layer's attention from it, every head
    out["site_attention"] = t["pattern"][0, :, pos, : pos + 1].numpy()  # (n_head, pos + 1)
    # The top neuron's z split by the word each part came from, for the prompt and a namesake (an
    # athlete of the same first name; when there is none, the first athlete of another sport)
    first = words[0]
    others = [(a, b, s) for a, b, s in everyone if f"{a} {b} plays" != prompt]
    a, b, _ = next((o for o in others if o[0] == first), next(o for o in others if o[2] != answer))
    namesake = f"{a} {b} plays"
    n = int(top[0])
    out.update({"namesake_prompt": np.asarray(namesake.split()),
                "neuron_parts": np.stack([pre_activation_parts(model, vocab, prompt, layer, pos, n),
                                          pre_activation_parts(model, vocab, namesake, layer, pos, n)])})
    # Neurons counted from 1, as the screen counts them
    out["top_neuron_numbers"] = top + 1
    return out


# ----------------------------------------------------------------------------- Chapter 8: how spread out

ABLATION_COUNTS = (5, 20, 50, 100)  # silence this many of the site's neurons, strongest pushes first


@torch.no_grad()
def _spread(model: TinyGPT, vocab: Vocab, prompt: str, answer: str, layer: int, pos: int,
            push: np.ndarray) -> dict[str, np.ndarray]:
    """How many neurons hold the fact: the answer's probability with the ``k`` neurons that push it
    most silenced at the site, for each ``k`` of ``ABLATION_COUNTS``, and its score (logit) then
    (a high probability has slack: the score can fall a lot before the probability moves); and the
    answer's row of the unembedding (the direction a neuron's down-projection column is compared
    with)."""
    order = [int(i) for i in np.argsort(-push)]
    curve, scores = [], [_logit(model, vocab, prompt, answer)]
    for k in ABLATION_COUNTS:
        with _zeroed(model, layer, pos, order[:k]):
            curve.append(_prob(model, vocab, prompt, answer))
            scores.append(_logit(model, vocab, prompt, answer))
    return {
        "ablation_counts": np.asarray(ABLATION_COUNTS),
        "ablation_curve": np.asarray(curve),
        "ablation_logits": np.asarray(scores),  # (1 + counts,): none silenced, then each count
        "answer_unembedding": model.lm_head.weight.detach()[vocab.stoi[answer]].numpy(),  # (C,)
    }
