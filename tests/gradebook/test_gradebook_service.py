"""The gradebook in the database: opening one per course's class and term, marks saved all-or-nothing and
audited, scores pulled from graded activities without touching teachers' own marks, overrides needing a
reason, the Thông tư 22 / 27 results, and who may read or write what (refusals change nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Submission
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.i18n import use_locale
from lms_core.gradebook import rules, service
from lms_core.gradebook.models import AuditIsAppendOnly, GradeAudit, GradeColumn, GradeEntry, Kind, Mode, Source
from lms_core.org.models import SchoolClass, Subject
from tests.builders import make_user


def course_for(db: Session, world: Any, *, subject_code: str = "TA", title: str = "Tiếng Anh 6") -> Any:
    """Create a course of the world's teacher for class 6A in a subject."""
    subject = db.scalar(select(Subject).where(Subject.code == subject_code))
    fields = courses.CourseFields(title=title, subject_id=subject.id, grade=6, academic_year_id=world.year.id,
                                  class_ids=(world.class_6a.id,))
    return courses.create_course(db=db, actor=world.teacher, fields=fields)


def term(world: Any, number: int) -> Any:
    """Return the world's term I or II."""
    return next(t for t in world.year.terms if t.number == number)


def open_for_6a(db: Session, world: Any, number: int = 1, **kwargs: Any) -> Any:
    """Open the gradebook of a new course for 6A in a term."""
    course = course_for(db, world, **kwargs)
    return service.open_gradebook(db=db, actor=world.teacher, course_id=course.id, class_id=world.class_6a.id,
                                  term_id=term(world, number).id)


def columns(gradebook: Any) -> dict[str, GradeColumn]:
    """Return a gradebook's columns by code (tx1, gk1, ck1 …)."""
    return {service.column_code(c): c for c in gradebook.columns}


def graded_activity(db: Session, world: Any, course: Any, *, completion: str = "submitted") -> Activity:
    """Add an assignment-like activity to a course (a lesson of its own)."""
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Unit 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    activity = Activity(course_id=course.id, lesson_id=lesson.id, type="assignment", title="Bài viết số 1",
                        completion=completion)
    db.add(activity)
    db.commit()
    return activity


def hand_in(db: Session, world: Any, activity: Activity, student: Any, attempt: int, score: str | None) -> Submission:
    """Store an attempt, graded by the teacher when a score is given."""
    sub = Submission(activity_id=activity.id, student_id=student.id, attempt=attempt, text="…",
                     score=Decimal(score) if score is not None else None,
                     graded_by_id=world.teacher.id if score is not None else None,
                     graded_at=datetime.now(UTC) if score is not None else None)
    db.add(sub)
    db.commit()
    return sub


def stored(db: Session) -> tuple[Any, ...]:
    """Return everything a refusal must leave as it was: the marks (with their source) and the audit size."""
    marks = tuple(db.execute(select(GradeEntry.column_id, GradeEntry.student_id, GradeEntry.score, GradeEntry.mark,
                                    GradeEntry.source).order_by(GradeEntry.id)).all())
    return marks, db.scalar(select(func.count()).select_from(GradeAudit))


def mark_of(db: Session, column: GradeColumn, student: Any) -> GradeEntry | None:
    """Return a student's stored mark in a column."""
    db.expire_all()
    return db.scalar(select(GradeEntry).where(GradeEntry.column_id == column.id, GradeEntry.student_id == student.id))


