"""Sharing bank questions with the shared repository through review, the way materials are shared.

The author sends a question (or a selection from the bank list) for review. The people who review the school's
materials review it too: the truongso_reviewers hook names them (the content package: the school's administrator and
the head of the question's subject group there); with no plugin answering, a school's administrators do. They see
the request in their queue, preview the question as students see it and with its key, and approve it (it becomes
shared: every teacher finds it under "Shared repository", may copy it into their school's bank, and may use it in
quizzes and exams) or return it with a comment the author reads. The author may withdraw a request still waiting.

A shared question stays shared with its reviewed version pinned: the question's current version is always a
reviewed one. Editing a shared question stores the new content as a newer version and sends it for review (a
request of kind "edit"); until it is approved, everyone else, every quiz and every exam keeps getting the reviewed
version, and only the author (and the reviewers, in the queue) see the one waiting. A return leaves the reviewed
version in place. The questions of the shared repository itself (no school: installed from a content pack) are
curated by their pack, not reviewed by a school.

While a request waits, its question cannot be edited (the reviewer must judge what stays): withdraw it first. Every
request stays as the question's review history: who sent it and when, who decided what, when, and why.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.assessment import bank, rules
from lms_core.assessment.data import from_data, to_data
from lms_core.assessment.items import Item
from lms_core.assessment.models import Question, QuestionReview, QuestionVersion
from lms_core.db import utcnow
from lms_core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import Subject

if TYPE_CHECKING:
    from lms_core.plugins.host import PluginHost

SHARE, EDIT = "share", "edit"
SUBMITTED, APPROVED, RETURNED, WITHDRAWN = "submitted", "approved", "returned", "withdrawn"
STATUS_LABELS = {SUBMITTED: N_("Waiting for review"), APPROVED: N_("Approved"), RETURNED: N_("Returned"),
                 WITHDRAWN: N_("Withdrawn")}
KIND_LABELS = {SHARE: N_("Share the question"), EDIT: N_("Change of a shared question")}
MAX_COMMENT = 2000
MAX_BATCH = 200

REVIEW_NOT_FOUND = N_("This review request does not exist.")
ONLY_AUTHOR = N_("Only the author of this question can send it for review or withdraw it.")
PRIVATE_NO_REVIEW = N_("Only you can see this question, so nobody could review it. Make it visible to the teachers "
                       "of your school first.")
ALREADY_SHARED = N_("This question is already in the shared repository.")
ALREADY_WAITING = N_("This question is already waiting for review.")
ARCHIVED = N_("An archived question cannot be shared. Bring it back to the bank first.")
NOTHING_CHOSEN = N_("Tick the questions to send for review first.")
TOO_MANY = N_("At most {max} questions can be sent for review at once.")
IN_BATCH = N_("Nothing was sent: “{title}”: {problem}")
OWN_WORK = N_("You cannot review your own question: another reviewer must do it.")
NOT_REVIEWER = N_("Only the head of this subject group or the school administrator can review this question.")
DECIDE_ONLY_WAITING = N_("This request is no longer waiting for review: it was already decided or withdrawn.")
WITHDRAW_ONLY_WAITING = N_("Only a request still waiting for review can be withdrawn; this one was already decided.")
COMMENT_REQUIRED = N_("Say what should change: a comment is required to return a question.")
COMMENT_TOO_LONG = N_("A comment may have at most 2,000 characters.")
CHANGED_MEANWHILE = N_("Someone else changed this request in the meantime. Reload the page and try again.")
WAITING_NO_EDIT = N_("This question is waiting for review, so it cannot be changed now. Withdraw the request first, "
                     "then edit it.")
SHARED_STAYS = N_("A question of the shared repository keeps its subject, grade and visibility. Copy it into your "
                  "bank to change them.")


# ---- who reviews --------------------------------------------------------------------------------------------------

class Reviewers(Protocol):
    """What a truongso_reviewers implementation returns: who reviews a school's work in a subject, and the same as
    a WHERE clause over a (school, subject) pair of columns."""

    def reviews(self, db: Session, actor: User, *, school_id: int | None, subject_id: int | None) -> bool:
        """Return whether the actor reviews the school's work in the subject."""

    def scope(self, actor: User, *, school_id: Any, subject_id: Any) -> Any:
        """Return the WHERE clause of the rows whose school and subject columns the actor reviews."""


