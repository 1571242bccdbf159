"""The AI tutor as the platform's hooks see it: its tables, tasks, commands and the reaction to publishing."""

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
