"""Pydantic models of the materials API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KIND = "^(page|document|slides|video|audio|image|ehandbook|link)$"
VISIBILITY = "^(private|school|shared)$"
LICENCE = "^(CC-BY-4.0|CC-BY-SA-4.0|CC-BY-NC-4.0|CC-BY-NC-SA-4.0|CC0-1.0|school-only|all-rights-reserved)$"


class MaterialFieldsIn(BaseModel):
    """The describing fields of a material."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern=KIND)
    description: str = Field(default="", max_length=2000)
    subject_id: int | None = Field(default=None, ge=1)
    grades: list[int] = Field(default_factory=list, max_length=12)
    language: str = Field(default="vi", pattern="^(vi|en|ko|fr|zh|ja)$")
    licence: str = Field(default="CC-BY-SA-4.0", pattern=LICENCE)
    visibility: str = Field(default="private", pattern=VISIBILITY)
    tags: list[str] = Field(default_factory=list, max_length=20)


class MaterialIn(MaterialFieldsIn):
    """A new material: a written page brings its Markdown, a link its address."""

    body_markdown: str | None = Field(default=None, max_length=500_000)
    external_url: str | None = Field(default=None, max_length=1000)
    note: str = Field(default="", max_length=500)


class TextVersionIn(BaseModel):
    """A new text for a written page."""

    model_config = ConfigDict(extra="forbid")
    body_markdown: str = Field(min_length=1, max_length=500_000)
    note: str = Field(default="", max_length=500)


class RestoreIn(BaseModel):
    """Restore an old version as the newest."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class SectionOut(BaseModel):
    """An extracted piece of text with its address."""

    model_config = ConfigDict(from_attributes=True)
    position: int
    kind: str
    text: str
    address: dict[str, Any]


class VersionOut(BaseModel):
    """One version of a material."""

    model_config = ConfigDict(from_attributes=True)
    number: int
    status: str
    note: str
    created_at: datetime
    created_by_id: int
    file_sha256: str | None
    file_name: str | None
    transcript_sha256: str | None
    external_url: str | None
    restored_from_id: int | None
    text_sha256: str


class VersionDetailOut(VersionOut):
    """A version with its text and sections."""

    body_markdown: str | None
    sections: list[SectionOut]


class MaterialOut(BaseModel):
    """A material as lists show it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    kind: str
    description: str
    subject_id: int | None
    grades: list[int]
    language: str
    licence: str
    visibility: str
    tags: list[str]
    owner_id: int
    school_id: int | None
    current_version_id: int | None
    published_version_id: int | None
    updated_at: datetime


class DiffLine(BaseModel):
    """One line of a comparison: '+' added, '-' removed, ' ' the same."""

    sign: str = Field(pattern=r"^[+\- ]$")
    text: str
