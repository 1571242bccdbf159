"""The indexing pipeline: a published version's sections → chunks in the database → embeddings (cached) → a new
snapshot of its shard. The database is the source of truth; every step can be re-run and `rebuild` redoes all.

Which versions are indexed: every version that is or was published (status published or archived), so that a
course pinning an older published version still has its passages; a material deleted takes its chunks with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ai_tutor.chunking import Chunk, chunk_sections
from ai_tutor.embeddings import Embedder, embed, get_embedder, text_sha256
from ai_tutor.models import TutorChunk, TutorShard, shard_of
from ai_tutor.snapshots import BuildInput, write_snapshot
from ai_tutor.text import lexical_tokens
from content.ingest import Address, Section
from content.materials.models import Material, MaterialSection, MaterialVersion, VersionStatus
from lms_core.db import utcnow

log = logging.getLogger(__name__)

INDEXED_STATUSES = (VersionStatus.published, VersionStatus.archived)


@dataclass
class BuildReport:
    """What building one shard's snapshot did."""

    shard: str
    chunks: int
    embedded: int
    snapshot: str | None
    seconds: float


def _index_text(row: TutorChunk) -> str:
    return Chunk(position=row.position, text=row.text, heading_path=tuple(row.heading_path),
                 address=row.address).index_text()


def _bump(db: Session, shard: str) -> None:
    """Record that a shard's chunks changed (its snapshot is behind until the next build)."""
    if db.get(TutorShard, shard) is None:
        db.add(TutorShard(name=shard, generation=0))
        db.flush()
    db.execute(update(TutorShard).where(TutorShard.name == shard).values(
        generation=TutorShard.generation + 1, updated_at=utcnow()))


def chunk_version(db: Session, version: MaterialVersion) -> int:
    """Store the chunks of a version once (none for a version chunked already); return how many were added."""
    if db.scalar(select(func.count()).select_from(TutorChunk).where(TutorChunk.version_id == version.id)):
        return 0
    material = db.get(Material, version.material_id)
    rows = db.scalars(select(MaterialSection).where(MaterialSection.version_id == version.id)
                      .order_by(MaterialSection.position))
    sections = [Section(kind=s.kind, text=s.text, address=Address.from_dict(s.address or {})) for s in rows]
    chunks = chunk_sections(sections)
    shard = shard_of(material.school_id)
    for c in chunks:
        db.add(TutorChunk(material_id=material.id, version_id=version.id, shard=shard, position=c.position,
                          text=c.text, heading_path=list(c.heading_path), address=c.address,
                          text_sha256=text_sha256(c.index_text())))
    _bump(db, shard)
    db.flush()
    return len(chunks)


def build_shard(db: Session, shard: str, *, embedder: Embedder | None = None,
                after_write: Callable[[Path], None] | None = None) -> BuildReport:
    """Embed what the cache lacks and write a new snapshot of the shard; commit the cache and the shard's state."""
    started = time.perf_counter()
    embedder = embedder or get_embedder()
    state = db.get(TutorShard, shard)
    if state is None:
        state = TutorShard(name=shard, generation=0)
        db.add(state)
    generation = state.generation
    # end the transaction before encoding: on SQLite an open write would hold the lock for the whole encoding
    db.commit()
    rows = list(db.scalars(select(TutorChunk).where(TutorChunk.shard == shard).order_by(TutorChunk.id)))
    texts = [_index_text(r) for r in rows]
    vectors, embedded = embed(db, embedder, texts)
    db.commit()  # the embeddings are kept even if writing the files fails
    matrix = (np.stack([vectors[r.text_sha256] for r in rows]) if rows
              else np.zeros((0, embedder.dim), dtype=np.float32))
    name = write_snapshot(BuildInput(shard=shard, generation=generation, model=embedder.name,
                                     chunk_ids=np.array([r.id for r in rows], dtype=np.int64), vectors=matrix,
                                     tokens=[lexical_tokens(t) for t in texts]), after_write=after_write)
    if name is not None:
        db.execute(update(TutorShard).where(TutorShard.name == shard, TutorShard.built_generation < generation)
                   .values(built_generation=generation, chunks=len(rows), built_at=utcnow()))
        db.commit()
    return BuildReport(shard=shard, chunks=len(rows), embedded=embedded, snapshot=name,
                       seconds=time.perf_counter() - started)


