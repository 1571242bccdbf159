"""Saved exams ("Đề kiểm tra của tôi"): a teacher saves a built exam, finds it in their list, downloads the same
papers and keys after the bank changed, takes a version online as a quiz that asks exactly the drawn question
versions, and cannot delete the exam while that quiz uses it; another teacher's saved exam reads "not found"."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.assessment import bank, exams, quiz
from lms_core.assessment.items import Choice, Item, QType
from lms_core.assessment.models import Question, SavedExam, SavedExamQuestion
from lms_core.courses import service as courses
from lms_core.courses.models import Activity
from lms_core.errors import Invalid
from tests.assessment.test_exam_pages import BASE, fill_bank, form, record_of
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check

SAVED = BASE + "/saved"


def saved_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(SavedExam))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def build_and_save(db: Session, world: Any, teacher: Any) -> tuple[str, int]:
    """Build the test blueprint's exam (two versions), save it, and return its record and saved id."""
    fill_bank(db, world)
    built = teacher.post(BASE, data=form(world, "build"))
    assert built.status_code == 200 and f'action="{BASE}/save"' in built.text
    record = record_of(built.text)
    saved = teacher.post(f"{BASE}/save", data={"record": record, "title": "Kiểm tra giữa kỳ I"})
    assert saved.status_code == 303, saved.text[:300]
    exam_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    return record, exam_id


def change_the_bank(db: Session, world: Any, record: str) -> None:
    """Edit the first drawn question (a new version, other options) and archive the second."""
    drawn = [q["question_id"] for q in json.loads(record)["questions"]]
    bank.edit_question(db=db, actor=world.teacher, question_id=drawn[0], item=Item(
        QType.single, "Một câu hoàn toàn khác sau khi sửa.", level="nhan_biet", tags=["hàm số"],
        choices=[Choice("Mới 1", correct=True), Choice("Mới 2"), Choice("Mới 3"), Choice("Mới 4")]))
    bank.archive_question(db=db, actor=world.teacher, question_id=drawn[1])


def test_a_saved_exam_downloads_the_same_papers_after_the_bank_changed(db: Session, world, client_for) -> None:
    teacher = client_for(world.teacher)
    record, exam_id = build_and_save(db, world, teacher)
    saved = db.get(SavedExam, exam_id)
    assert (saved.title, saved.seed, saved.version_count, saved.grade) == ("Kiểm tra giữa kỳ I", "lop6a", 2, 6)
    assert [q.version_id for q in saved.questions] == [q["version_id"] for q in json.loads(record)["questions"]]
    listed = teacher.get(SAVED)
    assert listed.status_code == 200 and f'href="{SAVED}/{exam_id}"' in listed.text
    _check(listed.text)
    page = teacher.get(f"{SAVED}/{exam_id}?saved=1")
    assert page.status_code == 200 and f'href="{SAVED}/{exam_id}/files/exam-102-pdf"' in page.text
    _check(page.text)
    files = ("exam-101-pdf", "key-102-pdf", "exam-102-docx", "key-101-docx")
    before = {f: teacher.get(f"{SAVED}/{exam_id}/files/{f}") for f in files}
    assert all(r.status_code == 200 for r in before.values())
    assert "Mã đề 101" in pdf_text(before["exam-101-pdf"].content)

    change_the_bank(db, world, record)
    rebuilt = teacher.post(BASE, data=form(world, "build"))
    assert rebuilt.status_code == 200 and record_of(rebuilt.text) != record  # the same seed now draws otherwise
    for f, earlier in before.items():
        again = teacher.get(f"{SAVED}/{exam_id}/files/{f}")
        assert again.status_code == 200
        read = pdf_text if f.endswith("pdf") else docx_text
        assert read(again.content) == read(earlier.content), f
    assert "Một câu hoàn toàn khác" not in pdf_text(teacher.get(f"{SAVED}/{exam_id}/files/exam-101-pdf").content)
    everything = teacher.get(f"{SAVED}/{exam_id}/files/zip")
    names = set(zipfile.ZipFile(io.BytesIO(everything.content)).namelist())
    assert {"de-101.pdf", "dap-an-102.docx", "de-thi.json"} <= names
    kept = teacher.get(f"{SAVED}/{exam_id}/files/record")
    assert json.loads(kept.content)["questions"] == json.loads(record)["questions"]
    assert teacher.get(f"{SAVED}/{exam_id}/files/exam-999-pdf").status_code == 404
    assert teacher.get(f"{SAVED}/{exam_id}/files/nonsense").status_code == 422


def test_saving_the_same_exam_twice_keeps_one(db: Session, world, client_for) -> None:
    teacher = client_for(world.teacher)
    record, exam_id = build_and_save(db, world, teacher)
    again = teacher.post(f"{BASE}/save", data={"record": record, "title": "Kiểm tra giữa kỳ I"})
    assert again.headers["location"].startswith(f"{SAVED}/{exam_id}")
    assert saved_count(db) == 1
    broken = teacher.post(f"{BASE}/save", data={"record": record.replace('"seed":"lop6a"', '"seed":"??"')})
    assert broken.status_code == 422 and 'role="alert"' in broken.text and saved_count(db) == 1
    untitled = teacher.post(f"{BASE}/save", data={"record": record.replace('"title":"Kiểm tra giữa kỳ"', '"title":""'),
                                                 "title": "  "})
    assert untitled.status_code == 422 and 'role="alert"' in untitled.text and saved_count(db) == 1


