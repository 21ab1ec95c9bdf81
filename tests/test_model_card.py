"""The model card at the end of every chapter: which model the chapter drew, read from its
artifact's manifest, checked here against the manifest read a second way (its JSON file)."""

from __future__ import annotations

import importlib
import json

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
    cards = model_cards(module.ARTIFACTS)
    model = "digits" if number <= 4 else "lm"
    m = _manifest(model)
    assert len(cards) == 1
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
    tail = shown[shown.rindex("Every number and picture in this chapter came from this model"):]
    for label, value in rows:
        assert label in tail
        for word in value.split()[:3]:
            assert word in tail, f"{label}: {value!r} is not on screen at the end of chapter {number}"
