"""Figures for each role's dashboard, computed with the permission filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeacherSubject, TeachingAssignment, User
from lms_core.org.models import School, SchoolClass, Subject


@dataclass
class Dashboard:
    """What a user's start page shows, one section per role they hold."""

    roles: list[str]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)


def _count_role(db: Session, role: str, school_ids: Any) -> int:
    return db.scalar(
        select(func.count(func.distinct(RoleAssignment.user_id))).where(
            RoleAssignment.role == role, RoleAssignment.school_id.in_(school_ids))
    ) or 0


def for_user(*, db: Session, actor: User) -> Dashboard:
    """Build the dashboard of a user."""
    board = Dashboard(roles=actor.role_names())
    if actor.has_role(Role.student):
        classes = db.execute(
            select(SchoolClass, School.name).join(School, School.id == SchoolClass.school_id)
            .join(ClassEnrolment, ClassEnrolment.class_id == SchoolClass.id)
            .where(ClassEnrolment.student_id == actor.id).order_by(SchoolClass.name)
        ).all()
        from lms_core.courses.service import list_courses
        from lms_core.progress.service import course_progress

        learning = [course_progress(db=db, actor=actor, course_id=c.id) for c in list_courses(db=db, actor=actor)
                    if permissions.can(actor, "course.learn", c)]
        board.sections[Role.student] = {"classes": [{"id": c.id, "name": c.name, "school": s} for c, s in classes],
                                        "courses": learning}
    if actor.has_role(Role.teacher):
        rows = db.execute(
            select(SchoolClass.id, SchoolClass.name, SchoolClass.grade, Subject, TeachingAssignment.is_homeroom)
            .join(TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id)
            .outerjoin(Subject, Subject.id == TeachingAssignment.subject_id)
            .where(TeachingAssignment.teacher_id == actor.id)
            .order_by(SchoolClass.grade, SchoolClass.name)
        ).all()
        sizes = dict(db.execute(
            select(ClassEnrolment.class_id, func.count()).where(ClassEnrolment.class_id.in_({r[0] for r in rows}))
            .group_by(ClassEnrolment.class_id)).all()) if rows else {}
        subjects = db.scalars(
            select(Subject).join(TeacherSubject, TeacherSubject.subject_id == Subject.id)
            .where(TeacherSubject.user_id == actor.id).order_by(Subject.name_vi)).all()
        board.sections[Role.teacher] = {
            "assignments": [
                {"class_id": cid, "class_name": name, "grade": grade, "subject": subject, "homeroom": homeroom,
                 "students": sizes.get(cid, 0)}
                for cid, name, grade, subject, homeroom in rows
            ],
            "subjects": list(subjects),
        }
    if actor.has_role(Role.school_admin):
        school_ids = actor.school_ids(Role.school_admin)
        schools = db.scalars(select(School).where(School.id.in_(school_ids)).order_by(School.name)).all()
        board.sections[Role.school_admin] = {
            "schools": list(schools),
            "classes": db.scalar(select(func.count()).select_from(SchoolClass).where(SchoolClass.school_id.in_(school_ids))) or 0,
            "teachers": _count_role(db, Role.teacher, school_ids),
            "students": _count_role(db, Role.student, school_ids),
        }
    if actor.has_role(Role.department_staff) or actor.has_role(Role.system_admin):
        scope = permissions.visible(actor, "school.view")
        students = (
            select(RoleAssignment.school_id, func.count(func.distinct(RoleAssignment.user_id)).label("n"))
            .where(RoleAssignment.role == Role.student).group_by(RoleAssignment.school_id).subquery()
        )
        teachers = (
            select(RoleAssignment.school_id, func.count(func.distinct(RoleAssignment.user_id)).label("n"))
            .where(RoleAssignment.role == Role.teacher).group_by(RoleAssignment.school_id).subquery()
        )
        rows = db.execute(
            select(School, func.coalesce(students.c.n, 0), func.coalesce(teachers.c.n, 0))
            .outerjoin(students, students.c.school_id == School.id)
            .outerjoin(teachers, teachers.c.school_id == School.id)
            .where(scope).order_by(School.name)
        ).all()
        key = Role.system_admin if actor.has_role(Role.system_admin) else Role.department_staff
        board.sections[key] = {
            "schools": [{"school": s, "students": ns, "teachers": nt} for s, ns, nt in rows],
            "users": db.scalar(select(func.count()).select_from(User)) if key == Role.system_admin else None,
        }
    return board
