"""Session cookies and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from lms_core.errors import Forbidden
from lms_core.i18n import N_
from lms_core.settings import get_settings

SESSION_COOKIE = "ts_session"
ANON_COOKIE = "ts_anon"
LANG_COOKIE = "ts_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

CSRF_FAILED = N_("This form has expired or did not come from this site. Please reload the page and try again.")


def csrf_token_for(binding: str) -> str:
    """Return the CSRF token bound to a session token or an anonymous cookie."""
    key = get_settings().resolved_secret_key.encode()
    return hmac.new(key, b"csrf|" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_binding(request: Request) -> str:
    """Return what the request's CSRF token is bound to, minting an anonymous value if needed."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and getattr(request.state, "user", None) is not None:
        return token
    anon = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon", None)
    if not anon:
        anon = secrets.token_urlsafe(24)
        request.state.new_anon = anon
    return anon


def csrf_token(request: Request) -> str:
    """Return the CSRF token a page form must carry."""
    return csrf_token_for(csrf_binding(request))


async def check_csrf_form(request: Request) -> None:
    """Refuse an unsafe page request whose form or header lacks the right token."""
    if request.method not in UNSAFE:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    binding = request.cookies.get(SESSION_COOKIE) if getattr(request.state, "user", None) else request.cookies.get(ANON_COOKIE)
    if not binding or not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token_for(binding)):
        raise Forbidden(CSRF_FAILED)


# Logging in creates the session the token is bound to; a cross-site page cannot send the
# JSON body it needs (that would take a CORS preflight, which this app never allows).
CSRF_EXEMPT_API = {"/api/auth/login"}


async def check_csrf_api(request: Request) -> None:
    """Refuse an unsafe API request authenticated by cookie unless it sends the token header."""
    if request.method not in UNSAFE or getattr(request.state, "user", None) is None:
        return
    if request.url.path in CSRF_EXEMPT_API:
        return
    sent = request.headers.get(CSRF_HEADER) or ""
    binding = request.cookies.get(SESSION_COOKIE) or ""
    if not hmac.compare_digest(sent, csrf_token_for(binding)):
        raise Forbidden(CSRF_FAILED)
