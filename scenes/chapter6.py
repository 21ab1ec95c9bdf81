"""Chapter 6, "Transformers, the tech behind LLMs", drawn from the tiny language model.

One film in eleven beats, following one sentence, "The king sat on the", from its text to its
next word: tokens and their ids; the embedding matrix's rows, and each word's position vector
added to its token vector; king's nearest words in the embedding space, then what
king − man + woman changes; the dot product; attention as arrows between the sentence's words,
with the weights of two real heads; the residual stream, each block adding its change to the
last word's vector; the unembedding and softmax; temperature; the parameter formula taken
apart matrix by matrix (W_Q, W_K, W_V, W_O and the MLP's two matrices, with their real shapes)
and checked against the real count; the context window, and the matrix-vector product that
every step is made of.

Every token id, vector entry, projected point, cosine, attention weight, logit, probability,
shape and parameter count on screen comes from the ``lm-story`` artifact (``models/lm_story.py``
``chapter6_parts`` and ``models/lm_chapter6.py``, keys ``ch6_*``) or from the weights in the
``lm`` artifact (drawn as heat maps). GPT-3's sizes are its published ones, labelled so.
``tests/test_chapter6_numbers.py`` checks the numbers against the numpy transformer of
``tests/numpy_gpt.py`` and ``tests/golden/chapter6.json`` pins them.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 6``, or one scene with
``python render.py render 6 --scene AttentionArrows``.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    ORIGIN,
    PI,
    RIGHT,
    UP,
    UR,
    ArcBetweenPoints,
    Arrow,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    MoveToTarget,
    Rectangle,
    Restore,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    Write,
    interpolate_color,
)

from scenes.base import ARRIVE, LEAVE, ChapterScene, Stage, artifact_arrays
from scenes.lm_pieces import (
    EmbeddingPlot,
    MatrixBlock,
    PatternThumb,
    ProbabilityBars,
    TemperatureSlider,
    TokenRow,
    VectorColumn,
    percent,
    top_words,
)
from scenes.palette import BACKGROUND, FAINT, INK, MUTED
from scenes.pieces import (ACCENT, FONT, NEGATIVE, POSITIVE, HeatMap, NumberColumn, agreeing_sig, as_shown, boxes_meet,
                           fmt, signed_columns, tex)
from scenes.transcript import computed, constant, note_drawing

NUMBER = 6
TITLE = "Transformers, the tech behind LLMs"
ARTIFACTS = ("lm-story", "lm")


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-story", "language.npz")


def weights() -> dict[str, np.ndarray]:
    return artifact_arrays("lm", "weights.npz")


def _words(d: dict, key: str) -> list[str]:
    return [str(w) for w in np.atleast_1d(d[key])]


def _vmax(values: np.ndarray) -> float:
    """Brightness scale for a big matrix: its 99th percentile of |value| (a few extremes saturate)."""
    return float(np.percentile(np.abs(values), 99))


def _count(n: int) -> str:
    return f"{int(n):,}"


def _tex_count(n: int) -> str:
    return f"{int(n):,}".replace(",", "{,}")


def _tex_computed(n: int, how: str) -> str:
    """:func:`_tex_count` of a count computed in the scene (``how`` says from what), declared so."""
    computed(_count(n), how)
    return _tex_count(n)


def _share(part: float, whole: float, how: str) -> str:
    """A share as a whole percentage, computed in the scene from two traced counts."""
    return computed(f"{100 * part / whole:.0f}%", how)


def _strip(values: np.ndarray, vmax: float, length: float, thickness: float, vertical: bool = True) -> HeatMap:
    """A vector as one thin coloured strip (one cell per entry), on the palette."""
    values = np.asarray(values)
    heat = HeatMap(values[:, None] if vertical else values[None, :], vmax=vmax, height=1.0)
    if vertical:
        heat.stretch_to_fit_height(length).stretch_to_fit_width(thickness)
    else:
        heat.stretch_to_fit_width(length).stretch_to_fit_height(thickness)
    return heat


def _frame(mob, color=MUTED) -> Rectangle:
    return Rectangle(width=mob.width, height=mob.height, stroke_color=color, stroke_width=1.5).move_to(mob)


def _baseline(mob: Text, text: str) -> float:
    """The y of a Text's baseline: the lowest bottom of its letters and digits without descenders."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) != len(mob.submobjects):
        return float(mob.get_bottom()[1])
    bottoms = [g.get_bottom()[1] for c, g in zip(chars, mob) if c.isalnum() and c not in "gjpqyQ"]
    return float(min(bottoms)) if bottoms else float(mob.get_bottom()[1])


def _cell(text: str, x: float, y: float, align=LEFT, font_size: int = 22, color=INK) -> Text:
    """A table cell: its left (or right) edge at ``x``, its baseline at ``y`` (rows line up on their letters)."""
    mob = Text(text, font=FONT, font_size=font_size, color=color).move_to([x, 0, 0], aligned_edge=align)
    return mob.shift(UP * (y - _baseline(mob, text)))


def _readable(column: NumberColumn, values) -> NumberColumn:
    """The palette's blue or red, brighter for bigger values, but never so dark that a number is hard to read."""
    values = [float(v) for v in values]
    vmax = max(abs(v) for v in values) or 1.0
    for number, v in zip(column.numbers, values):
        number.set_color(interpolate_color(BACKGROUND, POSITIVE if v >= 0 else NEGATIVE, 0.6 + 0.4 * abs(v) / vmax))
    return column


def _big(v: float, sig: int = 3) -> str:
    """A large positive number to ``sig`` significant digits with thousands separators (1,950,000),
    and no decimals from a hundred up."""
    v = float(v)
    return f"{float(f'{v:.{sig}g}'):,.0f}" if v >= 100 else fmt(v, sig)


def softmax_digits(raised: np.ndarray, total: float, probs: np.ndarray) -> int:
    """The fewest significant digits (three or more) at which e to each shown logit and their sum,
    written out, divide to the very percentages the bars show beside them."""
    def written(v: float, sig: int) -> float:
        return float(_big(v, sig).replace(",", ""))

    for sig in range(3, 9):
        if all(percent(written(v, sig) / written(total, sig)) == percent(float(p)) for v, p in zip(raised, probs)):
            return sig
    return 9


def _hstrip(values: np.ndarray, vmax: float, length: float, thickness: float = 0.42) -> Group:
    """A vector as one horizontal strip with a thin frame."""
    strip = _strip(values, vmax, length, thickness, vertical=False)
    return Group(strip, _frame(strip, FAINT))


def _vstrip(values: np.ndarray, vmax: float, length: float, thickness: float = 0.4) -> VectorColumn:
    """A vector as one vertical strip (first entry on top) in a faint frame."""
    column = VectorColumn(values, height=length, width=thickness, vmax=vmax)
    column.frame.set_stroke(FAINT)
    return column


def _prompt(d: dict) -> tuple[list[str], list[int]]:
    return str(d["unembed_prompt"]).split(), [int(i) for i in d["unembed_ids"]]


def _id_labels(row: TokenRow, ids: list[int], font_size: int = 28) -> VGroup:
    return VGroup(*[Text(str(i), font=FONT, font_size=font_size, color=ACCENT).next_to(box, DOWN, buff=0.18)
                    for i, box in zip(ids, row.boxes)])


def _asking_row(words: list[str], font_size: int = 24) -> TokenRow:
    """The sentence and a box for the word to come, the last in yellow."""
    row = TokenRow(words + ["?"], font_size=font_size)
    row.boxes[-1].set_stroke(ACCENT)
    row.labels[-1].set_color(ACCENT)
    return row


# ----------------------------------------------------------------------------- the stages (one per join)


def tokens_stage(d: dict, y: float = 3.1) -> Stage:
    """The sentence's tokens with their ids under them, across the top."""
    words, ids = _prompt(d)
    row = TokenRow(words, font_size=36, buff=0.25).move_to([1.6, y, 0])
    return Stage(row=row, ids=_id_labels(row, ids))


def _space_plot(d: dict) -> EmbeddingPlot:
    xy = d["space_2d"]
    span = np.ptp(np.asarray(xy, dtype=float), axis=0)
    size = min(5.6 * span.max() / span[0], 4.3 * span.max() / span[1])  # the longest side, so the plot fits 5.6 × 4.3
    plot = EmbeddingPlot(xy, _words(d, "embedding_words"), size=size, font_size=24, sides={"man": DOWN, "woman": DOWN})
    return plot.move_to([-3.7, 0.75, 0])


def space_stage(d: dict) -> Stage:
    """The embedding plot, large on the left, with what its axes are."""
    plot = _space_plot(d)
    cols = int(d["embedding_shape"][1])
    head = Text(f"the model's own word vectors, projected from {cols}-D to 2-D", font=FONT, font_size=18, color=MUTED)
    head.scale_to_fit_width(min(head.width, 7.4))  # as wide as the left half allows, clear of the table
    head.move_to([-6.95, 3.55, 0], aligned_edge=LEFT)
    axis = VGroup(Text("x: the average step from a male word to its female partner", font=FONT, font_size=18,
                       color=MUTED),
                  Text("y: the largest remaining spread", font=FONT, font_size=18, color=MUTED))
    axis.arrange(DOWN, buff=0.08, aligned_edge=LEFT)
    axis.scale_to_fit_width(min(axis.width, 7.4)).move_to([-6.95, -2.2, 0], aligned_edge=LEFT)
    # the plot's parts, not the plot: its ``scale`` attribute (a number) hides Mobject.scale from FadeIn
    stage = Stage(head=head, axes=plot.axes, dots=plot.dots, labels=plot.labels, axis=axis)
    stage.plot = plot  # for its coordinates
    return stage


