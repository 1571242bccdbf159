"""The question form's curriculum picker: the topics and lessons of the chosen subject × grade (the province's own
tree when it has one) as checkboxes, the question's items ticked, a reload button when the subject or grade changes
(no JavaScript needed), saved with the question and shown on its page by title. Items of another subject, grade or
province and unknown ids are refused with a clear message and nothing is stored. The core reads the curriculum only
through the truongso_curriculum hook."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import content.plugin
from content.curriculum import importer
from content.curriculum.models import CurriculumItem
from content.curriculum.seed import ensure_curriculum
from lms_core.assessment import bank, question_curriculum
from lms_core.assessment.items import Choice, Item, QType
from lms_core.assessment.models import Question, QuestionCurriculumItem, QuestionVersion
from lms_core.errors import Invalid
from lms_core.org.models import Subject
from lms_core.plugins.host import PluginHost
from tests.content.test_curriculum_import_and_coverage import CLEAN
from tests.web.test_accessibility import _check


@pytest.fixture()
def plugin_host() -> PluginHost:
    """The content package keeps the curriculum; the question bank reads it through the hook."""
    return PluginHost(load_entry_points=False, plugins={"content": content.plugin})


@pytest.fixture()
def seeded(db: Session, world):  # noqa: ANN001, ANN201
    """Return the world with the shipped national curriculum loaded."""
    ensure_curriculum(db)
    db.commit()
    return world


def subject_id(db: Session, code: str) -> int:
    return db.scalar(select(Subject.id).where(Subject.code == code))


def national(db: Session, code: str, grade: int) -> list[CurriculumItem]:
    """Return the national tree's topics and lessons of a subject × grade, in tree order."""
    return list(db.scalars(select(CurriculumItem).where(
        CurriculumItem.province_id.is_(None), CurriculumItem.subject_id == subject_id(db, code),
        CurriculumItem.grade == grade).order_by(CurriculumItem.id)))


def form(db: Session, code: str = "CN", grade: int = 6, items: list[int] | None = None, **extra: object) -> dict:
    return {"type": "single", "subject_id": str(subject_id(db, code)), "grade": str(grade), "title": "Nhà ở",
            "stem": "Vật liệu nào thường dùng để xây tường nhà?", "option_0": "Gạch", "option_1": "Giấy",
            "correct": "0", "points": "1", "visibility": "school",
            "curriculum_item": [str(i) for i in items or []], **extra}


def boxes(html: str) -> dict[int, bool]:
    """Return the picker's checkboxes: item id → ticked."""
    return {int(m[1]): bool(m[2]) for m in re.finditer(
        r'<input type="checkbox" id="curriculum-item-(\d+)" name="curriculum_item" value="\1"( checked)?>', html)}


def stored_items(db: Session, question_id: int) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(QuestionCurriculumItem.item_id).where(
        QuestionCurriculumItem.question_id == question_id)))


def counts(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(t))
                 for t in (Question, QuestionVersion, QuestionCurriculumItem))


def test_a_teacher_picks_topics_and_lessons_saves_them_and_reads_them_by_title(db: Session, seeded,
                                                                                client_for) -> None:
    world = seeded
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    blank = teacher.get("/question-bank/new?type=single")
    assert blank.status_code == 200 and boxes(blank.text) == {}
    assert "Choose a subject and a grade above, then show their curriculum." in blank.text
    assert 'name="reload" value="1" formnovalidate' in blank.text
    _check(blank.text)

    # no JavaScript: the reload button shows the chosen subject × grade's tree and keeps what was typed
    tree = national(db, "CN", 6)
    reloaded = teacher.post("/question-bank/new", data=form(db, reload="1"))
    assert reloaded.status_code == 200 and "Vật liệu nào thường dùng để xây tường nhà?" in reloaded.text
    assert boxes(reloaded.text) == {i.id: False for i in tree}
    assert "The whole topic" in reloaded.text and tree[0].title in reloaded.text
    _check(reloaded.text)
    assert counts(db)[0] == 0  # a reload saves nothing

    topic = next(i for i in tree if i.kind == "topic")
    lesson = next(i for i in tree if i.kind == "lesson" and i.parent_id != topic.id)
    created = teacher.post("/question-bank/new", data=form(db, items=[topic.id, lesson.id]))
    assert created.status_code == 303, created.text[:600]
    question_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert stored_items(db, question_id) == {topic.id, lesson.id}

    page = teacher.get(f"/question-bank/{question_id}")
    parent = db.get(CurriculumItem, lesson.parent_id)
    assert f"{parent.title} › " in page.text and lesson.title in page.text and topic.title in page.text
    assert "the whole topic" in page.text
    _check(page.text)

    edit = teacher.get(f"/question-bank/{question_id}/edit")
    assert {i for i, on in boxes(edit.text).items() if on} == {topic.id, lesson.id}
    _check(edit.text)
    # only the curriculum changes: the question keeps its version
    versions = counts(db)[1]
    changed = teacher.post(f"/question-bank/{question_id}/edit", data=form(db, items=[lesson.id]))
    assert changed.status_code == 303
    assert stored_items(db, question_id) == {lesson.id} and counts(db)[1] == versions
    cleared = teacher.post(f"/question-bank/{question_id}/edit", data=form(db, items=[]))
    assert cleared.status_code == 303 and stored_items(db, question_id) == set()


