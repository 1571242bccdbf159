"""The quiz activity: questions from the bank pinned to their versions, attempts that survive a reload, grading.

A student starts an attempt (the question order and option orders are fixed then, and the clock starts: the
deadline is the start plus the time limit, never later than the activity's closing date), saves answers as they
go (each checked by grading.parse_response), and submits; an attempt whose time ran out is submitted the next time
anyone touches it. Submitting grades every answer but essays, which wait in the teacher's queue; once nothing waits
the attempt is scored (out of 10) and a "scored" statement is recorded, so the "passed" completion rule works.
A teacher can correct a key: every answer to the old version is re-scored with the new version, and a note kept.

The gradebook takes a student's best graded attempt: each attempt is a fresh try at the same questions that the
teacher allowed, nothing a teacher judged is replaced, so the best shows what the student reached (an assignment's
latest graded attempt is used instead, because a resubmission replaces the work it improves on)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.assessment import grading
from lms_core.assessment import rules  # noqa: F401 (registers question.view)
from lms_core.assessment.data import from_data
from lms_core.assessment.items import Item, QType, check
from lms_core.assessment.models import Question, QuestionVersion, QuizAnswer, QuizAttempt
from lms_core.assessment.render import plain_text
from lms_core.assessment.statistics import AttemptScores, ItemStats, item_statistics
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Completion, Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.plugins.types import ActivityType
from lms_core.progress import service as progress
from lms_core.text import nfc

NAME = "quiz"
MAX_QUESTIONS, MAX_ATTEMPTS, MAX_MINUTES, MAX_ID = 200, 20, 600, 2_147_483_647
GRACE = timedelta(seconds=30)  # a save or submit sent just before the deadline may arrive a little after it
SHOW = ("after_submit", "after_close", "never")
SHOW_LABELS = {"after_submit": N_("After each submission"), "after_close": N_("After the closing date"),
               "never": N_("Never")}
IN_PROGRESS, SUBMITTED, GRADED = "in_progress", "submitted", "graded"

BAD_SETTINGS = N_("The settings of this quiz are not valid.")
NO_QUESTIONS = N_("Choose at least one question from the bank.")
QUESTION_TWICE = N_("A question is chosen twice.")
QUESTION_UNKNOWN = N_("A chosen question does not exist or you may not use it.")
QUESTION_UNSOUND = N_("The question “{title}” cannot be used yet: {problem}")
NOT_A_QUIZ = N_("This activity is not a quiz.")
ATTEMPT_NOT_FOUND = N_("This attempt does not exist.")
ANSWER_NOT_FOUND = N_("This answer does not exist.")
NOT_OPEN = N_("This quiz is not open yet.")
CLOSED = N_("This quiz is closed.")
NO_ATTEMPTS_LEFT = N_("You have used all {max} attempts this quiz allows.")
NO_SUCH_QUESTION = N_("This attempt has no question {number}.")
TIME_UP = N_("The time for this attempt is up: your saved answers were submitted.")
ALREADY_SUBMITTED = N_("This attempt has already been submitted.")
STARTED_TWICE = N_("The quiz was started twice at the same moment; reload the page.")
ANSWER_IN_QUESTION = N_("Question {number}: {problem}")
NOT_AN_ESSAY_TO_GRADE = N_("This answer is not an essay waiting for grading.")
NOT_IN_QUIZ = N_("This question is not in the quiz.")
NOT_NEWER = N_("Choose a newer version of the question than the one the quiz asks.")
REGRADE_SHAPE = N_("The new version must be the same kind of question with the same number of options, "
                   "statements, pairs, items or blanks, so that the answers given still mean the same.")
REGRADE_ESSAY = N_("Essays are graded by hand: there is no key to correct.")


# --- settings ------------------------------------------------------------------------------------

class QuizQuestion(BaseModel):
    """A question of the quiz, the version it asks (pinned when the quiz is made) and its points."""

    model_config = ConfigDict(extra="forbid")
    question_id: int = Field(ge=1, le=MAX_ID)
    version_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    points: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=2)


class RegradeNote(BaseModel):
    """What a key correction did: which question, from which version to which, by whom, how many answers."""

    question_id: int
    from_version: int
    to_version: int
    by_id: int
    at: datetime
    answers: int = 0
    attempts_changed: int = 0


class QuizSettings(BaseModel):
    """The questions, time limit, attempts, shuffling, when results are shown, and the key corrections made."""

    model_config = ConfigDict(extra="ignore")
    questions: list[QuizQuestion] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    time_limit: int | None = Field(default=None, ge=1, le=MAX_MINUTES)  # minutes
    attempts: int = Field(default=1, ge=1, le=MAX_ATTEMPTS)
    shuffle_questions: bool = False
    shuffle_options: bool = False
    show: Literal["after_submit", "after_close", "never"] = "after_submit"
    partial_multiple: bool = False
    regrades: list[RegradeNote] = Field(default_factory=list, max_length=1000)
    saved_exam_id: int | None = Field(default=None, ge=1, le=MAX_ID)  # the saved exam it was made from, if any


def settings_of(activity: Activity) -> QuizSettings:
    """Return a quiz activity's settings."""
    return QuizSettings.model_validate(activity.settings or {})


