"""Pydantic models of the organisation API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SchoolOut(BaseModel):
    """A school."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    level: str
    province_id: int
    district_id: int | None


class ClassIn(BaseModel):
    """A new class."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=20)
    grade: int = Field(ge=1, le=12)
    academic_year_id: int = Field(ge=1)


class ClassOut(BaseModel):
    """A class."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    academic_year_id: int
    grade: int
    name: str


class MemberOut(BaseModel):
    """A person in a class."""

    id: int
    full_name: str
    username: str


class ClassDetailOut(ClassOut):
    """A class with its teachers and students."""

    teachers: list[MemberOut]
    students: list[MemberOut]
