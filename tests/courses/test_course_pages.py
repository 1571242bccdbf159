"""Course pages: the journey through forms (build a lesson from a material, a student completes it, the grid changes)
and refusals shown on the page in the user's language with nothing stored."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.courses.models import Activity, Course, Lesson
from lms_core.progress.models import StatementRow
from tests.courses.conftest import published_page
from tests.web.test_accessibility import _check


def _location_id(response, pattern: str) -> int:  # noqa: ANN001
    assert response.status_code == 303, response.text[:800]
    return int(re.search(pattern, response.headers["location"])[1])


def test_teacher_builds_a_lesson_student_completes_it_grid_changes(db: Session, world, client_for, plugin_host) -> None:
    material = published_page(db, plugin_host, world.teacher)
    teacher = client_for(world.teacher)
    form = teacher.get("/courses/new")
    assert form.status_code == 200 and 'name="class_ids"' in form.text
    _check(form.text)
    course_id = _location_id(teacher.post("/courses/new", data={
        "title": "Tiếng Anh 6", "subject_id": str(world.subject.id), "grade": "6",
        "academic_year_id": str(world.year.id), "class_ids": [str(world.class_6a.id)], "late_policy": "mark_late"}),
        r"/courses/(\d+)")
    assert teacher.post(f"/courses/{course_id}/units", data={"title": "Unit 1: My new school"}).status_code == 303
    unit_id = db.scalar(select(Lesson.unit_id).limit(0)) or re.search(
        r'/units/(\d+)/lessons', teacher.get(f"/courses/{course_id}").text)[1]
    lesson_id = _location_id(teacher.post(f"/courses/{course_id}/units/{unit_id}/lessons",
                                          data={"title": "Getting started", "opens_at": "", "closes_at": ""}),
                             r"/lessons/(\d+)")
    lesson_page = teacher.get(f"/courses/{course_id}/lessons/{lesson_id}")
    assert lesson_page.status_code == 200 and "Trà Tân Cương" in lesson_page.text  # the material to choose
    _check(lesson_page.text)
    added = teacher.post(f"/courses/{course_id}/lessons/{lesson_id}/activities", data={
        "type": "material", "title": "Đọc bài Trà", "choice": str(material.id), "required": ["0", "1"]})
    assert added.status_code == 303
    activity_id = db.scalar(select(Activity.id).where(Activity.lesson_id == lesson_id))

    before = client_for(world.teacher).get(f"/courses/{course_id}/progress")
    assert before.status_code == 200 and "Học Sinh A" in before.text and "0/1" in before.text
    _check(before.text)

    student = client_for(world.student)
    listing = student.get("/courses")
    assert "Tiếng Anh 6" in listing.text and f"/courses/{course_id}/activities/{activity_id}" in listing.text
    _check(listing.text)
    page = student.get(f"/courses/{course_id}/activities/{activity_id}")
    assert page.status_code == 200 and "Chè Tân Cương nổi tiếng" in page.text
    _check(page.text)
    assert db.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.verb == "completed")) == 1
    after = teacher.get(f"/courses/{course_id}/progress").text
    row = re.search(r"Học Sinh A.*?</tr>", after, re.S)[0]
    assert "1/1" in row and ">100<" in row
    course_page = student.get(f"/courses/{course_id}")
    assert "100%" in course_page.text
    _check(course_page.text)


def test_refusals_on_course_pages_are_shown_and_store_nothing(db: Session, world, client_for, plugin_host) -> None:
    teacher = client_for(world.teacher)
    counts = lambda: tuple(db.scalar(select(func.count()).select_from(m)) for m in (Course, Lesson, Activity))  # noqa: E731
    before = counts()
    wrong = teacher.post("/courses/new", data={"title": "X", "subject_id": str(world.subject.id), "grade": "6",
                                               "academic_year_id": str(world.year.id),
                                               "class_ids": [str(world.other_class.id)]})
    assert wrong.status_code in (403, 422) and 'role="alert"' in wrong.text or wrong.status_code == 403
    bad_id = teacher.post("/courses/new", data={"title": "X", "subject_id": "abc", "grade": "6",
                                                "academic_year_id": str(world.year.id)})
    assert bad_id.status_code == 422
    assert counts() == before
    assert client_for(world.student).get("/courses/new").status_code == 403
    assert teacher.get("/courses/999999").status_code == 404
    assert client_for(world.student).post("/courses/activities/1/events", json={"verb": "watched", "progress": 3},
                                          headers={"X-CSRF-Token": "x"}).status_code in (403, 422)


def test_school_admin_sees_each_class_courses_and_a_student_sees_theirs_on_the_dashboard(
        db: Session, world, client_for, plugin_host, types) -> None:
    from lms_core.courses import service as courses
    from lms_core.progress import service as progress
    from tests.courses.conftest import course_for_6a

    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                                    title="Đọc bài Trà", settings={"material_id": material.id})
    progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed")
    page = client_for(world.school_admin).get(f"/classes/{world.class_6a.id}")
    row = re.search(r"Tiếng Anh 6.*?</tr>", page.text, re.S)[0]
    assert ">50%<" in row  # one of two students done
    _check(page.text)
    assert "Tiếng Anh 6" not in client_for(world.school_admin).get(f"/classes/{world.class_7a.id}").text
    board = client_for(world.classmate).get("/dashboard").text
    assert "Tiếng Anh 6" in board and f"/courses/{course.id}/activities/{activity.id}" in board  # what to do next
    _check(board)
