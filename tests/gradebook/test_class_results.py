"""A class's term results across subjects: each subject's ĐTBmhk (Đ / CĐ; ĐTBmcn on the second term) from every
gradebook of the class, each student's Thông tư 22 learning level or what is missing for it, primary levels and
test scores without a year result, the XLSX table; the homeroom teacher, the school's admins and the class's
teachers read it, everybody else is refused, and nothing stored changes."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User
from lms_core.courses import service as courses
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.gradebook import class_results, rules, service
from lms_core.gradebook.models import Gradebook
from lms_core.i18n import use_locale
from lms_core.org.models import Subject
from tests.builders import make_user
from tests.gradebook.test_gradebook_service import columns, primary_world, stored, term
from tests.web.test_accessibility import _check

# the eight subjects of grade 6 assessed by score, and one assessed by comment (Thông tư 22 Điều 5)
SCORED = ("TOAN", "NV", "TA", "KHTN", "LSDL", "GDCD", "CN", "TIN")
COMMENTED = "GDTC"


def homeroom_for_6a(db: Session, world: Any) -> User:
    """Add the homeroom teacher of 6A, who keeps none of its gradebooks."""
    teacher = make_user(db, "gvcn6a", "Cô Chủ Nhiệm", RoleAssignment(role=Role.teacher, school_id=world.school.id),
                        school=world.school)
    db.add(TeachingAssignment(class_id=world.class_6a.id, teacher_id=teacher.id, subject_id=None, is_homeroom=True))
    db.commit()
    return teacher


def third_student(db: Session, world: Any) -> User:
    """Add a third student to 6A."""
    student = make_user(db, "hsa3", "Lê Văn Cường", RoleAssignment(role=Role.student, school_id=world.school.id),
                        school=world.school)
    db.add(ClassEnrolment(class_id=world.class_6a.id, student_id=student.id))
    db.commit()
    return student


def subject_courses(db: Session, world: Any, codes: tuple[str, ...]) -> dict[str, Any]:
    """Create one course of the world's teacher for 6A per subject code."""
    made = {}
    for code in codes:
        subject = db.scalar(select(Subject).where(Subject.code == code))
        made[code] = courses.create_course(db=db, actor=world.teacher, fields=courses.CourseFields(
            title=f"{subject.name_vi} 6", subject_id=subject.id, grade=6, academic_year_id=world.year.id,
            class_ids=(world.class_6a.id,)))
    return made


def open_term(db: Session, world: Any, made: dict[str, Any], number: int) -> dict[str, Gradebook]:
    """Open the gradebook of each course for 6A in a term."""
    return {code: service.open_gradebook(db=db, actor=world.teacher, course_id=course.id, class_id=world.class_6a.id,
                                         term_id=term(world, number).id) for code, course in made.items()}


def fill(db: Session, world: Any, gradebook: Gradebook, student: User, value: str, *, skip: str = "") -> None:
    """Enter the same mark in every assessment of a gradebook for one student (but the column coded `skip`)."""
    service.enter_marks(db=db, actor=world.teacher, gradebook_id=gradebook.id, marks={
        (c.id, student.id): value for code, c in columns(gradebook).items() if code != skip})


def first_term_class(db: Session, world: Any) -> tuple[dict[str, Gradebook], User]:
    """Open term I of the eight scored subjects and PE for 6A and enter marks; return the books and a third student.

    Học Sinh A: 9.0 ×4, 8.0 ×2, 7.0, 6.5 and PE Đ. Bạn Cùng Lớp: 9.0 everywhere but no ĐĐGck in Toán and nothing in
    PE. Lê Văn Cường: 9.0 in seven subjects, 3.0 in Tin học, PE Đ."""
    cuong = third_student(db, world)
    books = open_term(db, world, subject_courses(db, world, (*SCORED, COMMENTED)), 1)
    for code, value in zip(SCORED, ("9", "9", "9", "9", "8", "8", "7", "6.5"), strict=True):
        fill(db, world, books[code], world.student, value)
        fill(db, world, books[code], world.classmate, "9", skip="ck1" if code == "TOAN" else "")
        fill(db, world, books[code], cuong, "3" if code == "TIN" else "9")
    fill(db, world, books[COMMENTED], world.student, "Đ")
    fill(db, world, books[COMMENTED], cuong, "Đ")
    return books, cuong


