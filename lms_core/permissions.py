"""Permission rules: for each, a yes/no check on one object and a query filter for lists.

Both halves of a rule sit side by side so that they cannot drift apart; lists are always
built with the filter, in SQL, never filtered after loading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User
from lms_core.errors import Forbidden
from lms_core.i18n import N_
from lms_core.org.models import School, SchoolClass

NOT_ALLOWED = N_("You are not allowed to do this.")


@dataclass(frozen=True)
class Rule:
    """A permission: `check(actor, obj)` for one object, `scope(actor)` a WHERE clause for lists."""

    name: str
    model: type
    check: Callable[[User, Any], bool]
    scope: Callable[[User], ColumnElement[bool]]


RULES: dict[str, Rule] = {}


def rule(name: str, model: type) -> Callable[[Callable[[User, Any], bool]], Callable[[User, Any], bool]]:
    """Declare the check half of a rule; the scope half follows with `.scope`."""

    def register_check(check: Callable[[User, Any], bool]) -> Any:
        def register_scope(scope: Callable[[User], ColumnElement[bool]]) -> Callable[[User], ColumnElement[bool]]:
            RULES[name] = Rule(name=name, model=model, check=check, scope=scope)
            return scope

        check.scope = register_scope  # type: ignore[attr-defined]
        return check

    return register_check


def can(actor: User | None, name: str, obj: Any) -> bool:
    """Answer: may this user do `name` to this object?"""
    if actor is None or not actor.is_active:
        return False
    return RULES[name].check(actor, obj)


def require(actor: User | None, name: str, obj: Any) -> None:
    """Raise Forbidden unless the user may do `name` to this object."""
    if not can(actor, name, obj):
        raise Forbidden(NOT_ALLOWED)


def visible(actor: User | None, name: str) -> ColumnElement[bool]:
    """Return the WHERE clause selecting the rows of the rule's model this user may see."""
    if actor is None or not actor.is_active:
        return false()
    return RULES[name].scope(actor)


# --- helpers on an actor's scopes -------------------------------------------------------

def _is_sysadmin(actor: User) -> bool:
    return actor.has_role(Role.system_admin)


def area_of(actor: User) -> tuple[set[int], set[int]]:
    """Return (province ids, district ids) a department staff member covers."""
    provinces = {r.province_id for r in actor.roles if r.role == Role.department_staff and r.province_id and not r.district_id}
    districts = {r.district_id for r in actor.roles if r.role == Role.department_staff and r.district_id}
    return provinces, districts


def _school_in_area(actor: User, school: School) -> bool:
    provinces, districts = area_of(actor)
    return school.province_id in provinces or (school.district_id is not None and school.district_id in districts)


def school_area_clause(actor: User, province_col: Any, district_col: Any) -> ColumnElement[bool]:
    provinces, districts = area_of(actor)
    clauses = []
    if provinces:
        clauses.append(province_col.in_(provinces))
    if districts:
        clauses.append(district_col.in_(districts))
    return or_(*clauses) if clauses else false()


def _member_school_ids(actor: User) -> set[int]:
    return actor.school_ids(Role.student, Role.teacher, Role.school_admin)


# --- schools ----------------------------------------------------------------------------

@rule("school.view", School)
def school_view(actor: User, school: School) -> bool:
    return _is_sysadmin(actor) or school.id in _member_school_ids(actor) or _school_in_area(actor, school)


@school_view.scope
def school_view_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    return or_(School.id.in_(_member_school_ids(actor)), school_area_clause(actor, School.province_id, School.district_id))


@rule("school.manage", School)
def school_manage(actor: User, school: School) -> bool:
    return _is_sysadmin(actor) or school.id in actor.school_ids(Role.school_admin)


@school_manage.scope
def school_manage_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    return School.id.in_(actor.school_ids(Role.school_admin))


# --- classes ----------------------------------------------------------------------------

