"""Chapters whose scenes live in a module a test wrote (a probe, a copy, a stand-in), rendered
through the real render path."""

from __future__ import annotations

from pathlib import Path

import render


class _ChapterAt(render.Chapter):
    source: Path

    @property
    def path(self) -> Path:
        return self.source


def chapter_at(path: Path, number: int, title: str, scenes: list[str], artifacts: tuple[str, ...] = (),
               module: str | None = None) -> render.Chapter:
    """Chapter ``number`` with its scenes read from ``path`` (Manim files their videos under the
    module's name, ``path``'s stem unless ``module`` says otherwise)."""
    chapter = _ChapterAt(number, title, module or path.stem, list(scenes), tuple(artifacts))
    chapter.source = path
    return chapter
