"""Artifacts: reused when intact, rebuilt when stale, corrupt, truncated or foreign; writes are atomic."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models import artifacts, pipeline
from models.artifacts import ArtifactError, ArtifactMissing, atomic_write, load_artifact, write_artifact


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NN_EXPLAINER_CACHE", str(tmp_path))
    return tmp_path


def test_round_trip_and_checks(cache):
    write_artifact("thing", "k1", {"a": 1}, {"x.npz": {"v": np.arange(5)}}, {"m": 2.0})
    art = load_artifact("thing", expected_key="k1")
    np.testing.assert_array_equal(art.arrays("x.npz")["v"], np.arange(5))
    with pytest.raises(ArtifactError, match="another config or code version"):
        load_artifact("thing", expected_key="k2")
    with pytest.raises(ArtifactMissing):
        load_artifact("other")


def test_corrupt_truncated_and_foreign_files_are_refused(cache):
    write_artifact("thing", "k1", {}, {"x.npz": {"v": np.arange(1000)}}, {})
    data = cache / "thing" / "x.npz"
    raw = data.read_bytes()
    data.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ArtifactError, match="corrupt"):
        load_artifact("thing")
    data.write_bytes(raw)
    load_artifact("thing")
    manifest = cache / "thing" / "manifest.json"
    manifest.write_text(json.dumps({"format": "someone-else", "name": "thing"}))
    with pytest.raises(ArtifactError, match="not a manifest of this project"):
        load_artifact("thing")
    manifest.write_text("{ truncated")
    with pytest.raises(ArtifactError, match="unreadable"):
        load_artifact("thing")


def test_object_arrays_are_refused(cache):
    with pytest.raises(TypeError, match="numbers only"):
        write_artifact("thing", "k", {}, {"x.npz": {"v": np.array([{"a": 1}], dtype=object)}}, {})


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    atomic_write(target, b"old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(artifacts.os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temporary left behind


def test_pipeline_reuses_and_rebuilds(cache):
    """The real stages in a fresh cache: built, reused, rebuilt after corruption or a config change."""
    built = []
    first = pipeline.ensure("digits-story", progress=built.append)
    assert any("building digits:" in line for line in built)
    before = (cache / "digits" / "weights.npz").stat().st_mtime_ns

    log: list[str] = []
    again = pipeline.ensure("digits-story", progress=log.append)
    assert log == [] and again.key == first.key
    assert (cache / "digits" / "weights.npz").stat().st_mtime_ns == before

    # A corrupted weight file is detected and retrained, to the same numbers (deterministic).
    weights = cache / "digits" / "weights.npz"
    good = weights.read_bytes()
    weights.write_bytes(good[:100])
    log.clear()
    pipeline.ensure("digits-story", progress=log.append)
    assert any("rebuilding digits: " in line and "corrupt" in line for line in log)
    assert weights.read_bytes() == good
    # the digit stages are built; every other stage (whatever stages exist) is still missing
    built = {"digits", "digits-story"}
    assert pipeline.status() == {name: "ok" if name in built else "missing" for name in pipeline.STAGES}

    # A changed config changes the key: the old artifact is stale, not silently used, and the
    # rebuild trains with the new config.
    original = pipeline._digit_config

    def fewer_epochs(mnist_dir):
        config = original(mnist_dir)
        config["train"]["epochs"] = 1
        return config

    pipeline_monkey = pytest.MonkeyPatch()
    pipeline_monkey.setattr(pipeline, "_digit_config", fewer_epochs)
    try:
        assert pipeline.status()["digits"].startswith("stale: ")
        art = pipeline.ensure("digits", progress=log.append)
        assert art.config["train"]["epochs"] == 1
        assert len(art.arrays("metrics.npz")["train_cost"]) == 2  # before training + one epoch
    finally:
        pipeline_monkey.undo()
    assert pipeline.status()["digits"].startswith("stale: ")
