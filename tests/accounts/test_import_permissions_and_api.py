"""Only an administrator of the school (or a system administrator) may import into it; the API
reports a dry run, an import with its accounts, and row errors as 422 with details."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms_core.accounts import importer
from lms_core.errors import Forbidden, NotFound
from tests.accounts.conftest import fixture_bytes, stored_counts


def _post(client, school_id: int, name: str = "clean.xlsx", **params: str):  # noqa: ANN001, ANN202
    return client.post(f"/api/schools/{school_id}/users/import", params=params,
                       files={"file": (name, fixture_bytes(name), "application/octet-stream")})


@pytest.mark.parametrize(("who", "error"), [("other_school_admin", NotFound), ("teacher", Forbidden),
                                             ("student", Forbidden), ("district_staff", Forbidden)])
def test_the_service_refuses_anyone_but_the_school_admin(db: Session, school, who: str, error: type) -> None:
    before = stored_counts(db)
    with pytest.raises(error):
        importer.import_users(db=db, actor=getattr(school, who), school_id=school.school.id,
                              data=fixture_bytes("clean.xlsx"))
    assert stored_counts(db) == before


@pytest.mark.parametrize(("who", "status"), [("other_school_admin", 404), ("teacher", 403), ("student", 403)])
def test_the_api_refuses_other_schools_and_non_admins(db: Session, school, client_for, who: str, status: int) -> None:
    before = stored_counts(db)
    response = _post(client_for(getattr(school, who)), school.school.id, dry_run="false")
    assert response.status_code == status
    assert stored_counts(db) == before


@pytest.mark.parametrize(("who", "status"), [("other_school_admin", 404), ("teacher", 403)])
def test_the_pages_refuse_other_schools_and_non_admins(db: Session, school, client_for, who: str, status: int) -> None:
    client = client_for(getattr(school, who))
    before = stored_counts(db)
    response = client.post("/admin/import", data={"school_id": str(school.school.id)},
                           files={"file": ("clean.xlsx", fixture_bytes("clean.xlsx"))})
    assert response.status_code == status
    assert stored_counts(db) == before


def test_a_teacher_cannot_open_the_import_page(school, client_for) -> None:
    assert client_for(school.teacher).get("/admin/import").status_code == 403


def test_anonymous_callers_are_asked_to_log_in(school, client) -> None:
    assert _post(client, school.school.id).status_code == 401


def test_a_system_admin_may_import_into_any_school(db: Session, school) -> None:
    report = importer.import_users(db=db, actor=school.system_admin, school_id=school.school.id,
                                   data=fixture_bytes("clean.xlsx"))
    assert report.ok and len(report.accounts) == 5


def test_the_api_dry_run_reports_without_accounts(db: Session, school, client_for) -> None:
    before = stored_counts(db)
    response = _post(client_for(school.school_admin), school.school.id, dry_run="true")
    assert response.status_code == 200
    body = response.json()
    assert body == {"ok": True, "dry_run": True, "rows": 5, "created": {"students": 3, "teachers": 2, "classes": 0},
                    "errors": []}
    assert stored_counts(db) == before


def test_the_api_import_returns_the_accounts_once(db: Session, school, client_for) -> None:
    before = stored_counts(db)
    response = _post(client_for(school.school_admin), school.school.id, dry_run="false")
    assert response.status_code == 201
    body = response.json()
    assert body["ok"] is True and body["rows"] == 5 and body["created"]["students"] == 3
    assert {a["full_name"]: a["class"] for a in body["accounts"]}["Lê Minh Châu"] == "7A"
    assert all(set(a) == {"username", "full_name", "password", "role", "class"} for a in body["accounts"])
    assert stored_counts(db)["User"] == before["User"] + 5


def test_the_api_reports_row_errors_as_422_with_details(db: Session, school, client_for) -> None:
    before = stored_counts(db)
    client = client_for(school.school_admin)
    client.cookies.set("ts_lang", "en")
    response = _post(client, school.school.id, "one_bad_row.xlsx", dry_run="false")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert body["details"] == [{"row": 5, "column": "Lớp", "field": "class_name", "code": "unknown_class",
                                "message": f"The class 9Z does not exist in this school in the school year {school.year.name}."}]
    assert stored_counts(db) == before


def test_the_api_creates_classes_when_asked(db: Session, school, client_for) -> None:
    response = _post(client_for(school.school_admin), school.school.id, "new_classes.xlsx",
                     dry_run="false", create_classes="true")
    assert response.status_code == 201 and response.json()["created"]["classes"] == 2
