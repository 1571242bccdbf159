"""ORM classes of courses: the course and who it is for, its units, lessons and activities, and the work
students hand in (submissions), say (discussion posts) and attend (attendance of live sessions)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow
from lms_core.i18n import N_


class LatePolicy(StrEnum):
    """What happens to work handed in after an activity closes."""

    refuse = "refuse"
    mark_late = "mark_late"


LATE_LABELS = {LatePolicy.refuse: N_("Refuse it"), LatePolicy.mark_late: N_("Accept it, marked late")}


class Completion(StrEnum):
    """When an activity counts as done for a student."""

    viewed = "viewed"
    watched = "watched"
    submitted = "submitted"
    passed = "passed"
    attended = "attended"
    posted = "posted"


COMPLETION_LABELS = {
    Completion.viewed: N_("Opened it"),
    Completion.watched: N_("Watched or listened to enough of it"),
    Completion.submitted: N_("Handed in work"),
    Completion.passed: N_("Reached the pass mark"),
    Completion.attended: N_("Was present"),
    Completion.posted: N_("Asked or answered in the discussion"),
}

class CourseClass(Base):
    """A class a course is taught to."""

    __tablename__ = "course_classes"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True, index=True)


class CourseTeacher(Base):
    """A teacher of a course."""

    __tablename__ = "course_teachers"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


course_classes = CourseClass.__table__
course_teachers = CourseTeacher.__table__


class Course(Base):
    """A course of a subject for one grade in one school year, taught to one or more classes."""

    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="RESTRICT"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    grade: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    late_policy: Mapped[str] = mapped_column(String(16), default=LatePolicy.mark_late)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    classes: Mapped[list[Any]] = relationship("SchoolClass", secondary="course_classes", lazy="selectin",
                                              order_by="SchoolClass.name")
    teachers: Mapped[list[Any]] = relationship("User", secondary="course_teachers", lazy="selectin",
                                               order_by="User.full_name")
    units: Mapped[list[Unit]] = relationship(back_populates="course", order_by="Unit.position",
                                             cascade="all, delete-orphan")


class Unit(Base):
    """A unit (chương / chủ đề) of a course."""

    __tablename__ = "course_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    course: Mapped[Course] = relationship(back_populates="units")
    lessons: Mapped[list[Lesson]] = relationship(back_populates="unit", order_by="Lesson.position",
                                                 cascade="all, delete-orphan")


class Lesson(Base):
    """A lesson (bài học): open from/to dates, an optional lesson to complete first, and its activities."""

    __tablename__ = "course_lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("course_units.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prerequisite_id: Mapped[int | None] = mapped_column(ForeignKey("course_lessons.id", ondelete="SET NULL"))
    unit: Mapped[Unit] = relationship(back_populates="lessons")
    activities: Mapped[list[Activity]] = relationship(back_populates="lesson", order_by="Activity.position",
                                                      cascade="all, delete-orphan")


class Activity(Base):
    """One thing to do in a lesson; its type (a registered activity type) says what its settings mean.

    A material activity keeps the material and the pinned version in its settings: the materials belong to the
    content package, which registers that activity type, so the core has no foreign key into it."""

    __tablename__ = "course_activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completion: Mapped[str] = mapped_column(String(16), default=Completion.viewed)
    threshold: Mapped[float | None] = mapped_column(Float)  # share watched, or pass mark out of 10
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lesson: Mapped[Lesson] = relationship(back_populates="activities")


class Submission(Base):
    """A student's handed-in work for an assignment (each resubmission is a new attempt)."""

    __tablename__ = "course_submissions"
    __table_args__ = (UniqueConstraint("activity_id", "student_id", "attempt"),
                      CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="score"))
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("course_activities.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    # kept under var/files/ by hash like every file (lms_core.storage); no foreign key to the content package
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[Any] = mapped_column(Numeric(3, 1), nullable=True)
    rubric_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DiscussionPost(Base):
    """A question or answer in a lesson's discussion; a teacher may pin or hide it."""

    __tablename__ = "course_discussion_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("course_activities.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("course_discussion_posts.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(Base):
    """Whether a student was present at a live online session, as the teacher took it."""

    __tablename__ = "course_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("course_activities.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # present, late, absent
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
