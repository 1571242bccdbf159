"""The review pages: the queue, a version with its decision form, the author's buttons, the menu entry."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from content.review import service
from lms_core.plugins.host import PluginHost
from tests.content.test_review_workflow import make_head, make_page, plugin_host, state  # noqa: F401


def csrf(page: str) -> str:
    """Return the CSRF token of the first form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_client(c: TestClient) -> TestClient:
    """Return the same logged-in client without the CSRF header, as a browser posting a form is."""
    c.headers.pop("x-csrf-token", None)
    return c


def test_an_author_submits_publishes_and_archives_with_forms(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    owner = form_client(client_for(world.teacher))
    token = csrf(owner.get("/review").text)
    base = f"/materials/{material.id}/versions/1"
    assert owner.post(f"{base}/submit", data={"comment": "Nhờ xem"}).status_code == 403  # no token: refused
    assert state(db, material) == ("draft", None, 0)
    sent = owner.post(f"{base}/submit", data={"csrf_token": token, "comment": "Nhờ xem"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/materials/{material.id}?review=submitted"
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=1)
    assert owner.post(f"{base}/publish", data={"csrf_token": token}).headers["location"].endswith("review=published")
    assert owner.post(f"{base}/archive", data={"csrf_token": token}).headers["location"].endswith("review=archived")
    refused = owner.post(f"{base}/archive", data={"csrf_token": token})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert state(db, material) == ("archived", None, 4)


def test_a_head_sees_the_queue_and_approves_from_the_version_page(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    make_head(db, world, world.other_teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    head = form_client(client_for(world.other_teacher))
    queue = head.get("/review")
    version_id = material.current_version_id
    assert queue.status_code == 200 and f'href="/review/{version_id}"' in queue.text and "Giáo Viên A" in queue.text
    page = head.get(f"/review/{version_id}")
    assert page.status_code == 200 and "Chè được trồng trên đồi Tân Cương." in page.text
    assert f'action="/review/{version_id}/approve"' in page.text and f'formaction="/review/{version_id}/return"' in page.text
    token = csrf(page.text)
    missing = head.post(f"/review/{version_id}/return", data={"csrf_token": token, "comment": " "})
    assert missing.status_code == 422 and 'role="alert"' in missing.text and 'id="comment"' in missing.text
    assert state(db, material) == ("submitted", None, 1)
    done = head.post(f"/review/{version_id}/approve", data={"csrf_token": token, "comment": "Đạt"})
    assert done.status_code == 303 and done.headers["location"] == "/review?done=approved"
    assert state(db, material)[0] == "approved"
    history = head.get(f"/review/{version_id}").text
    assert 'id="review-history"' in history and "Đạt" in history and 'formaction=' not in history


def test_the_version_page_hides_the_decision_from_the_author_and_the_page_from_others(db: Session, world,
                                                                                    client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    version_id = material.current_version_id
    own = client_for(world.teacher).get(f"/review/{version_id}")
    assert own.status_code == 200 and "/approve" not in own.text
    for outsider in (world.other_teacher, world.student, world.other_school_admin):
        assert client_for(outsider).get(f"/review/{version_id}").status_code == 404
    assert client_for(world.teacher).get("/review/999999").status_code == 404


def test_someone_who_reviews_nothing_gets_an_explanation(db: Session, world, client_for) -> None:
    page = client_for(world.student).get("/review")
    assert page.status_code == 200 and 'id="review-queue"' not in page.text and 'class="empty"' in page.text
    assert 'id="heads"' not in page.text


def test_the_menu_shows_review_to_school_admins_and_heads(db: Session, world, client_for,
                                                          plugin_host: PluginHost) -> None:  # noqa: F811
    def keys(user) -> list[str]:  # noqa: ANN001
        return [e.key for e in plugin_host.navigation(db=db, user=user, school_id=user.school_id)]

    assert "review" in keys(world.school_admin) and "review" not in keys(world.teacher)
    assert "review" not in keys(world.student)
    make_head(db, world, world.teacher, world.subject)
    assert "review" in keys(world.teacher)
    assert 'href="/review"' in client_for(world.school_admin).get("/dashboard").text
    assert 'href="/review"' not in client_for(world.other_teacher).get("/dashboard").text
