"""Chapter 7, "Attention in transformers, step by step", through one real attention head.

The head is the one ``models/lm_story.py`` finds (``adjective_head``: the head whose attention
from the sentence's last word falls most on the noun's adjectives), stored as
``attention_layer_head`` in the ``lm-story`` artifact: nothing here names a head by hand, and
the narration names words and percentages from the data. Queries, keys, scores, pattern,
values and the change the head adds come from ``lm-story`` (``language.npz``); the weight
matrices W_Q, W_K, W_V, W_O and the embeddings from ``lm`` (``weights.npz``).
``tests/golden/chapter7.json`` pins every number on screen.

Render with ``python render.py render 7``, or one scene with Manim::

    manim -ql scenes/chapter7.py AttentionPattern
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    ArcBetweenPoints,
    Create,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    MathTex,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
)

from scenes.palette import INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.transcript import computed
from scenes.lm_pieces import (
    MASKED_FILL,
    AttentionGrid,
    MatrixBlock,
    PatternThumb,
    ProbabilityBars,
    TokenRow,
    VectorColumn,
    percent,
)
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, NumberColumn, fmt, tex

NUMBER = 7
TITLE = "Attention in transformers, step by step"
ARTIFACTS = ("lm-story", "lm")


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-story", "language.npz")


def weights() -> dict[str, np.ndarray]:
    return artifact_arrays("lm", "weights.npz")


class Story:
    """What the narration names, read from the artifacts: the head, the words, the matrices."""

    def __init__(self):
        d, w = data(), weights()
        self.d, self.w = d, w
        self.words = [str(x) for x in d["sentence"]]
        self.sentence = " ".join(self.words)
        self.layer, self.head = (int(x) for x in d["attention_layer_head"])
        self.vocab_size, _, self.n_layer, self.n_head, self.n_embd = (int(x) for x in w["config"])
        self.hd = int(d["head_q"].shape[1])  # a head's size: each query has this many numbers (n_embd // n_head)
        self.adjectives = [str(a) for a in d["shown_adjectives"]]
        self.adj_pos = [self.words.index(a) for a in self.adjectives]
        self.noun = max(self.adj_pos) + 1  # the word right after its adjectives
        self.last = len(self.words) - 1
        self.pattern = d["head_pattern"]
        self.top_key = int(np.argmax(self.pattern[self.last]))  # where the last word looks most
        rows = slice(self.head * self.hd, (self.head + 1) * self.hd)
        c_attn = w[f"transformer.h.{self.layer}.attn.c_attn.weight"]  # (3C, C): W_Q, W_K, W_V stacked
        C = self.n_embd
        self.W_Q, self.W_K, self.W_V = c_attn[:C], c_attn[C : 2 * C], c_attn[2 * C :]
        self.head_rows = rows
        self.W_O = w[f"transformer.h.{self.layer}.attn.c_proj.weight"]  # (C, C): [out, in]

    @property
    def names(self) -> tuple[str, str]:
        """The head as the viewer counts: ("layer 1", "head 2")."""
        return f"layer {self.layer + 1}", f"head {self.head + 1}"

    @staticmethod
    def quote(word: str) -> str:
        """A word as the captions quote it."""
        return f"\u2018{word}\u2019"


class ChapterSevenScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


def _label(text: str, size: int = 20, color=MUTED) -> Text:
    return Text(text, font=FONT, font_size=size, color=color)


def _place(block: MatrixBlock, x: float, y: float) -> MatrixBlock:
    """Centre a matrix block's shaded part (not its name and shape) at (x, y)."""
    return block.shift(np.array([x, y, 0.0]) - block.heat.get_center())


def _vec(letter: str, word: str, font_size: int = 40) -> MathTex:
    """A named vector, e.g. q with the word it belongs to underneath."""
    return MathTex(rf"\vec{{{letter}}}_{{\text{{{word}}}}}", font_size=font_size, color=ACCENT)