def _title(question: Question, item: Item) -> str:
    return question.title or plain_text(item.stem)[:80] or f"#{question.id}"


def usable_questions(*, db: Session, actor: User, course: Course, limit: int = 500) -> list[Question]:
    """Return the bank questions the actor may put in a quiz of this course (its subject and grade), newest first."""
    return list(db.scalars(select(Question).where(
        permissions.visible(actor, "question.view"), Question.archived.is_(False),
        Question.current_version_id.is_not(None), Question.subject_id == course.subject_id,
        Question.grade == course.grade).order_by(Question.updated_at.desc(), Question.id.desc()).limit(limit)))


def prepare(*, db: Session, actor: User, course: Course, settings: dict[str, Any]) -> dict[str, Any]:
    """Return a new quiz's settings with each question checked (the actor may view it, it is sound) and pinned."""
    try:
        values = QuizSettings.model_validate(settings)
    except ValidationError:
        raise Invalid(BAD_SETTINGS) from None
    if not values.questions:
        raise Invalid(NO_QUESTIONS)
    ids = [q.question_id for q in values.questions]
    if len(set(ids)) != len(ids):
        raise Invalid(QUESTION_TWICE)
    found = {q.id: q for q in db.scalars(select(Question).where(Question.id.in_(ids)))}
    for chosen in values.questions:
        question = found.get(chosen.question_id)
        # an archived question is out of the bank's lists, but a version drawn earlier (a saved exam's) still serves
        if (question is None or (question.archived and chosen.version_id is None) or question.current_version_id is None
                or not permissions.can(actor, "question.view", question)):
            raise Invalid(QUESTION_UNKNOWN)
        version = _pinned(db, actor, question, chosen.version_id)
        item = from_data(version.data)
        problems = check(item)
        if problems:
            raise Invalid(QUESTION_UNSOUND, title=_title(question, item), problem=problems[0])
        chosen.version_id = version.id
        chosen.points = chosen.points if chosen.points is not None else item.points
    values.regrades = []
    if values.saved_exam_id is not None:
        from lms_core.assessment.models import SavedExam

        exam = db.get(SavedExam, values.saved_exam_id)
        if exam is None or exam.owner_id != actor.id:
            raise Invalid(BAD_SETTINGS)
    return values.model_dump(mode="json")


def _pinned(db: Session, actor: User, question: Question, version_id: int | None) -> QuestionVersion:
    """Return the version a new quiz asks: the one chosen (a saved exam's, drawn earlier), else the current one."""
    current = db.get(QuestionVersion, question.current_version_id)
    if version_id is None or version_id == current.id:
        return current
    version = db.get(QuestionVersion, version_id)
    # never a version newer than the current one, unless the author's own: a change waiting for review
    if version is None or version.question_id != question.id or (
            version.number > current.number and question.owner_id != actor.id):
        raise Invalid(QUESTION_UNKNOWN)
    return version


# --- loading -------------------------------------------------------------------------------------

def _quiz(db: Session, actor: User, activity_id: int) -> tuple[Activity, Course]:
    activity = courses.get_activity(db=db, actor=actor, activity_id=activity_id)
    if activity.type != NAME:
        raise NotFound(NOT_A_QUIZ)
    return activity, db.get(Course, activity.course_id)


def _teacher_quiz(db: Session, actor: User, activity_id: int) -> tuple[Activity, Course]:
    activity, course = _quiz(db, actor, activity_id)
    permissions.require(actor, "course.edit", course)
    return activity, course


