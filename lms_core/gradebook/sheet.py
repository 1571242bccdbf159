"""The sổ điểm workbook: one class × subject × term as the XLSX sheet a Vietnamese teacher keeps.

The layout: the school and the national motto on rows 1–2, the title on row 4, class/term/year and the
teacher on rows 5–6, a two-row column header on rows 8–9 (STT, Họ và tên, the ĐĐGtx columns under one
merged heading, ĐĐGgk, ĐĐGck, ĐTBmhk, and on the second term ĐTBmhkI and ĐTBmcn, then Ghi chú), one row
per student from row 10 in roll order, and the date and the teacher's signature below. Subjects assessed
by comment use the same grid with Đ / CĐ. Vietnamese labels are the form's own words, not translated.

Primary (Thông tư 27/2020) has its own layout, the bảng tổng hợp kết quả đánh giá giáo dục of one subject: the
same school and motto block, the title on row 4, the subject on row 5, class/term/year on row 6 and the teacher
on row 7, a two-row header on rows 9–10 (STT, Họ và tên, then under "Giữa học kì" and "Cuối học kì" (on the
second term "Cuối năm học") the Mức đạt được T / H / C and, when the subject takes one, the Điểm KTĐK of the
periodic test, then Nhận xét), one row per student from row 11, a legend of T / H / C and the signature below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.i18n import N_
from lms_core.text import fold, nfc
from lms_core.spreadsheets import workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BAD_TERM = N_("The term must be 1 or 2; {value} is not.")
BAD_COLUMNS = N_("A sổ điểm has from 1 to 6 regular assessment columns; {value} is not possible.")
MISSING_HEADING = N_("The sổ điểm needs the school, the class, the subject and the school year.")
MISSING_NAME = N_("Student {number} of the roll has no name.")
TOO_MANY_MARKS = N_("{name} has {count} regular assessments but the sheet has {columns} columns.")
YEAR_ON_FIRST_TERM = N_("{name}: year results belong on the second term's sheet.")
BAD_SCORE = N_("{name}: “{value}” is not a score from 0 to 10 with at most one decimal.")
BAD_COMMENT = N_("{name}: “{value}” is not an assessment by comment: write Đ or CĐ.")
BAD_LEVEL = N_("{name}: “{value}” is not a level: write T, H or C.")
BAD_TEST_SCORE = N_("{name}: “{value}” is not a periodic test score: write a whole number from 0 to 10.")
NO_MID_TERM_TEST = N_("{name} has a mid-term test score, but this subject takes no mid-term test.")
NO_END_TEST = N_("{name} has an end-of-term test score, but this subject takes no periodic test.")

TITLE_ROW, SUBTITLE_ROW, TEACHER_ROW = 4, 5, 6
HEADER_ROW = 8  # group headings; the ĐĐGtx numbers are on the row below
FIRST_DATA_ROW = HEADER_ROW + 2
ROMAN = {1: "I", 2: "II"}
FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
AVERAGE_FORMAT = "0.0"

Mark = Decimal | rules.Comment | int | str | None


@dataclass(frozen=True)
class SheetRow:
    """One student's line, in roll order: scores (Decimal, int or text such as "8,5") on a scored
    subject, Đ / CĐ on a comment-assessed one; None leaves a cell empty."""

    name: str
    regular: Sequence[Mark] = ()
    midterm: Mark = None
    final: Mark = None
    term_result: Mark = None  # ĐTBmhk, or the term's Đ / CĐ
    first_term_result: Mark = None  # second term only: ĐTBmhkI, or term I's Đ / CĐ
    year_result: Mark = None  # second term only: ĐTBmcn, or the year's Đ / CĐ
    note: str = ""


@dataclass(frozen=True)
class GradeSheet:
    """Everything printed on one sổ điểm sheet."""

    school: str
    class_name: str
    subject: str
    teacher: str
    term: int
    school_year: str
    regular_columns: int
    rows: Sequence[SheetRow] = field(default_factory=tuple)
    comment_assessed: bool = False
    place: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class _Column:
    heading: str
    width: float
    sub: str | None = None  # the number under a merged group heading
    average: bool = False


def _columns(sheet: GradeSheet) -> list[_Column]:
    """Return the grid's columns left to right."""
    tx, gk, ck = ("ĐGtx", "ĐGgk", "ĐGck") if sheet.comment_assessed else ("ĐĐGtx", "ĐĐGgk", "ĐĐGck")
    roman = ROMAN[sheet.term]
    if sheet.comment_assessed:
        results = [f"KQ HK {roman}"] + (["KQ HK I", "KQ cả năm"] if sheet.term == 2 else [])
    else:
        results = [f"ĐTBmhk{roman}"] + (["ĐTBmhkI", "ĐTBmcn"] if sheet.term == 2 else [])
    return [
        _Column("STT", 5),
        _Column("Họ và tên", 28),
        *(_Column(tx, 6, sub=str(n)) for n in range(1, sheet.regular_columns + 1)),
        _Column(gk, 7.5),
        _Column(ck, 7.5),
        *(_Column(label, 9.5, average=True) for label in results),
        _Column("Ghi chú", 20),
    ]


