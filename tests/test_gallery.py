"""The gallery (``render.py site``, ``gallery/``): what the builder converts, checked a second way,
and the site opened in a real headless browser (Debian's chromium, which ``./dev setup``
installs, driven by Playwright from PyPI; no browser is downloaded).

The fixture is made by the real render path at low quality, not by rendering the series (most of
an hour on two cores): a stand-in chapter of three short beats (shapes and captions, about five
seconds each) rendered by ``render.render_chapter`` under Chapter 1's name into a temporary
``output/``, with its storyboard from ``render.write_storyboard``. The site is then built for the
real chapters 1 to 8: Chapter 1 shows the stand-in's video, beats and captions beside its real
model card (the digit network's manifests); the seven others have no video in that folder and
are listed as not rendered.

The screenshots go to a temporary folder whose path the tests print (set
``NN_EXPLAINER_SCREENSHOTS=DIR`` to keep them in DIR).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import render
from tests.probes import chapter_at
from gallery import build

CHROMIUM = os.environ.get("NN_EXPLAINER_CHROMIUM", "/usr/bin/chromium")
# As root in a closed network: no sandbox, and none of chromium's background connections.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
SEEK_TOLERANCE = 0.25  # seconds: where a beat button leaves the playhead (the video may have started playing)

STAND_IN = '''
from manim import DOWN, RIGHT, UP, Circle, FadeIn, Rectangle, Square, VGroup
from scenes.base import ChapterScene
from scenes.palette import ACCENT, NEGATIVE, POSITIVE


class Squares(ChapterScene):
    chapter = 1

    def construct(self):
        self.play(FadeIn(VGroup(*[Square(3.0, color=POSITIVE, fill_opacity=0.6) for _ in range(4)])
                         .arrange(RIGHT, buff=0.6).move_to(UP * 0.6)))
        self.say("The first beat: four blue squares.")


class Circles(ChapterScene):
    chapter = 1

    def construct(self):
        self.play(FadeIn(VGroup(*[Circle(1.5, color=NEGATIVE, fill_opacity=0.6) for _ in range(4)])
                         .arrange(RIGHT, buff=0.6).move_to(UP * 0.6)))
        self.say("The second beat: four red circles.")


class Bars(ChapterScene):
    chapter = 1

    def construct(self):
        self.play(FadeIn(VGroup(*[Rectangle(width=1.6, height=1.0 + h, color=ACCENT, fill_opacity=0.6)
                                  for h in (1, 2, 3, 4, 5)]).arrange(RIGHT, buff=0.5, aligned_edge=DOWN)
                         .move_to(UP * 0.6)))
        self.say("The third beat: five yellow bars.")
        self.say("Then the chapter ends.")
'''
STAND_IN_SCENES = ["Squares", "Circles", "Bars"]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The stand-in chapter rendered by the real render path into a temporary output/ and media/."""
    root = tmp_path_factory.mktemp("gallery")
    module = root / "chapter1.py"  # Manim files a scene's video under its module's name
    module.write_text(STAND_IN)

    chapter = chapter_at(module, 1, "stand-in", STAND_IN_SCENES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")  # the gallery is under test here, not the layout rules
        mp.setattr(render, "MEDIA", root / "media")
        mp.setattr(render, "OUTPUT", root / "output")
        render.render_chapter(chapter, STAND_IN_SCENES, "low", False, 2, {})
        render.write_storyboard(chapter, STAND_IN_SCENES, "low")
    return SimpleNamespace(root=root, output=root / "output", scenes=root / "media" / "videos" / "chapter1" / "480p15",
                           video=root / "output" / "chapter1_480p15.mp4")


@pytest.fixture(scope="module")
def chapters():
    return [render.load_chapter(n) for n in sorted(render.CHAPTER_MODULES)]


@pytest.fixture(scope="module")
def site(rendered, chapters, story):  # story: the digit artifacts Chapter 1's model card reads
    return build.build_site(chapters, rendered.output, "480p15", target=rendered.root / "site")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's chromium under Playwright (a fresh profile: Playwright makes one per launch)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no browser at {CHROMIUM}: the gallery's tests open the site in Debian's chromium. "
                    "Fix: run `./dev setup` (it installs chromium with apt)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed. Fix: run `./dev setup` (it installs the test extra)", pytrace=False)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that records every address it asks for (the site must ask for nothing outside it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requested = []
    pg.on("request", lambda request: pg.requested.append(request.url))
    yield pg
    context.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = Path(os.environ.get("NN_EXPLAINER_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, path: Path, capsys, full_page: bool = False) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    with capsys.disabled():
        print(f"\n  screenshot: {path}")


def scene_seconds_by_frames(video: Path) -> float:
    """A scene's length counted a second way: its decoded frames over the frame rate."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.codec_context.framerate or stream.guessed_rate)
        return sum(1 for _ in container.decode(video=0)) / rate


@pytest.fixture(scope="module")
def scene_starts(rendered):
    lengths = [scene_seconds_by_frames(rendered.scenes / f"{s}.mp4") for s in STAND_IN_SCENES]
    return list(np.cumsum([0.0] + lengths[:-1])), lengths


def video_state(page) -> dict:
    return page.evaluate("""() => { const v = document.getElementById('video');
        return {ready: v.readyState, time: v.currentTime, duration: v.duration, paused: v.paused,
                error: v.error && v.error.code, seekable: v.seekable.length}; }""")


def seek_with(page, action) -> float:
    """Run ``action`` (a click, a key) and return the video's time once the seek it causes is done."""
    page.evaluate("""() => { const v = document.getElementById('video'); window.__seekedAt = null;
        v.addEventListener('seeked', () => { window.__seekedAt = v.currentTime; }, {once: true}); }""")
    action()
    page.wait_for_function("window.__seekedAt !== null", timeout=10_000)
    return page.evaluate("window.__seekedAt")


# ----------------------------------------------------------------------------- the builder, checked a second way


def test_srt_to_vtt_keeps_every_cue(rendered, tmp_path):
    """The WebVTT has as many cues as the .srt, with the same times and words (read back with the
    ``srt`` library and a regular expression, not with webvtt-py)."""
    import srt

    subtitles = rendered.video.with_suffix(".srt")
    hand = tmp_path / "hand.srt"  # a caption on two lines, and times past a minute
    hand.write_text("1\n00:00:01,500 --> 00:00:04,000\nOne line,\nthen another.\n\n"
                    "2\n00:01:04,250 --> 00:01:09,000\nA minute in.\n", encoding="utf-8")
    for path in (subtitles, hand):
        want = list(srt.parse(path.read_text(encoding="utf-8")))
        vtt = build.srt_to_vtt(path)
        assert vtt.startswith("WEBVTT")
        cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.*?)(?:\n\n|\n?$)", vtt, re.S)
        assert len(cues) == len(want) > 0, path.name
        for cue, sub in zip(cues, want):
            h, m, s, ms, h2, m2, s2, ms2 = map(int, cue[:8])
            assert (h * 3600 + m * 60 + s + ms / 1000) == pytest.approx(sub.start.total_seconds(), abs=1e-3)
            assert (h2 * 3600 + m2 * 60 + s2 + ms2 / 1000) == pytest.approx(sub.end.total_seconds(), abs=1e-3)
            assert cue[8].strip() == sub.content.strip()
    assert "The first beat: four blue squares." in build.srt_to_vtt(subtitles)
    empty = tmp_path / "empty.srt"
    empty.write_text("")
    assert build.srt_to_vtt(empty) == "WEBVTT\n"


def test_beats_start_where_the_joined_scenes_do(rendered, scene_starts):
    """Each recorded beat starts at the sum of the scenes before it, their lengths counted a second
    way (decoded frames); and the joined video's frame at that time is the scene's first frame."""
    import av

    starts, lengths = scene_starts
    beats = build.read_beats(rendered.video.with_suffix(".beats.json"))
    assert [b.scene for b in beats] == STAND_IN_SCENES
    assert [b.start for b in beats] == pytest.approx(starts, abs=1e-3)
    assert [b.seconds for b in beats] == pytest.approx(lengths, abs=1e-3)
    assert beats[-1].start + beats[-1].seconds == pytest.approx(build.video_seconds(rendered.video), abs=0.1)

    def frames(path):
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]

    joined = frames(rendered.video)
    for beat, scene in zip(beats, STAND_IN_SCENES):
        first = frames(rendered.scenes / f"{scene}.mp4")[0]
        np.testing.assert_array_equal(joined[round(beat.start * 15)], first, err_msg=scene)
    assert build.Beat("SigmoidVsReLU", 0, 1).label == "Sigmoid Vs ReLU"
    assert build.clock(59.99) == "0:59" and build.clock(61) == "1:01"


def _manifest(name: str) -> dict:
    from models.artifacts import cache_dir

    return json.loads((cache_dir() / name / "manifest.json").read_text())


def test_model_card_numbers_are_the_manifests(story):
    """Chapter 1's card shows the digit network's numbers as its manifest records them, its key,
    and the golden files (with their tests) that pin the chapter."""
    card = build.model_card(render.load_chapter(1))
    assert [a["name"] for a in card["artifacts"]] == ["digits", "digits-story"]  # the model, then what is drawn
    digits = card["artifacts"][0]
    manifest = _manifest("digits")
    metrics = manifest["metrics"]
    assert digits["key"] == manifest["key"] and digits["files"] == sorted(manifest["files"])
    assert {"test_accuracy", "n_params", "n_train", "n_test", "train_seconds", "test_cost"} <= set(digits["numbers"])
    for key, value in digits["numbers"].items():
        assert value == metrics[key], key
    facts = dict(digits["facts"])
    sizes = manifest["config"]["train"]["net"]["sizes"]
    assert facts["Architecture"].startswith("-".join(map(str, sizes))) and f"{metrics['n_params']:,}" in facts["Architecture"]
    assert f"{metrics['test_accuracy']:.1%}" in facts["Accuracy"]
    assert f"{metrics['train_seconds']:.1f} s" in facts["Training"]
    assert f"{metrics['n_train']:,}" in facts["Data"] and f"{metrics['n_test']:,}" in facts["Data"]
    goldens = {g["file"]: g for g in card["goldens"]}
    assert goldens["tests/golden/chapter1.json"]["tests"] == ["tests/test_chapter1_numbers.py"]
    screens = goldens["tests/golden/screens/ch1-*.txt"]
    assert screens["count"] == len(list((build.TESTS / "golden" / "screens").glob("ch1-*.txt"))) > 0
    assert "tests/test_screens.py" in screens["tests"]
    html = build.card_html(card)
    assert f"{metrics['test_accuracy']:.1%}" in html and manifest["key"][:16] in html


def test_chapter_4s_page_carries_the_chain_trained_inside_its_story(story):
    """Chapter 4's page lists the 1-1-1-1 chain after the artifact that trains it, with the rows the
    chapter's own card shows (tests/test_model_card.py checks those against a second computation);
    Chapter 1's page, which does not draw the chain, does not list it."""
    from scenes.base import model_cards

    card = build.model_card(render.load_chapter(4))
    assert [(a["name"], a.get("model")) for a in card["artifacts"]] == [
        ("digits", None), ("digits-story", None), ("digits-story", "chain")]
    chain = card["artifacts"][2]
    shown = dict(model_cards(render.load_chapter(4).artifacts, 4)[1][1])
    assert dict(chain["facts"]) == {k: v for k, v in shown.items() if k != "Artifact"}
    assert chain["key"] == _manifest("digits-story")["key"]
    html = build.card_html(card)
    assert 'data-model="chain"' in html and shown["Cost"] in html
    assert "chain" not in [a.get("model") for a in build.model_card(render.load_chapter(1))["artifacts"]]


def test_language_model_card(lang):
    """A language chapter's card: the transformer's shape, corpus and losses from the ``lm`` manifest."""
    card = build.model_card(render.load_chapter(5))
    lm = next(a for a in card["artifacts"] if a["name"] == "lm")
    manifest = _manifest("lm")
    metrics, model = manifest["metrics"], manifest["config"]["model"]
    for key in ("held_out_loss", "bigram_loss", "n_params", "train_seconds"):
        assert lm["numbers"][key] == metrics[key]
    facts = dict(lm["facts"])
    assert f"{metrics['held_out_loss']:.3f}" in facts["Loss"] and f"{metrics['bigram_loss']:.3f}" in facts["Loss"]
    assert f"{model['n_layer']} layers of {model['n_head']} attention heads" in facts["Architecture"]
    assert f"{metrics['corpus']['sentences']:,} sentences" in facts["Data"]
    assert {"tests/golden/chapter5.json", "tests/golden/lm.json", "tests/golden/lm_story.json"} <= {
        g["file"] for g in card["goldens"]}


def test_a_failed_build_leaves_the_previous_site(rendered, chapters, story, tmp_path):
    """The site is built aside and swapped in: a build that fails half-way changes nothing."""
    target = tmp_path / "site"
    build.build_site(chapters[:1], rendered.output, "480p15", target=target)
    before = sorted(p.relative_to(target) for p in target.rglob("*"))
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in rendered.output.iterdir():
        if f.is_file():
            os.link(f, broken / f.name)
    (broken / "chapter1_480p15.srt").unlink()
    (broken / "chapter1_480p15.srt").write_text("this is no subtitle file\n")
    with pytest.raises(ValueError, match="not a SubRip file"):
        build.build_site(chapters[:1], broken, "480p15", target=target)
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-built folder left


def test_the_site_command(rendered, story):
    """``render.py site --no-render`` builds the gallery from what output/ holds (here: the stand-in
    as Chapter 1's video); the render path before it is ``render_plans``, as ``render.py render``'s."""
    import subprocess
    import sys

    args = render.build_parser().parse_args(["site", "--no-render"])
    assert args.func is render.cmd_site and args.no_render and args.quality == "low"
    env = {**os.environ, "NN_EXPLAINER_OUTPUT": str(rendered.output), "NN_EXPLAINER_MEDIA": str(rendered.root / "media")}
    proc = subprocess.run([sys.executable, str(Path(render.__file__)), "site", "--no-render"], cwd=Path(render.__file__).parent,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    index = rendered.output / "site" / "index.html"
    assert f"gallery: {index}" in proc.stdout
    text = index.read_text()
    assert text.count('<li class="chapter') == len(render.CHAPTER_MODULES)
    assert (rendered.output / "site" / "chapter1.html").exists() and not (rendered.output / "site" / "chapter2.html").exists()


def test_the_site_command_renders_what_is_stale_first(rendered, monkeypatch, capsys):
    """``render.py site`` goes through the render path (scenes up to date are reused, the chapter is
    joined and its beats recorded), makes the storyboard of a chapter whose scenes changed, then
    builds the site. Here the series is the stand-in chapter alone."""
    module = rendered.root / "chapter1.py"

    chapter = chapter_at(module, 1, "Stand-in", STAND_IN_SCENES)
    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")
    monkeypatch.setattr(render, "MEDIA", rendered.root / "media")
    out = rendered.root / "site-command"
    out.mkdir()
    board = out / "chapter1_storyboard.png"  # older than the scenes: made again
    shutil.copy(rendered.output / board.name, board)
    os.utime(board, (0, 0))
    monkeypatch.setattr(render, "OUTPUT", out)
    monkeypatch.setattr(render, "CHAPTER_MODULES", {1: "chapter1"})
    monkeypatch.setattr(render, "load_chapter", lambda number: chapter)
    assert render.main(["site", "--jobs", "1"]) == 0
    said = capsys.readouterr().out
    assert said.count("reused") == len(STAND_IN_SCENES) and "storyboard of chapter 1" in said
    assert [b.scene for b in build.read_beats(out / "chapter1_480p15.beats.json")] == STAND_IN_SCENES
    assert board.stat().st_mtime > 0
    assert "Stand-in" in (out / "site" / "index.html").read_text() and (out / "site" / "chapter1.html").exists()


def test_the_narrated_site_renders_voiced_scenes_and_its_pages_play_their_sound(rendered, monkeypatch, capsys, page,
                                                                                screenshots):
    """``render.py site --voice`` renders the stale scenes voiced (the default engine reads the
    captions), joins the narrated chapter, records its voice beside the beats, and builds the
    gallery from the narrated files: the page plays a video whose sound the browser decodes, and
    says who reads it. Here the series is the stand-in chapter alone."""
    import av
    import voice

    chapter = chapter_at(rendered.root / "chapter1.py", 1, "Stand-in", STAND_IN_SCENES)
    monkeypatch.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")
    monkeypatch.setattr(render, "MEDIA", rendered.root / "media")
    out = rendered.root / "site-narrated"
    monkeypatch.setattr(render, "OUTPUT", out)
    monkeypatch.setattr(render, "CHAPTER_MODULES", {1: "chapter1"})
    monkeypatch.setattr(render, "load_chapter", lambda number: chapter)
    assert render.main(["site", "--voice", "--jobs", "1"]) == 0
    said = capsys.readouterr().out
    reader = voice.parse(None).name
    assert f"read by {reader}" in said and "storyboard of chapter 1" in said and "gallery (narrated)" in said
    video = out / "chapter1_480p15_voiced.mp4"
    assert build.read_voice(out / "chapter1_480p15_voiced.beats.json") == reader
    assert [b.scene for b in build.read_beats(out / "chapter1_480p15_voiced.beats.json")] == STAND_IN_SCENES
    assert not (out / "chapter1_480p15.mp4").exists()  # the silent render is not made
    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1

    site = out / "site"
    index = (site / "index.html").read_text()
    assert "(480p15, narrated)" in index and "python render.py site --voice" in index
    chapter_html = (site / "chapter1.html").read_text()
    assert 'src="media/chapter1_480p15_voiced.mp4"' in chapter_html
    engine, _, name = reader.partition(":")
    page.goto((site / "chapter1.html").as_uri())
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
    assert page.locator("#narration").inner_text() == (f"Narrated: an offline voice ({engine}, voice {name}) "
                                                        "reads the captions.")
    assert video_state(page)["duration"] == pytest.approx(render.video_seconds(video), abs=0.2)
    # the browser decodes the sound track as it plays (muted, so that no gesture is needed to start)
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; return v.play(); }")
    page.wait_for_function("document.getElementById('video').currentTime > 1.0", timeout=10_000)
    assert page.evaluate("document.getElementById('video').webkitAudioDecodedByteCount") > 0
    shoot(page, screenshots / "chapter1_narrated.png", capsys)


def test_a_silent_page_says_nothing_of_a_voice(site, rendered, page):
    """The silent gallery: no narration line, and the silent video, in which the browser decodes no
    sound (the check the narrated page passes can fail)."""
    html_text = (site / "chapter1.html").read_text()
    assert 'id="narration"' not in html_text and 'src="media/chapter1_480p15.mp4"' in html_text
    assert build.read_voice(rendered.output / "chapter1_480p15.beats.json") is None
    assert "narrated" not in (site / "index.html").read_text()
    page.goto((site / "chapter1.html").as_uri())
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; return v.play(); }")
    page.wait_for_function("document.getElementById('video').currentTime > 1.0", timeout=10_000)
    assert page.evaluate("document.getElementById('video').webkitAudioDecodedByteCount") == 0


