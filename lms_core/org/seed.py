"""Reference data every installation needs: the subjects of the 2018 programme, academic years."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.org.models import AcademicYear, Subject, Term

SUBJECTS_CSV = Path(__file__).parent / "data" / "subjects.csv"


def ensure_subjects(db: Session) -> int:
    """Add missing subjects and refresh their names; return how many were added."""
    existing = {s.code: s for s in db.scalars(select(Subject))}
    added = 0
    with SUBJECTS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            subject = existing.get(row["code"])
            if subject is None:
                db.add(Subject(code=row["code"], name_vi=row["name_vi"], name_en=row["name_en"]))
                added += 1
            else:
                subject.name_vi, subject.name_en = row["name_vi"], row["name_en"]
    db.flush()
    return added


def year_bounds(start_year: int) -> tuple[date, date, date, date]:
    """Return (start, end of term 1, start of term 2, end) of a school year starting in September."""
    return date(start_year, 9, 5), date(start_year + 1, 1, 17), date(start_year + 1, 1, 19), date(start_year + 1, 5, 31)


def build_year(start_year: int) -> AcademicYear:
    """Return a new (unsaved) school year starting in a given autumn, with its two terms."""
    start, end1, start2, end = year_bounds(start_year)
    return AcademicYear(name=f"{start_year}-{start_year + 1}", start_date=start, end_date=end, terms=[
        Term(number=1, name="Học kì I", start_date=start, end_date=end1),
        Term(number=2, name="Học kì II", start_date=start2, end_date=end),
    ])


def ensure_academic_year(db: Session, start_year: int) -> AcademicYear:
    """Return the academic year starting in a given autumn, creating it with its two terms."""
    name = f"{start_year}-{start_year + 1}"
    year = db.scalar(select(AcademicYear).where(AcademicYear.name == name))
    if year is not None:
        return year
    year = build_year(start_year)
    db.add(year)
    db.flush()
    return year


def school_year_of(day: date) -> int:
    """Return the autumn year in which the school year containing `day` started."""
    return day.year if day.month >= 8 else day.year - 1


def ensure_reference_data(db: Session, today: date | None = None) -> None:
    """Ensure subjects and the current academic year exist."""
    ensure_subjects(db)
    ensure_academic_year(db, school_year_of(today or date.today()))
    db.commit()
