"""HTML routes of the user import: upload form, preview (nothing imported), confirm, template."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.pending import PendingStore
from lms_core.accounts import importer
from lms_core.accounts.import_sheet import check_size
from lms_core.accounts.import_workbooks import ACCOUNTS_FILENAME, TEMPLATE_FILENAME, XLSX_TYPE, accounts_xlsx, template_xlsx
from lms_core.accounts.models import User
from lms_core.errors import Forbidden, Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.org.models import School
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
UPLOADS = PendingStore("imports")  # class lists between preview and confirmation

NO_FILE = N_("Choose an Excel file (.xlsx) to upload.")
PREVIEW_ROWS = 300
NO_STORE = {"Cache-Control": "no-store"}


def _managed_schools(db: Session, user: User) -> list[School]:
    """Return the schools the user may import into; refuse users who manage none."""
    schools = list(db.scalars(select(School).where(permissions.visible(user, "school.manage")).order_by(School.name)))
    if not schools:
        raise Forbidden(permissions.NOT_ALLOWED)
    return schools


def _form(request: Request, schools: list[School], user: User, *, school_id: int | None = None,
          create_classes: bool = False, error: str | None = None, status_code: int = 200) -> Response:
    """Render the upload form, with an error when the last upload was refused as a whole."""
    settings = request.app.state.settings
    selected = school_id or (user.school_id if any(s.id == user.school_id for s in schools) else schools[0].id)
    return render(request, "import.html", {
        "schools": schools, "selected": selected, "create_classes": create_classes, "error": error,
        "max_mb": f"{settings.max_import_bytes / 1_000_000:.3g}", "max_rows": settings.max_import_rows,
    }, status_code=status_code)


def _preview(request: Request, report: importer.ImportReport, *, token: str | None, status_code: int) -> Response:
    """Render the preview of a checked file: its rows, their errors, and the confirm form when clean."""
    return render(request, "import_preview.html", {
        "report": report, "rows": report.rows[:PREVIEW_ROWS], "errors": report.errors, "token": token,
        "hidden_rows": max(0, len(report.rows) - PREVIEW_ROWS),
    }, status_code=status_code)


def _read(upload: UploadFile, max_bytes: int) -> bytes:
    """Read an uploaded file, refusing it once past the size limit."""
    data = upload.file.read(max_bytes + 1)
    check_size(len(data), max_bytes)
    return data


@router.get("/admin/import")
def import_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the upload form, a link to the template and what the file must hold."""
    return _form(request, _managed_schools(db, user), user)


@router.post("/admin/import")
def import_preview(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    school_id: Annotated[int, Form(ge=1)],
    file: Annotated[UploadFile | None, File()] = None,
    create_classes: Annotated[bool, Form()] = False,
) -> Response:
    """Check an uploaded file and show what would be imported; nothing is imported yet."""
    schools = _managed_schools(db, user)
    again = {"school_id": school_id, "create_classes": create_classes}
    if file is None or not file.filename:
        return _form(request, schools, user, error=gettext(NO_FILE), status_code=422, **again)
    try:
        data = _read(file, request.app.state.settings.max_import_bytes)
        report = importer.import_users(db=db, actor=user, school_id=school_id, data=data, dry_run=True,
                                       create_classes=create_classes)
    except importer.ImportRejected as exc:
        return _preview(request, exc.report, token=None, status_code=422)
    except (Invalid, TooLarge) as exc:
        return _form(request, schools, user, error=exc.translated(), status_code=exc.status_code, **again)
    token = UPLOADS.keep_bytes(data, user_id=user.id, school_id=school_id, create_classes=create_classes)
    return _preview(request, report, token=token, status_code=200)


@router.post("/admin/import/confirm")
def import_confirm(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    token: Annotated[str, Form(min_length=64, max_length=64)],
) -> Response:
    """Import the previewed file, delete it, and show the new accounts once."""
    upload = UPLOADS.load(token, user_id=user.id)
    try:
        report = importer.import_users(db=db, actor=user, school_id=int(upload.record["school_id"]), data=upload.read(),
                                       dry_run=False, create_classes=bool(upload.record.get("create_classes")))
    except importer.ImportRejected as exc:  # the data changed since the preview
        return _preview(request, exc.report, token=None, status_code=422)
    finally:
        UPLOADS.discard(token)
    response = render(request, "import_result.html", _result_context(report))
    response.headers.update(NO_STORE)
    return response


def _result_context(report: importer.ImportReport) -> dict[str, Any]:
    """Return the result page's data: counts, accounts and the account list as a data: link."""
    workbook = base64.b64encode(accounts_xlsx(report.accounts)).decode()
    return {"report": report, "accounts": report.accounts, "download_href": f"data:{XLSX_TYPE};base64,{workbook}",
            "download_name": ACCOUNTS_FILENAME}


@router.get("/admin/import/template.xlsx")
def import_template(user: CurrentUser) -> Response:
    """Download the blank class-list template."""
    return Response(template_xlsx(), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_FILENAME}"'})
