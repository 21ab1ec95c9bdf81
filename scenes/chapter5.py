"""Chapter 5, "Large language models, explained briefly", drawn from the tiny language model.

One film in ten beats: a prompt goes into the model and a real next-word distribution comes
out; the model writes by sampling, appending and repeating, the text staying attached to the
model; the same prompt with three seeds writes three texts; a chatbot is the same loop on a
dialogue-shaped text (an illustration: our corpus has no dialogue); the parameters as dials, the
untrained and the trained model's texts from the same random draws (and why they share words);
one training step; one sentence predicted at every position at once, and its loss; the real
loss curve; pre-training, fine-tuning and the scale of a published model; a glimpse inside.

Every probability, sampled word, parameter, loss and vector on screen comes from the trained
transformer: the ``lm-story`` artifact (``models/lm_story.py`` and ``models/lm_chapter5.py``:
next-word distributions, the seeded generations, the draws' random tickets, one training step,
every position of a training sentence, the vectors after every block) and the ``lm`` artifact
(checkpoints, the training-loss curve, the held-out and bigram losses, the corpus, the run's
settings). Published figures about GPT-3 are declared constants, labelled as another model's.
``tests/golden/chapter5.json`` pins the numbers; ``tests/test_chapter5_numbers.py`` recomputes
them with a numpy transformer.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 5``, or one scene with
``python render.py render 5 --scene WordByWord``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (
    AddTextLetterByLetter,
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
    CurvedArrow,
    DashedLine,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Group,
    ImageMobject,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    Restore,
    RESAMPLING_ALGORITHMS,
    RoundedRectangle,
    SurroundingRectangle,
    Text,
    Transform,
    TransformFromCopy,
    VGroup,
    VMobject,
)

from scenes.base import ARRIVE, LEAVE, ChapterScene, Stage, artifact_arrays, artifact_metrics
from scenes.lm_pieces import ProbabilityBars, TokenRow, TransformerDiagram, on_line, percent, top_words
from scenes.palette import BACKGROUND, COST, FAINT, FUNCTION, INK, MUTED, value_to_rgb_log
from scenes.pieces import ACCENT, FONT, NEGATIVE, POSITIVE, NumberColumn, fmt, value_to_color
from scenes.transcript import computed, constant, note_drawing, sourced_all, traced_config, traced_metrics

NUMBER = 5
TITLE = "Large language models, explained briefly"
ARTIFACTS = ("lm-story", "lm")

DIAL_MATRIX = "transformer.wte.weight"  # the dials shown: the top-left corner of the word-embedding table
DIAL_ROWS, DIAL_COLS = 8, 16
FLOW_SHOWN = 6  # how many of a vector's 64 numbers the glimpse inside writes out
BAR_WIDTH = 5.0  # every unmagnified probability bar: this many units for probability 1
BAR_KW = dict(width=BAR_WIDTH, bar_height=0.36, font_size=26)
STRIP_LO = 0.01  # the vectors' strips: brightness on one log scale from here to the largest size


def story() -> dict[str, np.ndarray]:
    return artifact_arrays("lm-story", "language.npz")


def words_of(d: dict) -> list[str]:
    return [str(w) for w in d["vocab"]]


def q(text: str) -> str:
    """Quote words in a caption."""
    return f"\u201c{text}\u201d"


def _text(s: str, size: int = 22, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


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


def bars_with(probs: np.ndarray, vocab: list[str], words: list[int], k: int = 4, **kwargs) -> tuple[ProbabilityBars, list[int]]:
    """The ``k`` likeliest words, plus each of ``words`` not among them as a last row; and their rows."""
    ids = [i for i, _, _ in top_words(probs, vocab, k)]
    ids += [w for w in dict.fromkeys(words) if w not in ids]
    bars = ProbabilityBars([vocab[i] for i in ids], probs[ids], **kwargs)  # the drawn entries, picked out together
    return bars, [ids.index(w) for w in words]


def dial(value: float, vmax: float, radius: float = 0.17) -> VGroup:
    """One parameter as a dial: the needle turns right for positive values, left for negative
    (up to 135 degrees at ``vmax``); the face is coloured on the palette."""
    theta = 0.75 * PI * float(np.clip(value / vmax, -1, 1))
    face = Circle(radius=radius, stroke_color=MUTED, stroke_width=1.2, fill_color=value_to_color(value, vmax),
                  fill_opacity=1)
    tip = 0.85 * radius * np.array([np.sin(theta), np.cos(theta), 0.0])
    needle = Line(ORIGIN, tip, stroke_color=INK, stroke_width=2.5)
    return VGroup(face, needle)


def dial_grid(values: np.ndarray, vmax: float, spacing: float = 0.42) -> VGroup:
    rows, cols = values.shape
    return VGroup(*[dial(values[r, c], vmax).move_to([c * spacing, -r * spacing, 0])
                    for r in range(rows) for c in range(cols)])


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


# ----------------------------------------------------------------------------- the loop (beats 1-2)

ROW_Y = 3.2
BOX_Y = 1.9
BARS_TOP = 0.55


def model_box(width: float = 12.4) -> VGroup:
    box = RoundedRectangle(corner_radius=0.12, width=width, height=0.8, stroke_color=POSITIVE, stroke_width=2.5,
                           fill_color=FAINT, fill_opacity=0.3)
    return VGroup(box, _text("language model", 28).move_to(box)).move_to([0, BOX_Y, 0])


def loop_stage(words: list[str]) -> Stage:
    """The text the model reads (a row of words on top), the model, and where its next word comes out."""
    row = TokenRow(words, font_size=26).move_to([0, ROW_Y, 0])
    box = model_box()
    arrow_in = Arrow([0, ROW_Y - 0.3, 0], [0, BOX_Y + 0.42, 0], buff=0, stroke_width=4, color=MUTED,
                     max_tip_length_to_length_ratio=0.35)
    arrow_out = Arrow([0, BOX_Y - 0.42, 0], [0, BARS_TOP + 0.35, 0], buff=0, stroke_width=4, color=MUTED,
                      max_tip_length_to_length_ratio=0.35)
    head = _text("next word", 22, MUTED).next_to(arrow_out, RIGHT, buff=0.2)
    return Stage(row=row, box=box, arrow_in=arrow_in, arrow_out=arrow_out, head=head)


def place_bars(bars: ProbabilityBars) -> ProbabilityBars:
    """Under the model: the bars start at x = -1 (their words to the left), the top row at ``BARS_TOP``."""
    return bars.shift(np.array([-1.0, BARS_TOP, 0]) - bars.rows[0][1].get_left())


def text_row(words: list[str], n_prompt: int, font_size: int = 21) -> TokenRow:
    """A whole text as a row: the prompt's boxes grey, the model's words outlined in yellow."""
    row = TokenRow(words, font_size=font_size, buff=0.1)
    for b in row.boxes[n_prompt:]:
        b.set_stroke(ACCENT, width=2)
    return row


# ----------------------------------------------------------------------------- three seeds (beat 3)

SEED_X = -6.3  # where the texts start; their labels sit left of it
SEED_YS = (3.2, 2.45, 1.7)


def seeds_stage(d: dict, n: int = 1) -> Stage:
    """The first ``n`` of the three texts from the prompt, one row each, labelled by their draws."""
    vocab = words_of(d)
    n_prompt = len(d["generation"]) - len(d["generation_probs"])
    texts = [[int(i) for i in d["generation"]]] + [[int(i) for i in g] for g in d["c5_seed_generations"]]
    stage = Stage()
    for k, (ids, y) in enumerate(zip(texts[:n], SEED_YS)):
        row = text_row([vocab[i] for i in ids], n_prompt).move_to([0, y, 0])
        row.shift(RIGHT * (SEED_X - row.get_left()[0]))
        stage[f"row{k}"] = row
        stage[f"label{k}"] = _text(f"#{k + 1}", 20, MUTED).next_to(row, LEFT, buff=0.15)
    return stage


# ----------------------------------------------------------------------------- a chatbot (beat 4)

CHAT_LINES = ("What follows is a conversation between a user and a helpful AI assistant.",
              "User:  Which animal says moo?")
CHAT_REPLY = "A cow says moo. Cows also give us milk."


def chat_stage() -> Stage:
    """A dialogue-shaped text, framed and labelled as an illustration (not our model's work): the
    frame, its label and the script's opening line. The user's line and the assistant's turn are
    ``stage.lines``: written in as the narration comes to them, so not part of the join."""
    frame = DashedVMobject(Rectangle(width=13.4, height=5.9, stroke_color=FUNCTION, stroke_width=2.5),
                           num_dashes=90).move_to([0, 0.72, 0])
    tag = _text("an illustration, not our model", 22, FUNCTION).next_to(frame.get_corner(UP + LEFT), DOWN + RIGHT,
                                                                      buff=0.25)
    intro = _text(CHAT_LINES[0], 23, MUTED)
    user = _text(CHAT_LINES[1], 30)
    assistant = _text("Assistant:", 30)
    lines = VGroup(intro, user, assistant).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
    lines.move_to([0, 1.75, 0]).align_to(frame, LEFT).shift(RIGHT * 0.5)
    assistant.line_y = assistant.get_y()  # the line of type the reply's words share
    on_line(assistant, assistant.line_y)
    stage = Stage(frame=frame, tag=tag, intro=intro)
    stage.lines = (user, assistant)  # type: ignore[attr-defined]  (drawn later, not handed over)
    return stage


# ----------------------------------------------------------------------------- dials and draws (beat 5)

GRID_CENTER = np.array([-2.75, 1.95, 0])


def dials_stage(d: dict) -> Stage:
    steps, values = dial_values()
    vmax = float(np.abs(values).max())
    grid = dial_grid(values[0], vmax).move_to(GRID_CENTER)
    counter = _text(f"training step {steps[0]:,}", 26, ACCENT).move_to([1.2, 3.0, 0], aligned_edge=LEFT)
    n_dials = computed(DIAL_ROWS * DIAL_COLS, f"the dials drawn: {DIAL_ROWS} rows × {DIAL_COLS} columns of the table")
    note = VGroup(_text(f"{n_dials} of the model's parameters:", 20, MUTED),
                  _text("a corner of its word-embedding table", 20, MUTED),
                  _text("blue +, red \u2212, needle for size", 20, MUTED)).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
    note.next_to(counter, DOWN, buff=0.35).align_to(counter, LEFT)
    return Stage(grid=grid, counter=counter, note=note)


def ticket_table(d: dict, draw: int) -> Stage:
    """One draw of the sampler, as a table in the dials' place: the words holding the smallest
    tickets at draw ``draw`` (and the trained model's choice, if its ticket is not among them),
    each with its ticket, the trained model's probability and their ratio; the best ratio wins."""
    vocab = words_of(d)
    tickets, probs = d["c5_tickets"][draw], d["generation_probs"][draw]
    t, p = np.asarray(tickets, dtype=float), np.asarray(probs, dtype=float)
    chosen = int(np.argmax(p / t))
    rows = [int(i) for i in np.argsort(t, kind="stable")[:5]]
    if chosen not in rows:
        rows.append(chosen)
    xs = (-5.6, -2.6, 0.4, 3.6)  # the columns' left edges
    head = VGroup(*[_text(h, 20, MUTED).move_to([x, 3.45, 0], aligned_edge=LEFT)
                    for h, x in zip(("word", "ticket", "trained model's p", "p \u00f7 ticket"), xs)])
    body = VGroup()
    for r, i in enumerate(rows):
        ratio = computed(fmt(p[i] / t[i], 3), "the trained model's probability over the word's ticket")
        at = f"[{draw}][{i}]"  # each cell names its entry: a look-alike elsewhere in the row must not stand in
        cells = (vocab[i], sourced_all(fmt(tickets[i], 3), f"lm-story/language.npz:c5_tickets{at}"),
                 sourced_all(fmt(probs[i], 3), f"lm-story/language.npz:generation_probs{at}"), ratio)
        body.add(VGroup(*[_text(c, 22, ACCENT if i == chosen else INK).move_to([x, 2.95 - 0.42 * r, 0], aligned_edge=LEFT)
                          for c, x in zip(cells, xs)]))
    win = SurroundingRectangle(body[rows.index(chosen)], color=ACCENT, buff=0.08)
    note = _text("untrained, every word's p is about the same: the smallest ticket wins", 19, MUTED)
    note.next_to(body, DOWN, buff=0.3).align_to(head, LEFT)
    return Stage(head=head, body=body, win=win, note=note)


def aligned_texts(d: dict, font_size: int = 18) -> tuple[VGroup, VGroup, VGroup, list[float]]:
    """The untrained and trained model's texts from the same draws, word under word: (labels, the
    untrained row's words, the trained row's words, each column's x)."""
    vocab = words_of(d)
    a = [vocab[int(i)] for i in d["untrained_generation"]]
    b = [vocab[int(i)] for i in d["generation"]]
    top = [_text(w, font_size) for w in a]
    bottom = [_text(w, font_size) for w in b]
    widths = [max(s.width, t.width) + 0.18 for s, t in zip(top, bottom)]
    left, right = -5.3, 6.9
    if sum(widths) > right - left:  # another model's longer words: the rows set smaller, to fit
        shrink = (right - left) / sum(widths)
        for m in top + bottom:
            m.scale(shrink)
        widths = [w * shrink for w in widths]
    xs = list(left + np.cumsum(widths) - np.asarray(widths) / 2)
    for s, t, x in zip(top, bottom, xs):
        on_line(s.move_to([x, 0, 0]), -0.55)
        on_line(t.move_to([x, 0, 0]), -1.25)
    labels = VGroup(_text("untrained:", 18, MUTED).move_to([-6.3, -0.55, 0]),
                    _text("trained:", 18, MUTED).move_to([-6.3, -1.25, 0]))
    labels[1].align_to(labels[0], RIGHT)
    return labels, VGroup(*top), VGroup(*bottom), xs


# ----------------------------------------------------------------------------- one step, every position (beats 6-7)


def step_stage(d: dict) -> Stage:
    sentence = str(d["one_step_sentence"]).split()
    row = TokenRow(sentence, font_size=28).move_to([0, ROW_Y, 0])
    row.boxes[-1].set_stroke(ACCENT, width=2.5)
    row.labels[-1].set_color(ACCENT)
    true_note = _text("the true next word", 20, ACCENT).next_to(row.tokens[-1], DOWN, 0.12)
    return Stage(row=row, true_note=true_note)


POS_X0, POS_DX = -4.85, 1.03  # the sentence's columns
POS_BASE = -0.05  # where the probability bars stand
POS_HEIGHT = 1.9  # units of bar height for probability 1


def positions_stage(d: dict) -> Stage:
    """A training sentence, one word per column, with the names of the rows to come on the left."""
    words = str(d["c5_position_sentence"]).split()
    row = TokenRow(words, font_size=26)
    fit = min(1.0, (POS_DX - 0.1) / max(token.width for token in row.tokens))  # every box clear of the next
    for i, token in enumerate(row.tokens):
        token.scale(fit).move_to([POS_X0 + POS_DX * i, ROW_Y, 0])
    name = _text("reads", 18, MUTED).move_to([-6.1, ROW_Y, 0])
    return Stage(row=row, name=name)


# ----------------------------------------------------------------------------- the loss curve (beat 8)


def curve_stage() -> Stage:
    losses = artifact_arrays("lm", "training.npz")["loss_every_50_steps"]
    steps = int(traced_config("lm")["train"]["steps"])
    axes = Axes(x_range=[0, steps, 500], y_range=[0, 6, 1], x_length=11.2, y_length=4.8, tips=False,
                axis_config={"stroke_width": 1.5, "include_numbers": True, "font_size": 24, "color": MUTED})
    axes.move_to([0.45, 0.95, 0])
    x_label = _text("training step", 20, MUTED).next_to(axes.x_axis, DOWN, buff=0.45).shift(RIGHT * 4.3)
    y_label = _text("loss", 22, COST).next_to(axes.c2p(0, 6), RIGHT, buff=0.2)
    stage = Stage(axes=axes, x_label=x_label, y_label=y_label)
    stage.losses, stage.steps = losses, steps  # type: ignore[attr-defined]
    return stage


# ----------------------------------------------------------------------------- scale (beat 9)


def scale_stage(d: dict, gpt3: bool = False) -> Stage:
    """Our model's size and training as a table; with ``gpt3``, also GPT-3's published figures in a
    third column (``gpt3``), which the chapter brings in when it turns to them."""
    n = int(d["n_params"])
    train = traced_config("lm")["train"]
    block = model_config()["block"]
    steps, batch = int(train["steps"]), int(train["batch_size"])
    seen = steps * batch * block
    ops = 6 * n * seen
    seen_text = computed(f"{seen / 1e6:.1f} million", "training steps × batch size × context length")
    ops_text = computed(f"{ops / 1e12:.1f} \u00d7 10\u00b9\u00b2", "6 × parameters × words seen")
    why = "GPT-3, as published (Brown et al. 2020)"
    heads = [_text("size", 22, MUTED), _text("our tiny model", 26, ACCENT), _text("GPT-3 (another model: published figures)", 24, MUTED)]
    rows = [
        [_text("parameters", 24, MUTED), _text(f"{n:,}", 30), _text(f"{constant(175, why + ': parameters, billions')} billion", 30)],
        [_text("words seen in training", 24, MUTED), _text(seen_text, 30),
         _text(f"{constant(300, why + ': training tokens, billions')} billion", 30)],
        [_text("arithmetic operations", 24, MUTED), _text(ops_text, 30),
         _text(f"{constant('3.14', why + ': training compute, ×10^23 FLOPs')} \u00d7 10\u00b2\u00b3", 30)],
    ]
    xs, ys = (-4.6, -0.6, 4.0), (2.95, 2.2, 1.45, 0.7)  # its lower edge half way to the phases drawn below it
    table, theirs = VGroup(), VGroup()
    for y, cells in zip(ys, [heads, *rows]):
        for x, cell in zip(xs, cells):
            if cell.width > 5.6:
                cell.scale_to_fit_width(5.6)
            (theirs if x == xs[2] else table).add(cell.move_to([x, y, 0]))
    rules = VGroup(Line([-6.9, 2.6, 0], [6.9, 2.6, 0], stroke_color=FAINT, stroke_width=2))
    return Stage(table=table, rules=rules, gpt3=theirs) if gpt3 else Stage(table=table, rules=rules)


# ----------------------------------------------------------------------------- inside (beat 10)

STRIP_X, STRIP_W, STRIP_H = -1.2, 7.6, 0.5
STRIP_YS = (1.15, 0.45, -0.25)


def log_strip(values: np.ndarray, vmax: float) -> ImageMobject:
    """One word's vector as a strip of cells: blue +, red −, brightness for size on a log scale
    from ``STRIP_LO`` to ``vmax`` (every strip of the chapter on this one scale)."""
    img = ImageMobject(value_to_rgb_log(np.asarray(values)[None, :], STRIP_LO, vmax))
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    img.stretch_to_fit_height(STRIP_H)
    img.stretch_to_fit_width(STRIP_W)
    note_drawing(img, "values", values)
    return img


def glimpse_stage(d: dict, s: int | None = None, bars: bool = False) -> Stage:
    """The row of blocks; with ``s``, every word's vector after stage ``s``, the last word's first
    numbers, the stage's name; with ``bars``, the next-word probabilities at the bottom."""
    cfg = model_config()
    diagram = TransformerDiagram(cfg["n_layer"], width=13.4, height=0.85, font_size=20).move_to([0, 3.05, 0])
    stage = Stage(diagram=diagram)
    if s is None:
        return stage
    stream = d["flow_stream"]
    words = str(d["flow_prompt"]).split()
    vmax = float(np.abs(stream).max())
    panel = Group(*[log_strip(stream[s, t], vmax).move_to([STRIP_X, y, 0]) for t, y in zip(range(len(words)), STRIP_YS)])
    frames = VGroup(*[SurroundingRectangle(h, buff=0.02, stroke_color=FAINT, stroke_width=1) for h in panel])
    frames[-1].set_stroke(ACCENT, width=2)
    names = VGroup(*[on_line(_text(w, 24).next_to(h, LEFT, buff=0.3), h.get_y()) for w, h in zip(words, panel)])
    stage.update(panel=panel, frames=frames, names=names)
    values = stream[s, len(words) - 1, :FLOW_SHOWN]
    col = NumberColumn(values, list(range(FLOW_SHOWN)), stream.shape[2], font_size=22, sig=2)
    for number, v in zip(col.numbers, values):
        number.set_color(POSITIVE if v >= 0 else NEGATIVE)
    stage["numbers"] = col.move_to([5.6, 0.1, 0])  # its head clear of the pointer under the blocks
    stage["numbers_head"] = _text(f"{q(words[-1])}: first {FLOW_SHOWN} of {stream.shape[2]}", 18, ACCENT).next_to(
        stage["numbers"], UP, buff=0.12)
    stages = [str(x) for x in d["flow_stages"]]
    stage["stage_text"] = _text(f"after: {stages[s]}", 22, MUTED).move_to([panel.get_left()[0], 1.8, 0], aligned_edge=LEFT)
    scale_text = (f"blue +, red \u2212; brightness: size, log scale {constant(STRIP_LO, 'the strips dimmest size')} "
                  f"to {computed(fmt(vmax), 'the largest size among all the vectors')}")
    stage["legend"] = _text(scale_text, 18, MUTED).move_to([STRIP_X, -0.78, 0])
    if bars:
        probs = d["flow_probs"]
        chart = ProbabilityBars.top(probs, words_of(d), k=3, width=BAR_WIDTH, bar_height=0.3, font_size=24)
        chart.shift(np.array([-1.0, -1.25, 0]) - chart.rows[0][1].get_left())
        stage["bars"] = chart
        # the last word's vector becomes the probabilities: an arrow from its strip to the top bar's end
        top_bar = chart.rows[0][1]
        stage["to_bars"] = Arrow(frames[-1].get_corner(DOWN + RIGHT) + LEFT * 0.1,
                                 top_bar.get_corner(UP + RIGHT) + LEFT * 0.05, buff=0.05, stroke_width=3,
                                 color=MUTED, max_tip_length_to_length_ratio=0.2)
    return stage


# ----------------------------------------------------------------------------- scenes


class ChapterFiveScene(ChapterScene):
    chapter = NUMBER


class NextWordPrediction(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        card = self.title_card(TITLE, keep=True)
        prompts = [str(p) for p in d["prompts"]]
        stage = loop_stage(prompts[0].split())

        def chart(i: int) -> ProbabilityBars:
            return place_bars(ProbabilityBars.top(d["prompt_probs"][i], vocab, k=5, **BAR_KW))

        # A prompt goes in
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE), FadeIn(stage.row, rate_func=ARRIVE),
                  FadeIn(stage.box, rate_func=ARRIVE), FadeIn(stage.arrow_in, rate_func=ARRIVE), run_time=1.6)
        self.say("A language model reads a piece of text and predicts the word that comes next.")
        bars = chart(0)
        self.play(FadeIn(stage.arrow_out), FadeIn(stage.head), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.2), run_time=1.6)

        # Out comes a probability for every word it knows
        n_vocab = len(vocab)
        self.say(f"It gives each of the {n_vocab} words it knows a probability. These are our trained model's real top five.")
        self.wait(0.5)
        top = top_words(d["prompt_probs"][0], vocab, 3)
        self.say(f"After {q(prompts[0])}: {top[0][1]} {percent(top[0][2])}, {top[1][1]} {percent(top[1][2])}, "
                 f"{top[2][1]} {percent(top[2][2])}. Several words are plausible.")
        self.play(Indicate(bars.rows[0], color=ACCENT, scale_factor=1.05), run_time=1.0)

        # Other prompts, other distributions
        row = stage.row
        for i in range(1, len(prompts)):
            best = top_words(d["prompt_probs"][i], vocab, 4)
            if best[0][2] > 0.9:
                text = f"After {q(prompts[i])} it is almost sure: {best[0][1]}, {percent(best[0][2])}."
            else:
                spread = ", ".join(f"{w} {percent(p)}" for _, w, p in best)
                text = f"After {q(prompts[i])} it spreads its bets: {spread}."
            new_row = loop_stage(prompts[i].split()).row
            new_bars = chart(i)
            self.say(text)
            self.play(FadeOut(row, shift=0.2 * UP, rate_func=LEAVE), FadeIn(new_row, shift=0.2 * UP, rate_func=ARRIVE),
                      FadeOut(bars, rate_func=LEAVE), run_time=0.8)
            self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in new_bars.rows], lag_ratio=0.15), run_time=1.2)
            self.wait(0.5)
            row, bars = new_row, new_bars
        after = loop_stage(str(d["generation_prompt"]).split())
        self.say("Every word it writes comes from such a distribution. Let it write, starting from "
                 f"{q(str(d['generation_prompt']))}.")
        self.hand_off(after, keep={stage.box: after.box, stage.arrow_in: after.arrow_in,
                                   stage.arrow_out: after.arrow_out, stage.head: after.head})


