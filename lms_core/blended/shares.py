"""Online shares of the curriculum, read from the aggregates the worker keeps current.

A share is the periods delivered online in a window of weeks divided by the curriculum periods planned in those
weeks. Targets are the province's per school level and year (defaults: 5 % primary, 10 % lower and upper
secondary); a class's level is its grade's, so a multi-level school is held to each grade's target and any sum of
rows carries the target of its periods (the period-weighted mean of the targets that apply). Every query joins the
schools the actor may report on, so no figure of a school outside their area can be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.blended.models import ClassWeek, OnlineTarget, SchoolWeek
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, District, Province, School, SchoolClass, Subject, Term

DEFAULT_TARGETS = {"primary": 5.0, "lower_secondary": 10.0, "upper_secondary": 10.0}
LEVELS = tuple(DEFAULT_TARGETS)
LEVEL_NAMES = {"primary": N_("Primary"), "lower_secondary": N_("Lower secondary"),
               "upper_secondary": N_("Upper secondary")}
MAX_WEEK = 53
SCOPES = ("province", "district", "school", "class")
DIMENSIONS = ("district", "school", "level", "grade", "class", "subject", "week")

NO_ACCESS = N_("You cannot see the blended-learning figures of this unit.")
UNIT_NOT_FOUND = N_("This unit does not exist.")
YEAR_NOT_FOUND = N_("This school year does not exist.")
TERM_NOT_FOUND = N_("This term does not exist in the school year.")
BAD_WEEK = N_("Choose a week from 1 to {weeks}.")
BAD_WINDOW = N_("Choose a week, a term, the year so far or the whole year.")
BAD_TARGET = N_("A target is a percentage from 0 to 100.")
BAD_LEVEL = N_("Choose primary, lower secondary or upper secondary.")


def grade_level(grade: int) -> str:
    """Return the school level whose target applies to a grade."""
    return "primary" if grade <= 5 else "lower_secondary" if grade <= 9 else "upper_secondary"


@dataclass
class Figures:
    """Periods of a unit in a window: planned (all, online), delivered (all, online), and the target they carry."""

    planned_total: int = 0
    planned_online: int = 0
    delivered_total: int = 0
    delivered_online: int = 0
    target_points: float = 0.0  # Σ planned periods × the target (percent) that applies to them

    @staticmethod
    def _percent(part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    @property
    def share(self) -> float:
        """Return periods delivered online ÷ curriculum periods, in percent (one decimal)."""
        return self._percent(self.delivered_online, self.planned_total)

    @property
    def planned_share(self) -> float:
        """Return periods planned online ÷ curriculum periods, in percent."""
        return self._percent(self.planned_online, self.planned_total)

    @property
    def delivered_percent(self) -> float:
        """Return periods delivered (any mode) ÷ curriculum periods, in percent."""
        return self._percent(self.delivered_total, self.planned_total)

    @property
    def target(self) -> float:
        """Return the target that applies, in percent (one decimal)."""
        return round(self.target_points / self.planned_total, 1) if self.planned_total else 0.0

    @property
    def meets_target(self) -> bool:
        """Return whether the online share reaches the target."""
        return self.planned_total > 0 and self.share >= self.target

    @property
    def gap(self) -> float:
        """Return the percentage points missing to reach the target (0 when reached)."""
        return round(max(0.0, self.target - self.share), 1)

    def add(self, other: Figures) -> None:
        """Add another unit's periods to these."""
        self.planned_total += other.planned_total
        self.planned_online += other.planned_online
        self.delivered_total += other.delivered_total
        self.delivered_online += other.delivered_online
        self.target_points += other.target_points


@dataclass(frozen=True)
class Window:
    """Weeks first..last of a school year (inclusive), and what they are: a week, a term, the year so far or the
    whole year."""

    year_id: int
    kind: str
    first: int
    last: int
    term_number: int | None = None


@dataclass(frozen=True)
class Scope:
    """The unit figures are asked for."""

    kind: str  # province | district | school | class
    id: int


@dataclass
class Row:
    """One group of a breakdown: its key (ids or values, per dimension), a label, its figures."""

    key: tuple[Any, ...]
    label: str
    figures: Figures
    extra: dict[str, Any] = field(default_factory=dict)


