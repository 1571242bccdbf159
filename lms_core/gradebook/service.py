"""Rules of the gradebook: who sees and keeps which sổ điểm, opening one for a course's class and term,
entering marks (all-or-nothing, audited), mapping columns to graded activities and pulling their scores,
the averages and levels of Thông tư 22 / 27 (from rules.py), the sổ điểm export, and a student's own view.

Scores pulled from an activity take the student's latest graded attempt: the mark a teacher gave last is the
one they stand behind, and a resubmission replaces the work it improves on (the best attempt would keep a
score of work the student has since replaced). An activity type may say itself what its score is (its `scores`
function: a quiz gives the best attempt). A pull never touches a mark a teacher typed or overrode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from lms_core import permissions
from lms_core.accounts.manage_pages import VIETNAM
from lms_core.accounts.models import ClassEnrolment, Role, User
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Completion, Course, Submission, course_teachers
from lms_core.db import utcnow
from lms_core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from lms_core.gradebook import rules, sheet
from lms_core.gradebook.models import GradeAudit, Gradebook, GradeColumn, GradeEntry, Kind, Mode, Source
from lms_core.i18n import N_
from lms_core.org.models import SchoolClass, Subject, Term
from lms_core.plugins.types import ActivityType
from lms_core.text import fold, nfc

GRADEBOOK_NOT_FOUND = N_("This gradebook does not exist.")
NOT_A_CLASS_OF_COURSE = N_("This class does not take this course.")
NOT_A_TERM_OF_YEAR = N_("This term is not in the course's school year.")
NOT_A_COLUMN = N_("This assessment is not in this gradebook.")
NOT_IN_CLASS = N_("This student is not in the class.")
REASON_NEEDED = N_("This score came from an activity: give a reason to change it.")
REASON_TOO_LONG = N_("A reason may have at most 500 characters.")
CELLS_REFUSED = N_("Nothing was saved: correct the marked cells and save again.")
ONLY_SCORES_FLOW = N_("Only scores flow from activities; this gradebook records comments or levels.")
NOT_GRADED_ACTIVITY = N_("Choose an assignment or a quiz of this course: an activity that is handed in or passed.")
ACTIVITY_TWICE = N_("This activity already feeds another assessment of this gradebook.")
PERIODS_FIXED = N_("In this gradebook the number of regular assessments does not depend on the periods.")
COLUMN_HOLDS_MARKS = N_("ĐĐGtx {number} already holds marks: clear them before lowering the number of regular "
                        "assessments.")
MISSING_LEVEL = N_("The end-of-term level is missing.")

# Column order on the grid and the sheet; primary puts each periodic test after its level.
POSITIONS = {Kind.gk: 10, Kind.test_gk: 11, Kind.ck: 12, Kind.test_ck: 13}
GRADED = (Completion.submitted, Completion.passed)

# Periods per year of the 2018 programme (Thông tư 32/2018) for lower (6–9) and upper (10–12) secondary,
# recalled, not checked against the programme here: a default the teacher sees and may change (the content
# plugin, which holds the curriculum, can feed better figures through default_periods_per_year later).
LOWER_PERIODS = {"NV": 140, "TOAN": 140, "NN1": 105, "TA": 105, "THAN": 105, "NN2": 105, "GDCD": 35,
                 "LSDL": 105, "KHTN": 140, "CN": 35, "TIN": 35, "GDTC": 70, "NT": 70, "AN": 70, "MT": 70,
                 "HDTNHN": 105, "GDDP": 35}
UPPER_PERIODS = {"NV": 105, "TOAN": 105, "NN1": 105, "TA": 105, "THAN": 105, "LS": 52, "GDTC": 70,
                 "QPAN": 35, "HDTNHN": 105, "GDDP": 35, "CD": 35}
FALLBACK_PERIODS = 70


def default_periods_per_year(*, subject_code: str, grade: int) -> int:
    """Return the periods per year a subject usually has in a grade (a default the teacher may change)."""
    if grade >= 10:
        return UPPER_PERIODS.get(subject_code, FALLBACK_PERIODS)
    if subject_code == "CN" and grade >= 8:
        return 52
    return LOWER_PERIODS.get(subject_code, FALLBACK_PERIODS)


class CellsRefused(Invalid):
    """Some marks of a grid could not be saved; `cells` maps (column id, student id) to each refusal."""

    def __init__(self, cells: dict[tuple[int, int], DomainError]) -> None:
        super().__init__(CELLS_REFUSED)
        self.cells = cells


# --- permissions --------------------------------------------------------------------------------

def _teaches_course(actor: User, course_id: Any) -> ColumnElement[bool]:
    return exists().where(course_teachers.c.course_id == course_id, course_teachers.c.user_id == actor.id)


def may_keep(actor: User, course: Course) -> bool:
    """Return whether the actor keeps the gradebooks of a course: one of its teachers, teaching at its school."""
    return (course.school_id in actor.school_ids(Role.teacher) and any(t.id == actor.id for t in course.teachers))


@permissions.rule("gradebook.view", Gradebook)
def gradebook_view(actor: User, gradebook: Gradebook) -> bool:
    """Return whether the actor may read a gradebook: a teacher of its course, or an administrator of its school."""
    db = object_session(gradebook)
    return bool(db and db.scalar(select(exists().where(Gradebook.id == gradebook.id, gradebook_view_scope(actor)))))


@gradebook_view.scope
def gradebook_view_scope(actor: User) -> ColumnElement[bool]:
    """Return the WHERE clause of the gradebooks the actor may read."""
    admin = Course.school_id.in_(actor.school_ids(Role.school_admin))
    teacher = and_(_teaches_course(actor, Course.id), Course.school_id.in_(actor.school_ids(Role.teacher)))
    return Gradebook.course_id.in_(select(Course.id).where(or_(admin, teacher)))


@permissions.rule("gradebook.edit", Gradebook)
def gradebook_edit(actor: User, gradebook: Gradebook) -> bool:
    """Return whether the actor keeps a gradebook (school administrators only read)."""
    db = object_session(gradebook)
    course = db.get(Course, gradebook.course_id) if db else None
    return course is not None and may_keep(actor, course)


@gradebook_edit.scope
def gradebook_edit_scope(actor: User) -> ColumnElement[bool]:
    """Return the WHERE clause of the gradebooks the actor keeps."""
    schools = actor.school_ids(Role.teacher)
    if not schools:
        return false()
    return Gradebook.course_id.in_(select(Course.id).where(_teaches_course(actor, Course.id),
                                                           Course.school_id.in_(schools)))


def get_gradebook(*, db: Session, actor: User, gradebook_id: int) -> Gradebook:
    """Return a gradebook the actor may read (unknown and hidden both read 'not found')."""
    gradebook = db.get(Gradebook, gradebook_id)
    if gradebook is None or not permissions.can(actor, "gradebook.view", gradebook):
        raise NotFound(GRADEBOOK_NOT_FOUND)
    return gradebook


def editable_gradebook(*, db: Session, actor: User, gradebook_id: int) -> Gradebook:
    """Return a gradebook the actor keeps; one they may only read is forbidden."""
    gradebook = get_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    permissions.require(actor, "gradebook.edit", gradebook)
    return gradebook


# --- opening ------------------------------------------------------------------------------------

def mode_for(*, subject_code: str, grade: int) -> Mode:
    """Return how a subject is assessed in a grade: primary levels, comments, or scores."""
    if grade <= 5:
        return Mode.primary
    return Mode.comment if subject_code in rules.COMMENT_ASSESSED_SUBJECTS else Mode.score


def _regular_count(gradebook: Gradebook) -> int:
    if gradebook.mode == Mode.primary:
        return 0
    return rules.required_regular_count(periods_per_year=gradebook.periods_per_year,
                                        comment_assessed=gradebook.mode == Mode.comment)


def _primary_tests(subject_code: str, grade: int, term: int) -> list[Kind]:
    tests = rules.periodic_tests(subject_code=subject_code, grade=grade)
    mid = rules.PeriodicTest.MID_TERM_1 if term == 1 else rules.PeriodicTest.MID_TERM_2
    end = rules.PeriodicTest.END_TERM_1 if term == 1 else rules.PeriodicTest.END_OF_YEAR
    return [kind for kind, test in ((Kind.test_gk, mid), (Kind.test_ck, end)) if test in tests]


def _new_columns(gradebook: Gradebook, subject_code: str, grade: int, term: int) -> list[GradeColumn]:
    if gradebook.mode == Mode.primary:
        kinds = [Kind.gk, Kind.ck, *_primary_tests(subject_code, grade, term)]
        return [GradeColumn(kind=k, number=1, position=POSITIONS[k]) for k in kinds]
    regular = [GradeColumn(kind=Kind.tx, number=n, position=n) for n in range(1, _regular_count(gradebook) + 1)]
    return [*regular, *(GradeColumn(kind=k, number=1, position=POSITIONS[k]) for k in (Kind.gk, Kind.ck))]


def open_gradebook(*, db: Session, actor: User, course_id: int, class_id: int, term_id: int) -> Gradebook:
    """Return the gradebook of a course's class for a term, creating it with its columns the first time."""
    course = courses.get_course(db=db, actor=actor, course_id=course_id)
    if not may_keep(actor, course):
        raise Forbidden(permissions.NOT_ALLOWED)
    if class_id not in {c.id for c in course.classes}:
        raise Invalid(NOT_A_CLASS_OF_COURSE)
    term = db.get(Term, term_id)
    if term is None or term.academic_year_id != course.academic_year_id:
        raise Invalid(NOT_A_TERM_OF_YEAR)
    query = select(Gradebook).where(Gradebook.course_id == course.id, Gradebook.class_id == class_id,
                                    Gradebook.term_id == term.id)
    found = db.scalar(query)
    if found is not None:
        return found
    subject = db.get(Subject, course.subject_id)
    code = subject.code if subject else ""
    gradebook = Gradebook(course_id=course.id, class_id=class_id, term_id=term.id, created_by_id=actor.id,
                          mode=mode_for(subject_code=code, grade=course.grade),
                          periods_per_year=default_periods_per_year(subject_code=code, grade=course.grade))
    gradebook.columns = _new_columns(gradebook, code, course.grade, term.number)
    try:
        db.add(gradebook)
        db.commit()
    except IntegrityError:  # opened by a colleague at the same moment
        db.rollback()
        return db.scalars(query).one()
    except BaseException:
        db.rollback()
        raise
    return gradebook


