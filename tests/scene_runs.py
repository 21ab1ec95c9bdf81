"""Build a scene the way the tests look at it: every animation played to its end without
rendering the frames between (fast), the layout rules strict, and two real frames drawn by
Manim's Cairo camera: the picture the scene opens on and the one it closes on.

A scene runs once per test process; the scene tests and the join tests share the run.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import numpy as np
from manim import tempconfig

from scenes.base import ChapterScene

SIZE = (427, 240)  # half of the low-quality 854x480


@dataclass
class SceneRun:
    scene: ChapterScene
    opening: np.ndarray  # (H, W, 3) the first frame of the scene's video
    closing: np.ndarray  # the last frame


_RUNS: dict[type, SceneRun] = {}


def run_scene(cls: type[ChapterScene]) -> SceneRun:
    if cls in _RUNS:
        return _RUNS[cls]
    frames: dict[str, np.ndarray] = {}

    def play(self, *args, **kwargs):
        # The video's first frame is the first animation at its start: what is on screen now
        # (an animation's own mobjects enter at alpha 0, i.e. invisible or as they were).
        if "opening" not in frames:
            self.renderer.update_frame(self)
            frames["opening"] = self.renderer.get_frame()[:, :, :3].copy()
        cls.play(self, *args, **kwargs)

    watched = type(cls.__name__, (cls,), {"play": play, "__module__": cls.__module__})
    settings = {"dry_run": True, "media_dir": tempfile.mkdtemp(prefix="scene-run-"), "pixel_width": SIZE[0],
                "pixel_height": SIZE[1], "frame_rate": 15, "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(settings):
        scene = watched(skip_animations=True)
        scene.render()
        scene.renderer.update_frame(scene)
        closing = scene.renderer.get_frame()[:, :, :3].copy()
    run = SceneRun(scene, frames.get("opening", closing), closing)
    _RUNS[cls] = run
    return run