def week_of(year: AcademicYear, day: date) -> int:
    """Return the school week (1..53) of a date, counted from the year's start."""
    return min(MAX_WEEK, max(1, (day - year.start_date).days // 7 + 1))


def weeks_in(year: AcademicYear) -> int:
    """Return how many school weeks a year spans."""
    return week_of(year, year.end_date)


def window(*, db: Session, year_id: int, kind: str = "to_date", week: int | None = None,
           term_number: int | None = None, today: date | None = None) -> Window:
    """Return the window of weeks for a week, a term, the year so far ("to_date") or the whole year."""
    year = db.get(AcademicYear, year_id)
    if year is None:
        raise NotFound(YEAR_NOT_FOUND)
    last_week = weeks_in(year)
    if kind == "year":
        return Window(year.id, kind, 1, MAX_WEEK)
    if kind == "to_date":
        return Window(year.id, kind, 1, week_of(year, min(max(today or date.today(), year.start_date),
                                                          year.end_date)))
    if kind == "week":
        if not isinstance(week, int) or not 1 <= week <= last_week:
            raise Invalid(BAD_WEEK, weeks=last_week)
        return Window(year.id, kind, week, week)
    if kind == "term":
        term = db.scalar(select(Term).where(Term.academic_year_id == year.id, Term.number == term_number))
        if term is None:
            raise NotFound(TERM_NOT_FOUND)
        first = week_of(year, term.start_date)
        # a week shared with the previous term's end belongs to that term: no week counts twice in a year
        before = db.scalar(select(func.max(Term.end_date)).where(Term.academic_year_id == year.id,
                                                                  Term.number < term.number))
        if before is not None and week_of(year, before) >= first:
            first = week_of(year, before) + 1
        return Window(year.id, kind, first, max(first, week_of(year, term.end_date)), term.number)
    raise Invalid(BAD_WINDOW)


# --- who may see what -------------------------------------------------------------------------------------------

def reportable_schools(actor: User) -> ColumnElement[bool]:
    """The schools whose figures an actor may read: a system admin all, department staff their area, a school
    admin their school."""
    if actor is None or not actor.is_active:
        return literal(False)
    if actor.has_role(Role.system_admin):
        return true()
    return or_(School.id.in_(actor.school_ids(Role.school_admin)),
               permissions.school_area_clause(actor, School.province_id, School.district_id))


def check_scope(*, db: Session, actor: User, scope: Scope) -> Any:
    """Return the unit of a scope (a Province, District, School or SchoolClass) if the actor may report on it."""
    model = {"province": Province, "district": District, "school": School, "class": SchoolClass}.get(scope.kind)
    unit = db.get(model, scope.id) if model is not None and isinstance(scope.id, int) else None
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND)
    if actor.has_role(Role.system_admin):
        return unit
    provinces, districts = permissions.area_of(actor)
    if scope.kind == "province":
        allowed = unit.id in provinces
    elif scope.kind == "district":
        allowed = unit.id in districts or unit.province_id in provinces
    else:
        school = unit if scope.kind == "school" else unit.school
        allowed = bool(db.scalar(select(School.id).where(School.id == school.id, reportable_schools(actor))))
    if not allowed:
        raise Forbidden(NO_ACCESS)
    return unit


# --- the figures ------------------------------------------------------------------------------------------------

def _level_expr(grade: Any) -> Any:
    return case((grade <= 5, "primary"), (grade <= 9, "lower_secondary"), else_="upper_secondary")


def _default_target(grade: Any) -> Any:
    return case((grade <= 5, DEFAULT_TARGETS["primary"]), (grade <= 9, DEFAULT_TARGETS["lower_secondary"]),
                else_=DEFAULT_TARGETS["upper_secondary"])


def _table(scope: Scope, by: tuple[str, ...]) -> Any:
    """Class weeks for a school's or a class's views and any breakdown by class; school weeks otherwise."""
    return ClassWeek if scope.kind in ("school", "class") or "class" in by else SchoolWeek


def _scope_filter(table: Any, scope: Scope) -> ColumnElement[bool]:
    if scope.kind == "province":
        return School.province_id == scope.id
    if scope.kind == "district":
        return School.district_id == scope.id
    if scope.kind == "school":
        return table.school_id == scope.id
    return and_(table.class_id == scope.id)


def _dimension(table: Any, name: str) -> list[Any]:
    return {"district": [School.district_id], "school": [School.id], "level": [_level_expr(table.grade)],
            "grade": [table.grade], "class": [table.class_name, func.max(table.class_id)] if table is ClassWeek
            else [], "subject": [table.subject_id], "week": [table.week]}[name]


def figures(*, db: Session, actor: User, scope: Scope, win: Window, by: tuple[str, ...] = ()) -> list[Row]:
    """Return the figures of a unit in a window, broken down by some dimensions (none: one row, the total)."""
    check_scope(db=db, actor=actor, scope=scope)
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}")
    table = _table(scope, by)
    target = func.coalesce(OnlineTarget.percent, _default_target(table.grade))
    groups, labels = [], []
    for d in by:
        cols = _dimension(table, d)
        groups.append(cols[0])
        labels.extend(cols)
    query = (select(*labels, func.sum(table.planned_total), func.sum(table.planned_online),
                    func.sum(table.delivered_total), func.sum(table.delivered_online),
                    func.sum(table.planned_total * cast(target, Float)))
             .select_from(table).join(School, School.id == table.school_id)
             .outerjoin(OnlineTarget, and_(OnlineTarget.province_id == School.province_id,
                                           OnlineTarget.level == _level_expr(table.grade),
                                           OnlineTarget.academic_year_id == table.academic_year_id))
             .where(table.academic_year_id == win.year_id, table.week.between(win.first, win.last),
                    _scope_filter(table, scope), reportable_schools(actor)))
    if groups:
        query = query.group_by(*groups)
    rows = []
    for values in db.execute(query):
        values = list(values)
        sums = values[len(labels):]
        f = Figures(int(sums[0] or 0), int(sums[1] or 0), int(sums[2] or 0), int(sums[3] or 0), float(sums[4] or 0))
        key, extra, i = [], {}, 0
        for d in by:
            key.append(values[i])
            if d == "class" and table is ClassWeek:
                extra["class_id"] = values[i + 1]
                i += 1
            i += 1
        rows.append(Row(tuple(key), "", f, extra))
    if not by and not rows:
        rows = [Row((), "", Figures())]
    _label(db, rows, by)
    return sorted(rows, key=lambda r: tuple(_sort_key(v) for v in r.key))


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float)) else (1, str(value or ""))


