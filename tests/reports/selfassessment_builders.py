"""Builders for the self-assessment tests: a school's use of the platform in one school year, as real rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from lms_core.assessment.models import Question, QuestionVersion, QuizAttempt
from lms_core.courses.models import Activity, Attendance, Course, CourseClass, CourseTeacher, Lesson, Unit
from lms_core.gradebook.models import GradeColumn, GradeEntry, Gradebook
from lms_core.org.models import School, SchoolClass
from lms_core.progress.models import StatementRow


def in_year(world, days: int = 20) -> datetime:  # noqa: ANN001
    """Return an instant inside the world's school year (noon UTC, `days` after it starts)."""
    return datetime.combine(world.year.start_date + timedelta(days=days), time(12), UTC)


@dataclass
class Use:
    """What was built: the course, its quiz and live activities."""

    course: Course
    quiz: Activity
    live: Activity


def course_for(db: Session, world, school: School, klass: SchoolClass, teacher, lessons: int = 3) -> Use:  # noqa: ANN001
    """Add a course of the year for one class, taught and built by a teacher, with lessons, a quiz and a live session."""
    course = Course(school_id=school.id, academic_year_id=world.year.id, subject_id=world.subject.id, grade=klass.grade,
                    title=f"Tiếng Anh {klass.name}", created_by_id=teacher.id)
    db.add(course)
    db.flush()
    db.add_all([CourseClass(course_id=course.id, class_id=klass.id), CourseTeacher(course_id=course.id, user_id=teacher.id)])
    unit = Unit(course_id=course.id, position=1, title="Unit 1")
    db.add(unit)
    db.flush()
    first = None
    for n in range(lessons):
        lesson = Lesson(course_id=course.id, unit_id=unit.id, position=n, title=f"Bài {n + 1}")
        db.add(lesson)
        db.flush()
        first = first or lesson
    quiz = Activity(course_id=course.id, lesson_id=first.id, position=1, type="quiz", title="Kiểm tra 15 phút", settings={})
    live = Activity(course_id=course.id, lesson_id=first.id, position=2, type="live", title="Học trực tuyến", settings={})
    db.add_all([quiz, live])
    db.flush()
    return Use(course, quiz, live)


def attempt(db: Session, world, activity: Activity, student, status: str = "graded", number: int = 1) -> None:  # noqa: ANN001
    """Add a student's attempt at a quiz (handed in unless `status` says otherwise)."""
    db.add(QuizAttempt(activity_id=activity.id, student_id=student.id, number=number, layout=[], started_at=in_year(world),
                       submitted_at=in_year(world) if status != "in_progress" else None, status=status,
                       score=Decimal("8"), max_score=Decimal("10")))
    db.flush()


def attendance(db: Session, world, activity: Activity, student, teacher, status: str = "present") -> None:  # noqa: ANN001
    """Mark a student at a live session."""
    db.add(Attendance(activity_id=activity.id, student_id=student.id, status=status, taken_by_id=teacher.id,
                      taken_at=in_year(world)))
    db.flush()


def statement(db: Session, world, user, course: Course, verb: str, activity: Activity | None = None,  # noqa: ANN001
              when: datetime | None = None) -> None:
    """Add an xAPI statement of a user in a course (inside the school year unless `when` is given)."""
    db.add(StatementRow(id=str(uuid.uuid4()), user_id=user.id, verb=verb, object_iri="https://example.test/a",
                        course_id=course.id, activity_id=activity.id if activity else None,
                        timestamp=when or in_year(world), body={}))
    db.flush()


def question(db: Session, world, school: School, teacher) -> Question:  # noqa: ANN001
    """Add a bank question written by a teacher during the year."""
    q = Question(school_id=school.id, subject_id=world.subject.id, grade=6, owner_id=teacher.id, type="single",
                 title="Câu hỏi", created_at=in_year(world), updated_at=in_year(world))
    db.add(q)
    db.flush()
    db.add(QuestionVersion(question_id=q.id, number=1, data={}, created_by_id=teacher.id, created_at=in_year(world)))
    db.flush()
    return q


def marks_from_quiz(db: Session, world, use: Use, klass: SchoolClass, student, teacher) -> None:  # noqa: ANN001
    """Add a gradebook for the class whose first column takes its marks from the course's quiz, with one mark."""
    term = world.year.terms[0]
    book = Gradebook(course_id=use.course.id, class_id=klass.id, term_id=term.id, mode="score", periods_per_year=105,
                     created_by_id=teacher.id)
    db.add(book)
    db.flush()
    column = GradeColumn(gradebook_id=book.id, kind="tx", number=1, position=1, activity_id=use.quiz.id)
    db.add(column)
    db.flush()
    db.add(GradeEntry(column_id=column.id, student_id=student.id, score=Decimal("8.0"), source="activity",
                      updated_by_id=teacher.id, updated_at=in_year(world)))
    db.flush()
