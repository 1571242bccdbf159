"""Command `truongso install-packs`: install or upgrade the content packs the plugins ship."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from lms_core.errors import DomainError
from lms_core.i18n import N_, gettext

INSTALLED = N_("{name} (version {version}): {materials} new materials, {versions} new versions ({review} waiting for "
               "review), {questions} new questions, {question_versions} new question versions.")
UNCHANGED = N_("{name} (version {version}): already installed, nothing changed.")

console = Console()


def report_line(report: object) -> str:
    """Return one translated line saying what installing a pack did."""
    r = report  # a PackReport
    if not r.changed:  # type: ignore[attr-defined]
        return gettext(UNCHANGED).format(name=r.name, version=r.version)  # type: ignore[attr-defined]
    return gettext(INSTALLED).format(
        name=r.name, version=r.version, materials=r.materials_added, versions=r.versions_added,  # type: ignore[attr-defined]
        review=r.versions_for_review, questions=r.questions_added,  # type: ignore[attr-defined]
        question_versions=r.question_versions_added)  # type: ignore[attr-defined]


def install_packs(
    names: Annotated[list[str] | None, typer.Argument(help="Packs to install (default: all).")] = None,
) -> None:
    """Install or upgrade content packs (materials and questions of the shared repository); safe to re-run."""
    from content.packs.install import install_all
    from lms_core.cli import _migrate
    from lms_core.db import session_scope
    from lms_core.plugins.host import PluginHost

    _migrate()
    try:
        with session_scope() as db:
            for report in install_all(db=db, host=PluginHost(), names=names or None):
                console.print("[green]✓[/] " + report_line(report))
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add the pack command to the command line."""
    app.command("install-packs")(install_packs)
