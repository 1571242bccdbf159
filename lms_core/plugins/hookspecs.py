"""Every hook a plugin can implement, declared once.

Each hook is called with keyword arguments only; an implementation may accept any subset
of them. Core features use the same hooks through `lms_core.core_plugin`.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "truongso"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def truongso_models() -> list[Any]:
    """Return the modules holding this plugin's ORM classes (built on lms_core.db.Base)."""


@hookspec
def truongso_api_routers() -> list[Any]:
    """Return FastAPI routers of JSON routes; the host mounts them under /api/."""


@hookspec
def truongso_page_routers() -> list[Any]:
    """Return FastAPI routers of HTML pages, mounted at the site root."""


@hookspec
def truongso_template_dirs() -> list[Any]:
    """Return directories of Jinja2 templates this plugin's pages render."""


@hookspec
def truongso_navigation(db: Any, user: Any, school_id: int | None) -> list[Any]:
    """Return NavEntry items to show this user in the main navigation (db: a session to read with)."""


@hookspec
def truongso_activity_types() -> list[Any]:
    """Return ActivityType descriptions of the lesson activities this plugin adds."""


@hookspec
def truongso_content_packs() -> list[Any]:
    """Return paths of content-pack directories this plugin ships."""


@hookspec
def truongso_tutor_tools() -> list[Any]:
    """Return TutorTool descriptions the AI tutor may call."""


@hookspec
def truongso_report_sections(db: Any, actor: Any, school_id: int | None, school_ids: list[int], start: Any,
                             end: Any) -> list[Any]:
    """Return ReportSection items to add to school and department reports (school_ids: the schools it covers; start,
    end: the dates of its period)."""


@hookspec
def truongso_celery_tasks(celery_app: Any) -> list[str]:
    """Register Celery tasks on the given app and return their names."""


@hookspec
def truongso_reference_data(db: Any) -> dict[str, int] | None:
    """Load or refresh the reference data every installation needs (idempotently); return counts changed."""


@hookspec
def truongso_demo_data(db: Any, school: Any) -> dict[str, int] | None:
    """Create this plugin's demo data for the demo school (idempotently); return counts made."""


@hookspec
def truongso_material_published(db: Any, material: Any, version: Any) -> None:
    """React to a newly published material version (the tutor indexes it); return nothing."""


@hookspec
def truongso_cli_commands(app: Any) -> None:
    """Add this plugin's commands to the `truongso` command line (a typer.Typer); return nothing."""


@hookspec
def truongso_reviewers() -> list[Any]:
    """Return Reviewers objects that say who reviews what a school shares in a subject (see assessment.sharing)."""


@hookspec
def truongso_curriculum() -> list[Any]:
    """Return readers of the curriculum's topic trees (see assessment.question_curriculum), for the question bank."""


@hookspec
def truongso_lesson_panels(db: Any, user: Any, course: Any, lesson: Any) -> list[Any]:
    """Return LessonPanel items to show this user under a lesson's activities (the AI tutor's, say)."""
