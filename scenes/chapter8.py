"""Chapter 8, "How might LLMs store facts", drawn from the tiny language model's real analysis.

Every probability, activation, weight strip, push and count on screen comes from two artifacts:
``lm-facts`` (``models/fact_story.py``: where "michael jordan plays" finds its sport, found by
silencing each MLP at each word; that MLP step by step; the neurons that push "basketball" most,
for every athlete) and ``superposition`` (``models/superposition.py``: how many nearly
perpendicular directions a real optimisation fits per dimension). The site and the neurons are
read from the artifact, never written here, so the chapter follows a retrained model.
``tests/golden/chapter8.json`` pins the numbers.

Render with ``python render.py render 8``, or one scene with Manim::

    manim -ql scenes/chapter8.py InsideTheMLP
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
)

from scenes.palette import MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.transcript import computed, constant
from scenes.lm_pieces import (
    AngleHistogram,
    DownProjection,
    GeluPlot,
    GrowthPlot,
    NeuronBars,
    ProbabilityBars,
    SignedBars,
    TokenRow,
    TransformerDiagram,
    UpProjection,
    VectorStrip,
    percent,
)
from scenes.pieces import ACCENT, FONT, POSITIVE, fmt, value_to_color

NUMBER = 8
TITLE = "How might LLMs store facts"
ARTIFACTS = ("lm-facts", "superposition")


def facts() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-facts", "facts.npz")


def superposition() -> dict[str, np.ndarray]:
    return artifact_arrays("superposition", "superposition.npz")


def site_of(f: dict) -> tuple[int, int, str]:
    """(layer, position, word) of the fact site; layers are counted from 1 on screen."""
    layer, pos = (int(x) for x in f["site"])
    return layer, pos, str(f["prompt"][pos])


def n_athletes(f: dict) -> int:
    """How many athletes the model learned: one row of activations each."""
    return int(f["athlete_activations"].shape[0])


def part_name(name: str) -> str:
    """The logit split's part names with layers counted from 1, as the diagrams count them."""
    kind, _, layer = name.rpartition(" ")
    return f"{kind}, layer {int(layer) + 1}" if layer.isdigit() else name


def sport_order(f: dict) -> list[int]:
    """Athletes grouped by sport (sports in the corpus' order, so the answer's comes first)."""
    sports = [str(s) for s in f["sports"]]
    rank = {s: i for i, s in enumerate(dict.fromkeys(sports))}
    return sorted(range(len(sports)), key=lambda i: rank[sports[i]])


def _text(s: str, size: int = 22, color=None) -> Text:
    return Text(s, font=FONT, font_size=size, color=color) if color is not None else Text(s, font=FONT, font_size=size)


def _q(word: str) -> str:
    return f"\u201c{word}\u201d"


class ChapterEightScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


class MichaelJordanPlays(ChapterEightScene):
    def construct(self):
        f = facts()
        self.title_card(TITLE)
        prompt = " ".join(str(w) for w in f["prompt"])
        answer = str(f["answer"])
        row = TokenRow([str(w) for w in f["prompt"]], font_size=30).move_to(LEFT * 3.6 + UP * 0.7)
        bars = ProbabilityBars([str(w) for w in f["top_words"]], f["top_probs"], width=2.6, font_size=24)
        bars.move_to(RIGHT * 3.2 + UP * 0.7)
        head = _text("next word", 22, MUTED).next_to(bars, UP, buff=0.3)
        arrow = Arrow(row.get_right(), bars.get_left(), buff=0.4, stroke_width=3, color=MUTED)
        model = _text("tiny model", 20, MUTED).next_to(arrow, UP, buff=0.1)

        # The prompt and the model's real next word
        self.say(f"Give our tiny language model {_q(prompt)}, and it answers {_q(answer)} "
                 f"with {percent(f['answer_prob'])} probability.")
        self.play(FadeIn(row, lag_ratio=0.2), run_time=1.2)
        self.play(Create(arrow), FadeIn(model), FadeIn(head), FadeIn(bars, lag_ratio=0.1), run_time=1.5)
        self.play(Create(bars.highlight(0)), run_time=0.6)
        self.say(f"It read sentences about {n_athletes(f)} athletes and their sports in training. "
                 "Where in its weights is this fact kept?")
        self.wait(0.5)


