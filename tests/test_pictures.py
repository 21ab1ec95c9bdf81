"""The drawing pieces, drawn from the real artifacts, against stored frames; each picture test
proves it sees a small change of its own piece; and the palette's promises."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from manim import LEFT

from scenes import palette
from scenes.pieces import (
    INK,
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
from tests.pictures import (
    assert_picture,
    compare,
    draw,
    ink,
    picture,
    piece_checks,
    references,
    stored,
)


@pytest.fixture(scope="module")
def ch2():
    from models.pipeline import ensure

    return ensure("digits-story").arrays("chapter2.npz")


@pytest.fixture(scope="module")
def ch3():
    from models.pipeline import ensure

    return ensure("digits-story").arrays("chapter3.npz")


# ----------------------------------------------------------------------------- what each picture draws
# A builder takes fixtures by name and returns the mobjects of one picture (the piece first).


def network(story, lit: bool):
    net = NetworkDiagram(story["sizes"], input_shown=16, output_labels=[str(i) for i in range(10)])
    if lit:
        net.color_edges(1, story["w1"])
        net.lit(0, story["a0"][story["input_window"]])
        for layer in (1, 2, 3):
            net.lit(layer, story[f"a{layer}"])
    return net


def digit_image(story):
    digit = DigitImage(story["digit"], height=3.4)
    return [digit, digit.frame()]


def heat_map(story):
    return [HeatMap(story["neuron_weights"].reshape(28, 28), height=3.4)]


def network_diagram(story):
    return [network(story, lit=True)]


def value_bars(story):
    return [ValueBars(story["a3"], [str(i) for i in range(10)])]


def landscape_map(ch2):
    from scenes.pieces import LandscapeMap

    land = LandscapeMap(ch2["landscape_alphas"], ch2["landscape_betas"], ch2["landscape_cost"], height=5.0, width=6.6)
    return [land, land.path(ch2["path"]), land.legend()]


def number_column(ch2):
    from scenes.pieces import NumberColumn

    shown = [int(i) for i in ch2["gradient_shown"]]
    return [NumberColumn([-float(ch2["gradient"][i]) for i in shown], shown, 13002,
                         names=[str(n) for n in ch2["gradient_shown_names"]], font_size=20)]


def nudge_table(ch3):
    from scenes.pieces import NudgeTable

    table = NudgeTable(ch3["table"], [str(n) for n in ch3["table_row_names"]], ch3["table_average"], cell_width=0.92)
    return [table.move_to(np.zeros(3))]  # whole in the frame, averages included


def want_arrows(ch3):
    from scenes.pieces import want_arrows as arrows_for

    bars = ValueBars(ch3["a3"], [str(i) for i in range(10)], width=2.2, bar_height=0.3).shift(2 * LEFT)
    return [bars, arrows_for(bars, ch3["wanted_change"], scale=2.4)]


# ----------------------------------------------------------------------------- the picture tests


def test_digit_image(request, story, update_goldens):
    assert_picture("digit_image", draw(*picture(request, digit_image)), update_goldens)


def test_heat_map(request, story, update_goldens):
    assert_picture("heat_map", draw(*picture(request, heat_map)), update_goldens)


def test_network_diagram(request, story, update_goldens):
    assert_picture("network_diagram", draw(*picture(request, network_diagram)), update_goldens)


def test_value_bars(request, story, update_goldens):
    assert_picture("value_bars", draw(*picture(request, value_bars)), update_goldens)


def test_landscape_map(request, ch2, update_goldens):
    assert_picture("landscape_map", draw(*picture(request, landscape_map)), update_goldens)


def test_landscape_points_land_on_their_pixels(ch2):
    """A slice point maps to the centre of its grid cell: the picture and the path agree."""
    from scenes.pieces import LandscapeMap

    al, be = ch2["landscape_alphas"], ch2["landscape_betas"]
    land = LandscapeMap(al, be, ch2["landscape_cost"], height=4.1, width=4.1)
    cell = land.image.width / len(al)
    corner = land.image.get_corner(np.array([-1, -1, 0]))
    np.testing.assert_allclose(land.point(al[0], be[0])[:2], corner[:2] + cell / 2, atol=1e-9)
    np.testing.assert_allclose(land.point(al[-1], be[-1])[:2], corner[:2] + [land.image.width - cell / 2, land.image.height - cell / 2])


def test_number_column(request, ch2, update_goldens):
    column, = picture(request, number_column)
    assert len(column.entries) == len(ch2["gradient_shown"])
    assert_picture("number_column", draw(column), update_goldens)


def test_nudge_table(request, ch3, update_goldens):
    table, = picture(request, nudge_table)
    assert len(table.cells) == len(ch3["table"]) and len(table.cells[0]) == ch3["table"].shape[1]
    assert_picture("nudge_table", draw(table), update_goldens)


def test_want_arrows(request, ch3, update_goldens):
    bars, arrows = picture(request, want_arrows)
    # right-pointing exactly where the output should grow
    for arrow, change in zip(arrows, ch3["wanted_change"]):
        tip = arrow[0].get_end()[0] - arrow[0].get_start()[0]
        assert (tip > 0) == (change > 0)
    assert_picture("want_arrows", draw(bars, arrows), update_goldens)


# ----------------------------------------------------------------------------- each picture sees a small change
# (name, builder, what changes, the change): one element of the piece recoloured, or removed. Each
# must make the comparison with the stored reference fail.


def _image_pixel(image, row: int, col: int, rgb) -> None:
    image.pixel_array = image.pixel_array.copy()
    image.pixel_array[row, col, :3] = rgb


def _brightest(values: np.ndarray) -> tuple[int, int]:
    return tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(values)), values.shape))


def _digit_pixel_off(story):
    def mutate(m):
        row, col = _brightest(story["digit"].reshape(28, 28))
        _image_pixel(m[0], row, col, (0, 0, 0))
    return mutate


def _heat_pixel_flipped(story):
    def mutate(m):
        w = story["neuron_weights"].reshape(28, 28)
        row, col = _brightest(w)
        _image_pixel(m[0], row, col, value_to_rgb(np.array([-w[row, col]]), m[0].vmax)[0])
    return mutate


def _edge_flipped(story):
    """The strongest drawn edge in the colour of the opposite sign."""
    def mutate(m):
        net, w = m[0], np.asarray(story["w1"])
        j, i = _brightest(w)  # edges[1][i * n + j] joins neuron i to neuron j of the next layer (of n)
        net.edges[1][i * len(net.layers[2]) + j].set_stroke(value_to_color(-w[j, i], float(np.abs(w).max())))
    return mutate


def _neuron_unlit(story):
    def mutate(m):
        m[0].layers[3][int(np.argmax(story["a3"]))].set_fill(opacity=0)
    return mutate


def _number_flipped(ch2):
    def mutate(m):
        values = [-float(ch2["gradient"][int(i)]) for i in ch2["gradient_shown"]]
        k = int(np.argmax(np.abs(values)))
        m[0].numbers[k].set_color(value_to_color(-values[k], max(abs(v) for v in values)))
    return mutate


def _cell_flipped(ch3):
    def mutate(m):
        r, c = _brightest(np.asarray(ch3["table"]))
        m[0].cells[r][c].set_color(NEGATIVE if ch3["table"][r][c] > 0 else POSITIVE)
    return mutate


def _arrow_flipped(ch3):
    def mutate(m):
        k = int(np.argmax(np.abs(ch3["wanted_change"])))
        m[1][k][0].set_color(NEGATIVE if ch3["wanted_change"][k] > 0 else POSITIVE)
    return mutate


CHANGES = [
    ("digit_image", digit_image, "one pixel of the digit off", _digit_pixel_off),
    ("digit_image", digit_image, "the frame removed", lambda story: lambda m: m.pop(1)),
    ("heat_map", heat_map, "one weight's sign flipped", _heat_pixel_flipped),
    ("network_diagram", network_diagram, "one edge in the other sign's colour", _edge_flipped),
    ("network_diagram", network_diagram, "one output neuron unlit", _neuron_unlit),
    ("network_diagram", network_diagram, "one output label removed",
     lambda story: lambda m: m[0].output_labels.remove(m[0].output_labels[3])),
    ("value_bars", value_bars, "one bar recoloured",
     lambda story: lambda m: m[0].rows[int(np.argmax(story["a3"]))][2].set_fill(POSITIVE)),
    ("value_bars", value_bars, "one value removed", lambda story: lambda m: m[0].rows[0].remove(m[0].rows[0][3])),
    ("landscape_map", landscape_map, "the path recoloured", lambda ch2: lambda m: m[1].set_stroke(INK)),
    ("landscape_map", landscape_map, "the legend's heading removed", lambda ch2: lambda m: m[2].remove(m[2][1])),
    ("number_column", number_column, "one number in the other sign's colour", _number_flipped),
    ("nudge_table", nudge_table, "one cell in the other sign's colour", _cell_flipped),
    ("nudge_table", nudge_table, "one average recoloured", lambda ch3: lambda m: m[0].average[0].set_color(NEGATIVE)),
    ("want_arrows", want_arrows, "one arrow in the other sign's colour", _arrow_flipped),
    ("want_arrows", want_arrows, "one label removed", lambda ch3: lambda m: m[1][0].remove(m[1][0][1])),
]


test_picture_sees_a_small_change, test_picture_tolerates_antialiasing, test_every_piece_here_has_its_change = \
    piece_checks(CHANGES, [network_diagram, value_bars, want_arrows], globals())


def test_every_reference_has_a_picture_test_and_a_change():
    from tests import test_fact_pictures, test_lm_pictures

    changed = {name for changes in (CHANGES, test_lm_pictures.CHANGES, test_fact_pictures.CHANGES)
               for name, *_ in changes}
    tested = {name[len("test_"):] for module in (globals(), vars(test_lm_pictures), vars(test_fact_pictures))
              for name in module if name.startswith("test_")}
    stems = {p.stem for p in references()}
    assert stems <= tested and stems == changed, (stems - tested, stems ^ changed)


@pytest.mark.parametrize("path", references(), ids=lambda p: p.stem)
def test_a_blank_or_half_drawn_frame_fails(path):
    """Every reference is told apart from a blank frame, from its drawing half erased, and from its
    drawing at half brightness."""
    reference = stored(path.stem)
    assert compare(reference, reference).same
    assert not compare(np.zeros_like(reference), reference).same
    columns = np.argwhere(ink(reference))[:, 1]
    half = reference.copy()
    half[:, int(np.median(columns)):] = 0  # the right half of the ink gone
    assert not compare(half, reference).same
    assert not compare((reference // 2).astype(np.uint8), reference).same


# ----------------------------------------------------------------------------- the palette
# Checked by an independent route (hue, luminance and distance worked out here from the RGB the
# palette returns), not against the palette's own constants.


def _luminance(rgb) -> float:
    r, g, b = np.asarray(rgb, dtype=float) / 255.0
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _hue(rgb) -> float:
    r, g, b = np.asarray(rgb, dtype=float) / 255.0
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def _named() -> dict[str, np.ndarray]:
    return {n: np.array(getattr(palette, n).to_rgb()) * 255 for n in palette.__all__ if n.isupper()}


def _rising(values) -> bool:
    return all(a < b for a, b in zip(values, values[1:]))


def test_palette_signs_are_hues():
    """A positive value is blue, a negative one red, whatever its size; zero is the background."""
    sizes = np.linspace(0.3, 3.0, 28)  # from dim (hue still readable) to beyond vmax
    for rgb in value_to_rgb(sizes, vmax=2.0):
        assert 180 <= _hue(rgb) <= 205 and rgb[2] > rgb[0], f"a positive value drawn {rgb}, not blue"
    for rgb in value_to_rgb(-sizes, vmax=2.0):
        assert (_hue(rgb) <= 15 or _hue(rgb) >= 345) and rgb[0] > rgb[2], f"a negative value drawn {rgb}, not red"
    log = palette.value_to_rgb_log(np.array([1e-2, 1.0, -1e-2, -1.0]), 1e-4, 1.0)
    assert all(rgb[2] > rgb[0] for rgb in log[:2]) and all(rgb[0] > rgb[2] for rgb in log[2:])
    assert value_to_rgb(np.array([0.0]), 1.0)[0].tolist() == [0, 0, 0]
    assert _hue(_named()["POSITIVE"]) == pytest.approx(_hue(value_to_rgb(np.array([1.0]), 1.0)[0]), abs=2)
    assert palette.signed_color(0.001).to_hex() == POSITIVE.to_hex()
    assert palette.signed_color(-0.001).to_hex() == NEGATIVE.to_hex()
    for v in (0.3, -0.7, 1.0):  # shapes and images agree
        shape = np.array(value_to_color(v, 1.0).to_rgb()) * 255
        np.testing.assert_allclose(shape, value_to_rgb(np.array([v]), 1.0)[0], atol=0.51)


def test_palette_ramps_grow_in_luminance():
    """Brightness says size: signed values, log-scaled values, activations and costs all get
    brighter as they grow, and saturate at their top."""
    sizes = np.linspace(0.0, 2.0, 41)
    for ramp in (value_to_rgb(sizes, vmax=2.0), value_to_rgb(-sizes, vmax=2.0)):
        assert _rising([_luminance(rgb) for rgb in ramp]), "signed brightness must grow with |value|"
    assert value_to_rgb(np.array([5.0]), 1.0)[0].tolist() == value_to_rgb(np.array([1.0]), 1.0)[0].tolist()
    log = palette.value_to_rgb_log(np.geomspace(1e-4, 1.0, 9), 1e-4, 1.0)
    assert _rising([_luminance(rgb) for rgb in log])
    acts = [_luminance(np.array(palette.activation_color(a).to_rgb()) * 255) for a in np.linspace(0, 1, 11)]
    assert acts[0] == 0 and _rising(acts) and acts[-1] == pytest.approx(1.0)
    costs = palette.cost_to_rgb(np.geomspace(0.01, 10.0, 12), 0.01, 10.0)
    assert _rising([_luminance(rgb) for rgb in costs]), "a higher cost must be brighter"
    assert 20 <= _hue(costs[-1]) <= 40, "a high cost is orange"


# FAINT (#444444, frames and tracks) and MASKED (#3A3A3A, a masked cell's fill) are 17 apart: they
# are the only pair below the bar. Listed so that any other pair coming this close fails.
KNOWN_CLOSE = {("FAINT", "MASKED")}


def test_palette_colours_far_apart():
    """Each meaning has a colour a viewer can tell from the others' (Euclidean RGB distance), and
    the greys keep their order: background, masked, faint, muted, ink."""
    named = _named()
    close = {(a, b) for a in named for b in named
             if a < b and np.linalg.norm(named[a] - named[b]) < 45}
    assert close <= KNOWN_CLOSE, f"colours too close to tell apart: {sorted(close - KNOWN_CLOSE)}"
    greys = [_luminance(named[n]) for n in ("BACKGROUND", "MASKED", "FAINT", "MUTED", "INK")]
    assert greys[0] == 0 and _rising(greys)
    hues = {n: _hue(named[n]) for n in ("NEGATIVE", "COST", "ACCENT", "SCORE", "POSITIVE", "FUNCTION")}
    assert _rising(list(hues.values())), f"hues out of their places on the wheel: {hues}"


@pytest.mark.parametrize("x,text", [(0.1234, "0.123"), (-2.479, "\u22122.48"), (23.84, "23.8"), (13002, "13002"), (0, "0")])
def test_numbers_rounded_for_reading(x, text):
    assert fmt(x) == text
