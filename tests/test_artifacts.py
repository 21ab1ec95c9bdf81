"""Artifacts: reused when intact, rebuilt when stale, corrupt, truncated or foreign; writes are atomic."""

from __future__ import annotations

import json
import re

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
    # the story's long parts say how far they are, and each ends on its whole count
    parts: dict[str, list[tuple[int, int]]] = {}
    for line in built:
        found = re.fullmatch(r"(chapter \d: .+) ([\d,]+)/([\d,]+) \[[#.]{20}\]", line)
        if found:
            parts.setdefault(found.group(1), []).append((int(found.group(2).replace(",", "")),
                                                         int(found.group(3).replace(",", ""))))
    assert set(parts) == {"chapter 2: the loss landscape's points", "chapter 3: the mini-batch walk's steps",
                          "chapter 3: the full-batch path's steps", "chapter 3: the cost slice's points",
                          "chapter 3: the walk's costs on every training digit"}, built
    for said in parts.values():
        assert [done for done, _ in said] == sorted({done for done, _ in said}) and said[-1][0] == said[-1][1]
    assert parts["chapter 2: the loss landscape's points"][-1] == (41 * 41, 41 * 41)
    assert parts["chapter 3: the mini-batch walk's steps"][-1] == (400, 400)  # 4,000 digits in batches of 10
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


# ----------------------------------------------------------------------------- stages found by their file


STAGE_MODULE = '''
from models.artifacts import write_artifact
from models.pipeline import Stage


def build(ctx):
    return write_artifact("{name}", ctx.key, ctx.config, files={{"n.npz": {{"n": [ctx.config.get("n", 1)]}}}}, metrics={{}})


STAGE = Stage("{name}", {deps}, ("models/pipeline.py",), build, "a probe stage", config={config})
'''


def _stage_package(tmp_path, monkeypatch, package: str, modules: dict[str, str]):
    folder = tmp_path / package
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for stem, text in modules.items():
        (folder / f"{stem}.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    return folder


def _probe(name: str, deps=(), config="None") -> str:
    return STAGE_MODULE.format(name=name, deps=tuple(deps), config=config)


def test_stage_modules_are_found_and_merged(tmp_path, monkeypatch):
    folder = _stage_package(tmp_path, monkeypatch, "found_stages", {
        "stage_probe": _probe("probe", ["digits"]),
        "stage_later": _probe("later", ["probe"]),  # a discovered stage may build on another
        "not_a_stage": "raise RuntimeError('only stage_*.py modules are read')",
    })
    stages = pipeline.discover_stages(folder, "found_stages")
    assert list(stages) == [*pipeline.BUILTIN_STAGES, "later", "probe"]
    assert stages["probe"].deps == ("digits",) and stages["probe"].description == "a probe stage"
    assert "probe" not in pipeline.BUILTIN_STAGES  # the built-in table is left as it was


@pytest.mark.parametrize("modules,message", [
    ({"stage_clash": _probe("digits-story")}, r"stage_clash\.py defines the stage 'digits-story', which "
                                              r"models/pipeline\.py defines already"),
    ({"stage_a": _probe("twin"), "stage_b": _probe("twin")}, r"stage_b\.py defines the stage 'twin', which "
                                                              r"\w+/stage_a\.py defines already"),
    ({"stage_orphan": _probe("orphan", ["nowhere"])}, r"stage_orphan\.py: the stage 'orphan' depends on 'nowhere', "
                                                      r"which no stage builds"),
    ({"stage_empty": "X = 1\n"}, r"stage_empty\.py defines no STAGE"),
    ({"stage_broken": "import not_a_module_anywhere\n"}, r"stage_broken\.py does not import"),
], ids=["clash-with-built-in", "clash-between-modules", "unknown-dependency", "no-stage", "import-error"])
def test_a_stage_that_cannot_join_is_named(tmp_path, monkeypatch, modules, message):
    package = "bad_stages_" + re.sub(r"\W", "_", tmp_path.name)  # a fresh package per case
    folder = _stage_package(tmp_path, monkeypatch, package, modules)
    with pytest.raises(pipeline.StageError, match=message):
        pipeline.discover_stages(folder, package)


def test_a_discovered_stage_builds_reuses_and_follows_its_config(cache, tmp_path, monkeypatch):
    """Through the real ``ensure``: built once, reused, rebuilt when its own config changes."""
    folder = _stage_package(tmp_path, monkeypatch, "config_stages",
                            {"stage_counted": _probe("counted", config="lambda mnist_dir: {'n': N}") + "N = 3\n"})
    stage = pipeline.discover_stages(folder, "config_stages")["counted"]
    monkeypatch.setitem(pipeline.STAGES, "counted", stage)
    log: list[str] = []
    art = pipeline.ensure("counted", progress=log.append)
    assert art.arrays("n.npz")["n"].tolist() == [3] and any("building counted" in line for line in log)
    log.clear()
    assert pipeline.ensure("counted", progress=log.append).key == art.key and log == []
    import config_stages.stage_counted as module

    monkeypatch.setattr(module, "N", 4)
    assert pipeline.status()["counted"].startswith("stale: ")
    assert pipeline.ensure("counted", progress=log.append).arrays("n.npz")["n"].tolist() == [4]
