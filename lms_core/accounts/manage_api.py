"""JSON routes of people management: list, detail, add, reset a password, (de)activate, classes, teaching."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from lms_core.accounts import manage
from lms_core.accounts.manage_schemas import (AccountOut, ClassesIn, PasswordOut, PersonIn, TeachingIn,
                                              UserDetailOut, UserListOut, UserPatchIn)
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["users"])

UserId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SchoolId = Annotated[int, Path(ge=1, le=2_147_483_647)]
NO_STORE = {"Cache-Control": "no-store"}
ERRORS: dict[int | str, dict[str, str]] = {
    403: {"description": "The caller may see this person or school but not manage them."},
    404: {"description": "The person or school does not exist or is hidden from the caller."},
    409: {"description": "The change conflicts with stored data (a username taken, an assignment that exists)."},
    422: {"description": "The input breaks a rule (a class of another school, an unknown subject, …)."},
}


@router.get("/schools/{school_id}/users", responses=ERRORS)
def school_users(
    school_id: SchoolId,
    db: DbSession,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=120, description="Part of the name or the username.")] = None,
    role: Annotated[str | None, Query(pattern="^(student|teacher|school_admin|department_staff|system_admin)$")] = None,
    class_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> UserListOut:
    """List a school's people, 50 a page, by name or username, role and class."""
    result = manage.list_school_users(db=db, actor=user, school_id=school_id, q=q, role=role, class_id=class_id, page=page)
    return UserListOut.of(result, manage.PER_PAGE)


@router.post("/schools/{school_id}/users", status_code=201, responses=ERRORS)
def add_person(school_id: SchoolId, body: PersonIn, response: Response, db: DbSession, user: CurrentUser) -> AccountOut:
    """Add a student or a teacher; the generated password is in this answer only."""
    detail, password = manage.create_person(db=db, actor=user, school_id=school_id, full_name=body.full_name,
                                            role=body.role, username=body.username, class_id=body.class_id,
                                            subject_ids=body.subject_ids, birth_date=body.birth_date)
    response.headers.update(NO_STORE)
    return AccountOut(user=UserDetailOut.of(detail), password=password)


@router.get("/users/{user_id}/detail", responses=ERRORS)
def person(user_id: UserId, db: DbSession, user: CurrentUser) -> UserDetailOut:
    """Return a person with their roles, classes, teaching and last login."""
    return UserDetailOut.of(manage.user_detail(db=db, actor=user, user_id=user_id))


@router.patch("/users/{user_id}", responses=ERRORS)
def change_person(user_id: UserId, body: UserPatchIn, db: DbSession, user: CurrentUser) -> UserDetailOut:
    """Rename a person, or deactivate (ending their sessions) or reactivate their account."""
    detail = manage.update_user(db=db, actor=user, user_id=user_id, is_active=body.is_active, full_name=body.full_name)
    return UserDetailOut.of(detail)


@router.post("/users/{user_id}/password-reset", responses=ERRORS)
def reset_password(user_id: UserId, response: Response, db: DbSession, user: CurrentUser) -> PasswordOut:
    """Give a person a new password (in this answer only), end their sessions and lift a lock-out."""
    target, password = manage.reset_password(db=db, actor=user, user_id=user_id)
    response.headers.update(NO_STORE)
    return PasswordOut(username=target.username, password=password)


@router.put("/users/{user_id}/classes", responses=ERRORS)
def put_classes(user_id: UserId, body: ClassesIn, db: DbSession, user: CurrentUser) -> UserDetailOut:
    """Set a student's classes of the current school year (moving them from their old class)."""
    return UserDetailOut.of(manage.set_classes(db=db, actor=user, user_id=user_id, class_ids=body.class_ids))


@router.post("/users/{user_id}/teaching", status_code=201, responses=ERRORS)
def add_teaching(user_id: UserId, body: TeachingIn, db: DbSession, user: CurrentUser) -> UserDetailOut:
    """Give a teacher a subject in a class, or the homeroom of a class."""
    return UserDetailOut.of(manage.add_teaching(db=db, actor=user, user_id=user_id, **body.model_dump()))


@router.delete("/users/{user_id}/teaching", responses=ERRORS)
def remove_teaching(user_id: UserId, body: TeachingIn, db: DbSession, user: CurrentUser) -> UserDetailOut:
    """Remove one teaching assignment or homeroom of a teacher."""
    return UserDetailOut.of(manage.remove_teaching(db=db, actor=user, user_id=user_id, **body.model_dump()))
