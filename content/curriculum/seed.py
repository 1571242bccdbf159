"""Load the shipped programme (periods per subject × grade) and topic trees, idempotently.

An upgrade of the data adds missing rows and refreshes shipped ones; a row a department or an
administrator edited (source = 'edited') is never overwritten.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, ItemKind, Origin, ProgrammeSubject
from lms_core.org.models import Subject
from lms_core.org.seed import ensure_subjects

DATA = Path(__file__).parent / "data"
PERIODS_CSV = DATA / "gdpt2018_periods.csv"
TREES_DIR = DATA / "trees"


@dataclass
class SeedReport:
    """What a seeding run changed."""

    added: int = 0
    updated: int = 0
    kept_edited: int = 0


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of a data CSV, skipping the '#' comment lines at its top."""
    with path.open(encoding="utf-8") as fh:
        yield from csv.DictReader(line for line in fh if not line.startswith("#"))


def _apply(row: object, values: dict[str, object], report: SeedReport) -> None:
    """Refresh a shipped row's values; count what changed; leave an edited row alone."""
    if row.source == Origin.edited:  # type: ignore[attr-defined]
        report.kept_edited += 1
        return
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    report.updated += changed


def _seed_periods(db: Session, subjects: dict[str, Subject], report: SeedReport) -> None:
    existing = {(p.subject_id, p.grade): p for p in db.scalars(select(ProgrammeSubject))}
    for r in read_csv(PERIODS_CSV):
        subject = subjects[r["subject_code"]]
        values = dict(level=r["level"], periods_per_year=int(r["periods_per_year"]), status=r["status"],
                      note=r["note"], citation=r["source"], confirmed=r["confirmed"] == "yes")
        row = existing.get((subject.id, int(r["grade"])))
        if row is None:
            db.add(ProgrammeSubject(subject_id=subject.id, grade=int(r["grade"]), source=Origin.shipped, **values))
            report.added += 1
        else:
            _apply(row, values, report)


def _seed_tree(db: Session, path: Path, subjects: dict[str, Subject], report: SeedReport) -> None:
    rows = list(read_csv(path))
    trees = {(subjects[r["subject_code"]].id, int(r["grade"])) for r in rows}
    existing: dict[tuple[int, int, str], CurriculumItem] = {}
    for subject_id, grade in trees:
        for item in db.scalars(select(CurriculumItem).where(
                CurriculumItem.province_id.is_(None), CurriculumItem.subject_id == subject_id,
                CurriculumItem.grade == grade)):
            existing[(subject_id, grade, item.key)] = item
    seen: set[tuple[int, int, str]] = set()  # a topic repeats on each of its lessons' rows
    topic_periods: dict[tuple[int, int, str], int] = {}
    for r in rows:
        key = (subjects[r["subject_code"]].id, int(r["grade"]), r["topic_no"])
        topic_periods[key] = topic_periods.get(key, 0) + int(r["periods"])
    for r in rows:
        subject_id, grade = subjects[r["subject_code"]].id, int(r["grade"])
        topic_key = (subject_id, grade, r["topic_no"])
        topic = _upsert(db, existing, seen, report, topic_key, kind=ItemKind.topic, parent=None,
                        position=int(r["topic_no"]), title=r["topic"], periods=topic_periods[topic_key])
        _upsert(db, existing, seen, report, (subject_id, grade, f"{r['topic_no']}.{r['lesson_no']}"),
                kind=ItemKind.lesson, parent=topic, position=int(r["lesson_no"]), title=r["lesson"],
                periods=int(r["periods"]))


def _upsert(db: Session, existing: dict[tuple[int, int, str], CurriculumItem], seen: set[tuple[int, int, str]],
            report: SeedReport,
            key: tuple[int, int, str], *, kind: str, parent: CurriculumItem | None, position: int, title: str,
            periods: int) -> CurriculumItem:
    """Return the national item of a key, added or refreshed (each key once per run)."""
    item = existing.get(key)
    values = dict(kind=kind, position=position, title=title, periods=periods,
                  parent_id=parent.id if parent is not None else None)
    if item is None:
        item = CurriculumItem(province_id=None, subject_id=key[0], grade=key[1], key=key[2],
                              source=Origin.shipped, **values)
        db.add(item)
        db.flush()
        existing[key] = item
        report.added += 1
    elif key not in seen:
        _apply(item, values, report)
    seen.add(key)
    return item


def ensure_curriculum(db: Session) -> SeedReport:
    """Add or refresh the shipped programme and trees (keeping edited rows); commit; return what changed."""
    ensure_subjects(db)
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    report = SeedReport()
    try:
        _seed_periods(db, subjects, report)
        db.flush()
        for path in sorted(TREES_DIR.glob("*.csv")):
            _seed_tree(db, path, subjects, report)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return report
