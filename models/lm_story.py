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

from models.corpus import CorpusConfig, athletes
from models.tiny_gpt import TinyGPT, Vocab

__all__ = ["ANALOGIES", "SHOWN_SENTENCE", "adjective_head", "analogies", "analogy", "fact_answers", "featured_fact",
           "prompts"]

SHOWN_SENTENCE = "a fluffy blue creature roamed the verdant forest . the creature was"
SHOWN_ADJECTIVES = ("fluffy", "blue")  # the adjectives of the noun the sentence ends on
ANALOGIES = [("king", "man", "woman", "queen"), ("uncle", "man", "woman", "aunt"), ("boy", "man", "woman", "girl"),
             ("prince", "king", "queen", "princess"), ("father", "brother", "sister", "mother"),
             ("son", "boy", "girl", "daughter")]


@torch.no_grad()
def fact_answers(model: TinyGPT, vocab: Vocab, corpus: CorpusConfig = CorpusConfig()) -> dict[str, tuple[str, float, str]]:
    """For every athlete of the corpus: (top next word after "FIRST LAST plays", its probability,
    the true sport)."""
    out = {}
    for first, last, sport in athletes(corpus):
        word, p = model.next_words(vocab, f"{first} {last} plays", k=1)[0]
        out[f"{first} {last}"] = (word, p, sport)
    return out


DEFAULT_FACT = ("michael jordan plays", "basketball")  # the fact the chapters follow on the corpus alone


def featured_fact(model: TinyGPT, vocab: Vocab, corpus: CorpusConfig = CorpusConfig()) -> tuple[str, str, str]:
    """(prompt, answer, note): the fact Chapter 8 follows. With a facts file, its first fact the
    model learned (the sport is its top next word); when it learned none of them, the corpus's
    own fact, and a note that says so (the chapter shows it rather than a fact the model does
    not hold)."""
    if not corpus.facts:
        return (*DEFAULT_FACT, "")
    answers = fact_answers(model, vocab, corpus)
    for first, last, sport in corpus.facts:
        if answers[f"{first} {last}"][0] == sport:
            return f"{first} {last} plays", sport, ""
    first, last, sport = corpus.facts[0]
    word, p, _ = answers[f"{first} {last}"]
    return (*DEFAULT_FACT, f"The facts file's {'fact was' if len(corpus.facts) == 1 else 'facts were'} not learned: "
            f"after \"{first} {last} plays\" the model says \"{word}\" ({p:.0%}), not \"{sport}\". "
            f"This chapter follows the corpus's own fact.")


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
FACT_PROMPT_INDEX = 1  # the prompt a facts file's first fact takes the place of


def prompts(corpus: CorpusConfig = CorpusConfig()) -> list[str]:
    """Chapter 5's prompts: with a facts file, its first fact is asked instead of Michael Jordan's."""
    out = list(PROMPTS)
    if corpus.facts:
        first, last, _ = corpus.facts[0]
        out[FACT_PROMPT_INDEX] = f"{first} {last} plays"
    return out


def analogies(corpus: CorpusConfig = CorpusConfig()) -> list[tuple[str, str, str, str]]:
    """Chapter 6's analogies (a, b, c, expected), as many as it draws: a facts file's pairs
    ("actor - man + woman" should land on "actress") take the place of the last ones."""
    own = [(male, "man", "woman", female) for male, female in corpus.pairs]
    return ANALOGIES[: len(ANALOGIES) - len(own)] + own
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


