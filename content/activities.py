"""The content package's lesson activities: read a material, or watch/listen to one, pinned to a published version.

A course that uses a material records it (course_materials), so the course's students may open that version and
the images of its page even when the material is not in the shared repository."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.ingest import FileType
from content.materials import service as materials
from content.materials.models import MaterialKind, MaterialVersion, Visibility
from content.repository.models import CourseMaterial
from lms_core.accounts.models import User
from lms_core.errors import Invalid
from lms_core.i18n import N_
from lms_core.plugins.types import ActivityType

NOT_PUBLISHED = N_("Only a published material can be used in a lesson: publish it first.")
NOT_MEDIA = N_("Choose a video or audio material for this activity.")
BAD_SETTINGS = N_("Choose a material for this activity.")
MAX_ID = 2_147_483_647


class MaterialSettings(BaseModel):
    """What a material activity needs from the teacher: which material (its published version is pinned)."""

    model_config = ConfigDict(extra="ignore")
    material_id: int = Field(ge=1, le=MAX_ID)


def _prepare(*, db: Session, actor: User, course: Any, settings: dict[str, Any], media: bool) -> dict[str, Any]:
    material = materials.get_material(db=db, actor=actor, material_id=settings["material_id"])
    if material.published_version_id is None:
        raise Invalid(NOT_PUBLISHED)
    if media and material.kind not in (MaterialKind.video, MaterialKind.audio):
        raise Invalid(NOT_MEDIA)
    version = db.get(MaterialVersion, material.published_version_id)
    exists = db.scalar(select(CourseMaterial.id).where(CourseMaterial.course_id == course.id,
                                                       CourseMaterial.version_id == version.id))
    if exists is None:
        db.add(CourseMaterial(course_id=course.id, material_id=material.id, version_id=version.id, added_by_id=actor.id))
    if material.visibility == Visibility.shared and material.owner_id != actor.id:  # counts as a reuse
        from content.repository.service import note_reuse

        note_reuse(db=db, actor=actor, material_id=material.id, version_id=version.id, purpose=course.title)
    return {"material_id": material.id, "version_id": version.id, "number": version.number, "kind": material.kind}


def prepare_material(*, db: Session, actor: User, course: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Check the material and pin its published version."""
    return _prepare(db=db, actor=actor, course=course, settings=settings, media=False)


def prepare_media(*, db: Session, actor: User, course: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Check the video or audio material and pin its published version."""
    return _prepare(db=db, actor=actor, course=course, settings=settings, media=True)


def _choices(db: Session, actor: User, media: bool) -> list[tuple[int, str]]:
    """Return the published materials a teacher may put in a lesson (their own, their school's, the shared ones)."""
    from content.materials.models import KIND_LABELS, Material
    from lms_core import permissions
    from lms_core.i18n import gettext

    query = select(Material).where(permissions.visible(actor, "material.view"),
                                   Material.published_version_id.is_not(None))
    if media:
        query = query.where(Material.kind.in_((MaterialKind.video, MaterialKind.audio)))
    rows = db.scalars(query.order_by(Material.title, Material.id).limit(500))
    return [(m.id, f"{m.title} ({gettext(KIND_LABELS.get(m.kind, m.kind))})") for m in rows]


def material_choices(*, db: Session, actor: User, course: Any) -> list[tuple[int, str]]:
    """Return the materials a teacher may choose for a material activity."""
    return _choices(db, actor, media=False)


def media_choices(*, db: Session, actor: User, course: Any) -> list[tuple[int, str]]:
    """Return the video and audio materials a teacher may choose for a media activity."""
    return _choices(db, actor, media=True)


def context(*, db: Session, actor: User, activity: Any) -> dict[str, Any]:
    """Return what the activity's template shows: the pinned version's content, and where its file is served."""
    from content.materials.pages import _display
    from content.materials.render import render_markdown

    version = db.get(MaterialVersion, activity.settings["version_id"])
    material = version.material
    base = f"/courses/activities/{activity.id}"
    return {
        "material": material, "shown": version, "display": _display(material, version),
        "html": render_markdown(version.body_markdown) if version.body_markdown is not None else None,
        "file_url": f"{base}/file" if version.file_sha256 else None,
        "file_mime": FileType(version.file.file_type).mime if version.file_sha256 else None,
        "track_url": f"{base}/transcript.vtt" if version.transcript_sha256 else None,
        "track_progress": f"{base}/events" if activity.completion == "watched" else None,
    }


ACTIVITY_TYPES = [
    ActivityType("material", N_("Read or view a material"), ("viewed",), settings=MaterialSettings,
                 settings_error=BAD_SETTINGS, prepare=prepare_material, template="activities/material.html",
                 context=context, choices=material_choices, choice_key="material_id", choice_label=N_("Material")),
    ActivityType("media", N_("Watch or listen to a video or audio"), ("watched", "viewed"), settings=MaterialSettings,
                 settings_error=BAD_SETTINGS, prepare=prepare_media, template="activities/material.html",
                 context=context, choices=media_choices, choice_key="material_id", choice_label=N_("Video or audio")),
]
