"""A class's term results across subjects (bảng tổng hợp kết quả học tập), for its homeroom teacher, the school's
administrators and, to read, the class's other teachers: every gradebook of the class and term gives one
subject's ĐTBmhk (or Đ / CĐ; on the second term also the year's ĐTBmcn), and Thông tư 22 gives each student's
learning level. A level is computed only when every subject's result is there; otherwise it names what is missing.
Primary classes (Thông tư 27) show each subject's level and periodic test score; their year result also needs the
qualities and competences, which the platform does not record, so it is not computed."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session, object_session

from lms_core import permissions
from lms_core.accounts.manage_pages import VIETNAM
from lms_core.accounts.models import ClassEnrolment, Role, TeachingAssignment, User
from lms_core.courses.models import Course
from lms_core.errors import DomainError, Forbidden, Invalid, NotFound
from lms_core.gradebook import rules, service, sheet
from lms_core.gradebook.models import Gradebook, Kind, Mode
from lms_core.i18n import N_, current_locale
from lms_core.org.models import SchoolClass, Subject, Term
from lms_core.org.service import CLASS_NOT_FOUND
from lms_core.text import fold
from lms_core.spreadsheets import workbook_bytes

NOT_A_READER = N_("Only the class's homeroom teacher, its teachers and the school's administrators see its term "
                  "results.")
NO_SUCH_TERM = N_("This school year has no term {term}.")
NO_GRADEBOOK = N_("{subject} has no gradebook for this term yet.")
NO_TERM_AVERAGE = N_("{subject} has no ĐTBmhk yet.")
NO_TERM_COMMENT = N_("{subject} has no term result (Đ or CĐ) yet.")
NO_YEAR_AVERAGE = N_("{subject} has no ĐTBmcn yet.")
NO_YEAR_COMMENT = N_("{subject} has no year result (Đ or CĐ) yet.")
TWO_GRADEBOOKS = N_("{subject} is kept in more than one gradebook this term ({courses}): the learning result needs "
                    "one result per subject.")
TOO_FEW_SCORED = N_("Subjects assessed by score known for this class this term: {count}. A learning result needs "
                    "every subject of the class, at least 6.")

Result = service.Result
MIN_SCORED_SUBJECTS = 6  # Thông tư 22 Điều 9 khoản 2: every level above Chưa đạt counts 6 subject averages


# --- who may read -------------------------------------------------------------------------------

def _teaches_class(actor: User) -> ColumnElement[bool]:
    return exists().where(TeachingAssignment.class_id == SchoolClass.id, TeachingAssignment.teacher_id == actor.id)


@permissions.rule("class.results", SchoolClass)
def results_view(actor: User, klass: SchoolClass) -> bool:
    """Return whether the actor may read a class's results: an administrator of its school, or one of its
    teachers (its homeroom teacher included) teaching at that school."""
    db = object_session(klass)
    return bool(db and db.scalar(select(exists().where(SchoolClass.id == klass.id, results_view_scope(actor)))))


@results_view.scope
def results_view_scope(actor: User) -> ColumnElement[bool]:
    """Return the WHERE clause of the classes whose results the actor may read."""
    admin = SchoolClass.school_id.in_(actor.school_ids(Role.school_admin))
    teacher = and_(SchoolClass.school_id.in_(actor.school_ids(Role.teacher)), _teaches_class(actor))
    return or_(admin, teacher)


def readable_class(*, db: Session, actor: User, class_id: int) -> SchoolClass:
    """Return a class whose results the actor may read; a class they cannot see is not found, one they see
    (as its student, say) but may not read the results of is forbidden."""
    klass = db.get(SchoolClass, class_id)
    if klass is None or not permissions.can(actor, "class.view", klass):
        raise NotFound(CLASS_NOT_FOUND)
    if not permissions.can(actor, "class.results", klass):
        raise Forbidden(NOT_A_READER)
    return klass


@dataclass(frozen=True)
class ReadableClass:
    """A class on the list of term results, and whether the actor is its homeroom teacher."""

    klass: SchoolClass
    homeroom: bool


def readable_classes(*, db: Session, actor: User) -> list[ReadableClass]:
    """Return the classes whose results the actor may read, newest year first, then by grade and name."""
    classes = list(db.scalars(select(SchoolClass).where(permissions.visible(actor, "class.results"))
                              .order_by(SchoolClass.academic_year_id.desc(), SchoolClass.grade, SchoolClass.name,
                                        SchoolClass.id)))
    mine = set(db.scalars(select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == actor.id,
                                                                    TeachingAssignment.is_homeroom.is_(True))))
    return [ReadableClass(klass=k, homeroom=k.id in mine) for k in classes]


def parse_term(text: str | None) -> int | None:
    """Return the term number asked for (None when not given), refusing anything but 1 or 2."""
    value = (text or "").strip()
    if not value:
        return None
    if value not in ("1", "2"):
        raise Invalid(sheet.BAD_TERM, value=value[:12])
    return int(value)


def term_of(*, db: Session, klass: SchoolClass, number: int | None, today: date | None = None) -> Term:
    """Return the class's term with this number; without one, the latest term begun by today (else the first)."""
    terms = list(db.scalars(select(Term).where(Term.academic_year_id == klass.academic_year_id)
                            .order_by(Term.number)))
    if number is None:
        day = today or datetime.now(VIETNAM).date()
        begun = [t for t in terms if t.start_date <= day]
        found = begun[-1] if begun else (terms[0] if terms else None)
    else:
        if number not in (1, 2):
            raise Invalid(sheet.BAD_TERM, value=str(number))
        found = next((t for t in terms if t.number == number), None)
    if found is None:
        raise NotFound(NO_SUCH_TERM, term=number or 1)
    return found


