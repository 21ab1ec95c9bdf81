"""The tiny language model of Chapters 5 to 8: a small decoder-only transformer, GPT-2 style.

Word-level tokens, learned position embeddings, pre-norm blocks of causal self-attention and
an MLP, a final layer norm and an (untied) unembedding. Attention is written out by hand, so
its pattern exists to be drawn; :meth:`TinyGPT.trace` returns every named intermediate.

Train with ``python render.py train lm``; ask it with ``python render.py ask "michael jordan plays"``.
In code::

    vocab = Vocab.from_sentences(corpus.sentences)
    result = train_lm(corpus, LMConfig(), TrainLMConfig())
    result.model.next_words(result.vocab, "michael jordan plays")
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from models.artifacts import derive_seed, reproducible
from models.corpus import Corpus

__all__ = ["LMConfig", "TinyGPT", "TrainLMConfig", "UnknownWords", "Vocab", "bigram_loss", "load_lm", "lm_arrays",
           "train_lm"]


@dataclass(frozen=True)
class LMConfig:
    vocab_size: int = 0  # set from the corpus
    block_size: int = 24  # context, in words
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64


@dataclass(frozen=True)
class TrainLMConfig:
    steps: int = 3000
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 0.01
    held_out: float = 0.1  # share of sentences kept for the held-out loss
    seed: int = 0
    checkpoint_every: int = 500


class UnknownWords(ValueError):
    """A prompt uses words the model has never seen; the message names them."""


class Vocab:
    def __init__(self, words: list[str]):
        self.itos = list(words)
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def from_sentences(cls, sentences: list[str]) -> "Vocab":
        return cls(sorted({w for s in sentences for w in s.split()}))

    def encode(self, text: str) -> list[int]:
        words = text.lower().split()
        unknown = [w for w in words if w not in self.stoi]
        if unknown:
            raise UnknownWords(f"not in the model's vocabulary: {', '.join(dict.fromkeys(unknown))}")
        return [self.stoi[w] for w in words]

    def decode(self, ids) -> str:
        return " ".join(self.itos[int(i)] for i in ids)

    def __len__(self) -> int:
        return len(self.itos)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: LMConfig):
        super().__init__()
        self.n_head, self.n_embd = config.n_head, config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # W_Q, W_K, W_V side by side
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)  # the output matrix
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, config.block_size, config.block_size), persistent=False)

    def forward(self, x: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        B, T, C = x.shape
        hd = C // self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, hd).transpose(1, 2)  # (B, nh, T, hd)
        k = k.view(B, T, self.n_head, hd).transpose(1, 2)
        v = v.view(B, T, self.n_head, hd).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # (B, nh, T, T): query rows, key columns
        masked = scores.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))  # no looking ahead
        pattern = F.softmax(masked, dim=-1)
        heads = pattern @ v  # (B, nh, T, hd)
        y = heads.transpose(1, 2).contiguous().view(B, T, C)
        out = self.c_proj(y)
        if trace is not None:
            trace.update(q=q, k=k, v=v, scores=scores, masked=masked, pattern=pattern, heads=heads, attn_out=out)
        return out


class MLP(nn.Module):
    def __init__(self, config: LMConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)  # up-projection
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)  # down-projection

    def forward(self, x: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        pre = self.c_fc(x)  # (B, T, 4C)
        post = F.gelu(pre)
        out = self.c_proj(post)
        if trace is not None:
            trace.update(mlp_pre=pre, mlp_post=post, mlp_out=out)
        return out


class Block(nn.Module):
    def __init__(self, config: LMConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, trace: dict | None = None) -> torch.Tensor:
        if trace is not None:
            trace["resid_pre"] = x
        x = x + self.attn(self.ln_1(x), trace)
        if trace is not None:
            trace["resid_mid"] = x
            trace["mlp_in"] = self.ln_2(x)
        x = x + self.mlp(self.ln_2(x), trace)
        if trace is not None:
            trace["resid_post"] = x
        return x


class TinyGPT(nn.Module):
    def __init__(self, config: LMConfig, generator: torch.Generator | None = None):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),  # token embeddings
            wpe=nn.Embedding(config.block_size, config.n_embd),  # position embeddings
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)  # the unembedding
        g = generator if generator is not None else torch.Generator().manual_seed(0)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=g) * 0.02)  # GPT-2's initialisation
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits (B, T, vocab), and the mean next-word cross-entropy when targets are given."""
        logits = self._run(idx, None)
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    def _run(self, idx: torch.Tensor, traces: list | None) -> torch.Tensor:
        B, T = idx.shape
        pos = torch.arange(T)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)  # (B, T, C)
        for block in self.transformer.h:
            t = {} if traces is not None else None
            x = block(x, t)
            if traces is not None:
                traces.append(t)
        return self.lm_head(self.transformer.ln_f(x))

    @torch.no_grad()
    def trace(self, idx: torch.Tensor) -> dict:
        """Every named intermediate: ``embedding`` (B, T, C) and, per layer in ``layers``: q, k, v
        (B, nh, T, hd), raw ``scores``, ``masked`` scores, softmaxed ``pattern`` (B, nh, T, T),
        ``resid_pre``/``resid_mid``/``resid_post``, ``mlp_in``, ``mlp_pre``/``mlp_post`` (B, T, 4C),
        ``mlp_out``; then the final ``logits`` (B, T, vocab)."""
        layers: list[dict] = []
        T = idx.shape[1]
        embedding = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
        logits = self._run(idx, layers)
        return {"embedding": embedding, "layers": layers, "logits": logits}

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    @torch.no_grad()
    def next_words(self, vocab: Vocab, prompt: str, k: int = 5, temperature: float = 1.0) -> list[tuple[str, float]]:
        """The ``k`` most likely next words after ``prompt`` with their probabilities."""
        ids = vocab.encode(prompt)[-self.config.block_size:]
        if not ids:
            raise UnknownWords("the prompt is empty: give at least one word")
        logits, _ = self(torch.tensor([ids]))
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        top = torch.topk(probs, k)
        return [(vocab.itos[int(i)], float(p)) for p, i in zip(top.values, top.indices)]


