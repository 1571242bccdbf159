"""The indexing pipeline and retrieval on a real database and the real (offline) embedding model: publishing makes
chunks with their addresses, unchanged text is never embedded twice, each school is a shard of its own, and a student
gets passages only of the materials their course pins — never another class's private material."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import content.plugin
from ai_tutor import indexing, retrieval
from ai_tutor.embeddings import get_embedder
from ai_tutor.models import TutorChunk, TutorEmbedding, TutorShard, shard_of
from ai_tutor.snapshots import SnapshotCache, index_root, read_pointer
from content.materials import service as materials
from content.review import service as review
from lms_core.courses import service as courses
from lms_core.plugins.host import PluginHost

pytestmark = pytest.mark.db

TEA = """# Chè Tân Cương

## Vùng đất Tân Cương

Tân Cương nằm ở phía tây thành phố Thái Nguyên, nổi tiếng với những đồi chè xanh.

## Sao chè

Người làm chè sao chè bằng chảo gang trên bếp củi, đảo đều tay cho đến khi búp chè săn lại và dậy mùi thơm cốm.
"""
CIRCUIT = """# Định luật Ôm

## Công thức

Cường độ dòng điện chạy qua dây dẫn tỉ lệ thuận với hiệu điện thế: U = I · R, với R là điện trở.
"""
SECRET = """# Bài riêng lớp 7A

## Mật mã