def row_of(data: class_results.ClassResults, student: User) -> class_results.ResultRow:
    return next(r for r in data.rows if r.student.id == student.id)


def cell_of(data: class_results.ClassResults, row: class_results.ResultRow, code: str) -> class_results.Cell:
    return next(cell for col, cell in zip(data.columns, row.cells, strict=True) if col.subject.code == code)


def test_term_levels_follow_the_circular_and_name_what_is_missing(db: Session, world) -> None:
    _books, cuong = first_term_class(db, world)
    homeroom = homeroom_for_6a(db, world)
    with use_locale("en"):
        data = class_results.class_results(db=db, actor=homeroom, class_id=world.class_6a.id, term=1)
    assert [c.subject.code for c in data.columns] == ["TOAN", "TA", "LSDL", "GDTC", "NV", "GDCD", "KHTN", "CN", "TIN"]
    assert [r.student.full_name for r in data.rows] == ["Học Sinh A", "Lê Văn Cường", "Bạn Cùng Lớp"]
    assert [u.id for u in data.homeroom] == [homeroom.id] and not data.notes

    mine = row_of(data, world.student)
    assert cell_of(data, mine, "TIN").result == Decimal("6.5") and cell_of(data, mine, "GDTC").result.value == "Đ"
    # every average ≥ 6.5 with exactly six ≥ 8.0 and PE passed: Tốt (Điều 9 khoản 2 điểm a)
    assert mine.term.level is rules.Level.GOOD and mine.term.reasons == [] and mine.year is None

    # 3.0 in Tin học alone pulls the thresholds down to Chưa đạt; without it Tốt: lifted one level to Đạt (khoản 3)
    lifted = row_of(data, cuong).term
    assert lifted.level is rules.Level.PASS and lifted.lifted_for.code == "TIN"

    missing = row_of(data, world.classmate)
    assert missing.term.level is None
    assert cell_of(data, missing, "TOAN").result is None and cell_of(data, missing, "NV").result == Decimal("9.0")
    with use_locale("en"):
        assert [r.translated() for r in missing.term.reasons] == [
            "Mathematics has no ĐTBmhk yet.", "Physical education has no term result (Đ or CĐ) yet."]
    assert [s.code for s in missing.term.missing] == ["TOAN", "GDTC"]


def test_the_page_shows_subjects_levels_and_the_missing_results(db: Session, world, client_for) -> None:
    first_term_class(db, world)
    client = client_for(homeroom_for_6a(db, world))
    client.post("/lang", data={"locale": "en", "next": "/gradebook"})
    page = client.get(f"/gradebook/classes/{world.class_6a.id}?term=1")
    assert page.status_code == 200
    _check(page.text)
    assert "Homeroom teacher: Cô Chủ Nhiệm" in page.text and "ĐTBmhkI" in page.text and "Mathematics" in page.text
    mine = re.search(r"Học Sinh A.*?</tr>", page.text, re.S)[0]
    assert re.findall(r'class="num result">([^<]*)<', mine) == ["9.0", "9.0", "8.0", "Đ", "9.0", "8.0", "9.0", "7.0",
                                                                "6.5"]
    assert re.search(r'class="level">\s*Good', mine)
    theirs = re.search(r"Bạn Cùng Lớp.*?</tr>", page.text, re.S)[0]
    assert "Incomplete" in theirs and "<li>Mathematics has no ĐTBmhk yet.</li>" in theirs
    lifted = re.search(r"Lê Văn Cường.*?</tr>", page.text, re.S)[0]
    assert re.search(r'class="level">\s*Pass', lifted) and "because of Informatics alone" in lifted
    assert f'href="/gradebook/classes/{world.class_6a.id}/export.xlsx?term=1"' in page.text


