"""Aiken import: single-choice questions are read, each malformed question is a problem at its line,
and no text makes the parser raise or hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_core.assessment.formats import NO_QUESTIONS
from lms_core.assessment.formats.aiken import (
    ANSWER_NOT_OPTION, LONE_ANSWER, NO_ANSWER, NO_OPTIONS, OPTION_ORDER, STRAY_LINE, dump_aiken, parse_aiken,
)
from lms_core.assessment.items import Choice, Item, QType
from lms_core.errors import Invalid

FIXTURES = Path(__file__).parents[1] / "fixtures" / "assessment"


def test_a_teachers_aiken_file_is_read_and_its_mistakes_reported_by_line() -> None:
    result = parse_aiken((FIXTURES / "lich_su.aiken.txt").read_text(encoding="utf-8"))
    first, second, third, fourth = result.items
    assert first.stem == "Chiến thắng Điện Biên Phủ diễn ra vào năm nào?"
    assert [(c.text, c.correct) for c in first.choices] == [("1945", False), ("1954", True), ("1975", False),
                                                            ("1968", False)]
    assert second.choices[0] == Choice("Lý Thái Tổ", True)            # "A)" options
    assert third.stem == "Cho hàm số $y = x^2$.\nĐồ thị của hàm số là đường gì?"
    assert [c.correct for c in third.choices] == [False, True, False]
    assert {(p.where, p.message) for p in result.problems} == {
        ("line 22", NO_ANSWER),             # options but no ANSWER line before the next question
        ("line 26", OPTION_ORDER),          # A then C
        ("line 34", ANSWER_NOT_OPTION),     # ANSWER: E with options A and B
    }
    # Options out of order are read by their letters (ANSWER: C is the second one) but stay a problem.
    assert [c.correct for c in fourth.choices] == [False, True]
    assert all(item.type == QType.single for item in result.items) and not result.clean


@pytest.mark.parametrize(("text", "where", "message"), [
    ("Câu hỏi không có lựa chọn\nANSWER: A\n", "line 1", NO_OPTIONS),
    ("A. Hà Nội\nB. Huế\nANSWER: A\n", "line 1", STRAY_LINE),
    ("ANSWER: B\n", "line 1", LONE_ANSWER),
    ("Câu hỏi\nA. Một\nB. Hai\n", "line 1", NO_ANSWER),
])
def test_malformed_questions_are_problems(text: str, where: str, message: str) -> None:
    result = parse_aiken(text)
    assert (where, message) in {(p.where, p.message) for p in result.problems}
    assert result.items == []


def test_crlf_and_decomposed_vietnamese_are_normalised() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Thủ đô của Việt Nam?\r\nA. Hà Nội\r\nB. Huế\r\nANSWER: a\r\n")
    [item] = parse_aiken(text).items
    assert item.stem == "Thủ đô của Việt Nam?" and item.choices[0] == Choice("Hà Nội", True)


def test_empty_text_says_no_questions_were_found() -> None:
    assert [p.message for p in parse_aiken("\n \n").problems] == [NO_QUESTIONS]


def test_only_single_choice_can_be_written() -> None:
    essay = Item(QType.essay, "Viết đoạn văn về mùa thu Hà Nội.")
    with pytest.raises(Invalid) as refused:
        dump_aiken([Item(QType.single, "Một?", choices=[Choice("1", True), Choice("2")]), essay])
    assert refused.value.params["number"] == 2


def test_a_stem_line_that_looks_like_an_option_is_refused_when_writing() -> None:
    item = Item(QType.single, "Đọc câu sau:\nA. Nam đi học.\nCâu trên có mấy tiếng?",
                choices=[Choice("4", True), Choice("3")])
    with pytest.raises(Invalid):
        dump_aiken([item])


aiken_alphabet = st.sampled_from(["A. ", "B) ", "ANSWER: ", "answer:", "A", "Z. ", "\n", "\n\n", " ", "Hà Nội",
                                  "x", ".", ")", "\r\n", "$", "\\("])


@settings(max_examples=400, deadline=2000)
@given(st.one_of(st.text(max_size=400), st.lists(aiken_alphabet, max_size=300).map("".join)))
def test_the_parser_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_aiken(text)
    assert result.items or result.problems
    assert all(p.message and p.where.startswith("line") or p.message == NO_QUESTIONS for p in result.problems)


def test_hostile_input_is_read_in_linear_time() -> None:
    for text in ("Câu hỏi\n" * 100_000, "A. x\n" * 100_000, "Q\nA. x\n" * 50_000 + "ANSWER: A",
                 "$" * 200_000, "\\(" * 100_000):
        result = parse_aiken(text)
        assert result.items or result.problems
