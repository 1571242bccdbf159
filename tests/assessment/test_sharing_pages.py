"""Sharing questions on the pages: ticking questions in the bank list and sending them, the review queue linked from
the materials' review page, the question as students see it with its key, approving and returning, the author's
view of the outcome, the "Shared repository" filter and the copy button; other schools and students get nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.assessment import sharing
from lms_core.assessment.models import Question, QuestionReview
from tests.assessment.test_builder import single, store
from lms_core.plugins.host import PluginHost
from tests.assessment.test_sharing import content_host, name_head, state
from tests.web.test_accessibility import _check


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: the content package is registered (the review page, who reviews)."""
    return content_host()


@pytest.fixture()
def head(db: Session, world: Any) -> Any:
    """Return the head of the subject group (the world's other teacher)."""
    return name_head(db, world)


def reviews(db: Session) -> list[QuestionReview]:
    db.expire_all()
    return list(db.scalars(select(QuestionReview).order_by(QuestionReview.id)))


def test_ticked_questions_are_sent_reviewed_and_found_in_the_shared_repository(db: Session, world, head,
                                                                              client_for) -> None:
    ids = store(db, world, [single(n) for n in range(2)])
    author, reviewer = client_for(world.teacher), client_for(head)
    listed = author.get("/question-bank?mine=1")
    assert listed.status_code == 200 and 'formaction="/question-bank/share"' in listed.text
    confirm = author.get("/question-bank/share", params={"ids": ids, "mine": "1"})
    assert confirm.status_code == 200 and "Câu hỏi trắc nghiệm số 1" in confirm.text
    _check(confirm.text)
    nothing = author.get("/question-bank/share")
    assert nothing.status_code == 422 and 'role="alert"' in nothing.text
    sent = author.post("/question-bank/share", data={"ids": [str(i) for i in ids], "note": "Hai câu nhận biết"})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/question-bank/review?sent=2")
    mine = author.get(sent.headers["location"])
    assert mine.status_code == 200 and mine.text.count('<span class="badge">') >= 2
    _check(mine.text)

    materials_review = reviewer.get("/review")
    assert materials_review.status_code == 200 and 'href="/question-bank/review"' in materials_review.text
    assert ">2 " in materials_review.text.split('id="questions-title"')[1][:400]
    queue = reviewer.get("/question-bank/review")
    assert queue.status_code == 200 and queue.text.count('href="/question-bank/review/') == 2
    _check(queue.text)
    first, second = reviews(db)
    page = reviewer.get(f"/question-bank/review/{first.id}")
    assert page.status_code == 200, page.text[:300]
    _check(page.text)
    assert 'class="question-body student-view"' in page.text and 'disabled aria-label="A"' in page.text
    assert 'class="key"' in page.text and "Hai câu nhận biết" in page.text
    assert f'action="/question-bank/review/{first.id}/approve"' in page.text

    approved = reviewer.post(f"/question-bank/review/{first.id}/approve", data={"comment": ""})
    assert approved.status_code == 303 and approved.headers["location"] == "/question-bank/review?done=approved"
    unexplained = reviewer.post(f"/question-bank/review/{second.id}/return", data={"comment": ""})
    assert unexplained.status_code == 422 and 'role="alert"' in unexplained.text
    returned = reviewer.post(f"/question-bank/review/{second.id}/return",
                             data={"comment": "Đáp án B cũng có thể đúng, sửa lại phương án."})
    assert returned.status_code == 303
    twice = reviewer.post(f"/question-bank/review/{first.id}/approve", data={"comment": ""})
    assert twice.status_code == 422 and 'role="alert"' in twice.text
    assert [r.status for r in reviews(db)] == ["approved", "returned"]

    own = author.get(f"/question-bank/{ids[1]}")
    assert own.status_code == 200 and "Đáp án B cũng có thể đúng" in own.text
    assert f'action="/question-bank/{ids[1]}/share"' in own.text  # may be sent again
    _check(own.text)
    outsider = client_for(world.other_school_teacher)
    shared = outsider.get("/question-bank?shared=1")
    assert shared.status_code == 200
    assert f'href="/question-bank/{ids[0]}"' in shared.text and f'href="/question-bank/{ids[1]}"' not in shared.text
    other = outsider.get(f"/question-bank/{ids[0]}")
    assert other.status_code == 200 and f'action="/question-bank/{ids[0]}/copy"' in other.text
    assert 'class="share-history"' not in other.text  # the review history is the author's and reviewers' 
    _check(other.text)
    copied = outsider.post(f"/question-bank/{ids[0]}/copy")
    assert copied.status_code == 303
    copy = db.get(Question, int(copied.headers["location"].split("/")[2].split("?")[0]))
    assert copy.owner_id == world.other_school_teacher.id and copy.school_id == world.other_school.id


def test_the_author_withdraws_on_the_question_page(db: Session, world, head, client_for) -> None:
    [qid] = store(db, world, [single(1)])
    author = client_for(world.teacher)
    assert author.post(f"/question-bank/{qid}/share", data={"note": ""}).status_code == 303
    page = author.get(f"/question-bank/{qid}?sharing=sent")
    [review] = reviews(db)
    assert f'action="/question-bank/review/{review.id}/withdraw"' in page.text
    _check(page.text)
    gone = author.post(f"/question-bank/review/{review.id}/withdraw")
    assert gone.status_code == 303 and reviews(db)[0].status == "withdrawn"
    late = author.post(f"/question-bank/review/{review.id}/withdraw")
    assert late.status_code == 422 and 'role="alert"' in late.text


def test_other_schools_students_and_strangers_get_nothing(db: Session, world, head, client_for) -> None:
    [qid] = store(db, world, [single(1)])
    review = sharing.submit(db=db, actor=world.teacher, question_id=qid)
    before = state(db)
    outsider = client_for(world.other_school_teacher)
    assert outsider.get(f"/question-bank/review/{review.id}").status_code == 404
    assert outsider.post(f"/question-bank/review/{review.id}/approve", data={"comment": ""}).status_code == 404
    assert outsider.post(f"/question-bank/review/{review.id}/withdraw").status_code == 404
    assert outsider.post(f"/question-bank/{qid}/share").status_code == 404
    assert 'href="/question-bank/review/' not in outsider.get("/question-bank/review").text
    student = client_for(world.student)
    assert student.get("/question-bank/review").status_code == 403
    assert student.post(f"/question-bank/{qid}/share").status_code == 403
    assert student.post("/question-bank/share", data={"ids": [str(qid)]}).status_code == 403
    assert student.post(f"/question-bank/review/{review.id}/approve", data={"comment": ""}).status_code == 403
    colleague = client_for(world.other_teacher)  # the head: may review, may not send someone else's question
    refused = colleague.post("/question-bank/share", data={"ids": [str(qid)]})
    assert refused.status_code == 403 and 'role="alert"' in refused.text
    assert client_for(world.teacher).get("/question-bank/review/999999").status_code == 404
    assert client_for(world.teacher).post(f"/question-bank/review/{review.id}/approve",
                                          data={"comment": ""}).status_code == 403
    assert state(db) == before
    assert db.scalar(select(func.count()).select_from(QuestionReview)) == 1
