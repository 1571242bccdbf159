"""Heads of subject groups (tổ trưởng chuyên môn): a school's admin names and removes them, per subject."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from content.materials.models import SubjectGroupHead
from content.review import service
from lms_core import permissions
from lms_core.accounts.models import Role, RoleAssignment, User
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org import service as org
from lms_core.org.models import School, Subject

HEAD_NOT_FOUND = N_("This subject group head does not exist.")
NO_SUCH_SUBJECT = N_("This subject does not exist.")
NOT_A_TEACHER = N_("Only a teacher of this school can head a subject group.")
ALREADY_HEAD = N_("This teacher already heads this subject group.")


@dataclass(frozen=True)
class HeadItem:
    """A head of a subject group with the subject and the person."""

    id: int
    school_id: int
    subject: Subject
    user: User


def _managed_school(db: Session, actor: User, school_id: int) -> School:
    school = org.get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    return school


def list_heads(*, db: Session, actor: User, school_id: int) -> list[HeadItem]:
    """Return the subject group heads of a school the actor manages, by subject then name."""
    school = _managed_school(db, actor, school_id)
    rows = db.execute(select(SubjectGroupHead, Subject, User)
                      .join(Subject, Subject.id == SubjectGroupHead.subject_id)
                      .join(User, User.id == SubjectGroupHead.user_id)
                      .where(SubjectGroupHead.school_id == school.id)
                      .order_by(Subject.name_vi, User.full_name, SubjectGroupHead.id))
    return [HeadItem(id=h.id, school_id=h.school_id, subject=s, user=u) for h, s, u in rows]


def candidates(*, db: Session, actor: User, school_id: int) -> tuple[list[User], list[Subject]]:
    """Return the active teachers of a school the actor manages and every subject, for the assign form."""
    school = _managed_school(db, actor, school_id)
    teaches = exists().where(RoleAssignment.user_id == User.id, RoleAssignment.role == Role.teacher,
                             RoleAssignment.school_id == school.id)
    teachers = list(db.scalars(select(User).where(teaches, User.is_active.is_(True)).order_by(User.full_name)))
    subjects = list(db.scalars(select(Subject).order_by(Subject.name_vi)))
    return teachers, subjects


def assign_head(*, db: Session, actor: User, school_id: int, subject_id: int, user_id: int) -> HeadItem:
    """Name a teacher of the school head of a subject group (the school's admin only)."""
    school = _managed_school(db, actor, school_id)
    subject = db.get(Subject, subject_id)
    if subject is None:
        raise Invalid(NO_SUCH_SUBJECT)
    user = db.get(User, user_id)
    if user is None or not user.is_active or school.id not in user.school_ids(Role.teacher):
        raise Invalid(NOT_A_TEACHER)
    taken = db.scalar(select(exists().where(SubjectGroupHead.school_id == school.id,
                                            SubjectGroupHead.subject_id == subject.id,
                                            SubjectGroupHead.user_id == user.id)))
    if taken:
        raise Conflict(ALREADY_HEAD)
    head = SubjectGroupHead(school_id=school.id, subject_id=subject.id, user_id=user.id)
    db.add(head)
    try:
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return HeadItem(id=head.id, school_id=school.id, subject=subject, user=user)


def remove_head(*, db: Session, actor: User, school_id: int, head_id: int) -> None:
    """Remove a subject group head of a school the actor manages."""
    school = _managed_school(db, actor, school_id)
    head = db.get(SubjectGroupHead, head_id)
    if head is None or head.school_id != school.id:
        raise NotFound(HEAD_NOT_FOUND)
    db.delete(head)
    db.commit()


def shows_review(db: Session, user: User) -> bool:
    """Return whether the menu offers Review to a user: a school admin or the head of a subject group."""
    return service.reviews_anything(db, user)


class SchoolReviewers:
    """Who reviews what a school shares besides materials (questions): the same people who review its materials, the
    school's admin and the heads of its subject groups (handed to the core by the truongso_reviewers hook)."""

    def reviews(self, db: Session, actor: User, *, school_id: int | None, subject_id: int | None) -> bool:
        """Return whether the actor reviews the school's work in the subject."""
        return service.reviews_place(db, actor, school_id=school_id, subject_id=subject_id)

    def scope(self, actor: User, *, school_id: object, subject_id: object) -> object:
        """Return the WHERE clause of the rows whose school and subject columns the actor reviews."""
        return service.reviewed_places(actor, school_id=school_id, subject_id=subject_id)


REVIEWERS = SchoolReviewers()
