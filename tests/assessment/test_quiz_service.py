"""Quiz service: a student starts, saves, comes back to the same attempt, submits and gets the hand-computed score;
the clock, a second submission and other students' attempts are refused with nothing stored; essays wait for the
teacher; a corrected key re-scores the answers; the gradebook takes the best attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.assessment import quiz
from lms_core.assessment.data import to_data
from lms_core.assessment.items import Choice, Item, NumericKey, QType, TFStatement
from lms_core.assessment.models import Question, QuestionVersion, QuizAnswer, QuizAttempt
from lms_core.courses import service as courses
from lms_core.courses.activity_types import core_types
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.gradebook import service as gradebook
from lms_core.gradebook.models import GradeEntry, Source
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a

TYPES = {t.name: t for t in core_types()}
T0 = datetime(2030, 3, 2, 1, 0, tzinfo=UTC)


def bank_question(db: Session, world: Any, item: Item, *, owner: Any = None, school: Any = None,
                  visibility: str = "school") -> Question:
    """Store a bank question of grade 6 in the world's subject with one version."""
    owner = owner or world.teacher
    question = Question(school_id=(school or world.school).id, subject_id=world.subject.id, grade=6,
                        owner_id=owner.id, type=str(item.type), title=item.title, visibility=visibility)
    db.add(question)
    db.flush()
    version = QuestionVersion(question_id=question.id, number=1, data=to_data(item), created_by_id=owner.id)
    db.add(version)
    db.flush()
    question.current_version_id = version.id
    db.commit()
    return question


def new_version(db: Session, question: Question, item: Item) -> QuestionVersion:
    """Store a newer version of a question and make it current."""
    number = db.scalar(select(func.max(QuestionVersion.number)).where(QuestionVersion.question_id == question.id))
    version = QuestionVersion(question_id=question.id, number=number + 1, data=to_data(item),
                              created_by_id=question.owner_id, note="Sửa đáp án")
    db.add(version)
    db.flush()
    question.current_version_id = version.id
    db.commit()
    return version


def capital() -> Item:
    return Item(QType.single, "Thủ đô của Việt Nam là thành phố nào?", title="Thủ đô",
                choices=[Choice("Huế"), Choice("Hà Nội", True), Choice("Đà Nẵng")])


def evens() -> Item:
    return Item(QType.multiple, "Chọn các số chẵn.", title="Số chẵn",
                choices=[Choice("2", True), Choice("3"), Choice("4", True)])


def tea_group() -> Item:
    return Item(QType.tf_group, "Về chè Tân Cương:", title="Chè Tân Cương", statements=[
        TFStatement("Tân Cương thuộc Thái Nguyên.", True), TFStatement("Chè chỉ trồng ở miền Nam.", False),
        TFStatement("Lá chè được sao khô.", True), TFStatement("Chè là cây ăn quả.", False)])


def half() -> Item:
    return Item(QType.numeric, "Một nửa viết dưới dạng số thập phân là bao nhiêu?", title="Một nửa",
                numeric=[NumericKey(Decimal("0.5"))])


def essay() -> Item:
    return Item(QType.essay, "Viết đoạn văn về chè.", title="Đoạn văn", points=Decimal(2))


def make_quiz(db: Session, world: Any, items: list[Item], *, points: dict[int, str] | None = None,
              completion: str = "passed", **settings: Any) -> tuple[Any, list[Question]]:
    """Add a quiz of new bank questions (points per question index) to a new course's lesson."""
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    questions = [bank_question(db, world, item) for item in items]
    chosen = [{"question_id": q.id, **({"points": points[i]} if points and i in points else {})}
              for i, q in enumerate(questions)]
    activity = courses.add_activity(db=db, actor=world.teacher, types=TYPES, lesson_id=lesson.id, type="quiz",
                                    title="Kiểm tra 15 phút", settings={"questions": chosen, **settings},
                                    completion=completion, threshold=5 if completion == "passed" else None)
    return activity, questions


def slot_of(attempt: QuizAttempt, question: Question) -> int:
    """Return the slot a question sits in within an attempt."""
    return next(i for i, s in enumerate(attempt.layout) if s["question_id"] == question.id)


def statements(db: Session, user: Any, verb: str) -> list[StatementRow]:
    return list(db.scalars(select(StatementRow).where(StatementRow.user_id == user.id, StatementRow.verb == verb)))