def probability_columns(probs, xs: Sequence[float], base: float, height: float, color,
                        widths: Sequence[float] | None = None) -> VGroup:
    """Upright bars at ``xs`` standing on ``y = base``, each as tall as its probability (1 is
    ``height``), 0.5 wide unless ``widths`` says; noted for the transcript as their heights."""
    widths = widths if widths is not None else [0.5] * len(xs)
    bars = VGroup(*[Rectangle(width=w, height=max(height * float(p), 0.02), stroke_width=0, fill_color=color,
                              fill_opacity=0.85).move_to([x, base, 0], aligned_edge=DOWN)
                    for p, x, w in zip(probs, xs, widths)])
    note_drawing(bars, "heights", probs)
    return bars


def _drawn_odds(probs, drawn: list[int], tokens) -> Stage:
    """Under each drawn word (``tokens``), a bar as tall as the chance it had when it was drawn
    (``probs[s][drawn[s]]``, on a 0-100% scale; the colour of the chapter's probability bars), its
    percentage beneath it, and the chart's name."""
    chances = probs[np.arange(len(drawn)), np.asarray(drawn)]
    base, height = -1.3, 2.6
    bars = probability_columns(chances, [tok.get_x() for tok in tokens], base, height, POSITIVE,
                               widths=[min(0.5, tok.width * 0.8) for tok in tokens])
    labels = VGroup(*[_text(percent(float(c)), 16, INK).next_to(b, DOWN, buff=0.1) for c, b in zip(chances, bars)])
    for k in range(1, len(labels), 2):  # every other one a line lower: neighbours never touch
        labels[k].shift(DOWN * 0.3)
    name = _text("the chance each drawn word had when it was drawn", 20, MUTED).move_to([0, base + height + 0.45, 0])
    return Stage(bars=bars, labels=labels, name=name)


