"""Drawing pieces of the language chapters (5 to 8), each built from artifact data.

They share the palette of :mod:`scenes.pieces` (blue positive, red negative, brightness for
size, yellow for "look here"), so the same value has the same colour in every chapter.

Example::

    from scenes.lm_pieces import ProbabilityBars, TokenRow
    row = TokenRow(["michael", "jordan", "plays"])
    bars = ProbabilityBars.top(probs, vocab, k=5).next_to(row, DOWN)
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    PI,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UL,
    UP,
    UR,
    Animation,
    AnimationGroup,
    Arrow,
    Circle,
    DashedLine,
    Dot,
    Group,
    GrowFromCenter,
    ImageMobject,
    Line,
    MathTex,
    Rectangle,
    RoundedRectangle,
    Square,
    Succession,
    SurroundingRectangle,
    Text,
    Transform,
    Triangle,
    VectorizedPoint,
    VGroup,
    VMobject,
)

from scenes.palette import MASKED, BACKGROUND, FAINT, INK, MUTED

from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, HeatMap, boxes_meet, fmt, value_to_color, value_to_rgb
from scenes.transcript import constant, current, note_drawing, numbers_in

__all__ = [
    "AttentionGrid",
    "EmbeddingPlot",
    "MatrixBlock",
    "PatternThumb",
    "ProbabilityBars",
    "TemperatureSlider",
    "TokenRow",
    "TransformerDiagram",
    "VectorColumn",
    "on_line",
    "percent",
    "top_words",
    # Chapter 8
    "AngleHistogram",
    "DownProjection",
    "GeluPlot",
    "GrowthPlot",
    "NeuronBars",
    "SignedBars",
    "UpProjection",
    "VectorStrip",
    "column_band",
]


def _tick(text: str, why: str) -> str:
    """An axis tick's text. A tick is no model quantity: where the screen transcript has nothing
    else that reads the same, it is declared a constant (a declaration names a text for the
    whole scene, so a tick that reads like a traced count or dimension is left to that trace)."""
    t = current()
    if t is not None and any(t.explain(n) is None for n in numbers_in(text)):
        constant(text, why)
    return text


def on_line(text: Text, y: float) -> Text:
    """Put a word's line of type (not its ink) centred at height ``y``, so that words in a row share
    a baseline: Manim centres a Text's ink, which would lift "on" above "the" and sink "play"."""
    ref = Text("|" + text.text, font=FONT, font_size=text.font_size)  # "|" spans ascender to descender
    bar, ink = ref.submobjects[0], VGroup(*ref.submobjects[1:])
    offset = (ink.get_center()[1] - bar.get_center()[1]) * text.height / ink.height
    return text.set_y(y + offset)


class TokenRow(VGroup):
    """Words (tokens) in a row of rounded boxes, as the model reads them.

    ``boxes[i]`` is token ``i``'s box and ``labels[i]`` its word; ``tokens[i]`` the two together.
    Boxes share one height; each is as wide as its word (at least ``min_width``).
    """

    def __init__(self, words: Sequence[str], font_size: int = 24, buff: float = 0.12, min_width: float = 0.45,
                 stroke_color=MUTED):
        super().__init__()
        note_drawing(self, "words", words)
        self.words = [str(w) for w in words]
        self.labels = VGroup(*[Text(w, font=FONT, font_size=font_size) for w in self.words])
        height = Text("|", font=FONT, font_size=font_size).height + 0.14  # a line of type, whatever the words
        self.boxes = VGroup()
        self.tokens = VGroup()
        for label in self.labels:
            box = RoundedRectangle(corner_radius=0.08, width=max(label.width + 0.22, min_width), height=height,
                                   stroke_color=stroke_color, stroke_width=1.5, fill_color=FAINT, fill_opacity=0.25)
            on_line(label.move_to(box), box.get_y())
            self.boxes.add(box)
            self.tokens.add(VGroup(box, label))
        self.tokens.arrange(RIGHT, buff=buff)
        self.add(self.tokens)


# ----------------------------------------------------------------------------- Chapters 5 and 6


def percent(p: float) -> str:
    """A probability as a rounded percentage: "34%", "6.1%", "0.37%", "<0.01%"."""
    x = 100.0 * float(p)
    if 99.5 <= x < 100:  # short of certain: never shown as "100%"
        digits = next((d for d in (1, 2) if round(x, d) < 100), None)
        return f"{x:.{digits}f}%" if digits else ">99.99%"
    if x >= 9.5:
        return f"{x:.0f}%"
    if x < 0.01:
        return "<0.01%"
    return f"{fmt(x, 2)}%"


def top_words(probs: np.ndarray, vocab: Sequence[str], k: int = 5) -> list[tuple[int, str, float]]:
    """The ``k`` most likely words of a distribution over ``vocab``: (id, word, probability), best first."""
    ids = np.argsort(-np.asarray(probs), kind="stable")[:k]
    # picked out together, so an artifact's array says which of its entries are shown
    shown = probs[ids] if isinstance(probs, np.ndarray) else [probs[i] for i in ids]
    return [(int(i), str(vocab[i]), float(p)) for i, p in zip(ids, shown)]


class ProbabilityBars(VGroup):
    """Next-word probabilities as horizontal bars: the word, a bar as long as ``width * p``, and the
    rounded percentage. ``rows[i]`` is (word, bar, percentage) of word ``i``.

    Build one from a whole distribution with :meth:`top`; :meth:`reshaped` gives the same words
    with new probabilities (for a ``Transform``), :meth:`highlight` a yellow box around one row.
    """

    def __init__(self, words: Sequence[str], probs: Sequence[float], width: float = 3.0, bar_height: float = 0.3,
                 font_size: int = 22, color=POSITIVE):
        super().__init__()
        note_drawing(self, "bars", probs)
        self.words, self.probs = [str(w) for w in words], [float(p) for p in probs]
        self.settings = dict(width=width, bar_height=bar_height, font_size=font_size, color=color)
        names = [Text(w, font=FONT, font_size=font_size) for w in self.words]
        name_width = max(n.width for n in names)
        self.rows = VGroup()
        for i, (name, p) in enumerate(zip(names, self.probs)):
            y = -i * (bar_height + 0.14)
            name.move_to([-0.2, y, 0], aligned_edge=RIGHT)
            bar = Rectangle(width=max(width * p, 0.02), height=bar_height, stroke_width=0, fill_color=color,
                             fill_opacity=0.85).move_to([0, y, 0], aligned_edge=LEFT)
            number = Text(percent(p), font=FONT, font_size=font_size - 2).next_to(bar, RIGHT, buff=0.15)
            on_line(name, y)
            self.rows.add(VGroup(name, bar, number))
        self.name_width = name_width
        self.add(self.rows)

    @classmethod
    def top(cls, probs: np.ndarray, vocab: Sequence[str], k: int = 5, **kwargs) -> "ProbabilityBars":
        """The ``k`` most likely next words of one distribution over ``vocab``."""
        best = top_words(probs, vocab, k)
        ids = [i for i, _, _ in best]
        shown = probs[ids] if isinstance(probs, np.ndarray) else [p for _, _, p in best]  # the drawn entries
        return cls([w for _, w, _ in best], shown, **kwargs)

    def reshaped(self, probs: Sequence[float]) -> "ProbabilityBars":
        """The same words with new probabilities, drawn where this chart is (animate with Transform)."""
        new = ProbabilityBars(self.words, probs, **self.settings)
        new.shift(self.rows[0][1].get_left() - new.rows[0][1].get_left())
        return new

    def highlight(self, index: int = 0) -> SurroundingRectangle:
        """A yellow box around one row (the top word by default)."""
        return SurroundingRectangle(self.rows[index], color=ACCENT, buff=0.06)


