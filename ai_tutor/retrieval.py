"""Retrieval: the passages of the materials a student may see in a course, found by dense and lexical search and
fused.

Visibility first: the allowed chunks are those of the material versions the course's open lessons pin (narrowed
by the teacher's policy), selected in SQL; both searches run *inside* that set (FAISS with an id selector, BM25
scores read only at the allowed rows), so a passage of another class's private material can never come back, and a
small visible set loses no recall to a global top-k that a filter would thin out afterwards.

Fusion: weighted reciprocal-rank fusion, the weight of each side chosen by the question's language. The default
embedding model is English-only and strips Vietnamese diacritics, so on Vietnamese questions plain RRF (equal
weights) falls below BM25 alone; bench/tutor.py measures dense, lexical, plain RRF and the weighted fusion on the
packs' evaluation questions, and the weights below are the ones it chose (see the closing figures there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ai_tutor.embeddings import Embedder, get_embedder
from ai_tutor.models import TutorChunk
from ai_tutor.snapshots import CACHE, SnapshotCache
from ai_tutor.text import detect_language, has_diacritics, lexical_tokens
from content.materials.models import Material
from lms_core.courses.models import Activity, Lesson
from lms_core.db import utcnow

CANDIDATES = 50   # per side and shard, before fusion
RRF_K = 60
# (lexical weight, dense weight) of the z-score fusion by the question's language, "vi_plain" being Vietnamese typed
# without diacritics. Chosen with bench/tutor.py: on XQuAD-en the dense side helps up to about 0.9; on Vietnamese
# the English-only model adds little (XQuAD-vi +0.002 MRR@10 at 0.03-0.25, the packs' questions nothing) and hurts
# unaccented questions, so it gets a token weight there and none without diacritics.
WEIGHTS = {"vi": (1.0, 0.03), "vi_plain": (1.0, 0.0), "en": (1.0, 0.8), "other": (1.0, 0.5)}


@dataclass
class Hit:
    """A retrieved chunk with what a citation and an answer need."""

    chunk_id: int
    material_id: int
    version_id: int
    title: str
    heading_path: list[str]
    address: dict
    text: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # "dense"/"lexical" → 1-based rank


@dataclass
class Retrieved:
    """The hits of a question, and whether part of the index is being rebuilt (answers may be incomplete)."""

    hits: list[Hit]
    rebuilding: bool
    language: str


def course_versions(db: Session, course_id: int, *, material_ids: Iterable[int] | None = None,
                    now: datetime | None = None) -> dict[int, int]:
    """Return {version id: material id} of the materials pinned by the course's open activities (and policy)."""
    now = now or utcnow()
    rows = db.execute(select(Activity.settings).join(Lesson, Lesson.id == Activity.lesson_id).where(
        Activity.course_id == course_id,
        or_(Lesson.opens_at.is_(None), Lesson.opens_at <= now),
        or_(Activity.opens_at.is_(None), Activity.opens_at <= now)))
    wanted = set(material_ids) if material_ids is not None else None
    out: dict[int, int] = {}
    for (settings,) in rows:
        version_id, material_id = (settings or {}).get("version_id"), (settings or {}).get("material_id")
        if isinstance(version_id, int) and isinstance(material_id, int) and (wanted is None or material_id in wanted):
            out[version_id] = material_id
    return out


def _rrf(ranked: list[tuple[int, float]]) -> dict[int, tuple[int, float]]:
    return {chunk_id: (rank, 1.0 / (RRF_K + rank)) for rank, (chunk_id, _) in enumerate(ranked, start=1)}


def fuse(dense: list[tuple[int, float]], lexical: list[tuple[int, float]], weights: tuple[float, float],
         ) -> list[tuple[int, float, dict[str, int]]]:
    """Return (chunk id, fused score, ranks) by weighted reciprocal-rank fusion, best first."""
    w_lex, w_dense = weights
    d, lx = _rrf(dense), _rrf(lexical)
    out = []
    for chunk_id in set(d) | set(lx):
        score = w_dense * d.get(chunk_id, (0, 0.0))[1] + w_lex * lx.get(chunk_id, (0, 0.0))[1]
        ranks = {name: side[chunk_id][0] for name, side in (("dense", d), ("lexical", lx)) if chunk_id in side}
        out.append((chunk_id, score, ranks))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


@dataclass
class Candidates:
    """Both sides' best chunks for a question inside the allowed set, before fusion."""

    dense: list[tuple[int, float]]
    lexical: list[tuple[int, float]]
    language: str
    rebuilding: bool
    plain: bool = False  # Vietnamese typed without diacritics

    @property
    def weights(self) -> tuple[float, float]:
        """Return the fusion weights for this question's language."""
        key = "vi_plain" if self.language == "vi" and self.plain else self.language
        return WEIGHTS.get(key, WEIGHTS["other"])


