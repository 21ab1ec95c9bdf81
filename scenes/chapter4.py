"""Chapter 4, "Backpropagation calculus", with every derivative evaluated on real numbers.

One film in six beats: the simplest network, a chain of single neurons (1-1-1-1) trained for
real, and its last link written out; the dependency tree w(L), a(L-1), b(L) -> z(L) -> a(L) ->
C0 <- y, with a real nudge to w(L) followed along number lines that share one scale; the chain
rule built from that tree, each factor (coloured like its arrow) derived where it appears and
evaluated, the product checked against autograd; the bias, the previous activation, one link
further back, and the average over the chain's training examples; then many neurons: the last
two layers of the digit network on Chapter 3's "2", one weight w(L)_jk, and dC0/da_k(L-1) summed
over its ten paths, term by term, and one weight a layer further down.

Every number comes from the ``digits-story`` artifact (``models/digit_story.py``, ``chapter4``):
the chain, its example, the nudge and its ratios, each factor, product and autograd value, and
the digit network's activations, weights and path values. ``tests/golden/chapter4.json`` pins
them; ``tests/test_backprop.py`` computes each again (plain floats, finite differences, autograd).
Where a product or sum is shown with its factors, the factors carry enough digits that the shown
arithmetic gives the shown result.

Notation, shared with Chapter 3: superscripts name layers (``a^{(L-1)}_k``), weights are indexed
destination first (``w^{(L)}_{jk}``: into neuron j of layer L from neuron k of layer L-1).
Chapter 3 drew wishes (the negative gradient); this chapter computes the gradient itself.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 4``, or one scene with
``python render.py render 4 --scene ChainRule``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    ReplacementTransform,
    ShowPassingFlash,
    SurroundingRectangle,
    Text,
    Transform,
    ValueTracker,
    VMobject,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenes.base import ARRIVE, LEAVE, ChapterScene, Stage, artifact_arrays, first_part, last_part
from scenes.palette import ACCENT, COST, FUNCTION, INK, LINK_A, LINK_C, LINK_Z, MUTED, SCORE, signed_color
from scenes.pieces import FONT, agreeing_sig, as_shown, boxes_meet, decimals_for, flash_along, fmt, framed_digit, tex
from scenes.transcript import computed, constant, note_drawing, sourced_all

NUMBER = 4
TITLE = "Backpropagation calculus"
ARTIFACTS = ("digits-story",)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter4.npz")


def _text(s: str, size: int = 22, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


def _t(x, sig=3) -> str:
    return tex(float(x), sig)


# ----------------------------------------------------------------------------- numbers that agree as shown


def agreeing_decimals(terms: Sequence[float], total: float) -> int:
    """The fewest decimals (3 or more) for ``terms`` such that the sum of the terms as shown reads,
    at 3 significant digits, as ``total`` does."""
    for dec in range(3, 8):
        if fmt(sum(round(float(t), dec) for t in terms)) == fmt(total):
            return dec
    raise ValueError("no precision makes the terms add up")


def _product(values: list[float]) -> float:
    return float(np.prod(values))


# ----------------------------------------------------------------------------- the chain (beat 1)

CHAIN_X = (-4.35, -1.2, 1.95, 5.1)
CHAIN_Y = 2.55
NAMES = (r"a^{(0)}", r"a^{(1)}", r"a^{(L-1)}", r"a^{(L)}")


def chain_stage(d: dict, lit: bool) -> Stage:
    """The 1-1-1-1 chain across the top: four neurons (lit by the example's activations when
    ``lit``), their names, the trained weight and bias of each link."""
    acts = d["chain_activations"]
    neurons = VGroup(*[Circle(radius=0.42, stroke_color=MUTED, stroke_width=2, fill_color=INK,
                              fill_opacity=float(np.clip(a, 0, 1)) if lit else 0.0).move_to([x, CHAIN_Y, 0])
                       for a, x in zip(acts, CHAIN_X)])
    names = VGroup(*[MathTex(n, font_size=34).next_to(c, DOWN, buff=0.15) for n, c in zip(NAMES, neurons)])
    edges = VGroup(*[Arrow(a.get_right(), c.get_left(), buff=0.08, stroke_width=3, color=MUTED)
                     for a, c in zip(neurons[:-1], neurons[1:])])
    links = VGroup(*[VGroup(_text(f"w = {fmt(wi)}", 18, MUTED).next_to(e, UP, buff=0.14),
                            _text(f"b = {fmt(bi)}", 18, MUTED).next_to(e, DOWN, buff=0.14))
                     for e, wi, bi in zip(edges, d["chain_w"], d["chain_b"])])
    digit = framed_digit(d["chain_digit"], height=1.3).move_to([-6.25, CHAIN_Y, 0])
    feed = Arrow(digit.get_right(), neurons[0].get_left(), buff=0.08, stroke_width=2, color=MUTED,
                 max_tip_length_to_length_ratio=0.3)
    return Stage(digit=digit, feed=feed, edges=edges, neurons=neurons, names=names, links=links)


def curve_stage(d: dict) -> Stage:
    """The chain's training: the mean cost over its examples as training went, with the first and
    last values written at the ends."""
    curve, every = d["chain_cost_curve"], int(d["chain_curve_every"])
    steps = every * (len(curve) - 1)
    axes = Axes(x_range=[0, steps, steps], y_range=[0, float(np.ceil(curve.max() * 10) / 10), 0.1], x_length=8.5,
                y_length=2.4, tips=False, axis_config={"stroke_width": 1.5, "color": MUTED}).move_to([0.3, -0.75, 0])
    line = VMobject(stroke_color=COST, stroke_width=3).set_points_as_corners(
        [axes.c2p(i * every, c) for i, c in enumerate(curve)])
    note_drawing(line, "the chain's mean cost while training", curve)
    first = _text(fmt(curve[0]), 18, COST).next_to(axes.c2p(0, curve[0]), LEFT, buff=0.12)
    last = _text(fmt(curve[-1]), 18, COST).next_to(axes.c2p(steps, curve[-1]), UP, buff=0.15)
    title = _text(f"mean cost over the {int(d['n_chain_examples']):,} examples", 18, COST)
    title.next_to(axes, UP, buff=0.1).align_to(axes, LEFT).shift(RIGHT * 0.2)
    x_name = _text(f"training steps, 0 to {computed(f'{steps:,}', 'chain_curve_every × (points − 1)')}", 18, MUTED).next_to(axes, DOWN, buff=0.12)
    return Stage(axes=axes, line=line, first=first, last=last, title=title, x_name=x_name)


# ----------------------------------------------------------------------------- the dependency tree (beats 2-4)

IN_X, Z_X, A_X, C_X = -5.3, -1.8, 1.7, 5.1  # columns: the inputs of z, z, a, the cost
ROW = 2.25  # the row of a(L-1), z, a and C0
LINE_Y = 0.15  # the nudge's number lines


def _node(symbol: str, value: str, at, side=DOWN, color=INK) -> VGroup:
    sym = MathTex(symbol, font_size=42, color=color).move_to(at)
    val = _text(value, 20, MUTED).next_to(sym, side, buff=0.2 if side is DOWN else 0.25)
    return VGroup(sym, val)


def tree_stage(d: dict) -> Stage:
    """What the cost of the example depends on: w(L), a(L-1) and b(L) make z(L), z(L) makes a(L),
    a(L) and the label y make C0. Each arrow wears the colour of its chain-rule factor."""
    w = _node(r"w^{(L)}", fmt(d["chain_w"][-1]), [IN_X - 0.4, ROW + 1.25, 0], RIGHT)
    a_prev = _node(r"a^{(L-1)}", fmt(d["a_prev"]), [IN_X - 0.4, ROW, 0], RIGHT)
    b = _node(r"b^{(L)}", fmt(d["chain_b"][-1]), [IN_X - 0.4, ROW - 1.25, 0], RIGHT)
    z = _node(r"z^{(L)}", fmt(d["z"]), [Z_X, ROW, 0])
    a = _node(r"a^{(L)}", fmt(d["a"]), [A_X, ROW, 0])
    c = _node(r"C_0", fmt(d["cost"]), [C_X, ROW, 0])
    c[1].set_color(COST)
    y = _node(r"y", f"{int(d['y'])}", [C_X, ROW + 1.25, 0], RIGHT)

    def arrow(src, dst, color, start=None):
        return Arrow(start if start is not None else src.get_right(), dst.get_left(), buff=0.15,
                     stroke_width=4, color=color, max_tip_length_to_length_ratio=0.12)

    e_w = arrow(w, z[0], LINK_Z)
    e_ap = arrow(a_prev, z[0], LINK_Z)
    e_b = arrow(b, z[0], LINK_Z)
    e_z = arrow(z[0], a[0], LINK_A)
    e_a = arrow(a[0], c[0], LINK_C)
    e_y = Arrow(y[0].get_bottom(), c[0].get_top(), buff=0.12, stroke_width=3, color=MUTED,
                max_tip_length_to_length_ratio=0.2)
    return Stage(e_w=e_w, e_ap=e_ap, e_b=e_b, e_z=e_z, e_a=e_a, e_y=e_y, w=w, a_prev=a_prev, b=b, z=z, a=a, c=c, y=y)


def chain_formula(lhs: str, factors: Sequence[str], font_size: int = 44) -> MathTex:
    """``lhs = f1 f2 f3``, each factor its own part, coloured like the link it stands for."""
    formula = MathTex(lhs, "=", *factors, font_size=font_size)
    for part, color in zip(formula[2:], (LINK_Z, LINK_A, LINK_C)):
        part.set_color(color)
    return formula


FORMULA_Y = 0.05
COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
W_FACTORS = (r"\frac{\partial z^{(L)}}{\partial w^{(L)}}", r"\frac{\partial a^{(L)}}{\partial z^{(L)}}",
             r"\frac{\partial C_0}{\partial a^{(L)}}")


def rule_stage(d: dict) -> Stage:
    """The tree, with the chain rule for w(L) beneath it, each factor's real value under it and
    their product checked against autograd."""
    tree = tree_stage(d)
    formula = chain_formula(r"\frac{\partial C_0}{\partial w^{(L)}}", W_FACTORS).move_to([-1.4, FORMULA_Y, 0])
    sig = agreeing_sig([d["dz_dw"], d["da_dz"], d["dc_da"]], float(d["dc_dw"]), _product)
    numbers = factor_numbers(formula, [d["dz_dw"], d["da_dz"], d["dc_da"]], sig)
    result = MathTex("=", _t(d["dc_dw"]), font_size=44).next_to(formula, RIGHT, buff=0.3)
    result[1].set_color(ACCENT)
    check = _text(f"autograd (PyTorch): {fmt(d['autograd_dc_dw'])}", 22, SCORE).next_to(result, DOWN, buff=0.55)
    check.align_to(result, LEFT)
    return Stage(**tree, formula=formula, numbers=numbers, result=result, check=check)


def slope_sentence(z: float, slope: float) -> str:
    """What the sigmoid's slope at the chain's z(L) says, as true of this chain: near 0 the sigmoid
    is steepest (its slope at most 1/4, at z = 0); further out it flattens, and a flat sigmoid
    passes little of a nudge on. ``slope`` is σ'(z), shown as the tangent beside it."""
    if slope >= 0.245:  # within about ±0.3 of 0
        return f"z(L) is close to 0, where the sigmoid is steepest: its slope {fmt(slope)} is as big as it gets."
    side = "right" if z > 0 else "left"
    steepest = constant("0.25", "the sigmoid's largest slope, at z = 0: σ(0)(1 − σ(0)) = 1/4")
    if slope >= 0.2:  # within about ±1 of 0
        return f"z(L) is near 0, where the sigmoid is steep: its slope {fmt(slope)} is near the steepest, {steepest}."
    if slope >= 0.05:  # on a shoulder
        return (f"z(L) is on the sigmoid's {side} shoulder, where it flattens: its slope {fmt(slope)} is well under "
                f"the steepest, {steepest}.")
    return (f"z(L) is far out on the sigmoid's flat {side} side: its slope {fmt(slope)} is close to 0, so a nudge "
            "barely moves a(L).")


