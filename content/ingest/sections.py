"""Extracted text with its address: the Section and Address types and text normalisation helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lms_core.text import nfc

KINDS = frozenset({"heading", "paragraph", "list", "table", "slide", "notes", "page", "cue"})

# Characters that carry no text: zero-width spaces and joiners, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# C0/C1 control characters other than tab and newline (those become spaces or line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HEADING_SEP = " › "

# Default label words; the structured parts from `Address.parts()` let a caller translate them.
_WORDS = {
    "vi": {"page": "Trang", "slide": "Slide"},
    "en": {"page": "Page", "slide": "Slide"},
}


def clean_line(text: str) -> str:
    """Return one line of text: NFC, invisible and control characters dropped, whitespace collapsed."""
    text = _CONTROL.sub(" ", nfc(text).translate(_INVISIBLE))
    return " ".join(text.split())


def clean_text(text: str, *, keep_lines: bool = False) -> str:
    """Return normalised text: one line, or (keep_lines) its non-blank lines each cleaned."""
    if not keep_lines:
        return clean_line(text)
    lines = (clean_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def format_timestamp(seconds: float) -> str:
    """Return a media position as "mm:ss", or "h:mm:ss" from one hour on."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a section sits in its source: what a citation needs ("Trang 4", "Slide 3", "03:12")."""

    heading_path: tuple[str, ...] = ()
    page: int | None = None  # 1-based page of a PDF
    slide: int | None = None  # 1-based slide number of a deck (its position, hidden slides counted)
    start: float | None = None  # seconds from the start of the media, for cues
    end: float | None = None

    def parts(self) -> list[tuple[str, Any]]:
        """Return the address as (kind, value) pairs, most specific last: page/slide/time, then headings."""
        out: list[tuple[str, Any]] = []
        if self.page is not None:
            out.append(("page", self.page))
        if self.slide is not None:
            out.append(("slide", self.slide))
        if self.start is not None:
            out.append(("time", self.start))
        if self.heading_path:
            out.append(("headings", self.heading_path))
        return out

    def label(self, locale: str = "vi") -> str:
        """Return a human citation such as "Trang 4", "Slide 3 · Tiêu đề", "03:12" or "A › B"."""
        words = _WORDS.get(locale, _WORDS["vi"])
        texts = []
        for kind, value in self.parts():
            if kind in ("page", "slide"):
                texts.append(f"{words[kind]} {value}")
            elif kind == "time":
                texts.append(format_timestamp(value))
            else:
                texts.append(_HEADING_SEP.join(value))
        return " · ".join(texts)

    def as_dict(self) -> dict[str, Any]:
        """Return the address as JSON-ready data, leaving out empty fields."""
        data: dict[str, Any] = {
            "heading_path": list(self.heading_path), "page": self.page, "slide": self.slide,
            "start": self.start, "end": self.end,
        }
        return {k: v for k, v in data.items() if v not in (None, [])}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Address:
        """Return the address stored by `as_dict`."""
        return cls(heading_path=tuple(data.get("heading_path", ())), page=data.get("page"),
                   slide=data.get("slide"), start=data.get("start"), end=data.get("end"))


@dataclass(frozen=True, slots=True)
class Section:
    """One addressed piece of extracted text, in document order."""

    kind: str
    text: str
    address: Address = field(default_factory=Address)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown section kind {self.kind!r}")
        if not self.text.strip():
            raise ValueError("a section's text must not be empty")


class Collector:
    """Builds a section list: cleans text, drops empty pieces, keeps the order of `add` calls."""

    def __init__(self) -> None:
        self.sections: list[Section] = []

    def add(self, kind: str, text: str, address: Address, *, keep_lines: bool = False) -> None:
        """Append a section with cleaned text, unless the text is empty after cleaning."""
        cleaned = clean_text(text, keep_lines=keep_lines)
        if cleaned:
            self.sections.append(Section(kind=kind, text=cleaned, address=address))


class HeadingTrail:
    """The current heading path of a document, as headings of given levels are met in order."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    @property
    def path(self) -> tuple[str, ...]:
        """Return the titles of the open headings, outermost first."""
        return tuple(title for _, title in self._stack)

    def enter(self, level: int, title: str) -> tuple[str, ...]:
        """Open a heading of a level (closing deeper or equal ones); return the new path."""
        title = clean_line(title)
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        if title:
            self._stack.append((level, title))
        return self.path
