"""The language chapters' drawing pieces, drawn from the real language-model artifacts, against
stored frames; and the small rules they follow (rounding, ordering, geometry)."""

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
from tests.pictures import MEAN_TOLERANCE, PIXEL_TOLERANCE, assert_picture, difference, draw


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


def test_token_row(lang, update_goldens):
    row = TokenRow([str(w) for w in lang["sentence"]], font_size=22)
    assert len(row.boxes) == len(lang["sentence"])
    # boxes run left to right without overlapping, each holding its own word
    for a, b in zip(row.boxes, row.boxes[1:]):
        assert a.get_right()[0] < b.get_left()[0]
    for box, label in zip(row.boxes, row.labels):
        assert box.get_left()[0] < label.get_left()[0] and label.get_right()[0] < box.get_right()[0]
    assert_picture("token_row", draw(row.scale_to_fit_width(12)), update_goldens)


def test_probability_bars(lang, update_goldens):
    bars = ProbabilityBars.top(lang["prompt_probs"][1], _vocab(lang), k=5)
    lengths = [row[1].width for row in bars.rows]
    assert lengths == sorted(lengths, reverse=True)  # longest bar first: the most likely word
    assert lengths[0] == pytest.approx(3.0 * float(np.max(lang["prompt_probs"][1])), rel=1e-6)
    assert_picture("probability_bars", draw(bars.move_to(np.zeros(3)), bars.highlight(0)), update_goldens)


def test_probability_bars_reshape_in_place(lang):
    t = lang["temperature_probs"]
    vocab = _vocab(lang)
    bars = ProbabilityBars.top(t[1], vocab, k=5).shift(RIGHT)
    ids = [vocab.index(w) for w in bars.words]
    hot = bars.reshaped(t[2][ids])
    assert hot.words == bars.words
    np.testing.assert_allclose(hot.rows[0][1].get_left(), bars.rows[0][1].get_left(), atol=1e-9)
    assert hot.rows[0][1].width < bars.rows[0][1].width  # a higher temperature flattens the top word


def test_embedding_plot(lang, update_goldens):
    words = [str(w) for w in lang["embedding_words"]]
    plot = EmbeddingPlot(lang["embedding_2d"], words, size=4.5)
    # each dot sits at its word's projected coordinates, on one scale for both axes
    xy = lang["embedding_2d"]
    a, b = words.index("king"), words.index("queen")
    got = plot.dots[b].get_center()[:2] - plot.dots[a].get_center()[:2]
    np.testing.assert_allclose(got, (xy[b] - xy[a]) * plot.scale, atol=1e-6)
    np.testing.assert_allclose(plot.point("queen"), plot.dots[b].get_center(), atol=1e-9)
    assert_picture("embedding_plot", draw(plot.move_to(np.zeros(3)), plot.arrow("man", "woman")), update_goldens)


def test_transformer_diagram(update_goldens):
    diagram = TransformerDiagram(2, notes=["225 × 64", "", "", "", "", "64 × 225", ""])
    assert diagram.names == ["embedding", "attention", "MLP", "attention", "MLP", "unembedding", "softmax"]
    xs = [b.get_x() for b in diagram.blocks]
    assert xs == sorted(xs) and diagram.width <= 12.7
    assert_picture("transformer_diagram", draw(diagram), update_goldens)


def test_temperature_slider(update_goldens):
    slider = TemperatureSlider([0.5, 1.0, 2.0], value=1.0)
    start = slider.track.get_start()[0]
    # the knob sits at its value along the track
    assert slider.knob.get_x() - start == pytest.approx(slider.length * (1.0 - slider.low) / (slider.high - slider.low))
    assert_picture("temperature_slider", draw(slider.move_to(np.zeros(3))), update_goldens)


def test_attention_grid(lang, update_goldens):
    words = [str(w) for w in lang["sentence"]]
    grid = AttentionGrid(words, cell=0.3, font_size=14)
    n = len(words)
    assert len(grid.masked_cells()) == n * (n - 1) // 2
    finite = np.where(np.isfinite(lang["head_masked"]), lang["head_masked"], 0.0)
    grid.shade(finite, vmax=float(np.abs(finite).max()), animate=False).mask(animate=False)
    grid.softmax(lang["head_pattern"], animate=False)
    # each query's dots are as many as the keys it may see, largest where its weight is largest
    q = n - 1
    radii = [d.width for d in grid.dots[q]]
    assert len(radii) == n and int(np.argmax(radii)) == int(np.argmax(lang["head_pattern"][q]))
    assert_picture("attention_grid", draw(grid.move_to(np.zeros(3))), update_goldens)


def test_matrix_block(lang, weights, update_goldens):
    layer, head = (int(x) for x in lang["attention_layer_head"])
    w = weights[f"transformer.h.{layer}.attn.c_attn.weight"][:64]  # W_Q, all heads: (64, 64)
    block = MatrixBlock(w, name=r"W_Q", cell=0.05)
    assert (block.rows, block.cols) == (64, 64)
    band = block.band(16 * head, 16 * (head + 1))
    assert band.height == pytest.approx(block.heat.height / 4)
    assert_picture("matrix_block", draw(block.move_to(np.zeros(3)), band), update_goldens)


def test_comparison_catches_a_changed_language_drawing(lang):
    """The tolerance sees a different distribution and a moved token row."""
    vocab = _vocab(lang)
    a = draw(ProbabilityBars.top(lang["prompt_probs"][1], vocab, k=5))
    b = draw(ProbabilityBars.top(lang["prompt_probs"][0], vocab, k=5))
    mean, share = difference(a, b)
    assert mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE
    row = TokenRow(["michael", "jordan", "plays"])
    assert difference(draw(row), draw(row.copy().shift(0.3 * RIGHT)))[1] > PIXEL_TOLERANCE
