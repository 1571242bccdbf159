"""Changing a tree's shape: add topics and lessons, delete them, copy the national tree into a province."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, ItemKind, MaterialCurriculumItem, Origin, ProgrammeSubject
from content.curriculum.service import BAD_PERIODS, ITEM_NOT_FOUND, _clean_title, require_province_editor
from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import N_

NOT_TAUGHT = N_("This subject is not taught in this grade.")
NOT_A_TOPIC = N_("Lessons can only be added under a topic.")
COPY_FIRST = N_("This province follows the national tree. Make a provincial copy of it first, then change the copy.")
HAS_OWN_TREE = N_("This province already has its own tree for this subject and grade.")
NO_NATIONAL_TREE = N_("There is no national tree of this subject and grade to copy.")
STILL_MAPPED = N_("Materials mapped to this item or its lessons: {count}. Deleting it removes these mappings.")
MAX_PERIODS = 500


def check_periods(periods: object) -> int:
    """Return a lesson's periods when they are a whole number from 0 to 500; else refuse."""
    if isinstance(periods, bool) or not isinstance(periods, int) or not 0 <= periods <= MAX_PERIODS:
        raise Invalid(BAD_PERIODS)
    return periods


def _owner_clause(province_id: int | None) -> ColumnElement[bool]:
    return CurriculumItem.province_id.is_(None) if province_id is None else CurriculumItem.province_id == province_id


def _tree_items(db: Session, province_id: int | None, subject_id: int, grade: int) -> list[CurriculumItem]:
    return list(db.scalars(select(CurriculumItem).where(
        _owner_clause(province_id), CurriculumItem.subject_id == subject_id, CurriculumItem.grade == grade)))


def _programme(db: Session, subject_id: int, grade: int) -> ProgrammeSubject:
    row = db.scalar(select(ProgrammeSubject).where(ProgrammeSubject.subject_id == subject_id,
                                                   ProgrammeSubject.grade == grade))
    if row is None:
        raise NotFound(NOT_TAUGHT)
    return row


def _free_key(taken: set[str], prefix: str, start: int) -> str:
    """Return the first key prefix+n (n from start) no item of the tree uses."""
    n = start
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _recount(db: Session, topic: CurriculumItem) -> None:
    """Set a topic's periods to the sum of its lessons'."""
    db.flush()
    topic.periods = sum(db.scalars(select(CurriculumItem.periods).where(CurriculumItem.parent_id == topic.id)))
    topic.source = Origin.edited


def add_topic(*, db: Session, actor: User, province_id: int | None, subject_id: int, grade: int,
              title: str) -> CurriculumItem:
    """Add a topic at the end of a province's own tree (None: the national tree, system administrators only)."""
    require_province_editor(actor, province_id)
    _programme(db, subject_id, grade)
    clean = _clean_title(title)
    items = _tree_items(db, province_id, subject_id, grade)
    if province_id is not None and not items and _tree_items(db, None, subject_id, grade):
        raise Invalid(COPY_FIRST)
    topics = [i for i in items if i.kind == ItemKind.topic]
    position = max((t.position for t in topics), default=0) + 1
    topic = CurriculumItem(province_id=province_id, subject_id=subject_id, grade=grade, kind=ItemKind.topic,
                           key=_free_key({i.key for i in items}, "", position), position=position, title=clean,
                           periods=0, source=Origin.edited)
    try:
        db.add(topic)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return topic