Mật mã của câu lạc bộ bí mật là con mèo tím nhảy qua cầu vồng.
"""


@pytest.fixture(autouse=True)
def own_index_dir(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from lms_core.settings import get_settings

    monkeypatch.setattr(get_settings(), "tutor_index_dir", tmp_path / "index")


@pytest.fixture()
def host() -> PluginHost:
    return PluginHost(load_entry_points=False, plugins={"content": content.plugin})


def _page(db: Session, host: PluginHost, owner: Any, title: str, text: str, visibility: str = "school") -> Any:
    fields = materials.MaterialFields(title=title, kind="page", visibility=visibility)
    material = materials.create_material(db=db, actor=owner, fields=fields, body_markdown=text)
    review.publish(db=db, actor=owner, host=host, material_id=material.id, number=1)
    return material


def _course(db: Session, world: Any, host: PluginHost, klass: Any, grade: int, pinned: list[Any]) -> Any:
    fields = courses.CourseFields(title=f"Khoá {klass.name}", subject_id=world.subject.id, grade=grade,
                                  academic_year_id=world.year.id, class_ids=(klass.id,))
    course = courses.create_course(db=db, actor=world.teacher, fields=fields)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    for m in pinned:
        courses.add_activity(db=db, actor=world.teacher, types=host.activity_types(), lesson_id=lesson.id,
                             type="material", title=m.title, settings={"material_id": m.id})
    return course


def test_publishing_indexes_chunks_with_addresses_and_unchanged_text_is_not_embedded_again(
        db: Session, world, host: PluginHost) -> None:
    tea = _page(db, host, world.teacher, "Chè Tân Cương", TEA)
    report = indexing.index_version(db, tea.published_version_id)
    shard = shard_of(world.school.id)
    assert report.shard == shard and report.chunks >= 2 and report.embedded == report.chunks
    rows = list(db.scalars(select(TutorChunk).where(TutorChunk.material_id == tea.id).order_by(TutorChunk.position)))
    assert [r.heading_path[-1] for r in rows] == ["Vùng đất Tân Cương", "Sao chè"]
    state = db.get(TutorShard, shard)
    assert state.built_generation == state.generation and read_pointer(index_root() / shard) == report.snapshot
    # the same version again: no new chunks; a rebuild embeds nothing
    assert indexing.index_version(db, tea.published_version_id).embedded == 0
    assert db.scalar(select(func.count()).select_from(TutorChunk)) == len(rows)
    # a new version changing one section embeds only that section's chunk
    materials.add_text_version(db=db, actor=world.teacher, material_id=tea.id,
                               body_markdown=TEA.replace("đồi chè xanh", "đồi chè xanh mướt"))
    review.publish(db=db, actor=world.teacher, host=host, material_id=tea.id, number=2)
    db.refresh(tea)
    again = indexing.index_version(db, tea.published_version_id)
    assert again.embedded == 1 and again.chunks == 2 * len(rows)
    assert db.scalar(select(func.count()).select_from(TutorEmbedding)) == len(rows) + 1


def test_each_school_is_a_shard_and_one_schools_publishing_leaves_the_others_snapshot_alone(
        db: Session, world, host: PluginHost) -> None:
    ours = _page(db, host, world.teacher, "Chè", TEA)
    theirs = _page(db, host, world.other_school_teacher, "Ôm", CIRCUIT)
    indexing.index_version(db, theirs.published_version_id)
    their_shard = index_root() / shard_of(world.other_school.id)
    before = read_pointer(their_shard)
    indexing.index_version(db, ours.published_version_id)
    assert read_pointer(their_shard) == before
    assert read_pointer(index_root() / shard_of(world.school.id)) is not None


def test_a_student_gets_passages_only_of_the_materials_their_course_pins(db: Session, world, host: PluginHost) -> None:
    tea = _page(db, host, world.teacher, "Chè Tân Cương", TEA)
    ohm = _page(db, host, world.teacher, "Định luật Ôm", CIRCUIT)
    secret = _page(db, host, world.teacher, "Bài riêng lớp 7A", SECRET, visibility="private")
    course_6a = _course(db, world, host, world.class_6a, 6, [tea, ohm])
    _course(db, world, host, world.class_7a, 7, [secret])
    indexing.catch_up(db)
    cache = SnapshotCache()
    visible = retrieval.course_versions(db, course_6a.id)
    assert set(visible.values()) == {tea.id, ohm.id}
    # the secret's own words, asked in 6A's course: nothing of it comes back, whatever the index holds
    found = retrieval.search(db, version_ids=visible, question="mật mã câu lạc bộ bí mật con mèo tím", k=10,
                             cache=cache)
    assert found.hits and secret.id not in {h.material_id for h in found.hits}
    # a question typed without diacritics finds its passage by the lexical side
    found = retrieval.search(db, version_ids=visible, question="sao che bang chao gang", k=1, cache=cache)
    assert found.hits[0].material_id == tea.id and found.hits[0].heading_path[-1] == "Sao chè"
    assert found.language == "vi" and not found.rebuilding
    found = retrieval.search(db, version_ids=visible, question="What is Ohm's law formula U = I R?", k=1,
                             cache=cache)
    assert found.hits[0].material_id == ohm.id
    # a policy narrowing the course to one material narrows retrieval to it
    only_tea = retrieval.course_versions(db, course_6a.id, material_ids=[tea.id])
    found = retrieval.search(db, version_ids=only_tea, question="điện trở", k=5, cache=cache)
    assert {h.material_id for h in found.hits} <= {tea.id}


def test_an_index_directory_deleted_on_disk_is_rebuilt_from_the_database(db: Session, world, host: PluginHost) -> None:
    import shutil

    tea = _page(db, host, world.teacher, "Chè Tân Cương", TEA)
    indexing.index_version(db, tea.published_version_id)
    shutil.rmtree(index_root())
    cache = SnapshotCache()
    found = retrieval.search(db, version_ids=[tea.published_version_id], question="sao chè", cache=cache)
    assert found.rebuilding and found.hits == []
    assert indexing.mark_missing_snapshots(db) == [shard_of(world.school.id)]
    reports = indexing.catch_up(db)
    assert [r.embedded for r in reports] == [0]  # the vectors come back from the database's cache
    found = retrieval.search(db, version_ids=[tea.published_version_id], question="sao chè", cache=cache)
    assert not found.rebuilding and found.hits[0].material_id == tea.id


def test_the_embedder_is_the_bundled_offline_model() -> None:
    embedder = get_embedder()
    assert embedder.name == "all-MiniLM-L6-v2" and embedder.dim == 384
    v = embedder.encode(["Chè Tân Cương", "tea from Tân Cương"])
    assert v.shape == (2, 384) and abs(float((v[0] ** 2).sum()) - 1.0) < 1e-4
