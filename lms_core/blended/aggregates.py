"""The aggregates that reports read, kept current by the worker.

Every change to a plan or its delivery records adds the plan to `blended_dirty_plans` in the same transaction. The
worker drains that queue: for each dirty plan it recomputes the plan's class weeks (periods planned per week by the
plan, periods delivered per week by the current record's date, online ones counted apart) in a few set-based
queries, then the school weeks (a school's class weeks summed per grade, subject and week) of the schools touched.
Province and district views read the school weeks, a school's views its class weeks; no page scans the raw records.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, cast, delete, exists, func, insert, select, text, true, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, aliased

from lms_core.blended.models import (ONLINE, ClassWeek, DeliveryRecord, DirtyPlan, PlanPeriod, Refresh,
                                     SchoolWeek, Source, TeachingPlan)
from lms_core.db import utcnow
from lms_core.org.models import AcademicYear, SchoolClass

BATCH = 2000  # plans recomputed per round of queries
MAX_WEEK = 53
log = logging.getLogger(__name__)
LOCK_KEY = 0x7472756F  # the PostgreSQL advisory lock that keeps two workers from refreshing at once


def mark_dirty(db: Session, plan_ids: Iterable[int]) -> None:
    """Queue plans for the worker's next refresh (added to the caller's transaction)."""
    db.add_all(DirtyPlan(plan_id=pid) for pid in set(plan_ids))


def pending(db: Session, school_ids: Any = None, *, class_id: int | None = None) -> int:
    """Return how many plans wait for the worker: all of them, those of some schools (ids or a select of ids) or of
    one class, so that a page counts only the changes that its own figures wait for."""
    query = select(func.count(func.distinct(DirtyPlan.plan_id)))
    if class_id is not None:
        query = query.join(TeachingPlan, TeachingPlan.id == DirtyPlan.plan_id).where(TeachingPlan.class_id == class_id)
    elif school_ids is not None:
        query = query.join(TeachingPlan, TeachingPlan.id == DirtyPlan.plan_id).join(
            SchoolClass, SchoolClass.id == TeachingPlan.class_id).where(SchoolClass.school_id.in_(school_ids))
    return db.scalar(query) or 0


def last_refresh(db: Session) -> datetime | None:
    """Return when the aggregates were last brought up to date, if ever."""
    return db.scalar(select(func.max(Refresh.finished_at)))


def _days(db: Session, later: Any, earlier: Any) -> Any:
    """Return an SQL expression: whole days from `earlier` to `later` (two DATE values)."""
    if db.get_bind().dialect.name == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _week_of(db: Session) -> Any:
    """The school week (1..53) of a current record's date, counted from its plan's year start."""
    week = _days(db, DeliveryRecord.delivered_on, AcademicYear.start_date) // 7 + 1
    return case((week > MAX_WEEK, MAX_WEEK), else_=week)


@dataclass
class _Counts:
    planned_total: int = 0
    planned_online: int = 0
    delivered_total: int = 0
    delivered_online: int = 0


def _class_weeks(db: Session, plan_ids: list[int]) -> tuple[list[dict[str, Any]], set[tuple[int, int, int, int]]]:
    """Return the class-week rows of some plans, and the (school, year, grade, subject) groups they touch."""
    plans = {pid: (school_id, year_id, class_id, name, grade, subject_id)
             for pid, school_id, year_id, class_id, name, grade, subject_id in db.execute(
                 select(TeachingPlan.id, SchoolClass.school_id, TeachingPlan.academic_year_id, SchoolClass.id,
                        SchoolClass.name, SchoolClass.grade, TeachingPlan.subject_id)
                 .join(SchoolClass, SchoolClass.id == TeachingPlan.class_id).where(TeachingPlan.id.in_(plan_ids)))}
    counts: dict[tuple[int, int], _Counts] = defaultdict(_Counts)
    online = case((PlanPeriod.mode.in_(ONLINE), 1), else_=0)
    for pid, week, total, on in db.execute(
            select(PlanPeriod.plan_id, PlanPeriod.week, func.count(), func.sum(online))
            .where(PlanPeriod.plan_id.in_(plan_ids)).group_by(PlanPeriod.plan_id, PlanPeriod.week)):
        c = counts[(pid, min(week, MAX_WEEK))]
        c.planned_total += total
        c.planned_online += on or 0
    newer = aliased(DeliveryRecord)
    week = _week_of(db)
    delivered_online = case((DeliveryRecord.mode.in_(ONLINE), 1), else_=0)
    for pid, wk, total, on in db.execute(
            select(PlanPeriod.plan_id, week, func.count(), func.sum(delivered_online))
            .select_from(DeliveryRecord)
            .join(PlanPeriod, PlanPeriod.id == DeliveryRecord.period_id)
            .join(TeachingPlan, TeachingPlan.id == PlanPeriod.plan_id)
            .join(AcademicYear, AcademicYear.id == TeachingPlan.academic_year_id)
            .where(PlanPeriod.plan_id.in_(plan_ids), ~exists().where(newer.supersedes_id == DeliveryRecord.id))
            .group_by(PlanPeriod.plan_id, week)):
        c = counts[(pid, max(1, int(wk)))]
        c.delivered_total += total
        c.delivered_online += on or 0
    rows, groups = [], set()
    for (pid, wk), c in counts.items():
        school_id, year_id, class_id, name, grade, subject_id = plans[pid]
        rows.append({"school_id": school_id, "academic_year_id": year_id, "class_id": class_id, "class_name": name,
                     "grade": grade, "subject_id": subject_id, "week": wk, "source": Source.local,
                     "planned_total": c.planned_total, "planned_online": c.planned_online,
                     "delivered_total": c.delivered_total, "delivered_online": c.delivered_online})
    for school_id, year_id, _class_id, _name, grade, subject_id in plans.values():
        groups.add((school_id, year_id, grade, subject_id))
    return rows, groups


def _sync(db: Session, model: Any, keys: list[str], values: list[str], where: Any,
          wanted: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    """Make the stored rows of a model that match `where` equal `wanted` (key → row), writing only the changes: a
    day's records change one week of a plan, and each row written costs far more than one read."""
    stale, changed = [], []
    columns = [model.id, *(getattr(model, c) for c in keys + values)]
    for row in db.execute(select(*columns).where(where)):
        new = wanted.pop(tuple(row[1:1 + len(keys)]), None)
        if new is None:
            stale.append(row[0])
        elif tuple(row[1 + len(keys):]) != tuple(new[c] for c in values):
            changed.append({"id": row[0], **{c: new[c] for c in values}})
    for start in range(0, len(stale), 10000):
        db.execute(delete(model).where(model.id.in_(stale[start:start + 10000])))
    if changed:
        db.execute(update(model), changed)
    if wanted:
        db.execute(insert(model), list(wanted.values()))


