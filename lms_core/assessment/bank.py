"""The question bank: questions of a school per subject and grade, kept as immutable versions, imported and exported.

Images a question shows come in `Item.media` (name → bytes, the text refers to them as `![](name)`); they are
kept once by hash with lms_core.storage, recorded as QuestionMedia rows, and the text is rewritten to
`/question-images/<sha256>`. A write is one transaction: when it fails, no row is left and the files it newly
kept are removed again.
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from lms_core import permissions, storage
from lms_core.accounts.models import User
from lms_core.assessment import rules
from lms_core.assessment.data import from_data, to_data
from lms_core.assessment.formats.gift import dump_gift, gift_unsupported
from lms_core.assessment.formats.moodle_xml import dump_moodle_xml
from lms_core.assessment.items import Item, Level, QType, check
from lms_core.assessment.models import Question, QuestionCurriculumItem, QuestionMedia, QuestionTag, QuestionVersion
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_, gettext
from lms_core.org.models import Subject
from lms_core.settings import get_settings
from lms_core.text import nfc

IMAGE_PREFIX = "/question-images/"
MAX_IMAGES = 50
MAX_TAGS = 30
MAX_TAG = 60
MAX_TITLE = 200
MAX_DATA_CHARS = 200_000
MAX_EXPORT = 5000
MAX_CURRICULUM = 50
PAGE_SIZE = 50

NOT_STAFF = N_("Only teachers and school administrators can write questions in a school's bank.")
QUESTION_NOT_FOUND = N_("This question does not exist.")
IMAGE_NOT_FOUND = N_("This image does not exist.")
HAS_PROBLEMS = N_("The question cannot be saved: {problems}")
IMPORT_PROBLEMS = N_("Nothing was imported: {where}: {problems}")
NOTHING_TO_IMPORT = N_("There is no question to import.")
UNKNOWN_SUBJECT = N_("Choose a subject from the list.")
BAD_GRADE = N_("The grade must be a whole number from 1 to 12.")
BAD_VISIBILITY = N_("Choose who may see the question: only you, or the teachers of your school.")
NOT_AN_IMAGE = N_("The picture “{name}” is not a PNG, JPEG, GIF or WebP image.")
IMAGE_TOO_LARGE = N_("The picture “{name}” is larger than {max_mb} MB.")
TOO_MANY_IMAGES = N_("A question can show at most {max} pictures.")
TITLE_TOO_LONG = N_("The title is longer than {max} characters.")
TEXT_TOO_LONG = N_("The question is too long: its texts hold more than {max} characters together.")
TOO_MANY_TAGS = N_("A question can have at most {max} tags.")
TAG_TOO_LONG = N_("A tag is longer than {max} characters.")
NOTHING_TO_EXPORT = N_("No question matches, so there is nothing to export.")
TOO_MANY_TO_EXPORT = N_("At most {max} questions can be exported at once; narrow the filters.")
CANNOT_EXPORT = N_("The question “{title}” cannot be written in this format: {reason}")

_IMAGE = re.compile(r"(!\[[^\]\n]{0,500}\]\()([^)\s]{1,2000})(\))")
_STORED = re.compile(re.escape(IMAGE_PREFIX) + r"([0-9a-f]{64})")


@dataclass(frozen=True)
class Problem:
    """A problem of a question: its msgid and the values that fill it."""

    message: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self) -> str:
        """Return the problem in the current language."""
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text


@dataclass
class BankFilter:
    """What the bank list is narrowed to; None or empty means "any"."""

    subject_id: int | None = None
    grade: int | None = None
    level: str | None = None
    type: str | None = None
    tag: str | None = None
    text: str | None = None
    mine: bool = False
    archived: bool = False  # the actor's own archived questions instead of the live ones
    shared: bool = False    # only the questions of the shared repository


@dataclass
class ImportCounts:
    """What an import stored: questions, pictures newly kept, questions per type."""

    questions: int = 0
    images: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)


# ---- checks -----------------------------------------------------------------------------------------------------

def image_type(head: bytes) -> str | None:
    """Return the media type of PNG, JPEG, GIF or WebP bytes (by their magic bytes), else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_limit() -> int:
    return get_settings().upload_limit_bytes("page_image")


