"""The extraction dispatcher: bytes of a detected type → addressed sections in document order."""

from __future__ import annotations

from collections.abc import Callable

from lms_core.errors import Invalid
from lms_core.i18n import N_

from content.ingest.extract_markdown_html import extract_html, extract_markdown
from content.ingest.extract_office import extract_docx, extract_pptx
from content.ingest.extract_pdf import extract_pdf
from content.ingest.extract_subtitles import extract_subtitles
from content.ingest.extract_text import extract_text
from content.ingest.filetypes import FileType, decode_text
from lms_core.archives import check_zip
from content.ingest.sections import Section

NO_TEXT = N_("Text cannot be read from this kind of file.")
NOT_TEXT = N_("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")


def _text(reader: Callable[[str], list[Section]]) -> Callable[[bytes], list[Section]]:
    """Wrap a text extractor so it takes bytes (UTF-8, or UTF-16 with a BOM)."""

    def read(data: bytes) -> list[Section]:
        text = decode_text(data)
        if text is None:
            raise Invalid(NOT_TEXT)
        return reader(text)

    return read


def _archive(reader: Callable[[bytes], list[Section]]) -> Callable[[bytes], list[Section]]:
    """Wrap an Office extractor so the archive is checked for bombs and traversal before it is opened."""

    def read(data: bytes) -> list[Section]:
        check_zip(data)
        return reader(data)

    return read


EXTRACTORS: dict[FileType, Callable[[bytes], list[Section]]] = {
    FileType.markdown: _text(extract_markdown),
    FileType.html: _text(extract_html),
    FileType.text: _text(extract_text),
    FileType.vtt: _text(lambda text: extract_subtitles(text, format="vtt")),
    FileType.srt: _text(lambda text: extract_subtitles(text, format="srt")),
    FileType.pdf: extract_pdf,
    FileType.docx: _archive(extract_docx),
    FileType.pptx: _archive(extract_pptx),
}


def can_extract(kind: FileType) -> bool:
    """Return whether text can be extracted from files of this type."""
    return kind in EXTRACTORS


def extract(data: bytes, kind: FileType) -> list[Section]:
    """Return the addressed sections of a file of a detected type; raise Invalid for broken files."""
    reader = EXTRACTORS.get(kind)
    if reader is None:
        raise Invalid(NO_TEXT)
    return reader(data)
