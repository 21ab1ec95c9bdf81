"""Numpy's matrix products on one thread, for second computations over many small matrices."""

from __future__ import annotations

import contextlib


def one_blas_thread():
    """A context in which numpy's BLAS runs on one thread (when threadpoolctl is installed): for
    the digit network's small matrices threads mostly wait for each other, badly so on a busy
    machine (a full-batch gradient then takes several times longer)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
