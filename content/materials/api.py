"""JSON routes of materials and their versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from content.materials import image_pages, service
from content.materials.schemas import (DiffLine, MaterialFieldsIn, MaterialIn, MaterialOut, RestoreIn, TextVersionIn,
                                       VersionDetailOut, VersionOut)
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["materials"])


def fields_of(body: MaterialFieldsIn) -> service.MaterialFields:
    """Return the service's fields from a request body."""
    return service.MaterialFields(title=body.title, kind=body.kind, description=body.description,
                                  subject_id=body.subject_id, grades=tuple(body.grades), language=body.language,
                                  licence=body.licence, visibility=body.visibility, tags=tuple(body.tags))


@router.get("/materials")
def materials(db: DbSession, user: CurrentUser, mine: bool = False,
              offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[MaterialOut]:
    """List the materials the caller may see (or owns)."""
    rows = service.list_materials(db=db, actor=user, mine=mine, offset=offset, limit=limit)
    return [MaterialOut.model_validate(m) for m in rows]


@router.post("/materials", status_code=201)
def create(body: MaterialIn, db: DbSession, user: CurrentUser) -> MaterialOut:
    """Create a material (a written page or link with its first version)."""
    material = service.create_material(db=db, actor=user, fields=fields_of(body), body_markdown=body.body_markdown,
                                       external_url=body.external_url, note=body.note)
    return MaterialOut.model_validate(material)


@router.get("/materials/{material_id}")
def detail(material_id: int, db: DbSession, user: CurrentUser) -> MaterialOut:
    """Return one material."""
    return MaterialOut.model_validate(service.get_material(db=db, actor=user, material_id=material_id))


@router.put("/materials/{material_id}")
def update(material_id: int, body: MaterialFieldsIn, db: DbSession, user: CurrentUser) -> MaterialOut:
    """Change a material's describing fields."""
    return MaterialOut.model_validate(service.update_fields(db=db, actor=user, material_id=material_id,
                                                            fields=fields_of(body)))


@router.get("/materials/{material_id}/versions")
def versions(material_id: int, db: DbSession, user: CurrentUser) -> list[VersionOut]:
    """Return the history of a material (the versions the caller may see)."""
    material = service.get_material(db=db, actor=user, material_id=material_id)
    return [VersionOut.model_validate(v) for v in service.visible_versions(actor=user, material=material)]


@router.get("/materials/{material_id}/versions/{number}")
def version(material_id: int, number: int, db: DbSession, user: CurrentUser) -> VersionDetailOut:
    """Return one version with its text and sections."""
    return VersionDetailOut.model_validate(service.get_version(db=db, actor=user, material_id=material_id, number=number))


@router.post("/materials/{material_id}/versions", status_code=201)
def new_text_version(material_id: int, body: TextVersionIn, db: DbSession, user: CurrentUser) -> VersionOut:
    """Save a written page's new text as a new version."""
    v = service.add_text_version(db=db, actor=user, material_id=material_id, body_markdown=body.body_markdown,
                                 note=body.note)
    return VersionOut.model_validate(v)


@router.post("/materials/{material_id}/upload", status_code=201)
def upload(material_id: int, file: Annotated[UploadFile, File()], db: DbSession, user: CurrentUser,
           note: Annotated[str, Form(max_length=500)] = "") -> VersionOut:
    """Upload a file as a new version (its type is decided by its bytes)."""
    v = service.add_file_version(db=db, actor=user, material_id=material_id, stream=file.file, filename=file.filename,
                                 note=note)
    return VersionOut.model_validate(v)


@router.post("/materials/{material_id}/transcript", status_code=201)
def transcript(material_id: int, file: Annotated[UploadFile, File()], db: DbSession, user: CurrentUser,
               note: Annotated[str, Form(max_length=500)] = "") -> VersionOut:
    """Attach WebVTT or SRT subtitles to a video or audio material."""
    v = service.attach_transcript(db=db, actor=user, material_id=material_id, stream=file.file, note=note)
    return VersionOut.model_validate(v)


@router.get("/materials/{material_id}/compare")
def compare(material_id: int, db: DbSession, user: CurrentUser, older: Annotated[int, Query(ge=1)],
            newer: Annotated[int, Query(ge=1)]) -> list[DiffLine]:
    """Compare the text of two versions line by line."""
    rows = service.compare(db=db, actor=user, material_id=material_id, older=older, newer=newer)
    return [DiffLine(sign=s, text=t) for s, t in rows]


@router.post("/materials/{material_id}/versions/{number}/restore", status_code=201)
def restore(material_id: int, number: int, body: RestoreIn, db: DbSession, user: CurrentUser) -> VersionOut:
    """Make an old version the newest again."""
    return VersionOut.model_validate(service.restore(db=db, actor=user, material_id=material_id, number=number,
                                                     note=body.note))


router.include_router(image_pages.api_router)
