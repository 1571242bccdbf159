"""The tutor's rules: a course's policy, a student's question answered from what the course makes available, and
what teachers see of it.

Order of a question: who may ask (a student of the course, or one of its teachers trying it) → the screen (empty,
too long, binary, harmful, at risk) → the policy (off; the daily limit) → the mode (the policy's, and hint-only while
a quiz of the course is open) → retrieval inside the course's pinned versions → the generator → the exchange stored,
an xAPI "asked" statement, and a flag for the homeroom teacher when the message suggests the student is at risk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ai_tutor import retrieval
from ai_tutor.generate import Answer, ExtractiveGenerator, Generator, Passage
from ai_tutor.models import TutorExchange, TutorPolicy
from ai_tutor.safety import screen
from lms_core import permissions
from lms_core.accounts.models import Role, TeachingAssignment, User
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import DomainError, Forbidden, Invalid, NotFound
from lms_core.i18n import N_, gettext, use_locale

log = logging.getLogger(__name__)

MODES = ("answer", "hint", "off")
MODE_LABELS = {"answer": N_("Answers with citations"), "hint": N_("Hints only (guiding questions)"),
               "off": N_("Off")}
DEFAULT_DAILY_LIMIT = 30
MAX_DAILY_LIMIT = 500
PASSAGES = 5

TUTOR_OFF = N_("Your teacher has switched the tutor off for this course.")
DAILY_LIMIT = N_("You have asked {limit} questions in this course today, the most your teacher allows. Try again "
                 "tomorrow, or ask your teacher.")
NOT_IN_COURSE = N_("This course was not found.")
BAD_MODE = N_("This tutor mode is not known.")
BAD_LIMIT = N_("The daily limit must be a whole number from 1 to {max}.")
BAD_MATERIALS = N_("Only materials used in this course's lessons can be chosen.")
REBUILDING = N_("The tutor is rebuilding its index of your materials right now. Please ask again in a few minutes.")


class TooManyQuestions(DomainError):
    """A student past the course's daily question limit."""

    status_code = 429
    code = "too_many_questions"


@dataclass
class Status:
    """The tutor's state for someone in a course: the mode it answers in, the limit and the questions left today."""

    mode: str
    limit: int
    left: int | None


def status(*, db: Session, actor: User, course_id: int, learner: bool, now: datetime | None = None) -> Status:
    """Return how the tutor answers this person in this course now (hints while a quiz is open) and what is left."""
    now = now or utcnow()
    policy = policy_of(db, course_id)
    mode = "hint" if policy.mode == "answer" and _open_quiz(db, course_id, now, actor.id) else policy.mode
    left = max(0, policy.daily_limit - _asked_today(db, actor.id, course_id, now)) if learner else None
    return Status(mode=mode, limit=policy.daily_limit, left=left)


@dataclass
class Policy:
    """A course's tutor policy as it applies (the defaults when the teacher set none)."""

    mode: str = "answer"
    material_ids: list[int] | None = None
    daily_limit: int = DEFAULT_DAILY_LIMIT


def policy_of(db: Session, course_id: int) -> Policy:
    """Return the policy the teacher set for the course, or the defaults."""
    row = db.get(TutorPolicy, course_id)
    if row is None:
        return Policy()
    return Policy(mode=row.mode, material_ids=list(row.material_ids) if row.material_ids is not None else None,
                  daily_limit=row.daily_limit)


def course_materials(db: Session, course_id: int) -> dict[int, str]:
    """Return {material id: title} of the materials the course's lessons pin (whatever their dates)."""
    from content.materials.models import Material

    ids = set(retrieval.course_versions(db, course_id, now=utcnow() + timedelta(days=36_500)).values())
    return dict(db.execute(select(Material.id, Material.title).where(Material.id.in_(ids)).order_by(Material.title)).all())


def set_policy(*, db: Session, actor: User, course_id: int, mode: str, material_ids: list[int] | None,
               daily_limit: int) -> Policy:
    """Set a course's tutor policy (its teachers); refuse unknown modes, limits and materials, changing nothing."""
    course = courses.editable_course(db=db, actor=actor, course_id=course_id)
    if mode not in MODES:
        raise Invalid(BAD_MODE)
    if not isinstance(daily_limit, int) or not 1 <= daily_limit <= MAX_DAILY_LIMIT:
        raise Invalid(BAD_LIMIT, max=MAX_DAILY_LIMIT)
    if material_ids is not None:
        allowed = course_materials(db, course.id)
        if not set(material_ids) <= set(allowed):
            raise Invalid(BAD_MATERIALS)
        material_ids = sorted(set(material_ids))
    row = db.get(TutorPolicy, course.id) or TutorPolicy(course_id=course.id)
    row.mode, row.material_ids, row.daily_limit = mode, material_ids, daily_limit
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.add(row)
    db.commit()
    return policy_of(db, course.id)


