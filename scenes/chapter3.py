"""Chapter 3, "Backpropagation, intuitively", with the real wishes one real digit makes.

One film in six beats. A real "2" goes through the digit network as it was part way through
training; the diagram, drawn with that network's real weights, stays on screen while the
outputs say how they want to change, the "2" shows its three ways to rise (its bias, its
weights, the neurons feeding it), all ten outputs' wishes add up on layer 2 (layer L-1 of a network
of another depth), and the same step sweeps backwards, layer by layer, to the first weights. Then a table of ten real digits' wishes, whose averages
are the (negative) gradient, and mini-batch against full-batch descent on a real slice of the
cost landscape.

Every activation, weight, wish, nudge and path comes from the ``digits-story`` artifact
(``models/digit_story.py``, ``chapter3``), computed by the hand-written backprop of
``models/backprop.py``, which the tests check against torch autograd;
``tests/golden/chapter3.json`` pins the numbers.

Notation, shared with Chapter 4: superscripts name layers (``a^{(2)}_k``), weights are indexed
destination first (``w^{(3)}_{2k}``: into neuron 2 of layer 3 from neuron k of layer 2). This
chapter draws wishes, the negative gradient; Chapter 4 computes the gradient itself.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 3``, or one scene with
``python render.py render 3 --scene AddUpTheWishes``.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    GrowArrow,
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
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    VMobject,
)

from scenes.base import ARRIVE, ARRIVE_LAGGED, DRAW_TOP, LEAVE, ChapterScene, Stage, artifact_arrays
from scenes.palette import ACCENT, BACKGROUND, COST, FAINT, INK, MUTED, NEGATIVE, POSITIVE, signed_color, value_to_color
from scenes.pieces import (
    FONT,
    DigitImage,
    ExampleTable,
    LandscapeMap,
    NetworkDiagram,
    NeuronBars,
    boxes_meet,
    digit_network,
    digit_sizes,
    edges_showing,
    flash_along,
    fmt,
    layer_gap_for,
    neuron_arrows,
    path_tip,
    tex,
    wish_pulses,
    window_band,
)
from scenes.transcript import computed, constant, note_drawing

NUMBER = 3
TITLE = "Backpropagation, intuitively"
ARTIFACTS = ("digits-story",)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter3.npz")


def depth() -> int:
    """L: the outputs are layer L (3 in a 784-16-16-10 network); the chapter follows layer L-1."""
    return len(digit_sizes()) - 1


def _text(s: str, size: int = 22, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


WIRE_KEY_AT = (3.45, 3.75)  # its left edge and top: above the output bars, right of their layer's label


def wire_key(what: str) -> VGroup:
    """What the wires show now, their colour its sign: weights, or wishes. The wires change meaning
    within a beat (Chapter 3 colours both by sign), so the key says which."""
    signs = VGroup(_text("blue +", 19, POSITIVE), _text("red \u2212", 19, NEGATIVE)).arrange(RIGHT, buff=0.3)
    lines = [_text(line, 19, MUTED) for line in f"wires: {what}".split("\n")]
    key = VGroup(*lines, signs).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
    return key.shift([WIRE_KEY_AT[0] - key.get_left()[0], WIRE_KEY_AT[1] - key.get_top()[1], 0])


def _index(k: int) -> str:
    """A neuron's number, as a label (not a quantity)."""
    return constant(int(k), "a neuron's index in its layer")


def _signed(x: float, sig: int = 3) -> str:
    return ("+" if float(x) >= 0 else "") + fmt(x, sig)


# ----------------------------------------------------------------------------- the network (beats 1-3)

NET_HEIGHT = 5.4
NET_GAP = 2.35
NET_CENTER = np.array([-0.4, 0.62, 0.0])  # of its layers: columns at x = -3.925, -1.575, 0.775, 3.125
DIGIT_AT = np.array([-5.95, 0.62, 0.0])
DIGIT_HEIGHT = 1.7
BAR_X = 3.75  # where the output bars' tracks start
ALL = 99  # network_stage(d, ALL): every layer lit
ARROW_MAX = 0.31  # the longest wish arrow on a layer: about a neuron's spacing, so arrows never cross


def network(d: dict, lit: int) -> NetworkDiagram:
    """The partly trained network (every weight on the artifact's colour scale), its first ``lit``
    layers lit by the chapter's "2"."""
    L = depth()
    acts = [d["a0_window"], *[d[f"a{l}"] for l in range(1, L + 1)]][:lit]
    return digit_network((d["w1_window"], *[d[f"w{l}"] for l in range(2, L + 1)]), float(d["weight_vmax"]),
                         d["input_window"], acts, height=NET_HEIGHT, layer_gap=layer_gap_for(L, NET_GAP),
                         center=NET_CENTER)


def the_digit(d: dict) -> Group:
    digit = DigitImage(d["digit"], height=DIGIT_HEIGHT).move_to(DIGIT_AT)
    return Group(digit, digit.frame())


def layer_names(net: NetworkDiagram) -> VGroup:
    """a(0) .. a(L) above the columns (the input's beside its upper ellipsis)."""
    names = VGroup()
    for l, col in enumerate(net.layers):
        name = MathTex(f"a^{{({l})}}", font_size=30, color=MUTED)
        if l == 0:
            name.next_to(net.dots[0], RIGHT, buff=0.25)
        else:
            name.next_to(col, UP, buff=0.12)
        names.add(name)
    return names


def output_bars(d: dict, net: NetworkDiagram) -> NeuronBars:
    L = depth()
    return NeuronBars(net.layers[L], d[f"a{L}"], BAR_X, width=2.0, bar_height=0.24, font_size=19, decimals=3)


def cost_formula(d: dict) -> MathTex:
    formula = MathTex("C_0", "=", rf"\sum_j \big(a^{{({depth()})}}_j - y_j\big)^2", "=", tex(d["cost"]), font_size=28)
    formula[-1].set_color(COST)
    return formula.move_to([4.95, 3.3, 0])


def network_stage(d: dict, lit: int, outputs: bool = False) -> Stage:
    """The digit, the network lit up to layer ``lit``, the layer names; with ``outputs``, also the
    output bars, the change each output wants (arrows in the bars' tracks) and the cost."""
    net = network(d, lit)
    digit = the_digit(d)
    stage = Stage(digit=digit, band=window_band(d["input_window"], digit[0]), net=net, names=layer_names(net))
    if outputs:
        bars = output_bars(d, net)
        stage.update(bars=bars, wants=bars.change_arrows(d[f"a{depth()}"], d["wanted_change"]), cost=cost_formula(d))
    return stage


