"""HTML routes of the tutor: its panel in every lesson (asking works without JavaScript), the teachers' page of
questions, answers and flags, and a course's tutor settings."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ai_tutor import links, service
from ai_tutor.models import TutorExchange
from ai_tutor.safety import MAX_QUESTION_CHARS
from lms_core import permissions
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import TeachingAssignment, User
from lms_core.courses import service as courses
from lms_core.courses.models import Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import DomainError, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.plugins.types import LessonPanel
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PANEL = "tutor"
RECENT = 5                       # exchanges of the student shown in the panel
JUST_ASKED = timedelta(minutes=15)  # the panel is unfolded while the student's last question is this fresh
SCRIPT = FsPath(__file__).parent / "static" / "tutor.js"
SCRIPT_VERSION = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:10]
FLAG_LABELS = {"at_risk": N_("May need help"), "harmful": N_("Asked for something harmful")}
BAD_FORM = N_("The request is not valid.")
NO_LESSON = N_("Ask the tutor from a lesson of the course.")
CHOOSE_MATERIALS = N_("Tick at least one material, or let the tutor use all the materials of the course.")


def _form_id(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdecimal() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(value)


# --- the panel in a lesson ----------------------------------------------------------------------------------

def status(db: Session, user: User, course: Course, *, learner: bool) -> dict[str, Any]:
    """Return the tutor's state for someone in a course: the mode it answers in and the questions left today."""
    state = service.status(db=db, actor=user, course_id=course.id, learner=learner)
    return {"mode": state.mode, "mode_label": service.MODE_LABELS[state.mode], "limit": state.limit,
            "left": state.left}


def lesson_panel(db: Session, user: User, course: Course, lesson: Lesson) -> list[LessonPanel]:
    """Return the tutor's panel for a student of the course, or for one of its teachers trying it."""
    learner = permissions.can(user, "course.learn", course)
    teacher = not learner and permissions.can(user, "course.edit", course)
    if not (learner or teacher):
        return []
    recent = list(db.scalars(select(TutorExchange).where(
        TutorExchange.student_id == user.id, TutorExchange.course_id == course.id)
        .order_by(TutorExchange.created_at.desc(), TutorExchange.id.desc()).limit(RECENT)))[::-1]
    context = {
        **status(db, user, course, learner=learner), "course_id": course.id, "lesson_id": lesson.id,
        "teacher": teacher, "exchanges": links.show(db, recent, lesson_id=lesson.id), "question": "", "error": None,
        "FLAG_LABELS": FLAG_LABELS, "script": f"/tutor/tutor.js?v={SCRIPT_VERSION}", "max_chars": MAX_QUESTION_CHARS,
    }
    fresh = bool(recent) and recent[-1].created_at > utcnow() - JUST_ASKED
    return [LessonPanel(PANEL, N_("Ask the AI tutor"), "tutor/panel.html", context, open=fresh, order=50)]


