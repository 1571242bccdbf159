"""Errors are JSON {error, message} for the API and pages for people, in the user's language."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.org.models import SchoolClass


def _classes(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SchoolClass)) or 0


def test_unknown_api_route_and_object_are_404_json_in_vietnamese(client_for, world) -> None:
    c = client_for(world.teacher)
    assert c.get("/api/khong-co").json() == {"error": "not_found", "message": "Trang hoặc đối tượng bạn yêu cầu không tồn tại."}
    body = c.get("/api/classes/999999").json()
    assert body == {"error": "not_found", "message": "Lớp này không tồn tại."}


def test_errors_follow_the_users_language(db: Session, client_for, world) -> None:
    world.teacher.locale = "en"
    db.commit()
    body = client_for(world.teacher).get("/api/classes/999999").json()
    assert body["message"] == "This class does not exist."


def test_another_schools_objects_read_as_not_found(client_for, world) -> None:
    c = client_for(world.school_admin)
    for url in (f"/api/schools/{world.other_school.id}", f"/api/classes/{world.other_class.id}",
                f"/api/users/{world.other_school_student.id}"):
        answer = c.get(url)
        assert answer.status_code == 404, url
        assert world.other_school.name not in answer.text and world.other_school_student.full_name not in answer.text


def test_student_cannot_open_a_classmates_profile_or_another_class(client_for, world) -> None:
    c = client_for(world.student)
    assert c.get(f"/api/users/{world.classmate.id}").status_code == 404
    assert c.get(f"/api/classes/{world.class_7a.id}").status_code == 404
    assert c.get(f"/api/users/{world.student.id}").status_code == 200
    assert [u["id"] for u in c.get("/api/users").json()["items"]] == [world.student.id]


def test_unknown_page_is_a_vietnamese_error_page(client_for, world) -> None:
    page = client_for(world.teacher).get("/khong-co-trang-nay")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Trang hoặc đối tượng bạn yêu cầu không tồn tại." in page.text


def test_malformed_json_is_422_with_a_clear_message_and_nothing_stored(db: Session, client_for, world) -> None:
    before = _classes(db)
    answer = client_for(world.school_admin).post(
        f"/api/schools/{world.school.id}/classes", content=b'{"name": "6C", "grade":',
        headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["message"] == "Nội dung yêu cầu không phải JSON hợp lệ."
    assert _classes(db) == before


def test_wrong_types_and_out_of_range_values_are_422(db: Session, client_for, world) -> None:
    before = _classes(db)
    c = client_for(world.school_admin)
    url = f"/api/schools/{world.school.id}/classes"
    for body in ({"name": "6C", "grade": "sáu", "academic_year_id": world.year.id},
                 {"name": "6C", "grade": 13, "academic_year_id": world.year.id},
                 {"name": "x" * 50, "grade": 6, "academic_year_id": world.year.id},
                 {"name": "6C", "grade": 6, "academic_year_id": world.year.id, "extra": 1}):
        answer = c.post(url, json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"] == "invalid" and answer.json()["details"]
    assert _classes(db) == before


def test_oversized_body_is_413_and_nothing_stored(db: Session, client_for, world, app) -> None:
    before = _classes(db)
    limit = app.state.settings.max_request_bytes
    answer = client_for(world.school_admin).post(
        f"/api/schools/{world.school.id}/classes", content=b"{" + b" " * (limit + 10) + b"}",
        headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json() == {"error": "too_large", "message": "Yêu cầu quá lớn."}
    assert _classes(db) == before


def test_school_admin_creates_a_class_and_rules_are_enforced(db: Session, client_for, world) -> None:
    url = f"/api/schools/{world.school.id}/classes"
    admin = client_for(world.school_admin)
    made = admin.post(url, json={"name": "6c", "grade": 6, "academic_year_id": world.year.id})
    assert made.status_code == 201 and made.json()["name"] == "6C"
    assert admin.post(url, json={"name": "6C", "grade": 6, "academic_year_id": world.year.id}).status_code == 409
    wrong_grade = admin.post(url, json={"name": "3A", "grade": 3, "academic_year_id": world.year.id})
    assert wrong_grade.status_code == 422 and wrong_grade.json()["message"] == "Trường này không dạy khối 3."
    before = _classes(db)
    assert client_for(world.teacher).post(url, json={"name": "6D", "grade": 6, "academic_year_id": world.year.id}).status_code == 403
    assert client_for(world.other_school_admin).post(url, json={"name": "6D", "grade": 6, "academic_year_id": world.year.id}).status_code == 404
    assert _classes(db) == before


def test_unsafe_api_call_without_csrf_header_is_refused(db: Session, client_for, world, app) -> None:
    from fastapi.testclient import TestClient

    logged = client_for(world.school_admin)
    bare = TestClient(app, base_url="http://127.0.0.1", cookies=dict(logged.cookies))
    before = _classes(db)
    answer = bare.post(f"/api/schools/{world.school.id}/classes", json={"name": "6E", "grade": 6, "academic_year_id": world.year.id})
    assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    assert _classes(db) == before


def test_api_login_returns_the_csrf_token_and_the_user(client, world) -> None:
    from tests.builders import PASSWORD

    answer = client.post("/api/auth/login", json={"username": world.teacher.username, "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"]["username"] == world.teacher.username and len(body["csrf_token"]) == 64
    me = client.get("/api/me")
    assert me.json()["id"] == world.teacher.id
    bad = client.post("/api/auth/login", json={"username": world.teacher.username, "password": "sai"})
    assert bad.status_code == 401 and bad.json()["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_openapi_document_lists_the_api(client) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/schools/{school_id}/classes" in spec["paths"]
    assert "/api/auth/login" in spec["paths"]
    assert not any(p.startswith("/dashboard") for p in spec["paths"])
