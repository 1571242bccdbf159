"""HTML routes of teaching plans: the plans of the year (and a button to make a missing one), a plan week by week
with quick changes and quick delivery records, one period with its evidence, correction and history, and the
records the platform proposes. The reading helpers at the top serve the JSON routes too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from lms_core import permissions
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, TeachingAssignment, User
from lms_core.blended import service
from lms_core.blended.models import MODE_LABELS, ONLINE, DeliveryRecord, Mode, PlanPeriod, TeachingPlan
from lms_core.blended.shares import Figures
from lms_core.courses.models import Activity, Lesson
from lms_core.errors import DomainError, Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.org.service import current_year
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PAGE_SIZE = 50
MAX_PROPOSALS = 1000
STAFF = (Role.teacher, Role.school_admin, Role.department_staff, Role.system_admin)

STAFF_ONLY = N_("Teaching plans are for teachers and school staff.")
PLAN_NOT_FOUND = N_("This teaching plan does not exist.")
BAD_FORM = N_("The request is not valid.")
BAD_DATE = N_("Enter the date the period was taught (day, month and year).")
BAD_PROPOSAL = N_("This proposal is not valid any more: open the proposals again.")
NOTICES = {"made": N_("The teaching plan is ready. Set the week and the mode of each period as you plan to teach it."),
           "saved": N_("Saved."), "week": N_("The mode of every period of the week is saved."),
           "recorded": N_("The period is recorded as delivered."),
           "corrected": N_("The record is corrected; the earlier one stays in the history.")}
TOKEN = re.compile(r"(\d{1,10}):(\d{4}-\d{2}-\d{2}):([a-z_]{1,24}):(\d{0,10}):(\d{0,10})")


# --- reading, shared with the JSON routes -------------------------------------------------------------------------

def require_staff(user: User) -> None:
    """Refuse students and parents: plans are the work of teachers, read by school and department staff."""
    if not any(user.has_role(r) for r in STAFF):
        raise Forbidden(STAFF_ONLY)


def plan_figures(db: Session, plan_ids: list[int]) -> dict[int, Figures]:
    """Return each plan's periods (all, planned online) and current records (all, online), counted in SQL."""
    out = {pid: Figures() for pid in plan_ids}
    if not plan_ids:
        return out
    planned_online = case((PlanPeriod.mode.in_(ONLINE), 1), else_=0)
    for pid, total, online in db.execute(select(PlanPeriod.plan_id, func.count(), func.sum(planned_online))
                                         .where(PlanPeriod.plan_id.in_(plan_ids)).group_by(PlanPeriod.plan_id)):
        out[pid].planned_total, out[pid].planned_online = total, int(online or 0)
    later = aliased(DeliveryRecord)
    delivered_online = case((DeliveryRecord.mode.in_(ONLINE), 1), else_=0)
    for pid, total, online in db.execute(
            select(PlanPeriod.plan_id, func.count(), func.sum(delivered_online))
            .join(DeliveryRecord, DeliveryRecord.period_id == PlanPeriod.id)
            .where(PlanPeriod.plan_id.in_(plan_ids), ~exists().where(later.supersedes_id == DeliveryRecord.id))
            .group_by(PlanPeriod.plan_id)):
        out[pid].delivered_total, out[pid].delivered_online = total, int(online or 0)
    return out


@dataclass
class PlanLine:
    """A plan with what a list shows of it."""

    plan: TeachingPlan
    klass: SchoolClass
    school: School
    subject: Subject
    year: AcademicYear
    figures: Figures


def visible_plans(db: Session, actor: User, year_id: int, *, offset: int = 0,
                  limit: int = PAGE_SIZE) -> tuple[list[PlanLine], int]:
    """Return a page of the plans of a year the actor may see (built from the "plan.view" filter) and their count."""
    where = (TeachingPlan.academic_year_id == year_id, permissions.visible(actor, "plan.view"))
    total = db.scalar(select(func.count()).select_from(TeachingPlan).where(*where)) or 0
    rows = db.execute(select(TeachingPlan, SchoolClass, School, Subject, AcademicYear)
                      .join(SchoolClass, SchoolClass.id == TeachingPlan.class_id)
                      .join(School, School.id == SchoolClass.school_id)
                      .join(Subject, Subject.id == TeachingPlan.subject_id)
                      .join(AcademicYear, AcademicYear.id == TeachingPlan.academic_year_id).where(*where)
                      .order_by(School.name, School.id, SchoolClass.grade, SchoolClass.name, Subject.name_vi,
                                TeachingPlan.id).offset(offset).limit(limit)).all()
    figures = plan_figures(db, [r[0].id for r in rows])
    return [PlanLine(*r, figures=figures[r[0].id]) for r in rows], total


