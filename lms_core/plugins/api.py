"""JSON routes of the plugin switches."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from lms_core.i18n import current_locale
from lms_core.plugins import service
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["plugins"])


class PluginOut(BaseModel):
    """An installed plugin and whether the school uses it."""

    name: str = Field(max_length=64)
    title: str = Field(max_length=200)
    enabled: bool


class PluginSwitchIn(BaseModel):
    """Switch a plugin on or off."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool


@router.get("/schools/{school_id}/plugins")
def plugins(school_id: int, request: Request, db: DbSession, user: CurrentUser) -> list[PluginOut]:
    """List the installed plugins and whether the school uses each."""
    states = service.list_for_school(db=db, actor=user, host=request.app.state.plugins, school_id=school_id,
                                     locale=current_locale())
    return [PluginOut(name=s.name, title=s.title, enabled=s.enabled) for s in states]


@router.put("/schools/{school_id}/plugins/{name}")
def switch(school_id: int, name: str, body: PluginSwitchIn, request: Request, db: DbSession, user: CurrentUser) -> PluginOut:
    """Switch a plugin on or off for the school."""
    s = service.set_enabled(db=db, actor=user, host=request.app.state.plugins, school_id=school_id, name=name[:64],
                            enabled=body.enabled)
    return PluginOut(name=s.name, title=s.title, enabled=s.enabled)
