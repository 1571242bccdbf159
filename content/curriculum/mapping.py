"""Mapping a material to curriculum items as its owner sees it: the trees of its subject and grades."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.models import CurriculumItem, ProgrammeSubject
from content.materials import service as materials
from content.materials.models import Material
from lms_core.accounts.models import User
from lms_core.errors import Invalid
from lms_core.org.models import School, Subject


@dataclass
class GradeTree:
    """One grade of a material: the tree that applies to its school's province, or why there is none."""

    grade: int
    programme: ProgrammeSubject | None
    tree: service.Tree | None

    @property
    def item_ids(self) -> set[int]:
        """Return the ids of the tree's topics and lessons."""
        if self.tree is None:
            return set()
        return {t.id for t in self.tree.topics} | {c.id for t in self.tree.topics for c in t.children}


@dataclass
class MappedItem:
    """A mapped item as a reader sees it: subject, grade, topic (and lesson) titles, periods."""

    item: CurriculumItem
    subject: Subject | None
    topic_title: str | None


def material_province(db: Session, material: Material) -> int | None:
    """Return the province of a material's school (whose trees apply to it)."""
    return db.scalar(select(School.province_id).where(School.id == material.school_id))


def grade_trees(*, db: Session, material: Material) -> list[GradeTree]:
    """Return, for each grade of a material with a subject, the tree that applies to its school's province."""
    if material.subject_id is None:
        return []
    province_id = material_province(db, material)
    result = []
    for grade in sorted(material.grades):
        row = db.scalar(select(ProgrammeSubject).where(ProgrammeSubject.subject_id == material.subject_id,
                                                       ProgrammeSubject.grade == grade))
        found = service.tree(db=db, province_id=province_id, subject_id=material.subject_id,
                             grade=grade) if row is not None else None
        result.append(GradeTree(grade=grade, programme=row, tree=found))
    return result


def save_mapping(*, db: Session, actor: User, material_id: int, item_ids: list[int]) -> list[CurriculumItem]:
    """Replace the mapping within the trees the page shows, keeping mappings to items of other trees."""
    material = materials.editable_material(db=db, actor=actor, material_id=material_id)
    shown: set[int] = set()
    for grade_tree in grade_trees(db=db, material=material):
        shown |= grade_tree.item_ids
    chosen = set(item_ids)
    if not chosen <= shown:
        raise Invalid(service.BAD_ITEMS)
    current = {i.id for i in service.material_items(db=db, actor=actor, material_id=material_id)}
    return service.set_material_items(db=db, actor=actor, material_id=material_id,
                                      item_ids=sorted((current - shown) | chosen))


def describe(*, db: Session, items: list[CurriculumItem]) -> list[MappedItem]:
    """Return mapped items with their subject and, for a lesson, its topic's title."""
    subjects = {s.id: s for s in db.scalars(select(Subject).where(Subject.id.in_({i.subject_id for i in items})))}
    parents = {i.parent_id for i in items if i.parent_id is not None}
    titles = dict(db.execute(select(CurriculumItem.id, CurriculumItem.title).where(
        CurriculumItem.id.in_(parents))).all()) if parents else {}
    return [MappedItem(item=i, subject=subjects.get(i.subject_id), topic_title=titles.get(i.parent_id))
            for i in items]


def mapped_for_page(*, db: Session, actor: User, material_id: int) -> list[MappedItem]:
    """Return the described items a material (that the actor may see) is mapped to, for its page."""
    return describe(db=db, items=service.material_items(db=db, actor=actor, material_id=material_id))