def _dot_strips(d: dict) -> tuple[Group, VGroup, np.ndarray]:
    w = weights()
    E = w["transformer.wte.weight"]
    vocab = _words(d, "vocab")
    names = _words(d, "dot_words")
    king, first = E[vocab.index("king")], E[vocab.index(names[0])]
    vmax = float(np.abs(np.concatenate([king, first])).max())
    strips = Group(*[_hstrip(v, vmax, 10.2, 0.6) for v in (king, first)])
    product = king * first  # entry by entry
    strips.add(_hstrip(product, float(np.abs(product).max()), 10.2, 0.6))
    strips.arrange(DOWN, buff=0.35).move_to([1.6, 2.35, 0])
    labels = VGroup(*[Text(t, font=FONT, font_size=22, color=c).next_to(s, LEFT, buff=0.25)
                      for t, s, c in zip(["king", names[0], f"king \u00d7 {names[0]}"], strips, [INK, INK, ACCENT])])
    return strips, labels, product


def dots_stage(d: dict) -> Stage:
    """King's and its nearest word's vectors as long strips across the top."""
    strips, labels, _ = _dot_strips(d)
    return Stage(strips=strips[:2], labels=labels[:2])


def attention_stage(d: dict) -> Stage:
    """The sentence, large, across the middle: the words attention joins."""
    words, _ = _prompt(d)
    return Stage(row=TokenRow(words, font_size=44, buff=0.55).move_to([0, 0.45, 0]))


STREAM_Y = (2.35, 1.55, 0.9, 0.25, -0.4, -1.55)  # the start, the four changes, the vector so far
STREAM_X = (-6.9, -2.9, 5.6)  # labels' left edge, strips' left and right edges
LENGTH_X = 6.3  # the column of the strips' lengths


def _stream_label(text: str, y: float, color=INK) -> Text:
    label = Text(text, font=FONT, font_size=21, color=color)
    room = STREAM_X[1] - STREAM_X[0] - 0.2  # a label ends before its strip begins
    if label.width > room:
        label.scale_to_fit_width(room)
    return label.move_to([STREAM_X[0], y, 0], aligned_edge=LEFT)


def _stream_strip(values: np.ndarray, vmax: float, y: float) -> Group:
    return _hstrip(values, vmax, STREAM_X[2] - STREAM_X[1], 0.42).move_to([(STREAM_X[1] + STREAM_X[2]) / 2, y, 0])


def _stream_length(values: np.ndarray, y: float, color=MUTED) -> Text:
    """A strip's length (the root of its sum of squares) at the right of its row: on one colour
    scale a short vector is a faint strip, and its length says by how much."""
    length = computed(fmt(float(np.linalg.norm(np.asarray(values, dtype=float))), 2),
                      "the vector's length: the root of its sum of squares")
    return Text(length, font=FONT, font_size=21, color=color).move_to([LENGTH_X, y, 0])


def _stream_vmax(d: dict) -> float:
    """One brightness scale for every strip of the residual stream: the changes add up on it."""
    return _vmax(np.concatenate([np.asarray(d["unembed_stream"])[:, -1], np.asarray(d["ch6_changes"])[:, -1]]))


def stream_stage(d: dict) -> Stage:
    """The sentence on top, its last word in yellow; that word's vector as the first block reads it."""
    words, _ = _prompt(d)
    row = TokenRow(words, font_size=28).move_to([0, 3.4, 0])
    row.boxes[-1].set_stroke(ACCENT)
    row.labels[-1].set_color(ACCENT)
    start = _stream_strip(d["unembed_stream"][0][-1], _stream_vmax(d), STREAM_Y[0])
    label = _stream_label(f"{words[-1]} + position {len(words) - 1}", STREAM_Y[0])
    length = _stream_length(d["unembed_stream"][0][-1], STREAM_Y[0])
    heading = Text("length", font=FONT, font_size=18, color=MUTED).move_to([LENGTH_X, STREAM_Y[0] + 0.45, 0])
    return Stage(row=row, start=start, label=label, length=length, heading=heading)


def unembed_stage(d: dict) -> Stage:
    words, _ = _prompt(d)
    return Stage(row=_asking_row(words, font_size=26).move_to(UP * 3.3 + LEFT * 0.3))


def temperature_stage(d: dict) -> Stage:
    return Stage(row=_asking_row(str(d["temperature_prompt"]).split()).move_to(UP * 3.2 + LEFT * 3.5))


ATTENTION_NAMES = (r"W_Q", r"W_K", r"W_V", r"W_O")
MLP_NAMES = (r"W_{\uparrow}", r"W_{\downarrow}")
CELL = 0.014  # every matrix of the formula at one scale: one entry, one small square


def _layer_matrices(w: dict) -> list[np.ndarray]:
    """One layer's (the first's) six weight matrices: W_Q, W_K, W_V (rows of the fused c_attn), W_O,
    the MLP's up- and down-projection."""
    C = int(w["config"][4])
    qkv = w["transformer.h.0.attn.c_attn.weight"]
    return [qkv[:C], qkv[C: 2 * C], qkv[2 * C:], w["transformer.h.0.attn.c_proj.weight"],
            w["transformer.h.0.mlp.c_fc.weight"], w["transformer.h.0.mlp.c_proj.weight"]]


def formula_stage(d: dict) -> Stage:
    """One layer's six matrices with their real shapes: attention's four on the left, the MLP's two
    on the right, all at one scale."""
    w = weights()
    mats = _layer_matrices(w)
    vmax = _vmax(np.concatenate([np.asarray(m).ravel() for m in mats]))
    blocks = [MatrixBlock(m, name=n, cell=CELL, vmax=vmax, font_size=30)
              for m, n in zip(mats, ATTENTION_NAMES + MLP_NAMES)]
    attn = Group(*blocks[:4]).arrange(RIGHT, buff=0.45).move_to([-4.3, 2.55, 0])
    up, down = blocks[4], blocks[5]
    up.move_to([0.9, 1.45, 0])
    down.move_to([4.5, 2.55, 0])
    attn_title = Text("attention, one layer", font=FONT, font_size=22, color=MUTED).move_to([-4.3, 3.6, 0])
    mlp_title = Text("MLP, one layer", font=FONT, font_size=22, color=MUTED).move_to([3.3, 3.6, 0])
    return Stage(attn=attn, mlp=Group(up, down), titles=VGroup(attn_title, mlp_title))


def product_stage(d: dict) -> Stage:
    """W_Q times the last word's vector: the matrix, the vector, the result, all real, on the left;
    the formula for the result's first entry at the top right."""
    w = weights()
    W = _layer_matrices(w)[0]
    mat = MatrixBlock(W, name=r"W_Q", cell=0.055, vmax=_vmax(W), font_size=34).move_to([-4.6, 0.75, 0])
    x, q = d["ch6_mv_input"], d["ch6_mv_query"]
    h, y = mat.heat.height, mat.heat.get_y()
    xs = _vstrip(x, _vmax(x), h, 0.34).move_to([-1.8, y, 0])
    qs = _vstrip(q, _vmax(q), h, 0.34).move_to([0.3, y, 0])
    times = MathTex(r"\times", font_size=44).move_to([-2.45, y, 0])
    plus = MathTex(r"+\,b", "=", font_size=44).arrange(RIGHT, buff=0.3).move_to([-0.75, y, 0])
    # In parts, written as the beat builds them: q_0, =, the sum, w_0j, x_j, +, b_0
    formula = MathTex("q_0", "=", r"\sum_{j}", r"w_{0j}", r"\, x_j", "+", "b_0", font_size=42).move_to([3.9, 3.05, 0])
    x_name = MathTex(r"\vec{x}", font_size=34).next_to(xs, UP, buff=0.15).align_to(mat.title, DOWN)
    q_name = MathTex(r"\vec{q}", font_size=34).next_to(qs, UP, buff=0.15).align_to(mat.title, DOWN)
    return Stage(mat=mat, xs=xs, qs=qs, signs=VGroup(times, plus), names=VGroup(x_name, q_name), formula=formula)


PRODUCT_WIDTH = 4.8  # the row and the vector laid flat, 64 columns side by side, at the right
PRODUCT_X = 4.15  # their centre
ZOOM = 1.15  # the product's size while it is alone on screen


def _flat_strip(values: np.ndarray, vmax: float, y: float, role: str) -> Group:
    """A vector laid flat (entry 0 on the left), centred in the right-hand column."""
    strip = _hstrip(values, vmax, PRODUCT_WIDTH, 0.3).move_to([PRODUCT_X, y, 0])
    note_drawing(strip, role, values)
    return strip


def _product_bars(products: np.ndarray, baseline: float, unit: float) -> VGroup:
    """One bar per product w_0j x_j under its column: up and blue when positive, down and red when
    negative, as tall as the product."""
    bars = signed_columns(products, PRODUCT_WIDTH / len(products), unit, least=0.01)
    bars.shift([PRODUCT_X - PRODUCT_WIDTH / 2, baseline, 0])
    note_drawing(bars, "products w_0j x_j", products)
    return bars


# ----------------------------------------------------------------------------- the beats


class ChapterSixScene(ChapterScene):
    chapter = NUMBER