class FindTheFactSite(ChapterEightScene):
    def construct(self):
        f = facts()
        layer, pos, word = site_of(f)
        drops = f["site_drops"]
        n_layer = drops.shape[0]
        words = [str(w) for w in f["prompt"]]
        diagram = TransformerDiagram(n_layer, width=13.6, height=0.8, font_size=20).move_to(UP * 2.75)

        # A grid: one cell per MLP and word, the mean fall of the true sport's probability
        cell_w, cell_h = 1.7, 0.62
        vmax = float(drops.max())
        cells = VGroup()
        for l in range(n_layer):
            for p in range(len(words)):
                d = float(drops[l, p])
                box = Rectangle(width=cell_w, height=cell_h, stroke_color=MUTED, stroke_width=1.5,
                                fill_color=value_to_color(d, vmax), fill_opacity=0.55)
                box.move_to([p * cell_w, -l * cell_h, 0])
                cells.add(VGroup(box, _text("0" if d == 0 else percent(d), 22)))
                cells[-1][1].move_to(box)
        heads = VGroup(*[_text(w, 22).move_to([p * cell_w, cell_h * 0.95, 0]) for p, w in enumerate(words)])
        rows = VGroup(*[_text(f"MLP, layer {l + 1}", 22).move_to([-cell_w / 2 - 0.25, -l * cell_h, 0], aligned_edge=RIGHT)
                        for l in range(n_layer)])
        grid = VGroup(cells, heads, rows).move_to(UP * 0.35)
        note = _text(f"mean fall of the right sport's probability when that MLP is silenced ({n_athletes(f)} athletes)",
                     20, MUTED).next_to(grid, DOWN, buff=0.3)
        best = cells[layer * len(words) + pos]
        mark = SurroundingRectangle(best, color=ACCENT, buff=0.04)

        # Silence one MLP at one word, for every athlete
        self.play(FadeIn(diagram), run_time=1.0)
        self.say(f"Silence one MLP at one word, and measure how far the right sport's probability falls, "
                 f"averaged over all {n_athletes(f)} athletes.")
        self.play(FadeIn(heads), FadeIn(rows), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(c) for c in cells], lag_ratio=0.15), FadeIn(note), run_time=2.0)

        # The site: one MLP at one word
        where = "where it must name the sport" if pos == len(words) - 1 else f"at the word {_q(word)}"
        self.say(f"One spot stands out: the MLP of layer {layer + 1} at {_q(word)}. "
                 f"The model looks the fact up {where}.")
        self.play(Create(mark), diagram.light(2 + 2 * layer), run_time=1.0)
        before, without = f["ablation_probs"][0], f["ablation_probs"][1]
        result = _text(f"{' '.join(words)} \u2192 {f['answer']}:  {percent(before)}, "
                       f"without that MLP {percent(without)}", 22).next_to(note, DOWN, buff=0.4)
        self.say(f"Without it, {_q(str(f['answer']))} after {_q(' '.join(words))} falls from "
                 f"{percent(before)} to {percent(without)}.")
        self.play(FadeIn(result, shift=0.2 * UP), run_time=0.8)


