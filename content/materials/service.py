"""Rules about materials and their versions: create, upload, edit, history, compare, restore."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from content.ingest import FileType, can_extract, check_zip, detect, extract
from content.ingest.sections import Address, Section
from content.materials import rules, storage  # noqa: F401 (importing rules registers the permission rules)
from content.materials.models import (KIND_LABELS, Licence, Material, MaterialGrade, MaterialKind, MaterialSection, MaterialVersion,
                                      StoredFile, SubjectGroupHead, Visibility)
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound
from lms_core.i18n import N_, gettext
from lms_core.org.models import Subject
from lms_core.settings import get_settings
from lms_core.text import nfc

MATERIAL_NOT_FOUND = N_("This material does not exist.")
VERSION_NOT_FOUND = N_("This version does not exist.")
WRONG_FILE_TYPE = N_("This kind of material ({kind}) cannot hold this file. Accepted: {accepted}.")
UNKNOWN_FILE_TYPE = N_("The file's type cannot be recognised from its contents. Accepted: {accepted}.")
NO_FILE_FOR_KIND = N_("This kind of material has no file: write it or give its link instead.")
NEEDS_TEXT = N_("A written page needs some text.")
BAD_URL = N_("A link must start with http:// or https://.")
BAD_SUBJECT = N_("This subject does not exist.")
BAD_GRADE = N_("Grades go from 1 to 12.")
NOT_TIMED = N_("Subtitles belong to a video or audio material.")
NOT_SUBTITLES = N_("The transcript must be a WebVTT (.vtt) or SubRip (.srt) file.")
NO_SCHOOL = N_("Only teachers and school administrators of a school can create materials.")
NOTHING_CHANGED = N_("This text is the same as the current version, so no new version was made.")

ACCEPTED: dict[str, tuple[FileType, ...]] = {
    MaterialKind.document: (FileType.pdf, FileType.docx, FileType.markdown, FileType.text, FileType.html),
    MaterialKind.slides: (FileType.pptx, FileType.pdf),
    MaterialKind.video: (FileType.mp4, FileType.webm),
    MaterialKind.audio: (FileType.mp3, FileType.m4a, FileType.ogg, FileType.wav),
    MaterialKind.image: (FileType.png, FileType.jpeg, FileType.gif, FileType.webp, FileType.svg),
    MaterialKind.ehandbook: (FileType.pdf, FileType.html, FileType.zip, FileType.docx),
}
TIMED = (MaterialKind.video, MaterialKind.audio)
# Media is recognised by its first bytes and has no text to extract: never read it whole into memory.
BY_HEAD = (MaterialKind.video, MaterialKind.audio, MaterialKind.image)
LANGUAGES = ("vi", "en", "ko", "fr", "zh", "ja")
VERSION_CLASH = N_("Someone saved this material at the same moment. Reload the page and try again.")


@dataclass(frozen=True)
class MaterialFields:
    """The describing fields of a material (not versioned: a new title does not make a new version)."""

    title: str
    kind: str
    description: str = ""
    subject_id: int | None = None
    grades: tuple[int, ...] = ()
    language: str = "vi"
    licence: str = Licence.cc_by_sa
    visibility: str = Visibility.private
    tags: tuple[str, ...] = ()


def _nfc(text: str) -> str:
    return nfc(text).strip()


def get_material(*, db: Session, actor: User, material_id: int) -> Material:
    """Return a material the actor may see (unknown and hidden both read 'not found')."""
    material = db.get(Material, material_id)
    if material is None or not permissions.can(actor, "material.view", material):
        raise NotFound(MATERIAL_NOT_FOUND)
    return material


def editable_material(*, db: Session, actor: User, material_id: int) -> Material:
    """Return a material the actor owns; a visible one of someone else is forbidden."""
    material = get_material(db=db, actor=actor, material_id=material_id)
    permissions.require(actor, "material.edit", material)
    return material


def list_materials(*, db: Session, actor: User, mine: bool = False, school_id: int | None = None, limit: int = 100,
                   offset: int = 0) -> list[Material]:
    """Return materials the actor may see (or owns, or of one school), newest first, filtered in SQL."""
    query = select(Material).where(permissions.visible(actor, "material.view"))
    if mine:
        query = query.where(Material.owner_id == actor.id)
    if school_id is not None:
        query = query.where(Material.school_id == school_id)
    return list(db.scalars(query.order_by(Material.updated_at.desc(), Material.id.desc()).offset(offset).limit(limit)))


def _apply_fields(db: Session, material: Material, fields: MaterialFields) -> None:
    if fields.kind not in set(MaterialKind):
        raise Invalid(N_("This kind of material is not known."))
    if fields.visibility not in set(Visibility) or fields.licence not in set(Licence):
        raise Invalid(N_("This visibility or licence is not known."))
    if fields.language not in LANGUAGES:
        raise Invalid(N_("This language is not offered."))
    if len(_nfc(fields.description)) > 2000:
        raise Invalid(N_("A description may have at most 2,000 characters."))
    if fields.subject_id is not None and db.get(Subject, fields.subject_id) is None:
        raise Invalid(BAD_SUBJECT)
    if any(not 1 <= g <= 12 for g in fields.grades):
        raise Invalid(BAD_GRADE)
    title = " ".join(_nfc(fields.title).split())
    if not title or len(title) > 200:
        raise Invalid(N_("A title is needed (at most 200 characters)."))
    material.title = title
    material.kind = fields.kind
    material.description = _nfc(fields.description)
    material.subject_id = fields.subject_id
    material.language = fields.language
    material.licence = fields.licence
    material.visibility = fields.visibility
    material.tags = sorted({" ".join(_nfc(t).lower().split())[:40] for t in fields.tags if t.strip()})[:20]
    wanted = sorted(set(fields.grades))
    if material.grades != wanted:
        material.grade_rows = [MaterialGrade(grade=g) for g in wanted]


def create_material(*, db: Session, actor: User, fields: MaterialFields, body_markdown: str | None = None,
                    external_url: str | None = None, note: str = "") -> Material:
    """Create a material owned by the actor; a written page or a link gets its first version at once."""
    school_ids = sorted(actor.school_ids(Role.teacher, Role.school_admin))
    if not school_ids:
        raise Forbidden(NO_SCHOOL)
    material = Material(owner_id=actor.id, school_id=actor.school_id if actor.school_id in school_ids else school_ids[0])
    try:
        _apply_fields(db, material, fields)
        db.add(material)
        db.flush()
        if fields.kind == MaterialKind.page:
            _new_version(db, actor, material, body_markdown=_page_text(body_markdown), note=note)
        elif fields.kind == MaterialKind.link:
            _new_version(db, actor, material, external_url=_url(external_url), note=note)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return material


def update_fields(*, db: Session, actor: User, material_id: int, fields: MaterialFields) -> Material:
    """Change a material's describing fields (its kind stays)."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    if fields.kind != material.kind:
        raise Invalid(N_("The kind of a material cannot change; create a new material instead."))
    from content.review.service import check_visibility_change  # review builds on materials, not the reverse

    check_visibility_change(db=db, material=material, old=material.visibility, new=fields.visibility)
    _apply_fields(db, material, fields)
    material.updated_at = utcnow()
    db.commit()
    return material


