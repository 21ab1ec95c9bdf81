"""Rendering on a Dask cluster: a real ``distributed`` cluster on the loopback, its workers
separate processes (each renders in its own folder, as a worker on another machine would).
Its scenes must have the frames this machine renders, and a worker killed mid-scene must not
stop the chapter: Dask runs the scene again on another worker."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

import render

SCENE = "SigmoidVsReLU"  # one of the shortest scenes of the series


def _frames(path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client, LocalCluster

    workdir = tmp_path_factory.mktemp("dask")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, local_directory=str(workdir)) as lc, Client(lc) as client:
        yield client


@pytest.fixture(scope="module")
def chapter_one(story):
    chapter = render.load_chapter(1)
    return chapter, render.ensure_artifacts(chapter.artifacts)


@pytest.fixture(scope="module")
def local_frames(chapter_one, tmp_path_factory):
    """The scene rendered on this machine, the usual way."""
    chapter, keys = chapter_one
    media = tmp_path_factory.mktemp("local-media")
    saved = render.MEDIA
    render.MEDIA = media
    try:
        figures = render.render_plans([(chapter, [SCENE])], "low", True, 1, keys)
    finally:
        render.MEDIA = saved
    return _frames(figures[1][0].video)


def _render_on(cluster, chapter_one, media, jobs=None):
    chapter, keys = chapter_one
    saved = render.MEDIA
    render.MEDIA = media
    try:
        return render.render_plans([(chapter, [SCENE])], "low", True, jobs, keys, cluster=cluster)[1][0]
    finally:
        render.MEDIA = saved


def test_a_scene_rendered_on_the_cluster_has_this_machines_frames(cluster, chapter_one, local_frames, tmp_path):
    figures = _render_on(cluster, chapter_one, tmp_path / "media")
    assert not figures.reused and figures.seconds > 0
    frames = _frames(figures.video)
    assert len(frames) == len(local_frames)
    for ours, theirs in zip(frames, local_frames):
        np.testing.assert_array_equal(ours, theirs)
    stamp = figures.video.with_name(f"{SCENE}.stamp.json")
    assert stamp.exists() and (tmp_path / "media" / "videos" / "chapter1" / "480p15" / f"{SCENE}.srt").exists()


def test_a_worker_killed_mid_scene_does_not_stop_the_render(cluster, chapter_one, local_frames, tmp_path):
    pids = cluster.run(os.getpid)
    result: dict = {}

    def go():
        try:
            result["figures"] = _render_on(cluster, chapter_one, tmp_path / "media", jobs=1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=go)
    thread.start()
    end = time.monotonic() + 60
    busy = {}
    while time.monotonic() < end and not busy:
        busy = {w: tasks for w, tasks in cluster.processing().items() if tasks}
        time.sleep(0.2)
    assert busy, "no worker took the scene"
    worker = next(iter(busy))
    time.sleep(3.0)  # Manim under way on that worker
    os.kill(pids[worker], signal.SIGKILL)
    thread.join(timeout=600)
    assert not thread.is_alive()
    assert "error" not in result, result.get("error")
    frames = _frames(result["figures"].video)
    assert len(frames) == len(local_frames)
    np.testing.assert_array_equal(frames[-1], local_frames[-1])


def test_no_scheduler_at_the_address_is_one_clear_failure():
    with pytest.raises(render.Failure, match="no Dask scheduler answers at tcp://127.0.0.1:9"):
        render.connect("tcp://127.0.0.1:9", timeout="2s")  # (what render.py waits: 10 s)


def test_render_py_on_the_command_line_renders_on_the_cluster(cluster, chapter_one, tmp_path):
    """``python render.py render 1 --scene ... --scheduler tcp://...`` as the README shows it: here
    render.py is ``__main__``, whose functions a worker cannot load; the scene must still render
    on the cluster's workers (their folders, not this machine's), with the local path's frames."""
    import subprocess
    import sys

    address = cluster.scheduler.address
    env = {**os.environ, "NN_EXPLAINER_MEDIA": str(tmp_path / "media"), "NN_EXPLAINER_OUTPUT": str(tmp_path / "out")}
    proc = subprocess.run([sys.executable, str(render.ROOT / "render.py"), "render", "1", "--scene", SCENE,
                           "--force", "--scheduler", address], cwd=render.ROOT, capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert f"on the Dask cluster at {address}" in proc.stdout
    stamp = tmp_path / "media" / "videos" / "chapter1" / "480p15" / f"{SCENE}.stamp.json"
    import json

    assert "host" in json.loads(stamp.read_text()), "the stamp names the worker's host: it rendered there"
    assert not (tmp_path / "media" / "logs" / f"chapter1_{SCENE}.log").exists(), "it did not render here"