def sigmoid_slope(d: dict) -> Stage:
    """The sigmoid beside the chain rule, with the example's z(L) on it and the tangent there,
    whose slope is the chain's real σ'(z(L)): a small plot right of the formula."""
    z, a, slope = float(d["z"]), float(d["a"]), float(d["da_dz"])
    axes = Axes(x_range=[-6, 6, 2], y_range=[0, 1, 0.5], x_length=3.8, y_length=1.9, tips=False,
                axis_config={"stroke_width": 1.5, "color": MUTED}).move_to([4.7, 0.15, 0])
    curve = axes.plot(lambda t: 1.0 / (1.0 + np.exp(-t)), color=FUNCTION, stroke_width=3)
    names = VGroup(MathTex(r"\sigma(z)", font_size=30, color=FUNCTION).next_to(axes.c2p(-6, 1), RIGHT, buff=0.1),
                   MathTex("z", font_size=30, color=MUTED).next_to(axes.c2p(6, 0), DOWN, buff=0.1))
    dot = Dot(axes.c2p(z, a), radius=0.07, color=INK)
    half = 1.6  # the tangent's half-width, in z
    tangent = Line(axes.c2p(z - half, a - slope * half), axes.c2p(z + half, a + slope * half), stroke_color=LINK_A,
                   stroke_width=3)  # the slope is the teal factor, ∂a/∂z
    # in the plot's empty corners, wherever the example's z falls: under the curve's right, above its left
    label = VGroup(_text(f"slope {fmt(slope)}", 20, LINK_A).move_to(axes.c2p(3.3, 0.25)),
                   _text(f"z = {fmt(z)}", 18).move_to(axes.c2p(-3.3, 0.75)))
    note_drawing(tangent, "the tangent's slope", d["da_dz"])
    return Stage(axes=axes, names=names, curve=curve, dot=dot, tangent=tangent, label=label)


def factor_numbers(formula: MathTex, values: Sequence[float], sig: int, shown: Sequence[str | None] = ()) -> VGroup:
    """The factors' values in a row under them, each in its factor's colour, with times signs
    between (numbers first, then the signs). ``shown`` may write a value another way (an exact 1)."""
    shown = list(shown) + [None] * (len(values) - len(shown))
    numbers = [MathTex(s if s is not None else _t(v, sig), font_size=36, color=part.get_color())
               for part, v, s in zip(formula[2:], values, shown)]
    times = [MathTex(r"\times", font_size=32) for _ in numbers[1:]]
    row = VGroup(*[m for pair in zip(numbers, times + [None]) for m in pair if m is not None]).arrange(RIGHT, buff=0.18)
    row.next_to(VGroup(*formula[2:]), DOWN, buff=0.35)
    return VGroup(*numbers, *times)


# ----------------------------------------------------------------------------- many neurons (beat 5)

L2_X, L1_X, OUT_X, COST_X = -6.35, -4.55, -1.65, 0.35
COL_Y = 0.7


FAN_TEXT_WIDTH = 5.9  # the formulas beside the fan fit between C0 and the frame's right edge
FAN_TEXT_X = 3.85  # and are centred here


def _fit(mob, x: float | None = None):
    """Shrink ``mob`` to the width beside the fan if it is wider; centre it on ``x`` if given."""
    if mob.width > FAN_TEXT_WIDTH:
        mob.scale_to_fit_width(FAN_TEXT_WIDTH)
    if x is not None:
        mob.set_x(x)
    return mob


def product_line(formula: MathTex, factors: Sequence[str], result: float, autograd: float,
                 x: float) -> tuple[MathTex, Text]:
    """Under ``formula``, centred on ``x``: "= f1 x f2 x f3 = result", each factor in its link's
    colour, and autograd's value for the same derivative beneath, at the right."""
    vals = MathTex("=", factors[0], r"\times", factors[1], r"\times", factors[2], "=", _t(result), font_size=32)
    _fit(vals.next_to(formula, DOWN, buff=0.3), x)
    for i, color in ((1, LINK_Z), (3, LINK_A), (5, LINK_C)):
        vals[i].set_color(color)
    vals[7].set_color(ACCENT)
    check = _text(f"autograd: {fmt(autograd)}", 20, SCORE).next_to(vals, DOWN, buff=0.2)
    return vals, check.align_to(vals, RIGHT)


def _column(n: int, x: float, spacing: float, radius: float, acts=None) -> VGroup:
    col = VGroup(*[Circle(radius=radius, stroke_color=MUTED, stroke_width=1.5, fill_color=INK,
                          fill_opacity=0.0 if acts is None else float(np.clip(acts[i], 0, 1)))
                   for i in range(n)]).arrange(DOWN, buff=spacing - 2 * radius)
    return col.move_to([x, COL_Y, 0])


def _hidden_sizes() -> tuple[int, ...]:
    """The digit network's hidden layer sizes (16, 16 by default)."""
    from scenes.pieces import digit_sizes

    return digit_sizes()[1:-1]


INPUT_SHOWN = 16  # pixels drawn when layer L-2 is the input (a network with one hidden layer)


