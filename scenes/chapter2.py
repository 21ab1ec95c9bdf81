"""Chapter 2, "Gradient descent, how neural networks learn", from the real training run.

One film in eleven beats: the data; the untrained network's trash answer and its cost, term by
term; the average cost; a ball rolling down a one-weight cost and a two-weight one (an
illustration, and it says so); the real gradient, all 13,002 entries; real steps of the update
rule; the real path training took across a plane through the untrained and the trained network;
the learning curves; the test; what the hidden neurons really look for. Every digit, output,
cost, gradient entry, landscape value and path point comes from the ``digits-story`` artifact
(``models/digit_story.py``, ``chapter2``); ``tests/golden/chapter2.json`` pins the numbers.

Each beat opens on the drawing the previous one ended with: the ``*_stage`` functions build
those drawings, and both sides of a join call the same one.

Render with ``python render.py render 2``, or one scene with Manim::

    manim -ql scenes/chapter2.py CostLandscape
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Axes,
    BackgroundRectangle,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Group,
    GrowFromEdge,
    Indicate,
    ImageMobject,
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
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    Write,
    linear,
)

from scenes.base import ARRIVE, ARRIVE_LAGGED, LEAVE, ChapterScene, Stage, artifact_arrays, last_part
from scenes.palette import ACCENT, BACKGROUND, COST, FAINT, INK, MUTED, SCORE, cost_to_rgb, signed_color, value_to_rgb_log
from scenes.pieces import (
    digit_sizes,
    layer_names,
    DIGIT_HOME,
    FONT,
    HeatMap,
    LandscapeMap,
    ValueBars,
    digit_network,
    fmt,
    framed_digit,
    tex,
)
from scenes.transcript import computed, constant, note_drawing, traced_config

NUMBER = 2
TITLE = "Gradient descent, how neural networks learn"
ARTIFACTS = ("digits-story",)
MNIST_TRAINING_DIGITS = 60_000  # a published figure about the MNIST collection, not one of ours


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter2.npz")


def _text(s: str, size: int = 24, color=INK) -> Text:
    return Text(s, font=FONT, font_size=size, color=color)


def _n(n: int) -> str:
    return f"{int(n):,}"


def _ball(at) -> Dot:
    return Dot(at, radius=0.11, color=ACCENT, stroke_color=BACKGROUND, stroke_width=2)


def _map_label(text: str) -> VGroup:
    """A label laid on the cost map: orange text on a dark backing, readable on the orange ground."""
    label = _text(text, 20, COST)
    return VGroup(BackgroundRectangle(label, color=BACKGROUND, fill_opacity=0.8, buff=0.08), label)


# ----------------------------------------------------------------------------- stages: the joins


def data_grids(d: dict) -> Stage:
    """The training digits with their labels, and the held-out digits."""
    cells = Group()
    for image, label in zip(d["train_samples"], d["train_samples_label"]):
        digit = framed_digit(image, 0.95)
        cells.add(Group(digit, _text(str(int(label)), 16, MUTED).next_to(digit, DOWN, buff=0.04)))
    train = cells.arrange_in_grid(4, 6, buff=(0.14, 0.1))
    test = Group(*[framed_digit(p, 0.95) for p in d["test_samples"]]).arrange_in_grid(4, 3, buff=(0.14, 0.36))
    Group(train, test).arrange(RIGHT, buff=1.2).move_to([0, 0.35, 0])
    test.align_to(train, UP)
    train_label = _text(f"{_n(d['n_train'])} training digits, with their labels", 24).next_to(train, UP, buff=0.25)
    test_label = _text(f"{_n(d['n_test'])} held-out digits", 24).next_to(test, UP, buff=0.25)
    test_label.align_to(train_label, DOWN)
    return Stage(train=train, train_label=train_label, test=test, test_label=test_label)


def untrained_stage(d: dict, lit: int = 0) -> Stage:
    """Chapter 1's digit beside the network with its random starting weights (one colour scale
    with every other drawing of the network's weights), its first ``lit`` layers lit."""
    L = len(sizes_of(d)) - 1
    acts = [d["a0_window"], *[d[f"untrained_a{l}"] for l in range(1, L)], d["untrained_output"]][:lit]
    net = digit_network((d["untrained_w0_window"], *[d[f"untrained_w{l}"] for l in range(1, L)]),
                        float(d["weight_vmax"]), d["input_window"], acts)
    digit = framed_digit(d["digit"], 2.0).move_to(DIGIT_HOME)
    return Stage(digit=digit, net=net, labels=net.label_layers(layer_names(sizes_of(d))))


def imported(d) -> bool:
    """Whether the network was imported (``render.py import digits FILE``): its file carries no
    training history, so the untrained start, the path and the curves are those of a network of
    the same sizes trained here, and the captions say so."""
    return "history_imported" in d and bool(d["history_imported"])


def shape_name(d: dict) -> str:
    """The network's shape as the captions write it, "784-16-16-10" (its sizes read from the artifact)."""
    return "-".join(str(int(n)) for n in artifact_arrays("digits-story", "chapter1.npz")["sizes"])


def sizes_of(d: dict) -> tuple[int, ...]:
    """The network's layer sizes (784-16-16-10 by default), for the layout."""
    return digit_sizes()


def run_settings() -> dict:
    """How the digit network was trained (batch size, checkpoints), as its artifact records it."""
    return traced_config("digits")["train"]


def steps_per_epoch(d) -> int:
    """SGD steps in one pass over the training digits."""
    return int(d["n_train"]) // int(run_settings()["batch_size"])


def n_params() -> str:
    """The network's count of weights and biases, as the captions write it."""
    return f"{int(artifact_arrays('digits-story', 'chapter1.npz')['n_params']):,}"


def cost_table(d: dict) -> Stage:
    """The one-example cost as a table: per output its activation a, the wanted y, (a - y)^2 with
    three decimals, and their sum with two (so the shown terms add up to the shown sum)."""
    a, y = d["untrained_output"].astype(np.float64), d["target"]
    xs = [0.1, 1.25, 2.35, 4.55]
    head = VGroup(_text("output", 20, MUTED), MathTex("a", font_size=34), MathTex("y", font_size=34),
                  MathTex("(a - y)^2", font_size=34, color=COST))
    for m, x in zip(head, xs):
        m.move_to([x, 3.45, 0])
    rows = VGroup()
    for j in range(10):
        yv = 2.95 - j * 0.46
        term = (a[j] - y[j]) ** 2
        rows.add(VGroup(
            _text(str(j), 22, MUTED).move_to([xs[0], yv, 0]),
            _text(f"{a[j]:.3f}", 22).move_to([xs[1], yv, 0]),
            _text(str(int(y[j])), 22).move_to([xs[2], yv, 0]),
            MathTex(rf"({a[j]:.3f} - {int(y[j])})^2 =", computed(f"{term:.3f}", "(a - y)² of this output"), font_size=30).move_to([xs[3] + 0.45, yv, 0]),
        ))
        rows[-1][3][1].set_color(COST)
    shown_sum = float(np.round(np.round((a - y) ** 2, 3).sum(), 2))
    total = MathTex(r"C_{\text{this 3}} =", computed(f"{shown_sum:.2f}", "the sum of the ten squares as shown"), font_size=42, color=INK).move_to([2.7, -1.65, 0])
    total[1].set_color(COST)
    return Stage(head=head, rows=rows, total=total)


def cost_table_stage(d: dict) -> Stage:
    """The digit, large, beside its cost table under the untrained network."""
    digit = framed_digit(d["digit"], 3.2).move_to([-4.7, 1.0, 0])
    caption = _text("Chapter 1's 3", 20, MUTED).next_to(digit, DOWN, buff=0.15)
    return Stage(digit=digit, digit_name=caption, **cost_table(d))


def curve_stage() -> Stage:
    """Pure illustration: a made-up cost of a single weight (two valleys), not model data."""
    axes = Axes(x_range=[-3.2, 3.6, 1], y_range=[0, 5, 1], x_length=10.5, y_length=5.0, tips=False,
                axis_config={"stroke_width": 1.5, "color": MUTED}).move_to([0, 0.55, 0])
    curve = axes.plot(_one_weight_cost, x_range=[-3.0, 3.1], color=COST, stroke_width=4)
    x_label = MathTex("w", font_size=36).next_to(axes.x_axis, RIGHT, buff=0.1)
    y_label = MathTex("C(w)", font_size=36, color=COST).next_to(axes.y_axis, UP, buff=0.1)
    note = _text("illustration: a made-up cost of one weight", 18, MUTED).move_to([3.6, 3.55, 0])
    return Stage(axes=axes, curve=curve, x_label=x_label, y_label=y_label, note=note)


def _one_weight_cost(x: float) -> float:  # two valleys: a deep one on the left, a shallower one on the right
    return 0.12 * x**4 - 0.1 * x**3 - 0.9 * x**2 + 0.8 * x + 2.8


def _one_weight_slope(x: float) -> float:
    return 0.48 * x**3 - 0.3 * x**2 - 1.8 * x + 0.8


