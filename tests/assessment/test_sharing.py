"""Sharing questions through review: the author sends a question, the head of its subject group (or the school's
admin) approves it into the shared repository or returns it with a comment; every teacher then finds it, copies it
and draws it; an edit of a shared question waits for review while the reviewed version stays; and every refusal
(other school, student, twice, someone else's, unknown) says why and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.review import heads
from lms_core.accounts.models import Role, RoleAssignment
from lms_core.assessment import bank, builder, sharing
from lms_core.assessment.bank import BankFilter
from lms_core.assessment.items import Choice, Item, QType
from lms_core.assessment.models import Question, QuestionReview, QuestionVersion
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.plugins.host import PluginHost
from tests.assessment.test_builder import single, store
from tests.builders import make_user


def content_host() -> PluginHost:
    """Return a host where the content package answers who reviews (subject group heads and the school's admin)."""
    import content.plugin as plugin

    host = PluginHost(load_entry_points=False)
    host.register("content", plugin)
    return host


def name_head(db: Session, world: Any) -> Any:
    """Name the world's other teacher head of the subject group of the world's subject in school A."""
    heads.assign_head(db=db, actor=world.school_admin, school_id=world.school.id, subject_id=world.subject.id,
                      user_id=world.other_teacher.id)
    return world.other_teacher


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: the content package is registered."""
    return content_host()


@pytest.fixture()
def head(db: Session, world: Any) -> Any:
    """Return the head of the subject group (the world's other teacher)."""
    return name_head(db, world)


def question(db: Session, world: Any, n: int = 1, *, owner: Any = None, visibility: str = "school") -> Question:
    qid = store(db, world, [single(n)], owner=owner, visibility=visibility)[0]
    return db.get(Question, qid)


def state(db: Session) -> list[tuple[Any, ...]]:
    """Return what a refused request must leave unchanged: every review and every question's place and version."""
    db.expire_all()
    reviews = [(r.id, r.status, r.pending, r.decided_by_id, r.comment)
               for r in db.scalars(select(QuestionReview).order_by(QuestionReview.id))]
    questions = [(q.id, q.visibility, q.current_version_id, q.archived)
                 for q in db.scalars(select(Question).order_by(Question.id))]
    return reviews + questions


def shared_for(db: Session, actor: Any) -> list[int]:
    return [q.id for q, _v in bank.list_questions(db=db, actor=actor, filters=BankFilter(shared=True))]


def test_the_head_approves_and_every_teacher_finds_draws_and_copies_the_question(db: Session, world, head,
                                                                                 plugin_host) -> None:
    q = question(db, world)
    assert shared_for(db, world.other_school_teacher) == []
    review = sharing.submit(db=db, actor=world.teacher, question_id=q.id, note="Câu hay cho lớp 6")
    assert review.status == "submitted" and review.version_id == q.current_version_id
    assert [r.review.id for r in sharing.queue(db=db, actor=head, host=plugin_host)] == [review.id]
    assert [r.review.id for r in sharing.queue(db=db, actor=world.school_admin, host=plugin_host)] == [review.id]
    assert sharing.queue(db=db, actor=world.teacher, host=plugin_host) == []          # never one's own
    assert sharing.queue(db=db, actor=world.other_school_teacher, host=plugin_host) == []
    assert sharing.queue(db=db, actor=world.other_school_admin, host=plugin_host) == []
    assert sharing.waiting_count(db=db, actor=head, host=plugin_host) == 1
    assert shared_for(db, world.other_school_teacher) == []                           # not before approval

    sharing.approve(db=db, actor=head, host=plugin_host, review_id=review.id, comment="Tốt")
    db.expire_all()
    assert q.visibility == "shared"
    assert shared_for(db, world.other_school_teacher) == [q.id]
    assert shared_for(db, world.other_school_admin) == [q.id]
    [row] = sharing.history(db, q)
    assert (row.review.status, row.decided_by, row.review.comment, row.sent_by) == (
        "approved", head.full_name, "Tốt", world.teacher.full_name)
    assert row.review.decided_at is not None and row.review.pending is None
    assert sharing.queue(db=db, actor=head, host=plugin_host) == []
    # another school's teacher draws it for an exam like their own questions ...
    drawn = builder.candidates(db=db, actor=world.other_school_teacher, subject_id=world.subject.id, grade=6)
    assert [c.question_id for c in drawn] == [q.id]
    # ... and copies it into their school's bank as their own
    copy = sharing.copy_to_bank(db=db, actor=world.other_school_teacher, question_id=q.id)
    assert (copy.school_id, copy.owner_id, copy.visibility) == (world.other_school.id, world.other_school_teacher.id,
                                                                "school")
    assert bank.current_item(db, copy).stem == bank.current_item(db, q).stem
    assert db.get(QuestionVersion, copy.current_version_id).source == "copy"
    bank.edit_question(db=db, actor=world.other_school_teacher, question_id=copy.id,
                       item=single(1, answer=2))  # the copy is theirs to change; the shared one is not
    assert bank.current_item(db, q).choices[0].correct


def test_a_returned_question_shows_the_comment_and_can_be_sent_again(db: Session, world, head, plugin_host) -> None:
    q = question(db, world)
    review = sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    before = state(db)
    with pytest.raises(Invalid) as refused:
        sharing.return_review(db=db, actor=head, host=plugin_host, review_id=review.id, comment="  ")
    assert refused.value.message == sharing.COMMENT_REQUIRED
    assert state(db) == before
    sharing.return_review(db=db, actor=head, host=plugin_host, review_id=review.id,
                          comment="Phương án C chưa đúng chính tả.")
    db.expire_all()
    assert q.visibility == "school"
    seen = sharing.standing(db, world.teacher, plugin_host, q)
    assert seen.last.status == "returned" and seen.last.comment == "Phương án C chưa đúng chính tả."
    assert seen.may_submit and not seen.may_withdraw
    bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=single(1, answer=1))
    again = sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    assert again.id != review.id and again.version_id == q.current_version_id
    assert [h.review.status for h in sharing.history(db, q)] == ["returned", "submitted"]


def test_refusals_say_why_and_change_nothing(db: Session, world, head, plugin_host) -> None:
    q = question(db, world)
    private = question(db, world, 2, visibility="private")
    colleague = make_user(db, "gva3", "Giáo Viên A Ba", RoleAssignment(role=Role.teacher, school_id=world.school.id),
                          school=world.school)
    db.commit()
    before = state(db)
    refusals = [
        (lambda: sharing.submit(db=db, actor=world.student, question_id=q.id), Forbidden, bank.NOT_STAFF),
        (lambda: sharing.submit(db=db, actor=world.other_teacher, question_id=q.id), Forbidden, sharing.ONLY_AUTHOR),
        (lambda: sharing.submit(db=db, actor=world.other_school_teacher, question_id=q.id), NotFound,
         bank.QUESTION_NOT_FOUND),
        (lambda: sharing.submit(db=db, actor=world.teacher, question_id=999_999), NotFound, bank.QUESTION_NOT_FOUND),
        (lambda: sharing.submit(db=db, actor=world.teacher, question_id=private.id), Invalid,
         sharing.PRIVATE_NO_REVIEW),
        (lambda: sharing.submit_many(db=db, actor=world.teacher, question_ids=[]), Invalid, sharing.NOTHING_CHOSEN),
        (lambda: sharing.queue(db=db, actor=world.student, host=plugin_host), Forbidden, bank.NOT_STAFF),
    ]
    for call, error, message in refusals:
        with pytest.raises(error) as refused:
            call()
        assert refused.value.message == message
        assert state(db) == before
    review = sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    before = state(db)
    decisions = [
        (world.teacher, Forbidden, sharing.OWN_WORK),
        (colleague, Forbidden, sharing.NOT_REVIEWER),              # same school, not the head
        (world.other_school_teacher, NotFound, sharing.REVIEW_NOT_FOUND),
        (world.other_school_admin, NotFound, sharing.REVIEW_NOT_FOUND),
        (world.student, NotFound, sharing.REVIEW_NOT_FOUND),
    ]
    for who, error, message in decisions:
        for act in (sharing.approve, sharing.return_review):
            with pytest.raises(error) as refused:
                act(db=db, actor=who, host=plugin_host, review_id=review.id, comment="x")
            assert refused.value.message == message, who.username
            assert state(db) == before
    with pytest.raises(NotFound):
        sharing.approve(db=db, actor=head, host=plugin_host, review_id=999_999)
    with pytest.raises(Conflict) as twice:
        sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    assert twice.value.message == sharing.ALREADY_WAITING
    with pytest.raises(Forbidden) as theirs:
        sharing.withdraw(db=db, actor=world.other_teacher, review_id=review.id)
    assert theirs.value.message == sharing.ONLY_AUTHOR
    with pytest.raises(Invalid) as waiting:
        bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=single(1, answer=3))
    assert waiting.value.message == sharing.WAITING_NO_EDIT
    assert state(db) == before

    sharing.approve(db=db, actor=head, host=plugin_host, review_id=review.id)
    after = state(db)
    with pytest.raises(Invalid) as again:
        sharing.approve(db=db, actor=world.school_admin, host=plugin_host, review_id=review.id)
    assert again.value.message == sharing.DECIDE_ONLY_WAITING
    with pytest.raises(Invalid) as late:
        sharing.withdraw(db=db, actor=world.teacher, review_id=review.id)
    assert late.value.message == sharing.WITHDRAW_ONLY_WAITING
    with pytest.raises(Invalid) as shared:
        sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    assert shared.value.message == sharing.ALREADY_SHARED
    assert state(db) == after


