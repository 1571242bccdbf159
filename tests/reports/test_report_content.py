"""What a report holds, reasoned from the plans and the use written by the fixtures (see conftest.py): the online
share against the target with its breakdowns and the below-target list, the usage figures, the heading of the
administrative form, and periods and units refused when they are wrong."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import use_locale
from lms_core.plugins.host import PluginHost
from lms_core.plugins.types import Percent
from lms_core.reports import content

pytestmark = pytest.mark.db


def build(db: Session, actor, kind: str, unit_id: int, period: str = "year", host=None, **kw):  # noqa: ANN001, ANN201
    with use_locale(kw.pop("locale", "en")):
        return content.build(db=db, actor=actor, host=host or PluginHost(load_entry_points=False), kind=kind,
                             unit_id=unit_id, year_id=kw.pop("year_id", None) or actor_year(db), period=period, **kw)


def actor_year(db: Session) -> int:
    from lms_core.org.service import current_year

    return current_year(db=db).id


def table(report: content.Report, key: str) -> content.Table:
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_a_school_report_gives_the_share_against_the_target_and_every_breakdown(db: Session, report_plans) -> None:
    world = report_plans
    report = build(db, world.school_admin, "school", world.school.id)
    headline = dict(table(report, "headline").rows)
    assert list(headline.values()) == [70, 3, 3, 2, 2.9, 10.0]  # 2 / 70 = 2.857 → 2.9 %
    assert isinstance(headline["Online share (delivered online ÷ curriculum periods)"], Percent)
    online = report.sections[0]
    assert "2.9%" in online.paragraphs[0] and "10.0%" in online.paragraphs[0] and "7.1" in online.paragraphs[0]
    assert table(report, "level").rows == [("Lower secondary", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    assert table(report, "children").rows == [("Grade 6", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    assert table(report, "classes").rows == [("6A", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    assert table(report, "subjects").rows == [("English", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    assert table(report, "below").rows == [("6A · English", 2.9, 10.0, 7.1)]
    assert [(b.label, b.share, b.target) for b in report.bars] == [("Grade 6", 2.9, 10.0)]
    [detail] = report.details
    assert detail.rows == [("6A", 6, "English", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    # nothing of school B is in school A's report
    assert all(r[0] != "Trường THCS B" for t in online.tables for r in t.rows)


def test_a_province_report_sums_its_districts_and_lists_the_schools_below_target(db: Session, report_plans) -> None:
    world = report_plans
    report = build(db, world.province_staff, "province", world.province.id)
    assert list(dict(table(report, "headline").rows).values()) == [140, 11, 11, 10, 7.1, 10.0]
    assert table(report, "children").rows == [("Xã Hai", 70, 8, 11.4, 8, 8, 11.4, 10.0),
                                              ("Xã Một", 70, 3, 4.3, 3, 2, 2.9, 10.0)]
    assert table(report, "below").rows == [("Trường THCS A", 2.9, 10.0, 7.1)]
    schools, pairs = report.details
    assert [r[:2] for r in schools.rows] == [("Xã Hai", "Trường THCS B"), ("Xã Một", "Trường THCS A")]
    assert [r[:3] for r in pairs.rows] == [("Xã Hai", "Trường THCS B", "English"),
                                           ("Xã Một", "Trường THCS A", "English")]
    # a district report holds only its own schools
    district = build(db, world.district_staff, "district", world.district.id)
    assert table(district, "children").rows == [("Trường THCS A", 70, 3, 4.3, 3, 2, 2.9, 10.0)]


def test_the_province_target_applies_and_a_term_counts_only_its_weeks(db: Session, report_plans) -> None:
    from lms_core.blended import shares

    world = report_plans
    shares.set_target(db=db, actor=world.province_staff, province_id=world.province.id, year_id=world.year.id,
                      level="lower_secondary", percent=2)
    term1 = build(db, world.school_admin, "school", world.school.id, "term1")
    # term 1 is weeks 1-20: 40 periods planned, the same 3 online, 2 delivered online → 5.0 %, above 2 %
    assert list(dict(table(term1, "headline").rows).values()) == [40, 3, 3, 2, 5.0, 2.0]
    assert table(term1, "below").rows == [] and table(term1, "below").note
    assert "reaches the target" in term1.sections[0].paragraphs[0]
    assert term1.period.start == world.year.terms[0].start_date and term1.period.end == world.year.terms[0].end_date
    weeks = build(db, world.school_admin, "school", world.school.id, "weeks-1-1")
    assert list(dict(table(weeks, "headline").rows).values())[:4] == [2, 2, 2, 1]


def test_usage_counts_active_people_quizzes_materials_and_tutor_use_of_the_period(db: Session, report_plans, usage,
                                                                                  report_host) -> None:
    world = report_plans
    school = build(db, world.school_admin, "school", world.school.id, host=report_host)
    rows = {t.key: t.rows for s in school.sections for t in s.tables}
    assert rows["usage"] == [("Active teachers (used the platform in the period)", 1, 2, 50.0),
                             ("Active students (used the platform in the period)", 1, 3, 33.3),
                             ("Quizzes taken (attempts submitted)", 1, None, None)]
    assert [r[1] for r in rows["materials_created"]] == [2, 1, 1]
    assert [r[1] for r in rows["tutor_use"]] == [3, 2]
    # all of it happened in the first term: the second term has none of it
    term2 = build(db, world.school_admin, "school", world.school.id, "term2", host=report_host)
    rows = {t.key: t.rows for s in term2.sections for t in s.tables}
    assert [r[1] for r in rows["usage"]] == [0, 0, 0] and [r[1] for r in rows["tutor_use"]] == [0, 0]
    assert [r[1] for r in rows["materials_created"]] == [0, 0, 0]
    province = build(db, world.province_staff, "province", world.province.id, host=report_host)
    rows = {t.key: t.rows for s in province.sections for t in s.tables}
    assert [tuple(r[1:]) for r in rows["usage"]] == [(2, 3, 66.7), (2, 4, 50.0), (2, None, None)]
    assert [r[1] for r in rows["materials_created"]] == [3, 1, 1]
    assert [r[1] for r in rows["tutor_use"]] == [4, 3]
    # the sections come in their order: the online share, coverage, usage, materials, tutor
    assert [s.key for s in province.sections] == ["online", "repository_coverage", "usage", "materials_created",
                                                  "tutor_use"]


def test_the_heading_names_the_unit_the_body_above_it_and_the_signer(db: Session, report_plans) -> None:
    world = report_plans
    school = build(db, world.school_admin, "school", world.school.id, today=date(2026, 1, 5))
    # a lower secondary school in a commune answers to the commune's people's committee (since 2025)
    assert school.unit.issuer == "TRƯỜNG THCS A" and school.unit.body_line == "PEOPLE'S COMMITTEE OF XÃ MỘT"
    assert school.signer == "PRINCIPAL" and school.number == "No.: ..../BC-THCS-A"
    assert school.place_date == "Một, January 5, 2026"  # the province's name without "Tỉnh"
    assert school.nation == "SOCIALIST REPUBLIC OF VIET NAM" and school.title == "REPORT"
    assert "whole year, school year" in school.subject and world.year.name in school.subject
    assert school.recipients[0] == "- People's Committee of Xã Một (for reporting);"
    province = build(db, world.province_staff, "province", world.province.id)
    assert province.unit.issuer == "DEPARTMENT OF EDUCATION AND TRAINING OF MỘT"
    assert province.signer == "DIRECTOR" and province.recipients[0].startswith("- Ministry of Education")
    with use_locale("vi"):
        vi = content.build(db=db, actor=world.school_admin, host=PluginHost(load_entry_points=False), kind="school",
                           unit_id=world.school.id, year_id=world.year.id, period="year", today=date(2026, 1, 5))
    assert vi.unit.name == "Trường THCS A" and vi.place_date.startswith("Một, ")


def test_wrong_periods_years_and_units_are_refused(db: Session, report_plans) -> None:
    world = report_plans
    for bad in ("term3", "", "weeks-5-2", "weeks-1-60", "weeks-a-b", "year; drop"):
        with pytest.raises(Invalid):
            build(db, world.school_admin, "school", world.school.id, bad)
    with pytest.raises(NotFound):
        build(db, world.school_admin, "school", world.school.id, year_id=10**9)
    with pytest.raises(NotFound):
        build(db, world.system_admin, "school", 10**9)
    with pytest.raises(NotFound):
        build(db, world.system_admin, "class", world.class_6a.id)
    for actor, kind, unit_id in ((world.school_admin, "school", world.other_school.id),
                                 (world.school_admin, "district", world.district.id),
                                 (world.district_staff, "school", world.other_school.id),
                                 (world.district_staff, "province", world.province.id),
                                 (world.teacher, "school", world.school.id),
                                 (world.student, "school", world.school.id)):
        with pytest.raises(Forbidden):
            build(db, actor, kind, unit_id)
