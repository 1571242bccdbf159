"""One quiz attempt question by question: the teacher's view (with inline grading) and a student's own review.

`answer_views` turns an attempt into what both pages show, and the one template macro
(assessment/_answer_review.html) renders it for both: each question as the attempt showed it (options, right-hand
items and drop-down options in the attempt's order), the student's answer, which parts are right, the key, the
points given out of the maximum, the feedback and when the answer was saved.

A teacher of the course (or the school's administrator) sees every attempt with its key. A student sees only their
own submitted attempts, and only as the quiz's `show` setting allows; the key itself is shown to a student only
once the quiz has closed, so that it cannot help a later attempt or a classmate still answering.

A teacher who disagrees with an automatic score may set an answer's points by hand: the answer records who set
them, the attempt's total follows and, when its score out of 10 changes, a "scored" statement is recorded: the way
essay grading and key corrections reach the gradebook's next pull. A later key correction leaves such an answer as
the teacher set it. Essays are graded with quiz.grade_essay (the grading queue's service), inline on the page.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core.accounts.models import User
from lms_core.assessment import grading, quiz
from lms_core.assessment.items import TYPE_LABELS, Item, QType
from lms_core.assessment.models import QuizAnswer, QuizAttempt
from lms_core.assessment.render import render_question_text
from lms_core.courses.models import Activity, Course, Lesson
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.text import nfc

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CENT = Decimal("0.01")
_BLANK = re.compile(r"\{(\d+)\}")
MAX_FEEDBACK = 10_000

NOT_SHOWN = N_("The results of this quiz are not shown to students yet.")
NEVER_SHOWN = N_("Your teacher does not show the results of this quiz to students.")
STILL_OPEN = N_("This attempt is still in progress: its answers are scored when it is submitted.")
ESSAY_BY_RUBRIC = N_("An essay is graded with its own form (its rubric), not by setting its points here.")
FEEDBACK_TOO_LONG = N_("Feedback may have at most {max} characters.")


@dataclass
class PartView:
    """One part of an answer: an option, a statement, a left item, a place in an order or a blank."""

    label: str
    text: Markup | str = ""
    given: Markup | str = ""        # what the student answered for this part ("" when nothing)
    key: Markup | str = ""          # the right answer of this part (empty when the key is hidden)
    chosen: bool = False            # an option the student ticked
    correct: bool | None = None     # whether this part is right (None: not judged)
    note: Markup | str = ""         # the feedback of an option the student chose


@dataclass
class AnswerView:
    """One question of an attempt with the student's answer, as a page shows it."""

    answer: QuizAnswer
    number: int
    item: Item
    stem: Markup
    answered: bool
    parts: list[PartView] = field(default_factory=list)
    text: str = ""                                  # a typed answer (numeric, short text, essay)
    text_correct: bool | None = None
    key_text: str = ""                              # the key of a typed answer
    shown: list[Markup | str] = field(default_factory=list)  # right-hand items / items as the attempt listed them
    auto_points: Decimal | None = None              # what the key gives (None: an essay)
    graded_by: User | None = None
    general_feedback: Markup | str = ""

    @property
    def slot(self) -> int:
        """Return the answer's slot in the attempt."""
        return self.answer.slot

    @property
    def type(self) -> str:
        """Return the question's type."""
        return str(self.item.type)

    @property
    def type_label(self) -> str:
        """Return the msgid of the question's type."""
        return TYPE_LABELS.get(self.item.type, str(self.item.type))

    @property
    def points(self) -> Decimal | None:
        """Return the points given (None while an essay waits for grading)."""
        return None if self.answer.points is None else Decimal(self.answer.points)

    @property
    def max_points(self) -> Decimal:
        """Return the question's points in this quiz."""
        return Decimal(self.answer.max_points)

    @property
    def essay(self) -> bool:
        """Return whether the teacher grades this answer with the essay form."""
        return self.item.type == QType.essay

    @property
    def overridden(self) -> bool:
        """Return whether a teacher set the points of an automatically scored answer by hand."""
        return not self.essay and self.answer.graded_by_id is not None

    @property
    def saved_at(self) -> datetime | None:
        """Return when the student last saved this answer (None when never answered)."""
        return self.answer.saved_at if self.answered else None


@dataclass
class AttemptReview:
    """An attempt as its page shows it: whose, which quiz, its answers, and whether the key is shown."""

    attempt: QuizAttempt
    activity: Activity
    course: Course
    student: User
    answers: list[AnswerView]
    teacher: bool
    key: bool

    @property
    def out_of_10(self) -> Decimal | None:
        """Return the attempt's score out of 10 once fully graded."""
        return quiz.out_of_10(self.attempt)


