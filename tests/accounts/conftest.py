"""Helpers of the import tests: fixture files, a committed whole-school world, row counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.accounts.models import ClassEnrolment, RoleAssignment, TeacherSubject, TeachingAssignment, User
from lms_core.org.models import SchoolClass
from tests.builders import SchoolWorld, build_world

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"
COUNTED = (User, RoleAssignment, ClassEnrolment, TeachingAssignment, TeacherSubject, SchoolClass)


def fixture_bytes(name: str) -> bytes:
    """Return the bytes of a file under tests/fixtures/import/."""
    return (FIXTURES / name).read_bytes()


def stored_counts(db: Session) -> dict[str, int]:
    """Return how many rows each table the import writes holds."""
    db.expire_all()
    return {model.__name__: db.scalar(select(func.count()).select_from(model)) or 0 for model in COUNTED}


@pytest.fixture()
def school(db: Session) -> SchoolWorld:
    """Build the whole-school world and commit it (a savepoint), so a rolled-back import keeps it."""
    world = build_world(db)
    db.commit()
    return world
