"""Rules about users: creating them, their roles, their language, listing them."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.auth import username_key
from lms_core.accounts.models import Role, RoleAssignment, User
from lms_core.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from lms_core.errors import Conflict, Invalid, NotFound
from lms_core.i18n import N_, normalise_locale

USER_NOT_FOUND = N_("This user does not exist.")
USERNAME_TAKEN = N_("The username {username} is already taken.")
BAD_USERNAME = N_("A username may contain only letters a–z, digits, dots, dashes and underscores (3 to 64 characters).")
BAD_PASSWORD = N_("A password must have from {min} to {max} characters.")
BAD_LOCALE = N_("This language is not available.")

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def validate_username(username: str) -> str:
    """Return the canonical username or raise Invalid."""
    key = username_key(username)
    if not 3 <= len(key) <= 64 or not set(key) <= USERNAME_CHARS:
        raise Invalid(BAD_USERNAME)
    return key


def validate_password(password: str) -> str:
    """Return the password or raise Invalid when it is too short or too long."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(BAD_PASSWORD, min=MIN_LENGTH, max=MAX_LENGTH)
    return password


def create_user(*, db: Session, username: str, full_name: str, password: str, school_id: int | None = None,
                roles: list[dict[str, int | str | None]] | None = None, commit: bool = True) -> User:
    """Create a user with roles; the username must be free."""
    key = validate_username(username)
    validate_password(password)
    if db.scalar(select(User.id).where(User.username == key)) is not None:
        raise Conflict(USERNAME_TAKEN, username=key)
    user = User(
        username=key,
        full_name=unicodedata.normalize("NFC", full_name).strip()[:120],
        password_hash=hash_password(password),
        school_id=school_id,
    )
    for spec in roles or []:
        user.roles.append(RoleAssignment(
            role=Role(str(spec["role"])),
            school_id=spec.get("school_id"),  # type: ignore[arg-type]
            district_id=spec.get("district_id"),  # type: ignore[arg-type]
            province_id=spec.get("province_id"),  # type: ignore[arg-type]
        ))
    db.add(user)
    if commit:
        db.commit()
    else:
        db.flush()
    return user


def get_user(*, db: Session, actor: User, user_id: int) -> User:
    """Return a user the actor may see; unknown and hidden users are both 'not found'."""
    user = db.get(User, user_id)
    if user is None or not permissions.can(actor, "user.view", user):
        raise NotFound(USER_NOT_FOUND)
    return user


def list_users(*, db: Session, actor: User, school_id: int | None = None, role: str | None = None,
               offset: int = 0, limit: int = 50) -> tuple[int, list[User]]:
    """Return (total, page) of the users the actor may see, filtered in SQL."""
    query = select(User).where(permissions.visible(actor, "user.view"))
    if school_id is not None:
        query = query.where(User.school_id == school_id)
    if role is not None:
        query = query.where(User.roles.any(RoleAssignment.role == role))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(User.full_name, User.id).offset(offset).limit(limit)).all()
    return total, list(rows)


def set_locale(*, db: Session, actor: User, locale: str) -> User:
    """Remember the actor's language."""
    code = normalise_locale(locale)
    if code is None:
        raise Invalid(BAD_LOCALE)
    user = db.get(User, actor.id)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    user.locale = code
    db.commit()
    return user


def set_password(*, db: Session, user: User, password: str) -> None:
    """Replace a user's password."""
    user.password_hash = hash_password(validate_password(password))
    db.commit()
