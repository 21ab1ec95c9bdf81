"""Drawing pieces shared by every chapter, each built from artifact data, on one palette.

Colour carries meaning everywhere: blue for positive, red for negative, brightness for
activation, yellow to say "look here". :func:`value_to_color` is the one mapping from a
signed value to a colour; :func:`activation_color` the one from an activation in [0, 1].

Example::

    from scenes.pieces import DigitImage, NetworkDiagram
    digit = DigitImage(pixels)                      # 784 brightnesses -> one image
    net = NetworkDiagram((784, 16, 16, 10), input_shown=16)
    self.play(net.light_layer(1, activations_of_layer_1))
"""

from __future__ import annotations

import functools
from typing import Callable, Sequence

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UP,
    UR,
    Animation,
    Circle,
    Group,
    ImageMobject,
    Line,
    MathTex,
    Mobject,
    Polygon,
    Rectangle,
    ShowPassingFlash,
    Text,
    Transform,
    VGroup,
    VMobject,
    interpolate_color,
)

from scenes.palette import (
    ACCENT,
    BACKGROUND,
    COST,
    FAINT,
    INK,
    MUTED,
    NEGATIVE,
    POSITIVE,
    activation_color,
    cost_to_rgb,
    signed_color,
    value_to_color,
    value_to_rgb,
)
from scenes.transcript import computed, constant, note_drawing

__all__ = [
    "ACCENT",
    "NEGATIVE",
    "POSITIVE",
    "DIGIT_HOME",
    "AnswerGrid",
    "DigitImage",
    "ExampleTable",
    "HeatMap",
    "LandscapeMap",
    "contour_levels",
    "contour_segments",
    "MatrixGrid",
    "NumberColumn",
    "NetworkDiagram",
    "NeuronBars",
    "ValueBars",
    "activation_color",
    "boxes_meet",
    "cost_to_rgb",
    "digit_network",
    "fmt",
    "edges_showing",
    "flash_along",
    "framed_digit",
    "neuron_arrows",
    "path_tip",
    "point_out_band",
    "signed_arrow",
    "tex",
    "value_to_color",
    "value_to_rgb",
    "window_band",
]

FONT = "DejaVu Sans"


def boxes_meet(a: Mobject, b: Mobject, pad: float = 0.03) -> bool:
    """Whether two mobjects' bounding boxes overlap (or come within ``pad``)."""
    (a0, a1), (b0, b1) = (a.get_corner(DL), a.get_corner(UR)), (b.get_corner(DL), b.get_corner(UR))
    return bool(a0[0] < b1[0] + pad and b0[0] < a1[0] + pad and a0[1] < b1[1] + pad and b0[1] < a1[1] + pad)


def decimals_for(x: float, sig: int = 3) -> int:
    """How many decimals :func:`fmt` writes ``x`` with at ``sig`` significant digits."""
    x = float(x)
    return 0 if x == 0 else max(sig - 1 - int(np.floor(np.log10(abs(x)))), 0)


def fmt(x: float, sig: int = 3) -> str:
    """A number rounded for reading: ``sig`` significant digits, no exponent for usual sizes."""
    x = float(x)
    if x == 0:
        return "0"
    text = f"{x:.{decimals_for(x, sig)}f}"
    return text.replace("-", "\u2212")  # a real minus sign


def as_shown(x: float, sig: int = 3) -> float:
    """``x`` as :func:`fmt` shows it with ``sig`` significant digits, as a number."""
    return round(float(x), decimals_for(x, sig))


def agreeing_sig(values: Sequence[float], result: float, combine: Callable[[list[float]], float], least: int = 3,
                 result_sig: int = 3) -> int:
    """The fewest significant digits (``least`` or more) for ``values`` such that ``combine`` of the
    values as shown reads, at ``result_sig`` significant digits, as ``result`` does: the shown
    arithmetic checks out."""
    for sig in range(least, 8):
        if fmt(combine([as_shown(v, sig) for v in values]), result_sig) == fmt(result, result_sig):
            return sig
    raise ValueError(f"no precision makes {values} give {result}")


def tex(x: float, sig: int = 3) -> str:
    """:func:`fmt` for LaTeX (MathTex sets its own minus sign)."""
    return fmt(x, sig).replace("\u2212", "-")


def _image(rgb: np.ndarray, height: float) -> ImageMobject:
    img = ImageMobject(rgb)
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])  # crisp pixels, no blur
    img.height = height
    return img


class DigitImage(ImageMobject):
    """A 28x28 digit (or any square of pixels) as one image (not 784 shapes), brightness = pixel value.

    With ``ink`` (0 to 1) it is drawn as a veil to lay over another picture: white where the ink
    is, that opaque at full ink, and see-through where there is none."""

    def __init__(self, pixels: np.ndarray, height: float = 3.0, ink: float | None = None, **kwargs):
        note_drawing(self, "pixels", pixels)
        pixels = np.asarray(pixels)
        self.side = int(round(np.sqrt(pixels.size)))
        level = np.clip(pixels.reshape(self.side, self.side), 0, 1)
        if ink is None:
            gray = np.round(level * 255).astype(np.uint8)
            image = np.repeat(gray[:, :, None], 3, axis=2)
        else:
            image = np.full((self.side, self.side, 4), 255, dtype=np.uint8)
            image[:, :, 3] = np.round(level * ink * 255).astype(np.uint8)
        super().__init__(image, **kwargs)
        self.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.height = height

    def frame(self, color=FAINT) -> Rectangle:
        """A thin border around the image (black pixels vanish into the background)."""
        return Rectangle(width=self.width, height=self.height, stroke_color=color, stroke_width=2).move_to(self)

    def pixel_center(self, row: int, col: int) -> np.ndarray:
        """Scene coordinates of one pixel's centre."""
        side = self.height / self.side
        return self.get_corner(UP + LEFT) + np.array([(col + 0.5) * side, -(row + 0.5) * side, 0])


