"""The model card at the end of every chapter: which model the chapter drew, read from its
artifact's manifest, checked here against the manifest read a second way (its JSON file)."""

from __future__ import annotations

import importlib
import json

import numpy as np

import pytest

import render
from models.artifacts import cache_dir
from scenes.base import model_cards
from tests.scene_runs import run_scene


def _manifest(name: str) -> dict:
    return json.loads((cache_dir() / name / "manifest.json").read_text())


@pytest.mark.parametrize("number", sorted(render.CHAPTER_MODULES))
def test_every_chapter_ends_on_the_card_of_the_model_it_drew(number, chapter_artifacts):
    chapter_artifacts(number)
    module = importlib.import_module(render.CHAPTER_MODULES[number])
    cards = model_cards(module.ARTIFACTS, number)
    model = "digits" if number <= 4 else "lm"
    m = _manifest(model)
    assert len(cards) == (2 if number == 4 else 1)  # Chapter 4 also draws the 1-1-1-1 chain
    heading, rows = cards[0]
    text = dict(rows)
    assert text["Artifact"] == f"{model}, key {m['key'][:12]}"
    params = f"{m['metrics']['n_params']:,} parameters"
    assert params in text["Architecture"]
    assert f"{m['metrics']['train_seconds']:.1f} s on the CPU" in text["Training"]
    if model == "digits":
        assert text["Architecture"].startswith("-".join(map(str, m["config"]["train"]["net"]["sizes"])))
        assert text["Accuracy"].startswith(f"{m['metrics']['test_accuracy']:.1%}")
        assert f"{m['metrics']['n_train']:,} to train on" in text["Data"]
    else:
        assert f"{m['config']['model']['n_layer']} layers of {m['config']['model']['n_head']} attention heads" \
            in text["Architecture"]
        assert text["Loss"].startswith(f"{m['metrics']['held_out_loss']:.3f} held out")
    # and the chapter's last beat shows it, every row, after its last caption
    last = module.SCENES[-1]
    scene = run_scene(last).scene
    shown = scene.transcript.text()
    tail = shown[shown.rindex("numbers and pictures came from"):]
    for label, value in [row for _, rows in cards for row in rows]:
        assert label in tail
        for word in value.split()[:3]:
            assert word in tail, f"{label}: {value!r} is not on screen at the end of chapter {number}"


def test_chapter_4s_card_shows_the_chain_it_drew(chapter_artifacts):
    """Chapter 4 draws a 1-1-1-1 chain trained inside ``digits-story``: its card's costs equal a second
    computation, the chain's weights (as the chapter draws them) run in numpy over the zeros and ones
    of each split, their ink read here again; no other chapter shows that card."""
    chapter_artifacts(4)
    from models.mnist import load_embedded

    cards = model_cards(importlib.import_module(render.CHAPTER_MODULES[4]).ARTIFACTS, 4)
    heading, rows = cards[1]
    text = dict(rows)
    assert heading == "the 1-1-1-1 chain, on zeros and ones"
    assert text["Architecture"] == "1-1-1-1 fully connected layers, 6 parameters"
    story = _manifest("digits-story")
    assert text["Artifact"] == f"digits-story, key {story['key'][:12]}"
    arrays = np.load(cache_dir() / "digits-story" / "chapter4.npz")
    w, b = arrays["chain_w"], arrays["chain_b"]
    data = load_embedded()

    def cost(x, y):
        keep = (y == 0) | (y == 1)
        a = np.count_nonzero(x[keep] > 0.5, axis=1) / x.shape[1] * 4.0
        for wi, bi in zip(w, b):
            a = 1 / (1 + np.exp(-(wi * a + bi)))
        return float(np.mean((a - (y[keep] == 1)) ** 2)), int(keep.sum())

    (train, n_train), (test, n_test) = cost(data.x_train, data.y_train), cost(data.x_test, data.y_test)
    assert text["Cost"] == f"{test:.4f} held out, {train:.4f} on the training digits"
    assert np.isclose(arrays["chain_cost_curve"][-1], train)  # the curve the chapter draws ends at the card's cost
    assert f"{n_train:,} to train on, {n_test:,} held out" in text["Data"]
    for number in (1, 2, 3):
        assert len(model_cards(importlib.import_module(render.CHAPTER_MODULES[number]).ARTIFACTS, number)) == 1
