"""The content package (LCMS) as the platform's hooks see it: its tables, routes, pages and menu."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from lms_core.accounts.models import Role
from lms_core.i18n import N_
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.types import NavEntry

TITLE = {"vi": "Học liệu số", "en": "Digital materials"}
ALWAYS_ON = True  # part of the platform, not a school's choice


@hookimpl
def truongso_models() -> list[ModuleType]:
    from content.curriculum import models as curriculum_models
    from content.materials import models
    from content.packs import models as pack_models
    from content.repository import models as repository_models

    return [models, curriculum_models, repository_models, pack_models]


@hookimpl
def truongso_api_routers() -> list[Any]:
    from content.curriculum import api as curriculum_api
    from content.materials import api
    from content.packages import api as packages_api
    from content.repository import api as repository_api
    from content.review import api as review_api

    return [api.router, review_api.router, repository_api.router, curriculum_api.router, packages_api.router]


@hookimpl
def truongso_page_routers() -> list[Any]:
    from content.curriculum import pages as curriculum_pages
    from content.materials import pages
    from content.packages import pages as packages_pages
    from content.repository import pages as repository_pages
    from content.review import pages as review_pages

    return [pages.router, review_pages.router, repository_pages.router, curriculum_pages.router, packages_pages.router]


@hookimpl
def truongso_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@hookimpl
def truongso_content_packs() -> list[Any]:
    from lms_core.plugins.types import ContentPack

    root = Path(__file__).parent / "packs"
    return [ContentPack(p.name, p) for p in sorted(root.iterdir()) if (p / "pack.toml").is_file()]


@hookimpl
def truongso_activity_types() -> list[Any]:
    from content.activities import ACTIVITY_TYPES

    return ACTIVITY_TYPES


@hookimpl
def truongso_navigation(db: Any, user: Any, school_id: int | None) -> list[NavEntry]:
    entries = []
    if user.has_role(Role.teacher) or user.has_role(Role.school_admin):
        entries.append(NavEntry("materials", N_("Materials"), "/materials", 20))
    entries.append(NavEntry("repository", N_("Shared repository"), "/repository", 22))
    from content.review.heads import shows_review

    if shows_review(db, user):
        entries.append(NavEntry("review", N_("Review"), "/review", 25))
    if any(user.has_role(r) for r in (Role.department_staff, Role.school_admin, Role.system_admin)):
        entries.append(NavEntry("coverage", N_("Curriculum coverage"), "/coverage", 61, N_("Reports")))
    return entries


@hookimpl
def truongso_reference_data(db: Any) -> dict[str, int]:
    from content.curriculum.seed import ensure_curriculum

    report = ensure_curriculum(db)
    return {"added": report.added, "updated": report.updated, "kept_edited": report.kept_edited}


@hookimpl
def truongso_reviewers() -> list[Any]:
    from content.review.heads import REVIEWERS

    return [REVIEWERS]


@hookimpl
def truongso_curriculum() -> list[Any]:
    from content.curriculum.reader import READER

    return [READER]


@hookimpl
def truongso_material_published(db: Any, material: Any, version: Any) -> None:
    from content.repository.index import on_published

    on_published(db, material)


@hookimpl
def truongso_demo_data(db: Any, school: Any) -> dict[str, int]:
    from content.demo import build

    return build(db=db, school=school)


@hookimpl
def truongso_cli_commands(app: Any) -> None:
    from content import cli

    cli.register(app)


@hookimpl
def truongso_report_sections(db: Any, actor: Any, school_ids: list[int], start: Any, end: Any) -> list[Any]:
    from content.reports import sections

    return sections(db=db, actor=actor, school_ids=school_ids, start=start, end=end)
