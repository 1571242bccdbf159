"""JSON routes of teaching plans and delivery records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from lms_core.blended import reading, service
from lms_core.blended.models import TeachingPlan
from lms_core.blended.schemas import (FiguresOut, PeriodChangeIn, PeriodOut, PlanIn, PlanListOut, PlanOut,
                                      PlanSummaryOut, ProposalOut, RecordIn, RecordOut)
from lms_core.blended.shares import Figures
from lms_core.errors import Invalid
from lms_core.i18n import N_, current_locale
from lms_core.org.models import AcademicYear, SchoolClass, Subject
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["teaching plans"])
Id = Annotated[int, Path(ge=1, le=reading.MAX_ID)]
NOTHING_TO_CHANGE = N_("Give the period's new week, its new mode or both.")


def _figures(f: Figures) -> FiguresOut:
    return FiguresOut(periods=f.planned_total, planned_online=f.planned_online, delivered=f.delivered_total,
                      delivered_online=f.delivered_online, planned_online_percent=f.planned_share,
                      delivered_percent=f.delivered_percent, delivered_online_percent=f.share)


def _summary(line: reading.PlanLine) -> PlanSummaryOut:
    plan, klass = line.plan, line.klass
    return PlanSummaryOut(id=plan.id, class_id=klass.id, class_name=klass.name, grade=klass.grade,
                          school_id=line.school.id, school_name=line.school.name, subject_id=line.subject.id,
                          subject_name=line.subject.name(current_locale()), academic_year_id=line.year.id,
                          year_name=line.year.name, weeks=plan.weeks, figures=_figures(line.figures))


def _line(db: DbSession, plan: TeachingPlan) -> reading.PlanLine:
    klass = db.get(SchoolClass, plan.class_id)
    return reading.PlanLine(plan, klass, klass.school, db.get(Subject, plan.subject_id),
                          db.get(AcademicYear, plan.academic_year_id), reading.plan_figures(db, [plan.id])[plan.id])


def _record(record, superseded: bool = False) -> RecordOut:  # noqa: ANN001
    return RecordOut.model_validate(record).model_copy(update={"superseded": superseded})


@router.get("/plans")
def list_plans(db: DbSession, user: CurrentUser, year_id: Annotated[int | None, Query(ge=1, le=reading.MAX_ID)] = None,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
               limit: Annotated[int, Query(ge=1, le=500)] = reading.PAGE_SIZE) -> PlanListOut:
    """List the plans of a school year (the current one by default) the caller may see, with their figures."""
    reading.require_staff(user)
    year = reading.chosen_year(db, reading.years_for(db, user), year_id)
    if year is None:
        return PlanListOut(total=0, items=[])
    lines, total = reading.visible_plans(db, user, year.id, offset=offset, limit=limit)
    return PlanListOut(total=total, items=[_summary(line) for line in lines])


@router.post("/plans", status_code=201)
def make_plan(request: Request, body: PlanIn, db: DbSession, user: CurrentUser) -> PlanSummaryOut:
    """Make a class's plan for a subject and year from the curriculum (the existing one if it was made)."""
    reading.require_staff(user)
    plan = service.generate_plan(db=db, actor=user, host=request.app.state.plugins, class_id=body.class_id,
                                 subject_id=body.subject_id, year_id=body.year_id)
    return _summary(_line(db, plan))


@router.get("/plans/{plan_id}")
def get_plan(plan_id: Id, db: DbSession, user: CurrentUser) -> PlanOut:
    """Return a plan with its periods in curriculum order, each with its current record."""
    plan = reading.plan_for(db, user, plan_id)
    current = service.current_records(db=db, plan=plan)
    periods = [PeriodOut.model_validate(p).model_copy(
        update={"record": _record(current[p.id]) if p.id in current else None}) for p in plan.periods]
    return PlanOut(**_summary(_line(db, plan)).model_dump(), periods=periods)


@router.patch("/plans/{plan_id}/periods/{period_id}")
def change_period(plan_id: Id, period_id: Id, body: PeriodChangeIn, db: DbSession, user: CurrentUser) -> PeriodOut:
    """Move a period to another week and/or change its planned mode."""
    reading.require_staff(user)
    period = reading.period_in(db, plan_id, period_id)
    if body.week is None and body.mode is None:
        raise Invalid(NOTHING_TO_CHANGE)
    period = service.change_period(db=db, actor=user, period_id=period.id, week=body.week,
                                   mode=body.mode.value if body.mode else None)
    return PeriodOut.model_validate(period)


@router.post("/plans/{plan_id}/periods/{period_id}/records", status_code=201)
def record_period(plan_id: Id, period_id: Id, body: RecordIn, db: DbSession, user: CurrentUser) -> RecordOut:
    """Record a period as delivered."""
    reading.require_staff(user)
    period = reading.period_in(db, plan_id, period_id)
    return _record(service.confirm(db=db, actor=user, period_id=period.id, delivered_on=body.delivered_on,
                                   mode=body.mode.value, live_session_id=body.live_session_id,
                                   lesson_id=body.lesson_id, note=body.note))


@router.post("/plans/{plan_id}/records/{record_id}/corrections", status_code=201)
def correct_record(plan_id: Id, record_id: Id, body: RecordIn, db: DbSession, user: CurrentUser) -> RecordOut:
    """Correct a period's current record: the new record supersedes it; the old one stays in the history."""
    reading.require_staff(user)
    record = reading.record_in(db, plan_id, record_id)
    return _record(service.correct(db=db, actor=user, record_id=record.id, delivered_on=body.delivered_on,
                                   mode=body.mode.value, live_session_id=body.live_session_id,
                                   lesson_id=body.lesson_id, note=body.note))


@router.get("/plans/{plan_id}/periods/{period_id}/history")
def period_history(plan_id: Id, period_id: Id, db: DbSession, user: CurrentUser) -> list[RecordOut]:
    """Return every record of a period, oldest first; superseded ones are marked."""
    plan = reading.plan_for(db, user, plan_id)
    period = reading.period_in(db, plan.id, period_id)
    records = service.history(db=db, actor=user, period_id=period.id)
    replaced = {r.supersedes_id for r in records if r.supersedes_id}
    return [_record(r, r.id in replaced) for r in records]


@router.get("/plans/{plan_id}/proposals")
def proposals(plan_id: Id, db: DbSession, user: CurrentUser) -> list[ProposalOut]:
    """Return the records the platform proposes for the plan; confirm one by posting it as a record."""
    plan = reading.plan_for(db, user, plan_id)
    return [ProposalOut.model_validate(p) for p in service.propose_records(
        db=db, actor=user, class_id=plan.class_id, subject_id=plan.subject_id, year_id=plan.academic_year_id)]

