"""The review workflow of material versions: submit, approve or return, publish, archive; every step recorded."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, event, exists, false, or_, select, update
from sqlalchemy.orm import Session, aliased, object_session
from sqlalchemy.orm.base import NO_VALUE, NEVER_SET

from content.materials import service as materials
from content.materials.models import (Material, MaterialVersion, ReviewEvent, SubjectGroupHead, VersionStatus,
                                      Visibility)
from content.repository.index import unindex
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid
from lms_core.i18n import N_
from lms_core.org.models import Subject

if TYPE_CHECKING:
    from lms_core.plugins.host import PluginHost

log = logging.getLogger(__name__)
S = VersionStatus

ONLY_AUTHOR = N_("Only the author of this material can do this.")
OWN_WORK = N_("You cannot review your own material: another reviewer must do it.")
NOT_REVIEWER = N_("Only the head of this subject group or the school administrator can review this material.")
CANNOT_PUBLISH = N_("Only the author or a reviewer of this material can publish it.")
DRAFT_ONLY_BY_AUTHOR = N_("Only the author can publish a draft without review.")
CANNOT_ARCHIVE = N_("Only the author or the school administrator can withdraw this material.")
HISTORY_HIDDEN = N_("Only the author and the reviewers of this material can see its review history.")
SUBMIT_ONLY_DRAFT = N_("Only a draft can be sent for review.")
RETURNED_STAYS = N_("A returned version stays returned. Edit the material to make a new version, then send that one "
                    "for review.")
SUBMIT_ONLY_NEWEST = N_("Only the newest version can be sent for review.")
PRIVATE_NO_REVIEW = N_("Only you can see this material, so nobody could review it. Make it visible to your school or "
                       "to the shared repository first.")
ALREADY_WAITING = N_("Version {number} of this material is already waiting for review.")
REVIEW_ONLY_SUBMITTED = N_("Only a version waiting for review can be approved or returned.")
COMMENT_REQUIRED = N_("Say what should change: a comment is required to return a version.")
COMMENT_TOO_LONG = N_("A comment may have at most 2,000 characters.")
SHARED_NEEDS_REVIEW = N_("A material in the shared repository is published only after review: send this version for "
                         "review first.")
NOT_PUBLISHABLE = N_("Only an approved version can be published (or, for a material that is not shared, the newest "
                     "draft).")
ARCHIVE_ONLY_PUBLISHED = N_("Only the published version can be archived.")
SHARE_NEEDS_REVIEW = N_("This material was published without review, so it cannot go to the shared repository yet. "
                        "Send its newest version for review; once it is approved and published, share it.")
CHANGED_MEANWHILE = N_("Someone else changed this version in the meantime. Reload the page and try again.")


@dataclass(frozen=True)
class QueueItem:
    """A version waiting for review, as the queue shows it."""

    version_id: int
    material_id: int
    number: int
    title: str
    kind: str
    visibility: str
    subject: Subject | None
    owner_name: str
    submitted_at: datetime


@dataclass(frozen=True)
class HistoryItem:
    """One recorded step of a material's versions, with the version number and the actor's name."""

    event: ReviewEvent
    number: int
    actor_name: str


# --- who may do what -----------------------------------------------------------------------

def reviews_place(db: Session, actor: User, *, school_id: int | None, subject_id: int | None) -> bool:
    """Return whether the actor reviews a school's work in a subject: its admin, or the head of that subject's group
    there (materials and shared questions alike)."""
    if not actor.is_active or school_id is None:
        return False
    if school_id in actor.school_ids(Role.school_admin):
        return True
    if subject_id is None or school_id not in actor.school_ids(Role.teacher):
        return False
    return bool(db.scalar(select(exists().where(
        SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id == school_id,
        SubjectGroupHead.subject_id == subject_id))))


def reviewed_places(actor: User, *, school_id: Any, subject_id: Any) -> Any:
    """Return the WHERE clause of the rows whose (school, subject) columns the actor reviews (reviews_place in SQL)."""
    if not actor.is_active:
        return false()
    heads = exists().where(SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id == school_id,
                           SubjectGroupHead.subject_id == subject_id)
    return or_(school_id.in_(actor.school_ids(Role.school_admin)),
               and_(school_id.in_(actor.school_ids(Role.teacher)), heads))


def is_reviewer(db: Session, actor: User, material: Material) -> bool:
    """Return whether the actor reviews this material: its school's admin or a head of its subject group there."""
    return reviews_place(db, actor, school_id=material.school_id, subject_id=material.subject_id)


