"""Aiken: single-choice questions as plain lines ("question", "A. option" or "A) option", "ANSWER: B").

The question may take several lines (kept as line breaks); options are lettered A, B, C … in order, each on one
line; the ANSWER line ends the question. Only single choice can be written; titles, feedback, tags and points
are not part of the format and are left out when writing.
"""

from __future__ import annotations

import re

from lms_core.assessment.formats import (
    CANNOT_EXPORT, TOO_MANY, TYPE_NOT_IN_FORMAT, Entry, finish, moodle_maths, plain_maths,
)
from lms_core.assessment.items import Choice, Item, ParseProblem, ParseResult, QType
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.text import nfc

MAX_CHARS = 20_000_000
MAX_QUESTIONS = 5000

TOO_LARGE = N_("The Aiken file is larger than 20 MB.")
NO_OPTIONS = N_("The question has no options “A.” “B.” … before its ANSWER line.")
NO_ANSWER = N_("The question has no “ANSWER:” line after its options.")
OPTION_ORDER = N_("Option “{letter}” is out of order; options are lettered A, B, C … in turn.")
ANSWER_NOT_OPTION = N_("The ANSWER “{letter}” is not one of the question's options.")
STRAY_LINE = N_("This line is neither an option (“A. …”) nor the ANSWER line.")
LONE_ANSWER = N_("This ANSWER line follows no question.")
BAD_ANSWER = N_("The ANSWER line must give one option letter, as in “ANSWER: B”.")
LINE_LIKE_FORMAT = N_("a line of its text would be read as an option or an ANSWER line.")
NOT_ONE_LINE = N_("an option takes several lines, or the text has an empty line.")
TOO_MANY_OPTIONS = N_("Aiken allows at most 26 options.")
ONE_KEY = N_("an Aiken question has exactly one correct option.")

_OPTION = re.compile(r"([A-Z])[.)][ \t]+(.*)")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)", re.I)


class _Question:
    """A question being read: where it starts, its text lines and its options."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.text: list[str] = []
        self.options: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.params: list[dict[str, object]] = []

    def problem(self, message: str, **params: object) -> None:
        self.problems.append(message)
        self.params.append(params)


def parse_aiken(text: str) -> ParseResult:
    """Return the questions of an Aiken text; what cannot be read becomes a problem with its line."""
    if len(text) > MAX_CHARS:
        raise TooLarge(TOO_LARGE)
    text = nfc(text).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    result = ParseResult()
    entries: list[Entry] = []
    current: _Question | None = None

    def close(question: _Question, answer: str | None, line: int) -> None:
        where = f"line {question.line}"
        if len(entries) >= MAX_QUESTIONS:
            if not any(p.message == TOO_MANY for p in result.problems):
                result.problems.append(ParseProblem(where, TOO_MANY, {"limit": MAX_QUESTIONS}))
            return
        for message, params in zip(question.problems, question.params):
            result.problems.append(ParseProblem(where, message, params))
        if not question.options:
            result.problems.append(ParseProblem(where, NO_OPTIONS))
            return
        letters = [letter for letter, _ in question.options]
        if answer is None:
            result.problems.append(ParseProblem(where, NO_ANSWER))
            return
        key = answer.strip().rstrip(".").strip()
        if not re.fullmatch(r"[A-Za-z]", key):
            result.problems.append(ParseProblem(f"line {line}", BAD_ANSWER))
            return
        if key.upper() not in letters:
            result.problems.append(ParseProblem(f"line {line}", ANSWER_NOT_OPTION, {"letter": key.upper()}))
            return
        stem = plain_maths("\n".join(question.text))
        item = Item(type=QType.single, stem=stem,
                    choices=[Choice(plain_maths(t), correct=letter == key.upper()) for letter, t in question.options])
        entries.append(Entry(item, where, []))

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.fullmatch(line)
        option = _OPTION.fullmatch(line)
        if answer and current is not None and current.options:
            close(current, answer[1], number)
            current = None
        elif option and current is not None and current.text:
            letter = option[1]
            expected = chr(ord("A") + len(current.options))
            if letter != expected:
                current.problem(OPTION_ORDER, letter=letter)
            current.options.append((letter, option[2].strip()))
        elif current is not None and current.options:
            # A line after the options that is no ANSWER line: the question lacks its ANSWER, or the line is stray.
            close(current, None, number)
            current = _Question(number)
            current.text.append(line)
        elif answer and current is not None:
            close(current, None, number)
            current = None
        elif answer or option:
            result.problems.append(ParseProblem(f"line {number}", STRAY_LINE if option else LONE_ANSWER))
        else:
            if current is None:
                current = _Question(number)
            current.text.append(line)
    if current is not None:
        close(current, None, len(text.split("\n")))
    return finish(entries, result)


def aiken_unsupported(item: Item) -> str | None:
    """Return why Aiken cannot hold this item (a msgid), or None when it can."""
    if item.type != QType.single:
        return TYPE_NOT_IN_FORMAT
    if len(item.choices) > 26:
        return TOO_MANY_OPTIONS
    if sum(c.correct for c in item.choices) != 1:
        return ONE_KEY
    lines = item.stem.split("\n")
    if any(not line.strip() or line != line.strip() for line in lines):
        return NOT_ONE_LINE
    if any(_OPTION.fullmatch(line) or _ANSWER.fullmatch(line) for line in lines):
        return LINE_LIKE_FORMAT
    if any("\n" in c.text or not c.text.strip() or c.text != c.text.strip() for c in item.choices):
        return NOT_ONE_LINE
    return None


def dump_aiken(items: list[Item]) -> str:
    """Return single-choice items as an Aiken text; raise Invalid naming the first question Aiken cannot hold."""
    chunks: list[str] = []
    for number, item in enumerate(items, start=1):
        reason = aiken_unsupported(item)
        if reason:
            raise Invalid(CANNOT_EXPORT, number=number, type=item.type.value, reason=gettext(reason))
        lines = [moodle_maths(item.stem)]
        key = "A"
        for k, choice in enumerate(item.choices):
            letter = chr(ord("A") + k)
            lines.append(f"{letter}. {moodle_maths(choice.text)}")
            if choice.correct:
                key = letter
        lines.append(f"ANSWER: {key}")
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + ("\n" if chunks else "")
