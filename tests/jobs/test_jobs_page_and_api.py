"""The background-jobs page and API: who may see them, what they say, and the test button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lms_core.db import utcnow
from lms_core.jobs import status
from lms_core.jobs.models import WorkerHeartbeat
from lms_core.web.security import LANG_COOKIE
from tests.builders import SchoolWorld

ADMINS = ["school_admin", "system_admin"]
OTHERS = ["student", "teacher", "district_staff", "province_staff"]


@pytest.fixture()
def english(web: Any, client_for: Callable[..., TestClient]) -> Callable[..., TestClient]:
    """Return a factory of logged-in clients that read the pages in English."""

    def make(user: Any) -> TestClient:
        c = client_for(user)
        c.cookies.set(LANG_COOKIE, "en")
        return c

    return make


def beat(db: Session, seconds_ago: float = 2) -> None:
    """Add a heartbeat row as a live worker writes it."""
    seen = utcnow() - timedelta(seconds=seconds_ago)
    db.add(WorkerHeartbeat(hostname="truongso@may-chu-1", pid=321, started_at=seen - timedelta(minutes=5),
                           last_seen_at=seen, tasks_done=12))
    db.commit()


@pytest.mark.parametrize("role", ADMINS)
def test_administrators_see_the_page(english: Callable[..., TestClient], world: SchoolWorld, role: str) -> None:
    r = english(getattr(world, role)).get("/admin/jobs")

    assert r.status_code == 200
    assert "No background worker is running yet." in r.text
    assert "truongso worker" in r.text and "truongso serve" in r.text
    assert "Embedded (SQLite file, no server needed)" in r.text
    assert 'name="csrf_token"' in r.text and 'action="/admin/jobs/ping"' in r.text


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused(english: Callable[..., TestClient], world: SchoolWorld, role: str) -> None:
    c = english(getattr(world, role))

    assert c.get("/admin/jobs").status_code == 403
    assert c.get("/api/jobs/status").status_code == 403
    assert c.post("/admin/jobs/ping").status_code == 403
    assert c.post("/api/jobs/ping").status_code == 403


def test_anonymous_is_sent_to_login(web: Any, client: TestClient, jobs_app: Any) -> None:
    r = client.get("/admin/jobs")

    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/jobs/status").status_code == 401


def test_live_worker_shown_with_host_for_system_admin_only(english: Callable[..., TestClient], world: SchoolWorld,
                                                           db: Session) -> None:
    beat(db)

    system = english(world.system_admin).get("/admin/jobs")
    school = english(world.school_admin).get("/admin/jobs")

    for r in (system, school):
        assert r.status_code == 200
        assert "A background worker is running." in r.text
        assert "seconds ago" in r.text
        assert "No background worker is running" not in r.text
    assert "truongso@may-chu-1" in system.text
    assert "truongso@may-chu-1" not in school.text


def test_stopped_worker_says_so(english: Callable[..., TestClient], world: SchoolWorld, db: Session) -> None:
    beat(db, seconds_ago=3600)

    r = english(world.school_admin).get("/admin/jobs")

    assert "No background worker is running." in r.text
    assert "The last heartbeat was 1 hour ago." in r.text


def test_api_status(english: Callable[..., TestClient], world: SchoolWorld, db: Session) -> None:
    beat(db)

    body = english(world.system_admin).get("/api/jobs/status").json()
    school = english(world.school_admin).get("/api/jobs/status").json()

    assert body["alive"] is True and body["ever_ran"] is True
    assert body["waiting"] == 0 and body["queue"] == "celery" and body["queue_error"] is None
    assert body["broker_kind"] == "sqlite"
    assert body["workers"][0]["hostname"] == "truongso@may-chu-1" and body["workers"][0]["tasks_done"] == 12
    assert school["workers"][0]["hostname"] is None and school["workers"][0]["pid"] is None
    assert school["alive"] is True


def test_test_button_sends_a_ping_and_shows_it_waiting(english: Callable[..., TestClient], world: SchoolWorld,
                                                        jobs_app: Any) -> None:
    c = english(world.school_admin)

    r = c.post("/admin/jobs/ping")

    assert r.status_code == 303 and r.headers["location"].startswith("/admin/jobs?ping=")
    assert status.queue_state(jobs_app).waiting == 1
    page = c.get(r.headers["location"])
    assert "Test job sent. Waiting for a worker to answer" in page.text
    assert "<dd>1</dd>" in page.text


def test_answered_ping_is_shown(english: Callable[..., TestClient], world: SchoolWorld, jobs_app: Any) -> None:
    c = english(world.school_admin)
    task_id = c.post("/api/jobs/ping").json()["task_id"]
    jobs_app.backend.store_result(task_id, {"pong": "truongso@may-chu-1", "at": utcnow().isoformat()}, "SUCCESS")

    page = c.get(f"/admin/jobs?ping={task_id}")
    api = c.get(f"/api/jobs/ping/{task_id}").json()

    assert "A worker answered the test job" in page.text
    assert api["state"] == "answered" and api["hostname"] is None


def test_ping_without_csrf_token_is_refused_and_sends_nothing(english: Callable[..., TestClient],
                                                              world: SchoolWorld, jobs_app: Any) -> None:
    c = english(world.school_admin)
    del c.headers["x-csrf-token"]

    assert c.post("/admin/jobs/ping", data={"csrf_token": "forged"}).status_code == 403
    assert c.post("/api/jobs/ping").status_code == 403
    assert status.queue_state(jobs_app).waiting == 0


def test_broker_down_gives_a_notice_not_an_error(english: Callable[..., TestClient], world: SchoolWorld,
                                                 web: Any, tmp_path: Any) -> None:
    from lms_core.jobs.celery_app import make_celery
    from lms_core.plugins.host import PluginHost
    from lms_core.settings import Settings

    web.state.celery = make_celery(Settings(var_dir=tmp_path / "v", broker_url="redis://127.0.0.1:1/0",
                                            result_backend=f"db+sqlite:///{tmp_path / 'r.sqlite'}"),
                                   plugins=PluginHost(load_entry_points=False))
    c = english(world.school_admin)

    r = c.post("/admin/jobs/ping")
    page = c.get(r.headers["location"])
    api = c.get("/api/jobs/status").json()

    assert r.status_code == 303
    assert page.status_code == 200
    assert "The test job could not be sent" in page.text
    assert "unknown" in page.text
    assert api["waiting"] is None and api["queue_error"]
    assert c.post("/api/jobs/ping").status_code == 503


def test_bad_ping_id_is_ignored_or_refused(english: Callable[..., TestClient], world: SchoolWorld) -> None:
    c = english(world.school_admin)

    assert c.get("/admin/jobs?ping=<script>").status_code == 200
    assert c.get("/api/jobs/ping/not-a-task").status_code == 422