SITTING = timedelta(hours=3)  # a quiz window closing within this is a test being sat now, not homework


def _open_quiz(db: Session, course_id: int, now: datetime, student_id: int | None = None) -> bool:
    """Return whether a quiz of the course is being taken: the asker has an attempt in progress, or a quiz window
    is open and closes within a sitting (a 15- or 45-minute test). The tutor gives hints only then.

    A quiz open for a week of homework does not count: it would silence the tutor's answers all week."""
    from lms_core.assessment.models import QuizAttempt
    from lms_core.assessment.quiz import NAME as QUIZ

    quizzes = select(Activity.id).where(Activity.course_id == course_id, Activity.type == QUIZ)
    if student_id is not None and db.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.activity_id.in_(quizzes), QuizAttempt.student_id == student_id,
            QuizAttempt.status == "in_progress", or_(QuizAttempt.deadline_at.is_(None), QuizAttempt.deadline_at > now))):
        return True
    return bool(db.scalar(select(func.count()).select_from(Activity).where(
        Activity.id.in_(quizzes), or_(Activity.opens_at.is_(None), Activity.opens_at <= now),
        Activity.closes_at.is_not(None), Activity.closes_at > now, Activity.closes_at <= now + SITTING)))


SCHOOL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # a school's day starts at midnight in Vietnam, not in UTC


def _asked_today(db: Session, student_id: int, course_id: int, now: datetime) -> int:
    local = now.astimezone(SCHOOL_TZ)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
    return db.scalar(select(func.count()).select_from(TutorExchange).where(
        TutorExchange.student_id == student_id, TutorExchange.course_id == course_id,
        TutorExchange.created_at >= start, TutorExchange.created_at < start + timedelta(days=1))) or 0


def _passages(hits: list[retrieval.Hit]) -> list[Passage]:
    return [Passage(ref=i, chunk_id=h.chunk_id, material_id=h.material_id, version_id=h.version_id, title=h.title,
                    address={**h.address, "heading_path": h.heading_path}, text=h.text, score=h.score)
            for i, h in enumerate(hits, start=1)]


def default_generator() -> Generator:
    """Return the configured generator: the offline extractive one unless an LLM is configured."""
    from lms_core.settings import get_settings

    settings = get_settings()
    if settings.tutor_generator == "extractive":
        return ExtractiveGenerator()
    from ai_tutor.llm import generator_from_settings

    return generator_from_settings(settings)


def _course_for(db: Session, actor: User, course_id: int) -> tuple[Course, bool]:
    course = db.get(Course, course_id)
    if course is None:
        raise NotFound(NOT_IN_COURSE)
    if permissions.can(actor, "course.learn", course):
        return course, True
    if permissions.can(actor, "course.view", course):
        return course, False  # a teacher trying the tutor as their students see it
    raise NotFound(NOT_IN_COURSE)


def ask(*, db: Session, actor: User, course_id: int, question: str | bytes, lesson_id: int | None = None,
        generator: Generator | None = None, now: datetime | None = None) -> TutorExchange:
    """Answer a question in a course from its materials; store the exchange; refuse bad input storing nothing."""
    now = now or utcnow()
    course, as_student = _course_for(db, actor, course_id)
    verdict = screen(question)
    if verdict.kind in ("empty", "too_long", "binary"):
        raise Invalid(verdict.message)
    text = question if isinstance(question, str) else question.decode("utf-8")
    policy = policy_of(db, course.id)
    if policy.mode == "off":
        raise Forbidden(TUTOR_OFF)
    if as_student and _asked_today(db, actor.id, course.id, now) >= policy.daily_limit:
        raise TooManyQuestions(DAILY_LIMIT, limit=policy.daily_limit)
    lesson = _lesson_in(db, course.id, lesson_id)
    generator = generator or default_generator()
    if not verdict.ok:  # harmful, off topic or at risk: no retrieval, an age-appropriate reply, maybe a flag
        answer = Answer(text=verdict.message, found=False, language=_language(text), mode="refused")
        flag = verdict.kind if verdict.kind in ("at_risk", "harmful") else None
    else:
        mode = "hint" if policy.mode == "hint" or _open_quiz(db, course.id, now, actor.id) else "answer"
        versions = retrieval.course_versions(db, course.id, material_ids=policy.material_ids, now=now)
        found = retrieval.search(db, version_ids=versions, question=text, k=PASSAGES)
        if found.rebuilding and not found.hits:
            from ai_tutor.tasks import enqueue_catch_up

            enqueue_catch_up()
            with use_locale(found.language if found.language in ("vi", "en") else "vi"):
                answer = Answer(text=gettext(REBUILDING), found=False, language=found.language, mode=mode)
        else:
            from ai_tutor.safety import private_names

            names = private_names(actor.full_name or "", extra=[actor.username])
            answer = generator.answer(
                question=text, passages=_passages(found.hits), language=found.language, mode=mode,
                private_names=names)
        flag = None
    exchange = TutorExchange(
        student_id=actor.id, course_id=course.id, activity_id=_first_activity(lesson), question=text[:2000],
        language=answer.language, mode=answer.mode, answer=answer.text, found=answer.found, flag=flag,
        citations=[{"ref": p.ref, "material_id": p.material_id, "version_id": p.version_id, "title": p.title,
                    "address": p.address, "text": p.text[:600]} for p in answer.citations],
        generator=type(generator).__name__[:40], created_at=now)
    db.add(exchange)
    db.flush()
    if as_student and exchange.activity_id is not None:
        _record_asked(db, actor, exchange)
    db.commit()
    return exchange