class TextToTokens(ChapterSixScene):
    def construct(self):
        d = data()
        card = self.title_card(TITLE, keep=True)
        words, ids = _prompt(d)
        vocab = _words(d, "vocab")
        n_vocab = int(weights()["config"][0])  # the vocabulary size the model was built with: len(vocab)
        prompt = str(d["unembed_prompt"])
        text = Text(prompt[0].upper() + prompt[1:], font=FONT, font_size=48).move_to(UP * 2.9)
        middle = tokens_stage(d, y=0.9)
        row, id_labels = middle.row, middle.ids
        rule = Text("lower-case, split at spaces", font=FONT, font_size=22, color=MUTED)
        rule.move_to((text.get_bottom() + row.get_top()) / 2)
        id_title = Text("token ids", font=FONT, font_size=24, color=MUTED).next_to(id_labels, LEFT, buff=0.5)
        id_title.align_to(id_labels, DOWN)
        first, last = vocab[:3], vocab[-1]
        last_id = computed(n_vocab - 1, "the last word's id: the vocabulary size − 1")
        listing = VGroup(
            Text(f"the vocabulary: {n_vocab} words, in alphabetical order", font=FONT, font_size=24),
            Text(f"0 \u201c{first[0]}\u201d   1 \u201c{first[1]}\u201d   2 \u201c{first[2]}\u201d   \u2026   "
                 + "   ".join(f"{i} \u201c{w}\u201d" for i, w in sorted(set(zip(ids, words))))
                 + f"   \u2026   {last_id} \u201c{last}\u201d", font=FONT, font_size=22, color=MUTED),
        ).arrange(DOWN, buff=0.25).move_to(DOWN * 1.55)
        if listing.width > 13.6:
            listing.scale_to_fit_width(13.6)

        # Cut the text into tokens
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE), FadeIn(text, rate_func=ARRIVE), run_time=1.5)
        with self.sparse("one sentence, before it is cut into tokens"):
            self.say("A transformer first cuts its text into tokens. Our tiny model's tokens are whole words.")
            self.play(FadeIn(rule), LaggedStart(*[FadeIn(t, shift=0.3 * DOWN) for t in row.tokens], lag_ratio=0.15),
                      run_time=1.8)
            self.say("Its tokenizer is simple: lower-case the text, then split it at the spaces.")
            self.play(_light_boxes(row), run_time=1.0)
            self.finish_reading()
        # Each token is a number
        self.say(f"Each token becomes a number: its place in the model's vocabulary of {n_vocab} words.")
        self.play(FadeIn(id_title), LaggedStart(*[FadeIn(i) for i in id_labels], lag_ratio=0.15), run_time=1.5)
        self.play(FadeIn(listing), run_time=1.0)
        self.say("Large models cut text into pieces of words instead, but each piece still becomes an id like these.")
        after = tokens_stage(d)
        self.hand_off(after, keep={row: after.row, id_labels: after.ids}, run_time=1.5)


def _light_boxes(row: TokenRow):
    """The token boxes light up in turn."""
    return LaggedStart(*[box.animate.set_stroke(ACCENT, width=3) for box in row.boxes], lag_ratio=0.2)


class TokensToVectors(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        stage = self.open(tokens_stage(d))
        row = stage.row
        E = w["transformer.wte.weight"]
        vocab = _words(d, "vocab")
        words, ids = _prompt(d)
        rows, cols = (int(x) for x in d["embedding_shape"])
        king = vocab.index("king")
        vmax = _vmax(E)

        matrix = MatrixBlock(E, name=r"W_E", cell=0.019, vmax=vmax).move_to(LEFT * 5.9 + UP * 0.45)
        row_label = Text(f"{rows} rows,\none per word", font=FONT, font_size=20, color=MUTED, line_spacing=0.8)
        row_label.next_to(matrix, RIGHT, buff=0.2).align_to(matrix, DOWN)
        band = matrix.band(king, king + 1)
        shown = list(range(8))
        column = _readable(NumberColumn(d["king_vector"][shown], shown, cols, font_size=22, sig=2, row_gap=0.1),
                           d["king_vector"][shown])
        column.move_to([-2.9, 0.2, 0])
        col_title = Text(f"row {king}: king", font=FONT, font_size=22, color=ACCENT).next_to(column, UP, buff=0.25)
        link = Arrow(band.get_right(), [column.get_left()[0], band.get_y(), 0], buff=0.1, stroke_width=3,
                     color=ACCENT, max_tip_length_to_length_ratio=0.15)
        strips = Group(*[_vstrip(E[i], vmax, 3.7, 0.5) for i in ids])
        for strip, box in zip(strips, row.boxes):
            strip.move_to([box.get_x(), 0.35, 0])
        strip_note = Text(f"each word: {cols} numbers, blue +, red \u2212", font=FONT, font_size=20, color=MUTED)
        strip_note.next_to(strips, DOWN, buff=0.25)
        bands = VGroup(*[matrix.band(i, i + 1) for i in sorted(set(ids))])

        # The embedding matrix
        self.say(f"Each token id picks out one row of the embedding matrix: {rows} rows, {cols} numbers each.")
        self.play(FadeIn(matrix), FadeIn(row_label), run_time=1.2)
        self.say("Its numbers start out random; training tunes them along with every other weight.")
        # One row, read as a vector
        self.say(f"Here is the real row {king}, the word king. Read as a column, it is king's vector.")
        self.play(Create(band), run_time=0.6)
        self.play(GrowArrow(link), FadeIn(column), FadeIn(col_title), run_time=1.5)
        # The whole sentence as vectors
        self.say(f"So our {len(words)} words become {len(words)} vectors of {cols} numbers, drawn as coloured strips.")
        self.play(Create(bands), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(s, shift=0.2 * DOWN) for s in strips], lag_ratio=0.2), FadeIn(strip_note),
                  run_time=2.0)
        both = VGroup(*[SurroundingRectangle(strips[i], color=ACCENT, buff=0.06) for i, x in enumerate(words)
                        if x == "the"])
        self.say("Both \u201cthe\u201ds get the same vector: the token alone does not say where a word stands.")
        self.play(Create(both), run_time=1.0)

        # The position vector, added
        tok, pos, summed = d["ch6_token_vectors"], d["ch6_position_vectors"], d["unembed_stream"][0]
        k = words.index("king")
        last = len(words) - 1
        pvmax = _vmax(np.concatenate([np.asarray(tok), np.asarray(pos), np.asarray(summed)]))
        ys = (1.85, 1.1, 0.35, -0.85, -1.6)  # under the token ids, clear of them
        x_strip = 1.1
        lines = [(f"token: {words[k]}", tok[k]), (f"+ position {k}", pos[k]), (f"= {words[k]} at position {k}", summed[k]),
                 (f"{words[0]} at position 0", summed[0]), (f"{words[last]} at position {last}", summed[last])]
        add_rows = Group()
        for (label, vec), y in zip(lines, ys):
            add_rows.add(Group(Text(label, font=FONT, font_size=22, color=ACCENT if label.startswith("=") else INK)
                               .move_to([-6.8, y, 0], aligned_edge=LEFT),
                               _hstrip(vec, pvmax, 9.4, 0.42).move_to([x_strip + 1.2, y, 0])))
        rule = Line([-2.4, 0.72, 0], [6.95, 0.72, 0], stroke_color=MUTED, stroke_width=1.5)
        pos_note = Text(f"the position matrix has one learned row per position ({int(w['config'][1])} rows)",
                        font=FONT, font_size=20, color=MUTED).move_to([0, -2.2, 0])
        self.say(f"So the model adds a second vector: a learned one for each position. Here is king's, position {k}.")
        # king's column turns on its side and becomes the token row (entry 0 at its top, then at its left)
        turned = strips[k]
        turned.generate_target()
        turned.target.rotate(PI / 2).stretch_to_fit_width(add_rows[0][1].width)
        turned.target.stretch_to_fit_height(add_rows[0][1].height).move_to(add_rows[0][1])
        self.play(FadeOut(Group(matrix, row_label, band, bands, link, column, col_title,
                                *[strip for i, strip in enumerate(strips) if i != k], strip_note, both),
                          rate_func=LEAVE),
                  MoveToTarget(turned), FadeIn(add_rows[0][0], rate_func=ARRIVE), run_time=1.5)
        self.play(FadeIn(add_rows[0][1]), FadeOut(turned), FadeIn(add_rows[1]), run_time=0.8)
        self.play(Create(rule), FadeIn(add_rows[2], shift=0.4 * DOWN), run_time=1.5)
        self.say("Entry by entry, the sum is what the first block reads: the word and where it stands, in one vector.")
        self.play(FadeIn(add_rows[3:]), FadeIn(pos_note), run_time=1.2)
        self.say(f"Now the two \u201cthe\u201ds differ: position 0 and position {last} add different vectors.")
        self.hand_off(space_stage(d), run_time=1.6)


