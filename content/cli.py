"""Commands the content package adds to `truongso`: rebuild the repository index, export and import packages."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()


def reindex(
    force: Annotated[bool, typer.Option("--force", help="Rebuild every entry, even those whose text did not change.")] = False,
) -> None:
    """Rebuild the shared repository's search index from the published materials (safe to re-run)."""
    from content.repository.index import reindex_all
    from lms_core.cli import _migrate
    from lms_core.db import session_scope

    _migrate()
    with session_scope() as db:
        report = reindex_all(db, force=force, progress=lambda done, total: console.print(f"  {done}/{total}"))
    console.print(f"[green]✓[/] indexed {report.indexed}, unchanged {report.unchanged}, removed {report.removed}")


def register(app: typer.Typer) -> None:
    """Add the content commands to the command line: the index rebuild and the portable packages."""
    from content.packages import cli as packages_cli
    from content.packs import cli as packs_cli

    app.command("reindex-repository")(reindex)
    packages_cli.register(app)
    packs_cli.register(app)