def answers_of(db: Session, attempt_id: int) -> list[tuple[int, Any]]:
    db.expire_all()
    return [(a.slot, a.response) for a in db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)
                                                      .order_by(QuizAnswer.slot))]


def four_question_quiz(db: Session, world: Any, **settings: Any) -> tuple[Any, list[Question]]:
    return make_quiz(db, world, [capital(), evens(), tea_group(), half()], points={3: "2"}, **settings)


def test_student_starts_saves_resumes_and_submits_for_the_hand_computed_score(db: Session, world) -> None:
    activity, (q1, q2, q3, q4) = four_question_quiz(db, world)
    assert activity.settings["questions"][3]["points"] == "2"
    assert activity.settings["questions"][0]["version_id"] == q1.current_version_id  # pinned at prepare time

    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    assert attempt.status == "in_progress" and attempt.deadline_at is None and len(attempt.answers) == 4
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id,
                      answers={slot_of(attempt, q1): "1", slot_of(attempt, q2): ["0"]})
    # a reload: starting again resumes the same attempt, with the same order and the saved answers
    again = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    assert again.id == attempt.id and again.layout == attempt.layout
    assert dict(answers_of(db, attempt.id))[slot_of(attempt, q1)] == 1
    assert dict(answers_of(db, attempt.id))[slot_of(attempt, q2)] == [0]
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={
        slot_of(attempt, q3): {"a": "đúng", "b": "sai", "c": "sai", "d": "sai"},  # 3 of 4 right: half the points
        slot_of(attempt, q4): "0,5"})  # the decimal comma
    assert dict(answers_of(db, attempt.id))[slot_of(attempt, q4)] == "0,5"  # kept as typed

    done = quiz.submit(db=db, actor=world.student, attempt_id=attempt.id)
    # 1 (capital) + 0 (one of the two evens: all or nothing) + 0.5 × 1 (tf group) + 2 (numeric) = 3.5 of 5
    assert done.status == "graded" and done.score == Decimal("3.50") and done.max_score == Decimal("5.00")
    assert quiz.out_of_10(done) == Decimal("7.0")
    points = {a.slot: a.points for a in done.answers}
    assert [points[slot_of(done, q)] for q in (q1, q2, q3, q4)] == \
        [Decimal("1.00"), Decimal("0.00"), Decimal("0.50"), Decimal("2.00")]
    scored = statements(db, world.student, "scored")
    assert len(scored) == 1
    assert scored[0].body["result"]["score"] == {"raw": 7.0, "min": 0, "max": 10, "scaled": 0.7}
    assert scored[0].body["result"]["success"] is True
    assert len(statements(db, world.student, "completed")) == 1  # passed: 7.0 ≥ 5
    assert len(statements(db, world.student, "submitted")) == 1


def test_a_second_submission_is_refused_and_changes_nothing(db: Session, world) -> None:
    activity, (q1, *_rest) = four_question_quiz(db, world)
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot_of(attempt, q1): 1})
    quiz.submit(db=db, actor=world.student, attempt_id=attempt.id)
    before = (answers_of(db, attempt.id), len(statements(db, world.student, "scored")))
    with pytest.raises(Conflict) as refused:
        quiz.submit(db=db, actor=world.student, attempt_id=attempt.id)
    assert refused.value.message == quiz.ALREADY_SUBMITTED
    with pytest.raises(Conflict):
        quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot_of(attempt, q1): 0})
    assert (answers_of(db, attempt.id), len(statements(db, world.student, "scored"))) == before
    assert db.get(QuizAttempt, attempt.id).score == Decimal("1.00")


def test_another_students_attempt_is_refused(db: Session, world) -> None:
    activity, (q1, *_rest) = four_question_quiz(db, world)
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot_of(attempt, q1): 0})
    before = answers_of(db, attempt.id)
    for outsider in (world.classmate, world.other_school_student):
        with pytest.raises(NotFound):
            quiz.save_answers(db=db, actor=outsider, attempt_id=attempt.id, answers={slot_of(attempt, q1): 1})
        with pytest.raises(NotFound):
            quiz.submit(db=db, actor=outsider, attempt_id=attempt.id)
    assert answers_of(db, attempt.id) == before and db.get(QuizAttempt, attempt.id).status == "in_progress"
    with pytest.raises(Forbidden):  # a teacher takes no attempt
        quiz.start(db=db, actor=world.teacher, activity_id=activity.id)


