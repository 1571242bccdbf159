"""JSON route of the user import: check (dry run) or import an Excel class list into a school."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lms_core.accounts import importer
from lms_core.accounts.import_sheet import check_size
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["accounts"])


class ImportCounts(BaseModel):
    """How many people and classes the file creates (or would create, in a dry run)."""

    students: int = Field(ge=0)
    teachers: int = Field(ge=0)
    classes: int = Field(ge=0)


class ImportErrorOut(BaseModel):
    """One problem of one row; `row` is the row number Excel shows."""

    row: int = Field(ge=1)
    column: str = Field(max_length=600)
    field: str = Field(max_length=32)
    code: str = Field(max_length=32)
    message: str = Field(max_length=2000)


class AccountOut(BaseModel):
    """A created account and its password, returned once and stored nowhere."""

    model_config = ConfigDict(populate_by_name=True)
    username: str = Field(max_length=64)
    full_name: str = Field(max_length=120)
    password: str = Field(max_length=128)
    role: str = Field(max_length=24)
    class_name: str | None = Field(default=None, max_length=20, serialization_alias="class")


class ImportOut(BaseModel):
    """The outcome of a clean file: counts, number of rows and, unless a dry run, the accounts."""

    ok: bool
    dry_run: bool
    rows: int = Field(ge=0)
    created: ImportCounts
    errors: list[ImportErrorOut]
    accounts: list[AccountOut] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "The caller may not manage this school."},
    404: {"description": "The school does not exist or is hidden from the caller."},
    413: {"description": "The file is larger than the limit, or has too many rows."},
    422: {"description": "The file is not a readable .xlsx class list, or rows have errors (listed in `details`)."},
}


@router.post("/schools/{school_id}/users/import", response_model=ImportOut, responses=ERROR_RESPONSES)
def import_users(
    school_id: Annotated[int, Path(ge=1)],
    file: UploadFile,
    request: Request,
    db: DbSession,
    user: CurrentUser,
    dry_run: Annotated[bool, Query(description="Check the file and import nothing.")] = True,
    create_classes: Annotated[bool, Query(description="Create missing classes, the grade read from the name.")] = False,
) -> JSONResponse:
    """Import students and teachers from an .xlsx class list, all or nothing (a dry run by default)."""
    max_bytes = request.app.state.settings.max_import_bytes
    data = file.file.read(max_bytes + 1)
    check_size(len(data), max_bytes)
    report = importer.import_users(db=db, actor=user, school_id=school_id, data=data, dry_run=dry_run,
                                   create_classes=create_classes)
    out = ImportOut(ok=report.ok, dry_run=report.dry_run, rows=len(report.rows),
                    created=ImportCounts(**report.created), errors=[],
                    accounts=None if dry_run else [AccountOut(**vars(a)) for a in report.accounts])
    body = out.model_dump(mode="json", by_alias=True, exclude={"accounts"} if dry_run else set())
    return JSONResponse(body, status_code=200 if dry_run else 201)