def _page_text(body: str | None) -> str:
    text = nfc(body or "").replace("\r\n", "\n")
    if not text.strip():
        raise Invalid(NEEDS_TEXT)
    if len(text) > 500_000:
        raise Invalid(N_("A written page may have at most 500,000 characters."))
    return text


def _url(url: str | None) -> str:
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 1000 or any(c.isspace() for c in url):
        raise Invalid(BAD_URL)
    return url


def _new_version(db: Session, actor: User, material: Material, *, sections: list[Section] | None = None,
                 note: str = "", **content: object) -> MaterialVersion:
    number = (db.scalar(select(func.max(MaterialVersion.number)).where(MaterialVersion.material_id == material.id)) or 0) + 1
    version = MaterialVersion(material_id=material.id, number=number, created_by_id=actor.id, note=_nfc(note)[:500],
                              **content)
    if sections is None:
        sections = _sections_of(version)
    version.sections = [MaterialSection(position=i, kind=s.kind, text=s.text, address=s.address.as_dict())
                        for i, s in enumerate(sections)]
    version.text_sha256 = hashlib.sha256("\n".join(s.text for s in sections).encode()).hexdigest()
    db.add(version)
    db.flush()
    material.current_version_id = version.id
    material.updated_at = utcnow()
    return version


def _sections_of(version: MaterialVersion) -> list[Section]:
    if version.body_markdown is not None:
        return extract(version.body_markdown.encode(), FileType.markdown)
    return []


