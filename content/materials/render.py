"""Markdown of written pages → safe HTML: one renderer for the page and its live preview."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from content.ingest.extract_markdown_html import _inline_text, sanitize_html
from content.ingest.sections import HeadingTrail, clean_line
from lms_core.text import fold
from lms_core.urls import image_source_allowed

# Images a page may show: our own stored files (a page's images, an image material's file) and the web.
# Anything else (data:, file:, other relative paths) is shown as its alt text, so a reader still sees what was meant.
OWN_FILES = ("/materials/", "/page-images/")


def image_allowed(src: str) -> bool:
    """Return whether an image source is an http(s) address or a path to one of our own stored files."""
    return image_source_allowed(src, OWN_FILES)


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Render an image only from an allowed source; otherwise its alt text."""
    token = tokens[idx]
    if image_allowed(str(token.attrGet("src") or "")):
        return self.image(tokens, idx, options, env)
    return str(escape(self.renderInlineAsText(token.children or [], options, env)))


def _shift_headings(state: Any) -> None:
    """Move headings one level down: the page's only h1 is the material's title."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.add_render_rule("image", _image)
    md.core.ruler.push("shift_headings", _shift_headings)
    return md


_md = _parser()


def _anchors(tokens: Sequence[Token]) -> list[tuple[tuple[str, ...], str]]:
    """Return (heading path, id) of each heading in order; the id is the folded title, numbered when repeated."""
    trail, taken, out = HeadingTrail(), set(), []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        title = _inline_text(tokens[index + 1]) if index + 1 < len(tokens) else ""
        base = "sec-" + ("-".join(fold(title).split())[:60].strip("-") or "part")
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        out.append((trail.enter(int(token.tag[1]), title), anchor))
    return out


def heading_anchor(text: str, heading_path: Sequence[str]) -> str | None:
    """Return the id the rendered page gives the heading a section address names (its whole path, else its title)."""
    wanted = tuple(clean_line(h) for h in heading_path)
    if not wanted:
        return None
    anchors = _anchors(_md.parse(text or ""))
    exact = [a for path, a in anchors if path == wanted]
    titled = [a for path, a in anchors if path and path[-1] == wanted[-1]]
    return (exact or titled or [None])[0]


_HEADING_TAG = re.compile(r"<h([1-6])>")


def render_markdown(text: str) -> Markup:
    """Return a written page's Markdown as sanitised HTML (raw HTML shown as text, headings one level down, each
    with an id a citation can link to)."""
    tokens = _md.parse(text or "")
    html = sanitize_html(_md.renderer.render(tokens, _md.options, {}))
    ids = [a for _, a in _anchors(tokens)]
    if len(_HEADING_TAG.findall(html)) == len(ids):  # raw HTML is off: every <hN> is a heading, in order
        rest = iter(ids)
        html = _HEADING_TAG.sub(lambda m: f'<h{m.group(1)} id="{next(rest)}">', html)
    return Markup(html)
