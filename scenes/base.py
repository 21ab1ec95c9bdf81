"""The scene base every chapter uses: captions, hand-offs between beats, the camera, layout rules.

A chapter is one continuous film cut into beats (scenes) that render in parallel, each in
its own process. What makes the joins invisible is the hand-off: a beat ends on the drawing
the next beat opens with, built by one function from the same data, so the last frame of one
scene and the first frame of the next are the same picture (``tests/test_joins.py`` renders
and compares them)::

    def network_stage(d):                      # the chapter module: one builder per join
        return Stage(net=..., digit=...)

    class ForwardPass(ChapterOneScene):
        def construct(self):
            d = data()
            stage = self.open(network_stage(d))           # the previous beat's last frame
            self.say("Each layer's activations set the next layer's.")
            self.play(stage.net.light(1, d["a1"]))
            ...
            after = hand_stage(d)                          # what the next beat opens with
            self.hand_off(after, keep={stage.net: after.net})

Everything a viewer reads sits in the caption band at the bottom of the screen; drawings stay
above it, between ``DRAW_BOTTOM`` and ``DRAW_TOP``. :meth:`ChapterScene.say` shows a beat's
narration and records it for the subtitle file; the next caption waits until this one has been
up long enough to read. The camera may move (:meth:`ChapterScene.look_at`); the caption and a
black band behind it stay put on screen.

Layout rules, checked after every animation (strict with ``NN_EXPLAINER_STRICT_LAYOUT=1``, as
the tests set it, otherwise logged as warnings):

* with the camera at home, every drawing stays inside the frame and above the caption band, and
  no two texts or formulas overlap;
* while the viewer reads (a caption held, a wait), the drawing fills the screen: its bounding
  box covers at least ``MIN_FILL`` of the drawing area, unless the beat says why not with
  ``with self.sparse("a single word alone"):``; a caption over an empty screen is always wrong.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import av
import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    Group,
    ImageMobject,
    Line,
    MathTex,
    Mobject,
    MovingCameraScene,
    Rectangle,
    ReplacementTransform,
    ShowPassingFlash,
    SingleStringMathTex,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    VMobject,
    Write,
)
from manim.camera.camera import Camera
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.mobject.text.tex_mobject import MathTexPart
from PIL import Image as PILImage
from manim.utils.rate_functions import ease_in_out_sine, smooth

from scenes import fast_manim
from scenes import transcript as _transcript
from scenes.palette import ACCENT, BACKGROUND, INK, MUTED
from scenes.pieces import FONT
from scenes.transcript import Transcript, traced_arrays, traced_metrics

__all__ = [
    "ARRIVE",
    "ARRIVE_LAGGED",
    "CAPTION_Y",
    "DRAW_BOTTOM",
    "DRAW_TOP",
    "MIN_FILL",
    "ChapterScene",
    "LEAVE",
    "LayoutError",
    "Stage",
    "artifact_arrays",
    "artifact_metrics",
    "first_part",
    "last_part",
    "reading_time",
]

DRAW_TOP = 3.8
DRAW_BOTTOM = -2.55  # drawings stay above this line
CAPTION_Y = -3.3  # centre of the caption band (frame bottom is -4)
CAPTION_WIDTH = 12.6
CAPTION_CHARS = 64  # per line, at the caption's font size
CARD_CHARS = 64  # per line of a model card's row
CARD_WIDTH, CARD_MAX_SCALE = 12.4, 1.3  # how wide a model card may be; how much it may grow
FRAME_HALF_WIDTH = 7.0  # a small margin inside the frame's 7.11
MIN_FILL = 0.35  # share of the drawing area a held drawing's bounding box must cover
HOME_WIDTH = 14.0 + 2 / 9  # Manim's default frame width (8 high, 16:9)
DRAWING_AREA = HOME_WIDTH * (4.0 - DRAW_BOTTOM)  # above the caption band, in square units at home


# Voiced renders (``NN_EXPLAINER_VOICE`` set, see ``voice/``): a sentence starts this long after its
# caption starts to come in (as the caption shows), and the next starts no sooner than this long
# after it ends. The silent render never reads them.
SPEECH_LEAD = 0.3
SPEECH_GAP = 0.35


def _narrator():
    """The voice that reads the captions aloud in this render, or None for a silent render."""
    spec = os.environ.get("NN_EXPLAINER_VOICE")
    if not spec:
        return None
    import voice

    return voice.parse(spec)


class LayoutError(AssertionError):
    """A drawing left the frame, ran under the caption band, or left the screen nearly empty."""


def reading_time(text: str) -> float:
    """Seconds a caption must stay up: a beat to notice it, plus four words or 17 characters a
    second, whichever is slower (numbers make for long words)."""
    return 1.0 + max(len(text.split()) / 4.0, len(text) / 17.0)


def artifact_arrays(artifact: str, filename: str) -> Mapping[str, np.ndarray]:
    """Arrays a scene draws, from an intact artifact (hashes checked; torch not needed). They
    carry their source (``scenes/transcript.py``), so the screen transcript can say where every
    number and drawing on screen comes from."""
    return traced_arrays(artifact, filename)


def artifact_metrics(artifact: str) -> dict:
    """An artifact's metrics (accuracy, losses, training time), known to the screen transcript."""
    return traced_metrics(artifact)


class Stage(dict):
    """The named drawings a beat hands to the next, in drawing order (first drawn at the back).

    A chapter module builds each join's stage with one function, which the beat ending there
    and the beat starting there both call; names read as attributes: ``stage.net``."""

    def __getattr__(self, name: str) -> Mobject:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"this stage has no {name!r}; it has {', '.join(self)}") from None


def first_part(share: float):
    """A rate function that runs its animation in the first ``share`` of the time, then rests."""
    return lambda t: smooth(min(1.0, t / share))


def last_part(share: float):
    """A rate function that waits, then runs its animation in the last ``share`` of the time."""
    return lambda t: smooth(max(0.0, (t - (1 - share)) / share))


# One drawing giving way to another: the old one is nearly gone before the new one shows, so
# the two never pile up, and they overlap just enough that the screen never goes black.
LEAVE = first_part(0.7)
ARRIVE = last_part(0.7)
ARRIVE_LAGGED = last_part(0.85)  # for a LaggedStart, whose first members take only part of its time


def _visible_leaves(mob: Mobject) -> Iterator[Mobject]:
    for m in mob.family_members_with_points():
        if isinstance(m, ImageMobject):
            if getattr(m, "fill_opacity", 1) > 0.02:
                yield m
        elif isinstance(m, VMobject):
            if m.get_fill_opacity() > 0.02 or (m.get_stroke_opacity() > 0.02 and m.get_stroke_width() > 0):
                yield m


