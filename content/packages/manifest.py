"""The manifest.json of a portable package of materials: its schema, with a limit on every field.

A package is a zip holding `manifest.json` and `files/<sha256>` once per file (version files, subtitles and page
images). The manifest names each file by the SHA-256 of its bytes, so the importer can check every byte.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from content.ingest import FileType
from content.materials.models import Licence, MaterialKind, VersionStatus, Visibility

FORMAT = "truongso-materials"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILES_DIR = "files/"
MAX_MATERIALS = 2000
MAX_VERSIONS = 500
MAX_IMAGES = 200
MAX_ITEMS = 50
MAX_MANIFEST_BYTES = 64_000_000
MAX_FILE_BYTES = 10_000_000_000

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Uid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
SubjectCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Grade = Annotated[int, Field(ge=1, le=12)]


class _Strict(BaseModel):
    """A manifest part: unknown keys and loose types are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FileRef(_Strict):
    """A file carried under files/<sha256>: its hash, size in bytes and type (re-detected on import)."""

    sha256: Sha256
    size: Annotated[int, Field(ge=0, le=MAX_FILE_BYTES)]
    type: FileType


class VersionEntry(_Strict):
    """One version of a material: its number and status at the source, and its content."""

    number: Annotated[int, Field(ge=1, le=1_000_000)]
    note: Annotated[str, StringConstraints(max_length=500)] = ""
    created_at: datetime
    status: VersionStatus
    body_markdown: Annotated[str, StringConstraints(max_length=500_000)] | None = None
    file: FileRef | None = None
    file_name: Name | None = None
    transcript: FileRef | None = None
    external_url: Annotated[str, StringConstraints(max_length=1000)] | None = None

    def fingerprint(self) -> tuple[str | None, str | None, str | None, str | None]:
        """Return what makes two versions the same content: body, file, subtitles and link."""
        return (self.body_markdown, self.file.sha256 if self.file else None,
                self.transcript.sha256 if self.transcript else None, self.external_url)


class ImageEntry(_Strict):
    """An image a written page shows as /page-images/<sha256>."""

    file: FileRef
    file_name: Name


class CurriculumRef(_Strict):
    """A curriculum topic or lesson a material is mapped to, named by its stable key in a subject × grade tree."""

    subject_code: SubjectCode
    grade: Grade
    key: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    title: Annotated[str, StringConstraints(max_length=300)] = ""


class MaterialEntry(_Strict):
    """A material with its describing fields, versions (oldest first), images and curriculum mapping."""

    uid: Uid
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    kind: MaterialKind
    subject_code: SubjectCode | None = None
    grades: Annotated[list[Grade], Field(max_length=12)] = []
    language: Annotated[str, StringConstraints(min_length=2, max_length=8)] = "vi"
    licence: Licence = Licence.cc_by_sa
    # a school-only material's school (by its code; left out for any other licence, so that servers reading the
    # format before this field take such packages): it may be imported into that school only
    school_code: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    visibility: Visibility = Visibility.private
    tags: Annotated[list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=20)] = []
    author_name: Annotated[str, StringConstraints(max_length=200)] = ""
    versions: Annotated[list[VersionEntry], Field(min_length=1, max_length=MAX_VERSIONS)]
    images: Annotated[list[ImageEntry], Field(max_length=MAX_IMAGES)] = []
    curriculum: Annotated[list[CurriculumRef], Field(max_length=MAX_ITEMS)] = []

    @model_validator(mode="after")
    def _versions_in_order(self) -> MaterialEntry:
        numbers = [v.number for v in self.versions]
        if numbers != sorted(set(numbers)):
            raise ValueError("versions must be listed oldest first, each number once")
        return self


class Manifest(_Strict):
    """The whole manifest: format, who made it and when, and the materials."""

    format: Literal["truongso-materials"]
    format_version: Literal[1]
    server: Annotated[str, StringConstraints(max_length=200)] | None = None
    created_at: datetime
    materials: Annotated[list[MaterialEntry], Field(max_length=MAX_MATERIALS)]

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        uids = [m.uid for m in self.materials]
        if len(uids) != len(set(uids)):
            raise ValueError("a material is listed twice")
        sizes: dict[str, int] = {}
        for ref in self.file_refs():
            if sizes.setdefault(ref.sha256, ref.size) != ref.size:
                raise ValueError(f"file {ref.sha256} is listed with two sizes")
        return self

    def file_refs(self) -> list[FileRef]:
        """Return every file reference of the manifest (a file may be referenced many times)."""
        refs: list[FileRef] = []
        for m in self.materials:
            for v in m.versions:
                refs.extend(r for r in (v.file, v.transcript) if r is not None)
            refs.extend(i.file for i in m.images)
        return refs

    def files(self) -> dict[str, FileRef]:
        """Return each file the package must hold, by hash."""
        return {r.sha256: r for r in self.file_refs()}
