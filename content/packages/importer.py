"""Import a portable package of materials: checked whole before anything is written, then all of it or nothing.

Who imports: a teacher or a school administrator, into their school; the materials they import are theirs.

Checks, in order: the package's size (setting `max_package_bytes`), the zip's safety by its directory
(`lms_core.archives.check_zip`, before any member is opened), the manifest's schema, that the package holds exactly
the files the manifest names, that every file's bytes hash to its name, and that every file's type — detected again
from its bytes — is one the material's kind accepts, by the very checks of an upload (sizes per kind included).

Matching, so that importing twice adds nothing: a material is found by its `uid`. A version of the package is
skipped when the material already has a version with the same content fingerprint (page text, file, subtitles,
link); when the same content appears n times in the package (a restored version), the first m occurrences are
skipped where m is how many such versions the material already has, so history that came back stays in order.
Other versions are appended with the next numbers, their text extracted as an upload's would be. A material
already on this server but owned by someone else is refused (only its owner adds versions to it). The describing
fields of a material already here are kept (edits made here win). Curriculum items are matched by (subject code,
grade, key) in the tree that applies to the school's province; unknown ones are warnings, not errors.

Review is never bypassed: nothing arrives published. Every imported version arrives as a draft, except that when
the package's newest version of a material was published at the source (and the material is visible to the school
or shared, and nothing of it is waiting for review here), that version arrives "waiting for review", so a reviewer
of this server decides. Every imported version gets a history entry naming the package, its number and status at
the source and its author there.

All or nothing: the rows are written in one transaction; files newly put under var/files/ by this import are
removed again if the transaction fails, and staged copies are always removed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.curriculum.service import MAX_ITEMS_PER_MATERIAL, tree_owner
from content.ingest import Section
from content.materials import service as materials
from content.materials import storage
from content.materials.images import MAX_IMAGES as MAX_PAGE_IMAGES
from content.materials.images import NOT_A_PAGE
from content.materials.models import (Licence, Material, MaterialImage, MaterialKind, MaterialVersion,
                                      ReviewEvent, StoredFile, VersionStatus, Visibility)
from content.packages.manifest import MaterialEntry, VersionEntry
from content.packages.reading import Checked, inspect, read_manifest, staged
from content.packages.report import ImportReport, MaterialPlan, Note, PackageRejected
from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.errors import Conflict, DomainError, Forbidden, Invalid
from lms_core.i18n import N_
from lms_core.org.models import School, Subject

OTHER_OWNER = N_("This material is already on this server and belongs to someone else: only its owner can import "
                 "new versions of it.")
KIND_DIFFERS = N_("This material is already on this server as another kind of material.")
NO_CONTENT = N_("Version {number} has no content this kind of material can hold.")
UNKNOWN_SUBJECT = N_("The subject {code} is not known on this server, so the material was imported without a subject.")
UNKNOWN_ITEM = N_("The curriculum item {subject} grade {grade} “{title}” ({key}) is not on this server, so the "
                  "material was imported without it.")
SCHOOL_ONLY_ELSEWHERE = N_("This material may be used only inside {school} (its licence): it cannot be imported into "
                           "another school.")
SCHOOL_ONLY_UNKNOWN = N_("This material may be used only inside the school that made it (its licence), and the package "
                         "does not say which school that is: export it again from that school.")
TOO_MANY_IMAGES = N_("A page can hold at most {max} images.")

S = VersionStatus


# --- planning ---------------------------------------------------------------------------------

def target_school(actor: User) -> int:
    """Return the school the actor imports into (as for creating a material), refusing anyone else."""
    school_ids = sorted(actor.school_ids(Role.teacher, Role.school_admin))
    if not actor.is_active or not school_ids:
        raise Forbidden(materials.NO_SCHOOL)
    return actor.school_id if actor.school_id in school_ids else school_ids[0]


def _check_version(plan: MaterialPlan, v: VersionEntry, checked: dict[str, Checked]) -> None:
    """Check one version's content against its material's kind, as the upload and editor routes would."""
    kind = plan.entry.kind
    if kind == MaterialKind.page:
        if v.body_markdown is None or v.file or v.transcript or v.external_url:
            raise Invalid(NO_CONTENT, number=v.number)
        materials._page_text(v.body_markdown)
    elif kind == MaterialKind.link:
        if v.external_url is None or v.file or v.transcript or v.body_markdown is not None:
            raise Invalid(NO_CONTENT, number=v.number)
        materials._url(v.external_url)
    else:
        if v.body_markdown is not None or v.external_url is not None or not (v.file or v.transcript):
            raise Invalid(NO_CONTENT, number=v.number)
        if v.transcript and kind not in materials.TIMED:
            raise Invalid(materials.NOT_TIMED)
        if v.file:
            inspect(checked[v.file.sha256], kind)
        if v.transcript:
            inspect(checked[v.transcript.sha256], "transcript")


def _plan_material(db: Session, actor: User, school: School, entry: MaterialEntry,
                   checked: dict[str, Checked]) -> MaterialPlan:
    plan = MaterialPlan(entry=entry)
    existing = db.scalar(select(Material).where(Material.uid == entry.uid))
    if entry.licence == Licence.school_only and entry.school_code != school.code and not (
            entry.school_code is None and existing is not None and existing.school_id == school.id):
        # (a package made before packages named the school comes back only to the school that already holds it)
        home = entry.school_code and (db.scalar(select(School.name).where(School.code == entry.school_code))
                                      or entry.school_code)
        plan.errors.append(Note(SCHOOL_ONLY_ELSEWHERE, {"school": home}) if home else Note(SCHOOL_ONLY_UNKNOWN))
        return plan
    if existing is not None:
        plan.existing = existing
        if not permissions.can(actor, "material.edit", existing):
            plan.errors.append(Note(OTHER_OWNER))
            return plan
        if existing.kind != entry.kind:
            plan.errors.append(Note(KIND_DIFFERS))
            return plan
    if entry.subject_code:
        plan.subject_id = db.scalar(select(Subject.id).where(Subject.code == entry.subject_code))
        if plan.subject_id is None:
            plan.warnings.append(Note(UNKNOWN_SUBJECT, {"code": entry.subject_code}))
    if existing is None:
        try:  # the describing fields are checked as the material form checks them
            materials._apply_fields(db, Material(), _fields(entry, plan.subject_id))
        except DomainError as exc:
            plan.errors.append(Note(exc.message, exc.params))
    have: Counter[tuple[Any, ...]] = Counter()
    statuses: list[str] = []
    if existing is not None:
        rows = db.execute(select(MaterialVersion.body_markdown, MaterialVersion.file_sha256,
                                 MaterialVersion.transcript_sha256, MaterialVersion.external_url,
                                 MaterialVersion.status).where(MaterialVersion.material_id == existing.id)).all()
        have.update(tuple(r[:4]) for r in rows)
        statuses = [r[4] for r in rows]
    new: list[VersionEntry] = []
    for v in entry.versions:
        if have[v.fingerprint()] > 0:
            have[v.fingerprint()] -= 1
            plan.skipped_versions += 1
            continue
        try:
            _check_version(plan, v, checked)
        except DomainError as exc:
            plan.errors.append(Note(exc.message, exc.params))
        new.append(v)
    visibility = existing.visibility if existing is not None else entry.visibility
    waiting = S.submitted in statuses
    for v in new:
        review = (v is entry.versions[-1] and v.status == S.published and visibility != Visibility.private
                  and not waiting)
        plan.new_versions.append((v, S.submitted if review else S.draft))
    _plan_images(db, plan, checked)
    _plan_items(db, plan, school)
    return plan


def _plan_images(db: Session, plan: MaterialPlan, checked: dict[str, Checked]) -> None:
    entry = plan.entry
    if not entry.images:
        return
    if entry.kind != MaterialKind.page:
        plan.errors.append(Note(NOT_A_PAGE))
        return
    have = set()
    if plan.existing is not None:
        have = set(db.scalars(select(MaterialImage.sha256).where(MaterialImage.material_id == plan.existing.id)))
    for image in entry.images:
        try:
            inspect(checked[image.file.sha256], "page_image")
        except DomainError as exc:
            plan.errors.append(Note(exc.message, exc.params))
            continue
        if image.file.sha256 not in have:
            have.add(image.file.sha256)
            plan.new_images.append((image.file.sha256, materials._safe_name(image.file_name) or "image"))
    if len(have) > MAX_PAGE_IMAGES:
        plan.errors.append(Note(TOO_MANY_IMAGES, {"max": MAX_PAGE_IMAGES}))


def _plan_items(db: Session, plan: MaterialPlan, school: School) -> None:
    have: set[int] = set()
    if plan.existing is not None:
        have = set(db.scalars(select(MaterialCurriculumItem.item_id).where(
            MaterialCurriculumItem.material_id == plan.existing.id)))
    for ref in plan.entry.curriculum:
        subject_id = db.scalar(select(Subject.id).where(Subject.code == ref.subject_code))
        item_id = None
        if subject_id is not None:
            owner = tree_owner(db=db, province_id=school.province_id, subject_id=subject_id, grade=ref.grade)
            in_tree = CurriculumItem.province_id.is_(None) if owner is None else CurriculumItem.province_id == owner
            item_id = db.scalar(select(CurriculumItem.id).where(
                in_tree, CurriculumItem.subject_id == subject_id, CurriculumItem.grade == ref.grade,
                CurriculumItem.key == ref.key))
        if item_id is None:
            plan.warnings.append(Note(UNKNOWN_ITEM, {"subject": ref.subject_code, "grade": ref.grade,
                                                     "title": ref.title, "key": ref.key}))
        elif item_id not in have and len(have) < MAX_ITEMS_PER_MATERIAL:
            have.add(item_id)
            plan.new_item_ids.append(item_id)


def _fields(entry: MaterialEntry, subject_id: int | None) -> materials.MaterialFields:
    return materials.MaterialFields(
        title=entry.title, kind=entry.kind, description=entry.description, subject_id=subject_id,
        grades=tuple(entry.grades), language=entry.language, licence=entry.licence, visibility=entry.visibility,
        tags=tuple(entry.tags))


# --- writing ----------------------------------------------------------------------------------

def _origin(package_sha: str, entry: MaterialEntry, v: VersionEntry) -> str:
    """Return the history comment of an imported version: the package, its number and status there, its author."""
    author = f" · {entry.author_name}" if entry.author_name else ""
    return f"⇐ {package_sha[:12]} · v{v.number} ({v.status}){author}"[:2000]


def _keep_files(db: Session, checked: dict[str, Checked], needed: set[str], fresh: list[str]) -> None:
    """Keep the needed staged files under var/files/ (recording which were new) and add their rows."""
    for sha, item in checked.items():
        if sha not in needed:
            continue
        if db.get(StoredFile, sha) is None:
            file_type = next(o[0] for o in item.inspected.values() if not isinstance(o, DomainError))
            db.add(StoredFile(sha256=sha, size=item.staged.size, file_type=file_type.value))
        if storage.keep(item.staged):
            fresh.append(sha)


def _write_material(db: Session, actor: User, school_id: int, plan: MaterialPlan, checked: dict[str, Checked],
                    package_sha: str) -> None:
    entry = plan.entry
    material = plan.existing
    if material is None:
        material = Material(uid=entry.uid, owner_id=actor.id, school_id=school_id)
        materials._apply_fields(db, material, _fields(entry, plan.subject_id))
        db.add(material)
        db.flush()
    plan.material_id = material.id
    for v, status in plan.new_versions:
        sections: list[Section] | None = None
        if v.transcript:
            sections = inspect(checked[v.transcript.sha256], "transcript")[1]
        elif v.file:
            sections = inspect(checked[v.file.sha256], entry.kind)[1]
        elif entry.kind == MaterialKind.link:
            sections = []
        version = materials._new_version(
            db, actor, material, sections=sections, note=v.note, body_markdown=v.body_markdown,
            file_sha256=v.file.sha256 if v.file else None, file_name=v.file_name if v.file else None,
            transcript_sha256=v.transcript.sha256 if v.transcript else None, external_url=v.external_url)
        version.created_at = v.created_at
        version.status = status
        db.add(ReviewEvent(version_id=version.id, actor_id=actor.id, from_status=S.draft, to_status=status,
                           comment=_origin(package_sha, entry, v)))
    _write_extras(db, actor, material, plan)


def _write_extras(db: Session, actor: User, material: Material, plan: MaterialPlan) -> None:
    """Add the material's new page images and curriculum mappings."""
    db.add_all([MaterialImage(material_id=material.id, sha256=sha, file_name=name, uploaded_by_id=actor.id)
                for sha, name in plan.new_images])
    db.add_all([MaterialCurriculumItem(material_id=material.id, item_id=i) for i in plan.new_item_ids])
    db.flush()


