"""The shipped GDPT 2018 programme matches the circular's totals, trees add up, and seeding is idempotent."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.models import CurriculumItem, ProgrammeSubject
from content.curriculum.seed import PERIODS_CSV, TREES_DIR, ensure_curriculum, read_csv
from lms_core.errors import Forbidden
from lms_core.org.models import Subject

CIRCULAR_TOTALS = {1: 875, 2: 875, 3: 980, 4: 1050, 5: 1050, 6: 1015, 7: 1015, 8: 1032, 9: 1032}
UPPER = 612 + 4 * 70 + 105  # compulsory + four electives + three study topics (Thông tư 13/2022)


def test_compulsory_periods_per_grade_equal_the_circulars_totals() -> None:
    totals: dict[int, int] = defaultdict(int)
    electives: dict[int, set[int]] = defaultdict(set)
    topics: dict[int, int] = {}
    for row in read_csv(PERIODS_CSV):
        grade, periods = int(row["grade"]), int(row["periods_per_year"])
        assert row["source"].startswith("Thông tư 32/2018/TT-BGDĐT") and row["confirmed"] in {"yes", "no"}
        if row["status"] == "compulsory":
            totals[grade] += periods
        elif row["status"] == "elective":
            electives[grade].add(periods)
        elif row["status"] == "elective_topics":
            topics[grade] = periods
    assert {g: totals[g] for g in range(1, 10)} == CIRCULAR_TOTALS
    for grade in (10, 11, 12):
        assert totals[grade] == 612 and electives[grade] == {70}
        assert totals[grade] + 4 * 70 + topics[grade] == UPPER == 997


def test_every_shipped_tree_sums_to_its_subjects_periods_per_year() -> None:
    periods = {(r["subject_code"], int(r["grade"])): int(r["periods_per_year"]) for r in read_csv(PERIODS_CSV)}
    files = sorted(TREES_DIR.glob("*.csv"))
    assert {p.name for p in files} >= {"cn_6.csv", "nn1_6_english.csv", "nv_6_reading.csv", "gddp_6_tea.csv"}
    for path in files:
        assert "summary" in path.read_text(encoding="utf-8").split("subject_code,")[0]
        sums: dict[tuple[str, int], int] = defaultdict(int)
        for row in read_csv(path):
            sums[(row["subject_code"], int(row["grade"]))] += int(row["periods"])
        for key, total in sums.items():
            assert total == periods[key], (path.name, key)


def _snapshot(db: Session) -> list[tuple]:
    rows = [(p.subject_id, p.grade, p.periods_per_year, p.status, p.source) for p in db.scalars(select(ProgrammeSubject))]
    items = [(i.id, i.subject_id, i.grade, i.key, i.title, i.periods, i.parent_id, i.source)
             for i in db.scalars(select(CurriculumItem).order_by(CurriculumItem.id))]
    return sorted(rows) + items


def test_seeding_twice_changes_nothing(db: Session) -> None:
    ensure_curriculum(db)
    before = _snapshot(db)
    report = ensure_curriculum(db)
    assert (report.added, report.updated) == (0, 0)
    assert _snapshot(db) == before
    assert len(before) > 166


def test_seeded_trees_are_stored_with_periods_summing_up(db: Session) -> None:
    ensure_curriculum(db)
    cn = db.scalar(select(Subject).where(Subject.code == "CN"))
    tree = service.tree(db=db, province_id=None, subject_id=cn.id, grade=6)
    assert tree.periods == tree.programme.periods_per_year == 35
    assert all(t.periods == sum(c.periods for c in t.children) for t in tree.topics)


def test_an_upgrade_refreshes_shipped_rows_but_keeps_an_edited_one(db: Session, world) -> None:
    ensure_curriculum(db)
    items = list(db.scalars(select(CurriculumItem).where(CurriculumItem.kind == "lesson").order_by(CurriculumItem.id).limit(2)))
    service.edit_item(db=db, actor=world.system_admin, item_id=items[0].id, title="Bài do Sở sửa", periods=9)
    items[1].title = "stale shipped title"  # as if an older data release had shipped another name
    db.commit()
    report = ensure_curriculum(db)
    db.expire_all()
    assert db.get(CurriculumItem, items[0].id).title == "Bài do Sở sửa"
    assert db.get(CurriculumItem, items[0].id).periods == 9 and report.kept_edited >= 1
    assert db.get(CurriculumItem, items[1].id).title != "stale shipped title" and report.updated == 1


@pytest.mark.parametrize("who", ["teacher", "school_admin", "district_staff", "province_staff"])
def test_only_a_system_admin_edits_the_national_tree(db: Session, world, who: str) -> None:
    ensure_curriculum(db)
    item = db.scalar(select(CurriculumItem).where(CurriculumItem.kind == "lesson").limit(1))
    title = item.title
    with pytest.raises(Forbidden):
        service.edit_item(db=db, actor=getattr(world, who), item_id=item.id, title="Đổi tên")
    db.expire_all()
    assert db.get(CurriculumItem, item.id).title == title
