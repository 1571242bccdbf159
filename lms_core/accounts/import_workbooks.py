"""Workbooks the import hands out: the blank class-list template and the list of new accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from lms_core.accounts.import_sheet import HEADERS
from lms_core.accounts.models import ROLE_LABELS
from lms_core.i18n import N_, gettext
from lms_core.spreadsheets import workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "mau-danh-sach-nguoi-dung.xlsx"
ACCOUNTS_FILENAME = "danh-sach-tai-khoan.xlsx"
HEADER_FILL = PatternFill("solid", fgColor="0B6E4F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TEXT_FIELDS = ("external_code", "class_name", "subjects", "teaching_classes", "homeroom", "username", "password")
EXAMPLE = {
    "number": 1, "external_code": "0123456789", "full_name": "Nguyễn Văn An", "birth_date": date(2013, 5, 12),
    "gender": "Nam", "class_name": "6A", "role": "Học sinh",
}
WIDTHS = {"number": 6, "full_name": 28, "birth_date": 14, "subjects": 22, "teaching_classes": 18}

TEMPLATE_SHEET = N_("Class list")
INSTRUCTIONS_SHEET = N_("Instructions")
INSTRUCTIONS_TITLE = N_("How to fill in the class list")
INSTRUCTIONS = [
    N_("Write one person per row. Students and teachers may share the sheet. Delete the example row before importing."),
    N_("Titles above the header row are allowed (the header must be within the first 15 rows); the order of the columns does not matter."),
    N_("Only the first sheet with a header row is read. Save the file as .xlsx."),
    N_("If any row has an error, nothing is imported: correct the rows listed and upload the file again."),
]
FIELD_HELP = {
    "number": N_("Optional running number."),
    "external_code": N_("Optional: the personal identification code (for example from SMAS or vnEdu)."),
    "full_name": N_("Required: the full name, such as Nguyễn Văn An."),
    "birth_date": N_("Optional: a date, or text written as dd/mm/yyyy."),
    "gender": N_("Optional: Nam or Nữ."),
    "class_name": N_("Required for students: the class, as it exists in the school this school year (such as 6A)."),
    "role": N_("Học sinh or Giáo viên; empty means Học sinh."),
    "subjects": N_("Teachers: subject codes or names separated by commas, such as “Toán, Tin học”."),
    "teaching_classes": N_("Teachers: the classes they teach, separated by commas; each gets every subject of “Môn dạy”."),
    "homeroom": N_("Teachers, optional: the class they are homeroom teacher of."),
    "username": N_("Optional: letters a–z, digits, dots, dashes; made from the name when empty (Nguyễn Văn An → annv)."),
    "password": N_("Optional, at least 8 characters; when empty a password is generated and shown once after the import."),
}


def _save(workbook: Workbook) -> bytes:
    """Return the workbook as .xlsx bytes."""
    return workbook_bytes(workbook)


def _header_row(ws: object, titles: Iterable[str]) -> None:
    """Append a bold, coloured header row and freeze it."""
    ws.append(list(titles))  # type: ignore[attr-defined]
    for cell in ws[1]:  # type: ignore[index]
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    ws.freeze_panes = "A2"  # type: ignore[attr-defined]


def _add_choices(ws: object, column: str, choices: list[str]) -> None:
    """Offer a drop-down of choices in a column (other values are still allowed, and checked on import)."""
    rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True, showErrorMessage=False)
    rule.add(f"{column}2:{column}2000")
    ws.add_data_validation(rule)  # type: ignore[attr-defined]


def template_xlsx() -> bytes:
    """Return the blank class-list template: headers, one example row, and an instructions sheet."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = gettext(TEMPLATE_SHEET)[:31]
    fields = list(HEADERS)
    _header_row(ws, HEADERS.values())
    ws.append([EXAMPLE.get(name) for name in fields])
    for index, name in enumerate(fields, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = WIDTHS.get(name, 15)
        if name in TEXT_FIELDS:  # typed "6/1" must stay a class name, not become a date
            ws.column_dimensions[letter].number_format = "@"
            ws.cell(row=2, column=index).number_format = "@"
    ws.cell(row=2, column=fields.index("birth_date") + 1).number_format = "DD/MM/YYYY"
    _add_choices(ws, get_column_letter(fields.index("gender") + 1), ["Nam", "Nữ"])
    _add_choices(ws, get_column_letter(fields.index("role") + 1), ["Học sinh", "Giáo viên"])
    _instructions(workbook.create_sheet(gettext(INSTRUCTIONS_SHEET)[:31]))
    return _save(workbook)


def _instructions(ws: object) -> None:
    """Fill the instructions sheet: general rules, then one line per column."""
    ws.append([gettext(INSTRUCTIONS_TITLE)])  # type: ignore[attr-defined]
    ws["A1"].font = Font(bold=True, size=14)  # type: ignore[index]
    for line in INSTRUCTIONS:
        ws.append([gettext(line)])  # type: ignore[attr-defined]
    ws.append([])  # type: ignore[attr-defined]
    for name, header in HEADERS.items():
        ws.append([header, gettext(FIELD_HELP[name])])  # type: ignore[attr-defined]
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)  # type: ignore[attr-defined]
    ws.column_dimensions["A"].width = 18  # type: ignore[attr-defined]
    ws.column_dimensions["B"].width = 100  # type: ignore[attr-defined]
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


ACCOUNTS_SHEET = N_("Accounts")
ACCOUNT_HEADERS = [N_("No."), N_("Full name"), N_("Class"), N_("Role"), N_("Username"), N_("Password")]


def accounts_xlsx(accounts: Iterable[object]) -> bytes:
    """Return the list of new accounts to print and hand out (never stored on the server)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = gettext(ACCOUNTS_SHEET)[:31]
    _header_row(ws, (gettext(h) for h in ACCOUNT_HEADERS))
    for number, a in enumerate(accounts, start=1):
        role = gettext(ROLE_LABELS.get(a.role, a.role))  # type: ignore[attr-defined]
        ws.append([number, a.full_name, a.class_name or "", role, a.username, a.password])  # type: ignore[attr-defined]
    for letter, width in zip("ABCDEF", (6, 28, 10, 12, 18, 14), strict=True):
        ws.column_dimensions[letter].width = width
    return _save(workbook)
