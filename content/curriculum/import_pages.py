"""HTML routes of a tree import: upload form, preview with per-row errors (nothing stored), confirm, template."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import editing, importer, service, tree_file
from content.curriculum.api import viewer_province
from content.curriculum.models import CurriculumItem, ItemKind
from content.curriculum.tree_pages import province_field, view_url
from lms_core.pending import PendingStore
from lms_core.accounts.import_sheet import check_size
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, Invalid, NotFound, TooLarge
from lms_core.i18n import N_, current_locale
from lms_core.org.models import Province, Subject
from lms_core.permissions import area_of
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
UPLOADS = PendingStore("curriculum-imports")  # tree files between preview and confirmation
MAX_ID = 2_147_483_647
NO_FILE = N_("Choose a CSV or Excel (.xlsx) file to upload.")
PREVIEW_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _targets(db: Session, user: User) -> list[Province]:
    """Return the provinces whose trees the user may import; refuse a user who may import none."""
    query = select(Province).order_by(Province.name)
    if not user.has_role(Role.system_admin):
        provinces = area_of(user)[0]
        if not provinces:
            raise Forbidden(service.NOT_DEPARTMENT)
        query = query.where(Province.id.in_(provinces))
    return list(db.scalars(query))


def _form(request: Request, db: Session, user: User, *, province_id: int | None, error: str | None = None,
          status_code: int = 200) -> Response:
    targets = _targets(db, user)
    selected = province_id if province_id is not None else (None if user.has_role(Role.system_admin) else targets[0].id)
    return render(request, "curriculum/import.html", {
        "targets": targets, "selected": selected, "national": user.has_role(Role.system_admin), "error": error,
        "max_mb": f"{importer.MAX_BYTES / 1_000_000:.3g}", "max_rows": importer.MAX_ROWS,
    }, status_code=status_code)


@router.get("/curriculum/import")
def import_form(request: Request, db: DbSession, user: CurrentUser,
                province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show the upload form with the columns the file needs and the template to download."""
    return _form(request, db, user, province_id=province_id)


def _losses(db: Session, province_id: int | None, result: importer.Preview) -> dict[tuple[int, int], dict[str, int]]:
    """Return, per tree of the file, how many items it replaces and materials that would lose a mapping.

    Items are matched by title as the import matches them: a topic by its title, a lesson by its topic and title."""
    owner = CurriculumItem.province_id.is_(None) if province_id is None else CurriculumItem.province_id == province_id
    losses = {}
    for t in result.trees:
        rows = [r for r in result.rows if str(r.values["subject_code"]).upper() == t.subject_code
                and str(r.values["grade"]).strip() == str(t.grade)]
        topics = {str(r.values["topic"]) for r in rows}
        pairs = {(str(r.values["topic"]), str(r.values["lesson"])) for r in rows}
        old = list(db.scalars(select(CurriculumItem).where(owner, CurriculumItem.subject_id == t.subject_id,
                                                           CurriculumItem.grade == t.grade)))
        titles = {i.id: i.title for i in old if i.kind == ItemKind.topic}
        gone = [i.id for i in old if (i.kind == ItemKind.topic and i.title not in topics)
                or (i.kind == ItemKind.lesson and (titles.get(i.parent_id), i.title) not in pairs)]
        losses[(t.subject_id, t.grade)] = {"existing": len(old), "removed": len(gone),
                                           "materials": editing.mapped_materials(db=db, item_ids=gone)}
    return losses


def _preview_page(request: Request, db: Session, *, result: importer.Preview, province_id: int | None,
                  token: str | None, status_code: int) -> Response:
    shown = sorted(result.rows, key=lambda r: (not r.errors, r.row))[:PREVIEW_ROWS]
    return render(request, "curriculum/import_preview.html", {
        "result": result, "rows": shown, "hidden_rows": len(result.rows) - len(shown), "token": token,
        "errors": sum(1 for r in result.rows if r.errors), "losses": _losses(db, province_id, result),
        "province": db.get(Province, province_id) if province_id is not None else None,
    }, status_code=status_code)


