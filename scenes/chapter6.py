"""Chapter 6, "Transformers, the tech behind LLMs", drawn from the tiny language model.

Every token id, vector entry, projected point, dot product, logit, probability and parameter
count on screen comes from the ``lm-story`` artifact (``models/lm_story.py``: ``language_story``
and its ``chapter6_parts``) or from the weights in the ``lm`` artifact (rows of the embedding
and unembedding matrices, drawn as heat maps). GPT-3's sizes are its published ones, labelled
so. ``tests/test_chapter6_numbers.py`` checks the numbers against second computations and
``tests/golden/chapter6.json`` pins them.

Render with ``python render.py render 6``, or one scene with Manim::

    manim -ql scenes/chapter6.py EmbeddingSpace
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
    FadeIn,
    FadeOut,
    GrowArrow,
    Group,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
    Write,
    interpolate_color,
)

from scenes.palette import BACKGROUND, FAINT, INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.transcript import computed
from scenes.lm_pieces import (
    EmbeddingPlot,
    MatrixBlock,
    ProbabilityBars,
    TemperatureSlider,
    TokenRow,
    TransformerDiagram,
    percent,
    top_words,
)
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, HeatMap, NumberColumn, fmt

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


class ChapterSixScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


class TextToTokens(ChapterSixScene):
    def construct(self):
        d = data()
        self.title_card(TITLE)
        prompt = str(d["unembed_prompt"])
        words, ids = prompt.split(), [int(i) for i in d["unembed_ids"]]
        vocab = _words(d, "vocab")
        n_vocab = int(weights()["config"][0])  # the vocabulary size the model was built with: len(vocab)
        shown = prompt[0].upper() + prompt[1:]  # the text as a person writes it
        text = Text(shown, font=FONT, font_size=44).move_to(UP * 2.8)
        row = TokenRow(words, font_size=36, buff=0.25).move_to(UP * 1.0)
        rule = Text("lower-case, split at spaces", font=FONT, font_size=20, color=MUTED)
        rule.move_to((text.get_bottom() + row.get_top()) / 2)
        id_labels = VGroup(*[Text(str(i), font=FONT, font_size=30, color=ACCENT).next_to(box, DOWN, buff=0.3)
                             for i, box in zip(ids, row.boxes)])
        id_title = Text("token ids", font=FONT, font_size=22, color=MUTED).next_to(id_labels, LEFT, buff=0.5)
        id_title.align_to(id_labels, DOWN)
        first, last = vocab[:3], vocab[-1]
        last_id = computed(n_vocab - 1, "the last word's id: the vocabulary size − 1")
        listing = VGroup(
            Text(f"the vocabulary: {n_vocab} words, in alphabetical order", font=FONT, font_size=22),
            Text(f"0 \u201c{first[0]}\u201d   1 \u201c{first[1]}\u201d   2 \u201c{first[2]}\u201d   \u2026   "
                 + "   ".join(f"{i} \u201c{w}\u201d" for i, w in sorted(set(zip(ids, words))))
                 + f"   \u2026   {last_id} \u201c{last}\u201d", font=FONT, font_size=20, color=MUTED),
        ).arrange(DOWN, buff=0.2).move_to(DOWN * 1.6)
        if listing.width > 13.4:
            listing.scale_to_fit_width(13.4)

        # Cut the text into tokens
        self.say("A transformer first cuts its text into tokens. Our tiny model's tokens are whole words.")
        self.play(FadeIn(text), run_time=1.0)
        self.say("Its tokenizer is simple: lower-case the text, then split it at the spaces.")
        self.play(FadeIn(rule), LaggedStart(*[FadeIn(t, shift=0.3 * DOWN) for t in row.tokens], lag_ratio=0.15),
                  run_time=1.8)
        # Each token is a number
        self.say(f"Each token becomes a number: its place in the model's vocabulary of {n_vocab} words.")
        self.play(FadeIn(id_title), LaggedStart(*[FadeIn(i) for i in id_labels], lag_ratio=0.15), run_time=1.5)
        self.play(FadeIn(listing), run_time=1.0)
        self.say("Large models cut text into pieces of words instead, but each piece still becomes an id like these.")
        self.wait(0.5)


class TokensToVectors(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        E = w["transformer.wte.weight"]
        vocab = _words(d, "vocab")
        words, ids = str(d["unembed_prompt"]).split(), [int(i) for i in d["unembed_ids"]]
        rows, cols = (int(x) for x in d["embedding_shape"])
        king = vocab.index("king")
        vmax = _vmax(E)

        matrix = MatrixBlock(E, name=r"W_E", cell=0.019, vmax=vmax).move_to(LEFT * 5.4 + UP * 0.55)
        row_label = Text(f"{rows} rows, one per word", font=FONT, font_size=18, color=MUTED)
        row_label.next_to(matrix, DOWN, buff=0.12)
        band = matrix.band(king, king + 1)
        band_label = Text(f"row {king}: king", font=FONT, font_size=20, color=ACCENT)
        band_label.next_to(band, RIGHT, buff=0.35)
        shown = list(range(8))
        column = _readable(NumberColumn(d["king_vector"][shown], shown, cols, font_size=22, sig=2, row_gap=0.1),
                           d["king_vector"][shown])
        column.move_to(LEFT * 0.75 + UP * 0.5)
        col_title = Text(f"king: {cols} numbers", font=FONT, font_size=22, color=ACCENT).next_to(column, UP, buff=0.25)
        link = Arrow(band_label.get_right(), [column.get_left()[0], band_label.get_y(), 0], buff=0.15, stroke_width=3,
                     color=ACCENT, max_tip_length_to_length_ratio=0.2)

        token_row = TokenRow(words, font_size=26, buff=0.22).move_to(RIGHT * 3.9 + UP * 3.0)
        strips = Group(*[_strip(E[i], vmax, 3.6, 0.34) for i in ids])
        for strip, box in zip(strips, token_row.boxes):
            strip.move_to([box.get_x(), 0.45, 0])
        frames = VGroup(*[_frame(s) for s in strips])
        strip_ids = VGroup(*[Text(str(i), font=FONT, font_size=20, color=MUTED).next_to(box, DOWN, buff=0.12)
                             for i, box in zip(ids, token_row.boxes)])
        strip_note = Text(f"each word: {cols} numbers, blue +, red \u2212", font=FONT, font_size=20, color=MUTED)
        strip_note.next_to(strips, DOWN, buff=0.25)
        bands = VGroup(*[matrix.band(i, i + 1) for i in sorted(set(ids))])

        # The embedding matrix
        self.say(f"Next, each token id picks out one row of the embedding matrix: {rows} rows, {cols} numbers each.")
        self.play(FadeIn(token_row), FadeIn(strip_ids), FadeIn(matrix), FadeIn(row_label), run_time=1.2)
        self.say("Its numbers start out random; training tunes them along with every other weight.")
        self.wait(0.5)
        # One row, read as a vector
        self.say(f"Here is the real row {king}, the word king. Read as a column, it is king's vector.")
        self.play(Create(band), FadeIn(band_label), run_time=0.8)
        self.play(GrowArrow(link), FadeIn(column), FadeIn(col_title), run_time=1.5)
        # The whole sentence as vectors
        self.say(f"So our {len(words)} words become {len(words)} vectors of {cols} numbers, drawn here as coloured strips.")
        self.play(Create(bands), run_time=1.0)
        self.play(LaggedStart(*[FadeIn(s, shift=0.2 * DOWN) for s in strips], lag_ratio=0.2),
                  FadeIn(frames), FadeIn(strip_note), run_time=2.0)
        both = VGroup(*[SurroundingRectangle(strips[i], color=ACCENT, buff=0.06) for i, x in enumerate(words)
                        if x == "the"])
        self.say("Both \u201cthe\u201ds start as the same vector; the model also adds a vector for each word's position.")
        self.play(Create(both), run_time=1.0)


class EmbeddingSpace(ChapterSixScene):
    def construct(self):
        d = data()
        words = _words(d, "embedding_words")
        xy, result = d["space_2d"], d["space_analogy_2d"]
        plot = EmbeddingPlot(xy, words, size=3.9, font_size=22, sides={"man": DOWN, "woman": DOWN})
        plot.move_to(LEFT * 3.9 + UP * 1.4)
        head = Text("the model's own token embeddings,", font=FONT, font_size=18, color=MUTED)
        head.add(Text("projected from 64-D to 2-D", font=FONT, font_size=18, color=MUTED).next_to(head, DOWN, buff=0.08))
        head.next_to(plot, DOWN, buff=0.2)
        axis_note = VGroup(Text("x: average step from male to female word", font=FONT, font_size=18, color=MUTED),
                           Text("y: largest remaining spread", font=FONT, font_size=18, color=MUTED))
        axis_note.arrange(DOWN, buff=0.08).next_to(head, DOWN, buff=0.15)

        a, b, c, _ = (str(x) for x in d["analogies"][0])
        name = f"{a} \u2212 {b} + {c}"
        step = plot.arrow(b, c, color=ACCENT)
        moved = Arrow(plot.point(a), plot.point(result), buff=0.08, color=ACCENT, stroke_width=4,
                      max_tip_length_to_length_ratio=0.15)
        ghost = Circle(radius=0.12, stroke_color=ACCENT, stroke_width=3).move_to(plot.point(result))
        ghost_label = Text(name, font=FONT, font_size=20, color=ACCENT).next_to(ghost, RIGHT, buff=0.15)

        # The nearest words to the analogy's point, in the full space
        near, sims = [str(x) for x in d["analogy_neighbours"][0]], d["analogy_similarity"][0]
        x0, x1 = 0.7, 3.1
        near_title = _cell(f"nearest to {name}", x0, 2.85, font_size=22)
        near_sub = _cell("in all 64 dimensions, by cosine similarity", x0, 2.45, font_size=18, color=MUTED)
        near_rows = VGroup(*[
            VGroup(_cell(word, x0, 1.95 - 0.42 * k, font_size=24, color=ACCENT if k == 0 else INK),
                   _cell(f"{s:.2f}", x1, 1.95 - 0.42 * k, font_size=22))
            for k, (word, s) in enumerate(zip(near, sims))
        ])

        # The other analogies, each with its nearest word
        others = VGroup()
        for k, (row, nb, sim) in enumerate(zip(d["analogies"][1:], d["analogy_neighbours"][1:],
                                              d["analogy_similarity"][1:])):
            a2, b2, c2, _ = (str(x) for x in row)
            y = 0.3 - 0.44 * k
            others.add(VGroup(_cell(f"{a2} \u2212 {b2} + {c2}", x0, y, font_size=20),
                              _cell(f"\u2192 {nb[0]}", 4.35, y, font_size=20, color=ACCENT),
                              _cell(f"{float(sim[0]):.2f}", 6.9, y, RIGHT, font_size=20, color=MUTED)))

        # Words as points in a space
        self.say(f"Training places words the model uses alike near each other. Here are {len(plot.words)} of its word vectors.")
        self.play(FadeIn(head), FadeIn(plot.axes), LaggedStart(*[FadeIn(VGroup(dt, lb)) for dt, lb in
                                                                 zip(plot.dots, plot.labels)], lag_ratio=0.1),
                  run_time=2.0)
        self.say(f"They have {int(d['embedding_shape'][1])} numbers each, so this is a projection. x: the average male-to-female step; y: the biggest other spread.")
        self.play(FadeIn(axis_note), run_time=0.8)
        # The analogy, as an arrow
        self.say(f"The step from {b} to {c} is one arrow. Add the same arrow to {a}: {name}.")
        self.play(GrowArrow(step), run_time=1.0)
        self.play(Transform(step.copy(), moved), run_time=1.5)
        self.play(Create(ghost), FadeIn(ghost_label), run_time=0.8)
        self.say(f"In the full 64 dimensions, the nearest word to that point is {near[0]}: cosine similarity {sims[0]:.2f}.")
        self.play(FadeIn(near_title), FadeIn(near_sub), LaggedStart(*[FadeIn(r) for r in near_rows], lag_ratio=0.2),
                  run_time=1.5)
        # The other analogies
        self.say("The same arithmetic works for the model's other word pairs: each lands nearest the expected word.")
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * UP) for r in others], lag_ratio=0.2), run_time=2.0)


class DotProducts(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        E = w["transformer.wte.weight"]
        vocab = _words(d, "vocab")
        names, dots = _words(d, "dot_words"), d["dot_products"]
        king, first = E[vocab.index("king")], E[vocab.index(names[0])]
        vmax = float(np.abs(np.concatenate([king, first])).max())
        length = 9.6
        strips = Group()
        for vec in (king, first):
            strips.add(_strip(vec, vmax, length, 0.38, vertical=False))
        product = king * first  # entry by entry
        strips.add(_strip(product, float(np.abs(product).max()), length, 0.38, vertical=False))
        strips.arrange(DOWN, buff=0.3).move_to(RIGHT * 0.7 + UP * 2.45)
        frames = VGroup(*[_frame(s) for s in strips])
        labels = VGroup(*[Text(t, font=FONT, font_size=22, color=c).next_to(s, LEFT, buff=0.25)
                          for t, s, c in zip(["king", names[0], f"king \u00d7 {names[0]}"], strips, [INK, INK, ACCENT])])
        total = Text(f"add the {len(king)} products: king \u00b7 {names[0]} = {dots[0]:.2f}", font=FONT, font_size=24,
                     color=ACCENT).next_to(strips, DOWN, buff=0.3)

        # Bars of king's dot product with a few words
        zero = 0.6
        scale = 4.0 / float(np.abs(dots).max())
        bars = VGroup()
        for k, (name, v) in enumerate(zip(names, dots)):
            y = 0.4 - 0.48 * k
            bar = Rectangle(width=max(abs(v) * scale, 0.02), height=0.3, stroke_width=0, fill_opacity=0.9,
                            fill_color=POSITIVE if v >= 0 else NEGATIVE)
            bar.move_to([zero, y, 0], aligned_edge=LEFT if v >= 0 else RIGHT)
            label = _cell(f"king \u00b7 {name}", -1.0, y - 0.09, RIGHT)
            value = _cell(fmt_dot(v), zero + max(v, 0) * scale + 0.15, y - 0.09)  # right of the bar, or of zero
            bars.add(VGroup(label, bar, value))
        axis = Line([zero, 0.65, 0], [zero, 0.4 - 0.48 * (len(names) - 1) - 0.25, 0], stroke_color=MUTED, stroke_width=2)

        # Multiply entry by entry and add
        self.say("How alike are two word vectors? Multiply them entry by entry and add up: the dot product.")
        self.play(FadeIn(strips[:2]), FadeIn(frames[:2]), FadeIn(labels[:2]), run_time=1.2)
        self.play(FadeIn(strips[2], shift=0.3 * DOWN), FadeIn(frames[2]), FadeIn(labels[2]), run_time=1.2)
        self.play(Write(total), run_time=1.0)
        agree = int((product > 0).sum())
        shown_agree = computed(agree, f"the entries where king × {names[0]} is positive")
        self.say(f"Where both are blue or both red, the product is positive (blue): for king and {names[0]}, in "
                 f"{shown_agree} of {len(king)} places.")
        self.wait(0.5)
        # Compare king with other words
        self.say("Large and positive: similar. Near zero: unrelated. Negative: pointing away. Here is king against other words.")
        self.play(Create(axis), LaggedStart(*[FadeIn(b) for b in bars], lag_ratio=0.2), run_time=2.0)
        self.say("Dot products run all through a transformer: attention uses them, and so does the choice of the next word.")
        self.wait(0.5)


def fmt_dot(v: float) -> str:
    """A dot product to two decimals, with a real minus sign and no "-0.00"."""
    text = f"{v:.2f}"
    if float(text) == 0:
        text = "0.00"
    return text.replace("-", "\u2212")


class TheFlow(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        vocab = _words(d, "vocab")
        words = str(d["unembed_prompt"]).split()
        stream, probs = d["unembed_stream"], d["unembed_probs"]  # stream: (stages, words, 64)
        rows, cols = w["transformer.wte.weight"].shape
        n_layer = int(w["config"][2])
        gpt3_layers = int(d["gpt3_dims"][1])  # GPT-3's published depth
        u_rows, u_cols = w["lm_head.weight"].shape
        notes = [f"{rows} \u00d7 {cols}", "", "", "", "", f"{u_rows} \u00d7 {u_cols}", ""]
        diagram = TransformerDiagram(n_layer, width=12.8, height=1.1, font_size=20, notes=notes).move_to(UP * 0.95)
        y_strips = -1.25
        row = TokenRow(words, font_size=24).move_to(UP * 3.2).align_to(diagram, LEFT)
        first = diagram.blocks[0]
        feed = Arrow([first.get_x(), row.get_bottom()[1], 0], first.get_top() + 0.35 * UP, buff=0.08, stroke_width=3,
                     color=MUTED, max_tip_length_to_length_ratio=0.25)
        note = VGroup(Text("strips: each word's 64 numbers after each block", font=FONT, font_size=18, color=MUTED),
                      Text("(brightness relative to that block's largest values)", font=FONT, font_size=18,
                           color=MUTED)).arrange(DOWN, aligned_edge=RIGHT, buff=0.08)
        note.move_to([6.9, 3.2, 0], aligned_edge=RIGHT)

        def vectors(stage: int, block: int) -> Group:
            # The stream grows through the blocks, so each stage gets its own brightness scale
            vmax = _vmax(stream[stage])
            strips = Group(*[Group(strip, _frame(strip, FAINT)) for strip in
                             (_strip(v, vmax, 2.0, 0.22) for v in stream[stage])]).arrange(RIGHT, buff=0.05)
            return strips.move_to([diagram.blocks[block].get_x(), y_strips, 0])

        def role(text: str) -> Text:
            return Text(text, font=FONT, font_size=22, color=ACCENT).move_to([2.4, 2.45, 0])

        # The whole machine
        self.say("Then the vectors flow through the transformer: blocks of attention and MLP, one after the other.")
        self.play(FadeIn(row), GrowArrow(feed), FadeIn(diagram), run_time=1.8)
        current = vectors(0, 0)
        self.play(diagram.light(0), FadeIn(current), FadeIn(note), run_time=1.0)
        # Attention
        text = role("attention: the vectors pass information to each other")
        self.say("In an attention block the vectors pass information to each other, so each word takes in its context.")
        self.play(diagram.light(1), Transform(current, vectors(1, 1)), FadeIn(text), run_time=1.2)
        # MLP
        self.say("In an MLP block each vector is changed on its own, by the same weights at every position.")
        self.play(diagram.light(2), Transform(current, vectors(2, 2)),
                  Transform(text, role("MLP: each vector is changed on its own")), run_time=1.2)
        # Repeat
        self.say(f"Then again: our tiny model has {n_layer} such layers. GPT-3, by its published design, has {gpt3_layers}.")
        self.play(diagram.light(3), Transform(current, vectors(3, 3)),
                  Transform(text, role(f"repeated: {n_layer} layers here, {gpt3_layers} in GPT-3")), run_time=1.2)
        self.play(diagram.light(4), Transform(current, vectors(4, 4)), run_time=1.2)
        # Unembedding and softmax: only the last vector predicts
        last = current[-1]
        top_word, top_p = top_words(probs, vocab, 1)[0][1:]
        answer = Text(f"{top_word} {percent(top_p)}", font=FONT, font_size=22, color=ACCENT)
        answer.move_to([diagram.blocks[6].get_x(), y_strips, 0])
        self.say("For the next word, only the last position's vector counts: the unembedding and a softmax turn it into odds.")
        self.play(diagram.light(5), *[FadeOut(s) for s in current[:-1]],
                  last.animate.move_to([diagram.blocks[5].get_x(), y_strips, 0]),
                  Transform(text, role("the last vector predicts the next word")), run_time=1.2)
        self.play(diagram.light(6), FadeIn(answer, shift=0.3 * RIGHT), run_time=1.0)


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

        row = TokenRow(words + ["?"], font_size=24).move_to(UP * 3.25 + LEFT * 3.2)
        row.boxes[-1].set_stroke(ACCENT)
        row.labels[-1].set_color(ACCENT)
        matrix = MatrixBlock(U, name=r"W_U", cell=0.016, vmax=_vmax(U)).move_to(LEFT * 5.9 + DOWN * 0.05)
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

        bars = ProbabilityBars([x for _, x, _ in best], probs[[i for i, _, _ in best]], width=2.2, font_size=22)
        bars.move_to(RIGHT * 4.6 + DOWN * 0.6)
        soft = MathTex(r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", font_size=40).next_to(bars, UP, buff=0.45)
        soft.set_x(bars.get_x())
        arrow = Arrow(logit_col.get_right() + 0.1 * RIGHT, bars.get_left() + 0.1 * LEFT, buff=0.05, stroke_width=3,
                      color=MUTED, max_tip_length_to_length_ratio=0.15)
        arrow_label = Text("softmax", font=FONT, font_size=20, color=MUTED).next_to(arrow, UP, buff=0.1)

        # The last vector through the unembedding matrix
        self.say(f"The last word's final vector, {width} numbers, meets the unembedding matrix: {n_words} rows, one per word.")
        self.play(FadeIn(row), run_time=0.8)
        self.play(FadeIn(matrix), FadeIn(vector), FadeIn(vec_title), run_time=1.5)
        top_word, top_logit = best[0][1], float(top_logits[0])
        second, second_logit = best[1][1], float(top_logits[1])
        self.say(f"Each row's dot product with the vector is that word's score, its logit: {top_word} {fmt(top_logit)}, "
                 f"{second} {fmt(second_logit)}.")
        self.play(FadeIn(equals), FadeIn(logit_col, lag_ratio=0.1), FadeIn(names), FadeIn(logit_title), run_time=1.5)
        # Softmax
        self.say("Softmax turns scores into probabilities: raise e to each logit, then divide by their sum.")
        self.play(Write(soft), GrowArrow(arrow), FadeIn(arrow_label), run_time=1.5)
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.2)
        self.play(Create(bars.highlight(0)), run_time=0.5)
        gap = computed(fmt(top_logit - second_logit, 2), f"the logit of {top_word} minus that of {second}")
        self.say(f"A gap of {gap} in the logits makes {top_word} {percent(best[0][2])} likely: "
                 f"the model finishes the sentence with it.")
        self.wait(0.5)


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

        row = TokenRow(prompt.split() + ["?"], font_size=24).move_to(UP * 3.2 + LEFT * 3.5)
        row.boxes[-1].set_stroke(ACCENT)
        row.labels[-1].set_color(ACCENT)
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
        self.play(FadeIn(row), FadeIn(logit_block), run_time=1.2)
        self.play(FadeIn(bars, lag_ratio=0.1), run_time=1.2)
        # Temperature divides the logits
        self.say("Dividing the logits by a temperature T before the softmax changes how bold the choice is.")
        self.play(Write(formula), FadeIn(slider), run_time=1.5)
        market = best[0][1]
        # Low temperature
        low, high = temps.index(min(temps)), temps.index(max(temps))
        cold, hot = probs_at(low), probs_at(high)
        self.say(f"At T = {temps[low]:g} the gaps between logits double: {market} rises from "
                 f"{percent(probs_at(normal)[0])} to {percent(cold[0])}, the other words fall further.")
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


class WhereTheParametersLive(ChapterSixScene):
    def construct(self):
        d, w = data(), weights()
        groups, counts = _words(d, "param_groups"), [int(c) for c in d["param_group_counts"]]
        names, sizes = _words(d, "param_names"), [int(c) for c in d["param_counts"]]
        total = int(d["n_params"])
        V, _, L, _, dim = (int(x) for x in w["config"])
        tiny = [int(x) for x in d["weight_formula_tiny"]]

        def size(name: str) -> int:
            return sizes[names.index(name)]

        def layer_sizes(*parts: str) -> np.ndarray:  # one layer's counts (every layer has the same shapes)
            return d["param_counts"][[names.index(f"transformer.h.0.{p}") for p in parts]]  # picked out together

        attn_w = layer_sizes("attn.c_attn.weight", "attn.c_proj.weight")
        attn_b = computed(int(layer_sizes("attn.c_attn.bias", "attn.c_proj.bias").sum()), "an attention layer's two biases")
        mlp_w = layer_sizes("mlp.c_fc.weight", "mlp.c_proj.weight")
        mlp_b = computed(int(layer_sizes("mlp.c_fc.bias", "mlp.c_proj.bias").sum()), "an MLP layer's two biases")
        n_norms = sum(1 for n in names if "ln_" in n and n.endswith("weight"))
        details = {
            "embedding": f"{V} words \u00d7 {dim}",
            "positions": f"{size('transformer.wpe.weight') // dim} positions \u00d7 {dim}",
            "attention": f"{L} \u00d7 ({_count(attn_w[0])} + {_count(attn_w[1])} + {attn_b} biases)",
            "MLP": f"{L} \u00d7 ({_count(mlp_w[0])} + {_count(mlp_w[1])} + {mlp_b} biases)",
            "layer norms": f"{n_norms} \u00d7 {computed(2 * dim, 'a norm: d weights and d biases')}",
            "unembedding": f"{V} words \u00d7 {dim}",
        }

        # The table: group, its matrices, its count, a bar; one row per group
        name_x, detail_x, count_x, bar_x = -6.8, -4.3, 2.3, 2.55
        bar_scale = 3.0 / max(counts)
        rows = VGroup()
        for k, (g, c) in enumerate(zip(groups, counts)):
            y = 2.8 - 0.55 * k
            rows.add(VGroup(
                _cell(g, name_x, y, font_size=24, color=POSITIVE if g in ("attention", "MLP") else INK),
                _cell(_count(c), count_x, y, RIGHT, font_size=24),
                _cell(details[g], detail_x, y, font_size=20, color=MUTED),
                Rectangle(width=max(c * bar_scale, 0.02), height=0.28, stroke_width=0, fill_color=POSITIVE,
                          fill_opacity=0.8).move_to([bar_x, y + 0.1, 0], aligned_edge=LEFT),
            ))
        y_rule = 2.8 - 0.55 * len(groups) + 0.3
        rule = Line([name_x, y_rule, 0], [count_x, y_rule, 0], stroke_color=MUTED, stroke_width=1.5)
        total_row = VGroup(_cell("total", name_x, y_rule - 0.45, font_size=24, color=ACCENT),
                           _cell(_count(total), count_x, y_rule - 0.45, RIGHT, font_size=24, color=ACCENT))

        # The formula, right of the table once the table is compact
        x0 = -2.5
        formula = MathTex(r"V d", r"\;+\;", r"L\,(4d^2", r"\;+\;", r"8d^2)", r"\;+\;", r"V d", font_size=44)
        formula.move_to([x0, 3.05, 0], aligned_edge=LEFT)
        under = VGroup(*[Text(t, font=FONT, font_size=18, color=MUTED).next_to(formula[i], DOWN, buff=0.12)
                         for i, t in ((0, "embedding"), (2, "attention"), (4, "MLP"), (6, "unembedding"))])
        tiny_dims = Text(f"tiny model: d = {dim}, L = {L}, V = {V}", font=FONT, font_size=22)
        tiny_dims.move_to([x0, 1.75, 0], aligned_edge=LEFT)
        tiny_sum = MathTex(" + ".join(_tex_count(t) for t in tiny), "=",
                           _tex_computed(sum(tiny), "the four terms of the formula, added"), font_size=36)
        tiny_sum.next_to(tiny_dims, DOWN, buff=0.2).align_to(tiny_dims, LEFT)
        extra = total - sum(tiny)
        extra_how = "the model's parameters minus the formula's"
        tiny_rest = Text(f"+ {computed(_count(extra), extra_how)} biases, norms, positions = {_count(total)}", font=FONT,
                         font_size=22,
                         color=ACCENT).next_to(tiny_sum, DOWN, buff=0.2).align_to(tiny_dims, LEFT)

        # Count by matrix
        self.say(f"Where do our model's {_count(total)} parameters live? Here they are, counted matrix by matrix.")
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in rows], lag_ratio=0.15), run_time=2.5)
        self.play(Create(rule), FadeIn(total_row), run_time=0.8)
        mlp, attn = counts[groups.index("MLP")], counts[groups.index("attention")]
        emb = counts[groups.index("embedding")]
        self.say(f"The MLPs hold {_share(mlp, total, 'the MLP count ÷ the total')} of them, "
                 f"attention {_share(attn, total, 'the attention count ÷ the total')}, "
                 f"the embedding and unembedding {_share(emb, total, 'the embedding count ÷ the total')} each.")
        self.finish_reading()
        # The standard formula
        compact = -3.1  # the counts' right edge once details and bars are gone
        self.play(*[FadeOut(VGroup(r[2], r[3])) for r in rows], run_time=0.6)
        self.play(VGroup(*[r[1] for r in rows], total_row[1]).animate.shift(RIGHT * (compact - count_x)),
                  rule.animate.put_start_and_end_on([name_x, y_rule, 0], [compact, y_rule, 0]), run_time=1.0)
        self.say("The big matrices follow one formula: V\u00b7d each for embedding and unembedding, 4d\u00b2 + 8d\u00b2 per layer.")
        self.play(Write(formula), FadeIn(under), run_time=1.5)
        self.say(f"With d = {dim}, L = {L}, V = {V} it gives {_count(sum(tiny))}, exactly our matrices; biases, "
                 f"norms and positions add {computed(_count(extra), extra_how)}.")
        self.play(FadeIn(tiny_dims), run_time=0.6)
        self.play(Write(tiny_sum), run_time=1.2)
        self.play(FadeIn(tiny_rest), run_time=0.8)
        # The same formula for a large model
        # (GPT-3's figures are read here, where they are drawn: its d = 12,288 reads like an attention count)
        gpt3 = [int(x) for x in d["weight_formula_gpt3"]]
        gd, gl, gv = (int(x) for x in d["gpt3_dims"])
        big_dims = Text(f"GPT-3's published sizes: d = {gd:,}, L = {gl}, V = {gv:,}", font=FONT, font_size=22)
        big_dims.move_to([x0, -0.45, 0], aligned_edge=LEFT)
        big_terms = MathTex(" + ".join(computed(fmt(t / 1e9, 3), "a term of GPT-3's formula, in billions") for t in gpt3),
                            r"\ \text{billion}", font_size=36)
        big_terms.next_to(big_dims, DOWN, buff=0.2).align_to(big_dims, LEFT)
        gpt3_billions = computed(f"{sum(gpt3) / 1e9:.0f}", "GPT-3's formula, added, in billions")
        big_sum = MathTex("=", _tex_computed(sum(gpt3), "the four terms of GPT-3's formula, added"), r"\approx",
                          rf"{gpt3_billions}\ \text{{billion}}", font_size=40, color=ACCENT)
        big_sum.next_to(big_terms, DOWN, buff=0.2).align_to(big_dims, LEFT)
        mlp_share = gpt3[2] / sum(gpt3)
        ratio = sum(gpt3) / total
        times = computed(fmt(ratio / 1e6, 2), "GPT-3's count ÷ ours, in millions")
        mlp_percent = computed(f"{100 * mlp_share:.0f}%", "GPT-3's MLP term ÷ its whole formula")
        big_note = Text(f"{times} million times our tiny model; MLPs hold {mlp_percent}",
                        font=FONT, font_size=20,
                        color=MUTED).next_to(big_sum, DOWN, buff=0.2).align_to(big_dims, LEFT)
        self.say(f"With GPT-3's published sizes, d = {gd:,}, {gl} layers, {gv:,} tokens, it gives about "
                 f"{gpt3_billions} billion.")
        self.play(FadeIn(big_dims), run_time=0.8)
        self.play(Write(big_terms), run_time=1.2)
        self.play(Write(big_sum), run_time=1.2)
        self.say(f"That is {times} million times our model, and the MLPs alone hold {mlp_percent} of it.")
        self.play(FadeIn(big_note), run_time=0.8)


class Recap(ChapterSixScene):
    def construct(self):
        self.recap_card(
            [
                "Text becomes tokens; each token picks a row of the embedding matrix.",
                "Directions in that space carry meaning; dot products measure likeness.",
                "Attention and MLP blocks alternate; unembedding and softmax predict.",
                "Temperature sharpens or flattens; most parameters sit in the layers.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [TextToTokens, TokensToVectors, EmbeddingSpace, DotProducts, TheFlow, Unembedding, Temperature,
          WhereTheParametersLive, Recap]