def _texts(item: Item) -> Iterable[str]:
    yield item.stem
    yield item.general_feedback
    for c in item.choices:
        yield c.text
        yield c.feedback
    for s in item.statements:
        yield s.text
    for p in item.pairs:
        yield p.left
        yield p.right
    yield from item.order
    for b in item.blanks:
        yield from b.accepted
        yield from b.options
    yield from item.accepted
    for r in item.rubric:
        yield r.text


def _map_texts(item: Item, fn: Callable[[str], str]) -> Item:
    """Return a copy of the item with fn applied to every text a student or teacher reads."""
    out = copy.deepcopy(item)
    out.stem, out.general_feedback = fn(out.stem), fn(out.general_feedback)
    for c in out.choices:
        c.text, c.feedback = fn(c.text), fn(c.feedback)
    for s in out.statements:
        s.text = fn(s.text)
    for p in out.pairs:
        p.left, p.right = fn(p.left), fn(p.right)
    out.order = [fn(t) for t in out.order]
    for b in out.blanks:
        b.accepted, b.options = [fn(t) for t in b.accepted], [fn(t) for t in b.options]
    out.accepted = [fn(t) for t in out.accepted]
    for r in out.rubric:
        r.text = fn(r.text)
    return out


def normalised(item: Item) -> Item:
    """Return the item with its texts, title and tags in NFC, tags trimmed and without repeats."""
    out = _map_texts(item, nfc)
    out.title = nfc(out.title).strip()
    tags: list[str] = []
    for tag in (nfc(t).strip() for t in out.tags):
        if tag and tag not in tags:
            tags.append(tag)
    out.tags = tags
    out.curriculum = [nfc(c).strip() for c in out.curriculum if c.strip()]
    return out


def problems_of(item: Item) -> list[Problem]:
    """Return what stops a question from being stored: `check`, its pictures, lengths and tags."""
    found = [Problem(p) for p in check(item)]
    if len(item.media) > MAX_IMAGES:
        found.append(Problem(TOO_MANY_IMAGES, {"max": MAX_IMAGES}))
    limit = _image_limit()
    for name, blob in item.media.items():
        if len(blob) > limit:
            found.append(Problem(IMAGE_TOO_LARGE, {"name": name, "max_mb": f"{limit / 1_000_000:.3g}"}))
        elif image_type(blob[:16]) is None:
            found.append(Problem(NOT_AN_IMAGE, {"name": name}))
    if len(item.title) > MAX_TITLE:
        found.append(Problem(TITLE_TOO_LONG, {"max": MAX_TITLE}))
    if sum(len(t) for t in _texts(item)) > MAX_DATA_CHARS:
        found.append(Problem(TEXT_TOO_LONG, {"max": MAX_DATA_CHARS}))
    if len(item.tags) > MAX_TAGS:
        found.append(Problem(TOO_MANY_TAGS, {"max": MAX_TAGS}))
    if any(len(t) > MAX_TAG for t in item.tags):
        found.append(Problem(TAG_TOO_LONG, {"max": MAX_TAG}))
    return found


def _refuse(problems: list[Problem]) -> None:
    if problems:
        exc = Invalid(HAS_PROBLEMS, problems=" ".join(p.text() for p in problems))
        exc.details = [{"problem": p.text()} for p in problems]
        raise exc


# ---- where a question goes ----------------------------------------------------------------------------------------

def bank_school(actor: User) -> int:
    """Return the school whose bank the actor writes to (their own school first); refuse non-staff."""
    schools = rules.staff_schools(actor)
    if not schools or not actor.is_active:
        raise Forbidden(NOT_STAFF)
    return actor.school_id if actor.school_id in schools else min(schools)


def subjects(db: Session) -> list[Subject]:
    """Return the subjects a question may belong to."""
    return list(db.scalars(select(Subject).order_by(Subject.name_vi)))


