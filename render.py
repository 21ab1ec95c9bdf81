#!/usr/bin/env python3
"""The command line: train what is missing, render chapters to video, look at them, time them.

    python render.py list                          chapters, scenes, artifacts and their state
    python render.py new 9 "Title"                 scaffold a chapter: scenes, data stage, pinned test
    python render.py train [digits|lm|STAGE|all]   build model artifacts (reused when intact; --force)
    python render.py train digits --sizes 784,32,32,10   another digit network shape (chapters 1-4)
    python render.py import digits FILE            chapters 1-4 draw weights in network.py's layout
    python render.py render [1 2 ...|all]          one video + subtitles per chapter
    python render.py render 1 --scene ForwardPass  a single scene
    python render.py render 1 --voice              narrated: chapter1_480p15_voiced.mp4 (ENGINE[:VOICE])
    python render.py look 1 [--scene NAME]         a storyboard PNG: frames sampled across scenes
    python render.py look 1 --size large           full-size frames, three a row: numbers readable
    python render.py bench [1 ...]                 training and per-scene render figures
    python render.py site [--no-render] [--voice]  the gallery: output/site/index.html, a page per chapter
    python render.py ask "michael jordan plays"    the language model's top next words

Videos land in ``output/`` (``chapter1_480p15.mp4`` and ``.srt``). Use ``--quality``
low, medium, high or 4k. Exit status: 0 done, 1 a failure (its cause and fix printed),
2 a name this tool does not know (the closest names printed).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import functools
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
    if args.facts and "lm" not in names:
        raise UsageError("--facts is for the language model: `python render.py train lm --facts FILE`")
    facts = _read_facts(args.facts) if args.facts else None  # a bad file stops here, before anything is built
    for name in names:
        print(f"training {name}", flush=True)
        try:
            arts = (_train_digits(args) if name == "digits"
                    else _train_lm(args, facts) if name == "lm"
                    else train_model(name, force=args.force, mnist_dir=args.mnist_dir) if name in MODELS
                    else [ensure(name, force=args.force, mnist_dir=args.mnist_dir)])
        except ArtifactError as exc:
            raise Failure(str(exc) + (". Nothing was changed" if args.facts else "")) from exc
        for art in arts:
            shown = {k: v for k, v in art.metrics.items() if k in ("test_accuracy", "train_seconds", "n_params")}
            print(f"  {art.name}: {_rel(art.folder)} {shown}")
        if name == "lm":
            _say_what_was_learned(arts)


def _read_facts(path: str) -> dict:
    from models.lm_choice import FactsError, read_facts

    try:
        return read_facts(path)
    except FactsError as exc:
        raise Failure(f"cannot learn from {path}: {exc}. Nothing was changed") from exc


def _train_lm(args, facts: dict | None) -> list:
    """``train lm [--facts FILE]``: the language model on the corpus and the file's facts, or on the
    corpus alone (switching back from a facts file); ``train all`` keeps the current choice."""
    from models.lm_choice import LM_STAGES, lm_choice, select_lm
    from models.pipeline import train_model

    current = lm_choice()
    if args.model == "lm" or facts is not None:
        if facts != current:
            print(f"  switching the language model to {'the corpus and ' + facts['file'] if facts else 'the corpus alone'}",
                  flush=True)
            arts = select_lm(facts)
            return arts + [a for a in train_model("lm", mnist_dir=args.mnist_dir) if a.name not in LM_STAGES]
    return train_model("lm", force=args.force, mnist_dir=args.mnist_dir)


def _say_what_was_learned(arts: list) -> None:
    """After training on a facts file: which of its facts and pairs the model learned, and where
    the chapters show them."""
    story = next((a for a in arts if a.name == "lm-story"), None)
    learned = story.metrics.get("facts_file") if story is not None else None
    if not learned:
        return
    for fact, got in learned["facts"].items():
        sport = fact.rsplit(" ", 1)[1]
        verdict = "learned" if got["answer"] == sport else f"NOT learned: it says \"{got['answer']}\""
        print(f"  fact \"{fact}\": {verdict} ({got['probability']:.0%})")
    for pair, got in learned["pairs"].items():
        want = pair.rsplit(" ", 1)[1]
        print(f"  pair {pair.rsplit(' = ', 1)[0]}: {'= ' + want if got == want else f'NOT learned: lands on {got!r}'}")
    facts = next(a for a in arts if a.name == "lm-facts").arrays("facts.npz")
    followed = " ".join(str(w) for w in facts["prompt"])
    print(f"  Chapter 5 asks about the file's first fact; Chapter 8 follows \"{followed} {facts['answer']}\""
          + (f" ({facts['note']})" if str(facts["note"]) else ""))


def _train_digits(args) -> list:
    """``train digits [--sizes ...]``: the digit network trained here, of those sizes (default
    784,16,16,10), replacing an imported one or another shape; ``train all`` keeps the network
    chosen before unless ``--sizes`` is given."""
    from models.digit_choice import digit_choice, parse_sizes, select_digits, trained_choice
    from models.pipeline import train_model

    current = digit_choice()
    if args.model == "digits" or args.sizes:
        wanted = trained_choice(parse_sizes(args.sizes))
        if wanted != current:
            print(f"  switching the digit chapters to a {'-'.join(map(str, wanted['sizes']))} network trained here",
                  flush=True)
            return select_digits(wanted, mnist_dir=args.mnist_dir)
    return train_model("digits", force=args.force, mnist_dir=args.mnist_dir)


def cmd_import(args) -> None:
    """``import digits FILE``: weights in network.py's layout become the digit chapters' network."""
    from models.digit_choice import import_choice, parse_sizes, select_digits
    from models.digit_net import WeightImportError

    if args.model != "digits":
        raise UsageError(f"only the digit network can be imported, not {args.model!r}." + suggest(args.model, ["digits"]))
    try:
        choice, arrays = import_choice(args.file, parse_sizes(args.sizes) if args.sizes else None)
    except WeightImportError as exc:
        raise Failure(f"cannot import {args.file}: {exc}. Nothing was changed") from exc
    print(f"importing a {'-'.join(map(str, choice['sizes']))} network from {choice['file']} "
          f"(sha256 {choice['sha256'][:12]}...)", flush=True)
    try:
        arts = select_digits(choice, arrays, mnist_dir=args.mnist_dir)
    except ArtifactError as exc:
        raise Failure(f"{exc}. Nothing was changed") from exc
    except RuntimeError as exc:  # a story rule the network cannot meet (e.g. it reads no held-out 3 right)
        raise Failure(f"cannot draw the chapters from {args.file}: {exc}. Nothing was changed") from exc
    for art in arts:
        shown = {k: v for k, v in art.metrics.items() if k in ("test_accuracy", "n_params")}
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
    from models.digit_choice import describe_choice

    from models.lm_choice import describe_lm_choice

    print(f"\nDigit network (chapters 1 to 4): {describe_choice()}")
    print(f"Language model (chapters 5 to 8) learned from: {describe_lm_choice()}")
    print("\nChapters:")
    for number in sorted(CHAPTER_MODULES):
        ch = load_chapter(number)
        ready = all(state.get(a) == "ok" for a in ch.artifacts)
        print(f"  {number}  {ch.title}   (artifacts: {', '.join(ch.artifacts)}: {'ready' if ready else 'will be trained'})")
        for i, scene in enumerate(ch.scenes, 1):
            print(f"       {i}. {scene}")


# ----------------------------------------------------------------------------- rendering


def _variant(quality: str, voice=None) -> str:
    """The name a render's files carry: ``480p15``, or ``480p15_voiced`` for a narrated render (its
    own scene files, stamps and chapter video: a silent and a voiced render never overwrite each other)."""
    return QUALITIES[quality][1] + ("_voiced" if voice is not None else "")


def _scene_dir(chapter: Chapter, quality: str, voice=None) -> Path:
    return MEDIA / "videos" / chapter.slug / _variant(quality, voice)


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


def _render_key(chapter: Chapter, scene: str, quality: str, artifact_keys: dict[str, str], voice=None) -> str:
    """What one rendered scene depends on: its own code (:func:`scene_source`: the scene, its base
    classes and the chapter's module-level helpers), the project modules the chapter imports, the
    artifacts, the quality, Manim; a voiced render also its voice (:func:`voice_id`)."""
    import manim

    h = hashlib.sha256()
    h.update(f"{chapter.slug}:{scene}".encode() + scene_source(chapter.path, scene, chapter.scenes).encode())
    for path in [*project_sources(chapter.path), ROOT / "manim.cfg"]:
        if path == chapter.path:
            continue  # in the key as the scene's part of it, above
        h.update(str(_rel(path)).encode() + path.read_bytes())
    parts = {"code": h.hexdigest(), "artifacts": artifact_keys, "quality": quality, "manim": manim.__version__}
    if voice is not None:
        parts["voice"] = {"name": voice.name, "id": voice_id(voice)}
    return stable_hash(parts)


@functools.lru_cache(maxsize=None)
def voice_id(voice) -> str:
    """The voice's part of a voiced scene's key (``voice.fingerprint``: the engine and voice, the
    speaking code, the audio it synthesises for a fixed sentence), once per command."""
    import voice as speech

    try:
        return speech.fingerprint(voice, MEDIA / "voice")
    except speech.VoiceError as exc:
        raise Failure(str(exc)) from exc


def layout_problems(chapter: Chapter, scene: str, quality: str, voice=None) -> list[dict]:
    """What the layout rules found in the scene's last render ({"time", "problem", "strict"}), each
    problem once, at its first time."""
    path = _scene_dir(chapter, quality, voice) / f"{scene}.layout.json"
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    return list({p["problem"]: p for p in reversed(found)}.values())[::-1]


# Manim runs in a child process that ends with render.py: it asks the kernel (Linux prctl
# PR_SET_PDEATHSIG) for SIGTERM when render.py goes, even by ``kill -9``, then runs Manim's own
# command line. Ctrl-C reaches it directly: it shares render.py's process group.
MANIM_CHILD = """\
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
except (OSError, AttributeError):  # not Linux: the process group still carries Ctrl-C
    pass
if os.getppid() != int(sys.argv.pop(1)):  # render.py already gone before the request took hold
    sys.exit(1)
sys.argv[0] = "manim"
runpy.run_module("manim", run_name="__main__", alter_sys=True)
"""


_CHILDREN: set[subprocess.Popen] = set()  # the Manim processes running now


@contextlib.contextmanager
def _running(proc: subprocess.Popen):
    """``proc`` among the Manim processes ``stop_children`` ends, while it runs."""
    _CHILDREN.add(proc)
    try:
        yield proc
    finally:
        _CHILDREN.discard(proc)


def stop_children(grace: float = 3.0) -> None:
    """End the running Manim processes on Ctrl-C. They got the SIGINT too (one process group) and
    usually stop at once; one still at work after ``grace`` seconds (Manim finishing its queued
    video segments, say) is terminated, then killed: Ctrl-C never waits on a render. Their scenes
    have no stamp, so nothing they leave is ever reused or joined."""
    import signal

    def send(how: int) -> list[subprocess.Popen]:
        alive = [p for p in list(_CHILDREN) if p.poll() is None]
        for p in alive:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(how)
        return alive

    try:
        for how, wait in ((None, grace), (signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
            alive = send(how) if how is not None else [p for p in list(_CHILDREN) if p.poll() is None]
            deadline = time.monotonic() + wait
            for p in alive:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
    except KeyboardInterrupt:  # Ctrl-C again: no more waiting
        send(signal.SIGKILL)
        raise


def _finished(video: Path, stamp: Path, key: str) -> bool:
    """Whether ``video`` is a whole render for ``key``: its stamp, written only after the video
    was complete, carries that key."""
    if not (video.exists() and stamp.exists()):
        return False
    try:
        return json.loads(stamp.read_text()).get("key") == key
    except (ValueError, AttributeError):
        return False


def scene_config(cli: dict[str, str]) -> bytes:
    """The config file a scene's Manim process reads: the project's ``manim.cfg`` (Manim reads a
    file given with ``-c`` instead of it, not as well) with ``cli``'s settings in its [CLI] part."""
    import configparser
    import io

    parser = configparser.ConfigParser()
    parser.read(ROOT / "manim.cfg")
    if not parser.has_section("CLI"):
        parser.add_section("CLI")
    for name, value in cli.items():
        parser.set("CLI", name, value)
    out = io.StringIO()
    parser.write(out)
    return out.getvalue().encode()


def render_scene(chapter: Chapter, scene: str, quality: str, key: str, force: bool,
                 voice=None) -> tuple[Path, float, bool]:
    """Render one scene with Manim in its own process; returns (video, seconds, reused). With
    ``voice`` (a ``voice.Voice``) the scene is narrated: it renders into its own folder
    (:func:`_scene_dir`) and writes its cue list (``Scene.voice.json``) beside its video."""
    folder = _scene_dir(chapter, quality, voice)
    video, stamp = folder / f"{scene}.mp4", folder / f"{scene}.stamp.json"
    report, cues = folder / f"{scene}.layout.json", folder / f"{scene}.voice.json"
    if not force and _finished(video, stamp, key) and (voice is None or cues.exists()):
        return video, 0.0, True
    stamp.unlink(missing_ok=True)
    report.unlink(missing_ok=True)
    cues.unlink(missing_ok=True)
    suffix = "" if voice is None else "_voiced"
    log = MEDIA / "logs" / f"{chapter.slug}_{scene}{suffix}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # Scenes render in parallel processes. They share one LaTeX folder and one text folder, where
    # each formula or text is made in a folder of its own and moved in whole (scenes.fast_manim),
    # so a formula or a caption that several scenes show is made, and its SVG parsed, once.
    cfg = MEDIA / "logs" / f"{chapter.slug}_{scene}{suffix}.cfg"
    cache = MEDIA / "scene-cache"
    settings = {"tex_dir": str(cache / "Tex"), "text_dir": str(cache / "texts")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("NN_EXPLAINER_VOICE")}  # silent: no voice
    if voice is not None:
        settings["video_dir"] = str(folder)  # its own files, beside the silent render's folder
        env.update({"NN_EXPLAINER_VOICE": voice.name, "NN_EXPLAINER_VOICE_CACHE": str(MEDIA / "voice"),
                    "NN_EXPLAINER_VOICE_CUES": str(cues)})
    atomic_write(cfg, scene_config(settings))
    cmd = [
        sys.executable, "-c", MANIM_CHILD, str(os.getpid()), "render", "-q", QUALITIES[quality][0], "--disable_caching",
        "--media_dir", str(MEDIA), "-c", str(cfg), "--progress_bar", "none", str(chapter.path), scene,
    ]
    start = time.perf_counter()
    with open(log, "w") as out, _running(subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**env, "COLUMNS": "200", "NN_EXPLAINER_LAYOUT_REPORT": str(report)})) as proc:
        proc.wait()
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not video.exists() or (voice is not None and not cues.exists()):
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise Failure(f"Manim failed on {chapter.slug} {scene} (full log: {_rel(log)}):\n{tail}")
    atomic_write(stamp, json.dumps({"key": key, "seconds": seconds}).encode())
    return video, seconds, False


