"""Measurements of the tiny language model: the targets it must meet, and what the chapters draw.

Each "interesting" element is found by a rule, not chosen by hand: the adjective head is the
head whose attention from the sentence's last word falls most on the noun's adjectives; an
analogy's answer is the nearest word by cosine similarity, the three inputs excluded.

Example::

    fact_answers(model, vocab)                       # {"michael jordan": ("basketball", 0.99), ...}
    adjective_head(model, vocab, SHOWN_SENTENCE)     # (layer, head, weight on the adjectives)
"""

from __future__ import annotations

import numpy as np
import torch

from models.corpus import ATHLETES
from models.tiny_gpt import TinyGPT, Vocab

__all__ = ["ANALOGIES", "SHOWN_SENTENCE", "adjective_head", "analogy", "fact_answers"]

SHOWN_SENTENCE = "a fluffy blue creature roamed the verdant forest . the creature was"
SHOWN_ADJECTIVES = ("fluffy", "blue")  # the adjectives of the noun the sentence ends on
ANALOGIES = [("king", "man", "woman", "queen"), ("uncle", "man", "woman", "aunt"), ("boy", "man", "woman", "girl"),
             ("prince", "king", "queen", "princess"), ("father", "brother", "sister", "mother"),
             ("son", "boy", "girl", "daughter")]


@torch.no_grad()
def fact_answers(model: TinyGPT, vocab: Vocab) -> dict[str, tuple[str, float, str]]:
    """For every athlete: (top next word after "FIRST LAST plays", its probability, the true sport)."""
    out = {}
    for first, last, sport in ATHLETES:
        word, p = model.next_words(vocab, f"{first} {last} plays", k=1)[0]
        out[f"{first} {last}"] = (word, p, sport)
    return out


@torch.no_grad()
def adjective_head(model: TinyGPT, vocab: Vocab, sentence: str = SHOWN_SENTENCE,
                   adjectives: tuple[str, ...] = SHOWN_ADJECTIVES) -> tuple[int, int, float]:
    """(layer, head, attention weight) of the head whose attention from the last word puts the
    most weight on the adjectives (summed over them)."""
    words = sentence.split()
    ids = torch.tensor([vocab.encode(sentence)])
    positions = [i for i, w in enumerate(words) if w in adjectives]
    best = (-1, -1, -1.0)
    for layer, t in enumerate(model.trace(ids)["layers"]):
        weight = t["pattern"][0, :, -1, positions].sum(dim=-1)  # (n_head,)
        head = int(torch.argmax(weight))
        if float(weight[head]) > best[2]:
            best = (layer, head, float(weight[head]))
    return best


def analogy(model: TinyGPT, vocab: Vocab, a: str, b: str, c: str, k: int = 3) -> list[tuple[str, float]]:
    """Nearest words (cosine) to E[a] - E[b] + E[c] in the token embeddings, a, b and c excluded."""
    E = model.transformer.wte.weight.detach().numpy().astype(np.float64)
    v = E[vocab.stoi[a]] - E[vocab.stoi[b]] + E[vocab.stoi[c]]
    sims = E @ v / (np.linalg.norm(E, axis=1) * np.linalg.norm(v))
    for w in (a, b, c):
        sims[vocab.stoi[w]] = -np.inf
    top = np.argsort(-sims)[:k]
    return [(vocab.itos[i], float(sims[i])) for i in top]


# ----------------------------------------------------------------------------- what chapters 5 to 7 draw

PROMPTS = ["the cat sat on the", "michael jordan plays", "the king said that", "i like to walk in the"]
GENERATION_PROMPT = "the queen"
GENERATION_WORDS = 12
TEMPERATURES = (0.5, 1.0, 2.0)
TEMPERATURE_PROMPT = "we went to the"
EMBEDDING_WORDS = ["king", "queen", "man", "woman", "uncle", "aunt", "boy", "girl", "prince", "princess"]
ONE_STEP_SENTENCE = "roger federer plays tennis"  # the true next word is the last one
ONE_STEP_CHECKPOINT = 0  # the untrained model: one step visibly raises the true word
ONE_STEP_LR = 0.05  # plain gradient step; much larger steps overshoot


@torch.no_grad()
def _distribution(model: TinyGPT, vocab: Vocab, prompt: str, temperature: float = 1.0) -> np.ndarray:
    logits, _ = model(torch.tensor([vocab.encode(prompt)[-model.config.block_size:]]))
    return torch.softmax(logits[0, -1] / temperature, dim=-1).numpy().astype(np.float64)


def _generate(model: TinyGPT, vocab: Vocab, prompt: str, n: int, seed: int) -> tuple[list[int], np.ndarray]:
    """Sample ``n`` words one at a time (fixed seed); returns the ids and each step's distribution."""
    g = torch.Generator().manual_seed(seed)
    ids, dists = vocab.encode(prompt), []
    for _ in range(n):
        p = _distribution(model, vocab, vocab.decode(ids))
        dists.append(p)
        ids.append(int(torch.multinomial(torch.from_numpy(p), 1, generator=g)))
    return ids, np.stack(dists)


