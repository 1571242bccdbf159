"""GIFT import: every Moodle construct a teacher writes is read, mistakes become problems with their line,
types we cannot hold are skipped with the reason, and no text whatever makes the parser raise or hang."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_core.assessment.formats import DESCRIPTION_SKIPPED, NO_QUESTIONS, NOT_A_NUMBER, PARTIAL_WEIGHTS
from lms_core.assessment.formats.gift import (
    MAX_CHARS, NO_CLOSING_BRACE, STRAY_BRACE, TEXT_BEFORE_ANSWER, dump_gift, parse_gift,
)
from lms_core.assessment.items import NO_CORRECT, Blank, Choice, NumericKey, Pair, QType, TFStatement
from lms_core.errors import TooLarge

FIXTURES = Path(__file__).parents[1] / "fixtures" / "assessment"


def _by_title(text: str) -> dict[str, object]:
    return {item.title: item for item in parse_gift(text).items}


def test_a_teachers_gift_file_is_read_question_by_question() -> None:
    result = parse_gift((FIXTURES / "toan_dia_li.gift").read_text(encoding="utf-8"))
    items = {item.title: item for item in result.items}
    assert result.problems == []

    one = items["Câu 1"]
    assert one.type == QType.single and one.stem == "Tập xác định của hàm số $y=\\sqrt{x-1}$ là"
    assert one.choices[0] == Choice("$[1;+\\infty)$", True, "Đúng: cần $x-1 \\ge 0$.")
    assert [c.correct for c in one.choices] == [True, False, False, False]
    assert one.choices[1].text == "$\\mathbb{R}$"
    assert one.general_feedback == "Điều kiện xác định: $x - 1 \\ge 0$."
    assert one.tags == ["Toán 10/Hàm số bậc hai", "hàm số"] and one.level == "nhan_biet" and one.difficulty == 2

    assert items["Câu 2"].numeric == [NumericKey(Decimal(2), Decimal(0))]
    assert items["Câu 3"].numeric == [NumericKey(Decimal("1.41"), Decimal("0.005"))]
    assert items["Câu 4"].numeric == [NumericKey(Decimal(3), Decimal(2))]          # {#1..5}
    five = items["Câu 5"]
    assert five.type == QType.multiple and [c.correct for c in five.choices] == [True, True, False]
    assert five.choices[0].text == "$y = 2x^2 + 1$"

    assert items["Câu 6"].type == QType.true_false and items["Câu 6"].tags == ["Địa lí 9"]
    seven = items["Câu 7"]
    assert [(c.text, c.correct, c.feedback) for c in seven.choices] == [
        ("Đúng", False, "Sai rồi: chè Tân Cương ở Thái Nguyên."), ("Sai", True, "Chính xác.")]
    assert items["Câu 8"].type == QType.cloze
    assert items["Câu 8"].stem == "Tỉnh nổi tiếng với chè Tân Cương là {1}."
    assert items["Câu 8"].blanks == [Blank(accepted=["Thái Nguyên", "Thai Nguyen"])]
    assert items["Câu 9"].pairs[1] == Pair("Hà Giang", "Shan tuyết Hoàng Su Phì")
    assert items["Câu 10"].stem == "Sông Hồng chảy qua thủ đô {1} của Việt Nam."
    assert items["Câu 10"].blanks == [Blank(options=["Hà Nội", "Huế", "Đà Nẵng"])]
    assert items["Câu 11"].type == QType.essay and "**ba**" in items["Câu 11"].stem
    assert items["Câu 12"].stem == "Thủ đô của Lào là **thành phố** nào?"               # [html] → Markdown
    assert items["Câu 12"].accepted == ["Viêng Chăn", "Vientiane"]

    group = items["Câu 14"]
    assert group.type == QType.tf_group and group.stem == "Cho biết về chè Thái Nguyên."
    assert group.statements[1] == TFStatement("Chè chỉ trồng được ở đồng bằng.", False)
    assert [s.true for s in group.statements] == [True, False, True, False]

    assert [(p.where, p.message) for p in result.skipped] == [
        ("line 45", DESCRIPTION_SKIPPED), ("line 47", PARTIAL_WEIGHTS)]
    assert "Câu 13" not in items and len(result.items) == 13


def test_mistakes_are_problems_with_their_line_and_nothing_is_raised() -> None:
    result = parse_gift((FIXTURES / "broken.gift").read_text(encoding="utf-8"))
    found = {(p.where, p.message) for p in result.problems}
    assert ("line 2", NO_CLOSING_BRACE) in found                 # {=2 ~-2 ~0 never closed
    assert ("line 4", STRAY_BRACE) in found                      # \frac{1}{2} not escaped
    assert ("line 6", NOT_A_NUMBER) in found                     # {#hai}
    assert ("line 8", TEXT_BEFORE_ANSWER) in found               # {Hà Nội ~Huế}
    assert ("line 10", NO_CORRECT) in found                      # {~Hà Nội ~Huế}
    assert not result.clean


@pytest.mark.parametrize(("text", "expected"), [
    ("Chọn \\{a\\} và \\~ \\= \\# \\: {=đúng ~sai}", "Chọn {a} và ~ = # :"),
    ("Đường chéo \\\\ và dòng\\nmới {=đúng ~sai}", "Đường chéo \\ và dòng\nmới"),
])
def test_escaped_characters_come_back_as_text(text: str, expected: str) -> None:
    [item] = parse_gift(text).items
    assert item.stem == expected


def test_multiple_response_with_unequal_weights_is_skipped_not_misread() -> None:
    result = parse_gift("Chọn {~%70%Hà Nội ~%30%Huế ~Vinh}\n\nChọn {=Hà Nội ~%-50%Huế}\n")
    assert result.items == [] and [p.message for p in result.skipped] == [PARTIAL_WEIGHTS, PARTIAL_WEIGHTS]


def test_comments_titles_categories_and_lines_of_one_question() -> None:
    text = ("// một chú thích\n$CATEGORY: $course$/top/Ngữ văn 7\n\n// [tag:tục ngữ] [tag:level:van_dung]\n"
            "::Tục ngữ::Câu \"Uống nước nhớ nguồn\"\n// chú thích giữa câu\nkhuyên ta điều gì? {\n"
            "=Biết ơn\n~Tiết kiệm nước\n}\n")
    [item] = parse_gift(text).items
    assert item.title == "Tục ngữ" and item.stem == "Câu \"Uống nước nhớ nguồn\"\nkhuyên ta điều gì?"
    assert item.tags == ["Ngữ văn 7", "tục ngữ"] and item.level == "van_dung"


def test_a_numeric_answer_accepts_the_vietnamese_decimal_comma() -> None:
    [item] = parse_gift("Nghiệm dương của $x^2 = 2,25$ là {#1,5:0,01}").items
    assert item.numeric == [NumericKey(Decimal("1.5"), Decimal("0.01"))]


def test_empty_or_comment_only_text_says_no_questions_were_found() -> None:
    for text in ("", "\n\n", "// chỉ có chú thích\n"):
        result = parse_gift(text)
        assert result.items == [] and [p.message for p in result.problems] == [NO_QUESTIONS]


def test_a_text_larger_than_the_limit_is_refused() -> None:
    with pytest.raises(TooLarge):
        parse_gift("x" * (MAX_CHARS + 1))


def test_writing_keeps_special_characters_escaped() -> None:
    from lms_core.assessment.items import Item

    text = dump_gift([Item(QType.single, "Tập {1; 2} có: a = b # c ~ d",
                           choices=[Choice("=", True), Choice("~", False)])])
    assert "\\{1; 2\\} có\\: a \\= b \\# c \\~ d" in text
    assert parse_gift(text).items[0].stem == "Tập {1; 2} có: a = b # c ~ d"


gift_alphabet = st.sampled_from(list("{}~=#:%-> \n\t\\/$[]abcĐđ0123456789.,")
                                + ["::", "//", "$CATEGORY:", "->", "####", "[html]", "<p>", "<img src=\"data:", "\r"])


@settings(max_examples=400, deadline=2000)
@given(st.one_of(st.text(max_size=400), st.lists(gift_alphabet, max_size=300).map("".join)))
def test_the_parser_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_gift(text)
    assert result.items or result.problems or result.skipped
    for problem in [*result.problems, *result.skipped]:
        assert problem.message


def test_hostile_input_is_read_in_linear_time() -> None:
    # Quadratic scanning would take minutes on these; a linear parser reads each in well under a second.
    for text in ("{" * 200_000, "\\" * 200_000, "::" * 100_000, "$" * 200_000, "{=" + "~" * 200_000 + "}",
                 ("a {=b}\n" * 20_000), "\\(" * 100_000 + "{=a}"):
        result = parse_gift(text)
        assert result.items or result.problems or result.skipped
