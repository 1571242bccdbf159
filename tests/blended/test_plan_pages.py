"""Teaching-plan pages: a teacher makes the plan of a class they teach, sees it week by week, moves and records
periods, corrects a record (the old one stays in the history) and confirms the platform's proposals; a school
admin and department staff of the area read; everyone else is refused, and every refusal stores nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import Role, RoleAssignment, TeachingAssignment
from lms_core.blended import service as blended
from lms_core.blended.models import DeliveryRecord, PlanPeriod, TeachingPlan
from lms_core.courses import live
from lms_core.org.models import SchoolClass
from lms_core.org.seed import ensure_academic_year
from lms_core.progress import service as progress
from tests.blended.test_proposed_records import _course
from tests.builders import make_user
from tests.web.test_accessibility import _check

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


def _periods(db: Session, plan: TeachingPlan) -> list[tuple]:
    db.expire_all()
    return list(db.execute(select(PlanPeriod.id, PlanPeriod.week, PlanPeriod.mode).where(PlanPeriod.plan_id == plan.id)
                           .order_by(PlanPeriod.position)))


def _day(world, days: int = 20):  # noqa: ANN001, ANN202
    return world.year.start_date + timedelta(days=days)


def test_a_teacher_makes_the_plan_and_sees_it_week_by_week(db: Session, world, client_for) -> None:
    teacher = client_for(world.teacher)
    home = teacher.get("/plans")
    assert home.status_code == 200 and 'href="/plans"' in home.text  # the navigation entry
    assert 'name="class_id" value="%d"' % world.class_6a.id in home.text
    _check(home.text)
    made = teacher.post("/plans", data={"class_id": str(world.class_6a.id), "subject_id": str(world.subject.id),
                                        "year_id": str(world.year.id)})
    assert made.status_code == 303
    plan_id = int(re.fullmatch(r"/plans/(\d+)\?done=made", made.headers["location"])[1])
    plan = db.get(TeachingPlan, plan_id)
    assert (plan.class_id, plan.subject_id, len(plan.periods)) == (world.class_6a.id, world.subject.id, 70)

    page = teacher.get(made.headers["location"])
    assert page.status_code == 200
    _check(page.text)
    assert len(re.findall(r'<details class="card week" id="week-\d+"', page.text)) == 35
    assert len(re.findall(r'<li id="period-\d+">', page.text)) == 70
    assert "Bài 30" in page.text and "Chủ đề 2: Trường học" in page.text
    this_week = (datetime.now(blended.LOCAL).date() - world.year.start_date).days // 7 + 1
    if 1 <= this_week <= 35:  # the current week is the open one
        assert re.findall(r'id="week-(\d+)" open', page.text) == [str(this_week)]
    assert f'action="/plans/{plan_id}/proposals"' not in page.text  # a link, not a form
    assert f'href="/plans/{plan_id}/proposals"' in page.text

    listed = teacher.get("/plans")
    assert f'href="/plans/{plan_id}"' in listed.text and 'name="class_id"' not in listed.text


def test_moving_recording_and_the_figures_of_the_list(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    first, second = plan.periods[0], plan.periods[1]
    moved = teacher.post(f"/plans/{plan.id}/periods/{first.id}", data={"week": "3", "mode": "online_live"})
    assert moved.status_code == 303 and moved.headers["location"] == f"/plans/{plan.id}?done=saved#period-{first.id}"
    recorded = teacher.post(f"/plans/{plan.id}/periods/{first.id}/records",
                            data={"delivered_on": _day(world).isoformat(), "mode": "online_live"})
    assert recorded.status_code == 303
    teacher.post(f"/plans/{plan.id}/periods/{second.id}/records",
                 data={"delivered_on": _day(world, 21).isoformat(), "mode": "in_person", "note": " Trên lớp "})
    assert [(r[1], r[3], r[4]) for r in _records(db)] == [(first.id, "online_live", ""),
                                                         (second.id, "in_person", "Trên lớp")]
    assert _periods(db, plan)[0][1:] == (3, "online_live")
    page = teacher.get(f"/plans/{plan.id}")
    card = re.search(rf'<li id="period-{first.id}">.*?</li>', page.text, re.S)[0]
    assert _day(world).strftime("%d/%m/%Y") in card and '/records"' not in card  # recorded: no second record form
    listed = teacher.get("/plans").text
    # 70 periods, 1 planned online (1,4 %), 2 delivered (2,9 %), 1 delivered online (1,4 %)
    figures = re.search(r'<dl class="figures plan-figures">.*?</dl>', listed, re.S)[0]
    assert [re.sub(r"\s+", " ", d).strip() for d in re.findall(r"<dd>(.*?)</dd>", figures, re.S)] == [
        "70", "1 <small>1,4 %</small>", "2 <small>2,9 %</small>", "1 <small>1,4 %</small>"]


def test_digits_that_are_not_numbers_are_refused_and_nothing_changes(db: Session, world, plan, client_for) -> None:
    """'²' and '³' pass str.isdigit() but not int(): a clear refusal, never a server error."""
    teacher = client_for(world.teacher)
    before = _periods(db, plan)
    for bad in ("²", "3²", "³"):
        made = teacher.post("/plans", data={"class_id": bad, "subject_id": str(world.subject.id), "year_id": bad})
        assert made.status_code == 422, bad
        moved = teacher.post(f"/plans/{plan.id}/periods/{plan.periods[0].id}", data={"week": bad, "mode": "in_person"})
        assert moved.status_code == 422, bad
        recorded = teacher.post(f"/plans/{plan.id}/periods/{plan.periods[0].id}/records",
                                data={"delivered_on": _day(world).isoformat(), "mode": "online_self_paced",
                                      "lesson_id": bad})
        assert recorded.status_code == 422, bad
    assert _periods(db, plan) == before and _records(db) == []


def test_a_week_takes_one_mode_for_all_its_periods(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    done = teacher.post(f"/plans/{plan.id}/weeks/2/mode", data={"mode": "online_self_paced"})
    assert done.status_code == 303
    rows = _periods(db, plan)
    assert [m for _, w, m in rows if w == 2] == ["online_self_paced"] * 2
    assert {m for _, w, m in rows if w != 2} == {"in_person"}
    before = _periods(db, plan)
    refused = teacher.post(f"/plans/{plan.id}/weeks/3/mode", data={"mode": "online"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert re.findall(r'id="week-(\d+)" open', refused.text) == ["3"]
    assert _periods(db, plan) == before


def test_a_date_outside_the_year_is_refused_with_the_form_kept(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    teacher.post("/lang", data={"locale": "en", "next": "/plans"})
    period = plan.periods[10]
    early = (world.year.start_date - timedelta(days=1)).isoformat()
    page = teacher.post(f"/plans/{plan.id}/periods/{period.id}/records", data={"delivered_on": early,
                                                                              "mode": "online_live"})
    assert page.status_code == 422
    message = (f"The date must be within the school year ({world.year.start_date.isoformat()} to "
               f"{world.year.end_date.isoformat()}).")
    assert message in page.text
    card = re.search(rf'<li id="period-{period.id}">.*?</li>', page.text, re.S)[0]
    assert f'value="{early}"' in card and '<option value="online_live" selected>' in card
    _check(page.text)
    # the same from the period's own page: that page comes back, with the note kept
    again = teacher.post(f"/plans/{plan.id}/periods/{period.id}/records",
                         data={"delivered_on": "ngày mai", "mode": "in_person", "note": "Ghi chú", "back": "period"})
    assert again.status_code == 422 and "Enter the date the period was taught" in again.text
    assert ">Ghi chú</textarea>" in again.text
    assert _records(db) == []


def test_a_correction_keeps_the_old_record_in_the_history(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    period = plan.periods[4]
    teacher.post(f"/plans/{plan.id}/periods/{period.id}/records",
                 data={"delivered_on": _day(world).isoformat(), "mode": "in_person", "note": "Lần đầu"})
    [(first_id, *_)] = _records(db)
    fixed = teacher.post(f"/plans/{plan.id}/records/{first_id}/correction",
                         data={"delivered_on": _day(world, 22).isoformat(), "mode": "online_self_paced",
                               "note": "Sửa lại"})
    assert fixed.status_code == 303
    assert fixed.headers["location"] == f"/plans/{plan.id}/periods/{period.id}?done=corrected"
    rows = _records(db)
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [(_day(world), "in_person", "Lần đầu", None),
                                                        (_day(world, 22), "online_self_paced", "Sửa lại", first_id)]
    page = teacher.get(fixed.headers["location"])
    assert page.status_code == 200
    _check(page.text)
    history = re.search(r'<ol class="records">.*?</ol>', page.text, re.S)[0]
    items = re.findall(r"<li( class=\"superseded\")?>(.*?)</li>", history, re.S)
    assert [bool(s) for s, _ in items] == [True, False]
    assert "Lần đầu" in items[0][1] and "Sửa lại" in items[1][1]
    # the old record cannot be corrected again: refused, nothing stored
    again = teacher.post(f"/plans/{plan.id}/records/{first_id}/correction",
                         data={"delivered_on": _day(world).isoformat(), "mode": "in_person"})
    assert again.status_code == 422 and 'role="alert"' in again.text
    assert _records(db) == rows


def test_proposals_are_confirmed_one_by_one_or_all_at_once(db: Session, world, curriculum, plan, client_for) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    live.take_attendance(db=db, actor=world.teacher, activity_id=session.id, marks={world.student.id: "present"},
                         now=starts)
    progress.record(db=db, actor=world.student, activity_id=talk.id, verb="commented", when=starts + timedelta(days=3))
    db.commit()
    teacher = client_for(world.teacher)
    page = teacher.get(f"/plans/{plan.id}/proposals")
    assert page.status_code == 200 and "Học trực tuyến Unit 1" in page.text and "Bài 2: My house" in page.text
    _check(page.text)
    tokens = re.findall(r'name="proposal" value="([^"]+)"', page.text)
    assert len(tokens) == 4  # two in the "confirm all" form, one in each proposal's own form
    all_tokens = tokens[:2]
    # one tampered proposal is refused and shown; the other stands
    parts = all_tokens[1].split(":")
    parts[1] = (world.year.end_date + timedelta(days=9)).isoformat()
    tampered = ":".join(parts)
    done = teacher.post(f"/plans/{plan.id}/proposals/confirm", data={"proposal": [all_tokens[0], tampered]})
    assert done.status_code == 200 and 'role="alert"' in done.text
    assert len(_records(db)) == 1
    # the remaining one, confirmed with one click
    rest = re.findall(r'name="proposal" value="([^"]+)"', done.text)
    assert rest[0] == all_tokens[1]
    last = teacher.post(f"/plans/{plan.id}/proposals/confirm", data={"proposal": rest[0]})
    assert last.status_code == 303 and last.headers["location"].endswith("confirmed=1")
    rows = _records(db)
    assert sorted((r[3], r[2]) for r in rows) == sorted([("online_live", starts.date()),
                                                         ("online_self_paced", (starts + timedelta(days=3)).date())])
    assert 'name="proposal"' not in teacher.get(f"/plans/{plan.id}/proposals").text  # nothing left to propose


def test_a_teacher_cannot_change_a_class_they_do_not_teach(db: Session, world, plan, client_for) -> None:
    other = client_for(world.other_teacher)
    before, period = _periods(db, plan), plan.periods[0]
    assert other.get(f"/plans/{plan.id}").status_code == 404
    assert other.post(f"/plans/{plan.id}/periods/{period.id}", data={"week": "5", "mode": "online_live"}).status_code == 403
    assert other.post(f"/plans/{plan.id}/periods/{period.id}/records",
                      data={"delivered_on": _day(world).isoformat(), "mode": "in_person"}).status_code == 403
    assert other.post(f"/plans/{plan.id}/weeks/1/mode", data={"mode": "online_live"}).status_code == 403
    token = f"{period.id}:{_day(world).isoformat()}:in_person::"
    assert other.post(f"/plans/{plan.id}/proposals/confirm", data={"proposal": token}).status_code == 403
    assert other.get(f"/plans/{plan.id}/proposals").status_code == 404
    # nor make a plan for it
    assert other.post("/plans", data={"class_id": str(world.class_6a.id), "subject_id": str(world.subject.id),
                                      "year_id": str(world.year.id)}).status_code == 403
    assert _periods(db, plan) == before and _records(db) == []
    assert db.scalar(select(func.count()).select_from(TeachingPlan)) == 1


def test_a_refused_plan_shows_the_reason_and_stores_nothing(db: Session, world, client_for) -> None:
    teacher = client_for(world.other_teacher)  # teaches English to 7A: the test curriculum has grade 6 only
    page = teacher.post("/plans", data={"class_id": str(world.class_7a.id), "subject_id": str(world.subject.id),
                                        "year_id": str(world.year.id)})
    assert page.status_code == 422 and 'role="alert"' in page.text
    assert db.scalar(select(func.count()).select_from(TeachingPlan)) == 0
    assert teacher.post("/plans", data={"class_id": "abc"}).status_code == 422


def test_a_student_is_refused(db: Session, world, plan, client_for) -> None:
    student = client_for(world.student)
    assert student.get("/plans").status_code == 403
    assert student.get(f"/plans/{plan.id}").status_code == 403
    assert student.post(f"/plans/{plan.id}/periods/{plan.periods[0].id}/records",
                        data={"delivered_on": _day(world).isoformat(), "mode": "in_person"}).status_code == 403
    assert _records(db) == []


def test_readers_see_the_plans_of_their_school_or_area_only(db: Session, world, plan, client_for) -> None:
    far_staff = make_user(db, "so-xa", "Cán Bộ Sở Khác",
                          RoleAssignment(role=Role.department_staff, province_id=world.other_province.id))
    db.commit()
    admin = client_for(world.school_admin)
    listed = admin.get("/plans")
    assert listed.status_code == 200 and f'href="/plans/{plan.id}"' in listed.text
    _check(listed.text)
    page = admin.get(f"/plans/{plan.id}")
    assert page.status_code == 200 and "<form method=\"post\" action=\"/plans/" not in page.text  # read only
    period = plan.periods[0]
    assert admin.post(f"/plans/{plan.id}/periods/{period.id}/records",
                      data={"delivered_on": _day(world).isoformat(), "mode": "in_person"}).status_code == 403
    assert client_for(world.province_staff).get(f"/plans/{plan.id}").status_code == 200
    for who in (world.other_school_admin, world.other_district_staff, far_staff):
        reader = client_for(who)
        assert reader.get(f"/plans/{plan.id}").status_code == 404
        assert reader.get(f"/plans/{plan.id}/periods/{period.id}").status_code == 404
        other_list = reader.get("/plans")
        assert other_list.status_code == 200 and f'href="/plans/{plan.id}"' not in other_list.text
    assert _records(db) == []


def test_an_unknown_period_or_plan_is_not_found(db: Session, world, plan, client_for) -> None:
    teacher = client_for(world.teacher)
    missing = plan.periods[-1].id + 1000
    assert teacher.get(f"/plans/{plan.id}/periods/{missing}").status_code == 404
    assert teacher.post(f"/plans/{plan.id}/periods/{missing}/records",
                        data={"delivered_on": _day(world).isoformat(), "mode": "in_person"}).status_code == 404
    assert teacher.post(f"/plans/{plan.id}/periods/{missing}", data={"week": "2"}).status_code == 404
    assert teacher.get(f"/plans/{plan.id + 1000}").status_code == 404
    assert teacher.post(f"/plans/{plan.id}/records/987654/correction",
                        data={"delivered_on": _day(world).isoformat(), "mode": "in_person"}).status_code == 404
    assert _records(db) == []


def test_the_period_page_records_with_evidence(db: Session, world, curriculum, plan, client_for) -> None:
    course, first, second, session, talk, starts = _course(db, world, curriculum)
    db.commit()
    teacher = client_for(world.teacher)
    period = plan.periods[2]
    page = teacher.get(f"/plans/{plan.id}/periods/{period.id}")
    assert page.status_code == 200 and f'<option value="{session.id}">Học trực tuyến Unit 1</option>' in page.text
    _check(page.text)
    done = teacher.post(f"/plans/{plan.id}/periods/{period.id}/records",
                        data={"delivered_on": starts.date().isoformat(), "mode": "online_live",
                              "live_session_id": str(session.id), "back": "period"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=recorded")
    shown = teacher.get(done.headers["location"]).text
    assert "Học trực tuyến Unit 1" in shown
    db.expire_all()
    assert db.scalar(select(DeliveryRecord.live_session_id)) == session.id
    assert blended.current_records(db=db, plan=plan)[period.id].mode == "online_live"


def test_the_year_selector_shows_another_years_classes(db: Session, world, client_for) -> None:
    last = ensure_academic_year(db, world.year.start_date.year - 1)
    old = SchoolClass(school_id=world.school.id, academic_year_id=last.id, grade=6, name="6B")
    db.add(old)
    db.flush()
    db.add(TeachingAssignment(class_id=old.id, teacher_id=world.teacher.id, subject_id=world.subject.id))
    db.commit()
    teacher = client_for(world.teacher)
    now = teacher.get("/plans").text
    assert re.findall(r'<option value="(\d+)"( selected)?>', now) == [(str(world.year.id), " selected"),
                                                                      (str(last.id), "")]
    assert f'name="class_id" value="{world.class_6a.id}"' in now and f'value="{old.id}"' not in now
    then = teacher.get("/plans", params={"year": last.id})
    assert then.status_code == 200 and f'name="class_id" value="{old.id}"' in then.text
    assert f'name="year_id" value="{last.id}"' in then.text
    assert teacher.get("/plans", params={"year": 999999}).status_code == 404


@pytest.mark.parametrize("week", ["99", "0", "ba"])
def test_a_week_out_of_the_plan_is_refused_with_the_value_kept(db: Session, world, plan, client_for, week) -> None:
    teacher = client_for(world.teacher)
    teacher.post("/lang", data={"locale": "en", "next": "/plans"})
    before, period = _periods(db, plan), plan.periods[6]
    page = teacher.post(f"/plans/{plan.id}/periods/{period.id}", data={"week": week, "mode": "online_live"})
    assert page.status_code == 422 and "Choose a week from 1 to 35." in page.text
    card = re.search(rf'<li id="period-{period.id}">.*?</li>', page.text, re.S)[0]
    assert f'name="week" type="number" inputmode="numeric" min="1" max="35" required value="{week}"' in card
    assert re.findall(r'id="week-(\d+)" open', page.text) == [str(period.week)]
    assert _periods(db, plan) == before
