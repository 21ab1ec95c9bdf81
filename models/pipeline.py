"""Which artifacts exist, what each depends on, and how to (re)build them.

Each stage writes one artifact folder. Its key is a hash of its config, the source of the
code that builds it, and the keys of the stages it reads, so an intact artifact with the
expected key is reused and anything else (a changed config or code, a corrupt, truncated or
foreign file) is rebuilt. The command line uses this module; so do the tests.

Example::

    art = ensure("digits-story")       # trains the network first if needed
    status()                           # {"digits": "ok", "digits-story": "ok", ...}

The built-in stages are listed below; a chapter's own data stage lives in a module
``models/stage_<name>.py`` that defines ``STAGE = Stage(...)``. Such modules are found by their
file name (as chapters are) and merged into :data:`STAGES`; a name that clashes with another
stage, or a dependency no stage builds, stops with a :class:`StageError` naming the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator, MutableMapping

import numpy as np

from models import NUMERICS
from models.artifacts import (PROJECT_ROOT, Artifact, ArtifactError, ArtifactMissing, cache_dir, load_artifact,
                              reproducible, stable_hash, write_artifact)

__all__ = ["MODELS", "STAGES", "BuildContext", "Stage", "StageError", "discover_stages", "ensure", "expected_key",
           "status", "train_model"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Stage:
    name: str
    deps: tuple[str, ...]
    code: tuple[str, ...]  # project files whose source enters the key
    build: Callable[["BuildContext"], Artifact]
    description: str
    # A stage's own settings (they enter the key and reach ``build`` as ``ctx.config``): called with
    # the MNIST folder (or None); the built-in stages' settings are chosen in ``_own_config``.
    config: Callable[[str | None], dict] | None = None


class StageError(ArtifactError):
    """A discovered stage that cannot join the pipeline (a clashing name, an unknown dependency)."""


@dataclass
class BuildContext:
    deps: dict[str, Artifact]
    mnist_dir: str | None
    progress: Progress
    key: str
    config: dict


def _code_hash(files: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode())
        h.update((PROJECT_ROOT / rel).read_bytes())
    return h.hexdigest()


def _mnist_dir(mnist_dir: str | None) -> str | None:
    """The IDX folder to train on: the argument, else $NN_EXPLAINER_MNIST_DIR, else embedded."""
    chosen = mnist_dir or os.environ.get("NN_EXPLAINER_MNIST_DIR") or None
    return str(Path(chosen).expanduser().resolve()) if chosen else None


# ----------------------------------------------------------------------------- digit network


def _digit_config(mnist_dir: str | None) -> dict:
    import torch

    from models.digit_choice import digit_choice
    from models.digit_net import DigitNetConfig, TrainConfig, config_dict
    from models.mnist import load_dataset

    # Which network (models/digit_choice.py): its sizes train it (or its history, when it is
    # imported), and an imported one's file hash enters the key.
    choice = digit_choice()
    data = load_dataset(mnist_dir)
    config = {
        "train": config_dict(TrainConfig(net=DigitNetConfig(tuple(choice["sizes"])))),
        "data": {"source": data.source, "fingerprint": data.fingerprint()},
        "torch": torch.__version__,
    }
    if choice["source"] == "imported":
        config["imported"] = {"file": choice["file"], "sha256": choice["sha256"]}
    return config


def _build_digits(ctx: BuildContext) -> Artifact:
    from models.digit_net import config_from_dict, train
    from models.mnist import load_dataset

    data = load_dataset(ctx.mnist_dir)
    cfg = config_from_dict(ctx.config["train"])

    def tick(epoch: int, total: int, note: str) -> None:
        ctx.progress(f"epoch {epoch}/{total} {_bar(epoch / total)} {note}")

    imported = ctx.config.get("imported")
    if imported:  # the history the chapters need (descent paths, a partly trained network) comes from here
        ctx.progress(f"imported weights carry no training history: training a {_sizes_name(cfg.net.sizes)} network "
                     "for the beats that need one")
    result = train(data, cfg, tick)
    m = result.epoch_metrics
    metrics = {
        "test_accuracy": float(m["test_accuracy"][-1]),
        "test_cost": float(m["test_cost"][-1]),
        "train_cost": float(m["train_cost"][-1]),
        "untrained_test_accuracy": float(m["test_accuracy"][0]),
        "train_seconds": round(result.seconds, 2),
        "n_params": result.net.n_params(),
        "n_train": int(len(data.y_train)),
        "n_test": int(len(data.y_test)),
    }
    net, extra = result.net, None
    if imported:
        net = _imported_net(imported, cfg.net)
        with reproducible(threads=1):
            metrics["test_cost"], metrics["test_accuracy"] = _evaluate(net, data.x_test, data.y_test)
            metrics["train_cost"], _ = _evaluate(net, data.x_train, data.y_train)
        metrics["history_test_accuracy"] = float(m["test_accuracy"][-1])
        metrics["imported"] = True
        extra = {"imported": f"imported from {imported['file']}, sha256 {imported['sha256']}",
                 "history": f"checkpoints.npz and metrics.npz: a {_sizes_name(cfg.net.sizes)} network trained here "
                            "with the settings in config.train, not the imported one (its file has no history)"}
    return write_artifact(
        "digits",
        ctx.key,
        ctx.config,
        files={
            "weights.npz": net.to_arrays(),
            "checkpoints.npz": {"params": result.checkpoints, "steps": result.checkpoint_steps},
            "metrics.npz": m,
        },
        metrics=metrics,
        extra=extra,
    )


def _sizes_name(sizes) -> str:
    return "-".join(str(int(s)) for s in sizes)


def _imported_net(imported: dict, net_config):
    """The imported network from the cache's copy, checked against the hash its key was made from."""
    from models.digit_choice import imported_weights
    from models.digit_net import import_network_py

    copy = imported_weights(imported)
    if not copy.is_file():
        raise ArtifactError(f"the imported weights' copy {copy} is missing; import the file again "
                            f"(`python render.py import digits {imported['file']}`) or run `python render.py train digits`")
    return import_network_py(copy, net_config)


