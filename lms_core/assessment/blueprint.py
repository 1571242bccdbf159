"""The exam blueprint (ma trận đề) and its specification table (bảng đặc tả), as plain data, JSON and Excel.

A blueprint has one row per topic (a bank tag or a curriculum item id, with the label the paper shows) and, for
each of the four parts of the 2025 exam layout (I single choice, II true/false groups, III short answers, IV essays)
and each cognitive level, a number of questions. Every question of a part carries that part's points. The
specification table is the same grid with the "yêu cầu cần đạt" text the teacher writes per topic and level.

The Excel file follows the layout Vietnamese teachers print (its header texts are Vietnamese on purpose, like the
question template's): a sheet "Thông tin", a sheet "Ma trận" (one row per topic, a column per part × level) and a
sheet "Đặc tả" (one row per topic, a column per level).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from lms_core.accounts.import_sheet import BROKEN_FILE, check_size, check_xlsx
from lms_core.assessment.items import Level, ParseProblem, QType
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.text import fold, nfc
from lms_core.spreadsheets import workbook_bytes

FORMAT = "truongso-blueprint"
FORMAT_VERSION = 1
MAX_ROWS = 50
MAX_PER_CELL = 100
MAX_QUESTIONS = 200
MAX_LABEL = 200
MAX_TAG = 60
MAX_TITLE = 200
MAX_REQUIREMENT = 2_000
MAX_MINUTES = 600
MAX_FILE = 2_000_000
MAX_ID = 2_147_483_647
CENT = Decimal("0.01")


class Part(StrEnum):
    """The parts of an exam paper in the 2025 layout, each asking one group of question types."""

    single = "I"
    tf_group = "II"
    short = "III"
    essay = "IV"


PART_TYPES: dict[Part, tuple[QType, ...]] = {
    Part.single: (QType.single,),
    Part.tf_group: (QType.tf_group,),
    Part.short: (QType.numeric, QType.short_text),
    Part.essay: (QType.essay,),
}
PART_LABELS = {
    Part.single: N_("Part I: single choice"),
    Part.tf_group: N_("Part II: true/false groups"),
    Part.short: N_("Part III: short answers"),
    Part.essay: N_("Part IV: essay"),
}
DEFAULT_POINTS = {Part.single: Decimal("0.25"), Part.tf_group: Decimal(1), Part.short: Decimal("0.25"),
                  Part.essay: Decimal(1)}
PARTS = list(Part)
LEVELS = list(Level)

BAD_FILE = N_("The blueprint file cannot be read: it is not a blueprint saved by Trường Số.")
BAD_VALUE = N_("{where}: “{value}” is not a valid value.")
NO_ROWS = N_("Add at least one topic to the blueprint.")
TOO_MANY_ROWS = N_("A blueprint can have at most {max} topics.")
NO_LABEL = N_("Give the topic a name.")
LABEL_TOO_LONG = N_("The name is longer than {max} characters.")
NO_TOPIC = N_("Say which questions belong to this topic: a tag of the bank or a curriculum item.")
TAG_TOO_LONG = N_("The tag is longer than {max} characters.")
SAME_TOPIC = N_("Two topics use the same tag or curriculum item.")
BAD_COUNT = N_("The number of questions must be a whole number from 0 to {max}.")
NO_QUESTIONS = N_("The blueprint asks for no question: write how many questions each topic and level needs.")
TOO_MANY_QUESTIONS = N_("The blueprint asks for {count} questions; an exam can have at most {max}.")
BAD_PART_POINTS = N_("The points of a question must be more than 0 and at most 10.")
BAD_TOTAL_POINTS = N_("The total points must be more than 0 and at most 100.")
TOTAL_MISMATCH = N_("The questions add up to {sum} points but the exam is out of {total}.")
BAD_TITLE = N_("The title is empty or longer than {max} characters.")
BAD_DURATION = N_("The time allowed must be from 1 to {max} minutes.")
BAD_GRADE = N_("The grade must be a whole number from 1 to 12.")
REQUIREMENT_TOO_LONG = N_("A requirement text is longer than {max} characters.")
GENERAL = N_("Blueprint")


@dataclass
class Row:
    """A topic of the blueprint: its label, which bank questions belong to it, the counts and the requirements."""

    label: str
    tag: str = ""
    curriculum_item_id: int | None = None
    counts: dict[tuple[Part, Level], int] = field(default_factory=dict)
    requirements: dict[Level, str] = field(default_factory=dict)

    def count(self, part: Part, level: Level) -> int:
        """Return how many questions of a part and level this topic asks."""
        return self.counts.get((part, level), 0)


@dataclass
class Blueprint:
    """A whole blueprint: the exam's title, subject, grade, time, points per part and its topic rows."""

    title: str = ""
    subject_id: int | None = None
    grade: int | None = None
    minutes: int = 45
    total_points: Decimal = Decimal(10)
    points: dict[Part, Decimal] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    rows: list[Row] = field(default_factory=list)

    def cells(self) -> list[tuple[int, Part, Level, int]]:
        """Return every non-empty cell as (row index, part, level, count), parts first, then rows, then levels."""
        return [(r, part, level, row.count(part, level)) for part in PARTS for r, row in enumerate(self.rows)
                for level in LEVELS if row.count(part, level) > 0]

    def question_count(self) -> int:
        """Return how many questions the blueprint asks."""
        return sum(sum(row.counts.values()) for row in self.rows)

    def points_sum(self) -> Decimal:
        """Return the points the asked questions add up to."""
        return sum((self.points.get(part, Decimal(0)) * row.count(part, level)
                    for row in self.rows for part in PARTS for level in LEVELS), Decimal(0))