def wish_scale(values) -> float:
    """Arrow length per unit of wish, so the longest arrow of ``values`` is ``ARROW_MAX``."""
    return ARROW_MAX / float(np.abs(np.asarray(values)).max())


def net_parts(net: NetworkDiagram) -> dict:
    """What lies before the network's last two layers (hidden while the chapter looks at them): the
    layers before L-1, the input's dots, the wires into those layers and into L-1."""
    L = len(net.layers) - 1
    return {**{f"layer{l}": net.layers[l] for l in range(L - 1)}, "dots": net.dots,
            **{f"edges{l}": net.edges[l] for l in range(L - 1)}}


def focus_stage(d: dict, j: int) -> Stage:
    """The network's last two layers, the rest hidden: the wires into output ``j`` in their weight
    colours, the other wires into the outputs dimmed, output ``j`` ringed, the outputs' bars and
    wanted changes, and output ``j``'s wishes for layer L-1 as arrows on its neurons."""
    full = network_stage(d, ALL, outputs=True)
    net = full.net
    L = depth()
    for part in net_parts(net).values():
        part.set_opacity(0)
    for name in full.names[: L - 1]:
        name.set_opacity(0)
    into = net.edges_into(L, j)
    for e in net.edges[L - 1]:
        if e not in into:
            e.set_stroke(opacity=0.12)
    ring = Circle(radius=net.layers[L][j].width / 2 + 0.07, color=ACCENT, stroke_width=3).move_to(net.layers[L][j])
    arrows = neuron_arrows(net.layers[L - 1], d["wishes"][j], wish_scale(d["wishes"][int(d["label"])]))
    return Stage(net=net, names=full.names, bars=full.bars, wants=full.wants, ring=ring, arrows=arrows)


# ----------------------------------------------------------------------------- the table (beat 4)


def _param_tex(name: str) -> str:
    """'w(3)[1,11]' -> w^{(3)}_{1,11}; 'b(3)[7]' -> b^{(3)}_{7}."""
    kind, rest = name[0], name[1:]
    layer, index = rest.split(")[")
    return f"{kind}^{{{layer})}}_{{{index.rstrip(']')}}}"


def example_table(d: dict) -> ExampleTable:
    names = [str(n) for n in d["table_row_names"]]
    table = ExampleTable(d["table"].T, d["table_images"], [_param_tex(n) for n in names], d["table_average"],
                         col_width=1.4)
    return table.shift(np.array([-6.4, 2.95, 0]) - table.images[0].get_center())


def table_open_stage(d: dict) -> Stage:
    """The ten example digits, one of each, where the table's rows will be."""
    return Stage(images=example_table(d).images)


def table_stage(d: dict) -> Stage:
    table = example_table(d)
    return Stage(images=table.images, heads=table.heads, cells=table.cells, separator=table.separator,
                 average=table.average, average_name=table.average_name)


def lone_wishes(d: dict) -> list[tuple[int, int]]:
    """(parameter, example) pairs where one example alone wants the parameter moved one way and
    every other example the other way; biases first."""
    table = np.asarray(d["table"])  # (parameters, examples)
    out = []
    for r, row in enumerate(table):
        for sign in (1, -1):
            alone = np.flatnonzero(np.sign(row) == sign)
            if len(alone) == 1 and np.all(np.sign(np.delete(row, alone)) == -sign):
                out.append((r, int(alone[0])))
    names = [str(n) for n in d["table_row_names"]]
    return sorted(out, key=lambda rc: (not names[rc[0]].startswith("b"), rc[0]))


# ----------------------------------------------------------------------------- the descent paths (beat 5)

MAP_CENTER = np.array([-2.95, 0.75, 0.0])
PANEL_X = 2.5  # the left edge of the text beside the map


def landscape(d: dict) -> LandscapeMap:
    return LandscapeMap(d["slice_alphas"], d["slice_betas"], d["slice_cost"], height=5.0, width=7.4).move_to(MAP_CENTER)


def descent_stage(d: dict, drawn: bool) -> Stage:
    """The cost slice with its colour scale and the start marked; with ``drawn``, both every-step
    paths with arrowheads and their legend."""
    land = landscape(d)
    legend = land.legend()
    start = land.point(*d["sgd_path"][0])
    marker = Circle(radius=0.11, color=INK, stroke_width=3).move_to(start)
    start_name = _text(f"start: step {int(d['path_start_step'])}", 20).next_to(marker, DOWN, buff=0.12)
    stage = Stage(land=land, legend=legend, marker=marker, start_name=start_name)
    if drawn:
        full, sgd = paths(d, land)
        stage.update(full=full, sgd=sgd, key=path_key(d))
    return stage


def paths(d: dict, land: LandscapeMap) -> tuple[VGroup, VGroup]:
    """The full-batch path (white) and the mini-batch path (yellow), every step, with arrowheads."""
    out = []
    for key, color, width in (("full_path", INK, 3.0), ("sgd_path", ACCENT, 2.0)):
        line = land.path(d[key], color=color, width=width)
        note_drawing(line, "path", d[key])
        tip = path_tip(line.get_anchors(), color, size=0.22)
        out.append(VGroup(line, tip))
    return out[0], out[1]


def path_key(d: dict) -> VGroup:
    n, batch = int(d["n_train"]), int(d["batch_size"])
    rows = VGroup()
    for color, name, what in ((INK, "full batch", f"{n:,} digits per step"),
                              (ACCENT, f"mini-batches of {batch}", f"{batch} digits per step")):
        sample = Line(LEFT * 0.25, RIGHT * 0.25, stroke_color=color, stroke_width=4)
        head = _text(name, 22, color).next_to(sample, RIGHT, buff=0.15)
        sub = _text(what, 19, MUTED).next_to(head, DOWN, buff=0.08).align_to(head, LEFT)
        rows.add(VGroup(sample, head, sub))
    rows.arrange(DOWN, buff=0.3, aligned_edge=LEFT)
    return rows.move_to([PANEL_X, 2.95, 0], aligned_edge=LEFT + UP).shift(UP * (2.95 - rows.get_top()[1]))


# ----------------------------------------------------------------------------- scenes


class ChapterThreeScene(ChapterScene):
    chapter = NUMBER


