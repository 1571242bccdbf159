"""Live session pages: a teacher adds one from the lesson page (local time), students see when and where and the
join link when it is time, the teacher takes attendance on a form; refusals are shown and store nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Attendance
from lms_core.db import utcnow
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check


def _lesson(db: Session, world):  # noqa: ANN001, ANN202
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    return course, courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")


def _counts(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (Activity, Attendance, StatementRow))


def test_a_teacher_adds_a_session_in_local_time_and_refusals_keep_the_form(db: Session, world, client_for) -> None:
    course, lesson = _lesson(db, world)
    teacher = client_for(world.teacher)
    page = teacher.get(f"/courses/{course.id}/lessons/{lesson.id}")
    assert page.status_code == 200 and f"/lessons/{lesson.id}/live-sessions" in page.text
    _check(page.text)
    url = f"/courses/{course.id}/lessons/{lesson.id}/live-sessions"
    before = _counts(db)
    refused = teacher.post(url, data={"title": "Học trực tuyến", "starts_at": "2025-10-06T08:30",
                                      "duration_minutes": "45", "link": "http://meet.example.edu.vn/6a"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert 'value="http://meet.example.edu.vn/6a"' in refused.text  # what was typed is kept
    _check(refused.text)
    assert teacher.post(url, data={"title": "Học", "starts_at": "", "duration_minutes": "45",
                                   "room": "P1"}).status_code == 422
    assert teacher.post(url, data={"title": "Học", "starts_at": "2025-10-06T08:30", "duration_minutes": "45",
                                   "room": "P1", "link": "https://meet.example.edu.vn/6a"}).status_code == 422
    assert client_for(world.student).post(url, data={"title": "Học", "starts_at": "2025-10-06T08:30",
                                                     "duration_minutes": "45", "room": "P1"}).status_code == 403
    assert _counts(db) == before
    added = teacher.post(url, data={"title": "Học trực tuyến", "starts_at": "2025-10-06T08:30",
                                    "duration_minutes": "45", "link": "https://meet.example.edu.vn/6a",
                                    "required": ["0", "1"]})
    assert added.status_code == 303
    activity = db.scalar(select(Activity).where(Activity.type == "live"))
    assert activity.settings["starts_at"] == "2025-10-06T01:30:00Z"  # 08:30 in Việt Nam is 01:30 UTC
    assert activity.settings["link"] == "https://meet.example.edu.vn/6a" and activity.required


def test_students_see_the_join_link_when_it_is_time_and_teachers_take_attendance(db: Session, world, types,
                                                                               client_for) -> None:
    course, lesson = _lesson(db, world)
    now = utcnow()
    open_now = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live",
                                    title="Buổi 1", settings={"starts_at": (now + timedelta(minutes=10)).isoformat(),
                                                              "duration_minutes": 45,
                                                              "link": "https://meet.example.edu.vn/b1"})
    later = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live",
                                 title="Buổi 2", settings={"starts_at": (now + timedelta(days=1)).isoformat(),
                                                           "duration_minutes": 45,
                                                           "link": "https://meet.example.edu.vn/b2"})
    student = client_for(world.student)
    page = student.get(f"/courses/{course.id}/activities/{open_now.id}")
    assert page.status_code == 200 and 'href="https://meet.example.edu.vn/b1"' in page.text
    assert "/attendance" not in page.text
    _check(page.text)
    assert "meet.example.edu.vn/b2" not in student.get(f"/courses/{course.id}/activities/{later.id}").text

    teacher = client_for(world.teacher)
    url = f"/courses/{course.id}/activities/{open_now.id}/attendance"
    assert f'href="{url}"' in teacher.get(f"/courses/{course.id}/activities/{open_now.id}").text
    form = teacher.get(url)
    assert form.status_code == 200 and world.student.full_name in form.text and world.classmate.full_name in form.text
    _check(form.text)
    saved = teacher.post(url, data={"student": [str(world.student.id), str(world.classmate.id)],
                                    "status": ["present", ""]})
    assert saved.status_code == 303
    db.expire_all()
    assert {(m.student_id, m.status) for m in db.scalars(select(Attendance))} == {(world.student.id, "present")}
    after = teacher.get(saved.headers["location"])
    assert after.status_code == 200 and 'role="status"' in after.text
    marked = student.get(f"/courses/{course.id}/activities/{open_now.id}").text
    assert "Present" in marked or "Có mặt" in marked

    before = _counts(db)
    bad = teacher.post(url, data={"student": [str(world.student.id), str(world.classmate.id)],
                                  "status": ["absent", "sick"]})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    _check(bad.text)
    assert teacher.post(url, data={"student": [str(world.student.id)], "status": []}).status_code == 422
    assert teacher.post(url, data={"student": [str(world.student_7a.id)], "status": ["present"]}).status_code == 422
    assert student.post(url, data={"student": [str(world.student.id)], "status": ["absent"]}).status_code == 403
    assert student.get(url).status_code == 403
    assert client_for(world.other_teacher).post(url, data={"student": [str(world.student.id)],
                                                           "status": ["absent"]}).status_code == 404
    assert teacher.post(f"/courses/{course.id + 1}/activities/{open_now.id}/attendance",
                        data={"student": [str(world.student.id)], "status": ["absent"]}).status_code == 404
    assert _counts(db) == before
    db.expire_all()
    assert db.scalar(select(Attendance.status).where(Attendance.student_id == world.student.id)) == "present"
