"""HTML route of the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lms_core.dashboard import service
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the user's start page, one section per role."""
    return render(request, "dashboard.html", {"board": service.for_user(db=db, actor=user)})
