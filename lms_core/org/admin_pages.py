"""HTML routes for a system administrator setting up provinces, communes, schools and years."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lms_core.errors import DomainError
from lms_core.org import admin
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]


def _page(request: Request, db: DbSession, user: CurrentUser, **extra: object) -> Response:
    status = 422 if extra.get("error") else 201 if extra.get("made") else 200
    return render(request, "schools.html", {**admin.overview(db=db, actor=user), **extra}, status_code=status)


@router.get("/admin/schools")
def schools_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """List provinces, schools and years, with forms to add them."""
    return _page(request, db, user, saved=request.query_params.get("saved"))


@router.post("/admin/schools/provinces")
def province_submit(request: Request, db: DbSession, user: CurrentUser, code: Text, name: Text) -> Response:
    """Add a province."""
    try:
        admin.create_province(db=db, actor=user, code=code, name=name)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, user, error=exc.translated())
    return RedirectResponse("/admin/schools?saved=province", status_code=303)


@router.post("/admin/schools/districts")
def district_submit(request: Request, db: DbSession, user: CurrentUser, province_id: Annotated[int, Form(ge=1)],
                    code: Text, name: Text, kind: Annotated[str, Form(max_length=16)] = "commune") -> Response:
    """Add a district or commune."""
    try:
        admin.create_district(db=db, actor=user, province_id=province_id, code=code, name=name, kind=kind)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, user, error=exc.translated())
    return RedirectResponse("/admin/schools?saved=district", status_code=303)


@router.post("/admin/schools/years")
def year_submit(request: Request, db: DbSession, user: CurrentUser, start_year: Annotated[int, Form(ge=2000, le=2100)]) -> Response:
    """Open a school year."""
    try:
        admin.create_year(db=db, actor=user, start_year=start_year)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, user, error=exc.translated())
    return RedirectResponse("/admin/schools?saved=year", status_code=303)


@router.post("/admin/schools")
def school_submit(request: Request, db: DbSession, user: CurrentUser, province_id: Annotated[int, Form(ge=1)],
                  code: Text, name: Text, level: Annotated[str, Form(max_length=24)], admin_full_name: Text,
                  admin_username: Annotated[str, Form(max_length=64)], district_id: Annotated[str, Form(max_length=12)] = "",
                  address: Text = "") -> Response:
    """Add a school with its first administrator; show the one-time password."""
    try:
        made = admin.create_school(db=db, actor=user, province_id=province_id,
                                   district_id=int(district_id) if district_id.isdecimal() else None, code=code, name=name,
                                   level=level, admin_full_name=admin_full_name, admin_username=admin_username,
                                   address=address)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, user, error=exc.translated())
    response = _page(request, db, user, made=made)
    response.headers["Cache-Control"] = "no-store"
    return response