def _first_drawn(d: dict) -> int | None:
    """Layer L-2's first drawn index when it is the 784 inputs (one hidden layer): a run of
    ``INPUT_SHOWN`` pixels around the deep neuron i; None when it is a hidden layer, drawn whole."""
    if len(_hidden_sizes()) > 1:
        return None
    m = int(d["deep_m"])
    return min(max(m - INPUT_SHOWN // 2 + 1, 0), 784 - INPUT_SHOWN)


def _packed(n: int) -> float:
    """How much closer a layer of ``n`` neurons packs them than the 16 of the default network."""
    return 16 / max(n, 16)


def fan_stage(d: dict, digit: bool = True) -> Stage:
    """The digit network's last layers on Chapter 3's "2": layer L-2, layer L-1 and the ten outputs
    lit by their real activations, every edge between the last two layers, and the
    cost C0 fed by every output. With ``digit``, the "2" itself (Chapter 3's pixels) waits on the
    right, where the formulas will come."""
    first = _first_drawn(d)
    if first is None:
        n2 = _hidden_sizes()[-2]  # layer L-2: the hidden layer before the last
        a2 = d["fan_a_prev2"]
        l2 = _column(n2, L2_X, 0.33 * _packed(n2), 0.1 * _packed(n2), a2)
    else:  # layer L-2 is the input: a run of pixels of Chapter 3's 2, lit by their brightness
        a2 = d["fan_a_prev2"][first : first + INPUT_SHOWN]
        l2 = _column(INPUT_SHOWN, L2_X, 0.33, 0.1, a2)
    n1 = len(d["fan_a_prev"])  # layer L-1
    l1 = _column(n1, L1_X, 0.33 * _packed(n1), 0.13 * _packed(n1), d["fan_a_prev"])
    out = _column(10, OUT_X, 0.5, 0.18, d["fan_a_out"])
    for column, name, values in ((l2, "layer L−2 lit", a2), (l1, "layer L−1 lit", d["fan_a_prev"]),
                                 (out, "layer L lit", d["fan_a_out"])):
        note_drawing(column, name, values)
    cost = MathTex("C_0", font_size=44).move_to([COST_X, COL_Y, 0])
    edges = VGroup(*[Line(a.get_right(), o.get_left(), stroke_width=0.6, stroke_color=MUTED, stroke_opacity=0.3)
                     for a in l1 for o in out])
    to_cost = VGroup(*[Line(o.get_right(), cost.get_left() + LEFT * 0.1, stroke_width=1, stroke_color=MUTED,
                            stroke_opacity=0.5) for o in out])
    heads = VGroup(*[_text(t, 18, MUTED).move_to([x, 3.55, 0]) for t, x in
                     (("layer L\u22122" if first is None else "pixels", L2_X), ("layer L\u22121", L1_X),
                      ("layer L", OUT_X))])
    stage = Stage(edges=edges, to_cost=to_cost, l2=l2, l1=l1, out=out, cost=cost, heads=heads)
    if digit:
        two = framed_digit(artifact_arrays("digits-story", "chapter3.npz")["digit"], height=2.6)
        two.move_to([FAN_TEXT_X, COL_Y + 0.55, 0])
        stage["two"] = two
        stage["two_name"] = _text("the network's input: Chapter 3's 2", 22, MUTED).next_to(two, DOWN, buff=0.25)
    return stage


# ----------------------------------------------------------------------------- scenes


class ChapterFourScene(ChapterScene):
    chapter = NUMBER

    def retype(self, pairs: Sequence[tuple[VGroup, VGroup]], *extra, run_time: float = 1.6) -> None:
        """Replace each old formula of ``pairs`` by its new one, part by part: a part that reads the
        same slides to its new place; a part that changes fades out as its successor fades in, so
        no symbol is ever half one glyph, half another. Afterwards the new formulas are on screen
        (as whole groups), the old ones gone."""
        anims = []
        for old, new in pairs:
            assert len(old) == len(new), "retype pairs formulas part for part"
            for o, n in zip(old, new):
                if getattr(o, "tex_string", None) == getattr(n, "tex_string", None) and o.get_color() == n.get_color():
                    anims.append(o.animate.move_to(n))
                else:
                    anims += [FadeOut(o, rate_func=first_part(0.45)), FadeIn(n, rate_func=last_part(0.45))]
        self.play(*anims, *extra, run_time=run_time)
        for old, new in pairs:
            self.remove(old, *old, *new)
            self.add(new)


class SimplestNetwork(ChapterFourScene):
    def construct(self):
        d = data()
        card = self.title_card(TITLE, keep=True)
        stage = chain_stage(d, lit=False)
        n_ex, x, a_out, y = int(d["n_chain_examples"]), float(d["chain_x"]), float(d["a"]), int(d["y"])

        # The simplest network: a chain of single neurons
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE), FadeIn(stage.neurons, rate_func=ARRIVE),
                  FadeIn(stage.names, rate_func=ARRIVE), run_time=1.6)
        with self.sparse("the chain alone, before its input and its training"):
            self.say("The simplest network there is: four neurons in a chain, a single weight and bias on each link.")
            self.play(LaggedStart(*[Create(e) for e in stage.edges], lag_ratio=0.3), run_time=1.5)
            self.finish_reading()
        curve = curve_stage(d)
        costs = d["chain_cost_curve"]
        self.say(f"We trained it for real, on {n_ex:,} zeros and ones: its input is how much ink a digit has; "
                 "its answer: is it a 1?")
        self.play(FadeIn(stage.digit, shift=RIGHT * 0.2), Create(stage.feed),
                  LaggedStart(*[FadeIn(t, shift=DOWN * 0.1) for t in stage.links], lag_ratio=0.3),
                  Create(curve.axes), FadeIn(curve.title), FadeIn(curve.x_name), run_time=1.8)
        self.play(FadeIn(curve.first), Create(curve.line), run_time=2.0)
        self.play(FadeIn(curve.last), run_time=0.5)
        self.say(f"Training found these weights and biases: the mean cost fell from {fmt(costs[0])} to "
                 f"{fmt(costs[-1])}.")
        self.wait(0.5)
        lit = chain_stage(d, lit=True).neurons
        values = VGroup(*[_text(fmt(v), 20, MUTED).next_to(nm, DOWN, buff=0.12)
                          for v, nm in zip(d["chain_activations"], stage.names)])
        self.say(f"One real training example: this {y}, with ink {fmt(x)}. The chain answers {fmt(a_out)}, "
                 f"{'more' if a_out > 0.5 else 'less'} than a half, so it says {int(a_out > 0.5)}: wrong.")
        self.play(Indicate(stage.digit[0], scale_factor=1.05), LaggedStart(*[Transform(n, m) for n, m in zip(stage.neurons, lit)], lag_ratio=0.3),
                  LaggedStart(*[FadeIn(v) for v in values], lag_ratio=0.3), run_time=2.4)
        self.wait(0.5)

        # Superscripts name layers
        self.say("The superscripts name layers, they are not powers: (L) is the last layer, (L\u22121) the one "
                 "before it.")
        self.play(*[Indicate(nm, color=ACCENT, scale_factor=1.15) for nm in stage.names[2:]], run_time=1.4)

        # The last link, with real numbers
        w, b = d["chain_w"][-1], d["chain_b"][-1]
        sig = agreeing_sig([w, d["a_prev"], b], float(d["z"]), lambda v: v[0] * v[1] + v[2])
        line_z = MathTex("z^{(L)}", "=", "w^{(L)}", "a^{(L-1)}", "+", "b^{(L)}", "=",
                         f"({_t(w, sig)})", r"\cdot", _t(d["a_prev"], sig), "+", _t(b, sig), "=", _t(d["z"]),
                         font_size=38)
        line_a = MathTex("a^{(L)}", "=", r"\sigma(", "z^{(L)}", ")", "=", rf"\sigma({_t(d['z'])})", "=", _t(a_out),
                         font_size=38)
        line_c = MathTex("C_0", "=", "(", "a^{(L)}", "-", "y", ")^2", "=", rf"({_t(a_out)} - {y})^2", "=",
                         _t(d["cost"]), font_size=38)
        lines = VGroup(line_z, line_a, line_c).arrange(DOWN, buff=0.42, aligned_edge=LEFT).move_to([-0.2, -0.3, 0])
        line_c[-1].set_color(COST)
        edge, link = stage.edges[-1], stage.links[-1]
        self.say("Look at the last link. Its weight w(L) and bias b(L) turn the previous activation a(L\u22121) "
                 "into a weighted sum z(L).")
        self.play(Indicate(link, color=ACCENT), edge.animate.set_color(ACCENT),
                  FadeOut(VGroup(*curve.values()), rate_func=LEAVE), run_time=1.0)
        self.write_terms(line_z, sources={2: link, 3: stage.names[2], 5: link, 7: link, 9: values[2], 11: link},
                         groups=[[0, 1], [2, 3], [4, 5], [6, 7, 8, 9], [10, 11], [12, 13]], run_time=0.8)
        self.play(edge.animate.set_color(MUTED), run_time=0.5)
        self.say(f"Here the sum z(L) comes out near 0. The sigmoid squashes it into the activation a(L) = {fmt(a_out)}.")
        self.write_terms(line_a, sources={0: stage.neurons[3], 8: values[3]},
                         groups=[[0, 1], [2, 3, 4], [5, 6], [7, 8]], run_time=0.8)
        self.say(f"This digit is a 0, so the label y is {y}. The cost of this one example, C0, is the squared "
                 "gap (a(L) \u2212 y)\u00b2.")
        self.write_terms(line_c, groups=[[0, 1], [2, 3, 4, 5, 6], [7, 8], [9, 10]], run_time=0.8)
        self.wait(0.5)

        # The sign convention
        self.say("Chapter 3 drew the wishes, the negative gradient. Here we compute the gradient itself: how C0 "
                 "responds to each knob.")
        self.wait(1.0)
        after = tree_stage(d)
        self.hand_off(after, keep={line_z[0]: after.z[0], line_z[2]: after.w[0], line_z[3]: after.a_prev[0],
                                   line_z[5]: after.b[0], line_a[0]: after.a[0], line_c[0]: after.c[0],
                                   line_c[5]: after.y[0]}, run_time=2.0)


