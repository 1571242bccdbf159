"""Chunks of a material's sections keep their citation address and size limits (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_tutor.chunking import MAX_WORDS, Chunk, chunk_sections
from content.ingest import Address, Section
from content.packs.pack import read_pack

PACKS = Path(__file__).resolve().parents[2] / "content" / "packs"


def words(n: int, word: str = "chè") -> str:
    """Return a sentence of n words."""
    return " ".join([word] * (n - 1) + [word + "."])


def section(kind: str, text: str, *path: str, **address: float) -> Section:
    return Section(kind=kind, text=text, address=Address(heading_path=tuple(path), **address))


def assert_positions(chunks: list[Chunk]) -> None:
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_short_sections_under_one_heading_merge_and_headings_are_not_chunks() -> None:
    sections = [
        section("heading", "Lịch sử chè", "Lịch sử chè"),
        section("heading", "Người mở đất", "Lịch sử chè", "Người mở đất"),
        section("paragraph", "Tân Cương là vùng đồi.", "Lịch sử chè", "Người mở đất"),
        section("list", "Đất đỏ vàng.\nSương sớm.", "Lịch sử chè", "Người mở đất"),
        section("heading", "Đệ nhất danh trà", "Lịch sử chè", "Đệ nhất danh trà"),
        section("paragraph", "Cánh chè nhỏ và xoăn.", "Lịch sử chè", "Đệ nhất danh trà"),
    ]
    chunks = chunk_sections(sections, target_words=50, max_words=80)
    assert [c.text for c in chunks] == ["Tân Cương là vùng đồi.\nĐất đỏ vàng.\nSương sớm.", "Cánh chè nhỏ và xoăn."]
    assert [c.heading_path for c in chunks] == [("Lịch sử chè", "Người mở đất"), ("Lịch sử chè", "Đệ nhất danh trà")]
    assert chunks[0].address == {"heading_path": ["Lịch sử chè", "Người mở đất"]}
    assert chunks[1].index_text() == "Lịch sử chè › Đệ nhất danh trà\nCánh chè nhỏ và xoăn."
    assert_positions(chunks)


def test_merging_stops_at_the_target_size() -> None:
    sections = [section("paragraph", words(30), "A") for _ in range(5)]
    chunks = chunk_sections(sections, target_words=60, max_words=100)
    assert [c.words for c in chunks] == [60, 60, 30]
    assert_positions(chunks)


def test_a_long_section_is_split_at_sentences_to_at_most_max_words() -> None:
    sentences = [f"Câu thứ {i} nói về cách sao chè trên chảo gang nóng." for i in range(40)]
    text = " ".join(sentences)  # 480 words
    chunks = chunk_sections([section("paragraph", text, "Sao chè")], target_words=100, max_words=150)
    assert all(c.words <= 150 for c in chunks)
    assert len(chunks) == 4  # near-equal pieces, not 150 + 150 + 150 + 30
    assert all(c.text.startswith("Câu thứ") and c.text.endswith("nóng.") for c in chunks)
    assert " ".join(c.text for c in chunks) == text
    assert all(c.heading_path == ("Sao chè",) for c in chunks)
    assert_positions(chunks)


def test_a_sentence_longer_than_max_words_is_cut_at_words() -> None:
    text = " ".join(f"từ{i}" for i in range(250))
    chunks = chunk_sections([section("paragraph", text)], target_words=50, max_words=100)
    assert [c.words for c in chunks] == [100, 100, 50]
    assert " ".join(c.text for c in chunks) == text


def test_pdf_chunks_never_span_two_pages_and_keep_their_page() -> None:
    sections = [section("page", "Nội quy phòng thí nghiệm.", page=1), section("page", "Đeo kính bảo hộ.", page=1),
                section("page", "Rửa mắt bằng nước sạch.", page=2)]
    chunks = chunk_sections(sections, target_words=100, max_words=150)
    assert [(c.text, c.address) for c in chunks] == [
        ("Nội quy phòng thí nghiệm.\nĐeo kính bảo hộ.", {"page": 1}), ("Rửa mắt bằng nước sạch.", {"page": 2})]
    assert chunks[0].index_text() == chunks[0].text  # no heading path to add


def test_slide_and_its_notes_are_one_chunk_and_slides_stay_apart() -> None:
    sections = [section("slide", "Các bước sao chè\nHái, héo, sao", "Các bước sao chè", slide=1),
                section("notes", "Hỏi học sinh đã xem sao chè chưa.", "Các bước sao chè", slide=1),
                section("slide", "Vò chè\nVò nhẹ tay", "Vò chè", slide=2)]
    chunks = chunk_sections(sections)
    assert [c.address["slide"] for c in chunks] == [1, 2]
    assert chunks[0].text == "Các bước sao chè\nHái, héo, sao\nHỏi học sinh đã xem sao chè chưa."
    assert chunks[1].heading_path == ("Vò chè",)


def test_cues_are_grouped_in_windows_keeping_the_first_cue_start() -> None:
    cues = [section("cue", f"Câu số {i} có sáu từ", start=i * 3.0, end=i * 3.0 + 2.5) for i in range(20)]
    chunks = chunk_sections(cues, target_words=30, max_words=60)
    assert [c.address["start"] for c in chunks] == [0.0, 15.0, 30.0, 45.0]  # 5 cues of 6 words each
    assert [c.address["end"] for c in chunks] == [14.5, 29.5, 44.5, 59.5]
    assert chunks[0].text.split("\n") == [f"Câu số {i} có sáu từ" for i in range(5)]
    assert_positions(chunks)


def test_cues_and_written_sections_are_not_merged() -> None:
    sections = [section("paragraph", "Bài nghe nói về đường đến bảo tàng."), section("cue", "Excuse me.", start=1.0)]
    chunks = chunk_sections(sections)
    assert [c.address for c in chunks] == [{}, {"start": 1.0}]


def test_only_headings_give_no_chunks() -> None:
    assert chunk_sections([section("heading", "Tiêu đề", "Tiêu đề")]) == []
    assert chunk_sections([]) == []


@pytest.mark.parametrize(("target", "max_words"), [(0, 10), (20, 10), (-1, 5)])
def test_impossible_sizes_are_refused(target: int, max_words: int) -> None:
    with pytest.raises(ValueError):
        chunk_sections([section("paragraph", "Chè.")], target_words=target, max_words=max_words)


def test_chunks_of_a_real_pack_keep_every_word_their_addresses_and_limits() -> None:
    pack = read_pack(PACKS / "english")  # Markdown, DOCX, PDF, PPTX and a transcript
    assert not pack.problems
    kinds = set()
    for material in pack.materials:
        chunks = chunk_sections(material.sections)
        again = chunk_sections(material.sections)
        assert chunks == again  # deterministic
        assert_positions(chunks)
        assert all(0 < c.words <= MAX_WORDS for c in chunks)
        content = [s for s in material.sections if s.kind != "heading"]
        assert " ".join(" ".join(c.text.split()) for c in chunks) == " ".join(" ".join(s.text.split()) for s in content)
        for c in chunks:
            held = [s for s in content if s.address.heading_path == c.heading_path]
            assert held, "a chunk's heading path is one of its sections'"
            if "page" in c.address:
                kinds.add("page")
                assert any(s.address.page == c.address["page"] for s in held)
            if "slide" in c.address:
                kinds.add("slide")
                assert c.heading_path and c.address["heading_path"] == list(c.heading_path)
            if "start" in c.address:
                kinds.add("cue")
                assert c.address["start"] in {s.address.start for s in held}
    assert kinds == {"page", "slide", "cue"}
