"""Rendering as users run it at scale: one scheduler across chapters, and what happens when
renders overlap, are killed or interrupted, or start from a checkout with no artifacts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import render
from tests.probes import chapter_at

ROOT = Path(render.__file__).parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NN_EXPLAINER_MEDIA": str(tmp_path / "media"), "NN_EXPLAINER_OUTPUT": str(tmp_path / "out"),
            **extra}


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(x) for x in task.read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper has ended: it renders nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _as_a_terminal_runs_it() -> None:
    """A command typed at a terminal runs with Ctrl-C's default action; one started in the
    background by a script (as a test run may be) inherits SIGINT ignored, and so would its
    children and Manim. The interrupt tests are about the former."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# ----------------------------------------------------------------------------- the scheduler


def test_workers_default_to_the_usable_cores():
    assert render._workers(None) == len(os.sched_getaffinity(0))
    assert render._workers(3) == 3
    with pytest.raises(render.UsageError, match="--jobs needs at least 1"):
        render._workers(0)


def test_one_pool_across_chapters_longest_first_each_chapter_joined_when_done(tmp_path, monkeypatch):
    """With one worker the order is the scheduler's alone: the scenes by their last render time,
    longest first, across chapters; a chapter is joined as soon as its last scene is done, before
    the other chapter's shortest scene starts."""
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    monkeypatch.setattr(render, "OUTPUT", tmp_path / "out")
    monkeypatch.setattr(render, "_render_key", lambda ch, scene, *args: f"{ch.number}{scene}")
    a = render.Chapter(96, "A", "scenes.chapter96", ["A1", "A2"], ())
    b = render.Chapter(97, "B", "scenes.chapter97", ["B1", "B2"], ())
    last = {(96, "A1"): 5.0, (96, "A2"): 4.0, (97, "B1"): 10.0, (97, "B2"): 1.0}  # seconds of the last render
    for (number, scene), seconds in last.items():
        folder = tmp_path / "media" / "videos" / f"chapter{number}" / "480p15"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{scene}.stamp.json").write_text(json.dumps({"key": "old", "seconds": seconds}))

    events = []
    # A scene starts only once the scheduler is idle again (back in its wait): everything it does
    # on a finished scene, a join included, shows in ``events`` before the next scene starts.
    import concurrent.futures
    import threading

    idle, real_wait = threading.Event(), concurrent.futures.wait

    def watched_wait(*args, **kwargs):
        idle.set()
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "wait", watched_wait)

    def fake_render(chapter, scene, quality, key, force):
        assert idle.wait(10), "the scheduler never came back to wait"
        idle.clear()
        events.append(f"render {scene}")
        return tmp_path / f"{scene}.mp4", last[chapter.number, scene], False

    monkeypatch.setattr(render, "render_scene", fake_render)
    monkeypatch.setattr(render, "video_seconds", lambda path: 2.0)
    monkeypatch.setattr(render, "join_videos", lambda parts, target: events.append(f"join {target.name}"))
    monkeypatch.setattr(render, "join_subtitles", lambda parts, durations, target: 0)
    figures = render.render_plans([(a, a.scenes), (b, b.scenes)], "low", True, 1, {})
    assert events == ["render B1", "render A1", "render A2", "join chapter96_480p15.mp4",
                      "render B2", "join chapter97_480p15.mp4"]
    assert [f.scene for f in figures[96]] == ["A1", "A2"] and [f.scene for f in figures[97]] == ["B1", "B2"]
    table = render.bench_table([a, b], figures, wall=20.0, jobs=1)
    # 20 render s for 8 video s, in 20 wall s on one worker
    assert "8.0 s of video in 20.0 s of wall time: 2.50 wall s per video s" in table
    assert "20.0 render s on 1 worker(s), busy 100% of the time" in table


# ----------------------------------------------------------------------------- faults


