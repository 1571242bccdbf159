"""Moodle XML: read a <quiz> file into items and write items as one.

Read: multichoice (single true/false), truefalse, shortanswer, numerical, matching, essay, cloze (multianswer:
{1:SHORTANSWER:=a}, {1:MULTICHOICE:=a~b}, {1:NUMERICAL:=3} with no tolerance), ordering (the qtype_ordering
plugin: answers in the right order, fraction = position), category (a tag for the questions after it);
description and other types are skipped with the reason. Question text in HTML becomes our Markdown with LaTeX
(line breaks, bold, italics, links, images; images stored inside the file are left out with a problem; maths
\\(…\\), \\[…\\] and Moodle's $$…$$ become $…$ / $$…$$). Files with a DTD or entities are refused.
Written: every type; a true/false group becomes a cloze with four Đúng/Sai blanks (see formats/__init__.py);
points go to <defaultgrade>; essay rubrics and accent sensitivity have no place in Moodle and are left out.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from xml.parsers import expat

from lms_core.assessment.formats import (
    CANNOT_EXPORT, DESCRIPTION_SKIPPED, EMBEDDED_IMAGE, FALSE_TEXT, LETTERS, NOT_A_NUMBER, PARTIAL_WEIGHTS,
    TRUE_TEXT, UNKNOWN_TYPE, Entry, apply_tags, category_tag, cloze_as_tf_group, equal_weights, finish,
    format_decimal, html_to_markdown, markdown_to_html, meta_tags, moodle_maths, multiple_weight, parse_decimal,
    plain_maths, true_false_choices,
)
from lms_core.assessment.items import Blank, Choice, Item, NumericKey, Pair, ParseProblem, ParseResult, QType
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.text import nfc

MAX_BYTES = 20 * 1024 * 1024
MAX_QUESTIONS = 5000

TOO_LARGE = N_("The Moodle XML file is larger than 20 MB.")
TOO_MANY_QUESTIONS = N_("The Moodle XML file holds more than 5,000 questions; split it into smaller files.")
NOT_XML = N_("The file is not well-formed XML (line {line}).")
DTD_REFUSED = N_("The file declares a DTD or entities; Moodle XML files have none, so it is refused.")
NOT_MOODLE = N_("The file is XML but not a Moodle XML question file (no <quiz> element).")
NUMERIC_BLANK = N_("A numeric blank with a tolerance cannot be imported; only exact numbers can.")
MULTI_BLANK = N_("A blank with several correct options (MULTIRESPONSE) cannot be imported.")
UNKNOWN_BLANK = N_("The blank “{code}” is not a known cloze type.")
NO_TYPE = N_("Questions of a type with no equivalent here are not exported.")

_SHORT = {"SHORTANSWER", "SA", "MW"}
_SHORT_C = {"SHORTANSWER_C", "SAC", "MWC"}
_CHOICE = {"MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH", "MULTICHOICE_S", "MCS",
           "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"}
_MULTI = {"MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH", "MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS"}
_NUMERIC = {"NUMERICAL", "NM"}
_CODE = re.compile(r"\{(\d*):([A-Za-z_]+):((?:\\.|[^\\{}])*)\}")  # no "{" inside: one scan per blank
_SKIP_TYPES = {"description": DESCRIPTION_SKIPPED}


class _Refused(Exception):
    pass


def _well_formed_without_dtd(data: bytes) -> None:
    """Raise Invalid unless the data is well-formed XML with no DTD (so no entity can be declared)."""
    def refuse(*_: object) -> None:
        raise _Refused

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except _Refused:
        raise Invalid(DTD_REFUSED) from None
    except expat.ExpatError as error:
        raise Invalid(NOT_XML, line=error.lineno) from None


class _Reader:
    """Reads one question element; collects problems (msgids) on the way."""

    def __init__(self, element: ET.Element) -> None:
        self.el = element
        self.problems: list[str] = []

    def rich(self, element: ET.Element | None) -> str:
        """Return the Markdown of an element holding <text> in a format (html, markdown, plain, moodle_auto)."""
        if element is None:
            return ""
        raw = nfc(element.findtext("text") or "")
        if element.get("format", "html") == "html":
            text, dropped = html_to_markdown(raw)
            if dropped and EMBEDDED_IMAGE not in self.problems:
                self.problems.append(EMBEDDED_IMAGE)
            return text
        return plain_maths(raw.strip())

    def plain(self, element: ET.Element | None) -> str:
        """Return the text of an element's <text> as written (answers compared with what students type)."""
        return "" if element is None else nfc(element.findtext("text") or "").strip()

    def answers(self) -> list[tuple[float | None, ET.Element]]:
        """Return the <answer> elements with their fraction in percent (None when it is not a number)."""
        out = []
        for answer in self.el.findall("answer"):
            try:
                out.append((float(answer.get("fraction", "0")), answer))
            except ValueError:
                out.append((None, answer))
        return out


