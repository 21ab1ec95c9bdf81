"""Chapter 8's drawing pieces, drawn from the real ``lm-facts`` and ``superposition`` artifacts,
against stored frames; and the geometry they promise (entries, bars and points where the data
puts them)."""

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
from tests.pictures import MEAN_TOLERANCE, PIXEL_TOLERANCE, assert_picture, difference, draw


def _neuron_bars(facts, column: int = 0) -> NeuronBars:
    """The chart as the chapter draws it: athletes grouped by sport, the prompt's athlete first."""
    order = sport_order(facts)
    acts = facts["athlete_activations"][order]
    return NeuronBars(acts[:, column], [str(facts["athletes"][i]) for i in order],
                      groups=[str(facts["sports"][i]) for i in order], highlight=0, vmax=float(np.abs(acts).max()),
                      max_height=2.0)


def test_up_projection(facts, update_goldens):
    n = int(facts["top_neurons"][0])
    up = UpProjection(facts["mlp_in"], facts["up_weight"], facts["up_bias"], facts["mlp_pre"], facts["mlp_post"])
    up.move_to(UP * 0.5)
    # every 256-strip is as tall as W_up, and the marks sit on the neuron's row
    for strip in (up.b, up.pre, up.post):
        assert strip.frame.height == pytest.approx(up.w_up.heat.height)
    marks = up.highlight(n, label=str(n))
    assert marks[0].get_y() == pytest.approx(up.pre.entry(n)[1], abs=1e-6)
    assert_picture("up_projection", draw(up, marks), update_goldens)


def test_down_projection(facts, update_goldens):
    n = int(facts["top_neurons"][0])
    down = DownProjection(facts["mlp_post"], facts["down_weight"], facts["down_bias"], facts["mlp_out"],
                          facts["resid_in"], facts["resid_out"])
    band = down.highlight(n)[0]
    # the band frames column n of W_down: its centre is n + 1/2 columns from the block's left edge
    step = down.w_down.heat.width / down.w_down.cols
    assert band.get_x() == pytest.approx(down.w_down.heat.get_left()[0] + (n + 0.5) * step, abs=1e-6)
    assert_picture("down_projection", draw(down, down.highlight(n, label=str(n))), update_goldens)


def test_gelu_plot(facts, update_goldens):
    n = int(facts["top_neurons"][0])
    plot = GeluPlot(facts["mlp_pre"], facts["mlp_post"], highlight=[n], y_range=(-0.5, 2.0)).shift(LEFT)
    # the highlighted dot sits at the neuron's real (before, after) pair, after the plot moved
    np.testing.assert_allclose(plot.highlighted[0].get_center(),
                               plot.point(float(facts["mlp_pre"][n]), float(facts["mlp_post"][n])), atol=1e-6)
    assert len(plot.dots) + len(plot.highlighted) == len(facts["mlp_pre"])
    assert_picture("gelu_plot", draw(plot), update_goldens)


def test_neuron_bars(facts, update_goldens):
    bars = _neuron_bars(facts)
    order = sport_order(facts)
    assert order[0] == 0  # the prompt's athlete leads the artifact's list
    acts = facts["athlete_activations"][order, 0]
    for bar, v in zip(bars.bars[1:], acts[1:]):
        assert bar.height == pytest.approx(max(abs(v) / bars.vmax * 2.0, 0.01), rel=1e-6)
        assert (bar.get_y() > bars.zero.get_y()) == (v > 0)
        assert bar.get_fill_color().to_hex() == (POSITIVE if v >= 0 else NEGATIVE).to_hex()
    assert bars.bars[0].get_fill_color().to_hex() == ACCENT.to_hex()  # this athlete, in yellow
    assert len(bars.groups) == len(set(str(s) for s in facts["sports"]))  # one bracket per sport
    assert_picture("neuron_bars", draw(bars, bars.value_label(0)), update_goldens)


def test_signed_bars(facts, update_goldens):
    bars = SignedBars(facts["logit_parts"], [str(n) for n in facts["logit_part_names"]])
    clear = min(min(bar.get_left()[0], value.get_left()[0]) for _, bar, value in bars.rows)
    for (name, bar, _), v in zip(bars.rows, facts["logit_parts"]):
        assert bar.width == pytest.approx(max(abs(v) * bars.unit, 0.02))
        assert (bar.get_x() > bars.zero.get_x()) == (v > 0)
        # names share one right edge, left of every bar and value
        assert name.get_right()[0] == pytest.approx(bars.rows[0][0].get_right()[0]) and name.get_right()[0] < clear
    assert_picture("signed_bars", draw(bars), update_goldens)


def test_angle_histogram(sup, update_goldens):
    ymax = float(max(sup["angles_before"].max(), sup["angles_after"].max()))
    hist = AngleHistogram(sup["angles_before"], sup["angle_edges"], ymax=ymax, width=6.0, height=3.0)
    after = hist.reshaped(sup["angles_after"])
    # one bar per degree in the window, and the tallest bar of the shared scale reaches ymax
    assert len(hist.bars) == len(after) == 70
    top = max(b.get_top()[1] for b in after)
    assert top == pytest.approx(hist.point(90, ymax)[1], abs=1e-6)
    assert_picture("angle_histogram", draw(hist), update_goldens)


def test_growth_plot(sup, update_goldens):
    plot = GrowthPlot(sup["dimensions"], sup["counts"])
    for dot, d, c in zip(plot.dots, sup["dimensions"], sup["counts"]):
        np.testing.assert_allclose(dot.get_center(), plot.point(int(d), int(c)), atol=1e-6)
    assert_picture("growth_plot", draw(plot), update_goldens)


def test_vector_strip_entries(facts):
    strip = VectorStrip(facts["mlp_out"], height=3.2, name="x", note="64").shift(LEFT)
    step = 3.2 / len(facts["mlp_out"])
    assert strip.entry(0)[1] == pytest.approx(strip.frame.get_top()[1] - step / 2)
    assert strip.entry(63)[1] == pytest.approx(strip.frame.get_bottom()[1] + step / 2)
    assert strip.title is not None and strip.title.get_bottom()[1] > strip.frame.get_top()[1]


def test_comparison_catches_a_changed_drawing(facts, sup):
    """Another neuron's bars, or the optimised angles instead of the random ones, are seen."""
    mean, share = difference(draw(_neuron_bars(facts, 0)), draw(_neuron_bars(facts, 2)))
    assert mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE
    ymax = float(max(sup["angles_before"].max(), sup["angles_after"].max()))
    before = AngleHistogram(sup["angles_before"], sup["angle_edges"], ymax=ymax)
    after = AngleHistogram(sup["angles_after"], sup["angle_edges"], ymax=ymax)
    mean, share = difference(draw(before), draw(after))
    assert mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE
