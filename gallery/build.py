"""Write the gallery, ``output/site/``, from the rendered chapters in ``output/`` and the artifacts.

    site/index.html      every chapter in order: title, length, storyboard thumbnail, or "not rendered yet"
    site/chapterN.html   a rendered chapter: its video with captions, its beats (buttons that seek the
                         video), the model card read from the artifact manifests, the storyboard
    site/style.css, site/gallery.js
    site/media/          the videos (hard links to output/'s files, or copies), captions, storyboards

What a chapter page shows comes from the files ``render.py`` writes beside the joined video
(``chapter1_480p15.mp4``): ``.srt`` (the subtitles, converted to WebVTT with webvtt-py),
``.beats.json`` (each scene's start in the joined video) and ``chapter1_storyboard.png`` (what
``render.py look 1`` makes). Every path in the pages is relative and nothing is fetched from the
network, so the site opens from disk. The captions ride in the page itself (a ``data:`` URL on the
``<track>``), since a browser refuses a track file next to a page opened from disk.

The site is built in a temporary folder beside the target and swapped in at the end: a build that
fails leaves the previous site as it was.

Example::

    from gallery.build import build_site
    build_site([render.load_chapter(n) for n in (1, 2)], Path("output"), "480p15")
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import os
import re
import shutil
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from models.artifacts import PROJECT_ROOT, ArtifactError, load_artifact
from models.model_card import _shown, artifact_closure, drawn_models, model_facts, stage_graph as _stage_graph

TEMPLATES = Path(__file__).resolve().parent / "templates"
TESTS = PROJECT_ROOT / "tests"


class ChapterLike(Protocol):
    """What the gallery needs of a chapter (``render.Chapter`` has it)."""

    number: int
    title: str
    artifacts: tuple[str, ...]

    @property
    def slug(self) -> str: ...


# ----------------------------------------------------------------------------- a chapter's files


WHOLE_WORDS = ("ReLU",)  # words a scene name may hold that are not split at their capitals


@dataclass(frozen=True)
class Beat:
    """A scene of a joined chapter: where it starts in the video and how long it runs (seconds)."""

    scene: str
    start: float
    seconds: float

    @property
    def label(self) -> str:
        """The scene's class name in words: ``ExampleThrees`` -> ``Example Threes``, ``InsideTheMLP``
        -> ``Inside The MLP`` (a mixed-case word in :data:`WHOLE_WORDS` stays whole)."""
        parts = re.split("(" + "|".join(WHOLE_WORDS) + ")", self.scene)
        return " ".join(p if p in WHOLE_WORDS else re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", p)
                        for p in parts if p)


@dataclass(frozen=True)
class ChapterFiles:
    """Where ``render.py`` put a chapter's outputs (``quality``: the folder suffix, e.g. 480p15)."""

    video: Path
    subtitles: Path
    beats: Path
    storyboard: Path

    @classmethod
    def of(cls, chapter: ChapterLike, output: Path, quality: str) -> "ChapterFiles":
        video = Path(output) / f"{chapter.slug}_{quality}.mp4"
        return cls(video, video.with_suffix(".srt"), video.with_suffix(".beats.json"),
                   Path(output) / f"{chapter.slug}_storyboard.png")


def read_beats(path: Path) -> list[Beat]:
    """The beats ``render.py`` recorded when it joined the chapter (``[]`` if it recorded none)."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return []
    return [Beat(b["scene"], float(b["start"]), float(b["seconds"])) for b in record.get("beats", [])]


def read_voice(path: Path) -> str | None:
    """The voice that reads a narrated chapter (``ENGINE:VOICE``), as ``render.py`` recorded it
    beside the beats; None for a silent chapter or no record."""
    try:
        voice = json.loads(Path(path).read_text()).get("voice")
    except (OSError, ValueError, AttributeError):
        return None
    return voice if isinstance(voice, str) and voice else None


def narrated(quality: str) -> bool:
    """Whether ``quality`` names the narrated files (``480p15_voiced``) of ``render.py render --voice``."""
    return quality.endswith("_voiced")


def render_command(number: int, quality: str) -> str:
    """The command that renders chapter ``number``'s files of this kind."""
    return f"python render.py render {number}" + (" --voice" if narrated(quality) else "")


def srt_to_vtt(srt_path: Path) -> str:
    """The WebVTT text of a SubRip file (webvtt-py's conversion); an empty file gives no cues."""
    import webvtt
    from webvtt.errors import MalformedFileError

    if not Path(srt_path).read_text(encoding="utf-8").strip():
        return "WEBVTT\n"
    try:
        return webvtt.from_srt(str(srt_path)).content
    except MalformedFileError as exc:
        raise ValueError(f"{srt_path} is not a SubRip file webvtt-py can read: {exc}") from exc