class OneExample(ChapterThreeScene):
    def construct(self):
        d = data()
        card = self.title_card(TITLE, keep=True)
        stage = network_stage(d, lit=1)
        net = stage.net
        label, step = int(d["label"]), int(d["checkpoint_step"])

        # One real "2" and a partly trained network
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE),
                  *[FadeIn(m, rate_func=ARRIVE) for m in stage.values()], run_time=1.8)
        if "history_imported" in d and bool(d["history_imported"]):  # an imported network has no history
            shape = "-".join(str(n) for n in digit_sizes())
            self.say(f"One real training digit, a {label}, and a {shape} network as it was {step} steps into "
                     "training: partly trained.")
            self.say("Our imported network has no training history, so this one was trained here.")
        else:
            self.say(f"One real training digit, a {label}, and our digit network as it was {step} steps into "
                     "training: partly trained.")
        self.play(ShowPassingFlash(SurroundingRectangle(stage.digit, color=ACCENT, buff=0.08), time_width=0.5),
                  run_time=1.0)
        self.play(ShowPassingFlash(SurroundingRectangle(net, color=ACCENT, buff=0.15), time_width=0.5), run_time=1.4)
        self.say("As in Chapter 1, a row of its pixels stands for the 784 inputs; the wires wear the real weights.")
        self.play(Indicate(stage.band, color=ACCENT), run_time=1.0)
        # a pulse along every wire in its own weight's colour and width (no white wall)
        self.play(LaggedStart(*[flash_along([w.copy().set_stroke(width=w.get_stroke_width() + 1.0) for w in layer_edges],
                                            time_width=0.6) for layer_edges in net.edges], lag_ratio=0.4), run_time=2.2)

        # Forward pass: each layer lights by its real activations
        self.say("Run it forward: each layer's activations set the next layer's, through the weights.")
        L = depth()
        sources = [d["a0_window"], *[d[f"a{l}"] for l in range(1, L)]]
        weights = [d["w1_window"], *[d[f"w{l}"] for l in range(2, L + 1)]]  # into layer 1, 2, ...
        for layer in range(1, L + 1):
            self.play(*net.pulses(layer, sources[layer - 1], weights[layer - 1]), run_time=0.9)
            self.play(net.light(layer, d[f"a{layer}"]), run_time=0.7)

        # Its outputs: wrong, for now
        after = network_stage(d, ALL, outputs=True)
        bars, wants, cost = after.bars, after.wants, after.cost
        a3 = d[f"a{L}"]  # the outputs
        brightest = int(np.argmax(a3))
        self.say(f"The {label} reads only {a3[label]:.3f}. The brightest output is the {brightest}, at "
                 f"{a3[brightest]:.3f}: a wrong answer.")
        self.play(LaggedStart(*[FadeIn(r, shift=RIGHT * 0.15) for r in bars.rows], lag_ratio=0.08), run_time=1.5)
        box = SurroundingRectangle(VGroup(net.layers[L][brightest], bars.rows[brightest]), color=ACCENT, buff=0.05)
        self.play(Create(box), run_time=0.6)
        self.say(f"The cost of this one example adds up the squared misses: {fmt(d['cost'])}. Training wants it "
                 "smaller.")
        self.write_terms(cost, sources={2: net.layers[L]}, groups=[[0, 1], [2], [3, 4]], run_time=0.8)
        self.play(FadeOut(box), run_time=0.4)

        # What each output wants: y - a
        change = d["wanted_change"]
        self.say(f"What should change? The {label} should go up by {change[label]:.3f}, to 1; every other output "
                 "down, to 0.")
        self.play(LaggedStart(*[Create(a) for a in wants], lag_ratio=0.1), run_time=2.0)
        self.say(f"Each arrow is y \u2212 a, read off the bar: the {label}'s wish is by far the strongest.")
        self.play(Indicate(wants[label], color=ACCENT, scale_factor=1.3), run_time=1.0)
        self.wait(0.8)
        self.hand_off(after, keep={stage.digit: after.digit, stage.band: after.band, net: after.net,
                                   stage.names: after.names}, run_time=0.6)


