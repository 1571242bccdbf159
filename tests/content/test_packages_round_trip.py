"""Portable packages: export → import on another server keeps titles, versions, bytes, images and mapping; importing
again adds nothing; a newer export adds only its new versions; nothing arrives published; a crash keeps nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.curriculum.seed import ensure_curriculum
from content.curriculum.service import set_material_items
from content.materials import images, service, storage
from content.materials.models import (Material, MaterialImage, MaterialVersion, ReviewEvent, StoredFile,
                                      VersionStatus)
from content.packages import export, importer
from content.review import service as review
from lms_core.accounts.models import Role, RoleAssignment
from lms_core.org.models import Subject
from lms_core.settings import get_settings
from tests.builders import make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\xa5\xf7\xa9\xc1\x00\x00\x00\x00IEND\xaeB`\x82")
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + bytes(64)
PAGE_V1 = "# Chè Tân Cương\n\nChè được trồng trên đồi.\n"


def fields(title: str, kind: str, **extra: object) -> service.MaterialFields:
    """Return the describing fields of a test material."""
    return service.MaterialFields(title=title, kind=kind, **extra)


def upload(db: Session, actor, material: Material, name: str, data: bytes | None = None) -> MaterialVersion:  # noqa: ANN001
    """Upload a fixture file (or bytes) as a new version."""
    blob = data if data is not None else (FIXTURES / name).read_bytes()
    return service.add_file_version(db=db, actor=actor, material_id=material.id, stream=io.BytesIO(blob), filename=name)


def build_source(db: Session, world, host) -> dict[str, Material]:  # noqa: ANN001
    """Build a teacher's materials of every shape: a page with an image and mapping, a document, a video, a link."""
    ensure_curriculum(db)
    teacher = world.teacher
    cn = db.scalar(select(Subject).where(Subject.code == "CN"))
    page = service.create_material(db=db, actor=teacher, body_markdown=PAGE_V1, note="bản đầu", fields=fields(
        "Chè Tân Cương", "page", description="Bài đọc về vùng chè", subject_id=cn.id, grades=(6,),
        visibility="school", tags=("chè", "Thái Nguyên"), licence="CC-BY-4.0"))
    image = images.add_image(db=db, actor=teacher, material_id=page.id, stream=io.BytesIO(PNG), filename="đồi chè.png")
    service.add_text_version(db=db, actor=teacher, material_id=page.id, note="thêm ảnh",
                             body_markdown=PAGE_V1 + f"\n![Đồi chè](/page-images/{image.sha256})\n")
    review.publish(db=db, actor=teacher, host=host, material_id=page.id, number=2)
    national = db.scalar(select(CurriculumItem).where(CurriculumItem.province_id.is_(None),
                                                     CurriculumItem.subject_id == cn.id, CurriculumItem.grade == 6,
                                                     CurriculumItem.parent_id.is_(None)).order_by(CurriculumItem.id))
    own = CurriculumItem(province_id=world.province.id, subject_id=cn.id, grade=6, kind="topic", key="P1-CHE",
                         title="Chủ đề riêng của tỉnh", periods=2)
    db.add(own)
    db.commit()
    set_material_items(db=db, actor=teacher, material_id=page.id, item_ids=[national.id, own.id])

    document = service.create_material(db=db, actor=teacher, fields=fields("Tên lửa nước", "document", grades=(7,)))
    upload(db, teacher, document, "water_rocket.pdf")
    upload(db, teacher, document, "reading_culture.docx")

    video = service.create_material(db=db, actor=teacher, fields=fields("Sao chè", "video"))
    upload(db, teacher, video, "sao-che.mp4", data=MP4)
    service.attach_transcript(db=db, actor=teacher, material_id=video.id,
                              stream=io.BytesIO((FIXTURES / "tea_video.vtt").read_bytes()))

    link = service.create_material(db=db, actor=teacher, fields=fields("Bảo tàng chè", "link"),
                                   external_url="https://example.org/bao-tang-che")
    return {"page": page, "document": document, "video": video, "link": link}


def export_as(db: Session, actor, **selection: object) -> Path:  # noqa: ANN001
    """Export as an actor and return the package's path."""
    return export.export_package(db=db, actor=actor, selection=export.Selection(**selection)).path


