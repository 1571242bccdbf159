"""The material page offers exactly the workflow steps the viewer may take, and they work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from content.review import service
from tests.content.test_review_pages import csrf, form_client
from tests.content.test_review_workflow import make_page, plugin_host  # noqa: F401


def _buttons(html: str) -> set[str]:
    return {a for a in ("submit", "publish", "archive") if f"/versions/1/{a}\"" in html}


def test_the_author_sees_send_and_publish_a_colleague_sees_none(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    owner = form_client(client_for(world.teacher))
    page = owner.get(f"/materials/{material.id}")
    assert _buttons(page.text) == {"submit", "publish"}  # a school-visible draft: review or publish directly
    assert client_for(world.other_teacher).get(f"/materials/{material.id}").status_code == 404  # not published yet
    assert "Gửi duyệt" in page.text
    done = owner.post(f"/materials/{material.id}/versions/1/submit", data={"csrf_token": csrf(page.text)})
    assert done.status_code == 303
    after = owner.get(done.headers["location"])
    assert "Phiên bản đã được gửi duyệt." in after.text and _buttons(after.text) == set()


def test_a_reviewer_is_sent_to_the_review_page_then_may_publish(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    admin = client_for(world.school_admin)
    page = admin.get(f"/materials/{material.id}").text
    assert f'href="/review/{material.current_version_id}"' in page
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=1)
    assert "publish" in _buttons(admin.get(f"/materials/{material.id}").text)
