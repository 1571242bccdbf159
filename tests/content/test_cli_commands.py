"""The content package's commands reach `truongso` through the plugin hook; the repository index rebuilds from them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

import content.plugin
from content.repository.models import RepositoryEntry, RepositoryPosting
from lms_core import migrate
from lms_core.db import make_engine, session_factory
from lms_core.plugins.host import PluginHost
from lms_core.plugins.hookspecs import hookimpl
from tests.builders import build_world
from tests.content.test_repository_search import TEA, found, share

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.hook("truongso_cli_commands")
def test_plugins_add_their_commands_to_the_command_line() -> None:
    class Greeter:
        @hookimpl
        def truongso_cli_commands(self, app: typer.Typer) -> None:
            @app.command("greet")
            def greet(name: str) -> None:
                typer.echo(f"xin chào {name}")

    app = typer.Typer()

    @app.command("version")
    def version() -> None:
        typer.echo("1")

    host = PluginHost(load_entry_points=False, plugins={"greeter": Greeter(), "content": content.plugin})
    host.cli_commands(app)
    runner = CliRunner()
    assert runner.invoke(app, ["greet", "Lan"]).output.strip() == "xin chào Lan"
    listed = runner.invoke(app, ["--help"]).output
    assert "reindex-repository" in listed and "export-materials" in listed and "import-materials" in listed
    assert "greet" in listed


@pytest.mark.slow
def test_reindex_repository_rebuilds_a_lost_index(tmp_path: Path) -> None:
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(tmp_path / "var")}
    for key in ("TRUONGSO_DATABASE_URL", "TRUONGSO_SECRET_KEY"):
        env.pop(key, None)
    url = f"sqlite:///{tmp_path / 'var' / 'truongso.sqlite'}"
    (tmp_path / "var").mkdir()
    migrate.upgrade(url)
    engine = make_engine(url)
    host = PluginHost(load_entry_points=False, plugins={"content": content.plugin})
    with session_factory(engine)() as db:
        world = build_world(db)
        db.commit()
        share(db, host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
        assert found(db, world.student, "tan cuong") == ["Chè Tân Cương"]
        db.execute(delete(RepositoryPosting))
        db.execute(delete(RepositoryEntry))
        db.commit()
        assert found(db, world.student, "tan cuong") == []

    done = subprocess.run([sys.executable, "-m", "lms_core.cli", "reindex-repository"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "indexed 1" in done.stdout
    with session_factory(engine)() as db:
        assert db.scalar(select(func.count()).select_from(RepositoryEntry)) == 1
        assert found(db, world.student, "tan cuong") == ["Chè Tân Cương"]
    engine.dispose()
