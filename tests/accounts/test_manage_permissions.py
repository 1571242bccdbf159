"""Only an administrator of the person's school (or a system administrator) may manage them: every
other role gets 403 or 404 from every people-management route, and nothing stored changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts import manage
from lms_core.accounts.models import ClassEnrolment, RoleAssignment, TeacherSubject, TeachingAssignment, User, UserSession
from lms_core.errors import Forbidden, NotFound


def stored_state(db: Session) -> dict[str, Any]:
    """Return what the people-management routes could change, to compare before and after."""
    db.expire_all()
    return {
        "users": sorted(db.execute(select(User.id, User.username, User.full_name, User.password_hash, User.is_active))),
        "roles": sorted(db.execute(select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.school_id)), key=repr),
        "enrolments": sorted(db.execute(select(ClassEnrolment.class_id, ClassEnrolment.student_id))),
        "teaching": sorted(db.execute(select(TeachingAssignment.class_id, TeachingAssignment.teacher_id,
                                             TeachingAssignment.subject_id, TeachingAssignment.is_homeroom)),
                           key=repr),
        "subjects": sorted(db.execute(select(TeacherSubject.user_id, TeacherSubject.subject_id))),
        "sessions": sorted(db.scalars(select(UserSession.token_hash))),
    }


def _calls(w) -> list[tuple[str, str, dict[str, Any] | None]]:  # noqa: ANN001
    """Return every people-management API call on the school's student `classmate` (or the school)."""
    uid, sid = w.classmate.id, w.school.id
    teaching = {"class_id": w.class_6a.id, "subject_id": w.subject.id, "is_homeroom": False}
    return [
        ("GET", f"/api/users/{uid}/detail", None),
        ("PATCH", f"/api/users/{uid}", {"is_active": False}),
        ("POST", f"/api/users/{uid}/password-reset", None),
        ("PUT", f"/api/users/{uid}/classes", {"class_ids": [w.class_7a.id]}),
        ("POST", f"/api/users/{w.teacher.id}/teaching", {**teaching, "class_id": w.class_7a.id}),
        ("DELETE", f"/api/users/{w.teacher.id}/teaching", teaching),
        ("POST", f"/api/schools/{sid}/users", {"full_name": "Trần Văn Mới", "role": "student", "class_id": w.class_6a.id}),
        ("GET", f"/api/schools/{sid}/users", None),
    ]


# Who is refused how: hidden people and schools read as 404, visible ones as 403.
REFUSALS = {
    "other_school_admin": {"student": 404, "teacher": 404, "school": 404},
    "teacher": {"student": 403, "teacher": 403, "school": 403},         # teaches the classmate; sees their own account
    "student": {"student": 404, "teacher": 404, "school": 403},         # may not see a classmate's account
    "district_staff": {"student": 404, "teacher": 403, "school": 403},  # sees the school and its staff, not students
}


@pytest.mark.parametrize("who", sorted(REFUSALS))
def test_the_api_refuses_everyone_but_the_school_admin_and_changes_nothing(db: Session, school, client_for, who: str) -> None:
    client = client_for(getattr(school, who))
    before = stored_state(db)
    for method, url, body in _calls(school):
        target = "school" if url.startswith("/api/schools/") else "teacher" if url.endswith("/teaching") else "student"
        expected = REFUSALS[who][target]
        answer = client.request(method, url, json=body)
        assert answer.status_code == expected, (who, method, url, answer.text)
        assert school.classmate.full_name not in answer.text
        assert stored_state(db) == before, (who, method, url)


def test_a_student_may_not_manage_their_own_account(db: Session, school, client_for) -> None:
    client = client_for(school.student)
    before = stored_state(db)
    assert client.post(f"/api/users/{school.student.id}/password-reset").status_code == 403
    assert client.put(f"/api/users/{school.student.id}/classes", json={"class_ids": [school.class_7a.id]}).status_code == 403
    assert stored_state(db) == before


