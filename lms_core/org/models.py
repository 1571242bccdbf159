"""ORM classes of the organisation domain."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms_core.db import Base
from lms_core.i18n import N_


class SchoolLevel(StrEnum):
    """Levels of schooling a school offers."""

    primary = "primary"
    lower_secondary = "lower_secondary"
    upper_secondary = "upper_secondary"
    multi_level = "multi_level"
    continuing = "continuing"


LEVEL_LABELS: dict[str, str] = {
    SchoolLevel.primary: N_("Primary school"),
    SchoolLevel.lower_secondary: N_("Lower secondary school"),
    SchoolLevel.upper_secondary: N_("Upper secondary school"),
    SchoolLevel.multi_level: N_("Multi-level school"),
    SchoolLevel.continuing: N_("Continuing education centre"),
}

# Grades each level teaches; a multi-level school and a continuing-education centre may
# teach any grade (the latter teaches lower and upper secondary programmes to adults).
LEVEL_GRADES: dict[str, range] = {
    SchoolLevel.primary: range(1, 6),
    SchoolLevel.lower_secondary: range(6, 10),
    SchoolLevel.upper_secondary: range(10, 13),
    SchoolLevel.multi_level: range(1, 13),
    SchoolLevel.continuing: range(6, 13),
}


class DistrictKind(StrEnum):
    """Kinds of the unit below a province (communes since the 2025 reorganisation)."""

    district = "district"
    town = "town"
    city = "city"
    commune = "commune"
    ward = "ward"


class Province(Base):
    """A province or centrally-run city, served by a Department of Education (Sở GDĐT)."""

    __tablename__ = "provinces"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    districts: Mapped[list[District]] = relationship(back_populates="province", order_by="District.name")


class District(Base):
    """A district, town, city, commune or ward inside a province."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("province_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=DistrictKind.district)
    province: Mapped[Province] = relationship(back_populates="districts")


class School(Base):
    """A school; its province is stored with it so area filters need no join."""

    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(24))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id", ondelete="RESTRICT"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="RESTRICT"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    province: Mapped[Province] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def grades(self) -> range:
        """Return the grades this school teaches."""
        return LEVEL_GRADES[self.level]


class AcademicYear(Base):
    """A school year such as 2025–2026, shared by every school."""

    __tablename__ = "academic_years"
    __table_args__ = (CheckConstraint("start_date < end_date", name="dates"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    terms: Mapped[list[Term]] = relationship(back_populates="academic_year", order_by="Term.number")


class Term(Base):
    """A term (học kì) of an academic year."""

    __tablename__ = "terms"
    __table_args__ = (
        UniqueConstraint("academic_year_id", "number"),
        CheckConstraint("start_date < end_date", name="dates"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    academic_year: Mapped[AcademicYear] = relationship(back_populates="terms")


class Subject(Base):
    """A subject of the 2018 general-education programme."""

    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    def name(self, locale: str) -> str:
        """Return the subject's name in a locale."""
        return self.name_en if locale == "en" else self.name_vi


class SchoolClass(Base):
    """A class (lớp) of a school in an academic year, in one grade."""

    __tablename__ = "classes"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    academic_year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id", ondelete="RESTRICT"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(20))
    school: Mapped[School] = relationship()
    academic_year: Mapped[AcademicYear] = relationship()