@dataclass
class LMResult:
    model: TinyGPT
    vocab: Vocab
    losses: np.ndarray  # training loss every 50 steps
    held_out_loss: float
    bigram_loss: float
    seconds: float
    checkpoints: dict[int, dict[str, np.ndarray]]


def _split(corpus: Corpus, held_out: float) -> tuple[list[str], list[str]]:
    n = int(len(corpus.sentences) * (1 - held_out))
    return corpus.sentences[:n], corpus.sentences[n:]


def bigram_loss(train: list[str], test: list[str], vocab: Vocab, alpha: float = 0.1) -> float:
    """Held-out next-word cross-entropy of an add-alpha bigram model: the baseline to beat."""
    counts = np.full((len(vocab), len(vocab)), alpha)
    stream = vocab.encode(" ".join(train))
    np.add.at(counts, (stream[:-1], stream[1:]), 1.0)
    probs = counts / counts.sum(axis=1, keepdims=True)
    ids = vocab.encode(" ".join(test))
    return float(-np.mean(np.log(probs[ids[:-1], ids[1:]])))


def train_lm(corpus: Corpus, config: LMConfig = LMConfig(), train_config: TrainLMConfig = TrainLMConfig(),
             progress: Callable[[int, int, str], None] | None = None) -> LMResult:
    if not corpus.sentences or not any(s.split() for s in corpus.sentences):
        raise ValueError("the corpus is empty: nothing to train on (check the corpus config's sentence counts)")
    with reproducible(threads=2):  # the numbers must not depend on the machine
        return _train_lm(corpus, config, train_config, progress)