@router.get("/tutor/tutor.js")
def tutor_script() -> Response:
    """Serve the panel's small script (asking without reloading the page)."""
    return FileResponse(SCRIPT, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


@router.post("/courses/{course_id}/tutor/ask")
def ask(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
        question: Annotated[str, Form(max_length=20_000)] = "",
        lesson_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Ask the tutor from a lesson; back to the lesson with the answer (or with why it was refused)."""
    from lms_core.courses.pages import lesson_of, lesson_page_response

    lesson = _form_id(lesson_id)
    if lesson is None:
        raise Invalid(NO_LESSON)
    try:
        exchange = service.ask(db=db, actor=user, course_id=course_id, question=question, lesson_id=lesson)
    except NotFound:
        raise
    except DomainError as exc:  # empty or too long (422), switched off (403), past the daily limit (429)
        db.rollback()
        course, shown = lesson_of(db, user, course_id, lesson)
        return lesson_page_response(request, db, user, course, shown, status_code=exc.status_code, panel_state={
            PANEL: {"error": exc.translated(), "question": question[:2000]}})
    return RedirectResponse(f"/courses/{course_id}/lessons/{lesson}#tutor-{exchange.id}", status_code=303)


# --- the teachers' page ---------------------------------------------------------------------------------------

def _homeroom(db: Session, user: User) -> bool:
    return db.scalar(select(TeachingAssignment.id).where(TeachingAssignment.teacher_id == user.id,
                                                         TeachingAssignment.is_homeroom.is_(True)).limit(1)) is not None


def _names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@router.get("/tutor")
def teacher_page(request: Request, db: DbSession, user: CurrentUser,
                 course_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                 flagged: Annotated[str, Query(max_length=4)] = "") -> Response:
    """Show the questions asked in the teacher's courses (newest first) and the flags of their homeroom class."""
    rows = service.exchanges(db=db, actor=user, course_id=course_id, flagged=flagged == "1")
    flags = service.flags_for_homeroom(db=db, actor=user)
    course_list = [c for c in courses.list_courses(db=db, actor=user) if permissions.can(user, "course.edit", c)][:100]
    titles = dict(db.execute(select(Course.id, Course.title).where(
        Course.id.in_({e.course_id for e in rows + flags}))).all()) if rows or flags else {}
    return render(request, "tutor/teacher.html", {
        "exchanges": links.show(db, rows), "flags": links.show(db, flags), "homeroom": _homeroom(db, user),
        "courses": [(c, service.policy_of(db, c.id), service.stats(db, c.id)) for c in course_list],
        "names": _names(db, {e.student_id for e in rows + flags}), "titles": titles,
        "course_id": course_id, "flagged": flagged == "1", "local_time": local_time, "FLAG_LABELS": FLAG_LABELS,
        "MODE_LABELS": service.MODE_LABELS, "seen": request.query_params.get("seen") == "1",
    })


@router.post("/tutor/flags/{exchange_id}/seen")
def flag_seen(exchange_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Record that the teacher has seen a flagged message."""
    service.mark_flag_seen(db=db, actor=user, exchange_id=exchange_id)
    return RedirectResponse("/tutor?seen=1#flags", status_code=303)


# --- a course's tutor settings --------------------------------------------------------------------------------

def _settings_page(request: Request, db: Session, course: Course, values: dict[str, Any], *,
                   error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "tutor/settings.html", {
        "course": course, "values": values, "materials": service.course_materials(db, course.id), "error": error,
        "MODE_LABELS": service.MODE_LABELS, "modes": service.MODES, "max_limit": service.MAX_DAILY_LIMIT,
        "saved": request.query_params.get("saved") == "1",
    }, status_code=status_code)


@router.get("/courses/{course_id}/tutor/settings")
def settings_form(request: Request, course_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a course's tutor policy to its teachers: mode, which materials, the daily limit."""
    course = courses.editable_course(db=db, actor=user, course_id=course_id)
    policy = service.policy_of(db, course.id)
    return _settings_page(request, db, course, {
        "mode": policy.mode, "materials": "all" if policy.material_ids is None else "chosen",
        "material_ids": set(policy.material_ids or ()), "daily_limit": str(policy.daily_limit)})


@router.post("/courses/{course_id}/tutor/settings")
def save_settings(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
                  mode: Annotated[str, Form(max_length=12)] = "",
                  materials: Annotated[str, Form(max_length=8)] = "all",
                  material_id: Annotated[list[str] | None, Form(max_length=12)] = None,
                  daily_limit: Annotated[str, Form(max_length=6)] = "") -> Response:
    """Save a course's tutor policy; a bad mode, limit or material is refused and nothing changes."""
    course = courses.editable_course(db=db, actor=user, course_id=course_id)
    raw_ids = material_id or []
    try:
        ids = [i for i in map(_form_id, raw_ids[:500]) if i is not None]
        if materials == "chosen" and not ids:
            raise Invalid(CHOOSE_MATERIALS)
        limit = daily_limit.strip()
        if not limit.isdecimal():
            raise Invalid(service.BAD_LIMIT, max=service.MAX_DAILY_LIMIT)
        service.set_policy(db=db, actor=user, course_id=course.id, mode=mode, daily_limit=int(limit),
                           material_ids=ids if materials == "chosen" else None)
    except Invalid as exc:
        db.rollback()
        kept = {int(i) for i in raw_ids if i.isdecimal() and len(i) <= 10}
        return _settings_page(request, db, course, {"mode": mode, "materials": materials, "material_ids": kept,
                                                    "daily_limit": daily_limit}, error=exc.translated(),
                              status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}/tutor/settings?saved=1", status_code=303)
