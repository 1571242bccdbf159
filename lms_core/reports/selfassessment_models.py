"""ORM classes of the digital-transformation self-assessment: a school's assessment for a school year, its answer
per indicator, and a province's corrected indicator file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow


class IndicatorFile(Base):
    """A province's corrected indicator file (TOML), checked whole when uploaded; it replaces the shipped one for
    the province's schools."""

    __tablename__ = "dt_indicator_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SelfAssessment(Base):
    """A school's self-assessment for one school year: a draft the school admin fills in, then submitted (locked
    until reopened). The points and level are stored as last computed, with the indicator file they came from."""

    __tablename__ = "dt_assessments"
    __table_args__ = (UniqueConstraint("school_id", "academic_year_id"),
                      CheckConstraint("status IN ('draft', 'submitted')", name="status"),
                      CheckConstraint("level IS NULL OR level BETWEEN 1 AND 10", name="level"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    framework_sha: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    group_points: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    level: Mapped[int | None] = mapped_column(Integer)
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[list[SelfAssessmentAnswer]] = relationship(back_populates="assessment",
                                                               cascade="all, delete-orphan",
                                                               order_by="SelfAssessmentAnswer.id")


class SelfAssessmentAnswer(Base):
    """The value of one indicator: measured by the platform (with its evidence) or entered by the school admin
    (with a note naming the evidence). `value` is a percentage, a count, 1/0 for yes/no, or points."""

    __tablename__ = "dt_assessment_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_code"),
                      CheckConstraint("source IN ('measured', 'entered')", name="source"))
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("dt_assessments.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    value: Mapped[float | None] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(String(1000), default="")
    # the platform's figures for this indicator: [{"measure", "value", "message", "params"}], the scored one first
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessment: Mapped[SelfAssessment] = relationship(back_populates="answers")
