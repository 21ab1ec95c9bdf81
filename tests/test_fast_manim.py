"""``scenes.fast_manim``: Manim's copy, family walk and LaTeX cache, faster and shared, with the
same results as Manim's own, on the chapters' real drawings."""

from __future__ import annotations

import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import manimpango
import numpy as np
import pytest
from manim import BLUE, RED, Circle, MathTex, Mobject, Text, VGroup, VMobject, tempconfig

from scenes import fast_manim
from scenes.pieces import FONT, NetworkDiagram

ROOT = Path(__file__).resolve().parent.parent


def _drawings() -> dict[str, Mobject]:
    net = NetworkDiagram((784, 16, 16, 10), input_shown=20, output_labels=[str(i) for i in range(10)])
    for layer, (n_in, n_out) in enumerate([(20, 16), (16, 16), (16, 10)]):
        net.color_edges(layer, np.linspace(-1, 1, n_in * n_out).reshape(n_out, n_in), 1.0)
    net.lit(1, np.linspace(0, 1, 16))
    label = Text("cost 0.785", font=FONT, font_size=30, color=BLUE)
    formula = MathTex(r"\frac{\partial C}{\partial w}", "=", r"a^{(L-1)}", color=RED)
    shared = Circle()
    twice = VGroup(shared, VGroup(shared, Circle().set_fill(BLUE, 0.5)))  # one piece in two places
    return dict(zip(DRAWINGS, [net, label, formula, twice, VGroup(net, label, formula)]))


DRAWINGS = ["network", "text", "formula", "shared piece", "all at once"]


def _same(a, b, path: str, memo_a: dict, memo_b: dict) -> None:
    """a and b (a copy each, one by Manim, one by fast_manim) are equal in every value and in how
    their parts share: a part reached twice in one is reached twice in the other."""
    if id(a) in memo_a or id(b) in memo_b:
        assert memo_a.get(id(a)) == id(b) and memo_b.get(id(b)) == id(a), f"{path}: shared differently"
        return
    if not isinstance(a, (int, float, str, bool, type(None))):
        memo_a[id(a)], memo_b[id(b)] = id(b), id(a)
    assert type(a) is type(b), f"{path}: {type(a)} vs {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True), path
        assert a.flags.c_contiguous == b.flags.c_contiguous, path
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]", memo_a, memo_b)
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _same(a[key], b[key], f"{path}[{key!r}]", memo_a, memo_b)
    elif hasattr(a, "__dict__") and not isinstance(a, type) and not callable(a):
        assert sorted(vars(a)) == sorted(vars(b)), path
        for key in vars(a):
            if key != "original_id":
                _same(vars(a)[key], vars(b)[key], f"{path}.{key}", memo_a, memo_b)
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def _manim_copy(mob: Mobject) -> Mobject:
    Mobject.__deepcopy__ = fast_manim.manim_deep_copy
    try:
        return mob.copy()
    finally:
        fast_manim.install()


@pytest.mark.parametrize("name", DRAWINGS)
def test_a_copy_is_the_copy_manim_makes(name):
    mob = _drawings()[name]
    ours, theirs = mob.copy(), _manim_copy(mob)
    _same(theirs, ours, name, {}, {})
    assert ours.original_id == theirs.original_id == str(id(mob))


def test_a_copy_shares_nothing_that_can_change_with_the_original():
    mob = _drawings()["all at once"]
    copied = mob.copy()
    originals = {id(m) for m in mob.get_family()}
    assert not originals & {id(m) for m in copied.get_family()}
    arrays = {id(v) for m in mob.get_family() for v in vars(m).values() if isinstance(v, np.ndarray)}
    assert not arrays & {id(v) for m in copied.get_family() for v in vars(m).values() if isinstance(v, np.ndarray)}
    before = mob.get_all_points().copy()
    copied.shift(np.array([1.0, 2.0, 0.0])).set_color(RED)
    assert np.array_equal(mob.get_all_points(), before)
    assert mob[1].get_color() == BLUE


def test_a_piece_in_two_places_stays_one_piece_in_the_copy():
    twice = _drawings()["shared piece"]
    copied = twice.copy()
    assert copied[0] is copied[1][0] and copied[0] is not twice[0]


