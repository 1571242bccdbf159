"""The demo's courses: for each class, a course per subject its teachers teach that the packs have material for.

A course holds a unit per curriculum topic, a lesson per pack material (the material activity pins its published
version), and, placed in time: a lesson's discussion, an assignment, a live session that took place and one to come,
and two quizzes of the pack's questions (the second still open). Lessons open one after another over the term, so
the newest are the least done. Everything is found again by its title on a later run: nothing is made twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem
from content.demo import texts
from content.demo.catalogue import Catalogue, PackMaterialRow, PackQuestionRow
from content.demo.timeline import Term
from content.materials.models import MaterialKind
from lms_core.accounts.models import TeachingAssignment, User
from lms_core.assessment import bank, rules
from lms_core.assessment.items import Criterion, Item, QType
from lms_core.assessment.models import Question
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, Lesson, Unit
from lms_core.org.models import SchoolClass, Subject
from lms_core.plugins.types import ActivityType

QUIZ_QUESTIONS, QUIZ_MINUTES, QUIZ_ATTEMPTS = 8, 20, 2
LIVE_MINUTES = 45
ASSIGNMENT_AT, LIVE_AT, QUIZ_AT = 0.30, 0.45, 0.55  # shares of the term so far
LAST_MATERIAL_AT = 0.92
READ_WITHIN = 14  # days a lesson's reading is due after it opens (the progress grid shows who is behind)


@dataclass
class DemoCourse:
    """A demo course, its class and teacher, and its activities by role (what the history works through)."""

    course: Course
    klass: SchoolClass
    teacher: User
    subject: Subject
    area: texts.Area
    materials: list[tuple[Activity, PackMaterialRow]] = field(default_factory=list)
    quizzes: list[Activity] = field(default_factory=list)
    assignment: Activity | None = None
    live: Activity | None = None
    live_next: Activity | None = None
    discussion: Activity | None = None
    lessons: dict[int, Lesson] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return the course's stable name for seeding its history."""
        return f"{self.klass.name}/{self.subject.code}"


@dataclass
class _Spec:
    """One lesson to place in time: its kind, title, when it opens, and what it needs."""

    kind: str
    title: str
    share: float
    row: PackMaterialRow | None = None
    number: int = 0


def teacher_of(db: Session, klass: SchoolClass, subject: Subject) -> User | None:
    """Return the teacher who teaches a subject to a class (the first, when several do)."""
    return db.scalar(select(User).join(TeachingAssignment, TeachingAssignment.teacher_id == User.id).where(
        TeachingAssignment.class_id == klass.id, TeachingAssignment.subject_id == subject.id,
        User.is_active.is_(True)).order_by(TeachingAssignment.id).limit(1))


def build_courses(*, db: Session, school_id: int, year_id: int, catalogue: Catalogue, term: Term,
                  types: dict[str, ActivityType]) -> list[DemoCourse]:
    """Return the demo courses of a school's classes in a year, making what is missing."""
    classes = list(db.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id,
                                                        SchoolClass.academic_year_id == year_id)
                              .order_by(SchoolClass.grade, SchoolClass.name)))
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    made = []
    for klass in classes:
        for code in sorted({c for c, g in catalogue.materials if g == klass.grade}):
            subject = subjects.get(code)
            rows = catalogue.materials[(code, klass.grade)]
            teacher = teacher_of(db, klass, subject) if subject else None
            if teacher is None or not rows:
                continue
            made.append(_course(db, klass, teacher, subject, rows, catalogue, term, types, year_id))
    return made


def _course(db: Session, klass: SchoolClass, teacher: User, subject: Subject, rows: list[PackMaterialRow],
            catalogue: Catalogue, term: Term, types: dict[str, ActivityType], year_id: int) -> DemoCourse:
    area = texts.area_of(subject.code, subject.name_vi)
    title = f"{area.title} {klass.name}"
    course = db.scalar(select(Course).where(Course.school_id == klass.school_id, Course.academic_year_id == year_id,
                                            Course.title == title))
    if course is None:
        packs = ", ".join(sorted({r.pack for r in rows}))
        course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
            title=title, subject_id=subject.id, grade=klass.grade, academic_year_id=year_id, class_ids=(klass.id,),
            description=texts.COURSE_DESCRIPTION.format(klass=klass.name, packs=packs)))
    demo = DemoCourse(course=course, klass=klass, teacher=teacher, subject=subject, area=area)
    builder = _Builder(db, demo, term, types)
    specs = _specs(rows, term, area)
    units = _unit_titles(db, subject.id, klass.grade, rows)
    topic = rows[0].topic
    quiz_specs = [s for s in specs if s.kind == "quiz"]
    for spec in specs:
        if spec.row is not None:
            topic = spec.row.topic
        unit = builder.unit(units.get(topic) or texts.UNIT_FALLBACK.format(n=topic))
        builder.lesson_for(unit, spec, rows, catalogue, quiz_specs)
    return demo


