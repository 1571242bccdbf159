"""HTML routes of a class's term results across subjects: the classes one may read, a class's table of
students × subjects with each student's learning level, and its XLSX export. Nothing here writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from lms_core.gradebook import class_results, rules, sheet
from lms_core.gradebook.models import Mode
from lms_core.gradebook.pages import MAX_ID, show
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
ClassId = Annotated[int, Path(ge=1, le=MAX_ID)]
TermText = Annotated[str, Query(max_length=12)]


def _helpers() -> dict[str, Any]:
    return {"show": show, "Mode": Mode, "LEARNING_LABELS": rules.LEVEL_LABELS,
            "SUBJECT_LEVEL_LABELS": rules.SUBJECT_LEVEL_LABELS, "COMMENT_LABELS": rules.COMMENT_LABELS}


@router.get("/gradebook/classes")
def classes_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """List the classes whose term results the user may read, with a link per term."""
    classes = class_results.readable_classes(db=db, actor=user)
    return render(request, "gradebook/class_results.html", {**_helpers(), "classes": classes, "data": None})


@router.get("/gradebook/classes/{class_id}")
def results_page(request: Request, class_id: ClassId, db: DbSession, user: CurrentUser,
                 term: TermText = "") -> Response:
    """Show a class's students × subjects for a term, with each student's learning level."""
    data = class_results.class_results(db=db, actor=user, class_id=class_id, term=class_results.parse_term(term))
    return render(request, "gradebook/class_results.html", {**_helpers(), "data": data, "classes": None})


@router.get("/gradebook/classes/{class_id}/export.xlsx")
def export(class_id: ClassId, db: DbSession, user: CurrentUser, term: TermText = "") -> Response:
    """Download a class's results of a term as an Excel workbook."""
    data = class_results.class_results(db=db, actor=user, class_id=class_id, term=class_results.parse_term(term))
    return Response(class_results.xlsx(data), media_type=sheet.XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{class_results.filename(data)}"'})
