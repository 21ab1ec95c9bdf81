"""Manim's copy, family walk, LaTeX folder and SVG reading: faster, safe for parallel processes,
with the same results.

A chapter's scene spends about a third of its build copying mobjects (every fade and transform
copies what it moves, every text of the same words is a copy of the first) and a sixth listing
families (every play, every removal). Manim does both the general way: ``copy.deepcopy`` of each
attribute of each piece, and a generator per level of the family. Here:

- :func:`deep_copy` copies a mobject's attributes by their type: numbers, strings and enums are
  shared (they cannot change), numpy arrays copied with ``ndarray.copy``, lists and mobjects
  walked directly; anything else still goes to ``copy.deepcopy`` with the same memo, so shared
  references stay shared in the copy exactly as ``copy.deepcopy`` keeps them.
- :func:`family` lists a mobject and its submobjects in the same order as Manim (depth first,
  a piece met twice kept at its last place, a cycle cut where it closes) without generators.
- :func:`holding_updaters` says, for every piece on screen at once, whether its family holds an
  updater (what a play asks of each piece, with a family walk each), and :func:`corners` gives a
  piece's lower-left and upper-right corners from one walk of its boundary.
- :func:`shared_tex_to_svg_file` lets processes share one LaTeX folder: each compiles a formula
  in a folder of its own and moves the finished SVG in whole, so parallel scenes (render.py's,
  the tests' workers) compile each formula once instead of once per process. Manim's own, run
  by two processes in one folder, deleted the files the other was still converting.
- :func:`shared_text_to_svg` does the same for texts (``Text``): Pango writes each text's SVG in a
  folder of its own and it is moved in whole, so every process (render.py's scenes, the tests'
  workers) can share one text folder. Manim's own writes the file in place, where another
  process could read it half-written. Sharing matters twice over: Pango lays out each text once
  per run instead of once per process, and the SVG is the same file, so its parse (below) is
  kept once. Two processes laying out one text do not write the same bytes (cairo numbers each
  drawing surface it makes in the file), so separate folders each had their own parse.
- :func:`parse_svg` reads an SVG's modified tree from memory: Manim wrote it to a file beside the
  SVG, parsed that and deleted it, so two processes showing one formula raced on the file. It
  also keeps what it parsed on disk (:class:`ParsedStore`), named by a hash of the SVG's bytes,
  the style it was read with and the versions of the code that read it: parsing a text's SVG is
  about a third of a scene's build, a stored parse loads in a tenth of the time, and every
  process (a later run, a scene test of another network, a render) reads the stored one. Its
  pieces keep the points Manim made of each SVG path, not the svgelements path itself, which
  Manim reads only while it makes the piece (it was two thirds of a stored parse).

- :func:`fade_begin` plays a fade that neither moves nor scales (``FadeIn(m)``, ``FadeOut(m)``)
  without copying the drawing: Manim copies the whole family two or three times (the starting
  mobject, the target and a copy of it) to change nothing but opacity. Each piece keeps instead
  the few arrays those copies would hold, and is interpolated between them as Manim's copies
  would be. A fade that moves, scales or follows an updater is Manim's own.

- :func:`install` also has Python's cycle collector run less often (:data:`GC_THRESHOLD`).

``tests/test_fast_manim.py`` checks each against Manim's own, on drawings like the chapters'.
Imported by :mod:`scenes.base`, so render.py and the tests build with it alike.
"""

from __future__ import annotations

import copy
import enum
import gc
import hashlib
import io
import os
import pickle
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path, PurePath
from typing import Callable, Sequence

import manimpango
import numpy as np
import svgelements
from manim import ORIGIN, RIGHT, ManimColor, Mobject, VMobject, config
from manim.animation.fading import FadeIn, _Fade
from manim.mobject.svg.svg_mobject import SVGMobject, VMobjectFromSVGPath
from manim.mobject.text import tex_mobject
from manim.mobject.text.text_mobject import Text
from manim.utils import tex_file_writing
from manim.utils.bezier import interpolate as bezier_interpolate

