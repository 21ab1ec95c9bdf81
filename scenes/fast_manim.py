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
- :func:`shared_tex_to_svg_file` lets processes share one LaTeX folder: each compiles a formula
  in a folder of its own and moves the finished SVG in whole, so parallel scenes (render.py's,
  the tests' workers) compile each formula once instead of once per process. Manim's own, run
  by two processes in one folder, deleted the files the other was still converting.
- :func:`parse_svg` reads an SVG's modified tree from memory: Manim wrote it to a file beside the
  SVG, parsed that and deleted it, so two processes showing one formula raced on the file.

``tests/test_fast_manim.py`` checks each against Manim's own, on drawings like the chapters'.
Imported by :mod:`scenes.base`, so render.py and the tests build with it alike.
"""

from __future__ import annotations

import copy
import enum
import io
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path, PurePath

import numpy as np
import svgelements
from manim import RIGHT, ManimColor, Mobject, config
from manim.mobject.svg.svg_mobject import SVGMobject
from manim.mobject.text import tex_mobject
from manim.utils import tex_file_writing

__all__ = ["deep_copy", "family", "install", "manim_deep_copy", "manim_family", "parse_svg",
           "shared_tex_to_svg_file"]

# Manim's own, kept for the tests
manim_deep_copy = Mobject.__deepcopy__
manim_family = Mobject.get_family
manim_tex_to_svg_file = tex_file_writing.tex_to_svg_file
manim_generate_mobject = SVGMobject.generate_mobject

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
    attrs = result.__dict__
    for key, value in self.__dict__.items():
        attrs[key] = _copy_value(value, memo)
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


def shared_tex_to_svg_file(expression: str, environment: str | None = None, tex_template=None) -> Path:
    """Manim's ``tex_to_svg_file`` for a ``tex_dir`` that several processes use at once: the SVG
    named by the formula's hash, compiled in a private subfolder if no process made it before."""
    template = tex_template if tex_template is not None else config["tex_template"]
    code = (template.get_texcode_for_expression_in_env(expression, environment) if environment is not None
            else template.get_texcode_for_expression(expression))
    shared = config.get_dir("tex_dir")
    svg = shared / f"{tex_file_writing.tex_hash(code)}.svg"
    if svg.exists():
        return svg
    shared.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".compiling-", dir=shared))
    previous = config.tex_dir
    config.tex_dir = str(work)
    try:
        made = manim_tex_to_svg_file(expression, environment, template)
        os.replace(made, svg)  # whole or not at all: a process that finds the file reads all of it
    finally:
        config.tex_dir = previous
    shutil.rmtree(work, ignore_errors=True)  # (after a LaTeX error it stays, with LaTeX's log)
    return svg


def parse_svg(self: SVGMobject) -> SVGMobject:
    """``SVGMobject.generate_mobject``, the modified tree parsed from memory, not from a file."""
    tree = self.modify_xml_tree(ET.parse(self.get_file_path()))
    data = io.BytesIO()
    tree.write(data)
    data.seek(0)
    mobjects, self.id_to_vgroup_dict = self.get_mobjects_from(svgelements.SVG.parse(data))
    self.add(*mobjects)
    self.flip(RIGHT)  # SVG's y points down
    return self


def install() -> None:
    """Use these in place of Manim's own (idempotent). Subclasses that copy their own way keep it."""
    Mobject.__deepcopy__ = deep_copy
    Mobject.get_family = family
    tex_mobject.tex_to_svg_file = shared_tex_to_svg_file
    SVGMobject.generate_mobject = parse_svg
