"""Live online sessions: a time and a https link or a room; the join link from 15 minutes before; attendance taken by
a teacher of the course writes "attended" for present and late, none for absent, and a correction to absent voids
the earlier statements (appended, never edited) so progress stops counting the session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.courses import live
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Attendance
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.progress import service as progress
from lms_core.progress import xapi
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a


def _lesson(db: Session, world):  # noqa: ANN001, ANN202
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    return course, courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")


def _session(db: Session, world, types, lesson, starts_at: datetime | None = None, **place):  # noqa: ANN001, ANN202
    settings = {"starts_at": (starts_at or utcnow() - timedelta(minutes=5)).isoformat(), "duration_minutes": 45,
                **(place or {"link": "https://meet.example.edu.vn/lop6a"})}
    return courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live",
                                title="Học trực tuyến", settings=settings)


def _state(db: Session) -> tuple:
    db.expire_all()
    marks = tuple(db.execute(select(Attendance.student_id, Attendance.status, Attendance.taken_by_id)
                             .order_by(Attendance.student_id)))
    return marks, db.scalar(select(func.count()).select_from(StatementRow)), \
        db.scalar(select(func.count()).select_from(Activity))


def _live_verbs(db: Session, course_id: int, activity_id: int, user_id: int) -> list[str]:
    return sorted(db.scalars(select(StatementRow.verb).where(
        StatementRow.activity_id == activity_id, StatementRow.user_id == user_id, progress.not_voided(course_id))))


def test_a_session_needs_a_time_and_exactly_one_https_link_or_room(db: Session, world, types) -> None:
    _course, lesson = _lesson(db, world)
    start = datetime(2025, 10, 6, 1, 30, tzinfo=UTC)
    with_room = _session(db, world, types, lesson, start, room="  Phòng   tin học 2 ")
    assert with_room.completion == "attended"
    assert with_room.settings == {"starts_at": "2025-10-06T01:30:00Z", "duration_minutes": 45, "link": "",
                                  "room": "Phòng tin học 2"}
    assert live.session_of(with_room).ends_at == datetime(2025, 10, 6, 2, 15, tzinfo=UTC)
    before = _state(db)
    bad = [{"link": "http://meet.example.edu.vn/x"}, {"link": "javascript:alert(1)"},
           {"link": "https://user:pw@meet.example.edu.vn/"}, {"link": "https:///nohost"},
           {"link": "https://meet.example.edu.vn/a b"}, {"link": "https://x.vn/" + "a" * 500},
           {"link": "https://meet.example.edu.vn/", "room": "Phòng 1"}, {}, {"link": " ", "room": ""},
           {"room": "P" * 101}]
    for place in bad:
        with pytest.raises(Invalid):
            _session(db, world, types, lesson, start, **place) if place else courses.add_activity(
                db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live", title="Không nơi",
                settings={"starts_at": start.isoformat(), "duration_minutes": 45})
    for settings in ({"duration_minutes": 45, "room": "P1"}, {"starts_at": "2025-10-06T08:30", "duration_minutes": 45,
                                                             "room": "P1"},
                     {"starts_at": start.isoformat(), "duration_minutes": 2, "room": "P1"},
                     {"starts_at": start.isoformat(), "duration_minutes": 601, "room": "P1"}):
        with pytest.raises(Invalid):  # no time, a time without its zone, a duration out of range
            courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live",
                                 title="Sai", settings=settings)
    assert _state(db) == before


def test_the_join_link_shows_from_fifteen_minutes_before_until_the_end(db: Session, world, types) -> None:
    _course, lesson = _lesson(db, world)
    soon = _session(db, world, types, lesson, utcnow() + timedelta(minutes=10))
    later = _session(db, world, types, lesson, utcnow() + timedelta(minutes=30))
    over = _session(db, world, types, lesson, utcnow() - timedelta(minutes=50))
    seen = lambda a: live.context(db=db, actor=world.student, activity=a)  # noqa: E731
    assert seen(soon)["join_url"] == "https://meet.example.edu.vn/lop6a" and seen(soon)["live_state"] == "open"
    assert seen(later)["join_url"] == "" and seen(later)["live_state"] == "upcoming"
    assert seen(over)["join_url"] == "" and seen(over)["live_state"] == "ended"
    schedule = live.session_of(later)
    assert schedule.state(schedule.starts_at - timedelta(minutes=15)) == "open"
    assert schedule.state(schedule.starts_at - timedelta(minutes=15, seconds=1)) == "upcoming"
    assert schedule.state(schedule.ends_at) == "ended"
    assert seen(soon)["may_take_attendance"] is False
    assert live.context(db=db, actor=world.teacher, activity=soon)["may_take_attendance"] is True


def test_attendance_records_attended_and_a_correction_voids_it(db: Session, world, types) -> None:
    course, lesson = _lesson(db, world)
    session = _session(db, world, types, lesson)
    cell = lambda who: progress.class_grid(db=db, actor=world.teacher, course_id=course.id).cells[(who.id, lesson.id)]  # noqa: E731

    assert live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                                marks={world.student.id: "present", world.classmate.id: "absent"}) == 2
    marks = {m.student_id: m for m in db.scalars(select(Attendance))}
    assert marks[world.student.id].status == "present" and marks[world.student.id].taken_by_id == world.teacher.id
    assert marks[world.classmate.id].status == "absent"
    assert _live_verbs(db, course.id, session.id, world.student.id) == ["attended", "completed"]
    assert _live_verbs(db, course.id, session.id, world.classmate.id) == []  # absent writes no statement
    attended = db.scalar(select(StatementRow).where(StatementRow.verb == "attended"))
    assert attended.body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert attended.body["actor"]["account"]["name"] == xapi.actor_name(world.student.id)  # the student's event
    assert attended.body["result"] == {"success": True, "response": "present"}
    assert cell(world.student) == (1, 1) and cell(world.classmate) == (0, 1)

    stored_before = db.scalar(select(func.count()).select_from(StatementRow))
    assert live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                                marks={world.student.id: "absent", world.classmate.id: "absent"}) == 1
    assert db.scalar(select(func.count()).select_from(StatementRow)) == stored_before + 2  # appended, none removed
    voiding = list(db.scalars(select(StatementRow).where(StatementRow.verb == "voided")))
    assert {v.body["object"]["objectType"] for v in voiding} == {"StatementRef"}
    assert {v.body["verb"]["id"] for v in voiding} == {"http://adlnet.gov/expapi/verbs/voided"}
    assert {v.object_iri for v in voiding} == {r.id for r in db.scalars(select(StatementRow).where(
        StatementRow.user_id == world.student.id, StatementRow.verb.in_(("attended", "completed"))))}
    for row in voiding:
        xapi.validate_statement(row.body)
    assert _live_verbs(db, course.id, session.id, world.student.id) == []
    assert cell(world.student) == (0, 1)
    assert session.id not in progress.completed_ids(db, course_id=course.id, user_id=world.student.id)
    assert progress.course_progress(db=db, actor=world.student, course_id=course.id).percent == 0

    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.student.id: "late"})
    assert _live_verbs(db, course.id, session.id, world.student.id) == ["attended", "completed"]
    assert cell(world.student) == (1, 1)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.student.id: "present"})
    live_rows = list(db.scalars(select(StatementRow).where(
        StatementRow.activity_id == session.id, StatementRow.user_id == world.student.id,
        progress.not_voided(course.id))))
    assert sorted(r.verb for r in live_rows) == ["attended", "completed"]  # late → present: one of each still counts
    assert next(r for r in live_rows if r.verb == "attended").body["result"]["response"] == "present"
    assert cell(world.student) == (1, 1)
    assert live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                                marks={world.student.id: "present"}) == 0  # nothing changed, nothing written


def test_only_teachers_of_the_course_take_attendance_and_refusals_keep_everything(db: Session, world, types) -> None:
    _course, lesson = _lesson(db, world)
    session = _session(db, world, types, lesson)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.student.id: "present"})
    before = _state(db)
    for member in (world.student, world.school_admin):
        with pytest.raises(Forbidden):
            live.take_attendance(db=db, actor=member, activity_id=session.id, marks={world.student.id: "absent"})
        with pytest.raises(Forbidden):
            live.roster(db=db, actor=member, activity_id=session.id)
    for outsider in (world.other_teacher, world.other_school_teacher, world.student_7a):
        with pytest.raises(NotFound):
            live.take_attendance(db=db, actor=outsider, activity_id=session.id, marks={world.student.id: "absent"})
    with pytest.raises(Invalid):  # one bad mark refuses the whole form
        live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                             marks={world.student.id: "absent", world.classmate.id: "sick"})
    with pytest.raises(Invalid):  # a student of another class
        live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                             marks={world.student.id: "absent", world.student_7a.id: "present"})
    upcoming = _session(db, world, types, lesson, utcnow() + timedelta(hours=2))
    before = _state(db)
    with pytest.raises(Invalid):
        live.take_attendance(db=db, actor=world.teacher, activity_id=upcoming.id, marks={world.student.id: "present"})
    assert _state(db) == before
    discussion = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id,
                                      type="discussion", title="Hỏi đáp")
    before = _state(db)
    with pytest.raises(NotFound):
        live.take_attendance(db=db, actor=world.teacher, activity_id=discussion.id, marks={world.student.id: "present"})
    assert _state(db) == before


def test_the_roster_lists_the_class_with_marks_and_who_took_them(db: Session, world, types) -> None:
    _course, lesson = _lesson(db, world)
    session = _session(db, world, types, lesson)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.classmate.id: "late"})
    activity, lines, takers = live.roster(db=db, actor=world.teacher, activity_id=session.id)
    assert activity.id == session.id
    assert {line.student.id for line in lines} == {world.student.id, world.classmate.id}
    by_id = {line.student.id: line for line in lines}
    assert by_id[world.student.id].mark is None and by_id[world.classmate.id].mark.status == "late"
    assert by_id[world.classmate.id].class_name == world.class_6a.name
    assert takers == {world.teacher.id: world.teacher}
