"""Only a school's admin names and removes the heads of its subject groups; a head then reviews that subject."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials.models import SubjectGroupHead
from content.review import heads, service
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.content.test_review_pages import csrf, form_client
from tests.content.test_review_workflow import make_page, maths, plugin_host  # noqa: F401


def count(db: Session) -> int:
    """Return how many subject group heads are stored."""
    return db.scalar(select(func.count()).select_from(SubjectGroupHead))


def test_the_admin_names_a_head_who_then_reviews_that_subject(db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    admin = client_for(world.school_admin)
    path = f"/api/schools/{world.school.id}/subject-heads"
    made = admin.post(path, json={"subject_id": world.subject.id, "user_id": world.other_teacher.id})
    assert made.status_code == 201
    assert made.json() == {"id": made.json()["id"], "school_id": world.school.id, "subject_id": world.subject.id,
                           "subject_code": "TA", "user_id": world.other_teacher.id, "full_name": "Giáo Viên A Hai"}
    assert [h["user_id"] for h in admin.get(path).json()] == [world.other_teacher.id]
    assert client_for(world.other_teacher).post(
        f"/api/materials/{material.id}/versions/1/approve").json()["status"] == "approved"
    assert admin.delete(f"{path}/{made.json()['id']}").status_code == 204
    assert admin.get(path).json() == [] and count(db) == 0


@pytest.mark.parametrize(("who", "code"), [("teacher", 403), ("student", 403), ("other_school_admin", 404),
                                           ("district_staff", 403)])
def test_nobody_but_the_schools_admin_manages_its_heads(db: Session, world, client_for, who: str, code: int) -> None:
    kept = heads.assign_head(db=db, actor=world.school_admin, school_id=world.school.id, subject_id=world.subject.id,
                             user_id=world.teacher.id)
    c = client_for(getattr(world, who))
    path = f"/api/schools/{world.school.id}/subject-heads"
    assert c.post(path, json={"subject_id": world.subject.id, "user_id": world.other_teacher.id}).status_code == code
    assert c.delete(f"{path}/{kept.id}").status_code == code
    assert c.get(path).status_code == code
    assert count(db) == 1


def test_a_head_must_be_a_teacher_of_the_school_named_once(db: Session, world) -> None:
    def assign(user_id: int, subject_id: int | None = None, school=None) -> heads.HeadItem:  # noqa: ANN001
        return heads.assign_head(db=db, actor=world.school_admin, school_id=(school or world.school).id,
                                 subject_id=subject_id or world.subject.id, user_id=user_id)

    assign(world.teacher.id)
    with pytest.raises(Conflict):
        assign(world.teacher.id)
    for not_a_teacher in (world.student.id, world.other_school_teacher.id, world.school_admin.id, 999_999):
        with pytest.raises(Invalid):
            assign(not_a_teacher)
    with pytest.raises(Invalid):
        assign(world.teacher.id, subject_id=999_999)
    with pytest.raises(NotFound):
        assign(world.other_school_teacher.id, school=world.other_school)
    assign(world.teacher.id, subject_id=maths(db).id)  # one teacher may head two groups
    assert count(db) == 2
    other = heads.assign_head(db=db, actor=world.other_school_admin, school_id=world.other_school.id,
                              subject_id=world.subject.id, user_id=world.other_school_teacher.id)
    with pytest.raises(NotFound):  # another school's head is not removed through this school
        heads.remove_head(db=db, actor=world.school_admin, school_id=world.school.id, head_id=other.id)
    with pytest.raises(Forbidden):
        heads.list_heads(db=db, actor=world.teacher, school_id=world.school.id)
    assert count(db) == 3


def test_the_admin_manages_heads_on_the_review_page(db: Session, world, client_for) -> None:
    admin = form_client(client_for(world.school_admin))
    page = admin.get("/review")
    assert page.status_code == 200 and 'id="heads"' in page.text and "Giáo Viên A Hai" in page.text
    token = csrf(page.text)
    form = {"csrf_token": token, "school_id": world.school.id, "subject_id": world.subject.id,
            "user_id": world.other_teacher.id}
    added = admin.post("/review/heads", data=form)
    assert added.status_code == 303 and "done=head-added" in added.headers["location"]
    again = admin.post("/review/heads", data=form)
    assert again.status_code == 409 and 'role="alert"' in again.text and count(db) == 1
    listed = admin.get(f"/review?school_id={world.school.id}").text
    head_id = db.scalar(select(SubjectGroupHead.id))
    assert f'action="/review/heads/{head_id}/remove"' in listed
    teacher = form_client(client_for(world.teacher))
    refused = teacher.post(f"/review/heads/{head_id}/remove",
                           data={"csrf_token": csrf(teacher.get("/review").text), "school_id": world.school.id})
    assert refused.status_code == 403 and count(db) == 1
    removed = admin.post(f"/review/heads/{head_id}/remove", data={"csrf_token": token, "school_id": world.school.id})
    assert removed.status_code == 303 and count(db) == 0
