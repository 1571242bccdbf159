"""DOCX (headings, paragraphs, lists, tables) and PPTX (slides and speaker notes).

Callers check the archive with `lms_core.archives.check_zip` first (the dispatcher does).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from lms_core.errors import Invalid
from lms_core.i18n import N_

from content.ingest.sections import Address, Collector, HeadingTrail, Section, clean_line

BROKEN_DOCX = N_("The Word file (.docx) is damaged and cannot be read. Open it in Word, save it again and upload it again.")
BROKEN_PPTX = N_("The PowerPoint file (.pptx) is damaged and cannot be read. Open it in PowerPoint, save it again and upload it again.")

# Heading style names, compared without accents: English built-ins and Vietnamese-localised names.
_HEADING_STYLE = re.compile(r"^(?:heading|tieu de|dau de|muc)\s*([1-9])$")
_TITLE_STYLES = {"title", "tieu de", "tieu de tai lieu"}
_BODY_OUTLINE_LEVEL = 9


def _fold(text: str) -> str:
    """Return a style name without accents, in lower case, with single spaces."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").lower().split())


@cache
def _w(tag: str) -> str:
    """Return the Clark name of a WordprocessingML tag."""
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _style_chain(paragraph: Any) -> list[Any]:
    """Return a paragraph's style and the styles it is based on, nearest first."""
    chain, style = [], paragraph.style
    while style is not None and len(chain) < 10:
        chain.append(style)
        style = style.base_style
    return chain


def _ppr_value(ppr: Any, tag: str) -> Any:
    """Return a pPr child element, or None."""
    return None if ppr is None else ppr.find(_w(tag))


def _outline_level(ppr: Any) -> int | None:
    """Return the heading level an outline level gives (1-based), None for body text, -1 when unset."""
    outline = _ppr_value(ppr, "outlineLvl")
    if outline is None:
        return -1
    level = int(outline.get(_w("val"), _BODY_OUTLINE_LEVEL))
    return level + 1 if level < _BODY_OUTLINE_LEVEL else None


@dataclass(frozen=True)
class _StyleFacts:
    """What a paragraph style says about structure: a heading level by name or outline, a list."""

    named_level: int | None
    outline_level: int | None
    is_list: bool


def _style_facts(paragraph: Any) -> _StyleFacts:
    """Return the structure facts of a paragraph's style (looked up once per style: it is slow)."""
    chain = _style_chain(paragraph)
    name = _fold(chain[0].name or "") if chain else ""
    match = _HEADING_STYLE.match(name)
    named = int(match.group(1)) if match else 0 if name in _TITLE_STYLES else None
    outline = None
    for style in chain:
        level = _outline_level(style.element.pPr)
        if level != -1:
            outline = level
            break
    is_list = name.startswith(("list", "danh sach")) or any(
        _ppr_value(style.element.pPr, "numPr") is not None for style in chain)
    return _StyleFacts(named_level=named, outline_level=outline, is_list=is_list)


def _structure(paragraph: Any, cache: dict[str | None, _StyleFacts]) -> tuple[int | None, bool]:
    """Return a paragraph's heading level (0 for a title) and whether it is a list item."""
    key = paragraph._p.style
    if key not in cache:
        cache[key] = _style_facts(paragraph)
    facts, ppr = cache[key], paragraph._p.pPr
    level = facts.named_level
    if level is None:
        direct = _outline_level(ppr)
        level = facts.outline_level if direct == -1 else direct
    return level, facts.is_list or _ppr_value(ppr, "numPr") is not None


def _table_text(table: Any) -> str:
    """Return a table as lines "a | b | c", merged cells written once."""
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(clean_line(cell.text))
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def extract_docx(data: bytes) -> list[Section]:
    """Return the sections of a Word document, in order, with heading paths."""
    from docx import Document
    from docx.table import Table

    out, trail, items = Collector(), HeadingTrail(), []
    styles: dict[str | None, _StyleFacts] = {}

    def flush_list() -> None:
        if items:
            out.add("list", "\n".join(items), Address(heading_path=trail.path), keep_lines=True)
            items.clear()

    try:
        for block in Document(io.BytesIO(data)).iter_inner_content():
            if isinstance(block, Table):
                flush_list()
                out.add("table", _table_text(block), Address(heading_path=trail.path), keep_lines=True)
                continue
            level, is_list_item = _structure(block, styles)
            if level is not None and clean_line(block.text):
                flush_list()
                path = trail.enter(level, block.text)
                out.add("heading", block.text, Address(heading_path=path))
            elif is_list_item:
                if clean_line(block.text):
                    items.append(clean_line(block.text))
            else:
                flush_list()
                out.add("paragraph", block.text, Address(heading_path=trail.path))
        flush_list()
    except Exception:  # python-docx and lxml raise many kinds on damaged files
        raise Invalid(BROKEN_DOCX) from None
    return out.sections


def _shape_lines(shape: Any) -> list[str]:
    """Return the text lines of a shape: text frame paragraphs, table rows, grouped shapes."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return [line for child in shape.shapes for line in _shape_lines(child)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = (" | ".join(clean_line(cell.text) for cell in row.cells) for row in shape.table.rows)
        return [row for row in rows if row.strip(" |")]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return [p.text for p in shape.text_frame.paragraphs]
    return []


def extract_pptx(data: bytes) -> list[Section]:
    """Return a 'slide' section (title and body) and a 'notes' section per slide, by slide number."""
    from pptx import Presentation

    out = Collector()
    try:
        for number, slide in enumerate(Presentation(io.BytesIO(data)).slides, start=1):
            if slide._element.get("show") == "0":  # hidden: not presented, but it keeps its number
                continue
            title_shape = slide.shapes.title
            title = clean_line(title_shape.text_frame.text) if title_shape is not None else ""
            body = [line for shape in slide.shapes
                    if title_shape is None or shape.shape_id != title_shape.shape_id
                    for line in _shape_lines(shape)]
            address = Address(heading_path=(title,) if title else (), slide=number)
            out.add("slide", "\n".join([title, *body]), address, keep_lines=True)
            if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
                out.add("notes", slide.notes_slide.notes_text_frame.text, address, keep_lines=True)
    except Exception:  # python-pptx and lxml raise many kinds on damaged files
        raise Invalid(BROKEN_PPTX) from None
    return out.sections
