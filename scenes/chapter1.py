"""Chapter 1, "But what is a neural network?", drawn from the trained digit network.

One film in ten beats. A real handwritten 3 becomes 784 numbers, the numbers become the
network's input layer, and the network, drawn with its trained weights, reads the digit.
Then one hidden neuron is taken apart (weights, sum, bias, sigmoid), the knobs are counted on
the drawing, and a layer becomes a matrix product. Every digit, activation, weight and count
on screen comes from the ``digits-story`` artifact (``models/digit_story.py``);
``tests/golden/chapter1.json`` pins the numbers. The "hope" beat (edges, loops, digits) is an
illustration cut from the pixels of the real 3, and says so on screen; Chapter 2 shows what
the hidden neurons really look for.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render the chapter with ``python render.py render 1``, or one scene with Manim itself::

    manim -ql scenes/chapter1.py ForwardPass
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    BackgroundRectangle,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    ShowPassingFlash,
    Square,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenes.base import ARRIVE, ARRIVE_LAGGED, LEAVE, ChapterScene, Stage, artifact_arrays, first_part, last_part
from scenes.palette import ACCENT, BACKGROUND, FAINT, FUNCTION, INK, MUTED, signed_color
from scenes.pieces import (
    DIGIT_HOME,
    FONT,
    AnswerGrid,
    NET_CENTER,
    DigitImage,
    HeatMap,
    MatrixGrid,
    NetworkDiagram,
    ValueBars,
    digit_network,
    digit_sizes,
    fmt,
    layer_names,
    hidden_phrase,
    point_out_band,
    tex,
    window_band,
)
from scenes.transcript import computed

NUMBER = 1
TITLE = "But what is a neural network?"
ARTIFACTS = ("digits-story",)

DIGIT_SMALL = 2.0
ALL = 99  # network_stage(d, lit=ALL): every layer lit


def depth() -> int:
    """L, the number of layers of weights: the outputs are layer L (3 in a 784-16-16-10 network)."""
    return len(digit_sizes()) - 1


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter1.npz")


def imported(d) -> bool:
    """Whether the network was imported (``render.py import digits FILE``) rather than trained here."""
    return "history_imported" in d and bool(d["history_imported"])


def _text(s: str, size: int = 24, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


def _thousands(n: int, how: str | None = None) -> str:
    """``n`` with TeX's thousands separator; ``how``: the computation it comes from, if it does."""
    text = f"{n:,}" if how is None else computed(f"{n:,}", how)
    return text.replace(",", "{,}")


# ----------------------------------------------------------------------------- stages: the joins


def network(d: dict, lit: int) -> NetworkDiagram:
    """The trained network (every weight on one colour scale), its first ``lit`` layers lit by the
    chapter's digit."""
    L = depth()
    acts = [d["a0"][d["input_window"]], *[d[f"a{l}"] for l in range(1, L + 1)]][:lit]
    return digit_network((d["w0_window"], *[d[f"w{l}"] for l in range(1, L)]), float(d["weight_vmax"]),
                         d["input_window"], acts)


def small_digit(d: dict) -> Group:
    """The chapter's digit where it feeds the network: left of the input column."""
    digit = DigitImage(d["digit"], height=DIGIT_SMALL).move_to(DIGIT_HOME)
    return Group(digit, digit.frame())


def network_stage(d: dict, lit: int, labels: bool = True) -> Stage:
    """The whole network, the digit beside it (its shown row outlined), the layer names."""
    net = network(d, lit)
    digit = small_digit(d)
    stage = Stage(digit=digit, band=window_band(d["input_window"], digit[0]), net=net)
    if labels:
        stage["labels"] = net.label_layers(layer_names(d["sizes"]))
    return stage


def input_stage(d: dict) -> Stage:
    """The digit and the input column of :func:`network_stage`: the other layers are still to come."""
    full = network_stage(d, lit=1)
    return Stage(digit=full.digit, band=full.band, inputs=VGroup(full.net.layers[0], full.net.dots))


def big_digit_stage(d: dict) -> Stage:
    digit = DigitImage(d["digit"], height=6.0).move_to([-3.2, 0.62, 0])
    return Stage(digit=Group(digit, digit.frame()))


def threes(d: dict) -> Group:
    """The opening's real 3s, two rows of three (the chapter's digit among them)."""
    return Group(*[Group(im, im.frame()) for im in (DigitImage(p, height=2.7) for p in d["threes"])]) \
        .arrange_in_grid(2, 3, buff=(0.55, 0.45)).move_to(UP * 0.62)