# ---- totals (the ma trận's last rows) and the specification -----------------------------------------------------

@dataclass
class Totals:
    """The totals of a blueprint: questions per part × level, points and share per level, per row, overall."""

    questions: dict[tuple[Part, Level], int]
    by_level: dict[Level, int]
    points_by_level: dict[Level, Decimal]
    percent_by_level: dict[Level, Decimal]
    by_part: dict[Part, int]
    points_by_part: dict[Part, Decimal]
    by_row: list[int]
    points_by_row: list[Decimal]
    count: int
    points: Decimal


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else Decimal(0)


def totals(bp: Blueprint) -> Totals:
    """Return the totals printed under a blueprint: per part × level, per level (with %), per part, per row."""
    questions = {(p, lv): sum(r.count(p, lv) for r in bp.rows) for p in PARTS for lv in LEVELS}
    by_level = {lv: sum(questions[p, lv] for p in PARTS) for lv in LEVELS}
    points_by_level = {lv: sum((questions[p, lv] * bp.points.get(p, Decimal(0)) for p in PARTS), Decimal(0))
                       for lv in LEVELS}
    total = bp.points_sum()
    return Totals(
        questions=questions, by_level=by_level, points_by_level=points_by_level,
        percent_by_level={lv: _percent(points_by_level[lv], total) for lv in LEVELS},
        by_part={p: sum(questions[p, lv] for lv in LEVELS) for p in PARTS},
        points_by_part={p: sum(questions[p, lv] for lv in LEVELS) * bp.points.get(p, Decimal(0)) for p in PARTS},
        by_row=[sum(r.counts.values()) for r in bp.rows],
        points_by_row=[sum((r.count(p, lv) * bp.points.get(p, Decimal(0)) for p in PARTS for lv in LEVELS),
                           Decimal(0)) for r in bp.rows],
        count=bp.question_count(), points=total)


@dataclass
class SpecCell:
    """One topic × level of the specification table: the requirement text and the questions per part."""

    level: Level
    requirement: str
    by_part: dict[Part, int]

    @property
    def count(self) -> int:
        """Return how many questions this topic asks at this level."""
        return sum(self.by_part.values())


@dataclass
class SpecRow:
    """One topic of the specification table with its four levels."""

    label: str
    cells: list[SpecCell]


def specification(bp: Blueprint) -> list[SpecRow]:
    """Return the specification table (bảng đặc tả): per topic and level, what is required and how many questions."""
    return [SpecRow(row.label, [SpecCell(lv, row.requirements.get(lv, ""), {p: row.count(p, lv) for p in PARTS})
                                for lv in LEVELS]) for row in bp.rows]


