"""Adding one person by hand: a student in a class or a teacher with subjects, a username made from
the name when none is given, a readable password shown once and stored only as a hash."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts import auth, manage
from lms_core.accounts.models import ClassEnrolment, TeacherSubject, User
from lms_core.errors import Conflict, Invalid
from lms_core.org.models import Subject
from tests.accounts.test_manage_permissions import stored_state


def _student(school, **extra):  # noqa: ANN001, ANN003, ANN202
    return {"full_name": "Nguyễn Văn An", "role": "student", "class_id": school.class_6a.id, **extra}


def test_a_student_gets_a_generated_username_a_class_and_a_working_password(db: Session, school, client_for) -> None:
    answer = client_for(school.school_admin).post(f"/api/schools/{school.school.id}/users", json=_student(school))
    assert answer.status_code == 201 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["user"]["username"] == "annv" and body["user"]["roles"] == ["student"]
    assert [c["name"] for c in body["user"]["classes"]] == ["6A"]
    db.expire_all()
    user = db.scalar(select(User).where(User.username == "annv"))
    assert user.school_id == school.school.id and body["password"] not in user.password_hash
    assert db.scalar(select(ClassEnrolment.class_id).where(ClassEnrolment.student_id == user.id)) == school.class_6a.id
    assert auth.login(db=db, username="annv", password=body["password"]).user.id == user.id


def test_a_second_person_of_the_same_name_gets_the_next_free_username(db: Session, school) -> None:
    first, _ = manage.create_person(db=db, actor=school.school_admin, school_id=school.school.id, **_student(school))
    second, _ = manage.create_person(db=db, actor=school.school_admin, school_id=school.school.id, **_student(school))
    assert (first.user.username, second.user.username) == ("annv", "annv2")


def test_a_teacher_gets_subjects_and_a_chosen_username(db: Session, school) -> None:
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    detail, password = manage.create_person(
        db=db, actor=school.school_admin, school_id=school.school.id, full_name="Lê Thị Hoa", role="teacher",
        username="Hoa.LT", subject_ids=[maths.id, school.subject.id])
    assert detail.user.username == "hoa.lt" and detail.user.role_names() == ["teacher"]
    assert set(db.scalars(select(TeacherSubject.subject_id).where(TeacherSubject.user_id == detail.user.id))) == {
        maths.id, school.subject.id}
    assert len(password) == 9


@pytest.mark.parametrize(("changes", "error"), [
    ({"class_id": None}, Invalid),                                   # a student needs a class
    ({"class_id": "other"}, Invalid),                                # another school's class
    ({"class_id": 999999}, Invalid),                                 # no such class
    ({"subject_ids": [1]}, Invalid),                                 # students have no subjects
    ({"role": "school_admin"}, Invalid),                             # not added by hand
    ({"full_name": "   "}, Invalid),
    ({"username": "a b"}, Invalid),
    ({"username": "HSA"}, Conflict),                                 # taken (usernames ignore case)
])
def test_bad_people_are_refused_and_nothing_is_stored(db: Session, school, changes: dict, error: type) -> None:
    if changes.get("class_id") == "other":
        changes = {"class_id": school.other_class.id}
    before = stored_state(db)
    with pytest.raises(error):
        manage.create_person(db=db, actor=school.school_admin, school_id=school.school.id, **_student(school, **changes))
    assert stored_state(db) == before


def test_a_teacher_with_an_unknown_subject_is_refused(db: Session, school) -> None:
    before = stored_state(db)
    with pytest.raises(Invalid):
        manage.create_person(db=db, actor=school.school_admin, school_id=school.school.id, full_name="Lê Thị Hoa",
                             role="teacher", subject_ids=[999999])
    assert stored_state(db) == before


def test_the_api_explains_a_refusal_in_the_users_language(db: Session, school, client_for) -> None:
    school.school_admin.locale = "en"
    db.commit()
    client = client_for(school.school_admin)
    before = stored_state(db)
    answer = client.post(f"/api/schools/{school.school.id}/users", json=_student(school, class_id=school.other_class.id))
    assert answer.status_code == 422
    assert answer.json()["message"] == f"There is no class number {school.other_class.id} in this person's school."
    taken = client.post(f"/api/schools/{school.school.id}/users", json=_student(school, username="hsa"))
    assert taken.status_code == 409 and taken.json()["message"] == "The username hsa is already taken."
    unknown_field = client.post(f"/api/schools/{school.school.id}/users", json=_student(school, is_admin=True))
    assert unknown_field.status_code == 422
    too_long = client.post(f"/api/schools/{school.school.id}/users", json=_student(school, full_name="x" * 121))
    assert too_long.status_code == 422
    assert stored_state(db) == before


def test_the_form_adds_a_person_and_shows_the_password_once(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    form = client.get("/admin/users/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text and 'for="full_name"' in form.text
    page = client.post("/admin/users/new", data={"school_id": str(school.school.id), "full_name": "Phạm Thu Hà",
                                                 "role": "teacher", "subject_ids": [str(school.subject.id)],
                                                 "birth_date": "15/03/1990"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    password = re.search(r"<dd><code>([a-z0-9]{4}-[a-z0-9]{4})</code></dd>", page.text)[1]
    db.expire_all()
    user = db.scalar(select(User).where(User.full_name == "Phạm Thu Hà"))
    assert user.birth_date == date(1990, 3, 15)
    assert user.username == "hapt" and auth.login(db=db, username="hapt", password=password).user.id == user.id
    assert password not in client.get(f"/admin/users/{user.id}").text


def test_the_form_shows_a_refusal_and_keeps_what_was_typed(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    before = stored_state(db)
    page = client.post("/admin/users/new", data={"school_id": str(school.school.id), "full_name": "Đỗ Minh Khôi",
                                                 "role": "student", "class_id": ""})
    assert page.status_code == 422 and 'class="error"' in page.text and 'value="Đỗ Minh Khôi"' in page.text
    bad_date = client.post("/admin/users/new", data={"school_id": str(school.school.id), "full_name": "Đỗ Minh Khôi",
                                                     "role": "student", "class_id": str(school.class_6a.id),
                                                     "birth_date": "31/02/2012"})
    assert bad_date.status_code == 422
    assert stored_state(db) == before
