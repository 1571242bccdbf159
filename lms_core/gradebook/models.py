"""ORM classes of the gradebook: one sổ điểm per course × class × term, its assessment columns, a mark per
student × column, and an append-only audit of every change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow
from lms_core.i18n import N_


class Mode(StrEnum):
    """How a gradebook assesses: scores (Thông tư 22), comments Đ / CĐ (Thông tư 22), or primary levels
    T / H / C with periodic test scores (Thông tư 27)."""

    score = "score"
    comment = "comment"
    primary = "primary"


MODE_LABELS = {Mode.score: N_("Assessed by score"), Mode.comment: N_("Assessed by comment (Passed / Not yet passed)"),
               Mode.primary: N_("Primary: levels and periodic tests")}


class Kind(StrEnum):
    """What an assessment column holds: a regular, mid-term or end-of-term assessment; in primary the mid-term
    and end-of-term levels and periodic test scores."""

    tx = "tx"
    gk = "gk"
    ck = "ck"
    test_gk = "test_gk"
    test_ck = "test_ck"


class Source(StrEnum):
    """Where a mark came from: typed by a teacher, pulled from an activity, or a teacher's override of a
    pulled mark (kept when marks are pulled again)."""

    manual = "manual"
    activity = "activity"
    override = "override"


class Gradebook(Base):
    """The sổ điểm of one class in one course (subject) for one term."""

    __tablename__ = "gradebooks"
    __table_args__ = (
        UniqueConstraint("course_id", "class_id", "term_id"),
        CheckConstraint("mode IN ('score', 'comment', 'primary')", name="mode"),
        CheckConstraint("periods_per_year BETWEEN 1 AND 1000", name="periods"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="RESTRICT"))
    mode: Mapped[str] = mapped_column(String(16))
    # the subject's periods per year in the programme: how many regular assessments a term takes (Thông tư 22)
    periods_per_year: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    columns: Mapped[list[GradeColumn]] = relationship(back_populates="gradebook", cascade="all, delete-orphan",
                                                      order_by="(GradeColumn.position, GradeColumn.id)")


class GradeColumn(Base):
    """One assessment of a gradebook (ĐĐGtx 1, ĐĐGgk …), optionally fed by a graded activity of the course."""

    __tablename__ = "gradebook_columns"
    __table_args__ = (
        UniqueConstraint("gradebook_id", "kind", "number"),
        CheckConstraint("number BETWEEN 1 AND 6", name="number"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    gradebook_id: Mapped[int] = mapped_column(ForeignKey("gradebooks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("course_activities.id", ondelete="SET NULL"))
    gradebook: Mapped[Gradebook] = relationship(back_populates="columns")


class GradeEntry(Base):
    """A student's mark in one column: a score (0–10, one decimal; a whole number for a primary test) or a
    comment / level code (Đ, CĐ, T, H, C)."""

    __tablename__ = "gradebook_entries"
    __table_args__ = (
        UniqueConstraint("column_id", "student_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="score"),
        CheckConstraint("(score IS NULL) <> (mark IS NULL)", name="one_value"),
        CheckConstraint("source IN ('manual', 'activity', 'override')", name="source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("gradebook_columns.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    mark: Mapped[str | None] = mapped_column(String(4))
    source: Mapped[str] = mapped_column(String(12), default=Source.manual)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("course_submissions.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GradeAudit(Base):
    """One change of a mark, never changed afterwards: who, when, the old and new value, and why."""

    __tablename__ = "gradebook_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    gradebook_id: Mapped[int] = mapped_column(ForeignKey("gradebooks.id", ondelete="CASCADE"), index=True)
    column_id: Mapped[int | None] = mapped_column(ForeignKey("gradebook_columns.id", ondelete="SET NULL"))
    column_label: Mapped[str] = mapped_column(String(24))  # kept readable should the column go
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # entered, changed, cleared, override, pulled
    old_value: Mapped[str | None] = mapped_column(String(8))
    new_value: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditIsAppendOnly(RuntimeError):
    """Someone tried to change or delete a row of the gradebook's audit."""


@event.listens_for(Session, "before_flush")
def _keep_audit(session: Session, _context: object, _instances: object) -> None:
    """Refuse any update or delete of an audit row through the ORM."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, GradeAudit) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIsAppendOnly("the gradebook audit is append-only")
