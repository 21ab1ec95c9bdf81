"""Chapter 2, "Gradient descent, how neural networks learn", from the real training run.

Every digit, output, cost, gradient entry, landscape value and path point on screen comes
from the ``digits-story`` artifact (``models/digit_story.py``, ``chapter2``);
``tests/golden/chapter2.json`` pins the numbers. The one-input "ball rolling downhill"
beat is a pure illustration and says so.

Render with ``python render.py render 2``, or one scene with Manim::

    manim -ql scenes/chapter2.py CostLandscape
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    MathTex,
    MoveAlongPath,
    Rectangle,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
    Write,
    linear,
)

from scenes.palette import INK, MUTED

from scenes.base import ChapterScene, artifact_arrays
from scenes.pieces import (
    ACCENT,
    FONT,
    NEGATIVE,
    POSITIVE,
    HeatMap,
    LandscapeMap,
    NumberColumn,
    ValueBars,
    fmt,
    framed_digit,
    tex,
)

NUMBER = 2
TITLE = "Gradient descent, how neural networks learn"
ARTIFACTS = ("digits-story",)


def data() -> dict[str, np.ndarray]:
    return artifact_arrays("digits-story", "chapter2.npz")


class ChapterTwoScene(ChapterScene):
    chapter = NUMBER
    strict_fill = False  # until its one-film rewrite lands


class TrainingAndTestData(ChapterTwoScene):
    def construct(self):
        d = data()
        self.title_card(TITLE)
        n_train, n_test = int(d["n_train"]), int(d["n_test"])
        train = Group(*[framed_digit(p, 0.85) for p in d["train_samples"]]).arrange_in_grid(4, 6, buff=0.12)
        test = Group(*[framed_digit(p, 0.85) for p in d["test_samples"]]).arrange_in_grid(4, 3, buff=0.12)
        Group(train, test).arrange(RIGHT, buff=1.4).move_to(UP * 0.45)
        train_label = Text(f"{n_train:,} training digits, with labels", font=FONT, font_size=24).next_to(train, UP, buff=0.25)
        test_label = Text(f"{n_test:,} held-out test digits", font=FONT, font_size=24, color=ACCENT).next_to(test, UP, buff=0.25)

        # Training data: digits with their labels
        self.say(f"Learning needs examples: {n_train:,} real handwritten digits from MNIST, each with its true label.")
        self.play(FadeIn(train_label), LaggedStart(*[FadeIn(m) for m in train], lag_ratio=0.05), run_time=2.0)

        # Test data: kept apart
        self.say(f"Another {n_test:,} are held out. The network never trains on them: they test what it learned.")
        self.play(FadeIn(test_label), LaggedStart(*[FadeIn(m) for m in test], lag_ratio=0.05), run_time=1.5)


class UntrainedOutput(ChapterTwoScene):
    def construct(self):
        d = data()
        label = int(d["digit_label"])
        digit = framed_digit(d["digit"], 2.2).move_to(LEFT * 5.4 + UP * 1.6)
        out = ValueBars(d["untrained_output"], [str(i) for i in range(10)], width=1.6, bar_height=0.26, font_size=20)
        want = ValueBars(d["target"], [str(i) for i in range(10)], width=1.6, bar_height=0.26, font_size=20)
        VGroup(out, want).arrange(RIGHT, buff=1.2).move_to(LEFT * 0.6 + UP * 1.35)
        out_title = Text("untrained output", font=FONT, font_size=22).next_to(out, UP, buff=0.2)
        want_title = Text("what we want", font=FONT, font_size=22, color=ACCENT).next_to(want, UP, buff=0.2)

        # The untrained network's answer
        self.say(f"Before training, the weights are random. Shown this {label}, the network's output is utter trash.")
        self.play(FadeIn(digit))
        self.play(FadeIn(out_title), FadeIn(out, lag_ratio=0.05), run_time=1.2)
        self.say(f"What we want instead: 1 for the neuron of {label}, 0 for all the others.")
        self.play(FadeIn(want_title), FadeIn(want, lag_ratio=0.05), run_time=1.2)

        # The cost of one example: a sum of squares
        a, y = d["untrained_output"], d["target"]
        terms = [rf"({tex(a[j], 2)} - {int(y[j])})^2" for j in range(10)]
        line1 = MathTex("C", "=", *[t + " +" for t in terms[:5]], font_size=30)
        line2 = MathTex(*[t + (" +" if j < 4 else "") for j, t in enumerate(terms[5:])], "=",
                        tex(d["untrained_digit_cost"]), font_size=30)
        line2[-1].set_color(ACCENT)
        cost = VGroup(line1, line2).arrange(DOWN, aligned_edge=LEFT, buff=0.2).move_to(DOWN * 1.6)
        if cost.width > 13.4:
            cost.scale_to_fit_width(13.4)
        self.say("The cost of this one example: add up the squares of the differences between output and wish.")
        self.play(Write(line1), run_time=2.0)
        self.play(Write(line2), run_time=2.0)
        self.say(f"Trash gives a big cost, {fmt(d['untrained_digit_cost'])}. The trained network's cost here is only "
                 f"{fmt(d['trained_digit_cost'], 2)}.")
        self.wait(1.0)


class AverageCost(ChapterTwoScene):
    def construct(self):
        d = data()
        n = int(d["n_train"])
        before, after = float(d["untrained_avg_cost"]), float(d["trained_avg_cost"])
        formula = MathTex(r"C(w_1, \ldots, w_{13002}) = \frac{1}{" + f"{n:,}".replace(",", "{,}") + r"} \sum_{x} C_x",
                          font_size=44).move_to(UP * 2.4)
        width = 8.0
        bar_before = Rectangle(width=width, height=0.5, stroke_width=0, fill_color=NEGATIVE, fill_opacity=0.85)
        bar_after = Rectangle(width=max(width * after / before, 0.03), height=0.5, stroke_width=0, fill_color=POSITIVE,
                              fill_opacity=0.95)
        VGroup(bar_before, bar_after).arrange(DOWN, buff=0.6, aligned_edge=LEFT).move_to(DOWN * 0.1 + RIGHT * 0.6)
        names = VGroup(Text("untrained", font=FONT, font_size=24).next_to(bar_before, LEFT, buff=0.3),
                       Text("trained", font=FONT, font_size=24).next_to(bar_after, LEFT, buff=0.3))
        names[1].align_to(names[0], RIGHT)
        values = VGroup(Text(fmt(before), font=FONT, font_size=24).next_to(bar_before, RIGHT, buff=0.2),
                        Text(fmt(after), font=FONT, font_size=24, color=ACCENT).next_to(bar_after, RIGHT, buff=0.2))

        # The cost of the whole network: an average over all examples
        self.say(f"How bad is the network overall? Average the cost over all {n:,} training digits.")
        self.play(Write(formula), run_time=2.0)
        self.say("That average is one function of all 13,002 weights and biases: the thing training makes small.")
        self.wait(1.0)

        # Untrained against trained
        self.say(f"For the untrained network it is {fmt(before)}; after training, {fmt(after)}.")
        self.play(FadeIn(names[0]), Create(bar_before), FadeIn(values[0]))
        self.play(FadeIn(names[1]), Create(bar_after), FadeIn(values[1]))


class BallRollingDownhill(ChapterTwoScene):
    """Pure illustration: a made-up one-input cost curve, not model data."""

    def construct(self):
        def f(x):  # two valleys: a deep one on the left, a shallower one on the right
            return 0.12 * x**4 - 0.1 * x**3 - 0.9 * x**2 + 0.8 * x + 2.8

        def slope(x):
            return 0.48 * x**3 - 0.3 * x**2 - 1.8 * x + 0.8

        axes = Axes(x_range=[-3.2, 3.6, 1], y_range=[0, 5, 1], x_length=9.0, y_length=4.4, tips=False,
                    axis_config={"stroke_width": 1.5}).move_to(UP * 0.6)
        curve = axes.plot(f, x_range=[-3.0, 3.1], color=POSITIVE, stroke_width=4)
        x_label = MathTex("w", font_size=32).next_to(axes.x_axis, RIGHT, buff=0.1)
        y_label = MathTex("C(w)", font_size=32).next_to(axes.y_axis, UP, buff=0.1)
        note = Text("illustration: a made-up cost of one input", font=FONT, font_size=18, color=MUTED)
        note.to_corner(UP + RIGHT, buff=0.3)

        # A cost of one input
        self.say("Picture a cost that depends on a single input w. Where is it lowest?")
        self.play(Create(axes), FadeIn(x_label), FadeIn(y_label), FadeIn(note))
        self.play(Create(curve), run_time=1.5)

        def roll(x: float, color, run_time: float) -> Dot:
            """A ball that takes eight gradient steps downhill from x."""
            ball = Dot(axes.c2p(x, f(x)), radius=0.12, color=color)
            self.play(FadeIn(ball))
            for _ in range(8):
                x = x - 0.25 * slope(x)
                self.play(ball.animate.move_to(axes.c2p(x, f(x))), run_time=run_time)
            return ball

        # Step downhill by the slope
        self.say("Start anywhere. Find the slope, and step downhill: a big step where it is steep, a small one where flat.")
        ball = roll(0.9, ACCENT, 0.6)

        # Local minima
        self.say("Start elsewhere and you may reach another, deeper valley. Where you end depends on where you start.")
        roll(-0.5, INK, 0.5)
        local = Text("local minimum", font=FONT, font_size=22, color=ACCENT).next_to(ball, DOWN, buff=0.35)
        self.say("The first ball is stuck in a local minimum: downhill from there leads nowhere lower.")
        self.play(FadeIn(local))


class CostLandscape(ChapterTwoScene):
    def construct(self):
        d = data()
        land = LandscapeMap(d["landscape_alphas"], d["landscape_betas"], d["landscape_cost"], height=5.0, width=6.6)
        land.move_to(LEFT * 3.4 + UP * 0.6)
        legend = land.legend()
        path = land.path(d["path"])
        start, end = d["path"][0], d["path"][-1]
        ball = Dot(land.point(*start), radius=0.1, color=ACCENT)
        explained = d["landscape_explained"]
        info = VGroup(
            Text("a 2-D slice of a", font=FONT, font_size=22),
            Text("13,002-dimensional space", font=FONT, font_size=22),
            Text("through the trained network,", font=FONT, font_size=22),
            Text("along the two directions the", font=FONT, font_size=22),
            Text("training path moved most", font=FONT, font_size=22),
            Text(f"({explained[0]:.0%} and {explained[1]:.0%} of its motion)", font=FONT, font_size=20, color=MUTED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).move_to(RIGHT * 4.2 + UP * 0.6)
        steps = d["path_steps"]

        # The real cost landscape, sliced
        self.say("Our network's real cost: each point of this map is a setting of all 13,002 parameters. Dark is low.")
        self.play(FadeIn(land), FadeIn(legend), run_time=1.5)
        self.play(FadeIn(info, lag_ratio=0.1), run_time=1.5)

        # The real training path, projected onto the slice
        self.say(f"Here is the path training really took over {int(steps[-1]):,} steps, projected onto this slice.")
        start_label = Text(f"start: cost {fmt(d['path_cost_on_plane'][0])} on this slice", font=FONT, font_size=20,
                           color=ACCENT).next_to(land, DOWN, buff=0.12).align_to(land, LEFT)
        self.play(FadeIn(ball), FadeIn(start_label))
        self.play(Create(path), MoveAlongPath(ball, path.copy()), run_time=5.0, rate_func=linear)

        # It ends in a valley
        end_dot = Dot(land.point(*end), radius=0.12, color=INK)
        cost_end = float(d["landscape_cost"][np.argmin(np.abs(d["landscape_betas"])), np.argmin(np.abs(d["landscape_alphas"]))])
        label = Text(f"trained: cost {fmt(cost_end)}", font=FONT, font_size=20, color=ACCENT)
        label.next_to(end_dot, DOWN, buff=0.2).align_to(end_dot, RIGHT)
        self.say("It runs downhill and settles in the dark valley where the trained network sits.")
        self.play(FadeIn(end_dot), FadeIn(label))


class NegativeGradient(ChapterTwoScene):
    def construct(self):
        d = data()
        grad = d["gradient"]
        shown = [int(i) for i in d["gradient_shown"]]
        names = [str(n) for n in d["gradient_shown_names"]]
        neg = -grad
        column = NumberColumn([float(neg[i]) for i in shown], shown, len(grad),
                              names=[f"#{i:,}  {name}" for i, name in zip(shown, names)], font_size=20)
        column.move_to(RIGHT * 2.6 + UP * 0.6)
        formula = MathTex(r"-\nabla C", "=", font_size=48).move_to(LEFT * 4.6 + UP * 1.6)
        note = VGroup(
            Text(f"{len(grad):,} numbers:", font=FONT, font_size=22),
            Text(f"the {len(shown)} largest are shown,", font=FONT, font_size=22),
            Text("with their place in the vector", font=FONT, font_size=22),
            Text("and the weight or bias they nudge", font=FONT, font_size=22),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(formula, DOWN, buff=0.5).align_to(formula, LEFT)
        cost = float(d["gradient_cost"])

        # The gradient is a direction in 13,002 dimensions
        self.say("With 13,002 inputs, the slope becomes the gradient: the direction in which the cost climbs fastest.")
        self.play(Write(formula))
        self.say(f"Its negative says how to nudge every weight and bias to lower the cost, here at {fmt(cost)} before training.")
        self.play(FadeIn(column, lag_ratio=0.05), FadeIn(note), run_time=2.0)

        # The biggest nudges, and where they are
        top3 = np.argsort(-np.abs(neg[shown]), kind="stable")[:3]
        boxes = VGroup(*[SurroundingRectangle(column.entries[k], color=ACCENT, buff=0.04) for k in top3])
        layers = sorted({name.split("(")[1][0] for name in names})
        where = f"layer {layers[0]}" if len(layers) == 1 else "layers " + " and ".join(layers)
        self.say(f"All of these biggest nudges are in {where}: changing those parameters lowers the cost fastest.")
        self.play(Create(boxes), run_time=1.0)


class LearningCurve(ChapterTwoScene):
    def construct(self):
        d = data()
        cost, acc = d["epoch_train_cost"], d["epoch_test_accuracy"]
        epochs = len(cost) - 1
        cfg = {"stroke_width": 1.5, "include_numbers": True, "font_size": 20}
        left = Axes(x_range=[0, epochs, 10], y_range=[0, float(np.ceil(cost.max())), 1], x_length=5.4, y_length=3.6,
                    tips=False, axis_config=cfg)
        right = Axes(x_range=[0, epochs, 10], y_range=[0, 1, 0.25], x_length=5.4, y_length=3.6, tips=False, axis_config=cfg)
        VGroup(left, right).arrange(RIGHT, buff=1.3).move_to(UP * 0.3)
        cost_line = left.plot_line_graph(list(range(len(cost))), list(cost), line_color=NEGATIVE, add_vertex_dots=False,
                                         stroke_width=3)
        acc_line = right.plot_line_graph(list(range(len(acc))), list(acc), line_color=POSITIVE, add_vertex_dots=False,
                                         stroke_width=3)
        titles = VGroup(Text("average training cost", font=FONT, font_size=22).next_to(left, UP, buff=0.2),
                        Text("held-out accuracy", font=FONT, font_size=22).next_to(right, UP, buff=0.2))
        xl = VGroup(Text("epoch", font=FONT, font_size=18).next_to(left.x_axis, DOWN, buff=0.4),
                    Text("epoch", font=FONT, font_size=18).next_to(right.x_axis, DOWN, buff=0.4))
        final = Text(f"{acc[-1]:.1%}", font=FONT, font_size=22, color=ACCENT).next_to(right.c2p(epochs, acc[-1]), UP, buff=0.15)

        # The cost falls epoch by epoch
        self.say(f"One epoch is one pass over all training digits. Over {epochs} epochs the real cost falls fast, then slowly.")
        self.play(Create(left), FadeIn(titles[0]), FadeIn(xl[0]))
        self.play(Create(cost_line), run_time=2.0)

        # Accuracy on digits it never saw
        self.say(f"Meanwhile, accuracy on the held-out digits climbs from {acc[0]:.0%} (guessing) to {acc[-1]:.1%}.")
        self.play(Create(right), FadeIn(titles[1]), FadeIn(xl[1]))
        self.play(Create(acc_line), run_time=2.0)
        self.play(FadeIn(final))


class TestingMontage(ChapterTwoScene):
    def construct(self):
        d = data()
        preds, labels = d["test_predictions"], d["test_labels"]
        shown = d["montage"]
        n = len(shown)
        cells = Group()
        for i, image in zip(shown, d["montage_images"]):
            ok = preds[i] == labels[i]
            digit = framed_digit(image, 0.8)
            answer = Text(str(int(preds[i])), font=FONT, font_size=20, color=INK if ok else ACCENT)
            answer.next_to(digit, DOWN, buff=0.06)
            cells.add(Group(digit, answer))
        cells.arrange_in_grid(4, n // 4, buff=(0.18, 0.1)).move_to(UP * 0.45)
        per_row = n // 4
        counter = Text("correct: 0 of 0", font=FONT, font_size=24).move_to(UP * 3.45)

        # Held-out digits and the network's answers
        self.say("Now the test: held-out digits the network has never seen, each with the network's answer below.")
        self.play(FadeIn(counter))
        for row in range(4):
            group = cells[row * per_row:(row + 1) * per_row]
            seen = (row + 1) * per_row
            right = int((preds[shown[:seen]] == labels[shown[:seen]]).sum())
            new = Text(f"correct: {right} of {seen}", font=FONT, font_size=24).move_to(counter)
            self.play(LaggedStart(*[FadeIn(c) for c in group], lag_ratio=0.08), Transform(counter, new), run_time=1.4)
            self.wait(0.4)
        total_right = int((preds == labels).sum())
        self.say(f"On all {len(preds):,} held-out digits it is right {total_right:,} times. Its wrong answers are in yellow.")
        self.wait(1.0)
        self.finish_reading()
        self.play(FadeOut(cells), FadeOut(counter))

        # Some real mistakes
        mistakes = Group()
        for img, idx in zip(d["mistake_images"], d["mistakes"]):
            digit = framed_digit(img, 1.6)
            text = Text(f"a {int(labels[idx])}, read as {int(preds[idx])}", font=FONT, font_size=20)
            text.next_to(digit, DOWN, buff=0.12)
            mistakes.add(Group(digit, text))
        mistakes.arrange(RIGHT, buff=0.35).move_to(UP * 0.6)
        if mistakes.width > 13.5:
            mistakes.scale_to_fit_width(13.5)
        self.say("Some of its real mistakes. A few are hard even for us; others show what it has not learned.")
        self.play(LaggedStart(*[FadeIn(m) for m in mistakes], lag_ratio=0.15), run_time=2.0)


class WhatHiddenNeuronsSee(ChapterTwoScene):
    def construct(self):
        d = data()
        w = d["first_layer_weights"]
        vmax = float(np.percentile(np.abs(w), 99))  # a few outliers would leave the rest too dark to see
        maps = Group(*[HeatMap(row.reshape(28, 28), vmax=vmax, height=1.45) for row in w]).arrange_in_grid(2, 8, buff=0.15)
        maps.move_to(UP * 1.6)
        numbers = VGroup(*[Text(str(i), font=FONT, font_size=16, color=MUTED).next_to(m, DOWN, buff=0.05)
                           for i, m in enumerate(maps)])

        # The first layer's real weight maps
        self.say("What do the 16 hidden neurons of the first layer look for? Here are their real incoming weights.")
        self.play(LaggedStart(*[FadeIn(m) for m in maps], lag_ratio=0.06), FadeIn(numbers), run_time=2.5)
        self.say("Not the neat edges and loops one might hope for: mostly blotches that happen to work.")
        scale = Text(f"colour saturates at ±{fmt(vmax, 2)} (99% of weights are smaller)", font=FONT, font_size=18,
                     color=MUTED).next_to(numbers, DOWN, buff=0.25)
        self.play(FadeIn(scale))
        self.wait(1.0)
        self.finish_reading()
        self.play(FadeOut(maps), FadeOut(numbers), FadeOut(scale))

        # A noise image, confidently classified
        out = d["noise_output"]
        guess = int(np.argmax(out))
        noise = framed_digit(d["noise_image"], 3.0).move_to(LEFT * 3.2 + UP * 0.6)
        bars = ValueBars(out, [str(i) for i in range(10)], width=2.4, bar_height=0.28, font_size=20)
        bars.move_to(RIGHT * 2.4 + UP * 0.6)
        box = bars.highlight(guess)
        n_conf, n_noise = int(d["noise_confident"]), int(d["n_noise"])
        self.say("Feed it pure random noise, and it still answers. It has no way to say: this is not a digit.")
        self.play(FadeIn(noise))
        self.play(FadeIn(bars, lag_ratio=0.05), run_time=1.2)
        self.say(f"Here it says {guess}, with activation {out[guess]:.2f}: the most confident answer it gave "
                 f"to {n_noise} noise images ({n_conf} of them got one above 0.5).")
        self.play(Create(box))


class Recap(ChapterTwoScene):
    def construct(self):
        d = data()
        self.recap_card(
            [
                "The cost: how wrong the outputs are, averaged over every training digit.",
                f"Training lowered ours from {fmt(d['untrained_avg_cost'])} to {fmt(d['trained_avg_cost'])}.",
                "Gradient descent: nudge all 13,002 parameters down the negative gradient.",
                f"It reads {float(d['epoch_test_accuracy'][-1]):.1%} of unseen digits right, yet calls noise a digit.",
            ]
        )


# The chapter's scenes, in story order (the command line reads this list).
SCENES = [TrainingAndTestData, UntrainedOutput, AverageCost, BallRollingDownhill, CostLandscape, NegativeGradient,
          LearningCurve, TestingMontage, WhatHiddenNeuronsSee, Recap]
