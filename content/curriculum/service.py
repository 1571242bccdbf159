"""Curriculum rules: read the programme and trees, edit items, map materials to items, set targets."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.orm import Session

from content.curriculum.models import CoverageTarget, CurriculumItem, MaterialCurriculumItem, Origin, ProgrammeSubject
from content.materials import service as materials
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.permissions import area_of, rule

ITEM_NOT_FOUND = N_("This curriculum item does not exist.")
BAD_TITLE = N_("A title is needed (at most 300 characters).")
BAD_PERIODS = N_("Periods must be a whole number from 0 to 500.")
BAD_TARGET = N_("A target must be a percentage from 0 to 100.")
BAD_ITEMS = N_("Some of the chosen curriculum items do not exist.")
NOT_DEPARTMENT = N_("Only the staff of a provincial department of education can change its curriculum.")
MAX_ITEMS_PER_MATERIAL = 50
DEFAULT_TARGET = 50.0


def _province_staff_of(actor: User) -> set[int]:
    """Return the provinces whose whole department (Sở, not one district) the actor works for."""
    return area_of(actor)[0]


# --- permission: who may change a tree -------------------------------------------------------

@rule("curriculum.edit", CurriculumItem)
def curriculum_edit(actor: User, item: CurriculumItem) -> bool:
    if actor.has_role(Role.system_admin):
        return True
    return item.province_id is not None and item.province_id in _province_staff_of(actor)


@curriculum_edit.scope
def curriculum_edit_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    return CurriculumItem.province_id.in_(_province_staff_of(actor))


def require_province_editor(actor: User, province_id: int | None) -> None:
    """Refuse unless the actor may change the curriculum of a province (None: the national one)."""
    if actor is None or not actor.is_active:
        raise Forbidden(permissions.NOT_ALLOWED)
    if actor.has_role(Role.system_admin):
        return
    if province_id is None or province_id not in _province_staff_of(actor):
        raise Forbidden(NOT_DEPARTMENT)


# --- reading --------------------------------------------------------------------------------

@dataclass
class Tree:
    """A subject × grade tree as it applies to a province: its topics (with lessons) and whose it is."""

    programme: ProgrammeSubject
    province_id: int | None
    topics: list[CurriculumItem]

    @property
    def periods(self) -> int:
        """Return the periods of the tree's lessons."""
        return sum(t.periods for t in self.topics)


def programme(*, db: Session, grade: int | None = None, subject_id: int | None = None) -> list[ProgrammeSubject]:
    """Return the programme rows (periods per year) of a grade and/or subject, in grade then subject order."""
    query = select(ProgrammeSubject)
    if grade is not None:
        query = query.where(ProgrammeSubject.grade == grade)
    if subject_id is not None:
        query = query.where(ProgrammeSubject.subject_id == subject_id)
    return list(db.scalars(query.order_by(ProgrammeSubject.grade, ProgrammeSubject.id)))


def tree_owner(*, db: Session, province_id: int | None, subject_id: int, grade: int) -> int | None:
    """Return the province whose own tree applies (when it has one), else None for the national tree."""
    if province_id is None:
        return None
    own = db.scalar(select(CurriculumItem.id).where(
        CurriculumItem.province_id == province_id, CurriculumItem.subject_id == subject_id,
        CurriculumItem.grade == grade).limit(1))
    return province_id if own is not None else None


def tree(*, db: Session, province_id: int | None, subject_id: int, grade: int) -> Tree:
    """Return the tree of a subject × grade that applies to a province (its own, or the national one)."""
    row = db.scalar(select(ProgrammeSubject).where(ProgrammeSubject.subject_id == subject_id,
                                                   ProgrammeSubject.grade == grade))
    if row is None:
        raise NotFound(N_("This subject is not taught in this grade."))
    owner = tree_owner(db=db, province_id=province_id, subject_id=subject_id, grade=grade)
    owner_clause = CurriculumItem.province_id.is_(None) if owner is None else CurriculumItem.province_id == owner
    topics = db.scalars(select(CurriculumItem).where(
        owner_clause, CurriculumItem.subject_id == subject_id, CurriculumItem.grade == grade,
        CurriculumItem.parent_id.is_(None)).order_by(CurriculumItem.position, CurriculumItem.id))
    return Tree(programme=row, province_id=owner, topics=list(topics))


# --- editing --------------------------------------------------------------------------------

def _clean_title(title: str) -> str:
    value = " ".join(unicodedata.normalize("NFC", title).split())
    if not value or len(value) > 300:
        raise Invalid(BAD_TITLE)
    return value