class ThreeWaysToRaise(ChapterThreeScene):
    def construct(self):
        d = data()
        stage = self.open(network_stage(d, ALL, outputs=True))
        net = stage.net
        j = int(d["label"])
        L = depth()
        P = L - 1  # the layer before the outputs
        into = net.edges_into(L, j)
        others = [e for e in net.edges[L - 1] if e not in into]
        target = focus_stage(d, j)
        ring = target.ring

        # Focus on the "2" neuron
        self.say(f"Focus on the {j} neuron. Its activation: the sigmoid of layer {P}'s weighted sum, plus its bias.")
        self.play(*[m.animate.set_opacity(0) for m in net_parts(net).values()],
                  *[name.animate.set_opacity(0) for name in stage.names[:P]],
                  FadeOut(stage.digit), FadeOut(stage.band), FadeOut(stage.cost),
                  *[e.animate.set_stroke(opacity=0.12) for e in others], Create(ring), run_time=1.8)
        key = wire_key("its weights")
        self.play(FadeIn(key), run_time=0.6)

        # Its activation, written out
        formula = MathTex(f"a^{{({L})}}_{j}", "=", r"\sigma\Big(", r"\sum_k", f"w^{{({L})}}_{{{j}k}}", f"a^{{({P})}}_k", "+",
                          f"b^{{({L})}}_{j}", r"\Big)", font_size=40).move_to([-3.55, 3.15, 0])
        self.write_terms(formula, sources={0: net.layers[L][j], 4: into, 5: net.layers[P], 7: net.layers[L][j]},
                         groups=[[0, 1], [2, 3], [4], [5], [6, 7, 8]], run_time=0.8)
        notation = MathTex(f"w^{{({L})}}_{{{j}k}}", r":\ \text{into neuron }" + f"{j}" +
                           rf"\text{{ of layer {L}, from neuron }} k \text{{ of layer {P}}}", font_size=28, color=MUTED)
        if notation.width > 6.6:
            notation.scale_to_fit_width(6.6)
        notation.next_to(formula, DOWN, buff=0.3).set_x(formula.get_x())
        self.say(f"Superscripts name layers; weights read destination first: w({L}){j}k goes into {j} from k, as "
                 "Chapter 4's will.")
        self.play(FadeIn(notation, shift=UP * 0.1), run_time=1.0)

        def way(n: int, head: str, detail: str, y: float, symbol: str | None = None) -> VGroup:
            """A numbered way, its detail below; ``symbol`` (TeX) is set after the detail's first line."""
            top = _text(f"{n}. {head}", 26)
            lines = [_text(line, 21, MUTED) for line in detail.split("\n")]
            if symbol is not None:
                math = MathTex(symbol, font_size=34, color=MUTED)
                lines[0] = VGroup(lines[0], math.next_to(lines[0], RIGHT, buff=0.1).align_to(lines[0], DOWN).shift(DOWN * 0.06))
            sub = VGroup(*lines)
            sub.arrange(DOWN, aligned_edge=LEFT, buff=0.08).next_to(top, DOWN, buff=0.12).align_to(top, LEFT)
            return VGroup(top, sub.shift(RIGHT * 0.32)).move_to([-6.7, y, 0], aligned_edge=LEFT)

        # Way 1: the bias
        b, wish_b = float(d[f"b{L}"]), -float(d[f"grad_b{L}"])
        way1 = way(1, "Raise its bias", f"b = {fmt(b)} now; this digit wishes {_signed(wish_b)}", 1.4)
        self.say(f"Three ways to brighten it. One: raise its bias, now {fmt(b)}: this digit wishes it "
                 f"{_signed(wish_b)}.")
        self.play(FadeIn(way1, shift=RIGHT * 0.1), Indicate(formula[7], color=ACCENT), run_time=1.2)
        self.play(ring.animate.set_stroke(width=6), rate_func=lambda t: 1 - abs(2 * t - 1), run_time=0.8)

        # Way 2: the weights, in proportion to the activations they multiply
        wish_w = d[f"wish_w{L}"][j]
        top = float(np.abs(wish_w).max())
        k_star = int(np.argmax(d[f"a{P}"]))
        way2 = way(2, "Change its weights", f"each in proportion to\nfrom neuron {_index(k_star)}, "
                   f"{_signed(wish_w[k_star])}", 0.0, symbol=f"a^{{({P})}}_k")
        shown = into.copy()
        for line, v in zip(shown, wish_w):
            line.set_stroke(value_to_color(v, top), width=0.8 + 6.0 * abs(float(v)) / top, opacity=1)
        note_drawing(shown, "wires into the output coloured by their wished change", wish_w)
        self.say(f"Two: change its {len(wish_w)} weights. The wires now show each weight's wish: it grows with the activation "
                 "the weight multiplies.")
        wish_key = wire_key("each weight's wish")
        self.play(FadeIn(way2, shift=RIGHT * 0.1), *[Transform(a, b) for a, b in zip(into, shown)],
                  FadeOut(key), FadeIn(wish_key), run_time=1.6)
        k_ring = Circle(radius=net.layers[P][k_star].width / 2 + 0.07, color=ACCENT, stroke_width=3)
        k_ring.move_to(net.layers[P][k_star])
        self.say(f"The brightest neuron of layer {P}, number {_index(k_star)} at {d[f'a{P}'][k_star]:.3f}, gets the biggest "
                 f"change: {_signed(wish_w[k_star])}.")
        k_label = _text(f"{_index(k_star)}: {d[f'a{P}'][k_star]:.3f}", 18, ACCENT)
        k_label.next_to(k_ring, LEFT, buff=0.1)  # left of its ring, clear of the ways' text...
        if any(boxes_meet(k_label, m, 0.05) for m in (formula, notation, way1, way2)):
            k_label.next_to(k_ring, RIGHT, buff=0.1).set_stroke(BACKGROUND, width=5, background=True)  # ...or on the wires
        self.play(Create(k_ring), FadeIn(k_label), Indicate(formula[5], color=ACCENT), run_time=1.0)
        self.say("Neurons that fire together wire together: the wires from bright neurons change most.")
        self.wait(1.0)

        # Way 3: the activations of layer L-1, in proportion to the weights
        wishes = d["wishes"][j]
        k_most = int(np.argmax(np.abs(wishes)))
        plain = network(d, ALL).edges_into(L, j)
        way3 = way(3, f"Change layer {P}'s activations",
                   f"each in proportion to\nneuron {_index(k_most)}, w = {fmt(d[f'w{L}'][j][k_most])}, "
                   f"wishes {_signed(wishes[k_most])}", -1.5, symbol=f"w^{{({L})}}_{{{j}k}}")
        self.say(f"Three: change the activations of layer {P}: up where its wire is blue, down where it is red.")
        self.play(FadeIn(way3, shift=RIGHT * 0.1), *[Transform(a, b) for a, b in zip(into, plain)], FadeOut(k_ring),
                  FadeOut(k_label), FadeOut(wish_key), FadeIn(key), run_time=1.4)
        self.play(LaggedStart(*[Create(a) for a in target.arrows], lag_ratio=0.06), run_time=1.8)
        self.say(f"The strongest wire decides most: neuron {_index(k_most)}'s weight, {fmt(d[f'w{L}'][j][k_most])}, asks it to "
                 f"change by {_signed(wishes[k_most])}.")
        m_ring = Circle(radius=net.layers[P][k_most].width / 2 + 0.07, color=ACCENT, stroke_width=3)
        m_ring.move_to(net.layers[P][k_most])  # stays while the caption names it
        self.play(Create(m_ring), Indicate(target.arrows[k_most], color=ACCENT, scale_factor=1.4),
                  Indicate(into[k_most], color=ACCENT), run_time=1.2)
        self.say("Activations cannot be set directly, only through the weights and biases behind them. "
                 "Keep these wishes in mind.")
        self.wait(1.0)
        self.hand_off(target, keep={net: target.net, stage.names: target.names, stage.bars: target.bars,
                                    stage.wants: target.wants, ring: target.ring, target.arrows: target.arrows})


