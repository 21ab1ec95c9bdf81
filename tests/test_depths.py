"""Digit networks of other depths: one hidden layer (784-30-10, the shape of network.py's own
example) and three (784-16-16-16-10), each trained here in its own cache with `render.py train
digits --sizes`, as a user would.

For each: every number Chapters 1 to 4 draw equals a second computation on that network (numpy,
or torch autograd; ``tests/test_own_model.py``'s checks, written for any depth), and the chapters'
scene and join tests (``tests/test_scenes.py``) pass on its cache: every scene builds inside the
strict layout rules with the diagrams, formulas and narration of that depth, and every join is
invisible.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys

import pytest

import render
from tests.test_own_model import ROOT, check_chapter1, check_chapters_2_to_4, new_cache, run, _weights

DEPTHS = ["784,30,10", "784,16,16,16,10"]


@pytest.fixture(scope="session", params=DEPTHS, ids=["one-hidden-layer", "three-hidden-layers"])
def deep(request, tmp_path_factory):
    """(sizes, cache) of a network of another depth, trained here."""
    cache = new_cache(tmp_path_factory.mktemp("depth") / "cache")
    proc = run("train", "digits", "--sizes", request.param, cache=cache)
    assert proc.returncode == 0, proc.stderr
    return tuple(int(s) for s in request.param.split(",")), cache


def test_numbers_of_chapters_1_to_4(deep, dataset):
    sizes, cache = deep
    weights, biases = _weights(cache)
    assert [w.shape for w in weights] == list(zip(sizes[1:], sizes[:-1]))
    check_chapter1(cache, weights, biases, dataset)
    check_chapters_2_to_4(cache, sizes, dataset)
    assert f"{'-'.join(map(str, sizes))}, trained here" in run("list", cache=cache).stdout


def test_chapters_1_to_4_build_and_join(deep):
    _, cache = deep
    count = 0
    for number in (1, 2, 3, 4):
        scenes = importlib.import_module(render.CHAPTER_MODULES[number]).SCENES
        count += 2 * len(scenes) - 1  # each scene, and each join
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_scenes.py",
                           "-k", "ch1- or ch2- or ch3- or ch4-"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NN_EXPLAINER_CACHE": str(cache)}, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"\b{count} passed\b", proc.stdout), proc.stdout[-2000:]
