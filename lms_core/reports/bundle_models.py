"""ORM classes of report bundles on a department's server: the public key registered for each school that sends
its figures as a signed bundle, and the log of imported bundles (the school server's private key is a file under
the var directory, never in the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms_core.db import Base, UTCDateTime, utcnow


class SchoolKey(Base):
    """The Ed25519 public key a school's own server signs its report bundles with, registered by department staff
    after comparing its fingerprint with the school (one key per school; registering again replaces it)."""

    __tablename__ = "report_school_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), unique=True)
    public_key_pem: Mapped[str] = mapped_column(String(400))
    fingerprint: Mapped[str] = mapped_column(String(64))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BundleImport(Base):
    """One imported bundle: whose, which year, the SHA-256 of its bundle.json (the same bundle is never applied
    twice), when the school server made it (an older one is refused), who imported it and what it held."""

    __tablename__ = "report_bundle_imports"
    __table_args__ = (UniqueConstraint("school_id", "academic_year_id", "digest"),
                      CheckConstraint("rows >= 0", name="rows"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the key that verified it
    rows: Mapped[int] = mapped_column(Integer)
    planned_total: Mapped[int] = mapped_column(Integer, default=0)
    delivered_online: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