CLASS_KEYS = ["class_id", "subject_id", "academic_year_id", "week"]
CLASS_VALUES = ["school_id", "class_name", "grade", "source", "planned_total", "planned_online", "delivered_total",
                "delivered_online"]
SCHOOL_KEYS = ["school_id", "academic_year_id", "grade", "subject_id", "week"]
SCHOOL_VALUES = ["classes", "planned_total", "planned_online", "delivered_total", "delivered_online"]


def _replace_class_weeks(db: Session, plan_ids: list[int]) -> set[tuple[int, int, int, int]]:
    """Recompute the class weeks of some plans; return the school-week groups to recompute.

    The plans' stored rows are found through a correlated EXISTS (an index probe per plan): a row-value IN list of
    thousands of tuples is matched row by row on PostgreSQL (63 s for one batch at province scale)."""
    rows, groups = _class_weeks(db, plan_ids)
    plan = aliased(TeachingPlan)
    mine = exists().where(plan.id.in_(plan_ids), plan.class_id == ClassWeek.class_id,
                          plan.subject_id == ClassWeek.subject_id,
                          plan.academic_year_id == ClassWeek.academic_year_id)
    _sync(db, ClassWeek, CLASS_KEYS, CLASS_VALUES, mine, {tuple(r[c] for c in CLASS_KEYS): r for r in rows})
    return groups


def refresh_school_weeks(db: Session, groups: set[tuple[int, int, int, int]]) -> None:
    """Recompute the school weeks of the schools of some (school, year, grade, subject) groups from their class
    weeks (whole schools, read through the (school, year, …) unique indexes: a superset, the same result)."""
    schools: dict[int, set[int]] = defaultdict(set)
    for school_id, year_id, _grade, _subject_id in groups:
        schools[year_id].add(school_id)
    for year_id, ids in sorted(schools.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), 100):
            chunk = ordered[start:start + 100]
            summed = select(
                ClassWeek.school_id, ClassWeek.academic_year_id, ClassWeek.grade, ClassWeek.subject_id,
                ClassWeek.week, func.count(func.distinct(case((ClassWeek.planned_total > 0, ClassWeek.class_name)))),
                func.sum(ClassWeek.planned_total), func.sum(ClassWeek.planned_online),
                func.sum(ClassWeek.delivered_total), func.sum(ClassWeek.delivered_online)) \
                .where(ClassWeek.academic_year_id == year_id, ClassWeek.school_id.in_(chunk)) \
                .group_by(ClassWeek.school_id, ClassWeek.academic_year_id, ClassWeek.grade, ClassWeek.subject_id,
                          ClassWeek.week)
            wanted = {tuple(r[:5]): dict(zip(SCHOOL_KEYS + SCHOOL_VALUES, (*r[:5], *(int(v or 0) for v in r[5:])),
                                             strict=True)) for r in db.execute(summed)}
            _sync(db, SchoolWeek, SCHOOL_KEYS, SCHOOL_VALUES,
                  (SchoolWeek.academic_year_id == year_id) & SchoolWeek.school_id.in_(chunk), wanted)


