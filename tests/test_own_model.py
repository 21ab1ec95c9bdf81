"""Bring your own digit network: `render.py import digits FILE` and `--sizes`, as a user meets them.

The default network's numbers are pinned by goldens elsewhere; for any other network these tests
check invariants instead: each number the chapters draw equals a second computation (plain numpy,
or torch autograd) on that network's own weights. Bad input is refused with a message naming the
problem and exit status 1 (2 for an unknown model), and leaves the cache exactly as it was.

Two networks are built once per session, each in its own cache (a few minutes each): a
784-16-16-10 network imported from a protocol-2 pickle (the layout Python 2's network.py saved),
and a 784-32-32-10 network trained here.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import render
from models.artifacts import cache_dir
from models.digit_choice import CHOICE_FILE, ChoiceError, parse_sizes

ROOT = Path(render.__file__).parent


def run(*args, cache: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {**os.environ, "NN_EXPLAINER_CACHE": str(cache)}
    return subprocess.run([sys.executable, str(ROOT / "render.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=timeout)


def new_cache(folder: Path) -> Path:
    """An empty cache, with the embedded digits already unpacked when this machine has them."""
    folder.mkdir(parents=True, exist_ok=True)
    if (cache_dir() / "mnist").is_dir():
        shutil.copytree(cache_dir() / "mnist", folder / "mnist", dirs_exist_ok=True)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (but the lock files) and its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".locks" not in p.parts}


def network_py(sizes, seed: int = 0, scale: float = 1.0):
    """Random weights in network.py's layout: weights (n_out, n_in), biases (n_out, 1), float64."""
    rng = np.random.default_rng(seed)
    weights = [scale * rng.standard_normal((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal((o, 1)) for o in sizes[1:]]
    return weights, biases


def numpy_forward(weights, biases, x):
    """A second forward pass, in float64 numpy: every layer's activations."""
    acts = [np.asarray(x, dtype=np.float64)]
    for w, b in zip(weights, biases):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ np.asarray(w, np.float64).T + np.asarray(b, np.float64).reshape(-1)))))
    return acts


# ----------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("text,sizes", [(None, (784, 16, 16, 10)), ("784,32,32,10", (784, 32, 32, 10)),
                                        ("784, 8, 24, 10", (784, 8, 24, 10)), ("784,30,10", (784, 30, 10)),
                                        ("784,16,16,16,10", (784, 16, 16, 16, 10))])
