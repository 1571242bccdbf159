"""JSON routes of portable packages: export a selection as a zip, import a zip (or only check it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from content.materials.files import content_disposition
from content.packages import export, importer, uploads
from lms_core.errors import Invalid
from lms_core.i18n import N_
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["material packages"])
NO_FILE = N_("Choose a package (.zip) to upload.")


class ExportIn(BaseModel):
    """Which materials to export; every filter is optional and narrowed to what the caller may see."""

    model_config = ConfigDict(extra="forbid")
    material_ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=2000)] = []
    school_id: Annotated[int, Field(ge=1)] | None = None
    subject_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    grade: Annotated[int, Field(ge=1, le=12)] | None = None
    published_only: bool = False


def download(result: export.ExportResult) -> FileResponse:
    """Answer with an exported package, deleting its temporary file once sent."""
    return FileResponse(result.path, media_type="application/zip",
                        headers={"Content-Disposition": content_disposition("attachment", result.filename),
                                 "Cache-Control": "no-store"},
                        background=BackgroundTask(export.discard, result))


@router.post("/material-packages/export", response_class=FileResponse)
def export_materials(body: ExportIn, db: DbSession, user: CurrentUser) -> FileResponse:
    """Export the selected materials the caller may see as one zip with a manifest."""
    selection = export.Selection(material_ids=tuple(body.material_ids), school_id=body.school_id,
                                 subject_code=body.subject_code, grade=body.grade, published_only=body.published_only)
    return download(export.export_package(db=db, actor=user, selection=selection))


@router.post("/material-packages/import")
def import_materials(db: DbSession, user: CurrentUser, file: Annotated[UploadFile | None, File()] = None,
                     dry_run: Annotated[bool, Query()] = False) -> dict[str, Any]:
    """Import a package into the caller's school (or, with dry_run, only check it and say what would change)."""
    if file is None or not file.filename:
        raise Invalid(NO_FILE)
    importer.target_school(user)  # refuse before receiving the bytes
    received = uploads.receive(file.file)
    try:
        report = importer.import_package(db=db, actor=user, path=received.path, package_sha256=received.sha256,
                                         dry_run=dry_run)
    finally:
        received.path.unlink(missing_ok=True)
    return report.as_dict()