# --- the table ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubjectColumn:
    """One subject of the class: its gradebook for the term (None while not opened) and how it is assessed.
    `shared` says another gradebook of the same term records the same subject (told apart by course title)."""

    subject: Subject
    mode: Mode
    gradebook: Gradebook | None = None
    course: Course | None = None
    shared: bool = False
    has_test: bool = False  # primary: the term ends with a periodic test


@dataclass(frozen=True)
class Cell:
    """A student's result in one subject: ĐTBmhk, Đ / CĐ or the primary level; on the second term the year's
    result; in primary the end-of-term periodic test score."""

    result: Result | None = None
    year: Result | None = None
    test: int | None = None


@dataclass
class Standing:
    """A student's learning level (Thông tư 22) for a term or the year, or why it is not computed yet."""

    level: rules.Level | None = None
    lifted_for: Subject | None = None  # Điều 9 khoản 3 raised the level because of this subject alone
    reasons: list[DomainError] = field(default_factory=list)
    missing: list[Subject] = field(default_factory=list)


@dataclass
class ResultRow:
    """One student: a cell per subject column, the term's level and, on the second term, the year's."""

    student: User
    cells: list[Cell]
    term: Standing | None = None  # None in primary
    year: Standing | None = None  # secondary, second term only


@dataclass
class ClassResults:
    """The class's students × subjects for one term, with each student's learning level."""

    klass: SchoolClass
    term: Term
    primary: bool
    homeroom: list[User]
    columns: list[SubjectColumn]
    rows: list[ResultRow]
    notes: list[DomainError]  # reasons that hold for the whole class

    @property
    def second_term(self) -> bool:
        """Return whether this is the second term (which also shows the year's results)."""
        return self.term.number == 2


def _roll(db: Session, klass: SchoolClass) -> list[User]:
    """Return the class's active students in sổ điểm order, as service.roll orders a gradebook's."""
    students = db.scalars(select(User).join(ClassEnrolment, ClassEnrolment.student_id == User.id)
                          .where(ClassEnrolment.class_id == klass.id, User.is_active.is_(True)).distinct())
    return sorted(students, key=lambda s: (fold(s.full_name.split()[-1] if s.full_name.split() else ""),
                                           fold(s.full_name), s.id))


def _columns(db: Session, klass: SchoolClass, term: Term) -> list[SubjectColumn]:
    """Return a column per gradebook of the class and term, and one per subject taught without a gradebook."""
    gradebooks = list(db.scalars(select(Gradebook).where(Gradebook.class_id == klass.id,
                                                         Gradebook.term_id == term.id)))
    course_of = {c.id: c for c in db.scalars(select(Course).where(Course.id.in_([g.course_id for g in gradebooks])))}
    books: dict[int, list[Gradebook]] = defaultdict(list)
    for gradebook in gradebooks:
        books[course_of[gradebook.course_id].subject_id].append(gradebook)
    taught = set(db.scalars(select(TeachingAssignment.subject_id).where(TeachingAssignment.class_id == klass.id,
                                                                        TeachingAssignment.subject_id.is_not(None))))
    subject_ids = set(books) | taught
    subjects = list(db.scalars(select(Subject).where(Subject.id.in_(subject_ids)).order_by(Subject.id)))
    columns = []
    for subject in subjects:  # in the order of the programme's subject list
        kept = sorted(books.get(subject.id, []), key=lambda g: (fold(course_of[g.course_id].title), g.id))
        if not kept:
            columns.append(SubjectColumn(subject=subject, mode=service.mode_for(subject_code=subject.code,
                                                                                grade=klass.grade)))
        for gradebook in kept:
            columns.append(SubjectColumn(subject=subject, mode=Mode(gradebook.mode), gradebook=gradebook,
                                         course=course_of[gradebook.course_id], shared=len(kept) > 1,
                                         has_test=any(c.kind == Kind.test_ck for c in gradebook.columns)))
    return columns


