"""ORM classes of blended learning: a class's teaching plan for a subject and year, one row per curriculum period,
and the records of delivered periods (append-only: a correction is a new row that supersedes the old one)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint, event, text
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
    # no index of its own: the unique (plan_id, position) index serves every lookup by plan
    plan_id: Mapped[int] = mapped_column(ForeignKey("teaching_plans.id", ondelete="CASCADE"))
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
    __table_args__ = (
        CheckConstraint(MODE_CHECK, name="mode"),
        # a period has one first record (every other one supersedes a record): two confirmations racing each other
        # cannot both be stored
        Index("uq_delivery_records_first_of_period", "period_id", unique=True,
              sqlite_where=text("supersedes_id IS NULL"), postgresql_where=text("supersedes_id IS NULL")),
    )
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


# --- aggregates the worker keeps current (reports read these, never the raw records) ---------------------------

class Source(StrEnum):
    """Where an aggregate row comes from: this server's own records, or a school's imported report bundle."""

    local = "local"
    bundle = "bundle"


class DirtyPlan(Base):
    """A plan whose aggregates are out of date: written in the same transaction as the change, drained by the
    worker."""

    __tablename__ = "blended_dirty_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("teaching_plans.id", ondelete="CASCADE"), index=True)


class ClassWeek(Base):
    """One class's periods of one subject in one week of the year: planned (by the plan's week) and delivered (by
    the current record's date). Keyed by class name rather than id, so a department server holds rows of schools
    whose classes it does not have (imported from their bundles)."""

    __tablename__ = "blended_class_weeks"
    __table_args__ = (UniqueConstraint("school_id", "academic_year_id", "class_name", "subject_id", "week"),
                      CheckConstraint("week BETWEEN 1 AND 53", name="week"),
                      CheckConstraint("grade BETWEEN 1 AND 12", name="grade"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="CASCADE"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"), index=True)
    class_name: Mapped[str] = mapped_column(String(20))
    grade: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    planned_total: Mapped[int] = mapped_column(Integer, default=0)
    planned_online: Mapped[int] = mapped_column(Integer, default=0)
    delivered_total: Mapped[int] = mapped_column(Integer, default=0)
    delivered_online: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(8), default=Source.local)


class SchoolWeek(Base):
    """The sum of a school's class weeks per grade, subject and week: what province and district views read."""

    __tablename__ = "blended_school_weeks"
    __table_args__ = (UniqueConstraint("school_id", "academic_year_id", "grade", "subject_id", "week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    classes: Mapped[int] = mapped_column(Integer, default=0)  # classes with any planned period that week
    planned_total: Mapped[int] = mapped_column(Integer, default=0)
    planned_online: Mapped[int] = mapped_column(Integer, default=0)
    delivered_total: Mapped[int] = mapped_column(Integer, default=0)
    delivered_online: Mapped[int] = mapped_column(Integer, default=0)


class OnlineTarget(Base):
    """A province's target share of online periods for a school level in a school year (percent)."""

    __tablename__ = "blended_targets"
    __table_args__ = (UniqueConstraint("province_id", "level", "academic_year_id"),
                      CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
                      CheckConstraint("level IN ('primary', 'lower_secondary', 'upper_secondary')", name="level"))
    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(24))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="CASCADE"))
    percent: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Refresh(Base):
    """One run of the worker's aggregate refresh: when it finished, how many plans it recomputed and how long it
    took (pages show the time of the last one; the log shows the worker keeps up)."""

    __tablename__ = "blended_refreshes"
    id: Mapped[int] = mapped_column(primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    plans: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
