"""Thông tư 22 scores and averages: the 0–10 scale with one decimal, ĐTBmhk and ĐTBmcn computed by the
circular's formulas and rounded half up, and the number of ĐĐGtx a subject needs per term."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.gradebook.rules import Incomplete


def test_a_score_keeps_one_decimal_and_accepts_the_vietnamese_comma() -> None:
    assert rules.score("8,5") == Decimal("8.5")
    assert rules.score(7) == Decimal("7.0")
    assert rules.score(Decimal("9.50")) == Decimal("9.5")
    assert rules.score(0) == Decimal("0.0") and rules.score("10") == Decimal("10.0")
    assert rules.score(6.1) == Decimal("6.1")  # a float is read as written, not as its binary value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.5", rules.SCORE_OUT_OF_RANGE),
        (-1, rules.SCORE_OUT_OF_RANGE),
        (Decimal("10.1"), rules.SCORE_OUT_OF_RANGE),
        ("8.25", rules.SCORE_TOO_PRECISE),
        ("7,75", rules.SCORE_TOO_PRECISE),
        ("tám", rules.NOT_A_SCORE),
        ("", rules.NOT_A_SCORE),
        ("NaN", rules.NOT_A_SCORE),
        (True, rules.NOT_A_SCORE),
    ],
)
def test_a_score_outside_the_scale_is_refused_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        rules.score(value)  # type: ignore[arg-type]
    assert refused.value.message == message
    assert refused.value.params["value"] == str(value)
    assert "0" in message and "10" in message or "decimal" in message


def test_term_average_follows_the_circulars_formula() -> None:
    # ĐĐGtx 8 + 7.5 + 9 + 6 = 30.5; 2 × 7 = 14; 3 × 8 = 24; (30.5 + 14 + 24) / (4 + 5) = 68.5 / 9 = 7.61… → 7.6
    average = rules.term_average(regular=["8", "7,5", 9, 6], midterm=7, final=8, required_regular=4)
    assert average == Decimal("7.6")
    # ĐĐGtx 9 + 10 = 19; 2 × 8.5 = 17; 3 × 9.5 = 28.5; (19 + 17 + 28.5) / 7 = 64.5 / 7 = 9.214… → 9.2
    assert rules.term_average(regular=[9, 10], midterm="8.5", final="9.5", required_regular=2) == Decimal("9.2")


def test_term_average_rounds_half_up_where_float_rounding_would_go_down() -> None:
    # (6 + 6 + 6) + 2 × 6 + 3 × 4 = 18 + 12 + 12 = 42; 42 / (3 + 5) = 5.25 exactly → 5.3 (half up)
    average = rules.term_average(regular=[6, 6, 6], midterm=6, final=4, required_regular=3)
    assert average == Decimal("5.3")
    assert round(42 / 8, 1) == 5.2  # what Python's round() would have written in the sổ điểm
    # (6 + 6 + 6.2) + 2 × 6.5 + 3 × 6.8 = 18.2 + 13 + 20.4 = 51.6; 51.6 / 8 = 6.45 exactly → 6.5, the Tốt threshold
    assert rules.term_average(regular=[6, 6, "6.2"], midterm="6.5", final="6.8", required_regular=3) == Decimal("6.5")
    # (5 + 5 + 5) + 2 × 5 + 3 × 5.1 = 15 + 10 + 15.3 = 40.3; 40.3 / 8 = 5.0375 → 5.0 (below half stays down)
    assert rules.term_average(regular=[5, 5, 5], midterm=5, final="5.1", required_regular=3) == Decimal("5.0")


def test_round_half_up_on_its_own() -> None:
    assert rules.round_half_up(Decimal("5.25")) == Decimal("5.3")
    assert rules.round_half_up(Decimal("5.249")) == Decimal("5.2")
    assert rules.round_half_up(Decimal("9.95")) == Decimal("10.0")


def test_year_average_weights_the_second_term_twice() -> None:
    # (6.5 + 2 × 7.0) / 3 = 20.5 / 3 = 6.83… → 6.8
    assert rules.year_average(first_term="6.5", second_term=7) == Decimal("6.8")
    # (7.9 + 2 × 8.0) / 3 = 23.9 / 3 = 7.966… → 8.0
    assert rules.year_average(first_term="7.9", second_term="8.0") == Decimal("8.0")
    # (8.0 + 2 × 7.9) / 3 = 23.8 / 3 = 7.933… → 7.9: the order of the terms matters
    assert rules.year_average(first_term="8.0", second_term="7.9") == Decimal("7.9")


def test_year_average_needs_both_terms() -> None:
    with pytest.raises(Incomplete) as missing:
        rules.year_average(first_term=None, second_term="7.0")
    assert missing.value.message == rules.MISSING_TERM_AVERAGE and missing.value.params == {"term": 1}
    with pytest.raises(Incomplete) as missing:
        rules.year_average(first_term="7.0", second_term="")
    assert missing.value.params == {"term": 2}
    with pytest.raises(Invalid) as refused:
        rules.year_average(first_term="7.0", second_term="10.2")
    assert not isinstance(refused.value, Incomplete)


def test_term_average_waits_for_the_mid_term_and_the_end_of_term() -> None:
    with pytest.raises(Incomplete) as missing:
        rules.term_average(regular=[8, 7, 9], midterm=None, final=8, required_regular=3)
    assert missing.value.message == rules.MISSING_MIDTERM
    assert missing.value.code == "incomplete" and missing.value.status_code == 422
    with pytest.raises(Incomplete) as missing:
        rules.term_average(regular=[8, 7, 9], midterm=6, final="  ", required_regular=3)
    assert missing.value.message == rules.MISSING_FINAL


def test_term_average_needs_exactly_the_required_regular_assessments() -> None:
    with pytest.raises(Incomplete) as missing:
        rules.term_average(regular=[8, None, 9, None], midterm=7, final=8, required_regular=4)
    assert missing.value.message == rules.MISSING_REGULAR
    assert missing.value.params == {"required": 4, "count": 2}
    with pytest.raises(Invalid) as refused:
        rules.term_average(regular=[8, 7, 9, 6, 5], midterm=7, final=8, required_regular=4)
    assert refused.value.message == rules.TOO_MANY_REGULAR and not isinstance(refused.value, Incomplete)
    assert refused.value.params == {"required": 4, "count": 5}


def test_a_bad_score_is_reported_before_a_missing_one_and_the_input_is_left_alone() -> None:
    regular = ["8", "11", None]
    with pytest.raises(Invalid) as refused:
        rules.term_average(regular=regular, midterm=None, final=None, required_regular=3)
    assert refused.value.message == rules.SCORE_OUT_OF_RANGE and refused.value.params == {"value": "11"}
    assert regular == ["8", "11", None]


@pytest.mark.parametrize(
    ("periods", "comment_assessed", "study_topics", "expected"),
    [
        (35, False, False, 2),
        (36, False, False, 3),
        (52, False, False, 3),
        (70, False, False, 3),
        (71, False, False, 4),
        (140, False, False, 4),
        (105, True, False, 2),
        (70, False, True, 4),
        (105, False, True, 5),
    ],
)
def test_regular_assessments_per_term_follow_the_periods_per_year(
    periods: int, comment_assessed: bool, study_topics: bool, expected: int
) -> None:
    count = rules.required_regular_count(
        periods_per_year=periods, comment_assessed=comment_assessed, study_topics=study_topics
    )
    assert count == expected


@pytest.mark.parametrize("periods", [0, -35, 1001, True])
def test_an_impossible_number_of_periods_is_refused(periods: int) -> None:
    with pytest.raises(Invalid) as refused:
        rules.required_regular_count(periods_per_year=periods)
    assert refused.value.message == rules.BAD_PERIODS


def test_an_impossible_required_count_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        rules.term_average(regular=[], midterm=7, final=8, required_regular=0)
    assert refused.value.message == rules.BAD_REQUIRED
