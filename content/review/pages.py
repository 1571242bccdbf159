"""HTML routes of the review workflow: the queue, a version under review, the author's buttons, the heads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from content.ingest.sections import Address
from content.materials import service as materials
from content.materials.models import (KIND_LABELS, STATUS_LABELS, VISIBILITY_LABELS, Material, MaterialVersion,
                                      VersionStatus)
from content.review import heads, service
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.assessment import sharing
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import current_locale
from lms_core.org.models import School
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[int, Path(ge=1, le=1_000_000)]
Comment = Annotated[str, Form(max_length=2000)]
FormId = Annotated[int, Form(ge=1, le=MAX_ID)]
LABELS = {"STATUS_LABELS": STATUS_LABELS, "VISIBILITY_LABELS": VISIBILITY_LABELS, "KIND_LABELS": KIND_LABELS,
          "local_time": local_time}
DONE = {"approved", "returned", "head-added", "head-removed"}


def _admin_school(user: User, wanted: int | None) -> int | None:
    """Return the school whose heads the page manages: the one asked for, else the admin's own, else the first."""
    ids = sorted(user.school_ids(Role.school_admin))
    if wanted is not None:
        return wanted
    if not ids:
        return None
    return user.school_id if user.school_id in ids else ids[0]


def _queue_page(request: Request, db: Session, user: User, school_id: int | None, *, error: str | None = None,
                status_code: int = 200) -> Response:
    school_id = _admin_school(user, school_id)
    ctx: dict = {"items": service.queue(db=db, actor=user), "reviewer": service.reviews_anything(db, user),
                 "school_id": school_id, "error": error, "done": request.query_params.get("done"), **LABELS,
                 "questions_waiting": sharing.waiting_count(db=db, actor=user, host=request.app.state.plugins)}
    if ctx["done"] not in DONE:
        ctx["done"] = None
    if school_id is not None:
        ctx["heads"] = heads.list_heads(db=db, actor=user, school_id=school_id)
        ctx["teachers"], ctx["subjects"] = heads.candidates(db=db, actor=user, school_id=school_id)
        ctx["admin_schools"] = [db.get(School, i) for i in sorted(user.school_ids(Role.school_admin))]
    return render(request, "review/queue.html", ctx, status_code=status_code)


@router.get("/review")
def review_queue(request: Request, db: DbSession, user: CurrentUser,
                 school_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show the versions waiting for the user's review and, to a school admin, the subject group heads."""
    return _queue_page(request, db, user, school_id)


def _loaded(db: Session, user: User, version_id: int) -> tuple[Material, MaterialVersion]:
    """Return a version and its material for its author, its reviewers or a system admin; others get 'not found'."""
    row = db.get(MaterialVersion, version_id)
    if row is None:
        raise NotFound(materials.VERSION_NOT_FOUND)
    version = materials.get_version(db=db, actor=user, material_id=row.material_id, number=row.number)
    material = version.material
    if not (material.owner_id == user.id or user.has_role(Role.system_admin) or service.is_reviewer(db, user, material)):
        raise NotFound(materials.VERSION_NOT_FOUND)
    return material, version


def _version_page(request: Request, db: Session, user: User, version_id: int, *, error: str | None = None,
                  comment: str = "", status_code: int = 200) -> Response:
    material, version = _loaded(db, user, version_id)
    locale = current_locale()
    sections, previous = [], None
    for s in version.sections:  # an address is shown where it changes, not on every paragraph
        label = Address.from_dict(s.address).label(locale)
        sections.append(("" if label == previous or s.kind == "heading" else label, s))
        previous = label
    can_review = (version.status == VersionStatus.submitted and material.owner_id != user.id
                  and service.is_reviewer(db, user, material))
    ctx = {"material": material, "version": version, "sections": sections, "can_review": can_review,
           "history": service.history(db=db, actor=user, material_id=material.id), "error": error,
           "comment": comment, "own": material.owner_id == user.id, **LABELS}
    return render(request, "review/version.html", ctx, status_code=status_code)


@router.get("/review/{version_id}")
def review_version(version_id: Id, request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show a version's text, its review history and, to a reviewer, the approve and return buttons."""
    return _version_page(request, db, user, version_id)


def _decide(request: Request, db: Session, user: User, version_id: int, comment: str, step: str) -> Response:
    material, version = _loaded(db, user, version_id)
    act = service.approve if step == "approved" else service.return_version
    try:
        act(db=db, actor=user, material_id=material.id, number=version.number, comment=comment)
    except (Invalid, Conflict) as exc:
        return _version_page(request, db, user, version_id, error=exc.translated(), comment=comment,
                             status_code=exc.status_code)
    return RedirectResponse(f"/review?done={step}", status_code=303)


@router.post("/review/{version_id}/approve")
def approve_version(version_id: Id, request: Request, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Approve a version waiting for review."""
    return _decide(request, db, user, version_id, comment, "approved")


@router.post("/review/{version_id}/return")
def return_version(version_id: Id, request: Request, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Return a version to its author with a comment."""
    return _decide(request, db, user, version_id, comment, "returned")


def _back_to_material(material_id: int, status: str) -> Response:
    return RedirectResponse(f"/materials/{material_id}?review={status}", status_code=303)


@router.post("/materials/{material_id}/versions/{number}/submit")
def submit_version(material_id: Id, number: Number, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Send the newest draft for review, then go back to the material."""
    v = service.submit(db=db, actor=user, material_id=material_id, number=number, comment=comment)
    return _back_to_material(material_id, v.status)


@router.post("/materials/{material_id}/versions/{number}/publish")
def publish_version(material_id: Id, number: Number, request: Request, db: DbSession, user: CurrentUser,
                    comment: Comment = "") -> Response:
    """Publish a version, then go back to the material."""
    v = service.publish(db=db, actor=user, host=request.app.state.plugins, material_id=material_id, number=number,
                        comment=comment)
    return _back_to_material(material_id, v.status)


@router.post("/materials/{material_id}/versions/{number}/archive")
def archive_version(material_id: Id, number: Number, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Withdraw the published version, then go back to the material."""
    v = service.archive(db=db, actor=user, material_id=material_id, number=number, comment=comment)
    return _back_to_material(material_id, v.status)


@router.post("/review/heads")
def add_head(request: Request, db: DbSession, user: CurrentUser, school_id: FormId, subject_id: FormId,
             user_id: FormId) -> Response:
    """Name a teacher head of a subject group of the admin's school."""
    try:
        heads.assign_head(db=db, actor=user, school_id=school_id, subject_id=subject_id, user_id=user_id)
    except (Invalid, Conflict) as exc:
        return _queue_page(request, db, user, school_id, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/review?school_id={school_id}&done=head-added#heads", status_code=303)


@router.post("/review/heads/{head_id}/remove")
def remove_head(head_id: Id, db: DbSession, user: CurrentUser, school_id: FormId) -> Response:
    """Remove a subject group head."""
    heads.remove_head(db=db, actor=user, school_id=school_id, head_id=head_id)
    return RedirectResponse(f"/review?school_id={school_id}&done=head-removed#heads", status_code=303)