def language_story(model: TinyGPT, vocab: Vocab, untrained: TinyGPT, stepped: TinyGPT,
                   corpus: CorpusConfig = CorpusConfig()) -> dict[str, np.ndarray]:
    """Arrays for Chapters 5 to 7: distributions, generations, one training step, embeddings,
    temperatures, parameter counts, and the adjective head's attention, step by step."""
    from models.artifacts import derive_seed

    asked, pairs = prompts(corpus), analogies(corpus)
    out: dict[str, np.ndarray] = {"vocab": np.asarray(vocab.itos), "prompts": np.asarray(asked)}
    # The texts each measurement used, so that scenes can show them without importing this module
    out["generation_prompt"] = np.asarray(GENERATION_PROMPT)
    out["one_step_sentence"] = np.asarray(ONE_STEP_SENTENCE)
    out["temperature_prompt"] = np.asarray(TEMPERATURE_PROMPT)
    out["analogies"] = np.asarray(pairs)  # (a, b, c, expected): a - b + c should be nearest expected
    out["prompt_probs"] = np.stack([_distribution(model, vocab, p) for p in asked])  # (prompts, vocab)
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
        before_dist = torch.softmax(step_model(ids)[0][0, -1], -1)
        before = float(before_dist[target])
    loss = torch.nn.functional.cross_entropy(step_model(ids)[0][0, -1:], torch.tensor([target]))
    grads = torch.autograd.grad(loss, list(step_model.parameters()))
    with torch.no_grad():
        for p, g in zip(step_model.parameters(), grads):
            p -= ONE_STEP_LR * g
        after_dist = torch.softmax(step_model(ids)[0][0, -1], -1)
        after = float(after_dist[target])
    out["one_step_probs"] = np.asarray([before, after])
    out["one_step_dists"] = torch.stack([before_dist, after_dist]).numpy().astype(np.float64)  # (2, vocab)

    # Embeddings: the matrix's shape, one real column, a 2-D projection of chosen words
    E = model.transformer.wte.weight.detach().numpy().astype(np.float64)
    out["embedding_shape"] = np.asarray(E.shape)
    out["king_vector"] = E[vocab.stoi["king"]]
    chosen = E[[vocab.stoi[w] for w in EMBEDDING_WORDS]]
    centred = chosen - chosen.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    out["embedding_words"] = np.asarray(EMBEDDING_WORDS)
    out["embedding_2d"] = centred @ vt[:2].T
    out["analogy_neighbours"] = np.asarray([[w for w, _ in analogy(model, vocab, a, b, c, k=3)] for a, b, c, _ in pairs])
    out["analogy_similarity"] = np.asarray([[s for _, s in analogy(model, vocab, a, b, c, k=3)] for a, b, c, _ in pairs])

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
    out.update(chapter7_head_steps(model, vocab, layer, head))
    out.update(chapter5_flow(model, vocab))
    out.update(chapter6_parts(model, vocab))
    from models.lm_chapter5 import chapter5_beats
    from models.lm_chapter6 import chapter6_beats
    from models.lm_chapter7 import chapter7_beats

    for beats in (chapter5_beats, chapter6_beats, chapter7_beats):
        more = beats(model, vocab, untrained, stepped)
        clash = sorted(set(more) & set(out))
        assert not clash, f"{beats.__name__} redefines {clash}"
        out.update(more)
    return out


# ----------------------------------------------------------------------------- Chapter 5: a glimpse inside

FLOW_PROMPT = "michael jordan plays"
FLOW_STAGES = ("embedding", "attention 1", "MLP 1", "attention 2", "MLP 2")  # where each vector is read


@torch.no_grad()
def chapter5_flow(model: TinyGPT, vocab: Vocab, prompt: str = FLOW_PROMPT) -> dict[str, np.ndarray]:
    """Every word's vector on its way through the model: ``flow_stream[s, t]`` is word ``t``'s
    vector (n_embd numbers) after stage ``s`` of ``FLOW_STAGES`` (0: word + position embedding,
    then after each attention block and each MLP block); ``flow_probs`` the next-word distribution."""
    trace = model.trace(torch.tensor([vocab.encode(prompt)]))
    stages = [trace["embedding"][0]]
    for t in trace["layers"]:
        stages += [t["resid_mid"][0], t["resid_post"][0]]  # (T, C) after attention, after the MLP
    return {"flow_prompt": np.asarray(prompt), "flow_stages": np.asarray(FLOW_STAGES),
            "flow_stream": torch.stack(stages).numpy().astype(np.float64),  # (stages, T, C)
            "flow_probs": torch.softmax(trace["logits"][0, -1], -1).numpy().astype(np.float64)}


# ----------------------------------------------------------------------------- Chapter 7: around one head


@torch.no_grad()
def chapter7_head_steps(model: TinyGPT, vocab: Vocab, layer: int, head: int,
                        sentence: str = SHOWN_SENTENCE) -> dict[str, np.ndarray]:
    """Around one head, for every word of ``sentence``: ``head_resid`` (T, C), the residual stream
    the block reads (for layer 0: word + position embedding); ``head_input`` (T, C), the same after
    ``ln_1``, which W_Q, W_K and W_V multiply; ``head_mixed`` (T, hd), each word's attention-weighted
    sum of values (before W_O); ``shown_next_probs`` (vocab,), the next-word distribution;
    ``shown_adjectives``, the noun's adjectives that the head was chosen for."""
    trace = model.trace(torch.tensor([vocab.encode(sentence)]))
    t = trace["layers"][layer]
    return {"head_resid": t["resid_pre"][0].numpy(),
            "head_input": model.transformer.h[layer].ln_1(t["resid_pre"])[0].numpy(),
            "head_mixed": t["heads"][0, head].numpy(),
            "shown_next_probs": torch.softmax(trace["logits"][0, -1], -1).numpy().astype(np.float64),
            "shown_adjectives": np.asarray(SHOWN_ADJECTIVES)}


# ----------------------------------------------------------------------------- Chapter 6: the transformer's parts