def items_of(db: Session, version_ids: Iterable[int]) -> dict[int, Item]:
    """Return the questions of stored versions, by version id, in one query."""
    ids = set(version_ids)
    if not ids:
        return {}
    return {v.id: from_data(v.data) for v in db.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}


def due_at(activity: Activity, lesson: Lesson) -> datetime | None:
    """Return when the quiz closes: its own closing date, else its lesson's (None: never)."""
    from lms_core.courses.assignments import due_at as closing

    return closing(activity, lesson)


def due_at_aware(when: datetime) -> datetime:
    """Return a stored time as an aware UTC time (SQLite keeps no zone)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def out_of_10(attempt: QuizAttempt) -> Decimal | None:
    """Return a graded attempt's score out of 10 (one decimal), None while something waits for grading."""
    if attempt.status != GRADED or attempt.score is None or not attempt.max_score:
        return None
    return grading.score_out_of_10(Decimal(attempt.score), Decimal(attempt.max_score))


def results_shown(activity: Activity, lesson: Lesson, now: datetime | None = None) -> bool:
    """Return whether students may see their scores and feedback now (after submitting, after closing, never)."""
    show = settings_of(activity).show
    if show == "after_submit":
        return True
    due = due_at(activity, lesson)
    return show == "after_close" and due is not None and (now or utcnow()) > due


# --- the clock and finishing ---------------------------------------------------------------------

