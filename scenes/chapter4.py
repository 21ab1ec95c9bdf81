"""Chapter 4, "Backpropagation calculus", with every derivative evaluated on real numbers.

The 1-1-1-1 chain (``models/chain.py``) is trained for real; its numbers, the chain-rule
factors, their products and the autograd values they are checked against on screen all come
from the ``digits-story`` artifact (``models/digit_story.py``, ``chapter4``), as does the
deep weight of the digit network in the last beat. ``tests/golden/chapter4.json`` pins them.

Render with ``python render.py render 4``, or one scene with Manim::

    manim -ql scenes/chapter4.py ChainRule
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    Dot,
    FadeIn,
    Line,
    MathTex,
    NumberLine,
    SurroundingRectangle,
    Text,
    VGroup,
    Write,
)

from scenes.palette import INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, fmt, tex
from scenes.transcript import computed

NUMBER = 4
TITLE = "Backpropagation calculus"
ARTIFACTS = ("digits-story",)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter4.npz")


def _t(x, sig=3) -> str:
    return tex(float(x), sig)


class ChapterFourScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


class SimplestNetwork(ChapterFourScene):
    def construct(self):
        d = data()
        self.title_card(TITLE)
        acts, w, b = d["chain_activations"], d["chain_w"], d["chain_b"]
        neurons = VGroup(*[Circle(radius=0.42, stroke_color=MUTED, stroke_width=2, fill_color=INK,
                                  fill_opacity=float(np.clip(a, 0, 1))) for a in acts]).arrange(RIGHT, buff=2.1)
        neurons.move_to(UP * 1.9)
        names = VGroup(*[MathTex(n, font_size=34).next_to(c, DOWN, buff=0.2)
                         for n, c in zip([r"a^{(0)}", r"a^{(1)}", r"a^{(L-1)}", r"a^{(L)}"], neurons)])
        values = VGroup(*[Text(fmt(a), font=FONT, font_size=20, color=ACCENT).next_to(nm, DOWN, buff=0.12)
                          for a, nm in zip(acts, names)])
        edges = VGroup(*[Arrow(a.get_right(), c.get_left(), buff=0.08, stroke_width=3, color=MUTED)
                         for a, c in zip(neurons[:-1], neurons[1:])])
        edge_labels = VGroup(*[Text(f"w={fmt(wi)}, b={fmt(bi)}", font=FONT, font_size=16, color=MUTED)
                               .next_to(e, UP, buff=0.12) for e, wi, bi in zip(edges, w, b)])
        n_ex, y = int(d["n_chain_examples"]), int(d["y"])

        # The simplest network
        self.say("The simplest network: four neurons in a chain, one weight and one bias between each pair.")
        self.play(FadeIn(neurons), Create(edges), FadeIn(names), run_time=1.5)
        self.say(f"We trained it for real, on {n_ex} zeros and ones: from how much ink a digit has, is it a 1?")
        self.play(FadeIn(edge_labels), run_time=1.0)
        what = "a 1" if y == 1 else "a 0"
        self.say(f"Here is one real example: {what}, with ink {fmt(d['chain_x'])}, that the chain gets wrong.")
        self.play(FadeIn(values), run_time=1.0)

        # Its last layer, with real numbers
        lines = VGroup(
            MathTex(r"z^{(L)} = w^{(L)} a^{(L-1)} + b^{(L)}", "=", _t(w[-1]), r"\cdot", _t(d["a_prev"]), "+",
                    _t(b[-1]), "=", _t(d["z"]), font_size=34),
            MathTex(r"a^{(L)} = \sigma(z^{(L)})", "=", _t(d["a"]), font_size=34),
            MathTex(r"C_0 = (a^{(L)} - y)^2", "=", rf"({_t(d['a'])} - {int(y)})^2", "=", _t(d["cost"]), font_size=34),
        ).arrange(DOWN, buff=0.3, aligned_edge=LEFT).move_to(DOWN * 0.95)
        lines[2][-1].set_color(ACCENT)
        self.say("Its last step: the weighted sum z, the activation a, and the cost against the true answer y.")
        for line in lines:
            self.play(Write(line), run_time=1.3)


class ComputationGraph(ChapterFourScene):
    def construct(self):
        d = data()
        w, nudge = float(d["chain_w"][-1]), float(d["nudge"])
        # One number line per quantity, each dot at its real value and then at its nudged value
        specs = [
            ("w^{(L)}", w, w + nudge),
            ("z^{(L)}", float(d["z"]), float(d["nudged_z"])),
            ("a^{(L)}", float(d["a"]), float(d["nudged_a"])),
            ("C_0", float(d["cost"]), float(d["nudged_cost"])),
        ]
        rows = VGroup()
        moves = []
        for name, before, after in specs:
            lo, hi = min(before, after), max(before, after)
            span = max(hi - lo, 1e-3)
            line = NumberLine(x_range=[lo - span, hi + span, span], length=5.0, include_numbers=False,
                              stroke_width=2)
            label = MathTex(name, font_size=34).next_to(line, LEFT, buff=0.4)
            dot = Dot(line.n2p(before), color=ACCENT, radius=0.09)
            value = Text(fmt(before), font=FONT, font_size=20).next_to(line, RIGHT, buff=0.35)
            shown_after = computed(fmt(after), "w plus the nudge") if name.startswith("w") else fmt(after)
            new_value = Text(f"{fmt(before)} \u2192 {shown_after}", font=FONT, font_size=20).move_to(value, aligned_edge=LEFT)
            rows.add(VGroup(label, line, dot, value))
            moves.append([dot, line, after, value, new_value])
        rows.arrange(DOWN, buff=0.45, aligned_edge=LEFT).move_to(LEFT * 0.6 + UP * 0.7)
        for move, row in zip(moves, rows):  # positions are known only after the arrangement
            move[1] = move[1].n2p(move[2])
            move[4].move_to(row[3], aligned_edge=LEFT)
        deps = VGroup(*[Arrow(rows[i][0].get_bottom(), rows[i + 1][0].get_top(), buff=0.05, stroke_width=2,
                              max_tip_length_to_length_ratio=0.3, color=MUTED) for i in range(3)])

        # A chain of dependencies
        self.say("The cost depends on a, which depends on z, which depends on the weight w: a chain.")
        self.play(FadeIn(rows, lag_ratio=0.15), Create(deps), run_time=2.0)

        # A nudge travels down the chain
        self.say(f"Nudge w by {fmt(nudge)} and follow it: z moves, so a moves, so the cost moves. Real values.")
        for dot, target, _, value, new_value in moves:
            self.play(dot.animate.move_to(target), value.animate.become(new_value), run_time=0.9)
        self.say("How sensitive the cost is to w is the ratio of these changes, for ever tinier nudges: dC/dw.")
        ratio = (float(d["nudged_cost"]) - float(d["cost"])) / nudge
        estimate = MathTex(r"\frac{\Delta C_0}{\Delta w^{(L)}} = \frac{" + _t(d["nudged_cost"]) + " - " + _t(d["cost"])
                           + "}{" + _t(nudge) + "} = " + computed(_t(ratio), "the cost's change ÷ the nudge"), font_size=36).next_to(rows, DOWN, buff=0.45)
        self.play(Write(estimate), run_time=1.5)
        self.say(f"With this big nudge the ratio is {computed(fmt(ratio), 'the cost change ÷ the nudge')}; the exact derivative, next, is {fmt(d['dc_dw'])}.")
        self.wait(0.5)


class ChainRule(ChapterFourScene):
    def construct(self):
        d = data()
        rule = MathTex(r"\frac{\partial C_0}{\partial w^{(L)}}", "=", r"\frac{\partial z^{(L)}}{\partial w^{(L)}}",
                       r"\frac{\partial a^{(L)}}{\partial z^{(L)}}", r"\frac{\partial C_0}{\partial a^{(L)}}",
                       font_size=48).move_to(UP * 2.4)
        meanings = VGroup(
            MathTex(r"a^{(L-1)}", font_size=34), MathTex(r"\sigma'(z^{(L)})", font_size=34),
            MathTex(r"2(a^{(L)} - y)", font_size=34),
        )
        numbers = VGroup(MathTex(_t(d["dz_dw"]), font_size=40), MathTex(_t(d["da_dz"]), font_size=40),
                         MathTex(_t(d["dc_da"]), font_size=40))
        columns = VGroup(*[VGroup(m, n).arrange(DOWN, buff=0.35) for m, n in zip(meanings, numbers)])
        columns.arrange(RIGHT, buff=1.0).move_to(DOWN * 0.2 + LEFT * 1.0)
        for m in meanings:
            m.match_y(meanings[0])
        for n in numbers:
            n.match_y(numbers[0])
        times = VGroup(*[MathTex(r"\times", font_size=36).move_to([(a.get_right()[0] + b.get_left()[0]) / 2,
                                                                    numbers[0].get_y(), 0])
                         for a, b in zip(columns[:-1], columns[1:])])
        product = MathTex("=", _t(d["dc_dw"], 4), font_size=48).next_to(numbers[-1], RIGHT, buff=0.5)
        product[1].set_color(ACCENT)
        check = Text(f"autograd (PyTorch): {fmt(d['autograd_dc_dw'], 4)}", font=FONT, font_size=24,
                     color=POSITIVE).next_to(numbers, DOWN, buff=0.7)

        # The chain rule
        self.say("The chain rule: the sensitivity of the cost to w is a product of three simpler sensitivities.")
        self.play(Write(rule), run_time=2.0)
        # Each factor, in formula and real number
        self.say("Each factor is easy: the previous activation, the sigmoid's slope, and twice the error.")
        self.play(FadeIn(meanings, lag_ratio=0.2), run_time=1.5)
        self.say("With this example's real numbers, the product is the derivative.")
        self.play(FadeIn(numbers, lag_ratio=0.2), FadeIn(times), run_time=1.5)
        self.play(Write(product))
        # Checked against autograd
        self.say("PyTorch's autograd, which knows nothing of our derivation, computes the same number.")
        self.play(FadeIn(check), Create(SurroundingRectangle(product[1], color=ACCENT, buff=0.08)))


class BiasAndPrevious(ChapterFourScene):
    def construct(self):
        d = data()
        bias = MathTex(r"\frac{\partial C_0}{\partial b^{(L)}} = 1 \cdot \sigma'(z^{(L)}) \cdot 2(a^{(L)} - y)", "=",
                       _t(d["dc_db"], 4), font_size=38)
        prev = MathTex(r"\frac{\partial C_0}{\partial a^{(L-1)}} = w^{(L)} \cdot \sigma'(z^{(L)}) \cdot 2(a^{(L)} - y)",
                       "=", _t(d["dc_daprev"], 4), font_size=38)
        n = int(d["n_chain_examples"])
        average = MathTex(r"\frac{\partial C}{\partial w^{(L)}} = \frac{1}{" + str(n) + r"} \sum_{k} "
                          r"\frac{\partial C_k}{\partial w^{(L)}}", "=", _t(d["average_dc_dw"], 3), font_size=38)
        rows = VGroup(bias, prev, average).arrange(DOWN, buff=0.55, aligned_edge=LEFT).move_to(UP * 0.7)
        for row in rows:
            row[-1].set_color(ACCENT)
        check = Text(f"autograd: {fmt(d['autograd_dc_db'], 4)}", font=FONT, font_size=20, color=POSITIVE)
        check.next_to(bias, RIGHT, buff=0.4)

        # The bias
        self.say("For the bias the first factor is just 1: z grows one for one with b.")
        self.play(Write(bias), run_time=1.5)
        self.play(FadeIn(check))
        # The previous activation
        self.say("For the previous activation the factor is the weight. This is what lets the chain rule keep going backwards.")
        self.play(Write(prev), run_time=1.5)
        # Averaging over examples
        self.say(f"That was one example. The full gradient averages the same derivative over all {n} training examples.")
        self.play(Write(average), run_time=1.5)


class ManyNeurons(ChapterFourScene):
    def construct(self):
        d = data()
        j, k = int(d["deep_j"]), int(d["deep_k"])
        general = MathTex(r"\frac{\partial C_0}{\partial w^{(L-1)}_{jk}} = a^{(L-2)}_k \, \sigma'(z^{(L-1)}_j)"
                          r"\sum_{i=0}^{9} w^{(L)}_{ij}\, \sigma'(z^{(L)}_i)\, 2(a^{(L)}_i - y_i)", font_size=36)
        general.move_to(UP * 2.9)
        terms = d["deep_terms"]
        vmax = float(np.abs(terms).max())
        bars = VGroup()
        for i, t in enumerate(terms):
            name = Text(f"path via output {i}", font=FONT, font_size=17, color=MUTED)
            bar = Line(ORIGIN, RIGHT * max(2.6 * abs(t) / vmax, 0.03), stroke_width=10,
                       color=POSITIVE if t > 0 else NEGATIVE)
            value = Text(fmt(t, 2), font=FONT, font_size=17)
            bars.add(VGroup(name, bar, value))
        for row in bars:
            row[1].next_to(row[0], RIGHT, buff=0.3)
            row[2].next_to(row[1], RIGHT, buff=0.2)
        bars.arrange(DOWN, buff=0.1, aligned_edge=LEFT).move_to(LEFT * 3.3 + DOWN * 0.25)
        total = float(terms.sum())
        result = VGroup(
            MathTex(r"\sum_i = " + computed(_t(total), "the sum of the paths shown"), font_size=34),
            MathTex(r"\times\, a^{(L-2)}_k = " + _t(d["deep_a_prev"]), font_size=34),
            MathTex(r"\times\, \sigma'(z^{(L-1)}_j) = " + _t(d["deep_sigma_prime"]), font_size=34),
            MathTex(r"= " + _t(d["deep_grad"], 4), font_size=40, color=ACCENT),
        ).arrange(DOWN, buff=0.25, aligned_edge=LEFT).move_to(RIGHT * 3.7 + DOWN * 0.1)
        check = Text(f"autograd: {fmt(d['deep_autograd'], 4)}", font=FONT, font_size=22, color=POSITIVE)
        check.next_to(result, DOWN, buff=0.35)
        where = Text(f"the digit network, weight w(2)[{j},{k}], Chapter 3's real 2", font=FONT, font_size=18,
                     color=MUTED).next_to(general, DOWN, buff=0.2)

        # Many neurons: indices and a sum over paths
        self.say("A real network has many neurons per layer. Indices j and k name them; the formula barely changes,")
        self.play(Write(general), run_time=2.5)
        self.say("except that a neuron now reaches the cost along many paths, one through each output, and they add up.")
        self.play(FadeIn(where))
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=2.0)
        # Real values from the digit network
        top, label = int(np.argmax(np.abs(terms))), int(d["deep_label"])
        via = f"the true output, {label}," if top == label else f"output {top}"
        self.say(f"For the weight from neuron {k} to neuron {j} of layer 2, the path through {via} dominates. The product:")
        self.play(FadeIn(result, lag_ratio=0.3), run_time=2.0)
        self.say("And again autograd agrees: backpropagation is the chain rule, applied path by path.")
        self.play(FadeIn(check))



class Recap(ChapterFourScene):
    def construct(self):
        self.recap_card(
            [
                "The cost depends on a, a on z, z on each weight and bias.",
                "The chain rule multiplies those simple sensitivities.",
                "Every factor is a number the forward pass already computed.",
                "Many neurons: sum over every path to the cost.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [SimplestNetwork, ComputationGraph, ChainRule, BiasAndPrevious, ManyNeurons, Recap]