class EmbeddingPlot(VGroup):
    """Words as labelled dots at 2-D coordinates (a projection of their vectors), on light axes.

    ``size`` is the longest side in scene units; each label sits on the side away from the
    word's nearest neighbour (or on ``sides[word]``). :meth:`point` gives a word's (or any 2-D point's) scene position,
    :meth:`arrow` an arrow between two such points.
    """

    def __init__(self, coords: np.ndarray, words: Sequence[str], size: float = 4.5, font_size: int = 22,
                 axes: bool = True, dot_color=POSITIVE, sides: dict | None = None):
        super().__init__()
        note_drawing(self, "points", coords)
        self.coords = np.asarray(coords, dtype=float)
        self.words = [str(w) for w in words]
        span = self.coords.max(axis=0) - self.coords.min(axis=0)
        self.scale = size / float(span.max())
        self.centre = (self.coords.max(axis=0) + self.coords.min(axis=0)) / 2
        self.axes = VGroup()
        if axes:
            lo, hi = self.coords.min(axis=0) - 0.08 * span.max(), self.coords.max(axis=0) + 0.08 * span.max()
            self.axes.add(Line(self.point((lo[0], 0)), self.point((hi[0], 0)), stroke_color=FAINT, stroke_width=1.5),
                          Line(self.point((0, lo[1])), self.point((0, hi[1])), stroke_color=FAINT, stroke_width=1.5))
        self.dots = VGroup(*[Dot(self.point(c), radius=0.07, color=dot_color) for c in self.coords])
        self.labels = VGroup()
        for i, (word, dot) in enumerate(zip(self.words, self.dots)):
            away = self.coords[i] - self.coords[self._nearest(i)]
            side = (RIGHT if away[0] > 0 else LEFT) if abs(away[0]) >= abs(away[1]) else (UP if away[1] > 0 else DOWN)
            label = Text(word, font=FONT, font_size=font_size)
            if sides and word in sides:
                label.next_to(dot, sides[word], buff=0.1)
            else:  # away from the nearest word, or the first side where it covers no other word or dot
                others = [d for j, d in enumerate(self.dots) if j != i] + list(self.labels)
                for candidate in (side, UP, DOWN, RIGHT, LEFT, UR, UL, DR, DL, side):
                    label.next_to(dot, candidate, buff=0.1)
                    if not any(boxes_meet(label, other) for other in others):
                        break
            self.labels.add(label)
        self.add(self.axes, self.dots, self.labels)

    def _nearest(self, i: int) -> int:
        dist = np.linalg.norm(self.coords - self.coords[i], axis=1)
        dist[i] = np.inf
        return int(np.argmin(dist))

    def point(self, where) -> np.ndarray:
        """Scene position of a word (by name) or of a 2-D point in the projection's coordinates."""
        xy = self.coords[self.words.index(where)] if isinstance(where, str) else np.asarray(where, dtype=float)
        offset = (xy - self.centre) * self.scale
        base = self.dots[0].get_center() - np.array([*(self.coords[0] - self.centre) * self.scale, 0.0]) \
            if len(self.submobjects) else np.zeros(3)
        return base + np.array([offset[0], offset[1], 0.0])

    def arrow(self, start, end, color=ACCENT, stroke_width: float = 4) -> Arrow:
        """An arrow from one word (or 2-D point) to another."""
        return Arrow(self.point(start), self.point(end), buff=0.08, color=color, stroke_width=stroke_width,
                      max_tip_length_to_length_ratio=0.15)


class TransformerDiagram(VGroup):
    """The transformer as a row of blocks: embedding, then attention and MLP alternating for each
    of ``n_layer`` layers, unembedding, softmax. ``blocks[i]`` is block ``i`` (box and name),
    ``names[i]`` its name; :meth:`light` makes one block glow yellow and dims the rest.
    ``notes`` (one per block, e.g. matrix shapes) are written under the blocks.
    """

    def __init__(self, n_layer: int, width: float = 12.6, height: float = 1.0, font_size: int = 20,
                 notes: Sequence[str] | None = None):
        super().__init__()
        self.names = ["embedding"] + [kind for _ in range(n_layer) for kind in ("attention", "MLP")] + ["unembedding",
                                                                                                       "softmax"]
        n = len(self.names)
        gap = 0.32
        box_width = (width - gap * (n - 1)) / n
        colors = {"attention": POSITIVE, "MLP": POSITIVE}
        self.blocks = VGroup()
        for i, name in enumerate(self.names):
            box = RoundedRectangle(corner_radius=0.1, width=box_width, height=height, stroke_width=2,
                                   stroke_color=colors.get(name, MUTED), fill_color=FAINT, fill_opacity=0.3)
            box.move_to([i * (box_width + gap), 0, 0])
            label = Text(name, font=FONT, font_size=font_size)
            if label.width > box_width - 0.12:
                label.scale_to_fit_width(box_width - 0.12)
            self.blocks.add(VGroup(box, label.move_to(box)))
        self.arrows = VGroup(*[Arrow(a.get_right(), b.get_left(), buff=0.02, stroke_width=2, color=MUTED,
                                      max_tip_length_to_length_ratio=0.5) for a, b in zip(self.blocks, self.blocks[1:])])
        self.layer_labels = VGroup()
        for layer in range(n_layer):
            pair = VGroup(self.blocks[1 + 2 * layer], self.blocks[2 + 2 * layer])
            bracket = Line(pair.get_corner(UP + LEFT) + 0.15 * UP, pair.get_corner(UP + RIGHT) + 0.15 * UP,
                            stroke_color=MUTED, stroke_width=2)
            self.layer_labels.add(VGroup(bracket, Text(f"layer {layer + 1}", font=FONT, font_size=font_size - 2,
                                                       color=MUTED).next_to(bracket, UP, buff=0.08)))
        self.notes = VGroup()
        if notes is not None:
            for block, note in zip(self.blocks, notes):
                text = Text(note, font=FONT, font_size=font_size - 4, color=MUTED)
                if text.width > box_width + gap - 0.05:
                    text.scale_to_fit_width(box_width + gap - 0.05)
                self.notes.add(text.next_to(block, DOWN, buff=0.15))
        self.add(self.blocks, self.arrows, self.layer_labels, self.notes)
        self.move_to(np.zeros(3))

    def light(self, index: int) -> Animation:
        """An animation: block ``index`` glows yellow, every other block returns to grey."""
        target = self.blocks.copy()
        for i, block in enumerate(target):
            block[0].set_fill(ACCENT if i == index else FAINT, opacity=0.45 if i == index else 0.3)
        return Transform(self.blocks, target)


