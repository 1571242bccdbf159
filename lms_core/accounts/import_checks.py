"""Checks of an imported class list against the database and across rows: classes, subjects,
homerooms, repeated people and usernames; and the generation of missing usernames."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms_core.accounts.import_rows import ImportRow, RowError, shown
from lms_core.accounts.import_sheet import Sheet, fold
from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User
from lms_core.accounts.service import USERNAME_TAKEN
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.org.service import GRADE_NOT_TAUGHT

UNKNOWN_CLASS = N_("The class {name} does not exist in this school in the school year {year}.")
CLASS_GRADE_UNKNOWN = N_("The grade of class {name} cannot be read from its name; a class name starts with its grade, as in 6A.")
CLASS_NAME_TOO_LONG = N_("The class name {name} is longer than {max} characters.")
UNKNOWN_SUBJECT = N_("The subject “{value}” is not known; write its code (such as TOAN) or its name (such as Toán).")
DUPLICATE_USERNAME = N_("The username {username} is already used in row {other}.")
DUPLICATE_PERSON = N_("This person is already listed in row {other}.")
ALREADY_ENROLLED = N_("{name} is already a student of class {class_name}.")
HOMEROOM_TAKEN = N_("Class {name} already has a homeroom teacher.")
HOMEROOM_IN_FILE = N_("Class {name} already gets a homeroom teacher in row {other}.")
ALREADY_TEACHER = N_("{name} already has a teacher account in this school.")

MAX_CLASS_NAME = 20
CHUNK = 200
GRADE = re.compile(r"^(\d{1,2})(?!\d)")
# Everyday names of subjects, mapped to subject codes (used only when that code exists).
SUBJECT_ALIASES = {
    "van": "NV", "ngu van": "NV", "anh": "TA", "tieng anh": "TA", "su": "LS", "lich su": "LS", "dia": "DL",
    "dia ly": "DL", "li": "LY", "ly": "LY", "vat ly": "LY", "hoa": "HOA", "sinh": "SINH", "tin": "TIN",
    "the duc": "GDTC", "toan": "TOAN", "nhac": "AN", "my thuat": "MT", "han": "THAN", "tieng han": "THAN",
    "lich su va dia ly": "LSDL", "cong dan": "GDCD", "trai nghiem": "HDTN", "quoc phong": "QPAN",
}


def class_key(name: str) -> str:
    """Return the key two spellings of one class name share ("Lớp 6a", "6 A" and "6A")."""
    folded = fold(name)
    return folded.removeprefix("lop ").replace(" ", "")


def class_display(name: str) -> str:
    """Return the name a new class is stored under: "lớp 6a" becomes "6A"."""
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if fold(text).startswith("lop "):
        text = text.split(" ", 1)[1]
    return text.upper()


@dataclass
class Context:
    """What the checks need from the database, loaded once per file."""

    school: School
    year: AcademicYear
    create_classes: bool
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    new_classes: dict[str, tuple[str, int]] = field(default_factory=dict)
    subjects: dict[str, int] = field(default_factory=dict)
    homerooms: set[int] = field(default_factory=set)
    enrolled: set[tuple[str, date | None, int]] = field(default_factory=set)
    teachers: set[tuple[str, date | None]] = field(default_factory=set)


def load_context(db: Session, school: School, year: AcademicYear, create_classes: bool) -> Context:
    """Load the school's classes of the year, the subjects, homerooms and enrolled students."""
    ctx = Context(school=school, year=year, create_classes=create_classes)
    classes = db.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id,
                                                   SchoolClass.academic_year_id == year.id))
    ctx.classes = {class_key(c.name): c for c in classes}
    ctx.subjects = _subject_keys(db.scalars(select(Subject)))
    teachers = db.execute(select(User.full_name, User.birth_date).join(RoleAssignment, RoleAssignment.user_id == User.id)
                          .where(RoleAssignment.role == Role.teacher, RoleAssignment.school_id == school.id))
    ctx.teachers = {(fold(name), born) for name, born in teachers}
    class_ids = [c.id for c in ctx.classes.values()]
    if class_ids:
        ctx.homerooms = set(db.scalars(select(TeachingAssignment.class_id).where(
            TeachingAssignment.class_id.in_(class_ids), TeachingAssignment.is_homeroom.is_(True))))
        rows = db.execute(select(User.full_name, User.birth_date, ClassEnrolment.class_id)
                          .join(ClassEnrolment, ClassEnrolment.student_id == User.id)
                          .where(ClassEnrolment.class_id.in_(class_ids)))
        ctx.enrolled = {(fold(name), born, cid) for name, born, cid in rows}
    return ctx


