"""The command line as a user meets it: names, errors, exit codes, and one real chapter render."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import render

ROOT = Path(render.__file__).parent


def run(*args, env=None, timeout=600):
    return subprocess.run(
        [sys.executable, str(ROOT / "render.py"), *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


def test_unknown_chapter_exits_2_with_suggestions():
    unused = max(render.CHAPTER_MODULES) + 1  # a chapter added by an author does not make this one known
    proc = run("render", str(unused))
    assert proc.returncode == 2
    assert f"unknown chapter '{unused}'" in proc.stderr and "Valid: 1" in proc.stderr


def test_unknown_scene_exits_2_with_closest_names():
    proc = run("render", "1", "--scene", "ForwardPas")
    assert proc.returncode == 2
    assert "Did you mean: ForwardPass" in proc.stderr


def test_unknown_model_exits_2():
    proc = run("train", "digitz")
    assert proc.returncode == 2 and "Did you mean: digits" in proc.stderr


def test_bad_quality_is_a_usage_error():
    assert run("render", "1", "--quality", "8k").returncode == 2


def test_list_shows_chapters_scenes_and_artifacts(story):
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    assert "But what is a neural network?" in proc.stdout
    assert "ForwardPass" in proc.stdout and "digits-story   ok" in proc.stdout


def test_missing_latex_names_the_fix(tmp_path):
    # A PATH with python but without latex
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    proc = run("render", "1", env={"PATH": str(bin_dir)})
    assert proc.returncode == 1
    assert "latex" in proc.stderr and "./dev setup" in proc.stderr


def test_bad_mnist_dir_names_the_problem(tmp_path):
    proc = run("train", "digits", "--mnist-dir", str(tmp_path / "nowhere"))
    assert proc.returncode == 1
    assert "no such folder" in proc.stderr


def test_render_chapter_one_end_to_end(story, tmp_path):
    """One video and one subtitle file for the chapter; re-running reuses the scenes."""
    env = {"NN_EXPLAINER_MEDIA": str(tmp_path / "media"), "NN_EXPLAINER_OUTPUT": str(tmp_path / "out")}
    proc = run("render", "1", env=env, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    video = tmp_path / "out" / "chapter1_480p15.mp4"
    subtitles = video.with_suffix(".srt")
    assert video.exists() and subtitles.exists()
    assert f"chapter 1: {video}" in proc.stdout

    scene_dir = tmp_path / "media" / "videos" / "chapter1" / "480p15"
    from scenes.chapter1 import SCENES

    parts = [scene_dir / f"{s.__name__}.mp4" for s in SCENES]
    total = sum(render.video_seconds(p) for p in parts)
    assert abs(render.video_seconds(video) - total) < 0.2
    assert 240 <= total <= 480  # a chapter runs 4 to 8 minutes

    import srt

    subs = list(srt.parse(subtitles.read_text()))
    assert len(subs) >= len(SCENES) and "These are all threes" in subs[0].content
    assert all(a.end <= b.start for a, b in zip(subs, subs[1:]))
    assert subs[-1].end.total_seconds() <= total + 0.1

    # The joined file's frames are the scenes' frames (packets copied, not re-encoded)
    import av
    import numpy as np

    def frame_at(path, index):
        with av.open(str(path)) as c:
            for i, f in enumerate(c.decode(video=0)):
                if i == index:
                    return f.to_ndarray(format="rgb24")

    first_len = round(render.video_seconds(parts[0]) * 15)
    np.testing.assert_array_equal(frame_at(video, first_len + 20), frame_at(parts[1], 20))

    again = run("render", "1", env=env)
    assert again.returncode == 0 and again.stdout.count("reused") == len(SCENES)


def test_ask_the_language_model():
    proc = run("ask", "michael jordan plays", "-k", "3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[1].split()[0] == "basketball"
    bad = run("ask", "michael jordan dunks zzz")
    assert bad.returncode == 2 and "dunks, zzz" in bad.stderr


def test_a_chapter_is_rerendered_only_for_code_it_uses():
    """A rendered scene's key follows its chapter's imports: the language pieces are part of the
    language chapters' key, not of Chapter 1's."""
    names = {n: {p.name for p in render.project_sources(render.load_chapter(n).path)} for n in (1, 5)}
    assert {"chapter1.py", "base.py", "pieces.py", "artifacts.py"} <= names[1]
    assert "lm_pieces.py" not in names[1] and "chapter5.py" not in names[1]
    assert {"chapter5.py", "lm_pieces.py", "pieces.py"} <= names[5]


def test_a_broken_scene_import_is_named_not_blamed_on_the_setup(tmp_path, monkeypatch):
    """A typo in a chapter's imports points at the file and line; a missing library points at setup."""
    import pytest

    (tmp_path / "chapter_typo.py").write_text("from manim import NoSuchThing\n")
    (tmp_path / "chapter_nolib.py").write_text("import cairo.not_there_at_all\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(render.CHAPTER_MODULES, 98, "chapter_typo")
    monkeypatch.setitem(render.CHAPTER_MODULES, 99, "chapter_nolib")
    with pytest.raises(render.Failure, match=r"does not import: .*NoSuchThing.*line 1\). Fix that import"):
        render.load_chapter(98)
    with pytest.raises(render.Failure, match=r"Fix: run `./dev setup`"):
        render.load_chapter(99)


PROBE_CHAPTER = '''
from manim import FadeIn, Rectangle, Text
from scenes.base import ChapterScene

class Misplaced(ChapterScene):
    chapter = 97

    def construct(self):
        self.play(FadeIn(Rectangle(width=12, height=5).move_to([0, 0.6, 0])))
        self.say("A caption over a drawing that runs under it.")
        self.play(FadeIn(Text("too low").move_to([0, -2.9, 0])))
'''


def test_render_prints_layout_problems_and_strict_stops(tmp_path, monkeypatch, capsys):
    """Layout problems show in the terminal at render time, naming the scene, the piece and the
    caption; with --strict the chapter is not joined."""
    import pytest

    probe = tmp_path / "chapter97.py"  # Manim files a scene's video under its module's name
    probe.write_text(PROBE_CHAPTER)

    class ProbeChapter(render.Chapter):
        @property
        def path(self):
            return probe

    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")  # the scene renders; the report tells
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    monkeypatch.setattr(render, "OUTPUT", tmp_path / "output")
    monkeypatch.setattr(render, "_render_key", lambda *args: "probe")
    chapter = ProbeChapter(97, "Probe", "chapter97", ["Misplaced"], ())
    with pytest.raises(render.Failure, match="chapter 97 has layout problems"):
        render.render_chapter(chapter, ["Misplaced"], "low", True, 1, {}, strict=True)
    out = capsys.readouterr().out
    assert "! Misplaced at " in out and "showing 'too low'" in out and "A caption over a drawing" in out
    assert not (tmp_path / "output").exists()  # nothing joined
    render.render_chapter(chapter, ["Misplaced"], "low", False, 1, {})  # reused, reported again, joined
    assert "showing 'too low'" in capsys.readouterr().out
    assert (tmp_path / "output" / "chapter97_480p15.mp4").exists()
