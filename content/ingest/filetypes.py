"""File type detection by content (magic bytes), never by name; text decoding for text formats."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from enum import StrEnum


class FileType(StrEnum):
    """A file type the platform knows; `unknown` for anything else or anything that does not add up."""

    pdf = "pdf"
    docx = "docx"
    pptx = "pptx"
    xlsx = "xlsx"
    zip = "zip"
    png = "png"
    jpeg = "jpeg"
    gif = "gif"
    webp = "webp"
    svg = "svg"
    mp4 = "mp4"
    m4a = "m4a"
    webm = "webm"
    mp3 = "mp3"
    ogg = "ogg"
    wav = "wav"
    vtt = "vtt"
    srt = "srt"
    html = "html"
    markdown = "markdown"
    text = "text"
    unknown = "unknown"

    @property
    def mime(self) -> str:
        """Return the media type to serve the file with."""
        return _MIME[self]

    @property
    def is_text(self) -> bool:
        """Return whether the file is text (decode it with `decode_text`)."""
        return self in _TEXT_TYPES

    @property
    def is_archive(self) -> bool:
        """Return whether the file is a zip archive (check it with `lms_core.archives.check_zip` before opening)."""
        return self in (FileType.docx, FileType.pptx, FileType.xlsx, FileType.zip)

    @property
    def safe_to_inline(self) -> bool:
        """Return whether a page may embed the file's own markup: never for SVG or HTML (scripts)."""
        return self not in (FileType.svg, FileType.html, FileType.unknown)


_MIME = {
    FileType.pdf: "application/pdf",
    FileType.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileType.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.zip: "application/zip",
    FileType.png: "image/png",
    FileType.jpeg: "image/jpeg",
    FileType.gif: "image/gif",
    FileType.webp: "image/webp",
    FileType.svg: "image/svg+xml",
    FileType.mp4: "video/mp4",
    FileType.m4a: "audio/mp4",
    FileType.webm: "video/webm",
    FileType.mp3: "audio/mpeg",
    FileType.ogg: "audio/ogg",
    FileType.wav: "audio/wav",
    FileType.vtt: "text/vtt; charset=utf-8",
    FileType.srt: "application/x-subrip; charset=utf-8",
    FileType.html: "text/html; charset=utf-8",
    FileType.markdown: "text/markdown; charset=utf-8",
    FileType.text: "text/plain; charset=utf-8",
    FileType.unknown: "application/octet-stream",
}
_TEXT_TYPES = frozenset({FileType.svg, FileType.vtt, FileType.srt, FileType.html, FileType.markdown, FileType.text})

# ISO base media brands (the ftyp box). Audio-only brands are told apart; image brands (HEIC, AVIF)
# and QuickTime ("qt  ") share the box but are not MP4 video, so they stay unknown.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_VIDEO_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
                 b"M4V ", b"M4VP", b"M4VH", b"F4V ", b"F4P ", b"mmp4", b"MSNV", b"NDAS"}
_VIDEO_HANDLER = re.compile(rb"hdlr[\x00-\xff]{8}vide")
_SOUND_HANDLER = re.compile(rb"hdlr[\x00-\xff]{8}soun")

_OFFICE_PARTS = (("word/document.xml", FileType.docx), ("ppt/presentation.xml", FileType.pptx),
                 ("xl/workbook.xml", FileType.xlsx))
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SRT_START = re.compile(r"\A\s*\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->[ \t]*\d")
_VTT_START = re.compile(r"\AWEBVTT(?:[ \t\r\n]|\Z)")
_LEADING_COMMENTS = re.compile(r"\A(?:\s|<!--.*?-->)*", re.S)
_MARKDOWN_HINTS = re.compile(r"^(?:#{1,6}[ \t]+\S|```|~~~|\|?[ \t]*:?-{3,}:?[ \t]*\|)|\]\([^)\s]+\)", re.M)
_MARKDOWN_EXTS = (".md", ".markdown", ".mdown", ".mkd")
_PLAIN_EXTS = (".txt", ".text")
_HTML_EXTS = (".html", ".htm", ".xhtml")


