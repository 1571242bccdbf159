"""Test fixtures: a migrated database per run (SQLite always, PostgreSQL when its URL is set),
per-test rollback, a whole-school world, and app clients logged in as any user."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="truongso-test-"))
os.environ.setdefault("TRUONGSO_VAR_DIR", str(_TMP / "var"))
os.environ["TRUONGSO_SECRET_KEY"] = "test-secret-key-not-for-production"
PG_URL = os.environ.get("TRUONGSO_TEST_DATABASE_URL")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from sqlalchemy.engine.url import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from lms_core import migrate  # noqa: E402
from lms_core.db import make_engine  # noqa: E402
from lms_core.plugins.host import PluginHost  # noqa: E402
from lms_core.settings import get_settings  # noqa: E402
from lms_core.web.app import create_app  # noqa: E402
from lms_core.web.security import SESSION_COOKIE, csrf_token_for  # noqa: E402
from tests.builders import SchoolWorld, build_world, open_session  # noqa: E402

DB_FIXTURES = {"db", "engine", "connection", "world", "app", "client", "client_for"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database, so the PostgreSQL pass can select them."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _fresh_database_url() -> tuple[str, Callable[[], None]]:
    if not PG_URL:
        url = f"sqlite:///{_TMP / 'test.sqlite'}"
        return url, lambda: None
    base = make_url(PG_URL)
    name = f"truongso_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Return the URL of a database migrated for this run (only by migrations)."""
    url, drop = _fresh_database_url()
    os.environ["TRUONGSO_DATABASE_URL"] = url
    get_settings.cache_clear()
    migrate.upgrade(url)
    yield url
    drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """Return the engine of the test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    """Return a connection inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    if outer.is_active:
        outer.rollback()
    conn.close()


def _session_on(conn: Connection) -> Session:
    return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture()
def db(connection: Connection) -> Iterator[Session]:
    """Return a session whose commits are savepoints of the test's transaction."""
    session = _session_on(connection)
    yield session
    session.close()


@pytest.fixture()
def world(db: Session) -> SchoolWorld:
    """Build a whole school, a second school and a school in another province, with every role.

    Committed (to a savepoint of the test's transaction), so a test's own rollback keeps it."""
    w = build_world(db)
    db.commit()
    return w


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Return a plugin host with installed plugins switched off (tests register what they need)."""
    return PluginHost(load_entry_points=False)


@pytest.fixture()
def app(connection: Connection, engine: Engine, plugin_host: PluginHost):  # noqa: ANN201
    """Return the web app bound to the test's transaction."""
    return create_app(settings=get_settings(), plugins=plugin_host, engine=engine,
                      sessions=lambda: _session_on(connection))


@pytest.fixture()
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    """Return an anonymous client."""
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as c:
        yield c


@pytest.fixture()
def client_for(app, db: Session) -> Iterator[Callable[..., TestClient]]:  # noqa: ANN001
    """Return a factory of clients logged in as a given user (CSRF header preset)."""
    opened: list[TestClient] = []

    def make(user) -> TestClient:  # noqa: ANN001
        token = open_session(db, user)
        db.commit()
        c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
        c.cookies.set(SESSION_COOKIE, token)
        c.headers["x-csrf-token"] = csrf_token_for(token)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()