class EmbeddingSpace(ChapterSixScene):
    def construct(self):
        d = data()
        stage = self.open(space_stage(d))
        plot = stage.plot
        result = d["space_analogy_2d"]
        near, before, after = _words(d, "ch6_neighbours"), d["ch6_near_king"], d["ch6_near_analogy"]
        x0, x1, x2 = 0.9, 3.45, 6.9
        title = _cell("king's nearest words", x0, 3.3, font_size=24)
        sub = _cell("cosine similarity, in all 64 dimensions", x0, 2.88, font_size=18, color=MUTED)
        heads = VGroup(_cell("king", x1, 2.38, RIGHT, font_size=20, color=MUTED),
                       _cell("king \u2212 man + woman", x2, 2.38, RIGHT, font_size=20, color=ACCENT))
        ys = [1.9 - 0.44 * r for r in range(len(near))]
        words_col = VGroup(*[_cell(wd, x0, y, font_size=24) for wd, y in zip(near, ys)])
        first_col = VGroup(*[_cell(f"{float(s):.2f}", x1, y, RIGHT, font_size=24) for s, y in zip(before, ys)])
        second_col = VGroup(*[_cell(f"{float(s):.2f}", x2, y, RIGHT, font_size=24, color=ACCENT)
                              for s, y in zip(after, ys)])
        ring = Circle(radius=0.2, stroke_color=ACCENT, stroke_width=3).move_to(plot.point("king"))

        # King's own neighbours first
        self.say("Training places words the model uses alike near each other. Start with king's own neighbours.")
        self.play(Create(ring), FadeIn(title), FadeIn(sub), run_time=1.2)
        self.play(FadeIn(heads[0]), LaggedStart(*[FadeIn(VGroup(a, b)) for a, b in zip(words_col, first_col)],
                                                lag_ratio=0.2), run_time=1.8)
        self.say(f"Even before any arithmetic, the nearest word to king is {near[0]}: cosine {float(before[0]):.2f}, "
                 f"then {near[1]} {float(before[1]):.2f}.")
        self.say("The plot is a projection: its x axis is the average step from a male word to its female partner.")
        self.play(_flash_axis(plot), run_time=1.2)

        # King − man + woman
        step = plot.arrow("man", "woman", color=ACCENT)
        moved = Arrow(plot.point("king"), plot.point(result), buff=0.08, color=ACCENT, stroke_width=4,
                      max_tip_length_to_length_ratio=0.15)
        ghost = Circle(radius=0.12, stroke_color=ACCENT, stroke_width=3).move_to(plot.point(result))
        ghost_label = Text("king \u2212 man + woman", font=FONT, font_size=20, color=ACCENT)
        _place_clear(ghost_label, ghost, [*plot.labels, *plot.dots], right_limit=x0 - 0.3)
        self.say("The step from man to woman is one arrow. Add that same arrow to king: king \u2212 man + woman.")
        self.play(GrowArrow(step), run_time=1.0)
        self.play(TransformFromCopy(step, moved), run_time=1.5)
        self.play(Create(ghost), FadeIn(ghost_label), run_time=0.8)
        self.play(FadeIn(heads[1]), LaggedStart(*[FadeIn(c) for c in second_col], lag_ratio=0.2), run_time=1.5)
        p, r = near.index("prince"), near.index("princess")
        self.say(f"What changes: {near[p]} falls from {float(before[p]):.2f} to {float(after[p]):.2f}, "
                 f"{near[r]} rises from {float(before[r]):.2f} to {float(after[r]):.2f}.")
        marks = VGroup(SurroundingRectangle(VGroup(words_col[p], second_col[p]), color=ACCENT, buff=0.08),
                       SurroundingRectangle(VGroup(words_col[r], second_col[r]), color=ACCENT, buff=0.08))
        self.play(Create(marks), run_time=1.0)
        self.say(f"{near[0].capitalize()} edges up to {float(after[0]):.2f}: the step moves king toward the female words, "
                 "a real but modest effect.")

        # The other analogies
        others = VGroup(_cell("the same step elsewhere, nearest word:", x0, -0.25, font_size=20, color=MUTED))
        for k, (row, nb, sim) in enumerate(zip(d["analogies"][1:], d["analogy_neighbours"][1:],
                                              d["analogy_similarity"][1:])):
            a2, b2, c2, _ = (str(x) for x in row)
            y = -0.72 - 0.4 * k
            others.add(VGroup(_cell(f"{a2} \u2212 {b2} + {c2}", x0, y, font_size=20),
                              _cell(f"\u2192 {nb[0]}", x2 - 0.75, y, RIGHT, font_size=20, color=ACCENT),
                              _cell(f"{float(sim[0]):.2f}", x2, y, RIGHT, font_size=20, color=MUTED)))
        hits = sum(str(nb[0]) == str(row[3]) for row, nb in zip(d["analogies"][1:], d["analogy_neighbours"][1:]))
        if hits == len(d["analogies"]) - 1:
            self.say("The same arithmetic on the model's other word pairs lands nearest the expected word each time.")
        else:  # a facts file's pair the model did not learn (models/lm_story.py: analogies)
            self.say("The same arithmetic on the model's other word pairs lands nearest the expected word for "
                     f"{computed(hits, 'the other analogies whose nearest word is the expected one')} of "
                     f"{computed(len(d['analogies']) - 1, 'the other analogies')}.")
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * UP) for r in others], lag_ratio=0.15), run_time=2.0)
        self.hand_off(dots_stage(d), run_time=1.6)


def _place_clear(label, anchor, avoid, right_limit: float) -> None:
    """Put ``label`` beside ``anchor`` where it overlaps none of ``avoid`` (the plot's words and dots
    land where each model puts them), trying below-right first, then the other sides; it stays
    left of ``right_limit`` (the table) and inside the frame."""
    def clashes() -> bool:
        lo, hi = label.get_corner(DL), label.get_corner(UR)
        return hi[0] > right_limit or lo[0] < -6.9 or hi[1] > 3.9 or any(boxes_meet(label, m, 0.05) for m in avoid)

    spots = [(DOWN, RIGHT * 0.9), (DOWN, ORIGIN), (DOWN, LEFT * 0.9), (UP, RIGHT * 0.9), (UP, ORIGIN),
             (UP, LEFT * 0.9), (LEFT, ORIGIN), (RIGHT, ORIGIN)]
    spots += [(side, side * gap + across) for gap in (0.45, 0.9) for side in (DOWN, UP)
              for across in (RIGHT * 0.9, ORIGIN, LEFT * 0.9)]  # a little further off, clear of a crowd
    for side, shift in spots:
        label.next_to(anchor, side, buff=0.2).shift(shift)
        if not clashes():
            return
    label.next_to(anchor, DOWN, buff=0.2).shift(RIGHT * 0.9)  # none clear: where the corpus model has it


def _flash_axis(plot: EmbeddingPlot):
    """The x axis flashes yellow and returns to grey."""
    from manim import Indicate

    return Indicate(plot.axes[0], color=ACCENT, scale_factor=1.0)


class DotProducts(ChapterSixScene):
    def construct(self):
        d = data()
        stage = self.open(dots_stage(d))
        E = weights()["transformer.wte.weight"]
        names, dots = _words(d, "dot_words"), d["dot_products"]
        strips, labels, product = _dot_strips(d)
        strips.remove(*strips[:2])
        labels.remove(*labels[:2])
        strips, labels = Group(*stage.strips, *strips), VGroup(*stage.labels, *labels)
        n = len(product)
        total = Text(f"add the {n} products: king \u00b7 {names[0]} = {dots[0]:.2f}", font=FONT, font_size=24,
                     color=ACCENT).next_to(strips, DOWN, buff=0.3)

        # Bars of king's dot product with a few words
        zero = 1.2
        scale = 4.6 / float(np.abs(dots).max())
        bars = VGroup()
        for k, (name, v) in enumerate(zip(names, dots)):
            y = 0.15 - 0.5 * k
            bar = Rectangle(width=max(abs(v) * scale, 0.02), height=0.32, stroke_width=0, fill_opacity=0.9,
                            fill_color=POSITIVE if v >= 0 else NEGATIVE)
            bar.move_to([zero, y, 0], aligned_edge=LEFT if v >= 0 else RIGHT)
            label = _cell(f"king \u00b7 {name}", -1.2, y - 0.09, RIGHT, font_size=24)
            value = _cell(fmt_dot(v), zero + max(v, 0) * scale + 0.15, y - 0.09, font_size=24)
            bars.add(VGroup(label, bar, value))
        axis = Line([zero, 0.45, 0], [zero, 0.15 - 0.5 * (len(names) - 1) - 0.28, 0], stroke_color=MUTED, stroke_width=2)

        # Multiply entry by entry and add
        self.say("How alike are two word vectors? Multiply them entry by entry and add up: the dot product.")
        self.play(FadeIn(strips[2], shift=0.3 * DOWN), FadeIn(labels[2]), run_time=1.2)
        self.play(Write(total), run_time=1.0)
        agree = int((np.asarray(product) > 0).sum())
        shown_agree = computed(agree, f"the entries where king × {names[0]} is positive")
        # three real places, one of each kind: both positive, both negative, one of each
        vocab = _words(d, "vocab")
        king_row, first_row = E[vocab.index("king")], E[vocab.index(names[0])]
        k_, f_, p_ = (np.asarray(v, dtype=float) for v in (king_row, first_row, product))
        kinds = [("both blue", (k_ > 0) & (f_ > 0)), ("both red", (k_ < 0) & (f_ < 0)), ("one of each", k_ * f_ < 0)]
        places = [int(np.flatnonzero(mask)[np.argmax(np.abs(p_[mask]))]) for _, mask in kinds if mask.any()]
        step = strips[0].width / n
        top_y, bottom_y = strips[0].get_top()[1], strips[2].get_bottom()[1]

        def place_box(j: int) -> Rectangle:
            return Rectangle(width=step + 0.06, height=top_y - bottom_y + 0.1, stroke_color=ACCENT, stroke_width=2.5
                             ).move_to([strips[0].get_left()[0] + (j + 0.5) * step, (top_y + bottom_y) / 2, 0])

        def place_text(kind: str, j: int) -> Text:
            a, b = float(king_row[j]), float(first_row[j])
            sig = agreeing_sig([a, b], a * b, lambda v: v[0] * v[1], least=2, result_sig=2)
            return Text(f"{kind}: {fmt(a, sig)} \u00d7 {fmt(b, sig)} = "
                        f"{computed(fmt(a * b, 2), 'the two entries multiplied')}", font=FONT, font_size=24,
                        ).move_to([1.6, -0.1, 0])

        count = Text(f"positive in {shown_agree} of {n} places", font=FONT, font_size=24, color=POSITIVE)
        self.say(f"Where both are blue or both red, the product is positive (blue): for king and {names[0]}, in "
                 f"{shown_agree} of {n} places.")
        box, example = None, None
        for (kind, _), j in zip([k for k in kinds if k[1].any()], places):
            new_box, new_example = place_box(j), place_text(kind, j)
            if box is None:
                box, example = new_box, new_example
                self.play(Create(box), FadeIn(example), run_time=0.8)
            else:
                self.play(Transform(box, new_box), FadeOut(example), FadeIn(new_example), run_time=0.8)
                example = new_example
            self.wait(0.8)
        count.next_to(example, DOWN, buff=0.25)
        self.play(FadeIn(count), run_time=0.6)
        # Compare king with other words
        dots = d["dot_products"]  # read again after the rows above: the bars' numbers are these
        self.say("Large and positive: similar. Near zero: unrelated. Negative: pointing away. Here is king against other words.")
        self.play(FadeOut(Group(box, example, count), rate_func=LEAVE), Create(axis),
                  LaggedStart(*[FadeIn(b) for b in bars], lag_ratio=0.2), run_time=2.0)
        box = SurroundingRectangle(bars[3], color=ACCENT, buff=0.08)
        self.play(Create(box), run_time=0.8)
        self.say(f"King and \u201c{names[3]}\u201d share nothing: {fmt_dot(dots[3])}. King and {names[-1]}, point slightly away: {fmt_dot(dots[-1])}.")
        self.wait(1.6)
        self.play(Transform(box, SurroundingRectangle(bars[-1], color=ACCENT, buff=0.08)), run_time=0.8)
        # the cosine: the same sum for the two vectors scaled to length 1
        king, first = k_, f_  # the two rows, read above
        cosine = computed(f"{king @ first / (np.linalg.norm(king) * np.linalg.norm(first)):.2f}",
                          f"king \u00b7 {names[0]} \u00f7 (king's length \u00d7 {names[0]}'s length)")
        scaled = Text(f"both scaled to length 1: king \u00b7 {names[0]} = {cosine}, their cosine", font=FONT,
                      font_size=24, color=ACCENT).next_to(total, DOWN, buff=0.12)
        self.say("The cosine from before is this dot product taken between vectors scaled to length 1.")
        self.play(FadeOut(box), bars.animate.shift(DOWN * 0.4),
                  axis.animate.shift(DOWN * 0.4), FadeIn(scaled, shift=0.1 * DOWN), run_time=1.0)
        self.wait(0.5)
        self.say("Dot products run all through a transformer: attention is built on them.")
        self.play(Indicate(total, color=ACCENT, scale_factor=1.05), run_time=1.0)
        self.hand_off(attention_stage(d), run_time=1.6)


