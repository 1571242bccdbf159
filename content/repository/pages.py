"""HTML routes of the shared repository: the search page, and a material's preview (its material page)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from content.materials.models import KIND_LABELS, LICENCE_LABELS, Licence, MaterialKind
from content.materials.pages import LANGUAGES
from content.repository import service
from content.repository.models import RepositoryEntry
from lms_core.errors import Invalid
from lms_core.i18n import N_, current_locale
from lms_core.org.models import Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
BAD_FILTER = N_("This filter is not valid.")


class SearchForm(BaseModel):
    """The search form as the browser sends it: empty strings mean "any"."""

    q: str = Field(default="", max_length=200)
    subject_id: str = Field(default="", max_length=12)
    grade: str = Field(default="", max_length=2)
    kind: str = Field(default="", max_length=16)
    licence: str = Field(default="", max_length=32)
    language: str = Field(default="", max_length=8)
    page: int = Field(default=1, ge=1, le=service.MAX_PAGE)


def _number(value: str, high: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdecimal() or not 1 <= int(value) <= high:
        raise Invalid(BAD_FILTER)
    return int(value)


def _choice(value: str, allowed: set[str]) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise Invalid(BAD_FILTER)
    return value


@router.get("/repository")
def repository_page(request: Request, db: DbSession, user: CurrentUser,
                    form: Annotated[SearchForm, Query()]) -> Response:
    """Search the shared repository: words with or without accents, filters, best matches first."""
    filters: dict[str, Any] = {
        "subject_id": _number(form.subject_id, MAX_ID), "grade": _number(form.grade, 12),
        "kind": _choice(form.kind, set(MaterialKind)), "licence": _choice(form.licence, set(Licence)),
        "language": _choice(form.language, set(LANGUAGES)),
    }
    results = service.search(db=db, actor=user, q=form.q, page=form.page, **filters)
    locale = current_locale()
    subjects = sorted(db.scalars(select(Subject)), key=lambda s: s.name(locale))
    counts = {s.id: n for s, n in results.subjects}
    kind_counts = dict(results.kinds)
    asked = {k: v for k, v in {"q": form.q.strip(), **filters}.items() if v not in (None, "")}

    def page_href(number: int) -> str:
        return "/repository?" + urlencode({**asked, "page": number})

    empty_repository = not results.total and not db.scalar(select(func.count()).select_from(RepositoryEntry))
    return render(request, "repository/search.html", {
        "form": form, "filters": filters, "results": results, "subjects": subjects,
        "subject_names": {s.id: s.name(locale) for s in subjects}, "subject_counts": counts,
        "kind_counts": kind_counts, "KIND_LABELS": KIND_LABELS, "LICENCE_LABELS": LICENCE_LABELS,
        "LANGUAGES": LANGUAGES, "asked": bool(asked), "empty_repository": empty_repository,
        "prev_href": page_href(results.page - 1) if results.page > 1 else None,
        "next_href": page_href(results.page + 1) if results.page < results.pages else None,
        "first_href": page_href(1),
    })


@router.get("/repository/{material_id}")
def preview(material_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: CurrentUser) -> Response:
    """Preview a material of the repository: its material page (which checks who may see it)."""
    return RedirectResponse(f"/materials/{material_id}", status_code=303)