class InsideTheMLP(ChapterEightScene):
    def construct(self):
        f = facts()
        layer, pos, word = site_of(f)
        n = int(f["top_neurons"][0])
        up = UpProjection(f["mlp_in"], f["up_weight"], f["up_bias"], f["mlp_pre"], f["mlp_post"], height=4.4)
        up.move_to(LEFT * 3.4 + UP * 0.55)
        gelu = GeluPlot(f["mlp_pre"], f["mlp_post"], highlight=[n], width=3.4, height=2.4)
        gelu.move_to(RIGHT * 4.0 + UP * 1.7)
        gelu_name = _text("GELU, every neuron's (z, a)", 20, MUTED).next_to(gelu, UP, buff=0.15)
        n_hidden, n_in = f["up_weight"].shape
        row_dot = float(f["mlp_pre"][n] - f["up_bias"][n])  # the row's dot product with x (z minus the bias)
        shown_dot = computed(fmt(row_dot), f"row {n} of W↑ · x: z minus the bias")
        lines = VGroup(
            _text(f"neuron {n}:", 22, ACCENT),
            _text(f"row {n} \u00b7 x = {shown_dot}", 22),
            _text(f"+ bias {fmt(f['up_bias'][n], 2)}  \u2192  z = {fmt(f['mlp_pre'][n])}", 22),
            _text(f"GELU(z) = a = {fmt(f['mlp_post'][n])}", 22),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.14).move_to(RIGHT * 4.0 + DOWN * 1.35)
        marks = up.highlight(n, label=str(n))

        # The vector at the site comes in
        self.say(f"Zoom into that MLP. In comes the vector at {_q(word)}: {n_in} numbers (normalised), "
                 "drawn as colours.")
        self.play(FadeIn(up.x), run_time=1.0)
        # Up-projection
        self.say(f"The up-projection W\u2191 has {n_hidden} rows of {n_in} weights. "
                 f"Each row's dot product with x gives one number.")
        self.play(FadeIn(up.w_up), run_time=1.2)
        self.say(f"Add a bias, one small number per row: {n_hidden} values z, one per neuron of the MLP.")
        self.play(FadeIn(up.symbols[0]), FadeIn(up.b), run_time=0.8)
        self.play(FadeIn(up.symbols[1]), FadeIn(up.pre, shift=0.2 * RIGHT), run_time=1.0)
        self.say(f"Follow neuron {n}: its row of weights gives {shown_dot}; with its bias, "
                 f"z = {fmt(f['mlp_pre'][n])}.")
        self.play(FadeIn(marks[:3]), FadeIn(lines[:3]), run_time=1.2)
        # The non-linearity
        self.say(f"Then the non-linearity, GELU: negative z fall to about zero, positive z pass. "
                 f"{fmt(f['mlp_pre'][n])} becomes {fmt(f['mlp_post'][n])}.")
        self.play(FadeIn(up.gelu), FadeIn(gelu_name), Create(gelu.axes), FadeIn(gelu.ticks), Create(gelu.curve),
                  run_time=1.2)
        self.play(FadeIn(gelu.dots, lag_ratio=0.01), FadeIn(gelu.highlighted), run_time=1.2)
        self.play(FadeIn(up.post, shift=0.2 * RIGHT), FadeIn(marks[3]), FadeIn(lines[3]), run_time=1.0)
        busy = computed(int(np.sum(f["mlp_post"] > 0.5)), "the activations above 0.5, counted")
        self.say(f"These are the neurons' activations a. Only {busy} of the {n_hidden} are above "
                 f"{constant('0.5', 'a threshold chosen for the caption')} here.")
        self.wait(0.5)

        # Down-projection, added back to the vector
        vmax = float(max(np.abs(f["mlp_pre"]).max(), np.abs(f["mlp_post"]).max()))
        down = DownProjection(f["mlp_post"], f["down_weight"], f["down_bias"], f["mlp_out"], f["resid_in"],
                              f["resid_out"], height=4.4, post_vmax=vmax).move_to(UP * 0.55)
        down_marks = down.highlight(n, label=str(n))
        self.finish_reading()
        keep = [m for m in self.mobjects if m is not self.caption and m is not up.post]
        self.play(*[FadeOut(m) for m in keep], FadeOut(marks[3]), run_time=0.8)
        self.play(up.post.animate.move_to(down.post), run_time=1.0)
        self.remove(up.post)
        self.add(down.post)
        self.say(f"The down-projection W\u2193 maps the {n_hidden} activations back to {n_in} numbers. "
                 "It holds one column per neuron.")
        self.play(FadeIn(down.w_down), run_time=1.2)
        self.play(Create(down_marks[0]), FadeIn(down_marks[1]), run_time=0.8)
        self.say(f"Each neuron adds its column, scaled by its activation: column {n}, {fmt(f['mlp_post'][n])} "
                 "times. With a small bias: the MLP's output.")
        self.play(FadeIn(down.symbols[0]), FadeIn(down.b), FadeIn(down.symbols[1]), FadeIn(down.out, shift=0.2 * RIGHT),
                  run_time=1.2)
        ratio = float(np.linalg.norm(f["mlp_out"]) / np.linalg.norm(f["resid_in"]))
        times = computed(fmt(ratio, 2), "the length of the output ÷ the length of v")
        self.say(f"The output is added to the vector v at {_q(word)}. It is {times} times as long "
                 "as v: it dominates the result v\u2032.")
        resid_in, plus, out_again, equals, resid_out = down.residual
        self.play(FadeIn(resid_in), FadeIn(plus), ReplacementTransform(down.out.copy(), out_again), run_time=1.2)
        self.play(FadeIn(equals), FadeIn(resid_out, shift=0.2 * RIGHT), run_time=1.0)