def _two_weight_cost(u: np.ndarray, v: np.ndarray) -> np.ndarray:  # illustration: a tilted bowl with a ridge
    return 0.35 + 0.18 * (u - 0.8) ** 2 + 0.45 * (v + 0.4) ** 2 + 0.25 * np.sin(1.4 * u) * np.cos(v)


def _two_weight_gradient(u: float, v: float) -> np.ndarray:
    return np.array([0.36 * (u - 0.8) + 0.35 * np.cos(1.4 * u) * np.cos(v),
                     0.9 * (v + 0.4) - 0.25 * np.sin(1.4 * u) * np.sin(v)])


def two_weight_map() -> Group:
    """Pure illustration: a made-up cost of two weights as a map (dark low, orange high)."""
    grid = np.linspace(-3, 3, 121)
    u, v = np.meshgrid(grid, grid[::-1])
    cost = _two_weight_cost(u, v)
    image = ImageMobject(cost_to_rgb(cost, cost.min(), cost.max()))
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
    image.height = 5.0
    image.move_to([-2.2, 0.65, 0])
    frame = Rectangle(width=5.0, height=5.0, stroke_color=FAINT, stroke_width=1.5).move_to(image)
    return Group(image, frame)


def _on_map(board: Group, u: float, v: float) -> np.ndarray:
    center, side = board.get_center(), board.height
    return center + np.array([u / 6 * side, v / 6 * side, 0])


GRADIENT_LO, GRADIENT_HI = 1e-4, 0.25  # the gradient's colour scale: a log scale over its decades


def _grad_image(values: np.ndarray, height: float) -> ImageMobject:
    img = ImageMobject(value_to_rgb_log(values, GRADIENT_LO, GRADIENT_HI))
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    img.height = height
    return img


def _framed(img: ImageMobject) -> Group:
    return Group(img, Rectangle(width=img.width, height=img.height, stroke_color=FAINT, stroke_width=1).move_to(img))


