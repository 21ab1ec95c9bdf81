#!/usr/bin/env python3
"""The command line: train what is missing, render chapters to video, look at them, time them.

    python render.py list                          chapters, scenes, artifacts and their state
    python render.py new 9 "Title"                 scaffold a chapter: scenes, data stage, pinned test
    python render.py train [digits|lm|STAGE|all]   build model artifacts (reused when intact; --force)
    python render.py render [1 2 ...|all]          one video + subtitles per chapter
    python render.py render 1 --scene ForwardPass  a single scene
    python render.py look 1 [--scene NAME]         a storyboard PNG: frames sampled across scenes
    python render.py look 1 --size large           full-size frames, three a row: numbers readable
    python render.py bench [1 ...]                 training and per-scene render figures
    python render.py ask "michael jordan plays"    the language model's top next words

Videos land in ``output/`` (``chapter1_480p15.mp4`` and ``.srt``). Use ``--quality``
low, medium, high or 4k. Exit status: 0 done, 1 a failure (its cause and fix printed),
2 a name this tool does not know (the closest names printed).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from models.artifacts import ArtifactError, atomic_write, stable_hash  # noqa: E402

QUALITIES = {"low": ("l", "480p15"), "medium": ("m", "720p30"), "high": ("h", "1080p60"), "4k": ("k", "2160p60")}
# Chapter number -> module: every scenes/chapterN.py is a chapter, and lists its SCENES in order.
CHAPTER_MODULES = {int(p.stem.removeprefix("chapter")): f"scenes.{p.stem}"
                   for p in sorted((ROOT / "scenes").glob("chapter*.py")) if p.stem.removeprefix("chapter").isdigit()}
# Where Manim's scene videos and the finished chapters go (tests point these elsewhere).
MEDIA = Path(os.environ.get("NN_EXPLAINER_MEDIA", ROOT / "media"))
OUTPUT = Path(os.environ.get("NN_EXPLAINER_OUTPUT", ROOT / "output"))


class UsageError(Exception):
    """A name the tool does not know: exit status 2."""


class Failure(Exception):
    """Anything else that stops the command; the message names the cause and the fix."""


# ----------------------------------------------------------------------------- chapters


@dataclass
class Chapter:
    number: int
    title: str
    module: str
    scenes: list[str]
    artifacts: tuple[str, ...]

    @property
    def slug(self) -> str:
        return f"chapter{self.number}"

    @property
    def path(self) -> Path:
        return ROOT / (self.module.replace(".", "/") + ".py")


SYSTEM_MODULES = ("manim", "cairo", "manimpango", "pangocffi", "av", "numpy", "PIL", "srt")


def load_chapter(number: int) -> Chapter:
    try:
        module = importlib.import_module(CHAPTER_MODULES[number])
    except (ImportError, OSError) as exc:
        missing = getattr(exc, "name", None) or ""
        if isinstance(exc, OSError) or (isinstance(exc, ModuleNotFoundError) and missing.split(".")[0] in SYSTEM_MODULES):
            # Manim, Cairo or Pango missing or broken
            raise Failure(f"cannot load the scenes of chapter {number} ({exc}). Fix: run `./dev setup`, "
                          "which installs Cairo, Pango and Manim into .venv") from exc
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise Failure(f"scenes/chapter{number}.py does not import: {exc} ({Path(where.filename).name}, line "
                      f"{where.lineno}). Fix that import; the setup is not the problem") from exc
    return Chapter(number, module.TITLE, module.__name__, [s.__name__ for s in module.SCENES], tuple(module.ARTIFACTS))


def suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"{hint} Valid: {', '.join(valid)}."


def parse_chapters(names: list[str]) -> list[int]:
    if not names or names == ["all"]:
        return sorted(CHAPTER_MODULES)
    valid = [str(n) for n in sorted(CHAPTER_MODULES)] + ["all"]
    out = []
    for name in names:
        key = name.lower().removeprefix("chapter").removeprefix("ch").strip()
        if not key.isdigit() or int(key) not in CHAPTER_MODULES:
            raise UsageError(f"unknown chapter {name!r}." + suggest(name, valid))
        out.append(int(key))
    return out


def pick_scenes(chapter: Chapter, scene: str | None) -> list[str]:
    if scene is None:
        return chapter.scenes
    if scene in chapter.scenes:
        return [scene]
    lowered = {s.lower(): s for s in chapter.scenes}
    if scene.lower() in lowered:
        return [lowered[scene.lower()]]
    raise UsageError(f"chapter {chapter.number} has no scene {scene!r}." + suggest(scene, chapter.scenes))


# ----------------------------------------------------------------------------- system checks


def check_render_tools() -> None:
    """LaTeX is a system dependency Manim's formulas need; say how to get it."""
    missing = [tool for tool in ("latex", "dvisvgm") if shutil.which(tool) is None]
    if missing:
        raise Failure(
            f"{' and '.join(missing)} not found: Manim needs LaTeX to typeset formulas. "
            "Fix: run `./dev setup` (it installs texlive and dvisvgm with apt)."
        )


