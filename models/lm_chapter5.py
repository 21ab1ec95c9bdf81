"""Arrays for Chapter 5's one-film beats, computed from the trained language model (part of the
``lm-story`` artifact: :func:`models.lm_story.language_story` merges them into ``language.npz``).

* ``c5_seed_*``: the generation prompt continued with two more seeds (the chapter's first text,
  seeded ``derive_seed("chapter5", "generation")``, is the first of three);
* ``c5_tickets``: the random numbers behind that first text's draws. ``torch.multinomial`` draws
  one word by giving every word a random "ticket" (an exponential number ``e``) and taking the
  word with the largest ``p / e``; the same seed gives the untrained and the trained model the
  same tickets, which is why their texts can share words;
* ``c5_position_*``: one training sentence read in one pass: the model's probability for the
  true next word at every position (trained and untrained), and their mean surprise (the loss).
"""

from __future__ import annotations

import numpy as np
import torch

from models.tiny_gpt import TinyGPT, Vocab

SEED_WORDS = 10
# Two more seeds, found by a rule: counting up from "seed 2", the first seeds whose text differs
# from every text already shown within its first ``DIFFER_WITHIN`` words (the model's likeliest
# openings recur often: the same text twice would show nothing)
DIFFER_WITHIN = 6
POSITION_SENTENCE = "it was a cold day so she wore a warm coat ."  # a sentence of the training corpus


@torch.no_grad()
def _probs(model: TinyGPT, ids: list[int]) -> np.ndarray:
    logits, _ = model(torch.tensor([ids[-model.config.block_size:]]))
    return torch.softmax(logits[0, -1].double(), -1).numpy()


def _sample(model: TinyGPT, vocab: Vocab, prompt: str, n: int, seed: int) -> list[int]:
    """The ids of ``prompt`` continued by ``n`` sampled words: the chapter's own generation rule."""
    from models.lm_story import _generate

    return _generate(model, vocab, prompt, n, seed)[0]


@torch.no_grad()
def chapter5_beats(model: TinyGPT, vocab: Vocab, untrained: TinyGPT, stepped: TinyGPT) -> dict[str, np.ndarray]:
    """Chapter 5's arrays beyond those :func:`models.lm_story.language_story` computes for several chapters."""
    del stepped
    from models.artifacts import derive_seed
    from models.lm_story import GENERATION_PROMPT, GENERATION_WORDS

    out: dict[str, np.ndarray] = {}
    texts = [_sample(model, vocab, GENERATION_PROMPT, SEED_WORDS, derive_seed("chapter5", "generation"))]
    names, tried = [], 0
    while len(names) < 2:
        tried += 1
        name = f"seed {tried + 1}"
        ids = _sample(model, vocab, GENERATION_PROMPT, SEED_WORDS, derive_seed("chapter5", name))
        if all(ids[:DIFFER_WITHIN] != t[:DIFFER_WITHIN] for t in texts):
            texts.append(ids)
            names.append(name)
    out["c5_seed_names"] = np.asarray(names)
    out["c5_seed_tried"] = np.asarray(tried)  # how many seeds the rule looked at
    out["c5_seed_generations"] = np.asarray(texts[1:])

    # The tickets of the chapter's generation: the draws of torch.multinomial, made explicit
    g = torch.Generator().manual_seed(derive_seed("chapter5", "generation"))
    tickets = np.stack([torch.empty(len(vocab), dtype=torch.float64).exponential_(1, generator=g).numpy()
                        for _ in range(GENERATION_WORDS)])
    out["c5_tickets"] = tickets  # (steps, vocab)
    for net in (model, untrained):  # the tickets reproduce both texts, or they explain nothing
        ids = vocab.encode(GENERATION_PROMPT)
        for s in range(GENERATION_WORDS):
            ids.append(int(np.argmax(_probs(net, ids) / tickets[s])))
        assert ids == _sample(net, vocab, GENERATION_PROMPT, GENERATION_WORDS, derive_seed("chapter5", "generation"))

    # One sentence, every position predicted at once
    ids = vocab.encode(POSITION_SENTENCE)
    out["c5_position_sentence"] = np.asarray(POSITION_SENTENCE)
    for name, net in (("trained", model), ("untrained", untrained)):
        logits, _ = net(torch.tensor([ids]))
        probs = torch.softmax(logits[0].double(), -1).numpy()  # (T, vocab): after every prefix
        out[f"c5_position_{name}"] = probs[np.arange(len(ids) - 1), ids[1:]]  # the true next word's probability
        out[f"c5_position_{name}_top"] = probs[:-1].argmax(axis=1)  # the model's top guess at every position
    out["c5_position_loss"] = np.asarray([-np.log(out["c5_position_trained"]).mean(),
                                          -np.log(out["c5_position_untrained"]).mean()])
    return out
