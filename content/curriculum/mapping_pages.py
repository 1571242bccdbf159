"""HTML routes of a material's curriculum mapping: the trees of its subject and grades, as checkboxes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from content.curriculum import mapping, service
from content.materials import service as materials
from lms_core.accounts.models import User
from lms_core.errors import Invalid
from lms_core.i18n import current_locale
from lms_core.org.models import Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
MaterialId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page(request: Request, db: Session, user: User, material_id: int, *, error: str | None = None,
          status_code: int = 200) -> Response:
    material = materials.editable_material(db=db, actor=user, material_id=material_id)
    trees = mapping.grade_trees(db=db, material=material)
    mapped = mapping.mapped_for_page(db=db, actor=user, material_id=material.id)
    shown = set().union(*(t.item_ids for t in trees)) if trees else set()
    return render(request, "curriculum/mapping.html", {
        "material": material, "trees": trees, "checked": {m.item.id for m in mapped},
        "elsewhere": [m for m in mapped if m.item.id not in shown], "error": error,
        "subject": db.get(Subject, material.subject_id) if material.subject_id else None,
        "subject_locale": current_locale(), "saved": request.query_params.get("saved") == "1",
        "max_items": service.MAX_ITEMS_PER_MATERIAL,
    }, status_code=status_code)


@router.get("/materials/{material_id}/curriculum")
def mapping_page(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser) -> Response:
    """Show the owner the topics and lessons of the material's subject and grades, its mapping checked."""
    return _page(request, db, user, material_id)


@router.post("/materials/{material_id}/curriculum")
def save_mapping(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
                 item_ids: Annotated[list[int] | None, Form(max_length=2000)] = None) -> Response:
    """Save which topics and lessons of the shown trees the material covers."""
    materials.editable_material(db=db, actor=user, material_id=material_id)
    try:
        mapping.save_mapping(db=db, actor=user, material_id=material_id, item_ids=item_ids or [])
    except Invalid as exc:
        db.rollback()
        return _page(request, db, user, material_id, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/materials/{material_id}/curriculum?saved=1", status_code=303)
