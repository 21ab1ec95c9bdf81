"""The language chapters' drawing pieces, drawn from the real language-model artifacts, against
stored frames; each picture test proves it sees a small change of its own piece; and the small
rules the pieces follow (rounding, ordering, geometry)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import RIGHT

from scenes.lm_pieces import (
    AttentionGrid,
    EmbeddingPlot,
    MatrixBlock,
    ProbabilityBars,
    TemperatureSlider,
    TokenRow,
    TransformerDiagram,
    percent,
    top_words,
)
from scenes.palette import BACKGROUND, MUTED
from scenes.pieces import ACCENT, NEGATIVE
from tests.pictures import (
    assert_picture,
    compare,
    draw,
    picture,
    piece_checks,
    stored,
)


@pytest.fixture(scope="module")
def weights():
    from models.pipeline import ensure

    return ensure("lm").arrays("weights.npz")


def _vocab(lang) -> list[str]:
    return [str(w) for w in lang["vocab"]]


@pytest.mark.parametrize("p,text", [(0.993, "99%"), (0.34, "34%"), (0.061, "6.1%"), (0.0037, "0.37%"), (1e-5, "<0.01%")])
def test_percentages_rounded_for_reading(p, text):
    assert percent(p) == text


def test_top_words_are_the_most_likely(lang):
    probs, vocab = lang["prompt_probs"][1], _vocab(lang)
    best = top_words(probs, vocab, k=5)
    assert [i for i, _, _ in best] == list(np.argsort(-probs)[:5])
    assert all(a[2] >= b[2] for a, b in zip(best, best[1:]))
    assert best[0][1] == vocab[int(np.argmax(probs))]


# ----------------------------------------------------------------------------- what each picture draws
# A builder takes fixtures by name and returns the mobjects of one picture (the piece first).


def token_row(lang):
    return [TokenRow([str(w) for w in lang["sentence"]], font_size=22).scale_to_fit_width(12)]


def probability_bars(lang):
    bars = ProbabilityBars.top(lang["prompt_probs"][1], _vocab(lang), k=5).move_to(np.zeros(3))
    return [bars, bars.highlight(0)]


def embedding_plot(lang):
    plot = EmbeddingPlot(lang["embedding_2d"], [str(w) for w in lang["embedding_words"]], size=4.5).move_to(np.zeros(3))
    return [plot, plot.arrow("man", "woman")]


def transformer_diagram():
    return [TransformerDiagram(2, notes=["225 × 64", "", "", "", "", "64 × 225", ""])]


def temperature_slider():
    return [TemperatureSlider([0.5, 1.0, 2.0], value=1.0).move_to(np.zeros(3))]


def attention_grid(lang):
    grid = AttentionGrid([str(w) for w in lang["sentence"]], cell=0.3, font_size=14)
    finite = np.where(np.isfinite(lang["head_masked"]), lang["head_masked"], 0.0)
    grid.shade(finite, vmax=float(np.abs(finite).max()), animate=False).mask(animate=False)
    grid.softmax(lang["head_pattern"], animate=False)
    return [grid.move_to(np.zeros(3))]


def matrix_block(lang, weights):
    layer, head = (int(x) for x in lang["attention_layer_head"])
    block = MatrixBlock(weights[f"transformer.h.{layer}.attn.c_attn.weight"][:64], name=r"W_Q", cell=0.05)  # W_Q, all heads
    block.move_to(np.zeros(3))
    return [block, block.band(16 * head, 16 * (head + 1))]


# ----------------------------------------------------------------------------- the picture tests


def test_token_row(request, lang, update_goldens):
    row, = picture(request, token_row)
    assert len(row.boxes) == len(lang["sentence"])
    # boxes run left to right without overlapping, each holding its own word
    for a, b in zip(row.boxes, row.boxes[1:]):
        assert a.get_right()[0] < b.get_left()[0]
    for box, label in zip(row.boxes, row.labels):
        assert box.get_left()[0] < label.get_left()[0] and label.get_right()[0] < box.get_right()[0]
    assert_picture("token_row", draw(row), update_goldens)


def test_probability_bars(request, lang, update_goldens):
    bars, box = picture(request, probability_bars)
    lengths = [row[1].width for row in bars.rows]
    assert lengths == sorted(lengths, reverse=True)  # longest bar first: the most likely word
    assert lengths[0] == pytest.approx(3.0 * float(np.max(lang["prompt_probs"][1])), rel=1e-6)
    assert_picture("probability_bars", draw(bars, box), update_goldens)


def test_probability_bars_reshape_in_place(lang):
    t = lang["temperature_probs"]
    vocab = _vocab(lang)
    bars = ProbabilityBars.top(t[1], vocab, k=5).shift(RIGHT)
    ids = [vocab.index(w) for w in bars.words]
    hot = bars.reshaped(t[2][ids])
    assert hot.words == bars.words
    np.testing.assert_allclose(hot.rows[0][1].get_left(), bars.rows[0][1].get_left(), atol=1e-9)
    assert hot.rows[0][1].width < bars.rows[0][1].width  # a higher temperature flattens the top word


def test_embedding_plot(request, lang, update_goldens):
    plot, arrow = picture(request, embedding_plot)
    words = [str(w) for w in lang["embedding_words"]]
    # each dot sits at its word's projected coordinates, on one scale for both axes
    xy = lang["embedding_2d"]
    a, b = words.index("king"), words.index("queen")
    got = plot.dots[b].get_center()[:2] - plot.dots[a].get_center()[:2]
    np.testing.assert_allclose(got, (xy[b] - xy[a]) * plot.scale, atol=1e-6)
    np.testing.assert_allclose(plot.point("queen"), plot.dots[b].get_center(), atol=1e-9)
    assert_picture("embedding_plot", draw(plot, arrow), update_goldens)


def test_transformer_diagram(request, update_goldens):
    diagram, = picture(request, transformer_diagram)
    assert diagram.names == ["embedding", "attention", "MLP", "attention", "MLP", "unembedding", "softmax"]
    xs = [b.get_x() for b in diagram.blocks]
    assert xs == sorted(xs) and diagram.width <= 12.7
    assert_picture("transformer_diagram", draw(diagram), update_goldens)


def test_temperature_slider(request, update_goldens):
    slider = TemperatureSlider([0.5, 1.0, 2.0], value=1.0)
    start = slider.track.get_start()[0]
    # the knob sits at its value along the track
    assert slider.knob.get_x() - start == pytest.approx(slider.length * (1.0 - slider.low) / (slider.high - slider.low))
    assert_picture("temperature_slider", draw(*picture(request, temperature_slider)), update_goldens)


def test_attention_grid(request, lang, update_goldens):
    grid, = picture(request, attention_grid)
    n = len(lang["sentence"])
    assert len(grid.masked_cells()) == n * (n - 1) // 2
    # each query's dots are as many as the keys it may see, largest where its weight is largest
    q = n - 1
    radii = [d.width for d in grid.dots[q]]
    assert len(radii) == n and int(np.argmax(radii)) == int(np.argmax(lang["head_pattern"][q]))
    assert_picture("attention_grid", draw(grid), update_goldens)


def test_matrix_block(request, lang, weights, update_goldens):
    block, band = picture(request, matrix_block)
    assert (block.rows, block.cols) == (64, 64)
    assert band.height == pytest.approx(block.heat.height / 4)
    assert_picture("matrix_block", draw(block, band), update_goldens)


# ----------------------------------------------------------------------------- each picture sees a small change
# (name, builder, what changes, the change's maker): one element of the piece recoloured, moved or
# removed. Each must make the comparison with the stored reference fail.


def _words_ink_centred(lang):
    """The words as they sat before they shared a baseline (Manim centres a word's ink): the drawing
    the old, stale probability_bars.png showed."""
    def mutate(m):
        for row in m[0].rows:
            row[0].set_y(row[1].get_y())
    return mutate


def _strongest_dot_recoloured(lang):
    def mutate(m):
        grid = m[0]
        q = grid.n - 1
        grid.dots[q][int(np.argmax(lang["head_pattern"][q]))].set_fill(NEGATIVE)
    return mutate


def _masked_cell_cleared(lang):
    def mutate(m):
        m[0].masked_cells()[0].set_fill(BACKGROUND)
    return mutate


CHANGES = [
    ("token_row", token_row, "one box recoloured", lambda lang: lambda m: m[0].boxes[1].set_stroke(ACCENT)),
    ("token_row", token_row, "one word removed", lambda lang: lambda m: m[0].tokens[2].remove(m[0].labels[2])),
    ("probability_bars", probability_bars, "one bar recoloured", lambda lang: lambda m: m[0].rows[0][1].set_fill(NEGATIVE)),
    ("probability_bars", probability_bars, "one percentage removed",
     lambda lang: lambda m: m[0].rows[1].remove(m[0].rows[1][2])),
    ("probability_bars", probability_bars, "the highlight box removed", lambda lang: lambda m: m.pop(1)),
    ("probability_bars", probability_bars, "the words ink-centred (the stale drawing)", _words_ink_centred),
    ("embedding_plot", embedding_plot, "one dot recoloured", lambda lang: lambda m: m[0].dots[0].set_color(NEGATIVE)),
    ("embedding_plot", embedding_plot, "one word removed", lambda lang: lambda m: m[0].labels.remove(m[0].labels[0])),
    ("transformer_diagram", transformer_diagram, "one block's outline recoloured",
     lambda: lambda m: m[0].blocks[1][0].set_stroke(MUTED)),
    ("transformer_diagram", transformer_diagram, "one arrow removed", lambda: lambda m: m[0].arrows.remove(m[0].arrows[2])),
    ("temperature_slider", temperature_slider, "the track removed", lambda: lambda m: m[0].remove(m[0].track)),
    ("temperature_slider", temperature_slider, "the knob removed", lambda: lambda m: m[0].remove(m[0].knob)),
    ("temperature_slider", temperature_slider, "the readout removed", lambda: lambda m: m[0].remove(m[0].readout)),
    ("temperature_slider", temperature_slider, "the knob recoloured", lambda: lambda m: m[0].knob.set_color(NEGATIVE)),
    ("temperature_slider", temperature_slider, "one tick's number removed",
     lambda: lambda m: m[0].ticks[2].remove(m[0].ticks[2][1])),
    ("attention_grid", attention_grid, "the largest dot of the last query recoloured", _strongest_dot_recoloured),
    ("attention_grid", attention_grid, "one masked cell unmasked", _masked_cell_cleared),
    ("matrix_block", matrix_block, "the head's band recoloured", lambda lang, weights: lambda m: m[1].set_stroke(NEGATIVE)),
    ("matrix_block", matrix_block, "the name removed", lambda lang, weights: lambda m: m[0].remove(m[0].title)),
]


test_picture_sees_a_small_change, test_picture_tolerates_antialiasing, test_every_piece_here_has_its_change = \
    piece_checks(CHANGES, [token_row, probability_bars, temperature_slider], globals())


def test_comparison_catches_a_changed_language_drawing(request, lang):
    """Another prompt's distribution, or the token row moved, is not the stored picture."""
    vocab = _vocab(lang)
    reference = stored("probability_bars")
    other = ProbabilityBars.top(lang["prompt_probs"][0], vocab, k=5).move_to(np.zeros(3))
    assert not compare(draw(other, other.highlight(0)), reference).same
    row, = picture(request, token_row)
    assert not compare(draw(row.copy().shift(0.1 * RIGHT)), stored("token_row")).same  # 3 pixels to the right
