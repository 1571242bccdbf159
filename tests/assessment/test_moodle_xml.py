"""Moodle XML import: each question type Moodle writes is read (HTML to Markdown with maths), what has no
equivalent is skipped with the reason, and unsafe or malformed files are refused with a clear message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lms_core.assessment.formats import DESCRIPTION_SKIPPED, EMBEDDED_IMAGE, PARTIAL_WEIGHTS, UNKNOWN_TYPE
from lms_core.assessment.formats.moodle_xml import (
    DTD_REFUSED, MAX_BYTES, MULTI_BLANK, NOT_MOODLE, NOT_XML, NUMERIC_BLANK, TOO_MANY_QUESTIONS, dump_moodle_xml,
    parse_moodle_xml,
)
from lms_core.assessment.items import Blank, Choice, Item, NumericKey, Pair, QType, TFStatement
from lms_core.errors import Invalid, TooLarge

FIXTURES = Path(__file__).parents[1] / "fixtures" / "assessment"


def test_a_moodle_export_is_read_type_by_type() -> None:
    result = parse_moodle_xml((FIXTURES / "sinh_hoc.moodle.xml").read_bytes())
    items = {item.title: item for item in result.items}

    one = items["Câu 1"]
    assert one.type == QType.single and one.points == Decimal("0.5")
    assert one.stem == ("Cơ quan nào tiết ra **dịch mật**?\n\n"
                        "![Hệ tiêu hóa](https://truongso.example/hinh/tieu-hoa.png)")
    assert one.choices[0] == Choice("Gan", True, "Đúng.") and not any(c.correct for c in one.choices[1:])
    assert one.general_feedback == "Gan tiết mật, mật được dự trữ ở *túi mật*."
    assert one.tags == ["Sinh học 8/Tiêu hóa", "tiêu hóa"] and one.level == "thong_hieu"

    two = items["Câu 2"]
    assert two.type == QType.multiple and [c.correct for c in two.choices] == [True, True, True, False]
    three = items["Câu 3"]
    assert [(c.text, c.correct) for c in three.choices] == [("Đúng", False), ("Sai", True)]
    assert three.choices[1].feedback == "Chính xác."
    assert items["Câu 4"].accepted == ["amilaza", "amylase"] and not items["Câu 4"].case_sensitive
    assert items["Câu 5"].numeric == [NumericKey(Decimal(1), Decimal("0.05"))]
    assert items["Câu 5"].stem == "Khối lượng riêng của nước là bao nhiêu $\\mathrm{g/cm^3}$?"   # Moodle $$…$$
    assert items["Câu 6"].pairs == [Pair("Miệng", "Nghiền và đảo trộn thức ăn"),
                                    Pair("Dạ dày", "Co bóp, tiết dịch vị"),
                                    Pair("Ruột non", "Hấp thụ chất dinh dưỡng")]          # distractor left out

    seven = items["Câu 7"]
    assert seven.type == QType.cloze and seven.tags == ["Khoa học tự nhiên 6"]
    assert seven.stem == "Nước sôi ở {1} °C và đông đặc ở {2}. Quá trình nước biến thành hơi gọi là {3}."
    assert seven.blanks == [Blank(accepted=["100"]), Blank(accepted=["0 độ", "0"]),
                            Blank(options=["sự bay hơi", "sự ngưng tụ", "sự nóng chảy"])]
    assert items["Câu 8"].order == ["Tráng ấm chén bằng nước sôi", "Cho trà vào ấm",
                                    "Rót nước khoảng 85 °C vào ấm", "Rót trà ra chén"]
    assert items["Câu 9"].type == QType.essay and items["Câu 9"].points == Decimal(2)

    ten = items["Câu 10"]
    assert ten.type == QType.tf_group and ten.stem == "Cho các phát biểu về nước:"
    assert ten.statements[1] == TFStatement("Nước đá nặng hơn nước lỏng cùng thể tích.", False)
    assert [s.true for s in ten.statements] == [True, False, True, False]

    assert [(p.where, p.message) for p in result.problems] == [("question 9", EMBEDDED_IMAGE)]
    assert [(p.where, p.message, p.params.get("type")) for p in result.skipped] == [
        ("question 11", DESCRIPTION_SKIPPED, None), ("question 12", UNKNOWN_TYPE, "calculated"),
        ("question 13", PARTIAL_WEIGHTS, "multichoice")]


def _quiz(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{body}</quiz>'.encode()


@pytest.mark.parametrize(("data", "message"), [
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
     b"<quiz><question type=\"essay\"><questiontext><text>&lol2;</text></questiontext></question></quiz>",
     DTD_REFUSED),
    (b'<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>', DTD_REFUSED),
    ("<quiz><question type='essay'><questiontext><text>Chưa đóng thẻ</questiontext></quiz>".encode(), NOT_XML),
    (b"\x89PNG\r\n\x1a\n\x00\x00", NOT_XML),
    (b"<html><body>Trang web</body></html>", NOT_MOODLE),
])
def test_unsafe_or_foreign_files_are_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_moodle_xml(data)
    assert refused.value.message == message


def test_the_entity_bomb_fixture_is_refused_before_any_expansion() -> None:
    with pytest.raises(Invalid) as refused:
        parse_moodle_xml((FIXTURES / "entity_bomb.moodle.xml").read_bytes())
    assert refused.value.message == DTD_REFUSED


def test_size_and_question_count_limits() -> None:
    with pytest.raises(TooLarge):
        parse_moodle_xml(b" " * (MAX_BYTES + 1))
    many = _quiz('<question type="essay"><questiontext><text>Câu hỏi</text></questiontext></question>' * 5001)
    with pytest.raises(TooLarge) as refused:
        parse_moodle_xml(many)
    assert refused.value.message == TOO_MANY_QUESTIONS


def test_cloze_blanks_we_cannot_grade_skip_the_question_with_the_reason() -> None:
    result = parse_moodle_xml(_quiz(
        '<question type="cloze"><questiontext format="html"><text>Số $\\pi$ ≈ {1:NUMERICAL:=3.14:0.01}</text>'
        '</questiontext></question>'
        '<question type="cloze"><questiontext format="html"><text>Chọn {1:MULTIRESPONSE:~%50%2~%50%3~%-100%4}'
        '</text></questiontext></question>'
        '<question type="cloze"><questiontext format="html"><text>Chè {1:SA:=Tân Cương~%50%Tan Cuong}</text>'
        '</questiontext></question>'))
    assert result.items == []
    assert [p.message for p in result.skipped] == [NUMERIC_BLANK, MULTI_BLANK, PARTIAL_WEIGHTS]


def test_html_text_becomes_markdown_with_our_maths() -> None:
    [item] = parse_moodle_xml(_quiz(
        '<question type="essay"><questiontext format="html"><text><![CDATA[<p>Giải phương trình '
        '\\(x^2 - 4 = 0\\)&nbsp;và vẽ đồ thị:</p><div>\\[y = x^2 - 4\\]</div><script>alert(1)</script>'
        '<ul><li>câu <i>a</i></li><li>câu <b>b</b></li></ul>]]></text></questiontext></question>')).items
    assert item.stem == "Giải phương trình $x^2 - 4 = 0$ và vẽ đồ thị:\n\n$$y = x^2 - 4$$\n\n- câu *a*\n- câu **b**"


def test_case_sensitive_short_answer_and_its_cloze_form() -> None:
    result = parse_moodle_xml(_quiz(
        '<question type="shortanswer"><questiontext><text>Kí hiệu hóa học của sắt?</text></questiontext>'
        '<usecase>1</usecase><answer fraction="100"><text>Fe</text></answer></question>'
        '<question type="cloze"><questiontext><text>Kí hiệu của đồng là {1:SAC:=Cu}</text></questiontext>'
        '</question>'))
    assert [(i.type, i.case_sensitive) for i in result.items] == [(QType.short_text, True), (QType.cloze, True)]


def test_every_type_is_written_as_moodle_names_it() -> None:
    xml = dump_moodle_xml([
        Item(QType.single, "Một?", choices=[Choice("1", True), Choice("2")]),
        Item(QType.multiple, "Số chẵn?", choices=[Choice("2", True), Choice("4", True), Choice("5")]),
        Item(QType.ordering, "Sắp xếp", order=["Hái", "Sao"]),
        Item(QType.tf_group, "Cho", statements=[TFStatement(str(k), k % 2 == 0) for k in range(4)]),
    ]).decode()
    assert xml.count("<single>true</single>") == 1 and xml.count("<single>false</single>") == 1
    assert xml.count('fraction="50"') == 2 and 'fraction="-100"' in xml
    assert '<question type="ordering">' in xml and '<answer fraction="2" format="html">' in xml
    assert "a) 0 {1:MULTICHOICE:=Đúng~Sai}" in xml and "b) 1 {1:MULTICHOICE:=Sai~Đúng}" in xml


@pytest.mark.parametrize("body", ["{1:MULTICHOICE:" * 100_000, "\\(" * 100_000, "$$" * 100_000, "<b>" * 50_000])
def test_hostile_question_text_is_read_in_linear_time(body: str) -> None:
    # Each of these would take minutes with a scan per opening delimiter; the question is read with a problem.
    data = _quiz(f'<question type="cloze"><questiontext format="html"><text><![CDATA[{body}]]></text>'
                 "</questiontext></question>")
    result = parse_moodle_xml(data)
    assert len(result.items) == 1 and result.problems
