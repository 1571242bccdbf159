"""HTML routes of courses: the list, a course's outline and building it, lessons, activities, progress grids."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.manage_pages import VIETNAM, local_time
from lms_core.accounts.models import Role, User
from lms_core.courses import service
from lms_core.db import intend_to_write
from lms_core.courses.models import COMPLETION_LABELS, LATE_LABELS, Activity, Course, LatePolicy, Lesson
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import AcademicYear, SchoolClass, Subject
from lms_core.org.service import current_year
from lms_core.progress import service as progress
from lms_core.progress import xapi
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BAD_FORM = N_("The request is not valid.")
BAD_DATE = N_("Write dates as the date picker gives them.")
STUDENT_EVENTS = {"viewed", "watched", "read"}


def form_int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(BAD_FORM)
    return int(value)


def form_when(value: str | None) -> datetime | None:
    """Return a local date-time from a form (datetime-local) as an aware UTC time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(BAD_DATE) from None
    return (moment.replace(tzinfo=VIETNAM) if moment.tzinfo is None else moment).astimezone(UTC)


def _local_input(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def common_context(db: Session) -> dict[str, Any]:
    return {"subjects": {s.id: s for s in db.scalars(select(Subject))}, "locale": current_locale(),
            "local_time": local_time, "local_input": _local_input, "COMPLETION_LABELS": COMPLETION_LABELS,
            "LATE_LABELS": LATE_LABELS}


def activity_types(request: Request) -> dict[str, Any]:
    return request.app.state.plugins.activity_types()


# --- the list and a new course ----------------------------------------------------------------------

@router.get("/courses")
def course_list(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """List the courses a person takes, teaches or oversees; a student sees their progress in each."""
    courses = service.list_courses(db=db, actor=user)
    progress_of = {}
    if user.has_role(Role.student):
        for course in courses:
            if permissions.can(user, "course.learn", course):
                progress_of[course.id] = progress.course_progress(db=db, actor=user, course_id=course.id)
    return render(request, "courses/list.html", {
        **common_context(db), "courses": courses, "progress_of": progress_of,
        "may_create": bool(user.school_ids(Role.teacher, Role.school_admin)),
    })


class CourseForm(BaseModel):
    """A course's fields as the form sends them (the service checks them; these bounds stop abuse)."""

    title: str = Field(default="", max_length=400)
    description: str = Field(default="", max_length=4000)
    subject_id: str = Field(default="", max_length=12)
    grade: str = Field(default="", max_length=4)
    academic_year_id: str = Field(default="", max_length=12)
    class_ids: list[str] = Field(default_factory=list, max_length=40)
    teacher_ids: list[str] = Field(default_factory=list, max_length=20)
    late_policy: str = Field(default=LatePolicy.mark_late, max_length=16)


def _course_fields(form: CourseForm) -> service.CourseFields:
    subject, grade, year = form_int(form.subject_id), form_int(form.grade), form_int(form.academic_year_id)
    if subject is None or grade is None or year is None:
        raise Invalid(N_("Choose the subject, the grade and the school year."))
    return service.CourseFields(title=form.title, subject_id=subject, grade=grade, academic_year_id=year,
                                class_ids=tuple(i for i in map(form_int, form.class_ids) if i),
                                teacher_ids=tuple(i for i in map(form_int, form.teacher_ids) if i),
                                description=form.description, late_policy=form.late_policy)


def _form_page(request: Request, db: Session, user: User, values: dict[str, Any], *, course: Course | None = None,
               error: str | None = None, status_code: int = 200) -> Response:
    classes = service.suggested_classes(db=db, actor=user)
    if course is not None:
        classes = sorted({*classes, *course.classes}, key=lambda c: (c.grade, c.name))
    school_ids = {c.school_id for c in classes} or user.school_ids(Role.teacher, Role.school_admin)
    teachers = [t for sid in sorted(school_ids) for t in service.teachers_of_school(db=db, school_id=sid)]
    return render(request, "courses/form.html", {
        **common_context(db), "values": values, "course": course, "error": error, "classes": classes, "teachers": teachers,
        "years": list(db.scalars(select(AcademicYear).order_by(AcademicYear.start_date.desc()))),
    }, status_code=status_code)


@router.get("/courses/new")
def new_course_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the form to create a course for one's classes."""
    if not user.school_ids(Role.teacher, Role.school_admin):
        raise Forbidden(service.NOT_STAFF)
    year = current_year(db=db)
    return _form_page(request, db, user, {"academic_year_id": str(year.id) if year else "", "class_ids": [],
                                          "teacher_ids": [], "late_policy": LatePolicy.mark_late})


@router.post("/courses/new")
def create_course(request: Request, db: DbSession, user: CurrentUser, form: Annotated[CourseForm, Form()]) -> Response:
    """Create a course, then show its outline to add units and lessons."""
    try:
        course = service.create_course(db=db, actor=user, fields=_course_fields(form))
    except Invalid as exc:
        db.rollback()
        return _form_page(request, db, user, form.model_dump(), error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}?created=1", status_code=303)


@router.get("/courses/{course_id}/edit")
def edit_course_form(request: Request, course_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show the form to change a course."""
    course = service.editable_course(db=db, actor=user, course_id=course_id)
    values = {"title": course.title, "description": course.description, "subject_id": str(course.subject_id),
              "grade": str(course.grade), "academic_year_id": str(course.academic_year_id),
              "class_ids": [str(c.id) for c in course.classes], "teacher_ids": [str(t.id) for t in course.teachers],
              "late_policy": course.late_policy}
    return _form_page(request, db, user, values, course=course)


@router.post("/courses/{course_id}/edit")
def edit_course(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
                form: Annotated[CourseForm, Form()]) -> Response:
    """Save a course's changes."""
    course = service.editable_course(db=db, actor=user, course_id=course_id)
    try:
        service.update_course(db=db, actor=user, course_id=course.id, fields=_course_fields(form))
    except Invalid as exc:
        db.rollback()
        course = service.editable_course(db=db, actor=user, course_id=course_id)
        return _form_page(request, db, user, form.model_dump(), course=course, error=exc.translated(),
                          status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}?saved=1", status_code=303)


# --- a course's outline --------------------------------------------------------------------------

def _outline(request: Request, db: Session, user: User, course: Course, *, error: str | None = None,
             status_code: int = 200) -> Response:
    may_edit = permissions.can(user, "course.edit", course)
    learner = permissions.can(user, "course.learn", course)
    mine = progress.course_progress(db=db, actor=user, course_id=course.id) if learner else None
    return render(request, "courses/course.html", {
        **common_context(db), "course": course, "may_edit": may_edit, "mine": mine, "error": error,
        "states": {s.lesson.id: s for s in mine.lessons} if mine else {},
        "years": list(db.scalars(select(AcademicYear).order_by(AcademicYear.start_date.desc()))) if may_edit else [],
        "copy_classes": service.suggested_classes(db=db, actor=user) if may_edit else [],
        "notice": next((k for k in ("created", "saved", "copied") if request.query_params.get(k)), None),
    }, status_code=status_code)


@router.get("/courses/{course_id}")
def course_page(request: Request, course_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a course: for a student their progress and what to do next; for a teacher its outline to build."""
    return _outline(request, db, user, service.get_course(db=db, actor=user, course_id=course_id))


@router.post("/courses/{course_id}/units")
def add_unit(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
             title: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Add a unit to a course."""
    course = service.editable_course(db=db, actor=user, course_id=course_id)
    try:
        service.add_unit(db=db, actor=user, course_id=course.id, title=title)
    except Invalid as exc:
        db.rollback()
        return _outline(request, db, user, course, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}", status_code=303)


class LessonForm(BaseModel):
    """A lesson as the form sends it."""

    title: str = Field(default="", max_length=400)
    summary: str = Field(default="", max_length=20000)
    opens_at: str = Field(default="", max_length=40)
    closes_at: str = Field(default="", max_length=40)
    prerequisite_id: str = Field(default="", max_length=12)


@router.post("/courses/{course_id}/units/{unit_id}/lessons")
def add_lesson(request: Request, course_id: Id, unit_id: Id, db: DbSession, user: CurrentUser,
               form: Annotated[LessonForm, Form()]) -> Response:
    """Add a lesson to a unit, then open it to add activities."""
    course = service.editable_course(db=db, actor=user, course_id=course_id)
    try:
        lesson = service.add_lesson(db=db, actor=user, unit_id=unit_id, title=form.title, summary=form.summary,
                                    opens_at=form_when(form.opens_at), closes_at=form_when(form.closes_at),
                                    prerequisite_id=form_int(form.prerequisite_id))
    except Invalid as exc:
        db.rollback()
        return _outline(request, db, user, course, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}", status_code=303)


@router.post("/courses/{course_id}/copy")
def copy_course(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
                academic_year_id: Annotated[str, Form(max_length=12)] = "",
                class_ids: Annotated[list[str] | None, Form(max_length=40)] = None,
                title: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Copy a course with its lessons and activities to classes of another school year."""
    course = service.editable_course(db=db, actor=user, course_id=course_id)
    try:
        year = form_int(academic_year_id)
        if year is None:
            raise Invalid(N_("Choose the school year."))
        copy = service.copy_course(db=db, actor=user, course_id=course.id, academic_year_id=year,
                                   class_ids=tuple(i for i in map(form_int, class_ids or []) if i), title=title or None)
    except Invalid as exc:
        db.rollback()
        course = service.editable_course(db=db, actor=user, course_id=course_id)
        return _outline(request, db, user, course, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{copy.id}?copied=1", status_code=303)


# --- lessons and activities ----------------------------------------------------------------------

def lesson_of(db: Session, user: User, course_id: int, lesson_id: int) -> tuple[Course, Lesson]:
    course = service.get_course(db=db, actor=user, course_id=course_id)
    lesson = db.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course.id:
        raise NotFound(service.LESSON_NOT_FOUND)
    return course, lesson


def lesson_page_response(request: Request, db: Session, user: User, course: Course, lesson: Lesson, *,
                 error: str | None = None, values: dict[str, Any] | None = None, status_code: int = 200,
                 panel_state: dict[str, dict[str, Any]] | None = None) -> Response:
    """Render a lesson; `panel_state` adds to a plugin panel's context by key (its form's error, say), and opens it."""
    may_edit = permissions.can(user, "course.edit", course)
    learner = permissions.can(user, "course.learn", course)
    done = progress.completed_ids(db, course_id=course.id, user_id=user.id) if learner else set()
    locked = progress.why_locked(db, lesson, done) if learner else None
    first = db.get(Lesson, lesson.prerequisite_id) if lesson.prerequisite_id else None
    types = activity_types(request)
    pickers = {}
    if may_edit:
        for name, kind in types.items():
            if kind.choices is not None:
                pickers[name] = kind.choices(db=db, actor=user, course=course)
    panels = request.app.state.plugins.lesson_panels(db=db, user=user, course=course, lesson=lesson)
    for key, extra in (panel_state or {}).items():
        panels = [replace(p, context={**p.context, **extra}, open=True) if p.key == key else p for p in panels]
    return render(request, "courses/lesson.html", {
        **common_context(db), "course": course, "lesson": lesson, "may_edit": may_edit, "learner": learner, "done": done,
        "panels": panels,
        "locked": gettext(locked).format(title=first.title if first else "") if locked else None,
        "types": types, "pickers": pickers, "error": error, "values": values or {},
        "lessons": [x for u in course.units for x in u.lessons if x.id != lesson.id],
    }, status_code=status_code)


@router.get("/courses/{course_id}/lessons/{lesson_id}")
def lesson_page(request: Request, course_id: Id, lesson_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a lesson with its activities (and, for its teachers, the form to add one)."""
    course, lesson = lesson_of(db, user, course_id, lesson_id)
    return lesson_page_response(request, db, user, course, lesson)


@router.post("/courses/{course_id}/lessons/{lesson_id}/edit")
def edit_lesson(request: Request, course_id: Id, lesson_id: Id, db: DbSession, user: CurrentUser,
                form: Annotated[LessonForm, Form()]) -> Response:
    """Save a lesson's title, summary, dates and prerequisite."""
    course, lesson = lesson_of(db, user, course_id, lesson_id)
    try:
        service.update_lesson(db=db, actor=user, lesson_id=lesson.id, title=form.title, summary=form.summary,
                              opens_at=form_when(form.opens_at), closes_at=form_when(form.closes_at),
                              prerequisite_id=form_int(form.prerequisite_id))
    except Invalid as exc:
        db.rollback()
        course, lesson = lesson_of(db, user, course_id, lesson_id)
        return lesson_page_response(request, db, user, course, lesson, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}", status_code=303)


class ActivityForm(BaseModel):
    """An activity as the form sends it: its type, its title, and the one choice its type asks for."""

    type: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=400)
    instructions: str = Field(default="", max_length=20000)
    choice: str = Field(default="", max_length=12)
    completion: str = Field(default="", max_length=16)
    threshold: str = Field(default="", max_length=8)
    required: str = Field(default="", max_length=4)
    opens_at: str = Field(default="", max_length=40)
    closes_at: str = Field(default="", max_length=40)


def _threshold(value: str, completion: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid(BAD_FORM) from None
    return number / 100 if completion == "watched" and number > 1 else number  # "80" (%) or "0.8"


@router.post("/courses/{course_id}/lessons/{lesson_id}/activities")
def add_activity(request: Request, course_id: Id, lesson_id: Id, db: DbSession, user: CurrentUser,
                 form: Annotated[ActivityForm, Form()]) -> Response:
    """Add an activity of a registered type to a lesson."""
    course, lesson = lesson_of(db, user, course_id, lesson_id)
    types = activity_types(request)
    try:
        kind = types.get(form.type)
        settings = {kind.choice_key: form_int(form.choice)} if kind and kind.choice_key and form.choice else {}
        service.add_activity(db=db, actor=user, types=types, lesson_id=lesson.id, type=form.type, title=form.title,
                             instructions=form.instructions, settings=settings, completion=form.completion or None,
                             threshold=_threshold(form.threshold, form.completion), required=form.required != "0",
                             opens_at=form_when(form.opens_at), closes_at=form_when(form.closes_at))
    except (Invalid, NotFound) as exc:
        db.rollback()
        course, lesson = lesson_of(db, user, course_id, lesson_id)
        return lesson_page_response(request, db, user, course, lesson, error=exc.translated(), values=form.model_dump(),
                            status_code=exc.status_code if isinstance(exc, Invalid) else 422)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}?added=1", status_code=303)


@router.post("/courses/{course_id}/activities/{activity_id}/remove")
def remove_activity(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Delete an activity nobody has worked on yet."""
    activity = activity_of(db, user, course_id, activity_id)
    course, lesson = lesson_of(db, user, course_id, activity.lesson_id)
    try:
        service.remove_activity(db=db, actor=user, activity_id=activity.id)
    except Invalid as exc:
        db.rollback()
        return lesson_page_response(request, db, user, course, lesson, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}", status_code=303)


def activity_of(db: Session, user: User, course_id: int, activity_id: int) -> Activity:
    activity = service.get_activity(db=db, actor=user, activity_id=activity_id)
    if activity.course_id != course_id:
        raise NotFound(service.ACTIVITY_NOT_FOUND)
    return activity


@router.get("/courses/{course_id}/activities/{activity_id}")
def activity_page(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show one activity; a student's opening it is recorded ("viewed"), and may complete it."""
    intend_to_write()  # a GET that records an event
    activity = activity_of(db, user, course_id, activity_id)
    course, lesson = lesson_of(db, user, course_id, activity.lesson_id)
    kind = activity_types(request).get(activity.type)
    learner = permissions.can(user, "course.learn", course)
    recorded = None
    if learner:
        done = progress.completed_ids(db, course_id=course.id, user_id=user.id)
        reason = progress.why_locked(db, lesson, done)
        if reason is not None:
            first = db.get(Lesson, lesson.prerequisite_id) if lesson.prerequisite_id else None
            raise Forbidden(reason, title=first.title if first else "")
        recorded = progress.record(db=db, actor=user, activity_id=activity.id, verb="viewed")
    extra = kind.context(db=db, actor=user, activity=activity) if kind and kind.context else {}
    done = progress.completed_ids(db, course_id=course.id, user_id=user.id) if learner else set()
    siblings = lesson.activities
    index = next(i for i, a in enumerate(siblings) if a.id == activity.id)
    return render(request, "courses/activity.html", {
        **common_context(db), **extra, "course": course, "lesson": lesson, "activity": activity, "kind": kind,
        "learner": learner, "complete": activity.id in done, "just_completed": bool(recorded and recorded.completed_now),
        "next_activity": siblings[index + 1] if index + 1 < len(siblings) else None,
    })


class EventIn(BaseModel):
    """A learning event a page's script reports: watching progress of a video or audio."""

    verb: str = Field(max_length=16)
    progress: float | None = Field(default=None, ge=0, le=1)


@router.post("/courses/activities/{activity_id}/events")
def report_event(activity_id: Id, event: EventIn, db: DbSession, user: CurrentUser) -> Response:
    """Record a student's watching progress (sent by the player's script); answer whether it is complete."""
    if event.verb not in STUDENT_EVENTS:
        raise Invalid(progress.UNKNOWN_VERB)
    result = {"extensions": {progress.PROGRESS_KEY: round(event.progress, 3)}} if event.progress is not None else None
    recorded = progress.record(db=db, actor=user, activity_id=activity_id, verb=event.verb, result=result)
    return JSONResponse({"completed_now": recorded.completed_now})


# --- progress grid -----------------------------------------------------------------------------

@router.get("/courses/{course_id}/progress")
def progress_page(request: Request, course_id: Id, db: DbSession, user: CurrentUser,
                  class_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show a class's progress: students × lessons, who is behind."""
    grid = progress.class_grid(db=db, actor=user, course_id=course_id, class_id=class_id)
    classes: list[SchoolClass] = grid.course.classes
    return render(request, "courses/progress.html", {
        **common_context(db), "grid": grid, "course": grid.course, "classes": classes, "class_id": class_id,
    })


@router.get("/courses/{course_id}/statements.json")
def export_statements(course_id: Id, db: DbSession, user: CurrentUser,
                      class_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                      since: Annotated[str, Query(max_length=40)] = "",
                      until: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Download a course's learning record (a class, a period) as xAPI JSON, streamed."""
    rows = progress.export_rows(db=db, actor=user, course_id=course_id, class_id=class_id,
                                since=form_when(since), until=form_when(until))
    name = f"xapi-course-{course_id}" + (f"-class-{class_id}" if class_id else "") + ".json"
    return StreamingResponse(xapi.export_document(rows), media_type="application/json",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
