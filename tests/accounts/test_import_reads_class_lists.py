"""Reading real class lists: the header is found by name under titles, in any case or Unicode form,
only the first sheet with a header is read, blank and footer rows are skipped, dates come in many forms."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lms_core.accounts import import_sheet
from lms_core.accounts.import_rows import parse_date, split_list
from tests.accounts.conftest import fixture_bytes

TODAY = date(2025, 10, 1)


def test_the_header_is_found_under_titles_by_its_spelling() -> None:
    sheet = import_sheet.read_sheet(fixture_bytes("clean.xlsx"), max_rows=100)
    assert sheet.name == "Danh sách" and sheet.header_row == 4
    assert sheet.columns["full_name"].header == "Họ tên"
    assert sheet.columns["external_code"].header == "Mã học sinh"
    assert sheet.columns["gender"].header == "GIỚI TÍNH"  # written decomposed (NFD) in the file, read as NFC
    assert sheet.columns["password"].header == "Mật khẩu *"
    assert sheet.columns["birth_date"].header == "Ngày sinh (dd/mm/yyyy)"


def test_only_the_first_sheet_with_a_header_is_read_and_blank_or_footer_rows_are_skipped() -> None:
    sheet = import_sheet.read_sheet(fixture_bytes("clean.xlsx"), max_rows=100)
    assert [r.row for r in sheet.rows] == [5, 6, 8, 9, 10]
    assert "Không Được Đọc" not in {r.values["full_name"] for r in sheet.rows}


def test_text_is_nfc_normalised_and_trimmed() -> None:
    sheet = import_sheet.read_sheet(fixture_bytes("clean.xlsx"), max_rows=100)
    names = [r.values["full_name"] for r in sheet.rows]
    assert "Trần Thị Bích Ngọc" in names and "Lê Minh Châu" in names  # NFC, inner spaces collapsed
    assert sheet.rows[2].values["external_code"] == "102003"  # a number cell, read as the code's text


@pytest.mark.parametrize(("header", "field"), [
    ("Họ và tên", "full_name"), ("HO VA TEN", "full_name"), ("họ  tên", "full_name"), ("Mã định danh", "external_code"),
    ("Ngày tháng năm sinh", "birth_date"), ("Lớp dạy", "teaching_classes"), ("Lớp", "class_name"),
    ("Tài khoản", "username"), ("GVCN", "homeroom"),
])
def test_header_spellings(header: str, field: str) -> None:
    assert import_sheet.FIELD_OF[import_sheet.fold(header)] == field


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2013, 5, 12), date(2013, 5, 12)), (date(2013, 5, 12), date(2013, 5, 12)), ("12/05/2013", date(2013, 5, 12)),
    ("2/5/2013", date(2013, 5, 2)), ("12-05-2013", date(2013, 5, 12)), ("12.05.2013", date(2013, 5, 12)),
    ("2013-05-12", date(2013, 5, 12)), ("41406", date(2013, 5, 12)), (None, None),
])
def test_birth_dates_in_the_forms_schools_write_them(value: object, expected: date | None) -> None:
    assert parse_date(value, TODAY) == expected


@pytest.mark.parametrize("value", ["31/02/2013", "12/13/2013", "ngày 12", "12/05/2030", "01/01/1800", "12/05/13"])
def test_impossible_birth_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_date(value, TODAY)


def test_lists_split_on_commas_and_semicolons_and_keep_class_names_with_slashes() -> None:
    assert split_list("6A, 7A;8A ,\n6A") == ["6A", "7A", "8A"]
    assert split_list("6/1, 6/2") == ["6/1", "6/2"]
    assert split_list(None) == []