# ----------------------------------------------------------------------------- a Dask cluster

SCHEDULER_ENV = "NN_EXPLAINER_SCHEDULER"


def connect(address: str | None, timeout: str = "10s"):
    """A ``distributed.Client`` for the Dask scheduler at ``address`` (or ``$NN_EXPLAINER_SCHEDULER``);
    None when neither names one (render on this machine). No answer within ``timeout``: a Failure."""
    address = address or os.environ.get(SCHEDULER_ENV) or None
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError as exc:
        raise Failure(f"--scheduler needs dask.distributed ({exc}). Fix: run `./dev setup`") from exc
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise Failure(f"no Dask scheduler answers at {address} ({exc}). Start one with `dask scheduler` and "
                      "workers with `dask worker ADDRESS` (see the README), or render without --scheduler") from exc
    if not client.nthreads():
        client.close()
        raise Failure(f"the Dask scheduler at {address} has no workers. Start one in a checkout of this project: "
                      f".venv/bin/dask worker {address}")
    return client


def scene_task(number: int, scene: str, quality: str, key: str, artifact_keys: dict[str, str], force: bool) -> dict:
    """One scene, rendered on a Dask worker (in that worker's checkout of this project, under the
    worker's own folder). The worker builds any artifact it lacks deterministically and checks it
    has the artifacts and code the client has (the same render key); it returns the scene's files
    with their hashes, which the client checks before it keeps them."""
    import socket

    from distributed import get_worker

    global MEDIA
    MEDIA = Path(get_worker().local_directory) / "nn-explainer-media"
    host = socket.gethostname()
    chapter = load_chapter(number)
    have = ensure_artifacts(tuple(artifact_keys))
    if have != artifact_keys:
        differ = ", ".join(sorted(a for a in artifact_keys if have.get(a) != artifact_keys[a]))
        raise Failure(f"worker {host} builds other artifacts ({differ}) than this machine: its data, code or "
                      "torch differ. Update that worker's checkout and setup")
    if _render_key(chapter, scene, quality, artifact_keys) != key:
        raise Failure(f"worker {host} runs other scene code for chapter {number} {scene}: update that worker's "
                      "checkout (git pull) and its setup, then render again")
    video, seconds, reused = render_scene(chapter, scene, quality, key, force)
    files = {p.name: p.read_bytes() for p in (video, video.with_suffix(".srt"),
                                              video.with_name(f"{scene}.layout.json")) if p.exists()}
    return {"files": files, "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in files.items()},
            "seconds": seconds, "host": host}


