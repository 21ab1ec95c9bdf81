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
        _draw_only_when_asked(scene.renderer)
        scene.render()
        scene.renderer.update_frame(scene)
        closing = scene.renderer.get_frame()[:, :, :3].copy()
    run = SceneRun(scene, frames.get("opening", closing), closing)
    _RUNS[cls] = run
    return run


def _draw_only_when_asked(renderer) -> None:
    """While it skips animations, Manim's Cairo renderer still draws a frame at every play (the
    "static" picture it would reuse for the frames of a video, and the last frame of each
    animation), about a sixth of a scene's build; nobody sees them here. Only the frames this
    module asks for (the whole scene, drawn afresh) are drawn."""
    draw = renderer.update_frame

    def update_frame(scene, mobjects=None, *args, **kwargs):
        if mobjects is not None and renderer.skip_animations:
            return  # Manim's own: a static picture or an animation's frame
        renderer.static_image = None
        draw(scene, mobjects, *args, **kwargs)

    def save_static_frame_data(scene, static_mobjects):
        renderer.static_image = None
        return None

    renderer.update_frame = update_frame
    renderer.save_static_frame_data = save_static_frame_data
