"""Chapter 7, "Attention in transformers, step by step", through one real attention head.

One film in ten beats, following one sentence, "a fluffy blue creature roamed the verdant
forest . the creature was", to the model's guess for its next word (two adjectives, nearly half
and half): the words as vectors; the head's query (W_Q x plus its bias) and key; their dot
product entry by entry; queries and keys as directions, in a real plane of the head's space; the
grid of scores, scaled, masked (minus infinity before the softmax) and softmaxed, with the
baseline of even attention beside the noun's share; values and the change the head adds; all
eight heads with their patterns labelled by words; the route the two adjectives really take
through both layers, tested by cutting links; the parameter count, beside GPT-3's published
head count.

The head is the one ``models/lm_story.py`` finds (``adjective_head``: the head whose attention
from the sentence's last word falls most on the noun's adjectives), stored as
``attention_layer_head``; the route's heads are found by rules in ``models/lm_chapter7.py``
(keys ``c7_*``), which also cuts each link and measures the prediction. Nothing here names a
head or a word by hand. Queries, keys, scores, pattern and values come from ``lm-story``
(``language.npz``); the weight matrices and embeddings from ``lm`` (``weights.npz``).
``tests/test_chapter7_numbers.py`` checks the numbers against the numpy transformer of
``tests/numpy_gpt.py`` and ``tests/golden/chapter7.json`` pins them.

Layers and heads are counted from 1 on screen (the arrays count from 0).

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 7``, or one scene with
``python render.py render 7 --scene AttentionPattern``.
"""

from __future__ import annotations

import itertools

import numpy as np
from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    UR,
    ApplyFunction,
    ArcBetweenPoints,
    Arrow,
    ArrowTip,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
)

from scenes.base import ARRIVE, ARRIVE_LAGGED, LEAVE, ChapterScene, Stage, artifact_arrays, first_part, last_part
from scenes.lm_pieces import (
    MASKED_FILL,
    AttentionGrid,
    MatrixBlock,
    PatternThumb,
    ProbabilityBars,
    TokenRow,
    VectorColumn,
    column_band,
    percent,
)
from scenes.palette import FAINT, INK, MUTED
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, NumberColumn, boxes_meet, fmt, tex
from scenes.transcript import computed, constant, sourced

NUMBER = 7
TITLE = "Attention in transformers, step by step"
ARTIFACTS = ("lm-story", "lm")

ROW_Y = 3.3  # the sentence across the top, wherever it is shown
EQ_Y = 0.05  # the middle of the equations under it (columns of 16 numbers)
GPT3_LAYERS_HEADS_WIDTH = (96, 96, 128)  # GPT-3's published layers, heads per layer and head size (Brown et al. 2020)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-story", "language.npz")


def weights() -> dict[str, np.ndarray]:
    return artifact_arrays("lm", "weights.npz")


class Story:
    """What the narration names, read from the artifacts: the head, the words, the matrices, the route."""

    def __init__(self):
        d, w = data(), weights()
        self.d, self.w = d, w
        self.words = [str(x) for x in d["sentence"]]
        self.sentence = " ".join(self.words)
        self.vocab = [str(x) for x in d["vocab"]]
        self.layer, self.head = (int(x) for x in d["attention_layer_head"])
        self.vocab_size, self.context, self.n_layer, self.n_head, self.n_embd = (int(x) for x in w["config"])
        self.hd = int(d["head_q"].shape[1])  # a head's size: each query has this many numbers (n_embd // n_head)
        self.adjectives = [str(a) for a in d["shown_adjectives"]]
        self.noun, a0, a1, self.last = (int(x) for x in d["c7_positions"])
        self.adj_pos = [a0, a1]
        self.pattern = d["head_pattern"]
        self.top_key = int(np.argmax(self.pattern[self.last]))  # where the last word looks most
        self.other_adj = next(a for a in self.adj_pos if a != self.top_key)  # the adjective it does not pick
        rows = slice(self.head * self.hd, (self.head + 1) * self.hd)
        c_attn = w[f"transformer.h.{self.layer}.attn.c_attn.weight"]  # (3C, C): W_Q, W_K, W_V stacked
        C = self.n_embd
        self.W_Q, self.W_K, self.W_V = c_attn[:C], c_attn[C : 2 * C], c_attn[2 * C :]
        self.b_K = w[f"transformer.h.{self.layer}.attn.c_attn.bias"][C + rows.start : C + rows.stop]
        self.head_rows = rows
        self.W_O = w[f"transformer.h.{self.layer}.attn.c_proj.weight"]  # (C, C): [out, in]
        # the route, found by the rules of models/lm_chapter7.py
        self.gather = tuple(int(x) for x in d["c7_gather_head"])
        self.read = [tuple(int(x) for x in lh) for lh in d["c7_read_heads"]]
        self.cut_names = [str(x) for x in d["c7_cut_names"]]

    @property
    def names(self) -> tuple[str, str]:
        """The head as the viewer counts: ("layer 1", "head 2")."""
        return f"layer {self.layer + 1}", f"head {self.head + 1}"

    @staticmethod
    def head_name(layer: int, head: int) -> str:
        """A head as the viewer counts it, from 1: "layer 1, head 2"."""
        return f"layer {layer + 1}, head {head + 1}"

    def cut(self, name: str):
        """The next-word distribution with the links ``name`` cut (``none``: nothing cut)."""
        return self.d["c7_cut_probs"][self.cut_names.index(name)]

    def two(self, name: str):
        """The probabilities of the two adjectives (the attended one first) with the links ``name`` cut."""
        ids = [self.vocab.index(self.words[self.top_key]), self.vocab.index(self.words[self.other_adj])]
        return self.cut(name)[ids]

    @staticmethod
    def quote(word: str) -> str:
        """A word as the captions quote it."""
        return f"\u2018{word}\u2019"


class ChapterSevenScene(ChapterScene):
    chapter = NUMBER


def _label(text: str, size: int = 20, color=MUTED) -> Text:
    return Text(text, font=FONT, font_size=size, color=color)


def _place(block: MatrixBlock, x: float, y: float) -> MatrixBlock:
    """Centre a matrix block's shaded part (not its name and shape) at (x, y)."""
    return block.shift(np.array([x, y, 0.0]) - block.heat.get_center())


def _vec(letter: str, word: str, font_size: int = 36) -> MathTex:
    """A named vector, e.g. q with the word it belongs to underneath (in ink: yellow marks the focus)."""
    return MathTex(rf"\vec{{{letter}}}_{{\text{{{word}}}}}", font_size=font_size, color=INK)


def _numbers(values: np.ndarray, shown: int | None = None, sig: int = 3, row_gap: float = 0.08,
             how: str | None = None, font_size: int = 18) -> NumberColumn:
    """A column of real numbers (the first ``shown`` of them), each in its sign's colour at full
    brightness: small entries stay readable. For values computed in the scene, ``how`` says from
    what (the screen transcript writes it beside them); an artifact's array keeps its source."""
    shown = len(values) if shown is None else shown
    if how is not None:
        for v in values[:shown]:
            computed(fmt(v, sig), how)
    column = NumberColumn(values[:shown], range(shown), len(values), font_size=font_size, sig=sig, row_gap=row_gap)
    for text, v in zip(column.numbers, values[:shown]):
        text.set_color(POSITIVE if v >= 0 else NEGATIVE)
    return column


def sentence_row(s: Story, font_size: int = 22, y: float = ROW_Y) -> TokenRow:
    """The sentence across the top, its last word framed in yellow (the word whose next word is asked)."""
    row = TokenRow(s.words, font_size=font_size).move_to([0, y, 0])
    row.boxes[-1].set_stroke(ACCENT, width=3)
    return row


# ----------------------------------------------------------------------------- the stages (one per join)


def matrices_stage(s: Story) -> Stage:
    """The sentence on top; the layer's W_Q and W_K, shaded, side by side."""
    wq = _place(MatrixBlock(s.W_Q, name="W_Q", cell=0.045), -2.4, 0.25)
    wk = _place(MatrixBlock(s.W_K, name="W_K", cell=0.045), 2.4, 0.25)
    return Stage(row=sentence_row(s), wq=wq, wk=wk)


def _qk_columns(s: Story) -> tuple[NumberColumn, MathTex, NumberColumn, MathTex]:
    d = s.d
    q = _numbers(d["head_q"][s.last]).move_to([-5.8, EQ_Y, 0])
    k = _numbers(d["head_k"][s.top_key]).move_to([-3.9, EQ_Y, 0])
    q_name = _vec("q", s.words[s.last]).next_to(q, UP, buff=0.15)
    k_name = _vec("k", s.words[s.top_key]).next_to(k, UP, buff=0.15).align_to(q_name, DOWN)
    return q, q_name, k, k_name


def dot_stage(s: Story) -> Stage:
    """The sentence on top; the query of the last word and the key it attends to, as two columns of
    numbers on the left."""
    q, q_name, k, k_name = _qk_columns(s)
    return Stage(row=sentence_row(s), q=q, q_name=q_name, k=k, k_name=k_name)