class WordByWord(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        ids, dists = [int(i) for i in d["generation"]], d["generation_probs"]
        n_prompt = len(ids) - len(dists)
        stage = self.open(loop_stage([vocab[i] for i in ids[:n_prompt]]))
        full = seeds_stage(d, n=1).row0  # where every word of the finished text will sit
        # the prompt slides to where it starts in the finished text
        self.play(*[Transform(a, b) for a, b in zip(stage.row.tokens, full.tokens[:n_prompt])], run_time=0.8)
        not_top = [s for s, p in enumerate(dists) if int(np.argmax(p)) != ids[n_prompt + s]]
        detailed = sorted({0, 1, *not_top[:2]})
        fast_said = False
        bars = None
        for s, dist in enumerate(dists):
            word = ids[n_prompt + s]
            new_bars, (k,) = bars_with(dist, vocab, [word], k=4, **BAR_KW)
            place_bars(new_bars)
            best = top_words(dist, vocab, 1)[0]
            slow = s in detailed
            # the caption on screen is read to its end, the new odds come, then the caption that reads them:
            # a caption never stands over another word's bars
            if slow or not fast_said:
                self.finish_reading()
            if bars is None:
                self.play(LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in new_bars.rows], lag_ratio=0.15),
                          run_time=1.2)
            else:
                self.play(FadeOut(bars, rate_func=LEAVE), FadeIn(new_bars, rate_func=ARRIVE), run_time=0.8 if slow else 0.5)
            if slow:
                if s == 0:
                    self.say(f"The model gives its next-word probabilities. Then draw one word at random with those "
                             f"odds: {q(vocab[word])} ({percent(dist[word])}).")
                elif s == 1:
                    self.say(f"Append it, and feed the longer text back in. After {q(vocab[ids[n_prompt]])}, "
                             f"{q(vocab[word])} is almost certain: {percent(dist[word])}.")
                elif s == not_top[0]:
                    self.say(f"The draw need not take the likeliest word: here it took {q(vocab[word])} "
                             f"({percent(dist[word])}), not {q(best[1])} ({percent(best[2])}).")
                else:
                    self.say(f"And again: {q(vocab[word])} ({percent(dist[word])}), not the likeliest word, "
                             f"{q(best[1])} ({percent(best[2])}).")
            elif not fast_said:
                self.say("Sample, append, repeat: each new word joins the text the model reads for the next prediction.")
                fast_said = True
            mark = new_bars.highlight(k)
            self.play(Create(mark), run_time=0.5 if slow else 0.3)
            self.play(TransformFromCopy(new_bars.rows[k][0], full.tokens[n_prompt + s]), run_time=0.8 if slow else 0.5)
            if slow:
                self.wait(0.6)
            self.remove(mark)
            bars = new_bars

        # The whole text: the last odds and the model leave, the text stays; under each drawn word, the
        # chance it had when it was drawn (tall: near certain; short: a long shot that came up)
        rest = [vocab[i] for i in ids[n_prompt:]]
        self.finish_reading()
        self.play(FadeOut(bars), *[FadeOut(stage[k]) for k in ("box", "arrow_in", "arrow_out", "head")], run_time=0.6)
        self.say(f"After {len(rest)} draws, this is what our model wrote. The draws come from a fixed seed, so "
                 "the film can show them again.")
        self.remove(stage.row, *full.tokens[n_prompt:])
        self.add(full)
        odds = _drawn_odds(d["generation_probs"], ids[n_prompt:], full.tokens[n_prompt:])
        self.add(odds.bars)  # the chart as one piece (its note for the transcript), grown bar by bar
        self.play(LaggedStart(*[GrowFromEdge(b, DOWN) for b in odds.bars], lag_ratio=0.08),
                  FadeIn(odds.labels), FadeIn(odds.name), run_time=1.6)
        self.wait(1.0)
        after = seeds_stage(d, n=1)
        self.hand_off(after, keep={full: after.row0})


