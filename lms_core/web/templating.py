"""Jinja2 rendering with translations, CSRF tokens and the navigation from hooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from lms_core import i18n
from lms_core.db import reading_only
from lms_core.accounts.models import ROLE_LABELS
from lms_core.org.models import LEVEL_LABELS
from lms_core.web.security import ANON_COOKIE, CSRF_FIELD, csrf_token

CORE_TEMPLATES = Path(__file__).parent / "templates"


def make_environment(dirs: list[Path]) -> Environment:
    """Build the template environment over plugin and core template directories."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(LOCALES=i18n.LOCALES, CSRF_FIELD=CSRF_FIELD, ROLE_LABELS=ROLE_LABELS, LEVEL_LABELS=LEVEL_LABELS)
    return env


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    """Render a page for this request's user and locale."""
    app = request.app
    user = getattr(request.state, "user", None)
    nav = []
    if user is not None:
        with reading_only(), app.state.session_factory() as db:
            nav = app.state.plugins.navigation(db=db, user=user, school_id=user.school_id)
    ctx = {
        "request": request,
        "user": user,
        "locale": i18n.current_locale(),
        "nav": nav,
        "csrf_token": csrf_token(request),
        "path": request.url.path,
    }
    ctx.update(context or {})
    html = app.state.templates.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    new_anon = getattr(request.state, "new_anon", None)
    if new_anon:
        response.set_cookie(ANON_COOKIE, new_anon, httponly=True, samesite="lax",
                            secure=app.state.settings.secure_cookies, max_age=60 * 60 * 24)
    return response