class AddUpTheWishes(ChapterThreeScene):
    def construct(self):
        d = data()
        label = int(d["label"])
        stage = self.open(focus_stage(d, label))
        net, arrows, ring = stage.net, stage.arrows, stage.ring
        wishes = d["wishes"]  # (10 outputs, the neurons of layer L-1: 16 in the 784-16-16-10 network)
        L = depth()
        P = L - 1  # the layer the outputs' wishes are for
        a3 = d[f"a{L}"]
        scale = wish_scale(wishes[label])
        layer2 = net.layers[P]

        # The grid: every output's wishes for layer L-1, one column each
        cell = float(layer2[0].get_y() - layer2[1].get_y())
        right = min(-1.95, float(layer2.get_x()) - 2.725)  # left of layer L-1, its sum and numbers between
        vmax = float(np.abs(np.asarray(wishes)).max())  # one scale for every output's wishes and their sum
        width = max(cell, 0.3)  # a column as wide as a neuron's spacing, or its head's digit when neurons pack closer
        squares = VGroup(*[VGroup(*[Rectangle(width=width * 0.92, height=cell * 0.92, stroke_width=0,
                                              fill_color=value_to_color(float(wishes[i][k]), vmax),
                                              fill_opacity=1).move_to([right - (9.5 - i) * width, layer2[k].get_y(), 0])
                                    for k in range(len(layer2))]) for i in range(10)])
        for i, col in enumerate(squares):
            note_drawing(col, "cells", wishes[i])
        frames = VGroup(*[SurroundingRectangle(col, buff=0.02, stroke_color=FAINT, stroke_width=1) for col in squares])
        head_y = min(layer2[0].get_y() + 0.42, 3.575)  # over the first neuron, under the top edge for a wider layer
        heads = VGroup(*[_text(str(i), 20, MUTED).move_to([col.get_x(), head_y, 0])
                         for i, col in enumerate(squares)])
        under = _text(f"each column: one output's wishes for layer {P}", 20, MUTED)
        # under the last neuron, kept above the captions' band when a wider layer L-1 reaches lower
        under.move_to([max(squares.get_x(), -6.9 + under.width / 2),  # inside the frame when the grid sits far left
                       max(layer2[-1].get_y() - 0.5, -2.55 + under.height / 2 + 0.01), 0])

        self.say(f"The {label} is not the only output with wishes. Write its wishes down as a column, one cell per "
                 f"neuron of layer {P}.")
        self.play(TransformFromCopy(arrows, squares[label]), FadeIn(frames[label]), FadeIn(heads[label]),
                  FadeIn(under), run_time=1.6)
        self.say("Blue asks a neuron to brighten, red to dim. The colours keep the sign and the size of each wish.")
        self.wait(0.5)

        # The 6: brightest, wrong, and wishing the opposite
        other = int(max((i for i in range(10) if i != label), key=lambda i: a3[i]))
        opposite = [k for k in range(len(layer2)) if np.sign(wishes[other][k]) != np.sign(wishes[label][k])]
        k_opp = int(max(opposite, key=lambda k: abs(wishes[other][k])))
        other_ring = Circle(radius=net.layers[L][other].width / 2 + 0.07, color=ACCENT, stroke_width=3)
        other_ring.move_to(net.layers[L][other])
        into_label, into_other = net.edges_into(L, label), net.edges_into(L, other)
        self.say(f"The {other}, the brightest output, should go dark. It wants layer {P} changed its own way, often "
                 f"the opposite way.")
        self.play(ReplacementTransform(ring, other_ring), *[e.animate.set_stroke(opacity=0.12) for e in into_label],
                  *[e.animate.set_stroke(opacity=0.9) for e in into_other], run_time=1.2)
        other_arrows = neuron_arrows(layer2, wishes[other], scale)
        self.play(Transform(arrows, other_arrows), run_time=1.2)
        self.play(TransformFromCopy(other_arrows, squares[other]), FadeIn(frames[other]), FadeIn(heads[other]),
                  run_time=1.2)
        pair = SurroundingRectangle(VGroup(squares[label][k_opp], squares[other][k_opp]), color=ACCENT, buff=0.04)
        # the two wishes written beside their cells: the 6's is too small for its colour to read
        asks = VGroup(_text(_signed(wishes[label][k_opp]), 20, signed_color(float(wishes[label][k_opp])))
                      .next_to(pair, LEFT, buff=0.12),
                      _text(_signed(wishes[other][k_opp]), 20, signed_color(float(wishes[other][k_opp])))
                      .next_to(pair, RIGHT, buff=0.12))
        if asks[0].get_left()[0] < -6.9:  # a grid far left (a wide layer): the 2's wish goes over its cell
            asks[0].next_to(pair, UP, buff=0.1).align_to(pair, LEFT)
        self.say(f"Neuron {_index(k_opp)}: the {label} asks {_signed(wishes[label][k_opp])}, the {other} "
                 f"{_signed(wishes[other][k_opp])}. The {other} is less off target, so it asks less.")
        self.play(Create(pair), run_time=0.8)
        self.play(FadeIn(asks[0], shift=0.1 * LEFT), run_time=0.6)
        self.play(FadeIn(asks[1], shift=0.1 * RIGHT), run_time=0.6)
        self.wait(0.5)

        # All ten outputs, then their sum
        rest = [i for i in range(10) if i not in (label, other)]
        self.say("Every output has its say, each weighted by how far it is from where it should be.")
        self.play(FadeOut(pair), FadeOut(asks), FadeOut(other_ring), *[e.animate.set_stroke(opacity=0.12) for e in into_other],
                  LaggedStart(*[TransformFromCopy(net.layers[L][i], squares[i]) for i in rest], lag_ratio=0.12),
                  *[FadeIn(frames[i]) for i in rest], *[FadeIn(heads[i]) for i in rest], run_time=2.4)
        total = d[f"wanted_a{P}"]
        sum_x = right + 0.5
        sum_cells = VGroup(*[Rectangle(width=width * 0.92, height=cell * 0.92, stroke_width=0,
                                       fill_color=value_to_color(float(v), vmax), fill_opacity=1)
                             .move_to([sum_x, layer2[k].get_y(), 0]) for k, v in enumerate(total)])
        note_drawing(sum_cells, "cells", total)
        sum_frame = SurroundingRectangle(sum_cells, buff=0.02, stroke_color=ACCENT, stroke_width=1.5)
        sum_head = MathTex(r"\sum", font_size=30, color=ACCENT).move_to([sum_x, heads[0].get_y(), 0])
        size = 18 if len(total) <= 16 else max(9, 18 * 16 // len(total))  # one line per neuron of layer L-1
        numbers = VGroup(*[_text(fmt(v, 2) if abs(v) >= 0.01 else fmt(v, 1), size, signed_color(float(v)))
                           .next_to(c, RIGHT, buff=0.12) for c, v in zip(sum_cells, total)])
        self.say(f"Add each row's ten wishes: that is how layer {P} should change, all outputs together.")
        self.play(*[TransformFromCopy(VGroup(*[squares[i][k] for i in range(10)]), sum_cells[k]) for k in range(len(layer2))],
                  FadeIn(sum_frame), FadeIn(sum_head), run_time=1.8)
        self.play(FadeIn(numbers, lag_ratio=0.05), Transform(arrows, neuron_arrows(layer2, total, scale)), run_time=1.4)
        k4 = int(np.argmax(np.abs(wishes[label])))
        others_sum = computed(_signed(float(total[k4]) - float(wishes[label][k4])),
                              "the other nine outputs' wishes for that neuron: the sum minus the 2's")
        self.say(f"Neuron {_index(k4)}: the {label} asked {_signed(wishes[label][k4])}, the nine others give back "
                 f"{others_sum}. Together: {_signed(total[k4])}.")
        # the neuron's row framed, its sum written out where the table's note was
        row_box = SurroundingRectangle(VGroup(*[squares[i][k4] for i in range(10)], sum_cells[k4], numbers[k4]),
                                       color=ACCENT, buff=0.04)
        tally = _text(f"neuron {_index(k4)}: {_signed(wishes[label][k4])} from the {label}, {others_sum} from the nine "
                      f"others = {_signed(total[k4])}", 20).move_to(under, aligned_edge=LEFT)
        self.play(Create(row_box), FadeOut(under), FadeIn(tally), run_time=1.0)
        self.play(Indicate(numbers[k4], color=ACCENT), Indicate(arrows[k4], color=ACCENT, scale_factor=1.4), run_time=1.2)
        self.wait(0.5)

        # The same step, backwards, layer by layer
        whole = network(d, ALL)
        digit = the_digit(d)
        band = window_band(d["input_window"], digit[0])
        names = stage.names
        self.say(f"This wanted change of layer {P} is a wish list like the outputs' own. So repeat the step, backwards.")
        # the wish list itself first: the summed column and its arrows on layer L-1, which stay
        self.play(FadeOut(row_box), Indicate(VGroup(sum_frame, sum_head), color=ACCENT, scale_factor=1.05),
                  LaggedStart(*[Indicate(a, color=ACCENT, scale_factor=1.3) for a in arrows], lag_ratio=0.05),
                  run_time=1.4)
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in (squares, frames, heads, tally, sum_cells, sum_frame,
                                                          sum_head, numbers)],
                  *[Transform(net_parts(net)[k], net_parts(whole)[k], rate_func=ARRIVE) for k in net_parts(net)],
                  Transform(net.edges[L - 1], whole.edges[L - 1]),
                  *[name.animate(rate_func=ARRIVE).set_opacity(1) for name in names[:P]],
                  FadeIn(digit, rate_func=ARRIVE), FadeIn(band, rate_func=ARRIVE), run_time=2.0)

        def sweep(layer: int, values: np.ndarray) -> None:
            """A pulse running backwards along the wires into ``layer + 1``, which then show their wishes."""
            self.play(flash_along(wish_pulses(net, layer, values, ACCENT, 2.2), time_width=0.4), run_time=1.1)
            self.play(Transform(net.edges[layer], edges_showing(net, layer, values, float(np.abs(values).max()),
                                                                width=2.6)), run_time=1.0)

        self.say("Into the outputs: the wires now show wishes, each its output's bias wish times the activation "
                 "it carries.")
        key = wire_key("where lit, wishes;\nfaint, still weights")
        self.play(*[net.edges[l].animate.set_stroke(opacity=0.15) for l in range(L - 1)], FadeIn(key),
                  run_time=0.6)  # the wires still showing weights step back until the sweep reaches them
        sweep(L - 1, d[f"wish_w{L}"])
        self.wait(0.5)
        for l in range(L - 1, 1, -1):  # layer l's wishes: the wires into it, and layer l-1's wanted change
            wanted = d[f"wanted_a{l - 1}"]
            arrows_back = neuron_arrows(net.layers[l - 1], wanted, wish_scale(wanted))
            self.say(f"Back one layer: layer {l}'s wishes set the wishes of the weights into it, and how layer {l - 1} "
                     "should change.")
            sweep(l - 1, d[f"wish_w{l}"])
            self.play(LaggedStart(*[Create(a) for a in arrows_back], lag_ratio=0.05), run_time=1.4)
        self.say("And back to the first weights. The pixels are the data: they stay as they are.")
        sweep(0, d["wish_w1_window"])
        all_wishes = wire_key("their wishes")
        self.play(FadeOut(key), FadeIn(all_wishes), run_time=0.6)
        keys = [f"wish_w{l}" for l in range(L, 1, -1)] + ["wish_w1_window"]
        sizes = [float(np.abs(d[k]).max()) for k in keys]
        biggest = [computed(fmt(v, 2), f"the largest |{k}| drawn") for k, v in zip(keys, sizes)]
        if all(a > b for a, b in zip(sizes, sizes[1:])):
            self.say(f"Each layer's wires on their own scale: the biggest wishes shrink going back, {', '.join(biggest)}.")
        else:
            self.say(f"Each layer's wires on their own scale: the biggest wishes, going back, are {', '.join(biggest)}.")
        # each layer of wires' largest wish (the caption's numbers), under those wires: from the outputs back
        bottom = min(float(layer.get_bottom()[1]) for layer in net.layers) - 0.22
        scales = VGroup(*[_text(v, 17, MUTED).move_to(
            [(float(net.layers[l].get_x()) + float(net.layers[l + 1].get_x())) / 2, bottom, 0])
            for l, v in zip(range(L - 1, -1, -1), biggest)])
        self.play(LaggedStart(*[FadeIn(m, shift=UP * 0.1) for m in scales], lag_ratio=0.4), run_time=1.6)
        self.wait(1.0)
        self.say("That is backpropagation: the wishes of the outputs, passed backwards layer by layer through the "
                 "weights.")
        wish_of = {l: d[f"wish_w{l + 1}"] for l in range(1, L)} | {0: d["wish_w1_window"]}
        flashes = [flash_along(wish_pulses(net, l, wish_of[l], ACCENT, 2.6), time_width=0.6)
                   for l in range(L - 1, -1, -1)]  # from the outputs back to the first weights
        self.play(LaggedStart(*flashes, lag_ratio=0.5), run_time=2.2)
        self.wait(0.8)
        after = table_open_stage(d)
        self.hand_off(after, keep={digit: after.images[label]}, run_time=1.6)


