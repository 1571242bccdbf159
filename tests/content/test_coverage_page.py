"""The coverage page, its exports and its API show the same hand-computed figures, to staff only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from content.curriculum import service
from tests.content.test_curriculum_import_and_coverage import (  # noqa: F401
    curriculum,
    lessons,
    material,
)
from tests.web.test_accessibility import _check

# Công nghệ 6 of the province's own tree: Nhà ở (Bài 1: 5, Bài 2: 5) and Thực phẩm (Bài 3: 10, Bài 4: 15).
# A published shared material covers Bài 1 and Bài 2: 10 of 35 periods = 28.57 % → 28.6.
# Lower secondary: 4 × 1015 compulsory periods + 2 × 17 (see the coverage test) → 10 / 4094 = 0.24 % → 0.2.
CN6 = 28.6
LOWER = (10, 4 * 1015 + 2 * 17, 0.2)


@pytest.fixture()
def covered(db: Session, curriculum):  # noqa: F811
    """Map one published shared material to two of Công nghệ 6's four lessons."""
    world = curriculum
    by_title = lessons(db, world)
    m = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id,
                               item_ids=[by_title["Bài 1"].id, by_title["Bài 2"].id])
    return world


def test_the_page_shows_the_hand_computed_share_and_uncovered_topics(db: Session, covered, client_for) -> None:
    world = covered
    page = client_for(world.school_admin).get("/coverage")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    row = re.search(r'<tr id="row-CN-6" data-percent="([\d.]+)">(.*?)</tr>', html, re.DOTALL)
    assert row and float(row.group(1)) == CN6
    assert re.search(r"28[.,]6 %", row.group(2)) and "10" in row.group(2) and "35" in row.group(2)
    assert "<details>" in row.group(2) and "Thực phẩm" in row.group(2) and "Nhà ở" not in row.group(2)
    assert 'style="width: 28.6%"' in row.group(2) and 'style="left: 50.0%"' in row.group(2)
    assert re.search(r'id="overall-share" data-percent="([\d.]+)"', html)
    assert 'id="target-missed"' in html and 'class="table-wrap"' in html and world.province.name in html
    _check(html)


def test_department_staff_and_teachers_see_their_province_and_students_are_refused(db: Session, covered,
                                                                                    client_for) -> None:
    world = covered
    for who in ("province_staff", "district_staff", "teacher"):
        page = client_for(getattr(world, who)).get("/coverage")
        assert page.status_code == 200 and 'data-percent="28.6"' in page.text, who
    staff = client_for(world.province_staff)
    assert staff.get("/coverage", params={"province_id": world.other_province.id}).status_code == 403
    for url in ("/coverage", "/coverage.xlsx", "/coverage.csv", "/api/coverage"):
        assert client_for(world.student).get(url).status_code == 403, url
    nav = staff.get("/coverage").text
    assert 'href="/coverage"' in nav
    assert 'href="/coverage"' not in client_for(world.teacher).get("/dashboard").text


def test_a_system_admin_chooses_the_province(db: Session, covered, client_for) -> None:
    world = covered
    c = client_for(world.system_admin)
    national = c.get("/coverage")
    assert national.status_code == 200 and '<select id="province_id" name="province_id">' in national.text
    assert 'data-percent="0.0"' in national.text  # the national Công nghệ 6 tree has no material mapped
    _check(national.text)
    mine = c.get("/coverage", params={"province_id": world.province.id})
    assert 'data-percent="28.6"' in mine.text
    assert c.get("/coverage", params={"province_id": 10**9}).status_code == 404