def _mark(sheet: GradeSheet, value: Mark, name: str) -> Decimal | str | None:
    """Return a cell's checked value: a score, or Đ / CĐ."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return rules.comment(value).value if sheet.comment_assessed else rules.score(value)  # type: ignore[arg-type]
    except Invalid:
        raise Invalid(BAD_COMMENT if sheet.comment_assessed else BAD_SCORE, name=name, value=str(value)) from None


def _row_values(sheet: GradeSheet, number: int, row: SheetRow) -> list[object]:
    """Return a student's cells left to right, refusing a value the sổ điểm cannot hold."""
    name = nfc(row.name).strip()
    if not name:
        raise Invalid(MISSING_NAME, number=number)
    if len(row.regular) > sheet.regular_columns:
        raise Invalid(TOO_MANY_MARKS, name=name, count=len(row.regular), columns=sheet.regular_columns)
    if sheet.term == 1 and (row.first_term_result is not None or row.year_result is not None):
        raise Invalid(YEAR_ON_FIRST_TERM, name=name)
    regular = list(row.regular) + [None] * (sheet.regular_columns - len(row.regular))
    results = [row.term_result] + ([row.first_term_result, row.year_result] if sheet.term == 2 else [])
    marks = [_mark(sheet, v, name) for v in [*regular, row.midterm, row.final, *results]]
    return [number, name, *marks, nfc(row.note).strip() or None]


def _check(sheet: GradeSheet) -> None:
    """Refuse a sheet whose heading or shape is wrong."""
    if sheet.term not in ROMAN:
        raise Invalid(BAD_TERM, value=str(sheet.term))
    if isinstance(sheet.regular_columns, bool) or not isinstance(sheet.regular_columns, int) \
            or not 1 <= sheet.regular_columns <= 6:
        raise Invalid(BAD_COLUMNS, value=str(sheet.regular_columns))
    if not all(nfc(text).strip() for text in (sheet.school, sheet.class_name, sheet.subject, sheet.school_year)):
        raise Invalid(MISSING_HEADING)


def _merged_text(ws: Worksheet, row: int, first: int, last: int, text: str, *, bold: bool = False,
                 size: int = 12, italic: bool = False) -> None:
    """Write centred text across columns first..last of a row."""
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=text)
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal="center", vertical="center")


def _heading(ws: Worksheet, sheet: GradeSheet, width: int) -> None:
    """Write the school, the national motto, the title and the class/term/teacher lines."""
    split = 2 if width <= 8 else 3
    _merged_text(ws, 1, 1, split, nfc(sheet.school).strip().upper(), bold=True)
    _merged_text(ws, 1, split + 1, width, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _merged_text(ws, 2, split + 1, width, "Độc lập – Tự do – Hạnh phúc", bold=True)
    _merged_text(ws, TITLE_ROW, 1, width, f"SỔ ĐIỂM MÔN {nfc(sheet.subject).strip().upper()}", bold=True, size=14)
    subtitle = (f"Lớp {nfc(sheet.class_name).strip()} – Học kì {ROMAN[sheet.term]} – "
                f"Năm học {nfc(sheet.school_year).strip()}")
    _merged_text(ws, SUBTITLE_ROW, 1, width, subtitle, bold=True)
    _merged_text(ws, TEACHER_ROW, 1, width, f"Giáo viên bộ môn: {nfc(sheet.teacher).strip()}", italic=True)


def _header(ws: Worksheet, columns: list[_Column]) -> None:
    """Write the two header rows: ĐĐGtx merged over its numbered columns, the others over both rows."""
    for index, column in enumerate(columns, start=1):
        for row in (HEADER_ROW, HEADER_ROW + 1):
            cell = ws.cell(row=row, column=index)
            cell.font, cell.alignment, cell.border = Font(name=FONT, size=11, bold=True), CENTRE, BOX
        ws.column_dimensions[get_column_letter(index)].width = column.width
        if column.sub is None:
            ws.cell(row=HEADER_ROW, column=index, value=column.heading)
            ws.merge_cells(start_row=HEADER_ROW, start_column=index, end_row=HEADER_ROW + 1, end_column=index)
        else:
            ws.cell(row=HEADER_ROW + 1, column=index, value=column.sub)
    group = [i for i, c in enumerate(columns, start=1) if c.sub is not None]
    ws.cell(row=HEADER_ROW, column=group[0], value=columns[group[0] - 1].heading)
    if len(group) > 1:
        ws.merge_cells(start_row=HEADER_ROW, start_column=group[0], end_row=HEADER_ROW, end_column=group[-1])
    ws.row_dimensions[HEADER_ROW].height = 22
    ws.row_dimensions[HEADER_ROW + 1].height = 22


def write_rows(ws: Worksheet, first_row: int, rows: Iterable[Sequence[Any]], *, left: set[int],
               formats: dict[int, str] | None = None, wrap_left: bool = False) -> int:
    """Write bordered rows of values from first_row (1-based columns in `left` align left, the others centre;
    `formats` gives the number format of a column's numbers); return the last row written."""
    row = first_row - 1
    for offset, values in enumerate(rows):
        row = first_row + offset
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=index, value=value)
            cell.font, cell.border = Font(name=FONT, size=12), BOX
            is_left = index in left
            cell.alignment = Alignment(horizontal="left" if is_left else "center", vertical="center",
                                       wrap_text=is_left and wrap_left)
            number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
            if formats and index in formats and number:
                cell.number_format = formats[index]
    return row