def index_version(db: Session, version_id: int, *, embedder: Embedder | None = None) -> BuildReport | None:
    """Chunk a published version, then catch up (what publishing enqueues); return its shard's build, if any.

    Catching up chunks every other version still waiting too, so a burst of publications (a content pack installed)
    is embedded and built once by the first task, and the tasks after it find nothing left to do."""
    version = db.get(MaterialVersion, version_id)
    if version is None or version.status not in INDEXED_STATUSES:
        return None
    material = db.get(Material, version.material_id)
    shard = shard_of(material.school_id)
    _chunk_safely(db, version)
    reports = catch_up(db, embedder=embedder)
    done = next((r for r in reports if r.shard == shard), None)
    if done is not None:
        return done
    chunks = db.scalar(select(func.count()).select_from(TutorChunk).where(TutorChunk.shard == shard)) or 0
    return BuildReport(shard=shard, chunks=chunks, embedded=0, snapshot=None, seconds=0.0)


def _chunk_safely(db: Session, version: MaterialVersion) -> None:
    """Chunk a version and commit; another worker chunking it at the same moment is not an error."""
    try:
        chunk_version(db, version)
        db.commit()
    except IntegrityError:
        db.rollback()


def pending_versions(db: Session) -> list[int]:
    """Return the ids of published (or once published) versions that have no chunks yet."""
    chunked = select(TutorChunk.version_id).distinct()
    return list(db.scalars(select(MaterialVersion.id).where(
        MaterialVersion.status.in_(INDEXED_STATUSES), MaterialVersion.id.not_in(chunked)).order_by(MaterialVersion.id)))


def stale_shards(db: Session) -> list[str]:
    """Return the shards whose snapshot is older than their chunks."""
    return list(db.scalars(select(TutorShard.name).where(TutorShard.built_generation < TutorShard.generation)
                           .order_by(TutorShard.name)))


def catch_up(db: Session, *, embedder: Embedder | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> list[BuildReport]:
    """Chunk every published version that lacks chunks, then rebuild every shard that is behind."""
    versions = pending_versions(db)
    for n, version_id in enumerate(versions, start=1):
        _chunk_safely(db, db.get(MaterialVersion, version_id))
        if progress:
            progress("chunk", n, len(versions))
    shards = stale_shards(db)
    reports = []
    for n, shard in enumerate(shards, start=1):
        reports.append(build_shard(db, shard, embedder=embedder))
        if progress:
            progress("build", n, len(shards))
    return reports


def rebuild(db: Session, *, embedder: Embedder | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> list[BuildReport]:
    """Rebuild every shard's snapshot from the database (chunking what lacks chunks first)."""
    catch_up(db, embedder=embedder, progress=progress)
    shards = list(db.scalars(select(TutorShard.name).order_by(TutorShard.name)))
    reports = []
    for n, shard in enumerate(shards, start=1):
        db.execute(update(TutorShard).where(TutorShard.name == shard).values(generation=TutorShard.generation + 1))
        db.commit()
        reports.append(build_shard(db, shard, embedder=embedder))
        if progress:
            progress("build", n, len(shards))
    return reports


def mark_missing_snapshots(db: Session) -> list[str]:
    """Mark shards whose snapshot is missing or unreadable on disk as behind, so the catch-up rebuilds them."""
    from ai_tutor.snapshots import index_root, load_snapshot, read_pointer

    marked = []
    for state in db.scalars(select(TutorShard).order_by(TutorShard.name)):
        shard_dir = index_root() / state.name
        name = read_pointer(shard_dir)
        try:
            if name is None:
                raise FileNotFoundError(shard_dir)
            load_snapshot(shard_dir, name)
        except Exception:
            state.built_generation = -1
            marked.append(state.name)
    db.commit()
    return marked
