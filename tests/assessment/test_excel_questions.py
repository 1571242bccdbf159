"""The Excel question template: it opens with its guide and drop-downs, a filled copy is read question by
question, and each bad row is listed with its row number while good rows are still read."""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from lms_core.accounts.import_sheet import BROKEN_FILE, NOT_XLSX, OLD_XLS
from lms_core.assessment import items as it
from lms_core.assessment.formats import excel as ex
from lms_core.assessment.formats.excel import HEADERS, TYPE_LABELS, parse_xlsx, template_xlsx
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import gettext
from tests.office import declare_entities

FIELDS = list(HEADERS)


def row(**values: Any) -> list[Any]:
    """Return a row in the template's column order."""
    return [values.get(name) for name in FIELDS]


def filled(rows: list[list[Any]]) -> bytes:
    """Return the template with the rows appended under its header."""
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    for values in rows:
        workbook.worksheets[0].append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def saved(workbook: Workbook) -> bytes:
    """Return a workbook's bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_has_the_columns_a_guide_and_drop_downs() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    questions, guide = workbook.worksheets
    assert guide.title == gettext(ex.INSTRUCTIONS_SHEET)
    assert [cell.value for cell in questions[1]] == list(HEADERS.values())
    assert questions.max_row == 1  # no example row to delete: the examples are on the guide sheet
    rules = {str(rule.sqref).split(":")[0]: rule for rule in questions.data_validations.dataValidation}
    lists = {cell[:-1]: rule.formula1 for cell, rule in rules.items() if rule.type == "list"}
    type_column, level_column, difficulty_column = (get_column_letter(FIELDS.index(name) + 1)
                                                    for name in ("type", "level", "difficulty"))
    assert (rules[f"{difficulty_column}2"].type, rules[f"{difficulty_column}2"].formula2) == ("whole", "5")
    assert all(label in lists[type_column] for label in TYPE_LABELS.values())
    assert all(label in lists[level_column] for label in ("Nhận biết", "Thông hiểu", "Vận dụng", "Vận dụng cao"))
    guide_text = " ".join(str(c.value) for r in guide.iter_rows() for c in r if c.value)
    assert all(label in guide_text for label in TYPE_LABELS.values())
    assert gettext(ex.COLUMN_HELP["curriculum"]) in guide_text


def test_guide_examples_parse_cleanly_and_cover_every_type() -> None:
    guide = load_workbook(io.BytesIO(template_xlsx())).worksheets[1]
    examples = [list(r) for r in guide.iter_rows(values_only=True) if r[0] in TYPE_LABELS.values() and r[1]]
    result = parse_xlsx(filled([values[:len(FIELDS)] for values in examples]))
    assert result.clean, result.problems
    assert [item.type for item in result.items] == list(TYPE_LABELS)


def test_filled_template_gives_the_questions() -> None:
    result = parse_xlsx(filled([
        row(type="Một đáp án", stem="Vùng chè Tân Cương thuộc tỉnh nào?", A="Phú Thọ", B="Thái Nguyên",
            C="Lâm Đồng", D="Hà Giang", key="B", points="0,25", level="NB", difficulty=2, tags="địa lí, chè",
            curriculum="GDĐP6.1.1; GDĐP6.1.2", feedback="Tân Cương thuộc Thái Nguyên.\nXem bài 1."),
        row(type="Nhiều đáp án", stem="Kim loại là", A="Sắt", B="Lưu huỳnh", C="Đồng", key="A, C"),
        row(type="Đúng/Sai", stem="Nước sôi ở 100 °C ở áp suất tiêu chuẩn.", key="S"),
        row(type="Đúng/Sai 4 ý", stem="Về chè:", A="Trồng trên đồi.", B="Hái ban đêm.", C="Nước xanh.",
            D="Là cây lương thực.", key="Đ S Đ S"),
        row(type="Trả lời ngắn (số)", stem="Số mol của 11,2 lít O₂ ở đktc?", key=0.5, points=0.5),
        row(type="Trả lời ngắn", stem="Số pi làm tròn?", key="3,14 ± 0,01; 3,1"),
        row(type="Trả lời ngắn (chữ)", stem="Thủ đô của Việt Nam?", key="Hà Nội; Ha Noi"),
        row(type="Ghép đôi", stem="Nối tỉnh với đặc sản.", A="Thái Nguyên | Chè", B="Bắc Giang | Vải"),
        row(type="Sắp xếp", stem="Các bước làm chè.", A="Hái", B="Làm héo", C="Sao"),
        row(type="Điền khuyết", stem="Chè {1} có nước màu {2}.", key="Tân Cương | xanh; vàng xanh"),
        row(type="Tự luận", stem="Giới thiệu chè Tân Cương.", A="Đủ ý | 2", B="Mạch lạc | 1", points=3),
    ]))
    assert result.clean, result.problems
    single, multiple, true_false, group, mole, pi, capital, matching, ordering, cloze, essay = result.items
    assert [c.correct for c in single.choices] == [False, True, False, False]
    assert (single.points, single.level, single.difficulty) == (Decimal("0.25"), "nhan_biet", 2)
    assert (single.tags, single.curriculum) == (["địa lí", "chè"], ["GDĐP6.1.1", "GDĐP6.1.2"])
    assert single.general_feedback == "Tân Cương thuộc Thái Nguyên.\nXem bài 1."
    assert [c.correct for c in multiple.choices] == [True, False, True]
    assert [(c.text, c.correct) for c in true_false.choices] == [("Đúng", False), ("Sai", True)]
    assert [s.true for s in group.statements] == [True, False, True, False]
    assert (mole.numeric[0].value, mole.points) == (Decimal("0.5"), Decimal("0.5"))
    assert [(k.value, k.tolerance) for k in pi.numeric] == [(Decimal("3.14"), Decimal("0.01")), (Decimal("3.1"), 0)]
    assert capital.accepted == ["Hà Nội", "Ha Noi"]
    assert [(p.left, p.right) for p in matching.pairs] == [("Thái Nguyên", "Chè"), ("Bắc Giang", "Vải")]
    assert ordering.order == ["Hái", "Làm héo", "Sao"]
    assert [b.accepted for b in cloze.blanks] == [["Tân Cương"], ["xanh", "vàng xanh"]]
    assert [(c.text, c.points) for c in essay.rubric] == [("Đủ ý", Decimal(2)), ("Mạch lạc", Decimal(1))]


def test_bad_rows_are_listed_with_their_row_numbers() -> None:
    result = parse_xlsx(filled([
        row(type="Một đáp án", stem="Đúng?", A="Có", B="Không", key="A"),                       # row 2: fine
        row(type="Câu đố", stem="Loại lạ"),                                                     # row 3
        row(type="Một đáp án", stem="2 + 2 = ?", A="3", B="4", key="E"),                        # row 4
        row(type="Một đáp án", stem="1 + 1 = ?", A="2", B="3", key="A", points="hai"),          # row 5
        row(type="Một đáp án", stem="3 + 3 = ?", A="6", B="7", key="A", level="Khó", difficulty=7),  # row 6
        row(type="Đúng/Sai 4 ý", stem="Về chè:", A="a", B="b", C="c", D="d", key="ĐS"),        # row 7
        row(type="Trả lời ngắn (số)", stem="Bao nhiêu?", key="khoảng hai"),                      # row 8
        row(type="Ghép đôi", stem="Nối.", A="Thái Nguyên - Chè", B="Bắc Giang | Vải"),          # row 9
        row(type="Một đáp án", stem="Chọn", A="x", C="z", key="A"),                             # row 10
        row(type="Một đáp án", stem="Chọn hai", A="x", B="y", key="A, B"),                      # row 11
        row(stem="Không có loại"),                                                              # row 12
        row(type="Trả lời ngắn (số)", stem="Không có đáp án"),                                  # row 13
    ]))
    found = {(p.where, p.message) for p in result.problems}
    assert found == {
        ("row 3", ex.UNKNOWN_TYPE), ("row 4", ex.KEY_NOT_OPTION), ("row 4", it.NO_CORRECT), ("row 5", ex.BAD_POINTS),
        ("row 6", ex.BAD_LEVEL), ("row 6", ex.BAD_DIFFICULTY), ("row 7", ex.BAD_KEY), ("row 8", ex.BAD_KEY),
        ("row 8", it.NO_CORRECT), ("row 9", ex.BAD_PAIR), ("row 9", it.FEW_PAIRS), ("row 10", ex.OPTION_GAP),
        ("row 11", it.ONE_CORRECT), ("row 12", ex.NO_TYPE), ("row 13", it.NO_CORRECT),
    }
    params = {(p.where, p.message): p.params for p in result.problems}
    assert params[("row 4", ex.KEY_NOT_OPTION)] == {"key": "E"}
    assert params[("row 10", ex.OPTION_GAP)] == {"letter": "B"}
    assert len(result.items) == 10  # the unknown type and the row without a type make no question
    assert result.items[0].stem == "Đúng?" and [c.correct for c in result.items[0].choices] == [True, False]


def test_a_school_sheet_with_titles_synonyms_and_decomposed_text() -> None:
    workbook = Workbook()
    ws = workbook.active
    ws.append(["NGÂN HÀNG CÂU HỎI MÔN ĐỊA LÍ 8"])
    ws.append([])
    ws.append(["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án D", "Đáp án", "Mức độ", "Loại"])
    ws.append([1, unicodedata.normalize("NFD", "Sông nào chảy qua Thái Nguyên?"), "Sông Cầu", "Sông Hồng",
               "Sông Đà", "Sông Mã", "A", "Thông hiểu", "Trắc nghiệm"])
    ws.append([None] * 9)
    ws.append([2, "Đỉnh núi cao nhất Việt Nam?", "Fansipan", "Bà Đen", None, None, "a", "NB", "TN"])
    result = parse_xlsx(saved(workbook))
    assert result.clean, result.problems
    assert [item.stem for item in result.items] == ["Sông nào chảy qua Thái Nguyên?", "Đỉnh núi cao nhất Việt Nam?"]
    assert [item.level for item in result.items] == ["thong_hieu", "nhan_biet"]
    assert [[c.correct for c in item.choices] for item in result.items] == [[True, False, False, False],
                                                                             [True, False]]


def test_workbooks_that_cannot_be_read() -> None:
    no_header = Workbook()
    no_header.active.append(["Họ và tên", "Lớp"])
    no_header.active.append(["Nguyễn Văn An", "6A"])
    with pytest.raises(Invalid) as refused:
        parse_xlsx(saved(no_header))
    assert refused.value.message == ex.NO_HEADER
    header_only = parse_xlsx(template_xlsx())
    assert [(p.where, p.message) for p in header_only.problems] == [("", ex.NO_ROWS)] and not header_only.items
    template = template_xlsx()
    for data, message in ((b"%PDF-1.4 not a workbook", NOT_XLSX), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 99,
                                                                   OLD_XLS), (template[: len(template) // 2], BROKEN_FILE)):
        with pytest.raises(Invalid) as refused:
            parse_xlsx(data)
        assert refused.value.message == message


def test_entity_declarations_are_refused() -> None:
    data = filled([row(type="Một đáp án", stem="x", A="1", B="2", key="A")])
    with pytest.raises(Invalid) as refused:
        parse_xlsx(declare_entities(data, "xl/worksheets/sheet1.xml"))
    assert refused.value.message == BROKEN_FILE


def test_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "MAX_ROWS", 2)
    with pytest.raises(TooLarge):
        parse_xlsx(filled([row(type="Một đáp án", stem=f"Câu {n}", A="1", B="2", key="A") for n in range(3)]))