def _box(mobs: Sequence[Mobject]) -> np.ndarray | None:
    """[[xmin, ymin], [xmax, ymax]] of the visible parts of ``mobs``, or None if nothing shows."""
    points = [leaf.points[:, :2] for mob in mobs for leaf in _visible_leaves(mob)]
    if not points:
        return None
    allp = np.concatenate(points)
    return np.array([allp.min(axis=0), allp.max(axis=0)])


def same_drawing(a: Mobject, b: Mobject) -> bool:
    """Whether ``a`` and ``b`` draw the same picture: the same pieces with the same points, colours,
    widths and pixels (a hand-off need not animate a part that does not change)."""
    if a is b:
        return True
    pa, pb = a.family_members_with_points(), b.family_members_with_points()
    if len(pa) != len(pb):
        return False
    for x, y in zip(pa, pb):
        if type(x) is not type(y) or x.z_index != y.z_index or not np.array_equal(x.points, y.points):
            return False
        if isinstance(x, VMobject):
            if not (np.array_equal(x.fill_rgbas, y.fill_rgbas) and np.array_equal(x.stroke_rgbas, y.stroke_rgbas)
                    and np.array_equal(x.background_stroke_rgbas, y.background_stroke_rgbas)
                    and x.stroke_width == y.stroke_width and x.background_stroke_width == y.background_stroke_width
                    and getattr(x, "sheen_factor", 0) == getattr(y, "sheen_factor", 0)):
                return False
        elif isinstance(x, ImageMobject):
            if not (np.array_equal(x.pixel_array, y.pixel_array) and x.resampling_algorithm == y.resampling_algorithm):
                return False
        else:
            return False  # a kind of piece not compared here: animate it
    return True


class _Hold(Animation):
    """Keep ``mobject`` still for the play and put ``target`` (a drawing of the same picture, see
    :func:`same_drawing`) in its place at the end, as a ReplacementTransform would."""

    def __init__(self, mobject: Mobject, target: Mobject, **kwargs):
        super().__init__(mobject, **kwargs)
        self.target_mobject = target

    def begin(self) -> None:  # no starting copy: nothing moves
        pass

    def interpolate(self, alpha: float) -> None:
        pass

    def finish(self) -> None:
        pass

    def clean_up_from_scene(self, scene) -> None:
        if self.target_mobject is not self.mobject:
            scene.replace(self.mobject, self.target_mobject)


class CaptionFade(Animation):
    """A caption fading in (``fade_in``) or out: each glyph's colours go from or to transparent as
    Manim's FadeIn and FadeOut take them, number for number, while its pin keeps it in its place on
    the screen, a moving camera included. Manim's fades copy a caption's hundred glyphs two or
    three times at each change of caption (about a tenth of a scene's build) and move the copies
    instead of the caption: during a camera move only one of them followed it."""

    def __init__(self, caption: Mobject, fade_in: bool, **kwargs):
        super().__init__(caption, introducer=fade_in, remover=not fade_in, suspend_mobject_updating=False, **kwargs)
        self.fade_in = fade_in

    def begin(self) -> None:
        self.ends = []
        for m in self.mobject.family_members_with_points():
            shown = [getattr(m, attr).copy() for attr in fast_manim.FADED]
            gone = [fast_manim.faded(rgbas) for rgbas in shown]
            self.ends.append((m, gone, shown) if self.fade_in else (m, shown, gone))
        self.interpolate(0)

    def get_all_mobjects(self) -> list[Mobject]:
        return [self.mobject]

    def get_all_families_zipped(self):
        return self.ends

    def interpolate_submobject(self, glyph: Mobject, start: list, end: list, alpha: float) -> None:
        fast_manim.interpolate_looks(glyph, fast_manim.FADED, start, end, alpha)

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        if not self.fade_in:
            self.interpolate(0)  # gone from the screen, drawn again as it was (as FadeOut leaves it)


# What reads as text on screen: a Text, a formula, or one part of a formula drawn on its own
# (``write_terms`` writes a MathTex part by part: each part is then on screen by itself).
TEXTS = (Text, SingleStringMathTex, MathTexPart)


def describe(mob: Mobject) -> str:
    """A mobject named for a reader: its class and the first words it shows."""
    words = [m.original_text if isinstance(m, Text) else m.tex_string
             for m in mob.get_family() if isinstance(m, TEXTS)]
    shown = f" showing {words[0][:40]!r}" if words else ""
    return f"{type(mob).__name__}{shown}"


RECAP_WIDTH, RECAP_HEIGHT = 11.6, 6.2  # what a recap card may fill: a centred column, clear of the edges


def _recap_row(idea: str, width: float, font_size: int = 31) -> VGroup:
    """One recap line: a bullet and the idea, wrapped onto a second line (under the text, not the
    bullet) when it does not fit on one. The first line takes as many words as fit, as a page
    wraps (but never leaving one word alone below), so the lines of the column end near one right edge."""
    bullet = Text("\u2022", font=FONT, font_size=font_size)
    one = Text(idea, font=FONT, font_size=font_size)
    room = width - bullet.width - 0.3
    words = idea.split()
    if one.width <= room * 1.04 or len(words) < 2:  # a hair too long: the card is set a hair smaller instead
        lines = [one]
    else:  # as many words as fit (by their share of the letters), the rest below
        per_letter = one.width / len(idea)
        cut = max([i for i in range(1, len(words)) if len(" ".join(words[:i])) * per_letter <= room] or [1])
        if cut == len(words) - 1 and cut >= 3:  # no lone word on the second line: take one more with it
            cut -= 1
        lines = [Text(" ".join(words[:cut]), font=FONT, font_size=font_size),
                 Text(" ".join(words[cut:]), font=FONT, font_size=font_size)]
    text = VGroup(*lines).arrange(DOWN, aligned_edge=np.array([-1, 0, 0]), buff=0.18)
    bullet.next_to(lines[0], np.array([-1, 0, 0]), buff=0.3)
    return VGroup(bullet, text)


def _glyphs(m: Mobject) -> bool:
    """Whether ``m`` is lettering (a text's or a formula's glyphs). Morphed point by point into
    other lettering, glyphs twist through each other on the way; they move and cross-fade instead."""
    pieces = m.family_members_with_points()
    return bool(pieces) and all(isinstance(p, VMobjectFromSVGPath) for p in pieces)