class TheBasketballNeuron(ChapterEightScene):
    def construct(self):
        f = facts()
        _, _, word = site_of(f)
        top = [int(i) for i in f["top_neurons"]]
        order = sport_order(f)
        names = [str(f["athletes"][i]) for i in order]
        acts = f["athlete_activations"][order]  # (athletes, top neurons), grouped by sport
        who = " ".join(str(w) for w in f["prompt"][:2])
        me = names.index(who)
        answer = str(f["answer"])
        chart = NeuronBars(acts[:, 0], names, groups=[str(f["sports"][i]) for i in order], highlight=me,
                           vmax=float(np.abs(acts).max()), max_height=2.0, group_gap=0.26).move_to(UP * 0.25)

        def title(k: int) -> Text:
            return _text(f"neuron {top[k]}: its activation at {_q(word)}, for each athlete", 24).move_to(UP * 3.3)

        heading = title(0)
        me_label = chart.value_label(me)
        first = str(f["prompt"][0])
        namesakes = [i for i, name in enumerate(names) if name.split()[0] == first and i != me]
        namesake_labels = VGroup(*[chart.value_label(i, color=MUTED) for i in namesakes])
        same = sum(str(f["sports"][i]) == answer for i in order)

        # Rank the neurons by their push
        self.say(f"Which neurons carry the fact? Rank the {len(f['mlp_post'])} by how much each raises "
                 f"the score of {_q(answer)} here.")
        self.wait(0.5)
        # The top neuron, for every athlete
        self.say(f"First is neuron {top[0]}. Here is its activation for each of the {len(names)} athletes; "
                 f"{who.title()} in yellow.")
        self.play(FadeIn(heading), Create(chart.zero), FadeIn(chart.names), FadeIn(chart.groups), run_time=1.2)
        self.play(LaggedStart(*[FadeIn(b, shift=0.1 * UP) for b in chart.bars], lag_ratio=0.06), run_time=2.0)
        self.play(FadeIn(me_label), run_time=0.5)
        others = " and ".join(names[i].title() for i in namesakes)
        rest = computed(len(names) - same, f"the athletes but the {answer} players")
        self.say(f"It fires for all {_count(same)} {answer} players and stays low for the other "
                 f"{rest}, even {others}.")
        self.play(FadeIn(namesake_labels), run_time=0.8)
        self.wait(1.0)

        # The next neurons are less tidy
        self.say(f"The next {_count(len(top) - 1)} neurons of the ranking are less tidy: some fire as strongly "
                 "for tennis or baseball players.")
        self.play(FadeOut(namesake_labels), run_time=0.4)
        for k in range(1, len(top)):
            bars = chart.reshaped(acts[:, k])
            new_heading, new_label = title(k), chart.value_label(me, value=acts[me, k], bars=bars)
            self.play(Transform(chart.bars, bars), FadeOut(heading), FadeIn(new_heading), FadeOut(me_label),
                      FadeIn(new_label), run_time=1.0)
            heading, me_label = new_heading, new_label
            self.wait(2.2)