def import_as(db: Session, actor, path: Path, *, dry_run: bool = False) -> importer.ImportReport:  # noqa: ANN001
    """Import a package as an actor."""
    return importer.import_package(db=db, actor=actor, path=path, package_sha256="0" * 64, dry_run=dry_run)


def forget_on_this_server(db: Session, uids: list[str]) -> None:
    """Delete materials with every row of theirs, as if this database had never held them (another server)."""
    ids = select(Material.id).where(Material.uid.in_(uids)).scalar_subquery()
    db.execute(update(Material).where(Material.id.in_(ids)).values(current_version_id=None, published_version_id=None))
    db.execute(delete(Material).where(Material.uid.in_(uids)))
    db.commit()
    db.expire_all()


@pytest.fixture()
def other_server(db: Session, world, tmp_path: Path, monkeypatch):  # noqa: ANN001, ANN201
    """Return a function that turns this test's database and files into a fresh other server; then its teacher."""

    def switch(uids: list[str]):  # noqa: ANN202
        forget_on_this_server(db, uids)
        monkeypatch.setattr(get_settings(), "var_dir", tmp_path / "other-var")
        teacher = make_user(db, "gvc-far", "Giáo Viên C", RoleAssignment(role=Role.teacher, school_id=world.far_school.id),
                            school=world.far_school)
        db.commit()
        return teacher

    return switch


def counts(db: Session) -> tuple[int, int, int, int, int]:
    """Return (materials, versions, images, mappings, stored file rows)."""
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in  # type: ignore[return-value]
                 (Material, MaterialVersion, MaterialImage, MaterialCurriculumItem, StoredFile))


def files_on_disk() -> set[Path]:
    """Return the files kept under var/files/ (not the staging area)."""
    return {p for p in storage.files_dir().rglob("*") if p.is_file() and "tmp" not in p.relative_to(storage.files_dir()).parts}


def snapshot(db: Session, material: Material) -> dict[str, object]:
    """Return what a person would compare between two servers' copies of a material."""
    db.refresh(material)
    return {
        "title": material.title, "description": material.description, "kind": material.kind,
        "grades": material.grades, "tags": sorted(material.tags), "licence": material.licence,
        "visibility": material.visibility,
        "versions": [(v.body_markdown, v.file_sha256, v.file_name, v.transcript_sha256, v.external_url, v.note,
                      [s.text for s in v.sections]) for v in material.versions],
    }


def test_round_trip_keeps_everything_and_a_second_import_adds_nothing(db: Session, world, plugin_host, other_server) -> None:
    source = build_source(db, world, plugin_host)
    before = {k: snapshot(db, m) for k, m in source.items()}
    source_bytes = {sha: storage.path_for(sha).read_bytes() for sha in
                    {v[1] for s in before.values() for v in s["versions"] if v[1]}
                    | {v[3] for s in before.values() for v in s["versions"] if v[3]}}
    image_sha = db.scalar(select(MaterialImage.sha256).where(MaterialImage.material_id == source["page"].id))
    source_bytes[image_sha] = storage.path_for(image_sha).read_bytes()
    uids = {k: m.uid for k, m in source.items()}
    package = export_as(db, world.teacher)
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == sorted(["manifest.json", *(f"files/{sha}" for sha in source_bytes)])
    assert {m["uid"] for m in manifest["materials"]} == set(uids.values())

    teacher_c = other_server(list(uids.values()))
    assert files_on_disk() == set()
    report = import_as(db, teacher_c, package)
    assert (report.new_materials, report.new_versions, report.skipped_versions) == (4, 7, 0)
    assert report.new_images == 1 and report.new_mappings == 1
    # the province's own topic does not exist in the other province: a warning, not a failure
    assert any("P1-CHE" in w.text() for w in report.warnings)

    for key, uid in uids.items():
        copy = db.scalar(select(Material).where(Material.uid == uid))
        assert copy.owner_id == teacher_c.id and copy.school_id == world.far_school.id
        assert snapshot(db, copy) == before[key]
    for sha, data in source_bytes.items():
        assert storage.path_for(sha).read_bytes() == data
    page = db.scalar(select(Material).where(Material.uid == uids["page"]))
    image = db.scalar(select(MaterialImage).where(MaterialImage.material_id == page.id))
    assert image.sha256 == image_sha and image.file_name == "đồi chè.png"
    mapped = db.scalars(select(CurriculumItem.key).join(MaterialCurriculumItem).where(
        MaterialCurriculumItem.material_id == page.id)).all()
    assert len(mapped) == 1 and mapped[0] != "P1-CHE"

    after_first = counts(db)
    disk = files_on_disk()
    again = import_as(db, teacher_c, package)
    assert (again.new_materials, again.new_versions, again.new_images, again.new_mappings) == (0, 0, 0, 0)
    assert again.skipped_versions == 7
    assert counts(db) == after_first and files_on_disk() == disk


