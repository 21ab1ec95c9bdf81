"""What a viewer sees, written down: the screen transcript of a scene, and where each number comes from.

While a scene builds, its :class:`Transcript` notes after every animation what is on screen:
the caption, every text and formula drawn, and what each data-driven piece draws (a network
layer lit by which activations, edges coloured by which weights). Arrays reach scenes only
through :func:`traced_arrays`, as :class:`Traced` arrays that carry their source with them
(``digits-story/chapter1.npz:a1[6]``), through slicing and into the pieces that draw them::

    d = traced_arrays("digits-story", "chapter1.npz")
    d["a2"].source          # 'digits-story/chapter1.npz:a2'
    d["W1"][6, 300:316]     # its source: 'digits-story/chapter1.npz:W1[6, 300:316]'
    d["a2"] * 2             # arithmetic makes a plain array: a value computed in the scene

A number a viewer reads (in a caption, a label, a bar's value, a matrix entry) is traced by
value: :meth:`Transcript.explain` finds the artifact entry that, rounded the way the screen
shows it, reads the same, looking first at what the scene read last (a single entry read on its
own, ``d["a3"][3]``; a part it picked out, ``d["w0_window"][6]``; an array of at most
``LOOKUP_LIMIT`` entries; the shapes and sizes of what it read). A number no artifact explains
is an orphan: hand-typed, mis-wired or mis-rounded. One the scene computes is declared where it
is drawn with :func:`computed`, one that is no model quantity (an axis tick, a published figure
about another model) with :func:`constant`. Small whole numbers (up to ten: layer, digit and
step labels) are read as labels.

Tracing by value can name a look-alike (another entry that rounds the same); the golden
transcript pins whichever it names, so a change still shows. Of entries read in one go (a model
card's metrics), one holding the very number shown wins over one that only rounds to it: a
224.9 s training time must not stand for a 225-word vocabulary.

The tests write each scene's transcript to ``tests/golden/screens/`` and compare: a number
that changes, or comes from another array, shows as a line naming the scene and the caption.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np

__all__ = [
    "Traced",
    "Transcript",
    "computed",
    "constant",
    "current",
    "sourced",
    "note_drawing",
    "numbers_in",
    "traced_arrays",
    "traced_config",
    "traced_metrics",
]

LABEL_LIMIT = 10  # whole numbers up to this are labels (layer 2, digit 7, step 3), not quantities
# Numbers are traced by value among arrays of at most this many entries (a layer's activations, a
# row of weights the scene picked out): in a bigger one, any number would find a look-alike.
LOOKUP_LIMIT = 256


# ----------------------------------------------------------------------------- arrays that know their source


def _index_text(idx: Any) -> str:
    def one(i: Any) -> str:
        if isinstance(i, slice):
            start = "" if i.start is None else str(i.start)
            stop = "" if i.stop is None else str(i.stop)
            step = "" if i.step is None else f":{i.step}"
            return f"{start}:{stop}{step}"
        if i is Ellipsis:
            return "..."
        if i is None:
            return "None"
        if isinstance(i, (list, tuple, np.ndarray)):
            flat = np.asarray(i).reshape(-1)
            if flat.size <= 20:
                return "[" + ",".join(str(int(v)) if flat.dtype != bool else str(bool(v)) for v in flat) + "]"
            return f"[{flat.size} indices {int(flat[0])}..{int(flat[-1])}]"
        return str(int(i)) if isinstance(i, (int, np.integer)) else repr(i)

    parts = idx if isinstance(idx, tuple) else (idx,)
    return "[" + ", ".join(one(p) for p in parts) + "]"


class Traced(np.ndarray):
    """An array from an artifact that knows where it came from (``source``). Indexing keeps the
    source (with the index); arithmetic, reductions and reshaping give plain arrays."""

    source: str | None

    def __new__(cls, array: np.ndarray, source: str) -> "Traced":
        obj = np.asarray(array).view(cls)
        obj.source = source
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.source = None  # only __getitem__ and __new__ say where a view came from

    def __getitem__(self, idx: Any) -> Any:
        out = super().__getitem__(idx)
        t = current()
        if t is not None and self.source:
            t.touch(self.source)  # what was read last is the likeliest meaning of what is drawn next
            if not isinstance(out, np.ndarray) and isinstance(out, (np.integer, np.floating, int, float)):
                t.reads(f"{self.source}{_index_text(idx)}", float(out))  # one entry: its exact source
        if isinstance(out, Traced):
            out.source = f"{self.source}{_index_text(idx)}" if self.source else None
            if t is not None and out.source and 1 < out.size <= LOOKUP_LIMIT:
                t.picks(out)
        return out

    def reshape(self, *shape, **kwargs) -> "Traced":
        """The same entries in another shape: the source stays, with the shape it was given."""
        out = super().reshape(*shape, **kwargs)
        if isinstance(out, Traced) and self.source:
            dims = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
            out.source = f"{self.source}.reshape({', '.join(str(int(n)) for n in dims)})"
        return out

    @property
    def T(self) -> "Traced":
        out = super().T
        if isinstance(out, Traced) and self.source:
            out.source = f"{self.source}.T"
        return out

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(x) if isinstance(x, Traced) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(np.asarray(x) if isinstance(x, Traced) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*plain, **kwargs)

    def __reduce__(self):  # pickles (and deep copies) as a plain array
        return np.asarray(self).__reduce__()


def source_of(values: Any) -> str | None:
    return getattr(values, "source", None) if isinstance(values, Traced) else None


class TracedArrays(Mapping):
    """An artifact file's arrays as :class:`Traced` arrays; reading one tells the scene's transcript."""

    def __init__(self, artifact: str, filename: str, arrays: Mapping[str, np.ndarray]):
        self.prefix = f"{artifact}/{filename}"
        self._arrays = {k: Traced(v, f"{self.prefix}:{k}") for k, v in arrays.items()}

    def __getitem__(self, key: str) -> Traced:
        value = self._arrays[key]
        t = current()
        if t is not None:
            t.uses(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)


def _load(artifact: str):
    """An intact artifact (hashes checked; torch not needed). One never built is built here first,
    with progress on stderr, so a plain ``manim scenes/chapterN.py Scene`` in a fresh checkout
    works as ``render.py`` does."""
    from models.artifacts import ArtifactMissing, load_artifact

    try:
        return load_artifact(artifact)
    except ArtifactMissing:
        import sys

        from models.pipeline import ensure

        print(f"artifact {artifact!r} is missing: building it (as `python render.py train` would)",
              file=sys.stderr, flush=True)
        return ensure(artifact)


def traced_arrays(artifact: str, filename: str) -> TracedArrays:
    """An intact artifact's arrays (hashes checked; torch not needed), traced for the transcript."""
    return TracedArrays(artifact, filename, _load(artifact).arrays(filename))