# ---- validation -------------------------------------------------------------------------------------------------

def _fmt(value: Decimal) -> str:
    text = format(value.quantize(CENT, ROUND_HALF_UP).normalize(), "f")
    return text.replace(".", ",")


def validate(bp: Blueprint) -> list[ParseProblem]:
    """Return what is wrong with a blueprint (where, msgid, params); empty when an exam can be built from it."""
    problems: list[ParseProblem] = []
    general = GENERAL

    def add(where: str, message: str, **params: object) -> None:
        problems.append(ParseProblem(where=where, message=message, params=dict(params)))

    if not bp.title.strip() or len(bp.title) > MAX_TITLE:
        add(general, BAD_TITLE, max=MAX_TITLE)
    if bp.grade is None or not 1 <= bp.grade <= 12:
        add(general, BAD_GRADE)
    if not 1 <= bp.minutes <= MAX_MINUTES:
        add(general, BAD_DURATION, max=MAX_MINUTES)
    if not Decimal(0) < bp.total_points <= Decimal(100):
        add(general, BAD_TOTAL_POINTS)
    for part in PARTS:
        if not Decimal(0) < bp.points.get(part, Decimal(0)) <= Decimal(10):
            add(str(PART_LABELS[part]), BAD_PART_POINTS)
    if not bp.rows:
        add(general, NO_ROWS)
    if len(bp.rows) > MAX_ROWS:
        add(general, TOO_MANY_ROWS, max=MAX_ROWS)
    seen: set[tuple[str, Any]] = set()
    for number, row in enumerate(bp.rows[:MAX_ROWS], start=1):
        where = row.label.strip()[:60] or f"#{number}"
        if not row.label.strip():
            add(where, NO_LABEL)
        elif len(row.label) > MAX_LABEL:
            add(where, LABEL_TOO_LONG, max=MAX_LABEL)
        if not row.tag.strip() and row.curriculum_item_id is None:
            add(where, NO_TOPIC)
        if len(row.tag) > MAX_TAG:
            add(where, TAG_TOO_LONG, max=MAX_TAG)
        key = ("tag", fold(row.tag)) if row.tag.strip() else ("item", row.curriculum_item_id)
        if row.tag.strip() or row.curriculum_item_id is not None:
            if key in seen:
                add(where, SAME_TOPIC)
            seen.add(key)
        if any(not isinstance(n, int) or not 0 <= n <= MAX_PER_CELL for n in row.counts.values()):
            add(where, BAD_COUNT, max=MAX_PER_CELL)
        if any(len(text) > MAX_REQUIREMENT for text in row.requirements.values()):
            add(where, REQUIREMENT_TOO_LONG, max=MAX_REQUIREMENT)
    if bp.rows and not problems:
        count = bp.question_count()
        if count == 0:
            add(general, NO_QUESTIONS)
        elif count > MAX_QUESTIONS:
            add(general, TOO_MANY_QUESTIONS, count=count, max=MAX_QUESTIONS)
        elif bp.points_sum() != bp.total_points:
            add(general, TOTAL_MISMATCH, sum=_fmt(bp.points_sum()), total=_fmt(bp.total_points))
    return problems


def require_valid(bp: Blueprint) -> Blueprint:
    """Return the blueprint when it is sound; otherwise raise Invalid with its first problem."""
    problems = validate(bp)
    if problems:
        first = problems[0]
        exc = Invalid(first.message, **first.params)
        exc.details = [{"where": p.where, "message": p.message, "params": p.params} for p in problems]
        raise exc
    return bp


# ---- JSON -------------------------------------------------------------------------------------------------------

def decimal_text(value: Decimal) -> str:
    """Return a decimal as JSON keeps it: the shortest exact text (10, 0.25), so equal values write the same."""
    return format(value.normalize(), "f")