def reviews_anything(db: Session, actor: User) -> bool:
    """Return whether the actor is a school admin or heads a subject group in a school where they teach."""
    if not actor.is_active:
        return False
    if actor.school_ids(Role.school_admin):
        return True
    schools = actor.school_ids(Role.teacher)
    return bool(schools) and bool(db.scalar(select(exists().where(
        SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id.in_(schools)))))


def _reviewed_by(actor: User) -> Any:
    """Return the WHERE clause of the materials the actor reviews (the list half of is_reviewer)."""
    return reviewed_places(actor, school_id=Material.school_id, subject_id=Material.subject_id)


def _was_approved(db: Session, version_id: int) -> bool:
    return bool(db.scalar(select(exists().where(ReviewEvent.version_id == version_id,
                                                ReviewEvent.to_status == S.approved))))


@dataclass(frozen=True)
class Step:
    """A workflow button to offer on a material's page."""

    number: int
    action: str  # submit, publish, archive, review
    label: str  # msgid
    version_id: int


def steps_for(*, db: Session, actor: User, material: Material) -> list[Step]:
    """Return the workflow steps this actor may take on a material now (the service still checks each)."""
    owner = material.owner_id == actor.id
    reviewer = not owner and is_reviewer(db, actor, material)
    out: list[Step] = []
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    if current is not None and current.id != material.published_version_id:
        if owner and current.status == S.draft:
            if material.visibility != Visibility.private:
                out.append(Step(current.number, "submit", N_("Send for review"), current.id))
            if material.visibility != Visibility.shared:
                out.append(Step(current.number, "publish", N_("Publish without review"), current.id))
        if current.status == S.approved and (owner or reviewer):
            out.append(Step(current.number, "publish", N_("Publish"), current.id))
        if current.status == S.submitted and reviewer:
            out.append(Step(current.number, "review", N_("Review this version"), current.id))
    published = db.get(MaterialVersion, material.published_version_id) if material.published_version_id else None
    if published is not None and (owner or material.school_id in actor.school_ids(Role.school_admin)):
        out.append(Step(published.number, "archive", N_("Withdraw the published version"), published.id))
    return out


# --- the steps -------------------------------------------------------------------------------

def _load(db: Session, actor: User, material_id: int, number: int) -> tuple[Material, MaterialVersion]:
    version = materials.get_version(db=db, actor=actor, material_id=material_id, number=number)
    return version.material, version


def _comment(comment: str | None) -> str:
    text = unicodedata.normalize("NFC", comment or "").strip()
    if len(text) > 2000:
        raise Invalid(COMMENT_TOO_LONG)
    return text


@contextmanager
def _writing(db: Session) -> Iterator[None]:
    """Run the writes of one step as one transaction: all of it is committed, or none."""
    try:
        yield
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _lock(db: Session, material: Material) -> None:
    """Lock the material's row (on databases that can), so two publications cannot interleave."""
    db.execute(select(Material.id).where(Material.id == material.id).with_for_update())
    db.refresh(material)


def _move(db: Session, actor: User, version: MaterialVersion, to: str, comment: str = "") -> ReviewEvent:
    """Change a version's status only if nobody changed it meanwhile, and record who, when, from, to and why."""
    before, now = version.status, utcnow()
    done = db.execute(update(MaterialVersion)
                      .where(MaterialVersion.id == version.id, MaterialVersion.status == before)
                      .values(status=to, status_changed_at=now))
    if done.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE)
    db.refresh(version, ["status", "status_changed_at"])
    step = ReviewEvent(version_id=version.id, actor_id=actor.id, from_status=before, to_status=to, comment=comment,
                       at=now)
    db.add(step)
    return step


