"""The coverage, materials and tutor sections reach the reports only through the truongso_report_sections hook: the
hook is given the schools the report covers and the period's dates, a plugin a school switched off adds nothing to
that school's report, and a plugin that is not installed has no section at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.curriculum import service as curriculum_service
from content.curriculum.coverage import coverage
from lms_core.i18n import use_locale
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.host import PluginHost
from lms_core.plugins.models import PluginSetting
from lms_core.plugins.types import Percent, ReportSection
from lms_core.reports import content
from tests.content.test_curriculum_import_and_coverage import CLEAN, lessons, material

pytestmark = pytest.mark.db


@pytest.fixture()
def seeded(db: Session, world):  # noqa: ANN001, ANN201
    """Seed the shipped curriculum and the province's own 35-period Công nghệ 6 tree (as the coverage tests do)."""
    from content.curriculum import importer
    from content.curriculum.seed import ensure_curriculum

    ensure_curriculum(db)
    importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=CLEAN)
    return world


class Clubs:
    """A switchable plugin that records what the hook gave it."""

    TITLE = {"vi": "Câu lạc bộ", "en": "Clubs"}

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    @hookimpl
    def truongso_report_sections(self, school_id: int | None, school_ids: list[int], start: date,
                                 end: date) -> list[ReportSection]:
        self.calls.append({"school_id": school_id, "school_ids": school_ids, "start": start, "end": end})
        return [ReportSection("clubs", "Clubs", ("Club", "Members", "Share"), (("Robotics", 12, Percent(40.0)),),
                              order=35)]


def _build(db: Session, actor, host: PluginHost, kind: str, unit_id: int, period: str = "year"):  # noqa: ANN001, ANN201
    from lms_core.org.service import current_year

    with use_locale("en"):
        return content.build(db=db, actor=actor, host=host, kind=kind, unit_id=unit_id,
                             year_id=current_year(db=db).id, period=period)


def _keys(report: content.Report) -> list[str]:
    return [s.key for s in report.sections]


@pytest.mark.hook("truongso_report_sections")
def test_the_hook_gets_the_covered_schools_and_the_dates_and_honours_the_switch(db: Session, world) -> None:
    clubs = Clubs()
    host = PluginHost(load_entry_points=False, plugins={"clubs": clubs})
    province = _build(db, world.province_staff, host, "province", world.province.id, "term1")
    assert clubs.calls[-1] == {"school_id": None, "school_ids": sorted([world.school.id, world.other_school.id]),
                               "start": world.year.terms[0].start_date, "end": world.year.terms[0].end_date}
    assert _keys(province) == ["online", "usage", "clubs"]  # in the sections' order
    assert province.sections[-1].tables[0].rows == [("Robotics", 12, 40.0)]
    district = _build(db, world.district_staff, host, "district", world.district.id)
    assert clubs.calls[-1]["school_ids"] == [world.school.id]
    db.add(PluginSetting(school_id=world.school.id, plugin_name="clubs", enabled=False))
    db.commit()
    assert "clubs" not in _keys(_build(db, world.school_admin, host, "school", world.school.id))
    assert "clubs" in _keys(_build(db, world.other_school_admin, host, "school", world.other_school.id))
    assert "clubs" in _keys(district)


def test_installed_packages_add_coverage_materials_and_tutor_and_only_those(db: Session, world,
                                                                            report_host) -> None:
    import content.plugin

    full = _keys(_build(db, world.school_admin, report_host, "school", world.school.id))
    assert full[:5] == ["online", "repository_coverage", "usage", "materials_created", "tutor_use"]
    without_tutor = PluginHost(load_entry_points=False, plugins={"content": content.plugin})
    assert "tutor_use" not in _keys(_build(db, world.school_admin, without_tutor, "school", world.school.id))
    bare = _keys(_build(db, world.school_admin, PluginHost(load_entry_points=False), "school", world.school.id))
    assert "repository_coverage" not in bare and "materials_created" not in bare and "usage" in bare


def test_the_coverage_section_is_the_provinces_coverage_against_its_target(db: Session, seeded,
                                                                          report_host) -> None:
    world = seeded
    by_title = lessons(db, world)
    m = material(db, world)
    m.created_at = datetime.combine(world.year.start_date + timedelta(days=3), time(3), UTC)  # inside the year
    db.commit()
    curriculum_service.set_material_items(db=db, actor=world.teacher, material_id=m.id,
                                          item_ids=[by_title["Bài 1"].id, by_title["Bài 2"].id])
    report = _build(db, world.district_staff, report_host, "district", world.district.id)
    rows = next(s for s in report.sections if s.key == "repository_coverage").tables[0].rows
    # the province's own Công nghệ 6 tree: Bài 1 and 2 (10 of its 35 periods) covered; lower secondary counts
    # 4 × 1015 + 2 × 17 = 4094 periods (see tests/content/test_coverage_page.py) → 0.2 %, against the 50 % target
    assert ("Lower secondary school", 10, 4094, 0.2, 50.0) in rows
    expected = coverage(db=db, province_id=world.province.id)
    assert rows[-1] == ("All levels", expected.overall.covered, expected.overall.total, expected.overall.percent, 50.0)
    # the material was made by school A in the year: counted among the materials of the whole year
    materials = next(s for s in report.sections if s.key == "materials_created").tables[0].rows
    assert [r[1] for r in materials] == [1, 1, 1]


def test_a_plugin_counts_nothing_outside_what_the_reader_may_see(db: Session, world, usage) -> None:
    from ai_tutor.reports import sections as tutor_sections
    from content.reports import sections as content_sections

    start, end = world.year.start_date, world.year.end_date
    # a school admin handing the other school's id in gets nothing of it
    assert tutor_sections(db=db, actor=world.school_admin, school_ids=[world.other_school.id], start=start,
                          end=end) == []
    assert content_sections(db=db, actor=world.teacher, school_ids=[world.school.id], start=start, end=end) == []
    [tutor] = tutor_sections(db=db, actor=world.school_admin, school_ids=[world.school.id, world.other_school.id],
                             start=start, end=end)
    assert [r[1] for r in tutor.rows] == [3, 2]  # school A's only
