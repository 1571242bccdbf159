"""HTML routes: login, logout and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lms_core.accounts import auth, service
from lms_core.errors import Invalid, LoginRefused
from lms_core.web.deps import DbSession, OptionalUser
from lms_core.web.redirects import safe_next
from lms_core.web.security import ANON_COOKIE, LANG_COOKIE, SESSION_COOKIE
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(user: OptionalUser) -> Response:
    """Send people to their dashboard, or to the login page."""
    return RedirectResponse("/dashboard" if user else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    """Show the login form."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login")
def login_submit(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/dashboard",
) -> Response:
    """Log in and start a new session."""
    try:
        if not username or not password:
            raise LoginRefused(auth.WRONG_CREDENTIALS)
        result = auth.login(
            db=db, username=username[:64], password=password[:128],
            user_agent=request.headers.get("user-agent"),
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except LoginRefused as exc:
        return render(request, "login.html", {"error": exc.translated(), "next": safe_next(next), "username": username[:64]}, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=settings.session_days * 86400)
    response.delete_cookie(ANON_COOKIE)
    if result.user.locale:
        response.set_cookie(LANG_COOKIE, result.user.locale, samesite="lax", max_age=365 * 86400)
    return response


@router.post("/logout")
def logout_submit(request: Request, db: DbSession) -> Response:
    """End the session."""
    auth.logout(db=db, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/lang")
def switch_language(
    request: Request,
    db: DbSession,
    user: OptionalUser,
    locale: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Switch the interface language, remembered for the user when logged in."""
    if user is not None:
        service.set_locale(db=db, actor=user, locale=locale)
    elif locale not in ("vi", "en"):
        raise Invalid(service.BAD_LOCALE)
    response = RedirectResponse(safe_next(next, default="/"), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, samesite="lax", max_age=365 * 86400)
    return response
