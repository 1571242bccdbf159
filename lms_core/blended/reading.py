"""Reading teaching plans for the HTML and JSON routes alike: who may read them, the plans of a year a reader may
see and the classes a teacher teaches, one plan, period or record found within its plan (else NotFound), the
figures counted from the raw periods and records of a few plans, and the evidence a record may name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from lms_core import permissions
from lms_core.accounts.models import Role, TeachingAssignment, User
from lms_core.blended import service
from lms_core.blended.models import ONLINE, DeliveryRecord, PlanPeriod, TeachingPlan
from lms_core.blended.shares import Figures
from lms_core.courses.models import Activity, Lesson
from lms_core.errors import Forbidden, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.org.service import current_year

MAX_ID = 2_147_483_647
PAGE_SIZE = 50
STAFF = (Role.teacher, Role.school_admin, Role.department_staff, Role.system_admin)
STAFF_ONLY = N_("Teaching plans are for teachers and school staff.")
PLAN_NOT_FOUND = N_("This teaching plan does not exist.")


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
    courses = service.courses_of(plan)  # the same courses the service accepts evidence from
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