def _label(db: Session, rows: list[Row], by: tuple[str, ...]) -> None:
    """Give each row a readable label: names of districts, schools and subjects; class names; grade and week
    numbers; level keys (the pages translate LEVEL_NAMES)."""
    names: dict[str, dict[Any, str]] = {}
    if "district" in by:
        ids = {r.key[by.index("district")] for r in rows}
        names["district"] = dict(db.execute(select(District.id, District.name).where(District.id.in_(ids))).all())
    if "school" in by:
        ids = {r.key[by.index("school")] for r in rows}
        names["school"] = dict(db.execute(select(School.id, School.name).where(School.id.in_(ids))).all())
    if "subject" in by:
        ids = {r.key[by.index("subject")] for r in rows}
        names["subject"] = dict(db.execute(select(Subject.id, Subject.name_vi).where(Subject.id.in_(ids))).all())
    for r in rows:
        parts = []
        for d, value in zip(by, r.key, strict=True):
            parts.append(names[d].get(value, "—") if d in names else str(value if value is not None else "—"))
        r.label = " · ".join(parts)


def total(*, db: Session, actor: User, scope: Scope, win: Window) -> Figures:
    """Return the figures of a unit in a window."""
    return figures(db=db, actor=actor, scope=scope, win=win)[0].figures


def trend(*, db: Session, actor: User, scope: Scope, year_id: int, through_week: int = MAX_WEEK) -> list[Row]:
    """Return the unit's figures week by week (weeks 1..through_week that have any planned period), each row
    carrying the cumulative figures so far in extra["cumulative"]."""
    rows = figures(db=db, actor=actor, scope=scope, win=Window(year_id, "year", 1, through_week), by=("week",))
    running = Figures()
    for r in rows:
        running.add(r.figures)
        r.extra["cumulative"] = Figures(running.planned_total, running.planned_online, running.delivered_total,
                                        running.delivered_online, running.target_points)
    return rows


def below_target(*, db: Session, actor: User, scope: Scope, win: Window) -> list[Row]:
    """Return who is below target in a window, furthest first: classes × subjects in a school or class, schools in
    a district or province."""
    by = ("class", "subject") if scope.kind in ("school", "class") else ("school",)
    rows = [r for r in figures(db=db, actor=actor, scope=scope, win=win, by=by)
            if r.figures.planned_total and not r.figures.meets_target]
    return sorted(rows, key=lambda r: (-r.figures.gap, r.label))


# --- targets ----------------------------------------------------------------------------------------------------

def targets(*, db: Session, province_id: int, year_id: int) -> dict[str, float]:
    """Return the targets of a province for a year, per level (the defaults where the province set none)."""
    found = dict(db.execute(select(OnlineTarget.level, OnlineTarget.percent).where(
        OnlineTarget.province_id == province_id, OnlineTarget.academic_year_id == year_id)).all())
    return {level: float(found.get(level, DEFAULT_TARGETS[level])) for level in LEVELS}


def set_target(*, db: Session, actor: User, province_id: int, year_id: int, level: str, percent: float) -> None:
    """Set a province's target for a level and year (department staff of the province, or a system admin)."""
    check_scope(db=db, actor=actor, scope=Scope("province", province_id))
    if db.get(AcademicYear, year_id) is None:
        raise NotFound(YEAR_NOT_FOUND)
    if level not in LEVELS:
        raise Invalid(BAD_LEVEL)
    if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not 0 <= percent <= 100 \
            or percent != percent:
        raise Invalid(BAD_TARGET)
    from lms_core.db import utcnow

    row = db.scalar(select(OnlineTarget).where(OnlineTarget.province_id == province_id,
                                               OnlineTarget.level == level, OnlineTarget.academic_year_id == year_id))
    if row is None:
        row = OnlineTarget(province_id=province_id, level=level, academic_year_id=year_id)
        db.add(row)
    row.percent, row.updated_by_id, row.updated_at = float(percent), actor.id, utcnow()
    db.commit()
