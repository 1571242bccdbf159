"""The schema is made by migrations only, and the migrations match the ORM models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from lms_core.db import Base
from lms_core.plugins.host import PluginHost


def _core_tables() -> set[str]:
    modules = {m.__name__ for m in PluginHost().model_modules()}  # core and the installed packages, as env.py sees them
    return {m.class_.__table__.name for m in Base.registry.mappers if m.class_.__module__ in modules}


def test_migrated_database_has_exactly_the_models_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == _core_tables()


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    core = _core_tables()

    def include(obj, name, type_, reflected, compare_to):  # noqa: ANN001, ANN202
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or getattr(table, "name", name) in core or name in core

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_every_migration_goes_down_and_up_again(tmp_path) -> None:  # noqa: ANN001
    """Downgrades work too, so an upgrade that went wrong on a school server can be stepped back."""
    from alembic import command
    from sqlalchemy import create_engine

    from lms_core import migrate

    url = f"sqlite:///{tmp_path / 'updown.sqlite'}"
    migrate.upgrade(url)
    command.downgrade(migrate.alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)
    engine = create_engine(url)
    assert _core_tables() <= set(inspect(engine).get_table_names())
    engine.dispose()
