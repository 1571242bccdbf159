"""ASGI middleware: body-size limit, the logged-in user and the request's locale."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from lms_core.db import WRITE_INTENT
from lms_core.accounts.auth import session_user
from lms_core.i18n import DEFAULT_LOCALE, N_, _current, gettext, normalise_locale
from lms_core.web.security import LANG_COOKIE, SESSION_COOKIE

TOO_LARGE = N_("The request is too large.")
# Routes that take a material file: they get the upload limit (the service then applies the
# limit of the material's kind while it streams the file to disk).
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
UPLOAD_PATH = re.compile(r"^(/api)?/(materials/\d+/(upload|transcript|images)|material-packages/import|courses/\d+/activities/\d+/submit|question-bank/import)$")


class RequestContextMiddleware:
    """Refuse oversized bodies, find the session's user and set the locale for the request."""

    def __init__(self, app: Any, *, session_factory: sessionmaker[Session], max_body: int, default_locale: str = DEFAULT_LOCALE,
                 upload_body: int | None = None) -> None:
        self.app = app
        self.session_factory = session_factory
        self.max_body = max_body
        self.upload_body = max(upload_body or max_body, max_body)
        self.default_locale = default_locale

    def _lookup(self, token: str) -> Any:
        with self.session_factory() as db:
            user = session_user(db=db, token=token)
            if user is not None:
                db.expunge(user)
            return user

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cookies: dict[str, str] = {}
        if "cookie" in headers:
            parsed = SimpleCookie()
            try:
                parsed.load(headers["cookie"])
            except Exception:  # a broken cookie header is treated as no cookie
                parsed = SimpleCookie()
            cookies = {k: m.value for k, m in parsed.items()}
        user = None
        path = scope.get("path", "")
        if not path.startswith("/static/") and cookies.get(SESSION_COOKIE):
            user = await anyio.to_thread.run_sync(self._lookup, cookies[SESSION_COOKIE])
        locale = (
            normalise_locale(getattr(user, "locale", None))
            or normalise_locale(cookies.get(LANG_COOKIE))
            or self.default_locale
        )
        state = scope.setdefault("state", {})
        state["user"] = user
        state["locale"] = locale
        token = _current.set(locale)
        writes = WRITE_INTENT.set(scope.get("method", "GET") not in SAFE_METHODS)
        try:
            limit = self.upload_body if UPLOAD_PATH.match(path) else self.max_body
            length = headers.get("content-length")
            if length is not None and (not length.isdecimal() or int(length) > limit):
                await self._too_large(scope, send)
                return
            received = 0
            max_body = limit

            async def limited_receive() -> dict[str, Any]:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > max_body:
                        raise BodyTooLarge()
                return message

            try:
                await self.app(scope, limited_receive, send)
            except BodyTooLarge:
                await self._too_large(scope, send)
        finally:
            WRITE_INTENT.reset(writes)
            _current.reset(token)

    async def _too_large(self, scope: dict[str, Any], send: Any) -> None:
        message = gettext(TOO_LARGE)
        if scope.get("path", "").startswith("/api/"):
            body = json.dumps({"error": "too_large", "message": message}, ensure_ascii=False).encode()
            ctype = b"application/json"
        else:
            body = f"<!doctype html><meta charset=utf-8><title>413</title><p>{message}</p>".encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """The streamed body passed the limit."""
