"""HTML routes of the blended-learning dashboards: a province, a district (or commune), a school or a class, with the
online share against the province's targets, the units one level down (each linking further down), breakdowns by
level, grade and subject, the weekly trend and who is below target; and the page where the department sets the
targets. Every figure is read from the aggregates through the shares module, never from the raw records. The
reading helpers at the top serve the JSON route too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.blended import aggregates, charts, shares
from lms_core.blended.models import SchoolWeek
from lms_core.blended.shares import LEVEL_NAMES, LEVELS, Figures, Row, Scope, Window
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import AcademicYear, District, Province, School, SchoolClass, Subject
from lms_core.org.service import current_year
from lms_core.permissions import area_of
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
YearId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
WindowValue = Annotated[str, Query(max_length=16)]
WeekText = Annotated[str, Query(max_length=8)]
TERM_VALUE = re.compile(r"term-(\d{1,2})")
PERCENT = re.compile(r"\d{1,3}(\.\d{1,4})?")

NOT_A_READER = N_("Blended-learning figures are for school administrators and department staff.")
CHOOSE_WEEK = N_("Enter the number of the week to show, from 1 to {weeks}.")
TARGETS_SAVED = N_("The targets are saved.")
GRADE = N_("Grade {n}")
WEEK = N_("Week {n}")
KIND_LABELS = {"province": N_("Province"), "district": N_("District or commune"), "school": N_("School"),
               "class": N_("Class"), "subject": N_("Subject")}
WINDOW_LABELS = {"this_week": N_("This week (week {n})"), "week": N_("Week {n}"), "term": N_("Term {n}"),
                 "to_date": N_("Year so far (weeks 1 to {n})"), "year": N_("Whole year")}


@dataclass
class Line:
    """A row of a breakdown as the pages show it: a label, the figures, where it links to."""

    label: str
    figures: Figures
    href: str | None = None
    kind: str | None = None
    id: int | None = None
    note: str = ""  # a second column, such as a school's district


@dataclass
class Crumb:
    """A unit above (or at) the one shown; no link when the reader may not open it."""

    kind: str
    id: int
    name: str
    href: str | None


@dataclass
class Dashboard:
    """Everything a dashboard page (or the JSON route) shows of one unit in one window."""

    scope: Scope
    name: str
    crumbs: list[Crumb]
    year: AcademicYear
    years: list[AcademicYear]
    win: Window
    window: str
    week: int | None
    weeks: int
    headline: Figures
    child_kind: str
    children: list[Line]
    trend: list[Row]
    below: list[Line]
    query: str
    as_of: datetime | None
    pending: int
    schools: list[Line] = field(default_factory=list)
    levels: list[Line] = field(default_factory=list)
    grades: list[Line] = field(default_factory=list)
    subjects: list[Line] = field(default_factory=list)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """Return the window selector's options: (value, label)."""
        return [("this_week", gettext(N_("This week"))), ("week", gettext(N_("One week"))),
                *[(f"term-{t.number}", t.name) for t in self.year.terms],
                ("to_date", gettext(N_("Year so far"))), ("year", gettext(N_("Whole year")))]

    @property
    def window_label(self) -> str:
        """Return the window in words."""
        kind = self.window if self.window in WINDOW_LABELS else "term"
        n = {"this_week": self.win.first, "week": self.win.first, "term": self.win.term_number,
             "to_date": self.win.last, "year": None}[kind]
        return gettext(WINDOW_LABELS[kind]).format(n=n)


# --- reading, shared with the JSON route --------------------------------------------------------------------------

def years_with_figures(db: Session) -> list[AcademicYear]:
    """Return the school years that have figures, and the current one, latest first."""
    now = current_year(db=db)
    return list(db.scalars(select(AcademicYear).where(or_(
        AcademicYear.id.in_(select(SchoolWeek.academic_year_id).distinct()),
        AcademicYear.id == (now.id if now else None))).order_by(AcademicYear.start_date.desc())))


def pick_window(db: Session, year: AcademicYear, value: str, week_text: str, today: date) -> tuple[Window, int | None]:
    """Return the window a selector value names (this_week, week with its number, term-N, to_date, year)."""
    weeks = shares.weeks_in(year)
    week = None
    if week_text.strip():
        if not (week_text.strip().isascii() and week_text.strip().isdecimal()) or not 1 <= int(week_text) <= weeks:
            raise Invalid(CHOOSE_WEEK, weeks=weeks)
        week = int(week_text)
    term = TERM_VALUE.fullmatch(value)
    if value == "this_week":
        this = shares.week_of(year, min(max(today, year.start_date), year.end_date))
        return shares.window(db=db, year_id=year.id, kind="week", week=this), week
    if value == "week":
        if week is None:
            raise Invalid(CHOOSE_WEEK, weeks=weeks)
        return shares.window(db=db, year_id=year.id, kind="week", week=week), week
    if term:
        if int(term.group(1)) not in {t.number for t in year.terms}:
            raise Invalid(shares.TERM_NOT_FOUND)
        return shares.window(db=db, year_id=year.id, kind="term", term_number=int(term.group(1))), week
    if value in ("to_date", "year"):
        return shares.window(db=db, year_id=year.id, kind=value, today=today), week
    raise Invalid(shares.BAD_WINDOW)


