"""The drawing pieces, drawn from the real artifacts, against stored frames; each picture test
proves it sees a small change of its own piece; and the palette's promises."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from manim import LEFT, RIGHT, UP, ShowPassingFlash, VGroup

from scenes import palette
from scenes.chapter3 import ARROW_MAX as CH3_ARROW_MAX  # the longest wish arrow on a layer
from scenes.pieces import (
    ACCENT,
    INK,
    NEGATIVE,
    POSITIVE,
    DigitImage,
    HeatMap,
    NetworkDiagram,
    ValueBars,
    digit_network,
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


ZOOM = 1.45  # how much the pictures of the network's pieces are enlarged


def ch3_network(ch3, lit: int = 4) -> NetworkDiagram:
    """Chapter 3's network diagram, built as the chapter builds it."""
    from scenes.chapter3 import network

    return network(ch3, lit)


def zoomed(mobjects: list, factor: float) -> list:
    """The mobjects scaled together by ``factor`` and centred in the frame: chapter 3's small
    pieces, enlarged so that their arrows and wires are several pixels wide at the tests' size."""
    VGroup(*mobjects).scale(factor).move_to(np.zeros(3))
    return mobjects


def example_table(ch3):
    from scenes.chapter3 import example_table as chapter_table

    return [chapter_table(ch3).move_to(np.zeros(3))]  # whole in the frame, averages included


def neuron_arrows(ch3):
    """The summed wishes for layer 2 and layer 1's wanted change, as arrows beside the lit neurons
    of those layers, each layer on its own scale."""
    from scenes.pieces import neuron_arrows as arrows_for

    net = ch3_network(ch3)
    two, one = ch3["wanted_a2"], ch3["wanted_a1"]
    return zoomed([net.layers[1], net.layers[2], arrows_for(net.layers[2], two, CH3_ARROW_MAX / float(np.abs(two).max())),
                   arrows_for(net.layers[1], one, CH3_ARROW_MAX / float(np.abs(one).max()))], ZOOM)


def change_arrows(ch3):
    """The outputs' bars beside their neurons, and the change each output wants as arrows in the tracks."""
    from scenes.pieces import NeuronBars

    net = ch3_network(ch3)
    bars = NeuronBars(net.layers[3], ch3["a3"], 3.75, width=2.0, bar_height=0.24, font_size=19, decimals=3)
    return zoomed([net.layers[3], bars, bars.change_arrows(ch3["a3"], ch3["wanted_change"])],
                  2.0)  # the bars are a third of the frame's height in the chapter


def edges_showing(ch3):
    """The wires into the outputs showing their weights' wished change, between the last two layers."""
    from scenes.pieces import edges_showing as showing

    net = ch3_network(ch3)
    wish = np.asarray(ch3["wish_w3"])
    return zoomed([showing(net, 2, wish, float(np.abs(wish).max()), width=2.6), net.layers[2], net.layers[3],
                   net.output_labels], ZOOM)


def path_tips(ch3):
    """The two descent paths on the cost slice, each ending in its arrowhead."""
    from scenes.pieces import LandscapeMap, path_tip

    land = LandscapeMap(ch3["slice_alphas"], ch3["slice_betas"], ch3["slice_cost"], height=5.0, width=7.4)
    out = [land]
    for key, color, width in (("full_path", INK, 3.0), ("sgd_path", ACCENT, 2.0)):
        line = land.path(ch3[key], color=color, width=width)
        out += [line, path_tip(line.get_anchors(), color, size=0.22)]
    return out


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


def test_answer_grid_fills_the_cells_of_the_digits_read_right(ch2):
    """Chapter 1's test grid: cell k (row by row) is filled where held-out digit k's answer is its
    label and hollow where not, read back from the image's pixels; its count is the accuracy's."""
    from scenes.pieces import AnswerGrid

    preds, labels = np.asarray(ch2["test_predictions"]), np.asarray(ch2["test_labels"])
    grid = AnswerGrid(preds, labels, columns=40, width=8.0)
    pixels = grid.pixel_array[:, :, 0]
    pitch, half = AnswerGrid.CELL + AnswerGrid.GAP, AnswerGrid.CELL // 2
    centres = np.array([pixels[r * pitch + half, c * pitch + half] for r, c in (divmod(k, 40) for k in range(len(preds)))])
    edges = np.array([pixels[r * pitch, c * pitch + half] for r, c in (divmod(k, 40) for k in range(len(preds)))])
    assert (edges > 0).all()  # every digit has its cell
    np.testing.assert_array_equal(centres > 0, preds == labels)
    assert grid.right == int((preds == labels).sum()) == 900
    assert pixels.shape == (25 * pitch - AnswerGrid.GAP, 40 * pitch - AnswerGrid.GAP)


