"""The demo school: created once, found again on every later run (nothing is duplicated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeacherSubject, TeachingAssignment, User
from lms_core.accounts.passwords import hash_password
from lms_core.org.models import District, DistrictKind, Province, School, SchoolClass, SchoolLevel, Subject
from lms_core.org.seed import ensure_academic_year, ensure_reference_data, school_year_of

PROVINCE = ("TNG", "Thái Nguyên")
COMMUNE = ("TANCUONG", "Tân Cương", DistrictKind.commune)
SCHOOL = ("DEMO-THCS-TANCUONG", "Trường THCS Tân Cương (demo)")
CLASSES = [(g, f"{g}{s}") for g in (6, 7, 8, 9) for s in ("A", "B")]
DEMO_PASSWORD = "truongso-demo"

# Fictional people: common Vietnamese family, middle and given names, combined by rule.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Minh", "Khánh", "Thanh"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Gia"]
GIVEN_F = ["Anh", "Chi", "Hà", "Linh", "Mai", "Ngân", "Phương", "Trang", "Vy", "Yến", "Hoa", "Thảo"]
GIVEN_M = ["An", "Bảo", "Dũng", "Huy", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Việt"]


@dataclass(frozen=True)
class DemoLogin:
    """One demo account to print."""

    role: str
    username: str
    full_name: str
    password: str


def _student_name(i: int) -> tuple[str, str]:
    female = i % 2 == 0
    family = FAMILY[(i * 7) % len(FAMILY)]
    middle = (MIDDLE_F if female else MIDDLE_M)[(i * 5) % 6]
    given = (GIVEN_F if female else GIVEN_M)[(i * 11) % 12]
    return f"{family} {middle} {given}", "F" if female else "M"


def _user(db: Session, password_hash: str, username: str, full_name: str, school_id: int | None,
          roles: list[RoleAssignment], **extra: object) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, password_hash=password_hash, school_id=school_id, **extra)
        user.roles = roles
        db.add(user)
        db.flush()
    return user


def _get_or_add(db: Session, model: type, defaults: dict[str, object] | None = None, **keys: object) -> object:
    row = db.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.add(row)
        db.flush()
    return row


def build(db: Session, today: date | None = None, students_per_class: int = 4) -> tuple[School, list[DemoLogin]]:
    """Create the demo province, commune, school, classes and one login per role; return them."""
    today = today or date.today()
    ensure_reference_data(db, today)
    year = ensure_academic_year(db, school_year_of(today))
    province = _get_or_add(db, Province, code=PROVINCE[0], defaults={"name": PROVINCE[1]})
    commune = _get_or_add(db, District, province_id=province.id, code=COMMUNE[0],
                          defaults={"name": COMMUNE[1], "kind": COMMUNE[2]})
    school = _get_or_add(db, School, code=SCHOOL[0], defaults={
        "name": SCHOOL[1], "level": SchoolLevel.lower_secondary, "province_id": province.id,
        "district_id": commune.id, "address": "Tân Cương, Thái Nguyên"})
    classes = {name: _get_or_add(db, SchoolClass, school_id=school.id, academic_year_id=year.id, name=name,
                                 defaults={"grade": grade}) for grade, name in CLASSES}
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    pw = hash_password(DEMO_PASSWORD)

    sysadmin = _user(db, pw, "quantri", "Quản trị hệ thống", None, [RoleAssignment(role=Role.system_admin)])
    staff = _user(db, pw, "so.gddt", "Cán bộ Sở GDĐT Thái Nguyên", None,
                  [RoleAssignment(role=Role.department_staff, province_id=province.id)])
    principal = _user(db, pw, "hieutruong", "Đỗ Thị Hạnh", school.id,
                      [RoleAssignment(role=Role.school_admin, school_id=school.id),
                       RoleAssignment(role=Role.teacher, school_id=school.id)])
    teacher = _user(db, pw, "gv.lan", "Nguyễn Thị Lan", school.id,
                    [RoleAssignment(role=Role.teacher, school_id=school.id)])
    teacher2 = _user(db, pw, "gv.hung", "Trần Văn Hùng", school.id,
                     [RoleAssignment(role=Role.teacher, school_id=school.id)])
    for t, codes in ((teacher, ["TA"]), (teacher2, ["KHTN", "TIN"]), (principal, ["NV"])):
        for code in codes:
            _get_or_add(db, TeacherSubject, user_id=t.id, subject_id=subjects[code].id)
    for name, klass in classes.items():
        _get_or_add(db, TeachingAssignment, class_id=klass.id, teacher_id=teacher.id, subject_id=subjects["TA"].id,
                    defaults={"is_homeroom": False})
        _get_or_add(db, TeachingAssignment, class_id=klass.id, teacher_id=teacher2.id, subject_id=subjects["KHTN"].id,
                    defaults={"is_homeroom": False})
    _get_or_add(db, TeachingAssignment, class_id=classes["6A"].id, teacher_id=teacher.id, subject_id=None,
                defaults={"is_homeroom": True})

    first_student = None
    i = 0
    for grade, name in CLASSES:
        for n in range(students_per_class):
            i += 1
            full_name, gender = _student_name(i)
            username = f"hs{name.lower()}.{n + 1:02d}"
            birth = date(school_year_of(today) - grade - 5, 1 + (i % 12), 1 + (i % 27))
            student = _user(db, pw, username, full_name, school.id,
                            [RoleAssignment(role=Role.student, school_id=school.id)], gender=gender, birth_date=birth)
            _get_or_add(db, ClassEnrolment, class_id=classes[name].id, student_id=student.id)
            first_student = first_student or student
    db.commit()
    logins = [
        DemoLogin(Role.student, first_student.username, first_student.full_name, DEMO_PASSWORD),
        DemoLogin(Role.teacher, teacher.username, teacher.full_name, DEMO_PASSWORD),
        DemoLogin(Role.school_admin, principal.username, principal.full_name, DEMO_PASSWORD),
        DemoLogin(Role.department_staff, staff.username, staff.full_name, DEMO_PASSWORD),
        DemoLogin(Role.system_admin, sysadmin.username, sysadmin.full_name, DEMO_PASSWORD),
    ]
    return school, logins