def test_second_term_adds_the_year_average_and_the_years_level(db: Session, world, client_for) -> None:
    made = subject_courses(db, world, (*SCORED, COMMENTED))
    first, second = open_term(db, world, made, 1), open_term(db, world, made, 2)
    for code in SCORED:
        fill(db, world, first[code], world.student, "5")
        fill(db, world, second[code], world.student, "8")
        fill(db, world, second[code], world.classmate, "8")
    for student in (world.student, world.classmate):
        fill(db, world, second[COMMENTED], student, "Đ")
    homeroom = homeroom_for_6a(db, world)
    with use_locale("en"):
        data = class_results.class_results(db=db, actor=homeroom, class_id=world.class_6a.id, term=2)
    mine = row_of(data, world.student)
    # ĐTBmcn = (5.0 + 2 × 8.0) / 3 = 7.0 in every scored subject: term II is Tốt, the year only Khá
    assert {cell_of(data, mine, c).year for c in SCORED} == {Decimal("7.0")}
    assert cell_of(data, mine, COMMENTED).year.value == "Đ"
    assert (mine.term.level, mine.year.level) == (rules.Level.GOOD, rules.Level.FAIR)
    theirs = row_of(data, world.classmate)  # no first-term marks: no year average, no year level
    assert theirs.term.level is rules.Level.GOOD and theirs.year.level is None
    with use_locale("en"):
        assert "Mathematics has no ĐTBmcn yet." in [r.translated() for r in theirs.year.reasons]
    assert len(theirs.year.missing) == len(SCORED)

    client = client_for(homeroom)
    page = client.get(f"/gradebook/classes/{world.class_6a.id}?term=2")
    assert page.status_code == 200 and "ĐTBmhkII" in page.text and "ĐTBmcn" in page.text
    _check(page.text)
    row = re.search(r"Học Sinh A.*?</tr>", page.text, re.S)[0]
    assert re.findall(r'class="num result">([^<]*)<', row)[:2] == ["8,0", "7,0"]  # Toán: ĐTBmhkII, ĐTBmcn

    download = client.get(f"/gradebook/classes/{world.class_6a.id}/export.xlsx?term=2")
    ws = load_workbook(io.BytesIO(download.content)).active
    assert [ws.cell(row=9, column=k).value for k in (3, 4)] == ["ĐTBmhkII", "ĐTBmcn"]
    headers = [ws.cell(row=8, column=k).value for k in range(1, ws.max_column + 1)]
    assert headers[-3:] == ["KQHT HK II", "KQHT cả năm", "Ghi chú"]
    rows = {ws.cell(row=r, column=2).value: [ws.cell(row=r, column=k).value for k in range(1, ws.max_column + 1)]
            for r in (10, 11)}
    assert rows["Học Sinh A"][2:4] == [8, 7] and rows["Học Sinh A"][-3:] == ["Tốt", "Khá", None]
    assert rows["Bạn Cùng Lớp"][-3] == "Tốt" and rows["Bạn Cùng Lớp"][-2] is None
    assert rows["Bạn Cùng Lớp"][-1].startswith("Chưa tính KQHT cả năm: thiếu kết quả Toán, Tiếng Anh")


def test_a_subject_without_a_gradebook_is_named_and_no_level_is_guessed(db: Session, world) -> None:
    books = open_term(db, world, subject_courses(db, world, ("TOAN",)), 1)
    fill(db, world, books["TOAN"], world.student, "9")
    with use_locale("en"):
        data = class_results.class_results(db=db, actor=world.school_admin, class_id=world.class_6a.id, term=1)
        # the world's teacher teaches English to 6A but has not opened its gradebook
        assert [(c.subject.code, c.gradebook is not None) for c in data.columns] == [("TOAN", True), ("TA", False)]
        reasons = [r.translated() for r in row_of(data, world.student).term.reasons]
    assert reasons == ["Subjects assessed by score known for this class this term: 2. A learning result needs every "
                       "subject of the class, at least 6.", "English has no gradebook for this term yet."]
    assert row_of(data, world.student).term.level is None
    assert cell_of(data, row_of(data, world.student), "TOAN").result == Decimal("9.0")


