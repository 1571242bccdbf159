"""The repository's index follows the materials: publishing, archiving, new versions, edits, and full rebuilds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from content.materials import service as materials
from content.materials.models import Material
from content.repository import index, service
from content.repository.models import RepositoryEntry, RepositoryPosting
from content.repository.tokens import count_tokens, highlight, query_terms
from content.review import service as review
from lms_core.plugins.host import PluginHost
from tests.content.test_repository_search import TEA, found, publish_current, share
from tests.content.test_review_workflow import plugin_host  # noqa: F401


def snapshot(db: Session) -> tuple[list[Any], list[Any]]:
    """Return every posting and every entry (without the time it was written), in a stable order."""
    db.expire_all()
    postings = db.execute(select(RepositoryPosting.token, RepositoryPosting.material_id, RepositoryPosting.tf,
                                 RepositoryPosting.section)
                          .order_by(RepositoryPosting.material_id, RepositoryPosting.token)).all()
    entries = db.execute(select(RepositoryEntry.material_id, RepositoryEntry.version_id, RepositoryEntry.length,
                                RepositoryEntry.source_sha256, RepositoryEntry.published_at, RepositoryEntry.reuse_count)
                         .order_by(RepositoryEntry.material_id)).all()
    return [tuple(p) for p in postings], [tuple(e) for e in entries]


def entries(db: Session) -> int:
    """Return how many materials the index holds."""
    return db.scalar(select(func.count()).select_from(RepositoryEntry))


def test_tokens_keep_accented_and_accent_free_forms_and_bigrams() -> None:
    counts, syllables = count_tokens("Chè Tân Cương, chè xanh")
    assert syllables == 5
    assert counts["chè"] == 2 and counts["che"] == 2 and counts["tân_cương"] == 1 and counts["tan_cuong"] == 1
    assert "cương_chè" not in counts and "cuong_che" not in counts  # a comma ends the phrase
    terms = query_terms("Chè tan")
    assert terms.weights["chè"] > terms.weights["che"] and terms.weights["tan"] == 1.0
    assert terms.required == {"che", "tan"}


def test_snippets_are_escaped_before_words_are_marked() -> None:
    snippet = highlight("<script>alert('chè')</script> Chè Tân Cương", query_terms("che"))
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert snippet.count("<mark>") == 2 and "<mark>Chè</mark> Tân" in snippet


def test_archiving_takes_a_material_out_of_search(db: Session, world, client_for,
                                                  plugin_host: PluginHost) -> None:  # noqa: F811
    material = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    assert found(db, world.student, "che") == ["Chè Tân Cương"] and entries(db) == 1
    answer = client_for(world.teacher).post(f"/api/materials/{material.id}/versions/1/archive")
    assert answer.status_code == 200
    assert found(db, world.student, "che") == [] and found(db, world.student) == []
    assert entries(db) == 0 and db.scalar(select(func.count()).select_from(RepositoryPosting)) == 0


def test_a_new_published_version_replaces_the_old_words(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    material = share(db, plugin_host, world.teacher, world.school_admin, title="Bài đọc", text="Giữ lửa nhỏ khi sao chè.")
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id,
                               body_markdown="Đun nước sôi rồi pha trà.")
    assert found(db, world.student, "lua nho") == ["Bài đọc"]  # the draft is not published yet
    assert found(db, world.student, "nuoc soi") == []
    publish_current(db, plugin_host, material, world.teacher, world.school_admin)
    assert found(db, world.student, "lua nho") == []
    hits = service.search(db=db, actor=world.student, q="nước sôi").hits
    assert [h.version_number for h in hits] == [2] and "<mark>nước</mark> <mark>sôi</mark>" in hits[0].snippet


def test_leaving_the_shared_repository_or_renaming_updates_the_index(db: Session, world,
                                                                     plugin_host: PluginHost) -> None:  # noqa: F811
    material = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)

    def fields(**changes: Any) -> materials.MaterialFields:
        base = {"title": material.title, "kind": "page", "visibility": "shared", "tags": ()}
        return materials.MaterialFields(**(base | changes))

    materials.update_fields(db=db, actor=world.teacher, material_id=material.id,
                            fields=fields(title="Đồi chè Thái Nguyên", tags=("đặc sản",)))
    assert found(db, world.student, "doi che") == ["Đồi chè Thái Nguyên"]
    assert found(db, world.student, "dac san") == ["Đồi chè Thái Nguyên"]
    materials.update_fields(db=db, actor=world.teacher, material_id=material.id, fields=fields(visibility="school"))
    assert entries(db) == 0 and found(db, world.teacher, "che") == []
    materials.update_fields(db=db, actor=world.teacher, material_id=material.id, fields=fields(visibility="shared"))
    assert found(db, world.student, "che") == ["Đồi chè Thái Nguyên"]  # its published version was reviewed: back in


def test_reindex_all_rebuilds_the_same_postings(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA, tags=("chè", "địa lý"))
    share(db, plugin_host, world.teacher, world.school_admin, title="Tên lửa nước", text="Áp suất đẩy nước ra sau.",
          description="Thí nghiệm cho lớp 6")
    share(db, plugin_host, world.other_school_teacher, world.other_school_admin, title="Góc đọc", text="Sách theo chủ đề.")
    before = snapshot(db)
    assert len(before[1]) == 3
    assert index.reindex_all(db) == index.ReindexReport(indexed=0, unchanged=3, removed=0)  # nothing to do
    db.execute(delete(RepositoryPosting))
    db.execute(delete(RepositoryEntry))
    db.commit()
    assert found(db, world.student, "che") == []
    seen: list[tuple[int, int]] = []
    report = index.reindex_all(db, progress=lambda done, total: seen.append((done, total)))
    assert report == index.ReindexReport(indexed=3, unchanged=0, removed=0) and seen[-1] == (3, 3)
    assert snapshot(db) == before
    assert index.reindex_all(db, force=True).indexed == 3 and snapshot(db) == before


def test_reindex_all_drops_what_no_longer_belongs(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    kept = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    gone = share(db, plugin_host, world.teacher, world.school_admin, title="Tên lửa nước", text="Áp suất.")
    db.execute(update(Material).where(Material.id == gone.id).values(visibility="private"))  # behind the ORM's back
    db.commit()
    assert found(db, world.student, "ten lua") == []  # the search checks the material itself, not only the index
    report = index.reindex_all(db)
    assert report.removed == 1 and [e[0] for e in snapshot(db)[1]] == [kept.id]


def test_the_search_keeps_the_permission_filter(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    material = share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    world.student.is_active = False
    db.commit()
    assert found(db, world.student, "che") == [] and found(db, world.student) == []
    world.student.is_active = True
    db.commit()
    # an entry left behind for an older version (a crash between publication and indexing) is not served
    draft = materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown="Chè mới.")
    db.execute(update(RepositoryEntry).where(RepositoryEntry.material_id == material.id).values(version_id=draft.id))
    assert found(db, world.student, "che") == []
    review.archive(db=db, actor=world.teacher, material_id=material.id, number=1)
    assert entries(db) == 0