def _numbers(values: np.ndarray, shown: int | None = None, sig: int = 3, row_gap: float = 0.1,
             how: str | None = None) -> NumberColumn:
    """A column of real numbers (the first ``shown`` of them), each in its sign's colour at full
    brightness: small entries stay readable. For values computed in the scene, ``how`` says from
    what (the screen transcript writes it beside them); an artifact's array keeps its source."""
    shown = len(values) if shown is None else shown
    if how is not None:
        for v in values[:shown]:
            computed(fmt(v, sig), how)
    column = NumberColumn(values[:shown], range(shown), len(values), font_size=18, sig=sig, row_gap=row_gap)
    for text, v in zip(column.numbers, values[:shown]):
        text.set_color(POSITIVE if v >= 0 else NEGATIVE)
    return column


class AdjectivesUpdateNouns(ChapterSevenScene):
    def construct(self):
        s = Story()
        self.title_card(TITLE)
        words, quote = s.words, s.quote
        row = TokenRow(words, font_size=22).move_to(UP * 2.6)
        ids = [list(s.w["vocab"]).index(x) for x in words]
        embedded = s.w["transformer.wte.weight"][ids] + s.w["transformer.wpe.weight"][: len(words)]  # (T, C)
        vmax = float(np.abs(embedded).max())
        columns = Group(*[VectorColumn(e, height=2.6, width=0.3, vmax=vmax).next_to(tok, DOWN, buff=0.3)
                          for e, tok in zip(embedded, row.tokens)])
        dims = _label(f"{s.n_embd} numbers per word", 20).next_to(columns, DOWN, buff=0.2)

        # Read the sentence
        self.say(f"Take the sentence \u201c{s.sentence}\u201d.")
        self.play(LaggedStart(*[FadeIn(t, shift=0.1 * DOWN) for t in row.tokens], lag_ratio=0.08), run_time=1.5)
        self.say(f"Each word enters the model as {s.n_embd} numbers: its word embedding plus its position's. "
                 "These are the real ones.")
        self.play(LaggedStart(*[FadeIn(c) for c in columns], lag_ratio=0.06), FadeIn(dims), run_time=1.5)

        # Adjectives must reach their noun (a pure illustration: arrows, not model numbers)
        noun, adj = row.tokens[s.noun], [row.tokens[i] for i in s.adj_pos]
        arcs = VGroup(*[ArcBetweenPoints(a.get_top() + 0.05 * UP, noun.get_top() + 0.05 * UP, angle=-1.2,
                                         color=ACCENT, stroke_width=3).add_tip(tip_length=0.15) for a in adj])
        self.say(f"But the vector of {quote(words[s.noun])} says nothing about {quote(s.adjectives[0])} or "
                 f"{quote(s.adjectives[1])}: each word starts knowing only itself.")
        self.wait(0.5)
        self.say("The adjectives have to update the meaning of their noun. Moving meaning between words "
                 "is what attention does.")
        self.play(Create(arcs), run_time=1.2)

        # The model's guess after the last word needs the adjectives
        probs = s.d["shown_next_probs"]
        vocab = [str(x) for x in s.d["vocab"]]
        bars = ProbabilityBars.top(probs, vocab, k=3, width=3.5, font_size=22)
        bars.next_to(row, DOWN, buff=0.9).set_x(0)
        title = _label(f"next word after {quote(words[-1])}", 20).next_to(bars, UP, buff=0.25).align_to(bars, LEFT)
        self.say(f"In the training stories, \u201c... the {words[s.noun]} {words[-1]}\u201d ends with one of its "
                 "adjectives, so that is what the model must predict.")
        self.play(FadeOut(columns), FadeOut(dims), FadeOut(arcs), run_time=0.6)
        self.play(row.tokens[-1][0].animate.set_stroke(ACCENT, width=3), FadeIn(title))
        best = bars.words[:2]
        self.say(f"And it does: after {quote(words[-1])} it says {quote(best[0])} {percent(bars.probs[0])}, "
                 f"{quote(best[1])} {percent(bars.probs[1])}. Let us see how.")
        self.play(FadeIn(bars, lag_ratio=0.2), run_time=1.2)


