"""Chapter 5, "Large language models, explained briefly", drawn from the tiny language model.

Every probability, sampled word, parameter, loss and vector on screen comes from the trained
transformer: the ``lm-story`` artifact (``models/lm_story.py``: next-word distributions, the
seeded generation beside the untrained model's, one training step, the vectors of
"michael jordan plays" after every block) and the ``lm`` artifact (its checkpoints, the
training-loss curve, the held-out and bigram losses). ``tests/golden/chapter5.json`` pins them.

Render with ``python render.py render 5``, or one scene with Manim::

    manim -ql scenes/chapter5.py WordByWord
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    PI,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    MoveToTarget,
    Line,
    RoundedRectangle,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
)

from scenes.palette import FAINT, INK, MUTED

from scenes.base import ChapterScene, artifact_arrays, artifact_metrics
from scenes.transcript import computed, constant, traced_config
from scenes.lm_pieces import ProbabilityBars, TokenRow, TransformerDiagram, on_line, percent, top_words
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, HeatMap, NumberColumn, fmt, value_to_color

NUMBER = 5
TITLE = "Large language models, explained briefly"
ARTIFACTS = ("lm-story", "lm")

DIAL_MATRIX = "transformer.wte.weight"  # the dials shown: the top-left corner of the word-embedding table
DIAL_ROWS, DIAL_COLS = 8, 16
FLOW_SHOWN = 6  # how many of a vector's 64 numbers the glimpse inside writes out


def story() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-story", "language.npz")


def words_of(d: dict) -> list[str]:
    return [str(w) for w in d["vocab"]]


def q(text: str) -> str:
    """Quote words in a caption."""
    return f"\u201c{text}\u201d"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def model_config() -> dict[str, int]:
    """The model's shape, as stored with its weights."""
    v, block, n_layer, n_head, n_embd = (int(x) for x in artifact_arrays("lm", "weights.npz")["config"])
    return {"vocab": v, "block": block, "n_layer": n_layer, "n_head": n_head, "n_embd": n_embd}


def dial_values() -> tuple[list[int], np.ndarray]:
    """The shown corner of the embedding table at every saved checkpoint: (steps, (n, rows, cols))."""
    ck = artifact_arrays("lm", "checkpoints.npz")
    steps = sorted(int(k.split("__")[0].removeprefix("step")) for k in ck if k.endswith("__" + DIAL_MATRIX))
    return steps, np.stack([ck[f"step{s}__{DIAL_MATRIX}"][:DIAL_ROWS, :DIAL_COLS] for s in steps])


def bars_with(probs: np.ndarray, vocab: list[str], word: int, k: int = 4, **kwargs) -> tuple[ProbabilityBars, int]:
    """The ``k`` likeliest words, plus ``word`` as a last row when it is not among them; and its row."""
    best = top_words(probs, vocab, k)
    ids = [i for i, _, _ in best]
    if word not in ids:
        ids.append(word)
    bars = ProbabilityBars([vocab[i] for i in ids], probs[ids], **kwargs)  # the drawn entries, picked out together
    return bars, ids.index(word)


def model_box(width: float = 3.6) -> VGroup:
    box = RoundedRectangle(corner_radius=0.12, width=width, height=0.8, stroke_color=POSITIVE, stroke_width=2.5,
                           fill_color=FAINT, fill_opacity=0.3)
    return VGroup(box, Text("language model", font=FONT, font_size=26).move_to(box))


def down_arrow(top, bottom) -> Arrow:
    return Arrow(top.get_bottom(), bottom.get_top(), buff=0.1, stroke_width=3, color=MUTED,
                 max_tip_length_to_length_ratio=0.3)


def phrase(prompt: list[str], rest: list[str], font_size: int = 22) -> VGroup:
    """A text with its prompt words in grey and the model's words in white."""
    parts = [Text(" ".join(prompt), font=FONT, font_size=font_size, color=MUTED)]
    if rest:
        parts.append(Text(" ".join(rest), font=FONT, font_size=font_size))
    return VGroup(*parts).arrange(RIGHT, buff=0.16, aligned_edge=DOWN)


