"""HTML routes of the plugin switches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lms_core.accounts.models import Role
from lms_core.errors import Forbidden
from lms_core.i18n import current_locale
from lms_core.permissions import NOT_ALLOWED
from lms_core.plugins import service
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)


def _school_id(user: CurrentUser) -> int:
    ids = sorted(user.school_ids(Role.school_admin))
    if not ids:
        raise Forbidden(NOT_ALLOWED)
    return user.school_id if user.school_id in ids else ids[0]


@router.get("/admin/plugins")
def plugins_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the installed plugins and the school's switches."""
    school_id = _school_id(user)
    states = service.list_for_school(db=db, actor=user, host=request.app.state.plugins, school_id=school_id,
                                     locale=current_locale())
    return render(request, "plugins.html", {"plugins": states, "saved": request.query_params.get("saved")})


@router.post("/admin/plugins/{name}")
def plugin_switch(name: str, request: Request, db: DbSession, user: CurrentUser,
                  enabled: Annotated[str, Form(pattern="^(on|off)$")]) -> Response:
    """Switch a plugin on or off for the admin's school."""
    service.set_enabled(db=db, actor=user, host=request.app.state.plugins, school_id=_school_id(user),
                        name=name[:64], enabled=enabled == "on")
    return RedirectResponse(f"/admin/plugins?saved={name[:64]}", status_code=303)
