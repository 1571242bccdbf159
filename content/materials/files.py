"""Serving stored files: HTTP range requests for seeking, safe headers, and subtitles for <track>."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse, Response

from content.ingest import FileType
from content.ingest.filetypes import decode_text
from content.materials import storage
from content.materials.models import MaterialVersion
from content.materials.service import NOT_SUBTITLES
from lms_core.errors import Invalid, NotFound
from lms_core.i18n import N_

NO_FILE = N_("This version has no file.")
FILE_MISSING = N_("The file of this version is missing on the server. Please tell the school's administrator.")
CACHE = "private, max-age=3600"
# Neither a page nor a top-level visit may run what an unsafe file holds (SVG and HTML carry scripts).
SANDBOX = "sandbox"
_SRT_TIME = re.compile(r"^(\d{2,}:\d{2}:\d{2}),(\d{3})(\s*-->\s*\d{2,}:\d{2}:\d{2}),(\d{3})", re.M)
_EXTENSIONS = {FileType.jpeg: "jpg", FileType.markdown: "md", FileType.text: "txt"}


def ascii_name(name: str) -> str:
    """Return a plain-ASCII stand-in of a file name for old clients ("Bài học.pdf" → "Bai hoc.pdf")."""
    name = name.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r'[^A-Za-z0-9 ._()+-]', "_", plain).strip(" .")
    return plain or "file"


def content_disposition(kind: str, name: str) -> str:
    """Return a Content-Disposition value with an ASCII name and the exact name per RFC 5987."""
    return f"{kind}; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def default_name(stem: str, file_type: FileType) -> str:
    """Return a download name for a file uploaded without one."""
    return f"{stem}.{_EXTENSIONS.get(file_type, file_type.value)}"


def _stored_path(sha256: str) -> Path:
    path = storage.path_for(sha256)
    if not path.is_file():
        raise NotFound(FILE_MISSING)
    return path


def serve_file(request: Request, *, sha256: str, file_type: str, file_name: str) -> Response:
    """Answer with a stored file: ranges, ETag by hash, private caching, and attachment for unsafe types."""
    kind = FileType(file_type) if file_type in set(FileType) else FileType.unknown
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"}
    if kind.safe_to_inline:
        headers["Content-Disposition"] = content_disposition("inline", file_name)
    else:
        headers["Content-Disposition"] = content_disposition("attachment", file_name)
        headers["Content-Security-Policy"] = SANDBOX
    wanted = request.headers.get("if-none-match", "")
    if etag in (t.strip() for t in wanted.split(",")) or wanted.strip() == "*":
        return Response(status_code=304, headers={k: headers[k] for k in ("ETag", "Cache-Control")})
    path = _stored_path(sha256)
    return FileResponse(path, media_type=kind.mime, headers=headers)


def srt_to_vtt(text: str) -> str:
    """Return SubRip subtitles as WebVTT (browsers' <track> reads only WebVTT)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "WEBVTT\n\n" + _SRT_TIME.sub(r"\1.\2\3.\4", text)


def serve_version(request: Request, version: MaterialVersion, *, transcript: bool) -> Response:
    """Answer with a version's file or its subtitles file (not found when it has none)."""
    sha, stored = (version.transcript_sha256, version.transcript) if transcript else (version.file_sha256, version.file)
    if not sha or stored is None:
        raise NotFound(NO_FILE)
    kind = FileType(stored.file_type)
    stem = f"material-{version.material_id}-v{version.number}" + ("-subtitles" if transcript else "")
    name = (None if transcript else version.file_name) or default_name(stem, kind)
    return serve_file(request, sha256=sha, file_type=kind, file_name=name)


def serve_vtt(version: MaterialVersion) -> Response:
    """Answer with a version's subtitles as WebVTT for a <track> element (SRT converted on the fly)."""
    if not version.transcript_sha256 or version.transcript is None:
        raise NotFound(NO_FILE)
    file_type = version.transcript.file_type
    text = decode_text(_stored_path(version.transcript_sha256).read_bytes())
    if text is None or file_type not in (FileType.vtt, FileType.srt):
        raise Invalid(NOT_SUBTITLES)
    if file_type == FileType.srt:
        text = srt_to_vtt(text)
    return Response(text.encode(), media_type=FileType.vtt.mime, headers={
        "ETag": f'"{version.transcript_sha256}-vtt"', "Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"})