def window_band(window: Sequence[int], digit: DigitImage, pointed: bool = False) -> VMobject:
    """Where the row of pixels a network's input column shows lies (``window``: their indices in the
    flattened 28 by 28 image). ``pointed`` (while the narration names them): their outline, as
    :func:`point_out_band` draws it. Otherwise a small grey pointer just right of the image (toward
    the network it feeds), at that row's height: an outline kept on a small digit, even a thin grey
    one, read as a stroke through the digit."""
    row, col0 = divmod(int(window[0]), 28)
    side = digit.height / 28
    if pointed:
        band = Rectangle(width=side * len(window), height=side, stroke_color=FAINT, stroke_width=1.5)
        band.move_to(digit.pixel_center(row, col0) + RIGHT * side * (len(window) - 1) / 2)
        return point_out_band(band)
    y = digit.pixel_center(row, col0)[1]
    size = max(2.0 * side, 0.1)
    x = digit.get_right()[0] + 0.04  # the tip, facing the row
    return Polygon([x, y, 0], [x + size, y + 0.5 * size, 0], [x + size, y - 0.5 * size, 0],
                   stroke_width=0, fill_color=MUTED, fill_opacity=1)


def point_out_band(band: VMobject) -> VMobject:
    """A row outline (or its pointer) while the narration points at it: yellow (the outline bold)."""
    if isinstance(band, Rectangle):
        return band.set_stroke(ACCENT, width=2.5)
    return band.set_fill(ACCENT)  # the pointer


def framed_digit(pixels: np.ndarray, height: float = 3.0) -> Group:
    """A :class:`DigitImage` with its thin border, as one group."""
    digit = DigitImage(pixels, height=height)
    return Group(digit, digit.frame())


