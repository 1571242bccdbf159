"""The list of a school's people: only that school's, searchable by name or username, filtered by
role and class in SQL, 50 a page; the page works on a phone (table in a scrolling wrapper)."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy.orm import Session

from lms_core.accounts import manage
from lms_core.accounts.models import Role, RoleAssignment
from tests.builders import make_user
from tests.web.test_accessibility import audit

SCHOOL_A = {"school_admin", "teacher", "other_teacher", "student", "classmate", "student_7a"}


def _names(school, *who: str) -> set[str]:  # noqa: ANN001
    return {getattr(school, w).username for w in who}


def _listed(db: Session, school, **filters) -> set[str]:  # noqa: ANN001, ANN003
    result = manage.list_school_users(db=db, actor=school.school_admin, school_id=school.school.id, **filters)
    return {u.username for u in result.users}


def test_the_list_holds_exactly_the_schools_people(db: Session, school) -> None:
    assert _listed(db, school) == _names(school, *SCHOOL_A)


def test_a_system_admin_lists_the_school_asked_for_only(db: Session, school) -> None:
    result = manage.list_school_users(db=db, actor=school.system_admin, school_id=school.other_school.id)
    assert {u.username for u in result.users} == _names(school, "other_school_admin", "other_school_teacher",
                                                        "other_school_student")


def test_the_api_never_shows_another_schools_people(school, client_for) -> None:
    client = client_for(school.school_admin)
    body = client.get(f"/api/schools/{school.school.id}/users").json()
    assert {u["username"] for u in body["items"]} == _names(school, *SCHOOL_A)
    assert body["total"] == len(SCHOOL_A) and body["page"] == 1 and body["per_page"] == 50
    assert client.get(f"/api/schools/{school.other_school.id}/users").status_code == 404
    searched = client.get(f"/api/schools/{school.school.id}/users", params={"q": "B"}).json()
    assert school.other_school_student.username not in {u["username"] for u in searched["items"]}


@pytest.mark.parametrize(("q", "expected"), [
    ("học sinh", {"student", "student_7a"}),
    (unicodedata.normalize("NFD", "Học Sinh"), {"student", "student_7a"}),  # another encoding of the same letters
    ("  Bạn   Cùng ", {"classmate"}),
    ("hsa", {"student", "classmate"}),
    ("GVA2", {"other_teacher"}),
    ("%", set()),
    ("_", set()),
    ("không có ai", set()),
])
def test_search_by_name_or_username(db: Session, school, q: str, expected: set[str]) -> None:
    assert _listed(db, school, q=q) == _names(school, *expected)


def test_filters_by_role_and_class_combine(db: Session, school) -> None:
    assert _listed(db, school, role=Role.teacher) == _names(school, "teacher", "other_teacher")
    assert _listed(db, school, class_id=school.class_6a.id) == _names(school, "teacher", "student", "classmate")
    assert _listed(db, school, class_id=school.class_6a.id, role=Role.student) == _names(school, "student", "classmate")
    assert _listed(db, school, class_id=school.other_class.id) == set()  # another school's class finds nobody here


def test_the_list_shows_current_classes(db: Session, school) -> None:
    result = manage.list_school_users(db=db, actor=school.school_admin, school_id=school.school.id)
    assert result.classes[school.student.id] == ["6A"] and result.classes[school.other_teacher.id] == ["7A"]
    assert school.school_admin.id not in result.classes


def _many_students(db: Session, school, n: int) -> None:  # noqa: ANN001
    for i in range(n):
        make_user(db, f"nhieu{i:03d}", f"Nhiều Học Trò {i:03d}", RoleAssignment(role=Role.student, school_id=school.school.id),
                  school=school.school)
    db.commit()


def test_the_list_is_paged_by_fifty(db: Session, school, client_for) -> None:
    _many_students(db, school, 55)
    first = manage.list_school_users(db=db, actor=school.school_admin, school_id=school.school.id, q="Nhiều")
    second = manage.list_school_users(db=db, actor=school.school_admin, school_id=school.school.id, q="Nhiều", page=2)
    assert (first.total, first.pages, len(first.users), len(second.users)) == (55, 2, 50, 5)
    assert not {u.id for u in first.users} & {u.id for u in second.users}
    page = client_for(school.school_admin).get("/admin/users", params={"q": "Nhiều"})
    assert page.status_code == 200 and 'rel="next"' in page.text and "page=2" in page.text
    assert client_for(school.school_admin).get(f"/api/schools/{school.school.id}/users",
                                               params={"q": "Nhiều", "page": 2}).json()["pages"] == 2


def test_the_page_lists_the_school_in_a_scrolling_table(school, client_for) -> None:
    page = client_for(school.school_admin).get("/admin/users")
    assert page.status_code == 200
    assert '<div class="table-wrap">' in page.text and f'href="/admin/users/{school.student.id}"' in page.text
    for person in (school.other_school_student, school.other_school_teacher, school.system_admin):
        assert f'href="/admin/users/{person.id}"' not in page.text and f">{person.full_name}<" not in page.text
    assert 'name="q"' in page.text and 'name="role"' in page.text and 'name="class_id"' in page.text


def test_the_page_filters(school, client_for) -> None:
    client = client_for(school.school_admin)
    page = client.get("/admin/users", params={"q": "", "role": "teacher", "class_id": str(school.class_6a.id)})
    assert page.status_code == 200
    assert f">{school.teacher.full_name}<" in page.text and f">{school.student.full_name}<" not in page.text
    assert client.get("/admin/users", params={"class_id": "abc"}).status_code == 422
    assert client.get("/admin/users", params={"role": "owner"}).status_code == 422


def test_a_system_admin_chooses_the_school_on_the_page(school, client_for) -> None:
    page = client_for(school.system_admin).get("/admin/users", params={"school_id": str(school.other_school.id)})
    assert page.status_code == 200 and f">{school.other_school_student.full_name}<" in page.text
    assert f">{school.student.full_name}<" not in page.text


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_the_person_and_add_pages_have_labelled_fields(school, client_for, who: str) -> None:
    client = client_for(school.school_admin)
    for url in (f"/admin/users/{getattr(school, who).id}", "/admin/users/new"):
        page = audit(client.get(url).text)
        assert page.h1 == 1 and not page.unnamed, url
        assert not [f for f in page.fields if f.get("id") not in page.labels], url


def test_search_without_accents_finds_the_accented_name(client_for, world) -> None:
    """Teachers often type on phones without diacritics: "hoc sinh a" must find "Học Sinh A"."""
    c = client_for(world.school_admin)
    url = f"/api/schools/{world.school.id}/users"
    for q in ("hoc sinh a", "HỌC SINH A", "Học Sinh A", "hsa"):
        names = {u["full_name"] for u in c.get(url, params={"q": q}).json()["items"]}
        assert "Học Sinh A" in names, q
    assert c.get(url, params={"q": "hsb"}).json()["items"] == []  # only another school's student is called so
