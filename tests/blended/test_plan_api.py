"""The teaching-plan JSON API: list, make and read plans, change a period, record and correct a delivery, read a
period's history and the platform's proposals. Wrong types are refused (422) and never coerced; every refusal
stores nothing; a reader outside the plan's school or area is told it does not exist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import Role, RoleAssignment
from lms_core.blended.models import DeliveryRecord, PlanPeriod, TeachingPlan
from lms_core.courses import live
from tests.blended.test_proposed_records import _course
from tests.builders import make_user

pytestmark = pytest.mark.db


@pytest.fixture()
def plugin_host(curriculum):  # noqa: ANN001, ANN201
    """The app's plugin host: the core and the test curriculum."""
    return curriculum


def _records(db: Session) -> list[tuple]:
    db.expire_all()
    return list(db.execute(select(DeliveryRecord.id, DeliveryRecord.period_id, DeliveryRecord.delivered_on,
                                  DeliveryRecord.mode, DeliveryRecord.note, DeliveryRecord.supersedes_id)
                           .order_by(DeliveryRecord.id)))


def _periods(db: Session) -> list[tuple]:
    db.expire_all()
    return list(db.execute(select(PlanPeriod.id, PlanPeriod.week, PlanPeriod.mode).order_by(PlanPeriod.id)))


def _day(world, days: int = 20) -> str:  # noqa: ANN001
    return (world.year.start_date + timedelta(days=days)).isoformat()


def test_a_teacher_makes_lists_and_reads_a_plan(db: Session, world, client_for) -> None:
    teacher = client_for(world.teacher)
    assert teacher.get("/api/plans").json() == {"total": 0, "items": []}
    body = {"class_id": world.class_6a.id, "subject_id": world.subject.id, "year_id": world.year.id}
    made = teacher.post("/api/plans", json=body)
    assert made.status_code == 201, made.text
    summary = made.json()
    assert (summary["class_name"], summary["grade"], summary["weeks"], summary["year_name"]) == \
        ("6A", 6, 35, world.year.name)
    assert summary["figures"] == {"periods": 70, "planned_online": 0, "delivered": 0, "delivered_online": 0,
                                  "planned_online_percent": 0.0, "delivered_percent": 0.0,
                                  "delivered_online_percent": 0.0}
    assert teacher.post("/api/plans", json=body).json()["id"] == summary["id"]  # made again: the same plan
    assert db.scalar(select(func.count()).select_from(TeachingPlan)) == 1
    listed = teacher.get("/api/plans", params={"year_id": world.year.id}).json()
    assert listed["total"] == 1 and [p["id"] for p in listed["items"]] == [summary["id"]]
    plan = teacher.get(f"/api/plans/{summary['id']}").json()
    assert len(plan["periods"]) == 70 and plan["periods"][0]["record"] is None
    assert (plan["periods"][-1]["item_title"], plan["periods"][-1]["lesson_period"], plan["periods"][-1]["week"]) == \
        ("Bài 30", 3, 35)