def _class_notes(columns: list[SubjectColumn], locale: str) -> list[DomainError]:
    """Return what stops every student's learning level: a subject kept twice, too few scored subjects."""
    notes: list[DomainError] = []
    seen: set[int] = set()
    for column in columns:
        if column.shared and column.subject.id not in seen:
            seen.add(column.subject.id)
            titles = ", ".join(c.course.title for c in columns if c.subject.id == column.subject.id and c.course)
            notes.append(Invalid(TWO_GRADEBOOKS, subject=column.subject.name(locale), courses=titles))
    scored = {c.subject.id for c in columns if c.mode == Mode.score}
    if len(scored) < MIN_SCORED_SUBJECTS:
        notes.append(rules.Incomplete(TOO_FEW_SCORED, count=len(scored)))
    return notes


def _standing(columns: list[SubjectColumn], cells: list[Cell], notes: list[DomainError], *, year: bool,
              locale: str) -> Standing:
    """Return a student's learning level for the term (or the year), or every reason it cannot be computed."""
    standing = Standing(reasons=list(notes))
    scored: dict[str, Result] = {}
    commented: dict[str, Result] = {}
    for column, cell in zip(columns, cells, strict=True):
        if column.mode not in (Mode.score, Mode.comment):
            continue
        value = cell.year if year else cell.result
        if value is not None:
            (scored if column.mode == Mode.score else commented)[column.subject.code] = value
            continue
        name = column.subject.name(locale)
        standing.missing.append(column.subject)
        if column.gradebook is None and not year:
            standing.reasons.append(rules.Incomplete(NO_GRADEBOOK, subject=name))
        elif column.mode == Mode.comment:
            standing.reasons.append(rules.Incomplete(NO_YEAR_COMMENT if year else NO_TERM_COMMENT, subject=name))
        else:
            standing.reasons.append(rules.Incomplete(NO_YEAR_AVERAGE if year else NO_TERM_AVERAGE, subject=name))
    if standing.reasons:
        return standing
    result = rules.learning_result(scored=scored, commented=commented)  # type: ignore[arg-type]
    standing.level = result.level
    standing.lifted_for = next((c.subject for c in columns if c.subject.code == result.lifted_for), None)
    return standing


def _test_score(gradebook: Gradebook, entries: dict[int, Any]) -> int | None:
    """Return a pupil's end-of-term periodic test score in a primary gradebook."""
    column = next((c for c in gradebook.columns if c.kind == Kind.test_ck), None)
    entry = entries.get(column.id) if column else None
    return int(entry.score) if entry is not None and entry.score is not None else None


def class_results(*, db: Session, actor: User, class_id: int, term: int | None = None,
                  today: date | None = None) -> ClassResults:
    """Return a class's students × subjects for a term with each student's learning level, for a reader of it."""
    klass = readable_class(db=db, actor=actor, class_id=class_id)
    term_row = term_of(db=db, klass=klass, number=term, today=today)
    locale = current_locale()
    students = _roll(db, klass)
    columns = _columns(db, klass, term_row)
    primary = klass.grade <= 5
    grids = {c.gradebook.id: service._grid(db, c.gradebook, students) for c in columns if c.gradebook}
    second = term_row.number == 2
    rows = []
    for index, student in enumerate(students):
        cells = []
        for column in columns:
            if column.gradebook is None:
                cells.append(Cell())
                continue
            line = grids[column.gradebook.id].lines[index]
            test = _test_score(column.gradebook, line.entries) if column.mode == Mode.primary else None
            cells.append(Cell(result=line.result, year=line.year if second else None, test=test))
        rows.append(ResultRow(student=student, cells=cells))
    notes = [] if primary else _class_notes(columns, locale)
    if not primary:
        for row in rows:
            row.term = _standing(columns, row.cells, notes, year=False, locale=locale)
            row.year = _standing(columns, row.cells, notes, year=True, locale=locale) if second else None
    homeroom = list(db.scalars(select(User).join(TeachingAssignment, TeachingAssignment.teacher_id == User.id)
                               .where(TeachingAssignment.class_id == klass.id,
                                      TeachingAssignment.is_homeroom.is_(True))
                               .distinct().order_by(User.full_name, User.id)))
    return ClassResults(klass=klass, term=term_row, primary=primary, homeroom=homeroom, columns=columns, rows=rows,
                        notes=notes)