# ----------------------------------------------------------------------------- training


def ensure_artifacts(names: tuple[str, ...], force: bool = False, mnist_dir: str | None = None) -> dict[str, str]:
    """Build (or reuse) artifacts; returns each one's key for the render stamps."""
    from models.pipeline import ensure

    keys = {}
    for name in names:
        try:
            keys[name] = ensure(name, force=force, mnist_dir=mnist_dir).key
        except ArtifactError as exc:
            raise Failure(str(exc)) from exc
        except Exception as exc:  # data errors name their file and problem
            from models.mnist import DataError

            if isinstance(exc, DataError):
                raise Failure(f"cannot read the digits: {exc}") from exc
            raise
    return keys


def cmd_train(args) -> None:
    """Train a model (``digits``, ``lm``: the network and what is measured on it), or build one
    stage by name (a chapter's data stage); ``all``: every model and every other stage."""
    from models.pipeline import MODELS, STAGES, ensure, train_model

    in_models = {stage for stages in MODELS.values() for stage in stages}
    others = [name for name in STAGES if name not in in_models]
    names = [*MODELS, *others] if args.model == "all" else [args.model]
    for name in names:
        if name not in MODELS and name not in STAGES:
            raise UsageError(f"unknown model {name!r}." + suggest(name, [*MODELS, *others, "all"]))
    for name in names:
        print(f"training {name}", flush=True)
        try:
            arts = (train_model(name, force=args.force, mnist_dir=args.mnist_dir) if name in MODELS
                    else [ensure(name, force=args.force, mnist_dir=args.mnist_dir)])
        except ArtifactError as exc:
            raise Failure(str(exc)) from exc
        for art in arts:
            shown = {k: v for k, v in art.metrics.items() if k in ("test_accuracy", "train_seconds", "n_params")}
            print(f"  {art.name}: {_rel(art.folder)} {shown}")


def cmd_ask(args) -> None:
    """The language model's most likely next words after a prompt (for people writing scenes)."""
    from models.tiny_gpt import UnknownWords, load_lm

    ensure_artifacts(("lm",))
    from models.artifacts import load_artifact

    model, vocab = load_lm(load_artifact("lm").arrays("weights.npz"))
    if args.words:
        print(" ".join(vocab.itos))
        return
    if not args.prompt.strip():
        raise UsageError('give a prompt, e.g. `python render.py ask "michael jordan plays"`')
    try:
        top = model.next_words(vocab, args.prompt, k=args.k, temperature=args.temperature)
    except UnknownWords as exc:
        raise UsageError(f"{exc}. The vocabulary has {len(vocab)} words; `python render.py ask --words` lists them")
    print(f"after \"{args.prompt}\":")
    for word, p in top:
        print(f"  {word:14s} {p:6.1%}  {'#' * round(p * 40)}")


