"""A report as an Excel workbook: the first sheet laid out as a Vietnamese administrative document (the body above
and the unit on the left, the national motto on the right, number, place and date, the title, numbered sections with
bordered tables, the signature block; A4 portrait, fit to the page's width), then the full per-class or per-school
tables on sheets of their own for the department's analysis.

The workbook is written in openpyxl's write-only mode, row by row, so a province's tables of thousands of rows stream
out in little memory. Percentages are numbers with a percent format, never text."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from lms_core.i18n import N_, gettext
from lms_core.plugins.types import Percent
from lms_core.reports.content import Report, Table
from lms_core.spreadsheets import keep_text, workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "Times New Roman"
WIDTHS = (30.0, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5)  # the report sheet's eight columns
COLUMNS = len(WIDTHS)
LEFT_BLOCK = 3  # the heading's left block spans A..C, the right one D..H
PERCENT = "0.0%"
DECIMAL = "0.0"
LINE_HEIGHT = 15.75
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
SHEET = N_("Report")
A4 = "9"  # the paper size code of A4 in a workbook


def _value(value: Any) -> tuple[Any, str | None]:
    """Return what a cell stores and its number format: a percentage as a fraction formatted as one."""
    if isinstance(value, Percent):
        return round(float(value) / 100, 6), PERCENT
    if isinstance(value, float):
        return value, DECIMAL
    return value, None


def _lines(text: str, width: float) -> int:
    """Estimate how many lines a wrapped text takes in a width of characters."""
    chars = max(1.0, width * 1.1)
    return sum(max(1, math.ceil(len(part) / chars)) for part in str(text).split("\n"))


class _Styles:
    """The workbook's cell styles, registered once each as named styles: giving every cell of a province's tables
    its own font and borders would make openpyxl compare style objects thousands of times."""

    def __init__(self, wb: Workbook) -> None:
        self.wb, self.names, self.boxed = wb, {}, set()

    def name(self, key: tuple[Any, ...]) -> str:
        if key not in self.names:
            bold, italic, underline, size, align, wrap, border, fill, number_format = key
            style = NamedStyle(name=f"Trường Số {len(self.names) + 1}",
                               font=Font(name=FONT, size=size, bold=bold, italic=italic,
                                         underline="single" if underline else None),
                               alignment=Alignment(horizontal=align, vertical="center", wrap_text=wrap),
                               number_format=number_format or "General")
            if border:
                style.border = BOX
                self.boxed.add(style.name)
            if fill:
                style.fill = HEADER_FILL
            self.wb.add_named_style(style)
            self.names[key] = style.name
        return self.names[key]


class _Writer:
    """Appends rows to a write-only sheet, keeping track of the row number, merges and heights."""

    def __init__(self, ws: Any, widths: Sequence[float], styles: _Styles) -> None:
        self.ws, self.widths, self.row, self.styles = ws, list(widths), 0, styles
        for i, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def cell(self, value: Any, *, bold: bool = False, italic: bool = False, underline: bool = False, size: int = 12,
             align: str = "left", wrap: bool = True, border: bool = False, fill: bool = False) -> WriteOnlyCell:
        stored, number_format = _value(value)
        c = keep_text(WriteOnlyCell(self.ws, stored))
        c.style = self.styles.name((bold, italic, underline, size, align, wrap, border, fill, number_format))
        return c

    def append(self, spans: list[tuple[int, int, WriteOnlyCell | None]], *, lines: int = 1, size: int = 12) -> None:
        """Write one row of cells, each spanning columns first..last (1-based), merged when wider than one."""
        self.row += 1
        if lines > 1 or size > 12:
            self.ws.row_dimensions[self.row].height = LINE_HEIGHT * max(1, lines) * max(1.0, size / 12)
        values: list[Any] = [None] * (max((last for _, last, _ in spans), default=0))
        for first, last, c in spans:
            values[first - 1] = c
            if c is not None and c.style in self.styles.boxed:
                for i in range(first + 1, last + 1):  # a merged range shows the borders of every cell it covers
                    filler = WriteOnlyCell(self.ws, None)
                    filler.style = c.style
                    values[i - 1] = filler
            if last > first:
                self.ws.merged_cells.add(f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}")
        self.ws.append(values)

    def width(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1:last])

    def text(self, value: str, **style: Any) -> None:
        """Write a line of text across the whole sheet, wrapped."""
        size = style.get("size", 12)
        self.append([(1, COLUMNS, self.cell(value, **style))],
                     lines=_lines(value, self.width(1, COLUMNS) * 12 / size), size=size)

    def blank(self) -> None:
        self.append([])


def _spans(table: Table) -> list[tuple[int, int]]:
    """Spread a table's columns over the sheet's eight: the extra width goes to its text columns."""
    n = len(table.columns)
    if n >= COLUMNS:
        return [(i, i) for i in range(1, n + 1)]
    texty = [i for i in range(n) if any(isinstance(r[i], str) and len(r[i]) > 14 for r in table.rows)] or [0]
    extra = [0] * n
    for k in range(COLUMNS - n):
        extra[texty[min(len(texty) - 1, k * len(texty) // (COLUMNS - n))]] += 1
    spans, at = [], 1
    for i in range(n):
        spans.append((at, at + extra[i]))
        at += extra[i] + 1
    return spans


def _table(w: _Writer, table: Table, title: str | None) -> None:
    if title:
        w.text(title, bold=True, italic=True)
    spans = _spans(table)
    header = [(a, b, w.cell(col, bold=True, size=11, align="center", border=True, fill=True))
              for (a, b), col in zip(spans, table.columns, strict=True)]
    w.append(header, lines=max(_lines(col, w.width(a, b)) for (a, b), col in zip(spans, table.columns, strict=True)),
             size=11)
    for values in table.rows:
        cells = []
        lines = 1
        for (a, b), value in zip(spans, values, strict=True):
            text = isinstance(value, str)
            cells.append((a, b, w.cell("" if value is None else value, size=11, border=True,
                                       align="left" if text else "right")))
            if text:
                lines = max(lines, _lines(value, w.width(a, b)))
        w.append(cells, lines=lines)
    if table.note:
        w.text(table.note, italic=True, size=11)


def _heading(w: _Writer, report: Report) -> None:
    left, right = (1, LEFT_BLOCK), (LEFT_BLOCK + 1, COLUMNS)
    body_lines = max(_lines(report.unit.body_line, w.width(*left)), _lines(report.nation, w.width(*right)))
    w.append([(*left, w.cell(report.unit.body_line, align="center")),
              (*right, w.cell(report.nation, bold=True, align="center"))], lines=body_lines)
    w.append([(*left, w.cell(report.unit.issuer, bold=True, align="center")),
              (*right, w.cell(report.motto, bold=True, underline=True, align="center"))],
             lines=_lines(report.unit.issuer, w.width(*left)))
    w.blank()
    w.append([(*left, w.cell(report.number, align="center")),
              (*right, w.cell(report.place_date, italic=True, align="center"))])
    w.blank()
    w.text(report.title, bold=True, size=14, align="center")
    w.text(report.subject, bold=True, align="center")
    w.text(report.period_line, italic=True, align="center")
    w.blank()


def _signature(w: _Writer, report: Report) -> None:
    left, right = (1, LEFT_BLOCK), (LEFT_BLOCK + 2, COLUMNS)
    w.blank()
    w.append([(*left, w.cell(report.recipients_title, bold=True, italic=True)),
              (*right, w.cell(report.signer, bold=True, align="center"))])
    notes = [report.sign_note]
    for i, line in enumerate(report.recipients):
        cells = [(*left, w.cell(line, size=11))]
        if i < len(notes):
            cells.append((*right, w.cell(notes[i], italic=True, align="center")))
        w.append(cells, lines=_lines(line, w.width(*left) * 12 / 11))


def _sheet_title(text: str, taken: set[str]) -> str:
    """Return a valid, unused sheet title (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:28]} {n}"
        n += 1
    taken.add(title.lower())
    return title


