"""HTML routes of the curriculum: subjects of a grade with their periods, a subject × grade tree, and its editing."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum import editing, service
from content.curriculum.api import NO_SUBJECT, province_choices, viewer_province
from content.curriculum.models import CurriculumItem, MaterialCurriculumItem, ProgrammeSubject
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale
from lms_core.org.models import Province, Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
BAD_FORM = N_("The request is not valid.")
STATUS_LABELS = {
    "compulsory": N_("Compulsory"),
    "elective": N_("Elective"),
    "elective_topics": N_("Elective learning topics"),
    "optional": N_("Optional"),
}
NOTICES = {
    "saved": N_("Saved."),
    "added": N_("Added."),
    "deleted": N_("Deleted."),
    "copied": N_("The province now has its own copy of the national tree. Changes you make apply to your province only."),
    "imported": N_("The file was imported."),
    "target": N_("The coverage target was saved."),
}
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
Title = Annotated[str, Form(max_length=400)]
Number = Annotated[str, Form(max_length=12)]
ProvinceField = Annotated[str, Form(max_length=12)]
Grade = Annotated[int, Form(ge=1, le=12)]
SubjectCode = Annotated[str, Form(min_length=1, max_length=16)]


def whole_number(value: str, message: str = service.BAD_PERIODS) -> int:
    """Return a form field as a whole number; refuse anything else with the given message."""
    text = value.strip()
    if not re.fullmatch(r"\d{1,6}", text):
        raise Invalid(message)
    return int(text)


def province_field(value: str) -> int | None:
    """Return a form's province id ('' is the national tree)."""
    text = value.strip()
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(text)


def may_edit_province(user: User, province_id: int | None) -> bool:
    """Return whether the user may change the trees of a province (None: the national ones)."""
    try:
        service.require_province_editor(user, province_id)
    except DomainError:
        return False
    return True


def view_url(*, grade: int | None = None, subject: str | None = None, province_id: int | None = None,
             notice: str | None = None, anchor: str | None = None) -> str:
    """Return the address of the curriculum page showing a grade, a subject's tree, and a notice."""
    params = {k: v for k, v in (("grade", grade), ("subject", subject), ("province_id", province_id),
                                ("notice", notice)) if v is not None}
    return "/curriculum" + (f"?{urlencode(params)}" if params else "") + (f"#{anchor}" if anchor else "")


def _subject(db: Session, code: str) -> Subject:
    subject = db.scalar(select(Subject).where(Subject.code == code.strip().upper()))
    if subject is None:
        raise NotFound(NO_SUBJECT)
    return subject


def _mapped_counts(db: Session, tree: service.Tree) -> dict[int, int]:
    """Return how many materials are mapped to each item of a tree (items with none left out)."""
    ids = [t.id for t in tree.topics] + [c.id for t in tree.topics for c in t.children]
    if not ids:
        return {}
    rows = db.execute(select(MaterialCurriculumItem.item_id, func.count()).where(
        MaterialCurriculumItem.item_id.in_(ids)).group_by(MaterialCurriculumItem.item_id))
    return {item_id: count for item_id, count in rows}


def _context(db: Session, user: User, *, grade: int | None, subject_code: str | None,
             province_id: int | None) -> dict[str, Any]:
    """Return what the curriculum page shows: the grade's subjects, one tree, and what the user may change."""
    chosen = viewer_province(db=db, actor=user, province_id=province_id)
    province = db.get(Province, chosen) if chosen is not None else None
    choices = province_choices(db, user)
    rows = service.programme(db=db, grade=grade) if grade is not None else []
    subject = _subject(db, subject_code) if subject_code else None
    tree = None
    if subject is not None and grade is not None:
        tree = service.tree(db=db, province_id=chosen, subject_id=subject.id, grade=grade)
    owner = tree.province_id if tree is not None and tree.topics else chosen
    may_edit = tree is not None and may_edit_province(user, owner)
    return {
        "grade": grade, "grades": range(1, 13), "rows": rows, "subject": subject, "tree": tree,
        "province": province, "choices": choices if len(choices) > 1 or province is None else [],
        "owner_name": (db.get(Province, tree.province_id).name if tree is not None and tree.province_id else None),
        "may_edit": may_edit, "edit_province_id": owner if owner is not None else "",
        "may_copy": bool(tree is not None and tree.topics and tree.province_id is None and chosen is not None
                         and may_edit_province(user, chosen)),
        "may_target": chosen is not None and may_edit_province(user, chosen),
        "may_import": any(may_edit_province(user, p.id) for p in choices) or user.has_role(Role.system_admin),
        "may_edit_periods": user.has_role(Role.system_admin),
        "target": service.target_of(db=db, province_id=chosen),
        "mapped": _mapped_counts(db, tree) if tree is not None and may_edit else {},
        "STATUS_LABELS": STATUS_LABELS, "subject_locale": current_locale(),
        "view_province_id": chosen if chosen is not None else "", "view_url": view_url,
    }