class SchoolAdmins:
    """The reviewers when no plugin names any: a school's administrators."""

    def reviews(self, db: Session, actor: User, *, school_id: int | None, subject_id: int | None) -> bool:
        """Return whether the actor administers the school."""
        return actor.is_active and school_id is not None and school_id in actor.school_ids(Role.school_admin)

    def scope(self, actor: User, *, school_id: Any, subject_id: Any) -> Any:
        """Return the WHERE clause of the rows of the schools the actor administers."""
        return school_id.in_(actor.school_ids(Role.school_admin)) if actor.is_active else false()


def reviewers(host: PluginHost | None) -> list[Reviewers]:
    """Return who reviews shared work, as the plugins say (a school's administrators when none does)."""
    found = [r for result in host.pm.hook.truongso_reviewers() for r in result or []] if host is not None else []
    return found or [SchoolAdmins()]


def is_reviewer(db: Session, actor: User, host: PluginHost | None, question: Question) -> bool:
    """Return whether the actor reviews what the question's school shares in its subject."""
    if question.school_id is None or not actor.is_active:
        return False
    return any(r.reviews(db, actor, school_id=question.school_id, subject_id=question.subject_id)
               for r in reviewers(host))


def _reviewed(actor: User, host: PluginHost | None) -> ColumnElement[bool]:
    """Return the WHERE clause of the questions the actor reviews (the list half of is_reviewer)."""
    return or_(*(r.scope(actor, school_id=Question.school_id, subject_id=Question.subject_id)
                 for r in reviewers(host)))


# ---- reading ------------------------------------------------------------------------------------------------------

def pending_review(db: Session, question_id: int) -> QuestionReview | None:
    """Return the question's request waiting for review, if any."""
    return db.scalar(select(QuestionReview).where(QuestionReview.question_id == question_id,
                                                  QuestionReview.status == SUBMITTED))


def edits_need_review(db: Session, question: Question) -> bool:
    """Return whether an edit of the question goes through sharing: it is shared by a school, or waits for review."""
    if question.school_id is None:
        return False  # the repository's own questions are kept by their content pack
    return question.visibility == rules.SHARED or pending_review(db, question.id) is not None


@dataclass(frozen=True)
class HistoryRow:
    """One request of a question's review history with the names of who sent and who decided it."""

    review: QuestionReview
    number: int
    sent_by: str
    decided_by: str


def history(db: Session, question: Question) -> list[HistoryRow]:
    """Return every review request of a question, oldest first (the page decides who may read it)."""
    sender, decider = aliased(User), aliased(User)
    rows = db.execute(select(QuestionReview, QuestionVersion.number, sender.full_name, decider.full_name)
                      .join(QuestionVersion, QuestionVersion.id == QuestionReview.version_id)
                      .join(sender, sender.id == QuestionReview.submitted_by_id)
                      .outerjoin(decider, decider.id == QuestionReview.decided_by_id)
                      .where(QuestionReview.question_id == question.id)
                      .order_by(QuestionReview.submitted_at, QuestionReview.id))
    return [HistoryRow(r, n, s or "", d or "") for r, n, s, d in rows]


@dataclass
class Standing:
    """Where a question stands with the shared repository, as its page shows it to one user."""

    shared: bool
    pending: QuestionReview | None = None
    last: QuestionReview | None = None        # the latest decided request
    may_submit: bool = False
    may_withdraw: bool = False
    may_review: bool = False
    may_copy: bool = False
    history: list[HistoryRow] = field(default_factory=list)


def standing(db: Session, actor: User, host: PluginHost | None, question: Question) -> Standing:
    """Return where the question stands with the shared repository and what this user may do about it."""
    owner = question.owner_id == actor.id
    reviewer = not owner and is_reviewer(db, actor, host, question)
    involved = owner or reviewer or actor.has_role(Role.system_admin)
    pending = pending_review(db, question.id) if involved else None
    out = Standing(shared=question.visibility == rules.SHARED, pending=pending)
    if involved:
        out.history = history(db, question)
        decided = [h.review for h in out.history if h.review.status != SUBMITTED]
        out.last = decided[-1] if decided else None
    out.may_submit = (owner and pending is None and not question.archived and question.school_id is not None
                      and question.visibility == rules.SCHOOL)
    out.may_withdraw = owner and pending is not None
    out.may_review = reviewer and pending is not None and not question.archived
    out.may_copy = not owner and not question.archived and bool(rules.staff_schools(actor))
    return out