class ThreeSeeds(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        stage = self.open(seeds_stage(d, n=1))
        three = seeds_stage(d, n=3)
        dist = d["generation_probs"][0]
        ids = [int(d["generation"][2])] + [int(g[2]) for g in d["c5_seed_generations"]]
        first = [vocab[i] for i in ids]
        bars, rows = bars_with(dist, vocab, ids, k=4, **BAR_KW)
        bars.shift(np.array([-1.0, 0.55, 0]) - bars.rows[0][1].get_left())
        head = _text(f"the first word after {q(str(d['generation_prompt']))}, the same odds for all three:", 20, MUTED)
        head.next_to(bars, UP, buff=0.25).set_x(0)
        self.say("Ask again with other random draws, from the same prompt. The model writes something else.")
        self.play(FadeIn(three.row1, shift=0.2 * DOWN), FadeIn(three.label1), FadeIn(head),
                  LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.15), run_time=1.4)
        self.play(FadeIn(three.row2, shift=0.2 * DOWN), FadeIn(three.label2), run_time=1.0)
        self.say(f"The probabilities after {q(str(d['generation_prompt']))} are the same every time. "
                 f"Only the draw differs: {', '.join(q(w) for w in first)}.")
        marks = VGroup()
        right = max(row.get_right()[0] for row in bars.rows)  # the tags in one column, past the longest row
        for k, (r, row) in enumerate(zip(rows, (stage.row0, three.row1, three.row2))):
            beside = list(rows[:k]).count(r)  # a word drawn twice gets its second tag beside the first
            tag = _text(f"#{k + 1}", 20, ACCENT).move_to([right + 0.3 + 0.55 * beside, bars.rows[r].get_y(), 0],
                                                         aligned_edge=LEFT)
            marks.add(tag)
            self.play(Indicate(row.tokens[2], color=ACCENT), FadeIn(tag), run_time=0.8)
        rare = any(dist[i] < 0.01 for i in ids)
        self.say(f"Each continuation is real: {percent(dist[ids[0]])}, {percent(dist[ids[1]])} and "
                 f"{percent(dist[ids[2]])} chances" + ("; even a rare word can be drawn, and likely words follow it."
                                                        if rare else ", each then followed by likely words."))
        self.wait(1.0)
        self.say("Picking words at random, not always the likeliest, is what makes the text varied and natural.")
        self.wait(1.0)
        self.hand_off(chat_stage(), run_time=1.4)


