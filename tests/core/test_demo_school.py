"""The demo school: one login per role, teachers with their subjects and classes, about 150 made-up students, and
running the demo again duplicates nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import demo
from lms_core.accounts import auth
from lms_core.accounts.models import ClassEnrolment, Role, TeacherSubject, TeachingAssignment, User
from lms_core.org.models import School, SchoolClass, Subject

ROOT = Path(__file__).resolve().parents[2]


def _counts(db: Session) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (
        User, School, SchoolClass, ClassEnrolment, TeacherSubject, TeachingAssignment))


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


def test_a_class_of_made_up_students_with_varied_names(db: Session) -> None:
    school, _ = demo.build(db)
    sizes = dict(db.execute(select(SchoolClass.name, func.count()).join(ClassEnrolment).where(
        SchoolClass.school_id == school.id).group_by(SchoolClass.name)).tuples().all())
    assert sizes == {name: demo.STUDENTS_PER_CLASS for _, name in demo.CLASSES}
    assert 140 <= sum(sizes.values()) <= 160
    names = db.scalars(select(User.full_name).join(ClassEnrolment, ClassEnrolment.student_id == User.id)
                       .join(SchoolClass).where(SchoolClass.school_id == school.id)).all()
    assert len(set(names)) == len(names)  # nobody shares a full name in the school
    given = Counter(n.split()[-1] for n in names)
    assert given.most_common(1)[0][1] <= 12 and len(given) >= 30
    assert all(len(n.split()) == 3 and len(set(n.split())) == 3 for n in names)


def test_teachers_teach_their_subjects_to_every_class_and_each_class_has_a_homeroom(db: Session) -> None:
    school, logins = demo.build(db, students_per_class=1)
    classes = {c.id: c.name for c in db.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id))}
    taught = db.execute(select(User.username, Subject.code, TeachingAssignment.class_id)
                        .join(TeachingAssignment, TeachingAssignment.teacher_id == User.id)
                        .join(Subject, Subject.id == TeachingAssignment.subject_id)).all()
    subjects_of = {t.username: t.subjects for t in demo.TEACHERS}
    by_subject: dict[str, set[int]] = {}
    for username, code, class_id in taught:
        by_subject.setdefault(code, set()).add(class_id)
        assert code in subjects_of[username]  # a teacher teaches only their own subjects
    for code in ("GDDP", "KHTN", "CN", "TIN", "NN1", "NN2", "NV"):  # the subject areas the packs serve
        assert by_subject[code] == set(classes), code
    assert "TA" not in by_subject  # English is NN1, as the curriculum and the packs name it
    homerooms = Counter(db.scalars(select(TeachingAssignment.class_id).where(TeachingAssignment.is_homeroom)))
    assert homerooms == Counter(set(classes))
    lan = db.scalars(select(User).where(User.username == "gv.lan")).one()
    assert [x.username for x in logins if x.role == Role.teacher] == ["gv.lan"]
    assert db.scalars(select(Subject.code).join(TeacherSubject).where(TeacherSubject.user_id == lan.id)).all() == ["NN1"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_demo_command_twice_on_a_fresh_var_dir(tmp_path: Path) -> None:
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(tmp_path / "var")}
    for key in ("TRUONGSO_DATABASE_URL", "TRUONGSO_SECRET_KEY"):
        env.pop(key, None)
    outputs, runs = [], []
    tables = ("users", "classes", "class_enrolments", "courses", "course_activities", "xapi_statements",
              "quiz_attempts", "course_submissions", "course_attendance", "gradebook_entries", "materials", "tutor_chunks",
              "tutor_exchanges")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "lms_core.cli", "demo", "--no-serve"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=420)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
        with sqlite3.connect(tmp_path / "var" / "truongso.sqlite") as conn:
            counts = dict(zip(tables, (conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)))
        # 8 classes in the demo school, 8 in its small blended-learning neighbours (lms_core/blended/demo.py)
        assert counts["classes"] == 16 and counts["users"] > 150 and counts["class_enrolments"] == 152
        assert counts["courses"] >= 8 and min(counts[t] for t in tables[5:]) > 0  # a term of history
        runs.append(counts)
    assert runs[1] == runs[0]  # the second run added nothing
    # the tutor is indexed (a snapshot of the shared repository is current) and students have asked it
    assert (tmp_path / "var" / "tutor_index" / "shared" / "CURRENT").is_file()
    for username in ("gv.lan", "hieutruong", "so.gddt", "quantri", demo.DEMO_PASSWORD):
        assert username in outputs[0]
    assert (tmp_path / "var" / "secret_key").exists()
    journal = sqlite3.connect(tmp_path / "var" / "truongso.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