def test_the_site_loads_nothing_from_the_network(site):
    for path in [*site.glob("*.html"), site / "style.css", site / "gallery.js"]:
        text = path.read_text()
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), path.name
        assert "@import" not in text and "url(http" not in text, path.name
        for img in re.findall(r"<img\b[^>]*>", text):  # and every picture says what it shows
            assert re.search(r'alt="[^"]{20,}"', img), f"{path.name}: {img}"


# ----------------------------------------------------------------------------- in the browser


def test_index_lists_every_chapter_in_order(site, chapters, rendered, page, screenshots, capsys):
    page.goto((site / "index.html").as_uri())
    items = page.locator("ol.chapters > li")
    assert items.count() == len(chapters) >= 8
    for i, ch in enumerate(chapters):
        item = items.nth(i)
        assert item.get_attribute("data-chapter") == str(ch.number)
        assert item.locator(".chapter-title").inner_text() == ch.title
    first = items.nth(0)
    assert first.locator("a").get_attribute("href") == "chapter1.html"
    assert first.locator(".chapter-length").inner_text() == build.clock(build.video_seconds(rendered.video))
    thumb = first.locator("img")
    assert thumb.get_attribute("alt") and page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) > 0
    for i in range(1, len(chapters)):  # no video for these in the fixture's output/: listed, not dropped
        assert "Not rendered yet" in items.nth(i).inner_text() and items.nth(i).locator("a").count() == 0
    shoot(page, screenshots / "index.png", capsys, full_page=True)
    page.keyboard.press("Tab")  # the skip link, then the first chapter's card
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "chapter1.html"
    page.keyboard.press("Enter")
    page.wait_for_url("**/chapter1.html")
    assert all(url.startswith(("file:", "data:")) for url in page.requested), page.requested


