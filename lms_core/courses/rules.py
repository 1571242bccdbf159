"""Who may see and change courses: a check and a list filter per rule, side by side."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import object_session

from lms_core.accounts.models import ClassEnrolment, Role, User
from lms_core.courses.models import Course, course_classes, course_teachers
from lms_core.org.models import School
from lms_core.permissions import rule, school_area_clause


def _teaches(actor: User) -> ColumnElement[bool]:
    return exists().where(course_teachers.c.course_id == Course.id, course_teachers.c.user_id == actor.id)


def _learns(actor: User) -> ColumnElement[bool]:
    return exists().where(course_classes.c.course_id == Course.id,
                          course_classes.c.class_id == ClassEnrolment.class_id,
                          ClassEnrolment.student_id == actor.id)


def _area(actor: User) -> ColumnElement[bool]:
    return Course.school_id.in_(select(School.id).where(school_area_clause(actor, School.province_id,
                                                                          School.district_id)))


@rule("course.view", Course)
def course_view(actor: User, course: Course) -> bool:
    db = object_session(course)
    return bool(db and db.scalar(select(exists().where(Course.id == course.id, course_view_scope(actor)))))


@course_view.scope
def course_view_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    return or_(Course.school_id.in_(actor.school_ids(Role.school_admin)), _teaches(actor), _learns(actor),
               _area(actor))


@rule("course.edit", Course)
def course_edit(actor: User, course: Course) -> bool:
    if course.school_id in actor.school_ids(Role.school_admin):
        return True
    return any(t.id == actor.id for t in course.teachers) and course.school_id in actor.school_ids(Role.teacher)


@course_edit.scope
def course_edit_scope(actor: User) -> ColumnElement[bool]:
    return or_(Course.school_id.in_(actor.school_ids(Role.school_admin)),
               _teaches(actor) & Course.school_id.in_(actor.school_ids(Role.teacher)))


@rule("course.learn", Course)
def course_learn(actor: User, course: Course) -> bool:
    db = object_session(course)
    return bool(db and db.scalar(select(exists().where(Course.id == course.id, _learns(actor)))))


@course_learn.scope
def course_learn_scope(actor: User) -> ColumnElement[bool]:
    return _learns(actor)