def test_a_selection_is_sent_whole_or_not_at_all(db: Session, world, head, plugin_host) -> None:
    ids = store(db, world, [single(n) for n in range(3)])
    private = question(db, world, 9, visibility="private")
    before = state(db)
    with pytest.raises(Invalid) as refused:
        sharing.submit_many(db=db, actor=world.teacher, question_ids=[*ids, private.id])
    assert refused.value.message == sharing.IN_BATCH
    assert refused.value.params["title"].startswith("Câu hỏi trắc nghiệm số 9")
    assert state(db) == before
    sent = sharing.submit_many(db=db, actor=world.teacher, question_ids=[*ids, ids[0]], note="Ba câu")
    assert sorted(r.question_id for r in sent) == sorted(ids)
    assert len(sharing.queue(db=db, actor=head, host=plugin_host)) == 3
    assert [r.review.note for r in sharing.my_requests(db=db, actor=world.teacher)] == ["Ba câu"] * 3


def test_the_author_withdraws_a_waiting_request_and_may_edit_again(db: Session, world, head, plugin_host) -> None:
    q = question(db, world)
    review = sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    sharing.withdraw(db=db, actor=world.teacher, review_id=review.id, comment="Sửa thêm đã")
    db.expire_all()
    assert (review.status, review.pending, review.decided_by_id) == ("withdrawn", None, world.teacher.id)
    assert q.visibility == "school" and sharing.queue(db=db, actor=head, host=plugin_host) == []
    version = bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=single(1, answer=2))
    assert q.current_version_id == version.id