def _subject_keys(subjects: Iterable[Subject]) -> dict[str, int]:
    """Return subject ids by folded code, Vietnamese name, English name and everyday alias."""
    keys: dict[str, int] = {}
    by_code = {}
    for s in subjects:
        by_code[s.code.upper()] = s.id
        for key in (fold(s.code), fold(s.name_vi), fold(s.name_en)):
            keys.setdefault(key, s.id)
    for alias, code in SUBJECT_ALIASES.items():
        if code in by_code:
            keys.setdefault(alias, by_code[code])
    return keys


def _error(sheet: Sheet, row: ImportRow, field_name: str, code: str, message: str, **params: Any) -> None:
    """Record an error on a field of a row."""
    row.errors.append(RowError(row.row, sheet.header(field_name), field_name, code, message, params))


def _resolve_class(ctx: Context, sheet: Sheet, row: ImportRow, field_name: str, name: str) -> str | None:
    """Return the key of a known (or, when allowed, new) class, or record why it cannot be used."""
    key = class_key(name)
    if key in ctx.classes or key in ctx.new_classes:
        return key
    if not ctx.create_classes:
        _error(sheet, row, field_name, "unknown_class", UNKNOWN_CLASS, name=shown(name), year=ctx.year.name)
        return None
    display = class_display(name)
    match = GRADE.match(key)
    if match is None:
        _error(sheet, row, field_name, "class_grade_unknown", CLASS_GRADE_UNKNOWN, name=shown(name))
    elif int(match[1]) not in ctx.school.grades:
        _error(sheet, row, field_name, "grade_not_taught", GRADE_NOT_TAUGHT, grade=int(match[1]))
    elif len(display) > MAX_CLASS_NAME:
        _error(sheet, row, field_name, "class_name_too_long", CLASS_NAME_TOO_LONG, name=shown(name), max=MAX_CLASS_NAME)
    else:
        ctx.new_classes[key] = (display, int(match[1]))
        return key
    return None


def check_links(ctx: Context, sheet: Sheet, rows: list[ImportRow]) -> None:
    """Resolve each row's classes and subjects; check homerooms, and people already in the school."""
    homeroom_rows: dict[str, int] = {}
    for row in rows:
        if row.role == Role.student and row.class_name:
            row.class_key = _resolve_class(ctx, sheet, row, "class_name", row.class_name)
            row.class_name = _stored_name(ctx, row.class_key) or row.class_name
            _check_enrolled(ctx, sheet, row)
        if row.role != Role.teacher:
            continue
        if (fold(row.full_name), row.birth_date) in ctx.teachers:
            _error(sheet, row, "full_name", "already_teacher", ALREADY_TEACHER, name=row.full_name)
        keys = [_resolve_class(ctx, sheet, row, "teaching_classes", name) for name in row.teaching_classes]
        row.teaching_keys = list(dict.fromkeys(k for k in keys if k))
        _resolve_subjects(ctx, sheet, row)
        if row.homeroom:
            row.homeroom_key = _resolve_class(ctx, sheet, row, "homeroom", row.homeroom)
            _check_homeroom(ctx, sheet, row, homeroom_rows)


def _stored_name(ctx: Context, key: str | None) -> str | None:
    """Return the name a resolved class has (or will have) in the database."""
    if key is None:
        return None
    klass = ctx.classes.get(key)
    return klass.name if klass is not None else ctx.new_classes[key][0]