def to_data(bp: Blueprint) -> dict[str, Any]:
    """Return a blueprint as JSON-ready data (decimals as strings)."""
    return {
        "format": FORMAT, "version": FORMAT_VERSION, "title": bp.title, "subject_id": bp.subject_id,
        "grade": bp.grade, "minutes": bp.minutes, "total_points": decimal_text(bp.total_points),
        "points": {p.value: decimal_text(bp.points.get(p, DEFAULT_POINTS[p])) for p in PARTS},
        "rows": [{
            "label": r.label, "tag": r.tag, "curriculum_item_id": r.curriculum_item_id,
            "counts": {p.value: {lv.value: r.count(p, lv) for lv in LEVELS if r.count(p, lv)} for p in PARTS
                       if any(r.count(p, lv) for lv in LEVELS)},
            "requirements": {lv.value: r.requirements[lv] for lv in LEVELS if r.requirements.get(lv)},
        } for r in bp.rows],
    }


def to_json(bp: Blueprint) -> str:
    """Return a blueprint as the JSON file a teacher keeps."""
    return json.dumps(to_data(bp), ensure_ascii=False, indent=1)


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit * 2:
        raise Invalid(BAD_FILE)
    return nfc(value).strip()


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(BAD_FILE)
    text = str(value).strip()
    if not text.isdecimal() or not low <= int(text) <= high:
        raise Invalid(BAD_FILE)
    return int(text)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise Invalid(BAD_FILE)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(BAD_FILE) from None
    if not number.is_finite() or abs(number) > 1000:
        raise Invalid(BAD_FILE)
    return number.quantize(CENT, ROUND_HALF_UP)


