"""Keep the repository's search index (SQL tables every process reads) in step with published shared materials.

A material is indexed from its published version: title, tags, description and the text of
its sections. Publication indexes through the `truongso_material_published` hook, archiving
removes the entry in the same transaction, and a change of a material's visibility, title,
description or tags re-syncs it when that change is committed (the listeners below), so an
owner who takes a material out of the shared repository takes it out of search at once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from content.materials.models import Material, MaterialSection, MaterialVersion, Visibility
from content.repository import tokens
from content.repository.models import MaterialReuse, RepositoryEntry, RepositoryPosting
from lms_core.db import utcnow

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
DESCRIPTION = -1  # the "section" of a body token found mostly in the description
TRACKED = ("visibility", "title", "description", "tags")  # what a save changes that the index holds
PENDING = "repository_pending"
BATCH = 200


@dataclass
class Document:
    """The tokens of one material's indexed text, per field, with each body token's best section."""

    fields: dict[str, Counter[str]]
    best_section: dict[str, int]
    length: float
    sha256: str

    def rows(self, material_id: int) -> list[dict[str, Any]]:
        """Return the postings of this document as rows to insert: one per token, field weights applied."""
        weighted: Counter[str] = Counter()
        for name, counts in self.fields.items():
            for token, n in counts.items():
                weighted[token] += FIELD_WEIGHTS[name] * n
        return [{"token": token, "material_id": material_id, "tf": tf, "section": self.best_section.get(token)}
                for token, tf in weighted.items()]


def build_document(*, title: str, tags: list[str], description: str, sections: list[tuple[int, str]],
                   version_id: int) -> Document:
    """Tokenise a material's indexed text (sections as (position, text) pairs)."""
    title_counts, title_len = tokens.count_tokens(title)
    tag_counts, tag_len = tokens.count_tokens(" , ".join(tags))  # a comma: no bigram across two tags
    body: Counter[str] = Counter()
    best: dict[str, tuple[int, int, int]] = {}  # token → (count in its best section, its length, position)
    body_len = 0
    fingerprint = hashlib.sha256(f"{tokens.VERSION}\x00{FIELD_WEIGHTS}\x00{version_id}\x00{title}\x00{tags}".encode())
    for position, text in [(DESCRIPTION, description), *sections]:
        fingerprint.update(f"\x00{position}\x00{text}".encode())
        counts, size = tokens.count_tokens(text)
        body_len += size
        body.update(counts)
        for token, n in counts.items():
            if (n, size) > best.get(token, (0, 0, 0))[:2]:  # on a tie the longer section: a heading says little
                best[token] = (n, size, position)
    length = (FIELD_WEIGHTS["title"] * title_len + FIELD_WEIGHTS["tags"] * tag_len + FIELD_WEIGHTS["body"] * body_len)
    return Document(fields={"title": title_counts, "tags": tag_counts, "body": body},
                    best_section={t: p for t, (_n, _len, p) in best.items()}, length=max(length, 1.0),
                    sha256=fingerprint.hexdigest())


def indexable(material: Material) -> bool:
    """Return whether a material belongs in the repository's index: shared and published."""
    return material.visibility == Visibility.shared and material.published_version_id is not None


def unindex(db: Session, material_id: int) -> bool:
    """Remove a material from the index (in the caller's transaction); return whether it was there."""
    db.execute(delete(RepositoryPosting).where(RepositoryPosting.material_id == material_id))
    gone = db.execute(delete(RepositoryEntry).where(RepositoryEntry.material_id == material_id))
    return bool(gone.rowcount)


def index_material(db: Session, material_id: int, *, force: bool = False) -> bool:
    """Bring one material's entry in line with the database (index, re-index or remove); return whether it changed."""
    # Writes in the caller's transaction; an entry whose text and version are unchanged is left alone.
    db.execute(select(Material.id).where(Material.id == material_id).with_for_update())  # one indexer per material
    material = db.get(Material, material_id)
    if material is None or not indexable(material):
        return unindex(db, material_id)
    version = db.get(MaterialVersion, material.published_version_id)
    sections = [(p, t) for p, t in db.execute(
        select(MaterialSection.position, MaterialSection.text)
        .where(MaterialSection.version_id == version.id).order_by(MaterialSection.position))]
    doc = build_document(title=material.title, tags=list(material.tags or []), description=material.description or "",
                         sections=sections, version_id=version.id)
    stored = db.execute(select(RepositoryEntry.version_id, RepositoryEntry.source_sha256)
                        .where(RepositoryEntry.material_id == material_id)).first()
    if stored is not None and tuple(stored) == (version.id, doc.sha256) and not force:
        return False
    unindex(db, material_id)
    rows = doc.rows(material_id)
    postings = insert(RepositoryPosting.__table__)  # Core, not the ORM's bulk path: a material has hundreds of rows
    for start in range(0, len(rows), 5000):
        db.connection().execute(postings, rows[start:start + 5000])
    reuses = db.scalar(select(func.count()).select_from(MaterialReuse).where(MaterialReuse.material_id == material_id))
    db.execute(insert(RepositoryEntry).values(
        material_id=material_id, version_id=version.id, length=doc.length, source_sha256=doc.sha256,
        published_at=version.status_changed_at, indexed_at=utcnow(), reuse_count=reuses or 0))
    return True


@dataclass(frozen=True)
class ReindexReport:
    """What a rebuild did."""

    indexed: int
    unchanged: int
    removed: int


def reindex_all(db: Session, *, progress: Callable[[int, int], None] | None = None,
                force: bool = False) -> ReindexReport:
    """Rebuild the index from the materials and their sections, committing every few hundred; safe to re-run."""
    wanted = select(Material.id).where(Material.visibility == Visibility.shared,
                                       Material.published_version_id.is_not(None))
    stale = list(db.scalars(select(RepositoryEntry.material_id).where(RepositoryEntry.material_id.not_in(wanted))))
    for material_id in stale:
        unindex(db, material_id)
    db.execute(delete(RepositoryPosting).where(RepositoryPosting.material_id.not_in(
        select(RepositoryEntry.material_id))))  # postings a crash left without their entry
    db.commit()
    ids = list(db.scalars(wanted.order_by(Material.id)))
    indexed = 0
    for done, material_id in enumerate(ids, start=1):
        indexed += index_material(db, material_id, force=force)
        if done % BATCH == 0 or done == len(ids):
            db.commit()
            if progress:
                progress(done, len(ids))
    return ReindexReport(indexed=indexed, unchanged=len(ids) - indexed, removed=len(stale))


def on_published(db: Session, material: Material) -> None:
    """Index a newly published material (or drop it if it is not shared) and commit."""
    if index_material(db, material.id):
        db.commit()


# --- saves of a material's fields re-sync its entry when they are committed -------------------

@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, Material) and obj.id is not None:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in TRACKED):
                session.info.setdefault(PENDING, set()).add(obj.id)


@event.listens_for(Session, "before_commit")
def _sync_changes(session: Session) -> None:
    session.flush()  # what the commit would flush next: its changes of materials are noted now
    if not session.info.get(PENDING):
        return
    for material_id in sorted(session.info.pop(PENDING, ())):
        index_material(session, material_id)
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, _previous: object) -> None:
    session.info.pop(PENDING, None)
