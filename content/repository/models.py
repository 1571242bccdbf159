"""ORM classes of the shared repository: its search index (entries and postings) and recorded reuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_core.db import Base, UTCDateTime, utcnow


class RepositoryEntry(Base):
    """A published shared-repository material as the index holds it (one row per material, derived data)."""

    __tablename__ = "repository_entries"
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="CASCADE"), index=True)
    length: Mapped[float] = mapped_column(Float)  # field-weighted number of syllables, for BM25's length norm
    source_sha256: Mapped[str] = mapped_column(String(64))  # of the indexed text and tokenizer: unchanged → skip
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reuse_count: Mapped[int] = mapped_column(Integer, default=0)


class RepositoryPosting(Base):
    """How much a token weighs in one indexed material (its counts per field times the field weights).

    One row per token and material, the field weights folded in at indexing (BM25F), so a query
    reads each posting once with no grouping; on SQLite the table is clustered by token."""

    __tablename__ = "repository_postings"
    __table_args__ = (Index("ix_repository_postings_material_id", "material_id"), {"sqlite_with_rowid": False})
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True)
    tf: Mapped[float] = mapped_column(Float)  # Σ over title, tags and body of count × field weight
    section: Mapped[int | None] = mapped_column(Integer)  # where it occurs most in the body; -1 the description


class MaterialReuse(Base):
    """A teacher pinning a published version of a shared material for their own teaching (once per version)."""

    __tablename__ = "material_reuses"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purpose: Mapped[str] = mapped_column(String(200), default="")


class CourseMaterial(Base):
    """A material version a course uses in its lessons: its students may read that version through the course."""

    __tablename__ = "course_materials"
    __table_args__ = (UniqueConstraint("course_id", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="RESTRICT"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
