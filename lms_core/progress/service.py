"""Learning events → xAPI statements (validated, append-only), and progress computed from them.

An activity is done for a student when a `completed` statement exists for it. That statement is written by
`record` the moment an event meets the activity's completion rule (opened it, watched 80 %, handed in, passed,
was present, posted), so a class grid is one grouped query over indexed columns.

A statement that stops being true (a student marked present, later corrected to absent) is never changed nor
deleted: a `voided` statement pointing at it is appended, as xAPI 1.0.3 prescribes, and progress ignores
statements that a voiding statement points at."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, User
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Completion, Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid
from lms_core.i18n import N_
from lms_core.progress import verbs, xapi
from lms_core.progress.models import StatementRow

NOT_A_STUDENT = N_("Only students of this course's classes record their learning here.")
NOT_OPEN_YET = N_("This lesson is not open yet.")
ACTIVITY_NOT_OPEN = N_("This activity is not open yet.")
LOCKED = N_("Complete the lesson “{title}” first.")
UNKNOWN_VERB = N_("This kind of learning event is not known.")
PROGRESS_KEY = "https://w3id.org/xapi/video/extensions/progress"
VIEW_VERBS = {"viewed", "read", "experienced", "launched"}
POST_VERBS = {"asked", "answered", "commented"}


def _aware(when: datetime | None) -> datetime | None:
    from datetime import UTC

    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


# --- writing statements --------------------------------------------------------------------------

def statement_for(*, user_id: int, verb: str, activity: Activity | None, course: Course, lesson_id: int | None,
                  class_id: int | None, result: dict[str, Any] | None = None, when: datetime | None = None,
                  object_iri: str | None = None, name: str | None = None) -> xapi.Statement:
    """Return the validated xAPI statement of one event of a student in a course."""
    verb_def = verbs.VERBS.get(verb)
    if verb_def is None:
        raise Invalid(UNKNOWN_VERB)
    when = _aware(when) or utcnow()
    target = object_iri or (xapi.activity_iri("activity", activity.id) if activity is not None
                            else xapi.activity_iri("lesson", lesson_id) if lesson_id else xapi.activity_iri("course", course.id))
    parents = [{"id": xapi.activity_iri("lesson", lesson_id)}] if lesson_id and activity is not None else []
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": xapi.actor(user_id).model_dump(mode="json", exclude_none=True, by_alias=True),
        "verb": {"id": verb_def.iri, "display": dict(verb_def.display)},
        "object": {"objectType": "Activity", "id": target,
                   **({"definition": {"name": {"vi-VN": name or (activity.title if activity else course.title)}}})},
        "context": {"platform": "Trường Số", "language": "vi-VN",
                    "contextActivities": {**({"parent": parents} if parents else {}),
                                          "grouping": [{"id": xapi.activity_iri("course", course.id)}]}},
        "timestamp": when,
        "version": "1.0.3",
    }
    if result:
        data["result"] = result
    return xapi.validate_statement(data)


def _row(statement: xapi.Statement, *, user_id: int, verb: str, course_id: int, lesson_id: int | None,
         activity_id: int | None, class_id: int | None) -> StatementRow:
    body = xapi.to_json(statement)
    result = body.get("result") or {}
    progress = (result.get("extensions") or {}).get(PROGRESS_KEY)
    return StatementRow(id=str(statement.id), user_id=user_id, verb=verb, object_iri=body["object"]["id"],
                        course_id=course_id, lesson_id=lesson_id, activity_id=activity_id, class_id=class_id,
                        completion=result.get("completion"), success=result.get("success"),
                        score_scaled=(result.get("score") or {}).get("scaled"),
                        progress=float(progress) if isinstance(progress, int | float) else None,
                        timestamp=statement.timestamp, stored=utcnow(), body=body)


def write(db: Session, rows: list[StatementRow]) -> None:
    """Append statements (the caller commits)."""
    db.add_all(rows)
    db.flush()


_VOIDING = aliased(StatementRow, name="voiding")  # made once: a fresh alias per query costs more than the query


def not_voided(course_id: int) -> ColumnElement[bool]:
    """Return a filter keeping the statements of a course that no voiding statement points at."""
    voiding = _VOIDING
    return StatementRow.id.not_in(select(voiding.object_iri).where(voiding.course_id == course_id,
                                                                    voiding.verb == "voided"))


def void(db: Session, *, actor: User, targets: list[StatementRow]) -> list[StatementRow]:
    """Append one voiding statement per target, by the actor (the caller commits); voided ones stop counting."""
    rows = []
    for target in targets:
        if target.verb == "voided":
            raise ValueError("a voiding statement cannot itself be voided")
        statement = xapi.validate_statement({
            "id": str(uuid.uuid4()),
            "actor": xapi.actor(actor.id).model_dump(mode="json", exclude_none=True, by_alias=True),
            "verb": {"id": verbs.VOIDED.iri, "display": dict(verbs.VOIDED.display)},
            "object": {"objectType": "StatementRef", "id": target.id},
            "timestamp": utcnow(), "version": "1.0.3"})
        rows.append(_row(statement, user_id=actor.id, verb="voided", course_id=target.course_id,
                         lesson_id=target.lesson_id, activity_id=target.activity_id, class_id=target.class_id))
    write(db, rows)
    return rows


# --- availability ------------------------------------------------------------------------------

def completed_ids(db: Session, *, course_id: int, user_id: int) -> set[int]:
    """Return the activities of a course a student has completed."""
    return set(db.scalars(select(StatementRow.activity_id).where(
        StatementRow.course_id == course_id, StatementRow.user_id == user_id, StatementRow.verb == "completed",
        StatementRow.activity_id.is_not(None), not_voided(course_id)).distinct()))


def lesson_done(lesson: Lesson, done: set[int]) -> bool:
    """Return whether every required activity of a lesson is completed (a lesson without any is done)."""
    return all(a.id in done for a in lesson.activities if a.required)


def why_locked(db: Session, lesson: Lesson, done: set[int], now: datetime | None = None) -> str | None:
    """Return why a student cannot work in a lesson now (an msgid, formatted by the caller), or None."""
    now = now or utcnow()
    if lesson.opens_at and _aware(lesson.opens_at) > now:
        return NOT_OPEN_YET
    if lesson.prerequisite_id:
        first = db.get(Lesson, lesson.prerequisite_id)
        if first is not None and not lesson_done(first, done):
            return LOCKED
    return None


# --- recording an event --------------------------------------------------------------------------

def _meets(activity: Activity, verb: str, result: dict[str, Any] | None, best_progress: float) -> bool:
    rule = activity.completion
    result = result or {}
    if rule == Completion.viewed:
        return verb in VIEW_VERBS or verb == "watched"
    if rule == Completion.watched:
        return best_progress >= (activity.threshold or 0.8)
    if rule == Completion.submitted:
        return verb == "submitted"
    if rule == Completion.passed:
        raw = (result.get("score") or {}).get("raw")
        return verb in ("scored", "passed", "answered") and raw is not None and raw >= (activity.threshold or 5.0)
    if rule == Completion.attended:
        return verb == "attended" and result.get("success", True) is not False
    if rule == Completion.posted:
        return verb in POST_VERBS
    return False


@dataclass
class Recorded:
    """What one event wrote: its statement and whether it completed the activity now."""

    statement: StatementRow
    completed_now: bool


def record(*, db: Session, actor: User, activity_id: int, verb: str, result: dict[str, Any] | None = None,
           student: User | None = None, commit: bool = True, when: datetime | None = None) -> Recorded:
    """Record a student's event in an activity (a teacher may record for a student: attendance, a grade).

    `when` is the moment the event happened when a service is told it (a submission at a given time); now else."""
    activity = courses.get_activity(db=db, actor=actor, activity_id=activity_id)
    course = db.get(Course, activity.course_id)
    learner = student or actor
    if student is not None and student.id != actor.id:
        permissions.require(actor, "course.edit", course)
    class_id = courses.class_of_student(db=db, course=course, student_id=learner.id)
    if class_id is None:
        raise Forbidden(NOT_A_STUDENT)
    if student is None:  # the student's own event: the lesson must be open to them
        lesson = db.get(Lesson, activity.lesson_id)
        done = completed_ids(db, course_id=course.id, user_id=learner.id)
        reason = why_locked(db, lesson, done, _aware(when))
        if reason is not None:
            first = db.get(Lesson, lesson.prerequisite_id) if lesson.prerequisite_id else None
            raise Forbidden(reason, title=first.title if first else "")
        if activity.opens_at and _aware(activity.opens_at) > (_aware(when) or utcnow()):
            raise Forbidden(ACTIVITY_NOT_OPEN)
    statement = statement_for(user_id=learner.id, verb=verb, activity=activity, course=course,
                              lesson_id=activity.lesson_id, class_id=class_id, result=result, when=when)
    row = _row(statement, user_id=learner.id, verb=verb, course_id=course.id, lesson_id=activity.lesson_id,
               activity_id=activity.id, class_id=class_id)
    rows = [row]
    already = db.scalar(select(func.count()).select_from(StatementRow).where(
        StatementRow.activity_id == activity.id, StatementRow.user_id == learner.id,
        StatementRow.verb == "completed", not_voided(course.id))) > 0
    best = max(row.progress or 0.0, db.scalar(select(func.max(StatementRow.progress)).where(
        StatementRow.activity_id == activity.id, StatementRow.user_id == learner.id)) or 0.0)
    completed_now = not already and _meets(activity, verb, result, best)
    if completed_now:
        done = statement_for(user_id=learner.id, verb="completed", activity=activity, course=course,
                             lesson_id=activity.lesson_id, class_id=class_id, result={"completion": True}, when=when)
        rows.append(_row(done, user_id=learner.id, verb="completed", course_id=course.id,
                         lesson_id=activity.lesson_id, activity_id=activity.id, class_id=class_id))
    try:
        write(db, rows)
        if commit:
            db.commit()
    except BaseException:
        db.rollback()
        raise
    return Recorded(statement=row, completed_now=completed_now)


@dataclass(frozen=True)
class PastEvent:
    """A student's event in an activity that happened at a known time (a term of history written at once)."""

    student_id: int
    activity: Activity
    verb: str
    when: datetime
    result: dict[str, Any] | None = None


