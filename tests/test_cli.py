"""The command line as a user meets it: names, errors, exit codes, and one real chapter render."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import render
from tests.probes import chapter_at

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

    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")  # the scene renders; the report tells
    monkeypatch.setattr(render, "MEDIA", tmp_path / "media")
    monkeypatch.setattr(render, "OUTPUT", tmp_path / "output")
    monkeypatch.setattr(render, "_render_key", lambda *args: "probe")
    chapter = chapter_at(probe, 97, "Probe", ["Misplaced"])
    with pytest.raises(render.Failure, match="chapter 97 has layout problems"):
        render.render_chapter(chapter, ["Misplaced"], "low", True, 1, {}, strict=True)
    out = capsys.readouterr().out
    assert "! Misplaced at " in out and "showing 'too low'" in out and "A caption over a drawing" in out
    assert not (tmp_path / "output").exists()  # nothing joined
    render.render_chapter(chapter, ["Misplaced"], "low", False, 1, {})  # reused, reported again, joined
    assert "showing 'too low'" in capsys.readouterr().out
    assert (tmp_path / "output" / "chapter97_480p15.mp4").exists()


# ----------------------------------------------------------------------------- render keys per scene


def _keys(chapter) -> dict[str, str]:
    return {s: render._render_key(chapter, s, "low", {"digits-story": "k"}) for s in chapter.scenes}


def test_editing_one_scene_changes_only_its_render_key(tmp_path):
    """The key of a rendered scene follows its own class, the chapter's classes it inherits from and
    the module-level helpers; another scene's edit leaves it alone."""
    real = render.load_chapter(1)
    copy = tmp_path / "chapter1.py"
    copy.write_text(real.path.read_text())

    chapter = chapter_at(copy, 1, real.title, real.scenes, real.artifacts, module=real.module)
    before = _keys(chapter)
    assert len(set(before.values())) == len(chapter.scenes)  # one key per scene

    source = copy.read_text()
    anchor = "class ForwardPass(ChapterOneScene):\n    def construct(self):\n"
    assert anchor in source
    copy.write_text(source.replace(anchor, anchor + "        self.wait(0.1)\n"))
    edited = _keys(chapter)
    assert {s for s in chapter.scenes if edited[s] != before[s]} == {"ForwardPass"}

    # a module-level helper and the chapter's scene base class are shared: every scene re-renders
    copy.write_text(source.replace("def _text(s: str", "def _text(s: str = ''", 1))
    assert all(k != before[s] for s, k in _keys(chapter).items())
    copy.write_text(source.replace("class ChapterOneScene(ChapterScene):\n",
                                   "class ChapterOneScene(ChapterScene):\n    strict_fill = True\n", 1))
    assert all(k != before[s] for s, k in _keys(chapter).items())
    copy.write_text(source)
    assert _keys(chapter) == before


def test_scene_source_keeps_the_scenes_own_bases(tmp_path):
    module = tmp_path / "chapter96.py"
    module.write_text("def helper():\n    return 1\n\n\nclass Base:\n    pass\n\n\nclass A(Base):\n    x = 1\n\n\n"
                      "class B(A):\n    y = 2\n\n\nclass C(Base):\n    z = 3\n\n\nSCENES = [A, B, C]\n")
    b = render.scene_source(module, "B", ["A", "B", "C"])
    assert "x = 1" in b and "y = 2" in b and "z = 3" not in b and "def helper" in b and "class Base" in b
    c = render.scene_source(module, "C", ["A", "B", "C"])
    assert "z = 3" in c and "x = 1" not in c and "y = 2" not in c


# ----------------------------------------------------------------------------- new chapters


def test_new_refuses_a_taken_number_or_an_empty_title():
    taken = min(render.CHAPTER_MODULES)
    proc = run("new", str(taken), "Another title")
    assert proc.returncode == 1 and f"chapter {taken} exists already" in proc.stderr
    assert "nothing was written" in proc.stderr
    unused = max(render.CHAPTER_MODULES) + 1
    proc = run("new", str(unused), "   ")
    assert proc.returncode == 2 and "give the chapter a title" in proc.stderr
    assert not any(p.exists() for p in render.scaffold_files(unused).values())


def test_the_templates_fill_in_to_valid_python():
    """Every template, filled in for a chapter whose title has quotes, compiles, names its chapter
    and its stage, and leaves no placeholder behind."""
    import ast

    title = 'Why "seven" looks like a \'1\''
    for template in render.scaffold_files(42):
        text = render.fill_template((render.TEMPLATES / template).read_text(), 42, title)
        assert "{{" not in text and "}}" not in text, template
        tree = ast.parse(text, template)
        assert "chapter42" in text and ast.get_docstring(tree), template
    chapter = render.fill_template((render.TEMPLATES / "chapter.py.tmpl").read_text(), 42, title)
    assigned = {node.targets[0].id: node.value for node in ast.parse(chapter).body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    assert ast.literal_eval(assigned["TITLE"]) == title and ast.literal_eval(assigned["NUMBER"]) == 42
    assert ast.literal_eval(assigned["ARTIFACTS"]) == ("chapter42",)


# ----------------------------------------------------------------------------- the storyboard


def test_look_takes_a_size():
    parser = render.build_parser()
    assert parser.parse_args(["look", "1"]).size == "small"
    args = parser.parse_args(["look", "1", "--size", "large", "--quality", "medium"])
    assert (args.size, args.quality, args.func) == ("large", "medium", render.cmd_look)
    assert run("look", "1", "--size", "huge").returncode == 2


def test_a_large_storyboard_keeps_the_frames_as_rendered():
    """Small: 427x240 thumbnails, a scene's frames in one row. Large: the frames at their own size
    (854x480 at low quality), three a row, each with its time under it."""
    from PIL import Image

    frames = [Image.new("RGB", (854, 480), (40 * i, 0, 0)) for i in range(6)]
    rows = [("First", frames, [0.5 + i for i in range(6)], 6.0), ("Second", frames[:4], [0.5, 1.5, 2.5, 3.5], 4.0)]
    small = render.storyboard(rows, "small")
    assert small.width == 6 * 427 and small.height < 2 * 300
    large = render.storyboard(rows, "large")
    assert large.width == 3 * 854 and large.height > 4 * 480  # 2 + 2 lines of frames
    # a frame is pasted unscaled: the second frame of the first row sits at x = 854 in its colour
    y = 40  # below the scene's label line
    assert large.getpixel((854 + 400, y + 240)) == (40, 0, 0)
    assert large.getpixel((2 * 854 + 400, y + 240)) == (80, 0, 0)
