"""HTML routes of assignments: a student hands in work, a teacher sets the assignment up, reads the class's work and
grades it; handed-in files are served to their student and the course's teachers only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.courses import assignments
from lms_core.courses import pages as course_pages
from lms_core.courses.models import Activity, Course, Submission
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from lms_core.i18n import N_
from lms_core.progress import service as progress
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
Id = course_pages.Id
RUBRIC_ROWS = 6
REFUSALS = (Invalid, TooLarge, Conflict, Forbidden)


def _assignment_of(db: Session, user: User, course_id: int, activity_id: int) -> Activity:
    activity = course_pages.activity_of(db, user, course_id, activity_id)
    if activity.type != assignments.NAME:
        raise NotFound(assignments.NOT_AN_ASSIGNMENT)
    return activity


def _activity_page(request: Request, db: Session, user: User, activity: Activity, *, error: str,
                   status_code: int) -> Response:
    """Render the activity page again with a refusal above the hand-in form (nothing is recorded)."""
    course, lesson = course_pages.lesson_of(db, user, activity.course_id, activity.lesson_id)
    kind = course_pages.activity_types(request).get(activity.type)
    learner = permissions.can(user, "course.learn", course)
    done = progress.completed_ids(db, course_id=course.id, user_id=user.id) if learner else set()
    siblings = lesson.activities
    index = next(i for i, a in enumerate(siblings) if a.id == activity.id)
    extra = assignments.context(db=db, actor=user, activity=activity)
    return render(request, "courses/activity.html", {
        **course_pages.common_context(db), **extra, "assignment_error": error, "course": course, "lesson": lesson,
        "activity": activity, "kind": kind, "learner": learner, "complete": activity.id in done,
        "just_completed": False,
        "next_activity": siblings[index + 1] if index + 1 < len(siblings) else None,
    }, status_code=status_code)


@router.post("/courses/{course_id}/activities/{activity_id}/submit")
def submit(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
           text: Annotated[str, Form(max_length=200_000)] = "",
           file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Hand in text and/or a file as a new attempt (the file's type is decided by its bytes)."""
    activity = _assignment_of(db, user, course_id, activity_id)
    chosen = file is not None and bool(file.filename)
    try:
        assignments.submit(db=db, actor=user, activity_id=activity.id, text=text,
                           stream=file.file if chosen else None, filename=file.filename if chosen else None)
    except REFUSALS as exc:
        db.rollback()
        return _activity_page(request, db, user, activity, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity_id}?submitted=1#my-work", status_code=303)


# --- a teacher's side ----------------------------------------------------------------------------

def _submissions_page(request: Request, db: Session, user: User, activity: Activity, class_id: int | None, *,
                      error: str | None = None, error_for: int | None = None, values: dict[str, Any] | None = None,
                      status_code: int = 200) -> Response:
    work = assignments.class_submissions(db=db, actor=user, activity_id=activity.id, class_id=class_id)
    course = db.get(Course, activity.course_id)
    return render(request, "courses/assignment_submissions.html", {
        **course_pages.common_context(db), "course": course, "activity": activity, "work": work, "class_id": class_id,
        "settings": assignments.AssignmentSettings.model_validate(activity.settings or {}),
        "handed_in": sum(1 for w in work if w.attempts), "error": error, "error_for": error_for,
        "values": values or {}, "graded": request.query_params.get("graded", ""),
    }, status_code=status_code)


@router.get("/courses/{course_id}/activities/{activity_id}/submissions")
def submissions(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
                class_id: Annotated[int | None, Query(ge=1, le=course_pages.MAX_ID)] = None) -> Response:
    """Show each student of the course's classes (or of one) with their handed-in work and a grading form."""
    activity = _assignment_of(db, user, course_id, activity_id)
    return _submissions_page(request, db, user, activity, class_id)


@router.post("/courses/{course_id}/submissions/{submission_id}/grade")
def grade(request: Request, course_id: Id, submission_id: Id, db: DbSession, user: CurrentUser,
          score: Annotated[str, Form(max_length=12)] = "",
          points: Annotated[list[str] | None, Form(max_length=assignments.MAX_CRITERIA)] = None,
          feedback: Annotated[str, Form(max_length=40_000)] = "",
          class_id: Annotated[str, Form(max_length=12)] = "") -> Response:
    """Save a score (or the rubric's points) and feedback for one handed-in attempt."""
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise NotFound(assignments.SUBMISSION_NOT_FOUND)
    activity = _assignment_of(db, user, course_id, submission.activity_id)
    wanted_class = course_pages.form_int(class_id)
    try:
        assignments.grade(db=db, actor=user, submission_id=submission.id, score=score, rubric=points,
                          feedback=feedback)
    except (Invalid, TooLarge) as exc:
        db.rollback()
        values = {"score": score, "points": points or [], "feedback": feedback}
        return _submissions_page(request, db, user, activity, wanted_class, error=exc.translated(),
                                 error_for=submission_id, values=values, status_code=exc.status_code)
    query = f"?graded={submission_id}" + (f"&class_id={wanted_class}" if wanted_class else "")
    return RedirectResponse(f"/courses/{course_id}/activities/{activity.id}/submissions{query}#s{submission_id}",
                            status_code=303)


