"""Chapter 8, "How might LLMs store facts", drawn from the tiny language model's real analysis.

One film in nine beats: the model's answer to "michael jordan plays"; where the fact is added
(each MLP silenced at each word, the same silencing on sentences that are not facts, and
mean-ablation as the sharper test); how "plays" gathers the two names through layer 1's
attention; that MLP step by step (a row of W↑ against the vector, the biases, GELU, a column of
W↓ scaled by its neuron); the neuron that pushes "basketball" most, for every athlete, and its
input split by word (is it an AND?); its column of W↓ against the unembedding, beside the
cosines of random directions; how many neurons the fact is spread over; superposition (a
demonstration about vectors), and back to the model's neurons that fire for several sports.

Every probability, activation, weight strip, push and count on screen comes from two artifacts:
``lm-facts`` (``models/fact_story.py``) and ``superposition`` (``models/superposition.py``). The
site and the neurons are read from the artifact, never written here. Layers, heads and neurons
are counted from 1 on screen. ``tests/test_chapter8_numbers.py`` checks the numbers a second
way and ``tests/golden/chapter8.json`` pins them.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 8``, or one scene with
``python render.py render 8 --scene InsideTheMLP``.
"""

from __future__ import annotations

import math
import re

import numpy as np
from manim import (
    DL,
    DOWN,
    UR,
    ORIGIN,
    Arc,
    AnimationGroup,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    GrowArrow,
    Group,
    GrowFromEdge,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    linear,
)

from scenes.base import ARRIVE, LEAVE, ChapterScene, Stage, artifact_arrays
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
    on_line,
    percent,
)
from scenes.palette import BACKGROUND, FAINT, INK, MUTED, NEGATIVE
from scenes.pieces import ACCENT, FONT, POSITIVE, HeatMap, agreeing_sig, as_shown, fmt, signed_columns, value_to_color
from scenes.transcript import computed, constant, note_drawing

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


def neuron_name(f: dict, k: int) -> str:
    """The k-th top neuron as the screen counts it (from 1, as layers and heads are)."""
    return f"neuron {int(f['top_neuron_numbers'][k])}"


def other_sports(f: dict, k: int) -> list[str]:
    """The sports, not the answer's, of which some player makes top neuron ``k`` fire at least as
    strongly as the prompt's athlete does, the strongest first."""
    acts, sports = f["athlete_activations"], [str(s) for s in f["sports"]]
    me = [str(a) for a in f["athletes"]].index(" ".join(str(w) for w in f["prompt"][:2]))
    best: dict[str, float] = {}
    for i, s in enumerate(sports):
        if s != str(f["answer"]) and acts[i, k] >= acts[me, k]:
            best[s] = max(best.get(s, -np.inf), float(acts[i, k]))
    return sorted(best, key=lambda s: -best[s])


def polysemantic(f: dict) -> list[int]:
    """The top neurons (by rank, not the first) that fire for players of two other sports at least
    as strongly as for the prompt's athlete."""
    return [k for k in range(1, f["athlete_activations"].shape[1]) if len(other_sports(f, k)) >= 2]


def shown_polysemantic(f: dict) -> int:
    """The neuron the last beat shows: the first of :func:`polysemantic`, or (another model's fact,
    with none such) the second in the ranking, said to be what it is."""
    return (polysemantic(f) or [1])[0]


def cosine_baseline(n_in: int) -> float:
    """The spread (standard deviation) of the cosine between two random directions in ``n_in``
    dimensions: 1/√n."""
    return 1.0 / math.sqrt(n_in)


def _tex(x: float, sig: int = 3) -> str:
    """A number for a formula (LaTeX wants a plain minus)."""
    return fmt(x, sig).replace("\u2212", "-")