def map_grid(n: int, side: float, gap: float, four: float | None = None) -> tuple[int, int, float]:
    """Rows, columns and side of a grid of ``n`` 28 x 28 maps: two rows of ``side`` for up to 16
    maps (the 784-16-16-10 network), four rows for more: of side ``four``, or of half the height,
    in the same space."""
    rows = 2 if n <= 16 else 4
    return rows, -(-n // rows), side if rows == 2 else four or (2 * side - 2 * gap) / 4


def gradient_groups(d: dict) -> list[np.ndarray]:
    """The negative gradient split as the network is built: W(1), b(1), W(2), b(2), ..., W(L), b(L)."""
    sizes = sizes_of(d)
    L = len(sizes) - 1
    w_sizes = [i * o for i, o in zip(sizes[:-1], sizes[1:])]
    cut = np.cumsum([0] + w_sizes + list(sizes[1:]))
    parts = [d["gradient"][cut[k]:cut[k + 1]] for k in range(2 * L)]  # picked out, so their entries are traced
    w, b = [-p for p in parts[:L]], [-p for p in parts[L:]]
    return [g for l in range(L) for g in (w[l], b[l])]


def gradient_panel(d: dict) -> Stage:
    """All 13,002 entries of the negative gradient at the untrained network, in the network's order:
    the first layer's weights as 16 maps of 28 x 28 (one per hidden neuron, each pixel's weight
    where the pixel is), the later layers' weights as blocks (row j: the weights into neuron j),
    each layer's biases as a column beside its weights."""
    groups = gradient_groups(d)
    sizes = sizes_of(d)
    L, n1 = len(sizes) - 1, sizes[1]
    w1, b1 = groups[0], groups[1]
    rows, cols, side = map_grid(n1, 1.15, 0.1)
    maps = Group(*[_framed(_grad_image(row.reshape(28, 28), side)) for row in w1.reshape(n1, 784)])
    maps.arrange_in_grid(rows, cols, buff=0.1).move_to([0.85, 2.4, 0])
    col = lambda v, h: _framed(_grad_image(v.reshape(-1, 1), h)).stretch_to_fit_width(0.16)  # noqa: E731
    # W(L)'s block as tall as its rows are beside W(L-1)'s (1.19 for 10 rows of 16), never lower: the
    # output biases are read up close from it
    low = max(round(1.9 * sizes[L] / sizes[L - 1], 2), 1.19)
    panel = [col(b1, 1.9)]  # b(1), then W(l) and b(l) for l = 2 .. L: blocks[2l-3] is W(l), blocks[2l-2] b(l)
    for l in range(2, L + 1):
        height = low if l == L else 1.9
        panel += [_framed(_grad_image(groups[2 * l - 2].reshape(sizes[l], sizes[l - 1]), height)),
                  col(groups[2 * l - 1], height)]
    blocks = Group(*panel).arrange(RIGHT, buff=0.55 if L <= 3 else 0.4, aligned_edge=UP).move_to([0.85, -0.35, 0])
    labels = ["b(1)"]
    for l in range(2, L + 1):
        n = computed(groups[2 * l - 2].size, "entries of the gradient block")
        # with more than two blocks of weights, their names are short enough to sit apart
        labels += [f"layer {l} weights ({n})" if L <= 3 else f"layer {l} ({n})", f"b({l})"]
    names = VGroup(
        _text(f"layer 1 weights: {computed(f'{len(maps)} maps of {w1.size // len(maps)} ({w1.size:,})', 'the gradient split as the network is built')}",
              18, MUTED).next_to(maps, DOWN, buff=0.1),
        # a bias column's name a line lower than its neighbours': side by side they would run together
        *[_text(t, 17, MUTED).next_to(b, DOWN, buff=0.12 + 0.3 * t.startswith("b(")) for t, b in zip(labels, blocks)],
    )
    return Stage(maps=maps, blocks=blocks, names=names)


def gradient_stage(d: dict, full: bool) -> Stage:
    """The negative gradient's title and colour key, and (``full``) all of its entries."""
    title = MathTex(r"-\nabla C", font_size=54).move_to([-5.75, 2.45, 0])
    count = _text(f"{_n(len(d['gradient']))} numbers", 20).next_to(title, DOWN, buff=0.25)
    legend = _legend().move_to([-5.75, -0.45, 0])
    head = Stage(title=title, count=count, legend=legend)
    return Stage(**head, **gradient_panel(d)) if full else head


def _legend() -> Group:
    values = np.geomspace(GRADIENT_HI, GRADIENT_LO, 48)
    bar = Group(_framed(_grad_image(values[:, None].repeat(3, 1), 1.6)),
                _framed(_grad_image(-values[:, None].repeat(3, 1), 1.6)))
    bar.arrange(RIGHT, buff=0.5)
    for m in bar:
        m.stretch_to_fit_width(0.22)
    text = VGroup(_text("up", 16, MUTED).next_to(bar[0], UP, buff=0.08),
                  _text("down", 16, MUTED).next_to(bar[1], UP, buff=0.08),
                  _text(constant(f"{GRADIENT_HI}", "the top of the gradient's colour scale"), 15, MUTED).next_to(bar, RIGHT, buff=0.12).align_to(bar, UP),
                  _text(constant("0.005", "a tick of the gradient's colour scale"), 15, MUTED).next_to(bar, RIGHT, buff=0.12),
                  _text(constant(f"{GRADIENT_LO:g}", "the bottom of the gradient's colour scale"), 15, MUTED).next_to(bar, RIGHT, buff=0.12).align_to(bar, DOWN))
    return Group(bar, text, _text("(log scale)", 15, MUTED).next_to(bar, DOWN, buff=0.1))


def landscape_stage(d: dict) -> Stage:
    """The real cost on the plane through the untrained and the trained network, with what it is."""
    # turned: the untrained network at the top, the trained one below it, so the path runs down the page
    land = LandscapeMap(d["landscape_alphas"], d["landscape_betas"], d["landscape_cost"], height=5.7, width=6.0,
                        contours=True, turned=True)
    land.move_to([-3.75, 0.5, 0])  # room above it for the start's label
    legend = land.legend()
    share = float(d["landscape_explained"][0])
    info = VGroup(
        _text(f"a flat slice of the {n_params()}-D", 22), _text("space of weights and biases,", 22),
        _text("through the untrained and", 22), _text("the trained network", 22),
        _text("colour is the cost: dark is low;", 20, MUTED), _text("up on the page is not uphill", 20, MUTED),
        _text("grey lines: equal cost", 20, MUTED),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).move_to([4.1, 1.45, 0])
    del share
    return Stage(land=land, legend=legend, info=info)


def path_stage(d: dict) -> Stage:
    """The slice with the whole training path drawn and the ball at its end, in the valley."""
    base = landscape_stage(d)
    land = base.land
    return Stage(land=land, legend=base.legend, path=land.path(d["path"], color=ACCENT, width=3),
                 ball=_ball(land.point(*d["path"][-1])))


def progress_stage(d: dict) -> Stage:
    """The slice with the path (a little smaller), beside the run's learning curves on one time
    axis (epochs): the full cost every 200 steps on a log scale, and the held-out accuracy."""
    stage = path_stage(d)
    Group(*stage.values()).scale(0.78).move_to([-3.9, 0.75, 0])
    steps, costs, acc = d["path_steps"], d["checkpoint_cost"], d["epoch_test_accuracy"]
    epochs = len(acc) - 1
    cfg = {"stroke_width": 1.5, "color": MUTED}
    # log10(cost) + 2 on the y axis, so the x axis sits at the bottom (cost 0.01)
    top = Axes(x_range=[0, epochs, 10], y_range=[0, 3, 1], x_length=5.9, y_length=2.3, tips=False,
               axis_config=cfg).move_to([3.75, 2.1, 0])
    ticks = VGroup(*[_text(constant(t, "an axis tick"), 16, MUTED).next_to(top.c2p(0, e), LEFT, buff=0.1)
                     for t, e in (("0.01", 0), ("0.1", 1), ("1", 2), ("10", 3))])
    top_title = _text(f"cost (log scale), every {int(run_settings()['checkpoint_every'])} steps", 18, COST).next_to(top, UP, buff=0.08).align_to(top, LEFT)
    per_epoch = steps_per_epoch(d)
    points = [top.c2p(st / per_epoch, np.log10(c) + 2) for st, c in zip(steps, costs)]
    curve = VMobject(stroke_color=COST, stroke_width=3).set_points_as_corners(points)
    dot = Dot(points[-1], radius=0.07, color=ACCENT)
    bottom = Axes(x_range=[0, epochs, 10], y_range=[0, 1, 0.5], x_length=5.9, y_length=1.8, tips=False,
                  axis_config=cfg).move_to([3.75, -1.0, 0])
    acc_ticks = VGroup(*[_text(constant(t, "an axis tick"), 16, MUTED).next_to(bottom.c2p(0, v), LEFT, buff=0.1)
                         for t, v in (("0%", 0), ("50%", 0.5), ("100%", 1))])
    epoch_ticks = VGroup(*[_text(constant(e, "an epoch tick"), 16, MUTED).next_to(bottom.c2p(e, 0), DOWN, buff=0.1)
                           for e in range(0, epochs + 1, 10)])
    bottom_title = _text("held-out accuracy", 18, SCORE).next_to(bottom, UP, buff=0.08).align_to(bottom, LEFT)
    bottom_x = _text(f"epoch: one pass over the {int(d['n_train']):,} digits "
                     f"({computed(steps_per_epoch(d), 'n_train ÷ batch_size')} steps)", 16, MUTED).next_to(epoch_ticks, DOWN, buff=0.06)
    acc_line = VMobject(stroke_color=SCORE, stroke_width=3).set_points_as_corners(
        [bottom.c2p(e, a) for e, a in enumerate(acc)])
    final = _text(f"{acc[-1]:.1%}", 20, SCORE).next_to(bottom.c2p(epochs, acc[-1]), DOWN, buff=0.15)
    final.align_to(bottom, RIGHT)
    return Stage(**stage, top=top, ticks=ticks, top_title=top_title, curve=curve, dot=dot, bottom=bottom,
                 acc_ticks=acc_ticks, epoch_ticks=epoch_ticks, bottom_title=bottom_title, bottom_x=bottom_x,
                 acc_line=acc_line, final=final, points=VGroup(*[Dot(p, radius=0) for p in points]))


def montage(d: dict) -> tuple[Group, list[int]]:
    """The held-out digits of the test, with the network's answer under each (wrong ones in yellow);
    and where each row of five... begins."""
    preds, labels = d["test_predictions"], d["test_labels"]
    cells = Group()
    for i, image in zip(d["montage"], d["montage_images"]):
        ok = preds[i] == labels[i]
        digit = framed_digit(image, 0.9)
        answer = _text(str(int(preds[i])), 20, INK if ok else ACCENT).next_to(digit, DOWN, buff=0.05)
        cells.add(Group(digit, answer))
    per_row = len(cells) // 4
    cells.arrange_in_grid(4, per_row, buff=(0.2, 0.12)).move_to([0, 0.35, 0])
    return cells, list(range(0, len(cells) + 1, per_row))


def maps_stage(d: dict) -> Stage:
    """The first layer's real weight maps (16 of them in the 784-16-16-10 network), on the network's
    one weight colour scale."""
    vmax = float(d["weight_vmax"])
    rows, cols, side = map_grid(sizes_of(d)[1], 1.55, 0.45, four=0.85)
    maps = Group(*[HeatMap(row.reshape(28, 28), vmax=vmax, height=side) for row in d["first_layer_weights"]])
    maps.arrange_in_grid(rows, cols, buff=(0.16, 0.45)).move_to([0, 1.15, 0])
    word = "neuron " if rows == 2 else ""  # under a smaller map, the number alone
    numbers = VGroup(*[_text(f"{word}{constant(i, 'a neuron index')}", 15, MUTED).next_to(m, DOWN, buff=0.06) for i, m in enumerate(maps)])
    return Stage(maps=maps, numbers=numbers)


def noise_stage(d: dict) -> Stage:
    out = d["noise_output"]
    guess = int(np.argmax(out))
    noise = framed_digit(d["noise_image"], 3.8).move_to([-3.3, 0.65, 0])
    bars = ValueBars(out, [str(i) for i in range(10)], width=3.2, bar_height=0.34, font_size=24, decimals=2)
    bars.move_to([2.7, 0.65, 0])
    return Stage(noise=noise, bars=bars, box=bars.highlight(guess))


# ----------------------------------------------------------------------------- scenes


class ChapterTwoScene(ChapterScene):
    chapter = NUMBER


class TrainingAndTestData(ChapterTwoScene):
    def construct(self):
        d = data()
        card = self.title_card(TITLE, keep=True)
        grids = data_grids(d)
        n_train, n_test = int(d["n_train"]), int(d["n_test"])

        # Training data: digits with their labels
        self.play(FadeOut(card, shift=UP * 0.4, rate_func=LEAVE),
                  FadeIn(grids.train_label, rate_func=ARRIVE),
                  LaggedStart(*[FadeIn(m) for m in grids.train], lag_ratio=0.04, rate_func=ARRIVE_LAGGED), run_time=2.8)
        published = constant(f"{MNIST_TRAINING_DIGITS:,}", "the MNIST collection, as published")
        if n_train < MNIST_TRAINING_DIGITS:
            self.say(f"Learning needs examples: {n_train:,} real handwritten digits, each with its true label. "
                     f"They are part of MNIST's {published}.")
        else:
            self.say(f"Learning needs examples: all of MNIST's {n_train:,} training digits, each with its true label.")
        self.play(LaggedStart(*[m[1].animate.set_color(ACCENT) for m in grids.train], lag_ratio=0.03), run_time=1.2)
        self.play(*[m[1].animate.set_color(MUTED) for m in grids.train], run_time=0.5)

        # Test data: kept apart
        self.say(f"Another {n_test:,} are held out. The network never trains on them: they test what it learned.")
        self.play(FadeIn(grids.test_label), LaggedStart(*[FadeIn(m) for m in grids.test], lag_ratio=0.06), run_time=1.6)

        # Chapter 1's digit is one of them
        mine = int(np.flatnonzero(d["test_samples_index"] == d["digit_index"])[0])
        if imported(d):
            self.say("Chapter 1's 3 is one of the held-out digits. Our imported network came without its history.")
            self.say(f"So its start is unknown: here is instead a {shape_name(d)} network before any learning.")
        else:
            self.say("Chapter 1's 3 is one of the held-out digits. What does the network make of it before any learning?")
        self.play(grids.test[mine][1].animate.set_stroke(ACCENT, width=4), run_time=0.8)
        after = untrained_stage(d)
        self.swap([grids.test], list(grids.test))
        self.hand_off(after, keep={grids.test[mine]: after.digit}, run_time=2.0)


class UntrainedOutput(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(untrained_stage(d))
        net = stage.net
        label = int(d["digit_label"])

        # Random weights to begin with
        self.say("Before training, every weight and bias is random: here are the starting weights, faint because small.")
        self.play(LaggedStart(*[ShowPassingFlash(e.copy().set_stroke(width=3, opacity=1), time_width=0.6)
                                for e in net.edges], lag_ratio=0.4), run_time=2.2)

        # Its answer: trash
        self.say("Feed in the 3: its pixels light the inputs, and the activations flow through the random weights...")
        self.play(net.light(0, d["a0_window"]), run_time=1.0)
        L = len(sizes_of(d)) - 1
        sources = [d["a0_window"], *[d[f"untrained_a{l}"] for l in range(1, L)]]
        weights = [d["untrained_w0_window"], *[d[f"untrained_w{l}"] for l in range(1, L)]]  # into layer 1, 2, ...
        for layer, key in [(l, f"untrained_a{l}") for l in range(1, L)] + [(L, "untrained_output")]:
            # each wire's pulse as strong as what it carries through the random weights
            self.play(*net.pulses(layer, sources[layer - 1], weights[layer - 1]), run_time=0.8)
            self.play(net.light(layer, d[key]), run_time=0.7)
        wrong = int(np.argmax(d["untrained_output"]))
        ring = Circle(radius=0.17, color=ACCENT, stroke_width=3).move_to(net.layers[L][wrong])
        if wrong != label:
            self.say(f"...and out comes trash: outputs half lit all over, the brightest one a {wrong}. "
                     "It has learned nothing yet.")
        else:  # another network's random start may land on the label: by chance, not by learning
            self.say(f"...and out comes trash: outputs half lit all over. The brightest happens to be the {label}, "
                     "by chance: it has learned nothing yet.")
        self.play(Create(ring), run_time=0.8)
        self.wait(1.0)

        # What it gives against what we want: written beside the outputs, then gathered into the table
        target = cost_table_stage(d)
        head, rows, total = target.head, target.rows, target.total
        outputs = net.layers[L]
        x_a = float(Group(net, stage.labels).get_right()[0]) + 0.55  # clear of the outputs' digit labels
        beside = VGroup(*[VGroup(rows[j][1].copy().move_to([x_a, outputs[j].get_y(), 0]),
                                 rows[j][2].copy().move_to([x_a + 0.95, outputs[j].get_y(), 0])) for j in range(10)])
        beside_head = VGroup(head[1].copy(), head[2].copy())
        for m, column in zip(beside_head, (beside[0][0], beside[0][1])):
            m.move_to([column.get_x(), float(outputs.get_top()[1]) + 0.4, 0])
        self.say(f"Write down what it gives, a, and what we want, y: 1 for the {label}'s neuron, 0 for all the others.")
        self.play(FadeIn(beside_head[0]), *[TransformFromCopy(outputs[j], beside[j][0]) for j in range(10)],
                  run_time=1.6)
        self.play(FadeIn(beside_head[1]), LaggedStart(*[FadeIn(b[1], shift=LEFT * 0.2) for b in beside], lag_ratio=0.08),
                  run_time=1.2)
        self.wait(0.6)
        self.play(FadeOut(net, rate_func=LEAVE), FadeOut(stage.labels, rate_func=LEAVE), FadeOut(ring, rate_func=LEAVE),
                  ReplacementTransform(stage.digit, target.digit), FadeIn(target.digit_name, rate_func=ARRIVE),
                  FadeIn(head[0], rate_func=ARRIVE), FadeIn(VGroup(*[r[0] for r in rows]), rate_func=ARRIVE),
                  ReplacementTransform(beside_head, head[1:3]),
                  *[ReplacementTransform(b[k], rows[j][k + 1]) for j, b in enumerate(beside) for k in range(2)],
                  run_time=1.8)

        # The cost of the difference, term by term
        self.say("The cost of this one example: for each output, square the gap between what it gives and what we want.")
        self.play(FadeIn(head[3]), run_time=0.5)
        self.play(LaggedStart(*[Write(r[3]) for r in rows], lag_ratio=0.15), run_time=3.5)
        self.say(f"Add the ten squares up. The bigger the cost, the worse the answer: {total[1].tex_string} here.")
        self.play(ReplacementTransform(VGroup(*[r[3][1].copy() for r in rows]), total[1]), Write(total[0]), run_time=1.8)
        trained = _text(f"the trained network's cost on it: {float(d['trained_digit_cost']):.5f}", 20, MUTED)
        trained.next_to(total, DOWN, buff=0.2)
        self.say(f"For comparison, the trained network's cost on this 3 is only {float(d['trained_digit_cost']):.5f}.")
        self.play(FadeIn(trained), run_time=0.8)
        self.wait(1.0)
        self.hand_off(target)


class AverageCost(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(cost_table_stage(d))
        n = int(d["n_train"])
        cells = Group()
        for image, c0 in zip(d["train_samples"][:18], d["train_sample_cost_untrained"][:18]):
            digit = framed_digit(image, 1.0)
            cells.add(Group(digit, _text(f"{c0:.3f}", 19, COST).next_to(digit, DOWN, buff=0.06)))
        cells.arrange_in_grid(3, 6, buff=(0.3, 0.16)).move_to([-1.6, 1.15, 0])
        more = _text(f"... and {computed(f'{n - len(cells):,}', 'the training digits not drawn')} more", 22, MUTED).next_to(cells, RIGHT, buff=0.45)
        before, after = float(d["untrained_avg_cost"]), float(d["trained_avg_cost"])
        formula = MathTex(r"C", "=", r"\frac{1}{" + f"{n:,}".replace(",", "{,}") + r"}\sum_{x} C_x", "=",
                          f"{before:.3f}", font_size=46).move_to([0, -1.95, 0])
        formula[4].set_color(COST)

        # One digit's cost is not enough
        self.say(f"That was one digit. How bad is the network overall? Average the cost over all {n:,} training digits.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in stage.values()],
                  LaggedStart(*[FadeIn(c) for c in cells], lag_ratio=0.04, rate_func=ARRIVE_LAGGED), run_time=2.4)
        self.play(FadeIn(more), run_time=0.6)
        self.say(f"Each training digit has its own cost. Their average is the network's cost: {before:.3f} before training.")
        self.write_terms(formula, groups=[[0, 1, 2], [3, 4]], run_time=1.2)
        self.say("The untrained network answers almost the same trash for every digit, so digits with one label cost alike.")
        labels = [int(v) for v in d["train_samples_label"][:len(cells)]]
        groups = [[c[1] for c, lab in zip(cells, labels) if lab == label] for label in dict.fromkeys(labels)]
        self.play(LaggedStart(*[AnimationGroup(*[Indicate(t, color=INK, scale_factor=1.25) for t in g])
                                for g in groups if len(g) > 1], lag_ratio=0.5), run_time=3.2)  # label by label: alike
        self.wait(0.5)

        # After training
        new_costs = [_text(f"{c1:.3f}", 19, COST).move_to(c[1]) for c, c1 in zip(cells, d["train_sample_cost_trained"])]
        new_value = MathTex(f"{after:.3f}", font_size=46, color=COST).move_to(formula[4], aligned_edge=LEFT)
        self.say(f"After training the same digits cost almost nothing, and the average falls to {after:.3f}.")
        self.play(*[FadeOut(c[1], rate_func=LEAVE) for c in cells], *[FadeIn(t, rate_func=ARRIVE) for t in new_costs],
                  FadeOut(formula[4], rate_func=LEAVE), FadeIn(new_value, rate_func=ARRIVE), run_time=2.0)
        hard = Group()
        for image, cost, lab in zip(d["hardest_train_images"], d["hardest_train_cost"], d["hardest_train_label"]):
            digit = framed_digit(image, 0.85)
            hard.add(Group(digit, _text(f"a {int(lab)}, cost {cost:.2f}", 17, COST).next_to(digit, DOWN, buff=0.05)))
        hard.arrange(DOWN, buff=0.18).move_to([5.6, 1.1, 0])
        hard_title = _text("its costliest", 17, MUTED).next_to(hard, UP, buff=0.12)
        share = float(d["trained_cost_share_of_hardest"])
        worst = constant("1%", "the share of training digits counted as the hardest (models/digit_story.py)")
        self.say(f"Most of what is left comes from a few hard digits: the worst {worst} of them make {share:.0%} of the cost.")
        self.play(FadeOut(more, rate_func=LEAVE), FadeIn(hard, rate_func=ARRIVE), FadeIn(hard_title, rate_func=ARRIVE),
                  run_time=1.4)
        # the whole remaining cost as one bar: the hardest digits' part of it, and the rest
        width, left = 3.0, 3.3
        part = Rectangle(width=width * share, height=0.32, stroke_width=0, fill_color=COST, fill_opacity=1.0)
        rest = Rectangle(width=width * (1 - share), height=0.32, stroke_width=0, fill_color=MUTED, fill_opacity=0.35)
        part.move_to([left, -2.05, 0], aligned_edge=LEFT)
        rest.next_to(part, RIGHT, buff=0)
        note_drawing(part, "the hardest digits' share of the cost", d["trained_cost_share_of_hardest"])
        bar_label = _text(f"worst {worst}: {share:.0%} of the cost", 18, COST).next_to(part, UP, buff=0.14)
        bar_label.align_to(part, LEFT)
        self.play(FadeIn(rest), FadeIn(bar_label), run_time=0.6)
        self.play(GrowFromEdge(part, LEFT), run_time=1.0)
        self.wait(1.0)
        self.say(f"So the cost is one function of all {n_params()} weights and biases. Learning means making it small.")
        self.wait(1.0)
        self.hand_off(curve_stage(), run_time=1.8)


class BallRollingDownhill(ChapterTwoScene):
    """Pure illustration: made-up costs of one and of two weights, not model data."""

    def construct(self):
        stage = self.open(curve_stage())
        axes = stage.axes

        # A cost of one weight
        self.say("Picture the cost depending on a single weight w, as this made-up curve does. Where is it lowest?")
        self.wait(1.0)

        def step(ball: Dot, x: float, ghost: bool, slow: float) -> float:
            """One gradient step from x: the tangent shows the slope, the arrow the step (-rate x slope)."""
            slope = _one_weight_slope(x)
            new = x - 0.25 * slope
            p = axes.c2p(x, _one_weight_cost(x))
            half = min(0.7, 1.1 / max(abs(slope), 1e-6))
            tangent = DashedLine(axes.c2p(x - half, _one_weight_cost(x) - half * slope),
                                 axes.c2p(x + half, _one_weight_cost(x) + half * slope), color=MUTED, stroke_width=3)
            value = _text(f"slope {constant(f'{slope:+.2f}', 'a slope of the illustrative one-weight curve')}", 18, MUTED)
            # above the ball, on the side where the tangent runs down: clear of the tangent and the step arrow
            value.next_to(p, UP, buff=0.35)
            if slope >= 0:
                value.align_to(p, RIGHT).shift(LEFT * 0.25)
            else:
                value.align_to(p, LEFT).shift(RIGHT * 0.25)
            arrow = Arrow(p, axes.c2p(new, _one_weight_cost(x)), buff=0, color=ACCENT, stroke_width=6,
                          max_tip_length_to_length_ratio=0.25, max_stroke_width_to_length_ratio=20)
            self.play(Create(tangent), FadeIn(value), run_time=0.6 * slow)
            self.play(Create(arrow), run_time=0.5 * slow)
            trail = [Dot(ball.get_center(), radius=0.07, color=ACCENT).set_opacity(0.35)] if ghost else []
            self.add(*trail)

            def roll(m, alpha):  # the ball keeps to the curve as it goes the arrow's way
                w = x + (new - x) * alpha
                m.move_to(axes.c2p(w, _one_weight_cost(w)))

            self.play(UpdateFromAlphaFunc(ball, roll), FadeOut(tangent), FadeOut(value), run_time=0.6 * slow)
            self.play(FadeOut(arrow), run_time=0.2 * slow)
            return new

        # Step downhill by the slope: big steps where it is steep
        self.say("Start anywhere. Find the slope there, and step downhill by an amount in proportion to it.")
        x = 2.95
        ball = _ball(axes.c2p(x, _one_weight_cost(x)))
        self.play(FadeIn(ball, scale=2), run_time=0.6)
        x = step(ball, x, True, 1.6)
        self.say("Steep ground gives a big step; as the ground flattens the steps shrink, and the ball settles.")
        for _ in range(4):
            x = step(ball, x, True, 1.0)

        # Local minima
        self.say("Start elsewhere and you may reach another, deeper valley: where you end depends on where you start.")
        y = -0.6
        other = _ball(axes.c2p(y, _one_weight_cost(y)))
        self.play(FadeIn(other, scale=2), run_time=0.5)
        for _ in range(5):
            y = step(other, y, False, 0.7)
        local = _text("a local minimum", 22, ACCENT).next_to(ball, DOWN, buff=0.35)
        deeper = _text("a deeper one", 22, MUTED).next_to(other, DOWN, buff=0.35)
        self.say("The first ball is stuck in a local minimum: every way out of it leads uphill.")
        self.play(FadeIn(local), FadeIn(deeper), run_time=0.8)
        self.wait(1.0)

        # Two weights: the slope becomes a direction
        board = two_weight_map()
        axis_names = VGroup(MathTex("w_1", font_size=32).next_to(board, DOWN, buff=0.1),
                            MathTex("w_2", font_size=32).next_to(board, LEFT, buff=0.1))
        note = _text("illustration: a made-up cost of two weights", 18, MUTED).move_to([3.6, 3.55, 0])
        u, v = 2.2, 2.1
        ball2 = _ball(_on_map(board, u, v))
        g = _two_weight_gradient(u, v)
        up = Arrow(_on_map(board, u, v), _on_map(board, u, v) + 0.7 * np.append(g / np.linalg.norm(g), 0), buff=0,
                   color=MUTED, stroke_width=5, max_tip_length_to_length_ratio=0.25)
        down = Arrow(_on_map(board, u, v), _on_map(board, u, v) - 0.9 * np.append(g / np.linalg.norm(g), 0), buff=0,
                     color=ACCENT, stroke_width=5, max_tip_length_to_length_ratio=0.25)
        words = VGroup(
            VGroup(MathTex(r"\nabla C", font_size=40, color=MUTED), _text("uphill, the steepest way", 22))
            .arrange(RIGHT, buff=0.25),
            VGroup(MathTex(r"-\nabla C", font_size=40, color=ACCENT), _text("downhill: step this way", 22))
            .arrange(RIGHT, buff=0.25),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.4).move_to([3.75, 0.9, 0])
        self.say("With two weights the cost is a landscape (dark is low), and the slope becomes a direction.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in self.drawing()],
                  FadeIn(board, rate_func=ARRIVE), FadeIn(axis_names, rate_func=ARRIVE),
                  FadeIn(note, rate_func=ARRIVE), run_time=2.0)
        self.play(FadeIn(ball2, scale=2), run_time=0.5)
        self.say("That direction is the gradient: it points uphill, the steepest way. Minus the gradient points downhill.")
        self.play(Create(up), FadeIn(words[0]), run_time=1.0)
        self.play(Create(down), FadeIn(words[1]), run_time=1.0)
        self.wait(1.0)
        self.play(FadeOut(up), FadeOut(down), run_time=0.5)
        for _ in range(5):
            g = _two_weight_gradient(u, v)
            self.add(Dot(ball2.get_center(), radius=0.06, color=ACCENT).set_opacity(0.35))
            u, v = u - 0.9 * g[0], v - 0.9 * g[1]
            self.play(ball2.animate.move_to(_on_map(board, u, v)), run_time=0.6)
        self.wait(0.5)
        self.say(f"Our network has not two weights but {n_params()}. Its gradient is {n_params()} numbers, one for each knob.")
        self.wait(0.5)
        self.hand_off(gradient_stage(data(), full=False), run_time=1.8)


class NegativeGradient(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(gradient_stage(d, full=False))
        full = gradient_stage(d, full=True)
        maps, blocks, names = full.maps, full.blocks, full.names
        groups = gradient_groups(d)
        cost = float(d["gradient_cost"])

        # The gradient, group by group, in the network's order
        self.say(f"Here is minus the real gradient of our untrained network (cost {cost:.3f}): how to nudge each knob.")
        self.play(LaggedStart(*[FadeIn(m) for m in maps], lag_ratio=0.05), FadeIn(names[0]), run_time=2.0)
        box = SurroundingRectangle(Group(maps, names[0]), color=ACCENT, buff=0.06)
        self.say(f"The first layer's {groups[0].size:,} weights, as {len(maps)} maps: each pixel's weight sits where the pixel is.")
        self.play(Create(box), run_time=0.8)
        self.wait(1.0)
        # why they look like digits: dC/dw = sum over digits of (a number for the neuron) x (the pixel's brightness)
        self.say("Each digit asks a weight to move in step with its pixel's brightness: added up, the maps carry the "
                 "strokes of digits.")
        self.play(LaggedStart(*[Indicate(m[1], color=ACCENT, scale_factor=1.0) for m in maps], lag_ratio=0.3),
                  run_time=3.2)  # each map's frame lights in turn (an image would be painted over)
        self.say("Blue means nudge up, red nudge down, brighter means a bigger nudge (the scale spans over three decades).")
        self.play(box.animate.become(SurroundingRectangle(stage.legend, color=ACCENT, buff=0.15)), run_time=0.8)
        self.wait(1.0)
        self.say(f"Then the biases and the weights of the later layers, each as a block: {n_params()} numbers in all.")
        self.play(FadeOut(box), LaggedStart(*[FadeIn(Group(b, n)) for b, n in zip(blocks, names[1:])], lag_ratio=0.3),
                  run_time=2.0)
        self.wait(0.5)

        # Where the big nudges are
        rms = [float(np.sqrt(np.mean(g**2))) for g in groups]
        L = len(groups) // 2
        ratio = rms[2 * L - 2] / rms[0]
        box = SurroundingRectangle(Group(blocks[2 * L - 3], blocks[2 * L - 2]), color=ACCENT, buff=0.06)
        how = f"root mean square of the layer {L} nudges ÷ layer 1 nudges"
        if ratio >= 2:
            self.say(f"The nudges are biggest near the outputs: about {computed(f'{ratio:,.0f}', how)} times those of the first layer "
                     "(root mean square).")
        else:  # another network's may not be: say what it is
            self.say(f"The output layer's nudges are {computed(f'{ratio:.1f}', how)} times those of the first layer "
                     "(root mean square).")
        sizes_drawn = _rms_bars(rms[2 * L - 2], rms[0], L)
        self.play(Create(box), FadeIn(sizes_drawn), run_time=0.8)
        self.wait(1.0)

        # The largest of all 13,002
        shown = [int(i) for i in d["gradient_shown"]]
        top = int(np.argmax(np.abs(d["gradient"][shown])))
        name, value = str(d["gradient_shown_names"][top]), float(-d["gradient"][shown[top]])
        where = _entry_point(maps, blocks, name, sizes_of(d))
        words = _entry_words(name, sizes_of(d))
        biggest = _text(f"the largest: {words}, {fmt(value, 2)}", 20, ACCENT)
        biggest.move_to([min(where[0] - 0.8, 6.9 - biggest.width / 2), -2.3, 0])
        start = _clear_start(biggest, where, names, prefer=where[0] + 0.45)
        pointer = Arrow(start, where, buff=0.05, color=ACCENT, stroke_width=4, max_tip_length_to_length_ratio=0.15)
        self.say(f"The largest of all {n_params()} entries is {words}: nudge it by {fmt(value, 2)}.")
        self.play(FadeOut(box), FadeOut(sizes_drawn), GrowArrow(pointer), FadeIn(biggest), run_time=1.0)
        self.wait(1.0)
        self.play(FadeOut(pointer), FadeOut(biggest), run_time=0.6)

        # The output biases, up close
        b3 = blocks[2 * L - 2]  # b(L), the output biases
        label = int(d["digit_label"])
        values = groups[2 * L - 1]
        side = b3.height / 10
        tags = VGroup(*[_text(f"nudge to output {j}'s bias  {fmt(v, 2)}", 7, signed_color(v))
                        .next_to(b3, RIGHT, buff=0.1).set_y(b3.get_top()[1] - (j + 0.5) * side) for j, v in enumerate(values)])
        alone = _text(f"+{-float(d['bias_gradient_digit']):.2f} on Chapter 1's 3 alone", 7, signed_color(1.0))
        alone.next_to(tags[label], RIGHT, buff=0.15)
        # the training digits by label: the 3s' share of them, and the rest (which want output 3 off)
        share, n = float(d["label_share"]), int(d["n_train"])
        threes = computed(f"{round(share * n):,}", "label_share × n_train")
        others = computed(f"{n - round(share * n):,}", "n_train − label_share × n_train")
        bar = VGroup(Rectangle(width=1.1 * share, height=0.09, fill_color=ACCENT, fill_opacity=0.9, stroke_width=0),
                     Rectangle(width=1.1 * (1 - share), height=0.09, fill_color=MUTED, fill_opacity=0.5, stroke_width=0))
        bar.arrange(RIGHT, buff=0).next_to(tags[label + 4 if label < 6 else label - 4], RIGHT, buff=0.15)
        bar.align_to(alone, LEFT)
        of_all = _text(f"{label}s: {threes} of {n:,} digits", 7, ACCENT).next_to(bar, UP, buff=0.06)
        rest = _text(f"the other {others}: output {label} off", 7, MUTED).next_to(bar, DOWN, buff=0.06)
        VGroup(of_all, rest).align_to(bar, LEFT)
        note_drawing(bar, f"the {label}s' share of the training digits", d["label_share"])
        self.say("Look at the output biases. Every one of them is pushed down, even the bias of the 3.")
        away = [maps, names, stage.title, stage.count, stage.legend, *blocks[:2 * L - 2]]
        first = Group(b3, tags)  # the column and its names, then room beside them for the share
        # the camera goes to b(L) while the rest fades, and its entries are named as it arrives
        self.look_at(first, self.width_to_fit(first, 0.15), *[FadeOut(m, rate_func=LEAVE) for m in away],
                     LaggedStart(*[FadeIn(t) for t in tags], lag_ratio=0.08, rate_func=ARRIVE_LAGGED), run_time=2.6)
        self.say(f"The gradient averages over all digits, and only {share:.0%} of them are 3s: for the rest the 3's "
                 "output should be off.")
        seen = Group(b3, tags, alone, of_all, rest)
        self.look_at(seen, self.width_to_fit(seen, 0.15), GrowFromEdge(bar[0], LEFT), FadeIn(of_all), run_time=1.2)
        self.play(GrowFromEdge(bar[1], LEFT), FadeIn(rest), run_time=1.0)
        self.wait(0.5)
        self.say("On Chapter 1's 3 alone, the 3's bias would be pushed up. Averaged over every digit, it goes down.")
        self.play(tags[label].animate.set_color(ACCENT), FadeIn(alone), run_time=0.8)
        self.wait(2.5)
        self.camera_home(FadeOut(tags), FadeOut(alone), FadeOut(bar), FadeOut(of_all), FadeOut(rest),
                         *[FadeIn(m, rate_func=last_part(0.5)) for m in away], run_time=3.0)
        self.hand_off(full, keep={stage.title: full.title, stage.count: full.count, stage.legend: full.legend},
                      run_time=0.4)


def _rms_bars(last: float, first: float, layers: int) -> VGroup:
    """The typical nudge (root mean square) of the last layer's weights and the first layer's, as
    two bars on one linear scale: the colours' log scale cannot show a ratio of a hundred."""
    names = [_text(f"layer {layers}", 17, MUTED), _text("layer 1", 17, MUTED)]
    column = max(n.width for n in names) + 0.2  # where the bars start, right of the names
    rows = VGroup()
    for k, (name, value) in enumerate(zip(names, (last, first))):
        bar = Rectangle(width=max(1.3 * value / max(last, first), 0.02), height=0.16, fill_color=INK,
                        fill_opacity=0.9, stroke_width=0)
        name.move_to(np.zeros(3), aligned_edge=LEFT).shift(DOWN * 0.3 * k)
        bar.move_to(name.get_center(), aligned_edge=LEFT).set_x(column, direction=LEFT)
        rows.add(VGroup(name, bar))
    note_drawing(rows, "root mean square of the weights' nudges, last layer and first", np.array([last, first]))
    head = _text("typical nudge", 17, MUTED)
    drawn = VGroup(head, rows).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
    return drawn.move_to([6.95, 0.25, 0], aligned_edge=UP + RIGHT)  # beside the output layer's boxed blocks


def _clear_start(text: VMobject, target: np.ndarray, labels: Sequence[VMobject], prefer: float) -> np.ndarray:
    """Where on top of ``text`` an arrow to ``target`` starts: nearest ``prefer`` (an x) among the
    starts whose straight path passes clear of every label in ``labels`` (an arrow through a block's
    name reads as striking it out); ``prefer`` itself, kept within the text, if none is clear."""
    left, right, top = text.get_left()[0] + 0.1, text.get_right()[0] - 0.1, text.get_top()[1] + 0.05
    boxes = [(m.get_corner(DOWN + LEFT) - 0.08, m.get_corner(UP + RIGHT) + 0.08) for m in labels]

    def clear(x: float) -> bool:
        path = np.linspace([x, top, 0.0], target, 40)[:-4]  # (the tip's end is the target's own)
        return not any(np.any(np.all((path[:, :2] > lo[:2]) & (path[:, :2] < hi[:2]), axis=1)) for lo, hi in boxes)

    xs = sorted(np.linspace(left, right, 25), key=lambda x: abs(x - prefer))
    x = next((x for x in xs if clear(x)), min(max(prefer, left), right))
    return np.array([x, top, 0.0])


def _entry_parts(name: str) -> tuple[str, int, list[int]]:
    """A named entry of the gradient (``w(2)[3,14]``, ``b(3)[7]``): its kind (w or b), layer and indices."""
    places = [int(v) for v in name[name.index("[") + 1 : -1].split(",")]
    return name[0], int(name[2 : name.index(")")]), places


def _entry_words(name: str, sizes: tuple[int, ...]) -> str:
    """A named entry of the gradient in words, as the chapter speaks of neurons: which bias, or which
    weight from where into where (all counted from 0)."""
    kind, layer, places = _entry_parts(name)
    index = [computed(str(v), "the entry's place in its layer, from its name in the gradient") for v in places]
    into = "output" if layer == len(sizes) - 1 else f"layer {layer}'s neuron"
    if kind == "b":
        return f"the bias of {into} {index[0]}"
    source = "pixel" if layer == 1 else f"layer {layer - 1}'s neuron"
    return f"the weight into {into} {index[0]} from {source} {index[1]}"


def _entry_point(maps: Group, blocks: Group, name: str, sizes: tuple[int, ...] = ()) -> np.ndarray:
    """Where a named entry of the gradient panel (``w(2)[3,14]``, ``b(3)[7]``...) is drawn."""
    kind, layer, index = _entry_parts(name)
    sizes = tuple(sizes) or (784, 16, 16, 10)  # the network's layer sizes
    rows = sizes[layer]
    if kind == "w" and layer == 1:  # neuron j's map, at pixel k
        image = maps[index[0]][0]
        r, c = divmod(index[1], 28)
        return image.get_corner(UP + LEFT) + np.array([(c + 0.5) * image.width / 28, -(r + 0.5) * image.height / 28, 0])
    if kind == "b":
        column = blocks[2 * layer - 2]  # b(l)
        return column.get_top() + DOWN * (index[0] + 0.5) * column.height / rows
    block = blocks[2 * layer - 3]  # W(l), l >= 2
    return block.get_corner(UP + LEFT) + np.array([(index[1] + 0.5) * block.width / sizes[layer - 1],
                                                   -(index[0] + 0.5) * block.height / rows, 0])


def step_stage(d: dict) -> Stage:
    """The gradient panel stepped aside (smaller, right, its small names dropped), under a label
    that says where it was measured."""
    panel = gradient_panel(d)
    group = Group(panel.maps, panel.blocks)
    group.scale(0.66).move_to([2.85, 0.95, 0])
    label = VGroup(MathTex(r"-\nabla C", font_size=36), _text("at the untrained network (step 0)", 20, MUTED))
    label.arrange(RIGHT, buff=0.25).next_to(group, UP, buff=0.12)
    return Stage(maps=panel.maps, blocks=panel.blocks, label=label)


class OneStep(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(gradient_stage(d, full=True))
        after = step_stage(d)
        lr = float(d["lr"])
        costs = d["full_batch_costs"]

        # The update rule, term by term
        rule = MathTex(r"\theta", r"\;\leftarrow\;", r"\theta", "-", r"\eta", r"\nabla C", font_size=50)
        rule.move_to([-4.2, 3.1, 0])
        theta_note = _text(f"θ: all {n_params()} weights and biases", 18, MUTED).next_to(rule, DOWN, buff=0.3)
        eta = MathTex(rf"\eta = {tex(lr, 2)}", font_size=36).next_to(theta_note, DOWN, buff=0.3)
        eta_note = _text("the learning rate of our run", 18, MUTED).next_to(eta, DOWN, buff=0.1)
        self.say("Gradient descent turns it into a rule: move every weight and bias a little against the gradient.")
        self.play(FadeOut(stage.title), FadeOut(stage.count), FadeOut(stage.legend),
                  *[ReplacementTransform(stage[k], after[k]) for k in ("maps", "blocks")], FadeOut(stage.names),
                  FadeIn(after.label, rate_func=ARRIVE), run_time=1.6)
        self.write_terms(rule, sources={5: Group(after.maps, after.blocks)}, groups=[[0, 1, 2], [3, 4], [5]], run_time=1.0)
        self.play(FadeIn(theta_note), run_time=0.6)
        self.say(f"The size of the step, the learning rate, was {fmt(lr, 2)} in our training run.")
        self.play(Write(eta), FadeIn(eta_note), run_time=1.0)

        # Real steps, and what they do to the cost
        base_y, height, gap = -1.8, 2.6, 0.74  # the left column's lower half, under the learning rate
        bars = VGroup(*[Rectangle(width=0.5, height=max(height * c / costs[0], 0.02), stroke_width=0, fill_color=COST,
                                  fill_opacity=0.9).move_to([-6.3 + k * gap, base_y, 0], aligned_edge=DOWN)
                        for k, c in enumerate(costs)])
        values = VGroup(*[_text(f"{c:.2f}", 19, COST).next_to(b, UP, buff=0.06) for b, c in zip(bars, costs)])
        steps = VGroup(*[_text(str(k), 19, MUTED).next_to(b, DOWN, buff=0.06) for k, b in enumerate(bars)])
        axis = _text("cost after each step", 20, MUTED).next_to(steps, DOWN, buff=0.08).align_to(bars, LEFT)
        self.say(f"Take one such step from the untrained network: its cost on the training digits drops from "
                 f"{costs[0]:.2f} to {costs[1]:.2f}.")
        self.play(Create(bars[0]), FadeIn(values[0]), FadeIn(steps[0]), FadeIn(axis), run_time=0.8)
        self.play(ShowPassingFlash(SurroundingRectangle(Group(after.maps, after.blocks), color=ACCENT), time_width=0.5),
                  run_time=1.0)
        self.play(TransformFromCopy(bars[0], bars[1]), FadeIn(values[1]), FadeIn(steps[1]), run_time=1.2)
        self.say(f"Then compute the gradient again where it landed, and step again. Here are {len(costs) - 1} real steps.")
        # step 0's gradient has done its part: each later step computes its own (not drawn), so it dims
        spent = Group(after.maps, after.blocks, after.label)
        self.play(spent.animate.fade(0.7), run_time=0.6)
        for k in range(2, len(costs)):
            self.play(TransformFromCopy(bars[k - 1], bars[k]), FadeIn(values[k]), FadeIn(steps[k]), run_time=0.7)
        self.say(f"Big gains first, then small ones: by step {len(costs) - 1} it is stuck near {costs[-1]:.2f}.")
        level = base_y + height * costs[-1] / costs[0]  # the last bar's top, drawn across the steps that stall
        stuck = DashedLine([bars[2].get_left()[0] - 0.08, level, 0], [bars[-1].get_right()[0] + 0.08, level, 0],
                           color=ACCENT, stroke_width=2.5, dash_length=0.08)
        self.play(Create(stuck), run_time=0.8)
        self.wait(0.5)
        # what the stalled network answers: every output, averaged over the training digits
        mean = d["full_batch_mean_output"]
        answers = ValueBars(mean, [str(i) for i in range(10)], width=3.2, bar_height=0.3, font_size=22, decimals=2)
        answers.move_to([3.4, 0.1, 0])  # where the gradient at step 0 was: six steps on, it has done its part
        answers_title = VGroup(_text(f"its outputs after step {len(costs) - 1},", 20, MUTED),
                               _text("averaged over the training digits", 20, MUTED)).arrange(DOWN, buff=0.08)
        answers_title.next_to(answers, UP, buff=0.2)
        self.say(f"There it answers about {float(mean.mean()):.1f} on every output, whatever the digit. "
                 "Only many more steps get it out of that rut.")
        self.play(*[FadeOut(after[k], rate_func=LEAVE) for k in ("maps", "blocks", "label")],
                  FadeIn(answers_title, rate_func=ARRIVE), LaggedStart(*[FadeIn(r, shift=RIGHT * 0.1)
                                                                        for r in answers.rows], lag_ratio=0.06,
                                                                      rate_func=ARRIVE_LAGGED), run_time=1.6)
        self.wait(0.5)
        self.say(f"(Our run stepped on mini-batches of {int(run_settings()['batch_size'])} digits at a time, a cheaper "
                 "estimate: that is Chapter 3.)")
        self.wait(0.5)
        self.hand_off(landscape_stage(d), run_time=1.8)


class CostLandscape(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(landscape_stage(d))
        land = stage.land
        path, steps = d["path"], d["path_steps"]
        start = float(d["path_cost_on_plane"][0])

        # The real cost, sliced
        if imported(d):
            self.say(f"Our imported network came without its training history: this map and path are those of a "
                     f"{shape_name(d)} network trained here.")
        self.say(f"Here is our network's real cost. Each point of this map is a setting of all {n_params()} knobs; dark is low.")
        self.play(ShowPassingFlash(SurroundingRectangle(land, color=ACCENT, buff=0.02), time_width=0.5), run_time=1.2)
        self.wait(1.0)

        # Where training started
        ball = _ball(land.point(*path[0]))
        start_label = _map_label(f"untrained: {start:.3f}")
        # near the map's top edge (where the turned map puts the start), the label sits just over
        # the edge above the start and stays; elsewhere beside the ball, leaving before the path crosses it
        stays = land.get_top()[1] - ball.get_y() < 1.0
        if stays:
            start_label.next_to(land, UP, buff=0.06)
            start_label.set_x(min(max(ball.get_x(), -7.0 + start_label.width / 2), 7.0 - start_label.width / 2))
        else:
            start_label.next_to(ball, RIGHT, buff=0.15)
        self.say(f"The plane runs through the untrained network, where training started: cost {start:.3f}, "
                 "as we measured.")
        self.play(FadeIn(ball, scale=2), FadeIn(start_label), run_time=1.0)
        self.wait(1.0)

        # The path, at the pace of the real steps
        line = land.path(path, color=ACCENT, width=3)
        fractions = steps / float(steps[-1])

        def at(alpha: float) -> np.ndarray:
            k = min(max(int(np.searchsorted(fractions, alpha, side="right")) - 1, 0), len(path) - 2)
            t = (alpha - fractions[k]) / (fractions[k + 1] - fractions[k])
            return land.point(*(path[k] + (path[k + 1] - path[k]) * t))

        drawn = VMobject(stroke_color=ACCENT, stroke_width=3).set_points_as_corners([at(0), at(0)])

        def trace(mob, alpha):
            k = int(np.searchsorted(fractions, alpha, side="right"))
            mob.set_points_as_corners([land.point(*p) for p in path[: max(k, 1)]] + [at(alpha)])

        self.say(f"Now the path training really took, {int(steps[-1]):,} steps, every step given equal time. "
                 "Watch its pace.")
        if not stays:
            self.play(FadeOut(start_label), run_time=0.4)
        self.play(UpdateFromAlphaFunc(ball, lambda m, a: m.move_to(at(a))), UpdateFromAlphaFunc(drawn, trace),
                  run_time=9.0, rate_func=linear)
        self.remove(drawn)
        self.add(line, ball)
        self.say("It rushed downhill at first, then crawled: the ground got flatter, so its steps got smaller.")
        self.wait(1.5)
        end = float(d["history_trained_avg_cost"] if imported(d) else d["trained_avg_cost"])
        end_label = _map_label(f"trained: {end:.4f}").next_to(ball, RIGHT, buff=0.2)
        self.say(f"It settled in the dark, low ground where the trained network sits, at a cost of {end:.4f}.")
        self.play(FadeIn(end_label), run_time=0.8)
        self.wait(0.5)
        after = path_stage(d)
        self.hand_off(after, keep={land: after.land, stage.legend: after.legend, line: after.path, ball: after.ball})


class LearningCurve(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(path_stage(d))
        after = progress_stage(d)
        path = d["path"]
        costs, acc = d["checkpoint_cost"], d["epoch_test_accuracy"]
        points = [p.get_center() for p in after.points]
        land = after.land

        # The same run, as a curve
        self.say(f"The same run as curves against time: first the network's full cost every "
                 f"{int(run_settings()['checkpoint_every'])} steps, on a log scale.")
        self.play(*[ReplacementTransform(stage[k], after[k]) for k in stage], run_time=1.4)
        self.play(Create(after.top), FadeIn(after.ticks), FadeIn(after.top_title), run_time=1.0)
        ball = after.ball
        dot = after.dot.move_to(points[0])
        drawn = VMobject(stroke_color=COST, stroke_width=3).set_points_as_corners([points[0], points[0]])
        n = len(path)

        def along(alpha):
            x = alpha * (n - 1)
            k = min(int(x), n - 2)
            return k, x - k

        def move_ball(mob, alpha):
            k, t = along(alpha)
            mob.move_to(land.point(*(path[k] + (path[k + 1] - path[k]) * t)))

        def move_dot(mob, alpha):
            k, t = along(alpha)
            mob.move_to(points[k] + (points[k + 1] - points[k]) * t)

        def grow(mob, alpha):
            k, _ = along(alpha)
            mob.set_points_as_corners(points[: k + 1] + [dot.get_center()])

        tenth = len(costs) // 10
        self.say(f"It falls fast, then slowly: from {costs[0]:.2f} to {costs[tenth]:.2f} in the first tenth of the run, "
                 f"then on to {costs[-1]:.3f}.")
        self.play(FadeIn(dot), run_time=0.3)
        self.play(UpdateFromAlphaFunc(ball, move_ball), UpdateFromAlphaFunc(dot, move_dot), UpdateFromAlphaFunc(drawn, grow),
                  run_time=7.0, rate_func=linear)
        self.remove(drawn)
        self.add(after.curve, dot)
        self.wait(1.0)

        # Accuracy on digits it never saw
        self.say(f"And accuracy on the held-out digits, epoch by epoch: from {acc[0]:.0%}, a guess, to {acc[-1]:.1%}.")
        self.play(Create(after.bottom), FadeIn(after.bottom_title), FadeIn(after.acc_ticks), FadeIn(after.epoch_ticks),
                  FadeIn(after.bottom_x), run_time=1.0)
        self.play(Create(after.acc_line), run_time=2.0)
        self.play(FadeIn(after.final), run_time=0.6)
        self.wait(1.0)
        self.hand_off(after)


class TestingMontage(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(progress_stage(d))
        preds, labels = d["test_predictions"], d["test_labels"]
        shown = d["montage"]
        cells, rows = montage(d)

        def count(seen: int) -> Text:
            right = int((preds[shown[:seen]] == labels[shown[:seen]]).sum())
            return _text(f"right: {computed(right, 'predictions equal to labels so far')} of "
                         f"{computed(seen, 'digits shown so far')}", 26).move_to([0, 3.55, 0])

        # Held-out digits and the network's answers
        counter = count(rows[1])
        self.say("Now the test: held-out digits the network never saw, with its answer under each one.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in stage.values()],
                  FadeIn(counter, rate_func=ARRIVE),
                  LaggedStart(*[FadeIn(c) for c in cells[rows[0]:rows[1]]], lag_ratio=0.08, rate_func=ARRIVE_LAGGED),
                  run_time=2.2)
        for r in range(1, len(rows) - 1):
            self.play(LaggedStart(*[FadeIn(c) for c in cells[rows[r]:rows[r + 1]]], lag_ratio=0.08),
                      Transform(counter, count(rows[r + 1])), run_time=1.4)
            self.wait(0.3)
        total_right = int((preds == labels).sum())
        here = int((preds[shown] == labels[shown]).sum())
        everything = _text(f"these {computed(len(shown), 'digits shown')}: {computed(here, 'predictions shown equal to labels')} "
                           f"right \u00b7 all {len(preds):,} held-out digits: {total_right:,} right "
                           f"({total_right / len(preds):.1%})", 22)
        everything.move_to(counter)
        self.say(f"On all {len(preds):,} held-out digits it is right {computed(f'{total_right:,}', 'predictions equal to labels')} times. Its wrong answers are in yellow.")
        self.play(Transform(counter, everything), run_time=0.8)
        self.wait(1.0)

        # Some real mistakes
        mistakes = Group()
        for img, idx in zip(d["mistake_images"], d["mistakes"]):
            digit = framed_digit(img, 2.3)
            true = int(labels[idx])
            article = "an" if true == 8 else "a"
            text = _text(f"{article} {true}, read as {int(preds[idx])}", 22).next_to(digit, DOWN, buff=0.12)
            mistakes.add(Group(digit, text))
        mistakes.arrange_in_grid(2, 3, buff=(0.9, 0.3)).move_to([0, 0.6, 0])
        self.say("Some of its real mistakes, picked evenly from all of them. Would you have read each one right?")
        self.play(FadeOut(cells, rate_func=LEAVE), FadeOut(counter, rate_func=LEAVE),
                  LaggedStart(*[FadeIn(m) for m in mistakes], lag_ratio=0.15, rate_func=ARRIVE_LAGGED), run_time=2.2)
        self.wait(1.5)
        self.hand_off(maps_stage(d), run_time=1.8)


class WhatHiddenNeuronsSee(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(maps_stage(d))
        vmax = float(d["weight_vmax"])

        # The first layer's real weight maps
        self.say("And what did its hidden neurons learn to look for? Chapter 1 hoped for edges and loops.")
        self.wait(0.5)
        across = computed(int(round(np.sqrt(d["digit"].size))), "the image's side: the square root of its pixel count")
        self.say(f"Here are the real incoming weights of the {len(stage.maps)} first-layer neurons, each drawn as a {across} by {across} map.")
        self.play(ShowPassingFlash(SurroundingRectangle(Group(stage.maps, stage.numbers), color=ACCENT, buff=0.1),
                                   time_width=0.7), run_time=1.5)
        scale = _text(f"the same colour scale as Chapter 1: full blue or red at ±{fmt(vmax, 2)}", 18, MUTED)
        scale.next_to(stage.numbers, DOWN, buff=0.3)
        self.say("Not the neat edges and loops we hoped for: mostly blotches that happen to work together.")
        self.play(FadeIn(scale), run_time=0.8)
        self.wait(2.0)

        # A noise image, confidently classified
        after = noise_stage(d)
        out = d["noise_output"]
        guess = int(np.argmax(out))
        n_conf, n_noise = int(d["noise_confident"]), int(d["n_noise"])
        self.say("It has no notion of what a digit is. Feed it pure random noise, and it still answers.")
        self.play(*[FadeOut(m, rate_func=LEAVE) for m in (stage.maps, stage.numbers, scale)],
                  FadeIn(after.noise, rate_func=ARRIVE), run_time=1.6)
        self.play(FadeIn(after.bars, lag_ratio=0.05), run_time=1.2)
        self.say(f"Here it says {guess}, at {out[guess]:.2f}: its most confident answer to {n_noise} noise images "
                 f"({n_conf} of them got an output above {constant('0.5', 'where an output counts as confident')}).")
        self.play(Create(after.box), run_time=0.8)
        self.wait(1.0)
        self.hand_off(after)


def accuracy(d: dict) -> float:
    """The network's held-out accuracy: the training run's last epoch, or an imported network's own."""
    if imported(d):
        return float(artifact_arrays("digits-story", "chapter1.npz")["test_accuracy"])
    return float(d["epoch_test_accuracy"][-1])


class Recap(ChapterTwoScene):
    def construct(self):
        d = data()
        stage = self.open(noise_stage(d))
        n_conf, n_noise = int(d["noise_confident"]), int(d["n_noise"])
        self.recap_card(
            [
                "The cost: how wrong the outputs are, averaged over every training digit.",
                (f"Training lowered ours from {float(d['untrained_avg_cost']):.3f} to {float(d['trained_avg_cost']):.3f}."
                 if not imported(d) else
                 f"Ours (imported) costs {float(d['trained_avg_cost']):.3f}; a random start, {float(d['untrained_avg_cost']):.3f}."),
                f"Gradient descent: nudge all {n_params()} knobs against the gradient, again and again.",
                f"It reads {accuracy(d):.1%} of unseen digits right, and sometimes calls "
                f"noise a digit ({n_conf} of {n_noise}).",
            ],
            replacing=list(stage.values()),
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [TrainingAndTestData, UntrainedOutput, AverageCost, BallRollingDownhill, NegativeGradient, OneStep,
          CostLandscape, LearningCurve, TestingMontage, WhatHiddenNeuronsSee, Recap]
