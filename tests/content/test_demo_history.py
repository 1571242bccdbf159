"""The demo school's courses and term of history, built from small packs: every page a teacher opens shows
meaningful figures (progress, scores with a spread, an essay to grade, attendance), everything is dated inside the
term, and building again adds nothing."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import content.demo as content_demo
from content.curriculum.seed import ensure_curriculum
from content.demo.timeline import Term
from content.materials.models import Material
from content.packs.models import InstalledPack
from lms_core import demo
from lms_core.accounts.models import User
from lms_core.assessment import quiz
from lms_core.assessment.models import QuizAnswer, QuizAttempt
from lms_core.courses.models import Activity, Attendance, Course, DiscussionPost, Lesson, Submission, Unit
from lms_core.errors import Forbidden
from lms_core.gradebook import rules as gradebook_rules
from lms_core.gradebook import service as gradebooks
from lms_core.gradebook.models import GradeAudit, GradeColumn, GradeEntry, Gradebook, Kind, Mode
from lms_core.progress import service as progress
from lms_core.progress.models import StatementRow

pytestmark = pytest.mark.db
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "sample-pack"
TODAY = date(2025, 11, 20)  # a fixed day in the past: the same history on every run
STUDENTS = 10


def _copy(tmp_path: Path, name: str, subject: str) -> Path:
    """Return a copy of the sample pack under another id and subject (same curriculum keys)."""
    target = Path(shutil.copytree(SAMPLE, tmp_path / name))
    for path in (target / "pack.toml", *sorted((target / "questions").glob("*.toml"))):
        text = path.read_text(encoding="utf-8").replace('id = "sample-pack"', f'id = "{name}"')
        path.write_text(text.replace('"GDDP', f'"{subject}'), encoding="utf-8")
    return target


@pytest.fixture()
def packs(tmp_path: Path) -> list[Path]:
    """Return two small packs for grade 6: tea culture (assessed by comment) and technology (by score)."""
    return [SAMPLE, _copy(tmp_path, "sample-stem", "CN")]


def _build(db: Session, host, packs: list[Path]) -> tuple[object, dict[str, int]]:  # noqa: ANN001
    school, _ = demo.build(db, today=TODAY, students_per_class=STUDENTS)
    return school, content_demo.build(db=db, school=school, today=TODAY, packs=packs, host=host)


@pytest.fixture()
def built(db: Session, plugin_host, packs: list[Path]) -> dict[str, int]:  # noqa: ANN001
    """Build the demo school with the small packs and return what the content plugin made."""
    ensure_curriculum(db)
    db.commit()
    return _build(db, plugin_host, packs)[1]


def _course(db: Session, title: str) -> Course:
    return db.scalars(select(Course).where(Course.title == title)).one()


def _teacher(db: Session, username: str) -> User:
    return db.scalars(select(User).where(User.username == username)).one()


def test_every_grade_6_class_gets_a_course_per_subject_its_packs_cover(db: Session, built: dict[str, int]) -> None:
    titles = sorted(db.scalars(select(Course.title)))
    assert titles == ["Công nghệ 6A", "Công nghệ 6B", "Văn hoá trà Tân Cương 6A", "Văn hoá trà Tân Cương 6B"]
    assert built["courses"] == 4 and built["packs"] == 2
    course = _course(db, "Công nghệ 6A")
    assert [t.username for t in course.teachers] == ["gv.hung"] and [c.name for c in course.classes] == ["6A"]
    kinds = [a.type for a in db.scalars(select(Activity).join(Lesson).join(Unit, Unit.id == Lesson.unit_id)
                                        .where(Activity.course_id == course.id)
                                        .order_by(Unit.position, Lesson.position, Activity.position))]
    assert kinds.count("material") == 2 and kinds.count("quiz") == 2
    assert {"assignment", "live", "discussion"} <= set(kinds)
    # each material activity pins the published version of the pack's material
    for activity in db.scalars(select(Activity).where(Activity.course_id == course.id, Activity.type == "material")):
        material = db.get(Material, activity.settings["material_id"])
        assert activity.settings["version_id"] == material.published_version_id and material.school_id is None


def test_the_progress_grid_has_completions_and_the_newest_lessons_are_the_least_done(
        db: Session, built: dict[str, int]) -> None:
    course = _course(db, "Công nghệ 6A")
    grid = progress.class_grid(db=db, actor=_teacher(db, "gv.hung"), course_id=course.id,
                               now=datetime(2025, 11, 20, 14, tzinfo=UTC))
    assert len(grid.students) == STUDENTS
    percents = [grid.percent(s.id) for s in grid.students]
    assert max(percents) > 50 and min(percents) < 100  # something done, not everything by everyone
    readings = [lesson for lesson in grid.lessons if any(a.type == "material" for a in lesson.activities)]
    done = [sum(grid.cells[(s.id, lesson.id)][0] for s in grid.students) for lesson in readings]
    assert done[0] >= done[-1] and done[0] > 0


def test_the_gradebook_gets_the_quiz_scores_with_a_spread(db: Session, built: dict[str, int]) -> None:
    course = _course(db, "Công nghệ 6A")
    teacher = _teacher(db, "gv.hung")
    book = db.scalars(select(Gradebook).where(Gradebook.course_id == course.id)).one()
    grid = gradebooks.grid(db=db, actor=teacher, gradebook_id=book.id)
    assert grid.gradebook.mode == Mode.score
    first_quiz = db.scalars(select(Activity).where(Activity.course_id == course.id, Activity.type == "quiz")
                            .order_by(Activity.id)).first()
    tx1 = next(c for c in grid.gradebook.columns if c.kind == Kind.tx and c.number == 1)
    assert tx1.activity_id == first_quiz.id
    scores = [line.entries[tx1.id].score for line in grid.lines if tx1.id in line.entries]
    assert len(scores) >= STUDENTS // 2 and len(set(scores)) >= 3  # pulled for most students, not all alike
    best = quiz.scores(db=db, activity=first_quiz, student_ids=[line.student.id for line in grid.lines])
    assert {line.student.id: line.entries[tx1.id].score for line in grid.lines if tx1.id in line.entries} == best
    # the tea culture course is assessed by comment: its teacher typed Đ / CĐ from the same results
    tea = db.scalar(select(func.count()).select_from(GradeEntry).where(GradeEntry.mark.in_(("Đ", "CĐ"))))
    assert tea > 0
    # 20 November: the mid-term test (sat half-way through the term, about 10 November) is marked for every
    # student; the end-of-term test is not sat yet, so no term average shows
    gk = next(c for c in grid.gradebook.columns if c.kind == Kind.gk)
    ck = next(c for c in grid.gradebook.columns if c.kind == Kind.ck)
    midterm = [line.entries[gk.id].score for line in grid.lines if gk.id in line.entries]
    assert len(midterm) == len(grid.lines) == STUDENTS and len(set(midterm)) >= 3
    assert all(1 <= m <= 10 and m * 2 == int(m * 2) for m in midterm)
    assert not any(ck.id in line.entries for line in grid.lines)
    assert all(line.result is None for line in grid.lines)
    missing = {line.missing.message for line in grid.lines}  # what each student's average still waits for
    assert gradebook_rules.MISSING_FINAL in missing and gradebook_rules.MISSING_MIDTERM not in missing
    assert missing <= {gradebook_rules.MISSING_FINAL, gradebook_rules.MISSING_REGULAR}
    tea_gk = db.scalar(select(func.count()).select_from(GradeEntry).join(GradeColumn).where(
        GradeColumn.kind == Kind.gk, GradeEntry.mark.in_(("Đ", "CĐ"))))
    assert tea_gk > 0


def test_an_essay_waits_in_the_grading_queue_and_older_ones_are_graded(db: Session, built: dict[str, int]) -> None:
    course = _course(db, "Công nghệ 6A")
    teacher = _teacher(db, "gv.hung")
    first, second = db.scalars(select(Activity).where(Activity.course_id == course.id, Activity.type == "quiz")
                               .order_by(Activity.id)).all()
    waiting = quiz.grading_queue(db=db, actor=teacher, activity_id=second.id)
    assert waiting and all(item.type == "essay" for _, _, item in waiting)
    graded = db.scalars(select(QuizAnswer).join(QuizAttempt).where(QuizAttempt.activity_id == first.id,
                                                                    QuizAnswer.graded_by_id == teacher.id)).all()
    assert graded and all(a.feedback for a in graded)
    assert quiz.grading_queue(db=db, actor=teacher, activity_id=first.id) == []


def test_attendance_and_work_are_dated_inside_the_term(db: Session, built: dict[str, int]) -> None:
    course = _course(db, "Công nghệ 6A")
    live = db.scalars(select(Activity).where(Activity.course_id == course.id, Activity.type == "live",
                                             Activity.required.is_(True))).one()
    marks = db.scalars(select(Attendance.status).where(Attendance.activity_id == live.id)).all()
    assert len(marks) == STUDENTS and "present" in marks
    ends = datetime.fromisoformat(live.settings["starts_at"]) + timedelta(minutes=live.settings["duration_minutes"])
    attended = db.scalars(select(StatementRow.timestamp).where(StatementRow.activity_id == live.id,
                                                               StatementRow.verb == "attended")).all()
    assert attended and all(t == ends for t in attended)
    term = Term.until(year_start=date(2025, 9, 5), today=TODAY)
    first, last = db.execute(select(func.min(StatementRow.timestamp), func.max(StatementRow.timestamp))).one()
    assert first < term.start + timedelta(days=3) and last <= term.horizon
    attempt = db.scalars(select(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None))).first()
    submitted = db.scalars(select(StatementRow.timestamp).where(
        StatementRow.activity_id == attempt.activity_id, StatementRow.user_id == attempt.student_id,
        StatementRow.verb == "submitted")).all()
    # the quiz's statements carry the attempt's own time (xAPI keeps milliseconds)
    assert any(abs(t - attempt.submitted_at) < timedelta(milliseconds=1) for t in submitted)
    subs = db.scalars(select(Submission)).all()
    assert any(s.late for s in subs) and sum(s.score is not None for s in subs) > len(subs) // 2
    assert len({s.student_id for s in subs}) < 4 * STUDENTS  # someone has not handed in
    assert all(s.feedback for s in subs if s.score is not None)
    assert db.scalar(select(func.count()).select_from(DiscussionPost)) > 0


def test_building_again_adds_nothing(db: Session, plugin_host, built: dict[str, int], packs: list[Path]) -> None:  # noqa: ANN001
    tables = (User, Course, Lesson, Activity, StatementRow, QuizAttempt, QuizAnswer, Submission, Attendance,
              DiscussionPost, GradeEntry, GradeAudit, Material, InstalledPack)
    before = [db.scalar(select(func.count()).select_from(t)) for t in tables]
    _, again = _build(db, plugin_host, packs)
    assert [db.scalar(select(func.count()).select_from(t)) for t in tables] == before
    assert {k: v for k, v in again.items() if k != "packs"} == {k: 0 for k in content_demo.COUNTED}


def test_a_pack_with_problems_is_left_out_and_the_demo_goes_on(db: Session, plugin_host, tmp_path: Path) -> None:  # noqa: ANN001
    ensure_curriculum(db)
    db.commit()
    broken = _copy(tmp_path, "broken-pack", "CN")
    (broken / "materials" / "pha-tra.md").unlink()
    _, made = _build(db, plugin_host, [broken, SAMPLE])
    assert made["packs"] == 1 and made["packs_left_out"] == 1
    assert db.scalars(select(InstalledPack.name)).all() == ["sample-pack"]
    assert sorted(db.scalars(select(Course.title))) == ["Văn hoá trà Tân Cương 6A", "Văn hoá trà Tân Cương 6B"]


def test_past_events_complete_activities_once_and_only_for_the_course_students(
        db: Session, built: dict[str, int]) -> None:
    course = _course(db, "Công nghệ 6A")
    reading = db.scalars(select(Activity).where(Activity.course_id == course.id, Activity.type == "material")
                         .order_by(Activity.id)).first()
    student = db.scalars(select(User).where(User.username == "hs6a.01")).one()
    outsider = db.scalars(select(User).where(User.username == "hs6b.01")).one()
    when = datetime(2025, 11, 1, 3, tzinfo=UTC)

    def count() -> int:
        return db.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.activity_id == reading.id))

    done = progress.completed_ids(db, course_id=course.id, user_id=student.id)
    before = count()
    events = [progress.PastEvent(student.id, reading, "viewed", when),
              progress.PastEvent(student.id, reading, "viewed", when + timedelta(days=1))]
    written = progress.record_past(db=db, course=course, events=events)
    assert written == 2 + (reading.id not in done)  # a completion only when it was not completed before
    assert count() == before + written
    completions = db.scalar(select(func.count()).select_from(StatementRow).where(
        StatementRow.activity_id == reading.id, StatementRow.user_id == student.id, StatementRow.verb == "completed"))
    assert completions == 1
    with pytest.raises(Forbidden):
        progress.record_past(db=db, course=course, events=[progress.PastEvent(outsider.id, reading, "viewed", when)])
    db.rollback()
    assert count() == before  # refused: nothing of that batch is kept
