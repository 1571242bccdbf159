"""The `truongso` command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lms_core.settings import get_settings

app = typer.Typer(help="Trường Số: the learning platform's command line.", no_args_is_help=True, add_completion=False)
console = Console()


def _migrate() -> None:
    from lms_core import migrate
    from lms_core.db import session_scope
    from lms_core.org.seed import ensure_reference_data

    from lms_core.plugins.host import PluginHost

    settings = get_settings()
    migrate.upgrade(settings.resolved_database_url)
    with session_scope() as db:
        ensure_reference_data(db)
        PluginHost().reference_data(db=db)


@app.command()
def init() -> None:
    """Prepare var/ (files, keys), migrate the database and load the reference data."""
    settings = get_settings()
    var = settings.resolved_var_dir
    (var / "files").mkdir(exist_ok=True)
    settings.resolved_secret_key  # noqa: B018 — creates the key file on first run
    _migrate()
    console.print(f"[green]✓[/] {var}  ({settings.resolved_database_url.split('://')[0]})")


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    _migrate()
    console.print("[green]✓[/] migrated")


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(prompt=True)],
    full_name: Annotated[str, typer.Option(prompt=True)] = "Quản trị hệ thống",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a system administrator."""
    from lms_core.accounts import service
    from lms_core.accounts.models import Role
    from lms_core.db import session_scope
    from lms_core.errors import DomainError

    _migrate()
    try:
        with session_scope() as db:
            user = service.create_user(db=db, username=username, full_name=full_name, password=password,
                                       roles=[{"role": Role.system_admin}])
            console.print(f"[green]✓[/] {user.username}")
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        raise typer.Exit(1) from None


@app.command("create-school")
def create_school(
    code: Annotated[str, typer.Option(help="School code, e.g. THCS-TANCUONG.")],
    name: Annotated[str, typer.Option(help="School name.")],
    level: Annotated[str, typer.Option(help="primary, lower_secondary, upper_secondary, multi_level or continuing.")],
    province_code: Annotated[str, typer.Option(help="Province code; created when new.")],
    admin_username: Annotated[str, typer.Option(help="Username of the school's first administrator.")],
    admin_name: Annotated[str, typer.Option(help="Full name of that administrator.")],
    province_name: Annotated[str | None, typer.Option(help="Province name, needed when the province is new.")] = None,
    commune_code: Annotated[str | None, typer.Option(help="District or commune code; created when new.")] = None,
    commune_name: Annotated[str | None, typer.Option(help="Its name, needed when it is new.")] = None,
) -> None:
    """Register a school (and its province and commune when new) with its first administrator."""
    from sqlalchemy import select

    from lms_core.db import session_scope
    from lms_core.errors import DomainError
    from lms_core.org import admin
    from lms_core.org.models import District, Province

    _migrate()
    operator = admin.command_line_operator()
    try:
        with session_scope() as db:
            province = db.scalar(select(Province).where(Province.code == province_code.strip().upper()))
            if province is None:
                province = admin.create_province(db=db, actor=operator, code=province_code, name=province_name or "")
            district = None
            if commune_code:
                district = db.scalar(select(District).where(District.province_id == province.id,
                                                            District.code == commune_code.strip().upper()))
                if district is None:
                    district = admin.create_district(db=db, actor=operator, province_id=province.id, code=commune_code,
                                                     name=commune_name or "", kind="commune")
            made = admin.create_school(db=db, actor=operator, province_id=province.id,
                                       district_id=district.id if district else None, code=code, name=name, level=level,
                                       admin_full_name=admin_name, admin_username=admin_username)
            console.print(f"[green]✓[/] {made.school.name} ({made.school.code})")
            console.print(f"  {made.admin.username} / [bold]{made.password}[/]")
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.translated()}")
        raise typer.Exit(1) from None


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")] = True,
) -> None:
    """Create the demo school (once), print one login per role, then serve it."""
    from lms_core import demo as demo_mod
    from lms_core.accounts.models import ROLE_LABELS
    from lms_core.db import session_scope
    from lms_core.i18n import gettext
    from lms_core.plugins.host import PluginHost

    init()
    with console.status("Đang tạo trường demo…"):
        with session_scope() as db:
            school, logins = demo_mod.build(db)
            extra = PluginHost().demo_data(db=db, school=school)
    settings = get_settings()
    table = Table(title=f"{school.name} — http://{settings.host}:{settings.port}")
    for col in ("Vai trò", "Tên đăng nhập", "Mật khẩu", "Họ và tên"):
        table.add_column(col)
    for login in logins:
        table.add_row(gettext(ROLE_LABELS[login.role]), login.username, login.password, login.full_name)
    console.print(table)
    for plugin, counts in extra.items():
        console.print(f"  {plugin}: {counts}")
    if serve_after:
        serve()


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=32)] = 1,
    beat: Annotated[bool, typer.Option("--beat/--no-beat", help="Also run the periodic jobs (one worker only).")] = False,
) -> None:
    """Run a Celery worker in the foreground."""
    os.execvp(sys.executable, _worker_argv(concurrency, beat))