def test_items_of_another_subject_or_grade_and_unknown_ids_are_refused_and_nothing_is_stored(
        db: Session, seeded, client_for) -> None:
    world = seeded
    world.teacher.locale = "en"
    db.commit()
    teacher = client_for(world.teacher)
    cn6 = national(db, "CN", 6)
    english = national(db, "NN1", 6)[1]
    if not national(db, "CN", 7):  # the same subject in another grade (shipped data may not have it)
        db.add(CurriculumItem(province_id=None, subject_id=subject_id(db, "CN"), grade=7, kind="topic", key="9",
                              title="Chủ đề của khối 7", periods=1))
        db.commit()
    cn7 = national(db, "CN", 7)[0]
    before = counts(db)
    refused = teacher.post("/question-bank/new", data=form(db, items=[cn6[1].id, english.id]))
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert f"“{english.title}” is not in the curriculum of this question's subject and grade" in unescape(refused.text)
    assert "Vật liệu nào thường dùng để xây tường nhà?" in refused.text  # what was typed stays
    assert boxes(refused.text)[cn6[1].id] is True and english.id not in boxes(refused.text)
    _check(refused.text)
    other_grade = teacher.post("/question-bank/new", data=form(db, items=[cn7.id]))
    assert other_grade.status_code == 422 and f"“{cn7.title}” is not in the curriculum" in other_grade.text
    unknown = teacher.post("/question-bank/new", data=form(db, items=[cn6[1].id, 2_000_000_000]))
    assert unknown.status_code == 422 and "These curriculum items do not exist: 2000000000." in unknown.text
    garbage = teacher.post("/question-bank/new", data=form(db, curriculum_item=["abc"]))
    assert garbage.status_code == 422 and "These curriculum items do not exist: abc." in garbage.text
    too_many = teacher.post("/question-bank/new", data=form(db, items=list(range(1, 52))))
    assert too_many.status_code == 422 and "at most 50 curriculum items" in too_many.text
    assert counts(db) == before

    # an edit with a foreign item keeps the question as it was
    question = bank.create_question(db=db, actor=world.teacher, subject_id=subject_id(db, "CN"), grade=6,
                                    item=Item(QType.single, "Câu hỏi", choices=[Choice("A", True), Choice("B")]),
                                    curriculum_item_ids=[cn6[0].id])
    before = counts(db)
    edit = teacher.post(f"/question-bank/{question.id}/edit", data=form(db, items=[english.id], stem="Câu hỏi mới"))
    assert edit.status_code == 422 and f"“{english.title}”" in edit.text
    assert counts(db) == before and stored_items(db, question.id) == {cn6[0].id}
    assert db.get(QuestionVersion, question.current_version_id).data["stem"] == "Câu hỏi"

    # changing the subject: the reload shows the new tree and says the old items are not kept
    moved = teacher.post(f"/question-bank/{question.id}/edit", data=form(db, "NN1", 6, items=[cn6[0].id],
                                                                          reload="1"))
    assert moved.status_code == 200 and english.id in boxes(moved.text) and cn6[0].id not in boxes(moved.text)
    assert 'id="curriculum-elsewhere"' in moved.text and cn6[0].title in moved.text
    assert stored_items(db, question.id) == {cn6[0].id}


def test_the_provinces_own_tree_applies_to_its_schools(db: Session, seeded, client_for) -> None:
    world = seeded
    importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=CLEAN)
    world.teacher.locale = "en"
    db.commit()
    own = {i.id: i for i in db.scalars(select(CurriculumItem).where(CurriculumItem.province_id == world.province.id))}
    page = client_for(world.teacher).post("/question-bank/new", data=form(db, reload="1"))
    assert set(boxes(page.text)) == set(own)
    lesson = next(i for i in own.values() if i.title == "Bài 3")
    created = client_for(world.teacher).post("/question-bank/new", data=form(db, items=[lesson.id]))
    assert created.status_code == 303
    refused = client_for(world.teacher).post("/question-bank/new", data=form(db, items=[national(db, "CN", 6)[0].id]))
    assert refused.status_code == 422  # the national tree does not apply where the province has its own
    # a school of another province still uses the national tree
    far = question_curriculum.picker(db=db, host=PluginHost(load_entry_points=False,
                                                            plugins={"content": content.plugin}),
                                     school_id=world.far_school.id, subject_id=subject_id(db, "CN"), grade=6)
    assert far.state == "ready" and question_curriculum.tree_ids(far.topics) == {i.id for i in national(db, "CN", 6)}


@pytest.mark.hook("truongso_curriculum")
def test_the_core_reads_the_curriculum_through_the_hook_only(db: Session, seeded, plugin_host) -> None:
    world = seeded
    reader = question_curriculum.reader(plugin_host)
    assert reader is not None
    cn = subject_id(db, "CN")
    topics = reader.topics(db=db, province_id=world.province.id, subject_id=cn, grade=6)
    assert [t.id for t in topics] == [i.id for i in national(db, "CN", 6) if i.kind == "topic"]
    assert all(c.parent_id == t.id for t in topics for c in t.children)
    assert reader.topics(db=db, province_id=None, subject_id=cn, grade=1) is None  # not taught in grade 1
    assert {n.id for n in reader.items(db=db, item_ids=[topics[0].id, 2_000_000_000])} == {topics[0].id}

    # without the content package: no tree is offered and a chosen item is refused with a clear message
    bare = PluginHost(load_entry_points=False)
    assert question_curriculum.reader(bare) is None
    assert question_curriculum.picker(db=db, host=bare, school_id=world.school.id, subject_id=cn,
                                      grade=6).state == "unavailable"
    with pytest.raises(Invalid) as refused:
        question_curriculum.check_choice(db=db, host=bare, school_id=world.school.id, subject_id=cn, grade=6,
                                         item_ids=[topics[0].id])
    assert refused.value.message == question_curriculum.NO_CURRICULUM
    assert question_curriculum.check_choice(db=db, host=bare, school_id=world.school.id, subject_id=cn, grade=6,
                                            item_ids=[]) == []
