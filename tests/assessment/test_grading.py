"""The grader: answers are read per question type, bad answers are refused clearly, and each type is
scored by its rule in exact decimals (2 places, half-up)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms_core.assessment import grading
from lms_core.assessment.grading import Graded, grade, grade_essay, parse_number, parse_response, score_out_of_10
from lms_core.assessment.items import (
    Blank,
    Choice,
    Criterion,
    Item,
    NumericKey,
    Pair,
    QType,
    TFStatement,
)
from lms_core.errors import DomainError, Invalid, TooLarge

D = Decimal


def _single() -> Item:
    return Item(QType.single, "Thủ đô của Việt Nam là?", choices=[
        Choice("Huế"), Choice("Hà Nội", correct=True), Choice("Đà Nẵng"), Choice("Cần Thơ")])


def _multiple(points: str = "1.5") -> Item:
    # Correct options: 0, 1 and 3 (three keys).
    return Item(QType.multiple, "Chọn các số nguyên tố.", points=D(points), choices=[
        Choice("2", True), Choice("3", True), Choice("4"), Choice("5", True), Choice("6")])


def _tf_group(points: str = "1") -> Item:
    return Item(QType.tf_group, "Cho hàm số $y = x^2$.", points=D(points), statements=[
        TFStatement("a) Đồ thị đi qua gốc tọa độ.", True),
        TFStatement("b) Hàm số nghịch biến trên $\\mathbb{R}$.", False),
        TFStatement("c) $y(2) = 4$.", True),
        TFStatement("d) Giá trị nhỏ nhất là 1.", False)])


def _answer(item: Item, raw: Any, **options: bool) -> Graded:
    return grade(item, parse_response(item, raw), **options)


def _refused(item: Item, raw: Any, error: type[DomainError] = Invalid) -> str:
    with pytest.raises(error) as caught:
        parse_response(item, raw)
    return caught.value.message


def test_single_choice_is_all_or_nothing_and_reads_form_values() -> None:
    item = _single()
    right = _answer(item, "1")
    assert (right.points, right.max_points, right.correct) == (D("1.00"), D(1), True)
    assert _answer(item, 1).correct is True
    wrong = _answer(item, 2)
    assert (wrong.points, wrong.correct) == (D("0.00"), False)
    blank = _answer(item, "")
    assert (blank.points, blank.correct) == (D("0.00"), False)
    assert parse_response(item, None).answered is False


def test_single_choice_refuses_options_it_does_not_have() -> None:
    item = _single()
    assert _refused(item, 4) == grading.OPTION_OUT_OF_RANGE
    assert _refused(item, -1) == grading.OPTION_OUT_OF_RANGE
    assert _refused(item, "B") == grading.NOT_AN_OPTION
    assert _refused(item, True) == grading.NOT_AN_OPTION
    assert _refused(item, 1.0) == grading.NOT_AN_OPTION
    assert _refused(item, ["0", "1"]) == grading.ONE_OPTION_ONLY


def test_true_false_scores_the_chosen_option() -> None:
    item = Item(QType.true_false, "Nước sôi ở 100 °C ở áp suất 1 atm.", choices=[Choice("Đúng", True), Choice("Sai")])
    assert _answer(item, 0).points == D("1.00")
    assert _answer(item, 1).points == D("0.00")
    assert _refused(item, 2) == grading.OPTION_OUT_OF_RANGE


def test_multiple_response_is_all_or_nothing_by_default() -> None:
    item = _multiple()
    assert _answer(item, ["0", "1", "3"]).points == D("1.50")
    exact_but_shuffled = _answer(item, [3, 0, 1])
    assert exact_but_shuffled.correct is True
    missing_one = _answer(item, [0, 1])
    assert (missing_one.points, missing_one.correct) == (D("0.00"), False)
    # Per-option feedback: option 3 (a key) was not picked; the others were right choices.
    assert [p.correct for p in missing_one.parts] == [True, True, True, False, True]


def test_multiple_response_partial_credit_is_right_minus_wrong_floored_at_zero() -> None:
    item = _multiple("1.5")
    # Three keys, so each net right pick is worth 1.5 / 3 = 0.5.
    assert _answer(item, [0, 1, 2], partial_multiple=True).points == D("0.50")   # 2 right − 1 wrong = 1
    assert _answer(item, [0], partial_multiple=True).points == D("0.50")         # 1 right
    assert _answer(item, [0, 1], partial_multiple=True).points == D("1.00")      # 2 right
    assert _answer(item, [0, 2, 4], partial_multiple=True).points == D("0.00")   # 1 − 2 = −1 → 0
    full = _answer(item, [0, 1, 3], partial_multiple=True)
    assert (full.points, full.correct) == (D("1.50"), True)
    assert _answer(item, [0, 1, 2], partial_multiple=True).correct is False


def test_multiple_response_refuses_an_option_chosen_twice() -> None:
    assert _refused(_multiple(), [0, "0"]) == grading.OPTION_TWICE
    assert _refused(_multiple(), [0, 9]) == grading.OPTION_OUT_OF_RANGE


@pytest.mark.parametrize(("answers", "points"), [
    (["sai", "đúng", "sai", "đúng"], "0.00"),   # 0 right
    (["true", "true", "sai", "true"], "0.10"),  # a right only
    ([True, True, False, True], "0.10"),
    (["đúng", "sai", "sai", "true"], "0.25"),  # a, b right
    (["1", "0", "1", "1"], "0.50"),            # a, b, c right
    (["Đúng", "Sai", "Đúng", "Sai"], "1.00"),  # all four
])
def test_tf_group_follows_the_2025_exam_scale(answers: list[Any], points: str) -> None:
    assert _answer(_tf_group(), answers).points == D(points)


def test_tf_group_scales_to_the_item_points_and_rounds_half_up() -> None:
    # 2 points: 1 → 0.2, 2 → 0.5, 3 → 1.0.
    assert _answer(_tf_group("2"), {"a": "đúng"}).points == D("0.20")
    assert _answer(_tf_group("2"), {"a": "đúng", "b": "sai"}).points == D("0.50")
    # 0.25 points × 0.1 = 0.025 → 0.03 (half-up; banker's rounding would give 0.02).
    assert _answer(_tf_group("0.25"), {"0": True}).points == D("0.03")


def test_tf_group_counts_a_blank_statement_as_not_right_and_refuses_other_values() -> None:
    result = _answer(_tf_group(), {"a": "true", "b": "", "c": "true", "d": None})
    assert result.points == D("0.25")
    assert [p.correct for p in result.parts] == [True, False, True, False]
    assert _refused(_tf_group(), ["có lẽ"]) == grading.NOT_TRUE_FALSE
    assert _refused(_tf_group(), {"e": "true"}) == grading.UNKNOWN_PART
    assert _refused(_tf_group(), [True] * 5) == grading.TOO_MANY_PARTS
    assert _refused(_tf_group(), "true") == grading.BAD_SHAPE


def test_numeric_accepts_decimal_comma_spaces_and_any_key_within_tolerance() -> None:
    item = Item(QType.numeric, "Tính.", numeric=[NumericKey(D("0.5")), NumericKey(D("2.25"), D("0.05"))])
    assert _answer(item, "0,5").correct is True
    assert _answer(item, " 0.50 ").correct is True
    assert _answer(item, "2,3").correct is True      # |2.3 − 2.25| = 0.05, at the tolerance
    assert _answer(item, "2,2").correct is True
    assert _answer(item, "2,31").correct is False
    assert _answer(item, "-0,5").correct is False


@pytest.mark.parametrize(("raw", "value"), [
    ("0,5", "0.5"), ("− 1 250,5", "-1250.5"), ("+3", "3"), (",5", "0.5"), ("12", "12"), (7, "7"), (D("1.5"), "1.5"),
])
def test_numbers_are_read_as_vietnamese_students_write_them(raw: Any, value: str) -> None:
    assert parse_number(raw) == D(value)


@pytest.mark.parametrize("raw", ["abc", "1e3", "NaN", "Infinity", "1/2", "1,2,3", "--1", "", "1" * 41, True])
def test_a_non_number_is_refused_for_a_numeric_question(raw: Any) -> None:
    item = Item(QType.numeric, "Tính.", numeric=[NumericKey(D("0.5"))])
    with pytest.raises(Invalid) as caught:
        parse_number(raw)
    assert caught.value.message == grading.NOT_A_NUMBER
    if raw != "":
        assert _refused(item, raw) == grading.NOT_A_NUMBER


def test_a_number_with_both_separators_is_refused_as_ambiguous() -> None:
    item = Item(QType.numeric, "Tính.", numeric=[NumericKey(D("1250.5"))])
    assert _refused(item, "1.250,5") == grading.AMBIGUOUS_NUMBER


def test_short_text_ignores_case_accents_spacing_and_unicode_form_by_default() -> None:
    item = Item(QType.short_text, "Thủ đô?", accepted=["Hà Nội", "Thăng Long"])
    decomposed = "Ha\u0300 No\u0323\u0302i"  # "Hà Nội" typed in decomposed form
    for answer in ["Hà Nội", "ha noi", "  HÀ   NỘI ", decomposed, "thang long"]:
        assert _answer(item, answer).correct is True, answer
    assert _answer(item, "Hà Nam").correct is False
    assert _answer(item, "Đà Nẵng").correct is False


def test_short_text_respects_case_and_accent_sensitivity() -> None:
    by_case = Item(QType.short_text, "Ký hiệu hoá học của natri?", accepted=["Na"], case_sensitive=True)
    assert _answer(by_case, "Na").correct is True
    assert _answer(by_case, "NA").correct is False
    by_accent = Item(QType.short_text, "Từ nào?", accepted=["mà"], accent_sensitive=True)
    assert _answer(by_accent, "MÀ").correct is True
    assert _answer(by_accent, "ma").correct is False
    assert _answer(by_accent, "má").correct is False
    dd = Item(QType.short_text, "Tỉnh?", accepted=["Đắk Lắk"])
    assert _answer(dd, "dak lak").correct is True


def test_a_text_answer_over_the_limit_is_refused() -> None:
    item = Item(QType.short_text, "Thủ đô?", accepted=["Hà Nội"])
    assert _refused(item, "a" * (grading.TEXT_LIMIT + 1), TooLarge) == grading.ANSWER_TOO_LONG
    assert _refused(item, {"text": "x"}) == grading.NOT_TEXT
    essay = Item(QType.essay, "Viết đoạn văn.")
    assert _refused(essay, "a" * (grading.ESSAY_LIMIT + 1), TooLarge) == grading.ANSWER_TOO_LONG


def test_matching_scores_the_share_of_right_pairs() -> None:
    item = Item(QType.matching, "Nối.", points=D(2), pairs=[
        Pair("Hà Nội", "Thủ đô"), Pair("Thái Nguyên", "Chè"), Pair("Huế", "Cố đô"), Pair("Tân Cương", "Chè")])
    # Left 0→0 right, 1→1 right, 2→0 wrong, 3→1 right ("Chè" is also the right item of pair 3).
    result = _answer(item, [0, 1, 0, 1])
    assert [p.correct for p in result.parts] == [True, True, False, True]
    assert (result.points, result.correct) == (D("1.50"), False)   # 3/4 of 2
    assert _answer(item, {"0": "0", "2": "2"}).points == D("1.00")   # 2/4, two left unanswered
    assert _answer(item, [0, 3, 2, 1]).correct is True
    assert _refused(item, [0, 1, 2, 4]) == grading.OPTION_OUT_OF_RANGE
    assert _refused(item, {"9": 0}) == grading.UNKNOWN_PART


def test_ordering_scores_the_share_of_items_in_their_right_position() -> None:
    item = Item(QType.ordering, "Sắp xếp các bước chế biến chè.", order=["Hái", "Héo", "Vò", "Sao"])
    assert _answer(item, [0, 1, 2, 3]).points == D("1.00")
    swapped_last_two = _answer(item, ["0", "1", "3", "2"])
    assert (swapped_last_two.points, swapped_last_two.correct) == (D("0.50"), False)
    # Every item moved one place: adjacent pairs are kept but no position is right.
    assert _answer(item, [3, 0, 1, 2]).points == D("0.00")
    assert _refused(item, [0, 0, 1, 2]) == grading.NOT_AN_ORDER
    assert _refused(item, [0, 1, 2]) == grading.NOT_AN_ORDER
    assert _refused(item, "0123") == grading.NOT_AN_ORDER


def test_cloze_gives_each_blank_an_equal_share() -> None:
    item = Item(QType.cloze, "Chè {1} nổi tiếng ở {2}, tỉnh {3}.", blanks=[
        Blank(accepted=["Tân Cương"]), Blank(options=["Thái Nguyên", "Phú Thọ"]), Blank(accepted=["Thái Nguyên"])])
    all_right = _answer(item, ["tan cuong", 0, "THÁI NGUYÊN"])
    assert (all_right.points, all_right.correct) == (D("1.00"), True)
    two = _answer(item, ["Tân Cương", "1", "Thái Nguyên"])
    assert [p.correct for p in two.parts] == [True, False, True]
    assert two.points == D("0.67")   # 2/3 = 0.666… → 0.67
    one = _answer(item, {"0": "Tân Cương"})
    assert one.points == D("0.33")
    assert _refused(item, ["Tân Cương", 2, ""]) == grading.OPTION_OUT_OF_RANGE


def test_an_essay_is_not_auto_graded() -> None:
    item = Item(QType.essay, "Trình bày quy trình sao chè.", points=D(3))
    result = _answer(item, "Chè được hái, làm héo, vò rồi sao.")
    assert (result.points, result.max_points, result.correct) == (D("0.00"), D(3), None)


def test_an_essay_is_graded_from_rubric_points_scaled_to_its_points() -> None:
    item = Item(QType.essay, "Viết đoạn văn.", points=D(10), rubric=[
        Criterion("Nội dung", D(2)), Criterion("Diễn đạt", D(3))])
    result = grade_essay(item, [D("1.5"), D(3)])
    assert result.points == D("9.00")   # (1.5 + 3) / 5 × 10
    assert result.correct is False
    assert [p.points for p in result.parts] == [D("1.5"), D(3)]
    assert grade_essay(item, ["2", "3"]).correct is True


def test_essay_rubric_points_are_checked_against_each_criterion() -> None:
    item = Item(QType.essay, "Viết đoạn văn.", points=D(10), rubric=[
        Criterion("Nội dung", D(2)), Criterion("Diễn đạt", D(3))])
    with pytest.raises(Invalid) as caught:
        grade_essay(item, [D("2.5"), D(1)])
    assert (caught.value.message, caught.value.params["number"]) == (grading.RUBRIC_POINTS, 1)
    with pytest.raises(Invalid) as caught:
        grade_essay(item, [D(1), D(-1)])
    assert caught.value.params["number"] == 2
    with pytest.raises(Invalid) as caught:
        grade_essay(item, [D(1)])
    assert caught.value.message == grading.RUBRIC_COUNT
    with pytest.raises(Invalid):
        grade_essay(item, ["abc", "1"])


def test_an_essay_without_rubric_takes_one_score_up_to_its_points() -> None:
    item = Item(QType.essay, "Viết đoạn văn.", points=D(4))
    assert grade_essay(item, [D("3.5")]).points == D("3.50")
    with pytest.raises(Invalid) as caught:
        grade_essay(item, [D("4.5")])
    assert caught.value.message == grading.ESSAY_POINTS


def test_an_unsound_question_or_a_mismatched_answer_is_not_graded() -> None:
    no_key = Item(QType.single, "Chọn.", choices=[Choice("A"), Choice("B")])
    with pytest.raises(Invalid) as caught:
        grade(no_key, grading.Response(QType.single, 0))
    assert caught.value.message == grading.NOT_GRADABLE
    with pytest.raises(Invalid):
        grade(_single(), grading.Response(QType.multiple, frozenset({1})))


@pytest.mark.parametrize(("total", "max_total", "score"), [
    ("29", "40", "7.3"),      # 7.25 → 7.3 (half-up)
    ("2", "3", "6.7"),        # 6.66… → 6.7
    ("0", "12", "0.0"),
    ("12", "12", "10.0"),
    ("4.05", "10", "4.1"),    # 4.05 → 4.1 (half-up; banker's rounding would give 4.0)
])
def test_score_out_of_10_has_one_decimal_rounded_half_up(total: str, max_total: str, score: str) -> None:
    assert str(score_out_of_10(D(total), D(max_total))) == score


@pytest.mark.parametrize(("total", "max_total"), [("11", "10"), ("-1", "10"), ("1", "0")])
def test_score_out_of_10_refuses_an_impossible_total(total: str, max_total: str) -> None:
    with pytest.raises(Invalid):
        score_out_of_10(D(total), D(max_total))


@given(st.sets(st.integers(min_value=0, max_value=4)))
def test_partial_credit_stays_between_zero_and_full_and_is_full_only_for_the_exact_key(picks: set[int]) -> None:
    item = _multiple("1.5")
    result = _answer(item, sorted(picks), partial_multiple=True)
    assert D(0) <= result.points <= D("1.5")
    assert (result.points == D("1.5")) == (picks == {0, 1, 3})
    assert result.correct == (picks == {0, 1, 3})


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=3), children, max_size=6),
    max_leaves=20,
)


@pytest.mark.parametrize("item", [
    _single(), _multiple(), _tf_group(),
    Item(QType.numeric, "x", numeric=[NumericKey(D(1))]),
    Item(QType.matching, "x", pairs=[Pair("a", "b"), Pair("c", "d")]),
    Item(QType.ordering, "x", order=["a", "b", "c"]),
    Item(QType.cloze, "{1} {2}", blanks=[Blank(accepted=["a"]), Blank(options=["b", "c"])]),
], ids=lambda item: item.type.value)
@given(raw=_json)
def test_any_form_or_json_value_is_graded_or_refused_with_a_domain_error(item: Item, raw: Any) -> None:
    try:
        response = parse_response(item, raw)
    except DomainError as error:
        assert error.message
        return
    result = grade(item, response)
    assert D(0) <= result.points <= item.points