def test_chapter_page_plays_captions_and_seeks_to_beats(site, rendered, scene_starts, page, screenshots, capsys):
    import srt

    starts, lengths = scene_starts
    page.goto((site / "chapter1.html").as_uri())
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
    state = video_state(page)
    assert state["error"] is None and state["duration"] == pytest.approx(sum(lengths), abs=0.2)

    # it plays: the playhead moves
    page.evaluate("() => { const v = document.getElementById('video'); v.muted = true; return v.play(); }")
    page.wait_for_function("document.getElementById('video').currentTime > 0.5", timeout=10_000)
    assert not video_state(page)["paused"]

    # the captions track has the .srt's cues (off at first: the video draws its captions itself;
    # turned on as the player's captions button does)
    subs = list(srt.parse(rendered.video.with_suffix(".srt").read_text(encoding="utf-8")))
    assert page.evaluate("document.getElementById('video').textTracks[0].mode") == "disabled"
    page.evaluate("document.getElementById('video').textTracks[0].mode = 'showing'")
    page.wait_for_function("""() => { const t = document.getElementById('video').textTracks[0];
        return t.cues && t.cues.length > 0; }""", timeout=10_000)
    track = page.evaluate("""() => { const t = document.getElementById('video').textTracks[0];
        return {kind: t.kind, label: t.label, cues: Array.from(t.cues).map(c => [c.startTime, c.text])}; }""")
    assert track["kind"] == "captions" and track["label"] == "English"
    assert len(track["cues"]) == len(subs)
    assert [c[1] for c in track["cues"]] == [s.content for s in subs]
    assert [c[0] for c in track["cues"]] == pytest.approx([s.start.total_seconds() for s in subs], abs=1e-3)

    # the beats: real buttons, one per scene, that seek the video to where the scene starts
    buttons = page.locator("button.beat")
    assert buttons.count() == len(STAND_IN_SCENES)
    for i in (2, 1, 0):
        got = seek_with(page, buttons.nth(i).click)
        assert got == pytest.approx(starts[i], abs=SEEK_TOLERANCE), STAND_IN_SCENES[i]
    page.wait_for_function("document.querySelector('button.beat[aria-current=true]') !== null")

    # by keyboard: from the top of the page, Tab reaches the beats, Enter on one seeks to it
    focused = "Array.from(document.querySelectorAll('button.beat')).indexOf(document.activeElement)"
    page.goto((site / "chapter1.html").as_uri())
    page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(focused) >= 0:
            break
    else:
        pytest.fail("Tab never reached a beat button")
    assert page.evaluate(focused) == 0
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == 1
    got = seek_with(page, lambda: page.keyboard.press("Enter"))
    assert got == pytest.approx(starts[1], abs=SEEK_TOLERANCE)

    # stop on the second beat, a caption showing, for the screenshot
    page.evaluate(f"""() => {{ const v = document.getElementById('video'); v.pause(); v.currentTime = {starts[1] + 2.0}; }}""")
    page.wait_for_function("document.getElementById('video').seeking === false")
    page.wait_for_timeout(300)
    shoot(page, screenshots / "chapter1.png", capsys)
    shoot(page, screenshots / "chapter1_full.png", capsys, full_page=True)

    # the model card and the storyboard are there, with their alt text
    card = page.locator(".model-card").inner_text()
    digits = _manifest("digits")
    assert f"{digits['metrics']['test_accuracy']:.1%}" in card and "tests/golden/chapter1.json" in card
    board = page.locator(".storyboard img")
    assert board.get_attribute("alt") and page.evaluate("(img) => img.naturalWidth", board.element_handle()) > 0
    assert all(url.startswith(("file:", "data:")) for url in page.requested), page.requested