def href(kind: str, unit_id: int | None, query: str = "") -> str | None:
    """Return the dashboard address of a unit (None without an id: a school's imported class)."""
    return f"/blended/{kind}/{unit_id}{query}" if unit_id is not None else None


def _may_open(db: Session, actor: User, kind: str, unit_id: int) -> bool:
    try:
        shares.check_scope(db=db, actor=actor, scope=Scope(kind, unit_id))
    except (Forbidden, NotFound):
        return False
    return True


def crumbs(db: Session, actor: User, unit: Any, kind: str, query: str) -> list[Crumb]:
    """Return the units from the province down to this one, linked where the reader may open them."""
    chain: list[tuple[str, Any]] = []
    school = unit if kind == "school" else unit.school if kind == "class" else None
    province = db.get(Province, unit.id if kind == "province" else unit.province_id if kind == "district"
                      else school.province_id)
    chain.append(("province", province))
    district = unit if kind == "district" else (school.district if school and school.district_id else None)
    if district is not None:
        chain.append(("district", district))
    if school is not None:
        chain.append(("school", school))
    if kind == "class":
        chain.append(("class", unit))
    return [Crumb(k, u.id, u.name, href(k, u.id, query) if _may_open(db, actor, k, u.id) else None)
            for k, u in chain]


def _subject_names(db: Session, ids: set[Any]) -> dict[int, str]:
    locale = current_locale()
    return {s.id: s.name(locale) for s in db.scalars(select(Subject).where(Subject.id.in_(ids)))} if ids else {}


def _merge(rows: list[Row], units: list[tuple[int, str, str]], kind: str, query: str) -> list[Line]:
    """Return a line for every unit (those without figures with zeros), then any figures of units not listed."""
    found = {r.key[0]: r for r in rows}
    lines = [Line(name, found.pop(uid).figures if uid in found else Figures(), href(kind, uid, query), kind, uid, note)
             for uid, name, note in units]
    return lines + [Line(r.label, r.figures, None, kind, r.key[0]) for r in found.values()]


def _waiting(db: Session, kind: str, unit_id: int) -> int:
    """Return how many plans of a unit (its schools', or a class's own) wait for the worker."""
    if kind == "class":
        return aggregates.pending(db, class_id=unit_id)
    return aggregates.pending(db, {"province": select(School.id).where(School.province_id == unit_id),
                                   "district": select(School.id).where(School.district_id == unit_id),
                                   "school": select(School.id).where(School.id == unit_id)}[kind])


