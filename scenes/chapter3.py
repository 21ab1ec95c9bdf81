"""Chapter 3, "Backpropagation, intuitively", with the real nudges one real digit asks for.

Every activation, wish, nudge and path on screen comes from the ``digits-story`` artifact
(``models/digit_story.py``, ``chapter3``), computed by the hand-written backprop of
``models/backprop.py``, which the tests check against torch autograd;
``tests/golden/chapter3.json`` pins the numbers.

Render with ``python render.py render 3``, or one scene with Manim::

    manim -ql scenes/chapter3.py AddUpTheWishes
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Create,
    Dot,
    FadeIn,
    Group,
    LaggedStart,
    Line,
    MathTex,
    SurroundingRectangle,
    Text,
    VGroup,
)

from scenes.palette import INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.pieces import (
    ACCENT,
    FONT,
    NEGATIVE,
    POSITIVE,
    DigitImage,
    HeatMap,
    LandscapeMap,
    NudgeTable,
    ValueBars,
    fmt,
    framed_digit,
    value_to_color,
    want_arrows,
)
from scenes.transcript import computed, constant

NUMBER = 3
TITLE = "Backpropagation, intuitively"
ARTIFACTS = ("digits-story",)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter3.npz")


class ChapterThreeScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


class OneExample(ChapterThreeScene):
    def construct(self):
        d = data()
        self.title_card(TITLE)
        label, step = int(d["label"]), int(d["checkpoint_step"])
        shown = framed_digit(d["digit"], height=2.6).move_to(LEFT * 5.3 + UP * 0.7)
        bars = ValueBars(d["a3"], [str(i) for i in range(10)], width=2.2, bar_height=0.3, font_size=22)
        bars.move_to(LEFT * 1.4 + UP * 0.6)
        title = Text(f"outputs after {step} training steps", font=FONT, font_size=22).next_to(bars, UP, buff=0.25)
        change = d["wanted_change"]
        arrows = want_arrows(bars, change, scale=2.4)

        # One real training digit through a partly trained network
        self.say(f"Take one real training digit, a {label}, and the network as it was {step} steps into training.")
        self.play(FadeIn(shown))
        self.play(FadeIn(title), FadeIn(bars, lag_ratio=0.05), run_time=1.2)
        self.say(f"Its outputs are all near 0.1: it has not learned to tell digits apart yet. The cost is {fmt(d['cost'])}.")
        self.wait(0.5)

        # What each output wants
        self.say(f"Each output wants to move: the {label} up by {change[label]:.2f}, all others down toward 0.")
        self.play(LaggedStart(*[FadeIn(a) for a in arrows], lag_ratio=0.1), run_time=2.0)
        self.play(Create(SurroundingRectangle(bars.rows[label], color=ACCENT, buff=0.05)), run_time=0.5)
        self.say("The arrows' lengths are these real differences: a bigger miss asks for a bigger change.")
        self.wait(0.5)


def _lines(lines: list[str], font_size: int = 22) -> VGroup:
    return VGroup(*[Text(t, font=FONT, font_size=font_size) for t in lines]).arrange(DOWN, aligned_edge=LEFT, buff=0.1)


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "") + fmt(x)


class ThreeWaysToRaise(ChapterThreeScene):
    def construct(self):
        d = data()
        label = int(d["label"])
        a2, w = d["a2"], d["w3_row"]
        spacing = 0.34
        prev = VGroup(*[Dot(radius=0.13, fill_color=INK, fill_opacity=float(a), stroke_color=MUTED, stroke_width=1.5)
                        for a in a2]).arrange(DOWN, buff=spacing - 0.26).move_to(LEFT * 4.4 + UP * 0.6)
        target = Dot(radius=0.22, fill_color=INK, fill_opacity=float(d["a3"][label]), stroke_color=ACCENT,
                     stroke_width=3).move_to(LEFT * 1.3 + UP * 0.6)
        vmax = float(np.abs(w).max())
        edges = VGroup(*[Line(p.get_right(), target.get_left(), stroke_width=1 + 3 * abs(x) / vmax,
                              stroke_color=value_to_color(x, vmax)) for p, x in zip(prev, w)])
        name = Text(f'the "{label}"', font=FONT, font_size=22, color=ACCENT).next_to(target, DOWN, buff=0.2)
        name.add(Text("neuron", font=FONT, font_size=22, color=ACCENT).next_to(name, DOWN, buff=0.08))
        prev_label = Text("layer 2", font=FONT, font_size=22).next_to(prev, DOWN, buff=0.15)
        formula = MathTex(r"a_{" + str(label) + r"}^{(3)} = \sigma\Big(\sum_k w_{" + str(label) + r"k} a_k^{(2)} + b_"
                          + str(label) + r"\Big)", font_size=40).move_to(RIGHT * 3.6 + UP * 2.8)

        self.play(FadeIn(prev), FadeIn(prev_label), FadeIn(target), FadeIn(name), FadeIn(edges), FadeIn(formula))
        # Way 1: the bias
        b = float(d["b3"])
        bias = _lines(["1. raise its bias", f"   (b = {fmt(b)}, this digit's nudge: {_signed(-float(d['grad_b3']))})"])
        bias.move_to(RIGHT * 3.4 + UP * 1.55, aligned_edge=LEFT).set_x(0.4, direction=LEFT)
        self.say(f"Three ways to raise the {label}'s activation. One: raise its bias.")
        self.play(FadeIn(bias))

        # Way 2: weights, in proportion to the previous activations
        nudges = -d["grad_w3_row"]
        bars = VGroup(*[
            Line(ORIGIN, RIGHT * max(1.8 * abs(n) / float(np.abs(nudges).max()), 0.04), stroke_width=6,
                 stroke_color=POSITIVE if n > 0 else NEGATIVE).move_to(p.get_center() + LEFT * 1.6, aligned_edge=LEFT)
            for p, n in zip(prev, nudges)
        ])
        bars_title = Text("weight nudges", font=FONT, font_size=18, color=MUTED).next_to(bars, UP, buff=0.1)
        ways2 = _lines(["2. change its weights, most those", "   from the brightest neurons"])
        ways2.next_to(bias, DOWN, buff=0.35).align_to(bias, LEFT)
        self.say("Two: change its weights, in proportion to the activations they multiply. Bright neurons matter most.")
        self.play(FadeIn(ways2), LaggedStart(*[Create(x) for x in bars], lag_ratio=0.05), FadeIn(bars_title), run_time=1.5)
        self.say("It echoes a saying about brains: neurons that fire together wire together.")
        self.wait(0.5)

        # Way 3: previous activations, in proportion to the weights
        ways3 = _lines(["3. change layer 2's activations:", "   up where w is blue, down where red"])
        ways3.next_to(ways2, DOWN, buff=0.35).align_to(bias, LEFT)
        self.say("Three: change the activations of layer 2, up where the weight is positive, down where negative.")
        self.play(FadeIn(ways3), LaggedStart(*[e.animate.set_stroke(width=6) for e in edges], lag_ratio=0.04), run_time=1.5)
        self.say("We cannot set activations directly, only the weights and biases behind them: that comes next.")
        self.wait(0.5)


class AddUpTheWishes(ChapterThreeScene):
    def construct(self):
        d = data()
        wishes, total, first = d["wishes"].T, d["wanted_a2"], d["wanted_a1"]  # wishes: (16 neurons, 10 outputs)
        cell = 0.31
        grid = HeatMap(wishes, vmax=float(np.abs(wishes).max()), height=16 * cell).move_to(LEFT * 3.2 + UP * 0.6)
        outs = VGroup(*[Text(str(i), font=FONT, font_size=16, color=MUTED).move_to(
            [grid.get_left()[0] + (i + 0.5) * cell, grid.get_top()[1] + 0.18, 0]) for i in range(10)])
        outs_title = Text("wishes from output neuron", font=FONT, font_size=18).next_to(outs, UP, buff=0.1)
        rows = VGroup(*[Text(constant(k, "a neuron's index in layer 2"), font=FONT, font_size=15, color=MUTED).move_to(
            [grid.get_left()[0] - 0.25, grid.get_top()[1] - (k + 0.5) * cell, 0]) for k in range(16)])
        rows_title = Text("layer 2", font=FONT, font_size=18).rotate(np.pi / 2).next_to(rows, LEFT, buff=0.12)

        def column(values, x, title):
            heat = HeatMap(values[:, None], vmax=float(np.abs(values).max()), height=16 * cell).move_to([x, grid.get_y(), 0])
            nums = VGroup(*[Text(fmt(v, 2), font=FONT, font_size=15).move_to(
                [heat.get_right()[0] + 0.1, heat.get_top()[1] - (k + 0.5) * cell, 0], aligned_edge=LEFT)
                for k, v in enumerate(values)])
            head = Text(title, font=FONT, font_size=18, color=ACCENT).move_to([x + 0.35, outs_title.get_y(), 0])
            return heat, nums, head

        sum_heat, sum_nums, sum_head = column(total, 0.4, "sum")
        plus = MathTex(r"\Rightarrow", font_size=40).move_to([(grid.get_right()[0] + sum_heat.get_left()[0]) / 2, grid.get_y(), 0])
        l1_heat, l1_nums, l1_head = column(first, 3.6, "layer 1 wants")

        # Every output has wishes for layer 2
        self.say("Every output neuron has its own wishes for the 16 neurons of layer 2, weighted by how much it wants to change.")
        self.play(FadeIn(grid), FadeIn(outs), FadeIn(outs_title), FadeIn(rows), FadeIn(rows_title), run_time=1.5)
        # Their sum is what layer 2 should do
        self.say("Add each row's ten wishes: the total change each layer-2 neuron should make. These are the real values.")
        self.play(FadeIn(plus), FadeIn(sum_heat, shift=0.3 * RIGHT), FadeIn(sum_head), run_time=1.0)
        self.play(FadeIn(sum_nums, lag_ratio=0.03), run_time=1.0)
        # And the same step again
        self.say("Then take the same step from layer 2 back to layer 1, and so on: that is propagating backwards.")
        self.play(FadeIn(l1_heat, shift=0.3 * RIGHT), FadeIn(l1_head), FadeIn(l1_nums, lag_ratio=0.03), run_time=1.5)


class NudgeTableScene(ChapterThreeScene):
    def construct(self):
        d = data()
        table = NudgeTable(d["table"], [str(n) for n in d["table_row_names"]], d["table_average"], cell_width=0.92)
        table.move_to(DOWN * 0.2 + RIGHT * 0.45)
        images = Group(*[DigitImage(p, height=0.75).move_to([table.column_x(c), table.get_top()[1] + 0.65, 0])
                         for c, p in enumerate(d["table_images"])])
        avg_head = Text("average", font=FONT, font_size=18, color=ACCENT).move_to(
            [table.average.get_x(), images.get_y(), 0])

        # One example's nudges, then many examples'
        self.say("That is what one digit asks for. Each training example asks for its own nudges to every weight and bias.")
        self.play(FadeIn(images, lag_ratio=0.1), FadeIn(table.row_names), run_time=1.2)
        self.play(LaggedStart(*[FadeIn(col) for col in zip_columns(table)], lag_ratio=0.12), run_time=2.0)
        # The averages are the gradient
        self.say("Average each row over the examples: that average is the (negative) gradient for that parameter.")
        self.play(Create(table.separator), FadeIn(avg_head), FadeIn(table.average, lag_ratio=0.1), run_time=1.5)
        self.say("Rows here are the six parameters with the largest average nudge for these ten real digits.")
        self.wait(0.5)


def zip_columns(table: NudgeTable) -> list[VGroup]:
    n_cols = len(table.cells[0])
    return [VGroup(*[row[c] for row in table.cells]) for c in range(n_cols)]


class MiniBatches(ChapterThreeScene):
    def construct(self):
        d = data()
        land = LandscapeMap(d["slice_alphas"], d["slice_betas"], d["slice_cost"], height=4.9, width=6.4)
        land.move_to(LEFT * 3.3 + UP * 0.55)
        full = land.path(d["full_path"], color=INK, width=3)
        sgd = land.path(d["sgd_path"], color=ACCENT, width=2)
        n_steps = (len(d["sgd_path"]) - 1) * int(d["path_every"])
        info = VGroup(
            Text(f"{computed(n_steps, 'path points × steps between them (path_every)')} steps each, same start:",
                 font=FONT, font_size=20),
            Text(f"full batch ({int(d['n_train']):,} digits a step)", font=FONT, font_size=20, color=INK),
            Text(f"  cost {fmt(d['full_cost'][-1])} at the end", font=FONT, font_size=18, color=MUTED),
            Text(f"mini-batches of {int(d['batch_size'])}", font=FONT, font_size=20, color=ACCENT),
            Text(f"  cost {fmt(d['sgd_cost'][-1])} at the end", font=FONT, font_size=18, color=MUTED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).move_to(RIGHT * 3.9 + UP * 0.8)

        # Mini-batches
        n, batch = int(d["n_train"]), int(d["batch_size"])
        self.say(f"Averaging over all {n:,} digits for every single step is slow. Instead, shuffle the digits,")
        self.play(FadeIn(land), run_time=1.0)
        self.say(f"split them into mini-batches of {batch}, and take one step per mini-batch, using its average.")
        self.play(FadeIn(info[0]))
        # Full batch against mini-batch paths on the real slice
        self.say("White: careful full-batch steps. Yellow: quick mini-batch steps. Both go downhill from the same start.")
        self.play(Create(full), FadeIn(info[1:3]), run_time=3.0)
        self.play(Create(sgd), FadeIn(info[3:]), run_time=3.0)
        self.say(f"The mini-batch path staggers like a drunk walking downhill, but each step is {computed(n // batch, 'n_train ÷ batch_size')} times cheaper.")
        self.wait(0.5)


class Recap(ChapterThreeScene):
    def construct(self):
        self.recap_card(
            [
                "Each example wants every output moved toward its label.",
                "Raise a neuron: its bias, its weights, or the neurons feeding it.",
                "Summing the wishes layer by layer, backwards, is backpropagation.",
                "Average over a mini-batch, step, repeat: stochastic gradient descent.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [OneExample, ThreeWaysToRaise, AddUpTheWishes, NudgeTableScene, MiniBatches, Recap]
