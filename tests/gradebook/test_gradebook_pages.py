"""Gradebook pages: a teacher starts a class's gradebook, fills the grid, sees each refusal at its cell with
nothing saved, pulls scores from an assignment, downloads the sổ điểm; a student sees only their own grades;
others are refused and change nothing."""

from __future__ import annotations

import io
import re
import unicodedata
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.courses import service as courses
from lms_core.gradebook.models import GradeAudit, Gradebook, GradeEntry
from tests.gradebook.test_gradebook_service import (
    columns, course_for, graded_activity, hand_in, open_for_6a, stored, term,
)
from tests.web.test_accessibility import _check


def _cell(column_id: int, student_id: int) -> str:
    return f"m-{column_id}-{student_id}"


def test_teacher_starts_fills_and_downloads_the_gradebook(db: Session, world, client_for) -> None:
    course = course_for(db, world)
    teacher = client_for(world.teacher)
    home = teacher.get("/gradebook")
    assert home.status_code == 200 and 'href="/gradebook"' in home.text and 'action="/gradebook/open"' in home.text
    _check(home.text)
    opened = teacher.post("/gradebook/open", data={"course_id": str(course.id), "class_id": str(world.class_6a.id),
                                                   "term_id": str(term(world, 1).id)})
    assert opened.status_code == 303
    gradebook_id = int(re.fullmatch(r"/gradebook/(\d+)", opened.headers["location"])[1])
    page = teacher.get(f"/gradebook/{gradebook_id}")
    assert page.status_code == 200 and "Học Sinh A" in page.text and "ĐĐGtx 4" in page.text
    _check(page.text)

    gradebook = db.get(Gradebook, gradebook_id)
    c = columns(gradebook)
    s = world.student.id
    marks = {_cell(c["tx1"].id, s): "7", _cell(c["tx2"].id, s): "8", _cell(c["tx3"].id, s): "9",
             _cell(c["tx4"].id, s): "6", _cell(c["gk1"].id, s): "7,5", _cell(c["ck1"].id, s): "8"}
    saved = teacher.post(f"/gradebook/{gradebook_id}", data=marks)
    assert saved.status_code == 303 and saved.headers["location"].endswith("saved=6")
    shown = teacher.get(saved.headers["location"])
    row = re.search(r"Học Sinh A.*?</tr>", shown.text, re.S)[0]
    assert ">7,7<" in row  # ĐTBmhk (69 / 9), with the Vietnamese decimal comma

    download = teacher.get(f"/gradebook/{gradebook_id}/export.xlsx")
    assert download.status_code == 200 and "so-diem" in download.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(download.content)).active
    rows = {ws.cell(row=r, column=2).value: [ws.cell(row=r, column=k).value for k in range(3, 10)]
            for r in range(10, 12)}
    assert rows["Học Sinh A"] == [7, 8, 9, 6, 7.5, 8, 7.7]
    assert rows["Bạn Cùng Lớp"] == [None] * 7
    assert "SỔ ĐIỂM MÔN TIẾNG ANH" in ws["A4"].value