def _evaluate(net, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    import torch

    from models.digit_net import evaluate

    cost, accuracy = evaluate(net, torch.from_numpy(x), torch.from_numpy(y))
    return cost, accuracy


def _build_digits_story(ctx: BuildContext) -> Artifact:
    from models.digit_net import DigitNet
    from models.chain import chain_card, train_chain
    from models.digit_story import chapter1, chapter2, chapter3, chapter4
    from models.mnist import load_dataset

    digits = ctx.deps["digits"]
    net = DigitNet.from_arrays(digits.arrays("weights.npz"))  # its sizes from the shapes
    data = load_dataset(ctx.mnist_dir)
    ctx.progress("chapter 1 numbers")
    ch1 = chapter1(net, data)
    ctx.progress("chapter 2 numbers (loss landscape, gradient, tests)")
    ck = digits.arrays("checkpoints.npz")
    lr = float(digits.config["train"]["lr"])

    def part(what: str, done: int, of: int) -> None:  # the long parts, a line at each tenth
        ctx.progress(f"{what} {done:,}/{of:,} {_bar(done / of)}")

    ch2 = chapter2(net, data, ck["params"], ck["steps"], digits.arrays("metrics.npz"), ch1, lr, part)
    ctx.progress("chapter 3 and 4 numbers (hand-written backprop, descent paths, the 1-1-1-1 chain)")
    ch3 = chapter3(data, ck["params"], ck["steps"], lr, net.config.sizes, part)
    chain = train_chain(data)
    ch4 = chapter4(data, chain, ch3, ck["params"], ck["steps"], net.config.sizes)
    # An imported network has no training history: the beats that need one (Chapter 2's path and
    # curves, Chapters 3 and 4's partly trained network) draw the run of a network of the same
    # sizes trained here, and say so on screen.
    imported = "imported" in digits.config
    for arrays in (ch1, ch2, ch3, ch4):
        arrays["history_imported"] = np.asarray(imported)
    if imported:
        ch2["history_trained_avg_cost"] = ch2["trained_avg_cost"]  # where the history's run ended
        ch2["trained_avg_cost"] = np.asarray(float(digits.metrics["train_cost"]))  # the imported network's own
    return write_artifact(
        "digits-story",
        ctx.key,
        ctx.config,
        files={"chapter1.npz": ch1, "chapter2.npz": ch2, "chapter3.npz": ch3, "chapter4.npz": ch4},
        metrics={"chapter1_prediction": int(ch1["prediction"]), "chapter1_confidence": float(ch1["confidence"]),
                 "models": {"chain": chain_card(chain, data)}},  # a model trained here: its card (Chapter 4's)
    )


def _lm_config() -> dict:
    import torch

    from models.corpus import CorpusConfig, config_dict
    from models.lm_choice import lm_choice
    from models.tiny_gpt import LMConfig, TrainLMConfig

    # The corpus, with a facts file's facts and pairs when one was chosen (models/lm_choice.py):
    # the key follows what the file says, not where it lies.
    choice = lm_choice()
    corpus = CorpusConfig() if choice is None else CorpusConfig(
        facts=tuple(map(tuple, choice["facts"])), pairs=tuple(map(tuple, choice["pairs"])))
    return {"corpus": config_dict(corpus), "model": asdict(LMConfig()), "train": asdict(TrainLMConfig()),
            "torch": torch.__version__}


def _build_lm(ctx: BuildContext) -> Artifact:
    from models.corpus import config_from_dict, generate_corpus
    from models.tiny_gpt import LMConfig, TrainLMConfig, lm_arrays, train_lm

    corpus = generate_corpus(config_from_dict(ctx.config["corpus"]))
    ctx.progress(f"corpus: {corpus.stats['sentences']:,} sentences, {corpus.stats['vocabulary']} words")

    def tick(step: int, total: int, note: str) -> None:
        ctx.progress(f"step {step}/{total} {_bar(step / total)} {note}")

    result = train_lm(corpus, LMConfig(**ctx.config["model"]), TrainLMConfig(**ctx.config["train"]), tick)
    checkpoints = {f"step{step}__{name}": a for step, state in result.checkpoints.items() for name, a in state.items()}
    return write_artifact(
        "lm",
        ctx.key,
        ctx.config,
        files={
            "weights.npz": lm_arrays(result.model, result.vocab),
            "corpus.npz": {"sentences": np.asarray(corpus.sentences), "families": np.asarray(corpus.families)},
            "training.npz": {"loss_every_50_steps": result.losses},
            "checkpoints.npz": checkpoints,
        },
        metrics={
            "held_out_loss": result.held_out_loss,
            "bigram_loss": result.bigram_loss,
            "n_params": result.model.n_params(),
            "train_seconds": round(result.seconds, 1),
            "corpus": corpus.stats,
        },
        extra=_facts_file_note(),
    )


def _facts_file_note() -> dict | None:
    """Where a facts file's facts came from, for the manifest (the key holds only what it says)."""
    from models.lm_choice import lm_choice

    choice = lm_choice()
    return None if choice is None else {"facts_file": f"{choice['file']}, sha256 {choice['sha256']}"}


def _build_lm_story(ctx: BuildContext) -> Artifact:
    from models.corpus import config_from_dict
    from models.lm_story import ONE_STEP_CHECKPOINT, adjective_head, analogies, analogy, fact_answers, language_story
    from models.tiny_gpt import TinyGPT, load_lm

    lm = ctx.deps["lm"]
    model, vocab = load_lm(lm.arrays("weights.npz"))
    ck = lm.arrays("checkpoints.npz")

    def at(step: int) -> TinyGPT:
        import torch

        other = TinyGPT(model.config)
        prefix = f"step{step}__"
        other.load_state_dict({k[len(prefix):]: torch.from_numpy(v) for k, v in ck.items() if k.startswith(prefix)})
        return other

    ctx.progress("the four targets, and chapters 5 to 7 numbers")
    corpus = config_from_dict(ctx.config["corpus"])
    story = language_story(model, vocab, at(0), at(ONE_STEP_CHECKPOINT), corpus)
    facts = fact_answers(model, vocab, corpus)
    layer, head, weight = adjective_head(model, vocab)
    metrics = {
        "facts_correct": sum(w == sport for w, _, sport in facts.values()),
        "n_facts": len(facts),
        "adjective_head": {"layer": layer, "head": head, "weight_on_adjectives": weight},
        "analogies": {f"{a} - {b} + {c}": analogy(model, vocab, a, b, c, k=1)[0][0] for a, b, c, _ in analogies(corpus)},
        "one_step_probs": [float(p) for p in story["one_step_probs"]],
    }
    if corpus.facts or corpus.pairs:  # what the model made of a facts file: render.py train lm says it
        metrics["facts_file"] = {
            "facts": {f"{a} {b} plays {s}": {"answer": facts[f"{a} {b}"][0], "probability": facts[f"{a} {b}"][1]}
                      for a, b, s in corpus.facts},
            "pairs": {f"{m} - man + woman = {f}": analogy(model, vocab, m, "man", "woman", k=1)[0][0]
                      for m, f in corpus.pairs},
        }
    return write_artifact("lm-story", ctx.key, ctx.config, files={"language.npz": story}, metrics=metrics)


def _build_lm_facts(ctx: BuildContext) -> Artifact:
    from models.corpus import config_from_dict
    from models.fact_story import fact_story
    from models.tiny_gpt import load_lm

    model, vocab = load_lm(ctx.deps["lm"].arrays("weights.npz"))
    ctx.progress("where the facts live: ablations, the MLP step by step, the fact neurons")
    story = fact_story(model, vocab, config_from_dict(ctx.config["corpus"]))
    layer, pos = (int(x) for x in story["site"])
    return write_artifact("lm-facts", ctx.key, ctx.config, files={"facts.npz": story}, metrics={
        "site": {"layer": layer, "position": pos, "word": str(story["prompt"][pos])},
        "top_neurons": [int(i) for i in story["top_neurons"]],
        "answer_prob": float(story["answer_prob"]),
        "answer_prob_without_mlp": float(story["ablation_probs"][1]),
    })


def _build_superposition(ctx: BuildContext) -> Artifact:
    from models.superposition import superposition

    ctx.progress("superposition: optimising nearly perpendicular vectors, dimension by dimension")
    arrays = superposition(**ctx.config["superposition"])
    return write_artifact("superposition", ctx.key, ctx.config, files={"superposition.npz": arrays}, metrics={
        "counts": dict(zip((str(d) for d in arrays["dimensions"]), (int(c) for c in arrays["counts"]))),
    })


BUILTIN_STAGES: dict[str, Stage] = {
    "digits": Stage(
        "digits",
        (),
        ("models/digit_net.py", "models/mnist.py", "models/digit_choice.py"),
        _build_digits,
        "the digit network: 784-16-16-10 trained on MNIST, or as chosen (weights, checkpoints, metrics)",
    ),
    "digits-story": Stage(
        "digits-story",
        ("digits",),
        ("models/digit_story.py", "models/digit_net.py", "models/backprop.py", "models/chain.py"),
        _build_digits_story,
        "numbers the digit chapters draw",
    ),
    "lm": Stage(
        "lm",
        (),
        ("models/corpus.py", "models/tiny_gpt.py"),
        _build_lm,
        "tiny transformer language model trained on the generated corpus",
    ),
    "lm-story": Stage(
        "lm-story",
        ("lm",),
        ("models/lm_story.py", "models/lm_chapter5.py", "models/lm_chapter6.py", "models/lm_chapter7.py",
         "models/tiny_gpt.py"),
        _build_lm_story,
        "numbers the language chapters draw (5 to 7)",
    ),
    "lm-facts": Stage(
        "lm-facts",
        ("lm",),
        ("models/fact_story.py", "models/lm_story.py", "models/tiny_gpt.py"),
        _build_lm_facts,
        "where the language model keeps its facts (Chapter 8)",
    ),
    "superposition": Stage(
        "superposition",
        (),
        ("models/superposition.py",),
        _build_superposition,
        "nearly perpendicular vectors per dimension, optimised (Chapter 8)",
    ),
}

# What a user trains by name: a model and the analyses built on it.
MODELS: dict[str, tuple[str, ...]] = {"digits": ("digits", "digits-story"),
                                      "lm": ("lm", "lm-story", "lm-facts", "superposition")}


# ----------------------------------------------------------------------------- discovered stages

STAGE_PREFIX = "stage_"  # models/stage_<name>.py defines STAGE


def discover_stages(folder: Path | None = None, package: str = "models",
                    builtin: dict[str, Stage] | None = None) -> dict[str, Stage]:
    """The built-in stages plus every ``STAGE`` defined by a module ``<folder>/stage_*.py``, in file
    order. Refuses (:class:`StageError`, naming the file) a module without a ``STAGE``, a name
    another stage has, a dependency no stage builds, or a code file that does not exist."""
    folder = Path(__file__).resolve().parent if folder is None else folder
    stages = dict(BUILTIN_STAGES if builtin is None else builtin)
    where = {name: "models/pipeline.py" for name in stages}
    found: list[tuple[str, Stage]] = []
    importlib.invalidate_caches()  # a stage module written since the last look is found
    for path in sorted(folder.glob(f"{STAGE_PREFIX}*.py")):
        rel = f"{folder.name}/{path.name}"
        try:
            module = importlib.import_module(f"{package}.{path.stem}")
        except Exception as exc:
            raise StageError(f"{rel} does not import: {type(exc).__name__}: {exc}") from exc
        stage = getattr(module, "STAGE", None)
        if not isinstance(stage, Stage):
            raise StageError(f"{rel} defines no STAGE: a stage module sets `STAGE = Stage(name, deps, code, build, "
                             "description)` (see the README's \"Adding data\")")
        if stage.name in where:
            raise StageError(f"{rel} defines the stage {stage.name!r}, which {where[stage.name]} defines already: "
                             "rename one of them (the name is the artifact's folder in assets/cache/)")
        missing = [c for c in stage.code if not (PROJECT_ROOT / c).is_file()]
        if missing:
            raise StageError(f"{rel}: the stage {stage.name!r} lists code files that do not exist: "
                             f"{', '.join(missing)} (paths are relative to the project root)")
        where[stage.name] = rel
        stages[stage.name] = stage
        found.append((rel, stage))
    for rel, stage in found:
        unknown = [d for d in stage.deps if d not in stages]
        if unknown:
            raise StageError(f"{rel}: the stage {stage.name!r} depends on {', '.join(map(repr, unknown))}, which no "
                             f"stage builds. Known stages: {', '.join(stages)}")
    return stages


class _StageTable(MutableMapping):
    """:data:`STAGES`: the built-in stages and the discovered ones, found on first use (so a stage
    module may import this one)."""

    def __init__(self) -> None:
        self._stages: dict[str, Stage] | None = None

    def _all(self) -> dict[str, Stage]:
        if self._stages is None:
            self._stages = discover_stages()
        return self._stages

    def __getitem__(self, name: str) -> Stage:
        return self._all()[name]

    def __setitem__(self, name: str, stage: Stage) -> None:
        self._all()[name] = stage

    def __delitem__(self, name: str) -> None:
        del self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return f"STAGES({', '.join(self)})"

    def refresh(self) -> None:
        """Find the stage modules again on next use (after one was added)."""
        self._stages = None


STAGES: MutableMapping[str, Stage] = _StageTable()


def _stage_config(stage: Stage, mnist_dir: str | None) -> dict:
    return {**_own_config(stage, mnist_dir), "numerics": NUMERICS}


def _own_config(stage: Stage, mnist_dir: str | None) -> dict:
    if stage.config is not None:
        return stage.config(mnist_dir)
    # Every digit stage depends on the data the network trained on.
    if stage.name.startswith("digits"):
        return _digit_config(mnist_dir)
    if stage.name == "superposition":
        from models.superposition import DIMENSIONS, TOLERANCE_DEG

        import torch

        return {"superposition": {"dimensions": list(DIMENSIONS), "tolerance_deg": TOLERANCE_DEG},
                "torch": torch.__version__}
    return _lm_config() if stage.name.startswith("lm") else {}


def expected_key(name: str, mnist_dir: str | None = None, _memo: dict | None = None) -> tuple[str, dict]:
    """The key an up-to-date artifact ``name`` must carry, and the config behind it."""
    memo = {} if _memo is None else _memo
    if name in memo:
        return memo[name]
    stage = STAGES[name]
    config = _stage_config(stage, mnist_dir)
    deps = {d: expected_key(d, mnist_dir, memo)[0] for d in stage.deps}
    key = stable_hash({"config": config, "code": _code_hash(stage.code), "deps": deps})
    memo[name] = (key, config)
    return key, config


def _bar(fraction: float, width: int = 20) -> str:
    filled = int(round(fraction * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _print_progress(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


def ensure(
    name: str,
    force: bool = False,
    mnist_dir: str | None = None,
    progress: Progress = _print_progress,
    _memo: dict | None = None,
) -> Artifact:
    """The artifact ``name``, rebuilt (with its dependencies) unless an intact, current one exists.
    With ``force`` the named stage is rebuilt even so (its dependencies only if stale)."""
    if name not in STAGES:
        raise KeyError(name)
    mnist_dir = _mnist_dir(mnist_dir)
    memo = {} if _memo is None else _memo
    stage = STAGES[name]
    deps = {d: ensure(d, False, mnist_dir, progress, memo) for d in stage.deps}
    key, config = expected_key(name, mnist_dir, memo)
    if not force:
        try:
            return load_artifact(name, expected_key=key)
        except ArtifactError:
            pass
    with _build_lock(name, progress):
        if not force:  # built by another process while this one waited?
            try:
                return load_artifact(name, expected_key=key)
            except ArtifactMissing:
                pass
            except ArtifactError as exc:
                progress(f"rebuilding {name}: {exc}")
        progress(f"building {name}: {stage.description}")
        start = time.perf_counter()
        with reproducible(threads=2):  # the same numbers on every machine (training sets its own count)
            art = stage.build(BuildContext(deps, mnist_dir, progress, key, config))
        progress(f"built {name} in {time.perf_counter() - start:.1f} s")
    return art


@contextlib.contextmanager
def _build_lock(name: str, progress: Progress):
    """One build of an artifact at a time across processes (parallel tests, two commands): the
    others wait, then find it built. A ``flock``, so a killed build leaves no lock behind."""
    import fcntl

    folder = cache_dir() / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting: another process is building {name}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def train_model(model: str, force: bool = False, mnist_dir: str | None = None, progress: Progress = _print_progress) -> list[Artifact]:
    """Build every stage of a user-facing model (``digits``)."""
    memo: dict = {}
    arts = []
    for stage in MODELS[model]:
        arts.append(ensure(stage, force, mnist_dir, progress, memo))
    return arts


def status(mnist_dir: str | None = None) -> dict[str, str]:
    """For every stage: "ok", "missing", or why it would be rebuilt."""
    mnist_dir = _mnist_dir(mnist_dir)
    memo: dict = {}
    out = {}
    for name in STAGES:
        try:
            load_artifact(name, expected_key=expected_key(name, mnist_dir, memo)[0])
            out[name] = "ok"
        except ArtifactMissing:
            out[name] = "missing"
        except ArtifactError as exc:
            out[name] = f"stale: {exc}"
    return out