def _arriving(part: Mobject, entering: set[int]) -> list[Mobject]:
    """What of a stage's ``part`` fades in at a hand-off: all of it, unless a kept drawing
    transforms into a piece of it; then every piece but that one (fading it in as well would
    draw it twice while the kept drawing flies to it)."""
    if id(part) in entering:
        return []
    if not any(id(f) in entering for f in part.get_family()):
        return [part]
    return [m for sub in part.submobjects for m in _arriving(sub, entering)]


class ChapterScene(MovingCameraScene):
    """A beat of a chapter. Subclasses set ``chapter`` (e.g. 1) and write ``construct``.

    ``strict_fill`` makes the full-frame rule an error in the tests; a chapter still being
    rewritten to the one-film style turns it into a warning."""

    chapter: int = 0
    strict_fill: bool = True

    def setup(self) -> None:
        super().setup()
        self.caption: Mobject | None = None
        self.caption_text = ""
        self.caption_start = 0.0
        self.narration: list[tuple[float, str]] = []
        self.narration_end: float | None = None  # when the last caption faded (a hand-off)
        self.strict_layout = os.environ.get("NN_EXPLAINER_STRICT_LAYOUT") == "1"
        self.handed_off = False
        self.sparse_reason: str | None = None
        self.layout_problems: list[dict] = []  # what the rules found (render.py reports them)
        self.frame = self.camera.frame
        # A black band behind the caption: a drawing the camera has zoomed past the band stays
        # behind it. Invisible on the black background, it is furniture, not drawing.
        self.band = Rectangle(width=HOME_WIDTH + 0.2, height=4.0 + DRAW_BOTTOM + 0.1, stroke_width=0,
                              fill_color=BACKGROUND, fill_opacity=1)
        self.band.move_to([0, (-4.0 + DRAW_BOTTOM) / 2 - 0.05, 0]).set_z_index(90)
        self._pin(self.band)
        self.add(self.band)
        self.furniture: list[Mobject] = [self.band]
        self.transcript: Transcript = _transcript.begin(f"chapter {self.chapter} {type(self).__name__}")
        self.voice = _narrator()  # None: a silent render, timed by reading alone
        self.speech: list[dict] = []  # voiced: each sentence's start, text and clip (the cue list)
        self.speech_end = 0.0  # voiced: when the last sentence is over

    # ------------------------------------------------------------------ captions and pace

    def say(self, text: str, *alongside: Animation) -> None:
        """Show a beat's narration in the caption band (after the previous one has been read);
        ``alongside``, animations that play while the caption changes (a drawing that leaves with
        its caption)."""
        self.finish_reading()
        new = self._caption_mobject(text)
        lead = self._speak(text)  # voiced: the sentence starts this long from now (silent: 0)
        self.narration.append((self.time + lead, text))  # the subtitle starts as the caption fades in
        start = self.time
        if self.caption is not None:
            self.furniture.remove(self.caption)
            # the old line goes before the new one comes: two captions never overlap
            self.play(CaptionFade(self.caption, False, rate_func=first_part(0.4)),
                      CaptionFade(new, True, rate_func=last_part(0.4)), *alongside, run_time=0.6)
        else:
            self.play(CaptionFade(new, True), *alongside, run_time=0.5)
        self.caption, self.caption_text, self.caption_start = new, text, start

    def finish_reading(self) -> None:
        """Wait until the current caption has been up long enough to read."""
        if self.caption is None:
            return
        left = reading_time(self.caption_text) - (self.time - self.caption_start)
        if self.voice is not None:  # voiced: and until its sentence has been spoken
            left = max(left, self.speech_end + SPEECH_GAP - self.time)
        if left > 0.05:
            self.wait(left)

    def _speak(self, text: str) -> float:
        """Voiced: start saying ``text`` ``SPEECH_LEAD`` seconds from now (after the previous sentence
        is over), into the scene's sound and its cue list; returns how far from now it starts. A
        silent render says nothing and returns 0."""
        if self.voice is None:
            return 0.0
        import voice

        pause = self.speech_end + SPEECH_GAP - SPEECH_LEAD - self.time  # two sentences never overlap
        if pause > 0.05:  # the previous sentence is still being spoken (a recap line): wait for it
            self.wait(pause)
        lead = max(SPEECH_LEAD, self.speech_end + SPEECH_GAP - self.time)
        clip = voice.speak(text, self.voice)
        self.add_sound(str(clip.path), time_offset=lead)
        start = self.time + lead
        self.speech.append({"start": round(start, 6), "seconds": round(clip.seconds, 6), "text": text,
                            "spoken": clip.spoken, "sha256": clip.sha256})
        self.speech_end = start + clip.seconds
        return lead

    def _caption_mobject(self, text: str) -> Mobject:
        lines = _wrap(text, CAPTION_CHARS)
        if len(lines) > 2:
            self._layout_problem(f"caption needs {len(lines)} lines, the band holds 2: {text!r}")
        caption = VGroup(*[Text(line, font=FONT, font_size=26) for line in lines]).arrange(DOWN, buff=0.12)
        if caption.width > CAPTION_WIDTH:
            caption.scale_to_fit_width(CAPTION_WIDTH)
        caption.move_to([0, CAPTION_Y, 0]).set_z_index(100)
        self._pin(caption)
        self.furniture.append(caption)
        return caption

    def _pin(self, mob: Mobject) -> None:
        """Keep ``mob`` at its place and size on the screen, wherever the camera goes."""
        home_center, home_width = mob.get_center().copy(), mob.width
        placed_for: list[tuple] = [()]  # the camera it was last placed for: nothing to do while it stays

        def follow(m: Mobject) -> None:
            center, width = self.frame.get_center(), self.frame.width
            camera = (*center.round(9), round(width, 9))
            if camera == placed_for[0]:
                return
            s = width / HOME_WIDTH
            if abs(m.width - home_width * s) > 1e-6:
                m.scale(home_width * s / m.width)
            m.move_to(center + home_center * s)
            placed_for[0] = camera

        mob.add_updater(follow)
        follow(mob)

    def drawing(self) -> list[Mobject]:
        """What is drawn: every mobject on screen but the caption and its band."""
        return [m for m in self.mobjects if m not in self.furniture and m is not self.frame
                and m.family_members_with_points()]

    def clear_drawing(self, run_time: float = 0.6) -> None:
        """Fade out everything but the caption."""
        others = self.drawing()
        if others:
            self.play(*[FadeOut(m) for m in others], run_time=run_time)

    # ------------------------------------------------------------------ one film: hand-offs

    def open(self, stage: Mapping[str, Mobject] | Sequence[Mobject], camera: tuple | None = None):
        """Start the beat on the drawing the previous beat ended with: ``stage``, built by the same
        function the previous beat handed off to. Returns ``stage``."""
        parts = list(stage.values()) if isinstance(stage, Mapping) else list(stage)
        self.add(*parts)
        if camera is not None:
            self.frame.move_to(camera[0]).set(width=camera[1])
            self._follow()
        return stage

    def hand_off(self, stage: Mapping[str, Mobject] | Sequence[Mobject], keep: Mapping[Mobject, Mobject] | None = None,
                 camera: tuple | None = None, run_time: float = 1.2, extra: Sequence[Animation] = ()) -> None:
        """End the beat on ``stage``, the drawing the next beat opens with (built by the function the
        next beat calls). Each ``keep`` pair (on screen now -> its part of ``stage``) transforms
        (lettering moves and cross-fades); the rest of the drawing fades out; parts of ``stage``
        kept from nothing fade in (around a kept piece, all but that piece); the caption
        fades; the camera goes to ``camera`` (center, width), home by default. Afterwards the scene
        holds exactly ``stage``, so the next beat's first frame is this beat's last."""
        self.finish_reading()
        keep = dict(keep or {})
        parts = list(stage.values()) if isinstance(stage, Mapping) else list(stage)
        # Manim may have split a drawn group into its parts (animating a part can do that), so
        # what is on screen is judged by families, not by the top-level list.
        on_screen = self.drawing()
        drawn = {id(f) for m in on_screen for f in m.get_family()}

        def shown(m: Mobject) -> bool:
            return id(m) in drawn or all(id(f) in drawn for f in m.family_members_with_points())

        for now in keep:
            if not shown(now):
                raise ValueError(f"hand_off: {describe(now)} is not on screen in {type(self).__name__}")
        staying = [m for m in parts if shown(m)]  # already on screen as the stage has it
        held = list(keep) + staying
        held_ids = {id(f) for m in held for f in m.get_family()}
        # Rebuild the drawing list in its own order (what was in front stays in front): a piece of
        # a held mobject stands for the whole of it; a group around something held is opened up.
        leaving: list[Mobject] = []
        ordered: list[Mobject] = []
        placed: set[int] = set()
        for m in self.mobjects:
            if m in self.furniture or m is self.frame or m not in on_screen:
                ordered.append(m)
                continue
            owner = next((h for h in held if id(m) == id(h) or id(m) in {id(f) for f in h.get_family()}), None)
            if owner is not None:
                if id(owner) not in placed:
                    ordered.append(owner)
                    placed.add(id(owner))
            elif any(id(f) in held_ids for f in m.get_family()):
                for f in m.family_members_with_points():
                    h = next((h for h in held if id(f) in {id(g) for g in h.get_family()}), None)
                    if h is None:
                        leaving.append(f)
                        ordered.append(f)
                    elif id(h) not in placed:
                        ordered.append(h)
                        placed.add(id(h))
            else:
                leaving.append(m)
                ordered.append(m)
        for h in held:
            if id(h) not in placed:
                ordered.append(h)
        self.mobjects = ordered
        entering = {id(m) for m in keep.values()} | {id(m) for m in staying}
        # What leaves is mostly gone before what is kept moves, and before what arrives comes:
        # two layouts never pile up.
        # A part already drawn as the next beat draws it is held still (painted once, not redrawn
        # every frame) and swapped for its twin when the play ends, as a transform would.
        move = last_part(0.75) if leaving else smooth
        anims = [_Hold(now, then) if same_drawing(now, then) else
                 FadeTransform(now, then, rate_func=move) if _glyphs(now) and _glyphs(then) else
                 ReplacementTransform(now, then, rate_func=move)
                 for now, then in keep.items()]
        anims += [FadeOut(m, rate_func=LEAVE) for m in leaving]
        anims += [FadeIn(m, rate_func=ARRIVE) for part in parts for m in _arriving(part, entering)]
        if self.caption is not None:
            anims.append(CaptionFade(self.caption, False, rate_func=LEAVE))
            self.narration_end = self.time
        center, width = camera if camera is not None else (np.zeros(3), HOME_WIDTH)
        if not np.allclose(self.frame.get_center(), center) or abs(self.frame.width - width) > 1e-6:
            anims.append(self.frame.animate.move_to(center).set(width=width))
        if anims or extra:
            self.play(*anims, *extra, run_time=run_time)
        if self.caption is not None:
            self.furniture.remove(self.caption)
            self.caption = None
        self.remove(*self.drawing())
        self.add(*parts)
        self.handed_off = True

    def swap(self, old: Sequence[Mobject], new: Sequence[Mobject]) -> None:
        """Replace drawings by pixel-identical ones built another way (no animation, no visible
        change): e.g. a network's parts, drawn one by one, by the whole network."""
        self.remove(*old)
        self.add(*new)

    # ------------------------------------------------------------------ the camera

    def look_at(self, target: Mobject | np.ndarray, width: float, *extra: Animation, run_time: float = 1.5) -> None:
        """Move the camera to ``target`` so the screen spans ``width`` units (home is ~14.2), with
        ``extra`` animations alongside; the caption stays where it is on screen. The drawing
        area's centre, not the frame's, lands on the target, so it sits above the captions."""
        point = target.get_center() if isinstance(target, Mobject) else np.asarray(target, dtype=float)
        s = width / HOME_WIDTH
        lift = (4.0 + DRAW_BOTTOM) / 2 * s  # the drawing area's centre sits above the frame's
        self.play(self.frame.animate.move_to(point - np.array([0, lift, 0])).set(width=width), *extra,
                  run_time=run_time, rate_func=ease_in_out_sine)  # a gentle start and stop: no jump like a cut

    @staticmethod
    def width_to_fit(mob: Mobject, margin: float = 0.3) -> float:
        """The camera width (for ``look_at``) at which ``mob`` fits the drawing area, above the
        captions, with ``margin`` (in the drawing's units) on every side."""
        high = (mob.height + 2 * margin) * HOME_WIDTH / (DRAW_TOP - DRAW_BOTTOM)
        return max(mob.width + 2 * margin, high)

    def camera_home(self, *extra: Animation, run_time: float = 1.5) -> None:
        """Bring the camera back to the whole frame (with ``extra`` animations alongside)."""
        self.play(self.frame.animate.move_to(np.zeros(3)).set(width=HOME_WIDTH), *extra, run_time=run_time,
                  rate_func=ease_in_out_sine)

    def camera_is_home(self) -> bool:
        return abs(self.frame.width - HOME_WIDTH) < 1e-3 and np.allclose(self.frame.get_center(), 0, atol=1e-3)

    def _follow(self) -> None:
        for m in self.furniture:
            m.update()

    # ------------------------------------------------------------------ formulas built up

    def write_terms(self, formula: Mobject, sources: Mapping[int, Mobject] | None = None, run_time: float = 0.7,
                    groups: Sequence[Sequence[int]] | None = None) -> None:
        """Write ``formula`` a term at a time. Term ``i`` (its ``i``-th part, e.g. of
        ``MathTex("w", "a", "+", "b")``) grows out of a copy of ``sources[i]``, the drawing it
        stands for, when given; otherwise it is written. ``groups`` plays several terms at once."""
        sources = sources or {}

        def grow(i: int) -> Animation:
            if i not in sources:
                return Write(formula[i])
            source, term = sources[i], formula[i]
            leaves = source.family_members_with_points()
            if isinstance(term, VMobject) and leaves and all(isinstance(m, VMobject) for m in leaves):
                return TransformFromCopy(source if isinstance(source, VMobject) else VGroup(*leaves), term)
            # a picture into a symbol: the picture is outlined as the symbol appears beside it
            return AnimationGroup(ShowPassingFlash(SurroundingRectangle(source, color=ACCENT, buff=0.04), time_width=0.8),
                                  FadeIn(term, shift=0.15 * DOWN))

        for group in groups or [[i] for i in range(len(formula))]:
            self.play(*[grow(i) for i in group], run_time=run_time)

    # ------------------------------------------------------------------ cards

    def title_card(self, title: str, keep: bool = False) -> Mobject:
        """Open a chapter: "Chapter N · title". With ``keep`` the card stays for the first beat to
        replace it (no black between); otherwise it fades out. Returns the card."""
        head = Text(f"Chapter {self.chapter}", font=FONT, font_size=34, color=MUTED)
        name = Text(title, font=FONT, font_size=46)
        if name.width > 12.5:
            name.scale_to_fit_width(12.5)
        rule = Line([-3, 0, 0], [3, 0, 0], stroke_color=MUTED, stroke_width=2)
        card = VGroup(head, rule, name).arrange(DOWN, buff=0.35).move_to(UP * 0.5)
        with self.sparse("the chapter's title card"):
            self.play(FadeIn(head), Create(rule), Write(name), run_time=1.5)
            self.wait(1.5)
            if not keep:
                self.play(FadeOut(card), run_time=0.6)
        return card

    def recap_card(self, ideas: list[str], replacing: Sequence[Mobject] = ()) -> None:
        """Close a chapter: its ideas, one each, a long one wrapped onto two lines (``replacing``: the
        drawing it fades out as the heading comes in, so there is no black between)."""
        head = Text("Recap", font=FONT, font_size=44, color=MUTED)
        rows = VGroup(*[_recap_row(idea, RECAP_WIDTH) for idea in ideas])
        rows.arrange(DOWN, aligned_edge=np.array([-1, 0, 0]), buff=0.42)
        if rows.width > RECAP_WIDTH:
            rows.scale_to_fit_width(RECAP_WIDTH)
        card = VGroup(head, rows).arrange(DOWN, buff=0.6)
        if card.height > RECAP_HEIGHT:  # many long lines: smaller, never off the drawing area
            card.scale_to_fit_height(RECAP_HEIGHT)
        card.move_to(UP * 0.62)
        with self.sparse("the recap's heading, before its lines"):
            self.play(FadeIn(head, rate_func=ARRIVE), *[FadeOut(m, rate_func=LEAVE) for m in replacing],
                      run_time=1.2)
            for row, idea in zip(rows, ideas):
                lead = self._speak(idea)
                start = self.time
                self.narration.append((start + lead, idea))
                self.play(FadeIn(row, shift=0.2 * UP), run_time=0.6)
                if self.voice is None:
                    self.wait(reading_time(idea) - 0.6)
                else:  # voiced: until the line is read and spoken
                    self.wait(max(reading_time(idea) - (self.time - start), self.speech_end + SPEECH_GAP - self.time))
        self.wait(1.0)

    # ------------------------------------------------------------------ checks and endings

    @contextmanager
    def sparse(self, reason: str) -> Iterator[None]:
        """A deliberately small drawing (a single word alone, a pause): the full-frame rule rests."""
        previous, self.sparse_reason = self.sparse_reason, reason
        try:
            yield
        finally:
            self.sparse_reason = previous

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """What a play redraws every frame: everything drawn from the first *drawn* piece that moves
        on (the rest is painted once, as a still image under it). Manim starts at the first group
        that holds a moving piece, so lighting one layer of a network redrew its 672 edges every
        frame; a group without points draws nothing, so starting at its first moving piece draws
        the same frames. A group with an updater still counts whole (the updater may move any part)."""
        moving: set[int] = set()

        def collect(anims) -> None:
            for anim in anims:
                if isinstance(anim, _Hold):
                    continue  # it draws nothing new
                moving.update(id(m) for m in anim.mobject.get_family())
                if isinstance(anim, AnimationGroup):
                    collect(anim.animations)

        collect(animations)
        mobjects = self.get_mobject_family_members()
        if any(id(m) in moving or m.get_family_updaters() for m in self.renderer.camera.get_mobjects_indicating_movement()):
            return mobjects  # the camera moves: every drawing moves on screen
        foreground = {id(m) for m in self.foreground_mobjects}
        holding = fast_manim.holding_updaters(self.mobjects)
        updated = (lambda mob: id(mob) in holding) if holding is not None else (lambda mob: bool(mob.get_family_updaters()))
        for i, mob in enumerate(mobjects):
            if id(mob) in foreground or updated(mob) or (id(mob) in moving and mob.has_points()):
                return mobjects[i:]
        return []

    def play(self, *args, **kwargs) -> None:
        super().play(*args, **kwargs)
        self._follow()
        self.check_layout()
        self.note_screen(_transform_targets(getattr(self, "animations", None) or []))

    def note_screen(self, shown: Sequence[Mobject] = ()) -> None:
        """Write what is on screen now into the scene's transcript (new texts, formulas, drawings);
        ``shown``: what transforms turned drawings into (a mobject transformed into a new text
        looks like it but still holds its old text), and what faded out in the play."""
        items: list[tuple[str, str, bool]] = []
        for mob in [*self.drawing(), *shown]:
            _screen_items(mob, items)
        self.transcript.note(self.caption_text, items)

    def wait(self, duration: float = 1.0, *args, **kwargs) -> None:
        if duration >= 0.3:
            self.check_fill()
        super().wait(duration, *args, **kwargs)

    def check_layout(self) -> None:
        """With the camera at home, every drawing inside the frame and above the caption band."""
        if not self.camera_is_home():
            return  # a zoomed camera crops on purpose; the band hides what runs under it
        for mob in self.drawing():
            box = _box([mob])
            if box is None:
                continue
            (left, bottom), (right, top) = box
            problem = None
            if left < -FRAME_HALF_WIDTH - 1e-3 or right > FRAME_HALF_WIDTH + 1e-3:
                problem = f"spans x {left:.2f}..{right:.2f}, frame is ±{FRAME_HALF_WIDTH}"
            elif top > DRAW_TOP + 1e-3 or bottom < DRAW_BOTTOM - 1e-3:
                problem = f"spans y {bottom:.2f}..{top:.2f}, drawing area is {DRAW_BOTTOM}..{DRAW_TOP}"
            if problem:
                self._layout_problem(f"a {describe(mob)} {problem} (under caption {self.caption_text!r})")
        for a, b in _overlapping_texts(self.drawing()):
            self._layout_problem(f"a {describe(a)} and a {describe(b)} overlap (under caption {self.caption_text!r})")

    def fill(self) -> float:
        """Share of the drawing area (on screen, above the captions) covered by the bounding box of
        what is drawn."""
        box = _box(self.drawing())
        if box is None:
            return 0.0
        s = self.frame.width / HOME_WIDTH
        c = self.frame.get_center()[:2]
        lo = np.maximum(box[0], c + s * np.array([-HOME_WIDTH / 2, DRAW_BOTTOM]))
        hi = np.minimum(box[1], c + s * np.array([HOME_WIDTH / 2, 4.0]))
        area = float(np.prod(np.clip(hi - lo, 0, None)))
        return area / (DRAWING_AREA * s * s)

    def check_fill(self) -> None:
        """While a viewer looks, the drawing fills the screen (or the beat says why it need not)."""
        share = self.fill()
        if share == 0.0:
            if self.caption is not None:
                self._layout_problem(f"caption over an empty screen: {self.caption_text!r}", strict=self.strict_fill)
        elif share < MIN_FILL and self.sparse_reason is None:
            what = ", ".join(describe(m) for m in self.drawing()[:4])
            self._layout_problem(f"the drawing covers {share:.0%} of the screen (at least {MIN_FILL:.0%}, or say why "
                                 f"with `with self.sparse(...)`) under caption {self.caption_text!r}: {what}",
                                 strict=self.strict_fill)

    def _layout_problem(self, message: str, strict: bool = True) -> None:
        self.layout_problems.append({"time": round(self.time, 2), "problem": message, "strict": strict})
        message = f"{type(self).__name__}: {message}"
        if self.strict_layout and strict:
            raise LayoutError(message)
        from manim import logger

        logger.warning(message)

    def show_model_card(self) -> None:
        """A chapter's last frames: the card of each model it drew (its module's ``ARTIFACTS`` and
        what they are built from), read from the artifacts' manifests: what the model is, what it
        learned from, how well it does, how it was trained, its artifact's key. So a viewer knows
        what they watched."""
        import sys

        cards = model_cards(getattr(sys.modules[type(self).__module__], "ARTIFACTS", ()), self.chapter)
        if not cards:
            return
        card = _card_mobject(cards)
        # the last drawing (often text: a recap) leaves as the card's caption comes, then the card's
        # rows come in over its place
        leaving = [FadeOut(m) for m in self.drawing()]
        if len(cards) == 1:
            self.say("All our model's numbers and pictures came from it; anything else was labelled. Its card, "
                     "read from its artifact:", *leaving)
        else:
            self.say("All our models' numbers and pictures came from them; anything else was labelled. Their "
                     "cards, read from their artifacts:", *leaving)
        self.play(FadeIn(card, lag_ratio=0.05, run_time=0.9))
        self.wait(min(10.0, 0.5 * reading_time(" ".join(t for _, rows in cards for row in rows for t in row))))

    def tear_down(self) -> None:
        """End every scene alike: a beat that handed off ends on the next beat's opening drawing; one
        that did not (a chapter's last) lets its caption be read and fades to black. Then the
        narration goes to the subtitle file."""
        self.note_screen()
        if self.voice is not None and self.speech_end > self.time:  # voiced: no sentence cut off
            self.wait(self.speech_end - self.time)
        if not self.handed_off:
            self.check_layout()
            self.show_model_card()
            self.finish_reading()
            gone = [FadeOut(m) for m in self.drawing()]
            if self.caption is not None:
                gone.append(CaptionFade(self.caption, False))
            if gone:
                self.narration_end = self.time
                self.play(*gone, run_time=0.6)
            self.caption = None
            self.wait(0.5)
        report = os.environ.get("NN_EXPLAINER_LAYOUT_REPORT")
        if report:  # render.py reads it and prints a summary in the terminal
            import json

            from models.artifacts import atomic_write

            atomic_write(Path(report), json.dumps(self.layout_problems, indent=1).encode())
        cues = os.environ.get("NN_EXPLAINER_VOICE_CUES")
        if self.voice is not None and cues:  # render.py builds the chapter's sound track from these
            import json

            from models.artifacts import atomic_write

            atomic_write(Path(cues), json.dumps({"voice": self.voice.name, "cues": self.speech}, indent=1).encode())
        end = self.time
        stops = [t for t, _ in self.narration[1:]] + [self.narration_end if self.narration_end is not None else end]
        for (start, text), stop in zip(self.narration, stops):
            self.add_subcaption(text, duration=max(stop - start, 0.1), offset=start - self.time)