# --- the workbook ---------------------------------------------------------------------------------

HEADER_ROW = sheet.HEADER_ROW  # subject names; the result each column holds on the row below
FIRST_DATA_ROW = HEADER_ROW + 2
PRIMARY_YEAR_NOTE = ("Kết quả giáo dục cả năm (Thông tư 27/2020/TT-BGDĐT) chưa được tính ở đây: cần cả đánh giá "
                     "phẩm chất và năng lực, hệ thống chưa ghi nhận.")


@dataclass(frozen=True)
class _Signed:
    """What sheet._signature prints under the grid: the place, the date and the homeroom teacher."""

    teacher: str
    place: str
    signed_on: date | None


@dataclass(frozen=True)
class _XColumn:
    heading: str
    width: float
    group: int | None = None  # the subject column it belongs to, whose name is merged above
    average: bool = False


def _subject_heading(column: SubjectColumn) -> str:
    """Return a subject's heading on the sheet: its Vietnamese name, with the course when it is kept twice."""
    name = column.subject.name_vi
    return f"{name} ({column.course.title})" if column.shared and column.course else name


def _sub_headings(data: ClassResults, column: SubjectColumn) -> list[str]:
    """Return the results one subject shows, as the sổ writes them."""
    roman = sheet.ROMAN[data.term.number]
    if data.primary:
        return ["Mức", "KTĐK"] if column.has_test else ["Mức"]
    if column.mode == Mode.comment:
        return [f"KQ HK {roman}", "KQ cả năm"] if data.second_term else [f"KQ HK {roman}"]
    return [f"ĐTBmhk{roman}", "ĐTBmcn"] if data.second_term else [f"ĐTBmhk{roman}"]


def _x_columns(data: ClassResults) -> list[_XColumn]:
    """Return the sheet's columns left to right."""
    columns = [_XColumn("STT", 5), _XColumn("Họ và tên", 26)]
    for number, column in enumerate(data.columns):
        columns += [_XColumn(sub, 8.5, number, sub.startswith("ĐTB")) for sub in _sub_headings(data, column)]
    if not data.primary:
        columns.append(_XColumn(f"KQHT HK {sheet.ROMAN[data.term.number]}", 11))
        if data.second_term:
            columns.append(_XColumn("KQHT cả năm", 11))
    columns.append(_XColumn("Ghi chú", 30))
    return columns


def _mark(value: Result | None) -> object:
    """Return a result as a cell holds it: a score, or Đ / CĐ / T / H / C."""
    return getattr(value, "value", value)


def _note(row: ResultRow) -> str | None:
    """Return the Ghi chú of a student whose level could not be computed, naming the missing subjects."""
    parts = []
    for label, standing in (("KQHT học kì", row.term), ("KQHT cả năm", row.year)):
        if standing is None or standing.level is not None:
            continue
        names = ", ".join(dict.fromkeys(s.name_vi for s in standing.missing))
        parts.append(f"Chưa tính {label}: thiếu kết quả {names}" if names else f"Chưa tính {label}")
    return "; ".join(parts) or None


def _x_values(data: ClassResults, number: int, row: ResultRow) -> list[object]:
    """Return a student's cells left to right."""
    values: list[object] = [number, row.student.full_name]
    for column, cell in zip(data.columns, row.cells, strict=True):
        if data.primary:
            values += [_mark(cell.result), cell.test] if column.has_test else [_mark(cell.result)]
        else:
            values += [_mark(cell.result), _mark(cell.year)] if data.second_term else [_mark(cell.result)]
    if not data.primary:
        for standing in (row.term, row.year) if data.second_term else (row.term,):
            values.append(standing.level.vi if standing is not None and standing.level is not None else None)
    values.append(_note(row))
    return values


