"""Shared fixtures: the real artifacts (built once per session), goldens, strict scene layout.

Update the golden numbers and pictures on purpose with ``./dev test --update-goldens``
(then review ``git diff tests/golden``).
"""

from __future__ import annotations

import os
import re

import pytest

# Waiting threads sleep rather than spin: two workers (and the processes their tests start) train
# at once, and torch's spinning threads took some 40% of the cores from each other. The numbers
# are the same (it is how idle threads wait, not how they add); must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import models  # noqa: F401,E402  (first: it chooses torch's machine-independent numerics before torch loads)

os.environ.setdefault("NN_EXPLAINER_STRICT_LAYOUT", "1")  # a drawing under the captions fails a test


def _text_caches() -> None:
    """Where Manim writes formulas and texts in a test run. One LaTeX folder and one text folder
    for every process of the run (the workers, the scene suites they start): each formula or text
    is made in a folder of its own and moved in whole (``scenes.fast_manim``), so processes share
    the results, and their parses, and never read each other's half-made files."""
    from pathlib import Path

    from manim import config

    from scenes import fast_manim

    fast_manim.install()  # (scenes.base does too; a test may make a formula before importing it)
    folder = Path(__file__).resolve().parent.parent / "media" / "test-cache"
    config.tex_dir = str(folder / "Tex")
    config.text_dir = str(folder / "texts")


_text_caches()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """The tests are over: what they built (every scene run, kept for the session) is set aside
    from the cycle collector. pytest then collects five times over, looking for exceptions no one
    could raise; walking a session's scenes took about a second each time, five seconds in every
    process (each worker, each scene suite it starts). Objects made from here on are still walked."""
    import gc

    gc.freeze()


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/ from the current artifacts")


@pytest.fixture(scope="session")
def update_goldens(request) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def story():
    """Chapter 1's arrays from the real, trained digit network (trained here if missing)."""
    from models.pipeline import ensure

    art = ensure("digits-story", mnist_dir=None)
    return art.arrays("chapter1.npz")


@pytest.fixture(scope="session")
def digits_artifact():
    from models.pipeline import ensure

    return ensure("digits", mnist_dir=None)


@pytest.fixture(scope="session")
def dataset():
    from models.mnist import load_embedded

    return load_embedded()


@pytest.fixture(scope="session")
def lang():
    """What the language chapters (5 to 7) draw: the ``lm-story`` artifact's arrays."""
    from models.pipeline import ensure

    return ensure("lm-story").arrays("language.npz")


@pytest.fixture(scope="session")
def facts():
    """Where the language model keeps its facts (Chapter 8): the ``lm-facts`` artifact's arrays."""
    from models.pipeline import ensure

    return ensure("lm-facts").arrays("facts.npz")


@pytest.fixture(scope="session")
def sup():
    """The superposition optimisation (Chapter 8): the ``superposition`` artifact's arrays."""
    from models.pipeline import ensure

    return ensure("superposition").arrays("superposition.npz")


@pytest.fixture(scope="session")
def chapter_artifacts():
    """``chapter_artifacts(N)`` builds what chapter N's scenes read (its ``ARTIFACTS``) if missing."""
    import importlib

    import render
    from models.pipeline import ensure

    done: set[str] = set()

    def need(number: int) -> None:
        for name in importlib.import_module(render.CHAPTER_MODULES[number]).ARTIFACTS:
            if name not in done:
                ensure(name, mnist_dir=None)
                done.add(name)

    return need


# ----------------------------------------------------------------------------- parallel runs

_CHAPTER_ID = re.compile(r"\bch(\d+)-")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Groups for ``pytest -n auto --dist loadgroup`` (``./dev test``): a chapter's scene, join
    and screen tests run in one worker, which builds each scene once for all of them; every
    other file's tests stay together, so a module's fixtures (a cluster, a rendered chapter)
    are made once.

    Two things make the groups hold (``tests/test_suite.py`` checks that they do): this hook runs
    first (``tryfirst``), before pytest-xdist's worker reads the groups in its own hook of this
    name; and pytest stays at 8.4 (``pyproject.toml``), whose node ids xdist 3.8 can still extend
    with the group's name. Without either, every test went to whichever worker was free, and each
    worker built the scenes and the fixtures again."""
    groups: dict[str, list] = {}
    for item in items:
        found = _CHAPTER_ID.search(item.nodeid)
        number = re.match(r"test_chapter(\d+)_", item.path.name)
        group = f"chapter{found.group(1)}" if found else f"chapter{number.group(1)}" if number else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))
        groups.setdefault(group, []).append(item)
    # The order the groups are handed out in (./dev test keeps it: --no-loadscope-reorder). A clean
    # clone trains the language model first (minutes, in Chapter 5's group) while the other worker
    # trains a digit network of its own; then the other long groups (minutes each, one of them a
    # facts file's language model), then the rest, the groups that need only the digit network
    # before those that wait for the language model. Without this, a worker sat for minutes waiting
    # for another's build, or alone at the end with the facts file's model.
    rank = {name: _group_rank(name, members) for name, members in groups.items()}
    items[:] = sorted(items, key=lambda item: rank[item.get_closest_marker("xdist_group").args[0]])


_LANGUAGE_FIXTURES = {"lm", "lang", "facts", "sup", "own_facts", "weights"}  # what the language tests read


def _needs_language(item) -> bool:
    number = getattr(getattr(item, "callspec", None), "params", {}).get("number", 0)  # a chapter's number
    return bool(_LANGUAGE_FIXTURES & set(getattr(item, "fixturenames", ()))) or int(number) >= 5


# Groups that train models in caches of their own (minutes each), in the order they are handed out
# after Chapter 5's: digit networks of other sizes, each with four chapters' scenes built on it, and
# a language model trained on a facts file (it starts from the default model, so it comes second:
# by the time a worker takes it, the default model is built, or nearly).
_TRAINS_ITS_OWN = ("test_depths.py", "test_own_facts.py", "test_own_model.py")


def _group_rank(name: str, members: list) -> tuple[int, int, int]:
    chapter = re.fullmatch(r"chapter(\d+)", name)
    if name == "chapter5":
        return (0, 0, 0)  # builds the language model
    if name in _TRAINS_ITS_OWN:
        return (1, _TRAINS_ITS_OWN.index(name), 0)
    needs_language = (int(chapter.group(1)) >= 5 if chapter else
                      any(_needs_language(item) for item in members))
    return (3 if needs_language else 2, 0, -len(members))  # then by size
