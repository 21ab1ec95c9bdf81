"""A model's card: what it is, what it learned from, how well it does, how it was trained, read
from its artifact's manifest. The gallery's chapter pages show it (``gallery/build.py``), and so
does the end of every chapter's video (``ChapterScene.model_card``)."""

from __future__ import annotations

from typing import Sequence

__all__ = ["artifact_closure", "drawn_models", "model_facts", "stage_graph"]


def stage_graph() -> dict[str, tuple[tuple[str, ...], str]]:
    """Every stage's dependencies and description (``models/pipeline.py``)."""
    from models.pipeline import STAGES

    return {name: (stage.deps, stage.description) for name, stage in STAGES.items()}


def artifact_closure(names: Sequence[str], graph: dict[str, tuple[tuple[str, ...], str]]) -> list[str]:
    """``names`` and everything they are built from, the models first (dependencies before users)."""
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        for dep in graph.get(name, ((), ""))[0]:
            visit(dep)
        out.append(name)

    for name in names:
        visit(name)
    return out


def drawn_models(manifest: dict, chapter: int | None) -> list[tuple[str, dict]]:
    """The models an artifact trains on the way to its numbers (its ``metrics["models"]``, each a
    card shaped like a manifest: ``description``, ``chapters``, ``config``, ``metrics``) that chapter
    ``chapter`` draws, as (name, card): Chapter 4's 1-1-1-1 chain lives in ``digits-story``."""
    models = manifest.get("metrics", {}).get("models", {})
    return [(name, card) for name, card in models.items()
            if isinstance(card, dict) and chapter is not None and chapter in card.get("chapters", [])]


def _shown(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def model_facts(manifest: dict) -> tuple[list[tuple[str, str]], dict[str, float]]:
    """The card's headline rows of a trained model (architecture, data, accuracy or loss, training),
    all read from its manifest, and the raw manifest numbers they show (metric name -> value)."""
    config, metrics = manifest.get("config", {}), manifest.get("metrics", {})
    train = dict(config.get("train", {}))
    rows: list[tuple[str, str]] = []
    used: dict[str, float] = {}

    def take(key: str):
        used[key] = metrics[key]
        return metrics[key]

    net, model = train.pop("net", None), config.get("model")
    if net and "n_params" in metrics:
        rows.append(("Architecture", f"{'-'.join(map(str, net['sizes']))} fully connected layers, "
                                     f"{take('n_params'):,} parameters"))
    elif model and "n_params" in metrics:
        rows.append(("Architecture", f"transformer: {model['n_layer']} layers of {model['n_head']} attention heads, "
                                     f"{model['n_embd']}-wide vectors, a {model['block_size']}-word context; "
                                     f"{take('n_params'):,} parameters"))
    if manifest.get("imported"):  # "imported from FILE, sha256 ..." (render.py import digits FILE)
        rows.append(("Weights", str(manifest["imported"])))
    if "data" in config and "n_train" in metrics:
        rows.append(("Data", f"MNIST digits ({config['data']['source']}): {take('n_train'):,} to train on, "
                             f"{take('n_test'):,} held out"))
    if isinstance(metrics.get("corpus"), dict):
        corpus = metrics["corpus"]
        rows.append(("Data", f"generated corpus: {corpus['sentences']:,} sentences, {corpus['words']:,} words, "
                             f"a {corpus['vocabulary']}-word vocabulary"))
        used.update({f"corpus.{k}": corpus[k] for k in ("sentences", "words", "vocabulary")})
    if manifest.get("facts_file"):  # "FILE, sha256 ..." (render.py train lm --facts FILE)
        own = config.get("corpus", {})
        n_facts, n_pairs = len(own.get("facts", [])), len(own.get("pairs", []))
        rows.append(("Facts", f"{n_facts} fact{'s' * (n_facts != 1)} and {n_pairs} word pair{'s' * (n_pairs != 1)} "
                              f"added from {manifest['facts_file']}"))
    if "test_accuracy" in metrics:
        text = f"{take('test_accuracy'):.1%} of the held-out digits"
        if "untrained_test_accuracy" in metrics:
            text += f" (untrained: {take('untrained_test_accuracy'):.1%})"
        rows.append(("Accuracy", text))
    if "test_cost" in metrics:
        rows.append(("Cost", f"{take('test_cost'):.4f} held out, {take('train_cost'):.4f} on the training digits"))
    if "held_out_loss" in metrics:
        text = f"{take('held_out_loss'):.3f} held out (cross-entropy per word)"
        if "bigram_loss" in metrics:
            text += f"; a bigram model's: {take('bigram_loss'):.3f}"
        rows.append(("Loss", text))
    if "train_seconds" in metrics:
        settings = ", ".join(f"{k.replace('_', ' ')} {_shown(v)}" for k, v in sorted(train.items()))
        rows.append(("Training", f"{take('train_seconds'):.1f} s on the CPU" + (f" ({settings})" if settings else "")))
    return rows, used


