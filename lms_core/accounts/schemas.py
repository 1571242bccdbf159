"""Pydantic models of the accounts API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    """Credentials sent to the login route."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class RoleOut(BaseModel):
    """One role of a user and its scope."""

    model_config = ConfigDict(from_attributes=True)
    role: str
    school_id: int | None
    district_id: int | None
    province_id: int | None


class UserOut(BaseModel):
    """A user as others may see them."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    school_id: int | None
    locale: str | None
    roles: list[RoleOut]


class SessionOut(BaseModel):
    """The answer to a login: the user and the token unsafe API calls must send."""

    user: UserOut
    csrf_token: str


class LocaleIn(BaseModel):
    """A language choice."""

    model_config = ConfigDict(extra="forbid")
    locale: str = Field(pattern="^(vi|en)$")


class UserPage(BaseModel):
    """A page of users."""

    total: int = Field(ge=0)
    items: list[UserOut]
