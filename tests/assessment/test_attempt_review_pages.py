"""A teacher opens one student's attempt from the results, question by question: what was shown in the attempt's
option order, what the student answered, the key, points, feedback and when each answer was saved; essays are graded
there. Only teachers of the course and the school's administrator open it; a student reads their own attempt only
as the quiz shows results, never the key before the quiz closes, and another student's attempt reads "not found"."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts.manage_pages import local_time
from lms_core.assessment import quiz
from lms_core.assessment.items import Blank, Item, Pair, QType
from lms_core.assessment.models import QuizAnswer, QuizAttempt
from lms_core.db import utcnow
from tests.assessment.test_quiz_service import capital, essay, evens, half, make_quiz, slot_of, tea_group
from tests.web.test_accessibility import _check


def tea_pairs() -> Item:
    return Item(QType.matching, "Nối địa danh với sản vật.", title="Nối", pairs=[
        Pair("Tân Cương", "Chè"), Pair("Huế", "Nón lá"), Pair("Bát Tràng", "Gốm")])


def tea_steps() -> Item:
    return Item(QType.ordering, "Sắp xếp các bước chế biến chè.", title="Các bước", order=["Hái", "Héo", "Vò", "Sao"])


def tea_blanks() -> Item:
    return Item(QType.cloze, "Chè {1} nổi tiếng ở tỉnh {2}.", title="Điền", blanks=[
        Blank(accepted=["Tân Cương"]), Blank(options=["Thái Nguyên", "Phú Thọ", "Lâm Đồng"])])


def submitted(db: Session, world, items: list[Item], answers, student=None, **settings):  # noqa: ANN001, ANN201
    """Make a quiz of the items, let the student answer (question index → raw answer) and submit."""
    activity, questions = make_quiz(db, world, items, **settings)
    student = student or world.student
    attempt = quiz.start(db=db, actor=student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=student, attempt_id=attempt.id,
                      answers={slot_of(attempt, questions[i]): raw for i, raw in answers.items()})
    quiz.submit(db=db, actor=student, attempt_id=attempt.id)
    return activity, questions, attempt


def section(html: str, slot: int) -> str:
    """Return the part of a page that shows one answer."""
    return re.search(rf'<section class="card answer" id="answer-{slot}".*?</section>', html, re.DOTALL).group(0)


def test_teacher_opens_an_attempt_from_the_results_and_reads_it_question_by_question(db: Session, world,
                                                                                      client_for) -> None:
    activity, (q1, q2, q3, q4, q5), attempt = submitted(
        db, world, [capital(), evens(), tea_group(), half(), essay()],
        {0: 2, 1: ["0", "1"], 2: {"a": "đúng", "b": "đúng"}, 3: "0,5", 4: "Chè Tân Cương có vị chát dịu."},
        shuffle_options=True)
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/review"
    results = teacher.get(f"/courses/{activity.course_id}/activities/{activity.id}/quiz/results")
    assert f'href="{url}"' in results.text  # linked from the results list

    page = teacher.get(url)
    assert page.status_code == 200
    html = page.text
    _check(html)
    assert "Học Sinh A" in html and "Attempt 1" in html

    # the options in the order this attempt showed them, the chosen one, the key, the points, when it was saved
    s1 = slot_of(attempt, q1)
    shown = [capital().choices[i].text for i in attempt.layout[s1]["options"]]
    capital_html = section(html, s1)
    assert [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r'<th scope="row">[A-Z]</th>\s*<td>(.*?)</td>',
                                                                   capital_html, re.DOTALL)] == shown
    chosen_row = re.search(r'<tr class="chosen">.*?</tr>', capital_html, re.DOTALL).group(0)
    assert "Đà Nẵng" in chosen_row and "✗ wrong" in chosen_row
    key_row = next(r for r in re.findall(r"<tr>.*?</tr>", capital_html, re.DOTALL) if "Hà Nội" in r)
    assert "Correct" in key_row
    assert "0 / 1" in capital_html
    saved = db.get(QuizAnswer, next(a.id for a in attempt.answers if a.slot == s1)).saved_at
    assert f"saved {local_time(saved)}" in capital_html

    evens_html = section(html, slot_of(attempt, q2))
    assert evens_html.count("● chosen") == 2 and "✗ wrong" in evens_html  # "3" ticked, "4" missed
    group = section(html, slot_of(attempt, q3))
    assert group.count("✓ right") == 1 and "0.1 / 1" in group  # a) right; b) wrong; c), d) blank
    numeric = section(html, slot_of(attempt, q4))
    assert "0,5" in numeric and "✓ right" in numeric and "Key" in numeric
    essay_html = section(html, slot_of(attempt, q5))
    answer_id = next(a.id for a in attempt.answers if a.slot == slot_of(attempt, q5))
    assert "Chè Tân Cương có vị chát dịu." in essay_html and "not graded yet" in essay_html
    assert f'action="/courses/{activity.course_id}/quiz-answers/{answer_id}/grade"' in essay_html
    assert f'action="/courses/{activity.course_id}/quiz-attempts/{attempt.id}/points"' in capital_html

    # the school's administrator opens it too; nobody else learns that it exists
    assert client_for(world.school_admin).get(url).status_code == 200
    for outsider in (world.other_school_teacher, world.other_school_admin, world.classmate, world.student_7a):
        refused = client_for(outsider).get(url)
        assert refused.status_code == 404 and "Đà Nẵng" not in refused.text
    assert teacher.get(f"/courses/{activity.course_id + 1000}/quiz-attempts/{attempt.id}/review").status_code == 404
    assert teacher.get(f"/courses/{activity.course_id}/quiz-attempts/{attempt.id + 1000}/review").status_code == 404


def test_matching_ordering_and_cloze_show_the_attempts_order_the_answer_and_the_key(db: Session, world,
                                                                                    client_for) -> None:
    activity, (q1, q2, q3), attempt = submitted(
        db, world, [tea_pairs(), tea_steps(), tea_blanks()],
        {0: [0, 2, None], 1: [0, 2, 1, 3], 2: ["tan cuong", None]})
    world.teacher.locale = "en"
    db.commit()
    html = client_for(world.teacher).get(f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/review").text
    _check(html)
    pairs = section(html, slot_of(attempt, q1))
    rights = [tea_pairs().pairs[i].right for i in attempt.layout[slot_of(attempt, q1)]["options"]]
    assert "Choices as the student saw them: " + " · ".join(rights) in pairs
    rows = re.findall(r"<tr><th scope=\"row\">(\d)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
                      pairs, re.DOTALL)
    assert [(r[1], re.sub(r"<[^>]+>", "", r[2]).strip(), r[3]) for r in rows] == [
        ("Tân Cương", "Chè", "Chè"), ("Huế", "Gốm", "Nón lá"), ("Bát Tràng", "—", "Gốm")]
    assert "✓ right" in rows[0][4] and "✗ wrong" in rows[1][4] and "✗ wrong" in rows[2][4]
    steps = section(html, slot_of(attempt, q2))
    assert steps.count("✓ right") == 2 and steps.count("✗ wrong") == 2  # Héo and Vò swapped
    assert "0.5 / 1" in steps
    blanks = section(html, slot_of(attempt, q3))
    assert "tan cuong" in blanks and "Tân Cương" in blanks and "Thái Nguyên" in blanks  # given, accepted, key
    assert "0.5 / 1" in blanks and "(1) ……" in blanks


def test_the_teacher_grades_an_essay_on_the_attempt_page(db: Session, world, client_for) -> None:
    activity, (q1, q2), attempt = submitted(db, world, [capital(), essay()], {0: 1, 1: "Chè thơm."})
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    answer = db.scalar(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id,
                                                QuizAnswer.slot == slot_of(attempt, q2)))
    grade = f"/courses/{activity.course_id}/quiz-answers/{answer.id}/grade"
    refused = teacher.post(grade, data={"points": "9", "feedback": "x", "back": "attempt"})
    assert refused.status_code == 422
    assert "Attempt 1 of Học Sinh A" in refused.text and "between 0 and 2" in section(refused.text, answer.slot)
    _check(refused.text)
    db.expire_all()
    assert db.get(QuizAnswer, answer.id).points is None and db.get(QuizAttempt, attempt.id).status == "submitted"
    done = teacher.post(grade, data={"points": "1,5", "feedback": "Khá.", "back": "attempt"})
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/review"
    assert done.status_code == 303 and done.headers["location"] == f"{url}?graded=1#answer-{answer.slot}"
    db.expire_all()
    graded = db.get(QuizAttempt, attempt.id)
    assert graded.status == "graded" and graded.score == Decimal("2.50")
    after = teacher.get(done.headers["location"]).text
    assert "The grade is saved." in after and "1.5 / 2" in section(after, answer.slot) and "Khá." in after
    assert "Score: 8.3 / 10" in after
    # the queue's own form still returns to the queue
    again = teacher.post(grade, data={"points": "2"})
    assert again.status_code == 303 and again.headers["location"].endswith("/quiz/grading?graded=1")


def test_a_student_reads_their_own_attempt_as_the_quiz_allows_and_the_key_only_after_it_closes(
        db: Session, world, client_for) -> None:
    activity, (q1, q2), attempt = submitted(db, world, [capital(), half()], {0: 0, 1: "0,5"})
    world.student.locale = "en"
    db.commit()
    student = client_for(world.student)
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/review"
    base = f"/courses/{activity.course_id}/activities/{activity.id}"
    assert f'href="{url}"' in student.get(base).text

    page = student.get(url)  # shown after submitting: answers, points, marks, no key and no teacher's form
    assert page.status_code == 200
    _check(page.text)
    mine = section(page.text, slot_of(attempt, q1))
    assert "Huế" in mine and "● chosen" in mine and "✗ wrong" in mine and "0 / 1" in mine
    assert "Correct" not in mine and "/points" not in page.text and "The key is shown after the quiz closes." in page.text
    assert '<th scope="col">Key</th>' not in page.text and "<dt>Key</dt>" not in page.text

    activity.closes_at = utcnow() - timedelta(minutes=1)  # once the quiz has closed, the key is shown
    db.commit()
    closed = student.get(url).text
    assert "Correct" in section(closed, slot_of(attempt, q1))
    assert "<dt>Key</dt><dd>0.5</dd>" in section(closed, slot_of(attempt, q2))
    assert "The key is shown after the quiz closes." not in closed

    # a classmate reads "not found"; a teacher's form is refused to the student
    assert client_for(world.classmate).get(url).status_code == 404
    slot = slot_of(attempt, q1)
    refused = student.post(f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/points",
                           data={"slot": str(slot), "points": "1"})
    assert refused.status_code == 404
    db.expire_all()
    assert db.get(QuizAttempt, attempt.id).score == Decimal("1.00")


def test_results_never_shown_or_not_yet_shown_keep_the_attempt_closed_to_the_student(db: Session, world,
                                                                                    client_for) -> None:
    never, (q1,), attempt = submitted(db, world, [capital()], {0: 0}, show="never")
    world.student.locale = "en"
    db.commit()
    student = client_for(world.student)
    url = f"/courses/{never.course_id}/quiz-attempts/{attempt.id}/review"
    refused = student.get(url)
    assert refused.status_code == 403 and "does not show the results" in refused.text and "Huế" not in refused.text
    assert f'href="{url}"' not in student.get(f"/courses/{never.course_id}/activities/{never.id}").text
    assert client_for(world.teacher).get(url).status_code == 200  # the teacher still reads it

    later, (q2,), other = submitted(db, world, [capital()], {0: 1}, student=world.classmate, show="after_close")
    later.closes_at = utcnow() + timedelta(days=1)
    db.commit()
    world.classmate.locale = "en"
    db.commit()
    classmate = client_for(world.classmate)
    url = f"/courses/{later.course_id}/quiz-attempts/{other.id}/review"
    waiting = classmate.get(url)
    assert waiting.status_code == 403 and "not shown to students yet" in waiting.text
    later.closes_at = utcnow() - timedelta(minutes=1)
    db.commit()
    shown = classmate.get(url)
    assert shown.status_code == 200 and "Correct" in shown.text  # closed: results and key


def test_an_attempt_in_progress_is_the_students_to_finish_and_the_teachers_to_read(db: Session, world,
                                                                                 client_for) -> None:
    activity, (q1,) = make_quiz(db, world, [capital()])
    attempt = quiz.start(db=db, actor=world.student, activity_id=activity.id)
    quiz.save_answers(db=db, actor=world.student, attempt_id=attempt.id, answers={slot_of(attempt, q1): 1})
    world.teacher.locale = "en"
    db.commit()
    url = f"/courses/{activity.course_id}/quiz-attempts/{attempt.id}/review"
    assert client_for(world.student).get(url).status_code == 404  # still answering: the quiz page is theirs
    page = client_for(world.teacher).get(url)
    assert page.status_code == 200 and "working on an attempt" in page.text and "/points" not in page.text
    assert "● chosen" in page.text