@pytest.mark.parametrize("name", DRAWINGS)
def test_a_family_is_the_family_manim_lists(name):
    mob = _drawings()[name]
    assert fast_manim.family(mob) == fast_manim.manim_family(mob)
    assert [id(m) for m in mob.get_family()] == [id(m) for m in fast_manim.manim_family(mob)]


def test_a_family_with_a_cycle_or_a_repeat_is_listed_as_manim_lists_it():
    a, b, c = VMobject(), VMobject(), VMobject()
    a.submobjects = [b, c, b]  # b twice: kept at its last place
    b.submobjects = [a]  # a cycle: cut where it closes
    assert [id(m) for m in fast_manim.family(a)] == [id(m) for m in fast_manim.manim_family(a)]
    assert [id(m) for m in fast_manim.family(b)] == [id(m) for m in fast_manim.manim_family(b)]


def _updated_drawing() -> list[Mobject]:
    """Pieces on screen, with updaters at several depths and a piece in two groups."""
    drawings = _drawings()
    net, label, shared = drawings["network"], drawings["text"], drawings["shared piece"]
    net.submobjects[1].submobjects[3].add_updater(lambda m: None)  # deep inside the network
    shared[1][1].add_updater(lambda m: None)  # beside the piece held twice
    label.add_updater(lambda m: None)
    return [net, label, drawings["formula"], shared, VGroup(Circle(), Circle())]


def test_the_pieces_holding_updaters_are_those_manim_finds():
    roots = _updated_drawing()
    pieces = [m for root in roots for m in fast_manim.manim_family(root)]
    theirs = {id(m) for m in pieces if m.get_family_updaters()}
    assert fast_manim.holding_updaters(roots) == theirs
    assert 3 < len(theirs) < len(pieces) // 2  # some, not all: the walk could tell them apart wrongly
    a, b = VGroup(), VGroup()
    a.submobjects, b.submobjects = [b], [a]  # a cycle: each piece is asked instead
    assert fast_manim.holding_updaters([a]) is None


def _look(mob: Mobject) -> list:
    """Everything a frame draws of ``mob``'s pieces that a fade may change."""
    return [(m.points.copy(), m.fill_rgbas.copy(), m.stroke_rgbas.copy(), m.background_stroke_rgbas.copy(),
             m.stroke_width, m.background_stroke_width, np.array(m.sheen_direction), m.sheen_factor)
            for m in mob.family_members_with_points()]


class _Stage:
    """What a fade's clean-up asks of a scene."""

    def __init__(self):
        self.removed = []

    def remove(self, mob):
        self.removed.append(mob)


def _play_fade(fade, mob: Mobject, manims: bool, **kwargs) -> tuple[list, object]:
    """``fade(mob)`` begun, at a few moments, finished and cleaned up: the pieces at each."""
    if manims:
        for name, method in fast_manim.manim_fade_methods.items():
            setattr(fade.__mro__[1], name, method)
    try:
        anim = fade(mob, **kwargs)
        anim.begin()
        seen = []
        for alpha in (0.0, 0.3, 0.77, 1.0):
            anim.interpolate(alpha)
            seen.append(_look(mob))
        anim.finish()
        anim.clean_up_from_scene(_Stage())
        seen.append(_look(mob))
    finally:
        fast_manim.install()
    return seen, anim


