"""The status snapshot: live and stale workers, waiting jobs, the broker's kind, a silent broker."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_core.db import utcnow
from lms_core.errors import Forbidden
from lms_core.jobs import status
from lms_core.jobs.celery_app import make_celery
from lms_core.jobs.models import WorkerHeartbeat
from lms_core.plugins.host import PluginHost
from lms_core.settings import Settings
from tests.builders import SchoolWorld


def add_heartbeat(db: Session, hostname: str, seconds_ago: float, tasks_done: int = 0, now: datetime | None = None) -> None:
    """Add the heartbeat row of a worker last seen some seconds before `now`."""
    seen = (now or utcnow()) - timedelta(seconds=seconds_ago)
    db.add(WorkerHeartbeat(hostname=hostname, pid=4242, started_at=seen - timedelta(hours=1),
                           last_seen_at=seen, tasks_done=tasks_done))
    db.flush()


def app_on(tmp_path: Path, broker_url: str) -> Any:
    """Return a Celery app on a given broker."""
    settings = Settings(var_dir=tmp_path / "var", broker_url=broker_url,
                        result_backend=f"db+sqlite:///{tmp_path / 'results.sqlite'}")
    return make_celery(settings, plugins=PluginHost(load_entry_points=False))


def test_no_worker_ever_ran(db: Session, jobs_app: Any) -> None:
    snap = status.snapshot(db=db, app=jobs_app, heartbeat_seconds=10)

    assert not snap.alive
    assert not snap.ever_ran
    assert snap.last_seen_age is None
    assert snap.queue.waiting == 0 and snap.queue.error is None
    assert snap.broker_kind == "sqlite"


def test_fresh_heartbeat_is_alive_and_stale_one_is_not(db: Session, jobs_app: Any) -> None:
    now = utcnow()
    add_heartbeat(db, "truongso@fresh", seconds_ago=5, tasks_done=7, now=now)
    add_heartbeat(db, "truongso@stale", seconds_ago=31, now=now)

    snap = status.snapshot(db=db, app=jobs_app, now=now, heartbeat_seconds=10)

    assert snap.alive
    assert [w.hostname for w in snap.workers] == ["truongso@fresh"]
    assert snap.workers[0].tasks_done == 7
    assert snap.workers[0].age_seconds == pytest.approx(5.0)
    assert snap.last_seen_age == pytest.approx(5.0)


def test_only_stale_heartbeats_mean_stopped_but_ran(db: Session, jobs_app: Any) -> None:
    add_heartbeat(db, "truongso@gone", seconds_ago=600)

    snap = status.snapshot(db=db, app=jobs_app, heartbeat_seconds=10)

    assert not snap.alive
    assert snap.ever_ran
    assert snap.last_seen_age >= 600


def test_waiting_jobs_are_counted(db: Session, jobs_app: Any, world: SchoolWorld) -> None:
    for _ in range(3):
        status.enqueue_ping(app=jobs_app, actor=world.school_admin)

    assert status.snapshot(db=db, app=jobs_app).queue.waiting == 3


def test_ping_result_waits_then_answers(jobs_app: Any, world: SchoolWorld) -> None:
    task_id = status.enqueue_ping(app=jobs_app, actor=world.system_admin)
    assert status.ping_result(app=jobs_app, actor=world.system_admin, task_id=task_id).state == "waiting"

    jobs_app.backend.store_result(task_id, {"pong": "truongso@may-chu", "at": utcnow().isoformat()}, "SUCCESS")

    result = status.ping_result(app=jobs_app, actor=world.system_admin, task_id=task_id)
    assert result.state == "answered" and result.hostname == "truongso@may-chu"
    assert result.answered_at is not None


def test_silent_broker_gives_unknown_not_a_crash(db: Session, tmp_path: Path, world: SchoolWorld) -> None:
    app = app_on(tmp_path, "redis://:secret@127.0.0.1:1/0")  # nothing listens on port 1

    snap = status.snapshot(db=db, app=app)

    assert snap.queue.waiting is None
    assert snap.queue.error == status.BROKER_DOWN
    assert "secret" not in (snap.queue.detail or "")
    assert snap.broker_kind == "redis"
    with pytest.raises(status.QueueUnavailable):
        status.enqueue_ping(app=app, actor=world.school_admin)


@pytest.mark.parametrize(("url", "kind"), [
    ("sqla+sqlite:///var/broker.sqlite", "sqlite"),
    ("sqla+postgresql://u:p@db/broker", "database"),
    ("redis://127.0.0.1:6379/0", "redis"),
    ("amqp://guest@rabbit//", "other"),
])
def test_broker_kind(tmp_path: Path, url: str, kind: str) -> None:
    assert status.broker_kind(app_on(tmp_path, url)) == kind


@pytest.mark.parametrize("role", ["student", "teacher", "district_staff", "other_school_teacher"])
def test_only_administrators_may_send_a_ping(jobs_app: Any, world: SchoolWorld, role: str) -> None:
    with pytest.raises(Forbidden):
        status.enqueue_ping(app=jobs_app, actor=getattr(world, role))

    assert status.queue_state(jobs_app).waiting == 0