@pytest.mark.parametrize("who", ["school_admin", "system_admin"])
def test_the_school_admin_and_a_system_admin_may_do_every_action(db: Session, school, client_for, who: str) -> None:
    client = client_for(getattr(school, who))
    expected = {"GET": 200, "PATCH": 200, "POST": 200, "PUT": 200, "DELETE": 200}
    for method, url, body in _calls(school):
        answer = client.request(method, url, json=body)
        created = method == "POST" and (url.endswith("/teaching") or url.endswith("/users"))
        assert answer.status_code == (201 if created else expected[method]), (method, url, answer.text)


def test_a_school_admin_cannot_manage_a_system_admin_or_department_staff(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    for target in (school.system_admin, school.district_staff):
        assert client.post(f"/api/users/{target.id}/password-reset").status_code == 404
    with pytest.raises(NotFound):
        manage.reset_password(db=db, actor=school.school_admin, user_id=school.system_admin.id)


def test_unknown_ids_are_404(school, client_for) -> None:
    client = client_for(school.school_admin)
    assert client.get("/api/users/999999/detail").status_code == 404
    assert client.patch("/api/users/999999", json={"is_active": True}).status_code == 404
    assert client.get("/api/schools/999999/users").status_code == 404
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/api/users/99999999999/detail").status_code == 422  # beyond any id: refused, not a crash


@pytest.mark.parametrize(("who", "error"), [("other_school_admin", NotFound), ("teacher", Forbidden),
                                             ("student", NotFound)])
def test_the_service_refuses_the_same_way(db: Session, school, who: str, error: type) -> None:
    before = stored_state(db)
    with pytest.raises(error):
        manage.set_classes(db=db, actor=getattr(school, who), user_id=school.classmate.id, class_ids=[school.class_7a.id])
    with pytest.raises(error):
        manage.update_user(db=db, actor=getattr(school, who), user_id=school.classmate.id, is_active=False)
    assert stored_state(db) == before


@pytest.mark.parametrize(("who", "status"), [("other_school_admin", 404), ("teacher", 403), ("student", 404)])
def test_the_pages_refuse_the_same_way(db: Session, school, client_for, who: str, status: int) -> None:
    client = client_for(getattr(school, who))
    before = stored_state(db)
    uid = school.classmate.id
    assert client.get(f"/admin/users/{uid}").status_code == status
    assert client.post(f"/admin/users/{uid}/reset-password").status_code == status
    assert client.post(f"/admin/users/{uid}/active", data={"active": "off"}).status_code == status
    assert client.post(f"/admin/users/{uid}/classes", data={"class_id": str(school.class_7a.id)}).status_code == status
    assert client.post(f"/admin/users/{uid}/classes", data={"class_id": "abc"}).status_code == status
    assert stored_state(db) == before


@pytest.mark.parametrize(("who", "status"), [("other_school_admin", 404), ("teacher", 403), ("student", 403)])
def test_the_list_and_add_pages_refuse_the_same_way(db: Session, school, client_for, who: str, status: int) -> None:
    client = client_for(getattr(school, who))
    before = stored_state(db)
    sid = str(school.school.id)
    assert client.get("/admin/users", params={"school_id": sid}).status_code == status
    assert client.get("/admin/users/new", params={"school_id": sid}).status_code == status
    answer = client.post("/admin/users/new", data={"school_id": sid, "full_name": "Người Lạ", "role": "student",
                                                   "class_id": "abc"})
    assert answer.status_code == status
    assert stored_state(db) == before


def test_teachers_without_a_school_to_manage_are_refused_the_list(school, client_for) -> None:
    assert client_for(school.teacher).get("/admin/users").status_code == 403


def test_anonymous_callers_are_asked_to_log_in(school, client) -> None:
    assert client.get(f"/api/users/{school.student.id}/detail").status_code == 401
    assert client.get("/admin/users").status_code == 303
