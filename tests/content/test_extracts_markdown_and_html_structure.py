"""Markdown and HTML give headings, paragraphs, lists and tables with their heading paths."""

from __future__ import annotations

import unicodedata

from content.ingest import FileType, extract


def test_markdown_fixture_sections_in_order(fixture_bytes) -> None:
    sections = extract(fixture_bytes("tea_history.md"), FileType.markdown)
    assert [s.kind for s in sections] == [
        "heading", "paragraph", "heading", "paragraph", "list", "heading", "paragraph", "table", "paragraph",
        "heading", "paragraph",
    ]
    by_text = {s.text: s for s in sections}
    assert by_text["Thời Pháp thuộc"].address.heading_path == ("Lịch sử chè Tân Cương", "Thời Pháp thuộc")
    assert by_text["Thời Pháp thuộc"].address.label() == "Lịch sử chè Tân Cương › Thời Pháp thuộc"
    assert sections[1].text.startswith("Vùng chè Tân Cương nằm ở phía tây")
    assert "\n" not in sections[1].text  # soft line breaks become spaces


def test_markdown_lists_tables_code_and_images(fixture_bytes) -> None:
    sections = extract(fixture_bytes("tea_history.md"), FileType.markdown)
    lists = [s for s in sections if s.kind == "list"]
    assert lists[0].text == ("Chọn đất đồi thoát nước tốt.\nHái một tôm hai lá vào buổi sáng.\n"
                             "Tránh hái khi trời mưa.\nSao chè trên lửa nhỏ, đảo đều tay.")
    assert lists[0].address.heading_path == ("Lịch sử chè Tân Cương", "Thời Pháp thuộc")
    table = next(s for s in sections if s.kind == "table")
    assert table.text.splitlines() == ["Loại chè | Cách hái | Đặc điểm", "Chè búp | Một tôm hai lá | Hương thơm, vị đậm",
                                       "Chè nõn | Chỉ lấy tôm | Nước xanh trong, vị ngọt"]
    assert table.address.heading_path == ("Lịch sử chè Tân Cương", "Ngày nay")
    assert any(s.text == "Đồi chè Tân Cương buổi sáng" for s in sections)  # an image's alt text
    code = sections[-1]
    assert code.text == "Nhiệt độ: dưới 25 °C\nĐộ ẩm: dưới 60 %"
    assert code.address.heading_path == ("Lịch sử chè Tân Cương", "Ngày nay", "Bảo quản chè")


def test_decomposed_markdown_comes_out_composed() -> None:
    source = unicodedata.normalize("NFD", "# Trà Tân Cương\n\nHương cốm, vị chát dịu.\n")
    assert source != unicodedata.normalize("NFC", source)
    sections = extract(source.encode(), FileType.markdown)
    assert [s.text for s in sections] == ["Trà Tân Cương", "Hương cốm, vị chát dịu."]
    assert sections[1].address.heading_path == ("Trà Tân Cương",)


def test_markdown_raw_html_is_read_as_text_without_scripts() -> None:
    sections = extract("Trước\n\n<div>Hộp <b>ghi chú</b><script>alert(1)</script></div>\n".encode(), FileType.markdown)
    assert [s.text for s in sections] == ["Trước", "Hộp ghi chú"]


def test_html_fixture_sections(fixture_bytes) -> None:
    sections = extract(fixture_bytes("tea_festival.html"), FileType.html)
    texts = [s.text for s in sections]
    assert texts[0] == "Lễ hội trà Thái Nguyên" and sections[0].kind == "heading"
    assert not any("stolen" in t or "alert" in t or "khung ẩn" in t or "color" in t for t in texts)
    items = next(s for s in sections if s.kind == "list")
    assert items.text == "Thi pha trà giữa các làng nghề.\nTriển lãm ảnh đồi chè và dụng cụ sao chè."
    assert items.address.heading_path == ("Lễ hội trà Thái Nguyên", "Hoạt động chính")
    table = next(s for s in sections if s.kind == "table")
    assert table.text.splitlines()[2] == "Thứ Bảy | Tham quan đồi chè Tân Cương"
    assert table.address.heading_path == ("Lễ hội trà Thái Nguyên", "Lịch trình")
    assert "Nghệ nhân pha trà" in texts  # alt text
    assert texts[-1] == "Mời các em đọc thêm bài học về chè."


def test_html_blocks_stay_apart_and_entities_are_decoded() -> None:
    sections = extract("<div>Một</div><div>Hai&nbsp;&amp;&nbsp;ba</div><h3>Mục</h3><p>Bốn<br>năm</p>".encode(),
                       FileType.html)
    assert [(s.kind, s.text) for s in sections] == [
        ("paragraph", "Một"), ("paragraph", "Hai & ba"), ("heading", "Mục"), ("paragraph", "Bốn năm"),
    ]
