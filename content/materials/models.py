"""ORM classes of materials, their versions, stored files, extracted sections and review history."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base, UTCDateTime, utcnow
from lms_core.i18n import N_


class MaterialKind(StrEnum):
    """What a material is, as a teacher would say it."""

    page = "page"
    document = "document"
    slides = "slides"
    video = "video"
    audio = "audio"
    image = "image"
    ehandbook = "ehandbook"
    link = "link"


KIND_LABELS = {
    MaterialKind.page: N_("Written page"),
    MaterialKind.document: N_("Document"),
    MaterialKind.slides: N_("Slide deck"),
    MaterialKind.video: N_("Video"),
    MaterialKind.audio: N_("Audio (podcast)"),
    MaterialKind.image: N_("Image (infographic)"),
    MaterialKind.ehandbook: N_("E-handbook"),
    MaterialKind.link: N_("External link"),
}


class Visibility(StrEnum):
    """Who may find a published material."""

    private = "private"
    school = "school"
    shared = "shared"


VISIBILITY_LABELS = {
    Visibility.private: N_("Only me"),
    Visibility.school: N_("My school"),
    Visibility.shared: N_("Shared repository"),
}


class Licence(StrEnum):
    """Licences a school commonly uses for its own materials."""

    cc_by = "CC-BY-4.0"
    cc_by_sa = "CC-BY-SA-4.0"
    cc_by_nc = "CC-BY-NC-4.0"
    cc_by_nc_sa = "CC-BY-NC-SA-4.0"
    cc0 = "CC0-1.0"
    school_only = "school-only"
    all_rights = "all-rights-reserved"


LICENCE_LABELS = {
    Licence.cc_by: "CC BY 4.0",
    Licence.cc_by_sa: "CC BY-SA 4.0",
    Licence.cc_by_nc: "CC BY-NC 4.0",
    Licence.cc_by_nc_sa: "CC BY-NC-SA 4.0",
    Licence.cc0: "CC0",
    Licence.school_only: N_("Only inside the school"),
    Licence.all_rights: N_("All rights reserved"),
}


class VersionStatus(StrEnum):
    """Where a version stands in the review workflow."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"
    published = "published"
    archived = "archived"


STATUS_LABELS = {
    VersionStatus.draft: N_("Draft"),
    VersionStatus.submitted: N_("Waiting for review"),
    VersionStatus.approved: N_("Approved"),
    VersionStatus.returned: N_("Returned with comments"),
    VersionStatus.published: N_("Published"),
    VersionStatus.archived: N_("Archived"),
}


class StoredFile(Base):
    """A file kept once under var/files/ by the SHA-256 of its bytes."""

    __tablename__ = "stored_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    file_type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Material(Base):
    """A learning material; its content lives in versions, the newest one being the current."""

    __tablename__ = "materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The same material on every server: portable packages match on it, so importing twice adds nothing.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="RESTRICT"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    licence: Mapped[str] = mapped_column(String(32), default=Licence.cc_by_sa)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.private, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("material_versions.id", ondelete="SET NULL", use_alter=True), nullable=True)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("material_versions.id", ondelete="SET NULL", use_alter=True), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grade_rows: Mapped[list[MaterialGrade]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MaterialGrade.grade")
    versions: Mapped[list[MaterialVersion]] = relationship(
        back_populates="material", foreign_keys="MaterialVersion.material_id", order_by="MaterialVersion.number")
    current_version: Mapped[MaterialVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    published_version: Mapped[MaterialVersion | None] = relationship(foreign_keys=[published_version_id], post_update=True)


    @property
    def grades(self) -> list[int]:
        """Return the grades the material is for."""
        return [g.grade for g in self.grade_rows]


class MaterialGrade(Base):
    """A grade a material is for (a row each, so lists can filter by grade in SQL)."""

    __tablename__ = "material_grades"
    __table_args__ = (UniqueConstraint("material_id", "grade"), CheckConstraint("grade BETWEEN 1 AND 12", name="grade"))
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    grade: Mapped[int] = mapped_column(Integer, index=True)


class MaterialVersion(Base):
    """One immutable state of a material's content; only its review status changes."""

    __tablename__ = "material_versions"
    __table_args__ = (UniqueConstraint("material_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
    body_markdown: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256", ondelete="RESTRICT"))
    file_name: Mapped[str | None] = mapped_column(String(255))
    transcript_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256", ondelete="RESTRICT"))
    external_url: Mapped[str | None] = mapped_column(String(1000))
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("material_versions.id", ondelete="SET NULL"))
    text_sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.draft, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    material: Mapped[Material] = relationship(back_populates="versions", foreign_keys=[material_id])
    file: Mapped[StoredFile | None] = relationship(foreign_keys=[file_sha256])
    transcript: Mapped[StoredFile | None] = relationship(foreign_keys=[transcript_sha256])
    sections: Mapped[list[MaterialSection]] = relationship(
        back_populates="version", order_by="MaterialSection.position", cascade="all, delete-orphan")


class MaterialImage(Base):
    """An image a written page shows: stored by hash, served only to who may see the material."""

    __tablename__ = "material_images"
    __table_args__ = (UniqueConstraint("material_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256", ondelete="RESTRICT"))
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    file: Mapped[StoredFile] = relationship()


class MaterialSection(Base):
    """A piece of a version's extracted text with its address (heading path, page, slide or time)."""

    __tablename__ = "material_sections"
    __table_args__ = (UniqueConstraint("version_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[MaterialVersion] = relationship(back_populates="sections")


class ReviewEvent(Base):
    """One step of a version through the review workflow: who, when, from what to what, and why."""

    __tablename__ = "material_review_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("material_versions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(String(2000), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectGroupHead(Base):
    """A head of a subject group (tổ trưởng chuyên môn): reviews that subject's materials in the school."""

    __tablename__ = "subject_group_heads"
    __table_args__ = (UniqueConstraint("school_id", "subject_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
