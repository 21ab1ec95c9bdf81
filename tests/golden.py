"""Compare numbers with a golden JSON file, or rewrite it when asked (``--update-goldens``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

GOLDEN_DIR = Path(__file__).parent / "golden"


def _plain(value):
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _diff(path: str, got, want, rel: float, abs_tol: float, out: list[str]) -> None:
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append(f"{path}: length {len(got) if isinstance(got, list) else got!r} != {len(want)}")
            return
        for i, (g, w) in enumerate(zip(got, want)):
            _diff(f"{path}[{i}]", g, w, rel, abs_tol, out)
    elif isinstance(want, float) or isinstance(got, float):
        if not math.isclose(float(got), float(want), rel_tol=rel, abs_tol=abs_tol):
            out.append(f"{path}: {got!r} != golden {want!r}")
    elif got != want:
        out.append(f"{path}: {got!r} != golden {want!r}")


def check_golden(name: str, values: dict, update: bool, rel: float = 1e-4, abs_tol: float = 1e-6) -> None:
    """Assert ``values`` match ``tests/golden/<name>.json`` (numbers within tolerance)."""
    path = GOLDEN_DIR / f"{name}.json"
    plain = {k: _plain(v) for k, v in values.items()}
    if update:
        path.write_text(json.dumps(plain, indent=1, sort_keys=True) + "\n")
        return
    assert path.exists(), f"{path} is missing: create it with `./dev test --update-goldens`"
    want = json.loads(path.read_text())
    problems: list[str] = []
    missing = sorted(set(want) ^ set(plain))
    if missing:
        problems.append(f"keys differ: {missing}")
    for key in sorted(set(want) & set(plain)):
        _diff(key, plain[key], want[key], rel, abs_tol, problems)
    assert not problems, (
        f"{len(problems)} value(s) differ from {path.name} (if the change is intended, "
        "run `./dev test --update-goldens` and review the diff):\n  " + "\n  ".join(problems[:20])
    )
