"""PDF: the text of each page, addressed by its 1-based page number; empty pages skipped."""

from __future__ import annotations

import io
import re

from lms_core.errors import Invalid
from lms_core.i18n import N_

from content.ingest.sections import Address, Collector, Section

BROKEN_PDF = N_("The PDF file is damaged and cannot be read. Save or export it again and upload it again.")
ENCRYPTED_PDF = N_("The PDF file is protected with a password. Remove the password and upload it again.")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def extract_pdf(data: bytes) -> list[Section]:
    """Return one or more 'page' sections per page that has text, each with its page number."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _decrypt_without_password(reader)
        pages = list(reader.pages)
    except Invalid:
        raise
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, ValueError, …) on damaged files
        raise Invalid(BROKEN_PDF) from None
    out = Collector()
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:
            raise Invalid(BROKEN_PDF) from None
        for block in _PARAGRAPH_BREAK.split(text):
            out.add("page", block, Address(page=number))
    return out.sections


def _decrypt_without_password(reader: object) -> None:
    """Open a PDF that is encrypted with an empty user password (common for "no copying" PDFs)."""
    try:
        opened = reader.decrypt("")  # type: ignore[attr-defined]
    except Exception:  # an unsupported cipher is, for the teacher, the same as a password
        opened = 0
    if not opened:
        raise Invalid(ENCRYPTED_PDF)