def test_a_malformed_answer_is_refused_and_nothing_of_the_batch_is_stored(db: Session, world) -> None:
    activity, (q1, _q2, _q3, q4) = four_question_quiz(db, world)
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    before = answers_of(db, attempt.id)
    with pytest.raises(Invalid) as refused:
        quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id,
                          answers={slot_of(attempt, q1): "1", slot_of(attempt, q4): "1.250,5"})
    assert refused.value.message == quiz.ANSWER_IN_QUESTION
    assert refused.value.params["number"] == slot_of(attempt, q4) + 1
    with pytest.raises(Invalid):
        quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot_of(attempt, q1): "7"})
    with pytest.raises(Invalid):
        quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={99: "1"})
    assert answers_of(db, attempt.id) == before


def test_the_clock_runs_out_answers_are_refused_and_the_attempt_is_submitted(db: Session, world) -> None:
    activity, (q1, *_rest) = four_question_quiz(db, world, time_limit=10)
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id, now=T0)
    assert attempt.deadline_at == T0 + timedelta(minutes=10)
    slot = slot_of(attempt, q1)
    # within the 30 s network grace a save still counts
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot: "1"},
                      now=T0 + timedelta(minutes=10, seconds=20))
    before = answers_of(db, attempt.id)
    with pytest.raises(Invalid) as refused:
        quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot: "0"},
                          now=T0 + timedelta(minutes=10, seconds=31))
    assert refused.value.message == quiz.TIME_UP
    assert answers_of(db, attempt.id) == before
    expired = db.get(QuizAttempt, attempt.id)
    assert expired.status == "graded" and expired.submitted_at == attempt.deadline_at
    assert expired.score == Decimal("1.00")  # the saved answers were graded


def test_an_expired_attempt_is_submitted_when_next_touched(db: Session, world) -> None:
    activity, _ = four_question_quiz(db, world, time_limit=5, attempts=2)
    first = quiz.start(db=db, actor=world.student, activity_id=activity.id, now=T0)
    later = T0 + timedelta(hours=1)
    second = quiz.start(db=db, actor=world.student, activity_id=activity.id, now=later)
    assert second.id != first.id and second.number == 2
    assert db.get(QuizAttempt, first.id).status == "graded" and db.get(QuizAttempt, first.id).score == 0
    with pytest.raises(Invalid) as refused:
        quiz.start(db=db, actor=world.student, activity_id=activity.id, now=later + timedelta(hours=1))
    assert refused.value.message == quiz.NO_ATTEMPTS_LEFT  # the second expired and was submitted too


def test_the_deadline_is_capped_at_the_closing_date(db: Session, world) -> None:
    activity, _ = four_question_quiz(db, world, time_limit=45)
    activity.closes_at = T0 + timedelta(minutes=15)
    db.commit()
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id, now=T0)
    assert attempt.deadline_at == T0 + timedelta(minutes=15)
    with pytest.raises(Invalid) as refused:
        quiz.start(db=db, actor=world.classmate, activity_id=activity.id, now=T0 + timedelta(minutes=16))
    assert refused.value.message == quiz.CLOSED
    assert db.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.student_id == world.classmate.id)) == 0


def test_shuffled_layout_is_fixed_at_start(db: Session, world) -> None:
    activity, questions = make_quiz(db, world, [capital(), evens(), tea_group(), half(), capital(), evens()],
                                    shuffle_questions=True, shuffle_options=True)
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    assert sorted(s["question_id"] for s in attempt.layout) == sorted(q.id for q in questions)
    for entry in attempt.layout:
        if entry["options"] is not None and not isinstance(entry["options"][0], list):
            assert sorted(entry["options"]) == list(range(len(entry["options"])))
    db.expire_all()
    assert quiz.start(db=db, actor=world.student, activity_id=activity.id).layout == attempt.layout


