"""The aggregates the reports read: a plan's changes queue it, the worker's refresh recomputes its weeks (planned by
the plan's week, delivered by the current record's date), the school weeks follow; shares are read from them, with
the province's targets (or the defaults) and only for units the reader may see."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lms_core.blended import aggregates, shares
from lms_core.blended import service as blended
from lms_core.blended.models import ClassWeek, DirtyPlan, OnlineTarget, Refresh, SchoolWeek
from lms_core.blended.shares import Scope
from lms_core.errors import Forbidden, Invalid, NotFound
from tests.blended.conftest import record_sample_week, school_day

pytestmark = pytest.mark.db


def _weeks(db: Session) -> dict[int, tuple[int, int, int, int]]:
    db.expire_all()
    return {r.week: (r.planned_total, r.planned_online, r.delivered_total, r.delivered_online)
            for r in db.scalars(select(ClassWeek))}


@pytest.fixture()
def taught(db: Session, world, plan):  # noqa: ANN001, ANN201
    """6A's English plan (70 periods, two a week) with periods 1, 2 and 9 planned online, period 1 delivered online
    live in week 1, period 2 in person in week 1, and period 5 first recorded in person in week 3 then corrected to
    online self-paced in week 4."""
    record_sample_week(db, world, plan)
    return plan


def test_refresh_counts_each_week_from_the_current_records(db: Session, world, taught) -> None:
    assert aggregates.pending(db) == 1  # one plan, however many changes
    assert aggregates.pending(db, [world.school.id]) == 1 and aggregates.pending(db, [world.other_school.id]) == 0
    assert aggregates.pending(db, class_id=world.class_6a.id) == 1 and aggregates.pending(db, class_id=world.class_7a.id) == 0
    assert aggregates.refresh(db=db) == 1
    weeks = _weeks(db)
    # 70 periods over 35 weeks: two planned each week; periods 1, 2 (week 1) and 9 (week 5) planned online
    assert sum(w[0] for w in weeks.values()) == 70 and set(weeks) == set(range(1, 36))
    assert weeks[1] == (2, 2, 2, 1)
    assert weeks[5][:2] == (2, 1)
    # the week-3 record was corrected to week 4: only the current record counts
    assert weeks[3] == (2, 0, 0, 0)
    assert weeks[4] == (2, 0, 1, 1)
    school_week = db.scalar(select(SchoolWeek).where(SchoolWeek.week == 1))
    assert (school_week.classes, school_week.planned_total, school_week.delivered_online) == (1, 2, 1)
    assert aggregates.pending(db) == 0 and aggregates.refresh(db=db) == 0
    assert db.scalar(select(Refresh.plans)) == 1


def test_a_change_committed_while_the_worker_computes_stays_queued(db: Session, world, taught,
                                                                   monkeypatch) -> None:
    """A teacher's save may take a queue id below the highest one the worker saw and commit while the worker is
    computing that very plan: its queue row must outlive the batch, or the figures would miss the record."""
    db.execute(delete(DirtyPlan))
    db.add_all([DirtyPlan(id=1001, plan_id=taught.id), DirtyPlan(id=1003, plan_id=taught.id)])
    db.commit()
    compute = aggregates._replace_class_weeks
    late: list[int] = [1002]

    def teacher_saves_meanwhile(session: Session, plan_ids: list[int]):  # noqa: ANN202
        groups = compute(session, plan_ids)
        while late:  # committed by the teacher during the first round, seen only now
            session.add(DirtyPlan(id=late.pop(), plan_id=taught.id))
            session.flush()
        return groups

    monkeypatch.setattr(aggregates, "_replace_class_weeks", teacher_saves_meanwhile)
    assert aggregates.refresh(db=db) == 2  # the plan again, in a second round, for the late change
    assert aggregates.pending(db) == 0


def test_a_plan_that_cannot_be_recomputed_is_set_aside_and_the_others_go_on(db: Session, world, taught, curriculum,
                                                                          monkeypatch, caplog) -> None:
    """One plan whose figures fail to compute (here: made to fail) is logged and stays queued; the other plans of
    its batch and of later runs are brought up to date all the same, and the run ends."""
    other = blended.generate_plan(db=db, actor=world.other_school_teacher, host=curriculum,
                                  class_id=world.other_class.id, subject_id=world.subject.id, year_id=world.year.id)
    compute = aggregates._replace_class_weeks

    def failing_for_6a(session: Session, plan_ids: list[int]):  # noqa: ANN202
        if taught.id in plan_ids:
            raise ValueError("a plan that cannot be recomputed")
        return compute(session, plan_ids)

    monkeypatch.setattr(aggregates, "_replace_class_weeks", failing_for_6a)
    assert aggregates.refresh(db=db) == 1
    assert list(db.scalars(select(DirtyPlan.plan_id).distinct())) == [taught.id]
    assert db.scalar(select(func.count()).select_from(ClassWeek).where(ClassWeek.class_id == world.other_class.id)) \
        == 35
    assert f"plan {taught.id} could not be recomputed" in caplog.text
    assert aggregates.refresh(db=db) == 0 and aggregates.pending(db) == 1  # tried again next run, still set aside
    monkeypatch.setattr(aggregates, "_replace_class_weeks", compute)
    assert aggregates.refresh(db=db) == 1 and aggregates.pending(db) == 0
    assert other.id not in set(db.scalars(select(DirtyPlan.plan_id)))


def _database_errors() -> list[Exception]:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, TimeoutError

    lost = DBAPIError("SELECT 1", {}, Exception("connection reset"), connection_invalidated=True)
    return [OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")),
            InterfaceError("SELECT 1", {}, Exception("connection already closed")), lost,
            TimeoutError("QueuePool limit of size 5 overflow 10 reached")]


@pytest.mark.parametrize("error", _database_errors(), ids=["operational", "interface", "invalidated", "pool"])
def test_a_database_failure_ends_the_run_and_sets_nothing_aside(db: Session, world, taught, monkeypatch,
                                                                error: Exception) -> None:
    def database_gone(session: Session, plan_ids: list[int]):  # noqa: ANN202
        raise error

    monkeypatch.setattr(aggregates, "_replace_class_weeks", database_gone)
    with pytest.raises(type(error)):
        aggregates.refresh(db=db)
    db.rollback()
    assert aggregates.pending(db) == 1 and db.scalar(select(func.count()).select_from(Refresh)) == 0


def test_views_read_the_aggregates_not_the_records(db: Session, world, taught) -> None:
    year = shares.window(db=db, year_id=world.year.id, kind="year")
    school = Scope("school", world.school.id)
    assert shares.total(db=db, actor=world.school_admin, scope=school, win=year).planned_total == 0
    aggregates.refresh(db=db)
    figures = shares.total(db=db, actor=world.school_admin, scope=school, win=year)
    assert (figures.planned_total, figures.planned_online, figures.delivered_total, figures.delivered_online) == \
        (70, 3, 3, 2)
    assert figures.share == round(100 * 2 / 70, 1) == 2.9
    assert figures.planned_share == round(100 * 3 / 70, 1)
    # grade 6 is lower secondary: 10 % by default
    assert figures.target == 10.0 and not figures.meets_target and figures.gap == 7.1
    # a new record is not seen until the worker has run
    blended.confirm(db=db, actor=world.teacher, period_id=taught.periods[8].id, delivered_on=school_day(world, 5),
                    mode="online_live")
    assert shares.total(db=db, actor=world.school_admin, scope=school, win=year).delivered_online == 2
    aggregates.refresh(db=db)
    assert shares.total(db=db, actor=world.school_admin, scope=school, win=year).delivered_online == 3


def test_windows_weeks_and_terms(db: Session, world, taught) -> None:
    aggregates.refresh(db=db)
    school = Scope("school", world.school.id)
    week1 = shares.total(db=db, actor=world.school_admin, scope=school,
                         win=shares.window(db=db, year_id=world.year.id, kind="week", week=1))
    assert (week1.planned_total, week1.delivered_online, week1.share) == (2, 1, 50.0)
    to_date = shares.window(db=db, year_id=world.year.id, kind="to_date", today=school_day(world, 4))
    assert (to_date.first, to_date.last) == (1, 4)
    figures = shares.total(db=db, actor=world.school_admin, scope=school, win=to_date)
    assert (figures.planned_total, figures.delivered_online, figures.share) == (8, 2, 25.0)
    term = shares.window(db=db, year_id=world.year.id, kind="term", term_number=1)
    first_term = world.year.terms[0]
    assert term.first == 1 and term.last == shares.week_of(world.year, first_term.end_date)
    with pytest.raises(Invalid):
        shares.window(db=db, year_id=world.year.id, kind="week", week=0)
    with pytest.raises(NotFound):
        shares.window(db=db, year_id=world.year.id, kind="term", term_number=7)
    with pytest.raises(Invalid):
        shares.window(db=db, year_id=world.year.id, kind="fortnight")


def test_breakdowns_trend_and_the_below_target_list(db: Session, world, taught) -> None:
    aggregates.refresh(db=db)
    year = shares.window(db=db, year_id=world.year.id, kind="year")
    province = Scope("province", world.province.id)
    by_district = shares.figures(db=db, actor=world.province_staff, scope=province, win=year, by=("district",))
    assert [(r.key, r.label, r.figures.delivered_online) for r in by_district] == \
        [((world.district.id,), world.district.name, 2)]
    by_class = shares.figures(db=db, actor=world.school_admin, scope=Scope("school", world.school.id), win=year,
                              by=("class", "subject"))
    assert [(r.key, r.extra["class_id"]) for r in by_class] == [(("6A", world.subject.id), world.class_6a.id)]
    weeks = shares.trend(db=db, actor=world.school_admin, scope=Scope("school", world.school.id),
                         year_id=world.year.id)
    assert [r.key[0] for r in weeks][:5] == [1, 2, 3, 4, 5]
    assert weeks[3].extra["cumulative"].delivered_online == 2 and weeks[3].extra["cumulative"].planned_total == 8
    below = shares.below_target(db=db, actor=world.school_admin, scope=Scope("school", world.school.id), win=year)
    assert [r.key for r in below] == [("6A", world.subject.id)]
    assert [r.key for r in shares.below_target(db=db, actor=world.province_staff, scope=province, win=year)] == \
        [(world.school.id,)]
    # with the province's lower-secondary target at 2 %, nobody is below
    shares.set_target(db=db, actor=world.province_staff, province_id=world.province.id, year_id=world.year.id,
                      level="lower_secondary", percent=2)
    assert shares.below_target(db=db, actor=world.school_admin, scope=Scope("school", world.school.id),
                               win=year) == []
    assert shares.targets(db=db, province_id=world.province.id, year_id=world.year.id) == \
        {"primary": 5.0, "lower_secondary": 2.0, "upper_secondary": 10.0}


def test_who_may_read_which_unit(db: Session, world, taught) -> None:
    aggregates.refresh(db=db)
    year = shares.window(db=db, year_id=world.year.id, kind="year")
    allowed = {
        (world.system_admin, "province", world.province.id), (world.province_staff, "province", world.province.id),
        (world.province_staff, "district", world.district.id), (world.province_staff, "school", world.school.id),
        (world.province_staff, "class", world.class_6a.id),
        (world.district_staff, "district", world.district.id), (world.district_staff, "school", world.school.id),
        (world.district_staff, "class", world.class_6a.id), (world.school_admin, "school", world.school.id),
        (world.school_admin, "class", world.class_6a.id),
    }
    actors = [world.system_admin, world.province_staff, world.district_staff, world.other_district_staff,
              world.school_admin, world.other_school_admin, world.teacher, world.student]
    units = [("province", world.province.id), ("district", world.district.id), ("school", world.school.id),
             ("class", world.class_6a.id)]
    for actor in actors:
        for kind, unit_id in units:
            scope = Scope(kind, unit_id)
            if (actor, kind, unit_id) in allowed or actor is world.system_admin:
                assert shares.total(db=db, actor=actor, scope=scope, win=year).delivered_online == 2
            else:
                with pytest.raises(Forbidden):
                    shares.total(db=db, actor=actor, scope=scope, win=year)
    with pytest.raises(NotFound):
        shares.total(db=db, actor=world.system_admin, scope=Scope("school", 10**9), win=year)


def test_targets_are_checked_and_only_the_province_sets_them(db: Session, world) -> None:
    for bad in (-1, 101, float("nan"), "10", True):
        with pytest.raises(Invalid):
            shares.set_target(db=db, actor=world.province_staff, province_id=world.province.id,
                              year_id=world.year.id, level="primary", percent=bad)
    with pytest.raises(Invalid):
        shares.set_target(db=db, actor=world.province_staff, province_id=world.province.id, year_id=world.year.id,
                          level="university", percent=5)
    for outsider in (world.district_staff, world.school_admin, world.teacher):
        with pytest.raises(Forbidden):
            shares.set_target(db=db, actor=outsider, province_id=world.province.id, year_id=world.year.id,
                              level="primary", percent=5)
    assert db.scalar(select(OnlineTarget.id)) is None


def test_rebuild_gives_the_same_figures_as_the_worker(db: Session, world, taught) -> None:
    aggregates.refresh(db=db)
    before = sorted(_weeks(db).items())
    db.execute(ClassWeek.__table__.update().values(delivered_online=99))
    db.commit()
    assert aggregates.rebuild(db=db, year_id=world.year.id) == 1
    assert sorted(_weeks(db).items()) == before
    assert db.scalar(select(DirtyPlan.id)) is None


def test_the_terms_share_no_week_and_cover_the_year(db: Session, world) -> None:
    first = shares.window(db=db, year_id=world.year.id, kind="term", term_number=1)
    second = shares.window(db=db, year_id=world.year.id, kind="term", term_number=2)
    assert first.first == 1 and second.first == first.last + 1
    assert second.last == shares.week_of(world.year, world.year.end_date)
