"""The Vietnamese assessment rules as pure functions, no database: Thông tư 22/2021/TT-BGDĐT for lower
and upper secondary (scores, averages, comment-assessed subjects, learning and conduct levels) and
Thông tư 27/2020/TT-BGDĐT for primary (subject levels, periodic tests, the year's result).

Scores are Decimals with one decimal place; every average is computed exactly (fractions) and rounded
half up to one decimal, as a teacher does by hand (5.25 → 5.3), never with float banker's rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from lms_core.errors import Invalid
from lms_core.i18n import N_
from lms_core.text import nfc

ScoreInput = Decimal | int | float | str

NOT_A_SCORE = N_("“{value}” is not a score: write a number from 0 to 10, such as 7 or 8.5.")
SCORE_OUT_OF_RANGE = N_("A score must be between 0 and 10; {value} is not.")
SCORE_TOO_PRECISE = N_("A score has at most one decimal, such as 8.5; {value} has more.")
BAD_PERIODS = N_("The number of periods per year must be a whole number from 1 to 1000; {value} is not.")
BAD_REQUIRED = N_("The number of regular assessments per term must be from 1 to 5; {value} is not.")
MISSING_MIDTERM = N_("The mid-term assessment (ĐĐGgk) is missing.")
MISSING_FINAL = N_("The end-of-term assessment (ĐĐGck) is missing.")
MISSING_REGULAR = N_("Only {count} of the {required} regular assessments (ĐĐGtx) are recorded.")
TOO_MANY_REGULAR = N_("This subject takes {required} regular assessments (ĐĐGtx) per term; {count} were given.")
MISSING_TERM_AVERAGE = N_("The average of term {term} is missing.")
NOT_A_COMMENT = N_("“{value}” is not an assessment by comment: write Đ (Đạt) or CĐ (Chưa đạt).")
MISSING_TERM_RESULT = N_("The result of the second term is missing.")
NO_SCORED_SUBJECTS = N_("A learning result needs the averages of the subjects assessed by score.")
NOT_A_LEVEL = N_("“{value}” is not a level: write Tốt, Khá, Đạt or Chưa đạt.")
NOT_A_TEST_SCORE = N_("A periodic test score is a whole number from 0 to 10; “{value}” is not.")
NOT_A_PRIMARY_LEVEL = N_("“{value}” is not a level: write T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành).")
NOT_A_QUALITY_LEVEL = N_("“{value}” is not a level: write T (Tốt), Đ (Đạt) or C (Cần cố gắng).")
BAD_GRADE = N_("A primary grade is from 1 to 5; {value} is not.")
NO_TEST_FOR_SUBJECT = N_("The subject {subject} has no end-of-year periodic test in grade {grade}.")
MISSING_TEST = N_("The end-of-year periodic test score of {subject} is missing.")
NO_SUBJECTS = N_("The year's result needs the levels of the subjects and of the qualities and competences.")

MAX_SCORE = Decimal(10)


class Incomplete(Invalid):
    """A result cannot be computed yet because an assessment it needs is not recorded."""

    code = "incomplete"


def _round_half_up(value: Fraction) -> Decimal:
    """Return a non-negative exact value rounded half up to one decimal (5.25 → 5.3)."""
    return Decimal(math.floor(value * 10 + Fraction(1, 2))).scaleb(-1)


def round_half_up(value: Decimal | Fraction | int) -> Decimal:
    """Return a score-like value (0 or more) rounded half up to one decimal, as Thông tư 22 Điều 9 asks."""
    return _round_half_up(Fraction(value))


def score(value: ScoreInput) -> Decimal:
    """Return a score checked against Thông tư 22 Điều 5 khoản 3 điểm b: 0–10, at most one decimal.

    Text may use the Vietnamese decimal comma ("8,5"); the result always has one decimal place (8 → 8.0).
    """
    if isinstance(value, bool):
        raise Invalid(NOT_A_SCORE, value=str(value))
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Invalid(NOT_A_SCORE, value=str(value)) from None
    if not number.is_finite():
        raise Invalid(NOT_A_SCORE, value=str(value))
    if number < 0 or number > MAX_SCORE:
        raise Invalid(SCORE_OUT_OF_RANGE, value=str(value))
    rounded = number.quantize(Decimal("0.1"))
    if rounded != number:
        raise Invalid(SCORE_TOO_PRECISE, value=str(value))
    return rounded


def required_regular_count(*, periods_per_year: int, comment_assessed: bool = False, study_topics: bool = False) -> int:
    """Return how many regular assessments (ĐĐGtx) a subject takes per term (Thông tư 22 Điều 6 khoản 2).

    Comment-assessed subjects take 2 (điểm a). Scored subjects (điểm b): 35 periods a year → 2, more than
    35 up to 70 → 3, more than 70 → 4; the circular names 35 as the smallest load, so fewer periods also
    give 2. With `study_topics`, an upper-secondary subject whose cluster of study topics (cụm chuyên đề
    học tập) is assessed once a term counts that result as one more ĐĐGtx (điểm c): recalled from the
    circular, not confirmed against its text here.
    """
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int) or not 1 <= periods_per_year <= 1000:
        raise Invalid(BAD_PERIODS, value=str(periods_per_year))
    if comment_assessed:
        count = 2
    elif periods_per_year <= 35:
        count = 2
    elif periods_per_year <= 70:
        count = 3
    else:
        count = 4
    return count + (1 if study_topics else 0)


def _check_required(required: int) -> None:
    if isinstance(required, bool) or not isinstance(required, int) or not 1 <= required <= 5:
        raise Invalid(BAD_REQUIRED, value=str(required))


def _present(values: Iterable[object | None]) -> list[object]:
    return [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]


def _check_regular_count(count: int, required: int) -> None:
    if count > required:
        raise Invalid(TOO_MANY_REGULAR, required=required, count=count)
    if count < required:
        raise Incomplete(MISSING_REGULAR, required=required, count=count)


def term_average(
    *, regular: Sequence[ScoreInput | None], midterm: ScoreInput | None, final: ScoreInput | None, required_regular: int
) -> Decimal:
    """Return ĐTBmhk = (sum of ĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (number of ĐĐGtx + 5), rounded half up
    (Thông tư 22 Điều 9 khoản 1 điểm b).

    Bad scores raise Invalid first. The average exists only when the term's assessments are all recorded:
    `required_regular` ĐĐGtx (see required_regular_count), one ĐĐGgk and one ĐĐGck (Điều 7); otherwise
    Incomplete says what is missing (None or blank marks an empty slot). An assessment a student missed
    and did not make up is entered by the teacher as 0, following the circular's make-up provision
    (recalled; its article and wording were not confirmed here), not left empty.
    """
    _check_required(required_regular)
    tx = [score(v) for v in _present(regular)]  # type: ignore[arg-type]
    mid = score(midterm) if _present([midterm]) else None  # type: ignore[arg-type]
    end = score(final) if _present([final]) else None  # type: ignore[arg-type]
    _check_regular_count(len(tx), required_regular)
    if mid is None:
        raise Incomplete(MISSING_MIDTERM)
    if end is None:
        raise Incomplete(MISSING_FINAL)
    total = sum((Fraction(v) for v in tx), Fraction(0)) + 2 * Fraction(mid) + 3 * Fraction(end)
    return _round_half_up(total / (len(tx) + 5))


def year_average(*, first_term: ScoreInput | None, second_term: ScoreInput | None) -> Decimal:
    """Return ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3 from the rounded term averages, rounded half up
    (Thông tư 22 Điều 9 khoản 1 điểm b)."""
    first = score(first_term) if _present([first_term]) else None  # type: ignore[arg-type]
    second = score(second_term) if _present([second_term]) else None  # type: ignore[arg-type]
    if first is None:
        raise Incomplete(MISSING_TERM_AVERAGE, term=1)
    if second is None:
        raise Incomplete(MISSING_TERM_AVERAGE, term=2)
    return _round_half_up((Fraction(first) + 2 * Fraction(second)) / 3)


# Thông tư 22 Điều 5 khoản 3 điểm a: subjects assessed by comment only (codes of lms_core/org/data/subjects.csv).
COMMENT_ASSESSED_SUBJECTS = frozenset({"GDTC", "NT", "AN", "MT", "GDDP", "HDTNHN"})


class Comment(StrEnum):
    """An assessment by comment (Thông tư 22 Điều 5 khoản 3 điểm a): Đạt or Chưa đạt."""

    PASS = "Đ"
    FAIL = "CĐ"

    @property
    def vi(self) -> str:
        """Return the level's name as the circular writes it."""
        return "Đạt" if self is Comment.PASS else "Chưa đạt"


COMMENT_LABELS = {Comment.PASS: N_("Passed"), Comment.FAIL: N_("Not yet passed")}
_COMMENT_WORDS = {"đ": Comment.PASS, "đạt": Comment.PASS, "cđ": Comment.FAIL, "chưa đạt": Comment.FAIL}


def comment(value: Comment | str) -> Comment:
    """Return an assessment by comment from Đ/CĐ or Đạt/Chưa đạt, in any case and Unicode form."""
    if isinstance(value, Comment):
        return value
    found = _COMMENT_WORDS.get(" ".join(nfc(str(value)).lower().split()))
    if found is None:
        raise Invalid(NOT_A_COMMENT, value=str(value))
    return found


def comment_term_result(
    *, regular: Sequence[Comment | str | None], midterm: Comment | str | None, final: Comment | str | None,
    required_regular: int = 2,
) -> Comment:
    """Return a comment-assessed subject's term result (Thông tư 22 Điều 9 khoản 1 điểm a): Đạt when the
    required assessments are all recorded (2 regular, Điều 6 khoản 2 điểm a; one mid-term and one
    end-of-term, Điều 7) and every one is Đạt; Chưa đạt otherwise. Incomplete while one is not recorded."""
    _check_required(required_regular)
    tx = [comment(v) for v in _present(regular)]  # type: ignore[arg-type]
    mid = comment(midterm) if _present([midterm]) else None  # type: ignore[arg-type]
    end = comment(final) if _present([final]) else None  # type: ignore[arg-type]
    _check_regular_count(len(tx), required_regular)
    if mid is None:
        raise Incomplete(MISSING_MIDTERM)
    if end is None:
        raise Incomplete(MISSING_FINAL)
    return Comment.PASS if all(c is Comment.PASS for c in [*tx, mid, end]) else Comment.FAIL


def comment_year_result(*, second_term: Comment | str | None) -> Comment:
    """Return a comment-assessed subject's year result: the second term's result (Thông tư 22 Điều 9 khoản 1 điểm a)."""
    if not _present([second_term]):
        raise Incomplete(MISSING_TERM_RESULT)
    return comment(second_term)  # type: ignore[arg-type]


class Level(StrEnum):
    """A learning or conduct result of a term or year (Thông tư 22 Điều 8, Điều 9 khoản 2), best first."""

    GOOD = "good"
    FAIR = "fair"
    PASS = "pass"
    FAIL = "fail"

    @property
    def vi(self) -> str:
        """Return the level's name as the circular writes it."""
        return {"good": "Tốt", "fair": "Khá", "pass": "Đạt", "fail": "Chưa đạt"}[self.value]

    @property
    def rank(self) -> int:
        """Return 0 for Tốt down to 3 for Chưa đạt."""
        return list(Level).index(self)


LEVEL_LABELS = {Level.GOOD: N_("Good"), Level.FAIR: N_("Fair"), Level.PASS: N_("Pass"), Level.FAIL: N_("Not yet passed")}
_LEVEL_WORDS = {"tốt": Level.GOOD, "khá": Level.FAIR, "đạt": Level.PASS, "chưa đạt": Level.FAIL}


def level(value: Level | str) -> Level:
    """Return a level from its code (good, fair, pass, fail) or its Vietnamese name (Tốt, Khá, Đạt, Chưa đạt)."""
    if isinstance(value, Level):
        return value
    key = " ".join(nfc(str(value)).lower().split())
    found = _LEVEL_WORDS.get(key) or next((lv for lv in Level if lv.value == key), None)
    if found is None:
        raise Invalid(NOT_A_LEVEL, value=str(value))
    return found


@dataclass(frozen=True)
class LearningResult:
    """A student's learning result: the level, the level the thresholds alone give, and the subject whose
    single result was lifted over by Thông tư 22 Điều 9 khoản 3 (None when no adjustment applied)."""

    level: Level
    unadjusted: Level
    lifted_for: str | None = None


def _classify(scores: Sequence[Decimal], fails: int) -> Level:
    """Return the level of Thông tư 22 Điều 9 khoản 2 from subject averages and the count of Chưa đạt."""
    low = min(scores) if scores else None

    def at_least(threshold: str) -> int:
        return sum(1 for s in scores if s >= Decimal(threshold))

    if fails == 0 and low is not None and low >= Decimal("6.5") and at_least("8.0") >= 6:
        return Level.GOOD
    if fails == 0 and low is not None and low >= Decimal("5.0") and at_least("6.5") >= 6:
        return Level.FAIR
    if fails <= 1 and at_least("5.0") >= 6 and (low is None or low >= Decimal("3.5")):
        return Level.PASS
    return Level.FAIL


def learning_result(*, scored: Mapping[str, ScoreInput], commented: Mapping[str, Comment | str]) -> LearningResult:
    """Return a student's term or year learning result (Thông tư 22 Điều 9 khoản 2, 3).

    `scored` maps each score-assessed subject to its ĐTBmhk (for a term) or ĐTBmcn (for the year);
    `commented` maps each comment-assessed subject to its result. Khoản 2: Tốt — every comment subject
    Đạt, every average ≥ 6.5 and at least 6 subjects ≥ 8.0; Khá — every comment subject Đạt, every
    average ≥ 5.0 and at least 6 ≥ 6.5; Đạt — at most one comment subject Chưa đạt, at least 6 averages
    ≥ 5.0 and none below 3.5; Chưa đạt otherwise (so fewer than 6 scored subjects can only give Chưa đạt).
    Khoản 3: when the level falls two or more levels below Tốt or Khá because of one subject alone, it is
    lifted to the next level up. Read here as: leaving that one subject out gives Tốt or Khá, at least
    two levels above the thresholds' level — the reading of the examples circulated to schools, which
    this module could not check against an official guidance text. Exempted subjects are left out by
    the caller.
    """
    scores = {code: score(v) for code, v in scored.items()}
    comments = {code: comment(v) for code, v in commented.items()}
    if not scores:
        raise Invalid(NO_SCORED_SUBJECTS)

    def classify(skip: str | None = None) -> Level:
        kept = [v for code, v in scores.items() if code != skip]
        fails = sum(1 for code, c in comments.items() if code != skip and c is Comment.FAIL)
        return _classify(kept, fails)

    unadjusted = classify()
    if unadjusted in (Level.PASS, Level.FAIL):
        for code in [*scores, *comments]:
            without = classify(skip=code)
            if without in (Level.GOOD, Level.FAIR) and unadjusted.rank - without.rank >= 2:
                return LearningResult(list(Level)[unadjusted.rank - 1], unadjusted, code)
    return LearningResult(unadjusted, unadjusted)


def year_conduct(*, first_term: Level | str, second_term: Level | str) -> Level:
    """Return the year's conduct (rèn luyện) result from the two terms' (Thông tư 22 Điều 8 khoản 2 điểm b).

    Tốt: II Tốt and I Khá or better. Khá: II Khá and I Đạt or better; II Đạt and I Tốt; II Tốt and I Đạt
    or Chưa đạt. Đạt: II Đạt and I Khá, Đạt or Chưa đạt; II Khá and I Chưa đạt. Chưa đạt otherwise.
    """
    one, two = level(first_term), level(second_term)
    if two is Level.GOOD:
        return Level.GOOD if one in (Level.GOOD, Level.FAIR) else Level.FAIR
    if two is Level.FAIR:
        return Level.PASS if one is Level.FAIL else Level.FAIR
    if two is Level.PASS:
        return Level.FAIR if one is Level.GOOD else Level.PASS
    return Level.FAIL


# ---- Primary: Thông tư 27/2020/TT-BGDĐT ---------------------------------------------------------


class SubjectLevel(StrEnum):
    """A primary subject's or activity's periodic level (Thông tư 27 Điều 7 khoản 1 điểm a)."""

    GOOD = "T"
    DONE = "H"
    NOT_DONE = "C"

    @property
    def vi(self) -> str:
        """Return the level's name as the circular writes it."""
        return {"T": "Hoàn thành tốt", "H": "Hoàn thành", "C": "Chưa hoàn thành"}[self.value]


class QualityLevel(StrEnum):
    """A primary periodic level of a quality or competence (Thông tư 27 Điều 7 khoản 2)."""

    GOOD = "T"
    PASS = "Đ"
    NEEDS_EFFORT = "C"

    @property
    def vi(self) -> str:
        """Return the level's name as the circular writes it."""
        return {"T": "Tốt", "Đ": "Đạt", "C": "Cần cố gắng"}[self.value]


class PrimaryResult(StrEnum):
    """A primary student's year result (Thông tư 27 Điều 9 khoản 2 điểm a), best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    DONE = "done"
    NOT_DONE = "not_done"

    @property
    def vi(self) -> str:
        """Return the level's name as the circular writes it."""
        return {"excellent": "Hoàn thành xuất sắc", "good": "Hoàn thành tốt", "done": "Hoàn thành",
                "not_done": "Chưa hoàn thành"}[self.value]


SUBJECT_LEVEL_LABELS = {SubjectLevel.GOOD: N_("Completed well"), SubjectLevel.DONE: N_("Completed"),
                        SubjectLevel.NOT_DONE: N_("Not yet completed")}
QUALITY_LEVEL_LABELS = {QualityLevel.GOOD: N_("Good"), QualityLevel.PASS: N_("Pass"),
                        QualityLevel.NEEDS_EFFORT: N_("Needs more effort")}
PRIMARY_RESULT_LABELS = {PrimaryResult.EXCELLENT: N_("Completed with excellence"),
                         PrimaryResult.GOOD: N_("Completed well"), PrimaryResult.DONE: N_("Completed"),
                         PrimaryResult.NOT_DONE: N_("Not yet completed")}


def _enum_from(kind: type[StrEnum], value: object, message: str) -> StrEnum:
    if isinstance(value, kind):
        return value
    key = " ".join(nfc(str(value)).split())
    for member in kind:  # a code (T, H, Đ...) or the Vietnamese name, in any case
        if key.upper() == member.value.upper() or key.lower() == member.vi.lower():  # type: ignore[attr-defined]
            return member
    raise Invalid(message, value=str(value))


def subject_level(value: SubjectLevel | str) -> SubjectLevel:
    """Return a primary subject level from T/H/C or its name (Hoàn thành tốt, Hoàn thành, Chưa hoàn thành)."""
    return _enum_from(SubjectLevel, value, NOT_A_PRIMARY_LEVEL)  # type: ignore[return-value]


def quality_level(value: QualityLevel | str) -> QualityLevel:
    """Return a primary quality/competence level from T/Đ/C or its name (Tốt, Đạt, Cần cố gắng)."""
    return _enum_from(QualityLevel, value, NOT_A_QUALITY_LEVEL)  # type: ignore[return-value]


def periodic_test_score(value: int | str | Decimal) -> int:
    """Return a primary periodic test score: a whole number on the 10-point scale, no decimals
    (Thông tư 27 Điều 7 khoản 1 điểm d). 0 is allowed: the circular dropped the former "no 0" rule."""
    if isinstance(value, bool):
        raise Invalid(NOT_A_TEST_SCORE, value=str(value))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(NOT_A_TEST_SCORE, value=str(value)) from None
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 10:
        raise Invalid(NOT_A_TEST_SCORE, value=str(value))
    return int(number)


class PeriodicTest(StrEnum):
    """When a primary periodic test is taken (Thông tư 27 Điều 7 khoản 1 điểm b)."""

    MID_TERM_1 = "mid_term_1"
    END_TERM_1 = "end_term_1"
    MID_TERM_2 = "mid_term_2"
    END_OF_YEAR = "end_of_year"


# Thông tư 27 Điều 7 khoản 1 điểm b: the compulsory subjects with periodic tests, mapped to the first grade
# in which the 2018 programme (Thông tư 32/2018) makes them compulsory; Tiếng Việt and Toán also have
# mid-term tests in grades 4 and 5.
PERIODIC_TEST_SUBJECTS = {"TV": 1, "TOAN": 1, "NN1": 3, "THCN": 3, "LSDL": 4, "KH": 4}
MID_TERM_TEST_SUBJECTS = frozenset({"TV", "TOAN"})


def periodic_tests(*, subject_code: str, grade: int) -> tuple[PeriodicTest, ...]:
    """Return the periodic tests a primary subject takes in a grade (Thông tư 27 Điều 7 khoản 1 điểm b):
    end of term I and end of year for the tested compulsory subjects, plus mid-term I and II for Tiếng
    Việt and Toán in grades 4 and 5; none for the others (an optional Ngoại ngữ 1 in grades 1–2 included)."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 5:
        raise Invalid(BAD_GRADE, value=str(grade))
    first = PERIODIC_TEST_SUBJECTS.get(subject_code)
    if first is None or grade < first:
        return ()
    if subject_code in MID_TERM_TEST_SUBJECTS and grade >= 4:
        return (PeriodicTest.MID_TERM_1, PeriodicTest.END_TERM_1, PeriodicTest.MID_TERM_2, PeriodicTest.END_OF_YEAR)
    return (PeriodicTest.END_TERM_1, PeriodicTest.END_OF_YEAR)


def primary_year_result(
    *, grade: int, subjects: Mapping[str, SubjectLevel | str], qualities: Mapping[str, QualityLevel | str],
    year_end_tests: Mapping[str, int | str],
) -> PrimaryResult:
    """Return a primary student's year result (Thông tư 27 Điều 9 khoản 2 điểm a).

    Hoàn thành xuất sắc: every subject and activity Hoàn thành tốt, every quality and competence Tốt,
    every end-of-year periodic test ≥ 9. Hoàn thành tốt: the same with tests ≥ 7. Hoàn thành: subjects
    Hoàn thành tốt or Hoàn thành, qualities Tốt or Đạt, tests ≥ 5. Chưa hoàn thành otherwise. The first
    two tiers were checked against published quotations of the article; the Hoàn thành tier is recalled
    from the circular and was not confirmed against its text here. Incomplete while a subject that takes
    an end-of-year test (periodic_tests) has no score.
    """
    levels = {code: subject_level(v) for code, v in subjects.items()}
    quals = [quality_level(v) for v in qualities.values()]
    if not levels or not quals:
        raise Invalid(NO_SUBJECTS)
    tests: dict[str, int] = {}
    for code, value in year_end_tests.items():
        if PeriodicTest.END_OF_YEAR not in periodic_tests(subject_code=code, grade=grade):
            raise Invalid(NO_TEST_FOR_SUBJECT, subject=code, grade=grade)
        tests[code] = periodic_test_score(value)
    for code in levels:
        if PeriodicTest.END_OF_YEAR in periodic_tests(subject_code=code, grade=grade) and code not in tests:
            raise Incomplete(MISSING_TEST, subject=code)
    lowest_test = min(tests.values(), default=10)
    all_good = all(lv is SubjectLevel.GOOD for lv in levels.values()) and all(q is QualityLevel.GOOD for q in quals)
    if all_good and lowest_test >= 9:
        return PrimaryResult.EXCELLENT
    if all_good and lowest_test >= 7:
        return PrimaryResult.GOOD
    if (all(lv is not SubjectLevel.NOT_DONE for lv in levels.values())
            and all(q is not QualityLevel.NEEDS_EFFORT for q in quals) and lowest_test >= 5):
        return PrimaryResult.DONE
    return PrimaryResult.NOT_DONE
