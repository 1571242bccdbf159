"""Teaching plans and delivery records: the rules.

A plan lists every curriculum period of a class's subject for the year (each lesson of the curriculum tree gives as
many rows as it has periods), spread evenly over the year's 35 weeks; its class's teacher of that subject moves
periods between weeks and sets how each is meant to be taught. A delivered period is recorded once; a correction
adds a record that supersedes the current one, so what was recorded before is never lost. The platform proposes
records from what it already knows (live sessions with attendance, lessons with completions); nothing is stored
until the teacher confirms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, Role, User
from lms_core.assessment.question_curriculum import reader
from lms_core.blended import aggregates, rules
from lms_core.blended.models import ClassWeek, DeliveryRecord, Mode, PlanPeriod, Source, TeachingPlan
from lms_core.courses.models import Activity, Attendance, Course, Lesson, course_classes
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.progress import service as progress
from lms_core.progress.models import StatementRow
from lms_core.text import nfc

WEEKS = 35
MAX_NOTE = 500
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # dates of delivery are the school's dates, not UTC ones
LIVE_TYPE = "live"
ATTENDED = ("present", "late")

CLASS_NOT_FOUND = N_("This class does not exist.")
SUBJECT_NOT_FOUND = N_("This subject does not exist.")
YEAR_NOT_FOUND = N_("This school year does not exist.")
WRONG_YEAR = N_("This class belongs to another school year.")
NOT_YOUR_CLASS = N_("Only the teacher of this subject in this class can change its teaching plan or its delivery records.")
NO_CURRICULUM = N_("The curriculum is not installed on this server, so no teaching plan can be made.")
NOT_TAUGHT = N_("This subject is not taught in this grade.")
NO_PERIODS = N_("The curriculum of this subject and grade has no periods yet, so no teaching plan can be made.")
NO_PLAN = N_("This class has no teaching plan for this subject yet.")
PERIOD_NOT_FOUND = N_("This period is not in any teaching plan.")
RECORD_NOT_FOUND = N_("This delivery record does not exist.")
BAD_WEEK = N_("Choose a week from 1 to {weeks}.")
BAD_MODE = N_("Choose how the period is taught: in person, online live or online self-paced.")
OUTSIDE_YEAR = N_("The date must be within the school year ({start} to {end}).")
ALREADY_RECORDED = N_("This period is already recorded as delivered: correct that record instead.")
NOT_CURRENT = N_("This record has already been corrected: correct the latest record instead.")
BAD_NOTE = N_("The note may have at most 500 characters.")
BAD_LIVE_SESSION = N_("This live session is not in a course of this subject for this class.")
BAD_LESSON = N_("This lesson is not in a course of this subject for this class.")
REPORTED_BY_BUNDLE = N_("The department imports {school}'s figures for this school year from the school's own server: "
                        "make teaching plans there, or the periods would be counted twice.")
EVIDENCE_MODE = N_("A live session is evidence of an online live period and a lesson of an online self-paced one.")


# --- plans ------------------------------------------------------------------------------------------------------

def _class_subject_year(db: Session, class_id: int, subject_id: int, year_id: int) -> tuple[SchoolClass, AcademicYear]:
    klass = db.get(SchoolClass, class_id)
    if klass is None:
        raise NotFound(CLASS_NOT_FOUND)
    if db.get(Subject, subject_id) is None:
        raise NotFound(SUBJECT_NOT_FOUND)
    year = db.get(AcademicYear, year_id)
    if year is None:
        raise NotFound(YEAR_NOT_FOUND)
    return klass, year


def _find_plan(db: Session, class_id: int, subject_id: int, year_id: int) -> TeachingPlan | None:
    return db.scalar(select(TeachingPlan).where(TeachingPlan.class_id == class_id,
                                                TeachingPlan.subject_id == subject_id,
                                                TeachingPlan.academic_year_id == year_id))


def spread(count: int, weeks: int = WEEKS) -> list[int]:
    """Return the week (1..weeks) of each of `count` periods, spread as evenly as whole weeks allow."""
    return [i * weeks // count + 1 for i in range(count)]


def _curriculum_rows(db: Session, host: Any, school: School, subject_id: int, grade: int) -> list[dict[str, Any]]:
    source = reader(host)
    if source is None:
        raise Invalid(NO_CURRICULUM)
    topics = source.topics(db=db, province_id=school.province_id, subject_id=subject_id, grade=grade)
    if topics is None:
        raise Invalid(NOT_TAUGHT)
    rows = []
    for topic in topics:
        # a topic's periods are its lessons' (a topic without lessons is taught as one block)
        for item in list(topic.children) or [topic]:
            for k in range(1, int(item.periods or 0) + 1):
                rows.append({"item_id": item.id, "item_title": item.title,
                             "topic_title": topic.title if item is not topic else "",
                             "lesson_period": k, "lesson_periods": int(item.periods)})
    if not rows:
        raise Invalid(NO_PERIODS)
    return rows


def generate_plan(*, db: Session, actor: User, host: Any, class_id: int, subject_id: int,
                  year_id: int) -> TeachingPlan:
    """Make a class's teaching plan for a subject and year from the curriculum; return the existing one unchanged
    when it was made already (the teacher's changes are kept)."""
    klass, year = _class_subject_year(db, class_id, subject_id, year_id)
    if not (rules.teaches(actor, db=db, class_id=class_id, subject_id=subject_id)
            or klass.school_id in actor.school_ids(Role.school_admin)):
        raise Forbidden(NOT_YOUR_CLASS)
    if klass.academic_year_id != year.id:
        raise Invalid(WRONG_YEAR)
    existing = _find_plan(db, class_id, subject_id, year_id)
    if existing is not None:
        return existing
    if db.scalar(select(ClassWeek.id).where(ClassWeek.school_id == klass.school_id, ClassWeek.academic_year_id == year_id,
                                            ClassWeek.source == Source.bundle).limit(1)) is not None:
        raise Conflict(REPORTED_BY_BUNDLE, school=klass.school.name)
    rows = _curriculum_rows(db, host, klass.school, subject_id, klass.grade)
    plan = TeachingPlan(class_id=class_id, subject_id=subject_id, academic_year_id=year_id, weeks=WEEKS,
                        created_by_id=actor.id)
    plan.periods = [PlanPeriod(position=i, week=week, mode=Mode.in_person, **row)
                    for i, (row, week) in enumerate(zip(rows, spread(len(rows)), strict=True), start=1)]
    db.add(plan)
    try:
        db.flush()
        aggregates.mark_dirty(db, [plan.id])
        db.commit()
    except IntegrityError:  # made at the same moment by someone else: theirs stands
        db.rollback()
        existing = _find_plan(db, class_id, subject_id, year_id)
        if existing is None:
            raise
        return existing
    return plan


def get_plan(*, db: Session, actor: User, class_id: int, subject_id: int, year_id: int) -> TeachingPlan:
    """Return a class's teaching plan for a subject and year, if the actor may see it."""
    _class_subject_year(db, class_id, subject_id, year_id)
    plan = _find_plan(db, class_id, subject_id, year_id)
    if plan is None:
        raise NotFound(NO_PLAN)
    if not permissions.can(actor, "plan.view", plan):
        raise NotFound(NO_PLAN)
    return plan


def _editable_period(db: Session, actor: User, period_id: int) -> PlanPeriod:
    period = db.get(PlanPeriod, period_id)
    if period is None:
        raise NotFound(PERIOD_NOT_FOUND)
    if not permissions.can(actor, "plan.edit", period.plan):
        raise Forbidden(NOT_YOUR_CLASS)
    return period


def _mode(value: str) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        raise Invalid(BAD_MODE) from None


def change_period(*, db: Session, actor: User, period_id: int, week: int | None = None,
                  mode: str | None = None) -> PlanPeriod:
    """Move a planned period to another week and/or change how it is meant to be taught."""
    period = _editable_period(db, actor, period_id)
    weeks = period.plan.weeks
    if week is not None and not (isinstance(week, int) and 1 <= week <= weeks):
        raise Invalid(BAD_WEEK, weeks=weeks)
    new_mode = _mode(mode) if mode is not None else None
    if week is not None:
        period.week = week
    if new_mode is not None:
        period.mode = new_mode
    period.updated_by_id, period.updated_at = actor.id, utcnow()
    aggregates.mark_dirty(db, [period.plan_id])
    db.commit()
    return period


# --- delivery records -------------------------------------------------------------------------------------------

def courses_of(plan: TeachingPlan) -> Any:
    """Return the ids of the courses of the plan's subject and year taught to its class (a subquery)."""
    return select(Course.id).join(course_classes, course_classes.c.course_id == Course.id).where(
        course_classes.c.class_id == plan.class_id, Course.subject_id == plan.subject_id,
        Course.academic_year_id == plan.academic_year_id)


def _check_record(db: Session, plan: TeachingPlan, delivered_on: date, mode: str, live_session_id: int | None,
                  lesson_id: int | None, note: str) -> tuple[Mode, str]:
    checked = _mode(mode)
    year = db.get(AcademicYear, plan.academic_year_id)
    if not isinstance(delivered_on, date) or not (year.start_date <= delivered_on <= year.end_date):
        raise Invalid(OUTSIDE_YEAR, start=year.start_date.isoformat(), end=year.end_date.isoformat())
    clean = nfc(note or "").strip()
    if len(clean) > MAX_NOTE:
        raise Invalid(BAD_NOTE)
    if (live_session_id is not None and checked != Mode.online_live) or \
            (lesson_id is not None and checked != Mode.online_self_paced):
        raise Invalid(EVIDENCE_MODE)
    if live_session_id is not None and db.scalar(select(Activity.id).where(
            Activity.id == live_session_id, Activity.type == LIVE_TYPE,
            Activity.course_id.in_(courses_of(plan)))) is None:
        raise Invalid(BAD_LIVE_SESSION)
    if lesson_id is not None and db.scalar(select(Lesson.id).where(
            Lesson.id == lesson_id, Lesson.course_id.in_(courses_of(plan)))) is None:
        raise Invalid(BAD_LESSON)
    return checked, clean


def _superseded_ids() -> Any:
    return select(DeliveryRecord.supersedes_id).where(DeliveryRecord.supersedes_id.is_not(None))


def current_records(*, db: Session, plan: TeachingPlan) -> dict[int, DeliveryRecord]:
    """Return the current (latest) delivery record of each delivered period of a plan, by period id."""
    rows = db.scalars(select(DeliveryRecord).join(PlanPeriod, PlanPeriod.id == DeliveryRecord.period_id).where(
        PlanPeriod.plan_id == plan.id, DeliveryRecord.id.not_in(_superseded_ids())))
    return {r.period_id: r for r in rows}


def _commit(db: Session, record: DeliveryRecord, plan_id: int, refusal: str) -> DeliveryRecord:
    db.add(record)
    aggregates.mark_dirty(db, [plan_id])
    try:
        db.commit()
    except IntegrityError:  # another correction of the same record won the race
        db.rollback()
        raise Invalid(refusal) from None
    return record


def confirm(*, db: Session, actor: User, period_id: int, delivered_on: date, mode: str,
            live_session_id: int | None = None, lesson_id: int | None = None, note: str = "") -> DeliveryRecord:
    """Record a planned period as delivered on a date, in a mode, with its evidence."""
    period = _editable_period(db, actor, period_id)
    checked, clean = _check_record(db, period.plan, delivered_on, mode, live_session_id, lesson_id, note)
    if db.scalar(select(func.count()).select_from(DeliveryRecord).where(DeliveryRecord.period_id == period.id)):
        raise Invalid(ALREADY_RECORDED)
    return _commit(db, DeliveryRecord(period_id=period.id, delivered_on=delivered_on, mode=checked,
                                      live_session_id=live_session_id, lesson_id=lesson_id, note=clean,
                                      recorded_by_id=actor.id, recorded_at=utcnow()), period.plan_id,
                   ALREADY_RECORDED)


def correct(*, db: Session, actor: User, record_id: int, delivered_on: date, mode: str,
            live_session_id: int | None = None, lesson_id: int | None = None, note: str = "") -> DeliveryRecord:
    """Correct a period's current delivery record: add a record that supersedes it (the old one is kept)."""
    old = db.get(DeliveryRecord, record_id)
    if old is None:
        raise NotFound(RECORD_NOT_FOUND)
    period = _editable_period(db, actor, old.period_id)
    if db.scalar(select(DeliveryRecord.id).where(DeliveryRecord.supersedes_id == old.id)) is not None:
        raise Invalid(NOT_CURRENT)
    checked, clean = _check_record(db, period.plan, delivered_on, mode, live_session_id, lesson_id, note)
    return _commit(db, DeliveryRecord(period_id=period.id, delivered_on=delivered_on, mode=checked,
                                      live_session_id=live_session_id, lesson_id=lesson_id, note=clean,
                                      supersedes_id=old.id, recorded_by_id=actor.id, recorded_at=utcnow()),
                   period.plan_id, NOT_CURRENT)


def history(*, db: Session, actor: User, period_id: int) -> list[DeliveryRecord]:
    """Return every record of a period, oldest first (the last one is current)."""
    period = db.get(PlanPeriod, period_id)
    if period is None or not permissions.can(actor, "plan.view", period.plan):
        raise NotFound(PERIOD_NOT_FOUND)
    return list(db.scalars(select(DeliveryRecord).where(DeliveryRecord.period_id == period.id)
                           .order_by(DeliveryRecord.id)))


# --- proposals --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proposal:
    """A record the platform suggests from its own data; stored only when the teacher confirms it."""

    period_id: int
    delivered_on: date
    mode: Mode
    live_session_id: int | None
    lesson_id: int | None
    evidence_title: str
    students: int  # students of the class the evidence shows (attended, or completed something of the lesson)


@dataclass(frozen=True)
class _Evidence:
    on: date
    mode: Mode
    live_session_id: int | None
    lesson_id: int | None
    title: str
    students: int


def _local_date(when: datetime) -> date:
    return when.astimezone(LOCAL).date()


def _evidence(db: Session, plan: TeachingPlan) -> list[_Evidence]:
    from lms_core.courses.live import session_of

    students = select(ClassEnrolment.student_id).where(ClassEnrolment.class_id == plan.class_id)
    found = []
    lives = db.execute(select(Activity, func.count(Attendance.student_id)).join(
        Attendance, Attendance.activity_id == Activity.id).where(
        Activity.type == LIVE_TYPE, Activity.course_id.in_(courses_of(plan)), Attendance.status.in_(ATTENDED),
        Attendance.student_id.in_(students)).group_by(Activity.id))
    for activity, count in lives:
        found.append(_Evidence(_local_date(session_of(activity).starts_at), Mode.online_live, activity.id, None,
                               activity.title, count))
    for course_id in db.scalars(courses_of(plan)):
        done = db.execute(select(Lesson.id, Lesson.title, func.min(StatementRow.timestamp),
                                 func.count(func.distinct(StatementRow.user_id)))
                          .join(Activity, Activity.id == StatementRow.activity_id)
                          .join(Lesson, Lesson.id == Activity.lesson_id)
                          .where(StatementRow.course_id == course_id, StatementRow.verb == "completed",
                                 Activity.type != LIVE_TYPE, StatementRow.user_id.in_(students),
                                 progress.not_voided(course_id))
                          .group_by(Lesson.id, Lesson.title))
        for lesson_id, title, first, count in done:
            found.append(_Evidence(_local_date(first), Mode.online_self_paced, None, lesson_id, title, count))
    return sorted(found, key=lambda e: (e.on, e.mode, e.live_session_id or 0, e.lesson_id or 0))


def propose_records(*, db: Session, actor: User, class_id: int, subject_id: int, year_id: int) -> list[Proposal]:
    """Suggest delivery records from live sessions with attendance and lessons with completions of the class's
    students, each for the first undelivered period planned in that mode (else one planned in that week);
    evidence already recorded, or dated outside the year, is left out."""
    klass, year = _class_subject_year(db, class_id, subject_id, year_id)
    plan = _find_plan(db, class_id, subject_id, year_id)
    if plan is None:
        if not rules.teaches(actor, db=db, class_id=class_id, subject_id=subject_id):
            raise Forbidden(NOT_YOUR_CLASS)
        raise NotFound(NO_PLAN)
    if not permissions.can(actor, "plan.edit", plan):
        raise Forbidden(NOT_YOUR_CLASS)
    current = current_records(db=db, plan=plan)
    used_live = {r.live_session_id for r in current.values() if r.live_session_id is not None}
    used_lessons = {r.lesson_id for r in current.values() if r.lesson_id is not None}
    free = [p for p in plan.periods if p.id not in current]
    proposals = []
    for e in _evidence(db, plan):
        if e.live_session_id in used_live or e.lesson_id in used_lessons:
            continue
        if not (year.start_date <= e.on <= year.end_date):
            continue
        week = (e.on - year.start_date).days // 7 + 1
        period = next((p for p in free if p.mode == e.mode), None) or next((p for p in free if p.week == week), None)
        if period is None:
            continue
        free.remove(period)
        proposals.append(Proposal(period.id, e.on, e.mode, e.live_session_id, e.lesson_id, e.title, e.students))
    return proposals
