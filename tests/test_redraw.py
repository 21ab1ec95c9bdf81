"""What a play redraws every frame.

Manim paints what does not move once, as a still image, and redraws the rest every frame. A
chapter scene redraws from the first *drawn* piece that moves (Manim starts at the first group
holding one: lighting one layer of a network redrew all its edges), and a hand-off holds still a
part already drawn as the next beat draws it. Both must give the frames Manim's redraw-everything
gives, to the bit: these tests render one probe both ways and compare every frame, and count what
was drawn.
"""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from manim import (BLUE, DOWN, RIGHT, Circle, FadeIn, FadeTransform, MathTex, ReplacementTransform, Square, Text, VGroup,
                   tempconfig)
from manim.camera.camera import Camera

import scenes.base as base
from scenes.base import ChapterScene, Stage, same_drawing
from scenes.pieces import NetworkDiagram


def _stage() -> Stage:
    net = NetworkDiagram((6, 5, 4), input_shown=6, height=4.0, layer_gap=2.5)
    net.shift(0.6 * RIGHT)
    for layer, w in enumerate([np.linspace(-1, 1, 30).reshape(5, 6), np.linspace(1, -1, 20).reshape(4, 5)]):
        net.color_edges(layer, w, 1.0)
    box = Square(1.2, color=BLUE).move_to([-4.8, 0.8, 0])
    return Stage(net=net, box=box)


class _Probe(ChapterScene):
    chapter = 99

    def construct(self):
        stage = self.open(_stage())
        net = stage.net
        self.say("A probe: a layer lights up.")
        self.play(net.light(1, [0.9, 0.1, 0.5, 0.3, 0.7]), run_time=0.6)
        self.play(*net.pulses(2, [0.9, 0.1, 0.5, 0.3, 0.7]), run_time=0.6)
        note = Text("a note", font_size=24).next_to(net, DOWN, buff=0.2)
        self.play(FadeIn(note), run_time=0.4)
        self.wait(0.4)
        self.look_at(net.layers[1], 7.0, run_time=0.6)  # the camera moves: everything moves on screen
        self.camera_home(run_time=0.6)
        after = _stage()
        after.net.lit(1, [0.9, 0.1, 0.5, 0.3, 0.7])
        after["ring"] = Circle(0.5).move_to([-4.8, -1.2, 0])
        self.hand_off(after, keep={net: after.net, stage.box: after.box})


def _render(everything: bool) -> tuple[list[np.ndarray], list[int]]:
    """The probe's frames (each repeated as often as the video holds it) and how many pieces each
    drawn frame drew; ``everything``: as Manim draws when every mobject counts as moving and the
    hand-off transforms every part."""
    frames: list[np.ndarray] = []
    drawn: list[int] = []
    counting = [0]
    real_display = Camera.display_vectorized

    def display(self, vmobject, ctx):
        counting[0] += 1
        return real_display(self, vmobject, ctx)

    class Probe(_Probe):
        def get_moving_mobjects(self, *animations):
            if everything:
                return self.get_mobject_family_members()
            return super().get_moving_mobjects(*animations)

        def setup(self):
            super().setup()
            renderer = self.renderer

            def add_frame(frame, num_frames=1):
                renderer.time += num_frames / renderer.camera.frame_rate
                frames.extend([frame.copy()] * num_frames)
                drawn.append(counting[0])
                counting[0] = 0

            renderer.add_frame = add_frame

    settings = {"media_dir": tempfile.mkdtemp(prefix="redraw-"), "pixel_width": 256, "pixel_height": 144,
                "frame_rate": 15, "dry_run": True, "disable_caching": True, "verbosity": "ERROR",
                "progress_bar": "none"}
    patches = pytest.MonkeyPatch()
    patches.setattr(Camera, "display_vectorized", display)
    if everything:
        patches.setattr(base, "same_drawing", lambda a, b: False)
    try:
        with tempconfig(settings):
            Probe().render()
    finally:
        patches.undo()
    return frames, drawn


@pytest.fixture(scope="module")
def both():
    return _render(everything=False), _render(everything=True)


def test_the_frames_are_those_of_redrawing_everything(both):
    (fast, _), (full, _) = both
    assert len(fast) == len(full) > 60
    different = [i for i, (a, b) in enumerate(zip(fast, full)) if not np.array_equal(a, b)]
    assert not different, f"{len(different)} frame(s) differ, the first at frame {different[0]}"
    assert len({a.tobytes() for a in fast}) > 20, "the probe moves: its frames are not all alike"