def edit_item(*, db: Session, actor: User, item_id: int, title: str | None = None,
              periods: int | None = None) -> CurriculumItem:
    """Rename a topic or lesson or change a lesson's periods; the row is marked edited so upgrades keep it."""
    item = db.get(CurriculumItem, item_id)
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    permissions.require(actor, "curriculum.edit", item)
    new_title = _clean_title(title) if title is not None else item.title
    if periods is not None and (isinstance(periods, bool) or not isinstance(periods, int) or not 0 <= periods <= 500):
        raise Invalid(BAD_PERIODS)
    try:
        item.title = new_title
        item.source = Origin.edited
        if periods is not None and item.kind == "lesson":
            item.periods = periods
            if item.parent_id is not None:
                topic = db.get(CurriculumItem, item.parent_id)
                db.flush()
                topic.periods = sum(db.scalars(select(CurriculumItem.periods).where(
                    CurriculumItem.parent_id == topic.id)))
                topic.source = Origin.edited  # its sum now follows the edit, not the shipped data
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return item


def edit_periods(*, db: Session, actor: User, programme_id: int, periods_per_year: int) -> ProgrammeSubject:
    """Change a subject's periods per year (system administrators only: the circulars set them nationally)."""
    row = db.get(ProgrammeSubject, programme_id)
    if row is None:
        raise NotFound(ITEM_NOT_FOUND)
    if actor is None or not actor.has_role(Role.system_admin):
        raise Forbidden(permissions.NOT_ALLOWED)
    if isinstance(periods_per_year, bool) or not 0 <= periods_per_year <= 2000:
        raise Invalid(BAD_PERIODS)
    row.periods_per_year, row.source = periods_per_year, Origin.edited
    db.commit()
    return row


# --- targets --------------------------------------------------------------------------------

def target_of(*, db: Session, province_id: int | None) -> float:
    """Return a province's coverage target in percent (default 50)."""
    if province_id is None:
        return DEFAULT_TARGET
    row = db.get(CoverageTarget, province_id)
    return float(row.percent) if row is not None else DEFAULT_TARGET


def set_target(*, db: Session, actor: User, province_id: int, percent: float) -> CoverageTarget:
    """Set a province's coverage target (its department staff or a system administrator)."""
    require_province_editor(actor, province_id)
    if isinstance(percent, bool) or not 0 <= float(percent) <= 100:
        raise Invalid(BAD_TARGET)
    row = db.get(CoverageTarget, province_id) or CoverageTarget(province_id=province_id)
    row.percent = round(float(percent), 2)
    db.add(row)
    db.commit()
    return row


# --- mapping materials to items ---------------------------------------------------------------

def material_items(*, db: Session, actor: User, material_id: int) -> list[CurriculumItem]:
    """Return the curriculum items a material the actor may see is mapped to."""
    materials.get_material(db=db, actor=actor, material_id=material_id)
    return list(db.scalars(select(CurriculumItem).join(
        MaterialCurriculumItem, MaterialCurriculumItem.item_id == CurriculumItem.id).where(
        MaterialCurriculumItem.material_id == material_id).order_by(CurriculumItem.grade, CurriculumItem.id)))


def set_material_items(*, db: Session, actor: User, material_id: int, item_ids: list[int]) -> list[CurriculumItem]:
    """Replace the curriculum items a material is mapped to (its owner only)."""
    materials.editable_material(db=db, actor=actor, material_id=material_id)
    wanted = set(item_ids)
    if len(wanted) > MAX_ITEMS_PER_MATERIAL:
        raise Invalid(N_("A material can be mapped to at most {max} curriculum items."), max=MAX_ITEMS_PER_MATERIAL)
    found = set(db.scalars(select(CurriculumItem.id).where(CurriculumItem.id.in_(wanted)))) if wanted else set()
    if found != wanted:
        raise Invalid(BAD_ITEMS)
    try:
        db.execute(delete(MaterialCurriculumItem).where(MaterialCurriculumItem.material_id == material_id))
        db.add_all([MaterialCurriculumItem(material_id=material_id, item_id=i) for i in sorted(wanted)])
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return material_items(db=db, actor=actor, material_id=material_id)


def editable_items(*, db: Session, actor: User, province_id: int | None = None) -> list[CurriculumItem]:
    """Return the items the actor may edit (filtered in SQL), optionally of one province."""
    query = select(CurriculumItem).where(permissions.visible(actor, "curriculum.edit"))
    if province_id is not None:
        query = query.where(CurriculumItem.province_id == province_id)
    return list(db.scalars(query.order_by(CurriculumItem.subject_id, CurriculumItem.grade, CurriculumItem.id)))
