"""Bulk import of a school's students and teachers from an Excel class list, all or nothing.

The file is read and every row checked first; if any row is wrong nothing is written and the
report lists every problem. Otherwise every user, class, enrolment and teaching assignment is
created and committed once. Plaintext passwords exist only in the returned report.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts import import_checks as checks
from lms_core.accounts.import_rows import ImportRow, RowError, check_rows
from lms_core.accounts.import_sheet import check_size, read_sheet
from lms_core.accounts.models import ROLE_LABELS, ClassEnrolment, Role, RoleAssignment, TeacherSubject, TeachingAssignment, User
from lms_core.accounts.passwords import PASSWORD_ALPHABET, generate_password, hash_password  # noqa: F401
from lms_core.errors import Conflict, DomainError, Invalid, NotFound
from lms_core.i18n import N_, gettext
from lms_core.org.models import School, SchoolClass
from lms_core.org.service import SCHOOL_NOT_FOUND, current_year, get_school
from lms_core.settings import get_settings

IMPORT_REJECTED = N_("Nothing was imported because the file has errors ({count}). Correct them and upload the file again.")
NO_YEAR = N_("No academic year has been set up yet, so classes cannot be found. Ask the system administrator.")
CHANGED_MEANWHILE = N_("Someone changed the same data while the file was being imported, so nothing was imported. Please try again.")
SCHOOL_CODE_UNKNOWN = N_("There is no school with the code {code}.")
DRY_RUN_OK = N_("The file is correct: {rows} people can be imported. Nothing was imported (dry run).")
CREATED_COUNTS = N_("Students: {students}, teachers: {teachers}, new classes: {classes}.")

HASH_THREADS = 2  # Argon2 takes 64 MiB per hash; two at a time keeps a small server responsive

Progress = Callable[[int, int], None]


@dataclass
class Account:
    """A created account to hand out: the only place its plaintext password exists."""

    username: str
    full_name: str
    password: str
    role: str
    class_name: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the account as the API shows it."""
        return {"username": self.username, "full_name": self.full_name, "password": self.password,
                "role": self.role, "class": self.class_name}


@dataclass
class ImportReport:
    """The outcome of checking (and, unless a dry run, importing) one file."""

    school_id: int
    dry_run: bool
    sheet_name: str
    rows: list[ImportRow]
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        """Return every row's errors, in row order."""
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        """Return whether no row has an error."""
        return not any(row.errors for row in self.rows)


class ImportRejected(Invalid):
    """The file has row errors; nothing was imported. `report` holds the rows and their errors."""

    def __init__(self, report: ImportReport) -> None:
        """Refuse with the count of errors; each error is a detail."""
        errors = report.errors
        super().__init__(IMPORT_REJECTED, count=len(errors))
        self.report = report
        self.details = [e.as_dict() for e in errors]


def import_users(*, db: Session, actor: User, school_id: int, data: bytes, dry_run: bool = False,
                 create_classes: bool = False, progress: Progress | None = None) -> ImportReport:
    """Check a class list and, unless a dry run, create its people; refuse the whole file on any error."""
    school = get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    return _run(db, school, data, dry_run=dry_run, create_classes=create_classes, progress=progress)


