"""Question file formats (Moodle GIFT, Aiken, Moodle XML): what they share.

Conventions every format follows:
- a true/false item has two choices, "Đúng" (the statement is true) first and "Sai" second;
- a cognitive level and a difficulty travel as the tags "level:<value>" and "difficulty:<1-5>", which Moodle
  shows as ordinary tags and our importers turn back into `Item.level` and `Item.difficulty`;
- a true/false group (a–d) has no Moodle type: GIFT writes it as four true/false questions titled "<title> a)"
  … "<title> d)" whose text is the shared stem, a blank line, then "a) <statement>"; Moodle XML writes it as one
  cloze question whose text ends with the lines "a) <statement> {1:MULTICHOICE:=Đúng~Sai}" … Both importers
  recognise either pattern and give back one tf_group item.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from lms_core.assessment.items import Choice, Item, Level, ParseProblem, ParseResult, QType, TFStatement, check
from lms_core.i18n import N_

TRUE_TEXT = "Đúng"
FALSE_TEXT = "Sai"
LETTERS = "abcd"
LEVEL_TAG = "level:"
DIFFICULTY_TAG = "difficulty:"

NO_QUESTIONS = N_("No questions were found in the file.")
TOO_MANY = N_("The file holds more than {limit} questions; split it into smaller files.")
DESCRIPTION_SKIPPED = N_("A description is text without a question; it is not imported.")
PARTIAL_WEIGHTS = N_("Options carry partial marks other than all or nothing; this kind of question cannot be "
                     "imported.")
UNKNOWN_TYPE = N_("Questions of the type “{type}” cannot be imported.")
EMBEDDED_IMAGE = N_("An image stored inside the file was left out; add it again after the import.")
NOT_A_NUMBER = N_("A numeric answer or a number of points is not a number.")
CANNOT_EXPORT = N_("Question {number} ({type}) cannot be written in this format: {reason}")
TYPE_NOT_IN_FORMAT = N_("the format has no such question type.")


def true_false_choices(truth: bool, *, feedback_true: str = "", feedback_false: str = "") -> list[Choice]:
    """Return the two choices of a true/false item ("Đúng" first), the one matching `truth` correct."""
    return [Choice(TRUE_TEXT, correct=truth, feedback=feedback_true),
            Choice(FALSE_TEXT, correct=not truth, feedback=feedback_false)]


def meta_tags(item: Item) -> list[str]:
    """Return the item's tags followed by its level and difficulty written as tags."""
    tags = list(item.tags)
    if item.level is not None:
        tags.append(LEVEL_TAG + item.level)
    if item.difficulty is not None:
        tags.append(f"{DIFFICULTY_TAG}{item.difficulty}")
    return tags


def apply_tags(item: Item, tags: list[str]) -> None:
    """Set the item's tags, turning "level:…" and "difficulty:1-5" tags back into its level and difficulty."""
    levels = {lv.value for lv in Level}
    for tag in tags:
        if tag.startswith(LEVEL_TAG) and tag[len(LEVEL_TAG):] in levels and item.level is None:
            item.level = tag[len(LEVEL_TAG):]
        elif re.fullmatch(r"difficulty:[1-5]", tag) and item.difficulty is None:
            item.difficulty = int(tag[-1])
        elif tag and tag not in item.tags:
            item.tags.append(tag)


def category_tag(path: str) -> str:
    """Return the tag a Moodle category path becomes ("$course$/top/Lớp 10/Hàm số" → "Lớp 10/Hàm số")."""
    parts = [p.strip() for p in path.strip().split("/") if p.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0].lower() in ("top", "default"):
        parts = parts[1:]
    return "/".join(parts)


def parse_decimal(text: str) -> Decimal | None:
    """Return a decimal read from "3.5" or the Vietnamese "3,5", or None when it is not a finite number."""
    text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?", text):
        return None
    return Decimal(text)


