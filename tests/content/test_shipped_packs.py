"""The packs shipped with the platform: each reads without a problem (files, extraction, questions, curriculum keys,
its tutor evaluation file), together they hold what a new school needs, and they install cleanly, twice."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content import plugin as content_plugin
from content.curriculum.seed import ensure_curriculum
from content.materials.models import Material, MaterialVersion
from content.packs import install
from content.packs.check import REPO_EVAL_DIR
from content.packs.pack import check_eval, read_pack
from lms_core.assessment.items import QType
from lms_core.assessment.models import Question

PACKS = {p.name: p.path for p in content_plugin.truongso_content_packs()}
EXPECTED = {"tea-culture", "stem", "reading-culture", "english", "korean"}


@pytest.fixture(scope="module")
def packs() -> dict:
    """Return every shipped pack, read once."""
    return {name: read_pack(path) for name, path in PACKS.items()}


def test_the_five_packs_are_shipped_through_the_plugin_hook() -> None:
    assert EXPECTED <= set(PACKS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pack_reads_without_problems_and_its_eval_questions_point_at_real_sections(packs: dict, name: str) -> None:
    pack = packs[name]
    assert pack.problems == []
    assert check_eval(pack, REPO_EVAL_DIR / f"{name}.jsonl") == []
    for material in pack.materials:
        assert material.sections, material.entry.slug


def test_together_the_packs_hold_enough_of_every_kind(packs: dict) -> None:
    materials = [m for p in packs.values() for m in p.materials]
    questions = [q for p in packs.values() for q in p.questions]
    assert len(materials) >= 60
    kinds = Counter(m.kind for m in materials)
    assert {"page", "document", "slides", "audio"} <= set(kinds)
    assert {m.file_type.value for m in materials} >= {"markdown", "pdf", "docx", "pptx"}
    assert any(m.transcript for m in materials)
    assert len(questions) >= 250
    assert {q.item.type for q in questions} == set(QType)
    assert all(q.item.level and q.meta.curriculum for q in questions)


def test_the_tutor_evaluation_set_has_its_languages() -> None:
    rows = [json.loads(line) for path in sorted(REPO_EVAL_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    langs = Counter(r["lang"] for r in rows)
    assert langs["vi"] >= 100 and langs["en"] >= 50
    assert sum(1 for r in rows if r.get("no_diacritics")) >= 20
    assert len({r["id"] for r in rows}) == len(rows)


@pytest.mark.db
@pytest.mark.slow
def test_every_shipped_pack_installs_and_a_second_install_changes_nothing(db: Session, world, packs: dict) -> None:
    ensure_curriculum(db)
    db.commit()
    reports = [install.install_pack(db=db, pack=pack) for pack in packs.values()]
    assert sum(r.materials_added for r in reports) == sum(len(p.materials) for p in packs.values())
    assert sum(r.questions_added for r in reports) == sum(len(p.questions) for p in packs.values())
    counts = (db.scalar(select(func.count()).select_from(MaterialVersion)),
              db.scalar(select(func.count()).select_from(Question)))
    assert not any(install.install_pack(db=db, pack=pack).changed for pack in packs.values())
    assert counts == (db.scalar(select(func.count()).select_from(MaterialVersion)),
                      db.scalar(select(func.count()).select_from(Question)))
    assert db.scalar(select(func.count()).select_from(Material).where(Material.published_version_id.is_(None))) == 0


def test_pack_directory_holds_only_data() -> None:
    for path in PACKS.values():
        assert not list(Path(path).rglob("*.py")), path