def parse_moodle_xml(data: bytes) -> ParseResult:
    """Return the questions of a Moodle XML file; raise Invalid only when it is not one, TooLarge when too big."""
    if len(data) > MAX_BYTES:
        raise TooLarge(TOO_LARGE)
    _well_formed_without_dtd(data)
    root = ET.fromstring(data)
    if root.tag != "quiz":
        raise Invalid(NOT_MOODLE)
    questions = root.findall("question")
    if len(questions) > MAX_QUESTIONS + sum(q.get("type") == "category" for q in questions):
        raise TooLarge(TOO_MANY_QUESTIONS)
    result = ParseResult()
    entries: list[Entry] = []
    category = ""
    number = 0
    for element in questions:
        qtype = element.get("type", "")
        if qtype == "category":
            category = category_tag(nfc(element.findtext("category/text") or ""))
            continue
        number += 1
        where = f"question {number}"
        if qtype in _SKIP_TYPES:
            result.skipped.append(ParseProblem(where, _SKIP_TYPES[qtype]))
            continue
        reader = _Reader(element)
        item, skip = _read(reader, qtype)
        if skip:
            result.skipped.append(ParseProblem(where, skip, {"type": qtype}))
            continue
        assert item is not None
        item.title = nfc(element.findtext("name/text") or "").strip()
        item.general_feedback = reader.rich(element.find("generalfeedback"))
        grade = element.findtext("defaultgrade")
        if grade is not None and grade.strip():
            points = parse_decimal(grade)
            if points is None:
                reader.problems.append(NOT_A_NUMBER)
            else:
                item.points = Decimal(int(points)) if points == points.to_integral() else points.normalize()
        apply_tags(item, [*([category] if category else []),
                          *(nfc(t.findtext("text") or "").strip() for t in element.findall("tags/tag"))])
        entries.append(Entry(cloze_as_tf_group(item) or item, where, reader.problems))
    return finish(entries, result)


def _read(r: _Reader, qtype: str) -> tuple[Item | None, str]:
    """Return the item a question element describes, or the reason it is skipped."""
    stem = r.rich(r.el.find("questiontext"))
    answers = r.answers()
    if any(f is None for f, _ in answers):
        r.problems.append(NOT_A_NUMBER)
        answers = [(f or 0.0, a) for f, a in answers]
    if qtype == "multichoice":
        weights = [f or 0.0 for f, _ in answers]
        choices = [Choice(r.rich(a), correct=(f or 0) > 0, feedback=r.rich(a.find("feedback"))) for f, a in answers]
        single = (r.el.findtext("single") or "true").strip().lower() in ("true", "1")
        if not single and equal_weights(weights):
            return Item(type=QType.multiple, stem=stem, choices=choices), ""
        if any(w not in (0, 100) for w in weights):
            return None, PARTIAL_WEIGHTS
        return Item(type=QType.multiple if not single else QType.single, stem=stem, choices=choices), ""
    if qtype == "truefalse":
        by_text = {r.plain(a).lower(): (f, a) for f, a in answers}
        true, false = by_text.get("true"), by_text.get("false")
        truth = bool(true and (true[0] or 0) > 0)
        choices = true_false_choices(truth, feedback_true=r.rich(true[1].find("feedback")) if true else "",
                                     feedback_false=r.rich(false[1].find("feedback")) if false else "")
        if not (true and false) or (true[0] or 0) + (false[0] or 0) != 100:
            choices[0].correct = choices[1].correct = False  # check() reports the missing key
        return Item(type=QType.true_false, stem=stem, choices=choices), ""
    if qtype == "shortanswer":
        if any(0 < (f or 0) < 100 for f, _ in answers):
            return None, PARTIAL_WEIGHTS
        return Item(type=QType.short_text, stem=stem, accepted=[r.plain(a) for f, a in answers if f == 100],
                    case_sensitive=(r.el.findtext("usecase") or "0").strip() == "1"), ""
    if qtype == "numerical":
        keys = []
        for f, a in answers:
            if f not in (0, 100):
                return None, PARTIAL_WEIGHTS
            value, tolerance = r.plain(a), (a.findtext("tolerance") or "0").strip() or "0"
            if f == 0:
                continue
            v, t = parse_decimal(value), parse_decimal(tolerance)
            if v is None or t is None:
                r.problems.append(NOT_A_NUMBER)
            else:
                keys.append(NumericKey(v, abs(t)))
        return Item(type=QType.numeric, stem=stem, numeric=keys), ""
    if qtype == "matching":
        pairs = [Pair(r.rich(s), plain_maths(r.plain(s.find("answer")))) for s in r.el.findall("subquestion")]
        return Item(type=QType.matching, stem=stem, pairs=[p for p in pairs if p.left]), ""
    if qtype == "essay":
        return Item(type=QType.essay, stem=stem), ""
    if qtype == "ordering":
        ordered = sorted(enumerate(answers), key=lambda x: (x[1][0] or 0, x[0]))
        return Item(type=QType.ordering, stem=stem, order=[r.rich(a) for _, (_, a) in ordered]), ""
    if qtype in ("cloze", "multianswer"):
        return _cloze(r, stem)
    return None, UNKNOWN_TYPE


