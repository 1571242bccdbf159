"""Saved exams ("Đề kiểm tra của tôi"): an exam built from a blueprint, kept with the exact question versions drawn.

Saving stores the blueprint, the seed, every version's layout (question order and option orders) and, for every
slot, the question version drawn. Opening a saved exam rebuilds the same exam from those rows whatever the bank
became since (questions edited, archived or hidden from the teacher since: they saw them when they saved), so its
papers and answer keys come out as first drawn. A quiz made from a saved exam pins exactly the drawn versions and
names the exam in its settings; deleting an exam that a quiz still uses is refused. Saved exams are their owner's:
anyone else gets "not found".
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.assessment import bank, builder, quiz
from lms_core.assessment import blueprint as bpm
from lms_core.assessment.data import from_data
from lms_core.assessment.items import Item
from lms_core.assessment.models import QuestionVersion, SavedExam, SavedExamQuestion
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, Lesson
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import N_, gettext
from lms_core.org.models import Subject
from lms_core.plugins.types import ActivityType
from lms_core.text import nfc

PAGE_SIZE = 50
MAX_TITLE = 200

EXAM_NOT_FOUND = N_("This saved exam does not exist.")
UNKNOWN_SUBJECT = N_("Choose a subject from the list.")
NO_GRADE = N_("The blueprint of this exam names no grade.")
NO_TITLE = N_("Give the exam a title.")
IN_USE = N_("This exam cannot be deleted: the quiz “{quizzes}” uses it. Delete the quiz first, or keep the exam.")
IN_USE_MANY = N_("This exam cannot be deleted: {count} quizzes use it ({quizzes}). Delete them first, or keep the "
                 "exam.")
NO_SUCH_VERSION = N_("This exam has no version {code}.")
NO_LESSON = N_("Choose a lesson of one of your courses of this subject and grade.")
QUIZ_TITLE = N_("Exam {title} (version {code})")


@permissions.rule("saved_exam.view", SavedExam)
def saved_exam_view(actor: User, exam: SavedExam) -> bool:
    return exam.owner_id == actor.id


@saved_exam_view.scope
def saved_exam_view_scope(actor: User) -> ColumnElement[bool]:
    return SavedExam.owner_id == actor.id


# ---- saving -------------------------------------------------------------------------------------------------------

def _same(saved: SavedExam, record: dict[str, Any]) -> bool:
    versions = [q.version_id for q in saved.questions]
    return (saved.blueprint == record["blueprint"] and saved.layouts == record["versions"]
            and versions == [q["version_id"] for q in record["questions"]])


def save(*, db: Session, actor: User, exam: builder.Exam, title: str = "") -> SavedExam:
    """Keep an exam among the actor's saved exams (the same exam saved again is returned, not stored twice)."""
    school_id = bank.bank_school(actor)
    bp = exam.blueprint
    if bp.subject_id is None or db.get(Subject, bp.subject_id) is None:
        raise Invalid(UNKNOWN_SUBJECT)
    if bp.grade is None:
        raise Invalid(NO_GRADE)
    title = nfc(title or bp.title).strip()[:MAX_TITLE]
    if not title:
        raise Invalid(NO_TITLE)
    record = builder.record(exam)
    for earlier in db.scalars(select(SavedExam).where(
            SavedExam.owner_id == actor.id, SavedExam.seed == exam.seed, SavedExam.subject_id == bp.subject_id,
            SavedExam.grade == bp.grade)):
        if _same(earlier, record):
            return earlier
    saved = SavedExam(school_id=school_id, owner_id=actor.id, subject_id=bp.subject_id, grade=bp.grade, title=title,
                      blueprint=record["blueprint"], seed=exam.seed, version_count=len(exam.versions),
                      layouts=record["versions"])
    saved.questions = [SavedExamQuestion(slot=i, question_id=q["question_id"], version_id=q["version_id"],
                                         part=q["part"], level=q["level"], row=q["row"], points=q["points"])
                       for i, q in enumerate(record["questions"])]
    try:
        db.add(saved)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return saved


def save_record(*, db: Session, actor: User, record: str, title: str = "") -> SavedExam:
    """Keep the exam an exam record describes (its question versions must be ones the actor may see now)."""
    return save(db=db, actor=actor, exam=builder.load_record(db=db, actor=actor, data=record), title=title)


# ---- reading ------------------------------------------------------------------------------------------------------

def list_mine(*, db: Session, actor: User, limit: int = PAGE_SIZE, offset: int = 0) -> list[SavedExam]:
    """Return the actor's saved exams, newest first."""
    bank.bank_school(actor)
    return list(db.scalars(select(SavedExam).where(permissions.visible(actor, "saved_exam.view"))
                           .order_by(SavedExam.created_at.desc(), SavedExam.id.desc()).limit(limit).offset(offset)))


