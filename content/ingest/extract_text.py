"""Plain text: paragraphs split on blank lines."""

from __future__ import annotations

import re

from content.ingest.sections import Address, Collector, Section

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def extract_text(text: str) -> list[Section]:
    """Return a 'paragraph' section per block of text between blank lines."""
    out = Collector()
    for block in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        out.add("paragraph", block, Address())
    return out.sections