def _serve(handler_server):
    thread = threading.Thread(target=handler_server.serve_forever, daemon=True)
    thread.start()
    host, port = handler_server.server_address[:2]
    return f"http://{host}:{port}"


def test_served_with_byte_ranges_the_beats_seek(site, scene_starts, page):
    """``python -m gallery.serve`` answers byte ranges, so the browser can seek over HTTP too; under
    ``python -m http.server`` (no ranges) the page says why the beats cannot jump."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from gallery.serve import make_server

    starts, _ = scene_starts
    server = make_server(site, "127.0.0.1", 0)
    try:
        base = _serve(server)
        page.goto(f"{base}/chapter1.html")
        page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
        assert video_state(page)["seekable"] == 1
        got = seek_with(page, page.locator("button.beat").nth(2).click)
        assert got == pytest.approx(starts[2], abs=SEEK_TOLERANCE)
        page.wait_for_selector("body[data-byte-ranges=yes]", timeout=5_000)
        assert page.locator("#no-seek").is_hidden()
    finally:
        server.shutdown()
        server.server_close()

    plain = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(site)))
    try:
        page.goto(f"{_serve(plain)}/chapter1.html")
        page.wait_for_function("document.getElementById('video').readyState >= 1", timeout=10_000)
        page.wait_for_selector("body[data-byte-ranges=no]", timeout=5_000)
        assert page.locator("#no-seek").is_visible()
    finally:
        plain.shutdown()
        plain.server_close()


# Each text's colour and the background it is drawn on (the first ancestor that paints one).
COLOURS = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
    let bg = null;
    for (let n = el; n && !bg; n = n.parentElement) {
        const c = getComputedStyle(n).backgroundColor;
        if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; }
    }
    return [getComputedStyle(el).color, bg || getComputedStyle(document.documentElement).backgroundColor];
})"""


def _luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two CSS colours."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_text_is_readable(site, page):
    """Every kind of text on the pages reaches WCAG's AAA ratio (7:1) on the background it sits on."""
    checked = 0
    for name, selectors in (("index.html", ["h1", "header p", ".chapter-number", ".chapter-title", ".chapter-length",
                                             ".chapter-state", "footer p", "code"]),
                            ("chapter1.html", ["h1", "h2", ".hint", "nav a", ".downloads a", "button.beat",
                                               "button.beat time", ".beat-number", ".artifact dt", ".artifact dd",
                                               "summary", "figcaption", "li code"])):
        page.goto((site / name).as_uri())
        if name == "chapter1.html":
            page.locator("button.beat").nth(1).click()  # a current beat too
        for selector in selectors:
            pairs = page.evaluate(COLOURS, selector)
            assert pairs, f"{name}: nothing matches {selector}"
            for fg, bg in pairs:
                assert contrast(fg, bg) >= 7.0, f"{name} {selector}: {fg} on {bg} is {contrast(fg, bg):.1f}:1"
                checked += 1
    assert checked > 30
