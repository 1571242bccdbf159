"""Who may see and change teaching plans and their delivery records: a check and a list filter per rule."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import object_session

from lms_core.accounts.models import Role, TeachingAssignment, User
from lms_core.blended.models import TeachingPlan
from lms_core.org.models import School, SchoolClass
from lms_core.permissions import rule, school_area_clause


def _teaches_clause(actor: User) -> ColumnElement[bool]:
    """The plan's class and subject are taught by the actor, in a school where the actor is a teacher."""
    return exists().where(TeachingAssignment.class_id == TeachingPlan.class_id,
                          TeachingAssignment.subject_id == TeachingPlan.subject_id,
                          TeachingAssignment.teacher_id == actor.id,
                          SchoolClass.id == TeachingAssignment.class_id,
                          SchoolClass.school_id.in_(actor.school_ids(Role.teacher)))


def teaches(actor: User, *, db: object, class_id: int, subject_id: int) -> bool:
    """Return whether the actor teaches this subject to this class (as a teacher of the class's school)."""
    return bool(db.scalar(select(exists().where(  # type: ignore[attr-defined]
        TeachingAssignment.class_id == class_id, TeachingAssignment.subject_id == subject_id,
        TeachingAssignment.teacher_id == actor.id, SchoolClass.id == TeachingAssignment.class_id,
        SchoolClass.school_id.in_(actor.school_ids(Role.teacher))))))


@rule("plan.edit", TeachingPlan)
def plan_edit(actor: User, plan: TeachingPlan) -> bool:
    db = object_session(plan)
    return bool(db and teaches(actor, db=db, class_id=plan.class_id, subject_id=plan.subject_id))


@plan_edit.scope
def plan_edit_scope(actor: User) -> ColumnElement[bool]:
    return _teaches_clause(actor)


@rule("plan.view", TeachingPlan)
def plan_view(actor: User, plan: TeachingPlan) -> bool:
    db = object_session(plan)
    return bool(db and db.scalar(select(exists().where(TeachingPlan.id == plan.id, plan_view_scope(actor)))))


@plan_view.scope
def plan_view_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    schools = select(School.id).where(or_(School.id.in_(actor.school_ids(Role.school_admin)),
                                          school_area_clause(actor, School.province_id, School.district_id)))
    return or_(TeachingPlan.class_id.in_(select(SchoolClass.id).where(SchoolClass.school_id.in_(schools))),
               _teaches_clause(actor))