class TemperatureSlider(VGroup):
    """A slider for the softmax temperature: a track from ``low`` to ``high`` with ticks at
    ``marks``, a knob, and the value read out above it ("T = 1.0"). :meth:`move` animates both."""

    def __init__(self, marks: Sequence[float], low: float = 0.0, high: float = 2.5, length: float = 4.0,
                 value: float = 1.0, font_size: int = 22):
        super().__init__()
        self.low, self.high, self.length, self.font_size = float(low), float(high), float(length), font_size
        self.track = Line([0, 0, 0], [length, 0, 0], stroke_color=MUTED, stroke_width=4)
        self.ticks = VGroup()
        for m in marks:
            x = self._x(m)
            self.ticks.add(VGroup(Line([x, -0.1, 0], [x, 0.1, 0], stroke_color=MUTED, stroke_width=2),
                                  Text(f"{float(m):g}", font=FONT, font_size=font_size - 4, color=MUTED)
                                  .move_to([x, -0.32, 0])))
        self.knob = Dot([self._x(value), 0, 0], radius=0.13, color=ACCENT)
        self.readout = self._readout(value)
        self.value = float(value)
        self.add(self.track, self.ticks, self.knob, self.readout)

    def _x(self, t: float) -> float:
        return self.length * (float(t) - self.low) / (self.high - self.low)

    def _readout(self, t: float) -> Text:
        return Text(f"T = {fmt(t, 2)}", font=FONT, font_size=self.font_size, color=ACCENT).next_to(self.knob, UP,
                                                                                                     buff=0.15)

    def move(self, t: float) -> list[Animation]:
        """Animations that slide the knob to temperature ``t`` and update the readout."""
        start = self.track.get_start()
        target = start + RIGHT * self._x(t)
        knob = self.knob.copy().move_to(target)
        readout = Text(f"T = {fmt(t, 2)}", font=FONT, font_size=self.font_size, color=ACCENT).next_to(knob, UP,
                                                                                                       buff=0.15)
        self.value = float(t)
        return [self.knob.animate.move_to(target), Transform(self.readout, readout)]


# ----------------------------------------------------------------------------- Chapters 7 and 8

MASKED_FILL = MASKED  # a cell a query may not look at (a later key): grey, not a value


class AttentionGrid(VGroup):
    """One head's attention over a sentence: a row per key, a column per query (the words label both).

    Arrays come in the model's layout, ``values[query, key]`` (``head_scores``, ``head_pattern``).
    ``cells[k][q]`` is the square where query ``q`` meets key ``k``; keys after the query
    (``k > q``, below the diagonal) are the masked half. :meth:`shade` colours cells by signed
    scores, :meth:`mask` greys the masked half, :meth:`softmax` turns each query's column into
    dots whose area is the attention weight, column by column.
    """

    def __init__(self, words: Sequence[str], cell: float = 0.36, font_size: int = 18, labels: bool = True):
        super().__init__()
        self.words = [str(w) for w in words]
        self.n, self.cell = len(self.words), cell
        self.cells = VGroup(*[
            VGroup(*[
                Square(cell, stroke_color=FAINT, stroke_width=1, fill_color=BACKGROUND, fill_opacity=1)
                .move_to([q * cell, -k * cell, 0])
                for q in range(self.n)
            ])
            for k in range(self.n)
        ])
        self.add(self.cells)
        self.key_labels, self.query_labels = VGroup(), VGroup()
        if labels:
            for k, word in enumerate(self.words):
                label = Text(word, font=FONT, font_size=font_size)
                label.next_to(self.cells[k][0], LEFT, buff=0.12)
                self.key_labels.add(label)
            for q, word in enumerate(self.words):
                label = Text(word, font=FONT, font_size=font_size).rotate(PI / 2)
                label.next_to(self.cells[0][q], UP, buff=0.12)
                self.query_labels.add(label)
            self.add(self.key_labels, self.query_labels)
        self.dots = VGroup()

    def cell_at(self, query: int, key: int) -> Square:
        return self.cells[key][query]

    def column(self, query: int, masked: bool = True) -> VGroup:
        """One query's cells, top to bottom (only the keys it may see when ``masked``)."""
        last = query + 1 if masked else self.n
        return VGroup(*[self.cells[k][query] for k in range(last)])

    def masked_cells(self) -> VGroup:
        return VGroup(*[self.cells[k][q] for k in range(self.n) for q in range(self.n) if k > q])

    def _fills(self, values: np.ndarray, vmax: float) -> list[tuple[Square, object]]:
        values = np.asarray(values)
        return [(self.cells[k][q], value_to_color(float(values[q, k]), vmax))
                for k in range(self.n) for q in range(self.n) if np.isfinite(values[q, k])]

    def shade(self, values: np.ndarray, vmax: float, animate: bool = True):
        """Colour every cell by its signed value ``values[q, k]`` (palette, ``|v| / vmax`` bright).

        Returns an animation, or the grid itself (shaded at once) when ``animate`` is False."""
        note_drawing(self, "cells shaded", values)
        fills = self._fills(values, vmax)
        if not animate:
            for square, color in fills:
                square.set_fill(color, opacity=1)
            return self
        return AnimationGroup(*[square.animate.set_fill(color, opacity=1) for square, color in fills])

    def mask(self, animate: bool = True):
        """Grey out the masked half: a query may not look at later keys."""
        cells = self.masked_cells()
        if not animate:
            cells.set_fill(MASKED_FILL, opacity=1)
            return self
        return cells.animate.set_fill(MASKED_FILL, opacity=1)

    def pattern_dots(self, pattern: np.ndarray, max_fill: float = 0.92) -> VGroup:
        """Dots for ``pattern[q, k]``: area and brightness grow with the weight; ``dots[q]`` is a column."""
        dots = VGroup()
        note_drawing(dots, "dots", pattern)
        pattern = np.asarray(pattern)
        for q in range(self.n):
            column = VGroup()
            for k in range(q + 1):
                w = float(pattern[q, k])
                radius = max(0.5 * max_fill * self.cell * np.sqrt(max(w, 0.0)), 1e-3)
                column.add(Circle(radius=radius, stroke_width=0, fill_color=value_to_color(w, 1.0), fill_opacity=1)
                           .move_to(self.cells[k][q]))
            dots.add(column)
        return dots

    def softmax(self, pattern: np.ndarray, animate: bool = True, frame_color=ACCENT, run_time: float = 4.0):
        """Softmax each query's column of (scaled, masked) scores into its attention weights.

        Animated, returns ``(animation, frame)``: a yellow frame walks from column to column
        while its shaded squares give way to dots; after playing it, call :meth:`keep_dots`.
        Otherwise the dots are placed at once. The dots are ``self.dots``."""
        self.dots = self.pattern_dots(pattern)
        if not animate:
            for q in range(self.n):
                self.column(q).set_fill(BACKGROUND, opacity=1)
            self.add(self.dots)
            return self
        frame = Rectangle(width=self.cell, height=self.cell * self.n, stroke_color=frame_color, stroke_width=3)
        frame.move_to(self.column(0, masked=False))
        steps = []
        for q in range(self.n):
            target = self.column(q, masked=False).get_center()
            steps.append(AnimationGroup(
                frame.animate.move_to(target),
                self.column(q).animate.set_fill(BACKGROUND, opacity=1),
                *[GrowFromCenter(dot) for dot in self.dots[q]],
            ))
        return Succession(*steps, run_time=run_time), frame

    def keep_dots(self, scene) -> None:
        """After the softmax animation: the dots it brought in become part of the grid."""
        self.add(self.dots)
        self.settle(scene)

    def settle(self, scene) -> None:
        """Put the grid back in ``scene`` as one piece after an animation of it (shade, mask, softmax).

        Those animations leave pieces of the grid in the scene (Manim splits the grid when an
        animation adds one of its squares): drawn twice, and the squares drawn after the dots
        would cover them. The pieces go (anything else they held stays); the grid returns whole."""
        mine = set(self.get_family()) | set(self.dots.get_family())
        for mob in list(scene.mobjects):
            family = mob.get_family()
            if any(m in mine for m in family):
                scene.remove(mob)
                scene.add(*[m for m in family if m not in mine and not m.submobjects and m.has_points()])
        scene.add(self)


