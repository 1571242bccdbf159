"""Scoring a student's answer to one question: the answer's shape per type, the rules, exact decimals.

Answer shapes (`parse_response` takes them from a form or JSON; None, "" or [] mean "not answered"):

- single, true_false: the index of the chosen option (0-based), an int or a string of digits.
- multiple: the indices of the chosen options, a list (or one index); each at most once.
- tf_group: one value per statement a–d: a list, or a dict keyed "a".."d" or "0".."3"; a value is
  true/false, "true"/"false", "1"/"0", "đúng"/"sai", or None/"" for a statement left blank.
- numeric: a number as text; a decimal comma ("0,5") or point, spaces and a leading sign allowed
  ("− 1 250,5"); a text with both a comma and a point is refused as ambiguous.
- short_text, essay: the text typed.
- matching: for each left item (in the order of `item.pairs`) the index of the pair whose right item
  was chosen, or None; a list, or a dict keyed by the left item's index.
- ordering: the indices of `item.order`'s entries in the order the student put them (a permutation).
- cloze: one value per blank: the text typed, or for a blank with options the index of the chosen option.

Rules (points are `item.points`, every result rounded to 2 decimals half-up):

- single, true_false, numeric, short_text: all or nothing.
- multiple: all or nothing by default, the rule of a printed test key and of the Vietnamese
  exams (a teacher marking on paper gives the point only for the exact set); a quiz may opt in to
  partial credit: (right picks − wrong picks) / number of correct options, floored at 0.
- tf_group: the 2025 national-exam rule, 1 / 2 / 3 / 4 statements right → 0.1 / 0.25 / 0.5 / 1 of the points.
- matching: the share of left items paired with their right item.
- ordering: the share of positions holding the right item (absolute positions, not adjacent pairs).
- cloze: each blank an equal share.
- essay: not auto-graded (`correct` is None); `grade_essay` scores it from the teacher's rubric points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lms_core.assessment.items import Item, QType, check
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_
from lms_core.text import nfc

NOT_GRADABLE = N_("This question cannot be graded: {problem}")
NOT_AN_OPTION = N_("The answer must be the number of one of the options.")
OPTION_OUT_OF_RANGE = N_("The answer names an option this question does not have.")
OPTION_TWICE = N_("The same option is chosen twice.")
ONE_OPTION_ONLY = N_("Choose only one option.")
NOT_TRUE_FALSE = N_("Each statement must be answered true or false.")
UNKNOWN_PART = N_("The answer refers to a part the question does not have: {part}.")
TOO_MANY_PARTS = N_("The answer has more parts than the question.")
NOT_A_NUMBER = N_("The answer must be a number, such as 12 or -0,5.")
AMBIGUOUS_NUMBER = N_("Write the number with a decimal comma only, without a thousands separator (1250,5).")
NOT_TEXT = N_("The answer must be text.")
ANSWER_TOO_LONG = N_("The answer is too long (at most {limit} characters).")
NOT_AN_ORDER = N_("The order must list every item exactly once.")
BAD_SHAPE = N_("The answer is not in the form this question expects.")
RUBRIC_COUNT = N_("Give points for each of the {count} rubric criteria.")
RUBRIC_POINTS = N_("Points for criterion {number} must be between 0 and {max}.")
ESSAY_POINTS = N_("The points must be between 0 and {max}.")
BAD_TOTAL = N_("The total must be between 0 and the maximum, and the maximum more than 0.")

TEXT_LIMIT = 2_000           # short_text and cloze blanks
ESSAY_LIMIT = 50_000
NUMBER_LIMIT = 40
PARTS_LIMIT = 200
CENT = Decimal("0.01")
TF_GROUP_SHARES = {0: Decimal(0), 1: Decimal("0.1"), 2: Decimal("0.25"), 3: Decimal("0.5"), 4: Decimal(1)}
TRUE_WORDS = frozenset({"true", "1", "đúng", "dung", "đ", "t", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "sai", "s", "f", "no", "off"})
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_DIGITS = re.compile(r"\d{1,6}")


@dataclass(frozen=True)
class Response:
    """A student's answer to one question, in the shape of its type; `value` None means not answered."""

    type: QType
    value: Any = None

    @property
    def answered(self) -> bool:
        """Return whether the student gave any answer."""
        return self.value is not None


