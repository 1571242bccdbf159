"""A teacher who disagrees with an automatic score sets the answer's points by hand on the attempt page: who set them
is recorded, the attempt's score, its "scored" statement and the gradebook's next pull follow, a key correction
leaves them alone, and the key's points can be given back. Bad points, unknown attempts or questions, essays,
attempts in progress and people who do not teach the course are refused with a clear message, and nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.assessment import attempt_review, quiz
from lms_core.assessment.items import Choice, Item, QType
from lms_core.assessment.models import QuizAnswer, QuizAttempt
from lms_core.errors import Invalid, NotFound
from lms_core.gradebook import service as gradebook
from lms_core.gradebook.models import GradeEntry
from tests.assessment.test_attempt_review_pages import section, submitted
from tests.assessment.test_quiz_service import capital, essay, half, make_quiz, new_version, slot_of, statements


def stored(db: Session, attempt_id: int) -> tuple:
    """Return what an attempt holds: its status, score and each answer's (points, who set them, feedback)."""
    db.expire_all()
    attempt = db.get(QuizAttempt, attempt_id)
    return attempt.status, attempt.score, [(a.slot, a.points, a.graded_by_id, a.feedback) for a in db.scalars(
        select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id).order_by(QuizAnswer.slot))]


def pulled(db: Session, world, activity) -> Decimal | None:  # noqa: ANN001
    """Map the quiz to the first regular column of 6A's gradebook, pull, and return the student's mark."""
    book = gradebook.open_gradebook(db=db, actor=world.teacher, course_id=activity.course_id,
                                    class_id=world.class_6a.id,
                                    term_id=next(t for t in world.year.terms if t.number == 1).id)
    column = next(c for c in book.columns if gradebook.column_code(c) == "tx1")
    if column.activity_id != activity.id:
        gradebook.map_column(db=db, actor=world.teacher, gradebook_id=book.id, column_id=column.id,
                             activity_id=activity.id)
    gradebook.pull_from_activities(db=db, actor=world.teacher, gradebook_id=book.id)
    entry = db.scalar(select(GradeEntry).where(GradeEntry.column_id == column.id,
                                               GradeEntry.student_id == world.student.id))
    return entry.score if entry else None


def test_set_points_the_score_statement_and_gradebook_follow_and_a_key_correction_keeps_them(
        db: Session, world, client_for) -> None:
    wrong_key = Item(QType.single, "2 + 2 = ?", title="Phép cộng", choices=[Choice("3", True), Choice("4"), Choice("5")])
    activity, (q1, q2), attempt = submitted(db, world, [wrong_key, half()], {0: 1, 1: "0,5"})
    assert quiz.out_of_10(attempt) == Decimal("5.0") and pulled(db, world, activity) == Decimal("5.0")
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    slot = slot_of(attempt, q1)
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}"

    done = teacher.post(f"{url}/points", data={"slot": str(slot), "points": "0,5", "feedback": "Đáp án đúng là 4.",
                                               "action": "set"})
    assert done.status_code == 303 and done.headers["location"] == f"{url}/review?saved=1#answer-{slot}"
    status, score, answers = stored(db, attempt.id)
    assert (status, score) == ("graded", Decimal("1.50"))
    assert dict((s, (p, by, fb)) for s, p, by, fb in answers)[slot] == (Decimal("0.50"), world.teacher.id,
                                                                         "Đáp án đúng là 4.")
    last = sorted(statements(db, world.student, "scored"), key=lambda s: s.stored)[-1]
    assert last.body["result"]["score"]["raw"] == 7.5
    page = teacher.get(done.headers["location"]).text
    mine = section(page, slot)
    assert "The points are saved." in page and "0.5 / 1" in mine and "points set by Giáo Viên" in mine
    assert "the key gives 0" in mine and "Use the automatic score again" in mine
    assert pulled(db, world, activity) == Decimal("7.5")  # the gradebook's next pull takes the new score

    # the key is corrected: the other answers are scored again, the teacher's points stand
    fixed = new_version(db, q1, Item(QType.single, "2 + 2 = ?", title="Phép cộng",
                                     choices=[Choice("3"), Choice("4", True), Choice("5")]))
    quiz.regrade(db=db, actor=world.teacher, activity_id=activity.id, question_id=q1.id, version_id=fixed.id)
    status, score, answers = stored(db, attempt.id)
    assert score == Decimal("1.50") and dict((s, p) for s, p, _, _ in answers)[slot] == Decimal("0.50")

    back = teacher.post(f"{url}/points", data={"slot": str(slot), "points": "", "feedback": "", "action": "auto"})
    assert back.status_code == 303
    status, score, answers = stored(db, attempt.id)
    assert score == Decimal("2.00")  # the corrected key gives the point
    assert dict((s, (p, by)) for s, p, by, _ in answers)[slot] == (Decimal("1.00"), None)
    assert pulled(db, world, activity) == Decimal("10.0")


