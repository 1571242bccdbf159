"""JSON routes for setting up provinces, districts or communes, schools and school years."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lms_core.org import admin
from lms_core.org.schemas import SchoolOut
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["organisation"])

CODE = Field(min_length=2, max_length=32)


class ProvinceIn(BaseModel):
    """A new province."""

    model_config = ConfigDict(extra="forbid")
    code: str = CODE
    name: str = Field(min_length=1, max_length=120)


class UnitOut(BaseModel):
    """A province or a district/commune."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str


class DistrictIn(ProvinceIn):
    """A new district, town, city, commune or ward."""

    kind: str = Field(default="commune", pattern="^(district|town|city|commune|ward)$")


class SchoolIn(BaseModel):
    """A new school and its first administrator."""

    model_config = ConfigDict(extra="forbid")
    province_id: int = Field(ge=1)
    district_id: int | None = Field(default=None, ge=1)
    code: str = CODE
    name: str = Field(min_length=1, max_length=200)
    level: str = Field(pattern="^(primary|lower_secondary|upper_secondary|multi_level|continuing)$")
    address: str | None = Field(default=None, max_length=300)
    admin_full_name: str = Field(min_length=1, max_length=120)
    admin_username: str = Field(min_length=3, max_length=64)


class NewSchoolOut(BaseModel):
    """The created school, its administrator's username and one-time password."""

    school: SchoolOut
    admin_username: str
    admin_password: str


class YearIn(BaseModel):
    """A new school year, by the year it starts."""

    model_config = ConfigDict(extra="forbid")
    start_year: int = Field(ge=2000, le=2100)


class YearOut(BaseModel):
    """A school year."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


@router.post("/provinces", status_code=201)
def add_province(body: ProvinceIn, db: DbSession, user: CurrentUser) -> UnitOut:
    """Register a province (system administrators)."""
    return UnitOut.model_validate(admin.create_province(db=db, actor=user, code=body.code, name=body.name))


@router.post("/provinces/{province_id}/districts", status_code=201)
def add_district(province_id: int, body: DistrictIn, db: DbSession, user: CurrentUser) -> UnitOut:
    """Register a district or commune of a province (system administrators)."""
    district = admin.create_district(db=db, actor=user, province_id=province_id, code=body.code, name=body.name,
                                     kind=body.kind)
    return UnitOut.model_validate(district)


@router.post("/schools", status_code=201)
def add_school(body: SchoolIn, db: DbSession, user: CurrentUser) -> NewSchoolOut:
    """Register a school with its first administrator (system administrators)."""
    made = admin.create_school(db=db, actor=user, **body.model_dump())
    return NewSchoolOut(school=SchoolOut.model_validate(made.school), admin_username=made.admin.username,
                        admin_password=made.password)


@router.post("/academic-years", status_code=201)
def add_year(body: YearIn, db: DbSession, user: CurrentUser) -> YearOut:
    """Open a school year with its two terms (system administrators)."""
    return YearOut.model_validate(admin.create_year(db=db, actor=user, start_year=body.start_year))
