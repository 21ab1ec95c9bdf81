"""Self-describing artifact folders: what training writes and what scenes read.

An artifact is a folder under ``assets/cache/<name>/`` holding array files
(``.npz`` written without pickle) and a ``manifest.json`` that describes them::

    {
      "format": "nn-explainer-artifact", "format_version": 1,
      "name": "digits", "config": {...}, "key": "<sha256 of config + code + deps>",
      "metrics": {...}, "files": {"weights.npz": "<sha256>", ...}
    }

A reader checks the format, the key it expects and every file's hash, so a
truncated, corrupt, foreign or stale artifact is refused with :class:`ArtifactError`
rather than silently used. Writers go through :func:`atomic_write` so an
interrupted run never leaves a half-written file under a final name.

This module needs only numpy: scenes import it without importing torch.

Example::

    art = load_artifact("digits")
    weights = art.arrays("weights.npz")
    print(art.metrics["test_accuracy"])
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

__all__ = [
    "ARTIFACT_FORMAT",
    "FORMAT_VERSION",
    "PROJECT_ROOT",
    "Artifact",
    "ArtifactError",
    "ArtifactMissing",
    "NumericsError",
    "atomic_write",
    "cache_dir",
    "derive_seed",
    "file_sha256",
    "load_artifact",
    "reproducible",
    "save_npz",
    "set_seed",
    "stable_hash",
    "torch_threads",
    "write_artifact",
]

ARTIFACT_FORMAT = "nn-explainer-artifact"
FORMAT_VERSION = 1
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ArtifactError(RuntimeError):
    """An artifact is missing, stale, corrupt or not ours. The message says how to fix it."""


class ArtifactMissing(ArtifactError):
    """The artifact was never built (as opposed to built but unusable)."""


def cache_dir() -> Path:
    """The folder holding all artifacts; ``NN_EXPLAINER_CACHE`` overrides it (tests use this)."""
    override = os.environ.get("NN_EXPLAINER_CACHE")
    return Path(override) if override else PROJECT_ROOT / "assets" / "cache"


# ----------------------------------------------------------------------------- seeds


def set_seed(seed: int) -> None:
    """Seed Python's, numpy's and (if loaded) torch's global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:  # scenes run without torch
        return
    torch.manual_seed(seed)


def derive_seed(*names: object) -> int:
    """A 63-bit seed from names; stable across processes (unlike the salted ``hash()``)."""
    digest = hashlib.sha256("/".join(map(str, names)).encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class NumericsError(RuntimeError):
    """torch was loaded before ``models`` could choose its machine-independent numerics."""


@contextmanager
def reproducible(threads: int = 2) -> Iterator[None]:
    """Run torch so that its numbers do not depend on the machine: a fixed thread count, oneDNN
    off, and the CPU-independent kernels ``models/__init__.py`` chose before torch loaded
    (refused with :class:`NumericsError` if torch was loaded first)."""
    import torch

    from models import NUMERICS

    if torch.backends.cpu.get_cpu_capability() != "DEFAULT":
        raise NumericsError(
            f"torch runs with its {torch.backends.cpu.get_cpu_capability()} kernels, so trained numbers would depend on "
            f"this machine's CPU. Fix: import `models` before torch, or set "
            + " ".join(f"{k}={v}" for k, v in NUMERICS.items()) + " in the environment"
        )
    enabled = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = False  # oneDNN picks kernels by CPU too
    try:
        with torch_threads(threads):
            yield
    finally:
        torch.backends.mkldnn.enabled = enabled


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run torch with exactly ``n`` threads inside the block (results can depend on the count),
    then restore the previous setting."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def stable_hash(obj: Any) -> str:
    """sha256 of a JSON-serialisable object, independent of key order."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------------- writing


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Save arrays as a compressed ``.npz`` (no object arrays, so it loads without pickle)."""
    for key, value in arrays.items():
        if np.asarray(value).dtype == object:
            raise TypeError(f"array {key!r} has dtype object; artifacts hold numbers only")
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    atomic_write(path, buf.getvalue())


def write_artifact(
    name: str,
    key: str,
    config: Mapping[str, Any],
    files: Mapping[str, Mapping[str, np.ndarray]],
    metrics: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> "Artifact":
    """Write every array file, then the manifest last: a manifest exists only for complete data."""
    folder = cache_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    old_manifest = folder / "manifest.json"
    # Invalidate first: if we die between files, no manifest vouches for a mixed set.
    old_manifest.unlink(missing_ok=True)
    hashes = {}
    for filename, arrays in files.items():
        save_npz(folder / filename, arrays)
        hashes[filename] = file_sha256(folder / filename)
    manifest = {
        "format": ARTIFACT_FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name,
        "key": key,
        "config": dict(config),
        "metrics": dict(metrics),
        "files": hashes,
        **(dict(extra) if extra else {}),
    }
    atomic_write(old_manifest, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return Artifact(folder, manifest)


# ----------------------------------------------------------------------------- reading


@dataclass
class Artifact:
    """A verified artifact folder: its manifest and lazy access to its arrays."""

    folder: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.manifest["name"]

    @property
    def key(self) -> str:
        return self.manifest["key"]

    @property
    def config(self) -> dict:
        return self.manifest["config"]

    @property
    def metrics(self) -> dict:
        return self.manifest["metrics"]

    def arrays(self, filename: str) -> dict[str, np.ndarray]:
        """All arrays of one file, loaded without pickle."""
        if filename not in self.manifest["files"]:
            raise ArtifactError(
                f"artifact {self.name!r} has no file {filename!r} "
                f"(it has {sorted(self.manifest['files'])})"
            )
        with np.load(self.folder / filename, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}


def load_artifact(name: str, expected_key: str | None = None, verify: bool = True) -> Artifact:
    """Open and check artifact ``name``; raise :class:`ArtifactError` naming the fix if unusable."""
    folder = cache_dir() / name
    fix = "run `python render.py train` to rebuild it"
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ArtifactMissing(f"artifact {name!r} is missing ({manifest_path}); run `python render.py train`")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"artifact {name!r}: manifest is unreadable ({exc}); {fix}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARTIFACT_FORMAT:
        raise ArtifactError(f"artifact {name!r}: {manifest_path} is not a manifest of this project; {fix}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"artifact {name!r}: format version {manifest.get('format_version')!r}, "
            f"this code reads version {FORMAT_VERSION}; {fix}"
        )
    if manifest.get("name") != name:
        raise ArtifactError(f"artifact {name!r}: manifest names {manifest.get('name')!r}; {fix}")
    if expected_key is not None and manifest.get("key") != expected_key:
        raise ArtifactError(f"artifact {name!r} was built from another config or code version; {fix}")
    if verify:
        for filename, digest in manifest.get("files", {}).items():
            path = folder / filename
            if not path.exists():
                raise ArtifactError(f"artifact {name!r}: file {filename} is missing; {fix}")
            if file_sha256(path) != digest:
                raise ArtifactError(f"artifact {name!r}: file {filename} is corrupt or was changed; {fix}")
    return Artifact(folder, manifest)
