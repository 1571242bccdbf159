"""The curriculum as the core reads it (the truongso_curriculum hook): a subject × grade tree, and items by id.

The core never imports this package; it declares what it reads (lms_core.assessment.question_curriculum) and this
reader answers with the curriculum's own rows, which have the attributes it names (id, kind, key, title, periods,
subject_id, grade, parent_id, children)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.models import CurriculumItem
from lms_core.errors import NotFound


class CurriculumReader:
    """Reads the topic trees of the curriculum for the question bank's picker."""

    def topics(self, *, db: Session, province_id: int | None, subject_id: int,
               grade: int) -> list[CurriculumItem] | None:
        """Return the topics (lessons as .children) of the tree that applies to a province; None when not taught."""
        try:
            return service.tree(db=db, province_id=province_id, subject_id=subject_id, grade=grade).topics
        except NotFound:
            return None

    def items(self, *, db: Session, item_ids: Iterable[int]) -> list[CurriculumItem]:
        """Return the topics and lessons with these ids that exist, in tree order."""
        ids = {int(i) for i in item_ids}
        if not ids:
            return []
        return list(db.scalars(select(CurriculumItem).where(CurriculumItem.id.in_(ids)).order_by(
            CurriculumItem.subject_id, CurriculumItem.grade, CurriculumItem.id)))


READER = CurriculumReader()