PLANE_BOX = (-5.9, 1.4, -2.3, 3.5)  # where the plane's drawing goes: x from, x to, y from, y to


def plane_stage(s: Story) -> Stage:
    """The last word's query and every key, in the plane that holds the query (a real projection of
    the head's space): the query as a yellow arrow, each key as a dot in its dot product's sign's
    colour, the adjectives' keys and the noun's as labelled arrows."""
    xy = np.asarray(s.d["c7_plane"], dtype=float)  # row 0: the query; then every word's key
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    x0, x1, y0, y1 = PLANE_BOX
    scale = min((x1 - x0) / (hi[0] - lo[0]), (y1 - y0) / (hi[1] - lo[1]))  # one scale: angles stay true
    mid = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) - scale * (lo + hi) / 2

    def at(p) -> np.ndarray:
        return np.array([*(mid + scale * np.asarray(p, dtype=float)), 0.0])

    origin = at([0.0, 0.0])
    axes = VGroup(Line(at([lo[0] - 0.3, 0]), at([hi[0] + 0.3, 0]), stroke_color=FAINT, stroke_width=1.5),
                  Line(at([0, lo[1] - 0.3]), at([0, hi[1] + 0.3]), stroke_color=FAINT, stroke_width=1.5))
    query = Arrow(origin, at(xy[0]), buff=0, color=ACCENT, stroke_width=5, max_tip_length_to_length_ratio=0.06)
    q_label = _vec("q", s.words[s.last], 34).next_to(query.get_end(), UP, buff=0.15)
    keys = xy[1:]
    named = [s.top_key, s.other_adj, s.noun]
    # the other words' keys: small, half-lit dots (several crowd around the key of the other adjective)
    dots = VGroup(*[Circle(radius=0.055, stroke_width=0, fill_color=POSITIVE if p[0] >= 0 else NEGATIVE,
                           fill_opacity=0.7).move_to(at(p)) for i, p in enumerate(keys) if i not in named])
    arrows, labels = VGroup(), VGroup()
    # What a label or the note must not cover: the arrows (points along each), the dots, the labels
    # placed so far. The corpus's model has them where the first choices below put them; another
    # model's keys point elsewhere, and the pieces move to the first clear place.
    taken = [query.point_from_proportion(t) for t in np.linspace(0, 1, 24)] + [d.get_center() for d in dots]
    for i in named:
        color = POSITIVE if keys[i][0] >= 0 else NEGATIVE
        arrow = Arrow(origin, at(keys[i]), buff=0, color=color, stroke_width=4, max_tip_length_to_length_ratio=0.12)
        arrows.add(arrow)
        taken += [arrow.point_from_proportion(t) for t in np.linspace(0, 1, 24)]
    for i in named:
        color = POSITIVE if keys[i][0] >= 0 else NEGATIVE
        # the other adjective's key sits among the crowd: label outside; the noun's below its arrowhead
        side = LEFT if i == s.other_adj else DOWN if i == s.noun else RIGHT
        label = VGroup(MathTex(rf"\vec{{k}}_{{\text{{{s.words[i]}}}}}", font_size=30, color=color),
                       _label(f"(word {i + 1})", 16, color)).arrange(DOWN, buff=0.06, aligned_edge=-side if i != s.noun else ORIGIN)
        _beside(label, at(keys[i]), [side, RIGHT, LEFT, UP, DOWN, UR, UL, DR, DL], 0.15, taken, labels)
        labels.add(label)
    # the keys the narration names without an arrow: the last word's own, and the noun's second time
    again = next(i for i, w in enumerate(s.words) if w == s.words[s.noun] and i != s.noun)
    for i, side in ((s.last, DOWN + RIGHT), (again, RIGHT)):
        color = POSITIVE if keys[i][0] >= 0 else NEGATIVE
        label = _label(f"{s.words[i]} (word {i + 1})", 16, color)
        _beside(label, at(keys[i]), [side, RIGHT, LEFT, UP, DOWN, UR, UL, DL], 0.1, taken, labels)
        labels.add(label)
    note = VGroup(_label(f"this head's {s.hd}-D queries and keys,", 19), _label("projected onto one plane:", 19),
                  _label(f"x along the query of {s.quote(s.words[s.last])},", 19),
                  _label("y the keys' widest spread across it;", 19),
                  _label("dots: the other words' keys", 19))
    note.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
    # Under the query; where another model's keys are in the way, the first clear place, smaller if need be
    full_width = note.width
    spots = [[-3.4, -0.55, 0]] + [[x, y, 0] for y in (-1.85, -1.6, -0.55, 0.5, 1.5, 2.9)
                                  for x in (-6.9, -5.6, -4.5, -3.4, -2.3)]
    for size, spot in [(1.0, spot) for spot in spots] + [(0.75, spot) for spot in spots]:
        note.scale_to_fit_width(size * full_width).move_to(spot, aligned_edge=LEFT)
        if _clear(note, taken, [*labels, q_label]):
            break
    else:
        note.scale_to_fit_width(full_width).move_to(spots[0], aligned_edge=LEFT)
    return Stage(axes=axes, dots=dots, arrows=arrows, labels=labels, query=query, q_label=q_label, note=note)


def plane_query_stage(plane: Stage) -> Stage:
    """The plane before its keys: the axes, the query and the note (the keys arrive as arrows)."""
    return Stage(axes=plane.axes, query=plane.query, q_label=plane.q_label, note=plane.note)


def _clear(m, points, others) -> bool:
    """Whether ``m`` lies inside the drawing area and covers none of ``points`` and ``others``."""
    lo, hi = m.get_corner(DL), m.get_corner(UR)
    if lo[0] < -6.95 or hi[0] > 6.95 or lo[1] < -2.5 or hi[1] > 3.78:
        return False
    if any(lo[0] - 0.05 < p[0] < hi[0] + 0.05 and lo[1] - 0.05 < p[1] < hi[1] + 0.05 for p in points):
        return False
    return not any(o is not m and boxes_meet(m, o, 0.05) for o in others)


def _beside(label, point, sides, buff: float, points, others) -> None:
    """Beside ``point`` on the first of ``sides`` where ``label`` is clear (:func:`_clear`); the
    first side when none is."""
    for side in sides:
        label.next_to(point, side, buff=buff)
        if _clear(label, points, others):
            return
    label.next_to(point, sides[0], buff=buff)


def _grid(s: Story) -> AttentionGrid:
    return AttentionGrid(s.words, cell=0.4, font_size=18).move_to([-3.75, 0.6, 0])


def grid_stage(s: Story) -> Stage:
    """The empty grid of queries (across) and keys (down), with the four steps it goes through."""
    grid = _grid(s)
    queries_title = _label("queries \u2192", 18).next_to(grid.query_labels, LEFT, buff=0.25).align_to(
        grid.query_labels, UP)
    keys_title = _label("keys \u2193", 18).next_to(grid.key_labels, UP, buff=0.15).align_to(grid.key_labels, RIGHT)
    steps = VGroup(*[MathTex(t, font_size=34, color=MUTED) for t in (r"\vec{q}\cdot\vec{k}", rf"\div\sqrt{{{s.hd}}}",
                                                                     r"\text{mask}", r"\text{softmax}")])
    steps.arrange(DOWN, aligned_edge=LEFT, buff=0.35).move_to([4.5, 1.9, 0])
    return Stage(grid=grid, queries_title=queries_title, keys_title=keys_title, steps=steps)


def _value_parts(s: Story):
    d = s.d
    x_vmax = float(np.abs(d["head_input"]).max())
    wv = MatrixBlock(s.W_V[s.head_rows], name="W_V", cell=0.045)
    x_key = VectorColumn(d["head_input"][s.top_key], height=wv.heat.width, width=0.28, vmax=x_vmax,
                         label=s.words[s.top_key], label_color=INK)
    v_key = _numbers(d["head_v"][s.top_key])
    eq1 = MathTex("=", font_size=36)
    Group(wv, x_key, eq1, v_key).arrange(RIGHT, buff=0.25).move_to([-3.4, EQ_Y, 0])
    x_key.set_y(EQ_Y)
    v_name = _vec("v", s.words[s.top_key]).next_to(v_key, UP, buff=0.12)
    return wv, x_key, eq1, v_key, v_name


def values_stage(s: Story) -> Stage:
    """The sentence on top; W_V's band for the head beside the vector of the attended word."""
    wv, x_key, _, _, _ = _value_parts(s)
    return Stage(row=sentence_row(s), wv=wv, x_key=x_key)


THUMB = 2.45  # the side of one head's pattern in the grid of all heads