def test_nothing_arrives_published_and_history_names_the_package(db: Session, world, plugin_host, other_server) -> None:
    source = build_source(db, world, plugin_host)
    uid = source["page"].uid
    package = export_as(db, world.teacher, material_ids=(source["page"].id,))
    teacher_c = other_server([uid])
    report = importer.import_package(db=db, actor=teacher_c, path=package, package_sha256="ab" * 32, dry_run=False)
    assert report.applied
    page = db.scalar(select(Material).where(Material.uid == uid))
    assert page.published_version_id is None
    # the version published at the source waits for a reviewer here; the older one is a draft
    assert [v.status for v in page.versions] == [VersionStatus.draft, VersionStatus.submitted]
    events = db.scalars(select(ReviewEvent).join(MaterialVersion).where(MaterialVersion.material_id == page.id)
                        .order_by(ReviewEvent.id)).all()
    assert len(events) == 2 and all(e.comment.startswith("⇐ abababababab") for e in events)
    assert "v2 (published)" in events[1].comment and "Giáo Viên A" in events[1].comment


def test_a_newer_export_adds_only_the_new_versions(db: Session, world, plugin_host, other_server) -> None:
    source = build_source(db, world, plugin_host)
    first = export_as(db, world.teacher, material_ids=(source["page"].id, source["link"].id))
    keep = Path(first.parent / "first-copy.zip")
    keep.write_bytes(first.read_bytes())
    service.add_text_version(db=db, actor=world.teacher, material_id=source["page"].id, body_markdown=PAGE_V1 + "\nThêm.")
    newer = export_as(db, world.teacher, material_ids=(source["page"].id, source["link"].id))
    newer_copy = Path(newer.parent / "newer-copy.zip")
    newer_copy.write_bytes(newer.read_bytes())
    uids = [source["page"].uid, source["link"].uid]
    teacher_c = other_server(uids)
    assert import_as(db, teacher_c, keep).new_versions == 3
    before = counts(db)
    report = import_as(db, teacher_c, newer_copy)
    assert (report.new_materials, report.new_versions, report.skipped_versions) == (0, 1, 3)
    page = db.scalar(select(Material).where(Material.uid == uids[0]))
    db.refresh(page)
    assert [v.number for v in page.versions] == [1, 2, 3]
    assert page.versions[-1].body_markdown.endswith("Thêm.")
    assert counts(db)[1] == before[1] + 1


def test_a_restored_version_comes_back_in_order(db: Session, world, other_server) -> None:
    page = service.create_material(db=db, actor=world.teacher, fields=fields("Sao chè", "page"), body_markdown="A")
    service.add_text_version(db=db, actor=world.teacher, material_id=page.id, body_markdown="B")
    service.restore(db=db, actor=world.teacher, material_id=page.id, number=1)
    package = export_as(db, world.teacher, material_ids=(page.id,))
    uid = page.uid
    teacher_c = other_server([uid])
    import_as(db, teacher_c, package)
    copy = db.scalar(select(Material).where(Material.uid == uid))
    assert [v.body_markdown for v in copy.versions] == ["A", "B", "A"]
    assert import_as(db, teacher_c, package).new_versions == 0


