"""Index snapshots: FAISS (dense) and BM25 (lexical) of one shard, written together into a versioned directory and
switched by an atomic rename of a pointer file.

Layout, under `tutor_index_dir` (default var/tutor_index/):
```
<shard>/snap-<generation>-<random>/   dense.faiss, ids.npy, bm25/ (bm25s files), meta.json
<shard>/CURRENT                       the name of the snapshot in use (replaced atomically, fsynced)
```
A build writes everything into a hidden directory, fsyncs it, renames it to its final name, and only then replaces
CURRENT (write CURRENT.tmp, fsync, `os.replace`, fsync the directory). A process killed at any point leaves CURRENT
naming the previous complete snapshot. Builds of one shard are serialised by a lock file, and a build never replaces
a snapshot of a newer generation (a slower build that started earlier loses). Readers check CURRENT on every search
(one small read), so every web and worker process picks up a new snapshot without a restart.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lms_core.settings import get_settings

log = logging.getLogger(__name__)

POINTER = "CURRENT"
FORMAT = 1
KEEP_OLD_SECONDS = 120  # an old snapshot stays this long, for a process still loading it


def index_root() -> Path:
    """Return the directory holding every shard's snapshots."""
    settings = get_settings()
    root = settings.tutor_index_dir or settings.resolved_var_dir / "tutor_index"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
        else:
            _fsync_dir(p)
    _fsync_dir(path)


