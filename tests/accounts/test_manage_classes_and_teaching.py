"""Moving a student to another class of the same school and year, and giving or taking a teacher's
teaching assignments; anything outside the person's school is refused and nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts import manage
from lms_core.accounts.models import ClassEnrolment, TeacherSubject, TeachingAssignment
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.org.models import AcademicYear, SchoolClass, Subject
from tests.accounts.test_manage_permissions import stored_state


def _classes_of(db: Session, student_id: int) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(ClassEnrolment.class_id).where(ClassEnrolment.student_id == student_id)))


def _teaching_of(db: Session, teacher_id: int) -> set[tuple[int, int | None, bool]]:
    db.expire_all()
    rows = db.execute(select(TeachingAssignment.class_id, TeachingAssignment.subject_id, TeachingAssignment.is_homeroom)
                      .where(TeachingAssignment.teacher_id == teacher_id))
    return {tuple(r) for r in rows}


def test_the_api_moves_a_student_to_another_class(db: Session, school, client_for) -> None:
    answer = client_for(school.school_admin).put(f"/api/users/{school.student.id}/classes",
                                                 json={"class_ids": [school.class_7a.id]})
    assert answer.status_code == 200 and [c["name"] for c in answer.json()["classes"]] == ["7A"]
    assert _classes_of(db, school.student.id) == {school.class_7a.id}
    assert _classes_of(db, school.classmate.id) == {school.class_6a.id}


def test_an_empty_list_takes_a_student_out_of_this_years_classes_only(db: Session, school) -> None:
    last_year = AcademicYear(name="2000-2001", start_date=date(2000, 9, 5), end_date=date(2001, 5, 31))
    db.add(last_year)
    db.flush()
    old = SchoolClass(school_id=school.school.id, academic_year_id=last_year.id, grade=5, name="5A")
    db.add(old)
    db.flush()
    db.add(ClassEnrolment(class_id=old.id, student_id=school.student.id))
    db.commit()
    manage.set_classes(db=db, actor=school.school_admin, user_id=school.student.id, class_ids=[])
    assert _classes_of(db, school.student.id) == {old.id}
    before = stored_state(db)
    with pytest.raises(Invalid):  # a class of another year is not a move within this year
        manage.set_classes(db=db, actor=school.school_admin, user_id=school.student.id, class_ids=[old.id])
    assert stored_state(db) == before


@pytest.mark.parametrize("target", ["other_class", "unknown"])
def test_moving_to_a_class_outside_the_school_is_refused_and_nothing_changes(db: Session, school, client_for,
                                                                               target: str) -> None:
    school.school_admin.locale = "en"
    db.commit()
    class_id = school.other_class.id if target == "other_class" else 999999
    client = client_for(school.school_admin)
    before = stored_state(db)
    answer = client.put(f"/api/users/{school.student.id}/classes",
                                                 json={"class_ids": [school.class_7a.id, class_id]})
    assert answer.status_code == 422
    assert answer.json() == {"error": "invalid", "message": f"There is no class number {class_id} in this person's school."}
    assert stored_state(db) == before and _classes_of(db, school.student.id) == {school.class_6a.id}


def test_a_system_admin_cannot_move_a_student_into_another_school_either(db: Session, school) -> None:
    before = stored_state(db)
    with pytest.raises(Invalid):
        manage.set_classes(db=db, actor=school.system_admin, user_id=school.student.id, class_ids=[school.other_class.id])
    assert stored_state(db) == before


def test_only_students_are_placed_in_classes(db: Session, school, client_for) -> None:
    answer = client_for(school.school_admin).put(f"/api/users/{school.teacher.id}/classes",
                                                 json={"class_ids": [school.class_7a.id]})
    assert answer.status_code == 422 and _classes_of(db, school.teacher.id) == set()


@pytest.mark.parametrize("body", [{"class_ids": [0]}, {"class_ids": "6A"}, {"class_ids": list(range(1, 12))},
                                  {"class_ids": [1], "school_id": 1}, {}])
def test_malformed_class_lists_are_refused(db: Session, school, client_for, body: dict) -> None:
    answer = client_for(school.school_admin).put(f"/api/users/{school.student.id}/classes", json=body)
    assert answer.status_code == 422 and _classes_of(db, school.student.id) == {school.class_6a.id}


def test_the_page_form_moves_a_student(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    url = f"/admin/users/{school.student.id}"
    page = client.get(url)
    assert page.status_code == 200 and f'action="{url}/classes"' in page.text and ">6A<" in page.text
    answer = client.post(f"{url}/classes", data={"class_id": str(school.class_7a.id)})
    assert answer.status_code == 303 and _classes_of(db, school.student.id) == {school.class_7a.id}
    refused = client.post(f"{url}/classes", data={"class_id": str(school.other_class.id)})
    assert refused.status_code == 422 and 'class="error"' in refused.text
    assert _classes_of(db, school.student.id) == {school.class_7a.id}


def test_a_teacher_is_given_and_relieved_of_a_subject_in_a_class(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    body = {"class_id": school.class_7a.id, "subject_id": maths.id, "is_homeroom": False}
    answer = client.post(f"/api/users/{school.teacher.id}/teaching", json=body)
    assert answer.status_code == 201
    assert (school.class_7a.id, maths.id, False) in _teaching_of(db, school.teacher.id)
    assert db.scalar(select(TeacherSubject.id).where(TeacherSubject.user_id == school.teacher.id,
                                                     TeacherSubject.subject_id == maths.id)) is not None
    assert client.post(f"/api/users/{school.teacher.id}/teaching", json=body).status_code == 409
    assert client.request("DELETE", f"/api/users/{school.teacher.id}/teaching", json=body).status_code == 200
    assert (school.class_7a.id, maths.id, False) not in _teaching_of(db, school.teacher.id)
    assert client.request("DELETE", f"/api/users/{school.teacher.id}/teaching", json=body).status_code == 404


def test_a_class_has_one_homeroom_teacher(db: Session, school) -> None:
    manage.add_teaching(db=db, actor=school.school_admin, user_id=school.teacher.id, class_id=school.class_6a.id,
                        is_homeroom=True)
    assert (school.class_6a.id, None, True) in _teaching_of(db, school.teacher.id)
    before = stored_state(db)
    with pytest.raises(Conflict):
        manage.add_teaching(db=db, actor=school.school_admin, user_id=school.other_teacher.id,
                            class_id=school.class_6a.id, is_homeroom=True)
    assert stored_state(db) == before
    manage.remove_teaching(db=db, actor=school.school_admin, user_id=school.teacher.id, class_id=school.class_6a.id,
                           is_homeroom=True)
    assert (school.class_6a.id, None, True) not in _teaching_of(db, school.teacher.id)


@pytest.mark.parametrize(("who", "changes", "error"), [
    ("teacher", {"class_id": "other_class"}, Invalid),         # another school's class
    ("teacher", {"class_id": 999999}, Invalid),               # no such class
    ("teacher", {"subject_id": 999999}, Invalid),             # no such subject
    ("teacher", {"subject_id": None}, Invalid),               # neither a subject nor homeroom
    ("teacher", {"is_homeroom": True}, Invalid),              # both a subject and homeroom
    ("student", {}, Invalid),                                 # only teachers teach
    ("other_school_teacher", {}, NotFound),                   # another school's teacher
])
def test_bad_teaching_assignments_are_refused_and_nothing_changes(db: Session, school, who: str, changes: dict,
                                                                  error: type) -> None:
    args = {"class_id": school.class_7a.id, "subject_id": school.subject.id, "is_homeroom": False, **changes}
    if args["class_id"] == "other_class":
        args["class_id"] = school.other_class.id
    before = stored_state(db)
    with pytest.raises(error):
        manage.add_teaching(db=db, actor=school.school_admin, user_id=getattr(school, who).id, **args)
    assert stored_state(db) == before


def test_the_page_forms_add_and_remove_teaching(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    url = f"/admin/users/{school.teacher.id}"
    page = client.get(url)
    assert page.status_code == 200 and f'action="{url}/teaching"' in page.text and 'value="homeroom"' in page.text
    answer = client.post(f"{url}/teaching", data={"class_id": str(school.class_7a.id), "subject_id": "homeroom"})
    assert answer.status_code == 303 and (school.class_7a.id, None, True) in _teaching_of(db, school.teacher.id)
    again = client.post(f"{url}/teaching", data={"class_id": str(school.class_7a.id), "subject_id": "homeroom"})
    assert again.status_code == 409 and 'class="error"' in again.text
    removed = client.post(f"{url}/teaching/remove", data={"class_id": str(school.class_6a.id),
                                                          "subject_id": str(school.subject.id)})
    assert removed.status_code == 303
    assert _teaching_of(db, school.teacher.id) == {(school.class_7a.id, None, True)}
    assert client.post(f"{url}/teaching", data={"class_id": "x", "subject_id": "homeroom"}).status_code == 422


def test_the_detail_shows_roles_classes_teaching_and_last_login(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    student = client.get(f"/api/users/{school.student.id}/detail").json()
    assert student["roles"] == ["student"] and [c["name"] for c in student["classes"]] == ["6A"]
    assert student["is_active"] is True and student["teaching"] == []
    client_for(school.teacher)  # the teacher logs in
    teacher = client.get(f"/api/users/{school.teacher.id}/detail").json()
    assert teacher["teaching"] == [{"class_id": school.class_6a.id, "class_name": "6A",
                                    "academic_year": school.year.name, "is_homeroom": False,
                                    "subject": {"id": school.subject.id, "code": "TA", "name": "Tiếng Anh"}}]
    assert teacher["last_login"] is not None and student["last_login"] is None
    page = client.get(f"/admin/users/{school.teacher.id}")
    assert page.status_code == 200 and school.teacher.username in page.text and '<div class="table-wrap">' in page.text