def _overlapping_texts(mobs: Sequence[Mobject], share: float = 0.25) -> list[tuple[Mobject, Mobject]]:
    """Pairs of visible texts or formulas whose boxes overlap by more than ``share`` of the smaller."""
    texts: list[Mobject] = []
    seen: set[int] = set()

    def walk(m: Mobject) -> None:
        if isinstance(m, TEXTS):
            if id(m) not in seen and any(True for _ in _visible_leaves(m)):
                seen.add(id(m))
                texts.append(m)
            return
        for sub in m.submobjects:
            walk(sub)

    for mob in mobs:
        walk(mob)
    if len(texts) < 2:
        return []
    b = np.array([fast_manim.corners(t) for t in texts])
    wide = np.clip(np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]), 0, None)
    high = np.clip(np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]), 0, None)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    smaller = np.maximum(np.minimum(area[:, None], area[None, :]), 1e-6)
    pairs = np.argwhere(np.triu(wide * high > share * smaller, 1))
    return [(texts[i], texts[j]) for i, j in pairs]


def _transform_targets(animations: Sequence[Animation]) -> list[Mobject]:
    """What the transforms among ``animations`` made their mobjects look like (not replacements:
    those put their target on screen themselves), and what faded out: it was on screen while it
    faded, and is gone when the play ends."""
    out: list[Mobject] = []
    for anim in animations:
        if isinstance(anim, AnimationGroup):
            out += _transform_targets(anim.animations)
        elif isinstance(anim, FadeOut):
            out.append(anim.mobject)
        elif isinstance(anim, Transform) and not isinstance(anim, (ReplacementTransform, TransformFromCopy)):
            target = getattr(anim, "target_mobject", None)
            if target is not None and target is not anim.mobject:
                out.append(target)
    return out


