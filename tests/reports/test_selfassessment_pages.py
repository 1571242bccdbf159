"""The self-assessment pages: the school admin's form, the department's read-only view, refusals, and the
province's indicator file upload."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.reports.dt_indicators import SHIPPED
from lms_core.reports.selfassessment_models import IndicatorFile, SelfAssessment
from lms_core.web.security import LANG_COOKIE
from tests.reports import selfassessment_builders as b

BASE = "/reports/self-assessment"


@pytest.fixture()
def client_for(client_for):  # noqa: ANN001, ANN201
    """Clients that read the pages in English (the texts these tests look for)."""
    def make(user):  # noqa: ANN001, ANN202
        c = client_for(user)
        c.cookies.set(LANG_COOKIE, "en")
        return c
    return make


def _url(world, *rest: str) -> str:  # noqa: ANN001
    return "/".join([BASE, str(world.school.id), str(world.year.id), *rest])


def _assessment(db: Session, world) -> SelfAssessment | None:  # noqa: ANN001
    db.expire_all()
    return db.scalar(select(SelfAssessment).where(SelfAssessment.school_id == world.school.id))


def test_the_school_admin_starts_fills_in_and_submits(db: Session, world, client_for) -> None:  # noqa: ANN001
    b.course_for(db, world, world.school, world.class_6a, world.teacher)
    db.commit()
    admin = client_for(world.school_admin)
    page = admin.get(_url(world))
    assert page.status_code == 200 and "Start the self-assessment" in page.text
    assert admin.post(_url(world, "start")).status_code == 303
    page = admin.get(_url(world))
    assert page.status_code == 200
    assert 'name="v-1.7.3"' in page.text and 'name="v-1.5.1"' in page.text
    assert 'name="v-1.3.2"' not in page.text                      # measured: shown, not asked
    assert "1 of 2 classes of this school year have a course on the platform." in page.text
    assert "<svg" in page.text and "Points of each group of indicators" in page.text

    saved = admin.post(_url(world, "answers"), data={"v-1.7.3": "yes", "n-1.7.3": "Phòng studio tầng 2",
                                                     "v-1.5.1": "7,5"})
    assert saved.status_code == 303
    answers = {a.indicator_code: a for a in _assessment(db, world).answers}
    assert answers["1.7.3"].value == 1 and answers["1.7.3"].note == "Phòng studio tầng 2"
    assert answers["1.5.1"].points == 7.5

    refused = admin.post(_url(world, "submit"))
    assert refused.status_code == 422 and "Answer every indicator before submitting" in refused.text
    assert _assessment(db, world).status == "draft"


def test_a_bad_answer_comes_back_beside_its_field_and_nothing_is_saved(db: Session, world, client_for) -> None:  # noqa: ANN001
    admin = client_for(world.school_admin)
    admin.post(_url(world, "start"))
    page = admin.post(_url(world, "answers"), data={"v-1.5.1": "16", "v-1.7.3": "yes", "n-1.7.3": "ghi chú"})
    assert page.status_code == 422
    assert "Indicator 1.5.1: enter points from 0 to 15, with at most two decimals." in page.text
    assert 'value="16"' in page.text                               # what was typed is kept for correcting
    answers = {a.indicator_code: a for a in _assessment(db, world).answers}
    assert "1.7.3" not in answers
    assert answers["1.5.1"].value is None and answers["1.5.1"].note == ""  # it holds only the platform's figure


@pytest.mark.parametrize(("actor_name", "status", "form"), [
    ("school_admin", 200, True),
    ("system_admin", 200, False),
    ("province_staff", 200, False),
    ("district_staff", 200, False),
    ("other_district_staff", 403, False),
    ("other_school_admin", 403, False),
    ("teacher", 403, False),
    ("student", 403, False),
])
def test_who_sees_the_assessment_and_who_may_change_it(db: Session, world, client_for, actor_name, status, form) -> None:  # noqa: ANN001
    client_for(world.school_admin).post(_url(world, "start"))
    client = client_for(getattr(world, actor_name))
    page = client.get(_url(world))
    assert page.status_code == status
    assert ('name="v-1.7.3"' in page.text) is form
    if actor_name != "school_admin":
        assert client.post(_url(world, "answers"), data={"v-1.7.3": "yes"}).status_code == 403
        assert client.post(_url(world, "submit")).status_code == 403
        assert "1.7.3" not in {a.indicator_code for a in _assessment(db, world).answers}


def test_the_list_shows_the_area_only(db: Session, world, client_for) -> None:  # noqa: ANN001
    page = client_for(world.district_staff).get(BASE)
    assert page.status_code == 200
    assert f"{BASE}/{world.school.id}/{world.year.id}" in page.text
    assert f"{BASE}/{world.other_school.id}/" not in page.text
    assert client_for(world.teacher).get(BASE).status_code == 403
    assert client_for(world.student).get(_url(world)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:  # noqa: ANN001
    assert client.get(BASE).status_code == 303


def test_a_corrupt_province_file_is_refused_and_the_shipped_one_stays(db: Session, world, client_for) -> None:  # noqa: ANN001
    staff = client_for(world.province_staff)
    page = staff.get(f"{BASE}/indicators")
    assert page.status_code == 200 and "The indicator file shipped with the platform applies." in page.text
    bad = staff.post(f"{BASE}/indicators/{world.province.id}",
                     files={"file": ("chi-so.toml", b"[[levels]\nlevel = ", "application/toml")})
    assert bad.status_code == 422 and "The indicator file is not valid TOML" in bad.text
    assert db.scalar(select(IndicatorFile)) is None
    shipped = staff.get(f"{BASE}/indicators/{world.province.id}.toml")
    assert shipped.status_code == 200 and shipped.content == SHIPPED.read_bytes()

    corrected = SHIPPED.read_text(encoding="utf-8").replace("from_points = 50", "from_points = 40", 1)
    ok = staff.post(f"{BASE}/indicators/{world.province.id}", files={"file": ("chi-so.toml", corrected.encode(), "text/plain")})
    assert ok.status_code == 303
    assert staff.get(f"{BASE}/indicators/{world.province.id}.toml").text == corrected
    staff.post(f"{BASE}/indicators/{world.province.id}", files={"file": ("x.toml", b"schema = 2", "text/plain")})
    assert staff.get(f"{BASE}/indicators/{world.province.id}.toml").text == corrected  # the good one stays
    assert staff.post(f"{BASE}/indicators/{world.province.id}/remove").status_code == 303
    assert db.scalar(select(IndicatorFile)) is None


@pytest.mark.parametrize("actor_name", ["district_staff", "school_admin", "teacher"])
def test_only_province_staff_manage_the_file(db: Session, world, client_for, actor_name: str) -> None:  # noqa: ANN001
    client = client_for(getattr(world, actor_name))
    assert client.get(f"{BASE}/indicators").status_code == 403
    sent = client.post(f"{BASE}/indicators/{world.province.id}", files={"file": ("a.toml", SHIPPED.read_bytes(), "text/plain")})
    assert sent.status_code == 403
    assert client.get(f"{BASE}/indicators/{world.province.id}.toml").status_code == 403
    assert db.scalar(select(IndicatorFile)) is None
