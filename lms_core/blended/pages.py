"""HTML routes of teaching plans: the plans of the year (and a button to make a missing one), a plan week by week
with quick changes and quick delivery records, one period with its evidence, correction and history, and the
records the platform proposes. What they read comes from lms_core.blended.reading, as the JSON routes' does."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.blended import reading, service
from lms_core.blended.models import MODE_LABELS, ONLINE, Mode, PlanPeriod, TeachingPlan
from lms_core.blended.reading import (PLAN_NOT_FOUND, chosen_year, evidence_choices, evidence_titles, my_slots,
                                      period_in, plan_figures, plan_for, record_in, require_staff, visible_plans,
                                      years_for)
from lms_core.errors import DomainError, Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale
from lms_core.org.models import AcademicYear, SchoolClass, Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID, PAGE_SIZE = reading.MAX_ID, reading.PAGE_SIZE
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_PROPOSALS = 1000

BAD_FORM = N_("The request is not valid.")
BAD_DATE = N_("Enter the date the period was taught (day, month and year).")
BAD_PROPOSAL = N_("This proposal is not valid any more: open the proposals again.")
NOTICES = {"made": N_("The teaching plan is ready. Set the week and the mode of each period as you plan to teach it."),
           "saved": N_("Saved."), "week": N_("The mode of every period of the week is saved."),
           "recorded": N_("The period is recorded as delivered."),
           "corrected": N_("The record is corrected; the earlier one stays in the history.")}
TOKEN = re.compile(r"(\d{1,10}):(\d{4}-\d{2}-\d{2}):([a-z_]{1,24}):(\d{0,10}):(\d{0,10})")


# --- presentation helpers -------------------------------------------------------------------------------------------

def percent(value: float) -> str:
    """Return a percentage as the reader writes it: 12,5 % in Vietnamese, 12.5% in English."""
    text = f"{value:.1f}"
    return f"{text.replace('.', ',')} %" if current_locale() == "vi" else f"{text}%"


def day(value: date | None) -> str:
    """Return a date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def week_start(year: AcademicYear, week: int) -> date:
    """Return the first day of a school week."""
    return year.start_date + timedelta(days=7 * (week - 1))


def week_span(year: AcademicYear, week: int) -> str:
    """Return the days of a school week as dd/mm – dd/mm."""
    first = week_start(year, week)
    return f"{first:%d/%m} – {first + timedelta(days=6):%d/%m}"


def _helpers() -> dict[str, Any]:
    return {"percent": percent, "day": day, "local_time": local_time, "MODE_LABELS": MODE_LABELS, "MODES": list(Mode),
            "ONLINE": ONLINE, "week_start": week_start, "week_span": week_span, "locale": current_locale()}


