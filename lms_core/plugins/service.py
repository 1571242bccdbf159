"""Rules about switching plugins on and off for a school."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.db import utcnow
from lms_core.errors import NotFound
from lms_core.i18n import N_
from lms_core.org import service as org
from lms_core.plugins.host import PluginHost
from lms_core.plugins.models import PluginSetting

PLUGIN_NOT_FOUND = N_("This plugin is not installed.")


@dataclass(frozen=True)
class PluginState:
    """An installed plugin and whether a school uses it."""

    name: str
    title: str
    enabled: bool


def list_for_school(*, db: Session, actor: User, host: PluginHost, school_id: int, locale: str) -> list[PluginState]:
    """Return every installed plugin and whether the school uses it."""
    school = org.get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    disabled = host.disabled_for(db, school.id)
    return [PluginState(name=n, title=host.title(n, locale), enabled=n not in disabled) for n in host.switchable()]


def set_enabled(*, db: Session, actor: User, host: PluginHost, school_id: int, name: str, enabled: bool) -> PluginState:
    """Switch an installed plugin on or off for a school the actor manages."""
    school = org.get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    if name not in host.switchable():
        raise NotFound(PLUGIN_NOT_FOUND)
    row = db.scalar(select(PluginSetting).where(PluginSetting.school_id == school.id, PluginSetting.plugin_name == name))
    if row is None:
        row = PluginSetting(school_id=school.id, plugin_name=name)
        db.add(row)
    row.enabled = enabled
    row.changed_by_id = actor.id
    row.changed_at = utcnow()
    db.commit()
    return PluginState(name=name, title=host.title(name, "vi"), enabled=enabled)
