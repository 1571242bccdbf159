"""A worker's heartbeat row: written at start, refreshed, counts tasks, removed at shutdown."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lms_core import migrate
from lms_core.db import make_engine, utcnow
from lms_core.jobs import heartbeat
from lms_core.jobs.heartbeat import Heartbeat
from lms_core.jobs.models import WorkerHeartbeat


@pytest.fixture(scope="module")
def hb_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Return the engine of a migrated database of this module's own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('heartbeat') / 'app.sqlite'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def row(engine: Engine, hostname: str) -> WorkerHeartbeat | None:
    """Return a worker's heartbeat row as stored."""
    with Session(engine) as db:
        return db.scalar(select(WorkerHeartbeat).where(WorkerHeartbeat.hostname == hostname))


def test_lifecycle(hb_engine: Engine) -> None:
    hb = Heartbeat("truongso@test-1", interval=0.1, engine=hb_engine)
    hb.start()
    first = row(hb_engine, "truongso@test-1")
    assert first is not None and first.tasks_done == 0

    time.sleep(0.5)
    hb.task_done()
    hb.task_done()
    later = row(hb_engine, "truongso@test-1")
    assert later.last_seen_at > first.last_seen_at
    assert later.tasks_done == 2

    hb.stop()
    assert row(hb_engine, "truongso@test-1") is None


def test_start_replaces_an_old_row_and_forgets_long_gone_workers(hb_engine: Engine) -> None:
    long_ago = utcnow() - timedelta(days=3)
    with Session(hb_engine) as db:
        db.add_all([
            WorkerHeartbeat(hostname="truongso@test-2", pid=1, started_at=long_ago, last_seen_at=utcnow(), tasks_done=99),
            WorkerHeartbeat(hostname="truongso@gone", pid=2, started_at=long_ago, last_seen_at=long_ago, tasks_done=5),
        ])
        db.commit()
    hb = Heartbeat("truongso@test-2", interval=60, engine=hb_engine)

    hb.start()
    try:
        fresh = row(hb_engine, "truongso@test-2")
        assert fresh.tasks_done == 0 and fresh.started_at > long_ago
        assert row(hb_engine, "truongso@gone") is None
    finally:
        hb.stop()


def test_beat_recreates_a_deleted_row(hb_engine: Engine) -> None:
    hb = Heartbeat("truongso@test-3", interval=60, engine=hb_engine)
    hb.beat()
    try:
        assert row(hb_engine, "truongso@test-3") is not None
    finally:
        hb.stop()


def test_signal_handlers(hb_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heartbeat, "get_engine", lambda: hb_engine)
    consumer = SimpleNamespace(hostname="truongso@signals")

    heartbeat.on_worker_ready(sender=consumer)
    try:
        heartbeat.on_task_postrun()
        assert row(hb_engine, "truongso@signals").tasks_done == 1
    finally:
        heartbeat.on_worker_shutdown()
    assert row(hb_engine, "truongso@signals") is None
    assert heartbeat.current() is None
    heartbeat.on_task_postrun()  # outside a worker: nothing to count, no error
