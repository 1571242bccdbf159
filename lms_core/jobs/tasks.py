"""The core's Celery tasks, registered on an app through the plugin hook."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from lms_core.accounts.models import LoginThrottle, UserSession
from lms_core.db import session_scope, utcnow
from lms_core.settings import get_settings

PING = "lms_core.ping"
CLEANUP_SESSIONS = "lms_core.cleanup_sessions"
BLENDED_REFRESH = "lms_core.blended_refresh"
BLENDED_REFRESH_SECONDS = 60.0


def register(celery_app: Any) -> list[str]:
    """Register the core's tasks on a Celery app and return their names."""
    # shared=False: a task belongs to this app only, not to every app created later in the process.
    celery_app.task(name=PING, bind=True, shared=False)(ping)
    celery_app.task(name=CLEANUP_SESSIONS, shared=False)(cleanup_sessions)
    celery_app.task(name=BLENDED_REFRESH, shared=False)(blended_refresh)
    return [PING, CLEANUP_SESSIONS, BLENDED_REFRESH]


def ping(task: Any) -> dict[str, str]:
    """Answer with the worker's name and the time, to show that a worker takes jobs."""
    return {"pong": task.request.hostname or socket.gethostname(), "at": utcnow().isoformat()}


def cleanup_sessions() -> dict[str, int]:
    """Delete expired login sessions and login throttles that no longer hold anything back."""
    with session_scope() as db:
        return purge_expired_logins(db=db, now=utcnow(), lock_minutes=get_settings().login_lock_minutes)


def purge_expired_logins(*, db: Session, now: datetime, lock_minutes: int) -> dict[str, int]:
    """Delete sessions past their expiry and throttles whose lock or counting window has passed; return counts."""
    sessions = db.execute(delete(UserSession).where(UserSession.expires_at <= now))
    window_open = now - timedelta(minutes=lock_minutes)
    stale = (LoginThrottle.locked_until.is_not(None) & (LoginThrottle.locked_until <= now)) | (
        LoginThrottle.locked_until.is_(None) & (LoginThrottle.window_start < window_open)
    )
    throttles = db.execute(delete(LoginThrottle).where(stale))
    return {"sessions": sessions.rowcount, "throttles": throttles.rowcount}


def blended_refresh() -> dict[str, int]:
    """Bring the blended-learning aggregates up to date with the plans and records changed since the last run."""
    from lms_core.blended import aggregates

    with session_scope() as db:
        return {"plans": aggregates.refresh(db=db)}
