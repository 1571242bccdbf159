"""Resetting a forgotten password and deactivating a leaver: the old password stops working, every
session ends, a lock-out is lifted, and a deactivated account cannot log in until reactivated."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts import auth, manage
from lms_core.accounts.passwords import PASSWORD_ALPHABET
from lms_core.accounts.models import LoginThrottle, User, UserSession
from lms_core.db import utcnow
from lms_core.errors import Invalid, LoginRefused
from tests.builders import PASSWORD, open_session


def _sessions(db: Session, user: User) -> int:
    return db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) or 0


def _stored(db: Session, user: User) -> User:
    db.expire_all()
    return db.get(User, user.id)


def test_a_reset_changes_the_hash_ends_sessions_and_only_the_new_password_logs_in(db: Session, school) -> None:
    student = school.student
    open_session(db, student)
    open_session(db, student)
    db.commit()
    old_hash = student.password_hash
    target, password = manage.reset_password(db=db, actor=school.school_admin, user_id=student.id)
    assert target.id == student.id
    assert re.fullmatch(f"[{PASSWORD_ALPHABET}]{{4}}-[{PASSWORD_ALPHABET}]{{4}}", password)
    stored = _stored(db, student)
    assert stored.password_hash != old_hash and password not in stored.password_hash
    assert _sessions(db, student) == 0
    with pytest.raises(LoginRefused):
        auth.login(db=db, username=student.username, password=PASSWORD)
    assert auth.login(db=db, username=student.username, password=password).user.id == student.id


def test_a_reset_lifts_a_lock_out(db: Session, school) -> None:
    db.add(LoginThrottle(username_key=school.student.username, failures=9, locked_until=utcnow() + timedelta(minutes=15)))
    db.commit()
    _user, password = manage.reset_password(db=db, actor=school.school_admin, user_id=school.student.id)
    assert db.get(LoginThrottle, school.student.username) is None
    assert auth.login(db=db, username=school.student.username, password=password).user.id == school.student.id


def test_a_reset_leaves_other_peoples_sessions_alone(db: Session, school) -> None:
    open_session(db, school.classmate)
    db.commit()
    manage.reset_password(db=db, actor=school.school_admin, user_id=school.student.id)
    assert _sessions(db, school.classmate) == 1


def test_the_api_returns_the_password_once_and_the_old_session_stops_working(db: Session, school, client_for) -> None:
    student_client = client_for(school.student)
    assert student_client.get("/api/me").status_code == 200
    answer = client_for(school.school_admin).post(f"/api/users/{school.student.id}/password-reset")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["username"] == school.student.username and len(body["password"]) == 9
    assert student_client.get("/api/me").status_code == 401
    db.expire_all()  # the app changed the row through its own session
    assert auth.login(db=db, username=school.student.username, password=body["password"]).user.id == school.student.id


def test_the_reset_page_shows_the_new_password_once(db: Session, school, client_for) -> None:
    page = client_for(school.school_admin).post(f"/admin/users/{school.student.id}/reset-password")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    password = re.search(r"<dt>[^<]+</dt><dd><code>([a-z0-9]{4}-[a-z0-9]{4})</code></dd>", page.text)[1]
    db.expire_all()
    assert auth.login(db=db, username=school.student.username, password=password).user.id == school.student.id
    again = client_for(school.school_admin).get(f"/admin/users/{school.student.id}")
    assert password not in again.text


def test_deactivation_ends_sessions_and_blocks_login_until_reactivated(db: Session, school, client_for) -> None:
    student_client = client_for(school.student)
    admin = client_for(school.school_admin)
    answer = admin.patch(f"/api/users/{school.student.id}", json={"is_active": False})
    assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert _stored(db, school.student).is_active is False
    assert _sessions(db, school.student) == 0
    assert student_client.get("/api/me").status_code == 401
    with pytest.raises(LoginRefused):
        auth.login(db=db, username=school.student.username, password=PASSWORD)
    assert admin.patch(f"/api/users/{school.student.id}", json={"is_active": True}).status_code == 200
    db.expire_all()
    assert auth.login(db=db, username=school.student.username, password=PASSWORD).user.id == school.student.id


def test_an_admin_cannot_deactivate_themself(db: Session, school, client_for) -> None:
    school.school_admin.locale = "en"
    db.commit()
    admin = client_for(school.school_admin)
    answer = admin.patch(f"/api/users/{school.school_admin.id}", json={"is_active": False})
    assert answer.status_code == 422
    assert answer.json() == {"error": "invalid", "message": "You cannot deactivate your own account."}
    assert _stored(db, school.school_admin).is_active is True
    assert admin.get("/api/me").status_code == 200
    with pytest.raises(Invalid):
        manage.update_user(db=db, actor=school.school_admin, user_id=school.school_admin.id, is_active=False)


def test_a_rename_is_stored_in_nfc(db: Session, school, client_for) -> None:
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Mai"  # "Nguyễn Thị Mai" typed with combining marks
    answer = client_for(school.school_admin).patch(f"/api/users/{school.student.id}", json={"full_name": decomposed})
    assert answer.status_code == 200
    assert _stored(db, school.student).full_name == "Nguyễn Thị Mai"


@pytest.mark.parametrize("body", [{"is_active": False, "role": "school_admin"}, {"full_name": ""},
                                  {"full_name": "x" * 121}, {"is_active": "maybe"}])
def test_bad_patches_are_refused_and_change_nothing(db: Session, school, client_for, body: dict) -> None:
    answer = client_for(school.school_admin).patch(f"/api/users/{school.student.id}", json=body)
    assert answer.status_code == 422
    stored = _stored(db, school.student)
    assert stored.is_active is True and stored.full_name == "Học Sinh A"


def test_the_page_form_deactivates_and_reactivates(db: Session, school, client_for) -> None:
    admin = client_for(school.school_admin)
    url = f"/admin/users/{school.student.id}"
    answer = admin.post(f"{url}/active", data={"active": "off"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{url}?saved=1"
    assert _stored(db, school.student).is_active is False
    page = admin.get(url)
    assert page.status_code == 200 and 'name="active" value="on"' in page.text
    assert admin.post(f"{url}/active", data={"active": "on"}).status_code == 303
    assert _stored(db, school.student).is_active is True


def test_the_page_offers_no_deactivation_of_oneself(school, client_for) -> None:
    page = client_for(school.school_admin).get(f"/admin/users/{school.school_admin.id}")
    assert page.status_code == 200 and f'/admin/users/{school.school_admin.id}/active' not in page.text


def test_a_page_form_without_the_csrf_token_is_refused(db: Session, school, client_for) -> None:
    admin = client_for(school.school_admin)
    del admin.headers["x-csrf-token"]
    assert admin.post(f"/admin/users/{school.student.id}/active", data={"active": "off"}).status_code == 403
    assert _stored(db, school.student).is_active is True
