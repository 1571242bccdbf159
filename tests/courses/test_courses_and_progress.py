"""Courses: a teacher builds one for a class from a published material, a student completes it, the grid follows;
refusals keep stored rows as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.repository.models import CourseMaterial
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, Lesson, Unit
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.progress import service as progress
from lms_core.progress import xapi
from lms_core.progress.models import AppendOnly, StatementRow
from tests.courses.conftest import course_for_6a, published_page


def _counts(db: Session) -> tuple[int, ...]:
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (Course, Unit, Lesson, Activity, StatementRow))


def _lesson(db: Session, world, course, title: str = "Bài 1", **kw):  # noqa: ANN001, ANN202
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    return courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title=title, **kw)


def test_a_student_completes_a_material_activity_and_the_grid_shows_it(db: Session, world, plugin_host, types) -> None:
    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    assert [t.id for t in course.teachers] == [world.teacher.id]  # the creating teacher teaches it
    lesson = _lesson(db, world, course)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                                    title="Đọc bài Trà", settings={"material_id": material.id})
    assert activity.settings["version_id"] == material.published_version_id and activity.settings["number"] == 1
    assert db.scalar(select(func.count()).select_from(CourseMaterial).where(CourseMaterial.course_id == course.id)) == 1

    grid = progress.class_grid(db=db, actor=world.teacher, course_id=course.id)
    assert [s.id for s in grid.students] == sorted([world.classmate.id, world.student.id],
                                                   key=lambda i: {world.classmate.id: "Bạn", world.student.id: "Học"}[i])
    assert grid.cells[(world.student.id, lesson.id)] == (0, 1)

    recorded = progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed")
    assert recorded.completed_now
    again = progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed")
    assert not again.completed_now  # completed once only
    grid = progress.class_grid(db=db, actor=world.teacher, course_id=course.id)
    assert grid.cells[(world.student.id, lesson.id)] == (1, 1) and grid.percent(world.student.id) == 100
    assert grid.cells[(world.classmate.id, lesson.id)] == (0, 1) and grid.percent(world.classmate.id) == 0
    mine = progress.course_progress(db=db, actor=world.student, course_id=course.id)
    assert mine.percent == 100 and mine.next_activity is None

    verbs = db.scalars(select(StatementRow.verb).where(StatementRow.user_id == world.student.id)
                       .order_by(StatementRow.stored, StatementRow.verb)).all()
    assert sorted(verbs) == ["completed", "viewed", "viewed"]
    row = db.scalar(select(StatementRow).where(StatementRow.verb == "completed"))
    assert row.body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert row.body["object"]["id"].endswith(f"/xapi/activities/activity/{activity.id}")
    assert row.body["actor"]["account"]["name"] == xapi.actor_name(world.student.id)
    actor_text = str(row.body["actor"])  # pseudonymous: neither name nor login travels with the statement
    assert world.student.full_name not in actor_text and world.student.username not in actor_text
    assert set(row.body["actor"]) == {"objectType", "account"}
    xapi.validate_statement(row.body)  # what was stored is a valid statement


def test_statements_cannot_be_changed_or_deleted(db: Session, world, plugin_host, types) -> None:
    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=_lesson(db, world, course).id,
                                    type="material", title="Đọc", settings={"material_id": material.id})
    row = progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed").statement
    row.verb = "completed"
    with pytest.raises(AppendOnly):
        db.flush()
    db.rollback()
    db.delete(db.get(StatementRow, row.id))
    with pytest.raises(AppendOnly):
        db.flush()
    db.rollback()


def test_watching_completes_only_past_the_threshold(db: Session, world, plugin_host, types) -> None:
    from content.materials import service as materials
    from content.review import service as review
    from tests.content.conftest import FIXTURES

    video = materials.create_material(db=db, actor=world.teacher, fields=materials.MaterialFields(
        title="Hái chè", kind="video", visibility="school"))
    mp4 = next(FIXTURES.glob("*.mp4"), None)
    data = mp4.read_bytes() if mp4 else b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    import io

    materials.add_file_version(db=db, actor=world.teacher, material_id=video.id, stream=io.BytesIO(data), filename="x.mp4")
    review.publish(db=db, actor=world.teacher, host=plugin_host, material_id=video.id, number=1)
    course = course_for_6a(db, world)
    lesson = _lesson(db, world, course)
    with pytest.raises(Invalid):  # a page is not a video
        page = published_page(db, plugin_host, world.teacher, title="Trang")
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="media",
                             title="Xem", settings={"material_id": page.id}, completion="watched")
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="media",
                                    title="Xem video", settings={"material_id": video.id}, completion="watched")
    assert activity.threshold == 0.8
    key = progress.PROGRESS_KEY
    assert not progress.record(db=db, actor=world.student, activity_id=activity.id, verb="watched",
                               result={"extensions": {key: 0.5}}).completed_now
    assert not progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed").completed_now
    assert progress.record(db=db, actor=world.student, activity_id=activity.id, verb="watched",
                           result={"extensions": {key: 0.85}}).completed_now


def test_a_prerequisite_locks_the_next_lesson_until_the_first_is_done(db: Session, world, plugin_host, types) -> None:
    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    first = _lesson(db, world, course, "Bài 1")
    second = courses.add_lesson(db=db, actor=world.teacher, unit_id=first.unit_id, title="Bài 2",
                                prerequisite_id=first.id)
    a1 = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=first.id, type="material",
                              title="Đọc 1", settings={"material_id": material.id})
    a2 = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=second.id, type="material",
                              title="Đọc 2", settings={"material_id": material.id})
    before = _counts(db)
    with pytest.raises(Forbidden):
        progress.record(db=db, actor=world.student, activity_id=a2.id, verb="viewed")
    assert _counts(db) == before
    mine = progress.course_progress(db=db, actor=world.student, course_id=course.id)
    assert mine.next_activity.id == a1.id and mine.lessons[1].locked is not None
    progress.record(db=db, actor=world.student, activity_id=a1.id, verb="viewed")
    assert progress.record(db=db, actor=world.student, activity_id=a2.id, verb="viewed").completed_now
    with pytest.raises(Invalid):  # a lesson cannot require itself, nor close a cycle
        courses.update_lesson(db=db, actor=world.teacher, lesson_id=first.id, title="Bài 1", prerequisite_id=second.id)


def test_a_closed_lesson_not_done_marks_the_student_behind(db: Session, world, plugin_host, types) -> None:
    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    past = _lesson(db, world, course, "Bài cũ", opens_at=utcnow() - timedelta(days=10),
                   closes_at=utcnow() - timedelta(days=1))
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=past.id, type="material",
                                    title="Đọc", settings={"material_id": material.id})
    progress.record(db=db, actor=world.classmate, activity_id=activity.id, verb="viewed")
    grid = progress.class_grid(db=db, actor=world.teacher, course_id=course.id)
    assert grid.behind == {world.student.id} and grid.due == {past.id}


def test_who_sees_and_changes_a_course(db: Session, world, plugin_host, types) -> None:
    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    lesson = _lesson(db, world, course)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                                    title="Đọc", settings={"material_id": material.id})
    assert [c.id for c in courses.list_courses(db=db, actor=world.student)] == [course.id]
    assert courses.list_courses(db=db, actor=world.student_7a) == []
    assert courses.list_courses(db=db, actor=world.other_school_teacher) == []
    assert [c.id for c in courses.list_courses(db=db, actor=world.school_admin)] == [course.id]
    assert [c.id for c in courses.list_courses(db=db, actor=world.district_staff)] == [course.id]
    assert courses.list_courses(db=db, actor=world.other_district_staff) == []
    before = _counts(db)
    with pytest.raises(NotFound):
        progress.record(db=db, actor=world.student_7a, activity_id=activity.id, verb="viewed")
    with pytest.raises(NotFound):  # a teacher of the school who does not teach it sees only their own classes
        courses.add_unit(db=db, actor=world.other_teacher, course_id=course.id, title="X")
    with pytest.raises(NotFound):
        courses.add_unit(db=db, actor=world.other_school_teacher, course_id=course.id, title="X")
    with pytest.raises(Forbidden):  # a student's grid is not theirs to see
        progress.class_grid(db=db, actor=world.student, course_id=course.id)
    with pytest.raises(Forbidden):  # nor another student's progress
        progress.course_progress(db=db, actor=world.student, course_id=course.id, student_id=world.classmate.id)
    with pytest.raises(Forbidden):  # a teacher's viewing is not a student's learning
        progress.record(db=db, actor=world.teacher, activity_id=activity.id, verb="viewed")
    assert _counts(db) == before
    grid = progress.class_grid(db=db, actor=world.district_staff, course_id=course.id)  # the district may watch
    assert len(grid.students) == 2


@pytest.mark.parametrize("change", ["other_school_class", "wrong_grade", "no_class", "empty_title", "unknown_subject"])
def test_bad_course_fields_are_refused_and_nothing_is_stored(db: Session, world, change: str) -> None:
    values = {"title": "Tiếng Anh 6", "subject_id": world.subject.id, "grade": 6, "academic_year_id": world.year.id,
              "class_ids": (world.class_6a.id,)}
    values |= {"other_school_class": {"class_ids": (world.other_class.id,)}, "wrong_grade": {"grade": 7},
               "no_class": {"class_ids": ()}, "empty_title": {"title": "   "},
               "unknown_subject": {"subject_id": 999_999}}[change]
    before = _counts(db)
    with pytest.raises((Invalid, Forbidden)):
        courses.create_course(db=db, actor=world.teacher, fields=courses.CourseFields(**values))
    assert _counts(db) == before


def test_unpublished_or_hidden_materials_cannot_be_pinned(db: Session, world, plugin_host, types) -> None:
    from content.materials import service as materials

    draft = materials.create_material(db=db, actor=world.teacher, fields=materials.MaterialFields(
        title="Nháp", kind="page", visibility="school"), body_markdown="# Nháp")
    private = published_page(db, plugin_host, world.other_teacher, title="Riêng", visibility="private")
    course = course_for_6a(db, world)
    lesson = _lesson(db, world, course)
    before = _counts(db)
    with pytest.raises(Invalid):
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                             title="Đọc", settings={"material_id": draft.id})
    with pytest.raises(NotFound):
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                             title="Đọc", settings={"material_id": private.id})
    with pytest.raises(Invalid):
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="quiz", title="Q")
    with pytest.raises(Invalid):
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                             title="Đọc", settings={"material_id": "abc"})
    assert _counts(db) == before


def test_copying_a_course_keeps_its_outline_and_remaps_prerequisites(db: Session, world, plugin_host, types) -> None:
    from lms_core.org.models import SchoolClass
    from lms_core.org.seed import ensure_academic_year

    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    first = _lesson(db, world, course, "Bài 1")
    second = courses.add_lesson(db=db, actor=world.teacher, unit_id=first.unit_id, title="Bài 2",
                                prerequisite_id=first.id)
    courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=second.id, type="material",
                         title="Đọc", settings={"material_id": material.id})
    next_year = ensure_academic_year(db, world.year.start_date.year + 1)
    new_class = SchoolClass(school_id=world.school.id, academic_year_id=next_year.id, grade=6, name="6A")
    db.add(new_class)
    db.commit()
    copy = courses.copy_course(db=db, actor=world.teacher, course_id=course.id, academic_year_id=next_year.id,
                               class_ids=(new_class.id,))
    assert copy.copied_from_id == course.id and copy.academic_year_id == next_year.id
    lessons = [x for u in copy.units for x in u.lessons]
    assert [x.title for x in lessons] == ["Bài 1", "Bài 2"]
    assert lessons[1].prerequisite_id == lessons[0].id  # points inside the copy, not at the old course
    assert [a.title for a in lessons[1].activities] == ["Đọc"]
    assert lessons[1].activities[0].settings["version_id"] == material.published_version_id


def test_the_learning_record_exports_as_xapi_json_for_a_class_and_period(db: Session, world, plugin_host, types,
                                                                       client_for) -> None:
    import json

    material = published_page(db, plugin_host, world.teacher)
    course = course_for_6a(db, world)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=_lesson(db, world, course).id,
                                    type="material", title="Đọc", settings={"material_id": material.id})
    progress.record(db=db, actor=world.student, activity_id=activity.id, verb="viewed")
    progress.record(db=db, actor=world.classmate, activity_id=activity.id, verb="viewed")
    answer = client_for(world.teacher).get(f"/courses/{course.id}/statements.json?class_id={world.class_6a.id}")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    statements = json.loads(answer.content)
    assert len(statements) == 4  # two "viewed", two "completed"
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in statements} == {"viewed", "completed"}
    for statement in statements:
        xapi.validate_statement(statement)
    from lms_core.accounts.manage_pages import VIETNAM

    later = (utcnow() + timedelta(days=1)).astimezone(VIETNAM)
    empty = client_for(world.teacher).get(f"/courses/{course.id}/statements.json?since={later:%Y-%m-%dT%H:%M}")
    assert json.loads(empty.content) == []
    assert client_for(world.student).get(f"/courses/{course.id}/statements.json").status_code == 403
    assert client_for(world.teacher).get(f"/courses/{course.id}/statements.json?since=hôm-qua").status_code == 422


def test_pinning_a_shared_material_in_a_course_counts_as_a_reuse(db: Session, world, plugin_host, types) -> None:
    from content.repository.models import MaterialReuse, RepositoryEntry
    from tests.content.test_repository_search import share

    material = share(db, plugin_host, world.other_teacher, world.school_admin, title="Chè Tân Cương",
                     text="Chè Tân Cương, Thái Nguyên.")
    course = course_for_6a(db, world)
    lesson = _lesson(db, world, course)
    for title in ("Đọc lần 1", "Đọc lần 2"):  # the same teacher and version count once
        courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                             title=title, settings={"material_id": material.id})
    assert db.scalar(select(RepositoryEntry.reuse_count).where(RepositoryEntry.material_id == material.id)) == 1
    reuse = db.scalar(select(MaterialReuse).where(MaterialReuse.material_id == material.id))
    assert reuse.user_id == world.teacher.id and reuse.purpose == course.title
    own = published_page(db, plugin_host, world.teacher, title="Của tôi")
    courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="material",
                         title="Bài của tôi", settings={"material_id": own.id})
    assert db.scalar(select(func.count()).select_from(MaterialReuse)) == 1  # one's own material is no reuse