def fmt_dot(v: float) -> str:
    """A dot product to two decimals, with a real minus sign and no "-0.00"."""
    text = f"{v:.2f}"
    if float(text) == 0:
        text = "0.00"
    return text.replace("-", "\u2212")


def _attention_arcs(row: TokenRow, weights_row: np.ndarray, above: bool) -> VGroup:
    """Arrows from the last word back to each earlier word, as thick and bright as its real weight,
    each labelled with the weight."""
    last = row.boxes[-1]
    arcs, labels = VGroup(), VGroup()
    for j in range(len(row.boxes) - 1):
        wgt = float(weights_row[j])
        side = UP if above else DOWN
        start = last.get_edge_center(side) + 0.05 * side + 0.12 * LEFT
        end = row.boxes[j].get_edge_center(side) + 0.05 * side
        arc = ArcBetweenPoints(start, end, angle=0.62 * np.pi if above else -0.62 * np.pi)
        arc.set_stroke(POSITIVE, width=1.0 + 11.0 * wgt, opacity=0.3 + 0.7 * wgt)
        arc.add_tip(tip_length=0.12 + 0.16 * wgt, tip_width=0.12 + 0.16 * wgt)
        arc.get_tip().set_fill(POSITIVE, opacity=0.3 + 0.7 * wgt).set_stroke(width=0)
        arcs.add(arc)
        mid = arc.point_from_proportion(0.5)
        label = Text(f"{wgt:.2f}", font=FONT, font_size=22, color=INK if wgt >= 0.1 else MUTED)
        label.set_stroke(BACKGROUND, width=6, background=True)  # a dark rim: it reads where a longer arc passes
        labels.add(label.next_to(mid, side, buff=0.12 + 0.008 * (1.0 + 11.0 * wgt)))  # clear of the arc's stroke
    return VGroup(arcs, labels)


class AttentionArrows(ChapterSixScene):
    def construct(self):
        d = data()
        stage = self.open(attention_stage(d))
        row = stage.row
        words, _ = _prompt(d)
        P = d["ch6_patterns"]  # (layers, heads, query, key)
        (l1, h1), (l2, h2) = ([int(v) for v in pair] for pair in d["ch6_heads"])
        n_layer, n_head = int(P.shape[0]), int(P.shape[1])
        # every head's whole pattern (a column per word asking, a row per word looked at), for the end
        thumbs = Group(*[PatternThumb(P[l, h], size=1.9, title=f"layer {l + 1}, head {h + 1}", font_size=18,
                                      title_color=ACCENT if (l, h) in ((l1, h1), (l2, h2)) else MUTED)
                         for l in range(n_layer) for h in range(n_head)])
        thumbs.arrange_in_grid(n_layer, n_head, buff=(0.55, 0.4)).move_to([0, 0.62, 0])
        for thumb in thumbs:
            if thumb.title.color == ACCENT:
                thumb.frame.set_stroke(ACCENT, width=2.5)
        legend = Text("each square: a column per word, bright where it looks", font=FONT, font_size=20, color=MUTED)
        legend.next_to(thumbs, DOWN, buff=0.25)
        first = _attention_arcs(row, P[l1, h1, -1], above=True)
        second = _attention_arcs(row, P[l2, h2, -1], above=False)
        own1, own2 = P[l1, h1, -1, -1], P[l2, h2, -1, -1]
        # each head's name beside its own arcs: over the row for the first, under it for the second
        t1 = Text(f"layer {l1 + 1}, head {h1 + 1}", font=FONT, font_size=24, color=ACCENT)
        t1.next_to(row, LEFT, buff=0.4).set_y(row.get_top()[1] + 0.6)
        t2 = Text(f"layer {l2 + 1}, head {h2 + 1}", font=FONT, font_size=24, color=ACCENT)
        t2.next_to(row, LEFT, buff=0.4).set_y(row.get_bottom()[1] - 0.6)
        self1 = Text(f"itself: {float(own1):.2f}", font=FONT, font_size=20, color=MUTED)
        self1.next_to(row.boxes[-1], RIGHT, buff=0.3).shift(0.5 * UP)  # by its head's arcs, over the row
        self2 = Text(f"itself: {float(own2):.2f}", font=FONT, font_size=20, color=MUTED)
        self2.next_to(row.boxes[-1], RIGHT, buff=0.3).shift(0.5 * DOWN)  # and under it
        big = int(np.argmax(np.asarray(P[l1, h1, -1])))
        big2 = int(np.argmax(np.asarray(P[l2, h2, -1])))

        # One head: the last word looks back
        with self.sparse("one head's arcs over the row; the second head's come under it"):
            self.say(f"Inside the blocks, attention lets each word look at the words before it. Take the last word, "
                     f"\u201c{words[-1]}\u201d.")
            self.play(row.boxes[-1].animate.set_stroke(ACCENT, width=3), FadeIn(t1),
                      LaggedStart(*[Create(a) for a in first[0]], lag_ratio=0.15), run_time=1.8)
            self.say(f"One of the model's real heads, in layer {l1 + 1}, sends almost all of its attention to "
                     f"\u201c{words[big]}\u201d: {float(P[l1, h1, -1, big]):.2f}.")
            self.play(FadeIn(first[1]), FadeIn(self1), run_time=0.8)
            # the mix written out with this head's real weights, over the arcs
            weights_row = P[l1, h1, -1]  # picked out whole: each weight written traces to its own entry
            terms = [rf"{float(weights_row[j]):.2f}\,\vec{{v}}_{{\text{{{w}}}}}" for j, w in enumerate(words)]
            mix = MathTex(*[t for j, term in enumerate(terms) for t in ((term,) if j == 0 else ("+", term))],
                          font_size=36).move_to([0, 3.4, 0])
            self.say("The weights add up to 1, and the word takes in that mix of the others' vectors: a weighted sum.")
            self.play(LaggedStart(*[FadeIn(m, shift=0.1 * UP) for m in mix], lag_ratio=0.12), run_time=1.6)
        # Another head looks elsewhere
        self.say(f"Another head, in layer {l2 + 1}, looks mostly at the word just before: \u201c{words[big2]}\u201d, "
                 f"{float(P[l2, h2, -1, big2]):.2f}.")
        # the first head's weighted sum leaves: what is written is the head under discussion
        self.play(FadeOut(mix, rate_func=LEAVE), FadeIn(t2), LaggedStart(*[Create(a) for a in second[0]], lag_ratio=0.15),
                  run_time=1.8)
        self.play(FadeIn(second[1]), FadeIn(self2), run_time=0.8)
        self.say(f"Every word does this at once, in all {n_head} heads of each of the {n_layer} layers, each head with its "
                 f"own pattern.")
        self.play(FadeOut(Group(first, second, t1, t2, self1, self2, row), rate_func=LEAVE),
                  LaggedStart(*[FadeIn(t, rate_func=ARRIVE) for t in thumbs], lag_ratio=0.1), run_time=2.0)
        self.play(FadeIn(legend), run_time=0.6)
        self.say("The weights come from dot products between the words' query and key vectors: Chapter 7 opens one up.")
        self.hand_off(stream_stage(d), run_time=1.6)