def add_text_version(*, db: Session, actor: User, material_id: int, body_markdown: str, note: str = "") -> MaterialVersion:
    """Save a written page's new text as a new version (an unchanged text makes none)."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    if material.kind != MaterialKind.page:
        raise Invalid(NO_FILE_FOR_KIND)
    text = _page_text(body_markdown)
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    if current is not None and current.body_markdown == text:
        raise Invalid(NOTHING_CHANGED)
    version = _new_version(db, actor, material, body_markdown=text, note=note)
    _commit_or_clash(db)
    return version


def add_file_version(*, db: Session, actor: User, material_id: int, stream: BinaryIO, filename: str | None,
                     note: str = "") -> MaterialVersion:
    """Store an uploaded file (type by its bytes) as a new version; on any refusal nothing is kept."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    accepted = ACCEPTED.get(material.kind)
    if accepted is None:
        raise Invalid(NO_FILE_FOR_KIND)
    staged = storage.stage(stream, max_bytes=get_settings().upload_limit_bytes(material.kind))
    try:
        file_type, sections = _inspect(staged, accepted, material.kind)
    except BaseException:
        staged.discard()
        raise
    keep_transcript = None
    if material.kind in TIMED and material.current_version_id:
        keep_transcript = db.get(MaterialVersion, material.current_version_id).transcript_sha256
    return _commit_version(db, actor, material, staged, file_type, sections, note=note,
                           file_name=_safe_name(filename), transcript_sha256=keep_transcript)


