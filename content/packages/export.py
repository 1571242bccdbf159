"""Export a selection of materials as one portable zip: manifest.json and each file once, streamed to a temp file.

Who exports what: teachers, school administrators, department staff and system administrators export materials
they may see (the `material.view` filter, in SQL), and of each material only the versions they may see (a
teacher who does not own a school material gets its published version only). Without a selection, a teacher
exports their own materials, a school administrator their school's, department staff their area's. A material
under the school-only licence is exported only by the teachers and administrators of its school, and the package
names its school so that no other school imports it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.ingest import FileType
from content.materials import service as materials
from content.materials import storage
from content.materials.files import FILE_MISSING
from content.materials.models import (Licence, Material, MaterialGrade, MaterialImage, MaterialKind, StoredFile,
                                      VersionStatus, Visibility)
from content.packages.manifest import (FILES_DIR, FORMAT, FORMAT_VERSION, MANIFEST_NAME, MAX_MATERIALS, CurriculumRef,
                                       FileRef, ImageEntry, Manifest, MaterialEntry, VersionEntry)
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import School, Subject
from lms_core.settings import get_settings

NOT_EXPORTER = N_("Only teachers, school administrators and department staff can export materials.")
NOTHING_TO_EXPORT = N_("No material you may see matches this selection, so there is nothing to export.")
TOO_MANY = N_("A package can hold at most {max} materials. Choose fewer (by subject, grade or school).")
# Already-compressed files are stored as they are: deflating a video again costs time and saves nothing.
STORED_TYPES = {FileType.pdf, FileType.docx, FileType.pptx, FileType.xlsx, FileType.zip, FileType.png, FileType.jpeg,
                FileType.gif, FileType.webp, FileType.mp4, FileType.m4a, FileType.webm, FileType.mp3, FileType.ogg}
IMAGE_REF = re.compile(r"/page-images/([0-9a-f]{64})")
EXPORTERS = (Role.teacher, Role.school_admin, Role.department_staff, Role.system_admin)


@dataclass(frozen=True)
class Selection:
    """Which materials to export (every filter optional; all are narrowed to what the actor may see)."""

    material_ids: tuple[int, ...] = ()
    school_id: int | None = None
    subject_code: str | None = None
    grade: int | None = None
    published_only: bool = False


@dataclass(frozen=True)
class ExportResult:
    """A finished package on disk (the caller deletes it after sending) and what it holds."""

    path: Path
    filename: str
    materials: int
    versions: int
    files: int


def _default_scope(actor: User) -> ColumnElement[bool]:
    """Return what an export without a selection holds: one's own, one's school's, or one's area's."""
    if actor.has_role(Role.system_admin):
        return true()
    admin_schools = actor.school_ids(Role.school_admin)
    if admin_schools:
        return Material.school_id.in_(admin_schools) | (Material.owner_id == actor.id)
    if actor.has_role(Role.department_staff):
        area = select(School.id).where(permissions.school_area_clause(actor, School.province_id, School.district_id))
        return Material.school_id.in_(area)
    return Material.owner_id == actor.id


def _licence_allows(actor: User) -> ColumnElement[bool]:
    """Return the SQL filter of the licence: a school-only material leaves only with the staff of its school."""
    own = [*actor.school_ids(Role.teacher), *actor.school_ids(Role.school_admin)]
    return (Material.licence != Licence.school_only) | Material.school_id.in_(own)


def select_materials(*, db: Session, actor: User, selection: Selection) -> list[Material]:
    """Return the materials of a selection the actor may see, oldest first, filtered in SQL."""
    if not actor.is_active or not any(actor.has_role(r) for r in EXPORTERS):
        raise Forbidden(NOT_EXPORTER)
    query = select(Material).where(permissions.visible(actor, "material.view"), _licence_allows(actor))
    if selection.material_ids:
        query = query.where(Material.id.in_(selection.material_ids))
    elif selection.school_id is not None:
        query = query.where(Material.school_id == selection.school_id)
    else:
        query = query.where(_default_scope(actor))
    if selection.subject_code:
        query = query.join(Subject, Subject.id == Material.subject_id).where(Subject.code == selection.subject_code)
    if selection.grade is not None:
        query = query.where(Material.id.in_(select(MaterialGrade.material_id).where(
            MaterialGrade.grade == selection.grade)))
    if selection.published_only:
        query = query.where(Material.published_version_id.is_not(None))
    found = list(db.scalars(query.order_by(Material.id).limit(MAX_MATERIALS + 1)))
    if len(found) > MAX_MATERIALS:
        raise Invalid(TOO_MANY, max=MAX_MATERIALS)
    return found


