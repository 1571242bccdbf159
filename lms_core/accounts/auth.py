"""Login, lock-out and sessions."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from lms_core.accounts.models import LoginThrottle, User, UserSession
from lms_core.accounts.passwords import hash_password, needs_rehash, verify_password
from lms_core.db import utcnow
from lms_core.errors import LoginRefused
from lms_core.i18n import N_
from lms_core.settings import get_settings

WRONG_CREDENTIALS = N_("The username or password is not correct.")
LOCKED = N_("Too many failed attempts. Please wait {minutes} minutes and try again.")


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the user and the new session's token (for the cookie)."""

    user: User
    token: str


def username_key(username: str) -> str:
    """Return the canonical form of a username: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", username).strip().lower()[:64]


def token_hash(token: str) -> str:
    """Return the stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _reserve_attempt(db: Session, key: str) -> tuple[int, bool]:
    """Count one attempt atomically before checking the password; return (attempts, locked)."""
    settings = get_settings()
    now = utcnow()
    window_open = now - timedelta(minutes=settings.login_lock_minutes)
    table = LoginThrottle.__table__
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = (table.c.locked_until.is_not(None) & (table.c.locked_until <= now)) | (
        table.c.locked_until.is_(None) & (table.c.window_start < window_open)
    )
    stmt = insert(table).values(username_key=key, failures=1, window_start=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.username_key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_start": case((expired, now), else_=table.c.window_start),
            "locked_until": case((expired, None), else_=table.c.locked_until),
        },
    ).returning(table.c.failures, table.c.locked_until)
    attempts, locked_until = db.execute(stmt).one()
    db.commit()
    if locked_until is not None and locked_until.replace(tzinfo=now.tzinfo) > now:
        return attempts, True
    if attempts > settings.login_max_failures:
        _lock(db, key)
        return attempts, True
    return attempts, False


def _lock(db: Session, key: str) -> None:
    until = utcnow() + timedelta(minutes=get_settings().login_lock_minutes)
    db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username_key == key, LoginThrottle.locked_until.is_(None))
        .values(locked_until=until)
    )
    db.commit()


def login(*, db: Session, username: str, password: str, user_agent: str | None = None,
          previous_token: str | None = None) -> LoginResult:
    """Check a username and password and open a new session; refuse with no hint whether the user exists."""
    settings = get_settings()
    key = username_key(username)
    user = db.scalar(select(User).where(User.username == key))
    # End the read before writing: on SQLite a read transaction that later writes fails
    # at once when another connection wrote meanwhile, instead of waiting for the lock.
    db.commit()
    attempts, locked = _reserve_attempt(db, key)
    if locked:
        verify_password(None, password)  # same time as a real check
        raise LoginRefused(LOCKED, minutes=settings.login_lock_minutes)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        if attempts >= settings.login_max_failures:
            _lock(db, key)
        raise LoginRefused(WRONG_CREDENTIALS)
    db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == key))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if previous_token:
        db.execute(delete(UserSession).where(UserSession.token_hash == token_hash(previous_token)))
    token = secrets.token_urlsafe(32)
    db.add(UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        expires_at=utcnow() + timedelta(days=settings.session_days),
        user_agent=(user_agent or "")[:200] or None,
    ))
    db.commit()
    return LoginResult(user=user, token=token)


def session_user(*, db: Session, token: str | None) -> User | None:
    """Return the user of a live session token, or None."""
    if not token or len(token) > 200:
        return None
    stmt = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == token_hash(token), UserSession.expires_at > utcnow(), User.is_active.is_(True))
        .options(joinedload(User.roles))  # one query for the user and all their roles
    )
    return db.execute(stmt).unique().scalar_one_or_none()


def logout(*, db: Session, token: str | None) -> None:
    """End a session."""
    if token:
        db.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
        db.commit()