def _train_lm(corpus: Corpus, config: LMConfig, train_config: TrainLMConfig, progress) -> LMResult:
    vocab = Vocab.from_sentences(corpus.sentences)
    config = LMConfig(**{**asdict(config), "vocab_size": len(vocab)})
    train_s, test_s = _split(corpus, train_config.held_out)
    data = torch.tensor(vocab.encode(" ".join(train_s)))
    test = torch.tensor(vocab.encode(" ".join(test_s)))
    if len(data) <= config.block_size + 1 or len(test) <= config.block_size + 1:
        raise ValueError(f"the corpus is too small: training and held-out text need more than "
                         f"{config.block_size + 1} words each (have {len(data)} and {len(test)})")
    model = TinyGPT(config, torch.Generator().manual_seed(derive_seed(train_config.seed, "lm", "init")))
    order = torch.Generator().manual_seed(derive_seed(train_config.seed, "lm", "batches"))
    # fused: one kernel whose square root is the CPU's own (exact) instruction. The unfused AdamW
    # calls Tensor.sqrt, which torch sends to MKL's vector maths, whose last bit depends on the
    # CPU's vendor; over 3,000 steps that bit grows into other weights (models/__init__.py)
    opt = torch.optim.AdamW(model.parameters(), lr=train_config.lr, weight_decay=train_config.weight_decay,
                            fused=True)
    T, losses, checkpoints = config.block_size, [], {}
    start = time.perf_counter()
    for step in range(train_config.steps + 1):
        if step % train_config.checkpoint_every == 0:
            checkpoints[step] = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        if step == train_config.steps:
            break
        lr = train_config.lr * 0.5 * (1 + math.cos(math.pi * step / train_config.steps))  # cosine decay
        for group in opt.param_groups:
            group["lr"] = lr
        ix = torch.randint(len(data) - T - 1, (train_config.batch_size,), generator=order)
        x = torch.stack([data[i : i + T] for i in ix])
        y = torch.stack([data[i + 1 : i + T + 1] for i in ix])
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 50 == 0:
            losses.append(loss.item())
        if progress and (step + 1) % 250 == 0:
            progress(step + 1, train_config.steps, f"loss {loss.item():.3f}")
    seconds = time.perf_counter() - start
    with torch.no_grad():
        windows = [(test[i : i + T], test[i + 1 : i + T + 1]) for i in range(0, len(test) - T - 1, T)]
        xs, ys = torch.stack([w[0] for w in windows]), torch.stack([w[1] for w in windows])
        held = float(model(xs, ys)[1])
    return LMResult(model, vocab, np.asarray(losses), held, bigram_loss(train_s, test_s, vocab), seconds, checkpoints)


def lm_arrays(model: TinyGPT, vocab: Vocab) -> dict[str, np.ndarray]:
    """The model's weights and vocabulary as plain arrays (for an artifact)."""
    out = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    out["vocab"] = np.asarray(vocab.itos)
    out["config"] = np.asarray([model.config.vocab_size, model.config.block_size, model.config.n_layer,
                                model.config.n_head, model.config.n_embd])
    return out


def load_lm(arrays: dict[str, np.ndarray]) -> tuple[TinyGPT, Vocab]:
    """Rebuild a model and its vocabulary from :func:`lm_arrays`' output, checking the shapes."""
    vocab = Vocab([str(w) for w in arrays["vocab"]])
    v, block, n_layer, n_head, n_embd = (int(x) for x in arrays["config"])
    model = TinyGPT(LMConfig(v, block, n_layer, n_head, n_embd))
    state = {k: torch.from_numpy(np.asarray(a)) for k, a in arrays.items() if k not in ("vocab", "config")}
    expected = model.state_dict()
    wrong = [f"{k}: {tuple(state[k].shape)} instead of {tuple(t.shape)}" for k, t in expected.items()
             if k in state and tuple(state[k].shape) != tuple(t.shape)]
    missing = sorted(set(expected) - set(state))
    if wrong or missing or len(vocab) != v:
        raise ValueError(f"language-model weights do not fit the model: {'; '.join(wrong + missing)}")
    model.load_state_dict(state)
    return model, vocab
