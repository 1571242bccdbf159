"""Question text → safe HTML with maths as MathML (no JavaScript, nothing downloaded), and → plain text for exports.

Question text is Markdown (CommonMark with tables and strikethrough; raw HTML is shown as text, headings are not
made: a question is a paragraph or a few, not a page) with LaTeX maths, converted on the server by latex2mathml.

Where maths is (the rule, chosen so that money is not taken for maths):
- `$$…$$` is display maths: a block when a line starts with `$$` and a later line (or the same one) ends with
  `$$`, with no blank line between; elsewhere in a paragraph it is display maths inline in the text.
- `$…$` is inline maths when the opening `$` is followed by a non-space and not preceded by a digit, and the
  closing `$` is preceded by a non-space that is not an escaping backslash and not followed by a digit.
  So "50.000$", "giá 5$ và 10$", "20$/kg và 30$/kg" and "$5 và $10" stay text.
- A `$` escaped with a backslash (`\\$`) is always a literal dollar sign; maths in a code span is code.
  (A text mixing both money styles, "$10 … 20$", still reads as maths between them: escape those with `\\$`.)
Invalid LaTeX (or maths longer than MATH_LIMIT characters or nested deeper than DEPTH_LIMIT) is shown as its
source between dollar signs, escaped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import nh3
from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape
from lms_core.urls import image_source_allowed

MATH_LIMIT = 2_000
DEPTH_LIMIT = 40

# Images a question may show: the web, and our own stored files (the bank's question images, materials).
IMAGE_PATHS = ("/question-images/", "/materials/", "/page-images/")

TEXT_TAGS = frozenset({
    "p", "br", "hr", "ul", "ol", "li", "blockquote", "pre", "code", "strong", "em", "s", "sub", "sup",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td",
})
# Exactly the MathML elements latex2mathml (3.7x–3.8x) writes.
MATHML_TAGS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup",
    "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
})
# The presentation attributes latex2mathml writes; not its \href (href), \class (class) or \style (style).
MATHML_ATTRIBUTES = frozenset({
    "display", "mathvariant", "mathsize", "mathcolor", "mathbackground", "displaystyle", "scriptlevel",
    "accent", "fence", "form", "stretchy", "separator", "largeop", "movablelimits", "lspace", "rspace",
    "minsize", "maxsize", "linebreak", "linethickness", "width", "height", "depth", "voffset", "notation",
    "columnspacing", "rowspacing", "columnlines", "rowlines", "columnalign",
})
TEXT_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select", "svg"})
_COLOUR = re.compile(r"#?[A-Za-z0-9]{1,20}")
_LENGTH = re.compile(r"[+-]?(\d{1,4}(\.\d{0,4})?|\.\d{1,4})(em|ex|px|pt|mu|%)?")
_WORDS = re.compile(r"[A-Za-z0-9 -]{0,60}")
_ALIGN = re.compile(r"text-align:(left|right|center)")


def image_allowed(src: str) -> bool:
    """Return whether an image source is an http(s) address or a path to one of our own stored files."""
    return image_source_allowed(src, IMAGE_PATHS)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep MathML attributes only with the plain values latex2mathml writes (colours, lengths, words)."""
    if tag in ("th", "td"):
        return value if attribute == "style" and _ALIGN.fullmatch(value.replace(" ", "")) else None
    if tag not in MATHML_TAGS:
        return value
    if attribute in ("mathcolor", "mathbackground"):
        return value if _COLOUR.fullmatch(value) else None
    if attribute in ("width", "height", "depth", "voffset", "lspace", "rspace", "minsize", "maxsize", "mathsize", "linethickness"):
        return value if _LENGTH.fullmatch(value) else None
    return value if _WORDS.fullmatch(value) else None