def get_saved(*, db: Session, actor: User, exam_id: int) -> SavedExam:
    """Return one of the actor's saved exams; anyone else's (or an unknown one) reads 'not found'."""
    bank.bank_school(actor)
    saved = db.get(SavedExam, exam_id)
    if saved is None or not permissions.can(actor, "saved_exam.view", saved):
        raise NotFound(EXAM_NOT_FOUND)
    return saved


def exam_of(db: Session, saved: SavedExam) -> builder.Exam:
    """Return the exam exactly as it was saved: its blueprint, its drawn question versions and its versions' layouts."""
    record = {"format": builder.RECORD_FORMAT, "version": builder.RECORD_VERSION, "seed": saved.seed,
              "blueprint": saved.blueprint,
              "questions": [{"question_id": q.question_id, "version_id": q.version_id, "part": q.part,
                             "level": q.level, "row": q.row, "points": q.points} for q in saved.questions],
              "versions": saved.layouts}
    parsed = builder.parse_record(json.dumps(record, ensure_ascii=False))
    rows = db.execute(select(QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.data)
                      .where(QuestionVersion.id.in_(parsed.version_ids()))).all()
    items: dict[int, tuple[int, Item]] = {vid: (qid, from_data(data)) for vid, qid, data in rows}
    return builder.exam_from_record(parsed, items)


def quizzes_using(db: Session, exam_id: int) -> list[tuple[Activity, Course]]:
    """Return the quizzes made from a saved exam, with their courses."""
    return [(a, c) for a, c in db.execute(
        select(Activity, Course).join(Course, Course.id == Activity.course_id)
        .where(Activity.type == quiz.NAME, Activity.settings["saved_exam_id"].as_integer() == exam_id)
        .order_by(Activity.id))]


def delete(*, db: Session, actor: User, exam_id: int) -> None:
    """Delete one of the actor's saved exams; refuse while a quiz uses it (the quiz names the exam it came from)."""
    saved = get_saved(db=db, actor=actor, exam_id=exam_id)
    using = quizzes_using(db, saved.id)
    if using:
        names = ", ".join(f"{a.title} ({c.title})" for a, c in using[:5])
        if len(using) == 1:
            raise Conflict(IN_USE, quizzes=names)
        raise Conflict(IN_USE_MANY, count=len(using), quizzes=names)
    try:
        db.delete(saved)
        db.commit()
    except BaseException:
        db.rollback()
        raise


# ---- a quiz from a saved exam -------------------------------------------------------------------------------------

def lessons_for(db: Session, actor: User, *, subject_id: int | None, grade: int | None) -> list[tuple[int, str]]:
    """Return the lessons of the actor's editable courses of a subject and grade, as (id, "course – lesson")."""
    query = (select(Lesson, Course).join(Course, Course.id == Lesson.course_id)
             .where(permissions.visible(actor, "course.edit"), Course.archived.is_(False),
                    Course.subject_id == (subject_id or 0), Course.grade == (grade or 0))
             .order_by(Course.title, Course.id, Lesson.position, Lesson.id).limit(500))
    return [(lesson.id, f"{course.title} – {lesson.title}") for lesson, course in db.execute(query)]


def quiz_settings(exam: builder.Exam, code: str, *, saved_exam_id: int | None = None) -> dict[str, Any]:
    """Return the settings of a quiz asking one version of an exam: its order, its points, the versions drawn."""
    version = next((v for v in exam.versions if v.code == code), None)
    if version is None:
        raise Invalid(NO_SUCH_VERSION, code=code[:12])
    slots = [exam.slots[p.slot] for p in version.questions]
    settings: dict[str, Any] = {
        "questions": [{"question_id": s.question_id, "version_id": s.version_id, "points": str(s.points)}
                      for s in slots],
        "time_limit": exam.blueprint.minutes, "attempts": 1}
    if saved_exam_id is not None:
        settings["saved_exam_id"] = saved_exam_id
    return settings


def add_quiz(*, db: Session, actor: User, types: dict[str, ActivityType], exam_id: int, code: str, lesson_id: int,
             title: str = "") -> Activity:
    """Add a version of a saved exam as a quiz in a lesson of the actor's course, asking exactly the drawn versions."""
    saved = get_saved(db=db, actor=actor, exam_id=exam_id)
    exam = exam_of(db, saved)
    settings = quiz_settings(exam, code, saved_exam_id=saved.id)
    if lesson_id not in {i for i, _ in lessons_for(db, actor, subject_id=saved.subject_id, grade=saved.grade)}:
        raise Invalid(NO_LESSON)
    title = title.strip() or gettext(QUIZ_TITLE).format(title=saved.title, code=code)
    return courses.add_activity(db=db, actor=actor, types=types, lesson_id=lesson_id, type=quiz.NAME,
                                settings=settings, title=title)


def blueprint_of(saved: SavedExam) -> bpm.Blueprint:
    """Return a saved exam's blueprint."""
    return bpm.from_data(saved.blueprint)
