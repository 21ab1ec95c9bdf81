"""The drawing pieces, drawn from the real artifacts, against stored frames."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, RIGHT

from scenes.pieces import (
    NEGATIVE,
    POSITIVE,
    DigitImage,
    HeatMap,
    NetworkDiagram,
    ValueBars,
    fmt,
    value_to_color,
    value_to_rgb,
)
from tests.pictures import MEAN_TOLERANCE, PIXEL_TOLERANCE, assert_picture, difference, draw


def network(story, lit: bool):
    net = NetworkDiagram(story["sizes"], input_shown=16, output_labels=[str(i) for i in range(10)])
    if lit:
        net.color_edges(1, story["w1"])
        net.lit(0, story["a0"][story["input_window"]])
        for layer in (1, 2, 3):
            net.lit(layer, story[f"a{layer}"])
    return net


def test_digit_image(story, update_goldens):
    digit = DigitImage(story["digit"], height=3.4)
    assert_picture("digit_image", draw(digit, digit.frame()), update_goldens)


def test_heat_map(story, update_goldens):
    w = story["neuron_weights"].reshape(28, 28)
    assert_picture("heat_map", draw(HeatMap(w, height=3.4)), update_goldens)


def test_network_diagram(story, update_goldens):
    assert_picture("network_diagram", draw(network(story, lit=True)), update_goldens)


def test_value_bars(story, update_goldens):
    bars = ValueBars(story["a3"], [str(i) for i in range(10)])
    assert_picture("value_bars", draw(bars), update_goldens)


def test_comparison_catches_a_changed_drawing(story):
    """The tolerance is tight enough to see an unlit network or a moved digit."""
    lit, dark = draw(network(story, True)), draw(network(story, False))
    mean, share = difference(lit, dark)
    assert mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE
    a = draw(DigitImage(story["digit"], height=3.4))
    b = draw(DigitImage(story["digit"], height=3.4).shift(0.3 * RIGHT))
    assert difference(a, b)[1] > PIXEL_TOLERANCE


def test_palette():
    """Blue for positive, red for negative, brightness for size; one mapping for images and shapes."""
    rgb = value_to_rgb(np.array([1.0, -1.0, 0.0, 0.5]), vmax=1.0)
    assert tuple(rgb[0]) == tuple(round(c * 255) for c in POSITIVE.to_rgb())
    assert tuple(rgb[1]) == tuple(round(c * 255) for c in NEGATIVE.to_rgb())
    assert tuple(rgb[2]) == (0, 0, 0)
    assert rgb[3].sum() < rgb[0].sum()
    assert value_to_color(0.5, 1.0).to_hex().lower() == "#{:02x}{:02x}{:02x}".format(*rgb[3])


@pytest.mark.parametrize("x,text", [(0.1234, "0.123"), (-2.479, "\u22122.48"), (23.84, "23.8"), (13002, "13002"), (0, "0")])
def test_numbers_rounded_for_reading(x, text):
    assert fmt(x) == text


@pytest.fixture(scope="module")
def ch2():
    from models.pipeline import ensure

    return ensure("digits-story").arrays("chapter2.npz")


def test_landscape_map(ch2, update_goldens):
    from scenes.pieces import LandscapeMap

    land = LandscapeMap(ch2["landscape_alphas"], ch2["landscape_betas"], ch2["landscape_cost"], height=5.0, width=6.6)
    assert_picture("landscape_map", draw(land, land.path(ch2["path"]), land.legend()), update_goldens)


def test_landscape_points_land_on_their_pixels(ch2):
    """A slice point maps to the centre of its grid cell: the picture and the path agree."""
    from scenes.pieces import LandscapeMap

    al, be = ch2["landscape_alphas"], ch2["landscape_betas"]
    land = LandscapeMap(al, be, ch2["landscape_cost"], height=4.1, width=4.1)
    cell = land.image.width / len(al)
    corner = land.image.get_corner(np.array([-1, -1, 0]))
    np.testing.assert_allclose(land.point(al[0], be[0])[:2], corner[:2] + cell / 2, atol=1e-9)
    np.testing.assert_allclose(land.point(al[-1], be[-1])[:2], corner[:2] + [land.image.width - cell / 2, land.image.height - cell / 2])


def test_number_column(ch2, update_goldens):
    from scenes.pieces import NumberColumn

    shown = [int(i) for i in ch2["gradient_shown"]]
    column = NumberColumn([-float(ch2["gradient"][i]) for i in shown], shown, 13002,
                          names=[str(n) for n in ch2["gradient_shown_names"]], font_size=20)
    assert len(column.entries) == len(shown)
    assert_picture("number_column", draw(column), update_goldens)


def test_nudge_table(update_goldens):
    from scenes.pieces import NudgeTable

    from models.pipeline import ensure

    ch3 = ensure("digits-story").arrays("chapter3.npz")
    table = NudgeTable(ch3["table"], [str(n) for n in ch3["table_row_names"]], ch3["table_average"], cell_width=0.92)
    assert len(table.cells) == len(ch3["table"]) and len(table.cells[0]) == ch3["table"].shape[1]
    assert_picture("nudge_table", draw(table), update_goldens)


def test_want_arrows(update_goldens):
    from scenes.pieces import want_arrows

    from models.pipeline import ensure

    ch3 = ensure("digits-story").arrays("chapter3.npz")
    bars = ValueBars(ch3["a3"], [str(i) for i in range(10)], width=2.2, bar_height=0.3).shift(2 * LEFT)
    arrows = want_arrows(bars, ch3["wanted_change"], scale=2.4)
    # right-pointing exactly where the output should grow
    for arrow, change in zip(arrows, ch3["wanted_change"]):
        tip = arrow[0].get_end()[0] - arrow[0].get_start()[0]
        assert (tip > 0) == (change > 0)
    assert_picture("want_arrows", draw(bars, arrows), update_goldens)