def test_a_second_render_of_the_same_chapter_exits_1_with_one_line(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, render\n"
         "with render.render_locks([render.load_chapter(4)], 'low'):\n"
         "    print('held', flush=True); time.sleep(120)\n"],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run([sys.executable, "render.py", "render", "4", "--force"], cwd=ROOT, env=_env(tmp_path),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1
        assert proc.stderr.splitlines() == [
            f"render.py: chapter 4 is being rendered by pid {holder.pid} (at low quality); "
            "wait for it to finish, or stop it, then run this again"]
        other = subprocess.run([sys.executable, "-c", "import render\n"
                                "with render.render_locks([render.load_chapter(4)], 'high'): print('free')"],
                               cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
        assert other.stdout.strip() == "free", other.stderr  # another quality writes other files
    finally:
        holder.kill()
        holder.wait()
    # a killed holder leaves no lock behind
    again = subprocess.run([sys.executable, "-c", "import render\n"
                            "with render.render_locks([render.load_chapter(4)], 'low'): print('free')"],
                           cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert again.stdout.strip() == "free", again.stderr


@pytest.mark.parametrize("how", ["kill -9", "ctrl-c"])
def test_manim_children_end_with_render_py(story, tmp_path, how):
    """A render killed outright (SIGKILL to render.py alone) or interrupted (SIGINT to its process
    group, as a terminal sends Ctrl-C) leaves no Manim process rendering on."""
    # At high quality this scene renders for well over a minute: Manim still running later is the
    # render that outlived its command, not one that happened to finish.
    proc = subprocess.Popen([sys.executable, "render.py", "render", "1", "--scene", "ForwardPass", "--force",
                             "--quality", "high"],
                            cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=_as_a_terminal_runs_it)
    try:
        children = _wait_for(lambda: _children(proc.pid), 120, "render.py to start Manim")
        time.sleep(1.0)  # Manim under way
        if how == "kill -9":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
        _wait_for(lambda: not any(_alive(c) for c in children), 5, f"Manim ({children}) to end after {how}")
        if how == "ctrl-c":
            assert proc.returncode == 130
            err = proc.stderr.read()
            assert "interrupted" in err and "Traceback" not in err, err[-2000:]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()


def test_ctrl_c_ends_a_manim_process_that_does_not_stop_by_itself(tmp_path, monkeypatch, request):
    """Ctrl-C never waits on a render: a scene process still at work after it (one that ignores
    SIGINT; Manim finishing queued video segments) is terminated, one that ignores that too is
    killed, and the interrupt reaches the command line."""
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    monkeypatch.setattr(render, "OUTPUT", tmp_path / "out")
    monkeypatch.setattr(render, "_render_key", lambda ch, scene, *args: scene)
    stubborn = {"A1": "signal.SIGINT", "A2": "signal.SIGINT, signal.SIGTERM"}  # what each ignores
    started: dict[str, subprocess.Popen] = {}
    lock = threading.Lock()

    def render_scene(ch, scene, *args, **kwargs):
        code = (f"import signal, sys, time\nfor s in ({stubborn[scene]},): signal.signal(s, signal.SIG_IGN)\n"
                "print('ready', flush=True)\ntime.sleep(120)")
        with render._running(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)) as proc:
            assert proc.stdout.readline() == "ready\n"
            with lock:
                started[scene] = proc
                last = len(started) == 2
            if last:  # both at work: Ctrl-C
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: Linux hands it to the main thread
            proc.wait()
        raise render.Failure("interrupted")

    monkeypatch.setattr(render, "render_scene", render_scene)
    chapter = render.Chapter(96, "A", "scenes.chapter96", ["A1", "A2"], ())
    # Ctrl-C raises KeyboardInterrupt here even when this test run inherited SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    begun = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        render.render_plans([(chapter, chapter.scenes)], "low", False, 2, {})
    assert time.monotonic() - begun < 30  # not the children's 120 s
    assert started["A1"].returncode == -signal.SIGTERM
    assert started["A2"].returncode == -signal.SIGKILL
    assert not render._CHILDREN


PROBE = '''
from manim import FadeIn, Square, Circle
from scenes.base import ChapterScene

class First(ChapterScene):
    chapter = 95
    strict_fill = False

    def construct(self):
        self.play(FadeIn(Square(4)))


class Second(ChapterScene):
    chapter = 95
    strict_fill = False

    def construct(self):
        self.play(FadeIn(Circle(2)))
'''


def test_a_killed_render_reuses_finished_scenes_and_never_joins_a_half_written_one(tmp_path, monkeypatch):
    """What a kill leaves: the scenes that finished, with their stamps, and the one under way with
    no stamp (its stamp goes before Manim starts, and comes back only after Manim succeeds) and
    maybe part of a video. Run again: the finished scene is reused, the other rendered afresh, and
    the chapter joined from whole videos only."""
    import av

    probe = tmp_path / "chapter95.py"
    probe.write_text(PROBE)

    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    monkeypatch.setattr(render, "OUTPUT", tmp_path / "output")
    chapter = chapter_at(probe, 95, "Probe", ["First", "Second"])
    monkeypatch.setattr(render, "_render_key", lambda ch, scene, *args: f"probe-{scene}")
    render.render_chapter(chapter, chapter.scenes, "low", False, 1, {})
    folder = tmp_path / "media" / "videos" / "chapter95" / "480p15"
    whole = (folder / "Second.mp4").read_bytes()
    (folder / "Second.stamp.json").unlink()
    (folder / "Second.mp4").write_bytes(whole[: len(whole) // 3])  # killed while writing

    figures = render.render_chapter(chapter, chapter.scenes, "low", False, 1, {})
    assert [(scene, reused) for scene, _, _, reused in figures] == [("First", True), ("Second", False)]
    assert (folder / "Second.mp4").read_bytes() == whole  # rendered again: the same file
    joined = tmp_path / "output" / "chapter95_480p15.mp4"
    with av.open(str(joined)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    expected = 0
    for scene in chapter.scenes:
        with av.open(str(folder / f"{scene}.mp4")) as c:
            expected += sum(1 for _ in c.decode(video=0))
    assert frames == expected


def test_each_scene_renders_with_the_projects_manim_cfg(tmp_path, monkeypatch):
    """Each Manim process gets its own config file (its own LaTeX and text caches), and Manim
    reads a file given with ``-c`` *instead of* ``manim.cfg``: so that file carries manim.cfg's
    settings. The encoder's preset shows in the video's x264 header: veryfast searches with
    ``subme=2`` and one reference frame, where x264's default (medium) uses 7 and 3."""
    import configparser

    project = configparser.ConfigParser()
    project.read(ROOT / "manim.cfg")
    assert project.get("video_encoder.options", "preset") == "veryfast", "update this test with manim.cfg"
    probe = tmp_path / "chapter95.py"
    probe.write_text(PROBE)
    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    chapter = chapter_at(probe, 95, "Probe", ["First"])
    video, _, reused = render.render_scene(chapter, "First", "low", "probe-key", True)
    assert not reused
    header = video.read_bytes()[:200_000]
    assert b"x264 - core" in header
    assert b" subme=2 " in header and b" ref=1 " in header
    written = configparser.ConfigParser()
    written.read(tmp_path / "media" / "logs" / "chapter95_First.cfg")
    for section in project.sections():
        assert dict(project[section]).items() <= dict(written[section]).items()
    assert written.get("CLI", "tex_dir").startswith(str(tmp_path / "media" / "scene-cache"))


def test_plain_manim_in_a_fresh_checkout_builds_what_the_scene_needs(tmp_path):
    """``manim scenes/chapter1.py TheHope`` with no artifacts: they are built (progress shown), the
    scene runs; no traceback."""
    cache = tmp_path / "cache"
    proc = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--dry_run", "--progress_bar", "none",
                           "--media_dir", str(tmp_path / "media"), "scenes/chapter1.py", "TheHope"],
                          cwd=ROOT, env={**os.environ, "NN_EXPLAINER_CACHE": str(cache)},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "artifact 'digits-story' is missing: building it" in proc.stderr
    assert "epoch 30/30" in proc.stderr  # training progress
    assert "Traceback" not in proc.stderr
    assert (cache / "digits-story").is_dir() and (cache / "digits").is_dir()


def test_two_processes_needing_one_artifact_build_it_once(tmp_path, monkeypatch):
    """Parallel tests or two commands in a fresh checkout: the second waits for the first's build
    and reuses it. This test holds the build lock itself until both have come to wait on it."""
    from models import pipeline

    monkeypatch.setenv("NN_EXPLAINER_CACHE", str(tmp_path / "cache"))
    code = "from models.pipeline import ensure; print(ensure('digits').key)"
    with pipeline._build_lock("digits", print):
        procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for proc in procs:
            line = proc.stderr.readline()
            assert "waiting: another process is building digits" in line, line
    outputs = [proc.communicate(timeout=600) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err[-2000:] for _, err in outputs]
    assert sum(err.count("building digits:") for _, err in outputs) == 1
    assert outputs[0][0] == outputs[1][0]  # one artifact, one key