class FromPredictorToAssistant(ChapterFiveScene):
    def construct(self):
        cfg = model_config()
        stage = self.open(chat_stage())
        self.say("A chatbot is this same loop. The text it continues is a script: a conversation between a user and "
                 "an assistant.")
        user, assistant = stage.lines
        self.play(Indicate(stage.intro, color=FUNCTION, scale_factor=1.03), run_time=1.2)
        self.say(f"Our tiny model has never read a dialogue (its {cfg['vocab']} words make simple sentences), so "
                 "this script is an illustration.")
        self.play(Indicate(stage.tag, color=FUNCTION), run_time=1.0)
        self.say("What the user types goes into the script. Then the model predicts, word by word, what the "
                 "assistant would say.")
        self.play(AddTextLetterByLetter(user), run_time=1.2)  # what the user types, typed in
        self.play(FadeIn(assistant), run_time=0.6)
        reply = VGroup(*[_text(w, 30, FUNCTION) for w in CHAT_REPLY.split()]).arrange(RIGHT, buff=0.16,
                                                                                     aligned_edge=DOWN)
        reply.next_to(assistant, RIGHT, buff=0.25)
        for w in reply:
            on_line(w, assistant.line_y)
        for w in reply:
            self.play(FadeIn(w, shift=0.1 * RIGHT), run_time=0.35)
            self.wait(0.15)
        loop = VGroup(*[RoundedRectangle(corner_radius=0.1, width=2.6, height=0.75, stroke_color=MUTED, stroke_width=2)
                        for _ in range(3)]).arrange(RIGHT, buff=1.1).move_to([0, -1.15, 0])
        for box, word in zip(loop, ("predict", "sample", "append")):
            box.add(_text(word, 24).move_to(box))
        arrows = VGroup(*[Arrow(a.get_right(), b.get_left(), buff=0.1, stroke_width=3, color=MUTED) for a, b in
                          zip(loop, loop[1:])])
        back = CurvedArrow(loop[2].get_bottom() + DOWN * 0.05, loop[0].get_bottom() + DOWN * 0.05, angle=-PI / 5,
                           color=MUTED, stroke_width=3)
        self.say("The assistant's answer is written by the loop you saw: predict, sample, append, until the answer ends.")
        self.play(LaggedStart(*[FadeIn(b) for b in loop], lag_ratio=0.3), FadeIn(arrows), Create(back), run_time=1.6)
        self.wait(1.0)
        self.say("To predict good answers, a model must first learn language itself. That is what training does.")
        self.wait(0.5)
        self.hand_off(dials_stage(story()), run_time=1.4)


