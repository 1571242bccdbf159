"""Workbooks the platform writes keep typed text as text: no string becomes a formula."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook

from lms_core.spreadsheets import workbook_bytes


def test_a_formula_looking_string_is_saved_as_text_and_other_values_are_untouched() -> None:
    wb = Workbook()
    wb.active.append(['=HYPERLINK("http://example.invalid")', "=", 7, -2.5, "+84 912", "@tên"])
    wb.create_sheet("Khác")["B2"] = "=1+1"
    data = workbook_bytes(wb)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    back = load_workbook(io.BytesIO(data))
    assert [c.value for c in back.active[1]] == ['=HYPERLINK("http://example.invalid")', "=", 7, -2.5, "+84 912",
                                                 "@tên"]
    assert back["Khác"]["B2"].value == "=1+1" and back["Khác"]["B2"].data_type == "s"
