"""Picture tests done by hand: draw a piece with Manim's Cairo camera and compare with a stored PNG.

(Manim's own ``frames_comparison`` silently skips on Debian's Cairo 1.16, so it can't be relied on.)

The comparison follows the picture's *ink*, not the frame: a piece covers a few percent of a
mostly black frame, so a rule counted over the whole frame lets a blank frame, a missing knob or
a recoloured edge pass. A pixel is ink when some channel is above ``INK_LEVEL`` (the background
is black), and it has changed when some channel moved by more than ``CHANGE_LEVEL``. A frame
matches its reference when

* its amount of ink is within ``INK_TOLERANCE`` of the reference's (a blank, half-drawn or
  over-drawn piece fails). The amount is the sum of every pixel's brightest channel, in full
  pixels, not a count over a threshold: a faint antialiased edge pixel is a fraction of ink, so
  the amount barely moves when edges land a fraction of a pixel elsewhere, where a count of
  pixels above a level jumps by several percent;
* at most ``CHANGE_TOLERANCE`` of the reference's ink has changed (many small changes fail);
* no changed pixels clump: every 8-connected group of changed pixels has at most ``CLUMP``
  pixels. Antialiasing noise is single pixels scattered along edges; anything a viewer can make
  out at this size (a 3x3-pixel heat-map cell, a dot, a word, a recoloured edge) is a bigger
  group, however small a share of the ink it is.

Stability: on one machine Cairo draws the same frame to the bit on every run, so a matching
frame differs by nothing at all. The tolerances are there for antialiasing noise, and
:func:`assert_tolerates_antialiasing` shows they absorb it: a vector piece drawn a tenth of a
pixel off (its edge pixels' coverage shifts by up to a tenth) still matches, while
:func:`assert_catches` shows, piece by piece, that a small change of the piece's own drawing
does not. (Pixel images drawn with nearest-neighbour resampling, such as the digit and the heat
maps, have no antialiasing: moved by a fraction of a pixel, a whole column of their cells
lands one pixel over, which is a real change.)
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy import ndimage  # a dependency of Manim's
from manim import RIGHT, UP, Camera, config, tempconfig
from PIL import Image

PICTURES = Path(__file__).parent / "golden" / "pictures"
SIZE = (427, 240)  # half of 854x480
INK_LEVEL = 24  # a pixel is ink when some channel is above this (0..255; the background is black)
CHANGE_LEVEL = 40  # a pixel has changed when some channel differs by more than this
INK_TOLERANCE = 0.03  # the amount of ink may differ from the reference's by this share of it
CHANGE_TOLERANCE = 0.01  # changed pixels allowed, as a share of the reference's ink
CLUMP = 6  # the most changed pixels allowed to touch each other (8-connected)


def draw(*mobjects) -> np.ndarray:
    """An RGB frame (H, W, 3) of the mobjects on the black background."""
    with tempconfig({"pixel_width": SIZE[0], "pixel_height": SIZE[1]}):
        camera = Camera()
        camera.capture_mobjects(list(mobjects))
        return np.asarray(camera.get_image().convert("RGB"))


def ink(frame: np.ndarray) -> np.ndarray:
    """Where the frame is drawn on: (H, W) booleans."""
    return frame.max(axis=2) > INK_LEVEL


def ink_amount(frame: np.ndarray) -> float:
    """How much is drawn, in full-brightness pixels: each pixel counts its brightest channel / 255."""
    return float(frame.max(axis=2).sum(dtype=np.int64)) / 255.0


@dataclass(frozen=True)
class Comparison:
    """How a frame differs from its reference, counted against the reference's ink."""

    ink: int  # ink pixels of the reference
    amount: float  # the reference's amount of ink (full-brightness pixels)
    new_amount: float  # the frame's
    changed: int  # pixels that differ by more than CHANGE_LEVEL in some channel
    clump: int  # the largest 8-connected group of changed pixels
    where: tuple[int, int] | None = None  # (x, y) of that group's first pixel

    @property
    def ink_change(self) -> float:
        return abs(self.new_amount - self.amount) / max(self.amount, 1.0)

    @property
    def allowed(self) -> int:
        return int(CHANGE_TOLERANCE * self.ink)

    @property
    def same(self) -> bool:
        return self.ink_change <= INK_TOLERANCE and self.changed <= self.allowed and self.clump <= CLUMP

    def __str__(self) -> str:
        at = f" at x={self.where[0]}, y={self.where[1]}" if self.where else ""
        return (f"ink {self.new_amount:.0f} vs {self.amount:.0f} px ({self.ink_change:.1%} apart, allowed "
                f"{INK_TOLERANCE:.0%}); "
                f"{self.changed} px changed ({self.changed / max(self.ink, 1):.2%} of the ink, allowed "
                f"{CHANGE_TOLERANCE:.0%}); largest clump {self.clump} px{at} (allowed {CLUMP})")