def dial(value: float, vmax: float, radius: float = 0.17) -> VGroup:
    """One parameter as a dial: the needle turns right for positive values, left for negative
    (up to 135 degrees at ``vmax``); the face is coloured on the palette."""
    theta = 0.75 * PI * float(np.clip(value / vmax, -1, 1))
    face = Circle(radius=radius, stroke_color=MUTED, stroke_width=1.2, fill_color=value_to_color(value, vmax),
                  fill_opacity=1)
    tip = 0.85 * radius * np.array([np.sin(theta), np.cos(theta), 0.0])
    needle = Line(ORIGIN, tip, stroke_color=INK, stroke_width=2.5)
    return VGroup(face, needle)


def dial_grid(values: np.ndarray, vmax: float, spacing: float = 0.44) -> VGroup:
    rows, cols = values.shape
    grid = VGroup(*[dial(values[r, c], vmax).move_to([c * spacing, -r * spacing, 0])
                    for r in range(rows) for c in range(cols)])
    return grid


def probability_axis(bars: ProbabilityBars, scale: float, ticks: list[float], font_size: int = 18) -> VGroup:
    """A thin axis under magnified bars: where 0%, ticks... sit (``scale`` units per probability 1)."""
    zero = bars.rows[0][1].get_left()[0]
    y = bars.get_bottom()[1] - 0.2
    axis = VGroup(Line([zero, y, 0], [zero + scale * max(ticks) + 0.2, y, 0], stroke_color=MUTED, stroke_width=1.5))
    for t in [0.0, *ticks]:
        x = zero + scale * t
        axis.add(Line([x, y - 0.07, 0], [x, y + 0.07, 0], stroke_color=MUTED, stroke_width=1.5))
        axis.add(Text(constant(f"{100 * t:g}%", "a tick of the magnified probability axis"), font=FONT,
                      font_size=font_size, color=MUTED).move_to([x, y - 0.27, 0]))
    return axis


class ChapterFiveScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # full frames come with this chapter's one-film rewrite; until then a warning


class NextWordPrediction(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        self.title_card(TITLE)
        prompts = [str(p) for p in d["prompts"]]
        row = TokenRow(prompts[0].split(), font_size=26).move_to(UP * 3.05)
        box = model_box().move_to(UP * 1.6)
        arrows = VGroup(down_arrow(row, box))
        head = Text("next word", font=FONT, font_size=20, color=MUTED).move_to(UP * 0.55)
        arrows.add(down_arrow(box, head))

        def chart(i: int) -> ProbabilityBars:
            bars = ProbabilityBars.top(d["prompt_probs"][i], vocab, k=5, width=3.4, font_size=24)
            return bars.next_to(head, DOWN, 0.25)

        bars = chart(0)

        # A prompt goes in
        self.say("A language model reads a piece of text and predicts the word that comes next.")
        self.play(FadeIn(row, lag_ratio=0.2), run_time=1.2)
        self.play(FadeIn(arrows[0]), FadeIn(box))

        # Out comes a probability for every word it knows
        n_vocab = len(vocab)
        self.say(f"It gives each of the {n_vocab} words it knows a probability. These are our trained model's real top five.")
        self.play(FadeIn(arrows[1]), FadeIn(head))
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.2), run_time=1.6)
        top = top_words(d["prompt_probs"][0], vocab, 3)
        self.say(f"After {q(prompts[0])}: {top[0][1]} {percent(top[0][2])}, {top[1][1]} {percent(top[1][2])}, "
                 f"{top[2][1]} {percent(top[2][2])}. Several words are plausible.")
        self.play(bars.rows[0][1].animate.set_fill(ACCENT), run_time=0.6)
        self.play(bars.rows[0][1].animate.set_fill(POSITIVE), run_time=0.6)

        # Other prompts, other distributions
        for i in range(1, len(prompts)):
            best = top_words(d["prompt_probs"][i], vocab, 4)
            if best[0][2] > 0.9:
                text = f"After {q(prompts[i])} it is almost sure: {best[0][1]}, {percent(best[0][2])}."
            else:
                spread = ", ".join(f"{w} {percent(p)}" for _, w, p in best)
                text = f"After {q(prompts[i])} it spreads its bets: {spread}."
            new_row = TokenRow(prompts[i].split(), font_size=26).move_to(row)
            new_bars = chart(i)
            self.say(text)
            self.play(FadeOut(row, shift=0.2 * UP), FadeOut(bars), run_time=0.5)
            self.play(FadeIn(new_row, shift=0.2 * UP), run_time=0.5)
            self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in new_bars.rows], lag_ratio=0.15), run_time=1.2)
            row, bars = new_row, new_bars