class ComputationGraph(ChapterFourScene):
    def construct(self):
        d = data()
        stage = self.open(tree_stage(d))
        nudge = float(d["nudge"])

        # What depends on what
        self.say("Here is what depends on what: w(L), a(L\u22121) and b(L) make z(L); z(L) makes a(L); a(L) and "
                 "the label y make the cost.")
        self.play(FadeIn(VGroup(*[n[1] for n in (stage.w, stage.a_prev, stage.b, stage.z, stage.a, stage.c, stage.y)])),
                  run_time=0.8)
        for group in ([stage.e_w, stage.e_ap, stage.e_b], [stage.e_z], [stage.e_a, stage.e_y]):
            self.play(*[ShowPassingFlash(e.copy().set_stroke(ACCENT, width=7), time_width=0.6) for e in group],
                      run_time=0.9)
        self.say("Each arrow is one simple step, and has its own colour: pink into z, teal from z to a, tan from "
                 "a to the cost.")
        self.play(*[Indicate(e, scale_factor=1.08) for e in (stage.e_w, stage.e_z, stage.e_a)], run_time=1.4)

        # Number lines on one scale
        specs = [("w", IN_X, float(d["chain_w"][-1]), float(d["chain_w"][-1]) + nudge),
                 ("z", Z_X, float(d["z"]), float(d["nudged_z"])),
                 ("a", A_X, float(d["a"]), float(d["nudged_a"])),
                 ("C_0", C_X, float(d["cost"]), float(d["nudged_cost"]))]
        lines, dots, labels, targets, afters, places = VGroup(), VGroup(), VGroup(), [], VGroup(), []
        for name, x, before, after in specs:
            lo = np.floor((before - 0.2) * 10) / 10
            line = Line([x - 1.5, LINE_Y, 0], [x + 1.5, LINE_Y, 0], stroke_color=MUTED, stroke_width=2)
            ticks = VGroup(*[Line([x - 1.5 + 0.3 * i, LINE_Y - 0.08, 0], [x - 1.5 + 0.3 * i, LINE_Y + 0.08, 0],
                                  stroke_color=MUTED, stroke_width=2 if i % 5 == 0 else 1) for i in range(11)])
            at = lambda v, x=x, lo=lo: np.array([x - 1.5 + 3.0 * (v - lo), LINE_Y, 0])  # noqa: E731
            name_tex = MathTex(name, font_size=34, color=MUTED).next_to(line, LEFT, buff=0.08).shift(UP * 0.32 + RIGHT * 0.3)
            lines.add(VGroup(line, ticks, name_tex))
            dots.add(Dot(at(before), radius=0.08, color=INK))
            shown_after = computed(fmt(after), "w(L) plus the nudge") if name == "w" else fmt(after)
            labels.add(_text(fmt(before), 18).next_to(at(before), DOWN, buff=0.22))
            afters.add(_text(f"{fmt(before)} \u2192 {shown_after}", 18).move_to([x, LINE_Y - 0.42, 0]))
            targets.append(at(after))
            places.append(at)
        scale = _text(f"one scale for all four lines: a tick is {constant('0.1', 'the tick spacing of the number lines')}",
                      18, MUTED).move_to([0, LINE_Y + 0.62, 0]).align_to(lines[1], LEFT)
        self.say("Give each of w(L), z(L), a(L) and C0 a number line, all four on one scale, with a dot at its real value.")
        self.play(LaggedStart(*[FadeIn(VGroup(l, dt, lb)) for l, dt, lb in zip(lines, dots, labels)], lag_ratio=0.25),
                  FadeIn(scale), run_time=2.0)

        # A nudge travels down the chain
        self.say(f"Nudge w(L) by {fmt(nudge)} and follow it along the arrows: z(L) moves, so a(L) moves, so the "
                 "cost moves.")
        trails = VGroup()
        for dot, target, label, after, (_name, _x, before, moved) in zip(dots, targets, labels, afters, specs):
            trail = Line(dot.get_center(), target, stroke_color=signed_color(moved - before), stroke_width=6)
            trails.add(trail)
            self.play(Create(trail), dot.animate.move_to(target), ReplacementTransform(label, after), run_time=1.1)
        self.say("Each step passes the nudge on, shrunk or stretched by how sensitive that step is: the moves "
                 "differ in size.")
        for trail in trails:  # each move in turn, from the nudge to the cost
            self.play(ShowPassingFlash(trail.copy().set_stroke(INK, width=10), time_width=0.8), run_time=0.7)
        self.wait(0.5)

        # Each step's ratio
        sig = agreeing_sig([d["nudge_dz"]], float(d["ratio_z_w"]), lambda v: v[0] / nudge)
        sig = max(sig, agreeing_sig([d["nudge_da"], d["nudge_dz"]], float(d["ratio_a_z"]), lambda v: v[0] / v[1]))
        sig = max(sig, agreeing_sig([d["nudge_dc"], d["nudge_da"]], float(d["ratio_c_a"]), lambda v: v[0] / v[1]))
        ratio_specs = [(r"\Delta z", r"\Delta w", _t(d["nudge_dz"], sig), _t(nudge), d["ratio_z_w"], LINK_Z),
                       (r"\Delta a", r"\Delta z", _t(d["nudge_da"], sig), _t(d["nudge_dz"], sig), d["ratio_a_z"], LINK_A),
                       (r"\Delta C_0", r"\Delta a", _t(d["nudge_dc"], sig), _t(d["nudge_da"], sig), d["ratio_c_a"], LINK_C)]
        ratios = VGroup()
        for (top, bottom, num, den, value, color), x in zip(ratio_specs, (-4.15, 0.0, 4.15)):  # wide apart: three, not one
            ratios.add(MathTex(rf"\frac{{{top}}}{{{bottom}}}", "=", rf"\frac{{{num}}}{{{den}}}", "=", _t(value),
                               font_size=32, color=color).move_to([x + 0.2, -1.15, 0]))
        self.say("Write each step's ratio of changes: how much its output moved for each unit its input moved.")
        for r in ratios:
            self.write_terms(r, groups=[[0, 1], [2, 3, 4]], run_time=0.8)
        self.wait(0.5)
        factors = [d["ratio_z_w"], d["ratio_a_z"], d["ratio_c_a"]]
        sig = agreeing_sig(factors, float(d["ratio_c_w"]), _product)  # 3 digits unless the product would not check out
        whole = MathTex(r"\frac{\Delta C_0}{\Delta w}", "=", _t(factors[0], sig), r"\times", _t(factors[1], sig),
                        r"\times", _t(factors[2], sig), "=", _t(d["ratio_c_w"]), font_size=34).move_to([0, -2.1, 0])
        for i, color in ((2, LINK_Z), (4, LINK_A), (6, LINK_C)):
            whole[i].set_color(color)
        whole[8].set_color(ACCENT)
        assert fmt(_product([as_shown(v, sig) for v in factors])) == fmt(d["ratio_c_w"])
        self.say("Multiply the three ratios and the middle changes cancel: what is left is the cost's change over "
                 "w's change.")
        # the product in symbols first: each middle change is struck out above and below
        symbols = MathTex(r"\frac{\Delta C_0}{\Delta w}", "=", r"\frac{\Delta z}{\Delta w}", r"\times",
                          r"\frac{\Delta a}{\Delta z}", r"\times", r"\frac{\Delta C_0}{\Delta a}", font_size=34)
        symbols.move_to(whole)
        for i, color in ((2, LINK_Z), (4, LINK_A), (6, LINK_C)):
            symbols[i].set_color(color)

        def strike(term: VMobject, top: bool) -> Line:
            """A stroke through the top (numerator) or bottom (denominator) half of a fraction."""
            (x0, y0, _), (x1, y1, _), mid = term.get_corner(DOWN + LEFT), term.get_corner(UP + RIGHT), term.get_y()
            lo, hi = (mid + 0.06, y1) if top else (y0, mid - 0.06)
            return Line([x0 - 0.03, lo, 0], [x1 + 0.03, hi, 0], stroke_color=INK, stroke_width=3)

        strikes = VGroup(strike(symbols[2], True), strike(symbols[4], False),  # the change in z
                         strike(symbols[4], True), strike(symbols[6], False))  # the change in a
        self.write_terms(symbols, groups=[[0, 1], [2, 3, 4, 5, 6]], run_time=0.8)
        self.play(LaggedStart(*[Create(m) for m in strikes], lag_ratio=0.35), run_time=1.4)
        self.wait(0.4)
        self.play(FadeOut(VGroup(symbols, strikes), shift=UP * 0.1), run_time=0.5)
        self.write_terms(whole, sources={2: ratios[0][4], 4: ratios[1][4], 6: ratios[2][4]},
                         groups=[[0, 1], [2], [3, 4], [5, 6], [7, 8]], run_time=0.8)
        self.wait(1.0)
        self.say("Shrink the nudge toward zero and each ratio becomes a derivative, the slope of one step. "
                 "That is the chain rule.")
        # the nudge shrinks: every move along the lines shrinks with it, through the chain's real steps
        w, a_prev, b, y = float(d["chain_w"][-1]), float(d["a_prev"]), float(d["chain_b"][-1]), float(d["y"])
        start = [w, float(d["z"]), float(d["a"]), float(d["cost"])]

        def moved(h: float) -> list[float]:
            z = (w + h) * a_prev + b
            a = 1.0 / (1.0 + np.exp(-z))
            return [w + h, z, a, (a - y) ** 2]

        assert np.allclose(moved(0.0), start) and np.allclose(moved(nudge)[1:], [float(d["nudged_z"]),
                                                                                float(d["nudged_a"]),
                                                                                float(d["nudged_cost"])])
        limits = VGroup()
        for r, (top, bottom, value, color) in zip(ratios, ((r"\partial z", r"\partial w", d["dz_dw"], LINK_Z),
                                                         (r"\partial a", r"\partial z", d["da_dz"], LINK_A),
                                                         (r"\partial C_0", r"\partial a", d["dc_da"], LINK_C))):
            limits.add(MathTex(rf"\frac{{{top}}}{{{bottom}}}", "=", _t(value), font_size=34, color=color).move_to(r))
        chain = [d["dz_dw"], d["da_dz"], d["dc_da"]]
        sig = agreeing_sig(chain, float(d["dc_dw"]), _product)
        product = MathTex(r"\frac{\partial C_0}{\partial w}", "=", _t(chain[0], sig), r"\times", _t(chain[1], sig),
                          r"\times", _t(chain[2], sig), "=", _t(d["dc_dw"]), font_size=34).move_to(whole)
        for i, color in ((2, LINK_Z), (4, LINK_A), (6, LINK_C)):
            product[i].set_color(color)
        product[8].set_color(ACCENT)
        assert fmt(_product([as_shown(v, sig) for v in chain])) == fmt(d["dc_dw"])
        h = ValueTracker(nudge)
        for k, (trail, dot) in enumerate(zip(trails, dots)):
            trail.add_updater(lambda m, k=k: m.put_start_and_end_on(places[k](start[k]), places[k](moved(h.get_value())[k])))
            dot.add_updater(lambda m, k=k: m.move_to(places[k](moved(h.get_value())[k])))


        def ratios_at(step: float) -> tuple[list[MathTex], MathTex]:
            """The three ratios and their product for a nudge of ``step``, through the chain's own
            steps (its trained w, b and this example's a(L-1) and y): each number is declared where
            it is drawn (``sourced_all``), computed here, not read from the artifact."""
            _, z1, a1, c1 = moved(step)
            changes = [(z1 - start[1], step), (a1 - start[2], z1 - start[1]), (c1 - start[3], a1 - start[2])]
            how = f"computed: the chain's own steps (w(L), b(L), a(L-1), y) at a nudge of {step:g}"
            out = []
            for (top, bottom, *_rest, color), old, (num, den) in zip(ratio_specs, ratios, changes):
                tex = MathTex(rf"\frac{{{top}}}{{{bottom}}}", "=", rf"\frac{{{_t(num, 4)}}}{{{_t(den, 4)}}}", "=",
                              _t(num / den), font_size=32, color=color).move_to(old)
                sourced_all(tex.tex_string, how, tex=True)
                out.append(tex)
            factors = [num / den for num, den in changes]
            row = MathTex(r"\frac{\Delta C_0}{\Delta w}", "=", _t(factors[0]), r"\times", _t(factors[1]), r"\times",
                          _t(factors[2]), "=", _t((c1 - start[3]) / step), font_size=34).move_to(whole)
            for i, color in ((2, LINK_Z), (4, LINK_A), (6, LINK_C)):
                row[i].set_color(color)
            row[8].set_color(ACCENT)
            sourced_all(row.tex_string, how, tex=True)
            return out, row

        # the nudge shrinks in two steps, and the ratios settle: 0.5, then 0.1, then 0.01
        shown, shown_whole = list(ratios), whole
        for k, step in enumerate((nudge / 5, nudge / 50)):
            new, new_whole = ratios_at(step)
            self.play(*([FadeOut(afters)] if k == 0 else []), h.animate.set_value(step), run_time=1.2)
            self.play(*[ReplacementTransform(a, b) for a, b in zip(shown, new)],
                      ReplacementTransform(shown_whole, new_whole), run_time=0.8)
            shown, shown_whole = new, new_whole
            self.wait(0.5)
        for m in (*trails, *dots):
            m.clear_updaters()
        self.play(*[FadeOut(m, shift=DOWN * 0.15, rate_func=LEAVE) for m in (*shown, shown_whole)],
                  *[FadeIn(m, shift=DOWN * 0.15, rate_func=ARRIVE) for m in (*limits, product)], run_time=1.6)
        self.wait(1.0)
        after = tree_stage(d)
        self.hand_off(after, keep={stage[key]: after[key] for key in stage}, run_time=1.5)


