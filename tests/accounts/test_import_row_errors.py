"""Each kind of wrong row is reported on its Excel row and column, with its message, and nothing is imported."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms_core import i18n
from lms_core.accounts import importer
from tests.accounts.conftest import fixture_bytes, stored_counts

# (Excel row, field, column header as written in the file, code, English message)
EXPECTED = [
    (2, "full_name", "Họ và tên", "name_required", "The full name is missing."),
    (3, "class_name", "Lớp", "unknown_class", "The class 9Z does not exist in this school in the school year {year}."),
    (4, "birth_date", "Ngày sinh", "bad_date", "“31/02/2013” is not a valid date of birth; write it as dd/mm/yyyy."),
    (5, "gender", "Giới tính", "bad_gender", "“Khác” is not a gender; write Nam or Nữ."),
    (6, "role", "Vai trò", "bad_role", "“Phụ huynh” is not a role that can be imported; write Học sinh or Giáo viên."),
    (7, "subjects", "Môn dạy", "unknown_subject",
     "The subject “Thiên văn” is not known; write its code (such as TOAN) or its name (such as Toán)."),
    (9, "username", "Tên đăng nhập", "duplicate_username", "The username trung.ten is already used in row 8."),
    (10, "username", "Tên đăng nhập", "username_taken", "The username hta is already taken."),
    (11, "password", "Mật khẩu", "bad_password", "A password must have from 8 to 128 characters."),
    (13, "full_name", "Họ và tên", "duplicate_person", "This person is already listed in row 12."),
    (14, "class_name", "Lớp", "class_required", "A student needs a class."),
    (15, "username", "Tên đăng nhập", "bad_username",
     "A username may contain only letters a–z, digits, dots, dashes and underscores (3 to 64 characters)."),
    (17, "homeroom", "Chủ nhiệm", "homeroom_taken", "Class 6A already gets a homeroom teacher in row 16."),
    (18, "full_name", "Họ và tên", "already_enrolled", "Học Sinh A is already a student of class 6A."),
    (19, "subjects", "Môn dạy", "subjects_required", "A teacher who teaches classes needs the subjects they teach."),
    (20, "full_name", "Họ và tên", "already_teacher", "Giáo Viên A already has a teacher account in this school."),
]


@pytest.fixture()
def refused(db: Session, school) -> importer.ImportRejected:
    """Import the file with one wrong row per error kind, in English, and return the refusal."""
    with i18n.use_locale("en"), pytest.raises(importer.ImportRejected) as caught:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("every_error.xlsx"))
    return caught.value


def test_every_error_kind_is_reported_on_its_row_and_column(refused, school) -> None:
    got = [(d["row"], d["field"], d["column"], d["code"], d["message"]) for d in refused.details]
    want = [(r, f, c, code, msg.replace("{year}", school.year.name)) for r, f, c, code, msg in EXPECTED]
    assert got == want


def test_the_refusal_counts_the_errors_and_nothing_is_stored(db: Session, school) -> None:
    before = stored_counts(db)
    with i18n.use_locale("en"), pytest.raises(importer.ImportRejected) as caught:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("every_error.xlsx"))
    with i18n.use_locale("en"):
        assert caught.value.translated() == (
            f"Nothing was imported because the file has errors ({len(EXPECTED)}). Correct them and upload the file again.")
    assert stored_counts(db) == before


def test_errors_keep_their_msgid_for_any_language(refused) -> None:
    errors = refused.report.errors
    assert {e.code for e in errors} == {code for _, _, _, code, _ in EXPECTED}
    with i18n.use_locale("vi"):  # the Vietnamese catalogue translates the same msgids
        assert all(e.text() == i18n.gettext(e.message).format(**e.params) for e in errors)


def test_rows_without_errors_are_not_flagged(refused) -> None:
    flagged = {e.row for e in refused.report.errors}
    clean_rows = {r.row for r in refused.report.rows} - flagged
    assert clean_rows == {8, 12, 16}