def _check_place(db: Session, subject_id: int, grade: int, visibility: str) -> None:
    if db.get(Subject, subject_id) is None:
        raise Invalid(UNKNOWN_SUBJECT)
    if not 1 <= grade <= 12:
        raise Invalid(BAD_GRADE)
    if visibility not in (rules.PRIVATE, rules.SCHOOL):  # sharing goes through review, not a form field
        raise Invalid(BAD_VISIBILITY)


# ---- media ------------------------------------------------------------------------------------------------------

def image_url(sha256: str) -> str:
    """Return the address a question's text uses for a stored picture."""
    return IMAGE_PREFIX + sha256


def _store_media(db: Session, question: Question, item: Item, fresh: list[str]) -> Item:
    """Keep the item's pictures, record them for the question, and return the item pointing at them."""
    names: dict[str, str] = {}
    for name, blob in item.media.items():
        media_type = image_type(blob[:16])
        if media_type is None:  # problems_of refused it already; never store what is not an image
            raise Invalid(NOT_AN_IMAGE, name=name)
        staged = storage.stage(io.BytesIO(blob), max_bytes=_image_limit())
        sha = staged.sha256
        if storage.keep(staged):
            fresh.append(sha)
        names[name] = image_url(sha)
        _add_media(db, question, sha, name, media_type)

    def rewrite(text: str) -> str:
        return _IMAGE.sub(lambda m: m[1] + names.get(m[2], m[2]) + m[3], text) if names else text

    out = _map_texts(item, rewrite)
    out.media = {}
    return out


def _add_media(db: Session, question: Question, sha: str, name: str, media_type: str) -> None:
    known = db.scalar(select(QuestionMedia.id).where(QuestionMedia.question_id == question.id,
                                                     QuestionMedia.sha256 == sha))
    if known is None:
        db.add(QuestionMedia(question_id=question.id, sha256=sha, file_name=name[:255], media_type=media_type))
        db.flush()


def _link_known_media(db: Session, actor: User, question: Question, item: Item) -> None:
    """Record for the question the stored pictures its text shows that the actor may already see elsewhere."""
    shas = {m for text in _texts(item) for m in _STORED.findall(text)}
    for sha in sorted(shas):
        source = db.scalar(select(QuestionMedia).join(Question, Question.id == QuestionMedia.question_id).where(
            QuestionMedia.sha256 == sha, permissions.visible(actor, "question.view")).limit(1))
        if source is not None:
            _add_media(db, question, sha, source.file_name, source.media_type)


def visible_image(*, db: Session, actor: User, sha256: str) -> QuestionMedia:
    """Return a picture of a question the actor may see (unknown and hidden both read 'not found')."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise NotFound(IMAGE_NOT_FOUND)
    media = db.scalar(select(QuestionMedia).join(Question, Question.id == QuestionMedia.question_id).where(
        QuestionMedia.sha256 == sha256, permissions.visible(actor, "question.view")).limit(1))
    if media is None:
        raise NotFound(IMAGE_NOT_FOUND)
    return media


# ---- writing ----------------------------------------------------------------------------------------------------

def _set_tags(question: Question, tags: list[str]) -> None:
    wanted = list(dict.fromkeys(tags))
    question.tags = [t for t in question.tags if t.tag in wanted]
    have = {t.tag for t in question.tags}
    question.tags.extend(QuestionTag(tag=t) for t in wanted if t not in have)


def _set_curriculum(db: Session, question: Question, item_ids: Iterable[int]) -> None:
    ids = sorted({int(i) for i in item_ids if int(i) > 0})[:MAX_CURRICULUM]
    db.query(QuestionCurriculumItem).filter(QuestionCurriculumItem.question_id == question.id).delete()
    db.add_all(QuestionCurriculumItem(question_id=question.id, item_id=i) for i in ids)


def _new_version(db: Session, actor: User, question: Question, item: Item, *, number: int, source: str,
                 note: str, fresh: list[str], current: bool = True) -> QuestionVersion:
    stored = _store_media(db, question, item, fresh)
    _link_known_media(db, actor, question, stored)
    version = QuestionVersion(question_id=question.id, number=number, data=to_data(stored), created_by_id=actor.id,
                              note=nfc(note).strip()[:500], source=source[:40])
    db.add(version)
    db.flush()
    if current:  # not current: an edit of a shared question, current once reviewed (see assessment.sharing)
        make_current(question, version, stored)
    return version


def make_current(question: Question, version: QuestionVersion, item: Item) -> None:
    """Make a stored version (whose content is item) the question's current one; its title, level and tags follow."""
    question.current_version_id = version.id
    question.type, question.title = str(item.type), item.title[:MAX_TITLE]
    question.level, question.difficulty = item.level, item.difficulty
    question.updated_at = utcnow()
    _set_tags(question, item.tags)


