"""The blended-learning dashboards: a province, district, school and class page show the online share against the
target, the units one level down (linking further down), the trend and who is below target, for the window asked
for; only the unit's readers open them; the department sets the province's targets, and a bad value stores nothing.

The data: school A's class 6A (district D1) and school B's class 6A (district D2) each have a 70-period English plan,
two periods a week over 35 weeks. In A, periods 1, 2 and 9 are planned online; period 1 is delivered online and
period 2 in person in week 1, period 5 online in week 4: 2 of 70 periods online, 2.9 % against the lower-secondary
target of 10 %. In B, periods 1 to 7 are delivered online in weeks 1 to 4: 7 of 70, 10.0 %, on target."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.blended import aggregates, shares
from lms_core.blended import service as blended
from lms_core.blended.models import OnlineTarget, SchoolWeek, TeachingPlan
from lms_core.org.seed import ensure_academic_year
from lms_core.web.security import LANG_COOKIE
from tests.blended.conftest import school_day

pytestmark = pytest.mark.db


@pytest.fixture()
def data(db: Session, world, curriculum, plan):  # noqa: ANN001, ANN201
    """Both schools' plans and records, and the worker's refresh."""
    for position in (1, 2, 9):
        blended.change_period(db=db, actor=world.teacher, period_id=plan.periods[position - 1].id, mode="online_live")
    blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id, delivered_on=school_day(world, 1),
                    mode="online_live")
    blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[1].id, delivered_on=school_day(world, 1, 2),
                    mode="in_person")
    blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[4].id, delivered_on=school_day(world, 4),
                    mode="online_self_paced")
    other = blended.generate_plan(db=db, actor=world.other_school_teacher, host=curriculum,
                                  class_id=world.other_class.id, subject_id=world.subject.id, year_id=world.year.id)
    for n in range(7):
        blended.confirm(db=db, actor=world.other_school_teacher, period_id=other.periods[n].id,
                        delivered_on=school_day(world, n // 2 + 1), mode="online_live")
    aggregates.refresh(db=db)
    return plan


@pytest.fixture()
def as_user(client_for):  # noqa: ANN001, ANN201
    """Return a client logged in as a user, reading English."""
    def make(user):  # noqa: ANN001, ANN202
        c = client_for(user)
        c.cookies.set(LANG_COOKIE, "en")
        return c
    return make


def _svgs(html: str) -> list[ET.Element]:
    """Parse every inline SVG of a page as XML (it must be well-formed)."""
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_school_page_shows_the_share_against_the_target(data, world, as_user) -> None:
    c = as_user(world.school_admin)
    r = c.get(f"/blended/school/{world.school.id}?window=year")
    assert r.status_code == 200
    text = _text(r.text)
    # 2 of 70 online = 2.9 %; 3 planned online = 4.3 %; 3 delivered = 4.3 %; target 10 %, 7.1 points short
    assert "2.9% ▼" in text and "Target 10.0%" in text
    assert "4.3%" in text and "7.1 points below the target" in text
    assert "2 of the 70 curriculum periods of this time were delivered online." in text
    # drill-down to the class, breadcrumbs up to the school only (a principal does not open the province)
    assert f'href="/blended/class/{world.class_6a.id}?year={world.year.id}&amp;window=year"' in r.text
    assert f'href="/blended/province/{world.province.id}' not in r.text
    # the below-target list names class and subject; school B's class is not on A's page
    assert "6A · Tiếng Anh" not in text  # English is asked for
    assert "6A · English" in text
    assert world.other_school.name not in text
    # charts are well-formed SVG with a title, and each is accompanied by a table
    svgs = _svgs(r.text)
    assert len(svgs) >= 4 and all(s.get("role") == "img" and s.get("aria-label") for s in svgs)
    assert r.text.count("<table") >= len(svgs) - 1  # the headline meter has its numbers in the figures above
    assert "Figures as of" in text and "waiting for the worker" not in text  # nothing changed since


def test_windows_change_the_numbers(data, world, as_user) -> None:
    c = as_user(world.school_admin)
    base = f"/blended/school/{world.school.id}"
    # week 1: 2 periods, 1 online = 50.0 %, above the target
    week1 = _text(c.get(f"{base}?window=week&week=1").text)
    assert "50.0% ✓" in week1 and "Meets the target" in week1
    # week 2: 2 periods, none online
    assert "0.0% ▼" in _text(c.get(f"{base}?window=week&week=2").text)
    # term 1: weeks 1 to the end of term 1, two periods each; 2 online
    term_weeks = shares.week_of(world.year, world.year.terms[0].end_date)
    planned = 2 * min(term_weeks, 35)
    term = _text(c.get(f"{base}?window=term-1").text)
    assert f"2 of the {planned} curriculum periods" in term
    # the default is the year so far: two periods a week up to this week
    so_far = 2 * min(shares.week_of(world.year, min(date.today(), world.year.end_date)), 35)
    assert f"2 of the {so_far} curriculum periods" in _text(c.get(base).text)
    # this week's window names its week
    this_week = shares.week_of(world.year, min(date.today(), world.year.end_date))
    assert f"This week (week {this_week})" in _text(c.get(f"{base}?window=this_week").text)


def test_province_and_district_pages_drill_down(data, world, as_user) -> None:
    c = as_user(world.province_staff)
    r = c.get(f"/blended/province/{world.province.id}?window=year")
    assert r.status_code == 200
    text = _text(r.text)
    # 9 of 140 periods online = 6.4 % for the province; D1 2.9 % below, D2 10.0 % on target
    assert "6.4% ▼" in text
    assert "2.9% ▼" in text and "10.0% ✓" in text
    q = f"?year={world.year.id}&amp;window=year"
    assert f'href="/blended/district/{world.district.id}{q}"' in r.text
    assert f'href="/blended/district/{world.other_district.id}{q}"' in r.text
    # every school is listed with its district; the below-target list links to school A only
    assert f'href="/blended/school/{world.school.id}{q}"' in r.text
    below = r.text.split('id="h-below"')[1]
    assert world.school.name in below and world.other_school.name not in below
    assert "Lower secondary" in text  # the level breakdown
    assert f'href="/blended/targets/{world.province.id}?year={world.year.id}"' in r.text
    # the district page: its one school, breadcrumbs up to the province
    d = c.get(f"/blended/district/{world.district.id}?window=year")
    assert d.status_code == 200
    assert f'href="/blended/school/{world.school.id}{q}"' in d.text
    assert world.other_school.name not in d.text
    assert f'href="/blended/province/{world.province.id}{q}"' in d.text
    # the class page: its subject, breadcrumbs up to the school
    k = c.get(f"/blended/class/{world.class_6a.id}?window=year")
    assert k.status_code == 200 and "English" in _text(k.text) and "2.9% ▼" in _text(k.text)
    assert f'href="/blended/school/{world.school.id}{q}"' in k.text


def test_who_may_open_which_page(data, world, as_user, client) -> None:
    units = {"province": world.province.id, "district": world.district.id, "school": world.school.id,
             "class": world.class_6a.id}
    allowed = {
        "system_admin": {"province", "district", "school", "class"},
        "province_staff": {"province", "district", "school", "class"},
        "district_staff": {"district", "school", "class"},
        "other_district_staff": set(),
        "school_admin": {"school", "class"},
        "other_school_admin": set(),
        "teacher": set(),
        "student": set(),
    }
    for who, kinds in allowed.items():
        c = as_user(getattr(world, who))
        for kind, unit_id in units.items():
            page = c.get(f"/blended/{kind}/{unit_id}?window=year")
            api = c.get(f"/api/blended/{kind}/{unit_id}?window=year")
            expected = 200 if kind in kinds else 403
            assert (page.status_code, api.status_code) == (expected, expected), (who, kind)
    r = client.get(f"/blended/school/{world.school.id}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get(f"/api/blended/school/{world.school.id}").status_code == 401
    assert client.get(f"/blended/targets/{world.province.id}").status_code == 303


def test_the_start_page_opens_the_readers_own_unit(data, world, as_user, client) -> None:
    expected = {"province_staff": f"/blended/province/{world.province.id}",
                "district_staff": f"/blended/district/{world.district.id}",
                "school_admin": f"/blended/school/{world.school.id}"}
    for who, where in expected.items():
        r = as_user(getattr(world, who)).get("/blended")
        assert (r.status_code, r.headers.get("location")) == (303, where), who
    for who in ("teacher", "student"):
        assert as_user(getattr(world, who)).get("/blended").status_code == 403
    # a system admin chooses among the provinces
    r = as_user(world.system_admin).get("/blended")
    assert r.status_code == 200
    assert f'href="/blended/province/{world.province.id}"' in r.text
    assert f'href="/blended/province/{world.other_province.id}"' in r.text
    assert client.get("/blended").status_code == 303


def test_navigation_entry_for_readers_only(data, world, as_user) -> None:
    for who, shown in (("school_admin", True), ("province_staff", True), ("system_admin", True),
                       ("teacher", False), ("student", False)):
        html = as_user(getattr(world, who)).get("/dashboard").text
        assert ('href="/blended"' in html) is shown, who


def test_unknown_units_and_bad_windows(data, world, as_user) -> None:
    c = as_user(world.province_staff)
    for url in ("/blended/school/999999", "/blended/class/999999", "/blended/district/999999",
                "/blended/province/999999", "/blended/city/1", f"/blended/school/{world.school.id}?year=999999"):
        assert c.get(url).status_code == 404, url
    base = f"/blended/school/{world.school.id}"
    for query, message in (("?window=fortnight", "Choose a week, a term, the year so far or the whole year."),
                           ("?window=week", "Enter the number of the week to show"),
                           ("?window=week&week=99", "Enter the number of the week to show"),
                           ("?window=week&week=abc", "Enter the number of the week to show"),
                           ("?window=term-7", "This term does not exist"),
                           ("?window=" + "x" * 40, "not valid"),
                           ("?year=abc", "not valid")):
        r = c.get(base + query)
        assert r.status_code in (400, 422), query
        assert message in r.text, query
    api = c.get(f"/api/blended/school/{world.school.id}?window=week&week=0")
    assert api.status_code == 422 and api.json()["error"] == "invalid"
    assert c.get("/api/blended/school/999999").status_code == 404
    assert c.get("/api/blended/city/1").status_code == 422


def test_json_route_gives_the_same_figures(data, world, as_user) -> None:
    c = as_user(world.province_staff)
    body = c.get(f"/api/blended/province/{world.province.id}?window=year").json()
    assert body["unit"] == {"kind": "province", "id": world.province.id, "name": world.province.name}
    head = body["headline"]
    assert (head["planned_total"], head["delivered_online"], head["share"], head["target"]) == (140, 9, 6.4, 10.0)
    assert not head["meets_target"]
    # districts by name: "Xã Hai" (school B, 10.0 %) before "Xã Một" (school A, 2.9 %)
    assert [(x["id"], x["figures"]["share"], x["figures"]["meets_target"]) for x in body["children"]] == \
        [(world.other_district.id, 10.0, True), (world.district.id, 2.9, False)]
    assert [x["id"] for x in body["below_target"]] == [world.school.id]
    assert body["window"]["first_week"] == 1 and body["trend"][0]["week"] == 1
    # week 1: A delivered 1 of 2 online, B 2 of 2
    week1 = c.get(f"/api/blended/province/{world.province.id}?window=week&week=1").json()["headline"]
    assert (week1["planned_total"], week1["delivered_online"]) == (4, 3)
    school = c.get(f"/api/blended/school/{world.school.id}?window=year").json()
    assert [(x["label"], x["id"]) for x in school["children"]] == [("6A", world.class_6a.id), ("7A", world.class_7a.id)]
    assert school["children"][1]["figures"]["planned_total"] == 0  # 7A has no plan yet: listed, not hidden
    assert [p["kind"] for p in school["parents"]] == ["province", "district"]


def test_names_are_escaped_in_pages_and_charts(db: Session, data, world, as_user) -> None:
    world.school.name = 'A <script>alert("x")</script> & co'
    db.commit()
    r = as_user(world.province_staff).get(f"/blended/district/{world.district.id}?window=year")
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text
    for svg in _svgs(r.text):
        assert svg.tag.endswith("svg")
    names = [t.text for s in _svgs(r.text) for t in s.iter("{http://www.w3.org/2000/svg}text")]
    assert any(n and n.startswith('A <script>alert("x")</script> & co') for n in names)


def test_targets_form_sets_the_targets_and_refuses_bad_values(db: Session, data, world, as_user) -> None:
    c = as_user(world.province_staff)
    url = f"/blended/targets/{world.province.id}"
    page = c.get(f"{url}?year={world.year.id}")
    assert page.status_code == 200 and 'name="lower_secondary"' in page.text and 'value="10"' in page.text
    r = c.post(url, data={"year": world.year.id, "primary": "5", "lower_secondary": "2,5", "upper_secondary": "10"})
    assert r.status_code == 303
    assert "The targets are saved." in c.get(r.headers["location"]).text
    assert shares.targets(db=db, province_id=world.province.id, year_id=world.year.id)["lower_secondary"] == 2.5
    # with 2.5 % school A's 2.9 % is on target
    assert "2.9% ✓" in _text(c.get(f"/blended/school/{world.school.id}?window=year").text)
    before = sorted(db.execute(select(OnlineTarget.level, OnlineTarget.percent)).all())
    for bad in ({"primary": "150"}, {"primary": "-1"}, {"primary": "abc"}, {"primary": ""}, {"upper_secondary": "nan"},
                {"lower_secondary": "1e2"}):
        form = {"year": world.year.id, "primary": "6", "lower_secondary": "3", "upper_secondary": "9"} | bad
        r = c.post(url, data=form)
        assert r.status_code == 422, bad
        assert "A target is a percentage from 0 to 100." in r.text and "Nothing was saved" in r.text
        assert f'value="{next(iter(bad.values()))}"' in r.text  # what was typed comes back to correct
        db.expire_all()
        assert sorted(db.execute(select(OnlineTarget.level, OnlineTarget.percent)).all()) == before
    # outsiders neither see nor set the targets, and nothing changes
    for who in ("district_staff", "school_admin", "teacher"):
        outsider = as_user(getattr(world, who))
        assert outsider.get(url).status_code == 403
        assert outsider.post(url, data={"year": world.year.id, "primary": "50", "lower_secondary": "50",
                                        "upper_secondary": "50"}).status_code == 403
    db.expire_all()
    assert sorted(db.execute(select(OnlineTarget.level, OnlineTarget.percent)).all()) == before
    assert c.get("/blended/targets/999999").status_code == 404


def test_the_year_selector_lists_years_with_figures(db: Session, data, world, as_user) -> None:
    past = ensure_academic_year(db, world.year.start_date.year - 1)
    # a past year's figures as the worker (or an imported bundle) left them: 5 of 10 periods online
    db.add(SchoolWeek(school_id=world.school.id, academic_year_id=past.id, grade=6, subject_id=world.subject.id,
                      week=3, classes=1, planned_total=10, planned_online=5, delivered_total=10, delivered_online=5))
    db.commit()
    c = as_user(world.province_staff)
    now = c.get(f"/blended/province/{world.province.id}?window=year")
    assert f'<option value="{past.id}"' in now.text and f'<option value="{world.year.id}" selected' in now.text
    then = _text(c.get(f"/blended/province/{world.province.id}?year={past.id}&window=year").text)
    assert "50.0% ✓" in then and "5 of the 10 curriculum periods" in then


def test_a_page_counts_only_the_changes_its_own_figures_wait_for(db: Session, data, world, as_user) -> None:
    aggregates.refresh(db=db)
    other = db.scalar(select(TeachingPlan).where(TeachingPlan.class_id == world.other_class.id))
    blended.change_period(db=db, actor=world.other_school_teacher, period_id=other.periods[0].id, mode="online_live")
    school_a = _text(as_user(world.school_admin).get(f"/blended/school/{world.school.id}").text)
    assert "waiting for the worker" not in school_a  # school B's change does not hold A's figures back
    province = _text(as_user(world.province_staff).get(f"/blended/province/{world.province.id}").text)
    assert "1 plan is waiting for the worker." in province
