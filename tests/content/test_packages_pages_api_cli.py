"""Packages from the browser (export, upload → preview → confirm), the JSON API and the command line."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from content.materials import service
from content.materials.models import Material
from content.packages import cli
from tests.content.test_packages_refusals import PDF, document_entry, sha, write_package
from tests.content.test_packages_round_trip import counts, files_on_disk
from tests.web.test_accessibility import _check


def _token(html: str) -> str | None:
    found = re.search(r'name="token" value="([0-9a-f]{64})"', html)
    return found[1] if found else None


def test_a_teacher_exports_from_the_page(db: Session, world, client_for) -> None:
    service.create_material(db=db, actor=world.teacher, body_markdown="# Trà", fields=service.MaterialFields(
        title="Trà xanh", kind="page"))
    client = client_for(world.teacher)
    page = client.get("/material-packages")
    assert page.status_code == 200 and 'action="/material-packages/export"' in page.text
    assert 'action="/material-packages/import"' in page.text
    _check(page.text)
    response = client.post("/material-packages/export", data={"subject_code": "", "grade": ""})
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [m["title"] for m in manifest["materials"]] == ["Trà xanh"]


def test_upload_preview_then_confirm_imports_once(db: Session, world, client_for, tmp_path: Path) -> None:
    entry = document_entry(PDF)
    package = write_package(tmp_path / "p.zip", [entry], {f"files/{sha(PDF)}": PDF}).read_bytes()
    client = client_for(world.teacher)
    before = counts(db)
    preview = client.post("/material-packages/import", files={"file": ("p.zip", package, "application/zip")})
    assert preview.status_code == 200, preview.text[:500]
    _check(preview.text)
    token = _token(preview.text)
    assert token and "Tên lửa nước" in preview.text
    assert counts(db) == before  # the preview imports nothing
    done = client.post("/material-packages/import/confirm", data={"token": token})
    assert done.status_code == 200, done.text[:500]
    _check(done.text)
    material = db.scalar(select(Material).where(Material.uid == entry["uid"]))
    assert material is not None and material.owner_id == world.teacher.id
    assert client.post("/material-packages/import/confirm", data={"token": token}).status_code == 404  # used once
    again = client.post("/material-packages/import", files={"file": ("p.zip", package, "application/zip")})
    assert again.status_code == 200 and _token(again.text) is None  # everything is already here


def test_a_bad_package_on_the_page_is_a_clear_error(db: Session, world, client_for, tmp_path: Path) -> None:
    client = client_for(world.teacher)
    before = counts(db), files_on_disk()
    broken = client.post("/material-packages/import", files={"file": ("p.zip", b"not a zip at all", "application/zip")})
    assert broken.status_code == 422 and 'role="alert"' in broken.text
    _check(broken.text)
    wrong = write_package(tmp_path / "w.zip", [document_entry(PDF, kind="audio")], {f"files/{sha(PDF)}": PDF})
    rejected = client.post("/material-packages/import", files={"file": ("w.zip", wrong.read_bytes(), "application/zip")})
    assert rejected.status_code == 422 and _token(rejected.text) is None
    _check(rejected.text)
    assert (counts(db), files_on_disk()) == before


def test_students_get_no_package_page(world, client_for) -> None:
    client = client_for(world.student)
    assert client.get("/material-packages").status_code == 403
    assert client.post("/material-packages/export", data={}).status_code == 403
    assert client.post("/material-packages/import", files={"file": ("p.zip", b"PK", "application/zip")}).status_code == 403


def test_the_api_checks_then_imports_and_reports_problems_per_material(db: Session, world, client_for,
                                                                        tmp_path: Path) -> None:
    entry = document_entry(PDF)
    package = write_package(tmp_path / "p.zip", [entry], {f"files/{sha(PDF)}": PDF}).read_bytes()
    client = client_for(world.teacher)
    checked = client.post("/api/material-packages/import?dry_run=true", files={"file": ("p.zip", package)})
    assert checked.status_code == 200, checked.text
    assert (checked.json()["applied"], checked.json()["new_versions"]) == (False, 1)
    assert db.scalar(select(Material).where(Material.uid == entry["uid"])) is None
    done = client.post("/api/material-packages/import", files={"file": ("p.zip", package)}).json()
    assert (done["applied"], done["new_materials"], done["new_versions"]) == (True, 1, 1)
    again = client.post("/api/material-packages/import", files={"file": ("p.zip", package)}).json()
    assert (again["new_materials"], again["new_versions"], again["skipped_versions"]) == (0, 0, 1)
    exported = client.post("/api/material-packages/export", json={"material_ids": [done["materials"][0]["material_id"]]})
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    wrong_entry = document_entry(PDF, kind="audio")
    wrong = write_package(tmp_path / "w.zip", [wrong_entry], {f"files/{sha(PDF)}": PDF})
    refused = client.post("/api/material-packages/import", files={"file": ("w.zip", wrong.read_bytes())})
    assert refused.status_code == 422
    assert [d["uid"] for d in refused.json()["details"]] == [wrong_entry["uid"]]
    assert db.scalar(select(Material).where(Material.uid == wrong_entry["uid"])) is None


def test_the_api_refuses_students(world, client_for) -> None:
    client = client_for(world.student)
    assert client.post("/api/material-packages/import", files={"file": ("p.zip", b"PK")}).status_code == 403
    assert client.post("/api/material-packages/export", json={}).status_code == 403


def test_the_command_line_exports_and_imports(db: Session, world, tmp_path: Path, monkeypatch) -> None:
    material = service.create_material(db=db, actor=world.teacher, body_markdown="# Trà", fields=service.MaterialFields(
        title="Trà xanh", kind="page"))

    @contextmanager
    def test_session() -> Iterator[Session]:
        yield db

    monkeypatch.setattr(cli, "_session", test_session)
    app = typer.Typer()
    cli.register(app)
    runner = CliRunner()
    out = tmp_path / "usb" / "che.zip"
    out.parent.mkdir()
    result = runner.invoke(app, ["export-materials", str(out), "--user", world.teacher.username, "--id", str(material.id)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["materials"][0]["uid"] == material.uid
    # importing back into the server it came from adds nothing
    result = runner.invoke(app, ["import-materials", str(out), "--user", world.teacher.username])
    assert result.exit_code == 0, result.output
    assert "0 học liệu mới, 0 phiên bản mới (1 phiên bản đã có)" in " ".join(result.output.split())
    refused = runner.invoke(app, ["import-materials", str(out), "--user", world.student.username])
    assert refused.exit_code == 1
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nothing")
    assert runner.invoke(app, ["import-materials", str(bad), "--user", world.teacher.username]).exit_code == 1
