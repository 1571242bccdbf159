"""A bad package is refused whole with a clear error and leaves every row and file as it was; only people who may
export or import do so, and an export holds only what its maker may see."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.materials import service, storage
from content.materials.models import Material
from content.packages import importer, reading
from content.review import service as review
from lms_core.archives import BROKEN_ARCHIVE, UNSAFE_PATH, ZIP_BOMB
from lms_core.errors import Forbidden, Invalid, NotFound, TooLarge
from lms_core.settings import get_settings
from tests.content.test_packages_round_trip import FIXTURES, counts, export_as, files_on_disk, import_as

PDF = (FIXTURES / "water_rocket.pdf").read_bytes()


def sha(data: bytes) -> str:
    """Return the SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def document_entry(data: bytes, *, kind: str = "document", file_type: str = "pdf", **extra: Any) -> dict[str, Any]:
    """Return a manifest entry of a one-version material holding a file."""
    return {"uid": str(uuid.uuid4()), "title": "Tên lửa nước", "kind": kind, "grades": [6],
            "versions": [{"number": 1, "created_at": "2025-03-01T08:00:00+00:00", "status": "published",
                          "file": {"sha256": sha(data), "size": len(data), "type": file_type},
                          "file_name": "ten-lua.pdf"}], **extra}


def write_package(path: Path, materials: list[dict[str, Any]], files: dict[str, bytes],
                  extra: dict[str, bytes] | None = None, manifest: dict[str, Any] | None = None) -> Path:
    """Write a package by hand (files by name → bytes), so that tests can break it in one precise way."""
    body = manifest or {"format": "truongso-materials", "format_version": 1, "created_at": "2025-03-01T08:00:00Z",
                        "materials": materials}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(body, ensure_ascii=False))
        for name, data in {**files, **(extra or {})}.items():
            archive.writestr(name, data)
    return path


@pytest.fixture()
def unchanged(db: Session):  # noqa: ANN201
    """Check, after the test's refusal, that no row and no kept or staged file was added."""
    before_rows, before_files = counts(db), files_on_disk()
    yield
    assert counts(db) == before_rows
    assert files_on_disk() == before_files
    staging = storage.files_dir() / "tmp"
    assert not staging.exists() or not any(staging.iterdir())


def test_a_good_hand_made_package_imports(db: Session, world, tmp_path: Path) -> None:
    entry = document_entry(PDF)
    package = write_package(tmp_path / "ok.zip", [entry], {f"files/{sha(PDF)}": PDF})
    report = import_as(db, world.teacher, package)
    assert (report.new_materials, report.new_versions) == (1, 1)
    assert storage.path_for(sha(PDF)).read_bytes() == PDF


def test_random_bytes_are_not_a_package(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    package = tmp_path / "broken.zip"
    package.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == BROKEN_ARCHIVE


def test_a_zip_bomb_is_refused_before_unpacking(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    zeros = bytes(5_000_000)
    package = write_package(tmp_path / "bomb.zip", [document_entry(zeros)], {f"files/{sha(zeros)}": zeros})
    assert package.stat().st_size < 100_000
    with pytest.raises(TooLarge) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == ZIP_BOMB


def test_a_path_outside_the_package_is_refused(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    package = write_package(tmp_path / "evil.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": PDF},
                            extra={"../../etc/cron.d/evil": b"* * * * * root true\n"})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == UNSAFE_PATH


@pytest.mark.parametrize(("change", "where"), [
    (lambda e: e["versions"][0].update(number="1"), "number"),
    (lambda e: e.update(grades=["6"]), "grades"),
    (lambda e: e.update(kind="hologram"), "kind"),
    (lambda e: e.update(title="x" * 201), "title"),
    (lambda e: e.update(uid="../../x"), "uid"),
    (lambda e: e["versions"][0]["file"].update(sha256="../" + "0" * 61), "sha256"),
    (lambda e: e.update(owner_id=1), "owner_id"),
])
def test_a_manifest_with_wrong_types_is_refused(db: Session, world, tmp_path: Path, unchanged, change,  # noqa: ANN001
                                                where: str) -> None:
    entry = document_entry(PDF)
    change(entry)
    package = write_package(tmp_path / "bad.zip", [entry], {f"files/{sha(PDF)}": PDF})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == reading.BAD_MANIFEST
    assert where in refused.value.params["where"]


def test_a_file_whose_bytes_do_not_match_its_name_is_refused(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    damaged = PDF[:-10] + b"0123456789"
    package = write_package(tmp_path / "damaged.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": damaged})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == reading.HASH_MISMATCH


def test_a_file_the_manifest_does_not_name_or_lacks_is_refused(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    extra = write_package(tmp_path / "extra.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": PDF},
                          extra={"files/notes.txt": b"hello"})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, extra)
    assert refused.value.message == reading.UNEXPECTED_MEMBER
    missing = write_package(tmp_path / "missing.zip", [document_entry(PDF)], {})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, missing)
    assert refused.value.message == reading.MISSING_FILE


