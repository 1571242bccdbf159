"""Fixtures of the tests of reports sent upward (report_*): teaching plans of two schools and a term of platform use.

The numbers every report test reasons from:
- School A (Xã Một), class 6A, English: 70 periods, two a week over weeks 1-35; periods 1, 2 and 9 planned online;
  period 1 delivered online in week 1, period 2 in person in week 1, period 5 recorded in person in week 3 then
  corrected to online (self-paced) in week 4 → whole year: 70 planned, 3 planned online, 3 delivered, 2 online:
  2.9 %, against the lower-secondary default target of 10 % (7.1 points short).
- School B (Xã Hai), class 6A, English: 70 periods; periods 1-8 planned online and delivered online in weeks 1-4
  → 8 of 70: 11.4 %, above the target.
- The province (A + B): 140 planned, 11 planned online, 11 delivered, 10 online: 7.1 %, 2.9 points short.
- Term 1 (5 September to 17 January) is weeks 1-20: school A has 40 periods planned there, the same 3 planned
  online, 3 delivered and 2 online → 5.0 %.
- Use in the school year (`inside`), plus some outside it (`outside`, a month before it starts), see `usage`.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_core.accounts.auth import token_hash
from lms_core.accounts.models import UserSession
from lms_core.assessment.models import QuizAttempt
from lms_core.blended import aggregates
from lms_core.blended import service as blended
from lms_core.courses.models import Activity, Course, Lesson, Unit
from lms_core.plugins.host import PluginHost
from lms_core.progress.models import StatementRow
from tests.blended.conftest import CurriculumPlugin, record_sample_week, school_day


@pytest.fixture()
def report_plans(db: Session, world) -> Any:  # noqa: ANN001
    """Make and record the two schools' English plans (see the module's notes), then refresh the aggregates."""
    planner = PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})
    plan_a = blended.generate_plan(db=db, actor=world.teacher, host=planner, class_id=world.class_6a.id,
                                   subject_id=world.subject.id, year_id=world.year.id)
    record_sample_week(db, world, plan_a)
    plan_b = blended.generate_plan(db=db, actor=world.other_school_teacher, host=planner,
                                   class_id=world.other_class.id, subject_id=world.subject.id, year_id=world.year.id)
    for position in range(1, 9):
        period = plan_b.periods[position - 1]
        blended.change_period(db=db, actor=world.other_school_teacher, period_id=period.id, mode="online_live")
        blended.confirm(db=db, actor=world.other_school_teacher, period_id=period.id,
                        delivered_on=school_day(world, (position + 1) // 2), mode="online_live")
    aggregates.refresh(db=db)
    return world


@dataclass
class Usage:
    """The instants the usage rows were written at."""

    inside: datetime
    outside: datetime


def _course(db: Session, world: Any, school: Any, teacher: Any) -> tuple[Course, Activity]:
    course = Course(school_id=school.id, academic_year_id=world.year.id, subject_id=world.subject.id, grade=6,
                    title="Tiếng Anh 6", created_by_id=teacher.id)
    db.add(course)
    db.flush()
    unit = Unit(course_id=course.id, position=1, title="Unit 1")
    db.add(unit)
    db.flush()
    lesson = Lesson(course_id=course.id, unit_id=unit.id, position=1, title="Bài 1")
    db.add(lesson)
    db.flush()
    quiz = Activity(course_id=course.id, lesson_id=lesson.id, position=1, type="quiz", title="Kiểm tra", settings={})
    db.add(quiz)
    db.flush()
    return course, quiz


@pytest.fixture()
def usage(db: Session, world) -> Usage:  # noqa: ANN001
    """Write a term's use of the platform in schools A and B, and some before the year that must not count.

    School A: teacher signed in (the other teacher did not) → 1 of 2 teachers active; the student has a statement in
    the year, the classmate only before it, student 7A none → 1 of 3 students active; one quiz attempt submitted in
    the year (another graded before it, one still in progress); the tutor asked 3 questions in the year by 2 students
    (one more before it); 2 materials made in the year, one of them published in the shared repository (one more
    before it). School B: its teacher signed in, its student has a statement, 1 quiz, 1 tutor question, 1 material."""
    from ai_tutor.models import TutorExchange
    from content.materials.models import Material, MaterialVersion

    inside = datetime.combine(world.year.start_date + timedelta(days=10), time(3), UTC)
    outside = datetime.combine(world.year.start_date - timedelta(days=30), time(3), UTC)
    for user in (world.teacher, world.other_school_teacher):
        db.add(UserSession(token_hash=token_hash(secrets.token_urlsafe(16)), user_id=user.id, created_at=inside,
                           expires_at=inside + timedelta(days=1)))
    for user, moment in ((world.student, inside), (world.classmate, outside), (world.other_school_student, inside)):
        db.add(StatementRow(id=str(uuid.uuid4()), user_id=user.id, verb="viewed", object_iri="https://example.test/a",
                            timestamp=moment, body={}))
    course_a, quiz_a = _course(db, world, world.school, world.teacher)
    course_b, quiz_b = _course(db, world, world.other_school, world.other_school_teacher)

    def attempt(quiz: Activity, student: Any, number: int, status: str, moment: datetime | None) -> None:
        db.add(QuizAttempt(activity_id=quiz.id, student_id=student.id, number=number, layout=[], started_at=moment
                           or inside, submitted_at=moment, status=status, score=Decimal("8"),
                           max_score=Decimal("10")))

    attempt(quiz_a, world.student, 1, "submitted", inside)
    attempt(quiz_a, world.student, 2, "graded", outside)
    attempt(quiz_a, world.classmate, 1, "in_progress", None)
    attempt(quiz_b, world.other_school_student, 1, "graded", inside)
    for student, course, moment in ((world.student, course_a, inside), (world.student, course_a, inside),
                                    (world.classmate, course_a, inside), (world.classmate, course_a, outside),
                                    (world.other_school_student, course_b, inside)):
        db.add(TutorExchange(student_id=student.id, course_id=course.id, question="Thì hiện tại là gì?",
                             language="vi", mode="answer", answer="…", created_at=moment))
    for teacher, school, moment, shared in ((world.teacher, world.school, inside, True),
                                            (world.teacher, world.school, inside, False),
                                            (world.teacher, world.school, outside, True),
                                            (world.other_school_teacher, world.other_school, inside, False)):
        m = Material(owner_id=teacher.id, school_id=school.id, title="Học liệu", kind="page",
                     visibility="shared" if shared else "private", created_at=moment)
        db.add(m)
        db.flush()
        if shared:
            v = MaterialVersion(material_id=m.id, number=1, created_by_id=teacher.id, body_markdown="x",
                                status="published")
            db.add(v)
            db.flush()
            m.current_version_id = m.published_version_id = v.id
    db.commit()
    return Usage(inside, outside)


@pytest.fixture()
def report_host() -> PluginHost:
    """A plugin host with the content package and the AI tutor, whose report sections the reports gather."""
    import ai_tutor.plugin
    import content.plugin

    return PluginHost(load_entry_points=False, plugins={"content": content.plugin, "ai_tutor": ai_tutor.plugin})
