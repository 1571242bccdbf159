"""Setting up the organisation: provinces, districts or communes, schools with their first admin, years."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts import service as accounts
from lms_core.accounts.models import Role, RoleAssignment, User
from lms_core.accounts.passwords import generate_password
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, District, DistrictKind, Province, School, SchoolLevel
from lms_core.org.seed import build_year
from lms_core.permissions import NOT_ALLOWED

PROVINCE_NOT_FOUND = N_("This province does not exist.")
DISTRICT_NOT_FOUND = N_("This district or commune does not exist in the province.")
CODE_TAKEN = N_("The code {code} is already used.")
BAD_CODE = N_("A code may contain only letters A–Z, digits and dashes (2 to 32 characters).")
BAD_NAME = N_("The name is missing or too long.")
BAD_LEVEL = N_("This school level is not known.")
BAD_KIND = N_("This kind of unit is not known.")
YEAR_EXISTS = N_("The school year {name} already exists.")
BAD_YEAR = N_("A school year starts between 2000 and 2100.")
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


@dataclass(frozen=True)
class NewSchool:
    """A created school and its first administrator's one-time password."""

    school: School
    admin: User
    password: str


def command_line_operator() -> User:
    """Return an unsaved system administrator standing for whoever runs the command line on the server."""
    return User(id=0, username="command-line", full_name="command line", is_active=True, roles=[
        RoleAssignment(role=Role.system_admin)])


def _require_system_admin(actor: User) -> None:
    if not actor.is_active or not actor.has_role(Role.system_admin):
        raise Forbidden(NOT_ALLOWED)


def _code(value: str) -> str:
    code = unicodedata.normalize("NFC", value).strip().upper()
    if not 2 <= len(code) <= 32 or not set(code) <= CODE_CHARS:
        raise Invalid(BAD_CODE)
    return code


def _name(value: str, limit: int) -> str:
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if not name or len(name) > limit:
        raise Invalid(BAD_NAME)
    return name


def create_province(*, db: Session, actor: User, code: str, name: str) -> Province:
    """Register a province (Sở GDĐT)."""
    _require_system_admin(actor)
    code, name = _code(code), _name(name, 120)
    if db.scalar(select(Province.id).where(Province.code == code)) is not None:
        raise Conflict(CODE_TAKEN, code=code)
    province = Province(code=code, name=name)
    db.add(province)
    db.commit()
    return province


def create_district(*, db: Session, actor: User, province_id: int, code: str, name: str, kind: str) -> District:
    """Register a district, town, city, commune or ward of a province."""
    _require_system_admin(actor)
    if db.get(Province, province_id) is None:
        raise NotFound(PROVINCE_NOT_FOUND)
    if kind not in set(DistrictKind):
        raise Invalid(BAD_KIND)
    code, name = _code(code), _name(name, 120)
    taken = db.scalar(select(District.id).where(District.province_id == province_id, District.code == code))
    if taken is not None:
        raise Conflict(CODE_TAKEN, code=code)
    district = District(province_id=province_id, code=code, name=name, kind=kind)
    db.add(district)
    db.commit()
    return district


def create_school(*, db: Session, actor: User, province_id: int, district_id: int | None, code: str, name: str,
                  level: str, admin_full_name: str, admin_username: str, address: str | None = None) -> NewSchool:
    """Register a school together with its first school administrator (one transaction)."""
    _require_system_admin(actor)
    if db.get(Province, province_id) is None:
        raise NotFound(PROVINCE_NOT_FOUND)
    if district_id is not None:
        district = db.get(District, district_id)
        if district is None or district.province_id != province_id:
            raise NotFound(DISTRICT_NOT_FOUND)
    if level not in set(SchoolLevel):
        raise Invalid(BAD_LEVEL)
    code, name = _code(code), _name(name, 200)
    if db.scalar(select(School.id).where(School.code == code)) is not None:
        raise Conflict(CODE_TAKEN, code=code)
    school = School(code=code, name=name, level=level, province_id=province_id, district_id=district_id,
                    address=(address or "").strip()[:300] or None)
    db.add(school)
    db.flush()
    password = generate_password()
    admin = accounts.create_user(
        db=db, username=admin_username, full_name=_name(admin_full_name, 120), password=password, school_id=school.id,
        roles=[{"role": Role.school_admin, "school_id": school.id}], commit=False,
    )
    db.commit()
    return NewSchool(school=school, admin=admin, password=password)


def create_year(*, db: Session, actor: User, start_year: int) -> AcademicYear:
    """Open a school year (September to May) with its two terms."""
    _require_system_admin(actor)
    if not 2000 <= start_year <= 2100:
        raise Invalid(BAD_YEAR)
    name = f"{start_year}-{start_year + 1}"
    if db.scalar(select(AcademicYear.id).where(AcademicYear.name == name)) is not None:
        raise Conflict(YEAR_EXISTS, name=name)
    year = build_year(start_year)
    db.add(year)
    db.commit()
    return year


def overview(*, db: Session, actor: User) -> dict[str, list]:
    """Return every province with its districts, schools with their user counts, and the years."""
    _require_system_admin(actor)
    users = dict(db.execute(select(User.school_id, func.count()).where(User.school_id.is_not(None)).group_by(User.school_id)).all())
    schools = db.scalars(select(School).order_by(School.name)).all()
    return {
        "provinces": list(db.scalars(select(Province).order_by(Province.name))),
        "schools": [{"school": s, "users": users.get(s.id, 0)} for s in schools],
        "years": list(db.scalars(select(AcademicYear).order_by(AcademicYear.start_date.desc()))),
    }