def from_data(data: Any) -> Blueprint:
    """Return the blueprint JSON data describes; data that is not a blueprint is refused (Invalid), never half-read."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("rows"), list):
        raise Invalid(BAD_FILE)
    if len(data["rows"]) > MAX_ROWS:
        raise Invalid(TOO_MANY_ROWS, max=MAX_ROWS)
    points_raw = data.get("points") or {}
    if not isinstance(points_raw, dict):
        raise Invalid(BAD_FILE)
    bp = Blueprint(
        title=_text(data.get("title"), MAX_TITLE),
        subject_id=None if data.get("subject_id") is None else _whole(data["subject_id"], 1, MAX_ID),
        grade=None if data.get("grade") is None else _whole(data["grade"], 1, 12),
        minutes=_whole(data.get("minutes", 45), 1, MAX_MINUTES),
        total_points=_number(data.get("total_points", "10")),
        points={p: _number(points_raw.get(p.value, str(DEFAULT_POINTS[p]))) for p in PARTS},
    )
    for raw in data["rows"]:
        if not isinstance(raw, dict):
            raise Invalid(BAD_FILE)
        item = raw.get("curriculum_item_id")
        row = Row(label=_text(raw.get("label"), MAX_LABEL), tag=_text(raw.get("tag"), MAX_TAG),
                  curriculum_item_id=None if item in (None, "") else _whole(item, 1, MAX_ID))
        counts = raw.get("counts") or {}
        requirements = raw.get("requirements") or {}
        if not isinstance(counts, dict) or not isinstance(requirements, dict):
            raise Invalid(BAD_FILE)
        for part_key, by_level in counts.items():
            if part_key not in {p.value for p in PARTS} or not isinstance(by_level, dict):
                raise Invalid(BAD_FILE)
            for level_key, n in by_level.items():
                if level_key not in {lv.value for lv in LEVELS}:
                    raise Invalid(BAD_FILE)
                number = _whole(n, 0, MAX_PER_CELL)
                if number:
                    row.counts[Part(part_key), Level(level_key)] = number
        for level_key, text in requirements.items():
            if level_key not in {lv.value for lv in LEVELS}:
                raise Invalid(BAD_FILE)
            if _text(text, MAX_REQUIREMENT):
                row.requirements[Level(level_key)] = _text(text, MAX_REQUIREMENT)
        bp.rows.append(row)
    return bp


def from_json(data: bytes | str) -> Blueprint:
    """Return the blueprint of a JSON file; anything else is refused with a clear message."""
    if len(data) > MAX_FILE:
        raise TooLarge(BAD_FILE)
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Invalid(BAD_FILE) from None
    return from_data(parsed)


# ---- Excel ------------------------------------------------------------------------------------------------------

INFO_SHEET, MATRIX_SHEET, SPEC_SHEET = "Thông tin", "Ma trận", "Đặc tả"
INFO_KEYS = {"title": "Tên đề", "subject_id": "Mã môn (id)", "grade": "Khối lớp", "minutes": "Thời gian (phút)",
             "total_points": "Tổng điểm"}
PART_HEADERS = {Part.single: "Phần I (nhiều lựa chọn)", Part.tf_group: "Phần II (đúng/sai)",
                Part.short: "Phần III (trả lời ngắn)", Part.essay: "Phần IV (tự luận)"}
LEVEL_HEADERS = {Level.recognise: "Nhận biết", Level.understand: "Thông hiểu", Level.apply: "Vận dụng",
                 Level.apply_high: "Vận dụng cao"}
ROW_HEADERS = ("STT", "Chủ đề / nội dung", "Thẻ", "Mã nội dung (id)")
POINTS_ROW = "Điểm mỗi câu"
FIRST_COUNT_COLUMN = len(ROW_HEADERS) + 1


def _count_column(part: Part, level: Level) -> int:
    return FIRST_COUNT_COLUMN + PARTS.index(part) * len(LEVELS) + LEVELS.index(level)


def to_xlsx(bp: Blueprint) -> bytes:
    """Return a blueprint as an Excel workbook: its information, the matrix with totals and the specification."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    values = {"title": bp.title, "subject_id": bp.subject_id, "grade": bp.grade, "minutes": bp.minutes,
              "total_points": float(bp.total_points)}
    for key, label in INFO_KEYS.items():
        info.append([label, values[key]])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 50

    ws = wb.create_sheet(MATRIX_SHEET)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.append([*ROW_HEADERS, *[PART_HEADERS[p] for p in PARTS for _ in LEVELS], "Tổng số câu", "Tổng điểm"])
    ws.append(["", "", "", "", *[LEVEL_HEADERS[lv] for _ in PARTS for lv in LEVELS], "", ""])
    for p_index in range(len(PARTS)):
        start = FIRST_COUNT_COLUMN + p_index * len(LEVELS)
        ws.merge_cells(start_row=1, start_column=start, end_row=1, end_column=start + len(LEVELS) - 1)
    sums = totals(bp)
    for number, row in enumerate(bp.rows, start=1):
        ws.append([number, row.label, row.tag, row.curriculum_item_id,
                   *[row.count(p, lv) or None for p in PARTS for lv in LEVELS],
                   sums.by_row[number - 1], float(sums.points_by_row[number - 1])])
    ws.append(["", POINTS_ROW, "", "", *[float(bp.points[p]) for p in PARTS for _ in LEVELS], "", ""])
    ws.append(["", "Tổng số câu", "", "", *[sums.questions[p, lv] for p in PARTS for lv in LEVELS], sums.count,
               float(sums.points)])
    for cells in ws.iter_rows(min_row=1, max_row=2):
        for cell in cells:
            cell.font, cell.alignment = bold, wrap
    ws.column_dimensions["B"].width = 36
    ws.freeze_panes = "E3"

    spec = wb.create_sheet(SPEC_SHEET)
    spec.append(["STT", "Chủ đề / nội dung", *[f"Yêu cầu cần đạt – {LEVEL_HEADERS[lv]}" for lv in LEVELS]])
    for number, row in enumerate(bp.rows, start=1):
        spec.append([number, row.label, *[row.requirements.get(lv, "") for lv in LEVELS]])
    for cell in spec[1]:
        cell.font = bold
    for column in "CDEF":
        spec.column_dimensions[column].width = 40
    spec.column_dimensions["B"].width = 36
    return workbook_bytes(wb)


def _cell_text(value: Any) -> str:
    return "" if value is None else nfc(str(value)).strip()


def _cell_count(value: Any, where: str, high: int = MAX_PER_CELL) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdecimal() or len(text) > 10 or int(text) > high:
        raise Invalid(BAD_VALUE, where=where, value=text[:40])
    return int(text)