def attach_transcript(*, db: Session, actor: User, material_id: int, stream: BinaryIO, note: str = "") -> MaterialVersion:
    """Attach WebVTT or SRT subtitles to a video or audio material, as a new version with timed sections."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    if material.kind not in TIMED:
        raise Invalid(NOT_TIMED)
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    staged = storage.stage(stream, max_bytes=get_settings().upload_limit_bytes("transcript"))
    try:
        file_type, sections = _inspect(staged, (FileType.vtt, FileType.srt), "transcript", message=NOT_SUBTITLES)
    except BaseException:
        staged.discard()
        raise
    return _commit_version(db, actor, material, staged, file_type, sections, note=note, transcript=True,
                           file_sha256=current.file_sha256 if current else None,
                           file_name=current.file_name if current else None)


def _inspect(staged: storage.Staged, accepted: tuple[FileType, ...], kind: str,
             message: str = WRONG_FILE_TYPE) -> tuple[FileType, list[Section]]:
    """Decide the type by the bytes, check archives, extract text; raise Invalid on any problem."""
    names = ", ".join(t.value.upper() for t in accepted)
    data = staged.head if kind in BY_HEAD else staged.read()
    file_type = detect(data)
    if file_type == FileType.unknown:
        raise Invalid(UNKNOWN_FILE_TYPE, accepted=names)
    if file_type not in accepted:
        raise Invalid(message, kind=gettext(KIND_LABELS.get(kind, kind)), accepted=names)
    if kind in BY_HEAD:
        return file_type, []
    if file_type.is_archive:
        check_zip(data)
    sections = extract(data, file_type) if can_extract(file_type) else []
    return file_type, sections


def _commit_version(db: Session, actor: User, material: Material, staged: storage.Staged, file_type: FileType,
                    sections: list[Section], *, note: str, transcript: bool = False, **content: object) -> MaterialVersion:
    """Keep the staged file and write the version in one transaction; undo the file if the database refuses."""
    sha = staged.sha256
    if db.get(StoredFile, sha) is None:
        db.add(StoredFile(sha256=sha, size=staged.size, file_type=file_type.value))
    fresh = storage.keep(staged)
    try:
        if transcript:
            content["transcript_sha256"] = sha
        else:
            content["file_sha256"] = sha
        version = _new_version(db, actor, material, sections=sections, note=note, **content)
        db.commit()
    except IntegrityError:
        db.rollback()
        if fresh:
            storage.forget(sha)
        raise Conflict(VERSION_CLASH) from None
    except BaseException:
        db.rollback()
        if fresh:
            storage.forget(sha)
        raise
    return version


def _safe_name(filename: str | None) -> str | None:
    if not filename:
        return None
    name = nfc(filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return "".join(c for c in name if c.isprintable())[:255] or None


def get_version(*, db: Session, actor: User, material_id: int, number: int) -> MaterialVersion:
    """Return one version of a material the actor may see."""
    material = get_material(db=db, actor=actor, material_id=material_id)
    version = db.scalar(select(MaterialVersion).where(MaterialVersion.material_id == material.id,
                                                      MaterialVersion.number == number))
    if version is None:
        raise NotFound(VERSION_NOT_FOUND)
    if not _may_see_version(actor, material, version):
        raise NotFound(VERSION_NOT_FOUND)
    return version


def visible_versions(*, actor: User, material: Material) -> list[MaterialVersion]:
    """Return the versions of a material the actor may see, oldest first."""
    return [v for v in material.versions if _may_see_version(actor, material, v)]


def _may_see_version(actor: User, material: Material, version: MaterialVersion) -> bool:
    """Owners and reviewers see every version; everyone else only the published one."""
    if material.owner_id == actor.id or actor.has_role(Role.system_admin):
        return True
    if material.school_id in actor.school_ids(Role.school_admin):
        return True
    return version.id == material.published_version_id or _is_head(actor, material)


def _is_head(actor: User, material: Material) -> bool:
    db = object_session(material)
    return bool(db and db.scalar(select(func.count()).select_from(SubjectGroupHead).where(
        SubjectGroupHead.user_id == actor.id, SubjectGroupHead.school_id == material.school_id,
        SubjectGroupHead.subject_id == material.subject_id)))


def version_text(version: MaterialVersion) -> str:
    """Return a version's text for comparison: the Markdown of a page, else its extracted sections."""
    if version.body_markdown is not None:
        return version.body_markdown
    return "\n".join(s.text for s in version.sections)


def compare(*, db: Session, actor: User, material_id: int, older: int, newer: int) -> list[tuple[str, str]]:
    """Return the line differences between two versions as (sign, line) pairs: '+', '-' or ' '."""
    a = get_version(db=db, actor=actor, material_id=material_id, number=older)
    b = get_version(db=db, actor=actor, material_id=material_id, number=newer)
    out = []
    for line in difflib.ndiff(version_text(a).splitlines(), version_text(b).splitlines()):
        if line[:1] in ("+", "-", " "):
            out.append((line[0], line[2:]))
    return out


def restore(*, db: Session, actor: User, material_id: int, number: int, note: str = "") -> MaterialVersion:
    """Make an old version's content the newest version again (history is never rewritten)."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    old = get_version(db=db, actor=actor, material_id=material_id, number=number)
    sections = [Section(kind=s.kind, text=s.text, address=_address(s.address)) for s in old.sections]
    version = _new_version(db, actor, material, sections=sections, note=note or f"← v{old.number}",
                           body_markdown=old.body_markdown, file_sha256=old.file_sha256, file_name=old.file_name,
                           transcript_sha256=old.transcript_sha256, external_url=old.external_url,
                           restored_from_id=old.id)
    _commit_or_clash(db)
    return version


def _commit_or_clash(db: Session) -> None:
    """Commit; two saves that took the same version number at once become a clear conflict."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict(VERSION_CLASH) from None


def _address(data: dict) -> Address:
    return Address.from_dict(data)