def _x_header(ws: Worksheet, data: ClassResults, columns: list[_XColumn]) -> None:
    """Write the two header rows: each subject merged over its results, the other columns over both rows."""
    for index, column in enumerate(columns, start=1):
        for row in (HEADER_ROW, HEADER_ROW + 1):
            cell = ws.cell(row=row, column=index)
            cell.font, cell.alignment, cell.border = Font(name=sheet.FONT, size=11, bold=True), sheet.CENTRE, sheet.BOX
        ws.column_dimensions[get_column_letter(index)].width = column.width
        if column.group is None:
            ws.cell(row=HEADER_ROW, column=index, value=column.heading)
            ws.merge_cells(start_row=HEADER_ROW, start_column=index, end_row=HEADER_ROW + 1, end_column=index)
        else:
            ws.cell(row=HEADER_ROW + 1, column=index, value=column.heading)
    for number, subject in enumerate(data.columns):
        span = [i for i, c in enumerate(columns, start=1) if c.group == number]
        ws.cell(row=HEADER_ROW, column=span[0], value=_subject_heading(subject))
        if len(span) > 1:
            ws.merge_cells(start_row=HEADER_ROW, start_column=span[0], end_row=HEADER_ROW, end_column=span[-1])
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.row_dimensions[HEADER_ROW + 1].height = 22


def _x_body(ws: Worksheet, data: ClassResults, columns: list[_XColumn]) -> int:
    """Write one bordered row per student; return the last row written."""
    return sheet.write_rows(ws, FIRST_DATA_ROW,
                            (_x_values(data, number, student) for number, student in enumerate(data.rows, start=1)),
                            left={i for i, c in enumerate(columns, start=1) if c.heading in ("Họ và tên", "Ghi chú")},
                            formats={i: sheet.AVERAGE_FORMAT for i, c in enumerate(columns, start=1) if c.average},
                            wrap_left=True)


def workbook(data: ClassResults, *, today: date | None = None) -> Workbook:
    """Return a class's results of a term as the bảng tổng hợp workbook the homeroom teacher signs."""
    columns = _x_columns(data)
    width = len(columns)
    book = Workbook()
    ws = book.active
    roman = sheet.ROMAN[data.term.number]
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", f"Tổng hợp {data.klass.name} HK{roman}")[:31]
    school = data.klass.school
    sheet._merged_text(ws, 1, 1, 2, school.name.strip().upper(), bold=True)
    sheet._merged_text(ws, 1, 3, max(3, width), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    sheet._merged_text(ws, 2, 3, max(3, width), "Độc lập – Tự do – Hạnh phúc", bold=True)
    title = ("BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC" if data.primary else "BẢNG TỔNG HỢP KẾT QUẢ HỌC TẬP")
    sheet._merged_text(ws, sheet.TITLE_ROW, 1, width, title, bold=True, size=14)
    sheet._merged_text(ws, sheet.SUBTITLE_ROW, 1, width, f"Lớp {data.klass.name} – Học kì {roman} – "
                       f"Năm học {data.klass.academic_year.name}", bold=True)
    teacher = ", ".join(u.full_name for u in data.homeroom)
    sheet._merged_text(ws, sheet.TEACHER_ROW, 1, width, f"Giáo viên chủ nhiệm: {teacher}", italic=True)
    _x_header(ws, data, columns)
    last_row = _x_body(ws, data, columns)
    signed = _Signed(teacher=teacher, place=school.province.name if school.province else "",
                     signed_on=today or datetime.now(VIETNAM).date())
    if data.primary:
        legend = sheet.PrimarySheet(school=school.name, class_name=data.klass.name, subject="", teacher=teacher,
                                    term=data.term.number, school_year="",
                                    end_test=any(c.has_test for c in data.columns))
        sheet._legend(ws, legend, last_row)
    sheet._signature(ws, signed, last_row, width, label="GIÁO VIÊN CHỦ NHIỆM")  # type: ignore[arg-type]
    if data.primary:
        note = ws.cell(row=last_row + 10, column=1, value=PRIMARY_YEAR_NOTE)
        note.font = Font(name=sheet.FONT, size=11, italic=True)
    sheet._print_setup(ws, header_row=HEADER_ROW)
    return book


def xlsx(data: ClassResults, *, today: date | None = None) -> bytes:
    """Return a class's results of a term as .xlsx bytes."""
    return workbook_bytes(workbook(data, today=today))


def filename(data: ClassResults) -> str:
    """Return an ASCII file name such as tong-hop-ket-qua-6a-hk1-2025-2026.xlsx."""
    parts = ["tong hop ket qua", data.klass.name, f"hk{data.term.number}", data.klass.academic_year.name]
    return "-".join(fold(part).replace(" ", "-") for part in parts if fold(part)) + ".xlsx"
