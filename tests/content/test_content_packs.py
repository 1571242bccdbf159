"""Content packs: a pack is read and checked whole; installing puts its materials and questions in the shared
repository, published and mapped; installing twice changes nothing; an upgrade adds versions without overwriting
anyone's edit; a broken pack or a crash mid-install stores nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum.models import MaterialCurriculumItem
from content.curriculum.seed import ensure_curriculum
from content.materials import service as materials
from content.materials import storage
from content.materials.models import Material, MaterialVersion, StoredFile, VersionStatus
from content.packs import install
from content.packs.models import InstalledPack
from content.packs.pack import read_pack
from content.repository import service as repository
from lms_core.assessment import bank
from lms_core.assessment.models import Question, QuestionCurriculumItem, QuestionVersion
from lms_core.errors import Invalid

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "sample-pack"
pytestmark = pytest.mark.db


@pytest.fixture()
def pack_dir(tmp_path: Path) -> Path:
    """Return a copy of the sample pack that a test may change."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "sample-pack"))


def _counts(db: Session) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(t)) for t in (
        Material, MaterialVersion, MaterialCurriculumItem, Question, QuestionVersion, InstalledPack, StoredFile))


def test_sample_pack_reads_without_problems() -> None:
    pack = read_pack(SAMPLE)
    assert pack.problems == []
    assert [m.entry.slug for m in pack.materials] == ["doi-che", "pha-tra"]
    assert {s.address.heading_path[-1] for s in pack.materials[1].sections} >= {"Tráng ấm", "Hãm trà"}
    assert [q.meta.id for q in pack.questions] == ["q1", "q2", "q3"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: (d / "materials" / "pha-tra.md").unlink(), "file materials/pha-tra.md is missing"),
    (lambda d: _replace(d / "pack.toml", '"GDDP/6/3.1"', '"GDDP/6/9.9"'), "GDDP/6/9.9 is not in any shipped tree"),
    (lambda d: _replace(d / "pack.toml", 'slug = "pha-tra"', 'slug = "doi-che"'), "the slug is used twice"),
    (lambda d: _replace(d / "pack.toml", "version = 1", "version = 0"), "pack.toml: pack.version"),
    (lambda d: _replace(d / "questions" / "basic.toml", "correct = true ", "correct = false "), "has no correct answer"),
    (lambda d: _replace(d / "questions" / "basic.toml", 'material = "doi-che"', 'material = "nowhere"'),
     "material nowhere is not in pack.toml"),
    (lambda d: _replace(d / "questions" / "basic.toml", "[[question]]", "[[question]\n"), "not valid TOML"),
    (lambda d: (d / "materials" / "doi-che.md").write_bytes(b"\x00\x01\x02binary"), "which a pack cannot ship"),
])
def test_broken_pack_is_refused_whole_and_stores_nothing(db: Session, world, pack_dir: Path, change,  # noqa: ANN001
                                                          expected: str) -> None:
    ensure_curriculum(db)
    db.commit()
    change(pack_dir)
    pack = read_pack(pack_dir)
    assert any(expected in p for p in pack.problems), pack.problems
    before = _counts(db)
    with pytest.raises(Invalid):
        install.install_pack(db=db, pack=pack)
    assert _counts(db) == before


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_install_publishes_in_the_shared_repository_and_twice_changes_nothing(db: Session, world) -> None:
    ensure_curriculum(db)
    db.commit()
    report = install.install_pack(db=db, pack=read_pack(SAMPLE))
    assert (report.materials_added, report.versions_added, report.questions_added) == (2, 2, 3)
    page = db.scalar(select(Material).where(Material.title == "Pha một ấm trà"))
    assert page.school_id is None and page.visibility == "shared"
    assert page.published_version.status == VersionStatus.published
    assert page.owner_id == install.pack_user(db).id and not install.pack_user(db).is_active
    mapped = db.scalars(select(MaterialCurriculumItem.item_id).where(MaterialCurriculumItem.material_id == page.id))
    assert len(list(mapped)) == 1
    # every teacher, of any school, finds it in the shared repository and sees its questions
    for teacher in (world.teacher, world.other_school_teacher):
        found = repository.search(db=db, actor=teacher, q="hãm trà")
        assert page.id in [h.material.id for h in found.hits]
        q = db.scalar(select(Question).where(Question.uid == read_pack(SAMPLE).questions[1].uid("sample-pack")))
        assert bank.get_question(db=db, actor=teacher, question_id=q.id).school_id is None
    assert db.scalar(select(func.count()).select_from(QuestionCurriculumItem)) == 3
    before = _counts(db)
    again = install.install_pack(db=db, pack=read_pack(SAMPLE))
    assert not again.changed
    assert _counts(db) == before