def _body(ws: Worksheet, sheet: GradeSheet, columns: list[_Column]) -> int:
    """Write one bordered row per student; return the last row written."""
    return write_rows(ws, FIRST_DATA_ROW,
                      (_row_values(sheet, number, student) for number, student in enumerate(sheet.rows, start=1)),
                      left={i for i, c in enumerate(columns, start=1) if c.heading in ("Họ và tên", "Ghi chú")},
                      formats={i: AVERAGE_FORMAT for i, c in enumerate(columns, start=1) if c.average})


def _signature(ws: Worksheet, sheet: GradeSheet | PrimarySheet, last_row: int, width: int, *,
               label: str = "GIÁO VIÊN BỘ MÔN") -> None:
    """Write the place and date line and the teacher's signature block under the grid."""
    first = max(3, width - 5)
    day = sheet.signed_on
    when = (f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day
            else "ngày …… tháng …… năm ……")
    place = nfc(sheet.place).strip() or "……………"
    _merged_text(ws, last_row + 2, first, width, f"{place}, {when}", italic=True)
    _merged_text(ws, last_row + 3, first, width, label, bold=True)
    _merged_text(ws, last_row + 4, first, width, "(Kí và ghi rõ họ tên)", italic=True, size=11)
    _merged_text(ws, last_row + 8, first, width, nfc(sheet.teacher).strip(), bold=True)


def _sheet_title(sheet: GradeSheet | PrimarySheet) -> str:
    """Return a valid sheet title (31 characters, none of []:*?/\\) naming subject, class and term."""
    text = f"{nfc(sheet.subject).strip()} {nfc(sheet.class_name).strip()} HK{ROMAN[sheet.term]}"
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _print_setup(ws: Worksheet, *, header_row: int = HEADER_ROW, orientation: str = "landscape") -> None:
    """Set A4 landscape, one page wide, header rows repeated, panes frozen on the names and marks."""
    ws.freeze_panes = ws.cell(row=header_row + 2, column=3)
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row + 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


# --- primary (Thông tư 27/2020) -------------------------------------------------------------------

PRIMARY_TITLE_ROW, PRIMARY_SUBJECT_ROW, PRIMARY_SUBTITLE_ROW, PRIMARY_TEACHER_ROW = 4, 5, 6, 7
PRIMARY_HEADER_ROW = 9  # period headings; Mức đạt được / Điểm KTĐK on the row below
PRIMARY_FIRST_DATA_ROW = PRIMARY_HEADER_ROW + 2
PERIODS = {1: ("Giữa học kì I", "Cuối học kì I"), 2: ("Giữa học kì II", "Cuối năm học")}

Level = rules.SubjectLevel | str | None
TestScore = int | Decimal | str | None


@dataclass(frozen=True)
class PrimaryRow:
    """One pupil's line, in roll order: the mid-term and end-of-term levels (T / H / C or their names) and
    periodic test scores (whole numbers 0–10), and the teacher's comment; None leaves a cell empty."""

    name: str
    mid_level: Level = None
    mid_test: TestScore = None
    end_level: Level = None  # on the second term, the end-of-year level
    end_test: TestScore = None
    comment: str = ""


