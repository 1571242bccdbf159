"""Pydantic models of the people-management API; every field bounded, unknown fields refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lms_core.accounts.manage import UserDetail, UserPage
from lms_core.i18n import current_locale

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
RoleName = Literal["student", "teacher", "school_admin", "department_staff", "system_admin"]


class UserRowOut(BaseModel):
    """A person in the list: who they are, their roles, their current classes, whether they may log in."""

    id: Id
    username: str = Field(max_length=64)
    full_name: str = Field(max_length=120)
    roles: list[RoleName] = Field(max_length=5)
    classes: list[str] = Field(max_length=100)
    is_active: bool


class UserListOut(BaseModel):
    """One page (50 people) of a school's people."""

    total: int = Field(ge=0)
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    per_page: int = Field(ge=1, le=200)
    items: list[UserRowOut]

    @classmethod
    def of(cls, result: UserPage, per_page: int) -> UserListOut:
        """Build the answer from a service page."""
        items = [UserRowOut(id=u.id, username=u.username, full_name=u.full_name, roles=u.role_names(),
                            classes=result.classes.get(u.id, []), is_active=u.is_active) for u in result.users]
        return cls(total=result.total, page=result.page, pages=result.pages, per_page=per_page, items=items)


class ClassRefOut(BaseModel):
    """A class a student is in."""

    id: Id
    name: str = Field(max_length=20)
    grade: int = Field(ge=1, le=12)
    academic_year: str = Field(max_length=20)


class SubjectRefOut(BaseModel):
    """A subject, named in the caller's language."""

    id: Id
    code: str = Field(max_length=16)
    name: str = Field(max_length=120)


class TeachingOut(BaseModel):
    """A teaching assignment: a subject in a class, or the homeroom of a class."""

    class_id: Id
    class_name: str = Field(max_length=20)
    academic_year: str = Field(max_length=20)
    subject: SubjectRefOut | None
    is_homeroom: bool


class UserDetailOut(BaseModel):
    """A person as their school administrator sees them."""

    id: Id
    username: str = Field(max_length=64)
    full_name: str = Field(max_length=120)
    school_id: Id | None
    is_active: bool
    roles: list[RoleName] = Field(max_length=5)
    birth_date: date | None
    created_at: datetime
    last_login: datetime | None
    classes: list[ClassRefOut]
    teaching: list[TeachingOut]
    subjects: list[SubjectRefOut]

    @classmethod
    def of(cls, detail: UserDetail) -> UserDetailOut:
        """Build the answer from a service detail."""
        locale = current_locale()
        u = detail.user
        return cls(
            id=u.id, username=u.username, full_name=u.full_name, school_id=u.school_id, is_active=u.is_active,
            roles=u.role_names(), birth_date=u.birth_date, created_at=u.created_at, last_login=detail.last_login,
            classes=[ClassRefOut(id=c.id, name=c.name, grade=c.grade, academic_year=c.academic_year.name)
                     for c in detail.classes],
            teaching=[TeachingOut(class_id=t.klass.id, class_name=t.klass.name, academic_year=t.klass.academic_year.name,
                                  subject=SubjectRefOut(id=t.subject.id, code=t.subject.code, name=t.subject.name(locale))
                                  if t.subject else None, is_homeroom=t.assignment.is_homeroom) for t in detail.teaching],
            subjects=[SubjectRefOut(id=s.id, code=s.code, name=s.name(locale)) for s in detail.subjects],
        )


class PersonIn(BaseModel):
    """A person to add by hand: a student with a class, or a teacher with subjects."""

    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(min_length=1, max_length=120)
    role: Literal["student", "teacher"]
    username: str | None = Field(default=None, max_length=64, description="Generated from the name when empty.")
    class_id: Id | None = None
    subject_ids: list[Id] = Field(default_factory=list, max_length=30)
    birth_date: date | None = Field(default=None, ge=date(1900, 1, 1), le=date(2100, 1, 1))


class AccountOut(BaseModel):
    """A new or reset account and its password: shown once, stored nowhere."""

    user: UserDetailOut
    password: str = Field(max_length=128)


class PasswordOut(BaseModel):
    """A reset password: shown once, stored nowhere."""

    username: str = Field(max_length=64)
    password: str = Field(max_length=128)


class UserPatchIn(BaseModel):
    """Changes to a person: their name, whether they may log in."""

    model_config = ConfigDict(extra="forbid")
    is_active: bool | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=120)


class ClassesIn(BaseModel):
    """A student's classes of the current school year (usually one; empty removes them from every class)."""

    model_config = ConfigDict(extra="forbid")
    class_ids: list[Id] = Field(max_length=10)


class TeachingIn(BaseModel):
    """A teaching assignment: a subject in a class, or (no subject) the class's homeroom."""

    model_config = ConfigDict(extra="forbid")
    class_id: Id
    subject_id: Id | None = None
    is_homeroom: bool = False
