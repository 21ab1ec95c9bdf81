"""What the viewer sees, pinned where it is drawn.

Every scene is built (``tests/scene_runs.py``) and its screen transcript taken
(``scenes/transcript.py``): each caption, every text and formula on screen, and what each
data-driven piece draws from which artifact array. Two checks per scene:

* no orphan numbers: every number a viewer reads traces to an artifact entry that, rounded as
  shown, reads the same (or is declared a constant or a computation where it is drawn);
* the transcript equals ``tests/golden/screens/chN-Scene.txt``: a number that changes, a layer lit
  from another array, an edge coloured from other weights, fails with the scene and caption.

Rewrite the goldens on purpose with ``./dev test --update-goldens`` and read the diff.
"""

from __future__ import annotations

import difflib
import re
import importlib

import numpy as np
import pytest

import render
from scenes.transcript import Traced, Transcript, TracedArrays, numbers_in
from tests.golden import GOLDEN_DIR
from tests.scene_runs import run_scene

SCREENS = GOLDEN_DIR / "screens"

SCENES = [
    (number, cls)
    for number, module in sorted(render.CHAPTER_MODULES.items())
    for cls in importlib.import_module(module).SCENES
]
IDS = [f"ch{n}-{c.__name__}" for n, c in SCENES]


def steady(transcript: str) -> str:
    """The transcript without what differs from one training run to the next on the same data
    (how long a model took to train) or with any change to a model's code (its artifact key):
    the model card shows both. The traced-number test still checks the seconds against their
    artifact, and tests/test_model_card.py both against the manifest."""
    transcript = re.sub(r"\b\d+(?:\.\d+)? s on the CPU", "(seconds) s on the CPU", transcript)
    transcript = re.sub(r"\b([a-z0-9-]+), key [0-9a-f]{12}\b", r"\1, key (key)", transcript)
    return re.sub(r"\b\d+(?:\.\d+)? <- (\S+/metrics:(?:\S+\.)?train_seconds)", r"(seconds) <- \1", transcript)


@pytest.mark.parametrize("number,cls", SCENES, ids=IDS)
def test_every_number_on_screen_is_traced(number, cls, chapter_artifacts):
    chapter_artifacts(number)
    orphans = run_scene(cls).scene.transcript.orphans()
    assert not orphans, (
        f"{len(orphans)} number(s) on screen that no artifact explains (hand-typed, mis-wired or mis-rounded; "
        "declare a real constant with scenes.transcript.constant):\n  " + "\n  ".join(orphans[:15])
    )


@pytest.mark.parametrize("number,cls", SCENES, ids=IDS)
def test_screen_matches_its_golden_transcript(number, cls, chapter_artifacts, update_goldens):
    chapter_artifacts(number)
    text = steady(run_scene(cls).scene.transcript.text())
    path = SCREENS / f"ch{number}-{cls.__name__}.txt"
    if update_goldens:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"{path} is missing: create it with `./dev test --update-goldens` and read it"
    want = steady(path.read_text())
    if text != want:
        diff = [line for line in difflib.unified_diff(want.splitlines(), text.splitlines(), "golden", "now",
                                                      lineterm="", n=0) if not line.startswith(("---", "+++"))]
        captions = _captions_of(want.splitlines(), diff)
        pytest.fail(f"chapter {number} {cls.__name__}: the screen differs from {path.name} "
                    f"({'; '.join(captions) or 'see the lines'}); if intended, run `./dev test --update-goldens`:\n  "
                    + "\n  ".join(diff[:30]))


def _captions_of(golden: list[str], diff: list[str]) -> list[str]:
    """The captions under which the changed golden lines sit."""
    out: list[str] = []
    for line in diff:
        if not line.startswith("@@"):
            continue
        start = int(line.split()[1].lstrip("-").split(",")[0])
        caption = next((g[3:] for g in reversed(golden[: max(start, 1)]) if g.startswith("== ")), "")
        if caption and f"under {caption!r}" not in out:
            out.append(f"under {caption!r}")
    return out[:3]


# ----------------------------------------------------------------------------- the tracing itself


def _transcript(**arrays) -> Transcript:
    t = Transcript("probe")
    t.uses(TracedArrays("art", "file.npz", {k: np.asarray(v) for k, v in arrays.items()}), None)
    return t


@pytest.mark.parametrize("text,tex,want", [
    ("The brightest output is the 3, at 0.992: it reads a 3.", False, ["3", "0.992", "3"]),
    ("784-16-16-10 and W1, x10, 3rd", False, ["784", "16", "16", "10"]),
    ("bias \u22120.923, cost 13,002 and 61%", False, ["\u22120.923", "13,002", "61%"]),
    (r"w_{6,304} a^{(1)} = \sigma(1.240 - 0.923) = 12{,}544", True, ["1.240", "0.923", "12,544"]),
])
def test_numbers_are_read_as_a_viewer_reads_them(text, tex, want):
    assert [n.text for n in numbers_in(text, tex=tex)] == want


