"""HTML routes of lesson discussions: post a question or an answer, pin and hide posts (the thread itself is shown
on the activity page, through the discussion activity type's template)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import User
from lms_core.courses import discussion
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, DiscussionPost, Lesson
from lms_core.errors import Invalid, NotFound
from lms_core.i18n import N_
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BAD_FORM = N_("The request is not valid.")


def _activity(db: Session, user: User, course_id: int, activity_id: int) -> Activity:
    activity = courses.get_activity(db=db, actor=user, activity_id=activity_id)
    if activity.course_id != course_id or activity.type != discussion.TYPE:
        raise NotFound(courses.ACTIVITY_NOT_FOUND)
    return activity


def _post_of(db: Session, user: User, course_id: int, post_id: int) -> DiscussionPost:
    row = db.get(DiscussionPost, post_id)
    if row is None:
        raise NotFound(discussion.POST_NOT_FOUND)
    _activity(db, user, course_id, row.activity_id)
    return row


def _flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise Invalid(BAD_FORM)
    return value == "1"


def _back(course_id: int, activity_id: int, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/courses/{course_id}/activities/{activity_id}#{anchor}", status_code=303)


@router.post("/courses/{course_id}/activities/{activity_id}/posts")
def add_post(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
             body: Annotated[str, Form(max_length=20000)] = "",
             parent_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Ask a question or answer one; a refusal shows the discussion again with what was written kept."""
    activity = _activity(db, user, course_id, activity_id)
    try:
        parent = parent_id.strip()
        if parent and (not parent.isdecimal() or not 1 <= int(parent) <= MAX_ID):
            raise Invalid(BAD_FORM)
        row = discussion.post(db=db, actor=user, activity_id=activity.id, body=body,
                              parent_id=int(parent) if parent else None)
    except Invalid as exc:
        db.rollback()
        activity = _activity(db, user, course_id, activity_id)
        lesson = db.get(Lesson, activity.lesson_id)
        return render(request, "courses/discussion.html", {
            **discussion.context(db=db, actor=user, activity=activity), "course": lesson.unit.course,
            "lesson": lesson, "activity": activity, "error": exc.translated(), "draft": body[:discussion.MAX_BODY],
            "draft_parent": parent_id.strip(), "local_time": local_time,
        }, status_code=exc.status_code)
    return _back(course_id, activity.id, f"post-{row.parent_id or row.id}")


@router.post("/courses/{course_id}/discussion-posts/{post_id}/pin")
def pin_post(course_id: Id, post_id: Id, db: DbSession, user: CurrentUser,
             pinned: Annotated[str, Form(max_length=1)] = "1") -> Response:
    """Pin a post so it is shown first, or unpin it (teachers of the course)."""
    row = _post_of(db, user, course_id, post_id)
    discussion.set_pinned(db=db, actor=user, post_id=row.id, pinned=_flag(pinned))
    return _back(course_id, row.activity_id, f"post-{row.id}")


@router.post("/courses/{course_id}/discussion-posts/{post_id}/hide")
def hide_post(course_id: Id, post_id: Id, db: DbSession, user: CurrentUser,
              hidden: Annotated[str, Form(max_length=1)] = "1") -> Response:
    """Hide a post from the students, or show it again (teachers of the course)."""
    row = _post_of(db, user, course_id, post_id)
    discussion.set_hidden(db=db, actor=user, post_id=row.id, hidden=_flag(hidden))
    return _back(course_id, row.activity_id, f"post-{row.id}")