class WordByWord(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        ids, dists = [int(i) for i in d["generation"]], d["generation_probs"]
        n_prompt = len(ids) - len(dists)
        prompt = " ".join(vocab[i] for i in ids[:n_prompt])
        text = TokenRow([vocab[i] for i in ids], font_size=21, buff=0.1).move_to(UP * 3.05)
        box = model_box().move_to(UP * 1.75)
        arrow = down_arrow(text, box)
        head = Text("next word", font=FONT, font_size=20, color=MUTED).move_to(UP * 0.75)
        arrow2 = down_arrow(box, head)
        # Steps drawn in full: the first two, then the first two whose draw was not the likeliest word
        not_top = [s for s, p in enumerate(dists) if int(np.argmax(p)) != ids[n_prompt + s]]
        detailed = sorted({0, 1, *not_top[:2]})

        # Start from a prompt
        self.say(f"To write, give the model a start, {q(prompt)}, and ask for its next-word probabilities.")
        prompt_tokens = text.tokens[:n_prompt]
        self.play(FadeIn(prompt_tokens, lag_ratio=0.3), FadeIn(arrow), FadeIn(box), FadeIn(arrow2), FadeIn(head))

        shown_fast = False
        current = VGroup()  # the last drawn step's bars and mark, kept while its caption is read
        for s, dist in enumerate(dists):
            word = ids[n_prompt + s]
            token = text.tokens[n_prompt + s]
            if s not in detailed:
                if not shown_fast:
                    self.say("Sample, append, repeat: each new word joins the input for the next prediction.")
                    self.play(FadeOut(current), run_time=0.5)
                    current, shown_fast = VGroup(), True
                self.play(FadeIn(token, shift=0.2 * DOWN), run_time=0.6)
                self.wait(0.4)
                continue
            bars, k = bars_with(dist, vocab, word, k=4, width=3.4, font_size=24)
            bars.next_to(head, DOWN, buff=0.25)
            best = top_words(dist, vocab, 2)
            if s == 0:
                self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.15), run_time=1.2)
                self.say(f"Then draw one word at random with those odds. The draw gives {q(vocab[word])} "
                         f"({percent(dist[word])}). Append it to the text.")
            else:
                if s == 1:
                    caption = (f"Feed the longer text back in. After {q(vocab[ids[n_prompt]])}, "
                               f"{q(vocab[word])} is almost certain: {percent(dist[word])}.")
                elif s == not_top[0]:
                    caption = (f"The draw need not take the likeliest word: here it took {q(vocab[word])} "
                               f"({percent(dist[word])}), not {q(best[0][1])} ({percent(best[0][2])}).")
                else:
                    caption = (f"And again: {q(vocab[word])} ({percent(dist[word])}), not the likeliest word, "
                               f"{q(best[0][1])} ({percent(best[0][2])}).")
                self.say(caption)
                self.play(FadeOut(current), run_time=0.5)
                self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.15), run_time=1.0)
            mark = bars.highlight(k)
            self.play(Create(mark), run_time=0.6)
            self.play(TransformFromCopy(bars.rows[k][0], token), run_time=0.8)
            current = VGroup(bars, mark)

        # The whole text
        rest = [vocab[i] for i in ids[n_prompt:]]
        self.say(f"After {len(rest)} draws, this is what our model wrote. The draws use a fixed seed, so they are reproducible.")
        self.play(FadeOut(current), FadeOut(arrow), FadeOut(box), FadeOut(arrow2), FadeOut(head), run_time=0.8)
        self.remove(prompt_tokens, *text.tokens)
        self.add(text)  # from here on the row moves as one
        text.generate_target()
        text.target.move_to(UP * 1.3)
        for b in text.target.boxes[n_prompt:]:
            b.set_stroke(ACCENT, width=2)
        self.play(MoveToTarget(text), run_time=1.2)
        given = Text("prompt", font=FONT, font_size=20, color=MUTED).next_to(text.tokens[:n_prompt], DOWN, buff=0.25)
        written = Text("sampled by the model, one word at a time", font=FONT, font_size=20, color=ACCENT)
        written.next_to(text.tokens[n_prompt:], DOWN, buff=0.25)
        self.play(FadeIn(given), FadeIn(written))


