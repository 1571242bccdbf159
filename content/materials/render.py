"""Markdown of written pages → safe HTML: one renderer for the page and its live preview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from content.ingest.extract_markdown_html import sanitize_html
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


def render_markdown(text: str) -> Markup:
    """Return a written page's Markdown as sanitised HTML (raw HTML shown as text, headings one level down)."""
    return Markup(sanitize_html(_md.render(text or "")))