def test_sizes_parse(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize("text,problem", [
    ("784,16,x,10", "whole numbers"), ("100,16,16,10", "784 inputs"), ("784,16,16,9", "10 outputs"),
    ("784,10", "784 inputs"), ("784,16,16,16,16,10", "1 to 3 hidden layers .* 4 no longer fit"),
    ("784,100,16,10", "2 to 32 neurons"), ("784,1,16,10", "2 to 32 neurons"),
])
def test_bad_sizes_name_the_problem(text, problem):
    with pytest.raises(ChoiceError, match=problem):
        parse_sizes(text)


# ----------------------------------------------------------------------------- bad input leaves everything as it was


@pytest.fixture()
def previous(tmp_path) -> Path:
    """A cache holding earlier digit artifacts and a choice (stand-ins: they must come out byte for byte)."""
    cache = tmp_path / "cache"
    for name in ("digits", "digits-story"):
        (cache / name).mkdir(parents=True)
        (cache / name / "manifest.json").write_text(json.dumps({"name": name, "key": "earlier"}))
        (cache / name / "weights.npz").write_bytes(b"earlier arrays " + name.encode())
    (cache / CHOICE_FILE).write_text(json.dumps({"source": "trained", "sizes": [784, 32, 32, 10]}))
    return cache


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad weight file, and what its error message must name."""
    weights, biases = network_py((784, 16, 16, 10))
    out = {}

    def pickled(name, obj):
        path = folder / name
        path.write_bytes(pickle.dumps(obj, protocol=2))
        return path

    w = list(weights)
    w[1] = np.zeros((16, 15))
    out["wrong shape"] = (pickled("shape.pkl", (w, biases)), r"weights\[1\] has shape \(16, 15\)")
    b = [x.copy() for x in biases]
    b[2][3, 0] = np.nan
    out["NaN"] = (pickled("nan.pkl", (weights, b)), r"biases\[2\] holds NaN or infinite values")
    w = [x.copy() for x in weights]
    w[0][5, 100] = np.inf
    out["infinite"] = (pickled("inf.pkl", (w, biases)), r"weights\[0\] holds NaN or infinite values")

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {folder / 'pwned'}",))

    out["code"] = (pickled("evil.pkl", (weights, [Evil(), *biases[1:]])), r"refusing to unpickle (posix|os)\.system")
    (folder / "notes.txt").write_text("these are not weights\n")
    out["not weights"] = (folder / "notes.txt", "neither an .npz nor a readable pickle")
    np.savez(folder / "other.npz", something=np.zeros(3))
    out["npz without weights"] = (folder / "other.npz", "expected arrays w0, w1")
    out["missing"] = (folder / "nowhere.pkl", "no such file")
    out["four hidden layers"] = (pickled("deep.pkl", network_py((784, 8, 8, 8, 8, 10))), "4 no longer fit")
    return out


@pytest.mark.parametrize("kind", ["wrong shape", "NaN", "infinite", "code", "not weights", "npz without weights",
                                  "missing", "four hidden layers"])
def test_bad_weight_file_is_refused_and_changes_nothing(kind, previous, tmp_path):
    path, problem = bad_files(tmp_path)[kind]
    before = snapshot(previous)
    proc = run("import", "digits", str(path), cache=previous)
    assert proc.returncode == 1, proc.stderr
    assert "cannot import" in proc.stderr and "Nothing was changed" in proc.stderr
    import re

    assert re.search(problem, proc.stderr), proc.stderr
    assert snapshot(previous) == before
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("sizes", [(784, 30, 10), (784, 16, 16, 16, 10)])
def test_a_file_of_another_depth_is_read_with_its_sizes(sizes, tmp_path):
    """network.py's own example shape (784-30-10), and three hidden layers: each layer's weights and
    biases come out as the file has them (the build itself is tests/test_depths.py's)."""
    from models.digit_choice import import_choice

    weights, biases = network_py(sizes, seed=3)
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps((weights, biases), protocol=2))
    choice, arrays = import_choice(path)
    assert choice["sizes"] == list(sizes) and choice["source"] == "imported"
    for i, (w, b) in enumerate(zip(weights, biases)):
        np.testing.assert_allclose(arrays[f"w{i}"], w, rtol=1e-6)
        np.testing.assert_allclose(arrays[f"b{i}"], b.reshape(-1), rtol=1e-6)
    assert f"w{len(weights)}" not in arrays


def test_sizes_that_do_not_fit_the_file_are_refused(previous, tmp_path):
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps(network_py((784, 16, 16, 10)), protocol=2))
    before = snapshot(previous)
    proc = run("import", "digits", str(path), "--sizes", "784,32,32,10", cache=previous)
    assert proc.returncode == 1 and "weights[0] has shape (16, 784), expected (32, 784)" in proc.stderr
    assert snapshot(previous) == before


def test_bad_sizes_for_training_change_nothing(previous):
    before = snapshot(previous)
    proc = run("train", "digits", "--sizes", "784,16,16,16,16,10", cache=previous)
    assert proc.returncode == 1 and "4 no longer fit" in proc.stderr
    assert snapshot(previous) == before


def test_unknown_model_to_import_exits_2(previous, tmp_path):
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps(network_py((784, 16, 16, 10))))
    proc = run("import", "digitz", str(path), cache=previous)
    assert proc.returncode == 2 and "Did you mean: digits" in proc.stderr


