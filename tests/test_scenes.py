"""Every scene builds inside the layout rules and narrates; every chapter plays as one film.

A scene is built with its animations played to their ends (``tests/scene_runs.py``), the
layout rules strict: a drawing that leaves the frame or runs under the captions after any
animation, a caption over an empty screen, or (in chapters written as one film) a held
drawing that leaves most of the screen empty, fails with the scene and caption named.

The joins: the last frame of each scene and the first frame of the next, both drawn by
Manim's camera, must be the same picture, so the chapter plays without a visible cut.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from manim import FadeIn, Rectangle, Text, tempconfig

import render
from scenes.base import ChapterScene, LayoutError, reading_time
from tests.scene_runs import run_scene

SCENES = [
    (number, cls)
    for number, module in sorted(render.CHAPTER_MODULES.items())
    for cls in importlib.import_module(module).SCENES
]

# Chapters not yet one film (none today; a chapter being rewritten may be listed with its issue):
# their joins are expected to fail, and the test turns red (XPASS, strict) the day they all match.
NOT_YET_ONE_FILM: dict[int, str] = {}

JOIN_MEAN = 0.6  # mean absolute difference per channel (0..255) two frames of one picture may have
JOIN_PIXELS = 0.001  # share of pixels allowed to differ by more than 48 in some channel
DRAWING_ROWS = (4.0 + 2.55) / 8.0  # the frame's rows above the caption band


@pytest.mark.parametrize("number,cls", SCENES, ids=[f"ch{n}-{c.__name__}" for n, c in SCENES])
def test_scene_builds_and_narrates(number, cls, chapter_artifacts):
    chapter_artifacts(number)
    scene = run_scene(cls).scene  # strict layout: a problem raises LayoutError, naming the scene and caption
    assert scene.narration, "every beat has a narration line"
    assert all(text.strip() for _, text in scene.narration), "no empty caption"


def _joins():
    out = []
    for number, module in sorted(render.CHAPTER_MODULES.items()):
        scenes = importlib.import_module(module).SCENES
        for a, b in zip(scenes, scenes[1:]):
            marks = [pytest.mark.xfail(reason=f"chapter {number} is not yet one film ({NOT_YET_ONE_FILM[number]})",
                                       strict=True)] if number in NOT_YET_ONE_FILM else []
            out.append(pytest.param(number, a, b, id=f"ch{number}-{a.__name__}-{b.__name__}", marks=marks))
    return out


def frame_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return float(diff.mean()), float((diff.max(axis=2) > 48).mean())


@pytest.mark.parametrize("number,before,after", _joins())
def test_join_is_invisible(number, before, after, chapter_artifacts, tmp_path):
    """The last frame of one beat is the first frame of the next."""
    chapter_artifacts(number)
    closing, opening = run_scene(before).closing, run_scene(after).opening
    drawn = (closing[: int(closing.shape[0] * DRAWING_ROWS)].max(axis=2) > 40).mean()
    assert drawn > 0.002, f"{before.__name__} fades to black before {after.__name__}: only a chapter's start and end may"
    mean, share = frame_difference(closing, opening)
    if mean > JOIN_MEAN or share > JOIN_PIXELS:
        from PIL import Image

        both = np.concatenate([closing, opening, np.abs(closing.astype(np.int16) - opening).astype(np.uint8)], axis=0)
        Image.fromarray(both).save(tmp_path / "join.png")
        pytest.fail(f"{before.__name__} ends on another picture than {after.__name__} opens with (mean difference "
                    f"{mean:.2f}, {share:.2%} of pixels); end, start and difference: {tmp_path / 'join.png'}")


# ----------------------------------------------------------------------------- the rules themselves


class _Probe(ChapterScene):
    """A scene the rule tests fill in."""

    body = staticmethod(lambda scene: None)

    def construct(self):
        type(self).body(self)


def _build(body) -> None:
    probe = type("Probe", (_Probe,), {"body": staticmethod(body)})
    with tempconfig({"dry_run": True, "pixel_width": 256, "pixel_height": 144}):
        probe(skip_animations=True).render()


def test_a_group_faded_with_set_opacity_is_an_error():
    """Manim's Group has no set_opacity: ``group.animate.set_opacity(0)`` changed nothing, and
    Chapter 3's labels swelled with its zoom. The scenes' base says so instead."""
    from manim import Group, Square

    with pytest.raises(TypeError, match="FadeOut/FadeIn"):
        Group(Square(), Text("a")).set_opacity(0)
    with pytest.raises(TypeError, match="FadeOut/FadeIn"):
        Group(Square()).animate.set_opacity(0)
    square = Square().set_opacity(0.25)  # a VMobject's own set_opacity is untouched
    assert square.get_stroke_opacity() == 0.25


def test_rules_catch_a_drawing_under_the_captions_between_captions():
    def body(scene):
        scene.say("A word on a full line.")
        scene.play(FadeIn(Text("W" * 12).move_to([0, 0.5, 0])))
        scene.play(FadeIn(Text("low").move_to([0, -2.7, 0])))  # no caption change: still caught
    with pytest.raises(LayoutError, match="spans y"):
        _build(body)


def test_rules_catch_overlapping_texts():
    def body(scene):
        scene.play(FadeIn(Rectangle(width=12, height=5).move_to([0, 0.6, 0])))
        scene.say("Two labels on one spot.")
        scene.play(FadeIn(Text("0.579").move_to([0, 1, 0])), FadeIn(Text("0.923").move_to([0.3, 1.1, 0])))
    with pytest.raises(LayoutError, match="'0.579'.* and a Text showing '0.923' overlap"):
        _build(body)

    def apart(scene):
        scene.play(FadeIn(Rectangle(width=12, height=5).move_to([0, 0.6, 0])))
        scene.say("Two labels side by side.")
        scene.play(FadeIn(Text("0.579").move_to([-2, 1, 0])), FadeIn(Text("0.923").move_to([2, 1, 0])))
        scene.wait(2)
    _build(apart)


def test_a_caption_stays_up_until_it_is_read():
    times: dict[str, float] = {}

    def body(scene):
        scene.play(FadeIn(Rectangle(width=12, height=5).move_to([0, 0.6, 0])))
        scene.say("A first caption with a good many words in it, to be read in full.")
        times["first"] = scene.time  # it has faded in
        scene.say("The second.")  # waits for the first to be read, then cross-fades
        times["second"] = scene.time
        scene.wait(0.2)
    _build(body)
    first = "A first caption with a good many words in it, to be read in full."
    assert times["second"] - times["first"] >= reading_time(first)
    assert reading_time(first) > 4.0  # 14 words: three and a half seconds of reading, plus a beat


def test_rules_catch_a_small_drawing_and_an_empty_screen():
    with pytest.raises(LayoutError, match=r"covers \d+% of the screen"):
        _build(lambda scene: (scene.say("Just one word."), scene.play(FadeIn(Text("hi").move_to([-5, 3, 0]))),
                              scene.wait(1)))
    with pytest.raises(LayoutError, match="caption over an empty screen"):
        _build(lambda scene: (scene.say("Nothing to see here."), scene.wait(1)))

    def allowed(scene):
        with scene.sparse("a single word alone"):
            scene.say("Just one word.")
            scene.play(FadeIn(Text("hi")))
            scene.finish_reading()
    _build(allowed)  # a deliberate exception passes