def test_upgrade_adds_versions_and_never_overwrites_someone_elses_edit(db: Session, world, pack_dir: Path) -> None:
    ensure_curriculum(db)
    db.commit()
    install.install_pack(db=db, pack=read_pack(pack_dir))
    page = db.scalar(select(Material).where(Material.title == "Đồi chè buổi sáng"))
    other = db.scalar(select(Material).where(Material.title == "Pha một ấm trà"))
    # an administrator took over "Pha một ấm trà" and edited it: that edit must survive the upgrade
    other.owner_id = world.teacher.id
    db.commit()
    edited = materials.add_text_version(db=db, actor=world.teacher, material_id=other.id,
                                        body_markdown="# Pha một ấm trà\n\n## Cách của trường\n\nNước 85 độ.\n")
    _replace(pack_dir / "pack.toml", "version = 1", "version = 2")
    _replace(pack_dir / "materials" / "doi-che.md", "thoát nước tốt", "thoát nước rất tốt")
    _replace(pack_dir / "materials" / "pha-tra.md", "hai phút", "ba phút")
    _replace(pack_dir / "questions" / "basic.toml", 'value = "2"', 'value = "3"')
    report = install.install_pack(db=db, pack=read_pack(pack_dir))
    assert (report.materials_added, report.versions_added, report.versions_for_review) == (0, 2, 1)
    assert report.question_versions_added == 1
    db.refresh(page)
    db.refresh(other)
    assert [v.status for v in sorted(page.versions, key=lambda v: v.number)] == ["archived", "published"]
    assert "rất tốt" in page.published_version.body_markdown
    assert other.current_version_id == edited.id  # the edit stays current …
    waiting = max(other.versions, key=lambda v: v.number)
    assert waiting.status == VersionStatus.submitted and "ba phút" in waiting.body_markdown  # … the pack waits
    assert db.get(InstalledPack, "sample-pack").version == 2


def test_a_crash_mid_install_leaves_no_row_and_no_new_file(db: Session, world, pack_dir: Path, monkeypatch) -> None:  # noqa: ANN001
    ensure_curriculum(db)
    db.commit()
    pdf = (Path(__file__).resolve().parents[1] / "fixtures" / "content" / "water_rocket.pdf").read_bytes()
    (pack_dir / "materials" / "sheet.pdf").write_bytes(pdf)
    with (pack_dir / "pack.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[material]]\nslug = "sheet"\nfile = "materials/sheet.pdf"\ntitle = "Phiếu"\nsubject = "GDDP"\n'
                 'grades = [6]\nlevels = ["nhan_biet"]\ncurriculum = ["GDDP/6/1"]\n')
    pack = read_pack(pack_dir)
    assert pack.problems == []
    sha = __import__("hashlib").sha256(pdf).hexdigest()
    assert not storage.path_for(sha).exists()
    before = _counts(db)

    def boom(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        raise RuntimeError("power cut")

    monkeypatch.setattr(install, "_install_question", boom)
    with pytest.raises(RuntimeError):
        install.install_pack(db=db, pack=pack)
    assert _counts(db) == before
    assert not storage.path_for(sha).exists()
