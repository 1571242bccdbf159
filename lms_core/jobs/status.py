"""Is a background worker alive, how many jobs wait, which broker: the job system's status."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kombu.exceptions import ChannelError, KombuError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lms_core.accounts.models import Role
from lms_core.db import utcnow
from lms_core.errors import DomainError, Forbidden
from lms_core.i18n import N_
from lms_core.jobs.models import WorkerHeartbeat
from lms_core.jobs.tasks import PING
from lms_core.settings import get_settings

log = logging.getLogger(__name__)

ALIVE_FACTOR = 3  # a worker is alive while its last heartbeat is younger than this many intervals
PING_EXPIRES = 600  # seconds: a test job nobody took in ten minutes is dropped
NOT_ALLOWED = N_("Only school and system administrators can see background jobs.")
BROKER_DOWN = N_("The job queue did not answer, so the number of waiting jobs is unknown.")
ENQUEUE_FAILED = N_("The test job could not be sent because the job queue did not answer. Please try again later.")
BROKER_LABELS = {
    "sqlite": N_("Embedded (SQLite file, no server needed)"),
    "database": N_("Database"),
    "redis": N_("Redis"),
    "other": N_("Other"),
}
PING_STATES = {"PENDING": "waiting", "RECEIVED": "waiting", "STARTED": "waiting", "RETRY": "waiting",
               "SUCCESS": "answered", "FAILURE": "failed", "REVOKED": "failed"}


class QueueUnavailable(DomainError):
    """The broker did not accept a job."""

    status_code = 503
    code = "queue_unavailable"


@dataclass(frozen=True)
class WorkerState:
    """A worker whose heartbeat is fresh."""

    hostname: str
    pid: int
    started_at: datetime
    last_seen_at: datetime
    age_seconds: float
    tasks_done: int


@dataclass(frozen=True)
class QueueState:
    """The default queue: jobs waiting (None when the broker did not answer)."""

    name: str
    waiting: int | None
    error: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the status page and API show."""

    workers: list[WorkerState]
    last_seen_age: float | None
    queue: QueueState
    broker_kind: str
    heartbeat_seconds: int

    @property
    def alive(self) -> bool:
        """Return whether at least one worker is alive."""
        return bool(self.workers)

    @property
    def ever_ran(self) -> bool:
        """Return whether any worker has left a heartbeat (dead or alive)."""
        return self.last_seen_age is not None


def may_view(actor: Any) -> bool:
    """Return whether a user may see the job system (school and system administrators)."""
    return actor.has_role(Role.school_admin) or actor.has_role(Role.system_admin)


def require_viewer(actor: Any) -> None:
    """Refuse users who may not see the job system."""
    if not may_view(actor):
        raise Forbidden(NOT_ALLOWED)


def may_see_hosts(actor: Any) -> bool:
    """Return whether a user may see worker host names and process ids (system administrators)."""
    return actor.has_role(Role.system_admin)


def snapshot(*, db: Session, app: Any, now: datetime | None = None, heartbeat_seconds: int | None = None) -> Snapshot:
    """Return the job system's status: live workers, waiting jobs and the broker's kind."""
    now = now or utcnow()
    interval = heartbeat_seconds or get_settings().worker_heartbeat_seconds
    rows = list(db.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc())))
    ages = [max((now - r.last_seen_at).total_seconds(), 0.0) for r in rows]
    limit = ALIVE_FACTOR * interval
    workers = [WorkerState(r.hostname, r.pid, r.started_at, r.last_seen_at, age, r.tasks_done)
               for r, age in zip(rows, ages, strict=True) if age <= limit]
    return Snapshot(workers=workers, last_seen_age=min(ages) if ages else None, queue=queue_state(app),
                    broker_kind=broker_kind(app), heartbeat_seconds=interval)


def queue_state(app: Any, queue: str | None = None) -> QueueState:
    """Count the jobs waiting in a queue; a missing queue has none, a silent broker gives None."""
    name = queue or app.conf.task_default_queue
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)
            return QueueState(name, conn.default_channel.queue_declare(name, passive=True).message_count)
    except ChannelError as exc:
        if _is_not_found(exc):
            return QueueState(name, 0)
        return _down(name, exc)
    except Exception as exc:  # the status page must answer whatever the broker does
        return _down(name, exc)


def _is_not_found(exc: ChannelError) -> bool:
    """Return whether a channel error says the queue does not exist (yet)."""
    return str(getattr(exc, "code", "")) == "404" or getattr(exc, "reply_code", None) == 404 or "NOT_FOUND" in str(exc)


def _down(name: str, exc: BaseException) -> QueueState:
    """Return the state of a queue whose broker did not answer."""
    log.warning("job queue %s did not answer: %r", name, exc)
    return QueueState(name, None, BROKER_DOWN, _safe_detail(exc))


def _safe_detail(exc: BaseException) -> str:
    """Return a short description of an error, with any password in a URL masked."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return re.sub(r"//[^/@\s]+@", "//***@", text)[:300]


def broker_kind(app: Any) -> str:
    """Return "sqlite", "database", "redis" or "other" for the app's broker."""
    url = str(app.conf.broker_url or "")
    transport = str(app.conf.broker_transport or "")
    scheme = url.split("://", 1)[0]
    if scheme.startswith(("sqla+", "sqlalchemy+")) or transport.endswith("EmbeddedTransport") or transport in ("sqla", "sqlalchemy"):
        return "sqlite" if "sqlite" in scheme else "database"
    if scheme in ("redis", "rediss", "sentinel", "redis+socket"):
        return "redis"
    return "other"


def enqueue_ping(*, app: Any, actor: Any) -> str:
    """Send a ping job for any worker to answer; return its id."""
    require_viewer(actor)
    try:
        return app.send_task(PING, expires=PING_EXPIRES).id
    except (KombuError, OSError, SQLAlchemyError) as exc:  # a broker that is down gives a clear message
        log.warning("could not send a ping job: %r", exc)
        raise QueueUnavailable(ENQUEUE_FAILED) from None


@dataclass(frozen=True)
class PingResult:
    """What became of a ping job: waiting, answered (by whom, when) or failed."""

    state: str
    hostname: str | None = None
    answered_at: datetime | None = None


def ping_result(*, app: Any, actor: Any, task_id: str) -> PingResult:
    """Return what became of a ping job."""
    require_viewer(actor)
    try:
        result = app.AsyncResult(task_id)
        state, value = result.state, result.result
    except Exception as exc:
        log.warning("could not read the result of %s: %r", task_id, exc)
        return PingResult("unknown")
    outcome = PING_STATES.get(state, "unknown")
    if outcome != "answered" or not isinstance(value, dict) or "pong" not in value:
        return PingResult(outcome if outcome != "answered" else "unknown")
    try:
        answered = datetime.fromisoformat(str(value.get("at")))
    except ValueError:
        answered = None
    if answered is not None and answered.tzinfo is None:
        answered = answered.replace(tzinfo=UTC)
    return PingResult("answered", str(value["pong"])[:200], answered)
