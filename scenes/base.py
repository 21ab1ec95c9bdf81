"""The scene base every chapter uses: caption band, title and recap cards, reading pace, data.

Captions sit in a fixed band at the bottom of the frame; drawings live above it, in
``DRAW_TOP``..``DRAW_BOTTOM``. :meth:`ChapterScene.say` shows a beat's narration and
records it for the chapter's subtitle file; before the next caption replaces it, the
scene waits until the viewer has had time to read it. With ``NN_EXPLAINER_STRICT_LAYOUT=1``
(the tests set it) a drawing that leaves the frame or runs into the caption band is an
error, named with the caption it happened under.

Example::

    class ExampleThrees(ChapterScene):
        def construct(self):
            self.say("These are all threes.")
            self.play(FadeIn(digits))
"""

from __future__ import annotations

import os

import numpy as np
from manim import (
    DOWN,
    GREY_B,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    Scene,
    Text,
    VGroup,
    Write,
)

from models.artifacts import load_artifact
from scenes.pieces import ACCENT, FONT

__all__ = ["CAPTION_Y", "DRAW_BOTTOM", "DRAW_TOP", "ChapterScene", "LayoutError", "artifact_arrays", "reading_time"]

DRAW_TOP = 3.8
DRAW_BOTTOM = -2.55  # drawings stay above this line
CAPTION_Y = -3.3  # centre of the caption band (frame bottom is -4)
CAPTION_WIDTH = 12.6
CAPTION_CHARS = 64  # per line, at the caption's font size
FRAME_HALF_WIDTH = 7.0  # a small margin inside the frame's 7.11


class LayoutError(AssertionError):
    """A drawing left the frame or ran under the caption band."""


def reading_time(text: str) -> float:
    """Seconds a caption must stay up: a beat to notice it plus about four words a second."""
    return 1.0 + len(text.split()) / 4.0


def artifact_arrays(artifact: str, filename: str) -> dict[str, np.ndarray]:
    """Arrays a scene draws, from an intact artifact (hashes checked; torch not needed)."""
    return load_artifact(artifact).arrays(filename)


class ChapterScene(Scene):
    """A beat of a chapter. Subclasses set ``chapter`` (e.g. 1) and write ``construct``."""

    chapter: int = 0

    def setup(self) -> None:
        self.caption: Mobject | None = None
        self.caption_text = ""
        self.caption_start = 0.0
        self.narration: list[tuple[float, str]] = []
        self.strict_layout = os.environ.get("NN_EXPLAINER_STRICT_LAYOUT") == "1"

    # ------------------------------------------------------------------ captions and pace

    def say(self, text: str) -> None:
        """Show a beat's narration in the caption band (after the previous one has been read)."""
        self.check_layout()
        self.finish_reading()
        new = self._caption_mobject(text)
        self.narration.append((self.time, text))  # the subtitle starts as the caption fades in
        start = self.time
        if self.caption is not None:
            self.play(FadeOut(self.caption), FadeIn(new), run_time=0.5)
        else:
            self.play(FadeIn(new), run_time=0.5)
        self.caption, self.caption_text, self.caption_start = new, text, start

    def finish_reading(self) -> None:
        """Wait until the current caption has been up long enough to read."""
        if self.caption is None:
            return
        left = reading_time(self.caption_text) - (self.time - self.caption_start)
        if left > 0.05:
            self.wait(left)

    def _caption_mobject(self, text: str) -> Mobject:
        lines = _wrap(text, CAPTION_CHARS)
        if len(lines) > 2:
            self._layout_problem(f"caption needs {len(lines)} lines, the band holds 2: {text!r}")
        caption = VGroup(*[Text(line, font=FONT, font_size=26) for line in lines]).arrange(DOWN, buff=0.12)
        if caption.width > CAPTION_WIDTH:
            caption.scale_to_fit_width(CAPTION_WIDTH)
        return caption.move_to([0, CAPTION_Y, 0])

    def clear_drawing(self, run_time: float = 0.6) -> None:
        """Fade out everything but the caption."""
        others = [m for m in self.mobjects if m is not self.caption]
        if others:
            self.play(*[FadeOut(m) for m in others], run_time=run_time)

    # ------------------------------------------------------------------ cards

    def title_card(self, title: str) -> None:
        """Open a chapter: "Chapter N · title"."""
        head = Text(f"Chapter {self.chapter}", font=FONT, font_size=34, color=ACCENT)
        name = Text(title, font=FONT, font_size=46)
        if name.width > 12.5:
            name.scale_to_fit_width(12.5)
        rule = Line([-3, 0, 0], [3, 0, 0], stroke_color=GREY_B, stroke_width=2)
        card = VGroup(head, rule, name).arrange(DOWN, buff=0.35).move_to(UP * 0.5)
        self.play(FadeIn(head), Create(rule), Write(name), run_time=1.5)
        self.wait(1.5)
        self.play(FadeOut(card), run_time=0.6)

    def recap_card(self, ideas: list[str]) -> None:
        """Close a chapter: its ideas, one line each."""
        head = Text("Recap", font=FONT, font_size=40, color=ACCENT)
        rows = VGroup(*[Text(f"\u2022  {idea}", font=FONT, font_size=28) for idea in ideas])
        rows.arrange(DOWN, aligned_edge=np.array([-1, 0, 0]), buff=0.35)
        if rows.width > 12.5:
            rows.scale_to_fit_width(12.5)
        VGroup(head, rows).arrange(DOWN, buff=0.6).move_to(UP * 0.6)
        self.play(FadeIn(head))
        for row, idea in zip(rows, ideas):
            self.narration.append((self.time, idea))
            self.play(FadeIn(row, shift=0.2 * UP), run_time=0.6)
            self.wait(reading_time(idea) - 0.6)
        self.wait(2.0)

    # ------------------------------------------------------------------ checks and endings

    def check_layout(self) -> None:
        """Every drawing inside the frame and above the caption band (strict mode raises)."""
        for mob in self.mobjects:
            if mob is self.caption or not mob.get_family():
                continue
            left, right = mob.get_left()[0], mob.get_right()[0]
            top, bottom = mob.get_top()[1], mob.get_bottom()[1]
            problem = None
            if left < -FRAME_HALF_WIDTH - 1e-3 or right > FRAME_HALF_WIDTH + 1e-3:
                problem = f"spans x {left:.2f}..{right:.2f}, frame is ±{FRAME_HALF_WIDTH}"
            elif top > DRAW_TOP + 1e-3 or bottom < DRAW_BOTTOM - 1e-3:
                problem = f"spans y {bottom:.2f}..{top:.2f}, drawing area is {DRAW_BOTTOM}..{DRAW_TOP}"
            if problem:
                self._layout_problem(f"a {type(mob).__name__} {problem} (under caption {self.caption_text!r})")

    def _layout_problem(self, message: str) -> None:
        message = f"{type(self).__name__}: {message}"
        if self.strict_layout:
            raise LayoutError(message)
        from manim import logger

        logger.warning(message)

    def tear_down(self) -> None:
        """End every scene alike: let the last caption be read, fade the drawing out, and
        record the narration for the subtitle file."""
        self.check_layout()
        self.finish_reading()
        self.clear_drawing()
        self.wait(0.5)
        end = self.time
        times = [t for t, _ in self.narration[1:]] + [end]
        for (start, text), stop in zip(self.narration, times):
            self.add_subcaption(text, duration=stop - start, offset=start - self.time)


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
