"""Thông tư 22 subjects assessed by comment: a term is Đạt only when every required assessment is
recorded and Đạt; the year takes the second term's result."""

from __future__ import annotations

import unicodedata

import pytest

from lms_core.errors import Invalid
from lms_core.gradebook import rules
from lms_core.gradebook.rules import Comment, Incomplete


def test_the_comment_assessed_subjects_are_the_circulars() -> None:
    assert rules.COMMENT_ASSESSED_SUBJECTS == {"GDTC", "NT", "AN", "MT", "GDDP", "HDTNHN"}
    assert "TOAN" not in rules.COMMENT_ASSESSED_SUBJECTS


def test_every_assessment_passed_gives_dat() -> None:
    result = rules.comment_term_result(regular=["Đ", "Đạt"], midterm="đ", final=Comment.PASS)
    assert result is Comment.PASS and result.vi == "Đạt"


@pytest.mark.parametrize(
    ("regular", "midterm", "final"),
    [(["CĐ", "Đ"], "Đ", "Đ"), (["Đ", "Đ"], "Chưa đạt", "Đ"), (["Đ", "Đ"], "Đ", "cđ")],
)
def test_one_assessment_not_passed_gives_chua_dat(regular: list[str], midterm: str, final: str) -> None:
    result = rules.comment_term_result(regular=regular, midterm=midterm, final=final)
    assert result is Comment.FAIL and result.vi == "Chưa đạt"


def test_decomposed_unicode_and_spacing_are_read_as_the_same_word() -> None:
    decomposed = unicodedata.normalize("NFD", "Chưa  đạt")
    assert decomposed != "Chưa đạt"
    assert rules.comment(decomposed) is Comment.FAIL
    assert rules.comment(unicodedata.normalize("NFD", "ĐẠT")) is Comment.PASS


def test_a_missing_assessment_leaves_the_term_open() -> None:
    with pytest.raises(Incomplete) as missing:
        rules.comment_term_result(regular=["Đ"], midterm="Đ", final="Đ")
    assert missing.value.params == {"required": 2, "count": 1}
    with pytest.raises(Incomplete) as missing:
        rules.comment_term_result(regular=["Đ", "Đ"], midterm="Đ", final=None)
    assert missing.value.message == rules.MISSING_FINAL


def test_extra_assessments_and_unknown_words_are_refused() -> None:
    with pytest.raises(Invalid) as refused:
        rules.comment_term_result(regular=["Đ", "Đ", "Đ"], midterm="Đ", final="Đ")
    assert refused.value.message == rules.TOO_MANY_REGULAR
    with pytest.raises(Invalid) as refused:
        rules.comment_term_result(regular=["Đ", "Tốt"], midterm="Đ", final="Đ")
    assert refused.value.message == rules.NOT_A_COMMENT and refused.value.params == {"value": "Tốt"}
    with pytest.raises(Invalid):
        rules.comment("8")


def test_the_year_takes_the_second_terms_result() -> None:
    assert rules.comment_year_result(second_term="CĐ") is Comment.FAIL
    assert rules.comment_year_result(second_term="Đạt") is Comment.PASS
    with pytest.raises(Incomplete) as missing:
        rules.comment_year_result(second_term=None)
    assert missing.value.message == rules.MISSING_TERM_RESULT
