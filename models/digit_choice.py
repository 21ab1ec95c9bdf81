"""Which digit network the chapters draw: one trained here (of any hidden widths), or imported.

The choice is a small file in the artifact cache, ``digits-choice.json``; without it the
chapters draw the default 784-16-16-10 network trained here. The ``digits`` stage reads the
choice into its config, so the artifact's key follows it: a trained network's key from its
sizes and training settings, an imported one's from its file's SHA-256.

    python render.py train digits --sizes 784,32,32,10   # train (and draw) another shape
    python render.py import digits net.pkl               # draw imported weights
    python render.py train digits                        # back to the default network

A change of network is built completely in a staging folder inside the cache, then swapped
in: a file that cannot be imported (a wrong shape, NaN, a pickle that would run code, not
weights at all) or a build that fails leaves the previous artifacts and choice untouched.

Example::

    select_digits(import_choice("net.pkl"))   # checks, builds, swaps in
    digit_choice()                            # {"source": "imported", "file": ..., "sha256": ..., "sizes": [...]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from models.artifacts import ArtifactError, cache_dir, file_sha256, save_npz

__all__ = ["CHOICE_FILE", "DEFAULT_SIZES", "describe_choice", "digit_choice", "import_choice", "imported_weights", "parse_sizes",
           "select_digits", "trained_choice"]

CHOICE_FILE = "digits-choice.json"
DEFAULT_SIZES = (784, 16, 16, 10)
MAX_HIDDEN = 32  # wider layers no longer read as neurons (nor their weight maps) on the chapters' drawings
MAX_HIDDEN_LAYERS = 3  # more columns than five no longer fit the frame with their labels
DIGIT_STAGES = ("digits", "digits-story")  # what a change of network rebuilds and swaps in


class ChoiceError(ArtifactError):
    """Sizes or a weight file that cannot become the chapters' network; the message names why."""


def parse_sizes(text: str | None) -> tuple[int, ...]:
    """``"784,32,32,10"`` -> (784, 32, 32, 10); the chapters need 784 inputs (28 x 28 pixels), one
    to ``MAX_HIDDEN_LAYERS`` hidden layers of 2 to ``MAX_HIDDEN`` neurons, and 10 outputs."""
    if text is None:
        return DEFAULT_SIZES
    try:
        sizes = tuple(int(part) for part in str(text).replace(" ", "").split(","))
    except ValueError:
        raise ChoiceError(f"--sizes {text!r}: give whole numbers separated by commas, e.g. 784,32,32,10") from None
    if len(sizes) < 3 or sizes[0] != 784 or sizes[-1] != 10:
        raise ChoiceError(f"--sizes {text!r}: a digit network starts with 784 inputs (28 x 28 pixels) and ends with "
                          "10 outputs, e.g. 784,32,32,10")
    if len(sizes) - 2 > MAX_HIDDEN_LAYERS:
        raise ChoiceError(f"--sizes {text!r}: the chapters draw 1 to {MAX_HIDDEN_LAYERS} hidden layers side by side in "
                          f"one frame; {len(sizes) - 2} no longer fit")
    if any(not 2 <= n <= MAX_HIDDEN for n in sizes[1:-1]):
        raise ChoiceError(f"--sizes {text!r}: each hidden layer needs 2 to {MAX_HIDDEN} neurons to be drawn")
    return sizes


def trained_choice(sizes: tuple[int, ...] = DEFAULT_SIZES) -> dict:
    return {"source": "trained", "sizes": [int(s) for s in sizes]}


def digit_choice() -> dict:
    """The current choice (the default network trained here when none was made)."""
    path = cache_dir() / CHOICE_FILE
    if not path.exists():
        return trained_choice()
    try:
        choice = json.loads(path.read_text())
        sizes = parse_sizes(",".join(str(s) for s in choice["sizes"]))
        if choice["source"] == "imported":
            str(choice["file"]), str(choice["sha256"])
        elif choice["source"] != "trained":
            raise KeyError("source")
    except (OSError, ValueError, KeyError, TypeError, ChoiceError) as exc:
        raise ArtifactError(f"{path} is unreadable ({exc}); run `python render.py train digits` to go back to "
                            "the trained network") from exc
    return {**choice, "sizes": list(sizes)}


def _imports_dir() -> Path:
    return cache_dir() / "imports"


def imported_weights(choice: dict) -> Path:
    """The cache's copy of an imported network (network.py's layout, ``w0.. b0..``)."""
    return _imports_dir() / f"{choice['sha256']}.npz"


def import_choice(path: str | Path, sizes: tuple[int, ...] | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """Read and check a weight file (see :func:`models.digit_net.import_network_py`); returns the
    choice it makes and its arrays. Without ``sizes`` they are read from the file's shapes.
    Raises :class:`models.digit_net.WeightImportError` naming the problem."""
    from models.digit_net import DigitNetConfig, WeightImportError, import_network_py, network_py_sizes

    path = Path(path).expanduser()
    if not path.is_file():
        raise WeightImportError(f"{path}: no such file")
    shape_sizes = network_py_sizes(path)
    if sizes is None:
        try:
            sizes = parse_sizes(",".join(map(str, shape_sizes)))
        except ChoiceError as exc:
            raise WeightImportError(f"{path}: its weights make a {'-'.join(map(str, shape_sizes))} network. "
                                    f"{str(exc).split(': ', 1)[1]}") from None
    net = import_network_py(path, DigitNetConfig(tuple(sizes)))
    choice = {"source": "imported", "file": str(path.resolve()), "sha256": file_sha256(path),
              "sizes": [int(s) for s in sizes]}
    return choice, net.to_arrays()


def select_digits(choice: dict, arrays: dict[str, np.ndarray] | None = None, mnist_dir: str | None = None,
                  progress: Callable[[str], None] | None = None):
    """Make ``choice`` the chapters' network: build its artifacts in a staging folder, then swap them
    and the choice file in (:func:`models.staging.swap_in`). Returns the built artifacts (read
    from their final place). Anything that fails before the swap leaves the cache as it was."""
    from models.staging import swap_in

    def prepare(staging: Path) -> list[str]:
        if arrays is None:
            return []
        copy = imported_weights(choice).relative_to(cache_dir())
        (staging / copy).parent.mkdir(parents=True)
        save_npz(staging / copy, arrays)
        return [str(copy)]

    text = None if choice == trained_choice() else (json.dumps(choice, indent=2) + "\n").encode()
    return swap_in("digits", DIGIT_STAGES, CHOICE_FILE, text, prepare, mnist_dir, progress)


def describe_choice(choice: dict | None = None) -> str:
    """One line for ``render.py list``: which network the digit chapters draw."""
    choice = digit_choice() if choice is None else choice
    shape = "-".join(str(s) for s in choice["sizes"])
    if choice["source"] == "imported":
        return (f"{shape}, imported from {choice['file']} (sha256 {choice['sha256'][:12]}...); the beats that need a "
                f"training history draw a {shape} network trained here. `render.py train digits` trains instead")
    return f"{shape}, trained here" + ("" if tuple(choice["sizes"]) == DEFAULT_SIZES else
                                       " (`render.py train digits` goes back to 784-16-16-10)")
