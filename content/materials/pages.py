"""HTML routes of materials: list, create, view, edit, upload, history, compare, restore, and their files."""

from __future__ import annotations

import hashlib
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import escape
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum.mapping import mapped_for_page
from content.ingest import FileType
from content.ingest.sections import Address
from content.materials import course_files, files, image_pages, images, service
from content.materials.models import (KIND_LABELS, LICENCE_LABELS, STATUS_LABELS, VISIBILITY_LABELS, Material,
                                      MaterialKind, MaterialSection, MaterialVersion, Visibility)
from content.materials.render import render_markdown
from content.review import service as review
from lms_core import permissions
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import Role, User
from lms_core.errors import Forbidden, Invalid, TooLarge
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import Subject
from lms_core.settings import get_settings
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)

STATIC_DIR = FsPath(__file__).resolve().parents[1] / "static"
EDITOR_JS = STATIC_DIR / "editor.js"
EDITOR_VERSION = hashlib.sha256(EDITOR_JS.read_bytes()).hexdigest()[:10]
MAX_ID = 2_147_483_647
PER_PAGE = 50
MAX_SECTIONS = 300
PREVIEW_MAX = 500_000
LANGUAGES = {"vi": "Tiếng Việt", "en": "English", "ko": "한국어", "fr": "Français", "zh": "中文", "ja": "日本語"}
ACCEPT = {FileType.pdf: ".pdf", FileType.docx: ".docx", FileType.pptx: ".pptx", FileType.markdown: ".md,.markdown",
          FileType.text: ".txt", FileType.html: ".html,.htm", FileType.zip: ".zip", FileType.mp4: ".mp4",
          FileType.webm: ".webm", FileType.mp3: ".mp3", FileType.m4a: ".m4a", FileType.ogg: ".ogg,.oga",
          FileType.wav: ".wav", FileType.png: ".png", FileType.jpeg: ".jpg,.jpeg", FileType.gif: ".gif",
          FileType.webp: ".webp", FileType.svg: ".svg"}
BAD_FORM = N_("The request is not valid.")
BAD_LANGUAGE = N_("This language is not offered.")
CHOOSE_FILE = N_("Choose a file to upload.")
PREVIEW_TOO_LONG = N_("The text is too long to preview (at most 500,000 characters).")
MaterialId = Annotated[int, Path(ge=1, le=MAX_ID)]
Number = Annotated[int, Path(ge=1, le=MAX_ID)]


class FieldsForm(BaseModel):
    """The describing fields as a form sends them (the service checks them; these bounds stop abuse)."""

    title: str = Field(default="", max_length=400)
    kind: str = Field(default="", max_length=16)
    description: str = Field(default="", max_length=4000)
    subject_id: str = Field(default="", max_length=12)
    grades: list[str] = Field(default_factory=list, max_length=12)
    language: str = Field(default="vi", max_length=8)
    licence: str = Field(default="CC-BY-SA-4.0", max_length=32)
    visibility: str = Field(default=Visibility.private, max_length=16)
    tags: str = Field(default="", max_length=1000)
    body_markdown: str = Field(default="", max_length=PREVIEW_MAX + 10_000)
    external_url: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=500)
    part: str = Field(default="fields", pattern="^(fields|text)$")


def _fields(form: FieldsForm, kind: str) -> service.MaterialFields:
    """Return the service's fields from a form; refuse ids and languages that are not offered."""
    subject = form.subject_id.strip()
    if subject and (not subject.isdecimal() or not 1 <= int(subject) <= MAX_ID):
        raise Invalid(BAD_FORM)
    if any(not g.strip().isdecimal() or len(g.strip()) > 2 for g in form.grades):
        raise Invalid(service.BAD_GRADE)
    if form.language not in LANGUAGES:
        raise Invalid(BAD_LANGUAGE)
    return service.MaterialFields(
        title=form.title, kind=kind, description=form.description, subject_id=int(subject) if subject else None,
        grades=tuple(int(g) for g in form.grades), language=form.language, licence=form.licence,
        visibility=form.visibility, tags=tuple(t for t in form.tags.split(",") if t.strip()))


