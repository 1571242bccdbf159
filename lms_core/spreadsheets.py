"""Workbooks the platform writes: text a person typed stays text.

openpyxl stores any string that starts with "=" as a formula, so a class name, a note or an indicator's evidence
typed as `=HYPERLINK(...)` would become a live formula in a principal's spreadsheet. No workbook here writes a
formula on purpose; every cell that openpyxl took for one is turned back into text before the file is saved.
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
