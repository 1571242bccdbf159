"""The curriculum items a bank question assesses: the picker's tree for a subject × grade, and the check of a choice.

The content package keeps the curriculum (the topics and lessons of each subject × grade, national or a province's
own); the core reads it through the truongso_curriculum hook, never by importing it, and stores only the chosen ids
(QuestionCurriculumItem, without a foreign key, as bank.py always has). The tree that applies to a question is the
one of its school's province (the province's own when it has one, else the national one); a question of the shared
repository itself uses the national tree. A question may assess only topics and lessons of the tree of its own
subject and grade: anything else is refused, naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.errors import Invalid
from lms_core.i18n import N_
from lms_core.org.models import School

MAX_ITEMS = 50  # as bank.MAX_CURRICULUM

NO_CURRICULUM = N_("The curriculum is not installed on this server, so no curriculum item can be chosen.")
UNKNOWN_ITEMS = N_("These curriculum items do not exist: {ids}.")
OTHER_TREE = N_("“{title}” is not in the curriculum of this question's subject and grade: choose topics and lessons "
                "of the tree shown for them.")
TOO_MANY = N_("A question can assess at most {max} curriculum items.")


class CurriculumNode(Protocol):
    """A topic or lesson as a reader returns it (a topic's lessons are its `children`)."""

    id: int
    kind: str
    key: str
    title: str
    periods: int
    subject_id: int
    grade: int
    parent_id: int | None
    children: Any


class CurriculumTrees(Protocol):
    """What a truongso_curriculum implementation returns: the topic trees, read by subject × grade or by id."""

    def topics(self, *, db: Session, province_id: int | None, subject_id: int,
               grade: int) -> list[CurriculumNode] | None:
        """Return the topics of the tree that applies to a province; None when the subject is not taught then."""

    def items(self, *, db: Session, item_ids: Iterable[int]) -> list[CurriculumNode]:
        """Return the topics and lessons with these ids that exist."""


def reader(host: Any) -> CurriculumTrees | None:
    """Return the reader of the curriculum (the first plugin that keeps one), None when none is installed."""
    if host is None:
        return None
    return next((r for result in host.pm.hook.truongso_curriculum() for r in result or []), None)


def province_of(db: Session, school_id: int | None) -> int | None:
    """Return the province of a question's school (None: the shared repository's own question, national tree)."""
    return db.scalar(select(School.province_id).where(School.id == school_id)) if school_id is not None else None


def tree_ids(topics: Iterable[CurriculumNode] | None) -> set[int]:
    """Return the ids of a tree's topics and lessons."""
    return {n.id for t in topics or () for n in (t, *t.children)}


@dataclass
class Picker:
    """The picker as the question form shows it: the tree of the chosen subject and grade, the items ticked, and
    the question's items that are not in that tree (another subject or grade: saving does not keep them)."""

    state: str  # "unavailable", "choose" (no subject or grade yet), "not_taught", "empty" or "ready"
    topics: list[CurriculumNode] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)
    elsewhere: list[Assessed] = field(default_factory=list)
    max_items: int = MAX_ITEMS


@dataclass
class Assessed:
    """A curriculum item a question assesses, with its topic's title when it is a lesson."""

    item: CurriculumNode
    topic_title: str = ""


def picker(*, db: Session, host: Any, school_id: int | None, subject_id: int | None, grade: int | None,
           checked: Iterable[int] = ()) -> Picker:
    """Return the tree to pick from for a subject × grade, with the given items ticked."""
    chosen = {int(i) for i in checked}
    source = reader(host)
    if source is None:
        return Picker("unavailable", checked=chosen)
    topics = (source.topics(db=db, province_id=province_of(db, school_id), subject_id=subject_id, grade=grade)
              if subject_id and grade else None)
    state = "choose" if not (subject_id and grade) else "not_taught" if topics is None else \
        "ready" if topics else "empty"
    inside = tree_ids(topics)
    elsewhere, _ = described(db=db, host=host, item_ids=chosen - inside)
    return Picker(state, topics=list(topics or []), checked=chosen & inside, elsewhere=elsewhere)


def check_choice(*, db: Session, host: Any, school_id: int | None, subject_id: int, grade: int,
                 item_ids: Iterable[int]) -> list[int]:
    """Return the chosen ids, sorted, once each is a topic or lesson of the subject × grade tree that applies to
    the question's school; refuse unknown ids and items of another subject, grade or province, naming them."""
    ids = {int(i) for i in item_ids}
    if not ids:
        return []
    if len(ids) > MAX_ITEMS:
        raise Invalid(TOO_MANY, max=MAX_ITEMS)
    source = reader(host)
    if source is None:
        raise Invalid(NO_CURRICULUM)
    outside = ids - tree_ids(source.topics(db=db, province_id=province_of(db, school_id), subject_id=subject_id,
                                           grade=grade))
    if outside:
        known = {n.id: n for n in source.items(db=db, item_ids=outside)}
        unknown = sorted(outside - set(known))
        if unknown:
            raise Invalid(UNKNOWN_ITEMS, ids=", ".join(str(i) for i in unknown))
        raise Invalid(OTHER_TREE, title=known[min(known)].title)
    return sorted(ids)


def described(*, db: Session, host: Any, item_ids: Iterable[int]) -> tuple[list[Assessed], list[int]]:
    """Return the items with these ids (lessons with their topic's title) and the ids no longer found."""
    ids = sorted({int(i) for i in item_ids})
    source = reader(host)
    if not ids or source is None:
        return [], ids
    found = source.items(db=db, item_ids=ids)
    parents = {n.parent_id for n in found if n.parent_id is not None}
    titles = {p.id: p.title for p in source.items(db=db, item_ids=parents)} if parents else {}
    by_id = {n.id: n for n in found}
    return ([Assessed(by_id[i], titles.get(by_id[i].parent_id or 0, "")) for i in ids if i in by_id],
            [i for i in ids if i not in by_id])