def build(*, db: Session, actor: User, kind: str, unit_id: int, year_id: int | None = None, window: str = "to_date",
          week_text: str = "", today: date | None = None) -> Dashboard:
    """Return the dashboard of a unit the actor may report on, in the window asked for."""
    if kind not in shares.SCOPES:
        raise NotFound(shares.UNIT_NOT_FOUND)
    scope = Scope(kind, unit_id)
    unit = shares.check_scope(db=db, actor=actor, scope=scope)
    if year_id is not None:
        year = db.get(AcademicYear, year_id)
        if year is None:
            raise NotFound(shares.YEAR_NOT_FOUND)
    else:
        year = unit.academic_year if kind == "class" else current_year(db=db)
        if year is None:
            raise NotFound(shares.YEAR_NOT_FOUND)
    win, week = pick_window(db, year, window, week_text, today or date.today())
    params = {"year": year.id, "window": window} | ({"week": week} if week else {})
    query = "?" + urlencode(params)

    def by(*dims: str) -> list[Row]:
        return shares.figures(db=db, actor=actor, scope=scope, win=win, by=dims)

    years = years_with_figures(db)
    if year not in years:
        years.append(year)
    board = Dashboard(scope=scope, name=unit.name, crumbs=crumbs(db, actor, unit, kind, query), year=year,
                      years=years, win=win, window=window, week=week, weeks=shares.weeks_in(year),
                      headline=shares.total(db=db, actor=actor, scope=scope, win=win),
                      child_kind={"province": "district", "district": "school", "school": "class",
                                  "class": "subject"}[kind], children=[],
                      trend=shares.trend(db=db, actor=actor, scope=scope, year_id=year.id, through_week=win.last),
                      below=[], query=query, as_of=aggregates.last_refresh(db),
                      pending=_waiting(db, kind, unit.id))
    if kind == "province":
        districts = db.execute(select(District.id, District.name).where(District.province_id == unit.id)
                               .order_by(District.name, District.id)).all()
        board.children = _merge(by("district"), [(i, n, "") for i, n in districts], "district", query)
        schools = db.execute(select(School.id, School.name, District.name).outerjoin(District, District.id ==
                             School.district_id).where(School.province_id == unit.id, shares.reportable_schools(actor))
                             .order_by(School.name, School.id)).all()
        board.schools = _merge(by("school"), [(i, n, d or "") for i, n, d in schools], "school", query)
    elif kind == "district":
        schools = db.execute(select(School.id, School.name).where(
            School.district_id == unit.id, shares.reportable_schools(actor)).order_by(School.name, School.id)).all()
        board.children = _merge(by("school"), [(i, n, "") for i, n in schools], "school", query)
    elif kind == "school":
        # the classes with figures, and the school's classes of the year without any (no plan yet: listed, so a
        # principal sees them), in grade order
        classes = {(r.key[0], r.key[1]): (r.extra.get("class_id"), r.figures) for r in by("grade", "class")}
        for c in db.scalars(select(SchoolClass).where(SchoolClass.school_id == unit.id,
                                                     SchoolClass.academic_year_id == year.id)):
            classes.setdefault((c.grade, c.name), (c.id, Figures()))
        board.children = [Line(name, f, href("class", cid, query), "class", cid, gettext(GRADE).format(n=grade))
                          for (grade, name), (cid, f) in sorted(classes.items())]
        board.grades = [Line(gettext(GRADE).format(n=r.key[0]), r.figures) for r in by("grade")]
    if kind in ("province", "district"):
        levels = {r.key[0]: r.figures for r in by("level")}
        board.levels = [Line(gettext(LEVEL_NAMES[lv]), levels[lv], kind="level") for lv in LEVELS if lv in levels]
    subject_rows = by("subject")
    names = _subject_names(db, {r.key[0] for r in subject_rows})
    subjects = [Line(names.get(r.key[0], r.label), r.figures, kind="subject", id=r.key[0]) for r in subject_rows]
    if kind == "class":
        board.children = subjects
    else:
        board.subjects = subjects
    below = shares.below_target(db=db, actor=actor, scope=scope, win=win)
    if kind in ("province", "district"):
        board.below = [Line(r.label, r.figures, href("school", r.key[0], query), "school", r.key[0]) for r in below]
    else:
        names = _subject_names(db, {r.key[1] for r in below})
        board.below = [Line(f"{r.key[0]} · {names.get(r.key[1], '—')}", r.figures,
                            href("class", r.extra.get("class_id"), query), "class", r.extra.get("class_id"))
                       for r in below]
    return board


def start_units(db: Session, actor: User) -> list[Crumb]:
    """Return the units an actor's dashboards start from: their provinces, districts outside them, schools outside
    both."""
    if actor.has_role(Role.system_admin):
        return [Crumb("province", p.id, p.name, href("province", p.id))
                for p in db.scalars(select(Province).order_by(Province.name, Province.id))]
    provinces, districts = area_of(actor)
    out = [Crumb("province", p.id, p.name, href("province", p.id))
           for p in db.scalars(select(Province).where(Province.id.in_(provinces)).order_by(Province.name))]
    out += [Crumb("district", d.id, d.name, href("district", d.id)) for d in db.scalars(
        select(District).where(District.id.in_(districts), District.province_id.not_in(provinces))
        .order_by(District.name))]
    out += [Crumb("school", s.id, s.name, href("school", s.id)) for s in db.scalars(
        select(School).where(School.id.in_(actor.school_ids(Role.school_admin)), School.province_id.not_in(provinces),
                             or_(School.district_id.is_(None), School.district_id.not_in(districts)))
        .order_by(School.name))]
    return out


# --- charts and presentation --------------------------------------------------------------------------------------

def bars(lines: list[Line], title: str) -> Any:
    """Return the bar chart of some lines."""
    return charts.bar_chart([charts.Bar(ln.label, ln.figures.share, ln.figures.target, ln.href,
                                        not ln.figures.planned_total) for ln in lines], title=title)


def trend_chart(board: Dashboard, title: str) -> Any:
    """Return the weekly trend chart of a dashboard."""
    if not board.trend:
        return charts.trend_chart([], title=title, target=0)
    points = [charts.Point(r.key[0], r.figures.share, r.extra["cumulative"].share) for r in board.trend]
    last = board.win.last if board.win.last < shares.MAX_WEEK else board.weeks
    return charts.trend_chart(points, title=title, target=board.trend[-1].extra["cumulative"].target, last_week=last)