def record_past(*, db: Session, course: Course, events: list[PastEvent]) -> int:
    """Append the statements of many past events of a course's students in one flush, each followed by the
    "completed" statement the activity's rule gives, as `record` would; return how many statements were written.

    For bulk history (the demo's term, an import): the caller has checked who may record these events and commits."""
    class_ids = [c.id for c in course.classes]
    class_of = dict(db.execute(select(ClassEnrolment.student_id, ClassEnrolment.class_id)
                               .where(ClassEnrolment.class_id.in_(class_ids))).tuples().all()) if class_ids else {}
    done = set(db.execute(select(StatementRow.user_id, StatementRow.activity_id).where(
        StatementRow.course_id == course.id, StatementRow.verb == "completed", not_voided(course.id))).tuples())
    best: dict[tuple[int, int], float] = {(u, a): p for u, a, p in db.execute(
        select(StatementRow.user_id, StatementRow.activity_id, func.max(StatementRow.progress))
        .where(StatementRow.course_id == course.id, StatementRow.progress.is_not(None))
        .group_by(StatementRow.user_id, StatementRow.activity_id))}
    rows: list[StatementRow] = []
    for event in sorted(events, key=lambda e: _aware(e.when)):
        activity, class_id = event.activity, class_of.get(event.student_id)
        if activity.course_id != course.id or class_id is None:
            raise Forbidden(NOT_A_STUDENT)
        key = (event.student_id, activity.id)
        statement = statement_for(user_id=event.student_id, verb=event.verb, activity=activity, course=course,
                                  lesson_id=activity.lesson_id, class_id=class_id, result=event.result, when=event.when)
        row = _row(statement, user_id=event.student_id, verb=event.verb, course_id=course.id,
                   lesson_id=activity.lesson_id, activity_id=activity.id, class_id=class_id)
        rows.append(row)
        best[key] = max(best.get(key, 0.0), row.progress or 0.0)
        if key not in done and _meets(activity, event.verb, event.result, best[key]):
            done.add(key)
            completed = statement_for(user_id=event.student_id, verb="completed", activity=activity, course=course,
                                      lesson_id=activity.lesson_id, class_id=class_id, result={"completion": True},
                                      when=event.when)
            rows.append(_row(completed, user_id=event.student_id, verb="completed", course_id=course.id,
                             lesson_id=activity.lesson_id, activity_id=activity.id, class_id=class_id))
    write(db, rows)
    return len(rows)


