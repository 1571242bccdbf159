"""The page flow: upload form → preview (nothing imported) → confirm (imported, accounts shown once,
the kept file deleted); the template download; a kept file only confirms for its uploader."""

from __future__ import annotations

import base64
import io
import re

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lms_core.accounts import import_sheet
from lms_core.settings import get_settings
from tests.accounts.conftest import fixture_bytes, stored_counts


def _kept_files() -> set[str]:
    folder = get_settings().resolved_var_dir / "imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _upload(client, school_id: int, name: str, **form: str):  # noqa: ANN001, ANN202
    return client.post("/admin/import", data={"school_id": str(school_id), **form},
                       files={"file": (name, fixture_bytes(name), "application/vnd.ms-excel")})


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{64})"', html)[1]


def test_the_form_has_labels_the_template_link_and_a_csrf_field(school, client_for) -> None:
    response = client_for(school.school_admin).get("/admin/import")
    assert response.status_code == 200
    html = response.text
    assert 'href="/admin/import/template.xlsx"' in html and 'name="csrf_token"' in html
    assert 'for="file"' in html and 'id="file"' in html and 'for="create_classes"' in html
    assert 'enctype="multipart/form-data"' in html


def test_upload_preview_confirm_imports_once_and_deletes_the_kept_file(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    before, kept_before = stored_counts(db), _kept_files()

    preview = _upload(client, school.school.id, "clean.xlsx")
    assert preview.status_code == 200
    assert "Phạm Thu Hà" in preview.text and "annv" in preview.text and 'class="table-wrap"' in preview.text
    assert stored_counts(db) == before  # the preview imports nothing
    token = _token(preview.text)
    assert _kept_files() - kept_before == {f"{token}.bin", f"{token}.json"}

    result = client.post("/admin/import/confirm", data={"token": token})
    assert result.status_code == 200
    assert result.headers["cache-control"] == "no-store"
    assert stored_counts(db)["User"] == before["User"] + 5
    assert "huy.dq" in result.text and "matkhau-huy-2025" in result.text
    assert _kept_files() == kept_before

    again = client.post("/admin/import/confirm", data={"token": token})
    assert again.status_code == 404 and stored_counts(db)["User"] == before["User"] + 5


def test_the_result_offers_the_account_list_as_a_workbook(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    token = _token(_upload(client, school.school.id, "clean.xlsx").text)
    html = client.post("/admin/import/confirm", data={"token": token}).text
    href = re.search(r'href="data:application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,([^"]+)"', html)
    assert href and 'download="danh-sach-tai-khoan.xlsx"' in html
    sheet = load_workbook(io.BytesIO(base64.b64decode(href[1])), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 6
    assert ("Đỗ Quang Huy", "huy.dq", "matkhau-huy-2025") in {(r[1], r[4], r[5]) for r in rows[1:]}


def test_a_preview_with_errors_shows_them_and_offers_no_confirm(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    client.cookies.set("ts_lang", "en")
    before, kept_before = stored_counts(db), _kept_files()
    response = _upload(client, school.school.id, "one_bad_row.xlsx")
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "The class 9Z does not exist" in response.text
    assert 'name="token"' not in response.text
    assert stored_counts(db) == before and _kept_files() == kept_before


def test_missing_classes_are_created_through_the_pages_when_ticked(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    preview = _upload(client, school.school.id, "new_classes.xlsx", create_classes="true")
    assert preview.status_code == 200
    before = stored_counts(db)
    assert client.post("/admin/import/confirm", data={"token": _token(preview.text)}).status_code == 200
    assert stored_counts(db)["SchoolClass"] == before["SchoolClass"] + 2


def test_a_kept_file_confirms_only_for_its_uploader(db: Session, school, client_for) -> None:
    token = _token(_upload(client_for(school.school_admin), school.school.id, "clean.xlsx").text)
    before = stored_counts(db)
    response = client_for(school.other_school_admin).post("/admin/import/confirm", data={"token": token})
    assert response.status_code == 404
    assert stored_counts(db) == before


def test_a_tampered_kept_file_is_refused(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    token = _token(_upload(client, school.school.id, "clean.xlsx").text)
    (get_settings().resolved_var_dir / "imports" / f"{token}.bin").write_bytes(fixture_bytes("new_classes.xlsx"))
    before = stored_counts(db)
    assert client.post("/admin/import/confirm", data={"token": token}).status_code == 404
    assert stored_counts(db) == before


def test_a_form_without_the_csrf_token_is_refused(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    del client.headers["x-csrf-token"]
    response = _upload(client, school.school.id, "clean.xlsx")
    assert response.status_code == 403


def test_the_template_downloads_and_is_read_back_by_the_importer(school, client_for) -> None:
    response = client_for(school.school_admin).get("/admin/import/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    data, instructions = workbook.worksheets
    assert [c.value for c in data[1]] == list(import_sheet.HEADERS.values())
    assert data["C2"].value == "Nguyễn Văn An"
    assert instructions.max_row > len(import_sheet.HEADERS)
    sheet = import_sheet.read_sheet(response.content, max_rows=10)
    assert [r.values["full_name"] for r in sheet.rows] == ["Nguyễn Văn An"]


def test_the_form_field_token_works_like_a_browser_sends_it(db: Session, school, client_for) -> None:
    client = client_for(school.school_admin)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/import").text)[1]
    del client.headers["x-csrf-token"]
    preview = _upload(client, school.school.id, "clean.xlsx", csrf_token=form_token)
    assert preview.status_code == 200
    confirm_token = re.search(r'name="csrf_token" value="([^"]+)"', preview.text)[1]
    result = client.post("/admin/import/confirm", data={"token": _token(preview.text), "csrf_token": confirm_token})
    assert result.status_code == 200