class MatrixBlock(Group):
    """A weight matrix as a shaded block with its real shape: one pixel per entry on the palette,
    a thin frame, its name above (LaTeX, ``title``) and ``rows × cols`` below (``shape``)."""

    def __init__(self, values: np.ndarray, name: str | None = None, cell: float = 0.05,
                 vmax: float | None = None, font_size: int = 30, shape_label: bool = True, role: str = "weights"):
        note_drawing(self, role, values)
        values = np.asarray(values)
        self.rows, self.cols = values.shape
        self.heat = HeatMap(values, vmax=vmax, height=self.rows * cell)
        self.frame = Rectangle(width=self.heat.width, height=self.heat.height, stroke_color=MUTED,
                               stroke_width=1.5).move_to(self.heat)
        parts: list = [self.heat, self.frame]
        # ``title``, not ``name``: Mobject.__init__ sets ``name`` to the class name
        self.title = MathTex(name, font_size=font_size).next_to(self.frame, UP, buff=0.12) if name else None
        self.shape = (Text(f"{self.rows} \u00d7 {self.cols}", font=FONT, font_size=int(font_size * 0.6), color=MUTED)
                      .next_to(self.frame, DOWN, buff=0.1) if shape_label else None)
        parts += [m for m in (self.title, self.shape) if m is not None]
        super().__init__(*parts)

    def band(self, start: int, stop: int, color=ACCENT) -> Rectangle:
        """A frame around rows ``start:stop`` (a head's slice of a stacked matrix)."""
        step = self.heat.height / self.rows
        top = self.heat.get_top()[1] - start * step
        return Rectangle(width=self.heat.width + 0.08, height=(stop - start) * step, stroke_color=color,
                         stroke_width=2.5).move_to([self.heat.get_x(), top - (stop - start) * step / 2, 0])


# ----------------------------------------------------------------------------- Chapter 7


class VectorColumn(Group):
    """A vector too long to print (64 numbers) as a thin column of shaded cells, entry 0 at the top,
    on the palette, in a thin frame; ``label`` (a word) sits above it."""

    def __init__(self, values: np.ndarray, height: float = 3.0, width: float = 0.28, vmax: float | None = None,
                 label: str | None = None, font_size: int = 20, label_color=MUTED, role: str = "entries"):
        note_drawing(self, role, values)
        values = np.asarray(values, dtype=float).reshape(-1)
        self.n = len(values)
        self.heat = HeatMap(values[:, None], vmax=vmax, height=height)
        self.heat.stretch_to_fit_width(width)
        self.frame = Rectangle(width=width, height=height, stroke_color=MUTED, stroke_width=1.5).move_to(self.heat)
        self.label = (Text(label, font=FONT, font_size=font_size, color=label_color).next_to(self.frame, UP, buff=0.12)
                      if label else None)
        super().__init__(*[m for m in (self.heat, self.frame, self.label) if m is not None])


class PatternThumb(Group):
    """One head's attention pattern as one small image, laid out like :class:`AttentionGrid` (a row
    per key, a column per query; ``pattern[query, key]``): brightness is the weight, the masked
    half grey. ``title`` goes above."""

    def __init__(self, pattern: np.ndarray, size: float = 1.8, title: str | None = None, font_size: int = 18,
                 title_color=MUTED):
        note_drawing(self, "pattern", pattern)
        pattern = np.asarray(pattern, dtype=float)
        n = len(pattern)
        rgb = value_to_rgb(pattern.T, 1.0)  # rows are keys now
        rgb[np.tril(np.ones((n, n), dtype=bool), -1)] = np.round(np.array(MASKED_FILL.to_rgb()) * 255).astype(np.uint8)
        self.image = ImageMobject(rgb)
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.image.height = size
        self.frame = Rectangle(width=size, height=size, stroke_color=FAINT, stroke_width=1.5).move_to(self.image)
        self.title = (Text(title, font=FONT, font_size=font_size, color=title_color).next_to(self.frame, UP, buff=0.16)
                      if title else None)
        super().__init__(*[m for m in (self.image, self.frame, self.title) if m is not None])