# --- reading progress ----------------------------------------------------------------------------

@dataclass
class LessonState:
    """A lesson as one student stands in it."""

    lesson: Lesson
    done: int
    total: int
    locked: str | None = None

    @property
    def complete(self) -> bool:
        """Return whether every required activity is done."""
        return self.done >= self.total


@dataclass
class CourseProgress:
    """A student's progress in a course: per lesson, overall, and the next thing to do."""

    course: Course
    lessons: list[LessonState]
    next_activity: Activity | None
    done_ids: set[int] = field(default_factory=set)

    @property
    def percent(self) -> int:
        """Return the share of required activities done, in whole percent."""
        total = sum(s.total for s in self.lessons)
        return round(100 * sum(min(s.done, s.total) for s in self.lessons) / total) if total else 0


def _lessons(course: Course) -> list[Lesson]:
    """Return a course's lessons in order with their activities, in two queries (not one per lesson)."""
    from sqlalchemy.orm import object_session, selectinload

    from lms_core.courses.models import Unit

    db = object_session(course)
    return list(db.scalars(select(Lesson).join(Unit, Unit.id == Lesson.unit_id).where(Lesson.course_id == course.id)
                           .options(selectinload(Lesson.activities))
                           .order_by(Unit.position, Unit.id, Lesson.position, Lesson.id)))