@router.get("/courses/{course_id}/submissions/{submission_id}/file")
def submission_file(course_id: Id, submission_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Download a handed-in file (its student, or a teacher of the course); never shown inline."""
    path, kind, name = assignments.submission_file(db=db, actor=user, submission_id=submission_id)
    submission = db.get(Submission, submission_id)
    if db.get(Activity, submission.activity_id).course_id != course_id:
        raise NotFound(assignments.SUBMISSION_NOT_FOUND)
    return FileResponse(path, media_type=kind.mime, content_disposition_type="attachment", filename=name,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-cache",
                                 "Content-Security-Policy": "sandbox"})


class SettingsForm(BaseModel):
    """An assignment's settings as the form sends them."""

    accept_text: str = Field(default="", max_length=4)
    accept_file: str = Field(default="", max_length=4)
    file_kinds: list[str] = Field(default_factory=list, max_length=8)
    max_attempts: str = Field(default="", max_length=4)
    criterion_title: list[str] = Field(default_factory=list, max_length=20)
    criterion_points: list[str] = Field(default_factory=list, max_length=20)


def _settings_values(form: SettingsForm) -> dict[str, Any]:
    rubric = []
    for title, points in zip(form.criterion_title, form.criterion_points, strict=False):
        if not title.strip() and not points.strip():
            continue
        try:
            number = float(points.strip().replace(",", "."))
        except ValueError:
            raise Invalid(assignments.RUBRIC_POINTS) from None
        rubric.append({"title": title, "points": number})
    attempts = course_pages.form_int(form.max_attempts)
    if attempts is None or attempts > assignments.MAX_ATTEMPTS:
        raise Invalid(N_("Students may hand in from 1 to {max} times."), max=assignments.MAX_ATTEMPTS)
    return {"accept_text": form.accept_text == "1", "accept_file": form.accept_file == "1",
            "file_kinds": [k for k in form.file_kinds if k in assignments.FILE_KINDS], "max_attempts": attempts,
            "rubric": rubric}


def _settings_page(request: Request, db: Session, activity: Activity, values: dict[str, Any], *,
                   error: str | None = None, status_code: int = 200) -> Response:
    rubric = list(values.get("rubric", []))
    rubric += [{"title": "", "points": ""}] * max(RUBRIC_ROWS - len(rubric), 0)
    return render(request, "courses/assignment_settings.html", {
        **course_pages.common_context(db), "course": db.get(Course, activity.course_id), "activity": activity,
        "values": values, "rubric": rubric, "error": error, "KIND_LABELS": assignments.KIND_LABELS,
        "FILE_KINDS": assignments.FILE_KINDS, "MAX_ATTEMPTS": assignments.MAX_ATTEMPTS,
    }, status_code=status_code)


def _editable(db: Session, user: User, course_id: int, activity_id: int) -> Activity:
    activity = _assignment_of(db, user, course_id, activity_id)
    permissions.require(user, "course.edit", db.get(Course, activity.course_id))
    return activity


@router.get("/courses/{course_id}/activities/{activity_id}/assignment")
def settings_form(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a teacher the form to set how work is handed in and graded."""
    activity = _editable(db, user, course_id, activity_id)
    return _settings_page(request, db, activity, assignments.check_settings(activity.settings or {}))


@router.post("/courses/{course_id}/activities/{activity_id}/assignment")
def save_settings(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
                  form: Annotated[SettingsForm, Form()]) -> Response:
    """Save how work is handed in (text, file kinds, attempts) and the rubric."""
    activity = _editable(db, user, course_id, activity_id)
    try:
        assignments.configure(db=db, actor=user, activity_id=activity.id, settings=_settings_values(form))
    except Invalid as exc:
        db.rollback()
        values = {"accept_text": form.accept_text == "1", "accept_file": form.accept_file == "1",
                  "file_kinds": form.file_kinds, "max_attempts": form.max_attempts,
                  "rubric": [{"title": t, "points": p} for t, p in zip(form.criterion_title, form.criterion_points,
                                                                       strict=False) if t.strip() or p.strip()]}
        return _settings_page(request, db, activity, values, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity_id}?configured=1", status_code=303)