def _cloze_answers(body: str) -> list[tuple[float, str]]:
    """Return the (weight, text) answers of a cloze blank body "=a#fb~b~%50%c" (escapes undone)."""
    answers: list[tuple[float, str]] = []
    current: list[str] = []
    in_feedback = False
    i = 0

    def close() -> None:
        text = "".join(current).strip()
        weight = 0.0
        if text.startswith("="):
            weight, text = 100.0, text[1:]
        else:
            m = re.match(r"%(-?\d{1,3}(?:\.\d{1,7})?)%", text)
            if m:
                weight, text = float(m[1]), text[m.end():]
        answers.append((weight, text.strip()))

    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            if not in_feedback:
                current.append("\ue000" + body[i + 1] if body[i + 1] in "=%" else body[i + 1])
            i += 2
            continue
        if ch == "~":
            close()
            current, in_feedback = [], False
        elif ch == "#":
            in_feedback = True
        elif not in_feedback:
            current.append(ch)
        i += 1
    close()
    return [(w, t.replace("\ue000", "")) for w, t in answers]


def _cloze(r: _Reader, text: str) -> tuple[Item | None, str]:
    """Return a cloze item from a text with {n:TYPE:answers} blanks, or the reason it is skipped."""
    blanks: list[Blank] = []
    case = []
    pieces: list[str] = []
    last = 0
    for m in _CODE.finditer(text):
        code = m[2].upper()
        answers = _cloze_answers(m[3])
        weights = [w for w, _ in answers]
        if code in _MULTI:
            return None, MULTI_BLANK
        if any(w not in (0, 100) for w in weights):
            return None, PARTIAL_WEIGHTS
        if code in _SHORT or code in _SHORT_C:
            blanks.append(Blank(accepted=[t for w, t in answers if w == 100]))
            case.append(code in _SHORT_C)
        elif code in _CHOICE:
            blanks.append(Blank(options=[t for w, t in answers if w == 100] + [t for w, t in answers if w != 100]))
        elif code in _NUMERIC:
            numbers = [t.split(":", 1) for w, t in answers if w == 100]
            if any(len(n) == 2 and parse_decimal(n[1]) not in (None, Decimal(0)) for n in numbers):
                return None, NUMERIC_BLANK
            blanks.append(Blank(accepted=[n[0].strip() for n in numbers]))
        else:
            r.problems.append(UNKNOWN_BLANK)
            blanks.append(Blank())
        pieces.append(text[last:m.start()] + f"{{{len(blanks)}}}")
        last = m.end()
    pieces.append(text[last:])
    return Item(type=QType.cloze, stem="".join(pieces), blanks=blanks,
                case_sensitive=bool(case) and all(case)), ""


# ---- writing ------------------------------------------------------------------------------------------------

_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value: str) -> str:
    """Return text without the control characters XML 1.0 cannot hold."""
    return _NOT_XML_CHAR.sub("", value)


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = _xml_safe(value)
    return element


def _answer(parent: ET.Element, fraction: str, text: str, feedback: str = "", fmt: str = "html") -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction, "format": fmt})
    ET.SubElement(answer, "text").text = _xml_safe(markdown_to_html(text) if fmt == "html" else text)
    _text(answer, "feedback", markdown_to_html(feedback), "html")
    return answer


def _cloze_escape(text: str) -> str:
    out = "".join("\\" + ch if ch in '\\{}~#/"' else ch for ch in text)
    return out


def _cloze_code(blank: Blank, case_sensitive: bool) -> str:
    """Return a blank as a Moodle cloze code: {1:SHORTANSWER:=a~=b} or {1:MULTICHOICE:=right~wrong}."""
    def answer(marker: str, text: str) -> str:
        if text.lstrip().startswith(("=", "%")):
            return ("%100%" if marker == "=" else "%0%") + _cloze_escape(text)
        return marker + _cloze_escape(text)

    if blank.options:
        body = "~".join([answer("=", blank.options[0]), *(answer("", o) for o in blank.options[1:])])
        return f"{{1:MULTICHOICE:{body}}}"
    kind = "SHORTANSWER_C" if case_sensitive else "SHORTANSWER"
    return f"{{1:{kind}:{'~'.join(answer('=', a) for a in blank.accepted)}}}"


