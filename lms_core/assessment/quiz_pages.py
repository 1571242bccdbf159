"""HTML routes of quizzes: a teacher adds one from the bank; a student starts, answers (each answer saved as they
go by quiz.js, or all at once by a plain "Save" that needs no JavaScript), reloads and finds every saved answer,
submits and reviews their attempts as the quiz allows; a teacher reads the class's results, opens one attempt
question by question (grading its essays and setting an answer's points there), grades essays, corrects a key and
reads item statistics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from lms_core import permissions
from lms_core.db import intend_to_write
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import User
from lms_core.assessment import attempt_review, grading, quiz
from lms_core.assessment.items import TYPE_LABELS, Item, QType
from lms_core.assessment.models import Question, QuestionVersion, QuizAnswer, QuizAttempt
from lms_core.assessment.render import render_question_text
from lms_core.courses import pages as course_pages
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from lms_core.i18n import N_
from lms_core.progress import service as progress
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
Id = course_pages.Id
REFUSALS = (Invalid, TooLarge, Conflict, Forbidden)
LETTERS = "abcdefghij"
_BLANK = re.compile(r"\{(\d+)\}")
BAD_NUMBER = N_("Write whole numbers for the time limit and the attempts, and points such as 1 or 0,5.")


async def form_data(request: Request) -> FormData:
    """Return the posted form (its field names depend on the questions, so no fixed model reads it)."""
    return await request.form()


Posted = Annotated[FormData, Depends(form_data)]


# --- answers between the form and the grader's shape ------------------------------------------------

def raw_answer(item: Item, slot: int, form: Any) -> Any:
    """Return a question's answer from the posted fields (q{slot}, q{slot}_{part}) in the grader's raw shape."""
    name = f"q{slot}"
    kind = item.type
    if kind == QType.multiple:
        return form.getlist(name)
    if kind == QType.tf_group:
        return {LETTERS[k]: form.get(f"{name}_{LETTERS[k]}") for k in range(len(item.statements))}
    if kind in (QType.matching, QType.cloze):
        count = len(item.pairs) if kind == QType.matching else len(item.blanks)
        return [form.get(f"{name}_{k}") for k in range(count)]
    if kind == QType.ordering:
        positions = [str(form.get(f"{name}_{k}") or "").strip() for k in range(len(item.order))]
        if not any(positions):
            return None
        if not all(p.isdecimal() for p in positions) or sorted(int(p) for p in positions) != list(range(1, len(positions) + 1)):
            raise Invalid(grading.NOT_AN_ORDER)
        order = [0] * len(positions)
        for k, p in enumerate(positions):
            order[int(p) - 1] = k
        return order
    return form.get(name)


def form_values(item: Item, slot: int, value: Any) -> dict[str, list[str]]:
    """Return a saved answer as the form fields that show it (the reverse of raw_answer)."""
    name = f"q{slot}"
    if value is None:
        return {}
    kind = item.type
    if kind == QType.multiple:
        return {name: [str(v) for v in value]}
    if kind == QType.tf_group:
        return {f"{name}_{LETTERS[k]}": ["true" if v else "false"] for k, v in enumerate(value) if v is not None}
    if kind in (QType.matching, QType.cloze):
        return {f"{name}_{k}": [str(v)] for k, v in enumerate(value) if v is not None}
    if kind == QType.ordering:
        return {f"{name}_{k}": [str(position + 1)] for position, k in enumerate(value)}
    return {name: [str(value)]}


@dataclass
class SlotView:
    """One question as the attempt shows it: its text, its parts in the attempt's order, the filled-in values."""

    slot: int
    number: int
    item: Item
    stem: Markup
    points: Decimal
    values: dict[str, list[str]]
    options: list[tuple[int, Markup]] = field(default_factory=list)      # choices: (index, text) in shown order
    statements: list[tuple[str, Markup]] = field(default_factory=list)  # tf_group: (letter, text)
    lefts: list[tuple[int, Markup]] = field(default_factory=list)       # matching
    rights: list[tuple[int, str]] = field(default_factory=list)         # matching: (pair index, text), shown order
    blanks: list[tuple[int, list[tuple[int, str]]]] = field(default_factory=list)  # cloze: options in shown order

    @property
    def name(self) -> str:
        """Return the field name of this question."""
        return f"q{self.slot}"

    def value(self, name: str) -> str:
        """Return the first filled-in value of a field."""
        return (self.values.get(name) or [""])[0]

    def on(self, name: str, value: Any) -> bool:
        """Return whether a choice of a field is filled in."""
        return str(value) in self.values.get(name, [])


