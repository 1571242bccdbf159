"""Per-row checks of an imported class list that need no database: names, dates, genders, roles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

from lms_core.accounts.import_sheet import RawRow, Sheet, fold
from lms_core.accounts.models import Role
from lms_core.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from lms_core.accounts.service import BAD_PASSWORD, BAD_USERNAME, USERNAME_CHARS
from lms_core.i18n import N_, gettext

NAME_REQUIRED = N_("The full name is missing.")
NAME_TOO_LONG = N_("The full name is longer than {max} characters.")
CODE_TOO_LONG = N_("The code is longer than {max} characters.")
BAD_DATE = N_("“{value}” is not a valid date of birth; write it as dd/mm/yyyy.")
BAD_GENDER = N_("“{value}” is not a gender; write Nam or Nữ.")
BAD_ROLE = N_("“{value}” is not a role that can be imported; write Học sinh or Giáo viên.")
CLASS_REQUIRED = N_("A student needs a class.")
SUBJECTS_REQUIRED = N_("A teacher who teaches classes needs the subjects they teach.")

MAX_NAME = 120
MAX_CODE = 40
MAX_VALUE_SHOWN = 60

ROLES = {"hoc sinh": Role.student, "hs": Role.student, "student": Role.student,
         "giao vien": Role.teacher, "gv": Role.teacher, "teacher": Role.teacher}
GENDERS = {"nam": "M", "m": "M", "male": "M", "trai": "M", "nu": "F", "f": "F", "female": "F", "gai": "F"}
DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
LIST_SPLIT = re.compile(r"[,;\n]+")


@dataclass
class RowError:
    """One problem of one row: Excel row number, column header, field, code and msgid with params."""

    row: int
    column: str
    field: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """Return the message in the current locale."""
        return gettext(self.message).format(**self.params) if self.params else gettext(self.message)

    def as_dict(self) -> dict[str, Any]:
        """Return the error as the API and the pages show it."""
        return {"row": self.row, "column": self.column, "field": self.field, "code": self.code, "message": self.text()}


@dataclass
class ImportRow:
    """One person of the file after the checks that need no database."""

    row: int
    full_name: str = ""
    role: str | None = Role.student
    external_code: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    class_name: str | None = None
    subjects: list[str] = field(default_factory=list)
    teaching_classes: list[str] = field(default_factory=list)
    homeroom: str | None = None
    username: str | None = None
    password: str | None = None
    username_generated: bool = False
    errors: list[RowError] = field(default_factory=list)
    # Filled by the database checks: keys of the classes this row names, ids of its subjects.
    class_key: str | None = None
    teaching_keys: list[str] = field(default_factory=list)
    homeroom_key: str | None = None
    subject_ids: list[int] = field(default_factory=list)


def shown(value: Any) -> str:
    """Return a cell value short enough to quote in a message."""
    text = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


def parse_date(value: Any, today: date) -> date | None:
    """Return a birth date from a date cell, an Excel serial number or dd/mm/yyyy text; raise ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str) and value.replace(".", "", 1).isdecimal() and 1 <= float(value) < 80_000:
        day = from_excel(float(value)).date()
    elif isinstance(value, str) and (m := DMY.match(value)):
        day = date(int(m[3]), int(m[2]), int(m[1]))
    elif isinstance(value, str) and (m := YMD.match(value)):
        day = date(int(m[1]), int(m[2]), int(m[3]))
    else:
        raise ValueError(value)
    if not date(1900, 1, 1) <= day <= today:
        raise ValueError(value)
    return day


def split_list(value: Any) -> list[str]:
    """Return the items of a comma- or semicolon-separated cell, without blanks or repeats."""
    if value is None:
        return []
    items = [" ".join(part.split()) for part in LIST_SPLIT.split(str(value))]
    return list(dict.fromkeys(item for item in items if item))


