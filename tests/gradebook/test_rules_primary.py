"""Thông tư 27 (primary): subject and quality levels, whole-number periodic test scores, which subjects
take which tests, and the year's result Hoàn thành xuất sắc / tốt / Hoàn thành / Chưa hoàn thành."""

from __future__ import annotations

import pytest

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.gradebook.rules import Incomplete, PeriodicTest, PrimaryResult, QualityLevel, SubjectLevel

QUALITIES = {"yêu nước": "T", "nhân ái": "T", "chăm chỉ": "T", "trung thực": "T", "trách nhiệm": "T",
             "tự chủ và tự học": "T", "giao tiếp và hợp tác": "T", "giải quyết vấn đề": "T"}
GRADE_4 = {"TV": "T", "TOAN": "T", "NN1": "T", "LSDL": "T", "KH": "T", "THCN": "T", "DD": "T", "GDTC": "T",
           "NT": "T", "HDTN": "T"}
TESTS_4 = {"TV": 9, "TOAN": 10, "NN1": 9, "LSDL": 9, "KH": 10, "THCN": 9}


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (0, 0), (10, 10), ("9,0", 9)])
def test_a_periodic_test_score_is_a_whole_number_from_0_to_10(value: object, expected: int) -> None:
    assert rules.periodic_test_score(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["7.5", "7,5", 11, -1, "mười", True])
def test_a_decimal_or_out_of_scale_test_score_is_refused(value: object) -> None:
    with pytest.raises(Invalid) as refused:
        rules.periodic_test_score(value)  # type: ignore[arg-type]
    assert refused.value.message == rules.NOT_A_TEST_SCORE


def test_which_subjects_take_which_periodic_tests() -> None:
    twice = (PeriodicTest.END_TERM_1, PeriodicTest.END_OF_YEAR)
    four = (PeriodicTest.MID_TERM_1, PeriodicTest.END_TERM_1, PeriodicTest.MID_TERM_2, PeriodicTest.END_OF_YEAR)
    assert rules.periodic_tests(subject_code="TOAN", grade=1) == twice
    assert rules.periodic_tests(subject_code="TV", grade=3) == twice
    assert rules.periodic_tests(subject_code="TV", grade=4) == four
    assert rules.periodic_tests(subject_code="TOAN", grade=5) == four
    assert rules.periodic_tests(subject_code="NN1", grade=2) == ()  # optional in grades 1–2
    assert rules.periodic_tests(subject_code="NN1", grade=3) == twice
    assert rules.periodic_tests(subject_code="KH", grade=3) == ()
    assert rules.periodic_tests(subject_code="LSDL", grade=5) == twice
    assert rules.periodic_tests(subject_code="GDTC", grade=5) == ()
    with pytest.raises(Invalid) as refused:
        rules.periodic_tests(subject_code="TOAN", grade=6)
    assert refused.value.message == rules.BAD_GRADE


def test_levels_are_read_from_letters_or_names() -> None:
    assert rules.subject_level("hoàn thành tốt") is SubjectLevel.GOOD
    assert rules.subject_level("h") is SubjectLevel.DONE
    assert rules.quality_level("Cần cố gắng") is QualityLevel.NEEDS_EFFORT
    assert rules.quality_level("đ") is QualityLevel.PASS
    with pytest.raises(Invalid) as refused:
        rules.subject_level("Giỏi")
    assert refused.value.message == rules.NOT_A_PRIMARY_LEVEL
    with pytest.raises(Invalid):
        rules.quality_level("H")


def _result(subjects: dict[str, str] = GRADE_4, qualities: dict[str, str] = QUALITIES,
            tests: dict[str, int] = TESTS_4) -> PrimaryResult:
    return rules.primary_year_result(grade=4, subjects=subjects, qualities=qualities, year_end_tests=tests)


def test_all_completed_well_and_tests_from_9_is_excellent() -> None:
    assert _result() is PrimaryResult.EXCELLENT
    assert PrimaryResult.EXCELLENT.vi == "Hoàn thành xuất sắc"


def test_one_test_at_8_is_completed_well() -> None:
    assert _result(tests={**TESTS_4, "TOAN": 8}) is PrimaryResult.GOOD


def test_one_test_at_6_or_one_subject_completed_is_completed() -> None:
    assert _result(tests={**TESTS_4, "TOAN": 6}) is PrimaryResult.DONE
    assert _result(subjects={**GRADE_4, "NT": "H"}) is PrimaryResult.DONE
    assert _result(qualities={**QUALITIES, "chăm chỉ": "Đ"}) is PrimaryResult.DONE


def test_a_test_below_5_or_a_level_not_reached_is_not_completed() -> None:
    assert _result(tests={**TESTS_4, "TV": 4}) is PrimaryResult.NOT_DONE
    assert _result(subjects={**GRADE_4, "GDTC": "C"}) is PrimaryResult.NOT_DONE
    assert _result(qualities={**QUALITIES, "trung thực": "C"}) is PrimaryResult.NOT_DONE


def test_the_year_waits_for_every_required_test_and_refuses_tests_that_do_not_exist() -> None:
    without_science = {k: v for k, v in TESTS_4.items() if k != "KH"}
    with pytest.raises(Incomplete) as missing:
        _result(tests=without_science)
    assert missing.value.message == rules.MISSING_TEST and missing.value.params == {"subject": "KH"}
    with pytest.raises(Invalid) as refused:
        _result(tests={**TESTS_4, "GDTC": 9})
    assert refused.value.message == rules.NO_TEST_FOR_SUBJECT and not isinstance(refused.value, Incomplete)
    with pytest.raises(Invalid) as refused:
        _result(tests={**TESTS_4, "TOAN": "9.5"})
    assert refused.value.message == rules.NOT_A_TEST_SCORE
    with pytest.raises(Invalid) as refused:
        _result(qualities={})
    assert refused.value.message == rules.NO_SUBJECTS


def test_grade_1_needs_only_vietnamese_and_maths_tests() -> None:
    subjects = {"TV": "T", "TOAN": "T", "DD": "T", "TNXH": "T", "GDTC": "T", "NT": "T", "HDTN": "T"}
    result = rules.primary_year_result(grade=1, subjects=subjects, qualities=QUALITIES,
                                       year_end_tests={"TV": 10, "TOAN": 7})
    assert result is PrimaryResult.GOOD
