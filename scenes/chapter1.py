"""Chapter 1, "But what is a neural network?", drawn from the trained digit network.

Every digit, activation, weight and count on screen comes from the ``digits-story``
artifact (``models/digit_story.py``); ``tests/golden/chapter1.json`` pins the numbers.

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
    Axes,
    Create,
    FadeIn,
    Group,
    LaggedStart,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
    Write,
    Dot,
    DashedLine,
)

from scenes.palette import INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, DigitImage, HeatMap, NetworkDiagram, ValueBars, fmt, tex

NUMBER = 1
TITLE = "But what is a neural network?"
ARTIFACTS = ("digits-story",)
LAYER_NAMES = ("784 inputs", "16 hidden", "16 hidden", "10 outputs")


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter1.npz")


def _diagram(d: dict, height: float = 4.6, layer_gap: float = 2.6) -> NetworkDiagram:
    """The 784-16-16-10 network with its real weights on the edges."""
    net = NetworkDiagram(d["sizes"], input_shown=len(d["input_window"]), height=height, layer_gap=layer_gap,
                         output_labels=[str(i) for i in range(10)])
    vmax = float(max(np.abs(d["w0_window"]).max(), np.abs(d["w1"]).max(), np.abs(d["w2"]).max()))
    net.color_edges(0, d["w0_window"], vmax)
    net.color_edges(1, d["w1"], vmax)
    net.color_edges(2, d["w2"], vmax)
    return net


class ChapterOneScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # until its one-film rewrite lands


class ExampleThrees(ChapterOneScene):
    def construct(self):
        d = data()
        self.title_card(TITLE)

        # Show several real handwritten threes
        threes = Group(*[DigitImage(p, height=1.8) for p in d["threes"]]).arrange(RIGHT, buff=0.4).move_to(UP * 0.6)
        frames = VGroup(*[t.frame() for t in threes])
        self.say("These are all threes, written by different people: real digits from the MNIST collection.")
        self.play(LaggedStart(*[FadeIn(Group(t, f)) for t, f in zip(threes, frames)], lag_ratio=0.25), run_time=2.5)
        self.say("Their pixels differ a lot, yet you read each one at a glance. Can a program learn to do that?")
        self.play(LaggedStart(*[f.animate.set_stroke(ACCENT, width=3) for f in frames], lag_ratio=0.15), run_time=1.5)


class DigitAsPixels(ChapterOneScene):
    def construct(self):
        d = data()
        digit = DigitImage(d["digit"], height=5.6).move_to(LEFT * 3.6 + UP * 0.6)
        side = digit.height / 28
        lines = VGroup()
        for i in range(29):
            top = digit.get_corner(UP + LEFT) + RIGHT * i * side
            lines.add(Rectangle(width=1e-3, height=digit.height, stroke_width=0.6, stroke_color=MUTED,
                                stroke_opacity=0.35).move_to(top + DOWN * digit.height / 2))
            left = digit.get_corner(UP + LEFT) + DOWN * i * side
            lines.add(Rectangle(width=digit.width, height=1e-3, stroke_width=0.6, stroke_color=MUTED,
                                stroke_opacity=0.35).move_to(left + RIGHT * digit.width / 2))

        # A digit is a grid of brightnesses
        self.say("To the network, a digit is a 28 by 28 grid of pixels, each a brightness from 0 (black) to 1 (white).")
        self.play(FadeIn(digit), FadeIn(digit.frame()), run_time=1.0)
        self.play(Create(lines), run_time=1.5)

        # Take one row's pixels out, as squares lit by their real values
        window = d["input_window"]
        row, col0 = divmod(int(window[0]), 28)
        pixels = d["digit"][window]
        band = Rectangle(width=side * len(window), height=side, stroke_color=ACCENT, stroke_width=3)
        band.move_to(digit.pixel_center(row, col0) + RIGHT * side * (len(window) - 1) / 2)
        squares = VGroup(
            *[
                Square(side, stroke_width=0.5, stroke_color=MUTED, fill_color=INK, fill_opacity=float(p)).move_to(
                    digit.pixel_center(row, col0 + i)
                )
                for i, p in enumerate(pixels)
            ]
        )
        first, last = int(window[0]), int(window[-1])  # counting from 0, like the output digits
        self.say(f"Unroll the grid into one column of 784 numbers: here are numbers {first} to {last}, the row in yellow.")
        self.play(Create(band))
        self.add(squares)

        spacing = 0.33
        circles = VGroup(
            *[
                Dot(radius=0.13, fill_color=INK, fill_opacity=float(p), stroke_width=1.5, stroke_color=MUTED)
                for p in pixels
            ]
        ).arrange(DOWN, buff=spacing - 0.26).move_to(RIGHT * 1.4 + UP * 0.6)
        values = VGroup(
            *[Text(f"{p:.2f}", font=FONT, font_size=20).next_to(c, RIGHT, buff=0.25) for c, p in zip(circles, pixels)]
        )
        dots_up = MathTex(r"\vdots", font_size=32).next_to(circles, UP, buff=0.1)
        dots_down = MathTex(r"\vdots", font_size=32).next_to(circles, DOWN, buff=0.1)
        self.play(ReplacementTransform(squares, circles), run_time=2.0)
        self.play(FadeIn(values), FadeIn(dots_up), FadeIn(dots_down))

        # These numbers are the input neurons
        label = Text("784 input neurons", font=FONT, font_size=26, color=ACCENT).next_to(values, RIGHT, buff=0.5)
        self.say("Each number lights up one input neuron. All 784 of them make the network's first layer.")
        self.play(Write(label))


class IntroduceLayers(ChapterOneScene):
    def construct(self):
        d = data()
        net = _diagram(d).move_to(UP * 0.75)
        labels = net.label_layers(LAYER_NAMES)

        # Layers, from input to output
        self.say("The network is layers of neurons: 784 inputs, two hidden layers of 16, and 10 outputs.")
        for layer, label in zip(net.layers, labels):
            extra = [FadeIn(net.dots)] if layer is net.layers[0] else []
            self.play(FadeIn(layer, lag_ratio=0.05), FadeIn(label), *extra, run_time=0.8)

        # The outputs are the digits
        self.say("Each output neuron stands for one digit, 0 to 9. The brightest one is the network's answer.")
        self.play(FadeIn(net.output_labels, lag_ratio=0.1), run_time=1.2)
        self.play(LaggedStart(*[c.animate.set_stroke(ACCENT, width=3) for c in net.layers[-1]], lag_ratio=0.1), run_time=1.2)
        self.play(*[c.animate.set_stroke(MUTED, width=1.5) for c in net.layers[-1]], run_time=0.4)

        # Every neuron connects to the next layer
        self.say("Each neuron feeds every neuron of the next layer. Line colours are the trained weights: blue positive, red negative.")
        self.play(LaggedStart(*[FadeIn(e) for e in net.edges], lag_ratio=0.5), run_time=2.5)


class ForwardPass(ChapterOneScene):
    def construct(self):
        d = data()
        net = _diagram(d, layer_gap=2.7).move_to(RIGHT * 0.7 + UP * 0.75)
        labels = net.label_layers(LAYER_NAMES)
        digit = DigitImage(d["digit"], height=2.4).move_to(LEFT * 5.5 + UP * 0.75)
        frame = digit.frame()
        self.play(FadeIn(net), FadeIn(labels), run_time=0.8)

        # Feed in a real test digit
        self.say("Feed in a handwritten 3 the network never saw in training: the inputs light up with its pixels.")
        self.play(FadeIn(digit), FadeIn(frame))
        self.play(net.light(0, d["a0"][d["input_window"]]), run_time=1.2)

        # Activations flow layer by layer
        self.say("Each layer's activations set the next layer's. These brightnesses are the network's real activations.")
        for layer, key in ((1, "a1"), (2, "a2"), (3, "a3")):
            self.play(net.edges[layer - 1].animate.set_stroke(opacity=1.0), run_time=0.4)
            self.play(net.light(layer, d[key]), net.edges[layer - 1].animate.set_stroke(opacity=0.5), run_time=1.0)

        # The brightest output is the answer
        bars = ValueBars(d["a3"], width=1.0, bar_height=0.22, font_size=18)
        for row, label in zip(bars.rows, net.output_labels):
            row.next_to(label, RIGHT, buff=0.2)
        winner = int(d["prediction"])
        box = SurroundingRectangle(VGroup(net.layers[-1][winner], bars.rows[winner]), color=ACCENT, buff=0.06)
        self.say(f"The brightest output is {winner}, with activation {float(d['confidence']):.2f}: the network reads this digit as a {winner}.")
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.0)
        self.play(Create(box), bars.rows[winner][-1].animate.set_color(ACCENT))


class OneHiddenNeuron(ChapterOneScene):
    def construct(self):
        d = data()
        j = int(d["neuron"])
        w, a0 = d["neuron_weights"], d["digit"]
        vmax = float(np.abs(w).max())
        size = 2.3
        digit = DigitImage(a0, height=size)
        weights = HeatMap(w.reshape(28, 28), vmax=vmax, height=size)
        product = HeatMap((w * a0).reshape(28, 28), vmax=vmax, height=size)
        row = Group(digit, weights, product).arrange(RIGHT, buff=0.9).move_to(LEFT * 2.55 + UP * 1.85)
        frames = VGroup(*[Rectangle(width=size, height=size, stroke_color=MUTED, stroke_width=1.5).move_to(m) for m in row])
        titles = VGroup(
            Text("pixels a", font=FONT, font_size=22),
            Text(f"weights w, neuron {j}", font=FONT, font_size=22),
            Text("w × a", font=FONT, font_size=22),
        )
        for t, m in zip(titles, row):
            t.next_to(m, UP, buff=0.15)
        times = MathTex(r"\times", font_size=40).move_to((digit.get_right() + weights.get_left()) / 2)
        equals = MathTex(r"=", font_size=40).move_to((weights.get_right() + product.get_left()) / 2)

        # A hidden neuron's incoming weights as a map
        self.say(f"Take hidden neuron {j}, the one this digit lights up most. It has 784 incoming weights, one per pixel.")
        self.play(FadeIn(digit), FadeIn(frames[0]), FadeIn(titles[0]))
        self.play(FadeIn(weights), FadeIn(frames[1]), FadeIn(titles[1]), FadeIn(times))
        self.say("Drawn as a 28 by 28 map: blue weights are positive, red are negative. Ink on blue pushes the neuron up.")
        self.wait(1.0)
        self.play(FadeIn(product), FadeIn(frames[2]), FadeIn(titles[2]), FadeIn(equals))

        # The weighted sum
        s, b, z, a = (float(d[k]) for k in ("neuron_weighted_sum", "neuron_bias", "neuron_z", "neuron_activation"))
        weighted = MathTex(r"w_1 a_1 + w_2 a_2 + \cdots + w_{784} a_{784}", "=", tex(s), font_size=40)
        weighted.move_to(LEFT * 2.55 + DOWN * 0.45)
        weighted[-1].set_color(POSITIVE if s >= 0 else NEGATIVE)
        self.say(f"Add up every weight times its pixel: the weighted sum is {fmt(s)}.")
        self.play(Write(weighted), run_time=1.5)

        # Bias and sigmoid: the axis reaches the real z, however far out it is
        sign = "+" if b >= 0 else "-"
        full = MathTex(r"\sigma(", tex(s), sign, tex(abs(b)), r") = \sigma(", tex(z), ") =", tex(a, 3), font_size=40)
        full.next_to(weighted, DOWN, buff=0.5)
        full[-1].set_color(ACCENT)
        reach = max(8, int(np.ceil(abs(z) / 10.0)) * 10)
        axes = Axes(x_range=[-reach, reach, reach // 2], y_range=[0, 1, 0.5], x_length=3.3, y_length=2.0, tips=False,
                    axis_config={"stroke_width": 1.5, "include_numbers": True, "font_size": 18})
        axes.move_to(RIGHT * 4.75 + UP * 1.6)
        z_label = MathTex("z", font_size=26).next_to(axes.x_axis, RIGHT, buff=0.1)
        curve = axes.plot(lambda t: 1 / (1 + np.exp(-t)), color=POSITIVE, stroke_width=3)
        sig_label = MathTex(r"\sigma(z) = \frac{1}{1+e^{-z}}", font_size=28).next_to(axes, UP, buff=0.15)
        point = Dot(axes.c2p(z, a), color=ACCENT, radius=0.08)
        self.say(f"Add the bias, {fmt(b)}, then squish with the sigmoid into a number between 0 and 1: the activation, {fmt(a, 3)}.")
        self.play(Create(axes), FadeIn(z_label), Create(curve), FadeIn(sig_label), run_time=1.2)
        self.play(Write(full), FadeIn(point), run_time=1.5)

        # The bias as a threshold: z = 0 where the weighted sum equals -b
        edge = DashedLine(axes.c2p(0, 0), axes.c2p(0, 1.05), color=ACCENT, stroke_width=2)
        edge_label = Text(f"sum = {fmt(-b)}", font=FONT, font_size=18, color=ACCENT).next_to(axes.x_axis, DOWN, buff=0.38)
        edge_label.set_x(axes.c2p(0, 0)[0])
        self.say(f"The bias sets a threshold: with b = {fmt(b)}, the neuron lights up once the weighted sum passes {fmt(-b)}.")
        self.play(Create(edge), FadeIn(edge_label))
        self.play(point.animate.scale(1.6), rate_func=lambda t: 1 - abs(2 * t - 1), run_time=1.0)


class CountTheKnobs(ChapterOneScene):
    def construct(self):
        d = data()
        sizes = [int(s) for s in d["sizes"]]
        n_w, n_b, n = int(d["n_weights"]), int(d["n_biases"]), int(d["n_params"])
        pairs = list(zip(sizes[:-1], sizes[1:]))
        weights_tex = " + ".join(rf"{i} \times {o}" for i, o in pairs)
        biases_tex = " + ".join(str(o) for o in sizes[1:])
        line_w = MathTex(weights_tex, "=", f"{n_w:,}".replace(",", "{,}"), font_size=42)
        line_b = MathTex(biases_tex, "=", f"{n_b:,}", font_size=42)
        line_n = MathTex(f"{n_w:,}".replace(",", "{,}"), "+", str(n_b), "=", f"{n:,}".replace(",", "{,}"), font_size=52)
        line_n[-1].set_color(ACCENT)
        names = [Text("weights", font=FONT, font_size=26, color=POSITIVE), Text("biases", font=FONT, font_size=26, color=POSITIVE),
                 Text("parameters", font=FONT, font_size=26, color=ACCENT)]
        rows = VGroup(line_w, line_b, line_n).arrange(DOWN, buff=0.7).move_to(LEFT * 0.8 + UP * 0.6)
        for name, line in zip(names, rows):
            name.next_to(line, RIGHT, buff=0.5)

        # Count the weights
        self.say("Count the knobs. Every line between neurons is a weight:")
        self.play(Write(line_w), FadeIn(names[0]), run_time=2.0)
        # Count the biases
        self.say("and every hidden or output neuron has a bias:")
        self.play(Write(line_b), FadeIn(names[1]), run_time=1.5)
        # The total
        self.say(f"{n:,} numbers in all. Learning means finding good values for every one of them.")
        self.play(Write(line_n), FadeIn(names[2]), run_time=1.5)


def _num(x: float) -> str:
    return tex(x, 2)


class MatrixForm(ChapterOneScene):
    def construct(self):
        d = data()
        rows_out, cols_in = (int(v) for v in d["w_shape"])
        compact = MathTex(r"a^{(1)}", "=", r"\sigma\left(", "W", r"a^{(0)}", "+", "b", r"\right)", font_size=54)
        compact.move_to(UP * 2.9)

        # One layer is one matrix-vector product
        self.say("A whole layer at once: the activations a(1) are the sigmoid of W times a(0), plus b.")
        self.play(Write(compact), run_time=1.5)

        wc, wl, wr, wlast, bh = d["w_corner"], d["w_last_col"], d["w_last_row"], float(d["w_last"]), d["b_head"]
        a_window = d["digit"][:3]
        w_rows = [" & ".join(_num(v) for v in wc[i]) + r" & \cdots & " + _num(wl[i]) for i in range(3)]
        w_rows.append(r"\vdots & \vdots & \vdots & \ddots & \vdots")
        w_rows.append(" & ".join(_num(v) for v in wr) + r" & \cdots & " + _num(wlast))
        w_tex = r"\begin{bmatrix}" + r" \\ ".join(w_rows) + r"\end{bmatrix}"
        a_tex = r"\begin{bmatrix}" + r" \\ ".join([_num(v) for v in a_window] + [r"\vdots", _num(d["digit"][-1])]) + r"\end{bmatrix}"
        b_tex = r"\begin{bmatrix}" + r" \\ ".join([_num(v) for v in bh] + [r"\vdots", _num(d["b_last"])]) + r"\end{bmatrix}"
        expanded = MathTex(r"\sigma\left(", w_tex, a_tex, "+", b_tex, r"\right)", font_size=36)
        expanded.move_to(UP * 0.1)
        if expanded.width > 13:
            expanded.scale_to_fit_width(13)
        expanded[1].set_color(INK)
        shapes = Text(f"W: {rows_out} × {cols_in}      a(0): {cols_in} × 1      b: {rows_out} × 1", font=FONT,
                      font_size=22, color=MUTED).next_to(expanded, DOWN, buff=0.3)

        # With the trained network's real numbers
        self.say(f"Here are the real corners of the trained W, {rows_out} by {cols_in}, of b, and of our digit's pixels "
                 "(its corner is blank, so 0).")
        self.play(
            Transform(compact[2].copy(), expanded[0]),
            Transform(compact[3].copy(), expanded[1]),
            Transform(compact[4].copy(), expanded[2]),
            Transform(compact[5].copy(), expanded[3]),
            Transform(compact[6].copy(), expanded[4]),
            Transform(compact[7].copy(), expanded[5]),
            run_time=2.0,
        )
        self.play(FadeIn(shapes))
        self.say("Libraries compute this product fast, and each later layer repeats it with its own W and b.")
        self.wait(1.0)


class SigmoidVsReLU(ChapterOneScene):
    """Pure illustration: the two curves are mathematics, not model data."""

    def construct(self):
        cfg = {"stroke_width": 1.5, "include_numbers": True, "font_size": 20}
        left = Axes(x_range=[-6, 6, 2], y_range=[0, 1, 0.5], x_length=5.2, y_length=3.0, tips=False, axis_config=cfg)
        right = Axes(x_range=[-6, 6, 2], y_range=[0, 6, 2], x_length=5.2, y_length=3.0, tips=False, axis_config=cfg)
        VGroup(left, right).arrange(RIGHT, buff=1.4).move_to(UP * 0.3)
        sigmoid = left.plot(lambda t: 1 / (1 + np.exp(-t)), color=POSITIVE, stroke_width=4)
        relu = right.plot(lambda t: max(t, 0.0), color=INK, stroke_width=4)
        sig_label = MathTex(r"\sigma(z) = \frac{1}{1 + e^{-z}}", font_size=34).next_to(left, UP, buff=0.3)
        relu_label = MathTex(r"\mathrm{ReLU}(z) = \max(0, z)", font_size=34).next_to(right, UP, buff=0.3)

        # The sigmoid squishes
        self.say("Our network squishes every weighted sum with the sigmoid, as early networks did.")
        self.play(Create(left), Write(sig_label), run_time=1.2)
        self.play(Create(sigmoid), run_time=1.5)

        # ReLU is what modern networks use
        self.say("Modern networks mostly use ReLU, max(0, z): simpler, and much easier to train when the network is deep.")
        self.play(Create(right), Write(relu_label), run_time=1.2)
        self.play(Create(relu), run_time=1.5)


class Recap(ChapterOneScene):
    def construct(self):
        d = data()
        acc = float(d["test_accuracy"])
        n_test = int(d["n_test"])
        self.recap_card(
            [
                "A digit is 784 pixel brightnesses: the input layer.",
                "Each neuron: a weighted sum, plus a bias, squished by a sigmoid.",
                f"{int(d['n_params']):,} weights and biases, all learned from examples.",
                f"Ours reads {round(acc * n_test):,} of {n_test:,} unseen digits right ({acc:.1%}).",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [ExampleThrees, DigitAsPixels, IntroduceLayers, ForwardPass, OneHiddenNeuron, CountTheKnobs, MatrixForm,
          SigmoidVsReLU, Recap]