class ParametersAsDials(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        stage = self.open(dials_stage(d))
        traced_config("lm")  # the training run's settings: its steps, its checkpoints
        steps, values = dial_values()
        vmax = float(np.abs(values).max())
        labels, untrained, trained, xs = aligned_texts(d)
        n_prompt = len(d["generation"]) - len(d["generation_probs"])

        self.say("What the model says is set by its parameters: plain numbers, like dials. Here are "
                 f"{DIAL_ROWS * DIAL_COLS} of its real ones.")
        self.play(Indicate(stage.note, color=ACCENT, scale_factor=1.03), run_time=1.0)
        self.say("Before training they are small random numbers. With the same random draws as before, the "
                 "untrained model writes gibberish.")
        self.play(FadeIn(labels[0]), LaggedStart(*[FadeIn(w, shift=0.1 * UP) for w in untrained], lag_ratio=0.1),
                  run_time=1.6)
        self.say(f"Training turns every dial, step by step. After {steps[-1]:,} steps, the same draws give sensible text.")
        for s, v in zip(steps[1:], values[1:]):
            new = _text(f"training step {computed(f'{s:,}', 'a saved checkpoint: the step in its name')}", 26,
                        ACCENT).move_to(stage.counter, aligned_edge=LEFT)
            self.play(Transform(stage.grid, dial_grid(v, vmax).move_to(GRID_CENTER)), Transform(stage.counter, new),
                      run_time=0.7)
        self.play(FadeIn(labels[1]), LaggedStart(*[FadeIn(w, shift=0.1 * UP) for w in trained], lag_ratio=0.1),
                  run_time=1.6)

        # Why the two texts share words: the same tickets through different probabilities
        tickets = d["c5_tickets"]
        a_ids, b_ids = [int(i) for i in d["untrained_generation"]], [int(i) for i in d["generation"]]
        shared = [j for j in range(n_prompt, len(b_ids)) if a_ids[j] == b_ids[j]]
        boxes = VGroup(*[SurroundingRectangle(VGroup(untrained[j], trained[j]), color=ACCENT, buff=0.08) for j in shared])
        notes = VGroup()
        for j in shared:
            t = tickets[j - n_prompt]
            notes.add(VGroup(_text("ticket", 16, ACCENT), _text(fmt(t[b_ids[j]], 2), 16, ACCENT)).arrange(
                DOWN, buff=0.06).next_to(boxes[shared.index(j)], DOWN, buff=0.1))
        if shared:
            words = " ".join(vocab[b_ids[j]] for j in shared)
            self.say(f"Same model, same draws: only the dials differ. But why do both texts contain {q(words)}?")
            self.play(*[Create(b) for b in boxes], run_time=1.0)
            self.wait(0.5)
            self.say(f"How a draw keeps the model's odds: each of the {len(vocab)} words gets a random ticket; "
                     "the best probability-to-ticket ratio wins.")
            table = ticket_table(d, shared[0] - n_prompt)  # the first shared word's draw, up close
            self.play(*[FadeOut(m, rate_func=LEAVE) for m in stage.values()], FadeIn(table.head, rate_func=ARRIVE),
                      FadeIn(notes, shift=0.1 * UP), run_time=1.0)
            self.play(LaggedStart(*[FadeIn(r, shift=0.1 * RIGHT) for r in table.body], lag_ratio=0.25), run_time=1.8)
            self.play(Create(table.win), run_time=0.7)
            self.play(FadeIn(table.note), run_time=0.6)
            self.say(f"Here {q(words)} drew the luckiest tickets of all {len(vocab)}. Both models used the same "
                     "tickets, so both picked them.")
            self.wait(1.0)
            lucky = sum(1 for j in range(n_prompt, len(a_ids)) if a_ids[j] == int(np.argmin(tickets[j - n_prompt])))
            luck = sum(1 for j in range(n_prompt, len(b_ids)) if b_ids[j] == int(np.argmin(tickets[j - n_prompt])))
            n_draws = len(a_ids) - n_prompt
            self.say(f"With nearly even odds, the untrained model took the luckiest ticket in "
                     f"{computed(lucky, 'draws won by the smallest ticket')} of {n_draws} draws; the trained one in "
                     f"{computed(luck, 'draws won by the smallest ticket')}.")
            # the words each model drew by the smallest ticket turn yellow, row by row
            for label, row, ids in ((labels[0], untrained, a_ids), (labels[1], trained, b_ids)):
                won = [j for j in range(n_prompt, len(ids)) if ids[j] == int(np.argmin(tickets[j - n_prompt]))]
                if won:
                    self.play(LaggedStart(*[row[j].animate.set_color(ACCENT) for j in won], lag_ratio=0.15),
                              run_time=1.0)
                    note_drawing(label, "its yellow words, drawn by the smallest ticket",
                                 np.asarray([f"{j - n_prompt + 1}:{vocab[ids[j]]}" for j in won]))
            self.wait(1.0)
        after = step_stage(d)
        self.say("How does training know which way to turn the dials? Take one sentence.")
        self.hand_off(after, run_time=1.4)


class OneTrainingStep(ChapterFiveScene):
    def construct(self):
        d = story()
        vocab = words_of(d)
        n = int(d["n_params"])
        stage = self.open(step_stage(d))
        sentence = str(d["one_step_sentence"]).split()
        target = vocab.index(sentence[-1])
        before, after = d["one_step_dists"]
        rank_before = int((before > before[target]).sum()) + 1
        rank_after = int((after > after[target]).sum()) + 1
        top = float(max(before.max(), after.max()))
        scale = 6.5 / top  # magnified bars: the axis below says how much
        bars, (k,) = bars_with(before, vocab, [target], k=4, width=scale, bar_height=0.36, font_size=26)
        bars.shift(np.array([-3.2, 1.55, 0]) - bars.rows[0][1].get_left())
        title = _text("untrained model", 24).next_to(bars, UP, buff=0.3).align_to(bars.rows[0][1], LEFT)
        axis = probability_axis(bars, scale, [0.005, 0.01], font_size=20)
        zoom = computed(f"{scale / BAR_WIDTH:.0f}", "this chart's bar length for a probability ÷ the other charts'")
        magnified = _text(f"zoomed in {zoom}\u00d7 compared with the other probability charts",
                          18, MUTED).next_to(axis, DOWN, buff=0.15).align_to(axis, LEFT)
        shown_rank = computed(rank_before, f"the rank of {q(sentence[-1])}: 1 + the words the untrained model rates higher")
        rank = _text(f"rank {shown_rank} of {len(vocab)}", 22, MUTED).next_to(bars.rows[k], RIGHT, buff=0.3)

        self.say(f"After {q(' '.join(sentence[:-1]))} comes {q(sentence[-1])}. What does the untrained model say?")
        self.play(FadeIn(title), LaggedStart(*[FadeIn(r, shift=0.2 * RIGHT) for r in bars.rows], lag_ratio=0.15),
                  FadeIn(axis), FadeIn(magnified), run_time=1.5)
        self.say(f"It gives {q(sentence[-1])} only {percent(before[target])}: {ordinal(rank_before)} of {len(vocab)} "
                 "words. Other words are no better: it is guessing.")
        mark = bars.highlight(k)
        self.play(Create(mark), FadeIn(rank))

        new_bars = bars.reshaped(after[[vocab.index(w) for w in bars.words]])
        new_title = _text("after one training step", 24).move_to(title, aligned_edge=LEFT)
        new_rank = _text(f"rank {rank_after} of {len(vocab)}", 22, ACCENT).next_to(new_bars.rows[k], RIGHT, buff=0.3)
        self.say(f"Backpropagation says how to nudge all {n:,} parameters to make {q(sentence[-1])} more likely. "
                 "Take one small step:")
        self.wait(0.5)
        self.play(Transform(bars, new_bars), Transform(title, new_title), Transform(rank, new_rank),
                  Transform(mark, new_bars.highlight(k)), run_time=2.0)
        self.say(f"Now {q(sentence[-1])} gets {percent(after[target])}, its top guess, and the other words lost a little.")
        self.wait(1.0)
        self.say("This was one prediction. Training asks for many at once: one at every position of a text.")
        self.hand_off(positions_stage(d), run_time=1.4)


class EveryPosition(ChapterFiveScene):
    def construct(self):
        d = story()
        stage = self.open(positions_stage(d))
        words = str(d["c5_position_sentence"]).split()
        p_trained, p_untrained = d["c5_position_trained"], d["c5_position_untrained"]
        loss_trained, loss_untrained = d["c5_position_loss"]
        n = len(words) - 1
        xs = [POS_X0 + POS_DX * i for i in range(n)]
        names = VGroup(*[_text(t, 18, MUTED).move_to([-6.1, y, 0]) for t, y in
                         (("predict", 2.35), ("trained", 0.9), ("untrained", -1.05), ("surprise", -1.6))])
        targets = VGroup(*[_text(words[i + 1], 22, ACCENT).move_to([x, 2.35, 0]) for i, x in enumerate(xs)])
        arrows = VGroup(*[Arrow([x, ROW_Y - 0.28, 0], [x, 2.55, 0], buff=0, stroke_width=2, color=MUTED,
                                max_tip_length_to_length_ratio=0.4) for x in xs])

        def bar_column(probs, base: float, color) -> tuple[VGroup, VGroup]:
            bars = probability_columns(probs, xs, base, POS_HEIGHT, color)
            labels = VGroup(*[_text(percent(p), 16).move_to([x, base - 0.2, 0]) for p, x in zip(probs, xs)])
            return bars, labels

        t_bars, t_labels = bar_column(p_trained, POS_BASE, POSITIVE)
        u_bars, u_labels = bar_column(p_untrained, -1.05, POSITIVE)
        def surprise_at(p: float) -> str:  # the tiny ones as "<0.01": their digits would run together
            v = -np.log(p)
            if v >= 0.01:
                return computed(fmt(v, 2), "minus the log of the probability above")
            return "<" + constant("0.01", "the smallest surprise written out")

        surprise = VGroup(*[_text(surprise_at(p), 16, COST).move_to([x, -1.6, 0]) for p, x in zip(p_trained, xs)])

        self.say(f"Training does not only predict the last word. The model reads {q(words[0])} and must predict "
                 f"{q(words[1])}, and so on at every position.")
        with self.sparse("the table's rows come one by one, each with its name, as the captions reach them"):
            self.play(FadeIn(names[0]), LaggedStart(*[FadeIn(VGroup(a, t), shift=0.1 * DOWN)
                                                      for a, t in zip(arrows, targets)], lag_ratio=0.12), run_time=2.0)
            self.say(f"One pass through the model gives all {n} predictions at once, each seeing only the words "
                     "before it.")
            # the predictions themselves, as the caption names them: the trained model's bars
            self.play(FadeIn(names[1]), LaggedStart(*[GrowFromEdge(b, DOWN) for b in t_bars], lag_ratio=0.08),
                      FadeIn(t_labels), run_time=1.8)
        she = words.index("she") - 1 if "she" in words else int(np.argmin(p_trained))
        self.say(f"The trained model's probability for each true next word, on the scale of the first charts. Only "
                 f"{q(words[she + 1])} surprises it: {percent(p_trained[she])}.")
        self.play(Indicate(VGroup(t_bars[she], t_labels[she], targets[she]), color=ACCENT), run_time=1.0)
        self.say(f"A {q('he')} would have been just as true: the training text has both. The untrained model, on the "
                 "same scale, barely shows.")
        self.play(FadeIn(names[2]), FadeIn(u_bars), FadeIn(u_labels), run_time=1.2)
        self.wait(0.5)
        loss = VGroup(_text("mean surprise, the loss:", 22, COST),
                      _text(f"trained {fmt(loss_trained, 2)}", 22, COST),
                      _text(f"untrained {fmt(loss_untrained, 3)}", 22, MUTED)).arrange(RIGHT, buff=0.4)
        loss.move_to([0.3, -2.2, 0])
        self.say("The surprise at each word is minus the log of its probability. Their average is the loss that "
                 "training lowers.")
        self.play(FadeIn(names[3]), LaggedStart(*[FadeIn(s) for s in surprise], lag_ratio=0.08), run_time=1.4)
        self.play(FadeIn(loss, shift=0.1 * UP), run_time=0.8)
        self.wait(1.0)
        self.hand_off(curve_stage(), run_time=1.4)


def _batch_grid(rows: int, columns: int, center) -> tuple[VGroup, VGroup]:
    """One training step's batch as a lattice of ``rows`` snippets by ``columns`` words (a cell per
    next-word prediction), centred at ``center``; and its labels: the two counts and their product."""
    cell = 0.06
    width, height = columns * cell, rows * cell
    lines = [Line([0, -y * cell, 0], [width, -y * cell, 0]) for y in range(rows + 1)]
    lines += [Line([x * cell, 0, 0], [x * cell, -height, 0]) for x in range(columns + 1)]
    grid = VGroup(*lines).set_stroke(MUTED, width=0.8).move_to(center)
    predictions = computed(f"{rows * columns:,}", "batch size × context length: one step's predictions")
    labels = VGroup(
        _text(f"{columns} words", 20, MUTED).next_to(grid, UP, buff=0.12),
        _text(f"{rows} snippets", 20, MUTED).next_to(grid, LEFT, buff=0.2),
        _text(f"= {predictions} predictions,\neach with its surprise", 20, MUTED).next_to(grid, RIGHT, buff=0.25),
    )
    return grid, labels


class TrainingLossCurve(ChapterFiveScene):
    def construct(self):
        stage = self.open(curve_stage())
        block, n_vocab = model_config()["block"], model_config()["vocab"]
        losses, steps = stage.losses, stage.steps
        train_cfg = traced_config("lm")["train"]
        batch = int(train_cfg["batch_size"])
        axes = stage.axes
        every = steps // len(losses)
        xs = [every * i for i in range(len(losses))]
        curve = VMobject(stroke_color=COST, stroke_width=3).set_points_as_corners(
            [axes.c2p(x, float(v)) for x, v in zip(xs, losses)])
        note_drawing(curve, "training loss", losses)
        shown_every = computed(every, "the training steps ÷ the losses recorded")
        curve_label = _text(f"training loss: a batch of {batch} snippets, every {shown_every} steps", 20, COST)
        curve_label.move_to(axes.c2p(steps * 0.5, 3.6))
        start = Dot(axes.c2p(0, float(losses[0])), color=COST, radius=0.07)
        even = computed(fmt(np.log(n_vocab)), "ln of the vocabulary size: the loss of guessing evenly")
        start_label = _text(f"{fmt(losses[0])}  (ln {n_vocab} = {even}: even guessing)", 20, COST).next_to(start, RIGHT, 0.2)

        # One step's batch: a snippet per row, a word per column, each cell one next-word prediction
        batch_grid, batch_labels = _batch_grid(batch, block, axes.c2p(steps * 0.5, 3.0))
        self.say(f"Real training does this for {batch} snippets of {block} words at a time: {batch} \u00d7 {block} "
                 f"predictions a step, for {steps:,} steps.")
        # the chart steps back while the batch is drawn over it: the grid is not data on its axes
        chart = VGroup(axes, stage.x_label, stage.y_label)
        chart.save_state()
        self.play(chart.animate.set_opacity(0.15), Create(batch_grid, lag_ratio=0.02), FadeIn(batch_labels),
                  run_time=1.6)
        self.say("The loss, each step's mean surprise over its batch, falls as the dials turn.")
        # the batch's surprises, averaged: one point of the curve, on the chart again
        self.play(ReplacementTransform(batch_grid, start), FadeOut(batch_labels), Restore(chart), run_time=1.2)
        self.play(FadeIn(curve_label), Create(curve), run_time=3.0)
        self.say(f"It starts at {fmt(losses[0])}, the loss of guessing evenly among all {n_vocab} words, and falls fast.")
        self.play(Indicate(start, color=COST, scale_factor=1.6), FadeIn(start_label))

        metrics = artifact_metrics("lm")
        held, bigram = float(metrics["held_out_loss"]), float(metrics["bigram_loss"])
        base = DashedLine(axes.c2p(0, bigram), axes.c2p(steps, bigram), stroke_color=MUTED, stroke_width=2)
        base_label = _text(f"bigram model, held-out: {fmt(bigram)}", 20, MUTED)
        base_label.next_to(axes.c2p(steps, bigram), UP, buff=0.12).align_to(axes.c2p(steps, bigram), RIGHT)
        end = Dot(axes.c2p(steps, held), color=ACCENT, radius=0.08)
        end_label = _text(f"held-out: {fmt(held, 2)}", 22, ACCENT).next_to(end, UP, 0.15).shift(LEFT * 0.5)
        self.say(f"On text it never trained on it ends at {fmt(held, 2)}, far below {fmt(bigram)}: a bigram model "
                 "that only counts which word follows which.")
        self.play(Create(base), FadeIn(base_label), run_time=1.0)
        self.play(FadeIn(end, scale=0.5), FadeIn(end_label))
        self.wait(1.0)
        self.hand_off(scale_stage(story()), run_time=1.4)


class PretrainingAndScale(ChapterFiveScene):
    def construct(self):
        d = story()
        stage = self.open(scale_stage(d))
        train = traced_config("lm")["train"]
        steps, batch, block = int(train["steps"]), int(train["batch_size"]), model_config()["block"]
        n, seen = int(d["n_params"]), steps * batch * block  # seen: the words the training read
        ops = 6 * n * seen
        fewer = computed(f"{3.14e23 / ops / 1e9:.0f}", "GPT-3's published compute ÷ our arithmetic operations, in billions")
        years = computed(f"{3.14e23 / 1e9 / 3.156e7 / 1e6:.0f}", "GPT-3's published compute ÷ 10⁹ a second, in millions of years")
        # the words seen against the corpus (the card shows its size): the text it trains on, read many times
        corpus_words = int(traced_metrics("lm")["corpus"]["words"])
        trained_on = corpus_words * (1 - float(train["held_out"]))  # less the held-out sentences (about a tenth)
        times = computed(f"{seen / trained_on:.0f}",
                         "words seen ÷ the corpus's words less the held-out share")
        self.say(f"This was pre-training: learning to predict the next word of a lot of text. Our model saw "
                 f"{seen / 1e6:.1f} million words.")
        self.play(Indicate(stage.table[5], color=ACCENT), run_time=1.0)  # our words seen
        # the passes drawn: one cell per pass over the training text, as many as the caption says
        passes = int(round(seen / trained_on))
        cells = VGroup(*[Rectangle(width=12.4 / passes, height=0.42, stroke_color=BACKGROUND, stroke_width=1.5,
                                   fill_color=POSITIVE, fill_opacity=0.8 if i == 0 else 0.35)
                         for i in range(passes)]).arrange(RIGHT, buff=0).move_to([0, -0.75, 0])
        note_drawing(cells, "cells: passes over the training text", np.asarray([passes]))
        first_pass = _text("1 pass: the corpus, less its held-out part", 20, MUTED).next_to(cells, UP, buff=0.15)
        first_pass.align_to(cells, LEFT)
        total_passes = _text(f"{times} passes: {seen / 1e6:.1f} million words", 20, MUTED)
        total_passes.next_to(cells, DOWN, buff=0.15).align_to(cells, RIGHT)
        self.say(f"That is its corpus of {corpus_words:,} words, less the part held out, read about {times} times over.")
        self.play(FadeIn(cells[0]), FadeIn(first_pass), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(c) for c in cells[1:]], lag_ratio=0.1), FadeIn(total_passes), run_time=1.6)
        self.wait(0.5)
        self.say("Large language models are the same idea, scaled up. These are GPT-3's published figures, "
                 "not measurements of ours.")
        theirs = scale_stage(d, gpt3=True).gpt3  # head, parameters, words, operations
        self.play(FadeOut(VGroup(cells, first_pass, total_passes), rate_func=LEAVE),
                  LaggedStart(*[FadeIn(cell, shift=0.2 * LEFT) for cell in theirs], lag_ratio=0.25), run_time=1.6)
        self.say(f"GPT-3's training took about {fewer} billion times our operations: at a billion a second, "
                 f"about {years} million years.")
        self.play(Indicate(VGroup(stage.table[7], theirs[3]), color=ACCENT), run_time=1.2)  # the operations row
        self.wait(0.5)

        steps_row = VGroup(*[RoundedRectangle(corner_radius=0.1, width=3.9, height=1.25, stroke_color=c, stroke_width=2.5)
                             for c in (POSITIVE, FUNCTION, FUNCTION)]).arrange(RIGHT, buff=0.75).move_to([0, -1.05, 0])
        texts = (("pre-training", "next word, on huge amounts of text"),
                 ("fine-tuning", "example chats, and people rating answers"),
                 ("an assistant", "the same next-word loop"))
        for box, (a, b) in zip(steps_row, texts):
            t = VGroup(_text(a, 26), _text(b, 17, MUTED)).arrange(DOWN, buff=0.12)
            if t.width > box.width - 0.2:
                t.scale_to_fit_width(box.width - 0.2)
            box.add(t.move_to(box))
        arrows = VGroup(*[Arrow(a.get_right(), b.get_left(), buff=0.08, stroke_width=3, color=MUTED)
                          for a, b in zip(steps_row, steps_row[1:])])
        tag = _text("steps 2 and 3: an illustration, not our model", 20, FUNCTION).next_to(steps_row, DOWN, buff=0.2)
        tag.align_to(steps_row[1], LEFT)
        self.say("Then a second phase, fine-tuning, makes a predictor into an assistant. Our model stops after the "
                 "first phase.")
        self.play(FadeIn(steps_row[0]), run_time=0.8)
        self.play(FadeIn(arrows[0]), FadeIn(steps_row[1]), FadeIn(tag), run_time=1.0)
        self.say("Fine-tuning trains further on example conversations, and on people's ratings of the model's answers "
                 "(RLHF).")
        self.play(FadeIn(arrows[1]), FadeIn(steps_row[2]), run_time=1.0)
        self.wait(1.0)
        self.say("Whatever the scale, the model inside is a transformer. A glimpse of what happens in it:")
        self.hand_off(glimpse_stage(d), run_time=1.4)