def format_decimal(value: Decimal) -> str:
    """Return a decimal written without an exponent ("1E+2" → "100")."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def equal_weights(weights: list[float]) -> bool:
    """Return whether several positive weights are equal and add up to 100 (a multiple-response key)."""
    positive = [w for w in weights if w > 0]
    return (len(positive) >= 2 and max(positive) - min(positive) < 0.01
            and abs(sum(positive) - 100) < 0.05 * len(positive))


def multiple_weight(correct: int) -> str:
    """Return the weight of each correct option of a multiple-response key with `correct` options."""
    return format_decimal((Decimal(100) / correct).quantize(Decimal("0.00001")).normalize())


# ---- Markdown with LaTeX ⇄ the HTML Moodle stores ---------------------------------------------------------

_OURS = re.compile(r"\$\$|\$")
_MOODLES = re.compile(r"\$\$|\\\[|\\\(|\$")
_CLOSERS = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}


def maths_spans(text: str, openers: re.Pattern[str]) -> list[tuple[int, int, str, str]]:
    """Return the maths spans of a text as (start, end, opening delimiter, inner text), in one linear pass.

    A span needs a non-empty inner text; "$…$" stays on one line. A delimiter with no closing one after it is
    not looked for again, so hostile text ("\\(" a hundred thousand times) costs one scan, not one per opener.
    """
    spans: list[tuple[int, int, str, str]] = []
    dead: set[str] = set()
    i = 0
    while True:
        m = openers.search(text, i)
        if m is None:
            return spans
        opener, pos = m[0], m.start()
        if opener == "$$" and "$$" not in dead:
            close = text.find("$$", pos + 3)
            if close >= 0:
                spans.append((pos, close + 2, "$$", text[pos + 2:close]))
                i = close + 2
                continue
            dead.add("$$")
        if opener.startswith("$"):
            close = text.find("$", pos + 1)
            if close < 0:
                return spans
            if close > pos + 1 and "\n" not in text[pos + 1:close]:
                spans.append((pos, close + 1, "$", text[pos + 1:close]))
                i = close + 1
            else:
                i = pos + 1
            continue
        closer = _CLOSERS[opener]
        close = -1 if opener in dead else text.find(closer, pos + 3)
        if close < 0:
            dead.add(opener)
            i = pos + 2
            continue
        spans.append((pos, close + 2, opener, text[pos + 2:close]))
        i = close + 2


def _replace_maths(text: str, openers: re.Pattern[str], write) -> str:  # noqa: ANN001
    """Return text with each maths span replaced by write(opener, inner) and the rest by write(None, rest)."""
    out: list[str] = []
    last = 0
    for start, end, opener, inner in maths_spans(text, openers):
        out.append(write(None, text[last:start]))
        out.append(write(opener, inner))
        last = end
    out.append(write(None, text[last:]))
    return "".join(out)
_BOLD = re.compile(r"\*\*([^*\n]{1,2000}?)\*\*")
_ITALIC = re.compile(r"\*([^*\n]{1,2000}?)\*")
_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(([^)\s]{1,2000})\)")
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "pre"}


def _inline_html(text: str) -> str:
    """Return Markdown text (no maths) as HTML: escaped, with bold, italics, images and line breaks."""
    def image(m: re.Match[str]) -> str:
        return f'<img src="{html.escape(m[2])}" alt="{html.escape(m[1])}" />'

    out: list[str] = []
    last = 0
    for m in _IMAGE.finditer(text):
        out.append(_emphasis(html.escape(text[last:m.start()], quote=False)))
        out.append(image(m))
        last = m.end()
    out.append(_emphasis(html.escape(text[last:], quote=False)))
    return "".join(out).replace("\n", "<br />")


def _emphasis(text: str) -> str:
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


def markdown_to_html(text: str) -> str:
    """Return our Markdown-with-LaTeX text as the simple HTML Moodle stores (maths as \\(…\\) and \\[…\\])."""
    def write(opener: str | None, part: str) -> str:
        if opener is None:
            return _inline_html(part)
        inner = html.escape(part, quote=False)
        return f"\\[{inner}\\]" if opener == "$$" else f"\\({inner}\\)"

    return _replace_maths(text, _OURS, write)


class _HtmlToMarkdown(HTMLParser):
    """Collect the text of an HTML fragment as Markdown: line breaks, bold, italics, images, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0
        self.dropped_images = 0
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("script", "style", "head", "title"):
            self.hidden += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            href = values.get("href", "")
            self.href.append(href if href.startswith(("http://", "https://")) else None)
            if self.href[-1]:
                self.out.append("[")
        elif tag == "img":
            src = values.get("src", "").strip()
            if not src or src.startswith(("data:", "@@PLUGINFILE@@")):
                self.dropped_images += 1
            else:
                self.out.append(f"![{values.get('alt', '')}]({src.replace(' ', '%20')})")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS or tag == "li":
            self.out.append("\n\n" if tag != "li" else "")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(re.sub(r"\s+", " ", data))


def _maths_in(opener: str | None, part: str) -> str:
    if opener is None:
        return part
    return f"$${part}$$" if opener == "\\[" else f"${part}$"   # Moodle's TeX filter shows $$…$$ inline


def _maths_out(opener: str | None, part: str) -> str:
    if opener is None:
        return part
    return f"\\[{part}\\]" if opener == "$$" else f"\\({part}\\)"


def moodle_maths(text: str) -> str:
    """Return text with our maths delimiters turned into Moodle's MathJax ones ($…$ → \\(…\\), $$…$$ → \\[…\\])."""
    return _replace_maths(text, _OURS, _maths_out)