class ResidualStream(ChapterSixScene):
    def construct(self):
        d = data()
        stage = self.open(stream_stage(d))
        words, _ = _prompt(d)
        stream, changes = d["unembed_stream"], d["ch6_changes"]  # (stages, T, C), (blocks, T, C)
        vmax = _stream_vmax(d)
        n_layer = len(changes) // 2
        names = [f"+ {part}, layer {layer + 1}" for layer in range(n_layer) for part in ("attention", "MLP")]
        rows = Group(*[Group(_stream_label(name, y), _stream_strip(changes[s][-1], vmax, y),
                             _stream_length(changes[s][-1], y))
                       for s, (name, y) in enumerate(zip(names, STREAM_Y[1:5]))])
        y_now = STREAM_Y[5]
        rule = Line([STREAM_X[0], y_now + 0.55, 0], [STREAM_X[2], y_now + 0.55, 0], stroke_color=MUTED, stroke_width=1.5)
        now_label = _stream_label("= the vector so far", y_now, ACCENT)
        now = _stream_strip(stream[0][-1], vmax, y_now)
        now_length = _stream_length(stream[0][-1], y_now, ACCENT)
        note = Text("one colour scale for every strip: blue +, red \u2212", font=FONT, font_size=20, color=MUTED)
        note.move_to([(STREAM_X[1] + STREAM_X[2]) / 2, -2.3, 0])

        # The vector each block adds to
        self.say(f"Follow the last word's vector through the blocks. It starts as \u201c{words[-1]}\u201d plus the vector of its position.")
        self.play(Create(rule), FadeIn(now_label), TransformFromCopy(stage.start, now),
                  TransformFromCopy(stage.length, now_length), FadeIn(note), run_time=1.5)
        self.say("A block does not replace the vector: it computes a change and adds it. This running sum is the "
                 "residual stream.")
        for s, r in enumerate(rows):
            self.play(FadeIn(r, shift=0.2 * DOWN), run_time=0.8)
            new_length = _stream_length(stream[s + 1][-1], y_now, ACCENT)
            self.play(Transform(now, _stream_strip(stream[s + 1][-1], vmax, y_now)),
                      FadeOut(now_length, rate_func=LEAVE), FadeIn(new_length, rate_func=ARRIVE), run_time=1.0)
            now_length = new_length
            if s == 0:
                self.say("Attention adds what the word gathered from the others; the MLP then adds its own change.")
        self.say(f"After {n_layer} layers the changes have outgrown the start: the sum is what the model predicts from.")
        self.play(Transform(now_label, _stream_label("= after both layers", y_now, ACCENT)), run_time=0.8)
        self.hand_off(unembed_stage(d), run_time=1.6)


class Unembedding(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        vocab = _words(d, "vocab")
        words = str(d["unembed_prompt"]).split()
        U = w["lm_head.weight"]
        final, logits, probs = d["unembed_final"], d["unembed_logits"], d["unembed_probs"]
        n_words, width = U.shape
        k = 5
        best = top_words(probs, vocab, k)

        row = self.open(unembed_stage(d)).row
        matrix = MatrixBlock(U, name=r"W_U", cell=0.018, vmax=_vmax(U)).move_to(LEFT * 5.9 + DOWN * 0.05)
        shown = list(range(8))
        vector = _readable(NumberColumn(final[shown], shown, width, font_size=20, sig=2, row_gap=0.08), final[shown])
        vector.move_to(LEFT * 4.1 + DOWN * 0.15)
        vec_title = Text(f"last vector\n({width} numbers)", font=FONT, font_size=18, color=MUTED, line_spacing=0.8)
        vec_title.next_to(vector, UP, buff=0.2)
        equals = MathTex("=", font_size=44).move_to(LEFT * 3.0 + DOWN * 0.15)
        top_logits = logits[[i for i, _, _ in best]]  # the shown logits, picked out together
        logit_col = _readable(NumberColumn(top_logits, list(range(k)), n_words, font_size=22, sig=3), top_logits)
        logit_col.move_to(DOWN * 0.15).set_x(-0.3, direction=LEFT)
        names = VGroup()
        for (_, word, _), number in zip(best, logit_col.numbers):
            names.add(_cell(word, logit_col.get_left()[0] - 0.2, _baseline(number, number.text), RIGHT, font_size=20,
                            color=MUTED))
        logit_title = Text(f"{n_words} logits,\nlargest first", font=FONT, font_size=18, color=MUTED, line_spacing=0.8)
        logit_title.next_to(logit_col, UP, buff=0.2)

        bars = ProbabilityBars([x for _, x, _ in best], probs[[i for i, _, _ in best]], width=1.6, font_size=22)
        bars.move_to(DOWN * 0.6).shift((6.85 - bars.get_right()[0]) * RIGHT)
        soft = MathTex(r"p_i = \dfrac{e^{z_i}}{\sum_j e^{z_j}}", font_size=40).next_to(bars, UP, buff=0.45)
        soft.set_x(bars.get_x())
        # Softmax in two steps, as the captions say: e to each logit, then each over their sum
        all_logits = np.asarray(logits, dtype=float)
        raised = np.exp(top_logits.astype(float))
        total = float(np.exp(all_logits).sum())
        sig = softmax_digits(raised, total, probs[[i for i, _, _ in best]])
        right = 2.5
        exps = VGroup(*[_cell(computed(_big(v, sig), "e to the power of the logit"), right, _baseline(number, number.text), RIGHT,
                              font_size=22, color=POSITIVE) for v, number in zip(raised, logit_col.numbers)])
        exps_title = MathTex(r"e^{z}", font_size=34, color=MUTED).next_to(exps, UP, buff=0.2).align_to(logit_title, DOWN)
        exps_dots = MathTex(r"\vdots", font_size=28).move_to([exps.get_center()[0], logit_col[0][-1].get_y(), 0])
        rule = Line([right - 1.35, 0, 0], [right, 0, 0], stroke_color=MUTED, stroke_width=1.5)
        rule.set_y(exps_dots.get_bottom()[1] - 0.15)
        total_text = Text(f"all {n_words}: {computed(_big(total, sig), f'the sum of e to the power of all {n_words} logits')}",
                          font=FONT, font_size=20).next_to(rule, DOWN, buff=0.12).align_to(rule, RIGHT)
        bars.shift((exps[0].get_y() - bars.rows[0].get_y()) * UP)  # the top word's bar on its logit's line
        soft.next_to(bars, UP, buff=0.45)
        y = exps[0].get_y()
        arrow = Arrow([exps.get_right()[0] + 0.05, y, 0], [bars.get_left()[0] - 0.05, y, 0], buff=0.05, stroke_width=3,
                      color=MUTED, max_tip_length_to_length_ratio=0.3)
        arrow_label = MathTex(r"\div\,\textstyle\sum", font_size=28, color=MUTED).next_to(arrow, UP, buff=0.08)

        # The last vector through the unembedding matrix
        self.say(f"The last word's final vector, {width} numbers, meets the unembedding matrix: {n_words} rows, one per word.")
        self.play(FadeIn(matrix), FadeIn(vector), FadeIn(vec_title), run_time=1.5)
        top_word, top_logit = best[0][1], float(top_logits[0])
        second, second_logit = best[1][1], float(top_logits[1])
        self.say(f"Each row's dot product with the vector is that word's score, its logit: {top_word} {fmt(top_logit)}, "
                 f"{second} {fmt(second_logit)}.")
        self.play(FadeIn(equals), FadeIn(logit_col, lag_ratio=0.1), FadeIn(names), FadeIn(logit_title), run_time=1.5)
        # Softmax
        self.say(f"First, softmax raises e to each logit: {top_word}'s "
                 f"{fmt(top_logit)} gives {_big(raised[0], sig)}, {second}'s {fmt(second_logit)} only {_big(raised[1], sig)}.")
        self.play(Write(soft[0][3:6]), FadeIn(exps_title), run_time=1.0)
        self.play(LaggedStart(*[TransformFromCopy(number, big) for number, big in zip(logit_col.numbers, exps)],
                              lag_ratio=0.15), run_time=1.6)
        self.say(f"Then it divides each by their sum over all {n_words} words, {_big(total, sig)}: {top_word} keeps "
                 f"{percent(best[0][2])}, the rest share what is left.")
        self.play(FadeIn(exps_dots), Create(rule), FadeIn(total_text), run_time=1.0)
        self.play(Write(soft[0][:3]), Write(soft[0][6:]), GrowArrow(arrow), FadeIn(arrow_label), run_time=1.2)
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.2)
        self.play(Create(bars.highlight(0)), run_time=0.5)
        gap = computed(fmt(as_shown(top_logit) - as_shown(second_logit), 2),  # as the two shown logits give it
                       f"the logit of {top_word} minus that of {second}, as shown")
        self.say(f"A gap of {gap} in the logits makes {top_word} {percent(best[0][2])} likely: "
                 f"the model finishes the sentence with it.")
        self.hand_off(temperature_stage(d), run_time=1.6)


