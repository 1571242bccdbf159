"""A lesson's discussion: students and teachers of the course ask questions and answer them (one level of
answers); its teachers pin and hide posts. Each student post is an xAPI statement ("asked" or "answered"), so the
"posted" completion rule works; hiding a post moderates it but does not undo what the student did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Course, DiscussionPost
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.plugins.types import ActivityType
from lms_core.progress import service as progress
from lms_core.text import nfc

TYPE = "discussion"
MAX_BODY = 4000
MAX_QUESTIONS_SHOWN = 200
RATE_LIMIT, RATE_WINDOW = 20, timedelta(minutes=10)
POST_NOT_FOUND = N_("This post does not exist.")
NOT_A_DISCUSSION = N_("This activity is not a discussion.")
BAD_BODY = N_("Write your post (at most {max} characters).")
NOT_MEMBER = N_("Only the students and teachers of this course can post in its discussions.")
NOT_MODERATOR = N_("Only a teacher of this course can pin or hide posts.")
TOO_MANY = N_("You have posted {count} times in the last {minutes} minutes. Please wait a little before posting again.")
ONE_LEVEL = N_("Answer the question itself: answers cannot be answered.")
HIDDEN_QUESTION = N_("This question has been hidden by a teacher and cannot be answered.")
CLOSED = N_("This activity is closed.")


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def teaches(actor: User, course: Course) -> bool:
    """Return whether the actor is one of the course's teachers (at its school)."""
    return any(t.id == actor.id for t in course.teachers) and course.school_id in actor.school_ids(Role.teacher)


def _discussion(db: Session, actor: User, activity_id: int) -> tuple[Activity, Course]:
    activity = courses.get_activity(db=db, actor=actor, activity_id=activity_id)
    if activity.type != TYPE:
        raise NotFound(NOT_A_DISCUSSION)
    return activity, db.get(Course, activity.course_id)


