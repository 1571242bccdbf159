"""Thông tư 22 Điều 9 khoản 2–3 and Điều 8: a student's learning result (Tốt / Khá / Đạt / Chưa đạt)
from their subjects, the one-subject adjustment, and the year's conduct from the two terms."""

from __future__ import annotations

import pytest

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.gradebook.rules import Level

COMMENTS_PASSED = {"GDTC": "Đ", "NT": "Đ", "HDTNHN": "Đ", "GDDP": "Đ"}


def _scores(*values: str) -> dict[str, str]:
    codes = ["TOAN", "NV", "NN1", "KHTN", "LSDL", "GDCD", "CN", "TIN"]
    return dict(zip(codes, values, strict=False))


def test_six_subjects_from_8_and_none_below_6_5_is_tot() -> None:
    result = rules.learning_result(scored=_scores("8.0", "8.0", "9", "8.5", "10", "8.1", "6.5", "7"),
                                   commented=COMMENTS_PASSED)
    assert result.level is Level.GOOD and result.level.vi == "Tốt"
    assert result.unadjusted is Level.GOOD and result.lifted_for is None


def test_five_subjects_from_8_is_kha() -> None:
    result = rules.learning_result(scored=_scores("8.0", "8.0", "9", "8.5", "7.9", "7.9", "6.5", "7"),
                                   commented=COMMENTS_PASSED)
    assert result.level is Level.FAIR


def test_one_subject_at_6_4_keeps_a_strong_student_at_kha() -> None:
    # Tốt would need every average from 6.5; one level down, so no adjustment.
    result = rules.learning_result(scored=_scores("9", "9", "9", "9", "9", "9", "6.4", "9"), commented=COMMENTS_PASSED)
    assert result.level is Level.FAIR and result.lifted_for is None


def test_kha_needs_six_subjects_from_6_5_and_none_below_5() -> None:
    assert rules.learning_result(scored=_scores("6.5", "6.5", "6.5", "6.5", "6.5", "6.5", "5.0", "5.0"),
                                 commented={}).level is Level.FAIR
    assert rules.learning_result(scored=_scores("6.5", "6.5", "6.5", "6.5", "6.5", "6.4", "5.0", "5.0"),
                                 commented={}).level is Level.PASS


def test_dat_allows_one_comment_subject_not_passed_and_nothing_below_3_5() -> None:
    result = rules.learning_result(scored=_scores("5.0", "5.0", "5.0", "5.0", "5.0", "5.0", "3.5", "4"),
                                   commented={**COMMENTS_PASSED, "GDTC": "CĐ"})
    assert result.level is Level.PASS and result.lifted_for is None


def test_two_comment_subjects_not_passed_is_chua_dat() -> None:
    result = rules.learning_result(scored=_scores("9", "9", "9", "9", "9", "9", "9", "9"),
                                   commented={**COMMENTS_PASSED, "GDTC": "CĐ", "NT": "CĐ"})
    assert result.level is Level.FAIL and result.lifted_for is None


def test_fewer_than_six_subjects_from_5_is_chua_dat() -> None:
    result = rules.learning_result(scored=_scores("5.0", "5.0", "5.0", "5.0", "5.0", "4.9", "4.9", "4.9"),
                                   commented={})
    assert result.level is Level.FAIL


def test_a_tot_student_with_one_comment_subject_not_passed_is_lifted_to_kha() -> None:
    # Thresholds alone: Đạt (one Chưa đạt); without GDTC: Tốt — two levels, because of one subject → Khá.
    result = rules.learning_result(scored=_scores("9", "9", "9", "9", "9", "9", "8", "8"),
                                   commented={**COMMENTS_PASSED, "GDTC": "CĐ"})
    assert (result.unadjusted, result.level, result.lifted_for) == (Level.PASS, Level.FAIR, "GDTC")


def test_a_tot_student_with_one_average_below_3_5_is_lifted_to_dat() -> None:
    # Thresholds alone: Chưa đạt (3.0 < 3.5); without that subject: Tốt — three levels down → Đạt.
    result = rules.learning_result(scored=_scores("9", "9", "9", "9", "9", "9", "3.0", "8"), commented=COMMENTS_PASSED)
    assert (result.unadjusted, result.level, result.lifted_for) == (Level.FAIL, Level.PASS, "CN")


def test_a_kha_student_with_one_average_at_3_4_is_lifted_to_dat() -> None:
    result = rules.learning_result(scored=_scores("7", "7", "7", "7", "7", "7", "3.4", "6"), commented={})
    assert (result.unadjusted, result.level, result.lifted_for) == (Level.FAIL, Level.PASS, "CN")


def test_a_kha_student_with_one_average_at_4_falls_one_level_and_stays_dat() -> None:
    result = rules.learning_result(scored=_scores("7", "7", "7", "7", "7", "7", "4.0", "6"), commented={})
    assert (result.unadjusted, result.level, result.lifted_for) == (Level.PASS, Level.PASS, None)


def test_two_weak_subjects_are_not_lifted() -> None:
    result = rules.learning_result(scored=_scores("9", "9", "9", "9", "9", "9", "3.0", "3.0"), commented={})
    assert result.level is Level.FAIL and result.lifted_for is None


def test_a_learning_result_refuses_bad_averages_and_needs_scored_subjects() -> None:
    with pytest.raises(Invalid) as refused:
        rules.learning_result(scored=_scores("9", "11"), commented={})
    assert refused.value.message == rules.SCORE_OUT_OF_RANGE
    with pytest.raises(Invalid) as refused:
        rules.learning_result(scored={}, commented=COMMENTS_PASSED)
    assert refused.value.message == rules.NO_SCORED_SUBJECTS


# Thông tư 22 Điều 8 khoản 2 điểm b, written out as (term I, term II) → year.
CONDUCT = {
    ("Tốt", "Tốt"): "Tốt", ("Khá", "Tốt"): "Tốt", ("Đạt", "Tốt"): "Khá", ("Chưa đạt", "Tốt"): "Khá",
    ("Tốt", "Khá"): "Khá", ("Khá", "Khá"): "Khá", ("Đạt", "Khá"): "Khá", ("Chưa đạt", "Khá"): "Đạt",
    ("Tốt", "Đạt"): "Khá", ("Khá", "Đạt"): "Đạt", ("Đạt", "Đạt"): "Đạt", ("Chưa đạt", "Đạt"): "Đạt",
    ("Tốt", "Chưa đạt"): "Chưa đạt", ("Khá", "Chưa đạt"): "Chưa đạt", ("Đạt", "Chưa đạt"): "Chưa đạt",
    ("Chưa đạt", "Chưa đạt"): "Chưa đạt",
}


@pytest.mark.parametrize(("terms", "year"), CONDUCT.items())
def test_year_conduct_combines_the_two_terms(terms: tuple[str, str], year: str) -> None:
    assert rules.year_conduct(first_term=terms[0], second_term=terms[1]).vi == year


def test_levels_are_read_from_codes_or_names_and_unknown_ones_refused() -> None:
    assert rules.level("khá") is Level.FAIR and rules.level("fail") is Level.FAIL
    with pytest.raises(Invalid) as refused:
        rules.year_conduct(first_term="Giỏi", second_term="Tốt")
    assert refused.value.message == rules.NOT_A_LEVEL and refused.value.params == {"value": "Giỏi"}
