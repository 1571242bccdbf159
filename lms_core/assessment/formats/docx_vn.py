"""Questions from a Word file in the layout Vietnamese teachers use.

"Câu 1." (or "Bài 1:", "Câu 1)") starts a question; "A." … "F." (or "A)") start its options, one or several on a
line; "a)" … "d)" are the statements of a true/false group. The key is marked on the option (underline, red,
highlight; bold or another colour when only some options have it), given on a line "Đáp án: B" under the question,
or in an answer part at the end ("ĐÁP ÁN" / "Bảng đáp án": tables of Câu → key or lines "1.A 2.C"). "PHẦN I/II/III"
headings of the 2025 exam format give single choice, đúng/sai groups and short numeric answers; a "TỰ LUẬN" part
gives essays. Pictures are carried in `Item.media` and shown in the text as Markdown images; equations made with
the equation editor or MathType cannot be read and are reported.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lms_core.archives import check_zip, refuse_dtd
from lms_core.assessment.items import Choice, Item, NumericKey, ParseProblem, ParseResult, QType, TFStatement, check
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.text import fold, nfc

NOT_DOCX = N_("The file is not a Word document (.docx).")
PDF_NOT_DOCX = N_("The file is a PDF, not a Word document (.docx). Upload the .docx file the questions were written in.")
OLD_DOC = N_("The file is in the old Word format (.doc). Open it in Word, save it as .docx and upload it again.")
BROKEN_DOCX = N_("The Word file (.docx) is damaged and cannot be read. Open it in Word, save it again and upload it again.")
FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB.")
TOO_MANY_QUESTIONS = N_("The file has more than {max} questions. Split it into smaller files.")
NO_QUESTIONS = N_("No question was found. Each question must start with “Câu 1.”, “Câu 2.” … on a new line.")
NO_OPTIONS = N_("The question has no options (A., B., C., D.) and no statements (a), b), c), d)), and no numeric answer.")
OPTION_ORDER = N_("The options are not lettered A, B, C … in order.")
KEY_NOT_OPTION = N_("The key {key} is not one of the options of the question.")
KEY_CONFLICT = N_("The key marked in the question ({marked}) differs from the key in the answer table ({table}).")
BAD_KEY = N_("The key “{key}” cannot be read for this kind of question.")
TF_NO_KEY = N_("The statements have no key: mark the true ones, or give Đ or S for each of a), b), c), d) in the answer table.")
DUPLICATE_NUMBER = N_("Another question in the same part has the same number.")
KEY_WITHOUT_QUESTION = N_("The answer table gives a key for question {number}, which is not in the document.")
EQUATION = N_("The question has an equation made with the equation editor or MathType, which cannot be read. Type it as LaTeX between $ signs, such as $x^2 + 1$, and import again.")
SYMBOL = N_("The question has a character inserted with Insert › Symbol, which cannot be read. Type it as text or as LaTeX and import again.")
IMAGE_FORMAT = N_("The question has a picture in a format browsers cannot show (WMF or EMF). Insert it as PNG or JPEG and import again.")
DRAWING = N_("The question has a drawing made of shapes or text boxes, which cannot be imported. Save the drawing as a picture (PNG or JPEG), insert the picture and import again.")
IMAGE_TOO_LARGE = N_("The question has a picture larger than {max_mb} MB.")
TEXT_TOO_LONG = N_("The question text is longer than {max} characters.")

MAX_BYTES = 30_000_000
MAX_UNPACKED = 100_000_000
MAX_QUESTIONS = 2_000
MAX_TEXT = 20_000
MAX_IMAGE = 5_000_000
MAX_TABLE_ROWS = 500
MAX_SPAN = 64

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_CONTAINERS = {f"{_W}{t}" for t in ("hyperlink", "ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml",
                                    "moveTo", "dir", "bdo")}
_IMAGE_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/bmp": ".bmp",
              "image/webp": ".webp", "image/svg+xml": ".svg"}

_QUESTION = re.compile(r"^(câu|bài)\s*(\d{1,4})\s*(?:\(\s*(\d+(?:[.,]\d+)?)\s*(?:điểm|đ)\s*\))?"
                       r"\s*(?:[(\[]\s*(nb|th|vdc|vd)\s*[)\]])?\s*(?:[.:)]|\s|$)", re.I)
_POINTS = re.compile(r"\s*\(\s*(\d+(?:[.,]\d+)?)\s*(?:điểm|đ)\s*\)\s*[.:]?", re.I)  # "Câu 1. (1 điểm) …"
_INLINE_LETTER = re.compile(r"\s*([A-F])(?:[.)]|\s|$)")  # "Đáp án: B. Thái Nguyên"
_LEVELS = {"nb": "nhan_biet", "th": "thong_hieu", "vd": "van_dung", "vdc": "van_dung_cao"}
_PART = re.compile(r"^phan ([ivx]+|\d)\b")
_KIND_HEADING = re.compile(r"^(?:(?:[ivx]+|[a-d]) )?(?:phan (?:[ivx]+|\d) )?(trac nghiem|tu luan)\b")
_ANSWER_HEADING = re.compile(r"^(?:[ivx]+ )?(?:bang dap an|dap an|huong dan cham|goi y dap an|dap an va huong dan cham)\b")
_KEY_LABELS = {"dap an", "dap an dung", "da", "tra loi", "chon"}
_SOLUTION_LABELS = {"loi giai", "huong dan giai", "huong dan", "giai", "giai thich", "giai chi tiet"}
_KEY_ENTRY = re.compile(r"(?:(?<=^)|(?<=[\s,;|]))(?:câu\s*)?(\d{1,4})(?:\s*[.:)\-–](?!\d)\s*|(?=[A-F]\b))", re.I)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_STRONG = {"underline", "red", "highlight"}  # a key mark wherever it is
_WEAK = {"bold", "colour"}                   # a key mark only when at most half the options have it


@dataclass
class _Line:
    """A line of text with the formatting marks of each character."""

    text: str
    marks: list[frozenset[str]]

    def __getitem__(self, span: slice) -> _Line:
        return _Line(self.text[span], self.marks[span])


@dataclass
class _Option:
    """An option (A–F) or statement (a–d) as read, with the marks on its letter and on its text."""

    letter: str
    text: str
    marks: frozenset[tuple[str, str]]


@dataclass
class _Question:
    """A question being read: its place, its parts as lines, and what was noticed on the way."""

    word: str
    number: int
    part: str | None
    kind: str | None
    points: Decimal | None = None
    level: str | None = None
    stem: list[str] = field(default_factory=list)
    options: list[_Option] = field(default_factory=list)
    statements: list[_Option] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    media: dict[str, bytes] = field(default_factory=dict)
    inline_key: str | None = None
    phase: str = "stem"


def _clean(text: str) -> str:
    """Return text with runs of spaces and tabs as one space, trimmed."""
    return " ".join(text.split())


def _number(text: str) -> Decimal | None:
    """Return a number written "0,5", "-12" or "1.5", or None."""
    text = text.strip().replace(" ", "").replace("−", "-").replace("–", "-")
    if not re.fullmatch(r"[+-]?\d{1,12}(?:[.,]\d{1,12})?", text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def parse_letters(text: str) -> list[str] | None:
    """Return the option letters of a key written "B", "AC" or "A, C", or None."""
    letters = re.sub(r"[\s,;/&+]|và", "", text.strip())
    if not re.fullmatch(r"[A-Fa-f]{1,6}", letters):
        return None
    return sorted({c.upper() for c in letters})


def parse_tf(text: str) -> list[bool] | None:
    """Return four true/false values written "ĐSĐS", "Đ S Đ S", "Đúng, Sai, …" or "a) Đ, b) S, …", or None."""
    text = nfc(text).lower()
    labelled = re.findall(r"([a-d])\s*[).:\-–]?\s*(đúng|sai|đ|s|d|t|f)\b", text)
    if len(labelled) == 4 and [letter for letter, _ in labelled] == ["a", "b", "c", "d"]:
        return [value not in ("sai", "s", "f") for _, value in labelled]
    words = re.findall(r"đúng|sai|[đsdtf]", re.sub(r"[\s,;/\-–|]+", " ", text))
    if len(words) != 4 or re.sub(r"đúng|sai|[đsdtf]|[\s,;/\-–|]", "", text):
        return None
    return [w not in ("sai", "s", "f") for w in words]


def _open(data: bytes) -> Any:
    """Return the python-docx document of a checked .docx file; refuse anything else."""
    from docx import Document

    if len(data) > MAX_BYTES:
        raise TooLarge(FILE_TOO_LARGE, max_mb=f"{MAX_BYTES / 1_000_000:.3g}")
    if data.startswith(b"%PDF"):
        raise Invalid(PDF_NOT_DOCX)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Invalid(OLD_DOC)
    if not data.startswith(b"PK\x03\x04"):
        raise Invalid(NOT_DOCX)
    infos = check_zip(data, max_total=MAX_UNPACKED)
    if "word/document.xml" not in {info.filename for info in infos}:
        raise Invalid(NOT_DOCX)
    refuse_dtd(data, broken=BROKEN_DOCX)
    try:
        return Document(io.BytesIO(data))
    except Exception:  # python-docx and lxml raise many kinds (KeyError, XMLSyntaxError, ValueError…)
        raise Invalid(BROKEN_DOCX) from None


def _run_marks(run: Any) -> frozenset[str]:
    """Return the key-like formatting of a run: bold, underline, red, another colour, highlight."""
    rpr = run.find(f"{_W}rPr")
    if rpr is None:
        return frozenset()
    marks = set()
    bold = rpr.find(f"{_W}b")
    if bold is not None and bold.get(f"{_W}val", "true") not in ("0", "false", "off"):
        marks.add("bold")
    underline = rpr.find(f"{_W}u")
    if underline is not None and underline.get(f"{_W}val", "single") != "none":
        marks.add("underline")
    highlight = rpr.find(f"{_W}highlight")
    if highlight is not None and highlight.get(f"{_W}val", "none") != "none":
        marks.add("highlight")
    colour = rpr.find(f"{_W}color")
    value = colour.get(f"{_W}val", "") if colour is not None else ""
    if re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
        if max(r, g, b) > 0x50:  # near-black is ordinary text
            marks.add("colour")
        if r >= 0xC0 and g <= 0x70 and b <= 0x70:
            marks.add("red")
    return frozenset(marks)


class _Walker:
    """Turns a paragraph's XML into lines with marks, collecting pictures and what cannot be read."""

    def __init__(self, part: Any) -> None:
        self.part = part
        self.text: list[str] = []
        self.marks: list[frozenset[str]] = []
        self.flags: set[str] = set()
        self.media: dict[str, bytes] = {}

    def paragraph(self, p: Any) -> tuple[list[_Line], set[str], dict[str, bytes]]:
        """Return the lines of a paragraph (split at line breaks), its flags and its pictures."""
        self.text, self.marks, self.flags, self.media = [], [], set(), {}
        self._children(p)
        line = _Line(nfc("".join(self.text)), self.marks)
        if len(line.text) != len(line.marks):  # a letter split across runs composed: keep the text, lose the marks
            line = _Line(line.text, [frozenset()] * len(line.text))
        lines, start = [], 0
        for index, char in enumerate(line.text + "\n"):
            if char == "\n":
                lines.append(line[start:index])
                start = index + 1
        return lines, self.flags, self.media

    def _add(self, text: str, marks: frozenset[str]) -> None:
        text = nfc(text)  # per run, so that each character keeps its marks
        self.text.append(text)
        self.marks.extend([marks] * len(text))

    def _children(self, element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{_W}r":
                self._run(child)
            elif tag in _CONTAINERS:
                self._children(child)
            elif tag in (f"{_M}oMath", f"{_M}oMathPara"):
                self.flags.add("equation")

    def _run(self, run: Any) -> None:
        marks = _run_marks(run)
        for child in run:
            tag = child.tag
            if tag == f"{_W}t":
                self._add(child.text or "", marks)
            elif tag == f"{_W}tab":
                self._add("\t", marks)
            elif tag in (f"{_W}br", f"{_W}cr"):
                self._add("\n", frozenset())
            elif tag == f"{_W}noBreakHyphen":
                self._add("-", marks)
            elif tag == f"{_W}sym":
                self.flags.add("symbol")
            elif tag == f"{_W}object":
                self.flags.add("equation")
            elif tag in (f"{_W}drawing", f"{_W}pict", _MC_ALTERNATE):
                # Word writes a picture twice (mc:Choice and mc:Fallback) under one relationship id.
                rels = dict.fromkeys(blip.get(f"{_R}embed") or blip.get(f"{_R}id")
                                     for blip in child.iter(f"{_A}blip", f"{_V}imagedata"))
                rels.pop(None, None)
                if not rels:
                    self.flags.add("drawing")
                for rel in rels:
                    self._picture(rel, child)

    def _picture(self, rel: str, holder: Any) -> None:
        part = self.part.related_parts.get(rel)
        if part is None:
            return
        ext = _IMAGE_EXT.get(part.content_type)
        if ext is None:
            self.flags.add("image_format")
            return
        blob = part.blob
        if len(blob) > MAX_IMAGE:
            self.flags.add("image_size")
            return
        name = hashlib.sha256(blob).hexdigest()[:16] + ext
        self.media[name] = blob
        described = next(holder.iter(f"{_WP}docPr"), None)
        alt = _clean(described.get("descr", "") if described is not None else "")
        self._add(f"![{re.sub(r'[][]', '', alt)}]({name})", frozenset())


def _grid(table: Any, walker: _Walker, flags: set[str], media: dict[str, bytes]) -> list[list[tuple[Any, str]]]:
    """Return a table's rows as (cell element, text) per grid column, merged cells repeated; add what cells hold."""
    rows: list[list[tuple[Any, str]]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        if len(rows) >= MAX_TABLE_ROWS:
            break
        row: list[tuple[Any, str]] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            pr = tc.find(f"{_W}tcPr")
            span_el = pr.find(f"{_W}gridSpan") if pr is not None else None
            merge = pr.find(f"{_W}vMerge") if pr is not None else None
            try:
                span = min(max(int(span_el.get(f"{_W}val", "1")), 1), MAX_SPAN) if span_el is not None else 1
            except ValueError:
                span = 1
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue" and rows \
                    and len(rows[-1]) > len(row):
                cell = rows[-1][len(row)]
            else:
                texts = []
                for p in tc.iterchildren(f"{_W}p"):
                    lines, found, pictures = walker.paragraph(p)
                    texts += [line.text for line in lines]
                    flags |= found
                    media.update(pictures)
                cell = (tc, _clean(" ".join(texts)))
            row.extend([cell] * span)
        rows.append(row)
    return rows


def _is_label(text: str, *labels: str) -> bool:
    """Return whether a cell's text, folded and without a note in brackets ("Đáp án (Đ/S)"), is one of the labels."""
    return fold(re.sub(r"\(.*?\)", " ", text)) in labels


def _answer_table(rows: list[list[tuple[Any, str]]]) -> list[tuple[str | None, int, str]] | None:
    """Return the (part, number, key) entries of an answer table, or None when the table is not one."""
    texts = [[text for _, text in row] for row in rows]
    entries: list[tuple[str | None, int, str]] = []
    question_labels, answer_labels = ("cau", "cau hoi", "cau so", "stt"), ("dap an", "da", "dap an dung", "chon")
    # Across: a row "Câu | 1 | 2 …" followed by a row "Đáp án | A | C …".
    across = False
    for upper, lower in zip(texts, texts[1:]):
        if upper and lower and _is_label(upper[0], *question_labels) and _is_label(lower[0], *answer_labels):
            across = True
            for number, key in zip(upper[1:], lower[1:]):
                if re.fullmatch(r"\d{1,3}", number) and key:
                    entries.append((None, int(number), key))
    if across:
        return entries
    # Down: a header row "Câu | (Ý) | Đáp án" (perhaps repeated side by side), one row per question or statement.
    for index, header in enumerate(texts[:3]):
        groups, start, sub = [], None, None
        for col, text in enumerate(header):
            if _is_label(text, *question_labels):
                start, sub = col, None
            elif start is not None and _is_label(text, "y", "lenh hoi", "menh de", "y hoi", "noi dung"):
                sub = col
            elif start is not None and _is_label(text, *answer_labels):
                groups.append((start, sub, col))
                start = None
        if groups:
            break
    else:
        return None
    part: str | None = None
    tf_parts: dict[tuple[str | None, int], list[str]] = {}
    for row in texts[index + 1:]:
        heading = _PART.match(fold(row[0])) if row else None
        if heading and len(set(row)) == 1:
            part = heading.group(1)
            continue
        for q, s, a in groups:
            if a >= len(row) or not re.search(r"\d", row[q]):
                continue
            number, key = int(re.search(r"\d{1,3}", row[q]).group()), row[a]
            letter = fold(row[s])[:1] if s is not None else ""
            if letter in ("a", "b", "c", "d") and key:
                tf_parts.setdefault((part, number), []).append(f"{letter}) {key}")
            elif key:
                entries.append((part, number, key))
    entries += [(p, n, " ".join(keys)) for (p, n), keys in tf_parts.items()]
    return entries


def _key_line(text: str) -> list[tuple[int, str]] | None:
    """Return the (number, key) entries of a line such as "1.A 2.C 3.B" or "Câu 1: ĐSĐS", or None."""
    found = list(_KEY_ENTRY.finditer(text))
    if not found or text[:found[0].start()].strip():
        return None
    entries = []
    for match, after in zip(found, found[1:] + [None]):
        key = text[match.end():after.start() if after else len(text)].strip(" \t,;.|")
        if not key or not (parse_letters(key) or parse_tf(key) or _number(key) is not None):
            return None
        entries.append((int(match.group(1)), key))
    return entries


def _option_spans(line: _Line, letters: str, *, anywhere: bool) -> list[tuple[str, int, int, int]]:
    """Return (letter, letter index, text start, text end) of the options a line holds, in order.

    Options start at the line's start (or, when `anywhere`, at "A." after other text and only with a "B." after
    it), and each next option must carry the next letter, so "vitamin C." inside option A does not split it.
    """
    pattern = re.compile(rf"(?<!\S)([{letters}])\s?[.)]" if letters.isupper() else rf"(?<!\S)([{letters}])\s?[).]")
    found = list(pattern.finditer(line.text))
    if not found:
        return []
    if anywhere:
        first = next((i for i, m in enumerate(found) if m.group(1) == letters[0]), None)
        if first is None:
            return []
        found = found[first:]
    elif found[0].start() != len(line.text) - len(line.text.lstrip()):
        return []
    chosen = [found[0]]
    for match in found[1:]:
        if ord(match.group(1)) == ord(chosen[-1].group(1)) + 1:
            chosen.append(match)
    if anywhere and len(chosen) < 2:
        return []
    ends = [m.start() for m in chosen[1:]] + [len(line.text)]
    return [(m.group(1), m.start(1), m.end(), end) for m, end in zip(chosen, ends)]


def _spans(line: _Line, letters: str, *, first_part: bool) -> list[tuple[str, int, int, int]]:
    """Return the options a line holds; the first of a question must be "A." (or "a)"), perhaps after stem text."""
    spans = _option_spans(line, letters, anywhere=False)
    if first_part and spans and spans[0][0] != letters[0]:
        spans = []
    return spans or (_option_spans(line, letters, anywhere=True) if first_part else [])


def _option(line: _Line, letter: str, at: int, start: int, end: int) -> _Option:
    """Return an option with the marks on its letter and the marks on most of its text."""
    marks = {("letter", mark) for mark in line.marks[at]}
    chars = [line.marks[i] for i in range(start, end) if not line.text[i].isspace()]
    for mark in set().union(*chars) if chars else set():
        if sum(mark in m for m in chars) * 2 >= len(chars):
            marks.add(("text", mark))
    return _Option(letter=letter, text=_clean(line.text[start:end]), marks=frozenset(marks))


def _marked(options: list[_Option]) -> set[str]:
    """Return the letters of the options marked as the key (strong marks, or weak marks only some options have)."""
    marked = {o.letter for o in options if any(kind in _STRONG for _, kind in o.marks)}
    for mark in {m for o in options for m in o.marks if m[1] in _WEAK}:
        holders = {o.letter for o in options if mark in o.marks}
        if len(holders) * 2 <= len(options):  # held by a few: a mark; held by most: the file's style
            marked |= holders
    return marked



def _strip(line: _Line) -> _Line:
    """Return a line without leading and trailing white space."""
    start = len(line.text) - len(line.text.lstrip())
    return line[start:len(line.text.rstrip())]


def _shouting(text: str) -> bool:
    """Return whether the letters of a line are upper case, as headings are."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _part_label(found: str) -> str:
    """Return the Roman numeral of a part ("PHẦN 2" → "II")."""
    number = _ROMAN.get(found) or int(found)
    return next((roman.upper() for roman, value in _ROMAN.items() if value == number), str(number))


def _part_kind(folded: str, label: str) -> str | None:
    """Return what a part holds from its heading, or, for a bare "PHẦN I/II/III", from the 2025 exam format."""
    for words, kind in (("tu luan", "essay"), ("dung sai", "tf"), ("tra loi ngan", "numeric"),
                        ("trac nghiem", "choice"), ("lua chon", "choice")):
        if words in folded:
            return kind
    return {"I": "choice", "II": "tf", "III": "numeric"}.get(label)


def _markdown_table(rows: list[list[tuple[Any, str]]]) -> str:
    """Return a table as a Markdown table, merged cells written once."""
    lines = []
    for row in rows:
        cells, seen = [], set()
        for element, text in row:
            if id(element) not in seen:
                seen.add(id(element))
                cells.append(text.replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    if lines:
        lines.insert(1, "|" + "---|" * lines[0].count(" | ") + "---|")
    return "\n".join(lines)


class _Reader:
    """Reads the body of a document block by block into questions and answer-table keys."""

    def __init__(self, part: Any) -> None:
        self.walker = _Walker(part)
        self.questions: list[_Question] = []
        self.current: _Question | None = None
        self.part: str | None = None
        self.kind: str | None = None
        self.answers = False
        self.answer_part: str | None = None
        self.keys: list[tuple[str | None, int, str]] = []

    def block(self, element: Any) -> None:
        """Read a paragraph, a table, or the blocks inside a content control."""
        if element.tag == f"{_W}p":
            lines, flags, media = self.walker.paragraph(element)
            for line in lines:
                self.line(_strip(line))
            if self.current is not None and not self.answers:
                self.current.flags |= flags
                self.current.media.update(media)
        elif element.tag == f"{_W}tbl":
            self.table(element)
        elif element.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            for child in element:
                self.block(child)

    def table(self, element: Any) -> None:
        """Take the keys of an answer table; in a question, read options laid out in a table, or keep the table."""
        flags: set[str] = set()
        media: dict[str, bytes] = {}
        rows = _grid(element, self.walker, flags, media)
        entries = _answer_table(rows)
        if entries is not None:
            part = self.answer_part if self.answers else None
            self.keys += [(p or part, n, key) for p, n, key in entries]
            return
        q = self.current
        if q is None or self.answers:
            return
        cells = list(dict.fromkeys(element for row in rows for element, _ in row))
        if q.kind != "essay" and any(re.match(r"[A-F]\s?[.)]", text) for row in rows for _, text in row):
            for tc in cells:
                for p in tc.iterchildren(f"{_W}p"):
                    self.block(p)
            return
        q.stem.append(_markdown_table(rows))
        q.flags |= flags
        q.media.update(media)

    def line(self, line: _Line) -> None:
        """Read one line: a heading, the start of a question, a part of the current question, or a key line."""
        text = line.text
        if not text:
            return
        folded = fold(text)
        part = _PART.match(folded)
        if part and len(text) <= 200:
            label = _part_label(part.group(1))
            if self.answers:
                self.answer_part = label
            else:
                self.part, self.kind, self.current = label, _part_kind(folded, label), None
            return
        if self.answers:
            for number, key in _key_line(text) or []:
                self.keys.append((self.answer_part, number, key))
            return
        if _KIND_HEADING.match(folded) and _shouting(text):
            self.kind, self.current = ("essay" if "tu luan" in folded else "choice"), None
            return
        label, colon, value = text.partition(":")
        if self.current is not None and colon and fold(label) in _KEY_LABELS:
            letter = _INLINE_LETTER.match(value)
            if _key_value(value) or letter:
                self.current.inline_key = value.strip() if _key_value(value) else letter.group(1)
                return
        if _ANSWER_HEADING.match(folded) and (_shouting(label) or (len(folded.split()) <= 6 and "?" not in text)) \
                and not (value.strip() and _key_line(value.strip()) is None):
            self.answers, self.current = True, None
            if colon:
                self.line(_strip(_Line(value, [frozenset()] * len(value))))
            return
        match = _QUESTION.match(text)
        if match:
            self.start(match, line)
        elif self.current is not None:
            self.question_line(self.current, line)

    def start(self, match: re.Match[str], line: _Line) -> None:
        """Begin a question from its "Câu n." line."""
        if len(self.questions) >= MAX_QUESTIONS:
            raise TooLarge(TOO_MANY_QUESTIONS, max=MAX_QUESTIONS)
        word = "Bài" if fold(match.group(1)) == "bai" else "Câu"
        points, end = (_number(match.group(3)) if match.group(3) else None), match.end()
        later = _POINTS.match(line.text, end) if points is None else None
        if later:
            points, end = _number(later.group(1)), later.end()
        self.current = _Question(word=word, number=int(match.group(2)), part=self.part, kind=self.kind,
                                 points=points, level=_LEVELS.get((match.group(4) or "").lower()))
        self.questions.append(self.current)
        self.question_line(self.current, _strip(line[end:]))

    def question_line(self, q: _Question, line: _Line) -> None:
        """Add a line to a question: a solution, options, statements, or more text of its stem or last option."""
        text = line.text
        if not text:
            return
        label, colon, value = text.partition(":")
        if colon and fold(label) in _SOLUTION_LABELS:
            q.phase = "feedback"
            text, line = value.strip(), _strip(line[len(label) + 1:])
            if not text:
                return
        if q.phase == "feedback":
            q.feedback.append(_clean(text))
            return
        if q.kind != "essay":
            for letters, into, phase, other in (("ABCDEF", q.options, "options", q.statements),
                                                 ("abcd", q.statements, "statements", q.options)):
                spans = [] if other else _spans(line, letters, first_part=q.phase == "stem")
                if spans:
                    self.parts(q, line, spans, into, phase)
                    return
        if q.phase == "stem":
            q.stem.append(_clean(text))
        else:
            last = (q.options or q.statements)[-1]
            last.text = f"{last.text} {_clean(text)}".strip()

    def parts(self, q: _Question, line: _Line, spans: list[tuple[str, int, int, int]], into: list[_Option],
              phase: str) -> None:
        """Add the options or statements a line holds, and the stem text before them."""
        before = _clean(line.text[:spans[0][1]])
        if before and q.phase == "stem":
            q.stem.append(before)
        into.extend(_option(line, *span) for span in spans)
        q.phase = phase

    def result(self) -> ParseResult:
        """Return the items and problems of every question read, and keys that match no question."""
        result = ParseResult()
        if not self.questions:
            result.problems.append(ParseProblem(where="", message=NO_QUESTIONS))
            return result
        index: dict[tuple[str | None, int], list[int]] = {}
        for position, (part, number, _) in enumerate(self.keys):
            index.setdefault((part, number), []).append(position)
        used: set[int] = set()
        seen: set[tuple[str | None, int]] = set()
        for q in self.questions:
            where = f"Phần {q.part}, {q.word} {q.number}" if q.part else f"{q.word} {q.number}"

            def lookup(parse: Any, q: _Question = q) -> str | None:
                """Return the key the answer table gives this question, readable by `parse` if possible."""
                exact = index.get((q.part, q.number), [])
                loose = index.get((None, q.number), []) if q.part else []
                for position in exact + loose:
                    if parse(self.keys[position][2]) is not None:
                        used.add(position)
                        return self.keys[position][2]
                if exact:
                    used.update(exact)
                    return self.keys[exact[0]][2]
                return None

            problems: list[tuple[str, dict[str, object]]] = []
            if (q.part, q.number) in seen:
                problems.append((DUPLICATE_NUMBER, {}))
            seen.add((q.part, q.number))
            item = _item(q, lookup, problems)
            if item is not None:
                problems += [(message, {}) for message in check(item)]
                result.items.append(item)
            unique = list(dict.fromkeys((m, tuple(sorted(p.items()))) for m, p in problems))
            result.problems += [ParseProblem(where=where, message=m, params=dict(p)) for m, p in unique]
        for position, (part, number, _) in enumerate(self.keys):
            if position not in used:
                label = f"Phần {part}, Câu {number}" if part else f"Câu {number}"
                result.problems.append(ParseProblem(where="ĐÁP ÁN", message=KEY_WITHOUT_QUESTION,
                                                    params={"number": label}))
        return result


def _key_value(value: str) -> bool:
    """Return whether a text reads as a key: option letters, Đ/S for four statements, or a number."""
    return bool(value.strip()) and (parse_letters(value) is not None or parse_tf(value) is not None
                                    or _number(value) is not None)


_FLAGS = {"equation": (EQUATION, {}), "symbol": (SYMBOL, {}), "image_format": (IMAGE_FORMAT, {}),
          "drawing": (DRAWING, {}),
          "image_size": (IMAGE_TOO_LARGE, {"max_mb": f"{MAX_IMAGE / 1_000_000:.3g}"})}


def _item(q: _Question, lookup: Any, problems: list[tuple[str, dict[str, object]]]) -> Item | None:
    """Return the item a question makes (adding what is wrong to `problems`), or None when it cannot be read."""
    problems += [_FLAGS[flag] for flag in sorted(q.flags)]
    stem = "\n\n".join(q.stem)
    if len(stem) > MAX_TEXT:
        problems.append((TEXT_TOO_LONG, {"max": MAX_TEXT}))
    item = Item(type=QType.single, stem=stem, points=q.points or Decimal(1), level=q.level,
                general_feedback="\n\n".join(q.feedback), media=q.media)
    if q.options:
        letters = [o.letter for o in q.options]
        if letters != list("ABCDEF"[:len(letters)]):
            problems.append((OPTION_ORDER, {}))
        marked, given = _marked(q.options), q.inline_key or lookup(parse_letters)
        key = marked
        if given is not None:
            read = parse_letters(given)
            if read is None:
                problems.append((BAD_KEY, {"key": given}))
                read = []
            missing = [letter for letter in read if letter not in letters]
            if missing:
                problems.append((KEY_NOT_OPTION, {"key": ", ".join(missing)}))
            if marked and read and marked != set(read):
                problems.append((KEY_CONFLICT, {"marked": ", ".join(sorted(marked)), "table": ", ".join(read)}))
            key = set(read)
        item.type = QType.multiple if given is not None and len(key) > 1 else QType.single
        item.choices = [Choice(text=o.text, correct=o.letter in key) for o in q.options]
    elif q.statements:
        item.type = QType.tf_group
        marked, given = _marked(q.statements), q.inline_key or lookup(parse_tf)
        truth = [o.letter in marked for o in q.statements]
        if given is not None:
            read = parse_tf(given)
            if read is None:
                problems.append((BAD_KEY, {"key": given}))
            else:
                if marked and len(read) == len(truth) and read != truth:
                    as_text = lambda values: "".join("Đ" if v else "S" for v in values)  # noqa: E731
                    problems.append((KEY_CONFLICT, {"marked": as_text(truth), "table": as_text(read)}))
                truth = read + truth[len(read):]
        elif not marked:
            problems.append((TF_NO_KEY, {}))
        item.statements = [TFStatement(text=o.text, true=t) for o, t in zip(q.statements, truth)]
    elif q.kind == "essay":
        item.type = QType.essay
    else:
        given = q.inline_key or lookup(_number)
        if given is None and q.kind != "numeric":
            problems.append((NO_OPTIONS, {}))
            return None
        item.type = QType.numeric
        value = _number(given) if given is not None else None
        if given is not None and value is None:
            problems.append((BAD_KEY, {"key": given}))
        item.numeric = [NumericKey(value=value)] if value is not None else []
    return item


def parse_docx(data: bytes) -> ParseResult:
    """Return the questions of a Word file in the Vietnamese teachers' layout, with what could not be read."""
    document = _open(data)
    reader = _Reader(document.part)
    for element in document.element.body:
        reader.block(element)
    return reader.result()
