"""HTML routes of curriculum coverage (the page a principal reads at a glance, its XLSX/CSV export) and the rest."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from content.curriculum import export
from content.curriculum.api import province_choices, viewer_province
from content.curriculum.coverage import Coverage, coverage
from content.curriculum.models import CurriculumItem
from lms_core.i18n import current_locale
from lms_core.org.models import LEVEL_LABELS, Province
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
ProvinceQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _load(db, user, province_id: int | None) -> tuple[Coverage, Province | None]:
    chosen = viewer_province(db=db, actor=user, province_id=province_id)
    return coverage(db=db, province_id=chosen), db.get(Province, chosen) if chosen is not None else None


def _filename(province: Province | None, ext: str) -> str:
    name = f"coverage-{province.code if province else 'national'}.{ext}"
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


@router.get("/coverage")
def coverage_page(request: Request, db: DbSession, user: CurrentUser, province_id: ProvinceQuery = None) -> Response:
    """Show the province's coverage against its target, then a table per school level with uncovered topics."""
    result, province = _load(db, user, province_id)
    choices = province_choices(db, user)
    locale = current_locale()
    by_level = {level: [s for s in result.subjects if s.programme.level == level] for level in result.levels}
    has_items = bool(db.scalar(select(func.count()).select_from(CurriculumItem)))
    query = f"?province_id={province.id}" if province is not None else ""
    return render(request, "curriculum/coverage.html", {
        "result": result, "province": province, "choices": choices if len(choices) > 1 or province is None else [],
        "by_level": by_level, "LEVEL_LABELS": LEVEL_LABELS, "subject_locale": locale,
        "empty": not result.subjects or result.overall.total == 0, "no_trees": not has_items,
        "xlsx_href": "/coverage.xlsx" + query, "csv_href": "/coverage.csv" + query,
    })


@router.get("/coverage.xlsx")
def coverage_xlsx(db: DbSession, user: CurrentUser, province_id: ProvinceQuery = None) -> Response:
    """Download the coverage as an Excel workbook: a summary sheet and one sheet per school level."""
    result, province = _load(db, user, province_id)
    return Response(export.xlsx(result, province.name if province else None), media_type=XLSX,
                    headers={"Content-Disposition": _filename(province, "xlsx")})


@router.get("/coverage.csv")
def coverage_csv(db: DbSession, user: CurrentUser, province_id: ProvinceQuery = None) -> Response:
    """Download the coverage as CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly)."""
    result, province = _load(db, user, province_id)
    return Response(export.csv_bytes(result), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _filename(province, "csv")})


# The curriculum's other pages live in their own modules; mounting them here keeps one router per package.
from content.curriculum import import_pages, mapping_pages, tree_pages  # noqa: E402

router.include_router(tree_pages.router)
router.include_router(import_pages.router)
router.include_router(mapping_pages.router)
