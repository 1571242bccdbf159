"""Domain errors raised by services and turned into HTTP errors by one handler."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a translatable message; `message` is an msgid, `params` fill it."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        self.details: list[dict[str, Any]] = []

    def translated(self) -> str:
        """Return the message in the current request's language."""
        from lms_core.i18n import gettext

        text = gettext(self.message)
        return text.format(**self.params) if self.params else text


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    """The actor may not do this."""

    status_code = 403
    code = "forbidden"


class Invalid(DomainError):
    """The input breaks a rule."""

    status_code = 422
    code = "invalid"


class Unauthenticated(DomainError):
    """The request needs a logged-in user."""

    status_code = 401
    code = "unauthenticated"


class LoginRefused(DomainError):
    """Wrong credentials or a lock-out; says nothing about whether the user exists."""

    status_code = 401
    code = "login_refused"


class Conflict(DomainError):
    """The request conflicts with stored data."""

    status_code = 409
    code = "conflict"


class TooLarge(DomainError):
    """The request or file is larger than allowed."""

    status_code = 413
    code = "too_large"
