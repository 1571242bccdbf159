"""HTML routes of the digital-transformation self-assessment: the list of schools, a school's assessment of a year
(the form for its admin, read-only for the department), and the province's indicator file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from lms_core.accounts.manage_pages import local_time
from lms_core.errors import Forbidden, Invalid, NotFound, TooLarge
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org import service as org
from lms_core.org.models import AcademicYear
from lms_core.reports import dt_files, selfassessment as service
from lms_core.reports.dt_indicators import MAX_BYTES
from lms_core.reports.selfassessment_models import IndicatorFile
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BASE = "/reports/self-assessment"
NO_YEAR = N_("No school year has been set up yet.")
NO_FILE = N_("Choose the corrected indicator file (.toml) to upload.")
MAX_FIELDS = 600
RULE_HINTS = {
    "mandatory": N_("A condition that must be met (no points)."),
    "yes_no": N_("All the points when the answer is yes."),
    "percent_bands": N_("Points by percentage."),
    "count_bands": N_("Points by number."),
    "entered": N_("The school enters the points."),
}
SOURCES = {"measured": N_("Measured by the platform"), "entered": N_("Entered by the school"),
           "": N_("Not answered yet")}
STATUSES = {"draft": N_("Draft"), "submitted": N_("Submitted")}
NOTICES = ("started", "saved", "refreshed", "submitted", "reopened")


def num(value: Any) -> str:
    """Return a number as the reader writes it: 7,5 in Vietnamese, 7.5 in English, whole numbers bare."""
    if value is None:
        return "–"
    value = float(value)
    text = str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if current_locale() == "vi" else text


def _helpers() -> dict[str, Any]:
    return {"num": num, "local_time": local_time, "RULE_HINTS": RULE_HINTS, "SOURCES": SOURCES,
            "STATUSES": STATUSES, "base": BASE, "locale": current_locale()}


def _year(db: Any, year_id: int | None) -> AcademicYear:
    if year_id:
        year = db.get(AcademicYear, year_id)
        if year is None:
            raise NotFound(service.YEAR_NOT_FOUND)
        return year
    year = org.current_year(db=db)
    if year is None:
        raise Invalid(NO_YEAR)
    return year


@router.get(BASE)
def index(request: Request, db: DbSession, user: CurrentUser,
          year_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """List the schools whose self-assessment the user may read, with each one's status and level for a year."""
    year = _year(db, year_id)
    rows = service.overview(db=db, actor=user, year_id=year.id)
    if not rows and not dt_files.manageable_provinces(db=db, actor=user):
        raise Forbidden(service.CANNOT_VIEW)
    frameworks = {pid: dt_files.framework_for(db, pid)[0] for pid in {school.province_id for school, _ in rows}}
    years = list(db.scalars(select(AcademicYear).order_by(AcademicYear.start_date.desc()).limit(10)))
    return render(request, "reports/selfassessment_index.html", {
        **_helpers(), "rows": rows, "year": year, "years": years, "frameworks": frameworks,
        "may_manage_files": bool(dt_files.manageable_provinces(db=db, actor=user)),
    })


# --- the province's indicator file ---------------------------------------------------------------------------------

def _files_page(request: Request, db: Any, user: Any, *, error: str | None = None, error_province: int | None = None,
                status_code: int = 200) -> Response:
    provinces = dt_files.manageable_provinces(db=db, actor=user)
    if not provinces:
        raise Forbidden(dt_files.CANNOT_MANAGE)
    files = {row.province_id: row for row in db.scalars(select(IndicatorFile).where(
        IndicatorFile.province_id.in_([p.id for p in provinces])))}
    frameworks = {p.id: dt_files.framework_for(db, p.id)[0] for p in provinces}
    return render(request, "reports/selfassessment_indicators.html", {
        **_helpers(), "provinces": provinces, "files": files, "frameworks": frameworks, "error": error,
        "error_province": error_province, "max_kb": MAX_BYTES // 1000,
        "notice": done if (done := request.query_params.get("done", "")) in ("uploaded", "removed") else "",
    }, status_code=status_code)


@router.get(BASE + "/indicators")
def indicator_files(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the indicator file each of the user's provinces uses, with the forms to correct it."""
    return _files_page(request, db, user)


@router.get(BASE + "/indicators/{province_id}.toml")
def download_file(province_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Download the indicator file that applies in a province, to correct it."""
    text = dt_files.current_text(db=db, actor=user, province_id=province_id)
    return Response(text.encode("utf-8"), media_type="application/toml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="chi-so-cds-{province_id}.toml"'})


@router.post(BASE + "/indicators/{province_id}")
def upload_file(request: Request, province_id: Id, db: DbSession, user: CurrentUser,
                file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Upload a corrected indicator file for a province: checked whole, refused whole."""
    try:
        if file is None or not file.filename:
            raise Invalid(NO_FILE)
        data = file.file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise TooLarge(N_("The indicator file may be at most {max} KB."), max=MAX_BYTES // 1000)
        dt_files.upload(db=db, actor=user, province_id=province_id, data=data, file_name=file.filename or "")
    except (Invalid, TooLarge) as exc:
        db.rollback()
        return _files_page(request, db, user, error=exc.translated(), error_province=province_id,
                           status_code=exc.status_code)
    return RedirectResponse(f"{BASE}/indicators?done=uploaded", status_code=303)


@router.post(BASE + "/indicators/{province_id}/remove")
def remove_file(province_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Drop a province's corrected file: the shipped indicator set applies again."""
    dt_files.remove(db=db, actor=user, province_id=province_id)
    return RedirectResponse(f"{BASE}/indicators?done=removed", status_code=303)


# --- a school's assessment ------------------------------------------------------------------------------------------

def _sheet_page(request: Request, db: Any, user: Any, school_id: int, year_id: int, *,
                values: dict[str, str] | None = None, notes: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, error: str | None = None, status_code: int = 200) -> Response:
    sheet = service.view(db=db, actor=user, school_id=school_id, year_id=year_id)
    notice = request.query_params.get("done", "")
    return render(request, "reports/selfassessment.html", {
        **_helpers(), "sheet": sheet, "values": values, "notes": notes or {}, "errors": errors or {},
        "error": error, "notice": notice if notice in NOTICES else "",
    }, status_code=status_code)


@router.get(BASE + "/{school_id:int}/{year_id:int}")
def sheet_page(request: Request, school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a school's self-assessment of a year: the form for its admin, the figures for the department."""
    return _sheet_page(request, db, user, school_id, year_id)


def _back(school_id: int, year_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"{BASE}/{school_id}/{year_id}?done={done}", status_code=303)


@router.post(BASE + "/{school_id:int}/{year_id:int}/start")
def start(school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Start the year's self-assessment (the platform fills in what it measures)."""
    service.start(db=db, actor=user, school_id=school_id, year_id=year_id)
    return _back(school_id, year_id, "started")


@router.post(BASE + "/{school_id:int}/{year_id:int}/refresh")
def refresh(school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Measure the platform's figures again."""
    service.refresh(db=db, actor=user, school_id=school_id, year_id=year_id)
    return _back(school_id, year_id, "refreshed")


@router.post(BASE + "/{school_id:int}/{year_id:int}/answers")
async def save_answers(request: Request, school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Save the school's answers, all or none; a refused form comes back with each problem beside its answer."""
    form = await request.form()
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) or len(values) + len(notes) >= MAX_FIELDS or len(value) > 2000:
            raise Invalid(service.FIX_ANSWERS)
        if name.startswith("v-") and len(name) <= 24:
            values[name[2:]] = value
        elif name.startswith("n-") and len(name) <= 24:
            notes[name[2:]] = value
    try:
        service.enter(db=db, actor=user, school_id=school_id, year_id=year_id, values=values, notes=notes)
    except Invalid as exc:
        db.rollback()
        if not exc.details:
            raise
        errors = {d["field"]: gettext(d["message"]).format(**d["params"]) for d in exc.details}
        return _sheet_page(request, db, user, school_id, year_id, values=values, notes=notes, errors=errors,
                           error=exc.translated(), status_code=422)
    return _back(school_id, year_id, "saved")


@router.post(BASE + "/{school_id:int}/{year_id:int}/submit")
def submit(request: Request, school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Submit the self-assessment (it is locked until reopened)."""
    try:
        service.submit(db=db, actor=user, school_id=school_id, year_id=year_id)
    except Invalid as exc:
        db.rollback()
        return _sheet_page(request, db, user, school_id, year_id, error=exc.translated(), status_code=422)
    return _back(school_id, year_id, "submitted")


@router.post(BASE + "/{school_id:int}/{year_id:int}/reopen")
def reopen(school_id: Id, year_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Reopen a submitted self-assessment for changes."""
    service.reopen(db=db, actor=user, school_id=school_id, year_id=year_id)
    return _back(school_id, year_id, "reopened")
