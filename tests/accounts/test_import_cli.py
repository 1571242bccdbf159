"""The command line imports with the server's rights, prints the accounts or the errors, and exits 0 or 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rich.console import Console
from sqlalchemy.orm import Session

from lms_core import db as db_module
from lms_core.accounts import importer
from lms_core.settings import get_settings
from tests.accounts.conftest import FIXTURES, stored_counts


@pytest.fixture()
def cli_session(db: Session, monkeypatch) -> Session:
    """Make the command line use the test's session."""
    @contextmanager
    def scope(engine: object = None) -> Iterator[Session]:
        yield db

    monkeypatch.setattr(db_module, "session_scope", scope)
    monkeypatch.setattr(get_settings(), "default_locale", "en")
    return db


def _run(school_code: str, name: str, dry_run: bool = False) -> tuple[int, str]:
    console = Console(record=True, width=200, force_terminal=False)
    code = importer.cli_import(file=FIXTURES / name, school_code=school_code, dry_run=dry_run, console=console)
    return code, console.export_text()


def test_cli_imports_and_prints_the_accounts(cli_session: Session, school) -> None:
    before = stored_counts(cli_session)
    code, out = _run(school.school.code, "clean.xlsx")
    assert code == 0
    assert "huy.dq" in out and "matkhau-huy-2025" in out and "annv" in out
    assert "Students: 3, teachers: 2, new classes: 0." in out
    assert stored_counts(cli_session)["User"] == before["User"] + 5


def test_cli_dry_run_writes_nothing(cli_session: Session, school) -> None:
    before = stored_counts(cli_session)
    code, out = _run(school.school.code, "clean.xlsx", dry_run=True)
    assert code == 0 and "Nothing was imported (dry run)" in out
    assert stored_counts(cli_session) == before


def test_cli_prints_the_errors_and_exits_1(cli_session: Session, school) -> None:
    before = stored_counts(cli_session)
    code, out = _run(school.school.code, "one_bad_row.xlsx")
    assert code == 1
    assert "The class 9Z does not exist" in out and "Nothing was imported because the file has errors (1)" in out
    assert stored_counts(cli_session) == before


@pytest.mark.parametrize(("code_", "name", "expected"), [
    ("NO-SUCH-SCHOOL", "clean.xlsx", "There is no school with the code NO-SUCH-SCHOOL."),
    (None, "png_renamed.xlsx", "The file is not an Excel workbook (.xlsx)."),
])
def test_cli_refuses_unknown_schools_and_bad_files(cli_session: Session, school, code_: str | None, name: str,
                                                   expected: str) -> None:
    code, out = _run(code_ or school.school.code, name)
    assert code == 1 and expected in out


def test_cli_checks_the_size_before_reading(cli_session: Session, school, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "max_import_bytes", 1024)
    code, out = _run(school.school.code, "clean.xlsx")
    assert code == 1 and "larger than" in out
