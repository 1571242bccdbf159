"""Generated usernames: given name + initials, unaccented, unique against the file and the database."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lms_core.accounts import importer
from lms_core.accounts.import_checks import username_base
from lms_core.accounts.service import validate_username
from tests.accounts.conftest import fixture_bytes
from tests.builders import make_user

ASCII_USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")


def test_base_is_given_name_and_initials_without_accents() -> None:
    assert username_base("Nguyễn Văn An") == "annv"
    assert username_base("Trần Thị Bích Ngọc") == "ngocttb"
    assert username_base("Đặng Đức Đạt") == "datdd"
    assert username_base("  Lê   A ") == "al"


def test_generated_usernames_are_unique_ascii_and_avoid_taken_ones(db: Session, school) -> None:
    make_user(db, "annv", "Nguyễn Văn Ân", school=school.school)  # already taken in the database
    make_user(db, "annv2", "Ngô Văn An", school=school.school)
    db.commit()
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("clean.xlsx"))
    names = [a.username for a in report.accounts]
    assert len(names) == len(set(names)) == 5
    assert all(ASCII_USERNAME.match(n) and validate_username(n) == n for n in names)
    by_name = {a.full_name: a.username for a in report.accounts}
    assert by_name["Nguyễn Văn An"] == "annv3"
    assert by_name["Trần Thị Bích Ngọc"] == "ngocttb" and by_name["Lê Minh Châu"] == "chaulm"


def test_namesakes_in_one_file_get_numbered(db: Session, school) -> None:
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("namesakes.xlsx"))
    assert [a.username for a in report.accounts] == ["annv", "annv2", "annv3", "al1"]
