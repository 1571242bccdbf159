"""A clean class list creates exactly its people and links; any wrong row, or a failed commit, leaves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lms_core.accounts import importer
from lms_core.accounts.models import ClassEnrolment, Role, TeacherSubject, TeachingAssignment, User
from lms_core.accounts.passwords import verify_password
from lms_core.errors import Invalid
from lms_core.org.models import SchoolClass, Subject
from tests.accounts.conftest import fixture_bytes, stored_counts


def _subject_id(db: Session, code: str) -> int:
    return db.scalar(select(Subject.id).where(Subject.code == code))


def test_clean_file_creates_exactly_its_people_and_links(db: Session, school) -> None:
    before = stored_counts(db)
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("clean.xlsx"))
    after = stored_counts(db)
    assert report.ok and not report.dry_run
    assert report.created == {"students": 3, "teachers": 2, "classes": 0}
    assert after["User"] - before["User"] == 5
    assert after["RoleAssignment"] - before["RoleAssignment"] == 5
    assert after["ClassEnrolment"] - before["ClassEnrolment"] == 3
    assert after["TeachingAssignment"] - before["TeachingAssignment"] == 5  # 2 classes × 2 subjects + homeroom
    assert after["TeacherSubject"] - before["TeacherSubject"] == 3
    assert after["SchoolClass"] == before["SchoolClass"]

    users = {u.full_name: u for u in db.scalars(select(User).where(User.username.in_([a.username for a in report.accounts])))}
    assert set(users) == {"Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Minh Châu", "Phạm Thu Hà", "Đỗ Quang Huy"}
    ngoc = users["Trần Thị Bích Ngọc"]  # written decomposed (NFD) in the file
    assert ngoc.school_id == school.school.id and ngoc.gender == "F" and ngoc.birth_date.isoformat() == "2013-11-03"
    assert [(r.role, r.school_id) for r in ngoc.roles] == [(Role.student, school.school.id)]
    assert users["Lê Minh Châu"].external_code == "102003" and users["Lê Minh Châu"].birth_date.isoformat() == "2013-08-13"
    enrolled = set(db.execute(select(ClassEnrolment.student_id, ClassEnrolment.class_id)
                              .where(ClassEnrolment.student_id.in_([u.id for u in users.values()]))))
    assert enrolled == {(users["Nguyễn Văn An"].id, school.class_6a.id), (ngoc.id, school.class_6a.id),
                        (users["Lê Minh Châu"].id, school.class_7a.id)}
    ha = users["Phạm Thu Hà"]
    toan, ta = _subject_id(db, "TOAN"), _subject_id(db, "TA")
    taught = set(db.execute(select(TeachingAssignment.class_id, TeachingAssignment.subject_id, TeachingAssignment.is_homeroom)
                            .where(TeachingAssignment.teacher_id == ha.id)))
    assert taught == {(school.class_6a.id, toan, False), (school.class_6a.id, ta, False), (school.class_7a.id, toan, False),
                      (school.class_7a.id, ta, False), (school.class_7a.id, None, True)}
    huy = users["Đỗ Quang Huy"]
    assert huy.username == "huy.dq"
    assert set(db.scalars(select(TeacherSubject.subject_id).where(TeacherSubject.user_id == huy.id))) == {_subject_id(db, "TIN")}


def test_accounts_carry_passwords_that_log_in_and_no_plaintext_is_stored(db: Session, school) -> None:
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("clean.xlsx"))
    by_name = {a.full_name: a for a in report.accounts}
    assert by_name["Đỗ Quang Huy"].password == "matkhau-huy-2025"
    assert by_name["Nguyễn Văn An"].class_name == "6A" and by_name["Phạm Thu Hà"].class_name == "7A"
    for account in report.accounts:
        user = db.scalar(select(User).where(User.username == account.username))
        assert len(account.password) >= 8
        assert account.password not in user.password_hash
        assert verify_password(user.password_hash, account.password)


def test_one_bad_row_imports_nothing(db: Session, school) -> None:
    before = stored_counts(db)
    with pytest.raises(importer.ImportRejected) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("one_bad_row.xlsx"))
    assert [(e["row"], e["field"], e["code"]) for e in refused.value.details] == [(5, "class_name", "unknown_class")]
    assert refused.value.status_code == 422
    assert stored_counts(db) == before


def test_dry_run_checks_and_writes_nothing(db: Session, school) -> None:
    before = stored_counts(db)
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("clean.xlsx"), dry_run=True)
    assert report.ok and report.dry_run and report.accounts == []
    assert report.created == {"students": 3, "teachers": 2, "classes": 0}
    assert stored_counts(db) == before


def test_a_failed_commit_leaves_nothing(db: Session, school, monkeypatch) -> None:
    before = stored_counts(db)

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(db, "commit", fail)
    with pytest.raises(OperationalError):
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("clean.xlsx"))
    monkeypatch.undo()
    assert stored_counts(db) == before


def test_missing_classes_are_created_when_asked(db: Session, school) -> None:
    with pytest.raises(importer.ImportRejected):
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("new_classes.xlsx"))
    report = importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                   data=fixture_bytes("new_classes.xlsx"), create_classes=True)
    assert report.created == {"students": 2, "teachers": 1, "classes": 2}
    made = {c.name: c for c in db.scalars(select(SchoolClass).where(SchoolClass.school_id == school.school.id,
                                                                     SchoolClass.name.in_(["8B", "9C"])))}
    assert {(n, c.grade, c.academic_year_id) for n, c in made.items()} == {("8B", 8, school.year.id), ("9C", 9, school.year.id)}
    assert len(db.scalars(select(ClassEnrolment).where(ClassEnrolment.class_id == made["8B"].id)).all()) == 2
    homeroom = db.scalar(select(TeachingAssignment).where(TeachingAssignment.class_id == made["9C"].id,
                                                          TeachingAssignment.is_homeroom.is_(True)))
    assert homeroom is not None


def test_classes_the_school_cannot_have_are_refused(db: Session, school) -> None:
    before = stored_counts(db)
    with pytest.raises(importer.ImportRejected) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("bad_new_classes.xlsx"), create_classes=True)
    assert [(e["row"], e["code"]) for e in refused.value.details] == [(2, "grade_not_taught"), (3, "class_grade_unknown")]
    assert stored_counts(db) == before


def test_no_academic_year_is_a_clear_refusal(db: Session, school, monkeypatch) -> None:
    monkeypatch.setattr(importer, "current_year", lambda **_: None)
    with pytest.raises(Invalid) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("clean.xlsx"))
    assert refused.value.message == importer.NO_YEAR
