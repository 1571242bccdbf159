"""Images of written pages: uploaded by the page's owner, kept once by hash, shown to whoever may read the page.

A page's Markdown refers to an image as ``/page-images/<sha256>``: the address names the bytes, not the material,
so a page keeps working after it is copied to another server in a portable package.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.ingest import FileType, detect
from content.materials import storage
from content.materials.models import Material, MaterialImage, MaterialKind, StoredFile
from content.repository.models import CourseMaterial
from lms_core.courses import rules as _course_rules  # noqa: F401 (registers course.view)
from lms_core.courses.models import Course
from content.materials.service import _safe_name, editable_material
from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.errors import Invalid, NotFound
from lms_core.i18n import N_
from lms_core.settings import get_settings

PREFIX = "/page-images/"
IMAGE_TYPES = (FileType.png, FileType.jpeg, FileType.gif, FileType.webp)
NOT_A_PAGE = N_("Only a written page can hold images.")
NOT_AN_IMAGE = N_("This file is not a PNG, JPEG, GIF or WebP image.")
IMAGE_NOT_FOUND = N_("This image does not exist.")
MAX_IMAGES = 200
TOO_MANY = N_("A page can hold at most {max} images.")


def url_of(sha256: str) -> str:
    """Return the address a page uses for an image."""
    return PREFIX + sha256


def markdown_of(image: MaterialImage) -> str:
    """Return the Markdown that shows an image, its file name (without extension) as the description."""
    alt = image.file_name.rsplit(".", 1)[0].replace("[", "(").replace("]", ")").strip() or "image"
    return f"![{alt}]({url_of(image.sha256)})"


def add_image(*, db: Session, actor: User, material_id: int, stream: BinaryIO, filename: str | None) -> MaterialImage:
    """Store an image for a written page the actor owns; the same image twice gives the same row."""
    material = editable_material(db=db, actor=actor, material_id=material_id)
    if material.kind != MaterialKind.page:
        raise Invalid(NOT_A_PAGE)
    staged = storage.stage(stream, max_bytes=get_settings().upload_limit_bytes("page_image"))
    if detect(staged.head) not in IMAGE_TYPES:
        staged.discard()
        raise Invalid(NOT_AN_IMAGE)
    existing = db.scalar(select(MaterialImage).where(MaterialImage.material_id == material.id,
                                                     MaterialImage.sha256 == staged.sha256))
    if existing is not None:
        staged.discard()
        return existing
    if len(images_of(db=db, material=material)) >= MAX_IMAGES:
        staged.discard()
        raise Invalid(TOO_MANY, max=MAX_IMAGES)
    file_type = detect(staged.head)
    if db.get(StoredFile, staged.sha256) is None:
        db.add(StoredFile(sha256=staged.sha256, size=staged.size, file_type=file_type.value))
    sha = staged.sha256
    fresh = storage.keep(staged)
    try:
        image = MaterialImage(material_id=material.id, sha256=sha, uploaded_by_id=actor.id,
                              file_name=_safe_name(filename) or f"image.{file_type.value}")
        db.add(image)
        db.commit()
    except IntegrityError:
        # The same image sent twice at once: the other request's row holds the file, so it stays.
        db.rollback()
        same = db.scalar(select(MaterialImage).where(MaterialImage.material_id == material.id,
                                                     MaterialImage.sha256 == sha))
        if same is None:
            raise
        return same
    except BaseException:
        db.rollback()
        if fresh:
            storage.forget(sha)
        raise
    return image


def images_of(*, db: Session, material: Material) -> list[MaterialImage]:
    """Return a page's images, oldest first."""
    return list(db.scalars(select(MaterialImage).where(MaterialImage.material_id == material.id)
                           .order_by(MaterialImage.id)))


def visible_image(*, db: Session, actor: User, sha256: str) -> MaterialImage:
    """Return an image row of a page the actor may read (unknown and hidden both read 'not found')."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFound(IMAGE_NOT_FOUND)
    in_courses = select(CourseMaterial.material_id).join(Course, Course.id == CourseMaterial.course_id).where(
        permissions.visible(actor, "course.view"))  # a page a lesson of the reader's course uses
    image = db.scalar(select(MaterialImage).join(Material, Material.id == MaterialImage.material_id).where(
        MaterialImage.sha256 == sha256,
        or_(permissions.visible(actor, "material.view"), Material.id.in_(in_courses))).limit(1))
    if image is None:
        raise NotFound(IMAGE_NOT_FOUND)
    return image
