"""The demo school: created once, found again on every later run (nothing is duplicated).

A lower secondary school in Tân Cương with classes 6A–9B, a teacher per subject area with the subjects they teach
and the classes they teach them to, a homeroom teacher per class, and about 150 students. Every person is made up:
names are combined by rule from common Vietnamese family, middle and given names. Plugins add courses and a term of
history through the demo-data hook."""

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
STUDENTS_PER_CLASS = 19
DEMO_PASSWORD = "truongso-demo"
SHOWCASE_STUDENT = "hs6a.01"  # the student login printed: plugins leave them something still to do


@dataclass(frozen=True)
class DemoTeacher:
    """A teacher of the demo school: the subjects they teach (to every class) and the class they look after."""

    username: str
    full_name: str
    subjects: tuple[str, ...]
    homeroom: str


# Subject codes are those of the 2018 programme (content/curriculum/data/gdpt2018_periods.csv): English is
# NN1 (Ngoại ngữ 1) and Korean NN2 (Ngoại ngữ 2), as the content packs map them.
TEACHERS = (
    DemoTeacher("gv.lan", "Nguyễn Thị Lan", ("NN1",), "6A"),                  # English
    DemoTeacher("gv.hung", "Trần Văn Hùng", ("KHTN", "CN", "TIN"), "6B"),     # STEM
    DemoTeacher("gv.mai", "Hoàng Thị Mai", ("GDDP",), "7A"),                  # tea culture of Tân Cương
    DemoTeacher("gv.thu", "Lê Thị Thu", ("NV",), "7B"),                       # literature and reading
    DemoTeacher("gv.ha", "Phạm Thu Hà", ("NN2",), "8A"),                      # Korean
    DemoTeacher("gv.tuan", "Vũ Minh Tuấn", ("TOAN",), "8B"),
    DemoTeacher("gv.nga", "Đặng Thị Nga", ("LSDL",), "9A"),
    DemoTeacher("gv.son", "Ngô Văn Sơn", ("GDTC",), "9B"),
)

# Fictional people: common Vietnamese family, middle and given names (with Tày and Nùng family names of the
# province), combined by rule; a name is never given twice in the school. The most common family names are listed
# more than once, so they come up more often, as they do in a real class.
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Hồ", "Phan",
          "Đinh", "Nông", "Ma", "Triệu", "Nguyễn", "Nguyễn", "Trần", "Hoàng"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Minh", "Khánh", "Thanh", "Phương", "Bảo", "Hải", "Diệu"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Gia", "Thành", "Trung", "Tuấn", "Bảo"]
GIVEN_F = ["Anh", "Chi", "Hà", "Linh", "Mai", "Ngân", "Phương", "Trang", "Vy", "Yến", "Hoa", "Thảo", "Hương", "Lan",
           "Nhung", "Quỳnh", "Diệp", "Giang", "Hiền", "Huyền", "My", "Nga", "Oanh", "Uyên"]
GIVEN_M = ["An", "Bảo", "Dũng", "Huy", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Việt", "Cường", "Đạt",
           "Hiếu", "Hoàng", "Khoa", "Kiên", "Lâm", "Minh", "Nghĩa", "Phong", "Thắng", "Vinh"]


@dataclass(frozen=True)
class DemoLogin:
    """One demo account to print."""

    role: str
    username: str
    full_name: str
    password: str


