"""Colour means one thing: scenes take their colours from scenes/palette.py only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from manim.utils.color import manim_colors

from scenes import palette

SCENES_DIR = Path(__file__).parent.parent / "scenes"
MANIM_COLOURS = {name for name in dir(manim_colors) if name.isupper() and not name.startswith("_")}
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def raw_colours(path: Path) -> list[str]:
    """Raw Manim colour constants imported or used, hex strings, and ManimColor(...) built by hand."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("manim"):
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in MANIM_COLOURS]
        elif isinstance(node, ast.Attribute) and node.attr in MANIM_COLOURS:
            found.append(f"line {node.lineno}: uses {node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and HEX.match(node.value):
            found.append(f"line {node.lineno}: hex colour {node.value!r}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ManimColor":
            found.append(f"line {node.lineno}: builds a ManimColor")
    return found


@pytest.mark.parametrize("path", sorted(p for p in SCENES_DIR.glob("*.py") if p.name != "palette.py"),
                         ids=lambda p: p.name)
def test_scenes_use_only_the_palette(path):
    found = raw_colours(path)
    assert not found, f"{path.name} uses colours outside scenes/palette.py: " + "; ".join(found)


def test_the_check_catches_a_raw_colour(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from manim import RED, Text\nText('x', color=RED)\nText('y', color='#123456')\n")
    assert len(raw_colours(bad)) == 2


def test_palette_colours_are_distinct():
    """No two meanings share a colour."""
    names = [n for n in palette.__all__ if n.isupper()]
    colours = {n: getattr(palette, n).to_hex().lower() for n in names}
    assert len(set(colours.values())) == len(colours), colours


def test_signed_values_map_by_sign_and_size():
    rgb = palette.value_to_rgb(np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 4.0]), vmax=2.0)
    assert rgb[2].tolist() == [0, 0, 0]  # zero is the background
    np.testing.assert_array_equal(rgb[4], np.round(np.array(palette.POSITIVE.to_rgb()) * 255))
    np.testing.assert_array_equal(rgb[0], np.round(np.array(palette.NEGATIVE.to_rgb()) * 255))
    np.testing.assert_array_equal(rgb[5], rgb[4])  # beyond vmax saturates
    assert rgb[3].sum() < rgb[4].sum() and rgb[1].sum() < rgb[0].sum()  # brighter with size
    lo, hi = palette.cost_to_rgb(np.array([0.01, 1.0]), 0.01, 1.0)
    np.testing.assert_array_equal(hi, np.round(np.array(palette.COST.to_rgb()) * 255))
    assert lo.sum() < 40  # a low cost is dark
