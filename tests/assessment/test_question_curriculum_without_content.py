"""Without the content package (no curriculum on the server), the question form offers no tree, an edit keeps the
curriculum items a question already assesses, and ticking one anyway is refused with a clear message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.assessment import bank
from lms_core.assessment.items import Choice, Item, QType
from lms_core.assessment.models import QuestionCurriculumItem, QuestionVersion
from tests.web.test_accessibility import _check


def links(db: Session, question_id: int) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(QuestionCurriculumItem.item_id).where(QuestionCurriculumItem.question_id == question_id)))


def test_without_a_curriculum_the_form_keeps_the_items_and_refuses_new_ones(db: Session, world, client_for) -> None:
    world.teacher.locale = "en"
    db.commit()
    question = bank.create_question(db=db, actor=world.teacher, subject_id=world.subject.id, grade=6,
                                    item=Item(QType.single, "Câu hỏi", choices=[Choice("A", True), Choice("B")]),
                                    curriculum_item_ids=[7, 8])
    teacher = client_for(world.teacher)
    shown = teacher.get(f"/question-bank/{question.id}").text
    assert "Item 7, not found in the curriculum" in shown and "Item 8, not found in the curriculum" in shown
    page = teacher.get(f"/question-bank/{question.id}/edit")
    assert page.status_code == 200 and "The curriculum is not installed on this server." in page.text
    assert 'name="curriculum_item"' not in page.text
    _check(page.text)
    fields = {"type": "single", "subject_id": str(world.subject.id), "grade": "6", "stem": "Câu hỏi đã sửa",
              "option_0": "A", "option_1": "B", "correct": "0", "points": "1", "visibility": "school"}
    edited = teacher.post(f"/question-bank/{question.id}/edit", data=fields)
    assert edited.status_code == 303 and links(db, question.id) == {7, 8}
    refused = teacher.post(f"/question-bank/{question.id}/edit", data={**fields, "stem": "Lần nữa",
                                                                        "curriculum_item": "9"})
    assert refused.status_code == 422 and "The curriculum is not installed on this server" in refused.text
    assert links(db, question.id) == {7, 8}
    assert db.get(QuestionVersion, db.get(type(question), question.id).current_version_id).data["stem"] == \
        "Câu hỏi đã sửa"