def slot_views(db: Session, attempt: QuizAttempt, posted: Any = None) -> list[SlotView]:
    """Return the attempt's questions in its order, with saved answers (or the refused form's values) filled in."""
    views = []
    for number, (answer, entry, item) in enumerate(quiz.attempt_items(db, attempt), start=1):
        slot = answer.slot
        if posted is not None:
            values = {k: [str(v) for v in posted.getlist(k)] for k in posted.keys()
                      if k == f"q{slot}" or k.startswith(f"q{slot}_")}
        else:
            values = form_values(item, slot, answer.response)  # kept in the grader's shape
        stem = _BLANK.sub(r"(\1) ……", item.stem) if item.type == QType.cloze else item.stem
        view = SlotView(slot=slot, number=number, item=item, stem=render_question_text(stem),
                        points=Decimal(answer.max_points), values=values)
        order = entry.get("options")
        if item.type in (QType.single, QType.multiple, QType.true_false):
            shown = order or list(range(len(item.choices)))
            view.options = [(i, inline(render_question_text(item.choices[i].text))) for i in shown]
        elif item.type == QType.tf_group:
            view.statements = [(LETTERS[k], inline(render_question_text(s.text))) for k, s in enumerate(item.statements)]
        elif item.type == QType.matching:
            view.lefts = [(k, inline(render_question_text(p.left))) for k, p in enumerate(item.pairs)]
            view.rights = [(i, item.pairs[i].right) for i in (order or range(len(item.pairs)))]
        elif item.type == QType.ordering:
            view.options = [(i, inline(render_question_text(item.order[i]))) for i in (order or range(len(item.order)))]
        elif item.type == QType.cloze:
            view.blanks = [(k, [(i, b.options[i]) for i in (order[k] if order else range(len(b.options)))])
                           for k, b in enumerate(item.blanks)]
        views.append(view)
    return views