def submit(*, db: Session, actor: User, material_id: int, number: int, comment: str = "") -> MaterialVersion:
    """Send the newest draft of one's own material for review."""
    material, version = _load(db, actor, material_id, number)
    if not permissions.can(actor, "material.edit", material):
        raise Forbidden(ONLY_AUTHOR)
    comment = _comment(comment)
    if version.status == S.returned:
        raise Invalid(RETURNED_STAYS)
    if version.status != S.draft:
        raise Invalid(SUBMIT_ONLY_DRAFT)
    if version.id != material.current_version_id:
        raise Invalid(SUBMIT_ONLY_NEWEST)
    if material.visibility == Visibility.private:
        raise Invalid(PRIVATE_NO_REVIEW)
    waiting = db.scalar(select(MaterialVersion.number).where(MaterialVersion.material_id == material.id,
                                                             MaterialVersion.status == S.submitted))
    if waiting is not None:
        raise Conflict(ALREADY_WAITING, number=waiting)
    with _writing(db):
        _move(db, actor, version, S.submitted, comment)
    return version


def _review(db: Session, actor: User, material_id: int, number: int, to: str, comment: str) -> MaterialVersion:
    material, version = _load(db, actor, material_id, number)
    if material.owner_id == actor.id:
        raise Forbidden(OWN_WORK)
    if not is_reviewer(db, actor, material):
        raise Forbidden(NOT_REVIEWER)
    if version.status != S.submitted:
        raise Invalid(REVIEW_ONLY_SUBMITTED)
    comment = _comment(comment)
    if to == S.returned and not comment:
        raise Invalid(COMMENT_REQUIRED)
    with _writing(db):
        _move(db, actor, version, to, comment)
    return version


def approve(*, db: Session, actor: User, material_id: int, number: int, comment: str = "") -> MaterialVersion:
    """Approve a version waiting for review (a reviewer other than its author)."""
    return _review(db, actor, material_id, number, S.approved, comment)


def return_version(*, db: Session, actor: User, material_id: int, number: int, comment: str) -> MaterialVersion:
    """Return a version waiting for review to its author, saying what should change."""
    return _review(db, actor, material_id, number, S.returned, comment)


def publish(*, db: Session, actor: User, host: PluginHost, material_id: int, number: int,
            comment: str = "") -> MaterialVersion:
    """Publish an approved version (or the author's newest draft of a material that is not shared); tell plugins."""
    material, version = _load(db, actor, material_id, number)
    author = material.owner_id == actor.id
    if not author and not is_reviewer(db, actor, material):
        raise Forbidden(CANNOT_PUBLISH)
    if version.status == S.draft:
        if not author:
            raise Forbidden(DRAFT_ONLY_BY_AUTHOR)
        if material.visibility == Visibility.shared:
            raise Invalid(SHARED_NEEDS_REVIEW)
        if version.id != material.current_version_id:
            raise Invalid(NOT_PUBLISHABLE)
    elif version.status != S.approved:
        raise Invalid(NOT_PUBLISHABLE)
    comment = _comment(comment)
    with _writing(db):
        _lock(db, material)
        previous = db.get(MaterialVersion, material.published_version_id) if material.published_version_id else None
        if previous is not None and previous.status == S.published:
            _move(db, actor, previous, S.archived, f"→ v{version.number}")
        _move(db, actor, version, S.published, comment)
        material.published_version_id = version.id
        material.updated_at = utcnow()
    _announce(db, host, material, version)
    return version