@dataclass(frozen=True)
class Part:
    """How one part of an answer went (an option, statement, pair, position, blank or criterion)."""

    index: int
    correct: bool | None
    points: Decimal | None = None


@dataclass(frozen=True)
class Graded:
    """The points an answer earned out of the question's points, whether it is right, and its parts."""

    points: Decimal
    max_points: Decimal
    correct: bool | None
    parts: list[Part] = field(default_factory=list)


def _cents(value: Decimal) -> Decimal:
    """Return a value rounded to 2 decimals, half-up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _blank(raw: Any) -> bool:
    """Return whether a raw answer means "not answered"."""
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, (list, tuple, dict)) and not raw)


def _index(raw: Any, count: int) -> int:
    """Return an option index read from an int or a string of digits, checked against the count."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise Invalid(NOT_AN_OPTION)
    if isinstance(raw, str):
        text = raw.strip()
        if not _DIGITS.fullmatch(text):
            raise Invalid(NOT_AN_OPTION)
        raw = int(text)
    if not 0 <= raw < count:
        raise Invalid(OPTION_OUT_OF_RANGE)
    return raw


def _text(raw: Any, limit: int) -> str:
    """Return typed text in NFC, refused when it is not text or longer than the limit."""
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise Invalid(NOT_TEXT)
    if len(raw) > limit:
        raise TooLarge(ANSWER_TOO_LONG, limit=limit)
    return nfc(raw)


def _parts(raw: Any, count: int, keys: tuple[str, ...] = ()) -> list[Any]:
    """Return a per-part list of raw values from a list or a dict keyed by index (or by the given letters)."""
    if isinstance(raw, Mapping):
        if len(raw) > PARTS_LIMIT:
            raise Invalid(TOO_MANY_PARTS)
        values: list[Any] = [None] * count
        for key, value in raw.items():
            name = str(key).strip().lower()
            if name in keys:
                position = keys.index(name)
            elif _DIGITS.fullmatch(name) and int(name) < count:
                position = int(name)
            else:
                raise Invalid(UNKNOWN_PART, part=str(key)[:20])
            values[position] = value
        return values
    if isinstance(raw, (list, tuple)):
        if len(raw) > count:
            raise Invalid(TOO_MANY_PARTS)
        return list(raw) + [None] * (count - len(raw))
    raise Invalid(BAD_SHAPE)


def _truth(raw: Any) -> bool | None:
    """Return True, False, or None (left blank) from a form or JSON value."""
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = nfc(raw).strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise Invalid(NOT_TRUE_FALSE)


def parse_number(raw: Any) -> Decimal:
    """Return the number a student wrote ("0,5", "- 1 250", "3.14"), refused with Invalid when it is not one."""
    if isinstance(raw, bool):
        raise Invalid(NOT_A_NUMBER)
    if isinstance(raw, (int, Decimal)):
        number = Decimal(raw)
        if not number.is_finite():
            raise Invalid(NOT_A_NUMBER)
        return number
    if isinstance(raw, float):
        raw = repr(raw)
    if not isinstance(raw, str) or len(raw) > NUMBER_LIMIT:
        raise Invalid(NOT_A_NUMBER)
    text = "".join(nfc(raw).split()).replace("\u2212", "-")
    if "," in text and "." in text:
        raise Invalid(AMBIGUOUS_NUMBER)
    if not _NUMBER.fullmatch(text):
        raise Invalid(NOT_A_NUMBER)
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise Invalid(NOT_A_NUMBER) from None