def test_prepare_refuses_questions_the_teacher_may_not_use(db: Session, world) -> None:
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    elsewhere = bank_question(db, world, capital(), owner=world.other_school_teacher, school=world.other_school)
    private = bank_question(db, world, capital(), owner=world.other_teacher, visibility="private")
    shared = bank_question(db, world, capital(), owner=world.other_school_teacher, school=world.other_school,
                           visibility="shared")
    for settings, message in (({"questions": []}, quiz.NO_QUESTIONS),
                              ({"questions": [{"question_id": elsewhere.id}]}, quiz.QUESTION_UNKNOWN),
                              ({"questions": [{"question_id": private.id}]}, quiz.QUESTION_UNKNOWN),
                              ({"questions": [{"question_id": shared.id}, {"question_id": shared.id}]},
                               quiz.QUESTION_TWICE)):
        with pytest.raises(Invalid) as refused:
            courses.add_activity(db=db, actor=world.teacher, types=TYPES, lesson_id=lesson.id, type="quiz",
                                 title="Kiểm tra", settings=settings, completion="submitted")
        assert refused.value.message == message
        db.rollback()
    assert not db.get(type(lesson), lesson.id).activities
    ok = courses.add_activity(db=db, actor=world.teacher, types=TYPES, lesson_id=lesson.id, type="quiz",
                              title="Kiểm tra", settings={"questions": [{"question_id": shared.id}]},
                              completion="submitted")
    assert ok.settings["questions"][0]["points"] == "1"


def test_essays_wait_for_the_teacher_then_the_attempt_is_scored(db: Session, world) -> None:
    activity, (q1, q2) = make_quiz(db, world, [capital(), essay()])
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id,
                      answers={slot_of(attempt, q1): 1, slot_of(attempt, q2): "Chè Tân Cương thơm ngon."})
    quiz.submit(db=db, actor=world.student, attempt_id=attempt.id)
    assert attempt.status == "submitted" and attempt.score is None and quiz.out_of_10(attempt) is None
    assert not statements(db, world.student, "scored") and not statements(db, world.student, "completed")
    queue = quiz.grading_queue(db=db, actor=world.teacher, activity_id=activity.id)
    assert [(a.id, ans.slot) for a, ans, _ in queue] == [(attempt.id, slot_of(attempt, q2))]
    with pytest.raises(Forbidden):
        quiz.grading_queue(db=db, actor=world.student, activity_id=activity.id)
    answer = queue[0][1]
    with pytest.raises(Invalid):  # more than the essay's 2 points
        quiz.grade_essay(db=db, actor=world.teacher, answer_id=answer.id, points=["3"])
    assert db.get(QuizAnswer, answer.id).points is None
    with pytest.raises(NotFound):
        quiz.grade_essay(db=db, actor=world.other_school_teacher, answer_id=answer.id, points=["2"])
    quiz.grade_essay(db=db, actor=world.teacher, answer_id=answer.id, points=["1,5"], feedback="Khá tốt.")
    db.expire_all()
    graded = db.get(QuizAttempt, attempt.id)
    # 1 + 1.5 = 2.5 of 3 points → 8.33… → 8.3 out of 10
    assert graded.status == "graded" and graded.score == Decimal("2.50") and quiz.out_of_10(graded) == Decimal("8.3")
    assert len(statements(db, world.student, "completed")) == 1
    assert quiz.grading_queue(db=db, actor=world.teacher, activity_id=activity.id) == []