@dataclass
class Slot:
    """A class and subject the actor teaches in a year, with its plan when it was made."""

    klass: SchoolClass
    subject: Subject
    plan: TeachingPlan | None
    figures: Figures | None


def my_slots(db: Session, actor: User, year_id: int) -> list[Slot]:
    """Return every class × subject the actor teaches in a year (as a teacher of its school), plan or not."""
    rows = db.execute(select(SchoolClass, Subject, TeachingPlan)
                      .join(TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id)
                      .join(Subject, Subject.id == TeachingAssignment.subject_id)
                      .outerjoin(TeachingPlan, (TeachingPlan.class_id == SchoolClass.id)
                                 & (TeachingPlan.subject_id == Subject.id)
                                 & (TeachingPlan.academic_year_id == year_id))
                      .where(TeachingAssignment.teacher_id == actor.id, SchoolClass.academic_year_id == year_id,
                             SchoolClass.school_id.in_(actor.school_ids(Role.teacher)))
                      .order_by(SchoolClass.grade, SchoolClass.name, Subject.name_vi)).all()
    figures = plan_figures(db, [p.id for _, _, p in rows if p is not None])
    return [Slot(k, s, p, figures.get(p.id) if p else None) for k, s, p in rows]


def years_for(db: Session, actor: User) -> list[AcademicYear]:
    """Return the school years with a class the actor teaches or a plan the actor may see, the current one too."""
    taught = select(SchoolClass.academic_year_id).join(
        TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id).where(TeachingAssignment.teacher_id == actor.id)
    planned = select(TeachingPlan.academic_year_id).where(permissions.visible(actor, "plan.view"))
    now = current_year(db=db)
    return list(db.scalars(select(AcademicYear).where(or_(
        AcademicYear.id.in_(taught), AcademicYear.id.in_(planned), AcademicYear.id == (now.id if now else None)))
        .order_by(AcademicYear.start_date.desc())))


def chosen_year(db: Session, years: list[AcademicYear], year_id: int | None) -> AcademicYear | None:
    """Return the year asked for (any existing one), else the current year, else the latest one listed."""
    if year_id is not None:
        year = db.get(AcademicYear, year_id)
        if year is None:
            raise NotFound(service.YEAR_NOT_FOUND)
        return year
    now = current_year(db=db)
    return now if now in years else (years[0] if years else now)


def plan_for(db: Session, actor: User, plan_id: int) -> TeachingPlan:
    """Return a plan the actor may see, else NotFound (whether it exists is not told)."""
    require_staff(actor)
    plan = db.get(TeachingPlan, plan_id)
    if plan is None or not permissions.can(actor, "plan.view", plan):
        raise NotFound(PLAN_NOT_FOUND)
    return plan


def period_in(db: Session, plan_id: int, period_id: int) -> PlanPeriod:
    """Return a period of this plan, else NotFound."""
    period = db.get(PlanPeriod, period_id)
    if period is None or period.plan_id != plan_id:
        raise NotFound(service.PERIOD_NOT_FOUND)
    return period


def record_in(db: Session, plan_id: int, record_id: int) -> DeliveryRecord:
    """Return a delivery record of a period of this plan, else NotFound."""
    record = db.get(DeliveryRecord, record_id)
    if record is None or db.get(PlanPeriod, record.period_id).plan_id != plan_id:
        raise NotFound(service.RECORD_NOT_FOUND)
    return record


def evidence_choices(db: Session, plan: TeachingPlan) -> tuple[list[Activity], list[Lesson]]:
    """Return the live sessions and lessons of the courses of the plan's subject taught to its class."""
    courses = service._courses_of(plan)  # the same courses the service accepts evidence from
    lives = db.scalars(select(Activity).where(Activity.type == service.LIVE_TYPE, Activity.course_id.in_(courses))
                       .order_by(Activity.id))
    lessons = db.scalars(select(Lesson).where(Lesson.course_id.in_(courses)).order_by(Lesson.course_id, Lesson.id))
    return list(lives), list(lessons)


def evidence_titles(db: Session, records: list[DeliveryRecord]) -> dict[tuple[str, int], str]:
    """Return the titles of the live sessions and lessons records name, keyed ("live"|"lesson", id)."""
    lives = {r.live_session_id for r in records if r.live_session_id}
    lessons = {r.lesson_id for r in records if r.lesson_id}
    out: dict[tuple[str, int], str] = {}
    if lives:
        out.update((("live", i), t) for i, t in db.execute(select(Activity.id, Activity.title).where(Activity.id.in_(lives))))
    if lessons:
        out.update((("lesson", i), t) for i, t in db.execute(select(Lesson.id, Lesson.title).where(Lesson.id.in_(lessons))))
    return out


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
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
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
        return _list_page(request, db, user, int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None,
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
        if typed and not (typed.isdigit() and len(typed) <= 3):
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
