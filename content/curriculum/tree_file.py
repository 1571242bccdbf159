"""A tree as the import reads it: the template (blank or holding a tree to adapt) as XLSX or CSV."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from content.curriculum.service import Tree
from lms_core.i18n import N_, gettext
from lms_core.org.models import Subject
from lms_core.spreadsheets import csv_cell, workbook_bytes

# The importer finds its columns by these names (compared without accents), so they are data, not UI text.
HEADER = ("Mã môn", "Lớp", "Chủ đề", "Bài", "Số tiết")
CODES_SHEET = N_("Subject codes")
H_CODE = N_("Subject code")
H_SUBJECT = N_("Subject")
Row = tuple[str, int, str, str, int]


def tree_rows(tree: Tree, subject_code: str, grade: int) -> list[Row]:
    """Return a tree's lessons as import rows, in order (a topic without lessons is left out: the import needs both)."""
    return [(subject_code, grade, t.title, c.title, c.periods) for t in tree.topics for c in t.children]


def xlsx(rows: list[Row], subjects: list[Subject], locale: str) -> bytes:
    """Return the template workbook: the tree sheet the import reads, then a sheet of subject codes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Cây chương trình"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for column, width in zip("ABCDE", (10, 6, 40, 50, 9), strict=True):
        ws.column_dimensions[column].width = width
    codes = wb.create_sheet(gettext(CODES_SHEET)[:31])
    codes.append((gettext(H_CODE), gettext(H_SUBJECT)))
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for subject in subjects:
        codes.append((subject.code, subject.name(locale)))
    codes.column_dimensions["B"].width = 40
    return workbook_bytes(wb)


def csv_bytes(rows: list[Row]) -> bytes:
    """Return the template as CSV, UTF-8 with a BOM so Excel shows Vietnamese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")