def video_seconds(path: Path) -> float:
    """The length of a video file, in seconds."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / 1e6


def clock(seconds: float) -> str:
    """``m:ss`` (seconds rounded down, so a beat's label never runs ahead of its start)."""
    whole = int(seconds + 1e-6)
    return f"{whole // 60}:{whole % 60:02d}"


# ----------------------------------------------------------------------------- the model card


def _flat(value, prefix: str = "") -> list[tuple[str, object]]:
    """A manifest's nested dict as (dotted key, value) rows."""
    if isinstance(value, dict):
        return [row for k in sorted(value) for row in _flat(value[k], f"{prefix}.{k}" if prefix else str(k))]
    return [(prefix, value)]


def golden_files(number: int, artifact_names: Sequence[str]) -> list[dict]:
    """The golden files that pin chapter ``number``'s numbers and those of its artifacts, each with
    the tests that check them (found in the tests' source: ``check_golden("name", ...)``)."""
    golden = TESTS / "golden"
    checked_by: dict[str, list[str]] = {}
    screens_by: list[str] = []
    for test in sorted(TESTS.glob("test_*.py")):
        source = test.read_text(encoding="utf-8")
        for name in re.findall(r"check_golden\(\s*[\"']([^\"']+)[\"']", source):
            checked_by.setdefault(name, []).append(f"tests/{test.name}")
        if re.search(r"GOLDEN_DIR\s*/\s*[\"']screens[\"']", source):  # tests/test_screens.py's SCREENS
            screens_by.append(f"tests/{test.name}")
    rows = []
    for name in dict.fromkeys([f"chapter{number}", *(a.replace("-", "_") for a in artifact_names)]):
        if (golden / f"{name}.json").exists():
            rows.append({"file": f"tests/golden/{name}.json", "count": 1, "tests": checked_by.get(name, [])})
    screens = sorted((golden / "screens").glob(f"ch{number}-*.txt"))
    if screens:
        rows.append({"file": f"tests/golden/screens/ch{number}-*.txt", "count": len(screens), "tests": screens_by})
    return rows


def model_card(chapter: ChapterLike) -> dict:
    """What a chapter's model card shows, read from the manifests of its artifacts and of the ones
    they are built from: per artifact its description, key, files, headline facts and metrics; and
    the golden files that pin the chapter's numbers."""
    graph = _stage_graph()
    entries = []
    for name in artifact_closure(chapter.artifacts, graph):
        entry, inside = {"name": name, "description": graph.get(name, ((), ""))[1], "built": False}, []
        try:
            art = load_artifact(name)
        except ArtifactError as exc:
            entry["problem"] = str(exc)
        else:
            facts, numbers = model_facts(art.manifest)
            entry.update(built=True, key=art.key, files=sorted(art.manifest["files"]), facts=facts, numbers=numbers,
                         metrics=_flat(art.metrics),
                         config=[row for row in _flat(art.config) if not row[0].startswith("numerics.")])
            for sub, card in drawn_models(art.manifest, chapter.number):  # a model trained inside it, drawn here
                facts, numbers = model_facts(card)
                inside.append({"name": name, "model": sub, "description": card["description"], "built": True,
                               "key": art.key, "files": sorted(art.manifest["files"]), "facts": facts,
                               "numbers": numbers, "metrics": _flat(card["metrics"]), "config": _flat(card["config"])})
        entries += [entry, *inside]
    return {"artifacts": entries, "goldens": golden_files(chapter.number, artifact_closure(chapter.artifacts, graph))}


# ----------------------------------------------------------------------------- HTML

esc = html.escape  # every text from a file or a manifest goes through it


def _template(name: str) -> string.Template:
    return string.Template((TEMPLATES / name).read_text(encoding="utf-8"))


def card_html(card: dict) -> str:
    parts = []
    for entry in card["artifacts"]:
        inside = f' › <code>{esc(entry["model"])}</code>' if "model" in entry else ""  # a model trained inside it
        head = f'<h3><code>{esc(entry["name"])}</code>{inside}: {esc(entry["description"])}</h3>'
        if not entry["built"]:
            parts.append(f'<section class="artifact">{head}<p class="problem">Not built: {esc(entry["problem"])}</p>'
                         "</section>")
            continue
        rows = entry["facts"] or [("Measured", "; ".join(f"{k} {_shown(v)}" for k, v in entry["metrics"]))]
        facts = "".join(f"<dt>{esc(label)}</dt><dd>{esc(text)}</dd>" for label, text in rows if text)
        facts += (f'<dt>Artifact key</dt><dd><code title="{esc(entry["key"])}">{esc(entry["key"][:16])}…</code> '
                  f'(<code>assets/cache/{esc(entry["name"])}/</code>: '
                  f'{", ".join(f"<code>{esc(f)}</code>" for f in entry["files"])})</dd>')
        metrics = "".join(f"<tr><th scope=\"row\"><code>{esc(k)}</code></th><td>{esc(_shown(v))}</td></tr>"
                          for k, v in entry["metrics"])
        config = "".join(f"<tr><th scope=\"row\"><code>{esc(k)}</code></th><td>{esc(_shown(v))}</td></tr>"
                         for k, v in entry["config"])
        parts.append(
            f'<section class="artifact" data-artifact="{esc(entry["name"])}"'
            + (f' data-model="{esc(entry["model"])}"' if "model" in entry else "") + f'>{head}<dl>{facts}</dl>'
            f'<details><summary>Everything its manifest records{" of it" if inside else ""}</summary>'
            f'<table><caption>metrics</caption>{metrics}</table>'
            f'<table><caption>configuration</caption>{config}</table></details></section>')
    goldens = "".join(
        f'<li><code>{esc(g["file"])}</code>' + (f' ({g["count"]} files)' if g["count"] > 1 else "")
        + (f', checked by {", ".join(f"<code>{esc(t)}</code>" for t in g["tests"])}' if g["tests"] else "")
        + "</li>" for g in card["goldens"])
    pinned = (f"<h3>Golden files that pin these numbers</h3><ul>{goldens}</ul>" if goldens else
              "<p>No golden file pins this chapter's numbers yet.</p>")
    return "".join(parts) + pinned


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no second copy of a video on disk), or a copy where links are impossible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _thumbnail(storyboard: Path, target: Path, width: int = 360) -> tuple[int, int]:
    """The storyboard's top left (the first scenes' first frames, cut at 16:10) scaled down for the
    index; returns its size."""
    from PIL import Image

    with Image.open(storyboard) as sheet:
        w = sheet.width // 2
        thumb = sheet.convert("RGB").crop((0, 0, w, min(sheet.height, w * 10 // 16)))
        thumb.thumbnail((width, width))
        thumb.save(target)
        return thumb.size


def chapter_page(chapter: ChapterLike, files: ChapterFiles, site: Path, neighbours: tuple, length: float,
                 quality: str = "480p15") -> str:
    """Write chapter ``chapter``'s media into ``site/media`` and return its page."""
    media = site / "media"
    _link_or_copy(files.video, media / files.video.name)
    vtt = srt_to_vtt(files.subtitles) if files.subtitles.exists() else "WEBVTT\n"
    (media / files.video.with_suffix(".vtt").name).write_text(vtt, encoding="utf-8")
    downloads = [f'<a href="media/{esc(files.video.name)}" download>video (MP4)</a>',
                 f'<a href="media/{esc(files.video.with_suffix(".vtt").name)}" download>captions (WebVTT)</a>']
    if files.subtitles.exists():
        _link_or_copy(files.subtitles, media / files.subtitles.name)
        downloads.append(f'<a href="media/{esc(files.subtitles.name)}" download>subtitles (SRT)</a>')

    beats = read_beats(files.beats)
    if beats:
        items = "".join(
            f'<li><button type="button" class="beat" data-start="{b.start:.4f}" data-scene="{esc(b.scene)}">'
            f'<span class="beat-number">{i}</span> <span class="beat-name">{esc(b.label)}</span> '
            f'<time datetime="PT{b.start:.1f}S">{clock(b.start)}</time></button></li>'
            for i, b in enumerate(beats, 1))
        beat_list = f'<ol class="beats">{items}</ol>'
    else:
        beat_list = (f"<p>No record of this video's beats: render the chapter again "
                     f"(<code>{esc(render_command(chapter.number, quality))}</code>).</p>")
    narration = ""
    if narrated(quality):
        voice = read_voice(files.beats)  # None for a chapter joined before the voice was recorded
        engine, _, name = (voice or "").partition(":")
        who = f" ({esc(engine)}, voice {esc(name)})" if voice else ""
        narration = f'<p class="narration" id="narration">Narrated: an offline voice{who} reads the captions.</p>'

    if files.storyboard.exists():
        _link_or_copy(files.storyboard, media / files.storyboard.name)
        storyboard = (f'<figure><img src="media/{esc(files.storyboard.name)}" alt="Storyboard of chapter '
                      f'{chapter.number}: six frames from each of its {len(beats) or "rendered"} scenes, a scene a '
                      f'row, each row headed by the scene\'s number, name and length" loading="lazy">'
                      f"<figcaption>Frames sampled across each scene, a scene a row "
                      f"(<code>python render.py look {chapter.number}</code>).</figcaption></figure>")
    else:
        storyboard = f"<p>No storyboard yet: <code>python render.py look {chapter.number}</code>.</p>"

    prev, nxt = neighbours
    nav = ['<a href="index.html">All chapters</a>']
    if prev is not None:
        nav.append(f'<a href="{prev.slug}.html" rel="prev">← Chapter {prev.number}</a>')
    if nxt is not None:
        nav.append(f'<a href="{nxt.slug}.html" rel="next">Chapter {nxt.number} →</a>')
    track = "data:text/vtt;base64," + base64.b64encode(vtt.encode("utf-8")).decode("ascii")
    return _template("chapter.html").substitute(
        number=chapter.number, title=esc(chapter.title), nav=" · ".join(nav), video=esc(files.video.name),
        track=track, length=clock(length), beats=beat_list, downloads=" · ".join(downloads), narration=narration,
        card=card_html(model_card(chapter)), storyboard=storyboard)


def index_entry(chapter: ChapterLike, files: ChapterFiles, site: Path, length: float | None,
                quality: str = "480p15") -> str:
    head = (f'<span class="chapter-number">Chapter {chapter.number}</span> '
            f'<span class="chapter-title">{esc(chapter.title)}</span>')
    if length is None:
        return (f'<li class="chapter not-rendered" data-chapter="{chapter.number}"><div class="card-body">'
                f'<div class="thumb placeholder" aria-hidden="true"></div>{head}'
                f'<span class="chapter-state">Not rendered yet: <code>{esc(render_command(chapter.number, quality))}'
                f"</code></span></div></li>")
    if files.storyboard.exists():
        name = f"{chapter.slug}_thumb.png"
        w, h = _thumbnail(files.storyboard, site / "media" / name)
        thumb = (f'<img class="thumb" src="media/{name}" width="{w}" height="{h}" alt="Storyboard thumbnail of '
                 f'chapter {chapter.number}: frames from each of its scenes">')
    else:
        thumb = '<div class="thumb placeholder" aria-hidden="true"></div>'
    return (f'<li class="chapter" data-chapter="{chapter.number}"><a class="card-body" href="{chapter.slug}.html">'
            f'{thumb}{head}<span class="chapter-length">{clock(length)}</span></a></li>')


def build_site(chapters: Sequence[ChapterLike], output: Path, quality: str = "480p15",
               target: Path | None = None) -> Path:
    """Write the gallery of ``chapters`` (in the given order) from the files in ``output`` to
    ``target`` (default ``output/site``), atomically; returns ``target``."""
    output = Path(output)
    target = Path(target) if target is not None else output / "site"
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        (building / "media").mkdir()
        for asset in ("style.css", "gallery.js"):
            shutil.copy2(TEMPLATES / asset, building / asset)
        files = {ch.number: ChapterFiles.of(ch, output, quality) for ch in chapters}
        lengths = {ch.number: video_seconds(files[ch.number].video) if files[ch.number].video.exists() else None
                   for ch in chapters}
        rendered = [ch for ch in chapters if lengths[ch.number] is not None]
        for i, ch in enumerate(rendered):
            neighbours = (rendered[i - 1] if i > 0 else None, rendered[i + 1] if i + 1 < len(rendered) else None)
            page = chapter_page(ch, files[ch.number], building, neighbours, lengths[ch.number], quality)
            (building / f"{ch.slug}.html").write_text(page, encoding="utf-8")
        entries = "".join(index_entry(ch, files[ch.number], building, lengths[ch.number], quality) for ch in chapters)
        built = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        (building / "index.html").write_text(
            _template("index.html").substitute(chapters=entries, count=len(chapters), rendered=len(rendered),
                                               built=built, quality=esc(quality.removesuffix("_voiced")),
                                               narrated=", narrated" if narrated(quality) else "",
                                               command="python render.py site" + (" --voice" if narrated(quality) else "")),
            encoding="utf-8")
        for folder in (building, building / "media"):  # mkdtemp makes a private folder; the site is for reading
            folder.chmod(0o755)
        _swap(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return target


def _swap(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in ``target``'s place; the old site goes only after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