def _assert_same_looks(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for moment, (a, b) in enumerate(zip(ours, theirs)):
        assert len(a) == len(b), moment
        for piece, (x, y) in enumerate(zip(a, b)):
            for field, (u, v) in enumerate(zip(x, y)):
                assert np.array_equal(u, v), f"moment {moment}, piece {piece}, field {field}"


@pytest.mark.parametrize("kind", ["in", "out"])
@pytest.mark.parametrize("name", DRAWINGS)
def test_a_fade_is_the_fade_manim_plays(name, kind):
    """A fade that neither moves nor scales keeps a few arrays per piece instead of copying the
    drawing; every piece, at every moment and after the clean-up, is what Manim's makes of it."""
    from manim import FadeIn, FadeOut
    from manim.utils.rate_functions import there_and_back

    fade = FadeIn if kind == "in" else FadeOut
    mob = _drawings()[name]
    mob.family_members_with_points()[0].set_fill(opacity=0.4)  # a piece already partly see-through
    for kwargs in ({}, {"rate_func": there_and_back, "lag_ratio": 0.2}):
        ours, anim = _play_fade(fade, mob.copy(), False, **kwargs)
        assert anim._fade_ends is not None  # (the fast way was taken)
        theirs, _ = _play_fade(fade, mob.copy(), True, **kwargs)
        _assert_same_looks(ours, theirs)


def test_a_fade_that_moves_or_follows_an_updater_is_manims():
    from manim import UP, FadeIn, FadeOut

    mob = _drawings()["text"]
    for fade, kwargs in ((FadeIn, {"shift": UP}), (FadeOut, {"scale": 0.5})):
        ours, anim = _play_fade(fade, mob.copy(), False, **kwargs)
        assert anim._fade_ends is None
        _assert_same_looks(ours, _play_fade(fade, mob.copy(), True, **kwargs)[0])
    followed = mob.copy().add_updater(lambda m, dt: m.shift(dt * UP))
    assert _play_fade(FadeIn, followed, False)[1]._fade_ends is None


@pytest.mark.parametrize("kind", ["in", "out"])
def test_a_caption_fades_as_manim_fades_it(kind):
    """A caption's fade changes its colours exactly as Manim's fade does, and leaves its glyphs
    where they are (its pin, not the fade, places it)."""
    from manim import FadeIn, FadeOut

    from scenes.base import CaptionFade

    caption = VGroup(Text("the first line of a caption", font=FONT, font_size=26),
                     Text("and its second", font=FONT, font_size=26)).arrange(np.array([0.0, -1.0, 0.0]))
    caption[0].set_fill(opacity=0.6)
    ours, _ = _play_fade(lambda m, **k: CaptionFade(m, kind == "in", **k), caption.copy(), False)
    theirs, _ = _play_fade(FadeIn if kind == "in" else FadeOut, caption.copy(), True)
    for moment, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x[0], y[0], rtol=0, atol=1e-12)  # the points: unmoved
            for u, v in zip(x[1:], y[1:]):
                assert np.array_equal(u, v), moment


@pytest.mark.parametrize("name", DRAWINGS)
def test_corners_are_the_corners_manim_finds(name):
    from manim import DOWN, LEFT, RIGHT, UP

    mob = _drawings()[name]
    for piece in fast_manim.manim_family(mob) + [VGroup()]:
        theirs = [*piece.get_corner(DOWN + LEFT)[:2], *piece.get_corner(UP + RIGHT)[:2]]
        assert fast_manim.corners(piece) == theirs


# ----------------------------------------------------------------------------- one LaTeX folder

FORMULA = r"\sigma(w_1 a_1 + b) = 0.73"


def _points(svg: Path) -> list[np.ndarray]:
    from manim.mobject.svg import svg_mobject

    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's own cache of parsed files
    return [m.points for m in svg_mobject.SVGMobject(svg).family_members_with_points()]


def test_a_formula_made_in_a_shared_folder_is_the_one_manim_makes(tmp_path, monkeypatch):
    with tempconfig({"tex_dir": str(tmp_path / "manim")}):
        theirs = Path(fast_manim.manim_tex_to_svg_file(FORMULA, "align*"))
    compiled, manims = [], fast_manim.manim_tex_to_svg_file

    def counting(*args, **kwargs):
        compiled.append(args)
        return manims(*args, **kwargs)

    monkeypatch.setattr(fast_manim, "manim_tex_to_svg_file", counting)
    with tempconfig({"tex_dir": str(tmp_path / "shared")}):
        first = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
        again = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
    assert first == again and first.parent == tmp_path / "shared" and len(compiled) == 1
    assert first.name == theirs.name  # named by the formula's hash, as Manim names it
    ours, manim = _points(first), _points(theirs)
    assert len(ours) == len(manim) > 10 and all(np.array_equal(a, b) for a, b in zip(ours, manim))
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == [first.name]  # no work left behind


PARALLEL = r"""
import sys
from manim import MathTex, config
import scenes.base  # installs the shared LaTeX folder
config.tex_dir = sys.argv[1]
config.verbosity = "ERROR"
for n in range(6):
    MathTex(rf"x_{{{n}}} = \frac{{{n}}}{{7}}")
print("ok")
"""


