"""JSON routes of the tutor: ask in a course (the lesson panel's script uses it too)."""

from __future__ import annotations

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from typing import Annotated

from ai_tutor import links, service
from ai_tutor.pages import status
from lms_core import permissions
from lms_core.courses.models import Course
from lms_core.i18n import ngettext
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["tutor"])
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class AskIn(BaseModel):
    """A question, from a lesson of the course (its first activity records the "asked" statement)."""

    question: str = Field(max_length=20_000)
    lesson_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CitationOut(BaseModel):
    """A cited passage: its number in the answer, the material, where in it, a link that opens it there."""

    ref: int
    title: str
    label: str
    url: str | None
    text: str


class AnswerOut(BaseModel):
    """The tutor's answer: text with [n] marks, its citations, whether the materials held it, the mode."""

    id: int
    question: str
    answer: str
    citations: list[CitationOut]
    found: bool
    mode: str
    language: str
    left: int | None = None
    left_text: str | None = None


@router.post("/tutor/courses/{course_id}/ask")
def ask(course_id: Id, body: AskIn, db: DbSession, user: CurrentUser) -> AnswerOut:
    """Ask the tutor in a course; answered only from the course's materials, with citations."""
    exchange = service.ask(db=db, actor=user, course_id=course_id, question=body.question, lesson_id=body.lesson_id)
    shown = links.show(db, [exchange], lesson_id=body.lesson_id)[0]
    course = db.get(Course, course_id)
    left = status(db, user, course, learner=permissions.can(user, "course.learn", course))["left"]
    return AnswerOut(
        id=exchange.id, question=exchange.question, answer=exchange.answer, found=exchange.found,
        mode=exchange.mode, language=exchange.language,
        citations=[CitationOut(**c.as_json()) for c in shown.citations], left=left,
        left_text=ngettext("%(num)d question left today", "%(num)d questions left today", left) % {"num": left}
        if left is not None else None)
