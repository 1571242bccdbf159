"""The platform proposes delivery records from what it knows: a live session of the class's course of that subject
where students of the class were present (online live), and a lesson whose activities students of the class
completed (online self-paced). Nothing is stored until the teacher confirms; recorded evidence is not proposed
again; another teacher may not ask."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.blended import service as blended
from lms_core.blended.models import DeliveryRecord, Mode
from lms_core.courses import live
from lms_core.courses import service as courses
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.progress import service as progress

pytestmark = pytest.mark.db


def _course(db: Session, world, curriculum):  # noqa: ANN001, ANN202
    """Class 6A's English course: lesson 1 has a live session, lesson 2 a discussion (done by posting in it)."""
    types = curriculum.activity_types()
    fields = courses.CourseFields(title="Tiếng Anh 6", subject_id=world.subject.id, grade=6,
                                  academic_year_id=world.year.id, class_ids=(world.class_6a.id,))
    course = courses.create_course(db=db, actor=world.teacher, fields=fields)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Unit 1")
    first = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1: My new school")
    second = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 2: My house")
    # 02:00 UTC on a day of the year is 09:00 in Vietnam the same day
    starts = datetime.combine(world.year.start_date + timedelta(days=10), time(2, 0), tzinfo=UTC)
    session = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=first.id, type="live",
                                   title="Học trực tuyến Unit 1",
                                   settings={"starts_at": starts.isoformat(), "duration_minutes": 45,
                                             "link": "https://meet.example.edu.vn/6a"})
    talk = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=second.id, type="discussion",
                                title="Hỏi đáp")
    return course, first, second, session, talk, starts


def _stored(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(DeliveryRecord))


def _propose(db: Session, world, actor=None):  # noqa: ANN001, ANN202
    return blended.propose_records(db=db, actor=actor or world.teacher, class_id=world.class_6a.id,
                                   subject_id=world.subject.id, year_id=world.year.id)


def test_live_attendance_and_lesson_completions_are_proposed_not_stored(db: Session, world, curriculum,
                                                                         plan) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    live_period, online_period = plan.periods[3], plan.periods[6]
    blended.change_period(db=db, actor=world.teacher, period_id=live_period.id, mode="online_live")
    blended.change_period(db=db, actor=world.teacher, period_id=online_period.id, mode="online_self_paced")
    assert _propose(db, world) == []  # nothing happened yet
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                         marks={world.student.id: "present", world.classmate.id: "absent"}, now=starts)
    done_at = starts + timedelta(days=5)
    progress.record(db=db, actor=world.student, activity_id=talk.id, verb="commented", when=done_at)
    progress.record(db=db, actor=world.classmate, activity_id=talk.id, verb="commented", when=done_at + timedelta(days=1))

    proposals = _propose(db, world)
    assert proposals == [
        blended.Proposal(live_period.id, starts.date(), Mode.online_live, session.id, None, "Học trực tuyến Unit 1", 1),
        blended.Proposal(online_period.id, done_at.date(), Mode.online_self_paced, None, second.id,
                         "Bài 2: My house", 2)]
    assert _stored(db) == 0

    p = proposals[0]
    blended.confirm(db=db, actor=world.teacher, period_id=p.period_id, delivered_on=p.delivered_on, mode=p.mode,
                    live_session_id=p.live_session_id)
    assert _stored(db) == 1
    assert [x.lesson_id for x in _propose(db, world)] == [second.id]  # the recorded session is not proposed again


def test_evidence_without_a_period_planned_in_its_mode_goes_to_a_period_of_its_week(db: Session, world, curriculum,
                                                                                   plan) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.student.id: "late"},
                         now=starts)
    week = (starts.date() - world.year.start_date).days // 7 + 1
    [proposal] = _propose(db, world)
    period = next(p for p in plan.periods if p.id == proposal.period_id)
    assert (period.week, period.mode, proposal.mode) == (week, Mode.in_person, Mode.online_live)


def test_evidence_must_belong_to_the_classs_course_of_that_subject(db: Session, world, curriculum, plan) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    day = world.year.start_date + timedelta(days=10)
    period = plan.periods[0].id
    with pytest.raises(Invalid) as wrong_mode:
        blended.confirm(db=db, actor=world.teacher, period_id=period, delivered_on=day, mode="in_person",
                        live_session_id=session.id)
    assert wrong_mode.value.message == blended.EVIDENCE_MODE
    with pytest.raises(Invalid) as not_live:
        blended.confirm(db=db, actor=world.teacher, period_id=period, delivered_on=day, mode="online_live",
                        live_session_id=talk.id)
    assert not_live.value.message == blended.BAD_LIVE_SESSION
    fields = courses.CourseFields(title="Tiếng Anh 7", subject_id=world.subject.id, grade=7,
                                  academic_year_id=world.year.id, class_ids=(world.class_7a.id,))
    other = courses.create_course(db=db, actor=world.other_teacher, fields=fields)
    unit = courses.add_unit(db=db, actor=world.other_teacher, course_id=other.id, title="Unit 1")
    lesson_7a = courses.add_lesson(db=db, actor=world.other_teacher, unit_id=unit.id, title="Bài 1")
    with pytest.raises(Invalid) as other_class:
        blended.confirm(db=db, actor=world.teacher, period_id=period, delivered_on=day, mode="online_self_paced",
                        lesson_id=lesson_7a.id)
    assert other_class.value.message == blended.BAD_LESSON
    assert _stored(db) == 0


@pytest.mark.parametrize("who", ["other_teacher", "other_school_teacher", "student"])
def test_only_the_classs_teacher_gets_proposals(db: Session, world, plan, who: str) -> None:
    with pytest.raises(Forbidden):
        _propose(db, world, getattr(world, who))


def test_no_plan_no_proposals(db: Session, world) -> None:
    with pytest.raises(NotFound) as refused:
        _propose(db, world)
    assert refused.value.message == blended.NO_PLAN
