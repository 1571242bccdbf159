"""HTML routes of live online sessions: add one to a lesson (time, duration, link or room) and take attendance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from lms_core.accounts.manage_pages import local_time
from lms_core.courses import live
from lms_core.courses import service as courses
from lms_core.courses.pages import lesson_of, lesson_page_response, activity_types, form_when
from lms_core.errors import Invalid, NotFound
from lms_core.i18n import N_
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BAD_FORM = N_("The request is not valid.")
NO_START = N_("Give the start time and a duration from 5 to 600 minutes.")


class LiveForm(BaseModel):
    """A live session as the lesson page's form sends it."""

    title: str = Field(default="", max_length=400)
    instructions: str = Field(default="", max_length=20000)
    starts_at: str = Field(default="", max_length=40)
    duration_minutes: str = Field(default="", max_length=6)
    link: str = Field(default="", max_length=2000)
    room: str = Field(default="", max_length=400)
    required: str = Field(default="", max_length=4)


@router.post("/courses/{course_id}/lessons/{lesson_id}/live-sessions")
def add_live_session(request: Request, course_id: Id, lesson_id: Id, db: DbSession, user: CurrentUser,
                     form: Annotated[LiveForm, Form()]) -> Response:
    """Add a live online session to a lesson; a refusal shows the lesson again with the form kept."""
    course, lesson = lesson_of(db, user, course_id, lesson_id)
    try:
        starts_at = form_when(form.starts_at)
        duration = form.duration_minutes.strip()
        if starts_at is None or not duration.isdecimal():
            raise Invalid(NO_START)
        courses.add_activity(db=db, actor=user, types=activity_types(request), lesson_id=lesson.id, type=live.TYPE,
                             title=form.title, instructions=form.instructions, required=form.required != "0",
                             settings={"starts_at": starts_at.isoformat(), "duration_minutes": int(duration),
                                       "link": form.link, "room": form.room})
    except (Invalid, NotFound) as exc:
        db.rollback()
        course, lesson = lesson_of(db, user, course_id, lesson_id)
        return lesson_page_response(request, db, user, course, lesson, error=exc.translated(),
                            values={**form.model_dump(), "type": live.TYPE},
                            status_code=exc.status_code if isinstance(exc, Invalid) else 422)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}?added=1", status_code=303)


def _attendance_page(request: Request, db: DbSession, user: CurrentUser, course_id: int, activity_id: int, *,
                     error: str | None = None, chosen: dict[int, str] | None = None, saved: int | None = None,
                     status_code: int = 200) -> Response:
    activity, lines, takers = live.roster(db=db, actor=user, activity_id=activity_id)
    if activity.course_id != course_id:
        raise NotFound(courses.ACTIVITY_NOT_FOUND)
    course, lesson = lesson_of(db, user, course_id, activity.lesson_id)
    return render(request, "courses/live_attendance.html", {
        "course": course, "lesson": lesson, "activity": activity, "lines": lines, "takers": takers,
        "live": live.session_of(activity), "local_time": local_time, "STATUSES": live.STATUSES,
        "STATUS_LABELS": live.STATUS_LABELS, "error": error, "chosen": chosen or {}, "saved": saved,
    }, status_code=status_code)


@router.get("/courses/{course_id}/activities/{activity_id}/attendance")
def attendance_form(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show the attendance form of a live session: its students, each present, late or absent."""
    saved = request.query_params.get("saved", "")
    return _attendance_page(request, db, user, course_id, activity_id,
                            saved=int(saved) if saved.isdecimal() and len(saved) < 6 else None)


class AttendanceForm(BaseModel):
    """The attendance form: one student id and one mark per line, in the same order ("" leaves a line as it is)."""

    student: list[str] = Field(default_factory=list, max_length=500)
    status: list[str] = Field(default_factory=list, max_length=500)


@router.post("/courses/{course_id}/activities/{activity_id}/attendance")
def save_attendance(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
                    form: Annotated[AttendanceForm, Form()]) -> Response:
    """Save the marks; a refusal shows the form again with the marks chosen, and nothing is saved."""
    if courses.get_activity(db=db, actor=user, activity_id=activity_id).course_id != course_id:
        raise NotFound(courses.ACTIVITY_NOT_FOUND)
    chosen: dict[int, str] = {}
    try:
        if len(form.student) != len(form.status):
            raise Invalid(BAD_FORM)
        for raw_id, status in zip(form.student, form.status, strict=True):
            if not raw_id.isdecimal() or not 1 <= int(raw_id) <= MAX_ID or len(status) > 16:
                raise Invalid(BAD_FORM)
            if status:
                chosen[int(raw_id)] = status
        changed = live.take_attendance(db=db, actor=user, activity_id=activity_id, marks=chosen)
    except Invalid as exc:
        db.rollback()
        return _attendance_page(request, db, user, course_id, activity_id, error=exc.translated(), chosen=chosen,
                                status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity_id}/attendance?saved={changed}",
                            status_code=303)