def test_number_column(request, ch2, update_goldens):
    column, = picture(request, number_column)
    assert len(column.entries) == len(ch2["gradient_shown"])
    assert_picture("number_column", draw(column), update_goldens)


def test_example_table(request, ch3, update_goldens):
    table, = picture(request, example_table)
    examples, params = np.asarray(ch3["table"]).T.shape
    assert len(table.cells) == examples and all(len(row) == params for row in table.cells)
    assert len(table.images) == examples and len(table.heads) == params == len(table.average)
    # an average is blue when the parameter should grow, red when it should shrink
    for number, a in zip(table.average, ch3["table_average"]):
        assert number.get_color().to_hex() == (POSITIVE if a > 0 else NEGATIVE).to_hex()
    # a cell wears its sign's hue however small (full when large beside the table's largest); grey
    # only when it reads 0.000
    values = np.asarray(ch3["table"]).T
    largest = np.abs(values).max()
    for row, row_values in zip(table.cells, values):
        for cell, v in zip(row, row_values):
            red, _, blue = cell.get_color().to_rgb()
            if round(abs(float(v)), 3) == 0:
                assert cell.get_color().to_hex() == palette.MUTED.to_hex(), v
            elif abs(v) > 0.08 * largest:
                assert cell.get_color().to_hex() == (POSITIVE if v > 0 else NEGATIVE).to_hex(), v
            else:
                assert (blue > red + 0.1) if v > 0 else (red > blue + 0.1), (v, red, blue)
    assert_picture("example_table", draw(table), update_goldens)


def _points_up(arrow) -> bool:
    """Whether a :func:`signed_arrow`'s head points up (its first vertex is the arrow's end)."""
    head = arrow[0]
    return head.get_vertices()[0][1] > head.get_center()[1]


def test_neuron_arrows(request, ch3, update_goldens):
    layer1, layer2, two, one = picture(request, neuron_arrows)
    for arrows, neurons, values in ((two, layer2, ch3["wanted_a2"]), (one, layer1, ch3["wanted_a1"])):
        assert len(arrows) == len(values)
        half = CH3_ARROW_MAX * ZOOM / float(np.abs(values).max()) / 2  # half an arrow's length per unit of wish
        for arrow, circle, v in zip(arrows, neurons, values):
            # up and blue exactly where the neuron should brighten; centred on its height, as long as its wish
            assert _points_up(arrow) == (v > 0)
            assert arrow[0].get_fill_color().to_hex() == (POSITIVE if v > 0 else NEGATIVE).to_hex()
            assert arrow[0].get_vertices()[0][1] - circle.get_y() == pytest.approx(half * v, abs=1e-9)
            assert arrow.get_x() < circle.get_x()  # left of the neuron, where its incoming wires end
    assert_picture("neuron_arrows", draw(layer1, layer2, two, one), update_goldens)


def test_change_arrows(request, ch3, update_goldens):
    neurons, bars, arrows = picture(request, change_arrows)
    assert len(bars.rows) == len(arrows) == len(ch3["a3"])
    for i, (arrow, change) in enumerate(zip(arrows, ch3["wanted_change"])):
        # each arrow runs from the output's value to its target (1 for the label, 0 for the others)
        tip, track = arrow[0].get_vertices()[0], bars.rows[i][0]
        target = track.get_left() + RIGHT * track.width * ch3["target"][i]
        np.testing.assert_allclose(tip, target, atol=1e-9)
        points_right = tip[0] > arrow[0].get_center()[0]
        assert points_right == (change > 0)
        assert arrow[0].get_fill_color().to_hex() == (POSITIVE if change > 0 else NEGATIVE).to_hex()
    assert_picture("change_arrows", draw(neurons, bars, arrows), update_goldens)