def _text(s: str, size: int = 22, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


def _q(word: str) -> str:
    return f"\u201c{word}\u201d"


def _count(n: int) -> str:
    """Small counts in words, as a narrator says them."""
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if 0 <= n < len(words) else str(n)


def _deg(x: float) -> str:
    return f"{float(x):g}\u00b0"


def points(x: float) -> str:
    """A fall of probability in percentage points, as the screen shows it (declared: the artifact
    holds probabilities)."""
    v = 100.0 * float(x)
    text = f"{v:.1f}" if abs(v) >= 9.5 else fmt(v, 2)
    return computed(text.replace("-", "\u2212"), "a fall of probability × 100: percentage points")


def percent1(p: float) -> str:
    """A probability with one decimal ("99.4%"), so the falls in points subtract as they read."""
    return f"{100.0 * float(p):.1f}%"


def _renumber(rows: VGroup, index: int, texts: list[str], color=INK) -> None:
    """Rewrite the value labels of a bar chart's rows (``rows[i][index]``) in place, e.g. with
    more decimals, so the numbers shown add up as they read."""
    for row, text in zip(rows, texts):
        old = row[index]
        new = Text(text, font=FONT, font_size=old.font_size, color=color)
        new.move_to(old, aligned_edge=LEFT if old.get_x() >= row[index - 1].get_x() else RIGHT)
        row.submobjects[index] = new


def _top_edge(mob, y: float = 3.75):
    """Put ``mob``'s top at ``y`` (just under the top of the drawing area)."""
    return mob.shift(UP * (y - mob.get_top()[1]))


def diagram(f: dict, lit: int | None = None) -> TransformerDiagram:
    """The model as a row of blocks across the top, block ``lit`` yellow (1 + 2l: layer l's
    attention, 2 + 2l its MLP)."""
    d = TransformerDiagram(f["site_drops"].shape[0], width=13.8, height=0.62, font_size=19)
    if lit is not None:
        for i, block in enumerate(d.blocks):
            block[0].set_fill(ACCENT if i == lit else FAINT, opacity=0.45 if i == lit else 0.3)
    return _top_edge(d)


class ChapterEightScene(ChapterScene):
    chapter = NUMBER
    strict_fill = True


# ----------------------------------------------------------------------------- beat 1: the answer


def answer_stage(f: dict) -> Stage:
    """The prompt on the left, the model across the top, the next-word bars on the right."""
    row = TokenRow([str(w) for w in f["prompt"]], font_size=40).move_to([-3.9, -0.2, 0])
    bars = ProbabilityBars([str(w) for w in f["top_words"]], f["top_probs"], width=3.0, font_size=28)
    bars.move_to([3.7, -0.2, 0])
    head = _text("next word", 22, MUTED).next_to(bars, UP, buff=0.35)
    arrow = Arrow(row.get_right(), bars.get_left() + LEFT * 0.2, buff=0.3, stroke_width=3, color=MUTED)
    return Stage(diagram=diagram(f), row=row, arrow=arrow, head=head, bars=bars)


class MichaelJordanPlays(ChapterEightScene):
    def construct(self):
        f = facts()
        self.title_card(TITLE)
        stage = answer_stage(f)
        prompt = " ".join(str(w) for w in f["prompt"])
        answer = str(f["answer"])

        # The prompt and the model's real next word
        self.play(FadeIn(stage.diagram), FadeIn(stage.row, lag_ratio=0.2), run_time=1.2)
        self.say(f"Give our tiny language model {_q(prompt)}, and it answers {_q(answer)} "
                 f"with {percent(f['answer_prob'])} probability.")
        self.play(Create(stage.arrow), FadeIn(stage.head), FadeIn(stage.bars, lag_ratio=0.1), run_time=1.5)
        self.play(Create(stage.bars.highlight(0)), run_time=0.6)
        for sentence in re.split(r"(?<=\.) (?=[A-Z])", str(f["note"])) if str(f["note"]) else []:
            self.say(sentence)  # a facts file's fact that was not learned: said, not drawn
        self.say(f"It read sentences about {n_athletes(f)} athletes and their sports in training. "
                 "Where in its weights is this fact kept?")
        # the blocks that hold weights, one after another: which of them?
        held = [i for i, name in enumerate(stage.diagram.names) if name in ("attention", "MLP")]
        self.play(LaggedStart(*[Indicate(stage.diagram.blocks[i], color=ACCENT, scale_factor=1.08) for i in held],
                              lag_ratio=0.4), run_time=2.4)
        after = site_stage(f)
        self.hand_off(after, keep={stage.diagram: after.diagram}, run_time=1.4)


# ----------------------------------------------------------------------------- beat 2: where the fact is added

CELL_W, CELL_H = 1.75, 0.62
GRID_X, GRID_Y = -1.3, 1.75  # the first cell's centre


def _grid_cells(f: dict, drops: np.ndarray | None) -> VGroup:
    """One box per MLP and word; with ``drops``, filled by the fall and labelled in points."""
    cells = VGroup()
    vmax = float(np.asarray(f["site_drops"]).max())
    for l in range(drops.shape[0] if drops is not None else f["site_drops"].shape[0]):
        for p in range(len(f["prompt"])):
            box = Rectangle(width=CELL_W, height=CELL_H, stroke_color=MUTED, stroke_width=1.5,
                            fill_color=FAINT, fill_opacity=0.2)
            box.move_to([GRID_X + p * CELL_W, GRID_Y - l * CELL_H, 0])
            cell = VGroup(box)
            if drops is not None:
                d = float(drops[l, p])
                box.set_fill(value_to_color(d, vmax), opacity=0.55)
                cell.add(_text(points(d), 22).move_to(box))
            cells.add(cell)
    return cells


def site_stage(f: dict) -> Stage:
    """The model across the top; under it the empty grid: a row per MLP, a column per word."""
    words = [str(w) for w in f["prompt"]]
    n_layer = f["site_drops"].shape[0]
    # a column per place in "FIRST LAST plays": the falls are means over every athlete, so the names are places
    names = ["first name", "last name", *words[2:]]  # (every fact reads "FIRST LAST plays": models.lm_choice)
    heads = VGroup(*[_text(w, 22).move_to([GRID_X + p * CELL_W, GRID_Y + CELL_H * 0.95, 0])
                     for p, w in enumerate(names)])
    rows = VGroup(*[_text(f"MLP, layer {l + 1}", 22).move_to([GRID_X - CELL_W / 2 - 0.25, GRID_Y - l * CELL_H, 0],
                                                           aligned_edge=RIGHT) for l in range(n_layer)])
    return Stage(diagram=diagram(f), heads=heads, rows=rows, cells=_grid_cells(f, None))


def _control_rows(f: dict) -> VGroup:
    """The sentences that are not facts: each with the model's next word and its probability
    before and after the site's MLP is silenced at its last word."""
    before, after = f["control_probs"][0], f["control_probs"][1]
    rows = VGroup()
    for prompt, word, b, a in zip(f["control_prompts"], f["control_words"], before, after):
        row = VGroup(_text(f"{prompt} \u2192 ", 21, MUTED), _text(str(word), 21),
                     _text(f"{percent(b)} \u2192 {percent(a)}", 21)).arrange(RIGHT, buff=0.12)
        for piece in row:  # one baseline for the sentence, its next word and the probabilities
            on_line(piece, -0.4 * len(rows))  # and one line pitch for every row, descenders or not
        rows.add(row.shift(LEFT * row.get_left()[0]))
    column = max(row[1].get_right()[0] for row in rows) + 0.3
    for row in rows:  # the probabilities in one column
        row[2].move_to([column, row[2].get_y(), 0], aligned_edge=LEFT)
    # what the columns are, above them: the sentence and its next word; that word's probability
    head = VGroup(_text("sentence → the model's next word", 19, MUTED),
                  _text("its probability: as is → MLP silenced", 19, MUTED))
    for piece in head:
        on_line(piece, 0.45)
    head[0].move_to([0, head[0].get_y(), 0], aligned_edge=LEFT)
    head[1].move_to([column, head[1].get_y(), 0], aligned_edge=LEFT)
    rows.insert(0, head)
    if rows.height > 2.6:
        rows.scale_to_fit_height(2.6)
    if rows.width > 13.6:
        rows.scale_to_fit_width(13.6)
    return rows.move_to([0, -1.2, 0])


class FindTheFactSite(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(site_stage(f))
        layer, pos, word = site_of(f)
        words = [str(w) for w in f["prompt"]]
        n = n_athletes(f)
        cells = _grid_cells(f, f["site_drops"])
        note = _text(f"fall of the right sport's probability, in percentage points (mean over the {n} athletes)",
                     19, MUTED).next_to(VGroup(stage.rows, stage.cells), DOWN, buff=0.25)
        site = layer * len(words) + pos
        mark = SurroundingRectangle(stage.cells[site], color=ACCENT, buff=0.04)
        mean_as_is, mean_silenced, mean_replaced = (float(p) for p in f["site_mean_probs"])
        drop = float(f["site_drops"][layer, pos])

        # Silence one MLP at one word, for every athlete
        self.say(f"Silence one MLP at one word, and measure how far the right sport's probability falls, "
                 f"averaged over all {n} athletes.")
        self.play(FadeIn(note), *[Transform(a[0], b[0]) for a, b in zip(stage.cells, cells)],
                  *[FadeIn(b[1]) for b in cells], run_time=2.0)  # numbers fade in: no morphing digits
        # The site
        ranked = np.sort(f["site_drops"].ravel())
        stands_out = ranked[-1] > 2 * ranked[-2]  # the corpus's model: over five times the next (a test's target)
        self.say(f"{'One spot stands out' if stands_out else 'The largest fall'}: layer {layer + 1}'s MLP at "
                 f"{_q(word)}. Silenced, the right sport falls "
                 f"{points(drop)} points, from {percent1(mean_as_is)} to {percent1(mean_silenced)} on average.")
        self.play(Create(mark), stage.diagram.light(2 + 2 * layer), run_time=1.0)

        # The control: the same silencing on sentences that are not facts
        control = _control_rows(f)
        k = len(f["control_prompts"])
        worst = computed(percent(float(np.max(f["control_probs"][1]))), "the highest of the silenced probabilities")
        self.say(f"But silence it at the end of {k} sentences that are not facts, and each next word "
                 f"collapses too, to {worst} at most.")
        self.play(LaggedStart(*[FadeIn(r) for r in control], lag_ratio=0.15), run_time=2.0)
        self.say("So silencing shows that the model needs this MLP everywhere, not that the fact is kept in it.")
        self.wait(0.5)

        # A sharper test: mean-ablation
        mean_cells = _grid_cells(f, f["mean_drops"])
        summary = ProbabilityBars(["as is", "silenced", "mean-ablated"], f["site_mean_probs"], width=3.0,
                                  font_size=22).move_to([1.8, -1.3, 0])
        _renumber(summary.rows, 2, [percent1(p) for p in f["site_mean_probs"]])  # falls that subtract as they read
        summary_head = _text(f"the right sport, mean of {n} athletes", 20, MUTED).next_to(summary, UP, buff=0.25)
        new_note = _text(f"fall when that MLP's output is replaced by its mean over the {n} athletes (points)",
                         19, MUTED).move_to(note)
        self.say(f"A sharper test: replace its output by its mean over the {n} athletes, not by nothing.")
        self.play(FadeOut(control, rate_func=LEAVE), FadeIn(summary_head, rate_func=ARRIVE),
                  FadeIn(summary.rows[:2], rate_func=ARRIVE), run_time=1.4)
        self.say("What all the facts share stays; only what tells one athlete from another goes.")
        self.play(*[Transform(a[0], b[0]) for a, b in zip(stage.cells, mean_cells)],
                  *[FadeOut(b[1]) for b in cells], *[FadeIn(b[1]) for b in mean_cells], FadeOut(note), FadeIn(new_note),
                  run_time=1.5)
        others = np.delete(np.asarray(f["mean_drops"]).ravel(), site)
        most = points(float(np.abs(others).max()))
        self.say(f"The right sport still falls {points(f['mean_drops'][layer, pos])} points, to "
                 f"{percent1(mean_replaced)}; anywhere else, {most} points at most.")
        self.play(FadeIn(summary.rows[2]), run_time=0.6)
        self.play(Create(summary.highlight(2)), run_time=0.6)
        self.say("Much of what tells the athletes apart, the model adds here.")
        self.wait(0.5)
        after = attention_stage(f)
        self.hand_off(after, keep={stage.diagram: after.diagram}, run_time=1.4)


# ----------------------------------------------------------------------------- beat 3: how "plays" gathers the names

ATT_W, ATT_H = 2.3, 0.6
ATT_X, ATT_Y = -1.3, 0.75  # the first cell's centre


def attention_stage(f: dict) -> Stage:
    """Layer 1's attention lit; the prompt's words as column heads; an empty row per head."""
    layer, pos, _ = site_of(f)
    words = [str(w) for w in f["prompt"]][: pos + 1]
    n_head = f["site_attention"].shape[0]
    row = TokenRow(words, font_size=34, buff=ATT_W - 1.0)
    for p, token in enumerate(row.tokens):
        token.move_to([ATT_X + p * ATT_W, ATT_Y + 1.1, 0])
    names = VGroup(*[_text(f"head {h + 1}", 22).move_to([ATT_X - ATT_W / 2 - 0.3, ATT_Y - h * ATT_H, 0],
                                                       aligned_edge=RIGHT) for h in range(n_head)])
    cells = VGroup()
    for h in range(n_head):
        for p in range(len(words)):
            cells.add(VGroup(Rectangle(width=ATT_W, height=ATT_H, stroke_color=MUTED, stroke_width=1.5,
                                       fill_color=FAINT, fill_opacity=0.2).move_to([ATT_X + p * ATT_W, ATT_Y - h * ATT_H, 0])))
    label = _text(f"layer {layer + 1}: attention from {_q(words[pos])} to each word", 22, MUTED)
    label.next_to(cells, DOWN, buff=0.3)
    return Stage(diagram=diagram(f, lit=1 + 2 * layer), row=row, names=names, cells=cells, label=label)


class HowPlaysKnows(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(attention_stage(f))
        layer, pos, word = site_of(f)
        words = [str(w) for w in f["prompt"]]
        att = f["site_attention"]  # (heads, words up to the site)
        filled = VGroup()
        for h in range(att.shape[0]):
            for p in range(att.shape[1]):
                box = stage.cells[h * att.shape[1] + p][0].copy().set_fill(value_to_color(float(att[h, p]), 1.0),
                                                                          opacity=0.6)
                filled.add(VGroup(box, _text(percent(att[h, p]), 22).move_to(box)))
        first, last = words[0], words[1]
        on_last = [h for h in range(att.shape[0]) if att[h, 1] > 0.9]
        on_first = int(np.argmax(att[:, 0]))

        # Attention before the MLP
        self.say(f"Before that MLP, layer {layer + 1}'s attention lets {_q(word)} look back at the words "
                 "before it. Here are its real weights, head by head.")
        self.play(LaggedStart(*[AnimationGroup(Transform(a[0], b[0]), FadeIn(b[1])) for a, b in zip(stage.cells, filled)],
                              lag_ratio=0.08), run_time=2.0)
        marks = VGroup(*[SurroundingRectangle(stage.cells[h * att.shape[1] + 1], color=ACCENT, buff=0.03)
                         for h in on_last], SurroundingRectangle(stage.cells[on_first * att.shape[1]], color=ACCENT,
                                                                 buff=0.03))
        heads_last = " and ".join(f"{h + 1}" for h in on_last)
        shares = " and ".join(percent(att[h, 1]) for h in on_last)
        self.say(f"Heads {heads_last} put {shares} on {_q(last)}; head {on_first + 1} puts "
                 f"{percent(att[on_first, 0])} on {_q(first)}.")
        self.play(Create(marks), run_time=1.0)
        self.say(f"So the vector at {_q(word)} now holds something of both names, before the MLP reads it.")
        self.wait(0.5)
        self.hand_off(mlp_stage(f), run_time=1.4)


# ----------------------------------------------------------------------------- beat 4: the MLP step by step

MLP_H = 4.6  # the strips of 256 numbers
MLP_Y = 0.35  # their centre


def _up(f: dict) -> UpProjection:
    up = UpProjection(f["mlp_in"], f["up_weight"], f["up_bias"], f["mlp_pre"], f["mlp_post"], height=MLP_H)
    up.move_to([-6.45 + up.width / 2, 0, 0])
    return up.shift(UP * (MLP_Y - up.w_up.frame.get_y()))


def _hstrip(values: np.ndarray, vmax: float, length: float, thickness: float = 0.36) -> Group:
    """A vector as one horizontal strip of shaded cells in a thin frame."""
    heat = HeatMap(np.asarray(values)[None, :], vmax=vmax, height=1.0)
    heat.stretch_to_fit_width(length).stretch_to_fit_height(thickness)
    return Group(heat, Rectangle(width=length, height=thickness, stroke_color=MUTED, stroke_width=1.2).move_to(heat))


def _range_label(values: np.ndarray) -> VGroup:
    """A bias vector's smallest and largest entries, written where its strip is too faint to read."""
    return VGroup(_text(f"from {fmt(float(np.min(values)))}", 16, MUTED),
                  _text(f"to {fmt(float(np.max(values)))}", 16, MUTED)).arrange(DOWN, buff=0.05)


def _length_bars(f: dict, v: Group, out: Group) -> VGroup:
    """The lengths of v and of the MLP's output, as bars on one scale, under the sum v + out."""
    rows = VGroup()
    for name, values in (("length of v", f["resid_in"]), ("length of out", f["mlp_out"])):
        length = float(np.linalg.norm(np.asarray(values, dtype=float)))
        shown = computed(fmt(length), f"the length of {name.split()[-1]}: the root of its sum of squares")
        bar = Rectangle(width=0.45 * length, height=0.24, stroke_width=0, fill_color=POSITIVE, fill_opacity=0.85)
        rows.add(VGroup(_text(name, 18, MUTED), bar, _text(shown, 18)).arrange(RIGHT, buff=0.15))
    rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
    for row in rows:  # the bars start at one line, so their lengths compare
        row[1:].shift(RIGHT * (rows[1][1].get_left()[0] - row[1].get_left()[0]))
    return rows.next_to(Group(v, out), DOWN, buff=0.3).align_to(v, LEFT)


def mlp_stage(f: dict) -> Stage:
    """The site's MLP lit in the model; the vector that comes in and W↑ beside it."""
    layer, _, word = site_of(f)
    up = _up(f)
    title = _text(f"the MLP of layer {layer + 1}, at {_q(word)}", 22, MUTED).move_to([6.85, 3.6, 0], aligned_edge=RIGHT)
    return Stage(title=title, w_up=up.w_up, x=up.x)


class InsideTheMLP(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(mlp_stage(f))
        layer, pos, word = site_of(f)
        n = int(f["top_neurons"][0])
        name = neuron_name(f, 0)
        number = name.split()[-1]
        up = _up(f)
        self.swap([stage.w_up, stage.x], [up.w_up, up.x])
        n_hidden, n_in = f["up_weight"].shape
        x = f["mlp_in"]
        row = f["up_weight"][n]
        row_dot = float(f["mlp_pre"][n] - f["up_bias"][n])  # the row's dot product with x (z minus the bias)
        shown_dot = computed(fmt(row_dot), f"row {n} of W↑ · x: z minus the bias")

        # One neuron's row against the vector, entry by entry (drawn long, on the right)
        vmax_w = float(np.abs(row).max())
        vmax_x = float(np.abs(x).max())
        product = np.asarray(row, dtype=float) * np.asarray(x, dtype=float)  # entry by entry
        strips = Group(_hstrip(row, vmax_w, 6.0), _hstrip(x, vmax_x, 6.0),
                       _hstrip(product, float(np.abs(product).max()), 6.0)).arrange(DOWN, buff=0.42)
        strips.move_to([3.65, 2.0, 0])
        labels = VGroup(_text(f"row {number} of W\u2191", 19), _text("x", 19),
                        _text("row \u00d7 x", 19))
        for lab, s in zip(labels, strips):
            lab.next_to(s, UP, buff=0.06).align_to(s, LEFT)

        # The vector in, and W↑
        self.say(f"Inside the MLP. In comes the vector at {_q(word)}, normalised: {n_in} numbers x, drawn "
                 "as colours.")
        self.play(TransformFromCopy(up.x.frame, strips[1][1]), FadeIn(strips[1][0]), FadeIn(labels[1]), run_time=1.0)
        self.say(f"W\u2191 holds {n_hidden} rows of {n_in} weights, one row per neuron.")
        band = up.w_up.band(n, n + 1)
        self.play(Create(band), run_time=0.8)

        # One neuron's row swept across the vector: a dot product
        self.say(f"Follow {name}: its row meets x entry by entry, and the {n_in} products are added up. "
                 f"That dot product is {shown_dot}.")
        self.play(TransformFromCopy(band, strips[0][1]), FadeIn(strips[0][0]), FadeIn(labels[0]), run_time=1.0)
        self.play(FadeIn(strips[2], shift=0.2 * DOWN), FadeIn(labels[2]), run_time=1.0)
        formula = MathTex(rf"z_{{{number}}}", "=", shown_dot.replace("\u2212", "-"), "+",
                          f"({_tex(f['up_bias'][n], 2)})", "=", _tex(f["mlp_pre"][n]), font_size=40).move_to([3.65, 0.2, 0])
        self.write_terms(formula, sources={2: strips[2]}, groups=[[0, 1, 2]])

        # The bias, with its values
        bias = f["up_bias"]
        self.say(f"Then a bias from b\u2191, one number per neuron, between {fmt(bias.min())} and {fmt(bias.max())}. "
                 f"{name.capitalize()}'s is {fmt(bias[n], 2)}, so z = {fmt(f['mlp_pre'][n])}.")
        b_range = _range_label(bias).next_to(up.b, UP, buff=0.1)  # too small for the strip's colours to show
        self.play(FadeIn(up.symbols[0]), FadeIn(up.b), Create(up.b.marker(n)), FadeIn(b_range), run_time=1.0)
        self.write_terms(formula, sources={4: up.b}, groups=[[3, 4], [5, 6]])

        # Every neuron: a row swept down W↑, z filled in
        self.say(f"Every neuron does the same with its own row and bias: the row sweeps down W\u2191, "
                 f"and {n_hidden} values z fill in, one per neuron.")
        cover = Rectangle(width=up.pre.frame.width + 0.04, height=up.pre.frame.height + 0.02, stroke_width=0,
                          fill_color=BACKGROUND, fill_opacity=1).move_to(up.pre.frame)
        self.add(up.symbols[1], up.pre, cover)
        top_band = up.w_up.band(0, 1)
        self.play(Transform(band, top_band), run_time=0.5)
        self.play(band.animate.move_to(up.w_up.band(n_hidden - 1, n_hidden)),
                  cover.animate.stretch_to_fit_height(0.001, about_edge=DOWN), run_time=3.0, rate_func=linear)
        self.remove(cover)
        self.play(FadeOut(band), Create(up.pre.marker(n)), run_time=0.6)

        # The non-linearity
        gelu = GeluPlot(f["mlp_pre"], f["mlp_post"], highlight=[n], width=4.6, height=2.6).move_to([3.9, 1.35, 0])
        gelu_name = _text("GELU: every neuron's (z, a)", 20, MUTED).next_to(gelu, UP, buff=0.15)
        self.say(f"Then the non-linearity, GELU: negative z fall to about zero, positive z pass. "
                 f"{fmt(f['mlp_pre'][n])} becomes {fmt(f['mlp_post'][n])}.")
        self.play(FadeOut(strips, rate_func=LEAVE), FadeOut(labels, rate_func=LEAVE),
                  formula.animate.move_to([3.9, -1.75, 0]),
                  FadeIn(gelu_name, rate_func=ARRIVE), Create(gelu.axes), FadeIn(gelu.ticks), Create(gelu.curve),
                  run_time=1.4)
        self.play(FadeIn(gelu.dots, lag_ratio=0.01), FadeIn(gelu.highlighted), FadeIn(up.gelu), run_time=1.2)
        a_line = MathTex(rf"a_{{{number}}}", "=", r"\mathrm{GELU}(", _tex(f["mlp_pre"][n]), ")", "=",
                         _tex(f["mlp_post"][n]), font_size=40).next_to(formula, UP, buff=0.3)
        self.play(FadeIn(up.post, shift=0.2 * RIGHT), Create(up.post.marker(n, label=number)), run_time=1.0)
        self.write_terms(a_line, sources={3: formula[6]}, groups=[[0, 1, 2, 3, 4], [5, 6]])
        busy = computed(int(np.sum(f["mlp_post"] > 0.5)), "the activations above 0.5, counted")
        self.say(f"These are the neurons' activations a. Only {busy} of the {n_hidden} are above "
                 f"{constant('0.5', 'a threshold chosen for the caption')} here.")
        self.wait(0.5)

        # The down-projection: a column of W↓ per neuron, scaled and added
        vmax = float(max(np.abs(f["mlp_pre"]).max(), np.abs(f["mlp_post"]).max()))
        down = DownProjection(f["mlp_post"], f["down_weight"], f["down_bias"], f["mlp_out"], f["resid_in"],
                              f["resid_out"], height=MLP_H, post_vmax=vmax)
        down.move_to([-6.45 + down.width / 2, 0, 0])
        down.shift(UP * (MLP_Y - down.post.frame.get_y()))
        self.finish_reading()
        leaving = [m for m in self.drawing() if m is not up.post and m is not stage.title]
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in leaving],
                  up.post.animate(rate_func=ARRIVE).shift(down.post.frame.get_center() - up.post.frame.get_center()), run_time=1.2)
        self.swap([up.post], [down.post])
        col_marks = down.highlight(n, label=number)
        self.say(f"W\u2193 takes the {n_hidden} activations back to {n_in} numbers. It holds one column of "
                 f"{n_in} per neuron.")
        self.play(FadeIn(down.w_down), FadeIn(col_marks), run_time=1.2)
        column = f["down_weight"][:, n]
        a_n = float(f["mlp_post"][n])
        scaled = a_n * np.asarray(column, dtype=float)
        vmax_c = float(np.abs(scaled).max())
        col_strip = VectorStrip(column, height=3.0, vmax=vmax_c, note=str(n_in), role="a column of W_down")
        scaled_strip = VectorStrip(scaled, height=3.0, vmax=vmax_c, note=str(n_in), role="the column times a")
        times = MathTex(r"\times", _tex(a_n), "=", font_size=40)
        column_group = Group(col_strip, times, scaled_strip).arrange(RIGHT, buff=0.3).move_to([3.0, 1.2, 0])
        col_name = _text(f"column {number}", 19).next_to(col_strip, UP, buff=0.12)
        self.say(f"{name.capitalize()} adds its column, scaled by its activation: {fmt(a_n)} times column {number}.")
        self.play(TransformFromCopy(col_marks[0], col_strip.frame), FadeIn(col_strip.heat), FadeIn(col_strip.note),
                  FadeIn(col_name), run_time=1.0)
        self.play(FadeIn(times), FadeIn(scaled_strip, shift=0.2 * RIGHT), run_time=1.0)
        self.say(f"All {n_hidden} scaled columns added, plus a small bias b\u2193: the MLP's output, {n_in} numbers.")
        # the scaled column slides into the sum; the bias, too small for the colours, has its values written
        ghost = scaled_strip.copy()
        b_down_range = _range_label(f["down_bias"]).next_to(down.b, UP, buff=0.1)
        self.play(ghost.animate.stretch_to_fit_height(down.out.height).move_to(down.out), FadeIn(down.symbols[0]),
                  FadeIn(down.b), FadeIn(b_down_range), FadeIn(down.symbols[1]), run_time=1.4)
        self.play(FadeIn(down.out), FadeOut(ghost), run_time=0.8)
        ratio = float(np.linalg.norm(f["mlp_out"]) / np.linalg.norm(f["resid_in"]))
        times_long = computed(fmt(ratio, 2), "the length of the output ÷ the length of v")
        self.say(f"The output is added to the vector v at {_q(word)}. It is {times_long} times as long "
                 "as v: it dominates the result v\u2032.")
        resid_in, plus, out_again, equals, resid_out = down.residual
        self.play(FadeOut(column_group, rate_func=LEAVE), FadeOut(col_name, rate_func=LEAVE),
                  FadeIn(resid_in, rate_func=ARRIVE), FadeIn(plus, rate_func=ARRIVE),
                  ReplacementTransform(down.out.copy(), out_again), run_time=1.2)
        self.play(FadeIn(equals), FadeIn(resid_out, shift=0.2 * RIGHT), run_time=1.0)
        lengths = _length_bars(f, resid_in, out_again)
        self.play(FadeIn(lengths, lag_ratio=0.3), run_time=1.0)
        self.wait(1.0)
        self.hand_off(rank_stage(f), run_time=1.4)


# ----------------------------------------------------------------------------- beat 5: the neuron for basketball


def rank_stage(f: dict) -> Stage:
    """The five neurons that push the answer's score most, as bars, large."""
    top = [int(i) for i in f["top_neurons"]]
    answer = str(f["answer"])
    bars = SignedBars(f["neuron_push"][top], [neuron_name(f, k) for k in range(len(top))], max_length=6.0,
                      font_size=28, sig=2, bar_height=0.5).move_to([0, 0.3, 0])
    layer, _, word = site_of(f)
    head = VGroup(_text(f"push on the score of {_q(answer)}: the neurons of layer {layer + 1}'s MLP at {_q(word)}, "
                        "ranked", 24),
                  _text(f"neurons numbered from 1 to {len(f['mlp_post'])}", 20, MUTED)).arrange(DOWN, buff=0.12)
    head.move_to([0, 3.1, 0])
    return Stage(head=head, bars=bars)


def _chart(f: dict, k: int, vmax: float) -> NeuronBars:
    order = sport_order(f)
    names = [str(f["athletes"][i]) for i in order]
    me = names.index(" ".join(str(w) for w in f["prompt"][:2]))
    acts = f["athlete_activations"][order]
    groups = [str(f["sports"][i]) for i in order]
    # One bar per athlete across the frame: the corpus's 24 at the usual spacing, more (a facts
    # file's) closer together, so that every chart fits the frame
    gap = 0.26
    spacing = min(0.46, (13.3 - gap * (len(set(groups)) - 1)) / len(names))
    return NeuronBars(acts[:, k], names, groups=groups, highlight=me, vmax=vmax, max_height=2.0, group_gap=gap,
                      spacing=spacing, bar_width=min(0.34, 0.74 * spacing)).move_to(UP * 0.35)


def _chart_title(f: dict, k: int) -> Text:
    _, _, word = site_of(f)
    return _text(f"{neuron_name(f, k)}: its activation at {_q(word)}, for each athlete", 24).move_to(UP * 3.3)


class TheBasketballNeuron(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(rank_stage(f))
        layer, pos, word = site_of(f)
        answer = str(f["answer"])
        order = sport_order(f)
        names = [str(f["athletes"][i]) for i in order]
        who = " ".join(str(w) for w in f["prompt"][:2])
        me = names.index(who)
        acts = f["athlete_activations"][order]
        vmax = float(np.abs(f["athlete_activations"]).max())
        first = str(f["prompt"][0])
        namesakes = [i for i, nm in enumerate(names) if nm.split()[0] == first and i != me]
        same = sum(str(f["sports"][i]) == answer for i in order)

        # Rank the neurons by their push
        self.say(f"Which neurons carry the fact? Rank the {len(f['mlp_post'])} by how much each raises the score "
                 f"of {_q(answer)} here.")
        self.play(Create(stage.bars.highlight(0)), run_time=0.8)
        self.say("A neuron's push: its activation times what its column of W\u2193 adds to that score.")
        self.wait(0.5)

        # The top neuron, for every athlete
        chart, heading = _chart(f, 0, vmax), _chart_title(f, 0)
        self.say(f"First is {neuron_name(f, 0)}. Here is its activation for each of the {len(names)} athletes; "
                 f"{who.title()} in yellow.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in self.drawing()], FadeIn(heading, rate_func=ARRIVE),
                  FadeIn(chart.zero, rate_func=ARRIVE), FadeIn(chart.names, rate_func=ARRIVE),
                  FadeIn(chart.groups, rate_func=ARRIVE), run_time=1.4)
        self.play(LaggedStart(*[FadeIn(b, shift=0.1 * UP) for b in chart.bars], lag_ratio=0.06), run_time=2.0)
        self.play(FadeIn(chart.value_label(me)), run_time=0.5)
        others = " and ".join(names[i].title() for i in namesakes)
        rest = computed(len(names) - same, f"the athletes but the {answer} players")
        players = [i for i in range(len(names)) if str(f["sports"][order[i]]) == answer]
        rivals = [i for i in range(len(names)) if i not in players]
        rival = max(rivals, key=lambda i: acts[i, 0])
        if min(acts[players, 0]) > 2 * acts[rival, 0]:  # the sport's players far above everyone else
            every = {1: "the one", 2: "both"}.get(same, f"all {_count(same)}")
            self.say(f"It fires for {every} {answer} players and stays low for the other "
                     f"{rest}" + (f", even {others}." if namesakes else "."))
        else:  # another model's neuron: said as it is
            self.say(f"It fires for {who.title()} at {fmt(acts[me, 0])}, but also for {names[rival].title()}, "
                     f"a {f['sports'][order[rival]]} player, at {fmt(acts[rival, 0])}: not for {answer} alone.")
        self.play(FadeIn(VGroup(*[chart.value_label(i, color=MUTED) for i in namesakes])), run_time=0.8)

        # Its input, split by word
        parts = f["neuron_parts"]  # (2 prompts, words + norm bias + bias)
        other = " ".join(str(w) for w in f["namesake_prompt"])
        constants = ["MLP norm's bias", "neuron's bias"]  # the same two constants for every prompt
        part_names = [f"from {_q(str(w))}" for w in f["prompt"]] + constants
        other_names = [f"from {_q(str(w))}" for w in f["namesake_prompt"]] + constants
        unit = 2.1 / float(np.abs(parts).max())
        left = SignedBars(parts[0], part_names, scale=unit, font_size=21, sig=3, bar_height=0.36)
        right = SignedBars(parts[1], other_names, scale=unit, font_size=21, sig=3, bar_height=0.36)
        panels = Group(left, right).arrange(RIGHT, buff=0.8)
        if panels.width > 13.8:
            panels.scale_to_fit_width(13.8)
        panels.move_to([0, 0.35, 0])
        z_me, z_other = float(f["mlp_pre"][int(f["top_neurons"][0])]), float(np.sum(parts[1]))
        heads = VGroup(_text(_q(" ".join(str(w) for w in f["prompt"])), 22, ACCENT).next_to(left, UP, buff=0.3),
                       _text(_q(other), 22).next_to(right, UP, buff=0.3))
        z_sum_other = computed(fmt(z_other), "the parts, added")
        sums = VGroup(_text(f"z = {fmt(z_me)}", 24, ACCENT).next_to(left, DOWN, buff=0.35),
                      _text(f"z = {z_sum_other}", 24).next_to(right, DOWN, buff=0.35))
        title = _text(f"{neuron_name(f, 0)}'s z at {_q(word)}, split by the word each part came from", 24)
        title.move_to(UP * 3.3)
        self.say(f"Why does it fire for {who.title()}? Split its z by word: what layer {layer + 1}'s attention "
                 "brought from each, plus two biases.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in self.drawing()], FadeIn(title, rate_func=ARRIVE),
                  FadeIn(left, rate_func=ARRIVE), FadeIn(heads[0], rate_func=ARRIVE), FadeIn(sums[0], rate_func=ARRIVE),
                  run_time=1.6)
        second = str(f["prompt"][1])
        # What the words send decides what may be said: on the corpus's own fact the last name sends
        # the most and the bias is small; another model's fact may differ, and is described as it is.
        word_parts = parts[0, :-2]
        last_leads = float(parts[0, 1]) >= float(word_parts.max()) and float(parts[0, 1]) > 0
        small_bias = abs(float(parts[0, -1])) < abs(float(parts[0, 1]))
        self.say(f"{_q(second)} sends {fmt(parts[0, 1])}, {_q(word)} {fmt(parts[0, 2])}, {_q(first)}"
                 f"{' only' if last_leads else ''} {fmt(parts[0, 0])}. For {other.rsplit(' ', 1)[0].title()}, {_q(str(f['namesake_prompt'][1]))} "
                 f"sends {fmt(parts[1, 1])}: z is {z_sum_other}.")
        self.play(FadeIn(right), FadeIn(heads[1]), FadeIn(sums[1]), run_time=1.2)
        # The parts simply add: a base from the rest, the last name on top (3 significant digits, so
        # 0.567 + 0.777 = 1.344 reads as the z of 1.34 shown)
        without = computed(fmt(z_me - float(parts[0, 1])), f"z minus the part from {second}: the other parts, added")
        bias_mark = left.highlight(len(part_names) - 1)
        self.say("A large negative bias could make a neuron fire only when two features add up: an AND.")
        self.play(Create(bias_mark), run_time=0.8)
        self.say(f"This one's bias is {fmt(parts[0, -1])}: " + ("far too small to be such a threshold. The parts "
                 "simply add." if small_bias else "as large as what the last name sends."))
        self.wait(0.5)
        added = _text(f"z = {without} + {fmt(parts[0, 1])} = {fmt(z_me)}", 24, ACCENT).move_to(sums[0])
        near = abs(float(z_me - parts[0, 1]) - z_other) < abs(float(parts[0, 1])) / 2
        self.say(f"Without {_q(second)}, z would be {without}"
                 + (f", near {other.rsplit(' ', 1)[0].title()}'s {z_sum_other}, where it stays low" if near else "")
                 + f"; {_q(second)} adds {fmt(parts[0, 1])} on top.")
        self.play(FadeOut(bias_mark), Create(left.highlight(1)), FadeOut(sums[0]), FadeIn(added), run_time=1.0)
        if last_leads and small_bias:
            self.say(f"So no AND of {_q(first)} and {_q(second)}: {_q(first)} sends only {fmt(parts[0, 0])}. "
                     "The last name does most of it.")
        else:
            self.say(f"Each word's part adds to z; {_q(second)} sends {fmt(parts[0, 1])} of its {fmt(z_me)}.")
        self.wait(0.5)
        self.hand_off(column_stage(f), run_time=1.4)


# ----------------------------------------------------------------------------- beat 6: its push toward the answer

COS_BIN = 0.05  # the cosine histogram's bin width
# the two spreads on the cosine histogram, each drawn in its own line (and so in its legend):
# long white dashes for random directions, short grey dots for the columns' own
RANDOM_DASHES = {"color": INK, "stroke_width": 2, "dash_length": 0.16, "dashed_ratio": 0.6}
COLUMN_DOTS = {"color": MUTED, "stroke_width": 3, "dash_length": 0.03, "dashed_ratio": 0.4}


def _legend_row(style: dict, text: str, color) -> VGroup:
    """A short sample of a line style, then what that line marks."""
    sample = DashedLine(ORIGIN, RIGHT * 0.55, **style)
    return VGroup(sample, _text(text, 18, color)).arrange(RIGHT, buff=0.15)


def column_stage(f: dict) -> Stage:
    """The top neuron's column of W↓ and the answer's unembedding, as two strips on the left."""
    n = int(f["top_neurons"][0])
    number = str(int(f["top_neuron_numbers"][0]))
    left = VectorStrip(f["down_weight"][:, n], height=3.0, width=0.4, role="a column of W_down")
    right = VectorStrip(f["answer_unembedding"], height=3.0, width=0.4, role="the answer's unembedding")
    strips = Group(left, right).arrange(RIGHT, buff=1.6).move_to([-4.6, 1.3, 0])
    names = VGroup(VGroup(_text(f"column {number}", 20), _text("of W\u2193", 20)).arrange(DOWN, buff=0.06)
                   .next_to(left, UP, buff=0.15),
                   VGroup(_text(_q(str(f["answer"])), 20), _text("unembedding", 20)).arrange(DOWN, buff=0.06)
                   .next_to(right, UP, buff=0.15))
    cos, marked = f["neuron_cosine"], float(f["neuron_cosine"][n])
    hist = _cosine_histogram(cos, marked, cosine_baseline(len(f["answer_unembedding"])), float(np.std(cos)),
                             int(np.sum(cos > marked)))  # as the next beat draws it: the axis stays put
    head = _text(f"the cosine of each of the {len(f['neuron_cosine'])} columns with {_q(str(f['answer']))}", 20)
    head.next_to(hist, UP, buff=0.3)
    return Stage(strips=strips, names=names, hist_head=head, hist_axis=hist[1], hist_ticks=hist[2])


def _cosine_histogram(cosines: np.ndarray, marked: float, spread: float, real: float | None = None,
                      further: int | str | None = None, width: float = 6.2, height: float = 3.0) -> VGroup:
    """The cosines of every column of W↓ with the answer's unembedding, binned, each bar in the sign
    colour of its cosines (blue positive, red negative) and the bin of the marked neuron yellow;
    dashed lines at ± the spread of random directions; with ``real``, dotted lines at ± the
    columns' own spread, and with ``further`` an arrow from the marked cosine to the
    right, over the columns that lean further. Parts: bars, axis, ticks, dashed, dotted, arrow."""
    edges = np.arange(-0.7, 0.7 + 1e-9, COS_BIN)
    counts, _ = np.histogram(np.asarray(cosines, dtype=float), edges)
    sx = width / (edges[-1] - edges[0])
    sy = height / counts.max()
    bars = VGroup()
    for lo_edge, c in zip(edges[:-1], counts):
        hit = lo_edge <= marked < lo_edge + COS_BIN
        bars.add(Rectangle(width=COS_BIN * sx * 0.85, height=max(c * sy, 0.005), stroke_width=0,
                           fill_color=ACCENT if hit else POSITIVE if lo_edge + COS_BIN / 2 > 0 else NEGATIVE,
                           fill_opacity=0.9)
                 .move_to([(lo_edge + COS_BIN / 2 - edges[0]) * sx, 0, 0], aligned_edge=DOWN))
    axis = Line([0, 0, 0], [width, 0, 0], stroke_color=MUTED, stroke_width=1.5)
    ticks = VGroup()
    for v in (-0.5, 0.0, 0.5):
        ticks.add(_text(constant(f"{v:g}".replace("-", "\u2212"), "a tick of the cosine axis"), 18, MUTED)
                  .move_to([(v - edges[0]) * sx, -0.25, 0]))
    band = VGroup(*[DashedLine([(v - edges[0]) * sx, 0, 0], [(v - edges[0]) * sx, height, 0], **RANDOM_DASHES)
                    for v in (-spread, spread)])
    dotted = VGroup()
    if real is not None:
        dotted = VGroup(*[DashedLine([(v - edges[0]) * sx, 0, 0], [(v - edges[0]) * sx, height * 0.92, 0], **COLUMN_DOTS)
                          for v in (-real, real)])
    arrow = VGroup()
    if further is not None:
        y = height * 0.3
        line = Arrow([(marked - edges[0]) * sx, y, 0], [width, y, 0], buff=0, stroke_width=3, color=INK,
                     max_tip_length_to_length_ratio=0.12)
        arrow = VGroup(line, _text(f"{further} lean further", 18).next_to(line, UP, buff=0.08).align_to(line, RIGHT))
    return VGroup(bars, axis, ticks, band, dotted, arrow).move_to([2.9, 1.2, 0])


def _push_chart(f: dict, width: float = 6.2, height: float = 2.3) -> VGroup:
    """Every neuron's direct push on the answer's score as a bar, largest first (below the line when
    it pulls the score down), the top ones yellow, with the top ones' push and share written over
    them. Parts: heading, bars, zero line, note."""
    push = np.asarray(f["neuron_push"], dtype=float)
    top = [int(i) for i in f["top_neurons"]]
    order = np.argsort(-push, kind="stable")
    ranked = f["neuron_push"][order]  # picked out of the artifact: the drawing names its source
    bars = signed_columns(np.asarray(ranked, dtype=float), width / len(push), height / float(ranked.max()),
                          colors=[ACCENT if int(i) in top else None for i in order])
    note_drawing(bars, "each neuron's push on the answer's score, largest first", ranked)
    zero = Line([0, 0, 0], [width, 0, 0], stroke_color=MUTED, stroke_width=1.5)
    top_sum, all_sum = float(push[top].sum()), float(push.sum())
    top_how, all_how = f"the top {len(top)} neurons' pushes, added", "every neuron's push, added"
    note = VGroup(
        _text(f"top {_count(len(top))}: +{computed(f'{top_sum:.2f}', top_how)}", 22, ACCENT),
        _text(f"all {len(push)}: +{computed(f'{all_sum:.2f}', all_how)}", 22),
        _text(f"share: {percent(f['top_share'])}", 22),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).move_to([width * 0.35, height * 0.62, 0], aligned_edge=LEFT)
    head = _text(f"each neuron's push on {_q(str(f['answer']))}, largest first", 20)
    head.next_to(VGroup(bars, zero), UP, buff=0.3)
    return VGroup(head, bars, zero, note).move_to([3.3, 1.35, 0])


def _angle_sketch(cosine: float, name: str, answer: str, length: float = 1.3) -> VGroup:
    """Two arrows at the real angle between a column of W↓ and the answer's unembedding (the angle
    whose cosine is ``cosine``), labelled as a flat sketch of that angle."""
    angle = math.acos(cosine)
    shown = computed(f"{math.degrees(angle):.1f}\u00b0", "the angle whose cosine is the neuron's: arccos")
    toward = Arrow(ORIGIN, [length, 0, 0], buff=0, stroke_width=4, color=MUTED)
    column = Arrow(ORIGIN, [length * math.cos(angle), length * math.sin(angle), 0], buff=0, stroke_width=4, color=INK)
    arc = Arc(radius=0.4, start_angle=0, angle=angle, color=ACCENT, stroke_width=3)
    mid = angle / 2
    degrees = _text(shown, 18, ACCENT).next_to([0.4 * math.cos(mid), 0.4 * math.sin(mid), 0], UR, buff=0.08)
    labels = VGroup(_text(answer, 18, MUTED).next_to(toward, RIGHT, buff=0.1),
                    _text(name, 18).next_to(column.get_end(), RIGHT, buff=0.1))
    note = VGroup(_text("a flat sketch", 16, MUTED), _text("of the angle", 16, MUTED)).arrange(DOWN, buff=0.04)
    note.next_to(labels[0], UP, buff=0.3).align_to(labels[0], LEFT)
    sketch = VGroup(toward, column, arc, degrees, labels, note)
    return sketch.move_to([-6.6, -2.45, 0], aligned_edge=DL)


class PushTowardBasketball(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(column_stage(f))
        top = [int(i) for i in f["top_neurons"]]
        n = top[0]
        name = neuron_name(f, 0)
        answer = str(f["answer"])
        cos = f["neuron_cosine"]
        alignment_n, activation_n = (float(f[key][top][0]) for key in ("neuron_alignment", "mlp_post"))
        cosine_n = float(f["neuron_cosine"][n])  # read on its own: the screen's 0.35 traces to it
        n_in = len(f["answer_unembedding"])
        spread = cosine_baseline(n_in)
        shown_spread = computed(fmt(spread, 3), f"1/√{n_in}: the spread of the cosine of two random directions")
        cosine = _text(f"cosine {fmt(cosine_n, 2)}", 26, ACCENT).next_to(stage.strips, DOWN, buff=0.2)
        real_spread = float(np.std(cos))
        real = computed(fmt(real_spread, 2), "the standard deviation of the columns' cosines")
        further = computed(int(np.sum(cos > cosine_n)), f"the columns whose cosine with {answer} exceeds the neuron's")
        hist = _cosine_histogram(cos, cosine_n, spread, real_spread, further)
        self.swap([stage.hist_axis, stage.hist_ticks], [hist[1], hist[2]])
        sketch = _angle_sketch(cosine_n, f"column {int(f['top_neuron_numbers'][0])}", _q(answer))

        # The column against the answer's unembedding, among every column's cosine
        # every column's cosine first; the neuron's own bin turns yellow when its cosine is named
        marked_bins = [b for b in hist[0] if b.get_fill_color().to_hex() == ACCENT.to_hex()]
        for b in marked_bins:
            b.set_fill(POSITIVE)
        self.say(f"What does {name} add? Its column of W\u2193: a direction among {n_in}-number vectors.")
        self.play(LaggedStart(*[FadeIn(b) for b in hist[0]], lag_ratio=0.03), run_time=1.6)
        leans = cosine_n > 2 * cosine_baseline(n_in)  # beyond random directions' spread (not so for every model)
        self.say(f"It {'leans toward' if leans else 'is compared with'} the unembedding of {_q(answer)}, which reads "
                 f"out that word's score: cosine {fmt(cosine_n, 2)}.")
        self.play(FadeIn(cosine), FadeIn(sketch, lag_ratio=0.2), *[b.animate.set_fill(ACCENT) for b in marked_bins],
                  run_time=1.2)
        # Against the cosines of random directions and of every other column
        spread_label = VGroup(_legend_row(RANDOM_DASHES, f"\u00b1{shown_spread}, the spread for random directions", INK),
                              _legend_row(COLUMN_DOTS, f"\u00b1{real}, the spread of the {len(cos)} columns", MUTED))
        spread_label.arrange(DOWN, aligned_edge=LEFT, buff=0.08).next_to(hist, DOWN, buff=0.15)
        self.say(f"Is that a lot? Two random directions in {n_in} dimensions have a cosine of about "
                 f"\u00b1{shown_spread}, 1/\u221a{n_in}.")
        self.play(Create(hist[3]), FadeIn(spread_label[0]), run_time=0.8)
        self.say(f"The cosines of the {len(cos)} columns of W\u2193 with it spread a little wider: \u00b1{real}.")
        self.play(Create(hist[4]), FadeIn(spread_label[1]), run_time=0.8)
        if leans:
            self.say(f"{fmt(cosine_n, 2)} is well outside that: only {further} of the {len(cos)} columns lean "
                     f"further toward {_q(answer)}.")
        else:
            self.say(f"{fmt(cosine_n, 2)} is within the spread of random directions: {further} of the {len(cos)} "
                     f"columns lean further toward {_q(answer)}.")
        self.play(FadeIn(hist[5]), run_time=0.8)

        # Its push on the answer's score: the factor written to as many digits as make the shown
        # product read as the shown push
        push = float(f["neuron_push"][n])
        per_unit = fmt(alignment_n, agreeing_sig([alignment_n], push, lambda v: as_shown(activation_n) * v[0],
                                                  least=2, result_sig=2))
        push_line = VGroup(
            _text(f"activation {fmt(activation_n)}", 22),
            _text(f"\u00d7 {per_unit} per unit of activation", 22),
            _text(f"= +{fmt(f['neuron_push'][n], 2)} to the score of {_q(answer)}", 22, ACCENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).move_to([3.0, -1.9, 0])
        norm_note = _text("final norm: the vector \u00f7 its spread", 20, MUTED)
        norm_note.move_to(push_line[0], aligned_edge=LEFT)  # where the push's lines come next, in its place
        self.say("Before the unembedding reads the vector, the final norm rescales it: it divides it by its spread.")
        self.play(FadeIn(norm_note, shift=0.1 * UP), run_time=0.8)
        self.wait(0.5)
        self.say(f"Counting that, each unit of its activation adds {per_unit} "
                 f"to that score; at {fmt(activation_n)}, that is +{fmt(f['neuron_push'][n], 2)}.")
        self.play(FadeOut(norm_note), run_time=0.5)  # gone before the push's lines come in its place
        self.play(FadeIn(push_line, lag_ratio=0.3), run_time=1.5)
        chart = _push_chart(f)
        self.say(f"The top {_count(len(top))} neurons together give {percent(f['top_share'])} of the push of all "
                 f"{len(f['mlp_post'])}.")
        self.play(FadeOut(Group(*hist, spread_label, stage.hist_head), rate_func=LEAVE),
                  FadeIn(chart[0], rate_func=ARRIVE), run_time=1.0)
        self.add(chart[1])  # the bars grow from the zero line, the largest first
        self.play(Create(chart[2]), LaggedStart(*[GrowFromEdge(b, DOWN if b.get_y() >= chart[2].get_y() else UP)
                                                  for b in chart[1]], lag_ratio=0.01), run_time=1.8)
        self.play(FadeIn(chart[3], lag_ratio=0.3), run_time=1.0)
        self.wait(3.0)  # the chart came after its caption: time to read it
        self.hand_off(parts_stage(f), run_time=1.4)


# ----------------------------------------------------------------------------- beat 7: spread over many neurons


def _score(x: float) -> str:
    """A score (logit) with three decimals: the parts then add up to the sum shown."""
    return f"{float(x):.3f}".replace("-", "\u2212")


PARTS_X = (0.0, -3.05)  # the parts chart's centre: alone, then beside the silencing chart


def _parts_bars(f: dict) -> SignedBars:
    names = [part_name(str(n)) for n in f["logit_part_names"]]
    bars = SignedBars(f["logit_parts"], names, max_length=2.0, font_size=24, bar_height=0.38)
    bars.move_to([PARTS_X[0], 0.3, 0])
    _renumber(bars.rows, 2, [_score(v) for v in f["logit_parts"]])
    return bars


def _ablation_head(f: dict) -> VGroup:
    """The silencing chart's heading: one prompt's answer (the means over all athletes came before)."""
    answer, prompt = str(f["answer"]), " ".join(str(w) for w in f["prompt"])
    return VGroup(_text(f"probability of {_q(answer)}", 24), _text(f"after {_q(prompt)},", 24),
                  _text("with its neurons silenced", 24)).arrange(DOWN, buff=0.08).move_to([3.6, 2.7, 0])


def parts_stage(f: dict) -> Stage:
    """The answer's score split over the parts of the model, in the middle (it moves left when the
    silencing chart comes beside it, with its own heading)."""
    parts = _parts_bars(f)
    head = _text(f"score (logit) of {_q(str(f['answer']))}, part by part", 24).next_to(parts, UP, buff=0.4)
    return Stage(head=head, parts=parts)


class SpreadOverManyNeurons(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(parts_stage(f))
        layer, _, _ = site_of(f)
        answer = str(f["answer"])
        site_part = [str(n) for n in f["logit_part_names"]].index(f"MLP {layer}")
        logit = float(np.sum(f["logit_parts"]))
        logit_sum = computed(_score(logit), "the parts, added")
        total = _text(f"sum: {logit_sum}", 22).next_to(stage.parts, DOWN, buff=0.35)
        counts = [int(k) for k in f["ablation_counts"]]
        labels = ["none"] + [f"top {k}" for k in counts]
        probs = [float(f["answer_prob"])] + [float(p) for p in f["ablation_curve"]]
        ablation_head = _ablation_head(f)
        ablation = ProbabilityBars(labels, probs, width=2.0, font_size=24)
        ablation.next_to(ablation_head, DOWN, buff=0.4).set_x(3.7)
        # beside each probability, the score it comes from: a high score has slack
        scores = VGroup(*[_text(f"{float(v):.2f}", 22, MUTED).move_to([6.5, row.get_y(), 0])
                          for v, row in zip(f["ablation_logits"], ablation.rows)])
        scores_head = _text("score", 22, MUTED).next_to(scores, UP, buff=0.2)

        # The answer's score, part by part
        self.say(f"Split the score of {_q(answer)} into what each part of the model adds: this MLP gives "
                 f"{_score(f['logit_parts'][site_part])} of {logit_sum}.")
        box = stage.parts.highlight(site_part)
        self.play(Create(box), FadeIn(total), run_time=1.0)
        # The MLP's part is its neurons' pushes (the chart before) and its bias's: say so, or the two disagree
        neurons = float(np.sum(f["neuron_push"]))
        pushes_all = computed(f"+{neurons:.2f}", "every neuron's push, added")
        bias = computed(f"{float(f['logit_parts'][site_part]) - neurons:+.2f}".replace("-", "\u2212"),
                        "the MLP's part minus its neurons' pushes: its bias b\u2193's push")
        split = _text(f"{part_name(f'MLP {layer}')}: {len(f['neuron_push'])} neurons {pushes_all}, "
                      f"bias b\u2193 {bias}", 20, ACCENT).next_to(total, DOWN, buff=0.2)
        self.say(f"The MLP's {_score(f['logit_parts'][site_part])} is its {len(f['neuron_push'])} neurons' "
                 f"pushes, {pushes_all} as before, and its bias b\u2193's {bias}.")
        self.play(Indicate(stage.parts.rows[site_part][2], color=ACCENT), FadeIn(split, shift=0.1 * DOWN),
                  run_time=1.0)  # the MLP row's value, split
        # Silence more and more of its neurons
        self.say(f"Silence its top {_count(counts[0])} neurons: the score falls from {f['ablation_logits'][0]:.2f} "
                 f"to {f['ablation_logits'][1]:.2f}, and {_q(answer)} barely moves: {percent(probs[0])} to "
                 f"{percent(probs[1])}.")
        self.play(VGroup(stage.head, stage.parts, box, total, split).animate.shift((PARTS_X[1] - PARTS_X[0]) * RIGHT),
                  run_time=1.0)  # the parts make room for the chart
        self.play(FadeIn(ablation_head, shift=0.2 * LEFT), run_time=0.6)
        self.play(FadeIn(ablation.rows[:2], lag_ratio=0.2), FadeIn(scores_head), FadeIn(scores[:2]), run_time=1.2)
        # The pushes shown before were each neuron's direct path, the final norm held fixed; silencing runs the
        # whole model, whose other parts react. Say which, when the two differ.
        pushes = np.sort(np.asarray(f["neuron_push"], dtype=float))[::-1][: counts[0]]
        direct = computed(f"+{pushes.sum():.2f}", f"the top {counts[0]} neurons' direct pushes, added")
        drop = float(f["ablation_logits"][0] - f["ablation_logits"][1])
        if drop < 0.8 * float(pushes.sum()):
            later = ("the final norm and the next layer make" if f"MLP {layer + 1}" in [str(n) for n in f["logit_part_names"]]
                     else "the final norm makes")
            # the fall as the two shown scores give it
            fell = round(float(f["ablation_logits"][0]), 2) - round(float(f["ablation_logits"][1]), 2)
            gap = VGroup(_text(f"their direct push: {direct}", 22),
                         _text(f"the score fell by {computed(f'{fell:.2f}', 'the two scores shown, subtracted')}", 22))
            gap.arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(ablation, DOWN, buff=0.45).align_to(ablation, LEFT)
            self.say(f"Less than their direct push, {direct}: with them silent, {later} up part of it.")
            self.play(FadeIn(gap, lag_ratio=0.3), run_time=1.0)
        self.say(f"It takes the top {counts[-1]} of {len(f['mlp_post'])} to bring it down to "
                 f"{percent(probs[-1])}. The fact is spread over many neurons.")
        self.play(LaggedStart(*[FadeIn(VGroup(r, sc)) for r, sc in zip(ablation.rows[2:], scores[2:])], lag_ratio=0.4),
                  run_time=2.0)
        self.play(Create(ablation.highlight(len(labels) - 1)), run_time=0.6)
        self.hand_off(angles_stage(superposition()), run_time=1.4)


# ----------------------------------------------------------------------------- beat 8: superposition, then the model again

HIST_AT = (-2.3, 0.2)  # its tallest bars and yellow band lines stay clear of the "a demonstration" label above


def _hist(s: dict) -> AngleHistogram:
    before, after = s["angles_before"], s["angles_after"]
    return AngleHistogram(before, s["angle_edges"], tolerance=float(s["tolerance_deg"]),
                          ymax=float(max(before.max(), after.max())), width=8.0, height=3.7).move_to([*HIST_AT, 0])


def angles_stage(s: dict) -> Stage:
    """A demonstration about vectors: the heading and the label saying so (the angle axis comes with
    its histogram, so the idea's sketch is never read as a plot of angles)."""
    n_vec, dim = s["vectors"].shape
    pairs = computed(f"{n_vec * (n_vec - 1) // 2:,}", f"the pairs of {n_vec} directions: {n_vec} × {n_vec - 1} ÷ 2")
    head = _text(f"angles between {n_vec} directions in {dim} dimensions ({pairs} pairs)", 24).move_to(UP * 3.3)
    about = _text("a demonstration about vectors, not about the model", 22, MUTED).move_to(UP * 2.75)
    return Stage(head=head, about=about)


def _feature_sketch(length: float = 2.3) -> VGroup:
    """The idea of superposition, drawn as an idea (no model numbers): two neurons' axes, and a
    feature as a direction between them that is neither."""
    axes = VGroup(Arrow(ORIGIN, [length, 0, 0], buff=0, stroke_width=4, color=MUTED),
                  Arrow(ORIGIN, [0, length, 0], buff=0, stroke_width=4, color=MUTED))
    names = VGroup(_text("neuron 1", 22, MUTED).next_to(axes[0], DOWN, buff=0.12).align_to(axes[0], RIGHT),
                   _text("neuron 2", 22, MUTED).next_to(axes[1], LEFT, buff=0.12).align_to(axes[1], UP))
    angle = math.radians(35)
    feature = Arrow(ORIGIN, [length * math.cos(angle), length * math.sin(angle), 0], buff=0, stroke_width=5,
                    color=INK)
    label = VGroup(_text("a feature:", 22), _text("a direction", 22)).arrange(DOWN, aligned_edge=LEFT, buff=0.05)
    label.next_to(feature.get_end(), RIGHT, buff=0.12)
    return VGroup(axes, names, feature, label)


class Superposition(ChapterEightScene):
    def construct(self):
        s = superposition()
        f = facts()
        stage = self.open(angles_stage(s))
        dims, counts = [int(d) for d in s["dimensions"]], [int(c) for c in s["counts"]]
        tol = float(s["tolerance_deg"])
        n_vec, dim = s["vectors"].shape
        before, after = s["angles_before"], s["angles_after"]
        lo, hi = 90 - tol, 90 + tol
        edges = s["angle_edges"]
        inside = (edges[:-1] >= lo) & (edges[1:] <= hi)
        share_before = float(before[inside].sum() / before.sum())
        share_after = float(after[inside].sum() / after.sum())
        hist = _hist(s)
        hist.bars.set_fill(MUTED)  # random directions in grey, as their label and, later, their ghost
        state = _text("random", 26, MUTED).move_to(RIGHT * 4.8 + UP * 1.6)
        share_how = f"the pairs within {_deg(tol)} of 90°, counted in the histogram, ÷ all pairs"
        before_share, after_share = computed(percent(share_before), share_how), computed(percent(share_after), share_how)
        within = _text(f"{before_share} of pairs", 24).next_to(state, DOWN, buff=0.3)
        band = _text(f"within {_deg(lo)}\u2013{_deg(hi)}", 24, ACCENT).next_to(within, DOWN, buff=0.1)
        ghost = hist.bars.copy().set_fill(MUTED, opacity=0.35)
        state2 = _text("optimised", 26, POSITIVE).next_to(band, DOWN, buff=0.5)
        within_after = _text(f"{after_share} of pairs", 24).next_to(state2, DOWN, buff=0.3)
        band2 = band.copy().next_to(within_after, DOWN, buff=0.1)

        # Why spread out? Nearly perpendicular directions
        same_width = "as many numbers as the model's vectors" if dim == len(f["mlp_in"]) else "a toy space"
        sketch = _feature_sketch(3.0).move_to([0, 0.2, 0])  # alone: the angle axis comes with the histogram
        self.say("Why spread a fact out? One idea is superposition: a feature is a direction, not a neuron, "
                 "and directions are plentiful.")
        self.play(*[GrowArrow(a) for a in sketch[0]], FadeIn(sketch[1]), run_time=1.0)
        self.play(GrowArrow(sketch[2]), FadeIn(sketch[3]), run_time=1.0)
        self.say(f"Here are {n_vec} random directions in {dim} dimensions, {same_width}, and the angles "
                 "between them.")
        self.play(FadeOut(sketch, rate_func=LEAVE), FadeIn(hist.axis, rate_func=ARRIVE), FadeIn(hist.ticks, rate_func=ARRIVE),
                  LaggedStart(*[FadeIn(b) for b in hist.bars], lag_ratio=0.02),
                  FadeIn(state, rate_func=ARRIVE), run_time=2.0)
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
        self.wait(0.5)

        # How the count grows with the dimension
        plot = GrowthPlot(s["dimensions"], s["counts"], width=7.0, height=3.8).move_to(LEFT * 1.9 + UP * 0.0)
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
        head2 = _text("nearly perpendicular directions that fit, by dimension", 24).move_to(UP * 3.3)
        self.say(f"How many fit, dimension by dimension? In {few} dimensions, no more than the dimension itself.")
        keep = {stage.head, stage.about, self.caption}
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in self.drawing() if m not in keep],
                  FadeOut(stage.head, rate_func=LEAVE), FadeIn(head2, rate_func=ARRIVE),
                  Create(plot.axes, rate_func=ARRIVE), FadeIn(plot.ticks, rate_func=ARRIVE),
                  FadeIn(plot.x_label, rate_func=ARRIVE), FadeIn(plot.y_label, rate_func=ARRIVE),
                  Create(plot.reference, rate_func=ARRIVE), FadeIn(legend_ref, rate_func=ARRIVE), run_time=1.4)
        # the smallest dimensions, too low to see on this scale, in a zoomed inset
        zoom = [i for i, d in enumerate(dims) if d <= 8]
        inset = GrowthPlot(s["dimensions"][zoom], s["counts"][zoom], width=2.6, height=1.6, y_step=5, x_step=2,
                           font_size=15)
        inset_parts = VGroup(inset.axes, inset.ticks, inset.reference, inset.line, inset.dots)
        inset_title = _text(f"zoomed: up to {dims[zoom[-1]]} dimensions", 18, MUTED)
        inset_box = VGroup(inset_parts, inset_title.next_to(inset_parts, UP, buff=0.15))
        inset_box.move_to(plot.point(dims[-1] * 0.3, counts[-1] * 0.7))
        self.play(FadeIn(plot.dots[: len(small)]), FadeIn(inset_box), run_time=0.8)
        self.say(f"Then the count pulls away: {counts[shown[0]]} in {dims[shown[0]]} dimensions, "
                 f"{counts[shown[1]]} in {dims[shown[1]]}, {counts[-1]} in {dims[-1]}, what our optimiser found.")
        self.play(Create(plot.line), FadeIn(plot.dots[len(small):], lag_ratio=0.2), FadeIn(legend_fit), run_time=2.0)
        self.play(FadeIn(value_labels, lag_ratio=0.2), run_time=1.0)

        # Back to the model: neurons that fire for several sports
        vmax = float(np.abs(f["athlete_activations"]).max())
        k = shown_polysemantic(f)
        chart, title = _chart(f, k, vmax), _chart_title(f, k)
        who = " ".join(str(w) for w in f["prompt"][:2]).title()
        rank = ["first", "second", "third", "fourth", "fifth", "sixth"][k]
        sports = other_sports(f, k)
        self.say(f"Back to our model: {neuron_name(f, k)}, {rank} in the ranking, "
                 + (f"fires for {f['answer']} players and more." if len(sports) >= 2 else "across the athletes."))
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in self.drawing()], FadeIn(title, rate_func=ARRIVE),
                  FadeIn(chart, rate_func=ARRIVE), run_time=1.6)
        self.play(FadeIn(chart.value_label(chart.highlight_index)), run_time=0.5)
        if len(sports) >= 2:
            self.say(f"Some {' and '.join(sports[:2])} players make it fire at least as strongly as {who}: its "
                     "firing matches no single sport.")
        else:
            self.say(f"In this model none of the top neurons fires as strongly for players of two other sports as "
                     f"for {who}.")
        self.wait(1.0)
        self.hand_off(recap_stage(f), run_time=1.4)


# ----------------------------------------------------------------------------- beat 9: recap


def recap_stage(f: dict) -> Stage:
    """The chart of a neuron that fires for several sports (what the recap card replaces)."""
    vmax = float(np.abs(f["athlete_activations"]).max())
    k = shown_polysemantic(f)
    chart = _chart(f, k, vmax)
    return Stage(title=_chart_title(f, k), chart=chart, value=chart.value_label(chart.highlight_index))


class Recap(ChapterEightScene):
    def construct(self):
        f = facts()
        stage = self.open(recap_stage(f))
        layer, _, word = site_of(f)
        self.recap_card(
            [
                f"Mean-ablation finds where much of the fact is added: layer {layer + 1}'s MLP at {_q(word)}.",
                "An MLP: a dot product per neuron, a bias, GELU, columns of W\u2193 added back.",
                "A neuron's column of W\u2193 can point toward an answer's word.",
                "Facts spread over many neurons; one neuron can fire for several sports.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [MichaelJordanPlays, FindTheFactSite, HowPlaysKnows, InsideTheMLP, TheBasketballNeuron, PushTowardBasketball,
          SpreadOverManyNeurons, Superposition, Recap]