def course_progress(*, db: Session, actor: User, course_id: int, student_id: int | None = None) -> CourseProgress:
    """Return a student's progress (their own, or one a teacher of the course asks for)."""
    course = courses.get_course(db=db, actor=actor, course_id=course_id)
    learner_id = student_id if student_id is not None else actor.id
    if learner_id != actor.id:
        permissions.require(actor, "course.edit", course)
    done = completed_ids(db, course_id=course.id, user_id=learner_id)
    states, next_activity = [], None
    for lesson in _lessons(course):
        required = [a for a in lesson.activities if a.required]
        locked = why_locked(db, lesson, done)
        states.append(LessonState(lesson=lesson, done=sum(a.id in done for a in required), total=len(required),
                                  locked=locked))
        if next_activity is None and locked is None:
            next_activity = next((a for a in lesson.activities if a.id not in done and a.required), None)
    return CourseProgress(course=course, lessons=states, next_activity=next_activity, done_ids=done)


@dataclass
class Grid:
    """A class's progress: students × lessons, each cell (done, total), and who is behind."""

    course: Course
    lessons: list[Lesson]
    students: list[User]
    cells: dict[tuple[int, int], tuple[int, int]]
    behind: set[int]
    due: set[int]

    def percent(self, student_id: int) -> int:
        """Return a student's share of required activities done, in whole percent."""
        total = sum(self.cells[(student_id, lesson.id)][1] for lesson in self.lessons)
        done = sum(self.cells[(student_id, lesson.id)][0] for lesson in self.lessons)
        return round(100 * done / total) if total else 0


