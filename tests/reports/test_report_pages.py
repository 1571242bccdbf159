"""The reports' pages and downloads: who may make which unit's report (and nothing of it leaks when refused), the
choice form and its redirect, the preview, the file names, and wrong units, periods and years refused."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lms_core.plugins.host import PluginHost
from tests.web.test_accessibility import _check

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def plugin_host(report_host: PluginHost) -> PluginHost:
    """Override: the app gathers the content package's and the tutor's report sections."""
    return report_host


def _units(world) -> dict[str, tuple[str, int]]:  # noqa: ANN001
    return {"province": ("province", world.province.id), "other_province": ("province", world.other_province.id),
            "district": ("district", world.district.id), "other_district": ("district", world.other_district.id),
            "school": ("school", world.school.id), "other_school": ("school", world.other_school.id),
            "far_school": ("school", world.far_school.id)}


ALLOWED = {
    "system_admin": {"province", "other_province", "district", "other_district", "school", "other_school",
                     "far_school"},
    "province_staff": {"province", "district", "other_district", "school", "other_school"},
    "district_staff": {"district", "school"},
    "other_district_staff": {"other_district", "other_school"},
    "school_admin": {"school"},
    "other_school_admin": {"other_school"},
    "teacher": set(),
    "student": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_permission_matrix_of_previews_and_downloads(db: Session, report_plans, client_for, who: str) -> None:
    world = report_plans
    c = client_for(getattr(world, who))
    names = {"school": "Trường THCS A", "other_school": "Trường THCS B", "far_school": "Trường Tiểu học C",
             "district": "Xã Một", "other_district": "Xã Hai", "province": "Tỉnh Một", "other_province": "Tỉnh Hai"}
    for unit, (kind, unit_id) in _units(world).items():
        for suffix in ("", ".xlsx", ".pdf"):
            if unit in ALLOWED[who] and suffix == ".pdf":
                continue  # made in the downloads' test; the refusal is what matters here
            r = c.get(f"/reports/{kind}/{unit_id}{suffix}", params={"period": "year"})
            if unit in ALLOWED[who]:
                assert r.status_code == 200, (who, unit, suffix, r.text[:200])
            else:
                assert r.status_code == 403, (who, unit, suffix, r.status_code)
                assert names[unit] not in r.text and "2,9" not in r.text and "%PDF" not in r.text
    page = c.get("/reports")
    assert page.status_code == (403 if who in ("teacher", "student") else 200)


def test_the_form_offers_only_the_units_the_reader_may_report_on(db: Session, report_plans, client_for) -> None:
    world = report_plans
    admin = client_for(world.school_admin).get("/reports").text
    assert f'value="school-{world.school.id}"' in admin and f'value="school-{world.other_school.id}"' not in admin
    assert 'value="province-' not in admin and 'value="district-' not in admin
    _check(admin)
    staff = client_for(world.province_staff).get("/reports").text
    assert f'value="province-{world.province.id}"' in staff and f'value="district-{world.other_district.id}"' in staff
    assert f'value="school-{world.other_school.id}"' in staff
    assert f'value="school-{world.far_school.id}"' not in staff and f'value="province-{world.other_province.id}"' \
        not in staff
    assert 'href="/reports"' in staff  # in the navigation, under the reports
    assert 'href="/reports"' not in client_for(world.teacher).get("/dashboard").text


def test_the_form_goes_to_the_chosen_format(db: Session, report_plans, client_for) -> None:
    world = report_plans
    c = client_for(world.school_admin)
    for fmt, suffix in (("html", ""), ("xlsx", ".xlsx"), ("pdf", ".pdf")):
        r = c.get("/reports/go", params={"unit": f"school-{world.school.id}", "year": world.year.id,
                                         "period": "term1", "format": fmt})
        assert r.status_code == 303
        assert r.headers["location"] == f"/reports/school/{world.school.id}{suffix}?year={world.year.id}&period=term1"
    for bad in ({"unit": "class-1"}, {"unit": "school-x"}, {"unit": f"school-{world.school.id}", "format": "docx"}):
        assert c.get("/reports/go", params=bad).status_code == 422, bad
    assert client_for(world.teacher).get("/reports/go", params={"unit": f"school-{world.school.id}"}).status_code \
        == 403


def test_the_preview_shows_the_form_of_the_document_and_links_the_downloads(db: Session, report_plans, usage,
                                                                            client_for) -> None:
    world = report_plans
    page = client_for(world.school_admin).get(f"/reports/school/{world.school.id}",
                                              params={"year": world.year.id, "period": "year"})
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert 'id="issuer">TRƯỜNG THCS A<' in html and 'id="nation"' in html and 'id="motto"' in html
    assert re.search(r'<th scope="row">6A</th>\s*<td class="num">70</td>', html)
    assert "2,9 %" in html and 'role="img"' in html  # the chart, with the numbers in the tables beside it
    assert 'id="section-tutor_use"' in html and 'id="section-repository_coverage"' in html
    assert f'href="/reports/school/{world.school.id}.xlsx?year={world.year.id}&amp;period=year"' in html
    _check(html)


def test_downloads_are_named_in_ascii_and_hold_the_report(db: Session, report_plans, client_for) -> None:
    world = report_plans
    c = client_for(world.district_staff)
    r = c.get(f"/reports/district/{world.district.id}.xlsx", params={"year": world.year.id, "period": "term1"})
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    name = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert name.isascii() and name.endswith(f"-xa-mot-{world.year.name}-term1.xlsx"), name
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert ws["A1"].value.endswith("XÃ MỘT") and ws["A2"].value  # a commune: its committee, then the office
    p = c.get(f"/reports/district/{world.district.id}.pdf", params={"year": world.year.id, "period": "term1"})
    assert p.status_code == 200 and p.content.startswith(b"%PDF") and p.headers["content-type"] == "application/pdf"
    assert re.search(r'filename="[ -~]+\.pdf"', p.headers["content-disposition"])


def test_unknown_units_and_bad_periods_or_years_are_refused(db: Session, report_plans, client_for) -> None:
    world = report_plans
    c = client_for(world.system_admin)
    for url in (f"/reports/school/{10**9}", f"/reports/school/{10**9}.xlsx", f"/reports/province/{10**12}.pdf",
                f"/reports/class/{world.class_6a.id}", "/reports/school/abc.xlsx",
                f"/reports/school/{world.school.id}.docx"):
        assert c.get(url).status_code == 404, url
    url = f"/reports/school/{world.school.id}.xlsx"
    for params in ({"period": "term3"}, {"period": "weeks-9-2"}, {"period": "x" * 40}, {"year": "abc"},
                   {"year": 0}, {"period": "weeks-²-3"}, {"period": "weeks-1-³"}):
        assert c.get(url, params=params).status_code == 422, params
    assert c.get(url, params={"year": 10**9}).status_code == 404
    assert c.get(url, params={"period": "weeks-1-4"}).status_code == 200