def test_refused_cells_are_shown_where_they_are_and_nothing_is_saved(db: Session, world, client_for) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    teacher = client_for(world.teacher)
    teacher.post("/lang", data={"locale": "en", "next": "/gradebook"})
    before = stored(db)
    page = teacher.post(f"/gradebook/{gradebook.id}", data={
        _cell(c["tx1"].id, world.student.id): "9", _cell(c["tx2"].id, world.student.id): "12",
        _cell(c["tx1"].id, world.classmate.id): "abc"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "Nothing was saved" in page.text
    bad = re.search(rf'<input name="{_cell(c["tx2"].id, world.student.id)}"[^>]*>\s*<span[^>]*>([^<]*)</span>', page.text)
    assert bad and 'aria-invalid="true"' in bad[0] and "A score must be between 0 and 10; 12 is not." in bad[1]
    assert 'value="abc"' in page.text  # what the teacher typed stays to be corrected
    _check(page.text)
    assert stored(db) == before


def test_scores_from_an_assignment_and_an_override_with_its_reason(db: Session, world, client_for) -> None:
    gradebook = open_for_6a(db, world)
    course = courses.get_course(db=db, actor=world.teacher, course_id=gradebook.course_id)
    activity = graded_activity(db, world, course)
    hand_in(db, world, activity, world.student, 1, "8.5")
    tx1 = columns(gradebook)["tx1"]
    teacher = client_for(world.teacher)
    assert "Bài viết số 1" in teacher.get(f"/gradebook/{gradebook.id}").text
    assert teacher.post(f"/gradebook/{gradebook.id}/columns/{tx1.id}/source",
                        data={"activity_id": str(activity.id)}).status_code == 303
    pulled = teacher.post(f"/gradebook/{gradebook.id}/pull")
    assert pulled.status_code == 303 and "added=1" in pulled.headers["location"]
    key = _cell(tx1.id, world.student.id)
    refused = teacher.post(f"/gradebook/{gradebook.id}", data={key: "6"})
    assert refused.status_code == 422
    assert db.scalar(select(GradeEntry.score).where(GradeEntry.column_id == tx1.id)) == Decimal("8.5")
    done = teacher.post(f"/gradebook/{gradebook.id}", data={key: "6", "reason": "Bài nộp muộn hai tuần"})
    assert done.status_code == 303
    history = teacher.get(f"/gradebook/{gradebook.id}/history")
    assert history.status_code == 200 and "Bài nộp muộn hai tuần" in history.text
    _check(history.text)


def test_a_student_sees_only_their_own_grades(db: Session, world, client_for) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    teacher = client_for(world.teacher)
    teacher.post(f"/gradebook/{gradebook.id}", data={_cell(c["tx1"].id, world.student.id): "9.5",
                                                     _cell(c["tx1"].id, world.classmate.id): "2.5"})
    student = client_for(world.student)
    mine = student.get("/gradebook")
    assert mine.status_code == 200 and "9,5" in mine.text and "2,5" not in mine.text
    assert "Bạn Cùng Lớp" not in mine.text
    _check(mine.text)
    assert student.get(f"/gradebook/{gradebook.id}").status_code == 404
    assert student.get(f"/gradebook/{gradebook.id}/export.xlsx").status_code == 404


def test_others_are_refused_and_change_nothing(db: Session, world, client_for) -> None:
    gradebook = open_for_6a(db, world)
    c = columns(gradebook)
    key = _cell(c["tx1"].id, world.student.id)
    client_for(world.teacher).post(f"/gradebook/{gradebook.id}", data={key: "5"})
    before = stored(db), db.scalar(select(func.count()).select_from(Gradebook))
    admin = client_for(world.school_admin)
    read = admin.get(f"/gradebook/{gradebook.id}")
    assert read.status_code == 200 and "Học Sinh A" in read.text and f'name="{key}"' not in read.text
    _check(read.text)
    assert admin.post(f"/gradebook/{gradebook.id}", data={key: "10"}).status_code == 403
    for who in (world.other_teacher, world.other_school_admin, world.student):
        other = client_for(who)
        assert other.get(f"/gradebook/{gradebook.id}").status_code == 404
        assert other.post(f"/gradebook/{gradebook.id}", data={key: "10"}).status_code == 404
        assert other.post(f"/gradebook/{gradebook.id}/pull").status_code == 404
        assert other.post("/gradebook/open", data={"course_id": str(gradebook.course_id),
                                                   "class_id": str(world.class_6a.id),
                                                   "term_id": str(term(world, 2).id)}).status_code in (403, 404)
    assert client_for(world.teacher).post(f"/gradebook/{gradebook.id}/periods",
                                          data={"periods_per_year": "abc"}).status_code == 422
    db.expire_all()
    assert (stored(db), db.scalar(select(func.count()).select_from(Gradebook))) == before
    assert db.scalar(select(func.count()).select_from(GradeAudit)) == 1


def test_comment_and_second_term_grids_show_their_own_results(db: Session, world, client_for) -> None:
    pe = open_for_6a(db, world, subject_code="GDTC", title="Thể dục 6")
    c = columns(pe)
    s = world.student.id
    teacher = client_for(world.teacher)
    saved = teacher.post(f"/gradebook/{pe.id}", data={_cell(c["tx1"].id, s): "Đ", _cell(c["tx2"].id, s): "Đ",
                                                      _cell(c["gk1"].id, s): "Đ", _cell(c["ck1"].id, s): "Đ"})
    assert saved.status_code == 303
    page = teacher.get(f"/gradebook/{pe.id}")
    assert f'<select name="{_cell(c["tx1"].id, s)}"' in page.text and "ĐGtx 1" in page.text
    row = re.search(r"Học Sinh A.*?</tr>", page.text, re.S)[0]
    assert re.search(r'class="num result"[^>]*>Đ<', row)  # every assessment passed: the term is passed
    _check(page.text)
    sheet = load_workbook(io.BytesIO(teacher.get(f"/gradebook/{pe.id}/export.xlsx").content)).active
    assert sheet["C8"].value == "ĐGtx" and [cell.value for cell in sheet[10]][1:8] == ["Học Sinh A", "Đ", "Đ", "Đ", "Đ", "Đ", None]

    second = teacher.post("/gradebook/open", data={"course_id": str(pe.course_id), "class_id": str(world.class_6a.id),
                                                   "term_id": str(term(world, 2).id)})
    page2 = teacher.get(second.headers["location"])
    row2 = re.search(r"Học Sinh A.*?</tr>", page2.text, re.S)[0]
    # term II has nothing yet: its result and the year's wait, term I's result is carried over
    assert re.findall(r'class="num result"[^>]*>([^<]*)<', row2) == ["–", "Đ", "–"]
    _check(page2.text)


def test_primary_grid_offers_levels_and_test_scores(db: Session, world, client_for) -> None:
    from lms_core.gradebook import service
    from lms_core.org.models import Subject
    from tests.gradebook.test_gradebook_service import primary_world

    teacher, pupil, klass = primary_world(db, world)
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
        title="Toán 4", subject_id=maths.id, grade=4, academic_year_id=world.year.id, class_ids=(klass.id,)))
    gradebook = service.open_gradebook(db=db, actor=teacher, course_id=course.id, class_id=klass.id,
                                       term_id=term(world, 1).id)
    c = columns(gradebook)
    client = client_for(teacher)
    page = client.get(f"/gradebook/{gradebook.id}")
    assert f'<select name="{_cell(c["ck1"].id, pupil.id)}"' in page.text
    assert f'<input name="{_cell(c["test_ck1"].id, pupil.id)}"' in page.text
    _check(page.text)
    assert client.post(f"/gradebook/{gradebook.id}", data={_cell(c["ck1"].id, pupil.id): "T",
                                                           _cell(c["test_ck1"].id, pupil.id): "10"}).status_code == 303
    mine = client_for(pupil).get("/gradebook")
    assert mine.status_code == 200 and re.search(r"<dd>10</dd>", mine.text) and re.search(r"<dd>T</dd>", mine.text)