def test_a_file_of_the_wrong_type_for_its_kind_is_refused_as_an_upload_would_be(db: Session, world, tmp_path: Path,
                                                                                 unchanged) -> None:  # noqa: ANN001
    good = document_entry(PDF)
    video = document_entry(PDF, kind="video")  # a PDF is no video, whatever the manifest says
    page = {"uid": str(uuid.uuid4()), "title": "Ảnh", "kind": "page",
            "versions": [{"number": 1, "created_at": "2025-03-01T08:00:00Z", "status": "draft", "body_markdown": "# A"}],
            "images": [{"file": {"sha256": sha(PDF), "size": len(PDF), "type": "pdf"}, "file_name": "a.png"}]}
    package = write_package(tmp_path / "types.zip", [good, video, page], {f"files/{sha(PDF)}": PDF})
    with pytest.raises(importer.PackageRejected) as refused:
        import_as(db, world.teacher, package)
    problems = {p.entry.uid: [e.message for e in p.errors] for p in refused.value.report.plans}
    assert problems[good["uid"]] == []
    assert problems[video["uid"]] == [service.WRONG_FILE_TYPE]
    assert problems[page["uid"]] == [reading.NOT_AN_IMAGE]


def test_an_oversized_package_is_refused(db: Session, world, tmp_path: Path, unchanged, monkeypatch) -> None:  # noqa: ANN001
    package = write_package(tmp_path / "big.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": PDF})
    monkeypatch.setattr(get_settings(), "max_package_bytes", package.stat().st_size - 1)
    with pytest.raises(TooLarge):
        import_as(db, world.teacher, package)


def test_a_file_over_its_kinds_upload_limit_is_refused(db: Session, world, tmp_path: Path, unchanged,  # noqa: ANN001
                                                       monkeypatch) -> None:
    monkeypatch.setitem(get_settings().upload_limits_mb, "document", 0)
    package = write_package(tmp_path / "doc.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": PDF})
    with pytest.raises(TooLarge):
        import_as(db, world.teacher, package)


def test_students_may_neither_export_nor_import(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    package = write_package(tmp_path / "ok.zip", [document_entry(PDF)], {f"files/{sha(PDF)}": PDF})
    with pytest.raises(Forbidden):
        import_as(db, world.student, package)
    with pytest.raises(Forbidden):
        export_as(db, world.student)


def test_a_material_of_someone_else_here_is_not_changed(db: Session, world, tmp_path: Path) -> None:
    mine = service.create_material(db=db, actor=world.teacher, body_markdown="# A",
                                   fields=service.MaterialFields(title="Bài A", kind="page", visibility="school"))
    package = export_as(db, world.teacher, material_ids=(mine.id,))
    service.add_text_version(db=db, actor=world.teacher, material_id=mine.id, body_markdown="# A2")
    before_rows = counts(db)
    with pytest.raises(importer.PackageRejected) as refused:
        import_as(db, world.other_teacher, package)
    assert [e.message for p in refused.value.report.plans for e in p.errors] == [importer.OTHER_OWNER]
    assert counts(db) == before_rows


def test_a_teacher_cannot_export_another_schools_private_materials(db: Session, world) -> None:
    theirs = service.create_material(db=db, actor=world.other_school_teacher, body_markdown="# B",
                                     fields=service.MaterialFields(title="Bài B", kind="page"))
    with pytest.raises(NotFound):
        export_as(db, world.teacher, material_ids=(theirs.id,))
    with pytest.raises(NotFound):
        export_as(db, world.teacher, school_id=world.other_school.id)


def test_a_colleague_exports_only_the_published_version(db: Session, world, plugin_host) -> None:
    page = service.create_material(db=db, actor=world.other_teacher, body_markdown="# Bản công bố",
                                   fields=service.MaterialFields(title="Bài C", kind="page", visibility="school"))
    review.publish(db=db, actor=world.other_teacher, host=plugin_host, material_id=page.id, number=1)
    service.add_text_version(db=db, actor=world.other_teacher, material_id=page.id, body_markdown="# Bản nháp")
    package = export_as(db, world.teacher, material_ids=(page.id,))
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [v["body_markdown"] for v in manifest["materials"][0]["versions"]] == ["# Bản công bố"]
    # a school administrator sees every version of the school's materials, and exports them by default
    package = export_as(db, world.school_admin)
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    found = {m["uid"]: [v["body_markdown"] for v in m["versions"]] for m in manifest["materials"]}
    assert found[page.uid] == ["# Bản công bố", "# Bản nháp"]
    # department staff of the area export only what is published
    package = export_as(db, world.province_staff)
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    found = {m["uid"]: [v["body_markdown"] for v in m["versions"]] for m in manifest["materials"]}
    assert found[page.uid] == ["# Bản công bố"]
    assert db.get(Material, page.id).published_version_id is not None


def test_a_package_of_the_same_material_twice_is_refused(db: Session, world, tmp_path: Path, unchanged) -> None:  # noqa: ANN001
    entry = document_entry(PDF)
    package = write_package(tmp_path / "twice.zip", [entry, entry], {f"files/{sha(PDF)}": PDF})
    with pytest.raises(Invalid) as refused:
        import_as(db, world.teacher, package)
    assert refused.value.message == reading.BAD_MANIFEST
