"""JSON routes of the curriculum (mounted under /api): the programme with its trees, and the coverage of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.coverage import Coverage, coverage
from content.curriculum.models import CurriculumItem
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, NotFound
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import LEVEL_LABELS, Province, School, Subject
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["curriculum"])
MAX_ID = 2_147_483_647
STAFF_ONLY = N_("Curriculum coverage is shown to the staff of schools and departments.")
OTHER_PROVINCE = N_("You can see the coverage of your own province only.")
NO_PROVINCE = N_("This province does not exist.")
NO_SUBJECT = N_("This subject does not exist.")
STAFF_ROLES = (Role.teacher, Role.school_admin, Role.department_staff, Role.system_admin)


# --- whose province ---------------------------------------------------------------------------

def own_provinces(db: Session, actor: User, *, students: bool = False) -> set[int]:
    """Return the provinces an actor works in: their department's, or their schools'."""
    provinces = {r.province_id for r in actor.roles if r.role == Role.department_staff and r.province_id}
    roles = (Role.teacher, Role.school_admin, Role.student) if students else (Role.teacher, Role.school_admin)
    school_ids = actor.school_ids(*roles)
    if school_ids:
        provinces |= set(db.scalars(select(School.province_id).where(School.id.in_(school_ids))))
    return provinces


def province_choices(db: Session, actor: User, *, students: bool = False) -> list[Province]:
    """Return the provinces an actor may look at, by name (every province for a system administrator)."""
    query = select(Province).order_by(Province.name)
    if not actor.has_role(Role.system_admin):
        query = query.where(Province.id.in_(own_provinces(db, actor, students=students)))
    return list(db.scalars(query))


def viewer_province(*, db: Session, actor: User, province_id: int | None, students: bool = False) -> int | None:
    """Return the province whose figures the actor sees: the one asked if allowed, else their own (None: national)."""
    if not students and not any(actor.has_role(r) for r in STAFF_ROLES):
        raise Forbidden(STAFF_ONLY)
    if actor.has_role(Role.system_admin):
        if province_id is not None and db.get(Province, province_id) is None:
            raise NotFound(NO_PROVINCE)
        return province_id
    own = own_provinces(db, actor, students=students)
    if province_id is None:
        return min(own) if own else None
    if province_id not in own:
        raise Forbidden(OTHER_PROVINCE)
    return province_id


# --- coverage ---------------------------------------------------------------------------------

class ShareOut(BaseModel):
    """Covered periods out of total periods, and the share in percent (one decimal)."""

    covered: int
    total: int
    percent: float


class TopicOut(BaseModel):
    """A topic of a tree."""

    id: int
    key: str
    title: str
    periods: int


class SubjectCoverageOut(ShareOut):
    """Coverage of one subject × grade with the topics nothing covers."""

    subject_code: str
    subject_name: str
    grade: int
    level: str
    has_tree: bool
    uncovered_topics: list[TopicOut]


class LevelCoverageOut(ShareOut):
    """Coverage of one school level."""

    level: str
    label: str


class CoverageOut(BaseModel):
    """A province's coverage: per subject × grade, per level, overall, against its target."""

    province_id: int | None
    province_name: str | None
    target: float
    meets_target: bool
    overall: ShareOut
    levels: list[LevelCoverageOut]
    subjects: list[SubjectCoverageOut]


def coverage_out(db: Session, result: Coverage) -> CoverageOut:
    """Return a coverage result as the API shows it, subject names in the request's language."""
    locale = current_locale()
    province = db.get(Province, result.province_id) if result.province_id is not None else None
    return CoverageOut(
        province_id=result.province_id, province_name=province.name if province else None,
        target=result.target, meets_target=result.meets_target,
        overall=ShareOut(covered=result.overall.covered, total=result.overall.total, percent=result.overall.percent),
        levels=[LevelCoverageOut(level=level, label=gettext(LEVEL_LABELS.get(level, level)), covered=s.covered,
                                 total=s.total, percent=s.percent) for level, s in result.levels.items()],
        subjects=[SubjectCoverageOut(
            subject_code=s.programme.subject.code, subject_name=s.programme.subject.name(locale),
            grade=s.programme.grade, level=s.programme.level, has_tree=s.has_tree,
            covered=s.covered, total=s.total, percent=s.percent,
            uncovered_topics=[TopicOut(id=t.id, key=t.key, title=t.title, periods=t.periods)
                              for t in s.uncovered_topics]) for s in result.subjects],
    )