_plain_become = Mobject.become


def _become(self: Mobject, other: Mobject, *args, **kwargs) -> Mobject:
    """Manim's ``become``, and the mobject then also says what it shows (its text, its notes)."""
    out = _plain_become(self, other, *args, **kwargs)
    for attr in ("original_text", "tex_string", "transcript_notes"):
        if hasattr(other, attr):
            setattr(self, attr, getattr(other, attr))
    return out


Mobject.become = _become  # a text that becomes another then reads as the other in the transcript


def _share_svg_path(self: VMobjectFromSVGPath, memo: dict) -> VMobjectFromSVGPath:
    """Copy a glyph or an SVG piece without deep-copying the parsed SVG path it was built from:
    Manim only reads that path, when the piece is first made, yet copied it (thousands of small
    objects per line of text) at every copy, which is at every transform and fade."""
    memo[id(self.path_obj)] = self.path_obj
    return Mobject.__deepcopy__(self, memo)


VMobjectFromSVGPath.__deepcopy__ = _share_svg_path


def _no_group_opacity(self: Group, *args, **kwargs) -> Group:
    """Manim's ``Group`` has no ``set_opacity``: its generic setter only stores an attribute, so a
    ``group.animate.set_opacity(0)`` left the group on screen, unchanged. Say so instead."""
    raise TypeError(f"{type(self).__name__} has no set_opacity (Manim would silently change nothing): "
                    "fade it with FadeOut/FadeIn, or set the opacity of its VMobjects")