def visible_versions(db: Session, actor: User, question: Question) -> list[QuestionVersion]:
    """Return the question's versions this user may read, newest first: a change of a shared question waiting for
    review (or returned) is its author's alone."""
    versions = bank.versions_of(db, question)
    if question.owner_id == actor.id or actor.has_role(Role.system_admin):
        return versions
    current = next((v for v in versions if v.id == question.current_version_id), None)
    return [v for v in versions if current is None or v.number <= current.number]


def item_to_edit(db: Session, question: Question) -> Item:
    """Return the content the author's edit form starts from: their newest version (reviewed or not)."""
    versions = bank.versions_of(db, question)
    if not versions:
        raise NotFound(bank.QUESTION_NOT_FOUND)
    return from_data(versions[0].data)


# ---- the author's steps -------------------------------------------------------------------------------------------

def _text(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_COMMENT:
        raise Invalid(COMMENT_TOO_LONG)
    return text


def _check_submittable(db: Session, actor: User, question: Question) -> None:
    if question.owner_id != actor.id:
        raise Forbidden(ONLY_AUTHOR)
    if question.archived:
        raise Invalid(ARCHIVED)
    if question.visibility == rules.SHARED or question.school_id is None:
        raise Invalid(ALREADY_SHARED)
    if question.visibility != rules.SCHOOL:
        raise Invalid(PRIVATE_NO_REVIEW)
    if question.current_version_id is None:
        raise NotFound(bank.QUESTION_NOT_FOUND)
    if pending_review(db, question.id) is not None:
        raise Conflict(ALREADY_WAITING)


def _title(db: Session, question: Question) -> str:
    if question.title:
        return question.title
    from lms_core.assessment.render import plain_text

    return plain_text(bank.current_item(db, question).stem)[:80] or f"#{question.id}"


def submit_many(*, db: Session, actor: User, question_ids: Iterable[int], note: str = "") -> list[QuestionReview]:
    """Send the actor's chosen questions for review to go to the shared repository: all of them, or none."""
    bank.bank_school(actor)
    ids = list(dict.fromkeys(int(i) for i in question_ids))
    if not ids:
        raise Invalid(NOTHING_CHOSEN)
    if len(ids) > MAX_BATCH:
        raise Invalid(TOO_MANY, max=MAX_BATCH)
    note = _text(note)
    questions = []
    for question_id in ids:
        question = bank.get_question(db=db, actor=actor, question_id=question_id)
        try:
            _check_submittable(db, actor, question)
        except DomainError as exc:
            if len(ids) == 1:
                raise
            raise type(exc)(IN_BATCH, title=_title(db, question), problem=exc.translated()) from None
        questions.append(question)
    now = utcnow()
    reviews = [QuestionReview(question_id=q.id, version_id=q.current_version_id, kind=SHARE, status=SUBMITTED,
                              pending=True, note=note, submitted_by_id=actor.id, submitted_at=now)
               for q in questions]
    try:
        db.add_all(reviews)
        db.commit()
    except IntegrityError:  # another request for one of them arrived meanwhile
        db.rollback()
        raise Conflict(ALREADY_WAITING) from None
    except BaseException:
        db.rollback()
        raise
    return reviews


def submit(*, db: Session, actor: User, question_id: int, note: str = "") -> QuestionReview:
    """Send one of the actor's questions for review to go to the shared repository."""
    return submit_many(db=db, actor=actor, question_ids=[question_id], note=note)[0]


def _load(db: Session, review_id: int) -> tuple[QuestionReview, Question]:
    review = db.get(QuestionReview, review_id)
    question = db.get(Question, review.question_id) if review is not None else None
    if review is None or question is None:
        raise NotFound(REVIEW_NOT_FOUND)
    return review, question


def _close(db: Session, actor: User, review: QuestionReview, to: str, comment: str) -> None:
    """Move a waiting request to its outcome only if nobody decided it meanwhile, recording who, when and why."""
    done = db.execute(update(QuestionReview)
                      .where(QuestionReview.id == review.id, QuestionReview.status == SUBMITTED)
                      .values(status=to, pending=None, decided_by_id=actor.id, decided_at=utcnow(),
                              comment=comment))
    if done.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE)
    db.refresh(review)


