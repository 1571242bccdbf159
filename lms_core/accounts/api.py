"""JSON routes: login, logout, the current user, users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from lms_core.accounts import auth, service
from lms_core.accounts.schemas import LocaleIn, LoginIn, SessionOut, UserOut, UserPage
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.security import SESSION_COOKIE, csrf_token_for

router = APIRouter(tags=["accounts"])


@router.post("/auth/login")
def api_login(body: LoginIn, request: Request, response: Response, db: DbSession) -> SessionOut:
    """Log in; the session cookie is set and the CSRF token for unsafe calls returned."""
    result = auth.login(db=db, username=body.username, password=body.password,
                        user_agent=request.headers.get("user-agent"),
                        previous_token=request.cookies.get(SESSION_COOKIE))
    settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, max_age=settings.session_days * 86400)
    return SessionOut(user=UserOut.model_validate(result.user), csrf_token=csrf_token_for(result.token))


@router.post("/auth/logout", status_code=204)
def api_logout(request: Request, response: Response, db: DbSession, user: CurrentUser) -> None:
    """End the current session."""
    auth.logout(db=db, token=request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    """Return the logged-in user."""
    return UserOut.model_validate(user)


@router.put("/me/locale")
def put_locale(body: LocaleIn, db: DbSession, user: CurrentUser) -> UserOut:
    """Set the logged-in user's language."""
    return UserOut.model_validate(service.set_locale(db=db, actor=user, locale=body.locale))


@router.get("/users")
def users(
    db: DbSession,
    user: CurrentUser,
    school_id: Annotated[int | None, Query(ge=1)] = None,
    role: Annotated[str | None, Query(pattern="^(student|teacher|school_admin|department_staff|system_admin)$")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UserPage:
    """List the users the caller may see."""
    total, rows = service.list_users(db=db, actor=user, school_id=school_id, role=role, offset=offset, limit=limit)
    return UserPage(total=total, items=[UserOut.model_validate(u) for u in rows])


@router.get("/users/{user_id}")
def user_detail(user_id: int, db: DbSession, user: CurrentUser) -> UserOut:
    """Return one user the caller may see."""
    return UserOut.model_validate(service.get_user(db=db, actor=user, user_id=user_id))