def _expired(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.status == IN_PROGRESS and attempt.deadline_at is not None and now > attempt.deadline_at + GRACE


def _record(db: Session, actor: User, activity: Activity, student_id: int, verb: str,
            result: dict[str, Any] | None = None, when: datetime | None = None) -> None:
    student = None if student_id == actor.id else db.get(User, student_id)
    progress.record(db=db, actor=actor, activity_id=activity.id, verb=verb, result=result, student=student,
                    commit=False, when=when)


def _scored(db: Session, actor: User, activity: Activity, attempt: QuizAttempt, when: datetime | None = None) -> None:
    """Record the attempt's score out of 10 (and success against the pass mark) as a "scored" statement."""
    score = out_of_10(attempt)
    if score is None:
        return
    result: dict[str, Any] = {"score": {"raw": float(score), "min": 0, "max": 10, "scaled": float(score) / 10}}
    if activity.completion == Completion.passed or activity.threshold is not None:
        mark = Decimal(str(activity.threshold if activity.threshold is not None else 5))
        result["success"] = score >= mark
    _record(db, actor, activity, attempt.student_id, "scored", result, when)


def _grade_answer(item: Item, answer: QuizAnswer, settings: QuizSettings) -> None:
    """Score one answer with its question (essays answered wait for the teacher; unanswered ones get 0)."""
    points = Decimal(answer.max_points)
    if item.type == QType.essay:
        answer.points = Decimal("0.00") if answer.response in (None, "") else None
        return
    scored = dataclasses.replace(item, points=points)
    answer.points = grading.grade(scored, grading.parse_response(scored, answer.response),
                                  partial_multiple=settings.partial_multiple).points


def _total(attempt: QuizAttempt) -> None:
    """Set an attempt's total and status from its answers: graded once no answer waits for the teacher."""
    if any(a.points is None for a in attempt.answers):
        attempt.status, attempt.score = SUBMITTED, None
    else:
        attempt.status = GRADED
        attempt.score = sum((Decimal(a.points) for a in attempt.answers), Decimal(0))
    attempt.max_score = sum((Decimal(a.max_points) for a in attempt.answers), Decimal(0))


def _finish(db: Session, actor: User, activity: Activity, attempt: QuizAttempt, when: datetime) -> None:
    """Submit an attempt (the caller commits): grade it, record "submitted" and, when fully graded, "scored"."""
    settings = settings_of(activity)
    items = items_of(db, (a.question_version_id for a in attempt.answers))
    for answer in attempt.answers:
        _grade_answer(items[answer.question_version_id], answer, settings)
    attempt.submitted_at = when
    _total(attempt)
    db.flush()
    _record(db, actor, activity, attempt.student_id, "submitted", when=when)
    _scored(db, actor, activity, attempt, when)


def _expire(db: Session, actor: User, activity: Activity, attempts: Iterable[QuizAttempt], now: datetime) -> int:
    """Submit the attempts whose time ran out (at their deadline) and commit; return how many."""
    done = 0
    try:
        for attempt in attempts:
            if _expired(attempt, now):
                _finish(db, actor, activity, attempt, attempt.deadline_at)
                done += 1
        if done:
            db.commit()
    except BaseException:
        db.rollback()
        raise
    return done


# --- a student's side ----------------------------------------------------------------------------

def my_attempts(*, db: Session, actor: User, activity_id: int, now: datetime | None = None) -> list[QuizAttempt]:
    """Return the actor's attempts at a quiz, first to last, after submitting one whose time ran out."""
    activity, _ = _quiz(db, actor, activity_id)
    attempts = list(db.scalars(select(QuizAttempt).where(QuizAttempt.activity_id == activity.id,
                                                         QuizAttempt.student_id == actor.id)
                               .order_by(QuizAttempt.number)))
    _expire(db, actor, activity, attempts, now or utcnow())
    return attempts


def _layout(items: list[tuple[QuizQuestion, Item]], settings: QuizSettings) -> list[dict[str, Any]]:
    """Return the slots of a new attempt: question, version, points and the order options are shown in."""
    rng = secrets.SystemRandom()

    def shuffled(count: int) -> list[int]:
        order = list(range(count))
        rng.shuffle(order)
        return order

    slots = []
    for chosen, item in items:
        options: Any = None
        if item.type in (QType.single, QType.multiple):
            options = shuffled(len(item.choices)) if settings.shuffle_options else list(range(len(item.choices)))
        elif item.type == QType.matching:
            options = shuffled(len(item.pairs))  # the right column, else every answer would be "in order"
        elif item.type == QType.ordering:
            options = shuffled(len(item.order))
        elif item.type == QType.cloze:
            options = [shuffled(len(b.options)) for b in item.blanks]  # the first option is the key
        slots.append({"question_id": chosen.question_id, "version_id": chosen.version_id,
                      "points": str(chosen.points), "options": options})
    if settings.shuffle_questions:
        rng.shuffle(slots)
    return slots


def start(*, db: Session, actor: User, activity_id: int, now: datetime | None = None) -> QuizAttempt:
    """Return the actor's attempt in progress, or start a new one (order fixed, clock running)."""
    activity, course = _quiz(db, actor, activity_id)
    if not permissions.can(actor, "course.learn", course):
        raise Forbidden(progress.NOT_A_STUDENT)
    now = now or utcnow()
    lesson = db.get(Lesson, activity.lesson_id)
    locked = progress.why_locked(db, lesson, progress.completed_ids(db, course_id=course.id, user_id=actor.id), now)
    if locked is not None:
        first = db.get(Lesson, lesson.prerequisite_id) if lesson.prerequisite_id else None
        raise Forbidden(locked, title=first.title if first else "")
    if activity.opens_at and due_at_aware(activity.opens_at) > now:
        raise Forbidden(NOT_OPEN)
    attempts = my_attempts(db=db, actor=actor, activity_id=activity.id, now=now)
    current = next((a for a in attempts if a.status == IN_PROGRESS), None)
    if current is not None:
        return current
    due = due_at(activity, lesson)
    if due is not None and now >= due:
        raise Invalid(CLOSED)
    settings = settings_of(activity)
    if len(attempts) >= settings.attempts:
        raise Invalid(NO_ATTEMPTS_LEFT, max=settings.attempts)
    items = items_of(db, (q.version_id for q in settings.questions))
    slots = _layout([(q, items[q.version_id]) for q in settings.questions], settings)
    ends = [t for t in (now + timedelta(minutes=settings.time_limit) if settings.time_limit else None, due) if t]
    attempt = QuizAttempt(activity_id=activity.id, student_id=actor.id, number=len(attempts) + 1, layout=slots,
                          started_at=now, deadline_at=min(ends) if ends else None, status=IN_PROGRESS)
    attempt.answers = [QuizAnswer(slot=i, question_version_id=s["version_id"], response=None, saved_at=now,
                                  max_points=Decimal(s["points"])) for i, s in enumerate(slots)]
    try:
        db.add(attempt)
        db.flush()
        _record(db, actor, activity, actor.id, "attempted", when=now)
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict(STARTED_TWICE) from None
    except BaseException:
        db.rollback()
        raise
    return attempt


def own_attempt(db: Session, actor: User, attempt_id: int) -> tuple[QuizAttempt, Activity]:
    """Return one of the actor's own attempts and its quiz; anyone else's reads "not found"."""
    attempt = db.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.student_id != actor.id:
        raise NotFound(ATTEMPT_NOT_FOUND)
    activity, _ = _quiz(db, actor, attempt.activity_id)
    return attempt, activity


def _open_attempt(db: Session, actor: User, attempt_id: int, now: datetime) -> tuple[QuizAttempt, Activity]:
    """Return the actor's attempt still open for answers; one whose time ran out is submitted, then refused."""
    attempt, activity = own_attempt(db, actor, attempt_id)
    db.refresh(attempt, with_for_update=True)  # one writer per attempt (PostgreSQL locks the row)
    if attempt.status != IN_PROGRESS:
        raise Conflict(ALREADY_SUBMITTED)
    if _expired(attempt, now):
        _expire(db, actor, activity, [attempt], now)
        raise Invalid(TIME_UP)
    return attempt, activity


def _stored(item: Item, raw: Any) -> Any:
    """Return an answer checked by the grader, in the JSON it is kept as (and read back by parse_response)."""
    response = grading.parse_response(item, raw)
    value = response.value
    if value is None:
        return None
    if item.type == QType.numeric:
        return " ".join(raw.split()) if isinstance(raw, str) else str(value)  # as typed: "0,5" stays "0,5"
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def save_answers(*, db: Session, actor: User, attempt_id: int, answers: dict[int, Any],
                 now: datetime | None = None) -> QuizAttempt:
    """Save the actor's answers to some questions of their attempt (slot → raw answer); all or none."""
    now = now or utcnow()
    attempt, _ = _open_attempt(db, actor, attempt_id, now)
    by_slot = {a.slot: a for a in attempt.answers}
    items = items_of(db, (a.question_version_id for a in attempt.answers))
    checked = {}
    for slot, raw in sorted(answers.items()):
        answer = by_slot.get(slot)
        if answer is None:
            raise Invalid(NO_SUCH_QUESTION, number=slot + 1)
        try:
            checked[slot] = _stored(items[answer.question_version_id], raw)
        except Invalid as exc:
            raise Invalid(ANSWER_IN_QUESTION, number=slot + 1,
                          problem=exc.translated()) from None
    try:
        for slot, value in checked.items():
            by_slot[slot].response, by_slot[slot].saved_at = value, now
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return attempt


def submit(*, db: Session, actor: User, attempt_id: int, now: datetime | None = None) -> QuizAttempt:
    """Submit the actor's attempt and grade it; a second submission is refused."""
    now = now or utcnow()
    attempt, activity = _open_attempt(db, actor, attempt_id, now)
    try:
        _finish(db, actor, activity, attempt, now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return attempt


def attempt_items(db: Session, attempt: QuizAttempt) -> list[tuple[QuizAnswer, dict[str, Any], Item]]:
    """Return each slot of an attempt in order: its answer, its layout entry and its question."""
    items = items_of(db, (a.question_version_id for a in attempt.answers))
    by_slot = {a.slot: a for a in attempt.answers}
    return [(by_slot[i], entry, items[by_slot[i].question_version_id]) for i, entry in enumerate(attempt.layout)
            if i in by_slot]


# --- a teacher's side ----------------------------------------------------------------------------

@dataclass
class StudentResult:
    """One student of the class and their attempts at the quiz."""

    student: User
    attempts: list[QuizAttempt] = field(default_factory=list)

    @property
    def best(self) -> Decimal | None:
        """Return the best graded score out of 10, or None."""
        scores = [s for s in (out_of_10(a) for a in self.attempts) if s is not None]
        return max(scores) if scores else None

    @property
    def waiting(self) -> bool:
        """Return whether an attempt waits for essay grading."""
        return any(a.status == SUBMITTED for a in self.attempts)

    @property
    def working(self) -> bool:
        """Return whether an attempt is in progress."""
        return any(a.status == IN_PROGRESS for a in self.attempts)


def results(*, db: Session, actor: User, activity_id: int, class_id: int | None = None,
            now: datetime | None = None) -> list[StudentResult]:
    """Return, for a teacher, each student of the course's classes (or one) with their attempts (expired ones submitted)."""
    activity, course = _teacher_quiz(db, actor, activity_id)
    if class_id is not None and class_id not in {c.id for c in course.classes}:
        raise Invalid(N_("This class does not take this course."))
    students = courses.students_of(db=db, course=course, class_id=class_id)
    lines = {s.id: StudentResult(student=s) for s in students}
    if lines:
        attempts = list(db.scalars(select(QuizAttempt).where(QuizAttempt.activity_id == activity.id,
                                                             QuizAttempt.student_id.in_(list(lines)))
                                   .order_by(QuizAttempt.student_id, QuizAttempt.number)))
        _expire(db, actor, activity, attempts, now or utcnow())
        for attempt in attempts:
            lines[attempt.student_id].attempts.append(attempt)
    return list(lines.values())


def teacher_attempt(*, db: Session, actor: User, attempt_id: int) -> tuple[QuizAttempt, Activity]:
    """Return an attempt of a quiz the actor teaches."""
    attempt = db.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
    try:
        activity, _ = _teacher_quiz(db, actor, attempt.activity_id)
    except (NotFound, Forbidden):
        raise NotFound(ATTEMPT_NOT_FOUND) from None
    return attempt, activity


def grading_queue(*, db: Session, actor: User, activity_id: int) -> list[tuple[QuizAttempt, QuizAnswer, Item]]:
    """Return the essay answers of submitted attempts that wait for the teacher, oldest attempt first."""
    activity, course = _teacher_quiz(db, actor, activity_id)
    students = {s.id for s in courses.students_of(db=db, course=course)}
    rows = db.execute(select(QuizAttempt, QuizAnswer).join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
                      .where(QuizAttempt.activity_id == activity.id, QuizAttempt.status == SUBMITTED,
                             QuizAnswer.points.is_(None))
                      .order_by(QuizAttempt.submitted_at, QuizAttempt.id, QuizAnswer.slot)).all()
    rows = [(a, ans) for a, ans in rows if a.student_id in students]
    items = items_of(db, (ans.question_version_id for _, ans in rows))
    return [(a, ans, items[ans.question_version_id]) for a, ans in rows]


def grade_essay(*, db: Session, actor: User, answer_id: int, points: list[Any], feedback: str = "",
                now: datetime | None = None) -> QuizAnswer:
    """Give an essay answer its points (one per rubric criterion, or one in all) and feedback; score the attempt
    once nothing else waits."""
    answer = db.get(QuizAnswer, answer_id)
    if answer is None:
        raise NotFound(ANSWER_NOT_FOUND)
    attempt, activity = teacher_attempt(db=db, actor=actor, attempt_id=answer.attempt_id)
    item = items_of(db, [answer.question_version_id])[answer.question_version_id]
    if item.type != QType.essay or attempt.status == IN_PROGRESS:
        raise Invalid(NOT_AN_ESSAY_TO_GRADE)
    text = nfc(feedback or "").replace("\r\n", "\n").strip()
    if len(text) > 10_000:
        raise Invalid(N_("Feedback may have at most {max} characters."), max="10,000")
    graded = grading.grade_essay(dataclasses.replace(item, points=Decimal(answer.max_points)), list(points))
    before = out_of_10(attempt)
    try:
        answer.points, answer.graded_by_id = graded.points, actor.id
        answer.feedback = text
        _total(attempt)
        db.flush()
        if out_of_10(attempt) != before:
            _scored(db, actor, activity, attempt, now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return answer


def _shape(item: Item) -> tuple[Any, ...]:
    return (item.type, len(item.choices), len(item.statements), len(item.pairs), len(item.order),
            [len(b.options) for b in item.blanks])


def regrade(*, db: Session, actor: User, activity_id: int, question_id: int, version_id: int) -> RegradeNote:
    """Re-score every answer to a quiz question with a corrected newer version; totals follow, a note is kept."""
    activity, course = _teacher_quiz(db, actor, activity_id)
    settings = settings_of(activity)
    chosen = next((q for q in settings.questions if q.question_id == question_id), None)
    question = db.get(Question, question_id)
    if chosen is None or question is None:
        raise Invalid(NOT_IN_QUIZ)
    if not permissions.can(actor, "question.view", question):
        raise Invalid(QUESTION_UNKNOWN)
    old, new = db.get(QuestionVersion, chosen.version_id), db.get(QuestionVersion, version_id)
    if new is None or new.question_id != question.id or new.number <= old.number:
        raise Invalid(NOT_NEWER)
    before, after = from_data(old.data), from_data(new.data)
    if after.type == QType.essay:
        raise Invalid(REGRADE_ESSAY)
    problems = check(after)
    if problems:
        raise Invalid(QUESTION_UNSOUND, title=_title(question, after), problem=problems[0])
    if _shape(before) != _shape(after):
        raise Invalid(REGRADE_SHAPE)
    note = RegradeNote(question_id=question.id, from_version=old.number, to_version=new.number, by_id=actor.id,
                       at=utcnow())
    try:
        rows = db.execute(select(QuizAttempt, QuizAnswer).join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
                          .where(QuizAttempt.activity_id == activity.id,
                                 QuizAnswer.question_version_id == old.id)).all()
        for attempt, answer in rows:
            answer.question_version_id = new.id
            attempt.layout = [{**s, "version_id": new.id} if s["version_id"] == old.id else s for s in attempt.layout]
            if attempt.status == IN_PROGRESS or answer.graded_by_id is not None:
                continue  # points a teacher set by hand (attempt_review.set_points) stand
            was = out_of_10(attempt)
            _grade_answer(after, answer, settings)
            _total(attempt)
            note.answers += 1
            if out_of_10(attempt) != was:
                note.attempts_changed += 1
                db.flush()
                _scored(db, actor, activity, attempt)
        chosen.version_id = new.id
        settings.regrades.append(note)
        activity.settings = settings.model_dump(mode="json")
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return note


@dataclass
class QuestionStats:
    """One question of the quiz with its statistics over graded attempts."""

    question_id: int
    title: str
    stats: ItemStats | None


def statistics(*, db: Session, actor: User, activity_id: int) -> list[QuestionStats]:
    """Return per-question difficulty, discrimination and point-biserial r over the quiz's graded attempts."""
    activity, _ = _teacher_quiz(db, actor, activity_id)
    settings = settings_of(activity)
    attempts = list(db.scalars(select(QuizAttempt).where(QuizAttempt.activity_id == activity.id,
                                                         QuizAttempt.status == GRADED)))
    scores = []
    for attempt in attempts:
        slots = {i: s["question_id"] for i, s in enumerate(attempt.layout)}
        scores.append(AttemptScores(total=Decimal(attempt.score), items={
            slots[a.slot]: (Decimal(a.points), Decimal(a.max_points)) for a in attempt.answers if a.slot in slots}))
    stats = item_statistics(scores)
    questions = {q.id: q for q in db.scalars(select(Question).where(
        Question.id.in_([q.question_id for q in settings.questions])))}
    items = items_of(db, (q.version_id for q in settings.questions))
    return [QuestionStats(q.question_id, _title(questions[q.question_id], items[q.version_id]),
                          stats.get(q.question_id)) for q in settings.questions]


def scores(*, db: Session, activity: Activity, student_ids: Iterable[int]) -> dict[int, Decimal]:
    """Return each student's best graded attempt out of 10 (the gradebook's pull; see the module's note)."""
    ids = list(student_ids)
    if not ids:
        return {}
    best: dict[int, Decimal] = {}
    for attempt in db.scalars(select(QuizAttempt).where(QuizAttempt.activity_id == activity.id,
                                                        QuizAttempt.student_id.in_(ids),
                                                        QuizAttempt.status == GRADED)):
        score = out_of_10(attempt)
        if score is not None and (attempt.student_id not in best or score > best[attempt.student_id]):
            best[attempt.student_id] = score
    return best


def _choices(*, db: Session, actor: User, course: Course) -> list[tuple[int, str]]:
    """Return the bank questions a teacher may choose for a quiz of the course, as (id, label)."""
    found = usable_questions(db=db, actor=actor, course=course)
    items = items_of(db, (q.current_version_id for q in found))
    return [(q.id, _title(q, items[q.current_version_id])) for q in found]


def _context(*, db: Session, actor: User, activity: Activity) -> dict[str, Any]:
    from lms_core.assessment.quiz_pages import quiz_context

    return quiz_context(db=db, actor=actor, activity=activity)


ACTIVITY_TYPE = ActivityType(NAME, N_("Quiz: questions from the bank"), (Completion.passed.value, Completion.submitted.value),
                             settings=QuizSettings, settings_error=BAD_SETTINGS, prepare=prepare, choices=_choices,
                             template="assessment/quiz.html", context=_context, add_template="assessment/quiz_add.html",
                             scores=scores)
