"""The AI tutor as the platform's hooks see it: its tables, tasks, commands, pages and menu entry, its panel in every
lesson, and the reaction to publishing."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from lms_core.accounts.models import Role
from lms_core.i18n import N_
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.types import NavEntry

TITLE = {"vi": "Trợ lý học tập AI", "en": "AI tutor"}
ALWAYS_ON = True  # part of the platform; a course's teacher switches the tutor off for the course


@hookimpl
def truongso_models() -> list[ModuleType]:
    from ai_tutor import models

    return [models]


@hookimpl
def truongso_celery_tasks(celery_app: Any) -> list[str]:
    from ai_tutor import tasks

    return tasks.register(celery_app)


@hookimpl
def truongso_material_published(db: Any, material: Any, version: Any) -> None:
    from ai_tutor.tasks import enqueue_index

    enqueue_index(version.id)


@hookimpl
def truongso_cli_commands(app: Any) -> None:
    from ai_tutor import cli

    cli.register(app)


@hookimpl
def truongso_api_routers() -> list[Any]:
    from ai_tutor import api

    return [api.router]


@hookimpl
def truongso_page_routers() -> list[Any]:
    from ai_tutor import pages

    return [pages.router]


@hookimpl
def truongso_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def truongso_navigation(user: Any, school_id: int | None) -> list[NavEntry]:
    if user.has_role(Role.teacher) or user.has_role(Role.school_admin):
        return [NavEntry("tutor", N_("AI tutor"), "/tutor", 19)]
    return []


@hookimpl
def truongso_lesson_panels(db: Any, user: Any, course: Any, lesson: Any) -> list[Any]:
    from ai_tutor.pages import lesson_panel

    return lesson_panel(db, user, course, lesson)


@hookimpl(trylast=True)
def truongso_demo_data(db: Any, school: Any) -> dict[str, int]:
    from ai_tutor import demo

    return demo.build(db=db, school=school)


@hookimpl
def truongso_report_sections(db: Any, actor: Any, school_ids: list[int], start: Any, end: Any) -> list[Any]:
    from ai_tutor.reports import sections

    return sections(db=db, actor=actor, school_ids=school_ids, start=start, end=end)
