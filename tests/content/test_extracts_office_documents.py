"""DOCX gives headings, lists and tables with heading paths; PPTX gives slides and speaker notes."""

from __future__ import annotations

import pytest

from content.ingest import FileType, extract
from content.ingest.extract_office import BROKEN_DOCX, BROKEN_PPTX
from lms_core.archives import BROKEN_ARCHIVE
from lms_core.errors import Invalid

TITLE = "Văn hoá đọc trong nhà trường"


def test_docx_headings_build_paths(fixture_bytes) -> None:
    sections = extract(fixture_bytes("reading_culture.docx"), FileType.docx)
    headings = [(s.text, s.address.heading_path) for s in sections if s.kind == "heading"]
    assert headings == [
        (TITLE, (TITLE,)),
        ("Vì sao cần đọc sách mỗi ngày", (TITLE, "Vì sao cần đọc sách mỗi ngày")),
        ("Thói quen đọc của học sinh lớp 7", (TITLE, "Vì sao cần đọc sách mỗi ngày", "Thói quen đọc của học sinh lớp 7")),
        ("Góc đọc sách của lớp", (TITLE, "Góc đọc sách của lớp")),  # style named "Tiêu đề 1"
        ("Gợi ý sắp xếp góc đọc", (TITLE, "Góc đọc sách của lớp", "Gợi ý sắp xếp góc đọc")),  # outline level only
    ]


def test_docx_paragraphs_lists_and_tables_in_order(fixture_bytes) -> None:
    sections = extract(fixture_bytes("reading_culture.docx"), FileType.docx)
    assert [s.kind for s in sections] == [
        "heading", "heading", "paragraph", "heading", "paragraph", "list", "table", "heading", "paragraph",
        "heading", "list",
    ]
    bullets = sections[5]
    assert bullets.text.splitlines() == ["Đọc mười lăm phút trước giờ ngủ.", "Ghi một câu hay vào nhật ký đọc.",
                                         "Kể cho bạn nghe về cuốn sách vừa đọc."]
    assert bullets.address.heading_path[-1] == "Thói quen đọc của học sinh lớp 7"
    assert sections[6].text.splitlines()[1] == "1 | Dế Mèn phiêu lưu ký | 120"
    assert sections[-1].text == "Chia sách theo chủ đề.\nDán nhãn màu cho từng kệ."
    assert sections[-1].address.label() == f"{TITLE} › Góc đọc sách của lớp › Gợi ý sắp xếp góc đọc"


def test_pptx_slides_and_notes_share_the_slide_number(fixture_bytes) -> None:
    sections = extract(fixture_bytes("tea_lesson.pptx"), FileType.pptx)
    assert [(s.kind, s.address.slide) for s in sections] == [
        ("slide", 1), ("notes", 1), ("slide", 2), ("notes", 2), ("slide", 3), ("slide", 5), ("notes", 5),
    ]
    notes_2 = sections[3]
    assert notes_2.text == "Nhấn mạnh rằng nhiệt độ chảo phải giữ ổn định suốt quá trình sao."
    assert notes_2.address.label() == "Slide 2 · Quy trình sao chè"
    assert sections[2].text.splitlines() == ["Quy trình sao chè", "Làm héo lá chè", "Vò chè cho ra nước",
                                             "Sao khô trên chảo gang"]


def test_pptx_tables_are_read_and_hidden_slides_skipped(fixture_bytes) -> None:
    sections = extract(fixture_bytes("tea_lesson.pptx"), FileType.pptx)
    assert sections[4].text.splitlines() == ["So sánh các loại chè", "Loại chè | Hương vị", "Chè búp | Đậm, thơm cốm",
                                             "Chè nõn | Ngọt, thanh"]
    assert not any("Đáp án" in s.text for s in sections)


@pytest.mark.parametrize(("name", "kind", "message"), [
    ("broken.docx", FileType.docx, BROKEN_DOCX),
    ("broken.pptx", FileType.pptx, BROKEN_PPTX),
    ("truncated.docx", FileType.docx, BROKEN_ARCHIVE),
    ("water_rocket.pdf", FileType.docx, BROKEN_ARCHIVE),  # a caller that trusted the name
    ("reading_culture.docx", FileType.pptx, BROKEN_PPTX),
])
def test_broken_office_files_are_invalid_with_a_message(fixture_bytes, name: str, kind: FileType, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        extract(fixture_bytes(name), kind)
    assert refused.value.message == message


def test_docx_merged_cells_are_written_once() -> None:
    import io

    from docx import Document

    document = Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Kết quả đo độ cao tên lửa"
    for c, value in enumerate(["Lần 1", "Lần 2", "Lần 3"]):
        table.cell(1, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    (section,) = extract(buffer.getvalue(), FileType.docx)
    assert section.text == "Kết quả đo độ cao tên lửa\nLần 1 | Lần 2 | Lần 3"