def class_grid(*, db: Session, actor: User, course_id: int, class_id: int | None = None,
               now: datetime | None = None) -> Grid:
    """Return the progress grid of a course's class (or of all its classes) for its teachers and admins.

    A student is behind when a lesson whose closing date has passed is not complete for them."""
    course = courses.get_course(db=db, actor=actor, course_id=course_id)
    if not _may_watch(actor, course):
        raise Forbidden(permissions.NOT_ALLOWED)
    if class_id is not None and class_id not in {c.id for c in course.classes}:
        raise Invalid(N_("This class does not take this course."))
    lessons = _lessons(course)
    students = courses.students_of(db=db, course=course, class_id=class_id)
    required = {lesson.id: {a.id for a in lesson.activities if a.required} for lesson in lessons}
    lesson_of = {a: lid for lid, ids in required.items() for a in ids}
    done: dict[int, set[int]] = defaultdict(set)
    if students and lesson_of:
        rows = db.execute(select(StatementRow.user_id, StatementRow.activity_id).where(
            StatementRow.course_id == course.id, StatementRow.verb == "completed", not_voided(course.id),
            StatementRow.user_id.in_([s.id for s in students])).distinct())
        for user_id, activity_id in rows:
            done[user_id].add(activity_id)
    now = now or utcnow()
    due = {lesson.id for lesson in lessons if lesson.closes_at and _aware(lesson.closes_at) < now}
    cells, behind = {}, set()
    for student in students:
        for lesson in lessons:
            ids = required[lesson.id]
            cells[(student.id, lesson.id)] = (len(ids & done[student.id]), len(ids))
            if lesson.id in due and not ids <= done[student.id]:
                behind.add(student.id)
    return Grid(course=course, lessons=lessons, students=students, cells=cells, behind=behind, due=due)


@dataclass
class CourseSummary:
    """One course of a class at a glance: average progress and who is behind."""

    course: Course
    students: int
    average: int
    behind: int


def class_overview(*, db: Session, actor: User, class_id: int) -> list[CourseSummary]:
    """Return the courses a class takes that the actor may watch, with the class's average progress in each."""
    from lms_core.courses.models import CourseClass

    taken = set(db.scalars(select(CourseClass.course_id).where(CourseClass.class_id == class_id)))
    out = []
    for course in courses.list_courses(db=db, actor=actor):
        if course.id not in taken or not _may_watch(actor, course):
            continue
        grid = class_grid(db=db, actor=actor, course_id=course.id, class_id=class_id)
        percents = [grid.percent(s.id) for s in grid.students]
        out.append(CourseSummary(course=course, students=len(percents),
                                 average=round(sum(percents) / len(percents)) if percents else 0,
                                 behind=len(grid.behind)))
    return out


def _may_watch(actor: User, course: Course) -> bool:
    """Return whether the actor teaches or administers the course, or oversees its school's area (read-only)."""
    from lms_core.accounts.models import Role

    if permissions.can(actor, "course.edit", course) or actor.has_role(Role.system_admin):
        return True
    return actor.has_role(Role.department_staff) and permissions.can(actor, "course.view", course)


# --- export ----------------------------------------------------------------------------------------

MAX_EXPORT_DAYS = 400


def export_rows(*, db: Session, actor: User, course_id: int, class_id: int | None, since: datetime | None,
                until: datetime | None) -> Any:
    """Return an iterator over the stored statements of a course (one class, a period) for its teachers and admins.

    Rows are read in pages of a thousand, so a year of a province's statements never sits in memory at once."""
    course = courses.get_course(db=db, actor=actor, course_id=course_id)
    if not _may_watch(actor, course):
        raise Forbidden(permissions.NOT_ALLOWED)
    if class_id is not None and class_id not in {c.id for c in course.classes}:
        raise Invalid(N_("This class does not take this course."))
    since, until = _aware(since), _aware(until)
    if since and until and until <= since:
        raise Invalid(N_("The end of the period must come after its start."))
    query = select(StatementRow.id, StatementRow.body).where(StatementRow.course_id == course.id)
    if class_id is not None:
        query = query.where(StatementRow.class_id == class_id)
    if since is not None:
        query = query.where(StatementRow.timestamp >= since)
    if until is not None:
        query = query.where(StatementRow.timestamp < until)

    def pages() -> Any:
        last = ""
        while True:
            batch = db.execute(query.where(StatementRow.id > last).order_by(StatementRow.id).limit(1000)).all()
            if not batch:
                return
            for _, body in batch:
                yield body
            last = batch[-1][0]

    return pages()
