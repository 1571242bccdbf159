"""Asking the tutor in a course: answers cite only the course's materials; the teacher's policy (off, hint-only,
which materials, a daily limit) holds; bad questions are refused storing nothing; a message suggesting a student is
at risk is flagged to the homeroom teacher; every question is an xAPI "asked" statement."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import content.plugin
from ai_tutor import indexing, service
from ai_tutor.models import TutorExchange
from ai_tutor.snapshots import CACHE
from lms_core.accounts.models import TeachingAssignment
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.plugins.host import PluginHost
from lms_core.progress.models import StatementRow
from tests.ai_tutor.test_indexing_and_retrieval import CIRCUIT, SECRET, TEA, _course, _page

pytestmark = pytest.mark.db


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from lms_core.settings import get_settings

    monkeypatch.setattr(get_settings(), "tutor_index_dir", tmp_path / "index")
    CACHE.forget()


@pytest.fixture()
def setup(db: Session, world):  # noqa: ANN001, ANN201
    host = PluginHost(load_entry_points=False, plugins={"content": content.plugin})
    tea = _page(db, host, world.teacher, "Chè Tân Cương", TEA)
    ohm = _page(db, host, world.teacher, "Định luật Ôm", CIRCUIT)
    secret = _page(db, host, world.teacher, "Bài riêng lớp 7A", SECRET, visibility="private")
    course = _course(db, world, host, world.class_6a, 6, [tea, ohm])
    other = _course(db, world, host, world.class_7a, 7, [secret])
    indexing.catch_up(db)
    return world, course, other, tea, ohm, secret


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(TutorExchange))


def test_a_student_gets_a_cited_answer_from_the_course_only(db: Session, setup) -> None:  # noqa: ANN001
    world, course, other, tea, ohm, secret = setup
    lesson = course.units[0].lessons[0]
    ex = service.ask(db=db, actor=world.student, course_id=course.id, lesson_id=lesson.id,
                     question="Người ta sao chè bằng gì?")
    assert ex.found and ex.mode == "answer" and "[1]" in ex.answer
    assert {c["material_id"] for c in ex.citations} == {tea.id}
    asked = db.scalars(select(StatementRow).where(StatementRow.verb == "asked",
                                                  StatementRow.user_id == world.student.id)).all()
    assert len(asked) == 1
    # the secret of 7A, asked in 6A: never cited, said plainly
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question="Mật mã câu lạc bộ bí mật là gì?")
    assert secret.id not in {c["material_id"] for c in ex.citations}
    # and a student of 6A cannot ask in 7A's course at all
    with pytest.raises(NotFound):
        service.ask(db=db, actor=world.student, course_id=other.id, question="Mật mã là gì?")


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000, "\x00\x01\x02\x03 binary"])
def test_bad_questions_are_refused_and_nothing_is_stored(db: Session, setup, question: str) -> None:  # noqa: ANN001
    world, course, *_ = setup
    before = _count(db)
    with pytest.raises(Invalid):
        service.ask(db=db, actor=world.student, course_id=course.id, question=question)
    assert _count(db) == before


def test_the_teachers_policy_holds(db: Session, setup) -> None:  # noqa: ANN001
    world, course, other, tea, ohm, secret = setup
    with pytest.raises(Forbidden):  # a student cannot set it
        service.set_policy(db=db, actor=world.student, course_id=course.id, mode="off", material_ids=None,
                           daily_limit=5)
    with pytest.raises(Invalid):  # a material the course does not use
        service.set_policy(db=db, actor=world.teacher, course_id=course.id, mode="answer",
                           material_ids=[secret.id], daily_limit=5)
    service.set_policy(db=db, actor=world.teacher, course_id=course.id, mode="answer", material_ids=[ohm.id],
                       daily_limit=2)
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question="sao chè bằng chảo gang")
    assert tea.id not in {c["material_id"] for c in ex.citations}
    service.ask(db=db, actor=world.student, course_id=course.id, question="điện trở là gì?")
    before = _count(db)
    with pytest.raises(service.TooManyQuestions):
        service.ask(db=db, actor=world.student, course_id=course.id, question="công thức định luật Ôm?")
    assert _count(db) == before
    # a classmate has their own count; hint mode gives guiding questions, not the answer
    service.set_policy(db=db, actor=world.teacher, course_id=course.id, mode="hint", material_ids=None, daily_limit=2)
    ex = service.ask(db=db, actor=world.classmate, course_id=course.id, question="Người ta sao chè bằng gì?")
    assert ex.mode == "hint" and "chảo gang" not in ex.answer
    service.set_policy(db=db, actor=world.teacher, course_id=course.id, mode="off", material_ids=None, daily_limit=2)
    with pytest.raises(Forbidden):
        service.ask(db=db, actor=world.classmate, course_id=course.id, question="Người ta sao chè bằng gì?")


def test_an_open_quiz_turns_the_tutor_to_hints(db: Session, setup) -> None:  # noqa: ANN001
    from lms_core.courses.models import Activity

    world, course, *_ = setup
    lesson = course.units[0].lessons[0]
    db.add(Activity(course_id=course.id, lesson_id=lesson.id, type="quiz", title="Kiểm tra 15 phút", settings={},
                    opens_at=utcnow() - timedelta(minutes=5), closes_at=utcnow() + timedelta(minutes=10)))
    db.commit()
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question="Người ta sao chè bằng gì?")
    assert ex.mode == "hint"


def test_a_quiz_open_for_a_week_of_homework_does_not_silence_the_answers(db: Session, setup) -> None:  # noqa: ANN001
    from lms_core.courses.models import Activity

    world, course, *_ = setup
    lesson = course.units[0].lessons[0]
    db.add(Activity(course_id=course.id, lesson_id=lesson.id, type="quiz", title="Bài tập tuần", settings={},
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=6)))
    db.commit()
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question="Người ta sao chè bằng gì?")
    assert ex.mode == "answer"


def test_a_message_suggesting_risk_is_flagged_to_the_homeroom_teacher(db: Session, setup) -> None:  # noqa: ANN001
    world, course, *_ = setup
    homeroom = db.scalar(select(TeachingAssignment).where(TeachingAssignment.class_id == world.class_6a.id,
                                                          TeachingAssignment.is_homeroom.is_(True)))
    if homeroom is None:
        db.add(TeachingAssignment(class_id=world.class_6a.id, teacher_id=world.other_teacher.id, subject_id=None,
                                  is_homeroom=True))
        db.commit()
        homeroom_teacher = world.other_teacher
    else:
        homeroom_teacher = db.get(type(world.teacher), homeroom.teacher_id)
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question="Các bạn trong lớp cứ bắt nạt em mãi")
    assert ex.flag == "at_risk" and ex.mode == "refused" and ex.citations == []
    assert ex.id in {e.id for e in service.flags_for_homeroom(db=db, actor=homeroom_teacher)}
    assert ex.id not in {e.id for e in service.flags_for_homeroom(db=db, actor=world.other_school_teacher)}
    service.mark_flag_seen(db=db, actor=homeroom_teacher, exchange_id=ex.id)
    with pytest.raises(NotFound):
        service.mark_flag_seen(db=db, actor=world.other_school_teacher, exchange_id=ex.id)
    # the course's teacher sees the questions; a teacher of another school does not
    assert ex.id in {e.id for e in service.exchanges(db=db, actor=world.teacher, course_id=course.id)}
    assert service.exchanges(db=db, actor=world.other_school_teacher) == []


@pytest.mark.parametrize("question", ["Qu'est-ce que la cérémonie du thé ?", "차는 어디에서 재배돼요?"])
def test_a_question_in_another_language_is_answered_plainly_in_the_pages_language(db: Session, setup,  # noqa: ANN001
                                                                                  question: str) -> None:
    world, course, *_ = setup
    ex = service.ask(db=db, actor=world.student, course_id=course.id, question=question)
    assert ex.language == "vi" and ex.mode in ("answer", "refused")  # the reply is in the school's language
    # nothing in the course's materials answers a French or Korean question: it says so instead of guessing
    assert not ex.found and ex.citations == []
