"""Install content packs into the shared repository: all of a pack or nothing, and again without duplicates.

What a pack makes: its materials, in the shared repository (no school, visible to every school, published), with
their curriculum mapping in the national trees; its questions in the shared question bank (no school, shared).
They belong to a built-in account, `truongso-packs`, which cannot sign in: nobody edits a pack's material in place.
Teachers reuse them, or copy them into their own materials and questions, and edit those copies.

Installing again finds every material and question by a uid derived from the pack and the entry's slug:
- content that a version already holds adds nothing (so installing twice changes nothing);
- new content (an upgraded pack) is a new version. When the material's current version is the pack's own, the new
  version is published and becomes current. When someone else made the current version (an administrator who
  took over the material and edited it), that edit stays current and published, and the pack's version arrives
  "waiting for review" for the school's reviewers to decide: a pack never overwrites a person's work.
  Questions follow the same rule (the pack's new version is added only when the current one is the pack's own).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.materials import service as materials
from content.materials import storage
from content.materials.models import (Material, MaterialKind, MaterialVersion, ReviewEvent, StoredFile,
                                      VersionStatus, Visibility)
from content.packs.models import InstalledPack
from content.packs.pack import Pack, PackMaterial, PackQuestion, read_pack
from content.repository.index import index_material
from lms_core.accounts.models import User
from lms_core.accounts.passwords import hash_password
from lms_core.assessment import bank, rules
from lms_core.assessment.data import to_data
from lms_core.assessment.models import Question, QuestionCurriculumItem, QuestionVersion
from lms_core.db import utcnow
from lms_core.errors import Invalid
from lms_core.i18n import N_
from lms_core.org.models import Subject
from lms_core.plugins.host import PluginHost

log = logging.getLogger(__name__)

PACK_USER = "truongso-packs"
PACK_USER_NAME = "Trường Số · gói học liệu"
PACK_HAS_PROBLEMS = N_("The content pack {name} cannot be installed: {problems}")
S = VersionStatus


@dataclass
class PackReport:
    """What installing one pack did (all zero when it was installed already)."""

    name: str
    version: int
    materials_added: int = 0
    versions_added: int = 0
    versions_for_review: int = 0
    questions_added: int = 0
    question_versions_added: int = 0
    questions_kept: int = 0
    published: list[tuple[int, int]] = field(default_factory=list)  # (material id, version id) to announce

    @property
    def changed(self) -> bool:
        """Return whether the install wrote anything."""
        return bool(self.materials_added or self.versions_added or self.questions_added
                    or self.question_versions_added)


def pack_user(db: Session) -> User:
    """Return the built-in account that owns what packs install (made once; it cannot sign in)."""
    user = db.scalar(select(User).where(User.username == PACK_USER))
    if user is None:
        # a random password nobody knows, and the account is inactive: sign-in refuses it either way
        import secrets

        user = User(username=PACK_USER, full_name=PACK_USER_NAME, password_hash=hash_password(secrets.token_hex(32)),
                    is_active=False)
        db.add(user)
        db.flush()
    return user


def _item_ids(db: Session, refs: list[str]) -> list[int]:
    """Return the national curriculum items named SUBJECT/GRADE/KEY (every ref was checked when the pack was read)."""
    ids = []
    for ref in refs:
        code, grade, key = ref.split("/")
        item_id = db.scalar(select(CurriculumItem.id).join(Subject, Subject.id == CurriculumItem.subject_id).where(
            Subject.code == code, CurriculumItem.grade == int(grade), CurriculumItem.key == key,
            CurriculumItem.province_id.is_(None)))
        if item_id is not None:
            ids.append(item_id)
    return ids


def _subject_id(db: Session, code: str) -> int | None:
    return db.scalar(select(Subject.id).where(Subject.code == code))


def _keep(db: Session, data: bytes, file_type: str, fresh: list[str]) -> str:
    """Store bytes by their hash (once); return the hash and remember files this install newly wrote."""
    staged = storage.stage(io.BytesIO(data), max_bytes=len(data) + 1)
    if db.get(StoredFile, staged.sha256) is None:
        db.add(StoredFile(sha256=staged.sha256, size=staged.size, file_type=file_type))
    if storage.keep(staged):
        fresh.append(staged.sha256)
    return staged.sha256


def _content(db: Session, m: PackMaterial, fresh: list[str]) -> dict[str, object]:
    if m.kind == MaterialKind.page:
        return {"body_markdown": m.body_markdown}
    content: dict[str, object] = {"file_sha256": _keep(db, m.data, m.file_type.value, fresh),
                                  "file_name": m.entry.file.rsplit("/", 1)[-1]}
    if m.transcript is not None:
        content["transcript_sha256"] = _keep(db, m.transcript, "vtt", fresh)
    return content


def _fields(db: Session, pack: Pack, m: PackMaterial) -> materials.MaterialFields:
    assert pack.info is not None
    return materials.MaterialFields(
        title=m.entry.title, kind=m.kind, description=m.entry.description, subject_id=_subject_id(db, m.entry.subject),
        grades=tuple(m.entry.grades), language=m.entry.language, licence=pack.info.licence,
        visibility=Visibility.shared, tags=(*m.entry.tags, f"pack:{pack.name}"))


def _move(db: Session, actor: User, version: MaterialVersion, to: str, comment: str) -> None:
    db.add(ReviewEvent(version_id=version.id, actor_id=actor.id, from_status=version.status, to_status=to,
                       comment=comment))
    version.status = to
    version.status_changed_at = utcnow()


def _install_material(db: Session, actor: User, pack: Pack, m: PackMaterial, report: PackReport,
                      fresh: list[str]) -> None:
    assert pack.info is not None
    uid = m.uid(pack.name)
    material = db.scalar(select(Material).where(Material.uid == uid))
    content = _content(db, m, fresh)
    note = f"{pack.name} v{pack.info.version}"
    if material is None:
        material = Material(uid=uid, owner_id=actor.id, school_id=None)
        materials._apply_fields(db, material, _fields(db, pack, m))
        db.add(material)
        db.flush()
        report.materials_added += 1
    else:
        fingerprint = tuple(content.get(k) for k in ("body_markdown", "file_sha256", "transcript_sha256"))
        held = db.execute(select(MaterialVersion.body_markdown, MaterialVersion.file_sha256,
                                 MaterialVersion.transcript_sha256).where(MaterialVersion.material_id == material.id))
        if any(tuple(row) == fingerprint for row in held):
            return
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    ours = current is None or current.created_by_id == actor.id
    if ours and current is not None:
        materials._apply_fields(db, material, _fields(db, pack, m))  # an untouched material follows its pack
    version = materials._new_version(db, actor, material, sections=m.sections, note=note, **content)
    report.versions_added += 1
    if ours:
        previous = db.get(MaterialVersion, material.published_version_id) if material.published_version_id else None
        if previous is not None and previous.status == S.published:
            _move(db, actor, previous, S.archived, f"→ v{version.number}")
        _move(db, actor, version, S.published, note)
        material.published_version_id = version.id
        report.published.append((material.id, version.id))
    else:
        _move(db, actor, version, S.submitted, note)
        material.current_version_id = current.id if current else version.id
        report.versions_for_review += 1
    wanted = set(_item_ids(db, m.entry.curriculum))
    have = set(db.scalars(select(MaterialCurriculumItem.item_id).where(
        MaterialCurriculumItem.material_id == material.id)))
    db.add_all(MaterialCurriculumItem(material_id=material.id, item_id=i) for i in sorted(wanted - have))
    db.flush()
    index_material(db, material.id)


def _install_question(db: Session, actor: User, pack: Pack, q: PackQuestion, report: PackReport,
                      fresh: list[str]) -> None:
    assert pack.info is not None
    uid = q.uid(pack.name)
    item = bank.normalised(q.item)
    question = db.scalar(select(Question).where(Question.uid == uid))
    note = f"{pack.name} v{pack.info.version}"
    item_ids = _item_ids(db, q.meta.curriculum)
    if question is None:
        subject_id = _subject_id(db, q.meta.subject)
        if subject_id is None:
            raise Invalid(PACK_HAS_PROBLEMS, name=pack.name, problems=q.meta.subject)
        question = bank._add(db, actor, school_id=None, subject_id=subject_id, grade=q.meta.grade, item=item,
                             visibility=rules.SHARED, source=f"pack:{pack.name}"[:40], note=note,
                             curriculum_item_ids=item_ids, fresh=fresh)
        question.uid = uid
        report.questions_added += 1
        return
    current = db.get(QuestionVersion, question.current_version_id)
    if current is not None and current.data == to_data(item):
        return
    if current is not None and current.created_by_id != actor.id:
        report.questions_kept += 1
        return
    number = (current.number if current else 0) + 1
    bank._new_version(db, actor, question, item, number=number, source=f"pack:{pack.name}"[:40], note=note,
                      fresh=fresh)
    db.query(QuestionCurriculumItem).filter(QuestionCurriculumItem.question_id == question.id).delete()
    db.add_all(QuestionCurriculumItem(question_id=question.id, item_id=i) for i in sorted(set(item_ids)))
    report.question_versions_added += 1


def install_pack(*, db: Session, pack: Pack, host: PluginHost | None = None) -> PackReport:
    """Install (or upgrade) one checked pack in one transaction; refuse a pack with problems, writing nothing."""
    if pack.problems or pack.info is None:
        raise Invalid(PACK_HAS_PROBLEMS, name=pack.name, problems="; ".join(pack.problems[:5]))
    report = PackReport(name=pack.name, version=pack.info.version)
    fresh: list[str] = []
    try:
        actor = pack_user(db)
        for m in pack.materials:
            _install_material(db, actor, pack, m, report, fresh)
        for q in pack.questions:
            _install_question(db, actor, pack, q, report, fresh)
        row = db.get(InstalledPack, pack.name)
        if row is None:
            db.add(InstalledPack(name=pack.name, version=pack.info.version, title=pack.info.title))
        elif row.version != pack.info.version or report.changed:
            row.version, row.title, row.updated_at = pack.info.version, pack.info.title, utcnow()
        db.commit()
    except BaseException:
        db.rollback()
        for sha in fresh:
            storage.forget(sha)
        raise
    if host is not None:
        _announce(db, host, report)
    return report


def _announce(db: Session, host: PluginHost, report: PackReport) -> None:
    """Tell plugins (the tutor's indexer) of each published version, after the commit, as publishing does."""
    for material_id, version_id in report.published:
        material, version = db.get(Material, material_id), db.get(MaterialVersion, version_id)
        try:
            host.material_published(db=db, material=material, version=version)
        except Exception:
            log.exception("announcing pack material %s failed", material_id)
            db.rollback()


def install_all(*, db: Session, host: PluginHost, names: list[str] | None = None) -> list[PackReport]:
    """Install every pack the plugins ship (or the named ones), each in its own transaction."""
    packs = host.content_packs()
    unknown = set(names or ()) - set(packs)
    if unknown:
        raise Invalid(N_("There is no content pack named {name}."), name=", ".join(sorted(unknown)))
    return [install_pack(db=db, pack=read_pack(packs[n].path), host=host) for n in sorted(names or packs)]