def test_homeroom_admins_and_the_class_teachers_read_it_and_nobody_else(db: Session, world, client_for) -> None:
    books, _ = first_term_class(db, world)
    homeroom = homeroom_for_6a(db, world)
    before = stored(db), db.scalar(select(func.count()).select_from(Gradebook))
    url = f"/gradebook/classes/{world.class_6a.id}"
    for reader in (homeroom, world.school_admin, world.teacher):
        client = client_for(reader)
        assert client.get(f"{url}?term=1").status_code == 200
        assert client.get(f"{url}/export.xlsx?term=1").status_code == 200
    refusals = {world.other_teacher: 404, world.other_school_admin: 404, world.other_school_teacher: 404,
                world.student: 403, world.classmate: 403, world.system_admin: 403, world.province_staff: 403}
    for who, status in refusals.items():
        client = client_for(who)
        assert client.get(f"{url}?term=1").status_code == status, who.username
        assert client.get(f"{url}/export.xlsx?term=1").status_code == status, who.username
    with pytest.raises(Forbidden):
        class_results.class_results(db=db, actor=world.student, class_id=world.class_6a.id, term=1)
    with pytest.raises(NotFound):
        class_results.class_results(db=db, actor=world.other_teacher, class_id=world.class_6a.id, term=1)
    # no teaching role at the school any more: an old assignment alone gives no access
    db.add(TeachingAssignment(class_id=world.class_6a.id, teacher_id=world.other_school_teacher.id, subject_id=None))
    db.commit()
    with pytest.raises(Forbidden):
        class_results.class_results(db=db, actor=world.other_school_teacher, class_id=world.class_6a.id, term=1)
    db.expire_all()
    assert (stored(db), db.scalar(select(func.count()).select_from(Gradebook))) == before


def test_a_bad_term_or_class_is_refused_clearly(db: Session, world, client_for) -> None:
    client = client_for(world.school_admin)
    client.post("/lang", data={"locale": "en", "next": "/gradebook"})
    for value in ("3", "abc", "0"):
        page = client.get(f"/gradebook/classes/{world.class_6a.id}?term={value}")
        assert page.status_code == 422 and f"The term must be 1 or 2; {value} is not." in page.text
    assert client.get(f"/gradebook/classes/{world.class_6a.id}/export.xlsx?term=9").status_code == 422
    assert client.get("/gradebook/classes/0").status_code == 422
    assert client.get("/gradebook/classes/99999999").status_code == 404
    with pytest.raises(Invalid):
        class_results.parse_term("1.5")
    # without a term the page opens the term under way (or the first), never an error
    assert client.get(f"/gradebook/classes/{world.class_6a.id}").status_code == 200


def test_the_export_is_the_table_the_homeroom_teacher_signs(db: Session, world, client_for) -> None:
    first_term_class(db, world)
    client = client_for(homeroom_for_6a(db, world))
    download = client.get(f"/gradebook/classes/{world.class_6a.id}/export.xlsx?term=1")
    assert download.status_code == 200 and download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert f'filename="tong-hop-ket-qua-6a-hk1-{world.year.name}.xlsx"' in download.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws["A1"].value == "TRƯỜNG THCS A" and ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ HỌC TẬP"
    assert ws["A5"].value == f"Lớp 6A – Học kì I – Năm học {world.year.name}"
    assert ws["A6"].value == "Giáo viên chủ nhiệm: Cô Chủ Nhiệm"
    assert [ws.cell(row=8, column=k).value for k in range(1, 14)] == [
        "STT", "Họ và tên", "Toán", "Tiếng Anh", "Lịch sử và Địa lí", "Giáo dục thể chất", "Ngữ văn",
        "Giáo dục công dân", "Khoa học tự nhiên", "Công nghệ", "Tin học", "KQHT HK I", "Ghi chú"]
    assert ws["C9"].value == "ĐTBmhkI" and ws["F9"].value == "KQ HK I"
    rows = [[ws.cell(row=r, column=k).value for k in range(1, 14)] for r in (10, 11, 12)]
    assert rows[0] == [1, "Học Sinh A", 9, 9, 8, "Đ", 9, 8, 9, 7, 6.5, "Tốt", None]
    assert rows[1][1] == "Lê Văn Cường" and rows[1][-2:] == ["Đạt", None]
    assert rows[2][:4] == [3, "Bạn Cùng Lớp", None, 9] and rows[2][-2] is None
    assert rows[2][-1] == "Chưa tính KQHT học kì: thiếu kết quả Toán, Giáo dục thể chất"
    below = [ws.cell(row=r, column=k).value for r in range(13, ws.max_row + 1) for k in range(1, 14)]
    assert "GIÁO VIÊN CHỦ NHIỆM" in below and "Cô Chủ Nhiệm" in below