class NudgeTableScene(ChapterThreeScene):
    def construct(self):
        d = data()
        label = int(d["label"])
        stage = self.open(table_open_stage(d))
        full = table_stage(d)
        self.swap([stage.images], [full.images])
        names = [str(n) for n in d["table_row_names"]]
        table = np.asarray(d["table"])  # (parameters, examples)
        n_params = int(d["batch_gradient"].size)

        # One example's wishes, then ten
        self.say(f"That was one {label}. Every training digit has wishes for all {n_params:,} weights and biases.")
        # the digit just followed comes first, with the parameters' names; then the nine others
        self.play(LaggedStart(*[FadeIn(h, shift=DOWN * 0.1) for h in full.heads], lag_ratio=0.1),
                  FadeIn(full.cells[label], shift=RIGHT * 0.1), run_time=1.0)
        self.play(LaggedStart(*[FadeIn(row, shift=RIGHT * 0.1) for i, row in enumerate(full.cells) if i != label],
                              lag_ratio=0.08), run_time=1.8)
        note = VGroup(_text("rows: ten real digits,", 22), _text("one of each, and", 22), _text("their wishes", 22),
                      _text("columns: the six", 22), _text("parameters with the", 22),
                      _text("largest average wish", 22)).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        note[3:].shift(DOWN * 0.3)
        note.move_to([3.2, 1.6, 0], aligned_edge=LEFT)
        self.say("Here are ten, one of each digit, and six parameters: the six whose average wish is largest.")
        self.play(FadeIn(note, shift=LEFT * 0.1), run_time=1.0)
        self.wait(0.5)

        # The pattern in it
        found = lone_wishes(d)
        boxes = VGroup()
        for r, c in found[:2]:  # the parameter's whole column: the lone digit's wish and every other's
            column = VGroup(full.heads[r], *[row[r] for row in full.cells])
            box = SurroundingRectangle(column, color=ACCENT, buff=0.08)
            over = float(box.get_top()[1]) - (DRAW_TOP - 0.01)
            if over > 0:  # a header at the top of the drawing area: the frame stops at its edge
                box.stretch_to_fit_height(box.height - over, about_edge=DOWN)
            boxes.add(box)
        if len(found) >= 2:
            (r1, c1), (r2, c2) = found[:2]
            way = lambda r, c: "up" if table[r, c] > 0 else "down"  # noqa: E731
            self.say(f"A pattern: only the {c1} wants {names[r1]} {way(r1, c1)}, only the {c2} wants {names[r2]} "
                     f"{way(r2, c2)}; every other digit wants the opposite.")
        else:
            self.say("Each digit pulls every parameter its own way; no two rows agree everywhere.")
        self.play(*[Create(b) for b in boxes], run_time=1.2)
        if len(found) >= 2:
            self.say(f"Each output's bias: a {c1} wants output {c1} brighter, every other digit wants it dimmer.")
            self.wait(1.0)
        self.play(FadeOut(boxes), run_time=0.5)

        # The average of each column: the negative gradient
        self.say("Average each column over the examples: that is how the whole batch wants each parameter to move.")
        self.play(Create(full.separator), FadeIn(full.average_name), LaggedStart(*[FadeIn(a) for a in full.average],
                                                                                 lag_ratio=0.1), run_time=1.6)
        if len(found) >= 2:
            avg = d["table_average"]
            verdict = lambda r, c: (f"the {c}'s push wins, {_signed(avg[r])}" if np.sign(avg[r]) == np.sign(table[r, c])  # noqa: E731
                                    else f"the nine others win, {_signed(avg[r])}")
            self.say(f"For {names[r1]}, {verdict(r1, c1)}. For {names[r2]}, {verdict(r2, c2)}.")
            self.play(Indicate(full.average[r1], color=ACCENT), Indicate(full.average[r2], color=ACCENT), run_time=1.2)
        formula = MathTex(r"\text{average}", "=", r"-\frac{\partial C}{\partial \theta}", font_size=36)
        formula.move_to([3.2, -0.75, 0], aligned_edge=LEFT)  # under the note, clear of the sign line
        self.say("Those averages are the negative gradient of these ten digits' cost: the wishes, averaged, point "
                 "downhill.")
        self.write_terms(formula, sources={0: full.average_name}, groups=[[0], [1, 2]], run_time=0.9)
        self.say("One sign to keep straight: this chapter shows wishes, minus the gradient; Chapter 4 computes the "
                 "gradient itself.")
        self.play(Indicate(formula[2], color=ACCENT), run_time=1.0)
        self.wait(1.0)
        self.hand_off(descent_stage(d, drawn=False), run_time=1.6)


