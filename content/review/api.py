"""JSON routes of the review workflow, the review queue and the subject group heads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from content.materials.models import MaterialVersion
from content.review import heads, service
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["review"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[int, Path(ge=1, le=1_000_000)]


class CommentIn(BaseModel):
    """An optional comment on a step (required to return a version)."""

    model_config = ConfigDict(extra="forbid")
    comment: str = Field(default="", max_length=2000)


class StepOut(BaseModel):
    """Where a version stands after a step."""

    material_id: int
    number: int
    status: str
    published_number: int | None


class ReviewEventOut(BaseModel):
    """One recorded step: who, when, from what to what, and why."""

    number: int
    actor_id: int
    actor_name: str
    from_status: str
    to_status: str
    comment: str
    at: datetime


class QueueItemOut(BaseModel):
    """A version waiting for the caller's review."""

    version_id: int
    material_id: int
    number: int
    title: str
    kind: str
    visibility: str
    subject_id: int | None
    subject_code: str | None
    owner_name: str
    submitted_at: datetime


class HeadIn(BaseModel):
    """Name a teacher head of a subject group."""

    model_config = ConfigDict(extra="forbid")
    subject_id: int = Field(ge=1, le=MAX_ID)
    user_id: int = Field(ge=1, le=MAX_ID)


class HeadOut(BaseModel):
    """A head of a subject group."""

    id: int
    school_id: int
    subject_id: int
    subject_code: str
    user_id: int
    full_name: str


def _step(db: DbSession, version: MaterialVersion) -> StepOut:
    material = version.material
    published = db.get(MaterialVersion, material.published_version_id) if material.published_version_id else None
    return StepOut(material_id=material.id, number=version.number, status=version.status,
                   published_number=published.number if published else None)


def _text(body: CommentIn | None) -> str:
    return body.comment if body else ""


@router.post("/materials/{material_id}/versions/{number}/submit")
def submit(material_id: Id, number: Number, db: DbSession, user: CurrentUser, body: CommentIn | None = None) -> StepOut:
    """Send the newest draft of one's own material for review."""
    v = service.submit(db=db, actor=user, material_id=material_id, number=number, comment=_text(body))
    return _step(db, v)


@router.post("/materials/{material_id}/versions/{number}/approve")
def approve(material_id: Id, number: Number, db: DbSession, user: CurrentUser, body: CommentIn | None = None) -> StepOut:
    """Approve a version waiting for review."""
    v = service.approve(db=db, actor=user, material_id=material_id, number=number, comment=_text(body))
    return _step(db, v)


@router.post("/materials/{material_id}/versions/{number}/return")
def return_version(material_id: Id, number: Number, db: DbSession, user: CurrentUser,
                   body: CommentIn | None = None) -> StepOut:
    """Return a version waiting for review to its author, with a comment."""
    v = service.return_version(db=db, actor=user, material_id=material_id, number=number, comment=_text(body))
    return _step(db, v)


@router.post("/materials/{material_id}/versions/{number}/publish")
def publish(material_id: Id, number: Number, request: Request, db: DbSession, user: CurrentUser,
            body: CommentIn | None = None) -> StepOut:
    """Publish a version and tell the plugins."""
    v = service.publish(db=db, actor=user, host=request.app.state.plugins, material_id=material_id, number=number,
                        comment=_text(body))
    return _step(db, v)


@router.post("/materials/{material_id}/versions/{number}/archive")
def archive(material_id: Id, number: Number, db: DbSession, user: CurrentUser, body: CommentIn | None = None) -> StepOut:
    """Withdraw the published version."""
    v = service.archive(db=db, actor=user, material_id=material_id, number=number, comment=_text(body))
    return _step(db, v)


@router.get("/materials/{material_id}/review-events")
def review_events(material_id: Id, db: DbSession, user: CurrentUser) -> list[ReviewEventOut]:
    """Return the review history of a material (its author and reviewers)."""
    return [ReviewEventOut(number=h.number, actor_id=h.event.actor_id, actor_name=h.actor_name,
                           from_status=h.event.from_status, to_status=h.event.to_status, comment=h.event.comment,
                           at=h.event.at)
            for h in service.history(db=db, actor=user, material_id=material_id)]


@router.get("/review/queue")
def review_queue(db: DbSession, user: CurrentUser, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                 limit: Annotated[int, Query(ge=1, le=200)] = 100) -> list[QueueItemOut]:
    """Return the versions waiting for the caller's review, oldest first."""
    return [QueueItemOut(version_id=q.version_id, material_id=q.material_id, number=q.number, title=q.title,
                         kind=q.kind, visibility=q.visibility, subject_id=q.subject.id if q.subject else None,
                         subject_code=q.subject.code if q.subject else None, owner_name=q.owner_name,
                         submitted_at=q.submitted_at)
            for q in service.queue(db=db, actor=user, limit=limit, offset=offset)]


def _head_out(h: heads.HeadItem) -> HeadOut:
    return HeadOut(id=h.id, school_id=h.school_id, subject_id=h.subject.id, subject_code=h.subject.code,
                   user_id=h.user.id, full_name=h.user.full_name)


@router.get("/schools/{school_id}/subject-heads")
def subject_heads(school_id: Id, db: DbSession, user: CurrentUser) -> list[HeadOut]:
    """Return the subject group heads of a school the caller administers."""
    return [_head_out(h) for h in heads.list_heads(db=db, actor=user, school_id=school_id)]


@router.post("/schools/{school_id}/subject-heads", status_code=201)
def add_subject_head(school_id: Id, body: HeadIn, db: DbSession, user: CurrentUser) -> HeadOut:
    """Name a teacher of the school head of a subject group."""
    return _head_out(heads.assign_head(db=db, actor=user, school_id=school_id, subject_id=body.subject_id,
                                       user_id=body.user_id))


@router.delete("/schools/{school_id}/subject-heads/{head_id}", status_code=204)
def remove_subject_head(school_id: Id, head_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Remove a subject group head."""
    heads.remove_head(db=db, actor=user, school_id=school_id, head_id=head_id)
    return Response(status_code=204)
