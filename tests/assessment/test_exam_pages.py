"""Exam builder pages: a teacher fills the blueprint, checks the bank (what is missing is listed per cell), builds
the versions and downloads the papers, keeps the blueprint and the exam record as files and opens them again, and
adds version 1 as a quiz; a student is refused, another school's teacher gets nothing, bad input stores nothing,
and every page passes the accessibility check."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from typing import Any

from docx import Document
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.assessment import bank
from lms_core.assessment.models import Question
from lms_core.courses import service as courses
from lms_core.courses.models import Activity
from tests.assessment.test_builder import essay, group, number, single, store
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check

BASE = "/question-bank/exams"


def form(world: Any, action: str = "check", **extra: str) -> dict[str, str]:
    """Return the blueprint form of one topic: 8 × 0,5 + 2 × 1 + 2 × 0,5 + 1 × 3 = 10 points."""
    values = {"title": "Kiểm tra giữa kỳ", "subject_id": str(world.subject.id), "grade": "6", "minutes": "45",
              "total_points": "10", "points_I": "0,5", "points_II": "1", "points_III": "0,5", "points_IV": "3",
              "rows": "3", "label_0": "Chủ đề 1: Hàm số", "tag_0": "hàm số", "n_0_I_nhan_biet": "8",
              "n_0_II_thong_hieu": "2", "n_0_III_van_dung": "2", "n_0_IV_van_dung_cao": "1",
              "req_0_nhan_biet": "Nhận biết được hàm số.", "versions": "2", "seed": "lop6a", "action": action}
    values.update(extra)
    return values


def fill_bank(db: Session, world: Any) -> None:
    store(db, world, [single(n, answer=n % 4) for n in range(9)] + [group(n) for n in range(2)]
          + [number(n) for n in range(2)] + [essay(1)])


def record_of(page: str) -> str:
    match = re.search(r'name="record" value="([^"]+)"', page)
    assert match, "no exam record on the page"
    return match[1].replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def activities(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Activity))


def test_teacher_builds_an_exam_and_downloads_every_paper(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    teacher = client_for(world.teacher)
    page = teacher.get(f"{BASE}?subject_id={world.subject.id}&grade=6")
    assert page.status_code == 200 and 'name="n_0_I_nhan_biet"' in page.text
    _check(page.text)
    checked = teacher.post(BASE, data=form(world, "check"))
    assert checked.status_code == 200 and 'id="availability"' in checked.text
    _check(checked.text)
    built = teacher.post(BASE, data=form(world, "build"))
    assert built.status_code == 200, built.text[:500]
    _check(built.text)
    assert "exam-101-pdf" in built.text and "exam-102-docx" in built.text
    record = record_of(built.text)
    assert json.loads(record)["seed"] == "lop6a"
    pdf = teacher.post(f"{BASE}/download", data={"record": record, "file": "exam-101-pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "Mã đề 101" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    everything = teacher.post(f"{BASE}/download", data={"record": record, "file": "zip"})
    names = set(zipfile.ZipFile(io.BytesIO(everything.content)).namelist())
    assert {"de-101.docx", "de-101.pdf", "dap-an-101.docx", "dap-an-102.pdf", "ma-tran-dac-ta.docx",
            "de-thi.json"} <= names
    again = teacher.post(BASE, data=form(world, "build"))
    assert record_of(again.text) == record  # the same blueprint and seed give the same exam
    key = teacher.post(f"{BASE}/download", data={"record": record, "file": "key-102-docx"})
    assert "MÃ ĐỀ 102" in "\n".join(p.text for p in Document(io.BytesIO(key.content)).paragraphs)
    unknown = teacher.post(f"{BASE}/download", data={"record": record, "file": "exam-999-pdf"})
    assert unknown.status_code == 422


def test_checking_a_thin_bank_lists_what_is_missing_and_building_is_refused(db: Session, world, client_for) -> None:
    store(db, world, [single(n) for n in range(5)])
    teacher = client_for(world.teacher)
    checked = teacher.post(BASE, data=form(world, "check"))
    assert checked.status_code == 200
    _check(checked.text)
    assert 'role="alert"' in checked.text and checked.text.count('<tr class="short">') == 4
    assert "<td>8</td><td>5</td><td>5 · <strong>" in checked.text  # needed, in the bank, drawn
    built = teacher.post(BASE, data=form(world, "build"))
    assert built.status_code == 422 and 'name="record"' not in built.text
    _check(built.text)


def test_a_blueprint_that_does_not_add_up_is_shown_with_its_problem(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    teacher = client_for(world.teacher)
    before = (activities(db), db.scalar(select(func.count()).select_from(Question)))
    refused = teacher.post(BASE, data=form(world, "build", points_IV="2"))
    assert refused.status_code == 422 and 'role="alert"' in refused.text and 'name="record"' not in refused.text
    _check(refused.text)
    assert 'value="Chủ đề 1: Hàm số"' in refused.text  # what was typed is kept
    garbage = teacher.post(BASE, data=form(world, "build", n_0_I_nhan_biet="tám"))
    assert garbage.status_code == 422 and "tám" in garbage.text and 'value="Chủ đề 1: Hàm số"' in garbage.text
    _check(garbage.text)
    too_many = teacher.post(BASE, data=form(world, "build", versions="99"))
    assert too_many.status_code == 422 and 'name="record"' not in too_many.text
    assert (activities(db), db.scalar(select(func.count()).select_from(Question))) == before


def test_the_blueprint_files_open_again_in_the_form(db: Session, world, client_for) -> None:
    teacher = client_for(world.teacher)
    for action, name in (("xlsx", "ma-tran.xlsx"), ("json", "ma-tran.json")):
        saved = teacher.post(BASE, data=form(world, action))
        assert saved.status_code == 200 and "attachment" in saved.headers["content-disposition"]
        opened = teacher.post(f"{BASE}/upload", files={"file": (name, saved.content, "application/octet-stream")})
        assert opened.status_code == 200, opened.text[:300]
        _check(opened.text)
        assert 'value="Chủ đề 1: Hàm số"' in opened.text and 'name="n_0_I_nhan_biet" inputmode="numeric" maxlength="3" size="3" value="8"' in opened.text
        assert "Nhận biết được hàm số." in opened.text
    refused = teacher.post(f"{BASE}/upload", files={"file": ("x.json", b"{\"format\": 1}", "application/json")})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    matrix = teacher.post(BASE, data=form(world, "matrix"))
    assert matrix.status_code == 200
    assert len(Document(io.BytesIO(matrix.content)).tables) == 3


def test_an_exam_record_opens_the_same_versions_again(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    teacher = client_for(world.teacher)
    record = record_of(teacher.post(BASE, data=form(world, "build")).text)
    opened = teacher.post(f"{BASE}/record", files={"file": ("de-thi.json", record.encode(), "application/json")})
    assert opened.status_code == 200
    _check(opened.text)
    assert record_of(opened.text) == record
    changed = json.loads(record)
    changed["versions"][0]["questions"][0][1] = [0, 0, 0, 0]
    refused = teacher.post(f"{BASE}/record", files={"file": ("de-thi.json", json.dumps(changed).encode(), "x")})
    assert refused.status_code == 422 and 'role="alert"' in refused.text


def test_students_and_other_schools_get_nothing(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    record = record_of(client_for(world.teacher).post(BASE, data=form(world, "build")).text)
    student = client_for(world.student)
    assert student.get(BASE).status_code == 403
    assert student.post(BASE, data=form(world, "build")).status_code == 403
    assert student.post(f"{BASE}/download", data={"record": record, "file": "exam-101-pdf"}).status_code == 403
    outsider = client_for(world.other_school_teacher)
    thin = outsider.post(BASE, data=form(world, "build"))
    assert thin.status_code == 422 and "<td>8</td><td>0</td><td>0 · <strong>" in thin.text
    stolen = outsider.post(f"{BASE}/download", data={"record": record, "file": "exam-101-pdf"})
    assert stolen.status_code == 422 and stolen.headers["content-type"] != "application/pdf"


def test_version_one_becomes_a_quiz_in_a_lesson_of_the_teachers_course(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Ôn tập")
    teacher = client_for(world.teacher)
    built = teacher.post(BASE, data=form(world, "build"))
    assert f'<option value="{lesson.id}">' in built.text
    record = record_of(built.text)
    before = activities(db)
    other = client_for(world.other_teacher).post(f"{BASE}/quiz", data={"record": record, "lesson_id": str(lesson.id)})
    assert other.status_code == 422 and activities(db) == before
    added = teacher.post(f"{BASE}/quiz", data={"record": record, "lesson_id": str(lesson.id), "title": "Đề 101"})
    assert added.status_code == 303, added.text[:500]
    activity = db.scalar(select(Activity).where(Activity.lesson_id == lesson.id))
    data = json.loads(record)
    first = [data["questions"][slot]["question_id"] for slot, _options in data["versions"][0]["questions"]]
    assert activity.type == "quiz" and activity.title == "Đề 101"
    assert [q["question_id"] for q in activity.settings["questions"]] == first
    assert [q["points"] for q in activity.settings["questions"]][:8] == ["0.5"] * 8
    assert activity.settings["time_limit"] == 45


def test_the_quiz_asks_the_versions_drawn_even_after_an_edit(db: Session, world, client_for) -> None:
    fill_bank(db, world)
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Ôn tập")
    teacher = client_for(world.teacher)
    record = record_of(teacher.post(BASE, data=form(world, "build")).text)
    data = json.loads(record)
    drawn = data["questions"][data["versions"][0]["questions"][0][0]]
    item = bank.current_item(db, db.get(Question, drawn["question_id"]))
    bank.edit_question(db=db, actor=world.teacher, question_id=drawn["question_id"],
                       item=dataclasses.replace(item, stem="Đề đã sửa sau khi in."))
    assert db.get(Question, drawn["question_id"]).current_version_id != drawn["version_id"]
    added = teacher.post(f"{BASE}/quiz", data={"record": record, "lesson_id": str(lesson.id)})
    assert added.status_code == 303, added.text[:500]
    activity = db.scalar(select(Activity).where(Activity.lesson_id == lesson.id))
    asked = {q["question_id"]: q["version_id"] for q in activity.settings["questions"]}
    assert asked == {q["question_id"]: q["version_id"] for q in data["questions"]}
    assert activity.settings.get("saved_exam_id") is None