def withdraw(*, db: Session, actor: User, review_id: int, comment: str = "") -> QuestionReview:
    """Withdraw the actor's request still waiting for review (the question stays as it was)."""
    bank.bank_school(actor)
    review, question = _load(db, review_id)
    if question.owner_id != actor.id:
        if permissions.can(actor, "question.view", question):
            raise Forbidden(ONLY_AUTHOR)
        raise NotFound(REVIEW_NOT_FOUND)
    if review.status != SUBMITTED:
        raise Invalid(WITHDRAW_ONLY_WAITING)
    comment = _text(comment)
    try:
        _close(db, actor, review, WITHDRAWN, comment)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return review


def edit_shared(*, db: Session, actor: User, question: Question, item: Item, note: str = "",
                subject_id: int | None = None, grade: int | None = None, visibility: str | None = None,
                curriculum_item_ids: Iterable[int] | None = None) -> QuestionVersion:
    """Store the author's edit of a shared question as a newer version and send it for review; the reviewed version
    stays current (what everyone else sees) until the change is approved."""
    if pending_review(db, question.id) is not None:
        raise Invalid(WAITING_NO_EDIT)
    if (subject_id not in (None, question.subject_id) or grade not in (None, question.grade)
            or visibility not in (None, question.visibility)):
        raise Invalid(SHARED_STAYS)
    item = bank.normalised(item)
    bank._refuse(bank.problems_of(item))
    versions = bank.versions_of(db, question)
    newest = versions[0] if versions else None
    ids = None if curriculum_item_ids is None else sorted({int(i) for i in curriculum_item_ids if int(i) > 0})
    same_items = ids is None or ids == bank.curriculum_ids(db, question)
    unchanged = newest is not None and not item.media and newest.data == to_data(item)
    if unchanged and newest.id == question.current_version_id and same_items:
        return newest
    fresh: list[str] = []
    try:
        if unchanged:  # the same change again (after a return or a withdrawal): review that version again
            version = newest
        else:
            number = (db.scalar(select(func.max(QuestionVersion.number))
                                .where(QuestionVersion.question_id == question.id)) or 0) + 1
            version = bank._new_version(db, actor, question, item, number=number, source="form", note=note,
                                        fresh=fresh, current=False)
        db.add(QuestionReview(question_id=question.id, version_id=version.id, kind=EDIT, status=SUBMITTED,
                              pending=True, note=_text(note), curriculum_item_ids=ids, submitted_by_id=actor.id,
                              submitted_at=utcnow()))
        db.flush()
    except IntegrityError:
        bank._undo(db, fresh)
        raise Conflict(ALREADY_WAITING) from None
    except BaseException:
        bank._undo(db, fresh)
        raise
    bank._commit_or_undo(db, fresh)
    return version


# ---- the reviewer's steps -----------------------------------------------------------------------------------------

def _as_reviewer(db: Session, actor: User, host: PluginHost | None, review_id: int) -> tuple[QuestionReview, Question]:
    review, question = _load(db, review_id)
    if question.owner_id == actor.id:
        raise Forbidden(OWN_WORK)
    if not is_reviewer(db, actor, host, question):
        if permissions.can(actor, "question.view", question):
            raise Forbidden(NOT_REVIEWER)
        raise NotFound(REVIEW_NOT_FOUND)
    if review.status != SUBMITTED:
        raise Invalid(DECIDE_ONLY_WAITING)
    return review, question


def approve(*, db: Session, actor: User, host: PluginHost | None, review_id: int,
            comment: str = "") -> QuestionReview:
    """Approve a waiting request: the question goes to the shared repository, or its reviewed change becomes current."""
    review, question = _as_reviewer(db, actor, host, review_id)
    comment = _text(comment)
    if question.archived:
        raise Invalid(ARCHIVED)
    version = db.get(QuestionVersion, review.version_id)
    if review.kind == SHARE and question.current_version_id != review.version_id:
        raise Conflict(CHANGED_MEANWHILE)
    try:
        _close(db, actor, review, APPROVED, comment)
        if review.kind == SHARE:
            question.visibility = rules.SHARED
            question.updated_at = utcnow()
        else:
            bank.make_current(question, version, from_data(version.data))
            if review.curriculum_item_ids is not None:
                bank._set_curriculum(db, question, review.curriculum_item_ids)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return review