def test_edges_showing(request, ch3, update_goldens):
    lines, *rest = picture(request, edges_showing)
    wish = np.asarray(ch3["wish_w3"])
    n_out = wish.shape[0]
    assert len(lines) == wish.size
    for k, line in enumerate(lines):
        i, j = divmod(k, n_out)  # from neuron i of layer 2 to output j
        assert line.get_stroke_color().to_hex() == value_to_color(wish[j, i], float(np.abs(wish).max())).to_hex()
    widths = [line.get_stroke_width() for line in lines]  # the thickest wire carries the largest wish
    j, i = _brightest(wish)
    assert int(np.argmax(widths)) == i * n_out + j
    assert_picture("edges_showing", draw(lines, *rest), update_goldens)


def test_path_tips(request, ch3, update_goldens):
    land, *drawn = picture(request, path_tips)
    for (line, tip), key in zip(zip(drawn[::2], drawn[1::2]), ("full_path", "sgd_path")):
        # the arrowhead's point is the path's last point, and it points along the path's last stretch
        end = land.point(*ch3[key][-1])
        np.testing.assert_allclose(tip.get_vertices()[0], end, atol=1e-9)
        assert np.dot(end - tip.get_center(), end - land.point(*ch3[key][-3])) > 0
    assert_picture("path_tips", draw(land, *drawn), update_goldens)


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


def _table_cell_flipped(ch3):
    def mutate(m):
        values = np.asarray(ch3["table"]).T  # (examples, parameters), as drawn
        r, c = _brightest(values)
        m[0].cells[r][c].set_color(NEGATIVE if values[r, c] > 0 else POSITIVE)
    return mutate


def _average_flipped(ch3):
    def mutate(m):
        c = int(np.argmax(np.abs(ch3["table_average"])))
        m[0].average[c].set_color(NEGATIVE if ch3["table_average"][c] > 0 else POSITIVE)
    return mutate


def _signed_arrow_flipped(arrow, value: float) -> None:
    """A :func:`signed_arrow` in the colour of the opposite sign (its halo kept)."""
    other = NEGATIVE if value > 0 else POSITIVE
    arrow[0].set_fill(other)
    for shaft in arrow[1:]:
        shaft.set_stroke(other, background=False)


def _neuron_arrow_flipped(ch3):
    def mutate(m):
        k = int(np.argmax(np.abs(ch3["wanted_a2"])))
        _signed_arrow_flipped(m[2][k], ch3["wanted_a2"][k])
    return mutate


def _change_arrow_flipped(ch3):
    def mutate(m):
        k = int(np.argmax(np.abs(ch3["wanted_change"])))
        _signed_arrow_flipped(m[2][k], ch3["wanted_change"][k])
    return mutate


def _wish_edge_flipped(ch3):
    """The wire with the largest wish in the colour of the opposite sign."""
    def mutate(m):
        wish = np.asarray(ch3["wish_w3"])
        j, i = _brightest(wish)
        m[0][i * wish.shape[0] + j].set_stroke(value_to_color(-wish[j, i], float(np.abs(wish).max())))
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
    ("example_table", example_table, "one cell in the other sign's colour", _table_cell_flipped),
    ("example_table", example_table, "one average in the other sign's colour", _average_flipped),
    ("example_table", example_table, "one example's digit removed", lambda ch3: lambda m: m[0].images.remove(m[0].images[4])),
    ("example_table", example_table, "one cell removed", lambda ch3: lambda m: m[0].cells[3].remove(m[0].cells[3][2])),
    ("neuron_arrows", neuron_arrows, "one arrow in the other sign's colour", _neuron_arrow_flipped),
    ("neuron_arrows", neuron_arrows, "one arrow removed", lambda ch3: lambda m: m[3].remove(m[3][int(np.argmax(np.abs(ch3["wanted_a1"])))])),
    ("change_arrows", change_arrows, "one change arrow in the other sign's colour", _change_arrow_flipped),
    ("change_arrows", change_arrows, "one value removed", lambda ch3: lambda m: m[1].rows[0].remove(m[1].rows[0][2])),
    ("edges_showing", edges_showing, "one wire in the other sign's colour", _wish_edge_flipped),
    ("path_tips", path_tips, "one arrowhead removed", lambda ch3: lambda m: m.pop(4)),
]


test_picture_sees_a_small_change, test_picture_tolerates_antialiasing, test_every_piece_here_has_its_change = \
    piece_checks(CHANGES, [network_diagram, value_bars, neuron_arrows, change_arrows, edges_showing],
                 globals())


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