def test_opening_makes_the_columns_the_circular_asks_for_once(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    # English (NN1) has 105 periods a year in lower secondary: more than 70, so four ĐĐGtx a term
    assert gradebook.mode == Mode.score and gradebook.periods_per_year == 105
    assert sorted(columns(gradebook)) == ["ck1", "gk1", "tx1", "tx2", "tx3", "tx4"]
    again = service.open_gradebook(db=db, actor=world.teacher, course_id=gradebook.course_id,
                                   class_id=world.class_6a.id, term_id=term(world, 1).id)
    assert again.id == gradebook.id
    pe = open_for_6a(db, world, subject_code="GDTC", title="Thể dục 6")
    assert pe.mode == Mode.comment and sorted(columns(pe)) == ["ck1", "gk1", "tx1", "tx2"]


def test_term_average_from_typed_marks_with_the_decimal_comma(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    s = world.student.id
    changed = service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={
        (c["tx1"].id, s): "7", (c["tx2"].id, s): "8", (c["tx3"].id, s): "9", (c["tx4"].id, s): "6",
        (c["gk1"].id, s): "7,5", (c["ck1"].id, s): "8"})
    assert changed == 6
    assert mark_of(db, c["gk1"], world.student).score == Decimal("7.5")
    line = next(x for x in service.grid(db=db, actor=world.teacher, gradebook_id=gradebook.id).lines
                if x.student.id == s)
    # (7 + 8 + 9 + 6 + 2 × 7.5 + 3 × 8) / (4 + 5) = 69 / 9 = 7.67 → 7.7
    assert line.result == Decimal("7.7")
    classmate = next(x for x in service.grid(db=db, actor=world.teacher, gradebook_id=gradebook.id).lines
                     if x.student.id == world.classmate.id)
    assert classmate.result is None and classmate.missing is not None


def test_a_bad_cell_refuses_the_whole_save_and_names_each_cell(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id,
                        marks={(c["tx1"].id, world.student.id): "5"})
    before = stored(db)
    with pytest.raises(service.CellsRefused) as refused:
        service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={
            (c["tx1"].id, world.student.id): "9",  # valid, but the save is all or nothing
            (c["tx2"].id, world.student.id): "11",
            (c["tx3"].id, world.classmate.id): "7.25",
            (c["gk1"].id, world.student_7a.id): "8"})  # not in 6A
    cells = refused.value.cells
    assert set(cells) == {(c["tx2"].id, world.student.id), (c["tx3"].id, world.classmate.id),
                          (c["gk1"].id, world.student_7a.id)}
    with use_locale("en"):
        assert cells[(c["tx2"].id, world.student.id)].translated() == "A score must be between 0 and 10; 11 is not."
        assert "at most one decimal" in cells[(c["tx3"].id, world.classmate.id)].translated()
    assert stored(db) == before


def test_every_change_is_audited_with_old_and_new(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    key = (columns(gradebook)["tx1"].id, world.student.id)
    for value in ("6", "6.5", ""):
        service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={key: value})
    rows = db.execute(select(GradeAudit.action, GradeAudit.old_value, GradeAudit.new_value, GradeAudit.actor_id)
                      .where(GradeAudit.gradebook_id == gradebook.id).order_by(GradeAudit.id)).all()
    teacher = world.teacher.id
    assert rows == [("entered", None, "6.0", teacher), ("changed", "6.0", "6.5", teacher),
                    ("cleared", "6.5", None, teacher)]
    assert mark_of(db, columns(gradebook)["tx1"], world.student) is None
    audit = db.scalar(select(GradeAudit).where(GradeAudit.gradebook_id == gradebook.id).limit(1))
    audit.reason = "rewritten"
    with pytest.raises(AuditIsAppendOnly):
        db.flush()
    db.rollback()


