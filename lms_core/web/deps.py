"""Annotated dependencies shared by every route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from lms_core.accounts.models import User
from lms_core.errors import Unauthenticated
from lms_core.i18n import N_

LOGIN_REQUIRED = N_("Please log in to continue.")
# Closing a session returns its connection to the pool. It gets threads of its own: if it queued behind the
# routes' threads, a finished request would hold its connection while routes wait for connections (a deadlock
# under load, seen with 200 students starting a quiz at once).
_CLOSERS = anyio.CapacityLimiter(32)


async def get_db(request: Request) -> AsyncIterator[Session]:
    """Open a session for one request; roll back whatever a failed request left.

    Async on purpose: making a Session does no I/O (it connects on first use, in the
    route's thread), and an async dependency saves a thread hop on every request."""
    db = request.app.state.session_factory()
    try:
        yield db
    finally:
        # Closing rolls back what a failed request left and returns the connection; on a
        # network database that is a round trip, so it runs off the event loop.
        if db.get_bind().dialect.name == "sqlite":
            db.close()
        else:
            await anyio.to_thread.run_sync(db.close, limiter=_CLOSERS)


async def optional_user(request: Request) -> User | None:
    """Return the logged-in user, if any (found by the middleware)."""
    return getattr(request.state, "user", None)


async def current_user(request: Request) -> User:
    """Return the logged-in user or refuse with 401."""
    user = getattr(request.state, "user", None)
    if user is None:
        raise Unauthenticated(LOGIN_REQUIRED)
    return user


DbSession = Annotated[Session, Depends(get_db)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
