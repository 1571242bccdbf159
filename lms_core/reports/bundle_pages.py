"""HTML routes of report bundles: a school admin exports the school's signed bundle and reads out the server's key
fingerprint; department staff register a school's public key, upload bundles and see the past imports."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.blended import aggregates
from lms_core.blended.models import ClassWeek, Source
from lms_core.errors import DomainError, Forbidden, Invalid
from lms_core.i18n import N_, gettext
from lms_core.org.models import AcademicYear, School
from lms_core.org.service import current_year
from lms_core.reports import bundle
from lms_core.reports.bundle_models import BundleImport, SchoolKey
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "/reports/bundle"
MAX_ID = 2_147_483_647
RECENT_IMPORTS = 50

NOT_FOR_YOU = N_("Report bundles are for school administrators and department staff.")
NO_FILE = N_("Choose the bundle file (.zip) to upload.")
NO_KEY_GIVEN = N_("Paste the school's public key or choose its file.")
KEY_SAVED = N_("The key of {school} is registered. Its fingerprint is {fingerprint}.")
IMPORTED = N_("The bundle of {school} for {year} is imported: {rows} rows of class weeks.")
ALREADY = N_("This bundle of {school} for {year} was imported before, on {when}: nothing changed.")


def _roles(user: User) -> tuple[bool, bool]:
    """Return whether the user may export (a school admin) and receive (department staff); refuse others."""
    sysadmin = user.has_role(Role.system_admin)
    exporter = sysadmin or user.has_role(Role.school_admin)
    receiver = sysadmin or user.has_role(Role.department_staff)
    if not (exporter or receiver):
        raise Forbidden(NOT_FOR_YOU)
    return exporter, receiver


def _notice(db: Session, user: User, imported: int | None, already: int | None, registered: int | None) -> str | None:
    """Return the message of what the last form did, read back from the stored rows the user may see."""
    if registered:
        row = db.execute(select(SchoolKey, School).join(School, School.id == SchoolKey.school_id)
                         .where(School.id == registered, permissions.visible(user, bundle.RECEIVE))).first()
        return gettext(KEY_SAVED).format(school=row[1].name, fingerprint=row[0].fingerprint) if row else None
    wanted = imported or already
    if not wanted:
        return None
    row = db.execute(select(BundleImport, School, AcademicYear).join(School, School.id == BundleImport.school_id)
                     .join(AcademicYear, AcademicYear.id == BundleImport.academic_year_id)
                     .where(BundleImport.id == wanted, permissions.visible(user, bundle.RECEIVE))).first()
    if row is None:
        return None
    record, school, year = row
    if imported:
        return gettext(IMPORTED).format(school=school.name, year=year.name, rows=record.rows)
    return gettext(ALREADY).format(school=school.name, year=year.name, when=local_time(record.imported_at))


def _page(request: Request, db: Session, user: User, *, error: str | None = None, notice: str | None = None,
          status_code: int = 200, form: dict[str, Any] | None = None) -> Response:
    """Render the page: the export part for school admins, the receiving part for department staff."""
    exporter, receiver = _roles(user)
    ctx: dict[str, Any] = {"error": error, "notice": notice, "exporter": exporter, "receiver": receiver,
                           "form": form or {}, "local_time": local_time,
                           "max_mb": bundle.MAX_BUNDLE_BYTES // 1_000_000}
    if exporter:
        with_figures = select(ClassWeek.school_id).where(ClassWeek.source == Source.local)
        ctx["export_schools"] = list(db.scalars(select(School).where(
            permissions.visible(user, "school.manage"), School.id.in_(with_figures)).order_by(School.name)))
        ctx["years"] = list(db.scalars(select(AcademicYear).where(AcademicYear.id.in_(
            select(ClassWeek.academic_year_id).where(ClassWeek.source == Source.local)))
            .order_by(AcademicYear.start_date.desc())))
        now = current_year(db=db)
        ctx["year_id"] = now.id if now else None
        ctx["fingerprint"] = bundle.school_key_fingerprint()
        ctx["public_pem"] = bundle.server_public_pem()
        ctx["pending"] = aggregates.pending(db, [school.id for school in ctx["export_schools"]])
    if receiver:
        area = permissions.visible(user, bundle.RECEIVE)
        ctx["area_schools"] = list(db.scalars(select(School).where(area).order_by(School.name)))
        ctx["keys"] = db.execute(select(SchoolKey, School).join(School, School.id == SchoolKey.school_id)
                                 .where(area).order_by(School.name)).all()
        ctx["imports"] = db.execute(
            select(BundleImport, School, AcademicYear).join(School, School.id == BundleImport.school_id)
            .join(AcademicYear, AcademicYear.id == BundleImport.academic_year_id).where(area)
            .order_by(BundleImport.imported_at.desc(), BundleImport.id.desc()).limit(RECENT_IMPORTS)).all()
    return render(request, "reports/bundle.html", ctx, status_code=status_code)


@router.get(PAGE)
def bundle_page(request: Request, db: DbSession, user: CurrentUser,
                imported: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                already: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                registered: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show the export button and key fingerprint, or the key registry, the upload form and past imports."""
    _roles(user)
    return _page(request, db, user, notice=_notice(db, user, imported, already, registered))


@router.get(f"{PAGE}/public-key.pem")
def public_key(user: CurrentUser) -> Response:
    """Download this server's public key, to send to the department."""
    exporter, _receiver = _roles(user)
    if not exporter:
        raise Forbidden(NOT_FOR_YOU)
    return Response(bundle.server_public_pem(), media_type="application/x-pem-file",
                    headers={"Content-Disposition": 'attachment; filename="truongso-public-key.pem"'})


@router.post(f"{PAGE}/export")
def export(request: Request, db: DbSession, user: CurrentUser, school_id: Annotated[int, Form(ge=1, le=MAX_ID)],
           year_id: Annotated[int, Form(ge=1, le=MAX_ID)]) -> Response:
    """Bring the figures up to date and download the school's signed bundle for the year."""
    exporter, _receiver = _roles(user)
    if not exporter:
        raise Forbidden(NOT_FOR_YOU)
    aggregates.refresh(db=db)
    try:
        data = bundle.export_bundle(db=db, actor=user, school_id=school_id, year_id=year_id)
    except DomainError as exc:
        return _page(request, db, user, error=exc.translated(), status_code=exc.status_code,
                     form={"school_id": school_id, "year_id": year_id})
    school, year = db.get(School, school_id), db.get(AcademicYear, year_id)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"truongso-{school.code}-{year.name}")
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"',
                             "Cache-Control": "no-store"})


@router.post(f"{PAGE}/keys")
def register(request: Request, db: DbSession, user: CurrentUser, school_id: Annotated[int, Form(ge=1, le=MAX_ID)],
             public_key: Annotated[str, Form(max_length=bundle.MAX_PEM_CHARS)] = "",
             key_file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Register (or replace) a school's public key, pasted or uploaded."""
    _roles(user)
    text = public_key
    try:
        if key_file is not None and key_file.filename:
            raw = key_file.file.read(bundle.MAX_PEM_CHARS + 1)
            try:
                text = raw[:bundle.MAX_PEM_CHARS].decode("ascii")
            except UnicodeDecodeError:
                raise Invalid(bundle.BAD_KEY) from None
        if not text.strip():
            raise Invalid(NO_KEY_GIVEN)
        bundle.register_key(db=db, actor=user, school_id=school_id, public_key_pem=text)
    except DomainError as exc:
        return _page(request, db, user, error=exc.translated(), status_code=exc.status_code,
                     form={"key_school_id": school_id, "public_key": public_key})
    return RedirectResponse(f"{PAGE}?registered={school_id}#keys", status_code=303)


@router.post(f"{PAGE}/import")
def import_(request: Request, db: DbSession, user: CurrentUser,
            file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Check an uploaded bundle and import its figures; a refused one changes nothing."""
    _roles(user)
    try:
        if file is None or not file.filename:
            raise Invalid(NO_FILE)
        result = bundle.import_bundle(db=db, actor=user, data=file.file.read(bundle.MAX_BUNDLE_BYTES + 1))
    except DomainError as exc:
        return _page(request, db, user, error=exc.translated(), status_code=exc.status_code)
    flag = "already" if result.already_imported else "imported"
    return RedirectResponse(f"{PAGE}?{flag}={result.record.id}#imports", status_code=303)
