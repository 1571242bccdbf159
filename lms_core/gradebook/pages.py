"""HTML routes of the gradebook: the list, a class's grid to fill in (all-or-nothing, errors per cell), scores
from activities, the audit, the sổ điểm export, and a student's own grades."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.errors import Conflict, DomainError, Invalid
from lms_core.gradebook import rules, service, sheet
from lms_core.gradebook.models import MODE_LABELS, GradeColumn, Kind, Mode
from lms_core.i18n import N_, current_locale, gettext
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BAD_FORM = N_("The request is not valid.")
CELL = re.compile(r"m-(\d{1,10})-(\d{1,10})")
MAX_CELLS = 900

PRIMARY_HEADINGS = {Kind.gk: N_("Mid-term level"), Kind.ck: N_("End-of-term level"),
                    Kind.test_gk: N_("Mid-term test"), Kind.test_ck: N_("End-of-term test")}
ACTIONS = {"entered": N_("Entered"), "changed": N_("Changed"), "cleared": N_("Cleared"),
           "override": N_("Changed a score from an activity"), "pulled": N_("From an activity")}


def _id(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(value)


def heading(column: GradeColumn, mode: str) -> str:
    """Return a column's heading: the sổ điểm's own abbreviations, or the primary level / test name."""
    if mode == Mode.primary:
        return gettext(PRIMARY_HEADINGS[Kind(column.kind)])
    prefix = "ĐG" if mode == Mode.comment else "ĐĐG"
    return f"{prefix}tx {column.number}" if column.kind == Kind.tx else f"{prefix}{column.kind}"


def code_heading(code: str, mode: str) -> str:
    """Return the heading of an audited column from its code (tx2, gk1 …)."""
    match = re.fullmatch(r"([a-z_]+?)(\d+)", code)
    if match is None or match[1] not in set(Kind):
        return code
    return heading(GradeColumn(kind=match[1], number=int(match[2])), mode)


def show(value: Any, *, whole: bool = False) -> str:
    """Return a mark or result as the reader writes it: 8,5 in Vietnamese, 8.5 in English; Đ, CĐ, T, H, C."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        text = str(int(value)) if whole else str(Decimal(value).quantize(Decimal("0.1")))
        return text.replace(".", ",") if current_locale() == "vi" else text
    return str(getattr(value, "value", value))


def _cell_text(column: GradeColumn, entry: Any) -> str:
    if entry is None:
        return ""
    whole = column.kind in (Kind.test_gk, Kind.test_ck)
    return show(entry.mark if entry.mark is not None else Decimal(entry.score), whole=whole)


def _helpers() -> dict[str, Any]:
    return {"heading": heading, "code_heading": code_heading, "show": show, "cell_text": _cell_text,
            "local_time": local_time, "MODE_LABELS": MODE_LABELS, "ACTIONS": ACTIONS, "Kind": Kind, "Mode": Mode,
            "COMMENT_LABELS": rules.COMMENT_LABELS, "SUBJECT_LEVEL_LABELS": rules.SUBJECT_LEVEL_LABELS,
            "locale": current_locale()}


# --- the list and a student's grades -------------------------------------------------------------