def set_periods(*, db: Session, actor: User, gradebook_id: int, periods_per_year: int) -> Gradebook:
    """Change a scored gradebook's periods per year, adding or removing (empty) ĐĐGtx columns to match."""
    gradebook = editable_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    if gradebook.mode != Mode.score:
        raise Invalid(PERIODS_FIXED)
    wanted = rules.required_regular_count(periods_per_year=periods_per_year)
    regular = [c for c in gradebook.columns if c.kind == Kind.tx]
    try:
        for column in regular[wanted:]:
            if db.scalar(select(exists().where(GradeEntry.column_id == column.id))):
                raise Conflict(COLUMN_HOLDS_MARKS, number=column.number)
            gradebook.columns.remove(column)
        for number in range(len(regular) + 1, wanted + 1):
            gradebook.columns.append(GradeColumn(kind=Kind.tx, number=number, position=number))
        gradebook.periods_per_year = periods_per_year
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return gradebook


# --- values ---------------------------------------------------------------------------------------

def column_code(column: GradeColumn) -> str:
    """Return a column's short code (tx2, gk1, test_ck1), kept in the audit."""
    return f"{column.kind}{column.number}"


def parse_mark(gradebook: Gradebook, column: GradeColumn, text: str) -> tuple[Decimal | None, str | None]:
    """Return (score, mark) for what a teacher typed in a column, refusing what the column cannot hold."""
    if gradebook.mode == Mode.score:
        return rules.score(text), None
    if gradebook.mode == Mode.comment:
        return None, rules.comment(text).value
    if _is_test(column):
        return Decimal(rules.periodic_test_score(text)), None
    return None, rules.subject_level(text).value