def import_package(*, db: Session, actor: User, path: Path, package_sha256: str, dry_run: bool) -> ImportReport:
    """Check a package and, unless dry_run, import it in one transaction; refuse it whole when anything is wrong."""
    school_id = target_school(actor)
    school = db.get(School, school_id)
    manifest = read_manifest(path)
    with staged(path, manifest) as checked:
        plans = [_plan_material(db, actor, school, entry, checked) for entry in manifest.materials]
        report = ImportReport(package_sha256=package_sha256, school_id=school_id, plans=plans)
        needed = {v.file.sha256 for p in plans for v, _ in p.new_versions if v.file}
        needed |= {v.transcript.sha256 for p in plans for v, _ in p.new_versions if v.transcript}
        needed |= {sha for p in plans for sha, _ in p.new_images}
        report.new_files = sum(1 for sha in needed if not storage.path_for(sha).is_file())
        if report.errors:
            raise PackageRejected(report)
        if dry_run:
            return report
        fresh: list[str] = []
        try:
            _keep_files(db, checked, needed, fresh)
            db.flush()
            for plan in plans:
                if plan.adds_anything:
                    _write_material(db, actor, school_id, plan, checked, package_sha256)
            db.commit()
        except IntegrityError:
            db.rollback()
            _forget(fresh)
            raise Conflict(materials.VERSION_CLASH) from None
        except BaseException:
            db.rollback()
            _forget(fresh)
            raise
    report.applied = True
    return report


def _forget(fresh: list[str]) -> None:
    for sha in fresh:
        storage.forget(sha)

