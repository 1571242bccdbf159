"""JSON routes of schools and classes."""

from __future__ import annotations

from fastapi import APIRouter

from lms_core.org import service
from lms_core.org.schemas import ClassDetailOut, ClassIn, ClassOut, MemberOut, SchoolOut
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["organisation"])


@router.get("/schools")
def schools(db: DbSession, user: CurrentUser) -> list[SchoolOut]:
    """List the schools the caller may see."""
    return [SchoolOut.model_validate(s) for s in service.list_schools(db=db, actor=user)]


@router.get("/schools/{school_id}")
def school(school_id: int, db: DbSession, user: CurrentUser) -> SchoolOut:
    """Return one school."""
    return SchoolOut.model_validate(service.get_school(db=db, actor=user, school_id=school_id))


@router.get("/schools/{school_id}/classes")
def school_classes(school_id: int, db: DbSession, user: CurrentUser) -> list[ClassOut]:
    """List the classes of a school that the caller may see."""
    service.get_school(db=db, actor=user, school_id=school_id)
    return [ClassOut.model_validate(c) for c in service.list_classes(db=db, actor=user, school_id=school_id)]


@router.post("/schools/{school_id}/classes", status_code=201)
def add_class(school_id: int, body: ClassIn, db: DbSession, user: CurrentUser) -> ClassOut:
    """Create a class."""
    klass = service.create_class(db=db, actor=user, school_id=school_id, name=body.name, grade=body.grade,
                                 academic_year_id=body.academic_year_id)
    return ClassOut.model_validate(klass)


@router.get("/classes/{class_id}")
def class_detail(class_id: int, db: DbSession, user: CurrentUser) -> ClassDetailOut:
    """Return a class with its teachers and students."""
    klass = service.get_class(db=db, actor=user, class_id=class_id)
    teachers, students = service.class_members(db=db, klass=klass)
    member = lambda u: MemberOut(id=u.id, full_name=u.full_name, username=u.username)  # noqa: E731
    return ClassDetailOut(
        **ClassOut.model_validate(klass).model_dump(),
        teachers=[member(u) for u in teachers],
        students=[member(u) for u in students],
    )
