"""Digit networks of other depths, trained here in caches of their own as a user would:

- one hidden layer, 784-30-10 (network.py's own example), trained from MNIST IDX files
  (``--mnist-dir``): here files written from the embedded digits in another split, 4,500 to
  train on and 500 held out, so the chapters' counts must follow the data;
- three hidden layers, 784-16-16-16-10, on the embedded digits.

For each: every number Chapters 1 to 4 draw equals a second computation on that network (numpy,
or torch autograd; ``tests/test_own_model.py``'s checks, written for any depth), and the chapters'
scene and join tests (``tests/test_scenes.py``) pass on its cache: every scene builds inside the
strict layout rules with the diagrams, formulas and narration of that depth, and every join is
invisible.
"""

from __future__ import annotations

import gzip
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import render
from models.mnist import IDX_FILES, load_embedded, load_idx_dir
from tests.test_own_model import ROOT, _load, _weights, check_chapter1, check_chapters_2_to_4, new_cache

DEPTHS = {"one-hidden-layer": ("784,30,10", True), "three-hidden-layers": ("784,16,16,16,10", False)}


def write_idx(folder: Path) -> Path:
    """The embedded digits as the four MNIST IDX files (one of them gzipped, as some downloads are),
    split another way: every training digit and every other held-out one to train on (4,500), the
    other held-out digits to test on (500)."""
    data = load_embedded()
    keep = np.arange(len(data.y_test)) % 2 == 1
    x_train = np.concatenate([data.x_train, data.x_test[~keep]])
    y_train = np.concatenate([data.y_train, data.y_test[~keep]])
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": data.x_test[keep], "y_test": data.y_test[keep]}
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in IDX_FILES.items():
        values = arrays[key]
        raw = np.rint(values * 255).astype(np.uint8).reshape(-1, 28, 28) if key.startswith("x") else values.astype(np.uint8)
        header = bytes([0, 0, 0x08, raw.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in raw.shape)
        if key == "y_test":
            with gzip.open(folder / f"{stem}.gz", "wb") as f:
                f.write(header + raw.tobytes())
        else:
            (folder / stem).write_bytes(header + raw.tobytes())
    return folder


def run(*args, cache: Path, mnist: Path | None, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {**os.environ, "NN_EXPLAINER_CACHE": str(cache)}
    if mnist is not None:
        env["NN_EXPLAINER_MNIST_DIR"] = str(mnist)  # what --mnist-dir gives every command after it
    return subprocess.run([sys.executable, str(ROOT / "render.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="session", params=list(DEPTHS))
def deep(request, tmp_path_factory):
    """(sizes, cache, IDX folder or None) of a network of another depth, trained here."""
    sizes_text, from_idx = DEPTHS[request.param]
    folder = tmp_path_factory.mktemp("depth")
    cache = new_cache(folder / "cache")
    mnist = write_idx(folder / "mnist") if from_idx else None
    args = ["train", "digits", "--sizes", sizes_text] + (["--mnist-dir", str(mnist)] if mnist else [])
    proc = run(*args, cache=cache, mnist=None)
    assert proc.returncode == 0, proc.stderr
    if mnist:
        assert "epoch 30/30" in proc.stderr  # training reports its progress
    return tuple(int(s) for s in sizes_text.split(",")), cache, mnist


def test_numbers_of_chapters_1_to_4(deep):
    sizes, cache, mnist = deep
    data = load_embedded() if mnist is None else load_idx_dir(mnist)
    weights, biases = _weights(cache)
    assert [w.shape for w in weights] == list(zip(sizes[1:], sizes[:-1]))
    check_chapter1(cache, weights, biases, data)
    check_chapters_2_to_4(cache, sizes, data)
    listed = run("list", cache=cache, mnist=mnist).stdout
    assert f"{'-'.join(map(str, sizes))}, trained here" in listed, listed


def test_the_counts_follow_the_idx_files(deep):
    sizes, cache, mnist = deep
    if mnist is None:
        pytest.skip("trained on the embedded digits")
    digits = _load(cache, "digits")
    assert digits.config["data"]["source"] == str(mnist.resolve())
    assert (digits.metrics["n_train"], digits.metrics["n_test"]) == (4500, 500)
    for number in (1, 2):
        arrays = _load(cache, "digits-story", f"chapter{number}.npz")
        assert (int(arrays["n_train"]), int(arrays["n_test"])) == (4500, 500)


def test_chapters_1_to_4_build_and_join(deep):
    _, cache, mnist = deep
    count = 0
    for number in (1, 2, 3, 4):
        scenes = importlib.import_module(render.CHAPTER_MODULES[number]).SCENES
        count += 2 * len(scenes) - 1  # each scene, and each join
    env = {**os.environ, "NN_EXPLAINER_CACHE": str(cache)}
    if mnist is not None:
        env["NN_EXPLAINER_MNIST_DIR"] = str(mnist)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_scenes.py",
                           "-k", "ch1- or ch2- or ch3- or ch4-"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"\b{count} passed\b", proc.stdout), proc.stdout[-2000:]