def value_text(score: Decimal | None, mark: str | None, *, whole: bool = False) -> str | None:
    """Return a stored value as plain text (8.5, Đ, T; a primary test score as 7) for the audit and comparison."""
    if mark is not None:
        return mark
    if score is None:
        return None
    return str(int(score)) if whole else str(Decimal(score).quantize(Decimal("0.1")))


def _is_test(column: GradeColumn) -> bool:
    return column.kind in (Kind.test_gk, Kind.test_ck)


def _entry_text(column: GradeColumn, entry: GradeEntry | None) -> str | None:
    if entry is None:
        return None
    return value_text(Decimal(entry.score) if entry.score is not None else None, entry.mark, whole=_is_test(column))


def roll(*, db: Session, gradebook: Gradebook) -> list[User]:
    """Return the class's students in sổ điểm order: by given name (the last word), then the whole name."""
    course = db.get(Course, gradebook.course_id)
    students = courses.students_of(db=db, course=course, class_id=gradebook.class_id) if course else []
    return sorted(students, key=lambda s: (fold(s.full_name.split()[-1] if s.full_name.split() else ""),
                                           fold(s.full_name), s.id))


def _entries(db: Session, gradebook: Gradebook, student_ids: Iterable[int] | None = None
             ) -> dict[tuple[int, int], GradeEntry]:
    column_ids = [c.id for c in gradebook.columns]
    if not column_ids:
        return {}
    query = select(GradeEntry).where(GradeEntry.column_id.in_(column_ids))
    if student_ids is not None:
        query = query.where(GradeEntry.student_id.in_(list(student_ids)))
    return {(e.column_id, e.student_id): e for e in db.scalars(query)}


