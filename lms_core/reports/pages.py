"""HTML routes of the reports sent upward: the page to choose a unit, a period and a format; the report previewed as
a page; and its downloads as XLSX and PDF (/reports/{kind}/{id}.xlsx|.pdf?year=&period=). A plain form does it all
without JavaScript: it goes to /reports/go, which redirects to the address of the choice."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts.models import Role, User
from lms_core.blended import charts, shares
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, District, Province, School
from lms_core.org.service import current_year
from lms_core.permissions import area_of
from lms_core.reports import content, pdf, xlsx
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
YearId = Annotated[int | None, Query(ge=1, le=content.MAX_ID)]
PeriodKey = Annotated[str, Query(max_length=16)]
CHOICE = re.compile(r"(province|district|school)-(\d{1,10})")
FORMATS = ("html", "xlsx", "pdf")
READERS = (Role.system_admin, Role.department_staff, Role.school_admin)

NOT_A_READER = N_("Reports are made by school administrators and department staff.")
BAD_CHOICE = N_("Choose a unit from the list.")
BAD_FORMAT = N_("Choose a preview, an Excel workbook or a PDF.")
NO_YEAR = N_("There is no school year yet.")
KIND_LABELS = {"province": N_("Provinces"), "district": N_("Districts and communes"), "school": N_("Schools")}
PERIOD_LABELS = {"term1": N_("Term 1"), "term2": N_("Term 2"), "year": N_("Whole school year")}


def require_reader(user: User) -> None:
    """Refuse teachers, students and parents: reports are sent by a school's or a department's leaders."""
    if not any(user.has_role(r) for r in READERS):
        raise Forbidden(NOT_A_READER)


def unit_choices(db: Session, actor: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the units the actor may report on, grouped by kind, as (value, label) pairs built from SQL filters."""
    admin = actor.has_role(Role.system_admin)
    provinces, districts = area_of(actor)
    p_where = [] if admin else [Province.id.in_(provinces)]
    d_where = [] if admin else [District.id.in_(districts) | District.province_id.in_(provinces)]
    groups = [
        ("province", [(f"province-{i}", name) for i, name in db.execute(
            select(Province.id, Province.name).where(*p_where).order_by(Province.name, Province.id))]),
        ("district", [(f"district-{i}", f"{name} ({province})") for i, name, province in db.execute(
            select(District.id, District.name, Province.name).join(Province, Province.id == District.province_id)
            .where(*d_where).order_by(Province.name, District.name, District.id))]),
        ("school", [(f"school-{i}", name) for i, name in db.execute(
            select(School.id, School.name).where(shares.reportable_schools(actor)).order_by(School.name, School.id))]),
    ]
    return [(kind, options) for kind, options in groups if options]


def _year_id(db: Session, year: int | None) -> int:
    if year is not None:
        return year
    now = current_year(db=db)
    if now is None:
        raise NotFound(NO_YEAR)
    return now.id


def _report(request: Request, db: Session, user: User, kind: str, unit_id: int, year: int | None,
            period: str) -> content.Report:
    require_reader(user)
    if unit_id > content.MAX_ID:
        raise NotFound(shares.UNIT_NOT_FOUND)
    return content.build(db=db, actor=user, host=request.app.state.plugins, kind=kind, unit_id=unit_id,
                         year_id=_year_id(db, year), period=period)


def _attachment(report: content.Report, ext: str) -> str:
    name = content.file_name(report, ext)
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


def _query(report: content.Report) -> str:
    return urlencode({"year": report.period.year.id, "period": report.period.key})


@router.get("/reports")
def reports_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the choice of a unit, a school year, a period and a format."""
    require_reader(user)
    now = current_year(db=db)
    years = list(db.scalars(select(AcademicYear).order_by(AcademicYear.start_date.desc())))
    return render(request, "reports/report_form.html", {
        "groups": unit_choices(db, user), "years": years, "year": now, "periods": PERIOD_LABELS,
        "KIND_LABELS": KIND_LABELS})


@router.get("/reports/go")
def go(db: DbSession, user: CurrentUser, unit: Annotated[str, Query(max_length=32)],
       year: YearId = None, period: PeriodKey = "year",
       fmt: Annotated[str, Query(alias="format", max_length=8)] = "html") -> Response:
    """Send the form's choice to the report's own address (the preview or a download)."""
    require_reader(user)
    match = CHOICE.fullmatch(unit.strip())
    if match is None:
        raise Invalid(BAD_CHOICE)
    if fmt not in FORMATS:
        raise Invalid(BAD_FORMAT)
    kind, unit_id = match.group(1), int(match.group(2))
    suffix = "" if fmt == "html" else f".{fmt}"
    query = urlencode({"year": _year_id(db, year), "period": period})
    return RedirectResponse(f"/reports/{kind}/{unit_id}{suffix}?{query}", status_code=303)


def _routes(kind: str) -> None:
    """Add the preview and the downloads of one kind of unit (kinds are spelt out, so other /reports/… pages keep
    their addresses)."""

    def download_xlsx(request: Request, unit_id: int, db: DbSession, user: CurrentUser, year: YearId = None,
                      period: PeriodKey = "year") -> Response:
        report = _report(request, db, user, kind, unit_id, year, period)
        return Response(xlsx.workbook(report), media_type=xlsx.XLSX_TYPE,
                        headers={"Content-Disposition": _attachment(report, "xlsx")})

    def download_pdf(request: Request, unit_id: int, db: DbSession, user: CurrentUser, year: YearId = None,
                     period: PeriodKey = "year") -> Response:
        report = _report(request, db, user, kind, unit_id, year, period)
        return Response(pdf.document(report), media_type=pdf.PDF_TYPE,
                        headers={"Content-Disposition": _attachment(report, "pdf")})

    def preview(request: Request, unit_id: int, db: DbSession, user: CurrentUser, year: YearId = None,
                period: PeriodKey = "year") -> Response:
        report = _report(request, db, user, kind, unit_id, year, period)
        bars = [charts.Bar(b.label, b.share, b.target, empty=b.empty) for b in report.bars]
        base = f"/reports/{kind}/{report.unit.id}"
        return render(request, "reports/report.html", {
            "report": report, "cell": lambda v: content.cell_text(v, report.locale),
            "chart": charts.bar_chart(bars, title=report.chart_title) if len(bars) <= pdf.MAX_BARS else "",
            "xlsx_href": f"{base}.xlsx?{_query(report)}", "pdf_href": f"{base}.pdf?{_query(report)}",
            "dashboard_href": f"/blended/{kind}/{report.unit.id}?year={report.period.year.id}"})

    download_xlsx.__doc__ = f"Download the report of a {kind} as an Excel workbook."
    download_pdf.__doc__ = f"Download the report of a {kind} as a PDF."
    preview.__doc__ = f"Show the report of a {kind} as a page, with its downloads."
    router.add_api_route(f"/reports/{kind}/{{unit_id:int}}.xlsx", download_xlsx, methods=["GET"])
    router.add_api_route(f"/reports/{kind}/{{unit_id:int}}.pdf", download_pdf, methods=["GET"])
    router.add_api_route(f"/reports/{kind}/{{unit_id:int}}", preview, methods=["GET"])


for _kind in content.KINDS:
    _routes(_kind)