def cmd_list(args) -> None:
    from models.pipeline import STAGES, status

    state = status(args.mnist_dir)
    print("Artifacts (assets/cache/):")
    for name, stage in STAGES.items():
        print(f"  {name:14s} {state[name]:8s}  {stage.description}")
    print("\nChapters:")
    for number in sorted(CHAPTER_MODULES):
        ch = load_chapter(number)
        ready = all(state.get(a) == "ok" for a in ch.artifacts)
        print(f"  {number}  {ch.title}   (artifacts: {', '.join(ch.artifacts)}: {'ready' if ready else 'will be trained'})")
        for i, scene in enumerate(ch.scenes, 1):
            print(f"       {i}. {scene}")


# ----------------------------------------------------------------------------- rendering


def _scene_dir(chapter: Chapter, quality: str) -> Path:
    return MEDIA / "videos" / chapter.slug / QUALITIES[quality][1]


def project_sources(path: Path) -> list[Path]:
    """``path`` and every project module it imports, directly or through another (read from the
    source, so a chapter's key moves with the pieces it uses and no others)."""
    import ast

    seen: dict[Path, None] = {}
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen[current] = None
        for node in ast.walk(ast.parse(current.read_text(), str(current))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            for name in names:
                candidate = ROOT / (name.replace(".", "/") + ".py")
                if name.split(".")[0] in ("scenes", "models") and candidate.exists():
                    todo.append(candidate)
    return sorted(seen)


def scene_source(path: Path, scene: str, scenes: list[str]) -> str:
    """The part of a chapter module that scene ``scene`` runs: the module's source with the other
    scenes' classes (those in ``scenes`` that ``scene`` does not inherit from) cut out. What stays
    is the scene itself, its base classes in the module and every module-level helper, so editing
    one scene changes only its own text, and editing a helper changes every scene's."""
    import ast

    source = path.read_text()
    tree = ast.parse(source, str(path))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    if scene not in classes:
        raise Failure(f"{_rel(path)} has no class {scene} (its SCENES lists it)")
    needed, todo = set(), [scene]
    while todo:  # the scene and the classes of this module it inherits from
        name = todo.pop()
        if name in needed or name not in classes:
            continue
        needed.add(name)
        todo += [base.id for base in classes[name].bases if isinstance(base, ast.Name)]
    lines = source.splitlines(keepends=True)
    cuts = sorted(((min([n.lineno for n in node.decorator_list] + [node.lineno]), node.end_lineno, name)
                   for name, node in classes.items() if name in scenes and name not in needed), reverse=True)
    for start, end, name in cuts:
        lines[start - 1:end] = [f"# scene {name}: cut\n"]
    return "".join(lines)


def _render_key(chapter: Chapter, scene: str, quality: str, artifact_keys: dict[str, str]) -> str:
    """What one rendered scene depends on: its own code (:func:`scene_source`: the scene, its base
    classes and the chapter's module-level helpers), the project modules the chapter imports, the
    artifacts, the quality, Manim."""
    import manim

    h = hashlib.sha256()
    h.update(f"{chapter.slug}:{scene}".encode() + scene_source(chapter.path, scene, chapter.scenes).encode())
    for path in [*project_sources(chapter.path), ROOT / "manim.cfg"]:
        if path == chapter.path:
            continue  # in the key as the scene's part of it, above
        h.update(str(_rel(path)).encode() + path.read_bytes())
    return stable_hash({"code": h.hexdigest(), "artifacts": artifact_keys, "quality": quality, "manim": manim.__version__})


def layout_problems(chapter: Chapter, scene: str, quality: str) -> list[dict]:
    """What the layout rules found in the scene's last render ({"time", "problem", "strict"}), each
    problem once, at its first time."""
    path = _scene_dir(chapter, quality) / f"{scene}.layout.json"
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return list({p["problem"]: p for p in reversed(found)}.values())[::-1]


def render_scene(chapter: Chapter, scene: str, quality: str, key: str, force: bool) -> tuple[Path, float, bool]:
    """Render one scene with Manim in its own process; returns (video, seconds, reused)."""
    folder = _scene_dir(chapter, quality)
    video, stamp = folder / f"{scene}.mp4", folder / f"{scene}.stamp.json"
    report = folder / f"{scene}.layout.json"
    if not force and video.exists() and stamp.exists():
        try:
            if json.loads(stamp.read_text()).get("key") == key:
                return video, 0.0, True
        except ValueError:
            pass
    stamp.unlink(missing_ok=True)
    report.unlink(missing_ok=True)
    log = MEDIA / "logs" / f"{chapter.slug}_{scene}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # Scenes render in parallel processes; Manim's LaTeX and text caches are not safe to share
    # between processes (one deletes the .dvi another is converting), so each scene has its own.
    cfg = MEDIA / "logs" / f"{chapter.slug}_{scene}.cfg"
    cache = MEDIA / "scene-cache" / chapter.slug / scene
    atomic_write(cfg, f"[CLI]\ntex_dir = {cache / 'Tex'}\ntext_dir = {cache / 'texts'}\n".encode())
    cmd = [
        sys.executable, "-m", "manim", "render", "-q", QUALITIES[quality][0], "--disable_caching",
        "--media_dir", str(MEDIA), "-c", str(cfg), "--progress_bar", "none", str(chapter.path), scene,
    ]
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, "COLUMNS": "200", "NN_EXPLAINER_LAYOUT_REPORT": str(report)})
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not video.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise Failure(f"Manim failed on {chapter.slug} {scene} (full log: {_rel(log)}):\n{tail}")
    atomic_write(stamp, json.dumps({"key": key, "seconds": seconds}).encode())
    return video, seconds, False


