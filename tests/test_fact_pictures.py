"""Chapter 8's drawing pieces, drawn from the real ``lm-facts`` and ``superposition`` artifacts,
against stored frames; each picture test proves it sees a small change of its own piece; and the
geometry the pieces promise (entries, bars and points where the data puts them)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, UP

from scenes.lm_pieces import (
    AngleHistogram,
    DownProjection,
    GeluPlot,
    GrowthPlot,
    NeuronBars,
    SignedBars,
    UpProjection,
    VectorStrip,
)
from scenes.chapter8 import sport_order
from scenes.pieces import ACCENT, NEGATIVE, POSITIVE
from tests.pictures import (
    assert_picture,
    compare,
    draw,
    picture,
    piece_checks,
    stored,
)


def _neuron_bars(facts, column: int = 0) -> NeuronBars:
    """The chart as the chapter draws it: athletes grouped by sport, the prompt's athlete first."""
    order = sport_order(facts)
    acts = facts["athlete_activations"][order]
    return NeuronBars(acts[:, column], [str(facts["athletes"][i]) for i in order],
                      groups=[str(facts["sports"][i]) for i in order], highlight=0, vmax=float(np.abs(acts).max()),
                      max_height=2.0)


# ----------------------------------------------------------------------------- what each picture draws
# A builder takes fixtures by name and returns the mobjects of one picture (the piece first).


def up_projection(facts):
    n = int(facts["top_neurons"][0])
    up = UpProjection(facts["mlp_in"], facts["up_weight"], facts["up_bias"], facts["mlp_pre"], facts["mlp_post"])
    up.move_to(UP * 0.5)
    return [up, up.highlight(n, label=str(n))]


def down_projection(facts):
    n = int(facts["top_neurons"][0])
    down = DownProjection(facts["mlp_post"], facts["down_weight"], facts["down_bias"], facts["mlp_out"],
                          facts["resid_in"], facts["resid_out"])
    return [down, down.highlight(n, label=str(n))]


def gelu_plot(facts):
    n = int(facts["top_neurons"][0])
    return [GeluPlot(facts["mlp_pre"], facts["mlp_post"], highlight=[n], y_range=(-0.5, 2.0)).shift(LEFT)]


def neuron_bars(facts):
    bars = _neuron_bars(facts)
    return [bars, bars.value_label(0)]


def signed_bars(facts):
    return [SignedBars(facts["logit_parts"], [str(n) for n in facts["logit_part_names"]])]


def _histogram(sup, counts="angles_before", **kwargs) -> AngleHistogram:
    ymax = float(max(sup["angles_before"].max(), sup["angles_after"].max()))
    return AngleHistogram(sup[counts], sup["angle_edges"], ymax=ymax, **kwargs)


def angle_histogram(sup):
    return [_histogram(sup, width=6.0, height=3.0)]


def growth_plot(sup):
    return [GrowthPlot(sup["dimensions"], sup["counts"])]


# ----------------------------------------------------------------------------- the picture tests


def test_up_projection(request, facts, update_goldens):
    up, marks = picture(request, up_projection)
    n = int(facts["top_neurons"][0])
    # every 256-strip is as tall as W_up, and the marks sit on the neuron's row
    for strip in (up.b, up.pre, up.post):
        assert strip.frame.height == pytest.approx(up.w_up.heat.height)
    assert marks[0].get_y() == pytest.approx(up.pre.entry(n)[1], abs=1e-6)
    assert_picture("up_projection", draw(up, marks), update_goldens)


def test_down_projection(request, facts, update_goldens):
    down, marks = picture(request, down_projection)
    n = int(facts["top_neurons"][0])
    band = marks[0]
    # the band frames column n of W_down: its centre is n + 1/2 columns from the block's left edge
    step = down.w_down.heat.width / down.w_down.cols
    assert band.get_x() == pytest.approx(down.w_down.heat.get_left()[0] + (n + 0.5) * step, abs=1e-6)
    assert_picture("down_projection", draw(down, marks), update_goldens)


def test_gelu_plot(request, facts, update_goldens):
    plot, = picture(request, gelu_plot)
    # the highlighted dot sits at the neuron's real (before, after) pair, after the plot moved
    np.testing.assert_allclose(plot.highlighted[0].get_center(),
                               plot.point(float(facts["mlp_pre"][int(facts["top_neurons"][0])]),
                                          float(facts["mlp_post"][int(facts["top_neurons"][0])])), atol=1e-6)
    assert len(plot.dots) + len(plot.highlighted) == len(facts["mlp_pre"])
    assert_picture("gelu_plot", draw(plot), update_goldens)


def test_neuron_bars(request, facts, update_goldens):
    bars, label = picture(request, neuron_bars)
    order = sport_order(facts)
    assert order[0] == 0  # the prompt's athlete leads the artifact's list
    acts = facts["athlete_activations"][order, 0]
    for bar, v in zip(bars.bars[1:], acts[1:]):
        assert bar.height == pytest.approx(max(abs(v) / bars.vmax * 2.0, 0.01), rel=1e-6)
        assert (bar.get_y() > bars.zero.get_y()) == (v > 0)
        assert bar.get_fill_color().to_hex() == (POSITIVE if v >= 0 else NEGATIVE).to_hex()
    assert bars.bars[0].get_fill_color().to_hex() == ACCENT.to_hex()  # this athlete, in yellow
    assert len(bars.groups) == len(set(str(s) for s in facts["sports"]))  # one bracket per sport
    assert_picture("neuron_bars", draw(bars, label), update_goldens)