Group.set_opacity = _no_group_opacity


def _display_image(self: Camera, image: Mobject, pixel_array: np.ndarray) -> None:
    """Draw an image mobject: its pixels mapped onto the quadrilateral its corners make on screen
    (a perspective map, resampled as the mobject asks), then laid over the frame. Manim lays a
    transparent frame-sized image over the whole frame for every image, every frame (60 ms at
    1080p); this lays only the quadrilateral's box, and gives the same pixels (over a transparent
    pixel, the frame stays as it is)."""
    source = PILImage.fromarray(np.ascontiguousarray(image.get_pixel_array())).convert("RGBA")
    w, h = source.size
    corners = self.points_to_subpixel_coords(image, image.points)  # top left, top right, bottom left, bottom right
    whole = corners.astype(np.int64)
    origin = whole.min(axis=0)
    corners, whole = corners - origin, whole - origin
    size = (int(whole[:, 0].max()), int(whole[:, 1].max()))
    # Too thin to hold a pixel (seen edge on, say): nothing to draw, and no stable map.
    ring = corners[[0, 1, 3, 2]]
    sides = np.roll(ring, -1, axis=0) - ring
    lengths = np.hypot(sides[:, 0], sides[:, 1])
    longest = int(np.argmax(lengths))
    if lengths[longest] == 0:
        return
    base, other = sides[longest], sides[(longest - 1) % 4]
    if abs(base[0] * other[1] - base[1] * other[0]) / lengths[longest] < 0.5:
        return
    # The map from the screen back into the source image: x' = (a x + b y + c) / (g x + h y + 1), etc.
    rows, rhs = [], []
    for (x, y), (u, v) in zip(corners, [(0, 0), (w, 0), (0, h), (w, h)]):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    try:
        coefficients = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    except np.linalg.LinAlgError:
        return
    drawn = source.transform(size=size, method=PILImage.Transform.PERSPECTIVE, data=coefficients,
                             resample=image.resampling_algorithm)
    height, width = pixel_array.shape[:2]
    x0, y0 = max(int(origin[0]), 0), max(int(origin[1]), 0)
    x1, y1 = min(int(origin[0]) + size[0], width), min(int(origin[1]) + size[1], height)
    if x0 >= x1 or y0 >= y1:
        return
    piece = drawn.crop((x0 - int(origin[0]), y0 - int(origin[1]), x1 - int(origin[0]), y1 - int(origin[1])))
    under = PILImage.fromarray(np.ascontiguousarray(pixel_array[y0:y1, x0:x1]))
    pixel_array[y0:y1, x0:x1] = np.asarray(PILImage.alpha_composite(under, piece))


