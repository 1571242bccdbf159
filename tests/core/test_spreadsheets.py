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


def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe_that_reading_takes_off() -> None:
    from lms_core.spreadsheets import csv_cell, csv_text

    risky = ["=1+1", "+84 912", "-x", "@SUM(A1)", "\t=1", "\r=1", "'=already quoted"]
    assert [csv_cell(v) for v in risky] == ["'" + v for v in risky]
    assert [csv_text(csv_cell(v)) for v in risky] == risky
    plain = ["Chủ đề 1", "'quoted", "", "a=b"]
    assert [csv_cell(v) for v in plain] == plain and [csv_text(v) for v in plain] == plain
    assert [csv_cell(v) for v in (-2, 3.5, None)] == [-2, 3.5, None]  # numbers are not formulas


def test_a_curriculum_tree_csv_comes_back_unchanged_with_formula_like_titles() -> None:
    import csv
    import io as _io

    from content.curriculum import importer, tree_file

    rows = [("CN", 6, "=Nhà ở", "+Bài 1", 35)]
    data = tree_file.csv_bytes(rows)
    written = list(csv.reader(_io.StringIO(data.decode("utf-8-sig"))))
    assert written[1][2:4] == ["'=Nhà ở", "'+Bài 1"]  # what a spreadsheet program shows as text
    assert [cells[2:4] for _, cells in importer._table(data)][1] == ["=Nhà ở", "+Bài 1"]