def matrix_parts(d: dict) -> dict[str, object]:
    """Chapter 1's matrix form with real numbers: rows ``matrix_rows`` of W (an ellipsis row
    wherever rows are skipped) and columns ``matrix_cols`` (among the pixels the input column
    shows), a(0), b, and a(1) = sigma(W a(0) + b). ``grid_rows[k]`` is the drawn row of data row k."""
    rows, cols = [int(r) for r in d["matrix_rows"]], [int(c) for c in d["matrix_cols"]]
    w, b, a0, a1 = d["w_matrix"], d["b_matrix"], d["a0_matrix"], d["a1_matrix"]
    n = int(d["sizes"][1])
    w_cells, w_values, b_cells, b_values, a_cells, grid_rows, index_cells = [], [], [], [], [], [], []
    for k, r in enumerate(rows):
        if r > (rows[k - 1] + 1 if k else 0):  # skipped rows: an ellipsis row
            w_cells.append(["..."] + [":"] * len(cols) + ["\\"])
            w_values.append([0] * (len(cols) + 2))
            b_cells.append([":"]), b_values.append([0]), a_cells.append([":"]), index_cells.append("")
        grid_rows.append(len(w_cells))
        w_cells.append(["..."] + [fmt(v, 2) for v in w[k]] + ["..."])
        w_values.append([0] + list(w[k]) + [0])
        b_cells.append([fmt(b[k], 2)]), b_values.append([b[k]]), a_cells.append([f"{a1[k]:.2f}"])
        index_cells.append(str(r))
    if rows[-1] < n - 1:
        w_cells.append(["..."] + [":"] * len(cols) + ["\\"]), w_values.append([0] * (len(cols) + 2))
        b_cells.append([":"]), b_values.append([0]), a_cells.append([":"]), index_cells.append("")
    W = MatrixGrid(w_cells, np.array(w_values), font_size=20, col_gap=0.2)
    A0 = MatrixGrid([[":"]] + [[fmt(v, 2) if v else "0"] for v in a0] + [[":"]], None, font_size=20, colored=False)
    B = MatrixGrid(b_cells, np.array(b_values), font_size=20)
    A1 = MatrixGrid(a_cells, None, font_size=20, colored=False)
    sigma, open_, plus, close, equals = (MathTex(t, font_size=40) for t in (r"\sigma", "(", "+", ")", "="))
    eq = VGroup(sigma, open_, W, A0, plus, B, close, equals, A1).arrange(RIGHT, buff=0.18)
    VGroup(*eq[2:]).shift(RIGHT * 0.3)  # room for W's row numbers
    VGroup(*eq[4:]).shift(RIGHT * 0.75)  # and for the pixel numbers beside a(0)
    eq.move_to([0.15, -1.1, 0])
    index = VGroup(*[_text(t, 18, INK if t == str(int(d["neuron"])) else MUTED)
                     .move_to([W.get_left()[0] - 0.28, W.rows[g].get_y(), 0]) for g, t in enumerate(index_cells) if t])
    pixels = VGroup(*[_text(f"#{c}", 14, MUTED).move_to([W.rows[0][k + 1].get_x(), W.get_top()[1] + 0.16, 0])
                      for k, c in enumerate(cols)])
    pixels.add(*[_text(f"#{c}", 14, MUTED).next_to(A0.rows[k + 1], RIGHT, buff=0.32) for k, c in enumerate(cols)])
    names = VGroup(*[MathTex(t, font_size=30, color=MUTED).next_to(m, UP, buff=0.12)
                     for t, m in ((rf"W \; ({n} \times {int(d['sizes'][0])})", W), ("a^{(0)}", A0), ("b", B),
                                  ("a^{(1)}", A1))])
    names[0].shift(UP * 0.22)  # above the pixel numbers
    compact = MathTex("a^{(1)}", "=", r"\sigma(", "W", "a^{(0)}", "+", "b", ")", font_size=40).move_to([4.6, 3.1, 0])
    return {"eq": eq, "W": W, "A0": A0, "B": B, "A1": A1, "sigma": sigma, "open": open_, "plus": plus, "close": close,
            "equals": equals, "names": names, "index": index, "pixels": pixels, "compact": compact, "rows": rows,
            "cols": cols,
            "grid_rows": grid_rows}


def shrunk(stage: Stage, scale: float, center) -> Stage:
    """A copy of a network stage, scaled and moved as one piece (the network steps aside); the
    output digits, too small to read at that size, are hidden."""
    out = Stage({k: v.copy() for k, v in stage.items()})
    group = Group(*out.values())
    group.scale(scale).move_to(center)
    out.net.output_labels.set_opacity(0)
    return out


def matrix_stage(d: dict) -> Stage:
    """The network drawn small at the top and, under it, the layer as a matrix product."""
    full = network_stage(d, lit=ALL)
    net = shrunk(Stage(digit=full.digit, band=full.band, net=full.net), 0.5, [-2.6, 2.28, 0])
    parts = matrix_parts(d)
    return Stage(**net, eq=parts["eq"], names=parts["names"], index=parts["index"], pixels=parts["pixels"],
                 compact=parts["compact"])


def curves_stage() -> Stage:
    """Sigmoid and ReLU side by side (pure mathematics, not model data)."""
    cfg = {"stroke_width": 1.5, "include_numbers": True, "font_size": 26, "color": MUTED}
    left = Axes(x_range=[-6, 6, 2], y_range=[0, 1, 0.5], x_length=5.6, y_length=3.4, tips=False, axis_config=cfg)
    right = Axes(x_range=[-6, 6, 2], y_range=[0, 6, 2], x_length=5.6, y_length=3.4, tips=False, axis_config=cfg)
    VGroup(left, right).arrange(RIGHT, buff=1.3).move_to([0, 0.2, 0])
    sigmoid = left.plot(lambda t: 1 / (1 + np.exp(-t)), color=FUNCTION, stroke_width=4)
    relu = right.plot(lambda t: max(t, 0.0), color=FUNCTION, stroke_width=4)
    sig_label = MathTex(r"\sigma(z) = \frac{1}{1 + e^{-z}}", font_size=36).next_to(left, UP, buff=0.3)
    relu_label = MathTex(r"\mathrm{ReLU}(z) = \max(0, z)", font_size=36).next_to(right, UP, buff=0.3)
    return Stage(left=left, sigmoid=sigmoid, sig_label=sig_label, right=right, relu=relu, relu_label=relu_label)


