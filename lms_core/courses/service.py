"""Rules of courses: create one for classes, build its units, lessons and activities, copy it to a new year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, Role, TeachingAssignment, User
from lms_core.courses import rules  # noqa: F401 (registers the permission rules)
from lms_core.courses.models import Activity, Completion, Course, LatePolicy, Lesson, Unit
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, SchoolClass, Subject
from lms_core.plugins.types import ActivityType
from lms_core.text import nfc

COURSE_NOT_FOUND = N_("This course does not exist.")
LESSON_NOT_FOUND = N_("This lesson does not exist.")
UNIT_NOT_FOUND = N_("This unit does not exist.")
ACTIVITY_NOT_FOUND = N_("This activity does not exist.")
BAD_TITLE = N_("A title is needed (at most 200 characters).")
NOT_STAFF = N_("Only teachers and administrators of the school can create its courses.")
BAD_CLASSES = N_("Choose one or more classes of the school, of the course's grade and school year.")
BAD_TEACHERS = N_("Every teacher of a course must teach at its school.")
BAD_DATES = N_("A closing date must come after the opening date.")
BAD_PREREQUISITE = N_("The lesson to complete first must be an earlier lesson of the same course.")
UNKNOWN_TYPE = N_("This kind of activity is not available.")
BAD_COMPLETION = N_("This way of completing is not offered for this kind of activity.")
BAD_THRESHOLD = N_("The completion threshold must be between {low} and {high}.")
BAD_SUBJECT = N_("This subject does not exist.")
BAD_YEAR = N_("This school year does not exist.")
BAD_GRADE = N_("Grades go from 1 to 12.")
MAX_UNITS, MAX_LESSONS, MAX_ACTIVITIES = 60, 400, 30


@dataclass(frozen=True)
class CourseFields:
    """What a teacher says about a course when creating or editing it."""

    title: str
    subject_id: int
    grade: int
    academic_year_id: int
    class_ids: tuple[int, ...]
    teacher_ids: tuple[int, ...] = ()
    description: str = ""
    late_policy: str = LatePolicy.mark_late


def _title(value: str) -> str:
    title = " ".join(nfc(value or "").split())
    if not title or len(title) > 200:
        raise Invalid(BAD_TITLE)
    return title


def _dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise Invalid(BAD_DATES)


# --- loading -----------------------------------------------------------------------------------

def get_course(*, db: Session, actor: User, course_id: int) -> Course:
    """Return a course the actor may see (unknown and hidden both read 'not found')."""
    course = db.get(Course, course_id)
    if course is None or not permissions.can(actor, "course.view", course):
        raise NotFound(COURSE_NOT_FOUND)
    return course


def editable_course(*, db: Session, actor: User, course_id: int) -> Course:
    """Return a course the actor teaches or administers; a visible one they don't is forbidden."""
    course = get_course(db=db, actor=actor, course_id=course_id)
    permissions.require(actor, "course.edit", course)
    return course


def list_courses(*, db: Session, actor: User, academic_year_id: int | None = None,
                 include_archived: bool = False) -> list[Course]:
    """Return the courses the actor may see, filtered in SQL, by grade then title."""
    query = select(Course).where(permissions.visible(actor, "course.view"))
    if academic_year_id is not None:
        query = query.where(Course.academic_year_id == academic_year_id)
    if not include_archived:
        query = query.where(Course.archived.is_(False))
    return list(db.scalars(query.order_by(Course.grade, Course.title, Course.id)))


def students_of(*, db: Session, course: Course, class_id: int | None = None) -> list[User]:
    """Return the students of a course's classes (or of one of them), by name."""
    class_ids = [c.id for c in course.classes if class_id is None or c.id == class_id]
    if not class_ids:
        return []
    return list(db.scalars(select(User).join(ClassEnrolment, ClassEnrolment.student_id == User.id)
                           .where(ClassEnrolment.class_id.in_(class_ids), User.is_active.is_(True))
                           .distinct().order_by(User.full_name, User.id)))


def class_of_student(*, db: Session, course: Course, student_id: int) -> int | None:
    """Return which of the course's classes a student is in (None when in none)."""
    ids = [c.id for c in course.classes]
    return db.scalar(select(ClassEnrolment.class_id).where(ClassEnrolment.student_id == student_id,
                                                           ClassEnrolment.class_id.in_(ids)).limit(1)) if ids else None


# --- courses -----------------------------------------------------------------------------------

def _school_for(actor: User, classes: list[SchoolClass]) -> int:
    schools = {c.school_id for c in classes}
    if len(schools) != 1:
        raise Invalid(BAD_CLASSES)
    school_id = schools.pop()
    if school_id not in actor.school_ids(Role.teacher, Role.school_admin):
        raise Forbidden(NOT_STAFF)
    return school_id


def _apply(db: Session, actor: User, course: Course, fields: CourseFields) -> None:
    if db.get(Subject, fields.subject_id) is None:
        raise Invalid(BAD_SUBJECT)
    if db.get(AcademicYear, fields.academic_year_id) is None:
        raise Invalid(BAD_YEAR)
    if isinstance(fields.grade, bool) or not 1 <= fields.grade <= 12:
        raise Invalid(BAD_GRADE)
    if fields.late_policy not in set(LatePolicy):
        raise Invalid(N_("This choice for late work is not known."))
    description = nfc(fields.description or "").strip()
    if len(description) > 2000:
        raise Invalid(N_("A description may have at most 2,000 characters."))
    wanted = sorted(set(fields.class_ids))
    classes = list(db.scalars(select(SchoolClass).where(SchoolClass.id.in_(wanted)))) if wanted else []
    if not classes or len(classes) != len(wanted):
        raise Invalid(BAD_CLASSES)
    school_id = _school_for(actor, classes)
    if course.school_id is not None and school_id != course.school_id:
        raise Invalid(BAD_CLASSES)
    if any(c.grade != fields.grade or c.academic_year_id != fields.academic_year_id for c in classes):
        raise Invalid(BAD_CLASSES)
    teacher_ids = set(fields.teacher_ids) | ({actor.id} if actor.has_role(Role.teacher)
                                             and school_id in actor.school_ids(Role.teacher) else set())
    teachers = list(db.scalars(select(User).where(User.id.in_(teacher_ids)))) if teacher_ids else []
    if len(teachers) != len(teacher_ids) or any(school_id not in t.school_ids(Role.teacher) for t in teachers):
        raise Invalid(BAD_TEACHERS)
    course.school_id = school_id
    course.title = _title(fields.title)
    course.subject_id, course.grade, course.academic_year_id = fields.subject_id, fields.grade, fields.academic_year_id
    course.description, course.late_policy = description, fields.late_policy
    course.classes = classes
    course.teachers = teachers


def create_course(*, db: Session, actor: User, fields: CourseFields) -> Course:
    """Create a course for classes of the actor's school; a teacher creating it teaches it."""
    if not actor.school_ids(Role.teacher, Role.school_admin):
        raise Forbidden(NOT_STAFF)
    course = Course(created_by_id=actor.id)
    try:
        _apply(db, actor, course, fields)
        db.add(course)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return course


def update_course(*, db: Session, actor: User, course_id: int, fields: CourseFields) -> Course:
    """Change a course's title, classes, teachers and rules (its school stays)."""
    course = editable_course(db=db, actor=actor, course_id=course_id)
    try:
        _apply(db, actor, course, fields)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return course


def teachers_of_school(*, db: Session, school_id: int) -> list[User]:
    """Return the teachers of a school (to choose co-teachers), by name."""
    from lms_core.accounts.models import RoleAssignment

    return list(db.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.role == Role.teacher, RoleAssignment.school_id == school_id, User.is_active.is_(True))
        .distinct().order_by(User.full_name)))


def suggested_classes(*, db: Session, actor: User) -> list[SchoolClass]:
    """Return the classes an actor may build a course for: those they teach, or all of their school for an admin."""
    admin_schools = actor.school_ids(Role.school_admin)
    taught = select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == actor.id)
    query = select(SchoolClass).where((SchoolClass.school_id.in_(admin_schools)) | SchoolClass.id.in_(taught))
    return list(db.scalars(query.order_by(SchoolClass.grade, SchoolClass.name)))


# --- units and lessons -------------------------------------------------------------------------

def _next_position(db: Session, column: Any, where: Any) -> int:
    return (db.scalar(select(func.max(column)).where(where)) or 0) + 1


def add_unit(*, db: Session, actor: User, course_id: int, title: str) -> Unit:
    """Add a unit at the end of a course."""
    course = editable_course(db=db, actor=actor, course_id=course_id)
    if len(course.units) >= MAX_UNITS:
        raise Invalid(N_("A course can have at most {max} units."), max=MAX_UNITS)
    unit = Unit(course_id=course.id, title=_title(title),
                position=_next_position(db, Unit.position, Unit.course_id == course.id))
    course.units.append(unit)  # sessions keep objects after commit: keep the loaded outline whole
    db.commit()
    return unit


def _unit(db: Session, actor: User, unit_id: int) -> Unit:
    unit = db.get(Unit, unit_id)
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND)
    editable_course(db=db, actor=actor, course_id=unit.course_id)
    return unit


def _check_prerequisite(db: Session, course_id: int, lesson: Lesson | None, prerequisite_id: int | None) -> None:
    if prerequisite_id is None:
        return
    other = db.get(Lesson, prerequisite_id)
    if other is None or other.course_id != course_id or (lesson is not None and other.id == lesson.id):
        raise Invalid(BAD_PREREQUISITE)
    if lesson is not None:  # no cycles: walk the chain from the chosen lesson
        seen, step = {lesson.id}, other
        while step is not None and step.prerequisite_id is not None:
            if step.prerequisite_id in seen:
                raise Invalid(BAD_PREREQUISITE)
            seen.add(step.id)
            step = db.get(Lesson, step.prerequisite_id)


def add_lesson(*, db: Session, actor: User, unit_id: int, title: str, summary: str = "",
               opens_at: datetime | None = None, closes_at: datetime | None = None,
               prerequisite_id: int | None = None) -> Lesson:
    """Add a lesson at the end of a unit."""
    unit = _unit(db, actor, unit_id)
    count = db.scalar(select(func.count()).select_from(Lesson).where(Lesson.course_id == unit.course_id))
    if count >= MAX_LESSONS:
        raise Invalid(N_("A course can have at most {max} lessons."), max=MAX_LESSONS)
    _dates(opens_at, closes_at)
    _check_prerequisite(db, unit.course_id, None, prerequisite_id)
    lesson = Lesson(course_id=unit.course_id, unit_id=unit.id, title=_title(title), summary=nfc(summary or "")[:20000],
                    opens_at=opens_at, closes_at=closes_at, prerequisite_id=prerequisite_id,
                    position=_next_position(db, Lesson.position, Lesson.unit_id == unit.id))
    unit.lessons.append(lesson)
    db.commit()
    return lesson


def get_lesson(*, db: Session, actor: User, lesson_id: int) -> Lesson:
    """Return a lesson of a course the actor may see."""
    lesson = db.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(LESSON_NOT_FOUND)
    get_course(db=db, actor=actor, course_id=lesson.course_id)
    return lesson


def update_lesson(*, db: Session, actor: User, lesson_id: int, title: str, summary: str = "",
                  opens_at: datetime | None = None, closes_at: datetime | None = None,
                  prerequisite_id: int | None = None) -> Lesson:
    """Change a lesson's title, summary, dates and the lesson to complete first."""
    lesson = get_lesson(db=db, actor=actor, lesson_id=lesson_id)
    editable_course(db=db, actor=actor, course_id=lesson.course_id)
    _dates(opens_at, closes_at)
    _check_prerequisite(db, lesson.course_id, lesson, prerequisite_id)
    lesson.title, lesson.summary = _title(title), nfc(summary or "")[:20000]
    lesson.opens_at, lesson.closes_at, lesson.prerequisite_id = opens_at, closes_at, prerequisite_id
    db.commit()
    return lesson


# --- activities --------------------------------------------------------------------------------

def _settings(kind: ActivityType, raw: dict[str, Any]) -> dict[str, Any]:
    model: type[BaseModel] | None = kind.settings
    if model is None:
        return {}
    try:
        return model.model_validate(raw or {}).model_dump(mode="json")
    except ValidationError:
        raise Invalid(kind.settings_error or N_("The settings of this activity are not valid.")) from None


def add_activity(*, db: Session, actor: User, types: dict[str, ActivityType], lesson_id: int, type: str,
                 title: str, instructions: str = "", settings: dict[str, Any] | None = None,
                 completion: str | None = None, threshold: float | None = None, required: bool = True,
                 opens_at: datetime | None = None, closes_at: datetime | None = None) -> Activity:
    """Add an activity of a registered type at the end of a lesson; its type checks and completes its settings."""
    lesson = get_lesson(db=db, actor=actor, lesson_id=lesson_id)
    course = editable_course(db=db, actor=actor, course_id=lesson.course_id)
    kind = types.get(type)
    if kind is None:
        raise Invalid(UNKNOWN_TYPE)
    if len(lesson.activities) >= MAX_ACTIVITIES:
        raise Invalid(N_("A lesson can have at most {max} activities."), max=MAX_ACTIVITIES)
    rule = completion or kind.completion_rules[0]
    if rule not in kind.completion_rules or rule not in set(Completion):
        raise Invalid(BAD_COMPLETION)
    threshold = _threshold(rule, threshold)
    _dates(opens_at, closes_at)
    values = _settings(kind, settings or {})
    if kind.prepare is not None:  # e.g. a material activity checks the material and pins its published version
        values = kind.prepare(db=db, actor=actor, course=course, settings=values)
    activity = Activity(course_id=course.id, lesson_id=lesson.id, type=kind.name, title=_title(title),
                        instructions=nfc(instructions or "")[:20000], settings=values, completion=rule,
                        threshold=threshold, required=bool(required), opens_at=opens_at, closes_at=closes_at,
                        position=_next_position(db, Activity.position, Activity.lesson_id == lesson.id))
    try:
        lesson.activities.append(activity)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return activity


def _threshold(rule: str, value: float | None) -> float | None:
    if rule == Completion.watched:
        value = 0.8 if value is None else float(value)
        if not 0.1 <= value <= 1.0:
            raise Invalid(BAD_THRESHOLD, low="0.1", high="1")
        return value
    if rule == Completion.passed:
        value = 5.0 if value is None else float(value)
        if not 0 <= value <= 10:
            raise Invalid(BAD_THRESHOLD, low="0", high="10")
        return value
    return None


def get_activity(*, db: Session, actor: User, activity_id: int) -> Activity:
    """Return an activity of a course the actor may see."""
    activity = db.get(Activity, activity_id)
    if activity is None:
        raise NotFound(ACTIVITY_NOT_FOUND)
    get_course(db=db, actor=actor, course_id=activity.course_id)
    return activity


def remove_activity(*, db: Session, actor: User, activity_id: int) -> None:
    """Delete an activity nobody has done anything in yet; one with a record is refused (the record stays)."""
    from lms_core.progress.models import StatementRow

    activity = get_activity(db=db, actor=actor, activity_id=activity_id)
    editable_course(db=db, actor=actor, course_id=activity.course_id)
    used = db.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.activity_id == activity.id))
    if used:
        raise Invalid(N_("Students have already worked on this activity, so it cannot be deleted. Mark it optional instead."))
    db.get(Lesson, activity.lesson_id).activities.remove(activity)  # delete-orphan deletes the row
    db.commit()


# --- copying to a new year ----------------------------------------------------------------------

def copy_course(*, db: Session, actor: User, course_id: int, academic_year_id: int, class_ids: tuple[int, ...],
                title: str | None = None) -> Course:
    """Copy a course with its units, lessons and activities to classes of another year (dates are left empty)."""
    source = get_course(db=db, actor=actor, course_id=course_id)
    permissions.require(actor, "course.edit", source)
    fields = CourseFields(title=title or source.title, subject_id=source.subject_id, grade=source.grade,
                          academic_year_id=academic_year_id, class_ids=class_ids,
                          teacher_ids=tuple(t.id for t in source.teachers if source.school_id in t.school_ids(Role.teacher)),
                          description=source.description, late_policy=source.late_policy)
    course = Course(created_by_id=actor.id, copied_from_id=source.id)
    try:
        _apply(db, actor, course, fields)
        if course.school_id != source.school_id:
            raise Invalid(BAD_CLASSES)
        db.add(course)
        db.flush()
        lesson_map: dict[int, Lesson] = {}
        prerequisites: list[tuple[Lesson, int]] = []
        for unit in source.units:
            new_unit = Unit(course_id=course.id, title=unit.title, position=unit.position)
            course.units.append(new_unit)
            db.flush()
            for lesson in unit.lessons:
                new_lesson = Lesson(course_id=course.id, unit_id=new_unit.id, title=lesson.title,
                                    summary=lesson.summary, position=lesson.position)
                new_unit.lessons.append(new_lesson)
                db.flush()
                lesson_map[lesson.id] = new_lesson
                if lesson.prerequisite_id:
                    prerequisites.append((new_lesson, lesson.prerequisite_id))
                for a in lesson.activities:
                    new_lesson.activities.append(Activity(course_id=course.id, lesson_id=new_lesson.id, type=a.type, title=a.title,
                                    instructions=a.instructions, settings=dict(a.settings or {}),
                                    completion=a.completion, threshold=a.threshold, required=a.required,
                                    position=a.position))
        for new_lesson, old_id in prerequisites:
            if old_id in lesson_map:
                new_lesson.prerequisite_id = lesson_map[old_id].id
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return course
