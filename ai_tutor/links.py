"""Citations as people see them: each [n] of an answer becomes a link to the course's material activity that pins
the cited version, at the cited heading (an anchor of the written page), PDF page (#page=N) or media time (?t=S,
read by the activity page's seek script)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ai_tutor.models import TutorExchange
from lms_core.courses.models import Activity
from lms_core.i18n import current_locale

MATERIAL_TYPES = ("material", "media")
MARK = re.compile(r"\[(\d{1,3})\]")
QUOTE_CHARS = 220


@dataclass
class Cited:
    """One citation of an answer, ready to show: its number, the material, where in it, the link and the quote."""

    ref: int
    title: str
    label: str
    url: str | None
    text: str

    def as_json(self) -> dict[str, Any]:
        """Return the citation as the JSON API gives it."""
        return {"ref": self.ref, "title": self.title, "label": self.label, "url": self.url, "text": self.text}


@dataclass
class Shown:
    """An exchange as a page shows it: the answer as HTML with its marks linked, and its citations."""

    exchange: TutorExchange
    answer_html: Markup
    citations: list[Cited] = field(default_factory=list)


class Linker:
    """Finds, for a course's citations, the activity to open and where; loads each course and version once."""

    def __init__(self, db: Session, *, lesson_id: int | None = None) -> None:
        self.db = db
        self.lesson_id = lesson_id
        self._activities: dict[int, list[Activity]] = {}
        self._bodies: dict[int, str | None] = {}
        self._anchors: dict[tuple[int, tuple[str, ...]], str | None] = {}

    def _of_course(self, course_id: int) -> list[Activity]:
        if course_id not in self._activities:
            rows = self.db.scalars(select(Activity).where(Activity.course_id == course_id,
                                                          Activity.type.in_(MATERIAL_TYPES)).order_by(Activity.id))
            # the current lesson's activity first, so a link stays inside the lesson the student is in
            self._activities[course_id] = sorted(rows, key=lambda a: a.lesson_id != self.lesson_id)
        return self._activities[course_id]

    def _body(self, version_id: int) -> str | None:
        if version_id not in self._bodies:
            from content.materials.models import MaterialVersion

            version = self.db.get(MaterialVersion, version_id)
            self._bodies[version_id] = version.body_markdown if version is not None else None
        return self._bodies[version_id]

    def url(self, course_id: int, citation: dict[str, Any]) -> str | None:
        """Return the link that opens a citation in the course, or None when no activity shows that material."""
        activities = self._of_course(course_id)
        settings = [(a, a.settings or {}) for a in activities]
        activity, version_id = next(((a, s["version_id"]) for a, s in settings
                                     if s.get("version_id") == citation.get("version_id")), (None, None))
        if activity is None:  # the teacher has since pinned another version of the same material
            activity, version_id = next(((a, s.get("version_id")) for a, s in settings
                                         if s.get("material_id") == citation.get("material_id")), (None, None))
        if activity is None:
            return None
        address = citation.get("address") or {}
        url = f"/courses/{course_id}/activities/{activity.id}"
        if isinstance(address.get("start"), (int, float)):
            url += f"?t={int(address['start'])}"
        if isinstance(address.get("page"), int):
            return url + f"#page={address['page']}"
        path = tuple(address.get("heading_path") or ())
        anchor = self._anchor(version_id, path) if path and isinstance(version_id, int) else None
        return url + f"#{anchor}" if anchor else url

    def _anchor(self, version_id: int, path: tuple[str, ...]) -> str | None:
        if (version_id, path) not in self._anchors:
            from content.materials.render import heading_anchor

            body = self._body(version_id)
            self._anchors[version_id, path] = heading_anchor(body, path) if body is not None else None
        return self._anchors[version_id, path]


def label(address: dict[str, Any]) -> str:
    """Return where in a material a citation points, as a reader says it ("Trang 4", "Sao chè", "03:12")."""
    from content.ingest.sections import Address

    return Address.from_dict(address or {}).label(current_locale())


def link_marks(text: str, urls: dict[int, str | None]) -> Markup:
    """Return an answer as HTML: escaped, each [n] with a known link turned into that link."""
    out, last = [], 0
    for match in MARK.finditer(text):
        ref = int(match.group(1))
        out.append(escape(text[last:match.start()]))
        if urls.get(ref):
            out.append(Markup('<a class="cite" href="{}">[{}]</a>').format(urls[ref], ref))
        else:
            out.append(escape(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def show(db: Session, exchanges: Iterable[TutorExchange], *, lesson_id: int | None = None) -> list[Shown]:
    """Return exchanges ready to show, their citations linked to the course's material activities."""
    linker = Linker(db, lesson_id=lesson_id)
    shown = []
    for exchange in exchanges:
        cited = []
        for c in exchange.citations or []:
            text = " ".join(str(c.get("text", "")).split())
            cited.append(Cited(ref=int(c.get("ref", 0)), title=str(c.get("title", "")),
                               label=label(c.get("address") or {}), url=linker.url(exchange.course_id, c),
                               text=text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"))
        shown.append(Shown(exchange=exchange, answer_html=link_marks(exchange.answer, {c.ref: c.url for c in cited}),
                           citations=cited))
    return shown