def test_scores_flow_from_the_latest_graded_attempt_never_over_a_teachers_mark(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    course = courses.get_course(db=db, actor=world.teacher, course_id=gradebook.course_id)
    activity = graded_activity(db, world, course)
    tx1 = columns(gradebook)["tx1"]
    hand_in(db, world, activity, world.student, 1, "6.0")
    hand_in(db, world, activity, world.student, 2, "8.5")
    hand_in(db, world, activity, world.classmate, 1, "4.0")
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={(tx1.id, world.classmate.id): "5"})
    service.map_column(db=db, actor=world.teacher, gradebook_id=gradebook.id, column_id=tx1.id, activity_id=activity.id)
    assert mark_of(db, tx1, world.student) is None  # mapping alone moves nothing

    report = service.pull_from_activities(db=db, actor=world.teacher, gradebook_id=gradebook.id)
    assert (report.added, report.updated, report.kept) == (1, 0, 1)
    entry = mark_of(db, tx1, world.student)
    assert entry.score == Decimal("8.5") and entry.source == Source.activity
    assert mark_of(db, tx1, world.classmate).score == Decimal("5.0")  # the teacher's own mark stays

    hand_in(db, world, activity, world.student, 3, "9.0")
    hand_in(db, world, activity, world.student, 4, None)  # handed in, not graded yet: the graded one counts
    report = service.pull_from_activities(db=db, actor=world.teacher, gradebook_id=gradebook.id)
    assert report.updated == 1 and mark_of(db, tx1, world.student).score == Decimal("9.0")
    again = service.pull_from_activities(db=db, actor=world.teacher, gradebook_id=gradebook.id)
    assert (again.added, again.updated) == (0, 0)


def test_overriding_a_pulled_score_needs_a_reason_and_survives_the_next_pull(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    course = courses.get_course(db=db, actor=world.teacher, course_id=gradebook.course_id)
    activity = graded_activity(db, world, course)
    tx1 = columns(gradebook)["tx1"]
    hand_in(db, world, activity, world.student, 1, "9.0")
    service.map_column(db=db, actor=world.teacher, gradebook_id=gradebook.id, column_id=tx1.id, activity_id=activity.id)
    service.pull_from_activities(db=db, actor=world.teacher, gradebook_id=gradebook.id)
    before = stored(db)
    with pytest.raises(service.CellsRefused) as refused:
        service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={(tx1.id, world.student.id): "7"})
    assert [e.message for e in refused.value.cells.values()] == [service.REASON_NEEDED]
    assert stored(db) == before

    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={(tx1.id, world.student.id): "7"},
                        reason="Chép bài của bạn: làm lại trên lớp")
    entry = mark_of(db, tx1, world.student)
    assert entry.score == Decimal("7.0") and entry.source == Source.override
    last = db.scalar(select(GradeAudit).order_by(GradeAudit.id.desc()).limit(1))
    assert (last.action, last.old_value, last.new_value, last.reason) == \
        ("override", "9.0", "7.0", "Chép bài của bạn: làm lại trên lớp")
    hand_in(db, world, activity, world.student, 2, "10.0")
    report = service.pull_from_activities(db=db, actor=world.teacher, gradebook_id=gradebook.id)
    assert report.kept == 1 and mark_of(db, tx1, world.student).score == Decimal("7.0")