def test_a_number_is_traced_to_the_entry_it_shows():
    t = _transcript(a1=[0.10, 0.5794, 0.2], bias=[-0.9231], acc=0.9, n=[1000.0])
    t.note("Its activation is 0.579, bias \u22120.923: 90% of 1,000.", [])
    line = t.sections[0][1][0]
    assert "0.579 <- art/file.npz:a1[1]" in line
    assert "\u22120.923 <- art/file.npz:bias;" in line  # a one-entry array needs no index
    assert "90% <- art/file.npz:acc as a percentage" in line
    assert not t.orphans()


@pytest.mark.parametrize("seconds", [224.9, 225.3, 453.5])
def test_of_numbers_read_together_the_exact_one_wins_over_a_look_alike(seconds):
    # A model card reads its metrics at once; a training time that rounds to the vocabulary size
    # (224.9 s shown beside a 225-word vocabulary) must not take the vocabulary's place.
    for order in ({"train_seconds": seconds, "vocabulary": 225.0}, {"vocabulary": 225.0, "train_seconds": seconds}):
        t = _transcript(**order)
        t.note(f"a 225-word vocabulary; {seconds:.1f} s on the CPU", [])
        line = t.sections[0][1][0]
        assert "225 <- art/file.npz:vocabulary" in line, line
        assert f"{seconds:.1f} <- art/file.npz:train_seconds" in line, line
    # an entry read later still wins, exact or not: what the scene read last is what it draws
    t = _transcript(vocabulary=225.0)
    t.uses(TracedArrays("art", "later.npz", {"seconds": np.asarray(224.9)}), None)
    t.note("225", [])
    assert "225 <- art/later.npz:seconds" in t.sections[0][1][0]


def test_two_cards_on_one_screen_each_trace_their_numbers_to_their_own_manifest(monkeypatch):
    # Chapter 4's card shows the digit network (checkpoint every 200) and the chain (200 held out):
    # by value alone the one read last would explain both 200s; a sourced line keeps its own.
    import scenes.transcript as transcript

    t = _transcript(checkpoint_every=200.0)
    t.uses(TracedArrays("story", "metrics", {"chain.n_test": np.asarray(200.0)}), None)
    monkeypatch.setattr(transcript, "_CURRENT", t)
    line = transcript.sourced("checkpoint every 200", {"200": "art/file.npz:checkpoint_every"})
    t.note("cards", [("text", line, False), ("text", "200 held out", False)])
    first, second = t.sections[0][1]
    assert first.endswith("| 200 <- art/file.npz:checkpoint_every"), first
    assert second.endswith("| 200 <- story/metrics:chain.n_test"), second  # not sourced: the latest read


def test_a_hand_typed_or_misrounded_number_is_an_orphan_named_with_its_caption():
    t = _transcript(a1=[0.10, 0.5794, 0.2])
    t.note("Its activation is 0.58 and 0.290.", [])  # 0.58 rounds right; half of 0.5794 is not in the data
    assert t.orphans() == ["probe: 0.290 in caption (under caption 'Its activation is 0.58 and 0.290.')"]
    t.note("next", [("text", "0.5795", False)])  # shown with a digit the value does not have
    assert any("0.5795" in o for o in t.orphans())


def test_a_declared_constant_is_not_an_orphan():
    t = _transcript(a1=[0.1])
    t.declare("175", "a published figure")
    t.note("GPT-3 has 175 billion.", [])
    assert not t.orphans() and "175 <- constant: a published figure" in t.text()


def test_arrays_carry_their_source_through_indexing_but_not_arithmetic():
    d = TracedArrays("digits-story", "chapter1.npz", {"W1": np.arange(12.0).reshape(3, 4)})
    w = d["W1"]
    assert isinstance(w, Traced) and w.source == "digits-story/chapter1.npz:W1"
    assert w[1, 1:3].source == "digits-story/chapter1.npz:W1[1, 1:3]"
    assert w[:, [0, 2]].source == "digits-story/chapter1.npz:W1[:, [0,2]]"
    assert not isinstance(w * 2, Traced) and not isinstance(w.sum(axis=0), Traced)
    assert np.array_equal(np.asarray(w[2]), [8, 9, 10, 11])


def test_a_formula_written_part_by_part_is_transcribed_part_by_part():
    # write_terms puts a MathTex's parts on screen one by one, each on its own: each part that shows
    # a symbol or a number is a line of the transcript (a bare sign is not), so its numbers are traced
    from manim import MathTex

    from scenes.base import _screen_items

    formula = MathTex(r"\frac{\Delta z}{\Delta w}", "=", r"\frac{0.2315}{0.500}", r"\times", "0.463")
    items: list = []
    for part in formula:
        _screen_items(part, items)
    assert [text for _, text, _ in items] == [r"\frac{\Delta z}{\Delta w}", r"\frac{0.2315}{0.500}", "0.463"]
    items = []
    _screen_items(formula, items)  # the whole formula at once: one line
    assert [text for _, text, _ in items] == [formula.tex_string]
