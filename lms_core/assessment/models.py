"""ORM classes of assessment: the question bank (questions and their immutable versions) and quiz attempts.

A question's content lives in versions: editing a question makes a new version, and a quiz pins the versions it
asks, so an edit never changes what a student already answered. Curriculum items are referred to by id without a
foreign key (they belong to the content package, which the core does not depend on)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow


class Question(Base):
    """A question of a school's bank for a subject and grade; its newest version is its content."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
                      Index("ix_questions_bank", "school_id", "subject_id", "grade"))
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    # NULL: a question of the shared repository itself (from a content pack), owned by no school
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    grade: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str | None] = mapped_column(String(16), index=True)       # of the newest version, for blueprints
    difficulty: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(16), default="school")   # private, school, shared
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", ondelete="SET NULL", use_alter=True))
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[current_version_id],
                                                                     post_update=True)
    tags: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class QuestionVersion(Base):
    """One immutable state of a question: its data as lms_core.assessment.data stores it."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(40), default="")  # "gift", "docx", "form" …


class QuestionTag(Base):
    """A tag of a question (a topic word, a source such as "Đề thi thử 2025")."""

    __tablename__ = "question_tags"
    __table_args__ = (UniqueConstraint("question_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)


class QuestionCurriculumItem(Base):
    """A curriculum item (topic or lesson) a question assesses (the item's id, kept by the content package)."""

    __tablename__ = "question_curriculum_items"
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class QuizAttempt(Base):
    """A student's attempt at a quiz activity: the questions drawn and their order, the clock, the score."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("activity_id", "student_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("course_activities.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    layout: Mapped[list[Any]] = mapped_column(JSON, default=list)  # per slot: version id, points, option order
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")  # in_progress, submitted, graded
    score: Mapped[Any] = mapped_column(Numeric(7, 2), nullable=True)
    max_score: Mapped[Any] = mapped_column(Numeric(7, 2), nullable=True)
    answers: Mapped[list[QuizAnswer]] = relationship(cascade="all, delete-orphan", order_by="QuizAnswer.slot")


class QuizAnswer(Base):
    """A student's answer to one slot of an attempt, saved as they go; its points once graded."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="RESTRICT"),
                                                     index=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    points: Mapped[Any] = mapped_column(Numeric(7, 2), nullable=True)
    max_points: Mapped[Any] = mapped_column(Numeric(7, 2), nullable=True)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    feedback: Mapped[str] = mapped_column(Text, default="")


class QuestionMedia(Base):
    """A file a question's text shows (an image), kept by hash in lms_core.storage, served at /question-images/."""

    __tablename__ = "question_media"
    __table_args__ = (UniqueConstraint("question_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(40))


class QuestionReview(Base):
    """A request to put a question (or a change of a shared one) in the shared repository, and its outcome.

    `kind` "share" asks to share the question's current version; "edit" asks to replace the shared (reviewed) version
    with a newer one, which stays out of the question's current version until it is approved. A question's rows are
    its review history: who sent it and when, who decided what and when, and the comment."""

    __tablename__ = "question_reviews"
    # `pending` is True while the request waits and NULL after, so a question has at most one waiting request
    __table_args__ = (UniqueConstraint("question_id", "pending"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="share")          # share, edit
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)  # submitted, approved, …
    pending: Mapped[bool | None] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(String(2000), default="")            # the author's words to the reviewer
    curriculum_item_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)  # an edit's, set on approval
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(String(2000), default="")         # the reviewer's (or the author's on withdrawal)


class SavedExam(Base):
    """An exam a teacher built from a blueprint and kept: the blueprint, the seed and every version's layout.

    Its questions (SavedExamQuestion) name the exact question versions drawn, so the papers and keys come out the same
    whatever the bank became since."""

    __tablename__ = "saved_exams"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
                      CheckConstraint("version_count BETWEEN 1 AND 100", name="version_count"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"))
    grade: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    blueprint: Mapped[dict[str, Any]] = mapped_column(JSON)      # lms_core.assessment.blueprint.to_data
    seed: Mapped[str] = mapped_column(String(40))
    version_count: Mapped[int] = mapped_column(Integer)
    layouts: Mapped[list[Any]] = mapped_column(JSON)             # per version: its code, its slots in print order, options
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    questions: Mapped[list[SavedExamQuestion]] = relationship(cascade="all, delete-orphan",
                                                              order_by="SavedExamQuestion.slot")


class SavedExamQuestion(Base):
    """A slot of a saved exam: the question version drawn for it, its part, level, blueprint row and points."""

    __tablename__ = "saved_exam_questions"
    exam_id: Mapped[int] = mapped_column(ForeignKey("saved_exams.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="RESTRICT"), index=True)
    part: Mapped[str] = mapped_column(String(4))
    level: Mapped[str] = mapped_column(String(16))
    row: Mapped[int] = mapped_column(Integer)
    points: Mapped[str] = mapped_column(String(16))  # exact decimal text, as the exam record keeps it