def _cloze_html(stem: str, blanks: list[Blank], case_sensitive: bool) -> str:
    """Return a cloze text as HTML with each {n} replaced by its blank's code."""
    def code(m: re.Match[str]) -> str:
        k = int(m[1])
        return html.escape(_cloze_code(blanks[k - 1], case_sensitive), quote=False) if 1 <= k <= len(blanks) else m[0]

    return re.sub(r"\{(\d+)\}", code, markdown_to_html(stem))


def _question(quiz: ET.Element, item: Item) -> None:
    """Append one item to the quiz element."""
    kind = {QType.single: "multichoice", QType.multiple: "multichoice", QType.true_false: "truefalse",
            QType.short_text: "shortanswer", QType.numeric: "numerical", QType.matching: "matching",
            QType.essay: "essay", QType.ordering: "ordering", QType.cloze: "cloze", QType.tf_group: "cloze"}
    q = ET.SubElement(quiz, "question", {"type": kind[item.type]})
    _text(q, "name", item.title)
    if item.type == QType.tf_group:
        def judged(true: bool) -> str:
            options = [TRUE_TEXT, FALSE_TEXT] if true else [FALSE_TEXT, TRUE_TEXT]
            return html.escape(_cloze_code(Blank(options=options), False), quote=False)

        lines = [f"{LETTERS[k]}) {markdown_to_html(s.text)} {judged(s.true)}" for k, s in enumerate(item.statements)]
        head = markdown_to_html(item.stem) + "<br /><br />" if item.stem else ""
        _text(q, "questiontext", head + "<br />".join(lines), "html")
    elif item.type == QType.cloze:
        _text(q, "questiontext", _cloze_html(item.stem, item.blanks, item.case_sensitive), "html")
    else:
        _text(q, "questiontext", markdown_to_html(item.stem), "html")
    _text(q, "generalfeedback", markdown_to_html(item.general_feedback), "html")
    ET.SubElement(q, "defaultgrade").text = format_decimal(item.points)
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    if item.type in (QType.single, QType.multiple):
        ET.SubElement(q, "single").text = "true" if item.type == QType.single else "false"
        ET.SubElement(q, "shuffleanswers").text = "true"
        ET.SubElement(q, "answernumbering").text = "ABCD"
        correct = sum(c.correct for c in item.choices) or 1
        for c in item.choices:
            if item.type == QType.single:
                fraction = "100" if c.correct else "0"
            else:
                fraction = multiple_weight(correct) if c.correct else "-100"
            _answer(q, fraction, c.text, c.feedback)
    elif item.type == QType.true_false:
        truth = bool(item.choices) and item.choices[0].correct
        fb_true = item.choices[0].feedback if item.choices else ""
        fb_false = item.choices[1].feedback if len(item.choices) > 1 else ""
        _answer(q, "100" if truth else "0", "true", fb_true, "moodle_auto_format")
        _answer(q, "0" if truth else "100", "false", fb_false, "moodle_auto_format")
    elif item.type == QType.short_text:
        ET.SubElement(q, "usecase").text = "1" if item.case_sensitive else "0"
        for a in item.accepted:
            _answer(q, "100", a, fmt="moodle_auto_format")
    elif item.type == QType.numeric:
        for key in item.numeric:
            answer = _answer(q, "100", format_decimal(key.value), fmt="moodle_auto_format")
            ET.SubElement(answer, "tolerance").text = format_decimal(key.tolerance)
    elif item.type == QType.matching:
        ET.SubElement(q, "shuffleanswers").text = "true"
        for pair in item.pairs:
            sub = _text(q, "subquestion", markdown_to_html(pair.left), "html")
            _text(sub, "answer", moodle_maths(pair.right))
    elif item.type == QType.essay:
        ET.SubElement(q, "responseformat").text = "editor"
        ET.SubElement(q, "responserequired").text = "1"
        ET.SubElement(q, "responsefieldlines").text = "15"
        ET.SubElement(q, "attachments").text = "0"
    elif item.type == QType.ordering:
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                           ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW")):
            ET.SubElement(q, tag).text = value
        for position, text in enumerate(item.order, start=1):
            _answer(q, str(position), text)
    tags = meta_tags(item)
    if tags:
        holder = ET.SubElement(q, "tags")
        for tag in tags:
            _text(holder, "tag", tag)


def dump_moodle_xml(items: list[Item]) -> bytes:
    """Return the items as a Moodle XML file (UTF-8)."""
    quiz = ET.Element("quiz")
    for number, item in enumerate(items, start=1):
        if item.type == QType.tf_group and len(item.statements) != len(LETTERS):
            raise Invalid(CANNOT_EXPORT, number=number, type=item.type.value, reason=gettext(NO_TYPE))
        _question(quiz, item)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)
