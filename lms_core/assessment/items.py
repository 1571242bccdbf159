"""Questions as plain data: what importers produce, exporters read, the bank stores and the grader scores.

Text fields hold Markdown with LaTeX maths between $…$ (inline) or $$…$$ (display); images are Markdown images.
`check(item)` returns what is wrong with a question in the teacher's words (msgids), empty when it is sound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lms_core.i18n import N_


class QType(StrEnum):
    """The kinds of question the bank holds."""

    single = "single"              # one correct option
    multiple = "multiple"          # several correct options
    true_false = "true_false"      # one statement, true or false
    tf_group = "tf_group"          # "đúng/sai" of the 2025 national exam: a stem, four statements a–d
    numeric = "numeric"            # "trả lời ngắn": a number, with a tolerance
    short_text = "short_text"      # a short text, one of the accepted answers
    matching = "matching"          # pair each left item with a right item
    ordering = "ordering"          # put items in order
    cloze = "cloze"                # blanks in a text: {1}, {2} … each with accepted answers or options
    essay = "essay"                # written answer, graded by the teacher with a rubric


TYPE_LABELS = {
    QType.single: N_("Single choice"),
    QType.multiple: N_("Multiple response"),
    QType.true_false: N_("True or false"),
    QType.tf_group: N_("True/false group (a–d)"),
    QType.numeric: N_("Short numeric answer"),
    QType.short_text: N_("Short text answer"),
    QType.matching: N_("Matching"),
    QType.ordering: N_("Ordering"),
    QType.cloze: N_("Fill in the blanks"),
    QType.essay: N_("Essay"),
}


class Level(StrEnum):
    """Cognitive levels of a Vietnamese blueprint (ma trận đề)."""

    recognise = "nhan_biet"
    understand = "thong_hieu"
    apply = "van_dung"
    apply_high = "van_dung_cao"


LEVEL_LABELS = {
    Level.recognise: N_("Recognition"),
    Level.understand: N_("Understanding"),
    Level.apply: N_("Application"),
    Level.apply_high: N_("High application"),
}


@dataclass
class Choice:
    """An option of a choice question, whether it is correct, and what a student who picks it is told."""

    text: str
    correct: bool = False
    feedback: str = ""


@dataclass
class TFStatement:
    """One statement (a, b, c or d) of a true/false group, and whether it is true."""

    text: str
    true: bool


@dataclass
class NumericKey:
    """A numeric answer accepted within ± tolerance."""

    value: Decimal
    tolerance: Decimal = Decimal(0)


@dataclass
class Pair:
    """A matching pair: the left item and the right item that goes with it."""

    left: str
    right: str


@dataclass
class Blank:
    """A blank of a cloze text ({n} in the stem): accepted answers, or options of which the first is correct."""

    accepted: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


@dataclass
class Criterion:
    """A rubric criterion of an essay and the points it carries."""

    text: str
    points: Decimal


@dataclass
class Item:
    """One question, whatever its type; only the fields of its type are used."""

    type: QType
    stem: str
    title: str = ""
    points: Decimal = Decimal(1)
    choices: list[Choice] = field(default_factory=list)          # single, multiple, true_false
    statements: list[TFStatement] = field(default_factory=list)  # tf_group
    numeric: list[NumericKey] = field(default_factory=list)      # numeric
    accepted: list[str] = field(default_factory=list)            # short_text
    case_sensitive: bool = False                                 # short_text, cloze
    accent_sensitive: bool = False                               # short_text, cloze
    pairs: list[Pair] = field(default_factory=list)              # matching
    order: list[str] = field(default_factory=list)               # ordering (the right order)
    blanks: list[Blank] = field(default_factory=list)            # cloze
    rubric: list[Criterion] = field(default_factory=list)        # essay
    general_feedback: str = ""
    tags: list[str] = field(default_factory=list)
    level: str | None = None                                     # a Level value
    difficulty: int | None = None                                # 1 (easy) … 5 (hard), as the teacher judges
    curriculum: list[str] = field(default_factory=list)          # curriculum codes (yêu cầu cần đạt) it assesses
    media: dict[str, bytes] = field(default_factory=dict)        # files the text shows (![](name)), by name


NO_STEM = N_("The question has no text.")
NO_CORRECT = N_("The question has no correct answer.")
ONE_CORRECT = N_("A single-choice question needs exactly one correct option.")
FEW_OPTIONS = N_("A choice question needs at least two options.")
FOUR_STATEMENTS = N_("A true/false group needs exactly four statements (a–d).")
FEW_PAIRS = N_("A matching question needs at least two pairs.")
FEW_ITEMS = N_("An ordering question needs at least two items.")
BLANKS_MISMATCH = N_("The blanks in the text do not match the answers given for them.")
BAD_POINTS = N_("Points must be more than 0 and at most 100.")
BAD_LEVEL = N_("This cognitive level is not known.")


def check(item: Item) -> list[str]:
    """Return what is wrong with a question (msgids), empty when it can be stored and graded."""
    problems: list[str] = []
    if not item.stem.strip() and item.type != QType.cloze:
        problems.append(NO_STEM)
    if not Decimal(0) < item.points <= Decimal(100):
        problems.append(BAD_POINTS)
    if item.level is not None and item.level not in set(Level):
        problems.append(BAD_LEVEL)
    correct = sum(c.correct for c in item.choices)
    if item.type in (QType.single, QType.multiple):
        if len(item.choices) < 2:
            problems.append(FEW_OPTIONS)
        if correct == 0:
            problems.append(NO_CORRECT)
        elif item.type == QType.single and correct != 1:
            problems.append(ONE_CORRECT)
    elif item.type == QType.true_false:
        if len(item.choices) != 2 or correct != 1:
            problems.append(NO_CORRECT)
    elif item.type == QType.tf_group:
        if len(item.statements) != 4:
            problems.append(FOUR_STATEMENTS)
    elif item.type == QType.numeric:
        if not item.numeric:
            problems.append(NO_CORRECT)
    elif item.type == QType.short_text:
        if not any(a.strip() for a in item.accepted):
            problems.append(NO_CORRECT)
    elif item.type == QType.matching:
        if len(item.pairs) < 2:
            problems.append(FEW_PAIRS)
    elif item.type == QType.ordering:
        if len(item.order) < 2:
            problems.append(FEW_ITEMS)
    elif item.type == QType.cloze:
        import re

        marks = sorted({int(n) for n in re.findall(r"\{(\d+)\}", item.stem)})
        if not item.blanks or marks != list(range(1, len(item.blanks) + 1)):
            problems.append(BLANKS_MISMATCH)
        elif any(not b.accepted and not b.options for b in item.blanks):
            problems.append(NO_CORRECT)
    return problems


@dataclass
class ParseProblem:
    """Why one question of a file could not be read: where it is (a line, a row, "Câu 5") and the msgid."""

    where: str
    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class ParseResult:
    """What an importer read from a file: the questions, the problems, and what it skipped (type not offered)."""

    items: list[Item] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    skipped: list[ParseProblem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Return whether every question was read and is sound (the import may go ahead)."""
        return not self.problems