def test_a_primary_teacher_downloads_the_summary_of_levels_and_tests(db: Session, world, client_for) -> None:
    from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment
    from lms_core.org.models import Subject
    from tests.builders import make_user
    from tests.gradebook.test_gradebook_service import primary_world

    teacher, pupil, klass = primary_world(db, world)
    newcomer = make_user(db, "hsd", unicodedata.normalize("NFD", "Hoàng Thị Ánh Nguyệt"),
                         RoleAssignment(role=Role.student, school_id=world.far_school.id), school=world.far_school)
    db.add(ClassEnrolment(class_id=klass.id, student_id=newcomer.id))
    maths = db.scalar(select(Subject).where(Subject.code == "TOAN"))
    course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
        title="Toán 4", subject_id=maths.id, grade=4, academic_year_id=world.year.id, class_ids=(klass.id,)))
    client = client_for(teacher)
    opened = client.post("/gradebook/open", data={"course_id": str(course.id), "class_id": str(klass.id),
                                                  "term_id": str(term(world, 1).id)})
    gradebook = db.get(Gradebook, int(re.fullmatch(r"/gradebook/(\d+)", opened.headers["location"])[1]))
    c = columns(gradebook)
    saved = client.post(f"/gradebook/{gradebook.id}", data={
        _cell(c["gk1"].id, pupil.id): "H", _cell(c["test_gk1"].id, pupil.id): "7",
        _cell(c["ck1"].id, pupil.id): "T", _cell(c["test_ck1"].id, pupil.id): "9"})
    assert saved.status_code == 303
    page = client.get(f"/gradebook/{gradebook.id}")
    assert f'href="/gradebook/{gradebook.id}/export.xlsx"' in page.text
    _check(page.text)

    download = client.get(f"/gradebook/{gradebook.id}/export.xlsx")
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="tong-hop-danh-gia-toan-4a-hk1-' in download.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws["A1"].value == "TRƯỜNG TIỂU HỌC C"
    assert ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC" and ws["A5"].value == "MÔN TOÁN"
    assert ws["A6"].value == f"Lớp 4A – Học kì I – Năm học {world.year.name}"
    assert ws["A7"].value == "Giáo viên: Giáo Viên C"
    # Toán in grade 4 takes a mid-term and an end-of-term test: each period has its level and its test score
    assert [ws.cell(row=9, column=k).value for k in range(1, 8)] == [
        "STT", "Họ và tên", "Giữa học kì I", None, "Cuối học kì I", None, "Nhận xét"]
    rows = {ws.cell(row=r, column=2).value: [ws.cell(row=r, column=k).value for k in (1, 3, 4, 5, 6, 7)]
            for r in (11, 12)}
    # roll order by given name (C before Nguyệt); the newcomer has no level yet: empty cells, not an error
    assert rows == {"Học Sinh C": [1, "H", 7, "T", 9, None],
                    "Hoàng Thị Ánh Nguyệt": [2, None, None, None, None, None]}
    assert ws["B12"].value == unicodedata.normalize("NFC", "Hoàng Thị Ánh Nguyệt")
    assert ws["A14"].value == "Chú thích mức đạt được:" and ws["A15"].value == "T: Hoàn thành tốt"

    assert client_for(world.teacher).get(f"/gradebook/{gradebook.id}/export.xlsx").status_code == 404
    assert client_for(pupil).get(f"/gradebook/{gradebook.id}/export.xlsx").status_code == 404
