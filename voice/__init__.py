"""Spoken narration: an offline text-to-speech engine reads each caption.

A voice is named ``ENGINE[:VOICE]`` (``render.py render 4 --voice festival:cmu_us_slt_arctic_hts``):

* ``festival`` (the default): Festival with the CMU SLT HTS voice, Debian's ``festival`` and
  ``festvox-us-slt-hts``;
* ``flite``: Flite and its built-in voices (``slt``, ``rms``, ``awb``, ``kal16``, ``kal``);
* ``espeak-ng``: eSpeak NG (``en-us`` and its other voices);
* ``piper:PATH.onnx``: a Piper voice file of one's own (piper-tts from PyPI; its ``.onnx.json``
  beside it). Nothing is downloaded.

:func:`speak` turns a caption into a :class:`Clip`: the caption read as a person would
(``voice.normalise``), synthesised, trimmed of its leading and trailing silence (so the sound
starts the moment the clip is placed), brought to one loudness and resampled to ``RATE``, and
cached as a WAV under the cache folder by (spoken text, engine, voice).

The scenes use it through ``scenes/base.py`` when ``NN_EXPLAINER_VOICE`` names a voice (render.py
sets it, with where the cache is and where to write the scene's cue list): each ``say`` speaks its
caption, and the scene waits until the sentence is over before the next. The chapter's sound track
is then built from the scenes' cue lists (``render.py``'s join, :func:`chapter_track`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice.normalise import spoken

__all__ = ["ENGINES", "DEFAULT", "RATE", "Clip", "Voice", "VoiceError", "UnknownVoice", "parse", "speak",
           "fingerprint", "chapter_track", "read_wav", "write_wav", "spoken"]

ROOT = Path(__file__).resolve().parent.parent
RATE = 48000  # the sound track's sample rate (AAC's usual); every clip is resampled to it
LOUDNESS_DBFS = -20.0  # every sentence's speech at one loudness (RMS over its voiced part)
PEAK = 0.89  # and never above -1 dBFS: no clipping
SILENCE_DBFS = -45.0  # what counts as silence when a clip is trimmed (20 ms windows)
PAD = 0.02  # seconds of the engine's own lead-in kept before the first sound

# Environment variables render.py hands the Manim process of a voiced scene.
VOICE_ENV = "NN_EXPLAINER_VOICE"  # ENGINE[:VOICE]
CACHE_ENV = "NN_EXPLAINER_VOICE_CACHE"  # the folder of cached clips
CUES_ENV = "NN_EXPLAINER_VOICE_CUES"  # where the scene writes its cue list (JSON)


class VoiceError(Exception):
    """An engine that cannot speak here (not installed, a voice file missing): exit status 1."""


class UnknownVoice(VoiceError):
    """An engine or voice name this tool does not know: exit status 2."""


@dataclass(frozen=True)
class Engine:
    binary: str  # the program that must be installed ("" for piper: a Python package)
    default_voice: str
    packages: str  # what installs it
    doc: str


ENGINES: dict[str, Engine] = {
    "festival": Engine("text2wave", "cmu_us_slt_arctic_hts", "festival festvox-us-slt-hts",
                       "Festival, HTS voices (default cmu_us_slt_arctic_hts)"),
    "flite": Engine("flite", "slt", "flite", "Flite (voices slt, rms, awb, kal16, kal)"),
    "espeak-ng": Engine("espeak-ng", "en-us", "espeak-ng", "eSpeak NG (voices en-us, en-gb, ...)"),
    "piper": Engine("", "", "piper-tts (PyPI)", "Piper, with a voice file of your own: piper:PATH.onnx"),
}
DEFAULT = "festival"


@dataclass(frozen=True)
class Voice:
    engine: str
    voice: str

    @property
    def name(self) -> str:
        return f"{self.engine}:{self.voice}"


def parse(spec: str | None) -> Voice:
    """``ENGINE[:VOICE]`` (or ``None``/``""``/``default``: the default engine) as a :class:`Voice`.
    An unknown engine raises :class:`UnknownVoice` naming the valid ones."""
    spec = (spec or "").strip()
    if spec in ("", "default"):
        spec = DEFAULT
    engine, _, name = spec.partition(":")
    engine = engine.lower()
    if engine not in ENGINES:
        raise UnknownVoice(f"unknown voice engine {engine!r}. Valid: {', '.join(ENGINES)} "
                           f"(e.g. --voice flite:slt; the default is {DEFAULT})")
    if engine == "piper":
        if not name:
            raise VoiceError("--voice piper needs a voice file: --voice piper:path/to/voice.onnx (a Piper "
                             "voice and its .onnx.json beside it; nothing is downloaded)")
        return Voice(engine, str(Path(name).expanduser().resolve()))
    name = name or ENGINES[engine].default_voice
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
        raise UnknownVoice(f"{engine} has no voice {name!r}")
    return Voice(engine, name)


def check(voice: Voice) -> None:
    """Raise :class:`VoiceError` (or :class:`UnknownVoice`) unless ``voice`` can speak here."""
    engine = ENGINES[voice.engine]
    if voice.engine == "piper":
        try:
            import piper  # noqa: F401
        except ImportError as exc:
            raise VoiceError(f"--voice piper needs piper-tts ({exc}). Fix: run `./dev setup`") from exc
        model = Path(voice.voice)
        for path in (model, Path(f"{model}.json")):
            if not path.is_file():
                raise VoiceError(f"no Piper voice file {path}: give a voice you have, --voice piper:VOICE.onnx, "
                                 "with VOICE.onnx.json beside it (nothing is downloaded)")
        return
    if shutil.which(engine.binary) is None:
        raise VoiceError(f"{engine.binary} not found: --voice {voice.engine} needs Debian's {engine.packages}. "
                         "Fix: run `./dev setup` (it installs them with apt)")
    if voice.engine == "flite":
        listed = subprocess.run(["flite", "-lv"], capture_output=True, text=True).stdout
        known = listed.split(":", 1)[-1].split()
        if known and voice.voice not in known:
            raise UnknownVoice(f"flite has no voice {voice.voice!r}. Valid: {', '.join(known)}")
    elif voice.engine == "festival":
        known = sorted(p.name for p in Path("/usr/share/festival/voices").glob("*/*") if p.is_dir())
        if known and voice.voice not in known:
            raise UnknownVoice(f"festival has no voice {voice.voice!r}. Installed: {', '.join(known)}")


# ----------------------------------------------------------------------------- synthesis


def _synthesise(voice: Voice, text: str, out: Path) -> None:
    """Run the engine: ``text`` spoken into the WAV file ``out``."""
    if voice.engine == "piper":
        _piper(voice, text, out)
        return
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(text + "\n")
        source = f.name
    try:
        if voice.engine == "festival":
            cmd = ["text2wave", "-o", str(out), "-eval", f"(voice_{voice.voice})", source]
        elif voice.engine == "flite":
            cmd = ["flite", "-voice", voice.voice, "-f", source, "-o", str(out)]
        else:
            cmd = ["espeak-ng", "-v", voice.voice, "-w", str(out), "-f", source]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    finally:
        os.unlink(source)
    if proc.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
        raise VoiceError(f"{voice.engine} could not speak {text[:60]!r} with voice {voice.voice!r}: "
                         f"{(proc.stderr or proc.stdout).strip()[-300:]}")


_PIPER: dict[str, object] = {}


def _piper(voice: Voice, text: str, out: Path) -> None:
    from piper import PiperVoice

    if voice.voice not in _PIPER:  # loading the model is the slow part: once per process
        _PIPER[voice.voice] = PiperVoice.load(voice.voice)
    with wave.open(str(out), "wb") as w:
        _PIPER[voice.voice].synthesize_wav(text, w)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV as mono float samples in [-1, 1], with its sample rate."""
    with wave.open(str(path)) as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = w.readframes(w.getnframes())
    if width != 2:
        raise VoiceError(f"{path} is not 16-bit PCM")
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels).mean(axis=1), rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Mono float samples as a 16-bit PCM WAV, written whole or not at all."""
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def envelope(samples: np.ndarray, rate: int, window: float = 0.02) -> np.ndarray:
    """The RMS level around each sample (``window`` seconds), in dBFS."""
    n = max(1, int(rate * window))
    power = np.convolve(samples.astype(np.float64) ** 2, np.ones(n) / n, mode="same")
    return 10 * np.log10(np.maximum(power, 1e-12))


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """``samples`` at ``rate`` resampled to ``to`` (libswresample, through PyAV)."""
    if rate == to:
        return samples.astype(np.float32)
    import av

    frame = av.AudioFrame.from_ndarray(samples.astype(np.float32)[None, :], format="flt", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to)
    parts = [f.to_ndarray()[0] for f in resampler.resample(frame)]
    parts += [f.to_ndarray()[0] for f in resampler.resample(None)]  # flush what it holds back
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def _finish(samples: np.ndarray, rate: int) -> np.ndarray:
    """An engine's raw output made into a clip: silence trimmed at both ends (``PAD`` kept), one
    loudness, no clipping, at ``RATE``."""
    level = envelope(samples, rate)
    loud = np.flatnonzero(level > SILENCE_DBFS)
    if loud.size == 0:
        raise VoiceError("the engine produced silence")
    pad = int(PAD * rate)
    samples = samples[max(0, loud[0] - pad): loud[-1] + pad]
    voiced = samples[envelope(samples, rate) > SILENCE_DBFS]
    gain = 10 ** (LOUDNESS_DBFS / 20) / max(float(np.sqrt(np.mean(voiced.astype(np.float64) ** 2))), 1e-6)
    gain = min(gain, PEAK / max(float(np.abs(samples).max()), 1e-6))
    out = resample(samples * gain, rate, RATE)
    return np.clip(out, -PEAK, PEAK)


@dataclass(frozen=True)
class Clip:
    """One sentence, spoken: its WAV in the cache, its length, and its samples' hash."""
    text: str
    spoken: str
    path: Path
    seconds: float
    sha256: str


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or ROOT / "media" / "voice")