@router.post("/curriculum/import")
def import_preview(request: Request, db: DbSession, user: CurrentUser,
                   province_id: Annotated[str, Form(max_length=12)] = "",
                   file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Check an uploaded tree file and show what it would change; nothing is stored yet."""
    target = province_field(province_id)
    service.require_province_editor(user, target)
    try:
        if file is None or not file.filename:
            raise Invalid(NO_FILE)
        data = file.file.read(importer.MAX_BYTES + 1)
        check_size(len(data), importer.MAX_BYTES)
        result = importer.preview(db=db, data=data)
    except (Invalid, TooLarge) as exc:
        return _form(request, db, user, province_id=target, error=exc.translated(), status_code=exc.status_code)
    token = None
    if result.ok:
        token = UPLOADS.keep_bytes(data, user_id=user.id, province_id=target)
    return _preview_page(request, db, result=result, province_id=target, token=token,
                         status_code=200 if result.ok else 422)


@router.post("/curriculum/import/confirm")
def import_confirm(request: Request, db: DbSession, user: CurrentUser,
                   token: Annotated[str, Form(min_length=64, max_length=64)]) -> Response:
    """Import the previewed file (all or nothing), delete it, and show the first imported tree."""
    kept = UPLOADS.load(token, user_id=user.id)
    province_id = kept.record.get("province_id")
    try:
        result = importer.apply_import(db=db, actor=user, province_id=province_id, data=kept.read())
    except Invalid as exc:  # the subjects or programme changed since the preview
        return _form(request, db, user, province_id=province_id, error=exc.translated(),
                     status_code=exc.status_code)
    finally:
        UPLOADS.discard(token)
    first = result.trees[0]
    return RedirectResponse(view_url(grade=first.grade, subject=first.subject_code, province_id=province_id,
                                     notice="imported", anchor="tree"), status_code=303)


def _template_rows(db: Session, user: User, grade: int | None, subject: str | None,
                   province_id: int | None) -> tuple[list[tree_file.Row], str]:
    """Return the rows a template holds (a tree when one is asked for) and the file's base name."""
    chosen = viewer_province(db=db, actor=user, province_id=province_id)
    if grade is None or subject is None:
        return [], "curriculum-template"
    found = db.scalar(select(Subject).where(Subject.code == subject.strip().upper()))
    if found is None:
        raise NotFound(N_("This subject does not exist."))
    tree = service.tree(db=db, province_id=chosen, subject_id=found.id, grade=grade)
    return tree_file.tree_rows(tree, found.code, grade), f"curriculum-{found.code.lower()}-{grade}"


def _attachment(name: str) -> dict[str, Any]:
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"}


@router.get("/curriculum/import/template.xlsx")
def template_xlsx(db: DbSession, user: CurrentUser, grade: Annotated[int | None, Query(ge=1, le=12)] = None,
                  subject: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
                  province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Download the import template as Excel: blank, or holding one subject × grade's tree to adapt."""
    rows, name = _template_rows(db, user, grade, subject, province_id)
    subjects = sorted(db.scalars(select(Subject)), key=lambda s: s.code)
    return Response(tree_file.xlsx(rows, subjects, current_locale()), media_type=XLSX,
                    headers=_attachment(f"{name}.xlsx"))


@router.get("/curriculum/import/template.csv")
def template_csv(db: DbSession, user: CurrentUser, grade: Annotated[int | None, Query(ge=1, le=12)] = None,
                 subject: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
                 province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Download the import template as CSV (UTF-8): blank, or holding one subject × grade's tree."""
    rows, name = _template_rows(db, user, grade, subject, province_id)
    return Response(tree_file.csv_bytes(rows), media_type="text/csv; charset=utf-8", headers=_attachment(f"{name}.csv"))