# ----------------------------------------------------------------------------- one text folder

CAPTION = "The cost of one digit is 0.785, summed over its ten outputs"


def test_a_text_made_in_a_shared_folder_is_the_one_manim_makes(tmp_path, monkeypatch):
    made, manims = [], fast_manim.manim_text_to_svg

    def counting(self, color):
        made.append(self.text)
        return manims(self, color)

    monkeypatch.setattr(fast_manim, "manim_text_to_svg", counting)
    with tempconfig({"text_dir": str(tmp_path / "shared")}):
        first = Text(CAPTION, font=FONT, font_size=26)
        again = Text(CAPTION, font=FONT, font_size=26, fill_opacity=0.5)  # the same SVG, filled otherwise
    Text._text2svg = manims  # Manim's own, both steps
    manimpango.PangoUtils.remove_last_M = fast_manim.manim_remove_last_m
    try:
        with tempconfig({"text_dir": str(tmp_path / "manim")}):
            theirs = Text(CAPTION, font=FONT, font_size=26)
    finally:
        fast_manim.install()
    assert made == [CAPTION] and first.file_name == again.file_name
    assert Path(first.file_name).parent == tmp_path / "shared"
    assert Path(first.file_name).name == Path(theirs.file_name).name  # named by the text's hash, as Manim names it
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == [Path(first.file_name).name]  # nothing left
    ours, manim = _points(Path(first.file_name)), _points(Path(theirs.file_name))
    assert len(ours) == len(manim) > 40 and all(np.array_equal(a, b) for a, b in zip(ours, manim))


TEXTS_AT_ONCE = r"""
import sys
from manim import Text, config
import scenes.base  # installs the shared text folder
config.text_dir = sys.argv[1]
config.verbosity = "ERROR"
for n in range(40):
    Text(f"caption number {n} of a chapter, as several scenes show it", font="DejaVu Sans", font_size=26)
print("ok")
"""


@pytest.mark.parametrize("script,count", [(PARALLEL, 6), (TEXTS_AT_ONCE, 40)], ids=["formulas", "texts"])
def test_processes_making_the_same_svgs_at_once_in_one_folder_all_succeed(tmp_path, script, count):
    folder = tmp_path / "shared"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(folder)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 and out.split()[-1:] == ["ok"] for p, (out, _) in zip(procs, outs)), outs
    svgs = sorted(folder.glob("*.svg"))
    assert len(svgs) == count and all(s.read_bytes().rstrip().endswith(b"</svg>") for s in svgs)
    assert not [p for p in folder.iterdir() if p.suffix != ".svg"]  # no work left behind


def _without_svg_paths(mob: Mobject) -> Mobject:
    """``mob`` with its pieces' svgelements paths left out, as :func:`fast_manim.parse_svg` leaves
    them (Manim reads one only while making its piece)."""
    for piece in mob.get_family():
        if hasattr(piece, "path_obj"):
            assert piece.path_obj is not None
            piece.path_obj = None
    return mob


def test_an_svg_read_from_memory_is_the_drawing_manim_reads_from_its_file(tmp_path, monkeypatch):
    from manim.mobject.svg import svg_mobject

    with tempconfig({"tex_dir": str(tmp_path / "Tex")}):
        svg = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
        monkeypatch.setattr(svg_mobject, "SVG_HASH_TO_MOB_MAP", {})  # Manim's own cache of parsed files
        ours = svg_mobject.SVGMobject(svg)
    monkeypatch.setattr(svg_mobject, "SVG_HASH_TO_MOB_MAP", {})
    monkeypatch.setattr(svg_mobject.SVGMobject, "generate_mobject", fast_manim.manim_generate_mobject)
    theirs = _without_svg_paths(svg_mobject.SVGMobject(svg))
    assert len(ours.family_members_with_points()) > 10
    _same(theirs, ours, "formula", {}, {})
    assert sorted(p.name for p in (tmp_path / "Tex").iterdir()) == [svg.name]


# ----------------------------------------------------------------------------- parses kept on disk