def _add(db: Session, actor: User, *, school_id: int | None, subject_id: int, grade: int, item: Item, visibility: str,
         source: str, note: str, curriculum_item_ids: Iterable[int], fresh: list[str]) -> Question:
    question = Question(school_id=school_id, subject_id=subject_id, grade=grade, owner_id=actor.id,
                        type=str(item.type), visibility=visibility)
    db.add(question)
    db.flush()
    _new_version(db, actor, question, item, number=1, source=source, note=note, fresh=fresh)
    _set_curriculum(db, question, curriculum_item_ids)
    return question


def _commit_or_undo(db: Session, fresh: list[str]) -> None:
    """Commit; on any failure roll back and remove the files this write newly kept."""
    try:
        db.commit()
    except BaseException:
        _undo(db, fresh)
        raise


def _undo(db: Session, fresh: list[str]) -> None:
    db.rollback()
    for sha in fresh:
        storage.forget(sha)


def create_question(*, db: Session, actor: User, subject_id: int, grade: int, item: Item,
                    visibility: str = rules.SCHOOL, source: str = "form", note: str = "",
                    curriculum_item_ids: Iterable[int] = ()) -> Question:
    """Store a new question of the actor's school bank; refuse it, storing nothing, when it has problems."""
    school_id = bank_school(actor)
    _check_place(db, subject_id, grade, visibility)
    item = normalised(item)
    _refuse(problems_of(item))
    fresh: list[str] = []
    try:
        question = _add(db, actor, school_id=school_id, subject_id=subject_id, grade=grade, item=item,
                        visibility=visibility, source=source, note=note, curriculum_item_ids=curriculum_item_ids,
                        fresh=fresh)
    except BaseException:
        _undo(db, fresh)
        raise
    _commit_or_undo(db, fresh)
    return question


def get_question(*, db: Session, actor: User, question_id: int) -> Question:
    """Return a question the actor may see; unknown and hidden both read 'not found'."""
    question = db.get(Question, question_id)
    if question is None or not permissions.can(actor, "question.view", question):
        raise NotFound(QUESTION_NOT_FOUND)
    return question


def editable_question(*, db: Session, actor: User, question_id: int) -> Question:
    """Return a question the actor may edit (not found when hidden, forbidden when only visible)."""
    question = get_question(db=db, actor=actor, question_id=question_id)
    permissions.require(actor, "question.edit", question)
    return question


def current_item(db: Session, question: Question) -> Item:
    """Return the question's newest content."""
    version = db.get(QuestionVersion, question.current_version_id) if question.current_version_id else None
    if version is None:
        raise NotFound(QUESTION_NOT_FOUND)
    return from_data(version.data)


