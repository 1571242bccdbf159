"""Routes of page images: the owner uploads one from the editor (with or without JavaScript), readers fetch it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from content.materials import files, images
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["materials"])
MAX_ID = 2_147_483_647
MaterialId = Annotated[int, Path(ge=1, le=MAX_ID)]
CHOOSE_IMAGE = N_("Choose an image to upload.")


def _store(db, user, material_id: int, file: UploadFile | None):  # noqa: ANN001, ANN202
    if file is None or not file.filename:
        raise Invalid(CHOOSE_IMAGE)
    return images.add_image(db=db, actor=user, material_id=material_id, stream=file.file, filename=file.filename)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/materials/{material_id}/images")
def upload_image(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
                 file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Store an image for a page: the editor's script gets its Markdown back, a plain form returns to the editor."""
    try:
        image = _store(db, user, material_id, file)
    except (Invalid, TooLarge) as exc:
        db.rollback()
        if _wants_json(request):
            return JSONResponse({"detail": exc.translated()}, status_code=exc.status_code)
        from content.materials.pages import edit_page_with_error  # the pages module includes this router

        return edit_page_with_error(request, db, user, material_id, exc)
    if _wants_json(request):
        return JSONResponse({"url": images.url_of(image.sha256), "markdown": images.markdown_of(image)}, status_code=201)
    return RedirectResponse(f"/materials/{material_id}/edit?image={image.sha256}#images", status_code=303)


@api_router.post("/materials/{material_id}/images", status_code=201)
def api_upload_image(material_id: MaterialId, db: DbSession, user: CurrentUser,
                     file: Annotated[UploadFile | None, File()] = None) -> dict[str, str]:
    """Store an image for a written page; answer its address and the Markdown that shows it."""
    image = _store(db, user, material_id, file)
    return {"url": images.url_of(image.sha256), "markdown": images.markdown_of(image)}


@router.api_route(images.PREFIX + "{sha256}", methods=["GET", "HEAD"])
def page_image(request: Request, sha256: Annotated[str, Path(max_length=64)], db: DbSession,
               user: CurrentUser) -> Response:
    """Serve an image of a page the reader may see."""
    image = images.visible_image(db=db, actor=user, sha256=sha256)
    return files.serve_file(request, sha256=image.sha256, file_type=image.file.file_type, file_name=image.file_name)
