"""ORM classes of blended learning: a class's teaching plan for a subject and year, one row per curriculum period,
and the records of delivered periods (append-only: a correction is a new row that supersedes the old one)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow
from lms_core.i18n import N_


class Mode(StrEnum):
    """How a period is (planned to be) delivered."""

    in_person = "in_person"
    online_live = "online_live"
    online_self_paced = "online_self_paced"


MODE_LABELS = {Mode.in_person: N_("In person"), Mode.online_live: N_("Online, live"),
               Mode.online_self_paced: N_("Online, self-paced")}
ONLINE = (Mode.online_live, Mode.online_self_paced)
MODE_CHECK = "mode IN ('in_person', 'online_live', 'online_self_paced')"


class TeachingPlan(Base):
    """A class's teaching plan (kế hoạch dạy học) for one subject in one school year."""

    __tablename__ = "teaching_plans"
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "academic_year_id"),
                      CheckConstraint("weeks BETWEEN 1 AND 53", name="weeks"))
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="RESTRICT"))
    weeks: Mapped[int] = mapped_column(Integer, default=35)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    periods: Mapped[list[PlanPeriod]] = relationship(back_populates="plan", order_by="PlanPeriod.position",
                                                     cascade="all, delete-orphan")


class PlanPeriod(Base):
    """One curriculum period of a plan: the lesson it belongs to (id and title as they were when the plan was made,
    the curriculum living in another package), its week and its planned mode."""

    __tablename__ = "plan_periods"
    __table_args__ = (UniqueConstraint("plan_id", "position"),
                      CheckConstraint("week >= 1", name="week"),
                      CheckConstraint("lesson_period >= 1", name="lesson_period"),
                      CheckConstraint(MODE_CHECK, name="mode"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("teaching_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1.. in curriculum order
    item_id: Mapped[int] = mapped_column(Integer)  # a curriculum item (no foreign key into the content package)
    item_title: Mapped[str] = mapped_column(String(300))
    topic_title: Mapped[str] = mapped_column(String(300), default="")
    lesson_period: Mapped[int] = mapped_column(Integer, default=1)  # 1.. within its lesson
    lesson_periods: Mapped[int] = mapped_column(Integer, default=1)  # the lesson's periods when planned
    week: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(24), default=Mode.in_person)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan: Mapped[TeachingPlan] = relationship(back_populates="periods")


class DeliveryRecord(Base):
    """A delivered period as the teacher confirmed it. Never changed: a correction adds a row naming the one it
    supersedes, so the current record of a period is the one nothing supersedes."""

    __tablename__ = "delivery_records"
    __table_args__ = (CheckConstraint(MODE_CHECK, name="mode"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_periods.id", ondelete="CASCADE"), index=True)
    delivered_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(24))
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("course_activities.id", ondelete="SET NULL"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("course_lessons.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    # unique: a record is superseded at most once, so a period's history is a line, never a fork
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_records.id", ondelete="CASCADE"),
                                                      unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordsAreAppendOnly(RuntimeError):
    """Someone tried to change or delete a stored delivery record."""


@event.listens_for(Session, "before_flush")
def _refuse_record_changes(session: Session, _context: object, _instances: object) -> None:
    """Refuse any update or delete of a delivery record through the ORM (corrections are new rows)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, DeliveryRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise RecordsAreAppendOnly("delivery records are append-only")