Camera.display_image_mobject = _display_image


_plain_write_frame = VideoSegmentEncoder.write_frame


def _write_held_frame(self: VideoSegmentEncoder, pixels: np.ndarray, *, repeat: int = 1) -> None:
    """Encode a frame held for ``repeat`` frames (a wait) converted to the encoder's pixel format
    once, not once per frame: at 1080p the conversion from RGBA costs about as much as encoding,
    and a chapter holds still for about half its frames. The encoder gets the same pictures."""
    if repeat == 1:
        return _plain_write_frame(self, pixels, repeat=1)
    self._validate_frame(pixels, repeat)
    context = self._stream.codec_context
    time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
    try:
        # as the encoder would convert it (PyAV's VideoCodecContext, for a frame not in its format)
        held = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
            width=context.width, height=context.height, format=context.pix_fmt, threads=context.thread_count)
        for _ in range(repeat):
            held.pts = self._next_pts
            held.time_base = time_base
            self._next_pts += 1
            for packet in self._stream.encode(held):
                self._container.mux(packet)
    except BaseException as error:
        raise self._operation_error("encode", error) from error


VideoSegmentEncoder.write_frame = _write_held_frame


def _built_once(cls: type) -> None:
    """Make ``cls(...)`` (a Text or a MathTex) build each distinct text once per process and copy
    it afterwards: building one means laying it out with Pango or LaTeX and parsing the SVG,
    fifty times a copy's cost, and a chapter makes the same label again and again. Only the
    class itself, not its subclasses; arguments that do not print as themselves are not cached."""
    build = cls.__init__
    made: dict[str, Mobject] = {}  # by the call's arguments, printed

    def init(self, *args, **kwargs):
        key = None
        if type(self) is cls:
            key = repr((args, sorted(kwargs.items())))
            key = None if " at 0x" in key else key
        if key is None:
            build(self, *args, **kwargs)
        elif key in made:
            self.__dict__.update(made[key].copy().__dict__)
        else:
            build(self, *args, **kwargs)
            made[key] = self.copy()

    cls.__init__ = init