def compare(frame: np.ndarray, stored: np.ndarray) -> Comparison:
    """Count ``frame``'s difference from the reference ``stored`` (both RGB, (H, W, 3))."""
    assert stored.shape == frame.shape, f"frame {frame.shape} vs stored {stored.shape}"
    changed = np.abs(frame.astype(np.int16) - stored.astype(np.int16)).max(axis=2) > CHANGE_LEVEL
    clump, where = 0, None
    if changed.any():
        groups, _ = ndimage.label(changed, structure=np.ones((3, 3)))
        sizes = np.bincount(groups.ravel())
        sizes[0] = 0
        biggest = int(np.argmax(sizes))
        clump = int(sizes[biggest])
        y, x = np.argwhere(groups == biggest)[0]
        where = (int(x), int(y))
    return Comparison(ink=int(ink(stored).sum()), amount=ink_amount(stored), new_amount=ink_amount(frame),
                      changed=int(changed.sum()), clump=clump, where=where)


def references() -> list[Path]:
    """The stored reference frames (not the ``.actual.png`` a failed test leaves beside them)."""
    return sorted(p for p in PICTURES.glob("*.png") if not p.name.endswith(".actual.png"))


def stored(name: str) -> np.ndarray:
    path = PICTURES / f"{name}.png"
    assert path.exists(), f"{path} is missing: create it with `./dev test --update-goldens`"
    return np.asarray(Image.open(path).convert("RGB"))


def assert_picture(name: str, frame: np.ndarray, update: bool) -> None:
    path = PICTURES / f"{name}.png"
    if update:
        PICTURES.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame).save(path)
        return
    result = compare(frame, stored(name))
    if not result.same:
        out = path.with_name(f"{name}.actual.png")
        Image.fromarray(frame).save(out)
        raise AssertionError(
            f"{name}: differs from {path.name} ({result}); "
            f"see {out.name}; if intended, run `./dev test --update-goldens`"
        )


def assert_catches(name: str, mobjects, mutate: Callable[[list], object]) -> Comparison:
    """Check that the comparison with the stored reference sees a small change of the piece: the
    mobjects as given match ``name``'s reference, and after ``mutate`` (which edits a copy of the
    list of mobjects, or the mobjects in it, in place) they no longer do."""
    reference = stored(name)
    mobjects = copy.deepcopy(list(mobjects))
    untouched = compare(draw(*mobjects), reference)
    assert untouched.same, f"{name}: the unchanged drawing does not match {name}.png ({untouched})"
    mutate(mobjects)
    result = compare(draw(*mobjects), reference)
    assert not result.same, f"{name}: the changed drawing still matches {name}.png ({result})"
    return result


def assert_tolerates_antialiasing(name: str, mobjects) -> Comparison:
    """Check that antialiasing noise passes: the mobjects drawn a tenth of a pixel off (each edge
    pixel's coverage moves a little; nothing a viewer could see) still match ``name``'s reference."""
    step = 0.1 * config.frame_height / SIZE[1]  # a tenth of a pixel, in scene units
    mobjects = copy.deepcopy(list(mobjects))
    for m in mobjects:
        m.shift(step * RIGHT + 0.6 * step * UP)
    result = compare(draw(*mobjects), stored(name))
    assert result.same, f"{name}: a tenth of a pixel off no longer matches {name}.png ({result})"
    return result


def with_fixtures(request, function: Callable):
    """Call ``function`` (a picture's builder, or a change's maker) with the fixtures its parameters name."""
    return function(*[request.getfixturevalue(p) for p in inspect.signature(function).parameters])


_pictures: dict[Callable, list] = {}


def picture(request, builder: Callable) -> list:
    """The mobjects ``builder`` draws, built once per session (building the text is most of a
    picture test's time): don't change them, :func:`assert_catches` changes a copy."""
    if builder not in _pictures:
        _pictures[builder] = with_fixtures(request, builder)
    return _pictures[builder]


def piece_checks(changes: list, smooth: list[Callable], module_globals: dict):
    """The checks every picture test module runs on its pieces, as test functions to bind at its
    top level: each of ``changes`` ``(name, builder, what, mutation)`` must fail its reference;
    each of the ``smooth`` builders tolerates a tenth of a pixel; every referenced picture the
    module tests (a ``test_<name>`` in ``module_globals``) has a change."""
    import pytest

    @pytest.mark.parametrize("name,builder,change,mutation", changes, ids=[f"{n}: {c}" for n, _, c, _ in changes])
    def test_picture_sees_a_small_change(request, name, builder, change, mutation):
        assert_catches(name, picture(request, builder), with_fixtures(request, mutation))

    @pytest.mark.parametrize("builder", smooth, ids=lambda b: b.__name__)
    def test_picture_tolerates_antialiasing(request, builder):
        """The piece drawn a tenth of a pixel off (every edge pixel's coverage moves a little) still matches."""
        assert_tolerates_antialiasing(builder.__name__, picture(request, builder))

    def test_every_piece_here_has_its_change():
        pictured = {name[len("test_"):] for name in module_globals if name.startswith("test_")}
        assert {name for name, *_ in changes} == pictured & {p.stem for p in references()}

    return test_picture_sees_a_small_change, test_picture_tolerates_antialiasing, test_every_piece_here_has_its_change