@dataclass(frozen=True)
class PrimarySheet:
    """Everything printed on the summary of one primary subject for a class and term. `mid_term_test` and
    `end_test` say whether the subject takes those periodic tests (rules.periodic_tests)."""

    school: str
    class_name: str
    subject: str
    teacher: str
    term: int
    school_year: str
    rows: Sequence[PrimaryRow] = field(default_factory=tuple)
    mid_term_test: bool = False
    end_test: bool = False
    place: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class _PrimaryColumn:
    heading: str
    width: float
    period: str | None = None  # the merged heading above, for the levels and test scores
    field: str = ""  # the PrimaryRow attribute shown


def _primary_columns(sheet: PrimarySheet) -> list[_PrimaryColumn]:
    """Return the primary grid's columns left to right."""
    mid, end = PERIODS[sheet.term]
    return [
        _PrimaryColumn("STT", 5),
        _PrimaryColumn("Họ và tên", 28),
        _PrimaryColumn("Mức đạt được", 10, mid, "mid_level"),
        *([_PrimaryColumn("Điểm KTĐK", 10, mid, "mid_test")] if sheet.mid_term_test else []),
        _PrimaryColumn("Mức đạt được", 10, end, "end_level"),
        *([_PrimaryColumn("Điểm KTĐK", 10, end, "end_test")] if sheet.end_test else []),
        _PrimaryColumn("Nhận xét", 38),
    ]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _level(value: Level, name: str) -> str | None:
    """Return a level cell: T, H or C."""
    if _blank(value):
        return None
    try:
        return rules.subject_level(value).value  # type: ignore[arg-type]
    except Invalid:
        raise Invalid(BAD_LEVEL, name=name, value=str(value)) from None


def _test(value: TestScore, name: str) -> int | None:
    """Return a periodic test score cell: a whole number from 0 to 10."""
    if _blank(value):
        return None
    try:
        return rules.periodic_test_score(value)  # type: ignore[arg-type]
    except Invalid:
        raise Invalid(BAD_TEST_SCORE, name=name, value=str(value)) from None


def _primary_values(sheet: PrimarySheet, number: int, row: PrimaryRow, columns: list[_PrimaryColumn]) -> list[object]:
    """Return a pupil's cells left to right, refusing a value the summary cannot hold."""
    name = nfc(row.name).strip()
    if not name:
        raise Invalid(MISSING_NAME, number=number)
    if not sheet.mid_term_test and not _blank(row.mid_test):
        raise Invalid(NO_MID_TERM_TEST, name=name)
    if not sheet.end_test and not _blank(row.end_test):
        raise Invalid(NO_END_TEST, name=name)
    cells = {"mid_level": _level(row.mid_level, name), "mid_test": _test(row.mid_test, name),
             "end_level": _level(row.end_level, name), "end_test": _test(row.end_test, name)}
    return [number, name, *(cells[c.field] for c in columns[2:-1]), nfc(row.comment).strip() or None]