def test_change_record_correct_and_history(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    period = plan.periods[3]
    changed = teacher.patch(f"/api/plans/{plan.id}/periods/{period.id}", json={"week": 7, "mode": "online_live"})
    assert changed.status_code == 200 and (changed.json()["week"], changed.json()["mode"]) == (7, "online_live")
    first = teacher.post(f"/api/plans/{plan.id}/periods/{period.id}/records",
                         json={"delivered_on": _day(world), "mode": "online_live", "note": "Buổi học qua mạng"})
    assert first.status_code == 201, first.text
    fixed = teacher.post(f"/api/plans/{plan.id}/records/{first.json()['id']}/corrections",
                         json={"delivered_on": _day(world, 21), "mode": "online_self_paced"})
    assert fixed.status_code == 201 and fixed.json()["supersedes_id"] == first.json()["id"]
    history = teacher.get(f"/api/plans/{plan.id}/periods/{period.id}/history").json()
    assert [(r["id"], r["superseded"], r["mode"], r["note"]) for r in history] == [
        (first.json()["id"], True, "online_live", "Buổi học qua mạng"),
        (fixed.json()["id"], False, "online_self_paced", "")]
    shown = teacher.get(f"/api/plans/{plan.id}").json()
    assert shown["periods"][3]["record"]["id"] == fixed.json()["id"]
    assert shown["figures"]["delivered_online"] == 1 and shown["figures"]["planned_online"] == 1
    assert shown["figures"]["delivered_online_percent"] == 1.4
    # the admin reads the history too, but may not add to it
    admin = client_for(world.school_admin)
    assert len(admin.get(f"/api/plans/{plan.id}/periods/{period.id}/history").json()) == 2
    assert admin.post(f"/api/plans/{plan.id}/records/{fixed.json()['id']}/corrections",
                      json={"delivered_on": _day(world), "mode": "in_person"}).status_code == 403
    assert len(_records(db)) == 2


@pytest.mark.parametrize("body", [
    {"week": "five"}, {"week": "3"}, {"week": 3.5}, {"week": 0}, {"week": 54}, {"mode": "online"}, {"mode": 1},
    {"week": 3, "extra": True}, {},
])
def test_a_wrong_period_change_is_refused_and_changes_nothing(db: Session, world, plan, client_for, body) -> None:
    teacher = client_for(world.teacher)
    before = _periods(db)
    refused = teacher.patch(f"/api/plans/{plan.id}/periods/{plan.periods[0].id}", json=body)
    assert refused.status_code == 422 and refused.json()["error"] == "invalid" and refused.json()["message"]
    assert _periods(db) == before


@pytest.mark.parametrize("body", [
    {"delivered_on": 20250915, "mode": "in_person"},
    {"delivered_on": "15/09/2025", "mode": "in_person"},
    {"mode": "in_person"},
    {"delivered_on": "DAY", "mode": "in_person", "lesson_id": "1"},
    {"delivered_on": "DAY", "mode": "in_person", "note": "x" * 501},
    {"delivered_on": "DAY", "mode": "in_person", "note": 5},
    {"delivered_on": "DAY", "mode": "in_person", "recorded_by_id": 1},
    {"delivered_on": "DAY", "mode": ["in_person"]},
])
def test_wrong_types_in_a_record_give_422_and_store_nothing(db: Session, world, plan, client_for, body) -> None:
    body = {k: (_day(world) if v == "DAY" else v) for k, v in body.items()}
    teacher = client_for(world.teacher)
    refused = teacher.post(f"/api/plans/{plan.id}/periods/{plan.periods[0].id}/records", json=body)
    assert refused.status_code == 422 and refused.json()["details"]
    assert _records(db) == []


def test_a_date_outside_the_year_is_refused_with_the_reason(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    teacher.post("/lang", data={"locale": "en", "next": "/plans"})
    late = (world.year.end_date + timedelta(days=1)).isoformat()
    refused = teacher.post(f"/api/plans/{plan.id}/periods/{plan.periods[0].id}/records",
                           json={"delivered_on": late, "mode": "in_person"})
    assert refused.status_code == 422
    assert refused.json()["message"] == (f"The date must be within the school year "
                                         f"({world.year.start_date.isoformat()} to {world.year.end_date.isoformat()}).")
    assert _records(db) == []


def test_who_may_do_what(db: Session, world, plan, client_for) -> None:
    far_staff = make_user(db, "so-xa", "Cán Bộ Sở Khác",
                          RoleAssignment(role=Role.department_staff, province_id=world.other_province.id))
    db.commit()
    period = plan.periods[0]
    record = {"delivered_on": _day(world), "mode": "in_person"}
    before = _periods(db)
    other = client_for(world.other_teacher)
    assert other.patch(f"/api/plans/{plan.id}/periods/{period.id}", json={"week": 9}).status_code == 403
    assert other.post(f"/api/plans/{plan.id}/periods/{period.id}/records", json=record).status_code == 403
    assert other.get(f"/api/plans/{plan.id}").status_code == 404
    student = client_for(world.student)
    assert student.get("/api/plans").status_code == 403
    assert student.get(f"/api/plans/{plan.id}").status_code == 403
    assert student.post(f"/api/plans/{plan.id}/periods/{period.id}/records", json=record).status_code == 403
    for who in (world.other_school_admin, far_staff, world.other_district_staff):
        reader = client_for(who)
        assert reader.get(f"/api/plans/{plan.id}").status_code == 404
        assert reader.get(f"/api/plans/{plan.id}/periods/{period.id}/history").status_code == 404
        assert reader.get("/api/plans").json()["total"] == 0
    assert client_for(world.province_staff).get("/api/plans").json()["total"] == 1
    assert client_for(world.school_admin).get("/api/plans").json()["total"] == 1
    assert _periods(db) == before and _records(db) == []


def test_unknown_or_foreign_ids_are_not_found(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    missing = plan.periods[-1].id + 1000
    assert teacher.patch(f"/api/plans/{plan.id}/periods/{missing}", json={"week": 2}).status_code == 404
    assert teacher.post(f"/api/plans/{plan.id}/periods/{missing}/records",
                        json={"delivered_on": _day(world), "mode": "in_person"}).status_code == 404
    assert teacher.get(f"/api/plans/{plan.id}/periods/{missing}/history").status_code == 404
    assert teacher.post(f"/api/plans/{plan.id}/records/987654/corrections",
                        json={"delivered_on": _day(world), "mode": "in_person"}).status_code == 404
    assert teacher.get(f"/api/plans/{plan.id + 1000}").status_code == 404
    # a period of this plan named under another plan's id is not found either
    assert teacher.patch(f"/api/plans/{plan.id + 1}/periods/{plan.periods[0].id}", json={"week": 2}).status_code == 404
    assert teacher.get("/api/plans/0").status_code == 422
    assert _records(db) == []


def test_proposals_are_listed_and_confirmed_as_records(db: Session, world, curriculum, plan, client_for) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id,
                         marks={world.student.id: "present", world.classmate.id: "late"}, now=starts)
    db.commit()
    teacher = client_for(world.teacher)
    [proposal] = teacher.get(f"/api/plans/{plan.id}/proposals").json()
    assert proposal["live_session_id"] == session.id and proposal["students"] == 2
    assert proposal["mode"] == "online_live" and proposal["delivered_on"] == starts.date().isoformat()
    assert _records(db) == []  # proposing stores nothing
    done = teacher.post(f"/api/plans/{plan.id}/periods/{proposal['period_id']}/records",
                        json={k: proposal[k] for k in ("delivered_on", "mode", "live_session_id", "lesson_id")})
    assert done.status_code == 201, done.text
    assert teacher.get(f"/api/plans/{plan.id}/proposals").json() == []
    assert client_for(world.school_admin).get(f"/api/plans/{plan.id}/proposals").status_code == 403