def _flat_numbers(tree: Any, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            out.update(_flat_numbers(v, f"{prefix}{k}."))
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        out[prefix.rstrip(".")] = float(tree)
    return out


def traced_metrics(artifact: str) -> dict:
    """An artifact's metrics (training time, accuracy, losses); they and its config's numbers
    become known to the transcript."""
    art = _load(artifact)
    t = current()
    if t is not None:
        for part in ("metrics", "config"):
            flat = _flat_numbers(getattr(art, part))
            t.uses(TracedArrays(artifact, part, {k: np.asarray(v) for k, v in flat.items()}), None)
    return dict(art.metrics)


def traced_config(artifact: str) -> dict:
    """An artifact's config (what it was trained with), known to the transcript like its metrics."""
    traced_metrics(artifact)
    return dict(_load(artifact).config)


# ----------------------------------------------------------------------------- numbers in text

_INDEX = re.compile(r"(?<=[A-Za-z)\]])[\[(][\d,\s]+[\])]")
_NUMBER = re.compile(r"[\u2212-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


@dataclass(frozen=True)
class Number:
    text: str  # as shown, e.g. "−0.923", "61%", "13,002"
    value: float  # what it reads as (a percentage as its percent figure)
    decimals: int
    percent: bool
    signed: bool  # shown with its own minus sign

    @property
    def is_label(self) -> bool:
        return self.decimals == 0 and not self.percent and abs(self.value) <= LABEL_LIMIT


def _strip_tex(tex: str) -> str:
    """A formula's text with indices and exponents removed (``w_{6,304}``, ``a^{(1)}``, ``x^2``
    name things, they are not quantities) and TeX's thousands separator read as a comma."""
    s = tex.replace("{,}", ",").replace("\\,", "")
    s = re.sub(r"\\[a-zA-Z]+", " ", s)  # commands: \frac, \sigma, \mathbb
    for _ in range(4):  # nested braces, innermost first
        s = re.sub(r"[_^]\{[^{}]*\}", " ", s)
    s = re.sub(r"[_^].", " ", s)
    return s.replace("{", " ").replace("}", " ")


def numbers_in(text: str, tex: bool = False) -> list[Number]:
    """The numbers a reader sees in ``text``. Digits glued to a name (W1, x10, 3rd) are part of
    the name; a hyphen between digits (784-16-16-10) is not a minus sign."""
    s = _strip_tex(text) if tex else text
    s = _INDEX.sub(" ", s)  # w(3)[1,11], b(3)[1]: a parameter's indices are part of its name
    out: list[Number] = []
    for m in _NUMBER.finditer(s):
        token, start = m.group(0), m.start()
        before = s[start - 1] if start > 0 else " "
        if token[0] in "-\u2212":
            if before.isalnum() or before in ")]}":  # a range or a subtraction: the sign is not the number's
                token, start = token[1:], start + 1
                before = s[start - 1]
        elif before.isalpha() or before in "_.":
            continue
        after = s[m.end()] if m.end() < len(s) else " "
        if after.isalpha() and after not in "x\u00d7":  # 3rd, 2nd, 10th, 4k: part of a word
            continue
        percent = token.endswith("%")
        body = token.rstrip("%")
        signed = body[0] in "-\u2212"
        digits = body.lstrip("-\u2212").replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        value = float(digits) * (-1 if signed else 1)
        out.append(Number(token, value, decimals, percent, signed))
    return out


# ----------------------------------------------------------------------------- the transcript


@dataclass
class _Pool:
    """Every value a scene could be showing: its artifacts' entries, sorted for lookup."""

    name: str
    values: np.ndarray  # flat, float64
    order: np.ndarray  # argsort of values
    sorted: np.ndarray
    shape: tuple
    searched: bool  # small enough to trace numbers to its entries


@dataclass
class Transcript:
    scene: str
    files: dict[str, TracedArrays] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # "prefix:key" read during the scene
    constants: dict[str, str] = field(default_factory=dict)  # shown text -> why it is not a model quantity
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (caption, lines first seen under it)
    _seen: set[str] = field(default_factory=set)
    _pools: list[_Pool] | None = None
    _sorted: dict[str, _Pool | None] = field(default_factory=dict)
    slices: dict[str, np.ndarray] = field(default_factory=dict)
    _last: dict[str, int] = field(default_factory=dict)  # when each array or part was last read
    scalars: list[tuple[int, str, float]] = field(default_factory=list)  # (when, source, value) of single reads
    _clock: int = 0
    _read_with: dict[str, int] = field(default_factory=dict)  # which reading (one ``uses`` call) last read each array
    _reading: int = 0
    own: dict[str, dict[str, str]] = field(default_factory=dict)  # a line of text -> its numbers' known sources

    # what the scene reads and declares

    def uses(self, arrays: TracedArrays, key: str | None) -> None:
        if arrays.prefix not in self.files:
            self.files[arrays.prefix] = arrays
            self._pools = None
        names = [f"{arrays.prefix}:{key}"] if key is not None else [f"{arrays.prefix}:{k}" for k in arrays]
        self._reading += 1  # read together (a whole file's metrics, in its order): one reading
        for name in names:
            self._clock += 1
            self._last[name] = self._clock
            self._read_with[name] = self._reading
        if not self.used.issuperset(names):
            self.used.update(names)
            self._pools = None

    def reads(self, name: str, value: float) -> None:
        """One entry read on its own (``d["a3"][3]``): the likeliest source of a number drawn next."""
        self._clock += 1
        self.scalars.append((self._clock, name, value))

    def touch(self, name: str) -> None:
        self._clock += 1
        self._last[name] = self._clock
        self._read_with.pop(name, None)  # read on its own now

    def picks(self, part: "Traced") -> None:
        """A part of an array the scene picked out (a row, a window): numbers may come from it."""
        self.touch(part.source)
        if part.source not in self.slices and part.dtype.kind in "biuf":
            self.slices[part.source] = np.array(part, dtype=np.float64)
            self._pools = None

    def declare(self, text: str, why: str) -> None:
        self.constants[text] = why

    # what the screen shows

    def note(self, caption: str, items: list[tuple[str, str, bool]]) -> None:
        """What is on screen now, as (kind, text, is_tex) items; each new one is written once, with
        its numbers traced, under the caption it first shows with."""
        if not self.sections or self.sections[-1][0] != caption:
            heard = self._traced(caption, tex=False)
            self.sections.append((caption, [f"caption  | {heard}"] if heard else []))
        for kind, text, tex in items:
            key = f"{kind} {text!r}"
            if key in self._seen:
                continue
            self._seen.add(key)
            traced = self._traced(text, tex) if kind != "draw" else ""
            self.sections[-1][1].append(key + (f"  | {traced}" if traced else ""))

    def _traced(self, text: str, tex: bool) -> str:
        own = self.own.get(text, {})
        return "; ".join(f"{n.text} <- {own.get(n.text) or self.explain(n) or '?'}" for n in numbers_in(text, tex=tex)
                         if not n.is_label or n.text in self.constants or n.text in own)

    # tracing numbers

    def pools(self) -> list[_Pool]:
        """Where a number may come from: the arrays the scene read (their shapes and sizes always,
        their entries up to ``LOOKUP_LIMIT``) and the parts of arrays it picked out."""
        if self._pools is None:
            pools = []
            named = [(name, self.files[name.rpartition(":")[0]]._arrays[name.rpartition(":")[2]])
                     for name in sorted(self.used)]
            named += sorted(self.slices.items())
            for name, array in named:
                if name not in self._sorted:
                    raw = np.asarray(array)
                    if raw.dtype.kind not in "biuf":
                        self._sorted[name] = None
                        continue
                    flat = raw.astype(np.float64).reshape(-1)
                    order = np.argsort(flat, kind="stable")
                    self._sorted[name] = _Pool(name, flat, order, flat[order], raw.shape, flat.size <= LOOKUP_LIMIT)
                if self._sorted[name] is not None:
                    pools.append(self._sorted[name])
            pools.sort(key=lambda p: (p.values.size, p.name))
            self._pools = pools
        return self._pools

    def explain(self, number: Number) -> str | None:
        """Where ``number`` comes from (``source[index]``, a shape, a declared constant), or None."""
        if number.text in self.constants:
            why = self.constants[number.text]
            return why if why.startswith("computed: ") else f"constant: {why}"
        if number.is_label:
            return "label"
        shown = f"{abs(number.value):.{number.decimals}f}"
        # a percentage reads a share (0.61 as 61%); a signed number may show minus a positive entry
        ways = [(100.0, " as a percentage")] if number.percent else [(1.0, "")]
        signs = [1.0] if number.percent else ([-1.0, 1.0] if number.signed else [1.0, -1.0])

        def reads_as(v: float, mult: float, sign: float) -> bool:
            return f"{abs(v * mult):.{number.decimals}f}" == shown and (v * sign >= 0 or v == 0)

        def named(name: str, sign: float, how: str) -> str:
            flipped = (sign < 0) != number.signed  # shown with the other sign: minus the entry
            return f"{'minus ' if flipped else ''}{name}{how}"

        best: tuple[int, str] | None = None  # (when it was read, explanation): the latest read wins
        for when, name, v in reversed(self.scalars):
            hit = next(((mult, sign, how) for mult, how in ways for sign in signs if reads_as(v, mult, sign)), None)
            if hit is not None:
                best = (when, named(name, hit[1], hit[2]))
                break
        tied: list[tuple[bool, str]] = []  # hits among arrays read in one go: (exact, explanation)
        reading = None
        for pool in sorted(self.pools(), key=lambda p: -self._last.get(p.name, 0)):
            when = self._last.get(pool.name, 0)
            if tied and self._read_with.get(pool.name) != reading:
                break
            if best is not None and when <= best[0]:
                break
            hit = self._hit_in(pool, number, ways, signs, reads_as, named)
            if hit is not None:
                reading = self._read_with.get(pool.name)
                tied.append(hit)
                if hit[0] or reading is None:
                    break
        if tied:  # of arrays read in one go (a card's metrics), one holding the very number shown wins
            return next((why for exact, why in tied if exact), tied[0][1])  # over one that only rounds to it
        return best[1] if best is not None else None

    @staticmethod
    def _hit_in(pool: "_Pool", number: Number, ways, signs, reads_as, named) -> tuple[bool, str] | None:
        """The first entry of ``pool`` that reads as ``number`` (or a shape or size equal to it), and
        whether it is exactly that number rather than one that rounds to it."""
        half = 0.5 * 10.0 ** -number.decimals
        for mult, how in ([] if not pool.searched else ways):
            for sign in signs:
                want = sign * abs(number.value) / mult
                lo = bisect_left(pool.sorted, want - half / mult - 1e-12)
                hi = bisect_right(pool.sorted, want + half / mult + 1e-12)
                hits = [int(pool.order[pos]) for pos in range(lo, hi)
                        if reads_as(float(pool.sorted[pos]), mult, sign)]
                if hits:
                    flat = min(hits)  # of equal-looking entries, the first
                    where = "" if pool.values.size == 1 else _index_text(np.unravel_index(flat, pool.shape))
                    exact = abs(abs(float(pool.values[flat]) * mult) - abs(number.value)) <= 1e-9 * max(1.0, abs(number.value))
                    return exact, named(f"{pool.name}{where}", sign, how)
        if number.decimals == 0 and not number.percent:
            for axis, n in enumerate(pool.shape):
                if n == abs(number.value):
                    return True, f"{pool.name}.shape[{axis}]"
            if len(pool.shape) > 1 and pool.values.size == abs(number.value):
                return True, f"{pool.name}.size"
        return None

    def orphans(self) -> list[str]:
        """Numbers on screen that no artifact entry and no declaration explains, with their caption."""
        out = []
        for caption, lines in self.sections:
            for line in lines:
                for part in line.partition("  | ")[2].split("; "):
                    if part.endswith(" <- ?"):
                        out.append(f"{self.scene}: {part[:-5]} in {line.partition('  | ')[0]} "
                                   f"(under caption {caption!r})")
        return out

    def text(self) -> str:
        lines = [f"# {self.scene}: what the screen shows, caption by caption, and where each number comes from"]
        for caption, items in self.sections:
            if not items and not caption:
                continue
            lines.append("")
            lines.append(f"== {caption}" if caption else "== (before the first caption)")
            lines.extend(items)
        return "\n".join(lines) + "\n"


_CURRENT: Transcript | None = None


def current() -> Transcript | None:
    """The transcript of the scene being built, if any (pieces drawn outside a scene note nothing)."""
    return _CURRENT


def begin(scene: str) -> Transcript:
    global _CURRENT
    _CURRENT = Transcript(scene)
    return _CURRENT


def constant(value: Any, why: str) -> str:
    """Declare a number drawn on screen that is not a model quantity (an axis tick, a published
    figure about another model) and return it as text: ``constant("175", "GPT-3's parameters,
    in billions, as published")``."""
    text = str(value)
    t = current()
    if t is not None:
        for number in numbers_in(text):
            t.declare(number.text, why)
    return text


def sourced(text: str, sources: Mapping[str, str]) -> str:
    """Declare where the numbers of one line of text come from (number as shown -> source), and
    return the text. For a line whose sources are known where it is made, such as a model card's
    row read from one manifest: two cards on one screen each trace their own "10" or "200" to their
    own manifest, not to whichever look-alike the scene read last."""
    t = current()
    if t is not None:
        t.own[text] = dict(sources)
    return text


def sourced_all(text: str, source: str, *, tex: bool = False) -> str:
    """``sourced`` for a line whose every number comes from one ``source`` (an artifact entry, or
    "computed: ..." for numbers worked out where they are drawn); ``tex`` for LaTeX source."""
    return sourced(text, {n.text: source for n in numbers_in(text, tex=tex)})


def computed(value: Any, how: str) -> str:
    """Declare a number computed in the scene from traced ones (``how`` says from what, e.g.
    "test_accuracy × n_test"), and return it as text. Prefer storing it in the data stage."""
    text = str(value)
    t = current()
    if t is not None:
        for number in numbers_in(text):
            t.declare(number.text, f"computed: {how}")
    return text


def note_drawing(mob: Any, role: str, values: Any) -> None:
    """Say what a data-driven piece draws: ``role`` (e.g. "layer 2 lit") from ``values``. The note
    travels with the mobject (copies too) and enters the transcript while it is on screen."""
    notes = dict(getattr(mob, "transcript_notes", {}) or {})
    notes[role] = describe_values(values)
    mob.transcript_notes = notes


def describe_values(values: Any) -> str:
    source = source_of(values)
    raw = np.asarray(values)
    if raw.dtype.kind not in "biuf":  # words, not numbers
        words = [str(w) for w in raw.reshape(-1)]
        shown = ", ".join(words[:12]) + (f", ... ({len(words)} in all)" if len(words) > 12 else "")
        return f"{source or 'given by the scene'} ({shown})"
    arr = raw.astype(float).reshape(-1)
    if arr.size == 0:
        stats = "no values"
    elif arr.size == 1:
        stats = f"{arr[0]:.4g}"
    else:
        stats = f"{arr.size} values, min {arr.min():.4g}, mean {arr.mean():.4g}, max {arr.max():.4g}"
    t = current()
    if source is None and t is not None:
        source = _match_array(t, arr)
    return f"{source or 'computed in the scene'} ({stats})"


def _match_array(t: Transcript, arr: np.ndarray) -> str | None:
    """A plain array that equals an artifact array, or one of its rows or columns."""
    for pool in t.pools():
        if pool.values.size == arr.size and np.allclose(pool.values, arr, rtol=0, atol=1e-7):
            return f"{pool.name} (by value)"
        if len(pool.shape) == 2 and arr.size in pool.shape:
            full = pool.values.reshape(pool.shape)
            if pool.shape[1] == arr.size:
                rows = np.flatnonzero(np.all(np.abs(full - arr) <= 1e-7, axis=1))
                if rows.size:
                    return f"{pool.name}[{int(rows[0])}] (by value)"
            if pool.shape[0] == arr.size:
                cols = np.flatnonzero(np.all(np.abs(full - arr[:, None]) <= 1e-7, axis=0))
                if cols.size:
                    return f"{pool.name}[:, {int(cols[0])}] (by value)"
    return None
