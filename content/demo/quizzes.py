"""Students take the demo's quizzes through the quiz service (start, answer every question, submit), so grading,
statistics, progress and the gradebook see them as any attempt; teachers grade most essays, the newest wait."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.demo import texts
from content.demo.courses import DemoCourse
from content.demo.people import Learner, chance_right, stream
from content.demo.timeline import Term
from lms_core.assessment import quiz as quizzes
from lms_core.assessment.items import Item, QType
from lms_core.assessment.models import QuizAttempt
from lms_core.courses.models import Activity

ESSAY_WAITS = timedelta(days=3)  # essays handed in more recently than this wait in the teacher's queue


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def respond(item: Item, p: float, rng: random.Random, essay_text: str) -> Any:
    """Return a student's raw answer to a question, each part right with chance p (the grader's answer shapes)."""
    def right() -> bool:
        return rng.random() < p

    if item.type in (QType.single, QType.true_false):
        key = next(i for i, c in enumerate(item.choices) if c.correct)
        wrong = [i for i in range(len(item.choices)) if i != key]
        return key if right() or not wrong else rng.choice(wrong)
    if item.type == QType.multiple:
        keys = {i for i, c in enumerate(item.choices) if c.correct}
        if right():
            return sorted(keys)
        others = [i for i in range(len(item.choices)) if i not in keys]
        if others and (len(keys) == 1 or rng.random() < 0.5):
            return sorted(keys | {rng.choice(others)})
        return sorted(keys - {rng.choice(sorted(keys))}) if len(keys) > 1 else sorted(keys)
    if item.type == QType.tf_group:
        return [s.true if right() else not s.true for s in item.statements]
    if item.type == QType.numeric:
        key = item.numeric[0]
        return str(key.value if right() else key.value + key.tolerance + rng.choice((1, 2, 10)))
    if item.type == QType.short_text:
        return item.accepted[0] if right() else "em không nhớ"
    if item.type in (QType.matching, QType.ordering):
        count = len(item.pairs) if item.type == QType.matching else len(item.order)
        order = list(range(count))
        missed = [i for i in order if not right()]
        if len(missed) == 1:
            missed.append(rng.choice([i for i in order if i != missed[0]]))
        if len(missed) > 1:  # the missed ones are put in each other's places
            moved = missed[1:] + missed[:1]
            for place, index in zip(missed, moved, strict=True):
                order[place] = index
        return order
    if item.type == QType.cloze:
        answers: list[Any] = []
        for blank in item.blanks:
            if blank.options:
                answers.append(0 if right() or len(blank.options) < 2 else rng.randrange(1, len(blank.options)))
            else:
                answers.append(blank.accepted[0] if right() else "không biết")
        return answers
    if item.type == QType.essay:
        return essay_text
    return None


def _attempt(db: Session, demo: DemoCourse, student: Learner, quiz: Activity, start: datetime,
             rng: random.Random, ability: float) -> float:
    """Take one attempt through the quiz service; return the share of the automatically graded points earned."""
    user = student.user
    attempt = quizzes.start(db=db, actor=user, activity_id=quiz.id, now=start)
    items = quizzes.items_of(db, (a.question_version_id for a in attempt.answers))
    first = demo.materials[0][1].entry.title if demo.materials else demo.course.title
    essay = "" if rng.random() < 0.05 else texts.student_text(rng, first, demo.area.english)
    answers = {a.slot: respond(items[a.question_version_id], chance_right(ability, items[a.question_version_id].difficulty),
                               rng, essay) for a in attempt.answers}
    saved = start + timedelta(minutes=rng.uniform(5, 15))
    quizzes.save_answers(db=db, actor=user, attempt_id=attempt.id, answers=answers, now=saved)
    attempt = quizzes.submit(db=db, actor=user, attempt_id=attempt.id, now=saved + timedelta(minutes=rng.uniform(0.5, 3)))
    auto = [a for a in attempt.answers if a.points is not None and items[a.question_version_id].type != QType.essay]
    top = sum((Decimal(a.max_points) for a in auto), Decimal(0))
    return float(sum((Decimal(a.points) for a in auto), Decimal(0)) / top) if top else 0.0


def take_quizzes(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> None:
    """Let each student who has not yet done so take the course's quizzes (a second try after a weak first)."""
    for number, quiz in enumerate(demo.quizzes, start=1):
        lesson = demo.lessons[quiz.lesson_id]
        opens, due = _aware(lesson.opens_at), _aware(quiz.closes_at)
        if opens >= term.horizon:
            continue
        done = set(db.scalars(select(QuizAttempt.student_id).where(QuizAttempt.activity_id == quiz.id)))
        for student in learners:
            rng = stream(demo.key, f"quiz{number}", student.user.username)
            skips = rng.random() < 0.03 + (1 - student.engagement) * 0.15
            delay = (0.8 if number == 1 else 1.5) + (1 - student.engagement) * 3  # the second is still open
            start = term.moment(rng, opens, delay, latest=due - timedelta(hours=1))
            if student.user.id in done or skips or start is None or (student.showcase and number > 1):
                continue
            share = _attempt(db, demo, student, quiz, start, rng, student.ability)
            if share < 0.6 and rng.random() < (0.5 if number == 1 else 0.2):
                again = term.moment(rng, start + timedelta(hours=20), 1.0, latest=due - timedelta(hours=1))
                if again is not None:
                    _attempt(db, demo, student, quiz, again, rng, student.ability + 0.5)


def grade_essays(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> None:
    """Let the teacher grade the essays waiting in each quiz's queue, all but those handed in the last three days."""
    ability = {s.user.id: s.ability for s in learners}
    names = {s.user.id: s.user.username for s in learners}
    for number, quiz in enumerate(demo.quizzes, start=1):
        for attempt, answer, item in quizzes.grading_queue(db=db, actor=demo.teacher, activity_id=quiz.id):
            submitted = _aware(attempt.submitted_at)
            if submitted > term.horizon - ESSAY_WAITS:
                continue
            rng = stream(demo.key, f"essay{number}", names.get(attempt.student_id), attempt.number)
            share = max(0.1, min(1.0, 0.6 + 0.15 * ability.get(attempt.student_id, 0.0) + rng.gauss(0, 0.15)))
            top = Decimal(answer.max_points)
            if item.rubric:
                scale = top / sum((c.points for c in item.rubric), Decimal(0))
                points = [_quarter(c.points * Decimal(str(share))) for c in item.rubric]
                share = float(sum(points, Decimal(0)) * scale / top) if top else 0.0
            else:
                points = [_quarter(top * Decimal(str(share)))]
            when = min(submitted + timedelta(days=rng.uniform(0.5, 3)), term.horizon - timedelta(hours=1))
            quizzes.grade_essay(db=db, actor=demo.teacher, answer_id=answer.id, points=points,
                                feedback=texts.essay_feedback(share), now=when)


def _quarter(value: Decimal) -> Decimal:
    """Return points rounded down to a quarter point (how teachers mark an essay's criteria)."""
    return (value * 4).to_integral_value(rounding="ROUND_FLOOR") / 4
