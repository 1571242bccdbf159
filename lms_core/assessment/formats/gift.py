"""Moodle GIFT: read a GIFT text into items and write items as GIFT.

Read: comments (//, with Moodle's "[tag:…]" markers), titles ::t::, $CATEGORY (kept as a tag), escapes
\\~ \\= \\# \\{ \\} \\: \\\\ and \\n, single and multiple choice (=, ~, ~%50%: several equal positive weights make a
multiple-response key, other partial weights are skipped), true/false, short answer, matching, numeric (value:
tolerance and ranges a..b, several keys), essay, per-option feedback #, general feedback ####, missing word (text
after the braces: a cloze with one blank), and the [html]/[markdown]/[plain]/[moodle] markers. Blank lines
separate questions. Kept when writing: everything but points, case/accent sensitivity and essay rubrics, which
GIFT cannot hold; ordering and cloze with several blanks cannot be written (use Moodle XML).
"""

from __future__ import annotations

import re
from decimal import Decimal

from lms_core.assessment.formats import (
    CANNOT_EXPORT, DESCRIPTION_SKIPPED, EMBEDDED_IMAGE, NOT_A_NUMBER, PARTIAL_WEIGHTS, TOO_MANY, TYPE_NOT_IN_FORMAT,
    Entry, apply_tags, category_tag, equal_weights, finish, format_decimal, html_to_markdown, markdown_to_html,
    meta_tags, moodle_maths, multiple_weight, parse_decimal, plain_maths, tf_part_stem, tf_part_title,
    true_false_choices,
)
from lms_core.assessment.items import Blank, Choice, Item, NumericKey, Pair, ParseProblem, ParseResult, QType
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.text import nfc

MAX_CHARS = 20_000_000
MAX_QUESTIONS = 5000

TOO_LARGE = N_("The GIFT file is larger than 20 MB.")
NO_CLOSING_BRACE = N_("The answers start with “{” but the closing “}” is missing.")
STRAY_BRACE = N_("There is a “{” or “}” outside the answers; write \\{ or \\} for a brace in the text.")
TEXT_BEFORE_ANSWER = N_("Each answer must start with “=” or “~”.")
NO_TITLE_END = N_("The title starts with “::” but the closing “::” is missing.")
BAD_TOLERANCE = N_("The tolerance of a numeric answer cannot be negative.")
BAD_MATCH = N_("Each pair of a matching question is written “=left -> right”.")
BIG_BLANK = N_("a cloze question with several blanks, or with its blank at the end, cannot be written in GIFT.")
ARROW_TEXT = N_("a text contains “->”, which GIFT reads as a matching pair.")

# Escaped characters become private-use placeholders while the structure is read, then go back.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005",
            ":": "\ue006", "n": "\ue007"}
_BACK = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_PRIVATE = re.compile("[\ue000-\ue008]")
_BLANK = "\ue008"  # where the answers of a missing-word question stood, while the text around them is converted
_BACK_RE = re.compile("[\ue000-\ue007]")
_FORMAT = re.compile(r"\s*\[(html|markdown|plain|moodle)\]", re.I)
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]\n])*)\]")
_WEIGHT = re.compile(r"%(-?\d{1,3}(?:\.\d{1,7})?)%")