def test_wish_pulses_follow_each_wires_wish(ch3):
    """Chapter 3's backward pulses: one per wire whose wish is at least PULSE_FLOOR of the largest,
    none on the others, each wider and brighter in proportion to its wire's wish, on that wire run
    backwards (from the later layer to the earlier)."""
    from scenes.palette import ACCENT
    from scenes.pieces import PULSE_FLOOR, wish_pulses

    net = ch3_network(ch3)
    for layer, key in ((2, "wish_w3"), (1, "wish_w2")):
        wish = np.asarray(ch3[key])
        share = np.abs(wish) / np.abs(wish).max()
        n_out = wish.shape[0]
        wires = [(k, *divmod(k, n_out)) for k in range(wish.size)]  # (edge, from i, to j)
        kept = [(k, i, j) for k, i, j in wires if share[j, i] >= PULSE_FLOOR]
        pulses = wish_pulses(net, layer, wish, ACCENT, 2.2)
        assert 0 < len(pulses) == len(kept) < wish.size
        for pulse, (k, i, j) in zip(pulses, kept):
            edge = net.edges[layer][k]
            assert np.allclose(pulse.get_start(), edge.get_end()) and np.allclose(pulse.get_end(), edge.get_start())
            assert pulse.get_stroke_width() == pytest.approx(0.4 + 2.2 * share[j, i])
            assert pulse.get_stroke_opacity() == pytest.approx(0.3 + 0.6 * share[j, i])


def test_one_flash_along_many_lines_draws_what_a_flash_per_line_draws():
    """``flash_along`` plays one ShowPassingFlash on a group of lines (the scene adds and removes one
    piece, not hundreds): at every point of the run each line is cut exactly as a flash of its own
    would cut it."""
    from manim import ArcBetweenPoints, Line

    from scenes.pieces import flash_along

    lines = [Line(LEFT * k, RIGHT * (k + 1) + UP * 0.3 * k) for k in range(4)]
    lines.append(ArcBetweenPoints(LEFT * 2, RIGHT * 3, angle=1.0))  # a path of several curves
    each = [ShowPassingFlash(line.copy(), time_width=0.35) for line in lines]
    one = flash_along([line.copy() for line in lines], time_width=0.35)
    for anim in (*each, one):
        anim.begin()
    for alpha in np.linspace(0, 1, 13):
        for anim in (*each, one):
            anim.interpolate(alpha)
        for anim, line in zip(each, one.mobject.submobjects, strict=True):
            np.testing.assert_array_equal(line.points, anim.mobject.points)
        if 0.4 < alpha < 0.6:  # mid-run: a real piece of each line, not the whole line or nothing
            assert all(0 < len(line.points) and not np.allclose(line.get_start(), full.get_start())
                       for line, full in zip(one.mobject.submobjects, lines))


def test_forward_pulses_follow_what_each_wire_carries(ch3):
    """The forward pass's pulses (Chapters 1 to 3), one flash along a group of lines: with the
    weights given, one line per wire whose activation times weight is at least PULSE_FLOOR of the
    largest, as wide as its share, along the wire from the earlier layer; without them, every wire
    of a lit neuron."""
    from scenes.pieces import PULSE_FLOOR

    net = ch3_network(ch3)
    a, w = np.asarray(ch3["a0_window"]), np.asarray(ch3["w1_window"])  # (16 out, 16 shown inputs)
    carried = np.abs(w * a[None, :])
    share = carried / carried.max()
    n_out = w.shape[0]
    wires = [(k, *divmod(k, n_out)) for k in range(w.size)]  # (edge, from i, to j)
    kept = [(k, i, j) for k, i, j in wires if share[j, i] >= PULSE_FLOOR]
    (flash,) = net.pulses(1, a, w)
    assert isinstance(flash, ShowPassingFlash)
    lines = flash.mobject.submobjects
    assert 0 < len(lines) == len(kept) < w.size
    for line, (k, i, j) in zip(lines, kept):
        assert np.allclose(line.get_start(), net.edges[0][k].get_start())
        assert line.get_stroke_width() == pytest.approx(0.4 + 1.6 * share[j, i])
    (flash,) = net.pulses(1, a)
    assert len(flash.mobject.submobjects) == int((a > 0.05).sum()) * n_out  # without weights: every wire of a lit neuron
    assert net.pulses(1, np.zeros_like(a)) == []  # no lit neuron: nothing to play