def student_name(i: int, taken: set[str] | None = None) -> tuple[str, str]:
    """Return the i-th made-up student's full name and gender ("F"/"M"), avoiding the names already taken."""
    taken = taken if taken is not None else set()
    female = i % 2 == 0
    middles, givens = (MIDDLE_F, GIVEN_F) if female else (MIDDLE_M, GIVEN_M)
    for k in range(len(FAMILY) * len(givens)):
        n = i + 101 * k
        family = FAMILY[(n * 7 + n // len(FAMILY)) % len(FAMILY)]
        middle = middles[(n * 3 + n // 10) % len(middles)]
        given = givens[(n * 5 + n // 24) % len(givens)]
        while given in (middle, family):
            given = givens[(givens.index(given) + 1) % len(givens)]
        name = f"{family} {middle} {given}"
        if name not in taken:
            taken.add(name)
            return name, "F" if female else "M"
    raise RuntimeError("no free name")  # not reached with the lists above for a few thousand students


def _user(db: Session, password_hash: str, username: str, full_name: str, school_id: int | None,
          roles: list[RoleAssignment], **extra: object) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, password_hash=password_hash, school_id=school_id, **extra)
        user.roles = roles
        db.add(user)
        db.flush()
    return user


def get_or_add(db: Session, model: type, defaults: dict[str, object] | None = None, **keys: object) -> object:
    row = db.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.add(row)
        db.flush()
    return row


def _teachers(db: Session, pw: str, school: School, classes: dict[str, SchoolClass],
              subjects: dict[str, Subject]) -> dict[str, User]:
    made = {}
    for t in TEACHERS:
        user = _user(db, pw, t.username, t.full_name, school.id, [RoleAssignment(role=Role.teacher, school_id=school.id)])
        for code in t.subjects:
            get_or_add(db, TeacherSubject, user_id=user.id, subject_id=subjects[code].id)
            for klass in classes.values():
                get_or_add(db, TeachingAssignment, class_id=klass.id, teacher_id=user.id,
                            subject_id=subjects[code].id, defaults={"is_homeroom": False})
        get_or_add(db, TeachingAssignment, class_id=classes[t.homeroom].id, teacher_id=user.id, subject_id=None,
                    defaults={"is_homeroom": True})
        made[t.username] = user
    return made


def build(db: Session, today: date | None = None,
          students_per_class: int = STUDENTS_PER_CLASS) -> tuple[School, list[DemoLogin]]:
    """Create the demo province, commune, school, classes, teachers and students; return the school and one login
    per role."""
    today = today or date.today()
    ensure_reference_data(db, today)
    year = ensure_academic_year(db, school_year_of(today))
    province = get_or_add(db, Province, code=PROVINCE[0], defaults={"name": PROVINCE[1]})
    commune = get_or_add(db, District, province_id=province.id, code=COMMUNE[0],
                          defaults={"name": COMMUNE[1], "kind": COMMUNE[2]})
    school = get_or_add(db, School, code=SCHOOL[0], defaults={
        "name": SCHOOL[1], "level": SchoolLevel.lower_secondary, "province_id": province.id,
        "district_id": commune.id, "address": "Tân Cương, Thái Nguyên"})
    classes = {name: get_or_add(db, SchoolClass, school_id=school.id, academic_year_id=year.id, name=name,
                                 defaults={"grade": grade}) for grade, name in CLASSES}
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    pw = hash_password(DEMO_PASSWORD)

    sysadmin = _user(db, pw, "quantri", "Quản trị hệ thống", None, [RoleAssignment(role=Role.system_admin)])
    staff = _user(db, pw, "so.gddt", "Cán bộ Sở GDĐT Thái Nguyên", None,
                  [RoleAssignment(role=Role.department_staff, province_id=province.id)])
    principal = _user(db, pw, "hieutruong", "Đỗ Thị Hạnh", school.id,
                      [RoleAssignment(role=Role.school_admin, school_id=school.id),
                       RoleAssignment(role=Role.teacher, school_id=school.id)])
    get_or_add(db, TeacherSubject, user_id=principal.id, subject_id=subjects["NV"].id)
    teachers = _teachers(db, pw, school, classes, subjects)

    first_student = None
    taken = set(db.scalars(select(User.full_name).where(User.school_id == school.id,
                                                        User.username.like("hs%"))))
    i = 0
    for grade, name in CLASSES:
        for n in range(students_per_class):
            i += 1
            username = f"hs{name.lower()}.{n + 1:02d}"
            student = db.scalar(select(User).where(User.username == username))
            if student is None:
                full_name, gender = student_name(i, taken)
                birth = date(school_year_of(today) - grade - 5, 1 + (i % 12), 1 + (i % 27))
                student = _user(db, pw, username, full_name, school.id,
                                [RoleAssignment(role=Role.student, school_id=school.id)], gender=gender,
                                birth_date=birth)
            get_or_add(db, ClassEnrolment, class_id=classes[name].id, student_id=student.id)
            first_student = first_student or student
    db.commit()
    teacher = teachers["gv.lan"]
    logins = [
        DemoLogin(Role.student, first_student.username, first_student.full_name, DEMO_PASSWORD),
        DemoLogin(Role.teacher, teacher.username, teacher.full_name, DEMO_PASSWORD),
        DemoLogin(Role.school_admin, principal.username, principal.full_name, DEMO_PASSWORD),
        DemoLogin(Role.department_staff, staff.username, staff.full_name, DEMO_PASSWORD),
        DemoLogin(Role.system_admin, sysadmin.username, sysadmin.full_name, DEMO_PASSWORD),
    ]
    return school, logins
