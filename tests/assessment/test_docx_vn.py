"""Word files in the Vietnamese teachers' layout: each way of giving the key is read, every question that
cannot be read is a problem at its "Câu n", and files that are not safe Word documents are refused."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms_core.archives import BROKEN_ARCHIVE, ZIP_BOMB
from lms_core.assessment import items as it
from lms_core.assessment.formats import docx_vn as dv
from lms_core.assessment.formats.docx_vn import parse_docx, parse_letters, parse_tf
from lms_core.errors import Invalid, TooLarge
from tests.fixtures.assessment import make_docx as gen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "assessment"


@cache
def parsed(name: str) -> it.ParseResult:
    """Return the parse of a committed fixture (once per run)."""
    return parse_docx((FIXTURES / name).read_bytes())


def keys(result: it.ParseResult) -> list[str]:
    """Return the correct letters of each choice item, such as "B" or "AC"."""
    return ["".join("ABCDEF"[i] for i, c in enumerate(item.choices) if c.correct) for item in result.items]


def problems(result: it.ParseResult) -> list[tuple[str, str]]:
    """Return (where, msgid) of every problem."""
    return [(p.where, p.message) for p in result.problems]


def test_key_underlined_on_option_or_letter() -> None:
    result = parsed("key_underline.docx")
    assert result.clean, result.problems
    assert keys(result) == ["B", "C", "B"]
    assert [item.stem for item in result.items] == ["Vùng chè Tân Cương nổi tiếng thuộc tỉnh nào?",
                                                    "Ở áp suất tiêu chuẩn, nước tinh khiết sôi ở nhiệt độ nào?",
                                                    "Chất nào sau đây là kim loại?"]
    assert [c.text for c in result.items[0].choices] == ["Phú Thọ.", "Thái Nguyên.", "Lâm Đồng.", "Hà Giang."]
    assert {item.type for item in result.items} == {it.QType.single}


def test_key_in_bold_counts_only_where_other_options_are_not_bold() -> None:
    # Question 2 has every letter in bold (the file's style) and the key's text in bold.
    result = parsed("key_bold.docx")
    assert result.clean, result.problems
    assert keys(result) == ["C", "B", "B"]


def test_key_in_colour_and_options_on_one_line() -> None:
    result = parsed("key_red_one_line.docx")
    assert result.clean, result.problems
    assert keys(result) == ["A", "C", "B", "A", "A"]
    first, _, third, fourth, _ = result.items
    assert [c.text for c in first.choices] == ["Hà Nội.", "Huế.", "Đà Nẵng.", "Thành phố Hồ Chí Minh."]
    assert third.stem == "Giá trị của biểu thức 2 + 3 × 4 là"  # "Bài 3:" with the options on the same line
    assert [c.text for c in third.choices] == ["20", "14", "24", "9"]
    assert (fourth.points, fourth.level) == (Decimal("0.5"), it.Level.understand.value)  # "(0,5 điểm) (TH)"
    assert [c.text for c in fourth.choices][0] == "Vitamin C."  # options lettered "A)"


def test_key_in_answer_table_and_key_lines() -> None:
    result = parsed("answer_table.docx")
    assert result.clean, result.problems
    assert keys(result) == ["B", "D", "A", "C", "A"]
    # "vitamin C." inside option A does not start an option C.
    assert [c.text for c in result.items[2].choices] == ["Quả cam có nhiều vitamin C.", "Hạt gạo.", "Củ khoai.",
                                                         "Hạt lạc."]
    assert result.items[1].general_feedback.startswith("Hái vào buổi sáng sớm")
    assert "TRƯỜNG THCS" not in " ".join(item.stem for item in result.items)


def test_exam_2025_parts_with_answer_tables() -> None:
    result = parsed("exam_2025.docx")
    assert result.clean, result.problems
    types = [item.type for item in result.items]
    assert types == [it.QType.single] * 3 + [it.QType.tf_group] * 2 + [it.QType.numeric] * 2
    assert keys(result)[:3] == ["B", "C", "C"]
    assert [s.true for s in result.items[3].statements] == [True, False, False, True]
    assert [s.true for s in result.items[4].statements] == [True, False, True, True]
    assert result.items[3].statements[2].text == "Khi nước sôi, nhiệt độ của nước tiếp tục tăng nhanh."
    assert [item.numeric[0].value for item in result.items[5:]] == [Decimal(2), Decimal("0.45")]


def test_malformed_questions_are_problems_at_their_number() -> None:
    result = parsed("malformed.docx")
    found = problems(result)
    assert ("Câu 1", dv.NO_OPTIONS) in found
    assert ("Câu 3", it.ONE_CORRECT) in found  # two options underlined for a single choice
    assert ("Câu 4", dv.OPTION_ORDER) in found  # A, B, D
    assert ("Câu 5", dv.EQUATION) in found
    assert ("Câu 7", dv.TF_NO_KEY) in found
    wrong_key = next(p for p in result.problems if p.message == dv.KEY_NOT_OPTION)
    assert (wrong_key.where, wrong_key.params) == ("Câu 2", {"key": "E"})
    stray = next(p for p in result.problems if p.message == dv.KEY_WITHOUT_QUESTION)
    assert (stray.where, stray.params) == ("ĐÁP ÁN", {"number": "Câu 9"})
    assert not [where for where, _ in found if where == "Câu 6"]
    assert not result.clean
    # Câu 1 cannot be read, so it is not an item; the others are, so the preview can show them.
    assert [item.stem.split()[0] for item in result.items] == ["Trái", "Nguồn", "Bộ", "Nghiệm", "Hình", "Về"]


def test_picture_is_carried_with_the_question() -> None:
    picture_question = parsed("malformed.docx").items[4]
    (name, blob), = picture_question.media.items()
    assert blob == gen.png()
    assert name.endswith(".png") and f"]({name})" in picture_question.stem
    assert keys(parsed("malformed.docx"))[4] == "A"


@pytest.mark.parametrize(("name", "error", "message"), [
    ("truncated.docx", Invalid, BROKEN_ARCHIVE),
    ("broken_xml.docx", Invalid, dv.BROKEN_DOCX),
    ("entities.docx", Invalid, dv.BROKEN_DOCX),
    ("zip_bomb.docx", TooLarge, ZIP_BOMB),
    ("pdf_renamed.docx", Invalid, dv.PDF_NOT_DOCX),
])
def test_unsafe_or_broken_files_are_refused(name: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as refused:
        parse_docx((FIXTURES / name).read_bytes())
    assert refused.value.message == message


def test_other_files_are_not_word_documents() -> None:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    for data, message in ((buffer.getvalue(), dv.NOT_DOCX), (b"Cau 1. A. B. C.", dv.NOT_DOCX),
                          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, dv.OLD_DOC)):
        with pytest.raises(Invalid) as refused:
            parse_docx(data)
        assert refused.value.message == message


def test_statements_marked_true_and_essays_in_a_written_part() -> None:
    data = gen.make([
        ["PHẦN II. Câu trắc nghiệm đúng sai."],
        ["Câu 1. Về nước:"],
        [("a)", "u"), " Nước sôi ở 100 °C."], ["b) Nước đá nặng hơn nước lỏng cùng thể tích."],
        [("a)", ""), ("c) Nước là dung môi phổ biến.", "red")], ["d) Nước dẫn điện tốt như kim loại."],
        ["PHẦN III. TỰ LUẬN"],
        ["Bài 1 (2 điểm). Trình bày các bước sao chè."],
        ["a) Nêu cách làm héo."], ["b) Nêu cách sao."],
    ])
    result = parse_docx(data)
    assert result.clean, result.problems
    group, essay = result.items
    assert [s.true for s in group.statements] == [True, False, True, False]
    assert (essay.type, essay.points) == (it.QType.essay, Decimal(2))
    assert "a) Nêu cách làm héo." in essay.stem


def test_a_key_line_with_the_option_text_does_not_end_the_questions() -> None:
    result = parse_docx(gen.make([
        ["II. TỰ LUẬN"], ["Câu 1. (1,5 điểm) Nêu ba việc em làm để tiết kiệm nước."],
        ["I. TRẮC NGHIỆM"], ["Câu 2. Chè Tân Cương thuộc tỉnh nào?"], ["A. Thái Nguyên\tB. Phú Thọ"],
        ["Đáp án: A. Thái Nguyên"],
        ["Câu 3. Sông Cầu chảy qua tỉnh nào?"], ["A. Cà Mau\tB. Thái Nguyên"], ["Đáp án: B"],
    ]))
    assert result.clean, result.problems
    essay, tea, river = result.items
    assert (essay.type, essay.points, essay.stem) == (it.QType.essay, Decimal("1.5"),
                                                      "Nêu ba việc em làm để tiết kiệm nước.")
    assert keys(result)[1:] == ["A", "B"]


def test_marked_key_and_table_key_disagree() -> None:
    data = gen.make([
        ["Câu 1. 3 × 3 bằng"], ["A. 6", "\t", ("B. 9", "u"), "\t", "C. 12", "\t", "D. 33"],
        ["ĐÁP ÁN: 1.C"],
    ])
    result = parse_docx(data)
    conflict = next(p for p in result.problems if p.message == dv.KEY_CONFLICT)
    assert (conflict.where, conflict.params) == ("Câu 1", {"marked": "B", "table": "C"})
    assert keys(result) == ["C"]


def test_answer_table_down_side_by_side_and_multiple_keys() -> None:
    question = [["Câu {n}. Chọn phương án đúng số {n}."], ["A. một\tB. hai\tC. ba\tD. bốn"]]
    blocks = [[run.format(n=n) for run in para] for n in range(1, 5) for para in question]
    blocks += [["Bảng đáp án"], ("table", [["Câu", "Đáp án", "Câu", "Đáp án"], ["1", "A", "3", "A, C"],
                                           ["2", "D", "4", "B"]])]
    result = parse_docx(gen.make(blocks))
    assert result.clean, result.problems
    assert keys(result) == ["A", "D", "AC", "B"]
    assert result.items[2].type == it.QType.multiple


def test_options_laid_out_in_a_table() -> None:
    result = parse_docx(gen.make([
        ["Câu 1. Loài cây nào cho búp để làm chè?"],
        ("table", [["A. Cây lúa.", "B. Cây chè."], ["C. Cây ngô.", "D. Cây mía."]]),
        ["Đáp án: B"],
    ]))
    assert result.clean, result.problems
    assert [c.text for c in result.items[0].choices] == ["Cây lúa.", "Cây chè.", "Cây ngô.", "Cây mía."]
    assert keys(result) == ["B"]


def test_a_data_table_and_its_picture_stay_in_the_question() -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Câu 1. Bảng sau cho biết sản lượng chè của hai xã. Xã nào nhiều hơn?")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Xã", (0, 1): "Sản lượng (tấn)", (1, 0): "Tân Cương", (1, 1): "120"}.items():
        table.cell(r, c).text = text
    table.cell(1, 0).paragraphs[0].add_run().add_picture(io.BytesIO(gen.png()))
    document.add_paragraph("A. Tân Cương\tB. Phúc Xuân")
    document.add_paragraph("Đáp án: A")
    buffer = io.BytesIO()
    document.save(buffer)
    result = parse_docx(buffer.getvalue())
    assert result.clean, result.problems
    (name, blob), = result.items[0].media.items()
    assert blob == gen.png()
    assert result.items[0].stem.splitlines()[2:] == ["| Xã | Sản lượng (tấn) |", "|---|---|",
                                                     f"| Tân Cương![]({name}) | 120 |"]


def test_repeated_number_and_no_questions() -> None:
    result = parse_docx(gen.make([["Câu 1. Một?"], [("A. có", "u")], ["B. không"],
                                  ["Câu 1. Hai?"], ["A. có"], [("B. không", "u")]]))
    assert ("Câu 1", dv.DUPLICATE_NUMBER) in problems(result)
    empty = parse_docx(gen.make([["Đề cương ôn tập học kì I"], ["Các em ôn lại bài 1 đến bài 5."]]))
    assert problems(empty) == [("", dv.NO_QUESTIONS)] and not empty.items


def test_decomposed_vietnamese_is_stored_composed() -> None:
    stem = "Thành phố nào là thủ đô?"
    result = parse_docx(gen.make([[unicodedata.normalize("NFD", f"Câu 1. {stem}")],
                                  ["A. Huế", "\t", (unicodedata.normalize("NFD", "B. Hà Nội"), "u")]]))
    assert result.items[0].stem == stem
    assert result.items[0].choices[1].text == "Hà Nội"
    assert keys(result) == ["B"]


def test_too_many_questions_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dv, "MAX_QUESTIONS", 3)
    with pytest.raises(TooLarge):
        parse_docx(gen.make([[f"Câu {n}. Hỏi?"] for n in range(1, 6)]))


@pytest.mark.parametrize(("text", "expected"), [
    ("ĐSĐS", [True, False, True, False]), ("Đ S S Đ", [True, False, False, True]),
    ("a) Đúng, b) Sai, c) Sai, d) Đúng", [True, False, False, True]), ("a-S; b-S; c-Đ; d-Đ", [False, False, True, True]),
    ("DSDS", [True, False, True, False]), ("ĐSĐ", None), ("ABCD", None), ("Đáp án", None),
])
def test_true_false_keys(text: str, expected: list[bool] | None) -> None:
    assert parse_tf(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("B", ["B"]), ("a, c", ["A", "C"]), ("C và A", ["A", "C"]), ("G", None), ("0,5", None), ("ĐS", None),
])
def test_letter_keys(text: str, expected: list[str] | None) -> None:
    assert parse_letters(text) == expected


_PIECES = st.sampled_from(["Câu 1.", "Câu 2:", "Bài 3)", "A.", "B.", "C)", "a)", "b)", "d)", "ĐÁP ÁN", "PHẦN II",
                           "Tự luận", "1.A", "Đáp án: B", "Lời giải:", "0,5", "ĐSĐS", "\t", "chè", "Tân Cương", "?"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(st.lists(_PIECES, min_size=1, max_size=6).map(" ".join),
                                   st.sampled_from(["", "b", "u", "red", "b u"])), min_size=1, max_size=3),
                min_size=1, max_size=12))
def test_any_text_gives_items_or_problems_never_an_error(paragraphs: list[list[tuple[str, str]]]) -> None:
    result = parse_docx(gen.make(paragraphs))
    assert result.items or result.problems
    for item in result.items:
        assert isinstance(item.stem, str) and item.points > 0


@cache
def generated() -> dict[str, bytes]:
    """Return the fixtures as the generator makes them now."""
    return gen.build()


def _members(data: bytes) -> dict[str, bytes] | bytes:
    """Return a zip's members by name, or the bytes of anything else (zip dates are not compared)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}
    except zipfile.BadZipFile:
        return data


@pytest.mark.parametrize("name", sorted(gen.build()))
def test_fixture_is_what_the_generator_makes(name: str) -> None:
    path = FIXTURES / name
    assert path.exists(), f"{name} missing: run tests/fixtures/assessment/make_docx.py"
    assert _members(path.read_bytes()) == _members(generated()[name]), "run tests/fixtures/assessment/make_docx.py"
    assert path.stat().st_size < 50_000