__all__ = ["FADED", "ParsedStore", "corners", "deep_copy", "fade_begin", "faded", "family", "holding_updaters",
           "install", "interpolate_looks",
           "manim_deep_copy", "manim_family", "parse_svg", "parsed_store", "shared_tex_to_svg_file",
           "shared_text_to_svg"]

# Manim's own, kept for the tests
manim_deep_copy = Mobject.__deepcopy__
manim_family = Mobject.get_family
manim_tex_to_svg_file = tex_file_writing.tex_to_svg_file
manim_generate_mobject = SVGMobject.generate_mobject
manim_text_to_svg = Text._text2svg
manim_fade_methods = {name: getattr(_Fade, name) for name in ("begin", "get_all_mobjects", "get_all_families_zipped",
                                                               "interpolate_submobject")}
manim_remove_last_m = manimpango.PangoUtils.remove_last_M

_MISSING = object()
_SHARED_TYPES: set[type] = {int, float, bool, str, bytes, complex, type(None), np.float64, np.float32, np.int64,
                            np.bool_}


def _shared(kind: type) -> bool:
    """Values of this type never change in place, so a copy may share them (as deepcopy does for
    the built-in ones; enums and paths deepcopy to themselves or an equal value)."""
    if kind in _SHARED_TYPES:
        return True
    if issubclass(kind, (enum.Enum, PurePath)):
        _SHARED_TYPES.add(kind)
        return True
    return False


def _copy_value(value, memo: dict):
    kind = type(value)
    if kind in _SHARED_TYPES:
        return value
    done = memo.get(id(value), _MISSING)
    if done is not _MISSING:
        return done
    if kind is np.ndarray and not value.dtype.hasobject:
        done = value.copy(order="K")  # what ndarray.__deepcopy__ does for such an array
        memo[id(value)] = done
        return done
    if kind is list:
        done = []
        memo[id(value)] = done
        done.extend([_copy_value(item, memo) for item in value])
        return done
    if kind is dict:
        done = {}
        memo[id(value)] = done
        for key, item in value.items():
            done[_copy_value(key, memo)] = _copy_value(item, memo)
        return done
    if kind is ManimColor:  # what deepcopy makes of it: a new color holding a copy of its array
        done = ManimColor.__new__(ManimColor)
        memo[id(value)] = done
        done.__dict__.update({key: _copy_value(item, memo) for key, item in value.__dict__.items()})
        return done
    if isinstance(value, Mobject):  # its class's own copy (a glyph shares its parsed path)
        done = value.__deepcopy__(memo)
        memo[id(value)] = done
        return done
    if _shared(kind):
        return value
    return copy.deepcopy(value, memo)


def deep_copy(self: Mobject, memo: dict) -> Mobject:
    """``Mobject.__deepcopy__``: a new object of the same class whose attributes are copies."""
    cls = self.__class__
    result = cls.__new__(cls)
    memo[id(self)] = result
    attrs, shared = result.__dict__, _SHARED_TYPES
    for key, value in self.__dict__.items():  # (most are numbers, flags and names: shared without a call)
        attrs[key] = value if type(value) in shared else _copy_value(value, memo)
    result.original_id = str(id(self))
    return result


def family(self: Mobject, recurse: bool = True) -> list[Mobject]:
    """``Mobject.get_family``: the mobject, then each submobject's family, in order."""
    out: list[Mobject] = []
    path: set[int] = set()

    def walk(mob: Mobject) -> None:
        key = id(mob)
        if key in path:  # a cycle: Manim stops where the path closes
            return
        path.add(key)
        out.append(mob)
        for sub in mob.submobjects:
            if sub.submobjects:
                walk(sub)
            elif id(sub) not in path:
                out.append(sub)
        path.discard(key)

    walk(self)
    if len(out) > 1 and len(set(map(id, out))) < len(out):
        seen: set[int] = set()
        kept = []
        for mob in reversed(out):  # a piece met twice keeps its last place, as Manim's does
            if id(mob) not in seen:
                seen.add(id(mob))
                kept.append(mob)
        kept.reverse()
        return kept
    return out


