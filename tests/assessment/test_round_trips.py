"""Export → import gives back the same questions, for every type each format holds (GIFT, Aiken, Moodle XML);
the text carries Vietnamese, GIFT's special characters, HTML-looking characters, LaTeX and Markdown."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms_core.assessment.formats import true_false_choices
from lms_core.assessment.formats.aiken import dump_aiken, parse_aiken
from lms_core.assessment.formats.gift import dump_gift, parse_gift
from lms_core.assessment.formats.moodle_xml import dump_moodle_xml, parse_moodle_xml
from lms_core.assessment.items import (
    Blank, Choice, Item, Level, NumericKey, Pair, QType, TFStatement, check,
)

WORDS = ["Hà Nội", "trà", "Tân Cương", "Thái Nguyên", "nghiệm", "phương trình", "đúng", "sai", "Đắk Lắk",
         "Quảng Ngãi", "ĐIỆN BIÊN", "lớp 10A1", "50%", "3,5", "a:b", "::", "{", "}", "~", "=", "#", "####",
         "\\", "->x", "a<b", "A&B", "&amp;", "[html]", "\"trích\"", "(1)", "x/y", "%giảm"]
MATHS = ["$\\frac{1}{2}$", "$x^2 \\ge 0$", "$\\sqrt{3}$", "$$\\int_0^1 x\\,dx$$", "$a \\neq b$", "$\\{1; 2\\}$"]
MARKUP = ["**đậm**", "*nghiêng*", "![hình](https://truongso.example/tra.png)"]
PLAIN = ["Hà Nội", "trà", "Tân Cương", "hai", "nghiệm", "lớp 10A1", "3,5", "Đắk Lắk", "x", "ĐÚNG"]
ANSWER_SPECIALS = ["}", "~", "#", "=", "%", "/", "\"", "a:b", "{"]
TAGS = ["hàm số", "Toán 10", "chè", "Địa lí 9", "HK1", "bài 3"]


def _words(alphabet: list[str], min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size).map(" ".join)


line = _words(WORDS + MATHS + MARKUP)
text = st.lists(line, min_size=1, max_size=3).map("\n".join)
simple = _words(WORDS + MATHS)
answer = _words(PLAIN + ANSWER_SPECIALS, max_size=3)
maybe = st.one_of(st.just(""), simple)
# In a cloze text "{1}" marks a blank (items.check), so maths there avoids digit groups such as \frac{1}{2}.
cloze_words = _words(WORDS + [m for m in MATHS if not re.search(r"\{\d+\}", m)])


@st.composite
def _meta(draw: st.DrawFn, item: Item, points: bool) -> Item:
    item.title = draw(st.one_of(st.just(""), _words(WORDS, max_size=3)))
    item.tags = draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3))
    item.level = draw(st.one_of(st.none(), st.sampled_from([lv.value for lv in Level])))
    item.difficulty = draw(st.one_of(st.none(), st.integers(1, 5)))
    if item.type not in (QType.tf_group,):
        item.general_feedback = draw(st.one_of(st.just(""), text))
    if points:
        item.points = draw(st.decimals(min_value=Decimal("0.25"), max_value=Decimal(100), places=2))
    return item


@st.composite
def _choices(draw: st.DrawFn, correct: int) -> list[Choice]:
    wrong = draw(st.integers(1 if correct == 1 else 0, 4))
    texts = draw(st.lists(line, min_size=correct + wrong, max_size=correct + wrong, unique=True))
    flags = draw(st.permutations([True] * correct + [False] * wrong))
    return [Choice(t, f, draw(maybe)) for t, f in zip(texts, flags)]


@st.composite
def items(draw: st.DrawFn, kinds: list[QType], points: bool = True) -> Item:
    """Generate a sound item of one of the given types, as each format can hold it."""
    kind = draw(st.sampled_from(kinds))
    stem = draw(text)
    if kind == QType.single:
        item = Item(kind, stem, choices=draw(_choices(1)))
    elif kind == QType.multiple:
        item = Item(kind, stem, choices=draw(_choices(draw(st.integers(2, 4)))))
    elif kind == QType.true_false:
        item = Item(kind, stem, choices=true_false_choices(draw(st.booleans()), feedback_true=draw(maybe),
                                                           feedback_false=draw(maybe)))
    elif kind == QType.tf_group:
        item = Item(kind, stem, statements=[TFStatement(draw(simple), draw(st.booleans())) for _ in range(4)])
    elif kind == QType.numeric:
        number = st.decimals(min_value=-10000, max_value=10000, places=3, allow_nan=False, allow_infinity=False)
        tolerance = st.decimals(min_value=0, max_value=5, places=3)
        item = Item(kind, stem, numeric=draw(st.lists(st.builds(NumericKey, number, tolerance), min_size=1,
                                                          max_size=3)))
    elif kind == QType.short_text:
        item = Item(kind, stem, accepted=draw(st.lists(answer, min_size=1, max_size=3, unique=True)))
    elif kind == QType.matching:
        lefts = draw(st.lists(line, min_size=2, max_size=4, unique=True))
        item = Item(kind, stem, pairs=[Pair(left, draw(simple)) for left in lefts])
    elif kind == QType.ordering:
        item = Item(kind, stem, order=draw(st.lists(line, min_size=2, max_size=5, unique=True)))
    elif kind == QType.essay:
        item = Item(kind, stem)
    else:
        item = draw(_cloze(several=points))
    return draw(_meta(item, points))


@st.composite
def _cloze(draw: st.DrawFn, several: bool) -> Item:
    count = draw(st.integers(1, 3)) if several else 1
    pieces = [draw(st.one_of(st.just(""), cloze_words)) if k == 0 else draw(cloze_words) for k in range(count)]
    stem = "".join(f"{piece} {{{k + 1}}} " for k, piece in enumerate(pieces)) + draw(cloze_words)
    blanks = []
    for _ in range(count):
        if draw(st.booleans()):
            blanks.append(Blank(accepted=draw(st.lists(answer, min_size=1, max_size=3, unique=True))))
        else:
            blanks.append(Blank(options=draw(st.lists(answer, min_size=2, max_size=4, unique=True))))
    return Item(QType.cloze, stem.strip(), blanks=blanks,
                case_sensitive=several and draw(st.booleans()) and any(b.accepted for b in blanks))


GIFT_TYPES = [QType.single, QType.multiple, QType.true_false, QType.tf_group, QType.numeric, QType.short_text,
              QType.matching, QType.essay, QType.cloze]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sound(batch: list[Item]) -> list[Item]:
    for item in batch:
        assert check(item) == [], (item, check(item))
    return batch


@SETTINGS
@given(st.lists(items(GIFT_TYPES, points=False), min_size=1, max_size=5))
def test_gift_export_then_import_gives_back_equal_items(batch: list[Item]) -> None:
    result = parse_gift(dump_gift(_sound(batch)))
    assert result.problems == [] and result.skipped == []
    assert result.items == batch


@SETTINGS
@given(st.lists(items(list(QType)), min_size=1, max_size=5))
def test_moodle_xml_export_then_import_gives_back_equal_items(batch: list[Item]) -> None:
    result = parse_moodle_xml(dump_moodle_xml(_sound(batch)))
    assert result.problems == [] and result.skipped == []
    assert result.items == batch


@st.composite
def _aiken_item(draw: st.DrawFn) -> Item:
    stem = draw(st.lists(_words(PLAIN + MATHS + ["{", "}", "~", "=", "#", "a:b"]), min_size=1, max_size=3)
                .map("\n".join))
    return Item(QType.single, stem, choices=draw(_choices(1)))


@SETTINGS
@given(st.lists(_aiken_item(), min_size=1, max_size=5))
def test_aiken_export_then_import_gives_back_equal_items(batch: list[Item]) -> None:
    # Aiken keeps the question and its options only: feedback is not part of the format.
    for item in batch:
        for choice in item.choices:
            choice.feedback = ""
    result = parse_aiken(dump_aiken(_sound(batch)))
    assert result.problems == [] and result.skipped == []
    assert result.items == batch


def test_a_true_false_group_travels_as_four_questions_in_gift_and_one_cloze_in_moodle_xml() -> None:
    group = Item(QType.tf_group, "Cho hàm số $y = x^2 - 2x$.", title="Câu 2",
                 statements=[TFStatement("Hàm số đồng biến trên $(1; +\\infty)$.", True),
                             TFStatement("Đồ thị đi qua gốc tọa độ.", True),
                             TFStatement("Đỉnh của đồ thị là $I(1; 1)$.", False),
                             TFStatement("Giá trị nhỏ nhất của hàm số là $-2$.", False)], level="thong_hieu")
    gift = dump_gift([group])
    assert gift.count("{") - gift.count("\\{") == 4 and "::Câu 2 a)::" in gift and "::Câu 2 d)::" in gift
    xml = dump_moodle_xml([group]).decode()
    assert xml.count('<question type="cloze">') == 1 and xml.count("MULTICHOICE:=Đúng~Sai") == 2
    assert parse_gift(gift).items == [group]
    assert parse_moodle_xml(xml.encode()).items == [group]


@pytest.mark.parametrize("item", [
    Item(QType.ordering, "Sắp xếp các bước hái chè", order=["Hái búp", "Làm héo"]),
    Item(QType.cloze, "Nước sôi ở {1} °C, đông đặc ở {2} °C.", blanks=[Blank(["100"]), Blank(["0"])]),
    Item(QType.cloze, "Thủ đô của Việt Nam là {1}", blanks=[Blank(["Hà Nội"])]),
])
def test_gift_refuses_to_write_what_it_cannot_hold_instead_of_losing_it(item: Item) -> None:
    from lms_core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        dump_gift([Item(QType.essay, "Câu trước vẫn đúng."), item])
    assert refused.value.params["number"] == 2
    assert refused.value.params["type"] == item.type.value
