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