def parse_response(item: Item, raw: Any) -> Response:
    """Return a student's raw answer (form or JSON) checked and shaped for its question type."""
    kind = item.type
    if _blank(raw):
        return Response(kind)
    if kind in (QType.single, QType.true_false):
        if isinstance(raw, (list, tuple)):
            if len(raw) != 1:
                raise Invalid(ONE_OPTION_ONLY)
            raw = raw[0]
        return Response(kind, _index(raw, len(item.choices)))
    if kind == QType.multiple:
        picks = raw if isinstance(raw, (list, tuple)) else [raw]
        if len(picks) > len(item.choices):
            raise Invalid(OPTION_TWICE)
        chosen = [_index(pick, len(item.choices)) for pick in picks]
        if len(set(chosen)) != len(chosen):
            raise Invalid(OPTION_TWICE)
        return Response(kind, frozenset(chosen))
    if kind == QType.tf_group:
        letters = tuple("abcdefghij"[: len(item.statements)])
        values = [_truth(value) for value in _parts(raw, len(item.statements), letters)]
        return Response(kind, tuple(values)) if any(v is not None for v in values) else Response(kind)
    if kind == QType.numeric:
        return Response(kind, parse_number(raw))
    if kind == QType.short_text:
        return Response(kind, _text(raw, TEXT_LIMIT))
    if kind == QType.essay:
        return Response(kind, _text(raw, ESSAY_LIMIT))
    if kind == QType.matching:
        count = len(item.pairs)
        values = [None if _blank(v) else _index(v, count) for v in _parts(raw, count)]
        return Response(kind, tuple(values)) if any(v is not None for v in values) else Response(kind)
    if kind == QType.ordering:
        count = len(item.order)
        if not isinstance(raw, (list, tuple)) or len(raw) != count:
            raise Invalid(NOT_AN_ORDER)
        order = tuple(_index(v, count) for v in raw)
        if len(set(order)) != count:
            raise Invalid(NOT_AN_ORDER)
        return Response(kind, order)
    if kind == QType.cloze:
        values = []
        for blank, value in zip(item.blanks, _parts(raw, len(item.blanks)), strict=True):
            if _blank(value):
                values.append(None)
            elif blank.options:
                values.append(_index(value, len(blank.options)))
            else:
                values.append(_text(value, TEXT_LIMIT))
        return Response(kind, tuple(values)) if any(v is not None for v in values) else Response(kind)
    raise Invalid(BAD_SHAPE)


def _without_accents(text: str) -> str:
    """Return text with Vietnamese (and other) accents removed, keeping case and punctuation."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Mn"))


def normalise_answer(text: str, *, case_sensitive: bool = False, accent_sensitive: bool = False) -> str:
    """Return a typed answer as compared: NFC, whitespace collapsed, case and accents dropped unless sensitive."""
    text = " ".join(nfc(text).split())
    if not accent_sensitive:
        text = _without_accents(text)
    return text if case_sensitive else text.casefold()


def _matches(answer: str, accepted: list[str], item: Item) -> bool:
    """Return whether a typed answer equals one of the accepted answers under the item's sensitivity."""
    flags = {"case_sensitive": item.case_sensitive, "accent_sensitive": item.accent_sensitive}
    given = normalise_answer(answer, **flags)
    return any(given == normalise_answer(a, **flags) for a in accepted if a.strip())


def _share(item: Item, share: Decimal, parts: list[Part], *, correct: bool) -> Graded:
    """Return a result worth a share (0–1) of the item's points."""
    return Graded(_cents(item.points * share), item.points, correct, parts)


def _ratio(right: int, count: int) -> Decimal:
    """Return right / count as an exact-enough Decimal share."""
    return Decimal(right) / Decimal(count) if count else Decimal(0)