def _print_setup(ws: Any, *, portrait: bool) -> None:
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def _detail(wb: Workbook, table: Table, taken: set[str], styles: _Styles) -> None:
    ws = wb.create_sheet(_sheet_title(table.title, taken))
    text_columns = {i for i in range(len(table.columns)) if table.rows and isinstance(table.rows[0][i], str)}
    widths = [28.0 if i in text_columns else 13.0 for i in range(len(table.columns))]
    w = _Writer(ws, widths, styles)
    _print_setup(ws, portrait=False)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    w.append([(i, i, w.cell(col, bold=True, size=11, align="center", border=True, fill=True))
              for i, col in enumerate(table.columns, start=1)],
             lines=max(_lines(col, widths[i]) for i, col in enumerate(table.columns)), size=11)
    for values in table.rows:  # plain rows: thousands of them stream out quickly
        w.row += 1
        ws.append([w.cell("" if v is None else v, size=11, border=True, wrap=False,
                          align="left" if isinstance(v, str) else "right") for v in values])


def workbook(report: Report) -> bytes:
    """Return the report as .xlsx bytes."""
    wb = Workbook(write_only=True)
    styles = _Styles(wb)
    taken: set[str] = set()
    ws = wb.create_sheet(_sheet_title(gettext(SHEET), taken))
    _print_setup(ws, portrait=True)
    w = _Writer(ws, WIDTHS, styles)
    _heading(w, report)
    for number, section in enumerate(report.sections, start=1):
        w.text(f"{number}. {section.title}", bold=True)
        for paragraph in section.paragraphs:
            w.text(paragraph)
        for sub, table in enumerate(section.tables, start=1):
            single = len(section.tables) == 1 and table.title == section.title
            _table(w, table, None if single else f"{number}.{sub}. {table.title}")
        w.blank()
    _signature(w, report)
    for table in report.details:
        _detail(wb, table, taken, styles)
    return workbook_bytes(wb)