@router.get("/coverage")
def get_coverage(db: DbSession, user: CurrentUser,
                 province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> CoverageOut:
    """Return how much of a province's curriculum the shared repository covers (staff only)."""
    chosen = viewer_province(db=db, actor=user, province_id=province_id)
    return coverage_out(db, coverage(db=db, province_id=chosen))


# --- the programme and its trees ------------------------------------------------------------

class ProgrammeOut(BaseModel):
    """A subject taught in a grade with its periods per year."""

    programme_id: int
    subject_code: str
    subject_name: str
    grade: int
    level: str
    periods_per_year: int
    status: str
    confirmed: bool
    citation: str


class LessonOut(TopicOut):
    """A lesson of a topic."""


class TreeTopicOut(TopicOut):
    """A topic with its lessons."""

    lessons: list[LessonOut]


class TreeOut(BaseModel):
    """The tree of one subject × grade as it applies to a province (None: the national tree)."""

    province_id: int | None
    periods: int
    topics: list[TreeTopicOut]


class CurriculumOut(BaseModel):
    """The programme rows asked for, and the tree when one subject and one grade were asked."""

    subjects: list[ProgrammeOut]
    tree: TreeOut | None


def _item(item: CurriculumItem) -> dict[str, object]:
    return {"id": item.id, "key": item.key, "title": item.title, "periods": item.periods}


@router.get("/curriculum")
def get_curriculum(db: DbSession, user: CurrentUser,
                   grade: Annotated[int | None, Query(ge=1, le=12)] = None,
                   subject_code: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
                   province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> CurriculumOut:
    """Return the programme (periods per subject and grade) and, for one subject × grade, its tree."""
    chosen = viewer_province(db=db, actor=user, province_id=province_id, students=True)
    subject_id = None
    if subject_code is not None:
        subject_id = db.scalar(select(Subject.id).where(Subject.code == subject_code.strip().upper()))
        if subject_id is None:
            raise NotFound(NO_SUBJECT)
    locale = current_locale()
    rows = service.programme(db=db, grade=grade, subject_id=subject_id)
    tree = None
    if grade is not None and subject_id is not None:
        found = service.tree(db=db, province_id=chosen, subject_id=subject_id, grade=grade)
        tree = TreeOut(province_id=found.province_id, periods=found.periods, topics=[
            TreeTopicOut(**_item(t), lessons=[LessonOut(**_item(c)) for c in t.children]) for t in found.topics])
    return CurriculumOut(subjects=[ProgrammeOut(
        programme_id=r.id, subject_code=r.subject.code, subject_name=r.subject.name(locale), grade=r.grade,
        level=r.level, periods_per_year=r.periods_per_year, status=r.status, confirmed=r.confirmed,
        citation=r.citation) for r in rows], tree=tree)


# --- a material's mapping ---------------------------------------------------------------------

class MappedItemOut(BaseModel):
    """A curriculum item a material is mapped to."""

    id: int
    kind: str
    key: str
    title: str
    periods: int
    grade: int
    subject_code: str
    topic_id: int | None
    province_id: int | None


class MappingIn(BaseModel):
    """The full set of curriculum items a material covers (replaces the current mapping)."""

    item_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(max_length=500)


class MappingOut(BaseModel):
    """The curriculum items a material is mapped to."""

    material_id: int
    items: list[MappedItemOut]


def _mapping_out(db: Session, material_id: int, items: list[CurriculumItem]) -> MappingOut:
    codes = dict(db.execute(select(Subject.id, Subject.code).where(Subject.id.in_({i.subject_id for i in items}))).all())
    return MappingOut(material_id=material_id, items=[MappedItemOut(
        id=i.id, kind=i.kind, key=i.key, title=i.title, periods=i.periods, grade=i.grade,
        subject_code=codes.get(i.subject_id, ""), topic_id=i.parent_id, province_id=i.province_id) for i in items])


@router.get("/materials/{material_id}/curriculum")
def get_material_curriculum(material_id: Annotated[int, Path(ge=1, le=MAX_ID)], db: DbSession,
                            user: CurrentUser) -> MappingOut:
    """Return the curriculum items a material the user may see is mapped to."""
    return _mapping_out(db, material_id, service.material_items(db=db, actor=user, material_id=material_id))


@router.put("/materials/{material_id}/curriculum")
def put_material_curriculum(material_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: MappingIn, db: DbSession,
                            user: CurrentUser) -> MappingOut:
    """Replace the curriculum items a material is mapped to (its owner only; unknown items refuse the whole set)."""
    items = service.set_material_items(db=db, actor=user, material_id=material_id, item_ids=body.item_ids)
    return _mapping_out(db, material_id, items)