def test_a_version_becomes_a_quiz_of_the_drawn_versions_and_the_exam_is_then_kept(db: Session, world,
                                                                                    client_for) -> None:
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Kiểm tra")
    teacher = client_for(world.teacher)
    record, exam_id = build_and_save(db, world, teacher)
    change_the_bank(db, world, record)
    data = json.loads(record)
    page = teacher.get(f"{SAVED}/{exam_id}")
    assert f'<option value="{lesson.id}">' in page.text
    no_lesson = teacher.post(f"{SAVED}/{exam_id}/quiz", data={"code": "102", "lesson_id": ""})
    bad_code = teacher.post(f"{SAVED}/{exam_id}/quiz", data={"code": "777", "lesson_id": str(lesson.id)})
    assert no_lesson.status_code == 422 and bad_code.status_code == 422 and 'role="alert"' in bad_code.text
    assert db.scalar(select(func.count()).select_from(Activity)) == 0
    added = teacher.post(f"{SAVED}/{exam_id}/quiz", data={"code": "102", "lesson_id": str(lesson.id), "title": ""})
    assert added.status_code == 303, added.text[:400]
    activity = db.scalar(select(Activity).where(Activity.lesson_id == lesson.id))
    order = [data["questions"][slot] for slot, _options in data["versions"][1]["questions"]]
    assert "Kiểm tra giữa kỳ I" in activity.title and "102" in activity.title
    assert [(q["question_id"], q["version_id"]) for q in activity.settings["questions"]] == [
        (q["question_id"], q["version_id"]) for q in order]      # the drawn versions, not the edited one
    edited = db.get(Question, data["questions"][0]["question_id"])
    assert edited.current_version_id != data["questions"][0]["version_id"]
    assert activity.settings["saved_exam_id"] == exam_id and activity.settings["time_limit"] == 45

    refused = teacher.post(f"{SAVED}/{exam_id}/delete")
    assert refused.status_code == 409 and 'role="alert"' in refused.text and activity.title in refused.text
    assert saved_count(db) == 1
    _check(refused.text)
    courses.remove_activity(db=db, actor=world.teacher, activity_id=activity.id)
    deleted = teacher.post(f"{SAVED}/{exam_id}/delete")
    assert deleted.status_code == 303 and saved_count(db) == 0
    assert db.scalar(select(func.count()).select_from(SavedExamQuestion)) == 0
    assert teacher.get(f"{SAVED}/{exam_id}").status_code == 404


def test_another_teachers_saved_exam_is_not_found(db: Session, world, client_for) -> None:
    record, exam_id = build_and_save(db, world, client_for(world.teacher))
    for who in (world.other_teacher, world.other_school_teacher, world.school_admin):
        other = client_for(who)
        assert f'href="{SAVED}/{exam_id}"' not in other.get(SAVED).text
        assert other.get(f"{SAVED}/{exam_id}").status_code == 404
        assert other.get(f"{SAVED}/{exam_id}/files/exam-101-pdf").status_code == 404
        assert other.post(f"{SAVED}/{exam_id}/quiz", data={"code": "101", "lesson_id": "1"}).status_code == 404
        assert other.post(f"{SAVED}/{exam_id}/delete").status_code == 404
    student = client_for(world.student)
    assert student.get(SAVED).status_code == 403 and student.get(f"{SAVED}/{exam_id}").status_code == 403
    assert client_for(world.teacher).get(f"{SAVED}/999999").status_code == 404
    assert saved_count(db) == 1 and db.scalar(select(func.count()).select_from(Activity)) == 0


def test_a_quiz_pins_only_versions_of_its_questions_the_teacher_may_use(db: Session, world) -> None:
    fill_bank(db, world)
    course = course_for_6a(db, world)
    first, second = db.scalars(select(Question).order_by(Question.id).limit(2))
    other_version = second.current_version_id
    settings = {"questions": [{"question_id": first.id, "version_id": other_version}]}
    with pytest.raises(Invalid) as refused:
        quiz.prepare(db=db, actor=world.teacher, course=course, settings=settings)
    assert refused.value.message == quiz.QUESTION_UNKNOWN
    old = first.current_version_id
    bank.edit_question(db=db, actor=world.teacher, question_id=first.id, item=bank.current_item(db, second))
    pinned = quiz.prepare(db=db, actor=world.teacher, course=course,
                          settings={"questions": [{"question_id": first.id, "version_id": old}]})
    assert pinned["questions"][0]["version_id"] == old
    current = quiz.prepare(db=db, actor=world.teacher, course=course,
                           settings={"questions": [{"question_id": first.id}]})
    assert current["questions"][0]["version_id"] == db.get(Question, first.id).current_version_id != old
    with pytest.raises(Invalid) as foreign:
        quiz.prepare(db=db, actor=world.teacher, course=course,
                     settings={"questions": [{"question_id": first.id}], "saved_exam_id": 999_999})
    assert foreign.value.message == quiz.BAD_SETTINGS
    assert exams.quizzes_using(db, 999_999) == []