def _teaches(actor: User) -> ColumnElement[bool]:
    return exists().where(TeachingAssignment.class_id == SchoolClass.id, TeachingAssignment.teacher_id == actor.id)


def _enrolled(actor: User) -> ColumnElement[bool]:
    return exists().where(ClassEnrolment.class_id == SchoolClass.id, ClassEnrolment.student_id == actor.id)


def _area_schools(actor: User) -> Any:
    return select(School.id).where(school_area_clause(actor, School.province_id, School.district_id))


@rule("class.view", SchoolClass)
def class_view(actor: User, klass: SchoolClass) -> bool:
    from sqlalchemy.orm import object_session

    if _is_sysadmin(actor) or klass.school_id in actor.school_ids(Role.school_admin):
        return True
    if _school_in_area(actor, klass.school):
        return True
    db = object_session(klass)
    if db is None:
        return False
    teaches = db.scalar(select(exists().where(TeachingAssignment.class_id == klass.id, TeachingAssignment.teacher_id == actor.id)))
    enrolled = db.scalar(select(exists().where(ClassEnrolment.class_id == klass.id, ClassEnrolment.student_id == actor.id)))
    return bool(teaches or enrolled)


@class_view.scope
def class_view_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    return or_(
        SchoolClass.school_id.in_(actor.school_ids(Role.school_admin)),
        SchoolClass.school_id.in_(_area_schools(actor)),
        _teaches(actor),
        _enrolled(actor),
    )


@rule("class.manage", SchoolClass)
def class_manage(actor: User, klass: SchoolClass) -> bool:
    return _is_sysadmin(actor) or klass.school_id in actor.school_ids(Role.school_admin)


@class_manage.scope
def class_manage_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    return SchoolClass.school_id.in_(actor.school_ids(Role.school_admin))


# --- users ------------------------------------------------------------------------------

def _is_student_clause() -> ColumnElement[bool]:
    return exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role == Role.student)


def _taught_students(actor: User) -> Any:
    return (
        select(ClassEnrolment.student_id)
        .join(TeachingAssignment, TeachingAssignment.class_id == ClassEnrolment.class_id)
        .where(TeachingAssignment.teacher_id == actor.id)
    )


@rule("user.view", User)
def user_view(actor: User, user: User) -> bool:
    from sqlalchemy.orm import object_session

    if _is_sysadmin(actor) or actor.id == user.id:
        return True
    if user.school_id is not None and user.school_id in actor.school_ids(Role.school_admin):
        return True
    db = object_session(user)
    if db is None:
        return False
    if actor.has_role(Role.teacher):
        if user.id in set(db.scalars(_taught_students(actor))):
            return True
    if actor.has_role(Role.department_staff) and user.school_id is not None and not user.has_role(Role.student):
        school = db.get(School, user.school_id)
        return school is not None and _school_in_area(actor, school)
    return False


@user_view.scope
def user_view_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    clauses = [User.id == actor.id, User.school_id.in_(actor.school_ids(Role.school_admin))]
    if actor.has_role(Role.teacher):
        clauses.append(User.id.in_(_taught_students(actor)))
    if actor.has_role(Role.department_staff):
        clauses.append(and_(User.school_id.in_(_area_schools(actor)), ~_is_student_clause()))
    return or_(*clauses)


@rule("user.manage", User)
def user_manage(actor: User, user: User) -> bool:
    if _is_sysadmin(actor):
        return True
    if user.has_role(Role.system_admin) or user.has_role(Role.department_staff):
        return False
    return user.school_id is not None and user.school_id in actor.school_ids(Role.school_admin)


@user_manage.scope
def user_manage_scope(actor: User) -> ColumnElement[bool]:
    if _is_sysadmin(actor):
        return true()
    privileged = exists().where(
        RoleAssignment.user_id == User.id,
        RoleAssignment.role.in_([Role.system_admin, Role.department_staff]),
    )
    return and_(User.school_id.in_(actor.school_ids(Role.school_admin)), ~privileged)