def _language(text: str) -> str:
    from ai_tutor.text import detect_language

    return detect_language(text)


def _lesson_in(db: Session, course_id: int, lesson_id: int | None) -> Lesson | None:
    if lesson_id is None:
        return None
    lesson = db.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course_id:
        raise NotFound(NOT_IN_COURSE)
    return lesson


def _first_activity(lesson: Lesson | None) -> int | None:
    return lesson.activities[0].id if lesson is not None and lesson.activities else None


def _record_asked(db: Session, actor: User, exchange: TutorExchange) -> None:
    """Record the question as an xAPI "asked" statement of the lesson's first activity."""
    from lms_core.progress import service as progress

    try:
        progress.record(db=db, actor=actor, activity_id=exchange.activity_id, verb="asked", commit=False,
                        result={"response": exchange.question[:1000]}, when=exchange.created_at)
    except DomainError as exc:  # a locked lesson: the question is still answered and kept
        log.info("no asked statement for exchange %s: %s", exchange.id, exc.message)


# --- what teachers see -------------------------------------------------------------------------------------------

def _visible_to(actor: User) -> ColumnElement[bool]:
    """Exchanges a teacher may read: those of courses they may view, and flags of their homeroom classes."""
    from lms_core.courses.rules import course_view_scope

    viewable = select(Course.id).where(course_view_scope(actor))
    return TutorExchange.course_id.in_(viewable)


def exchanges(*, db: Session, actor: User, course_id: int | None = None, flagged: bool = False,
              limit: int = 200) -> list[TutorExchange]:
    """Return the questions asked in the courses the actor teaches or runs, newest first."""
    if not (actor.has_role(Role.teacher) or actor.has_role(Role.school_admin)):
        raise Forbidden(N_("Only teachers see the questions students ask the tutor."))
    where = [_visible_to(actor)]
    if course_id is not None:
        where.append(TutorExchange.course_id == course_id)
    if flagged:
        where.append(TutorExchange.flag.is_not(None))
    return list(db.scalars(select(TutorExchange).where(*where).order_by(TutorExchange.created_at.desc(),
                                                                       TutorExchange.id.desc()).limit(limit)))


def _homeroom_students(actor: User) -> Any:
    """Return a query of the students in the classes the actor is homeroom teacher of."""
    from lms_core.accounts.models import ClassEnrolment

    classes = select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == actor.id,
                                                        TeachingAssignment.is_homeroom.is_(True))
    return select(ClassEnrolment.student_id).where(ClassEnrolment.class_id.in_(classes))


def flags_for_homeroom(*, db: Session, actor: User, limit: int = 100) -> list[TutorExchange]:
    """Return the flagged exchanges of students in the classes the actor is homeroom teacher of."""
    return list(db.scalars(select(TutorExchange).where(
        TutorExchange.flag.is_not(None), TutorExchange.student_id.in_(_homeroom_students(actor)))
        .order_by(TutorExchange.created_at.desc()).limit(limit)))


def mark_flag_seen(*, db: Session, actor: User, exchange_id: int) -> TutorExchange:
    """Record that the homeroom (or a course) teacher has seen a flag."""
    exchange = db.scalar(select(TutorExchange).where(
        TutorExchange.id == exchange_id, TutorExchange.flag.is_not(None),
        or_(TutorExchange.student_id.in_(_homeroom_students(actor)), _visible_to(actor))))
    if exchange is None:
        raise NotFound(N_("This flag was not found."))
    exchange.flag_seen_by_id, exchange.flag_seen_at = actor.id, utcnow()
    db.commit()
    return exchange


def stats(db: Session, course_id: int) -> dict[str, Any]:
    """Return counts of a course's questions: all, answered from the materials, not found, flagged."""
    rows = db.execute(select(TutorExchange.found, TutorExchange.flag, func.count()).where(
        TutorExchange.course_id == course_id).group_by(TutorExchange.found, TutorExchange.flag)).all()
    return {"asked": sum(n for *_, n in rows), "found": sum(n for f, _, n in rows if f),
            "flagged": sum(n for _, fl, n in rows if fl)}
