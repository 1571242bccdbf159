"""Delivered periods: the class's teacher records a period once (date within the school year, a known mode, its
evidence); a correction adds a record that supersedes the current one and keeps the old one; stored records are
never changed. Every refusal stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core.blended import service as blended
from lms_core.blended.models import DeliveryRecord, RecordsAreAppendOnly
from lms_core.errors import Forbidden, Invalid, NotFound

pytestmark = pytest.mark.db


def _records(db: Session) -> list[tuple]:
    db.expire_all()
    return list(db.execute(select(DeliveryRecord.id, DeliveryRecord.period_id, DeliveryRecord.delivered_on,
                                  DeliveryRecord.mode, DeliveryRecord.note, DeliveryRecord.supersedes_id,
                                  DeliveryRecord.recorded_by_id).order_by(DeliveryRecord.id)))


def test_a_correction_supersedes_the_record_and_keeps_the_old_one(db: Session, world, plan) -> None:
    day = world.year.start_date + timedelta(days=14)
    period = plan.periods[5]
    first = blended.confirm(db=db, actor=world.teacher, period_id=period.id, delivered_on=day, mode="in_person",
                            note="  Dạy trên lớp ")
    fixed = blended.correct(db=db, actor=world.teacher, record_id=first.id, delivered_on=day + timedelta(days=1),
                            mode="online_self_paced", note="Học sinh tự học trên hệ thống")
    assert _records(db) == [
        (first.id, period.id, day, "in_person", "Dạy trên lớp", None, world.teacher.id),
        (fixed.id, period.id, day + timedelta(days=1), "online_self_paced", "Học sinh tự học trên hệ thống",
         first.id, world.teacher.id)]
    assert [r.id for r in blended.history(db=db, actor=world.school_admin, period_id=period.id)] == [first.id, fixed.id]
    assert blended.current_records(db=db, plan=plan) == {period.id: fixed}
    # the superseded record cannot be corrected again: the history stays a line
    with pytest.raises(Invalid) as refused:
        blended.correct(db=db, actor=world.teacher, record_id=first.id, delivered_on=day, mode="online_live")
    assert refused.value.message == blended.NOT_CURRENT
    # a second first record of the same period is refused: corrections go through correct
    with pytest.raises(Invalid) as twice:
        blended.confirm(db=db, actor=world.teacher, period_id=period.id, delivered_on=day, mode="in_person")
    assert twice.value.message == blended.ALREADY_RECORDED
    assert len(_records(db)) == 2


def test_two_confirmations_racing_each_other_store_one_record(db: Session, world, plan, monkeypatch) -> None:
    """Two tabs confirm the same period at once: both pass the 'already recorded' check, the other one commits
    first. The database's one-first-record-per-period index refuses the second, and the teacher reads why."""
    period = plan.periods[3]
    day = world.year.start_date + timedelta(days=3)
    queue = blended.aggregates.mark_dirty

    def other_tab_commits_first(session: Session, plan_ids) -> None:  # noqa: ANN001
        with session.no_autoflush:  # the other tab's row is stored before this one is flushed
            session.execute(insert(DeliveryRecord).values(period_id=period.id, delivered_on=day, mode="online_live",
                                                          note="", recorded_by_id=world.teacher.id))
        queue(session, plan_ids)

    monkeypatch.setattr(blended.aggregates, "mark_dirty", other_tab_commits_first)
    with pytest.raises(Invalid) as refused:
        blended.confirm(db=db, actor=world.teacher, period_id=period.id, delivered_on=day, mode="in_person")
    assert refused.value.message == blended.ALREADY_RECORDED


def test_the_database_keeps_one_first_record_per_period(db: Session, world, plan) -> None:
    period = plan.periods[4]
    row = {"period_id": period.id, "delivered_on": world.year.start_date, "mode": "in_person", "note": "",
           "recorded_by_id": world.teacher.id}
    db.execute(insert(DeliveryRecord).values(**row))
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.execute(insert(DeliveryRecord).values(**row))
    assert [r[1] for r in _records(db)] == [period.id]


def test_a_stored_record_is_never_changed_nor_deleted(db: Session, world, plan) -> None:
    record = blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id,
                             delivered_on=world.year.start_date, mode="in_person")
    before = _records(db)
    record = db.get(DeliveryRecord, record.id)
    record.mode = "online_live"
    with pytest.raises(RecordsAreAppendOnly):
        db.flush()
    db.rollback()
    db.delete(db.get(DeliveryRecord, record.id))
    with pytest.raises(RecordsAreAppendOnly):
        db.flush()
    db.rollback()
    assert _records(db) == before


@pytest.mark.parametrize("who", ["other_teacher", "other_school_teacher", "school_admin", "student"])
def test_only_the_classs_teacher_of_the_subject_records_and_corrects(db: Session, world, plan, who: str) -> None:
    day = world.year.start_date + timedelta(days=3)
    record = blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id, delivered_on=day,
                             mode="in_person")
    before = _records(db)
    actor = getattr(world, who)
    with pytest.raises(Forbidden) as refused:
        blended.confirm(db=db, actor=actor, period_id=plan.periods[1].id, delivered_on=day, mode="online_live")
    assert refused.value.message == blended.NOT_YOUR_CLASS
    with pytest.raises(Forbidden):
        blended.correct(db=db, actor=actor, record_id=record.id, delivered_on=day, mode="online_live")
    assert _records(db) == before


def test_a_period_or_record_that_does_not_exist_is_refused(db: Session, world, plan) -> None:
    with pytest.raises(NotFound) as no_period:
        blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[-1].id + 1000,
                        delivered_on=world.year.start_date, mode="in_person")
    assert no_period.value.message == blended.PERIOD_NOT_FOUND
    with pytest.raises(NotFound) as no_record:
        blended.correct(db=db, actor=world.teacher, record_id=424242, delivered_on=world.year.start_date,
                        mode="in_person")
    assert no_record.value.message == blended.RECORD_NOT_FOUND
    assert _records(db) == []


@pytest.mark.parametrize(("when", "mode", "message"), [
    ("before", "in_person", blended.OUTSIDE_YEAR),
    ("after", "online_live", blended.OUTSIDE_YEAR),
    ("inside", "online", blended.BAD_MODE),
    ("inside", "", blended.BAD_MODE),
])
def test_a_date_outside_the_year_or_an_unknown_mode_is_refused(db: Session, world, plan, when, mode,
                                                                message) -> None:
    year = world.year
    day = {"before": year.start_date - timedelta(days=1), "after": year.end_date + timedelta(days=1),
           "inside": year.start_date + timedelta(days=30)}[when]
    kept = blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id,
                           delivered_on=year.start_date + timedelta(days=2), mode="in_person")
    before = _records(db)
    with pytest.raises(Invalid) as refused:
        blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[1].id, delivered_on=day, mode=mode)
    assert refused.value.message == message
    with pytest.raises(Invalid) as refused_correction:
        blended.correct(db=db, actor=world.teacher, record_id=kept.id, delivered_on=day, mode=mode)
    assert refused_correction.value.message == message
    if message == blended.OUTSIDE_YEAR:
        assert refused.value.params == {"start": year.start_date.isoformat(), "end": year.end_date.isoformat()}
    assert _records(db) == before


def test_a_too_long_note_is_refused(db: Session, world, plan) -> None:
    with pytest.raises(Invalid) as refused:
        blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id,
                        delivered_on=world.year.start_date, mode="in_person", note="x" * 501)
    assert refused.value.message == blended.BAD_NOTE
    assert _records(db) == []
