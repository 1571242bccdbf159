"""HTML routes of people management: the list, a person's page and its small forms, adding a person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts import manage
from lms_core.accounts.import_rows import BAD_DATE, parse_date, shown
from lms_core.accounts.import_sheet import fold
from lms_core.accounts.models import Role, User
from lms_core.errors import Conflict, Forbidden, Invalid
from lms_core.i18n import N_, current_locale
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)

BAD_FORM = N_("The request is not valid.")
NO_STORE = {"Cache-Control": "no-store"}
MAX_ID = 2_147_483_647
MAX_SUBJECTS = 30
HOMEROOM = "homeroom"
VIETNAM = timezone(timedelta(hours=7))  # one zone, no daylight saving
FILTER_ROLES = [Role.student, Role.teacher, Role.school_admin]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _id(value: str | None) -> int | None:
    """Return a form or query id, None when empty; refuse anything but a positive number."""
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(text)


def _required_id(value: str | None) -> int:
    """Return a form id that must be given."""
    number = _id(value)
    if number is None:
        raise Invalid(BAD_FORM)
    return number


def _birth_date(value: str) -> date | None:
    """Return a date of birth from a date input (yyyy-mm-dd) or typed as dd/mm/yyyy, None when empty."""
    text = value.strip()
    if not text:
        return None
    try:
        if text.replace(".", "").isdecimal():  # an Excel serial number makes no sense in a form
            raise ValueError(text)
        return parse_date(text, date.today())
    except ValueError:
        raise Invalid(BAD_DATE, value=shown(text)) from None


def local_time(moment: datetime | None) -> str | None:
    """Return a timestamp as Vietnamese local time, dd/mm/yyyy hh:mm."""
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _school_id(db: Session, user: User, wanted: str | None) -> tuple[int, list[Any]]:
    """Return the school to show (asked for, else the user's own, else the first managed) and the choices."""
    schools = manage.managed_schools(db=db, actor=user)
    asked = _id(wanted)
    if asked is not None:
        return asked, schools
    if not schools:
        raise Forbidden(permissions.NOT_ALLOWED)
    own = [s.id for s in schools if s.id == user.school_id]
    return (own or [schools[0].id])[0], schools


@router.get("/admin/users")
def users_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    school_id: Annotated[str | None, Query(max_length=12)] = None,
    q: Annotated[str, Query(max_length=120)] = "",
    role: Annotated[str, Query(pattern="^(|student|teacher|school_admin)$")] = "",
    class_id: Annotated[str, Query(max_length=12)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """List a school's people with a search, role and class filters, 50 a page."""
    sid, schools = _school_id(db, user, school_id)
    cid = _id(class_id)
    result = manage.list_school_users(db=db, actor=user, school_id=sid, q=q, role=role or None, class_id=cid, page=page)
    classes, _subjects = manage.form_choices(db=db, actor=user, school_id=sid)
    filters = {"school_id": sid, "q": q, "role": role, "class_id": cid or ""}
    link = lambda n: "/admin/users?" + urlencode({**filters, "page": n})  # noqa: E731
    return render(request, "users.html", {
        "result": result, "schools": schools, "school_id": sid, "q": q, "role": role, "class_id": cid,
        "classes": classes, "roles": FILTER_ROLES, "prev_href": link(result.page - 1) if result.page > 1 else None,
        "next_href": link(result.page + 1) if result.page < result.pages else None,
    })


def _choices(db: Session, user: User, school_id: int | None) -> tuple[list[Any], list[Any]]:
    """Return the forms' classes and subjects, the subjects in alphabetical order of the page's language."""
    classes, subjects = manage.form_choices(db=db, actor=user, school_id=school_id)
    locale = current_locale()
    return classes, sorted(subjects, key=lambda s: fold(s.name(locale)))


def _new_form(request: Request, db: Session, user: User, school_id: int, values: dict[str, Any],
              error: str | None = None, status_code: int = 200) -> Response:
    """Render the form to add a person."""
    classes, subjects = _choices(db, user, school_id)
    return render(request, "user_new.html", {
        "school_id": school_id, "classes": classes, "subjects": subjects, "values": values, "error": error,
        "locale": current_locale(),
    }, status_code=status_code)


@router.get("/admin/users/new")
def new_person_form(request: Request, db: DbSession, user: CurrentUser,
                    school_id: Annotated[str | None, Query(max_length=12)] = None) -> Response:
    """Show the form to add a student or a teacher."""
    sid, _schools = _school_id(db, user, school_id)
    manage.managed_school(db=db, actor=user, school_id=sid)
    return _new_form(request, db, user, sid, {"role": Role.student, "subject_ids": []})


@router.post("/admin/users/new")
def new_person(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    school_id: Annotated[str, Form(max_length=12)],
    full_name: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(pattern="^(student|teacher)$")] = Role.student,
    username: Annotated[str, Form(max_length=64)] = "",
    class_id: Annotated[str, Form(max_length=12)] = "",
    subject_ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    birth_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add a person and show their username and one-time password."""
    sid = _required_id(school_id)
    manage.managed_school(db=db, actor=user, school_id=sid)  # refuse before telling anything about the form
    values = {"full_name": full_name, "role": role, "username": username, "class_id": class_id,
              "subject_ids": subject_ids, "birth_date": birth_date}
    try:
        if len(subject_ids) > MAX_SUBJECTS:
            raise Invalid(BAD_FORM)
        detail, password = manage.create_person(
            db=db, actor=user, school_id=sid, full_name=full_name, role=role, username=username or None,
            class_id=_id(class_id) if role == Role.student else None,
            subject_ids=[_required_id(v) for v in subject_ids] if role == Role.teacher else [],
            birth_date=_birth_date(birth_date))
    except (Invalid, Conflict) as exc:
        return _new_form(request, db, user, sid, values, error=exc.translated(), status_code=exc.status_code)
    response = _detail_page(request, db, user, detail, new_password=password, created=True)
    response.headers.update(NO_STORE)
    return response


def _detail_page(request: Request, db: Session, user: User, detail: manage.UserDetail, *, new_password: str | None = None,
                 created: bool = False, error: str | None = None, saved: bool = False, status_code: int = 200) -> Response:
    """Render a person's page with its forms."""
    classes, subjects = _choices(db, user, detail.user.school_id)
    return render(request, "user.html", {
        "d": detail, "person": detail.user, "classes": classes, "subjects": subjects, "new_password": new_password,
        "created": created, "error": error, "saved": saved, "is_self": detail.user.id == user.id,
        "last_login": local_time(detail.last_login), "locale": current_locale(),
        "is_student": detail.user.has_role(Role.student), "is_teacher": detail.user.has_role(Role.teacher),
        "HOMEROOM": HOMEROOM,
    }, status_code=status_code)


@router.get("/admin/users/{user_id}")
def person_page(user_id: UserId, request: Request, db: DbSession, user: CurrentUser, saved: int = 0) -> Response:
    """Show a person: roles, classes or teaching, state, last login, and the forms to change them."""
    return _detail_page(request, db, user, manage.user_detail(db=db, actor=user, user_id=user_id), saved=bool(saved))


def _after(request: Request, db: Session, user: User, user_id: int, change: Any) -> Response:
    """Run a change; go back to the person's page, or show it again with the refusal."""
    try:
        change()
    except (Invalid, Conflict) as exc:
        db.rollback()
        detail = manage.user_detail(db=db, actor=user, user_id=user_id)
        return _detail_page(request, db, user, detail, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)


@router.post("/admin/users/{user_id}/reset-password")
def reset_password(user_id: UserId, request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Give a person a new password, shown once on the page; their sessions end."""
    target, password = manage.reset_password(db=db, actor=user, user_id=user_id)
    response = _detail_page(request, db, user, manage.user_detail(db=db, actor=user, user_id=target.id),
                            new_password=password)
    response.headers.update(NO_STORE)
    return response


@router.post("/admin/users/{user_id}/active")
def set_active(user_id: UserId, request: Request, db: DbSession, user: CurrentUser,
               active: Annotated[str, Form(pattern="^(on|off)$")]) -> Response:
    """Deactivate (ending their sessions) or reactivate an account."""
    return _after(request, db, user, user_id,
                  lambda: manage.update_user(db=db, actor=user, user_id=user_id, is_active=active == "on"))


@router.post("/admin/users/{user_id}/classes")
def move_student(user_id: UserId, request: Request, db: DbSession, user: CurrentUser,
                 class_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Move a student to a class of this year (or out of every class)."""
    def change() -> None:
        cid = _id(class_id)
        manage.set_classes(db=db, actor=user, user_id=user_id, class_ids=[cid] if cid else [])
    return _after(request, db, user, user_id, change)


def _teaching_args(class_id: str, subject_id: str) -> dict[str, Any]:
    """Return the service arguments of a teaching form: a subject id, or the homeroom choice."""
    homeroom = subject_id.strip() == HOMEROOM
    return {"class_id": _required_id(class_id), "subject_id": None if homeroom else _required_id(subject_id),
            "is_homeroom": homeroom}


@router.post("/admin/users/{user_id}/teaching")
def add_teaching(user_id: UserId, request: Request, db: DbSession, user: CurrentUser,
                 class_id: Annotated[str, Form(max_length=12)] = "",
                 subject_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Give a teacher a subject in a class, or the class's homeroom."""
    return _after(request, db, user, user_id, lambda: manage.add_teaching(
        db=db, actor=user, user_id=user_id, **_teaching_args(class_id, subject_id)))


@router.post("/admin/users/{user_id}/teaching/remove")
def remove_teaching(user_id: UserId, request: Request, db: DbSession, user: CurrentUser,
                    class_id: Annotated[str, Form(max_length=12)] = "",
                    subject_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Remove one teaching assignment or homeroom of a teacher."""
    return _after(request, db, user, user_id, lambda: manage.remove_teaching(
        db=db, actor=user, user_id=user_id, **_teaching_args(class_id, subject_id)))
