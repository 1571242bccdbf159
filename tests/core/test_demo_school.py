"""The demo school: one login per role, and running the demo again duplicates nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import demo
from lms_core.accounts import auth
from lms_core.accounts.models import ClassEnrolment, Role, User
from lms_core.org.models import School, SchoolClass

ROOT = Path(__file__).resolve().parents[2]


def _counts(db: Session) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (User, School, SchoolClass, ClassEnrolment))


def test_demo_builds_once_and_every_role_can_log_in(db: Session) -> None:
    school, logins = demo.build(db, students_per_class=2)
    first = _counts(db)
    again, logins_again = demo.build(db, students_per_class=2)
    assert _counts(db) == first and again.id == school.id
    assert [(x.role, x.username) for x in logins] == [(x.role, x.username) for x in logins_again]
    assert {x.role for x in logins} == set(Role)
    classes = db.scalars(select(SchoolClass.name).where(SchoolClass.school_id == school.id)).all()
    assert sorted(classes) == ["6A", "6B", "7A", "7B", "8A", "8B", "9A", "9B"]
    student = next(x for x in logins if x.role == Role.student)
    assert auth.login(db=db, username=student.username, password=student.password).user.has_role(Role.student)


@pytest.mark.slow
def test_demo_command_twice_on_a_fresh_var_dir(tmp_path: Path) -> None:
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(tmp_path / "var")}
    for key in ("TRUONGSO_DATABASE_URL", "TRUONGSO_SECRET_KEY"):
        env.pop(key, None)
    outputs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "lms_core.cli", "demo", "--no-serve"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
        with sqlite3.connect(tmp_path / "var" / "truongso.sqlite") as conn:
            counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("users", "classes", "class_enrolments")]
        assert counts[1] == 8 and counts[0] > 30
        if len(outputs) == 2:
            assert counts == first_counts
        first_counts = counts
    for username in ("gv.lan", "hieutruong", "so.gddt", "quantri", demo.DEMO_PASSWORD):
        assert username in outputs[0]
    assert (tmp_path / "var" / "secret_key").exists()
    journal = sqlite3.connect(tmp_path / "var" / "truongso.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
