"""Quiz pages: a teacher adds a quiz from the bank; a student starts it, saves with and without JavaScript, reloads
and finds the answers filled in, submits and reads the score; refusals show on the page and store nothing; the
teacher reads the results, grades an essay, reads the statistics and pulls the score into the gradebook."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.assessment.models import QuizAnswer, QuizAttempt
from lms_core.courses import service as courses
from lms_core.courses.models import Activity
from lms_core.gradebook import service as gradebook
from lms_core.gradebook.models import GradeEntry
from tests.assessment.test_quiz_service import (bank_question, capital, essay, evens, half, make_quiz, slot_of,
                                                tea_group)
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check


def _answers(db: Session, attempt_id: int) -> dict[int, object]:
    db.expire_all()
    return {a.slot: a.response for a in db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id))}


def test_teacher_adds_a_quiz_of_bank_questions_from_the_lesson_page(db: Session, world, client_for) -> None:
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    q1, q2 = bank_question(db, world, capital()), bank_question(db, world, half())
    teacher = client_for(world.teacher)
    page = teacher.get(f"/courses/{course.id}/lessons/{lesson.id}")
    assert page.status_code == 200 and f'/lessons/{lesson.id}/quizzes' in page.text and "Thủ đô" in page.text
    _check(page.text)
    url = f"/courses/{course.id}/lessons/{lesson.id}/quizzes"
    refused = teacher.post(url, data={"title": "Kiểm tra", "row_id": [str(q1.id), str(q2.id)], "row_points": ["", ""]})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    _check(refused.text)
    assert db.scalar(select(Activity).where(Activity.lesson_id == lesson.id)) is None
    added = teacher.post(url, data={
        "title": "Kiểm tra 15 phút", "question_id": [str(q1.id), str(q2.id)], "row_id": [str(q1.id), str(q2.id)],
        "row_points": ["", "2,5"], "time_limit": "15", "attempts": "2", "shuffle_options": "1", "show": "after_close",
        "completion": "passed", "threshold": "6", "required": ["0", "1"]})
    assert added.status_code == 303, added.text[:500]
    activity = db.scalar(select(Activity).where(Activity.lesson_id == lesson.id))
    settings = activity.settings
    assert [(q["question_id"], q["points"]) for q in settings["questions"]] == [(q1.id, "1"), (q2.id, "2.5")]
    assert (settings["time_limit"], settings["attempts"], settings["shuffle_options"], settings["show"]) == \
        (15, 2, True, "after_close")
    assert (activity.type, activity.completion, activity.threshold) == ("quiz", "passed", 6.0)
    assert client_for(world.student).post(url, data={"title": "X", "question_id": [str(q1.id)]}).status_code in (403, 404)


def test_student_takes_a_quiz_saving_as_they_go_and_finds_it_after_a_reload(db: Session, world, client_for) -> None:
    activity, (q1, q2, q3, q4) = make_quiz(db, world, [capital(), evens(), tea_group(), half()], points={3: "2"},
                                           time_limit=20)
    base = f"/courses/{activity.course_id}/activities/{activity.id}"
    student = client_for(world.student)
    first = student.get(base)
    assert first.status_code == 200 and f"{base}/quiz/start" in first.text
    _check(first.text)
    assert student.post(f"{base}/quiz/start").status_code == 303
    attempt = db.scalar(select(QuizAttempt).where(QuizAttempt.student_id == world.student.id))
    s1, s2, s3, s4 = (slot_of(attempt, q) for q in (q1, q2, q3, q4))
    page = student.get(base)
    assert page.status_code == 200 and 'role="timer"' in page.text and "/static/quiz.js" in page.text
    assert "Thủ đô của Việt Nam" in page.text and page.text.count("<fieldset") == 4
    _check(page.text)
    action = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}"

    # no JavaScript: the whole form is saved by the plain button
    saved = student.post(action, data={f"q{s1}": "1", f"q{s2}": ["0", "2"], f"q{s3}_a": "true", f"q{s3}_b": "false",
                                       f"q{s3}_c": "false", f"q{s3}_d": "false", "action": "save"})
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    # the script saves one question at a time
    one = student.post(f"{action}/answers/{s4}", data={f"q{s4}": "0,5"})
    assert one.status_code == 200 and one.json()["saved"] is True
    assert _answers(db, attempt.id) == {s1: 1, s2: [0, 2], s3: [True, False, False, False], s4: "0,5"}

    reloaded = student.get(base).text  # a reload shows every saved answer
    assert f'id="q{s1}-1" name="q{s1}" value="1" checked' in reloaded
    assert f'id="q{s2}-0" name="q{s2}" value="0" checked' in reloaded
    assert f'id="q{s2}-2" name="q{s2}" value="2" checked' in reloaded
    assert f'id="q{s3}_a-t" name="q{s3}_a" value="true" checked' in reloaded
    assert f'id="q{s3}_c-f" name="q{s3}_c" value="false" checked' in reloaded
    assert f'name="q{s4}" inputmode="decimal" maxlength="40" autocomplete="off" value="0,5"' in reloaded

    world.student.locale = "en"
    db.commit()
    bad = student.post(action, data={f"q{s1}": "0", f"q{s4}": "1.250,5", "action": "save"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text and f"Question {s4 + 1}" in bad.text
    assert 'value="1.250,5"' in bad.text  # what was typed stays in the form to correct
    _check(bad.text)
    bad_one = student.post(f"{action}/answers/{s4}", data={f"q{s4}": "năm"})
    assert bad_one.status_code == 422 and bad_one.json()["saved"] is False and "number" in bad_one.json()["message"]
    assert _answers(db, attempt.id)[s1] == 1 and _answers(db, attempt.id)[s4] == "0,5"

    classmate = client_for(world.classmate)
    assert classmate.post(action, data={f"q{s1}": "0", "action": "submit"}).status_code == 404
    assert classmate.post(f"{action}/answers/{s1}", data={f"q{s1}": "0"}).status_code == 404
    assert _answers(db, attempt.id)[s1] == 1 and db.get(QuizAttempt, attempt.id).status == "in_progress"

    # submitting sends the form's answers too: 1 + 1 + 0.5 (3 of 4) + 2 = 4.5 of 5 → 9.0
    submitted = student.post(action, data={f"q{s1}": "1", f"q{s2}": ["0", "2"], f"q{s3}_a": "true",
                                           f"q{s3}_b": "false", f"q{s3}_c": "false", f"q{s3}_d": "false",
                                           f"q{s4}": "0,5", "action": "submit"})
    assert submitted.status_code == 303 and "submitted=1" in submitted.headers["location"]
    db.expire_all()
    assert db.get(QuizAttempt, attempt.id).score == Decimal("4.50")
    after = student.get(base).text
    assert "Score: 9.0 / 10" in after and "0.5 / 1" in after
    _check(after)
    again = student.post(action, data={"action": "submit"})
    assert again.status_code == 409 and "already been submitted" in again.text
    assert db.get(QuizAttempt, attempt.id).score == Decimal("4.50")


def test_teacher_reads_results_grades_an_essay_reads_statistics_and_pulls_scores(db: Session, world,
                                                                                  client_for) -> None:
    activity, (q1, q2) = make_quiz(db, world, [capital(), essay()])
    base = f"/courses/{activity.course_id}/activities/{activity.id}"
    student = client_for(world.student)
    student.post(f"{base}/quiz/start")
    attempt = db.scalar(select(QuizAttempt).where(QuizAttempt.student_id == world.student.id))
    s1, s2 = slot_of(attempt, q1), slot_of(attempt, q2)
    student.post(f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}",
                 data={f"q{s1}": "1", f"q{s2}": "Chè Tân Cương có vị chát dịu.", "action": "submit"})

    world.teacher.locale = "en"  # messages are asserted in English, the catalogue aside
    db.commit()
    teacher = client_for(world.teacher)
    overview = teacher.get(base)
    assert f"{base}/quiz/results" in overview.text and "1 essay waits for grading." in overview.text
    _check(overview.text)
    results = teacher.get(f"{base}/quiz/results")
    assert results.status_code == 200 and "Học Sinh A" in results.text and "Bạn Cùng Lớp" in results.text
    _check(results.text)
    queue = teacher.get(f"{base}/quiz/grading")
    assert queue.status_code == 200 and "Chè Tân Cương có vị chát dịu." in queue.text
    _check(queue.text)
    answer = db.scalar(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id, QuizAnswer.slot == s2))
    refused = teacher.post(f"/courses/{activity.course_id}/quiz-answers/{answer.id}/grade", data={"points": "9"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    db.expire_all()
    assert db.get(QuizAnswer, answer.id).points is None
    graded = teacher.post(f"/courses/{activity.course_id}/quiz-answers/{answer.id}/grade",
                          data={"points": "2", "feedback": "Rất tốt."})
    assert graded.status_code == 303
    db.expire_all()
    assert db.get(QuizAttempt, attempt.id).status == "graded" and db.get(QuizAttempt, attempt.id).score == Decimal("3.00")
    assert "10.0" in teacher.get(f"{base}/quiz/results").text
    stats = teacher.get(f"{base}/quiz/statistics")
    assert stats.status_code == 200 and "Thủ đô" in stats.text and "1.00" in stats.text
    _check(stats.text)
    for page in ("results", "grading", "statistics"):
        assert student.get(f"{base}/quiz/{page}").status_code == 403
        assert client_for(world.other_school_teacher).get(f"{base}/quiz/{page}").status_code == 404

    book = gradebook.open_gradebook(db=db, actor=world.teacher, course_id=activity.course_id,
                                    class_id=world.class_6a.id,
                                    term_id=next(t for t in world.year.terms if t.number == 1).id)
    column = next(c for c in book.columns if gradebook.column_code(c) == "tx1")
    gradebook.map_column(db=db, actor=world.teacher, gradebook_id=book.id, column_id=column.id,
                         activity_id=activity.id)
    pulled = teacher.post(f"/gradebook/{book.id}/pull")
    assert pulled.status_code == 303 and "added=1" in pulled.headers["location"]
    entry = db.scalar(select(GradeEntry).where(GradeEntry.column_id == column.id,
                                               GradeEntry.student_id == world.student.id))
    assert entry.score == Decimal("10.0")
