"""Who may see and edit bank questions: a check and a list filter per rule, side by side.

- The owner sees and edits their questions (archived ones too); nobody else edits them.
- Teachers and administrators of the question's school see its questions visible to the school.
- Everyone who teaches (or runs a school) sees questions shared with the shared repository.
- Students see no bank question: they meet questions only inside quizzes, through their pinned versions.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from lms_core.accounts.models import Role, User
from lms_core.assessment.models import Question
from lms_core.permissions import rule

PRIVATE = "private"
SCHOOL = "school"
SHARED = "shared"
VISIBILITIES = (PRIVATE, SCHOOL, SHARED)


def staff_schools(actor: User) -> set[int]:
    """Return the schools where the actor teaches or administers."""
    return actor.school_ids(Role.teacher, Role.school_admin)


def _is_staff(actor: User) -> bool:
    return actor.has_role(Role.teacher) or actor.has_role(Role.school_admin)


@rule("question.view", Question)
def question_view(actor: User, question: Question) -> bool:
    if question.owner_id == actor.id:
        return True
    if question.archived:
        return actor.has_role(Role.system_admin)
    if actor.has_role(Role.system_admin):
        return True
    if question.visibility == SHARED and _is_staff(actor):
        return True
    return question.visibility == SCHOOL and question.school_id in staff_schools(actor)


@question_view.scope
def question_view_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    live = Question.archived.is_(False)
    return or_(
        Question.owner_id == actor.id,
        and_(live, Question.visibility == SHARED) if _is_staff(actor) else false(),
        and_(live, Question.visibility == SCHOOL, Question.school_id.in_(staff_schools(actor))),
    )


@rule("question.edit", Question)
def question_edit(actor: User, question: Question) -> bool:
    return question.owner_id == actor.id


@question_edit.scope
def question_edit_scope(actor: User) -> ColumnElement[bool]:
    return Question.owner_id == actor.id