def sanitize(html: str) -> str:
    """Return question HTML reduced to text structure and MathML: no scripts, styles, handlers or javascript: URLs."""
    attributes = {tag: set(names) for tag, names in TEXT_ATTRIBUTES.items()}
    for tag in MATHML_TAGS:
        attributes[tag] = set(MATHML_ATTRIBUTES)
    return nh3.clean(
        html,
        tags=set(TEXT_TAGS | MATHML_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _escaped(src: str, pos: int) -> bool:
    """Return whether the character at pos is escaped by an odd number of backslashes before it."""
    count = 0
    while pos - count - 1 >= 0 and src[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _closers(state: StateInline) -> tuple[list[int], list[int]]:
    """Return the positions where inline maths may close ($) and display maths may close ($$), found once per text."""
    found = getattr(state, "_math_closers", None)
    if found is None:
        src = state.src
        single = [
            pos for pos in range(1, len(src))
            if src[pos] == "$" and not src[pos - 1].isspace() and not _escaped(src, pos)
            and not (pos + 1 < len(src) and src[pos + 1].isdigit())
        ]
        double = [pos for pos in range(len(src) - 1) if src.startswith("$$", pos) and not _escaped(src, pos)]
        found = (single, double)
        state._math_closers = found  # type: ignore[attr-defined]
    return found


def _next(positions: list[int], after: int, end: int) -> int:
    """Return the first position at or after `after` and before `end`, or -1."""
    index = bisect_left(positions, after)
    return positions[index] if index < len(positions) and positions[index] < end else -1


def _math_inline(state: StateInline, silent: bool) -> bool:
    """Read $…$ (inline) or $$…$$ (display) maths at the current position."""
    src, start, end = state.src, state.pos, state.posMax
    if src[start] != "$":
        return False
    single, double = _closers(state)
    if src.startswith("$$", start):
        close = _next(double, start + 2, end - 1)
        if close == -1 or not src[start + 2:close].strip():
            return False
        latex, display, after = src[start + 2:close], True, close + 2
    else:
        if start + 1 >= end or src[start + 1].isspace() or (start > 0 and src[start - 1].isdigit()):
            return False
        close = _next(single, start + 2, end)
        if close == -1:
            return False
        latex, display, after = src[start + 1:close], False, close + 1
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = latex
        token.markup = "$$" if display else "$"
        token.meta = {"display": display}
    state.pos = after
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Read a display maths block: a line starting with $$ up to a line ending with $$, no blank line between."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin:state.eMarks[start_line]].rstrip()
    if not first.startswith("$$"):
        return False
    rest = first[2:]
    if "$$" in rest and not rest.endswith("$$"):
        return False  # "$$x$$ and more text" is a paragraph with display maths in it
    line, close = start_line, begin + len(first) - 2
    while not (first.endswith("$$") and close >= begin + 2 and not _escaped(state.src, close)):
        line += 1
        if line >= end_line or state.isEmpty(line) or state.sCount[line] < state.blkIndent:
            return False
        line_start = state.bMarks[line] + state.tShift[line]
        first = state.src[line_start:state.eMarks[line]].rstrip()
        close = line_start + len(first) - 2
    latex = state.src[begin + 2:close]
    if not latex.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = latex
    token.markup = "$$"
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def _depth(latex: str) -> int:
    """Return the deepest brace nesting of a LaTeX source."""
    depth = deepest = 0
    for ch in latex:
        if ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth -= 1
    return deepest


def mathml(latex: str, *, display: bool = False) -> str:
    """Return LaTeX as MathML, or its escaped source between dollar signs when it cannot be converted."""
    mark = "$$" if display else "$"
    source = str(escape(f"{mark}{latex}{mark}"))
    if len(latex) > MATH_LIMIT or _depth(latex) > DEPTH_LIMIT or latex.count("\\") > MATH_LIMIT // 4:
        return source
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds of error (and RecursionError) on bad input
        return source


def _render_inline_math(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return mathml(token.content, display=bool(token.meta.get("display")))


def _render_block_math(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return mathml(tokens[idx].content, display=True) + "\n"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Render an image only from an allowed source; otherwise its alt text."""
    token = tokens[idx]
    if image_allowed(str(token.attrGet("src") or "")):
        return self.image(tokens, idx, options, env)
    return str(escape(self.renderInlineAsText(token.children or [], options, env)))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable(["heading", "lheading"])
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before("fence", "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("math_inline", _render_inline_math)
    md.add_render_rule("math_block", _render_block_math)
    md.add_render_rule("image", _image)
    return md


_md = _parser()


def render_question_text(text: str) -> Markup:
    """Return question text (Markdown with $…$ / $$…$$ LaTeX) as sanitised HTML with MathML."""
    return Markup(sanitize(_md.render(text or "")))


def _inline_plain(tokens: Sequence[Token]) -> str:
    """Return the plain text of inline tokens, maths kept as LaTeX between dollar signs."""
    out: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type == "math_inline":
            out.append(f"{token.markup}{token.content}{token.markup}")
        elif token.type == "softbreak":
            out.append(" ")
        elif token.type == "hardbreak":
            out.append("\n")
        elif token.type == "image":
            out.append(_inline_plain(token.children or []))
    return "".join(out)


def plain_text(text: str) -> str:
    """Return question text without Markdown formatting, for exports; maths stays as LaTeX between $ or $$."""
    blocks: list[str] = []
    prefixes: list[str] = []
    row: list[str] | None = None
    for token in _md.parse(text or ""):
        if token.type == "bullet_list_open":
            prefixes.append("-")
        elif token.type == "ordered_list_open":
            prefixes.append(str(int(token.attrGet("start") or 1)))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefixes.pop()
        elif token.type == "list_item_open" and prefixes:
            marker = prefixes[-1]
            blocks.append(("  " * (len(prefixes) - 1)) + ("- " if marker == "-" else f"{marker}. "))
            if marker != "-":
                prefixes[-1] = str(int(marker) + 1)
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(" | ".join(row))
            row = None
        elif token.type == "inline":
            content = _inline_plain(token.children or [])
            if row is not None:
                row.append(content)
            elif blocks and blocks[-1].endswith((". ", "- ")):
                blocks[-1] += content
            else:
                blocks.append(content)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "math_block":
            blocks.append(f"$${token.content}$$")
    return "\n".join(blocks).strip()
