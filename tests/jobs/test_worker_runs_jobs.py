"""A real Celery worker process takes jobs from the embedded broker (and from Redis when one runs)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lms_core import migrate
from lms_core.accounts.models import LoginThrottle, User, UserSession
from lms_core.db import make_engine, utcnow
from lms_core.jobs import status
from lms_core.jobs.celery_app import make_celery
from lms_core.jobs.models import WorkerHeartbeat
from lms_core.jobs.tasks import CLEANUP_SESSIONS, PING
from lms_core.plugins.host import PluginHost
from lms_core.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database number of its own; only it is flushed
START_TIMEOUT = 60
TASK_TIMEOUT = 60
STOP_TIMEOUT = 30


def redis_client() -> Any:
    """Return a client of the test Redis database, or None when no Redis server answers."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
        client.ping()
        return client
    except Exception:
        return None


@dataclass
class Worker:
    """A running worker process and what the test needs to talk to it."""

    proc: subprocess.Popen[bytes]
    name: str
    log: Path
    settings: Settings
    engine: Engine
    celery: Any

    def output(self) -> str:
        """Return the worker's log so far (shown when an assertion fails)."""
        return self.log.read_text(errors="replace")[-6000:]


def wait_for(check: Callable[[], Any], timeout: float, worker: Worker, what: str) -> Any:
    """Poll until check() returns something truthy; fail with the worker's log after the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if worker.proc.poll() is not None:
            pytest.fail(f"worker exited ({worker.proc.returncode}) while waiting for {what}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}:\n{worker.output()}")


def heartbeat_of(engine: Engine, name: str) -> WorkerHeartbeat | None:
    """Return a worker's heartbeat row."""
    with Session(engine) as db:
        return db.scalar(select(WorkerHeartbeat).where(WorkerHeartbeat.hostname == name))


@pytest.fixture(params=["sqlite", "redis"])
def broker(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Return the broker settings: the embedded SQLite file, or Redis db 15 when a server answers."""
    if request.param == "sqlite":
        yield {"kind": "sqlite"}
        return
    client = redis_client()
    if client is None:
        pytest.skip("no Redis server answers on 127.0.0.1:6379; the Redis variant needs one")
    client.flushdb()
    yield {"kind": "redis", "broker_url": REDIS_URL, "result_backend": REDIS_URL}
    client.flushdb()
    client.close()


@pytest.fixture()
def worker(tmp_path: Path, broker: dict[str, str]) -> Iterator[Worker]:
    """Start a real worker process on a fresh var directory and database; stop it afterwards."""
    var = tmp_path / "var"
    db_url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    migrate.upgrade(db_url)
    settings = Settings(var_dir=var, database_url=db_url, broker_url=broker.get("broker_url"),
                        result_backend=broker.get("result_backend"), worker_heartbeat_seconds=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUONGSO_", "CELERY_"))}
    env.update(TRUONGSO_VAR_DIR=str(var), TRUONGSO_DATABASE_URL=db_url, TRUONGSO_WORKER_HEARTBEAT_SECONDS="1",
               TRUONGSO_SECRET_KEY="test-secret-key-not-for-production")
    if "broker_url" in broker:
        env.update(TRUONGSO_BROKER_URL=broker["broker_url"], TRUONGSO_RESULT_BACKEND=broker["result_backend"])
    name = f"itest-{broker['kind']}-{os.getpid()}@localhost"
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms_core.jobs.celery_app:celery_app", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", name],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    engine = make_engine(db_url)
    celery = make_celery(settings, plugins=PluginHost(load_entry_points=False))
    running = Worker(proc, name, log, settings, engine, celery)
    try:
        yield running
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        celery.close()
        engine.dispose()


def add_logins(engine: Engine) -> None:
    """Store one live and two expired sessions, and throttles of which two are stale."""
    now = utcnow()
    with Session(engine) as db:
        user = User(username="hs-itest", full_name="Học Sinh Thử", password_hash="x")
        db.add(user)
        db.flush()
        db.add_all([
            UserSession(token_hash="live".ljust(64, "0"), user_id=user.id, expires_at=now + timedelta(days=1)),
            UserSession(token_hash="old1".ljust(64, "0"), user_id=user.id, expires_at=now - timedelta(hours=1)),
            UserSession(token_hash="old2".ljust(64, "0"), user_id=user.id, expires_at=now - timedelta(days=9)),
            LoginThrottle(username_key="lock-passed", failures=6, window_start=now - timedelta(hours=1),
                          locked_until=now - timedelta(minutes=1)),
            LoginThrottle(username_key="window-passed", failures=1, window_start=now - timedelta(days=1)),
            LoginThrottle(username_key="still-locked", failures=6, window_start=now,
                          locked_until=now + timedelta(minutes=10)),
        ])
        db.commit()


@pytest.mark.worker
@pytest.mark.slow
def test_real_worker_answers_ping_cleans_sessions_and_beats(worker: Worker, broker: dict[str, str]) -> None:
    beat = wait_for(lambda: heartbeat_of(worker.engine, worker.name), START_TIMEOUT, worker, "the first heartbeat")
    assert beat.pid == worker.proc.pid
    add_logins(worker.engine)

    pong = worker.celery.send_task(PING).get(timeout=TASK_TIMEOUT)
    counts = worker.celery.send_task(CLEANUP_SESSIONS).get(timeout=TASK_TIMEOUT)

    assert pong["pong"] == worker.name
    assert counts == {"sessions": 2, "throttles": 2}
    with Session(worker.engine) as db:
        assert db.scalars(select(UserSession.token_hash)).all() == ["live".ljust(64, "0")]
        assert db.scalars(select(LoginThrottle.username_key)).all() == ["still-locked"]
    wait_for(lambda: (heartbeat_of(worker.engine, worker.name) or beat).tasks_done >= 2, TASK_TIMEOUT, worker,
             "the finished tasks to be counted")
    later = wait_for(lambda: (hb := heartbeat_of(worker.engine, worker.name)) and hb.last_seen_at > beat.last_seen_at and hb,
                     START_TIMEOUT, worker, "a later heartbeat")
    assert later.started_at == beat.started_at

    with Session(worker.engine) as db:
        snap = status.snapshot(db=db, app=worker.celery, heartbeat_seconds=1)
    assert snap.alive, worker.output()
    assert [w.hostname for w in snap.workers] == [worker.name]
    assert snap.queue.waiting == 0 and snap.queue.error is None
    assert snap.broker_kind == broker["kind"]

    worker.proc.terminate()
    assert worker.proc.wait(timeout=STOP_TIMEOUT) == 0, worker.output()
    assert heartbeat_of(worker.engine, worker.name) is None, worker.output()