def return_review(*, db: Session, actor: User, host: PluginHost | None, review_id: int,
                  comment: str) -> QuestionReview:
    """Return a waiting request to its author with a comment saying what should change; the question stays as it was."""
    review, _question = _as_reviewer(db, actor, host, review_id)
    comment = _text(comment)
    if not comment:
        raise Invalid(COMMENT_REQUIRED)
    try:
        _close(db, actor, review, RETURNED, comment)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return review


def get_review(*, db: Session, actor: User, host: PluginHost | None, review_id: int) -> tuple[QuestionReview, Question]:
    """Return a request and its question for its author, its reviewers or a system admin; others get 'not found'."""
    review, question = _load(db, review_id)
    if not (question.owner_id == actor.id or actor.has_role(Role.system_admin)
            or is_reviewer(db, actor, host, question)):
        raise NotFound(REVIEW_NOT_FOUND)
    return review, question


# ---- lists --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    """A request as a list shows it: the request, its question, the version under review and who sent it."""

    review: QuestionReview
    question: Question
    version: QuestionVersion
    author: str
    subject: Subject | None
    decided_by: str = ""


def queue(*, db: Session, actor: User, host: PluginHost | None, limit: int = 200,
          offset: int = 0) -> list[QueueRow]:
    """Return the requests waiting for the actor's review, oldest first (never the actor's own), filtered in SQL."""
    bank.bank_school(actor)
    author = aliased(User)
    rows = db.execute(
        select(QuestionReview, Question, QuestionVersion, author.full_name, Subject)
        .join(Question, Question.id == QuestionReview.question_id)
        .join(QuestionVersion, QuestionVersion.id == QuestionReview.version_id)
        .join(author, author.id == Question.owner_id)
        .outerjoin(Subject, Subject.id == Question.subject_id)
        .where(QuestionReview.status == SUBMITTED, Question.owner_id != actor.id, Question.archived.is_(False),
               _reviewed(actor, host))
        .order_by(QuestionReview.submitted_at, QuestionReview.id).offset(offset).limit(limit))
    return [QueueRow(r, q, v, name or "", s) for r, q, v, name, s in rows]


def waiting_count(*, db: Session, actor: User, host: PluginHost | None) -> int:
    """Return how many requests wait for the actor's review."""
    if not actor.is_active or not (actor.school_ids(Role.school_admin) or actor.school_ids(Role.teacher)):
        return 0
    return db.scalar(select(func.count()).select_from(QuestionReview)
                     .join(Question, Question.id == QuestionReview.question_id)
                     .where(QuestionReview.status == SUBMITTED, Question.owner_id != actor.id,
                            Question.archived.is_(False), _reviewed(actor, host))) or 0


def my_requests(*, db: Session, actor: User, limit: int = 100) -> list[QueueRow]:
    """Return the actor's own requests, newest first, with their outcome and who decided them."""
    bank.bank_school(actor)
    decider = aliased(User)
    rows = db.execute(
        select(QuestionReview, Question, QuestionVersion, decider.full_name, Subject)
        .join(Question, Question.id == QuestionReview.question_id)
        .join(QuestionVersion, QuestionVersion.id == QuestionReview.version_id)
        .outerjoin(decider, decider.id == QuestionReview.decided_by_id)
        .outerjoin(Subject, Subject.id == Question.subject_id)
        .where(Question.owner_id == actor.id)
        .order_by(QuestionReview.submitted_at.desc(), QuestionReview.id.desc()).limit(limit))
    return [QueueRow(r, q, v, actor.full_name, s, name or "") for r, q, v, name, s in rows]


# ---- copying ------------------------------------------------------------------------------------------------------

def copy_to_bank(*, db: Session, actor: User, question_id: int) -> Question:
    """Copy a question the actor may see (a shared one, typically) into the actor's school bank as their own."""
    school_id = bank.bank_school(actor)
    source = bank.get_question(db=db, actor=actor, question_id=question_id)
    if source.archived:
        raise NotFound(bank.QUESTION_NOT_FOUND)
    item = bank.current_item(db, source)
    note = f"#{source.id} {_title(db, source)}"
    try:
        copy = bank._add(db, actor, school_id=school_id, subject_id=source.subject_id, grade=source.grade, item=item,
                         visibility=rules.SCHOOL, source="copy", note=note,
                         curriculum_item_ids=bank.curriculum_ids(db, source), fresh=[])
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return copy