def holding_updaters(roots: Sequence[Mobject]) -> set[int] | None:
    """The ids of ``roots`` and the pieces of their families whose family holds an updater (those
    ``get_family_updaters`` lists something for), found in one walk instead of a family walk per
    piece; None if the pieces' families form a cycle (then ask each piece)."""
    holding: set[int] = set()
    done: set[int] = set()
    path: set[int] = set()

    def visit(mob: Mobject) -> bool:
        key = id(mob)
        if key in done:
            return key in holding
        if key in path:
            raise _Cycle
        path.add(key)
        found = bool(mob.updaters)
        for sub in mob.submobjects:
            found = visit(sub) or found
        path.discard(key)
        done.add(key)
        if found:
            holding.add(key)
        return found

    try:
        for root in roots:
            visit(root)
    except _Cycle:
        return None
    return holding


class _Cycle(Exception):
    pass


def corners(mob: Mobject) -> list[float]:
    """[left, bottom, right, top] of ``mob``: ``get_corner(DOWN + LEFT)`` and ``get_corner(UP +
    RIGHT)``, from one walk of its boundary points instead of two."""
    points = mob.get_points_defining_boundary()
    if len(points) == 0:
        return [0.0, 0.0, 0.0, 0.0]  # (Manim's corner of nothing is the origin)
    return [np.min(points[:, 0]), np.min(points[:, 1]), np.max(points[:, 0]), np.max(points[:, 1])]


def shared_tex_to_svg_file(expression: str, environment: str | None = None, tex_template=None) -> Path:
    """Manim's ``tex_to_svg_file`` for a ``tex_dir`` that several processes use at once: the SVG
    named by the formula's hash, compiled in a private subfolder if no process made it before."""
    template = tex_template if tex_template is not None else config["tex_template"]
    code = (template.get_texcode_for_expression_in_env(expression, environment) if environment is not None
            else template.get_texcode_for_expression(expression))
    svg = config.get_dir("tex_dir") / f"{tex_file_writing.tex_hash(code)}.svg"
    if svg.exists():
        return svg
    _make_whole(svg, "tex_dir", lambda: manim_tex_to_svg_file(expression, environment, template), keep_failed=True)
    return svg


