"""Drawing pieces of the language chapters (5 to 8), each built from artifact data.

They share the palette of :mod:`scenes.pieces` (blue positive, red negative, brightness for
size, yellow for "look here"), so the same value has the same colour in every chapter.

Example::

    from scenes.lm_pieces import ProbabilityBars, TokenRow
    row = TokenRow(["michael", "jordan", "plays"])
    bars = ProbabilityBars.top(probs, vocab, k=5).next_to(row, DOWN)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (
    BLACK,
    DOWN,
    GREY_B,
    GREY_D,
    LEFT,
    PI,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Arrow,
    Circle,
    Dot,
    Group,
    GrowFromCenter,
    Line,
    MathTex,
    Rectangle,
    RoundedRectangle,
    Square,
    Succession,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
)

from scenes.pieces import ACCENT, FONT, POSITIVE, HeatMap, fmt, value_to_color

__all__ = [
    "AttentionGrid",
    "EmbeddingPlot",
    "MatrixBlock",
    "ProbabilityBars",
    "TemperatureSlider",
    "TokenRow",
    "TransformerDiagram",
    "percent",
    "top_words",
]


class TokenRow(VGroup):
    """Words (tokens) in a row of rounded boxes, as the model reads them.

    ``boxes[i]`` is token ``i``'s box and ``labels[i]`` its word; ``tokens[i]`` the two together.
    Boxes share one height; each is as wide as its word (at least ``min_width``).
    """

    def __init__(self, words: Sequence[str], font_size: int = 24, buff: float = 0.12, min_width: float = 0.45,
                 stroke_color=GREY_B):
        super().__init__()
        self.words = [str(w) for w in words]
        self.labels = VGroup(*[Text(w, font=FONT, font_size=font_size) for w in self.words])
        height = max(m.height for m in self.labels) + 0.22 if self.words else 0.4
        self.boxes = VGroup()
        self.tokens = VGroup()
        for label in self.labels:
            box = RoundedRectangle(corner_radius=0.08, width=max(label.width + 0.22, min_width), height=height,
                                   stroke_color=stroke_color, stroke_width=1.5, fill_color=GREY_D, fill_opacity=0.25)
            label.move_to(box)
            self.boxes.add(box)
            self.tokens.add(VGroup(box, label))
        self.tokens.arrange(RIGHT, buff=buff)
        self.add(self.tokens)


# ----------------------------------------------------------------------------- Chapters 5 and 6


def percent(p: float) -> str:
    """A probability as a rounded percentage: "34%", "6.1%", "0.37%", "<0.01%"."""
    x = 100.0 * float(p)
    if x >= 9.5:
        return f"{x:.0f}%"
    if x < 0.01:
        return "<0.01%"
    return f"{fmt(x, 2)}%"


def top_words(probs: np.ndarray, vocab: Sequence[str], k: int = 5) -> list[tuple[int, str, float]]:
    """The ``k`` most likely words of a distribution over ``vocab``: (id, word, probability), best first."""
    ids = np.argsort(-np.asarray(probs), kind="stable")[:k]
    return [(int(i), str(vocab[i]), float(probs[i])) for i in ids]


class ProbabilityBars(VGroup):
    """Next-word probabilities as horizontal bars: the word, a bar as long as ``width * p``, and the
    rounded percentage. ``rows[i]`` is (word, bar, percentage) of word ``i``.

    Build one from a whole distribution with :meth:`top`; :meth:`reshaped` gives the same words
    with new probabilities (for a ``Transform``), :meth:`highlight` a yellow box around one row.
    """

    def __init__(self, words: Sequence[str], probs: Sequence[float], width: float = 3.0, bar_height: float = 0.3,
                 font_size: int = 22, color=POSITIVE):
        super().__init__()
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
            self.rows.add(VGroup(name, bar, number))
        self.name_width = name_width
        self.add(self.rows)

    @classmethod
    def top(cls, probs: np.ndarray, vocab: Sequence[str], k: int = 5, **kwargs) -> "ProbabilityBars":
        """The ``k`` most likely next words of one distribution over ``vocab``."""
        best = top_words(probs, vocab, k)
        return cls([w for _, w, _ in best], [p for _, _, p in best], **kwargs)

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
        self.coords = np.asarray(coords, dtype=float)
        self.words = [str(w) for w in words]
        span = self.coords.max(axis=0) - self.coords.min(axis=0)
        self.scale = size / float(span.max())
        self.centre = (self.coords.max(axis=0) + self.coords.min(axis=0)) / 2
        self.axes = VGroup()
        if axes:
            lo, hi = self.coords.min(axis=0) - 0.08 * span.max(), self.coords.max(axis=0) + 0.08 * span.max()
            self.axes.add(Line(self.point((lo[0], 0)), self.point((hi[0], 0)), stroke_color=GREY_D, stroke_width=1.5),
                          Line(self.point((0, lo[1])), self.point((0, hi[1])), stroke_color=GREY_D, stroke_width=1.5))
        self.dots = VGroup(*[Dot(self.point(c), radius=0.07, color=dot_color) for c in self.coords])
        self.labels = VGroup()
        for i, (word, dot) in enumerate(zip(self.words, self.dots)):
            away = self.coords[i] - self.coords[self._nearest(i)]
            side = (RIGHT if away[0] > 0 else LEFT) if abs(away[0]) >= abs(away[1]) else (UP if away[1] > 0 else DOWN)
            side = (sides or {}).get(word, side)
            self.labels.add(Text(word, font=FONT, font_size=font_size).next_to(dot, side, buff=0.1))
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
                                   stroke_color=colors.get(name, GREY_B), fill_color=GREY_D, fill_opacity=0.3)
            box.move_to([i * (box_width + gap), 0, 0])
            label = Text(name, font=FONT, font_size=font_size)
            if label.width > box_width - 0.12:
                label.scale_to_fit_width(box_width - 0.12)
            self.blocks.add(VGroup(box, label.move_to(box)))
        self.arrows = VGroup(*[Arrow(a.get_right(), b.get_left(), buff=0.02, stroke_width=2, color=GREY_B,
                                      max_tip_length_to_length_ratio=0.5) for a, b in zip(self.blocks, self.blocks[1:])])
        self.layer_labels = VGroup()
        for layer in range(n_layer):
            pair = VGroup(self.blocks[1 + 2 * layer], self.blocks[2 + 2 * layer])
            bracket = Line(pair.get_corner(UP + LEFT) + 0.15 * UP, pair.get_corner(UP + RIGHT) + 0.15 * UP,
                            stroke_color=GREY_B, stroke_width=2)
            self.layer_labels.add(VGroup(bracket, Text(f"layer {layer + 1}", font=FONT, font_size=font_size - 2,
                                                       color=GREY_B).next_to(bracket, UP, buff=0.08)))
        self.notes = VGroup()
        if notes is not None:
            for block, note in zip(self.blocks, notes):
                text = Text(note, font=FONT, font_size=font_size - 4, color=GREY_B)
                if text.width > box_width + gap - 0.05:
                    text.scale_to_fit_width(box_width + gap - 0.05)
                self.notes.add(text.next_to(block, DOWN, buff=0.15))
        self.add(self.blocks, self.arrows, self.layer_labels, self.notes)
        self.move_to(np.zeros(3))

    def light(self, index: int) -> Animation:
        """An animation: block ``index`` glows yellow, every other block returns to grey."""
        target = self.blocks.copy()
        for i, block in enumerate(target):
            block[0].set_fill(ACCENT if i == index else GREY_D, opacity=0.45 if i == index else 0.3)
        return Transform(self.blocks, target)


class TemperatureSlider(VGroup):
    """A slider for the softmax temperature: a track from ``low`` to ``high`` with ticks at
    ``marks``, a knob, and the value read out above it ("T = 1.0"). :meth:`move` animates both."""

    def __init__(self, marks: Sequence[float], low: float = 0.0, high: float = 2.5, length: float = 4.0,
                 value: float = 1.0, font_size: int = 22):
        super().__init__()
        self.low, self.high, self.length, self.font_size = float(low), float(high), float(length), font_size
        self.track = Line([0, 0, 0], [length, 0, 0], stroke_color=GREY_B, stroke_width=4)
        self.ticks = VGroup()
        for m in marks:
            x = self._x(m)
            self.ticks.add(VGroup(Line([x, -0.1, 0], [x, 0.1, 0], stroke_color=GREY_B, stroke_width=2),
                                  Text(f"{float(m):g}", font=FONT, font_size=font_size - 4, color=GREY_B)
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

MASKED_FILL = "#3A3A3A"  # a cell a query may not look at (a later key): grey, not a value


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
                Square(cell, stroke_color=GREY_D, stroke_width=1, fill_color=BLACK, fill_opacity=1)
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
        pattern = np.asarray(pattern)
        dots = VGroup()
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
                self.column(q).set_fill(BLACK, opacity=1)
            self.add(self.dots)
            return self
        frame = Rectangle(width=self.cell, height=self.cell * self.n, stroke_color=frame_color, stroke_width=3)
        frame.move_to(self.column(0, masked=False))
        steps = []
        for q in range(self.n):
            target = self.column(q, masked=False).get_center()
            steps.append(AnimationGroup(
                frame.animate.move_to(target),
                self.column(q).animate.set_fill(BLACK, opacity=1),
                *[GrowFromCenter(dot) for dot in self.dots[q]],
            ))
        return Succession(*steps, run_time=run_time), frame

    def keep_dots(self, scene) -> None:
        """After the softmax animation: the dots it brought in become part of the grid."""
        scene.remove(*self.dots.family_members_with_points())
        self.add(self.dots)


class MatrixBlock(Group):
    """A weight matrix as a shaded block with its real shape: one pixel per entry on the palette,
    a thin frame, its name above (LaTeX) and ``rows × cols`` below."""

    def __init__(self, values: np.ndarray, name: str | None = None, cell: float = 0.05,
                 vmax: float | None = None, font_size: int = 30, shape_label: bool = True):
        values = np.asarray(values)
        self.rows, self.cols = values.shape
        self.heat = HeatMap(values, vmax=vmax, height=self.rows * cell)
        self.frame = Rectangle(width=self.heat.width, height=self.heat.height, stroke_color=GREY_B,
                               stroke_width=1.5).move_to(self.heat)
        parts: list = [self.heat, self.frame]
        self.name = MathTex(name, font_size=font_size).next_to(self.frame, UP, buff=0.12) if name else None
        self.shape = (Text(f"{self.rows} \u00d7 {self.cols}", font=FONT, font_size=int(font_size * 0.6), color=GREY_B)
                      .next_to(self.frame, DOWN, buff=0.1) if shape_label else None)
        parts += [m for m in (self.name, self.shape) if m is not None]
        super().__init__(*parts)

    def band(self, start: int, stop: int, color=ACCENT) -> Rectangle:
        """A frame around rows ``start:stop`` (a head's slice of a stacked matrix)."""
        step = self.heat.height / self.rows
        top = self.heat.get_top()[1] - start * step
        return Rectangle(width=self.heat.width + 0.08, height=(stop - start) * step, stroke_color=color,
                         stroke_width=2.5).move_to([self.heat.get_x(), top - (stop - start) * step / 2, 0])
