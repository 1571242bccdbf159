"""Alembic environment: one shared metadata from the core and every installed plugin."""

from __future__ import annotations

from alembic import context

from lms_core.db import Base, make_engine
from lms_core.plugins.host import PluginHost

config = context.config
PluginHost().model_modules()  # importing them registers every table on Base.metadata
target_metadata = Base.metadata


def run() -> None:
    """Run the migrations on the configured URL (or on a connection handed in)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave alone the tables Celery's database result backend makes for itself."""
    return not (type_ == "table" and reflected and compare_to is None and (name or "").startswith("celery_"))


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
