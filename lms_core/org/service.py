"""Rules about schools, classes, years and terms."""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, TeachingAssignment, User
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass

SCHOOL_NOT_FOUND = N_("This school does not exist.")
CLASS_NOT_FOUND = N_("This class does not exist.")
YEAR_NOT_FOUND = N_("This academic year does not exist.")
GRADE_NOT_TAUGHT = N_("This school does not teach grade {grade}.")
CLASS_EXISTS = N_("The class {name} already exists in this year.")


def get_school(*, db: Session, actor: User, school_id: int) -> School:
    """Return a school the actor may see (unknown and hidden both read 'not found')."""
    school = db.get(School, school_id)
    if school is None or not permissions.can(actor, "school.view", school):
        raise NotFound(SCHOOL_NOT_FOUND)
    return school


def list_schools(*, db: Session, actor: User) -> list[School]:
    """Return the schools the actor may see."""
    return list(db.scalars(select(School).where(permissions.visible(actor, "school.view")).order_by(School.name)))


def current_year(*, db: Session, today: date | None = None) -> AcademicYear | None:
    """Return the academic year containing today, else the latest one."""
    today = today or date.today()
    year = db.scalar(select(AcademicYear).where(AcademicYear.start_date <= today, AcademicYear.end_date >= today))
    return year or db.scalar(select(AcademicYear).order_by(AcademicYear.start_date.desc()).limit(1))


def get_class(*, db: Session, actor: User, class_id: int) -> SchoolClass:
    """Return a class the actor may see."""
    klass = db.get(SchoolClass, class_id)
    if klass is None or not permissions.can(actor, "class.view", klass):
        raise NotFound(CLASS_NOT_FOUND)
    return klass


def list_classes(*, db: Session, actor: User, school_id: int | None = None) -> list[SchoolClass]:
    """Return the classes the actor may see, by grade and name."""
    query = select(SchoolClass).where(permissions.visible(actor, "class.view"))
    if school_id is not None:
        query = query.where(SchoolClass.school_id == school_id)
    return list(db.scalars(query.order_by(SchoolClass.grade, SchoolClass.name)))


def class_sizes(*, db: Session, class_ids: list[int]) -> dict[int, int]:
    """Return the number of students of each class."""
    if not class_ids:
        return {}
    rows = db.execute(
        select(ClassEnrolment.class_id, func.count()).where(ClassEnrolment.class_id.in_(class_ids)).group_by(ClassEnrolment.class_id)
    )
    return {cid: n for cid, n in rows}


def class_members(*, db: Session, klass: SchoolClass) -> tuple[list[User], list[User]]:
    """Return (teachers, students) of a class, by name."""
    teachers = db.scalars(
        select(User).join(TeachingAssignment, TeachingAssignment.teacher_id == User.id)
        .where(TeachingAssignment.class_id == klass.id).distinct().order_by(User.full_name)
    ).all()
    students = db.scalars(
        select(User).join(ClassEnrolment, ClassEnrolment.student_id == User.id)
        .where(ClassEnrolment.class_id == klass.id).order_by(User.full_name)
    ).all()
    return list(teachers), list(students)


def create_class(*, db: Session, actor: User, school_id: int, name: str, grade: int, academic_year_id: int) -> SchoolClass:
    """Create a class in a school the actor manages."""
    school = get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    if db.get(AcademicYear, academic_year_id) is None:
        raise NotFound(YEAR_NOT_FOUND)
    if grade not in school.grades:
        raise Invalid(GRADE_NOT_TAUGHT, grade=grade)
    name = unicodedata.normalize("NFC", name).strip().upper()
    exists = db.scalar(select(SchoolClass.id).where(
        SchoolClass.school_id == school.id, SchoolClass.academic_year_id == academic_year_id, SchoolClass.name == name))
    if exists is not None:
        raise Conflict(CLASS_EXISTS, name=name)
    klass = SchoolClass(school_id=school.id, academic_year_id=academic_year_id, grade=grade, name=name)
    db.add(klass)
    db.commit()
    return klass