def _make_whole(target: Path, setting: str, make: Callable[[], str | Path], keep_failed: bool = False) -> None:
    """Run ``make`` with Manim's folder ``setting`` pointed at a new private folder beside
    ``target``, then move the file it made to ``target`` whole or not at all: a process that
    finds ``target`` reads all of it. The private folder is removed (after a failure too, unless
    ``keep_failed``: a LaTeX error leaves it, with LaTeX's log)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".making-", dir=target.parent))
    previous = getattr(config, setting)
    setattr(config, setting, str(work))
    made = False
    try:
        os.replace(make(), target)
        made = True
    finally:
        setattr(config, setting, previous)
        if made or not keep_failed:
            shutil.rmtree(work, ignore_errors=True)


def shared_text_to_svg(self: Text, color) -> str:
    """``Text._text2svg`` for a ``text_dir`` that several processes use at once: the SVG named by
    the text's hash (as Manim names it), laid out in a private subfolder if no process made it
    before and moved into place whole."""
    svg = config.get_dir("text_dir") / f"{self._text2hash(color)}.svg"
    if not svg.exists():

        def lay_out() -> str:
            made = manim_text_to_svg(self, color)
            remove_last_m(made)  # what Text does to the file next, done before it is shared
            return made

        _make_whole(svg, "text_dir", lay_out)
    return str(svg.resolve())


def remove_last_m(file_name: str) -> None:
    """``PangoUtils.remove_last_M``, which ``Text`` runs on its SVG after every layout: it drops each
    path's last, empty move. Manim's rewrites the file each time, in place, where another process
    may be reading it; this one writes only when something changes, and whole."""
    path = Path(file_name)
    content = path.read_text()
    changed = re.sub(r'Z M [^A-Za-z]*? "\/>', 'Z "/>', content)
    if changed != content:
        handle, part = tempfile.mkstemp(prefix=".writing-", dir=path.parent)
        try:
            with os.fdopen(handle, "w") as f:
                f.write(changed)
            os.replace(part, path)
        finally:
            Path(part).unlink(missing_ok=True)  # (moved into place: nothing to remove)


_NAMED: dict[int, tuple[str, object]] = {}  # id -> (name, value): Manim's named colours and their arrays


def _named() -> dict[int, tuple[str, object]]:
    """Manim's named colours (``BLACK``...) and the arrays inside them. A piece Manim makes holds
    the very array of the colour it was given (``ManimColor(BLACK)`` keeps ``BLACK``'s array), so
    a stored parse names them instead of holding copies, and loads sharing them as a new parse does."""
    if not _NAMED:
        import manim

        for name, value in vars(manim).items():
            if isinstance(value, ManimColor):
                _NAMED[id(value)] = (f"color:{name}", value)
                _NAMED[id(value._internal_value)] = (f"array:{name}", value._internal_value)
    return _NAMED


def named_value(name: str):
    """The Manim colour (``color:NAME``) or colour array (``array:NAME``) a stored parse names."""
    import manim

    kind, _, key = str(name).partition(":")
    color = getattr(manim, key, None)
    if not isinstance(color, ManimColor) or kind not in ("color", "array"):
        raise pickle.UnpicklingError(f"unknown named object {name!r}")
    return color if kind == "color" else color._internal_value


class _Pickler(pickle.Pickler):
    """Writes Manim's named colours, and their arrays, by name. (``reducer_override`` is asked
    only about objects that are not plain numbers, strings, lists, tuples or dicts; a parse is
    some ten thousand objects, most of them plain, and ``persistent_id`` was asked about each.)"""

    def __init__(self, file, protocol: int):
        super().__init__(file, protocol)
        self.named = _named()

    def reducer_override(self, obj):
        found = self.named.get(id(obj))
        if found is not None and found[1] is obj:
            return named_value, (found[0],)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """Loads Manim's classes, numpy arrays and named colours, and nothing else (a file in the store
    that names anything else, a function to call say, is not a parse)."""

    NUMPY = {"dtype", "ndarray", "_frombuffer", "_reconstruct"}

    def find_class(self, module, name):
        if (module, name) == (__name__, "named_value"):
            return named_value
        found = super().find_class(module, name) if module.startswith(("manim.", "numpy")) else None
        if module.startswith("manim.") and isinstance(found, type):
            return found
        if (module == "numpy" or module.startswith("numpy.")) and name in self.NUMPY:
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a parse")


class ParsedStore:
    """What :func:`parse_svg` made of an SVG, kept in files: one compressed pickle per parse (a
    seventh of its size), named by a hash of everything the parse depends on (:func:`parse_key`),
    so a stored parse is never stale. Written whole or not at all (a private file moved into
    place); a file that does not load as a parse (cut short, from elsewhere) is parsed afresh and
    written again."""

    MARK = "nn-explainer parsed svg 2"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def load(self, key: str) -> tuple[list, dict] | None:
        try:
            data = zlib.decompress((self.folder / f"{key}.pickle.z").read_bytes())
            mark, mobjects, groups = _Unpickler(io.BytesIO(data)).load()
        except Exception:  # noqa: BLE001 (missing, cut short or not ours: parse it, and write it again)
            return None
        if mark != self.MARK or not isinstance(mobjects, list) or not isinstance(groups, dict):
            return None
        return mobjects, groups

    def save(self, key: str, mobjects: list, groups: dict) -> None:
        out = io.BytesIO()
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump((self.MARK, mobjects, groups))
        data = zlib.compress(out.getvalue(), 1)
        part = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, part = tempfile.mkstemp(prefix=".saving-", dir=self.folder)
            with os.fdopen(handle, "wb") as f:
                f.write(data)
            os.replace(part, self.folder / f"{key}.pickle.z")
        except OSError:  # a read-only or full disk: the parse is still used, only not kept
            if part is not None:
                Path(part).unlink(missing_ok=True)


def parsed_store() -> ParsedStore:
    """The store beside Manim's LaTeX folder (``tex_dir``), which render.py's scenes, the tests'
    workers and a plain ``manim`` run each share among their processes."""
    return ParsedStore(config.get_dir("tex_dir").parent / "parsed-svg")


_READER = None  # the hash of the code that parses: Manim's, svgelements', numpy's, Python's and this file's


def parse_key(self: SVGMobject, source: bytes) -> str | None:
    """What a parse of ``source`` by ``self`` depends on: the bytes, the style the tree is given
    (``svg_default``), how paths become curves (``path_string_config``), the class (its methods
    read the tree), the renderer, and the code that reads it."""
    global _READER
    if _READER is None:
        import manim

        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        _READER = repr((manim.__version__, svgelements.SVGELEMENTS_VERSION, np.__version__,
                        sys.version_info[:3], code))
    cls = type(self)
    setting = repr((f"{cls.__module__}.{cls.__qualname__}", sorted(self.svg_default.items()),
                    sorted(self.path_string_config.items()), str(config.renderer), _READER))
    if " at 0x" in setting:  # a setting that does not print as itself: not kept
        return None
    return hashlib.sha256(setting.encode() + b"\0" + source).hexdigest()


def parse_svg(self: SVGMobject) -> SVGMobject:
    """``SVGMobject.generate_mobject``: the modified tree parsed from memory, not from a file, or
    the same parse loaded from the :class:`ParsedStore`."""
    source = Path(self.get_file_path()).read_bytes()
    store, key = parsed_store(), parse_key(self, source)
    parsed = None if key is None else store.load(key)
    if parsed is None:
        tree = self.modify_xml_tree(ET.ElementTree(ET.fromstring(source)))
        data = io.BytesIO()
        tree.write(data)
        data.seek(0)
        parsed = self.get_mobjects_from(svgelements.SVG.parse(data))
        for mob in parsed[0]:
            if isinstance(mob, VMobjectFromSVGPath):
                mob.path_obj = None  # read only while the piece was made: two thirds of a stored parse
        if key is not None:
            store.save(key, *parsed)  # as parsed: before it is added and flipped
    mobjects, self.id_to_vgroup_dict = parsed
    self.add(*mobjects)
    self.flip(RIGHT)  # SVG's y points down
    return self


# ----------------------------------------------------------------------------- fades

# What VMobject.interpolate_color interpolates, after the points
FADED = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")
_KEPT = ("stroke_width", "background_stroke_width", "sheen_direction", "sheen_factor")


def faded(rgbas: np.ndarray) -> np.ndarray:
    """What ``fade(1)`` leaves of a piece's colours: the colours, with no opacity."""
    out = rgbas.copy()
    out[:, 3] = 0.0
    return out