def _worker_argv(concurrency: int, beat: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "celery", "-A", "lms_core.jobs.celery_app:celery_app", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=threads" if concurrency > 1 else "--pool=solo",
            "--without-gossip", "--without-mingle", "-n", f"truongso@{os.uname().nodename}-{os.getpid()}"]
    if beat:  # the periodic clean-ups; only one process of an installation may run the scheduler
        argv += ["--beat", f"--schedule={get_settings().resolved_var_dir / 'celerybeat-schedule'}"]
    return argv


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535)] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="Web processes.")] = None,
    with_worker: Annotated[bool, typer.Option("--with-worker/--no-worker")] = True,
) -> None:
    """Start the web app and a background worker together."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.web_workers
    _migrate()
    worker_proc = None
    if with_worker:
        log = settings.resolved_var_dir / "worker.log"
        worker_proc = subprocess.Popen(_worker_argv(1, beat=True), stdout=log.open("ab"), stderr=subprocess.STDOUT,
                                       start_new_session=True)
        console.print(f"[green]✓[/] worker pid {worker_proc.pid}, log {log}")
    console.print(f"[bold green]Trường Số[/] → http://{host}:{port}")
    web = subprocess.Popen([sys.executable, "-m", "uvicorn", "lms_core.web.asgi:app", "--host", host, "--port", str(port),
                            "--workers", str(workers), "--no-access-log", "--proxy-headers"])

    def stop(*_: object) -> None:
        for proc in (web, worker_proc):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None:
            if worker_proc is not None and worker_proc.poll() is not None:
                console.print("[yellow]worker stopped; restarting[/]")
                worker_proc = subprocess.Popen(_worker_argv(1, beat=True), stdout=(settings.resolved_var_dir / "worker.log").open("ab"),
                                               stderr=subprocess.STDOUT, start_new_session=True)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for proc in (web, worker_proc):
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@app.command("import-users")
def import_users(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    school: Annotated[str, typer.Option(help="School code.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and import nothing.")] = False,
    create_classes: Annotated[bool, typer.Option("--create-classes", help="Create classes the file names.")] = False,
) -> None:
    """Import students and teachers of a school from an Excel class list."""
    from lms_core.accounts import importer

    _migrate()
    raise typer.Exit(importer.cli_import(file=file, school_code=school, dry_run=dry_run, console=console,
                                         create_classes=create_classes))


blended_app = typer.Typer(help="Blended-learning figures: bring the aggregates up to date.", no_args_is_help=True)
app.add_typer(blended_app, name="blended")


@blended_app.command("refresh")
def blended_refresh() -> None:
    """Recompute the aggregates of the plans changed since the last refresh (what the worker does every minute)."""
    from lms_core.blended import aggregates
    from lms_core.db import session_scope

    _migrate()
    started = time.perf_counter()
    with session_scope() as db:
        done = aggregates.refresh(db=db)
    console.print(f"{done} plans recomputed in {time.perf_counter() - started:.1f} s")


@blended_app.command("rebuild")
def blended_rebuild(year: Annotated[str, typer.Option(help="School year, e.g. 2025-2026.")]) -> None:
    """Make a school year's aggregates again from this server's delivery records."""
    from sqlalchemy import select

    from lms_core.blended import aggregates
    from lms_core.db import session_scope
    from lms_core.org.models import AcademicYear

    _migrate()
    started = time.perf_counter()
    with session_scope() as db:
        year_id = db.scalar(select(AcademicYear.id).where(AcademicYear.name == year))
        if year_id is None:
            console.print(f"[red]no school year named {year}[/]")
            raise typer.Exit(1)
        done = aggregates.rebuild(db=db, year_id=year_id)
    console.print(f"{done} plans recomputed in {time.perf_counter() - started:.1f} s")


bundle_app = typer.Typer(help="Signed report bundles: a school server's figures for the department's server.",
                         no_args_is_help=True)
app.add_typer(bundle_app, name="bundle")


@bundle_app.command("key")
def bundle_key() -> None:
    """Show this server's public key and its fingerprint (to register on the department's server)."""
    from lms_core.reports import bundle

    console.print(bundle.server_public_pem(), end="")
    console.print(f"fingerprint: {bundle.school_key_fingerprint()}", soft_wrap=True)


@bundle_app.command("export")
def bundle_export(school: Annotated[str, typer.Option(help="School code.")],
                  year: Annotated[str, typer.Option(help="School year, e.g. 2025-2026.")],
                  out: Annotated[Path, typer.Option(dir_okay=False, help="The .zip file to write.")]) -> None:
    """Bring the figures up to date and write a school's signed report bundle for a year."""
    from sqlalchemy import select

    from lms_core.blended import aggregates
    from lms_core.db import session_scope
    from lms_core.errors import DomainError
    from lms_core.org.models import AcademicYear, School
    from lms_core.reports import bundle

    _migrate()
    with session_scope() as db:
        aggregates.refresh(db=db)
        unit = db.scalar(select(School).where(School.code == school))
        school_year = db.scalar(select(AcademicYear).where(AcademicYear.name == year))
        if unit is None or school_year is None:
            console.print(f"[red]no school {school}[/]" if unit is None else f"[red]no school year named {year}[/]")
            raise typer.Exit(1)
        try:
            data = bundle.build_bundle(db=db, school=unit, year=school_year)
        except DomainError as exc:
            console.print(f"[red]✗[/] {exc.translated()}")
            raise typer.Exit(1) from None
    out.write_bytes(data)
    console.print(f"[green]✓[/] {out} ({len(data)} bytes)")
    console.print(f"key fingerprint: {bundle.school_key_fingerprint()}", soft_wrap=True)