def _cropped(pixels: np.ndarray, height: float) -> DigitImage:
    """A piece of the digit, cut down to the square around its ink (so a small piece shows large)."""
    image = pixels.reshape(28, 28)
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    if not len(rows):
        return DigitImage(pixels, height=height)
    size = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 3
    r0 = int(np.clip((rows[0] + rows[-1]) // 2 - size // 2, 0, 28 - size))
    c0 = int(np.clip((cols[0] + cols[-1]) // 2 - size // 2, 0, 28 - size))
    return DigitImage(image[r0:r0 + size, c0:c0 + size], height=height)


def hope_pieces(pixels: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Illustration, not model data: the real digit's ink cut into an upper and a lower half
    ("loops"), and each half into three arcs around its centre ("edges")."""
    image = pixels.reshape(28, 28)
    ink = image > 0.25
    rows = np.flatnonzero(ink.any(axis=1))
    middle = (rows[0] + rows[-1] + 1) // 2
    yy, xx = np.mgrid[0:28, 0:28]
    halves, edges = [], []
    for part in (yy < middle, yy >= middle):
        mask = ink & part
        halves.append(np.where(mask, image, 0.0))
        cy, cx = yy[mask].mean(), xx[mask].mean()
        angle = (np.degrees(np.arctan2(cy - yy, xx - cx)) + 360 + 30) % 360  # 0 = east, counter-clockwise
        for k in range(3):
            edges.append(np.where(mask & (angle // 120 == k), image, 0.0))
    return halves, edges


# ----------------------------------------------------------------------------- scenes


class ChapterOneScene(ChapterScene):
    chapter = NUMBER


class ExampleThrees(ChapterOneScene):
    def construct(self):
        d = data()
        card = self.title_card(TITLE, keep=True)

        # Several real handwritten threes
        row = threes(d)
        mine = int(np.flatnonzero(d["threes_index"] == d["digit_index"])[0])
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE),
                  LaggedStart(*[FadeIn(t, shift=UP * 0.3) for t in row], lag_ratio=0.2, rate_func=ARRIVE_LAGGED),
                  run_time=2.8)
        self.say("These are all threes, written by different people: real digits from the MNIST collection.")
        self.say("Their pixels differ a lot, yet you read each one as a 3 at a glance. Can a program learn to do that?")
        self.play(LaggedStart(*[t[1].animate.set_stroke(ACCENT, width=3) for t in row], lag_ratio=0.15), run_time=1.5)
        self.play(LaggedStart(*[t[1].animate.set_stroke(FAINT, width=2) for t in row], lag_ratio=0.15), run_time=1.0)

        # Follow one of them
        if imported(d):
            self.say("We will follow this one through a network imported from a weight file, trained elsewhere.")
        else:
            self.say(f"We will follow this one through a network that learned from {int(d['n_train']):,} other digits, "
                     "never from it.")
        self.play(row[mine][1].animate.set_stroke(ACCENT, width=4), run_time=0.8)
        after = big_digit_stage(d)
        self.swap([row], list(row))
        self.hand_off(after, keep={row[mine]: after.digit}, run_time=1.6)


class DigitAsPixels(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(big_digit_stage(d))
        digit = stage.digit[0]
        side = digit.height / 28
        corner = digit.get_corner(UP + LEFT)
        grid = VGroup(*[Line(corner + RIGHT * i * side, corner + RIGHT * i * side + DOWN * digit.height)
                        for i in range(29)],
                      *[Line(corner + DOWN * i * side, corner + DOWN * i * side + RIGHT * digit.width)
                        for i in range(29)]).set_stroke(MUTED, width=0.6, opacity=0.45)
        n_pixels = int(d["digit"].size)
        across = computed(int(round(np.sqrt(n_pixels))), "the image's side: the square root of its pixel count")
        count = VGroup(MathTex(rf"{across} \times {across}", font_size=56), MathTex(f"= {n_pixels}", font_size=56),
                       _text("pixels", 32, MUTED)).arrange(DOWN, buff=0.3).move_to([3.9, 0.9, 0])

        # A digit is a grid of brightnesses
        self.say(f"To a computer this 3 is a grid of {across} by {across} pixels, each holding one number: its brightness.")
        self.play(Create(grid, lag_ratio=0.02), run_time=2.0)
        self.play(Write(count[0]), run_time=1.0)
        self.play(Write(count[1]), FadeIn(count[2]), run_time=1.0)

        # Zoom in: the numbers in the pixels, where the ink of the shown row begins
        window = d["input_window"]
        row, col0 = divmod(int(window[0]), 28)
        pixels = d["digit"].reshape(28, 28)
        edge = col0 + int(np.argmax(pixels[row, col0 : col0 + len(window)] > 0.5))  # first inked pixel of the row
        cols = range(max(edge - 2, 0), min(edge + 4, 28))
        rows = range(max(row - 2, 0), min(row + 3, 28))
        block = pixels[rows.start:rows.stop, cols.start:cols.stop]  # the pixels the camera zooms in on
        numbers = VGroup(*[
            _text(f"{v:.2f}", 6, BACKGROUND if v > 0.5 else INK).move_to(digit.pixel_center(r, c))
            for r in rows for c in cols for v in [block[r - rows.start, c - cols.start]]
        ])
        lo, hi = (computed(f"{f(d['digit']):.2f}", f"the {name} pixel of the digit")
                  for f, name in ((np.min, "darkest"), (np.max, "brightest")))
        self.say(f"Zoom in and read them: {lo} where the paper is blank (black here), up to {hi} where the ink is (white).")
        self.look_at(numbers, 4.2, LaggedStart(*[FadeIn(n) for n in numbers], lag_ratio=0.03), run_time=3.5)
        self.wait(3.0)  # thirty numbers to read
        self.camera_home(FadeOut(numbers), run_time=3.5)

        # Unroll: one row's pixels become a column of numbers, the network's input neurons
        target = network_stage(d, lit=1)
        point_out_band(target.band)  # still the yellow the caption names; it greys as the beat hands off
        band = window_band(d["input_window"], digit, pointed=True)
        first, last = int(window[0]), int(window[-1])
        row_shown = computed(row, "the shown numbers' row in the image: the first one's index // 28")
        self.say(f"Unroll the rows into one long column of {int(d['digit'].size)} numbers. Here are numbers {first} "
                 f"to {last}, part of row {row_shown}, marked in yellow.")
        self.play(Create(band), run_time=1.0)
        squares = VGroup(*[
            Square(side, stroke_width=0.5, stroke_color=MUTED, fill_color=INK, fill_opacity=float(pixels[row, c]))
            .move_to(digit.pixel_center(row, c)) for c in range(col0, col0 + len(window))
        ])
        self.add(squares)
        column = target.net.layers[0].copy()
        values = VGroup(*[_text(f"{v:.2f}", 19).next_to(c, RIGHT, buff=0.22) for c, v in zip(column, d["a0"][window])])
        values.add(_text(f"#{first}", 16, MUTED).next_to(values[0], RIGHT, buff=0.25),
                   _text(f"#{last}", 16, MUTED).next_to(values[len(window) - 1], RIGHT, buff=0.25))
        self.play(ReplacementTransform(stage.digit, target.digit), ReplacementTransform(band, target.band),
                  ReplacementTransform(squares, column), FadeOut(grid), count.animate.shift(RIGHT * 0.4), run_time=2.2)
        self.play(FadeIn(target.net.dots), FadeIn(values, lag_ratio=0.05), run_time=1.0)
        self.say("Each number sets one input neuron: a thing that holds a number between 0 and 1, its activation.")
        rings = VGroup(*[Circle(radius=c.width / 2 + 0.07, color=ACCENT, stroke_width=2.5).move_to(c) for c in column])
        self.play(LaggedStart(*[Create(r) for r in rings], lag_ratio=0.06), run_time=1.4)
        self.play(FadeOut(rings), run_time=0.5)
        self.say("Blank paper gives 0, a dark neuron; ink gives nearly 1, a bright one. All 784 make the first layer.")
        pixels_shown = d["a0"][window]
        dark = [c for c, v in zip(column, pixels_shown) if v < 0.5]
        bright = [c for c, v in zip(column, pixels_shown) if v >= 0.5]
        self.play(LaggedStart(*[Indicate(c, color=MUTED, scale_factor=1.4) for c in dark], lag_ratio=0.1), run_time=1.4)
        self.play(LaggedStart(*[Indicate(c, color=INK, scale_factor=1.4) for c in bright], lag_ratio=0.1), run_time=1.4)
        after = input_stage(d)
        self.hand_off(after, keep={target.digit: after.digit, target.band: after.band, column: after.inputs[0],
                                   target.net.dots: after.inputs[1]})


class IntroduceLayers(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(input_stage(d))
        full = network_stage(d, lit=1)
        net = full.net
        self.swap([stage.inputs], [net.layers[0], net.dots])

        # Layers, from input to output
        sizes = [int(s) for s in d["sizes"]]
        self.say(f"The network is layers of neurons: the {sizes[0]} inputs, {hidden_phrase(sizes)}, and {sizes[-1]} outputs.")
        self.play(FadeIn(full.labels[0]))
        for layer, label in zip(net.layers[1:], full.labels[1:]):
            self.play(FadeIn(layer, lag_ratio=0.06), FadeIn(label), run_time=0.9)

        # The outputs are the digits
        self.say("Each output neuron stands for one digit, 0 to 9. The brightest one will be the network's answer.")
        self.play(FadeIn(net.output_labels, lag_ratio=0.1), run_time=1.2)
        self.play(LaggedStart(*[c.animate.set_stroke(ACCENT, width=3) for c in net.layers[-1]], lag_ratio=0.1),
                  run_time=1.2)
        self.play(*[c.animate.set_stroke(MUTED, width=1.5) for c in net.layers[-1]], run_time=0.4)

        # Every neuron connects to every neuron of the next layer
        self.say("Each neuron is wired to every neuron of the next layer. Each wire has a weight, learned in training.")
        for edges in net.edges:
            self.play(Create(edges, lag_ratio=0.002), run_time=1.3)
        self.say("Blue wires carry positive weights, red ones negative; the brighter and thicker, the larger.")
        self.play(LaggedStart(*[ShowPassingFlash(e.copy().set_stroke(width=3.5, opacity=1), time_width=0.6)
                                for e in net.edges], lag_ratio=0.4), run_time=2.5)
        self.wait(1.0)

        self.swap([net.edges, net.layers, net.dots, net.output_labels, *full.labels], [net, full.labels])
        after = network_stage(d, lit=1)
        self.hand_off(after, keep={stage.digit: after.digit, stage.band: after.band, net: after.net,
                                   full.labels: after.labels}, run_time=0.6)


class ForwardPass(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(network_stage(d, lit=1))
        net = stage.net

        # Activations flow layer by layer
        self.say("Now let the network read it: each layer's activations set the next layer's, through the weights.")
        L = depth()
        sources = [d["a0"][d["input_window"]], *[d[f"a{l}"] for l in range(1, L)]]
        weights = [d["w0_window"], *[d[f"w{l}"] for l in range(1, L)]]  # into layer 1, 2, ...
        for layer in range(1, L + 1):
            # a pulse along each wire, as strong as what it carries (activation times weight)
            self.play(*net.pulses(layer, sources[layer - 1], weights[layer - 1]), run_time=1.0)
            self.play(net.light(layer, d[f"a{layer}"]), run_time=0.8)

        # The brightest output is the answer
        bars = ValueBars(d[f"a{L}"], width=0.85, bar_height=0.2, font_size=19, decimals=3)
        for row, label in zip(bars.rows, net.output_labels):
            row.next_to(label, RIGHT, buff=0.2)
        winner = int(d["prediction"])
        box = SurroundingRectangle(VGroup(net.layers[-1][winner], bars.rows[winner]), color=ACCENT, buff=0.06)
        confidence = float(d["confidence"])
        self.say(f"These brightnesses are its real activations. The brightest output is the {winner}, at "
                 f"{confidence:.3f}: it reads a {winner}.")
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.0)
        self.play(Create(box), bars.rows[winner][-1].animate.set_color(ACCENT))
        runner_up = int(np.argsort(d[f"a{L}"])[-2])
        others = float(d[f"a{L}"][runner_up])
        second = SurroundingRectangle(VGroup(net.layers[-1][runner_up], bars.rows[runner_up]), color=MUTED, buff=0.06,
                                      stroke_width=2)
        self.say(f"The next brightest output is only {others:.3f}. (Each output is its own brightness, not a share of 1.)")
        self.play(Create(second), run_time=0.8)
        self.wait(1.0)

        # The test: every held-out digit, read right or not
        acc, n_test = float(d["test_accuracy"]), int(d["n_test"])
        test = artifact_arrays("digits-story", "chapter2.npz")  # the same network's answers on the held-out digits
        grid = AnswerGrid(test["test_predictions"], test["test_labels"], columns=40, width=8.4)
        if grid.right != round(acc * n_test) or len(test["test_labels"]) != n_test:
            raise ValueError("digits-story: chapter 2's test answers disagree with chapter 1's accuracy; rebuild it "
                             "(python render.py train digits-story --force)")
        grid.move_to([0, 0.75, 0])
        right = computed(f"{round(acc * n_test):,}", "test_accuracy × n_test")
        legend = _text(f"each square one held-out digit: filled, read right ({right}); hollow, read wrong", 20, MUTED)
        legend.next_to(grid, DOWN, buff=0.25)
        self.say(f"Over all {n_test:,} held-out digits, this network reads {right} right: {acc:.1%}.")
        # the grid is every held-out digit, not this 3: the 3 leaves with the network
        self.play(FadeOut(Group(net, bars, box, second, stage.labels, stage.digit, stage.band)), run_time=0.7)
        # row by row, in the test's order: a cover the colour of the background slides off the grid
        cover = Rectangle(width=grid.width + 0.1, height=grid.height + 0.1, stroke_width=0, fill_color=BACKGROUND,
                          fill_opacity=1.0).move_to(grid)
        self.add(grid, cover)
        self.play(cover.animate.stretch_to_fit_height(0.001, about_edge=DOWN), FadeIn(legend), run_time=2.5,
                  rate_func=lambda t: t)
        self.remove(cover)
        self.wait(1.0)
        after = network_stage(d, lit=ALL)
        self.hand_off(after)


class TheHope(ChapterOneScene):
    """Illustration: the pieces are cut from the real digit's pixels; no neuron is claimed to see them."""

    def construct(self):
        d = data()
        stage = self.open(network_stage(d, lit=ALL))
        net = stage.net
        halves, edges = hope_pieces(d["digit"])
        L = depth()  # the first hidden layer holds the edges, the last (L-1) the curves: one layer when L == 2
        x1, x2, x3 = (float(net.layers[k].get_x()) for k in (1, L - 1, L))
        edge_imgs = Group(*[Group(im, im.frame()) for im in (_cropped(p, 0.78) for p in edges)])
        edge_imgs.arrange(DOWN, buff=0.12).move_to([x1, NET_CENTER[1], 0])
        half_imgs = Group(*[Group(im, im.frame()) for im in (DigitImage(p, height=1.55) for p in halves)])
        half_imgs.arrange(DOWN, buff=0.6).move_to([x2, NET_CENTER[1], 0])
        whole = Group(*(lambda im: (im, im.frame()))(DigitImage(d["digit"], height=1.8)))
        whole.move_to([x3 + 1.75, float(net.layers[L][int(d["prediction"])].get_y()), 0])
        to_half = VGroup(*[Arrow(e.get_right(), half_imgs[k // 3].get_left(), buff=0.08, stroke_width=2.5,
                                 max_tip_length_to_length_ratio=0.12, color=MUTED) for k, e in enumerate(edge_imgs)])
        three = net.layers[L][int(d["prediction"])]
        three_label = net.output_labels[int(d["prediction"])]
        to_whole = VGroup(*[Arrow(h.get_right(), three.get_left(), buff=0.08, stroke_width=3,
                                  max_tip_length_to_length_ratio=0.12, color=MUTED) for h in half_imgs])
        to_whole.add(Line(three_label.get_right() + RIGHT * 0.1, whole.get_left(), stroke_width=2, color=MUTED))
        note = _text("the hope, drawn with pieces of this 3 (an illustration)", 20, MUTED)
        note.move_to([(x1 + x3) / 2 if L == 2 else x2 if L == 3 else (x1 + x2) / 2, -2.35, 0])

        # Why layers? The hope
        which = "the last hidden layer" if L > 2 else "the hidden layer"
        self.say(f"Why layers? The hope: each neuron of {which} stands for a piece of a digit, like a curve.")
        # the note takes the layer names' place: they are gone before it shows, never one over the other
        self.play(net.animate.set_opacity(0.1), FadeOut(stage.labels, rate_func=first_part(0.5)),
                  FadeIn(note, rate_func=last_part(0.5)), run_time=1.2)
        # the output neuron the pieces feed stays lit, its digit readable past the arrowheads
        self.play(FadeIn(whole), three.animate.set_opacity(1.0), three_label.animate.set_opacity(1.0), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(h, shift=RIGHT * 0.2) for h in half_imgs], lag_ratio=0.3),
                  Create(to_whole), run_time=1.6)
        if L > 2:
            self.say("And each neuron of the first hidden layer a little edge, a few of which make up each curve."
                     if L == 3 else "And each neuron of the first hidden layer a little edge, the layer between parts of "
                                    "curves: a few edges make up each curve.")
            self.play(LaggedStart(*[FadeIn(e, shift=RIGHT * 0.2) for e in edge_imgs], lag_ratio=0.15), run_time=2.0)
            self.play(Create(to_half, lag_ratio=0.1), run_time=1.5)
            self.say("Pixels make edges, edges make curves and lines, and those make digits. That is the hope.")
            # the hope, read left to right: edges light the curves, the curves light the 3
            for arrows in (to_half, to_whole[:-1]):
                self.play(*[ShowPassingFlash(a.copy().set_stroke(INK, width=6), time_width=0.6) for a in arrows],
                          run_time=1.0)
            self.play(Indicate(three_label, color=INK, scale_factor=1.5), run_time=0.8)
        else:
            self.say("With one hidden layer, its neurons go from pixels to pieces in one step, and the pieces make digits. "
                     "That is the hope.")
        self.wait(1.0)
        self.say("Whether training finds anything like it is a question Chapter 2 answers, with the real weights.")
        # the illustration goes; the real network, as trained, comes back
        after = network_stage(d, lit=ALL)
        pieces = Group(edge_imgs, half_imgs, to_half, to_whole, whole, note) if L > 2 else \
            Group(half_imgs, to_whole, whole, note)
        self.play(FadeOut(pieces), Transform(net, after.net), FadeIn(after.labels), run_time=1.5)
        self.wait(0.5)
        self.hand_off(after, keep={stage.digit: after.digit, stage.band: after.band, net: after.net})


class OneHiddenNeuron(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(network_stage(d, lit=ALL))
        net = stage.net
        j = int(d["neuron"])
        neuron = net.layers[1][j]
        into = net.edges_into(1, j)
        others = [e for e in net.edges[0] if e not in into] + [e for edges in net.edges[1:] for e in edges]
        ring = Circle(radius=neuron.width / 2 + 0.08, color=ACCENT, stroke_width=3).move_to(neuron)

        # One neuron of the first hidden layer
        first = "first " if depth() > 2 else ""
        self.say(f"Take one neuron of the {first}hidden layer: number {j}, counting from 0 like the outputs. "
                 "What makes it light up?")
        self.play(Create(ring), *[e.animate.set_stroke(opacity=0.1) for e in others],
                  *[e.animate.set_stroke(width=2.6, opacity=1) for e in into], run_time=1.4)

        # The camera goes to it: one weight per input, each beside its input
        vmax = float(d["weight_vmax"])
        shown = d["w0_window"][j]
        labels = VGroup(*[_text(fmt(w, 2), 15, signed_color(w)).next_to(c, RIGHT, buff=0.1).shift(UP * 0.07)
                          for c, w in zip(net.layers[0], shown)])
        self.say(f"Every input is wired to it by its own weight: here are the weights from the {len(shown)} inputs we see.")
        self.look_at(VGroup(net.layers[0], neuron, labels), 11.0, run_time=3.0)
        self.play(LaggedStart(*[FadeIn(t) for t in labels], lag_ratio=0.06), run_time=1.5)
        n_pixels = int(d["neuron_weights"].size)
        others = computed(n_pixels - len(shown), "the pixels whose weights are not drawn: all of them but those shown")
        self.say(f"The other {others} pixels have their weights too, off this drawing: {n_pixels} weights into this one neuron.")
        self.wait(0.8)

        # Step the network aside; its 784 weights as a map
        small = shrunk(Stage(digit=stage.digit, band=stage.band, net=stage.net), 0.5, [-3.9, 2.3, 0])
        # the map large while it is the subject; it steps up to make room when the sums are written
        size, home, big = 3.5, [1.05, 1.75, 0], 4.9
        weights = HeatMap(d["neuron_weights"].reshape(28, 28), vmax=vmax, height=big).move_to([1.6, 0.75, 0])
        frame = Rectangle(width=big, height=big, stroke_color=FAINT, stroke_width=2).move_to(weights)
        title = _text(f"the 784 weights into neuron {j}", 22).next_to(frame, DOWN, buff=0.12)
        across = computed(int(round(np.sqrt(n_pixels))), "the image's side: the square root of its pixel count")
        self.say(f"Draw those {n_pixels} weights as a {across} by {across} map, each where its pixel is: blue positive, red negative.")
        self.camera_home(FadeOut(labels, rate_func=LEAVE), FadeOut(stage.labels, rate_func=LEAVE),
                         *[ReplacementTransform(stage[k], small[k]) for k in small],
                         ring.animate.scale(0.5).move_to(small.net.layers[1][j]),
                         FadeIn(weights, rate_func=last_part(0.45)), Create(frame, rate_func=last_part(0.45)),
                         FadeIn(title, rate_func=last_part(0.45)), run_time=3.5)
        net, neuron = small.net, small.net.layers[1][j]
        self.wait(4.0)

        # Laid over the digit: weight times pixel
        digit = DigitImage(d["digit"], height=big, ink=0.6).move_to(weights)  # a veil: the weights show through
        product = HeatMap((d["neuron_weights"] * d["digit"]).reshape(28, 28), vmax=vmax, height=big).move_to(weights)
        self.say("Now lay the digit over it. Only weights under ink count: each weight times its pixel's brightness.")
        self.play(TransformFromCopy(small.digit[0], digit), run_time=1.4)
        self.wait(1.2)
        product_title = _text("weight × pixel, w × a", 22).move_to(title)
        self.play(FadeIn(product), FadeOut(digit), FadeOut(weights), FadeOut(title, rate_func=first_part(0.45)),
                  FadeIn(product_title, rate_func=last_part(0.45)), run_time=1.5)  # one title, then the other
        self.wait(1.5)
        frame_home = frame.copy().scale(size / big).move_to(home)
        self.play(product.animate.scale(size / big).move_to(home), Transform(frame, frame_home),
                  product_title.animate.next_to(frame_home, DOWN, buff=0.12), run_time=1.0)

        # The weighted sum, term by term (counting from 0, like the neurons)
        s, b, z, a = (float(d[k]) for k in ("neuron_weighted_sum", "neuron_bias", "neuron_z", "neuron_activation"))
        line1 = MathTex("w_0 a_0", "+", "w_1 a_1", r"+ \cdots +", "w_{783} a_{783}", "=", f"{s:.3f}", font_size=40)
        line1.move_to([-1.2, -0.75, 0])
        line1[-1].set_color(signed_color(s))
        self.say(f"Add them all up: the weighted sum is {s:.3f}. Ink on blue pushes it up, ink on red pulls it down.")
        self.write_terms(line1, sources={6: product}, groups=[[0], [1, 2], [3, 4], [5, 6]], run_time=0.8)

        # The bias: a threshold the sum must pass
        line2 = MathTex("z", "=", f"{s:.3f}", "+", "(", f"{b:.3f}", ")", "=", f"{z:.3f}", font_size=40)
        line2.next_to(line1, DOWN, buff=0.45).align_to(line1, LEFT)
        line2[2].set_color(signed_color(s))
        line2[5].set_color(signed_color(b))
        line2[8].set_color(signed_color(z))
        self.say(f"Then add the neuron's bias, {b:.3f}. It sets a threshold: the neuron only turns on once the sum "
                 f"passes {-b:.3f}.")
        self.play(Write(line2[:2]), TransformFromCopy(line1[-1], line2[2]), run_time=0.9)
        self.play(Write(line2[3:7]), run_time=0.9)
        self.play(Write(line2[7:]), run_time=0.8)

        # The sigmoid squishes it into (0, 1); its middle sits at the threshold
        axes = Axes(x_range=[-6, 6, 2], y_range=[0, 1, 0.5], x_length=3.3, y_length=2.4, tips=False,
                    axis_config={"stroke_width": 1.5, "color": MUTED, "font_size": 26},
                    x_axis_config={"include_numbers": True, "numbers_to_exclude": [0]},
                    y_axis_config={"include_numbers": True, "label_direction": LEFT})
        axes.move_to([4.8, 1.38, 0])  # its numbers clear of the right edge
        curve = axes.plot(lambda t: 1 / (1 + np.exp(-t)), color=FUNCTION, stroke_width=3)
        formula = MathTex(r"\sigma(z) = \frac{1}{1 + e^{-z}}", font_size=34).next_to(axes, UP, buff=0.12)
        zero = _text(f"0: the sum at {-b:.3f}", 20, MUTED).next_to(axes.c2p(0, 0), DOWN, buff=0.62)
        point = Dot(axes.c2p(z, a), color=ACCENT, radius=0.08)
        drop = DashedLine(axes.c2p(z, a), axes.c2p(z, 0), color=MUTED, stroke_width=2)
        line3 = MathTex(r"\sigma(", f"{z:.3f}", ")", "=", f"{a:.3f}", font_size=40)
        line3.next_to(line2, RIGHT, buff=0.8)
        line3[1].set_color(signed_color(z))
        line3[-1].set_color(ACCENT)
        self.say("Last, the sigmoid squishes any z into the range 0 to 1, turning on smoothly around z = 0.")
        self.play(Create(axes), Create(curve), Write(formula), run_time=1.6)
        self.play(FadeIn(zero), Indicate(axes.y_axis, color=ACCENT), run_time=1.0)
        self.say(f"z = 0 is exactly where the sum meets the threshold, {-b:.3f}. Our z is {z:.3f}: just past it.")
        self.play(TransformFromCopy(line2[8], line3[1]), FadeIn(line3[0]), FadeIn(line3[2]), run_time=1.0)
        self.play(Write(line3[3:]), FadeIn(point, scale=2), Create(drop), run_time=1.0)

        # That number is the neuron's activation: its brightness
        self.say(f"The result, {a:.3f}, is neuron {j}'s activation: the very brightness it has in the network.")
        flying = line3[-1].copy()
        self.play(flying.animate.move_to(neuron).scale(0.3).set_opacity(0), run_time=1.5)
        self.remove(flying)
        self.play(ring.animate.set_stroke(width=6), rate_func=lambda t: 1 - abs(2 * t - 1), run_time=0.8)
        self.wait(0.5)

        after = network_stage(d, lit=ALL)
        self.hand_off(after, keep={small[k]: after[k] for k in small})


class CountTheKnobs(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(network_stage(d, lit=ALL))
        net = stage.net
        sizes = [int(s) for s in d["sizes"]]
        n_w, n_b, n = int(d["n_weights"]), int(d["n_biases"]), int(d["n_params"])

        def tag(lines: list[str], at) -> VGroup:
            group = VGroup(*[MathTex(t, font_size=30) for t in lines]).arrange(DOWN, buff=0.1).move_to(at)
            return VGroup(BackgroundRectangle(group, fill_opacity=0.9, buff=0.1), group)

        # Count the weights, on the wires
        counts = []
        self.say("How many knobs does this network have? Every wire is a weight. Count them, layer by layer.")
        for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
            x = (net.layers[k].get_x() + net.layers[k + 1].get_x()) / 2
            t = tag([rf"{i} \times {o}", "= " + _thousands(i * o, "one weight per input and output: inputs × outputs")], [x, NET_CENTER[1], 0])
            counts.append(t)
            self.play(ShowPassingFlash(net.edges[k].copy().set_stroke(width=3.5, opacity=1), time_width=0.6), run_time=1.2)
            self.play(FadeIn(t), run_time=0.6)
        self.wait(0.5)

        # And the biases, one per neuron
        self.say(f"Every neuron after the inputs also has a bias: {', '.join(map(str, sizes[1:-1]))} and {sizes[-1]} of them.")
        bias_tags = VGroup(*[
            _text(f"{o} biases", 20, MUTED).move_to([net.layers[k + 1].get_x(), net.layers[k + 1].get_top()[1] + 0.22, 0])
            for k, o in enumerate(sizes[1:])
        ])
        rings = VGroup(*[Circle(radius=c.width / 2 + 0.05, color=ACCENT, stroke_width=2).move_to(c)
                         for layer in net.layers[1:] for c in layer])
        self.play(LaggedStart(*[Create(r) for r in rings], lag_ratio=0.01), FadeIn(bias_tags), run_time=1.5)
        self.play(FadeOut(rings), run_time=0.5)

        # The total, built from the counts on the drawing
        total = MathTex(*[_thousands(i * o, "one weight per input and output: inputs × outputs") + " +" for i, o in zip(sizes[:-1], sizes[1:])],
                        *[f"{o} +" for o in sizes[1:-1]], str(sizes[-1]), "=", _thousands(n), font_size=38)
        total.move_to([0.4, -2.2, 0])
        total[-1].set_color(ACCENT)
        L = len(sizes) - 1
        sources = {k: counts[k][1][1] for k in range(L)}
        sources.update({L + k: bias_tags[k] for k in range(L)})
        self.play(FadeOut(stage.labels), run_time=0.5)
        self.write_terms(total, sources=sources, groups=[[k] for k in range(L)] + [list(range(L, 2 * L)), [2 * L, 2 * L + 1]],
                         run_time=0.8)
        self.say(f"Weights and biases together: {n:,} numbers.")
        self.say(f"Learning means finding a good value for every one of these {n:,} knobs, from examples.")
        self.play(Create(SurroundingRectangle(total[-1], color=ACCENT, buff=0.08)), run_time=0.8)
        self.wait(0.5)
        after = network_stage(d, lit=ALL, labels=False)
        self.hand_off(after, keep={stage.digit: after.digit, stage.band: after.band, net: after.net})


class MatrixForm(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(network_stage(d, lit=ALL, labels=False))
        target = matrix_stage(d)
        parts = matrix_parts(d)
        # The scene draws the stage's own equation and names, so it ends on exactly that drawing.
        eq, names, index, pixels, compact = target.eq, target.names, target.index, target.pixels, target.compact
        W, A0, B, A1 = eq[2], eq[3], eq[5], eq[8]
        sigma, open_, plus, close, equals = eq[0], eq[1], eq[4], eq[6], eq[7]
        rows, cols, grid_rows = parts["rows"], parts["cols"], parts["grid_rows"]
        skeleton = VGroup(sigma, open_, plus, close, equals, W.left_bracket, W.right_bracket, A0.left_bracket,
                          A0.right_bracket, B.left_bracket, B.right_bracket, A1.left_bracket, A1.right_bracket)

        # The network steps up to make room; the compact form, and the shape of the long one
        self.say("Now a whole layer at once, the way libraries compute it: one formula.")
        self.play(*[ReplacementTransform(stage[k], target[k]) for k in ("digit", "band", "net")], run_time=1.6)
        net = target.net
        window = [int(p) for p in d["input_window"]]
        self.write_terms(compact, sources={0: net.layers[1], 3: net.edges[0], 4: net.layers[0]},
                         groups=[[0, 1], [2, 7], [3, 4], [5, 6]], run_time=0.7)
        self.play(FadeIn(skeleton), FadeIn(names), run_time=1.0)

        # a(0): the input activations, as a column
        self.say("Written out: stack the input activations into a column, a(0). Most of the 784 are off screen.")
        ins = [net.layers[0][window.index(c)] for c in cols]
        self.play(*[TransformFromCopy(c, A0.rows[k + 1][0]) for k, c in enumerate(ins)],
                  FadeIn(A0.rows[0]), FadeIn(A0.rows[-1]), FadeIn(pixels), run_time=1.6)

        # W: row j is the weights into neuron j
        self.say(f"Each row of W holds the weights into one neuron: row {rows[0]} is the wires into neuron {rows[0]}.")
        dots = [g for g in range(len(W.rows)) if g not in grid_rows]
        for k, j in enumerate(rows):
            grid_row = W.rows[grid_rows[k]]
            wires = [net.edges_into(1, j)[window.index(c)] for c in cols]
            self.play(*[TransformFromCopy(w, grid_row[m + 1]) for m, w in enumerate(wires)],
                      FadeIn(grid_row[0]), FadeIn(grid_row[-1]), FadeIn(index[k]),
                      *([FadeIn(W.rows[g]) for g in dots] if k == len(rows) - 1 else []),
                      run_time=1.2 if k < 2 else 0.8)

        # Plus b, then sigma: a(1)
        self.say("Add the biases b, one per neuron, and apply the sigmoid to every entry: that gives a(1).")
        ellipsis_rows = [g for g in range(len(B.rows)) if g not in grid_rows]
        self.play(*[TransformFromCopy(net.layers[1][j], B.rows[g]) for j, g in zip(rows, grid_rows)],
                  *[FadeIn(B.rows[g]) for g in ellipsis_rows], run_time=1.4)
        self.play(*[TransformFromCopy(net.layers[1][j], A1.rows[g]) for j, g in zip(rows, grid_rows)],
                  *[FadeIn(A1.rows[g]) for g in ellipsis_rows], run_time=1.4)
        neuron = int(d["neuron"])
        mine = grid_rows[rows.index(neuron)]
        box = VGroup(*[SurroundingRectangle(m, color=ACCENT, buff=0.05)
                       for m in (VGroup(*W.rows[mine][1:-1]), B.rows[mine], A1.rows[mine])])
        ring = Circle(radius=net.layers[1][neuron].width / 2 + 0.05, color=ACCENT, stroke_width=2.5)
        ring.move_to(net.layers[1][neuron])
        self.say(f"Row {neuron} is the neuron we took apart: its weights, its bias {float(d['neuron_bias']):.3f}, "
                 f"its activation {float(d['neuron_activation']):.2f}.")
        self.play(Create(box), Create(ring), run_time=1.0)
        self.wait(1.5)

        # Back to the compact form
        self.say("So a(1) is sigma of W times a(0), plus b: one line for a whole layer. The next layers repeat it."
                 if depth() > 2 else "So a(1) is sigma of W times a(0), plus b: one line for a whole layer. The outputs repeat it.")
        self.play(FadeOut(box), FadeOut(ring), *[ShowPassingFlash(SurroundingRectangle(m, color=ACCENT, buff=0.05), time_width=0.8)
                                  for m in (W, A0, B, A1)], run_time=1.2)
        self.play(*[ShowPassingFlash(SurroundingRectangle(compact[k], color=ACCENT, buff=0.05), time_width=0.8)
                    for k in (3, 4, 6, 0)], run_time=1.2)
        self.wait(0.5)
        self.hand_off(target)


class SigmoidVsReLU(ChapterOneScene):
    """Pure illustration: the two curves are mathematics, not model data."""

    def construct(self):
        d = data()
        stage = self.open(matrix_stage(d))
        curves = curves_stage()
        sigma = stage.eq[0]

        # The sigma in the formula is the sigmoid
        self.say("The sigma in every layer is the sigmoid: it squishes any number into the range 0 to 1.")
        self.play(sigma.animate.set_color(ACCENT), run_time=0.6)
        left = VGroup(curves.left, curves.sigmoid, curves.sig_label)
        home = left.copy()
        left.scale(1.25).move_to([0, 0.62, 0])
        self.play(*[FadeOut(stage[k], rate_func=LEAVE) for k in stage if k != "eq"],
                  FadeOut(VGroup(*stage.eq[1:]), rate_func=LEAVE),
                  ReplacementTransform(sigma, curves.sig_label), Create(curves.left, rate_func=last_part(0.45)),
                  run_time=2.2)
        self.play(Create(curves.sigmoid), run_time=1.5)

        # ReLU is what modern networks use
        self.say("Modern networks mostly use ReLU instead, max(0, z): simpler, and easier to train when deep.")
        self.play(left.animate.become(home), run_time=1.2)
        self.play(Create(curves.right), Write(curves.relu_label), run_time=1.2)
        self.play(Create(curves.relu), run_time=1.5)
        self.say("Our network keeps the sigmoid, like the early networks that first learned to read digits.")
        self.wait(0.5)
        self.hand_off(curves)


class Recap(ChapterOneScene):
    def construct(self):
        d = data()
        stage = self.open(curves_stage())
        acc = float(d["test_accuracy"])
        n_test = int(d["n_test"])
        self.recap_card(
            [
                f"A digit is {int(d['digit'].size)} pixel brightnesses: the input layer.",
                "Each neuron: a weighted sum, plus a bias, squished by a sigmoid.",
                f"{int(d['n_params']):,} weights and biases, all learned from examples.",
                f"Ours reads {computed(f'{round(acc * n_test):,}', 'test_accuracy × n_test')} of {n_test:,} unseen digits right ({acc:.1%}).",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [ExampleThrees, DigitAsPixels, IntroduceLayers, ForwardPass, TheHope, OneHiddenNeuron, CountTheKnobs,
          MatrixForm, SigmoidVsReLU, Recap]