def _importable(function):
    """``function`` as a Dask worker can find it: by its module's name. Run as ``python render.py``,
    this file is ``__main__``, and a function of ``__main__`` would be sent by value with what it
    calls, which no worker can load; the same file imported as ``render`` is sent by name."""
    if function.__module__ != "__main__":
        return function
    import render as module  # this file, as a module

    return getattr(module, function.__name__)


def render_scene_on(client, artifact_keys: dict[str, str], chapter: Chapter, scene: str, quality: str, key: str,
                    force: bool) -> tuple[Path, float, bool]:
    """:func:`render_scene` on a Dask cluster: a scene rendered here before (same key) is reused;
    otherwise a worker renders it (Dask runs it again on another worker if that one is lost), and
    its files are checked against their hashes and written here atomically, with the stamp last."""
    folder = _scene_dir(chapter, quality)
    video, stamp = folder / f"{scene}.mp4", folder / f"{scene}.stamp.json"
    if not force and _finished(video, stamp, key):
        return video, 0.0, True
    stamp.unlink(missing_ok=True)
    needs = {a: artifact_keys[a] for a in chapter.artifacts}
    future = client.submit(_importable(scene_task), chapter.number, scene, quality, key, needs, force, pure=False,
                           key=f"{chapter.slug}-{scene}-{quality}-{key[:12]}-{os.getpid()}-{time.time_ns()}")
    result = future.result()
    if f"{scene}.mp4" not in result["files"]:
        raise Failure(f"worker {result['host']} sent no video for chapter {chapter.number} {scene}")
    for name, data in result["files"].items():
        if hashlib.sha256(data).hexdigest() != result["sha256"][name]:
            raise Failure(f"{name} from worker {result['host']} arrived damaged (hash mismatch); render again")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{scene}.layout.json").unlink(missing_ok=True)
    (folder / f"{scene}.srt").unlink(missing_ok=True)
    for name, data in result["files"].items():
        atomic_write(folder / name, data)
    atomic_write(stamp, json.dumps({"key": key, "seconds": result["seconds"], "host": result["host"]}).encode())
    return video, result["seconds"], False