def test_weights_the_chapters_cannot_draw_change_nothing(tmp_path):
    """Weights of the right shapes that read no held-out 3 right (all zero: every output 0.5) fail
    in the staged build; the cache keeps its earlier artifacts and choice, and no staging is left."""
    cache = new_cache(tmp_path / "cache")
    (cache / "digits").mkdir()
    (cache / "digits" / "manifest.json").write_text("{}")
    (cache / CHOICE_FILE).write_text(json.dumps({"source": "trained", "sizes": [784, 32, 32, 10]}))
    weights, biases = network_py((784, 16, 16, 10))
    path = tmp_path / "zeros.pkl"
    path.write_bytes(pickle.dumps(([0 * w for w in weights], [0 * b for b in biases]), protocol=2))
    before = snapshot(cache)
    proc = run("import", "digits", str(path), cache=cache)
    assert proc.returncode == 1, proc.stderr
    assert "cannot draw the chapters from" in proc.stderr and "recognises no held-out 3" in proc.stderr
    assert snapshot(cache) == before
    assert not list(cache.glob(".staging-*"))


# ----------------------------------------------------------------------------- an imported network


@pytest.fixture(scope="session")
def imported(tmp_path_factory, digits_artifact, story):
    """A 784-16-16-10 network imported from a protocol-2 pickle: its file, weights and cache. The
    cache held the default network before, as a user's would after rendering the chapters."""
    folder = tmp_path_factory.mktemp("imported")
    cache = new_cache(folder / "cache")
    for name in ("digits", "digits-story"):
        shutil.copytree(cache_dir() / name, cache / name)
    # A network trained elsewhere: here, the default network's weights moved a little, so it reads digits
    from models.digit_net import TrainConfig, train
    from models.mnist import load_dataset

    net = train(load_dataset(), TrainConfig(epochs=3, seed=11)).net.to_arrays()
    weights = [net[f"w{i}"].astype(np.float64) for i in range(3)]
    biases = [net[f"b{i}"].astype(np.float64)[:, None] for i in range(3)]
    path = folder / "network.pkl"
    path.write_bytes(pickle.dumps((weights, biases), protocol=2))
    proc = run("import", "digits", str(path), cache=cache)
    assert proc.returncode == 0, proc.stderr
    return {"path": path, "weights": weights, "biases": biases, "cache": cache, "stdout": proc.stdout,
            "weights_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _kept(cache: Path, name: str) -> dict:
    """The manifest of the artifact a change of network set aside (models/staging.py)."""
    return json.loads((cache / ".kept" / name / "manifest.json").read_text())


def _load(cache: Path, name: str, filename: str | None = None):
    from models.artifacts import load_artifact

    old = os.environ.get("NN_EXPLAINER_CACHE")
    os.environ["NN_EXPLAINER_CACHE"] = str(cache)
    try:
        art = load_artifact(name)
        return art if filename is None else dict(art.arrays(filename))
    finally:
        if old is None:
            del os.environ["NN_EXPLAINER_CACHE"]
        else:
            os.environ["NN_EXPLAINER_CACHE"] = old


def test_import_records_the_file_and_its_hash(imported):
    art = _load(imported["cache"], "digits")
    sha = hashlib.sha256(imported["path"].read_bytes()).hexdigest()
    assert art.manifest["imported"] == f"imported from {imported['path'].resolve()}, sha256 {sha}"
    assert art.config["imported"] == {"file": str(imported["path"].resolve()), "sha256": sha}
    assert "trained here" in art.manifest["history"]
    choice = json.loads((imported["cache"] / CHOICE_FILE).read_text())
    assert choice["source"] == "imported" and choice["sha256"] == sha
    for i, (w, b) in enumerate(zip(imported["weights"], imported["biases"])):
        arrays = art.arrays("weights.npz")
        np.testing.assert_array_equal(arrays[f"w{i}"], w.astype(np.float32))
        np.testing.assert_array_equal(arrays[f"b{i}"], b[:, 0].astype(np.float32))


def test_import_key_follows_the_weights_hash(imported, tmp_path):
    """The artifact's key is the one the pipeline expects for this file's hash, not the trained
    network's; another file (one weight changed) makes another key."""
    from models.pipeline import expected_key

    def key_in(cache: Path, choice: dict | None = None) -> str:
        os.environ["NN_EXPLAINER_CACHE"] = str(cache)
        try:
            if choice is not None:
                (cache / CHOICE_FILE).write_text(json.dumps(choice))
            return expected_key("digits")[0]
        finally:
            del os.environ["NN_EXPLAINER_CACHE"]

    art = _load(imported["cache"], "digits")
    assert key_in(imported["cache"]) == art.key
    choice = json.loads((imported["cache"] / CHOICE_FILE).read_text())
    assert key_in(new_cache(tmp_path / "trained")) != art.key
    assert key_in(new_cache(tmp_path / "other"), {**choice, "sha256": "0" * 64}) != art.key


def test_list_says_the_network_is_imported(imported):
    proc = run("list", cache=imported["cache"])
    assert proc.returncode == 0, proc.stderr
    assert f"784-16-16-10, imported from {imported['path'].resolve()}" in proc.stdout
    assert "digits-story   ok" in proc.stdout


def test_chapter1_draws_the_imported_network(imported, dataset):
    """Chapter 1's numbers are the imported weights' own: a numpy forward pass agrees."""
    check_chapter1(imported["cache"], imported["weights"], [b[:, 0] for b in imported["biases"]], dataset)
    ch1 = _load(imported["cache"], "digits-story", "chapter1.npz")
    assert bool(ch1["history_imported"])


def test_the_history_beats_use_a_run_of_the_same_sizes(imported):
    """Chapters 2 to 4 say so on screen; their history is the cache's training run, not made up:
    the path ends at its last checkpoint, and Chapter 2's average cost is the imported network's."""
    digits = _load(imported["cache"], "digits")
    ck = digits.arrays("checkpoints.npz")
    ch2 = _load(imported["cache"], "digits-story", "chapter2.npz")
    assert bool(ch2["history_imported"])
    np.testing.assert_allclose(ch2["path"][-1], 0, atol=1e-9)  # the path ends at the run's own last checkpoint
    assert float(ch2["trained_avg_cost"]) == pytest.approx(digits.metrics["train_cost"])
    assert float(ch2["history_trained_avg_cost"]) == pytest.approx(float(ch2["checkpoint_cost"][-1]), rel=1e-5)
    assert int(ck["steps"][0]) == 0


def test_train_digits_switches_back(imported, tmp_path, digits_artifact):
    """`render.py train digits` replaces the imported network by the one trained here (in a copy of
    the cache, so the other tests keep theirs): the one the import replaced, kept aside, checked
    and taken back without training."""
    cache = tmp_path / "cache"
    shutil.copytree(imported["cache"], cache)
    assert _kept(cache, "digits")["key"] == digits_artifact.key  # what the import replaced
    proc = run("train", "digits", cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "switching the digit chapters to a 784-16-16-10 network trained here" in proc.stdout
    assert "reusing digits: built before for this choice" in proc.stderr and "epoch 1/" not in proc.stderr
    assert not (cache / CHOICE_FILE).exists()
    digits = _load(cache, "digits")
    assert "imported" not in digits.config and "imported" not in digits.manifest
    assert digits.key == digits_artifact.key and snapshot(cache / "digits") == snapshot(digits_artifact.folder)
    assert "784-16-16-10, trained here" in run("list", cache=cache).stdout
    # The imported network is kept in turn, so importing the same file again takes it back too
    assert _kept(cache, "digits")["config"]["imported"]["sha256"] == imported["weights_sha256"]


# ----------------------------------------------------------------------------- a 784-32-32-10 network


@pytest.fixture(scope="session")
def wide(tmp_path_factory):
    cache = new_cache(tmp_path_factory.mktemp("wide") / "cache")
    proc = run("train", "digits", "--sizes", "784,32,32,10", cache=cache)
    assert proc.returncode == 0, proc.stderr
    return cache


def _weights(cache: Path):
    arrays = _load(cache, "digits", "weights.npz")
    n = sum(1 for k in arrays if k.startswith("w"))
    return [arrays[f"w{i}"] for i in range(n)], [arrays[f"b{i}"] for i in range(n)]


def check_chapter1(cache: Path, weights, biases, dataset):
    ch1 = _load(cache, "digits-story", "chapter1.npz")
    sizes = [784] + [int(w.shape[0]) for w in weights]
    assert [int(s) for s in ch1["sizes"]] == sizes
    acts = numpy_forward(weights, biases, ch1["digit"][None])
    L = len(weights)
    for l in range(1, L + 1):
        np.testing.assert_allclose(ch1[f"a{l}"], acts[l][0], atol=2e-6)
    assert f"a{L + 1}" not in ch1
    assert int(ch1["prediction"]) == int(np.argmax(acts[L][0]))
    assert float(ch1["confidence"]) == pytest.approx(float(acts[L][0].max()), abs=2e-6)
    j = int(ch1["neuron"])
    assert float(ch1["neuron_activation"]) == pytest.approx(acts[1][0][j], abs=2e-6)
    np.testing.assert_allclose(ch1["neuron_weights"], weights[0][j])
    n_params = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    assert int(ch1["n_params"]) == n_params
    assert int(ch1["n_weights"]) + int(ch1["n_biases"]) == n_params
    test_out = numpy_forward(weights, biases, dataset.x_test)[L]
    assert float(ch1["test_accuracy"]) == pytest.approx(float((test_out.argmax(1) == dataset.y_test).mean()), abs=1e-9)
    for l in range(1, L):
        np.testing.assert_array_equal(ch1[f"w{l}"], weights[l])
    np.testing.assert_array_equal(ch1["w0_window"], weights[0][:, ch1["input_window"]])


def test_wide_network_numbers_chapter1(wide, dataset):
    weights, biases = _weights(wide)
    assert [w.shape for w in weights] == [(32, 784), (32, 32), (10, 32)]
    check_chapter1(wide, weights, biases, dataset)
    assert "784-32-32-10, trained here" in run("list", cache=wide).stdout


def test_wide_network_numbers_chapters_2_to_4(wide, dataset):
    check_chapters_2_to_4(wide, (784, 32, 32, 10), dataset)


def check_chapters_2_to_4(cache: Path, sizes: tuple[int, ...], dataset) -> None:
    """The gradient (autograd against a numpy backward), Chapter 3's wishes and the wanted changes
    they pass back layer by layer, and Chapter 4's sum over paths and one layer further down, each
    recomputed on the network of ``sizes`` (any depth) in ``cache``."""
    from models.backprop import backward, forward
    from models.digit_story import PARTLY_TRAINED_STEP, _arrays_at

    digits = _load(cache, "digits")
    ck = digits.arrays("checkpoints.npz")
    L = len(sizes) - 1
    ch2 = _load(cache, "digits-story", "chapter2.npz")
    n_params = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    assert ch2["gradient"].shape == (n_params,)
    w0, b0 = _arrays_at(ck["params"][0], sizes)
    bwd = backward(w0, b0, forward(w0, b0, dataset.x_train), dataset.y_train)
    numpy_grad = np.concatenate([g.mean(axis=0).reshape(-1) for g in bwd["grad_w"] + bwd["grad_b"]])
    np.testing.assert_allclose(ch2["gradient"], numpy_grad, rtol=1e-4, atol=2e-6)  # float32 autograd vs float64
    assert not bool(ch2["history_imported"])
    first = numpy_forward(w0, b0, ch2["digit"][None])
    for l in range(1, L):
        np.testing.assert_array_equal(ch2[f"untrained_w{l}"], w0[l])
        np.testing.assert_allclose(ch2[f"untrained_a{l}"], first[l][0], atol=2e-6)
    np.testing.assert_allclose(ch2["untrained_output"], first[L][0], atol=2e-6)

    ch3 = _load(cache, "digits-story", "chapter3.npz")
    at = int(np.flatnonzero(ck["steps"] == PARTLY_TRAINED_STEP)[0])
    w, b = _arrays_at(ck["params"][at], sizes)
    x = torch.tensor(ch3["digit"], dtype=torch.float64)
    target = np.eye(10)[int(ch3["label"])]
    # a second backward pass, by torch autograd on a forward pass written here
    W = [torch.tensor(np.asarray(m, np.float64), requires_grad=True) for m in w]
    acts = [x]
    for l in range(L):
        acts.append(torch.sigmoid(W[l] @ acts[-1] + torch.tensor(b[l], dtype=torch.float64)))
        acts[-1].retain_grad()
    ((acts[L] - torch.tensor(target)) ** 2).sum().backward()
    out = acts[L].detach().numpy()
    delta = 2 * (out - target) * out * (1 - out)
    np.testing.assert_allclose(ch3["wishes"], -(w[L - 1] * delta[:, None]), atol=1e-9)
    assert ch3["wishes"].shape == (10, sizes[L - 1])
    for l in range(1, L):  # the wanted change of every hidden layer, and the wishes of the weights into it
        np.testing.assert_allclose(ch3[f"wanted_a{l}"], -acts[l].grad.numpy(), rtol=1e-9, atol=1e-12)
    for l in range(2, L + 1):
        np.testing.assert_allclose(ch3[f"wish_w{l}"], -W[l - 1].grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ch3["wish_w1_window"], -W[0].grad.numpy()[:, ch3["input_window"]], rtol=1e-9, atol=1e-12)
    assert float(ch3[f"grad_b{L}"]) == pytest.approx(float(delta[int(ch3["label"])]), rel=1e-9)

    ch4 = _load(cache, "digits-story", "chapter4.npz")
    k, m = int(ch4["fan_k"]), int(ch4["deep_m"])
    assert ch4["fan_a_prev"].shape == (sizes[L - 1],)
    np.testing.assert_allclose(ch4["fan_a_prev2"], acts[L - 2].detach().numpy().ravel(), rtol=1e-6, atol=1e-12)
    assert float(ch4["fan_dc_dak"]) == pytest.approx(float(ch4["autograd_fan_dc_dak"]), rel=1e-9, abs=1e-12)
    assert float(ch4["fan_dc_dak"]) == pytest.approx(float(acts[L - 1].grad[k]), rel=1e-6, abs=1e-12)
    assert float(ch4["deep_grad"]) == pytest.approx(float(W[L - 2].grad[k, m]), rel=1e-6, abs=1e-12)
    assert float(ch4["deep_a_prev"]) == pytest.approx(float(acts[L - 2][m].detach()), abs=1e-12)  # a pixel, when L == 2


def test_chapters_1_to_4_build_and_join_on_the_wide_network(wide):
    """The scene and join tests of chapters 1 to 4 (tests/test_scenes.py), run on the 784-32-32-10
    network's cache: every scene builds inside the strict layout rules and narrates, and every
    join between two scenes is invisible, with 32-neuron layers."""
    import importlib
    import re

    count = 0
    for number in (1, 2, 3, 4):
        scenes = importlib.import_module(render.CHAPTER_MODULES[number]).SCENES
        count += 2 * len(scenes) - 1  # each scene, and each join
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_scenes.py",
                           "-k", "ch1- or ch2- or ch3- or ch4-"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NN_EXPLAINER_CACHE": str(wide)}, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"\b{count} passed\b", proc.stdout), proc.stdout[-2000:]