def _protect(text: str) -> str:
    """Return text with escaped characters replaced by placeholders (one pass, linear)."""
    text = _PRIVATE.sub("\ufffd", text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _plain(text: str, strip: bool = True) -> str:
    """Return a protected piece with its escaped characters back, stripped unless told not to."""
    text = _BACK_RE.sub(lambda m: _BACK[m[0]], text)
    return text.strip() if strip else text


def parse_gift(text: str) -> ParseResult:
    """Return the questions of a GIFT text; what cannot be read becomes a problem, never an exception."""
    if len(text) > MAX_CHARS:
        raise TooLarge(TOO_LARGE)
    text = nfc(text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    result = ParseResult()
    entries: list[Entry] = []
    category = ""
    block: list[str] = []
    tags: list[str] = []
    start = 0
    lines = text.split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            tags.extend(m[1].replace("\\]", "]").strip() for m in _TAG.finditer(stripped))
            continue
        if stripped.startswith("$CATEGORY:") and not block:
            category = category_tag(stripped[len("$CATEGORY:"):])
            tags = []
            continue
        if stripped:
            if not block:
                start = number
            block.append(line)
            continue
        if block:
            if len(entries) + len(result.skipped) >= MAX_QUESTIONS:
                result.problems.append(ParseProblem(f"line {start}", TOO_MANY, {"limit": MAX_QUESTIONS}))
                break
            _question("\n".join(block), f"line {start}", [*([category] if category else []), *tags],
                      entries, result)
        block, tags = [], []
    return finish(entries, result)


def _question(raw: str, where: str, tags: list[str], entries: list[Entry], result: ParseResult) -> None:
    """Read one question block and add it to the entries, the problems or the skipped."""
    text = _protect(raw).strip()
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            result.problems.append(ParseProblem(where, NO_TITLE_END))
            return
        title, text = _plain(text[2:end]), text[end + 2:]
    fmt = "moodle"
    marker = _FORMAT.match(text)
    if marker:
        fmt, text = marker[1].lower(), text[marker.end():]
    open_at = text.find("{")
    if open_at < 0:
        if "}" in text:
            result.problems.append(ParseProblem(where, STRAY_BRACE))
        else:
            result.skipped.append(ParseProblem(where, DESCRIPTION_SKIPPED))
        return
    close_at = text.find("}", open_at)
    if close_at < 0:
        result.problems.append(ParseProblem(where, NO_CLOSING_BRACE))
        return
    before, answers, after = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    if "{" in answers or "{" in after or "}" in after or "}" in before:
        result.problems.append(ParseProblem(where, STRAY_BRACE))
        return

    dropped = 0

    def conv(piece: str, raw: bool = False) -> str:
        """Return a piece as Markdown; raw pieces (answers compared with typed input) are never HTML."""
        nonlocal dropped
        value = _plain(piece)
        if fmt != "html" or raw:
            return plain_maths(value)
        value, images = html_to_markdown(value)
        dropped += images
        return value

    general = ""
    if "####" in answers:
        answers, general = answers.split("####", 1)
    item, problems, skip = _answers(answers.strip(), conv)
    if skip:
        result.skipped.append(ParseProblem(where, skip))
        return
    if item is None:
        result.problems.extend(ParseProblem(where, p) for p in problems)
        return
    missing_word = bool(_plain(after))
    one_key = item.type == QType.short_text or sum(c.correct for c in item.choices) == 1
    if missing_word and item.type in (QType.single, QType.short_text) and one_key:
        blank = (Blank(options=[c.text for c in sorted(item.choices, key=lambda c: not c.correct)])
                 if item.type == QType.single else Blank(accepted=item.accepted))
        item = Item(type=QType.cloze, stem=conv(before + _BLANK + after).replace(_BLANK, "{1}"), blanks=[blank])
    elif missing_word:
        item.stem = conv(before + _BLANK + after).replace(_BLANK, "_____")
    else:
        item.stem = conv(before)
    item.title = title
    item.general_feedback = conv(general)
    apply_tags(item, tags)
    if dropped:
        problems.append(EMBEDDED_IMAGE)
    entries.append(Entry(item, where, problems))


def _split(answers: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the text before the first marker and the (marker, body) answers of an answer section."""
    parts = re.split(r"([=~])", answers)
    return parts[0], [(parts[k], parts[k + 1]) for k in range(1, len(parts) - 1, 2)]


def _weight(marker: str, body: str) -> tuple[float, str]:
    """Return an answer's weight in percent (= is 100, ~ is 0 unless %w% says) and the rest of its body."""
    m = _WEIGHT.match(body.lstrip())
    if m:
        return float(m[1]), body.lstrip()[m.end():]
    return (100.0 if marker == "=" else 0.0), body


def _feedback(body: str) -> tuple[str, str]:
    """Return an answer's text and feedback (after the first #)."""
    text, _, feedback = body.partition("#")
    return text, feedback


def _answers(section: str, conv) -> tuple[Item | None, list[str], str]:  # noqa: ANN001
    """Return the item an answer section describes (stem unset), its problems, or a reason to skip it."""
    if not section:
        return Item(type=QType.essay, stem=""), [], ""
    if section.startswith("#"):
        return _numeric(section[1:], conv)
    head, _, feedback = section.partition("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        wrong, _, right = feedback.partition("#")
        truth = head.strip().upper().startswith("T")
        fb_true, fb_false = (conv(right), conv(wrong)) if truth else (conv(wrong), conv(right))
        return Item(type=QType.true_false, stem="",
                    choices=true_false_choices(truth, feedback_true=fb_true, feedback_false=fb_false)), [], ""
    lead, parts = _split(section)
    if lead.strip() or not parts:
        return None, [TEXT_BEFORE_ANSWER], ""
    if all(m == "=" for m, _ in parts) and all("->" in b for _, b in parts):
        pairs = []
        for _, body in parts:
            left, _, right = _feedback(body)[0].partition("->")
            pairs.append(Pair(conv(left), conv(right, raw=True)))
        problems = [BAD_MATCH] if any(not p.right for p in pairs) else []
        return Item(type=QType.matching, stem="", pairs=pairs), problems, ""
    weighted = [(*_weight(m, b), m) for m, b in parts]
    weights = [w for w, _, _ in weighted]
    if all(m == "=" for m in (x[2] for x in weighted)):
        if any(w != 100 for w in weights):
            return None, [], PARTIAL_WEIGHTS
        accepted = [conv(_feedback(b)[0], raw=True) for _, b, _ in weighted]
        return Item(type=QType.short_text, stem="", accepted=accepted), [], ""
    choices = []
    for w, body, _ in weighted:
        text, fb = _feedback(body)
        choices.append((w, conv(text), conv(fb)))
    positive = [w for w in weights if w > 0]
    if equal_weights(weights):
        return Item(type=QType.multiple, stem="",
                    choices=[Choice(t, correct=w > 0, feedback=f) for w, t, f in choices]), [], ""
    if any(w not in (0, 100) for w in weights) or (positive and any(w < 0 for w in weights)):
        return None, [], PARTIAL_WEIGHTS
    return Item(type=QType.single, stem="",
                choices=[Choice(t, correct=w == 100, feedback=f) for w, t, f in choices]), [], ""


def _numeric(body: str, conv) -> tuple[Item | None, list[str], str]:  # noqa: ANN001
    """Return a numeric item from the body of {#…}: "v:t", "a..b" or several "=v:t" keys."""
    lead, parts = _split(body)
    if parts and not lead.strip():
        answers = [(*_weight(m, b), m) for m, b in parts]
    else:
        answers = [(100.0, body, "=")]
    keys: list[NumericKey] = []
    problems: list[str] = []
    for weight, answer, _ in answers:
        if weight not in (0, 100):
            return None, [], PARTIAL_WEIGHTS
        if weight == 0:
            continue
        value = _plain(_feedback(answer)[0])
        if ".." in value:
            low, high = (parse_decimal(v) for v in value.split("..", 1))
            if low is None or high is None:
                problems.append(NOT_A_NUMBER)
                continue
            low, high = min(low, high), max(low, high)
            keys.append(NumericKey((low + high) / 2, (high - low) / 2))
            continue
        number, _, tolerance = value.partition(":")
        v, t = parse_decimal(number), parse_decimal(tolerance) if tolerance.strip() else Decimal(0)
        if v is None or t is None:
            problems.append(NOT_A_NUMBER)
        elif t < 0:
            problems.append(BAD_TOLERANCE)
        else:
            keys.append(NumericKey(v, t))
    return Item(type=QType.numeric, stem="", numeric=keys), problems, ""


# ---- writing ------------------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    """Return text with GIFT's special characters escaped and line breaks written as \\n."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", "").replace("\n", "\\n")


def _answer(marker: str, text: str, feedback: str = "", weight: str = "") -> str:
    """Return one answer line; an explicit weight keeps a text starting with % from being read as one."""
    if not weight and text.startswith("%"):
        weight = "100" if marker == "=" else "0"
    prefix = f"%{weight}%" if weight else ""
    return f"\t{marker}{prefix}{text}" + (f"#{_rich(feedback)}" if feedback else "")


def _rich(text: str) -> str:
    """Return Markdown text as escaped HTML (the questions are written with the [html] marker)."""
    return _esc(markdown_to_html(text))


def _raw(text: str) -> str:
    """Return an answer compared with typed input as escaped text, maths in Moodle's delimiters."""
    return _esc(moodle_maths(text))


def gift_unsupported(item: Item) -> str | None:
    """Return why GIFT cannot hold this item (a msgid), or None when it can."""
    if item.type in (QType.ordering,):
        return TYPE_NOT_IN_FORMAT
    if item.type == QType.cloze:
        parts = item.stem.split("{1}")
        if len(item.blanks) != 1 or len(parts) != 2 or not parts[1].strip() or not (
                item.blanks[0].accepted or item.blanks[0].options):
            return BIG_BLANK
        if item.blanks[0].accepted and all("->" in a for a in item.blanks[0].accepted):
            return ARROW_TEXT
    if item.type == QType.short_text and item.accepted and all("->" in a for a in item.accepted):
        return ARROW_TEXT
    if item.type == QType.tf_group and len(item.statements) != 4:
        return TYPE_NOT_IN_FORMAT
    return None


def _header(title: str, tags: list[str]) -> list[str]:
    """Return the tag comment and the title line (to which the text is added) of a question."""
    lines = []
    if tags:
        lines.append("// " + " ".join("[tag:" + t.replace("]", "\\]") + "]" for t in tags))
    lines.append((f"::{_esc(title)}::" if title else "") + "[html]")
    return lines


def _write(item: Item) -> list[str]:
    """Return the GIFT lines of one item (a tf_group gives four questions)."""
    if item.type == QType.tf_group:
        out: list[str] = []
        for k, statement in enumerate(item.statements):
            part = Item(type=QType.true_false, stem=tf_part_stem(item, k), title=tf_part_title(item, k),
                        choices=true_false_choices(statement.true), general_feedback=item.general_feedback,
                        tags=item.tags, level=item.level, difficulty=item.difficulty)
            out.extend([*_write(part), ""])
        return out[:-1]
    lines = _header(item.title, meta_tags(item))
    stem, after = _rich(item.stem), ""
    body: list[str] = []
    if item.type == QType.cloze:
        before, rest = item.stem.split("{1}")
        stem, _, after = _rich(item.stem).partition("\\{1\\}")
        blank = item.blanks[0]
        if blank.options:
            body = [_answer("=", _rich(blank.options[0])), *(_answer("~", _rich(o)) for o in blank.options[1:])]
        else:
            body = [_answer("=", _raw(a)) for a in blank.accepted]
    elif item.type == QType.single:
        body = [_answer("=" if c.correct else "~", _rich(c.text), c.feedback) for c in item.choices]
    elif item.type == QType.multiple:
        correct = sum(c.correct for c in item.choices) or 1
        body = [_answer("~", _rich(c.text), c.feedback, multiple_weight(correct) if c.correct else "-100")
                for c in item.choices]
    elif item.type == QType.true_false:
        truth = bool(item.choices) and item.choices[0].correct
        right = next((c.feedback for c in item.choices if c.correct), "")
        wrong = next((c.feedback for c in item.choices if not c.correct), "")
        feedback = f"#{_rich(wrong)}#{_rich(right)}" if right else (f"#{_rich(wrong)}" if wrong else "")
        body = [f"\t{'TRUE' if truth else 'FALSE'}{feedback}"]
    elif item.type == QType.short_text:
        body = [_answer("=", _raw(a)) for a in item.accepted]
    elif item.type == QType.matching:
        body = [f"\t={_rich(p.left)} -> {_raw(p.right)}" for p in item.pairs]
    elif item.type == QType.numeric:
        keys = [format_decimal(k.value) + (f":{format_decimal(k.tolerance)}" if k.tolerance else "")
                for k in item.numeric]
        body = [f"\t#{keys[0]}"] if len(keys) == 1 else ["\t#", *(f"\t={k}" for k in keys)]
    if item.general_feedback:
        body.append(f"\t####{_rich(item.general_feedback)}")
    if body:
        lines[-1] += stem + ("{" if item.type == QType.cloze else " {")
        lines.extend(body)
        lines.append("}" + after)
    else:
        lines[-1] += stem + " {}"
    return lines


def dump_gift(items: list[Item]) -> str:
    """Return the items as a GIFT text; raise Invalid naming the first question GIFT cannot hold."""
    chunks: list[str] = []
    for number, item in enumerate(items, start=1):
        reason = gift_unsupported(item)
        if reason:
            raise Invalid(CANNOT_EXPORT, number=number, type=item.type.value, reason=gettext(reason))
        chunks.append("\n".join(_write(item)))
    return "\n\n".join(chunks) + ("\n" if chunks else "")