def test_lighting_a_layer_redraws_its_circles_not_the_edges(both):
    (_, fast), (_, full) = both
    edges = 6 * 5 + 5 * 4
    # The light play's frames follow the caption's fade-in (0.5 s = 8 frames); its first frame
    # also paints the still image, so it is left out.
    light = slice(9, 8 + 9)
    assert min(full[light]) > edges, "redrawing everything draws every edge"
    assert max(fast[light]) + edges <= min(full[light]), (
        f"lighting a layer redrew {max(fast[light])} pieces a frame, redrawing everything {min(full[light])}")
    assert sum(fast) < 0.6 * sum(full)


def test_same_drawing_sees_a_changed_colour_point_or_piece():
    a, b = _stage(), _stage()
    assert same_drawing(a.net, b.net) and same_drawing(a.box, b.box)
    b.net.edges[0][3].set_stroke(opacity=0.2)
    assert not same_drawing(a.net, b.net)
    c = _stage()
    c.box.shift(1e-9 * RIGHT)
    assert not same_drawing(a.box, c.box)
    d = _stage()
    d.net.add(Circle(0.1))
    assert not same_drawing(a.net, d.net)
    assert not same_drawing(VGroup(Square()), VGroup(Circle()))


# ----------------------------------------------------------------------------- building and copying


def test_a_text_built_again_is_a_fresh_copy_of_the_same_drawing():
    from manim import MathTex

    made = [Text("a label seen twice", font_size=24, color=BLUE) for _ in range(2)]
    made[1].shift(RIGHT)  # moving one copy leaves the other, and the next one made, where they were
    third = Text("a label seen twice", font_size=24, color=BLUE)
    assert same_drawing(made[0], third) and not same_drawing(made[0], made[1])
    assert len({id(m) for t in (made[0], made[1], third) for m in t.get_family()}) == 3 * len(third.get_family())
    assert third.text == made[0].text
    assert not same_drawing(third, Text("a label seen twice", font_size=25, color=BLUE))
    assert not same_drawing(third, Text("a label seen twice", font_size=24))
    tex = [MathTex("q", "=", r"W_Q x", font_size=30) for _ in range(2)]
    assert same_drawing(*tex) and tex[0][2] is not tex[1][2] and tex[1].tex_strings == ["q", "=", r"W_Q x"]
    assert not same_drawing(tex[0], MathTex("q", "=", r"W_K x", font_size=30))


def test_a_copied_svg_piece_shares_only_the_svg_path_it_was_built_from():
    from manim import Brace

    brace = Brace(Text("shared", font_size=24))  # made from an svgelements path, which it keeps
    twin = brace.copy()
    assert twin.path_obj is brace.path_obj is not None and twin.points is not brace.points
    twin.shift(RIGHT)
    assert not np.allclose(twin.points, brace.points)
    assert all(glyph.path_obj is None for glyph in Text("parsed", font_size=24))  # see fast_manim.parse_svg


def test_an_image_is_drawn_as_manim_draws_it_over_its_own_box_only():
    """``Camera.display_image_mobject`` (patched in scenes/base.py) lays only the image's box over
    the frame; Manim's own (loaded here unpatched from its source) lays a frame-sized image. The
    pixels must be the same: scaled, turned, partly off screen, nearest or bicubic, see-through."""
    import importlib.util

    from manim import UP, ImageMobject
    from manim.camera import camera as patched

    spec = importlib.util.spec_from_file_location("manim_camera_unpatched", patched.__file__)
    unpatched = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unpatched)
    assert patched.Camera.display_image_mobject is not unpatched.Camera.display_image_mobject
    rng = np.random.default_rng(7)
    with tempconfig({"pixel_width": 480, "pixel_height": 270}):
        ours, theirs = patched.Camera(), unpatched.Camera()
        for k in range(8):
            image = ImageMobject(rng.integers(0, 256, (28, 28, 4)).astype(np.uint8)).scale_to_fit_height(0.5 + k)
            if k % 2:
                image.rotate(0.35 * k)
            if k in (3, 6):
                image.shift(6.5 * RIGHT + 3 * UP)  # partly off the frame
            if k == 4:
                image.set_resampling_algorithm(0)  # nearest, as the digits are drawn
            if k == 5:
                image.set_opacity(0.4)
            frame = rng.integers(0, 256, (270, 480, 4)).astype(np.uint8)
            a, b = frame.copy(), frame.copy()
            ours.display_image_mobject(image, a)
            unpatched.Camera.display_image_mobject(theirs, image, b)
            assert not np.array_equal(a, frame), f"case {k} drew nothing"
            assert np.array_equal(a, b), f"case {k}: {int((a != b).any(axis=2).sum())} pixels differ"