@contextmanager
def shard_lock(shard_dir: Path) -> Iterator[None]:
    """Hold the shard's build lock (one build of a shard at a time, across processes)."""
    shard_dir.mkdir(parents=True, exist_ok=True)
    with (shard_dir / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_pointer(shard_dir: Path) -> str | None:
    """Return the name of the shard's current snapshot, or None when it has none."""
    try:
        name = (shard_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def _generation_of(shard_dir: Path, name: str | None) -> int:
    if not name:
        return -1
    try:
        return int(json.loads((shard_dir / name / "meta.json").read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError):
        return -1


@dataclass
class BuildInput:
    """What a snapshot holds: chunk ids, their vectors (rows in the same order) and their lexical tokens."""

    shard: str
    generation: int
    model: str
    chunk_ids: np.ndarray      # int64
    vectors: np.ndarray        # float32, n × dim, L2-normalised
    tokens: list[list[str]]


def write_snapshot(data: BuildInput, *, after_write: Callable[[Path], None] | None = None) -> str | None:
    """Write a snapshot and make it current unless a newer generation is current; return its name or None."""
    import bm25s
    import faiss

    shard_dir = index_root() / data.shard
    with shard_lock(shard_dir):
        current = read_pointer(shard_dir)
        if _generation_of(shard_dir, current) > data.generation:
            return None
        name = f"snap-{data.generation:08d}-{uuid.uuid4().hex[:8]}"
        building = shard_dir / f".building-{name}"
        building.mkdir()
        try:
            np.save(building / "ids.npy", data.chunk_ids.astype(np.int64))
            dim = data.vectors.shape[1] if data.vectors.size else 0
            if len(data.chunk_ids):
                index = faiss.IndexFlatIP(dim)
                index.add(data.vectors)
                faiss.write_index(index, str(building / "dense.faiss"))
                bm25 = bm25s.BM25()
                bm25.index([t or [""] for t in data.tokens], show_progress=False)
                bm25.save(str(building / "bm25"), show_progress=False)
            meta = {"format": FORMAT, "shard": data.shard, "generation": data.generation, "model": data.model,
                    "chunks": int(len(data.chunk_ids)), "dim": int(dim), "created_at": time.time()}
            (building / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            if after_write is not None:  # tests stop a build here, between the files and the switch
                after_write(building)
            _fsync_tree(building)
            os.rename(building, shard_dir / name)
            _fsync_dir(shard_dir)
            tmp = shard_dir / f"{POINTER}.tmp"
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(name)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, shard_dir / POINTER)
            _fsync_dir(shard_dir)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        _clean(shard_dir, keep={name, current})
    return name


def _clean(shard_dir: Path, keep: set[str | None]) -> None:
    """Remove snapshots other than the current and previous ones, and leftovers of killed builds, once old."""
    now = time.time()
    for path in shard_dir.iterdir():
        if not path.is_dir() or path.name in keep:
            continue
        if path.name.startswith(("snap-", ".building-")) and now - path.stat().st_mtime > KEEP_OLD_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class Snapshot:
    """A snapshot loaded in memory: search it by dense vector or by lexical tokens, limited to allowed chunks."""

    shard: str
    name: str
    generation: int
    model: str
    chunk_ids: np.ndarray
    dense: Any | None
    bm25: Any | None

    @property
    def size(self) -> int:
        """Return how many chunks the snapshot holds."""
        return int(len(self.chunk_ids))

    def rows_of(self, allowed: set[int] | None) -> np.ndarray | None:
        """Return the row numbers of the allowed chunk ids (None: every row)."""
        if allowed is None:
            return None
        return np.flatnonzero(np.isin(self.chunk_ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed))))

    def dense_search(self, vector: np.ndarray, rows: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        """Return up to k (chunk id, cosine) among the given rows, best first: exact, whatever the rows."""
        import faiss

        if self.dense is None or (rows is not None and not len(rows)):
            return []
        k = min(k, self.size if rows is None else len(rows))
        params = None if rows is None else faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows.astype(np.int64)))
        scores, found = self.dense.search(vector.reshape(1, -1).astype(np.float32), k, params=params)
        return [(int(self.chunk_ids[r]), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0]

    def lexical_search(self, tokens: list[str], rows: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        """Return up to k (chunk id, BM25 score > 0) among the given rows, best first."""
        if self.bm25 is None or not tokens or (rows is not None and not len(rows)):
            return []
        scores = self.bm25.get_scores(tokens)
        candidates = np.arange(self.size) if rows is None else rows
        picked = candidates[scores[candidates] > 0]
        if not len(picked):
            return []
        top = picked[np.argsort(-scores[picked], kind="stable")[:k]]
        return [(int(self.chunk_ids[r]), float(scores[r])) for r in top]


def load_snapshot(shard_dir: Path, name: str) -> Snapshot:
    """Load a snapshot's files; raise when they are missing or damaged."""
    import bm25s
    import faiss

    path = shard_dir / name
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"unknown snapshot format in {path}")
    ids = np.load(path / "ids.npy", allow_pickle=False)
    dense = bm25 = None
    if meta["chunks"]:
        dense = faiss.read_index(str(path / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
        if dense.ntotal != len(ids) or len(ids) != meta["chunks"]:
            raise ValueError(f"snapshot {path} does not add up")
    return Snapshot(shard=meta["shard"], name=name, generation=int(meta["generation"]), model=meta["model"],
                    chunk_ids=ids, dense=dense, bm25=bm25)


class SnapshotCache:
    """The snapshots this process has loaded, refreshed when a shard's pointer names a new one."""

    def __init__(self) -> None:
        self._loaded: dict[str, Snapshot] = {}
        self._lock = threading.Lock()

    def get(self, shard: str) -> tuple[Snapshot | None, bool]:
        """Return the shard's current snapshot (or the last good one) and whether the shard needs a rebuild."""
        shard_dir = index_root() / shard
        name = read_pointer(shard_dir)
        with self._lock:
            held = self._loaded.get(shard)
            if name is None:
                return held, True
            if held is not None and held.name == name:
                return held, False
            try:
                snapshot = load_snapshot(shard_dir, name)
            except Exception:
                log.exception("tutor index snapshot %s/%s cannot be loaded", shard, name)
                return held, True
            self._loaded[shard] = snapshot
            return snapshot, False

    def forget(self) -> None:
        """Drop every loaded snapshot (tests)."""
        with self._lock:
            self._loaded.clear()


CACHE = SnapshotCache()
