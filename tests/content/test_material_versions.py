"""Materials keep immutable versions; uploads are typed by their bytes and stored once; refusals keep nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.materials import service, storage
from content.materials.models import Material, MaterialVersion, StoredFile
from lms_core.errors import Forbidden, Invalid, NotFound, TooLarge
from lms_core.settings import get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
PAGE = "# Chè Tân Cương\n\nChè được trồng trên đồi.\n\n## Sao chè\n\nSao bằng chảo gang."


def page(db: Session, owner, **extra) -> Material:  # noqa: ANN001
    """Create a written page owned by a teacher."""
    fields = service.MaterialFields(title="Chè Tân Cương", kind="page", **extra)
    return service.create_material(db=db, actor=owner, fields=fields, body_markdown=PAGE)


def document(db: Session, owner, **extra) -> Material:  # noqa: ANN001
    """Create a document material (its file comes with an upload)."""
    return service.create_material(db=db, actor=owner, fields=service.MaterialFields(title="Tên lửa nước", kind="document", **extra))


def stored(db: Session) -> tuple[int, int, int]:
    """Return (stored file rows, versions, files on disk outside tmp/)."""
    on_disk = [p for p in storage.files_dir().rglob("*") if p.is_file() and "tmp" not in p.parts]
    return (db.scalar(select(func.count()).select_from(StoredFile)), db.scalar(select(func.count()).select_from(MaterialVersion)),
            len(on_disk))


def upload(db: Session, actor, material: Material, name: str, data: bytes | None = None):  # noqa: ANN001, ANN201
    """Upload a fixture file (or given bytes) as a new version."""
    blob = data if data is not None else (FIXTURES / name).read_bytes()
    return service.add_file_version(db=db, actor=actor, material_id=material.id, stream=io.BytesIO(blob), filename=name)


def test_a_page_keeps_every_version_and_restores_an_old_one(db: Session, world) -> None:
    material = page(db, world.teacher)
    v1 = material.current_version
    assert v1.number == 1 and [s.kind for s in v1.sections][:2] == ["heading", "paragraph"]
    assert v1.sections[-1].address["heading_path"] == ["Chè Tân Cương", "Sao chè"]
    v2 = service.add_text_version(db=db, actor=world.teacher, material_id=material.id,
                                  body_markdown=PAGE.replace("chảo gang", "tay trên chảo"), note="sửa")
    assert v2.number == 2 and v2.text_sha256 != v1.text_sha256
    with pytest.raises(Invalid):
        service.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=v2.body_markdown)
    diff = service.compare(db=db, actor=world.teacher, material_id=material.id, older=1, newer=2)
    assert ("-", "Sao bằng chảo gang.") in diff and ("+", "Sao bằng tay trên chảo.") in diff
    v3 = service.restore(db=db, actor=world.teacher, material_id=material.id, number=1)
    assert v3.number == 3 and v3.restored_from_id == v1.id and v3.body_markdown == v1.body_markdown
    assert v3.text_sha256 == v1.text_sha256
    db.refresh(v1)
    assert v1.body_markdown == PAGE and material.current_version_id == v3.id


def test_text_is_nfc_whatever_encoding_the_browser_sent(db: Session, world) -> None:
    import unicodedata

    material = service.create_material(db=db, actor=world.teacher, fields=service.MaterialFields(title="Trà", kind="page"),
                                       body_markdown=unicodedata.normalize("NFD", "Trà Tân Cương"))
    assert material.current_version.body_markdown == "Trà Tân Cương"


def test_a_pdf_upload_is_stored_once_with_its_pages(db: Session, world) -> None:
    material = document(db, world.teacher)
    v1 = upload(db, world.teacher, material, "water_rocket.pdf")
    assert v1.file.file_type == "pdf" and v1.file_name == "water_rocket.pdf"
    assert {s.address.get("page") for s in v1.sections} >= {1, 2, 3}
    assert storage.path_for(v1.file_sha256).read_bytes() == (FIXTURES / "water_rocket.pdf").read_bytes()
    before = stored(db)
    other = document(db, world.other_teacher)
    again = upload(db, world.other_teacher, other, "water_rocket.pdf")
    assert again.file_sha256 == v1.file_sha256
    after = stored(db)
    assert after[0] == before[0] and after[2] == before[2] and after[1] == before[1] + 1


def test_type_comes_from_the_bytes_not_the_name(db: Session, world) -> None:
    material = document(db, world.teacher)
    v = upload(db, world.teacher, material, "water_rocket_renamed.docx")
    assert v.file.file_type == "pdf"


@pytest.mark.parametrize(("name", "message"), [
    ("picture_named.md", service.WRONG_FILE_TYPE),
    ("broken.pdf", None),
    ("truncated.docx", None),
])
def test_a_refused_upload_keeps_nothing(db: Session, world, name: str, message: str | None) -> None:
    material = document(db, world.teacher)
    before = stored(db)
    with pytest.raises(Invalid) as refused:
        upload(db, world.teacher, material, name)
    if message:
        assert refused.value.message == message
    assert stored(db) == before
    assert not list((storage.files_dir() / "tmp").glob("upload-*"))


def test_random_bytes_are_refused_as_unknown(db: Session, world) -> None:
    material = document(db, world.teacher)
    with pytest.raises(Invalid) as refused:
        upload(db, world.teacher, material, "data.pdf", data=bytes(range(256)) * 10)
    assert refused.value.message == service.UNKNOWN_FILE_TYPE


def test_an_oversized_upload_is_refused_while_streaming(db: Session, world, monkeypatch) -> None:
    monkeypatch.setitem(get_settings().upload_limits_mb, "document", 0)
    material = document(db, world.teacher)
    before = stored(db)
    with pytest.raises(TooLarge):
        upload(db, world.teacher, material, "water_rocket.pdf")
    assert stored(db) == before


def test_a_crash_while_writing_the_version_leaves_no_file_and_no_row(db: Session, world, monkeypatch) -> None:
    material = document(db, world.teacher)
    before = stored(db)

    def crash(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_new_version", crash)
    with pytest.raises(RuntimeError):
        upload(db, world.teacher, material, "reading_culture.docx")
    assert stored(db) == before
    db.refresh(material)
    assert material.current_version_id is None


def test_subtitles_attach_to_a_video_with_timed_sections(db: Session, world) -> None:
    video = service.create_material(db=db, actor=world.teacher, fields=service.MaterialFields(title="Sao chè", kind="video"))
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + bytes(64)
    v1 = upload(db, world.teacher, video, "sao-che.mp4", data=mp4)
    assert v1.file.file_type == "mp4" and v1.sections == []
    v2 = service.attach_transcript(db=db, actor=world.teacher, material_id=video.id,
                                   stream=io.BytesIO((FIXTURES / "tea_video.vtt").read_bytes()))
    assert v2.file_sha256 == v1.file_sha256 and v2.transcript_sha256
    assert any(s.address.get("start") == 192.0 for s in v2.sections)
    with pytest.raises(Invalid):
        service.attach_transcript(db=db, actor=world.teacher, material_id=video.id,
                                  stream=io.BytesIO((FIXTURES / "water_rocket.pdf").read_bytes()))
    doc = document(db, world.teacher)
    with pytest.raises(Invalid) as refused:
        service.attach_transcript(db=db, actor=world.teacher, material_id=doc.id,
                                  stream=io.BytesIO((FIXTURES / "tea_video.vtt").read_bytes()))
    assert refused.value.message == service.NOT_TIMED


def test_only_the_owner_edits_and_private_materials_stay_private(db: Session, world) -> None:
    material = page(db, world.teacher, visibility="school")
    with pytest.raises(Forbidden):  # a colleague who may see it still may not edit it
        material.published_version_id = material.current_version_id
        db.flush()
        service.add_text_version(db=db, actor=world.other_teacher, material_id=material.id, body_markdown="x")
    private = page(db, world.teacher)
    for outsider in (world.student, world.other_teacher, world.other_school_teacher):
        with pytest.raises(NotFound):
            service.get_material(db=db, actor=outsider, material_id=private.id)


def test_lists_show_each_role_what_it_may_see(db: Session, world) -> None:
    private = page(db, world.teacher)
    school_draft = page(db, world.teacher, visibility="school")
    school_published = page(db, world.teacher, visibility="school")
    shared_published = page(db, world.teacher, visibility="shared")
    for m in (school_published, shared_published):
        m.published_version_id = m.current_version_id
    db.commit()

    def ids(actor) -> set[int]:  # noqa: ANN001
        return {m.id for m in service.list_materials(db=db, actor=actor)} & {private.id, school_draft.id, school_published.id, shared_published.id}

    assert ids(world.teacher) == {private.id, school_draft.id, school_published.id, shared_published.id}
    assert ids(world.other_teacher) == {school_published.id, shared_published.id}
    assert ids(world.school_admin) == {school_draft.id, school_published.id, shared_published.id}
    assert ids(world.other_school_teacher) == {shared_published.id}
    assert ids(world.student) == {shared_published.id}
    assert ids(world.district_staff) == {school_published.id, shared_published.id}
    assert ids(world.other_district_staff) == {shared_published.id}


def test_bad_fields_are_refused_and_nothing_is_created(db: Session, world) -> None:
    before = db.scalar(select(func.count()).select_from(Material))
    for fields in (service.MaterialFields(title="", kind="page"), service.MaterialFields(title="x", kind="hologram"),
                   service.MaterialFields(title="x", kind="page", grades=(13,)),
                   service.MaterialFields(title="x", kind="page", subject_id=999999)):
        with pytest.raises(Invalid):
            service.create_material(db=db, actor=world.teacher, fields=fields, body_markdown="Nội dung")
        db.rollback()
    with pytest.raises(Invalid):
        service.create_material(db=db, actor=world.teacher, fields=service.MaterialFields(title="x", kind="link"),
                                external_url="javascript:alert(1)")
    db.rollback()
    with pytest.raises(Forbidden):
        service.create_material(db=db, actor=world.student, fields=service.MaterialFields(title="x", kind="page"),
                                body_markdown="Bài của em")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Material)) == before