def _id(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(value)


def _date(value: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise Invalid(BAD_DATE) from None


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


# --- the plans of a year --------------------------------------------------------------------------------------------

def _list_page(request: Request, db: Session, user: User, year_id: int | None, page: int = 1, *,
               error: str | None = None, status_code: int = 200) -> Response:
    require_staff(user)
    years = years_for(db, user)
    year = chosen_year(db, years, year_id)
    slots = my_slots(db, user, year.id) if year and user.has_role(Role.teacher) else []
    reader = any(user.has_role(r) for r in (Role.school_admin, Role.department_staff, Role.system_admin))
    lines, total = visible_plans(db, user, year.id, offset=(page - 1) * PAGE_SIZE) if year and reader else ([], 0)
    return render(request, "blended/plans.html", {
        **_helpers(), "years": years, "year": year, "slots": slots, "is_teacher": user.has_role(Role.teacher),
        "reader": reader, "lines": lines, "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "error": error, "notice": _notice(request),
    }, status_code=status_code)


@router.get("/plans")
def plans_page(request: Request, db: DbSession, user: CurrentUser,
               year: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """List the teaching plans of a school year: a teacher's classes and subjects, a school's or an area's plans."""
    return _list_page(request, db, user, year, page)


@router.post("/plans")
def make_plan(request: Request, db: DbSession, user: CurrentUser, class_id: Annotated[str, Form(max_length=12)] = "",
              subject_id: Annotated[str, Form(max_length=12)] = "",
              year_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Make a class's teaching plan for a subject from the curriculum, then show it."""
    require_staff(user)
    try:
        klass, subject, year = _id(class_id), _id(subject_id), _id(year_id)
        if klass is None or subject is None or year is None:
            raise Invalid(BAD_FORM)
        plan = service.generate_plan(db=db, actor=user, host=request.app.state.plugins, class_id=klass,
                                     subject_id=subject, year_id=year)
    except DomainError as exc:
        db.rollback()
        raw = year_id.strip()
        return _list_page(request, db, user, int(raw) if raw.isdecimal() and int(raw) <= MAX_ID else None,
                          error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/plans/{plan.id}?done=made", status_code=303)


# --- a plan, week by week -------------------------------------------------------------------------------------------

def _plan_context(db: Session, user: User, plan: TeachingPlan) -> dict[str, Any]:
    klass, subject = db.get(SchoolClass, plan.class_id), db.get(Subject, plan.subject_id)
    year = db.get(AcademicYear, plan.academic_year_id)
    current = service.current_records(db=db, plan=plan)
    today = datetime.now(service.LOCAL).date()  # the school's day, not the server's
    return {"plan": plan, "klass": klass, "school": klass.school, "subject": subject, "year": year,
            "current": current, "titles": evidence_titles(db, list(current.values())),
            "may_edit": permissions.can(user, "plan.edit", plan), "figures": plan_figures(db, [plan.id])[plan.id],
            "today": today, "this_week": (today - year.start_date).days // 7 + 1
            if year.start_date <= today <= year.end_date else None}


def _plan_page(request: Request, db: Session, user: User, plan_id: int, *, error: str | None = None,
               values: dict[int, dict[str, str]] | None = None, open_week: int | None = None,
               status_code: int = 200) -> Response:
    plan = plan_for(db, user, plan_id)
    ctx = _plan_context(db, user, plan)
    weeks: dict[int, list[PlanPeriod]] = {w: [] for w in range(1, plan.weeks + 1)}
    for p in plan.periods:
        weeks.setdefault(p.week, []).append(p)
    return render(request, "blended/plans_plan.html", {
        **_helpers(), **ctx, "weeks": weeks, "error": error, "values": values or {}, "notice": _notice(request),
        "open_week": open_week or ctx["this_week"],
    }, status_code=status_code)


@router.get("/plans/{plan_id}")
def plan_page(request: Request, plan_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a plan grouped by week, the current week open; its teacher changes and records periods here."""
    return _plan_page(request, db, user, plan_id)


def _refused(request: Request, db: Session, user: User, plan_id: int, exc: DomainError, back: str,
             period: PlanPeriod | None, values: dict[str, str]) -> Response:
    """Show the page the form came from again with the refusal and what was typed; a reader who may not see the
    plan gets the refusal itself."""
    db.rollback()
    plan = db.get(TeachingPlan, plan_id)
    if plan is None or not permissions.can(user, "plan.view", plan) or period is None:
        raise exc
    if back == "period":
        return _period_page(request, db, user, plan_id, period.id, error=exc.translated(), values=values,
                            status_code=exc.status_code)
    return _plan_page(request, db, user, plan_id, error=exc.translated(), values={period.id: values},
                      open_week=period.week, status_code=exc.status_code)


def _back(plan_id: int, period_id: int, back: str, done: str) -> RedirectResponse:
    if back == "period":
        return RedirectResponse(f"/plans/{plan_id}/periods/{period_id}?done={done}", status_code=303)
    return RedirectResponse(f"/plans/{plan_id}?done={done}#period-{period_id}", status_code=303)


@router.post("/plans/{plan_id}/periods/{period_id}")
def change_period(request: Request, plan_id: Id, period_id: Id, db: DbSession, user: CurrentUser,
                  week: Annotated[str, Form(max_length=12)] = "", mode: Annotated[str, Form(max_length=24)] = "",
                  back: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Move a period to another week and set how it is meant to be taught."""
    require_staff(user)
    period = period_in(db, plan_id, period_id)
    try:
        typed = week.strip()
        if typed and not (typed.isdecimal() and len(typed) <= 3):
            raise Invalid(service.BAD_WEEK, weeks=period.plan.weeks)
        service.change_period(db=db, actor=user, period_id=period.id, week=int(typed) if typed else None,
                              mode=mode or None)
    except DomainError as exc:
        return _refused(request, db, user, plan_id, exc, back, period, {"week": week, "mode": mode})
    return _back(plan_id, period.id, back, "saved")


@router.post("/plans/{plan_id}/weeks/{week}/mode")
def change_week(request: Request, plan_id: Id, week: Annotated[int, Path(ge=1, le=53)], db: DbSession,
                user: CurrentUser, mode: Annotated[str, Form(max_length=24)] = "") -> Response:
    """Set how every period of a week is meant to be taught."""
    require_staff(user)
    plan = db.get(TeachingPlan, plan_id)
    if plan is None:
        raise NotFound(PLAN_NOT_FOUND)
    periods = [p for p in plan.periods if p.week == week]
    try:
        if not permissions.can(user, "plan.edit", plan):
            raise Forbidden(service.NOT_YOUR_CLASS)
        if mode not in set(Mode):  # refused before any period changes
            raise Invalid(service.BAD_MODE)
        for p in periods:
            service.change_period(db=db, actor=user, period_id=p.id, mode=mode)
    except DomainError as exc:
        db.rollback()
        if not permissions.can(user, "plan.view", plan):
            raise
        return _plan_page(request, db, user, plan_id, error=exc.translated(), open_week=week,
                          status_code=exc.status_code)
    return RedirectResponse(f"/plans/{plan_id}?done=week#week-{week}", status_code=303)


class RecordForm(BaseModel):
    """A delivery record (or its correction) as the forms send it."""

    delivered_on: str = Field(default="", max_length=20)
    mode: str = Field(default="", max_length=24)
    live_session_id: str = Field(default="", max_length=12)
    lesson_id: str = Field(default="", max_length=12)
    note: str = Field(default="", max_length=service.MAX_NOTE * 2)
    back: str = Field(default="", max_length=10)


def _record_args(form: RecordForm) -> dict[str, Any]:
    return {"delivered_on": _date(form.delivered_on), "mode": form.mode, "live_session_id": _id(form.live_session_id),
            "lesson_id": _id(form.lesson_id), "note": form.note}


@router.post("/plans/{plan_id}/periods/{period_id}/records")
def record_period(request: Request, plan_id: Id, period_id: Id, db: DbSession, user: CurrentUser,
                  form: Annotated[RecordForm, Form()]) -> Response:
    """Record a period as delivered on a date, in a mode, with its evidence."""
    require_staff(user)
    period = period_in(db, plan_id, period_id)
    try:
        service.confirm(db=db, actor=user, period_id=period.id, **_record_args(form))
    except DomainError as exc:
        return _refused(request, db, user, plan_id, exc, form.back, period, form.model_dump())
    return _back(plan_id, period.id, form.back, "recorded")


@router.post("/plans/{plan_id}/records/{record_id}/correction")
def correct_record(request: Request, plan_id: Id, record_id: Id, db: DbSession, user: CurrentUser,
                   form: Annotated[RecordForm, Form()]) -> Response:
    """Correct a period's current record: a new record supersedes it, the old one is kept."""
    require_staff(user)
    record = record_in(db, plan_id, record_id)
    period = db.get(PlanPeriod, record.period_id)
    try:
        service.correct(db=db, actor=user, record_id=record.id, **_record_args(form))
    except DomainError as exc:
        return _refused(request, db, user, plan_id, exc, "period", period, form.model_dump())
    return _back(plan_id, period.id, "period", "corrected")


# --- one period: evidence, correction, history ----------------------------------------------------------------------

def _period_page(request: Request, db: Session, user: User, plan_id: int, period_id: int, *,
                 error: str | None = None, values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    plan = plan_for(db, user, plan_id)
    period = period_in(db, plan.id, period_id)
    ctx = _plan_context(db, user, plan)
    records = service.history(db=db, actor=user, period_id=period.id)
    superseded = {r.supersedes_id for r in records if r.supersedes_id}
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_({r.recorded_by_id for r in records})))}
    lives, lessons = evidence_choices(db, plan) if ctx["may_edit"] else ([], [])
    return render(request, "blended/plans_period.html", {
        **_helpers(), **ctx, "period": period, "record": ctx["current"].get(period.id), "records": records,
        "superseded": superseded, "people": people, "titles": evidence_titles(db, records), "lives": lives,
        "lessons": lessons, "error": error, "values": values or {}, "notice": _notice(request),
    }, status_code=status_code)


@router.get("/plans/{plan_id}/periods/{period_id}")
def period_page(request: Request, plan_id: Id, period_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show one period: its plan, its delivery (to record with evidence, or to correct) and every record of it."""
    return _period_page(request, db, user, plan_id, period_id)


# --- proposals ------------------------------------------------------------------------------------------------------

def _token(p: service.Proposal) -> str:
    return f"{p.period_id}:{p.delivered_on.isoformat()}:{p.mode}:{p.live_session_id or ''}:{p.lesson_id or ''}"


def _proposals_page(request: Request, db: Session, user: User, plan_id: int, *, confirmed: int | None = None,
                    refusals: list[tuple[PlanPeriod | None, str]] | None = None, status_code: int = 200) -> Response:
    plan = plan_for(db, user, plan_id)
    proposals = service.propose_records(db=db, actor=user, class_id=plan.class_id, subject_id=plan.subject_id,
                                        year_id=plan.academic_year_id)
    ctx = _plan_context(db, user, plan)
    return render(request, "blended/plans_proposals.html", {
        **_helpers(), **ctx, "proposals": proposals, "token": _token, "periods": {p.id: p for p in plan.periods},
        "confirmed": confirmed, "refusals": refusals or [],
    }, status_code=status_code)


@router.get("/plans/{plan_id}/proposals")
def proposals_page(request: Request, plan_id: Id, db: DbSession, user: CurrentUser,
                   confirmed: Annotated[int | None, Query(ge=0, le=MAX_PROPOSALS)] = None) -> Response:
    """Show the records the platform proposes from live sessions and completed lessons, to confirm."""
    return _proposals_page(request, db, user, plan_id, confirmed=confirmed)


async def _tokens(request: Request) -> list[str]:
    """Return the proposals a form confirms (one, or every one shown)."""
    form = await request.form()
    tokens = form.getlist("proposal")
    if not tokens or len(tokens) > MAX_PROPOSALS or not all(isinstance(t, str) and len(t) <= 80 for t in tokens):
        raise Invalid(BAD_FORM)
    return [str(t) for t in tokens]


@router.post("/plans/{plan_id}/proposals/confirm")
def confirm_proposals(request: Request, plan_id: Id, db: DbSession, user: CurrentUser,
                      tokens: Annotated[list[str], Depends(_tokens)]) -> Response:
    """Confirm one proposal or all those shown, each on its own: a refusal is shown, the others stand."""
    require_staff(user)
    plan = db.get(TeachingPlan, plan_id)
    if plan is None:
        raise NotFound(PLAN_NOT_FOUND)
    if not permissions.can(user, "plan.edit", plan):
        raise Forbidden(service.NOT_YOUR_CLASS)
    periods = {p.id: p for p in plan.periods}
    confirmed, refusals, status = 0, [], 200
    for token in tokens:
        match = TOKEN.fullmatch(token)
        try:
            if match is None or int(match[1]) not in periods:
                raise Invalid(BAD_PROPOSAL)
            service.confirm(db=db, actor=user, period_id=int(match[1]), delivered_on=_date(match[2]),
                            mode=match[3], live_session_id=_id(match[4]), lesson_id=_id(match[5]))
            confirmed += 1
        except DomainError as exc:
            db.rollback()
            refusals.append((periods.get(int(match[1])) if match else None, exc.translated()))
            status = exc.status_code
    if not refusals:
        return RedirectResponse(f"/plans/{plan_id}/proposals?confirmed={confirmed}", status_code=303)
    return _proposals_page(request, db, user, plan_id, confirmed=confirmed, refusals=refusals,
                           status_code=200 if confirmed else status)
