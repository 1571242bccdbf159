"""How much of the curriculum the shared repository covers, per subject × grade, school level and province."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum.models import COUNTED_STATUSES, CurriculumItem, ItemKind, MaterialCurriculumItem, ProgrammeSubject
from content.curriculum.service import target_of
from content.materials.models import Material, Visibility


@dataclass
class Share:
    """Covered periods out of total periods, and the share in percent (one decimal)."""

    total: int = 0
    covered: int = 0

    @property
    def percent(self) -> float:
        """Return covered ÷ total in percent, rounded to one decimal (0 when there is nothing to cover)."""
        return round(100 * self.covered / self.total, 1) if self.total else 0.0


@dataclass
class SubjectCoverage(Share):
    """Coverage of one subject × grade, with the topics no lesson of which is covered."""

    programme: ProgrammeSubject | None = None
    uncovered_topics: list[CurriculumItem] = field(default_factory=list)
    has_tree: bool = False


@dataclass
class Coverage:
    """Coverage of a province's curriculum: per subject × grade, per school level, overall, against a target."""

    province_id: int | None
    target: float
    subjects: list[SubjectCoverage]
    levels: dict[str, Share]
    overall: Share

    @property
    def meets_target(self) -> bool:
        """Return whether the overall share reaches the target."""
        return self.overall.percent >= self.target


def covered_item_ids(db: Session) -> set[int]:
    """Return the curriculum items that have at least one published shared-repository material mapped."""
    return set(db.scalars(select(MaterialCurriculumItem.item_id).join(
        Material, Material.id == MaterialCurriculumItem.material_id).where(
        Material.visibility == Visibility.shared, Material.published_version_id.is_not(None)).distinct()))


def coverage(*, db: Session, province_id: int | None) -> Coverage:
    """Compute coverage of the trees that apply to a province (its own where it has one, else the national)."""
    rows = list(db.scalars(select(ProgrammeSubject).where(ProgrammeSubject.status.in_(COUNTED_STATUSES))
                           .order_by(ProgrammeSubject.grade, ProgrammeSubject.id)))
    owners = CurriculumItem.province_id.is_(None)
    if province_id is not None:
        owners = owners | (CurriculumItem.province_id == province_id)
    items = list(db.scalars(select(CurriculumItem).where(owners)))
    own = {(i.subject_id, i.grade) for i in items if i.province_id is not None}
    covered_ids = covered_item_ids(db)
    by_tree: dict[tuple[int, int], list[CurriculumItem]] = {}
    for item in items:
        if (item.province_id is not None) == ((item.subject_id, item.grade) in own):
            by_tree.setdefault((item.subject_id, item.grade), []).append(item)
    subjects, levels, overall = [], {}, Share()
    for row in rows:
        result = _subject_coverage(row, by_tree.get((row.subject_id, row.grade), []), covered_ids)
        subjects.append(result)
        level = levels.setdefault(row.level, Share())
        for share in (level, overall):
            share.total += result.total
            share.covered += result.covered
    return Coverage(province_id=province_id, target=target_of(db=db, province_id=province_id),
                    subjects=subjects, levels=levels, overall=overall)


def _subject_coverage(row: ProgrammeSubject, items: list[CurriculumItem], covered_ids: set[int]) -> SubjectCoverage:
    """Return one subject × grade's coverage: lessons covered directly or through their topic."""
    topics = sorted((i for i in items if i.kind == ItemKind.topic), key=lambda i: (i.position, i.id))
    lessons: dict[int, list[CurriculumItem]] = {}
    for item in items:
        if item.kind == ItemKind.lesson and item.parent_id is not None:
            lessons.setdefault(item.parent_id, []).append(item)
    covered, uncovered = 0, []
    for topic in topics:
        children = lessons.get(topic.id, [])
        if topic.id in covered_ids:
            hit = topic.periods if not children else sum(c.periods for c in children)
        else:
            hit = sum(c.periods for c in children if c.id in covered_ids)
        if hit == 0:
            uncovered.append(topic)
        covered += hit
    return SubjectCoverage(total=row.periods_per_year, covered=min(covered, row.periods_per_year), programme=row,
                           uncovered_topics=uncovered, has_tree=bool(topics))