def _audit(db: Session, gradebook: Gradebook, column: GradeColumn, student_id: int, actor: User, action: str,
           old: str | None, new: str | None, reason: str = "") -> None:
    db.add(GradeAudit(gradebook_id=gradebook.id, column_id=column.id, column_label=column_code(column),
                      student_id=student_id, action=action, old_value=old, new_value=new, reason=reason,
                      actor_id=actor.id, at=utcnow()))


def _reason(text: str) -> str:
    reason = " ".join(nfc(text or "").split())
    if len(reason) > 500:
        raise Invalid(REASON_TOO_LONG)
    return reason


def enter_marks(*, db: Session, actor: User, gradebook_id: int, marks: Mapping[tuple[int, int], str],
                reason: str = "") -> int:
    """Save typed marks keyed by (column id, student id), empty text clearing one; return how many changed.

    All or nothing: any refused cell (not a mark for its column, a student not in the class, a pulled score
    changed without a reason) raises CellsRefused naming every such cell, and nothing is stored. Every
    change writes an audit row; changing a score that came from an activity makes it an override."""
    gradebook = editable_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    why = _reason(reason)
    columns = {c.id: c for c in gradebook.columns}
    students = {s.id for s in roll(db=db, gradebook=gradebook)}
    stored = _entries(db, gradebook, students)
    errors: dict[tuple[int, int], DomainError] = {}
    changes: list[tuple[GradeColumn, int, GradeEntry | None, Decimal | None, str | None]] = []
    for (column_id, student_id), raw in marks.items():
        column = columns.get(column_id)
        text = nfc(raw or "").strip()
        if (column is None or student_id not in students) and not text:
            continue  # an empty cell of a column or student gone since the page was drawn
        if column is None:
            errors[(column_id, student_id)] = Invalid(NOT_A_COLUMN)
            continue
        if student_id not in students:
            errors[(column_id, student_id)] = Invalid(NOT_IN_CLASS)
            continue
        try:
            new_score, new_mark = parse_mark(gradebook, column, text) if text else (None, None)
        except Invalid as exc:
            errors[(column_id, student_id)] = exc
            continue
        entry = stored.get((column_id, student_id))
        old = _entry_text(column, entry)
        new = value_text(new_score, new_mark, whole=_is_test(column))
        if old == new:
            continue
        if entry is not None and entry.source == Source.activity and not why:
            errors[(column_id, student_id)] = Invalid(REASON_NEEDED)
            continue
        changes.append((column, student_id, entry, new_score, new_mark))
    if errors:
        raise CellsRefused(errors)
    try:
        for column, student_id, entry, new_score, new_mark in changes:
            old = _entry_text(column, entry)
            new = value_text(new_score, new_mark, whole=_is_test(column))
            pulled = entry is not None and entry.source in (Source.activity, Source.override)
            if new is None:
                action = "cleared"
                db.delete(entry)
            elif entry is None:
                action = "entered"
                db.add(GradeEntry(column_id=column.id, student_id=student_id, score=new_score, mark=new_mark,
                                  source=Source.manual, updated_by_id=actor.id, updated_at=utcnow()))
            else:
                action = "override" if entry.source == Source.activity else "changed"
                entry.score, entry.mark = new_score, new_mark
                entry.source = Source.override if pulled else Source.manual
                entry.updated_by_id, entry.updated_at = actor.id, utcnow()
            _audit(db, gradebook, column, student_id, actor, action, old, new, why)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return len(changes)