def _lock(db: Session) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def _recompute(db: Session, plan_ids: list[int], top: int) -> Exception | None:
    """Recompute some plans' class weeks and their schools' weeks, consume the queue rows they answer and commit;
    return the error, rolled back, when the plans fail (a failure of the database itself is raised: _database_down).

    The lock is taken again here: after a rolled-back batch, each plan is retried in a transaction of its own."""
    try:
        _lock(db)
        # the queue rows this batch answers, read before the plans are: a teacher's change that commits while the
        # batch computes may hold a lower id than `top`, and must stay queued for the next round
        consumed = list(db.scalars(select(DirtyPlan.id).where(DirtyPlan.plan_id.in_(plan_ids), DirtyPlan.id <= top)))
        groups = _replace_class_weeks(db, plan_ids)
        refresh_school_weeks(db, groups)
        for start in range(0, len(consumed), 10000):
            db.execute(delete(DirtyPlan).where(DirtyPlan.id.in_(consumed[start:start + 10000])))
        db.commit()
        return None
    except Exception as exc:  # noqa: BLE001 - one plan's failure must not hold back the province's figures
        if _database_down(exc):
            raise
        db.rollback()
        return exc


def _database_down(exc: Exception) -> bool:
    """Return whether an error is the database's, not a plan's (connection lost, locked, timed out, deadlocked):
    the run ends and the next one tries again, rather than setting every plan aside."""
    return isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def refresh(*, db: Session, max_plans: int | None = None) -> int:
    """Bring the aggregates of every dirty plan up to date; return how many plans were recomputed.

    Each batch of plans commits on its own, with the queue rows it consumed, so a crash loses nothing: the plans
    not yet recomputed stay queued. A batch that fails is done again plan by plan: a plan that fails alone is logged
    and set aside for the rest of the run (still queued, so it counts as waiting and is tried again next run)
    instead of stopping every later batch. A failure of the database itself ends the run."""
    started = time.perf_counter()
    done = 0
    set_aside: set[int] = set()
    while max_plans is None or done < max_plans:
        _lock(db)
        fresh = DirtyPlan.plan_id.not_in(set_aside) if set_aside else true()
        top = db.scalar(select(func.max(DirtyPlan.id)).where(fresh))
        if top is None:
            db.rollback()
            break
        limit = BATCH if max_plans is None else min(BATCH, max_plans - done)
        plan_ids = list(db.scalars(select(DirtyPlan.plan_id).where(DirtyPlan.id <= top, fresh).distinct()
                                   .order_by(DirtyPlan.plan_id).limit(limit)))
        if _recompute(db, plan_ids, top) is None:
            done += len(plan_ids)
            continue
        for plan_id in plan_ids:
            if (error := _recompute(db, [plan_id], top)) is None:
                done += 1
            else:
                log.error("blended aggregates: plan %s could not be recomputed; it stays queued", plan_id,
                          exc_info=error)
                set_aside.add(plan_id)
    if done:
        db.add(Refresh(finished_at=utcnow(), plans=done, seconds=round(time.perf_counter() - started, 3)))
        db.commit()
    return done


def rebuild(*, db: Session, year_id: int) -> int:
    """Make a year's aggregates again from this server's records (imported schools' rows are kept); return how
    many plans were recomputed."""
    _lock(db)
    db.execute(delete(ClassWeek).where(ClassWeek.academic_year_id == year_id, ClassWeek.source == Source.local))
    db.execute(delete(SchoolWeek).where(SchoolWeek.academic_year_id == year_id))
    db.execute(insert(DirtyPlan).from_select(
        ["plan_id"], select(TeachingPlan.id).where(TeachingPlan.academic_year_id == year_id)))
    imported = {tuple(g) for g in db.execute(
        select(ClassWeek.school_id, ClassWeek.academic_year_id, ClassWeek.grade, ClassWeek.subject_id)
        .where(ClassWeek.academic_year_id == year_id).distinct())}
    refresh_school_weeks(db, imported)
    db.commit()
    return refresh(db=db)