def clean_body(value: str) -> str:
    """Return a post's text in NFC with unified line breaks and no blank ends, or refuse an empty or long one."""
    text = nfc(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")  # drop other control characters
    if not text or len(text) > MAX_BODY:
        raise Invalid(BAD_BODY, max=MAX_BODY)
    return text


def post(*, db: Session, actor: User, activity_id: int, body: str, parent_id: int | None = None,
         now: datetime | None = None) -> DiscussionPost:
    """Ask a question in a lesson's discussion, or answer one (parent_id); a student's post is recorded."""
    now = now or utcnow()
    activity, course = _discussion(db, actor, activity_id)
    learner = permissions.can(actor, "course.learn", course)
    moderator = teaches(actor, course)
    if not learner and not moderator:
        raise Forbidden(NOT_MEMBER)
    text = clean_body(body)
    if learner and not moderator and activity.closes_at and _aware(activity.closes_at) < now:
        raise Forbidden(CLOSED)
    if parent_id is not None:
        parent = db.get(DiscussionPost, parent_id)
        if parent is None or parent.activity_id != activity.id or (parent.hidden and not moderator
                                                                     and parent.author_id != actor.id):
            raise NotFound(POST_NOT_FOUND)
        if parent.parent_id is not None:
            raise Invalid(ONE_LEVEL)
        if parent.hidden and not moderator:
            raise Invalid(HIDDEN_QUESTION)
    recent = db.scalar(select(func.count()).select_from(DiscussionPost).where(
        DiscussionPost.author_id == actor.id, DiscussionPost.created_at > now - RATE_WINDOW,
        DiscussionPost.created_at <= now))
    if recent >= RATE_LIMIT:
        raise Invalid(TOO_MANY, count=recent, minutes=int(RATE_WINDOW.total_seconds() // 60))
    row = DiscussionPost(activity_id=activity.id, author_id=actor.id, parent_id=parent_id, body=text, created_at=now)
    try:
        db.add(row)
        db.flush()
        if learner:  # checks the lesson is open to the student; refused, the post is not kept either
            progress.record(db=db, actor=actor, activity_id=activity.id, verb="answered" if parent_id else "asked",
                            commit=False, when=now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return row


def _moderated(db: Session, actor: User, post_id: int) -> DiscussionPost:
    row = db.get(DiscussionPost, post_id)
    if row is None:
        raise NotFound(POST_NOT_FOUND)
    _activity, course = _discussion(db, actor, row.activity_id)
    if not teaches(actor, course):
        raise Forbidden(NOT_MODERATOR)
    return row


def set_pinned(*, db: Session, actor: User, post_id: int, pinned: bool) -> DiscussionPost:
    """Pin a post (shown first) or unpin it; only a teacher of the course may."""
    row = _moderated(db, actor, post_id)
    row.pinned = bool(pinned)
    db.commit()
    return row


def set_hidden(*, db: Session, actor: User, post_id: int, hidden: bool) -> DiscussionPost:
    """Hide a post from the students (its author still sees it, marked hidden) or show it again."""
    row = _moderated(db, actor, post_id)
    row.hidden = bool(hidden)
    row.hidden_by_id = actor.id if hidden else None
    db.commit()
    return row


@dataclass
class Thread:
    """A question with the answers the viewer may see."""

    question: DiscussionPost
    answers: list[DiscussionPost] = field(default_factory=list)


@dataclass
class Discussion:
    """A discussion as one person sees it."""

    activity: Activity
    threads: list[Thread]
    authors: dict[int, User]
    may_post: bool
    may_moderate: bool
    more: bool = False


def _seen_by(actor: User, moderator: bool) -> Any:
    if moderator:
        return None
    return or_(DiscussionPost.hidden.is_(False), DiscussionPost.author_id == actor.id)


def read(*, db: Session, actor: User, activity_id: int) -> Discussion:
    """Return a discussion's questions (pinned first, then newest) and answers (pinned first, then oldest).

    Teachers of the course see hidden posts; other people see them only when they wrote them."""
    activity, course = _discussion(db, actor, activity_id)
    moderator = teaches(actor, course)
    seen = _seen_by(actor, moderator)
    query = select(DiscussionPost).where(DiscussionPost.activity_id == activity.id,
                                         DiscussionPost.parent_id.is_(None))
    if seen is not None:
        query = query.where(seen)
    questions = list(db.scalars(query.order_by(DiscussionPost.pinned.desc(), DiscussionPost.created_at.desc(),
                                               DiscussionPost.id.desc()).limit(MAX_QUESTIONS_SHOWN + 1)))
    more = len(questions) > MAX_QUESTIONS_SHOWN
    questions = questions[:MAX_QUESTIONS_SHOWN]
    threads = {q.id: Thread(question=q) for q in questions}
    if threads:
        query = select(DiscussionPost).where(DiscussionPost.parent_id.in_(list(threads)))
        if seen is not None:
            query = query.where(seen)
        for answer in db.scalars(query.order_by(DiscussionPost.pinned.desc(), DiscussionPost.created_at,
                                                DiscussionPost.id)):
            threads[answer.parent_id].answers.append(answer)
    author_ids = {q.author_id for q in questions} | {a.author_id for t in threads.values() for a in t.answers}
    authors = {u.id: u for u in db.scalars(select(User).where(User.id.in_(author_ids)))} if author_ids else {}
    return Discussion(activity=activity, threads=list(threads.values()), authors=authors, more=more,
                      may_post=moderator or permissions.can(actor, "course.learn", course), may_moderate=moderator)


def context(*, db: Session, actor: User, activity: Activity) -> dict[str, Any]:
    """Return what the discussion template shows inside the activity page."""
    course = db.get(Course, activity.course_id)
    return {"discussion": read(db=db, actor=actor, activity_id=activity.id),
            "teacher_ids": {t.id for t in course.teachers}, "MAX_BODY": MAX_BODY}


ACTIVITY_TYPE = ActivityType(TYPE, N_("Lesson discussion (questions and answers)"), ("posted",),
                             template="courses/discussion_thread.html", context=context)