def _helpers() -> dict[str, Any]:
    return {"percent": charts.percent, "number": charts.number, "bars": bars, "trend_chart": trend_chart, "meter": charts.meter,
            "local_time": local_time, "MEETS": charts.MEETS, "BELOW": charts.BELOW, "GRADE": GRADE, "WEEK": WEEK,
            "LEVEL_NAMES": LEVEL_NAMES, "LEVELS": LEVELS,
            "KIND_LABELS": KIND_LABELS}


# --- routes -------------------------------------------------------------------------------------------------------

@router.get("/blended")
def start(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Open the reader's own dashboard: their province, district or school (a list when they have several)."""
    if not any(user.has_role(r) for r in (Role.system_admin, Role.department_staff, Role.school_admin)):
        raise Forbidden(NOT_A_READER)
    units = start_units(db, user)
    if len(units) == 1:
        return RedirectResponse(units[0].href, status_code=303)
    return render(request, "blended/dashboard_index.html", {**_helpers(), "units": units})


def _typed(value: float) -> str:
    """Return a stored percentage as the reader would type it (7,5 in Vietnamese)."""
    text = f"{value:g}"
    return text.replace(".", ",") if current_locale() == "vi" else text


def _targets_page(request: Request, db: Session, user: User, province_id: int, year_id: int | None, *,
                  values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                  status_code: int = 200) -> Response:
    province = shares.check_scope(db=db, actor=user, scope=Scope("province", province_id))
    year = db.get(AcademicYear, year_id) if year_id is not None else current_year(db=db)
    if year is None:
        raise NotFound(shares.YEAR_NOT_FOUND)
    current = shares.targets(db=db, province_id=province.id, year_id=year.id)
    years = years_with_figures(db)
    if year not in years:
        years.append(year)
    return render(request, "blended/targets.html", {
        **_helpers(), "province": province, "year": year, "years": years, "current": current,
        "defaults": shares.DEFAULT_TARGETS, "values": values or {lv: _typed(current[lv]) for lv in LEVELS},
        "errors": errors or {}, "saved": request.query_params.get("done") == "saved", "saved_msg": TARGETS_SAVED,
    }, status_code=status_code)


@router.get("/blended/targets/{province_id}")
def targets_page(request: Request, province_id: Id, db: DbSession, user: CurrentUser, year: YearId = None) -> Response:
    """Show a province's targets of a school year per school level, as a form for its department staff."""
    return _targets_page(request, db, user, province_id, year)


@router.post("/blended/targets/{province_id}")
def save_targets(request: Request, province_id: Id, db: DbSession, user: CurrentUser,
                 year: Annotated[int, Form(ge=1, le=MAX_ID)],
                 primary: Annotated[str, Form(max_length=32)] = "",
                 lower_secondary: Annotated[str, Form(max_length=32)] = "",
                 upper_secondary: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Set a province's targets of a school year; every value is checked before any is stored."""
    shares.check_scope(db=db, actor=user, scope=Scope("province", province_id))
    if db.get(AcademicYear, year) is None:
        raise NotFound(shares.YEAR_NOT_FOUND)
    values = {"primary": primary, "lower_secondary": lower_secondary, "upper_secondary": upper_secondary}
    parsed, errors = {}, {}
    for level, text in values.items():
        text = text.strip().replace(",", ".").rstrip("%").strip()
        if not PERCENT.fullmatch(text) or not 0 <= float(text) <= 100:
            errors[level] = gettext(shares.BAD_TARGET)
        else:
            parsed[level] = float(text)
    if errors:
        return _targets_page(request, db, user, province_id, year, values=values, errors=errors, status_code=422)
    current = shares.targets(db=db, province_id=province_id, year_id=year)
    for level, percent in parsed.items():
        if percent != current[level]:
            shares.set_target(db=db, actor=user, province_id=province_id, year_id=year, level=level,
                              percent=percent)
    return RedirectResponse(f"/blended/targets/{province_id}?year={year}&done=saved", status_code=303)


@router.get("/blended/{kind}/{unit_id}")
def dashboard_page(request: Request, kind: Annotated[str, Path(max_length=16)], unit_id: Id, db: DbSession,
                   user: CurrentUser, year: YearId = None, window: WindowValue = "to_date",
                   week: WeekText = "") -> Response:
    """Show a unit's online share against its target, its units one level down, the trend and who is below."""
    board = build(db=db, actor=user, kind=kind, unit_id=unit_id, year_id=year, window=window, week_text=week)
    return render(request, "blended/dashboard.html", {**_helpers(), "board": board})
