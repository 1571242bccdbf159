"""Index snapshots: FAISS and BM25 written together and switched atomically; readers pick up a new snapshot without a
restart; an older build never replaces a newer one; a build killed half-way leaves the previous snapshot serving;
a deleted or damaged snapshot is reported for a rebuild while the last good one keeps serving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ai_tutor import snapshots
from ai_tutor.snapshots import BuildInput, SnapshotCache, index_root, read_pointer, write_snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path: Path, monkeypatch) -> Path:  # noqa: ANN001
    """Give each test an index directory of its own."""
    from lms_core.settings import get_settings

    monkeypatch.setattr(get_settings(), "tutor_index_dir", tmp_path / "index")
    return tmp_path / "index"


def _vectors(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _input(generation: int, ids: list[int], tokens: list[list[str]], shard: str = "shared") -> BuildInput:
    return BuildInput(shard=shard, generation=generation, model="test-model", chunk_ids=np.array(ids, dtype=np.int64),
                      vectors=_vectors(len(ids)), tokens=tokens)


TOKENS = [["chè", "che", "tân", "tan", "cương", "cuong"], ["sao", "chè", "che", "chảo"], ["trà", "tra", "xanh"],
          ["ohm", "điện", "dien", "trở", "tro"]]


def test_a_snapshot_is_searched_only_inside_the_allowed_chunks() -> None:
    name = write_snapshot(_input(1, [11, 12, 13, 14], TOKENS))
    snap, stale = SnapshotCache().get("shared")
    assert snap.name == name and not stale and snap.size == 4
    assert {c for c, _ in snap.lexical_search(["che"], None, 10)} == {11, 12}
    rows = snap.rows_of({12, 14})
    assert {c for c, _ in snap.lexical_search(["che"], rows, 10)} == {12}
    assert {c for c, _ in snap.dense_search(_vectors(4)[0], rows, 10)} == {12, 14}
    assert snap.dense_search(_vectors(4)[0], snap.rows_of(set()), 10) == []
    # exact cosine: the chunk whose own vector is the query comes first
    assert snap.dense_search(_vectors(4)[2], None, 1)[0][0] == 13


def test_readers_pick_up_a_new_snapshot_and_an_older_build_never_wins() -> None:
    cache = SnapshotCache()
    first = write_snapshot(_input(1, [1, 2], TOKENS[:2]))
    assert cache.get("shared")[0].name == first
    second = write_snapshot(_input(3, [1, 2, 3], TOKENS[:3]))
    assert cache.get("shared")[0].name == second and cache.get("shared")[0].size == 3
    assert write_snapshot(_input(2, [1], TOKENS[:1])) is None  # generation 2 started before 3 was written
    assert read_pointer(index_root() / "shared") == second


def test_an_empty_shard_has_a_snapshot_that_finds_nothing() -> None:
    write_snapshot(_input(1, [], []))
    snap, stale = SnapshotCache().get("shared")
    assert not stale and snap.size == 0 and snap.lexical_search(["che"], None, 5) == []


def test_a_deleted_or_damaged_snapshot_asks_for_a_rebuild_and_the_last_good_one_serves() -> None:
    cache = SnapshotCache()
    name = write_snapshot(_input(1, [1, 2], TOKENS[:2]))
    assert cache.get("shared") == (cache.get("shared")[0], False)
    shard_dir = index_root() / "shared"
    second = write_snapshot(_input(2, [1, 2, 3], TOKENS[:3]))
    (shard_dir / second / "dense.faiss").write_bytes(b"not an index")
    snap, stale = cache.get("shared")
    assert stale and snap.name == name  # damaged: the one loaded before still answers
    shutil.rmtree(shard_dir)
    snap, stale = cache.get("shared")
    assert stale and snap.name == name
    assert SnapshotCache().get("shared") == (None, True)  # a process that never loaded one has nothing


BUILDER = textwrap.dedent("""
    import sys, time, numpy as np
    from pathlib import Path
    from lms_core.settings import get_settings
    get_settings().tutor_index_dir = Path(sys.argv[1])
    from ai_tutor.snapshots import BuildInput, write_snapshot
    def stall(path):
        Path(sys.argv[2]).write_text(str(path))
        time.sleep(60)
    v = np.eye(3, 8, dtype=np.float32)
    write_snapshot(BuildInput("shared", 5, "m", np.array([7, 8, 9]), v, [["a"], ["b"], ["c"]]), after_write=stall)
""")


def test_a_build_killed_half_way_leaves_the_previous_snapshot_serving(own_index_dir: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:  # noqa: ANN001
    previous = write_snapshot(_input(1, [1, 2], TOKENS[:2]))
    marker = tmp_path / "written"
    proc = subprocess.Popen([sys.executable, "-c", BUILDER, str(own_index_dir), str(marker)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), "the builder never reached the point between its files and the switch"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    shard_dir = own_index_dir / "shared"
    assert read_pointer(shard_dir) == previous
    assert Path(marker.read_text()).exists()  # the killed build's files are there, never made current
    snap, stale = SnapshotCache().get("shared")
    assert snap.name == previous and not stale and snap.size == 2
    # the next build takes the lock the killed process held, and the leftovers go once old
    monkeypatch.setattr(snapshots, "KEEP_OLD_SECONDS", 0)
    newer = write_snapshot(_input(6, [1, 2, 3], TOKENS[:3]))
    assert read_pointer(shard_dir) == newer
    assert not Path(marker.read_text()).exists()