def _primary_heading(ws: Worksheet, sheet: PrimarySheet, width: int) -> None:
    """Write the school, the national motto, the title, the subject, the class/term/year and the teacher."""
    _merged_text(ws, 1, 1, 2, nfc(sheet.school).strip().upper(), bold=True)
    _merged_text(ws, 1, 3, width, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    _merged_text(ws, 2, 3, width, "Độc lập – Tự do – Hạnh phúc", bold=True)
    _merged_text(ws, PRIMARY_TITLE_ROW, 1, width, "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC", bold=True, size=14)
    _merged_text(ws, PRIMARY_SUBJECT_ROW, 1, width, f"MÔN {nfc(sheet.subject).strip().upper()}", bold=True, size=13)
    subtitle = (f"Lớp {nfc(sheet.class_name).strip()} – Học kì {ROMAN[sheet.term]} – "
                f"Năm học {nfc(sheet.school_year).strip()}")
    _merged_text(ws, PRIMARY_SUBTITLE_ROW, 1, width, subtitle, bold=True)
    _merged_text(ws, PRIMARY_TEACHER_ROW, 1, width, f"Giáo viên: {nfc(sheet.teacher).strip()}", italic=True)


def _primary_header(ws: Worksheet, columns: list[_PrimaryColumn]) -> None:
    """Write the two header rows: each period merged over its level and test columns, the others over both rows."""
    top = PRIMARY_HEADER_ROW
    for index, column in enumerate(columns, start=1):
        for row in (top, top + 1):
            cell = ws.cell(row=row, column=index)
            cell.font, cell.alignment, cell.border = Font(name=FONT, size=11, bold=True), CENTRE, BOX
        ws.column_dimensions[get_column_letter(index)].width = column.width
        if column.period is None:
            ws.cell(row=top, column=index, value=column.heading)
            ws.merge_cells(start_row=top, start_column=index, end_row=top + 1, end_column=index)
        else:
            ws.cell(row=top + 1, column=index, value=column.heading)
    for period in dict.fromkeys(c.period for c in columns if c.period):
        span = [i for i, c in enumerate(columns, start=1) if c.period == period]
        ws.cell(row=top, column=span[0], value=period)
        if len(span) > 1:
            ws.merge_cells(start_row=top, start_column=span[0], end_row=top, end_column=span[-1])
    ws.row_dimensions[top].height = 22
    ws.row_dimensions[top + 1].height = 32


def _primary_body(ws: Worksheet, sheet: PrimarySheet, columns: list[_PrimaryColumn]) -> int:
    """Write one bordered row per pupil; return the last row written."""
    return write_rows(ws, PRIMARY_FIRST_DATA_ROW,
                      (_primary_values(sheet, number, pupil, columns)
                       for number, pupil in enumerate(sheet.rows, start=1)),
                      left={i for i, c in enumerate(columns, start=1) if c.heading in ("Họ và tên", "Nhận xét")},
                      formats={i: "0" for i, c in enumerate(columns, start=1) if c.field.endswith("_test")},
                      wrap_left=True)


def _legend(ws: Worksheet, sheet: PrimarySheet, last_row: int) -> None:
    """Write, under the grid on the left, what T / H / C (and KTĐK) stand for."""
    lines = [f"{level.value}: {level.vi}" for level in rules.SubjectLevel]
    if sheet.mid_term_test or sheet.end_test:
        lines.append("KTĐK: kiểm tra định kì (thang điểm 10)")
    for offset, text in enumerate(["Chú thích mức đạt được:", *lines]):
        row = last_row + 2 + offset
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(name=FONT, size=11, bold=offset == 0, italic=offset > 0)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _check_primary(sheet: PrimarySheet) -> None:
    """Refuse a primary summary whose heading is wrong."""
    if sheet.term not in ROMAN:
        raise Invalid(BAD_TERM, value=str(sheet.term))
    if not all(nfc(text).strip() for text in (sheet.school, sheet.class_name, sheet.subject, sheet.school_year)):
        raise Invalid(MISSING_HEADING)


def _primary_workbook(sheet: PrimarySheet) -> Workbook:
    """Return the summary of one primary subject for a class and term as an openpyxl workbook."""
    _check_primary(sheet)
    columns = _primary_columns(sheet)
    width = len(columns)
    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(sheet)
    _primary_heading(ws, sheet, width)
    _primary_header(ws, columns)
    last_row = _primary_body(ws, sheet, columns)
    _legend(ws, sheet, last_row)
    _signature(ws, sheet, last_row, width, label="GIÁO VIÊN")
    _print_setup(ws, header_row=PRIMARY_HEADER_ROW, orientation="portrait")
    return workbook


def build_workbook(sheet: GradeSheet | PrimarySheet) -> Workbook:
    """Return the sổ điểm (or the primary summary) of one class × subject × term as a workbook, refusing bad input."""
    if isinstance(sheet, PrimarySheet):
        return _primary_workbook(sheet)
    _check(sheet)
    columns = _columns(sheet)
    width = len(columns)
    workbook = Workbook()
    ws = workbook.active
    ws.title = _sheet_title(sheet)
    _heading(ws, sheet, width)
    _header(ws, columns)
    last_row = _body(ws, sheet, columns)
    _signature(ws, sheet, last_row, width)
    _print_setup(ws)
    return workbook


def xlsx(sheet: GradeSheet | PrimarySheet) -> bytes:
    """Return the sổ điểm (or the primary summary) as .xlsx bytes."""
    return workbook_bytes(build_workbook(sheet))


def filename(sheet: GradeSheet | PrimarySheet) -> str:
    """Return an ASCII file name such as so-diem-toan-6a-hk1-2024-2025.xlsx (tong-hop-… for primary)."""
    prefix = "tong hop danh gia" if isinstance(sheet, PrimarySheet) else "so diem"
    parts = [prefix, sheet.subject, sheet.class_name, f"hk{sheet.term}", sheet.school_year]
    return "-".join(fold(part).replace(" ", "-") for part in parts if fold(part)) + ".xlsx"
