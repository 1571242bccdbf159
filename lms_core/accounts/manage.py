"""A school administrator's people management: list, look up, add, reset, (de)activate, classes, teaching."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts import service
from lms_core.accounts.auth import username_key
from lms_core.accounts.import_checks import HOMEROOM_TAKEN, generate_usernames
from lms_core.accounts.import_rows import CLASS_REQUIRED, NAME_REQUIRED, NAME_TOO_LONG, ImportRow
from lms_core.accounts.importer import CHANGED_MEANWHILE, NO_YEAR
from lms_core.accounts.models import (ClassEnrolment, LoginThrottle, Role, RoleAssignment, TeacherSubject,
                                      TeachingAssignment, User, UserSession)
from lms_core.accounts.passwords import generate_password, hash_password
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.text import fold
from lms_core.i18n import N_
from lms_core.org.models import AcademicYear, School, SchoolClass, Subject
from lms_core.org.service import current_year, get_school

PER_PAGE = 50
MAX_NAME = 120
ADDABLE_ROLES = (Role.student, Role.teacher)

CANNOT_DEACTIVATE_SELF = N_("You cannot deactivate your own account.")
ROLE_NOT_ADDABLE = N_("Only students and teachers can be added here.")
STUDENT_OR_TEACHER = N_("A student has a class and no subjects; a teacher has subjects and no class.")
CLASS_NOT_IN_SCHOOL = N_("There is no class number {id} in this person's school.")
CLASS_OTHER_YEAR = N_("Class {name} is not a class of the school year {year}.")
SUBJECT_UNKNOWN = N_("There is no subject number {id}.")
NOT_A_STUDENT = N_("Only a student can be placed in classes.")
NOT_A_TEACHER = N_("Only a teacher can be given teaching assignments.")
SUBJECT_OR_HOMEROOM = N_("A teaching assignment has a subject, or is the homeroom class without a subject.")
ALREADY_ASSIGNED = N_("This teaching assignment already exists.")
ASSIGNMENT_NOT_FOUND = N_("This teaching assignment does not exist.")


@dataclass
class UserPage:
    """One page of a school's users and the current-year classes each one is in or teaches."""

    total: int
    page: int
    users: list[User]
    classes: dict[int, list[str]]

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // PER_PAGE))


@dataclass
class Teaching:
    """One teaching assignment with its class and (unless homeroom) its subject."""

    assignment: TeachingAssignment
    klass: SchoolClass
    subject: Subject | None


@dataclass
class UserDetail:
    """Everything the administrator's page shows about one person."""

    user: User
    classes: list[SchoolClass]
    teaching: list[Teaching]
    subjects: list[Subject]
    last_login: datetime | None


# --- reading ----------------------------------------------------------------------------

def managed_schools(*, db: Session, actor: User) -> list[School]:
    """Return the schools whose people the actor manages, by name."""
    return list(db.scalars(select(School).where(permissions.visible(actor, "school.manage")).order_by(School.name)))


def managed_school(*, db: Session, actor: User, school_id: int) -> School:
    """Return a school the actor manages: hidden schools are 'not found', visible ones 'forbidden'."""
    school = get_school(db=db, actor=actor, school_id=school_id)
    permissions.require(actor, "school.manage", school)
    return school


def _managed_user(db: Session, actor: User, user_id: int) -> User:
    """Return a user the actor manages: hidden users are 'not found', visible ones 'forbidden'."""
    user = db.get(User, user_id)
    if user is None or not permissions.can(actor, "user.view", user):
        raise NotFound(service.USER_NOT_FOUND)
    permissions.require(actor, "user.manage", user)
    return user


