"""The plugin host: finds plugins by entry point, calls hooks, honours per-school switches."""

from __future__ import annotations

import importlib.metadata
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.plugins import hookspecs
from lms_core.plugins.models import PluginSetting
from lms_core.plugins.types import ActivityType, ContentPack, LessonPanel, NavEntry, ReportSection, TutorTool

ENTRY_POINT_GROUP = "truongso.plugins"
log = logging.getLogger(__name__)
CORE = "core"


class PluginError(RuntimeError):
    """A plugin returned something the host cannot use."""


class PluginHost:
    """Holds the pluggy manager and answers which plugins serve which school."""

    def __init__(self, *, load_entry_points: bool = True, plugins: dict[str, object] | None = None) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        from lms_core import core_plugin

        self.pm.register(core_plugin, name=CORE)
        if load_entry_points:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                if self.pm.has_plugin(ep.name):
                    continue
                self.pm.register(ep.load(), name=ep.name)
        for name, plugin in (plugins or {}).items():
            self.register(name, plugin)
        self.pm.check_pending()

    def register(self, name: str, plugin: object) -> None:
        """Register a plugin object under a name (tests register the ones they need)."""
        if name == CORE or self.pm.has_plugin(name):
            raise PluginError(f"plugin name already taken: {name}")
        self.pm.register(plugin, name=name)
        self.pm.check_pending()

    def names(self) -> list[str]:
        """Return the names of the installed plugins, the core excluded."""
        return sorted(n for n, _ in self.pm.list_name_plugin() if n != CORE)

    def switchable(self) -> list[str]:
        """Return the plugins a school may switch off (not those that are part of the platform)."""
        return [n for n in self.names() if not getattr(self.pm.get_plugin(n), "ALWAYS_ON", False)]

    def title(self, name: str, locale: str) -> str:
        """Return a plugin's human title (its TITLE dict, else its name)."""
        plugin = self.pm.get_plugin(name)
        titles = getattr(plugin, "TITLE", None) or {}
        return titles.get(locale) or titles.get("vi") or name

    def disabled_for(self, db: Session, school_id: int | None) -> set[str]:
        """Return the plugins a school has switched off."""
        if school_id is None or not self.switchable():
            return set()
        rows = db.scalars(
            select(PluginSetting.plugin_name).where(
                PluginSetting.school_id == school_id, PluginSetting.enabled.is_(False)
            )
        )
        return set(rows)

    def is_enabled(self, db: Session, name: str, school_id: int | None) -> bool:
        """Return whether a plugin serves a school."""
        return self.pm.has_plugin(name) and name not in self.disabled_for(db, school_id)

    def _caller(self, hook: str, disabled: set[str]) -> Any:
        if not disabled:
            return getattr(self.pm.hook, hook)
        plugins = [self.pm.get_plugin(n) for n in disabled if self.pm.has_plugin(n)]
        return self.pm.subset_hook_caller(hook, remove_plugins=plugins)

    def _owner(self, hook: str) -> list[tuple[str, list[Any]]]:
        """Call a hook and return (plugin name, results) pairs, so routes know their plugin."""
        out = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            result = impl.function()
            out.append((impl.plugin_name, list(result or [])))
        return out

    # --- the registry-like hooks -------------------------------------------------------
    def model_modules(self) -> list[ModuleType]:
        """Return every ORM module of core and plugins."""
        return [m for result in self.pm.hook.truongso_models() for m in result]

    def api_routers(self) -> list[tuple[str, Any]]:
        """Return (plugin name, router) pairs for JSON routes."""
        return [(name, r) for name, routers in self._owner("truongso_api_routers") for r in routers]

    def page_routers(self) -> list[tuple[str, Any]]:
        """Return (plugin name, router) pairs for HTML pages."""
        return [(name, r) for name, routers in self._owner("truongso_page_routers") for r in routers]

    def template_dirs(self) -> list[Path]:
        """Return the template directories, plugins' first so they can extend core pages."""
        dirs = [Path(d) for result in self.pm.hook.truongso_template_dirs() for d in result]
        for d in dirs:
            if not d.is_dir():
                raise PluginError(f"template directory does not exist: {d}")
        return dirs

    def navigation(self, *, db: Session, user: Any, school_id: int | None) -> list[NavEntry]:
        """Return the navigation of a user, without the plugins their school switched off."""
        caller = self._caller("truongso_navigation", self.disabled_for(db, school_id))
        entries = [e for result in caller(db=db, user=user, school_id=school_id) for e in result or []]
        return sorted(entries, key=lambda e: (e.order, e.key))

    def lesson_panels(self, *, db: Session, user: Any, course: Any, lesson: Any) -> list[LessonPanel]:
        """Return the panels to show under a lesson, from the plugins the course's school uses."""
        caller = self._caller("truongso_lesson_panels", self.disabled_for(db, course.school_id))
        panels = [p for result in caller(db=db, user=user, course=course, lesson=lesson) for p in result or []]
        for p in panels:
            if not isinstance(p, LessonPanel):
                raise PluginError(f"not a LessonPanel: {p!r}")
        return sorted(panels, key=lambda p: (p.order, p.key))

    def activity_types(self) -> dict[str, ActivityType]:
        """Return every activity type by name; two plugins may not claim one name."""
        return _unique(self.pm.hook.truongso_activity_types(), ActivityType, "activity type")

    def tutor_tools(self) -> dict[str, TutorTool]:
        """Return every tutor tool by name; two plugins may not claim one name."""
        return _unique(self.pm.hook.truongso_tutor_tools(), TutorTool, "tutor tool")

    def content_packs(self) -> dict[str, ContentPack]:
        """Return every content pack by name; each must be an existing directory."""
        packs = _unique(self.pm.hook.truongso_content_packs(), ContentPack, "content pack")
        for pack in packs.values():
            if not Path(pack.path).is_dir():
                raise PluginError(f"content pack {pack.name} is not a directory: {pack.path}")
        return packs

    def report_sections(self, *, db: Session, actor: Any, school_id: int | None, school_ids: list[int] | None = None,
                        start: Any = None, end: Any = None) -> list[ReportSection]:
        """Return report sections from the plugins this school uses (a report of several schools: every plugin)."""
        caller = self._caller("truongso_report_sections", self.disabled_for(db, school_id))
        ids = list(school_ids) if school_ids is not None else ([school_id] if school_id is not None else [])
        sections = [s for result in caller(db=db, actor=actor, school_id=school_id, school_ids=ids, start=start, end=end)
                    for s in result or []]
        for s in sections:
            if not isinstance(s, ReportSection):
                raise PluginError(f"not a ReportSection: {s!r}")
            if any(len(row) != len(s.columns) for row in s.rows):
                raise PluginError(f"report section {s.key} has rows of the wrong width")
        return sorted(sections, key=lambda s: s.order)

    def register_celery_tasks(self, celery_app: Any) -> list[str]:
        """Let every plugin register its Celery tasks; return all task names."""
        return [n for result in self.pm.hook.truongso_celery_tasks(celery_app=celery_app) for n in result or []]

    def reference_data(self, *, db: Session) -> dict[str, dict[str, int]]:
        """Let every installed plugin load its reference data (all of them: it is not a school's choice)."""
        return {impl.plugin_name: impl.function(db=db) or {}
                for impl in self.pm.hook.truongso_reference_data.get_hookimpls()}

    def demo_data(self, *, db: Session, school: Any) -> dict[str, dict[str, int]]:
        """Ask every plugin serving the school for its demo data; return counts per plugin."""
        disabled = self.disabled_for(db, school.id)
        out: dict[str, dict[str, int]] = {}
        # in pluggy's call order (the list is kept last-called first), so `trylast` runs after the others' data
        for impl in reversed(self.pm.hook.truongso_demo_data.get_hookimpls()):
            if impl.plugin_name in disabled:
                continue
            given = {"db": db, "school": school}
            out[impl.plugin_name] = impl.function(**{k: given[k] for k in impl.argnames}) or {}
        return out

    def material_published(self, *, db: Session, material: Any, version: Any) -> list[str]:
        """Tell the plugins serving the material's school that a version was published; return those that failed."""
        # Called after the publication is committed: a failing plugin is logged and its unsaved
        # changes rolled back, so neither the publication nor the other plugins suffer.
        disabled = self.disabled_for(db, material.school_id)
        given = {"db": db, "material": material, "version": version}
        failed = []
        for impl in self.pm.hook.truongso_material_published.get_hookimpls():
            if impl.plugin_name in disabled or impl.hookwrapper or impl.wrapper:
                continue
            try:
                impl.function(**{k: given[k] for k in impl.argnames})
            except Exception:
                log.exception("plugin %s failed on material_published (material %s, version %s)",
                              impl.plugin_name, material.id, version.id)
                db.rollback()
                failed.append(impl.plugin_name)
        return failed

    def cli_commands(self, app: Any) -> None:
        """Let every installed plugin add its commands to the command line (not per school: the CLI is the server's)."""
        self.pm.hook.truongso_cli_commands(app=app)


def _unique(results: list[list[Any]], kind: type, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for result in results:
        for item in result or []:
            if not isinstance(item, kind):
                raise PluginError(f"not a {label}: {item!r}")
            if item.name in out:
                raise PluginError(f"two plugins declare the {label} {item.name!r}")
            out[item.name] = item
    return out
