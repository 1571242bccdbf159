"""The primary summary workbook (Thông tư 27/2020): opened back with openpyxl, it has the school and title block,
the subject, class, term and teacher, the periods merged over their level and test columns, each pupil's T / H / C
and whole test scores in the right cells, empty cells for what is not recorded yet, the legend of T / H / C, the
print setup, and it refuses what a primary summary cannot hold."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.gradebook import sheet as gradebook_sheet
from lms_core.gradebook.sheet import PrimaryRow, PrimarySheet

THU_HUONG = "Nguyễn Ngọc Thu Hương"
ROWS = [
    PrimaryRow("Đặng Quốc Bảo", "H", 7, "T", Decimal("9.0")),
    PrimaryRow(unicodedata.normalize("NFD", THU_HUONG), "hoàn thành", "8", rules.SubjectLevel.DONE, 6,
               comment="Cần luyện thêm phép chia"),
    PrimaryRow("Lò Văn Páo"),  # nothing recorded yet
]


def _sheet(**changes: object) -> PrimarySheet:
    fields: dict[str, object] = dict(
        school="Trường Tiểu học Kim Đồng", class_name="4A", subject="Toán", teacher="Vũ Thị Lan", term=1,
        school_year="2024–2025", rows=ROWS, mid_term_test=True, end_test=True, place="Hà Giang",
        signed_on=date(2025, 1, 10),
    )
    fields.update(changes)
    return PrimarySheet(**fields)  # type: ignore[arg-type]


def _open(sheet: PrimarySheet) -> Worksheet:
    workbook = load_workbook(io.BytesIO(gradebook_sheet.xlsx(sheet)))
    assert len(workbook.worksheets) == 1
    return workbook.active


def _merged(ws: Worksheet) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def _row(ws: Worksheet, row: int, last: int) -> list[object]:
    return [ws.cell(row=row, column=c).value for c in range(1, last + 1)]


def test_the_heading_names_the_school_title_subject_class_term_and_teacher() -> None:
    ws = _open(_sheet())
    # Toán 4 on term I: STT, name, mid level, mid test, end level, end test, Nhận xét = 7 columns, A to G.
    assert ws["A1"].value == "TRƯỜNG TIỂU HỌC KIM ĐỒNG" and "A1:B1" in _merged(ws)
    assert ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["C2"].value == "Độc lập – Tự do – Hạnh phúc"
    assert ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC" and ws["A4"].font.bold
    assert {"A4:G4", "A5:G5", "A6:G6", "A7:G7"} <= _merged(ws)
    assert ws["A5"].value == "MÔN TOÁN"
    assert ws["A6"].value == "Lớp 4A – Học kì I – Năm học 2024–2025"
    assert ws["A7"].value == "Giáo viên: Vũ Thị Lan"
    assert ws.title == "Toán 4A HKI"


def test_the_header_puts_level_and_test_under_each_period() -> None:
    ws = _open(_sheet())
    assert _row(ws, 9, 7) == ["STT", "Họ và tên", "Giữa học kì I", None, "Cuối học kì I", None, "Nhận xét"]
    assert _row(ws, 10, 7)[2:6] == ["Mức đạt được", "Điểm KTĐK", "Mức đạt được", "Điểm KTĐK"]
    assert {"A9:A10", "B9:B10", "C9:D9", "E9:F9", "G9:G10"} <= _merged(ws)
    assert ws["C9"].border.top.style == "thin" and ws["F10"].border.bottom.style == "thin"


def test_each_pupil_has_levels_and_test_scores_in_the_right_cells_in_roll_order() -> None:
    ws = _open(_sheet())
    assert _row(ws, 11, 7) == [1, "Đặng Quốc Bảo", "H", 7, "T", 9, None]
    # a level's name is written as its code; a test score given as text is a number in the cell
    assert _row(ws, 12, 7) == [2, THU_HUONG, "H", 8, "H", 6, "Cần luyện thêm phép chia"]
    assert ws["D12"].data_type == "n" and ws["F11"].number_format == "0"
    assert ws["B11"].alignment.horizontal == "left" and ws["E11"].alignment.horizontal == "center"


def test_a_pupil_with_nothing_recorded_yet_has_empty_cells() -> None:
    ws = _open(_sheet())
    assert _row(ws, 13, 7) == [3, "Lò Văn Páo", None, None, None, None, None]
    assert ws["E13"].border.left.style == "thin" and ws["G13"].border.right.style == "thin"


def test_a_vietnamese_name_survives_in_composed_form() -> None:
    ws = _open(_sheet())
    assert ws["B12"].value == THU_HUONG
    assert ws["B12"].value == unicodedata.normalize("NFC", ws["B12"].value)


def test_a_subject_with_only_the_end_of_term_test_on_the_second_term() -> None:
    rows = [PrimaryRow("Đặng Quốc Bảo", "T", None, "C", 4)]
    ws = _open(_sheet(subject="Khoa học", term=2, rows=rows, mid_term_test=False))
    # STT, name, mid level, end-of-year level, its test, Nhận xét = 6 columns, A to F.
    assert _row(ws, 9, 6) == ["STT", "Họ và tên", "Giữa học kì II", "Cuối năm học", None, "Nhận xét"]
    assert _row(ws, 10, 6)[2:5] == ["Mức đạt được", "Mức đạt được", "Điểm KTĐK"]
    assert {"D9:E9", "F9:F10"} <= _merged(ws) and not any(r.startswith("C9") for r in _merged(ws))
    assert _row(ws, 11, 6) == [1, "Đặng Quốc Bảo", "T", "C", 4, None]
    assert ws["A5"].value == "MÔN KHOA HỌC" and ws["A6"].value == "Lớp 4A – Học kì II – Năm học 2024–2025"


def test_a_subject_without_periodic_tests_has_only_levels_and_no_test_legend() -> None:
    rows = [PrimaryRow("Đặng Quốc Bảo", "H", None, "T")]
    ws = _open(_sheet(subject="Đạo đức", rows=rows, mid_term_test=False, end_test=False))
    assert _row(ws, 10, 5) == [None, None, "Mức đạt được", "Mức đạt được", None]
    assert _row(ws, 11, 5) == [1, "Đặng Quốc Bảo", "H", "T", None]
    legend = [ws.cell(row=r, column=1).value for r in range(13, 18)]
    assert legend == ["Chú thích mức đạt được:", "T: Hoàn thành tốt", "H: Hoàn thành", "C: Chưa hoàn thành", None]


def test_the_legend_explains_the_levels_and_the_tests_beside_the_signature() -> None:
    ws = _open(_sheet())
    # three pupils on rows 11–13; the legend on the left from row 15, the signature on the right
    assert [ws.cell(row=r, column=1).value for r in range(15, 20)] == [
        "Chú thích mức đạt được:", "T: Hoàn thành tốt", "H: Hoàn thành", "C: Chưa hoàn thành",
        "KTĐK: kiểm tra định kì (thang điểm 10)"]
    assert "A16:B16" in _merged(ws)
    assert ws["C15"].value == "Hà Giang, ngày 10 tháng 01 năm 2025"
    assert ws["C16"].value == "GIÁO VIÊN" and ws["C21"].value == "Vũ Thị Lan"


def test_print_setup_frozen_panes_and_widths() -> None:
    ws = _open(_sheet())
    assert ws.freeze_panes == "C11"
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9  # 9 is A4 in OOXML
    assert int(ws.page_setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$9:$10"
    assert ws.column_dimensions["B"].width >= 25 and ws.column_dimensions["C"].width < 12
    assert ws.column_dimensions["G"].width >= 30  # room to write the comment


def test_the_file_name_is_ascii() -> None:
    assert gradebook_sheet.filename(_sheet()) == "tong-hop-danh-gia-toan-4a-hk1-2024-2025.xlsx"
    assert gradebook_sheet.filename(_sheet(subject="Tiếng Việt", term=2)) == (
        "tong-hop-danh-gia-tieng-viet-4a-hk2-2024-2025.xlsx")


@pytest.mark.parametrize(
    ("changes", "message", "params"),
    [
        ({"rows": [PrimaryRow("Lò Văn Páo", "Giỏi")]}, gradebook_sheet.BAD_LEVEL,
         {"name": "Lò Văn Páo", "value": "Giỏi"}),
        ({"rows": [PrimaryRow("Lò Văn Páo", end_level="Đ")]}, gradebook_sheet.BAD_LEVEL,
         {"name": "Lò Văn Páo", "value": "Đ"}),
        ({"rows": [PrimaryRow("Lò Văn Páo", end_test="7.5")]}, gradebook_sheet.BAD_TEST_SCORE,
         {"name": "Lò Văn Páo", "value": "7.5"}),
        ({"rows": [PrimaryRow("Lò Văn Páo", mid_test=11)]}, gradebook_sheet.BAD_TEST_SCORE,
         {"name": "Lò Văn Páo", "value": "11"}),
        ({"mid_term_test": False, "rows": [PrimaryRow("Lò Văn Páo", mid_test=8)]}, gradebook_sheet.NO_MID_TERM_TEST,
         {"name": "Lò Văn Páo"}),
        ({"end_test": False, "rows": [PrimaryRow("Lò Văn Páo", end_test=8)]}, gradebook_sheet.NO_END_TEST,
         {"name": "Lò Văn Páo"}),
        ({"rows": [ROWS[0], PrimaryRow(" ")]}, gradebook_sheet.MISSING_NAME, {"number": 2}),
        ({"term": 0}, gradebook_sheet.BAD_TERM, {"value": "0"}),
        ({"subject": ""}, gradebook_sheet.MISSING_HEADING, {}),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(changes: dict[str, object], message: str,
                                                   params: dict[str, object]) -> None:
    with pytest.raises(Invalid) as refused:
        gradebook_sheet.xlsx(_sheet(**changes))
    assert refused.value.message == message and refused.value.params == params