def heads_stage(s: Story) -> Stage:
    """All heads' real patterns, a row per layer, each titled "layer L, head H" (from 1): keys down
    each pattern and queries across it, both in the sentence's order (the cells that matter get
    their words written beside them, :func:`thumb_cell`)."""
    patterns = s.d["all_patterns"]  # (layers, heads, T, T)
    L, H = patterns.shape[:2]
    thumbs = Group()
    for layer in range(L):
        for head in range(H):
            ours = (layer, head) == (s.layer, s.head)
            thumbs.add(PatternThumb(patterns[layer, head], size=THUMB, title=Story.head_name(layer, head),
                                    font_size=18, title_color=ACCENT if ours else MUTED))
    thumbs.arrange_in_grid(rows=L, cols=H, buff=(0.3, 0.22)).move_to([0.45, 0.0, 0]).align_to([0, 3.75, 0], UP)
    order = f"word 1 to {len(s.words)}"
    hints = VGroup(VGroup(_label("keys \u2193", 18), _label(order, 16)),
                   VGroup(_label("queries \u2192", 18), _label(order, 16)))
    for hint in hints:
        hint.arrange(DOWN, aligned_edge=RIGHT, buff=0.08)
    hints[0].next_to(thumbs[0].frame, LEFT, buff=0.15).align_to(thumbs[0].frame, UP)
    hints[1].next_to(thumbs[(L - 1) * H].frame, LEFT, buff=0.15).align_to(thumbs[(L - 1) * H].frame, DOWN)
    return Stage(thumbs=thumbs, hints=hints)


def thumb_cell(s: Story, stage: Stage, layer: int, head: int, query: int, key: int) -> VGroup:
    """A yellow square around one cell of a head's thumbnail (where ``query`` meets ``key``), and
    what it is written in the pattern's empty (masked) corner: the two words and the weight."""
    frame = stage.thumbs[layer * s.n_head + head].frame
    step = THUMB / len(s.words)
    centre = [frame.get_left()[0] + (query + 0.5) * step, frame.get_top()[1] - (key + 0.5) * step, 0]
    square = Square(step + 0.04, stroke_color=ACCENT, stroke_width=3).move_to(centre)
    weight = percent(s.d["all_patterns"][layer, head, query, key])
    note = VGroup(_label(f"{s.words[query]} \u2192 {s.words[key]}", 16, INK), _label(weight, 16, ACCENT))
    note.arrange(DOWN, aligned_edge=LEFT, buff=0.06).move_to(frame.get_corner(DOWN + LEFT) + 0.08 * (UP + RIGHT),
                                                            aligned_edge=DOWN + LEFT)
    return VGroup(square, note)


def _arc(row: TokenRow, query: int, key: int, above: bool, angle: float, color=ACCENT) -> ArcBetweenPoints:
    """A link of an attention pattern, over or under the row, drawn the way information flows (as the
    chapter's other arrows are): from word ``key`` into word ``query``, which takes in its value."""
    side = (lambda b: b.get_top() + 0.05 * UP) if above else (lambda b: b.get_bottom() + 0.05 * DOWN)
    start, end = row.boxes[key], row.boxes[query]
    bulge = -abs(angle) if above else abs(angle)  # keys come before their query: the arc runs left to right
    arc = ArcBetweenPoints(side(start), side(end), angle=bulge, color=color, stroke_width=4)
    return arc.add_tip(tip_length=0.18)


def _dimmed(opacity: float):
    """For ApplyFunction: arrows (arcs with tips) at ``opacity``, their lines and their tips."""
    def apply(m):
        m.set_stroke(opacity=opacity)
        for part in m.get_family():
            if isinstance(part, ArrowTip):
                part.set_fill(opacity=opacity)
        return m
    return apply


def route_stage(s: Story) -> Stage:
    """The route the two adjectives take, drawn on the sentence: the head we followed from the last
    word to its adjective; the gathering head from the noun to its adjectives; the reading heads
    from the last word to the noun (below the row); and the two adjectives' bars."""
    row = sentence_row(s, font_size=24, y=0.8)
    last, noun, top = s.last, s.noun, s.top_key
    direct = _arc(row, last, top, above=True, angle=1.2)
    # the gathering head's two links, each as thick as its weight, with the weight written on it
    weights = s.d["all_patterns"][s.gather[0], s.gather[1], noun, s.adj_pos]
    gather = VGroup(*[_arc(row, noun, a, above=True, angle=1.9).set_stroke(width=max(6.0 * float(w), 1.5))
                      for a, w in zip(s.adj_pos, weights)])
    read = _arc(row, last, noun, above=False, angle=1.0)
    direct_name = _label(Story.head_name(s.layer, s.head), 20, ACCENT).next_to(direct, UP, buff=0.08)
    gather_name = _label(Story.head_name(*s.gather), 20, ACCENT)
    shares = _label(", ".join(f"{percent(w)} to {s.quote(s.words[a])}" for a, w in zip(s.adj_pos, weights)), 18,
                    ACCENT)
    VGroup(gather_name, shares).arrange(DOWN, aligned_edge=LEFT, buff=0.1).align_to(row, LEFT).align_to(
        direct_name, UP)  # top left, clear of the long arc from the last word
    read_name = _label("layer 2, heads " + " and ".join(str(h + 1) for _, h in s.read), 20, ACCENT)
    read_name.next_to(read, DOWN, buff=0.22)  # clear of the cross when it is cut
    two = s.two("none")
    bars = ProbabilityBars([s.words[top], s.words[s.other_adj]], two, width=4.0, bar_height=0.38, font_size=24)
    bars.move_to([3.3, -1.9, 0])
    title = _label(f"next word after {s.quote(s.words[last])}", 20).next_to(bars, LEFT, buff=0.6)
    return Stage(row=row, direct=direct, gather=gather, shares=shares, read=read,
                 names=VGroup(direct_name, gather_name, read_name), bars=bars, title=title)


def _param_mats(s: Story) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """One layer's attention matrices and their biases: W_Q, W_K, W_V (rows of the fused c_attn) and W_O."""
    w, C = s.w, s.n_embd
    c_attn = w[f"transformer.h.{s.layer}.attn.c_attn.weight"]
    c_bias = w[f"transformer.h.{s.layer}.attn.c_attn.bias"]
    proj, proj_bias = w[f"transformer.h.{s.layer}.attn.c_proj.weight"], w[f"transformer.h.{s.layer}.attn.c_proj.bias"]
    return [("W_Q", c_attn[:C], c_bias[:C]), ("W_K", c_attn[C : 2 * C], c_bias[C : 2 * C]),
            ("W_V", c_attn[2 * C :], c_bias[2 * C :]), ("W_O", proj, proj_bias)]


def _param_rows(s: Story) -> list[tuple[str, tuple, int, int]]:
    return [(name, m.shape, m.size, b.size) for name, m, b in _param_mats(s)]


PARAM_XS = [-5.0, -1.75, 1.5, 4.75]  # the four matrices' centres
PARAM_Y = 1.75  # and their height on screen


def params_stage(s: Story) -> Stage:
    """One layer's four attention matrices, real weights at their real shapes, side by side."""
    mats = _param_mats(s)
    vmax = float(np.percentile(np.abs(np.concatenate([np.asarray(m).ravel() for _, m, _ in mats])), 99))
    blocks = Group(*[_place(MatrixBlock(m, name=name, cell=2.3 / m.shape[0], vmax=vmax, font_size=38), x, PARAM_Y)
                     for (name, m, _), x in zip(mats, PARAM_XS)])
    return Stage(blocks=blocks)


def params_biases(s: Story, blocks: Group) -> Group:
    """Each matrix's bias as a thin strip beside it, and under each its count: weights + biases."""
    out = Group()
    mats = _param_mats(s)
    vmax = max(float(np.abs(b).max()) for _, _, b in mats)  # one scale: a bias near zero looks near black
    for (_, m, b), block in zip(mats, blocks):
        strip = VectorColumn(b, height=block.heat.height, width=0.14, vmax=vmax)
        strip.next_to(block.frame, RIGHT, buff=0.12)
        count = Text(f"{m.size:,} + {b.size:,}", font=FONT, font_size=24).next_to(block.shape, DOWN, buff=0.15)
        out.add(Group(strip, count))
    return out


def params_heads(s: Story, blocks: Group) -> VGroup:
    """The part of each matrix the chapter's head owns, framed in yellow: its rows of W_Q, W_K and
    W_V, its columns of W_O, a quarter of each."""
    bands = VGroup()
    first, last = s.head * s.hd, (s.head + 1) * s.hd
    for (name, _, _), block in zip(_param_mats(s), blocks):
        bands.add(column_band(block, first, last) if name == "W_O" else block.band(first, last))
    return bands