def _specs(rows: list[PackMaterialRow], term: Term, area: texts.Area) -> list[_Spec]:
    n = len(rows)
    specs = [_Spec("material", r.entry.title, LAST_MATERIAL_AT * i / n, row=r) for i, r in enumerate(rows)]
    specs.append(_Spec("assignment", texts.ASSIGNMENT_LESSON.format(title=area.assignment), ASSIGNMENT_AT))
    specs.append(_Spec("live", texts.LIVE_LESSON.format(title=rows[min(n - 1, n // 2)].entry.title), LIVE_AT))
    specs.append(_Spec("quiz", texts.QUIZ_LESSON.format(n=1), QUIZ_AT, number=1))
    second = 1 - 6 / term.days  # six days before the horizon, still open
    if (second - QUIZ_AT) * term.days >= 5:
        specs.append(_Spec("quiz", texts.QUIZ_LESSON.format(n=2), second, number=2))
    specs.append(_Spec("live_next", texts.LIVE_NEXT_LESSON, 1 - 2 / term.days))
    return sorted(specs, key=lambda s: s.share)  # stable: a material before a task placed at the same moment


def _unit_titles(db: Session, subject_id: int, grade: int, rows: list[PackMaterialRow]) -> dict[int, str]:
    keys = {str(r.topic) for r in rows}
    return {int(key): title for key, title in db.execute(select(CurriculumItem.key, CurriculumItem.title).where(
        CurriculumItem.subject_id == subject_id, CurriculumItem.grade == grade, CurriculumItem.key.in_(keys),
        CurriculumItem.province_id.is_(None)))}


class _Builder:
    """Finds or adds the units, lessons and activities of one demo course, as its teacher."""

    def __init__(self, db: Session, demo: DemoCourse, term: Term, types: dict[str, ActivityType]) -> None:
        self.db, self.demo, self.term, self.types = db, demo, term, types
        self.actor = demo.teacher

    def unit(self, title: str) -> Unit:
        course = self.demo.course
        found = next((u for u in course.units if u.title == title[:200]), None)
        return found or courses.add_unit(db=self.db, actor=self.actor, course_id=course.id, title=title[:200])

    def lesson(self, unit: Unit, title: str, opens_at: datetime, summary: str = "",
               closes_at: datetime | None = None) -> Lesson:
        found = next((x for x in unit.lessons if x.title == title[:200]), None)
        lesson = found or courses.add_lesson(db=self.db, actor=self.actor, unit_id=unit.id, title=title[:200],
                                             summary=summary, opens_at=opens_at, closes_at=closes_at)
        self.demo.lessons[lesson.id] = lesson
        return lesson

    def activity(self, lesson: Lesson, type: str, title: str, **options: Any) -> Activity:
        found = next((a for a in lesson.activities if a.type == type and a.title == title[:200]), None)
        return found or courses.add_activity(db=self.db, actor=self.actor, types=self.types, lesson_id=lesson.id,
                                             type=type, title=title[:200], **options)

    def lesson_for(self, unit: Unit, spec: _Spec, rows: list[PackMaterialRow], catalogue: Catalogue,
                   quiz_specs: list[_Spec]) -> None:
        term, demo = self.term, self.demo
        opens = term.morning(term.at(spec.share))
        if spec.kind == "material":
            row = spec.row
            lesson = self.lesson(unit, spec.title, opens, row.entry.description,
                                 closes_at=term.evening(opens, READ_WITHIN))
            media = row.material.kind in (MaterialKind.video, MaterialKind.audio)
            activity = self.activity(lesson, "media" if media else "material", row.entry.title,
                                     settings={"material_id": row.material.id},
                                     completion="watched" if media else "viewed")
            demo.materials.append((activity, row))
            if len(demo.materials) == 1:
                demo.discussion = self.activity(lesson, "discussion", texts.DISCUSSION,
                                                instructions=texts.DISCUSSION_INSTRUCTIONS, required=False)
        elif spec.kind == "assignment":
            lesson = self.lesson(unit, spec.title, opens, demo.area.assignment_task)
            demo.assignment = self.activity(lesson, "assignment", demo.area.assignment,
                                            instructions=demo.area.assignment_task,
                                            settings={"accept_text": True, "accept_file": True, "max_attempts": 2},
                                            closes_at=term.evening(opens, 7))
        elif spec.kind in ("live", "live_next"):
            lesson = self.lesson(unit, spec.title, opens, texts.LIVE_SUMMARY)
            starts = term.local(term.day_of(opens) + timedelta(days=2 if spec.kind == "live" else 7), 19, 30)
            slug = f"{demo.klass.name}-{demo.subject.code}".lower()
            activity = self.activity(lesson, "live", texts.LIVE_ACTIVITY, required=spec.kind == "live", settings={
                "starts_at": starts.isoformat(), "duration_minutes": LIVE_MINUTES,
                "link": f"https://meet.example.org/tan-cuong-{slug}"})
            setattr(demo, spec.kind, activity)
        elif spec.kind == "quiz":
            lesson = self.lesson(unit, spec.title, opens)
            closes = term.evening(opens, 7 if spec.number == 1 else 9)
            questions = self.quiz_questions(spec, rows, catalogue, quiz_specs)
            demo.quizzes.append(self.activity(
                lesson, "quiz", texts.QUIZ_ACTIVITY.format(n=spec.number), completion="passed", threshold=5.0,
                closes_at=closes, instructions=texts.QUIZ_INSTRUCTIONS.format(minutes=QUIZ_MINUTES,
                                                                            attempts=QUIZ_ATTEMPTS),
                settings={"questions": [{"question_id": q} for q in questions], "time_limit": QUIZ_MINUTES,
                          "attempts": QUIZ_ATTEMPTS, "shuffle_options": True}))

    def quiz_questions(self, spec: _Spec, rows: list[PackMaterialRow], catalogue: Catalogue,
                       quiz_specs: list[_Spec]) -> list[int]:
        """Return the questions of a quiz: pack questions on the materials it covers, and one essay."""
        demo = self.demo
        pool = catalogue.questions.get((demo.subject.code, demo.klass.grade), [])
        earlier = max((s.share for s in quiz_specs if s.share < spec.share), default=-1.0)
        n = len(rows)
        covered = {r.entry.slug for i, r in enumerate(rows) if earlier <= LAST_MATERIAL_AT * i / n < spec.share}
        chosen = _spread([q for q in pool if not q.essay and q.meta.material in covered], QUIZ_QUESTIONS)
        if len(chosen) < 4:  # too few on these materials: draw on the whole subject and grade
            chosen = _spread([q for q in pool if not q.essay], QUIZ_QUESTIONS)
        essays = [q for q in pool if q.essay]
        essay = next((q for q in essays if q.meta.material in covered), essays[0] if essays else None)
        ids = [q.question.id for q in chosen]
        ids.append(essay.question.id if essay else self.reflection().id)
        return ids

    def reflection(self) -> Question:
        """Return the teacher's own short essay question for the course's subject and grade (made once)."""
        demo = self.demo
        found = self.db.scalar(select(Question).where(
            Question.owner_id == self.actor.id, Question.subject_id == demo.subject.id,
            Question.grade == demo.klass.grade, Question.title == texts.REFLECTION_TITLE))
        if found is not None:
            return found
        from decimal import Decimal

        rubric = [Criterion(text, Decimal(points)) for text, points in texts.REFLECTION_RUBRIC]
        item = Item(type=QType.essay, stem=texts.REFLECTION_STEM, title=texts.REFLECTION_TITLE,
                    points=sum((c.points for c in rubric), Decimal(0)), rubric=rubric, level="van_dung",
                    difficulty=2)
        return bank.create_question(db=self.db, actor=self.actor, subject_id=demo.subject.id,
                                    grade=demo.klass.grade, item=item, visibility=rules.SCHOOL, source="form")


def _spread(pool: list[PackQuestionRow], count: int) -> list[PackQuestionRow]:
    """Return up to `count` questions taken evenly across the pool (so several materials and levels are asked)."""
    if len(pool) <= count:
        return list(pool)
    step = len(pool) / count
    return [pool[int(i * step)] for i in range(count)]