def add_lesson(*, db: Session, actor: User, topic_id: int, title: str, periods: int) -> CurriculumItem:
    """Add a lesson at the end of a topic and count its periods into the topic."""
    topic = db.get(CurriculumItem, topic_id)
    if topic is None:
        raise NotFound(ITEM_NOT_FOUND)
    permissions.require(actor, "curriculum.edit", topic)
    if topic.kind != ItemKind.topic:
        raise Invalid(NOT_A_TOPIC)
    clean, periods = _clean_title(title), check_periods(periods)
    items = _tree_items(db, topic.province_id, topic.subject_id, topic.grade)
    siblings = [i for i in items if i.parent_id == topic.id]
    position = max((s.position for s in siblings), default=0) + 1
    prefix = f"{topic.key}." if len(topic.key) <= 10 else f"{topic.id}."  # keys hold at most 16 characters
    lesson = CurriculumItem(province_id=topic.province_id, subject_id=topic.subject_id, grade=topic.grade,
                            parent_id=topic.id, kind=ItemKind.lesson, position=position, title=clean,
                            key=_free_key({i.key for i in items}, prefix, position),
                            periods=periods, source=Origin.edited)
    try:
        db.add(lesson)
        _recount(db, topic)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    db.expire(topic, ["children"])
    return lesson


def mapped_materials(*, db: Session, item_ids: list[int]) -> int:
    """Return how many materials are mapped to any of these items."""
    if not item_ids:
        return 0
    return db.scalar(select(func.count(func.distinct(MaterialCurriculumItem.material_id))).where(
        MaterialCurriculumItem.item_id.in_(item_ids))) or 0


def _with_lessons(db: Session, item: CurriculumItem) -> list[int]:
    return [item.id, *db.scalars(select(CurriculumItem.id).where(CurriculumItem.parent_id == item.id))]


def delete_item(*, db: Session, actor: User, item_id: int, unmap: bool = False) -> CurriculumItem | None:
    """Delete a lesson, or a topic with its lessons; refuse while materials are mapped unless told to unmap them.

    Returns the topic a deleted lesson belonged to (its periods recounted), or None for a topic."""
    item = db.get(CurriculumItem, item_id)
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    permissions.require(actor, "curriculum.edit", item)
    ids = _with_lessons(db, item)
    count = mapped_materials(db=db, item_ids=ids)
    if count and not unmap:
        raise Conflict(STILL_MAPPED, count=count)
    topic = db.get(CurriculumItem, item.parent_id) if item.parent_id is not None else None
    try:
        db.execute(delete(MaterialCurriculumItem).where(MaterialCurriculumItem.item_id.in_(ids)))
        db.execute(delete(CurriculumItem).where(CurriculumItem.parent_id == item.id))
        db.execute(delete(CurriculumItem).where(CurriculumItem.id == item.id))
        db.expunge(item)
        if topic is not None:
            _recount(db, topic)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    if topic is not None:
        db.expire(topic, ["children"])
    return topic


def copy_national_tree(*, db: Session, actor: User, province_id: int, subject_id: int, grade: int) -> int:
    """Copy the national tree of a subject × grade into a province (keys, order, periods and mappings); return its size.

    Materials mapped to a national item are mapped to its copy too, so the province's coverage
    does not drop when it starts following its own tree. All or nothing."""
    require_province_editor(actor, province_id)
    if province_id is None:
        raise Invalid(NO_NATIONAL_TREE)
    _programme(db, subject_id, grade)
    if _tree_items(db, province_id, subject_id, grade):
        raise Conflict(HAS_OWN_TREE)
    national = sorted(_tree_items(db, None, subject_id, grade), key=lambda i: (i.kind != ItemKind.topic, i.id))
    if not national:
        raise NotFound(NO_NATIONAL_TREE)
    mappings = db.execute(select(MaterialCurriculumItem.item_id, MaterialCurriculumItem.material_id).where(
        MaterialCurriculumItem.item_id.in_([i.id for i in national]))).all()
    try:
        copies: dict[int, CurriculumItem] = {}
        for item in national:  # topics first, so a lesson's parent already has its copy
            parent = copies[item.parent_id].id if item.parent_id is not None and item.parent_id in copies else None
            copy = CurriculumItem(province_id=province_id, subject_id=subject_id, grade=grade, parent_id=parent,
                                  kind=item.kind, key=item.key, position=item.position, title=item.title,
                                  periods=item.periods, source=Origin.edited)
            db.add(copy)
            db.flush()
            copies[item.id] = copy
        db.add_all([MaterialCurriculumItem(material_id=material_id, item_id=copies[item_id].id)
                    for item_id, material_id in mappings])
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return len(copies)
