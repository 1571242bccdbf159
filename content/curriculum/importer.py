"""A department imports its own topic/lesson trees from CSV or XLSX: preview with per-row errors, then apply."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, ItemKind, Origin, ProgrammeSubject
from content.curriculum.service import require_province_editor
from lms_core.accounts.import_sheet import BROKEN_FILE, ZIP_MAGIC, check_size, check_xlsx, clean
from lms_core.accounts.models import User
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.org.models import Subject
from lms_core.spreadsheets import csv_text
from lms_core.text import fold

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
COLUMNS = ("subject_code", "grade", "topic", "lesson", "periods")
SYNONYMS = {
    "subject_code": ("subject code", "subject", "ma mon", "mon"),
    "grade": ("grade", "lop", "khoi"),
    "topic": ("topic", "chu de", "chuong"),
    "lesson": ("lesson", "bai", "bai hoc"),
    "periods": ("periods", "so tiet", "tiet"),
}
FIELD_OF = {syn: name for name, syns in SYNONYMS.items() for syn in syns}
MISSING_COLUMNS = N_("The file needs the columns subject_code, grade, topic, lesson and periods.")
NOT_UTF8 = N_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
NO_ROWS = N_("The file has a header row but no lessons below it.")
TOO_MANY_ROWS = N_("The file has more than {max} rows. Split it into smaller files.")
HAS_ERRORS = N_("The file has errors; nothing was imported. Correct the rows shown and upload it again.")


@dataclass
class PreviewRow:
    """One lesson row as read, with its problems (empty when clean)."""

    row: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


@dataclass
class PreviewTree:
    """One subject × grade of the file: its lesson periods against the programme's periods per year."""

    subject_id: int
    subject_code: str
    grade: int
    periods: int
    expected: int


@dataclass
class Preview:
    """What an import would do; `ok` only when no row has an error."""

    rows: list[PreviewRow]
    trees: list[PreviewTree]

    @property
    def ok(self) -> bool:
        """Return whether every row is clean."""
        return all(not r.errors for r in self.rows)


def _table(data: bytes) -> list[tuple[int, list[Any]]]:
    """Return (row number, cells) of a CSV or XLSX file (decided by its bytes, not its name)."""
    check_size(len(data), MAX_BYTES)
    if data.startswith(ZIP_MAGIC) or data.startswith(b"\xd0\xcf\x11\xe0"):
        check_xlsx(data)
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                ws = workbook.worksheets[0]
                ws.reset_dimensions()
                return [(n, list(cells)) for n, cells in enumerate(ws.iter_rows(max_col=12, values_only=True), 1)]
            finally:
                workbook.close()
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise Invalid(BROKEN_FILE) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(NOT_UTF8) from None
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [(n, [csv_text(c) for c in cells]) for n, cells in enumerate(csv.reader(lines), 1)]


def _columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        name = FIELD_OF.get(fold(str(clean(value) or "")))
        if name is not None and name not in columns:
            columns[name] = index
    if set(COLUMNS) - set(columns):
        raise Invalid(MISSING_COLUMNS)
    return columns


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number


def preview(*, db: Session, data: bytes) -> Preview:
    """Read a tree file and check every row; store nothing."""
    table = [(n, cells) for n, cells in _table(data) if any(clean(c) is not None for c in cells)]
    if not table:
        raise Invalid(MISSING_COLUMNS)
    columns = _columns(table[0][1])
    if len(table) == 1:
        raise Invalid(NO_ROWS)
    if len(table) - 1 > MAX_ROWS:
        raise TooLarge(TOO_MANY_ROWS, max=MAX_ROWS)
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    expected = {(p.subject_id, p.grade): p.periods_per_year for p in db.scalars(select(ProgrammeSubject))}
    rows, seen, totals = [], set(), {}
    for number, cells in table[1:]:
        values = {name: clean(cells[i]) if i < len(cells) else None for name, i in columns.items()}
        row = PreviewRow(row=number, values=values)
        code = str(values["subject_code"] or "").upper()
        subject, grade, periods = subjects.get(code), _int(values["grade"]), _int(values["periods"])
        if subject is None:
            row.errors.append(N_("Unknown subject code."))
        if grade is None or not 1 <= grade <= 12:
            row.errors.append(N_("The grade must be a whole number from 1 to 12."))
        elif subject is not None and (subject.id, grade) not in expected:
            row.errors.append(N_("This subject is not taught in this grade."))
        for name in ("topic", "lesson"):
            if not values[name] or len(str(values[name])) > 300:
                row.errors.append(N_("The topic and the lesson must be given (at most 300 characters)."))
                break
        if periods is None or not 0 <= periods <= 500:
            row.errors.append(N_("Periods must be a whole number from 0 to 500."))
        key = (code, grade, str(values["topic"]), str(values["lesson"]))
        if key in seen:
            row.errors.append(N_("This lesson is listed twice under the same topic."))
        seen.add(key)
        if not row.errors:
            totals[(subject.id, code, grade)] = totals.get((subject.id, code, grade), 0) + periods
        rows.append(row)
    trees = [PreviewTree(subject_id=s, subject_code=c, grade=g, periods=p, expected=expected[(s, g)])
             for (s, c, g), p in sorted(totals.items(), key=lambda kv: (kv[0][2], kv[0][1]))]
    return Preview(rows=rows, trees=trees)