# ----------------------------------------------------------------------------- Chapter 8
# How an MLP stores a fact (Chapter 8): the MLP on one real vector, a neuron across prompts,
# signed contributions, and the superposition plots.


class VectorStrip(VectorColumn):
    """A :class:`VectorColumn` with a name above (LaTeX, ``title``), a note below (``note``, e.g.
    "64") and pointers: :meth:`entry` gives an entry's scene position, :meth:`marker` a yellow
    triangle pointing at an entry."""

    def __init__(self, values: np.ndarray, height: float = 3.0, width: float = 0.26, vmax: float | None = None,
                 name: str | None = None, note: str | None = None, font_size: int = 30, role: str = "entries"):
        super().__init__(values, height=height, width=width, vmax=vmax, role=role)
        self.frame.set_stroke(width=1.2)
        self.values = np.asarray(values, dtype=float).reshape(-1)
        # ``title``, not ``name``: Mobject keeps its class name in ``name``
        self.title = MathTex(name, font_size=font_size).next_to(self.frame, UP, buff=0.12) if name else None
        self.note = (Text(note, font=FONT, font_size=18, color=MUTED).next_to(self.frame, DOWN, buff=0.1)
                     if note else None)
        self.add(*[m for m in (self.title, self.note) if m is not None])

    def entry(self, index: int) -> np.ndarray:
        """Scene position of entry ``index``'s cell centre."""
        step = self.frame.height / self.n
        return np.array([self.frame.get_x(), self.frame.get_top()[1] - (index + 0.5) * step, 0.0])

    def marker(self, index: int, side: np.ndarray = RIGHT, label: str | None = None, color=ACCENT,
               font_size: int = 20) -> VGroup:
        """A small triangle pointing at entry ``index`` from ``side``, with an optional label beyond it."""
        tip = self.entry(index) + side * (self.frame.width / 2 + 0.04)
        triangle = Triangle(fill_color=color, fill_opacity=1, stroke_width=0).scale(0.08)
        triangle.rotate(PI / 2 if side[0] > 0 else -PI / 2)  # pointing back at the strip
        triangle.move_to(tip + side * 0.09)
        group = VGroup(triangle)
        if label:
            group.add(Text(label, font=FONT, font_size=font_size, color=color).next_to(triangle, side, buff=0.08))
        return group


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU the model uses (``F.gelu``): x times the normal distribution function."""
    return np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in np.atleast_1d(x)])


class _Plot(VGroup):
    """A plot area whose :meth:`point` follows the drawing when it is moved or scaled: two invisible
    anchors mark the corners (x_lo, y_lo) and (x_hi, y_hi) of its data ranges."""

    def _set_frame(self, x_range: tuple[float, float], y_range: tuple[float, float], width: float, height: float):
        self.x_range, self.y_range = (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))
        self.anchors = VGroup(VectorizedPoint(np.zeros(3)), VectorizedPoint(np.array([width, height, 0.0])))
        self.add(self.anchors)

    def point(self, x: float, y: float) -> np.ndarray:
        """Scene position of the data point (x, y)."""
        (lo, hi), (ylo, yhi) = self.x_range, self.y_range
        a, b = self.anchors[0].get_center(), self.anchors[1].get_center()
        return a + (b - a) * np.array([(x - lo) / (hi - lo), (y - ylo) / (yhi - ylo), 0.0])


class GeluPlot(_Plot):
    """The GELU non-linearity as a curve, with one dot per neuron at its real (before, after) pair.

    ``pre`` and ``post`` are the MLP's pre- and post-activations (post = GELU(pre)); the dots of
    ``highlight`` neurons are yellow and larger. :meth:`point` maps (before, after) to the scene.
    """

    def __init__(self, pre: np.ndarray, post: np.ndarray, highlight: Sequence[int] = (), width: float = 3.6,
                 height: float = 2.6, x_range: tuple[float, float] | None = None,
                 y_range: tuple[float, float] | None = None, font_size: int = 18):
        super().__init__()
        note_drawing(self, "dots at z", pre)
        note_drawing(self, "dots at a", post)
        pre, post = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
        lo, hi = x_range or (math.floor(pre.min()), math.ceil(pre.max()))
        ylo, yhi = y_range or (-0.5, math.ceil(post.max()))
        self._set_frame((lo, hi), (ylo, yhi), width, height)
        self.axes = VGroup(Line(self.point(lo, 0), self.point(hi, 0), stroke_color=MUTED, stroke_width=1.5),
                           Line(self.point(0, ylo), self.point(0, yhi), stroke_color=MUTED, stroke_width=1.5))
        xs = np.linspace(lo, hi, 120)  # the function itself (the model's exact GELU), drawn as a curve
        self.curve = VMobject(stroke_color=INK, stroke_width=2.5)
        self.curve.set_points_smoothly([self.point(x, y) for x, y in zip(xs, _gelu(xs))])
        self.ticks = VGroup()
        for x in range(int(math.ceil(lo)), int(math.floor(hi)) + 1):  # numbers under the plot, clear of the curve
            if x != 0:
                self.ticks.add(Line(self.point(x, 0) + DOWN * 0.05, self.point(x, 0) + UP * 0.05, stroke_color=MUTED,
                                    stroke_width=1.5))
                self.ticks.add(Text(_tick(f"{x}".replace("-", "\u2212"), "a tick of the GELU plot's z axis"), font=FONT,
                                    font_size=font_size, color=MUTED)
                               .next_to(self.point(x, ylo), DOWN, buff=0.08))
        for y in range(int(math.ceil(ylo)), int(math.floor(yhi)) + 1):
            if y != 0:
                self.ticks.add(Text(_tick(f"{y}", "a tick of the GELU plot's a axis"), font=FONT, font_size=font_size,
                                    color=MUTED)
                               .next_to(self.point(0, y), LEFT, buff=0.08))
        shown = [int(i) for i in highlight]
        self.dots = VGroup(*[Dot(self.point(x, y), radius=0.035, color=POSITIVE if y >= 0 else NEGATIVE,
                                 fill_opacity=0.8) for i, (x, y) in enumerate(zip(pre, post)) if i not in shown])
        self.highlighted = VGroup(*[Dot(self.point(pre[i], post[i]), radius=0.07, color=ACCENT) for i in shown])
        self.add(self.axes, self.ticks, self.curve, self.dots, self.highlighted)
        self.move_to(np.zeros(3))


def _place_row(items: Sequence, frames: Sequence, gaps: Sequence[float]) -> None:
    """Put ``items`` left to right so that their ``frames`` sit on the line y = 0, ``gaps`` apart."""
    x = 0.0
    for item, frame, gap in zip(items, frames, [0.0, *gaps]):
        item.shift(np.array([x + gap - frame.get_left()[0], -frame.get_y(), 0.0]))
        x = frame.get_right()[0]


def _typical(weights: np.ndarray) -> float:
    """A colour scale for a weight matrix: three times its root-mean-square, so typical weights
    show and only the largest few saturate (the full scale would leave most of it black)."""
    return 3.0 * float(np.sqrt(np.mean(np.square(weights))))


def column_band(block: MatrixBlock, start: int, stop: int, color=ACCENT) -> Rectangle:
    """A frame around columns ``start:stop`` of a :class:`MatrixBlock` (one neuron's column of W_down)."""
    step = block.heat.width / block.cols
    left = block.heat.get_left()[0] + start * step
    return Rectangle(width=max((stop - start) * step, 0.03), height=block.heat.height + 0.08, stroke_color=color,
                     stroke_width=2.5).move_to([left + (stop - start) * step / 2, block.heat.get_y(), 0])


class UpProjection(Group):
    """The first half of an MLP on one real vector: ``W_up x + b = z``, then ``GELU(z) = a``.

    Strips of 256 numbers are ``height`` tall, strips of 64 half that; W_up is a
    :class:`MatrixBlock` with its real shape. The bias, pre- and post-activations share one
    colour scale (so a small bias looks small). Parts: ``w_up``, ``x``, ``b``, ``pre``, ``post``,
    ``symbols`` (+, =), ``gelu`` (the arrow and its name). :meth:`highlight` points at one neuron.
    """

    def __init__(self, x: np.ndarray, up_weight: np.ndarray, up_bias: np.ndarray, pre: np.ndarray, post: np.ndarray,
                 height: float = 4.4):
        n_hidden, n_in = np.shape(up_weight)
        vmax = float(max(np.abs(pre).max(), np.abs(post).max()))
        self.w_up = MatrixBlock(up_weight, r"W_{\uparrow}", cell=height / n_hidden, vmax=_typical(up_weight),
                                role="W_up")
        self.x = VectorStrip(x, height=height * n_in / n_hidden * 2, name="x", note=str(n_in), role="x (the vector in)")
        self.b = VectorStrip(up_bias, height=height, vmax=vmax, name=r"b_{\uparrow}", note=str(n_hidden),
                             role="b_up (bias)")
        self.pre = VectorStrip(pre, height=height, vmax=vmax, name="z", note=str(n_hidden), role="z (before GELU)")
        self.post = VectorStrip(post, height=height, vmax=vmax, name="a", note=str(n_hidden),
                                role="a (activations)")
        plus, equals = MathTex("+", font_size=40), MathTex("=", font_size=40)
        arrow = Arrow(LEFT * 0.8, RIGHT * 0.8, buff=0, stroke_width=3, color=INK, max_tip_length_to_length_ratio=0.15)
        self.gelu = VGroup(arrow, Text("GELU", font=FONT, font_size=22).next_to(arrow, UP, buff=0.1))
        self.symbols = VGroup(plus, equals)
        items = [self.w_up, self.x, plus, self.b, equals, self.pre, self.gelu, self.post]
        frames = [self.w_up.frame, self.x.frame, plus, self.b.frame, equals, self.pre.frame, arrow, self.post.frame]
        _place_row(items, frames, [0.15, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2])
        super().__init__(*items)
        self.move_to(np.zeros(3))

    def highlight(self, neuron: int, label: str | None = None) -> VGroup:
        """Yellow marks on one neuron: its row of W_up, its bias, its value before and after GELU."""
        return VGroup(self.w_up.band(neuron, neuron + 1), self.b.marker(neuron), self.pre.marker(neuron),
                      self.post.marker(neuron, label=label))


class DownProjection(Group):
    """The second half of an MLP: ``W_down a + b = out``, and ``out`` added to the vector that came in.

    ``post`` (the 256 activations) is drawn like :class:`UpProjection`'s; W_down is a
    :class:`MatrixBlock` whose column ``i`` is what neuron ``i`` adds. The vectors of 64 (the bias,
    the output, the vector before and after) share one colour scale, so sizes compare. Parts:
    ``w_down``, ``post``, ``b``, ``out``, ``symbols``, and ``residual`` = (``resid_in``, +,
    ``out_again``, =, ``resid_out``) to the right.
    """

    def __init__(self, post: np.ndarray, down_weight: np.ndarray, down_bias: np.ndarray, out: np.ndarray,
                 resid_in: np.ndarray, resid_out: np.ndarray, height: float = 4.4, post_vmax: float | None = None):
        n_out, n_hidden = np.shape(down_weight)
        short = height * n_out / n_hidden * 2
        vmax = float(max(np.abs(v).max() for v in (down_bias, out, resid_in, resid_out)))
        self.w_down = MatrixBlock(down_weight, r"W_{\downarrow}", cell=height / n_hidden, vmax=_typical(down_weight),
                                  role="W_down")
        self.post = VectorStrip(post, height=height, vmax=post_vmax, name="a", note=str(n_hidden),
                                role="a (activations)")
        self.b = VectorStrip(down_bias, height=short, vmax=vmax, name=r"b_{\downarrow}", note=str(n_out),
                             role="b_down (bias)")
        self.out = VectorStrip(out, height=short, vmax=vmax, name=r"\text{out}", note=str(n_out), role="out")
        self.resid_in = VectorStrip(resid_in, height=short, vmax=vmax, name="v", note=str(n_out),
                                    role="v (the vector in)")
        self.out_again = VectorStrip(out, height=short, vmax=vmax, name=r"\text{out}", note=str(n_out), role="out")
        self.resid_out = VectorStrip(resid_out, height=short, vmax=vmax, name=r"v'", note=str(n_out),
                                     role="v' (the vector out)")
        sym = [MathTex(s, font_size=40) for s in ("+", "=", "+", "=")]
        self.symbols = VGroup(sym[0], sym[1])
        self.residual = Group(self.resid_in, sym[2], self.out_again, sym[3], self.resid_out)
        items = [self.w_down, self.post, sym[0], self.b, sym[1], self.out, self.resid_in, sym[2], self.out_again,
                 sym[3], self.resid_out]
        frames = [self.w_down.frame, self.post.frame, sym[0], self.b.frame, sym[1], self.out.frame,
                  self.resid_in.frame, sym[2], self.out_again.frame, sym[3], self.resid_out.frame]
        _place_row(items, frames, [0.15, 0.25, 0.25, 0.25, 0.25, 1.1, 0.25, 0.25, 0.25, 0.25])
        super().__init__(self.w_down, self.post, self.symbols, self.b, self.out, self.residual)
        self.move_to(np.zeros(3))

    def highlight(self, neuron: int, label: str | None = None) -> VGroup:
        """Yellow marks on one neuron: its activation and its column of W_down."""
        return VGroup(column_band(self.w_down, neuron, neuron + 1), self.post.marker(neuron, label=label))


class NeuronBars(VGroup):
    """One neuron's real activation for each of several prompts (athletes), as vertical bars on the
    palette (blue up for positive, red down for negative), names written upwards under the bars.

    ``groups`` (one label per bar, e.g. the athletes' sports; equal neighbours form a group) are
    written under the names with a bracket. ``highlight`` is the bar drawn yellow. ``bars[i]``
    is bar ``i``; :meth:`value_label` writes a bar's rounded value; :meth:`reshaped` gives the
    same chart for another neuron (animate with ``Transform(chart.bars, chart.reshaped(v))``).
    """

    def __init__(self, values: Sequence[float], names: Sequence[str], groups: Sequence[str] | None = None,
                 highlight: int | None = None, vmax: float | None = None, bar_width: float = 0.34,
                 spacing: float = 0.46, group_gap: float = 0.22, max_height: float = 2.2, font_size: int = 18):
        super().__init__()
        note_drawing(self, "bars", values)
        self.values = [float(v) for v in values]
        self.vmax = float(vmax if vmax is not None else max(abs(v) for v in self.values))
        self.settings = dict(bar_width=bar_width, max_height=max_height)
        self.highlight_index = highlight
        self.xs, x = [], 0.0
        for i in range(len(self.values)):
            if i and groups is not None and groups[i] != groups[i - 1]:
                x += group_gap
            self.xs.append(x)
            x += spacing
        self.zero = Line([self.xs[0] - spacing / 2, 0, 0], [self.xs[-1] + spacing / 2, 0, 0], stroke_color=MUTED,
                         stroke_width=1.5)
        self.bars = self._bars(self.values)
        lowest = min(0.0, *[b.get_bottom()[1] for b in self.bars])
        self.names = VGroup()
        for i, (name, x) in enumerate(zip(names, self.xs)):
            label = Text(str(name), font=FONT, font_size=font_size, color=ACCENT if i == highlight else INK)
            label.rotate(PI / 2).move_to([x, lowest - 0.1, 0], aligned_edge=UP)
            self.names.add(label)
        self.groups = VGroup()
        if groups is not None:
            bottom = self.names.get_bottom()[1] - 0.1
            start = 0
            for i in range(1, len(groups) + 1):
                if i == len(groups) or groups[i] != groups[start]:
                    a, b = self.xs[start] - bar_width / 2, self.xs[i - 1] + bar_width / 2
                    line = Line([a, bottom, 0], [b, bottom, 0], stroke_color=MUTED, stroke_width=1.5)
                    text = Text(str(groups[start]), font=FONT, font_size=font_size, color=MUTED)
                    self.groups.add(VGroup(line, text.next_to(line, DOWN, buff=0.08)))
                    start = i
        self.add(self.zero, self.bars, self.names, self.groups)
        self.move_to(np.zeros(3))

    def _bars(self, values: Sequence[float]) -> VGroup:
        bars = VGroup()
        w, h = self.settings["bar_width"], self.settings["max_height"]
        for i, (v, x) in enumerate(zip(values, self.xs)):
            height = max(abs(v) / self.vmax * h, 0.01)
            color = ACCENT if i == self.highlight_index else (POSITIVE if v >= 0 else NEGATIVE)
            bar = Rectangle(width=w, height=height, stroke_width=0, fill_color=color, fill_opacity=0.9)
            bar.move_to([x, 0, 0], aligned_edge=DOWN if v >= 0 else UP)
            bars.add(bar)
        return bars

    def reshaped(self, values: Sequence[float]) -> VGroup:
        """New bars for ``values`` (same scale, names and place), to transform ``bars`` into."""
        bars = self._bars([float(v) for v in values])
        note_drawing(bars, "bars", values)
        bars.shift(self.zero.get_center() - np.array([(self.xs[0] + self.xs[-1]) / 2, 0, 0]))
        return bars

    def value_label(self, index: int, value: float | None = None, color=None, font_size: int = 20,
                    bars: VGroup | None = None) -> Text:
        """The rounded value of bar ``index`` (or ``value``, on ``bars``), just beyond the bar's end."""
        v = self.values[index] if value is None else float(value)
        bar = (bars or self.bars)[index]
        text = Text(fmt(v), font=FONT, font_size=font_size, color=color or (ACCENT if index == self.highlight_index
                                                                              else INK))
        return text.next_to(bar, UP if v >= 0 else DOWN, buff=0.08)


class SignedBars(VGroup):
    """Signed values as horizontal bars from one zero line: blue to the right for positive, red to
    the left for negative, the name on the left, the rounded value beyond the bar's end.
    ``rows[i]`` is (name, bar, value); :meth:`highlight` boxes one row in yellow."""

    def __init__(self, values: Sequence[float], names: Sequence[str], scale: float | None = None,
                 max_length: float = 3.0, bar_height: float = 0.3, font_size: int = 20, sig: int = 3):
        super().__init__()
        note_drawing(self, "bars", values)
        self.values = [float(v) for v in values]
        self.unit = scale or max_length / max(abs(v) for v in self.values)
        self.rows = VGroup()
        for i, v in enumerate(self.values):
            y = -i * (bar_height + 0.16)
            bar = Rectangle(width=max(abs(v) * self.unit, 0.02), height=bar_height, stroke_width=0,
                            fill_color=POSITIVE if v >= 0 else NEGATIVE, fill_opacity=0.9)
            bar.move_to([0, y, 0], aligned_edge=LEFT if v >= 0 else RIGHT)
            number = Text(fmt(v, sig), font=FONT, font_size=font_size - 2)
            number.next_to(bar, RIGHT if v >= 0 else LEFT, buff=0.12)
            self.rows.add(VGroup(bar, number))
        names_right = min(row.get_left()[0] for row in self.rows) - 0.25  # clear of every bar and value
        for row, name in zip(self.rows, names):
            label = Text(str(name), font=FONT, font_size=font_size).move_to([names_right, row[0].get_y(), 0],
                                                                           aligned_edge=RIGHT)
            row.submobjects.insert(0, label)
        top, bottom = self.rows.get_top()[1] + 0.08, self.rows.get_bottom()[1] - 0.08
        self.zero = Line([0, top, 0], [0, bottom, 0], stroke_color=MUTED, stroke_width=1.5)
        self.add(self.zero, self.rows)
        self.move_to(np.zeros(3))

    def highlight(self, index: int) -> SurroundingRectangle:
        return SurroundingRectangle(self.rows[index], color=ACCENT, buff=0.06)


class AngleHistogram(_Plot):
    """How the angles between pairs of directions are spread: one bar per degree (real counts from
    ``np.histogram`` over ``edges``), drawn for the window ``lo``..``hi`` degrees, with the band
    90° ± ``tolerance`` marked by dashed yellow lines. ``ymax`` fixes the height scale, so two
    histograms compare; :meth:`reshaped` gives the bars for other counts (for a ``Transform``)."""

    def __init__(self, counts: np.ndarray, edges: np.ndarray, lo: float = 55, hi: float = 125,
                 tolerance: float = 10.0, ymax: float | None = None, width: float = 5.6, height: float = 2.6,
                 font_size: int = 18):
        super().__init__()
        note_drawing(self, "counts", counts)
        self.edges = np.asarray(edges, dtype=float)
        counts = np.asarray(counts)
        self.ymax = float(ymax if ymax is not None else counts.max())
        self._set_frame((lo, hi), (0, self.ymax), width, height)
        self.bars = self._bars(counts)
        self.axis = Line(self.point(lo, 0), self.point(hi, 0), stroke_color=MUTED, stroke_width=1.5)
        self.ticks = VGroup()
        for deg in (60, 90 - tolerance, 90, 90 + tolerance, 120):
            if lo <= deg <= hi:
                tick = Line(self.point(deg, 0), self.point(deg, 0) + DOWN * 0.08, stroke_color=MUTED, stroke_width=1.5)
                self.ticks.add(VGroup(tick, Text(_tick(f"{deg:g}\u00b0", "a tick of the angle axis"), font=FONT,
                                                 font_size=font_size, color=MUTED)
                                      .next_to(tick, DOWN, buff=0.05)))
        self.band = VGroup(*[DashedLine(self.point(deg, 0), self.point(deg, self.ymax), color=ACCENT, stroke_width=2)
                             for deg in (90 - tolerance, 90 + tolerance)])
        self.add(self.bars, self.axis, self.ticks, self.band)
        self.move_to(np.zeros(3))

    def _bars(self, counts: np.ndarray) -> VGroup:
        bars = VGroup()
        lo, hi = self.x_range
        for left, right, c in zip(self.edges[:-1], self.edges[1:], counts):
            if left < lo or right > hi:
                continue
            bottom = self.point(left, 0)
            top = self.point(right, float(c))
            bar = Rectangle(width=(top - bottom)[0] * 0.85, height=max((top - bottom)[1], 0.005), stroke_width=0,
                            fill_color=POSITIVE, fill_opacity=0.9)
            bars.add(bar.move_to((bottom + top) / 2 * np.array([1, 0, 0]) + np.array([0, bottom[1], 0]),
                                 aligned_edge=DOWN))
        return bars

    def reshaped(self, counts: np.ndarray) -> VGroup:
        """Bars for other counts on this histogram's axes."""
        bars = self._bars(np.asarray(counts))
        note_drawing(bars, "counts", counts)
        return bars


class GrowthPlot(_Plot):
    """How many directions fit, against the dimension: the real counts as dots joined by a line,
    with the dashed line ``count = dimension`` (exactly perpendicular directions) for comparison.
    ``dots[i]`` is dimension ``i``'s dot; :meth:`point` maps (dimension, count) to the scene."""

    def __init__(self, dimensions: Sequence[int], counts: Sequence[int], width: float = 5.0, height: float = 3.6,
                 y_max: float | None = None, y_step: int = 100, x_step: int = 16, font_size: int = 18):
        super().__init__()
        note_drawing(self, "dimensions", dimensions)
        note_drawing(self, "counts", counts)
        dims, counts = [int(d) for d in dimensions], [int(c) for c in counts]
        y_max = y_max or y_step * math.ceil(max(counts) / y_step)
        x_max = x_step * math.ceil(max(dims) / x_step)
        self._set_frame((0, x_max), (0, y_max), width, height)
        self.axes = VGroup(Line(self.point(0, 0), self.point(x_max, 0), stroke_color=MUTED, stroke_width=1.5),
                           Line(self.point(0, 0), self.point(0, y_max), stroke_color=MUTED, stroke_width=1.5))
        self.ticks = VGroup()
        for x in range(0, x_max + 1, x_step):
            self.ticks.add(Text(_tick(str(x), "a tick of the dimensions axis"), font=FONT, font_size=font_size,
                                color=MUTED).next_to(self.point(x, 0), DOWN, buff=0.1))
        for y in range(y_step, int(y_max) + 1, y_step):
            self.ticks.add(Text(_tick(str(y), "a tick of the directions axis"), font=FONT, font_size=font_size,
                                color=MUTED).next_to(self.point(0, y), LEFT, buff=0.1))
        self.x_label = Text("dimensions", font=FONT, font_size=font_size + 2).next_to(self.ticks[0:1], DOWN, buff=0.1)
        self.x_label.set_x(self.point(x_max / 2, 0)[0])
        self.y_label = Text("directions that fit", font=FONT, font_size=font_size + 2).rotate(PI / 2)
        self.y_label.next_to(self.ticks[-1], LEFT, buff=0.15).set_y(self.point(0, y_max / 2)[1])
        self.reference = DashedLine(self.point(0, 0), self.point(min(x_max, y_max), min(x_max, y_max)),
                                    color=MUTED, stroke_width=2)
        self.line = VMobject(stroke_color=POSITIVE, stroke_width=3)
        self.line.set_points_as_corners([self.point(d, c) for d, c in zip(dims, counts)])
        self.dots = VGroup(*[Dot(self.point(d, c), radius=0.06, color=POSITIVE) for d, c in zip(dims, counts)])
        self.add(self.axes, self.ticks, self.x_label, self.y_label, self.reference, self.line, self.dots)
        self.move_to(np.zeros(3))
