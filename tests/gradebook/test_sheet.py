"""The sổ điểm workbook: opened back with openpyxl, it has the school and title block, the two-row
header with ĐĐGtx merged over its columns, each student's marks in the right cells, the averages, the
second term's year columns, Đ / CĐ for comment subjects, and the print setup a teacher expects."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from lms_core.errors import Invalid
from lms_core.gradebook import sheet as gradebook_sheet
from lms_core.gradebook.sheet import GradeSheet, SheetRow

ANH_TUYET = "Nguyễn Thị Ánh Tuyết"
ROWS = [
    SheetRow("Đặng Quốc Bảo", ["8", "7,5", 9, 6], 7, 8, Decimal("7.6")),
    SheetRow(unicodedata.normalize("NFD", ANH_TUYET), [6, 6, 6, 10], "6", "4", Decimal("5.8"),
             note="ĐTB điều chỉnh: bài kiểm tra bù"),
    SheetRow("Lò Văn Páo", [9, None], None, None, None),
]


def _sheet(**changes: object) -> GradeSheet:
    fields: dict[str, object] = dict(
        school="Trường THCS Tân Cương", class_name="6A", subject="Toán", teacher="Hoàng Thị Thu Hà", term=1,
        school_year="2024–2025", regular_columns=4, rows=ROWS, place="Thái Nguyên", signed_on=date(2024, 12, 28),
    )
    fields.update(changes)
    return GradeSheet(**fields)  # type: ignore[arg-type]


def _open(sheet: GradeSheet) -> Worksheet:
    workbook = load_workbook(io.BytesIO(gradebook_sheet.xlsx(sheet)))
    assert len(workbook.worksheets) == 1
    return workbook.active


def _merged(ws: Worksheet) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def test_the_heading_names_the_school_subject_class_term_and_teacher() -> None:
    ws = _open(_sheet())
    # Term 1 with 4 ĐĐGtx: STT, name, 4 × ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhkI, Ghi chú = 10 columns, A to J.
    assert ws["A1"].value == "TRƯỜNG THCS TÂN CƯƠNG"
    assert ws["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["D2"].value == "Độc lập – Tự do – Hạnh phúc"
    assert ws["A4"].value == "SỔ ĐIỂM MÔN TOÁN" and ws["A4"].font.bold
    assert "A4:J4" in _merged(ws)
    assert ws["A5"].value == "Lớp 6A – Học kì I – Năm học 2024–2025"
    assert ws["A6"].value == "Giáo viên bộ môn: Hoàng Thị Thu Hà"
    assert ws.title == "Toán 6A HKI"


def test_the_header_groups_the_regular_assessments() -> None:
    ws = _open(_sheet())
    assert [ws.cell(row=8, column=c).value for c in range(1, 11)] == [
        "STT", "Họ và tên", "ĐĐGtx", None, None, None, "ĐĐGgk", "ĐĐGck", "ĐTBmhkI", "Ghi chú"]
    assert [ws.cell(row=9, column=c).value for c in range(3, 7)] == ["1", "2", "3", "4"]
    assert {"C8:F8", "A8:A9", "B8:B9", "G8:G9", "H8:H9", "I8:I9", "J8:J9"} <= _merged(ws)
    assert ws["C8"].border.top.style == "thin" and ws["F9"].border.bottom.style == "thin"


def test_each_student_has_their_marks_in_the_right_cells_in_roll_order() -> None:
    ws = _open(_sheet())
    assert [ws.cell(row=10, column=c).value for c in range(1, 10)] == [1, "Đặng Quốc Bảo", 8, 7.5, 9, 6, 7, 8, 7.6]
    assert [ws.cell(row=11, column=c).value for c in (1, 7, 8, 9, 10)] == [2, 6, 4, 5.8, "ĐTB điều chỉnh: bài kiểm tra bù"]
    # The third student has one ĐĐGtx so far: the other cells stay empty, not 0.
    assert [ws.cell(row=12, column=c).value for c in range(1, 10)] == [3, "Lò Văn Páo", 9, None, None, None, None, None, None]
    assert ws["I10"].number_format == "0.0" and ws["B10"].alignment.horizontal == "left"
    assert ws["E12"].border.left.style == "thin"


def test_a_vietnamese_name_survives_in_composed_form() -> None:
    ws = _open(_sheet())
    assert ws["B11"].value == ANH_TUYET
    assert ws["B11"].value == unicodedata.normalize("NFC", ws["B11"].value)
    assert ws["B10"].value == "Đặng Quốc Bảo"


def test_the_second_term_adds_the_first_terms_average_and_the_year_average() -> None:
    rows = [SheetRow("Đặng Quốc Bảo", [8, 8, 8], 7, 8, Decimal("7.8"), Decimal("6.5"), Decimal("7.4"))]
    ws = _open(_sheet(term=2, regular_columns=3, rows=rows))
    # STT, name, 3 × ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhkII, ĐTBmhkI, ĐTBmcn, Ghi chú = 11 columns, A to K.
    assert [ws.cell(row=8, column=c).value for c in range(6, 12)] == [
        "ĐĐGgk", "ĐĐGck", "ĐTBmhkII", "ĐTBmhkI", "ĐTBmcn", "Ghi chú"]
    assert [ws.cell(row=10, column=c).value for c in range(8, 11)] == [7.8, 6.5, 7.4]
    assert ws["J10"].number_format == "0.0"
    assert "A4:K4" in _merged(ws) and "C8:E8" in _merged(ws)
    assert ws["A5"].value == "Lớp 6A – Học kì II – Năm học 2024–2025"


def test_a_comment_subject_shows_dat_and_chua_dat() -> None:
    rows = [SheetRow("Đặng Quốc Bảo", ["Đ", "đạt"], "Đ", "Chưa đạt", "CĐ", "Đ", "CĐ")]
    ws = _open(_sheet(subject="Giáo dục thể chất", comment_assessed=True, term=2, regular_columns=2, rows=rows))
    assert ws["A4"].value == "SỔ ĐIỂM MÔN GIÁO DỤC THỂ CHẤT"
    assert [ws.cell(row=8, column=c).value for c in range(3, 10)] == [
        "ĐGtx", None, "ĐGgk", "ĐGck", "KQ HK II", "KQ HK I", "KQ cả năm"]
    assert [ws.cell(row=10, column=c).value for c in range(3, 10)] == ["Đ", "Đ", "Đ", "CĐ", "CĐ", "Đ", "CĐ"]


def test_print_setup_frozen_panes_widths_and_signature() -> None:
    ws = _open(_sheet())
    assert ws.freeze_panes == "C10"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # 9 is A4 in OOXML
    assert int(ws.page_setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$8:$9"
    assert ws.column_dimensions["B"].width >= 25 and ws.column_dimensions["C"].width < 10
    # Three students on rows 10–12; the date line two rows below, the teacher's name at the bottom.
    assert ws["E14"].value == "Thái Nguyên, ngày 28 tháng 12 năm 2024"
    assert ws["E15"].value == "GIÁO VIÊN BỘ MÔN" and ws["E20"].value == "Hoàng Thị Thu Hà"


def test_the_file_name_is_ascii() -> None:
    assert gradebook_sheet.filename(_sheet()) == "so-diem-toan-6a-hk1-2024-2025.xlsx"
    assert gradebook_sheet.filename(_sheet(subject="Giáo dục thể chất", term=2)) == (
        "so-diem-giao-duc-the-chat-6a-hk2-2024-2025.xlsx")


@pytest.mark.parametrize(
    ("changes", "message", "params"),
    [
        ({"rows": [SheetRow("Lò Văn Páo", [9, "10.5"])]}, gradebook_sheet.BAD_SCORE,
         {"name": "Lò Văn Páo", "value": "10.5"}),
        ({"rows": [SheetRow("Lò Văn Páo", [9, "8.25"])]}, gradebook_sheet.BAD_SCORE,
         {"name": "Lò Văn Páo", "value": "8.25"}),
        ({"rows": [SheetRow("Lò Văn Páo", [9], midterm="Đ")]}, gradebook_sheet.BAD_SCORE,
         {"name": "Lò Văn Páo", "value": "Đ"}),
        ({"comment_assessed": True, "rows": [SheetRow("Lò Văn Páo", ["Đ", 8])]}, gradebook_sheet.BAD_COMMENT,
         {"name": "Lò Văn Páo", "value": "8"}),
        ({"rows": [SheetRow("Lò Văn Páo", [9, 9, 9, 9, 9])]}, gradebook_sheet.TOO_MANY_MARKS,
         {"name": "Lò Văn Páo", "count": 5, "columns": 4}),
        ({"rows": [SheetRow("Lò Văn Páo", year_result=Decimal("7.0"))]}, gradebook_sheet.YEAR_ON_FIRST_TERM,
         {"name": "Lò Văn Páo"}),
        ({"rows": [ROWS[0], SheetRow("  ")]}, gradebook_sheet.MISSING_NAME, {"number": 2}),
        ({"term": 3}, gradebook_sheet.BAD_TERM, {"value": "3"}),
        ({"regular_columns": 0}, gradebook_sheet.BAD_COLUMNS, {"value": "0"}),
        ({"school": " "}, gradebook_sheet.MISSING_HEADING, {}),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes: dict[str, object], message: str,
                                                   params: dict[str, object]) -> None:
    with pytest.raises(Invalid) as refused:
        gradebook_sheet.xlsx(_sheet(**changes))
    assert refused.value.message == message and refused.value.params == params