def _count(n: int) -> str:
    """Small counts in words, as a narrator says them."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if 0 <= n < len(words) else str(n)


class PushTowardBasketball(ChapterEightScene):
    def construct(self):
        f = facts()
        top = [int(i) for i in f["top_neurons"]]
        n = top[0]
        answer = str(f["answer"])
        column = f["down_weight"][:, n]
        unembed = f["answer_unembedding"]
        # the top neurons' numbers, picked out together (the first is neuron n's)
        cosine_n, alignment_n, activation_n = (float(f[key][top][0]) for key in ("neuron_cosine", "neuron_alignment",
                                                                                  "mlp_post"))
        left = VectorStrip(column, height=2.6, width=0.34)
        right = VectorStrip(unembed, height=2.6, width=0.34)
        strips = Group(left, right).arrange(RIGHT, buff=2.0).move_to(LEFT * 4.0 + UP * 1.65)
        left_name = VGroup(_text(f"column {n}", 20), _text("of W\u2193", 20)).arrange(DOWN, buff=0.06)
        left_name.next_to(left, UP, buff=0.12)
        right_name = VGroup(_text(_q(answer), 20), _text("unembedding", 20)).arrange(DOWN, buff=0.06)
        right_name.next_to(right, UP, buff=0.12)
        sizes = _text(f"{len(column)} numbers each", 18, MUTED).next_to(strips, DOWN, buff=0.15)
        cosine = _text(f"cosine {fmt(cosine_n, 2)}", 24, ACCENT).next_to(sizes, DOWN, buff=0.2)
        push_line = VGroup(
            _text(f"activation {fmt(activation_n)}", 22),
            _text(f"\u00d7 {fmt(alignment_n, 2)} per unit of activation", 22),
            _text(f"= +{fmt(f['neuron_push'][n], 2)} to the score of {_q(answer)}", 22, ACCENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(cosine, DOWN, buff=0.35)
        pushes = SignedBars(f["neuron_push"][top], [f"neuron {i}" for i in top], max_length=2.6, font_size=22, sig=2)
        pushes.move_to(RIGHT * 3.4 + UP * 1.2)
        pushes_head = _text(f"push on the score of {_q(answer)}", 22).next_to(pushes, UP, buff=0.3)
        share = _text(f"top {len(top)}: {percent(f['top_share'])} of the push of all {len(f['mlp_post'])}", 22)
        share.next_to(pushes, DOWN, buff=0.45)

        # The neuron's column of W_down against the answer's unembedding
        self.say(f"What does neuron {n} add? Its column of W\u2193: a direction in the space of "
                 f"{len(column)}-number vectors.")
        self.play(FadeIn(left), FadeIn(left_name), FadeIn(sizes), run_time=1.0)
        self.say(f"It leans toward the unembedding of {_q(answer)}, which reads out that word's score: "
                 f"cosine {fmt(cosine_n, 2)}.")
        self.play(FadeIn(right), FadeIn(right_name), run_time=1.0)
        self.play(FadeIn(cosine), run_time=0.6)
        # Its push on the answer's score
        self.say(f"Through the final norm, each unit of activation adds {fmt(alignment_n, 2)} "
                 f"to that score; at {fmt(activation_n)}, that is +{fmt(f['neuron_push'][n], 2)}.")
        self.play(FadeIn(push_line, lag_ratio=0.3), run_time=1.5)
        pushes_top = f["neuron_push"][top]
        self.say(f"The top {_count(len(top))} push alike, from {fmt(pushes_top.max(), 2)} down to "
                 f"{fmt(pushes_top.min(), 2)}: together, {percent(f['top_share'])} of the whole push.")
        self.play(FadeIn(pushes_head), FadeIn(pushes, lag_ratio=0.1), run_time=1.5)
        self.play(FadeIn(share), run_time=0.6)


class SpreadOverManyNeurons(ChapterEightScene):
    def construct(self):
        f = facts()
        layer, _, _ = site_of(f)
        answer = str(f["answer"])
        names = [part_name(str(n)) for n in f["logit_part_names"]]
        site_part = [str(n) for n in f["logit_part_names"]].index(f"MLP {layer}")
        parts = SignedBars(f["logit_parts"], names, max_length=2.4, font_size=20)
        parts.move_to(LEFT * 3.0 + UP * 0.8)
        logit = float(np.sum(f["logit_parts"]))
        parts_head = _text(f"score (logit) of {_q(answer)}, part by part", 22).next_to(parts, UP, buff=0.3)
        logit_sum = computed(fmt(logit), "the parts, added")
        total = _text(f"sum: {logit_sum}", 22).next_to(parts, DOWN, buff=0.35)
        counts = [int(k) for k in f["ablation_counts"]]
        labels = ["none"] + [f"top {k}" for k in counts]
        probs = [float(f["answer_prob"])] + [float(p) for p in f["ablation_curve"]]
        ablation = ProbabilityBars(labels, probs, width=2.4, font_size=22).move_to(RIGHT * 4.0 + UP * 0.6)
        ablation_head = VGroup(_text(f"probability of {_q(answer)}", 22),
                               _text("with neurons silenced", 22)).arrange(DOWN, buff=0.08)
        ablation_head.next_to(ablation, UP, buff=0.3)

        # The answer's score, part by part
        self.say(f"Split the score of {_q(answer)} into what each part of the model adds: this MLP gives "
                 f"{fmt(f['logit_parts'][site_part])} of {logit_sum}.")
        self.play(FadeIn(parts_head), FadeIn(parts, lag_ratio=0.1), run_time=1.5)
        self.play(Create(parts.highlight(site_part)), FadeIn(total), run_time=0.8)
        # Silence more and more of its neurons
        self.say(f"Silence its top {_count(counts[0])} neurons and {_q(answer)} barely moves: "
                 f"{percent(probs[0])} to {percent(probs[1])}.")
        self.play(FadeIn(ablation_head), FadeIn(ablation.rows[:2], lag_ratio=0.2), run_time=1.2)
        self.say(f"It takes the top {counts[-1]} of {len(f['mlp_post'])} to bring it down to "
                 f"{percent(probs[-1])}. The fact is spread over many neurons.")
        self.play(LaggedStart(*[FadeIn(r) for r in ablation.rows[2:]], lag_ratio=0.4), run_time=2.0)
        self.play(Create(ablation.highlight(len(labels) - 1)), run_time=0.6)


def _deg(x: float) -> str:
    return f"{float(x):g}\u00b0"


class Superposition(ChapterEightScene):
    def construct(self):
        s = superposition()
        f = facts()
        dims, counts = [int(d) for d in s["dimensions"]], [int(c) for c in s["counts"]]
        tol = float(s["tolerance_deg"])
        n_vec, dim = s["vectors"].shape
        before, after = s["angles_before"], s["angles_after"]
        lo, hi = 90 - tol, 90 + tol
        edges = s["angle_edges"]
        inside = (edges[:-1] >= lo) & (edges[1:] <= hi)
        share_before = float(before[inside].sum() / before.sum())
        share_after = float(after[inside].sum() / after.sum())
        hist = AngleHistogram(before, edges, tolerance=tol, ymax=float(max(before.max(), after.max())),
                              width=7.0, height=3.6).move_to(LEFT * 2.4 + UP * 0.8)
        pairs = computed(f"{n_vec * (n_vec - 1) // 2:,}", f"the pairs of {n_vec} directions: {n_vec} × {n_vec - 1} ÷ 2")
        head = _text(f"angles between {n_vec} directions in {dim} dimensions ({pairs} pairs)", 22).move_to(UP * 3.3)
        state = _text("random", 24, MUTED).move_to(RIGHT * 4.6 + UP * 1.9)
        share_how = f"the pairs within {_deg(tol)} of 90°, counted in the histogram, ÷ all pairs"
        before_share, after_share = computed(percent(share_before), share_how), computed(percent(share_after), share_how)
        within = _text(f"{before_share} of pairs", 22).next_to(state, DOWN, buff=0.3)
        band = _text(f"within {_deg(lo)}\u2013{_deg(hi)}", 22, ACCENT).next_to(within, DOWN, buff=0.1)
        ghost = hist.bars.copy().set_fill(MUTED, opacity=0.35)
        state2 = _text("optimised", 24, POSITIVE).next_to(band, DOWN, buff=0.5)
        within_after = _text(f"{after_share} of pairs", 22).next_to(state2, DOWN, buff=0.3)
        band2 = band.copy().next_to(within_after, DOWN, buff=0.1)

        # Why spread out? Nearly perpendicular directions
        self.say("Why spread a fact out? One idea is superposition: a feature is a direction, not a neuron, "
                 "and directions are plentiful.")
        self.wait(0.5)
        same_width = "as many numbers as the model's vectors" if dim == len(f["mlp_in"]) else "a toy space"
        self.say(f"Take {n_vec} random directions in {dim} dimensions, {same_width}. "
                 "These are the angles between them.")
        self.play(FadeIn(head), Create(hist.axis), FadeIn(hist.ticks), run_time=1.0)
        self.play(LaggedStart(*[FadeIn(b) for b in hist.bars], lag_ratio=0.02), FadeIn(state), run_time=1.5)
        self.say(f"In high dimensions, random directions are nearly perpendicular: {before_share} "
                 f"of pairs lie within {_deg(tol)} of 90\u00b0.")
        self.play(Create(hist.band), FadeIn(within), FadeIn(band), run_time=1.0)
        # A real optimisation packs all pairs into the band
        self.say(f"An optimiser nudges the directions until every pair lies between {_deg(lo)} and "
                 f"{_deg(hi)}: {n_vec} nearly perpendicular directions.")
        self.add(ghost)  # the random directions' angles stay behind, in grey
        self.bring_to_front(hist.bars, hist.band)
        self.play(Transform(hist.bars, hist.reshaped(after)), FadeIn(state2), FadeIn(within_after), FadeIn(band2),
                  run_time=2.5)
        self.wait(1.0)

        # How the count grows with the dimension
        self.finish_reading()
        self.clear_drawing()
        plot = GrowthPlot(s["dimensions"], s["counts"], width=6.0, height=3.9).move_to(LEFT * 1.9 + UP * 0.75)
        legend_ref = VGroup(_text("exactly perpendicular:", 20, MUTED),
                            _text("one per dimension", 20, MUTED)).arrange(DOWN, aligned_edge=LEFT, buff=0.06)
        legend_ref.next_to(plot.point(dims[-1], dims[-1]), RIGHT, buff=0.25)
        legend_fit = VGroup(_text(f"within {_deg(lo)}\u2013{_deg(hi)}:", 20, POSITIVE),
                            _text("found by the optimiser", 20, POSITIVE)).arrange(DOWN, aligned_edge=LEFT, buff=0.06)
        legend_fit.next_to(plot.point(dims[-1], counts[-1]), RIGHT, buff=0.35)
        shown = [i for i, d in enumerate(dims) if d in (16, 32, 48, 64)] or [len(dims) - 1]
        value_labels = VGroup(*[_text(f"{counts[i]}", 20, ACCENT).next_to(plot.dots[i], UP, buff=0.12)
                                for i in shown])
        small = [i for i, d in enumerate(dims) if counts[i] == d]
        few = ", ".join(str(dims[i]) for i in small[:-1]) + f" or {dims[small[-1]]}"
        self.say(f"How many fit, dimension by dimension? In {few} dimensions, no more than the dimension itself.")
        self.play(Create(plot.axes), FadeIn(plot.ticks), FadeIn(plot.x_label), FadeIn(plot.y_label),
                  Create(plot.reference), FadeIn(legend_ref), run_time=1.2)
        self.play(FadeIn(plot.dots[: len(small)]), run_time=0.8)
        self.say(f"Then the count pulls away: {counts[shown[0]]} in {dims[shown[0]]} dimensions, "
                 f"{counts[shown[1]]} in {dims[shown[1]]}, {counts[-1]} in {dims[-1]}, what our optimiser found.")
        self.play(Create(plot.line), FadeIn(plot.dots[len(small):], lag_ratio=0.2), FadeIn(legend_fit), run_time=2.0)
        self.play(FadeIn(value_labels, lag_ratio=0.2), run_time=1.0)
        self.say("Models with thousands of dimensions have room for vastly more. That may be why a fact "
                 "is spread over many neurons.")
        self.wait(0.5)


class Recap(ChapterEightScene):
    def construct(self):
        f = facts()
        layer, _, word = site_of(f)
        self.recap_card(
            [
                f"Silencing parts finds the fact: layer {layer + 1}'s MLP at {_q(word)}.",
                "An MLP: project up, GELU, project down, add back to the vector.",
                "A neuron's column of W\u2193 can point toward an answer's word.",
                "Facts spread over many neurons; high dimensions fit many directions.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [MichaelJordanPlays, FindTheFactSite, InsideTheMLP, TheBasketballNeuron, PushTowardBasketball,
          SpreadOverManyNeurons, Superposition, Recap]