@bundle_app.command("import")
def bundle_import(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
                  as_user: Annotated[str, typer.Option("--as", help="Username of the department staff member.")]) -> None:
    """Import a school's signed report bundle as a department staff member."""
    from sqlalchemy import select

    from lms_core.accounts.models import User
    from lms_core.db import intend_to_write, session_scope
    from lms_core.errors import DomainError
    from lms_core.reports import bundle

    _migrate()
    intend_to_write()
    with session_scope() as db:
        actor = db.scalar(select(User).where(User.username == as_user))
        if actor is None or not actor.is_active:
            console.print(f"[red]no active user {as_user}[/]")
            raise typer.Exit(1)
        try:
            with file.open("rb") as f:
                result = bundle.import_bundle(db=db, actor=actor, data=f.read(bundle.MAX_BUNDLE_BYTES + 1))
        except DomainError as exc:
            console.print(f"[red]✗[/] {exc.translated()}")
            raise typer.Exit(1) from None
        what = "already imported, nothing changed" if result.already_imported else f"{result.rows} rows imported"
        console.print(f"[green]✓[/] {result.school.code} {result.year.name}: {what}")


@app.command("compile-messages")
def compile_messages() -> None:
    """Compile the translation catalogues (run by the install step)."""
    from babel.messages.frontend import CommandLineInterface

    from lms_core.i18n import DOMAIN, LOCALE_DIR

    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(LOCALE_DIR), "-D", DOMAIN])


def main() -> None:
    """Run the command line with the installed plugins' commands added (the `truongso` script)."""
    from lms_core.plugins.host import PluginHost

    PluginHost().cli_commands(app)
    app()


if __name__ == "__main__":
    main()
