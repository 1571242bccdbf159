"""Markdown and HTML: a tight nh3 sanitiser, and extraction of headings, paragraphs, lists and tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from content.ingest.sections import Address, Collector, HeadingTrail, Section, clean_line

# Structure and emphasis only. div/section/article/span/br/hr carry no risk and keep block
# boundaries (without them "<div>A</div><div>B</div>" would read "AB").
ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "section", "article",
    "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "strong", "em", "b", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote",
    "figure", "figcaption",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Elements removed together with their content (everything else not allowed keeps its text).
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select",
    "title", "svg", "math",
})
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.I)
_NUMBER = re.compile(r"^\d{1,4}$")

_markdown = MarkdownIt("commonmark").enable("table")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep data: URLs only as raster image sources, and sizes only as plain numbers."""
    if attribute in ("href", "src") and value.strip().lower().startswith("data:"):
        return value if tag == "img" and attribute == "src" and _DATA_IMAGE.match(value.strip()) else None
    if tag == "a" and attribute == "href" and value.strip().lower().startswith("mailto:"):
        return value
    if attribute in ("width", "height", "colspan", "rowspan", "start") and not _NUMBER.match(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Return HTML reduced to safe structure: no scripts, styles, frames, event handlers or javascript: URLs."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


class _Blocks:
    """Turns block events (heading, paragraph, list, table) into sections with heading paths."""

    def __init__(self) -> None:
        self.out = Collector()
        self.trail = HeadingTrail()
        self.list_depth = 0
        self.items: list[str] = []
        self.open_items: list[int] = []
        self.rows: list[list[str]] | None = None

    def _address(self) -> Address:
        return Address(heading_path=self.trail.path)

    def heading(self, level: int, text: str) -> None:
        if self.list_depth or self.rows is not None:
            self.paragraph(text)
            return
        path = self.trail.enter(level, text)
        self.out.add("heading", text, Address(heading_path=path))

    def paragraph(self, text: str, *, code: bool = False) -> None:
        if self.rows is not None:
            self.cell(text)
        elif self.list_depth:
            if not self.open_items:
                self.item_open()
            index = self.open_items[-1]
            self.items[index] = f"{self.items[index]} {clean_line(text)}".strip()
        else:
            self.out.add("paragraph", text, self._address(), keep_lines=code)

    def list_open(self) -> None:
        self.list_depth += 1

    def item_open(self) -> None:
        self.items.append("")
        self.open_items.append(len(self.items) - 1)

    def item_close(self) -> None:
        if self.open_items:
            self.open_items.pop()

    def list_close(self) -> None:
        self.list_depth = max(self.list_depth - 1, 0)
        if not self.list_depth:
            self.out.add("list", "\n".join(self.items), self._address(), keep_lines=True)
            self.items, self.open_items = [], []

    def table_open(self) -> None:
        self.rows = []

    def row_open(self) -> None:
        if self.rows is not None:
            self.rows.append([])

    def cell(self, text: str) -> None:
        if self.rows is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(clean_line(text))

    def table_close(self) -> None:
        if self.rows is not None:
            lines = [" | ".join(row) for row in self.rows if any(row)]
            self.rows = None
            self.out.add("table", "\n".join(lines), self._address(), keep_lines=True)


def _inline_text(token: Token) -> str:
    """Return the text of an inline token: text, code and images' alt text; no markup."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def extract_markdown(text: str) -> list[Section]:
    """Return the sections of a Markdown text: headings, paragraphs, lists, tables, code blocks."""
    blocks = _Blocks()
    tokens = _markdown.parse(text)
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            before = tokens[index - 1].type if index else ""
            if before == "heading_open":
                blocks.heading(int(tokens[index - 1].tag[1]), _inline_text(token))
            elif before in ("th_open", "td_open"):
                blocks.cell(_inline_text(token))
            else:
                blocks.paragraph(_inline_text(token))
        elif kind in ("fence", "code_block"):
            blocks.paragraph(token.content, code=True)
        elif kind == "html_block":
            blocks.paragraph(" ".join(s.text for s in extract_html(token.content)))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            blocks.list_open()
        elif kind in ("bullet_list_close", "ordered_list_close"):
            blocks.list_close()
        elif kind == "list_item_open":
            blocks.item_open()
        elif kind == "list_item_close":
            blocks.item_close()
        elif kind == "table_open":
            blocks.table_open()
        elif kind == "tr_open":
            blocks.row_open()
        elif kind == "table_close":
            blocks.table_close()
    return blocks.out.sections


_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_BREAKS = frozenset({"p", "div", "section", "article", "blockquote", "figure", "figcaption", "caption",
                           "hr", "pre"})


class _HtmlWalker(HTMLParser):
    """Feeds the block events of sanitised HTML to `_Blocks`, collecting inline text in between."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks = _Blocks()
        self.buffer: list[str] = []
        self.pre = 0
        self.in_cell = False

    def _take(self) -> str:
        text, self.buffer = "".join(self.buffer), []
        return text

    def _flush(self, *, code: bool = False) -> None:
        text = self._take()
        if text.strip():
            self.blocks.paragraph(text, code=code)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HEADINGS or tag in _BLOCK_BREAKS:
            self._flush()
            self.pre += tag == "pre"
        elif tag in ("ul", "ol"):
            self._flush()
            self.blocks.list_open()
        elif tag == "li":
            self._flush()
            self.blocks.item_open()
        elif tag == "table":
            self._flush()
            self.blocks.table_open()
        elif tag == "tr":
            self.blocks.row_open()
        elif tag in ("td", "th"):
            self._take()
            self.in_cell = True
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.buffer.append(f" {alt} ")
        elif tag == "br":
            self.buffer.append("\n" if self.pre else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HEADINGS:
            self.blocks.heading(_HEADINGS[tag], self._take())
        elif tag == "pre":
            self._flush(code=True)
            self.pre = max(self.pre - 1, 0)
        elif tag in _BLOCK_BREAKS:
            self._flush()
        elif tag == "li":
            self._flush()
            self.blocks.item_close()
        elif tag in ("ul", "ol"):
            self._flush()
            self.blocks.list_close()
        elif tag in ("td", "th"):
            self.blocks.cell(self._take())
            self.in_cell = False
        elif tag == "table":
            self.blocks.table_close()

    def handle_data(self, data: str) -> None:
        self.buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def extract_html(html: str) -> list[Section]:
    """Return the sections of an HTML document or fragment, read after sanitising it."""
    walker = _HtmlWalker()
    walker.feed(sanitize_html(html))
    walker.close()
    return walker.blocks.out.sections
