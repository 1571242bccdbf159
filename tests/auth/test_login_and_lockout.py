"""Login: no hint whether a user exists, same work either way, lock-out that holds under concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lms_core.accounts import auth, passwords
from lms_core.accounts.models import LoginThrottle, Role, RoleAssignment, User, UserSession
from lms_core.db import session_factory
from lms_core.errors import LoginRefused as Invalid
from lms_core.settings import get_settings
from tests.builders import PASSWORD, make_user


def test_login_opens_a_session_and_resets_failures(db: Session, world) -> None:
    with pytest.raises(Invalid):
        auth.login(db=db, username=world.teacher.username, password="sai-mat-khau")
    assert db.get(LoginThrottle, world.teacher.username).failures == 1
    result = auth.login(db=db, username=world.teacher.username.upper(), password=PASSWORD)
    assert result.user.id == world.teacher.id
    assert auth.session_user(db=db, token=result.token).id == world.teacher.id
    assert db.get(LoginThrottle, world.teacher.username) is None


def test_wrong_password_and_unknown_user_get_the_same_message(db: Session, world) -> None:
    with pytest.raises(Invalid) as wrong:
        auth.login(db=db, username=world.teacher.username, password="sai-mat-khau")
    with pytest.raises(Invalid) as unknown:
        auth.login(db=db, username="khong-ton-tai", password="sai-mat-khau")
    assert wrong.value.message == unknown.value.message == auth.WRONG_CREDENTIALS


def test_unknown_user_costs_one_argon2_check_like_a_known_one(db: Session, world, monkeypatch) -> None:
    calls: list[str] = []
    real = PasswordHasher.verify

    def counting(self, hash_, password):  # noqa: ANN001, ANN202
        calls.append(hash_)
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for username in (world.teacher.username, "khong-ton-tai"):
        calls.clear()
        with pytest.raises(Invalid):
            auth.login(db=db, username=username, password="sai-mat-khau")
        assert len(calls) == 1, username
        assert calls[0].startswith("$argon2id$")


def test_a_new_login_replaces_the_previous_session(db: Session, world) -> None:
    first = auth.login(db=db, username=world.student.username, password=PASSWORD)
    second = auth.login(db=db, username=world.student.username, password=PASSWORD, previous_token=first.token)
    assert first.token != second.token
    assert auth.session_user(db=db, token=first.token) is None
    assert auth.session_user(db=db, token=second.token).id == world.student.id


def test_logout_ends_the_session(db: Session, world) -> None:
    result = auth.login(db=db, username=world.student.username, password=PASSWORD)
    auth.logout(db=db, token=result.token)
    assert auth.session_user(db=db, token=result.token) is None
    assert db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == world.student.id)) == 0


def test_inactive_user_cannot_log_in(db: Session, world) -> None:
    world.student.is_active = False
    db.flush()
    with pytest.raises(Invalid) as err:
        auth.login(db=db, username=world.student.username, password=PASSWORD)
    assert err.value.message == auth.WRONG_CREDENTIALS


def test_hash_made_with_old_parameters_is_rehashed_at_login(db: Session, world) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    world.teacher.password_hash = weak.hash(PASSWORD)
    db.flush()
    assert passwords.needs_rehash(world.teacher.password_hash)
    auth.login(db=db, username=world.teacher.username, password=PASSWORD)
    db.refresh(world.teacher)
    assert not passwords.needs_rehash(world.teacher.password_hash)
    assert passwords.verify_password(world.teacher.password_hash, PASSWORD)


def test_lockout_after_repeated_failures_refuses_even_the_right_password(db: Session, world) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit):
        with pytest.raises(Invalid) as err:
            auth.login(db=db, username=world.teacher.username, password="sai-mat-khau")
        assert err.value.message == auth.WRONG_CREDENTIALS
    with pytest.raises(Invalid) as err:
        auth.login(db=db, username=world.teacher.username, password=PASSWORD)
    assert err.value.message == auth.LOCKED


def test_unknown_usernames_lock_the_same_way(db: Session) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit):
        with pytest.raises(Invalid):
            auth.login(db=db, username="ai-do-khong-co", password="x")
    with pytest.raises(Invalid) as err:
        auth.login(db=db, username="ai-do-khong-co", password="x")
    assert err.value.message == auth.LOCKED


@pytest.mark.slow
def test_lockout_holds_under_concurrent_attempts(engine, monkeypatch) -> None:
    """Twenty simultaneous guesses on separate connections: at most the limit are ever checked."""
    limit = get_settings().login_max_failures
    factory = session_factory(engine)
    username = f"dong-thoi-{uuid.uuid4().hex[:8]}"
    with factory() as db:
        user = make_user(db, username, "Người Thử", RoleAssignment(role=Role.teacher))
        db.commit()
        user_hash = user.password_hash
    checked: list[int] = []
    lock = threading.Lock()
    real = auth.verify_password

    def counting(stored, password):  # noqa: ANN001, ANN202
        if stored == user_hash:
            with lock:
                checked.append(1)
        return real(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def attempt() -> None:
        barrier.wait()
        with factory() as db:
            try:
                auth.login(db=db, username=username, password="doan-sai")
                outcomes.append("in")
            except Invalid as exc:
                outcomes.append(exc.message)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert len(outcomes) == 20 and "in" not in outcomes
        assert len(checked) <= limit
        assert outcomes.count(auth.LOCKED) >= 20 - limit
        with factory() as db, pytest.raises(Invalid) as err:
            auth.login(db=db, username=username, password=PASSWORD)
        assert err.value.message == auth.LOCKED
    finally:
        with factory() as db:
            db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == username))
            db.execute(delete(User).where(User.username == username))
            db.commit()


def test_session_lookup_keeps_every_role_of_a_user(db: Session, world) -> None:
    world.teacher.roles.append(RoleAssignment(role=Role.school_admin, school_id=world.school.id))
    db.commit()
    result = auth.login(db=db, username=world.teacher.username, password=PASSWORD)
    db.expunge_all()
    user = auth.session_user(db=db, token=result.token)
    assert sorted(r.role for r in user.roles) == ["school_admin", "teacher"]


def test_expired_session_is_refused(db: Session, world) -> None:
    from datetime import timedelta

    from lms_core.db import utcnow

    result = auth.login(db=db, username=world.student.username, password=PASSWORD)
    row = db.scalar(select(UserSession).where(UserSession.token_hash == auth.token_hash(result.token)))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert auth.session_user(db=db, token=result.token) is None