def _resolve_subjects(ctx: Context, sheet: Sheet, row: ImportRow) -> None:
    """Match a teacher's subjects by code, name or everyday name."""
    for value in row.subjects:
        subject_id = ctx.subjects.get(fold(value))
        if subject_id is None:
            _error(sheet, row, "subjects", "unknown_subject", UNKNOWN_SUBJECT, value=shown(value))
        elif subject_id not in row.subject_ids:
            row.subject_ids.append(subject_id)


def _check_enrolled(ctx: Context, sheet: Sheet, row: ImportRow) -> None:
    """Flag a student already enrolled in the class (same name and birth date): a file imported twice."""
    klass = ctx.classes.get(row.class_key or "")
    if klass is not None and (fold(row.full_name), row.birth_date, klass.id) in ctx.enrolled:
        _error(sheet, row, "full_name", "already_enrolled", ALREADY_ENROLLED, name=row.full_name, class_name=klass.name)


def _check_homeroom(ctx: Context, sheet: Sheet, row: ImportRow, seen: dict[str, int]) -> None:
    """Flag a second homeroom teacher for a class, in the file or in the database."""
    key = row.homeroom_key
    if key is None:
        return
    klass = ctx.classes.get(key)
    if key in seen:
        _error(sheet, row, "homeroom", "homeroom_taken", HOMEROOM_IN_FILE, name=shown(row.homeroom), other=seen[key])
    elif klass is not None and klass.id in ctx.homerooms:
        _error(sheet, row, "homeroom", "homeroom_taken", HOMEROOM_TAKEN, name=klass.name)
    seen.setdefault(key, row.row)


def check_duplicate_people(sheet: Sheet, rows: list[ImportRow]) -> None:
    """Flag a person listed twice: same name, birth date, role and class."""
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        if not row.full_name:
            continue
        key = (fold(row.full_name), row.birth_date, row.role, class_key(row.class_name or "") if row.role == Role.student else None)
        if key in seen:
            _error(sheet, row, "full_name", "duplicate_person", DUPLICATE_PERSON, other=seen[key])
        else:
            seen[key] = row.row


def _taken(db: Session, names: list[str]) -> set[str]:
    """Return which of the usernames already exist."""
    found: set[str] = set()
    for i in range(0, len(names), CHUNK):
        found.update(db.scalars(select(User.username).where(User.username.in_(names[i:i + CHUNK]))))
    return found


def _taken_like(db: Session, bases: list[str]) -> set[str]:
    """Return the existing usernames that start with any of the bases (bases are [a-z0-9] only)."""
    found: set[str] = set()
    for i in range(0, len(bases), CHUNK):
        clause = or_(*[User.username.like(base + "%") for base in bases[i:i + CHUNK]])
        found.update(db.scalars(select(User.username).where(clause)))
    return found


def check_usernames(db: Session, sheet: Sheet, rows: list[ImportRow]) -> None:
    """Flag usernames repeated in the file or already taken."""
    first: dict[str, int] = {}
    for row in rows:
        if row.username is None:
            continue
        if row.username in first:
            _error(sheet, row, "username", "duplicate_username", DUPLICATE_USERNAME, username=row.username,
                   other=first[row.username])
        else:
            first[row.username] = row.row
    taken = _taken(db, list(first))
    for row in rows:
        if row.username in taken:
            _error(sheet, row, "username", "username_taken", USERNAME_TAKEN, username=row.username)


def username_base(full_name: str) -> str:
    """Return given name + initials of the other names, unaccented: "Nguyễn Văn An" gives "annv"."""
    parts = fold(full_name).split()
    if not parts:
        return "hs"
    return (parts[-1] + "".join(p[0] for p in parts[:-1]))[:56]


def generate_usernames(db: Session, rows: list[ImportRow]) -> None:
    """Give every row without a username a free one: the base, else the base and a number."""
    wanting = [row for row in rows if row.username is None and row.full_name]
    bases = {row.row: username_base(row.full_name) for row in wanting}
    used = {row.username for row in rows if row.username} | _taken_like(db, sorted(set(bases.values())))
    for row in wanting:
        base = bases[row.row]
        candidate, n = (base, 1) if len(base) >= 3 else (base + "1", 1)
        while candidate in used:
            n += 1
            candidate = f"{base}{n}"
        row.username, row.username_generated = candidate, True
        used.add(candidate)

