"""Database engine, sessions and the one shared metadata."""

from __future__ import annotations

import contextvars

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from lms_core.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM class, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
    # SAVEPOINTs and rollbacks behave as documented (pysqlite's own handling is broken).
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


# A transaction that reads and then writes cannot upgrade its lock on SQLite (WAL) once another connection has
# written since its first read: SQLite answers "database is locked" at once, whatever the busy timeout. A request
# that will write says so up front (the middleware does it for POST/PUT/PATCH/DELETE; a GET that records an
# event calls intend_to_write()), and its transactions then begin IMMEDIATE: they wait their turn for the write
# lock (the busy timeout) instead of failing. Reads keep a plain BEGIN and run side by side.
WRITE_INTENT: contextvars.ContextVar[bool] = contextvars.ContextVar("truongso_write_intent", default=False)


def intend_to_write() -> None:
    """Say that this request or task will write: its SQLite transactions take the write lock when they begin."""
    WRITE_INTENT.set(True)


@contextmanager
def reading_only() -> Iterator[None]:
    """Open the sessions of this block as readers, even inside a request that writes (the menu of a page after a
    POST reads while the request's own transaction may hold the write lock: waiting for it would wait for itself)."""
    token = WRITE_INTENT.set(False)
    try:
        yield
    finally:
        WRITE_INTENT.reset(token)


def _sqlite_begin(conn: object) -> None:
    # Straight to the driver: this runs for every transaction, and SQLAlchemy's own
    # execute path costs more than the statement itself.
    statement = "BEGIN IMMEDIATE" if WRITE_INTENT.get() else "BEGIN"
    conn.connection.driver_connection.execute(statement)  # type: ignore[attr-defined]


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """Return the shared engine of a URL."""
    return make_engine(url)


def get_engine() -> Engine:
    """Return the engine of the configured database."""
    return engine_for(get_settings().resolved_database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """Return a session factory bound to an engine."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