def _file_ref(db: Session, sha: str | None) -> FileRef | None:
    if sha is None:
        return None
    stored = db.get(StoredFile, sha)
    return FileRef(sha256=sha, size=stored.size, type=FileType(stored.file_type))


def _entry(db: Session, actor: User, material: Material, published_only: bool) -> MaterialEntry | None:
    """Return a material's manifest entry with the versions the actor may see (None when there are none)."""
    db.refresh(material, ["versions"])  # a session that does not expire on commit may hold an old list
    every = list(material.versions)
    versions = materials.visible_versions(actor=actor, material=material)
    if published_only:
        versions = [v for v in versions if v.id == material.published_version_id]
    if not versions:
        return None
    entries = [VersionEntry(
        number=v.number, note=v.note, created_at=v.created_at, status=VersionStatus(v.status),
        body_markdown=v.body_markdown,
        file=_file_ref(db, v.file_sha256), file_name=v.file_name if v.file_sha256 else None,
        transcript=_file_ref(db, v.transcript_sha256), external_url=v.external_url) for v in versions]
    shown = {sha for v in versions for sha in IMAGE_REF.findall(v.body_markdown or "")}
    all_versions = len(versions) == len(every)
    images = [ImageEntry(file=_file_ref(db, i.sha256), file_name=i.file_name)
              for i in db.scalars(select(MaterialImage).where(MaterialImage.material_id == material.id)
                                  .order_by(MaterialImage.id))
              if all_versions or i.sha256 in shown]  # hidden drafts' images stay home
    items = db.execute(select(CurriculumItem, Subject.code).join(
        MaterialCurriculumItem, MaterialCurriculumItem.item_id == CurriculumItem.id).join(
        Subject, Subject.id == CurriculumItem.subject_id).where(
        MaterialCurriculumItem.material_id == material.id).order_by(CurriculumItem.grade, CurriculumItem.id))
    subject = db.get(Subject, material.subject_id) if material.subject_id else None
    owner = db.get(User, material.owner_id)
    school_only = material.licence == Licence.school_only
    school = db.get(School, material.school_id) if school_only and material.school_id else None
    return MaterialEntry(
        uid=material.uid, title=material.title, description=material.description, kind=MaterialKind(material.kind),
        subject_code=subject.code if subject else None, grades=material.grades, language=material.language,
        licence=Licence(material.licence), school_code=school.code if school else None,
        visibility=Visibility(material.visibility), tags=list(material.tags or []),
        author_name=owner.full_name[:200] if owner else "", versions=entries, images=images,
        curriculum=[CurriculumRef(subject_code=code, grade=item.grade, key=item.key, title=item.title)
                    for item, code in items])


def manifest_json(manifest: Manifest) -> bytes:
    """Return the manifest as the package stores it: a material's `school_code` only where it has one."""
    data = manifest.model_dump(mode="json")
    for entry in data["materials"]:
        if entry.get("school_code") is None:
            entry.pop("school_code", None)
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _exports_dir() -> Path:
    path = get_settings().resolved_var_dir / "packages" / "exports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def export_package(*, db: Session, actor: User, selection: Selection, server: str | None = None) -> ExportResult:
    """Write the selected materials as a package to a temporary file and return it."""
    chosen = select_materials(db=db, actor=actor, selection=selection)
    entries = [e for m in chosen if (e := _entry(db, actor, m, selection.published_only)) is not None]
    if not entries:
        raise NotFound(NOTHING_TO_EXPORT)
    now = datetime.now(UTC)
    manifest = Manifest(format=FORMAT, format_version=FORMAT_VERSION, server=server, created_at=now,
                        materials=entries)
    files = manifest.files()
    for sha in files:
        if not storage.path_for(sha).is_file():
            raise NotFound(FILE_MISSING)
    fd, name = tempfile.mkstemp(dir=_exports_dir(), prefix="export-", suffix=".zip")
    os.close(fd)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(MANIFEST_NAME, manifest_json(manifest))
            for sha, ref in files.items():  # zipfile copies from disk in chunks: nothing is held whole in memory
                method = zipfile.ZIP_STORED if ref.type in STORED_TYPES else zipfile.ZIP_DEFLATED
                archive.write(storage.path_for(sha), FILES_DIR + sha, compress_type=method)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ExportResult(path=path, filename=f"materials-{now:%Y%m%d-%H%M}.zip", materials=len(entries),
                        versions=sum(len(e.versions) for e in entries), files=len(files))


def discard(result: ExportResult) -> None:
    """Delete an export's temporary file once it was sent."""
    result.path.unlink(missing_ok=True)