class Temperature(ChapterSixScene):
    def construct(self):
        d = data()
        vocab = _words(d, "vocab")
        prompt = str(d["temperature_prompt"])
        temps = [float(t) for t in d["temperatures"]]
        normal = temps.index(1.0)
        logits, P = d["temperature_logits"], d["temperature_probs"]
        k = 5
        best = top_words(P[normal], vocab, k)
        ids = [i for i, _, _ in best]
        n_rest = computed(len(vocab) - k, f"the vocabulary's words but the {k} shown")
        rest_name = f"other {n_rest} words"
        rest_how = f"1 − the {k} shown probabilities: every other word, together"

        def probs_at(t: int) -> list[float]:
            shown = [float(p) for p in P[t][ids]]  # picked out together
            return shown + [1.0 - sum(shown)]  # everything not shown, together

        row = self.open(temperature_stage(d)).row
        x_word, x_z, x_zt, y0 = -6.7, -4.0, -2.3, 1.6
        head = VGroup(_cell("logit z", x_z, y0 + 0.55, RIGHT, font_size=20, color=MUTED),
                      _cell("z / T", x_zt, y0 + 0.55, RIGHT, font_size=20, color=ACCENT))

        def scaled(t: float) -> VGroup:  # the logits divided by the temperature (2 decimals: the gaps are small)
            return VGroup(*[_cell(computed(f"{float(logits[i]) / t:.2f}", "the logit ÷ T"), x_zt, y0 - 0.45 * r, RIGHT, color=ACCENT)
                            for r, i in enumerate(ids)])

        logit_rows = VGroup(*[
            VGroup(_cell(word, x_word, y0 - 0.45 * r), _cell(f"{float(z):.2f}", x_z, y0 - 0.45 * r, RIGHT))
            for r, ((_, word, _), z) in enumerate(zip(best, logits[ids]))
        ])
        divided = scaled(temps[normal])
        logit_block = VGroup(head, logit_rows, divided)

        computed(percent(probs_at(normal)[-1]), rest_how)
        bars = ProbabilityBars([w for _, w, _ in best] + [rest_name], probs_at(normal), width=6.0, font_size=22)
        bars.shift(RIGHT * (1.2 - bars.rows[0][1].get_left()[0]) + UP * (1.7 - bars.rows[0].get_y()))
        formula = MathTex(r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}", font_size=40).move_to(RIGHT * 3.8 + UP * 3.0)
        slider = TemperatureSlider(temps, low=0.0, high=2.5, length=4.4, value=1.0)
        slider.move_to(LEFT * 4.2 + DOWN * 1.5)

        # The real logits
        self.say(f"Now a prompt where several words fit: \u201c{prompt}\u201d. These are the model's real logits.")
        self.play(FadeIn(logit_block), run_time=1.2)
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.2)
        # Temperature divides the logits
        self.say("Dividing the logits by a temperature T before the softmax changes how bold the choice is.")
        self.play(Write(formula), FadeIn(slider), run_time=1.5)
        market = best[0][1]
        # Low temperature
        low, high = temps.index(min(temps)), temps.index(max(temps))
        cold, hot = probs_at(low), probs_at(high)
        # p^(1/T), renormalised: for T < 1 the less likely a word, the more of its share it loses (always);
        # whether every other shown word falls depends on the numbers
        falls = all(c < n and percent(c) != percent(n) for c, n in zip(cold[1:], probs_at(normal)[1:]))  # as shown
        others = ("every other word falls, the unlikeliest most of all" if falls else
                  "the unlikeliest words fall most of all")
        self.say(f"At T = {temps[low]:g} the gaps between logits double: {market} rises from "
                 f"{percent(probs_at(normal)[0])} to {percent(cold[0])}; {others}.")
        self.play(*slider.move(temps[low]), Transform(divided, scaled(temps[low])), Transform(bars, bars.reshaped(cold)),
                  run_time=1.5)
        # High temperature
        self.say(f"At T = {temps[high]:g} the gaps halve and the distribution flattens: the {n_rest} other "
                 f"words now share {computed(percent(hot[-1]), rest_how)}.")
        self.play(*slider.move(temps[high]), Transform(divided, scaled(temps[high])), Transform(bars, bars.reshaped(hot)),
                  run_time=2.0)
        self.say("Low temperatures pick safe, predictable words, high ones more surprising words. At 1: the model's own odds.")
        self.play(*slider.move(temps[normal]), Transform(divided, scaled(temps[normal])),
                  Transform(bars, bars.reshaped(probs_at(normal))), run_time=1.5)
        self.hand_off(formula_stage(d), run_time=1.8)




class ParameterFormula(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        stage = self.open(formula_stage(d))
        V, block_size, L, _, dim = (int(x) for x in w["config"])
        shapes = [tuple(int(v) for v in s) for s in d["ch6_matrix_shapes"]]
        hidden = shapes[4][0]
        tiny = [int(x) for x in d["weight_formula_tiny"]]
        total = int(d["n_params"])
        attn_layer = _tex_computed(4 * dim * dim, "4 × d × d: one layer's four attention matrices")
        mlp_layer = _tex_computed(2 * dim * hidden, "d × 4d + 4d × d: one layer's two MLP matrices")
        attn_sum = MathTex(r"4 \times", rf"{dim} \times {dim}", "=", attn_layer, "=", r"4d^2", font_size=40)
        attn_sum.move_to([-4.2, 1.05, 0])
        attn_sum[-1].set_color(ACCENT)
        wider = Text(f"hidden layer: {hidden} = 4 \u00d7 {dim} neurons", font=FONT, font_size=20, color=MUTED)
        wider.move_to([6.85, 1.55, 0], aligned_edge=RIGHT)
        mlp_sum = MathTex(rf"{dim} \times {hidden}", "+", rf"{hidden} \times {dim}", "=", mlp_layer, "=", r"8d^2",
                          font_size=36)
        mlp_sum.scale_to_fit_width(min(mlp_sum.width, 5.0)).move_to([6.85, 0.75, 0], aligned_edge=RIGHT)
        mlp_sum[-1].set_color(ACCENT)
        layers = _tex_computed(tiny[1] + tiny[2], "the formula's attention and MLP terms, added")
        line1 = MathTex(r"L\,(4d^2 + 8d^2)", "=", rf"{L} \times ({attn_layer} + {mlp_layer})", "=", layers,
                        font_size=34)
        ends = _tex_computed(tiny[0] + tiny[3], "the embedding and unembedding terms, added")
        line2 = MathTex(r"+\;2\,V d", "=", rf"2 \times {V} \times {dim}", "=", ends, font_size=34)
        extra = total - sum(tiny)
        line3 = MathTex("=", _tex_computed(sum(tiny), "the four terms of the formula, added"),
                        r"\ \text{weights} \;+\;", _tex_computed(extra, "the model's parameters minus the formula's"),
                        r"\ \text{biases, norms, positions} \;=\;", _tex_count(total), font_size=34)
        count = VGroup(line1, line2, line3).arrange(DOWN, buff=0.2, aligned_edge=LEFT).move_to([0, -1.72, 0])
        line3[-1].set_color(ACCENT)
        for line in count:
            if line.width > 13.6:
                line.scale_to_fit_width(13.6)

        # One layer's matrices
        self.say(f"Where do our model's {_count(total)} parameters live? Mostly in matrices like these, one layer's worth.")
        self.play(*[m.frame.animate.set_stroke(ACCENT) for m in stage.attn], run_time=0.8)
        self.say(f"Attention has four: W_Q, W_K and W_V for queries, keys and values, and W_O for its output, each "
                 f"{dim} \u00d7 {dim}.")
        self.write_terms(attn_sum, groups=[[0, 1], [2, 3], [4, 5]])
        self.play(*[m.frame.animate.set_stroke(MUTED) for m in stage.attn],
                  *[m.frame.animate.set_stroke(ACCENT) for m in stage.mlp], run_time=0.8)
        self.say(f"The MLP has two: up to a hidden layer four times wider, {hidden} neurons, then back down to {dim}.")
        self.play(FadeIn(wider), run_time=0.8)
        self.write_terms(mlp_sum, groups=[[0, 1, 2], [3, 4], [5, 6]])
        # The whole count
        self.say(f"So each layer holds 4d\u00b2 + 8d\u00b2. With d = {dim}, {L} layers and the embedding and "
                 f"unembedding, V\u00b7d each:")
        self.play(Write(line1), run_time=1.2)
        self.play(Write(line2), run_time=1.2)
        self.play(Write(line3), run_time=1.5)
        self.say(f"The formula gives {_count(sum(tiny))}; biases, layer norms and positions add the rest, and the total "
                 f"is exactly the model's {_count(total)}.")

        # The same formula for a large model
        gpt3 = [int(x) for x in d["weight_formula_gpt3"]]
        gd, gl, gv = (int(x) for x in d["gpt3_dims"])
        xs = (-6.8, -2.5, 2.3, 6.9)
        head = VGroup(_cell("formula", xs[1], 3.25, font_size=22, color=MUTED),
                      _cell("our model", xs[2], 3.25, RIGHT, font_size=22, color=MUTED),
                      _cell("GPT-3, published sizes", xs[3], 3.25, RIGHT, font_size=22, color=MUTED))
        sizes = VGroup(_cell("sizes", xs[0], 2.6, font_size=26),
                       _cell("d, L, V", xs[1], 2.6, font_size=26, color=MUTED),
                       _cell(f"{dim}, {L}, {V}", xs[2], 2.6, RIGHT, font_size=26),
                       _cell(f"{gd:,}, {gl}, {gv:,}", xs[3], 2.6, RIGHT, font_size=26))
        parts = ("embedding", "attention", "MLP", "unembedding")
        forms = ("V\u00b7d", "L\u00b74d\u00b2", "L\u00b78d\u00b2", "V\u00b7d")
        table = VGroup()
        for k, (part, form, a, b) in enumerate(zip(parts, forms, tiny, gpt3)):
            y = 1.85 - 0.62 * k
            table.add(VGroup(_cell(part, xs[0], y, font_size=26, color=POSITIVE if part in ("attention", "MLP") else INK),
                             _cell(form, xs[1], y, font_size=26, color=MUTED),
                             _cell(_count(a), xs[2], y, RIGHT, font_size=26), _cell(_count(b), xs[3], y, RIGHT, font_size=26)))
        y_rule = 1.85 - 0.62 * len(parts) + 0.3
        rule = Line([xs[0], y_rule, 0], [xs[3], y_rule, 0], stroke_color=MUTED, stroke_width=1.5)
        y_tot = y_rule - 0.5
        gpt3_billions = computed(f"{sum(gpt3) / 1e9:.0f}", "GPT-3's formula, added, in billions")
        totals = VGroup(_cell("total", xs[0], y_tot, font_size=26, color=ACCENT),
                        _cell(computed(_count(sum(tiny)), "the four terms of the formula, added"), xs[2], y_tot, RIGHT,
                              font_size=26, color=ACCENT),
                        _cell(computed(_count(sum(gpt3)), "the four terms of GPT-3's formula, added"), xs[3], y_tot, RIGHT,
                              font_size=26, color=ACCENT))
        mlp_percent = computed(f"{100 * gpt3[2] / sum(gpt3):.0f}%", "GPT-3's MLP term ÷ its whole formula")
        times = computed(fmt(sum(gpt3) / sum(tiny) / 1e6, 2), "GPT-3's total ÷ ours, both by the formula, in millions")
        note = Text(f"the two totals by one formula: {times} million to one; GPT-3's MLPs hold {mlp_percent}",
                    font=FONT, font_size=22, color=MUTED).move_to([0, y_tot - 0.7, 0])
        self.say(f"The same formula with GPT-3's published sizes, d = {gd:,}, {gl} layers, {gv:,} tokens:")
        self.play(FadeOut(Group(*stage.values(), attn_sum, wider, mlp_sum, count), rate_func=LEAVE),
                  FadeIn(VGroup(head, sizes), rate_func=ARRIVE), run_time=1.5)
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in table], lag_ratio=0.15), run_time=2.0)
        self.play(Create(rule), FadeIn(totals), run_time=1.0)
        self.say(f"about {gpt3_billions} billion parameters, {times} million times ours, and {mlp_percent} of them sit "
                 "in the MLPs.")
        self.play(FadeIn(note), run_time=0.8)
        self.hand_off(context_stage(d), run_time=1.8)