class ChainRule(ChapterFourScene):
    def construct(self):
        d = data()
        stage = self.open(tree_stage(d))
        full = rule_stage(d)
        formula, numbers, result, check = full.formula, full.numbers, full.result, full.check

        # The chain rule, grown out of the tree
        self.say("The chain rule: how sensitive the cost is to w(L) is the product of how sensitive each step is.")
        self.write_terms(formula, sources={2: stage.e_w, 3: stage.e_z, 4: stage.e_a}, groups=[[0, 1], [2], [3], [4]],
                         run_time=1.0)
        self.say("Each factor wears its arrow's colour. Now find each one: every step is a simple function.")
        self.wait(1.0)

        # dz/dw = a(L-1)
        lo = -1.75
        dz = MathTex("z^{(L)}", "=", "w^{(L)}", "a^{(L-1)}", "+", "b^{(L)}", r"\quad\Rightarrow\quad",
                     r"\frac{\partial z^{(L)}}{\partial w^{(L)}}", "=", "a^{(L-1)}", "=", _t(d["dz_dw"]),
                     font_size=36).move_to([0, lo, 0])
        dz[7].set_color(LINK_Z)
        self.say("The first: z(L) = w(L) a(L\u22121) + b(L). Nudge w(L) by one, and z(L) moves by a(L\u22121).")
        self.write_terms(dz, sources={2: stage.w[0], 3: stage.a_prev[0], 5: stage.b[0]},
                         groups=[[0, 1], [2, 3], [4, 5], [6, 7, 8, 9], [10, 11]], run_time=0.8)
        self.play(TransformFromCopy(dz[11], numbers[0]), run_time=0.9)
        self.say("So a weight matters as much as the neuron feeding it: neurons that fire together wire together.")
        self.play(Indicate(stage.a_prev, color=ACCENT), Indicate(stage.e_ap, color=ACCENT), run_time=1.4)
        self.wait(1.0)

        # da/dz = sigma'(z) = a(1 - a)
        sig = agreeing_sig([d["a"]], float(d["da_dz"]), lambda v: v[0] * (1 - v[0]))  # the shown product checks out
        one_minus = 1 - as_shown(d["a"], sig)
        places = max(decimals_for(d["a"], sig), 3)
        da = MathTex("a^{(L)}", "=", r"\sigma(z^{(L)})", r"\quad\Rightarrow\quad",
                     r"\frac{\partial a^{(L)}}{\partial z^{(L)}}", "=", r"\sigma'(z^{(L)})", "=", r"a^{(L)}(1 - a^{(L)})",
                     "=", rf"{_t(d['a'], sig)} \cdot {computed(f'{one_minus:.{places}f}', '1 minus the shown a(L)')}", "=",
                     _t(d["da_dz"]), font_size=34).move_to([0, lo, 0])
        da[4].set_color(LINK_A)
        assert fmt(as_shown(d["a"], sig) * one_minus) == fmt(d["da_dz"])
        self.say("The second: a(L) = \u03c3(z(L)), so \u2202a/\u2202z is the sigmoid's slope, \u03c3'(z). For the "
                 "sigmoid that slope is a(1 \u2212 a).")
        self.play(FadeOut(dz), run_time=0.6)
        self.write_terms(da, sources={0: stage.a[0]}, groups=[[0, 1, 2], [3, 4, 5, 6], [7, 8], [9, 10], [11, 12]],
                         run_time=0.8)
        self.play(TransformFromCopy(da[12], numbers[1]), FadeIn(numbers[3]), run_time=0.9)
        self.say(slope_sentence(float(d["z"]), float(d["da_dz"])))
        slope = sigmoid_slope(d)
        self.play(Create(slope.axes), FadeIn(slope.names), run_time=0.7)
        self.play(Create(slope.curve), run_time=1.0)
        self.play(FadeIn(slope.dot, scale=0.5), Create(slope.tangent), FadeIn(slope.label), run_time=1.0)
        self.wait(1.0)

        # dC/da = 2(a - y)
        dc = MathTex("C_0", "=", "(a^{(L)} - y)^2", r"\quad\Rightarrow\quad", r"\frac{\partial C_0}{\partial a^{(L)}}",
                     "=", "2(a^{(L)} - y)", "=", rf"2({_t(d['a'])} - {int(d['y'])})", "=", _t(d["dc_da"]),
                     font_size=36).move_to([0, lo, 0])
        dc[4].set_color(LINK_C)
        self.say("The third: C0 = (a(L) \u2212 y)\u00b2, so \u2202C0/\u2202a = 2(a(L) \u2212 y), twice the "
                 "error. The further off the answer, the harder it pulls.")
        self.play(FadeOut(da), FadeOut(VGroup(*slope.values())), run_time=0.6)
        self.write_terms(dc, sources={0: stage.c[0]}, groups=[[0, 1, 2], [3, 4, 5, 6], [7, 8], [9, 10]], run_time=0.8)
        self.play(TransformFromCopy(dc[10], numbers[2]), FadeIn(numbers[4]), run_time=0.9)
        self.wait(0.5)

        # The product, checked by autograd
        self.say(f"Multiply the three: \u2202C0/\u2202w(L) = {fmt(d['dc_dw'])}. The big nudge's ratio, "
                 f"{fmt(d['ratio_c_w'])}, was an estimate of it.")
        # the big nudge's ratio, from the graph before, beside the exact slope it estimated
        estimate = MathTex(r"\text{nudge of } " + _t(d["nudge"]) + r":\ \frac{\Delta C_0}{\Delta w}", "=",
                           _t(d["ratio_c_w"]), font_size=30, color=MUTED)
        estimate.next_to(check, DOWN, buff=0.3).align_to(check, LEFT)
        self.play(FadeOut(dc, rate_func=LEAVE), FadeIn(result, rate_func=ARRIVE), run_time=1.0)
        self.play(FadeIn(estimate, shift=0.1 * UP), run_time=0.8)
        self.wait(0.5)
        self.say("PyTorch's autograd, which knows nothing of our derivation, computes the same number.")
        self.play(FadeIn(check, shift=UP * 0.2), Create(SurroundingRectangle(result[1], color=ACCENT, buff=0.08)),
                  run_time=1.0)
        self.say("It is positive: raising w(L) raises the cost. Chapter 3's wish for this weight is its negative, "
                 "to go down.")
        self.wait(1.0)
        self.hand_off(full, keep={stage[key]: full[key] for key in stage}, run_time=1.0)


