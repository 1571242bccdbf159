"""The tutor's pages: a student asks from a lesson and gets an answer whose [n] marks open the cited section of the
course's material; refusals (not in the class, empty or huge, past the daily limit, switched off) come back on the
lesson in the user's language with the right status and store nothing; a teacher sets the course's policy; the
teachers' page shows the questions of their own courses and, to the homeroom teacher, the flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ai_tutor.plugin
import content.plugin
from ai_tutor import indexing, links, service
from ai_tutor.pages import FLAG_LABELS
from ai_tutor.models import TutorExchange, TutorPolicy
from ai_tutor.safety import EMPTY, TOO_LONG
from ai_tutor.snapshots import CACHE
from lms_core.accounts.models import TeachingAssignment
from lms_core.courses import service as courses
from lms_core.i18n import gettext, use_locale
from lms_core.plugins.host import PluginHost
from tests.ai_tutor.test_indexing_and_retrieval import CIRCUIT, SECRET, TEA, _course, _page

pytestmark = pytest.mark.db
TEA_QUESTION = "Người ta sao chè bằng gì?"


def use_own_index(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Point the tutor's index at a directory of this test's own (the real index, built by the test)."""
    from lms_core.settings import get_settings

    monkeypatch.setattr(get_settings(), "tutor_index_dir", tmp_path / "index")
    CACHE.forget()


def tutor_host() -> PluginHost:
    """Return a plugin host with the content package and the tutor (other installed plugins off)."""
    return PluginHost(load_entry_points=False, plugins={"content": content.plugin, "ai_tutor": ai_tutor.plugin})


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    use_own_index(tmp_path, monkeypatch)


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: the web app with the content package and the tutor."""
    return tutor_host()


class Setup:
    """Two courses of one school: 6A's pins the tea and Ohm pages, 7A's (another teacher's) a private page."""

    def __init__(self, db: Session, world: Any) -> None:
        host = PluginHost(load_entry_points=False, plugins={"content": content.plugin})  # publishing enqueues nothing
        self.world = world
        self.tea = _page(db, host, world.teacher, "Chè Tân Cương", TEA)
        self.ohm = _page(db, host, world.teacher, "Định luật Ôm", CIRCUIT)
        self.course = _course(db, world, host, world.class_6a, 6, [self.tea, self.ohm])
        self.secret = _page(db, host, world.other_teacher, "Bài riêng lớp 7A", SECRET, visibility="private")
        fields = courses.CourseFields(title="Khoá 7A", subject_id=world.subject.id, grade=7,
                                      academic_year_id=world.year.id, class_ids=(world.class_7a.id,))
        self.other = courses.create_course(db=db, actor=world.other_teacher, fields=fields)
        unit = courses.add_unit(db=db, actor=world.other_teacher, course_id=self.other.id, title="Chủ đề 1")
        other_lesson = courses.add_lesson(db=db, actor=world.other_teacher, unit_id=unit.id, title="Bài 1")
        courses.add_activity(db=db, actor=world.other_teacher, types=host.activity_types(), lesson_id=other_lesson.id,
                             type="material", title="Bài riêng", settings={"material_id": self.secret.id})
        indexing.catch_up(db)
        self.lesson = self.course.units[0].lessons[0]
        self.other_lesson = other_lesson
        self.tea_activity = next(a for a in self.lesson.activities if a.settings["material_id"] == self.tea.id)

    def lesson_url(self, lesson: Any = None) -> str:
        lesson = lesson or self.lesson
        return f"/courses/{lesson.course_id}/lessons/{lesson.id}"

    def ask_url(self, course: Any = None) -> str:
        return f"/courses/{(course or self.course).id}/tutor/ask"


@pytest.fixture()
def built(db: Session, world) -> Setup:  # noqa: ANN001
    return Setup(db, world)


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(TutorExchange))


def in_vietnamese(msgid: str, **params: Any) -> str:
    with use_locale("vi"):
        text = gettext(msgid)
    return text.format(**params) if params else text


