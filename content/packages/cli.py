"""Commands `export-materials` and `import-materials`: packages of materials from and to a USB stick."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.packages import export, importer
from lms_core.accounts.models import User
from lms_core.errors import DomainError
from lms_core.i18n import N_, gettext

NO_USER = N_("{username}: there is no active user with this name.")
EXPORTED = N_("{path}: {materials} materials, {versions} versions, {files} files.")
WOULD_ADD = N_("Would add {materials} new materials, {versions} new versions ({skipped} already here), {images} "
               "images, {links} curriculum links.")
ADDED = N_("Added {materials} new materials, {versions} new versions ({skipped} already here), {images} images, "
           "{links} curriculum links.")

console = Console()


@contextmanager
def _session() -> Iterator[Session]:
    """Open a database session (tests replace this with theirs)."""
    from lms_core.db import session_scope

    with session_scope() as db:
        yield db


def _user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.is_active:
        console.print("[red]✗[/] " + gettext(NO_USER).format(username=username))
        raise typer.Exit(1)
    return user


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def export_materials(
    output: Annotated[Path, typer.Argument(help="Where to write the package (.zip).")],
    user: Annotated[str, typer.Option(help="Export as this user: only what they may see.")],
    material_id: Annotated[list[int] | None, typer.Option("--id", help="A material to export (repeat).")] = None,
    school_id: Annotated[int | None, typer.Option(help="Only this school's materials.")] = None,
    subject: Annotated[str | None, typer.Option(help="Only this subject (its code, e.g. TA).")] = None,
    grade: Annotated[int | None, typer.Option(min=1, max=12, help="Only this grade.")] = None,
    published_only: Annotated[bool, typer.Option(help="Only published materials, their published version.")] = False,
    server: Annotated[str | None, typer.Option(help="This server's name, written in the manifest.")] = None,
) -> None:
    """Export materials (files, versions, images, curriculum mapping) as one package."""
    selection = export.Selection(material_ids=tuple(material_id or ()), school_id=school_id, subject_code=subject,
                                 grade=grade, published_only=published_only)
    try:
        with _session() as db:
            result = export.export_package(db=db, actor=_user(db, user), selection=selection, server=server)
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        raise typer.Exit(1) from None
    try:
        shutil.move(result.path, output)
    finally:
        export.discard(result)
    console.print("[green]✓[/] " + gettext(EXPORTED).format(path=output, materials=result.materials,
                                                            versions=result.versions, files=result.files))


def import_materials(
    package: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The package (.zip).")],
    user: Annotated[str, typer.Option(help="Import as this teacher or school administrator, into their school.")],
    dry_run: Annotated[bool, typer.Option(help="Only check the package and say what would be added.")] = False,
) -> None:
    """Import a package of materials; importing it again adds nothing."""
    try:
        with _session() as db:
            report = importer.import_package(db=db, actor=_user(db, user), path=package,
                                             package_sha256=_sha256(package), dry_run=dry_run)
    except importer.PackageRejected as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        for plan in exc.report.plans:
            for note in plan.errors:
                console.print(f"  {plan.entry.title}: {note.text()}")
        raise typer.Exit(1) from None
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        raise typer.Exit(1) from None
    for plan in report.plans:
        for note in plan.warnings:
            console.print(f"[yellow]![/] {plan.entry.title}: {note.text()}")
    console.print("[green]✓[/] " + gettext(WOULD_ADD if dry_run else ADDED).format(
        materials=report.new_materials, versions=report.new_versions, skipped=report.skipped_versions,
        images=report.new_images, links=report.new_mappings))


def register(app: typer.Typer) -> None:
    """Add the package commands to the `truongso` command line."""
    app.command("export-materials")(export_materials)
    app.command("import-materials")(import_materials)