UNEMBED_PROMPT = "the king sat on the"  # a sentence shown from its tokens to the next word
SPACE_PAIRS = [("king", "queen"), ("man", "woman"), ("uncle", "aunt"), ("boy", "girl"), ("prince", "princess")]
GPT3_DIMS = (12288, 96, 50257)  # GPT-3's published sizes (Brown et al. 2020): d_model, layers, vocabulary
PARAM_GROUPS = (("embedding", ("wte",)), ("positions", ("wpe",)), ("attention", (".attn.",)), ("MLP", (".mlp.",)),
                ("layer norms", ("ln_",)), ("unembedding", ("lm_head",)))


def weight_formula(d: int, n_layer: int, vocab_size: int) -> np.ndarray:
    """A GPT-style model's weight-matrix count by the standard formula, term by term:
    (embedding V*d, attention 4*d*d per layer, MLP 8*d*d per layer, unembedding V*d)."""
    return np.asarray([vocab_size * d, 4 * d * d * n_layer, 8 * d * d * n_layer, vocab_size * d], dtype=np.int64)


def param_groups(names, counts) -> tuple[list[str], np.ndarray]:
    """Parameter counts summed into the groups of ``PARAM_GROUPS`` (each name in exactly one group)."""
    totals = dict.fromkeys([g for g, _ in PARAM_GROUPS], 0)
    for name, n in zip(names, counts):
        groups = [g for g, marks in PARAM_GROUPS if any(m in str(name) for m in marks)]
        assert len(groups) == 1, f"{name} falls in groups {groups}"
        totals[groups[0]] += int(n)
    return list(totals), np.asarray(list(totals.values()), dtype=np.int64)


@torch.no_grad()
def chapter6_parts(model: TinyGPT, vocab: Vocab, prompt: str = UNEMBED_PROMPT) -> dict[str, np.ndarray]:
    """Chapter 6's numbers. ``space_2d``: the words of ``EMBEDDING_WORDS`` in a 2-D projection of
    the token embeddings whose x axis is the average male -> female step over ``SPACE_PAIRS`` and
    whose y axis is the largest remaining spread (signed so that "king" is up); ``space_analogy_2d``
    the point king - man + woman in the same projection. ``dot_words``/``dot_products``: king's
    dot product with its two most similar words, "man", the word nearest zero and the lowest.
    ``unembed_*``: the prompt's token ids, every word's vector after the embedding and after each
    block, the last vector after the final layer norm, the unembedding's logits and their softmax. Parameter counts by group and the weight formula."""
    E = model.transformer.wte.weight.detach().numpy().astype(np.float64)
    X = E[[vocab.stoi[w] for w in EMBEDDING_WORDS]]
    mean = X.mean(axis=0)
    x_axis = np.mean([E[vocab.stoi[f]] - E[vocab.stoi[m]] for m, f in SPACE_PAIRS], axis=0)
    x_axis /= np.linalg.norm(x_axis)
    rest = (X - mean) - np.outer((X - mean) @ x_axis, x_axis)
    y_axis = np.linalg.svd(rest, full_matrices=False)[2][0]
    y_axis *= np.sign((X[0] - mean) @ y_axis)  # king up
    axes = np.stack([x_axis, y_axis])  # (2, C)
    king, man, woman = (E[vocab.stoi[w]] for w in ("king", "man", "woman"))
    out = {"space_axes": axes, "space_2d": (X - mean) @ axes.T, "space_analogy_2d": (king - man + woman - mean) @ axes.T}

    dots = E @ king
    order = [int(i) for i in np.argsort(-dots) if i != vocab.stoi["king"]]
    chosen = [order[0], order[1], vocab.stoi["man"], int(np.argmin(np.abs(dots))), order[-1]]
    out["dot_words"] = np.asarray([vocab.itos[i] for i in chosen])
    out["dot_products"] = dots[chosen]

    ids = vocab.encode(prompt)
    trace = model.trace(torch.tensor([ids]))
    stream = [trace["embedding"][0]] + [t[k][0] for t in trace["layers"] for k in ("resid_mid", "resid_post")]
    out["unembed_stream"] = torch.stack(stream).numpy()  # (1 + 2 * n_layer, T, C): after each block
    last = trace["layers"][-1]["resid_post"][0, -1]
    final = model.transformer.ln_f(last)  # (C,): what the unembedding multiplies
    logits = model.lm_head(final)  # (vocab,)
    out.update(unembed_prompt=np.asarray(prompt), unembed_ids=np.asarray(ids), unembed_final=final.numpy(),
               unembed_logits=logits.numpy(), unembed_probs=torch.softmax(logits.double(), -1).numpy())

    names = [n for n, _ in model.named_parameters()]
    groups, counts = param_groups(names, [p.numel() for p in model.parameters()])
    c = model.config
    out.update(param_groups=np.asarray(groups), param_group_counts=counts,
               weight_formula_tiny=weight_formula(c.n_embd, c.n_layer, c.vocab_size),
               gpt3_dims=np.asarray(GPT3_DIMS), weight_formula_gpt3=weight_formula(*GPT3_DIMS))
    return out
