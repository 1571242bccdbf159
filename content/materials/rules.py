"""Who may see and edit materials: a check and a list filter per rule, side by side."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from content.materials.models import Material, SubjectGroupHead, Visibility
from lms_core.accounts.models import Role, User
from lms_core.org.models import School
from lms_core.permissions import area_of, rule, school_area_clause


def _is_sysadmin(actor: User) -> bool:
    return actor.has_role(Role.system_admin)


def _staff_schools(actor: User) -> set[int]:
    return actor.school_ids(Role.teacher, Role.school_admin)


def _heads(actor: User) -> ColumnElement[bool]:
    return exists().where(SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id == Material.school_id,
                          SubjectGroupHead.subject_id == Material.subject_id)


@rule("material.view", Material)
def material_view(actor: User, material: Material) -> bool:
    if _is_sysadmin(actor) or material.owner_id == actor.id:
        return True
    published = material.published_version_id is not None
    if material.visibility == Visibility.shared and published:
        return True
    if material.visibility == Visibility.private:
        return False
    in_school = material.school_id in _staff_schools(actor)
    if in_school and (published or material.school_id in actor.school_ids(Role.school_admin)):
        return True
    if in_school:  # a head of the subject group reviews unpublished materials of their subject
        from sqlalchemy.orm import object_session

        db = object_session(material)
        return bool(db and db.scalar(select(exists().where(
            SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id == material.school_id,
            SubjectGroupHead.subject_id == material.subject_id))))
    if published and actor.has_role(Role.department_staff) and material.school_id is not None:
        provinces, districts = area_of(actor)
        from sqlalchemy.orm import object_session

        db = object_session(material)
        school = db.get(School, material.school_id) if db else None
        return bool(school and (school.province_id in provinces or school.district_id in districts))
    return False


@material_view.scope
def material_view_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    published = Material.published_version_id.is_not(None)
    not_private = Material.visibility != Visibility.private
    area_schools = select(School.id).where(school_area_clause(actor, School.province_id, School.district_id))
    return or_(
        Material.owner_id == actor.id,
        and_(Material.visibility == Visibility.shared, published),
        and_(not_private, published, Material.school_id.in_(_staff_schools(actor))),
        and_(not_private, Material.school_id.in_(actor.school_ids(Role.school_admin))),
        and_(not_private, Material.school_id.in_(_staff_schools(actor)), _heads(actor)),
        and_(not_private, published, Material.school_id.in_(area_schools)) if actor.has_role(Role.department_staff) else false(),
    )


@rule("material.edit", Material)
def material_edit(actor: User, material: Material) -> bool:
    return material.owner_id == actor.id


@material_edit.scope
def material_edit_scope(actor: User) -> ColumnElement[bool]:
    return Material.owner_id == actor.id
