"""Reading a package safely: size, zip safety, manifest, members, and each file hashed and typed as an upload is."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from content.ingest import FileType, Section, detect
from content.materials import service as materials
from content.materials import storage
from content.materials.images import IMAGE_TYPES, NOT_AN_IMAGE
from content.packages.manifest import FILES_DIR, MANIFEST_NAME, MAX_MANIFEST_BYTES, Manifest
from content.packages.uploads import PACKAGE_TOO_LARGE
from lms_core.archives import BROKEN_ARCHIVE, check_zip
from lms_core.errors import DomainError, Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.settings import get_settings

MANIFEST_TOO_LARGE = N_("The package's manifest is larger than {max_mb} MB: export fewer materials at once.")
NO_MANIFEST = N_("This is not a package of materials: it has no manifest.json.")
BAD_MANIFEST = N_("The package's manifest is not valid ({where}). Export the package again.")
UNEXPECTED_MEMBER = N_("The package holds a file its manifest does not name ({name}).")
MISSING_FILE = N_("The package lacks a file its manifest names ({name}).")
WRONG_SIZE = N_("A file of the package does not have the size its manifest gives ({name}).")
HASH_MISMATCH = N_("A file of the package is damaged: its contents do not match its name ({name}).")

UNPACKED_FACTOR = 4  # unpacked bytes allowed per packed byte, nested documents (DOCX, PPTX) included
MAX_MEMBERS = 200_000


@dataclass
class Checked:
    """A file of the package, staged in the store and hashed, with the outcome of each check of its type."""

    staged: storage.Staged
    inspected: dict[str, tuple[FileType, list[Section]] | DomainError] = field(default_factory=dict)


def _limit_for(kind: str) -> int:
    return get_settings().upload_limit_bytes(kind)


def read_manifest(path: Path) -> Manifest:
    """Check a package's size and zip safety, then read and validate its manifest and its list of members."""
    limit = get_settings().max_package_bytes
    if path.stat().st_size > limit:
        raise TooLarge(PACKAGE_TOO_LARGE, max_mb=f"{limit / 1_000_000:.3g}")
    check_zip(path, max_total=limit * UNPACKED_FACTOR, max_members=MAX_MEMBERS, max_depth=2)
    with zipfile.ZipFile(path) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        info = infos.get(MANIFEST_NAME)
        if info is None:
            raise Invalid(NO_MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            raise TooLarge(MANIFEST_TOO_LARGE, max_mb=f"{MAX_MANIFEST_BYTES / 1_000_000:.3g}")
        raw = archive.read(info)
    try:
        manifest = Manifest.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or first.get("msg", "")[:200]
        raise Invalid(BAD_MANIFEST, where=where) from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid(BAD_MANIFEST, where=MANIFEST_NAME) from None
    files = manifest.files()
    expected = {MANIFEST_NAME} | {FILES_DIR + sha for sha in files}
    for name in sorted(infos):
        if name not in expected:
            raise Invalid(UNEXPECTED_MEMBER, name=name[:100])
    for sha, ref in files.items():
        member = infos.get(FILES_DIR + sha)
        if member is None:
            raise Invalid(MISSING_FILE, name=FILES_DIR + sha)
        if member.file_size != ref.size:
            raise Invalid(WRONG_SIZE, name=FILES_DIR + sha)
    return manifest


def stage_files(path: Path, manifest: Manifest, kinds_of: dict[str, set[str]]) -> dict[str, Checked]:
    """Copy each file of the package into the store's staging area, hashing it; refuse any whose hash differs."""
    checked: dict[str, Checked] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for sha in manifest.files():
                limit = max(_limit_for(k) for k in kinds_of[sha])
                with archive.open(FILES_DIR + sha) as member:
                    staged = storage.stage(member, max_bytes=limit)
                checked[sha] = Checked(staged=staged)
                if staged.sha256 != sha:
                    raise Invalid(HASH_MISMATCH, name=FILES_DIR + sha)
    except zipfile.BadZipFile:
        discard(checked)
        raise Invalid(BROKEN_ARCHIVE) from None
    except BaseException:
        discard(checked)
        raise
    return checked


def discard(checked: dict[str, Checked]) -> None:
    for item in checked.values():
        item.staged.discard()


def kinds_of(manifest: Manifest) -> dict[str, set[str]]:
    """Return, per file, the upload kinds it is used as (a kind of material, 'transcript' or 'page_image')."""
    kinds: dict[str, set[str]] = {}
    for m in manifest.materials:
        for v in m.versions:
            if v.file:
                kinds.setdefault(v.file.sha256, set()).add(m.kind)
            if v.transcript:
                kinds.setdefault(v.transcript.sha256, set()).add("transcript")
        for image in m.images:
            kinds.setdefault(image.file.sha256, set()).add("page_image")
    return kinds


def inspect(item: Checked, kind: str) -> tuple[FileType, list[Section]]:
    """Check a staged file as an upload of this kind would be checked; remember the outcome."""
    if kind not in item.inspected:
        try:
            if kind == "transcript":
                item.inspected[kind] = materials._inspect(item.staged, (FileType.vtt, FileType.srt), "transcript",
                                                          message=materials.NOT_SUBTITLES)
            elif kind == "page_image":
                image_type = detect(item.staged.head)  # as the page image upload checks it
                if image_type not in IMAGE_TYPES:
                    raise Invalid(NOT_AN_IMAGE)
                item.inspected[kind] = (image_type, [])
            elif kind in materials.ACCEPTED:
                item.inspected[kind] = materials._inspect(item.staged, materials.ACCEPTED[kind], kind)
            else:
                raise Invalid(materials.NO_FILE_FOR_KIND)
        except DomainError as exc:
            item.inspected[kind] = exc
    outcome = item.inspected[kind]
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@contextmanager
def staged(path: Path, manifest: Manifest) -> Iterator[dict[str, Checked]]:
    checked = stage_files(path, manifest, kinds_of(manifest))
    try:
        yield checked
    finally:
        discard(checked)  # kept files were moved away; this removes only what is left in staging
