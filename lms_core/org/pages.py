"""HTML routes of classes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lms_core.org import service
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/classes")
def classes_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """List the classes the user may see."""
    classes = service.list_classes(db=db, actor=user)
    sizes = service.class_sizes(db=db, class_ids=[c.id for c in classes])
    return render(request, "classes.html", {"classes": classes, "sizes": sizes})


@router.get("/classes/{class_id}")
def class_page(class_id: int, request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show a class with its teachers and students."""
    klass = service.get_class(db=db, actor=user, class_id=class_id)
    teachers, students = service.class_members(db=db, klass=klass)
    from lms_core.progress.service import class_overview

    return render(request, "class.html", {"klass": klass, "teachers": teachers, "students": students,
                                          "courses": class_overview(db=db, actor=user, class_id=klass.id)})
