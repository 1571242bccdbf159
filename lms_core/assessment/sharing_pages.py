"""HTML routes of sharing questions through review: sending a question (or the ones ticked in the bank list), the
review queue with the author's own requests, a request under review (the question as students see it, its key,
the history) with approve, return and withdraw, and copying a question into one's school bank."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import User
from lms_core.assessment import bank, sharing
from lms_core.assessment.bank_pages import TYPE_LABELS, VISIBILITY_LABELS, question_view
from lms_core.assessment.data import from_data
from lms_core.assessment.items import LEVEL_LABELS, Item, QType
from lms_core.assessment.models import Question, QuestionVersion
from lms_core.assessment.render import render_question_text
from lms_core.errors import Conflict, DomainError, Invalid
from lms_core.i18n import current_locale, gettext
from lms_core.org.models import Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Comment = Annotated[str, Form(max_length=sharing.MAX_COMMENT * 2)]
REVIEW = "/question-bank/review"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DONE = {"approved", "returned", "withdrawn"}


def _host(request: Request) -> Any:
    return request.app.state.plugins


def _inline(html: Markup) -> Markup:
    text = str(html).strip()
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return Markup(text[3:-4])
    return Markup(text)


def student_view(item: Item) -> dict[str, Any]:
    """Return what a student's quiz shows of a question (no key): texts as safe HTML, the fields they answer in."""
    md = render_question_text
    stem = re.sub(r"\{(\d+)\}", r"(\1) ……", item.stem) if item.type == QType.cloze else item.stem
    return {
        "type": item.type.value, "stem": md(stem), "points": item.points,
        "options": [(LETTERS[k % 26], _inline(md(c.text))) for k, c in enumerate(item.choices)],
        "statements": [("abcd"[k % 4], _inline(md(s.text))) for k, s in enumerate(item.statements)],
        "lefts": [_inline(md(p.left)) for p in item.pairs], "rights": [p.right for p in item.pairs],
        "order": [_inline(md(t)) for t in item.order],
        "blanks": [list(b.options) for b in item.blanks],
    }


def _labels() -> dict[str, Any]:
    return {"STATUS_LABELS": sharing.STATUS_LABELS, "KIND_LABELS": sharing.KIND_LABELS, "TYPE_LABELS": TYPE_LABELS,
            "Q_LEVEL_LABELS": LEVEL_LABELS, "VISIBILITY_LABELS": VISIBILITY_LABELS, "local_time": local_time}


def _subject_name(db: Session, subject_id: int) -> str:
    subject = db.get(Subject, subject_id)
    return subject.name(current_locale()) if subject else ""


# ---- the queue ----------------------------------------------------------------------------------------------------

