"""Search the shared repository (BM25 over the SQL index, filters, snippets) and record reuses of its materials."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.materials import rules  # noqa: F401  (registers material.view)
from content.materials.models import Material, MaterialGrade, MaterialSection, MaterialVersion, Visibility
from content.repository.index import DESCRIPTION
from content.repository.models import MaterialReuse, RepositoryEntry, RepositoryPosting
from content.repository.tokens import QueryTerms, highlight, query_terms
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, NotFound
from lms_core.i18n import N_
from lms_core.org.models import Subject

PER_PAGE = 20
MAX_PAGE = 500
K1, B = 1.2, 0.75
NOT_IN_REPOSITORY = N_("This material is not in the shared repository.")
ONLY_TEACHERS = N_("Only teachers and school administrators of a school can reuse materials.")
E, P = RepositoryEntry, RepositoryPosting


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to (None: any)."""

    subject_id: int | None = None
    grade: int | None = None
    kind: str | None = None
    licence: str | None = None
    language: str | None = None

    def clauses(self, *, without: str = "") -> list[ColumnElement[bool]]:
        """Return the WHERE clauses of these filters on Material (leaving out some, for facet counts)."""
        out = []
        if self.subject_id is not None and "subject" not in without.split():
            out.append(Material.subject_id == self.subject_id)
        if self.grade is not None:
            out.append(exists().where(MaterialGrade.material_id == Material.id, MaterialGrade.grade == self.grade))
        if self.kind is not None and "kind" not in without.split():
            out.append(Material.kind == self.kind)
        if self.licence is not None:
            out.append(Material.licence == self.licence)
        if self.language is not None:
            out.append(Material.language == self.language)
        return out


@dataclass(frozen=True)
class Hit:
    """One material found, with what the result list shows."""

    material: Material
    version_number: int
    subject: Subject | None
    reuse_count: int
    published_at: datetime
    snippet: Markup
    score: float | None


@dataclass(frozen=True)
class Results:
    """A page of results, the total, and counts per subject and per kind for the filters."""

    q: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int = PER_PAGE
    partial: bool = False  # no material held every word: these hold some of them
    subjects: list[tuple[Subject, int]] = field(default_factory=list)
    kinds: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Return how many pages the results fill."""
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))


def _in_repository(actor: User) -> list[ColumnElement[bool]]:
    """Return the clauses keeping joined entries whose material is shared, published as indexed, and visible."""
    return [Material.visibility == Visibility.shared, Material.published_version_id == E.version_id,
            permissions.visible(actor, "material.view")]


def _coefficients(db: Session, terms: QueryTerms) -> tuple[dict[str, float], float]:
    """Return each query token's idf × query weight (tokens no material holds left out), and the average length."""
    n, avg = db.execute(select(func.count(), func.avg(E.length))).one()
    df = dict(db.execute(select(P.token, func.count()).where(P.token.in_(list(terms.weights))).group_by(P.token)).all())
    coef = {t: w * math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t, w in terms.weights.items() if df.get(t)}
    return coef, float(avg or 1.0)


def _scored(terms: QueryTerms, coef: dict[str, float], avg: float, *, every_word: bool) -> Any:
    """Return a subquery of (material_id, score) over the postings: BM25, field weights already in tf."""
    norm = literal(K1 * (1 - B)) + literal(K1 * B / avg) * E.length
    score = func.sum(case(coef, value=P.token, else_=0.0) * P.tf * (K1 + 1) / (P.tf + norm))
    query = (select(P.material_id.label("material_id"), score.label("score"))
             .join(E, E.material_id == P.material_id).where(P.token.in_(list(coef))).group_by(P.material_id))
    if every_word:  # one posting per token and material: counting the required ones that matched
        query = query.having(func.sum(case((P.token.in_(sorted(terms.required)), 1), else_=0)) == len(terms.required))
    return query.subquery()


def _newest() -> Any:
    """Return a subquery of (material_id, score) listing every entry, its publication time as the score."""
    return select(E.material_id.label("material_id"), E.published_at.label("score")).subquery()