def test_refused_points_change_nothing_and_say_why(db: Session, world, client_for) -> None:
    activity, (q1, q2), attempt = submitted(db, world, [capital(), essay()], {0: 0, 1: "Chè."})
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/points"
    slot, essay_slot = slot_of(attempt, q1), slot_of(attempt, q2)
    before = stored(db, attempt.id)
    scored_before = len(statements(db, world.student, "scored"))
    for points in ("2", "-1", "năm", "", "1,5"):
        refused = teacher.post(url, data={"slot": str(slot), "points": points, "action": "set"})
        assert refused.status_code == 422 and "The points must be between 0 and 1." in section(refused.text, slot)
    for bad_slot, number in (("99", "100"), ("x", "x")):
        refused = teacher.post(url, data={"slot": bad_slot, "points": "1"})
        assert refused.status_code == 422 and f"This attempt has no question {number}." in refused.text
    refused = teacher.post(url, data={"slot": str(essay_slot), "points": "1"})
    assert refused.status_code == 422 and "graded with its own form" in section(refused.text, essay_slot)
    unknown = teacher.post(f"/courses/{activity.course_id}/quiz-attempts/{attempt.id + 1000}/points",
                           data={"slot": str(slot), "points": "1"})
    assert unknown.status_code == 404 and "This attempt does not exist." in unknown.text
    elsewhere = teacher.post(f"/courses/{activity.course_id + 1000}/quiz-attempts/{attempt.id}/points",
                             data={"slot": str(slot), "points": "1"})
    assert elsewhere.status_code == 404
    for outsider in (world.other_school_teacher, world.classmate, world.student):
        assert client_for(outsider).post(url, data={"slot": str(slot), "points": "1"}).status_code == 404
    assert stored(db, attempt.id) == before
    assert len(statements(db, world.student, "scored")) == scored_before


def test_the_service_refuses_an_attempt_in_progress_and_lets_the_school_admin_set_points(db: Session,
                                                                                      world) -> None:
    activity, (q1,) = make_quiz(db, world, [capital()])
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    slot = slot_of(attempt, q1)
    with pytest.raises(Invalid) as refused:
        attempt_review.set_points(db=db, actor=world.teacher, attempt_id=attempt.id, slot=slot, points="1")
    assert refused.value.message == attempt_review.STILL_OPEN
    quiz.submit(db=db, actor=world.student, attempt_id=attempt.id)
    with pytest.raises(NotFound):
        attempt_review.set_points(db=db, actor=world.other_school_admin, attempt_id=attempt.id, slot=slot, points="1")
    with pytest.raises(NotFound):
        attempt_review.set_points(db=db, actor=world.teacher, attempt_id=attempt.id + 1000, slot=slot, points="1")
    with pytest.raises(Invalid) as refused:
        attempt_review.set_points(db=db, actor=world.teacher, attempt_id=attempt.id, slot=slot, points="1",
                                  feedback="x" * 10_001)
    assert refused.value.message == attempt_review.FEEDBACK_TOO_LONG
    assert stored(db, attempt.id)[1] == Decimal("0.00")
    answer = attempt_review.set_points(db=db, actor=world.school_admin, attempt_id=attempt.id, slot=slot,
                                       points=Decimal("0.333"))
    assert (answer.points, answer.graded_by_id) == (Decimal("0.33"), world.school_admin.id)
    assert stored(db, attempt.id)[1] == Decimal("0.33")
