"""Narration: captions read aloud by an offline voice, in sync with the subtitles.

The render tests use a probe chapter of two short scenes (written to a temporary folder) rendered
through the real render path, silent and voiced with the default engine, and measure the voiced
video's sound from its energy: it lasts as long as the video, each sentence starts with its
subtitle, no two sentences overlap. The silent render is checked against what it was before
narration existed (``tests/golden/voice_probe_silent.json``, taken with the code of that time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import render
from tests.probes import chapter_at
import voice

ROOT = Path(render.__file__).parent
GOLDEN = ROOT / "tests" / "golden" / "voice_probe_silent.json"

# ----------------------------------------------------------------------------- text read aloud


@pytest.mark.parametrize("text, said", [
    ("0.995", "zero point nine nine five"),
    ("W_Q", "W Q"),
    ("784", "seven hundred eighty-four"),
    ("−∇C", "minus the gradient of C"),
    ("13,002 knobs", "thirteen thousand two knobs"),
    ("130,432", "one hundred thirty thousand four hundred thirty-two"),
    ("its bias -0.923", "its bias minus zero point nine two three"),
    ("basketball, 99%", "basketball, ninety-nine percent"),
    ("<0.01%", "less than zero point zero one percent"),
    ("201st of 225", "two hundred first of two hundred twenty-five"),
    ("a(L−1)", "a of L minus one"),
    ("∂C0/∂w(L) = 0.118", "partial C zero over partial w of L equals zero point one one eight"),
    ("64 × 16", "sixty-four by sixteen"),
    ("between 80° and 100°", "between eighty degrees and one hundred degrees"),
    ("√16 = 4", "the square root of sixteen equals four"),
    ("Chapter 3's digit network", "Chapter three's digit network"),
    ("GPT-3's figures", "GPT three's figures"),
    ("“michael jordan plays”", "michael jordan plays"),
    ("from ‘was’ to ‘blue’", "from was to blue"),
    ("12,000 steps, 1,000 digits, 60,000", "twelve thousand steps, one thousand digits, sixty thousand"),
])
def test_text_is_read_as_a_person_reads_it(text, said):
    assert voice.spoken(text) == said


def test_number_words():
    from voice.normalise import number_words, ordinal_words

    assert [number_words(n) for n in (0, 13, 40, 99, 100, 101, 1000, 1_000_000, 12_288)] == [
        "zero", "thirteen", "forty", "ninety-nine", "one hundred", "one hundred one", "one thousand", "one million",
        "twelve thousand two hundred eighty-eight"]
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 20, 21, 201)] == [
        "first", "second", "third", "twelfth", "twentieth", "twenty-first", "two hundred first"]


# ----------------------------------------------------------------------------- choosing a voice


def run(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "render.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_an_unknown_engine_exits_2_naming_the_valid_ones():
    proc = run("render", "1", "--voice", "klingon:worf")
    assert proc.returncode == 2, proc.stderr
    assert "unknown voice engine 'klingon'" in proc.stderr
    assert all(name in proc.stderr for name in ("festival", "flite", "espeak-ng", "piper"))


def test_an_unknown_voice_of_a_known_engine_exits_2():
    proc = run("render", "1", "--voice", "flite:nobody")
    assert proc.returncode == 2 and "flite has no voice 'nobody'" in proc.stderr and "slt" in proc.stderr


@pytest.mark.parametrize("engine, binary", [("festival", "text2wave"), ("flite", "flite"), ("espeak-ng", "espeak-ng")])
def test_a_missing_engine_exits_1_naming_the_setup(tmp_path, engine, binary):
    bin_dir = tmp_path / "bin"  # a PATH with python but no speech engine
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    proc = run("render", "1", "--voice", engine, env={"PATH": str(bin_dir)})
    assert proc.returncode == 1, proc.stderr
    assert f"{binary} not found" in proc.stderr and "./dev setup" in proc.stderr


def test_piper_without_its_voice_file_exits_1_naming_the_problem(tmp_path):
    proc = run("render", "1", "--voice", f"piper:{tmp_path / 'absent.onnx'}")
    assert proc.returncode == 1, proc.stderr
    assert f"no Piper voice file {tmp_path / 'absent.onnx'}" in proc.stderr and "nothing is downloaded" in proc.stderr
    bare = run("render", "1", "--voice", "piper")
    assert bare.returncode == 1 and "piper:path/to/voice.onnx" in bare.stderr


def test_speech_is_cached_by_text_engine_and_voice(tmp_path, monkeypatch):
    slt, rms = voice.parse("flite:slt"), voice.parse("flite:rms")
    first = voice.speak("The weighted sum is 0.995.", slt, tmp_path)
    assert first.spoken == "The weighted sum is zero point nine nine five."

    def no_engine(*args):
        raise AssertionError("synthesised again, not read from the cache")

    with monkeypatch.context() as m:
        m.setattr(voice, "_synthesise", no_engine)
        again = voice.speak("The weighted sum is 0.995.", slt, tmp_path)
    assert again == first
    other_voice = voice.speak("The weighted sum is 0.995.", rms, tmp_path)
    other_text = voice.speak("The weighted sum is 0.996.", slt, tmp_path)
    assert len({first.path, other_voice.path, other_text.path}) == 3
    # a clip starts with its sound (no engine lead-in), at one loudness, never clipped
    samples, rate = voice.read_wav(first.path)
    assert rate == voice.RATE and np.abs(samples).max() <= voice.PEAK + 1e-4
    assert onsets(samples, rate)[0][0] <= voice.PAD + 0.03


# ----------------------------------------------------------------------------- a probe chapter, rendered

PROBE = '''
from manim import FadeIn, Square, Circle
from scenes.base import ChapterScene


class First(ChapterScene):
    chapter = 94
    strict_fill = False

    def construct(self):
        square = Square(3)
        self.play(FadeIn(square))
        self.say("The weighted sum is 0.995.")
        self.play(square.animate.rotate(0.5))
        self.say("Its 784 inputs each have a weight: W_Q.")
        self.play(square.animate.scale(0.8), run_time=0.5)


class Second(ChapterScene):
    chapter = 94
    strict_fill = False

    def construct(self):
        circle = Circle(2)
        self.play(FadeIn(circle))
        self.say("Step along −∇C.")
        self.recap_card(["One idea.", "Another idea, 13,002 knobs."], replacing=[circle])
'''


def probe_chapter(folder: Path) -> render.Chapter:
    (folder / "chapter94.py").write_text(PROBE)
    return chapter_at(folder / "chapter94.py", 94, "Probe", ["First", "Second"])


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """The probe rendered silent, then voiced (default engine), through render.py's own path. Returns
    (chapter, output folder, scene folder, the silent files' bytes before the voiced render)."""
    folder = tmp_path_factory.mktemp("voice-probe")
    chapter = probe_chapter(folder)
    with pytest.MonkeyPatch.context() as m:
        m.setenv("NN_EXPLAINER_STRICT_LAYOUT", "0")
        m.setattr(render, "MEDIA", folder / "media")
        m.setattr(render, "OUTPUT", folder / "out")
        render.render_chapter(chapter, chapter.scenes, "low", False, 2, {})
        silent = {p.name: p.read_bytes() for p in (folder / "out").iterdir()}
        silent |= {p.name: p.read_bytes() for p in render._scene_dir(chapter, "low").glob("*.*")}
        spoken = voice.parse(None)
        render.render_chapter(chapter, chapter.scenes, "low", False, 2, {}, voice=spoken)
        again = render.render_chapter(chapter, chapter.scenes, "low", False, 2, {}, voice=spoken)
        yield {"chapter": chapter, "out": folder / "out", "silent": silent, "reused": again, "voice": spoken,
               "cache": folder / "media" / "voice"}


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    """A video's sound track as mono samples, each frame placed at its own time stamp."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        pieces = [(int(round(float(f.pts * f.time_base) * rate)), f.to_ndarray().mean(axis=0))
                  for f in container.decode(stream)]
    out = np.zeros(max(at + len(x) for at, x in pieces), dtype=np.float32)
    for at, x in pieces:
        out[max(at, 0): at + len(x)] = x[max(0, -at):]
    return out, rate


def onsets(samples: np.ndarray, rate: int, floor_db: float = -40.0, bridge: float = 0.6) -> list[tuple[float, float]]:
    """Stretches of sound, (start, end) in seconds: 10 ms RMS above ``floor_db`` dBFS, with pauses
    shorter than ``bridge`` seconds (between words, at a comma) counted as part of the stretch."""
    n = int(rate * 0.01)
    frames = samples[: len(samples) // n * n].reshape(-1, n).astype(np.float64)
    loud = 10 * np.log10(np.maximum((frames ** 2).mean(axis=1), 1e-12)) > floor_db
    runs, start, quiet = [], None, 0
    for i, on in enumerate(loud):
        if on:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet * 0.01 >= bridge:
                runs.append((start * 0.01, (i - quiet + 1) * 0.01))
                start, quiet = None, 0
    if start is not None:
        runs.append((start * 0.01, (len(loud) - quiet) * 0.01))
    return runs


def subtitles(path: Path):
    import srt

    return list(srt.parse(path.read_text(encoding="utf-8")))


def test_the_voiced_video_has_a_sound_track_as_long_as_the_video(probe):
    import av

    video = probe["out"] / "chapter94_480p15_voiced.mp4"
    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1 and container.streams.audio[0].codec_context.name == "aac"
    samples, rate = decode_audio(video)
    assert abs(len(samples) / rate - render.video_seconds(video)) <= 0.1
    assert np.abs(samples).max() < 0.99  # never clipped
    assert video.with_suffix(".srt").exists() and (probe["out"] / "chapter94_480p15_voiced.beats.json").exists()


def test_each_sentence_starts_with_its_subtitle_and_none_overlap(probe):
    """From the sound alone: every subtitle's sentence starts within 0.1 s of the subtitle; each
    sentence sounds for as long as it does alone (so none runs into the next, and none is cut off);
    and there is a silence before the next one starts."""
    video = probe["out"] / "chapter94_480p15_voiced.mp4"
    samples, rate = decode_audio(video)
    subs = subtitles(video.with_suffix(".srt"))
    assert [s.content for s in subs] == ["The weighted sum is 0.995.", "Its 784 inputs each have a weight: W_Q.",
                                         "Step along −∇C.", "One idea.", "Another idea, 13,002 knobs."]
    starts = [s.start.total_seconds() for s in subs]
    for i, (sub, start) in enumerate(zip(subs, starts)):
        window_end = starts[i + 1] if i + 1 < len(starts) else len(samples) / rate
        lo = int((start - 0.25) * rate)
        runs = onsets(samples[lo: int(window_end * rate)], rate)
        assert runs, f"no speech for {sub.content!r}"
        onset, end = runs[0][0] + lo / rate, runs[-1][1] + lo / rate
        assert abs(onset - start) <= 0.1, f"{sub.content!r} starts at {onset:.2f} s, its subtitle at {start:.2f} s"
        alone = onsets(*voice.read_wav(voice.speak(sub.content, probe["voice"], probe["cache"]).path))
        length = alone[-1][1] - alone[0][0]
        assert abs((end - onset) - length) <= 0.1, f"{sub.content!r} sounds {end - onset:.2f} s, alone {length:.2f} s"
        assert end <= window_end - 0.15, f"{sub.content!r} runs on to {end:.2f} s, the next starts at {window_end:.2f} s"


def test_voiced_and_silent_renders_keep_their_own_files_and_keys(probe):
    chapter = probe["chapter"]
    out = probe["out"]
    # the voiced render wrote nothing over the silent one
    silent_now = {p.name: p.read_bytes() for p in out.iterdir() if "_voiced" not in p.name}
    silent_now |= {p.name: p.read_bytes() for p in render._scene_dir(chapter, "low").glob("*.*")}
    assert silent_now == probe["silent"]
    voiced_dir = render._scene_dir(chapter, "low", probe["voice"])
    assert voiced_dir != render._scene_dir(chapter, "low") and (voiced_dir / "First.voice.json").exists()
    # a voiced scene's key holds the voice; the silent key does not move with it
    silent_key = render._render_key(chapter, "First", "low", {})
    voiced_key = render._render_key(chapter, "First", "low", {}, voice=probe["voice"])
    other_key = render._render_key(chapter, "First", "low", {}, voice=voice.parse("flite:slt"))
    assert len({silent_key, voiced_key, other_key}) == 3
    assert [reused for *_, reused in probe["reused"]] == [True, True]  # rendered again: reused
    cues = json.loads((voiced_dir / "First.voice.json").read_text())
    assert cues["voice"] == "festival:cmu_us_slt_arctic_hts"
    assert [c["spoken"] for c in cues["cues"]] == ["The weighted sum is zero point nine nine five.",
                                                  "Its seven hundred eighty-four inputs each have a weight: W Q."]


def silent_summary(video: Path) -> dict:
    """What pins a silent render: its frame count, its subtitles' times, each frame's mean brightness."""
    import av

    with av.open(str(video)) as container:
        means = [round(float(f.to_ndarray(format="gray").mean()), 2) for f in container.decode(video=0)]
    subs = [[round(s.start.total_seconds(), 3), round(s.end.total_seconds(), 3), s.content]
            for s in subtitles(video.with_suffix(".srt"))]
    return {"frames": len(means), "subtitles": subs, "mean_brightness": means}


def test_the_silent_render_is_as_it_was_before_narration(probe, update_goldens):
    """The silent probe, frame by frame, against the one rendered by the code before narration
    existed: the same number of frames, the same subtitles, the same pictures (mean brightness)."""
    now = silent_summary(probe["out"] / "chapter94_480p15.mp4")
    if update_goldens:
        GOLDEN.write_text(json.dumps(now, indent=0) + "\n")
    before = json.loads(GOLDEN.read_text())
    assert now["frames"] == before["frames"]
    assert now["subtitles"] == before["subtitles"]
    np.testing.assert_allclose(now["mean_brightness"], before["mean_brightness"], atol=0.05)