def test_only_graded_activities_of_the_same_course_feed_a_scored_column(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    course = courses.get_course(db=db, actor=world.teacher, course_id=gradebook.course_id)
    c = columns(gradebook)
    reading = graded_activity(db, world, course, completion="viewed")
    other_course = course_for(db, world, title="Tiếng Anh 6 nâng cao")
    elsewhere = graded_activity(db, world, other_course)
    good = graded_activity(db, world, course)
    for activity in (reading, elsewhere):
        with pytest.raises(Invalid):
            service.map_column(db=db, actor=world.teacher, gradebook_id=gradebook.id, column_id=c["tx1"].id,
                               activity_id=activity.id)
    service.map_column(db=db, actor=world.teacher, gradebook_id=gradebook.id, column_id=c["tx1"].id, activity_id=good.id)
    with pytest.raises(Invalid):  # counted twice otherwise
        service.map_column(db=db, actor=world.teacher, gradebook_id=gradebook.id, column_id=c["tx2"].id,
                           activity_id=good.id)
    db.expire_all()
    assert [col.activity_id for col in gradebook.columns if col.activity_id] == [good.id]
    pe = open_for_6a(db, world, subject_code="GDTC", title="Thể dục 6")
    pe_course = courses.get_course(db=db, actor=world.teacher, course_id=pe.course_id)
    with pytest.raises(Invalid):
        service.map_column(db=db, actor=world.teacher, gradebook_id=pe.id, column_id=columns(pe)["tx1"].id,
                           activity_id=graded_activity(db, world, pe_course).id)


def test_lowering_the_periods_removes_only_empty_regular_columns(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={(c["tx3"].id, world.student.id): "8"})
    with pytest.raises(Conflict):
        service.set_periods(db=db, actor=world.teacher, gradebook_id=gradebook.id, periods_per_year=35)
    db.expire_all()
    assert gradebook.periods_per_year == 105 and len([x for x in gradebook.columns if x.kind == Kind.tx]) == 4
    with pytest.raises(Invalid):
        service.set_periods(db=db, actor=world.teacher, gradebook_id=gradebook.id, periods_per_year=0)
    service.set_periods(db=db, actor=world.teacher, gradebook_id=gradebook.id, periods_per_year=70)
    db.expire_all()
    assert sorted(columns(gradebook)) == ["ck1", "gk1", "tx1", "tx2", "tx3"]
    assert mark_of(db, c["tx3"], world.student).score == Decimal("8.0")


def test_comment_subject_takes_passed_or_not_and_refuses_scores(db: Session, world) -> None:
    gradebook = open_for_6a(db, world, subject_code="GDTC", title="Thể dục 6")
    c = columns(gradebook)
    s = world.student.id
    with pytest.raises(service.CellsRefused) as refused:
        service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={(c["tx1"].id, s): "8"})
    assert next(iter(refused.value.cells.values())).message == rules.NOT_A_COMMENT
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={
        (c["tx1"].id, s): "Đ", (c["tx2"].id, s): "đạt", (c["gk1"].id, s): "Đ", (c["ck1"].id, s): "CĐ"})
    assert mark_of(db, c["tx2"], world.student).mark == "Đ"
    line = next(x for x in service.grid(db=db, actor=world.teacher, gradebook_id=gradebook.id).lines if x.student.id == s)
    assert line.result.value == "CĐ"  # one assessment not passed: the term is not passed


def test_second_term_shows_the_first_term_and_the_year_average(db: Session, world) -> None:
    first = open_for_6a(db, world, number=1)
    second = service.open_gradebook(db=db, actor=world.teacher, course_id=first.course_id, class_id=world.class_6a.id,
                                    term_id=term(world, 2).id)
    s = world.student.id
    for gradebook, marks in ((first, ("6", "6", "6", "6", "6", "6")), (second, ("8", "8", "8", "8", "8", "7.5"))):
        c = columns(gradebook)
        service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks=dict(zip(
            [(c[k].id, s) for k in ("tx1", "tx2", "tx3", "tx4", "gk1", "ck1")], marks, strict=True)))
    line = next(x for x in service.grid(db=db, actor=world.teacher, gradebook_id=second.id).lines if x.student.id == s)
    # term II: (32 + 16 + 22.5) / 9 = 7.83 → 7.8; year: (6.0 + 2 × 7.8) / 3 = 7.2
    assert (line.first_term, line.result, line.year) == (Decimal("6.0"), Decimal("7.8"), Decimal("7.2"))


def primary_world(db: Session, world: Any) -> tuple[Any, Any, Any]:
    """Add class 4A of the world's primary school with a teacher and a pupil; return (teacher, pupil, class)."""
    school = world.far_school
    klass = SchoolClass(school_id=school.id, academic_year_id=world.year.id, grade=4, name="4A")
    db.add(klass)
    db.flush()
    teacher = make_user(db, "gvc", "Giáo Viên C", RoleAssignment(role=Role.teacher, school_id=school.id), school=school)
    pupil = make_user(db, "hsc", "Học Sinh C", RoleAssignment(role=Role.student, school_id=school.id), school=school)
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    db.add_all([TeachingAssignment(class_id=klass.id, teacher_id=teacher.id, subject_id=maths.id),
                ClassEnrolment(class_id=klass.id, student_id=pupil.id)])
    db.commit()
    return teacher, pupil, klass