def _values(material: Material) -> dict[str, Any]:
    """Return a form's values from a stored material."""
    return {"title": material.title, "kind": material.kind, "description": material.description,
            "subject_id": str(material.subject_id or ""), "grades": [str(g) for g in material.grades],
            "language": material.language, "licence": material.licence, "visibility": material.visibility,
            "tags": ", ".join(material.tags)}


def _subjects(db: Session) -> dict[int, Subject]:
    locale = current_locale()
    return {s.id: s for s in sorted(db.scalars(select(Subject)), key=lambda s: s.name(locale))}


def _common(db: Session) -> dict[str, Any]:
    """Return what every materials page uses: labels, choices, the editor script's address."""
    return {"KIND_LABELS": KIND_LABELS, "STATUS_LABELS": STATUS_LABELS, "LICENCE_LABELS": LICENCE_LABELS,
            "VISIBILITY_LABELS": VISIBILITY_LABELS, "LANGUAGES": LANGUAGES, "subjects": _subjects(db),
            "local_time": local_time, "editor_js": f"/static-content/editor.js?v={EDITOR_VERSION}"}


def _may_create(user: User) -> bool:
    return bool(user.school_ids(Role.teacher, Role.school_admin))


def _versions_by_id(db: Session, ids: list[int | None]) -> dict[int, MaterialVersion]:
    wanted = [i for i in ids if i]
    return {v.id: v for v in db.scalars(select(MaterialVersion).where(MaterialVersion.id.in_(wanted)))} if wanted else {}


def _school_materials(db: Session, user: User) -> list[Material]:
    """Return the non-private materials of the schools a user administers, by others (filtered in SQL)."""
    schools = user.school_ids(Role.school_admin)
    if not schools:
        return []
    query = select(Material).where(permissions.visible(user, "material.view"), Material.school_id.in_(schools),
                                   Material.owner_id != user.id, Material.visibility != Visibility.private)
    return list(db.scalars(query.order_by(Material.updated_at.desc(), Material.id.desc()).limit(PER_PAGE)))


@router.get("/static-content/editor.js")
def editor_script() -> Response:
    """Serve the Markdown editor's live-preview script."""
    return FileResponse(EDITOR_JS, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})