def _page(db: Session, actor: User, found: Any, where: list[ColumnElement[bool]], page: int) -> tuple[list[Any], int]:
    """Return one page of (material_id, score) rows the actor may see, best first, and how many there are in all."""
    query = (select(found.c.material_id, found.c.score, func.count().over())
             .join(E, E.material_id == found.c.material_id).join(Material, Material.id == found.c.material_id)
             .where(*_in_repository(actor), *where))
    rows = db.execute(query.order_by(found.c.score.desc(), found.c.material_id.desc())
                      .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return rows, rows[0][2] if rows else db.scalar(select(func.count()).select_from(query.subquery())) or 0


def _facets(db: Session, actor: User, found: Any, filters: Filters) -> dict[str, Any]:
    """Return counts per subject (ignoring the subject filter) and per kind (ignoring the kind filter), one query."""
    rows = db.execute(select(Material.subject_id, Material.kind, func.count())
                      .select_from(found).join(E, E.material_id == found.c.material_id)
                      .join(Material, Material.id == found.c.material_id)
                      .where(*_in_repository(actor), *filters.clauses(without="subject kind"))
                      .group_by(Material.subject_id, Material.kind)).all()
    by_subject: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    for subject_id, kind, n in rows:
        if subject_id is not None and filters.kind in (None, kind):
            by_subject[subject_id] = by_subject.get(subject_id, 0) + n
        if filters.subject_id in (None, subject_id):
            by_kind[kind] = by_kind.get(kind, 0) + n
    subjects = {s.id: s for s in db.scalars(select(Subject).where(Subject.id.in_(list(by_subject))))}
    return {"subjects": sorted(((subjects[i], n) for i, n in by_subject.items() if i in subjects),
                               key=lambda p: (-p[1], p[0].code)),
            "kinds": sorted(by_kind.items(), key=lambda p: (-p[1], p[0]))}


def _holding(terms: QueryTerms, *, every_word: bool) -> Any:
    """Return a subquery of the materials holding every (or any) query word, for facet counts: no scoring."""
    query = (select(P.material_id.label("material_id")).where(P.token.in_(sorted(terms.required)))
             .group_by(P.material_id))
    return (query.having(func.count() == len(terms.required)) if every_word else query).subquery()


def search(*, db: Session, actor: User, q: str = "", subject_id: int | None = None, grade: int | None = None,
           kind: str | None = None, licence: str | None = None, language: str | None = None,
           page: int = 1, facets: bool = True) -> Results:
    """Search the shared repository for what the actor may see: best matches first, or newest first without words."""
    # Every word must occur (in any accent form); if no material holds them all, those holding some are
    # returned instead, marked partial.
    filters = Filters(subject_id=subject_id, grade=grade, kind=kind, licence=licence, language=language)
    page = max(1, min(page, MAX_PAGE))
    terms = query_terms(q)
    if not terms:
        rows, total = _page(db, actor, _newest(), filters.clauses(), page)
        results = Results(q=q, hits=_hits(db, terms, rows), total=total, page=page, per_page=PER_PAGE)
        return replace(results, **_facets(db, actor, _newest(), filters)) if facets else results
    coef, avg = _coefficients(db, terms)
    all_held = terms.required <= set(coef)  # a word no material holds: none holds every word
    every, rows, total = all_held, [], 0
    for every_word in ([True, False] if all_held else [False]) if coef else []:
        rows, total = _page(db, actor, _scored(terms, coef, avg, every_word=every_word), filters.clauses(), page)
        every = every_word
        if total or len(terms.required) == 1:
            break
    results = Results(q=q, hits=_hits(db, terms, rows), total=total, page=page, per_page=PER_PAGE,
                      partial=not every and total > 0)
    if facets and coef:  # with nothing found, the counts show which other filter would find something
        results = replace(results, **_facets(db, actor, _holding(terms, every_word=every if total else all_held),
                                             filters))
    return results


def _hits(db: Session, terms: QueryTerms, rows: list[Any]) -> list[Hit]:
    """Return the hits of a page: materials, version numbers, subjects, reuse counts and snippets."""
    if not rows:
        return []
    ids = [r[0] for r in rows]
    materials = {m.id: m for m in db.scalars(select(Material).where(Material.id.in_(ids)))}
    entries = {e.material_id: e for e in db.scalars(select(E).where(E.material_id.in_(ids)))}
    numbers = dict(db.execute(select(MaterialVersion.id, MaterialVersion.number).where(
        MaterialVersion.id.in_([e.version_id for e in entries.values()]))).all())
    subject_ids = {m.subject_id for m in materials.values() if m.subject_id}
    subjects = {s.id: s for s in db.scalars(select(Subject).where(Subject.id.in_(subject_ids)))} if subject_ids else {}
    texts = _snippet_texts(db, terms, materials, entries)
    out = []
    for material_id, score, *_rest in rows:
        m, e = materials.get(material_id), entries.get(material_id)
        if m is None or e is None:
            continue
        out.append(Hit(material=m, version_number=numbers.get(e.version_id, 0), subject=subjects.get(m.subject_id or 0),
                       reuse_count=e.reuse_count, published_at=e.published_at,
                       snippet=highlight(texts.get(material_id, ""), terms),
                       score=float(score) if terms else None))
    return out


def _snippet_texts(db: Session, terms: QueryTerms, materials: dict[int, Material],
                   entries: dict[int, RepositoryEntry]) -> dict[int, str]:
    """Return for each material the text of its best matching section (else its description or first section)."""
    best: dict[int, int] = {}
    if terms.weights:
        weight = case(terms.weights, value=P.token, else_=0.0)
        ranked = db.execute(select(P.material_id, P.section, func.sum(weight * P.tf).label("w"))
                            .where(P.material_id.in_(list(entries)), P.section.is_not(None),
                                   P.token.in_(list(terms.weights)))
                            .group_by(P.material_id, P.section).order_by(P.material_id, func.sum(weight * P.tf).desc(),
                                                                         P.section)).all()
        for material_id, section, _w in ranked:
            best.setdefault(material_id, section)
    for material_id, m in materials.items():
        if material_id not in best:
            best[material_id] = DESCRIPTION if m.description else 0
    wanted = [(entries[i].version_id, p) for i, p in best.items() if p != DESCRIPTION and i in entries]
    texts: dict[tuple[int, int], str] = {}
    if wanted:
        texts = {(v, p): t for v, p, t in db.execute(
            select(MaterialSection.version_id, MaterialSection.position, MaterialSection.text)
            .where(or_(*(and_(MaterialSection.version_id == v, MaterialSection.position == p) for v, p in wanted))))}
    return {i: (materials[i].description if p == DESCRIPTION else texts.get((entries[i].version_id, p), ""))
            for i, p in best.items() if i in entries}


# --- reuse ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReuseResult:
    """A recorded reuse, whether this call made it, and the material's reuse count now."""

    reuse: MaterialReuse
    created: bool
    reuse_count: int
    version_number: int


def note_reuse(*, db: Session, actor: User, material_id: int, version_id: int,
               purpose: str = "") -> tuple[MaterialReuse, bool]:
    """Add a teacher's reuse of a material version and count it, once per teacher and version (the caller commits)."""
    existing = db.scalar(select(MaterialReuse).where(MaterialReuse.user_id == actor.id,
                                                     MaterialReuse.version_id == version_id))
    if existing is not None:
        return existing, False
    schools = actor.school_ids(Role.teacher, Role.school_admin)
    school_id = actor.school_id if actor.school_id in schools else (min(schools) if schools else None)
    row = MaterialReuse(material_id=material_id, version_id=version_id, user_id=actor.id, school_id=school_id,
                        purpose=" ".join(purpose.split())[:200])
    db.add(row)
    db.flush()
    db.execute(update(E).where(E.material_id == material_id).values(reuse_count=E.reuse_count + 1))
    return row, True


def reuse(*, db: Session, actor: User, material_id: int, purpose: str = "") -> ReuseResult:
    """Record that a teacher pins the published version of a shared material (once per teacher and version)."""
    schools = actor.school_ids(Role.teacher, Role.school_admin)
    if not schools:
        raise Forbidden(ONLY_TEACHERS)
    row = db.execute(select(E.version_id, MaterialVersion.number).join(Material, Material.id == E.material_id)
                     .join(MaterialVersion, MaterialVersion.id == E.version_id)
                     .where(E.material_id == material_id, *_in_repository(actor))).first()
    if row is None:
        raise NotFound(NOT_IN_REPOSITORY)
    version_id, number = row
    try:
        existing, created = note_reuse(db=db, actor=actor, material_id=material_id, version_id=version_id,
                                       purpose=purpose)
        db.commit()
    except IntegrityError:  # the same teacher, twice at once: the other request recorded it
        db.rollback()
        return reuse(db=db, actor=actor, material_id=material_id, purpose=purpose)
    count = db.scalar(select(E.reuse_count).where(E.material_id == material_id)) or 0
    return ReuseResult(reuse=existing, created=created, reuse_count=count, version_number=number)