_built_once(Text)
_built_once(MathTex)
fast_manim.install()  # faster copies and family walks, one LaTeX folder safe for parallel scenes: same pictures


def model_cards(artifacts: Sequence[str], chapter: int | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, rows) for each model among ``artifacts`` and what they are built from, and for each
    model one of them trains on the way that chapter ``chapter`` draws (``drawn_models``): the rows
    of ``models.model_card.model_facts`` and the artifact's key. Every number is known to the
    transcript, traced within its own card's manifest (``sourced``): its metrics and settings, its
    layer sizes; the key is declared a hash."""
    from models.artifacts import load_artifact
    from models.model_card import artifact_closure, drawn_models, model_facts, stage_graph
    from scenes.transcript import TracedArrays, Transcript, _flat_numbers, constant, numbers_in, sourced

    def card_rows(heading: str, name: str, manifest: dict, where: str) -> tuple[str, list[tuple[str, str]]]:
        """The card of the model ``manifest`` describes, found in artifact ``name`` at ``where``
        ("" for the artifact's own model, "models.chain." for one it trains inside)."""
        parts = {part: _flat_numbers(manifest.get(part, {})) for part in ("metrics", "config")}
        sizes = manifest.get("config", {}).get("train", {}).get("net", {}).get("sizes")

        def sources(text: str, with_sizes: bool) -> dict[str, str]:
            look = Transcript(f"{name}'s card")  # a lookup among this card's manifest alone
            files = {part: {f"{where}{part}.{k}" if where else k: np.asarray(v) for k, v in flat.items()}
                     for part, flat in parts.items()}
            if with_sizes and sizes:  # "784-16-16-10": the layer sizes
                files["config"][f"{where}config.train.net.sizes" if where else "train.net.sizes"] = \
                    np.asarray(sizes, dtype=np.float64)
            if where:  # a model inside the artifact: its metrics and config sit in the artifact's metrics
                files = {"metrics": {**files["metrics"], **files["config"]}}
            for part, arrays in files.items():
                look.uses(TracedArrays(name, part, arrays), None)
            return {n.text: look.explain(n) or "?" for n in numbers_in(text) if not n.is_label}

        rows = []
        for label, text in model_facts(manifest)[0]:
            known = sources(text, label == "Architecture")
            for line in [text, *_wrap(text, CARD_CHARS)]:
                sourced(line, known)
            rows.append((label, text))
        key = manifest.get("key") or load_artifact(name).manifest["key"]
        rows.append(("Artifact", f"{name}, key " + constant(key[:12], f"{name}'s artifact key, a hash")))
        title = heading[:1].upper() + heading[1:]
        sourced(title, sources(title, True))
        return heading, rows

    graph = stage_graph()
    out = []
    for name in artifact_closure(list(artifacts), graph):
        manifest = load_artifact(name).manifest
        models = drawn_models(manifest, chapter)
        own = model_facts(manifest)[0]
        if not own and not models:
            continue  # not a model (a story, a corpus): its numbers are the chapters' own
        traced_metrics(name)
        if own:
            out.append(card_rows((graph.get(name, ((), ""))[1] or name).split(":")[0], name, manifest, ""))
        for sub, card in models:  # "the 1-1-1-1 chain", trained inside this artifact
            out.append(card_rows(card["description"].split(":")[0], name, {**card, "key": manifest["key"]},
                                 f"models.{sub}."))
    return out


def _card_mobject(cards: list[tuple[str, list[tuple[str, str]]]]) -> VGroup:
    """The cards as one drawing in the drawing area: a heading per model, then its rows, each a
    muted label in a right-aligned column and its text (wrapped) in ink beside it."""
    blocks = VGroup()
    y = 0.0
    for heading, rows in cards:
        title = Text(heading[:1].upper() + heading[1:], font=FONT, font_size=26, color=INK)
        title.move_to([0, y, 0], aligned_edge=UP + LEFT)
        y = title.get_bottom()[1] - 0.22
        block = VGroup(title)
        for label, text in rows:
            value = VGroup(*[Text(line, font=FONT, font_size=21, color=INK) for line in _wrap(text, CARD_CHARS)])
            value.arrange(DOWN, aligned_edge=LEFT, buff=0.1).move_to([0.3, y, 0], aligned_edge=UP + LEFT)
            name = Text(label, font=FONT, font_size=21, color=MUTED)
            name.move_to([0.0, value[0].get_center()[1], 0], aligned_edge=RIGHT)
            block.add(VGroup(name, value))
            y = value.get_bottom()[1] - 0.16
        title.align_to(block[1:], LEFT)
        blocks.add(block)
        y -= 0.3
    top, bottom = DRAW_TOP - 0.15, DRAW_BOTTOM + 0.15
    # as large as the drawing area allows, up to 1.3 times as large as set (one model's short card
    # would otherwise sit small in the middle of an empty frame), never wider than the captions
    scale = min((top - bottom) / blocks.height, CARD_WIDTH / blocks.width, CARD_MAX_SCALE)
    blocks.scale(scale)
    blocks.move_to([0, (top + bottom) / 2, 0])
    return blocks


def _screen_items(mob: Mobject, out: list[tuple[str, str, bool]]) -> None:
    """The texts, formulas and data-driven drawings in ``mob`` that show (in drawing order)."""
    notes = getattr(mob, "transcript_notes", None)
    if notes:
        for role, what in notes.items():
            out.append(("draw", f"{type(mob).__name__} {role}: {what}", False))
    if isinstance(mob, TEXTS):
        if any(True for _ in _visible_leaves(mob)):
            if isinstance(mob, Text):
                out.append(("text", mob.original_text, False))
            elif not isinstance(mob, MathTexPart) or re.search(r"[A-Za-z0-9]", re.sub(r"\\[A-Za-z]+", "", mob.tex_string)):
                out.append(("tex", mob.tex_string, True))  # a part alone: unless it is a bare sign (=, \times)
        return
    for sub in mob.submobjects:
        _screen_items(sub, out)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap into lines of at most ``width`` characters (two lines at most, ideally)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines
