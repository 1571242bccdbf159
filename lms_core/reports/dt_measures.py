"""Figures the self-assessment takes from the platform's own data, for one school and one school year.

Each measure returns a value (a percentage or a count) and the evidence behind it as a message with its numbers
("34 of 41 teachers …"), kept as msgid + parameters so it reads in the viewer's language. Only what the core owns
is counted: the content package's materials and its curriculum coverage are reachable through no interface yet, so
no measure reads them (the indicator file says so where it matters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, User
from lms_core.assessment.models import Question, QuestionVersion, QuizAttempt
from lms_core.courses.models import Activity, Attendance, Course, CourseClass, CourseTeacher, DiscussionPost, Lesson
from lms_core.gradebook.models import GradeColumn, GradeEntry, Gradebook
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass
from lms_core.progress.models import StatementRow

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # a school year's dates are the school's dates
QUIZ, LIVE = "quiz", "live"
DONE_ATTEMPT = ("submitted", "graded")
ATTENDED = ("present", "late")


@dataclass(frozen=True)
class Measured:
    """A measure's value and its evidence (an msgid and the numbers that fill it)."""

    value: float
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    """A figure the platform computes: what kind of value it gives, its name, and how it is computed."""

    kind: str  # "percent" or "count"
    title: str
    compute: Callable[[Session, User, School, AcademicYear], Measured]


def window(year: AcademicYear) -> tuple[datetime, datetime]:
    """Return the school year as UTC instants: from its first day's start to its last day's end (local dates)."""
    start = datetime.combine(year.start_date, time.min, LOCAL).astimezone(UTC)
    end = datetime.combine(year.end_date + timedelta(days=1), time.min, LOCAL).astimezone(UTC)
    return start, end


def percent(part: int, whole: int) -> float:
    """Return part ÷ whole in percent, one decimal (0 when there is no whole)."""
    return round(100 * part / whole, 1) if whole else 0.0


def _in(column: Any, year: AcademicYear) -> ColumnElement[bool]:
    start, end = window(year)
    return (column >= start) & (column < end)


def _courses(school: School, year: AcademicYear) -> Any:
    return select(Course.id).where(Course.school_id == school.id, Course.academic_year_id == year.id,
                                   Course.archived.is_(False))


def _classes(school: School, year: AcademicYear) -> Any:
    return select(SchoolClass.id).where(SchoolClass.school_id == school.id, SchoolClass.academic_year_id == year.id)


def _teachers(school: School) -> ColumnElement[bool]:
    """The school's teachers with an active account."""
    return User.is_active.is_(True) & exists().where(RoleAssignment.user_id == User.id,
                                                     RoleAssignment.role == Role.teacher,
                                                     RoleAssignment.school_id == school.id)


def _count(db: Session, query: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)


# --- teachers and students ---------------------------------------------------------------------------------------

def _bank_authors(school: School, year: AcademicYear) -> Any:
    """The authors of question versions of the school's own bank written in the year."""
    return select(QuestionVersion.created_by_id).join(Question, Question.id == QuestionVersion.question_id).where(
        Question.school_id == school.id, _in(QuestionVersion.created_at, year))


def teachers_active(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Teachers whose account was used to teach this year in this school: a course, its gradebook, attendance or
    discussions, or questions of the school's bank (a teacher of two schools counts where they taught)."""
    courses = _courses(school, year)
    activities = select(Activity.id).where(Activity.course_id.in_(courses))
    columns = select(GradeColumn.id).join(Gradebook, Gradebook.id == GradeColumn.gradebook_id).where(
        Gradebook.course_id.in_(courses))
    used = or_(
        User.id.in_(select(CourseTeacher.user_id).where(CourseTeacher.course_id.in_(courses))),
        User.id.in_(select(GradeEntry.updated_by_id).where(GradeEntry.column_id.in_(columns),
                                                           _in(GradeEntry.updated_at, year))),
        User.id.in_(select(Attendance.taken_by_id).where(Attendance.activity_id.in_(activities),
                                                         _in(Attendance.taken_at, year))),
        User.id.in_(select(DiscussionPost.author_id).where(DiscussionPost.activity_id.in_(activities),
                                                           _in(DiscussionPost.created_at, year))),
        User.id.in_(_bank_authors(school, year)),
    )
    total = _count(db, select(User.id).where(_teachers(school)))
    n = _count(db, select(User.id).where(_teachers(school), used))
    return Measured(percent(n, total), N_("{n} of {total} teachers used the platform to teach this school year "
                                          "(a course, a gradebook, attendance, a discussion or bank questions)."),
                    {"n": n, "total": total})


def teachers_building(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Teachers who built digital material for this school this year: a course of the year with lessons, or questions
    for the school's bank."""
    with_lessons = select(Course.created_by_id).where(Course.id.in_(_courses(school, year)),
                                                      exists().where(Lesson.course_id == Course.id))
    built = or_(User.id.in_(with_lessons), User.id.in_(_bank_authors(school, year)))
    total = _count(db, select(User.id).where(_teachers(school)))
    n = _count(db, select(User.id).where(_teachers(school), built))
    return Measured(percent(n, total), N_("{n} of {total} teachers built digital lessons or wrote bank questions "
                                          "this school year."), {"n": n, "total": total})


def students_active(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Students of the year's classes whose account was used this year (any learning event recorded)."""
    enrolled = select(distinct(ClassEnrolment.student_id)).where(ClassEnrolment.class_id.in_(_classes(school, year)))
    total = _count(db, enrolled)
    start, end = window(year)
    n = _count(db, select(User.id).where(User.id.in_(enrolled), User.is_active.is_(True), exists().where(
        StatementRow.user_id == User.id, StatementRow.timestamp >= start, StatementRow.timestamp < end)))
    return Measured(percent(n, total), N_("{n} of {total} students of this year's classes used their account this "
                                          "school year."), {"n": n, "total": total})


# --- courses, lessons, tests -------------------------------------------------------------------------------------

def classes_with_courses(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Classes of the year that are taught at least one course on the platform."""
    classes = _classes(school, year)
    total = _count(db, classes)
    n = _count(db, select(distinct(CourseClass.class_id)).where(CourseClass.class_id.in_(classes),
                                                                CourseClass.course_id.in_(_courses(school, year))))
    return Measured(percent(n, total), N_("{n} of {total} classes of this school year have a course on the platform."),
                    {"n": n, "total": total})


def digital_lessons(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Lessons built in the school's courses of the year."""
    courses = _courses(school, year)
    n = _count(db, select(Lesson.id).where(Lesson.course_id.in_(courses)))
    c = _count(db, select(distinct(Lesson.course_id)).where(Lesson.course_id.in_(courses)))
    return Measured(float(n), N_("Lessons built in the school's courses this school year: {n} (courses with lessons: "
                                 "{courses})."),
                    {"n": n, "courses": c})


def question_bank(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Questions of the school's bank (not archived), and how many were added this year."""
    mine = select(Question.id).where(Question.school_id == school.id, Question.archived.is_(False))
    n = _count(db, mine)
    new = _count(db, mine.where(_in(Question.created_at, year)))
    return Measured(float(n), N_("Questions in the school's bank: {n} (added this school year: {new})."),
                    {"n": n, "new": new})


def _year_activities(school: School, year: AcademicYear, kind: str) -> Any:
    return select(Activity.id).where(Activity.type == kind, Activity.course_id.in_(_courses(school, year)))


def online_tests(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Online tests (quiz attempts) handed in this year in the school's courses."""
    done = select(QuizAttempt.id, QuizAttempt.student_id).where(
        QuizAttempt.activity_id.in_(_year_activities(school, year, QUIZ)), QuizAttempt.status.in_(DONE_ATTEMPT),
        _in(QuizAttempt.submitted_at, year))
    n = _count(db, done)
    students = _count(db, select(distinct(done.subquery().c.student_id)))
    return Measured(float(n), N_("Online tests handed in this school year: {n}; students who took one: {students}."),
                    {"n": n, "students": students})


def tests_in_gradebook(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Gradebook columns that take their marks from an online test of the year's courses."""
    n = _count(db, select(GradeColumn.id).join(Gradebook, Gradebook.id == GradeColumn.gradebook_id).where(
        Gradebook.course_id.in_(_courses(school, year)),
        GradeColumn.activity_id.in_(_year_activities(school, year, QUIZ))))
    return Measured(float(n), N_("Gradebook columns that take their marks from online tests: {n}."), {"n": n})


def gradebook_use(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Classes of the year with marks in a digital gradebook."""
    classes = _classes(school, year)
    total = _count(db, classes)
    n = _count(db, select(distinct(Gradebook.class_id)).join(GradeColumn, GradeColumn.gradebook_id == Gradebook.id)
               .join(GradeEntry, GradeEntry.column_id == GradeColumn.id)
               .where(Gradebook.class_id.in_(classes), Gradebook.course_id.in_(_courses(school, year))))
    return Measured(percent(n, total), N_("{n} of {total} classes of this school year have marks in a digital "
                                          "gradebook."), {"n": n, "total": total})


def questions_asked(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Questions students asked in the year's lessons (to the AI tutor or in a discussion)."""
    asked = select(StatementRow.id, StatementRow.user_id).where(
        StatementRow.verb == "asked", StatementRow.course_id.in_(_courses(school, year)),
        _in(StatementRow.timestamp, year))
    n = _count(db, asked)
    students = _count(db, select(distinct(asked.subquery().c.user_id)))
    return Measured(float(n), N_("Questions students asked in lessons this school year, to the AI tutor or in a "
                                 "discussion: {n}; students who asked: {students}."), {"n": n, "students": students})


def live_sessions(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Live online sessions of the year's courses that were held (attendance taken, someone present)."""
    n = _count(db, select(Activity.id).where(Activity.id.in_(_year_activities(school, year, LIVE)), exists().where(
        Attendance.activity_id == Activity.id, Attendance.status.in_(ATTENDED))))
    return Measured(float(n), N_("Live online sessions held with attendance taken this school year: {n}."),
                    {"n": n})


def online_figures(db: Session, actor: User, school: School, year: AcademicYear) -> Any:
    """Return the school's blended-learning figures for the whole year (from the aggregates the worker keeps)."""
    from lms_core.blended import shares

    return shares.total(db=db, actor=actor, scope=shares.Scope("school", school.id),
                        win=shares.Window(year.id, "year", 1, shares.MAX_WEEK))


def online_periods(db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """The share of the year's curriculum periods delivered online, as the teaching plans record it."""
    f = online_figures(db, actor, school, year)
    if not f.planned_total:
        return Measured(0.0, N_("No teaching plan of this school year has periods yet."))
    return Measured(f.share, N_("{online} of {planned} curriculum periods of this school year's teaching plans were "
                                "delivered online, a share of {share} percent; {planned_online} are planned online."),
                    {"online": f.delivered_online, "planned": f.planned_total, "share": f.share,
                     "planned_online": f.planned_online})


MEASURES: dict[str, Measure] = {
    "teachers_active": Measure("percent", N_("Teachers using the platform"), teachers_active),
    "teachers_building": Measure("percent", N_("Teachers building digital materials"), teachers_building),
    "students_active": Measure("percent", N_("Students using their account"), students_active),
    "classes_with_courses": Measure("percent", N_("Classes with a course on the platform"), classes_with_courses),
    "digital_lessons": Measure("count", N_("Digital lessons built"), digital_lessons),
    "question_bank": Measure("count", N_("Questions in the school's bank"), question_bank),
    "online_tests": Measure("count", N_("Online tests taken"), online_tests),
    "tests_in_gradebook": Measure("count", N_("Gradebook columns fed by online tests"), tests_in_gradebook),
    "gradebook_use": Measure("percent", N_("Classes with a digital gradebook"), gradebook_use),
    "questions_asked": Measure("count", N_("Questions students asked"), questions_asked),
    "live_sessions": Measure("count", N_("Live online sessions held"), live_sessions),
    "online_periods": Measure("percent", N_("Curriculum periods delivered online"), online_periods),
}


def compute(name: str, *, db: Session, actor: User, school: School, year: AcademicYear) -> Measured:
    """Compute one measure for a school and a school year."""
    return MEASURES[name].compute(db, actor, school, year)