def candidates(db: Session, *, version_ids: Iterable[int], question: str, sides: tuple[str, ...] = ("dense", "lexical"),
               embedder: Embedder | None = None, cache: SnapshotCache = CACHE, per_side: int = CANDIDATES,
               ) -> Candidates:
    """Return the dense and lexical candidates of a question among the chunks of the given versions."""
    language = detect_language(question)
    plain = not has_diacritics(question)
    versions = sorted(set(version_ids))
    if not versions or not question.strip():
        return Candidates([], [], language, False, plain)
    by_shard: dict[str, set[int]] = {}
    for chunk_id, shard in db.execute(select(TutorChunk.id, TutorChunk.shard).where(
            TutorChunk.version_id.in_(versions))):
        by_shard.setdefault(shard, set()).add(chunk_id)
    rebuilding = not by_shard
    dense: list[tuple[int, float]] = []
    lexical: list[tuple[int, float]] = []
    tokens = lexical_tokens(question)
    vector = None
    for shard, allowed in sorted(by_shard.items()):
        snapshot, stale = cache.get(shard)
        rebuilding |= stale
        if snapshot is None:
            continue
        rows = snapshot.rows_of(allowed)
        if len(rows) < len(allowed):
            rebuilding = True  # chunks newer than the snapshot: the worker is on its way
        if "dense" in sides:
            if vector is None:
                vector = (embedder or get_embedder()).encode([question])[0]
            dense += snapshot.dense_search(vector, rows, per_side)
        if "lexical" in sides:
            lexical += snapshot.lexical_search(tokens, rows, per_side)
    dense.sort(key=lambda t: -t[1])
    lexical.sort(key=lambda t: -t[1])
    return Candidates(dense[:per_side], lexical[:per_side], language, rebuilding, plain)


def _z(side: list[tuple[int, float]]) -> dict[int, float]:
    if not side:
        return {}
    scores = np.array([s for _, s in side], dtype=np.float64)
    std = float(scores.std()) or 1.0
    return {c: (s - float(scores.mean())) / std for c, s in side}


def fuse_zscore(dense: list[tuple[int, float]], lexical: list[tuple[int, float]], weights: tuple[float, float],
                ) -> list[tuple[int, float, dict[str, int]]]:
    """Return (chunk id, fused score, ranks) by a weighted sum of each side's z-scores, best first.

    A chunk one side did not return gets that side's lowest z-score (it ranked below every candidate there)."""
    w_lex, w_dense = weights
    zd, zl = _z(dense), _z(lexical)
    floor_d, floor_l = min(zd.values(), default=0.0), min(zl.values(), default=0.0)
    ranks_d = {c: r for r, (c, _) in enumerate(dense, start=1)}
    ranks_l = {c: r for r, (c, _) in enumerate(lexical, start=1)}
    out = []
    for chunk_id in set(zd) | set(zl):
        score = w_dense * zd.get(chunk_id, floor_d) + w_lex * zl.get(chunk_id, floor_l)
        ranks = {name: side[chunk_id] for name, side in (("dense", ranks_d), ("lexical", ranks_l)) if chunk_id in side}
        out.append((chunk_id, score, ranks))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def fused(found: Candidates, mode: str = "hybrid", weights: tuple[float, float] | None = None,
          ) -> list[tuple[int, float, dict[str, int]]]:
    """Return the candidates ranked by one method: dense, lexical, rrf (equal weights) or hybrid (the default)."""
    if mode == "dense":
        return [(c, s, {"dense": r}) for r, (c, s) in enumerate(found.dense, start=1)]
    if mode == "lexical":
        return [(c, s, {"lexical": r}) for r, (c, s) in enumerate(found.lexical, start=1)]
    if mode == "rrf":
        return fuse(found.dense, found.lexical, (1.0, 1.0))
    return FUSION(found.dense, found.lexical, weights or found.weights)


def search(db: Session, *, version_ids: Iterable[int], question: str, k: int = 5, mode: str = "hybrid",
           embedder: Embedder | None = None, cache: SnapshotCache = CACHE,
           weights: tuple[float, float] | None = None) -> Retrieved:
    """Return the best k passages of the given versions for a question (mode: hybrid, rrf, dense or lexical)."""
    sides = {"dense": ("dense",), "lexical": ("lexical",)}.get(mode, ("dense", "lexical"))
    found = candidates(db, version_ids=version_ids, question=question, sides=sides, embedder=embedder, cache=cache)
    return Retrieved(_hits(db, fused(found, mode, weights)[:k]), found.rebuilding, found.language)


def _hits(db: Session, fused: list[tuple[int, float, dict[str, int]]]) -> list[Hit]:
    if not fused:
        return []
    ids = [c for c, _, _ in fused]
    rows = {r.id: r for r in db.scalars(select(TutorChunk).where(TutorChunk.id.in_(ids)))}
    titles = dict(db.execute(select(Material.id, Material.title).where(
        Material.id.in_({r.material_id for r in rows.values()}))).all())
    return [Hit(chunk_id=c, material_id=rows[c].material_id, version_id=rows[c].version_id,
                title=titles.get(rows[c].material_id, ""), heading_path=list(rows[c].heading_path),
                address=dict(rows[c].address), text=rows[c].text, score=s, ranks=ranks)
            for c, s, ranks in fused if c in rows]


FUSION = fuse_zscore  # chosen by bench/tutor.py over weighted RRF (see the module docstring)
