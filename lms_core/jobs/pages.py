"""HTML routes of the job system: the status page and its "test the worker" button."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_timedelta
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lms_core.db import utcnow
from lms_core.i18n import current_locale
from lms_core.jobs import status
from lms_core.jobs.api import TASK_ID, CeleryApp
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {"ping-failed": status.ENQUEUE_FAILED}


def age_text(seconds: float | None) -> str | None:
    """Return an age such as "12 seconds ago" in the current language."""
    if seconds is None:
        return None
    return format_timedelta(timedelta(seconds=-max(seconds, 0.0)), add_direction=True, locale=current_locale())


def ping_view(celery: object, user: object, ping: str | None) -> dict[str, object] | None:
    """Return what the page shows about a test job, if the address names one."""
    if not ping or not re.fullmatch(TASK_ID, ping):
        return None
    result = status.ping_result(app=celery, actor=user, task_id=ping)
    age = age_text((utcnow() - result.answered_at).total_seconds()) if result.answered_at else None
    return {"id": ping, "state": result.state, "hostname": result.hostname, "age": age}


@router.get("/admin/jobs")
def jobs_page(request: Request, db: DbSession, user: CurrentUser, celery: CeleryApp,
              ping: str | None = None, notice: str | None = None) -> Response:
    """Show whether a background worker is alive, how many jobs wait, and a button to test it."""
    status.require_viewer(user)
    snap = status.snapshot(db=db, app=celery)
    now = utcnow()
    workers = [{"hostname": w.hostname, "pid": w.pid, "tasks_done": w.tasks_done, "seen": age_text(w.age_seconds),
                "started": age_text((now - w.started_at).total_seconds())} for w in snap.workers]
    return render(request, "jobs.html", {
        "snap": snap, "workers": workers, "last_seen": age_text(snap.last_seen_age),
        "broker_label": status.BROKER_LABELS[snap.broker_kind], "show_hosts": status.may_see_hosts(user),
        "ping": ping_view(celery, user, ping), "notice": NOTICES.get(notice or ""),
    })


@router.post("/admin/jobs/ping")
def jobs_ping(user: CurrentUser, celery: CeleryApp) -> Response:
    """Send a test job and come back to the status page to watch for its answer."""
    try:
        task_id = status.enqueue_ping(app=celery, actor=user)
    except status.QueueUnavailable:
        return RedirectResponse("/admin/jobs?notice=ping-failed", status_code=303)
    return RedirectResponse(f"/admin/jobs?ping={task_id}", status_code=303)