def _announce(db: Session, host: PluginHost, material: Material, version: MaterialVersion) -> None:
    """Tell the plugins, after the commit: whatever they do, the publication stands."""
    try:
        host.material_published(db=db, material=material, version=version)
    except Exception:
        log.exception("announcing the publication of material %s version %s failed", material.id, version.number)
        db.rollback()


def archive(*, db: Session, actor: User, material_id: int, number: int, comment: str = "") -> MaterialVersion:
    """Withdraw the published version (its author or the school admin): nothing of the material is published then."""
    material, version = _load(db, actor, material_id, number)
    if material.owner_id != actor.id and material.school_id not in actor.school_ids(Role.school_admin):
        raise Forbidden(CANNOT_ARCHIVE)
    if version.status != S.published or material.published_version_id != version.id:
        raise Invalid(ARCHIVE_ONLY_PUBLISHED)
    comment = _comment(comment)
    with _writing(db):
        _lock(db, material)
        _move(db, actor, version, S.archived, comment)
        material.published_version_id = None
        material.updated_at = utcnow()
        unindex(db, material.id)  # out of the shared repository's search in the same transaction
    return version


# --- lists -----------------------------------------------------------------------------------

def queue(*, db: Session, actor: User, limit: int = 200, offset: int = 0) -> list[QueueItem]:
    """Return the versions waiting for the actor's review, oldest first (never the actor's own), filtered in SQL."""
    owner = aliased(User)
    rows = db.execute(
        select(MaterialVersion, Material, owner.full_name, Subject)
        .join(Material, Material.id == MaterialVersion.material_id)
        .join(owner, owner.id == Material.owner_id)
        .outerjoin(Subject, Subject.id == Material.subject_id)
        .where(MaterialVersion.status == S.submitted, Material.owner_id != actor.id, _reviewed_by(actor),
               permissions.visible(actor, "material.view"))
        .order_by(MaterialVersion.status_changed_at, MaterialVersion.id).offset(offset).limit(limit))
    return [QueueItem(version_id=v.id, material_id=m.id, number=v.number, title=m.title, kind=m.kind,
                      visibility=m.visibility, subject=subject, owner_name=name, submitted_at=v.status_changed_at)
            for v, m, name, subject in rows]


def history(*, db: Session, actor: User, material_id: int) -> list[HistoryItem]:
    """Return every recorded step of a material's versions, oldest first (its author and reviewers only)."""
    material = materials.get_material(db=db, actor=actor, material_id=material_id)
    if not (material.owner_id == actor.id or actor.has_role(Role.system_admin) or is_reviewer(db, actor, material)):
        raise Forbidden(HISTORY_HIDDEN)
    rows = db.execute(
        select(ReviewEvent, MaterialVersion.number, User.full_name)
        .join(MaterialVersion, MaterialVersion.id == ReviewEvent.version_id)
        .join(User, User.id == ReviewEvent.actor_id)
        .where(MaterialVersion.material_id == material.id)
        .order_by(ReviewEvent.at, ReviewEvent.id))
    return [HistoryItem(event=e, number=n, actor_name=name) for e, n, name in rows]


# --- sharing needs review ----------------------------------------------------------------------

def check_visibility_change(*, db: Session, material: Material, old: str | None, new: str) -> None:
    """Refuse moving a published material into the shared repository while its published version is unreviewed."""
    if new != Visibility.shared or old == Visibility.shared or material.published_version_id is None:
        return
    if not _was_approved(db, material.published_version_id):
        raise Invalid(SHARE_NEEDS_REVIEW)


@event.listens_for(Material.visibility, "set")
def _guard_visibility(material: Material, value: str, oldvalue: Any, _initiator: Any) -> None:
    """Apply check_visibility_change to every change of a stored material's visibility, whoever makes it."""
    db = object_session(material)
    if db is None or material.id is None:
        return
    with db.no_autoflush:
        if oldvalue is NO_VALUE or oldvalue is NEVER_SET:
            oldvalue = db.scalar(select(Material.visibility).where(Material.id == material.id))
        check_visibility_change(db=db, material=material, old=oldvalue, new=value)