def number_text(value: Decimal | None) -> str:
    """Return points without trailing zeros (1.50 → 1.5, 2.00 → 2)."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def inline(html: Markup) -> Markup:
    """Return rendered text of one paragraph without its <p> (an option's text goes inside a label)."""
    text = str(html).strip()
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return Markup(text[3:-4])
    return Markup(text)


# --- the quiz inside its activity page -------------------------------------------------------------

def quiz_context(*, db: Session, actor: User, activity: Activity, posted: Any = None,
                 error: str | None = None) -> dict[str, Any]:
    """Return what the quiz part of the activity page shows: a student's attempt or start button, a teacher's links."""
    course = db.get(Course, activity.course_id)
    lesson = db.get(Lesson, activity.lesson_id)
    settings = quiz.settings_of(activity)
    learner = permissions.can(actor, "course.learn", course)
    may_edit = permissions.can(actor, "course.edit", course)
    now = utcnow()
    due = quiz.due_at(activity, lesson)
    data: dict[str, Any] = {
        "settings": settings, "count": len(settings.questions), "due": due, "error": error,
        "total": sum((q.points or Decimal(0) for q in settings.questions), Decimal(0)),
        "may_edit": may_edit, "learner": learner, "shown": quiz.results_shown(activity, lesson, now),
        "SHOW_LABELS": quiz.SHOW_LABELS, "current": None, "attempts": [], "slots": [], "num": number_text,
    }
    if learner:
        attempts = quiz.my_attempts(db=db, actor=actor, activity_id=activity.id, now=now)
        current = next((a for a in attempts if a.status == quiz.IN_PROGRESS), None)
        done = [a for a in attempts if a.status != quiz.IN_PROGRESS]
        data.update(current=current, attempts=done, attempts_left=settings.attempts - len(attempts),
                    may_start=current is None and len(attempts) < settings.attempts and not (due and now >= due),
                    closed=bool(due and now >= due), out_of_10=quiz.out_of_10)
        if current is not None:
            data["slots"] = slot_views(db, current, posted)
            data["deadline"] = current.deadline_at
            data["seconds_left"] = (max(0, int((current.deadline_at - now).total_seconds()))
                                    if current.deadline_at else None)
        if done and data["shown"]:
            data["review_key"] = attempt_review.key_shown_to_students(activity, lesson, now)
            data["review"] = attempt_review.answer_views(db, done[-1], activity, key=data["review_key"])
    if may_edit:
        data["waiting"] = len(quiz.grading_queue(db=db, actor=actor, activity_id=activity.id))
        data["started"] = len({a.student_id for a in db.scalars(select(QuizAttempt).where(
            QuizAttempt.activity_id == activity.id))})
    return {"quiz": data, "TYPE_LABELS": TYPE_LABELS, "LETTERS": LETTERS}


def _quiz_of(db: Session, user: User, course_id: int, activity_id: int) -> Activity:
    activity = course_pages.activity_of(db, user, course_id, activity_id)
    if activity.type != quiz.NAME:
        raise NotFound(quiz.NOT_A_QUIZ)
    return activity


def _activity_page(request: Request, db: Session, user: User, activity: Activity, *, error: str,
                   status_code: int, posted: Any = None) -> Response:
    """Render the activity page again with a refusal above the quiz (and the refused answers kept in the form)."""
    db.expire_all()
    course, lesson = course_pages.lesson_of(db, user, activity.course_id, activity.lesson_id)
    learner = permissions.can(user, "course.learn", course)
    done = progress.completed_ids(db, course_id=course.id, user_id=user.id) if learner else set()
    siblings = lesson.activities
    index = next(i for i, a in enumerate(siblings) if a.id == activity.id)
    return render(request, "courses/activity.html", {
        **course_pages.common_context(db), **quiz_context(db=db, actor=user, activity=activity, posted=posted,
                                                            error=error),
        "course": course, "lesson": lesson, "activity": activity, "learner": learner,
        "kind": course_pages.activity_types(request).get(activity.type), "complete": activity.id in done,
        "just_completed": False, "next_activity": siblings[index + 1] if index + 1 < len(siblings) else None,
    }, status_code=status_code)


# --- adding a quiz -------------------------------------------------------------------------------

def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(BAD_NUMBER) from None
    if not value.is_finite():
        raise Invalid(BAD_NUMBER)
    return value


def _whole(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdecimal() or len(text) > 6:
        raise Invalid(BAD_NUMBER)
    return int(text)


class QuizForm(BaseModel):
    """A new quiz as its form sends it: the chosen questions, their points, and the quiz's rules."""

    title: str = Field(default="", max_length=400)
    instructions: str = Field(default="", max_length=20000)
    question_id: list[str] = Field(default_factory=list, max_length=quiz.MAX_QUESTIONS)
    row_id: list[str] = Field(default_factory=list, max_length=1000)    # every listed question, with …
    row_points: list[str] = Field(default_factory=list, max_length=1000)  # … its points, in the same order
    time_limit: str = Field(default="", max_length=8)
    attempts: str = Field(default="1", max_length=8)
    shuffle_questions: str = Field(default="", max_length=4)
    shuffle_options: str = Field(default="", max_length=4)
    partial_multiple: str = Field(default="", max_length=4)
    show: str = Field(default="after_submit", max_length=16)
    completion: str = Field(default="passed", max_length=16)
    threshold: str = Field(default="", max_length=8)
    required: str = Field(default="", max_length=4)
    opens_at: str = Field(default="", max_length=40)
    closes_at: str = Field(default="", max_length=40)


def _quiz_settings(form: QuizForm) -> dict[str, Any]:
    points = {row: value for row, value in zip(form.row_id, form.row_points, strict=False)}
    questions = []
    for raw in form.question_id:
        qid = course_pages.form_int(raw)
        if qid is not None:
            given = _decimal(points.get(raw, ""))
            questions.append({"question_id": qid, **({"points": str(given)} if given is not None else {})})
    return {"questions": questions, "time_limit": _whole(form.time_limit), "attempts": _whole(form.attempts) or 1,
            "shuffle_questions": form.shuffle_questions == "1", "shuffle_options": form.shuffle_options == "1",
            "partial_multiple": form.partial_multiple == "1", "show": form.show}


@router.post("/courses/{course_id}/lessons/{lesson_id}/quizzes")
def add_quiz(request: Request, course_id: Id, lesson_id: Id, db: DbSession, user: CurrentUser,
             form: Annotated[QuizForm, Form()]) -> Response:
    """Add a quiz of bank questions to a lesson; a refusal shows the lesson again with the form kept."""
    course, lesson = course_pages.lesson_of(db, user, course_id, lesson_id)
    try:
        threshold = _decimal(form.threshold) if form.completion == "passed" else None
        courses.add_activity(db=db, actor=user, types=course_pages.activity_types(request), lesson_id=lesson.id,
                             type=quiz.NAME, title=form.title, instructions=form.instructions,
                             settings=_quiz_settings(form), completion=form.completion or None,
                             threshold=float(threshold) if threshold is not None else None,
                             required=form.required != "0", opens_at=course_pages.form_when(form.opens_at),
                             closes_at=course_pages.form_when(form.closes_at))
    except (Invalid, NotFound) as exc:
        db.rollback()
        course, lesson = course_pages.lesson_of(db, user, course_id, lesson_id)
        return course_pages.lesson_page_response(request, db, user, course, lesson, error=exc.translated(),
                                                 values={**form.model_dump(), "type": quiz.NAME},
                                                 status_code=exc.status_code if isinstance(exc, Invalid) else 422)
    return RedirectResponse(f"/courses/{course.id}/lessons/{lesson.id}?added=1", status_code=303)


# --- a student's attempt -------------------------------------------------------------------------

@router.post("/courses/{course_id}/activities/{activity_id}/quiz/start")
def start(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Start an attempt (or go back to the one in progress)."""
    activity = _quiz_of(db, user, course_id, activity_id)
    try:
        quiz.start(db=db, actor=user, activity_id=activity.id)
    except REFUSALS as exc:
        db.rollback()
        return _activity_page(request, db, user, activity, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity_id}#quiz", status_code=303)


def _posted_answers(db: Session, attempt: QuizAttempt, form: Any, slot: int | None = None) -> dict[int, Any]:
    """Return the posted answers of an attempt's questions (or of one), numbered errors for malformed ones."""
    answers = {}
    for number, (answer, _, item) in enumerate(quiz.attempt_items(db, attempt), start=1):
        if slot is not None and answer.slot != slot:
            continue
        try:
            answers[answer.slot] = raw_answer(item, answer.slot, form)
        except Invalid as exc:
            raise Invalid(quiz.ANSWER_IN_QUESTION, number=number, problem=exc.translated()) from None
    return answers


@router.post("/courses/{course_id}/quiz-attempts/{attempt_id}")
def save_or_submit(request: Request, course_id: Id, attempt_id: Id, db: DbSession, user: CurrentUser,
                   form: Posted) -> Response:
    """Save every answer of the form (no JavaScript needed) and, when asked, submit the attempt."""
    attempt, activity = quiz.own_attempt(db, user, attempt_id)
    if activity.course_id != course_id:
        raise NotFound(quiz.ATTEMPT_NOT_FOUND)
    action = form.get("action")
    try:
        if attempt.status == quiz.IN_PROGRESS:
            quiz.save_answers(db=db, actor=user, attempt_id=attempt.id, answers=_posted_answers(db, attempt, form))
        if action == "submit":
            quiz.submit(db=db, actor=user, attempt_id=attempt.id)
        elif attempt.status != quiz.IN_PROGRESS:
            raise Conflict(quiz.ALREADY_SUBMITTED)
    except REFUSALS as exc:
        db.rollback()
        keep = form if isinstance(exc, Invalid) and exc.message == quiz.ANSWER_IN_QUESTION else None
        return _activity_page(request, db, user, activity, error=exc.translated(), status_code=exc.status_code,
                              posted=keep)
    done = "submitted" if action == "submit" else "saved"
    return RedirectResponse(f"/courses/{course_id}/activities/{activity.id}?{done}=1#quiz", status_code=303)


@router.post("/courses/{course_id}/quiz-attempts/{attempt_id}/answers/{slot}")
def save_one(course_id: Id, attempt_id: Id, slot: Annotated[int, Path(ge=0, le=quiz.MAX_QUESTIONS)],
             db: DbSession, user: CurrentUser, form: Posted) -> Response:
    """Save one answer as the student goes (quiz.js); answer JSON: saved, or the refusal's message."""
    try:
        attempt, activity = quiz.own_attempt(db, user, attempt_id)
        if activity.course_id != course_id:
            raise NotFound(quiz.ATTEMPT_NOT_FOUND)
        answers = _posted_answers(db, attempt, form, slot)
        if not answers:
            raise Invalid(quiz.NO_SUCH_QUESTION, number=slot + 1)
        quiz.save_answers(db=db, actor=user, attempt_id=attempt.id, answers=answers)
    except (*REFUSALS, NotFound) as exc:
        db.rollback()
        return JSONResponse({"saved": False, "message": exc.translated()}, status_code=exc.status_code)
    return JSONResponse({"saved": True, "at": local_time(utcnow())})


# --- a teacher's side ----------------------------------------------------------------------------

def _teacher_page(request: Request, db: Session, user: User, activity: Activity, template: str,
                  extra: dict[str, Any], status_code: int = 200) -> Response:
    course = db.get(Course, activity.course_id)
    permissions.require(user, "course.edit", course)
    return render(request, template, {**course_pages.common_context(db), "course": course, "activity": activity,
                                      **extra}, status_code=status_code)


def _newer_versions(db: Session, activity: Activity) -> list[tuple[Question, QuestionVersion, QuestionVersion]]:
    """Return, per quiz question with a newer version in the bank, (question, pinned version, newest version)."""
    out = []
    for chosen in quiz.settings_of(activity).questions:
        question = db.get(Question, chosen.question_id)
        pinned = db.get(QuestionVersion, chosen.version_id)
        newest = db.get(QuestionVersion, question.current_version_id) if question.current_version_id else None
        if newest is not None and newest.number > pinned.number:
            out.append((question, pinned, newest))
    return out


def _results_page(request: Request, db: Session, user: User, activity: Activity, class_id: int | None, *,
                  error: str | None = None, status_code: int = 200) -> Response:
    lines = quiz.results(db=db, actor=user, activity_id=activity.id, class_id=class_id)
    course = db.get(Course, activity.course_id)
    return _teacher_page(request, db, user, activity, "assessment/quiz_results.html", {
        "lines": lines, "class_id": class_id, "classes": course.classes, "out_of_10": quiz.out_of_10,
        "newer": _newer_versions(db, activity), "settings": quiz.settings_of(activity), "error": error,
        "regraded": request.query_params.get("regraded"), "local_time": local_time,
    }, status_code)


@router.get("/courses/{course_id}/activities/{activity_id}/quiz/results")
def results_page(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
                 class_id: Annotated[int | None, Query(ge=1, le=course_pages.MAX_ID)] = None) -> Response:
    """Show each student of a class with their attempts, best score out of 10, and what waits for grading."""
    intend_to_write()  # expired attempts are submitted when the results are read
    activity = _quiz_of(db, user, course_id, activity_id)
    return _results_page(request, db, user, activity, class_id)


@router.post("/courses/{course_id}/activities/{activity_id}/quiz/regrade")
def regrade(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser,
            choice: Annotated[str, Form(max_length=30)] = "") -> Response:
    """Re-score every answer to a question with its corrected newer version."""
    activity = _quiz_of(db, user, course_id, activity_id)
    try:
        question_id, _, version_id = choice.partition(":")
        qid, vid = course_pages.form_int(question_id), course_pages.form_int(version_id)
        if qid is None or vid is None:
            raise Invalid(quiz.NOT_IN_QUIZ)
        note = quiz.regrade(db=db, actor=user, activity_id=activity.id, question_id=qid, version_id=vid)
    except Invalid as exc:
        db.rollback()
        return _results_page(request, db, user, activity, None, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity.id}/quiz/results?regraded={note.answers}",
                            status_code=303)


def _grading_page(request: Request, db: Session, user: User, activity: Activity, *, error: str | None = None,
                  error_for: int | None = None, status_code: int = 200) -> Response:
    queue = quiz.grading_queue(db=db, actor=user, activity_id=activity.id)
    names = {u.id: u for u in db.scalars(select(User).where(User.id.in_({a.student_id for a, _, _ in queue})))}
    return _teacher_page(request, db, user, activity, "assessment/quiz_grading.html", {
        "queue": [(a, ans, item, names[a.student_id], render_question_text(item.stem)) for a, ans, item in queue],
        "error": error, "error_for": error_for, "graded": request.query_params.get("graded"),
    }, status_code)


@router.get("/courses/{course_id}/activities/{activity_id}/quiz/grading")
def grading_page(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show the essay answers waiting for the teacher, each with a form for its points and feedback."""
    return _grading_page(request, db, user, _quiz_of(db, user, course_id, activity_id))


@router.post("/courses/{course_id}/quiz-answers/{answer_id}/grade")
def grade_essay(request: Request, course_id: Id, answer_id: Id, db: DbSession, user: CurrentUser,
                points: Annotated[list[str] | None, Form(max_length=20)] = None,
                feedback: Annotated[str, Form(max_length=20_000)] = "",
                back: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Give an essay answer its points (per rubric criterion, or in all) and feedback, from the grading queue or
    from the attempt's own page (back=attempt), which the teacher then sees again."""
    answer = db.get(QuizAnswer, answer_id)
    if answer is None:
        raise NotFound(quiz.ANSWER_NOT_FOUND)
    attempt, activity = quiz.teacher_attempt(db=db, actor=user, attempt_id=answer.attempt_id)
    if activity.course_id != course_id:
        raise NotFound(quiz.ANSWER_NOT_FOUND)
    from_attempt = back == "attempt"
    try:
        quiz.grade_essay(db=db, actor=user, answer_id=answer.id, points=[p for p in points or []], feedback=feedback)
    except (Invalid, TooLarge) as exc:
        db.rollback()
        if from_attempt:
            return _attempt_page(request, db, user, course_id, attempt.id, error=exc.translated(),
                                 error_for=answer.slot, status_code=exc.status_code)
        return _grading_page(request, db, user, activity, error=exc.translated(), error_for=answer.id,
                             status_code=exc.status_code)
    if from_attempt:
        return RedirectResponse(f"{_attempt_url(course_id, attempt.id)}?graded=1#answer-{answer.slot}",
                                status_code=303)
    return RedirectResponse(f"/courses/{course_id}/activities/{activity.id}/quiz/grading?graded=1", status_code=303)


# --- one attempt, question by question -------------------------------------------------------------

def _attempt_url(course_id: int, attempt_id: int) -> str:
    return f"/courses/{course_id}/quiz-attempts/{attempt_id}/review"


def _attempt_page(request: Request, db: Session, user: User, course_id: int, attempt_id: int, *,
                  error: str | None = None, error_for: int | None = None, status_code: int = 200) -> Response:
    """Render an attempt for a teacher of its course (with the grading forms) or for its own student."""
    db.expire_all()
    review = attempt_review.open_review(db=db, actor=user, attempt_id=attempt_id)
    if review.course.id != course_id:
        raise NotFound(quiz.ATTEMPT_NOT_FOUND)
    return render(request, "assessment/quiz_attempt.html", {
        **course_pages.common_context(db), "r": review, "num": number_text, "error": error, "error_for": error_for,
        "saved": request.query_params.get("saved"), "graded": request.query_params.get("graded"),
    }, status_code=status_code)


@router.get("/courses/{course_id}/quiz-attempts/{attempt_id}/review")
def attempt_page(request: Request, course_id: Id, attempt_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show one attempt question by question: to a teacher of the course with the key and grading forms, to its
    student as far as the quiz shows results; anyone else reads "not found"."""
    intend_to_write()  # an attempt whose time ran out is submitted when it is read
    return _attempt_page(request, db, user, course_id, attempt_id)


@router.post("/courses/{course_id}/quiz-attempts/{attempt_id}/points")
def set_points(request: Request, course_id: Id, attempt_id: Id, db: DbSession, user: CurrentUser,
               slot: Annotated[str, Form(max_length=8)] = "", points: Annotated[str, Form(max_length=40)] = "",
               feedback: Annotated[str, Form(max_length=20_000)] = "",
               action: Annotated[str, Form(max_length=8)] = "set") -> Response:
    """Set the points of an automatically scored answer (or give it back the key's points) and its feedback."""
    attempt, activity = quiz.teacher_attempt(db=db, actor=user, attempt_id=attempt_id)
    if activity.course_id != course_id:
        raise NotFound(quiz.ATTEMPT_NOT_FOUND)
    number = slot.strip()
    index = int(number) if number.isdecimal() else None
    try:
        if index is None:
            raise Invalid(quiz.NO_SUCH_QUESTION, number=number[:8] or "?")
        attempt_review.set_points(db=db, actor=user, attempt_id=attempt.id, slot=index,
                                  points=None if action == "auto" else points, feedback=feedback)
    except (Invalid, TooLarge) as exc:
        db.rollback()
        known = index is not None and any(a.slot == index for a in attempt.answers)
        return _attempt_page(request, db, user, course_id, attempt.id, error=exc.translated(),
                             error_for=index if known else None, status_code=exc.status_code)
    return RedirectResponse(f"{_attempt_url(course_id, attempt.id)}?saved=1#answer-{index}", status_code=303)


@router.get("/courses/{course_id}/activities/{activity_id}/quiz/statistics")
def statistics_page(request: Request, course_id: Id, activity_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show each question's difficulty index, discrimination and point-biserial correlation."""
    activity = _quiz_of(db, user, course_id, activity_id)
    rows = quiz.statistics(db=db, actor=user, activity_id=activity.id)
    return _teacher_page(request, db, user, activity, "assessment/quiz_statistics.html", {
        "rows": rows, "attempts": max((r.stats.count for r in rows if r.stats), default=0)})
