"""ORM classes of the curriculum: periods per subject and grade, topic/lesson trees, material mapping, targets."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base
from lms_core.org.models import Subject


class Origin(StrEnum):
    """Where a row came from: the shipped data (refreshed by upgrades) or an edit (never overwritten)."""

    shipped = "shipped"
    edited = "edited"


class ItemKind(StrEnum):
    """A node of a subject's tree: a topic (chủ đề) or a lesson (bài) inside one."""

    topic = "topic"
    lesson = "lesson"


# Statuses whose periods count towards coverage (optional subjects such as an ethnic-minority
# language are taught only where chosen, so they are listed but not in the province's share).
COUNTED_STATUSES = ("compulsory", "elective", "elective_topics")


class ProgrammeSubject(Base):
    """A subject taught in one grade with its periods per year (nationally set by the circulars)."""

    __tablename__ = "curriculum_subjects"
    __table_args__ = (
        UniqueConstraint("subject_id", "grade"),
        CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
        CheckConstraint("periods_per_year >= 0", name="periods"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"), index=True)
    level: Mapped[str] = mapped_column(String(24))
    grade: Mapped[int] = mapped_column(Integer, index=True)
    periods_per_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(300), default="")
    citation: Mapped[str] = mapped_column(String(200), default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default=Origin.shipped)
    subject: Mapped[Subject] = relationship(lazy="joined")


class CurriculumItem(Base):
    """A topic or a lesson of a subject × grade tree; national (province NULL) or a province's own."""

    __tablename__ = "curriculum_items"
    __table_args__ = (
        CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
        CheckConstraint("periods >= 0", name="periods"),
        Index("ix_curriculum_items_tree", "province_id", "subject_id", "grade"),
        # one key per tree; NULL provinces compare distinct in SQL, hence the partial index below
        UniqueConstraint("province_id", "subject_id", "grade", "key"),
        Index("uq_curriculum_items_national_key", "subject_id", "grade", "key", unique=True,
              sqlite_where=text("province_id IS NULL"), postgresql_where=text("province_id IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    grade: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("curriculum_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    periods: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(8), default=Origin.shipped)
    children: Mapped[list[CurriculumItem]] = relationship(order_by="CurriculumItem.position", viewonly=True)


class MaterialCurriculumItem(Base):
    """A material mapped to a curriculum topic or lesson (mapping a topic covers all its lessons)."""

    __tablename__ = "material_curriculum_items"
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("curriculum_items.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


class CoverageTarget(Base):
    """A province's target share of curriculum periods the shared repository should cover."""

    __tablename__ = "coverage_targets"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="CASCADE"), primary_key=True)
    percent: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))