def grade(item: Item, response: Response, *, partial_multiple: bool = False) -> Graded:
    """Return the points an answer earns; `partial_multiple` gives partial credit on multiple response."""
    problems = check(item)
    if problems:
        raise Invalid(NOT_GRADABLE, problem=problems[0])
    if response.type != item.type:
        raise Invalid(BAD_SHAPE)
    kind, value = item.type, response.value
    if kind == QType.essay:
        return Graded(Decimal("0.00"), item.points, None, [])
    if kind in (QType.single, QType.true_false):
        right = value is not None and item.choices[value].correct
        parts = [] if value is None else [Part(value, right)]
        return _share(item, Decimal(right), parts, correct=right)
    if kind == QType.multiple:
        chosen = value or frozenset()
        parts = [Part(i, (i in chosen) == c.correct) for i, c in enumerate(item.choices)]
        keys = {i for i, c in enumerate(item.choices) if c.correct}
        exact = chosen == keys
        if not partial_multiple:
            return _share(item, Decimal(exact), parts, correct=exact)
        net = len(chosen & keys) - len(chosen - keys)
        return _share(item, max(_ratio(net, len(keys)), Decimal(0)), parts, correct=exact)
    if kind == QType.tf_group:
        values = value or (None,) * len(item.statements)
        parts = [Part(i, v is not None and v == s.true) for i, (s, v) in enumerate(zip(item.statements, values, strict=True))]
        right = sum(bool(p.correct) for p in parts)
        return _share(item, TF_GROUP_SHARES[right], parts, correct=right == len(parts))
    if kind == QType.numeric:
        right = value is not None and any(abs(value - k.value) <= abs(k.tolerance) for k in item.numeric)
        return _share(item, Decimal(right), [], correct=right)
    if kind == QType.short_text:
        right = value is not None and _matches(value, item.accepted, item)
        return _share(item, Decimal(right), [], correct=right)
    if kind == QType.matching:
        values = value or (None,) * len(item.pairs)
        parts = [Part(i, v is not None and item.pairs[v].right == p.right) for i, (p, v) in enumerate(zip(item.pairs, values, strict=True))]
        right = sum(bool(p.correct) for p in parts)
        return _share(item, _ratio(right, len(parts)), parts, correct=right == len(parts))
    if kind == QType.ordering:
        parts = [] if value is None else [Part(i, item.order[v] == item.order[i]) for i, v in enumerate(value)]
        right = sum(bool(p.correct) for p in parts)
        return _share(item, _ratio(right, len(item.order)), parts, correct=right == len(item.order))
    if kind == QType.cloze:
        values = value or (None,) * len(item.blanks)
        parts = []
        for i, (blank, v) in enumerate(zip(item.blanks, values, strict=True)):
            if v is None:
                ok = False
            elif blank.options:
                ok = blank.options[v] == blank.options[0]
            else:
                ok = _matches(v, blank.accepted, item)
            parts.append(Part(i, ok))
        right = sum(bool(p.correct) for p in parts)
        return _share(item, _ratio(right, len(parts)), parts, correct=right == len(parts))
    raise Invalid(BAD_SHAPE)


def grade_essay(item: Item, rubric_points: list[Decimal]) -> Graded:
    """Return an essay's result from the teacher's points per rubric criterion, scaled to the item's points.

    With no rubric, `rubric_points` holds one value: the points out of the item's points.
    """
    if item.type != QType.essay:
        raise Invalid(BAD_SHAPE)
    given = [parse_number(p) for p in rubric_points]
    if not item.rubric:
        if len(given) != 1:
            raise Invalid(RUBRIC_COUNT, count=1)
        if not Decimal(0) <= given[0] <= item.points:
            raise Invalid(ESSAY_POINTS, max=str(item.points))
        points = _cents(given[0])
        return Graded(points, item.points, points == item.points, [])
    if len(given) != len(item.rubric):
        raise Invalid(RUBRIC_COUNT, count=len(item.rubric))
    for number, (criterion, value) in enumerate(zip(item.rubric, given, strict=True), start=1):
        if not Decimal(0) <= value <= criterion.points:
            raise Invalid(RUBRIC_POINTS, number=number, max=str(criterion.points))
    parts = [Part(i, v == c.points, v) for i, (c, v) in enumerate(zip(item.rubric, given, strict=True))]
    full = sum((c.points for c in item.rubric), Decimal(0))
    earned = sum(given, Decimal(0))
    points = _cents(item.points * earned / full) if full else Decimal("0.00")
    return Graded(points, item.points, earned == full, parts)


def score_out_of_10(total: Decimal, max_total: Decimal) -> Decimal:
    """Return a total as a gradebook score out of 10, one decimal, half-up (7.25 → 7.3)."""
    if max_total <= 0 or not Decimal(0) <= total <= max_total:
        raise Invalid(BAD_TOTAL)
    return (Decimal(total) * 10 / Decimal(max_total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