def params_lines(s: Story) -> VGroup:
    """What the matrices add up to: per head, per layer, both layers, and GPT-3's published head count."""
    rows = _param_rows(s)
    d = s.d
    C, hd, H, L = s.n_embd, s.hd, s.n_head, s.n_layer
    per_head = computed(f"{sum(size for _, _, size, _ in rows) // H:,}", f"the four matrices' weights ÷ {H} heads")
    per_layer = computed(f"{sum(size + bias for _, _, size, bias in rows):,}",
                         "the four matrices' weights and biases, added")
    biases = computed(sum(bias for _, _, _, bias in rows), "the four bias vectors' sizes, added")
    groups = [str(g) for g in d["param_groups"]]
    attn_total = int(d["param_group_counts"][groups.index("attention")])  # both layers' attention parameters
    total = int(d["n_params"])
    attn_share = computed(percent(attn_total / total), "the attention parameters ÷ all the model's")
    layers3, heads3, width3 = (constant(f"{v}", "GPT-3's published size (Brown et al. 2020)") for v in GPT3_LAYERS_HEADS_WIDTH)
    all3 = computed(f"{GPT3_LAYERS_HEADS_WIDTH[0] * GPT3_LAYERS_HEADS_WIDTH[1]:,}", "GPT-3's layers × heads per layer")
    lines = VGroup(
        Text(f"our head ({s.head_name(s.layer, s.head)}), in yellow: {len(rows)} matrices \u00d7 {hd} \u00d7 {C} "
             f"= {per_head} weights", font=FONT, font_size=22),
        Text(f"one layer: {per_layer} parameters ({H} heads \u00d7 {per_head} weights + {biases} biases)",
             font=FONT, font_size=22),
        Text(f"{L} layers: {attn_total:,} of the model's {total:,} parameters ({attn_share})",
             font=FONT, font_size=22),
        Text(f"GPT-3, as published: {layers3} layers \u00d7 {heads3} heads = {all3} heads, each of size {width3} (ours: {hd})",
             font=FONT, font_size=22, color=MUTED),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.25).move_to([0, -1.5, 0])
    return lines


def recap_stage(s: Story) -> Stage:
    stage = params_stage(s)
    stage["biases"] = params_biases(s, stage.blocks)
    stage["heads"] = params_heads(s, stage.blocks)
    stage["lines"] = params_lines(s)
    return stage


# ----------------------------------------------------------------------------- the beats


class AdjectivesUpdateNouns(ChapterSevenScene):
    def construct(self):
        s = Story()
        card = self.title_card(TITLE, keep=True)  # the sentence replaces it: no black between
        words, quote = s.words, s.quote
        row = TokenRow(words, font_size=22).move_to([0, ROW_Y, 0])
        ids = [list(s.w["vocab"]).index(x) for x in words]
        embedded = s.w["transformer.wte.weight"][ids] + s.w["transformer.wpe.weight"][: len(words)]  # (T, C)
        vmax = float(np.abs(embedded).max())
        columns = Group(*[VectorColumn(e, height=2.9, width=0.3, vmax=vmax).next_to(tok, DOWN, buff=0.3)
                          for e, tok in zip(embedded, row.tokens)])
        dims = _label(f"{s.n_embd} numbers per word", 20).next_to(columns, DOWN, buff=0.2)

        # Read the sentence, each word a vector
        with self.sparse("the sentence alone, read before its words become vectors"):
            self.say(f"Take the sentence \u201c{s.sentence}\u201d.")
            self.play(FadeOut(card, rate_func=LEAVE),
                      LaggedStart(*[FadeIn(t, shift=0.1 * DOWN) for t in row.tokens], lag_ratio=0.08,
                                  rate_func=ARRIVE_LAGGED), run_time=1.6)
            self.finish_reading()
        self.say(f"Each word enters the model as {s.n_embd} numbers: its word embedding plus its position's. "
                 "These are the real ones.")
        self.play(LaggedStart(*[GrowFromEdge(c, UP) for c in columns], lag_ratio=0.06), run_time=1.6)
        self.play(FadeIn(dims), run_time=0.6)

        # Adjectives must reach their noun (a pure illustration: arrows, not model numbers)
        noun, adj = row.tokens[s.noun], [row.tokens[i] for i in s.adj_pos]
        arcs = VGroup(*[ArcBetweenPoints(a.get_bottom() + 0.05 * DOWN, noun.get_bottom() + 0.05 * DOWN, angle=1.2,
                                         color=ACCENT, stroke_width=3).add_tip(tip_length=0.15) for a in adj])
        self.say(f"But the vector of {quote(words[s.noun])} says nothing about {quote(s.adjectives[0])} or "
                 f"{quote(s.adjectives[1])}: each word starts knowing only itself.")
        alone = SurroundingRectangle(Group(noun, columns[s.noun]), color=ACCENT, buff=0.08, stroke_width=3)
        self.play(Create(alone), run_time=1.0)
        self.say("The adjectives have to update the meaning of their noun. Moving meaning between words "
                 "is what attention does.")
        self.play(FadeOut(dims), FadeOut(alone), columns.animate.shift(0.35 * DOWN), run_time=0.6)
        self.play(Create(arcs), run_time=1.2)

        # The model's guess after the last word needs the adjectives
        probs = s.d["shown_next_probs"]
        bars = ProbabilityBars.top(probs, s.vocab, k=3, width=5.0, bar_height=0.42, font_size=26)
        bars.move_to([0.6, 0.3, 0])
        title = _label(f"next word after {quote(words[-1])}", 22).next_to(bars, UP, buff=0.35).align_to(bars, LEFT)
        self.say(f"In the training stories, \u201c... the {words[s.noun]} {words[-1]}\u201d ends with one of its "
                 "adjectives, so that is what the model must predict.")
        self.play(FadeOut(columns, rate_func=LEAVE), FadeOut(arcs, rate_func=LEAVE),
                  row.boxes[-1].animate.set_stroke(ACCENT, width=3), FadeIn(title, rate_func=ARRIVE),
                  FadeIn(bars, rate_func=ARRIVE), run_time=1.2)
        best = bars.words[:2]
        self.say(f"And it does: after {quote(words[-1])} it says {quote(best[0])} {percent(bars.probs[0])}, "
                 f"{quote(best[1])} {percent(bars.probs[1])}. Let us see how, through one layer's attention.")
        self.play(*[Indicate(r[2]) for r in bars.rows[:2]], run_time=1.2)
        after = matrices_stage(s)
        self.hand_off(after, keep={row: after.row}, run_time=1.6)