RED_DEFAULT = {"color": None, "opacity": None, "fill_color": RED, "fill_opacity": None, "stroke_width": 0,
               "stroke_color": None, "stroke_opacity": None}  # what an SVG's unstyled paths are given


def _parsed(svg: Path, monkeypatch, **style) -> Mobject:
    from manim.mobject.svg import svg_mobject

    monkeypatch.setattr(svg_mobject, "SVG_HASH_TO_MOB_MAP", {})  # Manim's own cache of parsed files
    return svg_mobject.SVGMobject(svg, **style)


def test_a_parse_kept_on_disk_is_the_drawing_manim_parses(tmp_path, monkeypatch):
    """The second process to show a formula or a text loads the first one's parse, and draws what
    Manim's own parse draws; the store holds one file per SVG and style."""
    from manim.mobject.svg import svg_mobject

    with tempconfig({"tex_dir": str(tmp_path / "Tex")}):
        svg = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
        made = _parsed(svg, monkeypatch)
        store = tmp_path / "parsed-svg"
        assert len(list(store.iterdir())) == 1

        def no_parsing(*args, **kwargs):
            raise AssertionError("parsed again")

        with monkeypatch.context() as m:
            m.setattr(fast_manim.svgelements.SVG, "parse", no_parsing)
            loaded = _parsed(svg, monkeypatch)
        red = _parsed(svg, monkeypatch, svg_default=RED_DEFAULT)  # another default style: parsed, kept apart
        assert len(list(store.iterdir())) == 2
    monkeypatch.setattr(svg_mobject.SVGMobject, "generate_mobject", fast_manim.manim_generate_mobject)
    theirs = _without_svg_paths(_parsed(svg, monkeypatch))
    _same(theirs, made, "parsed", {}, {})
    _same(theirs, loaded, "loaded", {}, {})
    _same(_without_svg_paths(_parsed(svg, monkeypatch, svg_default=RED_DEFAULT)), red, "red", {}, {})
    assert not np.array_equal(red.submobjects[0].fill_rgbas, made.submobjects[0].fill_rgbas)


def test_a_parse_file_cut_short_or_not_a_parse_is_parsed_again(tmp_path, monkeypatch):
    with tempconfig({"tex_dir": str(tmp_path / "Tex")}):
        svg = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
        first = _parsed(svg, monkeypatch)
        [kept] = (tmp_path / "parsed-svg").iterdir()
        whole = kept.read_bytes()
        calls = zlib.compress(pickle.dumps(("nn-explainer parsed svg 1", [print], {})))  # names a function
        for broken in (whole[: len(whole) // 2], b"not a parse", zlib.compress(pickle.dumps(("other", [], {}))), calls):
            kept.write_bytes(broken)
            again = _parsed(svg, monkeypatch)
            _same(first, again, "again", {}, {})
            assert kept.read_bytes() == whole  # written again, whole
        assert [p.name for p in (tmp_path / "parsed-svg").iterdir()] == [kept.name]  # nothing half-written left


def test_a_changed_svg_is_not_drawn_from_the_old_parse(tmp_path, monkeypatch):
    """A stored parse is named by the SVG's bytes: the same file name with other contents (a font
    or LaTeX changed, Manim's own folder remade) is parsed afresh."""
    with tempconfig({"tex_dir": str(tmp_path / "Tex")}):
        one = fast_manim.shared_tex_to_svg_file(FORMULA, "align*")
        other = fast_manim.shared_tex_to_svg_file(r"\sigma(w_1 a_1 + b) = 0.27", "align*")
        before = _parsed(one, monkeypatch)
        one.write_bytes(other.read_bytes())
        after = _parsed(one, monkeypatch)
        direct = _parsed(other, monkeypatch)
    assert not np.array_equal(before.get_all_points(), after.get_all_points())
    assert np.array_equal(after.get_all_points(), direct.get_all_points())


def test_scenes_run_the_cycle_collector_less_often():
    """A scene process (render.py's, a test's, plain manim's: all import scenes.base) collects
    cycles after GC_THRESHOLD new objects, not Python's default 700."""
    import gc

    import scenes.base  # noqa: F401  (installs)
    from scenes.fast_manim import GC_THRESHOLD

    assert gc.get_threshold() == GC_THRESHOLD and GC_THRESHOLD[0] >= 10_000
