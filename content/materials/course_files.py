"""A course's students open the files of the material versions its lessons pin (through the activity)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from content.materials import files
from content.materials.models import MaterialVersion
from lms_core.courses import service as courses
from lms_core.errors import NotFound
from lms_core.i18n import N_
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
ActivityId = Annotated[int, Path(ge=1, le=MAX_ID)]
NO_MATERIAL = N_("This activity has no material.")
MATERIAL_TYPES = ("material", "media")


def _pinned(db, user, activity_id: int) -> MaterialVersion:  # noqa: ANN001
    activity = courses.get_activity(db=db, actor=user, activity_id=activity_id)  # the course must be visible
    version_id = (activity.settings or {}).get("version_id")
    version = db.get(MaterialVersion, version_id) if activity.type in MATERIAL_TYPES and version_id else None
    if version is None:
        raise NotFound(NO_MATERIAL)
    return version


@router.api_route("/courses/activities/{activity_id}/file", methods=["GET", "HEAD"])
def activity_file(request: Request, activity_id: ActivityId, db: DbSession, user: CurrentUser) -> Response:
    """Serve the file of the version an activity pins (ranges for seeking)."""
    return files.serve_version(request, _pinned(db, user, activity_id), transcript=False)


@router.get("/courses/activities/{activity_id}/transcript.vtt")
def activity_subtitles(activity_id: ActivityId, db: DbSession, user: CurrentUser) -> Response:
    """Serve the subtitles of the version an activity pins, as WebVTT."""
    return files.serve_vtt(_pinned(db, user, activity_id))