def html_to_markdown(text: str) -> tuple[str, int]:
    """Return HTML as our Markdown with LaTeX between $…$, and how many embedded images were left out."""
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    joined = "\n".join(line.strip() for line in "".join(parser.out).split("\n"))
    joined = re.sub(r"\n{3,}", "\n\n", joined).strip()
    return _replace_maths(joined, _MOODLES, _maths_in), parser.dropped_images


def plain_maths(text: str) -> str:
    """Return Markdown/plain text with Moodle's maths delimiters turned into ours ($$…$$ inline → $…$)."""
    return _replace_maths(text, _MOODLES, _maths_in)


# ---- the true/false group (a–d) as Moodle questions ---------------------------------------------------------

def tf_part_stem(item: Item, index: int) -> str:
    """Return the text of the true/false question standing for statement `index` of a group."""
    head = f"{item.stem}\n\n" if item.stem else ""
    return f"{head}{LETTERS[index]}) {item.statements[index].text}"


def tf_part_title(item: Item, index: int) -> str:
    """Return the title of the true/false question standing for statement `index` of a group."""
    return f"{item.title} {LETTERS[index]})" if item.title else f"{LETTERS[index]})"


@dataclass
class Entry:
    """An item read from a file, where it was, and problems found while reading it."""

    item: Item
    where: str
    problems: list[str]


def _tf_part(entry: Entry, index: int) -> tuple[str, str, str] | None:
    """Return (title prefix, shared stem, statement) when an entry is part `index` of a written tf_group."""
    item = entry.item
    letter = LETTERS[index]
    if item.type != QType.true_false or len(item.choices) != 2 or entry.problems:
        return None
    if item.title != f"{letter})" and not item.title.endswith(f" {letter})"):
        return None
    prefix = item.title[:-2].rstrip()
    marker = f"{letter}) "
    if item.stem.startswith(marker):
        return prefix, "", item.stem[len(marker):]
    cut = item.stem.rfind("\n\n" + marker)
    if cut < 0:
        return None
    return prefix, item.stem[:cut], item.stem[cut + 2 + len(marker):]


def merge_tf_groups(entries: list[Entry]) -> list[Entry]:
    """Return the entries with each run of four true/false parts a)–d) of one group merged into a tf_group."""
    out: list[Entry] = []
    i = 0
    while i < len(entries):
        parts = [_tf_part(e, k) for k, e in enumerate(entries[i:i + 4])]
        if len(parts) == 4 and all(parts) and len({(p[0], p[1]) for p in parts if p}) == 1:
            first = entries[i].item
            prefix, stem = parts[0][0], parts[0][1]  # type: ignore[index]
            group = Item(type=QType.tf_group, stem=stem, title=prefix, points=first.points,
                         statements=[TFStatement(p[2], entries[i + k].item.choices[0].correct)  # type: ignore[index]
                                     for k, p in enumerate(parts)],
                         general_feedback=first.general_feedback, tags=list(first.tags),
                         level=first.level, difficulty=first.difficulty)
            out.append(Entry(group, entries[i].where, []))
            i += 4
        else:
            out.append(entries[i])
            i += 1
    return out


def cloze_as_tf_group(item: Item) -> Item | None:
    """Return the tf_group a cloze item stands for (four Đúng/Sai blanks on lines a)–d)), else None."""
    if item.type != QType.cloze or len(item.blanks) != 4:
        return None
    if any(sorted(b.options) != sorted([TRUE_TEXT, FALSE_TEXT]) or b.accepted for b in item.blanks):
        return None
    lines = item.stem.split("\n")
    if len(lines) < 4:
        return None
    statements: list[TFStatement] = []
    for k, line in enumerate(lines[-4:]):
        head, tail = f"{LETTERS[k]}) ", f" {{{k + 1}}}"
        if not (line.startswith(head) and line.endswith(tail)) or len(line) < len(head) + len(tail):
            return None
        statements.append(TFStatement(line[len(head):-len(tail)], item.blanks[k].options[0] == TRUE_TEXT))
    rest = lines[:-4]
    if rest and (rest[-1] != "" or len(rest) < 2):
        return None
    return Item(type=QType.tf_group, stem="\n".join(rest[:-1]), title=item.title, points=item.points,
                statements=statements, general_feedback=item.general_feedback, tags=list(item.tags),
                level=item.level, difficulty=item.difficulty)


def finish(entries: list[Entry], result: ParseResult) -> ParseResult:
    """Return the result with the entries' items added, their problems and `check` problems recorded."""
    for entry in merge_tf_groups(entries):
        result.items.append(entry.item)
        for message in [*entry.problems, *check(entry.item)]:
            result.problems.append(ParseProblem(entry.where, message))
    if not result.items and not result.problems and not result.skipped:
        result.problems.append(ParseProblem("", NO_QUESTIONS))
    return result
