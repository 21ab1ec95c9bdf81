"""The palette: every colour a scene may use, each with one meaning, and the value scales.

Colour carries meaning in every chapter, and a colour means one thing only:

=============  ==========================================================================
``POSITIVE``   blue: a positive value (a weight, a nudge, a dot product)
``NEGATIVE``   red: a negative value
``ACCENT``     yellow: "look here" (the neuron or number the narration is about)
``INK``        white: text, and full brightness of an activation (black is 0)
``MUTED``      grey: secondary text, neuron outlines, axes
``FAINT``      dark grey: frames, tracks, edges before they carry a weight
``COST``       orange: a cost or loss (a value, a curve, a landscape's height)
``SCORE``      green: accuracy, a right answer
``FUNCTION``   lavender: a mathematical function drawn for itself (sigmoid, ReLU, an
               illustration's made-up curve), not a model quantity
``MASKED``     charcoal: a cell that is not allowed to hold a value (a masked attention cell)
``LINK_Z``     pink: how a weighted sum z responds to one of its inputs (a chain-rule factor
               dz/dw, dz/db, dz/da and the arrow it belongs to)
``LINK_A``     teal: how an activation responds to its weighted sum, sigma'(z) (factor and arrow)
``LINK_C``     tan: how the cost responds to an activation, 2(a - y) (factor and arrow)
``BACKGROUND`` black
=============  ==========================================================================

Signed values go through :func:`value_to_rgb` / :func:`value_to_color` (black at 0, brighter
blue or red with size), activations through :func:`activation_color`, costs through
:func:`cost_to_rgb`. A quantity keeps one scale (one ``vmax``) wherever it is drawn: the
digit network's weights use the scale its artifact stores (``weight_vmax``), so the same
weight has the same colour on an edge, in a heat map and in Chapter 2's weight maps.

Scenes take colours from here only; ``tests/test_palette.py`` fails on a raw Manim colour
constant or a hex string anywhere else in ``scenes/``.

Example::

    from scenes.palette import COST, value_to_color
    line.set_stroke(value_to_color(w, vmax=d["weight_vmax"]))
"""

from __future__ import annotations

import numpy as np
from manim import BLACK, GREY_B, GREY_D, WHITE, ManimColor, interpolate_color

__all__ = [
    "ACCENT",
    "BACKGROUND",
    "COST",
    "FAINT",
    "FUNCTION",
    "INK",
    "LINK_A",
    "LINK_C",
    "LINK_Z",
    "MASKED",
    "MUTED",
    "NEGATIVE",
    "POSITIVE",
    "SCORE",
    "activation_color",
    "cost_to_rgb",
    "signed_color",
    "value_to_color",
    "value_to_rgb",
    "value_to_rgb_log",
]

POSITIVE = ManimColor("#58C4DD")
NEGATIVE = ManimColor("#FC6255")
ACCENT = ManimColor("#FFFF00")
INK = ManimColor(WHITE)
MUTED = ManimColor(GREY_B)
FAINT = ManimColor(GREY_D)
COST = ManimColor("#FF9A3C")
SCORE = ManimColor("#83C167")
FUNCTION = ManimColor("#B8A2E3")
MASKED = ManimColor("#3A3A3A")
# Chapter 4's chain-rule links: each factor of a derivative wears the colour of its arrow
LINK_Z = ManimColor("#FF8AD8")
LINK_A = ManimColor("#3CC9A8")
LINK_C = ManimColor("#D9B36C")
BACKGROUND = ManimColor(BLACK)


def value_to_rgb(values: np.ndarray, vmax: float) -> np.ndarray:
    """Signed values -> uint8 RGB: black at 0, blue for positive, red for negative, |v|/vmax bright."""
    values = np.asarray(values, dtype=np.float64)
    t = np.clip(np.abs(values) / vmax, 0.0, 1.0)[..., None]
    pos = np.array(POSITIVE.to_rgb())
    neg = np.array(NEGATIVE.to_rgb())
    rgb = np.where(values[..., None] >= 0, pos, neg) * t
    return np.round(rgb * 255).astype(np.uint8)


def value_to_rgb_log(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Signed values spanning decades -> uint8 RGB: blue or red by sign as :func:`value_to_rgb`,
    brightness on a log scale from ``lo`` (black) to ``hi`` (full)."""
    values = np.asarray(values, dtype=np.float64)
    size = np.maximum(np.abs(values), lo)
    t = np.clip(np.log(size / lo) / np.log(hi / lo), 0.0, 1.0)[..., None]
    rgb = np.where(values[..., None] >= 0, np.array(POSITIVE.to_rgb()), np.array(NEGATIVE.to_rgb())) * t
    return np.round(rgb * 255).astype(np.uint8)


def value_to_color(value: float, vmax: float) -> ManimColor:
    """The palette's colour of one signed value (same mapping as :func:`value_to_rgb`)."""
    r, g, b = value_to_rgb(np.array([value]), vmax)[0]
    return ManimColor.from_rgb((int(r), int(g), int(b)))


def signed_color(value: float) -> ManimColor:
    """Full blue or red by sign (for text and arrows, which must stay readable when small)."""
    return POSITIVE if value >= 0 else NEGATIVE


def activation_color(a: float) -> ManimColor:
    """Brightness for an activation in [0, 1]: black (0) to white (1)."""
    return interpolate_color(BACKGROUND, INK, float(np.clip(a, 0.0, 1.0)))


def cost_to_rgb(cost: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Costs -> uint8 RGB on a log scale: low cost near black, high cost bright orange (``COST``)."""
    t = (np.log(np.asarray(cost, dtype=np.float64)) - np.log(lo)) / (np.log(hi) - np.log(lo))
    t = np.clip(t, 0.0, 1.0)[..., None]
    dark, bright = np.array([0.04, 0.03, 0.02]), np.array(COST.to_rgb())
    return np.round((dark + (bright - dark) * t**1.6) * 255).astype(np.uint8)  # dark mid-range: the valleys show
