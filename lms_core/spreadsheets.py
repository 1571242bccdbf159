"""Workbooks and CSV files the platform writes: text a person typed stays text.

openpyxl stores any string that starts with "=" as a formula, so a class name, a note or an indicator's evidence
typed as `=HYPERLINK(...)` would become a live formula in a principal's spreadsheet. No workbook here writes a
formula on purpose; every cell that openpyxl took for one is turned back into text before the file is saved.

A spreadsheet program opening a CSV file runs a cell that starts with =, +, -, @ (or a tab or carriage return
before them) as a formula: such a text cell is written with a leading apostrophe, which the program shows as text,
and the platform's own CSV readers take the apostrophe off again, so a file exported and imported back is unchanged.
"""

from __future__ import annotations

import io
from typing import Any


def keep_text(cell: Any) -> Any:
    """Make a cell whose string openpyxl took for a formula a text cell again; return the cell."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def workbook_bytes(workbook: Any) -> bytes:
    """Return a workbook as .xlsx bytes with every formula-looking string kept as text (a write-only workbook's
    cells must have gone through keep_text as they were made)."""
    if not workbook.write_only:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    keep_text(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """Return a value as a CSV file should hold it: a text that a spreadsheet program would run gets an apostrophe
    in front (numbers are left alone: -2 is a number, not a formula)."""
    if isinstance(value, str) and value.lstrip("'").startswith(CSV_FORMULA_STARTS):
        return "'" + value  # (a text that already starts "'=" gets one more, so that reading gives it back whole)
    return value


def csv_text(cell: str) -> str:
    """Return what a CSV cell written by csv_cell held: the apostrophe in front of a formula-like text taken off."""
    if cell.startswith("'") and cell.lstrip("'").startswith(CSV_FORMULA_STARTS):
        return cell[1:]
    return cell