def _page(request: Request, db: Session, user: User, *, grade: int | None, subject_code: str | None,
          province_id: int | None, error: str | None = None, status_code: int = 200) -> Response:
    context = _context(db, user, grade=grade, subject_code=subject_code, province_id=province_id)
    notice = request.query_params.get("notice")
    context.update(error=error, notice=NOTICES.get(notice) if notice else None)
    return render(request, "curriculum/tree.html", context, status_code=status_code)


@router.get("/curriculum")
def curriculum_page(request: Request, db: DbSession, user: CurrentUser,
                    grade: Annotated[int | None, Query(ge=1, le=12)] = None,
                    subject: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
                    province_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show the subjects of a grade with their periods per year and, for one subject, its topic tree."""
    return _page(request, db, user, grade=grade, subject_code=subject, province_id=province_id)


def _refused(request: Request, db: Session, user: User, exc: Invalid, *, grade: int | None, subject_code: str | None,
             view: int | None) -> Response:
    """Show the page again with the refusal at the top; nothing was stored."""
    db.rollback()
    return _page(request, db, user, grade=grade, subject_code=subject_code, province_id=view,
                 error=exc.translated(), status_code=exc.status_code)


def _item(db: Session, user: User, item_id: int) -> CurriculumItem:
    """Return an item the user may change (checked before the form's values, so a stranger always reads 403)."""
    item = db.get(CurriculumItem, item_id)
    if item is None:
        raise NotFound(service.ITEM_NOT_FOUND)
    permissions.require(user, "curriculum.edit", item)
    return item


def _code(db: Session, subject_id: int) -> str:
    return db.scalar(select(Subject.code).where(Subject.id == subject_id)) or ""


@router.post("/curriculum/items/{item_id}/edit")
def edit_item(request: Request, item_id: ItemId, db: DbSession, user: CurrentUser, title: Title = "",
              periods: Number = "", view_province_id: ProvinceField = "") -> Response:
    """Rename a topic or lesson and, for a lesson, change its periods (the topic is recounted)."""
    item = _item(db, user, item_id)
    grade, code, view = item.grade, _code(db, item.subject_id), province_field(view_province_id)
    try:
        number = whole_number(periods) if item.kind == "lesson" and periods.strip() else None
        service.edit_item(db=db, actor=user, item_id=item_id, title=title, periods=number)
    except Invalid as exc:
        return _refused(request, db, user, exc, grade=grade, subject_code=code, view=view)
    return RedirectResponse(view_url(grade=grade, subject=code, province_id=view, notice="saved",
                                     anchor=f"item-{item_id}"), status_code=303)


@router.post("/curriculum/items/{item_id}/lessons")
def add_lesson(request: Request, item_id: ItemId, db: DbSession, user: CurrentUser, title: Title = "",
               periods: Number = "", view_province_id: ProvinceField = "") -> Response:
    """Add a lesson at the end of a topic."""
    topic = _item(db, user, item_id)
    grade, code, view = topic.grade, _code(db, topic.subject_id), province_field(view_province_id)
    try:
        lesson = editing.add_lesson(db=db, actor=user, topic_id=item_id, title=title, periods=whole_number(periods))
    except Invalid as exc:
        return _refused(request, db, user, exc, grade=grade, subject_code=code, view=view)
    return RedirectResponse(view_url(grade=grade, subject=code, province_id=view, notice="added",
                                     anchor=f"item-{lesson.id}"), status_code=303)


@router.post("/curriculum/topics")
def add_topic(request: Request, db: DbSession, user: CurrentUser, grade: Grade, subject: SubjectCode, title: Title = "",
              province_id: ProvinceField = "", view_province_id: ProvinceField = "") -> Response:
    """Add a topic at the end of a tree."""
    owner, view, found = province_field(province_id), province_field(view_province_id), _subject(db, subject)
    try:
        topic = editing.add_topic(db=db, actor=user, province_id=owner, subject_id=found.id, grade=grade, title=title)
    except Invalid as exc:
        return _refused(request, db, user, exc, grade=grade, subject_code=found.code, view=view)
    return RedirectResponse(view_url(grade=grade, subject=found.code, province_id=view, notice="added",
                                     anchor=f"item-{topic.id}"), status_code=303)


@router.post("/curriculum/items/{item_id}/delete")
def delete_item(request: Request, item_id: ItemId, db: DbSession, user: CurrentUser,
                confirm: Annotated[bool, Form()] = False, view_province_id: ProvinceField = "") -> Response:
    """Delete a lesson or a topic; a topic with lessons, or an item materials are mapped to, is confirmed first."""
    item = _item(db, user, item_id)
    grade, code, view = item.grade, _code(db, item.subject_id), province_field(view_province_id)

    def ask(message: str | None, status_code: int) -> Response:
        return render(request, "curriculum/delete.html", {
            "item": item, "message": message, "lessons": lessons, "view_province_id": view if view is not None else "",
            "back": view_url(grade=grade, subject=code, province_id=view, anchor=f"item-{item_id}"),
        }, status_code=status_code)

    lessons = len(item.children) if item.kind == "topic" else 0
    if lessons and not confirm:
        return ask(None, 200)
    try:
        editing.delete_item(db=db, actor=user, item_id=item_id, unmap=confirm)
    except Conflict as exc:
        db.rollback()
        return ask(exc.translated(), exc.status_code)
    return RedirectResponse(view_url(grade=grade, subject=code, province_id=view, notice="deleted"), status_code=303)


@router.post("/curriculum/copy")
def copy_tree(request: Request, db: DbSession, user: CurrentUser, grade: Grade, subject: SubjectCode,
              province_id: ProvinceField = "") -> Response:
    """Make the province's own copy of the national tree of a subject × grade."""
    owner, found = province_field(province_id), _subject(db, subject)
    try:
        editing.copy_national_tree(db=db, actor=user, province_id=owner, subject_id=found.id, grade=grade)
    except (Invalid, Conflict) as exc:
        return _refused(request, db, user, exc, grade=grade, subject_code=found.code, view=owner)
    return RedirectResponse(view_url(grade=grade, subject=found.code, province_id=owner, notice="copied"),
                            status_code=303)


@router.post("/curriculum/target")
def set_target(request: Request, db: DbSession, user: CurrentUser, province_id: Annotated[int, Form(ge=1, le=MAX_ID)],
               percent: Number, grade: Annotated[str, Form(max_length=2)] = "",
               subject: Annotated[str, Form(max_length=16)] = "") -> Response:
    """Set the province's coverage target (percent of curriculum periods)."""
    shown_grade = int(grade) if grade.isdecimal() and 1 <= int(grade) <= 12 else None
    service.require_province_editor(user, province_id)
    try:
        text = percent.strip().replace(",", ".")
        if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", text):
            raise Invalid(service.BAD_TARGET)
        service.set_target(db=db, actor=user, province_id=province_id, percent=float(text))
    except Invalid as exc:
        return _refused(request, db, user, exc, grade=shown_grade, subject_code=subject or None, view=province_id)
    return RedirectResponse(view_url(grade=shown_grade, subject=subject or None, province_id=province_id,
                                     notice="target"), status_code=303)


@router.post("/curriculum/programme/{programme_id}/periods")
def edit_periods(request: Request, programme_id: ItemId, db: DbSession, user: CurrentUser, periods_per_year: Number,
                 view_province_id: ProvinceField = "") -> Response:
    """Change a subject's periods per year in a grade (system administrators)."""
    row = db.get(ProgrammeSubject, programme_id)
    if row is None:
        raise NotFound(service.ITEM_NOT_FOUND)
    if not user.has_role(Role.system_admin):
        raise Forbidden(permissions.NOT_ALLOWED)
    view = province_field(view_province_id)
    try:
        service.edit_periods(db=db, actor=user, programme_id=programme_id,
                             periods_per_year=whole_number(periods_per_year))
    except Invalid as exc:
        return _refused(request, db, user, exc, grade=row.grade, subject_code=row.subject.code, view=view)
    return RedirectResponse(view_url(grade=row.grade, subject=row.subject.code, province_id=view, notice="saved"),
                            status_code=303)