# --- activities ---------------------------------------------------------------------------------

def graded_activities(*, db: Session, gradebook: Gradebook) -> list[Activity]:
    """Return the course's activities whose work is graded (handed in or passed), in course order."""
    return list(db.scalars(select(Activity).where(Activity.course_id == gradebook.course_id,
                                                  Activity.completion.in_([str(c) for c in GRADED]))
                           .order_by(Activity.lesson_id, Activity.position, Activity.id)))


def map_column(*, db: Session, actor: User, gradebook_id: int, column_id: int, activity_id: int | None) -> GradeColumn:
    """Make a graded activity of the course feed a column (None stops it); marks move only when pulled."""
    gradebook = editable_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    column = next((c for c in gradebook.columns if c.id == column_id), None)
    if column is None:
        raise Invalid(NOT_A_COLUMN)
    if activity_id is not None:
        if gradebook.mode != Mode.score:
            raise Invalid(ONLY_SCORES_FLOW)
        activity = db.get(Activity, activity_id)
        if activity is None or activity.course_id != gradebook.course_id or activity.completion not in GRADED:
            raise Invalid(NOT_GRADED_ACTIVITY)
        if any(c.activity_id == activity_id and c.id != column.id for c in gradebook.columns):
            raise Invalid(ACTIVITY_TWICE)
    try:
        column.activity_id = activity_id
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return column


@dataclass
class PullReport:
    """What pulling scores from activities did."""

    added: int = 0
    updated: int = 0
    kept: int = 0  # marks typed or overridden by a teacher, left as they were
    without_score: int = 0  # students with no graded attempt yet


def latest_graded(db: Session, activity_id: int, student_ids: Iterable[int]) -> dict[int, Submission]:
    """Return each student's latest graded attempt of an activity."""
    ids = list(student_ids)
    if not ids:
        return {}
    found: dict[int, Submission] = {}
    for sub in db.scalars(select(Submission).where(Submission.activity_id == activity_id,
                                                   Submission.student_id.in_(ids), Submission.score.is_not(None))
                          .order_by(Submission.student_id, Submission.attempt.desc())):
        found.setdefault(sub.student_id, sub)
    return found