class ParametersAsDials(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        cfg = model_config()
        steps, values = dial_values()
        traced_config("lm")  # the training run's settings: its steps, its checkpoints
        vmax = float(np.abs(values).max())
        grids = [dial_grid(v, vmax).move_to(UP * 1.55) for v in values]
        grid = grids[0]
        counter = Text(f"training step {steps[0]:,}", font=FONT, font_size=22, color=ACCENT)
        counter.next_to(grid, UP, buff=0.15).align_to(grid, LEFT)
        n_dials = computed(DIAL_ROWS * DIAL_COLS, f"the dials drawn: {DIAL_ROWS} rows × {DIAL_COLS} columns of the table")
        note = Text(f"{n_dials} of its parameters (a corner of its word-embedding table)", font=FONT,
                    font_size=18, color=MUTED).next_to(grid, DOWN, buff=0.18)
        ids, untrained = [int(i) for i in d["generation"]], [int(i) for i in d["untrained_generation"]]
        n_prompt = len(ids) - len(d["generation_probs"])

        labels = VGroup(Text(f"step {steps[0]}:", font=FONT, font_size=20, color=MUTED),
                        Text(f"step {steps[-1]:,}:", font=FONT, font_size=20, color=MUTED))
        labels[0].move_to(DOWN * 1.2)
        labels[1].move_to(DOWN * 1.9).align_to(labels[0], RIGHT)
        texts = VGroup(*[phrase([vocab[i] for i in sample[:n_prompt]], [vocab[i] for i in sample[n_prompt:]], 21)
                         for sample in (untrained, ids)])
        for label, line in zip(labels, texts):
            line.next_to(label, RIGHT, buff=0.3)
        texts[1].align_to(texts[0], LEFT)
        VGroup(labels, texts).set_x(0)
        before, after = VGroup(labels[0], texts[0]), VGroup(labels[1], texts[1])

        # The behaviour lives in parameters, like dials
        self.say(f"What the model says is set by its parameters: plain numbers, like dials. Here are {n_dials} of its real ones.")
        self.play(LaggedStart(*[FadeIn(g, scale=0.5) for g in grid], lag_ratio=0.005), FadeIn(counter), FadeIn(note),
                  run_time=2.0)

        # Untrained: random settings, gibberish
        self.say("Before training they are small random numbers, and the same draws as before give gibberish.")
        self.play(FadeIn(before, shift=0.2 * UP), run_time=1.0)

        # Training turns the dials
        self.say(f"Training turns every dial, step by step. After {steps[-1]:,} steps, the same draws give sensible text.")
        for s, g in zip(steps[1:], grids[1:]):
            new = Text(f"training step {computed(f'{s:,}', 'a saved checkpoint: the step in its name')}", font=FONT, font_size=22, color=ACCENT).move_to(counter, aligned_edge=LEFT)
            self.play(Transform(grid, g), Transform(counter, new), run_time=0.8)
        self.play(FadeIn(after, shift=0.2 * UP), run_time=1.0)
        self.say("Same model, same random draws: only the settings of the dials differ.")
        self.finish_reading()

        # How many dials, ours and others'
        self.clear_drawing()
        n = int(d["n_params"])
        big = Text(f"{n:,}", font=FONT, font_size=72, color=ACCENT).move_to(UP * 2.3)
        label = Text("parameters in our model", font=FONT, font_size=26).next_to(big, DOWN, buff=0.2)
        shape = Text(f"{cfg['vocab']} words known  \u00b7  reads up to {cfg['block']} words  \u00b7  "
                     f"{cfg['n_layer']} layers", font=FONT, font_size=22, color=MUTED).next_to(label, DOWN, buff=0.3)
        # A published figure about other models, not a measurement of ours (GPT-3, Brown et al. 2020)
        others = VGroup(
            Text("large language models (not this one):", font=FONT, font_size=22, color=MUTED),
            Text("hundreds of billions of parameters", font=FONT, font_size=30),
            Text(f"for example GPT-3: {constant(175, 'GPT-3 parameters in billions, as published (Brown et al. 2020)')} "
                 "billion (published figure)", font=FONT, font_size=20, color=MUTED),
        ).arrange(DOWN, buff=0.15).move_to(DOWN * 1.2)
        self.say(f"Our model has {n:,} parameters, knows {cfg['vocab']} words and reads at most {cfg['block']} words at a time.")
        self.play(FadeIn(big, scale=0.8), FadeIn(label))
        self.play(FadeIn(shape))
        self.say("Large language models are the same idea, scaled up: hundreds of billions of parameters (a published figure).")
        self.play(FadeIn(others, lag_ratio=0.3), run_time=1.5)


class OneTrainingStep(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        n = int(d["n_params"])
        sentence = str(d["one_step_sentence"]).split()
        target = vocab.index(sentence[-1])
        before, after = d["one_step_dists"]
        rank_before = int((before > before[target]).sum()) + 1
        rank_after = int((after > after[target]).sum()) + 1
        row = TokenRow(sentence, font_size=26).move_to(UP * 3.05)
        row.boxes[-1].set_stroke(ACCENT, width=2.5)
        row.labels[-1].set_color(ACCENT)
        true_note = Text("the true next word", font=FONT, font_size=18, color=ACCENT).next_to(row.tokens[-1], DOWN, 0.12)
        top = float(max(before.max(), after.max()))
        scale = 4.2 / top  # magnified bars: the axis below says how much
        bars, k = bars_with(before, vocab, target, k=4, width=scale, font_size=24)
        bars.move_to(DOWN * 0.2 + LEFT * 0.6)
        title = Text("untrained model", font=FONT, font_size=22).next_to(bars, UP, buff=0.3).align_to(bars.rows[0][1], LEFT)
        axis = probability_axis(bars, scale, [0.005, 0.01])
        shown_rank = computed(rank_before, f"the rank of {q(sentence[-1])}: 1 + the words the untrained model rates higher")
        rank = Text(f"rank {shown_rank} of {len(vocab)}", font=FONT, font_size=20, color=MUTED)
        rank.next_to(bars.rows[k], RIGHT, buff=0.3)

        # One example
        self.say(f"How does training work? Take one sentence: after {q(' '.join(sentence[:-1]))} comes {q(sentence[-1])}.")
        self.play(FadeIn(row, lag_ratio=0.2), FadeIn(true_note), run_time=1.2)

        # What the untrained model says
        self.say(f"The untrained model gives {q(sentence[-1])} only {percent(before[target])}: "
                 f"{ordinal(rank_before)} of {len(vocab)} words. Other words are no better: it is guessing.")
        self.play(FadeIn(title), LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.15),
                  FadeIn(axis), run_time=1.5)
        mark = bars.highlight(k)
        self.play(Create(mark), FadeIn(rank))

        # One step of gradient descent
        new_bars = bars.reshaped(after[[vocab.index(w) for w in bars.words]])
        new_title = Text("after one training step", font=FONT, font_size=22).move_to(title, aligned_edge=LEFT)
        new_rank = Text(f"rank {rank_after} of {len(vocab)}", font=FONT, font_size=20, color=ACCENT)
        new_rank.next_to(new_bars.rows[k], RIGHT, buff=0.3)
        self.say(f"Backpropagation says how to nudge all {n:,} parameters to make {q(sentence[-1])} more likely. "
                 "Take one small step:")
        self.wait(0.5)
        self.play(Transform(bars, new_bars), Transform(title, new_title), Transform(rank, new_rank),
                  Transform(mark, new_bars.highlight(k)), run_time=2.0)
        self.say(f"Now {q(sentence[-1])} gets {percent(after[target])}, its top guess, and the other words lost a little.")
        self.wait(0.5)
        self.say("Real training takes such steps for many sentences at once, thousands of times.")
        self.wait(0.5)


class TrainingLossCurve(ChapterFiveScene):
    def construct(self):
        block, n_vocab = model_config()["block"], model_config()["vocab"]
        losses = artifact_arrays("lm", "training.npz")["loss_every_50_steps"]
        train_cfg = traced_config("lm")["train"]  # read after the model's shape: the first caption names the run
        steps, batch = int(train_cfg["steps"]), int(train_cfg["batch_size"])
        every = steps // len(losses)
        cfg = {"stroke_width": 1.5, "include_numbers": True, "font_size": 24}
        axes = Axes(x_range=[0, steps, 500], y_range=[0, 6, 1], x_length=9.0, y_length=4.3, tips=False,
                    axis_config=cfg).move_to(UP * 0.85 + LEFT * 0.6)
        xs = [every * i for i in range(len(losses))]
        curve = axes.plot_line_graph(xs, [float(x) for x in losses], line_color=NEGATIVE, add_vertex_dots=False,
                                     stroke_width=3)
        x_label = Text("training step", font=FONT, font_size=18).next_to(axes.x_axis, DOWN, buff=0.45)
        y_label = Text("loss", font=FONT, font_size=20).next_to(axes.y_axis, UP, buff=0.15)
        shown_every = computed(every, "the training steps ÷ the losses recorded")
        curve_label = Text(f"training loss (a batch of {batch}, every {shown_every} steps)", font=FONT, font_size=18,
                           color=NEGATIVE).move_to(axes.c2p(steps * 0.55, 2.9))
        start = Dot(axes.c2p(0, float(losses[0])), color=NEGATIVE, radius=0.06)
        even = computed(fmt(np.log(n_vocab)), "ln of the vocabulary size: the loss of guessing evenly")
        start_label = Text(f"{fmt(losses[0])}  (ln {n_vocab} = {even}: even guessing)", font=FONT,
                           font_size=18).next_to(start, RIGHT, buff=0.2)

        # The real training run
        self.say(f"Our model's training showed it {batch} snippets of {block} words at a time, for {steps:,} steps.")
        self.play(Create(axes), FadeIn(x_label), FadeIn(y_label), run_time=1.2)
        self.say("The loss measures how surprised the model is by each true next word: lower is better.")
        self.play(Create(curve), FadeIn(curve_label), run_time=3.0)

        # Where it starts
        self.say(f"It starts at {fmt(losses[0])}, the loss of guessing evenly among all {n_vocab} words, and falls fast.")
        self.play(FadeIn(start), FadeIn(start_label))

        # Where it ends, against a simple baseline (the metrics read here, where they are drawn)
        metrics = artifact_metrics("lm")
        held, bigram = float(metrics["held_out_loss"]), float(metrics["bigram_loss"])
        base = DashedLine(axes.c2p(0, bigram), axes.c2p(steps, bigram), stroke_color=MUTED, stroke_width=2)
        base_label = Text(f"bigram model, held-out: {fmt(bigram)}", font=FONT, font_size=18, color=MUTED)
        base_label.next_to(axes.c2p(steps, bigram), UP, buff=0.12).align_to(axes.c2p(steps, bigram), RIGHT)
        end = Dot(axes.c2p(steps, held), color=ACCENT, radius=0.08)
        end_label = Text(f"held-out: {fmt(held, 2)}", font=FONT, font_size=20, color=ACCENT).next_to(end, RIGHT, 0.15)
        self.say(f"On text it never trained on it ends at {fmt(held, 2)}, far below {fmt(bigram)}: a bigram model "
                 "that only counts which word follows which.")
        self.play(Create(base), FadeIn(base_label), run_time=1.0)
        self.play(FadeIn(end, scale=0.5), FadeIn(end_label))


class GlimpseInside(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        cfg = model_config()
        words = str(d["flow_prompt"]).split()
        stream = d["flow_stream"]  # (stages, T, C): every word's vector after each block
        stages = [str(s) for s in d["flow_stages"]]
        width = stream.shape[2]
        vmax = float(np.percentile(np.abs(stream), 99))  # one brightness scale for every stage
        diagram = TransformerDiagram(cfg["n_layer"], width=12.6, height=0.85, font_size=20).move_to(UP * 2.75)
        n_blocks = len(diagram.blocks)
        last = len(words) - 1

        # Each word's vector as a strip of coloured cells, one per number
        def strips(s: int) -> Group:
            group = Group()
            for t in range(len(words)):
                heat = HeatMap(stream[s, t][None, :], vmax=vmax, height=0.3)
                heat.stretch_to_fit_width(0.08 * width)
                group.add(heat.move_to([-1.6, 0.75 - 0.55 * t, 0]))
            return group

        panel = strips(0)
        frames = VGroup(*[SurroundingRectangle(h, buff=0.02, stroke_color=FAINT, stroke_width=1) for h in panel])
        frames[last].set_stroke(ACCENT, width=2)
        names = VGroup(*[Text(w, font=FONT, font_size=22).next_to(h, LEFT, buff=0.3) for w, h in zip(words, panel)])
        for name, heat in zip(names, panel):
            on_line(name, heat.get_y())

        def column(s: int) -> NumberColumn:
            """The first numbers of the last word's vector, in the palette's full colours (readable)."""
            values = stream[s, last, :FLOW_SHOWN]
            col = NumberColumn(values, list(range(FLOW_SHOWN)), width, font_size=22, sig=2)
            for number, v in zip(col.numbers, values):
                number.set_color(POSITIVE if v >= 0 else NEGATIVE)
            return col.move_to([3.3, 0.0, 0])

        numbers = column(0)
        numbers_head = Text(f"{q(words[last])}: first {FLOW_SHOWN} of {width}", font=FONT, font_size=18,
                            color=ACCENT).next_to(numbers, UP, buff=0.15)

        def stage_label(s: int) -> Text:
            return Text(f"after: {stages[s]}", font=FONT, font_size=20, color=MUTED).move_to(
                [panel.get_left()[0], 1.3, 0], aligned_edge=LEFT)

        stage_text = stage_label(0)
        top = diagram.blocks[0].get_bottom()[1] - 0.08
        pointer = Arrow([diagram.blocks[0].get_x(), top, 0], [diagram.blocks[0].get_x(), top - 0.5, 0], buff=0,
                        stroke_width=4, color=ACCENT, max_tip_length_to_length_ratio=0.35)

        # The blocks of the model
        self.say("A glimpse inside. The model is a row of blocks, and the words flow through them from left to right.")
        self.play(FadeIn(diagram, lag_ratio=0.1), run_time=1.5)

        # Words become vectors
        self.say(f"First each word becomes a vector: a list of {width} numbers. Here is {q(str(d['flow_prompt']))}, "
                 "brightness for size.")
        self.play(diagram.light(0), FadeIn(pointer))
        self.play(FadeIn(names), FadeIn(panel), FadeIn(frames), FadeIn(stage_text), run_time=1.2)
        self.play(FadeIn(numbers), FadeIn(numbers_head))

        # Attention and MLP blocks alternate, each changing the vectors
        captions = {
            1: "Attention blocks let the vectors pass information to each other, so each word can use its context.",
            2: "MLP blocks then work on each vector on its own. Every block adds its result onto the vectors.",
            3: f"The two kinds alternate; our model has {cfg['n_layer']} of each. Large models stack dozens of layers.",
        }
        for s in range(1, len(stages)):
            if s in captions:
                self.say(captions[s])
            new_panel = strips(s)
            self.play(diagram.light(s), pointer.animate.set_x(diagram.blocks[s].get_x()), run_time=0.8)
            self.play(*[Transform(a, b) for a, b in zip(panel, new_panel)], Transform(stage_text, stage_label(s)),
                      Transform(numbers, column(s)), run_time=1.2)
            self.wait(0.6)

        # The last vector becomes the next-word probabilities
        probs = d["flow_probs"]
        bars = ProbabilityBars.top(probs, vocab, k=3, width=2.2, font_size=22)
        bars.move_to([-1.2, -1.8, 0])
        to_bars = Arrow(panel[last].get_bottom(), [panel[last].get_x(), bars.get_top()[1], 0], buff=0.08,
                        stroke_width=3, color=MUTED, max_tip_length_to_length_ratio=0.3)
        next_label = Text("next word", font=FONT, font_size=18, color=MUTED).next_to(to_bars, RIGHT, buff=0.15)
        best = top_words(probs, vocab, 1)[0]
        self.say(f"Finally the last word's vector becomes a probability for every word: {best[1]}, {percent(best[2])}.")
        for s in range(len(stages), n_blocks):
            self.play(diagram.light(s), pointer.animate.set_x(diagram.blocks[s].get_x()), run_time=0.7)
        self.play(Create(to_bars), FadeIn(next_label))
        self.play(FadeIn(bars, shift=0.2 * DOWN), run_time=1.0)
        self.say("How each block works is the subject of chapters 6 to 8: transformers, attention, and how facts are stored.")
        self.wait(0.5)


class Recap(ChapterFiveScene):
    def construct(self):
        self.recap_card(
            [
                "A language model gives every possible next word a probability.",
                "It writes by sampling a word, appending it, and repeating.",
                "Training nudges its parameters to make true next words likelier.",
                "Inside, attention and MLP blocks alternate, refining word vectors.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [NextWordPrediction, WordByWord, ParametersAsDials, OneTrainingStep, TrainingLossCurve, GlimpseInside, Recap]