def test_a_student_asks_in_a_lesson_and_the_citation_opens_the_section(db: Session, built: Setup, client_for) -> None:
    student = client_for(built.world.student)
    page = student.get(built.lesson_url())
    assert page.status_code == 200
    assert '<details class="card lesson-panel" id="tutor">' in page.text  # folded until the student asks
    assert f'action="{built.ask_url()}"' in page.text and 'name="question"' in page.text

    sent = student.post(built.ask_url(), data={"question": TEA_QUESTION, "lesson_id": str(built.lesson.id)})
    assert sent.status_code == 303
    exchange = db.scalars(select(TutorExchange).order_by(TutorExchange.id.desc())).first()
    assert exchange.student_id == built.world.student.id and exchange.found and exchange.citations
    assert sent.headers["location"] == f"{built.lesson_url()}#tutor-{exchange.id}"

    page = student.get(built.lesson_url())
    assert '<details class="card lesson-panel" id="tutor" open>' in page.text
    assert f'id="tutor-{exchange.id}"' in page.text and TEA_QUESTION in page.text
    tea = next(c for c in exchange.citations if c["material_id"] == built.tea.id)
    href = f"/courses/{built.course.id}/activities/{built.tea_activity.id}#sec-sao-che"
    assert tea["address"]["heading_path"][-1] == "Sao chè"
    assert f'<a class="cite" href="{href}">[{tea["ref"]}]</a>' in page.text  # the [n] mark in the answer
    assert f'<a href="{href}">Chè Tân Cương</a> · Chè Tân Cương › Sao chè' in page.text  # the source under it
    left = service.policy_of(db, built.course.id).daily_limit - 1
    assert f"{left} " in re.search(r"data-tutor-left>([^<]*)<", page.text).group(1)

    # the link lands on the material, at that heading, with the script that seeks media and PDFs
    material = student.get(href.split("#")[0])
    assert material.status_code == 200
    assert '<h3 id="sec-sao-che">Sao chè</h3>' in material.text and '/static/seek.js' in material.text


def test_a_student_of_another_class_gets_404_and_nothing_is_stored(db: Session, built: Setup, client_for) -> None:
    before = count(db)
    for outsider in (built.world.student_7a, built.world.other_school_student):
        c = client_for(outsider)
        assert c.get(built.lesson_url()).status_code == 404
        sent = c.post(built.ask_url(), data={"question": TEA_QUESTION, "lesson_id": str(built.lesson.id)})
        assert sent.status_code == 404
    # a 6A student cannot ask in 7A's course either, nor from a lesson of another course
    student = client_for(built.world.student)
    assert student.post(built.ask_url(built.other), data={
        "question": "Mật mã là gì?", "lesson_id": str(built.other_lesson.id)}).status_code == 404
    assert student.post(built.ask_url(), data={
        "question": TEA_QUESTION, "lesson_id": str(built.other_lesson.id)}).status_code == 404
    # and a form without its CSRF token is refused
    student.headers.pop("x-csrf-token")
    assert student.post(built.ask_url(), data={"question": TEA_QUESTION,
                                               "lesson_id": str(built.lesson.id)}).status_code == 403
    assert count(db) == before


@pytest.mark.parametrize(("question", "message"), [("   ", EMPTY), ("chè " * 1500, TOO_LONG)])
def test_an_empty_or_huge_question_is_refused_on_the_lesson_and_nothing_is_stored(
        db: Session, built: Setup, client_for, question: str, message: str) -> None:
    before = count(db)
    sent = client_for(built.world.student).post(built.ask_url(), data={"question": question,
                                                                       "lesson_id": str(built.lesson.id)})
    assert sent.status_code == 422
    shown = in_vietnamese(message, limit=1000) if "{limit}" in message else in_vietnamese(message)
    assert f'<p class="error" role="alert" data-tutor-error>{shown}</p>' in sent.text
    assert '<details class="card lesson-panel" id="tutor" open>' in sent.text  # unfolded, with the error in it
    assert count(db) == before


