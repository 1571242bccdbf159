"""A health check for load balancers and the serve command."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from lms_core.web.deps import DbSession

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(db: DbSession) -> dict[str, str]:
    """Answer ok when the database answers."""
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
