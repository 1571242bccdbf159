"""Coverage as a spreadsheet: an XLSX with a sheet per school level and a province summary, and a CSV."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from content.curriculum.coverage import Coverage, Share
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import LEVEL_LABELS
from lms_core.spreadsheets import csv_cell, workbook_bytes

H_LEVEL = N_("Level")
H_SUBJECT = N_("Subject")
H_GRADE = N_("Grade")
H_COVERED = N_("Covered periods")
H_TOTAL = N_("Periods per year")
H_SHARE = N_("Share covered")
H_UNCOVERED = N_("Uncovered topics")
H_PROVINCE = N_("Province")
H_TARGET = N_("Target")
ALL_LEVELS = N_("All levels")
NATIONAL = N_("National curriculum")
SUMMARY = N_("Summary")
PERCENT = "0.0%"


def _fraction(share: Share) -> float:
    """Return a share as the fraction Excel formats as a percentage (same rounding as the page)."""
    return round(share.percent / 100, 3)


def _sheet_title(text: str, taken: set[str]) -> str:
    """Return a valid, unused sheet title (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:28]} {n}"
        n += 1
    taken.add(title.lower())
    return title


def _level_label(level: str) -> str:
    return gettext(LEVEL_LABELS.get(level, level))


def _topics(topics: list) -> str:
    return "; ".join(t.title for t in topics)


def xlsx(result: Coverage, province_name: str | None) -> bytes:
    """Return the coverage as an .xlsx workbook: the province summary first, then one sheet per level."""
    locale = current_locale()
    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    summary.title = _sheet_title(gettext(SUMMARY), taken)
    summary.append([gettext(H_PROVINCE), province_name or gettext(NATIONAL)])
    summary.append([gettext(H_TARGET), result.target / 100])
    summary.append([])
    summary.append([gettext(H_LEVEL), gettext(H_COVERED), gettext(H_TOTAL), gettext(H_SHARE)])
    header_rows = [1, 2, 4]
    for level, share in result.levels.items():
        summary.append([_level_label(level), share.covered, share.total, _fraction(share)])
    summary.append([gettext(ALL_LEVELS), result.overall.covered, result.overall.total, _fraction(result.overall)])
    summary["B2"].number_format = PERCENT
    for row in summary.iter_rows(min_row=5, min_col=4, max_col=4):
        row[0].number_format = PERCENT
    for r in header_rows:
        summary.cell(row=r, column=1).font = Font(bold=True)
    for cell in summary[4]:
        cell.font = Font(bold=True)
    _widths(summary, [28, 18, 18, 14])
    for level in result.levels:
        ws = wb.create_sheet(_sheet_title(_level_label(level), taken))
        ws.append([gettext(H_SUBJECT), gettext(H_GRADE), gettext(H_COVERED), gettext(H_TOTAL), gettext(H_SHARE),
                   gettext(H_UNCOVERED)])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for s in (s for s in result.subjects if s.programme.level == level):
            ws.append([s.programme.subject.name(locale), s.programme.grade, s.covered, s.total, _fraction(s),
                       _topics(s.uncovered_topics)])
            ws.cell(row=ws.max_row, column=5).number_format = PERCENT
        ws.freeze_panes = "A2"
        _widths(ws, [28, 8, 16, 16, 12, 60])
    return workbook_bytes(wb)


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def csv_bytes(result: Coverage) -> bytes:
    """Return the coverage as CSV in UTF-8 with a BOM (so Excel reads Vietnamese): one row per subject × grade, then totals."""
    locale = current_locale()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([gettext(H_LEVEL), gettext(H_SUBJECT), gettext(H_GRADE), gettext(H_COVERED), gettext(H_TOTAL),
                     gettext(H_SHARE) + " (%)", gettext(H_UNCOVERED)])
    for s in result.subjects:
        writer.writerow([_level_label(s.programme.level), s.programme.subject.name(locale), s.programme.grade,
                         s.covered, s.total, s.percent, csv_cell(_topics(s.uncovered_topics))])
    for level, share in result.levels.items():
        writer.writerow([_level_label(level), "", "", share.covered, share.total, share.percent, ""])
    writer.writerow([gettext(ALL_LEVELS), "", "", result.overall.covered, result.overall.total,
                     result.overall.percent, ""])
    writer.writerow([gettext(H_TARGET), "", "", "", "", result.target, ""])
    return out.getvalue().encode("utf-8-sig")
