"""The content package's sections of the reports sent upward: how much of the curriculum the shared repository covers
(overall and per school level, against the province's target) and the digital materials the covered schools made in
the period. Reached by the core only through the `truongso_report_sections` hook."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum.coverage import coverage
from content.materials.models import Material, Visibility
from lms_core.i18n import N_, gettext
from lms_core.org.models import LEVEL_LABELS, School
from lms_core.plugins.types import Percent, ReportSection
from lms_core.reports.content import instants, reportable_ids

COVERAGE = N_("Shared repository coverage of the curriculum")
COVERAGE_COLUMNS = (N_("School level"), N_("Periods covered"), N_("Curriculum periods"), N_("Share covered"),
                    N_("Target"))
ALL_LEVELS = N_("All levels")
MATERIALS = N_("Digital materials made by the schools")
MATERIAL_COLUMNS = (N_("Indicator"), N_("Number"))
CREATED = N_("Materials created in the period")
PUBLISHED = N_("of which published")
SHARED = N_("of which published in the shared repository")


def sections(*, db: Session, actor: Any, school_ids: list[int], start: date | None,
             end: date | None) -> list[ReportSection]:
    """Return the coverage of the covered schools' province and the materials they made in the period."""
    ids = reportable_ids(db, actor, school_ids)
    if not ids or start is None or end is None:
        return []
    out = []
    provinces = list(db.scalars(select(School.province_id).where(School.id.in_(ids)).distinct()))
    if len(provinces) == 1:  # a report covers one province, a district or a school; coverage is the province's
        result = coverage(db=db, province_id=provinces[0])
        target = Percent(result.target)
        rows = [(gettext(LEVEL_LABELS.get(level, level)), share.covered, share.total, Percent(share.percent), target)
                for level, share in result.levels.items()]
        rows.append((gettext(ALL_LEVELS), result.overall.covered, result.overall.total,
                     Percent(result.overall.percent), target))
        out.append(ReportSection("repository_coverage", COVERAGE, COVERAGE_COLUMNS, tuple(rows), order=10))
    begin, stop = instants(start, end)
    made = (Material.school_id.in_(ids), Material.created_at >= begin, Material.created_at < stop)
    published = Material.published_version_id.is_not(None)
    created = db.scalar(select(func.count(Material.id)).where(*made)) or 0
    public = db.scalar(select(func.count(Material.id)).where(*made, published)) or 0
    shared = db.scalar(select(func.count(Material.id)).where(*made, published,
                                                             Material.visibility == Visibility.shared)) or 0
    out.append(ReportSection("materials_created", MATERIALS, MATERIAL_COLUMNS, (
        (gettext(CREATED), created), (gettext(PUBLISHED), public), (gettext(SHARED), shared)), order=30))
    return out
