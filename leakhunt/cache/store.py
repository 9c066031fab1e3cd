"""The on-disk index cache: named sections of numpy arrays per input file.

An entry is keyed by the input's absolute path, size, modification time and a hash of its
first MiB, plus leakhunt's cache format version and a fingerprint of its own code. Each section (``graph``, ``dominators-devtools``,
``distances``) is a directory of ``.npy`` files and a ``meta.json`` written last, so a section
without a valid ``meta.json`` does not exist. Sections are written to a temporary directory and
renamed into place: readers never see half a section.

A section is trusted only when its metadata parses, names this format version and key, and
every array file has exactly the recorded size, shape, dtype and sampled checksum (64 spread
4 KiB blocks, so a cached run never rereads every byte). Anything else is treated as absent
and rebuilt.

Location: ``$LEAKHUNT_CACHE_DIR``, else ``$XDG_CACHE_HOME/leakhunt``, else ``~/.cache/leakhunt``.

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> dump = tmp / "a.heapsnapshot"; _ = dump.write_text("{}")
>>> entry = IndexCache(tmp / "cache").entry_for(str(dump))
>>> entry.load_section("demo") is None
True
>>> entry.store_section("demo", {"x": np.arange(5)}, {"note": "hi"})
>>> section = entry.load_section("demo")
>>> section.arrays["x"].tolist(), section.attrs["note"]
([0, 1, 2, 3, 4], 'hi')
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CACHE_FORMAT",
    "CacheEntry",
    "CacheEntryInfo",
    "CachedSection",
    "IndexCache",
    "default_cache_dir",
]

CACHE_FORMAT = 1
"""Bumped whenever what a section holds, or how, changes."""

_HEADER_BYTES = 1 << 20
_SAMPLES = 64
_SAMPLE_BYTES = 4096


def default_cache_dir() -> Path:
    """Where the cache lives unless told otherwise (see the module docstring)."""
    explicit = os.environ.get("LEAKHUNT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "leakhunt"


@functools.cache
def code_fingerprint() -> str:
    """A hash of leakhunt's own source files (names, sizes, modification times).

    Part of every cache key, so that results computed by another version of the code (an
    upgrade, or a working tree being edited) are never served.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        stat = source.stat()
        digest.update(f"{source.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _file_key(path: str) -> dict[str, Any]:
    stat = os.stat(path)
    with open(path, "rb") as stream:
        head = hashlib.sha256(stream.read(_HEADER_BYTES)).hexdigest()
    return {
        "path": os.path.abspath(path),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "head_sha256": head,
        "format": CACHE_FORMAT,
        "code": code_fingerprint(),
    }


def _sampled_checksum(path: Path) -> int:
    size = path.stat().st_size
    checksum = zlib.crc32(str(size).encode())
    with open(path, "rb") as stream:
        if size <= _SAMPLES * _SAMPLE_BYTES:
            return zlib.crc32(stream.read(), checksum)
        last = size - _SAMPLE_BYTES
        for index in range(_SAMPLES):
            stream.seek(last * index // (_SAMPLES - 1))
            checksum = zlib.crc32(stream.read(_SAMPLE_BYTES), checksum)
    return checksum


@dataclass(frozen=True, slots=True)
class CachedSection:
    """A section read back from the cache."""

    arrays: dict[str, npt.NDArray[Any]]
    """The arrays, memory-mapped read-only."""
    attrs: dict[str, Any]
    """The JSON attributes stored with them."""


class CacheEntry:
    """The cache entry of one input file."""

    def __init__(self, directory: Path, key: dict[str, Any]) -> None:
        self.directory = directory
        self.key = key
        self.bytes_written = 0
        """Bytes this process stored into the entry so far."""

    def load_section(self, name: str) -> CachedSection | None:
        """The section, or None when absent, stale or damaged (never raises for those)."""
        section = self.directory / name
        try:
            meta = json.loads((section / "meta.json").read_text())
            if meta.get("key") != self.key:
                return None
            arrays: dict[str, npt.NDArray[Any]] = {}
            for array_name, info in meta["arrays"].items():
                file = section / f"{array_name}.npy"
                if file.stat().st_size != info["bytes"] or _sampled_checksum(file) != info["crc"]:
                    return None
                array = np.load(file, mmap_mode="r", allow_pickle=False)
                if list(array.shape) != info["shape"] or str(array.dtype) != info["dtype"]:
                    return None
                # A plain ndarray view of the map: memmap's own indexing is slow per element.
                arrays[array_name] = array.view(np.ndarray)
            return CachedSection(arrays, dict(meta["attrs"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store_section(
        self, name: str, arrays: Mapping[str, npt.NDArray[Any]], attrs: Mapping[str, Any]
    ) -> None:
        """Write a section atomically; failures to write are silently skipped (a cache is optional)."""
        target = self.directory / name
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=self.directory))
        except OSError:
            return
        try:
            infos: dict[str, Any] = {}
            for array_name, array in arrays.items():
                file = staging / f"{array_name}.npy"
                np.save(file, np.ascontiguousarray(array), allow_pickle=False)
                infos[array_name] = {
                    "bytes": file.stat().st_size,
                    "crc": _sampled_checksum(file),
                    "shape": list(array.shape),
                    "dtype": str(array.dtype),
                }
            meta = {"key": self.key, "arrays": infos, "attrs": dict(attrs)}
            (staging / "meta.json").write_text(json.dumps(meta))
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
            self.bytes_written += _tree_size(target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)


_ENTRY_NAME = re.compile("[0-9a-f]{20}")


def _tree_size(directory: Path) -> int:
    total = 0
    for file in directory.rglob("*"):
        try:
            if file.is_file():
                total += file.stat().st_size
        except OSError:
            continue
    return total


@dataclass(frozen=True, slots=True)
class CacheEntryInfo:
    """One entry of the cache, as ``leakhunt cache list`` shows it."""

    directory: Path
    """Where it is stored."""
    input_path: str | None
    """The input file it was made from (None when no section says)."""
    size: int
    """Bytes on disk."""
    sections: tuple[str, ...]
    """Section names, sorted."""
    modified: float
    """Most recent modification time of its sections (seconds since the epoch)."""
    input_exists: bool
    """Whether the input file is still there."""


class IndexCache:
    """The cache directory; :meth:`entry_for` gives the entry of one input file."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_cache_dir()

    def entries(self) -> list[CacheEntryInfo]:
        """Every entry in the cache, largest first (unreadable ones included, as unknown).

        Only directories named as :meth:`entry_for` names them count, so a cache directory
        set to a folder holding other things never has those listed or cleared.
        """
        found: list[CacheEntryInfo] = []
        if not self.root.is_dir():
            return found
        for directory in sorted(self.root.iterdir()):
            if not (directory.is_dir() and _ENTRY_NAME.fullmatch(directory.name)):
                continue
            sections = sorted(p.name for p in directory.iterdir() if p.is_dir())
            input_path: str | None = None
            modified = 0.0
            for name in sections:
                meta_file = directory / name / "meta.json"
                try:
                    modified = max(modified, meta_file.stat().st_mtime)
                    input_path = input_path or str(json.loads(meta_file.read_text())["key"]["path"])
                except (OSError, ValueError, KeyError, TypeError):
                    continue
            found.append(
                CacheEntryInfo(
                    directory=directory,
                    input_path=input_path,
                    size=_tree_size(directory),
                    sections=tuple(s for s in sections if not s.startswith(".")),
                    modified=modified,
                    input_exists=input_path is not None and os.path.exists(input_path),
                )
            )
        found.sort(key=lambda e: (-e.size, str(e.directory)))
        return found

    def clear(self, inputs: list[str] | None = None) -> tuple[int, int]:
        """Remove every entry, or those made from ``inputs``; return (entries, bytes) freed."""
        wanted = None if inputs is None else {os.path.abspath(p) for p in inputs}
        removed = freed = 0
        for entry in self.entries():
            if wanted is not None and entry.input_path not in wanted:
                continue
            shutil.rmtree(entry.directory, ignore_errors=True)
            removed += 1
            freed += entry.size
        return removed, freed

    def entry_for(self, path: str) -> CacheEntry:
        """The entry for ``path`` as it is now (a changed file gets a fresh key)."""
        key = _file_key(path)
        digest = hashlib.sha256(key["path"].encode()).hexdigest()[:20]
        return CacheEntry(self.root / digest, key)