def test_past_the_daily_limit_the_student_gets_429(db: Session, built: Setup, client_for) -> None:
    service.set_policy(db=db, actor=built.world.teacher, course_id=built.course.id, mode="answer",
                       material_ids=None, daily_limit=1)
    student = client_for(built.world.student)
    form = {"question": TEA_QUESTION, "lesson_id": str(built.lesson.id)}
    assert student.post(built.ask_url(), data=form).status_code == 303
    assert "0 " in re.search(r"data-tutor-left>([^<]*)<", student.get(built.lesson_url()).text).group(1)
    before = count(db)
    refused = student.post(built.ask_url(), data={**form, "question": "Điện trở là gì?"})
    assert refused.status_code == 429
    assert in_vietnamese(service.DAILY_LIMIT, limit=1) in refused.text
    assert "Điện trở là gì?" in refused.text  # the question is kept in the box
    assert count(db) == before
    # a classmate has their own count
    assert client_for(built.world.classmate).post(built.ask_url(), data=form).status_code == 303


def test_switched_off_the_tutor_answers_403_and_the_panel_says_so(db: Session, built: Setup, client_for) -> None:
    service.set_policy(db=db, actor=built.world.teacher, course_id=built.course.id, mode="off",
                       material_ids=None, daily_limit=30)
    student = client_for(built.world.student)
    page = student.get(built.lesson_url())
    assert in_vietnamese(service.TUTOR_OFF) in page.text and 'name="question"' not in page.text
    before = count(db)
    refused = student.post(built.ask_url(), data={"question": TEA_QUESTION, "lesson_id": str(built.lesson.id)})
    assert refused.status_code == 403 and in_vietnamese(service.TUTOR_OFF) in refused.text
    assert count(db) == before


def test_a_teacher_sets_the_policy_and_bad_choices_change_nothing(db: Session, built: Setup, client_for) -> None:
    url = f"/courses/{built.course.id}/tutor/settings"
    teacher = client_for(built.world.teacher)
    # the lesson's panel links the course's teachers to the settings
    assert f'href="{url}"' in teacher.get(built.lesson_url()).text
    form = teacher.get(url)
    assert form.status_code == 200
    for m in (built.tea, built.ohm):
        assert f'name="material_id" value="{m.id}"' in form.text
    assert f'value="{built.secret.id}"' not in form.text
    good = {"mode": "hint", "materials": "chosen", "material_id": [str(built.ohm.id)], "daily_limit": "7"}
    for bad in ({"mode": "everything"}, {"material_id": [str(built.secret.id)]}, {"material_id": []},
                {"daily_limit": "0"}, {"daily_limit": "nhiều"}, {"material_id": ["abc"]}):
        refused = teacher.post(url, data={**good, **bad})
        assert refused.status_code == 422 and 'role="alert"' in refused.text
        assert db.get(TutorPolicy, built.course.id) is None
    assert teacher.post(url, data=good).status_code == 303
    policy = service.policy_of(db, built.course.id)
    assert (policy.mode, policy.material_ids, policy.daily_limit) == ("hint", [built.ohm.id], 7)
    saved = teacher.get(url + "?saved=1").text
    assert 'value="hint" checked' in saved and f'value="{built.ohm.id}" checked' in saved
    # all the materials again
    assert teacher.post(url, data={**good, "materials": "all", "mode": "answer"}).status_code == 303
    assert service.policy_of(db, built.course.id).material_ids is None
    # a student may not set it; a teacher of another school does not see the course
    assert client_for(built.world.student).post(url, data=good).status_code == 403
    assert client_for(built.world.other_school_teacher).get(url).status_code == 404
    assert service.policy_of(db, built.course.id).mode == "answer"


def test_the_teachers_page_lists_the_questions_of_their_courses_only(db: Session, built: Setup, client_for) -> None:
    world = built.world
    ours = service.ask(db=db, actor=world.student, course_id=built.course.id, lesson_id=built.lesson.id,
                       question=TEA_QUESTION)
    theirs = service.ask(db=db, actor=world.student_7a, course_id=built.other.id, lesson_id=built.other_lesson.id,
                         question="Mật mã của câu lạc bộ là gì?")
    page = client_for(world.teacher).get("/tutor")
    assert page.status_code == 200
    assert f'id="tutor-{ours.id}"' in page.text and f'id="tutor-{theirs.id}"' not in page.text
    assert world.student.full_name in page.text and TEA_QUESTION in page.text
    href = f"/courses/{built.course.id}/activities/{built.tea_activity.id}#sec-sao-che"
    assert f'href="{href}"' in page.text  # the citations open the material for the teacher too
    assert f'href="/courses/{built.course.id}/tutor/settings"' in page.text
    other = client_for(world.other_teacher).get("/tutor")
    assert f'id="tutor-{theirs.id}"' in other.text and f'id="tutor-{ours.id}"' not in other.text
    # filters: by course, flagged only
    assert f'id="tutor-{ours.id}"' not in client_for(world.teacher).get(f"/tutor?course_id={built.other.id}").text
    assert f'id="tutor-{ours.id}"' not in client_for(world.teacher).get("/tutor?flagged=1").text
    assert client_for(world.other_school_teacher).get("/tutor").text.count('class="exchange') == 0
    assert client_for(world.student).get("/tutor").status_code == 403
    # the teachers' page is in the menu of teachers, not of students
    assert 'href="/tutor"' in page.text
    assert 'href="/tutor"' not in client_for(world.student).get(built.lesson_url()).text