class GlimpseInside(ChapterFiveScene):
    def construct(self):
        d = story()
        cfg = model_config()
        stage = self.open(glimpse_stage(d))
        diagram = stage.diagram
        stream = d["flow_stream"]
        stages = [str(s) for s in d["flow_stages"]]
        n_blocks = len(diagram.blocks)
        first = glimpse_stage(d, 0)
        pointer = Arrow([diagram.blocks[0].get_x(), 2.55, 0], [diagram.blocks[0].get_x(), 2.05, 0], buff=0,
                        stroke_width=4, color=ACCENT, max_tip_length_to_length_ratio=0.35)

        self.say("The model is a row of blocks, and the words flow through them from left to right.")
        parts = [first[k] for k in ("names", "panel", "frames", "stage_text", "legend", "numbers", "numbers_head")]
        self.play(diagram.light(0), FadeIn(pointer), *[FadeIn(p) for p in parts], run_time=1.4)
        self.say(f"First each word becomes a vector: a list of {stream.shape[2]} numbers. Here is "
                 f"{q(str(d['flow_prompt']))}, one cell per number.")
        self.wait(0.5)
        captions = {
            1: "Attention blocks let the vectors pass information to each other, so each word can use its context.",
            2: "MLP blocks then work on each vector on its own. Every block adds its result onto the vectors.",
            3: f"The two kinds alternate; our model has {cfg['n_layer']} of each. Large models stack dozens of layers.",
        }
        for s in range(1, len(stages)):
            if s in captions:
                self.say(captions[s])
            nxt = glimpse_stage(d, s)
            self.play(diagram.light(s), pointer.animate.set_x(diagram.blocks[s].get_x()), run_time=0.7)
            self.play(*[Transform(first[k], nxt[k]) for k in ("panel", "stage_text", "numbers")], run_time=1.2)
            self.wait(0.6)
        end = glimpse_stage(d, len(stages) - 1, bars=True)
        best = top_words(d["flow_probs"], words_of(d), 1)[0]
        self.say(f"Finally the last word's vector becomes a probability for every word: {best[1]}, {percent(best[2])}.")
        for s in range(len(stages), n_blocks):
            self.play(diagram.light(s), pointer.animate.set_x(diagram.blocks[s].get_x()), run_time=0.6)
        self.play(Create(end.to_bars), run_time=0.6)
        self.play(FadeIn(end.bars, shift=0.2 * DOWN), run_time=1.0)
        self.say("How each block works is the subject of chapters 6 to 8: transformers, attention, and how facts are stored.")
        self.wait(0.5)
        keep = {first[k]: end[k] for k in ("names", "panel", "frames", "stage_text", "legend", "numbers", "numbers_head")}
        keep[diagram] = end.diagram
        self.hand_off(end, keep=keep)


class Recap(ChapterFiveScene):
    def construct(self):
        d = story()
        stage = self.open(glimpse_stage(d, len(d["flow_stages"]) - 1, bars=True))
        self.recap_card(
            [
                "A language model gives every possible next word a probability.",
                "It writes by sampling a word, appending it, and repeating.",
                "Training makes the true next word likelier, at every position.",
                "Pre-training on text, then fine-tuning, makes an assistant.",
                "Inside, attention and MLP blocks alternate, refining word vectors.",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [NextWordPrediction, WordByWord, ThreeSeeds, FromPredictorToAssistant, ParametersAsDials, OneTrainingStep,
          EveryPosition, TrainingLossCurve, PretrainingAndScale, GlimpseInside, Recap]
