"""The tutor's JSON API (the lesson panel's script uses it): an answer with citations that link to the material at
the cited section; refusals as JSON errors in the user's language with the right status, storing nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ai_tutor import service
from ai_tutor.safety import EMPTY, TOO_LONG
from lms_core.plugins.host import PluginHost
from tests.ai_tutor.test_pages import TEA_QUESTION, Setup, count, in_vietnamese, tutor_host, use_own_index

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    use_own_index(tmp_path, monkeypatch)


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: the web app with the content package and the tutor."""
    return tutor_host()


@pytest.fixture()
def built(db: Session, world) -> Setup:  # noqa: ANN001
    return Setup(db, world)


def url(built: Setup, course=None) -> str:  # noqa: ANN001
    return f"/api/tutor/courses/{(course or built.course).id}/ask"


def test_a_student_gets_an_answer_with_linked_citations(db: Session, built: Setup, client_for) -> None:
    student = client_for(built.world.student)
    response = student.post(url(built), json={"question": TEA_QUESTION, "lesson_id": built.lesson.id})
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True and body["mode"] == "answer" and body["language"] == "vi"
    assert body["left"] == service.DEFAULT_DAILY_LIMIT - 1 and str(body["left"]) in body["left_text"]
    tea = next(c for c in body["citations"] if c["title"] == "Chè Tân Cương")
    assert f"[{tea['ref']}]" in body["answer"] and "chảo gang" in tea["text"]
    assert tea["url"] == f"/courses/{built.course.id}/activities/{built.tea_activity.id}#sec-sao-che"
    assert tea["label"] == "Chè Tân Cương › Sao chè"
    # hint mode: guiding questions, not the answer
    service.set_policy(db=db, actor=built.world.teacher, course_id=built.course.id, mode="hint", material_ids=None,
                       daily_limit=30)
    hint = student.post(url(built), json={"question": TEA_QUESTION, "lesson_id": built.lesson.id}).json()
    assert hint["mode"] == "hint" and "chảo gang" not in hint["answer"]


def test_a_teacher_tries_the_tutor_without_a_daily_count(db: Session, built: Setup, client_for) -> None:
    body = client_for(built.world.teacher).post(url(built), json={"question": TEA_QUESTION}).json()
    assert body["found"] is True and body["left"] is None and body["left_text"] is None


@pytest.mark.parametrize(("question", "message"), [("", EMPTY), ("   \n ", EMPTY), ("chè " * 1500, TOO_LONG)])
def test_an_empty_or_huge_question_is_422_with_a_message(db: Session, built: Setup, client_for, question: str,
                                                        message: str) -> None:
    before = count(db)
    response = client_for(built.world.student).post(url(built), json={"question": question})
    assert response.status_code == 422
    shown = in_vietnamese(message, limit=1000) if "{limit}" in message else in_vietnamese(message)
    assert response.json() == {"error": "invalid", "message": shown}
    assert count(db) == before


def test_refusals_store_nothing(db: Session, built: Setup, client_for, app) -> None:  # noqa: ANN001
    before = count(db)
    ask = {"question": TEA_QUESTION, "lesson_id": built.lesson.id}
    # another class's student, another school's: the course does not exist for them
    assert client_for(built.world.student_7a).post(url(built), json=ask).status_code == 404
    assert client_for(built.world.other_school_student).post(url(built), json=ask).status_code == 404
    # a lesson of another course
    student = client_for(built.world.student)
    assert student.post(url(built), json={**ask, "lesson_id": built.other_lesson.id}).status_code == 404
    # far too long for the form of the request itself; not logged in; no CSRF header
    assert student.post(url(built), json={"question": "x" * 20_001}).status_code == 422
    assert TestClient(app).post(url(built), json=ask).status_code == 401
    bare = TestClient(app, cookies=dict(student.cookies))
    assert bare.post(url(built), json=ask).status_code == 403
    # switched off: 403 with the teacher's reason
    service.set_policy(db=db, actor=built.world.teacher, course_id=built.course.id, mode="off", material_ids=None,
                       daily_limit=30)
    off = student.post(url(built), json=ask)
    assert off.status_code == 403 and off.json()["message"] == in_vietnamese(service.TUTOR_OFF)
    assert count(db) == before


def test_past_the_daily_limit_the_api_answers_429(db: Session, built: Setup, client_for) -> None:
    service.set_policy(db=db, actor=built.world.teacher, course_id=built.course.id, mode="answer", material_ids=None,
                       daily_limit=2)
    student = client_for(built.world.student)
    ask = {"question": TEA_QUESTION, "lesson_id": built.lesson.id}
    assert [student.post(url(built), json=ask).json()["left"] for _ in range(2)] == [1, 0]
    before = count(db)
    refused = student.post(url(built), json=ask)
    assert refused.status_code == 429 and refused.json()["message"] == in_vietnamese(service.DAILY_LIMIT, limit=2)
    assert count(db) == before