class _RowChecker:
    """Turns one raw row into an ImportRow, collecting its errors."""

    def __init__(self, sheet: Sheet, raw: RawRow, today: date) -> None:
        """Start checking one raw row."""
        self.sheet, self.raw, self.today = sheet, raw, today
        self.out = ImportRow(row=raw.row)

    def error(self, field_name: str, code: str, message: str, **params: Any) -> None:
        """Record an error on a field of this row."""
        self.out.errors.append(RowError(self.raw.row, self.sheet.header(field_name), field_name, code, message, params))

    def value(self, field_name: str) -> Any:
        """Return the cleaned cell of a field, or None."""
        return self.raw.values.get(field_name)

    def run(self) -> ImportRow:
        """Check every field of the row."""
        self.name()
        self.code()
        self.role()
        self.birth_date()
        self.gender()
        self.lists()
        self.credentials()
        return self.out

    def name(self) -> None:
        """Check the full name: present, not too long."""
        name = self.value("full_name")
        name = shown(name) if isinstance(name, date) else name
        if not name:
            self.error("full_name", "name_required", NAME_REQUIRED)
        elif len(name) > MAX_NAME:
            self.error("full_name", "name_too_long", NAME_TOO_LONG, max=MAX_NAME)
        self.out.full_name = (name or "")[:MAX_NAME]

    def code(self) -> None:
        """Check the identification code's length."""
        code = self.value("external_code")
        if code is not None and len(str(code)) > MAX_CODE:
            self.error("external_code", "code_too_long", CODE_TOO_LONG, max=MAX_CODE)
        self.out.external_code = str(code)[:MAX_CODE] if code is not None else None

    def role(self) -> None:
        """Read the role; empty means student."""
        value = self.value("role")
        if value is None:
            return
        self.out.role = ROLES.get(fold(str(value)))
        if self.out.role is None:
            self.error("role", "bad_role", BAD_ROLE, value=shown(value))

    def birth_date(self) -> None:
        """Read the birth date."""
        value = self.value("birth_date")
        try:
            self.out.birth_date = parse_date(value, self.today)
        except (ValueError, OverflowError):
            self.error("birth_date", "bad_date", BAD_DATE, value=shown(value))

    def gender(self) -> None:
        """Read the gender (Nam / Nữ)."""
        value = self.value("gender")
        if value is None:
            return
        self.out.gender = GENDERS.get(fold(str(value)))
        if self.out.gender is None:
            self.error("gender", "bad_gender", BAD_GENDER, value=shown(value))

    def lists(self) -> None:
        """Read the class of a student, or the subjects and classes of a teacher."""
        out = self.out
        klass = self.value("class_name")
        out.class_name = shown(klass) if klass is not None else None
        out.homeroom = shown(self.value("homeroom")) if self.value("homeroom") is not None else None
        if out.role == Role.student:
            if not out.class_name:
                self.error("class_name", "class_required", CLASS_REQUIRED)
            return
        out.subjects = split_list(self.value("subjects"))
        out.teaching_classes = split_list(self.value("teaching_classes"))
        if out.role == Role.teacher and out.teaching_classes and not out.subjects:
            self.error("subjects", "subjects_required", SUBJECTS_REQUIRED)

    def credentials(self) -> None:
        """Check a given username and password (missing ones are generated later)."""
        username = self.value("username")
        if username is not None:
            key = unicodedata.normalize("NFC", str(username)).strip().lower()
            if not 3 <= len(key) <= 64 or not set(key) <= USERNAME_CHARS:
                self.error("username", "bad_username", BAD_USERNAME)
            self.out.username = key[:64]
        password = self.value("password")
        if password is not None:
            password = str(password)
            if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
                self.error("password", "bad_password", BAD_PASSWORD, min=MIN_LENGTH, max=MAX_LENGTH)
            self.out.password = password


def check_rows(sheet: Sheet, today: date) -> list[ImportRow]:
    """Return every row of the sheet checked on its own (no database, no other rows)."""
    return [_RowChecker(sheet, raw, today).run() for raw in sheet.rows]
