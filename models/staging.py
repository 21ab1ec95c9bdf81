"""A change of model is built aside, then swapped in whole: nothing half-made ever replaces a good artifact.

``render.py import digits``, ``train digits --sizes`` and ``train lm --facts`` change what a model
learns from (a choice file in the cache). Each builds the model's stages in a staging folder inside
the cache, under the new choice; only when every stage is built are they, and the choice file,
moved into place, each stage under its build lock. A bad file, a failed build or a kill leaves the
previous artifacts and choice exactly as they were (a killed change's staging folder is removed
by the next change).

The artifacts a change replaces are kept aside (``.kept/NAME``, one generation): changing back
(``render.py train lm`` after ``--facts``, ``train digits`` after an import) finds them current,
checks their files against their manifests, and takes them instead of training again.

Example::

    swap_in("lm", ("lm", "lm-story", "lm-facts"), "lm-choice.json", choice_bytes)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from models.artifacts import atomic_write, cache_dir

__all__ = ["cache_at", "swap_in"]


@contextlib.contextmanager
def cache_at(folder: Path):
    """Point :func:`models.artifacts.cache_dir` at ``folder`` for the duration."""
    old = os.environ.get("NN_EXPLAINER_CACHE")
    os.environ["NN_EXPLAINER_CACHE"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("NN_EXPLAINER_CACHE", None)
        else:
            os.environ["NN_EXPLAINER_CACHE"] = old


def swap_in(model: str, stages: tuple[str, ...], choice_file: str, choice: bytes | None,
            prepare: Callable[[Path], list[str]] | None = None, mnist_dir: str | None = None,
            progress: Callable[[str], None] | None = None):
    """Build ``stages`` in a staging folder under the choice ``choice`` (the bytes of
    ``choice_file``; ``None``: the default, no choice file), then swap them and the choice in.

    ``prepare(staging)`` may write more files there first (an imported network's weights); it
    returns their paths relative to the cache, which are moved into place too. Returns the
    built artifacts, read from their final place."""
    from models.artifacts import load_artifact
    from models.pipeline import _build_lock, _print_progress, ensure

    progress = progress or _print_progress
    live = cache_dir()
    live.mkdir(parents=True, exist_ok=True)
    _clear_stale_staging(live)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{model}-{os.getpid()}-", dir=live))
    try:
        if (live / "mnist").is_dir():  # the digits, already unpacked
            shutil.copytree(live / "mnist", staging / "mnist")
        extra = prepare(staging) if prepare else []
        if choice is not None:
            atomic_write(staging / choice_file, choice)
        with cache_at(staging):
            _take_kept(live, staging, stages, mnist_dir, progress)
            memo: dict = {}
            for name in stages:
                ensure(name, mnist_dir=mnist_dir, progress=progress, _memo=memo)
        # Swap in, one stage at a time under its build lock; the choice file goes last.
        with contextlib.ExitStack() as locks:
            for name in stages:
                locks.enter_context(_build_lock(name, progress))
            for rel in extra:
                (live / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / rel, live / rel)
            kept = live / KEPT
            kept.mkdir(exist_ok=True)
            for name in stages:
                old = kept / name
                shutil.rmtree(old, ignore_errors=True)
                if (live / name).exists():
                    os.replace(live / name, old)  # kept for a change back
                os.replace(staging / name, live / name)
            if choice is None:
                (live / choice_file).unlink(missing_ok=True)  # the default: no choice file at all
            else:
                os.replace(staging / choice_file, live / choice_file)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [load_artifact(name) for name in stages]


KEPT = ".kept"


def _take_kept(live: Path, staging: Path, stages: tuple[str, ...], mnist_dir: str | None,
               progress: Callable[[str], None]) -> None:
    """Copy into ``staging`` (the current cache) each kept artifact whose key is the one the new
    choice expects; :func:`models.pipeline.ensure` then checks its files and reuses it."""
    import json

    from models.pipeline import expected_key

    memo: dict = {}
    for name in stages:
        folder = live / KEPT / name
        try:
            key = json.loads((folder / "manifest.json").read_text()).get("key")
        except (OSError, ValueError, AttributeError):
            continue
        if key == expected_key(name, mnist_dir, memo)[0]:
            progress(f"reusing {name}: built before for this choice (kept in {KEPT}/)")
            shutil.copytree(folder, staging / name)


def _clear_stale_staging(live: Path) -> None:
    """Remove the staging folders of changes that were killed before they finished."""
    for folder in live.glob(".staging-*"):
        try:
            os.kill(int(folder.name.split("-")[2]), 0)  # its process still runs: leave it
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass
