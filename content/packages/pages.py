"""HTML routes of portable packages: a page to export and to upload, a preview (nothing imported), the import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.packages import export, importer, uploads
from content.packages.api import download
from lms_core.accounts.models import User
from lms_core.errors import DomainError, Forbidden
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)

NO_FILE = N_("Choose a package (.zip) to upload.")
NO_STORE = {"Cache-Control": "no-store"}


def _may_export(user: User) -> bool:
    return user.is_active and any(user.has_role(r) for r in export.EXPORTERS)


def _may_import(user: User) -> bool:
    try:
        importer.target_school(user)
    except Forbidden:
        return False
    return True


def _form(request: Request, db: Session, user: User, *, error: str | None = None, status_code: int = 200) -> Response:
    """Render the export and import forms the user may use (refusing those who may use neither)."""
    may_export, may_import = _may_export(user), _may_import(user)
    if not (may_export or may_import):
        raise Forbidden(export.NOT_EXPORTER)
    limit = request.app.state.settings.max_package_bytes
    return render(request, "packages/index.html", {
        "may_export": may_export, "may_import": may_import, "error": error,
        "subjects": sorted(db.scalars(select(Subject)), key=lambda s: s.name(current_locale())), "grades": range(1, 13),
        "max_mb": f"{limit / 1_000_000:.3g}",
    }, status_code=status_code)


@router.get("/material-packages")
def packages_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the forms to export materials as a package and to import one."""
    return _form(request, db, user)


@router.post("/material-packages/export")
def export_download(
    db: DbSession,
    user: CurrentUser,
    subject_code: Annotated[str, Form(max_length=32)] = "",
    grade: Annotated[str, Form(max_length=2)] = "",
    published_only: Annotated[bool, Form()] = False,
) -> Response:
    """Download the chosen materials as one package."""
    selection = export.Selection(subject_code=subject_code or None, grade=int(grade) if grade.isdecimal() else None,
                                 published_only=published_only)
    return download(export.export_package(db=db, actor=user, selection=selection))


def _report_page(request: Request, report: importer.ImportReport, *, token: str | None, status_code: int) -> Response:
    context: dict[str, Any] = {"report": report, "token": token}
    response = render(request, "packages/report.html", context, status_code=status_code)
    response.headers.update(NO_STORE)
    return response


@router.post("/material-packages/import")
def import_preview(request: Request, db: DbSession, user: CurrentUser,
                   file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Check an uploaded package and show what importing it would add; nothing is imported yet."""
    if not _may_import(user):
        raise Forbidden(importer.materials.NO_SCHOOL)
    if file is None or not file.filename:
        return _form(request, db, user, error=gettext(NO_FILE), status_code=422)
    try:
        received = uploads.receive(file.file)
    except DomainError as exc:
        return _form(request, db, user, error=exc.translated(), status_code=exc.status_code)
    try:
        report = importer.import_package(db=db, actor=user, path=received.path, package_sha256=received.sha256,
                                         dry_run=True)
    except importer.PackageRejected as exc:
        received.path.unlink(missing_ok=True)
        return _report_page(request, exc.report, token=None, status_code=422)
    except DomainError as exc:
        received.path.unlink(missing_ok=True)
        return _form(request, db, user, error=exc.translated(), status_code=exc.status_code)
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    token = uploads.keep(received, user_id=user.id) if (report.new_materials or report.new_versions
                                                          or report.new_images or report.new_mappings) else None
    if token is None:
        received.path.unlink(missing_ok=True)
    return _report_page(request, report, token=token, status_code=200)


@router.post("/material-packages/import/confirm")
def import_confirm(request: Request, db: DbSession, user: CurrentUser,
                   token: Annotated[str, Form(min_length=64, max_length=64)]) -> Response:
    """Import the previewed package, delete it, and show what was added."""
    received = uploads.load(token, user_id=user.id)
    try:
        report = importer.import_package(db=db, actor=user, path=received.path, package_sha256=received.sha256,
                                         dry_run=False)
    except importer.PackageRejected as exc:  # the data here changed since the preview
        return _report_page(request, exc.report, token=None, status_code=422)
    finally:
        uploads.discard(token)
    return _report_page(request, report, token=None, status_code=200)
