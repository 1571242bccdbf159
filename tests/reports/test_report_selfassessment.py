"""A school's report carries its digital-transformation self-assessment (from lms_core.reports.selfassessment, read
lazily): each indicator with its points and evidence, the groups' points and the level; a school that has not
started it gets a line saying so instead, and a department's report has no such section."""

from __future__ import annotations

import importlib.util
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lms_core.i18n import use_locale
from lms_core.plugins.host import PluginHost
from lms_core.reports import content, xlsx

pytestmark = [pytest.mark.db, pytest.mark.skipif(
    importlib.util.find_spec("lms_core.reports.selfassessment") is None,
    reason="lms_core.reports.selfassessment (the self-assessment helper's module) is not there yet")]


def _report(db: Session, world, actor, kind: str = "school", unit_id: int | None = None) -> content.Report:  # noqa: ANN001
    with use_locale("en"):
        return content.build(db=db, actor=actor, host=PluginHost(load_entry_points=False), kind=kind,
                             unit_id=unit_id or world.school.id, year_id=world.year.id, period="year")


def test_the_school_report_carries_the_self_assessment(db: Session, world) -> None:
    from lms_core.reports import selfassessment as sa

    sa.start(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id)
    sa.enter(db=db, actor=world.school_admin, school_id=world.school.id, year_id=world.year.id,
             values={"1.5.1": "10"}, notes={"1.5.1": "Phòng máy 30 máy"})
    with use_locale("en"):
        expected = sa.assessment_rows(db=db, actor=world.province_staff, school_id=world.school.id,
                                      year_id=world.year.id)
    report = _report(db, world, world.province_staff)
    section = report.sections[-1]
    assert section.key == "self_assessment"
    rows = section.tables[0].rows
    assert [r[0] for r in rows] == [e["code"] for e in expected]
    row = next(r for r in rows if r[0] == "1.5.1")
    assert row[2:4] == (10, 15) and "Phòng máy 30 máy" in row[4]
    assert section.paragraphs[0] == f"Level reached: {expected[0]['level']}."
    with use_locale("en"):
        ws = load_workbook(io.BytesIO(xlsx.workbook(report))).worksheets[0]
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any("Phòng máy 30 máy" in t for t in texts) and "1.5.1" in texts


def test_without_an_assessment_the_report_says_so_and_departments_have_none(db: Session, world) -> None:
    section = _report(db, world, world.school_admin).sections[-1]
    assert section.key == "self_assessment" and section.tables == []
    assert section.paragraphs[0].startswith("The self-assessment is not included: ")
    province = _report(db, world, world.province_staff, "province", world.province.id)
    assert "self_assessment" not in [s.key for s in province.sections]
