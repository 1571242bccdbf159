"""A class's teaching plan for a subject: one row per curriculum period, in curriculum order, spread over the 35
weeks of the year, all planned in person; made again it stays as it is (the teacher's changes kept). Only the
class's teacher of that subject moves a period or changes its planned mode; every refusal stores nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.blended import service as blended
from lms_core.blended.models import Mode, PlanPeriod, TeachingPlan
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.plugins.host import PluginHost

pytestmark = pytest.mark.db


def _counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(TeachingPlan)),
            db.scalar(select(func.count()).select_from(PlanPeriod)))


def _rows(db: Session, plan: TeachingPlan) -> list[tuple]:
    db.expire_all()
    return list(db.execute(select(PlanPeriod.position, PlanPeriod.week, PlanPeriod.mode, PlanPeriod.updated_by_id)
                           .where(PlanPeriod.plan_id == plan.id).order_by(PlanPeriod.position)))


def test_a_plan_lists_every_period_of_every_lesson_spread_over_the_35_weeks(db: Session, world, plan) -> None:
    periods = plan.periods
    assert len(periods) == 20 * 2 + 10 * 3
    assert [p.position for p in periods] == list(range(1, 71))
    assert [(p.item_title, p.lesson_period, p.lesson_periods) for p in periods[:3]] == [
        ("Bài 1", 1, 2), ("Bài 1", 2, 2), ("Bài 2", 1, 2)]
    assert (periods[-1].item_id, periods[-1].item_title, periods[-1].topic_title, periods[-1].lesson_period) == \
        (2030, "Bài 30", "Chủ đề 2: Trường học", 3)
    assert Counter(p.week for p in periods) == {week: 2 for week in range(1, 36)}
    assert [p.week for p in periods] == sorted(p.week for p in periods)
    assert {p.mode for p in periods} == {Mode.in_person}
    assert (plan.class_id, plan.subject_id, plan.academic_year_id, plan.weeks) == \
        (world.class_6a.id, world.subject.id, world.year.id, 35)


def test_making_the_plan_again_keeps_it_and_the_teachers_changes(db: Session, world, curriculum, plan) -> None:
    blended.change_period(db=db, actor=world.teacher, period_id=plan.periods[4].id, week=9, mode="online_live")
    before = _rows(db, plan)
    again = blended.generate_plan(db=db, actor=world.teacher, host=curriculum, class_id=world.class_6a.id,
                                  subject_id=world.subject.id, year_id=world.year.id)
    by_admin = blended.generate_plan(db=db, actor=world.school_admin, host=curriculum, class_id=world.class_6a.id,
                                     subject_id=world.subject.id, year_id=world.year.id)
    assert again.id == by_admin.id == plan.id
    assert _counts(db) == (1, 70)
    assert _rows(db, plan) == before
    assert before[4] == (5, 9, "online_live", world.teacher.id)


def test_the_school_admin_may_make_a_class_plan(db: Session, world, curriculum) -> None:
    made = blended.generate_plan(db=db, actor=world.school_admin, host=curriculum, class_id=world.class_6a.id,
                                 subject_id=world.subject.id, year_id=world.year.id)
    assert len(made.periods) == 70 and made.created_by_id == world.school_admin.id


@pytest.mark.parametrize("who", ["other_teacher", "other_school_teacher", "other_school_admin", "student",
                                 "district_staff"])
def test_only_the_classs_teacher_or_its_school_admin_makes_its_plan(db: Session, world, curriculum, who: str) -> None:
    with pytest.raises(Forbidden) as refused:
        blended.generate_plan(db=db, actor=getattr(world, who), host=curriculum, class_id=world.class_6a.id,
                              subject_id=world.subject.id, year_id=world.year.id)
    assert refused.value.message == blended.NOT_YOUR_CLASS
    assert _counts(db) == (0, 0)


def test_a_plan_needs_the_curriculum_and_a_subject_taught_in_the_grade(db: Session, world, curriculum) -> None:
    bare = PluginHost(load_entry_points=False)
    with pytest.raises(Invalid) as no_curriculum:
        blended.generate_plan(db=db, actor=world.teacher, host=bare, class_id=world.class_6a.id,
                              subject_id=world.subject.id, year_id=world.year.id)
    assert no_curriculum.value.message == blended.NO_CURRICULUM
    # 7A's teacher of English: the tree has no grade 7
    with pytest.raises(Invalid) as not_taught:
        blended.generate_plan(db=db, actor=world.other_teacher, host=curriculum, class_id=world.class_7a.id,
                              subject_id=world.subject.id, year_id=world.year.id)
    assert not_taught.value.message == blended.NOT_TAUGHT
    with pytest.raises(NotFound):
        blended.generate_plan(db=db, actor=world.teacher, host=curriculum, class_id=999999,
                              subject_id=world.subject.id, year_id=world.year.id)
    assert _counts(db) == (0, 0)


def test_the_teacher_moves_a_period_and_changes_its_planned_mode(db: Session, world, plan) -> None:
    period = plan.periods[10]
    blended.change_period(db=db, actor=world.teacher, period_id=period.id, week=35)
    blended.change_period(db=db, actor=world.teacher, period_id=period.id, mode="online_self_paced")
    row = _rows(db, plan)[10]
    assert row == (11, 35, "online_self_paced", world.teacher.id)


@pytest.mark.parametrize("who", ["other_teacher", "other_school_teacher", "school_admin", "student"])
def test_another_teacher_cannot_change_the_plan(db: Session, world, plan, who: str) -> None:
    before = _rows(db, plan)
    with pytest.raises(Forbidden) as refused:
        blended.change_period(db=db, actor=getattr(world, who), period_id=plan.periods[0].id, week=3,
                              mode="online_live")
    assert refused.value.message == blended.NOT_YOUR_CLASS
    assert _rows(db, plan) == before


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"mode": "online"}, Invalid, blended.BAD_MODE),
    ({"week": 0}, Invalid, blended.BAD_WEEK),
    ({"week": 36, "mode": "online_live"}, Invalid, blended.BAD_WEEK),
    ({"week": 3, "mode": "hybrid"}, Invalid, blended.BAD_MODE),
])
def test_a_bad_week_or_an_unknown_mode_is_refused(db: Session, world, plan, change, error, message) -> None:
    before = _rows(db, plan)
    with pytest.raises(error) as refused:
        blended.change_period(db=db, actor=world.teacher, period_id=plan.periods[0].id, **change)
    assert refused.value.message == message
    assert _rows(db, plan) == before


def test_a_period_that_does_not_exist_is_refused(db: Session, world, plan) -> None:
    with pytest.raises(NotFound) as refused:
        blended.change_period(db=db, actor=world.teacher, period_id=plan.periods[-1].id + 1000, week=2)
    assert refused.value.message == blended.PERIOD_NOT_FOUND


def test_who_sees_a_plan(db: Session, world, plan) -> None:
    for who in ("teacher", "school_admin", "district_staff", "province_staff", "system_admin"):
        assert blended.get_plan(db=db, actor=getattr(world, who), class_id=world.class_6a.id,
                                subject_id=world.subject.id, year_id=world.year.id).id == plan.id
    for who in ("other_teacher", "other_school_admin", "other_district_staff", "student"):
        with pytest.raises(NotFound):
            blended.get_plan(db=db, actor=getattr(world, who), class_id=world.class_6a.id,
                             subject_id=world.subject.id, year_id=world.year.id)


def test_a_plan_for_another_school_year_than_the_classs_is_refused(db: Session, world, curriculum) -> None:
    from lms_core.org.seed import ensure_academic_year

    next_year = ensure_academic_year(db, world.year.start_date.year + 1)
    with pytest.raises(Invalid) as refused:
        blended.generate_plan(db=db, actor=world.teacher, host=curriculum, class_id=world.class_6a.id,
                              subject_id=world.subject.id, year_id=next_year.id)
    assert refused.value.message == blended.WRONG_YEAR
    assert _counts(db) == (0, 0)
