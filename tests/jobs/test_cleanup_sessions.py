"""The cleanup task deletes expired sessions and throttles that hold nothing back any more."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts.models import LoginThrottle, UserSession
from lms_core.db import utcnow
from lms_core.jobs.tasks import purge_expired_logins
from tests.builders import SchoolWorld, open_session


def test_expired_sessions_and_stale_throttles_are_deleted(db: Session, world: SchoolWorld) -> None:
    now = utcnow()
    live = open_session(db, world.teacher)
    for days in (1, 30):
        db.add(UserSession(token_hash=f"old{days}".ljust(64, "0"), user_id=world.student.id,
                           expires_at=now - timedelta(days=days)))
    db.add_all([
        LoginThrottle(username_key="lock-passed", failures=6, window_start=now - timedelta(hours=1),
                      locked_until=now - timedelta(minutes=1)),
        LoginThrottle(username_key="still-locked", failures=6, window_start=now - timedelta(hours=1),
                      locked_until=now + timedelta(minutes=10)),
        LoginThrottle(username_key="window-passed", failures=2, window_start=now - timedelta(hours=2)),
        LoginThrottle(username_key="counting", failures=2, window_start=now - timedelta(minutes=1)),
    ])
    db.flush()

    counts = purge_expired_logins(db=db, now=now, lock_minutes=15)

    assert counts == {"sessions": 2, "throttles": 2}
    assert db.scalars(select(UserSession.user_id)).all() == [world.teacher.id]
    assert live
    assert sorted(db.scalars(select(LoginThrottle.username_key))) == ["counting", "still-locked"]


def test_nothing_to_clean_counts_zero(db: Session, world: SchoolWorld) -> None:
    open_session(db, world.student)

    assert purge_expired_logins(db=db, now=utcnow(), lock_minutes=15) == {"sessions": 0, "throttles": 0}
    assert len(db.scalars(select(UserSession)).all()) == 1