class BiasAndPrevious(ChapterFourScene):
    def construct(self):
        d = data()
        stage = self.open(rule_stage(d))
        formula, numbers, result, check = stage.formula, stage.numbers, stage.result, stage.check

        # The bias: only the first factor changes
        sig = agreeing_sig([1.0, d["da_dz"], d["dc_da"]], float(d["dc_db"]), _product)
        f_b = chain_formula(r"\frac{\partial C_0}{\partial b^{(L)}}", (r"\frac{\partial z^{(L)}}{\partial b^{(L)}}",
                            *W_FACTORS[1:])).move_to(formula)
        n_b = factor_numbers(f_b, [1.0, d["da_dz"], d["dc_da"]], sig, shown=[constant("1", "z grows one for one with b")])
        r_b = MathTex("=", _t(d["dc_db"]), font_size=44).next_to(f_b, RIGHT, buff=0.3)
        r_b[1].set_color(ACCENT)
        c_b = _text(f"autograd: {fmt(d['autograd_dc_db'])}", 22, SCORE).next_to(r_b, DOWN, buff=0.55).align_to(r_b, LEFT)
        self.say("For the bias b(L), only the first step differs: z(L) grows one for one with b(L), so "
                 "\u2202z/\u2202b = 1.")
        self.play(Indicate(stage.e_b, color=ACCENT), run_time=1.0)
        self.retype([(formula, f_b), (numbers, n_b)], FadeOut(result, rate_func=LEAVE),
                    FadeOut(check, rate_func=LEAVE))
        formula, numbers = f_b, n_b
        more = sig - agreeing_sig([d["dz_dw"], d["da_dz"], d["dc_da"]], float(d["dc_dw"]), _product)
        written = "" if more <= 0 else (
            f", to {'one more digit' if more == 1 else f'{more} more digits'} so the product checks out")
        self.say(f"The other two factors are as before{written}. The product, {fmt(d['dc_db'])}: autograd agrees.")
        self.play(FadeIn(r_b), run_time=0.8)
        self.play(FadeIn(c_b, shift=UP * 0.2), run_time=0.8)
        self.wait(0.5)

        # The previous activation: the first factor is the weight
        sig = agreeing_sig([d["chain_w"][-1], d["da_dz"], d["dc_da"]], float(d["dc_daprev"]), _product)
        f_a = chain_formula(r"\frac{\partial C_0}{\partial a^{(L-1)}}", (r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}}",
                            *W_FACTORS[1:])).move_to(formula)
        n_a = factor_numbers(f_a, [d["chain_w"][-1], d["da_dz"], d["dc_da"]], sig)
        r_a = MathTex("=", _t(d["dc_daprev"]), font_size=44).next_to(f_a, RIGHT, buff=0.3)
        r_a[1].set_color(ACCENT)
        c_a = _text(f"autograd: {fmt(d['autograd_dc_daprev'])}", 22, SCORE).next_to(r_a, DOWN, buff=0.55).align_to(r_a, LEFT)
        self.say(f"For the previous activation a(L\u22121), the first step's slope is the weight: \u2202z/\u2202a = "
                 f"w(L) = {fmt(d['chain_w'][-1])}.")
        self.play(Indicate(stage.e_ap, color=ACCENT), run_time=1.0)
        self.retype([(formula, f_a), (numbers, n_a)], FadeOut(r_b, rate_func=LEAVE), FadeOut(c_b, rate_func=LEAVE))
        formula, numbers = f_a, n_a
        self.play(FadeIn(r_a), run_time=0.8)
        self.say(f"\u2202C0/\u2202a(L\u22121) = {fmt(d['dc_daprev'])}: a big negative weight makes a big, "
                 "negative sensitivity. Autograd agrees again.")
        self.play(FadeIn(c_a, shift=UP * 0.2), run_time=0.8)
        self.wait(0.5)

        # One link further back: the tree repeats
        back = VGroup(*[v for k, v in stage.items() if k not in ("formula", "numbers", "result", "check")])
        moved = back.copy().scale(0.76)
        moved.shift(RIGHT * (6.6 - moved.get_right()[0]) + UP * 0.35)  # room on the left for the link before
        ap = moved[[k for k in stage if k not in ("formula", "numbers", "result", "check")].index("a_prev")]
        ups = VGroup(MathTex(r"w^{(L-1)}", font_size=40), MathTex(r"a^{(L-2)}", font_size=40),
                     MathTex(r"b^{(L-1)}", font_size=40)).arrange(DOWN, buff=0.42, aligned_edge=LEFT)
        ups.move_to([0, ap[0].get_y(), 0]).set_x(-6.6 + ups.width / 2)  # a margin from the frame's edge
        z_prev = MathTex(r"z^{(L-1)}", font_size=40).move_to([(ups.get_right()[0] + ap.get_left()[0]) / 2 - 0.1,
                                                             ap[0].get_y(), 0])
        up_edges = VGroup(*[Arrow(u.get_right(), z_prev.get_left(), buff=0.1, stroke_width=3, color=LINK_Z,
                                  max_tip_length_to_length_ratio=0.15) for u in ups],
                          Arrow(z_prev.get_right(), ap[0].get_left(), buff=0.1, stroke_width=3, color=LINK_A,
                                max_tip_length_to_length_ratio=0.15))
        self.say("We cannot set a(L\u22121) directly: it is made, the same way, by its own weight, bias and "
                 "previous neuron. The tree repeats.")
        self.play(Transform(back, moved), run_time=1.6)
        self.play(LaggedStart(FadeIn(ups), FadeIn(z_prev), Create(up_edges), lag_ratio=0.4), run_time=1.8)
        sig = agreeing_sig([d["chain_activations"][-3], d["sigma_prime_prev"], d["dc_daprev"]], float(d["dc_dw_prev"]),
                           _product)
        f_p = chain_formula(r"\frac{\partial C_0}{\partial w^{(L-1)}}",
                            (r"\frac{\partial z^{(L-1)}}{\partial w^{(L-1)}}", r"\frac{\partial a^{(L-1)}}{\partial z^{(L-1)}}",
                             r"\frac{\partial C_0}{\partial a^{(L-1)}}")).move_to(formula)
        n_p = factor_numbers(f_p, [d["chain_activations"][-3], d["sigma_prime_prev"], d["dc_daprev"]], sig)
        r_p = MathTex("=", _t(d["dc_dw_prev"]), font_size=44).next_to(f_p, RIGHT, buff=0.3)
        r_p[1].set_color(ACCENT)
        c_p = _text(f"autograd: {fmt(d['autograd_dc_dw_prev'])}", 22, SCORE).next_to(r_p, DOWN, buff=0.55).align_to(r_p, LEFT)
        self.say("So the weight w(L\u22121) one link back gets the same three factors; its last factor is the "
                 "number we just found.")
        self.retype([(formula, f_p), (numbers, n_p)], FadeOut(r_a, rate_func=LEAVE), FadeOut(c_a, rate_func=LEAVE))
        formula, numbers = f_p, n_p
        self.play(FadeIn(r_p), FadeIn(c_p, shift=UP * 0.2), run_time=0.9)
        self.say("That is backpropagation: each layer's \u2202C0/\u2202a is passed back to the layer before, "
                 "and reused there.")
        self.wait(1.0)

        # Averaging over examples
        n = int(d["n_chain_examples"])
        first = d["first_dc_dw"]
        row = MathTex(*[_t(v) + ("," if i < len(first) - 1 else r",\ \dots") for i, v in enumerate(first)],
                      font_size=32).move_to([0.4, -1.2, 0])
        avg = MathTex(r"\frac{\partial C}{\partial w^{(L)}}", "=", r"\frac{1}{" + f"{n}" + r"}\sum_{x}",
                      r"\frac{\partial C_x}{\partial w^{(L)}}", "=", _t(d["average_dc_dw"]), font_size=40)
        avg.move_to([-0.6, -0.05, 0])
        avg[5].set_color(ACCENT)
        lab = MathTex(r"\frac{\partial C_x}{\partial w^{(L)}}:", font_size=32).next_to(row, LEFT, buff=0.3)
        few = COUNT_WORDS[len(first)]
        which = _text(f"the first {few} of the {n:,} training examples (our worked example: {fmt(d['dc_dw'])})", 20,
                      MUTED).next_to(VGroup(lab, row), DOWN, buff=0.22)
        c_avg = _text(f"autograd, over all {n:,}: {fmt(d['autograd_average_dc_dw'])}", 22, SCORE)
        c_avg.move_to([0.4, -2.3, 0])
        self.say(f"That was one example. The cost C averages the examples' costs, so its gradient averages "
                 f"their gradients, over all {n:,}.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in (formula, numbers, r_p, c_p)],
                  FadeIn(lab, rate_func=ARRIVE), LaggedStart(*[FadeIn(t) for t in row], lag_ratio=0.2),
                  FadeIn(which, rate_func=ARRIVE), run_time=2.2)
        self.say(f"Here is \u2202C\u2093/\u2202w(L) for the first {few} training examples, then the average over all "
                 f"{n:,} of them.")
        self.write_terms(avg, groups=[[0, 1], [2, 3], [4, 5]], run_time=0.9)
        self.play(FadeIn(c_avg, shift=UP * 0.2), run_time=0.8)
        self.say(f"Our worked example, which the chain gets wrong, gives {fmt(d['dc_dw'])}: far more than these "
                 f"{few}, and than the average, {fmt(d['average_dc_dw'])}.")
        self.wait(1.0)
        self.hand_off(fan_stage(d), run_time=1.8)