def walk_steps(d: dict) -> tuple[str, str]:
    """The mini-batch walk's steps (one pass over the training set) and the full-batch path's, as shown."""
    full = computed(len(d["full_path"]) - 1, "recorded points of a path, less its start (every step is recorded)")
    if "sgd_path_steps" not in d or len(d["sgd_path_steps"]) == len(d["full_path"]):
        return full, full  # the same number of steps, every one recorded (the embedded digits' 400)
    return computed(int(np.asarray(d["sgd_path_steps"])[-1]), "the mini-batch walk's last step"), full


def final_stage(d: dict) -> Stage:
    """Beat 5's last drawing: the slice, both paths, the equal-cost tally."""
    stage = descent_stage(d, drawn=True)
    land = stage.land
    n, batch = int(d["n_train"]), int(d["batch_size"])
    steps, full_steps = walk_steps(d)
    assert int(steps) * batch == n - n % batch, "the mini-batch walk reads the training set once"
    first = Circle(radius=0.2, color=INK, stroke_width=3).move_to(land.point(*d["full_path"][1]))
    # one full-batch step barely leaves the start: name it where it ends, or the eye compares the wrong ends
    first_name = _text("1 white step", 20, INK).move_to(first.get_center() + UP * 1.05 + LEFT * 0.05)
    first_arrow = Arrow(first_name.get_bottom(), first.get_top(), buff=0.06, stroke_width=2.5, color=INK,
                        max_tip_length_to_length_ratio=0.3)
    first = VGroup(first, first_arrow, first_name)
    end = Circle(radius=0.2, color=ACCENT, stroke_width=3).move_to(land.point(*d["sgd_path"][-1]))
    tally = VGroup(_text(f"after {n:,} digits read,", 22), _text("the cost is", 22),
                   _text(f"1 full-batch step: {fmt(d['full_cost'][1])}", 21, INK),
                   _text(f"{steps} mini-batches: {fmt(d['sgd_cost'][-1])}", 21, ACCENT))
    tally.arrange(DOWN, aligned_edge=LEFT, buff=0.14).move_to([PANEL_X, -0.1, 0], aligned_edge=LEFT)
    total_read = computed(f"{int(full_steps) * n:,}", "full-batch steps × training digits")
    late = VGroup(_text(f"full batch, {full_steps} steps:", 20, MUTED),
                  _text(f"cost {fmt(d['full_cost'][-1])}, after", 20, MUTED),
                  _text(f"{total_read} digits read", 20, MUTED))
    late.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(tally, DOWN, buff=0.35).align_to(tally, LEFT)
    stage.update(first=first, end=end, tally=tally, late=late)
    return stage