def test_primary_records_levels_and_whole_test_scores(db: Session, world) -> None:
    teacher, pupil, klass = primary_world(db, world)
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
        title="Toán 4", subject_id=maths.id, grade=4, academic_year_id=world.year.id, class_ids=(klass.id,)))
    gradebook = service.open_gradebook(db=db, actor=teacher, course_id=course.id, class_id=klass.id,
                                       term_id=term(world, 1).id)
    c = columns(gradebook)
    # Toán in grade 4 takes a mid-term and an end-of-term periodic test (Thông tư 27 Điều 7)
    assert gradebook.mode == Mode.primary and sorted(c) == ["ck1", "gk1", "test_ck1", "test_gk1"]
    before = stored(db)
    with pytest.raises(service.CellsRefused) as refused:
        service.enter_marks(db=db, actor=teacher, gradebook_id=gradebook.id, marks={
            (c["test_ck1"].id, pupil.id): "7.5", (c["ck1"].id, pupil.id): "Giỏi"})
    assert len(refused.value.cells) == 2 and stored(db) == before
    service.enter_marks(db=db, actor=teacher, gradebook_id=gradebook.id, marks={
        (c["gk1"].id, pupil.id): "H", (c["ck1"].id, pupil.id): "hoàn thành tốt", (c["test_ck1"].id, pupil.id): "9"})
    line = service.grid(db=db, actor=teacher, gradebook_id=gradebook.id).lines[0]
    assert line.result.value == "T" and mark_of(db, c["test_ck1"], pupil).score == Decimal("9")
    summary = service.sheet_for(db=db, actor=teacher, gradebook_id=gradebook.id)
    assert (summary.mid_term_test, summary.end_test) == (True, True)
    assert [(r.name, r.mid_level, r.end_level, r.end_test) for r in summary.rows] == [("Học Sinh C", "H", "T", 9)]


def test_who_reads_and_who_writes(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    key = (columns(gradebook)["tx1"].id, world.student.id)
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={key: "6"})
    before = stored(db)
    for outsider in (world.other_teacher, world.other_school_admin, world.other_school_teacher, world.student,
                     world.province_staff):
        with pytest.raises(NotFound):
            service.grid(db=db, actor=outsider, gradebook_id=gradebook.id)
        with pytest.raises((NotFound, Forbidden)):
            service.enter_marks(db=db, actor=outsider, gradebook_id=gradebook.id, marks={key: "10"})
    # the school's administrator reads every gradebook of the school and changes none
    assert len(service.grid(db=db, actor=world.school_admin, gradebook_id=gradebook.id).lines) == 2
    with pytest.raises(Forbidden):
        service.enter_marks(db=db, actor=world.school_admin, gradebook_id=gradebook.id, marks={key: "10"})
    with pytest.raises(NotFound):  # a course they do not teach is not theirs to know
        service.open_gradebook(db=db, actor=world.other_teacher, course_id=gradebook.course_id,
                               class_id=world.class_6a.id, term_id=term(world, 2).id)
    with pytest.raises(Forbidden):
        service.open_gradebook(db=db, actor=world.school_admin, course_id=gradebook.course_id,
                               class_id=world.class_6a.id, term_id=term(world, 2).id)
    with pytest.raises(Invalid):  # 7A does not take this course
        service.open_gradebook(db=db, actor=world.teacher, course_id=gradebook.course_id,
                               class_id=world.class_7a.id, term_id=term(world, 2).id)
    assert stored(db) == before
    assert [s.gradebook.id for s in service.overview(db=db, actor=world.school_admin)] == [gradebook.id]
    assert service.overview(db=db, actor=world.other_school_admin) == []


def test_a_student_sees_only_their_own_line(db: Session, world) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={
        (c["tx1"].id, world.student.id): "9", (c["tx1"].id, world.classmate.id): "3"})
    mine = service.my_grades(db=db, actor=world.student)
    assert [g.gradebook.id for g in mine] == [gradebook.id]
    assert [line.student.id for line in mine[0].lines] == [world.student.id]
    assert mine[0].lines[0].entries[c["tx1"].id].score == Decimal("9.0")
    assert service.my_grades(db=db, actor=world.student_7a) == []
