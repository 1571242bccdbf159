"""JSON routes of the shared repository: search and reuse."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from content.materials.models import Licence, MaterialKind
from content.materials.service import LANGUAGES
from content.repository import service
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["repository"])
MAX_ID = 2_147_483_647


class SearchQuery(BaseModel):
    """What a search asks for; every filter is optional."""

    q: str = Field(default="", max_length=200)
    subject_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    grade: int | None = Field(default=None, ge=1, le=12)
    kind: MaterialKind | None = None
    licence: Licence | None = None
    language: str | None = Field(default=None, max_length=8, pattern="^(" + "|".join(LANGUAGES) + ")$")
    page: int = Field(default=1, ge=1, le=service.MAX_PAGE)


class HitOut(BaseModel):
    """One material found."""

    material_id: int
    title: str
    kind: str
    subject_id: int | None
    subject_code: str | None
    grades: list[int]
    licence: str
    language: str
    version_number: int
    reuse_count: int
    published_at: datetime
    snippet_html: str = Field(description="HTML-escaped excerpt; matching words wrapped in <mark>")
    score: float | None = Field(description="BM25 score; null when listing newest first")
    url: str


class FacetOut(BaseModel):
    """How many results one filter value would give."""

    value: int | str
    count: int


class SearchOut(BaseModel):
    """A page of search results."""

    q: str
    total: int
    page: int
    pages: int
    per_page: int
    partial: bool = Field(description="no material holds every word; these hold some of them")
    hits: list[HitOut]
    subjects: list[FacetOut]
    kinds: list[FacetOut]


class ReuseIn(BaseModel):
    """Why a teacher reuses a material (optional)."""

    purpose: str = Field(default="", max_length=200)


class ReuseOut(BaseModel):
    """A recorded reuse and the material's reuse count."""

    material_id: int
    version_number: int
    created: bool
    reuse_count: int


@router.get("/repository/search")
def search(params: Annotated[SearchQuery, Query()], db: DbSession, user: CurrentUser) -> SearchOut:
    """Search the shared repository (accents optional), with filters; without words, newest first."""
    found = service.search(db=db, actor=user, q=params.q, subject_id=params.subject_id, grade=params.grade,
                           kind=params.kind, licence=params.licence, language=params.language, page=params.page)
    hits = [HitOut(material_id=h.material.id, title=h.material.title, kind=h.material.kind,
                   subject_id=h.material.subject_id, subject_code=h.subject.code if h.subject else None,
                   grades=h.material.grades, licence=h.material.licence, language=h.material.language,
                   version_number=h.version_number, reuse_count=h.reuse_count, published_at=h.published_at,
                   snippet_html=str(h.snippet), score=h.score, url=f"/materials/{h.material.id}")
            for h in found.hits]
    return SearchOut(q=found.q, total=found.total, page=found.page, pages=found.pages, per_page=found.per_page,
                     partial=found.partial, hits=hits,
                     subjects=[FacetOut(value=s.id, count=n) for s, n in found.subjects],
                     kinds=[FacetOut(value=k, count=n) for k, n in found.kinds])


@router.post("/repository/{material_id}/reuse")
def reuse(material_id: Annotated[int, Path(ge=1, le=MAX_ID)], db: DbSession, user: CurrentUser, response: Response,
          body: Annotated[ReuseIn | None, Body()] = None) -> ReuseOut:
    """Record that the caller reuses the published version of a shared material (once per version)."""
    done = service.reuse(db=db, actor=user, material_id=material_id, purpose=body.purpose if body else "")
    response.status_code = 201 if done.created else 200
    return ReuseOut(material_id=material_id, version_number=done.version_number, created=done.created,
                    reuse_count=done.reuse_count)