class QueriesAndKeys(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote = s.d, s.quote
        layer_name, head_name = s.names
        C, hd, r = s.n_embd, s.hd, s.head_rows
        wq = _place(MatrixBlock(s.W_Q, name="W_Q", cell=0.045), -2.4, 0.5)
        wk = _place(MatrixBlock(s.W_K, name="W_K", cell=0.045), 2.4, 0.5)
        bands = VGroup(wq.band(r.start, r.stop), wk.band(r.start, r.stop))
        rows_how = f"{head_name}'s rows: {hd} per head, after those of the heads before it"
        first_row, last_row = computed(r.start + 1, rows_how), computed(r.stop, rows_how)
        band_names = VGroup(*[_label(f"{head_name}: rows {first_row}\u2013{last_row}", 18, ACCENT)
                              .next_to(b, LEFT if i == 0 else RIGHT, buff=0.15) for i, b in enumerate(bands)])

        # Two learned matrices, one band per head
        self.say(f"Attention in {layer_name} starts with two learned matrices, a query matrix W_Q and a key "
                 f"matrix W_K, {C} \u00d7 {C} each.")
        self.play(FadeIn(wq), FadeIn(wk), run_time=1.2)
        self.say(f"It runs {s.n_head} heads. We follow {head_name}, found by measuring which head links the "
                 f"adjectives. It owns {hd} rows of each.")
        self.play(Create(bands), FadeIn(band_names), run_time=1.0)
        self.wait(0.5)

        # The query of the last word, the key of the word it will find
        last, key = s.last, s.top_key
        x_vmax = float(np.abs(d["head_input"]).max())

        def equation(matrix, name, word_index, result, x_center):
            block = MatrixBlock(matrix[r], name=name, cell=0.045)
            vec = VectorColumn(d["head_input"][word_index], height=block.heat.width, width=0.28, vmax=x_vmax,
                               label=s.words[word_index], label_color=INK)
            column = _numbers(result)
            equals = MathTex("=", font_size=36)
            Group(block, vec, equals, column).arrange(RIGHT, buff=0.25).move_to([x_center, 0.5, 0])
            vec.set_y(0.5)
            return block, vec, equals, column

        q_parts = equation(s.W_Q, r"W_Q", last, d["head_q"][last], -3.5)
        k_parts = equation(s.W_K, r"W_K", key, d["head_k"][key], 3.5)
        q_name = _vec("q", s.words[last]).next_to(q_parts[3], UP, buff=0.12)
        k_name = _vec("k", s.words[key]).next_to(k_parts[3], UP, buff=0.12)
        self.say(f"The query of {quote(s.words[last])}: its {hd} \u00d7 {C} band times the word's normalised "
                 f"vector, plus a bias, gives {hd} real numbers.")
        self.play(ReplacementTransform(bands[0], q_parts[0].frame), FadeOut(Group(wq, band_names[0])),
                  FadeIn(Group(q_parts[0].heat, q_parts[0].title, q_parts[0].shape)),
                  FadeOut(Group(wk, bands[1], band_names[1])), run_time=1.2)
        self.play(FadeIn(q_parts[1]), FadeIn(q_parts[2]), FadeIn(q_parts[3], lag_ratio=0.05), FadeIn(q_name),
                  run_time=1.5)
        self.say("In words, the query asks something like \u201cany adjectives before me?\u201d (a loose "
                 "reading: it is just these numbers).")
        self.wait(0.5)
        self.say(f"The key of {quote(s.words[key])}: W_K's band times its vector, again {hd} numbers.")
        self.play(LaggedStart(*[FadeIn(m) for m in k_parts[:3]], lag_ratio=0.2), FadeIn(k_parts[3], lag_ratio=0.05),
                  FadeIn(k_name), run_time=1.8)

        # Their dot product
        dot = float(d["head_scores"][last, key]) * np.sqrt(hd)  # the scores are stored already divided by sqrt(hd)
        keep = Group(q_parts[3], q_name, k_parts[3], k_name)
        cdot = MathTex(r"\cdot", font_size=60).move_to([-1.0, 0.5, 0])
        dot_how = f"query · key, entry by entry (the stored score × √{hd})"
        result = MathTex(rf"= {computed(tex(dot), dot_how)}", font_size=44).move_to([2.0, 0.5, 0])
        self.say(f"Multiply them entry by entry and add: the dot product of query and key is "
                 f"{computed(fmt(dot), dot_how)}.")
        self.play(FadeOut(Group(*q_parts[:3], *k_parts[:3])), run_time=0.6)
        self.play(Group(q_parts[3], q_name).animate.move_to([-2.0, 0.7, 0]),
                  Group(k_parts[3], k_name).animate.move_to([0.0, 0.7, 0]), run_time=1.0)
        self.play(FadeIn(cdot), Create(SurroundingRectangle(keep, color=MUTED, buff=0.1)), run_time=0.8)
        self.play(FadeIn(result, shift=0.2 * RIGHT))
        self.say("A large dot product means the key answers the query. Every word has a query and a key, "
                 "so every pair gets a score.")
        self.wait(0.5)


class AttentionPattern(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words, n = s.d, s.quote, s.words, len(s.words)
        hd = s.hd
        scaled = d["head_scores"]
        raw = scaled * np.sqrt(hd)  # the stored scores are already divided by sqrt(hd)
        grid = AttentionGrid(words, cell=0.4, font_size=18)
        grid.move_to([-3.75, 0.6, 0])
        queries_title = _label("queries \u2192", 18).next_to(grid.query_labels, LEFT, buff=0.25).align_to(
            grid.query_labels, UP)
        keys_title = _label("keys \u2193", 18).next_to(grid.key_labels, UP, buff=0.15).align_to(grid.key_labels, RIGHT)
        shown = [s.noun, s.last]  # the columns whose numbers are printed beside the grid
        xs = [0.55, 1.85]
        heads = VGroup(*[Text(words[c], font=FONT, font_size=18, color=ACCENT).move_to(
            [x, grid.query_labels.get_bottom()[1] + 0.15, 0]) for c, x in zip(shown, xs)])
        heads.add(*[_label(f"(query {c + 1})", 16).next_to(h, UP, buff=0.08) for c, h in zip(shown, heads)])

        def numbers(values, masked=False, signed=True):
            """The shown columns' numbers, one per key row: ``values(query, key)`` is the text."""
            out = VGroup()
            for c, x in zip(shown, xs):
                col = VGroup()
                for k in range(n):
                    y = grid.cells[k][0].get_y()
                    if masked and k > c:
                        col.add(Rectangle(width=0.5, height=0.28, stroke_width=0, fill_color=MASKED_FILL,
                                          fill_opacity=1).move_to([x, y, 0]))
                    else:
                        text = values(c, k)
                        color = (NEGATIVE if text.startswith("\u2212") else POSITIVE) if signed else INK
                        col.add(Text(text, font=FONT, font_size=18, color=color).move_to([x, y, 0]))
                out.add(col)
            return out

        steps = VGroup(*[MathTex(t, font_size=34) for t in (r"\vec{q}\cdot\vec{k}", rf"\div\sqrt{{{hd}}}",
                                                             r"\text{mask}", r"\text{softmax}")])
        steps.arrange(DOWN, aligned_edge=LEFT, buff=0.35).move_to([4.9, 1.6, 0])
        legend = VGroup(_label("blue: they match", 18, POSITIVE), _label("red: they don\u2019t", 18, NEGATIVE),
                        _label("grey: may not look", 18)).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        legend.next_to(steps, DOWN, buff=0.6).align_to(steps, LEFT)

        def light(i):
            return [steps[j].animate.set_color(ACCENT if j == i else MUTED) for j in range(len(steps))]

        # Every query against every key
        self.say("Put the keys down the side and the queries across the top: each square is one real "
                 "query-key dot product.")
        self.play(FadeIn(grid), FadeIn(queries_title), FadeIn(keys_title), FadeIn(steps), run_time=1.2)
        vmax = float(np.abs(raw).max())
        raw_how = f"query · key: the stored score × √{hd}"
        raw_numbers = numbers(lambda c, k: computed(fmt(raw[c, k]), raw_how))
        self.play(grid.shade(raw, vmax), *light(0), FadeIn(legend[:2]), run_time=1.5)
        grid.settle(self)
        self.say(f"Beside it, the numbers of two columns: the queries of {quote(words[s.noun])} and of "
                 f"{quote(words[s.last])}.")
        self.play(FadeIn(heads), FadeIn(raw_numbers, lag_ratio=0.02), run_time=1.2)

        # Scaled
        scaled_numbers = numbers(lambda c, k: fmt(scaled[c, k]))
        self.say(f"Divide by \u221a{hd} = {np.sqrt(hd):g}, the square root of the key size: it keeps the "
                 "scores in a range where softmax works well.")
        self.play(Transform(raw_numbers, scaled_numbers), *light(1), run_time=1.0)

        # Masked: no looking ahead
        masked_numbers = numbers(lambda c, k: fmt(scaled[c, k]), masked=True)
        self.say("No looking ahead: while predicting, a word may not see the words after it, so those "
                 "scores are masked out.")
        self.play(grid.mask(), Transform(raw_numbers, masked_numbers), *light(2), FadeIn(legend[2]), run_time=1.2)
        grid.settle(self)
        self.wait(0.5)

        # Softmax, column by column
        weights = numbers(lambda c, k: percent(s.pattern[c, k]), masked=True, signed=False)
        self.say("Softmax turns each column into weights that add up to 1. Each dot's area is a real "
                 "attention weight.")
        animation, frame = grid.softmax(s.pattern, run_time=4.0)
        self.play(animation, Transform(raw_numbers, weights), *light(3))
        grid.keep_dots(self)
        self.play(FadeOut(frame), run_time=0.4)

        # The pattern of the head that links adjectives
        last, top = s.last, s.top_key
        on_adj = float(s.pattern[last, s.adj_pos].sum())
        box = SurroundingRectangle(grid.cell_at(last, top), color=ACCENT, buff=0.03)
        num_box = SurroundingRectangle(raw_numbers[1][top], color=ACCENT, buff=0.06)
        a0, a1 = s.adj_pos
        self.say(f"From {quote(words[last])}, the head puts {percent(on_adj)} of its weight on the adjectives: "
                 f"{percent(s.pattern[last, a1])} on {quote(words[a1])}, {percent(s.pattern[last, a0])} on "
                 f"{quote(words[a0])}.")
        self.play(Create(box), Create(num_box))
        noun = s.noun
        noun_adj = float(s.pattern[noun, s.adj_pos].sum())
        noun_share = computed(percent(noun_adj), f"the weights of {quote(words[noun])} on the two adjectives, added")
        noun_box = SurroundingRectangle(VGroup(*[raw_numbers[0][i] for i in s.adj_pos]), color=ACCENT, buff=0.06)
        self.say(f"From the first {quote(words[noun])}, {noun_share} of it goes to {quote(words[a0])} and "
                 f"{quote(words[a1])}: the noun looks back at its adjectives.")
        self.play(Create(noun_box))
        self.wait(0.5)


class ValuesAndChange(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words = s.d, s.quote, s.words
        C, hd, r = s.n_embd, s.hd, s.head_rows
        last, key, noun = s.last, s.top_key, s.noun
        x_vmax = float(np.abs(d["head_input"]).max())

        # A value for every word
        wv = MatrixBlock(s.W_V[r], name="W_V", cell=0.045)
        x_key = VectorColumn(d["head_input"][key], height=wv.heat.width, width=0.28, vmax=x_vmax,
                             label=words[key], label_color=INK)
        v_key = _numbers(d["head_v"][key])
        eq1 = MathTex("=", font_size=36)
        Group(wv, x_key, eq1, v_key).arrange(RIGHT, buff=0.25).move_to([-3.6, 0.5, 0])
        x_key.set_y(0.5)
        v_name = _vec("v", words[key]).next_to(v_key, UP, buff=0.12)
        self.say(f"A third matrix, W_V, turns each word into a value. For {quote(words[key])}, {s.names[1]}'s "
                 f"{hd} \u00d7 {C} band gives these {hd} numbers.")
        self.play(FadeIn(wv), FadeIn(x_key), run_time=1.0)
        self.play(FadeIn(eq1), FadeIn(v_key, lag_ratio=0.05), FadeIn(v_name), run_time=1.2)

        # The weighted sum of values
        w_top = float(s.pattern[last, key])
        mixed = _numbers(d["head_mixed"][last])
        mixed.move_to([2.6, 0.5, 0])
        mixed_name = MathTex(r"\textstyle\sum_k w_k \vec{v}_k", font_size=34, color=ACCENT).next_to(mixed, UP,
                                                                                                   buff=0.12)
        arrow_text = VGroup(_label(f"{quote(words[last])} adds up", 18), _label("every value, each", 18),
                            _label("times its weight", 18)).arrange(DOWN, buff=0.08)
        arrow_text.move_to([0.5, 0.5, 0])
        sum_is = "nearly" if w_top > 0.9 else "mostly"
        self.say(f"{quote(words[last])} adds up every word's value, each times its attention weight. "
                 f"With {percent(w_top)} on {quote(words[key])}, the sum is {sum_is} its value.")
        self.play(FadeIn(arrow_text), FadeIn(mixed, lag_ratio=0.05), FadeIn(mixed_name), run_time=1.5)
        self.wait(0.5)

        # Back to the embedding's size through W_O
        wo = MatrixBlock(s.W_O[:, r], name="W_O", cell=0.045)
        change = d["head_change"]
        dvmax = float(np.abs(change[last]).max())
        delta = VectorColumn(change[last], height=wo.heat.height, width=0.28, vmax=dvmax)
        delta_name = MathTex(r"\Delta\vec{E}", font_size=34, color=ACCENT).next_to(delta, UP, buff=0.12)
        eq2 = MathTex("=", font_size=36)
        target = Group(wo, mixed.copy(), eq2, delta).arrange(RIGHT, buff=0.3).move_to([0, 0.5, 0])
        wo.set_y(0.5), delta.set_y(0.5)
        delta_name.next_to(delta, UP, buff=0.12)
        self.say(f"A slice of the output matrix W_O, {C} \u00d7 {hd}, takes those {hd} numbers back to "
                 f"{C}: the change this head adds.")
        self.play(FadeOut(Group(wv, x_key, eq1, v_key, v_name, arrow_text)), run_time=0.6)
        self.play(Group(mixed, mixed_name).animate.move_to(target[1].get_center() + 0.3 * UP), FadeIn(wo),
                  run_time=1.2)
        self.play(FadeIn(eq2), FadeIn(delta), FadeIn(delta_name), run_time=1.0)
        self.wait(0.5)

        # Before and after, for the noun and for the last word
        shown = 8
        resid = d["head_resid"]
        panels = Group()
        for pos, x in ((noun, -3.4), (last, 3.4)):
            before, add = _numbers(resid[pos], shown, sig=2), _numbers(change[pos], shown, sig=2)
            after = _numbers(resid[pos] + change[pos], shown, sig=2, how="the vector before plus the change, entry by entry")
            plus, equals = MathTex("+", font_size=36), MathTex("=", font_size=36)
            body = Group(before, plus, add, equals, after).arrange(RIGHT, buff=0.22).move_to([x, 0.2, 0])
            names = VGroup(*[MathTex(t, font_size=30, color=c).next_to(m, UP, buff=0.15) for t, c, m in
                             ((r"\vec{E}", INK, before), (r"\Delta\vec{E}", ACCENT, add),
                              (r"\vec{E}\,'", INK, after))])
            names.align_to(names[0], DOWN)
            word = Text(words[pos], font=FONT, font_size=24, color=ACCENT).next_to(names, UP, buff=0.3)
            where = _label(f"word {pos + 1}", 18).next_to(word, RIGHT, buff=0.2)
            panels.add(Group(body, names, word, where))
        layer_name = s.names[0]
        self.say(f"The change is added to the word's vector entering {layer_name}. Here are the first {shown} of its "
                 f"{C} numbers, before and after.")
        self.play(FadeOut(Group(wo, mixed, mixed_name, eq2, delta, delta_name)), run_time=0.6)
        self.play(FadeIn(panels[1]), run_time=1.2)
        noun_share = computed(percent(s.pattern[noun, s.adj_pos].sum()),
                              f"the weights of {quote(words[noun])} on the two adjectives, added")
        self.say(f"The noun {quote(words[noun])} gets a change too, with {noun_share} "
                 f"of its weight on the values of {quote(s.adjectives[0])} and {quote(s.adjectives[1])}.")
        self.play(FadeIn(panels[0]), run_time=1.2)
        self.wait(0.5)


class ManyHeads(ChapterSevenScene):
    def construct(self):
        s = Story()
        d, quote, words = s.d, s.quote, s.words
        patterns = d["all_patterns"]  # (layers, heads, T, T)
        L, H = patterns.shape[:2]
        thumbs = Group()
        for layer in range(L):
            for head in range(H):
                title = f"head {head + 1}"
                ours = (layer, head) == (s.layer, s.head)
                thumbs.add(PatternThumb(patterns[layer, head], size=1.75, title=title,
                                        title_color=ACCENT if ours else MUTED))
        thumbs.arrange_in_grid(rows=L, cols=H, buff=(0.45, 0.35)).move_to([0.5, 0.55, 0])
        row_names = VGroup(*[_label(f"layer {layer + 1}", 20).next_to(thumbs[layer * H], LEFT, buff=0.35)
                             for layer in range(L)])
        ours = thumbs[s.layer * H + s.head]
        ours_box = SurroundingRectangle(ours.frame, color=ACCENT, buff=0.05)

        # Many heads, side by side
        self.say(f"Each layer runs {H} heads side by side, each with its own W_Q, W_K and W_V. Here are all "
                 f"{L * H} real patterns for our sentence.")
        self.play(LaggedStart(*[FadeIn(t) for t in thumbs], lag_ratio=0.1), FadeIn(row_names), run_time=2.0)
        self.play(Create(ours_box))
        # Another head that is sharp from the last word
        last_rows = patterns[:, :, s.last]  # (L, H, T)
        best = max(((lay, hea) for lay in range(L) for hea in range(H) if (lay, hea) != (s.layer, s.head)),
                   key=lambda lh: float(last_rows[lh].max()))
        other_key = int(np.argmax(last_rows[best]))
        other_box = SurroundingRectangle(thumbs[best[0] * H + best[1]].frame, color=INK, buff=0.05)
        self.say(f"Ours is {s.names[0]}'s {s.names[1]}. Each head learns its own job: head {best[1] + 1} of layer "
                 f"{best[0] + 1} looks from {quote(words[s.last])} to word {other_key + 1}, {quote(words[other_key])} "
                 f"({percent(last_rows[best][other_key])}).")
        self.play(Create(other_box))
        self.say(f"Every head's change goes through its own {s.hd} columns of W_O, and all the changes are "
                 "added to each word's vector.")
        self.wait(0.5)

        # Parameter counts, from the real matrices
        w = s.w
        rows = []
        c_attn = w[f"transformer.h.{s.layer}.attn.c_attn.weight"]
        c_bias = w[f"transformer.h.{s.layer}.attn.c_attn.bias"]
        proj, proj_bias = w[f"transformer.h.{s.layer}.attn.c_proj.weight"], w[f"transformer.h.{s.layer}.attn.c_proj.bias"]
        C = s.n_embd
        for name, m, b in (("W_Q", c_attn[:C], c_bias[:C]), ("W_K", c_attn[C : 2 * C], c_bias[C : 2 * C]),
                           ("W_V", c_attn[2 * C :], c_bias[2 * C :]), ("W_O", proj, proj_bias)):
            rows.append((name, m.shape, m.size, b.size))
        per_layer = computed(f"{sum(size + bias for _, _, size, bias in rows):,}",
                             "the four matrices' weights and biases, added")
        biases = computed(sum(bias for _, _, _, bias in rows), "the four bias vectors' sizes, added")
        groups = [str(g) for g in d["param_groups"]]
        attn_total = int(d["param_group_counts"][groups.index("attention")])  # both layers' attention parameters
        total = int(d["n_params"])
        attn_share = computed(percent(attn_total / total), "the attention parameters ÷ all the model's")
        table = VGroup()
        header = VGroup(_label("matrix", 20), _label("shape", 20), _label("weights", 20), _label("biases", 20))
        table.add(header)
        for name, shape, size, bias in rows:
            table.add(VGroup(MathTex(name, font_size=32), Text(f"{shape[0]} \u00d7 {shape[1]}", font=FONT, font_size=22),
                             Text(f"{size:,}", font=FONT, font_size=22), Text(f"{bias:,}", font=FONT, font_size=22)))
        col_x = [-3.4, -1.4, 0.9, 2.9]
        for i, line in enumerate(table):
            for j, cell in enumerate(line):
                cell.move_to([col_x[j], 2.6 - 0.6 * i, 0])
        for cell in header:
            cell.align_to(header[0], UP)  # words with and without descenders on one line
        # a head's weights: its rows of W_Q, W_K, W_V and its columns of W_O
        per_head = computed(f"{sum(size for _, _, size, _ in rows) // s.n_head:,}",
                            f"the four matrices' weights ÷ {s.n_head} heads")
        total_line = VGroup(
            Text(f"one layer: {per_layer} parameters ({s.n_head} heads \u00d7 {per_head} weights + {biases} biases)",
                 font=FONT, font_size=22),
            Text(f"{L} layers: {attn_total:,} of the model's {total:,} parameters ({attn_share})",
                 font=FONT, font_size=22, color=ACCENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2).move_to([0, -1.3, 0])
        self.say(f"The cost: in each layer, W_Q, W_K, W_V and W_O are {C} \u00d7 {C}, plus a bias of "
                 f"{C} numbers each.")
        self.play(FadeOut(Group(thumbs, row_names, ours_box, other_box)), run_time=0.6)
        self.play(FadeIn(table, lag_ratio=0.1), run_time=1.5)
        self.say(f"That is {per_layer} parameters per layer and {attn_total:,} for both: {attn_share} of the whole model.")
        self.play(FadeIn(total_line, lag_ratio=0.2), run_time=1.2)


class Recap(ChapterSevenScene):
    def construct(self):
        self.recap_card(
            [
                "A query asks, a key answers: their dot product scores the match.",
                "Scaled, masked and softmaxed, the scores become attention weights.",
                "The weighted values, through W_O, change each word's vector.",
                "Many heads do this side by side, each with its own matrices.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [AdjectivesUpdateNouns, QueriesAndKeys, AttentionPattern, ValuesAndChange, ManyHeads, Recap]