def test_a_primary_class_shows_levels_and_tests_without_a_year_result(db: Session, world, client_for) -> None:
    teacher, pupil, klass = primary_world(db, world)
    made = {}
    for code, title in (("TOAN", "Toán 4"), ("TV", "Tiếng Việt 4")):
        subject = db.scalar(select(Subject).where(Subject.code == code))
        made[code] = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
            title=title, subject_id=subject.id, grade=4, academic_year_id=world.year.id, class_ids=(klass.id,)))
    maths = service.open_gradebook(db=db, actor=teacher, course_id=made["TOAN"].id, class_id=klass.id,
                                   term_id=term(world, 2).id)
    service.open_gradebook(db=db, actor=teacher, course_id=made["TV"].id, class_id=klass.id, term_id=term(world, 2).id)
    c = columns(maths)
    service.enter_marks(db=db, actor=teacher, gradebook_id=maths.id, marks={
        (c["ck1"].id, pupil.id): "T", (c["test_ck1"].id, pupil.id): "9"})
    data = class_results.class_results(db=db, actor=teacher, class_id=klass.id, term=2)
    assert data.primary and all(r.term is None and r.year is None for r in data.rows)
    assert [(col.subject.code, cell.result, cell.test) for col, cell in zip(data.columns, data.rows[0].cells,
                                                                             strict=True)] == [
        ("TV", None, None), ("TOAN", rules.SubjectLevel.GOOD, 9)]

    client = client_for(teacher)
    client.post("/lang", data={"locale": "en", "next": "/gradebook"})
    page = client.get(f"/gradebook/classes/{klass.id}?term=2")
    assert page.status_code == 200 and "Learning result" not in page.text
    assert "qualities and competences, which the platform does not record yet" in page.text
    row = re.search(r"Học Sinh C.*?</tr>", page.text, re.S)[0]
    assert re.findall(r'class="num[^"]*">([^<]*)<', row) == ["–", "–", "T", "9"]
    _check(page.text)

    ws = load_workbook(io.BytesIO(client.get(f"/gradebook/classes/{klass.id}/export.xlsx?term=2").content)).active
    assert ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC"
    assert [ws.cell(row=8, column=k).value for k in range(1, 8)] == [
        "STT", "Họ và tên", "Tiếng Việt", None, "Toán", None, "Ghi chú"]
    assert [ws.cell(row=9, column=k).value for k in range(3, 7)] == ["Mức", "KTĐK", "Mức", "KTĐK"]
    assert [ws.cell(row=10, column=k).value for k in range(1, 8)] == [1, "Học Sinh C", None, None, "T", 9, None]
    texts = [str(ws.cell(row=r, column=1).value) for r in range(11, ws.max_row + 1)]
    assert any("Thông tư 27" in t and "phẩm chất và năng lực" in t for t in texts)


def test_links_from_the_class_page_and_the_gradebook_index(db: Session, world, client_for) -> None:
    homeroom = homeroom_for_6a(db, world)
    link = f'href="/gradebook/classes/{world.class_6a.id}"'
    for reader in (homeroom, world.school_admin, world.teacher):
        page = client_for(reader).get(f"/classes/{world.class_6a.id}")
        assert page.status_code == 200 and link in page.text
        _check(page.text)
    assert link not in client_for(world.student).get(f"/classes/{world.class_6a.id}").text

    client = client_for(homeroom)
    home = client.get("/gradebook")
    assert 'href="/gradebook/classes"' in home.text
    listed = client.get("/gradebook/classes")
    assert listed.status_code == 200
    _check(listed.text)
    assert f'/gradebook/classes/{world.class_6a.id}?term=1' in listed.text
    assert f'/gradebook/classes/{world.class_6a.id}?term=2' in listed.text
    assert f'/gradebook/classes/{world.class_7a.id}?' not in listed.text
    other = client_for(world.other_teacher).get("/gradebook/classes").text
    assert f'/gradebook/classes/{world.class_7a.id}?term=1' in other
    assert f'/gradebook/classes/{world.class_6a.id}?' not in other
    assert 'href="/gradebook/classes"' not in client_for(world.student).get("/gradebook").text