def interpolate_looks(piece: Mobject, attrs: Sequence[str], start: Sequence, end: Sequence, alpha: float) -> None:
    """``VMobject.interpolate_color`` for ``attrs``, from values held apart: each between its start
    and end, the end's own (copied) at ``alpha`` 1."""
    for attr, a, b in zip(attrs, start, end):
        if alpha == 1.0:
            setattr(piece, attr, b.copy() if isinstance(b, np.ndarray) else b)
        else:
            setattr(piece, attr, bezier_interpolate(a, b, alpha))


def _fade_ends(anim: _Fade) -> list[tuple[VMobject, tuple, tuple]] | None:
    """For a fade that neither moves nor scales (``FadeIn(m)``, ``FadeOut(m)``) of a family of
    vector pieces without updaters: each piece with what Manim's starting and target copies of it
    would hold, (points, fill, stroke, background stroke, widths, sheen). None for any other fade,
    which Manim's own ``begin`` plays."""
    if (config.renderer.value != "cairo" or anim.point_target or anim.scale_factor != 1
            or np.any(anim.shift_vector != 0) or anim.path_arc != 0):
        return None
    mob = anim.mobject
    members = mob.family_members_with_points()
    if not all(isinstance(m, VMobject) for m in members) or mob.get_family_updaters():
        return None  # (a copy of a piece with updaters follows them during the fade: Manim's then)
    # Manim's faded copy: fade(1) (every alpha 0), shift by nothing, scale by 1 about its centre
    centre = np.array(mob.get_critical_point(ORIGIN), copy=True)
    ends = []
    for m in members:
        shown = tuple(v.copy() if isinstance(v, np.ndarray) else v
                      for v in (m.points, *(getattr(m, a) for a in FADED + _KEPT)))
        gone = ((m.points - centre) * 1 + centre, *(faded(rgbas) for rgbas in shown[1:4]), *shown[4:])
        ends.append((m, gone, shown) if isinstance(anim, FadeIn) else (m, shown, gone))
    return ends