def import_as_system(*, db: Session, school_id: int, data: bytes, dry_run: bool = False,
                     create_classes: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import with the server's own (system administrator's) rights: for the command line only."""
    school = db.get(School, school_id)
    if school is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    return _run(db, school, data, dry_run=dry_run, create_classes=create_classes, progress=progress)


def check_file(*, db: Session, school: School, data: bytes, create_classes: bool) -> tuple[ImportReport, checks.Context]:
    """Read and check a file for a school without writing anything; return the report and the context."""
    settings = get_settings()
    check_size(len(data), settings.max_import_bytes)
    sheet = read_sheet(data, max_rows=settings.max_import_rows)
    year = current_year(db=db)
    if year is None:
        raise Invalid(NO_YEAR)
    rows = check_rows(sheet, date.today())
    ctx = checks.load_context(db, school, year, create_classes)
    checks.check_links(ctx, sheet, rows)
    checks.check_duplicate_people(sheet, rows)
    checks.check_usernames(db, sheet, rows)
    checks.generate_usernames(db, rows)
    for row in rows:
        row.errors.sort(key=lambda e: list(sheet.columns).index(e.field) if e.field in sheet.columns else 99)
    report = ImportReport(school_id=school.id, dry_run=True, sheet_name=sheet.name, rows=rows)
    report.created = _counts(rows, ctx)
    return report, ctx


def _counts(rows: list[ImportRow], ctx: checks.Context) -> dict[str, int]:
    """Return how many students, teachers and classes the rows create."""
    return {
        "students": sum(1 for r in rows if r.role == Role.student),
        "teachers": sum(1 for r in rows if r.role == Role.teacher),
        "classes": len(ctx.new_classes),
    }


def _run(db: Session, school: School, data: bytes, *, dry_run: bool, create_classes: bool,
         progress: Progress | None) -> ImportReport:
    """Check the file; raise ImportRejected on row errors; else import unless a dry run."""
    report, ctx = check_file(db=db, school=school, data=data, create_classes=create_classes)
    if not report.ok:
        raise ImportRejected(report)
    if dry_run:
        return report
    report.dry_run = False
    try:
        report.accounts = _apply(db, ctx, report.rows, progress)
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None
    except BaseException:
        db.rollback()
        raise
    return report


def _hash_all(passwords: list[str], progress: Progress | None) -> list[str]:
    """Hash the passwords a few at a time (Argon2 releases the GIL), reporting progress."""
    hashes: list[str] = []
    with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
        for done, hashed in enumerate(pool.map(hash_password, passwords), start=1):
            hashes.append(hashed)
            if progress is not None:
                progress(done, len(passwords))
    return hashes


def _create_classes(db: Session, ctx: checks.Context) -> dict[str, SchoolClass]:
    """Add the new classes and return every class of the file by key."""
    classes = dict(ctx.classes)
    for key, (name, grade) in ctx.new_classes.items():
        classes[key] = SchoolClass(school_id=ctx.school.id, academic_year_id=ctx.year.id, grade=grade, name=name)
        db.add(classes[key])
    db.flush()
    return classes


def _apply(db: Session, ctx: checks.Context, rows: list[ImportRow], progress: Progress | None) -> list[Account]:
    """Add every user with role, classes and subjects (flushed, not committed); return the accounts."""
    classes = _create_classes(db, ctx)
    passwords = [row.password or generate_password() for row in rows]
    hashes = _hash_all(passwords, progress)
    users = [_user(ctx.school.id, row, hashed) for row, hashed in zip(rows, hashes, strict=True)]
    db.add_all(users)
    db.flush()
    for row, user in zip(rows, users, strict=True):
        db.add_all(_links(row, user, classes))
    db.flush()
    return [Account(user.username, user.full_name, password, str(row.role), _class_of(row, classes))
            for row, user, password in zip(rows, users, passwords, strict=True)]


def _user(school_id: int, row: ImportRow, password_hash: str) -> User:
    """Return a new user of the school for a row."""
    user = User(username=row.username, full_name=row.full_name, password_hash=password_hash, school_id=school_id,
                birth_date=row.birth_date, gender=row.gender, external_code=row.external_code)
    user.roles = [RoleAssignment(role=str(row.role), school_id=school_id)]
    return user


def _links(row: ImportRow, user: User, classes: dict[str, SchoolClass]) -> list[Any]:
    """Return the enrolment, teaching assignments and subjects of a new user."""
    if row.role == Role.student:
        return [ClassEnrolment(class_id=classes[row.class_key].id, student_id=user.id)] if row.class_key else []
    links: list[Any] = [TeacherSubject(user_id=user.id, subject_id=sid) for sid in row.subject_ids]
    links += [TeachingAssignment(class_id=classes[key].id, teacher_id=user.id, subject_id=sid)
              for key in row.teaching_keys for sid in row.subject_ids]
    if row.homeroom_key:
        links.append(TeachingAssignment(class_id=classes[row.homeroom_key].id, teacher_id=user.id,
                                        subject_id=None, is_homeroom=True))
    return links


def _class_of(row: ImportRow, classes: dict[str, SchoolClass]) -> str | None:
    """Return the class shown next to an account: a student's class, a teacher's homeroom."""
    key = row.class_key if row.role == Role.student else row.homeroom_key
    return classes[key].name if key else None


# --- command line -----------------------------------------------------------------------

def cli_import(*, file: Path, school_code: str, dry_run: bool, console: Any, create_classes: bool = False) -> int:
    """Import a file for the school with this code from the command line; return the exit code."""
    from lms_core import i18n
    from lms_core.db import session_scope

    with i18n.use_locale(get_settings().default_locale):
        try:
            check_size(file.stat().st_size, get_settings().max_import_bytes)
            data = file.read_bytes()
            with session_scope() as db:
                school = db.scalar(select(School).where(School.code == school_code))
                if school is None:
                    raise Invalid(SCHOOL_CODE_UNKNOWN, code=school_code)
                report = _cli_run(db, school.id, data, dry_run, create_classes, console)
        except ImportRejected as exc:
            console.print(_errors_table(exc.report))
            console.print(f"[red]✗[/] {exc.translated()}")
            return 1
        except DomainError as exc:
            console.print(f"[red]✗[/] {exc.translated()}")
            return 1
        _print_result(report, console)
        return 0


def _cli_run(db: Session, school_id: int, data: bytes, dry_run: bool, create_classes: bool, console: Any) -> ImportReport:
    """Run the import with a progress bar over the (slow, on purpose) password hashing."""
    from rich.progress import Progress as Bar

    with Bar(console=console, transient=True) as bar:
        task = bar.add_task(gettext(N_("Creating accounts")), total=None)

        def step(done: int, total: int) -> None:
            """Advance the bar."""
            bar.update(task, completed=done, total=total)

        return import_as_system(db=db, school_id=school_id, data=data, dry_run=dry_run,
                                create_classes=create_classes, progress=step)


def _errors_table(report: ImportReport) -> Any:
    """Return a rich table of the report's errors."""
    from rich.table import Table

    table = Table(title=gettext(N_("Errors")))
    for title in (N_("Row"), N_("Column"), N_("Problem")):
        table.add_column(gettext(title))
    for error in report.errors:
        table.add_row(str(error.row), error.column, error.text())
    return table


def _print_result(report: ImportReport, console: Any) -> None:
    """Print the created accounts (or, for a dry run, that the file is correct) and the counts."""
    from rich.table import Table

    counts = report.created
    if report.dry_run:
        console.print(f"[green]✓[/] {gettext(DRY_RUN_OK).format(rows=len(report.rows))}")
    else:
        table = Table(title=gettext(N_("Accounts to hand out")))
        for title in (N_("Username"), N_("Password"), N_("Full name"), N_("Role"), N_("Class")):
            table.add_column(gettext(title))
        for a in report.accounts:
            table.add_row(a.username, a.password, a.full_name, gettext(ROLE_LABELS[a.role]), a.class_name or "")
        console.print(table)
    console.print(gettext(CREATED_COUNTS).format(**counts))