def test_signed_bars(request, facts, update_goldens):
    bars, = picture(request, signed_bars)
    clear = min(min(bar.get_left()[0], value.get_left()[0]) for _, bar, value in bars.rows)
    for (name, bar, _), v in zip(bars.rows, facts["logit_parts"]):
        assert bar.width == pytest.approx(max(abs(v) * bars.unit, 0.02))
        assert (bar.get_x() > bars.zero.get_x()) == (v > 0)
        # names share one right edge, left of every bar and value
        assert name.get_right()[0] == pytest.approx(bars.rows[0][0].get_right()[0]) and name.get_right()[0] < clear
    assert_picture("signed_bars", draw(bars), update_goldens)


def test_angle_histogram(request, sup, update_goldens):
    hist, = picture(request, angle_histogram)
    after = hist.reshaped(sup["angles_after"])
    # one bar per degree in the window, and the tallest bar of the shared scale reaches ymax
    assert len(hist.bars) == len(after) == 70
    top = max(b.get_top()[1] for b in after)
    assert top == pytest.approx(hist.point(90, hist.ymax)[1], abs=1e-6)
    assert_picture("angle_histogram", draw(hist), update_goldens)


def test_growth_plot(request, sup, update_goldens):
    plot, = picture(request, growth_plot)
    for dot, d, c in zip(plot.dots, sup["dimensions"], sup["counts"]):
        np.testing.assert_allclose(dot.get_center(), plot.point(int(d), int(c)), atol=1e-6)
    assert_picture("growth_plot", draw(plot), update_goldens)


def test_vector_strip_entries(facts):
    strip = VectorStrip(facts["mlp_out"], height=3.2, name="x", note="64").shift(LEFT)
    step = 3.2 / len(facts["mlp_out"])
    assert strip.entry(0)[1] == pytest.approx(strip.frame.get_top()[1] - step / 2)
    assert strip.entry(63)[1] == pytest.approx(strip.frame.get_bottom()[1] + step / 2)
    assert strip.title is not None and strip.title.get_bottom()[1] > strip.frame.get_top()[1]


# ----------------------------------------------------------------------------- each picture sees a small change
# (name, builder, what changes, the change's maker): one element of the piece recoloured or
# removed. Each must make the comparison with the stored reference fail.


def _flip(mob, value: float) -> None:
    mob.set_fill(NEGATIVE if value >= 0 else POSITIVE)


def _neuron_bar_flipped(facts):
    def mutate(m):
        bars = m[0]
        i = 1 + int(np.argmax(np.abs(bars.values[1:])))  # the tallest bar after the highlighted one
        _flip(bars.bars[i], bars.values[i])
    return mutate


def _signed_bar_flipped(facts):
    def mutate(m):
        bars = m[0]
        i = int(np.argmax(np.abs(bars.values)))
        _flip(bars.rows[i][1], bars.values[i])
    return mutate


def _histogram_bar_recoloured(sup):
    def mutate(m):
        hist = m[0]
        tallest = max(hist.bars, key=lambda b: b.height)
        tallest.set_fill(NEGATIVE)
    return mutate


CHANGES = [
    ("up_projection", up_projection, "the neuron's marks recoloured", lambda facts: lambda m: m[1].set_color(NEGATIVE)),
    ("up_projection", up_projection, "the GELU arrow removed", lambda facts: lambda m: m[0].gelu.remove(m[0].gelu[0])),
    ("down_projection", down_projection, "the column band recoloured", lambda facts: lambda m: m[1][0].set_stroke(NEGATIVE)),
    ("down_projection", down_projection, "the neuron's marker removed", lambda facts: lambda m: m[1].remove(m[1][1])),
    ("gelu_plot", gelu_plot, "the highlighted dot recoloured",
     lambda facts: lambda m: m[0].highlighted[0].set_color(NEGATIVE)),
    ("gelu_plot", gelu_plot, "the curve recoloured", lambda facts: lambda m: m[0].curve.set_stroke(ACCENT)),
    ("neuron_bars", neuron_bars, "one bar in the other sign's colour", _neuron_bar_flipped),
    ("neuron_bars", neuron_bars, "the value label removed", lambda facts: lambda m: m.pop(1)),
    ("signed_bars", signed_bars, "one bar in the other sign's colour", _signed_bar_flipped),
    ("signed_bars", signed_bars, "one name recoloured", lambda facts: lambda m: m[0].rows[0][0].set_color(ACCENT)),
    ("angle_histogram", angle_histogram, "the tallest bar recoloured", _histogram_bar_recoloured),
    ("angle_histogram", angle_histogram, "one band line removed", lambda sup: lambda m: m[0].band.remove(m[0].band[0])),
    ("growth_plot", growth_plot, "one dot recoloured", lambda sup: lambda m: m[0].dots[-1].set_color(NEGATIVE)),
    ("growth_plot", growth_plot, "the dashed reference line recoloured",
     lambda sup: lambda m: m[0].reference.set_color(ACCENT)),
]


test_picture_sees_a_small_change, test_picture_tolerates_antialiasing, test_every_piece_here_has_its_change = \
    piece_checks(CHANGES, [neuron_bars, signed_bars, growth_plot], globals())


def test_comparison_catches_a_changed_drawing(facts, sup):
    """Another neuron's bars, or the optimised angles instead of the random ones, are not the stored pictures."""
    bars = _neuron_bars(facts, 2)
    assert not compare(draw(bars, bars.value_label(0)), stored("neuron_bars")).same
    assert not compare(draw(_histogram(sup, "angles_after", width=6.0, height=3.0)), stored("angle_histogram")).same
