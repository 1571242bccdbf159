"""The learning record store: every learning event as an xAPI statement, append-only.

The whole statement is kept as JSON (what an export sends); the columns beside it are what progress queries
filter and group on, so a class grid never parses JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms_core.db import Base, UTCDateTime, utcnow


class StatementRow(Base):
    """One stored xAPI statement (never changed nor deleted once written)."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_course_user", "course_id", "user_id"),
        Index("ix_xapi_statements_activity_user", "activity_id", "user_id"),
        Index("ix_xapi_statements_class_time", "class_id", "timestamp"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the statement's UUID
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    verb: Mapped[str] = mapped_column(String(32))  # the platform's short name of the verb
    object_iri: Mapped[str] = mapped_column(String(500))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("course_lessons.id", ondelete="RESTRICT"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("course_activities.id", ondelete="RESTRICT"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="RESTRICT"))
    completion: Mapped[bool | None] = mapped_column(Boolean)
    success: Mapped[bool | None] = mapped_column(Boolean)
    score_scaled: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[float | None] = mapped_column(Float)  # share of a video or audio reached, 0–1
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    stored: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class AppendOnly(RuntimeError):
    """Someone tried to change or delete a stored statement."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: object, _instances: object) -> None:
    """Refuse any update or delete of a statement through the ORM (the store is append-only)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, StatementRow) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnly("xAPI statements are append-only")