def decode_text(data: bytes) -> str | None:
    """Return the text of UTF-8 data (BOM allowed) or UTF-16 data with a BOM; None when it is not text."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _BINARY_CHARS.search(text):
        return None
    return text


def detect(data: bytes, filename: str | None = None) -> FileType:
    """Return the type of a file from its bytes; the name may only choose among text formats."""
    if not data:
        return FileType.unknown
    binary = _detect_binary(data)
    if binary is not None:
        return binary
    text = decode_text(data)
    if text is None:
        return FileType.unknown
    return _detect_text(text, (filename or "").lower())


def _detect_binary(data: bytes) -> FileType | None:
    """Return the type of a file with a binary signature, unknown for a broken one, None for no signature."""
    head = data[:16]
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return FileType.pdf
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _detect_zip(data)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.png
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.jpeg
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileType.gif
    if head.startswith(b"RIFF") and len(data) >= 12:
        return {b"WEBP": FileType.webp, b"WAVE": FileType.wav}.get(data[8:12], FileType.unknown)
    if data[4:8] == b"ftyp":
        return _detect_iso_media(data)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # Matroska and WebM share EBML; only the WebM doc type is played by every browser.
        return FileType.webm if b"webm" in data[:64] else FileType.unknown
    if head.startswith(b"OggS"):
        return FileType.ogg
    if head.startswith(b"ID3") or _is_mp3_frames(data):
        return FileType.mp3
    return None


def _detect_zip(data: bytes) -> FileType:
    """Return docx, pptx, xlsx or zip from an archive's member names; unknown for a broken archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return FileType.unknown
    if "[Content_Types].xml" in names:
        for part, kind in _OFFICE_PARTS:
            if part in names:
                return kind
    return FileType.zip


def _detect_iso_media(data: bytes) -> FileType:
    """Return mp4 or m4a from the ftyp brands and, failing that, the track handlers; else unknown."""
    size = int.from_bytes(data[:4], "big")
    major = data[8:12]
    brands = {major} | {data[i:i + 4] for i in range(16, min(size, 64), 4)}
    if major in _AUDIO_BRANDS:
        return FileType.m4a
    if not brands & _VIDEO_BRANDS:
        return FileType.unknown
    if _SOUND_HANDLER.search(data) and not _VIDEO_HANDLER.search(data):
        return FileType.m4a
    return FileType.mp4


_MP3_BITRATES = {  # kbit/s by (MPEG-1?, bitrate index), layer III
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_frame_length(header: bytes) -> int:
    """Return the length of an MPEG audio layer III frame from its 4-byte header, or 0 if invalid."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version = (header[1] >> 3) & 0x3
    layer = (header[1] >> 1) & 0x3
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    mpeg1 = version == 3
    bitrate = _MP3_BITRATES[mpeg1][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x1
    return (144 if mpeg1 else 72) * bitrate // rate + padding


def _is_mp3_frames(data: bytes) -> bool:
    """Return whether data starts with two consecutive valid MP3 frames (one if the file is that short)."""
    length = _mp3_frame_length(data[:4])
    if not length:
        return False
    if len(data) < length + 4:
        return len(data) >= length
    return _mp3_frame_length(data[length:length + 4]) > 0


def _detect_text(text: str, filename: str) -> FileType:
    """Return the text format of decoded text; the name only chooses markdown, plain text or an HTML fragment."""
    if _VTT_START.match(text):
        return FileType.vtt
    if _SRT_START.match(text):
        return FileType.srt
    start = text[_LEADING_COMMENTS.match(text).end():][:2048]
    lowered = start.lower()
    if lowered.startswith("<svg") or (lowered.startswith(("<?xml", "<!doctype svg")) and "<svg" in lowered):
        return FileType.svg
    if lowered.startswith(("<!doctype html", "<html")) or (lowered.startswith("<?xml") and "<html" in lowered):
        return FileType.html
    if filename.endswith(_HTML_EXTS) and re.match(r"<[a-z!]", lowered):
        return FileType.html
    if filename.endswith(_MARKDOWN_EXTS):
        return FileType.markdown
    if filename.endswith(_PLAIN_EXTS):
        return FileType.text
    return FileType.markdown if _MARKDOWN_HINTS.search(text[:20_000]) else FileType.text