def test_the_exports_hold_the_same_figures(db: Session, covered, client_for) -> None:
    world = covered
    c = client_for(world.province_staff)
    api = c.get("/api/coverage").json()
    got = c.get("/coverage.xlsx")
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(got.content))
    summary, *levels = wb.worksheets
    assert len(levels) == len(api["levels"]) == 3
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][1] == world.province.name and rows[1][1] == 0.5 and summary["B2"].number_format == "0.0%"
    lower = next(r for r in rows[4:] if r[1] == LOWER[0] and r[2] == LOWER[1])
    assert lower[3] == pytest.approx(LOWER[2] / 100)
    assert rows[-1][1:3] == (api["overall"]["covered"], api["overall"]["total"])
    assert rows[-1][3] == pytest.approx(api["overall"]["percent"] / 100)
    sheet = levels[1]
    cn6 = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == 6 and r[2].value == 10)
    assert (cn6[3].value, cn6[4].value, cn6[4].number_format, cn6[5].value) == (35, pytest.approx(0.286), "0.0%",
                                                                                 "Thực phẩm")
    raw = c.get("/coverage.csv")
    assert raw.status_code == 200 and raw.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert len(table[0]) == 7
    line = next(r for r in table[1:] if r[2] == "6" and r[3] == "10")
    assert (line[4], float(line[5]), line[6]) == ("35", CN6, "Thực phẩm")
    totals = [r for r in table[1:] if r[1] == "" and r[3] == str(LOWER[0]) and r[4] == str(LOWER[1])]
    assert totals and float(totals[0][5]) == LOWER[2]
    assert float(table[-1][5]) == 50.0


def test_the_api_has_the_same_numbers(db: Session, covered, client_for) -> None:
    world = covered
    body = client_for(world.teacher).get("/api/coverage").json()
    assert body["province_id"] == world.province.id and body["target"] == 50.0 and body["meets_target"] is False
    cn6 = next(s for s in body["subjects"] if s["subject_code"] == "CN" and s["grade"] == 6)
    assert (cn6["covered"], cn6["total"], cn6["percent"], cn6["has_tree"]) == (10, 35, CN6, True)
    assert [t["title"] for t in cn6["uncovered_topics"]] == ["Thực phẩm"]
    lower = next(level for level in body["levels"] if level["level"] == "lower_secondary")
    assert (lower["covered"], lower["total"], lower["percent"]) == LOWER
    assert body["overall"]["covered"] == 10
    staff = client_for(world.province_staff)
    service.set_target(db=db, actor=world.province_staff, province_id=world.province.id, percent=0)
    assert staff.get("/api/coverage").json()["meets_target"] is True
    assert 'id="target-met"' in staff.get("/coverage").text
    assert staff.get("/api/coverage", params={"province_id": 0}).status_code == 422


def test_the_curriculum_api_returns_the_programme_and_the_provinces_tree(db: Session, curriculum,  # noqa: F811
                                                                         client_for) -> None:
    world = curriculum
    c = client_for(world.student)
    body = c.get("/api/curriculum", params={"grade": 6, "subject_code": "cn"}).json()
    assert [(s["subject_code"], s["grade"], s["periods_per_year"]) for s in body["subjects"]] == [("CN", 6, 35)]
    tree = body["tree"]
    assert tree["province_id"] == world.province.id and tree["periods"] == 35
    assert [(t["title"], t["periods"], [lesson["title"] for lesson in t["lessons"]]) for t in tree["topics"]] == [
        ("Nhà ở", 10, ["Bài 1", "Bài 2"]), ("Thực phẩm", 25, ["Bài 3", "Bài 4"])]
    grade6 = c.get("/api/curriculum", params={"grade": 6}).json()
    assert grade6["tree"] is None and len(grade6["subjects"]) > 1
    assert c.get("/api/curriculum", params={"subject_code": "XX"}).status_code == 404
    assert c.get("/api/curriculum", params={"grade": 13}).status_code == 422


def test_an_empty_curriculum_gets_an_honest_empty_state(db: Session, world, client_for) -> None:
    page = client_for(world.province_staff).get("/coverage")
    assert page.status_code == 200 and 'id="coverage-empty"' in page.text and 'id="overall-share"' not in page.text
    _check(page.text)