def apply_import(*, db: Session, actor: User, province_id: int | None, data: bytes) -> Preview:
    """Replace a province's trees of the subjects × grades in the file; refuse the whole file on any error.

    Existing topics and lessons are matched by title, so materials mapped to them stay mapped."""
    require_province_editor(actor, province_id)
    result = preview(db=db, data=data)
    if not result.ok:
        error = Invalid(HAS_ERRORS)
        error.details = [{"row": r.row, "errors": r.errors} for r in result.rows if r.errors]
        raise error
    try:
        for t in result.trees:
            _replace_tree(db, province_id, t, [r for r in result.rows if _belongs(db, r, t)])
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return result


def _belongs(db: Session, row: PreviewRow, t: PreviewTree) -> bool:
    return str(row.values["subject_code"]).upper() == t.subject_code and _int(row.values["grade"]) == t.grade


def _replace_tree(db: Session, province_id: int | None, t: PreviewTree, rows: list[PreviewRow]) -> None:
    """Make one tree match the rows: update matched items, add new ones, delete the rest."""
    owner = CurriculumItem.province_id.is_(None) if province_id is None else CurriculumItem.province_id == province_id
    old = list(db.scalars(select(CurriculumItem).where(owner, CurriculumItem.subject_id == t.subject_id,
                                                       CurriculumItem.grade == t.grade)))
    for item in old:  # free the keys first: the new order may give an old key to another item
        item.key = f"x{item.id}"
    db.flush()
    topics_old = {i.title: i for i in old if i.kind == ItemKind.topic}
    lessons_old = {(i.parent_id, i.title): i for i in old if i.kind == ItemKind.lesson}
    kept: set[int] = set()
    topics: dict[str, CurriculumItem] = {}
    counts: dict[str, int] = {}
    for row in rows:
        topic_title, lesson_title = str(row.values["topic"]), str(row.values["lesson"])
        topic = topics.get(topic_title)
        if topic is None:
            topic = topics_old.get(topic_title) or CurriculumItem(
                province_id=province_id, subject_id=t.subject_id, grade=t.grade, kind=ItemKind.topic, title=topic_title)
            topic.position, topic.periods, topic.source = len(topics) + 1, 0, Origin.edited
            topic.key = f"{topic.position}"
            topics[topic_title] = topic
            db.add(topic)
            db.flush()
            kept.add(topic.id)
        lesson = lessons_old.get((topic.id, lesson_title)) or CurriculumItem(
            province_id=province_id, subject_id=t.subject_id, grade=t.grade, kind=ItemKind.lesson,
            title=lesson_title, parent_id=topic.id)
        counts[topic_title] = counts.get(topic_title, 0) + 1
        lesson.position, lesson.periods, lesson.source = counts[topic_title], _int(row.values["periods"]) or 0, Origin.edited
        lesson.key = f"{topic.position}.{lesson.position}"
        topic.periods += lesson.periods
        db.add(lesson)
        db.flush()
        kept.add(lesson.id)
    gone = [i.id for i in old if i.id not in kept]
    if gone:
        db.execute(delete(CurriculumItem).where(CurriculumItem.id.in_(gone), CurriculumItem.kind == ItemKind.lesson))
        db.execute(delete(CurriculumItem).where(CurriculumItem.id.in_(gone)))
        db.expire_all()