def _rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def video_seconds(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.frames and stream.average_rate:
            return float(stream.frames / stream.average_rate)
        return float(container.duration or 0) / 1e6


def join_videos(parts: list[Path], target: Path) -> None:
    """Concatenate same-format videos into one file by copying packets (no re-encoding)."""
    import av

    tmp = target.with_name(f".{target.name}.tmp{target.suffix}")
    try:
        with av.open(str(tmp), "w", format="mp4") as out:
            out_stream = None
            offset = 0  # in the output stream's time base
            for part in parts:
                with av.open(str(part)) as src:
                    stream = src.streams.video[0]
                    if out_stream is None:
                        out_stream = out.add_stream_from_template(stream)
                    elif (stream.codec_context.width, stream.codec_context.height) != (out_stream.codec_context.width, out_stream.codec_context.height):
                        raise Failure(f"{part.name} has another frame size; render all scenes at one quality")
                    last = 0
                    for packet in src.demux(stream):
                        if packet.dts is None:
                            continue
                        pts, dts = packet.pts, packet.dts
                        packet.pts = (pts if pts is not None else dts) + offset
                        packet.dts = dts + offset
                        last = max(last, packet.pts + (packet.duration or 0))
                        packet.stream = out_stream
                        out.mux(packet)
                    offset = last
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def join_subtitles(parts: list[Path], durations: list[float], target: Path) -> int:
    """One .srt from the scenes' subtitle files, each shifted by the scenes before it."""
    import datetime

    import srt

    subs, offset = [], 0.0
    for part, duration in zip(parts, durations):
        srt_path = part.with_suffix(".srt")
        if srt_path.exists():
            shift = datetime.timedelta(seconds=offset)
            limit = datetime.timedelta(seconds=offset + duration)  # Manim's clock may run a frame past the video
            for sub in srt.parse(srt_path.read_text(encoding="utf-8")):
                subs.append(srt.Subtitle(len(subs) + 1, sub.start + shift, min(sub.end + shift, limit), sub.content))
        offset += duration
    atomic_write(target, srt.compose(subs).encode("utf-8"))
    return len(subs)


def _jobs(requested: int | None) -> int:
    return max(1, requested or min(2, os.cpu_count() or 1))


def render_chapter(chapter: Chapter, scenes: list[str], quality: str, force: bool, jobs: int, keys: dict[str, str],
                   strict: bool = False):
    """Render scenes (in parallel processes), then join a whole chapter. Returns per-scene figures.
    Layout problems are printed per scene; with ``strict`` any problem the tests would fail on
    (strict ones) stops the command before the chapter is joined."""
    from concurrent.futures import ThreadPoolExecutor

    artifact_keys = {a: keys[a] for a in chapter.artifacts}
    results: dict[str, tuple[Path, float, bool]] = {}
    total = len(scenes)
    print(f"  {total} scene(s), {jobs} at a time (each in its own Manim process; logs in {_rel(MEDIA / 'logs')})",
          flush=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {scene: pool.submit(render_scene, chapter, scene, quality,
                                      _render_key(chapter, scene, quality, artifact_keys), force)
                   for scene in scenes}
        done = 0
        for scene in scenes:
            results[scene] = futures[scene].result()
            done += 1
            video, seconds, reused = results[scene]
            state = "reused" if reused else f"{seconds:5.1f} s"
            print(f"  [{done}/{total}] {scene:20s} {state}  ({video_seconds(video):.1f} s of video)", flush=True)
    figures = [(s, results[s][1], video_seconds(results[s][0]), results[s][2]) for s in scenes]
    found = {s: layout_problems(chapter, s, quality) for s in scenes}
    if any(found.values()):
        print(f"  layout problems in chapter {chapter.number} (the tests fail on those marked !):", flush=True)
        for s, problems in found.items():
            for p in problems:
                print(f"    {'!' if p['strict'] else ' '} {s} at {p['time']:.1f} s: {p['problem']}", flush=True)
    if strict and any(p["strict"] for ps in found.values() for p in ps):
        raise Failure(f"chapter {chapter.number} has layout problems (listed above); fix them or render without --strict")
    if scenes == chapter.scenes:
        OUTPUT.mkdir(exist_ok=True)
        parts = [results[s][0] for s in scenes]
        target = OUTPUT / f"{chapter.slug}_{QUALITIES[quality][1]}.mp4"
        join_videos(parts, target)
        n = join_subtitles(parts, [f[2] for f in figures], target.with_suffix(".srt"))
        print(f"chapter {chapter.number}: {_rel(target)} ({video_seconds(target):.0f} s, {n} subtitles "
              f"in {_rel(target.with_suffix('.srt'))}), {time.perf_counter() - start:.0f} s", flush=True)
    else:
        for s in scenes:
            print(f"scene: {_rel(results[s][0])}")
    return figures


def cmd_render(args) -> None:
    numbers = parse_chapters(args.chapters)
    chapters = [load_chapter(n) for n in numbers]
    if args.scene and len(chapters) != 1:
        raise UsageError("--scene needs exactly one chapter, e.g. `render 1 --scene ForwardPass`")
    plans = [(ch, pick_scenes(ch, args.scene)) for ch in chapters]
    check_render_tools()
    keys = ensure_artifacts(tuple(dict.fromkeys(a for ch in chapters for a in ch.artifacts)), mnist_dir=args.mnist_dir)
    for ch, scenes in plans:
        print(f"rendering chapter {ch.number} ({ch.title}) at {args.quality}", flush=True)
        render_chapter(ch, scenes, args.quality, args.force, _jobs(args.jobs), keys, strict=args.strict)


# Storyboard sizes: (frame width and height, or None for the video's own; frames per row, or
# None for all of a scene's frames in one row; label font size).
STORYBOARD_SIZES = {"small": ((427, 240), None, 14), "large": (None, 3, 24)}


def sample_frames(video: Path, n: int) -> tuple[list, list[float], float]:
    """``n`` frames spread evenly across ``video`` (each the middle of its share), at full size, with
    their times in seconds, and the video's length. Only the sampled frames are kept."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or 15)
        total = stream.frames or sum(1 for _ in container.decode(video=0))
    picks = [min(total - 1, round((i + 0.5) * total / n)) for i in range(n)]
    frames = {}
    with av.open(str(video)) as container:
        for k, frame in enumerate(container.decode(video=0)):
            if k in picks:
                frames[k] = frame.to_image()
            if k >= picks[-1]:
                break
    picks = [k if k in frames else max(frames) for k in picks]  # the container counted a frame too many
    return [frames[k] for k in picks], [k / rate for k in picks], total / rate


def _font(size: int):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # an older Pillow
        return ImageFont.load_default()


def storyboard(rows: list[tuple[str, list, list[float], float]], size: str = "small"):
    """One image from ``rows`` of (scene name, frames, their times, scene length): per scene a
    label line, then its frames (``size`` small: thumbnails, all in one row; large: the frames as
    rendered, three a row, each with its time)."""
    from PIL import Image, ImageDraw

    shape, per_row, font_size = STORYBOARD_SIZES[size]
    font = _font(font_size)
    label_h = font_size + 10
    w, h = shape or rows[0][1][0].size
    columns = per_row or max(len(frames) for _, frames, _, _ in rows)
    lines = [-(-len(frames) // columns) for _, frames, _, _ in rows]
    tick_h = label_h if shape is None else 0  # large frames carry their time under them
    sheet = Image.new("RGB", (columns * w, sum(label_h + n * (h + tick_h) for n in lines)), "black")
    draw = ImageDraw.Draw(sheet)
    y = 0
    for number, ((scene, frames, times, length), n_lines) in enumerate(zip(rows, lines), 1):
        draw.text((6, y + 4), f"{number}. {scene}  ({length:.1f} s)", fill=(255, 255, 0), font=font)
        y += label_h
        for i, (frame, t) in enumerate(zip(frames, times)):
            x, top = (i % columns) * w, y + (i // columns) * (h + tick_h)
            sheet.paste(frame.resize((w, h)) if frame.size != (w, h) else frame, (x, top))
            if tick_h:
                draw.text((x + 6, top + h + 4), f"{t:.1f} s", fill=(160, 160, 160), font=font)
        y += n_lines * (h + tick_h)
    return sheet


def cmd_look(args) -> None:
    """A storyboard PNG per chapter: frames sampled across each scene (small thumbnails, or with
    ``--size large`` the frames as rendered, large enough to read the numbers)."""
    ch = load_chapter(parse_chapters([args.chapter])[0])
    scenes = pick_scenes(ch, args.scene)
    if args.frames < 1:
        raise UsageError("--frames needs at least 1")
    check_render_tools()
    keys = ensure_artifacts(ch.artifacts, mnist_dir=args.mnist_dir)
    print(f"rendering chapter {ch.number} for a look", flush=True)
    render_chapter(ch, scenes, args.quality, False, _jobs(args.jobs), keys, strict=args.strict)
    rows = [(scene, *sample_frames(_scene_dir(ch, args.quality) / f"{scene}.mp4", args.frames)) for scene in scenes]
    sheet = storyboard(rows, args.size)
    OUTPUT.mkdir(exist_ok=True)
    suffix = (f"_{scenes[0]}" if args.scene else "") + ("" if args.size == "small" else f"_{args.size}")
    target = OUTPUT / f"{ch.slug}{suffix}_storyboard.png"
    tmp = target.with_name(f".{target.name}.tmp.png")
    sheet.save(tmp)
    os.replace(tmp, target)
    print(f"storyboard: {_rel(target)} ({sheet.width}x{sheet.height})")


def cmd_bench(args) -> None:
    """Print training time and, per scene, render seconds against seconds of video."""
    from models.digit_net import TrainConfig, train
    from models.mnist import load_dataset

    data = load_dataset(args.mnist_dir)
    start = time.perf_counter()
    result = train(data, TrainConfig())
    print(f"digit network: trained in {time.perf_counter() - start:.2f} s "
          f"(SGD loop {result.seconds:.2f} s), held-out accuracy {result.epoch_metrics['test_accuracy'][-1]:.1%}")
    check_render_tools()
    for number in parse_chapters(args.chapters):
        ch = load_chapter(number)
        keys = ensure_artifacts(ch.artifacts, mnist_dir=args.mnist_dir)
        print(f"chapter {number} at {args.quality} ({args.jobs or _jobs(None)} parallel jobs):")
        wall = time.perf_counter()
        figures = render_chapter(ch, ch.scenes, args.quality, True, _jobs(args.jobs), keys)
        wall = time.perf_counter() - wall
        print(f"  {'scene':20s} {'render s':>9s} {'video s':>8s} {'ratio':>6s}")
        for scene, seconds, video, _ in figures:
            print(f"  {scene:20s} {seconds:9.1f} {video:8.1f} {seconds / video:6.2f}")
        cpu = sum(f[1] for f in figures)
        vid = sum(f[2] for f in figures)
        print(f"  {'total (sum)':20s} {cpu:9.1f} {vid:8.1f} {cpu / vid:6.2f}")
        print(f"  chapter wall time {wall:.1f} s for {vid:.1f} s of video: ratio {wall / vid:.2f}")


# ----------------------------------------------------------------------------- a new chapter

TEMPLATES = ROOT / "templates"


def scaffold_files(number: int) -> dict[str, Path]:
    """What ``new`` writes for chapter ``number``: template -> file (the goldens come after)."""
    return {
        "chapter.py.tmpl": ROOT / "scenes" / f"chapter{number}.py",
        "stage.py.tmpl": ROOT / "models" / f"stage_chapter{number}.py",
        "test_numbers.py.tmpl": ROOT / "tests" / f"test_chapter{number}_numbers.py",
    }


def _goldens(number: int) -> list[Path]:
    golden = ROOT / "tests" / "golden"
    return [golden / f"chapter{number}.json", *sorted((golden / "screens").glob(f"ch{number}-*.txt"))]


def fill_template(text: str, number: int, title: str) -> str:
    """A template with its placeholders filled: {{NUMBER}}, {{TITLE}} (in prose and docstrings),
    {{TITLE_REPR}} (a Python string literal), {{STAGE}} (the data stage's and artifact's name)."""
    prose = title.replace("\\", "/").replace('"', "'")
    for placeholder, value in (("{{TITLE_REPR}}", repr(title)), ("{{TITLE}}", prose), ("{{NUMBER}}", str(number)),
                               ("{{STAGE}}", f"chapter{number}")):
        text = text.replace(placeholder, value)
    return text


def cmd_new(args) -> None:
    """Scaffold chapter N from ``templates/``: its scenes, its data stage, its numbers test; then
    build the data and pin it (the golden numbers and the golden screen transcripts)."""
    number, title = args.number, " ".join(args.title.split())
    if not title:
        raise UsageError(f'give the chapter a title: render.py new {number} "What the network gets wrong"')
    if number < 1:
        raise UsageError(f"a chapter number is 1 or more, not {number}")
    free = max(CHAPTER_MODULES, default=0) + 1
    if number in CHAPTER_MODULES:
        raise Failure(f"chapter {number} exists already (scenes/chapter{number}.py); nothing was written. "
                      f"Pick a free number, e.g. `render.py new {free} {title!r}`")
    files = scaffold_files(number)
    taken = [path for path in [*files.values(), *_goldens(number)] if path.exists()]
    if taken:
        raise Failure(f"there is no chapter {number}, but {', '.join(str(_rel(p)) for p in taken)} exist(s); "
                      "nothing was written. Remove them (left from an old chapter?) or pick another number")
    from models import pipeline

    if f"chapter{number}" in pipeline.STAGES:
        raise Failure(f"a stage named 'chapter{number}' exists already; nothing was written. Pick another number")
    for template, target in files.items():
        atomic_write(target, fill_template((TEMPLATES / template).read_text(), number, title).encode())
        print(f"  wrote {_rel(target)}")
    print(f"building its data (the chapter{number} stage)", flush=True)
    pipeline.STAGES.refresh()  # so that it finds the new stage module
    ensure_artifacts((f"chapter{number}",))
    if not args.no_pin:
        _pin_new_chapter(number)
    print(f"chapter {number}, {title!r}: ready. Next:\n"
          f"  python render.py render {number}               render it (output/chapter{number}_480p15.mp4)\n"
          f"  python render.py look {number} --size large     read its frames\n"
          f"  then make it yours: scenes/chapter{number}.py, models/stage_chapter{number}.py and "
          f"tests/test_chapter{number}_numbers.py (README: \"Adding a chapter\")")


def _pin_command(number: int) -> list[str]:
    return ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--update-goldens",
            f"tests/test_chapter{number}_numbers.py", "tests/test_screens.py", "-k", f"ch{number}- or chapter{number}"]


def _pin_new_chapter(number: int) -> None:
    """Write the new chapter's golden numbers and screen transcripts with the tests themselves
    (``--update-goldens``: the second-computation and tracing checks run too; only goldens are written)."""
    args = _pin_command(number)
    shown = "python " + " ".join(f"'{a}'" if " " in a else a for a in args)
    print(f"pinning its numbers and screens: {shown}", flush=True)
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise Failure(f"the new chapter's files are written, but pinning it failed:\n{tail}\n"
                      f"Fix the cause, then run: {shown}")
    for path in _goldens(number):
        print(f"  wrote {_rel(path)}")


# ----------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="render.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    mnist = argparse.ArgumentParser(add_help=False)
    mnist.add_argument("--mnist-dir", metavar="DIR",
                       help="train on the MNIST IDX files in DIR instead of the embedded digits "
                            "(or set NN_EXPLAINER_MNIST_DIR)")

    sp = sub.add_parser("list", parents=[mnist], help="chapters, scenes and artifacts")
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("new", help="scaffold a chapter: scenes, data stage, numbers test, goldens")
    sp.add_argument("number", type=int, help="the new chapter's number (not taken yet)")
    sp.add_argument("title", help='its title, e.g. "What the network gets wrong"')
    sp.add_argument("--no-pin", action="store_true", help="write the files and build the data, but no goldens")
    sp.set_defaults(func=cmd_new)

    sp = sub.add_parser("train", parents=[mnist], help="build model artifacts")
    sp.add_argument("model", nargs="?", default="all", help="digits, lm, a stage's name, or all (default)")
    sp.add_argument("--force", action="store_true", help="retrain even if intact artifacts exist")
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("ask", help="the language model's top next words after a prompt")
    sp.add_argument("prompt", nargs="?", default="", help='e.g. "michael jordan plays"')
    sp.add_argument("-k", type=int, default=5, help="how many words (default 5)")
    sp.add_argument("--temperature", type=float, default=1.0)
    sp.add_argument("--words", action="store_true", help="list the vocabulary instead")
    sp.set_defaults(func=cmd_ask)

    sp = sub.add_parser("render", parents=[mnist], help="render chapters to video")
    sp.add_argument("chapters", nargs="*", help="chapter numbers, or all (default)")
    sp.add_argument("--scene", help="render only this scene of the (one) chapter")
    sp.add_argument("--quality", choices=list(QUALITIES), default="low")
    sp.add_argument("--force", action="store_true", help="re-render scenes even if up to date")
    sp.add_argument("--jobs", type=int, help="scenes rendered in parallel (default: 2 or the core count)")
    sp.add_argument("--strict", action="store_true", help="fail on layout problems the tests would fail on")
    sp.set_defaults(func=cmd_render)

    sp = sub.add_parser("look", parents=[mnist], help="storyboard PNG of a chapter's scenes")
    sp.add_argument("chapter")
    sp.add_argument("--scene")
    sp.add_argument("--frames", type=int, default=6, help="frames sampled per scene (default 6)")
    sp.add_argument("--size", choices=list(STORYBOARD_SIZES), default="small",
                    help="small: 427x240 thumbnails, a scene a row (default); large: frames as rendered, "
                         "three a row, with their times")
    sp.add_argument("--quality", choices=list(QUALITIES), default="low",
                    help="the render the frames come from (default low: 854x480)")
    sp.add_argument("--jobs", type=int)
    sp.add_argument("--strict", action="store_true", help="fail on layout problems the tests would fail on")
    sp.set_defaults(func=cmd_look)

    sp = sub.add_parser("bench", parents=[mnist], help="print training and render timings")
    sp.add_argument("chapters", nargs="*")
    sp.add_argument("--quality", choices=list(QUALITIES), default="low")
    sp.add_argument("--jobs", type=int)
    sp.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except UsageError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    except (Failure, ArtifactError) as exc:  # ArtifactError: e.g. a stage module that cannot join the pipeline
        print(f"render.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("render.py: interrupted; finished files are kept, nothing half-written was left", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
