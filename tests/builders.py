"""Builders of test data: a whole school (plus a second one) in one call, users, sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from lms_core.accounts.auth import token_hash
from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User, UserSession
from lms_core.accounts.passwords import hash_password
from lms_core.db import utcnow
from lms_core.org.models import AcademicYear, District, Province, School, SchoolClass, SchoolLevel, Subject
from lms_core.org.seed import ensure_academic_year, ensure_subjects, school_year_of

PASSWORD = "mat-khau-dung-1"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Return one Argon2 hash of PASSWORD, computed once per run (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


def make_user(db: Session, username: str, full_name: str, *roles: RoleAssignment, school: School | None = None) -> User:
    """Add a user with roles and the shared test password."""
    user = User(username=username, full_name=full_name, password_hash=password_hash(),
                school_id=school.id if school else None)
    user.roles = list(roles)
    db.add(user)
    db.flush()
    return user


@dataclass
class SchoolWorld:
    """Two schools in two districts of one province, a third school in another province, and every role."""

    province: Province
    other_province: Province
    district: District
    other_district: District
    year: AcademicYear
    school: School
    other_school: School
    far_school: School
    class_6a: SchoolClass
    class_7a: SchoolClass
    other_class: SchoolClass
    subject: Subject
    system_admin: User
    province_staff: User
    district_staff: User
    other_district_staff: User
    school_admin: User
    teacher: User
    other_teacher: User
    student: User
    classmate: User
    student_7a: User
    other_school_admin: User
    other_school_teacher: User
    other_school_student: User


def build_world(db: Session, tag: str = "") -> SchoolWorld:
    """Build the whole-school fixture: school A (classes 6A, 7A), school B in another district, school C elsewhere."""
    ensure_subjects(db)
    year = ensure_academic_year(db, school_year_of(date.today()))
    p = Province(code=f"P{tag}1", name="Tỉnh Một")
    p2 = Province(code=f"P{tag}2", name="Tỉnh Hai")
    db.add_all([p, p2])
    db.flush()
    d = District(province_id=p.id, code="D1", name="Xã Một", kind="commune")
    d2 = District(province_id=p.id, code="D2", name="Xã Hai", kind="commune")
    d3 = District(province_id=p2.id, code="D3", name="Xã Ba", kind="commune")
    db.add_all([d, d2, d3])
    db.flush()
    a = School(code=f"THCS-A{tag}", name="Trường THCS A", level=SchoolLevel.lower_secondary, province_id=p.id, district_id=d.id)
    b = School(code=f"THCS-B{tag}", name="Trường THCS B", level=SchoolLevel.lower_secondary, province_id=p.id, district_id=d2.id)
    c = School(code=f"TH-C{tag}", name="Trường Tiểu học C", level=SchoolLevel.primary, province_id=p2.id, district_id=d3.id)
    db.add_all([a, b, c])
    db.flush()
    c6a = SchoolClass(school_id=a.id, academic_year_id=year.id, grade=6, name="6A")
    c7a = SchoolClass(school_id=a.id, academic_year_id=year.id, grade=7, name="7A")
    cb = SchoolClass(school_id=b.id, academic_year_id=year.id, grade=6, name="6A")
    db.add_all([c6a, c7a, cb])
    db.flush()
    subject = db.query(Subject).filter_by(code="TA").one()

    def ra(role: str, **scope: int | None) -> RoleAssignment:
        return RoleAssignment(role=role, **scope)

    w = SchoolWorld(
        province=p, other_province=p2, district=d, other_district=d2, year=year,
        school=a, other_school=b, far_school=c, class_6a=c6a, class_7a=c7a, other_class=cb, subject=subject,
        system_admin=make_user(db, f"sysadmin{tag}", "Quản Trị", ra(Role.system_admin)),
        province_staff=make_user(db, f"so{tag}", "Cán Bộ Sở", ra(Role.department_staff, province_id=p.id)),
        district_staff=make_user(db, f"phong{tag}", "Cán Bộ Xã Một", ra(Role.department_staff, province_id=p.id, district_id=d.id)),
        other_district_staff=make_user(db, f"phong2{tag}", "Cán Bộ Xã Hai", ra(Role.department_staff, province_id=p.id, district_id=d2.id)),
        school_admin=make_user(db, f"hta{tag}", "Hiệu Trưởng A", ra(Role.school_admin, school_id=a.id), school=a),
        teacher=make_user(db, f"gva{tag}", "Giáo Viên A", ra(Role.teacher, school_id=a.id), school=a),
        other_teacher=make_user(db, f"gva2{tag}", "Giáo Viên A Hai", ra(Role.teacher, school_id=a.id), school=a),
        student=make_user(db, f"hsa{tag}", "Học Sinh A", ra(Role.student, school_id=a.id), school=a),
        classmate=make_user(db, f"hsa2{tag}", "Bạn Cùng Lớp", ra(Role.student, school_id=a.id), school=a),
        student_7a=make_user(db, f"hs7a{tag}", "Học Sinh Bảy A", ra(Role.student, school_id=a.id), school=a),
        other_school_admin=make_user(db, f"htb{tag}", "Hiệu Trưởng B", ra(Role.school_admin, school_id=b.id), school=b),
        other_school_teacher=make_user(db, f"gvb{tag}", "Giáo Viên B", ra(Role.teacher, school_id=b.id), school=b),
        other_school_student=make_user(db, f"hsb{tag}", "Học Sinh B", ra(Role.student, school_id=b.id), school=b),
    )
    db.add_all([
        TeachingAssignment(class_id=c6a.id, teacher_id=w.teacher.id, subject_id=subject.id),
        TeachingAssignment(class_id=c7a.id, teacher_id=w.other_teacher.id, subject_id=subject.id),
        TeachingAssignment(class_id=cb.id, teacher_id=w.other_school_teacher.id, subject_id=subject.id),
        ClassEnrolment(class_id=c6a.id, student_id=w.student.id),
        ClassEnrolment(class_id=c6a.id, student_id=w.classmate.id),
        ClassEnrolment(class_id=c7a.id, student_id=w.student_7a.id),
        ClassEnrolment(class_id=cb.id, student_id=w.other_school_student.id),
    ])
    db.flush()
    return w


def open_session(db: Session, user: User) -> str:
    """Start a login session for a user without the (slow) password check; return the token."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=token_hash(token), user_id=user.id, expires_at=utcnow() + timedelta(days=1)))
    db.flush()
    return token