def language_story(model: TinyGPT, vocab: Vocab, untrained: TinyGPT, stepped: TinyGPT) -> dict[str, np.ndarray]:
    """Arrays for Chapters 5 to 7: distributions, generations, one training step, embeddings,
    temperatures, parameter counts, and the adjective head's attention, step by step."""
    from models.artifacts import derive_seed

    out: dict[str, np.ndarray] = {"vocab": np.asarray(vocab.itos), "prompts": np.asarray(PROMPTS)}
    # The texts each measurement used, so that scenes can show them without importing this module
    out["generation_prompt"] = np.asarray(GENERATION_PROMPT)
    out["one_step_sentence"] = np.asarray(ONE_STEP_SENTENCE)
    out["temperature_prompt"] = np.asarray(TEMPERATURE_PROMPT)
    out["analogies"] = np.asarray(ANALOGIES)  # (a, b, c, expected): a - b + c should be nearest expected
    out["prompt_probs"] = np.stack([_distribution(model, vocab, p) for p in PROMPTS])  # (prompts, vocab)
    seed = derive_seed("chapter5", "generation")
    ids, dists = _generate(model, vocab, GENERATION_PROMPT, GENERATION_WORDS, seed)
    out["generation"], out["generation_probs"] = np.asarray(ids), dists
    ids0, _ = _generate(untrained, vocab, GENERATION_PROMPT, GENERATION_WORDS, seed)
    out["untrained_generation"] = np.asarray(ids0)
    out["n_params"] = np.asarray(model.n_params())

    # One training step on one example: the true next word's probability before and after
    words = ONE_STEP_SENTENCE.split()
    ids = torch.tensor([vocab.encode(" ".join(words[:-1]))])
    target = vocab.stoi[words[-1]]
    step_model = TinyGPT(stepped.config)
    step_model.load_state_dict(stepped.state_dict())
    with torch.no_grad():
        before = float(torch.softmax(step_model(ids)[0][0, -1], -1)[target])
    loss = torch.nn.functional.cross_entropy(step_model(ids)[0][0, -1:], torch.tensor([target]))
    grads = torch.autograd.grad(loss, list(step_model.parameters()))
    with torch.no_grad():
        for p, g in zip(step_model.parameters(), grads):
            p -= ONE_STEP_LR * g
        after = float(torch.softmax(step_model(ids)[0][0, -1], -1)[target])
    out["one_step_probs"] = np.asarray([before, after])

    # Embeddings: the matrix's shape, one real column, a 2-D projection of chosen words
    E = model.transformer.wte.weight.detach().numpy().astype(np.float64)
    out["embedding_shape"] = np.asarray(E.shape)
    out["king_vector"] = E[vocab.stoi["king"]]
    chosen = E[[vocab.stoi[w] for w in EMBEDDING_WORDS]]
    centred = chosen - chosen.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    out["embedding_words"] = np.asarray(EMBEDDING_WORDS)
    out["embedding_2d"] = centred @ vt[:2].T
    out["analogy_neighbours"] = np.asarray([[w for w, _ in analogy(model, vocab, a, b, c, k=3)] for a, b, c, _ in ANALOGIES])
    out["analogy_similarity"] = np.asarray([[s for _, s in analogy(model, vocab, a, b, c, k=3)] for a, b, c, _ in ANALOGIES])

    # Softmax with temperature on real logits
    out["temperatures"] = np.asarray(TEMPERATURES)
    out["temperature_probs"] = np.stack([_distribution(model, vocab, TEMPERATURE_PROMPT, t) for t in TEMPERATURES])
    with torch.no_grad():
        out["temperature_logits"] = model(torch.tensor([vocab.encode(TEMPERATURE_PROMPT)]))[0][0, -1].numpy()
    names = [n for n, _ in model.named_parameters()]
    out["param_names"] = np.asarray(names)
    out["param_counts"] = np.asarray([p.numel() for p in model.parameters()])

    # Attention, step by step, for the adjective head
    layer, head, weight = adjective_head(model, vocab)
    trace = model.trace(torch.tensor([vocab.encode(SHOWN_SENTENCE)]))
    t = trace["layers"][layer]
    hd = model.config.n_embd // model.config.n_head
    out["attention_layer_head"] = np.asarray([layer, head])
    out["attention_weight"] = np.asarray(weight)
    for key in ("q", "k", "v", "scores", "masked", "pattern"):
        out[f"head_{key}"] = t[key][0, head].numpy()
    w_o = model.transformer.h[layer].attn.c_proj.weight.detach()[:, head * hd : (head + 1) * hd]  # (C, hd)
    out["head_change"] = (t["heads"][0, head] @ w_o.T).numpy()  # what this head adds to each position
    out["all_patterns"] = np.stack([tl["pattern"][0].numpy() for tl in trace["layers"]])  # (L, nh, T, T)
    out["sentence"] = np.asarray(SHOWN_SENTENCE.split())
    return out