def edit_question(*, db: Session, actor: User, question_id: int, item: Item, note: str = "",
                  subject_id: int | None = None, grade: int | None = None, visibility: str | None = None,
                  curriculum_item_ids: Iterable[int] | None = None) -> QuestionVersion:
    """Store the edited question as a new version (earlier versions stay as they were); nothing when unchanged."""
    question = editable_question(db=db, actor=actor, question_id=question_id)
    from lms_core.assessment import sharing  # sharing builds on this module

    if sharing.edits_need_review(db, question):
        return sharing.edit_shared(db=db, actor=actor, question=question, item=item, note=note, subject_id=subject_id,
                                   grade=grade, visibility=visibility, curriculum_item_ids=curriculum_item_ids)
    subject_id = question.subject_id if subject_id is None else subject_id
    grade = question.grade if grade is None else grade
    visibility = question.visibility if visibility is None else visibility
    if visibility != question.visibility or subject_id != question.subject_id or grade != question.grade:
        _check_place(db, subject_id, grade, visibility)
    item = normalised(item)
    _refuse(problems_of(item))
    current = db.get(QuestionVersion, question.current_version_id)
    place_changed = (subject_id, grade, visibility) != (question.subject_id, question.grade, question.visibility)
    wanted = None if curriculum_item_ids is None else sorted({int(i) for i in curriculum_item_ids})
    if current is not None and not item.media and current.data == to_data(item):
        links_changed = wanted is not None and wanted != curriculum_ids(db, question)  # not versioned: no new version
        if place_changed or links_changed:
            question.subject_id, question.grade, question.visibility = subject_id, grade, visibility
            if links_changed:
                _set_curriculum(db, question, wanted)
            question.updated_at = utcnow()
            db.commit()
        return current
    number = (db.scalar(select(func.max(QuestionVersion.number)).where(QuestionVersion.question_id == question.id))
              or 0) + 1
    fresh: list[str] = []
    try:
        question.subject_id, question.grade, question.visibility = subject_id, grade, visibility
        version = _new_version(db, actor, question, item, number=number, source="form", note=note, fresh=fresh)
        if wanted is not None:
            _set_curriculum(db, question, wanted)
    except BaseException:
        _undo(db, fresh)
        raise
    _commit_or_undo(db, fresh)
    return version


def archive_question(*, db: Session, actor: User, question_id: int, archived: bool = True) -> Question:
    """Take a question out of the bank's lists (or put it back); its versions stay for the quizzes using them."""
    question = editable_question(db=db, actor=actor, question_id=question_id)
    question.archived = archived
    question.updated_at = utcnow()
    db.commit()
    return question


def versions_of(db: Session, question: Question) -> list[QuestionVersion]:
    """Return a question's versions, newest first."""
    return list(db.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                           .order_by(QuestionVersion.number.desc())))


def curriculum_ids(db: Session, question: Question) -> list[int]:
    """Return the ids of the curriculum items a question assesses."""
    return list(db.scalars(select(QuestionCurriculumItem.item_id)
                           .where(QuestionCurriculumItem.question_id == question.id)
                           .order_by(QuestionCurriculumItem.item_id)))


# ---- lists ------------------------------------------------------------------------------------------------------

def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filtered(actor: User, f: BankFilter) -> list[ColumnElement[bool]]:
    clauses = [permissions.visible(actor, "question.view")]
    if f.archived:
        clauses += [Question.archived.is_(True), Question.owner_id == actor.id]
    else:
        clauses.append(Question.archived.is_(False))
    if f.mine:
        clauses.append(Question.owner_id == actor.id)
    if f.shared:
        clauses.append(Question.visibility == rules.SHARED)
    if f.subject_id:
        clauses.append(Question.subject_id == f.subject_id)
    if f.grade:
        clauses.append(Question.grade == f.grade)
    if f.level:
        clauses.append(Question.level == f.level)
    if f.type:
        clauses.append(Question.type == f.type)
    if f.tag and f.tag.strip():
        clauses.append(exists().where(QuestionTag.question_id == Question.id, QuestionTag.tag == nfc(f.tag).strip()))
    if f.text and f.text.strip():
        pattern = _like(nfc(f.text).strip())
        clauses.append(or_(Question.title.ilike(pattern, escape="\\"),
                           QuestionVersion.data["stem"].as_string().ilike(pattern, escape="\\")))
    return clauses