def _rel(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def video_seconds(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.frames and stream.average_rate:
            return float(stream.frames / stream.average_rate)
        return float(container.duration or 0) / 1e6


def join_videos(parts: list[Path], target: Path, audio=None) -> None:
    """Concatenate same-format videos into one file by copying packets (no re-encoding). ``audio``
    (mono float samples at ``voice.RATE``, as long as the video) becomes its sound track, encoded
    as AAC and interleaved with the video."""
    import av

    tmp = target.with_name(f".{target.name}.tmp{target.suffix}")
    try:
        with av.open(str(tmp), "w", format="mp4") as out:
            sound = _SoundTrack(out, audio) if audio is not None else None
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
                        if sound is not None:  # the sound up to this frame first, so the two interleave
                            sound.until(float(packet.pts * packet.time_base))
                        packet.stream = out_stream
                        out.mux(packet)
                    offset = last
            if sound is not None:
                sound.until(float("inf"))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


class _SoundTrack:
    """A sound track encoded as AAC into ``out``'s new audio stream, muxed bit by bit as the video
    reaches its time (:meth:`until`)."""

    def __init__(self, out, samples):
        from fractions import Fraction

        import av
        import numpy as np
        from voice import RATE

        self.out = out
        self.stream = out.add_stream("aac", rate=RATE, layout="mono")
        self.stream.bit_rate = 128_000
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32)[None, :], format="fltp",
                                           layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, 0, Fraction(1, RATE)
        self.packets = [*self.stream.encode(frame), *self.stream.encode(None)]
        self.next = 0

    def until(self, seconds: float) -> None:
        while self.next < len(self.packets):
            packet = self.packets[self.next]
            if packet.pts is not None and float(packet.pts * packet.time_base) > seconds:
                return
            self.out.mux(packet)
            self.next += 1


def narrator(spec: str | None):
    """``--voice``'s value as a ``voice.Voice`` that can speak here, or None for a silent render:
    an unknown engine is a usage error (exit 2), a missing engine or voice file a failure (exit 1)."""
    if spec is None:
        return None
    import voice as speech

    try:
        chosen = speech.parse(spec)
        speech.check(chosen)
    except speech.UnknownVoice as exc:
        raise UsageError(str(exc)) from exc
    except speech.VoiceError as exc:
        raise Failure(str(exc)) from exc
    return chosen


def join_voiced(parts: list[Path], durations: list[float], target: Path, voice) -> None:
    """Join a voiced chapter: the scenes' videos (:func:`join_videos`) with one sound track built from
    the scenes' cue lists (``Scene.voice.json``), each sentence at its scene's start plus its own."""
    import voice as speech

    cue_lists = []
    for part in parts:
        cues = json.loads(part.with_suffix(".voice.json").read_text())
        if cues["voice"] != voice.name:
            raise Failure(f"{_rel(part)} was narrated by {cues['voice']}, not {voice.name}; render again")
        cue_lists.append(cues["cues"])
    offsets = [sum(durations[:i]) for i in range(len(durations))]
    try:
        track = speech.chapter_track(cue_lists, offsets, sum(durations), voice, MEDIA / "voice")
    except speech.VoiceError as exc:
        raise Failure(str(exc)) from exc
    join_videos(parts, target, audio=track)


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


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` set)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _workers(requested: int | None) -> int:
    """Scenes rendered at once: as asked, or one per usable core (a Manim render uses one)."""
    if requested is not None and requested < 1:
        raise UsageError(f"--jobs needs at least 1 (got {requested})")
    return requested or usable_cores()


def _expected_seconds(chapter: Chapter, scene: str, quality: str, voice=None) -> float:
    """How long the scene took last time it rendered (its stamp keeps that even when its key has
    moved on), or 0 for a scene never rendered: the scheduler starts the longest first."""
    stamp = _scene_dir(chapter, quality, voice) / f"{scene}.stamp.json"
    try:
        return float(json.loads(stamp.read_text()).get("seconds", 0.0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


@contextlib.contextmanager
def render_locks(chapters: list[Chapter], quality: str, voice=None):
    """Hold one lock per chapter and quality while rendering it, so two commands never render the
    same scenes into the same files at once: the second one stops with one line naming the
    first's pid. Locks are ``flock``s, so a killed render leaves none behind."""
    import fcntl

    folder = MEDIA / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    held = []
    try:
        for ch in sorted(chapters, key=lambda c: c.number):
            handle = open(folder / f"{ch.slug}_{_variant(quality, voice)}.lock", "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = ""
                for _ in range(20):  # the holder writes its pid just after taking the lock
                    handle.seek(0)
                    holder = handle.read().strip()
                    if holder:
                        break
                    time.sleep(0.05)
                handle.close()
                raise Failure(f"chapter {ch.number} is being rendered by pid {holder or '?'} (at {quality} quality); "
                              "wait for it to finish, or stop it, then run this again") from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            held.append(handle)
        yield
    finally:
        for handle in held:
            handle.close()  # closing releases the flock


@dataclass
class SceneFigures:
    """One scene of a render: its video, render seconds (0 when reused), video seconds."""
    scene: str
    video: Path
    seconds: float
    video_seconds: float
    reused: bool


def render_plans(plans: list[tuple[Chapter, list[str]]], quality: str, force: bool, jobs: int | None,
                 keys: dict[str, str], strict: bool = False, cluster=None, voice=None) -> dict[int, list[SceneFigures]]:
    """Render every requested scene of every chapter with one pool of ``jobs`` Manim processes,
    longest scenes first (by their last render), and join each whole chapter as soon as its last
    scene is done, so no core waits at a chapter's tail. Layout problems are printed per chapter;
    with ``strict``, a chapter with a problem the tests fail on is not joined (the others are)
    and the command fails at the end. Returns each chapter's scene figures, in scene order.

    With ``cluster`` (a ``distributed.Client``) the scenes render on its workers instead, as many
    at once as they have threads (or ``jobs``): see :func:`render_scene_on`.

    With ``voice`` (a ``voice.Voice``) the scenes are narrated, into their own files, and each
    chapter is joined with its sound track (``chapterN_480p15_voiced.mp4``)."""
    import functools
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    tasks = [(ch, scene) for ch, scenes in plans for scene in scenes]
    order = sorted(tasks, key=lambda t: -_expected_seconds(t[0], t[1], quality, voice))  # stable: ties keep chapter order
    voiced = {} if voice is None else {"voice": voice}  # the silent render's calls stay as they were
    total = len(tasks)
    if cluster is None:
        jobs = _workers(jobs)
        render_one = render_scene
        where = f"each in its own Manim process; logs in {_rel(MEDIA / 'logs')}"
    else:
        jobs = jobs or max(1, sum(cluster.nthreads().values()))
        render_one = functools.partial(render_scene_on, cluster, keys)
        where = f"on the Dask cluster at {cluster.scheduler.address} ({len(cluster.nthreads())} worker(s))"
    print(f"  {total} scene(s) of {len(plans)} chapter(s), {jobs} at a time ({where})", flush=True)
    start = time.perf_counter()
    results: dict[tuple[int, str], SceneFigures] = {}
    wanted = {ch.number: scenes for ch, scenes in plans}
    left = {n: len(scenes) for n, scenes in wanted.items()}
    figures: dict[int, list[SceneFigures]] = {}
    blocked: list[int] = []
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        pending = {}
        for ch, scene in order:
            key = _render_key(ch, scene, quality, {a: keys[a] for a in ch.artifacts}, **voiced)
            pending[pool.submit(render_one, ch, scene, quality, key, force, **voiced)] = (ch, scene)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                ch, scene = pending.pop(future)
                video, seconds, reused = future.result()  # a Manim failure stops the command here
                results[ch.number, scene] = SceneFigures(scene, video, seconds, video_seconds(video), reused)
                state = "reused" if reused else f"{seconds:5.1f} s"
                print(f"  [{len(results)}/{total}] chapter {ch.number} {scene:20s} {state}  "
                      f"({results[ch.number, scene].video_seconds:.1f} s of video)", flush=True)
                left[ch.number] -= 1
                if left[ch.number] == 0:
                    figures[ch.number] = [results[ch.number, s] for s in wanted[ch.number]]
                    if not _finish_chapter(ch, figures[ch.number], quality, strict, start, **voiced):
                        blocked.append(ch.number)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            stop_children()  # Ctrl-C: the running scenes stop too
        pool.shutdown(wait=True, cancel_futures=True)  # scenes not started never start; running ones end
        raise
    pool.shutdown(wait=True)
    if blocked:
        raise Failure(f"chapter{'s' if len(blocked) > 1 else ''} {', '.join(map(str, blocked))} "
                      "has layout problems (listed above); fix them or render without --strict")
    return {ch.number: figures[ch.number] for ch, _ in plans}


def beats_path(video: Path) -> Path:
    """Where a joined chapter's beats are recorded: ``chapter1_480p15.beats.json`` beside it."""
    return video.with_suffix(".beats.json")


def write_beats(video: Path, scenes: list[str], durations: list[float], voice=None) -> None:
    """Record the beats a chapter was joined from: each scene, where it starts in the joined video
    and how long it runs (the same durations the subtitles were shifted by), and, for a voiced
    chapter, the voice that reads it (``ENGINE:VOICE``). The gallery reads it."""
    starts = [sum(durations[:i]) for i in range(len(durations))]
    beats = [{"scene": s, "start": round(t, 4), "seconds": round(d, 4)} for s, t, d in zip(scenes, starts, durations)]
    record = {"video": video.name, **({} if voice is None else {"voice": voice.name}), "beats": beats}
    atomic_write(beats_path(video), (json.dumps(record, indent=1) + "\n").encode())


def _finish_chapter(chapter: Chapter, figures: list[SceneFigures], quality: str, strict: bool, start: float,
                    voice=None) -> bool:
    """Report a chapter's layout problems and, when all its scenes were rendered, join them into
    one video and one subtitle file (voiced: with the sound track). False when ``strict`` holds the
    join back."""
    scenes = [f.scene for f in figures]
    found = {s: layout_problems(chapter, s, quality, voice) for s in scenes}
    if any(found.values()):
        print(f"  layout problems in chapter {chapter.number} (the tests fail on those marked !):", flush=True)
        for s, problems in found.items():
            for p in problems:
                print(f"    {'!' if p['strict'] else ' '} {s} at {p['time']:.1f} s: {p['problem']}", flush=True)
    if strict and any(p["strict"] for ps in found.values() for p in ps):
        return False
    if scenes == chapter.scenes:
        OUTPUT.mkdir(exist_ok=True)
        parts = [f.video for f in figures]
        target = OUTPUT / f"{chapter.slug}_{_variant(quality, voice)}.mp4"
        if voice is None:
            join_videos(parts, target)
        else:
            join_voiced(parts, [f.video_seconds for f in figures], target, voice)
        n = join_subtitles(parts, [f.video_seconds for f in figures], target.with_suffix(".srt"))
        write_beats(target, scenes, [f.video_seconds for f in figures], voice)
        print(f"chapter {chapter.number}: {_rel(target)} ({video_seconds(target):.0f} s, {n} subtitles "
              f"in {_rel(target.with_suffix('.srt'))}), {time.perf_counter() - start:.0f} s", flush=True)
    else:
        for f in figures:
            print(f"scene: {_rel(f.video)}")
    return True


def render_chapter(chapter: Chapter, scenes: list[str], quality: str, force: bool, jobs: int, keys: dict[str, str],
                   strict: bool = False, voice=None) -> list[tuple[str, float, float, bool]]:
    """Render one chapter's scenes (see :func:`render_plans`); (scene, render s, video s, reused) each."""
    figures = render_plans([(chapter, scenes)], quality, force, jobs, keys, strict, voice=voice)[chapter.number]
    return [(f.scene, f.seconds, f.video_seconds, f.reused) for f in figures]


def cmd_render(args) -> None:
    numbers = parse_chapters(args.chapters)
    chapters = [load_chapter(n) for n in numbers]
    if args.scene and len(chapters) != 1:
        raise UsageError("--scene needs exactly one chapter, e.g. `render 1 --scene ForwardPass`")
    plans = [(ch, pick_scenes(ch, args.scene)) for ch in chapters]
    _workers(args.jobs)  # a bad --jobs stops here, before any work
    voice = narrator(args.voice)
    if voice is not None and (args.scheduler or os.environ.get(SCHEDULER_ENV)):
        raise UsageError("--voice renders on this machine only; drop --scheduler (and unset "
                         f"{SCHEDULER_ENV}) for a voiced render")
    check_render_tools()
    with render_locks(chapters, args.quality, voice):
        keys = ensure_artifacts(tuple(dict.fromkeys(a for ch in chapters for a in ch.artifacts)), mnist_dir=args.mnist_dir)
        cluster = connect(args.scheduler)
        try:
            for ch, scenes in plans:
                print(f"rendering chapter {ch.number} ({ch.title}) at {args.quality}: {len(scenes)} scene(s)", flush=True)
            render_plans(plans, args.quality, args.force, args.jobs, keys, strict=args.strict, cluster=cluster,
                         voice=voice)
        finally:
            if cluster is not None:
                cluster.close()


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
    jobs = _workers(args.jobs)
    check_render_tools()
    with render_locks([ch], args.quality):
        keys = ensure_artifacts(ch.artifacts, mnist_dir=args.mnist_dir)
        print(f"rendering chapter {ch.number} for a look", flush=True)
        render_chapter(ch, scenes, args.quality, False, jobs, keys, strict=args.strict)
    target, sheet = write_storyboard(ch, scenes, args.quality, args.frames, args.size, one_scene=bool(args.scene))
    print(f"storyboard: {_rel(target)} ({sheet.width}x{sheet.height})")


def storyboard_path(chapter: Chapter, size: str = "small", scene: str | None = None) -> Path:
    suffix = (f"_{scene}" if scene else "") + ("" if size == "small" else f"_{size}")
    return OUTPUT / f"{chapter.slug}{suffix}_storyboard.png"


def write_storyboard(chapter: Chapter, scenes: list[str], quality: str, frames: int = 6, size: str = "small",
                     one_scene: bool = False, voice=None):
    """Sample ``frames`` frames from each rendered scene (of the voiced render when ``voice`` is
    given) and write the storyboard PNG; returns (its path, the image)."""
    rows = [(scene, *sample_frames(_scene_dir(chapter, quality, voice) / f"{scene}.mp4", frames)) for scene in scenes]
    sheet = storyboard(rows, size)
    OUTPUT.mkdir(exist_ok=True)
    target = storyboard_path(chapter, size, scenes[0] if one_scene else None)
    tmp = target.with_name(f".{target.name}.tmp.png")
    sheet.save(tmp)
    os.replace(tmp, target)
    return target, sheet


def cmd_bench(args) -> None:
    """Print training time and the scheduler's figures: per scene render s against video s, each
    chapter's, the series' wall/video ratio, and how busy the workers were."""
    from models.digit_net import TrainConfig, train
    from models.mnist import load_dataset

    data = load_dataset(args.mnist_dir)
    start = time.perf_counter()
    result = train(data, TrainConfig())
    print(f"digit network: trained in {time.perf_counter() - start:.2f} s "
          f"(SGD loop {result.seconds:.2f} s), held-out accuracy {result.epoch_metrics['test_accuracy'][-1]:.1%}")
    chapters = [load_chapter(n) for n in parse_chapters(args.chapters)]
    jobs = _workers(args.jobs)
    check_render_tools()
    with render_locks(chapters, args.quality):
        keys = ensure_artifacts(tuple(dict.fromkeys(a for ch in chapters for a in ch.artifacts)), mnist_dir=args.mnist_dir)
        cluster = connect(args.scheduler)
        try:
            if cluster is None:
                where = f"{jobs} worker(s) on {usable_cores()} usable core(s) of this machine"
            else:
                jobs = args.jobs or max(1, sum(cluster.nthreads().values()))
                where = f"{jobs} at a time on the Dask cluster at {cluster.scheduler.address}"
            print(f"chapters {', '.join(str(ch.number) for ch in chapters)} at {args.quality}, every scene rendered "
                  f"afresh, {where}:", flush=True)
            wall = time.perf_counter()
            figures = render_plans([(ch, ch.scenes) for ch in chapters], args.quality, True, jobs, keys, cluster=cluster)
            wall = time.perf_counter() - wall
        finally:
            if cluster is not None:
                cluster.close()
    print(bench_table(chapters, figures, wall, jobs))


def bench_table(chapters: list[Chapter], figures: dict[int, list[SceneFigures]], wall: float, jobs: int) -> str:
    """The benchmark's figures as a table: scene by scene, chapter by chapter, then the series."""
    lines = [f"  {'chapter':>7s} {'scene':24s} {'render s':>9s} {'video s':>8s} {'render/video':>13s}"]
    for ch in chapters:
        for f in figures[ch.number]:
            lines.append(f"  {ch.number:7d} {f.scene:24s} {f.seconds:9.1f} {f.video_seconds:8.1f} "
                         f"{f.seconds / f.video_seconds:13.2f}")
        cpu = sum(f.seconds for f in figures[ch.number])
        vid = sum(f.video_seconds for f in figures[ch.number])
        lines.append(f"  {ch.number:7d} {'(chapter: sum)':24s} {cpu:9.1f} {vid:8.1f} {cpu / vid:13.2f}")
    cpu = sum(f.seconds for fs in figures.values() for f in fs)
    vid = sum(f.video_seconds for fs in figures.values() for f in fs)
    lines.append(f"  series: {vid:.1f} s of video in {wall:.1f} s of wall time: {wall / vid:.2f} wall s per video s; "
                 f"{cpu:.1f} render s on {jobs} worker(s), busy {cpu / (wall * jobs):.0%} of the time")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the gallery


def cmd_site(args) -> None:
    """Render what is stale (the scenes whose code or artifacts changed; the rest are reused), make
    each rendered chapter's storyboard, then write the static gallery ``output/site/``
    (``gallery/build.py``). ``--no-render`` builds from what ``output/`` holds already; ``--voice``
    renders (or, with ``--no-render``, takes) the narrated chapters, ``chapterN_480p15_voiced.mp4``."""
    from gallery.build import build_site

    chapters = [load_chapter(n) for n in sorted(CHAPTER_MODULES)]
    voiced = args.voice is not None
    voice = None
    if not args.no_render:
        jobs = _workers(args.jobs)
        voice = narrator(args.voice)
        check_render_tools()
        with render_locks(chapters, args.quality, voice):
            keys = ensure_artifacts(tuple(dict.fromkeys(a for ch in chapters for a in ch.artifacts)),
                                    mnist_dir=args.mnist_dir)
            print(f"rendering what is stale of chapters {', '.join(str(ch.number) for ch in chapters)} "
                  f"at {args.quality}" + (f", read by {voice.name}" if voiced else ""), flush=True)
            render_plans([(ch, ch.scenes) for ch in chapters], args.quality, False, jobs, keys, voice=voice)
    elif voiced:
        import voice as speech

        try:
            voice = speech.parse(args.voice)  # only names the files: nothing is spoken
        except speech.UnknownVoice as exc:
            raise UsageError(str(exc)) from exc
    variant = _variant(args.quality, voice)
    for ch in chapters:
        video = OUTPUT / f"{ch.slug}_{variant}.mp4"
        parts = [_scene_dir(ch, args.quality, voice) / f"{s}.mp4" for s in ch.scenes]
        if not video.exists() or not all(p.exists() for p in parts):
            continue
        joined_from_these = max(p.stat().st_mtime for p in parts) <= video.stat().st_mtime
        if not beats_path(video).exists() and joined_from_these:  # a chapter joined before beats were recorded
            write_beats(video, ch.scenes, [video_seconds(p) for p in parts], voice)
        board = storyboard_path(ch)
        if not board.exists() or board.stat().st_mtime < max(p.stat().st_mtime for p in parts):
            print(f"  storyboard of chapter {ch.number}", flush=True)
            write_storyboard(ch, ch.scenes, args.quality, voice=voice)
    site = build_site(chapters, OUTPUT, variant)
    print(f"gallery{' (narrated)' if voiced else ''}: {_rel(site / 'index.html')} (open it in a browser, or "
          f"serve it: python -m gallery.serve {_rel(site)})")


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

    sizes = argparse.ArgumentParser(add_help=False)
    sizes.add_argument("--sizes", metavar="784,H1,H2,10",
                       help="the digit network's layer sizes (default 784,16,16,10): 784 inputs, one to three "
                            "hidden layers of 2 to 32 neurons, 10 outputs")

    sp = sub.add_parser("train", parents=[mnist, sizes], help="build model artifacts")
    sp.add_argument("model", nargs="?", default="all", help="digits, lm, a stage's name, or all (default)")
    sp.add_argument("--force", action="store_true", help="retrain even if intact artifacts exist")
    sp.add_argument("--facts", metavar="FILE",
                    help="train lm: a TOML or JSON file of facts (\"FIRST LAST plays SPORT\") and word pairs the "
                         "language model learns beside the corpus's own; without it, `train lm` learns the corpus alone")
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("import", parents=[mnist, sizes],
                        help="draw the digit chapters from weights in network.py's layout (.npz or pickle)")
    sp.add_argument("model", help="digits (the only model that can be imported)")
    sp.add_argument("file", help="an .npz with w0 w1 w2 b0 b1 b2, or a pickled (weights, biases) from Python 2 or 3")
    sp.set_defaults(func=cmd_import)

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
    sp.add_argument("--jobs", type=int, help="scenes rendered at once, across chapters (default: the usable cores, "
                                             "or the cluster's worker threads)")
    sp.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help=f"render the scenes on this Dask cluster (or set {SCHEDULER_ENV})")
    sp.add_argument("--strict", action="store_true", help="fail on layout problems the tests would fail on")
    sp.add_argument("--voice", nargs="?", const="default", metavar="ENGINE[:VOICE]",
                    help="narrate: an offline voice reads the captions (default festival; flite[:slt], "
                         "espeak-ng[:en-us], piper:VOICE.onnx) -> chapterN_480p15_voiced.mp4")
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

    sp = sub.add_parser("site", parents=[mnist], help="render what is stale, then write the gallery output/site/")
    sp.add_argument("--quality", choices=list(QUALITIES), default="low")
    sp.add_argument("--jobs", type=int, help="scenes rendered at once (default: the usable cores)")
    sp.add_argument("--no-render", action="store_true",
                    help="build from the videos already in output/ (a chapter without one is listed as not rendered)")
    sp.add_argument("--voice", nargs="?", const="default", metavar="ENGINE[:VOICE]",
                    help="the narrated chapters (render --voice's chapterN_480p15_voiced.mp4), rendered with this "
                         "voice where stale (default festival)")
    sp.set_defaults(func=cmd_site)

    sp = sub.add_parser("bench", parents=[mnist], help="print training and render timings")
    sp.add_argument("chapters", nargs="*")
    sp.add_argument("--quality", choices=list(QUALITIES), default="low")
    sp.add_argument("--jobs", type=int)
    sp.add_argument("--scheduler", metavar="tcp://HOST:PORT", help=f"time a Dask cluster (or set {SCHEDULER_ENV})")
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
