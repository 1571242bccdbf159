"""Discussion pages: a student asks through the activity page, the text is shown escaped with its line breaks, the
teacher pins and hides through buttons, refusals show the form again with the text kept and store nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.courses import service as courses
from lms_core.courses.models import DiscussionPost
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check


def _setup(db: Session, world, types):  # noqa: ANN001, ANN202
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="discussion",
                                    title="Hỏi đáp bài 1")
    return course, activity


def _counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(DiscussionPost)),
            db.scalar(select(func.count()).select_from(StatementRow)))


def test_a_student_asks_a_teacher_hides_and_the_class_no_longer_sees_it(db: Session, world, types, client_for) -> None:
    course, activity = _setup(db, world, types)
    url = f"/courses/{course.id}/activities/{activity.id}"
    student = client_for(world.student)
    page = student.get(url)
    assert page.status_code == 200 and 'name="body"' in page.text and "/discussion-posts/" not in page.text
    _check(page.text)
    sent = student.post(f"{url}/posts", data={"body": "Vì sao <b>chè</b> đắng?\nEm chưa hiểu."})
    assert sent.status_code == 303 and sent.headers["location"].startswith(url)
    question = db.scalar(select(DiscussionPost))
    shown = student.get(url).text
    assert "Vì sao &lt;b&gt;chè&lt;/b&gt; đắng?\nEm chưa hiểu." in shown  # escaped, line break kept
    assert "<b>chè</b>" not in shown

    answered = client_for(world.classmate).post(f"{url}/posts", data={"body": "Vì có tanin.",
                                                                      "parent_id": str(question.id)})
    assert answered.status_code == 303
    teacher = client_for(world.teacher)
    teacher_page = teacher.get(url)
    assert teacher_page.status_code == 200 and "Vì có tanin." in teacher_page.text
    assert f"/discussion-posts/{question.id}/hide" in teacher_page.text
    _check(teacher_page.text)
    assert teacher.post(f"/courses/{course.id}/discussion-posts/{question.id}/pin", data={"pinned": "1"}).status_code == 303
    assert teacher.post(f"/courses/{course.id}/discussion-posts/{question.id}/hide", data={"hidden": "1"}).status_code == 303
    db.expire_all()
    assert question.pinned and question.hidden and question.hidden_by_id == world.teacher.id
    assert "đắng" not in client_for(world.classmate).get(url).text
    own = student.get(url).text
    assert "đắng" in own and f'class="post hidden-post" id="post-{question.id}"' in own  # its author sees it, marked


def test_refusals_on_the_discussion_pages_store_nothing(db: Session, world, types, client_for) -> None:
    course, activity = _setup(db, world, types)
    url = f"/courses/{course.id}/activities/{activity.id}"
    student = client_for(world.student)
    student.post(f"{url}/posts", data={"body": "Câu hỏi đầu"})
    question = db.scalar(select(DiscussionPost))
    before = _counts(db)
    empty = student.post(f"{url}/posts", data={"body": "   "})
    assert empty.status_code == 422 and 'role="alert"' in empty.text and "Câu hỏi đầu" in empty.text
    _check(empty.text)
    kept = student.post(f"{url}/posts", data={"body": "x" * 4001, "parent_id": str(question.id)})
    assert kept.status_code == 422 and "x" * 4000 in kept.text  # the text is kept in the answer form
    assert student.post(f"{url}/posts", data={"body": "Trả lời", "parent_id": "abc"}).status_code == 422
    assert student.post(f"/courses/{course.id}/discussion-posts/{question.id}/hide", data={"hidden": "1"}).status_code == 403
    assert client_for(world.student_7a).post(f"{url}/posts", data={"body": "Chào"}).status_code == 404
    assert client_for(world.school_admin).post(f"{url}/posts", data={"body": "Chào"}).status_code == 403
    teacher = client_for(world.teacher)
    assert teacher.post(f"/courses/{course.id}/discussion-posts/{question.id}/pin", data={"pinned": "x"}).status_code == 422
    assert teacher.post(f"/courses/{course.id + 1}/discussion-posts/{question.id}/pin",
                        data={"pinned": "1"}).status_code == 404
    assert _counts(db) == before
    db.expire_all()
    assert not question.pinned and not question.hidden