class ManyNeurons(ChapterFourScene):
    def construct(self):
        d = data()
        stage = self.open(fan_stage(d))
        j, k, label = int(d["fan_j"]), int(d["fan_k"]), int(d["fan_label"])
        l1, out = stage.l1, stage.out

        # A real network: many neurons per layer
        if "history_imported" in d and bool(d["history_imported"]):
            self.say("A real network has many neurons per layer: here are the last layers of Chapter 3's network, "
                     "on its 2.")
            self.say("Like Chapter 3's, it was trained here: our imported network has no partly trained state.")
        else:
            self.say("A real network has many neurons per layer: here are the last layers of Chapter 3's digit network, "
                     "on its 2.")
        self.play(flash_along([e.copy().set_stroke(INK, width=1.5, opacity=0.8) for e in stage.edges[::3]],
                              time_width=0.5), run_time=1.5)
        ring_k = Circle(radius=0.22, color=ACCENT, stroke_width=3).move_to(l1[k])
        ring_j = Circle(radius=0.28, color=ACCENT, stroke_width=3).move_to(out[j])
        k_name = MathTex(rf"k = {constant(k, 'the index of the neuron shown')}", font_size=30, color=INK)
        k_name.next_to(l1[k], LEFT, buff=0.35).shift(UP * 0.05)
        k_name.move_to([(L2_X + L1_X) / 2, l1[k].get_y() + 0.32, 0])
        j_name = MathTex(rf"j = {constant(j, 'the index of the neuron shown')}", font_size=30, color=INK)
        j_name.next_to(out[j], RIGHT, buff=0.3)  # clear of the neighbours above and below
        edge = Line(l1[k].get_right(), out[j].get_left(), stroke_color=ACCENT, stroke_width=4)
        w_name = MathTex(r"w^{(L)}_{jk}", font_size=34, color=INK).move_to(edge.point_from_proportion(0.5) + UP * 0.38)
        self.say(f"Indices name the neurons: j in the last layer L, k in layer L\u22121. Output {label} is "
                 f"j = {label}, and we pick neuron k = {k}.")
        self.play(Create(ring_k), FadeIn(k_name), Create(ring_j), FadeIn(j_name), run_time=1.2)
        self.say("The weight between them is w(L)jk: its indices read destination first, like a matrix row: "
                 "into j, from k.")
        self.play(Create(edge), FadeIn(w_name), run_time=1.2)
        self.wait(0.5)

        # One weight: the same three factors
        x0 = FAN_TEXT_X
        sig = agreeing_sig([d["fan_a_prev"][k], d["fan_sigma_prime"][j], d["fan_dc_da"][j]], float(d["fan_dc_dw_jk"]),
                           _product)
        one = MathTex(r"\frac{\partial C_0}{\partial w^{(L)}_{jk}}", "=", r"a^{(L-1)}_k", r"\sigma'(z^{(L)}_j)",
                      r"2(a^{(L)}_j - y_j)", font_size=36).move_to([x0, 2.95, 0])
        for part, color in zip(one[2:], (LINK_Z, LINK_A, LINK_C)):
            part.set_color(color)
        _fit(one, x0)
        vals, check_w = product_line(one, [_t(d["fan_a_prev"][k], sig), _t(d["fan_sigma_prime"][j], sig),
                                           f"({_t(d['fan_dc_da'][j], sig)})"], d["fan_dc_dw_jk"],
                                     d["autograd_fan_dc_dw_jk"], x0)
        self.say("For one weight nothing is new: the same three factors as the chain, now each with its neuron's "
                 "index.")
        self.play(FadeOut(stage.two), FadeOut(stage.two_name), run_time=0.6)
        self.write_terms(one, sources={2: l1[k], 3: out[j], 4: out[j]}, groups=[[0, 1], [2], [3], [4]], run_time=0.9)
        self.say(f"Neuron k's activation, output j's slope, and twice output j's error: it should be 1 and is "
                 f"{fmt(d['fan_a_out'][j])}.")
        self.write_terms(vals, groups=[[0, 1], [2, 3], [4, 5], [6, 7]], run_time=0.8)
        target = 1 if j == int(d["fan_label"]) else 0
        error = MathTex(rf"2(a^{{(L)}}_j - y_j) = 2({_t(d['fan_a_out'][j])} - {target})", font_size=26, color=LINK_C)
        error.next_to(vals, DOWN, buff=0.2).align_to(vals, LEFT)  # the third factor: output j is 0.128, should be 1
        self.play(FadeIn(check_w, shift=UP * 0.2), TransformFromCopy(out[j], error), run_time=0.8)
        self.wait(0.5)

        # The sum over paths
        terms = d["fan_terms"]
        dec = agreeing_decimals(terms, float(d["fan_dc_dak"]))
        # the paths in plain white: pink means the step into z, and a path is the whole chain
        paths = VGroup(*[Line(l1[k].get_right(), o.get_left(), stroke_color=INK, stroke_width=2.5) for o in out])
        tags = VGroup()
        for jj, (o, t) in enumerate(zip(out, terms)):
            tag = _text(f"{t:.{dec}f}".replace("-", "\u2212"), 19, INK)
            tag.next_to(o, RIGHT, buff=0.1).shift((UP if o.get_y() >= COL_Y else DOWN) * 0.16)
            tags.add(tag)
        self.say("But neuron k reaches the cost along ten paths, one through each output: changing a(L\u22121)k "
                 "moves all ten outputs.")
        self.play(FadeOut(edge), FadeOut(w_name), FadeOut(ring_j), FadeOut(j_name), FadeOut(error),
                  LaggedStart(*[Create(p) for p in paths], lag_ratio=0.1), run_time=2.0)
        path_value = MathTex(r"w^{(L)}_{jk}", r"\sigma'(z^{(L)}_j)", r"2(a^{(L)}_j - y_j)", font_size=30)
        for part, color in zip(path_value, (LINK_Z, LINK_A, LINK_C)):
            part.set_color(color)
        path_name = _text("each path's value:", 20, MUTED)
        path_row = _fit(VGroup(path_name, path_value).arrange(RIGHT, buff=0.25).move_to([x0, 0.6, 0]), x0)
        self.say("Each path's value is the chain rule along it: the weight on its edge, that output's slope, and "
                 "twice that output's error.")
        self.play(FadeIn(path_row), run_time=0.9)
        self.play(LaggedStart(*[FadeIn(t, shift=LEFT * 0.1) for t in tags], lag_ratio=0.15), run_time=2.4)
        self.wait(1.0)

        # Their sum, term by term
        pieces = []
        for jj, t in enumerate(terms):
            s = f"{abs(t):.{dec}f}"
            pieces.append(s if jj == 0 and t >= 0 else (("-" if jj == 0 else "- ") + s if t < 0 else "+ " + s))
        head = MathTex(r"\frac{\partial C_0}{\partial a^{(L-1)}_k}", "=", r"\sum_{j=0}^{9}", r"w^{(L)}_{jk}",
                       r"\sigma'(z^{(L)}_j)", r"2(a^{(L)}_j - y_j)", font_size=36)
        for part, color in zip(head[3:], (LINK_Z, LINK_A, LINK_C)):
            part.set_color(color)
        line1 = MathTex(*pieces[:5], font_size=30)
        line2 = MathTex(*pieces[5:], "=", _t(d["fan_dc_dak"]), font_size=30)
        line2[-1].set_color(ACCENT)
        block = _fit(VGroup(head, line1, line2).arrange(DOWN, buff=0.22, aligned_edge=LEFT).move_to([x0, -1.05, 0]), x0)
        assert fmt(sum(round(float(t), dec) for t in terms)) == fmt(d["fan_dc_dak"])  # the shown sum checks out
        self.say("\u2202C0/\u2202a(L\u22121)k adds the ten paths up. Watch each term come from its path.")
        self.write_terms(head, sources={3 + i: part for i, part in enumerate(path_value)}, groups=[[0, 1], [2], [3, 4, 5]],
                         run_time=0.9)
        self.write_terms(line1, sources={i: tags[i] for i in range(5)}, run_time=0.6)
        self.write_terms(line2, sources={i: tags[5 + i] for i in range(5)}, groups=[[0], [1], [2], [3], [4], [5, 6]],
                         run_time=0.6)
        check_a = _text(f"autograd: {fmt(d['autograd_fan_dc_dak'])}", 20, SCORE).next_to(block, DOWN, buff=0.15)
        check_a.align_to(block, RIGHT)
        self.play(FadeIn(check_a, shift=UP * 0.2), run_time=0.8)
        parts = np.asarray(terms, dtype=float)
        share = float(parts[j] / parts.sum()) if parts.sum() else 0.0
        lit = "and does" if float(d["fan_a_out"][j]) >= 0.5 else "and does not"
        carries = ("carries most of the sum" if share > 0.5 else
                   "carries the largest part of the sum" if abs(parts[j]) == np.abs(parts).max() else
                   "is one part of the sum among ten")
        self.say(f"The path through output {label}, the one that should light up {lit}, {carries}. Autograd agrees.")
        self.play(Indicate(tags[j], color=ACCENT), Indicate(line1[j], color=ACCENT), run_time=1.2)
        self.play(tags[j].animate.set_color(ACCENT), line1[j].animate.set_color(ACCENT), run_time=0.4)
        self.wait(0.5)

        # One layer further down
        m = int(d["deep_m"])
        sig = agreeing_sig([d["deep_a_prev"], d["deep_sigma_prime"], d["fan_dc_dak"]], float(d["deep_grad"]), _product)
        deep = MathTex(r"\frac{\partial C_0}{\partial w^{(L-1)}_{ki}}", "=", r"a^{(L-2)}_i", r"\sigma'(z^{(L-1)}_k)",
                       r"\frac{\partial C_0}{\partial a^{(L-1)}_k}", font_size=36).move_to([x0, 2.95, 0])
        for part, color in zip(deep[2:], (LINK_Z, LINK_A, LINK_C)):
            part.set_color(color)
        _fit(deep, x0)
        deep_vals, check_d = product_line(deep, [_t(d["deep_a_prev"], sig), _t(d["deep_sigma_prime"], sig),
                                                 _t(d["fan_dc_dak"], sig)], d["deep_grad"], d["deep_autograd"], x0)
        first = _first_drawn(d)
        node = stage.l2[m - (first or 0)]
        ring_i = Circle(radius=0.17, color=ACCENT, stroke_width=3).move_to(node)
        back_edge = Line(node.get_right(), l1[k].get_left(), stroke_color=ACCENT, stroke_width=4)
        i_name = MathTex(rf"i = {constant(m, 'the index of the neuron shown')}", font_size=28, color=INK)
        i_name.next_to(node, RIGHT, buff=0.12).shift(DOWN * 0.3)
        if boxes_meet(i_name, k_name):  # i sits just above k (a pixel run beside layer L-1): name it above
            i_name.shift(UP * 0.6)
        if first is None:
            self.say(f"That sum is what neuron k passes back. One layer down, it plays the part 2(a \u2212 y) played: "
                     f"take neuron i = {m} of layer L\u22122.")
        else:
            self.say(f"That sum is what neuron k passes back. One layer down (here the input), it plays the part "
                     f"2(a \u2212 y) played: take pixel i = {m}.")
        self.play(FadeOut(VGroup(one, vals, check_w), rate_func=LEAVE), Create(ring_i), Create(back_edge),
                  FadeIn(i_name), node.animate.set_fill(INK, opacity=float(d["deep_a_prev"])), run_time=1.4)
        self.write_terms(deep, sources={2: node, 3: l1[k], 4: head[0]}, groups=[[0, 1], [2], [3], [4]],
                         run_time=0.9)
        self.say("The weight from i into k: neuron i's activation, k's slope, and the sum over paths we just built."
                 if first is None else
                 "The weight from i into k: pixel i's brightness, k's slope, and the sum over paths we just built.")
        self.write_terms(deep_vals, sources={5: line2[-1]}, groups=[[0, 1], [2, 3], [4, 5], [6, 7]], run_time=0.8)
        self.play(FadeIn(check_d, shift=UP * 0.2), run_time=0.8)
        self.wait(0.5)
        self.say("Layer by layer, back to the first: that is backpropagation, the chain rule applied path by path.")
        # the passing back, drawn: from the cost to the outputs, to layer L-1, to layer L-2
        back = [[Line(stage.cost.get_left(), o.get_right()) for o in stage.out],
                [Line(o.get_left(), a.get_right()) for o in stage.out for a in stage.l1],
                [Line(a.get_left(), b.get_right()) for a in stage.l1 for b in stage.l2]]
        for lines in back:
            for line in lines:
                line.set_stroke(ACCENT, width=1.2)
        self.play(LaggedStart(*[flash_along(lines, time_width=0.5) for lines in back], lag_ratio=0.6), run_time=2.4)
        self.wait(0.5)
        after = fan_stage(d, digit=False)
        self.hand_off(after, keep={stage[key]: after[key] for key in after}, run_time=1.2)


class Recap(ChapterFourScene):
    def construct(self):
        d = data()
        stage = self.open(fan_stage(d, digit=False))
        self.recap_card(
            [
                "The cost depends on a, a on z, z on each weight, bias and previous activation.",
                "The chain rule multiplies the sensitivities of the steps in between.",
                "Each local factor (a, \u03c3\u2032, w) comes from the forward pass; \u2202C/\u2202a is passed back.",
                "Many neurons: a neuron reaches the cost along many paths; add them up.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [SimplestNetwork, ComputationGraph, ChainRule, BiasAndPrevious, ManyNeurons, Recap]