@router.get(REVIEW)
def queue_page(request: Request, db: DbSession, user: CurrentUser,
               sent: Annotated[int | None, Query(ge=0, le=sharing.MAX_BATCH)] = None,
               done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """Show the questions waiting for the user's review and the user's own requests with their outcome."""
    host = _host(request)
    rows = sharing.queue(db=db, actor=user, host=host)
    locale = current_locale()
    return render(request, "assessment/share_queue.html", {
        **_labels(), "rows": rows, "mine": sharing.my_requests(db=db, actor=user), "sent": sent,
        "done": done if done in DONE else None, "locale": locale,
        "titles": {r.review.id: _title(r.question, r.version) for r in rows},
    })


def _title(question: Question, version: QuestionVersion) -> str:
    from lms_core.assessment.render import plain_text

    item = from_data(version.data)
    return item.title or question.title or plain_text(item.stem)[:80] or f"#{question.id}"


# ---- a request ----------------------------------------------------------------------------------------------------

def _review_page(request: Request, db: Session, user: User, review_id: int, *, error: str | None = None,
                 comment: str = "", status_code: int = 200) -> Response:
    host = _host(request)
    review, question = sharing.get_review(db=db, actor=user, host=host, review_id=review_id)
    version = db.get(QuestionVersion, review.version_id)
    item = from_data(version.data)
    reviewer = question.owner_id != user.id and sharing.is_reviewer(db, user, host, question)
    shared_now = None
    if review.kind == sharing.EDIT and question.current_version_id and question.current_version_id != version.id:
        shared_now = db.get(QuestionVersion, question.current_version_id)
    return render(request, "assessment/share_review.html", {
        **_labels(), "review": review, "question": question, "version": version, "view": question_view(item),
        "student": student_view(item), "shared_now": shared_now, "history": sharing.history(db, question),
        "can_review": reviewer and review.status == sharing.SUBMITTED and not question.archived,
        "can_withdraw": question.owner_id == user.id and review.status == sharing.SUBMITTED,
        "author": db.get(User, question.owner_id), "subject": _subject_name(db, question.subject_id),
        "error": error, "comment": comment, "title": _title(question, version),
    }, status_code=status_code)


@router.get(REVIEW + "/{review_id}")
def review_page(request: Request, review_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show a request: the question as students see it, its key, the history, and the reviewer's or author's buttons."""
    bank.bank_school(user)
    return _review_page(request, db, user, review_id)


def _decide(request: Request, db: Session, user: User, review_id: int, comment: str, step: str) -> Response:
    bank.bank_school(user)
    act = {"approved": sharing.approve, "returned": sharing.return_review}[step]
    try:
        act(db=db, actor=user, host=_host(request), review_id=review_id, comment=comment)
    except (Invalid, Conflict) as exc:
        db.rollback()
        return _review_page(request, db, user, review_id, error=exc.translated(), comment=comment,
                            status_code=exc.status_code)
    return RedirectResponse(f"{REVIEW}?done={step}", status_code=303)


@router.post(REVIEW + "/{review_id}/approve")
def approve(request: Request, review_id: Id, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Approve a question waiting for review: it goes to the shared repository (or its change becomes current)."""
    return _decide(request, db, user, review_id, comment, "approved")


@router.post(REVIEW + "/{review_id}/return")
def return_review(request: Request, review_id: Id, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Return a question waiting for review to its author with a comment."""
    return _decide(request, db, user, review_id, comment, "returned")


@router.post(REVIEW + "/{review_id}/withdraw")
def withdraw(request: Request, review_id: Id, db: DbSession, user: CurrentUser, comment: Comment = "") -> Response:
    """Withdraw the user's own request still waiting for review, then go back to the question."""
    try:
        review = sharing.withdraw(db=db, actor=user, review_id=review_id, comment=comment)
    except (Invalid, Conflict) as exc:
        db.rollback()
        return _review_page(request, db, user, review_id, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/question-bank/{review.question_id}?sharing=withdrawn", status_code=303)


# ---- sending ------------------------------------------------------------------------------------------------------

def _confirm_page(request: Request, db: Session, user: User, ids: list[int], *, note: str = "",
                  error: str | None = None, status_code: int = 200) -> Response:
    rows = []
    for question_id in ids[:sharing.MAX_BATCH]:
        question = db.get(Question, question_id)
        if question is None or question.owner_id != user.id:
            continue  # only one's own questions are listed; the service names any other one when sending
        version = db.get(QuestionVersion, question.current_version_id) if question.current_version_id else None
        if version is None:
            continue
        try:
            sharing._check_submittable(db, user, question)
            problem = None
        except DomainError as exc:
            problem = exc.translated()
        rows.append({"question": question, "title": _title(question, version), "problem": problem,
                     "view": question_view(from_data(version.data))})
    return render(request, "assessment/share_confirm.html", {
        **_labels(), "rows": rows, "ids": ids, "note": note, "error": error,
        "ready": bool(rows) and not any(r["problem"] for r in rows) and len(rows) == len(ids),
    }, status_code=status_code)


@router.get("/question-bank/share")
def share_confirm(request: Request, db: DbSession, user: CurrentUser,
                  ids: Annotated[list[Annotated[int, Query(ge=1, le=MAX_ID)]] | None, Query(max_length=500)] = None
                  ) -> Response:
    """Show the questions ticked in the bank list, what stops any of them, and the button that sends them."""
    bank.bank_school(user)
    chosen = list(dict.fromkeys(ids or []))
    error = None if chosen else sharing.NOTHING_CHOSEN
    return _confirm_page(request, db, user, chosen, error=gettext(error) if error else None,
                         status_code=200 if chosen else 422)


@router.post("/question-bank/share")
def share_many(request: Request, db: DbSession, user: CurrentUser,
               ids: Annotated[list[Annotated[int, Form(ge=1, le=MAX_ID)]] | None, Form(max_length=500)] = None,
               note: Comment = "") -> Response:
    """Send the chosen questions for review, all of them or none, then show the user's requests."""
    bank.bank_school(user)
    chosen = list(dict.fromkeys(ids or []))
    try:
        reviews = sharing.submit_many(db=db, actor=user, question_ids=chosen, note=note)
    except DomainError as exc:
        db.rollback()
        return _confirm_page(request, db, user, chosen, note=note, error=exc.translated(),
                             status_code=exc.status_code)
    return RedirectResponse(f"{REVIEW}?sent={len(reviews)}#mine", status_code=303)


@router.post("/question-bank/{question_id}/share")
def share_one(question_id: Id, db: DbSession, user: CurrentUser, note: Comment = "") -> Response:
    """Send one question for review, then go back to it."""
    sharing.submit(db=db, actor=user, question_id=question_id, note=note)
    return RedirectResponse(f"/question-bank/{question_id}?sharing=sent", status_code=303)


@router.post("/question-bank/{question_id}/copy")
def copy(question_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Copy a question into the user's school bank as their own, then open the copy."""
    question = sharing.copy_to_bank(db=db, actor=user, question_id=question_id)
    return RedirectResponse(f"/question-bank/{question.id}?copied={question_id}", status_code=303)


def sharing_context(request: Request, db: Session, user: User, question: Question) -> dict[str, Any]:
    """Return what a question's page shows about sharing (see assessment/_sharing.html)."""
    state = sharing.standing(db, user, _host(request), question)
    notice = request.query_params.get("sharing")
    copied = request.query_params.get("copied")
    return {"sharing": state, "sharing_notice": notice if notice in ("sent", "withdrawn") else None,
            "copied_from": int(copied) if copied and copied.isdecimal() and len(copied) < 11 else None,
            "STATUS_LABELS": sharing.STATUS_LABELS, "KIND_LABELS": sharing.KIND_LABELS}