def list_questions(*, db: Session, actor: User, filters: BankFilter, limit: int = PAGE_SIZE,
                   offset: int = 0) -> list[tuple[Question, QuestionVersion]]:
    """Return the questions the actor may see that match the filters, newest first, with their newest version."""
    query = (select(Question, QuestionVersion)
             .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
             .where(and_(*_filtered(actor, filters)))
             .order_by(Question.updated_at.desc(), Question.id.desc()).limit(limit).offset(offset))
    return [(q, v) for q, v in db.execute(query)]


def tags_in_use(*, db: Session, actor: User, limit: int = 200) -> list[str]:
    """Return the tags of the questions the actor may see, most used first."""
    query = (select(QuestionTag.tag, func.count()).join(Question, Question.id == QuestionTag.question_id)
             .where(permissions.visible(actor, "question.view"), Question.archived.is_(False))
             .group_by(QuestionTag.tag).order_by(func.count().desc(), QuestionTag.tag).limit(limit))
    return [tag for tag, _n in db.execute(query)]


# ---- import and export ------------------------------------------------------------------------------------------

def import_items(*, db: Session, actor: User, subject_id: int, grade: int, items: list[Item], source: str,
                 visibility: str = rules.SCHOOL) -> ImportCounts:
    """Store every item as a new question of the actor's bank, or none of them (checked first, one transaction)."""
    school_id = bank_school(actor)
    _check_place(db, subject_id, grade, visibility)
    if not items:
        raise Invalid(NOTHING_TO_IMPORT)
    ready = [normalised(item) for item in items]
    for number, item in enumerate(ready, start=1):
        problems = problems_of(item)
        if problems:
            raise Invalid(IMPORT_PROBLEMS, where=item.title or f"#{number}", problems=" ".join(p.text() for p in problems))
    counts = ImportCounts()
    fresh: list[str] = []
    try:
        for item in ready:
            question = _add(db, actor, school_id=school_id, subject_id=subject_id, grade=grade, item=item,
                            visibility=visibility, source=source, note="", curriculum_item_ids=(), fresh=fresh)
            counts.question_ids.append(question.id)
        db.flush()
    except BaseException:
        _undo(db, fresh)
        raise
    _commit_or_undo(db, fresh)
    counts.questions = len(ready)
    counts.images = len(fresh)
    counts.by_type = dict(Counter(str(item.type) for item in ready))
    return counts


def export_items(*, db: Session, actor: User, filters: BankFilter | None = None,
                 ids: Iterable[int] | None = None) -> list[Item]:
    """Return the newest content of the chosen questions (or of those matching the filters) the actor may see."""
    chosen = sorted({int(i) for i in ids or ()})
    if chosen:
        query = (select(Question, QuestionVersion)
                 .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                 .where(Question.id.in_(chosen), permissions.visible(actor, "question.view"))
                 .order_by(Question.id))
        rows = [(q, v) for q, v in db.execute(query.limit(MAX_EXPORT + 1))]
    else:
        rows = list_questions(db=db, actor=actor, filters=filters or BankFilter(), limit=MAX_EXPORT + 1)
        rows.reverse()  # oldest first, the order they were written in
    if not rows:
        raise NotFound(NOTHING_TO_EXPORT)
    if len(rows) > MAX_EXPORT:
        raise Invalid(TOO_MANY_TO_EXPORT, max=MAX_EXPORT)
    return [from_data(v.data) for _q, v in rows]


def export_gift(items: list[Item]) -> str:
    """Return the items as GIFT; refuse, naming the question, when one cannot be written in GIFT."""
    for number, item in enumerate(items, start=1):
        reason = gift_unsupported(item)
        if reason:
            raise Invalid(CANNOT_EXPORT, title=item.title or f"#{number}", reason=gettext(reason))
    return dump_gift(items)


def export_moodle_xml(items: list[Item]) -> bytes:
    """Return the items as a Moodle XML file."""
    return dump_moodle_xml(items)


LEVELS = [lv.value for lv in Level]
TYPES = [t.value for t in QType]