def clip_key(voice: Voice, said: str) -> str:
    """The cache key of a sentence: what is said, by which engine and voice, processed how."""
    ident = {"text": said, "engine": voice.engine, "voice": voice.voice, "rate": RATE,
             "loudness": LOUDNESS_DBFS, "silence": SILENCE_DBFS, "pad": PAD}
    if voice.engine == "piper":  # a voice file is known by its contents, not its path
        ident["voice"] = hashlib.sha256(Path(voice.voice).read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def speak(text: str, voice: Voice, cache: Path | None = None) -> Clip:
    """``text`` (a caption) spoken by ``voice``: synthesised once, then read from the cache."""
    said = spoken(text)
    folder = (cache or cache_dir()) / voice.engine
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{clip_key(voice, said)[:32]}.wav"
    if not path.exists():
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            raw = Path(tmp) / "raw.wav"
            _synthesise(voice, said, raw)
            samples, rate = read_wav(raw)
            write_wav(path, _finish(samples, rate), RATE)
    data = path.read_bytes()
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
    return Clip(text, said, path, seconds, hashlib.sha256(data).hexdigest())


CALIBRATION = "The weighted sum is 0.995: seven hundred and eighty-four inputs."


def fingerprint(voice: Voice, cache: Path | None = None) -> str:
    """What a voiced render's key holds of the voice: the engine and voice, the code that speaks
    (this package), and the hash of the audio it synthesises for a fixed sentence, so another
    engine version or voice file means another key."""
    h = hashlib.sha256(voice.name.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    if voice.engine == "piper":
        h.update(hashlib.sha256(Path(voice.voice).read_bytes()).digest())
    # synthesised afresh (not from the cache): the engine as installed now
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "calibration.wav"
        _synthesise(voice, spoken(CALIBRATION), raw)
        samples, _ = read_wav(raw)
    h.update((np.round(samples * 32768)).astype("<i2").tobytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- a chapter's track


def chapter_track(cue_lists: list[list[dict]], offsets: list[float], total: float, voice: Voice,
                  cache: Path | None = None) -> np.ndarray:
    """The sound track of a joined chapter: every scene's sentences (``cue_lists``, as the scenes
    wrote them: start, text, sha256) placed at the scene's offset plus the cue's start, on
    ``total`` seconds of silence at ``RATE``. A clip missing from the cache is synthesised again,
    and must come out the same as the scene had it."""
    track = np.zeros(int(round(total * RATE)), dtype=np.float32)
    for cues, offset in zip(cue_lists, offsets):
        for cue in cues:
            clip = speak(cue["text"], voice, cache)
            if clip.sha256 != cue["sha256"]:
                raise VoiceError(f"the voice now reads {cue['text'][:50]!r} differently from when the scene was "
                                 "rendered (another engine version?); render the chapter again with --force")
            samples, _ = read_wav(clip.path)
            at = int(round((offset + cue["start"]) * RATE))
            end = min(len(track), at + len(samples))
            track[at:end] += samples[: end - at]
    return track
