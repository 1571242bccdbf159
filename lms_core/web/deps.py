"""Annotated dependencies shared by every route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from lms_core.accounts.models import User
from lms_core.errors import Unauthenticated
from lms_core.i18n import N_

LOGIN_REQUIRED = N_("Please log in to continue.")


def get_db(request: Request) -> Iterator[Session]:
    """Open a session for one request; roll back whatever a failed request left."""
    db = request.app.state.session_factory()
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def optional_user(request: Request) -> User | None:
    """Return the logged-in user, if any (found by the middleware)."""
    return getattr(request.state, "user", None)


def current_user(request: Request) -> User:
    """Return the logged-in user or refuse with 401."""
    user = getattr(request.state, "user", None)
    if user is None:
        raise Unauthenticated(LOGIN_REQUIRED)
    return user


DbSession = Annotated[Session, Depends(get_db)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