class AnswerGrid(ImageMobject):
    """One cell per digit of a test, in the test's order, row by row: filled where the network's
    answer equals the label, hollow where it does not. One image, not a thousand squares; no hue,
    so it says nothing a colour elsewhere means."""

    CELL, GAP = 8, 3  # pixels of the image: a cell and the gap between cells

    def __init__(self, predictions: np.ndarray, labels: np.ndarray, columns: int, width: float, **kwargs):
        note_drawing(self, "answers", predictions)
        note_drawing(self, "labels", labels)
        right = np.asarray(predictions) == np.asarray(labels)
        note_drawing(self, "filled (read right)", right.astype(np.int8))
        self.right = int(right.sum())
        rows = -(-right.size // columns)
        cell, gap = self.CELL, self.GAP
        pitch = cell + gap
        gray = np.zeros((rows * pitch - gap, columns * pitch - gap), dtype=np.uint8)
        ink = round(0.85 * 255)
        for k, ok in enumerate(right):
            r, c = divmod(k, columns)
            y, x = r * pitch, c * pitch
            gray[y:y + cell, x:x + cell] = ink
            if not ok:  # hollow: its border alone
                gray[y + 1:y + cell - 1, x + 1:x + cell - 1] = 0
        super().__init__(np.repeat(gray[:, :, None], 3, axis=2), **kwargs)
        self.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.width = width


class HeatMap(ImageMobject):
    """A 2-D array of signed values (a weight map) as one image on the palette."""

    def __init__(self, values: np.ndarray, vmax: float | None = None, height: float = 3.0, **kwargs):
        note_drawing(self, "values", values)
        values = np.asarray(values)
        self.vmax = float(vmax if vmax is not None else np.abs(values).max() or 1.0)
        super().__init__(value_to_rgb(values, self.vmax), **kwargs)
        self.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.height = height


def flash_along(lines: Sequence[VMobject], time_width: float) -> ShowPassingFlash:
    """One flash running along every line of ``lines`` at once. It draws the same frames as a
    ``ShowPassingFlash`` per line (every line at the same point of its run, in the same order), but
    the scene adds and removes one group instead of hundreds of lines: each add and each removal
    walks everything on screen, and a flash per wire made one play of a wide network take seconds."""
    return ShowPassingFlash(VGroup(*lines), time_width=time_width)


PULSE_FLOOR = 0.15  # a wire carrying (forward) or wishing (backward) under this share of the largest: no pulse


def _pulse_lines(edges: VGroup, n_out: int, strength: np.ndarray, color, width: float,
                 backwards: bool = False) -> list[VMobject]:
    """Copies of the wires ``edges`` (wire k from neuron k // n_out to neuron k % n_out) to pulse
    along, each as wide and bright as its share of ``strength[out, in]``'s largest, none under
    ``PULSE_FLOOR``; run from the later layer to the earlier when ``backwards``."""
    share = np.abs(np.asarray(strength, dtype=float))
    share = share / max(float(share.max()), 1e-12)
    out = []
    for k, edge in enumerate(edges):
        i, j = divmod(k, n_out)
        if share[j, i] >= PULSE_FLOOR:
            line = edge.copy().reverse_points() if backwards else edge.copy()
            out.append(line.set_stroke(color, width=0.4 + width * share[j, i], opacity=0.3 + 0.6 * share[j, i]))
    return out


class NetworkDiagram(VGroup):
    """Layers of neurons joined by edges; a layer too big to draw shows a window and dots.

    ``input_shown`` neurons stand for the first layer (with a vertical ellipsis above and
    below when the layer is larger). ``layers[l]`` holds layer ``l``'s circles; ``edges[l]``
    the lines from layer ``l`` to ``l + 1``.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        input_shown: int = 16,
        height: float = 5.6,
        layer_gap: float = 2.6,
        output_labels: Sequence[str] | None = None,
    ):
        super().__init__()
        self.sizes = tuple(int(s) for s in sizes)
        self.shown = [min(input_shown, self.sizes[0])] + list(self.sizes[1:])
        # Neurons sit ``height / max(n, inputs shown)`` apart: every layer of the 784-16-16-10 network
        # alike; wider hidden layers pack their neurons closer, the inputs and outputs keep their room.
        self.layers = VGroup()
        for l, n in enumerate(self.shown):
            spacing = height / max(n, self.shown[0])
            radius = spacing * 0.36
            col = VGroup(
                *[
                    Circle(radius=radius, stroke_color=MUTED, stroke_width=1.5, fill_color=INK, fill_opacity=0)
                    for _ in range(n)
                ]
            ).arrange(DOWN, buff=spacing - 2 * radius)
            col.move_to(RIGHT * l * layer_gap)
            self.layers.add(col)
        self.layers.move_to(np.zeros(3))
        self.dots = VGroup()
        if self.shown[0] < self.sizes[0]:
            top, bottom = self.layers[0][0], self.layers[0][-1]
            self.dots.add(MathTex(r"\vdots", font_size=30).next_to(top, UP, buff=0.08))
            self.dots.add(MathTex(r"\vdots", font_size=30).next_to(bottom, DOWN, buff=0.08))
        self.edges = VGroup()
        for l in range(len(self.shown) - 1):
            group = VGroup(
                *[
                    Line(a.get_right(), b.get_left(), stroke_width=0.6, stroke_color=MUTED, stroke_opacity=0.35)
                    for a in self.layers[l]
                    for b in self.layers[l + 1]
                ]
            )
            self.edges.add(group)
        self.output_labels = VGroup()
        if output_labels is not None:
            for circle, label in zip(self.layers[-1], output_labels):
                self.output_labels.add(Text(str(label), font=FONT, font_size=22).next_to(circle, RIGHT, buff=0.15))
        self.add(self.edges, self.layers, self.dots, self.output_labels)

    def lit(self, layer: int, activations: Sequence[float]) -> VGroup:
        """Set a layer's neurons to their activations (brightness); returns the layer."""
        note_drawing(self.layers[layer], f"layer {layer} lit", activations)
        for circle, a in zip(self.layers[layer], activations):
            circle.set_fill(INK, opacity=float(np.clip(a, 0, 1)))
        return self.layers[layer]

    def light(self, layer: int, activations: Sequence[float]) -> Transform:
        """An animation that brings one layer's neurons to their activation brightness."""
        note_drawing(self.layers[layer], f"layer {layer} lit", activations)
        target = self.layers[layer].copy()
        for circle, a in zip(target, activations):
            circle.set_fill(INK, opacity=float(np.clip(a, 0, 1)))
        return Transform(self.layers[layer], target)

    def pulses(self, layer: int, sources: Sequence[float], weights: np.ndarray | None = None,
               floor: float = 0.05) -> list[Animation]:
        """The forward pass into ``layer``: a pulse along each wire from layer ``layer - 1``. Without
        ``weights``, as bright as the neuron it leaves (``sources``, that layer's shown activations);
        dark neurons send nothing. With ``weights[out, in]`` (the shown wires'), as strong as what the
        wire carries, activation times weight, against the largest: a few bright lines where the sum
        is made, none under ``PULSE_FLOOR``, never a solid wall of every wire at once. Play them, then
        :meth:`light` the layer::

            self.play(*net.pulses(1, acts[0], w[0]), run_time=0.9)
            self.play(net.light(1, acts[1]), run_time=0.7)
        """
        n_out = len(self.layers[layer])
        a = np.asarray(sources, dtype=float)
        if weights is None:
            lines = [e.copy().set_stroke(INK, width=1.6, opacity=float(a[k // n_out]))
                     for k, e in enumerate(self.edges[layer - 1]) if a[k // n_out] > floor]
        else:
            carried = np.asarray(weights, dtype=float) * a[None, :]  # (out, in)
            lines = _pulse_lines(self.edges[layer - 1], n_out, carried, INK, 1.6)
        return [flash_along(lines, time_width=0.35)] if lines else []

    def color_edges(self, layer: int, weights: np.ndarray, vmax: float | None = None) -> VGroup:
        """Colour the edges into ``layer + 1`` by their weights ``weights[out, in]`` (shown ones)."""
        note_drawing(self.edges[layer], f"edges into layer {layer + 1} coloured", weights)
        w = np.asarray(weights)
        vmax = vmax or float(np.abs(w).max())
        n_out = len(self.layers[layer + 1])
        for k, line in enumerate(self.edges[layer]):
            i, j = divmod(k, n_out)
            value = w[j, i]
            line.set_stroke(value_to_color(value, vmax), width=0.4 + 2.0 * min(abs(value) / vmax, 1), opacity=0.9)
        return self.edges[layer]

    def edges_into(self, layer: int, j: int) -> VGroup:
        """The drawn edges into neuron ``j`` of ``layer`` (1 = first hidden), from the shown
        neurons of the layer before, in their order."""
        n_out = len(self.layers[layer])
        lines = self.edges[layer - 1]
        return VGroup(*[lines[i * n_out + j] for i in range(len(self.layers[layer - 1]))])

    def label_layers(self, texts: Sequence[str], font_size: int = 22) -> VGroup:
        """A caption under each layer (or over the input's lower ellipsis)."""
        labels = VGroup()
        bottom = min(m.get_bottom()[1] for m in [*self.layers, *self.dots])
        for col, text in zip(self.layers, texts):
            labels.add(Text(text, font=FONT, font_size=font_size).move_to([col.get_x(), bottom - 0.3, 0]))
        return labels


# Where the digit network sits in every beat that shows it whole (Chapters 1 and 2).
NET_HEIGHT = 5.0
NET_GAP = 2.75
NET_CENTER = np.array([0.15, 0.8, 0.0])  # of its layers
DIGIT_HOME = np.array([-5.95, 0.8, 0.0])  # the digit that feeds it, left of the input column


def digit_sizes() -> tuple[int, ...]:
    """The digit network's layer sizes (784, 16, 16, 10 by default), for laying drawings out: read
    from the artifact directly, so the screen transcript does not take them for a number drawn."""
    from models.artifacts import cache_dir

    return _digit_sizes(str(cache_dir()), (cache_dir() / "digits-story" / "manifest.json").stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _digit_sizes(cache: str, stamp: int) -> tuple[int, ...]:
    from models.artifacts import load_artifact

    return tuple(int(n) for n in load_artifact("digits-story").arrays("chapter1.npz")["sizes"])


def layer_names(sizes: Sequence[int]) -> tuple[str, ...]:
    """The captions under the digit network's layers: ("784 inputs", "16 hidden", "16 hidden", "10 outputs")."""
    sizes = [int(s) for s in sizes]
    return (f"{sizes[0]} inputs", *[f"{n} hidden" for n in sizes[1:-1]], f"{sizes[-1]} outputs")


def hidden_phrase(sizes: Sequence[int]) -> str:
    """The hidden layers in words, for narration: "two hidden layers of 16", "hidden layers of 32 and 16"."""
    hidden = [int(s) for s in sizes[1:-1]]
    count = {1: "one", 2: "two", 3: "three", 4: "four"}.get(len(hidden), str(len(hidden)))
    if len(hidden) == 1:
        return f"one hidden layer of {hidden[0]}"
    if len(set(hidden)) == 1:
        return f"{count} hidden layers of {hidden[0]}"
    return f"hidden layers of {', '.join(map(str, hidden[:-1]))} and {hidden[-1]}"


def layer_gap_for(n_layers: int, gap: float = NET_GAP) -> float:
    """The gap between the digit network's columns: ``gap`` for the default's three layers of weights;
    a deeper or shallower network spans the same width."""
    return gap if n_layers == 3 else gap * 3 / n_layers


def digit_network(weights: Sequence[np.ndarray], vmax: float, window: Sequence[int],
                  activations: Sequence[np.ndarray] = (), height: float = NET_HEIGHT, layer_gap: float | None = None,
                  center: np.ndarray = NET_CENTER) -> NetworkDiagram:
    """The digit network (784-16-16-10, or the sizes its weights have) as the chapters draw it:
    ``weights`` are W(1) restricted to the shown input ``window`` (n1, 16), then W(2) .. W(L), all on
    one colour scale ``vmax``; the
    first ``len(activations)`` layers are lit (``activations[0]`` the window's pixels). Its layers
    are ``height`` tall, ``layer_gap`` apart (by default :func:`layer_gap_for` their number), centred on ``center``."""
    sizes = (784,) + tuple(int(w.shape[0]) for w in weights)
    layer_gap = layer_gap_for(len(weights)) if layer_gap is None else layer_gap
    net = NetworkDiagram(sizes, input_shown=len(window), height=height, layer_gap=layer_gap,
                         output_labels=[str(i) for i in range(sizes[-1])])
    net.shift(np.asarray(center) - net.layers.get_center())
    for layer, w in enumerate(weights):
        net.color_edges(layer, w, vmax)
    for layer, a in enumerate(activations):
        net.lit(layer, a)
    return net


class ValueBars(VGroup):
    """Horizontal bars for values in [0, 1] (activations, probabilities), labelled on the left
    and with the value on the right, rounded to ``decimals``."""

    def __init__(
        self,
        values: Sequence[float],
        labels: Sequence[str] | None = None,
        width: float = 3.0,
        bar_height: float = 0.32,
        font_size: int = 22,
        decimals: int = 2,
    ):
        super().__init__()
        note_drawing(self, "bars", values)
        self.values = [float(v) for v in values]
        self.rows = VGroup()
        for i, v in enumerate(self.values):
            name = Text(str(labels[i]) if labels is not None else "", font=FONT, font_size=font_size)
            track = Rectangle(width=width, height=bar_height, stroke_color=FAINT, stroke_width=1)
            bar = Rectangle(
                width=max(width * v, 1e-3), height=bar_height, stroke_width=0, fill_color=activation_color(0.35 + 0.65 * v), fill_opacity=1
            )
            bar.align_to(track, LEFT)
            number = Text(_fixed(v, decimals), font=FONT, font_size=font_size - 2).next_to(track, RIGHT, buff=0.15)
            name.next_to(track, LEFT, buff=0.2)
            row = VGroup(name, track, bar, number) if labels is not None else VGroup(track, bar, number)
            self.rows.add(row)
        self.rows.arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        self.add(self.rows)

    def highlight(self, index: int):
        """A yellow box around one row."""
        from manim import SurroundingRectangle

        return SurroundingRectangle(self.rows[index], color=ACCENT, buff=0.06)


def contour_levels(lo: float, hi: float) -> np.ndarray:
    """Costs 1, 2 and 5 times a power of ten strictly between ``lo`` and ``hi``: evenly spread on
    the map's log colour scale."""
    levels = [m * 10.0**p for p in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
              for m in (1, 2, 5)]
    return np.asarray([v for v in levels if lo < v < hi])


def contour_segments(grid: np.ndarray, level: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Where ``grid`` (sampled at whole (row, column) places) crosses ``level``: marching squares,
    one or two segments per cell, each end on a cell edge where the values on either side of the
    level meet (linearly between the edge's two samples). A cell whose four corners alternate is
    split the way the mean of its corners falls. Ends are fractional (row, column) places."""
    g = np.asarray(grid, dtype=float)
    above = g >= level

    def cross(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        t = (level - g[a]) / (g[b] - g[a])
        return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))

    out = []
    for r in range(g.shape[0] - 1):
        for c in range(g.shape[1] - 1):
            corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)]  # counter-clockwise from (r, c)
            flags = [above[p] for p in corners]
            if all(flags) or not any(flags):
                continue
            edges = [(corners[i], corners[(i + 1) % 4]) for i in range(4)]
            crossed = [i for i, (a, b) in enumerate(edges) if above[a] != above[b]]
            if len(crossed) == 2:
                out.append((cross(*edges[crossed[0]]), cross(*edges[crossed[1]])))
                continue
            # a saddle: corners 0 and 2 on one side, 1 and 3 on the other
            middle = float(np.mean([g[p] for p in corners])) >= level
            if middle == flags[0]:  # 0 and 2 join through the middle: cut off corners 1 and 3
                pairs = ((0, 1), (2, 3))
            else:  # cut off corners 0 and 2
                pairs = ((3, 0), (1, 2))
            for i, j in pairs:
                out.append((cross(*edges[i]), cross(*edges[j])))
    return out


class LandscapeMap(Group):
    """A 2-D slice of a cost landscape as one shaded image, with coordinates for paths on it.

    ``cost[i, j]`` is the cost at ``(alphas[j], betas[i])``; rows run along beta (up the map).
    :meth:`point` turns slice coordinates into scene coordinates; :meth:`path` draws a polyline.
    ``contours=True`` draws lines of equal cost over the shading (``self.contours``, at
    ``self.levels``: :func:`contour_levels`, traced by :func:`contour_segments`).
    ``turned=True`` draws the slice a quarter turn counter-clockwise: alpha runs up the map and
    beta from right to left (so a path along alpha reads top to bottom).
    """

    def __init__(self, alphas: np.ndarray, betas: np.ndarray, cost: np.ndarray, height: float = 5.0,
                 width: float | None = None, contours: bool = False, turned: bool = False):
        note_drawing(self, "cost", cost)
        self.alphas, self.betas = np.asarray(alphas), np.asarray(betas)
        self.cost = np.asarray(cost)
        self.turned = turned
        self.lo, self.hi = float(self.cost.min()), float(self.cost.max())
        rgb = cost_to_rgb(self.cost[::-1], self.lo, self.hi)  # image rows run top-down
        if turned:  # the last column (largest alpha) becomes the top row, the first row (largest beta) the left column
            rgb = np.ascontiguousarray(np.rot90(rgb))
        self.image = ImageMobject(rgb)
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        # The two axes get their own scales (the slice is usually much longer one way).
        self.image.stretch_to_fit_height(height)
        self.image.stretch_to_fit_width(width if width is not None else height)
        self.border = Rectangle(width=self.image.width, height=self.image.height, stroke_color=FAINT, stroke_width=1.5)
        super().__init__(self.image, self.border)
        if contours:  # lines of equal cost, drawn over the shading: the valley's shape where it is dark
            self.levels = contour_levels(self.lo, self.hi)
            self.contours = VMobject(stroke_color=MUTED, stroke_width=1.2, stroke_opacity=0.55)
            for level in self.levels:
                for start, end in contour_segments(np.log(self.cost), float(np.log(level))):
                    self.contours.start_new_path(self._grid_point(*start))
                    self.contours.add_line_to(self._grid_point(*end))
            note_drawing(self.contours, "cost contours at", self.levels)
            self.add(self.contours)

    def _grid_point(self, row: float, col: float) -> np.ndarray:
        """Scene coordinates of a fractional grid place (row along beta, column along alpha)."""
        return self.point(float(np.interp(col, np.arange(len(self.alphas)), self.alphas)),
                          float(np.interp(row, np.arange(len(self.betas)), self.betas)))

    def point(self, alpha: float, beta: float) -> np.ndarray:
        """Scene coordinates of a slice point (pixel centres sit at the grid values)."""
        left, bottom = self.image.get_corner(DOWN + LEFT)[:2]
        w, h = self.image.width, self.image.height
        na, nb = len(self.alphas), len(self.betas)
        fa = (alpha - self.alphas[0]) / (self.alphas[-1] - self.alphas[0])
        fb = (beta - self.betas[0]) / (self.betas[-1] - self.betas[0])
        across, up = (0.5 + fa * (na - 1)) / na, (0.5 + fb * (nb - 1)) / nb  # of the unturned map
        if self.turned:
            across, up = 1.0 - up, across
        return np.array([left + w * across, bottom + h * up, 0.0])

    def path(self, coords: np.ndarray, color=ACCENT, width: float = 3.0) -> VMobject:
        line = VMobject(stroke_color=color, stroke_width=width)
        line.set_points_as_corners([self.point(a, b) for a, b in coords])
        return line

    def legend(self, font_size: int = 18) -> Group:
        """A colour bar on the map's log scale: dark = low cost, bright = high, with the ends and
        the powers of ten between them marked."""
        n = 64
        bar = ImageMobject(cost_to_rgb(np.geomspace(self.hi, self.lo, n)[:, None].repeat(4, 1), self.lo, self.hi))
        bar.stretch_to_fit_height(self.image.height * 0.6).stretch_to_fit_width(0.22)
        bar.next_to(self.border, RIGHT, buff=0.25)
        top = Text(computed(fmt(self.hi, 2), "the highest cost on the map"), font=FONT, font_size=font_size).next_to(bar, RIGHT, buff=0.1).align_to(bar, UP)
        low = Text(computed(fmt(self.lo, 2), "the lowest cost on the map"), font=FONT, font_size=font_size).next_to(bar, RIGHT, buff=0.1).align_to(bar, DOWN)
        head = Text("cost (log)", font=FONT, font_size=font_size).next_to(bar, UP, buff=0.12).align_to(bar, LEFT)
        ticks = Group()
        span = np.log(self.hi) - np.log(self.lo)
        for power in range(int(np.ceil(np.log10(self.lo))), int(np.floor(np.log10(self.hi))) + 1):
            t = (np.log(10.0**power) - np.log(self.lo)) / span
            if 0.12 < t < 0.88:  # clear of the end labels
                y = bar.get_bottom()[1] + t * bar.height
                # the mark lies across the bar, and its label stands off as the ends' do: a dash
                # between the bar and the number read as a minus sign ("-0.1")
                ticks.add(Line([bar.get_left()[0], y, 0], [bar.get_right()[0], y, 0], stroke_color=MUTED,
                               stroke_width=1.5),
                          Text(constant(fmt(10.0**power, 1), "a power of ten on the colour scale"), font=FONT, font_size=font_size - 2, color=MUTED)
                          .move_to([bar.get_right()[0] + 0.1, y, 0], aligned_edge=LEFT))
        return Group(bar, head, top, low, ticks)


class MatrixGrid(VGroup):
    """A matrix of real numbers in square brackets, with ellipses standing for rows and columns
    not shown. ``cells[r][c]`` is a string: a number as :func:`fmt` writes it, or ``"..."`` (a
    horizontal ellipsis), ``":"`` (vertical) or ``"\\"`` (diagonal). ``rows[r]`` is row ``r``'s
    drawn cells; numbers are coloured by their sign (``values`` gives the signs)."""

    def __init__(self, cells: Sequence[Sequence[str]], values: np.ndarray | None = None, font_size: int = 22,
                 col_gap: float = 0.22, row_gap: float = 0.16, colored: bool = True):
        super().__init__()
        if values is not None:
            note_drawing(self, "entries", values)
        glyphs = {"...": r"\cdots", ":": r"\vdots", "\\": r"\ddots"}
        self.rows = VGroup()
        for r, row in enumerate(cells):
            drawn = VGroup()
            for c, cell in enumerate(row):
                if cell in glyphs:
                    drawn.add(MathTex(glyphs[cell], font_size=font_size + 4, color=MUTED))
                else:
                    v = float(values[r][c]) if values is not None else 0.0
                    drawn.add(Text(cell, font=FONT, font_size=font_size,
                                   color=signed_color(v) if colored and v != 0 else INK))
            self.rows.add(drawn)
        widths = [max(self.rows[r][c].width for r in range(len(cells))) for c in range(len(cells[0]))]
        height = max(m.height for row in self.rows for m in row)
        xs = np.concatenate([[0], np.cumsum(np.array(widths[:-1]) / 2 + np.array(widths[1:]) / 2 + col_gap)])
        for r, row in enumerate(self.rows):
            for c, m in enumerate(row):
                m.move_to([xs[c], -r * (height + row_gap), 0])
                if not isinstance(m, MathTex):
                    m.align_to(np.array([xs[c] + widths[c] / 2, 0, 0]), RIGHT)  # numbers align on the right
        self.add(self.rows)
        self.left_bracket = _bracket(self.rows, self.rows, LEFT)
        self.right_bracket = _bracket(self.rows, self.rows, RIGHT)
        self.add(self.left_bracket, self.right_bracket)

    def column(self, c: int) -> VGroup:
        return VGroup(*[row[c] for row in self.rows])


class NumberColumn(VGroup):
    """A column vector of real numbers in brackets: entries ``indices`` of a vector of ``total``,
    with a vertical ellipsis above and below for the entries not shown, and optional row names
    to the left. ``entries[k]`` is row ``k`` (its number, then its name)."""

    def __init__(self, values: Sequence[float], indices: Sequence[int], total: int,
                 names: Sequence[str] | None = None, font_size: int = 22, sig: int = 3, row_gap: float = 0.12):
        super().__init__()
        note_drawing(self, "entries", values)
        vmax = max(abs(float(v)) for v in values) or 1.0
        numbers = VGroup(*[Text(fmt(v, sig), font=FONT, font_size=font_size, color=value_to_color(v, vmax)) for v in values])
        numbers.arrange(DOWN, buff=row_gap, aligned_edge=RIGHT)
        parts = [numbers]
        if indices[0] > 0:
            parts.insert(0, MathTex(r"\vdots", font_size=font_size + 6))
        if indices[-1] < total - 1:
            parts.append(MathTex(r"\vdots", font_size=font_size + 6))
        column = VGroup(*parts).arrange(DOWN, buff=row_gap)
        self.entries = VGroup()
        for k, number in enumerate(numbers):
            row = VGroup(number)
            if names is not None:
                row.add(Text(names[k], font=FONT, font_size=font_size - 4, color=MUTED).next_to(number, LEFT, buff=0.5))
                row[-1].align_to(number, DOWN)
            self.entries.add(row)
        self.numbers = numbers
        self.add(column, *[row[1:] for row in self.entries], _bracket(numbers, column, LEFT), _bracket(numbers, column, RIGHT))


def _bracket(numbers: Mobject, group: Mobject, side: np.ndarray, pad: float = 0.15, arm: float = 0.12) -> VMobject:
    """A square bracket as tall as ``group``, just beside ``numbers``."""
    x = (numbers.get_right()[0] + pad) if side[0] > 0 else (numbers.get_left()[0] - pad)
    top, bottom = group.get_top()[1] + 0.05, group.get_bottom()[1] - 0.05
    sign = -1 if side[0] > 0 else 1
    line = VMobject(stroke_color=INK, stroke_width=2)
    line.set_points_as_corners([[x + sign * arm, top, 0], [x, top, 0], [x, bottom, 0], [x + sign * arm, bottom, 0]])
    return line


def _fixed(v: float, decimals: int) -> str:
    """Fixed decimals with a real minus sign; no "-0.000" for tiny negatives."""
    text = f"{v:.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace("-", "\u2212")


# ----------------------------------------------------------------------------- wishes on a network


def signed_arrow(start: np.ndarray, end: np.ndarray, color, tip: float = 0.1, stroke_width: float = 4.0,
                 halo: float = 0.0) -> VGroup:
    """An arrow from ``start`` to ``end`` with a tip of fixed size, however short the arrow: a
    change too small for a shaft still shows its direction (the tip alone, its point at ``end``).
    ``halo``: the width of a background-coloured outline behind it, so it reads over busy wires."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    length = float(np.linalg.norm(end - start))
    direction = (end - start) / length if length > 1e-9 else np.array([1.0, 0.0, 0.0])
    normal = np.array([-direction[1], direction[0], 0.0])
    base = end - direction * tip
    head = Polygon(end, base + normal * tip * 0.55, base - normal * tip * 0.55, stroke_width=0, fill_color=color,
                   fill_opacity=1)
    arrow = VGroup(head)
    if length > tip:
        arrow.add(Line(start, base, stroke_color=color, stroke_width=stroke_width))
    if halo > 0:
        head.set_stroke(BACKGROUND, width=halo, background=True)
        for shaft in arrow[1:]:
            shaft.set_stroke(BACKGROUND, width=stroke_width + 2 * halo, background=True)
    return arrow


def neuron_arrows(neurons: VGroup, values: Sequence[float], scale: float, dx: float = -0.27,
                  tip: float = 0.1) -> VGroup:
    """Up (blue) or down (red) arrows beside a column of neurons, each centred on its neuron's height,
    ``scale * |value|`` long: the change each neuron is wished. ``dx``: their offset from the
    neurons' centres (left of them by default, where the layer's incoming wires end)."""
    arrows = VGroup()
    for circle, v in zip(neurons, values):
        v = float(v)
        half = UP * scale * v / 2
        center = circle.get_center() + RIGHT * dx
        arrows.add(signed_arrow(center - half, center + half, signed_color(v), tip=tip, halo=3.0))
    note_drawing(arrows, "arrows", values)
    return arrows


def edges_showing(net: NetworkDiagram, layer: int, values: np.ndarray, vmax: float, width: float = 2.0,
                  opacity: float = 0.9) -> VGroup:
    """A copy of the edges into layer ``layer + 1`` coloured by ``values[out, in]`` on the scale
    ``vmax`` (blue positive, red negative, thicker the larger), for the drawn edges to transform
    into: the same wires showing another quantity (a weight's wished change, say)."""
    lines = net.edges[layer].copy()
    w = np.asarray(values)
    n_out = len(net.layers[layer + 1])
    for k, line in enumerate(lines):
        i, j = divmod(k, n_out)
        v = float(w[j, i])
        line.set_stroke(value_to_color(v, vmax), width=0.4 + width * min(abs(v) / vmax, 1), opacity=opacity)
    note_drawing(lines, f"edges into layer {layer + 1} coloured", values)
    return lines


def wish_pulses(net: NetworkDiagram, layer: int, values: np.ndarray, color, width: float = 2.2) -> list[VMobject]:
    """Pulses to run backwards along the wires into layer ``layer + 1`` (for ``ShowPassingFlash``),
    each as strong as that wire's wish ``values[out, in]``: wider and brighter the larger its share
    of the largest, none under ``PULSE_FLOOR``. A few bright lines where the wishes are big, never a
    solid wall of every wire at once. Wires are in ``edges_showing``'s order."""
    return _pulse_lines(net.edges[layer], len(net.layers[layer + 1]), values, color, width, backwards=True)


class NeuronBars(VGroup):
    """Value bars in [0, 1] beside a column of neurons, each at its neuron's height: a track
    ``width`` long starting at ``x``, the bar, and the value (``decimals``) after the track.
    ``rows[i]`` is (track, bar, number); :meth:`at` gives a value's point on a track."""

    def __init__(self, neurons: VGroup, values: Sequence[float], x: float, width: float = 1.3,
                 bar_height: float = 0.22, font_size: int = 19, decimals: int = 3):
        super().__init__()
        note_drawing(self, "bars", values)
        self.x0, self.track_width = float(x), float(width)
        self.rows = VGroup()
        for circle, v in zip(neurons, values):
            v = float(v)
            y = circle.get_y()
            track = Rectangle(width=width, height=bar_height, stroke_color=FAINT, stroke_width=1)
            track.move_to([x + width / 2, y, 0])
            bar = Rectangle(width=max(width * v, 1e-3), height=bar_height, stroke_width=0,
                            fill_color=activation_color(0.35 + 0.65 * v), fill_opacity=1)
            bar.move_to([x + bar.width / 2, y, 0])
            number = Text(_fixed(v, decimals), font=FONT, font_size=font_size).next_to(track, RIGHT, buff=0.12)
            self.rows.add(VGroup(track, bar, number))
        self.add(self.rows)

    def at(self, i: int, value: float) -> np.ndarray:
        """The point of ``value`` on track ``i`` (0 at its left end, 1 at its right)."""
        return np.array([self.x0 + self.track_width * float(value), self.rows[i][0].get_y(), 0.0])

    def change_arrows(self, values: Sequence[float], changes: Sequence[float], tip: float = 0.09) -> VGroup:
        """Arrows inside the tracks from each value to value + change (blue up, red down): the
        arrow's length is the change, on the bars' own scale."""
        arrows = VGroup(*[signed_arrow(self.at(i, v), self.at(i, float(v) + float(c)), signed_color(float(c)), tip=tip,
                                       stroke_width=3.5, halo=1.5)
                          for i, (v, c) in enumerate(zip(values, changes))])
        note_drawing(arrows, "arrows", changes)
        return arrows


class ExampleTable(Group):
    """One row per example (its digit drawn at the left), one column per parameter (named by a
    formula above it), and a last row with each column's average. ``values[example, parameter]``;
    cells coloured blue or red by sign, full when large beside the table's largest and greyed
    (but still of their sign's hue) when small; a cell that reads 0.000 grey.
    ``cells[r][c]``, ``images[r]``, ``heads[c]``, ``average[c]``, ``average_name``, ``separator``."""

    def __init__(self, values: np.ndarray, images: np.ndarray, heads: Sequence[str], averages: Sequence[float],
                 col_width: float = 1.45, row_height: float = 0.47, font_size: int = 24, decimals: int = 3,
                 image_height: float = 0.42):
        super().__init__()
        note_drawing(self, "cells", values)
        values = np.asarray(values)
        vmax = float(np.abs(values).max()) or 1.0
        n_rows, n_cols = values.shape
        self.cells = VGroup()
        for r in range(n_rows):
            row = VGroup()
            for c in range(n_cols):
                v = float(values[r, c])
                text = _fixed(v, decimals)
                if text == _fixed(0.0, decimals):
                    color = MUTED
                elif abs(v) > 0.08 * vmax:
                    color = signed_color(v)
                else:  # small: the sign still shows (a wish the other way is a wish the other way)
                    color = interpolate_color(MUTED, signed_color(v), 0.6)
                row.add(Text(text, font=FONT, font_size=font_size, color=color)
                        .move_to([(c + 1) * col_width, -r * row_height, 0]))
            self.cells.add(row)
        self.images = Group(*[Group(im, im.frame()) for im in (DigitImage(p, height=image_height) for p in images)])
        for r, image in enumerate(self.images):
            image.move_to([0, -r * row_height, 0])
        self.heads = VGroup(*[MathTex(h, font_size=font_size + 8).move_to([(c + 1) * col_width, row_height * 1.15, 0])
                              for c, h in enumerate(heads)])
        bottom = -(n_rows - 0.45) * row_height
        self.separator = Line([-0.4, bottom, 0], [(n_cols + 0.5) * col_width, bottom, 0], stroke_color=FAINT,
                              stroke_width=1.5)
        y_avg = bottom - 0.65 * row_height
        self.average = VGroup(*[Text(_fixed(a, decimals), font=FONT, font_size=font_size, color=signed_color(a))
                                .move_to([(c + 1) * col_width, y_avg, 0]) for c, a in enumerate(averages)])
        note_drawing(self.average, "averages", averages)
        self.average_name = Text("average", font=FONT, font_size=font_size - 4, color=INK).move_to([0, y_avg, 0])
        self.add(self.images, self.cells, self.heads, self.separator, self.average, self.average_name)

    def cell(self, r: int, c: int) -> Mobject:
        return self.cells[r][c]

    def column(self, c: int) -> VGroup:
        return VGroup(*[row[c] for row in self.cells])


def signed_columns(values: Sequence[float], step: float, unit: float, colors: Sequence | None = None,
                   least: float = 0.005) -> VGroup:
    """One upright bar per value, side by side from x = 0 (``step`` apart), standing on y = 0: up for
    a positive value, down for a negative one, ``unit`` tall per unit of value (``least`` at
    least); blue or red by sign, unless ``colors`` gives a bar its own (None keeps the sign's)."""
    bars = VGroup()
    for k, v in enumerate(float(v) for v in values):
        color = colors[k] if colors is not None and colors[k] is not None else POSITIVE if v >= 0 else NEGATIVE
        bars.add(Rectangle(width=step * 0.8, height=max(abs(v) * unit, least), stroke_width=0, fill_color=color,
                           fill_opacity=0.9).move_to([(k + 0.5) * step, 0, 0], aligned_edge=DOWN if v >= 0 else UP))
    return bars


def path_tip(points: np.ndarray, color, size: float = 0.2) -> VMobject:
    """An arrowhead at the end of a drawn path (scene ``points``), pointing the way the path's
    last stretch of at least ``size`` runs."""
    points = np.asarray(points, dtype=float)
    end = points[-1]
    back = next((p for p in points[::-1] if np.linalg.norm(end - p) >= size), points[0])
    return signed_arrow(back, end, color, tip=size)[0]
