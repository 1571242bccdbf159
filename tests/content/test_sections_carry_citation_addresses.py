"""Sections are non-empty, normalised text with an address that labels a citation."""

from __future__ import annotations

import unicodedata

import pytest

from content.ingest import Address, FileType, Section, can_extract, extract
from content.ingest.extract import NO_TEXT
from content.ingest.sections import HeadingTrail, clean_text
from lms_core.errors import Invalid


def test_labels() -> None:
    assert Address(page=4).label() == "Trang 4"
    assert Address(slide=3).label() == "Slide 3"
    assert Address(start=192.0, end=195.0).label() == "03:12"
    assert Address(heading_path=("Lịch sử chè Tân Cương", "Thời Pháp thuộc")).label() == \
        "Lịch sử chè Tân Cương › Thời Pháp thuộc"
    assert Address(slide=2, heading_path=("Quy trình sao chè",)).label("en") == "Slide 2 · Quy trình sao chè"
    assert Address(page=4).parts() == [("page", 4)]


def test_address_round_trips_as_json_data() -> None:
    address = Address(heading_path=("A", "B"), slide=2, start=1.5, end=3.0)
    assert address.as_dict() == {"heading_path": ["A", "B"], "slide": 2, "start": 1.5, "end": 3.0}
    assert Address.from_dict(address.as_dict()) == address
    assert Address().as_dict() == {}


def test_sections_refuse_empty_text_and_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        Section(kind="paragraph", text="  ")
    with pytest.raises(ValueError):
        Section(kind="chapter", text="x")


def test_clean_text_composes_and_collapses() -> None:
    decomposed = unicodedata.normalize("NFD", "Trường  Số\u200b\u00a0mới\t")
    assert clean_text(decomposed) == "Trường Số mới"
    assert clean_text(" a \r\n\r\n b\x07c ", keep_lines=True) == "a\nb c"


def test_heading_trail_closes_deeper_levels() -> None:
    trail = HeadingTrail()
    trail.enter(1, "A")
    trail.enter(3, "A.1.1")
    assert trail.enter(2, "A.2") == ("A", "A.2")
    assert trail.enter(1, "B") == ("B",)


@pytest.mark.parametrize("kind", [FileType.png, FileType.mp4, FileType.xlsx, FileType.zip, FileType.unknown])
def test_types_without_text_are_refused(kind: FileType) -> None:
    assert not can_extract(kind)
    with pytest.raises(Invalid) as refused:
        extract(b"anything", kind)
    assert refused.value.message == NO_TEXT


@pytest.mark.parametrize("name", ["tea_history.md", "tea_festival.html", "water_rocket.pdf", "reading_culture.docx",
                                  "tea_lesson.pptx", "tea_video.vtt", "reading_podcast.srt", "reading_log_nfd.txt"])
def test_every_extracted_section_is_clean(fixture_bytes, name: str) -> None:
    from content.ingest import detect

    data = fixture_bytes(name)
    sections = extract(data, detect(data, name))
    assert sections
    for section in sections:
        assert section.text.strip() == section.text and section.text
        assert unicodedata.is_normalized("NFC", section.text)
        assert "  " not in section.text