def _like(text: str) -> str:
    """Return a LIKE pattern matching the text anywhere, its wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_school_users(*, db: Session, actor: User, school_id: int, q: str | None = None, role: str | None = None,
                      class_id: int | None = None, page: int = 1) -> UserPage:
    """Return one page of a school's people matching a search, a role and a class, filtered in SQL."""
    school = managed_school(db=db, actor=actor, school_id=school_id)
    query = select(User).where(permissions.visible(actor, "user.view"), User.school_id == school.id)
    text = " ".join(unicodedata.normalize("NFC", q or "").split())
    if text:
        folded = fold(text)
        matches = [User.search_key.like(_like(text.lower()), escape="\\")]
        if folded:  # punctuation alone folds to nothing and must not match everyone
            matches.append(User.search_key.like(_like(folded), escape="\\"))
        query = query.where(or_(*matches))
    if role:
        query = query.where(User.roles.any(and_(RoleAssignment.role == role, RoleAssignment.school_id == school.id)))
    if class_id is not None:
        query = query.where(or_(
            exists().where(ClassEnrolment.class_id == class_id, ClassEnrolment.student_id == User.id),
            exists().where(TeachingAssignment.class_id == class_id, TeachingAssignment.teacher_id == User.id),
        ))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    users = list(db.scalars(query.order_by(User.full_name, User.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return UserPage(total=total, page=page, users=users, classes=_current_classes(db, [u.id for u in users]))


def _current_classes(db: Session, user_ids: list[int]) -> dict[int, list[str]]:
    """Return the names of the current-year classes each user is enrolled in or teaches."""
    year = current_year(db=db)
    if not user_ids or year is None:
        return {}
    in_year = SchoolClass.academic_year_id == year.id
    enrolled = (select(ClassEnrolment.student_id, SchoolClass.name)
                .join(SchoolClass, SchoolClass.id == ClassEnrolment.class_id)
                .where(ClassEnrolment.student_id.in_(user_ids), in_year))
    taught = (select(TeachingAssignment.teacher_id, SchoolClass.name)
              .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)
              .where(TeachingAssignment.teacher_id.in_(user_ids), in_year))
    names: dict[int, set[str]] = {}
    for uid, name in [*db.execute(enrolled), *db.execute(taught)]:
        names.setdefault(uid, set()).add(name)
    return {uid: sorted(found) for uid, found in names.items()}


def user_detail(*, db: Session, actor: User, user_id: int) -> UserDetail:
    """Return a managed person with their classes, teaching, subjects and last login."""
    return _detail(db, _managed_user(db, actor, user_id))


def _detail(db: Session, user: User) -> UserDetail:
    """Load what the detail page shows about a user."""
    order = (SchoolClass.academic_year_id.desc(), SchoolClass.grade, SchoolClass.name)
    classes = db.scalars(select(SchoolClass).join(ClassEnrolment, ClassEnrolment.class_id == SchoolClass.id)
                         .where(ClassEnrolment.student_id == user.id).order_by(*order))
    rows = db.execute(select(TeachingAssignment, SchoolClass, Subject)
                      .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)
                      .outerjoin(Subject, Subject.id == TeachingAssignment.subject_id)
                      .where(TeachingAssignment.teacher_id == user.id)
                      .order_by(*order, TeachingAssignment.is_homeroom.desc(), Subject.code))
    subjects = db.scalars(select(Subject).join(TeacherSubject, TeacherSubject.subject_id == Subject.id)
                          .where(TeacherSubject.user_id == user.id).order_by(Subject.code))
    last = db.scalar(select(func.max(UserSession.created_at)).where(UserSession.user_id == user.id))
    return UserDetail(user=user, classes=list(classes), teaching=[Teaching(a, c, s) for a, c, s in rows],
                      subjects=list(subjects), last_login=last)


def form_choices(*, db: Session, actor: User, school_id: int | None) -> tuple[list[SchoolClass], list[Subject]]:
    """Return the current-year classes of a school the actor may see, and every subject, for the forms."""
    year = current_year(db=db)
    classes: list[SchoolClass] = []
    if school_id is not None and year is not None:
        classes = list(db.scalars(select(SchoolClass).where(
            permissions.visible(actor, "class.view"), SchoolClass.school_id == school_id,
            SchoolClass.academic_year_id == year.id).order_by(SchoolClass.grade, SchoolClass.name)))
    return classes, list(db.scalars(select(Subject).order_by(Subject.code)))


# --- checks shared by the writes --------------------------------------------------------

def _name(full_name: str) -> str:
    """Return a full name in NFC with single spaces, or raise Invalid."""
    name = " ".join(unicodedata.normalize("NFC", full_name).split())
    if not name:
        raise Invalid(NAME_REQUIRED)
    if len(name) > MAX_NAME:
        raise Invalid(NAME_TOO_LONG, max=MAX_NAME)
    return name


def _year(db: Session) -> AcademicYear:
    """Return the current academic year, or raise Invalid when none is set up."""
    year = current_year(db=db)
    if year is None:
        raise Invalid(NO_YEAR)
    return year


def _school_classes(db: Session, actor: User, school_id: int | None, class_ids: Iterable[int],
                    year: AcademicYear | None) -> list[SchoolClass]:
    """Return the classes, each checked to be the school's (and, when given, the year's) and managed by the actor."""
    ids = list(dict.fromkeys(class_ids))
    found = {c.id: c for c in db.scalars(select(SchoolClass).where(SchoolClass.id.in_(ids)))} if ids else {}
    for cid in ids:
        klass = found.get(cid)
        # Unknown classes and other schools' classes get the same answer, so ids reveal nothing.
        if klass is None or school_id is None or klass.school_id != school_id or not permissions.can(actor, "class.manage", klass):
            raise Invalid(CLASS_NOT_IN_SCHOOL, id=cid)
        if year is not None and klass.academic_year_id != year.id:
            raise Invalid(CLASS_OTHER_YEAR, name=klass.name, year=year.name)
    return [found[cid] for cid in ids]


def _subjects(db: Session, subject_ids: Iterable[int]) -> list[Subject]:
    """Return the subjects, refusing an unknown id."""
    ids = list(dict.fromkeys(subject_ids))
    found = {s.id: s for s in db.scalars(select(Subject).where(Subject.id.in_(ids)))} if ids else {}
    for sid in ids:
        if sid not in found:
            raise Invalid(SUBJECT_UNKNOWN, id=sid)
    return [found[sid] for sid in ids]


def _commit(db: Session) -> None:
    """Commit once; a clash with a concurrent change rolls everything back."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None


def _end_sessions(db: Session, user: User) -> None:
    """Delete every login session of a user."""
    db.execute(delete(UserSession).where(UserSession.user_id == user.id))


# --- writes -----------------------------------------------------------------------------

def create_person(*, db: Session, actor: User, school_id: int, full_name: str, role: str, username: str | None = None,
                  class_id: int | None = None, subject_ids: Iterable[int] = (),
                  birth_date: date | None = None) -> tuple[UserDetail, str]:
    """Add a student (in a class) or a teacher (with subjects); return them and their one-time password."""
    school = managed_school(db=db, actor=actor, school_id=school_id)
    name = _name(full_name)
    if role not in ADDABLE_ROLES:
        raise Invalid(ROLE_NOT_ADDABLE)
    subject_ids = list(subject_ids)
    if (role == Role.student and subject_ids) or (role == Role.teacher and class_id is not None):
        raise Invalid(STUDENT_OR_TEACHER)
    if role == Role.student and class_id is None:
        raise Invalid(CLASS_REQUIRED)
    classes = _school_classes(db, actor, school.id, [class_id], _year(db)) if class_id is not None else []
    subjects = _subjects(db, subject_ids)
    if username and username.strip():
        key = service.validate_username(username)
    else:
        row = ImportRow(row=1, full_name=name, username=None)
        generate_usernames(db, [row])
        key = str(row.username)
    password = generate_password()
    try:
        user = service.create_user(db=db, username=key, full_name=name, password=password, school_id=school.id,
                                   roles=[{"role": role, "school_id": school.id}], commit=False)
        user.birth_date = birth_date
        db.add_all([ClassEnrolment(class_id=c.id, student_id=user.id) for c in classes])
        db.add_all([TeacherSubject(user_id=user.id, subject_id=s.id) for s in subjects])
        _commit(db)
    except BaseException:
        db.rollback()
        raise
    return _detail(db, user), password


def reset_password(*, db: Session, actor: User, user_id: int) -> tuple[User, str]:
    """Give a person a new readable password, end their sessions and lift their lock-out; return it once."""
    user = _managed_user(db, actor, user_id)
    password = generate_password()
    user.password_hash = hash_password(password)
    _end_sessions(db, user)
    db.execute(delete(LoginThrottle).where(LoginThrottle.username_key == username_key(user.username)))
    _commit(db)
    return user, password


def update_user(*, db: Session, actor: User, user_id: int, is_active: bool | None = None,
                full_name: str | None = None) -> UserDetail:
    """Rename, deactivate (ending their sessions) or reactivate a person."""
    user = _managed_user(db, actor, user_id)
    name = _name(full_name) if full_name is not None else None
    if is_active is False and user.id == actor.id:
        raise Invalid(CANNOT_DEACTIVATE_SELF)
    if name is not None:
        user.full_name = name
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            _end_sessions(db, user)
    _commit(db)
    return _detail(db, user)


def set_classes(*, db: Session, actor: User, user_id: int, class_ids: Iterable[int]) -> UserDetail:
    """Make a student's classes of the current year exactly these (a move, an enrolment, or none)."""
    user = _managed_user(db, actor, user_id)
    if not user.has_role(Role.student):
        raise Invalid(NOT_A_STUDENT)
    year = _year(db)
    wanted = {c.id for c in _school_classes(db, actor, user.school_id, class_ids, year)}
    current = db.scalars(select(ClassEnrolment).join(SchoolClass, SchoolClass.id == ClassEnrolment.class_id)
                         .where(ClassEnrolment.student_id == user.id, SchoolClass.academic_year_id == year.id)).all()
    for enrolment in current:
        if enrolment.class_id not in wanted:
            db.delete(enrolment)
    have = {e.class_id for e in current}
    db.add_all([ClassEnrolment(class_id=cid, student_id=user.id) for cid in sorted(wanted - have)])
    _commit(db)
    return _detail(db, user)


def _assignment_clause(user: User, klass: SchoolClass, subject_id: int | None, is_homeroom: bool) -> ColumnElement[bool]:
    """Return the WHERE clause of one teaching assignment."""
    subject = TeachingAssignment.subject_id.is_(None) if subject_id is None else TeachingAssignment.subject_id == subject_id
    return and_(TeachingAssignment.class_id == klass.id, TeachingAssignment.teacher_id == user.id, subject,
                TeachingAssignment.is_homeroom.is_(is_homeroom))


def _teaching_target(db: Session, actor: User, user_id: int, class_id: int, subject_id: int | None,
                     is_homeroom: bool) -> tuple[User, SchoolClass]:
    """Check a teaching assignment's teacher, class and subject; return the teacher and the class."""
    user = _managed_user(db, actor, user_id)
    if not user.has_role(Role.teacher):
        raise Invalid(NOT_A_TEACHER)
    if (subject_id is None) != is_homeroom:
        raise Invalid(SUBJECT_OR_HOMEROOM)
    klass = _school_classes(db, actor, user.school_id, [class_id], None)[0]
    if subject_id is not None:
        _subjects(db, [subject_id])
    return user, klass


def add_teaching(*, db: Session, actor: User, user_id: int, class_id: int, subject_id: int | None = None,
                 is_homeroom: bool = False) -> UserDetail:
    """Give a teacher a subject to teach in a class, or make them its homeroom teacher."""
    user, klass = _teaching_target(db, actor, user_id, class_id, subject_id, is_homeroom)
    if db.scalar(select(exists().where(_assignment_clause(user, klass, subject_id, is_homeroom)))):
        raise Conflict(ALREADY_ASSIGNED)
    if is_homeroom and db.scalar(select(exists().where(TeachingAssignment.class_id == klass.id,
                                                       TeachingAssignment.is_homeroom.is_(True)))):
        raise Conflict(HOMEROOM_TAKEN, name=klass.name)
    db.add(TeachingAssignment(class_id=klass.id, teacher_id=user.id, subject_id=subject_id, is_homeroom=is_homeroom))
    known = db.scalar(select(exists().where(TeacherSubject.user_id == user.id, TeacherSubject.subject_id == subject_id)))
    if subject_id is not None and not known:
        db.add(TeacherSubject(user_id=user.id, subject_id=subject_id))
    _commit(db)
    return _detail(db, user)


def remove_teaching(*, db: Session, actor: User, user_id: int, class_id: int, subject_id: int | None = None,
                    is_homeroom: bool = False) -> UserDetail:
    """Remove one teaching assignment (or homeroom) of a teacher; their subjects stay."""
    user, klass = _teaching_target(db, actor, user_id, class_id, subject_id, is_homeroom)
    assignment = db.scalar(select(TeachingAssignment).where(_assignment_clause(user, klass, subject_id, is_homeroom)))
    if assignment is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND)
    db.delete(assignment)
    _commit(db)
    return _detail(db, user)
