"""JSON routes of the job system: its status, and a ping to test the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from lms_core.i18n import gettext
from lms_core.jobs import status
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["jobs"])

TASK_ID = r"^[0-9a-fA-F-]{32,36}$"


def get_celery(request: Request) -> Any:
    """Return the Celery app the web app sends jobs through (app.state.celery, else the default one)."""
    app = getattr(request.app.state, "celery", None)
    if app is None:
        from lms_core.jobs.celery_app import celery_app as app
    return app


CeleryApp = Annotated[Any, Depends(get_celery)]


class WorkerOut(BaseModel):
    """A live worker; host name and process id only for system administrators."""

    hostname: str | None = Field(default=None, max_length=200)
    pid: int | None = Field(default=None, ge=0, le=2**31)
    started_at: datetime
    last_seen_at: datetime
    age_seconds: float = Field(ge=0, le=10**9)
    tasks_done: int = Field(ge=0, le=2**62)


class JobsStatusOut(BaseModel):
    """Whether a worker is alive, how many jobs wait and which broker carries them."""

    alive: bool
    ever_ran: bool
    workers: list[WorkerOut] = Field(max_length=1000)
    last_heartbeat_age_seconds: float | None = Field(ge=0, le=10**10)
    heartbeat_seconds: int = Field(ge=1, le=600)
    queue: str = Field(max_length=200)
    waiting: int | None = Field(ge=0, le=2**62)
    queue_error: str | None = Field(default=None, max_length=500)
    broker_kind: Literal["sqlite", "database", "redis", "other"]
    broker_label: str = Field(max_length=200)


class PingOut(BaseModel):
    """A ping job and what became of it."""

    task_id: str = Field(max_length=64)
    state: Literal["waiting", "answered", "failed", "unknown"]
    hostname: str | None = Field(default=None, max_length=200)
    answered_at: datetime | None = None


def status_out(snap: status.Snapshot, *, show_hosts: bool) -> JobsStatusOut:
    """Turn a status snapshot into its JSON form in the request's language."""
    workers = [WorkerOut(hostname=w.hostname if show_hosts else None, pid=w.pid if show_hosts else None,
                         started_at=w.started_at, last_seen_at=w.last_seen_at, age_seconds=w.age_seconds,
                         tasks_done=w.tasks_done) for w in snap.workers]
    return JobsStatusOut(
        alive=snap.alive, ever_ran=snap.ever_ran, workers=workers, last_heartbeat_age_seconds=snap.last_seen_age,
        heartbeat_seconds=snap.heartbeat_seconds, queue=snap.queue.name, waiting=snap.queue.waiting,
        queue_error=gettext(snap.queue.error) if snap.queue.error else None,
        broker_kind=snap.broker_kind, broker_label=gettext(status.BROKER_LABELS[snap.broker_kind]),
    )


@router.get("/jobs/status")
def jobs_status(db: DbSession, user: CurrentUser, celery: CeleryApp) -> JobsStatusOut:
    """Tell whether a background worker is alive and how many jobs wait."""
    status.require_viewer(user)
    return status_out(status.snapshot(db=db, app=celery), show_hosts=status.may_see_hosts(user))


@router.post("/jobs/ping", status_code=202)
def send_ping(user: CurrentUser, celery: CeleryApp) -> PingOut:
    """Send a test job that any running worker answers."""
    return PingOut(task_id=status.enqueue_ping(app=celery, actor=user), state="waiting")


@router.get("/jobs/ping/{task_id}")
def ping_state(task_id: Annotated[str, Path(pattern=TASK_ID)], user: CurrentUser, celery: CeleryApp) -> PingOut:
    """Tell whether a test job has been answered, and by which worker."""
    result = status.ping_result(app=celery, actor=user, task_id=task_id)
    hostname = result.hostname if status.may_see_hosts(user) else None
    return PingOut(task_id=task_id, state=result.state, hostname=hostname, answered_at=result.answered_at)