def test_a_held_frame_is_converted_once_and_encoded_as_before(tmp_path):
    """A wait hands the encoder one frame to repeat; it is converted from RGBA once (patched in
    scenes/base.py), not once per frame. The video decodes to the same frames as with Manim's
    own writer, and the conversions are counted."""
    import av
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    import scenes.base as base

    def render(write_frame, folder):
        conversions = [0]
        real = av.VideoFrame.from_ndarray

        def counted(*args, **kwargs):
            conversions[0] += 1
            return real(*args, **kwargs)

        calls = [0]

        def writer(self, pixels, *, repeat=1):
            calls[0] += 1
            return write_frame(self, pixels, repeat=repeat)

        patches = pytest.MonkeyPatch()
        patches.setattr(VideoSegmentEncoder, "write_frame", writer)
        patches.setattr(av.VideoFrame, "from_ndarray", counted)
        settings = {"media_dir": str(folder), "pixel_width": 256, "pixel_height": 144, "frame_rate": 15,
                    "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}
        try:
            with tempconfig(settings):
                scene = _Probe()
                scene.render()
                path = scene.renderer.file_writer.movie_file_path
        finally:
            patches.undo()
        with av.open(str(path)) as c:
            return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)], conversions[0], calls[0]

    ours, converted, writes = render(base._write_held_frame, tmp_path / "ours")
    theirs, per_frame, _ = render(base._plain_write_frame, tmp_path / "theirs")
    assert len(ours) == len(theirs) == per_frame > 60
    assert converted == writes < per_frame, f"{converted} conversions for {writes} writes of {per_frame} frames"
    worst = max(int(np.abs(a.astype(int) - b).max()) for a, b in zip(ours, theirs))
    assert worst == 0, f"a frame differs by up to {worst} levels"


class _LetteringProbe(ChapterScene):
    """A formula's symbol handed off to a labelled node of the next beat, and a box moved."""
    chapter = 99
    recorded: list = []

    def construct(self):
        formula = MathTex("z", "=", "w^{(L)}", font_size=40).move_to([-3, 1, 0])
        box = Square(1.0, color=BLUE).move_to([3, 1, 0])
        self.open(Stage(formula=formula, box=box))
        node = VGroup(MathTex("w^{(L)}", font_size=48), Text("-7.91", font_size=24))
        node.arrange(RIGHT, buff=0.2).move_to([-2, -1, 0])
        after = Stage(node=node, box=Square(1.0, color=BLUE).move_to([2, -1, 0]))
        self.hand_off(after, keep={formula[2]: node[0], box: after.box})

    def play(self, *animations, **kwargs):
        type(self).recorded.append(animations)
        super().play(*animations, **kwargs)


def test_a_hand_off_moves_lettering_without_drawing_it_twice():
    """The symbol kept from the formula flies to its place in the node and cross-fades into it
    (a point-by-point morph twists glyphs through each other); the rest of the node fades in, not
    the symbol a second time; a shape that is not lettering morphs as before."""
    _LetteringProbe.recorded = []
    settings = {"media_dir": tempfile.mkdtemp(prefix="hand-off-"), "pixel_width": 256, "pixel_height": 144,
                "frame_rate": 15, "dry_run": True, "disable_caching": True, "verbosity": "ERROR",
                "progress_bar": "none"}
    with tempconfig(settings):
        scene = _LetteringProbe()
        scene.render()
    (animations,) = _LetteringProbe.recorded  # the hand-off is the probe's one play
    kinds = {type(a).__name__: a for a in animations}
    node = scene.mobjects[[type(m).__name__ for m in scene.mobjects].index("VGroup")]
    symbol, number = node[0], node[1]
    assert isinstance(kinds.get("FadeTransform"), FadeTransform)
    assert kinds["FadeTransform"].to_add_on_completion is symbol
    assert isinstance(kinds.get("ReplacementTransform"), ReplacementTransform)  # the box
    fading_in = [a.mobject for a in animations if isinstance(a, FadeIn)]
    assert any(m is number for m in fading_in)
    assert not any(symbol in m.get_family() for m in fading_in), "the kept symbol also fades in where it lands"
