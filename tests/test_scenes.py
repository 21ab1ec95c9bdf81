"""Every scene builds (a dry run at a tiny resolution) inside the layout rules, and narrates."""

from __future__ import annotations

import importlib

import pytest
from manim import tempconfig

import render
from scenes.base import ChapterScene, reading_time

SCENES = [
    (number, cls)
    for number, module in sorted(render.CHAPTER_MODULES.items())
    for cls in importlib.import_module(module).SCENES
]


def dry_run(cls, tmp_path) -> ChapterScene:
    settings = {"dry_run": True, "media_dir": str(tmp_path), "pixel_height": 144, "pixel_width": 256, "frame_rate": 5}
    with tempconfig(settings):
        scene = cls()
        scene.render()
    return scene


@pytest.mark.parametrize("number,cls", SCENES, ids=[f"ch{n}-{c.__name__}" for n, c in SCENES])
def test_scene_builds_and_narrates(number, cls, story, tmp_path):
    scene = dry_run(cls, tmp_path)  # strict layout: leaving the frame or the drawing area raises
    assert scene.narration, "every beat has a narration line"
    starts = [t for t, _ in scene.narration] + [scene.time]
    for (start, text), stop in zip(scene.narration, starts[1:]):
        # each caption stays up long enough to be read
        # (at the dry run's 5 fps, waits round to 0.2 s)
        assert stop - start >= reading_time(text) - 0.25, f"{text!r} is up {stop - start:.1f} s"