class QueriesAndKeys(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote = s.d, s.quote
        layer_name, head_name = s.names
        C, hd, r = s.n_embd, s.hd, s.head_rows
        stage = self.open(matrices_stage(s))
        wq, wk = stage.wq, stage.wk
        bands = VGroup(wq.band(r.start, r.stop), wk.band(r.start, r.stop))
        # counted from 0, as Chapter 6 counts W_Q's rows ("row 0 of W_Q") and every vector's entries;
        # declared for this label alone, so another 16 on screen (a head's 16 rows) keeps its own source
        rows_how = f"computed: {head_name}'s rows, counted from 0: {hd} per head, after those of the heads before it"
        band_text = sourced(f"{head_name}: rows {r.start}\u2013{r.stop - 1}",
                            {str(r.start): rows_how, str(r.stop - 1): rows_how})
        band_names = VGroup(*[_label(band_text, 18, ACCENT)
                              .next_to(b, LEFT if i == 0 else RIGHT, buff=0.15) for i, b in enumerate(bands)])

        # Two learned matrices, one band per head
        self.say(f"Attention in {layer_name} starts with two learned matrices, a query matrix W_Q and a key "
                 f"matrix W_K, {C} \u00d7 {C} each.")
        self.play(Indicate(wq.title), Indicate(wk.title), run_time=1.0)
        self.say(f"It runs {s.n_head} heads. We follow {head_name}, whose last word gives the two adjectives, "
                 f"added, the most weight. It owns {hd} rows of each.")
        self.play(Create(bands), FadeIn(band_names), run_time=1.0)
        self.wait(0.5)

        # The query of the last word: W_Q x, then plus the bias
        last, key = s.last, s.top_key
        x_vmax = float(np.abs(d["head_input"]).max())
        block = MatrixBlock(s.W_Q[r], name="W_Q", cell=0.045)
        vec = VectorColumn(d["head_input"][last], height=block.heat.width, width=0.28, vmax=x_vmax,
                           label=s.words[last], label_color=INK)
        wx, bias, q = _numbers(d["c7_query_wx"]), _numbers(d["c7_query_bias"]), _numbers(d["head_q"][last])
        signs = [MathTex(t, font_size=36) for t in ("=", "+", "=")]
        Group(block, vec, signs[0], wx, signs[1], bias, signs[2], q).arrange(RIGHT, buff=0.25).move_to([0, EQ_Y, 0])
        vec.set_y(EQ_Y)
        names = VGroup(MathTex(r"W_Q\vec{x}", font_size=30).next_to(wx, UP, buff=0.12),
                       MathTex(r"\vec{b}_Q", font_size=30).next_to(bias, UP, buff=0.12),
                       _vec("q", s.words[last], 34).next_to(q, UP, buff=0.12))
        names[1].align_to(names[0], DOWN), names[2].align_to(names[0], DOWN)
        self.say(f"The query of {quote(s.words[last])}: the head's {hd} \u00d7 {C} band of W_Q times the word's "
                 f"vector x (its vector E, normalised) gives {hd} numbers...")
        self.play(ReplacementTransform(bands[0], block.frame), FadeOut(Group(wq, band_names[0])),
                  FadeIn(Group(block.heat, block.title, block.shape)),
                  FadeOut(Group(wk, bands[1], band_names[1])), run_time=1.2)
        self.play(FadeIn(vec), FadeIn(signs[0]), FadeIn(wx, lag_ratio=0.05), FadeIn(names[0]), run_time=1.5)
        self.say(f"...and a learned bias is added, entry by entry: q = W_Q x + b_Q. These {hd} numbers are the query.")
        self.play(FadeIn(signs[1]), FadeIn(bias, lag_ratio=0.05), FadeIn(names[1]), run_time=1.2)
        self.play(FadeIn(signs[2]), FadeIn(q, shift=0.2 * RIGHT, lag_ratio=0.05), FadeIn(names[2]), run_time=1.2)
        self.say("In words, the query asks something like \u201cwhich adjective came before me?\u201d (a loose "
                 "reading: it is just these numbers).")
        self.wait(0.5)

        # The key of the word it will find, the same way with W_K
        q_end, q_name_end, _, _ = _qk_columns(s)
        kblock = MatrixBlock(s.W_K[r], name="W_K", cell=0.045)
        kvec = VectorColumn(d["head_input"][key], height=kblock.heat.width, width=0.28, vmax=x_vmax,
                            label=s.words[key], label_color=INK)
        kwx = _numbers(s.W_K[r] @ d["head_input"][key], how="the head's rows of W_K times the word's vector x")
        kbias, k = _numbers(s.b_K), _numbers(d["head_k"][key])
        ksigns = [MathTex(t, font_size=36) for t in ("=", "+", "=")]
        Group(kblock, kvec, ksigns[0], kwx, ksigns[1], kbias, ksigns[2], k).arrange(RIGHT, buff=0.25)
        Group(kblock, kvec, ksigns[0], kwx, ksigns[1], kbias, ksigns[2], k).move_to([1.2, EQ_Y, 0])
        kvec.set_y(EQ_Y)
        knames = VGroup(MathTex(r"W_K\vec{x}", font_size=30).next_to(kwx, UP, buff=0.12),
                        MathTex(r"\vec{b}_K", font_size=30).next_to(kbias, UP, buff=0.12),
                        _vec("k", s.words[key], 34).next_to(k, UP, buff=0.12))
        knames[1].align_to(knames[0], DOWN), knames[2].align_to(knames[0], DOWN)
        largest = computed(fmt(np.abs(s.b_K).max()), "the largest size of an entry of the key bias")
        self.say(f"The key of {quote(s.words[key])}: W_K's band times that word's vector x, plus W_K's own bias "
                 f"b_K, again {hd} numbers.")
        # the rest of the sum is gone before the query moves left across its place
        self.play(FadeOut(Group(block, vec, *signs, wx, bias, names[0], names[1]), rate_func=first_part(0.4)),
                  ReplacementTransform(q, q_end, rate_func=last_part(0.6)),
                  ReplacementTransform(names[2], q_name_end, rate_func=last_part(0.6)), run_time=1.4)
        self.play(LaggedStart(*[FadeIn(m) for m in (kblock, kvec, ksigns[0], kwx, knames[0], ksigns[1], kbias,
                                                    knames[1])], lag_ratio=0.15), run_time=2.0)
        self.say(f"This key bias is nearly zero (no entry is larger than {largest}): the key is W_K x, almost exactly.")
        self.play(FadeIn(ksigns[2]), FadeIn(k, lag_ratio=0.05), FadeIn(knames[2]), run_time=1.2)
        after = dot_stage(s)
        self.hand_off(after, keep={stage.row: after.row, q_end: after.q, q_name_end: after.q_name, k: after.k,
                                   knames[2]: after.k_name},
                      run_time=1.6)


class DotProduct(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, hd = s.d, s.quote, s.hd
        stage = self.open(dot_stage(s))
        q, k = stage.q, stage.k
        terms = d["c7_dot_terms"]  # query entry × key entry, one per row
        products = _numbers(terms).move_to([-1.9, EQ_Y, 0])
        times = MathTex(r"\times", font_size=34).move_to([(q.get_right()[0] + k.get_left()[0]) / 2, EQ_Y, 0])
        equals = MathTex("=", font_size=34).move_to([(k.get_right()[0] + products.get_left()[0]) / 2, EQ_Y, 0])
        p_name = MathTex(r"q_i\,k_i", font_size=30, color=INK).next_to(products, UP, buff=0.15).align_to(
            stage.q_name, DOWN)
        # the products as signed bars, one per row, on a common axis
        axis_x, unit = 0.6, 0.42
        bars = VGroup()
        for number, v in zip(products.numbers, terms):
            v = float(v)
            bar = Rectangle(width=max(abs(v) * unit, 0.02), height=0.2, stroke_width=0,
                            fill_color=POSITIVE if v >= 0 else NEGATIVE, fill_opacity=0.9)
            bars.add(bar.move_to([axis_x, number.get_y(), 0], aligned_edge=LEFT if v >= 0 else RIGHT))
        axis = Line([axis_x, products.get_top()[1], 0], [axis_x, products.get_bottom()[1], 0], stroke_color=MUTED,
                    stroke_width=1.5)
        dot = float(d["head_scores"][s.last, s.top_key]) * np.sqrt(hd)  # the scores are stored divided by sqrt(hd)
        dot_how = f"the {hd} products added (the stored score × √{hd})"
        total = MathTex(r"\vec{q}\cdot\vec{k}", "=", computed(tex(dot), dot_how), font_size=40)
        total.move_to([4.9, 1.5, 0])
        scaled = MathTex(rf"\div\sqrt{{{hd}}}", "=", tex(d["head_scores"][s.last, s.top_key]), font_size=40)
        scaled.next_to(total, DOWN, buff=0.5).align_to(total, RIGHT)
        score_name = _label("the score", 20, MUTED).next_to(scaled, DOWN, buff=0.2).align_to(scaled, RIGHT)

        # Entry by entry
        self.say(f"Now compare them: multiply the query and the key entry by entry, the first with the first, "
                 f"and so on down the {hd} rows.")
        self.play(FadeIn(times), FadeIn(equals), FadeIn(p_name), run_time=0.8)
        for i in range(3):
            pair = VGroup(q.numbers[i], k.numbers[i])
            box = SurroundingRectangle(VGroup(pair, products.numbers[i]), color=ACCENT, buff=0.05)
            self.play(Create(box), TransformFromCopy(pair, products.numbers[i]), run_time=0.8)
            self.play(FadeOut(box), run_time=0.3)
        rest = [i for i in range(3, hd)]
        # the rest row by row, each product appearing beside its pair (thirteen pairs flying at once left a
        # pile of half-morphed digits)
        self.play(LaggedStart(*[FadeIn(products.numbers[i], shift=0.25 * RIGHT) for i in rest], lag_ratio=0.15),
                  FadeIn(products[1]), FadeIn(products[2]), run_time=2.0)  # the numbers' brackets
        self.say("Drawn as bars: where both numbers share a sign the product is positive (blue), where they "
                 "differ it is negative (red).")
        self.play(Create(axis), LaggedStart(*[FadeIn(b, shift=0.1 * RIGHT) for b in bars], lag_ratio=0.05),
                  run_time=1.5)

        # The sum is the dot product; scaled, the score
        big = np.argsort(-np.asarray(terms, dtype=float))[:3]
        boxes = VGroup(*[SurroundingRectangle(VGroup(products.numbers[i], bars[i]), color=ACCENT, buff=0.04)
                         for i in big])
        self.say(f"Add all {hd}: the dot product is {computed(fmt(dot), dot_how)}. Three entries, "
                 f"{fmt(terms[big[0]])}, {fmt(terms[big[1]])} and {fmt(terms[big[2]])}, carry most of it.")
        self.play(Write(total), Create(boxes), run_time=1.5)
        self.say(f"Divided by \u221a{hd}, the square root of the head's size, it is the score of "
                 f"{quote(s.words[s.top_key])} for the query of {quote(s.words[s.last])}: "
                 f"{fmt(d['head_scores'][s.last, s.top_key])}.")
        self.play(FadeOut(boxes), Write(scaled), FadeIn(score_name), run_time=1.2)
        self.hand_off(plane_query_stage(plane_stage(s)), run_time=1.8)


class QueriesAsDirections(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words = s.d, s.quote, s.words
        stage = plane_stage(s)
        self.open(plane_query_stage(stage))
        xy = d["c7_plane"]
        length = xy[0, 0]  # the query lies along the x axis: its x is its length
        rows = [(i, f"{words[i]} (word {i + 1})" if i == s.noun else words[i])  # the noun comes twice
                for i in (s.top_key, s.other_adj, s.noun, s.last)]
        how = "the query's length × the key's x"
        table = VGroup(MathTex(r"\vec{q}\cdot\vec{k} = |\vec{q}|\times x_k", font_size=32))
        for i, word in rows:
            dot = computed(fmt(float(length) * float(xy[1 + i, 0])), how)
            color = POSITIVE if xy[1 + i, 0] >= 0 else NEGATIVE
            table.add(Text(f"{word}: {fmt(length)} \u00d7 {fmt(xy[1 + i, 0])} = {dot}", font=FONT, font_size=18,
                           color=color))
        table.arrange(DOWN, aligned_edge=LEFT, buff=0.3).move_to([1.7, 0.1, 0], aligned_edge=LEFT)

        # A real plane of the head's space
        self.say("Lists of numbers are hard to compare by eye: look at queries and keys as arrows instead, "
                 "projected onto one plane.")
        self.play(LaggedStart(*[GrowArrow(a) for a in stage.arrows], lag_ratio=0.25), run_time=1.4)
        self.play(FadeIn(stage.labels), FadeIn(stage.dots, lag_ratio=0.05), run_time=1.0)
        self.say(f"The plane holds the query of {quote(words[s.last])} itself, so each key's position along it "
                 "keeps its exact dot product with that query.")
        # each named key dropped onto the query's line: where it lands is its x
        y0 = stage.query.get_start()[1]
        drops = VGroup(*[DashedLine(a.get_end(), [a.get_end()[0], y0, 0], dash_length=0.08, stroke_width=2,
                                    color=a.get_color()) for a in stage.arrows])
        feet = VGroup(*[Dot([a.get_end()[0], y0, 0], radius=0.06, color=a.get_color()) for a in stage.arrows])
        self.play(LaggedStart(*[Create(line) for line in drops], lag_ratio=0.3), run_time=1.2)
        self.play(FadeIn(feet), FadeIn(table[0]), run_time=0.8)
        self.wait(0.5)

        # Only one key points the query's way
        own = computed(fmt(float(length) * float(xy[1 + s.last, 0])), how)
        self.say(f"Only the key of {quote(words[s.top_key])} points the query's way. The others point away "
                 f"(negative), or across it: the key of {quote(words[s.last])} itself, {own}.")
        self.play(FadeIn(table[1]), FadeIn(table[4]), Indicate(stage.arrows[0], color=POSITIVE), run_time=1.2)
        self.say(f"Even {quote(words[s.other_adj])} and {quote(words[s.noun])} point away. From "
                 f"{quote(words[s.last])}, this head is after one adjective, not both.")
        self.play(FadeIn(table[2:4], lag_ratio=0.3), run_time=1.2)
        self.wait(0.5)
        self.hand_off(grid_stage(s), run_time=1.8)


class AttentionPattern(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words, n = s.d, s.quote, s.words, len(s.words)
        hd = s.hd
        scaled = d["head_scores"]
        raw = scaled * np.sqrt(hd)  # the stored scores are already divided by sqrt(hd)
        stage = self.open(grid_stage(s))
        grid, steps = stage.grid, stage.steps
        shown = [s.noun, s.last]  # the columns whose numbers are printed beside the grid
        xs = [0.55, 1.85]
        heads = VGroup(*[Text(words[c], font=FONT, font_size=18, color=ACCENT).move_to(
            [x, grid.query_labels.get_bottom()[1] + 0.15, 0]) for c, x in zip(shown, xs)])
        heads.add(*[_label(f"(query {c + 1})", 16).next_to(h, UP, buff=0.08) for c, h in zip(shown, heads)])

        def numbers(values, masked=False, signed=True):
            """The shown columns' numbers, one per key row: ``values(query, key)`` is the text; a
            masked key's score reads minus infinity."""
            out = VGroup()
            for c, x in zip(shown, xs):
                col = VGroup()
                for k in range(n):
                    y = grid.cells[k][0].get_y()
                    if masked and k > c:
                        text, color = masked, MUTED
                    else:
                        text = values(c, k)
                        color = (NEGATIVE if text.startswith("\u2212") else POSITIVE) if signed else INK
                    col.add(Text(text, font=FONT, font_size=18, color=color).move_to([x, y, 0]))
                out.add(col)
            return out

        legend = VGroup(_label("blue: they match", 18, POSITIVE), _label("red: they don\u2019t", 18, NEGATIVE),
                        _label("grey: \u2212\u221e, later words", 18)).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        legend.next_to(steps, DOWN, buff=0.5).align_to(steps, LEFT)

        def light(i):
            return [steps[j].animate.set_color(ACCENT if j == i else MUTED) for j in range(len(steps))]

        # Every query against every key
        self.say("Every word has a query and a key. Keys down the side, queries across the top: each square "
                 "is one real query-key dot product.")
        vmax = float(np.abs(raw).max())
        raw_how = f"query · key: the stored score × √{hd}"
        raw_numbers = numbers(lambda c, k: computed(fmt(raw[c, k]), raw_how))
        self.play(grid.shade(raw, vmax), *light(0), FadeIn(legend[:2]), run_time=1.5)
        grid.settle(self)
        self.say(f"Beside it, the numbers of two columns: the queries of {quote(words[s.noun])} and of "
                 f"{quote(words[s.last])}. The one we computed is there: {fmt(raw[s.last, s.top_key])}.")
        self.play(FadeIn(heads), FadeIn(raw_numbers, lag_ratio=0.02), run_time=1.2)
        self.play(Indicate(raw_numbers[1][s.top_key]), run_time=1.0)

        # Scaled
        scaled_numbers = numbers(lambda c, k: fmt(scaled[c, k]))
        self.say(f"Divide by \u221a{hd} = {np.sqrt(hd):g}, the square root of the head's size: it keeps the "
                 "scores in a range where softmax works well.")
        # on the same colour scale: the pattern stays, its range shrinks four-fold (the squares dim)
        self.play(Transform(raw_numbers, scaled_numbers), grid.shade(scaled, vmax), *light(1), run_time=1.0)
        grid.settle(self)

        # Masked: minus infinity before the softmax
        masked_numbers = numbers(lambda c, k: fmt(scaled[c, k]), masked="\u2212\u221e")
        self.say("No looking ahead: a word may not use later words. Their scores are set to \u2212\u221e "
                 "before the softmax: weight 0.")
        self.play(grid.mask(), Transform(raw_numbers, masked_numbers), *light(2), FadeIn(legend[2]), run_time=1.2)
        grid.settle(self)
        self.wait(0.5)

        # Softmax, column by column
        weights = numbers(lambda c, k: percent(s.pattern[c, k]), masked="0", signed=False)
        self.say("Softmax turns each column into weights that add up to 1. Each dot's area is a real "
                 "attention weight.")
        animation, frame = grid.softmax(s.pattern, run_time=4.0)
        self.play(animation, Transform(raw_numbers, weights), *light(3))
        grid.keep_dots(self)
        # the colours of the scores are gone (dots now): so is their key; the grey of the masked squares stays
        self.play(FadeOut(frame), FadeOut(legend[:2]), legend[2].animate.align_to(legend, UP), run_time=0.4)
        legend.remove(*legend[:2])  # gone for good: a fade of the whole legend later must not bring them back

        # What the head does: one adjective from the last word
        last, top, other = s.last, s.top_key, s.other_adj
        box = SurroundingRectangle(grid.cell_at(last, top), color=ACCENT, buff=0.03)
        num_box = SurroundingRectangle(raw_numbers[1][top], color=ACCENT, buff=0.06)
        self.say(f"From {quote(words[last])}, the head puts {percent(s.pattern[last, top])} on "
                 f"{quote(words[top])}: one adjective. {quote(words[other])} gets {percent(s.pattern[last, other])}.")
        self.play(Create(box), Create(num_box))

        # The noun's column, beside the baseline of even attention
        noun = s.noun
        noun_share = computed(percent(s.pattern[noun, s.adj_pos].sum()),
                              f"the weights of {quote(words[noun])} on the two adjectives, added")
        visible = noun + 1
        even = computed(percent(len(s.adj_pos) / visible), "adjectives ÷ words the noun may see")
        noun_box = SurroundingRectangle(VGroup(*[raw_numbers[0][i] for i in s.adj_pos]), color=ACCENT, buff=0.06)
        self.say(f"From the first {quote(words[noun])}, {noun_share} goes to {quote(words[s.adj_pos[0]])} and "
                 f"{quote(words[s.adj_pos[1]])}. It sees {visible} words: even weights would give those two "
                 f"{even}.")
        self.play(Create(noun_box))
        self.say(f"So for the noun this head barely beats even attention ({noun_share} against {even}). "
                 f"Its sharp work is from {quote(words[last])}.")
        self.wait(0.5)

        # The pattern grows with the square of the context
        squares = computed(f"{n * n:,}", "words × words")
        full = computed(f"{s.context * s.context:,}", "the context length × itself")
        side = 0.135  # one score's square, for both drawings
        small = Rectangle(width=n * side, height=n * side, stroke_color=ACCENT, stroke_width=2, fill_color=FAINT,
                          fill_opacity=0.6)
        big = Rectangle(width=s.context * side, height=s.context * side, stroke_color=MUTED, stroke_width=2)
        big.move_to([4.75, 1.55, 0])
        small.align_to(big, UP + LEFT)
        sizes = VGroup(_label(f"{n} words: {squares} scores", 20, ACCENT),
                       _label(f"{s.context} words: {full} scores", 20))
        sizes.arrange(DOWN, aligned_edge=LEFT, buff=0.12).next_to(big, DOWN, buff=0.25).align_to(big, LEFT)
        self.say(f"{n} words make {n} \u00d7 {n} = {squares} scores. The model reads up to {s.context} words: "
                 f"{full}. Twice the context, four times the squares.")
        self.play(FadeOut(legend), FadeOut(steps), run_time=0.6)  # the comparison takes their place
        self.play(FadeIn(small), FadeIn(sizes[0]), run_time=0.8)
        self.play(Create(big), FadeIn(sizes[1]), run_time=1.2)
        self.hand_off(values_stage(s), run_time=1.8)


class ValuesAndChange(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words = s.d, s.quote, s.words
        C, hd, r = s.n_embd, s.hd, s.head_rows
        last, key, noun = s.last, s.top_key, s.noun
        stage = self.open(values_stage(s))
        wv, x_key, eq1, v_key, v_name = _value_parts(s)

        # A value for every word
        self.say(f"A third matrix, W_V, turns each word into a value. For {quote(words[key])}, {s.names[1]}'s "
                 f"{hd} \u00d7 {C} band gives these {hd} numbers.")
        self.play(FadeIn(eq1), FadeIn(v_key, lag_ratio=0.05), FadeIn(v_name), run_time=1.2)

        # The weighted sum of values
        w_top = float(s.pattern[last, key])
        mixed = _numbers(d["head_mixed"][last])
        mixed.move_to([2.9, EQ_Y, 0])
        mixed_name = MathTex(r"\textstyle\sum_k w_k \vec{v}_k", font_size=34, color=INK).next_to(mixed, UP,
                                                                                                   buff=0.12)
        # the sum written out, largest weights first (the weights are the softmax scene's percentages)
        order = [int(i) for i in np.argsort(-s.pattern[last])]
        shares = [computed(percent(s.pattern[last, i]).rstrip("%"),  # declared as the formula writes it: no % sign
                           f"the attention weight of {quote(words[last])} on word {i + 1}, in %") for i in order[:3]]
        terms = [MathTex(("" if j == 0 else "+\\,") + shares[j] + r"\%",
                         rf"\,\vec{{v}}_{{\text{{{words[i]}}}}}", font_size=30) for j, i in enumerate(order[:3])]
        more = computed(len(order) - 3, "the words the sum has, less the three written")
        terms.append(MathTex(rf"+\,\dots\ \text{{({more} more)}}", font_size=30))
        terms.append(MathTex(r"=", font_size=36))
        arrow_text = VGroup(*terms).arrange(DOWN, aligned_edge=LEFT, buff=0.22).move_to([0.75, EQ_Y, 0])
        terms[-1].move_to([2.05, EQ_Y, 0])
        sum_is = "nearly" if w_top > 0.9 else "mostly"
        self.say(f"{quote(words[last])} adds up every word's value, each times its weight: "
                 f"{percent(w_top)} of the value of {quote(words[key])}, plus tiny shares of the others.")
        self.play(FadeIn(terms[0], shift=0.2 * RIGHT), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(t, shift=0.1 * DOWN) for t in terms[1:4]], lag_ratio=0.4), run_time=1.5)
        self.say(f"With {percent(w_top)} on {quote(words[key])}, the sum is {sum_is} its value.")
        self.play(FadeIn(terms[4]), FadeIn(mixed, lag_ratio=0.05), FadeIn(mixed_name), run_time=1.5)
        self.wait(0.5)

        # Back to the embedding's size through W_O
        # as tall as the column of 16 it multiplies (its 64 rows can be no taller on screen), so the
        # change it gives, 64 numbers, is never drawn shorter than the 16 that made it
        wo = MatrixBlock(s.W_O[:, r], name="W_O", cell=float(mixed.height) / len(s.W_O))
        change = d["head_change"]
        dvmax = float(np.abs(change[last]).max())
        delta = VectorColumn(change[last], height=wo.heat.height, width=0.28, vmax=dvmax)
        delta_name = MathTex(r"\Delta\vec{E}", font_size=34, color=INK).next_to(delta, UP, buff=0.12)
        eq2 = MathTex("=", font_size=36)
        target = Group(wo, mixed.copy(), eq2, delta).arrange(RIGHT, buff=0.3).move_to([0, EQ_Y, 0])
        wo.set_y(EQ_Y), delta.set_y(EQ_Y)
        delta_name.next_to(delta, UP, buff=0.12)
        self.say(f"A slice of the output matrix W_O, {C} \u00d7 {hd}, takes those {hd} numbers back to "
                 f"{C}: the change this head adds.")
        self.play(FadeOut(Group(stage.wv, stage.x_key, eq1, v_key, v_name, arrow_text)), run_time=0.6)
        self.play(Group(mixed, mixed_name).animate.move_to(target[1].get_center() + 0.2 * UP), FadeIn(wo),
                  run_time=1.2)
        self.play(FadeIn(eq2), FadeIn(delta), FadeIn(delta_name), run_time=1.0)
        self.wait(0.5)

        # Before and after, for the noun and for the last word
        shown = 8
        resid = d["head_resid"]
        panels = Group()
        for pos, x in ((noun, -3.4), (last, 3.4)):
            before, add = _numbers(resid[pos], shown, sig=2, row_gap=0.1), _numbers(change[pos], shown, sig=2,
                                                                                    row_gap=0.1)
            after = _numbers(resid[pos] + change[pos], shown, sig=2, row_gap=0.1,
                             how="the vector before plus the change, entry by entry")
            plus, equals = MathTex("+", font_size=36), MathTex("=", font_size=36)
            body = Group(before, plus, add, equals, after).arrange(RIGHT, buff=0.22).move_to([x, 0.0, 0])
            names = VGroup(*[MathTex(t, font_size=30, color=c).next_to(m, UP, buff=0.15) for t, c, m in
                             ((r"\vec{E}", INK, before), (r"\Delta\vec{E}", INK, add),
                              (r"\vec{E}\,'", INK, after))])
            names.align_to(names[0], DOWN)
            word = Text(words[pos], font=FONT, font_size=24, color=ACCENT).next_to(names, UP, buff=0.3)
            where = _label(f"word {pos + 1}", 18).next_to(word, RIGHT, buff=0.2)
            panels.add(Group(body, names, word, where))
        layer_name = s.names[0]
        self.say(f"The change is added to E, the word's vector entering {layer_name} (x is E, normalised). Here are "
                 f"the first {shown} of its {C} numbers.")
        self.play(FadeOut(Group(wo, mixed, mixed_name, eq2, delta, delta_name)), run_time=0.6)
        panels[1].shift(3.4 * LEFT)  # alone in the middle first; it makes room when the noun joins it
        self.play(FadeIn(panels[1]), run_time=1.2)
        self.say(f"Every word gets such a change at once, {quote(words[noun])} too: each from its own column "
                 "of attention weights.")
        self.play(LaggedStart(panels[1].animate.shift(3.4 * RIGHT), FadeIn(panels[0], shift=0.4 * RIGHT),
                              lag_ratio=0.6), run_time=1.8)  # the noun comes in once the room is made
        self.wait(0.5)
        self.hand_off(heads_stage(s), run_time=1.8)  # the sentence gives way to the words on the patterns


class ManyHeads(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words = s.d, s.quote, s.words
        stage = self.open(heads_stage(s))
        patterns = d["all_patterns"]  # (layers, heads, T, T)
        L, H = patterns.shape[:2]
        thumbs = stage.thumbs
        ours_box = SurroundingRectangle(thumbs[s.layer * H + s.head].frame, color=ACCENT, buff=0.05)
        last, top, noun = s.last, s.top_key, s.noun

        # Many heads, side by side
        self.say(f"Each layer runs {H} heads side by side, each with its own W_Q, W_K and W_V. Here are all "
                 f"{L * H} real patterns for our sentence.")
        self.play(Create(ours_box), run_time=1.0)
        self.say(f"Ours is {s.head_name(s.layer, s.head)}: the marked square is {quote(words[last])} looking at "
                 f"{quote(words[top])}, {percent(patterns[s.layer, s.head, last, top])}.")
        mark1 = thumb_cell(s, stage, s.layer, s.head, last, top)
        self.play(Create(mark1), run_time=0.8)

        # The other adjective: gathered into the noun, then read by layer 2
        gl, gh = s.gather
        fluffy = s.other_adj
        mark2 = thumb_cell(s, stage, gl, gh, noun, fluffy)
        self.say(f"The other adjective takes another road. In {s.head_name(gl, gh)}, {quote(words[noun])} puts "
                 f"{percent(patterns[gl, gh, noun, fluffy])} on {quote(words[fluffy])}.")
        self.play(Create(mark2), run_time=0.8)
        marks = VGroup(*[thumb_cell(s, stage, rl, rh, last, noun) for rl, rh in s.read])
        read_heads = " and ".join(str(h + 1) for _, h in s.read)
        shares = " and ".join(percent(patterns[rl, rh, last, noun]) for rl, rh in s.read)
        self.say(f"Then in layer 2, heads {read_heads} look from {quote(words[last])} back to that "
                 f"{quote(words[noun])}: {shares}.")
        self.play(Create(marks), run_time=0.8)
        self.say("That is what the patterns suggest. To test it, cut one link at a time and watch the prediction.")
        self.wait(0.5)
        self.hand_off(route_stage(s), run_time=1.8)


class CuttingTheRoute(ChapterSevenScene):
    def construct(self):
        s = Story()
        quote, words = s.quote, s.words
        stage = self.open(route_stage(s))
        bars = stage.bars
        top, other = words[s.top_key], words[s.other_adj]
        before = s.two("none")

        route = [stage.direct, *stage.gather, stage.read]

        def cut_mark(arcs: VGroup, *names: VGroup) -> VGroup:
            """A cross on each cut arc, the crosses placed together as far as they can be from the
            route's arcs left whole, from the names drawn (``names`` too) and from each other: a
            cross where a cut arc meets one left whole would seem to cut both."""
            whole = [m for m in route if all(m is not arc for arc in arcs)]
            near = np.concatenate([[m.point_from_proportion(t) for t in np.linspace(0, 1, 41)] for m in whole]
                                  + [[n.get_corner(c) for c in (UL, UR, DL, DR)] + [n.get_center()]
                                     for n in [*stage.names, *names]])
            spots = [[arc.point_from_proportion(t) for t in np.linspace(0.3, 0.8, 11)] for arc in arcs]

            def clearance(points) -> float:  # the nearest thing to any of the crosses
                gaps = [float(np.min(np.linalg.norm(near - q, axis=1))) for q in points]
                gaps += [float(np.linalg.norm(a - b)) for i, a in enumerate(points) for b in points[i + 1:]]
                return min(gaps)

            out = VGroup()
            for p in max(itertools.product(*spots), key=clearance):
                out.add(VGroup(Line(p + 0.16 * (UP + LEFT), p + 0.16 * (DOWN + RIGHT)),
                               Line(p + 0.16 * (UP + RIGHT), p + 0.16 * (DOWN + LEFT))).set_stroke(NEGATIVE, 6))
            return out

        done: list = []  # the previous cut (its arcs and crosses), mended as the next is made

        def cut(arcs: VGroup, name: str, caption: str) -> None:
            crosses = cut_mark(arcs)
            self.say(caption)
            mend = [FadeOut(done[1]), ApplyFunction(_dimmed(1.0), done[0])] if done else []
            self.play(*mend, Create(crosses), ApplyFunction(_dimmed(0.3), arcs),
                      Transform(bars, bars.reshaped(s.two(name))), run_time=1.4)
            done[:] = [arcs, crosses]

        self.say(f"The route, as the patterns draw it: {quote(top)} straight from {quote(words[s.last])}; "
                 f"{quote(other)} first into {quote(words[s.noun])}, then on to {quote(words[s.last])}.")
        self.play(Indicate(stage.names), run_time=1.0)
        # why −∞ cuts: the softmax raises e to each score, and e to −∞ is 0 (no model numbers here)
        why = VGroup(*[MathTex(t, font_size=32) for t in (r"\text{score} \to -\infty", r"e^{\text{score}} \to 0",
                                                           r"\text{weight} = 0")])
        why.arrange(DOWN, buff=0.22, aligned_edge=LEFT).move_to([-5.3, -1.5, 0])
        self.say("To cut a link, set its score to \u2212\u221e before the softmax, exactly as the mask does: the "
                 "query takes nothing from that key.")
        self.play(LaggedStart(*[FadeIn(part, shift=0.1 * RIGHT) for part in why], lag_ratio=0.35), run_time=2.0)
        self.wait(0.5)
        direct, gather, read = s.two("direct"), s.two("gather"), s.two("read")
        cut(VGroup(stage.direct), "direct",
            f"Cut {quote(top)} \u2192 {quote(words[s.last])} in {s.head_name(s.layer, s.head)}: {quote(top)} falls "
            f"from {percent(before[0])} to {percent(direct[0])}; {quote(other)} dips from {percent(before[1])} to "
            f"{percent(direct[1])}.")
        cut(stage.gather, "gather",
            f"Cut both links into {quote(words[s.noun])} in {s.head_name(*s.gather)}: {quote(other)} falls from "
            f"{percent(before[1])} to {percent(gather[1])}, and {quote(top)} rises to {percent(gather[0])}.")
        read_heads = " and ".join(str(h + 1) for _, h in s.read)
        cut(VGroup(stage.read), "read",
            f"Cut {quote(words[s.noun])} \u2192 {quote(words[s.last])} in layer 2's heads {read_heads}: "
            f"{quote(other)} falls to {percent(read[1])} again ({quote(top)} {percent(read[0])}). The route is real.")
        self.finish_reading()  # the last cut stays on screen until its caption has been read

        # To compare: our head's own noun -> adjectives links
        row = stage.row
        ours = VGroup(*[_arc(row, s.noun, a, above=False, angle=1.9, color=MUTED) for a in s.adj_pos])
        noun_row = s.two("noun row")
        share = computed(percent(s.pattern[s.noun, s.adj_pos].sum()),
                         f"the weights of {quote(words[s.noun])} on the two adjectives, added")
        ours_name = _label(f"{s.head_name(s.layer, s.head)}, to compare", 20, MUTED)
        ours_name.next_to(ours, DOWN, buff=0.15).align_to(row, LEFT)
        crosses = cut_mark(ours, ours_name)
        self.say(f"To compare, cut {s.head_name(s.layer, s.head)}'s own links from the adjectives into "
                 f"{quote(words[s.noun])} ({share} of its weight): {quote(top)} {percent(noun_row[0])}, "
                 f"{quote(other)} {percent(noun_row[1])}.")
        # the route mended and dimmed in place; this head's links drawn under the words
        self.play(FadeOut(done[1]), ApplyFunction(_dimmed(0.3), VGroup(stage.direct, stage.gather, stage.read)),
                  VGroup(stage.shares, stage.names).animate.set_opacity(0.3), Transform(bars, bars.reshaped(before)),
                  FadeIn(ours), FadeIn(ours_name), run_time=1.0)
        self.play(Create(crosses), ApplyFunction(_dimmed(0.3), ours),
                  Transform(bars, bars.reshaped(noun_row)), run_time=1.4)
        self.say("The prediction barely moves: those links are not the route. Looking at a pattern suggests; "
                 "cutting a link tests.")
        self.wait(0.5)
        self.hand_off(params_stage(s), run_time=1.8)


class Parameters(ChapterSevenScene):
    def construct(self):
        s = Story()
        C = s.n_embd
        stage = self.open(params_stage(s))
        lines = params_lines(s)
        d = s.d
        groups = [str(g) for g in d["param_groups"]]
        attn_total = int(d["param_group_counts"][groups.index("attention")])
        total = int(d["n_params"])
        attn_share = computed(percent(attn_total / total), "the attention parameters ÷ all the model's")

        # Parameter counts, from the real matrices
        biases = params_biases(s, stage.blocks)
        self.say(f"The cost: in each layer, W_Q, W_K, W_V and W_O are {C} \u00d7 {C}, plus a bias of "
                 f"{C} numbers each.")
        self.play(LaggedStart(*[Indicate(b.frame, color=ACCENT, scale_factor=1.0) for b in stage.blocks], lag_ratio=0.2),
                  run_time=1.2)
        self.play(LaggedStart(*[FadeIn(b, shift=0.1 * LEFT) for b in biases], lag_ratio=0.2), run_time=1.2)
        self.say(f"Each head owns {s.hd} rows of W_Q, W_K and W_V and {s.hd} columns of W_O: a quarter of each "
                 "matrix.")
        heads = params_heads(s, stage.blocks)
        self.play(LaggedStart(*[Create(b) for b in heads], lag_ratio=0.2), run_time=1.4)
        self.play(FadeIn(lines[0]), run_time=1.0)
        self.play(FadeIn(lines[1]), run_time=1.0)
        self.say(f"Both layers together: {attn_total:,} parameters, {attn_share} of the whole model.")
        self.play(FadeIn(lines[2]), run_time=1.0)
        self.say("Real models run many more heads. GPT-3, by its published figures, has 96 layers of 96 heads "
                 "each: 9,216 heads.")
        self.play(FadeIn(lines[3]), run_time=1.0)
        after = recap_stage(s)
        self.hand_off(after, keep={stage.blocks: after.blocks, biases: after.biases, heads: after.heads,
                                   lines: after.lines}, run_time=1.0)


class Recap(ChapterSevenScene):
    def construct(self):
        s = Story()
        stage = self.open(recap_stage(s))
        self.recap_card(
            [
                "A query asks, a key answers: their dot product, entry by entry, scores the match.",
                "Scaled, masked (\u2212\u221e for later words) and softmaxed, scores become weights.",
                "The weighted values, through W_O, change each word's vector.",
                "Many heads run side by side; cutting links shows the route a word takes.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [AdjectivesUpdateNouns, QueriesAndKeys, DotProduct, QueriesAsDirections, AttentionPattern,
          ValuesAndChange, ManyHeads, CuttingTheRoute, Parameters, Recap]
