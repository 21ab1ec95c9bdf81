"""Superposition: how many nearly perpendicular directions fit in a space, from a real optimisation.

Chapter 8's last beat. For each dimension, unit vectors are optimised (Adam on the pairs whose
angle is too far from 90°) until every pair lies within 90° ± ``TOLERANCE_DEG``; the count is the
most vectors for which that succeeded (doubling, then bisection to within 5%). It is a lower bound
found by this optimisation, not a proven maximum.

Example::

    arrays = superposition()        # about 20 s on two cores
    arrays["counts"]                # vectors that fit, one count per dimension in DIMENSIONS
"""

from __future__ import annotations

import math

import numpy as np
import torch

from models.artifacts import derive_seed

__all__ = ["DIMENSIONS", "TOLERANCE_DEG", "superposition"]

DIMENSIONS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
TOLERANCE_DEG = 10.0  # every pair of vectors within 90° ± this
STEPS = 400


def _near_perpendicular(n: int, dim: int, max_cos: float, steps: int = STEPS) -> tuple[bool, np.ndarray, np.ndarray]:
    """Optimise ``n`` unit vectors in ``dim`` dimensions until every |cos| between two of them is
    at most ``max_cos`` (or ``steps`` run out). Returns (reached, start, result) as unit rows."""
    g = torch.Generator().manual_seed(derive_seed("superposition", dim, n))
    x = torch.randn(n, dim, generator=g, dtype=torch.float64).requires_grad_()
    start = (x / x.norm(dim=1, keepdim=True)).detach().numpy().copy()
    opt = torch.optim.Adam([x], lr=0.02, fused=True)  # exact square roots on every CPU (see models.tiny_gpt)
    # every pair's |cos|, the diagonal (a vector with itself) held at 0: below the bound, so it
    # neither counts nor pushes. (Picking the pairs out with a mask gave the same gradients, slower.)
    off = 1.0 - torch.eye(n, dtype=torch.float64)
    for _ in range(steps):
        unit = x / x.norm(dim=1, keepdim=True)
        cos = (unit @ unit.T).abs() * off
        if float(cos.detach().max()) <= max_cos:
            break
        loss = (torch.relu(cos - 0.9 * max_cos) ** 2).sum()  # push every pair a little past the bound
        opt.zero_grad()
        loss.backward()
        opt.step()
    unit = (x / x.norm(dim=1, keepdim=True)).detach()
    reached = float(((unit @ unit.T).abs() * off).max()) <= max_cos
    return reached, start, unit.numpy()


def _most_vectors(dim: int, max_cos: float) -> tuple[int, np.ndarray, np.ndarray]:
    """The most vectors the optimisation fits in ``dim`` dimensions (doubling, then bisection to
    within 5%), with the start and result of that run."""
    best = (dim, *_near_perpendicular(dim, dim, max_cos)[1:])  # dim perpendicular vectors always fit
    lo, hi = dim, None
    n = 2 * dim
    while hi is None:
        reached, start, result = _near_perpendicular(n, dim, max_cos)
        if reached:
            lo, best, n = n, (n, start, result), 2 * n
        else:
            hi = n
    while hi - lo > max(1, lo // 20):
        mid = (lo + hi) // 2
        reached, start, result = _near_perpendicular(mid, dim, max_cos)
        if reached:
            lo, best = mid, (mid, start, result)
        else:
            hi = mid
    return best


def _angles(unit: np.ndarray) -> np.ndarray:
    cos = np.clip(unit @ unit.T, -1.0, 1.0)
    return np.degrees(np.arccos(cos[np.triu_indices(len(unit), 1)]))


def superposition(dimensions: tuple[int, ...] = DIMENSIONS, tolerance_deg: float = TOLERANCE_DEG) -> dict[str, np.ndarray]:
    """How many nearly perpendicular directions fit as the dimension grows, from a real
    optimisation; with the largest dimension's vectors and their angles before and after."""
    max_cos = math.cos(math.radians(90.0 - tolerance_deg))
    counts, last = [], None
    for dim in dimensions:
        n, start, result = _most_vectors(dim, max_cos)
        counts.append(n)
        last = (start, result)
    start, result = last
    edges = np.arange(0.0, 181.0, 1.0)
    return {
        "dimensions": np.asarray(dimensions),
        "counts": np.asarray(counts),
        "tolerance_deg": np.asarray(tolerance_deg),
        "vectors": result.astype(np.float32),  # the largest dimension's optimised unit vectors
        "angle_edges": edges,
        "angles_before": np.histogram(_angles(start), edges)[0],  # random directions
        "angles_after": np.histogram(_angles(result), edges)[0],
    }