def test_an_edit_of_a_shared_question_waits_while_the_reviewed_version_stays(db: Session, world, head,
                                                                              plugin_host) -> None:
    q = question(db, world)
    sharing.approve(db=db, actor=head, host=plugin_host,
                    review_id=sharing.submit(db=db, actor=world.teacher, question_id=q.id).id)
    reviewed = q.current_version_id
    changed = Item(QType.single, "Câu hỏi đã sửa: $x^2$ khi $x = 2$?", title="Bình phương", level="nhan_biet",
                   tags=["hàm số"], choices=[Choice("4", correct=True), Choice("2"), Choice("8")])
    with pytest.raises(Invalid) as place:
        bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=changed, grade=7)
    assert place.value.message == sharing.SHARED_STAYS
    proposal = bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=changed, note="Sửa đề")
    db.expire_all()
    assert q.current_version_id == reviewed and proposal.id != reviewed and q.visibility == "shared"
    assert bank.current_item(db, q).stem.startswith("Câu hỏi trắc nghiệm")          # what everyone gets
    assert proposal.id not in {v.id for v in sharing.visible_versions(db, world.other_school_teacher, q)}
    assert proposal.id in {v.id for v in sharing.visible_versions(db, world.teacher, q)}
    assert sharing.item_to_edit(db, q).stem.startswith("Câu hỏi đã sửa")               # the author goes on from it
    drawn = builder.candidates(db=db, actor=world.other_school_teacher, subject_id=world.subject.id, grade=6)
    assert [c.version_id for c in drawn] == [reviewed]
    [waiting] = sharing.queue(db=db, actor=head, host=plugin_host)
    assert (waiting.review.kind, waiting.version.id) == ("edit", proposal.id)
    with pytest.raises(Invalid):
        bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=single(1, answer=3))

    sharing.return_review(db=db, actor=head, host=plugin_host, review_id=waiting.review.id, comment="Thiếu lời giải")
    db.expire_all()
    assert q.current_version_id == reviewed
    again = bank.edit_question(db=db, actor=world.teacher, question_id=q.id, item=changed)  # the same change, resent
    assert again.id == proposal.id
    [waiting] = sharing.queue(db=db, actor=head, host=plugin_host)
    sharing.approve(db=db, actor=world.school_admin, host=plugin_host, review_id=waiting.review.id)
    db.expire_all()
    assert q.current_version_id == proposal.id and q.title == "Bình phương" and q.visibility == "shared"
    assert [h.review.status for h in sharing.history(db, q)] == ["approved", "returned", "approved"]


@pytest.mark.hook("truongso_reviewers")
def test_the_reviewers_hook_names_the_heads_and_without_it_only_admins_review(db: Session, world, head,
                                                                             plugin_host) -> None:
    q = question(db, world)
    bare = PluginHost(load_entry_points=False)
    assert [type(r).__name__ for r in sharing.reviewers(plugin_host)] == ["SchoolReviewers"]
    assert sharing.is_reviewer(db, head, plugin_host, q) and not sharing.is_reviewer(db, head, bare, q)
    assert sharing.is_reviewer(db, world.school_admin, bare, q)
    assert not sharing.is_reviewer(db, world.other_school_admin, plugin_host, q)
    review = sharing.submit(db=db, actor=world.teacher, question_id=q.id)
    assert sharing.queue(db=db, actor=head, host=bare) == []
    with pytest.raises(Forbidden):
        sharing.approve(db=db, actor=head, host=bare, review_id=review.id)
    assert db.scalar(select(func.count()).select_from(QuestionReview).where(QuestionReview.status == "submitted")) == 1