def _cell_number(value: Any, where: str) -> Decimal:
    try:
        return _number(value)
    except Invalid:
        raise Invalid(BAD_VALUE, where=where, value=_cell_text(value)[:40]) from None


def from_xlsx(data: bytes) -> Blueprint:
    """Return the blueprint of an Excel file saved by to_xlsx (and edited by a teacher); refuse anything else."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    check_size(len(data), MAX_FILE)
    check_xlsx(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise Invalid(BROKEN_FILE) from None
    try:
        names = {fold(name): name for name in wb.sheetnames}
        if fold(INFO_SHEET) not in names or fold(MATRIX_SHEET) not in names:
            raise Invalid(BAD_FILE)
        info = {fold(_cell_text(r[0])): r[1] for r in wb[names[fold(INFO_SHEET)]].iter_rows(
            max_row=20, max_col=2, values_only=True) if r and r[0] is not None}
        raw = {key: info.get(fold(label)) for key, label in INFO_KEYS.items()}
        bp = Blueprint(title=_cell_text(raw["title"])[:MAX_TITLE * 2])
        for key, high in (("subject_id", MAX_ID), ("grade", 12), ("minutes", MAX_MINUTES)):
            if raw[key] not in (None, ""):
                setattr(bp, key, _cell_count(raw[key], INFO_KEYS[key], high))
        if raw["total_points"] not in (None, ""):
            bp.total_points = _cell_number(raw["total_points"], INFO_KEYS["total_points"])
        width = FIRST_COUNT_COLUMN + len(PARTS) * len(LEVELS) - 1
        rows = list(wb[names[fold(MATRIX_SHEET)]].iter_rows(max_row=MAX_ROWS + 10, max_col=width, values_only=True))
        if len(rows) < 2 or fold(_cell_text(rows[0][1] if len(rows[0]) > 1 else "")) != fold(ROW_HEADERS[1]):
            raise Invalid(BAD_FILE)
        for number, cells in enumerate(rows[2:], start=3):
            cells = tuple(cells) + (None,) * (width - len(cells))
            label = _cell_text(cells[1])
            if fold(label) in (fold(POINTS_ROW), fold("Tổng số câu")):
                if fold(label) == fold(POINTS_ROW):
                    for part in PARTS:
                        column = _count_column(part, LEVELS[0])
                        where = f"{MATRIX_SHEET} {get_column_letter(column)}{number}"
                        if cells[column - 1] not in (None, ""):
                            bp.points[part] = _cell_number(cells[column - 1], where)
                continue
            if not label and not any(c not in (None, "") for c in cells[2:]):
                continue
            row = Row(label=label[:MAX_LABEL * 2], tag=_cell_text(cells[2])[:MAX_TAG * 2])
            row.curriculum_item_id = _cell_count(cells[3], f"{MATRIX_SHEET} D{number}", MAX_ID) or None
            for part in PARTS:
                for level in LEVELS:
                    column = _count_column(part, level)
                    n = _cell_count(cells[column - 1], f"{MATRIX_SHEET} {get_column_letter(column)}{number}")
                    if n:
                        row.counts[part, level] = n
            bp.rows.append(row)
            if len(bp.rows) > MAX_ROWS:
                raise Invalid(TOO_MANY_ROWS, max=MAX_ROWS)
        if fold(SPEC_SHEET) in names:
            spec_rows = list(wb[names[fold(SPEC_SHEET)]].iter_rows(min_row=2, max_row=MAX_ROWS + 1,
                                                                   max_col=2 + len(LEVELS), values_only=True))
            for index, cells in enumerate(spec_rows[:len(bp.rows)]):
                cells = tuple(cells) + (None,) * (2 + len(LEVELS) - len(cells))
                for offset, level in enumerate(LEVELS):
                    text = _cell_text(cells[2 + offset])[:MAX_REQUIREMENT * 2]
                    if text:
                        bp.rows[index].requirements[level] = text
    except (Invalid, TooLarge):
        raise
    except Exception:  # a damaged sheet: never a half-read blueprint
        raise Invalid(BROKEN_FILE) from None
    finally:
        wb.close()
    return bp