def test_the_homeroom_teacher_sees_a_flag_and_marks_it_seen(db: Session, built: Setup, client_for) -> None:
    world = built.world
    db.add(TeachingAssignment(class_id=world.class_6a.id, teacher_id=world.other_teacher.id, subject_id=None,
                              is_homeroom=True))
    db.commit()
    student = client_for(world.student)
    sent = student.post(built.ask_url(), data={"question": "Em bị bắt nạt ở lớp, em sợ lắm",
                                               "lesson_id": str(built.lesson.id)})
    assert sent.status_code == 303
    flagged = db.scalars(select(TutorExchange).order_by(TutorExchange.id.desc())).first()
    assert flagged.flag == "at_risk" and flagged.mode == "refused"
    answer = student.get(built.lesson_url()).text
    assert 'class="exchange refused"' in answer and in_vietnamese(service.MODE_LABELS["answer"]) in answer
    assert in_vietnamese(FLAG_LABELS["at_risk"]) not in answer  # kind words to the student, no talk of flags

    homeroom = client_for(world.other_teacher)
    page = homeroom.get("/tutor")
    flags = page.text.split('id="flags"')[1].split("</section>")[0]
    assert f'id="tutor-{flagged.id}"' in flags and f'action="/tutor/flags/{flagged.id}/seen"' in flags
    # a teacher of another school sees no flag and cannot mark it
    outsider = client_for(world.other_school_teacher)
    assert "Em bị bắt nạt" not in outsider.get("/tutor").text
    assert outsider.post(f"/tutor/flags/{flagged.id}/seen").status_code == 404
    db.refresh(flagged)
    assert flagged.flag_seen_at is None
    done = homeroom.post(f"/tutor/flags/{flagged.id}/seen")
    assert done.status_code == 303
    db.refresh(flagged)
    assert flagged.flag_seen_by_id == world.other_teacher.id and flagged.flag_seen_at is not None
    flags = homeroom.get("/tutor?seen=1").text.split('id="flags"')[1].split("</section>")[0]
    assert f'action="/tutor/flags/{flagged.id}/seen"' not in flags and 'class="badge done"' in flags


def test_citations_of_a_pdf_page_or_a_media_time_open_there(db: Session, built: Setup) -> None:
    version = built.tea.published_version_id
    linker = links.Linker(db, lesson_id=built.lesson.id)
    base = f"/courses/{built.course.id}/activities/{built.tea_activity.id}"
    assert linker.url(built.course.id, {"version_id": version, "address": {"page": 4}}) == base + "#page=4"
    assert linker.url(built.course.id, {"version_id": version, "address": {"start": 83.6}}) == base + "?t=83"
    assert linker.url(built.course.id, {"version_id": version, "address": {"heading_path": ["Không có"]}}) == base
    # a version the course no longer pins: the activity of the same material; another course's: no link
    assert linker.url(built.course.id, {"version_id": -1, "material_id": built.tea.id, "address": {}}) == base
    assert linker.url(built.course.id, {"version_id": built.secret.published_version_id,
                                        "material_id": built.secret.id, "address": {}}) is None
    html = links.link_marks("Sao bằng chảo gang [1]. <b>x</b> [2]", {1: base + "#sec-sao-che"})
    assert str(html) == (f'Sao bằng chảo gang <a class="cite" href="{base}#sec-sao-che">[1]</a>. '
                         "&lt;b&gt;x&lt;/b&gt; [2]")