def test_a_corrected_key_rescores_every_answer_and_keeps_a_note(db: Session, world) -> None:
    wrong = Item(QType.single, "2 + 2 = ?", title="Phép cộng",
                 choices=[Choice("3", True), Choice("4"), Choice("5")])  # the key is wrong
    activity, (q1, q2) = make_quiz(db, world, [wrong, capital()], completion="submitted")
    for student, pick in ((world.student, 1), (world.classmate, 0)):
        attempt = quiz.start(db=db, actor=student, activity_id=activity.id)
        quiz.save_answers(db=db, actor=student, attempt_id=attempt.id,
                          answers={slot_of(attempt, q1): pick, slot_of(attempt, q2): 1})
        quiz.submit(db=db, actor=student, attempt_id=attempt.id)
    mine = db.scalar(select(QuizAttempt).where(QuizAttempt.student_id == world.student.id))
    theirs = db.scalar(select(QuizAttempt).where(QuizAttempt.student_id == world.classmate.id))
    assert (quiz.out_of_10(mine), quiz.out_of_10(theirs)) == (Decimal("5.0"), Decimal("10.0"))

    reshaped = new_version(db, q1, Item(QType.single, "2 + 2 = ?", choices=[Choice("3"), Choice("4", True)]))
    before = dict(activity.settings)
    with pytest.raises(Invalid) as refused:
        quiz.regrade(db=db, actor=world.teacher, activity_id=activity.id, question_id=q1.id, version_id=reshaped.id)
    assert refused.value.message == quiz.REGRADE_SHAPE
    db.expire_all()
    assert db.get(type(activity), activity.id).settings == before
    fixed = new_version(db, q1, Item(QType.single, "2 + 2 = ?", title="Phép cộng",
                                     choices=[Choice("3"), Choice("4", True), Choice("5")]))
    with pytest.raises(Forbidden):
        quiz.regrade(db=db, actor=world.student, activity_id=activity.id, question_id=q1.id, version_id=fixed.id)
    note = quiz.regrade(db=db, actor=world.teacher, activity_id=activity.id, question_id=q1.id, version_id=fixed.id)
    assert (note.from_version, note.to_version, note.answers, note.attempts_changed) == (1, 3, 2, 2)
    db.expire_all()
    mine, theirs = db.get(QuizAttempt, mine.id), db.get(QuizAttempt, theirs.id)
    assert (quiz.out_of_10(mine), quiz.out_of_10(theirs)) == (Decimal("10.0"), Decimal("5.0"))
    stored = db.get(type(activity), activity.id).settings
    assert stored["questions"][0]["version_id"] == fixed.id and stored["regrades"][0]["by_id"] == world.teacher.id
    last = sorted(statements(db, world.student, "scored"), key=lambda s: s.stored)[-1]
    assert last.body["result"]["score"]["raw"] == 10.0
    # the answers now point at the corrected version (the other question's stay)
    versions = {a.slot: a.question_version_id for a in mine.answers}
    assert versions[slot_of(mine, q1)] == fixed.id and versions[slot_of(mine, q2)] == q2.current_version_id


def test_the_gradebook_pull_takes_the_best_graded_attempt(db: Session, world) -> None:
    activity, (q1, q2, q3, q4) = four_question_quiz(db, world, attempts=3)
    first = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=first.id,
                      answers={slot_of(first, q1): 1, slot_of(first, q4): "0,5"})  # 3 of 5 → 6.0
    quiz.submit(db=db, actor=world.student, attempt_id=first.id)
    second = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=second.id, answers={slot_of(second, q1): 1})  # 2.0
    quiz.submit(db=db, actor=world.student, attempt_id=second.id)
    quiz.start(db=db, actor=world.student, activity_id=activity.id)  # in progress: not counted

    book = gradebook.open_gradebook(db=db, actor=world.teacher, course_id=activity.course_id,
                                    class_id=world.class_6a.id,
                                    term_id=next(t for t in world.year.terms if t.number == 1).id)
    column = next(c for c in book.columns if gradebook.column_code(c) == "tx1")
    gradebook.map_column(db=db, actor=world.teacher, gradebook_id=book.id, column_id=column.id,
                         activity_id=activity.id)
    report = gradebook.pull_from_activities(db=db, actor=world.teacher, gradebook_id=book.id, types=TYPES)
    assert (report.added, report.without_score) == (1, 1)  # the classmate has no attempt
    entry = db.scalar(select(GradeEntry).where(GradeEntry.column_id == column.id,
                                               GradeEntry.student_id == world.student.id))
    assert entry.score == Decimal("6.0") and entry.source == Source.activity and entry.submission_id is None
    again = gradebook.pull_from_activities(db=db, actor=world.teacher, gradebook_id=book.id)  # core types by default
    assert (again.added, again.updated) == (0, 0)


def test_statistics_per_question(db: Session, world) -> None:
    activity, (q1, q2) = make_quiz(db, world, [capital(), half()])
    for student, pick in ((world.student, 1), (world.classmate, 0)):
        attempt = quiz.start(db=db, actor=student, activity_id=activity.id)
        quiz.save_answers(db=db, actor=student, attempt_id=attempt.id,
                          answers={slot_of(attempt, q1): pick, slot_of(attempt, q2): "0.5"})
        quiz.submit(db=db, actor=student, attempt_id=attempt.id)
    rows = {r.question_id: r for r in quiz.statistics(db=db, actor=world.teacher, activity_id=activity.id)}
    assert rows[q1.id].stats.count == 2 and rows[q1.id].stats.difficulty == 0.5
    assert rows[q2.id].stats.difficulty == 1.0
    assert rows[q1.id].stats.discrimination is None  # too few attempts
    assert rows[q1.id].title == "Thủ đô"
    with pytest.raises(Forbidden):
        quiz.statistics(db=db, actor=world.student, activity_id=activity.id)
