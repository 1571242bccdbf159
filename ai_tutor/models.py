"""ORM classes of the tutor: chunks (the source of truth of every index), the embedding cache, the state of each
index shard, the teacher's policy per course, and every question asked with its answer and any flag.

The FAISS and BM25 files are derived from `tutor_chunks` + `tutor_embeddings` and can be rebuilt from them at any
time (`truongso index rebuild`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_core.db import Base, UTCDateTime, utcnow

SHARED_SHARD = "shared"


def shard_of(school_id: int | None) -> str:
    """Return the index shard of a material: the shared repository's own, or its school's."""
    return SHARED_SHARD if school_id is None else f"school-{school_id}"


class TutorChunk(Base):
    """A passage of a published material version, with the address a citation names."""

    __tablename__ = "tutor_chunks"
    __table_args__ = (UniqueConstraint("version_id", "position"), Index("ix_tutor_chunks_shard", "shard", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="CASCADE"))
    shard: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    heading_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text_sha256: Mapped[str] = mapped_column(String(64))  # of the indexed text (heading path + text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TutorEmbedding(Base):
    """An embedding of a text by a model, kept so that unchanged text is never embedded twice."""

    __tablename__ = "tutor_embeddings"
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian, L2-normalised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TutorShard(Base):
    """An index shard's state: its generation goes up with every change of its chunks; a build records which
    generation it holds, so an older build never replaces a newer one."""

    __tablename__ = "tutor_shards"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    built_generation: Mapped[int] = mapped_column(Integer, default=-1)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TutorPolicy(Base):
    """A teacher's rules for the tutor in one course: mode, which materials, a daily limit per student."""

    __tablename__ = "tutor_policies"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(12), default="answer")  # answer, hint, off
    material_ids: Mapped[list[int] | None] = mapped_column(JSON)     # None: every material of the course
    daily_limit: Mapped[int] = mapped_column(Integer, default=30)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TutorExchange(Base):
    """A question a student asked in a course, the answer given with its citations, and any flag raised."""

    __tablename__ = "tutor_exchanges"
    __table_args__ = (Index("ix_tutor_exchanges_course", "course_id", "created_at"),
                      Index("ix_tutor_exchanges_student_day", "student_id", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("course_activities.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(12))           # answer, hint, refused
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    found: Mapped[bool] = mapped_column(Boolean, default=True)
    flag: Mapped[str | None] = mapped_column(String(16), index=True)  # at_risk, harmful … for the homeroom teacher
    flag_seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    flag_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    generator: Mapped[str] = mapped_column(String(40), default="extractive")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