def _activity_scores(db: Session, activity: Activity | None, kinds: Mapping[str, ActivityType],
                     students: list[int]) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Return an activity's scores by student and the submission each came from (when it came from one).

    An activity type with a `scores` function says itself what counts (a quiz: the best attempt); any other
    gives its latest graded Submission (the assignment's rule, above)."""
    kind = kinds.get(activity.type) if activity is not None else None
    if kind is not None and kind.scores is not None:
        return dict(kind.scores(db=db, activity=activity, student_ids=students)), {}
    subs = latest_graded(db, activity.id, students) if activity is not None else {}
    return {sid: Decimal(sub.score) for sid, sub in subs.items()}, {sid: sub.id for sid, sub in subs.items()}


def pull_from_activities(*, db: Session, actor: User, gradebook_id: int,
                         types: Mapping[str, ActivityType] | None = None) -> PullReport:
    """Copy the scores of the mapped activities into their columns, keeping teachers' own marks.

    `types` are the registered activity types (the core's own when not given)."""
    from lms_core.courses.activity_types import core_types

    kinds = types if types is not None else {t.name: t for t in core_types()}
    gradebook = editable_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    students = [s.id for s in roll(db=db, gradebook=gradebook)]
    stored = _entries(db, gradebook, students)
    report = PullReport()
    try:
        for column in [c for c in gradebook.columns if c.activity_id is not None]:
            given, sources = _activity_scores(db, db.get(Activity, column.activity_id), kinds, students)
            for student_id in students:
                entry, score = stored.get((column.id, student_id)), given.get(student_id)
                if entry is not None and entry.source != Source.activity:
                    report.kept += 1
                    continue
                if score is None:
                    report.without_score += 1
                    continue
                new_score, source_id = rules.score(score), sources.get(student_id)
                old = _entry_text(column, entry)
                if entry is None:
                    db.add(GradeEntry(column_id=column.id, student_id=student_id, score=new_score,
                                      source=Source.activity, submission_id=source_id, updated_by_id=actor.id,
                                      updated_at=utcnow()))
                    report.added += 1
                elif old != value_text(new_score, None) or entry.submission_id != source_id:
                    entry.score, entry.submission_id = new_score, source_id
                    entry.updated_by_id, entry.updated_at = actor.id, utcnow()
                    report.updated += 1
                else:
                    continue
                _audit(db, gradebook, column, student_id, actor, "pulled", old, value_text(new_score, None))
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return report


# --- results ------------------------------------------------------------------------------------

Result = Decimal | rules.Comment | rules.SubjectLevel


@dataclass
class Line:
    """One student's row: marks by column id, the term's result (or why it is missing), and on the second
    term the first term's result and the year's."""

    student: User
    entries: dict[int, GradeEntry] = field(default_factory=dict)
    result: Result | None = None
    missing: DomainError | None = None
    first_term: Result | None = None
    year: Result | None = None


@dataclass
class Grid:
    """A gradebook as pages, the export and a student's view show it."""

    gradebook: Gradebook
    course: Course
    klass: SchoolClass
    term: Term
    subject: Subject
    columns: list[GradeColumn]
    lines: list[Line]

    @property
    def regular(self) -> list[GradeColumn]:
        """Return the ĐĐGtx columns."""
        return [c for c in self.columns if c.kind == Kind.tx]


def _value(entry: GradeEntry | None) -> Any:
    if entry is None:
        return None
    return entry.mark if entry.mark is not None else Decimal(entry.score)


def _term_result(gradebook: Gradebook, columns: list[GradeColumn], entries: dict[int, GradeEntry]
                 ) -> tuple[Result | None, DomainError | None]:
    """Return a student's result of a term from their marks: ĐTBmhk, Đ / CĐ, or the end-of-term level."""
    def of(kind: Kind) -> Any:
        column = next((c for c in columns if c.kind == kind), None)
        return _value(entries.get(column.id)) if column else None

    try:
        if gradebook.mode == Mode.primary:
            level = of(Kind.ck)
            return (rules.subject_level(level), None) if level else (None, rules.Incomplete(MISSING_LEVEL))
        regular = [_value(entries.get(c.id)) for c in columns if c.kind == Kind.tx]
        if gradebook.mode == Mode.comment:
            return rules.comment_term_result(regular=regular, midterm=of(Kind.gk), final=of(Kind.ck),
                                             required_regular=len(regular)), None
        return rules.term_average(regular=regular, midterm=of(Kind.gk), final=of(Kind.ck),
                                  required_regular=len(regular)), None
    except Invalid as exc:
        return None, exc


def _lines(db: Session, gradebook: Gradebook, students: list[User]) -> list[Line]:
    entries = _entries(db, gradebook, [s.id for s in students])
    lines = []
    for student in students:
        mine = {c.id: entries[(c.id, student.id)] for c in gradebook.columns if (c.id, student.id) in entries}
        result, missing = _term_result(gradebook, gradebook.columns, mine)
        lines.append(Line(student=student, entries=mine, result=result, missing=missing))
    return lines


def _year_results(db: Session, gradebook: Gradebook, term: Term, lines: list[Line]) -> None:
    """On the second term, fill in the first term's result and the year's (Thông tư 22 Điều 9; Thông tư 27)."""
    if term.number != 2:
        return
    first = db.scalar(select(Gradebook).join(Term, Term.id == Gradebook.term_id).where(
        Gradebook.course_id == gradebook.course_id, Gradebook.class_id == gradebook.class_id, Term.number == 1,
        Term.academic_year_id == term.academic_year_id))
    earlier = {line.student.id: line.result for line in _lines(db, first, [x.student for x in lines])} if first else {}
    for line in lines:
        line.first_term = earlier.get(line.student.id)
        if line.result is None:
            continue
        if gradebook.mode == Mode.score:
            if line.first_term is not None:
                line.year = rules.year_average(first_term=line.first_term, second_term=line.result)
        elif gradebook.mode == Mode.comment:
            line.year = rules.comment_year_result(second_term=line.result)
        else:
            line.year = line.result  # the end-of-year level is the second term's end-of-term level


def _grid(db: Session, gradebook: Gradebook, students: list[User]) -> Grid:
    term = db.get(Term, gradebook.term_id)
    course = db.get(Course, gradebook.course_id)
    lines = _lines(db, gradebook, students)
    _year_results(db, gradebook, term, lines)
    return Grid(gradebook=gradebook, course=course, klass=db.get(SchoolClass, gradebook.class_id), term=term,
                subject=db.get(Subject, course.subject_id), columns=list(gradebook.columns), lines=lines)


def grid(*, db: Session, actor: User, gradebook_id: int) -> Grid:
    """Return a gradebook with every student of the class, their marks and results, for a reader of it."""
    gradebook = get_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    return _grid(db, gradebook, roll(db=db, gradebook=gradebook))


def my_grades(*, db: Session, actor: User) -> list[Grid]:
    """Return the gradebooks of the actor's own classes, each holding only the actor's own line."""
    mine = select(ClassEnrolment.class_id).where(ClassEnrolment.student_id == actor.id)
    gradebooks = db.scalars(select(Gradebook).join(Term, Term.id == Gradebook.term_id)
                            .join(Course, Course.id == Gradebook.course_id)
                            .where(Gradebook.class_id.in_(mine), Course.archived.is_(False))
                            .order_by(Term.academic_year_id.desc(), Course.title, Term.number))
    return [_grid(db, gb, [actor]) for gb in gradebooks]


def history(*, db: Session, actor: User, gradebook_id: int, limit: int = 500) -> list[GradeAudit]:
    """Return a gradebook's audit, newest first, for a reader of it."""
    gradebook = get_gradebook(db=db, actor=actor, gradebook_id=gradebook_id)
    return list(db.scalars(select(GradeAudit).where(GradeAudit.gradebook_id == gradebook.id)
                           .order_by(GradeAudit.at.desc(), GradeAudit.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Slot:
    """A course's class in one term, with its gradebook once opened."""

    course: Course
    klass: SchoolClass
    term: Term
    gradebook: Gradebook | None
    may_open: bool


def overview(*, db: Session, actor: User) -> list[Slot]:
    """Return the gradebooks a teacher keeps or may open, and those a school admin may read, in order."""
    opened = {(g.course_id, g.class_id, g.term_id): g for g in
              db.scalars(select(Gradebook).where(permissions.visible(actor, "gradebook.view")))}
    slots: dict[tuple[int, int, int], Slot] = {}
    for course in courses.list_courses(db=db, actor=actor):
        if not may_keep(actor, course):
            continue
        terms = db.scalars(select(Term).where(Term.academic_year_id == course.academic_year_id).order_by(Term.number))
        for term in terms:
            for klass in course.classes:
                key = (course.id, klass.id, term.id)
                slots[key] = Slot(course, klass, term, opened.get(key), True)
    for key, gradebook in opened.items():
        if key not in slots:
            slots[key] = Slot(db.get(Course, key[0]), db.get(SchoolClass, key[1]), db.get(Term, key[2]), gradebook,
                              False)
    return sorted(slots.values(), key=lambda s: (-s.term.academic_year_id, s.course.grade, s.course.title,
                                                 s.klass.name, s.term.number))


# --- export -------------------------------------------------------------------------------------

def _primary_sheet(data: Grid, today: date | None) -> sheet.PrimarySheet:
    """Return the summary of a primary gradebook: each pupil's levels and periodic test scores of the term."""
    kinds = {c.kind: c for c in data.columns}

    def of(line: Line, kind: Kind) -> Any:
        return _value(line.entries.get(kinds[kind].id)) if kind in kinds else None

    rows = [sheet.PrimaryRow(name=line.student.full_name, mid_level=of(line, Kind.gk), mid_test=of(line, Kind.test_gk),
                             end_level=of(line, Kind.ck), end_test=of(line, Kind.test_ck)) for line in data.lines]
    school, year = data.klass.school, data.term.academic_year
    return sheet.PrimarySheet(
        school=school.name, class_name=data.klass.name, subject=data.subject.name_vi,
        teacher=", ".join(t.full_name for t in data.course.teachers), term=data.term.number,
        school_year=year.name if year else "", rows=rows, mid_term_test=Kind.test_gk in kinds,
        end_test=Kind.test_ck in kinds, place=school.province.name if school.province else "",
        signed_on=today or datetime.now(VIETNAM).date())


def sheet_for(*, db: Session, actor: User, gradebook_id: int, today: date | None = None
              ) -> sheet.GradeSheet | sheet.PrimarySheet:
    """Return the sổ điểm of a gradebook (the summary of levels and tests in primary) for a reader of it."""
    data = grid(db=db, actor=actor, gradebook_id=gradebook_id)
    if data.gradebook.mode == Mode.primary:
        return _primary_sheet(data, today)

    def mark(value: Any) -> Any:
        return value.value if isinstance(value, rules.Comment) else value

    def of(line: Line, kind: Kind) -> Any:
        column = next(c for c in data.columns if c.kind == kind)
        return _value(line.entries.get(column.id))

    second = data.term.number == 2
    rows = [sheet.SheetRow(name=line.student.full_name,
                           regular=[_value(line.entries.get(c.id)) for c in data.regular],
                           midterm=of(line, Kind.gk), final=of(line, Kind.ck), term_result=mark(line.result),
                           first_term_result=mark(line.first_term) if second else None,
                           year_result=mark(line.year) if second else None)
            for line in data.lines]
    school = data.klass.school
    year = data.term.academic_year
    return sheet.GradeSheet(
        school=school.name, class_name=data.klass.name, subject=data.subject.name_vi,
        teacher=", ".join(t.full_name for t in data.course.teachers), term=data.term.number,
        school_year=year.name if year else "", regular_columns=max(1, len(data.regular)),
        rows=rows, comment_assessed=data.gradebook.mode == Mode.comment,
        place=school.province.name if school.province else "",
        signed_on=today or datetime.now(VIETNAM).date())
