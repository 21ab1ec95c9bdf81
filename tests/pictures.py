"""Picture tests done by hand: draw a piece with Manim's Cairo camera and compare with a stored PNG.

(Manim's own ``frames_comparison`` silently skips on Debian's Cairo 1.16, so it can't be relied on.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from manim import Camera, tempconfig
from PIL import Image

PICTURES = Path(__file__).parent / "golden" / "pictures"
SIZE = (427, 240)  # half of 854x480
MEAN_TOLERANCE = 2.0  # mean absolute difference per channel, 0..255
PIXEL_TOLERANCE = 0.005  # share of pixels allowed to differ by more than 48 in some channel


def draw(*mobjects) -> np.ndarray:
    """An RGB frame (H, W, 3) of the mobjects on the black background."""
    with tempconfig({"pixel_width": SIZE[0], "pixel_height": SIZE[1]}):
        camera = Camera()
        camera.capture_mobjects(list(mobjects))
        return np.asarray(camera.get_image().convert("RGB"))


def difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(mean absolute difference, share of pixels that differ by more than 48)."""
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return float(diff.mean()), float((diff.max(axis=2) > 48).mean())


def assert_picture(name: str, frame: np.ndarray, update: bool) -> None:
    path = PICTURES / f"{name}.png"
    if update:
        PICTURES.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame).save(path)
        return
    assert path.exists(), f"{path} is missing: create it with `./dev test --update-goldens`"
    stored = np.asarray(Image.open(path).convert("RGB"))
    assert stored.shape == frame.shape, f"{name}: frame {frame.shape} vs stored {stored.shape}"
    mean, share = difference(frame, stored)
    if mean > MEAN_TOLERANCE or share > PIXEL_TOLERANCE:
        out = path.with_name(f"{name}.actual.png")
        Image.fromarray(frame).save(out)
        raise AssertionError(
            f"{name}: differs from {path.name} (mean {mean:.2f}, {share:.2%} of pixels); "
            f"see {out.name}; if intended, run `./dev test --update-goldens`"
        )
