"""The test suite's own promise: ``./dev test`` keeps a group of tests in one worker.

A chapter's scene, join and screen tests share the scenes one worker builds, and a file's tests
share its fixtures (a trained network, a cluster, a rendered chapter) (``tests/conftest.py``).
When the groups silently stopped holding, every worker built everything again and the suite
took twice as long; this runs a small suite the way ``./dev test`` does and reads which worker
ran each test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_group_runs_in_one_worker():
    """tests/test_palette.py is one group: its 16 tests, on two workers, all run in one."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                           "tests/test_palette.py"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ran = re.findall(r"^\[(gw\d+)\] \[ *\d+%\] PASSED tests/test_palette\.py::", proc.stdout, re.M)
    assert len(ran) >= 10, proc.stdout  # every test of the file reported, with its worker
    assert len(set(ran)) == 1, f"the group was split over workers {sorted(set(ran))}:\n{proc.stdout}"