def _md(text: str) -> Markup:
    """Return a short text (an option, a statement) as HTML without its paragraph."""
    html = str(render_question_text(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _numeric_key(item: Item) -> str:
    return "; ".join(_number(k.value) + (f" ± {_number(k.tolerance)}" if k.tolerance else "") for k in item.numeric)


def _graded(item: Item, answer: QuizAnswer, partial_multiple: bool) -> tuple[grading.Response, grading.Graded | None]:
    """Return the stored answer read back by the grader and what the key gives it (None for an essay)."""
    try:
        response = grading.parse_response(item, answer.response)
    except Invalid:  # never stored so; shown as not answered rather than failing the page
        response = grading.Response(item.type)
    if item.type == QType.essay:
        return response, None
    scored = dataclasses.replace(item, points=Decimal(answer.max_points))
    try:
        return response, grading.grade(scored, response, partial_multiple=partial_multiple)
    except Invalid:
        return response, None


def _view(number: int, answer: QuizAnswer, entry: dict[str, Any], item: Item, *, key: bool,
          partial_multiple: bool, markers: dict[int, User]) -> AnswerView:
    """Return one answer of an attempt as a page shows it (see the module's note on the key)."""
    response, graded = _graded(item, answer, partial_multiple)
    value = response.value
    judged = {p.index: p.correct for p in graded.parts} if graded is not None else {}  # per statement, pair …
    order = entry.get("options")
    stem = _BLANK.sub(r"(\1) ……", item.stem) if item.type == QType.cloze else item.stem
    view = AnswerView(answer=answer, number=number, item=item, stem=render_question_text(stem),
                      answered=response.answered, auto_points=graded.points if graded is not None else None,
                      graded_by=markers.get(answer.graded_by_id) if answer.graded_by_id else None,
                      general_feedback=render_question_text(item.general_feedback) if item.general_feedback else "")
    kind = item.type
    if kind in (QType.single, QType.multiple, QType.true_false):
        picks = set(value) if kind == QType.multiple and value is not None else ({value} if value is not None else set())
        for position, i in enumerate(order or range(len(item.choices))):
            choice = item.choices[i]
            chosen = i in picks
            # what was ticked is judged; an unticked correct option is marked missed only where the key is shown
            correct = choice.correct if chosen else (False if key and kind == QType.multiple and choice.correct
                                                     else None)
            view.parts.append(PartView(label=LETTERS[position % 26], text=_md(choice.text), chosen=chosen,
                                       key="✓" if key and choice.correct else "", correct=correct,
                                       note=_md(choice.feedback) if chosen and choice.feedback else ""))
    elif kind == QType.tf_group:
        values = value or (None,) * len(item.statements)
        for k, (statement, given) in enumerate(zip(item.statements, values, strict=True)):
            view.parts.append(PartView(label=f"{'abcdefghij'[k]})", text=_md(statement.text),
                                       given="" if given is None else ("true" if given else "false"),
                                       key=("true" if statement.true else "false") if key else "",
                                       correct=judged.get(k) if given is not None or key else None))
    elif kind == QType.matching:
        values = value or (None,) * len(item.pairs)
        view.shown = [_md(item.pairs[i].right) for i in (order or range(len(item.pairs)))]
        for k, (pair, given) in enumerate(zip(item.pairs, values, strict=True)):
            view.parts.append(PartView(label=str(k + 1), text=_md(pair.left),
                                       given="" if given is None else _md(item.pairs[given].right),
                                       key=_md(pair.right) if key else "",
                                       correct=judged.get(k) if given is not None or key else None))
    elif kind == QType.ordering:
        view.shown = [_md(item.order[i]) for i in (order or range(len(item.order)))]
        for position in range(len(item.order)):
            placed = value[position] if value is not None else None
            view.parts.append(PartView(label=str(position + 1),
                                       given="" if placed is None else _md(item.order[placed]),
                                       key=_md(item.order[position]) if key else "",
                                       correct=judged.get(position) if placed is not None else None))
    elif kind == QType.cloze:
        values = value or (None,) * len(item.blanks)
        for k, (blank, given) in enumerate(zip(item.blanks, values, strict=True)):
            shown_options = [blank.options[i] for i in (order[k] if order else range(len(blank.options)))]
            if given is None:
                text = ""
            else:
                text = blank.options[given] if blank.options else str(given)
            view.parts.append(PartView(label=f"({k + 1})", text=" · ".join(shown_options), given=text,
                                       key=(blank.options[0] if blank.options else " · ".join(blank.accepted)) if key else "",
                                       correct=judged.get(k) if given is not None or key else None))
    else:  # numeric, short text, essay: a typed answer
        view.text = "" if answer.response is None else str(answer.response)
        if graded is not None and response.answered:
            view.text_correct = graded.correct
        if key and kind == QType.numeric:
            view.key_text = _numeric_key(item)
        elif key and kind == QType.short_text:
            view.key_text = " · ".join(item.accepted)
    return view


def answer_views(db: Session, attempt: QuizAttempt, activity: Activity, *, key: bool) -> list[AnswerView]:
    """Return every question of an attempt in its order with the student's answer, parts judged, key or not."""
    settings = quiz.settings_of(activity)
    rows = quiz.attempt_items(db, attempt)
    marker_ids = {a.graded_by_id for a, _, _ in rows if a.graded_by_id}
    markers = {u.id: u for u in db.scalars(select(User).where(User.id.in_(marker_ids)))} if marker_ids else {}
    return [_view(number, answer, entry, item, key=key, partial_multiple=settings.partial_multiple, markers=markers)
            for number, (answer, entry, item) in enumerate(rows, start=1)]


def key_shown_to_students(activity: Activity, lesson: Lesson, now: datetime | None = None) -> bool:
    """Return whether students may see the key of their answers: once results are shown and the quiz has closed."""
    due = quiz.due_at(activity, lesson)
    now = now or utcnow()
    return quiz.results_shown(activity, lesson, now) and due is not None and now > due


# --- opening an attempt ------------------------------------------------------------------------------

def _review(db: Session, attempt: QuizAttempt, activity: Activity, *, teacher: bool, key: bool) -> AttemptReview:
    return AttemptReview(attempt=attempt, activity=activity, course=db.get(Course, activity.course_id),
                         student=db.get(User, attempt.student_id), teacher=teacher, key=key,
                         answers=answer_views(db, attempt, activity, key=key))


def teacher_review(*, db: Session, actor: User, attempt_id: int, now: datetime | None = None) -> AttemptReview:
    """Return an attempt of a quiz the actor teaches, with its key (one whose time ran out is submitted first)."""
    attempt, activity = quiz.teacher_attempt(db=db, actor=actor, attempt_id=attempt_id)
    quiz._expire(db, actor, activity, [attempt], now or utcnow())  # as the results list does
    return _review(db, attempt, activity, teacher=True, key=True)


def student_review(*, db: Session, actor: User, attempt_id: int, now: datetime | None = None) -> AttemptReview:
    """Return one of the actor's own submitted attempts, as far as the quiz shows results to students."""
    now = now or utcnow()
    attempt, activity = quiz.own_attempt(db, actor, attempt_id)
    quiz._expire(db, actor, activity, [attempt], now)
    if attempt.status == quiz.IN_PROGRESS:
        raise NotFound(quiz.ATTEMPT_NOT_FOUND)
    lesson = db.get(Lesson, activity.lesson_id)
    if not quiz.results_shown(activity, lesson, now):
        raise Forbidden(NEVER_SHOWN if quiz.settings_of(activity).show == "never" else NOT_SHOWN)
    return _review(db, attempt, activity, teacher=False, key=key_shown_to_students(activity, lesson, now))


def open_review(*, db: Session, actor: User, attempt_id: int, now: datetime | None = None) -> AttemptReview:
    """Return the attempt as the actor may see it: a teacher's view, the student's own review, else not found."""
    try:
        return teacher_review(db=db, actor=actor, attempt_id=attempt_id, now=now)
    except NotFound:
        return student_review(db=db, actor=actor, attempt_id=attempt_id, now=now)


# --- a teacher's points ------------------------------------------------------------------------------

def set_points(*, db: Session, actor: User, attempt_id: int, slot: int, points: Any = None,
               feedback: str | None = None) -> QuizAnswer:
    """Set the points of an automatically scored answer by hand (None: back to what the key gives) and its
    feedback; the attempt's total and score follow, and the answer records who set them."""
    attempt, activity = quiz.teacher_attempt(db=db, actor=actor, attempt_id=attempt_id)
    answer = next((a for a in attempt.answers if a.slot == slot), None)
    if answer is None:
        raise Invalid(quiz.NO_SUCH_QUESTION, number=slot + 1)
    if attempt.status == quiz.IN_PROGRESS:
        raise Invalid(STILL_OPEN)
    item = quiz.items_of(db, [answer.question_version_id])[answer.question_version_id]
    if item.type == QType.essay:
        raise Invalid(ESSAY_BY_RUBRIC)
    most = Decimal(answer.max_points)
    if points is None:
        _, graded = _graded(item, answer, quiz.settings_of(activity).partial_multiple)
        given, marker = (graded.points if graded is not None else Decimal(0)), None
    else:
        try:
            value = grading.parse_number(points.strip() if isinstance(points, str) else points)
        except Invalid:
            raise Invalid(grading.ESSAY_POINTS, max=_number(most)) from None
        if not Decimal(0) <= value <= most:
            raise Invalid(grading.ESSAY_POINTS, max=_number(most))
        given, marker = value.quantize(CENT, rounding=ROUND_HALF_UP), actor.id
    text = None
    if feedback is not None:
        text = nfc(feedback).replace("\r\n", "\n").strip()
        if len(text) > MAX_FEEDBACK:
            raise Invalid(FEEDBACK_TOO_LONG, max="10,000")
    before = quiz.out_of_10(attempt)
    try:
        answer.points, answer.graded_by_id = given, marker
        if text is not None:
            answer.feedback = text
        quiz._total(attempt)
        db.flush()
        if quiz.out_of_10(attempt) != before:
            quiz._scored(db, actor, activity, attempt)  # the gradebook's next pull takes the new score
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return answer
