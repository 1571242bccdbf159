"""The worker's own heartbeat: a row in worker_heartbeats, kept fresh by a daemon thread.

The SQLAlchemy broker has no broadcast, so `celery inspect ping` cannot reach a worker
there; instead every worker says it is alive in the database, whatever the broker.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lms_core.db import get_engine, session_scope, utcnow
from lms_core.jobs.models import WorkerHeartbeat
from lms_core.settings import get_settings

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)  # rows of workers silent this long are removed at start-up


class Heartbeat:
    """Writes one worker's heartbeat row every `interval` seconds from a daemon thread."""

    def __init__(self, hostname: str, interval: float, engine: Engine | None = None) -> None:
        self.hostname = hostname[:200]
        self.interval = interval
        self.engine = engine
        self.pid = os.getpid()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Write the first heartbeat (a fresh row) and start the thread that keeps it fresh."""
        self._register()
        self._thread = threading.Thread(target=self._run, name="truongso-heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> None:
        """Update last_seen_at, recreating the row if someone removed it."""
        with session_scope(self.engine) as db:
            done = db.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.hostname == self.hostname)
                              .values(last_seen_at=utcnow(), pid=self.pid))
            if done.rowcount == 0:
                db.add(WorkerHeartbeat(hostname=self.hostname, pid=self.pid, started_at=utcnow(),
                                       last_seen_at=utcnow(), tasks_done=0))

    def task_done(self) -> None:
        """Count one finished task."""
        with session_scope(self.engine) as db:
            db.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.hostname == self.hostname)
                       .values(tasks_done=WorkerHeartbeat.tasks_done + 1))

    def stop(self) -> None:
        """Stop the thread and delete this worker's row."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with session_scope(self.engine) as db:
            db.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.hostname == self.hostname))

    def _register(self) -> None:
        """Start this worker's row afresh and forget workers long gone."""
        now = utcnow()
        with session_scope(self.engine) as db:
            db.execute(delete(WorkerHeartbeat).where(
                (WorkerHeartbeat.hostname == self.hostname) | (WorkerHeartbeat.last_seen_at < now - FORGET_AFTER)))
            db.add(WorkerHeartbeat(hostname=self.hostname, pid=self.pid, started_at=now, last_seen_at=now, tasks_done=0))

    def _run(self) -> None:
        """Beat until stopped; a failed beat is logged and retried at the next interval."""
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except Exception:  # the thread must outlive any one failure
                log.exception("heartbeat of %s failed", self.hostname)


_current: Heartbeat | None = None


def current() -> Heartbeat | None:
    """Return this process's heartbeat, if it is a running worker."""
    return _current


def on_worker_ready(sender: Any = None, **_: Any) -> None:
    """Start the heartbeat when the worker is ready to take jobs."""
    global _current
    if _current is not None:  # already beating in this process
        return
    hostname = getattr(sender, "hostname", None) or f"worker-{os.getpid()}"
    heartbeat = Heartbeat(hostname, get_settings().worker_heartbeat_seconds, get_engine())
    try:
        heartbeat.start()
    except SQLAlchemyError:
        log.exception("could not start the heartbeat of %s (is the database migrated?)", hostname)
        return
    _current = heartbeat
    log.info("heartbeat of %s every %ss", hostname, heartbeat.interval)


def on_task_postrun(**_: Any) -> None:
    """Count a finished task on this worker's row."""
    if _current is None:
        return
    try:
        _current.task_done()
    except SQLAlchemyError:
        log.exception("could not count a finished task")


def on_worker_shutdown(**_: Any) -> None:
    """Stop the heartbeat and remove this worker's row."""
    global _current
    if _current is None:
        return
    try:
        _current.stop()
    except SQLAlchemyError:
        log.exception("could not remove the heartbeat of %s", _current.hostname)
    _current = None


def on_worker_process_init(**_: Any) -> None:
    """Drop database connections inherited from the parent in a forked pool process."""
    get_engine().dispose(close=False)