def context_stage(d: dict) -> Stage:
    """The position matrix, wide across the frame: one row per place in the context window."""
    P = weights()["transformer.wpe.weight"]
    block = MatrixBlock(P, name=r"W_P", cell=0.155, vmax=_vmax(P), font_size=34).move_to([1.55, 0.8, 0])
    return Stage(block=block)


class ContextWindow(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        stage = self.open(context_stage(d))
        block = stage.block
        words, _ = _prompt(d)
        rows = int(w["config"][1])
        band = block.band(0, len(words))
        band_label = Text(f"our sentence:\npositions 0 to {len(words) - 1}", font=FONT, font_size=22, color=ACCENT,
                          line_spacing=0.8).next_to(band, LEFT, buff=0.25).align_to(band, UP)
        window = Text(f"{rows} rows: at most {rows} words at once", font=FONT, font_size=22, color=MUTED)
        window.next_to(block, DOWN, buff=0.25)
        gpt3_window = constant("2,048", "GPT-3's context window, in tokens, as published")

        # The context window
        self.say(f"The position matrix has one row per place: {rows} rows. The model reads at most {rows} words at once.")
        self.play(FadeIn(window), run_time=0.8)
        self.say(f"That is its context window. Our sentence fills {len(words)} places; GPT-3's window, as published, "
                 f"holds {gpt3_window} tokens.")
        gpt3 = Text(f"GPT-3, as published: {gpt3_window} rows", font=FONT, font_size=22, color=MUTED)
        gpt3.next_to(window, DOWN, buff=0.15)
        self.play(Create(band), FadeIn(band_label), run_time=1.0)
        self.play(FadeIn(gpt3, shift=0.1 * UP), run_time=0.6)

        # All of it: matrix-vector products
        product = product_stage(d)
        mat, xs, qs, formula = product.mat, product.xs, product.qs, product.formula
        W, x = _layer_matrices(w)[0], d["ch6_mv_input"]
        row, bias, q0 = W[0], w["transformer.h.0.attn.c_attn.bias"][0], d["ch6_mv_query"][0]
        n = len(x)

        # Row 0 and the vector, laid flat one above the other; their products as bars below
        flat_row = _flat_strip(row, _vmax(W), 2.0, "row 0 of W_Q")
        flat_x = _flat_strip(x, _vmax(x), 1.4, "the vector x")
        products = np.asarray(row, dtype=float) * np.asarray(x, dtype=float)
        bars = _product_bars(products, baseline=0.05, unit=0.95 / float(np.abs(products).max()))
        names = VGroup(*[MathTex(t, font_size=30).next_to(m, LEFT, buff=0.2) for t, m in
                         ((r"w_{0j}", flat_row), (r"x_j", flat_x))])
        bar_name = MathTex(r"w_{0j}\,x_j", font_size=30).next_to(flat_x, LEFT, buff=0.2).set_y(0.05)
        top = int(np.argmax(np.abs(products)))
        step = PRODUCT_WIDTH / n
        column = Rectangle(width=step + 0.06, height=flat_row.get_top()[1] - min(bars[top].get_bottom()[1], 0.05) + 0.08,
                           stroke_color=ACCENT, stroke_width=2.0)
        column.move_to([bars[top].get_x(), 0, 0]).align_to(flat_row, UP).shift(0.04 * UP)
        sig = agreeing_sig([float(row[top]), float(x[top])], float(products[top]), lambda v: v[0] * v[1])
        example = MathTex(rf"w_{{0,{computed(top, 'the column whose product is largest')}}}\,x_{{{top}}} = ",
                          tex(float(row[top]), sig), r"\times", tex(float(x[top]), sig), "=",
                          computed(tex(float(products[top])), "that weight times that entry"),
                          font_size=32).move_to([PRODUCT_X, -1.15, 0])
        total = float(products.sum())
        sig = agreeing_sig([total, float(bias)], float(q0), sum)
        shown_total = computed(tex(total, sig), f"the sum of the {n} products w_0j x_j")
        sums = MathTex("q_0", "=", shown_total, "+", tex(float(bias), sig), "=", tex(float(q0)),
                       font_size=40).move_to([PRODUCT_X, -1.95, 0])
        sums[-1].set_color(ACCENT)

        def line(*parts: str) -> VGroup:  # words in the captions' font, matrix names typeset as on screen
            return VGroup(*[MathTex(p[1:], font_size=36) if p.startswith("$") else Text(p, font=FONT, font_size=26)
                            for p in parts]).arrange(RIGHT, buff=0.15)

        everywhere = VGroup(
            line("queries, keys, values:", r"$W_Q, W_K, W_V", "times", r"$\vec{x}"),
            line("attention: a weighted sum of values"),
            line("its output:", r"$W_O"),
            line("the MLP's two matrices"),
            line("the unembedding"),
        ).arrange(DOWN, buff=0.28, aligned_edge=LEFT)
        everywhere.scale_to_fit_width(min(everywhere.width, 6.0)).move_to([PRODUCT_X - 0.3, 0.5, 0])

        # The product first fills the screen; it moves to the left when q_0 is worked out beside it
        left = Group(*[product[k] for k in product if k != "formula"])
        home = left.get_center()
        left.scale(ZOOM).move_to([0, 0.75, 0])
        self.say("And every step we have seen is built from one operation: a matrix times a vector.")
        self.play(FadeOut(VGroup(window, gpt3, band, band_label), rate_func=LEAVE), FadeOut(block, rate_func=LEAVE),
                  FadeIn(left, rate_func=ARRIVE), run_time=1.8)
        row_band = mat.band(0, 1)
        entry = SurroundingRectangle(qs[0], buff=0.0).stretch_to_fit_height(mat.heat.height / n)
        entry.align_to(qs, UP).set_stroke(ACCENT, width=2.5)
        # x is what W_Q reads: the stream's vector after the block's layer norm (far longer than the stream's own)
        self.say("Here the first block's W_Q meets the last word's vector, as the block's layer norm rescales it: "
                 "all real.")
        self.play(Create(row_band), Create(entry), run_time=0.8)

        # q_0 from row 0: each weight times its entry, then the sum plus a bias
        self.say("Take the first number out, q_0: row 0 of W_Q lines up with the vector, entry beside entry.")
        self.play(Group(left, row_band, entry).animate.scale(1 / ZOOM, about_point=left.get_center())
                  .shift(home - left.get_center()),
                  run_time=1.2)
        for flat, source in ((flat_row, row_band), (flat_x, xs)):
            for part in flat:  # Manim restores an image and a frame, not a group of them
                part.save_state()
            if flat is flat_x:  # the column turns on its side: entry 0 goes from the top to the left
                flat.rotate(-PI / 2).stretch_to_fit_height(xs.frame.height).stretch_to_fit_width(xs.frame.width)
            else:
                flat.stretch_to_fit_width(row_band.width).stretch_to_fit_height(row_band.height)
            flat.move_to(source)
        self.add(flat_row)  # as one drawing, so the screen transcript notes what it draws
        self.play(*[Restore(part) for part in flat_row], Write(formula[3]), run_time=1.4)
        self.add(flat_x)
        self.play(*[Restore(part) for part in flat_x], Write(formula[4]), FadeIn(names), run_time=1.4)
        self.say(f"Each weight multiplies the entry under it: {n} products, some pushing q_0 up, some down.")
        self.add(bars)  # each bar grows from the zero line as the animation begins
        self.play(FadeIn(bar_name), LaggedStart(*[GrowFromEdge(b, DOWN if v >= 0 else UP) for b, v in zip(bars, products)],
                                                lag_ratio=0.03), run_time=2.0)
        self.play(Create(column), FadeIn(example), run_time=1.0)
        self.say("Add them up, add a bias: q_0, a weighted sum of the numbers in.")
        self.play(Write(formula[0:3]), TransformFromCopy(bars, sums[2]), FadeIn(sums[0:2]), run_time=1.6)
        self.play(Write(formula[5:]), FadeIn(sums[3:5]), run_time=1.0)
        self.play(FadeIn(sums[5:]), run_time=0.6)
        self.play(FadeOut(sums[-1].copy(), target_position=entry, scale=0.4), run_time=0.8)
        self.play(Indicate(entry, color=ACCENT, scale_factor=1.3), run_time=0.8)

        self.say("Queries, keys, values, the MLP, the unembedding: weighted sums like this one, and a few "
                 "non-linear steps.")
        self.play(FadeOut(Group(flat_row, flat_x, bars, names, bar_name, column, example), rate_func=LEAVE),
                  LaggedStart(*[FadeIn(t, shift=0.2 * UP) for t in everywhere], lag_ratio=0.3), run_time=1.5)
        self.say("Training tunes the weights; the weighted sums do the rest, one word at a time.")
        after = product_stage(d)
        self.hand_off(after, keep={product[k]: after[k] for k in product}, run_time=1.4)


class Recap(ChapterSixScene):
    def construct(self):
        d = data()
        stage = self.open(product_stage(d))
        self.recap_card(
            [
                "Text becomes tokens; each picks a row of the embedding matrix, plus a position vector.",
                "Near words point alike: king's nearest is queen; adding woman \u2212 man keeps queen nearest, lifts princess.",
                "Attention weights mix the words' vectors; each block adds its change to the stream.",
                "4d\u00b2 of attention and 8d\u00b2 of MLP per layer: matrix-vector products throughout.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [TextToTokens, TokensToVectors, EmbeddingSpace, DotProducts, AttentionArrows, ResidualStream, Unembedding,
          Temperature, ParameterFormula, ContextWindow, Recap]