def test_a_crash_in_the_middle_of_an_import_keeps_no_row_and_no_file(db: Session, world, plugin_host, other_server,
                                                                      monkeypatch) -> None:
    source = build_source(db, world, plugin_host)
    package = export_as(db, world.teacher)
    teacher_c = other_server([m.uid for m in source.values()])
    before = counts(db)
    calls: list[int] = []
    real: Callable[..., None] = importer._write_extras

    def crash_on_the_third(*args: object, **kwargs: object) -> None:
        calls.append(1)
        real(*args, **kwargs)
        if len(calls) == 3:  # two materials, their versions and their files are written by now
            raise RuntimeError("power cut")

    monkeypatch.setattr(importer, "_write_extras", crash_on_the_third)
    with pytest.raises(RuntimeError):
        import_as(db, teacher_c, package)
    assert len(calls) == 3
    assert counts(db) == before
    assert files_on_disk() == set()
    assert not any((storage.files_dir() / "tmp").iterdir())


def test_a_dry_run_says_what_would_be_added_and_writes_nothing(db: Session, world, plugin_host, other_server) -> None:
    source = build_source(db, world, plugin_host)
    package = export_as(db, world.teacher)
    teacher_c = other_server([m.uid for m in source.values()])
    before = counts(db)
    report = import_as(db, teacher_c, package, dry_run=True)
    assert (report.applied, report.new_materials, report.new_versions, report.new_files) == (False, 4, 7, 5)
    assert counts(db) == before and files_on_disk() == set()


def test_a_school_only_material_leaves_with_its_school_and_enters_no_other(db: Session, world, plugin_host,
                                                                           other_server) -> None:
    """The school-only licence: the school's own staff export such a material and the package names the school;
    department staff's exports leave it home; another school's import is refused whole, naming the school; the
    same school takes it back."""
    teacher = world.teacher
    world.school.code = "THCS-NGUYEN-DU-HN-01"  # codes run to 32 characters
    db.commit()
    inside = service.create_material(db=db, actor=teacher, body_markdown=PAGE_V1, fields=fields(
        "Đề cương nội bộ", "page", visibility="school", licence="school-only"))
    shared = service.create_material(db=db, actor=teacher, body_markdown=PAGE_V1 + "\nChia sẻ.\n", fields=fields(
        "Bài đọc chia sẻ", "page", visibility="school", licence="CC-BY-4.0"))
    for material in (inside, shared):  # published: what department staff may see of a school
        review.publish(db=db, actor=teacher, host=plugin_host, material_id=material.id, number=1)
    package = export_as(db, teacher)
    with zipfile.ZipFile(package) as archive:
        entries = {m["title"]: m for m in json.loads(archive.read("manifest.json"))["materials"]}
    assert set(entries) == {"Đề cương nội bộ", "Bài đọc chia sẻ"}
    assert entries["Đề cương nội bộ"]["school_code"] == world.school.code
    assert "school_code" not in entries["Bài đọc chia sẻ"]  # other licences: the format as servers before it read it

    for outsider in (world.district_staff, world.province_staff):
        with zipfile.ZipFile(export_as(db, outsider, school_id=world.school.id)) as archive:
            titles = {m["title"] for m in json.loads(archive.read("manifest.json"))["materials"]}
        assert titles == {"Bài đọc chia sẻ"}, outsider.username

    teacher_c = other_server([inside.uid, shared.uid])
    before = counts(db)
    with pytest.raises(importer.PackageRejected) as refused:
        import_as(db, teacher_c, package)
    assert refused.value.details == [{"uid": inside.uid, "title": "Đề cương nội bộ", "errors": [
        f"Học liệu này chỉ được dùng trong {world.school.name} (theo giấy phép): không thể nhập vào trường khác."]}]
    assert counts(db) == before
    back = import_as(db, teacher, package)
    assert back.applied and back.new_materials == 2

    # a package made before packages named the school: back into the school that holds the material, not elsewhere
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {n: archive.read(n) for n in archive.namelist() if n != "manifest.json"}
    for entry in manifest["materials"]:
        entry.pop("school_code", None)
    older = package.with_name("older.zip")
    with zipfile.ZipFile(older, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for name, data in files.items():
            archive.writestr(name, data)
    assert import_as(db, teacher, older).applied
    with pytest.raises(importer.PackageRejected) as unknown:
        import_as(db, teacher_c, older)
    errors = {d["title"]: d["errors"] for d in unknown.value.details}  # (the shared one: someone else's here now)
    assert errors["Đề cương nội bộ"] == ["Học liệu này chỉ được dùng trong trường đã tạo ra nó (theo giấy phép), nhưng "
                                         "gói không cho biết đó là trường nào: hãy xuất lại gói từ trường đó."]