class MiniBatches(ChapterThreeScene):
    def construct(self):
        d = data()
        stage = self.open(descent_stage(d, drawn=False))
        land = stage.land
        n, batch, start_step = int(d["n_train"]), int(d["batch_size"]), int(d["path_start_step"])
        steps, full_steps = walk_steps(d)
        after = final_stage(d)
        self.swap(list(stage.values()), [after[k] for k in stage])
        full, sgd, key = after.full, after.sgd, after.key
        full_cost, sgd_cost = d["full_cost"], d["sgd_cost"]

        # A real slice of the cost landscape, from the partly trained network
        self.say(f"Averaging over all {n:,} training digits for every single step is slow. There is a cheaper way.")
        self.play(FadeIn(key[0], shift=LEFT * 0.1), run_time=1.0)  # the full batch: every digit, every step
        start_cost = _text(f"cost {fmt(full_cost[0])}", 20).next_to(after.start_name, DOWN, buff=0.06)
        self.say(f"Both walks start from the network at step {start_step}, cost {fmt(full_cost[0])}, on a real "
                 "slice of the cost landscape: dark is low.")
        self.play(Indicate(after.marker, color=ACCENT, scale_factor=1.4), FadeIn(start_cost, shift=UP * 0.1),
                  run_time=1.0)
        self.play(Indicate(after.legend[3], color=ACCENT), run_time=1.0)  # the dark end of the scale: low cost
        self.wait(0.5)

        # Full batch: smooth
        self.say(f"White: {full_steps} full-batch steps, each averaging the wishes of all {n:,} digits.")
        self.play(Create(full[0]), run_time=3.0)
        self.play(FadeIn(full[1]), run_time=0.4)
        # Mini-batches: staggering
        self.say(f"Yellow: shuffle the digits, split them into mini-batches of {batch}, and take one step per "
                 "mini-batch.")
        self.play(FadeIn(key[1], shift=LEFT * 0.1), Create(sgd[0]), run_time=3.0)
        self.play(FadeIn(sgd[1]), run_time=0.4)

        # Up close, every step: a magnifier over the start, in a panel beside the map
        shown = 8  # steps drawn up close: few enough for a magnification that shows each one
        near = {k: np.array([land.point(*p) for p in d[k][: shown + 1]]) for k in ("full_path", "sgd_path")}
        box = np.concatenate(list(near.values()))
        lo, hi = box.min(axis=0), box.max(axis=0)
        mid = (lo + hi) / 2
        region = Rectangle(width=(hi - lo)[0] * 1.25 + 0.04, height=(hi - lo)[1] * 1.25 + 0.04, stroke_color=INK,
                           stroke_width=1.5).move_to(mid)
        panel = Rectangle(width=4.7, height=3.6, stroke_color=INK, stroke_width=1.5, fill_color=BACKGROUND,
                          fill_opacity=1).move_to([4.45, -0.65, 0])
        span = np.maximum(hi - lo, 1e-6)
        zoom = min((panel.width - 0.9) / span[0], (panel.height - 0.9) / span[1])  # the same in x and y

        def magnified(points: np.ndarray) -> np.ndarray:
            return panel.get_center() + DOWN * 0.15 + (points - mid) * zoom

        walks = VGroup()
        for k, color in (("full_path", INK), ("sgd_path", ACCENT)):
            at = magnified(near[k])
            walks.add(VGroup(VMobject(stroke_color=color, stroke_width=3.0).set_points_as_corners(at),
                             VGroup(*[Dot(q, radius=0.045, color=color) for q in at])))
        note_drawing(walks[1][1], "steps", d["sgd_path"][: shown + 1])
        zoomed = computed(f"{zoom:.0f}", "the panel's magnification of the map")
        caption_in = _text(f"the first {constant(shown, 'steps shown up close')} steps, {zoomed} times larger", 18, MUTED)
        caption_in.next_to(panel.get_corner(UP + LEFT), DOWN + RIGHT, buff=0.12)
        leads = VGroup(*[Line(region.get_corner(UP + RIGHT), panel.get_corner(UP + LEFT)),
                         Line(region.get_corner(DOWN + RIGHT), panel.get_corner(DOWN + LEFT))]).set_stroke(MUTED, 1)
        self.say(f"Up close, the first {constant(shown, 'steps shown up close')} steps of each: each mini-batch pulls its own way, so the yellow path "
                 "turns at every step.")
        self.play(Create(region), run_time=0.6)
        self.play(Create(leads), FadeIn(panel), FadeIn(caption_in), run_time=0.8)
        for walk in walks:
            self.play(Create(walk[0]), LaggedStart(*[FadeIn(dot, scale=0.5) for dot in walk[1]], lag_ratio=0.15),
                      run_time=1.6)
        self.wait(2.0)
        self.play(*[FadeOut(m) for m in (region, leads, panel, caption_in, walks)], run_time=0.8)

        # Equal cost, counted in digits read
        tally, first, end, late = after.tally, after.first, after.end, after.late
        if int(steps) * batch == n:
            self.say(f"Count the cost in digits read. The whole yellow walk, {steps} mini-batches of {batch}, read {n:,}: "
                     "as many as ONE white step.")
        else:  # a training set that does not split into whole mini-batches: the few left over are not read
            read = computed(f"{int(steps) * batch:,}", "mini-batches × digits in each")
            self.say(f"Count the cost in digits read. The whole yellow walk, {steps} mini-batches of {batch}, read "
                     f"{read}: about as many as ONE white step ({n:,}).")
        self.play(Create(first[0]), GrowArrow(first[1]), FadeIn(first[2]), FadeIn(tally[:2]), run_time=1.0)
        self.play(FadeIn(tally[2]), run_time=0.8)
        self.play(Create(end), FadeIn(tally[3]), ShowPassingFlash(sgd[0].copy().set_stroke(ACCENT, width=5),
                                                                  time_width=0.5), run_time=1.6)
        self.say(f"For the same reading, one careful step took the cost to {fmt(full_cost[1])}; the stumbling walk "
                 f"took it to {fmt(sgd_cost[-1])}.")
        self.wait(1.0)
        total_read = computed(f"{int(full_steps) * n:,}", "full-batch steps × training digits")
        if float(full_cost[-1]) < float(sgd_cost[-1]):
            self.say(f"The white walk does end lower, at {fmt(full_cost[-1])}, but it read {total_read} digits to get "
                     "there.")
        else:
            self.say(f"The white walk ends at {fmt(full_cost[-1])}, no lower, and it read {total_read} digits to get "
                     "there.")
        self.play(FadeIn(late, shift=UP * 0.1), run_time=1.0)
        self.say("That is stochastic gradient descent: quick, rough steps downhill, each from a small batch's "
                 "averaged wishes.")
        self.wait(1.0)
        self.hand_off(after, run_time=0.6)


class Recap(ChapterThreeScene):
    def construct(self):
        d = data()
        stage = self.open(final_stage(d))
        self.recap_card(
            [
                "Each example wishes every output moved toward its label.",
                "Raise a neuron: its bias, its weights, or the neurons feeding it.",
                "Summing the wishes layer by layer, backwards, is backpropagation.",
                "Average over a mini-batch, step, repeat: stochastic gradient descent.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [OneExample, ThreeWaysToRaise, AddUpTheWishes, NudgeTableScene, MiniBatches, Recap]
