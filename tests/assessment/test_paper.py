"""Exam papers: the DOCX opens with python-docx and holds the header, "Mã đề", every question with its A–D options
and maths as pictures, on A4 with page numbers; the PDF parses with pypdf with Vietnamese words intact and
"Trang i/n – Mã đề"; the answer keys match the versions; the matrix and specification are DOCX tables."""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document
from pypdf import PdfReader

from lms_core.assessment import paper
from lms_core.assessment.blueprint import Part
from lms_core.assessment.builder import answer_key, build, draw
from lms_core.assessment.items import Choice, Item, Level, QType
from tests.assessment.test_blueprint import exam_2025
from tests.assessment.test_builder import full_pool, pool, small_blueprint

INFO = paper.PaperInfo(school="Trường THCS Tân Cương", authority="Sở GD&ĐT Thái Nguyên", title="Đề kiểm tra giữa kỳ I",
                       subject="Toán", grade=10, minutes=45, year="Năm học 2025–2026")


def an_exam(versions: int = 2):  # noqa: ANN201
    bp = small_blueprint()
    return build(bp, draw(bp, full_pool(), "giay"), "giay", versions=versions)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_docx_paper_holds_the_code_every_question_and_its_options() -> None:
    exam = an_exam()
    version = exam.versions[1]
    data = paper.exam_docx(exam, version, INFO)
    document = Document(io.BytesIO(data))
    text = docx_text(data)
    assert "Mã đề 102" in text and "TRƯỜNG THCS TÂN CƯƠNG" in text and "Thời gian làm bài: 45 phút" in text
    for slot in exam.slots:
        assert slot.item.stem.split("$")[0].strip() in text  # every question, its maths drawn apart
    assert "$x^" not in text
    for part, placed in exam.parts_of(version):
        for number in range(1, len(placed) + 1):
            assert f"Câu {number}." in text or f"Câu {number} (" in text
    first = exam.slots[version.questions[0].slot].item
    shown = [first.choices[k].text for k in version.questions[0].options]
    line = next(p.text for p in document.paragraphs if p.text.startswith("A. "))
    assert line == "\t".join(f"{letter}. {option}" for letter, option in zip("ABCD", shown, strict=True))
    assert "PHẦN I." in text and "PHẦN II." in text and "PHẦN IV." in text and "PHIẾU TRẢ LỜI" in text
    assert len(document.inline_shapes) >= 8 + 1  # the maths of 8 single-choice questions and of the essay
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 2.0 and round(section.right_margin.cm, 1) == 1.5
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "Mã đề 102" in footer


def test_long_options_print_one_per_line_and_short_ones_in_columns() -> None:
    assert paper.option_columns(["2", "3", "4", "5"]) == 4
    assert paper.option_columns(["Thủ đô Hà Nội nằm ở miền Bắc", "Huế", "Đà Nẵng", "Cần Thơ"]) == 2
    assert paper.option_columns(["Một câu trả lời dài hơn bốn mươi lăm ký tự để phải xuống dòng riêng", "B", "C",
                                 "D"]) == 1
    assert paper.option_columns(["$$\\frac{1}{2}$$", "2", "3", "4"]) == 1


def test_the_pdf_paper_parses_with_vietnamese_intact_and_numbered_pages() -> None:
    exam = an_exam()
    data = paper.exam_pdf(exam, exam.versions[0], INFO)
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Chè Tân Cương, nhóm ý số" in text and "Thời gian làm bài: 45 phút" in text
    assert "TRƯỜNG THCS TÂN CƯƠNG" in text and "Mã đề 101" in text and "Câu 1." in text
    assert "Phương án" in text and "Bài tự luận số" in text
    for number, page_text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)} – Mã đề 101" in page_text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert "$x^" not in text


def test_the_answer_keys_follow_each_version() -> None:
    exam = an_exam()
    for version in exam.versions:
        keys = answer_key(exam, version)
        part_one = [e.letters for e in keys if e.part == Part.single]
        document = Document(io.BytesIO(paper.key_docx(exam, version, INFO)))
        table = document.tables[2]  # after the two header tables
        assert [row.cells[1].text for row in table.rows[1:]] == part_one
        assert f"MÃ ĐỀ {version.code}" in docx_text(paper.key_docx(exam, version, INFO))
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(paper.key_pdf(exam, version, INFO))).pages)
        assert f"Đáp án mã đề {version.code}" in text and "Hướng dẫn chấm" in text and "Tính biệt thức" in text
    first, second = ([e.letters for e in answer_key(exam, v) if e.part == Part.single] for v in exam.versions)
    assert first != second


def test_unknown_latex_is_printed_as_its_source() -> None:
    item = Item(QType.single, "Biểu thức $\\notacommand{x}$ bằng?", level=Level.recognise.value, tags=["hàm số"],
                choices=[Choice("1", True), Choice("2")])
    bp = small_blueprint(single=1, group=0, short=0, essay=0)
    bp.points[Part.single] = Decimal(10)
    exam = build(bp, draw(bp, pool([item]), "t"), "t", versions=1)
    assert "$\\notacommand{x}$" in docx_text(paper.exam_docx(exam, exam.versions[0], INFO))


def test_the_matrix_and_specification_are_docx_tables() -> None:
    bp = exam_2025()
    document = Document(io.BytesIO(paper.matrix_docx(bp, INFO)))
    matrix, shares, spec = document.tables
    first_row = [c.text for c in matrix.rows[2].cells]
    assert first_row[:3] == ["1", "Chủ đề 1: Mệnh đề", "4"] and first_row[-2:] == ["9", "3,5"]
    assert [c.text for c in matrix.rows[4].cells][-2:] == ["19", "10,0"]
    assert [c.text for c in shares.rows[3].cells][1:] == ["20,0 %", "20,0 %", "30,0 %", "30,0 %"]
    spec_rows = [[c.text for c in row.cells] for row in spec.rows[1:]]
    assert ["1", "Chủ đề 1: Mệnh đề", "Nhận biết", "Nhận biết được mệnh đề, mệnh đề phủ định.", "4", "", "", ""] \
        in spec_rows
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
