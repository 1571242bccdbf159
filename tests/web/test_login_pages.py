"""The login journey through real forms: CSRF, wrong passwords, language switch, logout."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import User, UserSession
from lms_core.web.security import SESSION_COOKIE
from tests.builders import PASSWORD


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without a CSRF token"
    return match.group(1)


def _sessions(db: Session, user: User) -> int:
    return db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) or 0


def test_login_page_is_vietnamese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text and "Tên đăng nhập" in page.text and "Mật khẩu" in page.text
    assert '<label for="username">' in page.text and '<label for="password">' in page.text


def test_teacher_logs_in_sees_dashboard_switches_to_english_and_logs_out(client: TestClient, db: Session, world) -> None:
    token = _csrf(client.get("/login").text)
    done = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    assert _sessions(db, world.teacher) == 1

    board = client.get("/dashboard")
    assert board.status_code == 200
    assert "Xin chào, Giáo Viên A" in board.text and "Đăng xuất" in board.text
    assert "6A" in board.text  # the class the teacher teaches

    switched = client.post("/lang", data={"locale": "en", "next": "/dashboard", "csrf_token": _csrf(board.text)})
    assert switched.status_code == 303
    db.refresh(world.teacher)
    assert world.teacher.locale == "en"
    english = client.get("/dashboard")
    assert '<html lang="en">' in english.text and "Log out" in english.text and "Hello, Giáo Viên A" in english.text

    out = client.post("/logout", data={"csrf_token": _csrf(english.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert _sessions(db, world.teacher) == 0
    client.cookies.delete(SESSION_COOKIE)
    assert client.get("/dashboard").headers["location"].startswith("/login")


def test_wrong_password_and_unknown_user_read_the_same(client: TestClient, world) -> None:
    token = _csrf(client.get("/login").text)
    wrong = client.post("/login", data={"username": world.teacher.username, "password": "sai", "csrf_token": token})
    unknown = client.post("/login", data={"username": "khong-co-ai", "password": "sai", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.text and message in unknown.text
    assert SESSION_COOKIE not in wrong.cookies


def test_login_form_without_csrf_token_is_refused(client: TestClient, db: Session, world) -> None:
    client.get("/login")
    refused = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD})
    assert refused.status_code == 403
    assert "Biểu mẫu đã hết hạn" in refused.text
    assert _sessions(db, world.teacher) == 0


def test_csrf_token_of_another_browser_is_refused(client: TestClient, app, db: Session, world) -> None:
    other = TestClient(app, base_url="http://127.0.0.1")
    foreign = _csrf(other.get("/login").text)
    client.get("/login")
    refused = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD, "csrf_token": foreign})
    assert refused.status_code == 403
    assert _sessions(db, world.teacher) == 0


def test_login_redirects_only_to_local_pages(client: TestClient, world) -> None:
    token = _csrf(client.get("/login").text)
    done = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD, "csrf_token": token,
                                       "next": "https://evil.example/steal"})
    assert done.headers["location"] == "/dashboard"


def test_page_needing_login_sends_to_login_with_next(client: TestClient) -> None:
    answer = client.get("/classes")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/classes"