def fade_begin(self: _Fade) -> None:
    """``begin`` of FadeIn and FadeOut: a fade that neither moves nor scales a family of vector
    pieces changes only their opacity, so instead of Manim's two or three copies of the whole
    family (the starting mobject, the target and its copy), each piece keeps the few arrays those
    copies would hold. The frames are the same, number for number (``tests/test_fast_manim.py``)."""
    self._fade_ends = _fade_ends(self)
    if self._fade_ends is None:
        manim_fade_methods["begin"](self)
        return
    self.target_mobject = self.mobject
    self.starting_mobject = self.target_copy = None
    if self.suspend_mobject_updating:
        self.mobject.suspend_updating()
    self.interpolate(0)


def fade_all_mobjects(self: _Fade):
    if getattr(self, "_fade_ends", None) is None:
        return manim_fade_methods["get_all_mobjects"](self)
    return [self.mobject]


def fade_families_zipped(self: _Fade):
    if getattr(self, "_fade_ends", None) is None:
        return manim_fade_methods["get_all_families_zipped"](self)
    return self._fade_ends


def fade_submobject(self: _Fade, submobject: Mobject, start, target, alpha: float):
    """What ``Mobject.interpolate`` and ``VMobject.interpolate_color`` make of the piece between
    its starting and target copies, from the arrays those copies would hold."""
    if getattr(self, "_fade_ends", None) is None:
        return manim_fade_methods["interpolate_submobject"](self, submobject, start, target, alpha)
    submobject.points = self.path_func(start[0], target[0], alpha)
    interpolate_looks(submobject, FADED + _KEPT, start[1:], target[1:], alpha)
    return self


GC_THRESHOLD = (50_000, 20, 20)  # Python's default is (700, 10, 10)


def install() -> None:
    """Use these in place of Manim's own (idempotent). Subclasses that copy their own way keep it.

    Also makes Python's cycle collector look less often: a scene keeps hundreds of thousands of small
    objects (mobjects, their dictionaries and arrays) alive for its whole build, and with the default
    threshold the collector walked them after every 700 new ones. Scene builds take about 7% less
    time and the same peak memory (only garbage in cycles waits a little longer); what is drawn
    cannot change."""
    gc.set_threshold(*GC_THRESHOLD)
    Mobject.__deepcopy__ = deep_copy
    Mobject.get_family = family
    tex_mobject.tex_to_svg_file = shared_tex_to_svg_file
    Text._text2svg = shared_text_to_svg
    manimpango.PangoUtils.remove_last_M = staticmethod(remove_last_m)
    SVGMobject.generate_mobject = parse_svg
    _Fade.begin = fade_begin
    _Fade.get_all_mobjects = fade_all_mobjects
    _Fade.get_all_families_zipped = fade_families_zipped
    _Fade.interpolate_submobject = fade_submobject
