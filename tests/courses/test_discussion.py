"""Lesson discussions: students ask and answer (recorded, so "posted" completes), teachers of the course pin and
hide; hidden posts are not shown to other students; refusals (strangers, bad text, too many posts, a locked lesson)
keep stored rows as they were."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lms_core.courses import discussion
from lms_core.courses import service as courses
from lms_core.courses.models import DiscussionPost
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.progress import service as progress
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a


def _discussion(db: Session, world, types, **lesson_kw):  # noqa: ANN001, ANN202
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1", **lesson_kw)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="discussion",
                                    title="Hỏi đáp bài 1")
    return course, lesson, activity


def _rows(db: Session) -> tuple:
    db.expire_all()
    posts = tuple(db.execute(select(DiscussionPost.id, DiscussionPost.body, DiscussionPost.pinned,
                                    DiscussionPost.hidden, DiscussionPost.hidden_by_id).order_by(DiscussionPost.id)))
    return posts, db.scalar(select(func.count()).select_from(StatementRow))


def test_asking_and_answering_are_recorded_and_complete_the_activity(db: Session, world, types) -> None:
    course, lesson, activity = _discussion(db, world, types)
    assert activity.completion == "posted"
    decomposed = unicodedata.normalize("NFD", "Chè Tân Cương hái vào mùa nào?")
    question = discussion.post(db=db, actor=world.student, activity_id=activity.id,
                               body=f"  {decomposed}\r\nEm cảm ơn thầy.  ")
    assert question.body == "Chè Tân Cương hái vào mùa nào?\nEm cảm ơn thầy."  # NFC, line break kept, ends trimmed
    assert progress.class_grid(db=db, actor=world.teacher, course_id=course.id).cells[
        (world.classmate.id, lesson.id)] == (0, 1)
    answer = discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Mùa xuân.",
                             parent_id=question.id)
    teacher_answer = discussion.post(db=db, actor=world.teacher, activity_id=activity.id,
                                     body="Chè hái quanh năm, ngon nhất vụ xuân.", parent_id=question.id)
    assert answer.parent_id == teacher_answer.parent_id == question.id

    verbs = {(u, v) for u, v in db.execute(select(StatementRow.user_id, StatementRow.verb)
                                           .where(StatementRow.activity_id == activity.id))}
    assert verbs == {(world.student.id, "asked"), (world.student.id, "completed"),
                     (world.classmate.id, "answered"), (world.classmate.id, "completed")}  # none for the teacher
    asked = db.scalar(select(StatementRow).where(StatementRow.verb == "asked"))
    assert asked.body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/asked"
    grid = progress.class_grid(db=db, actor=world.teacher, course_id=course.id)
    assert grid.cells[(world.student.id, lesson.id)] == (1, 1) and grid.cells[(world.classmate.id, lesson.id)] == (1, 1)

    thread = discussion.read(db=db, actor=world.student, activity_id=activity.id)
    assert [t.question.id for t in thread.threads] == [question.id]
    assert [a.id for a in thread.threads[0].answers] == [answer.id, teacher_answer.id]  # oldest answer first
    assert thread.may_post and not thread.may_moderate


def test_pinned_come_first_and_hidden_posts_are_kept_from_other_students(db: Session, world, types) -> None:
    _course, _lesson, activity = _discussion(db, world, types)
    first = discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Câu hỏi một")
    second = discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Câu hỏi hai")
    third = discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Câu hỏi ba")
    reply = discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Trả lời", parent_id=first.id)
    order = lambda who: [t.question.id for t in discussion.read(db=db, actor=who, activity_id=activity.id).threads]  # noqa: E731
    assert order(world.student) == [third.id, second.id, first.id]  # newest first
    discussion.set_pinned(db=db, actor=world.teacher, post_id=first.id, pinned=True)
    assert order(world.student) == [first.id, third.id, second.id]

    hidden = discussion.set_hidden(db=db, actor=world.teacher, post_id=second.id, hidden=True)
    assert hidden.hidden and hidden.hidden_by_id == world.teacher.id
    discussion.set_hidden(db=db, actor=world.teacher, post_id=reply.id, hidden=True)
    assert order(world.student) == [first.id, third.id]  # another student's hidden question is not shown
    seen_by_student = discussion.read(db=db, actor=world.student, activity_id=activity.id)
    assert seen_by_student.threads[0].answers == []  # nor a hidden answer
    author_view = discussion.read(db=db, actor=world.classmate, activity_id=activity.id)
    assert [t.question.id for t in author_view.threads] == [first.id, third.id, second.id]  # its author sees it
    assert [a.id for a in author_view.threads[0].answers] == [reply.id]
    teacher_view = discussion.read(db=db, actor=world.teacher, activity_id=activity.id)
    assert teacher_view.may_moderate and len(teacher_view.threads) == 3 and teacher_view.threads[0].answers

    with pytest.raises(NotFound):  # a student cannot answer a question hidden from them
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Em trả lời", parent_id=second.id)
    with pytest.raises(Invalid):  # nor its author, while it is hidden
        discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Em hỏi lại", parent_id=second.id)
    shown = discussion.set_hidden(db=db, actor=world.teacher, post_id=second.id, hidden=False)
    assert not shown.hidden and shown.hidden_by_id is None
    assert order(world.student) == [first.id, third.id, second.id]


def test_strangers_and_students_cannot_post_or_moderate(db: Session, world, types) -> None:
    _course, _lesson, activity = _discussion(db, world, types)
    question = discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Câu hỏi")
    before = _rows(db)
    for outsider in (world.student_7a, world.other_teacher, world.other_school_teacher, world.other_school_student):
        with pytest.raises(NotFound):  # the course is not theirs to see
            discussion.post(db=db, actor=outsider, activity_id=activity.id, body="Xin chào")
        with pytest.raises(NotFound):
            discussion.set_hidden(db=db, actor=outsider, post_id=question.id, hidden=True)
    with pytest.raises(Forbidden):  # a school admin sees the course but is not one of its students or teachers
        discussion.post(db=db, actor=world.school_admin, activity_id=activity.id, body="Xin chào")
    for member in (world.student, world.classmate, world.school_admin):
        with pytest.raises(Forbidden):
            discussion.set_pinned(db=db, actor=member, post_id=question.id, pinned=True)
        with pytest.raises(Forbidden):
            discussion.set_hidden(db=db, actor=member, post_id=question.id, hidden=True)
    assert _rows(db) == before


def test_bad_text_and_wrong_targets_are_refused_with_nothing_stored(db: Session, world, types) -> None:
    _course, _lesson, activity = _discussion(db, world, types)
    question = discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Câu hỏi")
    answer = discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Trả lời",
                             parent_id=question.id)
    before = _rows(db)
    for body in ("", "   \r\n  ", "x" * (discussion.MAX_BODY + 1)):
        with pytest.raises(Invalid) as refused:
            discussion.post(db=db, actor=world.student, activity_id=activity.id, body=body)
        assert "4000" in refused.value.translated()
    with pytest.raises(Invalid):  # one level of answers only
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Trả lời", parent_id=answer.id)
    with pytest.raises(NotFound):
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Trả lời", parent_id=999999)
    other = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=activity.lesson_id,
                                 type="discussion", title="Thảo luận khác")
    with pytest.raises(NotFound):  # the question belongs to another discussion
        discussion.post(db=db, actor=world.student, activity_id=other.id, body="Trả lời", parent_id=question.id)
    assert _rows(db) == before


def test_a_locked_lesson_refuses_a_students_post_and_keeps_nothing(db: Session, world, types) -> None:
    _course, _lesson, activity = _discussion(db, world, types, opens_at=utcnow() + timedelta(days=2))
    before = _rows(db)
    with pytest.raises(Forbidden):
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Em hỏi sớm")
    assert _rows(db) == before
    early = discussion.post(db=db, actor=world.teacher, activity_id=activity.id, body="Các em chuẩn bị bài nhé.")
    assert early.id is not None  # the teacher may open the discussion before the lesson opens


def test_a_closed_discussion_refuses_students_but_teachers_may_still_answer(db: Session, world, types) -> None:
    _course, lesson, _open = _discussion(db, world, types)
    closed = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="discussion",
                                  title="Hỏi đáp đã đóng", opens_at=utcnow() - timedelta(days=3),
                                  closes_at=utcnow() - timedelta(days=1))
    before = _rows(db)
    with pytest.raises(Forbidden):
        discussion.post(db=db, actor=world.student, activity_id=closed.id, body="Em hỏi muộn")
    assert _rows(db) == before
    assert discussion.post(db=db, actor=world.teacher, activity_id=closed.id, body="Thầy tổng kết.").id is not None


def test_more_than_twenty_posts_in_ten_minutes_are_refused(db: Session, world, types) -> None:
    _course, _lesson, activity = _discussion(db, world, types)
    for i in range(discussion.RATE_LIMIT):
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body=f"Câu {i}")
    before = _rows(db)
    with pytest.raises(Invalid) as refused:
        discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Câu thêm")
    assert "20" in refused.value.translated() and "10" in refused.value.translated()
    assert _rows(db) == before
    discussion.post(db=db, actor=world.classmate, activity_id=activity.id, body="Bạn khác vẫn hỏi được")
    db.execute(update(DiscussionPost).where(DiscussionPost.author_id == world.student.id)
               .values(created_at=utcnow() - timedelta(minutes=11)))
    db.commit()
    assert discussion.post(db=db, actor=world.student, activity_id=activity.id, body="Câu sau").id is not None


def test_a_discussion_route_refuses_other_activity_types(db: Session, world, types) -> None:
    _course, lesson, _activity = _discussion(db, world, types)
    live = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="live",
                                title="Học trực tuyến", settings={"starts_at": datetime.now(UTC).isoformat(),
                                                                  "duration_minutes": 45, "room": "Phòng 12"})
    before = _rows(db)
    with pytest.raises(NotFound):
        discussion.post(db=db, actor=world.student, activity_id=live.id, body="Câu hỏi")
    assert _rows(db) == before