@router.get("/gradebook")
def gradebook_home(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """List the gradebooks a teacher keeps (and may start) or a school admin reads; a student's own grades."""
    slots = service.overview(db=db, actor=user)
    mine = service.my_grades(db=db, actor=user) if user.has_role(Role.student) else []
    return render(request, "gradebook/index.html", {
        **_helpers(), "slots": slots, "mine": mine, "is_student": user.has_role(Role.student),
        "is_staff": bool(user.school_ids(Role.teacher, Role.school_admin)),
    })


@router.post("/gradebook/open")
def open_gradebook(db: DbSession, user: CurrentUser, course_id: Annotated[str, Form(max_length=12)] = "",
                   class_id: Annotated[str, Form(max_length=12)] = "",
                   term_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Start (or find) the gradebook of a course's class for a term, then show it."""
    course, klass, term = _id(course_id), _id(class_id), _id(term_id)
    if course is None or klass is None or term is None:
        raise Invalid(BAD_FORM)
    gradebook = service.open_gradebook(db=db, actor=user, course_id=course, class_id=klass, term_id=term)
    return RedirectResponse(f"/gradebook/{gradebook.id}", status_code=303)


# --- a class's grid ------------------------------------------------------------------------------

def _grid_page(request: Request, db: Any, user: User, gradebook_id: int, *, values: dict[tuple[int, int], str] | None = None,
               errors: dict[tuple[int, int], DomainError] | None = None, error: str | None = None,
               reason: str = "", status_code: int = 200) -> Response:
    data = service.grid(db=db, actor=user, gradebook_id=gradebook_id)
    may_edit = service.may_keep(user, data.course)
    names = {line.student.id: line.student.full_name for line in data.lines}
    column_of = {c.id: c for c in data.columns}
    cell_errors = {key: exc.translated() for key, exc in (errors or {}).items()}
    summary = [f"{names.get(s, '?')} – {heading(column_of[c], data.gradebook.mode) if c in column_of else '?'}: {text}"
               for (c, s), text in cell_errors.items()]
    notice = {k: request.query_params.get(k) for k in ("saved", "added", "updated", "kept", "mapped", "periods")
              if request.query_params.get(k, "").isdecimal()}
    return render(request, "gradebook/grid.html", {
        **_helpers(), "grid": data, "may_edit": may_edit, "values": values or {}, "cell_errors": cell_errors,
        "summary": summary, "error": error, "reason": reason, "notice": notice,
        "activities": service.graded_activities(db=db, gradebook=data.gradebook) if may_edit else [],
        "activity_titles": {a.id: a.title for a in service.graded_activities(db=db, gradebook=data.gradebook)},
        "regular_count": len(data.regular),
    }, status_code=status_code)


@router.get("/gradebook/{gradebook_id}")
def gradebook_page(request: Request, gradebook_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a class's gradebook: marks to fill in for its teachers, to read for the school's administrators."""
    return _grid_page(request, db, user, gradebook_id)


async def _cells(request: Request) -> tuple[dict[tuple[int, int], str], str]:
    """Return the grid's typed marks keyed by (column id, student id), and the reason, from the form."""
    form = await request.form()
    cells: dict[tuple[int, int], str] = {}
    for name, value in form.multi_items():
        match = CELL.fullmatch(name)
        if match is None:
            continue
        if not isinstance(value, str) or len(value) > 20 or len(cells) >= MAX_CELLS:
            raise Invalid(BAD_FORM)
        cells[(int(match[1]), int(match[2]))] = value
    reason = form.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 2000:
        raise Invalid(BAD_FORM)
    return cells, reason


@router.post("/gradebook/{gradebook_id}")
def save_marks(request: Request, gradebook_id: Id, db: DbSession, user: CurrentUser,
               form: Annotated[tuple[dict[tuple[int, int], str], str], Depends(_cells)]) -> Response:
    """Save the marks typed in the grid: all of them, or none with each refusal shown at its cell."""
    cells, reason = form
    gradebook = service.editable_gradebook(db=db, actor=user, gradebook_id=gradebook_id)
    try:
        changed = service.enter_marks(db=db, actor=user, gradebook_id=gradebook.id, marks=cells, reason=reason)
    except service.CellsRefused as exc:
        db.rollback()
        return _grid_page(request, db, user, gradebook_id, values=cells, errors=exc.cells, error=exc.translated(),
                          reason=reason, status_code=exc.status_code)
    except Invalid as exc:
        db.rollback()
        return _grid_page(request, db, user, gradebook_id, values=cells, error=exc.translated(), reason=reason,
                          status_code=exc.status_code)
    return RedirectResponse(f"/gradebook/{gradebook.id}?saved={changed}", status_code=303)


@router.post("/gradebook/{gradebook_id}/periods")
def set_periods(request: Request, gradebook_id: Id, db: DbSession, user: CurrentUser,
                periods_per_year: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Change the subject's periods per year, and so the number of regular assessments."""
    gradebook = service.editable_gradebook(db=db, actor=user, gradebook_id=gradebook_id)
    try:
        text = periods_per_year.strip()
        if not text.isdecimal():
            raise Invalid(rules.BAD_PERIODS, value=text)
        service.set_periods(db=db, actor=user, gradebook_id=gradebook.id, periods_per_year=int(text))
    except (Invalid, Conflict) as exc:
        db.rollback()
        return _grid_page(request, db, user, gradebook_id, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/gradebook/{gradebook.id}?periods=1", status_code=303)


@router.post("/gradebook/{gradebook_id}/columns/{column_id}/source")
def map_column(request: Request, gradebook_id: Id, column_id: Id, db: DbSession, user: CurrentUser,
               activity_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Make a graded activity feed an assessment, or stop it."""
    gradebook = service.editable_gradebook(db=db, actor=user, gradebook_id=gradebook_id)
    try:
        service.map_column(db=db, actor=user, gradebook_id=gradebook.id, column_id=column_id,
                           activity_id=_id(activity_id))
    except Invalid as exc:
        db.rollback()
        return _grid_page(request, db, user, gradebook_id, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/gradebook/{gradebook.id}?mapped=1#sources", status_code=303)


@router.post("/gradebook/{gradebook_id}/pull")
def pull(request: Request, gradebook_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Bring in the scores of the mapped activities, keeping the marks teachers typed."""
    report = service.pull_from_activities(db=db, actor=user, gradebook_id=gradebook_id,
                                          types=request.app.state.plugins.activity_types())
    return RedirectResponse(f"/gradebook/{gradebook_id}?added={report.added}&updated={report.updated}"
                            f"&kept={report.kept}", status_code=303)


@router.get("/gradebook/{gradebook_id}/history")
def history_page(request: Request, gradebook_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show every change of a gradebook's marks: who, when, old and new value, and why."""
    data = service.grid(db=db, actor=user, gradebook_id=gradebook_id)
    rows = service.history(db=db, actor=user, gradebook_id=gradebook_id)
    ids = {r.student_id for r in rows} | {r.actor_id for r in rows}
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return render(request, "gradebook/history.html", {**_helpers(), "grid": data, "rows": rows, "people": people})


@router.get("/gradebook/{gradebook_id}/export.xlsx")
def export(gradebook_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Download the sổ điểm of this class, subject and term as an Excel workbook."""
    data = service.sheet_for(db=db, actor=user, gradebook_id=gradebook_id)
    body = sheet.xlsx(data)
    return Response(body, media_type=sheet.XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{sheet.filename(data)}"'})