@router.get("/materials")
def materials_page(request: Request, db: DbSession, user: CurrentUser,
                   page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    """List the user's own materials (and, for school admins, their school's shared ones)."""
    rows = service.list_materials(db=db, actor=user, mine=True, offset=(page - 1) * PER_PAGE, limit=PER_PAGE + 1)
    school_rows = _school_materials(db, user) if page == 1 else []
    everything = rows[:PER_PAGE] + school_rows
    return render(request, "materials/list.html", {
        **_common(db), "materials": rows[:PER_PAGE], "school_materials": school_rows, "page": page,
        "more": len(rows) > PER_PAGE, "may_create": _may_create(user),
        "current": _versions_by_id(db, [m.current_version_id for m in everything]),
    })


def _form_page(request: Request, db: Session, *, values: dict[str, Any], material: Material | None = None,
               error: str | None = None, status_code: int = 200) -> Response:
    """Render the form to create a material or to edit one (its fields, and a page's text)."""
    body = values.get("body_markdown", "")
    page_images = images.images_of(db=db, material=material) if material and material.kind == MaterialKind.page else []
    added = request.query_params.get("image", "")
    return render(request, "materials/form.html", {
        **_common(db), "values": values, "material": material, "error": error, "body": body,
        "preview": render_markdown(body) if body.strip() else None,
        "images": [(i, images.markdown_of(i)) for i in page_images], "added_image": added,
        "image_mb": f"{get_settings().upload_limit_bytes('page_image') / 1_000_000:.3g}",
    }, status_code=status_code)


def edit_page_with_error(request: Request, db: Session, user: User, material_id: int, exc: Invalid | TooLarge) -> Response:
    """Show the owner's edit form again with a refusal (used when an image upload is refused)."""
    material = service.editable_material(db=db, actor=user, material_id=material_id)
    return _form_page(request, db, values=_values(material) | {"body_markdown": _current_text(db, material)},
                      material=material, error=exc.translated(), status_code=exc.status_code)


@router.get("/materials/new")
def new_material_form(request: Request, db: DbSession, user: CurrentUser,
                      kind: Annotated[str, Query(max_length=16)] = MaterialKind.page) -> Response:
    """Show the form to create a material."""
    if not _may_create(user):
        raise Forbidden(service.NO_SCHOOL)
    kind = kind if kind in set(MaterialKind) else MaterialKind.page
    return _form_page(request, db, values={"kind": kind, "language": "vi", "licence": "CC-BY-SA-4.0",
                                           "visibility": Visibility.private, "grades": []})


@router.post("/materials/new")
def create_material(request: Request, db: DbSession, user: CurrentUser,
                    form: Annotated[FieldsForm, Form()]) -> Response:
    """Create a material; a file kind then goes on to its upload form."""
    try:
        fields = _fields(form, form.kind)
        material = service.create_material(
            db=db, actor=user, fields=fields, note=form.note,
            body_markdown=form.body_markdown if form.kind == MaterialKind.page else None,
            external_url=form.external_url if form.kind == MaterialKind.link else None)
    except Invalid as exc:
        db.rollback()
        return _form_page(request, db, values=form.model_dump(), error=exc.translated(), status_code=exc.status_code)
    target = "upload" if material.kind in service.ACCEPTED else ""
    return RedirectResponse(f"/materials/{material.id}/{target}".rstrip("/"), status_code=303)


@router.post("/materials/preview")
def preview(user: CurrentUser, body_markdown: Annotated[str, Form()] = "") -> Response:
    """Return a written page's text as the sanitised HTML readers will see (the live preview)."""
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if len(body_markdown) > PREVIEW_MAX:
        return HTMLResponse(f'<p class="error">{escape(gettext(PREVIEW_TOO_LONG))}</p>', status_code=413,
                            headers=headers)
    return HTMLResponse(str(render_markdown(body_markdown)), headers=headers)


def _shown(db: Session, user: User, material: Material, number: int | None) -> MaterialVersion | None:
    """Return the version a page shows: one asked for, else the current one if visible, else the published one."""
    if number is not None:
        return service.get_version(db=db, actor=user, material_id=material.id, number=number)
    visible = {v.id: v for v in service.visible_versions(actor=user, material=material)}
    return visible.get(material.current_version_id or 0) or visible.get(material.published_version_id or 0)


def _display(material: Material, version: MaterialVersion | None) -> str:
    """Return how a version's content is shown: page, link, pdf, image, video, audio, sections or nothing."""
    if version is None:
        return "none"
    if version.body_markdown is not None:
        return "page"
    if version.external_url:
        return "link"
    if not version.file_sha256:
        return "sections" if version.sections else "none"
    kind = version.file.file_type
    if kind == FileType.pdf:
        return "pdf"
    playable = kind in service.ACCEPTED.get(material.kind, ()) and material.kind in ("image", "video", "audio")
    return material.kind if playable else "sections"


def _sections(db: Session, version: MaterialVersion | None) -> tuple[list[tuple[str, MaterialSection]], int]:
    """Return the first sections of a version with their citation labels, and how many it has."""
    if version is None:
        return [], 0
    where = MaterialSection.version_id == version.id
    rows = db.scalars(select(MaterialSection).where(where).order_by(MaterialSection.position).limit(MAX_SECTIONS))
    locale = current_locale()
    labelled = [(Address.from_dict(s.address).label(locale), s) for s in rows]
    return labelled, db.scalar(select(func.count()).select_from(MaterialSection).where(where)) or 0


@router.get("/materials/{material_id}")
def material_page(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
                  version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """Show a material: its content, description, history with compare and restore."""
    material = service.get_material(db=db, actor=user, material_id=material_id)
    shown = _shown(db, user, material, version)
    history = list(reversed(service.visible_versions(actor=user, material=material)))
    people = {u.id: u for u in db.scalars(select(User).where(
        User.id.in_({v.created_by_id for v in history} | {material.owner_id})))}
    sections, total = _sections(db, shown)
    base = f"/materials/{material.id}/versions/{shown.number}" if shown else ""
    return render(request, "materials/detail.html", {
        **_common(db), "material": material, "shown": shown, "display": _display(material, shown),
        "html": render_markdown(shown.body_markdown) if shown and shown.body_markdown is not None else None,
        "sections": sections, "hidden_sections": total - len(sections),
        "file_url": f"{base}/file" if shown and shown.file_sha256 else None,
        "file_mime": FileType(shown.file.file_type).mime if shown and shown.file_sha256 else None,
        "track_url": f"{base}/transcript.vtt" if shown and shown.transcript_sha256 else None,
        "history": history, "people": people, "may_edit": permissions.can(user, "material.edit", material),
        "has_files": material.kind in service.ACCEPTED,
        "uploaded": request.query_params.get("uploaded", "").isdecimal(),
        "restored": request.query_params.get("restored", "").isdecimal(),
        "saved": request.query_params.get("saved") == "1",
        "steps": review.steps_for(db=db, actor=user, material=material),
        "review_notice": request.query_params.get("review"),
        "curriculum_items": mapped_for_page(db=db, actor=user, material_id=material.id),
    })


def _current_text(db: Session, material: Material) -> str:
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    return (current.body_markdown or "") if current else ""


@router.get("/materials/{material_id}/edit")
def edit_form(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser) -> Response:
    """Show the owner's form for a material's fields and, for a written page, its text."""
    material = service.editable_material(db=db, actor=user, material_id=material_id)
    return _form_page(request, db, values=_values(material) | {"body_markdown": _current_text(db, material)},
                      material=material)


@router.post("/materials/{material_id}/edit")
def edit(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
         form: Annotated[FieldsForm, Form()]) -> Response:
    """Save a material's fields, or a written page's text as a new version."""
    material = service.editable_material(db=db, actor=user, material_id=material_id)
    try:
        if form.part == "text":
            service.add_text_version(db=db, actor=user, material_id=material.id, body_markdown=form.body_markdown,
                                     note=form.note)
            return RedirectResponse(f"/materials/{material.id}?saved=1", status_code=303)
        service.update_fields(db=db, actor=user, material_id=material.id, fields=_fields(form, material.kind))
    except Invalid as exc:
        db.rollback()
        material = service.editable_material(db=db, actor=user, material_id=material_id)
        values = _values(material) | {"body_markdown": _current_text(db, material)}
        if form.part == "text":
            values |= {"body_markdown": form.body_markdown, "note": form.note}
        else:
            values |= form.model_dump(exclude={"kind", "body_markdown", "note", "part"})
        return _form_page(request, db, values=values, material=material, error=exc.translated(),
                          status_code=exc.status_code)
    return RedirectResponse(f"/materials/{material.id}?saved=1", status_code=303)


def _upload_page(request: Request, db: Session, material: Material, *, error: str | None = None,
                 status_code: int = 200) -> Response:
    """Render the upload form of a file material (and its transcript form for video and audio)."""
    accepted = service.ACCEPTED.get(material.kind)
    if accepted is None:
        raise Invalid(service.NO_FILE_FOR_KIND)
    settings = get_settings()
    current = db.get(MaterialVersion, material.current_version_id) if material.current_version_id else None
    return render(request, "materials/upload.html", {
        **_common(db), "material": material, "error": error, "current": current,
        "accept": ",".join(ACCEPT[t] for t in accepted), "names": ", ".join(t.value.upper() for t in accepted),
        "max_mb": f"{settings.upload_limit_bytes(material.kind) / 1_000_000:.3g}",
        "transcript_mb": f"{settings.upload_limit_bytes('transcript') / 1_000_000:.3g}",
        "timed": material.kind in service.TIMED,
    }, status_code=status_code)


@router.get("/materials/{material_id}/upload")
def upload_form(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser) -> Response:
    """Show the owner's form to upload a new file version."""
    return _upload_page(request, db, service.editable_material(db=db, actor=user, material_id=material_id))


def _receive(request: Request, db: Session, user: User, material_id: int, file: UploadFile | None, note: str,
             transcript: bool) -> Response:
    """Store an uploaded file or transcript as a new version, or show the refusal on the upload page."""
    material = service.editable_material(db=db, actor=user, material_id=material_id)
    try:
        if file is None or not file.filename:
            raise Invalid(CHOOSE_FILE)
        if transcript:
            version = service.attach_transcript(db=db, actor=user, material_id=material.id, stream=file.file, note=note)
        else:
            version = service.add_file_version(db=db, actor=user, material_id=material.id, stream=file.file,
                                               filename=file.filename, note=note)
    except (Invalid, TooLarge) as exc:
        db.rollback()
        material = service.editable_material(db=db, actor=user, material_id=material_id)
        return _upload_page(request, db, material, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/materials/{material.id}?uploaded={version.number}", status_code=303)


@router.post("/materials/{material_id}/upload")
def upload(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
           file: Annotated[UploadFile | None, File()] = None,
           note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Upload a file as a new version (its type is decided by its bytes)."""
    return _receive(request, db, user, material_id, file, note, transcript=False)


@router.post("/materials/{material_id}/transcript")
def transcript(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
               file: Annotated[UploadFile | None, File()] = None,
               note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Attach WebVTT or SRT subtitles to a video or audio material."""
    return _receive(request, db, user, material_id, file, note, transcript=True)


def _collapse(rows: list[tuple[str, str]], context: int = 2) -> list[dict[str, Any]]:
    """Return diff lines with long unchanged stretches folded to a count."""
    changed = [i for i, (sign, _) in enumerate(rows) if sign != " "]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    out: list[dict[str, Any]] = []
    skipped = 0
    for i, (sign, text) in enumerate(rows):
        if i in keep:
            if skipped:
                out.append({"skipped": skipped})
                skipped = 0
            out.append({"sign": sign, "text": text})
        else:
            skipped += 1
    if skipped:
        out.append({"skipped": skipped})
    return out


@router.get("/materials/{material_id}/compare")
def compare_page(request: Request, material_id: MaterialId, db: DbSession, user: CurrentUser,
                 older: Annotated[int, Query(ge=1, le=MAX_ID)], newer: Annotated[int, Query(ge=1, le=MAX_ID)]) -> Response:
    """Show the line differences between two versions' text."""
    material = service.get_material(db=db, actor=user, material_id=material_id)
    if older > newer:
        older, newer = newer, older
    rows = service.compare(db=db, actor=user, material_id=material.id, older=older, newer=newer)
    return render(request, "materials/compare.html", {
        **_common(db), "material": material, "older": older, "newer": newer, "lines": _collapse(rows),
        "added": sum(1 for s, _ in rows if s == "+"), "removed": sum(1 for s, _ in rows if s == "-"),
    })


@router.post("/materials/{material_id}/versions/{number}/restore")
def restore(material_id: MaterialId, number: Number, db: DbSession, user: CurrentUser,
            note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Make an old version the newest again, as a new version."""
    version = service.restore(db=db, actor=user, material_id=material_id, number=number, note=note)
    return RedirectResponse(f"/materials/{material_id}?restored={version.number}", status_code=303)


@router.api_route("/materials/{material_id}/versions/{number}/file", methods=["GET", "HEAD"])
def version_file(request: Request, material_id: MaterialId, number: Number, db: DbSession, user: CurrentUser) -> Response:
    """Serve a version's file, with range requests for seeking."""
    version = service.get_version(db=db, actor=user, material_id=material_id, number=number)
    return files.serve_version(request, version, transcript=False)


@router.api_route("/materials/{material_id}/versions/{number}/transcript", methods=["GET", "HEAD"])
def version_transcript(request: Request, material_id: MaterialId, number: Number, db: DbSession,
                       user: CurrentUser) -> Response:
    """Serve a version's subtitles file as uploaded."""
    version = service.get_version(db=db, actor=user, material_id=material_id, number=number)
    return files.serve_version(request, version, transcript=True)


@router.get("/materials/{material_id}/versions/{number}/transcript.vtt")
def version_track(material_id: MaterialId, number: Number, db: DbSession, user: CurrentUser) -> Response:
    """Serve a version's subtitles as WebVTT for the player's <track>."""
    return files.serve_vtt(service.get_version(db=db, actor=user, material_id=material_id, number=number))


router.include_router(image_pages.router)
router.include_router(course_files.router)
